/* buf.h: one growable byte buffer for the filter's modules (held texts, scratch lines, reports).
 * Invariant: p[0..len) is the content, cap >= len + 1 once anything was appended (room for a NUL).
 */
#ifndef WN_BUF_H
#define WN_BUF_H

#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
};

/* Grows by half, so a huge line costs little more than itself. */
static inline int buf_reserve(struct buf *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        size_t next = cap + cap / 2;
        if (next < cap) return -1;
        cap = next;
    }
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline int buf_append(struct buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, b->len + n + 1)) return -1;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static inline void buf_free(struct buf *b)
{
    free(b->p);
    *b = (struct buf){0};
}

#endif
