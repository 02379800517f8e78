/* engine.c: the streaming filter, wired as a pipeline a reader can follow:
 *     lines (lines.c) -> features (textfeat.c) -> cuts (cuts.c, poststart.c) -> labels (label.c)
 *       -> context passes (zone_embed.c, zone_list.c, zone_footer.c) over the held lines
 *          (window.c) -> writers (writers.c: blank gaps, links, coalescing, the user)
 * A line is written as soon as no pass may change it any more; each pass bounds how far back
 * it may reach (README "Streaming"), so memory does not grow with the input. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuts.h"
#include "edits.h"
#include "html.h"
#include "label.h"
#include "limits.h"
#include "lines.h"
#include "links.h"
#include "options.h"
#include "rules.h"
#include "guard.h"
#include "scan.h"
#include "textfeat.h"
#include "tune.h"
#include "window.h"
#include "winnow.h"
#include "writers.h"
#include "zones.h"

enum { ZONE_EMBED, ZONE_LIST, ZONE_FOOTER, ZONE_COUNT };

struct winnow_filter {
    winnow_rules *rules;
    struct winnow_options opt;           /* the caller's, read within its size */
    struct winnow_link_options link_opt; /* the same: opt.link_options points here */
    struct wn_writers out;
    struct wn_links *links;
    struct wn_html *html;
    int status; /* first error; once set, everything else is refused */
    long tune[WN_TUNE_COUNT];

    struct wn_matcher m;
    struct wn_scan *scan; /* NULL: every line takes the per-line stages */
    struct wn_cutter cutter;
    struct wn_labeler labeler;
    long max_span;                /* the longest post any attribution takes back, characters */
    struct wn_feat_limits limits; /* past limits.limit characters no line is a post or headline */

    /* input */
    struct wn_lines lines;
    struct buf cut_reports; /* the current line's cuts, see save_report() */
    struct buf sniff;
    unsigned long long line_no;
    unsigned long long doc_off; /* bytes of the document framed into lines so far */
    unsigned long long doc_in;  /* bytes of the document pushed so far */
    int doc_format; /* the current document's format (TEXT or HTML), 0 = not known yet */

    /* the current document */
    struct wn_window w;
    struct wn_doc doc;
    struct wn_zone zones[ZONE_COUNT];
    struct buf title;
    int have_title, last_colon, last_blank;
    unsigned long long title_line;

    struct winnow_stats stats;
    struct wn_guard guard;    /* --max-removal: holds each document until it ends */
    winnow_edit_fn user_edit; /* the caller's, for the document's end (the guard holds the rest) */
    void *user_edit_ctx;
    struct buf edit_line; /* a dropped line and its ending, in one piece for its edit */
};

const char *winnow_version(void)
{
    return WINNOW_VERSION;
}

static int fail(winnow_filter *f, int status)
{
    if (!f->status) f->status = status;
    return f->status;
}

/* ---- reports ---------------------------------------------------------------------------- */

/* text stood at col of line l. An HTML page's line is placed where its text began in the page
 * (its line, column and offset there: the text's own columns are not the page's) */
static void report(winnow_filter *f, const struct wn_line *l, size_t col, const char *rule_id,
                   const char *text, size_t len)
{
    if (!f->opt.report) return;
    int page = l->page_line != 0;
    struct winnow_removal r = {page ? l->page_line : l->no,
                               page ? l->page_col : 1 + col,
                               rule_id,
                               text,
                               len,
                               page ? l->start : l->start + col,
                               WINNOW_STAGE_TEXT,
                               0};
    f->opt.report(f->opt.report_ctx, &r);
}

/* Reports go out in input order, but a line's cuts are found before the lines held above it
 * are settled. So a cut's report is saved with its line ({col, rule id, length, text} records
 * in f->cut_reports, then in the held line) and made when the line leaves the window. */
struct saved_report {
    size_t col, len;
    const char *rule_id;
};

static int save_report(void *ctx, size_t col, const char *rule_id, const char *text, size_t len)
{
    winnow_filter *f = ctx;
    struct saved_report r = {col, len, rule_id};
    f->stats.spans_cut++;
    if (!f->opt.report) return 0;
    if (buf_append(&f->cut_reports, (const char *)&r, sizeof r) ||
        buf_append(&f->cut_reports, text, len))
        return -1;
    return 0;
}

static void replay_reports(winnow_filter *f, const struct wn_line *l, const char *p, size_t n)
{
    size_t at = 0;
    while (at + sizeof(struct saved_report) <= n) {
        struct saved_report r;
        memcpy(&r, p + at, sizeof r);
        at += sizeof r;
        report(f, l, r.col, r.rule_id, p + at, r.len);
        at += r.len;
    }
}

/* A line taken whole into a post (or a link line of one): reported once, as it came. */
static void report_whole(winnow_filter *f, const struct wn_line *l, const char *text)
{
    const char *s = l->raw ? l->raw : text;
    size_t n = l->raw ? l->raw_len : l->len;
    size_t a = wn_leading_space(s, n), b = n;
    while (b > a && wn_is_blank((unsigned char)s[b - 1]))
        b--;
    if (b > a) report(f, l, a, l->rule_id, s + a, b - a);
}

/* ---- edits (see winnow.h "Lossless edits") ------------------------------------------------ */

/* HTML documents have none: their output is the page's text, not the page. */
static void edit(winnow_filter *f, unsigned long long off, const char *raw, size_t rn,
                 const char *out, size_t on, const char *rule_id, unsigned long long no)
{
    if (!f->opt.edit || f->doc_format == WINNOW_FORMAT_HTML) return;
    struct winnow_edit e = {WINNOW_STAGE_TEXT, off, raw, rn, out, on, rule_id, no};
    f->opt.edit(f->opt.edit_ctx, &e);
}

