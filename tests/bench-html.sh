#!/bin/sh
# bench-html.sh [WINNOW_BINARY]: winnow's speed and memory on HTML input (a benchmark, not a
# test: it never fails on a missed target, it prints MISSED). Run from the repo root after
# `make winnow`.
#  - builds (once; reused while size and pages are unchanged, see the stamp file) a corpus of
#    >= 100 MB in build/bench-html/ by repeating the real pages of ../shared/corpus/html (read
#    in place) as separate documents: one stream, pages separated by form-feed lines, which
#    the CLI splits on and the default --format auto detects as HTML page by page;
#  - winnow's throughput (wall clock, best of 3, `winnow < corpus > /dev/null`), cat's on the
#    same file as the physical reference, and winnow's peak RSS.
# Targets: >= 100 MB/s and <= 24 MB peak RSS.
# Environment: BENCH_HTML_MB (default 128, at least 100), BENCH_RUNS (default 3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pages=$root/../shared/corpus/html
if [ ! -d "$pages" ]; then
    echo "html bench: skipped (no ../shared)"
    exit 0
fi
bin=${1:-$root/winnow}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "bench-html.sh: $bin: not an executable (run make winnow)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench-html.sh: python3 is needed" >&2; exit 2; }

mb=${BENCH_HTML_MB:-128}
[ "$mb" -ge 100 ] || mb=100
runs=${BENCH_RUNS:-3}
dir=$root/build/bench-html
corpus=$dir/corpus.html
mkdir -p "$dir"

sum=$(cat "$pages"/*.html | cksum | cut -d' ' -f1)
stamp="size=${mb}MB pages=$sum generator=1"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ] && [ -f "$corpus" ]; then
    echo "corpus: reusing $corpus ($stamp)"
else
    echo "corpus: generating $corpus ($stamp)"
    rm -f "$dir/stamp"
    python3 - "$pages" "$corpus" "$mb" <<'PY'
import os, sys
src, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = []
for fn in sorted(os.listdir(src)):
    if fn.endswith('.html'):
        b = open(os.path.join(src, fn), 'rb').read()
        # A page must not contain the separator line itself; none of the real pages does.
        assert b'\n\f\n' not in b and not b.startswith(b'\f\n'), fn
        docs.append(b if b.endswith(b'\n') else b + b'\n')
target = mb * 1000 * 1000
with open(out + '.tmp', 'wb') as f:
    n = 0
    while n < target:
        for d in docs:
            f.write(d)
            f.write(b'\f\n')
            n += len(d) + 2
os.rename(out + '.tmp', out)
PY
    echo "$stamp" >"$dir/stamp"
fi

. "$here/benchlib.sh"

set -- $(measure cat "$corpus" "$runs" cat)
size=$2
tcat=$3
set -- $(measure winnow "$corpus" "$runs" "$bin")
twin=$3
rss=$4
docs=$(grep -c "$(printf '^\f$')" "$corpus")
awk -v size="$size" -v tcat="$tcat" -v twin="$twin" -v rss="$rss" -v docs="$docs" \
    -v runs="$runs" 'BEGIN {
    mb = size / 1e6; rate = mb / twin; rss_mb = rss / 1024
    printf "corpus: %.1f MB, %d pages (real pages of ../shared/corpus/html, repeated)\n", mb, docs
    printf "cat:    %.3f s  %.0f MB/s (reference)\n", tcat, mb / tcat
    printf "winnow: %.3f s  %.1f MB/s (best of %d, wall clock)%s\n", twin, rate, runs,
        (rate >= 100) ? "" : "  MISSED (target >= 100 MB/s)"
    printf "peak RSS: %.1f MB%s\n", rss_mb, (rss_mb <= 24) ? "" : "  MISSED (target <= 24 MB)"
}'
