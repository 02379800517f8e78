/* test_scan.c: the chunk scan (scan.c) on small chunks with the default rules: which lines it
 * finds touched, which settled; the writers' run against the same lines written one by one;
 * and winnow_filter_push_last against push and end_document, whole and in pieces. */
#include <stdint.h>

#include "label.h"
#include "rules.h"
#include "scan.h"
#include "testlib.h"
#include "writers.h"

static winnow_rules *rules;

/* A scan over the default rules, as the engine makes it (line rules, attributions, cuts). */
static struct wn_scan *make_scan(struct wn_labeler *lb, const struct wn_rule ***attrib, size_t *na,
                                 const struct wn_rule ***cut, size_t *nc)
{
    memset(lb, 0, sizeof *lb);
    *attrib = *cut = NULL;
    *na = *nc = 0;
    if (wn_labeler_init(lb, rules, 0)) return NULL;
    wn_rules_append_kind(rules, WN_KIND_EMBED_ATTRIBUTION, attrib, na);
    wn_rules_append_kind(rules, WN_KIND_CUT_SPAN, cut, nc);
    wn_rules_append_kind(rules, WN_KIND_SHORT_LINK, cut, nc);
    struct wn_scan_rules sr = {rules, lb->line_rules, *attrib, *cut, lb->n_line_rules, *na,
                               *nc,   4096,           300};
    return wn_scan_new(&sr);
}

/* The scan's flags of each line of text, as letters: t touched, a attribution, s settled,
 * . none, b a blank line (the engine takes those apart); one per line. */
static void flags_of(struct wn_scan *sc, const char *text, int final, char *out)
{
    size_t n = 0;
    if (wn_scan_chunk(sc, text, strlen(text), final) == 0) {
        for (size_t k = 0; k < wn_scan_lines(sc); k++) {
            size_t start, len;
            int f;
            wn_scan_line_at(sc, k, &start, &len, &f);
            out[n++] = strspn(text + start, " \t") >= len ? 'b'
                       : f & WN_SCAN_ATTRIBUTION          ? 'a'
                       : f & WN_SCAN_TOUCHED              ? 't'
                       : f & WN_SCAN_SETTLED              ? 's'
                                                          : '.';
        }
    }
    out[n] = 0;
    wn_scan_forget(sc);
}

static const char story[] =
    "The council met on Tuesday evening to discuss the plans for the new harbour wall, which "
    "residents have opposed for more than two years because of the noise of the works, the "
    "closure of the beach for a whole summer and the cost, which has doubled since the first "
    "estimate was published in the spring of last year by the town's engineers.\n";

