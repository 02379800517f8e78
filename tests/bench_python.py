#!/usr/bin/env python3
# bench_python.py BUILD_DIR: the Python binding's speed (winnow.clean, document by document, one
# thread and two) against the CLI's on the same text; figures, never a failure (bench-python.sh).
import os
import subprocess
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, ".."))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build")
os.environ.setdefault("WINNOW_LIBRARY", os.path.join(build, "libwinnow.so"))
sys.path.insert(0, os.path.join(root, "bindings", "python"))
import winnow  # noqa: E402

MB = float(os.environ.get("BENCH_PY_MB", "8"))
RUNS = int(os.environ.get("BENCH_PY_RUNS", "7"))
TARGET = 0.7  # of the CLI's MB/s


def corpus():
    """The real corpus's documents repeated to MB megabytes (its name, the documents)."""
    src = os.path.join(root, "..", "shared", "corpus", "real")
    names = sorted(f for f in os.listdir(src) if f.endswith(".in.txt")) if os.path.isdir(
        src) else []
    if names:
        base = [open(os.path.join(src, n), encoding="utf-8").read() for n in names]
        label = "../shared/corpus/real (%d documents)" % len(base)
    else:  # a fresh clone: the fixtures instead
        fix = os.path.join(root, "tests", "fixtures", "text")
        base = [open(os.path.join(fix, n), encoding="utf-8").read()
                for n in sorted(os.listdir(fix)) if n.endswith(".in.txt")]
        label = "tests/fixtures/text (no ../shared)"
    base = [d if d.endswith("\n") else d + "\n" for d in base]
    docs, size = [], 0
    while size < MB * 1e6:
        for d in base:
            docs.append(d)
            size += len(d.encode())
    return label, docs, size


def clean_all(docs):
    clean = winnow.clean
    for d in docs:
        clean(d)


def clean_bytes_all(docs):
    clean = winnow.clean_bytes
    for d in docs:
        clean(d)


def clean_threads(docs, n):
    parts = [docs[i::n] for i in range(n)]
    threads = [threading.Thread(target=clean_all, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    label, docs, size = corpus()
    cli = os.path.join(build, "winnow")
    path = os.path.join(build, "bench", "python-corpus.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:  # documents split by form-feed lines
        f.write("\f\n".join(docs))
    # the same output both ways (the CLI's stream is the documents and their separators)
    outs = [winnow.clean(d) for d in docs[:200]]
    run = subprocess.run([cli], input="\f\n".join(docs[:200]).encode(), stdout=subprocess.PIPE,
                         check=True)
    same = run.stdout.decode() == "\f\n".join(outs)
    clean_all(docs[:100])  # warm: rules compiled, filter made

    def cli_run():
        with open(path, "rb") as f:
            subprocess.run([cli], stdin=f, stdout=subprocess.DEVNULL, check=True)
    # the three take turns, so that a change in the machine's load falls on each alike
    def cli_empty():
        subprocess.run([cli], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
    data = [d.encode() for d in docs]
    runs = {"cli": [], "start": [], "one": [], "bytes": [], "two": []}
    for _ in range(RUNS):
        for name, fn in (("cli", cli_run), ("start", cli_empty), ("one", lambda: clean_all(docs)),
                         ("bytes", lambda: clean_bytes_all(data)),
                         ("two", lambda: clean_threads(docs, 2))):
            t0 = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - t0)
    t_cli, t_one, t_two = min(runs["cli"]), min(runs["one"]), min(runs["two"])
    t_start, t_bytes = min(runs["start"]), min(runs["bytes"])
    mbs = lambda t: size / 1e6 / t  # noqa: E731
    print("python binding: %s repeated to %.1f MB, %d documents, least of %d rounds" % (
        label, size / 1e6, len(docs), RUNS))
    print("  output equal to the CLI's: %s" % ("yes" if same else "NO"))
    print("  CLI (one stream, form-feed separated): %.3f s  %8.1f MB/s  %9.0f documents/s" % (
        t_cli, mbs(t_cli), len(docs) / t_cli))
    print("  winnow.clean, 1 thread:                %.3f s  %8.1f MB/s  %9.0f documents/s" % (
        t_one, mbs(t_one), len(docs) / t_one))
    print("  winnow.clean_bytes, 1 thread:          %.3f s  %8.1f MB/s  %9.0f documents/s" % (
        t_bytes, mbs(t_bytes), len(docs) / t_bytes))
    print("  winnow.clean, 2 threads:               %.3f s  %8.1f MB/s  %9.0f documents/s" % (
        t_two, mbs(t_two), len(docs) / t_two))
    ratio = t_cli / t_one
    print("  binding / CLI (1 thread): %.2fx  target >= %.1fx: %s" % (
        ratio, TARGET, "ok" if ratio >= TARGET else "MISSED"))
    print("  CLI start-up (empty input) %.3f s; binding / CLI less its start-up: %.2fx" % (
        t_start, (t_cli - t_start) / t_one))
    print("  2 threads / 1 thread: %.2fx (%d CPUs online)" % (t_one / t_two, os.cpu_count()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
