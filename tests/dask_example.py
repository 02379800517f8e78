#!/usr/bin/python3
"""dask_example.py BUILD_DIR: examples/dask_clean_shards.py on a LocalCluster of 2 workers.

Shards are built from ../shared/corpus (real and authored; the project's own fixtures when it
is absent, as in a fresh clone): each record's text must come out as `winnow FILE` cleans the
document, its id and other members kept; the per-shard stats must add up to stats.json and the
reports hold as many removals. Then short links through tests/mock_shortener.py and a
redis-server of the test's own, on 127.0.0.1: the two workers share the cache, so the mock is
asked once a link. Skipped with a message when Debian's python3-distributed is missing. Run
with /usr/bin/python3, which sees Debian's modules.
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from checks import check, finish  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
EXAMPLE = os.path.join(ROOT, "examples", "dask_clean_shards.py")


def documents():
    shared = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "real", "*.in.txt")) +
                    glob.glob(os.path.join(ROOT, "..", "shared", "corpus", "authored", "*.in.txt")))
    if not shared:
        print("skip: ../shared/corpus is not here: the project's fixtures instead")
    return shared or sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "text", "*.in.txt")))


def run_example(inp, out, *extra):
    env = dict(os.environ, WINNOW_LIBRARY=os.path.join(BUILD, "libwinnow.so"))
    return subprocess.run([sys.executable, EXAMPLE, inp, out, "--workers", "2"] + list(extra),
                          capture_output=True, text=True, timeout=600, env=env)


def corpus_shards(tmp):
    docs = documents()
    inp, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
    os.makedirs(inp)
    want = {}
    for k in range(4):  # four shards, every fourth document
        with open(os.path.join(inp, "shard-%d.jsonl" % k), "w", encoding="utf-8") as f:
            for i, path in enumerate(docs[k::4]):
                text = open(path, encoding="utf-8", errors="surrogateescape", newline="").read()
                rid = "%d-%d" % (k, i)
                f.write(json.dumps({"id": rid, "url": "https://news.example/%s" % rid,
                                    "meta": {"n": i, "tags": ["a", 1.5]}, "text": text}) + "\n")
                cli = subprocess.run([os.path.join(BUILD, "winnow"), path], capture_output=True)
                want[rid] = cli.stdout.decode("utf-8", "surrogateescape")
        if k == 0:
            with open(os.path.join(inp, "shard-0.jsonl"), "a") as f:
                f.write("not a record\n")
    p = run_example(inp, out)
    check(p.returncode == 0, "the example on 4 shards: exit 0 (%s)" % p.stderr[-300:])
    got, same, kept = {}, 0, 0
    for k in range(4):
        path = os.path.join(out, "shard-%d.jsonl" % k)
        for line in open(path, encoding="utf-8") if os.path.exists(path) else []:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            got[rec["id"]] = rec
            same += rec["text"] == want.get(rec["id"])
            kept += rec["url"].endswith(rec["id"]) and rec["meta"]["tags"] == ["a", 1.5]
    check(len(got) == len(want), "every record written (%d of %d)" % (len(got), len(want)))
    check(same == len(want), "every text as the command cleans it (%d of %d)" % (same, len(want)))
    check(kept == len(want), "ids and other members kept (%d of %d)" % (kept, len(want)))
    check("not a record\n" in open(os.path.join(out, "shard-0.jsonl")).read(),
          "a line that is no record passes as it came")
    shard_stats = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(out, "shard-*.stats.json")))]
    total = json.load(open(os.path.join(out, "stats.json")))
    check(len(shard_stats) == 4 and total["shards"] == 4, "a stats file a shard, and their sum")
    check(total["records"] == sum(s["records"] for s in shard_stats) == len(want),
          "stats.json: the records of all shards")
    check(total["removals"] == sum(s["removals"] for s in shard_stats) ==
          sum(total["rules"].values()), "stats.json: removals by rule add up")
    reports = sum(1 for p in glob.glob(os.path.join(out, "*.report.jsonl")) for _ in open(p))
    check(reports == total["removals"] and reports > 0,
          "the reports hold every removal (%d, stats say %d)" % (reports, total["removals"]))
    p = run_example(inp, out)
    check(p.returncode == 0 and "(0 cleaned now)" in p.stderr, "a rerun skips the shards done")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def shared_cache(tmp):
    if not shutil.which("redis-server"):
        print("skip: redis-server is missing (make deps): the shared cache is not tried")
        return
    rport = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", tmp],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mock = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "mock_shortener.py"),
                             "--forever", "--delay-ms", "20"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(mock.stdout.readline().split()[0])
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(rport), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        inp, out = os.path.join(tmp, "links-in"), os.path.join(tmp, "links-out")
        os.makedirs(inp)
        for k in range(4):  # the same 200 links in every shard
            with open(os.path.join(inp, "links-%d.jsonl" % k), "w") as f:
                for i in range(200):
                    f.write(json.dumps({"id": i, "text": "Story line %d, and a link to it: "
                                        "http://bit.ly/once/d%d\n" % (i, i)}) + "\n")
        p = run_example(inp, out, "--resolve", "--cache", "redis://127.0.0.1:%d/0" % rport,
                        "--connect-to", "bit.ly:80:127.0.0.1:%d" % port)
        check(p.returncode == 0, "shards with links, Redis shared: exit 0 (%s)" % p.stderr[-300:])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        distinct, requests, most = (int(x) for x in opener.open(
            "http://127.0.0.1:%d/_oncestats" % port, timeout=5).read().split())
        check((distinct, requests) == (200, 200),
              "4 shards on 2 workers, 200 links: the mock asked once a link (%d links, %d requests)"
              % (distinct, requests))
        resolved = sum(line.count("https://www.example.com/once/") for p in
                       glob.glob(os.path.join(out, "links-[0-9].jsonl")) for line in open(p))
        check(resolved == 800, "every link of every shard resolved (%d of 800)" % resolved)
    finally:
        for proc in (mock, redis):
            proc.terminate()
            proc.wait()


def main():
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("skip: Debian's python3-distributed is missing (make deps): the Dask example is not run")
        print("0 passed, 0 failed")
        return 0
    tmp = tempfile.mkdtemp(prefix="winnow-dask.")
    os.environ.pop("REDIS_PASSWORD", None)
    for v in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        os.environ.pop(v, None)
    os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "xdg")
    try:
        corpus_shards(tmp)
        shared_cache(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
