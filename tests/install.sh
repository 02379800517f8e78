#!/bin/sh
# install.sh BUILD_DIR: make install into a staging folder (DESTDIR), then what a user of it
# gets: programs built with pkg-config against the staged tree, shared and static, the
# library's exports (exactly winnow.h's functions) and soname, the man pages rendered without
# a warning, winnow --version, and make uninstall leaving no file behind.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/testlib.sh
build=${1:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM
stage=$T/stage
MAKE=${MAKE:-make}

version_part() { sed -n "s/^#define WINNOW_VERSION_$1 *\([0-9][0-9]*\).*/\1/p" include/winnow.h; }
major=$(version_part MAJOR)
version=$major.$(version_part MINOR).$(version_part PATCH)

if ! $MAKE --no-print-directory BUILD="$build" install DESTDIR="$stage" PREFIX=/usr \
    >"$T/install.log" 2>&1; then
  cat "$T/install.log"
  bad "make install DESTDIR=... PREFIX=/usr"
  finish
fi
ok
lib=$stage/usr/lib

# ---- what is installed, where ----
for f in bin/winnow lib/libwinnow.so.$version lib/libwinnow.a include/winnow.h \
    lib/pkgconfig/winnow.pc share/man/man1/winnow.1 share/man/man5/winnow-rules.5; do
  check "installed $f" test -f "$stage/usr/$f"
done
check "bin/winnow is executable" test -x "$stage/usr/bin/winnow"
check "libwinnow.so.$major -> libwinnow.so.$version" \
  test "$(readlink "$lib/libwinnow.so.$major")" = "libwinnow.so.$version"
check "libwinnow.so -> libwinnow.so.$major" test "$(readlink "$lib/libwinnow.so")" = "libwinnow.so.$major"
for r in rules/*.rules; do
  check "rules: share/winnow/$r" cmp -s "$r" "$stage/usr/share/winnow/$r"
done
check "the header is the source's" cmp -s include/winnow.h "$stage/usr/include/winnow.h"
check "no @VERSION@ left in the man pages" \
  sh -c '! grep -q "@VERSION@" "$1"/usr/share/man/man1/winnow.1 "$1"/usr/share/man/man5/winnow-rules.5' \
  sh "$stage"
check "the man page names the version" grep -q "winnow $version" "$stage/usr/share/man/man1/winnow.1"

# ---- the shared library: soname, exports ----
readelf -d "$lib/libwinnow.so.$version" >"$T/dyn" 2>&1
check "soname libwinnow.so.$major" grep -q "Library soname: \[libwinnow.so.$major\]" "$T/dyn"
check "libcurl is not linked (resolve.c loads it)" lacks "$T/dyn" "libcurl"
# the public functions: every WINNOW_API declaration of winnow.h (the inline winnow_*_init
# are the caller's, not the library's)
sed -n 's/^WINNOW_API .*[ *]\(winnow_[a-z0-9_]*\)(.*/\1/p' include/winnow.h | sort >"$T/api"
grep -o '^static inline [^(]*' include/winnow.h | sed 's/.*[ *]//' | sort >"$T/inline"
nm -D --defined-only "$lib/libwinnow.so.$version" | awk '{print $NF}' | sort >"$T/exported"
check "winnow.h declares the API (over 25 functions)" test "$(wc -l <"$T/api")" -gt 25
if same "$T/api" "$T/exported"; then ok; else
  bad "exported symbols are not winnow.h's functions:"; diff "$T/api" "$T/exported"
fi
check "winnow_options_init and its siblings are inline" test "$(wc -l <"$T/inline")" -eq 3
check "no inline function is exported" sh -c '! grep -qxFf "$1" "$2"' sh "$T/inline" "$T/exported"
check "no internal wn_ symbol is exported" lacks "$T/exported" "wn_"
# every function of the header is either WINNOW_API or inline
grep -o 'winnow_[a-z0-9_]*(' include/winnow.h | tr -d '(' | sort -u >"$T/named"
cat "$T/api" "$T/inline" | sort -u >"$T/known"
grep -v -e '_fn$' "$T/named" | comm -23 - "$T/known" >"$T/unmarked"
if [ ! -s "$T/unmarked" ]; then ok; else bad "functions without WINNOW_API:"; cat "$T/unmarked"; fi

# ---- a program built with pkg-config against the staged tree ----
cat >"$T/prog.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <winnow.h>

static char out[4096];
static size_t used;
static int collect(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    if (used + len >= sizeof out) return 1;
    memcpy(out + used, buf, len);
    used += len;
    return 0;
}

int main(void)
{
    static const char in[] = "The council met on Tuesday.\n"
                             "READ MORE: Harbour Road traders warn of lost parking\n"
                             "The vote is next week.\n";
    char err[256];
    winnow_rules *rules = winnow_rules_new();
    if (!rules || winnow_rules_load_defaults(rules, err, sizeof err) != WINNOW_OK) return 3;
    struct winnow_options opt;
    winnow_options_init(&opt);
    winnow_filter *f = winnow_filter_open(rules, &opt, collect, NULL, err, sizeof err);
    if (!f) {
        fprintf(stderr, "%s\n", err);
        return 4;
    }
    int rc = winnow_filter_push_last(f, in, strlen(in));
    winnow_filter_free(f);
    winnow_rules_free(rules);
    if (rc != WINNOW_OK) {
        fprintf(stderr, "%s\n", winnow_strerror(rc));
        return 5;
    }
    out[used] = 0;
    printf("%s|%s|%s|%s", winnow_version(), WINNOW_VERSION, winnow_strerror(WINNOW_ERR_NOMEM),
           out);
    return 0;
}
EOF
want="$version|$version|out of memory|The council met on Tuesday.
The vote is next week."
PKG_CONFIG_SYSROOT_DIR=$stage
PKG_CONFIG_PATH=$lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
cc=${CC:-cc}
check "pkg-config --modversion winnow" test "$(pkg-config --modversion winnow)" = "$version"
flags=$(pkg-config --cflags --libs winnow)
check "pkg-config --libs names the library alone" test "$(echo $(pkg-config --libs winnow))" = "-L$lib -lwinnow"
if $cc -std=c11 -Wall -Wextra -Werror -o "$T/prog-shared" "$T/prog.c" $flags 2>"$T/cc.err"; then
  ok
  readelf -d "$T/prog-shared" >"$T/dyn" 2>&1
  check "shared: the program needs libwinnow.so.$major" has "$T/dyn" "[libwinnow.so.$major]"
  got=$(LD_LIBRARY_PATH=$lib "$T/prog-shared")
  check "shared: the program cleans the text" test "$got" = "$want"
  LD_LIBRARY_PATH=$lib ldd "$T/prog-shared" >"$T/ldd" 2>&1
  check "shared: the staged library is the one loaded" has "$T/ldd" "$lib/libwinnow.so.$major"
else
  cat "$T/cc.err"; bad "shared: cc prog.c \$(pkg-config --cflags --libs winnow)"
fi
# static: libwinnow.a, and what pkg-config --static adds for what it links
sflags=$(pkg-config --static --cflags --libs winnow | sed 's/-lwinnow\b/-l:libwinnow.a/')
if $cc -std=c11 -Wall -Wextra -Werror -o "$T/prog-static" "$T/prog.c" $sflags 2>"$T/cc.err"; then
  ok
  readelf -d "$T/prog-static" >"$T/dyn" 2>&1
  check "static: the program needs no libwinnow.so" lacks "$T/dyn" "libwinnow"
  got=$("$T/prog-static")
  check "static: the program cleans the text" test "$got" = "$want"
else
  cat "$T/cc.err"; bad "static: cc prog.c \$(pkg-config --static --cflags --libs winnow)"
fi
# the ABI test (an older, smaller option struct works; size 0 refused) through the .so
if $cc -std=c11 -Wall -Wextra -Werror -Itests/unit -o "$T/test_abi" tests/unit/test_abi.c $flags \
    2>"$T/cc.err"; then
  LD_LIBRARY_PATH=$lib "$T/test_abi" >"$T/abi.out" 2>&1
  check "test_abi against libwinnow.so" grep -q ' 0 failed$' "$T/abi.out" || cat "$T/abi.out"
else
  cat "$T/cc.err"; bad "test_abi: cc against the staged library"
fi
# a C++ compiler reads the header too, when there is one
if command -v c++ >/dev/null 2>&1; then
  printf '#include <winnow.h>\nint main() { struct winnow_options o; winnow_options_init(&o); return o.size == sizeof o ? 0 : 1; }\n' >"$T/prog.cc"
  check "C++: winnow.h compiles" c++ -Wall -Wextra -Werror -o "$T/prog-cc" "$T/prog.cc" $flags
fi
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

# ---- the installed command ----
"$stage/usr/bin/winnow" --version >"$T/version" 2>&1
check "--version: winnow $version" grep -q "^winnow $version " "$T/version"
for l in PCRE2 libxml2 libcurl uriparser SQLite hiredis jansson zlib zstd Vectorscan; do
  check "--version names $l" grep -q "^  $l  *[^ ]" "$T/version"
done
crc=$(python3 -c 'import sys, zlib
print("%08x" % zlib.crc32(b"".join(open(f, "rb").read() for f in sorted(sys.argv[1:]))))' rules/*.rules)
check "--version: the rules' CRC-32 ($crc)" grep -q "CRC-32 $crc\$" "$T/version"
printf 'Story.\nREAD MORE: Another headline here\nEnd.\n' | "$stage/usr/bin/winnow" >"$T/out"
check "installed winnow cleans" test "$(cat "$T/out")" = "Story.
End."

# ---- the man pages: no warnings, every option ----
for page in man1/winnow.1 man5/winnow-rules.5; do
  p=$stage/usr/share/man/$page
  groff -ww -man -Tutf8 "$p" >"$T/page.txt" 2>"$T/page.err"
  check "groff -ww renders $page without a warning" test ! -s "$T/page.err" || cat "$T/page.err"
  check "$page renders to text" test -s "$T/page.txt"
  if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l "$p" >"$T/page.txt" 2>"$T/page.err" </dev/null
    check "man -l renders $page without a warning" test ! -s "$T/page.err" || cat "$T/page.err"
  fi
done
groff -man -Tascii -P-cbu "$stage/usr/share/man/man1/winnow.1" >"$T/winnow.txt" 2>/dev/null
for o in $(sed -n 's/^ *{"\([a-z-]*\)", [a-z_]*argument.*/\1/p' filter/main.c filter/restore.c | sort -u); do
  check "winnow(1) documents --$o" grep -q -- "--$o" "$T/winnow.txt"
done
for s in $(sed -n 's/.*getopt_long(argc, argv, ":\([a-zA-Z:]*\)".*/\1/p' filter/main.c | tr -d ':' | fold -w1); do
  check "winnow(1) documents -$s" grep -q -- "-$s," "$T/winnow.txt"
done
for sec in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
  check "winnow(1) has $sec" grep -q "^$sec" "$T/winnow.txt"
done
groff -man -Tascii -P-cbu "$stage/usr/share/man/man5/winnow-rules.5" >"$T/rules.txt" 2>/dev/null
for k in kind pattern lang literal head tail lookback longest span items of set all; do
  check "winnow-rules(5) documents key $k" grep -q "^       $k\b" "$T/rules.txt"
done
for t in $(sed -n 's/^| `\([a-z.-]*\)` | [0-9].*/\1/p' rules/README.md); do
  check "winnow-rules(5) documents tunable $t" grep -q -- "$t (" "$T/rules.txt"
done

# ---- uninstall leaves no file behind ----
if $MAKE --no-print-directory BUILD="$build" uninstall DESTDIR="$stage" PREFIX=/usr \
    >"$T/uninstall.log" 2>&1; then ok; else cat "$T/uninstall.log"; bad "make uninstall"; fi
find "$stage" ! -type d >"$T/left"
if [ ! -s "$T/left" ]; then ok; else bad "uninstall left files behind:"; cat "$T/left"; fi
check "uninstall removed share/winnow" test ! -e "$stage/usr/share/winnow"

# ---- the default PREFIX is /usr/local ----
$MAKE --no-print-directory BUILD="$build" install DESTDIR="$T/local" >/dev/null 2>&1
check "default PREFIX: /usr/local/bin/winnow" test -x "$T/local/usr/local/bin/winnow"
check "default PREFIX: winnow.pc's prefix" grep -qx 'prefix=/usr/local' \
  "$T/local/usr/local/lib/pkgconfig/winnow.pc"
$MAKE --no-print-directory BUILD="$build" uninstall DESTDIR="$T/local" >/dev/null 2>&1
check "default PREFIX: uninstall leaves no file" test -z "$(find "$T/local" ! -type d)"

finish
