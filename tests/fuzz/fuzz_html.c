/* fuzz_html.c: the HTML path with its reports (make fuzz): any page, split anyhow, gives the
 * output and the reports of the page in one piece; every reported range lies in the page. */
#include "fuzz_common.h"

struct reports {
    size_t n;
    unsigned long long sum;
    size_t size;
};

static void on_report(void *ctx, const struct winnow_removal *r)
{
    struct reports *x = ctx;
    x->n++;
    x->sum += r->offset * 31 + r->span + r->line * 7 + r->col;
    if (r->offset + r->span > x->size) fz_fail("a reported range past the page's end");
}

static void run(const uint8_t *d, size_t n, size_t chunk, struct fz_sink *out, struct reports *x)
{
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    opt.format = WINNOW_FORMAT_HTML;
    opt.report = on_report;
    opt.report_ctx = x;
    x->size = n;
    fz_run(d, n, chunk, &opt, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = (size_t)data[0] * 97 + 1;
    data++;
    size--;
    struct fz_sink whole = {0}, split = {0};
    struct reports a = {0}, b = {0};
    run(data, size, size ? size : 1, &whole, &a);
    run(data, size, chunk, &split, &b);
    if (whole.len != split.len || (whole.len && memcmp(whole.buf, split.buf, whole.len) != 0))
        fz_fail("the output depends on how the page was split");
    if (a.n != b.n || a.sum != b.sum) fz_fail("the reports depend on how the page was split");
    free(whole.buf);
    free(split.buf);
    return 0;
}
