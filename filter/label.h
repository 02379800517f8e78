/* label.h: the labels stage: what the rules say of one line on its own (a footer, a list
 * header, boilerplate, a credit, a title repeat...), before any context is known.
 * Invariant: a label depends on the line's text and the document's title only. */
#ifndef WN_LABEL_H
#define WN_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "cuts.h"
#include "rules.h"
#include "window.h"

struct wn_labeler {
    /* line rules in priority order, indexed by the first byte they can match */
    const struct wn_rule **line_rules;
    size_t n_line_rules;
    const struct wn_rule **by_first[256];
    unsigned *slot_by_first[256]; /* each one's index in line_rules (its chunk-scan slot) */
    size_t n_by_first[256];
    const char *title_rule_id; /* NULL: title repeats are not looked for */
    int unfiltered;            /* --no-prefilter: the rules' hints are not used */
};

/* Indexes the set's line rules (embed kinds left out with keep_embeds). -1: no memory. */
int wn_labeler_init(struct wn_labeler *lb, winnow_rules *rules, int keep_embeds);
void wn_labeler_free(struct wn_labeler *lb);

/* The document's first line, as a later line must equal it to be its repeat. */
struct wn_title {
    const char *text;
    size_t len;
    int known;
};

/* Sets l->label, l->state, l->rule_id and l->reason from the rules, for the line whose text
 * (after its cuts) is s[0..l->len) with l->feat computed. `cut_away`: nothing is left of it;
 * `opening`: an attribution opened it; m NULL: the chunk scan found that no line rule can
 * match it (only the title repeat is looked for); `allowed`, when not NULL, the line rules
 * (bit i: line_rules[i]) it found may. Returns the matching line rule, or NULL. */
const struct wn_rule *wn_label_line(const struct wn_labeler *lb, struct wn_matcher *m,
                                    struct wn_line *l, const char *s, int cut_away,
                                    const struct wn_rule *opening, const struct wn_title *title,
                                    const uint64_t *allowed);

#endif
