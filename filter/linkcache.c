/* linkcache.c: the link cache's one interface: it picks the backend a --cache value names and
 * checks what any backend returns (a cached destination goes into the text only as an http(s)
 * URL without blanks), so neither backend can put bytes into the text that resolving would not. */
#include "linkcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

void wn_linkcache_warn(const char *where, const char *what)
{
    fprintf(stderr, "winnow: warning: link cache %s: %s; going on without it\n", where ? where : "",
            what);
}

struct wn_linkcache *wn_linkcache_open_spec(const char *spec, const char *prefix, long timeout_ms)
{
    if (spec && (strncmp(spec, "redis://", 8) == 0 || strncmp(spec, "unix://", 7) == 0))
        return wn_linkcache_redis_open(spec, prefix, timeout_ms);
    return wn_linkcache_sqlite_open(spec);
}

struct wn_linkcache *wn_linkcache_open(const char *path)
{
    return wn_linkcache_open_spec(path, NULL, 5000);
}

static void forget(struct wn_cache_answer *a)
{
    free(a->final);
    free(a->reason);
    *a = (struct wn_cache_answer){0};
}

void wn_linkcache_get_many(struct wn_linkcache *c, const char *const *keys, size_t n,
                           struct wn_cache_answer *answers)
{
    for (size_t i = 0; i < n; i++)
        answers[i] = (struct wn_cache_answer){0};
    if (!c || !n) return;
    c->ops->get_many(c, keys, n, answers);
    for (size_t i = 0; i < n; i++) {
        struct wn_cache_answer *a = &answers[i];
        struct wn_url_parts parts;
        if (a->found && a->ok &&
            (!a->final || wn_url_parse(a->final, strlen(a->final), &parts) != 0 ||
             strpbrk(a->final, " \t\r\n\v\f") != NULL))
            forget(a);
    }
}

int wn_linkcache_get(struct wn_linkcache *c, const char *key, int *ok, char **final, char **reason)
{
    struct wn_cache_answer a;
    wn_linkcache_get_many(c, &key, 1, &a);
    if (!a.found) return 0;
    *ok = a.ok;
    *final = a.final;
    *reason = a.reason;
    return 1;
}

void wn_linkcache_put(struct wn_linkcache *c, const char *key, int ok, const char *final,
                      const char *reason)
{
    if (c) c->ops->put(c, key, ok, final, reason);
}

void wn_linkcache_claim_many(struct wn_linkcache *c, const char *const *keys, size_t n, long ttl_ms,
                             int *mine)
{
    for (size_t i = 0; i < n; i++)
        mine[i] = 1;
    if (c && n) c->ops->claim_many(c, keys, n, ttl_ms, mine);
}

void wn_linkcache_commit(struct wn_linkcache *c)
{
    if (c) c->ops->commit(c);
}

void wn_linkcache_close(struct wn_linkcache *c)
{
    if (c) c->ops->close(c);
}

int wn_linkcache_remote(const struct wn_linkcache *c)
{
    return c && c->ops->remote;
}
