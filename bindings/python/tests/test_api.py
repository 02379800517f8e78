# test_api.py: the binding's API beyond the corpus: explain's removals (against the CLI's
# --explain), options mapped onto winnow_options, Filter's streaming, reading and life, Rules.
import os
import re
import subprocess
import unittest

import common
import winnow

PROMPT_DOC = ("Harbour Road traders warn of lost parking\n\n"
              "The council will vote on the plan next week, officials said on Monday.\n\n"
              "Share this article on Facebook\n\n"
              "Traders said the change would cost them customers.\n")
GLUED_LINK = "Watch the video here https://t.co/AbCdEf1234 before it goes.\n"


def fixture(name):
    return os.path.join(common.root, "tests", "fixtures", "text", name)


class TestExplain(unittest.TestCase):
    def test_removals_match_cli_explain(self):
        """rule, line and column of every removal, as `winnow --explain` says them."""
        pat = re.compile(r"^.*?:(\d+):(\d+): ([a-z0-9-]+): removed ")
        for path in common.fixtures():
            run = subprocess.run([common.cli(), "--explain", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, check=True)
            want = []
            for line in run.stderr.decode("utf-8", "replace").splitlines():
                m = pat.match(line)
                if m:
                    want.append((m.group(3), int(m.group(1)), int(m.group(2))))
            text, removals = winnow.explain(common.read(path))
            with self.subTest(doc=os.path.basename(path)):
                self.assertEqual(text, run.stdout)
                self.assertEqual([(r["rule"], r["line"], r["column"]) for r in removals], want)

    def test_removal_fields(self):
        text = open(fixture("en-short-links.in.txt"), encoding="utf-8").read()
        clean, removals = winnow.explain(text)
        self.assertEqual(clean, winnow.clean(text))
        self.assertTrue(removals)
        data = text.encode("utf-8")
        for r in removals:
            self.assertEqual(set(r), {"rule", "kind", "stage", "line", "column", "offset",
                                      "length", "text"})
            self.assertIsInstance(r["text"], str)
            if r["stage"] == "text":  # offsets into the input: the text stood there
                raw = data[r["offset"]:r["offset"] + r["length"]]
                self.assertEqual(raw.decode("utf-8"), r["text"])
        self.assertEqual(removals[0]["kind"], "short-link")

    def test_explain_bytes_gives_bytes(self):
        clean, removals = winnow.explain(PROMPT_DOC.encode())
        self.assertIsInstance(clean, bytes)
        self.assertEqual([r["rule"] for r in removals], ["share-prompt"])
        self.assertEqual(removals[0]["text"], b"Share this article on Facebook")
        self.assertEqual(removals[0]["line"], 5)

    def test_nothing_removed(self):
        doc = "Just a plain sentence of story text.\n"
        self.assertEqual(winnow.explain(doc), winnow.Cleaned(doc, []))
        self.assertEqual(winnow.clean(""), "")


class TestOptions(unittest.TestCase):
    def cli(self, data, *args):
        run = subprocess.run([common.cli(), *args], input=data, stdout=subprocess.PIPE,
                             check=True)
        return run.stdout

    def test_links_modes_as_cli(self):
        data = GLUED_LINK.encode()
        for mode in ("default", "keep", "strip"):
            with self.subTest(links=mode):
                self.assertEqual(winnow.clean_bytes(data, links=mode),
                                 self.cli(data, "--links=" + mode))
        self.assertIn("t.co", winnow.clean(GLUED_LINK, links="keep"))
        self.assertNotIn("t.co", winnow.clean(GLUED_LINK))

    def test_embeds_keep_as_cli(self):
        data = common.read(fixture("en-facebook.in.txt"))
        self.assertEqual(winnow.clean_bytes(data, embeds="keep"),
                         self.cli(data, "--embeds=keep"))
        self.assertNotEqual(winnow.clean_bytes(data, embeds="keep"), winnow.clean_bytes(data))

    def test_format_html_as_cli(self):
        page = b"<html><body><p>Story text that stays here.</p><script>x()</script></body></html>"
        for fmt in ("auto", "html", "text"):
            with self.subTest(format=fmt):
                self.assertEqual(winnow.clean_bytes(page, format=fmt),
                                 self.cli(page, "--format=" + fmt))
        self.assertNotIn(b"<p>", winnow.clean_bytes(page, format="html"))

    def test_no_prefilter_same_output(self):
        for path in common.fixtures()[:10]:
            data = common.read(path)
            self.assertEqual(winnow.clean_bytes(data, prefilter=False), winnow.clean_bytes(data))

    def test_max_removal_guard(self):
        doc = "Share this article on Facebook\nFollow us on Twitter\nA story line.\n"
        clean, removals = winnow.explain(doc, max_removal=0.3)
        self.assertEqual(clean, doc)
        self.assertEqual([r["rule"] for r in removals], ["doc-guard"])
        self.assertEqual(winnow.clean(doc, max_removal=0.3),
                         self.cli(doc.encode(), "--max-removal", "0.3").decode())

    def test_languages(self):
        data = common.read(fixture("de-article.in.txt"))
        self.assertEqual(winnow.clean_bytes(data, languages="en"),
                         self.cli(data, "--lang", "en"))
        self.assertEqual(winnow.clean_bytes(data, languages=["de"]),
                         self.cli(data, "--lang", "de"))

    def test_rules_option(self):
        rules = winnow.Rules(disable=["share-prompt"])
        self.assertIn("Share this article", winnow.clean(PROMPT_DOC, rules=rules))
        self.assertNotIn("Share this article", winnow.clean(PROMPT_DOC))
        self.assertEqual(winnow.clean(PROMPT_DOC, rules=winnow.Rules(defaults=False)),
                         PROMPT_DOC)

    def test_link_options_accepted(self):
        # offline resolution with no cache file: nothing can be resolved, nothing is fetched
        out = winnow.clean(GLUED_LINK, resolve=True, offline=True, cache=False, jobs=2,
                           timeout=1.5, max_hops=2, connect_to=["a:1:b:2"])
        self.assertIsInstance(out, str)


class TestFilter(unittest.TestCase):
    def test_stream_read_and_iterate(self):
        with winnow.Filter(report=True) as f:
            f.push(PROMPT_DOC[:50])
            f.push(PROMPT_DOC[50:].encode())
            f.end_document()
            pieces = list(f)
            self.assertEqual(b"".join(pieces), winnow.clean_bytes(PROMPT_DOC.encode()))
            self.assertEqual(f.read(), b"")
            self.assertEqual([r["rule"] for r in f.removals()], ["share-prompt"])
            self.assertEqual(f.removals(), [])
            st = f.stats()
            self.assertEqual(st["lines_removed"], 1)
            self.assertEqual(st["bytes_in"], len(PROMPT_DOC.encode()))
        self.assertTrue(f.closed)
        with self.assertRaises(winnow.UsageError):
            f.push(b"x")
        f.close()  # twice is fine

    def test_report_callable_and_trace(self):
        seen, lines = [], []
        with winnow.Filter(report=seen.append, trace=lines.append, text=True) as f:
            out = f.clean(PROMPT_DOC)
        self.assertEqual(out, winnow.clean(PROMPT_DOC))
        self.assertEqual([r["rule"] for r in seen], ["share-prompt"])
        self.assertEqual(len(lines), PROMPT_DOC.count("\n"))
        drop = [t for t in lines if t["decision"] == "drop"]
        self.assertEqual([(t["line"], t["rule"]) for t in drop], [(5, "share-prompt")])

    def test_callback_exception_propagates(self):
        def boom(removal):
            raise RuntimeError("from the callback")
        f = winnow.Filter(report=boom)
        with self.assertRaisesRegex(RuntimeError, "from the callback"):
            f.clean(PROMPT_DOC)
        f.close()

    def test_callback_cannot_reenter(self):
        f = winnow.Filter(report=lambda r: f.push(b"again"))
        with self.assertRaises(winnow.UsageError):
            f.clean(PROMPT_DOC)
        f.close()

    def test_clean_from_a_callback(self):
        """winnow.clean inside a callback of a clean: a filter of its own, no corruption."""
        inner = []
        out = winnow.Filter(trace=lambda t: inner.append(winnow.clean(PROMPT_DOC))).clean(
            PROMPT_DOC)
        self.assertEqual(out, winnow.clean(PROMPT_DOC))
        self.assertEqual(set(inner), {winnow.clean(PROMPT_DOC)})

    def test_documents_apart(self):
        """A footer is found per document: two documents in one Filter as two alone."""
        a = common.read(fixture("en-footer-source.in.txt"))
        b = common.read(fixture("en-prompts-end.in.txt"))
        with winnow.Filter() as f:
            f.push(a)
            f.end_document()
            f.push(b)
            f.end_document()
            self.assertEqual(f.read(), common.cli_output(fixture("en-footer-source.in.txt")) +
                             common.cli_output(fixture("en-prompts-end.in.txt")))

    def test_version(self):
        self.assertRegex(winnow.version(), r"^\d+\.\d+\.\d+")


if __name__ == "__main__":
    unittest.main()
