/* zone_list.c: the headline-list pass. Under a Related / READ MORE header, the lines that read
 * as headlines are held; the list ends at story text, a credit or other boilerplate, and then
 * goes, unless it ran longer than a list may (then it was story and is kept). */
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "zones.h"

struct zone_list {
    int active;
    size_t header;        /* the header line's id */
    size_t items, indent; /* headlines so far, and their indent */
    int indent_set;
    long max_items, max_chars; /* the header rule's `items` and `span` */
    long next_items, next_chars;
};

void wn_zone_list_set_header(void *self, long items, long span)
{
    struct zone_list *z = self;
    z->next_items = items;
    z->next_chars = span;
}

/* A bare URL on a line of its own: a list may hold one as a headline (cleaning contract). */
static int bare_url(const char *s, const struct wn_feat *f)
{
    size_t a = f->indent, b = f->end;
    if (!(b - a > 7 &&
          (strncasecmp(s + a, "http://", 7) == 0 || strncasecmp(s + a, "https://", 8) == 0 ||
           strncasecmp(s + a, "www.", 4) == 0)))
        return 0;
    for (size_t i = a; i < b; i++)
        if (wn_is_blank((unsigned char)s[i])) return 0;
    return 1;
}

static void end_list(struct zone_list *z, struct wn_ctx *c, int drop)
{
    for (size_t id = z->header; id < wn_window_end(c->w); id++) {
        struct wn_line *l = wn_window_at(c->w, id);
        if (!l || l->hold != WN_HOLD_LIST) continue;
        l->hold = WN_HOLD_NONE;
        l->state = drop ? WN_DROP : WN_KEEP;
        l->reason = drop ? "headline of a list under its header" : "kept: the list ran too long";
        if (!drop && c->doc->footer_active) { /* a kept item inside a footer zone waits with it */
            l->state = WN_PENDING;
            l->hold = WN_HOLD_FOOTER;
        }
    }
    z->active = 0;
}

static int list_line(void *self, struct wn_ctx *c, size_t id)
{
    struct zone_list *z = self;
    struct wn_line *l = wn_window_at(c->w, id);
    if (l->label == WN_LABEL_BLANK) return 0; /* blank lines between headlines are allowed */
    const char *text = wn_window_text(c->w, l);
    if (z->active) {
        int item_label =
            l->label == WN_LABEL_TEXT || (l->label == WN_LABEL_FOOTER && bare_url(text, &l->feat));
        int headline = item_label && l->state == WN_KEEP &&
                       wn_feat_headline_like(&l->feat, text, z->max_chars) &&
                       (!z->indent_set || l->feat.indent == z->indent);
        if (headline && z->items < (size_t)z->max_items) {
            if (!z->indent_set) {
                z->indent = l->feat.indent;
                z->indent_set = 1;
            }
            z->items++;
            l->state = WN_PENDING;
            l->hold = WN_HOLD_LIST;
            l->rule_id = wn_window_at(c->w, z->header)->rule_id;
            return 1;
        }
        /* One more headline than a list may hold: it was story after all. */
        end_list(z, c, !(headline && z->items >= (size_t)z->max_items));
    }
    if (l->label == WN_LABEL_LIST_HEADER) {
        z->active = 1;
        z->header = id;
        z->items = 0;
        z->indent_set = 0;
        z->max_items = z->next_items;
        z->max_chars = z->next_chars;
        l->reason = "list header";
        return 1;
    }
    return 0;
}

static void list_end_doc(void *self, struct wn_ctx *c)
{
    struct zone_list *z = self;
    if (z->active) end_list(z, c, 1);
}

static size_t list_hold_from(const void *self, const struct wn_ctx *c)
{
    const struct zone_list *z = self;
    (void)c;
    return z->active ? z->header : SIZE_MAX;
}

const struct wn_zone_ops wn_zone_list_ops = {"list",         list_line, list_end_doc,
                                             list_hold_from, NULL,      NULL};

void *wn_zone_list_new(void)
{
    return calloc(1, sizeof(struct zone_list));
}