/* A line its cuts changed, raw[0..rn) as it came, out[0..on) as it goes (its ending is the
 * same): one edit, from its first changed byte to its last. */
static void edit_cut_line(winnow_filter *f, const struct wn_line *l, const char *raw, size_t rn,
                          const char *out, size_t on)
{
    struct winnow_edit e = {
        WINNOW_STAGE_TEXT, l->start, NULL, 0, NULL, 0, l->rule_id ? l->rule_id : "cut", l->no};
    if (wn_edit_between(raw, rn, out, on, &e))
        edit(f, e.offset, e.raw, e.raw_len, e.out, e.out_len, e.rule_id, e.line);
}

/* A line that goes whole: as it came, with its ending. */
static void edit_dropped_line(winnow_filter *f, const struct wn_line *l, const char *text)
{
    if (!f->opt.edit) return;
    struct buf *b = &f->edit_line;
    b->len = 0;
    if (buf_append(b, l->raw ? l->raw : text, l->raw ? l->raw_len : l->len) ||
        buf_append(b, l->eol, l->eollen)) {
        fail(f, WINNOW_ERR_NOMEM); /* an edit lost would make the report a lie */
        return;
    }
    const char *rule = l->label == WN_LABEL_BLANK ? "blank-gap"
                       : l->rule_id               ? l->rule_id
                                                  : wn_label_name((enum wn_label)l->label);
    edit(f, l->start, b->p, b->len, "", 0, rule, l->no);
}

/* The writers' blank lines that went with a removal. */
static void edit_gap(void *ctx, unsigned long long off, unsigned long long no, const char *s,
                     size_t n)
{
    edit(ctx, off, s, n, "", 0, "blank-gap", no);
}

/* The links stage's edits, but for HTML documents'. */
static void edit_links(void *ctx, const struct winnow_edit *e)
{
    winnow_filter *f = ctx;
    if (f->opt.edit && f->doc_format != WINNOW_FORMAT_HTML) f->opt.edit(f->opt.edit_ctx, e);
}

/* --trace: one record per line, when its fate is final. */
static void trace(winnow_filter *f, struct wn_line *l, const char *text, int kept)
{
    if (!f->opt.trace) return;
    wn_line_detail(l, text, &f->limits);
    char feat[160];
    const struct wn_feat *t = &l->feat;
    snprintf(feat, sizeof feat,
             "chars=%zu post=%zu indent=%zu%s%s%s hashtags=%u mentions=%u "
             "emoji=%u links=%u%s",
             t->chars, l->feat.post_chars, t->indent, t->blank ? " blank" : "",
             t->colon ? " colon" : "", t->terminal ? " terminal" : "", t->hashtags, t->mentions,
             t->emoji, t->links, l->cut_link ? " cut-link" : "");
    struct winnow_trace tr = {l->no,
                              kept ? "keep" : "drop",
                              wn_label_name((enum wn_label)l->label),
                              kept ? NULL : l->rule_id,
                              l->reason ? l->reason
                              : kept    ? "story text"
                                        : "boilerplate",
                              feat};
    f->opt.trace(f->opt.trace_ctx, &tr);
}

/* ---- writing settled lines -------------------------------------------------------------- */

/* The filter's status after a writers call (-2: out of memory, other non-zero: write error). */
static int writers_status(winnow_filter *f, int rc)
{
    if (!rc) return 0;
    return fail(f, rc == -2 ? WINNOW_ERR_NOMEM : WINNOW_ERR_WRITE);
}

static int write_line(winnow_filter *f, const struct wn_line *l, const char *text)
{
    if (l->raw) edit_cut_line(f, l, l->raw, l->raw_len, text, l->len);
    return writers_status(f, wn_writers_line(&f->out, l->no, l->start, text, l->len, l->eol,
                                             l->eollen, l->feat.blank));
}

/* What the passes see; `opening` is the attribution rule that opens the current line, if any. */
static struct wn_ctx zone_ctx(winnow_filter *f, const struct wn_rule *opening)
{
    return (struct wn_ctx){&f->w,
                           &f->doc,
                           f->tune,
                           opening ? opening->id : NULL,
                           opening ? opening->span : 0,
                           f->labeler.title_rule_id,
                           f->have_title ? f->title_line : 0,
                           &f->limits};
}

static size_t hold_from(winnow_filter *f)
{
    size_t lo = SIZE_MAX;
    struct wn_ctx c = zone_ctx(f, NULL);
    for (int i = 0; i < ZONE_COUNT; i++) {
        size_t h = f->zones[i].ops->hold_from(f->zones[i].self, &c);
        if (h < lo) lo = h;
    }
    return lo;
}

/* A run of blank lines held as one (blank_line): each of them, as each would have gone. */
static void drain_blank_run(winnow_filter *f, struct wn_line *l, const char *text, int kept)
{
    unsigned long long n = l->reps + 1, no = l->no, start = l->start;
    for (unsigned long long k = 0; k < n && !f->status; k++) {
        l->no = no + k;
        l->start = start + k * (l->len + l->eollen);
        if (f->opt.trace) trace(f, l, text, kept);
        if (kept)
            write_line(f, l, text);
        else
            edit_dropped_line(f, l, text);
    }
}

