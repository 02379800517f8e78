#!/usr/bin/env python3
"""bench_corpus.py KIND OUT MB SEED SRC: one corpus of tests/bench.sh (run by it; python3 only).

Every corpus is one stream of documents separated by form-feed lines ("\\f\\n"), as winnow
reads them on standard input, of at least MB MiB (the line: exactly MB MiB and one newline).
It is written to OUT.tmp and renamed to OUT. Deterministic for a given SEED and SRC.

KIND:
  reallike  boilerplate-dense real-like text (SRC: tests/fixtures/text): each document is a
            fixture's boilerplate-bearing body, in order (so each embed, list and footer stays
            whole), with 1-5 story paragraphs of news length (150-700 bytes, made of the
            fixtures' kept sentences) spliced in before its last block. The mix is set so that
            winnow removes about as much as it does on ../shared/corpus/real (12% of the
            bytes, a quarter of the lines) and documents are as long (2-3 KB).
  clean     article text only (SRC: tests/fixtures/text): paragraphs of 150-700 bytes made of
            consecutive lines of the fixtures' gold files (their lines are article text), in
            documents of 3-8 KB under a gold file's title; winnow should remove nothing.
  real      the documents of SRC/*.in.txt (../shared/corpus/real, read in place), in name
            order, repeated.
  stress    every paragraph a fixture's (SRC: tests/fixtures/text): a fixture's body with 0-5
            blocks of other fixtures spliced in; mean line ~40 bytes (a stress case).
  line      one line of story words with a short link now and then (SRC: the fixtures).
"""
import os
import random
import sys

kind, out, mb, seed, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = random.Random(seed)
target = mb * 1024 * 1024


def read(path):
    return open(path, 'rb').read().replace(b'\r\n', b'\n')


def files(suffix):
    return [os.path.join(src, fn) for fn in sorted(os.listdir(src)) if fn.endswith(suffix)]


def blocks(lines):
    """Paragraph blocks: runs of non-blank lines."""
    res, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln)
        elif cur:
            res.append(cur)
            cur = []
    if cur:
        res.append(cur)
    return res


def write_docs(make_doc):
    """Writes documents from make_doc() until the size is reached, separated by form feeds."""
    size = 0
    with open(out + '.tmp', 'wb') as f:
        buf, n = [], 0
        while size < target:
            doc = make_doc()
            if size:
                doc = b'\f\n' + doc
            buf.append(doc)
            size += len(doc)
            n += len(doc)
            if n >= 1 << 20:
                f.write(b''.join(buf))
                buf, n = [], 0
        f.write(b''.join(buf))
    os.replace(out + '.tmp', out)


def fixtures():
    docs = [read(p).rstrip(b'\n').split(b'\n') for p in files('.in.txt')]
    return [d[0] for d in docs], [blocks(d[1:]) for d in docs], docs


def gold_lines():
    """Non-blank lines of every gold file, without its title (first line), per file."""
    res = []
    for p in files('.gold.txt'):
        lines = read(p).split(b'\n')
        body = [ln for ln in lines[1:] if ln.strip()]
        if body:
            res.append((lines[0], body))
    return res


def sentences():
    """Story sentences: the gold files' kept lines that read as prose."""
    res = []
    for _, body in gold_lines():
        for ln in body:
            ln = ln.strip()
            if len(ln) > 60 and ln[-1:] in b'.!?"' and b'(@' not in ln and b'http' not in ln:
                res.append(ln)
    return res


def reallike():
    titles, bodies, _ = fixtures()
    sent = sentences()

    def paragraph():
        # news paragraphs run 1-4 sentences, 150-700 bytes
        p, want = [], rng.randrange(150, 700)
        while sum(len(x) + 1 for x in p) < want:
            p.append(sent[rng.randrange(len(sent))])
        return b' '.join(p)

    def doc():
        main = bodies[rng.randrange(len(bodies))]
        extra = [[paragraph()] for _ in range(rng.randrange(1, 6))]
        cut = rng.randrange(len(extra) + 1)
        d = extra[:cut] + main[:-1] + extra[cut:] + main[-1:]
        return titles[rng.randrange(len(titles))] + b'\n\n' + b''.join(b'\n'.join(b) + b'\n\n' for b in d)
    write_docs(doc)


def clean():
    gold = gold_lines()

    def paragraph():
        _, body = gold[rng.randrange(len(gold))]
        i, p, want = rng.randrange(len(body)), [], rng.randrange(150, 700)
        while sum(len(x) + 1 for x in p) < want:
            p.append(body[i % len(body)].strip())
            i += 1
        return b' '.join(p)

    def doc():
        title = gold[rng.randrange(len(gold))][0]
        parts, want, n = [title + b'\n\n'], rng.randrange(3000, 8000), 0
        while n < want:
            p = paragraph() + b'\n\n'
            parts.append(p)
            n += len(p)
        return b''.join(parts)
    write_docs(doc)


def real():
    docs = []
    for p in files('.in.txt'):
        b = open(p, 'rb').read()
        # a document must not contain the separator line itself; none of the real ones does
        assert b'\n\f\n' not in b and not b.startswith(b'\f\n'), p
        docs.append(b if b.endswith(b'\n') else b + b'\n')
    it = [0]

    def doc():
        d = docs[it[0] % len(docs)]
        it[0] += 1
        return d
    write_docs(doc)


def stress():
    titles, bodies, _ = fixtures()

    def doc():
        main = bodies[rng.randrange(len(bodies))]
        extra = []
        for _ in range(rng.randrange(0, 6)):
            b = bodies[rng.randrange(len(bodies))]
            if len(b) > 1:
                extra.append(b[rng.randrange(len(b) - 1)])
        cut = rng.randrange(len(extra) + 1)
        d = extra[:cut] + main[:-1] + extra[cut:] + main[-1:]
        return titles[rng.randrange(len(titles))] + b'\n\n' + b''.join(b'\n'.join(b) + b'\n\n' for b in d)
    write_docs(doc)


def line():
    _, _, docs = fixtures()
    words = [w for d in docs for ln in d[1:] for w in ln.split() if b'(@' not in w]
    with open(out + '.tmp', 'wb') as f:
        size, buf = 0, []
        while size < target:
            w = words[rng.randrange(len(words))]
            if rng.randrange(2000) == 0:
                w = b'https://t.co/' + b'%08x' % rng.randrange(1 << 32)
            buf.append(w)
            size += len(w) + 1
            if len(buf) >= 65536:
                f.write(b' '.join(buf) + b' ')
                buf = []
        f.write(b' '.join(buf) + b'\n')
    os.replace(out + '.tmp', out)


def jsonl():
    """The documents of another corpus (SRC: its file) as JSON Lines records, one a line, the
    document in "text" among members of other kinds (tests/bench.sh compares the two)."""
    import json
    with open(src, 'rb') as f:
        docs = f.read().split(b'\n\f\n')
    with open(out + '.tmp', 'w', encoding='utf-8') as f:
        for k, d in enumerate(docs):
            text = d.decode('utf-8', 'replace')
            f.write('{"id": %d, "url": "https://news.example/%d", "lang": "en", "text": %s, '
                    '"fetched": 1700000000.5}\n' % (k, k, json.dumps(text, ensure_ascii=False)))
    os.replace(out + '.tmp', out)


{'reallike': reallike, 'clean': clean, 'real': real, 'stress': stress, 'line': line,
 'jsonl': jsonl}[kind]()
