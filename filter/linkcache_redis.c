/* linkcache_redis.c: the link cache in Redis (hiredis), shared by a fleet of winnow processes:
 * results as keys with Redis's own expiry (the SQLite file's 30 days and one hour), look-ups of
 * many keys in one MGET, and a short claim key (SET NX PX) so that a link one process resolves
 * now is not resolved again by another. Every wait is bounded by the timeout; a server that
 * fails, refuses or is slow turns the cache off with one warning (the password never shown). */
#include "linkcache.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <uriparser/Uri.h>

struct redis_cache {
    struct wn_linkcache base;
    redisContext *rc;
    char *prefix;
    char shown[512]; /* the URL as warnings show it: no password */
};

/* The claim on a key: the key and a suffix no URL has (URLs hold no blank). */
#define CLAIM_SUFFIX " (resolving)"

static void disable(struct redis_cache *c, const char *what)
{
    if (!c->rc) return;
    char why[300];
    snprintf(why, sizeof why, "%s", what && *what ? what : "no answer");
    wn_linkcache_warn(c->shown, why);
    redisFree(c->rc);
    c->rc = NULL;
}

/* A reply, or the cache off (NULL) when there is none or it is an error. */
static redisReply *checked(struct redis_cache *c, void *reply)
{
    redisReply *r = reply;
    if (!r) {
        disable(c, c->rc && c->rc->errstr[0] ? c->rc->errstr : "no answer");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        char what[300];
        snprintf(what, sizeof what, "%.*s", (int)r->len, r->str);
        freeReplyObject(r);
        disable(c, what);
        return NULL;
    }
    return r;
}

/* The next reply of a pipeline, or NULL (and the cache off) when there is none or it is an
 * error. */
static redisReply *next_reply(struct redis_cache *c)
{
    void *r = NULL;
    if (!c->rc) return NULL;
    if (redisGetReply(c->rc, &r) != REDIS_OK) r = NULL;
    return checked(c, r);
}

static char *prefixed(const struct redis_cache *c, const char *key, const char *suffix)
{
    size_t a = strlen(c->prefix), b = strlen(key), s = strlen(suffix);
    char *k = malloc(a + b + s + 1);
    if (!k) return NULL;
    memcpy(k, c->prefix, a);
    memcpy(k + a, key, b);
    memcpy(k + a + b, suffix, s + 1);
    return k;
}

/* A value is "1 DESTINATION" or "0 REASON". */
static void read_value(const redisReply *v, struct wn_cache_answer *a)
{
    if (!v || v->type != REDIS_REPLY_STRING || v->len < 2 || v->str[1] != ' ' ||
        (v->str[0] != '0' && v->str[0] != '1'))
        return;
    char *text = malloc(v->len - 1);
    if (!text) return;
    memcpy(text, v->str + 2, v->len - 2);
    text[v->len - 2] = 0;
    a->found = 1;
    a->ok = v->str[0] == '1';
    if (a->ok)
        a->final = text;
    else
        a->reason = text;
}

static void redis_get_many(struct wn_linkcache *base, const char *const *keys, size_t n,
                           struct wn_cache_answer *answers)
{
    struct redis_cache *c = (struct redis_cache *)base;
    if (!c->rc) return;
    const char **argv = calloc(n + 1, sizeof *argv);
    size_t *lens = calloc(n + 1, sizeof *lens);
    size_t made = 0;
    if (argv && lens) {
        argv[0] = "MGET";
        lens[0] = 4;
        for (; made < n && (argv[made + 1] = prefixed(c, keys[made], "")); made++)
            lens[made + 1] = strlen(argv[made + 1]);
    }
    if (made == n) {
        redisReply *r = checked(c, redisCommandArgv(c->rc, (int)n + 1, argv, lens));
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == n)
            for (size_t i = 0; i < n; i++)
                read_value(r->element[i], &answers[i]);
        else if (r)
            disable(c, "MGET answered something else");
        if (r) freeReplyObject(r);
    }
    for (size_t i = 0; i < made; i++)
        free((char *)argv[i + 1]);
    free(argv);
    free(lens);
}