/* Writes out the lines at the head of the window that no pass can change any more. */
static int drain(winnow_filter *f, int all)
{
    size_t limit = all ? SIZE_MAX : hold_from(f);
    while (!wn_window_empty(&f->w) && wn_window_first(&f->w) < limit && !f->status) {
        struct wn_line *l = wn_window_at(&f->w, wn_window_first(&f->w));
        if (l->state == WN_PENDING && !all) break;
        const char *text = wn_window_text(&f->w, l);
        if (l->absorbed && l->state == WN_DROP) {
            /* taken whole into a post: one removal, the line as it came, under the post's rule */
            report_whole(f, l, text);
        } else if (l->reports) {
            replay_reports(f, l, l->reports, l->reports_len);
        }
        int kept = l->state != WN_DROP;
        if (l->reps) { /* a run of blank lines: no reports, each line as it would have gone */
            drain_blank_run(f, l, text, kept);
            wn_window_pop(&f->w);
            continue;
        }
        if (f->opt.trace) trace(f, l, text, kept);
        if (kept) {
            write_line(f, l, text);
        } else {
            if (l->label != WN_LABEL_BLANK) {
                wn_writers_dropped(&f->out);
                f->stats.lines_removed++;
                /* no rule id: its cuts were reported as they were made */
                if (l->rule_id && !l->absorbed && l->label != WN_LABEL_CUT_AWAY &&
                    l->label != WN_LABEL_ATTRIBUTION)
                    report(f, l, l->feat.indent, l->rule_id, text + l->feat.indent,
                           l->feat.end - l->feat.indent);
            }
            edit_dropped_line(f, l, text);
        }
        wn_window_pop(&f->w);
    }
    return f->status;
}

/* ---- labels ----------------------------------------------------------------------------- */

/* ---- one line --------------------------------------------------------------------------- */

static int run_zones(winnow_filter *f, size_t id, const struct wn_rule *opening)
{
    struct wn_ctx c = zone_ctx(f, opening);
    for (int i = 0; i < ZONE_COUNT; i++)
        if (f->zones[i].ops->line(f->zones[i].self, &c, id)) break;
    return 0;
}

static int blank_line(winnow_filter *f, const char *s, size_t n, const char *eol, size_t eollen,
                      unsigned long long start)
{
    if (!f->last_blank && f->doc.nonblank) f->doc.blank_after++;
    f->last_blank = 1;
    struct wn_line tmp = {0};
    tmp.feat.indent = tmp.feat.end = n;
    tmp.feat.blank = tmp.feat.detailed = 1;
    tmp.label = WN_LABEL_BLANK;
    tmp.no = f->line_no;
    tmp.start = start;
    if (wn_window_empty(&f->w) && hold_from(f) == SIZE_MAX) {
        /* nothing is held: it goes to the writers, which hold it until kept text follows */
        struct wn_ctx c = zone_ctx(f, NULL);
        for (int i = 0; i < ZONE_COUNT; i++)
            if (f->zones[i].ops->blank) f->zones[i].ops->blank(f->zones[i].self, &c);
        if (f->opt.trace) trace(f, &tmp, s, 1);
        return writers_status(f, wn_writers_line(&f->out, f->line_no, start, s, n, eol, eollen, 1));
    }
    /* Behind a held line, a run of blank lines alike is one line held, however long */
    struct wn_line *last =
        wn_window_empty(&f->w) ? NULL : wn_window_at(&f->w, wn_window_end(&f->w) - 1);
    if (last && last->label == WN_LABEL_BLANK && last->len == n && last->eollen == eollen &&
        last->no + last->reps + 1 == f->line_no && memcmp(last->eol, eol, eollen) == 0 &&
        memcmp(wn_window_text(&f->w, last), s, n) == 0) {
        last->reps++;
        /* the passes hear of it as of a line of its own (the footer zone counts its lines) */
        run_zones(f, wn_window_end(&f->w) - 1, NULL);
        return drain(f, 0);
    }
    struct wn_line *l = wn_window_push(&f->w, s, n);
    if (!l) return fail(f, WINNOW_ERR_NOMEM);
    tmp.off = l->off;
    tmp.len = n;
    *l = tmp;
    memcpy(l->eol, eol, eollen);
    l->eollen = (unsigned char)eollen;
    run_zones(f, wn_window_end(&f->w) - 1, NULL);
    return drain(f, 0);
}

static void remember_title(winnow_filter *f, const char *s, size_t n)
{
    struct wn_feat ft;
    wn_feat_basic(s, n, 0, &ft); /* its extent is all we need */
    f->have_title = 1;
    f->title_line = f->line_no;
    f->title.len = 0;
    if (ft.end - ft.indent <= (size_t)f->tune[WN_TUNE_TITLE_MAX_BYTES] &&
        buf_append(&f->title, s + ft.indent, ft.end - ft.indent))
        f->have_title = 0;
}

/* The cuts stage of one line: finds and applies its cuts, and sets the line's features (of
 * what is left; its length as a post of all of it). The text after cuts is *text, *len. */
static int cut_line(winnow_filter *f, struct wn_line *l, const char *s, size_t n, char *own,
                    const char **text, size_t *len, const struct wn_rule **opening,
                    const uint64_t *allowed)
{
    wn_matcher_line(&f->m, s, n);
    if (wn_cuts_find(&f->cutter, s, n, opening, allowed)) return -1;
    *text = s;
    *len = n;
    if (!f->cutter.ncuts) {
        wn_feat_basic(s, n, f->limits.limit, &l->feat);
        return 0;
    }
    if (f->opt.report || f->opt.edit) { /* a post may take this line whole: then it is
                                         * reported as it came, and its edit is all of it */
        l->raw = malloc(n ? n : 1);
        if (!l->raw) return -1;
        memcpy(l->raw, s, n);
        l->raw_len = n;
    }
    l->cut_link = (unsigned char)wn_cuts_have_link(&f->cutter);
    l->cut_post_chars =
        wn_cuts_post_chars(&f->cutter, s, f->limits.link_chars, f->limits.media_chars);
    if (wn_cuts_apply(&f->cutter, s, n, own, text, len, save_report, f)) return -1;
    wn_matcher_line(&f->m, *text, *len); /* cut at character boundaries: as valid as before */
    /* the detail comes when a pass asks (wn_line_detail) */
    wn_feat_basic(*text, *len, f->limits.limit, &l->feat);
    l->feat.post_chars += l->cut_post_chars;
    return 0;
}

