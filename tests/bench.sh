#!/bin/sh
# bench.sh [WINNOW_BINARY]: winnow's speed and memory (a benchmark, not a test: it never fails
# on a missed target, it prints MISSED). Run by `make bench` from the repo root.
#  - generates (once; reused while size, seed and fixtures are unchanged, see the stamp file)
#    a corpus of >= 256 MB of article text in build/bench/, built from the project's own
#    fixtures tests/fixtures/text/*.in.txt, documents separated by form-feed lines: each
#    document is a fixture's boilerplate-bearing body inside 6-20 story paragraphs of news
#    length (150-700 bytes, made of the fixtures' kept sentences), so lines run as long as in
#    real scraped text; and a second, dense corpus of fixture paragraphs only (a stress case);
#  - winnow's throughput (wall clock, best of 3, `winnow < corpus > /dev/null`), cat's on the
#    same file as the physical reference, and winnow's peak RSS;
#  - winnow's peak RSS on a single 100 MB line (should be about 1-2x the line).
# Environment: BENCH_MB (default 256), BENCH_SEED (default 20240601), BENCH_RUNS (default 3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${1:-$root/winnow}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "bench.sh: $bin: not an executable (run make winnow)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench.sh: python3 is needed" >&2; exit 2; }

mb=${BENCH_MB:-256}
seed=${BENCH_SEED:-20240601}
runs=${BENCH_RUNS:-3}
line_mb=100
dir=$root/build/bench
corpus=$dir/corpus.txt
line=$dir/line100m.txt
mkdir -p "$dir"

