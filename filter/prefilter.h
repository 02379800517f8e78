/* prefilter.h: what a rule's match must have (literals it contains; prefixes and suffixes it
 * starts and ends with), derived from its pattern (as RE2's FilteredRE2 derives atoms), so one
 * scan of a chunk finds every line a rule may touch. A prefilter only ever rules lines out:
 * PCRE2 stays the only judge of a match. */
#ifndef WN_PREFILTER_H
#define WN_PREFILTER_H

#include <stddef.h>

/* At most so many literals of so many bytes a set; literals of WN_PF_ENOUGH bytes count as
 * rare enough (then fewer literals win). */
enum { WN_PF_MAX_LITS = 256, WN_PF_MAX_LEN = 16, WN_PF_ENOUGH = 6 };

struct wn_pf_lit {
    char s[WN_PF_MAX_LEN];
    unsigned char len;
    unsigned char caseless; /* ASCII letters match either case ('k', 's': see prefilter.c) */
    unsigned char open;     /* while deriving prefixes: what follows may extend it */
};

/* Every match of the pattern contains at least one of lits[0..n); n == 0: nothing is known
 * (every line is a candidate). */
struct wn_prefilter {
    size_t n;
    struct wn_pf_lit lits[WN_PF_MAX_LITS];
};

/* Derives the prefilter of a PCRE2 pattern (compiled with PCRE2_UTF, no UCP). Literals shorter
 * than min_len bytes are no use as a filter: then n is 0. Any construct it does not know
 * makes that part of the pattern "anything", so the result is always safe. */
void wn_prefilter_derive(const char *pattern, size_t min_len, struct wn_prefilter *out);

/* How every match of an anchored pattern starts: each literal is a possible first `k` bytes
 * (shorter where the pattern allows fewer); n == 0 when a match may start with anything. */
void wn_prefilter_prefixes(const char *pattern, size_t k, struct wn_prefilter *out);

/* How every match of pattern[0..len) ends: each literal is a possible last `k` bytes. For a
 * pattern anchored at the end ("$"), given here without its final "$" (and the blanks before
 * it); n == 0 when a match may end with anything. */
void wn_prefilter_suffixes(const char *pattern, size_t len, size_t k, struct wn_prefilter *out);

/* Where a match's literal lit[0..n) lies in the pattern: the offset of a top-level run of the
 * pattern that spells it (an element of the sequence every match goes through, not in a
 * group, an alternative or under a quantifier), so that pattern + offset is what every match
 * holds from that literal on, a pattern on its own; pattern[0..*opts) are the option settings
 * that open the pattern (such as "(?i)"), which apply to it too. SIZE_MAX when there is none,
 * or when that tail refers back (backreferences, subroutine calls) or would read otherwise. */
size_t wn_prefilter_from_literal(const char *pattern, const char *lit, size_t n, size_t *opts);

/* What was derived for one rule (its kind and pattern): the build stores the default rules'
 * (hsdb-gen.c writes them beside their Vectorscan database), so loading them derives
 * nothing; any other rule is derived when it is loaded. */
struct wn_pf_cached {
    int kind;
    const char *pattern;
    const struct wn_pf_lit *lits, *prefixes, *suffixes;
    size_t nlits, nprefixes, nsuffixes;
};
extern const struct wn_pf_cached wn_pf_cache[];
extern const size_t wn_pf_cache_count;

/* The UTF-8 of code point cp (at most 0x10FFFF) in o[0..4): its length. */
size_t wn_utf8_encode(unsigned long cp, char *o);

/* The prefilter as text for --list-rules: "lit1|lit2" with (?i) before caseless ones, or
 * "(none)"; truncated to fit. */
void wn_prefilter_describe(const struct wn_prefilter *pf, char *buf, size_t size);

#endif