/* The result, with its expiry, and the claim given up: pipelined, one round trip. */
static void redis_put(struct wn_linkcache *base, const char *key, int ok, const char *final,
                      const char *reason)
{
    struct redis_cache *c = (struct redis_cache *)base;
    if (!c->rc) return;
    char *k = prefixed(c, key, ""), *claim = prefixed(c, key, CLAIM_SUFFIX);
    const char *text = ok ? (final ? final : "") : (reason ? reason : "");
    size_t tlen = strlen(text);
    char *v = malloc(tlen + 3);
    if (k && claim && v) {
        v[0] = ok ? '1' : '0';
        v[1] = ' ';
        memcpy(v + 2, text, tlen + 1);
        redisAppendCommand(c->rc, "SET %s %b EX %ld", k, v, tlen + 2,
                           ok ? WN_CACHE_TTL_OK : WN_CACHE_TTL_FAIL);
        redisAppendCommand(c->rc, "DEL %s", claim);
        for (int i = 0; i < 2 && c->rc; i++) {
            redisReply *got = next_reply(c);
            if (got) freeReplyObject(got);
        }
    }
    free(k);
    free(claim);
    free(v);
}

/* SET claim NX PX for each, pipelined: one round trip for a batch of misses. */
static void redis_claim_many(struct wn_linkcache *base, const char *const *keys, size_t n,
                             long ttl_ms, int *mine)
{
    struct redis_cache *c = (struct redis_cache *)base;
    if (!c->rc) return;
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    size_t sent = 0;
    for (; sent < n; sent++) {
        char *claim = prefixed(c, keys[sent], CLAIM_SUFFIX);
        if (!claim) break;
        redisAppendCommand(c->rc, "SET %s %s NX PX %ld", claim, pid, ttl_ms > 0 ? ttl_ms : 1);
        free(claim);
    }
    for (size_t i = 0; i < sent && c->rc; i++) {
        redisReply *got = next_reply(c);
        if (!got) return; /* the cache is off: this process resolves them all */
        mine[i] = got->type == REDIS_REPLY_STATUS;
        freeReplyObject(got);
    }
}

static void redis_commit(struct wn_linkcache *base)
{
    (void)base; /* every put is visible at once */
}

static void redis_close(struct wn_linkcache *base)
{
    struct redis_cache *c = (struct redis_cache *)base;
    if (c->rc) redisFree(c->rc);
    free(c->prefix);
    free(c);
}

static const struct wn_cache_ops redis_ops = {redis_get_many, redis_put,   redis_claim_many,
                                              redis_commit,   redis_close, 1};

/* ---- the URL ------------------------------------------------------------------------------ */

struct redis_where {
    char host[256], path[1024], user[256], password[256];
    int port, db;
};

static void range(char *out, size_t cap, const UriTextRangeA *r)
{
    size_t n = r->first && r->afterLast ? (size_t)(r->afterLast - r->first) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, n ? r->first : "", n);
    out[n] = 0;
    uriUnescapeInPlaceA(out);
}

/* redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N], by uriparser; what is
 * wrong with it in `err`. */
