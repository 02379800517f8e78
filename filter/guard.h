/* guard.h: the document guard (--max-removal): a document of which more than a fraction of the
 * bytes would go comes out as it came, reported once as doc-guard, as RefinedWeb drops the
 * documents whose line fixes would remove too much. It holds the whole document (its input,
 * its output and its reports) until the document ends. */
#ifndef WN_GUARD_H
#define WN_GUARD_H

#include "buf.h"
#include "winnow.h"

struct wn_guard {
    double max;            /* the fraction; 0: off */
    winnow_write_fn write; /* where the document goes in the end */
    void *write_ctx;
    winnow_report_fn report; /* and its reports */
    void *report_ctx;
    winnow_edit_fn edit; /* and its edits */
    void *edit_ctx;
    struct buf in, out, reports; /* reports: struct winnow_removal records, then their text */
    struct buf edits;            /* struct winnow_edit records, then their raw and out bytes */
    int edits_lost;
};

/* The writer and reporter the filter uses while a guard holds the document (ctx: the guard). */
int wn_guard_write(void *ctx, const char *buf, size_t len);
void wn_guard_report(void *ctx, const struct winnow_removal *r);
void wn_guard_edit(void *ctx, const struct winnow_edit *e);

/* Input of the document, as it comes. -1: no memory. */
int wn_guard_input(struct wn_guard *g, const char *buf, size_t len);

/* The document ends: its output and reports go on, or, past the fraction (never for HTML,
 * whose markup is most of its bytes), the input as it came and one doc-guard report.
 * A document passed through as it came has no edits. Returns the write callback's status
 * (non-zero: it failed), or -2 when an edit could not be held (no memory). */
int wn_guard_end(struct wn_guard *g, int html);

void wn_guard_free(struct wn_guard *g);

#endif
