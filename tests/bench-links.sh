#!/bin/sh
# bench-links.sh [WINNOW_BINARY]: link-resolution speed (a benchmark, not a test: it prints
# MISSED for a missed target and exits 0). Run from the repo root after `make winnow`.
#  - N (10,000) distinct short links, one per line, through tests/mock_shortener.py on
#    127.0.0.1 with DELAY (50) ms added per response and --jobs JOBS (64): links/s against
#    0.85 of the limit concurrency sets (JOBS / DELAY = 1280 links/s). With openssl the links
#    are https://t.co/... over TLS with a CA made here (--cacert), as real t.co links are;
#    without it, http://bit.ly/... The name is mapped onto the mock with --connect-to:
#    nothing is looked up and nothing leaves loopback.
#  - the warm-cache rerun (the same --resolve command, mock stopped, every link a cache hit)
#    against the default offline run on the same input (best of RUNS each): ratio <= 1.2.
# Environment: N, JOBS, DELAY, RUNS (3).
set -u
cd "$(dirname "$0")/.." || exit 0
N=${N:-10000}
JOBS=${JOBS:-64}
DELAY=${DELAY:-50}
RUNS=${RUNS:-3}
WINNOW=${1:-${WINNOW:-./winnow}}
[ -x "$WINNOW" ] || { echo "bench-links.sh: $WINNOW: not an executable (run make winnow)" >&2; exit 0; }
command -v python3 >/dev/null || { echo "bench-links.sh: python3 is needed" >&2; exit 0; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
tmp=$(mktemp -d /tmp/winnow-bench-links.XXXXXX)
mock=""
cleanup() { if [ -n "$mock" ]; then kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; fi; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 0' INT TERM HUP

tls=""
if command -v openssl >/dev/null && (cd "$tmp" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
    -out ca.pem -days 2 -subj /CN=winnow-bench-ca &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key \
    -out srv.csr -subj /CN=t.co &&
  printf 'subjectAltName=DNS:t.co\n' >ext.cnf &&
  openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
    -days 2 -extfile ext.cnf) >/dev/null 2>&1; then
  tls="--cert $tmp/srv.pem --key $tmp/srv.key"
fi
if [ -n "$tls" ]; then prefix="https://t.co/bench/"; else prefix="http://bit.ly/bench/"; fi

python3 -c "
for i in range($N):
    print('Paragraph %d of the story, see $prefix%d for more.' % (i, i))
" >"$tmp/in.txt"

mkfifo "$tmp/ports"
python3 tests/mock_shortener.py --forever --delay-ms "$DELAY" $tls </dev/null >"$tmp/ports" &
mock=$!
read -r port tlsport canary <"$tmp/ports"
if [ -n "$tls" ]; then
  set -- --resolve --jobs="$JOBS" "--connect-to=t.co:443:127.0.0.1:$tlsport" --cacert="$tmp/ca.pem"
else
  set -- --resolve --jobs="$JOBS" "--connect-to=bit.ly:80:127.0.0.1:$port"
fi
set -- "$@" --cache="$tmp/links.sqlite"

# run LABEL RUNS CMD...: best wall-clock seconds of RUNS runs of CMD > tmp/LABEL.out
run() {
  python3 - "$tmp" "$@" <<'PY'
import subprocess, sys, time
tmp, label, runs, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
best = None
for _ in range(runs):
    with open('%s/%s.out' % (tmp, label), 'wb') as out, open('%s/%s.err' % (tmp, label), 'wb') as err:
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, stdout=out, stderr=err).returncode
        dt = time.perf_counter() - t0
    if rc != 0:
        print('%s: exit %d' % (label, rc), file=sys.stderr)
    best = dt if best is None else min(best, dt)
print('%.4f' % best)
PY
}

t_cold=$(run cold 1 "$WINNOW" "$@" "$tmp/in.txt")
kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; mock=""
resolved=$(grep -c 'https://www.example.com/b/' "$tmp/cold.out")
t_warm=$(run warm "$RUNS" "$WINNOW" "$@" "$tmp/in.txt")
t_cacheonly=$(run cacheonly "$RUNS" "$WINNOW" "$@" --offline "$tmp/in.txt")
t_off=$(run offline "$RUNS" "$WINNOW" "$tmp/in.txt")
cmp -s "$tmp/cold.out" "$tmp/warm.out" || echo "warning: the warm-cache output differs from the first run's" >&2

python3 - "$N" "$JOBS" "$DELAY" "$resolved" "$t_cold" "$t_warm" "$t_cacheonly" "$t_off" "$RUNS" "${tls:+https (TLS)}" <<'PY'
import sys
n, jobs, delay, ok = (int(x) for x in sys.argv[1:5])
cold, warm, cacheonly, off = (float(x) for x in sys.argv[5:9])
runs, scheme = sys.argv[9], sys.argv[10] or "http"
limit = jobs / (delay / 1000.0)
rate = n / cold
def verdict(good): return "ok" if good else "MISSED"
print("links: %d distinct short links over %s, %d ms per response, --jobs %d" % (n, scheme, delay, jobs))
print("  resolve     %d resolved in %.2f s = %.0f links/s = %.2f x the limit %.0f/s   "
      "target >= 0.85 x %.0f = %.0f links/s: %s"
      % (ok, cold, rate, rate / limit, limit, limit, 0.85 * limit, verdict(rate >= 0.85 * limit and ok == n)))
ratio = warm / max(off, 1e-9)
print("  warm cache  %.3f s (rerun, mock stopped); offline %.3f s (default); ratio %.2f   "
      "target <= 1.2: %s" % (warm, off, ratio, verdict(ratio <= 1.2)))
print("  cache only  %.3f s (--resolve --offline); ratio %.2f (best of %s)" % (cacheonly, cacheonly / max(off, 1e-9), runs))
PY
exit 0
