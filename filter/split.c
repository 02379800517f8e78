/* split.c: the winnow command's stream cut into documents (split.h) over reads of any size:
 * each byte goes to the sink once, and a separator is found wherever the reads end. */
#include "split.h"

#include <string.h>

long wn_split_feed(struct wn_split *s, char *buf, size_t len, int eof, int last,
                   const struct wn_split_sink *k)
{
    size_t pos = 0;
    while (pos < len) {
        if (s->nul) {
            char *z = memchr(buf + pos, '\0', len - pos);
            if (!z) return k->text(k->ctx, buf + pos, len - pos, last) ? -1 : 0;
            size_t end = (size_t)(z - buf);
            if (k->text(k->ctx, buf + pos, end - pos, 1) || k->sep(k->ctx, z, 1)) return -1;
            pos = end + 1;
            continue;
        }
        /* look for "\f" alone on a line */
        char *ff = memchr(buf + pos, '\f', len - pos);
        size_t p = ff ? (size_t)(ff - buf) : len;
        while (ff) {
            int starts = p == 0 ? s->at_line_start : buf[p - 1] == '\n';
            if (starts) break;
            ff = p + 1 < len ? memchr(buf + p + 1, '\f', len - p - 1) : NULL;
            p = ff ? (size_t)(ff - buf) : len;
        }
        if (!ff) {
            if (k->text(k->ctx, buf + pos, len - pos, last)) return -1;
            s->at_line_start = buf[len - 1] == '\n';
            return 0;
        }
        /* the separator line is "\f\n", "\f\r\n", or "\f" at the end of input */
        size_t after = p + 1;
        if (after < len && buf[after] == '\r') after++;
        if (after >= len && !eof) { /* it may be: the next read says */
            if (k->text(k->ctx, buf + pos, p - pos, 0)) return -1;
            s->at_line_start = 1; /* the held "\f" starts a line, whatever came before */
            memmove(buf, buf + p, len - p);
            return (long)(len - p);
        }
        if (after < len && buf[after] != '\n') { /* a form feed that starts text */
            if (k->text(k->ctx, buf + pos, p + 1 - pos, 0)) return -1;
            s->at_line_start = 0;
            pos = p + 1;
            continue;
        }
        if (after < len) after++; /* the '\n' */
        if (k->text(k->ctx, buf + pos, p - pos, 1) || k->sep(k->ctx, buf + p, after - p)) return -1;
        s->at_line_start = 1;
        pos = after;
    }
    return 0;
}
