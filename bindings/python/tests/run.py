#!/usr/bin/env python3
# run.py [BUILD_DIR]: runs the Python binding's unittest suites against BUILD_DIR/libwinnow.so and
# BUILD_DIR/winnow (default build), and ends with the "N passed, N failed" line tests/run.sh sums.
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", "..", ".."))


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    if not os.path.isabs(build):
        build = os.path.join(root, build)
    os.environ.setdefault("WINNOW_LIBRARY", os.path.join(build, "libwinnow.so"))
    os.environ.setdefault("WINNOW_CLI", os.path.join(build, "winnow"))
    for need in (os.environ["WINNOW_LIBRARY"], os.environ["WINNOW_CLI"]):
        if not os.path.exists(need):
            print("run.py: %s missing (make %s)" % (need, os.path.relpath(need, root)))
            print("0 passed, 1 failed")
            return 1
    sys.path.insert(0, os.path.join(here, ".."))  # the package, from the source tree
    sys.path.insert(0, here)
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    for test, why in result.skipped:
        print("skipped %s: %s" % (test.id(), why))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
