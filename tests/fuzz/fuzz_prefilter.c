/* fuzz_prefilter.c: a libFuzzer target for the prefilters derived from patterns (make fuzz):
 * whenever PCRE2 matches a subject, the derived literals and prefixes must admit it. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf_admit.h"
#include "prefilter.h"

/* Longer patterns compile and derive slowly and teach nothing new (the longest rule has ~4 KB) */
enum { MAX_PATTERN = 8192, MAX_SUBJECT = 8192 };

static pcre2_match_context *mctx;

static void fail(const char *what, const char *pattern, const uint8_t *s, size_t n, size_t k)
{
    fprintf(stderr, "prefilter: %s (k %zu)\npattern: %s\nsubject: ", what, k, pattern);
    fwrite(s, 1, n, stderr);
    fputc('\n', stderr);
    abort();
}

/* 1: the pattern matches s[0..n) (at 0 when `at_start`); 0: no match, or PCRE2 gave up */
static int matches(pcre2_code *re, const uint8_t *s, size_t n, int at_start)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) abort();
    int rc = pcre2_match(re, s, n, 0, 0, md, mctx);
    /* an anchored match past an invalid byte (PCRE2 10.42) is refused, as rules.c does */
    int ok = rc >= 0 && (!at_start || pcre2_get_ovector_pointer(md)[0] == 0);
    pcre2_match_data_free(md);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        if (!mctx) abort();
        pcre2_set_match_limit(mctx, 100000);
        pcre2_set_depth_limit(mctx, 10000);
    }
    /* pattern NUL subject; without a NUL the pattern is its own subject */
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    const uint8_t *subject = nul ? nul + 1 : data;
    size_t slen = nul ? size - plen - 1 : size;
    if (plen > MAX_PATTERN || slen > MAX_SUBJECT) return 0;
    char *pattern = malloc(plen + 1);
    if (!pattern) abort();
    memcpy(pattern, data, plen);
    pattern[plen] = 0;

    int ec;
    PCRE2_SIZE eo;
    /* as rules.c compiles code_any: UTF, any bytes in the subject; anchored when compiled, as
     * line rules are */
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, plen, opts, &ec, &eo, NULL);
    pcre2_code *anchored =
        re ? pcre2_compile((PCRE2_SPTR)pattern, plen, opts | PCRE2_ANCHORED, &ec, &eo, NULL) : NULL;
    if (!re || !anchored) {
        pcre2_code_free(re);
        free(pattern);
        return 0;
    }
    static struct wn_prefilter pf;
    char desc[200];
    wn_prefilter_derive(pattern, 1, &pf);
    wn_prefilter_describe(&pf, desc, sizeof desc);
    for (size_t j = 0; j < pf.n; j++)
        if (pf.lits[j].len > WN_PF_MAX_LEN || pf.lits[j].len == 0)
            fail("a literal of a bad length", pattern, subject, slen, 0);
    if (pf.n && matches(re, subject, slen, 0) &&
        !pf_holds(pf.lits, pf.n, (const char *)subject, slen))
        fail("no literal in a subject PCRE2 matches", pattern, subject, slen, 0);
    static const size_t ks[] = {8, 3, 16, 32};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        wn_prefilter_prefixes(pattern, ks[i], &pf);
        wn_prefilter_describe(&pf, desc, sizeof desc);
        for (size_t j = 0; j < pf.n; j++)
            if (pf.lits[j].len > ks[i] || pf.lits[j].len > WN_PF_MAX_LEN || pf.lits[j].len == 0)
                fail("a prefix of a bad length", pattern, subject, slen, ks[i]);
        if (pf.n && matches(anchored, subject, slen, 1) &&
            !pf_starts(pf.lits, pf.n, (const char *)subject, slen))
            fail("no prefix at the start of a subject PCRE2 matches anchored", pattern, subject,
                 slen, ks[i]);
    }
    pcre2_code_free(re);
    pcre2_code_free(anchored);
    free(pattern);
    return 0;
}
