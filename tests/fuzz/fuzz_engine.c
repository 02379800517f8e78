/* fuzz_engine.c: a libFuzzer target for the whole filter (make fuzz): any bytes, any options,
 * any split of the input must neither crash nor give an output other than the unsplit one. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    /* first byte: options; second: the chunk size of the split run */
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    opt.format =
        data[0] & 3 ? (data[0] & 1 ? WINNOW_FORMAT_TEXT : WINNOW_FORMAT_AUTO) : WINNOW_FORMAT_HTML;
    opt.keep_embeds = (data[0] >> 2) & 1;
    opt.links = (data[0] >> 3) & 1 ? WINNOW_LINKS_KEEP : WINNOW_LINKS_DEFAULT;
    size_t chunk = (size_t)data[1] + 1;
    data += 2;
    size -= 2;
    struct fz_sink whole = {0}, split = {0};
    fz_run(data, size, size ? size : 1, &opt, &whole);
    fz_run(data, size, chunk, &opt, &split);
    if (whole.len != split.len || (whole.len && memcmp(whole.buf, split.buf, whole.len) != 0)) {
        fprintf(stderr, "output differs between whole and split (chunk %zu)\n", chunk);
        abort();
    }
    free(whole.buf);
    free(split.buf);
    return 0;
}
