/* writers.c: the output chain. Blank lines beside removed text are held and written only when
 * kept text follows and no blank line was just written, so taking a block out never leaves a
 * gap of several blank lines; kept runs of the input are handed on without a copy. */
#include "writers.h"

#include <string.h>

#include "limits.h"
#include "lines.h"
#include "textfeat.h"

int wn_writers_flush(struct wn_writers *w)
{
    if (!w->run_len) return 0;
    size_t n = w->run_len;
    w->run_len = 0;
    return w->user(w->user_ctx, w->run, n);
}

void wn_writers_pushing(struct wn_writers *w, const char *buf, size_t len)
{
    w->in_lo = buf;
    w->in_hi = buf ? buf + len : NULL;
}

int wn_writers_coalesce(void *ctx, const char *buf, size_t len)
{
    struct wn_writers *w = ctx;
    if (len && buf >= w->in_lo && buf + len <= w->in_hi) {
        if (w->run_len && w->run + w->run_len == buf) {
            w->run_len += len;
            return 0;
        }
        if (wn_writers_flush(w)) return -1;
        w->run = buf;
        w->run_len = len;
        return 0;
    }
    if (wn_writers_flush(w)) return -1;
    return w->user(w->user_ctx, buf, len);
}

static int put(struct wn_writers *w, unsigned long long no, const char *s, size_t n,
               const char *eol, size_t eollen)
{
    if (w->failed) return -1;
    *w->bytes_out += n + eollen;
    unsigned long long at = w->doc_out;
    w->doc_out += n + eollen;
    int bad;
    if (w->links) {
        bad = wn_links_line(w->links, no, at, s, n, eol, eollen);
    } else if (s + n == eol) { /* uncut text still in the input buffer: one write */
        bad = n + eollen && wn_writers_coalesce(w, s, n + eollen);
    } else {
        bad =
            (n && wn_writers_coalesce(w, s, n)) || (eollen && wn_writers_coalesce(w, eol, eollen));
    }
    if (bad) w->failed = 1;
    return bad ? -1 : 0;
}

static int write_blanks(struct wn_writers *w, struct buf *b)
{
    if (!b->len) return 0;
    if (w->failed) return -1;
    *w->bytes_out += b->len;
    w->doc_out += b->len;
    int bad =
        w->links ? wn_links_raw(w->links, b->p, b->len) : wn_writers_coalesce(w, b->p, b->len);
    b->len = 0;
    if (bad) w->failed = 1;
    return bad ? -1 : 0;
}

/* Held blank lines that will not be written: they go, and the edits hear of it. */
static void discard(struct wn_writers *w, struct buf *b)
{
    if (b->len && w->gap)
        w->gap(w->gap_ctx, b == &w->before ? w->before_off : w->blanks_off,
               b == &w->before ? w->before_no : w->blanks_no, b->p, b->len);
    b->len = 0;
}

/* Kept text comes: the blank lines held before it go first (see wn_writers_line). */
static int kept_text(struct wn_writers *w)
{
    int had_before = w->before.len > 0;
    if (write_blanks(w, &w->before)) return -1;
    if (w->after_drop && w->blanks.len && !had_before && w->wrote_in_doc) {
        if (write_blanks(w, &w->blanks)) return -1;
    }
    discard(w, &w->blanks);
    w->after_drop = 0;
    w->wrote_in_doc = 1;
    return 0;
}

/* Blank lines wait: those since the last kept text in `before`, those after a removal in
 * `blanks`. Kept text then writes what a reader would expect: the blank lines as they came,
 * but never a doubled gap where a block was taken out; a removal at the end of the document
 * takes the blank lines before it, one at its start those after it. */
int wn_writers_line(struct wn_writers *w, unsigned long long no, unsigned long long off,
                    const char *s, size_t n, const char *eol, size_t eollen, int blank)
{
    if (blank) {
        struct buf *b = w->after_drop ? &w->blanks : &w->before;
        if (b->len + n + eollen > WN_BLANK_GAP_MAX) {
            /* a gap that long: write what is held (keeping one gap), and hold no more */
            if (b == &w->before) {
                if (write_blanks(w, b)) return -1;
            } else {
                discard(w, b);
            }
        }
        if (!b->len) {
            *(b == &w->before ? &w->before_off : &w->blanks_off) = off;
            *(b == &w->before ? &w->before_no : &w->blanks_no) = no;
        }
        if (buf_append(b, s, n) || buf_append(b, eol, eollen)) return -2;
        return 0;
    }
    if (kept_text(w)) return -1;
    return put(w, no, s, n, eol, eollen);
}

struct run_lines {
    struct wn_writers *w;
    unsigned long long no, off; /* the next line's number and offset */
};

static int run_line(void *ctx, const char *s, size_t n, const char *eol, size_t eollen, char *own)
{
    struct run_lines *rl = ctx;
    (void)own;
    unsigned long long off = rl->off;
    rl->off += n + eollen;
    return wn_writers_line(rl->w, rl->no++, off, s, n, eol, eollen, wn_leading_space(s, n) == n);
}

int wn_writers_run(struct wn_writers *w, unsigned long long no, unsigned long long off,
                   const char *s, size_t n)
{
    if (w->links && !wn_links_passes(w->links, s, n)) {
        /* a link in it may change: line by line, as the links stage takes them */
        struct run_lines rl = {w, no, off};
        return wn_lines_each(s, n, run_line, &rl);
    }
    if (kept_text(w) || w->failed) return -1;
    *w->bytes_out += n;
    w->doc_out += n;
    int bad = w->links ? wn_links_raw(w->links, s, n) != 0 : wn_writers_coalesce(w, s, n) != 0;
    if (bad) w->failed = 1;
    return bad ? -1 : 0;
}

void wn_writers_dropped(struct wn_writers *w)
{
    w->after_drop = 1;
    discard(w, &w->blanks);
}

int wn_writers_end_document(struct wn_writers *w)
{
    int rc = 0;
    /* trailing blank lines stay as they came, unless a removal came after them */
    if (!w->after_drop) rc = write_blanks(w, &w->before);
    discard(w, &w->before);
    discard(w, &w->blanks);
    w->after_drop = w->wrote_in_doc = 0;
    w->doc_out = 0;
    return rc;
}

void wn_writers_free(struct wn_writers *w)
{
    buf_free(&w->blanks);
    buf_free(&w->before);
}
