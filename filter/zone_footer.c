/* zone_footer.c: the footer pass. From a footer-like line (Source:, Tags:, 0 Comments, a bare
 * URL, the title again) lines are held: story text after them ends the zone and keeps it all;
 * the document's end drops it. A headline-like line between footer lines is the title's repeat. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zones.h"

struct zone_footer {
    int active;
    size_t start, lines, bytes;
    size_t maybe_title;    /* a headline-like line not yet followed by a footer line, or SIZE_MAX */
    const char *last_rule; /* the rule of the footer line held last */
};

static void end_zone(struct zone_footer *z, struct wn_ctx *c, int drop)
{
    for (size_t id = z->start; id < wn_window_end(c->w); id++) {
        struct wn_line *l = wn_window_at(c->w, id);
        if (!l || l->hold != WN_HOLD_FOOTER) continue;
        l->hold = WN_HOLD_NONE;
        /* a title repeat must sit between footer lines (or equal the first line) */
        int keep = !drop || id == z->maybe_title;
        l->state = keep ? WN_KEEP : WN_DROP;
        if (keep)
            l->reason = "kept: story text follows the footer-like lines";
        else if (!l->reason || l->label == WN_LABEL_FOOTER)
            l->reason = "footer zone at the end of the document";
    }
    z->active = 0;
    z->maybe_title = SIZE_MAX;
    c->doc->footer_active = 0;
}

/* No word in it: only ASCII punctuation and symbols or general punctuation (U+2000-U+206F),
 * such as the "–>" an HTML comment leaves. Such a line carries no text of the story. */
static int wordless(const char *s, const struct wn_feat *f)
{
    for (size_t i = f->indent; i < f->end; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b == 0xE2 && i + 2 < f->end && ((unsigned char)s[i + 1] & 0xFE) == 0x80) {
            i += 2; /* U+2000..U+207F: dashes, quotes, bullets */
            continue;
        }
        if (b >= 0x80 || (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z'))
            return 0;
    }
    return 1;
}

static void hold(struct zone_footer *z, struct wn_line *l)
{
    l->state = WN_PENDING;
    l->hold = WN_HOLD_FOOTER;
    z->lines++;
    z->bytes += l->len;
}

static int footer_line(void *self, struct wn_ctx *c, size_t id)
{
    struct zone_footer *z = self;
    struct wn_line *l = wn_window_at(c->w, id);
    if (l->label == WN_LABEL_BLANK) {
        if (!z->active) return 0;
        hold(z, l);
        return 1;
    }
    int footer = l->label == WN_LABEL_FOOTER || l->label == WN_LABEL_TITLE_REPEAT;
    if (footer && l->state == WN_KEEP && !z->active && l->above_colon) {
        /* the story's line above introduces it ("...or online at:" and the helpline's URL) */
        if (!l->reason) l->reason = "kept: introduced by the story's line above";
        return 0;
    }
    if (footer && l->state == WN_KEEP) {
        if (!z->active) {
            z->active = 1;
            z->start = id;
            z->lines = z->bytes = 0;
            z->maybe_title = SIZE_MAX;
            c->doc->footer_active = 1;
        }
        if (z->maybe_title != SIZE_MAX) {
            /* The title again where the scraper dropped it at the top sits between two footer
             * lines of one kind ("Source: Meridian Wire", the title, "Source: GlobeFeed"); a
             * line between a Source line and a copyright or Tags line is the story's own
             * credit or bio ("Main photo: ...", "Jane Oduya is the health correspondent"). */
            struct wn_line *t = wn_window_at(c->w, z->maybe_title);
            int same = z->last_rule && l->rule_id && strcmp(z->last_rule, l->rule_id) == 0;
            if (t && same) {
                t->reason = "title repeat between footer lines";
            } else if (t) {
                t->hold = WN_HOLD_NONE;
                t->state = WN_KEEP;
                t->rule_id = NULL;
                t->reason = "kept: between footer lines of two kinds (a credit, a bio)";
            }
            z->maybe_title = SIZE_MAX;
        }
        z->last_rule = l->rule_id;
        hold(z, l);
        l->reason = l->label == WN_LABEL_TITLE_REPEAT ? "repeat of the document's first line"
                                                      : "footer-like line";
    } else if (!z->active) {
        return 0;
    } else if (l->state == WN_DROP) {
        return 0; /* other boilerplate inside the zone does not end it */
    } else if (l->label == WN_LABEL_TEXT && wordless(wn_window_text(c->w, l), &l->feat)) {
        hold(z, l); /* markup's residue inside the zone goes with it */
        l->reason = "no word in it, inside the footer zone";
    } else if (l->label == WN_LABEL_TEXT && c->title_rule && z->maybe_title == SIZE_MAX &&
               wn_feat_headline_like(&l->feat, wn_window_text(c->w, l),
                                     c->tune[WN_TUNE_HEADLINE_MAX_CHARS])) {
        hold(z, l); /* the title again, if a footer line follows it */
        l->rule_id = c->title_rule;
        z->maybe_title = id;
    } else {
        end_zone(z, c, 0); /* story text: what looked like footers was part of the story */
        return 0;
    }
    if (z->lines > (size_t)c->tune[WN_TUNE_FOOTER_MAX_LINES] ||
        z->bytes > (size_t)c->tune[WN_TUNE_FOOTER_MAX_BYTES])
        end_zone(z, c, 0); /* too long to be a footer: keep it */
    return 1;
}

static void footer_end_doc(void *self, struct wn_ctx *c)
{
    struct zone_footer *z = self;
    if (z->active) end_zone(z, c, 1);
}

static size_t footer_hold_from(const void *self, const struct wn_ctx *c)
{
    const struct zone_footer *z = self;
    (void)c;
    return z->active ? z->start : SIZE_MAX;
}

const struct wn_zone_ops wn_zone_footer_ops = {"footer",         footer_line, footer_end_doc,
                                               footer_hold_from, NULL,        NULL};

void *wn_zone_footer_new(void)
{
    struct zone_footer *z = calloc(1, sizeof *z);
    if (z) z->maybe_title = SIZE_MAX;
    return z;
}
