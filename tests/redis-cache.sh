#!/bin/sh
# redis-cache.sh: the link cache in Redis (issue 12) end to end: a redis-server of its own on
# 127.0.0.1 (a free port, no persistence) and tests/mock_shortener.py, every link's host mapped
# onto the mock; hits, misses, expiry, the failure TTL, the key prefix, a password, a socket,
# 2 and 8 processes sharing 1,000 links (the mock asked once for each), Redis killed mid-run,
# a Redis that refuses. Usage: sh tests/redis-cache.sh PATH/TO/winnow ("N passed, N failed")
set -u
W=${1:-./winnow}
case $W in /*) ;; *) W=$(pwd)/$W ;; esac
MOCK=tests/mock_shortener.py
. "$(dirname "$0")/testlib.sh"

[ -x "$W" ] || { bad "$W: not an executable (make winnow)"; finish; }
for t in python3 redis-server redis-cli; do
  command -v $t >/dev/null 2>&1 || { echo "skip: redis-cache needs $t (make deps)"; finish; }
done

T=$(mktemp -d /tmp/winnow-redis.XXXXXX)
mock="" redis=""
stop() {
  for p in $mock $redis; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  mock="" redis=""
}
trap 'stop; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 2' INT TERM HUP
export XDG_CACHE_HOME="$T/xdg"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy REDIS_PASSWORD

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_redis [OPTIONS]: a server of our own, nothing kept on disk; sets rport and redis.
start_redis() {
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$T" \
    --daemonize no "$@" >"$T/redis.log" 2>&1 &
  redis=$!
  for _ in $(seq 1 50); do
    redis-cli -p "$rport" ${RPASS:+-a "$RPASS" --no-auth-warning} ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  return 1
}
stop_redis() { kill "$redis" 2>/dev/null; wait "$redis" 2>/dev/null; redis=""; }
rcli() { redis-cli -p "$rport" "$@"; }

rm -f "$T/ports"
mkfifo "$T/ports"
python3 "$MOCK" --forever --delay-ms 50 </dev/null >"$T/ports" &
mock=$!
read -r port tls canary <"$T/ports" || { bad "the mock shortener did not start"; finish; }
NET="--resolve --connect-to=bit.ly:80:127.0.0.1:$port"
# oncestats: "DISTINCT REQUESTS MOST" of the /once/ paths the mock was asked for
oncestats() {
  python3 -c "import urllib.request as u
print(u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:$port/_oncestats', timeout=5).read().decode())"
}
# links FILE FROM TO: one story line and one short link a line
links() {
  python3 -c "import sys
for i in range(int(sys.argv[2]), int(sys.argv[3])):
    print('Story line %d goes on for a while, and says what the link says: http://bit.ly/once/%d' % (i, i))" \
    "$@"
}
start_redis || { bad "redis-server did not start"; finish; }
R="redis://127.0.0.1:$rport/0"

# --- miss, then hit; a warm rerun is one MGET for the lot ----------------------------------
links "$T/a.txt" 0 200 >"$T/a.txt"
"$W" $NET --cache="$R" "$T/a.txt" >"$T/out1" 2>"$T/err"; rc=$?
check "a cold run through Redis: exit 0, nothing on stderr" sh -c "test $rc -eq 0 && ! test -s '$T/err'"
check "a cold run: every link resolved" sh -c "test \$(grep -c 'https://www.example.com/once/' '$T/out1') -eq 200"
set -- $(oncestats)
check "a cold run: the mock asked once a link" test "$1 $2 $3" = "200 200 1"
rcli config resetstat >/dev/null
"$W" $NET --cache="$R" "$T/a.txt" >"$T/out2" 2>"$T/err"
set -- $(oncestats)
check "a warm run: the same text" same "$T/out2" "$T/out1"
check "a warm run: the mock not asked again" test "$2" -eq 200
mget=$(rcli info commandstats | sed -n 's/^cmdstat_mget:calls=\([0-9]*\),.*/\1/p')
gets=$(rcli info commandstats | sed -n 's/^cmdstat_get:calls=\([0-9]*\),.*/\1/p')
# one MGET for what a push settles, one more for the lines the document's end settles
check "a warm run of 200 links: at most two MGETs, no GET (got ${mget:-0} and ${gets:-0})" \
  sh -c "test ${mget:-0} -ge 1 && test ${mget:-0} -le 2 && test ${gets:-0} -eq 0"
