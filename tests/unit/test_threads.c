/* test_threads.c: resolvers and filters with link resolution on, made and freed in 8 threads at
 * once over one shared rule set; no link is given, so nothing is contacted. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "resolve.h"
#include "rules.h"
#include "testlib.h"

#define THREADS 8
#define ROUNDS 25

static winnow_rules *shared;
static pthread_barrier_t start;

/* What one thread saw; CHECK is not thread-safe, so the main thread checks these. */
struct result {
    int resolvers_failed, filters_failed, wrong_output;
    char err[256];
};

static void no_done(void *ctx, const char *url, const struct wn_resolution *res)
{
    (void)ctx;
    (void)url;
    (void)res;
}

static void *worker(void *arg)
{
    struct result *res = arg;
    struct winnow_link_options lo = {.size = sizeof(struct winnow_link_options),
                                     .resolve = 1,
                                     .no_cache = 1,
                                     .jobs = 4,
                                     .per_host = 4,
                                     .max_hops = 5,
                                     .timeout_ms = 100};
    struct winnow_options opt = {.size = sizeof(struct winnow_options), .link_options = &lo};
    static const char in[] = "A story without links.\nFollow us on Twitter.\nThe end.\n";
    /* All threads leave the barrier together, so the first resolvers are made at once: that
     * is when libcurl's one-time initialisation raced. */
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        struct wn_resolver *r =
            wn_resolver_new(shared, &lo, no_done, NULL, res->err, sizeof res->err);
        if (!r) res->resolvers_failed++;
        wn_resolver_free(r);

        struct tl_sink out = {0};
        tl_sink_write(&out, "", 0);
        winnow_filter *f =
            winnow_filter_open(shared, &opt, tl_sink_write, &out, res->err, sizeof res->err);
        if (!f) {
            res->filters_failed++;
        } else {
            winnow_filter_push(f, in, strlen(in));
            winnow_filter_end_document(f);
            winnow_filter_free(f);
            if (!out.buf || strcmp(out.buf, "A story without links.\nThe end.\n") != 0)
                res->wrong_output++;
        }
        free(out.buf);
    }
    return NULL;
}

static void test_make_in_threads(void)
{
    char err[256] = "";
    shared = tl_default_rules();
    /* as include/winnow.h asks: compiled before the threads share it */
    CHECK(winnow_rules_compile(shared, err, sizeof err) == WINNOW_OK);
    pthread_t t[THREADS];
    struct result res[THREADS];
    memset(res, 0, sizeof res);
    CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
    int started = 0;
    for (int i = 0; i < THREADS; i++)
        started += pthread_create(&t[i], NULL, worker, &res[i]) == 0;
    CHECK(started == THREADS);
    if (started != THREADS) return; /* the others would wait at the barrier for ever */
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < THREADS; i++) {
        CHECK(res[i].resolvers_failed == 0);
        CHECK(res[i].filters_failed == 0);
        CHECK(res[i].wrong_output == 0);
        if (res[i].resolvers_failed || res[i].filters_failed)
            printf("  thread %d: %s\n", i, res[i].err);
    }
    /* the filters froze the set */
    CHECK(winnow_rules_tune_set(shared, "post.link-chars", 30) == WINNOW_ERR_USAGE);
    winnow_rules_free(shared);
}

TEST_MAIN(test_make_in_threads)
