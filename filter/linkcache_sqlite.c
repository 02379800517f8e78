/* linkcache_sqlite.c: the link cache in an SQLite file. WAL and a busy timeout let several
 * winnow processes share one file; writes are batched in transactions because one commit per
 * link is slow. Claims are not kept: two processes may resolve one link at once. */
#include "linkcache.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Puts per transaction: bounds how long other processes wait on the write lock. */
#define BATCH 256
/* How often rows past their time are deleted from the file (see purge). */
#define WN_CACHE_PURGE_SECONDS (24 * 3600)

struct sqlite_cache {
    struct wn_linkcache base;
    sqlite3 *db;
    sqlite3_stmt *get, *put;
    int in_tx, batched; /* in_tx: 0 none, 1 writing, 2 reading */
    int reads;
    char *path;
};

static void warn(struct sqlite_cache *c, const char *what)
{
    wn_linkcache_warn(c ? c->path : NULL, what);
}

/* Creates every missing directory above `path`. */
static void make_parents(const char *path)
{
    char *dir = strdup(path);
    if (!dir) return;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) break;
        *p = '/';
    }
    free(dir);
}

static char *default_path(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[4096];
    if (xdg && *xdg == '/')
        snprintf(buf, sizeof buf, "%s/winnow/links.sqlite", xdg);
    else if (home && *home)
        snprintf(buf, sizeof buf, "%s/.cache/winnow/links.sqlite", home);
    else
        return NULL;
    return strdup(buf);
}

/* Turns the cache off for the rest of the run after a failure. */
static void disable(struct sqlite_cache *c, const char *what)
{
    warn(c, what);
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->put);
    sqlite3_close(c->db);
    c->db = NULL;
    c->get = c->put = NULL;
}

/* Rows past their time are never read, but they stayed in the file for good: once a day (the
 * time of the last purge kept in a table of its own), they go. A busy file just skips it. */
static void purge(struct sqlite_cache *c)
{
    sqlite3_stmt *st = NULL;
    sqlite3_int64 now = (sqlite3_int64)time(NULL), last = 0;
    if (sqlite3_exec(c->db, "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER)", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db, "SELECT v FROM meta WHERE k = 'purged'", -1, &st, NULL) !=
            SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) last = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (now - last < WN_CACHE_PURGE_SECONDS) return;
    char sql[200];
    snprintf(sql, sizeof sql,
             "BEGIN; DELETE FROM links WHERE expires <= %lld; "
             "INSERT OR REPLACE INTO meta (k, v) VALUES ('purged', %lld); COMMIT",
             (long long)now, (long long)now);
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static const struct wn_cache_ops sqlite_ops;

struct wn_linkcache *wn_linkcache_sqlite_open(const char *path)
{
    struct sqlite_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->path = path ? strdup(path) : default_path();
    if (!c->path) {
        warn(c, "no cache directory (set XDG_CACHE_HOME or HOME)");
        free(c);
        return NULL;
    }
    make_parents(c->path);
    if (sqlite3_open_v2(c->path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        warn(c, c->db ? sqlite3_errmsg(c->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(c->db, 5000);
    char *msg = NULL;
    /* The first statement reads the file: a corrupt or foreign file fails here. */
    if (sqlite3_exec(c->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS links (url TEXT PRIMARY KEY, ok INTEGER NOT "
                     "NULL, final TEXT, reason TEXT, expires INTEGER NOT NULL) WITHOUT ROWID",
                     NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db,
                           "SELECT ok, final, reason FROM links WHERE url = ?1 AND expires > ?2",
                           -1, &c->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db,
                           "INSERT OR REPLACE INTO links (url, ok, final, reason, expires) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &c->put, NULL) != SQLITE_OK) {
        warn(c, msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        goto fail;
    }
    purge(c);
    c->base.ops = &sqlite_ops;
    return &c->base;
fail:
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->put);
    sqlite3_close(c->db);
    free(c->path);
    free(c);
    return NULL;
}

static char *col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

static void sqlite_commit(struct wn_linkcache *base);

/* One read transaction over many look-ups: a warm run is mostly look-ups, and each one on its
 * own would take and drop the shared lock. Renewed now and then to see others' writes. */
static void sqlite_get_many(struct wn_linkcache *base, const char *const *keys, size_t n,
                            struct wn_cache_answer *answers)
{
    struct sqlite_cache *c = (struct sqlite_cache *)base;
    for (size_t i = 0; i < n && c->db; i++) {
        struct wn_cache_answer *a = &answers[i];
        if (c->in_tx == 2 && ++c->reads >= 1024) sqlite_commit(base);
        if (!c->in_tx && sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
            c->in_tx = 2;
            c->reads = 0;
        }
        sqlite3_bind_text(c->get, 1, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(c->get, 2, (sqlite3_int64)time(NULL));
        int rc = sqlite3_step(c->get);
        if (rc == SQLITE_ROW) {
            a->found = 1;
            a->ok = sqlite3_column_int(c->get, 0);
            a->final = col_text(c->get, 1);
            a->reason = col_text(c->get, 2);
        }
        sqlite3_reset(c->get);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != SQLITE_BUSY) disable(c, "read failed");
    }
}

static void sqlite_put(struct wn_linkcache *base, const char *key, int ok, const char *final,
                       const char *reason)
{
    struct sqlite_cache *c = (struct sqlite_cache *)base;
    if (!c->db) return;
    if (c->in_tx == 2) sqlite_commit(base);
    if (!c->in_tx) {
        if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            /* Another process held the lock past the busy timeout: skip, never stall. */
            return;
        }
        c->in_tx = 1;
    }
    sqlite3_bind_text(c->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int(c->put, 2, ok ? 1 : 0);
    sqlite3_bind_text(c->put, 3, final, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->put, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->put, 5,
                       (sqlite3_int64)time(NULL) + (ok ? WN_CACHE_TTL_OK : WN_CACHE_TTL_FAIL));
    int rc = sqlite3_step(c->put);
    sqlite3_reset(c->put);
    if (rc != SQLITE_DONE) {
        disable(c, sqlite3_errstr(rc));
        return;
    }
    if (++c->batched >= BATCH) sqlite_commit(base);
}

static void sqlite_commit(struct wn_linkcache *base)
{
    struct sqlite_cache *c = (struct sqlite_cache *)base;
    if (!c->db || !c->in_tx) return;
    int reading = c->in_tx == 2;
    int rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    c->in_tx = 0;
    if (reading) return;
    c->batched = 0;
    if (rc != SQLITE_OK) disable(c, sqlite3_errstr(rc));
}

static void sqlite_close(struct wn_linkcache *base)
{
    struct sqlite_cache *c = (struct sqlite_cache *)base;
    sqlite_commit(base);
    if (c->db) {
        sqlite3_finalize(c->get);
        sqlite3_finalize(c->put);
        sqlite3_close(c->db);
    }
    free(c->path);
    free(c);
}

/* No claims here: every process resolves what it misses (the file is shared, not a lock). */
static void sqlite_claim_many(struct wn_linkcache *base, const char *const *keys, size_t n,
                              long ttl_ms, int *mine)
{
    (void)base, (void)keys, (void)n, (void)ttl_ms, (void)mine;
}

static const struct wn_cache_ops sqlite_ops = {sqlite_get_many, sqlite_put,   sqlite_claim_many,
                                               sqlite_commit,   sqlite_close, 0};
