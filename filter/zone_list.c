/* zone_list.c: the headline-list pass. Under a Related / READ MORE header, the lines that read
 * as headlines are held; the list ends at story text, a credit or other boilerplate, and then
 * goes, unless it ran longer than a list may (then it was story and is kept). */
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "rules.h"
#include "zones.h"

struct zone_list {
    int active;
    size_t header;        /* the header line's id */
    size_t items, indent; /* headlines so far, and their indent */
    int indent_set;
    /* the header's rule (its `items`, `span`, `item-words`, `item`), and the next header's */
    const struct wn_rule *rule, *next_rule;
};

void wn_zone_list_set_header(void *self, const struct wn_rule *rule)
{
    ((struct zone_list *)self)->next_rule = rule;
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

/* Words in s[a..b): runs of non-blank bytes. A line in a script written without spaces (a
 * byte of U+3000 and above: CJK, kana) counts as long enough. */
static long words(const char *s, size_t a, size_t b, long enough)
{
    long n = 0;
    for (size_t i = a; i < b && n < enough; i++) {
        if ((unsigned char)s[i] == 0xE3 ||
            ((unsigned char)s[i] >= 0xE4 && (unsigned char)s[i] <= 0xED))
            return enough;
        if (!wn_is_blank((unsigned char)s[i]) && (i == a || wn_is_blank((unsigned char)s[i - 1])))
            n++;
    }
    return n;
}

/* Can the line be a headline of the list? Short and not closed by a full stop, as many words
 * as the header's rule asks (a story's subheading, "What happens next", is shorter than the
 * headline of another story), and not ending in a colon: a line that introduces what follows
 * ("The plan in brief:") is the story's, and ends the list. */
static int list_headline(const struct zone_list *z, const struct wn_line *l, const char *text)
{
    if (!wn_rule_item_match(z->rule, text + l->feat.indent, l->feat.end - l->feat.indent))
        return 0; /* a share prompt's list holds the services' names, nothing else */
    if (bare_url(text, &l->feat)) return 1;
    long min_words = z->rule->item_words;
    return !l->feat.colon && wn_feat_headline_like(&l->feat, text, z->rule->span) &&
           words(text, l->feat.indent, l->feat.end, min_words) >= min_words;
}

/* Ends the list: its headlines go (drop) or stay. Its header goes, unless no headline came
 * under it and story text follows (`by_story`): a header of a list of headlines with no list
 * is the story's subheading ("Recommended", then what the service recommends). A share prompt
 * (its rule names its items) is a prompt with or without its list. */
static void end_list(struct zone_list *z, struct wn_ctx *c, int drop, int by_story)
{
    struct wn_line *h = wn_window_at(c->w, z->header);
    if (h && h->hold == WN_HOLD_LIST) {
        h->hold = WN_HOLD_NONE;
        int keep = !z->items && by_story && !z->rule->item;
        h->state = keep ? WN_KEEP : WN_DROP;
        h->reason =
            keep ? "kept: no headline under it, story text follows (a subheading)" : "list header";
        if (keep) h->rule_id = NULL;
    }
    for (size_t id = z->header + 1; id < wn_window_end(c->w); id++) {
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
        int headline = item_label && l->state == WN_KEEP && list_headline(z, l, text) &&
                       (!z->indent_set || l->feat.indent == z->indent);
        if (headline && z->items < (size_t)z->rule->items) {
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
        /* the header heads no list when a sentence of the story follows it, not a short
         * line: "Related" and a headline of three words is still a header */
        end_list(z, c, !(headline && z->items >= (size_t)z->rule->items),
                 l->label == WN_LABEL_TEXT && l->state == WN_KEEP &&
                     !wn_feat_headline_like(&l->feat, text, z->rule->span));
    }
    if (l->label == WN_LABEL_LIST_HEADER) {
        z->active = 1;
        z->header = id;
        z->items = 0;
        z->indent_set = 0;
        z->rule = z->next_rule;
        l->reason = "list header";
        l->state = WN_PENDING; /* until what follows it says whether it heads a list */
        l->hold = WN_HOLD_LIST;
        return 1;
    }
    return 0;
}

static void list_end_doc(void *self, struct wn_ctx *c)
{
    struct zone_list *z = self;
    if (z->active) end_list(z, c, 1, 0);
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
