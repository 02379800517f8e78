/* zone_embed.c: the embed pass. An attribution at a line's start closes the post above it: it
 * takes back lines climbing up from itself while they fit the platform's bound and read as
 * the post; an opened embed (View this post on Instagram) holds lines until one closes it. */
#include <stdint.h>
#include <stdlib.h>

#include "zones.h"

struct zone_embed {
    long max_span;       /* the longest post any attribution takes back, characters */
    size_t region_start; /* the first line a later attribution could still take back */
    size_t region_chars, region_bytes;
    int region_marked;   /* the region starts right below a mark of a post's start: */
    int marked_by_blank; /* a blank line (which means nothing once blank lines are layout) */
    int after_blank;     /* blank lines came since the last non-blank line */
    int open;            /* an embed-start line opened an embed */
    size_t open_start, open_lines, open_bytes;
};

static void detail(struct wn_ctx *c, struct wn_line *l)
{
    wn_line_detail(l, wn_window_text(c->w, l), c->limits);
}

int wn_doc_blank_layout(const struct wn_doc *d, const long *tune)
{
    if (d->nonblank < 3) return 0;
    return d->blank_after * 100 >=
           d->nonblank * (unsigned long long)tune[WN_TUNE_TAKE_BACK_BLANK_PERCENT];
}

void wn_zone_embed_set_span(void *self, long max_span)
{
    ((struct zone_embed *)self)->max_span = max_span;
}

static void reset_region(struct zone_embed *z, size_t from)
{
    z->region_start = from;
    z->region_chars = z->region_bytes = 0;
    z->region_marked = 0;
}

/* The region starts right below a mark of a post's start (an introducing line, a blank line
 * that separates it from the story): a climb that reaches the region's start is delimited. */
static void reset_region_at_mark(struct zone_embed *z, size_t from, int blank)
{
    reset_region(z, from);
    z->region_marked = 1;
    z->marked_by_blank = blank;
}

static void close_open(struct zone_embed *z, struct wn_ctx *c, int drop, const char *rule_id)
{
    for (size_t id = z->open_start; id < wn_window_end(c->w); id++) {
        struct wn_line *l = wn_window_at(c->w, id);
        if (!l || l->hold != WN_HOLD_EMBED) continue;
        l->hold = WN_HOLD_NONE;
        l->state = drop ? WN_DROP : WN_KEEP;
        if (drop && !l->rule_id) l->rule_id = rule_id;
        l->reason = drop ? "post inside an opened embed" : "kept: no attribution closed the embed";
    }
    z->open = 0;
}

/* Reads as a post's line: its signals, or the embed's own indentation (a scraped blockquote
 * keeps the indent of its attribution). */
static int post_like(const struct wn_line *l, size_t attribution_indent)
{
    return wn_feat_post_signals(&l->feat) || l->feat.emoji || l->cut_link ||
           l->label == WN_LABEL_EMBED_HEAD ||
           (attribution_indent > 0 && l->indent0 == attribution_indent);
}

/* A line ending in ':' that is the post's own first line, not the story introducing it: it
 * carries a hashtag, an emoji or a short link. A mention is not enough: the story names the
 * account it quotes ("The club (@ClubFC) wrote:"). */
static int introduces_own_post(const struct wn_line *l)
{
    return l->feat.hashtags || l->feat.emoji || l->cut_link;
}

/* Can the climb take this line? 1 take, 0 stop here (the line stays as it is), 2 take and stop. */
static int climb_verdict(const struct wn_line *l, size_t used, long span, int *is_link_line)
{
    *is_link_line = 0;
    if (l->state == WN_PENDING) return 0;           /* held by another pass: a footer, a list */
    if (l->label == WN_LABEL_ATTRIBUTION) return 0; /* an attribution closes its own post */
    if (l->state == WN_DROP) {
        /* a line that was nothing but a short link belongs to the post; other boilerplate
         * (a READ MORE line, an advertisement) is not the post's */
        if (l->label == WN_LABEL_CUT_AWAY && l->cut_link) {
            *is_link_line = 1;
            return 1;
        }
        return 0;
    }
    if (l->label != WN_LABEL_TEXT && l->label != WN_LABEL_EMBED_HEAD) return 0;
    if (used + l->feat.post_chars > (size_t)span) return 0;
    if (l->label == WN_LABEL_EMBED_HEAD) return 2;
    if (l->feat.colon && !introduces_own_post(l)) {
        /* A line ending in ':' introduces the post and is the story's, unless the line above
         * it introduces it in turn: then this one is the post's own first line. */
        return l->above_colon ? 2 : 0;
    }
    return 1;
}

