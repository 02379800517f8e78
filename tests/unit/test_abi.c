/* test_abi.c: the promises of include/winnow.h's "Version and ABI": the version macros agree,
 * every status has a name, and an option struct is read within the size its caller gave it
 * (an older, smaller struct works; size 0 and unknown members set are refused). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "winnow.h"

/* the title, a post and its attribution, the story */
static const char embed_in[] =
    "Title\nPost text\n— Some Person (@someone) December 15, 2021\nStory.\n";
static const char embed_out[] = "Title\nStory.\n";

/* What a filter over the shared rules makes of `in` with `opt` (which must open). */
static char *run(const void *opt, const char *in)
{
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    char err[256] = "";
    winnow_filter *f =
        winnow_filter_open(tl_shared_rules(), opt, tl_sink_write, &out, err, sizeof err);
    if (!f) {
        printf("FAIL filter_open: %s\n", err);
        exit(1);
    }
    winnow_filter_push_last(f, in, strlen(in));
    winnow_filter_free(f);
    return out.buf;
}

/* NULL when a filter opens with `opt`; else what it said (a static buffer). */
static const char *refusal(const void *opt)
{
    static char err[256];
    struct tl_sink out = {0};
    err[0] = 0;
    winnow_filter *f =
        winnow_filter_open(tl_shared_rules(), opt, tl_sink_write, &out, err, sizeof err);
    winnow_filter_free(f);
    free(out.buf);
    return f ? NULL : err;
}

static void test_version(void)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", WINNOW_VERSION_MAJOR, WINNOW_VERSION_MINOR,
             WINNOW_VERSION_PATCH);
    CHECK_STR(WINNOW_VERSION, want);
    CHECK_STR(winnow_version(), want);
}

static void test_strerror(void)
{
    static const int statuses[] = {WINNOW_OK,        WINNOW_ERR_RULES, WINNOW_ERR_NOMEM,
                                   WINNOW_ERR_WRITE, WINNOW_ERR_USAGE, WINNOW_ERR_IO};
    const size_t n = sizeof statuses / sizeof statuses[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = winnow_strerror(statuses[i]);
        CHECK(s && *s && strcmp(s, "unknown status") != 0);
        for (size_t j = 0; j < i; j++) /* each its own */
            CHECK(strcmp(s, winnow_strerror(statuses[j])) != 0);
    }
    CHECK_STR(winnow_strerror(WINNOW_OK), "success");
    CHECK_STR(winnow_strerror(WINNOW_ERR_NOMEM), "out of memory");
    CHECK_STR(winnow_strerror(-1), "unknown status");
    CHECK_STR(winnow_strerror(6), "unknown status");
}

static void test_init(void)
{
    struct winnow_options o;
    memset(&o, 0xab, sizeof o);
    winnow_options_init(&o);
    CHECK(o.size == sizeof o && o.keep_embeds == 0 && o.link_options == NULL && !o.report &&
          o.max_removal == 0);
    struct winnow_link_options lo;
    memset(&lo, 0xab, sizeof lo);
    winnow_link_options_init(&lo);
    CHECK(lo.size == sizeof lo && lo.resolve == 0 && lo.cache_path == NULL && !lo.connect_to);
    struct winnow_jsonl_options jo;
    memset(&jo, 0xab, sizeof jo);
    winnow_jsonl_options_init(&jo);
    CHECK(jo.size == sizeof jo && !jo.field && !jo.id_field && !jo.drop_invalid);
    /* NULL options are still the defaults */
    char *plain = run(NULL, embed_in);
    CHECK_STR(plain, embed_out);
    free(plain);
}

/* A program built when winnow_options ended at no_prefilter: its struct is smaller, and the
 * library must read none of the members it lacks (the heap block ends where it ends, so ASan
 * would see a read past it). */
struct older_options {
    size_t size;
    int keep_embeds;
    enum winnow_links_mode links;
    enum winnow_format format;
    const struct winnow_link_options *link_options;
    winnow_report_fn report;
    void *report_ctx;
    winnow_trace_fn trace;
    void *trace_ctx;
    int no_prefilter;
};

