/* fuzz_clearurls.c: the ClearURLs loader (make fuzz): any bytes as data.min.json load or
 * are refused with a message; a catalogue that loads cleans URLs without crashing. */
#include <unistd.h>

#include "clearurls.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz-clearurls.%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char err[256] = "";
    struct wn_clearurls *c = wn_clearurls_load(path, err, sizeof err);
    if (!c && !err[0]) fz_fail("a refused catalogue without a message");
    if (c) {
        static const char *const urls[] = {
            "https://www.amazon.com/dp/B0?tag=x&ref_=y&utm_source=z",
            "https://example.com/a?utm_source=a&id=3#frag",
            "https://www.google.com/url?q=https%3A%2F%2Fexample.com%2F&sa=D",
        };
        for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
            char removed[256];
            free(wn_clearurls_apply(c, urls[i], strlen(urls[i]), (int)(i & 1), removed,
                                    sizeof removed));
        }
        wn_clearurls_free(c);
    }
    unlink(path);
    return 0;
}
