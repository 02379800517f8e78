/* linkcache.h: an SQLite cache of resolved short links shared by concurrent winnow processes;
 * any failure turns it off with one warning, because the cache must never stop the filter. */
#ifndef WN_LINKCACHE_H
#define WN_LINKCACHE_H

struct wn_linkcache;

/* Seconds a result stays valid. Failures expire sooner: they are often temporary. */
#define WN_CACHE_TTL_OK (30L * 24 * 3600)
#define WN_CACHE_TTL_FAIL (3600L)

/* Opens (creating it and its directory) `path`, or the default
 * $XDG_CACHE_HOME/winnow/links.sqlite (~/.cache/winnow/links.sqlite) when NULL.
 * Returns NULL after printing "winnow: warning: ..." when it cannot be used. */
struct wn_linkcache *wn_linkcache_open(const char *path);

/* 1 and the stored result (malloc'd strings, either may be NULL) on a fresh hit, else 0. */
int wn_linkcache_get(struct wn_linkcache *c, const char *key, int *ok, char **final, char **reason);

void wn_linkcache_put(struct wn_linkcache *c, const char *key, int ok, const char *final,
                      const char *reason);

/* Makes what was put so far visible to other processes. */
void wn_linkcache_commit(struct wn_linkcache *c);

void wn_linkcache_close(struct wn_linkcache *c);

#endif
