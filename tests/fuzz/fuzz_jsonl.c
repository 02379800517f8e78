/* fuzz_jsonl.c: JSON Lines records (make fuzz): each line of the input as a record, cleaned
 * with its edits on; a line that is not a record passes through byte for byte; a line the
 * fast path is sure of (jsoncheck.c) is one jansson accepts. */
#include <jansson.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "jsonl.h"

static void check_sure(const char *s, size_t n)
{
    static struct buf scratch;
    if (!wn_json_sure_object(s, n, SIZE_MAX, SIZE_MAX, &scratch)) return;
    json_t *v = json_loadb(s, n, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
    if (!json_is_object(v)) fz_fail("jsoncheck is sure of a line jansson refuses");
    json_decref(v);
}

static void on_edit(void *ctx, const struct winnow_edit *e)
{
    (void)ctx;
    if (e->raw_len && !e->raw && e->stage != WINNOW_STAGE_RECORD) fz_fail("an edit without bytes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_sink out = {0};
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    opt.edit = on_edit;
    struct winnow_jsonl_options jo = {.size = sizeof(struct winnow_jsonl_options)};
    jo.drop_invalid = size && (data[0] & 1);
    char err[256];
    winnow_jsonl *j = winnow_jsonl_new(fz_rules(), &opt, &jo, fz_sink_write, &out, err, sizeof err);
    if (!j) abort();
    const char *s = (const char *)data;
    for (size_t pos = 0; pos < size;) {
        const char *nl = memchr(s + pos, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - (s + pos)) : size - pos;
        check_sure(s + pos, n);
        size_t before = out.len;
        int verdict = 0;
        winnow_jsonl_line(j, s + pos, n, nl ? "\n" : "", nl ? 1 : 0, &verdict);
        if (verdict != WINNOW_JSONL_CLEANED && !jo.drop_invalid &&
            (out.len - before != n + (nl ? 1 : 0) || memcmp(out.buf + before, s + pos, n) != 0))
            fz_fail("a line that is no record did not pass as it came");
        pos += n + (nl ? 1 : 0);
    }
    winnow_jsonl_free(j);
    free(out.buf);
    return 0;
}
