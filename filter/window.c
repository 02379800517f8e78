/* window.c: the queue of held lines and the arena of their texts. Memory stays as large as the
 * longest hold: the queue slides down instead of growing, and the arena is compacted when its
 * live part is a small tail (each byte moves about once). */
#include "window.h"

#include <stdlib.h>
#include <string.h>

static const char *const label_names[WN_LABEL_COUNT] = {
    [WN_LABEL_TEXT] = "text",
    [WN_LABEL_BLANK] = "blank",
    [WN_LABEL_CUT_AWAY] = "cut-away",
    [WN_LABEL_ATTRIBUTION] = "attribution",
    [WN_LABEL_CREDIT] = "credit",
    [WN_LABEL_DROP] = "drop-line",
    [WN_LABEL_LIST_HEADER] = "list-header",
    [WN_LABEL_EMBED_START] = "embed-start",
    [WN_LABEL_EMBED_HEAD] = "embed-head",
    [WN_LABEL_FOOTER] = "footer",
    [WN_LABEL_TITLE_REPEAT] = "title-repeat",
};

const char *wn_label_name(enum wn_label label)
{
    return label < WN_LABEL_COUNT ? label_names[label] : "?";
}

struct wn_line *wn_window_push(struct wn_window *w, const char *s, size_t n)
{
    if (w->len == w->cap) {
        if (w->head > 0 && w->head >= w->len / 2) {
            memmove(w->q, w->q + w->head, (w->len - w->head) * sizeof *w->q);
            w->len -= w->head;
            w->base += w->head;
            w->head = 0;
        } else {
            size_t cap = w->cap ? w->cap * 2 : 64;
            struct wn_line *q = realloc(w->q, cap * sizeof *q);
            if (!q) return NULL;
            w->q = q;
            w->cap = cap;
        }
    }
    size_t off = w->arena.len;
    if (buf_append(&w->arena, s, n)) return NULL;
    struct wn_line *l = &w->q[w->len++];
    memset(l, 0, sizeof *l);
    l->off = off;
    l->len = n;
    return l;
}

struct wn_line *wn_window_at(struct wn_window *w, size_t id)
{
    if (id < w->base + w->head || id >= w->base + w->len) return NULL;
    return &w->q[id - w->base];
}

void wn_line_detail(struct wn_line *l, const char *text, const struct wn_feat_limits *lim)
{
    if (l->feat.detailed) return;
    wn_feat_detail(text, l->len, lim, &l->feat);
    l->feat.post_chars += l->cut_post_chars; /* its length as a post counts what was cut */
}

void wn_window_pop(struct wn_window *w)
{
    if (w->head == w->len) return;
    free(w->q[w->head].reports);
    free(w->q[w->head].raw);
    w->q[w->head].reports = w->q[w->head].raw = NULL;
    w->head++;
    if (w->head == w->len) {
        w->base += w->len;
        w->head = w->len = 0;
        w->arena.len = 0;
        return;
    }
    size_t gone = w->q[w->head].off;
    if (gone > 65536 && gone > w->arena.len / 2) {
        memmove(w->arena.p, w->arena.p + gone, w->arena.len - gone);
        w->arena.len -= gone;
        for (size_t i = w->head; i < w->len; i++)
            w->q[i].off -= gone;
    }
}

void wn_window_free(struct wn_window *w)
{
    for (size_t i = w->head; i < w->len; i++) {
        free(w->q[i].reports);
        free(w->q[i].raw);
    }
    free(w->q);
    buf_free(&w->arena);
    *w = (struct wn_window){0};
}
