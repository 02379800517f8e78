/* pf_admit.h: does a derived prefilter (prefilter.h) admit a subject? The one reading of a
 * wn_pf_lit that the unit test (test_prefilter.c) and the fuzz target (fuzz_prefilter.c) share. */
#ifndef WN_PF_ADMIT_H
#define WN_PF_ADMIT_H

#include <stddef.h>

#include "prefilter.h"

/* Does the literal occur at s[0..)? (n bytes there) Caseless literals: ASCII letters match
 * either case, every other byte exactly (as the chunk scan and Vectorscan's CASELESS read
 * them). */
static inline int pf_lit_at(const struct wn_pf_lit *l, const char *s, size_t n)
{
    if (l->len > n) return 0;
    for (size_t i = 0; i < l->len; i++) {
        unsigned char a = (unsigned char)l->s[i], b = (unsigned char)s[i];
        if (a == b) continue;
        int letter = (a | 0x20) >= 'a' && (a | 0x20) <= 'z';
        if (l->caseless && letter && (a | 0x20) == (b | 0x20)) continue;
        return 0;
    }
    return 1;
}

/* Does s[0..n) hold one of lits[0..nl)? No literals: nothing is known, so yes. */
static inline int pf_holds(const struct wn_pf_lit *lits, size_t nl, const char *s, size_t n)
{
    if (!nl) return 1;
    for (size_t i = 0; i < nl; i++)
        for (size_t at = 0; at + lits[i].len <= n; at++)
            if (pf_lit_at(&lits[i], s + at, n - at)) return 1;
    return 0;
}

/* Does s[0..n) start with one of lits[0..nl)? No literals: yes. */
static inline int pf_starts(const struct wn_pf_lit *lits, size_t nl, const char *s, size_t n)
{
    if (!nl) return 1;
    for (size_t i = 0; i < nl; i++)
        if (pf_lit_at(&lits[i], s, n)) return 1;
    return 0;
}

#endif
