/* links_feed.h: runs a multi-line string through a links stage line by line, as the winnow
 * command feeds it; shared by the two tests of that stage, test_links.c and test_resolve.c. */
#ifndef WN_LINKS_FEED_H
#define WN_LINKS_FEED_H

#include <stdio.h>
#include <string.h>

#include "links.h"
#include "testlib.h"

/* Makes a links stage with the built-in rules and `opt`, writing through `write` to `ctx`;
 * gives it each line of `input` (lines end in \n, the last one may not) numbered from 1,
 * then flushes and frees it. Returns 0, or -1 after printing why the stage could not be made.
 * Static inline: a test that does not call it still builds under -Wunused-function. */
static inline int tl_links_feed(const struct winnow_options *opt, winnow_write_fn write, void *ctx,
                                const char *input)
{
    char err[256] = "";
    struct wn_links *l = wn_links_new(tl_shared_rules(), opt, write, ctx, err, sizeof err);
    if (!l) {
        printf("wn_links_new: %s\n", err);
        return -1;
    }
    unsigned long long no = 0;
    for (const char *p = input; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        wn_links_line(l, ++no, 0, p, n, nl ? "\n" : "", nl ? 1 : 0);
        p += n + (nl ? 1 : 0);
    }
    wn_links_flush(l);
    wn_links_free(l);
    return 0;
}

#endif