/* Takes back the post above the attribution on line `id`. The climb gathers the lines that
 * may be the post; whether it ended at a mark of the post's start decides how many go:
 *  - delimited (a line introducing the post, its own first line, a blank line that separates
 *    it from the story): everything between the mark and the attribution is the post;
 *  - not delimited (the bound, other boilerplate, the document's start): only the line just
 *    above the attribution and, above it, lines that read as a post; a story line above a post
 *    ("Residents had complained for months.") stays. */
static void take_back(struct zone_embed *z, struct wn_ctx *c, size_t id)
{
    size_t lo = z->region_start > wn_window_first(c->w) ? z->region_start : wn_window_first(c->w);
    int layout = wn_doc_blank_layout(c->doc, c->tune);
    size_t used = 0, indent = wn_window_at(c->w, id)->indent0;
    int taken = 0, crossed = 0, delimited = 0;
    size_t top = id;  /* the highest line gathered */
    size_t sure = id; /* lines from here down are the post whatever they read like */
    size_t j;
    for (j = id; j-- > lo;) {
        struct wn_line *l = wn_window_at(c->w, j);
        if (l->label == WN_LABEL_BLANK) {
            if (taken && !layout && !indent) {
                delimited = 1; /* a blank line separates the post from the story */
                break;
            }
            /* where blank lines are layout, the block just above the attribution is one
             * paragraph: the post's, whatever it reads like */
            if (taken && sure == id) sure = top;
            crossed = taken;
            continue;
        }
        int link_line;
        detail(c, l);
        int v = climb_verdict(l, used, c->attribution_span, &link_line);
        /* the document's first line is its title (the contract keeps it), not a post's line,
         * unless it reads as one: a scrape that opens with the post itself */
        if (v && c->title_line && l->no == c->title_line && !post_like(l, indent)) {
            if (!l->reason) l->reason = "kept: the document's title";
            break;
        }
        /* Where blank lines are not layout, a blank line separates the post from the story,
         * unless the paragraphs keep the embed's indent. Where they are layout, a paragraph
         * past one is gathered, and taken below only if it reads as a post or the climb
         * ends at a line introducing the post. */
        int same_indent = indent > 0 && l->indent0 == indent;
        if (v && crossed && !link_line && !layout && !same_indent) v = 0;
        if (!v) {
            if (l->state == WN_KEEP && l->feat.colon && l->label == WN_LABEL_TEXT) delimited = 1;
            if (l->state == WN_KEEP && !l->reason)
                l->reason = l->feat.colon ? "kept: introduces the post below"
                                          : "kept: the post above the attribution ends here";
            break;
        }
        used += l->feat.post_chars;
        taken = 1;
        top = j;
        if (v == 2) {
            delimited = 1;
            break;
        }
    }
    /* the climb reached the region's start: delimited if a mark stands right above it */
    if (j == SIZE_MAX || j + 1 == lo) {
        if (lo == z->region_start && z->region_marked && !(z->marked_by_blank && layout) && taken) {
            delimited = 1;
            struct wn_line *mark = lo > wn_window_first(c->w) ? wn_window_at(c->w, lo - 1) : NULL;
            if (mark && mark->state == WN_KEEP && mark->feat.colon)
                mark->reason = "kept: introduces the post below";
        }
    }
    /* Now take the gathered lines, from the attribution up. A link cut from the attribution's
     * own line was the post's content (an image): the post may have ended there, so the line
     * above goes only if it reads as a post, or the climb ended at a mark of the post's start. */
    if (delimited) sure = top;
    int text_taken = wn_window_at(c->w, id)->cut_link;
    for (size_t j = id; j-- > top;) {
        struct wn_line *l = wn_window_at(c->w, j);
        if (l->label == WN_LABEL_BLANK) continue;
        int link_line = l->state == WN_DROP;
        if (!link_line && j < sure && text_taken && !post_like(l, indent)) {
            if (!l->reason) l->reason = "kept: reads as story above the post";
            break;
        }
        l->rule_id = c->attribution_rule;
        l->reason = link_line ? "link line of the post above its attribution"
                              : "post text above its attribution";
        l->absorbed = 1;
        if (!link_line) {
            l->state = WN_DROP;
            text_taken = 1;
        }
    }
}

/* Keeps the region: the lines a later attribution could reach, within the post bound in
 * characters and the hold bound in bytes (the two bounds are separate values). */
