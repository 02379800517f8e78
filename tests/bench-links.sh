#!/bin/sh
# bench-links.sh: link-resolution throughput: 10,000 distinct short links through the mock
# shortener (50 ms added per response) with --jobs 64, then a warm-cache rerun against offline.
set -eu
cd "$(dirname "$0")/.."
N=${N:-10000}
JOBS=${JOBS:-64}
DELAY=${DELAY:-50}
WINNOW=${WINNOW:-./build/winnow}
tmp=$(mktemp -d /tmp/winnow-bench-links.XXXXXX)
mock=""
cleanup() { [ -n "$mock" ] && kill "$mock" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

python3 -c "
for i in range($N):
    print('Paragraph %d of the story, see http://bit.ly/bench/%d for more.' % (i, i))
" > "$tmp/in.txt"

mkfifo "$tmp/ports"
python3 tests/mock_shortener.py --forever --delay-ms "$DELAY" < /dev/null > "$tmp/ports" &
mock=$!
read port tls canary < "$tmp/ports"
map="--connect-to=bit.ly:80:127.0.0.1:$port"

now() { python3 -c 'import time; print(time.time())'; }
t0=$(now)
"$WINNOW" --resolve --jobs="$JOBS" "$map" --cache="$tmp/links.sqlite" "$tmp/in.txt" > "$tmp/out1.txt"
t1=$(now)
kill "$mock"; mock=""
resolved=$(grep -c 'https://www.example.com/b/' "$tmp/out1.txt" || true)
t2=$(now)
"$WINNOW" --resolve --offline --cache="$tmp/links.sqlite" "$tmp/in.txt" > "$tmp/out2.txt"
t3=$(now)
"$WINNOW" "$tmp/in.txt" > "$tmp/out3.txt"
t4=$(now)
cmp -s "$tmp/out1.txt" "$tmp/out2.txt" || echo "warning: warm-cache output differs" >&2
python3 - "$N" "$JOBS" "$DELAY" "$resolved" "$t0" "$t1" "$t2" "$t3" "$t4" <<'PY'
import sys
n, jobs, delay, ok = (int(x) for x in sys.argv[1:5])
t0, t1, t2, t3, t4 = (float(x) for x in sys.argv[5:])
rate = n / (t1 - t0)
limit = jobs / (delay / 1000.0)
print("resolve: %d links (%d resolved) in %.2f s = %.0f links/s; limit %d/%d ms = %.0f/s; "
      "ratio %.2f (target >= 0.85)" % (n, ok, t1 - t0, rate, jobs, delay, limit, rate / limit))
print("warm cache: %.3f s; offline: %.3f s; ratio %.2f (target <= 1.2)"
      % (t3 - t2, t4 - t3, (t3 - t2) / max(t4 - t3, 1e-9)))
PY
