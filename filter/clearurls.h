/* clearurls.h: applies a ClearURLs rule catalogue (data.min.json) to URLs: redirections,
 * rawRules, and removal of tracking query keys (referralMarketing only when asked). */
#ifndef WN_CLEARURLS_H
#define WN_CLEARURLS_H

#include <stddef.h>

struct wn_clearurls;

/* Loads and compiles the catalogue; NULL with a message in err on failure. */
struct wn_clearurls *wn_clearurls_load(const char *path, char *err, size_t errlen);

/* Returns the cleaned URL (malloc'd; equal to the input when nothing applies), or NULL when
 * out of memory. `removed` (may be NULL) receives a short note of what was taken out. */
char *wn_clearurls_apply(const struct wn_clearurls *c, const char *url, size_t len,
                         int strip_referral, char *removed, size_t removed_cap);

size_t wn_clearurls_provider_count(const struct wn_clearurls *c);

void wn_clearurls_free(struct wn_clearurls *c);

#endif
