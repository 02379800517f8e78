#!/bin/sh
# bench.sh [WINNOW_BINARY]: winnow's speed and memory against cat's, in one run on one machine
# (a benchmark, not a test: it never fails on a missed target, it prints ok or MISSED). Run by
# `make bench` from the repo root.
#  - corpora in build/bench/ (generated once by tests/bench_corpus.py, reused while size, seed,
#    sources and generator are unchanged, see the NAME.stamp files), documents separated by
#    form-feed lines, BENCH_MB MiB each:
#      reallike  boilerplate-dense real-like text, from tests/fixtures/text: every fixture's
#                boilerplate-bearing body with 1-5 story paragraphs of news length (winnow
#                removes about as much of it as of ../shared/corpus/real: 11% of the bytes);
#      clean     article text only: news-length paragraphs of the fixtures' gold lines, 3-8 KB
#                documents (winnow removes nothing);
#      real      ../shared/corpus/real/*.in.txt (read in place, never copied into the repo)
#                repeated; skipped when ../shared is absent (a fresh clone);
#      stress    every paragraph a fixture's (mean line ~40 bytes), a stress figure, no target;
#      line100m  one 100 MiB line (the peak RSS check: about 1-2x the line);
#  - throughput through the same pipes for all: the pipeline `cat IN | X | cat >/dev/null`
#    for X = cat (the reference) and X = winnow, BENCH_RUNS rounds (the two take turns), min
#    and median wall clock, MB/s (10^6 bytes), the ratio winnow/cat, and winnow's own user CPU
#    and peak RSS (wait4 on the winnow process of the pipeline);
#  - the per-stage CPU split: winnow's user CPU with --no-prefilter (no chunk scan: every line
#    takes the per-line stages) and --no-default-rules (no rules: framing, UTF-8, the passes
#    with nothing to find, writing) beside the full run, and the start-up (empty input);
#  - a perf profile grouped by source file and library when perf can sample here;
#  - the hostile lines of tests/cli.sh at 1x and 4x their size (linear: ~4x the CPU time);
#  - the targets: winnow >= 0.4x cat on the boilerplate-dense corpora, >= 0.7x on clean
#    text, peak RSS < 16 MiB, the 100 MiB line <= 2x, hostile lines linear.
# Environment: BENCH_MB (default 256), BENCH_SEED (default 20240601), BENCH_RUNS (default 3),
# BENCH_SPLIT_RUNS (default 1: the --no-prefilter/--no-default-rules runs and the stress
# corpus; 3 of them would add minutes), BENCH_PERF (auto: when perf works; 0: never).
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
split_runs=${BENCH_SPLIT_RUNS:-1}
perf_mode=${BENCH_PERF:-auto}
dir=$root/build/bench
fixtures=$root/tests/fixtures/text
real_src=$root/../shared/corpus/real
gen=$here/bench_corpus.py
res=$dir/results.txt
mkdir -p "$dir"
# the files of the previous generator (one stamp for all)
rm -f "$dir/corpus.txt" "$dir/dense.txt" "$dir/stamp" "$dir/line100m.txt.tmp"

. "$here/benchlib.sh"

