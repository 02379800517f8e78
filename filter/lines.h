/* lines.h: the lines stage: bytes, split anyhow, into whole lines with their endings (LF or
 * CRLF), and the format of a document sniffed from its first bytes. A line split across pushes
 * is gathered in a buffer of our own, which the consumer may rewrite in place. */
#ifndef WN_LINES_H
#define WN_LINES_H

#include <stddef.h>

#include "buf.h"

/* One line: s[0..n) without its ending, eol[0..eollen) the ending (0 bytes for a document's
 * last, unterminated line). `own` is s when the buffer is ours to rewrite, else NULL. */
typedef int (*wn_line_fn)(void *ctx, const char *s, size_t n, const char *eol, size_t eollen,
                          char *own);

struct wn_lines {
    struct buf partial; /* the start of a line whose end has not come yet */
};

/* Hands every whole line in buf[0..len) to fn; keeps the rest. Stops at fn's first non-zero
 * return and returns it (-1 when out of memory). */
int wn_lines_push(struct wn_lines *ls, const char *buf, size_t len, wn_line_fn fn, void *ctx);
/* The document ends: hands over its last, unterminated line, if any. */
int wn_lines_finish(struct wn_lines *ls, wn_line_fn fn, void *ctx);
/* The same for a buffer of whole "\n"-terminated lines that nothing else will follow. */
int wn_lines_each(const char *buf, size_t len, wn_line_fn fn, void *ctx);
void wn_lines_free(struct wn_lines *ls);

/* WINNOW_FORMAT_HTML or WINNOW_FORMAT_TEXT from a document's first bytes; 0 when more are
 * needed and the document may go on (`final` says it will not). */
int wn_sniff_format(const char *s, size_t n, int final);

#endif
