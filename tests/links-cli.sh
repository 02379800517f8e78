#!/bin/sh
# links-cli.sh: the links stage end to end through the winnow command, against
# tests/mock_shortener.py started here on 127.0.0.1 (TLS with a CA made here, canary on
# 127.0.0.2). Every host a test link names is mapped onto the mock with --connect-to, so no
# name is looked up and no packet leaves loopback.
# Usage (from the repo root): sh tests/links-cli.sh PATH/TO/winnow  (prints "N passed, N failed")
set -u
W=${1:-./winnow}
case $W in /*) ;; *) W=$(pwd)/$W ;; esac
MOCK=tests/mock_shortener.py
. "$(dirname "$0")/testlib.sh"

[ -x "$W" ] || { bad "$W: not an executable (make winnow)"; finish; }
for t in python3 openssl; do
  command -v $t >/dev/null 2>&1 || { echo "skip: links-cli needs $t"; finish; }
done
[ -f "$MOCK" ] || { echo "skip: run from the repo root ($MOCK not found)"; finish; }

T=$(mktemp -d /tmp/winnow-links-cli.XXXXXX)
mock=""
stop_mock() { if [ -n "$mock" ]; then kill "$mock" 2>/dev/null; wait "$mock" 2>/dev/null; mock=""; fi; }
trap 'stop_mock; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 2' INT TERM HUP
# The cache of a run that names none goes here, never to the user's own.
export XDG_CACHE_HOME="$T/xdg"
# Nothing here may go through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

# A CA of our own and a certificate for the names the tests map onto the mock.
if ! (cd "$T" &&
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
    -out ca.pem -days 2 -subj /CN=winnow-links-cli-ca &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key \
    -out srv.csr -subj /CN=t.co &&
  printf 'subjectAltName=DNS:t.co,DNS:bit.ly\n' >ext.cnf &&
  openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
    -days 2 -extfile ext.cnf) >/dev/null 2>&1; then
  echo "skip: openssl could not make a test CA"; finish
fi

# start_mock [MOCK OPTIONS]: starts the mock, sets port (plain), tls and canary.
start_mock() {
  rm -f "$T/ports"
  mkfifo "$T/ports"
  python3 "$MOCK" --forever --cert "$T/srv.pem" --key "$T/srv.key" "$@" </dev/null >"$T/ports" &
  mock=$!
  read -r port tls canary <"$T/ports" || return 1
  [ -n "$canary" ]
}
if ! start_mock; then bad "the mock shortener did not start"; finish; fi
CT="--connect-to=t.co:443:127.0.0.1:$tls"
# bit.ly appears in some of the mock's Locations: mapped too, so it is never looked up.
CB="--connect-to=bit.ly:80:127.0.0.1:$port"
NET="--resolve $CT $CB --cacert=$T/ca.pem"

# stats: "GETS CANARY" as the mock counts them (its own /_stats request is one GET).
stats() {
  python3 -c "import urllib.request as u
o = u.build_opener(u.ProxyHandler({}))
g, h, c = o.open('http://127.0.0.1:$port/_stats', timeout=5).read().split()
print(int(g), int(c))"
}
# kastats: "PATHS REQUESTS MOST RESETS": distinct /ka/ and /reset paths asked for, requests
# for them, the most requests any one of them had, and requests for /reset.
kastats() {
  python3 -c "import urllib.request as u
o = u.build_opener(u.ProxyHandler({}))
print(o.open('http://127.0.0.1:$port/_kastats', timeout=5).read().decode())"
}

# --- resolution over TLS through the mapping -------------------------------------------
printf 'Officials said https://t.co/e and pic.twitter.com/js were posted.\n' >"$T/a.txt"
"$W" $NET --cache="$T/c.sqlite" "$T/a.txt" >"$T/out" 2>"$T/err"; rc=$?
check "resolve exits 0" test $rc -eq 0
printf 'Officials said https://www.example.com/story?id=7 and https://www.example.com/js-dest were posted.\n' >"$T/want"
check "t.co and pic.twitter.com replaced, tracking stripped" same "$T/out" "$T/want"
# a warm rerun: every link a hit, so libcurl is never loaded (glibc's LD_DEBUG names each
# library it loads, dlopen'ed ones too)
LD_DEBUG=files "$W" $NET --cache="$T/c.sqlite" "$T/a.txt" >"$T/out" 2>"$T/err"
check "a warm rerun: the same text" same "$T/out" "$T/want"
check "a warm rerun: libcurl not loaded" sh -c "grep -q 'file=libsqlite3' '$T/err' && ! grep -q 'file=libcurl' '$T/err'"
LD_DEBUG=files "$W" $NET --no-cache "$T/a.txt" >/dev/null 2>"$T/err"
check "without a cache: libcurl loaded at the start (so it is seen in LD_DEBUG)" has "$T/err" "file=libcurl"
"$W" $NET --no-cache --explain "$T/a.txt" >"$T/out" 2>"$T/err"
check "--explain names the resolution" has "$T/err" 'link-resolved: removed "https://t.co/e -> https://www.example.com/story?id=7"'

# --- unresolvable links -------------------------------------------------------------------
printf 'Broken t.co/e500 link.\nAlso https://t.co/nolocation here.\n' >"$T/b.txt"
"$W" $NET --no-cache --explain "$T/b.txt" >"$T/out" 2>"$T/err"
check "unresolvable link stays" same "$T/out" "$T/b.txt"
check "--explain says why it stays" has "$T/err" 'b.txt:1:8: link-unresolved: removed "t.co/e500 (kept: HTTP 500)"'
check "--explain: no Location" has "$T/err" '(kept: redirect without a Location)'
"$W" $NET --no-cache --links=strip --explain "$T/b.txt" >"$T/out" 2>"$T/err"
printf 'Broken link.\nAlso here.\n' >"$T/want"
check "--links=strip drops it" same "$T/out" "$T/want"
check "--explain says why it went" has "$T/err" 'link-unresolved: removed "t.co/e500 (dropped: HTTP 500)"'

# --- concurrency does not change the output ----------------------------------------------
python3 -c "
kinds = ['e', 'js', 'meta', 'e500', 'lower', 'hop/7', 'plain', 'nolocation', 'head405']
for i in range(400):
    print('Line %d: https://t.co/%s and t.co/bench/%d, pic.twitter.com/%s.' % (i, kinds[i % 9], i % 250, kinds[(i * 5) % 9]))
    if i % 37 == 0:
        print()
" >"$T/many.txt"
"$W" $NET --no-cache --jobs=1 "$T/many.txt" >"$T/j1" 2>"$T/err1"; rc1=$?
"$W" $NET --no-cache --jobs=64 "$T/many.txt" >"$T/j64" 2>"$T/err64"; rc64=$?
check "--jobs 1 and 64 exit 0" test "$rc1$rc64" = 00
check "--jobs 1 and --jobs 64 give the same output" same "$T/j1" "$T/j64"
check "many links resolved" has "$T/j1" 'Line 4: https://www.example.com/lower and https://www.example.com/b/4?n=1, https://www.example.com/meta?a=1.'
check "many links: failures kept" has "$T/j1" 'Line 3: https://t.co/e500 and'
# resolved, cleaned and stripped links: the report gives the input back (the links stage's edits)
"$W" $NET --no-cache --jobs=64 --report="$T/rep" "$T/many.txt" >"$T/jr" 2>/dev/null
check "--report with --resolve: the same output" same "$T/jr" "$T/j1"
check "restore undoes resolved links" sh -c '"$1" restore --report="$2/rep" "$2/jr" >"$2/back" && cmp -s "$2/back" "$2/many.txt"' sh "$W" "$T"
"$W" $NET --no-cache --links=strip --report="$T/rep" "$T/b.txt" "$T/many.txt" >"$T/jr" 2>/dev/null
{ cat "$T/b.txt"; printf '\f\n'; cat "$T/many.txt"; printf '\f\n'; } >"$T/want"
check "restore undoes stripped links" sh -c '"$1" restore --report="$2/rep" "$2/jr" >"$2/back" && cmp -s "$2/back" "$2/want"' sh "$W" "$T"
check "--per-host 2 gives the same output" sh -c '"$@" >"'"$T"'/ph" && cmp -s "'"$T"'/ph" "'"$T"'/j1"' sh "$W" $NET --no-cache --jobs=64 --per-host=2 "$T/many.txt"

# --- the SSRF guard trusts the mapping only -----------------------------------------------
set -- $(stats); g0=$1; c0=$2
check "canary untouched before" test "$c0" -eq 0
printf 'A https://t.co/canary B https://t.co/canary-num C\n' >"$T/can.txt"
"$W" $NET --no-cache --explain "$T/can.txt" >"$T/out" 2>"$T/err"
check "non-shortener destination is the answer, not requested" has "$T/out" "A http://127.0.0.2:$canary/x B"
"$W" $NET --no-cache --follow-all --explain "$T/can.txt" >"$T/out" 2>"$T/err"
check "--follow-all: private hop refused, link kept" same "$T/out" "$T/can.txt"
check "--explain names the refused address" has "$T/err" 'kept: refused address 127.0.0.2 (loop'
"$W" $NET --no-cache --follow-all --links=strip "$T/can.txt" >"$T/out" 2>/dev/null
check "refused link dropped under --links=strip" test "$(cat "$T/out")" = "A B C"
set -- $(stats); c1=$2
check "canary never contacted without --allow-private" test "$c1" -eq 0
"$W" $NET --no-cache --follow-all --allow-private "$T/can.txt" >/dev/null 2>&1
set -- $(stats); c2=$2
check "canary reachable with --allow-private (the guard is what kept it quiet)" test "$c2" -ge 1

# --- --offline never touches the network ---------------------------------------------------
printf 'Cached https://t.co/e, not cached https://t.co/lower.\n' >"$T/off.txt"
"$W" $NET --cache="$T/off.sqlite" "$T/a.txt" >/dev/null 2>&1
set -- $(stats); g0=$1
"$W" $NET --offline --cache="$T/off.sqlite" --explain "$T/off.txt" >"$T/out" 2>"$T/err"
"$W" $NET --offline --no-cache "$T/off.txt" >/dev/null 2>&1
"$W" --offline $CT $CB --cacert="$T/ca.pem" "$T/off.txt" >/dev/null 2>&1
set -- $(stats); g1=$1
check "--offline: mock counters unchanged" test "$g1" -eq $((g0 + 1))
check "--offline --resolve: the cache answers" has "$T/out" 'Cached https://www.example.com/story?id=7, not cached https://t.co/lower.'
check "--offline --resolve: a miss says so" has "$T/err" '(kept: offline and not in the cache)'
# --offline alone is the default offline cleaning: same output, no cache read or made.
rm -rf "$T/xdg"
"$W" "$T/off.txt" >"$T/def" 2>/dev/null
"$W" --offline "$T/off.txt" >"$T/out" 2>/dev/null
check "--offline alone = default output" same "$T/out" "$T/def"
check "--offline alone makes no cache" test ! -e "$T/xdg"

# --- default offline mode: tracking stripped, t.co dropped ----------------------------------
printf 'See https://www.example.com/a?utm_source=tw&id=3&fbclid=Zz#top and www.example.org/b?gclid=1 today https://t.co/e\n' >"$T/d.txt"
"$W" --explain "$T/d.txt" >"$T/out" 2>"$T/err"
printf 'See https://www.example.com/a?id=3#top and www.example.org/b today\n' >"$T/want"
check "default: tracking keys stripped, t.co dropped" same "$T/out" "$T/want"
check "default: --explain lists the removed pairs" has "$T/err" 'tracking-param: removed "utm_source=tw&fbclid=Zz"'

# --- --links=keep leaves URLs byte-identical -----------------------------------------------
printf 'K https://t.co/e pic.twitter.com/js http://bit.ly/a www.example.com/a?utm_source=x&%%41=%%zz (https://x.example/?fbclid=1).\n' >"$T/k.txt"
"$W" --links=keep "$T/k.txt" >"$T/out" 2>&1
check "--links=keep: byte-identical" same "$T/out" "$T/k.txt"
"$W" --links=keep $NET --no-cache "$T/k.txt" >"$T/out" 2>&1
check "--links=keep wins over --resolve" same "$T/out" "$T/k.txt"

# --- ClearURLs, read in place ----------------------------------------------------------------
CU=../shared/data/clearurls/data.min.json
if [ -f "$CU" ]; then
  printf 'G https://www.google.com/url?q=https%%3A%%2F%%2Fwww.example.com%%2Fnews&sa=D and https://www.amazon.com/dp/B0?tag=shop-20&qid=12&psc=1\n' >"$T/cu.txt"
  "$W" --clearurls="$CU" --explain "$T/cu.txt" >"$T/out" 2>"$T/err"; rc=$?
  check "--clearurls exits 0" test $rc -eq 0
  check "--clearurls: redirection unwrapped" has "$T/out" 'G https://www.example.com/news and'
  check "--clearurls: rule keys stripped, referral kept" has "$T/out" 'https://www.amazon.com/dp/B0?tag=shop-20&psc=1'
  "$W" --clearurls="$CU" --strip-referral "$T/cu.txt" >"$T/out" 2>&1
  check "--strip-referral: referral key stripped too" has "$T/out" 'https://www.amazon.com/dp/B0?psc=1'
  "$W" --clearurls="$T/none.json" "$T/cu.txt" >/dev/null 2>"$T/err"; rc=$?
  check "--clearurls missing file exits 2" test $rc -eq 2
else
  echo "skip: $CU not found (ClearURLs tests)"
fi

# --- write errors propagate -----------------------------------------------------------------
python3 -c "
for i in range(20000):
    print('Line %d https://www.example.com/p?utm_source=x&id=%d and more text to fill.' % (i, i))
" >"$T/big.txt"
( "$W" $NET --no-cache "$T/big.txt"; echo $? >"$T/rc" ) | head -c 100 >/dev/null
check "closed stdout with --resolve: non-zero exit" test "$(cat "$T/rc")" -ne 0

# --- a dead reused connection is retried once, a real failure is still one -------------------
# /to-reset answers (the connection is kept) and sends the link on to /reset on the same host,
# which resets every connection that asks for it: the reused connection dies, the hop goes
# again on a fresh one (libcurl's own retry or the resolver's, never both), which is reset too.
printf 'A http://bit.ly/to-reset B\n' >"$T/rst.txt"
"$W" $NET --cache="$T/rst.sqlite" --explain "$T/rst.txt" >"$T/out" 2>"$T/err"
set -- $(kastats); r0=$4
check "reset after a reused connection: /reset asked exactly twice" test "$r0" -eq 2
check "reset after a reused connection: link kept" same "$T/out" "$T/rst.txt"
check "reset after a reused connection: reported" has "$T/err" '(kept: Failure when receiving'
"$W" $NET --cache="$T/rst.sqlite" --offline --explain "$T/rst.txt" >"$T/out" 2>"$T/err"
check "reset after a reused connection: the failure is cached" has "$T/err" '(kept: Failure when receiving'
# A fresh connection that is reset is the server's answer: no retry.
printf 'A http://bit.ly/reset B\n' >"$T/rst1.txt"
"$W" $NET --no-cache --explain "$T/rst1.txt" >"$T/out" 2>"$T/err"
set -- $(kastats); r1=$4
check "reset on a fresh connection: asked once" test "$r1" -eq $((r0 + 1))
check "reset on a fresh connection: reported" has "$T/err" '(kept: Failure when receiving'

# --- the cache answers with the mock stopped --------------------------------------------------
"$W" $NET --cache="$T/c.sqlite" "$T/many.txt" >"$T/warm1" 2>/dev/null
stop_mock
"$W" $NET --cache="$T/c.sqlite" --explain "$T/many.txt" >"$T/warm2" 2>"$T/err"
check "mock stopped: the cache answers, same output" same "$T/warm2" "$T/j1"
check "mock stopped: nothing fetched" lacks "$T/err" "connect to server"
"$W" $NET --cache="$T/c.sqlite" --offline "$T/many.txt" >"$T/warm3" 2>/dev/null
check "--offline from the cache: same output" same "$T/warm3" "$T/j1"

# --- a server that drops kept-alive connections unannounced ---------------------------------
# The mock closes each connection after one response (up to 1 ms later, at random) without
# "Connection: close", the race of a server's idle timeout: a reused connection is often dead
# by the time the request goes out. Before the resolver retried such a hop, 40-70 of these 500
# links failed ("Failed sending data to the peer"), and each failure was cached.
if start_mock --close-after 1 --close-jitter-ms 1; then
  KA="--resolve --connect-to=t.co:443:127.0.0.1:$tls --connect-to=bit.ly:80:127.0.0.1:$port"
  python3 -c "
for i in range(500):
    print('Line %d: %s/ka/%d.' % (i, 'https://t.co' if i % 2 else 'http://bit.ly', i))
" >"$T/ka.txt"
  "$W" $KA --cacert="$T/ca.pem" --cache="$T/ka.sqlite" --jobs=4 --explain "$T/ka.txt" \
    >"$T/out" 2>"$T/err"; rc=$?
  check "dropped keep-alive connections: exit 0" test $rc -eq 0
  check "dropped keep-alive connections: all 500 links resolved" \
    test "$(grep -c '^Line [0-9]*: https://www.example.com/ka/[0-9]*\.$' "$T/out")" -eq 500
  check "dropped keep-alive connections: none unresolved" lacks "$T/err" 'link-unresolved'
  set -- $(kastats)
  check "dropped keep-alive connections: each link reached the mock" test "$1" -eq 500
  check "dropped keep-alive connections: no link asked for more than twice" test "$3" -le 2
  stop_mock
else
  bad "the keep-alive-closing mock did not start"
fi

finish
