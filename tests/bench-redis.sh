#!/bin/sh
# bench-redis.sh [WINNOW_BINARY]: the link cache in Redis against the SQLite file (a benchmark,
# not a test: MISSED for a missed target, exit 0). A redis-server of its own on 127.0.0.1 (no
# persistence) and tests/mock_shortener.py, every link's host mapped onto the mock.
#  - warm rerun: N (10,000) links already cached, the mock stopped: Redis against SQLite, best
#    of RUNS each; target: within 1.5x;
#  - a fleet: M (1,000) links, DELAY (50) ms a response, 4 processes at once sharing Redis
#    against 4 each with an SQLite file of its own, and one process alone; target: the mock
#    asked once a link with Redis, and the fleet's time near one process's.
# Environment: N, M, DELAY, RUNS (3), JOBS (64).
set -u
cd "$(dirname "$0")/.." || exit 0
N=${N:-10000}
M=${M:-1000}
DELAY=${DELAY:-50}
RUNS=${RUNS:-3}
JOBS=${JOBS:-64}
W=${1:-./winnow}
case $W in /*) ;; *) W=$(pwd)/$W ;; esac
[ -x "$W" ] || { echo "bench-redis.sh: $W: not an executable (run make winnow)" >&2; exit 0; }
for t in python3 redis-server redis-cli; do
  command -v $t >/dev/null || { echo "bench-redis.sh: skipped ($t missing: make deps)"; exit 0; }
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy REDIS_PASSWORD
tmp=$(mktemp -d /tmp/winnow-bench-redis.XXXXXX)
mock="" redis=""
cleanup() { for p in $mock $redis; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null 2>&1 &
redis=$!
for _ in $(seq 1 50); do redis-cli -p "$rport" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
R="redis://127.0.0.1:$rport/0"
mkfifo "$tmp/ports"
python3 tests/mock_shortener.py --forever --delay-ms "$DELAY" </dev/null >"$tmp/ports" &
mock=$!
read -r port tlsport canary <"$tmp/ports"
NET="--resolve --jobs=$JOBS --connect-to=bit.ly:80:127.0.0.1:$port"
requests() {
  python3 -c "import urllib.request as u
print(u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:$port/_oncestats', timeout=5).read().split()[1].decode())"
}
links() { # FILE FROM COUNT
  python3 -c "import sys
a, n = int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[1], 'w') as f:
    for i in range(a, a + n):
        f.write('Paragraph %d of the story, see http://bit.ly/once/%d for more.\n' % (i, i))" "$@"
}
# best RUNS CMD...: best wall-clock seconds of RUNS runs
best() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
runs, cmd, b = int(sys.argv[1]), sys.argv[2:], None
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = time.perf_counter() - t
    b = t if b is None else min(b, t)
print('%.4f' % b)
PY
}
# fleet K CACHE_KIND FILE: seconds for K processes at once (each its own SQLite, or Redis)
fleet() {
  python3 - "$W" "$1" "$2" "$3" "$tmp" "$R" $NET <<'PY'
import subprocess, sys, time
w, k, kind, path, tmp, r, net = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:]
t = time.perf_counter()
ps = [subprocess.Popen([w] + net + ['--cache=' + (r if kind == 'redis' else '%s/own%d.sqlite' % (tmp, i)), path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(k)]
for p in ps:
    p.wait()
print('%.4f' % (time.perf_counter() - t))
PY
}

# --- warm reruns -------------------------------------------------------------------------------
links "$tmp/n.txt" 0 "$N"
"$W" $NET --cache="$tmp/warm.sqlite" "$tmp/n.txt" >/dev/null 2>&1
"$W" $NET --cache="$R" "$tmp/n.txt" >/dev/null 2>&1
"$W" --resolve --offline --cache="$tmp/warm.sqlite" "$tmp/n.txt" >"$tmp/s.out" 2>/dev/null
"$W" --resolve --offline --cache="$R" "$tmp/n.txt" >"$tmp/r.out" 2>/dev/null
cmp -s "$tmp/s.out" "$tmp/r.out" || echo "warning: the Redis warm run's output differs from SQLite's" >&2
t_sqlite=$(best "$RUNS" "$W" $NET --cache="$tmp/warm.sqlite" "$tmp/n.txt")
t_redis=$(best "$RUNS" "$W" $NET --cache="$R" "$tmp/n.txt")

# --- a fleet of 4 --------------------------------------------------------------------------------
links "$tmp/m1.txt" 100000 "$M"
links "$tmp/m4s.txt" 200000 "$M"
links "$tmp/m4r.txt" 300000 "$M"
r0=$(requests)
t_one=$(fleet 1 sqlite "$tmp/m1.txt")
r1=$(requests)
t_4s=$(fleet 4 sqlite "$tmp/m4s.txt")
r2=$(requests)
t_4r=$(fleet 4 redis "$tmp/m4r.txt")
r3=$(requests)

python3 - "$N" "$M" "$DELAY" "$t_sqlite" "$t_redis" "$t_one" "$t_4s" "$t_4r" "$((r1 - r0))" "$((r2 - r1))" "$((r3 - r2))" "$RUNS" <<'PY'
import sys
n, m, delay = (int(x) for x in sys.argv[1:4])
ts, tr, t1, t4s, t4r = (float(x) for x in sys.argv[4:9])
q1, q4s, q4r = (int(x) for x in sys.argv[9:12])
def verdict(good): return "ok" if good else "MISSED"
print("redis cache: %d links warm, %d links for a fleet, %d ms a response" % (n, m, delay))
print("  warm rerun   SQLite %.3f s, Redis %.3f s (best of %s) = %.2fx   target <= 1.5x: %s"
      % (ts, tr, sys.argv[12], tr / max(ts, 1e-9), verdict(tr <= 1.5 * ts)))
print("  one process  %.2f s, the mock asked %d times" % (t1, q1))
print("  4 x SQLite   %.2f s, the mock asked %d times (%.1f a link)" % (t4s, q4s, q4s / m))
print("  4 x Redis    %.2f s, the mock asked %d times (%.1f a link) = %.2fx one process   "
      "target: once a link, near one process's time: %s"
      % (t4r, q4r, q4r / m, t4r / max(t1, 1e-9), verdict(q4r == m and t4r <= 1.5 * t1)))
PY
exit 0
