# Makefile: builds libwinnow (static and shared) and the winnow command, installs what they
# need from Debian, installs them (make install), and runs the tests (make check), the demo
# (make demo) and the benchmark (make bench).

PKGS   = libpcre2-8 libxml-2.0 libcurl liburiparser sqlite3 jansson zlib libzstd hiredis
# Debian packages behind PKGS, plus the tools the tests and benchmark use.
DEBS   = build-essential pkg-config clang libclang-rt-14-dev libpcre2-dev libxml2-dev \
         libcurl4-openssl-dev liburiparser-dev libsqlite3-dev libjansson-dev zlib1g-dev \
         libzstd-dev libhiredis-dev python3 openssl gzip zstd redis-server python3-distributed \
         groff-base man-db strace
TOOLS  = cc clang pkg-config python3 openssl gzip zstd redis-server groff man strace
# Vectorscan (the chunk scan, filter/scan.c) where Debian builds it for this machine; without it
# winnow builds and runs the same, only slower (every line takes the per-line stages).
OPT_PKGS = libhs
OPT_DEBS = libvectorscan-dev

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
HAVE_HS    := $(shell pkg-config --exists $(OPT_PKGS) 2>/dev/null && echo yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
              $(if $(HAVE_HS),-DWN_HAVE_HS $(shell pkg-config --cflags $(OPT_PKGS)))
# The filter links Vectorscan's runtime only (scanning); its compiler (libhs, C++) is loaded
# when a rule set without a prebuilt database needs one, and linked only into hsdb-gen.
# libcurl is not linked: resolve.c loads it (dlopen) when a link is first resolved.
PKG_LIBS   := $(filter-out -lcurl,$(shell pkg-config --libs $(PKGS) 2>/dev/null)) -ldl \
              $(if $(HAVE_HS),-lhs_runtime)
HS_COMPILER := $(shell pkg-config --libs $(OPT_PKGS) 2>/dev/null)
ALL_CFLAGS  = $(WARN) -Iinclude -Ifilter -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS      = $(PKG_LIBS) -lpthread

# The version, read from the one place it is written (include/winnow.h): the shared library
# is libwinnow.so.MAJOR.MINOR.PATCH, its soname libwinnow.so.MAJOR.
version_part = $(shell sed -n 's/^\#define WINNOW_VERSION_$(1) *\([0-9][0-9]*\).*/\1/p' include/winnow.h)
MAJOR   := $(call version_part,MAJOR)
VERSION := $(MAJOR).$(call version_part,MINOR).$(call version_part,PATCH)
SONAME   = libwinnow.so.$(MAJOR)
# Library objects serve the shared library too: position-independent, and only what
# include/winnow.h marks WINNOW_API is exported (the CLI and the unit tests link libwinnow.a,
# where the internal wn_* functions stay visible to the static linker).
PIC      = -fPIC -fvisibility=hidden
# -z defs: every symbol the library uses comes from a library it names (not under the
# sanitizers, whose runtime the program that loads the library brings)
SO_DEFS  = $(if $(findstring -fsanitize,$(CFLAGS)),,-Wl,-z,defs)

# make install: PREFIX and DESTDIR as the GNU conventions have them
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/winnow
INSTALL    ?= install
# winnow.pc: the pkg-config packages libwinnow links (libcurl is not: resolve.c loads it) and,
# for static linking, the libraries without a .pc file (Vectorscan's runtime: its libhs.pc
# names the compiler, libhs, which the filter does not link).
# zlib and libzstd are the command's (filter/input.c), not the library's.
PC_REQUIRES = $(filter-out libcurl zlib libzstd,$(PKGS))
PC_LIBS     = $(if $(HAVE_HS),-lhs_runtime) -ldl -lpthread
# a folder under PREFIX as winnow.pc writes it: ${prefix}/lib, so --define-variable=prefix= moves it
pc_path     = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
SO_LIBS     = $(shell pkg-config --libs $(PC_REQUIRES) 2>/dev/null) $(PC_LIBS)

BUILD   ?= build
# the command's own sources (main.c, split.c, input.c, ...) and the build tool are not the library's
CLI_SRC  = filter/main.c filter/input.c filter/diag.c filter/report.c filter/restore.c \
           filter/split.c filter/versions.c filter/parallel.c
LIB_SRC  = $(filter-out $(CLI_SRC) filter/hsdb-gen.c filter/hsdb_none.c,$(wildcard filter/*.c))
CORE_OBJ = $(LIB_SRC:filter/%.c=$(BUILD)/%.o) $(BUILD)/default_rules.o
LIB_OBJ  = $(CORE_OBJ) $(BUILD)/default_hsdb.o
RULES    = $(sort $(wildcard rules/*.rules))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SAN      = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all lib deps demo check check-fast check-asan bench fuzz fuzz-bins format clean unit-bins \
        install uninstall FORCE

all: winnow lib

lib: $(BUILD)/libwinnow.a $(BUILD)/libwinnow.so

winnow: $(BUILD)/winnow
	cp $(BUILD)/winnow winnow

$(BUILD)/winnow: $(CLI_SRC:filter/%.c=$(BUILD)/%.o) $(BUILD)/libwinnow.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libwinnow.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libwinnow.so.$(VERSION): $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) $(SO_DEFS) -o $@ $^ $(SO_LIBS)

$(BUILD)/libwinnow.so: $(BUILD)/libwinnow.so.$(VERSION)
	ln -sf libwinnow.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/%.o: filter/%.c $(wildcard filter/*.h) include/winnow.h $(BUILD)/flags
	$(CC) $(ALL_CFLAGS) $(PIC) -c -o $@ $<

# The compiler and flags the objects were built with: rewritten (and the objects rebuilt) only
# when they change, e.g. in a build folder made before the library objects were -fPIC.
OBJ_FLAGS = $(CC) $(ALL_CFLAGS) $(PIC)
$(BUILD)/flags: FORCE | $(BUILD)
	@echo '$(OBJ_FLAGS)' | cmp -s - $@ || echo '$(OBJ_FLAGS)' >$@
FORCE:

$(BUILD)/default_rules.c: $(RULES) filter/embed-rules.sh | $(BUILD)
	sh filter/embed-rules.sh $@ $(RULES)

$(BUILD)/default_rules.o: $(BUILD)/default_rules.c $(BUILD)/flags
	$(CC) $(ALL_CFLAGS) $(PIC) -Wno-overlength-strings -c -o $@ $<

# The default rules' Vectorscan database, compiled at build time (filter/hsdb-gen.c).
ifeq ($(HAVE_HS),yes)
$(BUILD)/hsdb-gen: filter/hsdb-gen.c $(CORE_OBJ) $(BUILD)/hsdb_none.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(filter-out -lhs_runtime,$(LDLIBS)) $(HS_COMPILER)

$(BUILD)/default_hsdb.c: $(BUILD)/hsdb-gen
	$(BUILD)/hsdb-gen >$@.tmp && mv $@.tmp $@
else
$(BUILD)/default_hsdb.c: filter/hsdb_none.c | $(BUILD)
	cp filter/hsdb_none.c $@
endif

$(BUILD)/default_hsdb.o: $(BUILD)/default_hsdb.c $(BUILD)/flags
	$(CC) $(ALL_CFLAGS) $(PIC) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libwinnow.a | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libwinnow.a $(LDLIBS)

unit-bins: $(UNIT_BIN) $(BUILD)/winnow

$(BUILD):
	mkdir -p $(BUILD)

# The man pages with the version filled in.
$(BUILD)/man/%: man/% include/winnow.h
	@mkdir -p $(BUILD)/man
	sed -e 's/@VERSION@/$(VERSION)/g' $< >$@

MAN_PAGES = $(BUILD)/man/winnow.1 $(BUILD)/man/winnow-rules.5

# Installs the command, the libraries (shared, with its soname and development links, and
# static), the header, winnow.pc, the man pages and the default rules (as files, for reading
# and copying: the command and the library have them built in).
install: $(BUILD)/winnow lib $(MAN_PAGES)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/rules
	$(INSTALL) -m 755 $(BUILD)/winnow $(DESTDIR)$(BINDIR)/winnow
	$(INSTALL) -m 755 $(BUILD)/libwinnow.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwinnow.so.$(VERSION)
	ln -sf libwinnow.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libwinnow.so
	$(INSTALL) -m 644 $(BUILD)/libwinnow.a $(DESTDIR)$(LIBDIR)/libwinnow.a
	$(INSTALL) -m 644 include/winnow.h $(DESTDIR)$(INCLUDEDIR)/winnow.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|g' \
	    -e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@REQUIRES@|$(PC_REQUIRES)|g' -e 's|@LIBS@|$(PC_LIBS)|g' \
	    winnow.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/winnow.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/winnow.pc
	$(INSTALL) -m 644 $(BUILD)/man/winnow.1 $(DESTDIR)$(MANDIR)/man1/winnow.1
	$(INSTALL) -m 644 $(BUILD)/man/winnow-rules.5 $(DESTDIR)$(MANDIR)/man5/winnow-rules.5
	$(INSTALL) -m 644 $(RULES) $(DESTDIR)$(DATADIR)/rules/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	  ldconfig; fi

# Removes what install installed, and the folders only winnow uses.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/winnow $(DESTDIR)$(LIBDIR)/libwinnow.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libwinnow.so \
	    $(DESTDIR)$(LIBDIR)/libwinnow.a $(DESTDIR)$(INCLUDEDIR)/winnow.h \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/winnow.pc $(DESTDIR)$(MANDIR)/man1/winnow.1 \
	    $(DESTDIR)$(MANDIR)/man5/winnow-rules.5 \
	    $(addprefix $(DESTDIR)$(DATADIR)/rules/,$(notdir $(RULES)))
	rmdir $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then \
	  ldconfig; fi

# Installs the Debian packages that are missing; does nothing when all are there.
deps:
	@missing=""; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing=1; done; \
	for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || missing=1; done; \
	/usr/bin/python3 -c 'import distributed' >/dev/null 2>&1 || missing=1; \
	command -v clang >/dev/null 2>&1 && \
	  [ ! -e "$$(clang -print-file-name=libclang_rt.asan-x86_64.a)" ] && missing=1; \
	opt=""; \
	pkg-config --exists $(OPT_PKGS) 2>/dev/null || \
	  { apt-cache show $(OPT_DEBS) >/dev/null 2>&1 && opt="$(OPT_DEBS)" && missing=1; }; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "winnow: installing build dependencies: $(DEBS) $$opt"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  (apt-get install -y -q $(DEBS) $$opt >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q $(DEBS) $$opt >/dev/null)) || \
	   { echo "winnow: apt-get install failed" >&2; exit 2; }; \
	  for p in $(PKGS); do pkg-config --exists $$p || \
	    { echo "winnow: pkg-config still cannot find $$p" >&2; exit 2; }; done; \
	  pkg-config --exists $(OPT_PKGS) 2>/dev/null || \
	    { apt-cache show $(OPT_DEBS) >/dev/null 2>&1 && \
	      apt-get install -y -q $(OPT_DEBS) >/dev/null 2>&1; } || \
	    echo "winnow: $(OPT_DEBS) is not installed: building without Vectorscan (slower)"; \
	else \
	  echo "winnow: missing build dependencies; as root run:" >&2; \
	  echo "  apt-get install -y $(DEBS) $$opt" >&2; exit 2; \
	fi

demo: deps
	@$(MAKE) --no-print-directory winnow >/dev/null
	@echo "=== input: tests/fixtures/demo/sample-article.txt"; echo
	@cat tests/fixtures/demo/sample-article.txt; echo
	@echo; echo "=== ./winnow tests/fixtures/demo/sample-article.txt"; echo
	@./winnow tests/fixtures/demo/sample-article.txt
	@echo; echo "=== what went, and why (--explain, on stderr)"; echo
	@./winnow --explain tests/fixtures/demo/sample-article.txt 2>&1 >/dev/null

# Every test: unit, CLI, golden corpus, then the unit and golden tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps
	@$(MAKE) --no-print-directory winnow lib unit-bins
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang CFLAGS="$(SAN)" unit-bins
	@$(MAKE) --no-print-directory fuzz-bins
	@FUZZ_DIR=build/fuzz sh tests/run.sh build build/asan

check-fast: winnow lib unit-bins
	@sh tests/run.sh build

# Figures, not pass/fail: text throughput and memory, link resolution, HTML throughput, the
# Python binding against the CLI.
# Coverage-guided fuzzing with libFuzzer, ASan and UBSan (tests/fuzz): the whole filter split
# anyhow (engine), the lossless edits (edits), the prefilters derived from patterns, the rules
# parser, the URL finder and cleaner with Location and meta-refresh parsing (url), the ClearURLs
# loader, JSON Lines, the HTML path with its reports, the link cache, the resolver's handling of
# responses over a fake in-process transport (resolve), the command's split of a stream into
# documents (split). `make fuzz` runs each for FUZZ_SECONDS; `make check` runs each for 10 s
# after replaying tests/fuzz/regressions.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS = engine prefilter edits rules url clearurls jsonl html cache resolve split
FUZZ_FLAGS = -O1 -g -fsanitize=address,undefined,fuzzer -fno-sanitize-recover=all
fuzz-bins: deps
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
	    build/fuzz/libwinnow.a
	@for t in $(FUZZ_TARGETS); do \
	  src=; ld=; \
	  case $$t in \
	  split) src=filter/split.c;; \
	  resolve) ld=-Wl,--export-dynamic-symbol=connect,--export-dynamic-symbol=getpeername;; \
	  esac; \
	  if [ ! build/fuzz/fuzz_$$t -nt tests/fuzz/fuzz_$$t.c ] || \
	     [ ! build/fuzz/fuzz_$$t -nt build/fuzz/libwinnow.a ] || \
	     { [ -n "$$src" ] && [ ! build/fuzz/fuzz_$$t -nt "$$src" ]; }; then \
	    echo "clang ... -o build/fuzz/fuzz_$$t"; \
	    clang $(WARN) -Iinclude -Ifilter -Itests/unit $(PKG_CFLAGS) $(FUZZ_FLAGS) \
	      -o build/fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $$src build/fuzz/libwinnow.a $(LDLIBS) \
	      $$ld || exit 2; \
	  fi; done

fuzz: fuzz-bins
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	@$(MAKE) --no-print-directory winnow lib
	@sh tests/bench.sh
	@sh tests/bench-links.sh
	@sh tests/bench-redis.sh
	@sh tests/bench-html.sh
	@sh tests/bench-python.sh $(BUILD)

format:
	clang-format -i filter/*.c filter/*.h include/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build winnow
