/* test_resolve.c: --resolve end to end against tests/mock_shortener.py, which this test starts
 * on 127.0.0.1 (plain and TLS, with a CA made here) and stops; nothing else is contacted. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "links.h"
#include "links_feed.h"
#include "resolve.h"
#include "testlib.h"

#define MOCK "tests/mock_shortener.py"

static pid_t mock_pid = -1;
static int mock_stdin = -1;
static int port, tls_port, canary_port;
static char dir[64] = "/tmp/winnow-resolve-XXXXXX";
static char cacert[128], maps[4][96];
static const char *connect_to[5];
static int ready;

/* What one run() wrote (text) and reported. */
struct sink {
    struct tl_sink text;
    char reports[16384];
};

static void sink_report(void *ctx, const struct winnow_removal *r)
{
    struct sink *s = ctx;
    size_t l = strlen(s->reports);
    snprintf(s->reports + l, sizeof s->reports - l, "%llu %s %.*s\n", r->line, r->rule_id,
             (int)r->len, r->text);
}

static struct sink out;

/* Runs input (lines separated by \n) through a links stage; returns the output. */
static const char *run(const char *input, struct winnow_link_options *lo,
                       enum winnow_links_mode mode)
{
    free(out.text.buf);
    memset(&out, 0, sizeof out);
    tl_sink_write(&out.text, "", 0);
    struct winnow_options opt = {
        .size = sizeof(struct winnow_options), .links = mode, .link_options = lo};
    opt.report = sink_report;
    opt.report_ctx = &out;
    if (tl_links_feed(&opt, tl_sink_write, &out.text, input) != 0) return "(failed)";
    return out.text.buf;
}

static struct winnow_link_options base(void)
{
    struct winnow_link_options lo = {.size = sizeof(struct winnow_link_options),
                                     .resolve = 1,
                                     .no_cache = 1,
                                     .timeout_ms = 2000};
    lo.cacert = cacert;
    lo.connect_to = connect_to;
    return lo;
}

/* Asks the mock how many GETs, HEADs and canary connections it has seen. */
static void mock_stats(int *get, int *canary)
{
    char cmd[512];
    /* No proxy, even if the environment names one: only the mock is asked. */
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import urllib.request as u;"
             "o=u.build_opener(u.ProxyHandler({}));"
             "print(o.open('http://127.0.0.1:%d/_stats').read().decode())\"",
             port);
    FILE *f = popen(cmd, "r");
    int head = 0;
    *get = *canary = -1;
    if (f) {
        if (fscanf(f, "%d %d %d", get, &head, canary) != 3) *get = *canary = -1;
        pclose(f);
    }
}

static int sh(const char *fmt, const char *a)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, a, a, a, a, a, a, a, a);
    return system(cmd);
}

