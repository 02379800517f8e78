#!/usr/bin/env python3
"""lint.py: `winnow lint` (python3 tests/lint.py BINARY).

Over the project's fixtures (and ../shared/corpus when present): every document whose gold
differs from it has findings, and no gold (clean text) has any; the exit codes 0, 1 and 2;
diagnostics in the GCC form, as JSON (an object a line) and as SARIF 2.1.0 (checked for the
structure the format requires); --stats=json agrees with them; folders walked, sorted, with
--include and --exclude, symbolic links not followed; a file that cannot be read still gets
the summary. Standard library only.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish, norm

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"
GCC = re.compile(r'^(.+):(\d+):(\d+): warning: removed "(.*)"( \(.*\))? \[([a-z0-9-]+)\]$')



def lint(*args):
    p = subprocess.run([BIN, "lint"] + list(args), capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def sets():
    out = [("fixtures", "tests/fixtures/text")]
    for name in ("real", "authored", "seed"):
        d = os.path.join("..", "shared", "corpus", name)
        if os.path.isdir(d):
            out.append((name, d))
        else:
            print("lint: ../shared/corpus/%s: skipped (not present)" % name)
    return out


def test_corpora():
    for name, d in sets():
        rc, out, err = lint("--include", "*.in.txt", d)
        with_findings = {GCC.match(l).group(1) for l in out.splitlines() if GCC.match(l)}
        check(all(GCC.match(l) for l in out.splitlines()), "lint %s: every line in GCC's form" % name)
        dirty = clean = 0
        for src in sorted(glob.glob(os.path.join(d, "*.in.txt"))):
            gold = src[: -len(".in.txt")] + ".gold.txt"
            same = norm(open(src, encoding="utf-8", newline="").read()) == norm(
                open(gold, encoding="utf-8", newline="").read())
            if same:
                clean += 1
                check(src not in with_findings, "lint %s: %s is clean, no finding" % (name, src))
            else:
                dirty += 1
                check(src in with_findings, "lint %s: %s has findings" % (name, src))
        check(rc == (1 if dirty else 0), "lint %s: exit %d" % (name, rc))
        rc, out, err = lint("--include", "*.gold.txt", d)
        check(rc == 0 and out == "", "lint %s: the golds are clean (exit %d)" % (name, rc))
        check(re.search(r"^winnow: 0 findings in \d+ files?$", err, re.M), "lint %s: summary" % name)


def test_formats():
    d = "tests/fixtures/text"
    rc, text, _ = lint("--include", "*.in.txt", d)
    n = len(text.splitlines())
    rc, js, _ = lint("--include", "*.in.txt", "--diagnostics=json", d)
    rows = [json.loads(l) for l in js.splitlines()]
    check(len(rows) == n and n > 100, "json: one object a finding (%d, %d)" % (len(rows), n))
    keys = {"file": str, "line": int, "column": int, "rule": str, "message": str, "text": str}
    check(all(all(isinstance(r.get(k), t) for k, t in keys.items()) for r in rows),
          "json: every object has file, line, column, rule, message, text")
    rc, sarif, _ = lint("--include", "*.in.txt", "--diagnostics=sarif", d)
    log = json.loads(sarif)
    check(log.get("version") == "2.1.0" and "sarif-2.1.0" in log.get("$schema", ""),
          "sarif: version and schema")
    runs = log.get("runs", [])
    check(len(runs) == 1, "sarif: one run")
    driver = runs[0]["tool"]["driver"] if runs else {}
    rules = driver.get("rules", [])
    ids = [r.get("id") for r in rules]
    check(driver.get("name") == "winnow" and len(ids) == len(set(ids)) and ids,
          "sarif: the driver and its rules, each once")
    check(all(r.get("shortDescription", {}).get("text") and r.get("help", {}).get("text")
              for r in rules), "sarif: every rule described, with help text")
    results = runs[0].get("results", []) if runs else []
    check(len(results) == n, "sarif: a result a finding")
    ok = True
    for r in results:
        loc = r.get("locations", [{}])[0].get("physicalLocation", {})
        ok = ok and r.get("ruleId") in ids and r.get("level") == "warning"
        ok = ok and isinstance(r.get("message", {}).get("text"), str)
        ok = ok and loc.get("artifactLocation", {}).get("uri", "").endswith(".in.txt")
        ok = ok and loc.get("region", {}).get("startLine", 0) >= 1
    check(ok, "sarif: every result has its rule, level, message and location")
    rc, _, err = lint("--include", "*.in.txt", "--stats=json", d)
    start = err.index("{")
    stats = json.JSONDecoder().raw_decode(err[start:])[0]
    check(stats["totals"]["findings"] == n, "stats: the findings counted")
    check(sum(r["findings"] for r in stats["rules"]) == n, "stats: per rule, they add up")


def test_walk_and_codes():
    tmp = tempfile.mkdtemp()
    try:
        sub = os.path.join(tmp, "b")
        os.mkdir(sub)
        shutil.copy("tests/fixtures/text/en-read-more-inline.in.txt", os.path.join(sub, "x.txt"))
        shutil.copy("tests/fixtures/text/en-read-more-inline.gold.txt", os.path.join(tmp, "a.txt"))
        other = tempfile.mkdtemp()
        shutil.copy("tests/fixtures/text/en-read-more-inline.in.txt", os.path.join(other, "y.txt"))
        os.symlink(other, os.path.join(tmp, "link"))
        rc, out, err = lint(tmp)
        files = [GCC.match(l).group(1) for l in out.splitlines()]
        check(rc == 1 and files and all(f == os.path.join(sub, "x.txt") for f in files),
              "walk: the folder's files, not through a symbolic link")
        check("in 2 files" in err, "walk: two files linted")
        rc, out, _ = lint("--exclude", "x.*", tmp)
        check(rc == 0 and out == "", "walk: --exclude keeps a file out (exit %d)" % rc)
        rc, out, err = lint(os.path.join(tmp, "missing"), os.path.join(tmp, "a.txt"))
        check(rc == 2, "exit 2 when a file cannot be read")
        check("could not be read" in err and "in 2 files" in err, "the summary still comes")
        rc, _, _ = lint("--diagnostics=xml", tmp)
        check(rc == 2, "exit 2 on a bad option")
        p = subprocess.run([BIN, "--lint", os.path.join(sub, "x.txt")], capture_output=True)
        q = subprocess.run([BIN, "lint", os.path.join(sub, "x.txt")], capture_output=True)
        check(p.stdout == q.stdout and p.returncode == q.returncode == 1, "--lint is lint")
        shutil.rmtree(other)
    finally:
        shutil.rmtree(tmp)
    # documents on standard input: the second and later named by their number, and nothing
    # but diagnostics on stdout (the separator lines once came out there)
    doc = open("tests/fixtures/text/en-read-more-inline.in.txt", encoding="utf-8").read()
    p = subprocess.run([BIN, "lint"], input=(doc + "\f\n" + doc).encode(), capture_output=True)
    out = p.stdout.decode().splitlines()
    check(out and all(GCC.match(l) for l in out), "stdin: only diagnostics on stdout")
    names = {GCC.match(l).group(1) for l in out if GCC.match(l)}
    check(names == {"<stdin>", "<stdin>#2"}, "stdin: documents named by number: %s" % names)
    # JSON Lines: the record's line and its id
    data = '{"id": "a1", "text": "Story.\\n\\nRead more: Another headline\\n\\nMore."}\n'
    p = subprocess.run([BIN, "lint"], input=data.encode(), capture_output=True)
    line = p.stdout.decode().strip()
    check(GCC.match(line) and "(id a1, line 3 of the field)" in line and line.startswith("<stdin>:1:"),
          "jsonl: the record's line and id: " + line)


def main():
    test_corpora()
    test_formats()
    test_walk_and_codes()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
