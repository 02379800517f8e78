#!/bin/sh
# html-corpus.sh: runs `WINNOW_BINARY --format html` on every page of ../shared/corpus/html and
# checks NAME.expect: "+ phrase" must be in the output, "- phrase" must not (see its README).
# Usage: tests/html-corpus.sh WINNOW_BINARY; prints a FAIL line per failed check and the totals.
# WINNOW_ARGS (optional) adds options to each run, e.g. WINNOW_ARGS=--rules=extra.rules.
set -u
bin=${1:?usage: html-corpus.sh WINNOW_BINARY}
dir=$(dirname "$0")/../../shared/corpus/html
if [ ! -d "$dir" ]; then
  echo "html corpus: skipped (no ../shared)"
  echo "0 passed, 0 failed"
  exit 0
fi
# Byte-wise matching: phrases are UTF-8 and must match exactly, whatever the locale.
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# The README compares after collapsing runs of white space to one space, so the output becomes
# one line and a phrase matches wherever the page wrapped it.
collapse() {
  tr -s ' \t\n\r\f\v' '           '
}

passed=0 failed=0
for page in "$dir"/*.html; do
  [ -e "$page" ] || continue
  name=$(basename "$page" .html)
  expect=$dir/$name.expect
  [ -f "$expect" ] || continue
  ran=1
  "$bin" --format html ${WINNOW_ARGS:-} "$page" >"$tmp/out" 2>"$tmp/err" || ran=0
  if [ "$ran" = 0 ]; then
    echo "FAIL $name: $bin exited non-zero: $(head -n 1 "$tmp/err")"
  fi
  collapse <"$tmp/out" >"$tmp/flat"
  while IFS= read -r line || [ -n "$line" ]; do
    line=$(printf '%s' "$line" | tr -d '\r')
    case $line in
      '+ '*) want=present ;;
      '- '*) want=absent ;;
      *) continue ;;
    esac
    phrase=$(printf '%s' "${line#??}" | collapse)
    if grep -F -q -e "$phrase" "$tmp/flat"; then found=present; else found=absent; fi
    if [ "$ran" = 1 ] && [ "$found" = "$want" ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      if [ "$want" = present ]; then
        echo "FAIL $name: missing: $phrase"
      else
        echo "FAIL $name: still there: $phrase"
      fi
    fi
  done <"$expect"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
