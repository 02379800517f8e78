/* writers.h: where settled lines go: the blank-gap writer (no doubled blank lines where text
 * was removed), then the links stage, then the coalescer, then the user's callback, in the
 * manner of curl's client writers. The first write error sticks: nothing is written after it. */
#ifndef WN_WRITERS_H
#define WN_WRITERS_H

#include <stddef.h>

#include "buf.h"
#include "links.h"
#include "winnow.h"

struct wn_writers {
    /* the coalescer: runs of the buffer being pushed go to the user in one call */
    winnow_write_fn user;
    void *user_ctx;
    const char *in_lo, *in_hi; /* the buffer being pushed */
    const char *run;           /* pending output: a run of that buffer */
    size_t run_len;
    struct wn_links *links; /* NULL when the links stage is off */
    /* the blank-gap writer */
    struct buf before; /* blank lines held since the last kept text */
    struct buf blanks; /* blank lines held after a removal */
    /* where each held run began: its offset in the document's input, its first line */
    unsigned long long before_off, blanks_off, before_no, blanks_no;
    int after_drop, wrote_in_doc;
    unsigned long long *bytes_out;
    unsigned long long doc_out; /* bytes handed on in this document: the links stage's offset */
    /* blank lines held and then not written (NULL: not asked): s[0..n) at input offset off */
    void (*gap)(void *ctx, unsigned long long off, unsigned long long no, const char *s, size_t n);
    void *gap_ctx;
    int failed;
};

/* The coalescer as a winnow_write_fn, for the links stage to write through. */
int wn_writers_coalesce(void *ctx, const char *buf, size_t len);
/* Hands over the pending run (call before the pushed buffer goes away). */
int wn_writers_flush(struct wn_writers *w);
void wn_writers_pushing(struct wn_writers *w, const char *buf, size_t len);

/* A kept line: s[0..n) and its line ending; `blank` when it is nothing but blanks. `off` is
 * where it began in the document's input (for the gaps' edits). */
int wn_writers_line(struct wn_writers *w, unsigned long long no, unsigned long long off,
                    const char *s, size_t n, const char *eol, size_t eollen, int blank);
/* A run of kept lines, s[0..n) as they came with their endings (blank lines only between
 * text lines), the first numbered `no`: the same output as each line given to
 * wn_writers_line, in one write where the links stage lets it. */
int wn_writers_run(struct wn_writers *w, unsigned long long no, unsigned long long off,
                   const char *s, size_t n);

/* A line was removed here: blank lines next to it may go. */
void wn_writers_dropped(struct wn_writers *w);
/* The document ended: blank lines around its last removal go with it. -1 on a write error. */
int wn_writers_end_document(struct wn_writers *w);

void wn_writers_free(struct wn_writers *w);

#endif
