/* fuzz_url.c: the URL finder, parser and cleaner, Location resolution and the meta-refresh
 * parser of the resolver's responses (make fuzz): spans lie within the text and advance,
 * a cleaned URL is no longer than it was, nothing reads past its buffer (ASan). */
#include "fuzz_common.h"
#include "resolve.h"
#include "url.h"

static int drop_utm(void *ctx, const char *key, size_t n)
{
    (void)ctx;
    return n >= 4 && memcmp(key, "utm_", 4) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct wn_url_span s = {0};
    size_t from = 0, found = 0;
    while (wn_url_find(text, size, from, &s)) {
        if (s.start < from || s.end > size || s.end <= s.start) fz_fail("a span out of place");
        from = s.end;
        struct wn_url_parts p;
        if (wn_url_parse(text + s.start, s.end - s.start, &p) == 0) {
            char *out = malloc(s.end - s.start + 1), removed[256];
            size_t outlen = 0;
            if (!out) abort();
            wn_url_strip_keys(text + s.start, s.end - s.start, &p, drop_utm, NULL, out, &outlen,
                              removed, sizeof removed);
            if (outlen > s.end - s.start) fz_fail("a cleaned URL grew");
            free(out);
        }
        if (++found > size) fz_fail("the finder does not advance");
    }
    /* the bytes as a Location against a base, and as a page that may redirect */
    char *ref = malloc(size + 1);
    if (!ref) abort();
    memcpy(ref, data, size);
    ref[size] = 0;
    free(wn_url_resolve("https://example.com/a/b?c=d", ref));
    free(ref);
    free(wn_page_redirect(text, size));
    return 0;
}