/* Starts the mock with up to two more options (NULL: none); sets the ports. */
static int start_mock(const char *opt1, const char *opt2)
{
    int in[2], outp[2];
    if (pipe(in) || pipe(outp)) return -1;
    char cert[128], key[128];
    snprintf(cert, sizeof cert, "%s/srv.pem", dir);
    snprintf(key, sizeof key, "%s/srv.key", dir);
    if ((mock_pid = fork()) == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        close(in[1]);
        close(outp[0]);
        execlp("python3", "python3", MOCK, "--cert", cert, "--key", key, opt1, opt2, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    mock_stdin = in[1];
    FILE *f = fdopen(outp[0], "r");
    int n = f ? fscanf(f, "%d %d %d", &port, &tls_port, &canary_port) : 0;
    if (f) fclose(f);
    return n == 3 ? 0 : -1;
}

static void stop_mock(void)
{
    if (mock_pid <= 0) return;
    close(mock_stdin);
    kill(mock_pid, SIGTERM);
    waitpid(mock_pid, NULL, 0);
    mock_pid = -1;
}

static void setup(void)
{
    struct stat st;
    if (stat(MOCK, &st) != 0 || system("command -v python3 >/dev/null && command -v openssl "
                                       ">/dev/null") != 0) {
        printf("skip: resolve tests need python3, openssl and %s (run from the repo root)\n", MOCK);
        return;
    }
    if (!mkdtemp(dir)) return;
    /* A CA of our own and a certificate for the shortener names the tests use. */
    if (sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
           "-keyout ca.key -out ca.pem -days 2 -subj /CN=winnow-test-ca 2>/dev/null && "
           "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key "
           "-out srv.csr -subj /CN=t.co 2>/dev/null && "
           "printf 'subjectAltName=DNS:t.co,DNS:bit.ly,DNS:ow.ly\\n' > ext.cnf && "
           "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem "
           "-days 2 -extfile ext.cnf 2>/dev/null",
           dir) != 0) {
        printf("skip: openssl could not make a test CA\n");
        return;
    }
    snprintf(cacert, sizeof cacert, "%s/ca.pem", dir);
    if (start_mock(NULL, NULL) != 0) {
        printf("skip: the mock shortener did not start\n");
        stop_mock();
        return;
    }
    /* Every host a test link names is mapped onto the mock: no name is ever looked up. */
    snprintf(maps[0], sizeof maps[0], "bit.ly:80:127.0.0.1:%d", port);
    snprintf(maps[1], sizeof maps[1], "ow.ly:80:127.0.0.1:%d", port);
    snprintf(maps[2], sizeof maps[2], "t.co:443:127.0.0.1:%d", tls_port);
    snprintf(maps[3], sizeof maps[3], "t.co:80:127.0.0.1:%d", port);
    for (int i = 0; i < 4; i++)
        connect_to[i] = maps[i];
    ready = 1;
}

#define HAS(needle) CHECK(strstr(out.reports, needle) != NULL)

static void test_chains(void)
{
    if (!ready) return;
    struct winnow_link_options lo = base();
    /* 301, 302 with a relative Location, 303 with ../, 307 to https (TLS with the test CA),
     * 308 to the destination, whose tracking keys go. */
    CHECK_STR(run("Read http://bit.ly/a now.\n", &lo, WINNOW_LINKS_DEFAULT),
              "Read https://www.example.com/story?id=7 now.\n");
    HAS("1 link-resolved http://bit.ly/a -> https://www.example.com/story?id=7");
    CHECK_STR(run("(t.co/js).\n", &lo, 0), "(https://www.example.com/js-dest).\n");
    CHECK_STR(run("pic.twitter.com/js\n", &lo, 0), "https://www.example.com/js-dest\n");
    CHECK_STR(run("m http://bit.ly/meta\n", &lo, 0), "m https://www.example.com/meta?a=1\n");
    CHECK_STR(run("l http://bit.ly/lower\n", &lo, 0), "l https://www.example.com/lower\n");
    CHECK_STR(run("h http://bit.ly/head405\n", &lo, 0), "h https://www.example.com/head-ok\n");
    /* Not a shortener host: never requested. */
    CHECK_STR(run("x http://www.example.com/a?utm_source=x\n", &lo, 0),
              "x http://www.example.com/a\n");
}

static void test_failures(void)
{
    if (!ready) return;
    struct winnow_link_options lo = base();
    const char *in = "1 http://bit.ly/loop1\n2 http://bit.ly/hop/1\n3 http://bit.ly/malformed\n"
                     "4 http://bit.ly/e500\n5 http://bit.ly/reset\n6 http://bit.ly/plain\n"
                     "7 http://bit.ly/nolocation\n8 http://bit.ly/bigheaders\n";
    CHECK_STR(run(in, &lo, WINNOW_LINKS_DEFAULT), in);
    HAS("1 link-unresolved http://bit.ly/loop1 (kept: redirect loop)");
    HAS("2 link-unresolved http://bit.ly/hop/1 (kept: more than 5 hops)");
    HAS("3 link-unresolved http://bit.ly/malformed (kept: bad Location");
    HAS("4 link-unresolved http://bit.ly/e500 (kept: HTTP 500)");
    HAS("5 link-unresolved http://bit.ly/reset (kept: ");
    HAS("6 link-unresolved http://bit.ly/plain (kept: no redirect (HTTP 200))");
    HAS("7 link-unresolved http://bit.ly/nolocation (kept: redirect without a Location)");
    HAS("8 link-unresolved http://bit.ly/bigheaders (kept: response headers too large)");
    CHECK_STR(run("a http://bit.ly/e500 b\nhttp://bit.ly/e500\n", &lo, WINNOW_LINKS_STRIP),
              "a b\n");
    lo.max_hops = 10;
    CHECK_STR(run("http://bit.ly/hop/1\n", &lo, 0), "https://www.example.com/ten\n");
    lo.timeout_ms = 700;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_STR(run("s http://bit.ly/slow\n", &lo, 0), "s http://bit.ly/slow\n");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    HAS("link-unresolved http://bit.ly/slow (kept: timeout)");
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(secs < 1.5);
}

static void test_guard(void)
{
    if (!ready) return;
    int get0, canary0, get1, canary1;
    mock_stats(&get0, &canary0);
    CHECK(canary0 == 0);
    struct winnow_link_options lo = base();
    /* Without --follow-all a non-shortener Location is the answer and is not requested. */
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.2:%d/x\n", canary_port);
    CHECK_STR(run("http://bit.ly/canary\n", &lo, 0), want);
    lo.follow_all = 1;
    CHECK_STR(run("http://bit.ly/canary\nhttp://bit.ly/canary-num\n", &lo, 0),
              "http://bit.ly/canary\nhttp://bit.ly/canary-num\n");
    HAS("refused address 127.0.0.2 (loopback)");
    /* A loopback URL written directly is not a short link either; a mapping covers only the
     * host and port it names. */
    mock_stats(&get1, &canary1);
    CHECK(canary1 == 0);
    lo.allow_private = 1;
    run("http://bit.ly/canary\n", &lo, 0);
    mock_stats(&get1, &canary1);
    CHECK(canary1 >= 1); /* the canary is reachable: the guard is what kept it quiet */
}

static void test_jobs_and_cache(void)
{
    if (!ready) return;
    /* Many links with repeats and failures, on many lines: same output with 1 and 64 jobs. */
    static const char *kinds[] = {"a", "js", "meta", "e500", "loop1", "lower", "hop/3"};
    char *in = malloc(200 * 80), *p = in;
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "line %d http://bit.ly/%s and http://bit.ly/bench/%d.\n", i, kinds[i % 7],
                     i % 150);
    struct winnow_link_options lo = base();
    lo.jobs = 1;
    char *one = strdup(run(in, &lo, 0));
    lo.jobs = 64;
    CHECK_STR(run(in, &lo, 0), one);
    CHECK(
        strstr(one, "line 5 https://www.example.com/lower and https://www.example.com/b/5?n=1.\n"));

    /* Cache: fill it, stop the mock, and get the same answer from the cache alone. */
    char cache[128];
    snprintf(cache, sizeof cache, "%s/cache/links.sqlite", dir);
    lo.no_cache = 0;
    lo.cache_path = cache;
    CHECK_STR(run(in, &lo, 0), one);
    stop_mock();
    CHECK_STR(run(in, &lo, 0), one);
    lo.offline = 1;
    CHECK_STR(run(in, &lo, 0), one);
    free(one);
    free(in);
}

