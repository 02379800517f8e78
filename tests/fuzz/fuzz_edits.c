/* fuzz_edits.c: the lossless edits (make fuzz): for any text, any options and any split,
 * undoing the LINKS edits and then the TEXT edits on the output gives the input back. */
#include "fuzz_common.h"

struct rec {
    int stage;
    unsigned long long off;
    char *raw, *out;
    size_t raw_len, out_len;
};

struct edits {
    struct rec *e;
    size_t n, cap;
    int html;
};

static void on_edit(void *ctx, const struct winnow_edit *e)
{
    struct edits *x = ctx;
    if (e->stage == WINNOW_STAGE_DOCUMENT) {
        if (strcmp(e->rule_id, "html") == 0) x->html = 1;
        return;
    }
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        if (!(x->e = realloc(x->e, x->cap * sizeof *x->e))) abort();
    }
    struct rec *r = &x->e[x->n++];
    r->stage = e->stage;
    r->off = e->offset;
    r->raw_len = e->raw_len;
    r->out_len = e->out_len;
    if (!(r->raw = malloc(e->raw_len + 1)) || !(r->out = malloc(e->out_len + 1))) abort();
    memcpy(r->raw, e->raw, e->raw_len);
    memcpy(r->out, e->out, e->out_len);
}

static int by_offset(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->stage != y->stage) return x->stage - y->stage;
    return x->off < y->off ? -1 : x->off > y->off;
}

static void undo(const struct edits *x, int stage, const char *o, size_t on, struct fz_sink *in)
{
    size_t opos = 0;
    unsigned long long ipos = 0;
    fz_sink_write(in, "", 0);
    for (size_t i = 0; i < x->n; i++) {
        const struct rec *e = &x->e[i];
        if (e->stage != stage) continue;
        if (e->off < ipos) fz_fail("edits overlap");
        size_t keep = (size_t)(e->off - ipos);
        if (keep > on - opos || e->out_len > on - opos - keep ||
            memcmp(o + opos + keep, e->out, e->out_len) != 0)
            fz_fail("the output does not hold what an edit left");
        fz_sink_write(in, o + opos, keep);
        fz_sink_write(in, e->raw, e->raw_len);
        opos += keep + e->out_len;
        ipos = e->off + e->raw_len;
    }
    fz_sink_write(in, o + opos, on - opos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    opt.format = data[0] & 1 ? WINNOW_FORMAT_TEXT : WINNOW_FORMAT_AUTO;
    opt.keep_embeds = (data[0] >> 1) & 1;
    opt.links = (data[0] >> 2) & 1   ? WINNOW_LINKS_KEEP
                : (data[0] >> 3) & 1 ? WINNOW_LINKS_STRIP
                                     : WINNOW_LINKS_DEFAULT;
    opt.max_removal = (data[0] >> 4) & 1 ? 0.3 : 0;
    size_t chunk = (size_t)data[1] + 1;
    data += 2;
    size -= 2;
    struct edits x = {0};
    opt.edit = on_edit;
    opt.edit_ctx = &x;
    struct fz_sink out = {0}, mid = {0}, back = {0};
    fz_sink_write(&out, "", 0);
    fz_run(data, size, chunk, &opt, &out);
    if (!x.html) {
        if (x.n) qsort(x.e, x.n, sizeof *x.e, by_offset);
        undo(&x, WINNOW_STAGE_LINKS, out.buf, out.len, &mid);
        undo(&x, WINNOW_STAGE_TEXT, mid.buf, mid.len, &back);
        if (back.len != size || memcmp(back.buf, data, size) != 0)
            fz_fail("the input does not come back from the output and its edits");
    }
    for (size_t i = 0; i < x.n; i++) {
        free(x.e[i].raw);
        free(x.e[i].out);
    }
    free(x.e);
    free(out.buf);
    free(mid.buf);
    free(back.buf);
    return 0;
}