/* A line goes out that no climb can pass (or take): the passes are told, the lines held for a
 * climb are settled and written. Is nothing held now, by any pass? */
static int passed_and_idle(winnow_filter *f)
{
    struct wn_ctx c = zone_ctx(f, NULL);
    for (int i = 0; i < ZONE_COUNT; i++)
        if (f->zones[i].ops->passed) f->zones[i].ops->passed(f->zones[i].self, &c);
    if (!wn_window_empty(&f->w)) drain(f, 0);
    return wn_window_empty(&f->w) && hold_from(f) == SIZE_MAX;
}

/* The common case: story text too long to be a post. No climb can pass it, so the lines held
 * for one go out first; then, with nothing held and no pass open, it goes straight out
 * without a copy (a 100 MB line costs its own size once). */
static int can_pass(winnow_filter *f, struct wn_line *l, const char *text,
                    const struct wn_rule *opening)
{
    if (l->label != WN_LABEL_TEXT || opening) return 0;
    if (l->feat.post_chars <= (size_t)f->max_span && l->feat.chars > (size_t)f->max_span)
        wn_line_detail(l, text, &f->limits); /* long, but with links that count less: count */
    if (l->feat.post_chars <= (size_t)f->max_span) return 0;
    return passed_and_idle(f);
}

static int pass_line(winnow_filter *f, struct wn_line *l, const char *text, const char *eol,
                     size_t eollen)
{
    if (l->raw) edit_cut_line(f, l, l->raw, l->raw_len, text, l->len);
    free(l->raw);
    replay_reports(f, l, f->cut_reports.p, f->cut_reports.len);
    f->cut_reports.len = 0;
    if (f->opt.trace) trace(f, l, text, 1);
    return writers_status(f,
                          wn_writers_line(&f->out, l->no, l->start, text, l->len, eol, eollen, 0));
}

/* Every other line enters the window, with its cuts' reports, for the passes to revise. */
static int hold_line(winnow_filter *f, struct wn_line *tmp, const char *text, const char *eol,
                     size_t eollen, const struct wn_rule *opening)
{
    struct wn_line *l = wn_window_push(&f->w, text, tmp->len);
    if (!l) {
        free(tmp->raw);
        return fail(f, WINNOW_ERR_NOMEM);
    }
    tmp->off = l->off;
    *l = *tmp;
    memcpy(l->eol, eol, eollen);
    l->eollen = (unsigned char)eollen;
    if (f->cut_reports.len) {
        l->reports = malloc(f->cut_reports.len);
        if (!l->reports) return fail(f, WINNOW_ERR_NOMEM);
        memcpy(l->reports, f->cut_reports.p, f->cut_reports.len);
        l->reports_len = f->cut_reports.len;
        f->cut_reports.len = 0;
    }
    run_zones(f, wn_window_end(&f->w) - 1, opening);
    return drain(f, 0);
}

/* Does line `no`, s[0..n), repeat the document's first line? */
static int is_title(const winnow_filter *f, unsigned long long no, const char *s, size_t n)
{
    if (!f->have_title || no <= f->title_line) return 0;
    size_t a = wn_leading_space(s, n), b = n;
    while (b > a && wn_is_blank((unsigned char)s[b - 1]))
        b--;
    return b - a == f->title.len && memcmp(s + a, f->title.p, f->title.len) == 0;
}

/* A line the chunk scan settled: no rule touches it and no attribution below can take it or
 * anything above it back. So what the embed pass holds for a climb is settled too, and when no
 * other pass holds anything the line goes straight out, as the per-line stages would send it,
 * with only what the next line needs of it remembered. Returns 0 when it must take them after
 * all (a pass holds lines, it repeats the title, --trace wants its record). */
static int settled_line(winnow_filter *f, const char *s, size_t n, const char *eol, size_t eollen,
                        unsigned long long start)
{
    if (f->opt.trace || is_title(f, f->line_no, s, n) || !passed_and_idle(f)) return 0;
    f->doc.nonblank++;
    f->last_blank = 0;
    f->last_colon = wn_feat_colon(s, n);
    writers_status(f, wn_writers_line(&f->out, f->line_no, start, s, n, eol, eollen, 0));
    return 1;
}