fixtures=$(cat "$root"/tests/fixtures/text/*.in.txt | cksum | cut -d' ' -f1)
stamp="size=${mb}MB seed=$seed fixtures=$fixtures line=${line_mb}MB generator=3"

dense=$dir/dense.txt
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ] && [ -f "$corpus" ] && [ -f "$dense" ] && [ -f "$line" ]; then
    echo "corpus: reusing $corpus ($stamp)"
else
    echo "corpus: generating $corpus ($stamp)"
    rm -f "$dir/stamp"
    python3 - "$root/tests/fixtures/text" "$corpus" "$line" "$mb" "$seed" "$line_mb" <<'PY'
import os, random, sys
src, corpus, line, mb, seed, line_mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rng = random.Random(seed)
docs = []
for fn in sorted(os.listdir(src)):
    if fn.endswith('.in.txt'):
        t = open(os.path.join(src, fn), 'rb').read().replace(b'\r\n', b'\n')
        docs.append(t.rstrip(b'\n').split(b'\n'))
# Paragraph blocks (runs of non-blank lines) of every fixture, split into story blocks and the
# boilerplate-bearing ones, so generated documents mix the two like scraped articles do.
def blocks(lines):
    out, cur = [], []
    for l in lines:
        if l.strip():
            cur.append(l)
        elif cur:
            out.append(cur); cur = []
    if cur:
        out.append(cur)
    return out
titles = [d[0] for d in docs]
bodies = [blocks(d[1:]) for d in docs]
# Story sentences: the kept lines of the fixtures' gold files that read as prose.
sentences = []
for fn in sorted(os.listdir(src)):
    if fn.endswith('.gold.txt'):
        for l in open(os.path.join(src, fn), 'rb').read().replace(b'\r\n', b'\n').split(b'\n'):
            l = l.strip()
            if len(l) > 60 and l[-1:] in b'.!?"' and b'(@' not in l and b'http' not in l:
                sentences.append(l)
def paragraph():
    # News paragraphs run 1-4 sentences, 150-700 bytes (the real corpus: mean line 333 bytes)
    out = []
    while sum(len(x) + 1 for x in out) < rng.randrange(150, 700):
        out.append(sentences[rng.randrange(len(sentences))])
    return b' '.join(out)
def generate(path, dense):
    target = mb * 1024 * 1024
    size = 0
    with open(path + '.tmp', 'wb') as f:
        first = True
        while size < target:
            parts = []
            if not first:
                parts.append(b'\f\n')
            first = False
            parts.append(titles[rng.randrange(len(titles))] + b'\n\n')
            # the body of one fixture, in order (it keeps each embed and footer whole) ...
            main = bodies[rng.randrange(len(bodies))]
            extra = []
            if dense:
                # ... with story blocks of other fixtures spliced in before its last block
                for _ in range(rng.randrange(0, 6)):
                    b = bodies[rng.randrange(len(bodies))]
                    if len(b) > 1:
                        extra.append(b[rng.randrange(len(b) - 1)])
            else:
                # ... within an article of 6-20 ordinary paragraphs
                extra = [[paragraph()] for _ in range(rng.randrange(6, 21))]
            cut = rng.randrange(len(extra) + 1)
            doc = extra[:cut] + main[:-1] + extra[cut:] + main[-1:] if main else extra
            for b in doc:
                parts.append(b'\n'.join(b) + b'\n\n')
            chunk = b''.join(parts)
            f.write(chunk)
            size += len(chunk)
    os.replace(path + '.tmp', path)
generate(corpus, False)
generate(corpus.replace('corpus.txt', 'dense.txt'), True)
# One line of line_mb MB: story sentences with a short link now and then, then a newline.
words = [w for d in docs for l in d[1:] for w in l.split() if b'(@' not in w]
n = line_mb * 1024 * 1024
with open(line + '.tmp', 'wb') as f:
    size = 0
    buf = []
    while size < n:
        w = words[rng.randrange(len(words))]
        if rng.randrange(2000) == 0:
            w = b'https://t.co/' + b'%08x' % rng.randrange(1 << 32)
        buf.append(w)
        size += len(w) + 1
        if len(buf) >= 65536:
            f.write(b' '.join(buf) + b' ')
            buf = []
    f.write(b' '.join(buf) + b'\n')
os.replace(line + '.tmp', line)
PY
    echo "$stamp" >"$dir/stamp"
fi

. "$here/benchlib.sh"

mib=1048576
echo "warming the page cache"
cat "$corpus" "$line" >/dev/null

set -- $(measure cat "$corpus" "$runs" cat)
cat_mbs=$(awk -v b="$2" -v t="$3" 'BEGIN { printf "%.0f", b / 1e6 / t }')
set -- $(measure winnow "$corpus" "$runs" "$bin")
size=$2
win_t=$3
win_rss=$4
win_mbs=$(awk -v b="$size" -v t="$win_t" 'BEGIN { printf "%.1f", b / 1e6 / t }')
set -- $(measure winnow-dense "$dense" "$runs" "$bin")
dense_mbs=$(awk -v b="$2" -v t="$3" 'BEGIN { printf "%.1f", b / 1e6 / t }')
dense_rss=$4
set -- $(measure winnow-line "$line" 1 "$bin")
line_size=$2
line_rss=$4

verdict() { if [ "$1" = 1 ]; then echo ok; else echo MISSED; fi; }
ok_speed=$(awk -v v="$win_mbs" 'BEGIN { print (v >= 500) ? 1 : 0 }')
ok_rss=$(awk -v r="$win_rss" 'BEGIN { print (r < 16 * 1024) ? 1 : 0 }')
ratio=$(awk -v r="$line_rss" -v s="$line_size" 'BEGIN { printf "%.2f", r * 1024 / s }')
ok_line=$(awk -v x="$ratio" 'BEGIN { print (x <= 2.0) ? 1 : 0 }')

echo
echo "corpus: $corpus, $(awk -v s="$size" -v m=$mib 'BEGIN { printf "%.1f MiB", s / m }'), $(grep -c "$(printf '^\f$')" "$corpus" | awk '{ print $1 + 1 }') documents"
echo "winnow: $bin"
echo "  cat throughput      $cat_mbs MB/s (best of $runs; physical reference)"
echo "  winnow throughput   $win_mbs MB/s (best of $runs, $(printf '%.2f' "$win_t") s)   target >= 500 MB/s: $(verdict "$ok_speed")"
echo "  winnow peak RSS     $(awk -v r="$win_rss" 'BEGIN { printf "%.1f", r / 1024 }') MiB   target < 16 MiB: $(verdict "$ok_rss")"
echo "  dense boilerplate   $dense_mbs MB/s, peak RSS $(awk -v r="$dense_rss" 'BEGIN { printf "%.1f", r / 1024 }') MiB ($dense: every paragraph a fixture's, mean line ~66 bytes; a stress figure)"
echo "  one $line_mb MB line: peak RSS $(awk -v r="$line_rss" 'BEGIN { printf "%.1f", r / 1024 }') MiB = ${ratio}x the line   target <= 2x: $(verdict "$ok_line")"