"$W" --offline --resolve --cache="$R" "$T/a.txt" >"$T/out3" 2>"$T/err"
check "--offline: Redis answers" same "$T/out3" "$T/out1"
ttl=$(rcli ttl "winnow:link:http://bit.ly/once/7")
[ "$ttl" -gt 0 ] 2>/dev/null || ttl=$(rcli --scan --pattern 'winnow:link:*once/7' | head -1 | xargs -I{} redis-cli -p "$rport" ttl {})
check "a destination is kept 30 days (TTL $ttl)" sh -c "test '$ttl' -gt 2591000 && test '$ttl' -le 2592000"
key=$(rcli --scan --pattern 'winnow:link:*once/7')
check "keys are winnow:link: and the short URL ($key)" sh -c "echo '$key' | grep -q '^winnow:link:.*bit.ly/once/7$'"

# --- expiry is Redis's; a failure is kept an hour ------------------------------------------
rcli pexpire "$key" 100 >/dev/null
sleep 0.3
"$W" $NET --cache="$R" "$T/a.txt" >/dev/null 2>&1
set -- $(oncestats)
check "an expired key: that link asked again, and only it" test "$2" -eq 201
printf 'A line with a link that fails: http://bit.ly/e500 and more words here.\n' >"$T/f.txt"
"$W" $NET --cache="$R" "$T/f.txt" >/dev/null 2>&1
fkey=$(rcli --scan --pattern 'winnow:link:*e500')
fttl=$(rcli ttl "$fkey")
check "a failure is kept an hour (TTL $fttl)" sh -c "test '$fttl' -gt 3500 && test '$fttl' -le 3600"

# --- --cache-prefix ---------------------------------------------------------------------------
links "$T/p.txt" 900 905 >"$T/p.txt"
"$W" $NET --cache="$R" --cache-prefix=fleet7: "$T/p.txt" >/dev/null 2>&1
check "--cache-prefix: the keys under it" test "$(rcli --scan --pattern 'fleet7:*' | grep -c once/)" -eq 5

# --- 2 and 8 processes at once, the same 1,000 links: each asked of the mock once ----------
base=1000
for n in 2 8; do
  links "$T/f$n.txt" $base $((base + 1000)) >"$T/f$n.txt"
  before=$(oncestats)
  pids=""
  for i in $(seq 1 $n); do
    "$W" $NET --jobs=16 --cache="$R" "$T/f$n.txt" >"$T/o$n.$i" 2>"$T/e$n.$i" &
    pids="$pids $!"
  done
  bad_rc=0
  for p in $pids; do wait "$p" || bad_rc=1; done
  set -- $before
  b1=$1 b2=$2
  set -- $(oncestats)
  check "$n processes, 1,000 shared links: all exit 0" test $bad_rc -eq 0
  # 1,000 new links asked for, in 1,000 requests: each exactly once
  check "$n processes: the mock asked for each link once ($(($1 - b1)) links, $(($2 - b2)) requests)" \
    test "$(($1 - b1)) $(($2 - b2))" = "1000 1000"
  all=1
  for i in $(seq 1 $n); do
    [ "$(grep -c 'https://www.example.com/once/' "$T/o$n.$i")" -eq 1000 ] || all=0
  done
  check "$n processes: every one wrote every link resolved" test $all -eq 1
  base=$((base + 1000))
done

