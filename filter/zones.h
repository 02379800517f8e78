/* zones.h: the context passes. Each revises the context-free labels of the lines in the window
 * (embeds: how far a take-back climbs; lists: which headlines follow a header; footer: the zone
 * at the end of a document) behind one interface, and says how far back it may still change. */
#ifndef WN_ZONES_H
#define WN_ZONES_H

#include <stddef.h>

#include "tune.h"
#include "window.h"

/* Facts about the current document that the passes share; the engine keeps them. */
struct wn_doc {
    unsigned long long nonblank;    /* non-blank lines so far */
    unsigned long long blank_after; /* of those, lines followed by a blank line */
    int footer_active;              /* the footer pass holds a zone open */
};

/* What the passes see of the line that just entered the window. */
struct wn_ctx {
    struct wn_window *w;
    struct wn_doc *doc;
    const long *tune;              /* tune.h values in force */
    const char *attribution_rule;  /* non-NULL: an attribution opens this line (closes a post) */
    long attribution_span;         /* that rule's bound on its post, in characters */
    const char *title_rule;        /* the footer-title rule's id, NULL when off */
    unsigned long long title_line; /* the document's first non-blank line, its title (0: none) */
    const struct wn_feat_limits *limits; /* for the features a pass asks for (wn_line_detail) */
};

struct wn_zone_ops {
    const char *name;
    /* The line `id` has entered the window with its label and state. Revise it and the lines
     * held before it; return 1 when this pass decided the line, so later passes skip it. */
    int (*line)(void *self, struct wn_ctx *c, size_t id);
    /* The document ends: settle every line this pass still holds. */
    void (*end_doc)(void *self, struct wn_ctx *c);
    /* The first line id this pass may still change; SIZE_MAX when none. */
    size_t (*hold_from)(const void *self, const struct wn_ctx *c);
    /* A line too long to matter went out without entering the window (see engine.c); NULL
     * when the pass has nothing to do then. */
    void (*passed)(void *self, struct wn_ctx *c);
    /* A blank line went out without entering the window (nothing was held); may be NULL. */
    void (*blank)(void *self, struct wn_ctx *c);
};

/* The passes in the order the engine runs them; each `new` returns a zeroed state (NULL: no
 * memory) that `free` releases. */
struct wn_zone {
    const struct wn_zone_ops *ops;
    void *self;
};
extern const struct wn_zone_ops wn_zone_embed_ops, wn_zone_list_ops, wn_zone_footer_ops;
void *wn_zone_embed_new(void);
void *wn_zone_list_new(void);
void *wn_zone_footer_new(void);

/* Does the document lay its paragraphs out with blank lines between all of them? Then a blank
 * line above a post line says nothing about where the post starts. */
int wn_doc_blank_layout(const struct wn_doc *d, const long *tune);

/* zone_embed.c: the longest post any attribution rule may take back, in characters, bounds
 * how many lines the embed pass holds; set once when the filter is made. */
void wn_zone_embed_set_span(void *self, long max_span);

/* zone_list.c: the rule of the list header to come (its `items`, `span`, `item-words`, `item`). */
struct wn_rule;
void wn_zone_list_set_header(void *self, const struct wn_rule *rule);

#endif
