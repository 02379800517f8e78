/* fuzz_rules.c: the rules-file parser (make fuzz): any bytes as a rules file load or are
 * refused with a message; rules that load compile and clean a sample, never crash. */
#include "fuzz_common.h"

static const char sample[] =
    "Title of it\n\nStory text of the article, kept. READ MORE: A headline\n"
    "Post text here https://t.co/abc \xe2\x80\x94 Name (@handle) May 1, 2020\n"
    "Source: agencies\n0 Comments\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    winnow_rules *r = winnow_rules_new();
    if (!r) abort();
    int rc = winnow_rules_load_buffer(r, "fuzz.rules", (const char *)data, size, err, sizeof err);
    if (rc != WINNOW_OK && !err[0]) fz_fail("a refused rules file without a message");
    if (rc == WINNOW_OK && winnow_rules_compile(r, err, sizeof err) == WINNOW_OK) {
        struct fz_sink out = {0};
        winnow_filter *f = winnow_filter_new(r, NULL, fz_sink_write, &out);
        if (f) {
            winnow_filter_push_last(f, sample, sizeof sample - 1);
            winnow_filter_free(f);
        }
        free(out.buf);
    }
    winnow_rules_free(r);
    return 0;
}
