#!/usr/bin/env python3
"""complexity.py: complexity guards (python3 tests/complexity.py BINARY).

Each hostile shape that once cost quadratic time (issue 10 and tests/cli.sh) is cleaned at
size 1x and 4x in the same run; the CPU time of the 4x run may be at most 8 times that of the
1x run (linear work gives about 4, quadratic 16). A ratio, not an absolute time, so a slow or
busy machine does not fail it; the 1x sizes are chosen to take a tenth of a second or more,
and a floor of 0.05 s keeps start-up from deciding. Standard library only.
"""
import os
import resource
import subprocess
import sys
import tempfile

from checks import check, finish

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"
FLOOR = 0.05


def glued_posts(n):
    parts, size, i = [], 0, 0
    while size < n:
        u = ("Alpha %d goes here. Beta %d follows now. Gamma %d ends it! Post %d text here.  "
             "Jane Doe (@jane) May 1, 2019" % (i, i, i, i)).encode()
        parts.append(u)
        size += len(u)
        i += 1
    return b"".join(parts) + b"\n"


def html(body):
    return b"<!DOCTYPE html><html><body><p>Story text of the page.</p>" + body + b"</body></html>\n"


SHAPES = [
    # name, builder of about n bytes, extra arguments
    ("a line of glued posts", glued_posts, []),
    ("'(@' after blanks", lambda n: b"  (@x " * (n // 6) + b"\n", []),
    ("URLs with queries, no colon", lambda n: b"ab.cd/e?f " * (n // 10) + b"\n", []),
    ("a URL closed by brackets", lambda n: b"see http://x.com/a?b=1" + b")" * n + b"\n", []),
    ("blank lines behind a held line",
     lambda n: b"Story text long enough to be a line of the story on its own, kept.\n\nTags: a\n"
     + b"\n" * (n // 2) + b"More story text, long enough to be kept as a line of the story.\n", []),
    ("short lines", lambda n: b"Short line here.\n" * (n // 17), []),
    ("HTML: unclosed <b> under stray </i>",
     lambda n: html(b"<b>x" * (n // 8) + b"</i>" * (n // 8)), []),
    ("HTML: a long attribute value",
     lambda n: html(b'<div title="' + b"a" * n + b'">Text after.</div>'), []),
    ("HTML: an unclosed comment", lambda n: html(b"<!-- " + b"c " * (n // 2)), []),
    ("HTML: an unclosed script", lambda n: html(b"<script>" + b"var a = 1; " * (n // 11)), []),
    ("HTML: a long text run", lambda n: html(b"<p>" + b"word " * (n // 5) + b"</p>"), []),
    ("tracking URLs in one line",
     lambda n: b"see https://example.com/a?id=7&utm_source=x&utm_medium=y " * (n // 58) + b"\n", []),
    ("HTML: many attributes in one tag",
     lambda n: html(b"<div " + b'data-a="1" ' * (n // 11) + b">Text after.</div>"), []),
    ("JSON Lines: many members",
     lambda n: b'{"id": 1, ' + b'"k": [1, {"a": null}], ' * (n // 23) + b'"text": "Word."}\n',
     ["--format=jsonl"]),
    ("JSON Lines: a long field",
     lambda n: b'{"id": 1, "text": "' + b"Word and word. " * (n // 15) + b'"}\n', ["--format=jsonl"]),
]


def cpu(data, args, tmp):
    path = os.path.join(tmp, "in")
    with open(path, "wb") as f:
        f.write(data)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(path, "rb") as i:
        p = subprocess.run([BIN] + args, stdin=i, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p.returncode, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    size = int(os.environ.get("WINNOW_COMPLEXITY_BYTES", "2000000"))
    with tempfile.TemporaryDirectory(prefix="winnow-complexity.") as tmp:
        for name, build, args in SHAPES:
            rc1, t1 = cpu(build(size), args, tmp)
            rc4, t4 = cpu(build(4 * size), args, tmp)
            ratio = t4 / max(t1, FLOOR)
            print("%-40s 1x %.2f s, 4x %.2f s: %.1f" % (name, t1, t4, ratio))
            check(rc1 == 0 and rc4 == 0, "%s: exit 0 (%d, %d)" % (name, rc1, rc4))
            check(ratio <= 8, "%s: 4x the input takes %.1f times as long (at most 8)" % (name, ratio))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