static void test_flags(void)
{
    struct wn_labeler lb;
    const struct wn_rule **attrib, **cut;
    size_t na, nc;
    struct wn_scan *sc = make_scan(&lb, &attrib, &na, &cut, &nc);
    CHECK(sc != NULL);
    if (!sc) return;
    char text[8192], got[64];
    /* story only, the document ends here: all settled */
    snprintf(text, sizeof text, "%s\n%s", story, story);
    flags_of(sc, text, 1, got);
    CHECK_STR(got, "sbs");
    /* the chunk may go on: the last story line could still be taken back */
    flags_of(sc, text, 0, got);
    CHECK_STR(got, "sb.");
    /* an attribution: the line above it may be the post; the one above that is settled */
    snprintf(text, sizeof text, "%s%sShort post text here #tag\n— Jane Doe (@jane) May 1, 2019\n%s",
             story, story, story);
    flags_of(sc, text, 1, got);
    CHECK_STR(got, "s..as");
    /* rules anchored at the start (a read-more line) and at the end (a copyright line) */
    snprintf(text, sizeof text, "%sRead more: The harbour wall\n%sAll rights reserved.\n", story,
             story);
    flags_of(sc, text, 1, got);
    CHECK_STR(got, "stst");
    /* a short link anywhere touches the line */
    snprintf(text, sizeof text, "%sSee https://t.co/abc123 for more\n", story);
    flags_of(sc, text, 1, got);
    CHECK_STR(got, "st");
    /* a last line without its ending is framed only when the document ends with it */
    snprintf(text, sizeof text, "%s%.40s", story, story);
    flags_of(sc, text, 0, got);
    CHECK_STR(got, ".");
    flags_of(sc, text, 1, got);
    CHECK_STR(got, "ss");
    /* the rules a touched line may match: the read-more line's set holds a read-more rule */
    snprintf(text, sizeof text, "Read more: The harbour wall\n");
    CHECK(wn_scan_chunk(sc, text, strlen(text), 1) == 0);
    int f = wn_scan_line(sc, text);
    CHECK(f & WN_SCAN_TOUCHED);
    const uint64_t *set = wn_scan_rules_of_line(sc);
    int readmore = 0, tweet = 0;
    for (size_t i = 0; i < lb.n_line_rules; i++)
        if (wn_scan_has(set, i) && strstr(lb.line_rules[i]->id, "read-more")) readmore = 1;
    for (size_t i = 0; i < na; i++)
        if (wn_scan_has(set, lb.n_line_rules + i)) tweet = 1;
    CHECK(readmore);
    CHECK(!tweet);
    /* a line its cuts changed: the rules its new start and end allow, read-more and source
     * rules for the lines that now start so, none of them for story text */
    static const struct {
        const char *text, *id;
        int in;
    } texts[] = {
        {"Read more: The harbour wall", "read-more", 1},
        {"Source: Reuters", "source-footer", 1},
        {"The mayor said the works would start in May.", "read-more", 0},
        {"The mayor said the works would start in May.", "source-footer", 0},
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        const uint64_t *of = wn_scan_rules_of_text(sc, texts[t].text, strlen(texts[t].text));
        int found = 0;
        CHECK(of != NULL);
        for (size_t i = 0; of && i < lb.n_line_rules; i++)
            if (wn_scan_has(of, i) && strstr(lb.line_rules[i]->id, texts[t].id)) found = 1;
        if (found != texts[t].in) printf("  rules_of_text: %s / %s\n", texts[t].text, texts[t].id);
        CHECK(found == texts[t].in);
    }
    wn_scan_forget(sc);
    wn_scan_free(sc);
    wn_labeler_free(&lb);
    free(attrib);
    free(cut);
}

/* wn_writers_run writes what wn_writers_line writes for the same lines one by one. */
static void test_writers_run(void)
{
    static const char *const docs[] = {
        "one\ntwo\n",
        "one\n\ntwo\n\n\nthree\r\n",
        "alpha\n   \nbeta\n",
    };
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        for (int before = 0; before < 3; before++) { /* 0 none, 1 blank held, 2 after a drop */
            struct tl_sink a = {0}, b = {0};
            unsigned long long out_a = 0, out_b = 0;
            struct wn_writers wa = {0}, wb = {0};
            wa.user = wb.user = tl_sink_write;
            wa.user_ctx = &a;
            wb.user_ctx = &b;
            wa.bytes_out = &out_a;
            wb.bytes_out = &out_b;
            struct wn_writers *both[2] = {&wa, &wb};
            for (int i = 0; i < 2; i++) {
                wn_writers_line(both[i], 1, 0, "first", 5, "\n", 1, 0);
                if (before) wn_writers_line(both[i], 2, 6, "", 0, "\n", 1, 1);
                if (before == 2) wn_writers_dropped(both[i]);
                if (before == 2) wn_writers_line(both[i], 3, 7, "", 0, "\n", 1, 1);
            }
            const char *s = docs[d];
            CHECK(wn_writers_run(&wa, 4, 8, s, strlen(s)) == 0);
            for (const char *p = s; *p;) { /* the same lines, one by one */
                const char *nl = strchr(p, '\n');
                size_t end = (size_t)(nl - p) + 1, el = end >= 2 && p[end - 2] == '\r' ? 2 : 1;
                size_t len = end - el;
                wn_writers_line(&wb, 4, 0, p, len, p + len, el, strspn(p, " \t") >= len);
                p += end;
            }
            wn_writers_end_document(&wa);
            wn_writers_end_document(&wb);
            tl_sink_write(&a, "", 0);
            tl_sink_write(&b, "", 0);
            CHECK_STR(a.buf, b.buf);
            CHECK(out_a == out_b);
            free(a.buf);
            free(b.buf);
            wn_writers_free(&wa);
            wn_writers_free(&wb);
        }
    }
}

