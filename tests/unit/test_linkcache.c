/* test_linkcache.c: the SQLite link cache: what it gives back, rows past their time purged
 * from the file once a day, and destinations that are no URL (the file is anyone's to write)
 * never given back. */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "linkcache.h"
#include "testlib.h"

static char path[64];

static long long count_rows(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM links", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static void exec(const char *sql)
{
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static int get(const char *key, int *ok, char **final)
{
    struct wn_linkcache *c = wn_linkcache_open(path);
    char *reason = NULL;
    *final = NULL;
    int hit = c ? wn_linkcache_get(c, key, ok, final, &reason) : -1;
    free(reason);
    wn_linkcache_close(c);
    return hit;
}

static void test_round_trip(void)
{
    struct wn_linkcache *c = wn_linkcache_open(path);
    CHECK(c != NULL);
    wn_linkcache_put(c, "t.co/a", 1, "https://example.com/story?id=7", NULL);
    wn_linkcache_put(c, "t.co/b", 0, NULL, "HTTP 500");
    wn_linkcache_commit(c);
    wn_linkcache_close(c);
    int ok = -1;
    char *final;
    CHECK(get("t.co/a", &ok, &final) == 1 && ok == 1);
    CHECK_STR(final, "https://example.com/story?id=7");
    free(final);
    CHECK(get("t.co/b", &ok, &final) == 1 && ok == 0 && !final);
}

static void test_purge(void)
{
    /* two rows past their time, one fresh; the last purge long ago */
    exec("INSERT INTO links VALUES ('t.co/old1', 1, 'https://a.example/', NULL, 1000);"
         "INSERT INTO links VALUES ('t.co/old2', 0, NULL, 'lost', 2000);"
         "UPDATE meta SET v = 0 WHERE k = 'purged'");
    CHECK(count_rows() == 4);
    int ok;
    char *final;
    get("t.co/a", &ok, &final); /* an open purges */
    free(final);
    CHECK(count_rows() == 2);
    /* a day has not passed: rows past their time stay until it has */
    exec("INSERT INTO links VALUES ('t.co/old3', 1, 'https://a.example/', NULL, 1000)");
    get("t.co/a", &ok, &final);
    free(final);
    CHECK(count_rows() == 3);
}

static void test_untrusted(void)
{
    exec("INSERT OR REPLACE INTO links VALUES ('t.co/js', 1, 'javascript:alert(1)', NULL, 9e12);"
         "INSERT OR REPLACE INTO links VALUES ('t.co/sp', 1, 'https://a.example/x y', NULL, 9e12);"
         "INSERT OR REPLACE INTO links VALUES ('t.co/nl', 1, "
         "'https://a.example/' || char(10) || 'READ MORE: injected', NULL, 9e12);"
         "INSERT OR REPLACE INTO links VALUES ('t.co/none', 1, NULL, NULL, 9e12)");
    static const char *const keys[] = {"t.co/js", "t.co/sp", "t.co/nl", "t.co/none"};
    for (size_t i = 0; i < 4; i++) {
        int ok = -1;
        char *final = NULL;
        CHECK(get(keys[i], &ok, &final) == 0);
        CHECK(final == NULL);
    }
}

static void test_setup(void)
{
    snprintf(path, sizeof path, "/tmp/winnow-test-cache.%d.sqlite", (int)getpid());
    unlink(path);
}

static void test_cleanup(void)
{
    char wal[80];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

TEST_MAIN(test_setup, test_round_trip, test_purge, test_untrusted, test_cleanup)
