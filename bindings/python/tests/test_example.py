# test_example.py: examples/clean_jsonl_shard.py on a small generated shard: each record's text
# is cleaned as the CLI cleans that JSON Lines shard (`winnow shard.jsonl`), every other member
# and every line that is not such a record kept; with threads the same; gzip in and out.
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

import common

EXAMPLE = os.path.join(common.here, "..", "..", "..", "examples", "clean_jsonl_shard.py")


def make_shard(path):
    """Records from the fixtures with ids and metadata around the text, and odd lines."""
    lines = []
    for i, p in enumerate(common.fixtures()):
        rec = {"id": "doc-%d" % i, "url": "https://example.com/%d" % i,
               "text": common.read(p).decode("utf-8"),
               "meta": {"lang": os.path.basename(p)[:2], "score": 0.25 * i,
                        "big": 123456789012345678901234567890 + i, "tags": ["a", None, True]}}
        if i % 3 == 0:  # text first, id last: order kept
            rec = {"text": rec["text"], "meta": rec["meta"], "id": i}
        lines.append(json.dumps(rec, ensure_ascii=(i % 2 == 0)).encode())
    lines.insert(3, b"this line is not JSON")
    lines.insert(5, b'{"id": "no-text", "title": "x"}')
    lines.insert(7, b'{"id": "number-text", "text": 42}')
    lines.insert(9, b'{"id": "surrogate", "text": "bad \\ud800 pair\\nShare this article on '
                    b'Facebook\\n"}')
    lines.append(b'{"id": "empty", "text": ""}')
    with open(path, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    return lines


class TestCleanJsonlShard(unittest.TestCase):
    def run_example(self, *args):
        env = dict(os.environ)
        run = subprocess.run([sys.executable, EXAMPLE, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        self.assertEqual(run.returncode, 0, run.stderr.decode(errors="replace"))
        return run.stderr.decode()

    def parse(self, data):
        out = []
        for line in data.split(b"\n")[:-1]:
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append(line)
        return out

    def test_shard_as_cli(self):
        with tempfile.TemporaryDirectory() as d:
            shard = os.path.join(d, "shard.jsonl")
            lines = make_shard(shard)
            want = self.parse(common.cli_output(shard))
            self.assertEqual(len(want), len(lines))
            for threads in ("1", "3"):
                with self.subTest(threads=threads):
                    out = os.path.join(d, "clean-%s.jsonl" % threads)
                    msg = self.run_example(shard, out, "--threads", threads)
                    self.assertIn("passed as they came", msg)
                    got = self.parse(common.read(out))
                    self.assertEqual(got, want)
            raw = common.read(os.path.join(d, "clean-1.jsonl")).split(b"\n")
            self.assertEqual(raw[3], b"this line is not JSON")
            self.assertEqual(raw[5], b'{"id": "no-text", "title": "x"}')
            first = json.loads(raw[0])
            self.assertEqual(list(first), ["text", "meta", "id"])
            self.assertEqual(first["meta"]["big"], 123456789012345678901234567890)
            self.assertEqual([f for f in os.listdir(d) if f.startswith(".clean-")], [])

    def test_gzip_drop_and_annotate(self):
        with tempfile.TemporaryDirectory() as d:
            shard = os.path.join(d, "shard.jsonl")
            lines = make_shard(shard)
            with open(shard, "rb") as f, gzip.open(shard + ".gz", "wb") as g:
                g.write(f.read())
            out = os.path.join(d, "out.jsonl.gz")
            self.run_example(shard + ".gz", out, "--drop-invalid", "--drop-empty", "--annotate")
            with gzip.open(out, "rb") as f:
                got = [json.loads(x) for x in f.read().split(b"\n")[:-1]]
            # the CLI's records, but for the lines it passed (the surrogate) and empty ones
            want = [r for r in self.parse(common.cli_output(shard))
                    if isinstance(r, dict) and isinstance(r.get("text"), str)
                    and r["text"].strip() and r["id"] != "surrogate"]
            self.assertEqual(len(got), len(want))
            self.assertEqual(len(got), len(lines) - 5)  # 4 lines not to clean, 1 empty
            for g, w in zip(got, want):
                ann = g.pop("winnow")
                self.assertEqual(g, w)
                self.assertGreaterEqual(ann["removals"], 0)
            self.assertTrue(any(a["winnow"]["removals"] > 0 for a in self.parse(
                self._annotated(shard, d))))

    def _annotated(self, shard, d):
        out = os.path.join(d, "ann.jsonl")
        self.run_example(shard, out, "--annotate", "--drop-invalid")
        return common.read(out)


if __name__ == "__main__":
    unittest.main()
