# test_rules.py: winnow.Rules: loading defaults, files and buffers, disabling ids, restricting
# languages, tunables, listing; every error raised as its WinnowError with the library's message.
import os
import subprocess
import tempfile
import unittest

import common
import winnow

PROMO = "[site-headline-promo]\nkind = drop-line\nlang = en\npattern = Headline: [^\\n]{1,200}$\n"
DOC = "A story line that stays.\nHeadline: Something else to read\n"


class TestRules(unittest.TestCase):
    def test_defaults_listed_as_cli(self):
        rules = winnow.Rules()
        listed = rules.list()
        self.assertEqual(len(rules), len(listed))
        self.assertGreater(len(listed), 20)
        run = subprocess.run([common.cli(), "--list-rules"], stdout=subprocess.PIPE, check=True)
        out = run.stdout.decode()
        for r in listed:
            self.assertIn(r["id"], out)
            self.assertTrue(r["enabled"])
            self.assertIn(":", r["origin"])
        self.assertEqual(winnow.Rules(defaults=False).list(), [])
        self.assertIn("share-prompt", {r["id"] for r in winnow.Rules()})

    def test_buffer_and_file(self):
        self.assertIn("Headline:", winnow.clean(DOC))
        rules = winnow.Rules().load_buffer(PROMO, name="site.rules")
        self.assertNotIn("Headline:", winnow.clean(DOC, rules=rules))
        self.assertEqual(rules.list()[-1]["origin"], "site.rules:1")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "site.rules")
            with open(path, "w") as f:
                f.write(PROMO)
            for r in (winnow.Rules(files=[path]), winnow.Rules(files=path),
                      winnow.Rules(defaults=False).load_file(path)):
                self.assertEqual(winnow.clean(DOC, rules=r), "A story line that stays.\n")
        self.assertNotIn("Headline:", winnow.clean(DOC, rules=winnow.Rules().load_buffer(
            PROMO.encode())))

    def test_bad_buffer_raises_with_message(self):
        with self.assertRaises(winnow.RulesError) as cm:
            winnow.Rules().load_buffer("[x]\nkind = nonsense\npattern = a\n", name="bad.rules")
        e = cm.exception
        self.assertEqual(e.status, 1)
        self.assertTrue(e.message.startswith("bad.rules:"), e.message)
        self.assertEqual(str(e), e.message)
        self.assertIsInstance(e, winnow.WinnowError)
        with self.assertRaisesRegex(winnow.RulesError, r"^p\.rules:\d+: .*"):
            winnow.Rules(defaults=False).load_buffer("[x]\nkind = drop-line\npattern = (a\n",
                                                     name="p.rules").compile()

    def test_missing_file_raises(self):
        with self.assertRaises(winnow.WinnowError) as cm:
            winnow.Rules().load_file("/nonexistent/x.rules")
        self.assertIn("/nonexistent/x.rules", cm.exception.message)
        with self.assertRaises(TypeError):
            winnow.Rules().load_file(5)
        with self.assertRaises(TypeError):
            winnow.Rules().load_buffer(None)

    def test_disable(self):
        rules = winnow.Rules().disable("share-prompt")
        self.assertFalse(any(r["enabled"] for r in rules.list() if r["id"] == "share-prompt"))
        with self.assertRaisesRegex(winnow.UsageError, "no rule has the id 'no-such-rule'"):
            winnow.Rules().disable("no-such-rule")
        with self.assertRaisesRegex(winnow.UsageError, "no-such-rule"):
            winnow.Rules(disable=["no-such-rule"])

    def test_restrict_languages(self):
        rules = winnow.Rules(languages=["de"])
        enabled = [r for r in rules.list() if r["enabled"]]
        self.assertTrue(enabled)
        for r in enabled:
            langs = r["languages"].split(",")
            self.assertTrue("de" in langs or "*" in langs, r)

    def test_tunables(self):
        rules = winnow.Rules()
        tun = {t["name"]: t for t in rules.tunables()}
        self.assertIn("post.link-chars", tun)
        rules.tune("post.link-chars", 30)
        self.assertEqual({t["name"]: t["value"] for t in rules.tunables()}["post.link-chars"], 30)
        with self.assertRaisesRegex(winnow.UsageError, "no tunable is named 'no.such'"):
            rules.tune("no.such", 1)
        with self.assertRaisesRegex(winnow.UsageError, "post.link-chars takes"):
            rules.tune("post.link-chars", 10 ** 9)
        with self.assertRaises(TypeError):
            rules.tune("post.link-chars", "30")
        tuned = winnow.Rules(tune={"post.link-chars": 25}).tunables()
        self.assertEqual({t["name"]: t["value"] for t in tuned}["post.link-chars"], 25)

    def test_frozen_set_raises(self):
        rules = winnow.Rules()
        self.assertFalse(rules.frozen)
        winnow.clean("x\n", rules=rules)
        self.assertTrue(rules.frozen)
        with self.assertRaisesRegex(winnow.UsageError, "in use by a filter"):
            rules.load_buffer(PROMO)
        with self.assertRaisesRegex(winnow.UsageError, "in use by a filter"):
            rules.disable("share-prompt")
        with self.assertRaisesRegex(winnow.UsageError, "in use by a filter"):
            rules.restrict_languages("en")
        with self.assertRaisesRegex(winnow.UsageError, "in use by a filter"):
            rules.tune("post.link-chars", 30)
        self.assertEqual(winnow.clean("x\n", rules=rules), "x\n")  # still usable

    def test_kind_of_removals_from_rules(self):
        rules = winnow.Rules().load_buffer(PROMO)
        _, removals = winnow.explain(DOC, rules=rules)
        self.assertEqual([(r["rule"], r["kind"]) for r in removals],
                         [("site-headline-promo", "drop-line")])


if __name__ == "__main__":
    unittest.main()
