# test_bad_input.py: what the binding does with input that is not clean UTF-8 text (invalid
# bytes, NULs, lone surrogates, huge strings) and with wrong types: it raises or passes, never crashes.
import subprocess
import unittest

import common
import winnow

PROMPT = b"Share this article on Facebook\n"


def cli(data, *args):
    return subprocess.run([common.cli(), *args], input=data, stdout=subprocess.PIPE,
                          check=True).stdout


class TestBytes(unittest.TestCase):
    def test_invalid_utf8_passes_through(self):
        data = b"Story \xff\xfe text \xc3\n" + PROMPT + b"\xed\xa0\x80 surrogate bytes\n"
        out = winnow.clean_bytes(data)
        self.assertEqual(out, cli(data))
        self.assertIn(b"Story \xff\xfe text \xc3\n", out)
        self.assertNotIn(PROMPT, out)

    def test_invalid_utf8_through_str(self):
        """Bytes decoded with surrogateescape come back as the same bytes."""
        data = b"Caf\xe9 au lait, a story line.\n" + PROMPT
        text = data.decode("utf-8", "surrogateescape")
        out = winnow.clean(text)
        self.assertEqual(out.encode("utf-8", "surrogateescape"), winnow.clean_bytes(data))
        self.assertIn("Caf\udce9", out)

    def test_nul_bytes(self):
        data = b"a line with a \0 NUL in it.\n\0\n" + PROMPT + b"end\0"
        out = winnow.clean_bytes(data)
        self.assertEqual(out, cli(data))
        self.assertIn(b"\0 NUL", out)
        self.assertEqual(winnow.clean(data.decode()), out.decode())

    def test_lone_surrogate_raises(self):
        with self.assertRaises(UnicodeEncodeError):
            winnow.clean("bad \ud800 surrogate\n")
        self.assertEqual(winnow.clean("still works\n"), "still works\n")

    def test_buffers(self):
        data = b"story line.\n" + PROMPT
        want = winnow.clean_bytes(data)
        self.assertEqual(winnow.clean_bytes(bytearray(data)), want)
        self.assertEqual(winnow.clean_bytes(memoryview(data)), want)
        with winnow.Filter() as f:
            f.push(bytearray(data))
            f.end_document()
            self.assertEqual(f.read(), want)

    def test_huge_line_and_document(self):
        line = b"x" * (32 << 20) + b"\n"  # one 32 MiB line
        self.assertEqual(winnow.clean_bytes(line), line)
        doc = (b"A story sentence that stays in the article.\n" + PROMPT) * 200000  # 15 MB
        out = winnow.clean_bytes(doc)
        self.assertEqual(out, cli(doc))
        self.assertLess(len(out), len(doc) - 31 * 199000)
        self.assertEqual(len(winnow.clean(doc.decode())), len(out))

    def test_only_separators_and_blanks(self):
        for data in (b"", b"\n", b"\r\n", b"\f\n", b"\n\n\n", b"\0", b" "):
            with self.subTest(data=data):
                self.assertEqual(winnow.clean_bytes(data), cli(data))


class TestTypes(unittest.TestCase):
    def test_wrong_document_types(self):
        for bad in (None, 12, 1.5, ["a"], {"text": "a"}, object()):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    winnow.clean(bad)
                with self.assertRaises(TypeError):
                    winnow.clean_bytes(bad)
                with self.assertRaises(TypeError):
                    winnow.explain(bad)
        with self.assertRaises(TypeError):
            winnow.clean(b"bytes")
        with self.assertRaises(TypeError):
            winnow.clean_bytes("str")
        with winnow.Filter() as f:
            for bad in (None, 3, ["x"]):
                with self.assertRaises(TypeError):
                    f.push(bad)
            f.push(b"still usable\n")
            f.end_document()
            self.assertEqual(f.read(), b"still usable\n")

    def test_bad_options(self):
        doc = "text\n"
        with self.assertRaisesRegex(TypeError, "unknown option"):
            winnow.clean(doc, fromat="html")
        for opts in ({"format": "pdf"}, {"links": "maybe"}, {"embeds": "drop"},
                     {"max_removal": 1.5}, {"max_removal": float("nan")}, {"jobs": 0},
                     {"timeout": -1}):
            with self.subTest(opts=opts):
                with self.assertRaises(ValueError) as cm:
                    winnow.clean(doc, **opts)
                self.assertIsInstance(cm.exception, winnow.UsageError)
        for opts in ({"format": 1}, {"prefilter": "no"}, {"max_removal": "0.3"},
                     {"rules": "rules/prompts.rules"}, {"jobs": 2.5}, {"resolve": 1},
                     {"cache": 5}, {"connect_to": [5]}):
            with self.subTest(opts=opts):
                with self.assertRaises(TypeError):
                    winnow.clean(doc, **opts)
        with self.assertRaises(ValueError):
            winnow.clean(doc, cacert="a\0b")
        with self.assertRaises(winnow.UsageError):
            winnow.clean(doc, rules=winnow.Rules(), languages="en")
        with self.assertRaisesRegex(winnow.FileError, "/nonexistent.json"):
            winnow.clean(doc, clearurls="/nonexistent.json")
        self.assertEqual(winnow.clean(doc), doc)


if __name__ == "__main__":
    unittest.main()
