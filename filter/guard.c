/* guard.c: the document guard (guard.h). What it holds is each document's own: buffers that
 * grow with the largest document and are emptied, not freed, at each document's end. */
#include "guard.h"

#include <stdio.h>
#include <string.h>

int wn_guard_write(void *ctx, const char *buf, size_t len)
{
    struct wn_guard *g = ctx;
    return buf_append(&g->out, buf, len) ? -1 : 0;
}

void wn_guard_report(void *ctx, const struct winnow_removal *r)
{
    struct wn_guard *g = ctx;
    if (!g->report) return;
    struct winnow_removal copy = *r;
    copy.text = NULL; /* its text follows the record */
    if (buf_append(&g->reports, (const char *)&copy, sizeof copy) ||
        buf_append(&g->reports, r->text, r->len))
        g->reports.len = 0; /* no memory: the reports go, never the text */
}

void wn_guard_edit(void *ctx, const struct winnow_edit *e)
{
    struct wn_guard *g = ctx;
    struct winnow_edit copy = *e;
    copy.raw = copy.out = NULL; /* their bytes follow the record */
    if (buf_append(&g->edits, (const char *)&copy, sizeof copy) ||
        buf_append(&g->edits, e->raw, e->raw_len) || buf_append(&g->edits, e->out, e->out_len))
        g->edits_lost = 1; /* said at the document's end: an edit lost, the report would lie */
}

int wn_guard_input(struct wn_guard *g, const char *buf, size_t len)
{
    return buf_append(&g->in, buf, len);
}

static void replay_edits(struct wn_guard *g)
{
    for (size_t at = 0; at + sizeof(struct winnow_edit) <= g->edits.len;) {
        struct winnow_edit e;
        memcpy(&e, g->edits.p + at, sizeof e);
        at += sizeof e;
        e.raw = g->edits.p + at;
        at += e.raw_len;
        e.out = g->edits.p + at;
        at += e.out_len;
        g->edit(g->edit_ctx, &e);
    }
}

static void replay(struct wn_guard *g)
{
    for (size_t at = 0; at + sizeof(struct winnow_removal) <= g->reports.len;) {
        struct winnow_removal r;
        memcpy(&r, g->reports.p + at, sizeof r);
        at += sizeof r;
        r.text = g->reports.p + at;
        at += r.len;
        g->report(g->report_ctx, &r);
    }
}

int wn_guard_end(struct wn_guard *g, int html)
{
    size_t in = g->in.len, out = g->out.len;
    double gone = in ? (double)(in > out ? in - out : 0) / (double)in : 0;
    int rc = 0;
    if (!html && gone > g->max) {
        rc = in ? g->write(g->write_ctx, g->in.p, in) : 0;
        if (g->report) {
            char why[160];
            int n = snprintf(why, sizeof why,
                             "%.0f%% of the document would go (more than %.0f%%): kept as it came",
                             gone * 100, g->max * 100);
            struct winnow_removal r = {1, 1, "doc-guard", why, (size_t)n, 0, WINNOW_STAGE_TEXT, 0};
            g->report(g->report_ctx, &r);
        }
    } else {
        rc = out ? g->write(g->write_ctx, g->out.p, out) : 0;
        if (g->report) replay(g);
        if (g->edit) replay_edits(g);
        if (g->edits_lost && !rc) rc = -2;
    }
    g->in.len = g->out.len = g->reports.len = g->edits.len = 0;
    g->edits_lost = 0;
    return rc;
}

void wn_guard_free(struct wn_guard *g)
{
    buf_free(&g->in);
    buf_free(&g->out);
    buf_free(&g->reports);
    buf_free(&g->edits);
}