static void grow_region(struct zone_embed *z, struct wn_ctx *c, size_t id, struct wn_line *l)
{
    long hold = c->tune[WN_TUNE_TAKE_BACK_HOLD_BYTES];
    /* In a document that uses blank lines sparingly, a blank line above a post line ends the
     * post: a climb that takes this line stops at the blank, so nothing above is reachable. */
    if (z->after_blank && !wn_doc_blank_layout(c->doc, c->tune)) reset_region_at_mark(z, id, 1);
    z->after_blank = 0;
    if (l->state == WN_PENDING || l->label == WN_LABEL_ATTRIBUTION ||
        (l->state == WN_DROP && !(l->label == WN_LABEL_CUT_AWAY && l->cut_link)) ||
        l->label == WN_LABEL_CREDIT || l->label == WN_LABEL_FOOTER) {
        reset_region(z, id + 1); /* a climb stops at such a line: nothing above is reachable */
        return;
    }
    if (l->feat.colon) detail(c, l);
    if (l->feat.colon && !introduces_own_post(l)) {
        /* a climb stops here, or takes this line and stops */
        if (l->above_colon) {
            reset_region_at_mark(z, id, 0); /* this line may be the post's own first line */
        } else {
            reset_region_at_mark(z, id + 1, 0);
            if (!l->reason) l->reason = "kept: introduces what follows (a post starts below it)";
            return;
        }
    }
    z->region_chars += l->feat.post_chars;
    z->region_bytes += l->len;
    while (z->region_start <= id &&
           (z->region_chars > (size_t)z->max_span || z->region_bytes > (size_t)hold)) {
        struct wn_line *first = wn_window_at(c->w, z->region_start);
        if (first && first->label != WN_LABEL_BLANK) {
            z->region_chars -= first->feat.post_chars;
            z->region_bytes -= first->len;
        }
        z->region_start++;
        z->region_marked = 0; /* the mark no longer stands right above the region */
    }
    if (z->region_start > id) reset_region(z, id + 1);
}

static int embed_line(void *self, struct wn_ctx *c, size_t id)
{
    struct zone_embed *z = self;
    struct wn_line *l = wn_window_at(c->w, id);
    if (l->label == WN_LABEL_BLANK) {
        z->after_blank = 1;
        if (z->open) {
            l->state = WN_PENDING;
            l->hold = WN_HOLD_EMBED;
        }
        return z->open;
    }
    if (c->attribution_rule) {
        if (z->open)
            close_open(z, c, 1, c->attribution_rule);
        else
            take_back(z, c, id);
        reset_region(z, id + 1);
        z->after_blank = 0;
        return 0; /* what is left of the line is for the other passes */
    }
    if (l->label == WN_LABEL_EMBED_START) {
        if (z->open) close_open(z, c, 0, NULL);
        z->open = 1;
        z->open_start = id + 1;
        z->open_lines = z->open_bytes = 0;
        reset_region(z, id + 1);
        return 1;
    }
    if (z->open && l->state == WN_KEEP) {
        l->state = WN_PENDING;
        l->hold = WN_HOLD_EMBED;
        z->open_lines++;
        z->open_bytes += l->len;
        if (z->open_lines > (size_t)c->tune[WN_TUNE_EMBED_MAX_LINES] ||
            z->open_bytes > (size_t)c->tune[WN_TUNE_EMBED_MAX_BYTES]) {
            close_open(z, c, 0, NULL); /* too long to be one post: it was story */
            reset_region(z, id + 1);
        }
        return 1;
    }
    grow_region(z, c, id, l);
    return 0;
}

static void embed_end_doc(void *self, struct wn_ctx *c)
{
    struct zone_embed *z = self;
    if (z->open) close_open(z, c, 0, NULL);
    reset_region(z, wn_window_end(c->w));
}

static size_t embed_hold_from(const void *self, const struct wn_ctx *c)
{
    const struct zone_embed *z = self;
    (void)c;
    if (z->open) return z->open_start;
    return z->region_start < wn_window_end(c->w) ? z->region_start : SIZE_MAX;
}

static void embed_passed(void *self, struct wn_ctx *c)
{
    struct zone_embed *z = self;
    reset_region(z, wn_window_end(c->w));
    z->after_blank = 0; /* the blank lines before it separate nothing below it */
}

static void embed_blank(void *self, struct wn_ctx *c)
{
    (void)c;
    ((struct zone_embed *)self)->after_blank = 1;
}

const struct wn_zone_ops wn_zone_embed_ops = {"embed",         embed_line,   embed_end_doc,
                                              embed_hold_from, embed_passed, embed_blank};

void *wn_zone_embed_new(void)
{
    struct zone_embed *z = calloc(1, sizeof *z);
    if (z) z->max_span = 280;
    return z;
}
