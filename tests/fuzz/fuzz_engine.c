/* fuzz_engine.c: a libFuzzer target for the whole filter (make fuzz): any bytes, any options,
 * any split of the input must neither crash nor give an output other than the unsplit one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winnow.h"

struct sink {
    char *buf;
    size_t len, cap;
};

static int sink_write(void *ctx, const char *buf, size_t len)
{
    struct sink *s = ctx;
    if (s->len + len > s->cap) {
        s->cap = (s->len + len) * 2 + 64;
        s->buf = realloc(s->buf, s->cap);
        if (!s->buf) abort();
    }
    memcpy(s->buf + s->len, buf, len);
    s->len += len;
    return 0;
}

static winnow_rules *rules;

static void run(const uint8_t *d, size_t n, size_t chunk, const struct winnow_options *opt,
                struct sink *out)
{
    winnow_filter *f = winnow_filter_new(rules, opt, sink_write, out);
    if (!f) abort();
    for (size_t i = 0; i < n; i += chunk)
        winnow_filter_push(f, (const char *)d + i, n - i < chunk ? n - i : chunk);
    winnow_filter_end_document(f);
    winnow_filter_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules) {
        char err[256];
        rules = winnow_rules_new();
        if (winnow_rules_load_defaults(rules, err, sizeof err) != WINNOW_OK) abort();
    }
    if (size < 2) return 0;
    /* first byte: options; second: the chunk size of the split run */
    struct winnow_options opt = {0};
    opt.format =
        data[0] & 3 ? (data[0] & 1 ? WINNOW_FORMAT_TEXT : WINNOW_FORMAT_AUTO) : WINNOW_FORMAT_HTML;
    opt.keep_embeds = (data[0] >> 2) & 1;
    opt.links = (data[0] >> 3) & 1 ? WINNOW_LINKS_KEEP : WINNOW_LINKS_DEFAULT;
    size_t chunk = (size_t)data[1] + 1;
    data += 2;
    size -= 2;
    struct sink whole = {0}, split = {0};
    run(data, size, size ? size : 1, &opt, &whole);
    run(data, size, chunk, &opt, &split);
    if (whole.len != split.len || (whole.len && memcmp(whole.buf, split.buf, whole.len) != 0)) {
        fprintf(stderr, "output differs between whole and split (chunk %zu)\n", chunk);
        abort();
    }
    free(whole.buf);
    free(split.buf);
    return 0;
}
