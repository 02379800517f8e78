#!/usr/bin/env python3
"""encodings.py: HTML pages in other encodings (python3 tests/encodings.py BINARY).

A page labelled big5, shift_jis, gbk, euc-kr, euc-jp or iso-2022-jp, of 201 paragraphs, with a
byte its encoding has no character for before paragraph 100 (and, in a second page, bytes
cut by the 16 KiB blocks libxml2 is fed in): every paragraph comes out (it lost the 101 after
the byte), the byte as U+FFFD, `--explain` names it (`html-encoding-error`, at its line and
column in the page), and nothing of libxml2's reaches stderr; likewise a UTF-16 page with a
lone surrogate, and invalid bytes under other labels, as pages and as JSON Lines fields.
Standard library only.
"""
import subprocess
import sys

from checks import check, finish

BIN = sys.argv[1] if len(sys.argv) > 1 else "./winnow"

PAGES = [
    ("shift_jis", "shift_jis", "第%d段落の本文です。東京で会議が開かれた。"),
    ("euc_jp", "euc-jp", "第%d段落の本文です。東京で会議が開かれた。"),
    ("iso2022_jp", "iso-2022-jp", "第%d段落の本文です。東京で会議が開かれた。"),
    ("gbk", "gbk", "第%d段。会议在北京举行，代表们讨论了预算。"),
    ("big5", "big5", "第%d段。會議在台北舉行，代表們討論了預算。"),
    ("euc_kr", "euc-kr", "제%d 단락입니다. 서울에서 회의가 열렸다."),
]


def page(codec, label, text, n, bad_at):
    head = '<!DOCTYPE html><html><head><meta charset="%s"></head><body>\n' % label
    body = b"".join(("<p>" + text % i + "</p>\n").encode(codec) for i in range(n))
    raw = head.encode(codec) + body + b"</body></html>\n"
    mark = ("<p>" + text % bad_at).encode(codec)
    i = raw.index(mark)
    return raw[:i] + b"\xff" + raw[i:], i


def main():
    for codec, label, text in PAGES:
        for n in (201, 3000):  # one block, and many (characters cut by the blocks' ends)
            raw, at = page(codec, label, text, n, n // 2)
            p = subprocess.run([BIN, "-e"], input=raw, capture_output=True)
            out = p.stdout.decode("utf-8")
            lines = [l for l in out.split("\n") if l]
            got = sum(1 for i in range(n) if (text % i) in out)
            check(p.returncode == 0, "%s, %d paragraphs: exit 0" % (label, n))
            check(got == n, "%s, %d paragraphs: all come out (%d)" % (label, n, got))
            check("\ufffd" in out, "%s: the bad byte shows as U+FFFD" % label)
            line = raw.count(b"\n", 0, at) + 1
            col = at - (raw.rfind(b"\n", 0, at) + 1) + 1
            want = "<stdin>:%d:%d: html-encoding-error: removed \"1 byte not %s" % (line, col, label)
            err = p.stderr.decode("utf-8", "replace")
            check(want in err, "%s: --explain names the byte at %d:%d (%s)" % (label, line, col, err[:200]))
            check("encoding error" not in err, "%s: nothing of libxml2's on stderr" % label)
            check(len(lines) >= n, "%s: a line a paragraph" % label)
    # UTF-16 pages (byte order mark first) are told as HTML without --format (they were not)
    u16 = ("<!DOCTYPE html><html><body><p>Story text of a UTF-16 page, kept.</p>"
            '<div class="share-bar">Share on X</div></body></html>\n')
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        p = subprocess.run([BIN], input=bom + u16.encode(codec), capture_output=True)
        check(p.stdout == b"Story text of a UTF-16 page, kept.\n",
              "%s: told as HTML and cleaned (%r)" % (codec, p.stdout[:60]))
    # A lone surrogate in a UTF-16 page: libxml2's decoder printed "encoding error" and "I/O
    # error" on stderr and lost the rest of the page; now one U+FFFD a code unit, reported.
    story = "".join("<p>Paragraph %d of the UTF-16 story.</p>\n" % i for i in range(300))
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        for bad in ("\ud800", "\udc00", "\ud800\ud800"):
            doc = ("<!DOCTYPE html><html><body><p>Before %s after.</p>\n" % bad + story +
                    "</body></html>\n")
            p = subprocess.run([BIN, "--explain"], input=bom + doc.encode(codec, "surrogatepass"),
                               capture_output=True)
            out = p.stdout.decode("utf-8")
            what = "%s, lone surrogate %r" % (codec, bad)
            check(p.returncode == 0, what + ": exit 0")
            check("Before %s after." % ("\ufffd" * len(bad)) in out, what + ": U+FFFD a code unit")
            check(all("Paragraph %d of" % i in out for i in range(300)), what + ": the rest kept")
            err = p.stderr.decode("utf-8", "replace")
            label = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
            check("html-encoding-error: removed \"%d bytes not %s" % (2 * len(bad), label) in err,
                  what + ": --explain names it (%s)" % err[-200:])
            check(all(l.startswith("<stdin>:") for l in err.splitlines()),
                  what + ": nothing but winnow's own lines on stderr (%r)" % err[:200])
    # Invalid bytes in pages labelled UTF-8 and others, as a page and as a JSON Lines field:
    # libxml2 says nothing on stderr.
    for label in ("utf-8", "windows-1252", "iso-8859-2", "koi8-r", "shift_jis", "gbk", "x-bogus"):
        for bad in (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80\xfe"):
            doc = (b'<!DOCTYPE html><html><head><meta charset="' + label.encode() +
                    b'"><title>T' + bad + b'</title></head><body><p class="a' + bad + b'">A ' +
                    bad + b" b.</p>\n" + b"<p>More text.</p>\n" * 2000 + b"</body></html>\n")
            p = subprocess.run([BIN, "--format", "html"], input=doc, capture_output=True)
            check(p.returncode == 0 and p.stderr == b"",
                  "%s %r, --format html: stderr empty (%r)" % (label, bad, p.stderr[:200]))
            field = doc.decode("latin-1").replace("\\", "\\\\").replace('"', '\\"')
            line = ('{"id": 1, "text": "%s"}\n' % field.replace("\n", "\\n")).encode("utf-8")
            p = subprocess.run([BIN, "--field-format", "html"], input=line, capture_output=True)
            check(p.returncode == 0 and p.stderr == b"",
                  "%s %r, JSON Lines html field: stderr empty (%r)" % (label, bad, p.stderr[:200]))
    # UTF-7 is not read (browsers do not: it hid scripts from filters); its bytes stay as text
    raw = (b'<!DOCTYPE html><html><head><meta charset="utf-7"></head><body>'
           b"<p>+ADw-b+AD4-Story text.</p></body></html>\n")
    p = subprocess.run([BIN], input=raw, capture_output=True)
    check(p.stdout == b"+ADw-b+AD4-Story text.\n", "utf-7: not decoded (%r)" % p.stdout)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