/* What the links of one resolver run came to. */
struct tally {
    int ok, failed, extra_hops, retries, most_retries;
    char reason[160];
};

static void tally_done(void *ctx, const char *url, const struct wn_resolution *res)
{
    struct tally *t = ctx;
    (void)url;
    if (res->ok) {
        t->ok++;
    } else {
        t->failed++;
        snprintf(t->reason, sizeof t->reason, "%s", res->reason ? res->reason : "?");
    }
    t->extra_hops += res->hops != 1;
    t->retries += res->retries;
    if (res->retries > t->most_retries) t->most_retries = res->retries;
}

/* A server that closes each kept-alive connection after one response, unannounced (and up to
 * 1 ms late, at random): a reused connection is often dead when the next request goes out.
 * Each such hop goes once more on a fresh connection, is not counted as a hop, and every link
 * resolves. Runs after test_jobs_and_cache, which stops the first mock. */
static void test_dead_connections(void)
{
    if (!ready) return;
    stop_mock();
    if (start_mock("--close-after=1", "--close-jitter-ms=1") != 0) {
        CHECK(!"the keep-alive-closing mock did not start");
        stop_mock();
        return;
    }
    snprintf(maps[0], sizeof maps[0], "bit.ly:80:127.0.0.1:%d", port);
    snprintf(maps[2], sizeof maps[2], "t.co:443:127.0.0.1:%d", tls_port);
    struct winnow_link_options lo = base();
    lo.jobs = lo.per_host = 4;
    lo.max_hops = 5;
    struct tally t = {0};
    char err[256] = "", url[64];
    struct wn_resolver *r =
        wn_resolver_new(tl_shared_rules(), &lo, tally_done, &t, err, sizeof err);
    CHECK(r != NULL);
    if (!r) return;
    enum { LINKS = 400 };
    for (int i = 0; i < LINKS; i++) {
        snprintf(url, sizeof url, "%s/ka/%d", i % 2 ? "https://t.co" : "http://bit.ly", i);
        CHECK(wn_resolver_submit(r, url) == 0);
    }
    for (int spins = 0; wn_resolver_pending(r) && spins < 100000; spins++)
        wn_resolver_run(r, 50);
    CHECK(wn_resolver_pending(r) == 0);
    wn_resolver_free(r);
    CHECK(t.ok == LINKS);
    if (t.failed) printf("  %d failed, the last: %s\n", t.failed, t.reason);
    CHECK(t.extra_hops == 0);
    CHECK(t.most_retries <= 1);
    /* Before the retry about one link in eight failed here: the race is not rare. With a fresh
     * handle for each request (resolve.c, new_easy) libcurl's own retry of a dead reused
     * connection, five to a handle (its retry count is the handle's, not the request's), now
     * covers it, and t.retries is 0 with libcurl 7.88: the retry stays for what it does not. */
    stop_mock();
}