static void test_smaller_struct(void)
{
    CHECK(sizeof(struct older_options) < sizeof(struct winnow_options));
    CHECK(offsetof(struct older_options, no_prefilter) ==
          offsetof(struct winnow_options, no_prefilter));
    struct older_options *old = calloc(1, sizeof *old);
    old->size = sizeof *old;
    old->keep_embeds = 1; /* within its size: honoured */
    char *got = run(old, embed_in);
    CHECK_STR(got, embed_in);
    free(got);
    old->keep_embeds = 0;
    got = run(old, embed_in);
    CHECK_STR(got, embed_out);
    free(got);
    free(old);

    /* members past the given size are not read: a guard that would keep the document whole
     * (max_removal) is not applied when the size ends before it */
    struct winnow_options o;
    winnow_options_init(&o);
    o.max_removal = 0.01;
    got = run(&o, embed_in);
    CHECK_STR(got, embed_in); /* the guard at work: 0.01 of it may go, more would */
    free(got);
    o.size = offsetof(struct winnow_options, max_removal);
    got = run(&o, embed_in);
    CHECK_STR(got, embed_out);
    free(got);

    /* the same for the link options: an unreadable --clearurls file past the size is unseen */
    struct winnow_link_options lo;
    winnow_link_options_init(&lo);
    lo.clearurls = "/nonexistent/clearurls.json";
    winnow_options_init(&o);
    o.link_options = &lo;
    CHECK(refusal(&o) != NULL);
    lo.size = offsetof(struct winnow_link_options, clearurls);
    CHECK(refusal(&o) == NULL);
}

/* size 0 (zero-initialised, no init call) is refused with a message that says what to do */
static void test_size_zero(void)
{
    struct winnow_options o = {0};
    const char *why = refusal(&o);
    CHECK(why && strstr(why, "size is 0") && strstr(why, "winnow_options_init"));
    struct winnow_link_options lo = {0};
    winnow_options_init(&o);
    o.link_options = &lo;
    why = refusal(&o);
    CHECK(why && strstr(why, "winnow_link_options_init"));
    o.size = 3; /* shorter than the size member itself */
    CHECK(refusal(&o) != NULL);
}

/* A newer program's struct, larger than this library's: fine while what it adds is zero,
 * refused when a member this library does not know is set. */
static void test_larger_struct(void)
{
    struct newer {
        struct winnow_options known;
        int future_switch;
    } n;
    memset(&n, 0, sizeof n);
    n.known.size = sizeof n;
    n.known.keep_embeds = 1;
    char *got = run(&n, embed_in);
    CHECK_STR(got, embed_in);
    free(got);
    n.future_switch = 1;
    const char *why = refusal(&n);
    CHECK(why && strstr(why, "does not know"));
}

/* JSON Lines options: drop_invalid past the given size is not read */
static void test_jsonl_options(void)
{
    static const char bad[] = "not a record";
    for (int shrink = 0; shrink < 2; shrink++) {
        struct winnow_jsonl_options jo;
        winnow_jsonl_options_init(&jo);
        jo.drop_invalid = 1;
        if (shrink) jo.size = offsetof(struct winnow_jsonl_options, drop_invalid);
        struct tl_sink out = {0};
        tl_sink_write(&out, "", 0);
        char err[256];
        winnow_jsonl *j =
            winnow_jsonl_new(tl_shared_rules(), NULL, &jo, tl_sink_write, &out, err, sizeof err);
        CHECK(j != NULL);
        if (!j) continue;
        int verdict = 0;
        CHECK(winnow_jsonl_line(j, bad, strlen(bad), "\n", 1, &verdict) == WINNOW_OK);
        CHECK(verdict == WINNOW_JSONL_NOT_JSON);
        CHECK_STR(out.buf, shrink ? "not a record\n" : "");
        winnow_jsonl_free(j);
        free(out.buf);
    }
    struct winnow_jsonl_options zero = {0};
    char err[256] = "";
    struct tl_sink out = {0};
    CHECK(!winnow_jsonl_new(tl_shared_rules(), NULL, &zero, tl_sink_write, &out, err, sizeof err));
    CHECK(strstr(err, "winnow_jsonl_options_init") != NULL);
    struct winnow_options o = {0};
    CHECK(!winnow_jsonl_new(tl_shared_rules(), &o, NULL, tl_sink_write, &out, err, sizeof err));
    CHECK(strstr(err, "winnow_options_init") != NULL);
}

TEST_MAIN(test_version, test_strerror, test_init, test_smaller_struct, test_size_zero,
          test_larger_struct, test_jsonl_options)
