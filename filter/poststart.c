/* poststart.c: where a post glued into a paragraph begins. Strategies in order of trust, each
 * bounded (see limits.h); when none fits, SIZE_MAX: only the attribution goes, since losing a
 * story sentence is worse than leaving a post's words in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cuts.h"
#include "limits.h"
#include "textfeat.h"
#include "tune.h"

static size_t next_char(const char *s, size_t n, size_t i)
{
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Do words that introduce a post ("tweeted:") end right at s[p]? */
static int introduced(struct wn_cutter *c, const char *s, size_t p)
{
    size_t back = (size_t)c->tune[WN_TUNE_INTRO_LOOKBACK_BYTES];
    size_t from = next_char(s, p, p > back ? p - back : 0);
    for (size_t i = 0; i < c->n_intro; i++) {
        size_t ms, me;
        if (wn_matcher_run(c->m, c->intro[i], s, p, from, &ms, &me) && me == p) return 1;
    }
    return 0;
}

/* The positions p in [low, ms] where a post may start at all: right after a sentence mark,
 * a colon or a blank (every strategy below needs one of them at s[p - 1]); found once, so
 * each strategy tests only those (ascending in c->cand[0..c->ncand)). */
/* Room for n more candidates. */
static int cand_room(struct wn_cutter *c, size_t n)
{
    if (c->ncand + n <= c->cand_cap) return 0;
    size_t cap = c->cand_cap ? c->cand_cap : 256;
    while (cap < c->ncand + n)
        cap *= 2;
    size_t *g = realloc(c->cand, cap * sizeof *g);
    if (!g) return -1;
    c->cand = g;
    c->cand_cap = cap;
    return 0;
}

static int is_candidate_mark(unsigned char b)
{
    return b == '.' || b == '!' || b == '?' || b == ':' || wn_is_blank(b);
}

int wn_post_candidates(struct wn_cutter *c, const char *s, size_t low, size_t ms)
{
    c->ncand = 0;
    size_t p = low ? low : 1; /* a candidate p has its mark at s[p - 1] */
#ifdef __SSE2__
    /* 16 positions at a time: the marks of a block as a bit mask, each set bit a candidate */
    for (; p + 16 <= ms + 1; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + p - 1));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('!'))),
                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('?')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                         /* \t \v \f \r: 9, 11, 12, 13 (and '\n', 10, which wn_is_blank is not) */
                         _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(8)),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(14)))));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (!mask) continue;
        if (cand_room(c, 16)) return -1;
        while (mask) {
            size_t at = p + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (s[at - 1] != '\n') c->cand[c->ncand++] = at;
        }
    }
#endif
    for (; p <= ms; p++) {
        if (!is_candidate_mark((unsigned char)s[p - 1])) continue;
        if (cand_room(c, 1)) return -1;
        c->cand[c->ncand++] = p;
    }
    return 0;
}

/* A glued start right after words that introduce a quote ("...tweeted:Happy"). */
static size_t after_intro(struct wn_cutter *c, const char *s, size_t len, size_t hard, size_t low,
                          size_t ms)
{
    for (size_t i = c->ncand; i-- > 0;) {
        size_t p = c->cand[i];
        if (p <= low || p > ms) continue;
        if (p > hard && s[p - 1] == ':' && wn_glued_start(s, p, len) && introduced(c, s, p))
            return p;
    }
    return SIZE_MAX;
}

/* The latest sentence after one that introduces the post and ends in a full stop ("She shared
 * the review with her followers. The soup was cold..."): an `embed-intro` rule that ends in a
 * sentence end matches the sentence before it. */
static size_t after_intro_sentence(struct wn_cutter *c, const char *s, size_t len, size_t hard,
                                   size_t low, size_t ms)
{
    for (size_t i = c->ncand; i-- > 0;) {
        size_t p = c->cand[i];
        if (p <= low || p > ms) continue;
        if (p <= hard || !(wn_sentence_start(s, p, len) || wn_glued_start(s, p, len))) continue;
        size_t q = p;
        while (q > 0 && wn_is_blank((unsigned char)s[q - 1]))
            q--;
        if (q > 0 && (s[q - 1] == '.' || s[q - 1] == '!') && introduced(c, s, q)) return p;
    }
    return SIZE_MAX;
}

