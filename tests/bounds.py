#!/usr/bin/env python3
"""bounds.py: resource bounds (python3 tests/bounds.py BINARY), as the README states them.

Each hostile input is piped to winnow (nothing written to disk) by a fresh Python process that
reports the peak RSS of that winnow alone (getrusage of its only child); the output is checked
too. The 100 MB line and 10 million blank lines behind a held line are in tests/cli.sh.
Standard library only.
"""
import json
import os
import subprocess
import sys
import tempfile

from checks import check, finish

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"

# Runs BIN ARGS with the bytes the generator yields on stdin; prints peak RSS (MB), the exit
# status, the output's size and its last 200 bytes (as JSON).
RUNNER = r"""
import json, resource, subprocess, sys, threading
args, gen = json.loads(sys.argv[1]), sys.argv[2]
p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def feed():
    env = {}
    exec(gen, env)
    for piece in env["pieces"]():
        p.stdin.write(piece)
    p.stdin.close()
t = threading.Thread(target=feed)
t.start()
size, tail = 0, b""
while True:
    b = p.stdout.read(1 << 20)
    if not b:
        break
    size += len(b)
    tail = (tail + b)[-200:]
t.join()
rc = p.wait()
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(json.dumps([rss, rc, size, tail.decode("utf-8", "replace")]))
"""

STORY = "b'Story text long enough to be a line of the story on its own, and kept as one.\\n'"
HTML = "b'<!DOCTYPE html><html><body><p>Story text of the page.</p>'"

CASES = [
    # name, arguments, generator body (defines pieces()), peak RSS bound (MB), output check
    ("10 million short lines", [],
     "def pieces():\n    yield " + STORY + "\n    for _ in range(1000):\n"
     "        yield b'Short line here.\\n' * 10000\n",
     32, lambda size, tail: size == 78 + 170000000),
    # one line is decided when it has ended, so it is held whole: about its size, no more
    ("a 1 GB single line", [],
     "def pieces():\n    for _ in range(1024):\n        yield b'word ' * 209715 + b'w' * 5\n"
     "    yield b'\\n'\n",
     1300, lambda size, tail: size == 1024 * (209715 * 5 + 5) + 1),
    # the links stage writes a line as it makes it: 100 tracking URLs cleaned cost no copy
    ("a 100 MB line with 100 tracking URLs", [],
     "def pieces():\n    for _ in range(100):\n        yield b'word ' * 200000"
     " + b' https://example.com/story?id=7&utm_source=tw&utm_medium=social '\n"
     "    yield b'\\n'\n",
     150, lambda size, tail: size == 100 * (1000000 + 32) + 1 and "utm_" not in tail),
    # a start tag's quoted values past 256 KiB are skipped: an inline image costs no copies
    ("a start tag with a 50 MB attribute value", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<p title=\"'\n    for _ in range(50):\n"
     "        yield b'word ' * 200000\n    yield b'\">After the tag.</p>\\n'\n",
     48, lambda size, tail: tail.endswith("After the tag.\n")),
    # a run of text with no tag is held until its end, as a line is: about its size
    ("a 50 MB run of text with no tag", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<p>'\n    for _ in range(50):\n"
     "        yield b'word ' * 200000\n    yield b'</p>\\n'\n",
     90, lambda size, tail: size > 50000000),
    ("a 100,000-deep HTML page", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<div>' * 100000 + b'<p>Deep text.</p>'"
     " + b'</div>' * 100000 + b'</body></html>\\n'\n",
     48, lambda size, tail: tail.endswith("Deep text.\n")),
    ("an unclosed comment of 50 MB", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<!-- '\n    for _ in range(50):\n"
     "        yield b'c ' * 500000\n",
     48, lambda size, tail: tail == "Story text of the page.\n"),
    ("an unclosed script of 50 MB", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<script>'\n    for _ in range(50):\n"
     "        yield b'var a = 1; ' * 90909\n",
     48, lambda size, tail: tail == "Story text of the page.\n"),
    ("a closed comment of 50 MB, text after it", ["--format=html"],
     "def pieces():\n    yield " + HTML + " + b'<!-- '\n    for _ in range(50):\n"
     "        yield b'c - > -- ' * 111111\n    yield b'--><p>After the comment.</p>\\n'\n",
     48, lambda size, tail: tail.endswith("After the comment.\n")),
]


def measure(args, gen):
    p = subprocess.run([sys.executable, "-c", RUNNER, json.dumps([BIN] + args), gen],
                       capture_output=True, timeout=600)
    return json.loads(p.stdout.decode() or "[9999, -1, 0, \"\"]")


def cut_tag_positions():
    """Positions in the page stay right past a start tag whose values were cut short."""
    big = "x" * 1000000
    post = ('<blockquote class="twitter-tweet"%s><p>Post text</p>&mdash; A (@a) '
            '<a href="https://twitter.com/a/status/1">May 1, 2020</a></blockquote>\n')
    for name, page in (
            ("before the embed", '<html><body><p title="%s">Story text, kept.</p>\n' % big
             + post % "" + "<p>More story.</p></body></html>\n"),
            ("on the embed", "<html><body><p>Story text, kept.</p>\n"
             + post % (' data-big="%s"' % big) + "<p>More story.</p></body></html>\n")):
        with tempfile.TemporaryDirectory() as d:
            src, rep = os.path.join(d, "page.html"), os.path.join(d, "page.report")
            with open(src, "w") as f:
                f.write(page)
            subprocess.run([BIN, "--format=html", "--report", rep, src], capture_output=True)
            found = [json.loads(l) for l in open(rep) if '"html-social-embed"' in l]
            at = page.index("<blockquote")
            length = page.index("</blockquote>") + len("</blockquote>") - at
            check(len(found) == 1 and found[0].get("offset") == at
                  and found[0].get("length") == length,
                  "a 1 MB attribute %s: the embed reported at %d, %d bytes (%s)"
                  % (name, at, length, [(r.get("offset"), r.get("length")) for r in found]))


def main():
    cut_tag_positions()
    for name, args, gen, bound, ok in CASES:
        rss, rc, size, tail = measure(args, gen)
        print("%-44s peak RSS %d MB (bound %d)" % (name, rss, bound))
        check(rc == 0 and ok(size, tail), "%s: exit 0 and the output expected (%d, %d bytes)"
              % (name, rc, size))
        check(rss <= bound, "%s: peak RSS %d MB, at most %d" % (name, rss, bound))
    # 100,000 rules: loaded, compiled and used; the bound is the rules' own (about 2 KiB each)
    with tempfile.NamedTemporaryFile("w", suffix=".rules", delete=False) as f:
        for i in range(100000):
            f.write("[site-promo-%d]\nkind = drop-line\npattern = Promo%d: [^\\n]{1,80}$\n\n" % (i, i))
        path = f.name
    try:
        gen = ("def pieces():\n    yield " + STORY + " + b'Promo99999: buy now\\n' + "
               + STORY.replace("Story", "Other") + "\n")
        rss, rc, size, tail = measure(["--rules=" + path], gen)
        print("%-44s peak RSS %d MB (bound 400)" % ("a 100,000-rule file", rss))
        check(rc == 0 and "Promo" not in tail and size == 2 * 78,
              "100,000 rules: the last one applies (%d bytes)" % size)
        check(rss <= 400, "100,000 rules: peak RSS %d MB, at most 400" % rss)
    finally:
        os.unlink(path)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