/* One line: s[0..n) without its ending eol. `own` is s when the buffer is ours to rewrite. */
static int text_line(void *ctx, const char *s, size_t n, const char *eol, size_t eollen, char *own)
{
    winnow_filter *f = ctx;
    if (f->status) return f->status;
    f->line_no++;
    f->stats.lines_in++;
    unsigned long long start = f->doc_off;
    f->doc_off += n + eollen;
    size_t lead = wn_leading_space(s, n);
    if (lead == n) return blank_line(f, s, n, eol, eollen, start);
    if (!f->have_title) remember_title(f, s, n);
    /* what the chunk scan knows: a line no rule can touch skips the cuts and the rules */
    int scanned = f->scan ? wn_scan_line(f->scan, s) : WN_SCAN_UNKNOWN;
    int untouched = !(scanned & (WN_SCAN_UNKNOWN | WN_SCAN_TOUCHED));
    if (untouched && (scanned & WN_SCAN_SETTLED) && settled_line(f, s, n, eol, eollen, start))
        return f->status;

    struct wn_line tmp = {0};
    tmp.no = f->line_no;
    tmp.start = start;
    if (f->doc_format == WINNOW_FORMAT_HTML && f->opt.report) { /* placed in the page */
        struct wn_html_pos at;
        wn_html_line_at(f->html, &at);
        tmp.start = at.offset;
        tmp.page_line = at.line;
        tmp.page_col = at.col;
    }
    tmp.above_colon = (unsigned char)f->last_colon;
    tmp.indent0 = lead;
    const char *text = s;
    const struct wn_rule *opening = NULL;
    tmp.len = n;
    /* the rules the scan found may touch it (NULL: all) */
    const uint64_t *allowed = scanned & WN_SCAN_UNKNOWN ? NULL : wn_scan_rules_of_line(f->scan);
    /* the document's first line, or the one after its title: where a byline stands */
    f->cutter.at_top = f->doc.nonblank == 0 || (f->have_title && f->doc.nonblank == 1);
    if (untouched) {
        wn_matcher_line(&f->m, s, n);
        wn_feat_basic(s, n, f->limits.limit, &tmp.feat);
    } else if (cut_line(f, &tmp, s, n, own, &text, &tmp.len, &opening, allowed)) {
        free(tmp.raw);
        return fail(f, WINNOW_ERR_NOMEM);
    }
    /* the scan read the line before its cuts: what is left of it may match other rules,
     * those whose starts and ends it has now */
    if (f->cutter.ncuts) allowed = allowed ? wn_scan_rules_of_text(f->scan, text, tmp.len) : NULL;
    struct wn_title title = {f->title.p, f->title.len, f->have_title && f->line_no > f->title_line};
    const struct wn_rule *r = wn_label_line(&f->labeler, untouched ? NULL : &f->m, &tmp, text,
                                            tmp.feat.blank, opening, &title, allowed);
    if (r && r->kind == WN_KIND_HEADER_LIST)
        wn_zone_list_set_header(f->zones[ZONE_LIST].self, r);
    f->doc.nonblank++;
    f->last_blank = 0;
    if (!tmp.feat.blank) f->last_colon = tmp.feat.colon;
    if (can_pass(f, &tmp, text, opening)) return pass_line(f, &tmp, text, eol, eollen);
    return hold_line(f, &tmp, text, eol, eollen, opening);
}

/* ---- documents and formats -------------------------------------------------------------- */

/* The HTML module hands over whole "\n"-terminated lines of the page's text. */
static int html_emit(void *ctx, const char *buf, size_t len)
{
    winnow_filter *f = ctx;
    wn_lines_each(buf, len, text_line, f);
    return f->status;
}

static int finish_text(winnow_filter *f)
{
    if (wn_lines_finish(&f->lines, text_line, f) < 0) fail(f, WINNOW_ERR_NOMEM);
    struct wn_ctx c = zone_ctx(f, NULL);
    for (int i = 0; i < ZONE_COUNT; i++)
        f->zones[i].ops->end_doc(f->zones[i].self, &c);
    drain(f, 1);
    f->have_title = 0;
    f->title.len = 0;
    f->last_colon = f->last_blank = 0;
    f->doc = (struct wn_doc){0};
    if (wn_writers_end_document(&f->out)) fail(f, WINNOW_ERR_WRITE);
    f->line_no = 0;
    f->doc_off = 0;
    return f->status;
}

/* ---- pass-through ------------------------------------------------------------------------ */

/* A run of settled lines (settled_line's kind) with the blank lines between them, waiting to
 * go to the writers in one call; the blank lines after its last text line wait apart, since
 * what follows decides whether they join it. */
struct run {
    const char *start, *text_end; /* the run, up to the end of its last text line's ending */
    const char *last_text;        /* that line, for its colon */
    size_t last_len, blanks;      /* blank lines waiting after it */
    unsigned long long first_no, first_off;
};

static int run_flush(winnow_filter *f, struct run *r)
{
    if (!r->start) return 0;
    f->last_colon = wn_feat_colon(r->last_text, r->last_len);
    int rc = wn_writers_run(&f->out, r->first_no, r->first_off, r->start,
                            (size_t)(r->text_end - r->start));
    r->start = NULL;
    return writers_status(f, rc);
}

/* Can line s[0..n), settled by the scan, join (or open) a run? Only with nothing held: the
 * passes are told, as for settled_line; then nothing enters the window until the run ends. */
static int run_takes(winnow_filter *f, const struct run *r, const char *s, size_t n)
{
    /* the line's number: after the blank lines waiting before it */
    if (f->opt.trace || !f->have_title || is_title(f, f->line_no + r->blanks + 1, s, n)) return 0;
    return r->start || passed_and_idle(f);
}

/* The blank lines waiting after the run's text join it: counted as blank_line counts them. */
static void run_commit_blanks(winnow_filter *f, struct run *r)
{
    for (; r->blanks; r->blanks--) {
        f->line_no++;
        f->stats.lines_in++;
        if (!f->last_blank && f->doc.nonblank) f->doc.blank_after++;
        f->last_blank = 1;
    }
}

/* The run ends where `next` begins: it goes out, then the blank lines waiting after it, which
 * are all of [r->text_end, next), as the blank lines they are. */
static void run_end(winnow_filter *f, struct run *r, const char *next)
{
    if (!r->start) return;
    const char *after = r->text_end;
    r->blanks = 0;
    run_flush(f, r);
    wn_lines_each(after, (size_t)(next - after), text_line, f);
}