/* The latest start after a sentence end and two or more blanks ("...verdict.  Dad and..."):
 * scrapers join a paragraph and the embed after it with the embed's own indentation. */
static size_t after_spaces(const struct wn_cutter *c, const char *s, size_t len, size_t hard,
                           size_t low, size_t ms)
{
    for (size_t i = c->ncand; i-- > 0;) {
        size_t p = c->cand[i];
        if (p > low && p <= ms && p > hard && wn_spaced_start(s, p, len)) return p;
    }
    return SIZE_MAX;
}

/* The latest glued paragraph start after a sentence end ("...expect.What"): the scrape glued
 * the post's block to the story's; an earlier glue point may be the story's own
 * ("...millions.Vick did not seem bothered.I will keep doing that. — Lorraine Vick ..."),
 * and a post's lines glued to each other left in is the side to err on. Not after a colon:
 * there the glue is the post's own list ("...at same point in presidencies:Obama 24 rounds"),
 * and words that introduce a post before a colon are after_intro's. */
static size_t glued(const struct wn_cutter *c, const char *s, size_t len, size_t hard, size_t low,
                    size_t ms)
{
    for (size_t i = c->ncand; i-- > 0;) {
        size_t p = c->cand[i];
        if (p >= low && p < ms && p > hard && s[p - 1] != ':' && wn_glued_start(s, p, len))
            return p;
    }
    return SIZE_MAX;
}

/* The earliest sentence that the story quoted shortly before it: the story cited the post,
 * then the scrape glued the embedded post after the quote. */
static size_t quoted(struct wn_cutter *c, const char *s, size_t len, size_t hard, size_t low,
                     size_t ms)
{
    size_t qmin = (size_t)c->tune[WN_TUNE_QUOTE_MIN_BYTES];
    size_t qmax = (size_t)c->tune[WN_TUNE_QUOTE_MAX_BYTES];
    int tries = 0;
    for (size_t i = 0; i < c->ncand; i++) {
        size_t p = c->cand[i];
        if (p < low || p >= ms) continue;
        if (p > hard && tries < WN_QUOTE_TRIES &&
            (wn_sentence_start(s, p, len) || wn_glued_start(s, p, len))) {
            size_t k = ms - p < qmax ? ms - p : qmax;
            size_t from = p > WN_QUOTE_LOOKBACK ? p - WN_QUOTE_LOOKBACK : 0;
            tries++;
            if (k >= qmin && memmem(s + from, p - from, s + p, k)) return p;
        }
    }
    return SIZE_MAX;
}

/* Weakest: the story's last words before a capitalised word come back inside the post
 * ("...are sinking through It is finally sinking through. ..."): the story led into a quote
 * of the post that the scrape glued to the post itself. */
static size_t echoed(const struct wn_cutter *c, const char *s, size_t low, size_t ms)
{
    for (size_t i = 0; i < c->ncand; i++) {
        size_t p = c->cand[i];
        if (p < low || p >= ms) continue;
        if (p < 14 || s[p - 1] != ' ' || !(s[p] >= 'A' && s[p] <= 'Z')) continue;
        size_t q = p - 1;
        while (q > 0 && s[q - 1] == ' ')
            q--;
        unsigned char e = q ? (unsigned char)s[q - 1] : 0;
        if (q < 12 || !((e >= 'a' && e <= 'z') || (e >= '0' && e <= '9'))) continue;
        const char *tail = s + q - 12;
        if (memchr(tail, ' ', 12) && memmem(s + p, ms - p, tail, 12)) return p;
    }
    return SIZE_MAX;
}

/* The latest sentence after a colon in the story's words ("...answered within minutes: Fares
 * are up..."): a sentence that introduces a post is the story's, inside a line as on a line
 * of its own. Tried only where the paragraph goes on after the post (a line that ends with
 * its attribution is the post, colons and all: "...no plans to resign: \"We have been...\"");
 * a colon of the post's own leaves the words before it in, which is the side to err on. */
