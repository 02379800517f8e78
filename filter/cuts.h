/* cuts.h: spans cut out of a line (glued posts with their attributions, short links, inline
 * promotions): found with the rules, merged, applied, each merged span reported by the rule
 * that explains it. A cut never crosses an invalid UTF-8 byte (see rules.h). */
#ifndef WN_CUTS_H
#define WN_CUTS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rules.h"

/* PCRE2 scratch, and whether the line being matched is valid UTF-8 (found out lazily). */
struct wn_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int valid; /* -1: not known yet */
    const char *s;
    size_t n;
};
static inline void wn_matcher_line(struct wn_matcher *m, const char *s, size_t n)
{
    m->valid = -1;
    m->s = s;
    m->n = n;
}
/* Runs a rule on s[0..n) of the current line from `start` (inline: it runs for every rule
 * tried on every line). */
static inline int wn_matcher_run(struct wn_matcher *m, const struct wn_rule *r, const char *s,
                                 size_t n, size_t start, size_t *ms, size_t *me)
{
    if (m->valid < 0) m->valid = wn_utf8_valid(m->s, m->n);
    return wn_rule_match_utf(r, s, n, start, m->valid, m->md, m->mctx, ms, me);
}

/* Is the current line valid UTF-8? (found out once) */
static inline int wn_matcher_valid(struct wn_matcher *m)
{
    if (m->valid < 0) m->valid = wn_utf8_valid(m->s, m->n);
    return m->valid;
}

struct wn_cut {
    size_t start, end;
    const struct wn_rule *rule;
};

struct wn_cutter {
    const struct wn_rule **attrib, **cutters, **intro;
    size_t n_attrib, n_cutters, n_intro;
    const long *tune;
    int unfiltered; /* --no-prefilter: the rules' hints (literal, head, longest) are not used */
    int at_top;     /* the document's first line, or the one after its title: find_inline_embeds */
    size_t attrib_slot0, cut_slot0; /* where attrib[] and cutters[] start among scan slots */
    struct wn_matcher *m;
    struct wn_cut *cuts;
    size_t ncuts, cap;
    size_t *cand, ncand, cand_cap; /* poststart.c: where a glued post may start */
    struct buf scratch;
};

/* Finds every cut in s[0..n). *opening is the attribution rule when an attribution opens the
 * line (its post is on the lines above), else NULL. `allowed`, when not NULL: the rules the
 * chunk scan found may match (slot attrib_slot0 + i for attrib[i], cut_slot0 + i for
 * cutters[i]). Returns -1 when out of memory. */
int wn_cuts_find(struct wn_cutter *c, const char *s, size_t n, const struct wn_rule **opening,
                 const uint64_t *allowed);

/* Did a cut remove a short link (a post's signal)? */
int wn_cuts_have_link(const struct wn_cutter *c);

typedef int (*wn_cut_report_fn)(void *ctx, size_t col, const char *rule_id, const char *text,
                                size_t len);

/* Builds the line without its cuts: in place when `in_place` (our own buffer of s) is given,
 * else in scratch. Reports each merged cut. Returns -1 when out of memory. */
int wn_cuts_apply(struct wn_cutter *c, const char *s, size_t n, char *in_place, const char **out,
                  size_t *outlen, wn_cut_report_fn report, void *report_ctx);

/* What the cuts of the line weigh in its length as a post: each short link as `link_chars`
 * (attached media, pic.twitter.com, as `media_chars`), any other cut as its bytes. Call
 * before wn_cuts_apply, which may rewrite the line. */
size_t wn_cuts_post_chars(const struct wn_cutter *c, const char *s, long link_chars,
                          long media_chars);

/* Where the post that an inline attribution at s[ms..me) closes begins (poststart.c): no
 * earlier than `hard`, at most `span` characters before `ms`; SIZE_MAX when no start signal
 * fits (then only the attribution goes). */
size_t wn_post_start(struct wn_cutter *c, const char *s, size_t len, size_t hard, size_t ms,
                     size_t me, long span);

/* The positions p in [low, ms] (p >= 1) where a post may start at all, s[p - 1] a sentence
 * mark, a colon or a blank: into c->cand[0..c->ncand), ascending. -1: no memory. */
int wn_post_candidates(struct wn_cutter *c, const char *s, size_t low, size_t ms);

void wn_cutter_free(struct wn_cutter *c);

#endif
