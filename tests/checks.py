"""checks.py: what the Python test suites (jsonl.py, lint.py) share: the pass/fail counts with
the closing "N passed, N failed" line that tests/run.sh sums, and golden.sh's comparison."""

counts = {"passed": 0, "failed": 0}


def check(cond, what):
    """Counts a check; a failed one is shown as FAIL <what>."""
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAIL " + what)


def finish():
    """Prints the closing counts; the exit status to return."""
    print("%d passed, %d failed" % (counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


def norm(text):
    """As tests/golden.sh compares: no CR, no trailing blanks, no blank lines."""
    return [l.rstrip() for l in text.replace("\r", "").split("\n") if l.rstrip()]
