/* test_url.c: URL finding in running text, parsing, and byte-exact removal of query keys;
 * these decide what the links stage touches, so every other byte must come out unchanged. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testlib.h"
#include "url.h"

/* Returns the n-th URL found in text, in a static buffer ("" when there is none). */
static const char *nth_url(const char *text, int n)
{
    static char buf[1024];
    struct wn_url_span s = {0};
    size_t from = 0, len = strlen(text);
    buf[0] = 0;
    for (int i = 0; i <= n; i++) {
        if (!wn_url_find(text, len, from, &s)) return "";
        from = s.end;
    }
    memcpy(buf, text + s.start, s.end - s.start);
    buf[s.end - s.start] = 0;
    return buf;
}

static void test_find(void)
{
    CHECK_STR(nth_url("(see https://x.co/a).", 0), "https://x.co/a");
    CHECK_STR(nth_url("read t.co/abc now", 0), "t.co/abc");
    CHECK_STR(nth_url("at bit.ly/x, then", 0), "bit.ly/x");
    CHECK_STR(nth_url("go to www.example.com/a?b!", 0), "www.example.com/a?b");
    CHECK_STR(nth_url("visit www.example.com.", 0), "www.example.com");
    CHECK_STR(nth_url("https://en.wikipedia.org/wiki/Foo_(bar)", 0),
              "https://en.wikipedia.org/wiki/Foo_(bar)");
    CHECK_STR(nth_url("(https://en.wikipedia.org/wiki/Foo_(bar))", 0),
              "https://en.wikipedia.org/wiki/Foo_(bar)");
    CHECK_STR(nth_url("[link](https://a.com/x)", 0), "https://a.com/x");
    CHECK_STR(nth_url("\xe2\x80\x9chttps://a.com/x\xe2\x80\x9d said", 0), "https://a.com/x");
    CHECK_STR(nth_url("see https://a.com/x\xe2\x80\xa6", 0), "https://a.com/x");
    CHECK_STR(nth_url("one https://a.com/1 two pic.twitter.com/AbC", 1), "pic.twitter.com/AbC");
    CHECK_STR(nth_url("HTTPS://A.COM/X?'", 0), "HTTPS://A.COM/X");
    CHECK_STR(nth_url("'https://a.com/q'", 0), "https://a.com/q");
    /* Not links: prose, e-mail, decimals, abbreviations, a scheme with nothing after. */
    CHECK_STR(nth_url("e.g. this and 3.5/10 and U.S./Mexico", 0), "");
    CHECK_STR(nth_url("Node.js is fine", 0), "");
    CHECK_STR(nth_url("mail bob@bit.ly/x", 0), "");
    CHECK_STR(nth_url("http:// nothing", 0), "");
    CHECK_STR(nth_url("xhttps://a.com/x", 0), "");
}

static void test_parse(void)
{
    struct wn_url_parts p;
    const char *u = "https://WWW.Example.COM:8443/a/b?x=1&y=2#frag";
    CHECK(wn_url_parse(u, strlen(u), &p) == 0);
    CHECK_STR(p.host, "www.example.com");
    CHECK(p.port == 8443 && p.https == 1);
    CHECK(p.query_start == (long)(strchr(u, '?') - u) + 1);
    CHECK(p.frag_start == (long)(strchr(u, '#') - u) + 1);
    CHECK(p.path_start == (size_t)(strstr(u, "/a") - u));
    const char *bare = "t.co/abc";
    CHECK(wn_url_parse(bare, strlen(bare), &p) == 0);
    CHECK_STR(p.host, "t.co");
    CHECK(p.https == 0 && p.query_start == -1 && p.path_start == 4);
    CHECK(wn_url_parse("ftp://a.com/x", 13, &p) == -1);
    CHECK(wn_url_parse("https://a.com/%zz", 17, &p) == -1);
    char *huge = malloc(WN_URL_MAX + 100);
    memcpy(huge, "https://a.com/", 14);
    memset(huge + 14, 'a', WN_URL_MAX);
    CHECK(wn_url_parse(huge, WN_URL_MAX + 14, &p) == -1);
    free(huge);
}

