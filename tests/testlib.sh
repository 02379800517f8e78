# testlib.sh: the pass/fail counting and check helpers of the shell test suites (cli.sh,
# links-cli.sh), which source it; finish prints the "N passed, N failed" line run.sh sums.
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME COMMAND...: the command must succeed (exit 0)
check() { name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
# same FILE1 FILE2: the two files are byte for byte equal
same() { cmp -s "$1" "$2"; }
# has FILE TEXT / lacks FILE TEXT: FILE contains / does not contain TEXT (a fixed string)
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
# finish: prints the closing counts and exits, non-zero when a check failed
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
