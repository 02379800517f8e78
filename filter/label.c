/* label.c: context-free labels from the line rules, tried at a line's first non-blank byte in
 * priority order (credits first: a credit is kept whatever else it looks like). Context (is
 * this footer at the end? is this headline under a header?) is the passes' job, not this one. */
#include "label.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int wn_labeler_init(struct wn_labeler *lb, winnow_rules *rules, int keep_embeds)
{
    static const enum wn_kind line_kinds[] = {WN_KIND_CREDIT,      WN_KIND_DROP_LINE,
                                              WN_KIND_HEADER_LIST, WN_KIND_EMBED_START,
                                              WN_KIND_EMBED_HEAD,  WN_KIND_FOOTER};
    for (size_t k = 0; k < sizeof line_kinds / sizeof line_kinds[0]; k++) {
        int embed = line_kinds[k] == WN_KIND_EMBED_START || line_kinds[k] == WN_KIND_EMBED_HEAD;
        if (embed && keep_embeds) continue;
        if (wn_rules_append_kind(rules, line_kinds[k], &lb->line_rules, &lb->n_line_rules))
            return -1;
    }
    /* a line tries only the rules that can start with its first byte */
    for (unsigned c = 0; c < 256; c++) {
        for (size_t i = 0; i < lb->n_line_rules; i++) {
            const struct wn_rule *r = lb->line_rules[i];
            if (!(r->first_bytes[c >> 3] & (1u << (c & 7)))) continue;
            const struct wn_rule **g =
                realloc(lb->by_first[c], (lb->n_by_first[c] + 1) * sizeof *g);
            if (!g) return -1;
            lb->by_first[c] = g;
            unsigned *slot = realloc(lb->slot_by_first[c], (lb->n_by_first[c] + 1) * sizeof *slot);
            if (!slot) return -1;
            lb->slot_by_first[c] = slot;
            slot[lb->n_by_first[c]] = (unsigned)i;
            g[lb->n_by_first[c]++] = r;
        }
    }
    const struct wn_rule **titles;
    if (wn_rules_of_kind(rules, WN_KIND_FOOTER_TITLE, &titles)) lb->title_rule_id = titles[0]->id;
    return 0;
}

void wn_labeler_free(struct wn_labeler *lb)
{
    free(lb->line_rules);
    for (int c = 0; c < 256; c++) {
        free(lb->by_first[c]);
        free(lb->slot_by_first[c]);
    }
}

/* Do the rule's hand-written hints (`longest`, and `literal` within `head` or `tail` bytes)
 * let it match the trimmed line s[at, at + trimmed)? */
static int hints_allow(const struct wn_rule *r, const char *s, size_t at, size_t trimmed)
{
    if (r->longest && trimmed > (size_t)r->longest) return 0;
    if (!r->nlits) return 1;
    /* a `tail` rule's literal lies in the line's last bytes, a `head` rule's in its first */
    size_t from = r->tail && trimmed > (size_t)r->tail ? at + trimmed - (size_t)r->tail : at;
    size_t end = r->head && trimmed > (size_t)r->head ? at + (size_t)r->head : at + trimmed;
    return wn_rule_literal_find(r, s, end, from) != SIZE_MAX;
}

/* The first line rule (in priority order) that matches at the line's first non-blank byte. */
static const struct wn_rule *match_line_rule(const struct wn_labeler *lb, struct wn_matcher *m,
                                             const char *s, size_t n, const struct wn_feat *ft,
                                             const uint64_t *allowed)
{
    size_t at = ft->indent;
    if (at >= n) return NULL;
    unsigned char c = (unsigned char)s[at];
    const struct wn_rule *const *list = lb->by_first[c];
    size_t trimmed = ft->end - at;

    for (size_t i = 0; i < lb->n_by_first[c]; i++) {
        const struct wn_rule *r = list[i];
        unsigned slot = lb->slot_by_first[c][i];
        if (allowed && !(allowed[slot / 64] >> (slot % 64) & 1)) continue; /* the scan: no */
        if (!lb->unfiltered && !hints_allow(r, s, at, trimmed)) continue;
        size_t ms, me;
        if (!wn_matcher_run(m, r, s, n, at, &ms, &me)) continue;
        /* A carriage return inside the line (not its ending) may join two lines a scraper
         * meant ("Tags: a, b\rThe rest of the story..."): a rule for the whole line would
         * take both, so none applies; losing story text is worse than keeping a footer.
         * Looked for only once a rule matched: most lines match none. */
        return memchr(s + at, '\r', trimmed) ? NULL : r;
    }
    return NULL;
}

static int same_as_title(const struct wn_title *t, const char *s, const struct wn_feat *ft)
{
    return t->known && ft->end - ft->indent == t->len &&
           memcmp(s + ft->indent, t->text, t->len) == 0;
}

const struct wn_rule *wn_label_line(const struct wn_labeler *lb, struct wn_matcher *m,
                                    struct wn_line *l, const char *s, int cut_away,
                                    const struct wn_rule *opening, const struct wn_title *title,
                                    const uint64_t *allowed)
{
    l->state = WN_KEEP;
    if (cut_away) {
        l->label = opening ? WN_LABEL_ATTRIBUTION : WN_LABEL_CUT_AWAY;
        l->state = WN_DROP;
        l->reason = opening ? "attribution" : "nothing left after its cuts";
        return NULL;
    }
    const struct wn_rule *r = m ? match_line_rule(lb, m, s, l->len, &l->feat, allowed) : NULL;
    if (!r) {
        if (lb->title_rule_id && title && same_as_title(title, s, &l->feat)) {
            l->label = WN_LABEL_TITLE_REPEAT;
            l->rule_id = lb->title_rule_id;
        }
        return NULL;
    }
    l->rule_id = r->id;
    switch (r->kind) {
    case WN_KIND_CREDIT:
        l->label = WN_LABEL_CREDIT;
        l->rule_id = NULL;
        l->reason = "credit: always kept";
        break;
    case WN_KIND_DROP_LINE:
        l->label = WN_LABEL_DROP;
        l->state = WN_DROP;
        l->reason = "boilerplate line";
        break;
    case WN_KIND_HEADER_LIST:
        l->label = WN_LABEL_LIST_HEADER;
        l->state = WN_DROP;
        break;
    case WN_KIND_EMBED_START:
        l->label = WN_LABEL_EMBED_START;
        l->state = WN_DROP;
        l->reason = "opens an embed";
        break;
    case WN_KIND_EMBED_HEAD:
        l->label = WN_LABEL_EMBED_HEAD;
        break;
    case WN_KIND_FOOTER:
        l->label = WN_LABEL_FOOTER;
        break;
    default:
        l->rule_id = NULL;
        break;
    }
    return r;
}