/* One line of a scanned chunk: s[0..n), its ending eol[0..eollen). */
static void scanned_line(winnow_filter *f, struct run *r, const char *s, size_t n, const char *eol,
                         size_t eollen, int flags)
{
    int blank = wn_leading_space(s, n) == n;
    if (blank && r->start) {
        r->blanks++;
        return;
    }
    int settled =
        (flags & (WN_SCAN_UNKNOWN | WN_SCAN_TOUCHED | WN_SCAN_SETTLED)) == WN_SCAN_SETTLED;
    if (!blank && settled && eollen && run_takes(f, r, s, n)) {
        run_commit_blanks(f, r);
        if (!r->start) {
            r->start = s;
            r->first_no = f->line_no + 1;
            r->first_off = f->doc_off;
            f->doc_off += n + eollen;
        } else { /* the line, and the blank lines between it and the run's last */
            f->doc_off += (unsigned long long)(eol + eollen - r->text_end);
        }
        f->line_no++;
        f->stats.lines_in++;
        f->doc.nonblank++;
        f->last_blank = 0;
        r->last_text = s;
        r->last_len = n;
        r->text_end = eol + eollen;
        return;
    }
    run_end(f, r, s); /* the run ends before this line */
    text_line(f, s, n, eol, eollen, NULL);
}

/* A chunk the scan framed: its lines go through scanned_line, but for a first line that ends
 * one begun in an earlier push, and a last one without its ending, which the lines stage
 * gathers. */
static void feed_scanned(winnow_filter *f, const char *buf, size_t len)
{
    size_t pos = 0;
    if (f->lines.partial.len) {
        const char *nl = memchr(buf, '\n', len);
        pos = nl ? (size_t)(nl - buf) + 1 : len;
        if (wn_lines_push(&f->lines, buf, pos, text_line, f) < 0) fail(f, WINNOW_ERR_NOMEM);
    }
    struct run r = {0};
    size_t count = wn_scan_lines(f->scan);
    for (size_t k = 0; k < count && !f->status; k++) {
        size_t start, n;
        int flags;
        wn_scan_line_at(f->scan, k, &start, &n, &flags);
        if (start < pos) continue;
        /* its ending as the bytes have it: a CR counts only before an LF (a lone CR at the end
         * of the document is text, and no byte after it may be read for its LF) */
        size_t e = start + n, eollen = e < len && buf[e] == '\n'                             ? 1
                                       : e + 1 < len && buf[e] == '\r' && buf[e + 1] == '\n' ? 2
                                                                                             : 0;
        if (!eollen) break; /* the last line, not ended yet: the lines stage keeps it */
        scanned_line(f, &r, buf + start, n, buf + start + n, eollen, flags);
        pos = start + n + eollen;
    }
    run_end(f, &r, buf + pos);
    if (pos < len && !f->status && wn_lines_push(&f->lines, buf + pos, len - pos, text_line, f) < 0)
        fail(f, WINNOW_ERR_NOMEM);
}

/* `final`: nothing of the document follows buf (winnow_filter_push_last), so no attribution
 * can come below its last lines either. */
static int feed(winnow_filter *f, const char *buf, size_t len, int final)
{
    if (f->doc_format == WINNOW_FORMAT_HTML) {
        if (wn_html_push(f->html, buf, len)) return fail(f, WINNOW_ERR_NOMEM);
        return f->status;
    }
    if (!f->scan) {
        if (wn_lines_push(&f->lines, buf, len, text_line, f) < 0) fail(f, WINNOW_ERR_NOMEM);
        return f->status;
    }
    /* chunks of whole lines (but for the last), each scanned once before its lines go on */
    for (size_t pos = 0; pos < len && !f->status;) {
        size_t end = len - pos > WN_SCAN_CHUNK ? pos + WN_SCAN_CHUNK : len;
        const char *nl = end < len ? memchr(buf + end, '\n', len - end) : NULL;
        if (end < len) end = nl ? (size_t)(nl - buf) + 1 : len;
        if (wn_scan_chunk(f->scan, buf + pos, end - pos, final && end == len) == 0) {
            end = pos + wn_scan_framed(f->scan); /* too many lines: the rest comes next */
            feed_scanned(f, buf + pos, end - pos);
        } else if (wn_lines_push(&f->lines, buf + pos, end - pos, text_line, f) < 0) {
            fail(f, WINNOW_ERR_NOMEM); /* no memory for the scan: line by line */
        }
        wn_scan_forget(f->scan);
        pos = end;
    }
    return f->status;
}

static int start_document(winnow_filter *f, const char *buf, size_t len, int final)
{
    if (f->opt.format != WINNOW_FORMAT_AUTO) {
        f->doc_format = f->opt.format;
        return feed(f, buf, len, final);
    }
    int fmt;
    if (!f->sniff.len && (fmt = wn_sniff_format(buf, len, final || len > 4096))) {
        f->doc_format = fmt; /* told by this push alone: fed from the caller's buffer */
        return feed(f, buf, len, final);
    }
    if (buf_append(&f->sniff, buf, len)) return fail(f, WINNOW_ERR_NOMEM);
    fmt = wn_sniff_format(f->sniff.p, f->sniff.len, final || f->sniff.len > 4096);
    if (!fmt) return 0;
    f->doc_format = fmt;
    struct buf held = f->sniff;
    f->sniff = (struct buf){0};
    int rc = feed(f, held.p, held.len, final);
    free(held.p);
    return rc;
}

static int push(winnow_filter *f, const char *buf, size_t len, int final)
{
    if (f->status) return f->status;
    f->stats.bytes_in += len;
    f->doc_in += len;
    if (f->guard.max > 0 && wn_guard_input(&f->guard, buf, len)) return fail(f, WINNOW_ERR_NOMEM);
    wn_writers_pushing(&f->out, buf, len);
    int rc = !f->doc_format ? start_document(f, buf, len, final) : feed(f, buf, len, final);
    /* the caller may reuse buf once we return */
    if (wn_writers_flush(&f->out) && !f->status) rc = fail(f, WINNOW_ERR_WRITE);
    if (f->links && !f->status) wn_links_push_end(f->links); /* batched look-ups: asked now */
    wn_writers_pushing(&f->out, NULL, 0);
    return rc ? rc : f->status;
}

int winnow_filter_push(winnow_filter *f, const char *buf, size_t len)
{
    return push(f, buf, len, 0);
}

