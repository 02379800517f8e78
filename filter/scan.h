/* scan.h: the chunk scan. From the prefixes, suffixes and literals derived from the rules
 * (prefilter.c), one pass over a chunk of whole lines finds every line some rule may touch,
 * so that the lines none can touch skip the per-line stages. It only ever rules lines out:
 * a line it cannot vouch for takes the per-line stages, where PCRE2 decides. */
#ifndef WN_SCAN_H
#define WN_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* What the scan knows of a line. */
enum {
    WN_SCAN_TOUCHED = 1,     /* some rule may match it (or cut in it) */
    WN_SCAN_ATTRIBUTION = 2, /* an attribution rule may match it */
    WN_SCAN_SETTLED = 4,     /* untouched, and no attribution can take it back: between it
                                and the next line an attribution may open lies more untouched
                                text than a climb can take (settle() in scan.c) */
    WN_SCAN_UNKNOWN = 0x80   /* not a line of the last chunk scanned */
};

/* The rules a filter uses, by what they match: line rules (anchored at a line's first
 * non-blank byte), attributions and cuts (anywhere in a line). */
struct wn_scan_rules {
    winnow_rules *set; /* all of them (the database is the set's) */
    const struct wn_rule *const *line, *const *attrib, *const *cut;
    size_t n_line, n_attrib, n_cut;
    long hold_bytes; /* take-back.hold-bytes: how far above an attribution a climb may reach */
    long max_span;   /* the longest post any attribution takes back, in characters */
};

struct wn_scan;

/* The literals the Vectorscan pass looks for: those of every rule of the set whose matches
 * no prefix or suffix tells (rule[i]: the owner's index in the set), in the set's order, so
 * the database depends on the set alone; with flags and ids as hs_compile_lit_multi takes
 * them. hsdb-gen.c builds the default rules' database from the same list. */
struct wn_scan_lits {
    const char **expr;
    unsigned *flags, *ids, *rule;
    size_t *lens, n;
};
int wn_scan_literals(const winnow_rules *set, struct wn_scan_lits *l); /* -1: no memory */
unsigned long long wn_scan_literals_hash(const struct wn_scan_lits *l);
void wn_scan_literals_free(struct wn_scan_lits *l);

/* Is the scan built in (Vectorscan was found at build time)? */
int wn_scan_available(void);

/* NULL when not built in, out of memory, or when nothing could be derived that rules lines
 * out (then the scan would only cost time). */
struct wn_scan *wn_scan_new(const struct wn_scan_rules *r);

/* Scans buf[0..len), whole lines from buf (a last line without its '\n' is not one of them,
 * unless `final`: nothing of the document follows buf). Returns -1 when out of memory (then no
 * line is known). */
int wn_scan_chunk(struct wn_scan *sc, const char *buf, size_t len, int final);

/* What the last chunk scanned knows of the line that starts at s: WN_SCAN_* bits, or
 * WN_SCAN_UNKNOWN. Lines are asked for in order (a cursor walks the chunk). */
int wn_scan_line(struct wn_scan *sc, const char *s);

/* For the line wn_scan_line last found (not UNKNOWN): the rules that may touch it, as a set
 * of slots (bit i of word i / 64). Slots number the rules of wn_scan_rules in order: line
 * rules from 0, then attributions, then cuts. A line rule with nothing derived is in the set
 * of every line, whatever its first byte: the caller checks that. */
const uint64_t *wn_scan_rules_of_line(const struct wn_scan *sc);

/* The rules whose prefix and suffix needs the text s[0..n) of a whole line meets (rules that
 * need a literal all may): for a line its cuts changed, whose rules the scan of the chunk
 * cannot tell. NULL: all may. Valid until the next call. */
const uint64_t *wn_scan_rules_of_text(struct wn_scan *sc, const char *s, size_t n);

/* Is slot i in the set? */
static inline int wn_scan_has(const uint64_t *set, size_t i)
{
    return (int)(set[i / 64] >> (i % 64) & 1);
}

/* The lines of the last chunk scanned: how many, and line k's start (an offset in the chunk),
 * length without its ending, and WN_SCAN_* bits. */
size_t wn_scan_lines(const struct wn_scan *sc);
/* How many bytes of the chunk its lines cover: all of it, unless it held more lines than one
 * scan frames (WN_SCAN_MAX_LINES); the rest is then the next chunk's. */
size_t wn_scan_framed(const struct wn_scan *sc);
void wn_scan_line_at(const struct wn_scan *sc, size_t k, size_t *start, size_t *len, int *flags);

/* Forgets the chunk (its buffer is about to go). */
void wn_scan_forget(struct wn_scan *sc);

void wn_scan_free(struct wn_scan *sc);

#endif