static int parse_where(const char *url, struct redis_where *w, char *err, size_t errlen)
{
    UriUriA uri;
    const char *end = NULL;
    memset(w, 0, sizeof *w);
    w->port = 6379;
    if (uriParseSingleUriA(&uri, url, &end) != URI_SUCCESS) {
        snprintf(err, errlen, "not a URL");
        return -1;
    }
    char scheme[16], text[1024];
    range(scheme, sizeof scheme, &uri.scheme);
    int unix_socket = strcmp(scheme, "unix") == 0;
    if (uri.userInfo.first) {
        range(text, sizeof text, &uri.userInfo);
        char *colon = strchr(text, ':');
        if (colon) {
            *colon = 0;
            snprintf(w->password, sizeof w->password, "%.255s", colon + 1);
        }
        snprintf(w->user, sizeof w->user, "%.255s", text);
    }
    if (unix_socket) {
        size_t n = 0;
        for (UriPathSegmentA *s = uri.pathHead; s; s = s->next) {
            range(text, sizeof text, &s->text);
            n += (size_t)snprintf(w->path + n, sizeof w->path - n, "/%s", text);
            if (n >= sizeof w->path) break;
        }
        if (uri.query.first) {
            range(text, sizeof text, &uri.query);
            if (strncmp(text, "db=", 3) == 0) w->db = atoi(text + 3);
        }
    } else {
        range(w->host, sizeof w->host, &uri.hostText);
        if (uri.portText.first) {
            range(text, sizeof text, &uri.portText);
            w->port = atoi(text);
        }
        if (uri.pathHead) {
            range(text, sizeof text, &uri.pathHead->text);
            if (*text) w->db = atoi(text);
        }
    }
    uriFreeUriMembersA(&uri);
    if (unix_socket ? !w->path[0] : !w->host[0] || w->port <= 0 || w->port > 65535) {
        snprintf(err, errlen, unix_socket ? "no socket path" : "no host or a bad port");
        return -1;
    }
    return 0;
}

/* The URL for warnings: a password in it as "***". */
static void shown_url(const char *url, char *out, size_t cap)
{
    const char *scheme_end = strstr(url, "://"), *at = scheme_end ? strchr(scheme_end, '@') : NULL;
    const char *colon = scheme_end ? strchr(scheme_end + 3, ':') : NULL;
    if (at && colon && colon < at)
        snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, cap, "%s", url);
}

struct wn_linkcache *wn_linkcache_redis_open(const char *url, const char *prefix, long timeout_ms)
{
    struct redis_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    shown_url(url, c->shown, sizeof c->shown);
    c->prefix = strdup(prefix && *prefix ? prefix : WN_CACHE_REDIS_PREFIX);
    struct redis_where w;
    char err[128];
    if (!c->prefix || parse_where(url, &w, err, sizeof err) != 0) {
        wn_linkcache_warn(c->shown, c->prefix ? err : "out of memory");
        redis_close(&c->base);
        return NULL;
    }
    const char *env = getenv("REDIS_PASSWORD");
    if (!w.password[0] && env) snprintf(w.password, sizeof w.password, "%s", env);
    /* never past the link timeout, and a second at most to connect: a fleet's cache that is
     * down must cost each process little */
    long ms = timeout_ms > 0 ? timeout_ms : 5000;
    struct timeval connect = {ms > 1000 ? 1 : 0, ms > 1000 ? 0 : ms * 1000};
    struct timeval each = {ms / 1000, (ms % 1000) * 1000};
    c->rc = w.path[0] ? redisConnectUnixWithTimeout(w.path, connect)
                      : redisConnectWithTimeout(w.host, w.port, connect);
    if (!c->rc || c->rc->err) {
        wn_linkcache_warn(c->shown, c->rc ? c->rc->errstr : "out of memory");
        redis_close(&c->base);
        return NULL;
    }
    c->base.ops = &redis_ops;
    redisSetTimeout(c->rc, each);
    redisReply *r = NULL;
    if (w.password[0])
        r = checked(c, w.user[0] ? redisCommand(c->rc, "AUTH %s %s", w.user, w.password)
                                 : redisCommand(c->rc, "AUTH %s", w.password));
    if (r) freeReplyObject(r);
    if (c->rc && w.db && (r = checked(c, redisCommand(c->rc, "SELECT %d", w.db))))
        freeReplyObject(r);
    /* a server that answers nothing (or refuses us) is found out now, not at the first link */
    if (c->rc && (r = checked(c, redisCommand(c->rc, "PING")))) freeReplyObject(r);
    if (!c->rc) {
        redis_close(&c->base);
        return NULL;
    }
    return &c->base;
}
