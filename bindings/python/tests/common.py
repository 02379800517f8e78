# common.py: what the binding's test suites share: the CLI to compare with, the documents (the
# project's fixtures, always; ../shared/corpus sets when present) and the CLI's output for each.
import functools
import glob
import os
import subprocess

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", "..", ".."))
shared = os.path.normpath(os.path.join(root, "..", "shared"))
CORPUS_SETS = ("seed", "real", "authored")


def cli():
    return os.environ.get("WINNOW_CLI", os.path.join(root, "build", "winnow"))


def fixtures():
    """tests/fixtures/text/*.in.txt, sorted."""
    return sorted(glob.glob(os.path.join(root, "tests", "fixtures", "text", "*.in.txt")))


def corpus(set_name):
    """../shared/corpus/SET/*.in.txt, or None when ../shared (or the set) is not there."""
    d = os.path.join(shared, "corpus", set_name)
    if not os.path.isdir(d):
        return None
    return sorted(glob.glob(os.path.join(d, "*.in.txt")))


@functools.lru_cache(maxsize=None)
def cli_output(path, *args):
    """`winnow [ARGS] PATH`'s standard output, bytes (the run must succeed)."""
    run = subprocess.run([cli(), *args, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if run.returncode != 0:
        raise AssertionError("%s %s: exit %d: %s" % (cli(), path, run.returncode,
                                                     run.stderr.decode(errors="replace")))
    return run.stdout


def read(path):
    with open(path, "rb") as f:
        return f.read()


def all_documents():
    """Every document the suites compare: fixtures, then each corpus set present."""
    docs = list(fixtures())
    for s in CORPUS_SETS:
        docs += corpus(s) or []
    return docs