static void no_done(void *ctx, const char *url, const struct wn_resolution *res)
{
    (void)ctx;
    (void)url;
    (void)res;
}

/* The check run before each connection and again before each request (reused connections
 * included, CURLOPT_PREREQFUNCTION): the classifier plus the --connect-to trust, no packets. */
static void test_check_peer(void)
{
    static const char *const m[] = {"t.co:443:127.0.0.1:8443", "bit.ly:80:[::1]:8080", NULL};
    struct winnow_link_options lo = {.size = sizeof(struct winnow_link_options),
                                     .resolve = 1,
                                     .jobs = 4,
                                     .per_host = 4,
                                     .max_hops = 5};
    lo.connect_to = m;
    char err[256] = "";
    struct wn_resolver *r = wn_resolver_new(tl_shared_rules(), &lo, no_done, NULL, err, sizeof err);
    CHECK(r != NULL);
    if (!r) return;
    CHECK(wn_resolver_check_peer(r, "t.co", 443, "93.184.216.34", 443) == NULL);
    CHECK(wn_resolver_check_peer(r, "t.co", 443, "2606:2800:220:1::1", 443) == NULL);
    /* The mapping, exactly: host, port, address and address port. */
    CHECK(wn_resolver_check_peer(r, "t.co", 443, "127.0.0.1", 8443) == NULL);
    CHECK(wn_resolver_check_peer(r, "bit.ly", 80, "::1", 8080) == NULL);
    CHECK_STR(wn_resolver_check_peer(r, "t.co", 443, "127.0.0.1", 443), "loopback");
    CHECK_STR(wn_resolver_check_peer(r, "t.co", 80, "127.0.0.1", 8443), "loopback");
    CHECK_STR(wn_resolver_check_peer(r, "bit.ly", 443, "127.0.0.1", 8443), "loopback");
    CHECK_STR(wn_resolver_check_peer(r, "t.co", 443, "127.0.0.2", 8443), "loopback");
    CHECK_STR(wn_resolver_check_peer(r, "bit.ly", 80, "127.0.0.1", 8080), "loopback");
    CHECK(wn_resolver_check_peer(r, "t.co", 443, "::ffff:127.0.0.1", 8443) != NULL);
    /* Every range the classifier refuses is refused here too. */
    static const char *const bad[] = {
        "10.1.2.3", "172.16.0.1",  "192.168.1.1", "169.254.169.254", "100.64.0.1",     "224.0.0.1",
        "0.0.0.0",  "fd00::1",     "fe80::1",     "::ffff:10.0.0.1", "64:ff9b::a00:1", "::",
        "",         "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = wn_resolver_check_peer(r, "t.co", 443, bad[i], 443);
        CHECK(why != NULL);
        if (!why) printf("  not refused: %s\n", bad[i]);
    }
    wn_resolver_free(r);
    lo.allow_private = 1;
    r = wn_resolver_new(tl_shared_rules(), &lo, no_done, NULL, err, sizeof err);
    CHECK(r && wn_resolver_check_peer(r, "t.co", 443, "127.0.0.2", 443) == NULL);
    CHECK(r && wn_resolver_check_peer(r, "t.co", 443, "10.1.2.3", 80) == NULL);
    wn_resolver_free(r);
}

