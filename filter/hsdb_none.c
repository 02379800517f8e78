/* hsdb_none.c: no prebuilt Vectorscan database (built without Vectorscan, or for hsdb-gen
 * itself): a filter then compiles its own when it first needs one (scan.c). */
#include <stddef.h>

#include "prefilter.h"

const unsigned char wn_default_hsdb[1];
const size_t wn_default_hsdb_len = 0;
const unsigned long long wn_default_hsdb_hash = 0;
const struct wn_pf_cached wn_pf_cache[1];
const size_t wn_pf_cache_count = 0;
