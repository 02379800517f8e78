#!/bin/sh
# run.sh: runs every libFuzzer target for SECONDS each (make fuzz FUZZ_SECONDS=N; make check
# runs it with 10 as a smoke test): first the regression inputs of tests/fuzz/regressions/TARGET
# (each once: every crash, hang or slow input found so far), then fuzzing from a seed corpus
# of the project's files (and ../shared's, read only, when present), with a dictionary of the
# rules' literals for the text targets (rules_dict.py). Prints, per target, the
# executions, the coverage and the findings libFuzzer reports, and "N passed, N failed".
# Usage: tests/fuzz/run.sh SECONDS [BUILD_DIR [TARGETS]]
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-10}
dir=${2:-build/fuzz}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# seed TARGET: fills $dir/corpus-TARGET from the project's own files (once); prints the
# read-only corpora of ../shared to add
seed() {
  c=$dir/corpus-$1
  mkdir -p "$c"
  case $1 in
  engine|edits|url)
    cp tests/fixtures/text/*.in.txt tests/fixtures/demo/*.txt "$c/" 2>/dev/null
    for d in ../shared/corpus/real ../shared/corpus/authored; do [ -d "$d" ] && printf ' %s' "$d"; done ;;
  html)
    cp tests/fixtures/html/*.html "$c/" 2>/dev/null
    [ -d ../shared/corpus/html ] && printf ' %s' ../shared/corpus/html ;;
  rules)
    cp rules/*.rules "$c/" ;;
  clearurls)
    printf '{"providers":{"p":{"urlPattern":"^https?://(?:[a-z0-9-]+\\\\.)*?example\\\\.com","rules":["utm_[a-z]+","ref"],"rawRules":["/ref=[^/?]*"],"exceptions":[],"redirections":["^https?://example\\\\.com/out\\\\?u=([^&]+)"],"referralMarketing":["tag"]}}}' >"$c/seed.json"
    [ -d ../shared/data/clearurls ] && printf ' %s' ../shared/data/clearurls ;;
  jsonl)
    python3 -c '
import glob, json, sys
for k, p in enumerate(sorted(glob.glob("tests/fixtures/text/*.in.txt"))):
    t = open(p, encoding="utf-8").read()
    open(sys.argv[1] + "/%02d.jsonl" % k, "w").write(json.dumps({"id": k, "text": t, "n": 1.5}, ensure_ascii=k % 2 == 0) + "\nnot json\n")
' "$c" ;;
  cache)
    printf 't.co/abc\0https://example.com/story?id=7\0' >"$c/ok"
    printf 't.co/e500\0\0HTTP 500' >"$c/fail" ;;
  prefilter)
    python3 tests/fuzz/prefilter_seeds.py . "$c" >/dev/null ;;
  resolve)
    # a flags byte (fuzz_resolve.c: follow-all, max hops, links, jobs), then one canned
    # response a connection, separated by "\n#next\n"
    n='\n#next\n'
    printf '\010HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.com/story?id=7\r\nContent-Length: 0\r\n\r\n' >"$c/301"
    printf "\010HTTP/1.1 302 Found\r\nLocation: http://bit.ly/b\r\nContent-Length: 0\r\n\r\n$n"'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><meta http-equiv="refresh" content="0; url=https://example.com/news/1"></head></html>' >"$c/chain-refresh"
    printf '\010HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 60\r\n\r\n<script>location.replace("https://example.org/a?b=c")</script>' >"$c/200-script"
    printf "\010HTTP/1.0 307 Temporary Redirect\r\nLocation: ../b/./c?x=1#f\r\n\r\n$n"'HTTP/1.1 308 Permanent Redirect\r\nlocation:   //example.net/x  \r\nContent-Length: 3\r\n\r\nabc' >"$c/relative"
    printf "\010HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n${n}HTTP/1.1 301 Moved\r\nLocation: http://t.co/a\r\nContent-Length: 0\r\n\r\n" >"$c/loop"
    printf '\036HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!' >"$c/500"
    printf '\130HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved\r\nLocation: https://example.com/\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n' >"$c/continue-keepalive"
    printf '\010HTTP/1.1 301\r\nLocation:\r\n\r\n' >"$c/no-location"
    printf '\010HTTX/1.1 30x Moved\r\nLocation: https://example.com/\r\n\r\n' >"$c/bad-status"
    python3 -c 'import sys; sys.stdout.buffer.write(b"\x08HTTP/1.1 301 Moved\r\nX-Big: " + b"a" * 20000 + b"\r\nLocation: https://example.com/\r\n\r\n")' >"$c/huge-header" ;;
  split)
    # a flags byte (fuzz_split.c: bit 0 -z, bits 1-4 how many read sizes follow), the sizes,
    # then the stream
    printf '\006\003\001\077one\n\f\ntwo\r\n\f\r\nthree\n\fnot a separator\n\f' >"$c/formfeed"
    printf '\004\001\002x\n\f\n\f\n\f\r' >"$c/formfeed-at-end"
    printf '\007\005\001\002one\0two\0\0three' >"$c/nul"
    python3 -c 'import sys; sys.stdout.buffer.write(b"\x02\x3f" + b"line of text\n" * 40 + b"\f\n" + b"more\r\n" * 40)' >"$c/long" ;;
  esac
}

for t in ${3:-engine prefilter edits rules url clearurls jsonl html cache resolve split}; do
  bin=$dir/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "FAIL fuzz_$t: not built (make fuzz-bins)"; failed=$((failed + 1)); continue
  fi
  extra=$(seed "$t")
  reg=tests/fuzz/regressions/$t
  if [ -d "$reg" ] && [ -n "$(ls "$reg" 2>/dev/null)" ]; then
    if "$bin" -timeout=20 -rss_limit_mb=2048 "$reg"/* >"$log" 2>&1; then
      echo "ok fuzz_$t: $(ls "$reg" | wc -l) regression inputs replayed"; passed=$((passed + 1))
    else
      echo "FAIL fuzz_$t: a regression input fails again"; tail -20 "$log"; failed=$((failed + 1))
    fi
  fi
  dict=""
  [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
  case $t in # the text targets: the rules' literals (and their own tokens), so matches come soon
  engine|edits|html|jsonl|url|split)
    own=""; [ -f "tests/fuzz/$t.dict" ] && own="tests/fuzz/$t.dict"
    python3 tests/fuzz/rules_dict.py rules "$dir/rules-$t.dict" $own >/dev/null && dict="-dict=$dir/rules-$t.dict" ;;
  esac
  # shellcheck disable=SC2086
  if "$bin" -max_total_time="$secs" -max_len=262144 -timeout=20 -rss_limit_mb=2048 \
       -artifact_prefix="$dir/crash-$t-" -print_final_stats=1 $dict "$dir/corpus-$t" $extra >"$log" 2>&1; then
    stats=$(grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tr '\n' ' ')
    echo "ok fuzz_$t: ${secs}s, $(grep -oE 'cov: [0-9]+' "$log" | tail -1), $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs, no finding"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz_$t: a finding (saved as $dir/crash-$t-*)"; grep -E 'ERROR|invariant|SUMMARY|Test unit written|error' "$log" | head -8; tail -5 "$log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
