/* linkcache.h: the cache of resolved short links that concurrent winnow processes share, one
 * interface over two backends, an SQLite file and Redis; any failure turns it off with one
 * warning, because the cache must never stop the filter nor lose text. */
#ifndef WN_LINKCACHE_H
#define WN_LINKCACHE_H

#include <stddef.h>

struct wn_linkcache;

/* Seconds a result stays valid. Failures expire sooner: they are often temporary. */
#define WN_CACHE_TTL_OK (30L * 24 * 3600)
#define WN_CACHE_TTL_FAIL (3600L)
/* Redis keys: this, then the normalised short URL (--cache-prefix changes it). */
#define WN_CACHE_REDIS_PREFIX "winnow:link:"

/* What the cache holds for one key (found 0: nothing fresh); the strings are malloc'd. */
struct wn_cache_answer {
    int found, ok;
    char *final, *reason;
};

/* Opens the cache `spec` names: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or
 * unix:///PATH/redis.sock[?db=N] (the password also from REDIS_PASSWORD), else an SQLite file
 * (made with its directory), or $XDG_CACHE_HOME/winnow/links.sqlite when NULL. `prefix`
 * (NULL: the default) namespaces Redis keys; `timeout_ms` bounds every wait on a server.
 * Returns NULL after printing "winnow: warning: ..." when it cannot be used. */
struct wn_linkcache *wn_linkcache_open_spec(const char *spec, const char *prefix, long timeout_ms);
struct wn_linkcache *wn_linkcache_open(const char *path); /* the defaults */

/* answers[i] for keys[i], all in one round trip to a server. A destination that is not an
 * http(s) URL any more (the cache is anyone's to write) is a miss. */
void wn_linkcache_get_many(struct wn_linkcache *c, const char *const *keys, size_t n,
                           struct wn_cache_answer *answers);
/* 1 and the stored result (malloc'd strings, either may be NULL) on a fresh hit, else 0. */
int wn_linkcache_get(struct wn_linkcache *c, const char *key, int *ok, char **final, char **reason);

/* Stores a result (and gives up this process's claim on the key). */
void wn_linkcache_put(struct wn_linkcache *c, const char *key, int ok, const char *final,
                      const char *reason);

/* Misses about to be resolved, in one round trip: mine[i] 1 when this process is to resolve
 * keys[i] (its claim lasts until its put, or ttl_ms), 0 when another process is resolving it
 * now (ask the cache again soon). A cache that is off, or keeps no claims, says 1. */
void wn_linkcache_claim_many(struct wn_linkcache *c, const char *const *keys, size_t n, long ttl_ms,
                             int *mine);

/* Makes what was put so far visible to other processes. */
void wn_linkcache_commit(struct wn_linkcache *c);

void wn_linkcache_close(struct wn_linkcache *c);

/* ---- backends ------------------------------------------------------------------------- */

struct wn_cache_ops {
    void (*get_many)(struct wn_linkcache *c, const char *const *keys, size_t n,
                     struct wn_cache_answer *answers);
    void (*put)(struct wn_linkcache *c, const char *key, int ok, const char *final,
                const char *reason);
    void (*claim_many)(struct wn_linkcache *c, const char *const *keys, size_t n, long ttl_ms,
                       int *mine);
    void (*commit)(struct wn_linkcache *c);
    void (*close)(struct wn_linkcache *c);
    int remote; /* a server: look-ups are worth batching */
};

/* Each backend's struct begins with this. */
struct wn_linkcache {
    const struct wn_cache_ops *ops;
};

struct wn_linkcache *wn_linkcache_sqlite_open(const char *path);
struct wn_linkcache *wn_linkcache_redis_open(const char *url, const char *prefix, long timeout_ms);
/* "winnow: warning: link cache WHERE: WHAT; going on without it" */
void wn_linkcache_warn(const char *where, const char *what);
/* Is the cache a server (worth batching look-ups for)? */
int wn_linkcache_remote(const struct wn_linkcache *c);

#endif
