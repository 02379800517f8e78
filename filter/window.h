/* window.h: the held lines of the current document, in order, with their texts in one arena.
 * No detection here: passes decide a line's state; the window only keeps lines until let go.
 * Lines have absolute ids (0, 1, 2... per filter), so a pass may keep an id while the window
 * slides; an id below wn_window_first() has already left. */
#ifndef WN_WINDOW_H
#define WN_WINDOW_H

#include <stddef.h>

#include "buf.h"
#include "textfeat.h"

enum wn_state { WN_KEEP, WN_DROP, WN_PENDING };
/* Which pass holds a pending line: it decides the line's fate when its hold ends. */
enum wn_hold { WN_HOLD_NONE, WN_HOLD_FOOTER, WN_HOLD_LIST, WN_HOLD_EMBED };

/* What the rules say of a line without context (labels), see engine.c classify_line. */
enum wn_label {
    WN_LABEL_TEXT,         /* no rule: story text, unless context says otherwise */
    WN_LABEL_BLANK,        /* nothing but blanks */
    WN_LABEL_CUT_AWAY,     /* nothing left after its inline cuts */
    WN_LABEL_ATTRIBUTION,  /* an attribution opens the line: it closes the post above */
    WN_LABEL_CREDIT,       /* Reporting by ...: always kept */
    WN_LABEL_DROP,         /* drop-line: boilerplate wherever it stands */
    WN_LABEL_LIST_HEADER,  /* header-list: a Related header; headlines follow */
    WN_LABEL_EMBED_START,  /* embed-start: View this post on Instagram */
    WN_LABEL_EMBED_HEAD,   /* embed-head: a post's opening line (TikTok's @handle) */
    WN_LABEL_FOOTER,       /* footer: Source:, Tags:, 0 Comments, a bare URL ... */
    WN_LABEL_TITLE_REPEAT, /* the document's first line, again */
    WN_LABEL_COUNT
};

const char *wn_label_name(enum wn_label label);

struct wn_line {
    size_t off, len; /* its text (after inline cuts): wn_window_text() */
    char eol[2];
    unsigned char eollen;
    unsigned char state, hold, label;
    unsigned char cut_link;    /* a short link was cut out of it: a post's signal */
    unsigned char above_colon; /* the non-blank line before it ends in ':' */
    size_t indent0;            /* its leading blanks as it came, before cuts */
    size_t cut_post_chars;     /* what its cuts weigh in its length as a post */
    unsigned char absorbed;    /* taken whole into a post: reported as one removal */
    char *raw;                 /* a cut line's text as it came (for that report), or NULL */
    size_t raw_len;
    struct wn_feat feat;   /* of the text after cuts; feat.post_chars is of the line before cuts */
    unsigned long long no; /* line number in the document */
    unsigned long long start; /* where it began, in bytes from the document's start */
    unsigned long long reps;  /* a blank line: as many more like it follow (a run is one) */
    unsigned long page_line;  /* HTML: where its text began in the page (0: not HTML) */
    size_t page_col;
    const char *rule_id; /* the rule that drops it, reported when the drop is final */
    const char *reason;  /* why it was kept or dropped, for --trace */
    char *reports;       /* its inline cuts' reports, made when it leaves */
    size_t reports_len;
};

struct wn_window {
    struct wn_line *q; /* q[head..len): the held lines; q[i] has id base + i */
    size_t head, len, cap;
    size_t base;
    struct buf arena;
};

/* Appends a line with a copy of its text; fields other than the text are zero. NULL: no memory. */
struct wn_line *wn_window_push(struct wn_window *w, const char *s, size_t n);

static inline size_t wn_window_first(const struct wn_window *w)
{
    return w->base + w->head;
}
static inline size_t wn_window_end(const struct wn_window *w)
{
    return w->base + w->len;
}
static inline int wn_window_empty(const struct wn_window *w)
{
    return w->head == w->len;
}
/* The line with this id, or NULL if it has left or not come yet. */
struct wn_line *wn_window_at(struct wn_window *w, size_t id);
static inline const char *wn_window_text(const struct wn_window *w, const struct wn_line *l)
{
    return w->arena.p + l->off;
}

/* Makes sure the line's detailed features (hashtags, mentions, emoji, post length) are known;
 * `text` is its text after cuts. Its post length also counts what its cuts took. */
void wn_line_detail(struct wn_line *l, const char *text, const struct wn_feat_limits *lim);

/* Lets the first line go (its state is final and the caller has written or reported it). */
void wn_window_pop(struct wn_window *w);

void wn_window_free(struct wn_window *w);

#endif