gen_sum=$(cksum <"$gen" | cut -d' ' -f1)
fix_sum=$(cat "$fixtures"/*.txt | cksum | cut -d' ' -f1)

# corpus NAME KIND MiB SRC SRC_SUM: $dir/NAME.txt, generated unless its stamp matches
corpus() {
    out=$dir/$1.txt
    stamp="kind=$2 size=${3}MiB seed=$seed src=$5 generator=$gen_sum"
    if [ -f "$out" ] && [ -f "$dir/$1.stamp" ] && [ "$(cat "$dir/$1.stamp")" = "$stamp" ]; then
        echo "corpus: reusing $out ($stamp)"
    else
        echo "corpus: generating $out ($stamp)"
        rm -f "$dir/$1.stamp"
        python3 "$gen" "$2" "$out" "$3" "$seed" "$4"
        echo "$stamp" >"$dir/$1.stamp"
    fi
}

corpus reallike reallike "$mb" "$fixtures" "$fix_sum"
corpus clean clean "$mb" "$fixtures" "$fix_sum"
have_real=0
if ls "$real_src"/*.in.txt >/dev/null 2>&1; then
    corpus real real "$mb" "$real_src" "$(cat "$real_src"/*.in.txt | cksum | cut -d' ' -f1)"
    have_real=1
else
    echo "corpus: real: skipped (no ../shared/corpus/real here, as in a fresh clone)"
fi
corpus stress stress "$mb" "$fixtures" "$fix_sum"
corpus line100m line 100 "$fixtures" "$fix_sum"
# JSON Lines: the real-like documents as records (issue 9: at least 0.8x the plain text's speed)
corpus jsonl jsonl "$mb" "$dir/reallike.txt" "$(cat "$dir/reallike.stamp" | cksum | cut -d' ' -f1)"

names="reallike clean"
[ "$have_real" = 1 ] && names="$names real"

echo "warming the page cache"
for n in $names stress line100m; do cat "$dir/$n.txt" >/dev/null; done

: >"$res"
# record CORPUS RUNS LABEL... -- PIPELINE_ARGS...: one results line per label
record() {
    c=$1 r=$2
    shift 2
    labels=
    while [ "$1" != -- ]; do labels="$labels $1"; shift; done
    shift
    pipeline "$dir/$c.txt" "$r" "$@" >"$dir/out.tmp"
    for l in $labels; do echo "$c $l $r"; done | paste -d' ' - "$dir/out.tmp" >>"$res"
}

for n in $names; do
    echo "measuring $n: cat | cat | cat and cat | winnow | cat, $runs rounds"
    record "$n" "$runs" cat winnow -- cat :: "$bin"
done
echo "measuring stress: $split_runs round(s)"
record stress "$split_runs" cat winnow -- cat :: "$bin"
# a binary from before the chunk scan has no --no-prefilter: its split is left out
if "$bin" --help 2>/dev/null | grep -q -- --no-prefilter; then
    for n in $names; do
        echo "measuring $n: winnow --no-prefilter, --no-default-rules, $split_runs round(s)"
        record "$n" "$split_runs" no-prefilter no-rules -- "$bin" --no-prefilter :: "$bin" --no-default-rules
    done
else
    echo "per-stage split: skipped ($bin has no --no-prefilter)"
fi
echo "measuring jsonl: cat | winnow | cat, $runs rounds"
record jsonl "$runs" winnow -- "$bin"
# -j: 64 files of the real-like corpus, -j 1 against -j 2 (issue 9: at least 1.7x on 2 cores)
if "$bin" --help 2>/dev/null | grep -q -- --parallel; then
    echo "measuring -j 1 and -j 2 over 64 files, $runs rounds"
    python3 - "$dir" "$bin" "$runs" >>"$res" <<'PY'
import os, subprocess, sys, time
d, binp, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(os.path.join(d, 'reallike.txt'), 'rb').read()
step, pos, paths = len(data) // 64, 0, []
os.makedirs(os.path.join(d, 'files64'), exist_ok=True)
for i in range(64):
    end = len(data) if i == 63 else data.find(b'\n\f\n', pos + step) + 3
    p = os.path.join(d, 'files64', 'f%02d.txt' % i)
    open(p, 'wb').write(data[pos:end])
    paths.append(p)
    pos = end
for j in (1, 2):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([binp, '-j%d' % j] + paths, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    times.sort()
    print('files64 jobs%d %d %d %.6f %.6f 0 0 0 0' % (j, runs, len(data), times[0], times[len(times) // 2]))
PY
    rm -rf "$dir/files64"
fi
echo "measuring the start-up (empty input) and the 100 MiB line"
pipeline /dev/null "$runs" "$bin" | sed "s/^/startup winnow $runs /" >>"$res"
record line100m 1 winnow -- "$bin"

# the hostile lines of tests/cli.sh, at 1x and 4x (4x the size should take ~4x the time)
echo "measuring the hostile lines of tests/cli.sh at 1x and 4x"
for k in 1 4; do
    python3 - "$dir" "$k" <<'PY'
import sys
d, k = sys.argv[1], int(sys.argv[2])
parts, size, i = [], 0, 0
while size < 10_000_000 * k:  # glued posts, no two sentences alike
    u = ("Alpha %d goes here. Beta %d follows now. Gamma %d ends it! Post %d text here.  "
         "Jane Doe (@jane) May 1, 2019" % (i, i, i, i)).encode()
    parts.append(u); size += len(u); i += 1
open(f'{d}/hostile-glued-{k}.txt', 'wb').write(b''.join(parts) + b'\n')
open(f'{d}/hostile-at-{k}.txt', 'wb').write(b'  (@x ' * (1_000_000 * k) + b'\n')
open(f'{d}/hostile-brackets-{k}.txt', 'wb').write(b'see http://x.com/a?b=1' + b')' * (4_000_000 * k) + b'\n')
PY
    for h in glued at brackets; do
        record "hostile-$h-$k" 2 winnow -- "$bin"
        rm -f "$dir/hostile-$h-$k.txt"
    done
done

# perf: where the time goes on the real-like corpus, by source file and library (optional)
perf_ev=
perf_note=
if [ "$perf_mode" = 0 ]; then
    perf_note="skipped (BENCH_PERF=0)"
elif ! command -v perf >/dev/null 2>&1; then
    perf_note="skipped (no perf)"
elif perf stat -x, -e instructions true 2>&1 >/dev/null | grep -q '^[0-9]'; then
    perf_ev=instructions
elif perf record -q -e cpu-clock -o "$dir/perf.check" -- true >/dev/null 2>&1; then
    perf_ev=cpu-clock
    perf_note="instructions are not counted here: cpu-clock samples instead"
else
    perf_note="skipped (perf cannot count instructions or sample cpu-clock here)"
fi
rm -f "$dir/perf.txt" "$dir/perf.data" "$dir/perf.data.old" "$dir/perf.check" "$dir/perf.check.old"
if [ -n "$perf_ev" ]; then
    echo "profiling winnow on reallike with perf ($perf_ev)"
    if perf record -q -e "$perf_ev" -o "$dir/perf.data" -- "$bin" <"$dir/reallike.txt" >/dev/null 2>"$dir/perf.err" &&
        perf report -i "$dir/perf.data" --stdio --sort dso,sym -t '|' >"$dir/perf.txt" 2>/dev/null; then
        nm -l --defined-only "$bin" >"$dir/nm.txt" 2>/dev/null || : >"$dir/nm.txt"
    else
        perf_note="perf failed: $(head -n 1 "$dir/perf.err")"
        rm -f "$dir/perf.txt"
    fi
fi

rev=$(cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown)
python3 - "$res" "$bin" "$rev" "$have_real" "$runs" "$split_runs" "$dir" "$perf_ev" "$perf_note" <<'PY'
import math, os, re, sys
resf, binp, rev, have_real, runs, split_runs, d, perf_ev, perf_note = sys.argv[1:]
R = {}
for ln in open(resf):
    c, label, r, size, wmin, wmed, umin, umed, smin, rss = ln.split()
    R[c, label] = dict(runs=int(r), size=int(size), wmin=float(wmin), wmed=float(wmed),
                       umin=float(umin), umed=float(umed), smin=float(smin), rss=int(rss))
mib = 1 << 20
names = [('reallike', 'real-like dense (fixtures)'), ('clean', 'clean article text'),
         ('real', 'real (../shared, repeated)'), ('stress', 'stress (fixtures only)')]
names = [(c, t) for c, t in names if (c, 'winnow') in R]

def docs(c):
    n, tail = 1, b''
    with open(os.path.join(d, c + '.txt'), 'rb') as f:
        while True:
            b = f.read(1 << 24)
            if not b:
                return n
            n += (tail + b).count(b'\n\f\n')
            tail = b[-2:]

def verdict(ok):
    return 'ok' if ok else 'MISSED'

try:
    load = open('/proc/loadavg').read().split()[0]
except OSError:
    load = '?'
print()
print(f'winnow {binp} ({rev}), {os.cpu_count()} CPUs, load {load}')
print(f'pipeline: sh -c \'cat IN | X | cat >/dev/null\' (the same processes and pipes), '
      f'X = cat (the reference) or winnow;')
print(f'wall clock of the whole pipeline, {runs} rounds (cat and winnow take turns), min and '
      f'median; MB = 10^6 bytes; x cat = winnow MB/s / cat MB/s; user CPU, peak RSS: the X process')
print()
hdr = (f'{"corpus":28} {"size":>8} {"docs":>7}  {"X":6} {"runs":>4} {"min s":>7} {"med s":>7} '
       f'{"MB/s min":>8} {"MB/s med":>8} {"x cat min":>9} {"x cat med":>9} {"user s":>7} {"RSS MiB":>7}')
print(hdr)
print('-' * len(hdr))
for c, title in names:
    cat, win = R[c, 'cat'], R[c, 'winnow']
    mbytes = win['size'] / 1e6
    for label, m in (('cat', cat), ('winnow', win)):
        head = f'{title:28} {m["size"] / mib:>4.0f} MiB {docs(c):>7}' if label == 'cat' else ' ' * 45
        ratio = ('', '') if label == 'cat' else (f'{cat["wmin"] / m["wmin"]:.3f}', f'{cat["wmed"] / m["wmed"]:.3f}')
        print(f'{head}  {label:6} {m["runs"]:>4} {m["wmin"]:>7.3f} {m["wmed"]:>7.3f} '
              f'{mbytes / m["wmin"]:>8.1f} {mbytes / m["wmed"]:>8.1f} {ratio[0]:>9} {ratio[1]:>9} '
              f'{m["umin"]:>7.2f} {m["rss"] / 1024:>7.1f}')

print()
print(f'per-stage CPU split: user CPU of the winnow process (s); full: least of {runs} runs; '
      f'--no-prefilter and --no-default-rules: {split_runs} run(s) (BENCH_SPLIT_RUNS)')
up = R['startup', 'winnow']
hdr = (f'{"corpus":28} {"full":>7} {"--no-prefilter":>14} {"--no-default-rules":>18}   '
       f'{"scan saves":>16} {"rules+passes":>12} {"(no scan)":>9}  {"bare machinery":>19}')
print(hdr)
print('-' * len(hdr))
for c, title in names:
    if (c, 'no-prefilter') not in R:
        continue
    full, npf, nr = R[c, 'winnow']['umin'], R[c, 'no-prefilter']['umin'], R[c, 'no-rules']['umin']
    saves = npf - full
    print(f'{title:28} {full:>7.2f} {npf:>14.2f} {nr:>18.2f}   '
          f'{saves:>7.2f} ({100 * saves / npf if npf else 0:>4.0f}%) '
          f'{full - nr:>12.2f} {npf - nr:>9.2f}  {nr:>7.2f} ({100 * nr / full if full else 0:>3.0f}% of full)')
print(f'  scan saves = --no-prefilter - full; rules+passes = full - --no-default-rules (with the '
      f'chunk scan; "no scan": --no-prefilter - --no-default-rules);')
print(f'  bare machinery = --no-default-rules (framing, UTF-8, passes with nothing to find, writing); '
      f'start-up (empty input, rules compiled): {up["umin"]:.3f} s user, {up["wmin"]:.3f} s wall, '
      f'peak RSS {up["rss"] / 1024:.1f} MiB')

print()
perf_txt = os.path.join(d, 'perf.txt')
if perf_ev and os.path.exists(perf_txt):
    src = {}
    for ln in open(os.path.join(d, 'nm.txt'), errors='replace'):
        f = ln.split()
        if len(f) >= 4 and '/' in f[3]:
            src[f[2]] = os.path.basename(f[3].rsplit(':', 1)[0])
    groups, syms = {}, []
    bname = os.path.basename(binp)
    for ln in open(perf_txt, errors='replace'):
        if ln.startswith('#') or '|' not in ln:
            continue
        f = [x.strip() for x in ln.split('|')]
        if len(f) < 3 or not f[0].endswith('%'):
            continue
        pct, dso, sym = float(f[0][:-1]), f[1], re.sub(r'^\[.\] ', '', f[2])
        base = re.sub(r'\.(part|isra|constprop|cold|lto_priv)(\.\d+)?', '', sym)
        if dso == bname and base in src:
            g = 'winnow ' + src[base]
        elif dso == bname:
            g = 'winnow (other)'
        elif dso.startswith('libhs'):
            g = 'Vectorscan (libhs)'
        elif dso.startswith('libpcre2'):
            g = 'PCRE2 (libpcre2)'
        elif dso.startswith('libc.'):
            if re.match(r'_*(mem|str|wmem)', base):
                g = 'libc mem*/str*'
            elif re.match(r'_*(IO|f?write|f?read|fflush|fputs|putc|getc|f?getline)', base):
                g = 'libc stdio'
            elif re.search(r'malloc|free|realloc|calloc|_int_', base):
                g = 'libc malloc'
            else:
                g = 'libc other'
        elif dso.startswith('[kernel') or sym.startswith('[k]'):
            g = 'kernel (read, write, page faults)'
        elif dso.startswith('ld-linux'):
            g = 'dynamic loader (start-up)'
        elif dso in ('[unknown]', '[JIT]') or dso.startswith('[JIT') or dso.startswith('perf-'):
            g = 'JIT code (PCRE2 patterns) / unknown'
        else:
            g = dso
        groups[g] = groups.get(g, 0) + pct
        syms.append((pct, dso, sym))
    print(f'perf profile of `winnow < reallike.txt` ({perf_ev}{"" if perf_ev == "instructions" else " samples"}), '
          f'by source file (winnow\'s own symbols, inlined code counted in its caller) and library:')
    if perf_note:
        print(f'  ({perf_note})')
    for g, p in sorted(groups.items(), key=lambda x: -x[1]):
        if p >= 0.5:
            print(f'  {p:5.1f}%  {g}')
    print('  top symbols: ' + ', '.join(f'{s} {p:.1f}%' for p, _, s in sorted(syms, reverse=True)[:10]))
else:
    print(f'perf profile: {perf_note}')

print()
print('targets (x cat: the ratio of the least wall clock of each, ' + runs + ' rounds):')
def ratio(c):
    return R[c, 'cat']['wmin'] / R[c, 'winnow']['wmin']
for c, title, t in (('reallike', 'real-like dense (fixtures)', 0.4), ('real', 'real (../shared)', 0.4),
                    ('clean', 'clean article text', 0.7)):
    if (c, 'winnow') in R:
        print(f'  {title:28} winnow {ratio(c):.3f}x cat   target >= {t}x: {verdict(ratio(c) >= t)}')
    else:
        print(f'  {title:28} skipped (no ../shared/corpus/real)')
if ('jsonl', 'winnow') in R:
    a, b = R['reallike', 'winnow'], R['jsonl', 'winnow']
    x = a['wmin'] / b['wmin']
    print(f'  {"JSON Lines (real-like docs)":28} {b["size"] / 1e6 / b["wmin"]:.1f} MB/s, '
          f'{b["wmin"]:.3f} s against {a["wmin"]:.3f} s for the same documents as text = '
          f'{x:.2f}x   target >= 0.8x: {verdict(x >= 0.8)}')
if ('files64', 'jobs2') in R:
    a, b = R['files64', 'jobs1'], R['files64', 'jobs2']
    x = a['wmin'] / b['wmin']
    print(f'  {"-j 2 over 64 files":28} {b["wmin"]:.3f} s against -j 1 {a["wmin"]:.3f} s = '
          f'{x:.2f}x   target >= 1.7x: {verdict(x >= 1.7)}')
worst = max((R[c, 'winnow']['rss'], t) for c, t in names)
print(f'  {"peak RSS":28} {worst[0] / 1024:.1f} MiB (the most, on {worst[1]})   target < 16 MiB: '
      f'{verdict(worst[0] < 16 * 1024)}')
ln = R['line100m', 'winnow']
x = ln['rss'] * 1024 / ln['size']
print(f'  {"one 100 MiB line":28} peak RSS {ln["rss"] / 1024:.1f} MiB = {x:.2f}x the line   target <= 2x: {verdict(x <= 2.0)}')
lin = []
for h, what in (('glued', '10/40 MB of glued posts'), ('at', "6/24 MB of '(@'"),
                ('brackets', 'URL + 4/16 M brackets')):
    a, b = R[f'hostile-{h}-1', 'winnow'], R[f'hostile-{h}-4', 'winnow']
    t0 = up['umin'] + up['smin']  # the start-up, the same for both
    ta, tb = a['umin'] + a['smin'] - t0, b['umin'] + b['smin'] - t0
    lin.append((what, tb / ta if ta > 0 else float('inf'), ta, tb))
print(f'  {"hostile lines (cli.sh) x4":28} ' + '; '.join(f'{w}: {ta:.2f} -> {tb:.2f} s = {r:.1f}x' for w, r, ta, tb in lin))
print(f'  {"":28} (CPU, user+sys, less the start-up; least of 2 runs) '
      f'target: 4x the line takes <= 6x the CPU (linear 4x, quadratic 16x): '
      f'{verdict(all(r <= 6 for _, r, _, _ in lin))}')
PY
rm -f "$dir/out.tmp" "$dir/perf.err"
