/* fuzz_cache.c: the link cache (make fuzz): keys and answers of any bytes are stored and read
 * back as they were, through SQLite, in a file of its own. */
#include <unistd.h>

#include "fuzz_common.h"
#include "linkcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz-cache.%d.sqlite", (int)getpid());
    struct wn_linkcache *c = wn_linkcache_open(path);
    if (!c) return 0;
    /* the input: NUL-separated key, destination, reason */
    char *buf = malloc(size + 3);
    if (!buf) abort();
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = 0;
    const char *key = buf, *final = key + strlen(key) + 1;
    if (final > buf + size) final = buf + size + 1;
    const char *reason = final + strlen(final) + 1;
    if (reason > buf + size + 1) reason = buf + size + 2;
    if (*key) {
        int ok = size & 1;
        wn_linkcache_put(c, key, ok, ok ? final : NULL, ok ? NULL : reason);
        wn_linkcache_commit(c);
        int got_ok = -1;
        char *got_final = NULL, *got_reason = NULL;
        if (wn_linkcache_get(c, key, &got_ok, &got_final, &got_reason) == 1 &&
            (got_ok != ok || (ok && (!got_final || strcmp(got_final, final) != 0))))
            fz_fail("the cache gave back another answer");
        free(got_final);
        free(got_reason);
    }
    wn_linkcache_close(c);
    free(buf);
    return 0;
}