static int drop_utm(void *ctx, const char *key, size_t n)
{
    (void)ctx;
    return (n >= 4 && strncasecmp(key, "utm_", 4) == 0) || (n == 6 && !memcmp(key, "fbclid", 6));
}

static const char *strip(const char *u)
{
    static char out[2048], removed[256];
    struct wn_url_parts p;
    size_t n;
    if (wn_url_parse(u, strlen(u), &p)) return "(parse error)";
    wn_url_strip_keys(u, strlen(u), &p, drop_utm, NULL, out, &n, removed, sizeof removed);
    return out;
}

static void test_strip(void)
{
    CHECK_STR(strip("https://a.com/x?utm_source=tw"), "https://a.com/x");
    CHECK_STR(strip("https://a.com/x?utm_source=tw&id=7"), "https://a.com/x?id=7");
    CHECK_STR(strip("https://a.com/x?id=7&utm_source=tw"), "https://a.com/x?id=7");
    CHECK_STR(strip("https://a.com/x?a=1&utm_medium=s&b=2&fbclid=Z#top"),
              "https://a.com/x?a=1&b=2#top");
    /* Everything but the removed pairs stays byte for byte: encoding, order, odd pieces. */
    CHECK_STR(strip("https://a.com/x?q=a%20b+c&utm_x=1&Q=%2F&&k"),
              "https://a.com/x?q=a%20b+c&Q=%2F&&k");
    CHECK_STR(strip("https://a.com/x?q=a%20b+c;d"), "https://a.com/x?q=a%20b+c;d");
    CHECK_STR(strip("https://a.com/x?"), "https://a.com/x?");
    CHECK_STR(strip("https://a.com/x#utm_source=a&keep=1"), "https://a.com/x#keep=1");
    CHECK_STR(strip("https://a.com/x?utm_a=1#utm_b=2"), "https://a.com/x");
    CHECK_STR(strip("https://a.com/x#section-2"), "https://a.com/x#section-2");
    CHECK_STR(strip("www.a.com/x?utm_source=a&b"), "www.a.com/x?b");
    CHECK_STR(strip("https://a.com/utm_source=x?keep=utm_source"),
              "https://a.com/utm_source=x?keep=utm_source");
    CHECK_STR(strip("https://a.com/x?UTM_Source=a"), "https://a.com/x");
    char removed[64], out[128];
    size_t n;
    struct wn_url_parts p;
    const char *u = "https://a.com/?utm_a=1&k=2&utm_b=3";
    wn_url_parse(u, strlen(u), &p);
    CHECK(wn_url_strip_keys(u, strlen(u), &p, drop_utm, NULL, out, &n, removed, sizeof removed) ==
          2);
    CHECK_STR(removed, "utm_a=1&utm_b=3");
    CHECK(n == strlen("https://a.com/?k=2"));
}

static void test_resolve(void)
{
    char *r = wn_url_resolve("https://bit.ly/a/b?x=1", "/c?d=2");
    CHECK_STR(r, "https://bit.ly/c?d=2");
    free(r);
    r = wn_url_resolve("https://bit.ly/a/b", "../z");
    CHECK_STR(r, "https://bit.ly/z");
    free(r);
    r = wn_url_resolve("https://bit.ly/a/b", "//ow.ly/q");
    CHECK_STR(r, "https://ow.ly/q");
    free(r);
    r = wn_url_resolve("http://bit.ly/a", "https://example.com/s?utm_source=x");
    CHECK_STR(r, "https://example.com/s?utm_source=x");
    free(r);
    CHECK(wn_url_resolve("https://bit.ly/a", "ht tp://bad url") == NULL);
    CHECK(wn_url_resolve("https://bit.ly/a", "javascript:alert(1)") == NULL);
    CHECK(wn_url_resolve("https://bit.ly/a", "file:///etc/passwd") == NULL);
    CHECK(wn_url_resolve("https://bit.ly/a", "http.evil:1") == NULL);
    CHECK(wn_url_resolve("https://bit.ly/a", "http:/?q=1/x") == NULL);
    CHECK(wn_url_resolve("https://bit.ly/a", "http:80") == NULL);
}

TEST_MAIN(test_find, test_parse, test_strip, test_resolve)
