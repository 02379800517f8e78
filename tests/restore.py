#!/usr/bin/env python3
"""restore.py: the lossless report (python3 tests/restore.py BINARY).

`winnow --report R` then `winnow restore --report R OUTPUT` must give back every input byte
for byte: every case of tests/cases (with its own options), every document of tests/fixtures
and, when ../shared is present, of the corpora (one at a time, all in one run of several
FILEs, as a stream split by form feeds or NUL bytes, with CRLF line ends, as JSON Lines with
invalid lines kept or dropped, under --max-removal, --links=strip and --embeds=keep).
--report must not change the output. A report that is not the output's is refused (exit 2),
as is an HTML document (its output is the page's text). For HTML pages (tests/fixtures/html
and ../shared/corpus/html) every social embed, found here by its markup, lies within a
removal's byte range in the page, named by its rule and kind, with the page's line and column
of that range's start. Standard library only.
"""
import glob
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402  (the case files' parser)

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"
TMP = tempfile.mkdtemp(prefix="winnow-restore.")
REPORT = os.path.join(TMP, "report.jsonl")
OUT = os.path.join(TMP, "out")


def clean(args, data=None, files=()):
    """winnow ARGS FILES (data on stdin) with --report: (status, output, report records)."""
    if os.path.exists(REPORT):
        os.unlink(REPORT)
    p = subprocess.run([BIN, "--report=" + REPORT] + list(args) + list(files), input=data,
                       capture_output=True, env=ENV)
    with open(OUT, "wb") as f:
        f.write(p.stdout)
    records = []
    if os.path.exists(REPORT):
        with open(REPORT, encoding="utf-8") as f:
            records = [json.loads(l) for l in f]
    return p.returncode, p.stdout, records


def restore(report=None, output=None):
    p = subprocess.run([BIN, "restore", "--report=" + (report or REPORT), output or OUT],
                       capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def round_trip(tag, args, want, data=None, files=()):
    """Cleans, restores, and checks the input comes back; returns the report's records."""
    rc, out, records = clean(args, data, files)
    check(rc == 0, "%s: winnow --report exit 0 (%d)" % (tag, rc))
    plain = subprocess.run([BIN] + list(args) + list(files), input=data, capture_output=True,
                           env=ENV).stdout
    check(plain == out, "%s: --report leaves the output as it was" % tag)
    rc, back, err = restore()
    check(rc == 0 and back == want,
          "%s: restored byte for byte (exit %d, %d of %d bytes) %s" % (tag, rc, len(back),
                                                                      len(want), err.strip()))
    return records


def corpus_files():
    files = sorted(glob.glob("tests/fixtures/text/*.in.txt")) + ["tests/fixtures/demo/sample-article.txt"]
    for name in ("seed", "real", "authored"):
        d = os.path.join("..", "shared", "corpus", name)
        if os.path.isdir(d):
            files += sorted(glob.glob(os.path.join(d, "*.in.txt")))
        else:
            print("restore: ../shared/corpus/%s: skipped (not present)" % name)
    return files


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check_cases():
    """Every case of tests/cases, with its options: the input comes back."""
    n = 0
    for path in cases.find_files([os.path.join("tests", "cases")]):
        for case in cases.parse_file(path):
            data = cases.block_bytes(case, "in")
            if case.exit != 0 or data.lstrip()[:1] == b"<":
                continue  # usage errors and HTML pages have no text to give back
            round_trip("case %r" % case.title, case.args, data, data=data)
            n += 1
    check(n >= 150, "restore: the cases tried (%d)" % n)


def check_documents(files):
    removed = 0
    for path in files:
        records = round_trip(path, [], read(path), files=[path])
        removed += sum(1 for r in records if r["type"] == "removal")
        docs = [r for r in records if r["type"] == "document"]
        check(len(docs) == 1 and docs[0]["in_bytes"] == len(read(path)),
              "%s: one document record, its size the file's" % path)
    check(removed > 100, "restore: the documents had removals to give back (%d)" % removed)


def check_batches(files):
    # several FILEs: each comes back followed by the separator the output has after it
    rc, out, records = clean([], files=files)
    seps = [r["sep_out"].encode() for r in records if r["type"] == "document"]
    check(len(seps) == len(files) and all(s in (b"\f\n", b"\n\f\n") for s in seps),
          "all files in one run: a document record each, the separator after it")
    want = b"".join(read(p) + s for p, s in zip(files, seps))
    round_trip("all files in one run", [], want, files=files)
    for sep in (b"\f\n", b"\f\r\n"):
        stream = sep.join(read(p) for p in files)
        round_trip("a stream split by %r" % sep, [], stream, data=stream)
    stream = b"\0".join(read(p) for p in files)
    round_trip("a stream split by NUL (-z)", ["-z"], stream, data=stream)
    crlf = b"\f\r\n".join(read(p).replace(b"\n", b"\r\n") for p in files)
    round_trip("CRLF line ends", [], crlf, data=crlf)
    for args in (["--max-removal=0.05"], ["--links=strip"], ["--embeds=keep"], ["--links=keep"]):
        round_trip("a stream with %s" % " ".join(args), args, stream, data=stream, )
    # a line that no newline ends, blank lines at both ends, a document of nothing
    odd = b"\n\n  \nTitle\n\nREAD MORE: A headline here\n\n\n\nStory text.  \n\t\n\f\n\f\nLast"
    round_trip("blank lines, empty documents, no final newline", [], odd, data=odd)


def check_in_place(files):
    """-i with --report: each file restored from itself with --file."""
    d = os.path.join(TMP, "inplace")
    os.mkdir(d)
    names = []
    for k, p in enumerate(files[:12]):
        names.append(os.path.join(d, "%02d.txt" % k))
        shutil.copyfile(p, names[-1])
    p = subprocess.run([BIN, "-i", "--report=" + REPORT] + names, capture_output=True, env=ENV)
    check(p.returncode == 0, "-i --report: exit 0")
    for k, name in enumerate(names):
        q = subprocess.run([BIN, "restore", "--report=" + REPORT, "--file=" + name, name],
                           capture_output=True)
        check(q.returncode == 0 and q.stdout == read(files[k]),
              "-i: %s restored from itself with --file (%s)" % (name, q.stderr.decode().strip()))


def jsonl_lines(files):
    lines = []
    for k, path in enumerate(files):
        text = read(path).decode("utf-8")
        # escapes the cleaner does not write (\u00e9, \/): the record's value is given whole
        value = json.dumps(text, ensure_ascii=(k % 2 == 0))
        if k % 3 == 0:
            value = value.replace("/", "\\/")
        lines.append('{"id": %d, "n": 1.50, "text": %s, "tail": "\\u2028"}' % (k, value))
        if k % 5 == 0:
            lines.append("not json, line %d" % k)
    return ("\n".join(lines) + "\n").encode()


def check_jsonl(files):
    data = jsonl_lines(files)
    records = round_trip("JSON Lines", ["--format=jsonl"], data, data=data)
    edits = [r for r in records if r["type"] == "edit" and r["stage"] == "record"]
    check(any("raw" in r for r in edits) and any("raw" not in r for r in edits),
          "JSON Lines: fields had back from their edits, and given whole where escapes differ")
    round_trip("JSON Lines --drop-invalid", ["--format=jsonl", "--drop-invalid"], data, data=data)
    last = data.rstrip(b"\n")  # no newline after the last record
    round_trip("JSON Lines, no final newline", ["--format=jsonl"], last, data=last)


def check_refusals(files):
    path = next(p for p in files if "sample-article" in p)
    clean([], files=[path])
    out = read(OUT)
    with open(OUT, "wb") as f:
        f.write(out.replace(b"e", b"E", 1))
    rc, back, err = restore()
    check(rc == 2 and "winnow: restore:" in err, "a changed output is refused (%d: %s)" % (rc, err.strip()))
    with open(OUT, "wb") as f:
        f.write(out + b"more")
    rc, back, err = restore()
    check(rc == 2 and "goes on past" in err, "an output longer than the report is refused")
    page = b"<!DOCTYPE html><html><body><p>Story text of the page.</p></body></html>\n"
    clean([], data=page)
    rc, back, err = restore()
    check(rc == 2 and "HTML" in err, "an HTML document is refused (%s)" % err.strip())
    rc, _, err = restore(report=os.path.join(TMP, "none"))
    check(rc == 2 and "none" in err, "a missing report: exit 2")
    p = subprocess.run([BIN, "restore"], capture_output=True)
    check(p.returncode == 2 and b"--report" in p.stderr, "restore without --report: usage, exit 2")


EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "embed-twitter", "fb-post")
EMBED_HOSTS = ("youtube.com/embed", "twitter.com", "instagram.com", "tiktok.com", "facebook.com")


class Embeds(html.parser.HTMLParser):
    """The byte offsets of the social embeds of a page read as Latin-1 (one character a byte):
    elements with an embed's class, iframes of a social host."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.starts, self.found = [0], []
        for line in page.split("\n"):
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        src = a.get("src") or ""
        if any(c in classes for c in EMBED_CLASSES) or (
                tag == "iframe" and any(h in src for h in EMBED_HOSTS)):
            line, col = self.getpos()
            self.found.append((self.starts[line - 1] + col, tag, " ".join(classes) or src))


def check_html():
    pages = sorted(glob.glob("tests/fixtures/html/*.html"))
    d = os.path.join("..", "shared", "corpus", "html")
    if os.path.isdir(d):
        pages += sorted(glob.glob(os.path.join(d, "*.html")))
    else:
        print("restore: ../shared/corpus/html: skipped (not present)")
    total = 0
    for page in pages:
        raw = read(page)
        rc, out, records = clean([], files=[page])
        check(rc == 0, "%s: --report exit 0" % page)
        removals = [r for r in records if r["type"] == "removal"]
        text = raw.decode("latin-1")
        for off, tag, what in Embeds(text).found:
            total += 1
            hit = [r for r in removals if r["offset"] <= off < r["offset"] + r["length"]]
            check(hit and hit[0].get("kind", "").startswith("html-"),
                  "%s: the embed <%s %s> at byte %d is in a removal of the report" % (page, tag, what, off))
        for r in removals:  # each removal's line and column are those of its offset
            o = r["offset"]
            line = raw.count(b"\n", 0, o) + 1
            col = o - (raw.rfind(b"\n", 0, o) + 1) + 1
            check((r["line"], r["col"]) == (line, col),
                  "%s: %s at byte %d: line %d col %d, not %d:%d" % (page, r["rule"], o, r["line"],
                                                                  r["col"], line, col))
        blocks = [r for r in removals if r.get("kind", "").startswith("html-")]
        check(all(raw[r["offset"]:r["offset"] + 1] == b"<" for r in blocks),
              "%s: each dropped block's range starts at its tag's '<'" % page)
    check(total >= 3, "restore: embeds found in the pages (%d)" % total)
    # what the learn rules read: the fixture's tweet and Instagram post, its read-more line
    rc, out, records = clean([], files=["tests/fixtures/html/embeds.html"])
    learned = [r.get("learned", {}) for r in records if r["type"] == "removal"]
    check({"handle": "MayorMarsh", "author": "Ellen Marsh", "date": "March 12, 2024",
           "media": ["pic.twitter.com/Ab12Cd34"], "platform": "twitter"} in learned,
          "html: the tweet's author, handle, date, media and platform are learned (%s)" % learned)
    check({"handle": "portaverynews", "platform": "instagram"} in learned,
          "html: the Instagram post's handle and platform are learned")
    check({"headline": "Port Avery ferry fares to rise in spring"} in learned,
          "html: the read-more line's headline is learned")


def check_learned():
    """The learn rules over a text document: a post's parts, a footer's source, headlines."""
    doc = ("Council delays bridge vote\n\nThe council postponed its vote on Tuesday, and the "
           "mayor answered at once, as she often does.\n\nThe vote is off again.\n"
           "https://t.co/Ab12Cd34 pic.twitter.com/Xy12\n"
           "\u2014 Ellen Marsh (@MayorMarsh) March 12, 2024\n\n"
           "READ MORE: Ferry fares to rise\n\nMore story text, long enough to be the story's "
           "own and kept.\n\nSource: Reuters and agencies\n").encode()
    records = round_trip("learned", [], doc, data=doc)
    learned = {}
    for r in records:
        if r["type"] == "removal":
            for k, v in r.get("learned", {}).items():
                learned.setdefault(k, v)
    want = {"handle": "MayorMarsh", "author": "Ellen Marsh", "date": "March 12, 2024",
            "platform": "twitter", "short_links": ["https://t.co/Ab12Cd34"],
            "media": ["pic.twitter.com/Xy12"], "headline": "Ferry fares to rise",
            "source": "Reuters and agencies"}
    for k, v in want.items():
        check(learned.get(k) == v, "learned %s: %r, not %r" % (k, learned.get(k), v))


def main():
    files = corpus_files()
    check_html()
    check_learned()
    check_cases()
    check_documents(files)
    check_batches(files)
    check_jsonl(files)
    check_in_place(files)
    check_refusals(files)
    return finish()


if __name__ == "__main__":
    ENV = dict(os.environ, XDG_CACHE_HOME=TMP)
    try:
        rc = main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(rc)