# --- Redis killed mid-run: a warning, the text intact -----------------------------------------
links "$T/k.txt" 5000 5600 >"$T/k.txt"
"$W" $NET --jobs=4 --cache="$R" "$T/k.txt" >"$T/kout" 2>"$T/kerr" &
run=$!
sleep 1
stop_redis
wait $run; rc=$?
check "Redis killed mid-run: exit 0" test $rc -eq 0
check "Redis killed mid-run: one warning, the cache off" sh -c "test \$(grep -c 'warning: link cache redis://127.0.0.1' '$T/kerr') -eq 1 && grep -q 'going on without it' '$T/kerr'"
check "Redis killed mid-run: every line there" test "$(grep -c '^Story line' "$T/kout")" -eq 600
check "Redis killed mid-run: every link resolved still" test "$(grep -c 'https://www.example.com/once/' "$T/kout")" -eq 600

# --- a Redis that refuses: a warning, the run goes on ---------------------------------------
links "$T/r.txt" 6000 6010 >"$T/r.txt"
dead=$(free_port)
"$W" $NET --cache="redis://127.0.0.1:$dead/0" "$T/r.txt" >"$T/rout" 2>"$T/rerr"; rc=$?
check "a refusing Redis: exit 0, links resolved" sh -c "test $rc -eq 0 && test \$(grep -c 'www.example.com/once/' '$T/rout') -eq 10"
check "a refusing Redis: a warning" has "$T/rerr" "winnow: warning: link cache redis://127.0.0.1:$dead/0"
check "a bad cache URL: a warning, the run goes on" sh -c "'$W' $NET --cache='redis://:1/x' '$T/r.txt' 2>&1 >/dev/null | grep -q 'warning: link cache'"

# --- a Redis that answers nothing: a warning within the timeout, the run goes on -------------
python3 -c "import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)  # accepted, never answered" >"$T/mute.port" &
mute=$!
for _ in $(seq 1 50); do [ -s "$T/mute.port" ] && break; sleep 0.1; done
mport=$(cat "$T/mute.port")
start=$(date +%s)
"$W" $NET --timeout=1 --cache="redis://127.0.0.1:$mport/0" "$T/r.txt" >"$T/mout" 2>"$T/merr"; rc=$?
took=$(($(date +%s) - start))
kill $mute 2>/dev/null; wait $mute 2>/dev/null
check "a Redis that answers nothing: exit 0, links resolved, in ${took} s (--timeout=1)" \
  sh -c "test $rc -eq 0 && test $took -le 4 && test \$(grep -c 'www.example.com/once/' '$T/mout') -eq 10"
check "a Redis that answers nothing: a warning" has "$T/merr" "winnow: warning: link cache redis://127.0.0.1:$mport/0"

# --- a password (never shown) and a socket ------------------------------------------------
RPASS=s3cret start_redis --requirepass s3cret || bad "redis-server with a password did not start"
"$W" $NET --cache="redis://:wrong@127.0.0.1:$rport/0" "$T/r.txt" >/dev/null 2>"$T/perr"
check "a wrong password: a warning that does not show it" sh -c "grep -q 'warning: link cache' '$T/perr' && ! grep -q wrong '$T/perr'"
REDIS_PASSWORD=s3cret "$W" $NET --cache="redis://127.0.0.1:$rport/0" "$T/r.txt" >"$T/pout" 2>"$T/perr"
check "REDIS_PASSWORD: accepted, nothing said" sh -c "! test -s '$T/perr' && test \$(redis-cli -p $rport -a s3cret --no-auth-warning --scan --pattern 'winnow:link:*' | grep -c once/60) -eq 10"
stop_redis
sock="$T/redis.sock"
start_redis --unixsocket "$sock" --unixsocketperm 700 || bad "redis-server on a socket did not start"
"$W" $NET --cache="unix://$sock?db=2" "$T/r.txt" >"$T/sout" 2>"$T/serr"
check "unix://PATH?db=2: used, nothing said" sh -c "! test -s '$T/serr' && test \$(redis-cli -s '$sock' -n 2 --scan --pattern 'winnow:link:*' | grep -c once/60) -eq 10"
stop_redis
finish
