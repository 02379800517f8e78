#!/bin/sh
# prefilter-equal.sh: the chunk scan and the rules' hints may only save work: winnow and winnow
# --no-prefilter must write the same bytes and --explain reports, per file and streamed.
# Usage: tests/prefilter-equal.sh PATH/TO/winnow   (prints "N passed, N failed" last)
set -u
W=${1:-./winnow}
case $W in /*) ;; *) W=$(pwd)/$W ;; esac
cd "$(dirname "$0")/.." || exit 2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
# shellcheck source=tests/testlib.sh
. tests/testlib.sh
SHARED=../shared/corpus

# same_run NAME ARGS... -- FILE: winnow with ARGS on FILE, with and without the prefilter:
# stdout, the --explain reports and the exit status must be equal.
same_run() {
  name=$1; shift
  "$W" "$@" >"$T/a.out" 2>"$T/a.err"; ra=$?
  "$W" --no-prefilter "$@" >"$T/b.out" 2>"$T/b.err"; rb=$?
  if cmp -s "$T/a.out" "$T/b.out" && cmp -s "$T/a.err" "$T/b.err" && [ $ra -eq $rb ]; then
    ok
  else
    bad "$name: --no-prefilter differs$([ $ra -eq $rb ] || echo " (exit $ra, $rb)")"
    diff "$T/a.out" "$T/b.out" | head -8
    diff "$T/a.err" "$T/b.err" | head -8
  fi
}

# The inputs: every fixture, and the shared corpus's documents and pages when present.
: >"$T/list"
find tests/fixtures -type f | LC_ALL=C sort >>"$T/list"
if [ -d "$SHARED" ]; then
  for f in "$SHARED"/real/*.in.txt "$SHARED"/authored/*.in.txt "$SHARED"/seed/*.in.txt \
    "$SHARED"/html/*; do
    case $f in *.expect | *'*'*) ;; *) [ -f "$f" ] && echo "$f" ;; esac
  done >>"$T/list"
else
  echo "shared corpus: skipped ($SHARED absent)"
fi
# And documents made of the case files' input lines, each followed by variants both modes must
# treat alike: indented, after a sentence, an invalid byte after its first character (where no
# line rule may match).
python3 - "$T" >>"$T/list" <<'EOF'
import glob, os, sys
for path in sorted(glob.glob("tests/cases/*/*.test")):
    lines, inp = [], False
    for raw in open(path, "rb").read().split(b"\n"):
        if raw.startswith(b"---") or raw.startswith(b"###"):
            inp = raw.startswith(b"--- in")
            continue
        if inp and raw.strip():
            lines += [raw, b"\t" + raw, b"The story goes on.  " + raw, raw[:1] + b"\xff" + raw]
    name = os.path.join(sys.argv[1], "variants-" + os.path.basename(path) + ".txt")
    with open(name, "wb") as out:
        out.write(b"Variants of the case inputs\n\n" + b"\n".join(lines) + b"\n")
    print(name)
EOF
n=$(wc -l <"$T/list")
check "at least 10 inputs ($n)" test "$n" -ge 10

# Each file, as one document: its output and what --explain reports (the stream below runs
# without --explain too).
while IFS= read -r f; do
  same_run "$f" --explain "$f"
done <"$T/list"

# One stream of them all, documents separated by form-feed lines (a document that does not end
# its last line gets a "\n" first, so the separator stands on a line of its own).
python3 - "$T/list" "$T/all" <<'EOF'
import sys
with open(sys.argv[1]) as lst, open(sys.argv[2], "wb") as out:
    for i, path in enumerate(lst.read().split("\n")):
        if not path:
            continue
        data = open(path, "rb").read()
        if i:
            out.write(b"\f\n")
        out.write(data)
        if data and not data.endswith(b"\n"):
            out.write(b"\n")
EOF
check "stream built" test -s "$T/all"

# pieces FILE: FILE to stdout in irregular pieces of 1 to 4000 bytes, each written on its own
# (with now and then a pause, so that reads end in the middle of lines and documents).
pieces() {
  python3 - "$1" <<'EOF'
import os, random, sys, time
data = open(sys.argv[1], "rb").read()
rnd = random.Random(20240531)
pos = 0
while pos < len(data):
    n = rnd.randint(1, 4000) if rnd.random() < 0.8 else rnd.randint(1, 40)
    os.write(1, data[pos:pos + n])
    pos += n
    if rnd.random() < 0.2:
        time.sleep(0.0005)
EOF
}

for opts in "" "--embeds=keep" "--links=keep"; do
  tag="stream${opts:+ $opts}"
  # a regular file: winnow knows where it ends (winnow_filter_push_last)
  # shellcheck disable=SC2086
  "$W" $opts --explain - <"$T/all" >"$T/file.out" 2>"$T/file.err"; rf=$?
  # shellcheck disable=SC2086
  "$W" $opts --no-prefilter --explain - <"$T/all" >"$T/filen.out" 2>"$T/filen.err"; rn=$?
  check "$tag: regular file, exit 0" test $rf -eq 0 -a $rn -eq 0
  check "$tag: regular file, output the same with --no-prefilter" same "$T/file.out" "$T/filen.out"
  check "$tag: regular file, reports the same with --no-prefilter" same "$T/file.err" "$T/filen.err"
  # a pipe fed in small irregular pieces
  for pf in "" "--no-prefilter"; do
    # shellcheck disable=SC2086
    pieces "$T/all" | "$W" $opts $pf --explain >"$T/pipe.out" 2>"$T/pipe.err"
    check "$tag ${pf:-(prefilter)}: pipe in pieces, output as from the file" same "$T/file.out" "$T/pipe.out"
    check "$tag ${pf:-(prefilter)}: pipe in pieces, reports as from the file" same "$T/file.err" "$T/pipe.err"
  done
  # and the file itself, named (run_stream splits it at the same form feeds)
  # shellcheck disable=SC2086
  same_run "$tag: named file" $opts "$T/all"
done
# not vacuous: the stream is large, and the filter removed something from it
check "stream: over 100 KB" test "$(wc -c <"$T/all")" -gt 100000
check "stream: removals reported" test "$(wc -l <"$T/file.err")" -gt 50
finish
