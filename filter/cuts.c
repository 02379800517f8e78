/* cuts.c: finds the spans to cut inside a line (attributions with their glued posts, short
 * links, inline promotions) and applies them. Cuts only shrink a line, so a line in a buffer
 * of our own is rewritten in place and a huge line is never copied. */
#include "cuts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "textfeat.h"

static size_t next_char(const char *s, size_t n, size_t i)
{
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

static int add_cut(struct wn_cutter *c, size_t a, size_t b, const struct wn_rule *r)
{
    if (c->ncuts == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct wn_cut *g = realloc(c->cuts, cap * sizeof *g);
        if (!g) return -1;
        c->cuts = g;
        c->cap = cap;
    }
    c->cuts[c->ncuts++] = (struct wn_cut){a, b, r};
    return 0;
}

/* How far before its literal at `qi` a match of a rule with a `lookback` of n characters can
 * start: n characters back, blanks not counted (a name of at most 50 characters and a dash,
 * after any run of blanks), but not before `floor`. */
static size_t within_lookback(const char *s, size_t floor, size_t qi, long n)
{
    size_t p = qi;
    long counted = 0;
    while (p > floor) {
        unsigned char b = (unsigned char)s[p - 1];
        if (!wn_is_blank(b) && (b & 0xC0) != 0x80 && counted++ == n) break;
        p--;
    }
    return p;
}

/* A link alone in brackets, "(https://t.co/x)" or "[ pic.twitter.com/y ]": the brackets go
 * with it, or "()" would be left in the sentence. */
static void bracketed(const char *s, size_t n, size_t *a, size_t *b)
{
    size_t l = *a, r = *b;
    while (l > 0 && wn_is_blank((unsigned char)s[l - 1]))
        l--;
    while (r < n && wn_is_blank((unsigned char)s[r]))
        r++;
    if (l > 0 && r < n && ((s[l - 1] == '(' && s[r] == ')') || (s[l - 1] == '[' && s[r] == ']'))) {
        *a = l - 1;
        *b = r + 1;
    }
}

/* The earliest match of an attribution rule at or after `pos`, before `bs`. An attribution has
 * no fixed first character, so a plain search would try the pattern at every byte of a long
 * paragraph: it is tried only in a window around each occurrence of its literal, "(@". */
static int attribution_at(struct wn_cutter *c, const struct wn_rule *r, const char *s, size_t n,
                          size_t pos, size_t bs, size_t *ms, size_t *me)
{
    if (!r->nlits || c->unfiltered) return wn_matcher_run(c->m, r, s, n, pos, ms, me) && *ms < bs;
    size_t at = pos, decided = pos; /* starts before `decided` failed already */
    while (at < n && at < bs) {
        size_t qi = wn_rule_literal_find(r, s, n, at);
        if (qi == SIZE_MAX) break;
        size_t from = qi > pos + WN_ATTRIBUTION_LOOKBACK ? qi - WN_ATTRIBUTION_LOOKBACK : pos;
        if (from < decided) from = decided;
        if (from > qi) { /* every start that could hold this "(@" is settled */
            at = qi + 1;
            continue;
        }
        size_t end = n - qi > WN_ATTRIBUTION_LOOKAHEAD ? qi + WN_ATTRIBUTION_LOOKAHEAD : n;
        while (end < n && end > qi && ((unsigned char)s[end] & 0xC0) == 0x80)
            end--;
        /* what follows the literal must close an attribution (the handle, the date) before
         * any start is tried for it: in story text it seldom does */
        if (!c->unfiltered && wn_matcher_valid(c->m) &&
            !wn_rule_from_literal(r, s, end, qi, c->m->md, c->m->mctx)) {
            at = qi + 1;
            continue;
        }
        /* only now, so that a settled "(@" costs no walk (linear on "(@(@(@...") */
        if (r->lookback > 0 && !c->unfiltered) from = within_lookback(s, from, qi, r->lookback);
        from = next_char(s, n, from);
        if (wn_matcher_run(c->m, r, s, end, from, ms, me) && *ms <= qi) return *ms < bs;
        /* No match starts in [from, end): its mandatory part (name, handle, date) is far
         * shorter than the look-ahead, so starts up to end - lookback are settled and the next
         * window need not try them again (linear on "(@(@(@..."). */
        if (end > WN_ATTRIBUTION_LOOKBACK && end - WN_ATTRIBUTION_LOOKBACK > decided)
            decided = end - WN_ATTRIBUTION_LOOKBACK;
        at = qi + 1;
    }
    return 0;
}

/* Every attribution in the line, each with the post before it. */
static int allowed_slot(const uint64_t *allowed, size_t slot)
{
    return !allowed || (allowed[slot / 64] >> (slot % 64) & 1);
}

/* Does the match s[from..to) open, after blanks, with a dash: "— Name (@handle) ..."? */
static int opens_with_dash(const char *s, size_t from, size_t to)
{
    size_t i = from + wn_leading_space(s + from, to - from);
    const char *p = s + i;
    size_t left = to - i;
    return (left >= 1 && *p == '-') ||
           (left >= 3 && !memcmp(p, "\xe2\x80", 2) && (p[2] == '\x94' || p[2] == '\x93')) ||
           (left >= 7 && !memcmp(p, "&mdash;", 7));
}

static int find_inline_embeds(struct wn_cutter *c, const char *s, size_t n,
                              const struct wn_rule **opening, const uint64_t *allowed)
{
    size_t hard = 0, pos = 0, posts = 0;
    while (pos < n) {
        const struct wn_rule *best = NULL;
        size_t bs = SIZE_MAX, be = 0;
        for (size_t i = 0; i < c->n_attrib; i++) {
            const struct wn_rule *r = c->attrib[i];
            size_t ms, me;
            if (!allowed_slot(allowed, c->attrib_slot0 + i)) continue;
            if (r->longest && n > (size_t)r->longest && !c->unfiltered) continue;
            if (attribution_at(c, r, s, n, pos, bs, &ms, &me)) {
                best = r;
                bs = ms;
                be = me;
            }
        }
        if (!best) break;
        if (be <= bs) { /* an empty match: step past it */
            pos = next_char(s, n, bs + 1);
            continue;
        }
        size_t start = bs;
        if (hard == 0 && c->at_top && !opens_with_dash(s, bs, be)) {
            /* First in the document or right under its title, "Posted by Helen Marsh on
             * Tuesday, December 14, 2021" or "Jane Doe (@janedoe) December 15, 2021" is the
             * byline, which is kept: a post's attribution closes a post, and there is none
             * above it but the title. */
            if (wn_leading_space(s, bs) == bs) break;
        }
        if (wn_leading_space(s + hard, bs - hard) == bs - hard) {
            /* nothing but blanks before it (the cut takes them, and is reported where the
             * attribution starts) */
            if (hard == 0) *opening = best;
        } else if (posts++ < WN_POSTS_SEARCHED_PER_LINE) {
            size_t p = wn_post_start(c, s, n, hard, bs, be, best->span);
            if (p != SIZE_MAX) start = p;
        }
        if (add_cut(c, start, be, best)) return -1;
        hard = pos = be;
    }
    return 0;
}

static int find_rule_cuts(struct wn_cutter *c, const char *s, size_t n, const uint64_t *allowed)
{
    for (size_t i = 0; i < c->n_cutters; i++) {
        const struct wn_rule *r = c->cutters[i];
        if (!allowed_slot(allowed, c->cut_slot0 + i)) continue;
        if (r->longest && n > (size_t)r->longest && !c->unfiltered) continue;
        if (r->nlits && !c->unfiltered) {
            /* a `head` rule's literal lies in the line's first bytes */
            size_t lead = wn_leading_space(s, n);
            size_t end = r->head && n - lead > (size_t)r->head ? lead + (size_t)r->head : n;
            if (wn_rule_literal_find(r, s, end, lead) == SIZE_MAX) continue;
        }
        size_t pos = 0;
        while (pos < n) {
            size_t ms, me;
            if (!wn_matcher_run(c->m, r, s, n, pos, &ms, &me)) break;
            size_t cs = ms, ce = me;
            if (r->kind == WN_KIND_SHORT_LINK) bracketed(s, n, &cs, &ce);
            if (me > ms && add_cut(c, cs, ce, r)) return -1;
            pos = me > ms ? me : next_char(s, n, ms + 1);
            if (r->anchored) break;
        }
    }
    return 0;
}

int wn_cuts_find(struct wn_cutter *c, const char *s, size_t n, const struct wn_rule **opening,
                 const uint64_t *allowed)
{
    c->ncuts = 0;
    *opening = NULL;
    if (c->n_attrib && find_inline_embeds(c, s, n, opening, allowed)) return -1;
    return find_rule_cuts(c, s, n, allowed);
}

size_t wn_cuts_post_chars(const struct wn_cutter *c, const char *s, long link_chars,
                          long media_chars)
{
    size_t sum = 0;
    for (size_t i = 0; i < c->ncuts; i++) {
        const struct wn_cut *k = &c->cuts[i];
        if (k->rule->kind != WN_KIND_SHORT_LINK) {
            sum += k->end - k->start;
            continue;
        }
        size_t len = k->end - k->start;
        int media = len >= 16 && memmem(s + k->start, len, "pic.twitter.com/", 16) != NULL;
        sum += (size_t)(media ? media_chars : link_chars);
    }
    return sum;
}

int wn_cuts_have_link(const struct wn_cutter *c)
{
    for (size_t i = 0; i < c->ncuts; i++)
        if (c->cuts[i].rule->kind == WN_KIND_SHORT_LINK) return 1;
    return 0;
}

static int cut_cmp(const void *a, const void *b)
{
    const struct wn_cut *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

static int is_hblank(char c)
{
    return c == ' ' || c == '\t';
}

/* Overlapping cuts merge. A post (a cut holding an attribution) takes the blanks on both sides
 * and its neighbours are joined by one space: "...New Year! <post> — Name (@x) Dec 31, 2017Trump's"
 * reads "...New Year! Trump's". A link or promotion takes the blanks on its left only (and on
 * its right where it opens or closes the line), so "online https://t.co/x." reads "online.". The
 * merged cut is reported by its attribution's rule when it holds one: a tweet is not a link. */
int wn_cuts_apply(struct wn_cutter *c, const char *s, size_t n, char *in_place, const char **out,
                  size_t *outlen, wn_cut_report_fn report, void *report_ctx)
{
    qsort(c->cuts, c->ncuts, sizeof *c->cuts, cut_cmp);
    char *dst = in_place;
    if (!dst) {
        if (buf_reserve(&c->scratch, n + 1)) return -1;
        dst = c->scratch.p;
    }
    size_t o = 0, done = 0;
    for (size_t i = 0; i < c->ncuts; i++) {
        size_t a = c->cuts[i].start, b = c->cuts[i].end;
        if (b <= done) continue;
        if (a < done) a = done;
        const struct wn_rule *named = c->cuts[i].rule;
        while (i + 1 < c->ncuts && c->cuts[i + 1].start <= b) {
            if (c->cuts[i + 1].end > b) b = c->cuts[i + 1].end;
            i++;
            if (c->cuts[i].rule->kind == WN_KIND_EMBED_ATTRIBUTION) named = c->cuts[i].rule;
        }
        /* reported from its first non-blank byte: the blanks it takes are not what it removes */
        size_t shown = a + wn_leading_space(s + a, b - a);
        if (report && shown < b && report(report_ctx, shown, named->id, s + shown, b - shown))
            return -1;
        memmove(dst + o, s + done, a - done);
        o += a - done;
        while (o > 0 && is_hblank(dst[o - 1]))
            o--;
        int opens = wn_leading_space(dst, o) == o;
        int closes = wn_leading_space(s + b, n - b) == n - b;
        if (named->kind == WN_KIND_EMBED_ATTRIBUTION || opens || closes) {
            while (b < n && is_hblank(s[b]))
                b++;
            if (!opens && b < n && named->kind == WN_KIND_EMBED_ATTRIBUTION) dst[o++] = ' ';
        }
        done = b;
    }
    memmove(dst + o, s + done, n - done);
    o += n - done;
    *out = dst;
    *outlen = o;
    return 0;
}

void wn_cutter_free(struct wn_cutter *c)
{
    free(c->attrib);
    free(c->cutters);
    free(c->intro);
    free(c->cuts);
    free(c->cand);
    buf_free(&c->scratch);
}
