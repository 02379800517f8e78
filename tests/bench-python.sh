#!/bin/sh
# bench-python.sh [BUILD_DIR]: the Python binding's figure for `make bench`: winnow.clean over the
# real corpus (repeated to BENCH_PY_MB, default 32 MB) in documents/s and MB/s against the CLI's.
# A benchmark, not a test: it prints ok or MISSED against the target (0.7x the CLI's MB/s).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build}
for f in "$build/libwinnow.so" "$build/winnow"; do
    [ -e "$f" ] || { echo "bench-python.sh: $f missing (make $f)" >&2; exit 2; }
done
BENCH_PY_MB=${BENCH_PY_MB:-32} python3 "$here/bench_python.py" "$build"
