# test_threads.py: many threads cleaning at once (each its own cached filters over shared rule
# sets) give what serial cleaning gives, document for document; a shared Filter serialises.
import random
import threading
import unittest

import common
import winnow

THREADS = 6
ROUNDS = 3


class TestThreads(unittest.TestCase):
    def run_threads(self, work):
        errors = []

        def body(i):
            try:
                work(i)
            except BaseException as e:  # reported by the main thread
                errors.append(e)
        threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def test_concurrent_equals_serial(self):
        docs = [common.read(p) for p in common.all_documents()]
        rules = winnow.Rules(disable=["share-prompt"])  # frozen by the first thread to use it
        serial = [winnow.clean_bytes(d) for d in docs]
        serial_rules = [winnow.explain(d, rules=rules) for d in docs]
        got = {}

        def work(i):
            order = list(range(len(docs)))
            random.Random(i).shuffle(order)
            mine = []
            for _ in range(ROUNDS):
                for k in order:
                    if (k + i) % 2:
                        mine.append((k, "plain", winnow.clean_bytes(docs[k])))
                    else:
                        mine.append((k, "rules", winnow.explain(docs[k], rules=rules)))
            got[i] = mine
        self.run_threads(work)
        self.assertEqual(len(got), THREADS)
        for i, mine in got.items():
            for k, how, out in mine:
                want = serial[k] if how == "plain" else serial_rules[k]
                if out != want:
                    self.fail("thread %d, document %d (%s): differs from serial" % (i, k, how))

    def test_filters_in_threads(self):
        """A Filter per thread, streaming in small pieces, several documents each."""
        docs = [common.read(p) for p in common.fixtures()]
        want = [winnow.clean_bytes(d) for d in docs]
        got = {}

        def work(i):
            out = []
            with winnow.Filter(report=True) as f:
                for d in docs:
                    step = 64 + i * 13
                    for j in range(0, len(d), step):
                        f.push(d[j:j + step])
                    f.end_document()
                    out.append(f.read())
                    f.removals()
            got[i] = out
        self.run_threads(work)
        for i in range(THREADS):
            self.assertEqual(got[i], want)

    def test_one_filter_shared_by_threads(self):
        """Calls from several threads on one Filter wait for one another (no lock of the
        caller's): each whole document pushed in one call comes out whole, none lost."""
        docs = [common.read(p) for p in common.fixtures()]
        f = winnow.Filter()

        def work(i):
            for d in docs:
                f.end_document(d)
        self.run_threads(work)
        out = f.read()
        f.close()
        want = [winnow.clean_bytes(d) for d in docs]
        self.assertEqual(len(out), sum(map(len, want)) * THREADS)
        for w in want:
            self.assertGreaterEqual(out.count(w), THREADS)

    def test_default_rules_made_once(self):
        """The first cleans in several threads at once share one built-in rule set."""
        seen = []
        barrier = threading.Barrier(THREADS)

        def work(i):
            barrier.wait()
            seen.append(winnow.rules.default_rules("fr"))
            winnow.clean("Une phrase de l'article.\n", languages="fr")
        self.run_threads(work)
        self.assertEqual(len({id(r) for r in seen}), 1)


if __name__ == "__main__":
    unittest.main()
