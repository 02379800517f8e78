/* writers.c: the output chain. Blank lines beside removed text are held and written only when
 * kept text follows and no blank line was just written, so taking a block out never leaves a
 * gap of several blank lines; kept runs of the input are handed on without a copy. */
#include "writers.h"

#include "limits.h"

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
    int bad;
    if (w->links) {
        bad = wn_links_line(w->links, no, s, n, eol, eollen);
    } else if (s + n == eol) { /* uncut text still in the input buffer: one write */
        bad = n + eollen && wn_writers_coalesce(w, s, n + eollen);
    } else {
        bad =
            (n && wn_writers_coalesce(w, s, n)) || (eollen && wn_writers_coalesce(w, eol, eollen));
    }
    if (bad) w->failed = 1;
    return bad ? -1 : 0;
}

int wn_writers_line(struct wn_writers *w, unsigned long long no, const char *s, size_t n,
                    const char *eol, size_t eollen, int blank)
{
    if (blank && w->after_drop) {
        if (w->blanks.len + n + eollen > WN_BLANK_GAP_MAX) w->blanks.len = 0; /* keep one */
        if (buf_append(&w->blanks, s, n) || buf_append(&w->blanks, eol, eollen)) return -2;
        return 0;
    }
    if (w->blanks.len) {
        if (!w->last_blank && w->wrote_in_doc) {
            if (w->failed) return -1;
            *w->bytes_out += w->blanks.len;
            int bad = w->links ? wn_links_raw(w->links, w->blanks.p, w->blanks.len)
                               : wn_writers_coalesce(w, w->blanks.p, w->blanks.len);
            if (bad) {
                w->failed = 1;
                return -1;
            }
            blank = 1; /* what was written last is blank */
        }
        w->blanks.len = 0;
    }
    w->after_drop = 0;
    w->last_blank = blank;
    w->wrote_in_doc = 1;
    return put(w, no, s, n, eol, eollen);
}

void wn_writers_dropped(struct wn_writers *w)
{
    w->after_drop = 1;
    w->blanks.len = 0;
}

void wn_writers_end_document(struct wn_writers *w)
{
    w->blanks.len = 0;
    w->after_drop = w->wrote_in_doc = 0;
}

void wn_writers_free(struct wn_writers *w)
{
    buf_free(&w->blanks);
}
