/* lines.c: splits pushed bytes into lines and sniffs a document's format. Lines are handed on
 * from the pushed buffer itself when whole, so the common case copies nothing; only a line cut
 * by a push boundary is gathered (and its memory given back when it was huge). */
#include "lines.h"

#include <string.h>
#include <strings.h>

#include "textfeat.h"
#include "winnow.h"

/* s[0..n) ends in '\n' or is the document's last, unterminated line. */
static int one_line(const char *s, size_t n, char *own, wn_line_fn fn, void *ctx)
{
    size_t eollen = 0;
    if (n && s[n - 1] == '\n') {
        eollen = 1;
        if (n >= 2 && s[n - 2] == '\r') eollen = 2;
    }
    return fn(ctx, s, n - eollen, s + n - eollen, eollen, own);
}

int wn_lines_push(struct wn_lines *ls, const char *buf, size_t len, wn_line_fn fn, void *ctx)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) return buf_append(&ls->partial, buf + pos, len - pos) ? -1 : 0;
        size_t end = (size_t)(nl - buf) + 1;
        int rc;
        if (ls->partial.len) {
            if (buf_append(&ls->partial, buf + pos, end - pos)) return -1;
            rc = one_line(ls->partial.p, ls->partial.len, ls->partial.p, fn, ctx);
            ls->partial.len = 0;
            if (ls->partial.cap > (1u << 20)) buf_free(&ls->partial); /* a huge line's memory */
        } else {
            rc = one_line(buf + pos, end - pos, NULL, fn, ctx);
        }
        if (rc) return rc;
        pos = end;
    }
    return 0;
}

int wn_lines_finish(struct wn_lines *ls, wn_line_fn fn, void *ctx)
{
    if (!ls->partial.len) return 0;
    int rc = one_line(ls->partial.p, ls->partial.len, ls->partial.p, fn, ctx);
    ls->partial.len = 0;
    return rc;
}

int wn_lines_each(const char *buf, size_t len, wn_line_fn fn, void *ctx)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        int rc = one_line(buf + pos, end - pos, NULL, fn, ctx);
        if (rc) return rc;
        pos = end;
    }
    return 0;
}

void wn_lines_free(struct wn_lines *ls)
{
    buf_free(&ls->partial);
}

/* A UTF-16 page (its byte order mark first): its first characters, while they are ASCII, as
 * bytes into out (at most cap); the caller sniffs those. */
static size_t utf16_ascii(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n < 2 || !((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) return 0;
    int le = u[0] == 0xFF;
    size_t k = 0;
    for (size_t i = 2; i + 1 < n && k < cap; i += 2) {
        unsigned char lo = u[i + !le], hi = u[i + le];
        if (hi || lo >= 0x80) break;
        out[k++] = (char)lo;
    }
    return k;
}

int wn_sniff_format(const char *s, size_t n, int final)
{
    char ascii[64];
    size_t k = utf16_ascii(s, n, ascii, sizeof ascii);
    if (k) { /* sniffed from its characters; more bytes may still say more */
        int fmt = wn_sniff_format(ascii, k, final || k == sizeof ascii || 2 + 2 * k < n);
        return fmt;
    }
    size_t a = 0;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        a = 3; /* UTF-8 byte order mark */
    while (a < n && (wn_is_blank((unsigned char)s[a]) || s[a] == '\n'))
        a++;
    static const char *const marks[] = {"<!doctype html", "<html"};
    for (size_t i = 0; i < 2; i++) {
        size_t ml = strlen(marks[i]);
        size_t have = n - a < ml ? n - a : ml;
        if (strncasecmp(s + a, marks[i], have) == 0) {
            if (have == ml) return WINNOW_FORMAT_HTML;
            if (!final) return 0;
        }
    }
    if (a == n && !final) return 0;
    return WINNOW_FORMAT_TEXT;
}
