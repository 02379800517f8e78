#!/usr/bin/env python3
# dask_clean_shards.py: a folder of JSON Lines shards cleaned on a dask.distributed cluster, one
# task a shard, through the winnow binding; each shard's output, report and stats, then the stats
# merged. Workers given a redis:// cache share it: a link is resolved once for the whole fleet.
"""Clean every JSON Lines shard of a folder on Dask, one task a shard.

    /usr/bin/python3 examples/dask_clean_shards.py IN_DIR OUT_DIR [--workers 2]
    /usr/bin/python3 examples/dask_clean_shards.py IN_DIR OUT_DIR --scheduler tcp://HOST:8786
        [--resolve --cache redis://HOST:6379/0]

For each IN_DIR/NAME.jsonl (or .jsonl.gz) the task writes OUT_DIR/NAME.jsonl (each record's
FIELD cleaned as `winnow.clean` cleans a document, every other member kept, lines that are no
records as they came), OUT_DIR/NAME.report.jsonl (one object a removal: the record's id, rule,
kind, line, column, text) and OUT_DIR/NAME.stats.json (records, removals by rule, bytes in and
out, seconds); OUT_DIR/stats.json is their sum. Every file is written beside its name and
renamed over it, so a reader never sees half of one, and a shard done is not done again when
its stats file is newer than its input (--force: redo all). Without --scheduler a LocalCluster
of --workers processes runs here. The OUT_DIR must be on a file system every worker sees.
"""
import argparse
import glob
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING = os.path.join(HERE, "..", "bindings", "python")


def atomic_write(path, write):
    """write(f) into a file beside path, then renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def clean_shard(path, out_dir, field, options, binding, library):
    """The task: one shard cleaned; returns its stats (also written beside the output)."""
    if binding not in sys.path:  # a worker started elsewhere finds the binding as we do
        sys.path.insert(0, binding)
    if library:
        os.environ.setdefault("WINNOW_LIBRARY", library)
    import winnow  # in the worker: the library runs without the GIL
    sys.path.insert(0, HERE)
    from clean_jsonl_shard import RawLine, open_shard, read_records

    name = os.path.basename(path)
    stem = name[:-len(".jsonl.gz")] if name.endswith(".jsonl.gz") else name[:-len(".jsonl")]
    out_path = os.path.join(out_dir, stem + ".jsonl")
    stats = {"shard": name, "records": 0, "other_lines": 0, "removals": 0, "rules": {},
             "bytes_in": 0, "bytes_out": 0}
    reports = []
    started = time.monotonic()
    counts = {"invalid": 0}

    def write_output(f):
        for doc in read_records(path, field, False, counts):
            if isinstance(doc, RawLine):
                f.write(doc)
                continue
            text = doc[field]
            done = winnow.explain(text, **options)
            stats["records"] += 1
            stats["bytes_in"] += len(text.encode("utf-8", "surrogateescape"))
            stats["bytes_out"] += len(done.text.encode("utf-8", "surrogateescape"))
            for r in done.removals:
                stats["removals"] += 1
                stats["rules"][r["rule"]] = stats["rules"].get(r["rule"], 0) + 1
                reports.append({"shard": name, "id": doc.get("id"), "rule": r["rule"],
                                "kind": r["kind"], "line": r["line"], "column": r["column"],
                                "text": r["text"]})
            doc[field] = done.text
            f.write(json.dumps(doc, ensure_ascii=False).encode("utf-8") + b"\n")

    atomic_write(out_path, write_output)
    atomic_write(os.path.join(out_dir, stem + ".report.jsonl"), lambda f: f.write(
        b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in reports)))
    stats["other_lines"] = counts["invalid"]
    stats["seconds"] = round(time.monotonic() - started, 3)
    atomic_write(os.path.join(out_dir, stem + ".stats.json"),
                 lambda f: f.write(json.dumps(stats, indent=1, sort_keys=True).encode() + b"\n"))
    return stats


def merge(all_stats):
    total = {"shards": 0, "records": 0, "other_lines": 0, "removals": 0, "rules": {},
             "bytes_in": 0, "bytes_out": 0, "seconds": 0.0}
    for s in all_stats:
        total["shards"] += 1
        for k in ("records", "other_lines", "removals", "bytes_in", "bytes_out", "seconds"):
            total[k] += s[k]
        for rule, n in s["rules"].items():
            total["rules"][rule] = total["rules"].get(rule, 0) + n
    total["seconds"] = round(total["seconds"], 3)
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input_dir")
    ap.add_argument("output_dir")
    ap.add_argument("--scheduler", help="a running scheduler's address (else a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster processes (default 2)")
    ap.add_argument("--field", default="text")
    ap.add_argument("--format", default="text", choices=("text", "html", "auto"))
    ap.add_argument("--resolve", action="store_true", help="resolve short links")
    ap.add_argument("--cache", help="the link cache every worker shares: redis://HOST:PORT/DB")
    ap.add_argument("--connect-to", action="append", default=[],
                    help="HOST:PORT:ADDR:PORT, as winnow's (tests map hosts onto loopback)")
    ap.add_argument("--force", action="store_true", help="clean shards already done again")
    args = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    shards = sorted(glob.glob(os.path.join(args.input_dir, "*.jsonl")) +
                    glob.glob(os.path.join(args.input_dir, "*.jsonl.gz")))
    os.makedirs(args.output_dir, exist_ok=True)
    out_dir = os.path.abspath(args.output_dir)
    options = {"format": args.format}
    if args.resolve:
        options["resolve"] = True
    if args.cache:
        options["cache"] = args.cache
    if args.connect_to:
        options["connect_to"] = args.connect_to

    def done_already(path):
        stem = os.path.basename(path).split(".jsonl")[0]
        s = os.path.join(out_dir, stem + ".stats.json")
        return not args.force and os.path.exists(s) and os.path.getmtime(s) >= os.path.getmtime(path)

    todo = [p for p in shards if not done_already(p)]
    library = os.environ.get("WINNOW_LIBRARY", "")
    cluster = None if args.scheduler else LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(args.scheduler or cluster) as client:
        futures = client.map(clean_shard, [os.path.abspath(p) for p in todo],
                             out_dir=out_dir, field=args.field, options=options,
                             binding=os.path.abspath(BINDING), library=library, pure=False)
        client.gather(futures)
    if cluster:
        cluster.close()
    per_shard = []
    for p in shards:
        stem = os.path.basename(p).split(".jsonl")[0]
        with open(os.path.join(out_dir, stem + ".stats.json")) as f:
            per_shard.append(json.load(f))
    total = merge(per_shard)
    atomic_write(os.path.join(out_dir, "stats.json"),
                 lambda f: f.write(json.dumps(total, indent=1, sort_keys=True).encode() + b"\n"))
    print("dask_clean_shards: %d shards (%d cleaned now), %d records, %d removals, "
          "%d -> %d bytes of text" % (total["shards"], len(todo), total["records"],
                                      total["removals"], total["bytes_in"], total["bytes_out"]),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