/* Once a write fails (EPIPE), the stage reports it and does not wait for links in flight. */
static void test_write_error(void)
{
    if (!ready) return;
    struct winnow_link_options lo = base();
    char err[256] = "";
    struct winnow_options opt = {.size = sizeof(struct winnow_options), .link_options = &lo};
    struct wn_links *l =
        wn_links_new(tl_shared_rules(), &opt, tl_refuse_write, NULL, err, sizeof err);
    CHECK(l != NULL);
    if (!l) return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *a = "fast http://bit.ly/lower", *b = "slow http://bit.ly/slow";
    int rc = wn_links_line(l, 1, 0, a, strlen(a), "\n", 1);
    rc |= wn_links_line(l, 2, 0, b, strlen(b), "\n", 1);
    CHECK(wn_links_flush(l) == WINNOW_ERR_WRITE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(secs < 1.5); /* the slow link takes 3 s */
    CHECK(wn_links_line(l, 3, 0, a, strlen(a), "\n", 1) == WINNOW_ERR_WRITE);
    (void)rc;
    wn_links_free(l);
}

static void teardown(void)
{
    stop_mock();
    if (ready) sh("rm -rf '%s'", dir);
}

/* A page's redirect, its body not terminated: one that ends in "&amp" at the buffer's end was
 * read past it (heap-buffer-overflow under ASan, as the sanitizer build runs this). */
static void test_page_redirect(void)
{
    static const struct {
        const char *body, *want;
    } rows[] = {
        {"<meta http-equiv=\"refresh\" content=\"0; url=https://a.example/x?a=1&amp;b=2\">",
         "https://a.example/x?a=1&b=2"},
        {"<script>location.replace(\"https:\\/\\/b.example\\/y\")</script>", "https://b.example/y"},
        {"<meta http-equiv=\"refresh\" content=\"0; url=https://c.example/z&amp",
         "https://c.example/z&amp"},
        {"<p>no redirect</p>", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].body);
        char *body = malloc(n); /* exactly the bytes, no terminator */
        memcpy(body, rows[i].body, n);
        char *got = wn_page_redirect(body, n);
        if (rows[i].want)
            CHECK_STR(got, rows[i].want);
        else
            CHECK(got == NULL);
        free(got);
        free(body);
    }
}

TEST_MAIN(setup, test_page_redirect, test_check_peer, test_chains, test_failures, test_guard,
          test_write_error, test_jobs_and_cache, test_dead_connections, teardown)