/* What the filter writes for text pushed whole and ended, ended with push_last, or pushed in
 * pieces of `piece` bytes. */
static char *filter_out(const char *text, int last, size_t piece)
{
    struct tl_sink out = {0};
    winnow_filter *f = winnow_filter_new(rules, NULL, tl_sink_write, &out);
    if (!f) return NULL;
    size_t n = strlen(text);
    if (piece) {
        for (size_t at = 0; at < n; at += piece)
            winnow_filter_push(f, text + at, n - at < piece ? n - at : piece);
        winnow_filter_end_document(f);
    } else if (last) {
        winnow_filter_push_last(f, text, n);
    } else {
        winnow_filter_push(f, text, n);
        winnow_filter_end_document(f);
    }
    winnow_filter_free(f);
    tl_sink_write(&out, "", 0);
    return out.buf;
}

/* The same text through a filter with and without the chunk scan (and the rules' hints). */
static void check_same_unfiltered(const char *text)
{
    struct tl_sink a = {0}, b = {0};
    struct winnow_options plain = {.size = sizeof(struct winnow_options)},
                          unfiltered = {.size = sizeof(struct winnow_options)};
    unfiltered.no_prefilter = 1;
    winnow_filter *fa = winnow_filter_new(rules, &plain, tl_sink_write, &a);
    winnow_filter *fb = winnow_filter_new(rules, &unfiltered, tl_sink_write, &b);
    CHECK(fa && fb);
    if (!fa || !fb) return;
    winnow_filter_push_last(fa, text, strlen(text));
    winnow_filter_push_last(fb, text, strlen(text));
    winnow_filter_free(fa);
    winnow_filter_free(fb);
    tl_sink_write(&a, "", 0);
    tl_sink_write(&b, "", 0);
    CHECK_STR(a.buf, b.buf);
    free(a.buf);
    free(b.buf);
}

/* A line right after the title that repeats it is the title's repeat, never passed through:
 * the pass-through once asked with the number of the line before it (failed before). */
static void test_title_repeat(void)
{
    char text[8192] = "";
    for (int i = 0; i < 200; i++)
        strcat(text, "a\n");
    check_same_unfiltered(text);
    snprintf(text, sizeof text, "Harbour wall plans\nHarbour wall plans\n%s%s", story, story);
    check_same_unfiltered(text);
    snprintf(text, sizeof text, "Harbour wall plans\n\n\nHarbour wall plans\n%s", story);
    check_same_unfiltered(text);
}

static void test_push_last(void)
{
    char text[16384];
    snprintf(text, sizeof text,
             "Harbour wall plans\n\n%s\n%sShort post text here #tag\n— Jane Doe (@jane) May 1, "
             "2019\n\n%s\nRead more: The harbour wall\n\n%s\nSource: Kelmouth Herald\n"
             "Harbour wall plans\n0 Comments",
             story, story, story, story);
    char *whole = filter_out(text, 0, 0), *last = filter_out(text, 1, 0);
    CHECK(whole && last);
    if (whole && last) CHECK_STR(last, whole);
    CHECK(whole && !strstr(whole, "(@jane)") && !strstr(whole, "Read more") &&
          !strstr(whole, "0 Comments") && strstr(whole, "opposed for more"));
    static const size_t pieces[] = {1, 7, 64, 333, 4096};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        char *p = filter_out(text, 0, pieces[i]);
        CHECK(p != NULL);
        if (p && whole) CHECK_STR(p, whole);
        free(p);
    }
    free(whole);
    free(last);
}

static void setup(void)
{
    char err[256];
    rules = winnow_rules_new();
    CHECK(rules && winnow_rules_load_defaults(rules, err, sizeof err) == WINNOW_OK);
    CHECK(winnow_rules_compile(rules, err, sizeof err) == WINNOW_OK);
    if (!wn_scan_available()) printf("scan: built without Vectorscan, its tests skipped\n");
}

static void scan_tests(void)
{
    if (wn_scan_available()) test_flags();
}

static void teardown(void)
{
    winnow_rules_free(rules);
}

TEST_MAIN(setup, scan_tests, test_writers_run, test_push_last, test_title_repeat, teardown)