static size_t after_colon(const struct wn_cutter *c, const char *s, size_t len, size_t hard,
                          size_t low, size_t ms)
{
    for (size_t i = c->ncand; i-- > 0;) {
        size_t p = c->cand[i];
        if (p > low && p <= ms && p > hard + 2 && wn_colon_start(s, p, len)) return p;
    }
    return SIZE_MAX;
}

/* Nothing but blanks after the attribution: the line ends with it. */
static int ends_line(const char *s, size_t len, size_t me)
{
    return wn_leading_space(s + me, len - me) == len - me;
}

/* Is s[from..to) one sentence: no sentence mark followed by blanks and more words inside? */
static int one_sentence(const char *s, size_t from, size_t to)
{
    while (to > from && wn_is_blank((unsigned char)s[to - 1]))
        to--;
    for (size_t i = from; i + 1 < to; i++)
        if ((s[i] == '.' || s[i] == '!' || s[i] == '?') && wn_is_blank((unsigned char)s[i + 1])) {
            size_t j = i + 1;
            while (j < to && wn_is_blank((unsigned char)s[j]))
                j++;
            if (j < to) return 0;
        }
    return 1;
}

/* Does s[from..to) carry a post's own signals: a hashtag, a @mention, an emoji? */
static int reads_as_post(const char *s, size_t from, size_t to, long span)
{
    struct wn_feat f;
    struct wn_feat_limits lim = {(size_t)span * 4 + 64, 23, 23}; /* only the counts matter */
    wn_feat_compute(s + from, to - from, &lim, &f);
    return f.hashtags || f.mentions || f.emoji;
}

size_t wn_post_start(struct wn_cutter *c, const char *s, size_t len, size_t hard, size_t ms,
                     size_t me, long span)
{
    /* `span` characters back, no further than `hard`: as many bytes at once (as many
     * characters when all are ASCII), then byte by byte for what multi-byte ones took */
    size_t low = ms - hard > (size_t)span ? ms - (size_t)span : hard;
    size_t chars = wn_char_starts(s, low, ms);
    while (low > hard && chars < (size_t)span) {
        low--;
        if (((unsigned char)s[low] & 0xC0) != 0x80) chars++;
    }
    if (wn_post_candidates(c, s, low, ms)) return SIZE_MAX; /* no memory: only the attribution */
    size_t p = after_intro(c, s, len, hard, low, ms);
    if (p == SIZE_MAX) p = quoted(c, s, len, hard, low, ms);
    if (p == SIZE_MAX) p = glued(c, s, len, hard, low, ms);
    if (p == SIZE_MAX) p = after_intro_sentence(c, s, len, hard, low, ms);
    if (p == SIZE_MAX) p = after_spaces(c, s, len, hard, low, ms);
    if (p == SIZE_MAX && !ends_line(s, len, me)) p = after_colon(c, s, len, hard, low, ms);
    if (p != SIZE_MAX) return p;
    /* The whole span back to the line's start (or the previous post's end) fits one post:
     * a line that is a post and its attribution (the line ends with it: "Post text
     * pic.twitter.com/x — Name (@handle) date"), or a run of replies glued one after another,
     * each one sentence ("no one likes you — A (@a) ... Your impeachment would ... — B ...").
     * Where the story goes on after the attribution, the post was glued into a paragraph, and
     * a paragraph opens with the story; after an attribution the story resumes, and more than
     * one sentence there may be the story's before the next post ("— A ... The opposition
     * disagreed. This is too late. — B ..."). Unless what stands before the attribution
     * carries a post's own signals ("Finally open 🎉 #OrrinfordBridge — ..."), only the
     * attribution goes then, as on a longer line. */
    if (low == hard && ((hard > 0 && one_sentence(s, hard, ms)) ||
                        (hard == 0 && ends_line(s, len, me)) || reads_as_post(s, hard, ms, span)))
        return hard;
    return echoed(c, s, low, ms);
}
