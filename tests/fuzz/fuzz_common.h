/* fuzz_common.h: what the libFuzzer targets share: an output sink, the default rules loaded
 * once, and abort() with a message when an invariant breaks (libFuzzer saves the input). */
#ifndef WN_FUZZ_COMMON_H
#define WN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winnow.h"

struct fz_sink {
    char *buf;
    size_t len, cap;
};

static inline int fz_sink_write(void *ctx, const char *buf, size_t len)
{
    struct fz_sink *s = ctx;
    if (s->len + len + 1 > s->cap) {
        s->cap = (s->len + len + 1) * 2 + 64;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf) abort();
    }
    memcpy(s->buf + s->len, buf, len);
    s->len += len;
    s->buf[s->len] = 0;
    return 0;
}

static inline winnow_rules *fz_rules(void)
{
    static winnow_rules *rules;
    if (!rules) {
        char err[256];
        rules = winnow_rules_new();
        if (!rules || winnow_rules_load_defaults(rules, err, sizeof err) != WINNOW_OK) abort();
    }
    return rules;
}

/* One document through a filter over the default rules, pushed `chunk` bytes at a time. */
static inline void fz_run(const uint8_t *d, size_t n, size_t chunk,
                          const struct winnow_options *opt, struct fz_sink *out)
{
    winnow_filter *f = winnow_filter_new(fz_rules(), opt, fz_sink_write, out);
    if (!f) abort();
    for (size_t i = 0; i < n; i += chunk)
        winnow_filter_push(f, (const char *)d + i, n - i < chunk ? n - i : chunk);
    winnow_filter_end_document(f);
    winnow_filter_free(f);
}

static inline void fz_fail(const char *what)
{
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
}

#endif
