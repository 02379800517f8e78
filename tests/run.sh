#!/bin/sh
# run.sh: runs every test suite and sums their "N passed, N failed" lines into one.
# Usage: tests/run.sh BUILD_DIR [SANITIZER_BUILD_DIR]
#   BUILD_DIR: unit tests, CLI tests, golden corpus, case files (tests/cases), HTML corpus,
#   output with and without --no-prefilter, JSON Lines and lint, against BUILD_DIR/winnow, and
#   the Python binding over BUILD_DIR/libwinnow.so;
#   make install into a staging folder and what is built against it (tests/install.sh);
#   SANITIZER_BUILD_DIR: the unit and golden tests again under ASan and UBSan.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
broken=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# suite NAME COMMAND...: runs it, shows its output, adds its closing counts.
suite() {
  name=$1; shift
  echo "== $name"
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$counts" ]; then
    echo "FAIL $name: no result line (exit $rc)"
    failed=$((failed + 1)); broken="$broken $name"
    return
  fi
  p=${counts%% passed*}
  f=${counts#*passed, }; f=${f%% failed*}
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $name: exit $rc"
    failed=$((failed + 1))
  fi
  [ "$f" -ne 0 ] || [ "$rc" -ne 0 ] && broken="$broken $name"
}

run_build() {
  dir=$1; tag=$2; full=$3
  for t in "$dir"/tests/test_*; do
    [ -x "$t" ] || continue
    case $(basename "$t") in # the resolver's tests: loopback only, in a namespace of their own
    test_resolve | test_links | test_netguard | test_linkcache) suite "$tag unit $(basename "$t")" sh tests/netns.sh "$t" ;;
    *) suite "$tag unit $(basename "$t")" "$t" ;;
    esac
  done
  [ "$full" = yes ] && suite "$tag cli" sh tests/cli.sh "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/links-cli.sh ] && suite "$tag links cli" sh tests/netns.sh sh tests/links-cli.sh "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/redis-cache.sh ] && suite "$tag redis cache" sh tests/netns.sh sh tests/redis-cache.sh "$dir/winnow"
  [ -f tests/golden.sh ] && suite "$tag golden" sh tests/golden.sh "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/cases.py ] && suite "$tag cases" python3 tests/cases.py -q "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/html-corpus.sh ] && suite "$tag html corpus" sh tests/html-corpus.sh "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/prefilter-equal.sh ] && suite "$tag prefilter equal" sh tests/prefilter-equal.sh "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/jsonl.py ] && suite "$tag jsonl" python3 tests/jsonl.py "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/lint.py ] && suite "$tag lint" python3 tests/lint.py "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/restore.py ] && suite "$tag restore" python3 tests/restore.py "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/complexity.py ] && suite "$tag complexity" python3 tests/complexity.py "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/bounds.py ] && suite "$tag bounds" python3 tests/bounds.py "$dir/winnow"
  [ "$full" = yes ] && [ -f tests/encodings.py ] && suite "$tag encodings" python3 tests/encodings.py "$dir/winnow"
  # the Python binding over $dir/libwinnow.so (bindings/python), against $dir/winnow
  [ "$full" = yes ] && [ -f bindings/python/tests/run.py ] && suite "$tag python" python3 bindings/python/tests/run.py "$dir"
  # the Dask example (Debian's python3-distributed, seen by /usr/bin/python3), loopback only
  [ "$full" = yes ] && [ -x /usr/bin/python3 ] && [ -f tests/dask_example.py ] && suite "$tag dask" sh tests/netns.sh /usr/bin/python3 tests/dask_example.py "$dir"
  [ "$full" = yes ] && [ -f tests/install.sh ] && suite "$tag install" sh tests/install.sh "$dir"
}

run_build "${1:-build}" "" yes
# the fuzz targets, a short smoke run each after their regression inputs (make fuzz-bins)
if [ -n "${FUZZ_DIR:-}" ]; then
  suite "fuzz smoke" sh tests/fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-10}" "$FUZZ_DIR"
fi
if [ -n "${2:-}" ]; then
  # Any sanitizer report aborts the program, which fails its suite.
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_build "$2" "asan+ubsan" no
fi
echo
[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
