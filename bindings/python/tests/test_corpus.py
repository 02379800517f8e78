# test_corpus.py: the binding's output equals the CLI's (`winnow FILE`), byte for byte, for every
# fixture (tests/fixtures/text, always) and every ../shared/corpus/{seed,real,authored} document.
import os
import re
import unittest

import common
import winnow


def norm(data):
    """golden.sh's comparison: no CR before LF, no trailing blanks, no blank lines."""
    lines = [re.sub(rb"[ \t\r\f\v]+$", b"", line) for line in data.split(b"\n")]
    return [line for line in lines if line]


class CorpusMixin:
    def check_docs(self, paths):
        for path in paths:
            name = os.path.relpath(path, common.root)
            want = common.cli_output(path)
            data = common.read(path)
            with self.subTest(doc=name, via="clean_bytes"):
                self.assertEqual(winnow.clean_bytes(data), want)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                with self.subTest(doc=name, via="clean"):
                    self.assertEqual(winnow.clean(text), want.decode("utf-8"))
            with self.subTest(doc=name, via="Filter, 7-byte pushes"):
                with winnow.Filter() as f:
                    for i in range(0, len(data), 7):
                        f.push(data[i:i + 7])
                    f.end_document()
                    self.assertEqual(f.read(), want)

    def check_set(self, set_name):
        paths = common.corpus(set_name)
        if paths is None:
            self.skipTest("no ../shared/corpus/%s (as in a fresh clone)" % set_name)
        self.assertTrue(paths, "../shared/corpus/%s holds no *.in.txt" % set_name)
        self.check_docs(paths)


class TestFixtures(CorpusMixin, unittest.TestCase):
    def test_fixtures_equal_cli(self):
        paths = common.fixtures()
        self.assertTrue(paths)
        self.check_docs(paths)

    def test_fixtures_equal_gold(self):
        for path in common.fixtures():
            gold = path[:-len(".in.txt")] + ".gold.txt"
            with self.subTest(doc=os.path.basename(path)):
                self.assertEqual(norm(winnow.clean_bytes(common.read(path))),
                                 norm(common.read(gold)))

    def test_one_filter_many_documents(self):
        """Documents one after another through one Filter: each as the CLI cleans it alone."""
        paths = common.fixtures()
        with winnow.Filter() as f:
            for path in paths:
                with self.subTest(doc=os.path.basename(path)):
                    self.assertEqual(f.clean(common.read(path)), common.cli_output(path))

    def test_text_mode_filter(self):
        path = common.fixtures()[0]
        want = common.cli_output(path).decode("utf-8")
        data = common.read(path)
        with winnow.Filter(text=True) as f:
            for i in range(0, len(data), 5):  # splits UTF-8 sequences too
                f.push(data[i:i + 5])
            f.end_document()
            self.assertEqual("".join(f), want)


class TestSharedCorpus(CorpusMixin, unittest.TestCase):
    def test_seed(self):
        self.check_set("seed")

    def test_real(self):
        self.check_set("real")

    def test_authored(self):
        self.check_set("authored")


if __name__ == "__main__":
    unittest.main()
