#!/usr/bin/env python3
# clean_jsonl_shard.py: a datatrove-style pipeline step over the winnow binding: reads a JSON Lines
# shard, cleans each record's text field as one document, keeps every other member, writes a shard.
"""Clean a JSON Lines shard (plain or .gz) document by document with winnow.

    python3 clean_jsonl_shard.py IN.jsonl[.gz] OUT.jsonl[.gz] [--field text] [--threads 2]

Each line that is a JSON object with a string member FIELD has that member cleaned (as
winnow.clean cleans one document); its id and every other member are kept, in their order
(values as JSON values: 1.50 is written 1.5, big integers stay exact). Other lines pass as
they came, or are dropped with --drop-invalid. --drop-empty drops records left with no text;
--annotate adds a "winnow" member (removals, bytes removed). The output is written beside OUT
and renamed over it at the end, so a reader never sees half a shard. --threads cleans that
many records at once (the library runs without the GIL).

WinnowCleaner is the step itself, in the shape datatrove's pipeline steps have: run() takes
an iterable of documents (dicts) and yields them cleaned.
"""
import argparse
import concurrent.futures
import gzip
import itertools
import json
import os
import sys
import tempfile

try:
    import winnow
except ImportError:  # run from the source tree: the package is in bindings/python
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings",
                                    "python"))
    import winnow


class WinnowCleaner:
    """Cleans doc[text_key] of each document (a dict); other keys are left alone."""

    name = "winnow cleaner"

    def __init__(self, text_key="text", drop_empty=False, annotate=False, threads=1,
                 **options):
        self.text_key = text_key
        self.drop_empty = drop_empty
        self.annotate = annotate
        self.threads = max(1, threads)
        self.options = options
        self.stats = {"documents": 0, "dropped": 0, "removals": 0, "bytes_in": 0,
                      "bytes_out": 0}

    def clean_one(self, text):
        """(clean text, number of removals or None)."""
        if self.annotate:
            out, removals = winnow.explain(text, **self.options)
            return out, len(removals)
        return winnow.clean(text, **self.options), None

    def cleanable(self, doc):
        return isinstance(doc, dict) and isinstance(doc.get(self.text_key), str)

    def run(self, docs):
        """Yields each document with its text cleaned, in order (or not at all if dropped);
        anything else (a RawLine) is yielded as it came."""
        docs = iter(docs)
        if self.threads == 1:
            results = ((d, self.clean_one(d[self.text_key]) if self.cleanable(d) else None)
                       for d in docs)
        else:
            results = self._threaded(docs)
        for doc, result in results:
            if result is None:
                yield doc
                continue
            out, n_removals = result
            text = doc[self.text_key]
            size_in = len(text.encode("utf-8", "surrogateescape"))
            size_out = len(out.encode("utf-8", "surrogateescape"))
            self.stats["documents"] += 1
            self.stats["bytes_in"] += size_in
            self.stats["bytes_out"] += size_out
            if self.annotate:
                self.stats["removals"] += n_removals
                doc["winnow"] = {"removals": n_removals, "bytes_removed": size_in - size_out}
            doc[self.text_key] = out
            if self.drop_empty and not out.strip():
                self.stats["dropped"] += 1
                continue
            yield doc

    def _threaded(self, docs):
        """(doc, result or None) in order, threads cleaning a window of documents at once."""
        def work(doc):
            return self.clean_one(doc[self.text_key]) if self.cleanable(doc) else None
        with concurrent.futures.ThreadPoolExecutor(self.threads) as pool:
            while True:
                batch = list(itertools.islice(docs, 64 * self.threads))
                if not batch:
                    return
                yield from zip(batch, pool.map(work, batch))


class RawLine(bytes):
    """A line of the shard that is not a record to clean: written back as it came."""


def open_shard(path, mode, gz=None):
    if path.endswith(".gz") if gz is None else gz:
        return gzip.open(path, mode + "b")
    return open(path, mode + "b")


def is_unicode(value):
    """No string in the JSON value holds a lone surrogate (an escape such as \\ud800 alone,
    which Python's json accepts and RFC 8259's strict readers, as winnow's, refuse)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def read_records(path, field, drop_invalid, counts):
    """Each line of the shard: a record (dict) with a str field, else a RawLine (none with
    drop_invalid)."""
    with open_shard(path, "r") as f:
        for raw in f:
            try:
                rec = json.loads(raw)
            except ValueError:  # not JSON, or not UTF-8
                rec = None
            if isinstance(rec, dict) and isinstance(rec.get(field), str) and (
                    b"\\u" not in raw or is_unicode(rec)):
                yield rec
                continue
            counts["invalid"] += 1
            if not drop_invalid:
                yield RawLine(raw if raw.endswith(b"\n") else raw + b"\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--field", default="text", help="the member cleaned (default text)")
    ap.add_argument("--format", default="text", choices=("text", "html", "auto"),
                    help="what the field holds (default text)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--drop-invalid", action="store_true",
                    help="drop lines that are not records with a string FIELD")
    ap.add_argument("--drop-empty", action="store_true")
    ap.add_argument("--annotate", action="store_true")
    args = ap.parse_args(argv)

    cleaner = WinnowCleaner(args.field, drop_empty=args.drop_empty, annotate=args.annotate,
                            threads=args.threads, format=args.format)
    counts = {"invalid": 0}
    fd, tmp = tempfile.mkstemp(prefix=".clean-", dir=os.path.dirname(os.path.abspath(
        args.output)))
    os.close(fd)
    try:
        with open_shard(tmp, "w", args.output.endswith(".gz")) as out:
            records = read_records(args.input, args.field, args.drop_invalid, counts)
            for doc in cleaner.run(records):
                if isinstance(doc, RawLine):
                    out.write(doc)
                    continue
                out.write(json.dumps(doc, ensure_ascii=False).encode("utf-8") + b"\n")
        os.replace(tmp, args.output)
    except BaseException:
        os.unlink(tmp)
        raise
    s = cleaner.stats
    print("clean_jsonl_shard: %d records cleaned (%d dropped), %d other lines %s, "
          "%d -> %d bytes of text" % (s["documents"], s["dropped"], counts["invalid"],
                                      "dropped" if args.drop_invalid else "passed as they came",
                                      s["bytes_in"], s["bytes_out"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
