#!/usr/bin/env python3
"""jsonl.py: JSON Lines through winnow (python3 tests/jsonl.py BINARY).

Every document of tests/fixtures/text (and, when ../shared is present, of the corpora real and
authored) packed as a record among members of every kind (numbers as written, a big integer,
nested objects, unicode escapes, an escaped key), with lines that are no such records between
them. The field must come out equal to the document's gold; every other byte of a record as
it came (the bytes before and after the field's value); records with nothing to remove byte
for byte; the other lines passed through (or dropped) and reported. Standard library only.
"""
import glob
import json
import os
import re
import subprocess
import sys

from checks import check, finish, norm

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"



def documents():
    sets = [("fixtures", "tests/fixtures/text")]
    for name in ("real", "authored"):
        d = os.path.join("..", "shared", "corpus", name)
        if os.path.isdir(d):
            sets.append((name, d))
        else:
            print("jsonl: ../shared/corpus/%s: skipped (not present)" % name)
    docs = []
    for name, d in sets:
        for src in sorted(glob.glob(os.path.join(d, "*.in.txt"))):
            gold = src[: -len(".in.txt")] + ".gold.txt"
            if not os.path.exists(gold):
                continue
            with open(src, encoding="utf-8", newline="") as f:
                text = f.read()
            with open(gold, encoding="utf-8", newline="") as f:
                want = f.read()
            # the field must come out as the file does through the command, byte for byte,
            # and (where the command meets the gold) equal to the gold as golden.sh compares
            cli = subprocess.run([BIN, src], capture_output=True).stdout.decode("utf-8")
            docs.append((name + "/" + os.path.basename(src), text, cli, norm(cli) == norm(want)))
    return docs



# Lines that are no records to clean: what winnow must say of each (None: nothing).
INVALID = [
    ("not json at all", "not JSON"),
    ('{"id": 1, "body": "no text member"}', 'no field "text"'),
    ('{"id": 2, "text": 5}', 'field "text" is not a string'),
    ("[1, 2, 3]", "not JSON"),
    ("", None),
]


def record(k, text):
    """(prefix, encoded field, suffix) of record k: the members around the field vary."""
    key = '"te\\u0078t"' if k % 5 == 3 else '"text"'  # an escaped key names it too
    value = json.dumps(text, ensure_ascii=(k % 2 == 0))
    if k % 3 == 0:  # the field first
        return "{%s: " % key, value, ', "id": %d, "n": 1.50, "e": 1E3}' % k
    prefix = '{"id": "doc-%d", "n": 1.50, "big": 123456789012345678901234567890, ' % k
    prefix += '"nested": {"text": "not this one", "a": [1e-3, "\\u00e9\\ud83d\\ude00", null]}, '
    prefix += key + ":  "
    return prefix, value, ' , "tail": "\\/ \\u2028 caf\u00e9"}'


def run(args, data):
    p = subprocess.run([BIN] + args, input=data.encode(), capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    docs = documents()
    check(len(docs) >= 40, "jsonl: at least 40 documents (%d)" % len(docs))
    lines, expect = [], []  # expect: ("record", prefix, suffix, gold, input) or ("other", ...)
    meets = sum(1 for d in docs if d[3])
    check(meets * 100 >= len(docs) * 95,
          "jsonl: the command meets the gold (%d of %d, 95%% asked)" % (meets, len(docs)))
    for k, (name, text, want, _) in enumerate(docs):
        prefix, value, suffix = record(k, text)
        lines.append(prefix + value + suffix)
        expect.append(("record", prefix, suffix, want, text, name))
        if k % 7 == 0:
            bad, msg = INVALID[(k // 7) % len(INVALID)]
            lines.append(bad)
            expect.append(("other", bad, msg))
    data = "\n".join(lines) + "\n"
    for args in ([], ["--format=jsonl"]):  # told by the input's start, and said
        rc, out, err = run(args, data)
        tag = "jsonl %s:" % (" ".join(args) or "auto")
        check(rc == 0, tag + " exit 0 (%d)" % rc)
        got = out.split("\n")
        check(got[-1] == "" and len(got) - 1 == len(lines), tag + " one line out per line in")
        reports = err.splitlines()
        for no, (line, e) in enumerate(zip(got, expect), 1):
            if e[0] == "other":
                check(line == e[1], tag + " line %d passes as it came" % no)
                if e[2]:
                    check("<stdin>:%d: %s" % (no, e[2]) in reports, tag + " line %d reported" % no)
                continue
            _, prefix, suffix, want, text, name = e
            ok = line.startswith(prefix) and line.endswith(suffix)
            check(ok, tag + " %s: the bytes around the field as they came" % name)
            if not ok:
                continue
            field = json.loads(line[len(prefix) : len(line) - len(suffix)])
            check(field == want, tag + " %s: the field as the command cleans the file" % name)
            if want == text:
                check(line == lines[no - 1], tag + " %s: nothing removed, byte for byte" % name)
            inp, outp = json.loads(lines[no - 1]), json.loads(line)
            inp.pop("text"), outp.pop("text")
            check(inp == outp, tag + " %s: every other member equal" % name)
    # --drop-invalid: only the records
    rc, out, _ = run(["--drop-invalid"], data)
    check(out.count("\n") == len(docs), "jsonl --drop-invalid: the records only")
    # --explain names the record's line and its id
    rc, out, err = run(["-e"], data)
    pat = re.compile(r'^<stdin>:(\d+):\d+: [a-z0-9-]+: removed ".*" \(id [^,]+, line \d+ of the field\)$')
    removals = [l for l in err.splitlines() if "removed" in l]
    check(removals and all(pat.match(l) for l in removals), "jsonl -e: reports name the record")
    changed = {no for no, e in enumerate(expect, 1) if e[0] == "record" and e[3] != e[4]}
    named = {int(pat.match(l).group(1)) for l in removals if pat.match(l)}
    check(named <= changed and len(named) >= len(changed) * 9 // 10,
          "jsonl -e: the records reported are those that change (%d of %d)" % (len(named), len(changed)))
    # a text document is not taken for JSON Lines
    rc, out, _ = run([], "{not json} at the start of a text\nRead more: A headline\n\nStory.\n")
    check(out.startswith("{not json}"), "jsonl: text that starts with '{' stays text")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