int winnow_filter_push_last(winnow_filter *f, const char *buf, size_t len)
{
    int rc = push(f, buf, len, 1);
    return rc ? rc : winnow_filter_end_document(f);
}

static int collect_output(void *ctx, const char *buf, size_t len)
{
    return buf_append(ctx, buf, len) ? -1 : 0;
}

/* The document's last writer (the guard's, or the writers') points at a buffer for it. */
int winnow_filter_clean(winnow_filter *f, const char *buf, size_t len, char **out, size_t *out_len)
{
    if (!out || !out_len) return WINNOW_ERR_USAGE;
    *out = NULL;
    *out_len = 0;
    if (f->status) return f->status; /* an earlier failure, as it was */
    struct buf got = {0};
    winnow_write_fn *sink = f->guard.max > 0 ? &f->guard.write : &f->out.user;
    void **sink_ctx = f->guard.max > 0 ? &f->guard.write_ctx : &f->out.user_ctx;
    winnow_write_fn was = *sink;
    void *was_ctx = *sink_ctx;
    *sink = collect_output;
    *sink_ctx = &got;
    int rc = winnow_filter_push_last(f, buf, len);
    *sink = was;
    *sink_ctx = was_ctx;
    if (!rc && buf_append(&got, "", 0)) rc = WINNOW_ERR_NOMEM; /* room for the NUL */
    if (rc) {
        buf_free(&got);
        return rc == WINNOW_ERR_WRITE ? WINNOW_ERR_NOMEM : rc; /* only the buffer can fail */
    }
    got.p[got.len] = 0;
    *out = got.p;
    *out_len = got.len;
    return WINNOW_OK;
}

void winnow_free(void *p)
{
    free(p);
}

int winnow_filter_end_document(winnow_filter *f)
{
    if (f->status) return f->status;
    if (!f->doc_format && f->sniff.len) start_document(f, "", 0, 1);
    if (f->doc_format == WINNOW_FORMAT_HTML && f->html) {
        if (wn_html_finish(f->html)) fail(f, WINNOW_ERR_NOMEM);
    }
    finish_text(f);
    int html = f->doc_format == WINNOW_FORMAT_HTML;
    f->doc_format = 0;
    if (f->links && !f->status && wn_links_flush(f->links)) fail(f, WINNOW_ERR_WRITE);
    if (wn_writers_flush(&f->out) && !f->status) fail(f, WINNOW_ERR_WRITE);
    int guarded = f->guard.max > 0 && !f->status ? wn_guard_end(&f->guard, html) : 0;
    if (guarded) fail(f, guarded == -2 ? WINNOW_ERR_NOMEM : WINNOW_ERR_WRITE);
    if (f->user_edit && !f->status) { /* after the guard's: the document's own come first */
        struct winnow_edit e = {WINNOW_STAGE_DOCUMENT,  f->doc_in, "", 0, "", 0,
                                html ? "html" : "text", 0};
        f->user_edit(f->user_edit_ctx, &e);
    }
    f->doc_in = 0;
    return f->status;
}

/* ---- setup ------------------------------------------------------------------------------ */

static int setup_cutter(winnow_filter *f)
{
    struct wn_cutter *c = &f->cutter;
    c->tune = f->tune;
    c->m = &f->m;
    c->unfiltered = f->opt.no_prefilter;
    int keep_links =
        f->opt.links == WINNOW_LINKS_KEEP || (f->opt.link_options && f->opt.link_options->resolve);
    if (!f->opt.keep_embeds &&
        wn_rules_append_kind(f->rules, WN_KIND_EMBED_ATTRIBUTION, &c->attrib, &c->n_attrib))
        return -1;
    if (wn_rules_append_kind(f->rules, WN_KIND_EMBED_INTRO, &c->intro, &c->n_intro)) return -1;
    if (wn_rules_append_kind(f->rules, WN_KIND_CUT_SPAN, &c->cutters, &c->n_cutters)) return -1;
    if (!keep_links &&
        wn_rules_append_kind(f->rules, WN_KIND_SHORT_LINK, &c->cutters, &c->n_cutters))
        return -1;
    f->max_span = 0;
    for (size_t i = 0; i < c->n_attrib; i++)
        if (c->attrib[i]->span > f->max_span) f->max_span = c->attrib[i]->span;
    if (!f->max_span) f->max_span = 280;
    return 0;
}

static int setup_zones(winnow_filter *f)
{
    static const struct wn_zone_ops *const ops[ZONE_COUNT] = {
        [ZONE_EMBED] = &wn_zone_embed_ops,
        [ZONE_LIST] = &wn_zone_list_ops,
        [ZONE_FOOTER] = &wn_zone_footer_ops,
    };
    void *(*const make[ZONE_COUNT])(void) = {wn_zone_embed_new, wn_zone_list_new,
                                             wn_zone_footer_new};
    for (int i = 0; i < ZONE_COUNT; i++) {
        f->zones[i].ops = ops[i];
        f->zones[i].self = make[i]();
        if (!f->zones[i].self) return -1;
    }
    wn_zone_embed_set_span(f->zones[ZONE_EMBED].self, f->max_span);
    return 0;
}

winnow_filter *winnow_filter_new(winnow_rules *rules, const struct winnow_options *options,
                                 winnow_write_fn write, void *write_ctx)
{
    return winnow_filter_open(rules, options, write, write_ctx, NULL, 0);
}

