/* split.h: where the winnow command's text stream ends one document and starts the next (split.c):
 * a line holding only a form feed, or a NUL byte with -z. Part of the command, not the library. */
#ifndef WN_SPLIT_H
#define WN_SPLIT_H

#include <stddef.h>

/* The most bytes a feed keeps back: "\f\r" at the end of a read may start a separator line. */
#define WN_SPLIT_CARRY 2

struct wn_split {
    int nul;           /* -z: each NUL byte ends a document */
    int at_line_start; /* the bytes before the buffer ended a line (or there were none) */
};

/* What the stream is made of, in order: text of the current document (last: nothing more of
 * that document follows, for winnow_filter_push_last) and separators. A nonzero return from
 * either stops the feed. */
struct wn_split_sink {
    int (*text)(void *ctx, const char *buf, size_t len, int last);
    int (*sep)(void *ctx, const char *buf, size_t len);
    void *ctx;
};

/* Splits buf[0..len), what the last feed kept back and then what was read: eof when nothing
 * follows, last when the text at its end ends the stream (a regular file's last read). The
 * separators are "\f\n", "\f\r\n" and, at the end of the stream, "\f" or "\f\r", each at the
 * start of a line; with nul, "\0". Returns how many bytes it kept back (moved to buf[0], at
 * most WN_SPLIT_CARRY; none at eof) for the next feed to start with, or -1 when the sink
 * stopped it. */
long wn_split_feed(struct wn_split *s, char *buf, size_t len, int eof, int last,
                   const struct wn_split_sink *k);

#endif