winnow_filter *winnow_filter_open(winnow_rules *rules, const struct winnow_options *options,
                                  winnow_write_fn write, void *write_ctx, char *errbuf,
                                  size_t errlen)
{
    char local[256];
    char *err = errbuf && errlen ? errbuf : local;
    size_t errsize = errbuf && errlen ? errlen : sizeof local;
    snprintf(err, errsize, "out of memory");
    if (!rules || !write) {
        snprintf(err, errsize, "no rules or no write callback");
        return NULL;
    }
    struct winnow_options given;
    struct winnow_link_options given_links;
    if (wn_options_take(&given, sizeof given, options, "winnow_options", err, errsize) ||
        wn_options_take(&given_links, sizeof given_links, given.link_options, "winnow_link_options",
                        err, errsize))
        return NULL;
    if (winnow_rules_compile(rules, err, errsize) != WINNOW_OK) return NULL;
    wn_rules_freeze(rules);
    winnow_filter *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->rules = rules;
    f->opt = given;
    if (f->opt.link_options) {
        f->link_opt = given_links;
        f->opt.link_options = &f->link_opt;
    }
    for (int i = 0; i < WN_TUNE_COUNT; i++)
        f->tune[i] = wn_rules_tune(rules, (enum wn_tune)i);
    f->out.user = write;
    f->out.user_ctx = write_ctx;
    if (f->opt.max_removal > 0) { /* the guard sits between the writers and the caller */
        f->guard.max = f->opt.max_removal;
        f->guard.write = write;
        f->guard.write_ctx = write_ctx;
        f->guard.report = f->opt.report;
        f->guard.report_ctx = f->opt.report_ctx;
        f->out.user = wn_guard_write;
        f->out.user_ctx = &f->guard;
        if (f->opt.report) {
            f->opt.report = wn_guard_report;
            f->opt.report_ctx = &f->guard;
        }
        f->guard.edit = f->opt.edit;
        f->guard.edit_ctx = f->opt.edit_ctx;
        if (f->opt.edit) {
            f->opt.edit = wn_guard_edit;
            f->opt.edit_ctx = &f->guard;
        }
    }
    f->user_edit = given.edit;
    f->user_edit_ctx = given.edit_ctx;
    f->out.gap = f->opt.edit ? edit_gap : NULL;
    f->out.gap_ctx = f;
    f->out.bytes_out = &f->stats.bytes_out;
    f->m.md = pcre2_match_data_create(wn_rules_max_captures(rules) + 1, NULL);
    f->m.mctx = pcre2_match_context_create(NULL);
    if (!f->m.md || !f->m.mctx) goto fail;
    /* A pathological pattern must not hang the stream: past the limit it just does not match. */
    pcre2_set_match_limit(f->m.mctx, WN_MATCH_LIMIT);
    if (setup_cutter(f) || wn_labeler_init(&f->labeler, rules, f->opt.keep_embeds) ||
        setup_zones(f))
        goto fail;
    f->labeler.unfiltered = f->opt.no_prefilter;
    size_t limit = (size_t)f->max_span;
    if ((size_t)f->tune[WN_TUNE_HEADLINE_MAX_CHARS] > limit)
        limit = (size_t)f->tune[WN_TUNE_HEADLINE_MAX_CHARS];
    for (size_t i = 0; i < f->labeler.n_line_rules; i++) {
        const struct wn_rule *r = f->labeler.line_rules[i];
        if (r->kind == WN_KIND_HEADER_LIST && (size_t)r->span > limit) limit = (size_t)r->span;
    }
    f->limits = (struct wn_feat_limits){limit, f->tune[WN_TUNE_POST_LINK_CHARS],
                                        f->tune[WN_TUNE_POST_MEDIA_CHARS]};

    if (!f->opt.no_prefilter) {
        const struct wn_scan_rules sr = {rules,
                                         f->labeler.line_rules,
                                         f->cutter.attrib,
                                         f->cutter.cutters,
                                         f->labeler.n_line_rules,
                                         f->cutter.n_attrib,
                                         f->cutter.n_cutters,
                                         f->tune[WN_TUNE_TAKE_BACK_HOLD_BYTES],
                                         f->max_span};
        f->scan = wn_scan_new(&sr); /* NULL: the per-line stages for every line */
        /* the scan numbers the rules in the order given: line rules, attributions, cuts */
        f->cutter.attrib_slot0 = f->labeler.n_line_rules;
        f->cutter.cut_slot0 = f->labeler.n_line_rules + f->cutter.n_attrib;
    }
    f->html = wn_html_new(rules, &f->opt, html_emit, f);
    if (!f->html) goto fail;
    int want_links = f->opt.links != WINNOW_LINKS_KEEP || f->opt.link_options;
    if (want_links) {
        struct winnow_options lopt = f->opt;
        lopt.edit = f->opt.edit ? edit_links : NULL;
        lopt.edit_ctx = f;
        f->links = wn_links_new(rules, &lopt, wn_writers_coalesce, &f->out, err, errsize);
        if (!f->links) goto fail;
        f->out.links = f->links;
    }
    return f;
fail:
    winnow_filter_free(f);
    return NULL;
}

void winnow_filter_stats(const winnow_filter *f, struct winnow_stats *stats)
{
    *stats = f->stats;
}

void winnow_filter_free(winnow_filter *f)
{
    if (!f) return;
    wn_window_free(&f->w);
    for (int i = 0; i < ZONE_COUNT; i++)
        free(f->zones[i].self);
    wn_lines_free(&f->lines);
    buf_free(&f->cut_reports);
    buf_free(&f->edit_line);
    buf_free(&f->sniff);
    buf_free(&f->title);
    wn_cutter_free(&f->cutter);
    wn_scan_free(f->scan);
    wn_guard_free(&f->guard);
    wn_labeler_free(&f->labeler);
    if (f->links) wn_links_free(f->links);
    if (f->html) wn_html_free(f->html);
    wn_writers_free(&f->out);
    pcre2_match_data_free(f->m.md);
    pcre2_match_context_free(f->m.mctx);
    free(f);
}
