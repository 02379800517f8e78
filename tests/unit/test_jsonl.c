/* test_jsonl.c: JSON Lines records (jsonl.c) through the public API: the field cleaned and
 * spliced back with every other byte as it came, whatever surrounds it (nested members of the
 * same name, a repeated key, an escaped key, spacing, escapes in the value), and the verdicts
 * of lines that are no such records. tests/jsonl.py runs the corpora through the command. */
#include <jansson.h>
#include <stdint.h>

#include "jsonl.h"
#include "testlib.h"

static const char story[] = "Story line.\\n\\nRead more: Another headline\\n\\nMore story.";
static const char clean[] = "Story line.\\n\\nMore story.";

/* The record's line out, and its verdict, for line (options as given). */
static const char *one(const char *line, const struct winnow_jsonl_options *jo, int *verdict)
{
    static struct tl_sink out;
    free(out.buf);
    memset(&out, 0, sizeof out);
    tl_sink_write(&out, "", 0);
    char err[256];
    winnow_jsonl *j =
        winnow_jsonl_new(tl_shared_rules(), NULL, jo, tl_sink_write, &out, err, sizeof err);
    if (!j) return "(no jsonl)";
    if (winnow_jsonl_line(j, line, strlen(line), "\n", 1, verdict)) out.buf[0] = 0;
    winnow_jsonl_free(j);
    return out.buf;
}

static void test_splice(void)
{
    static const struct {
        const char *before, *after; /* the record around the field's value */
    } rows[] = {
        {"{\"text\": ", "}"},
        {"{\"id\": 1, \"n\": 1.50, \"text\":", ", \"x\": [1e3, \"\\u00e9\"]}"},
        {"{ \"nested\": {\"text\": \"not this\"}, \"text\" :\t", " }"},
        {"{\"text\": \"the first, which the second replaces\", \"text\": ", "}"},
        {"{\"te\\u0078t\": ", ", \"big\": 123456789012345678901234567890}"},
        {"{\"a\": \"}\\\"{\", \"text\": ", ", \"b\": [\"]\", {\"c\": \"[\"}]}"},
    };
    char line[1024], want[1024];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int verdict = 0;
        snprintf(line, sizeof line, "%s\"%s\"%s", rows[i].before, story, rows[i].after);
        snprintf(want, sizeof want, "%s\"%s\"%s\n", rows[i].before, clean, rows[i].after);
        CHECK_STR(one(line, NULL, &verdict), want);
        CHECK(verdict == WINNOW_JSONL_CLEANED);
    }
    /* escapes of every kind in the field, decoded, then the kept text encoded again (only
     * quotes, backslashes and control bytes escaped) */
    CHECK_STR(one("{\"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ a\\tb "
                  "\\u0001.\\n\\nRead more: Another headline\\n\\nMore.\"}",
                  NULL, NULL),
              "{\"text\": \"caf\xc3\xa9 \xf0\x9f\x98\x80 \\\"q\\\" \\\\ / a\\tb \\u0001.\\n"
              "\\nMore.\"}\n");
    /* nothing removed: the line as it came, escapes and all */
    const char *kept = "{\"text\": \"caf\\u00e9 \\/ plain story.\", \"n\": 1.0}";
    snprintf(want, sizeof want, "%s\n", kept);
    CHECK_STR(one(kept, NULL, NULL), want);
    /* another field, and the id as written */
    struct winnow_jsonl_options jo = {sizeof jo, "body", "key", 0};
    snprintf(line, sizeof line, "{\"key\": 12, \"text\": \"x\", \"body\": \"%s\"}", story);
    snprintf(want, sizeof want, "{\"key\": 12, \"text\": \"x\", \"body\": \"%s\"}\n", clean);
    CHECK_STR(one(line, &jo, NULL), want);
}

static void test_verdicts(void)
{
    static const struct {
        const char *line;
        int verdict;
    } rows[] = {
        {"not json", WINNOW_JSONL_NOT_JSON},
        {"[1, 2]", WINNOW_JSONL_NOT_JSON},
        {"{\"text\": \"unterminated}", WINNOW_JSONL_NOT_JSON},
        {"{\"text\": \"a\"} trailing", WINNOW_JSONL_NOT_JSON},
        {"{\"body\": \"a\"}", WINNOW_JSONL_NO_FIELD},
        {"{\"nested\": {\"text\": \"a\"}}", WINNOW_JSONL_NO_FIELD},
        {"{\"text\": 5}", WINNOW_JSONL_NOT_STRING},
        {"{\"text\": null}", WINNOW_JSONL_NOT_STRING},
        {"{\"text\": \"\\xff\"}", WINNOW_JSONL_NOT_JSON},         /* not UTF-8 */
        {"{\"text\": \"a\\ud800 lone\"}", WINNOW_JSONL_NOT_JSON}, /* a lone surrogate */
        {"{\"text\": \"a\\qb\"}", WINNOW_JSONL_NOT_JSON},         /* no such escape */
        {"{\"text\": \"a\x01b\"}", WINNOW_JSONL_NOT_JSON},        /* a control byte */
        {"{\"text\": \"ok\", \"x\": }", WINNOW_JSONL_NOT_JSON},   /* the rest is bad */
    };
    char want[256];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int verdict = 0;
        snprintf(want, sizeof want, "%s\n", rows[i].line);
        CHECK_STR(one(rows[i].line, NULL, &verdict), want); /* passed through */
        if (verdict != rows[i].verdict) printf("  row %zu: verdict %d\n", i, verdict);
        CHECK(verdict == rows[i].verdict);
        struct winnow_jsonl_options drop = {sizeof drop, NULL, NULL, 1};
        CHECK_STR(one(rows[i].line, &drop, &verdict), ""); /* or dropped */
    }
    CHECK(winnow_jsonl_detect("  {\"a\": 1}\nrest", 16));
    CHECK(!winnow_jsonl_detect("{not json}\n", 11));
    CHECK(!winnow_jsonl_detect("{\"a\": 1", 7)); /* the first line not whole yet */
    CHECK(!winnow_jsonl_detect("Text.\n", 6));
}

/* jsoncheck.c's "sure" must never be said of a line jansson refuses (the fast path would clean
 * a line that is not JSON), and must be said of plain records (else the fast path is dead). */
static void test_sure_object(void)
{
    static const struct {
        const char *line;
        int sure; /* 1: must be sure; 0: must not be (jansson refuses it, or it is unusual) */
    } rows[] = {
        {"{\"id\": 7, \"text\": \"a\\nb \\\"q\\\" \\u00e9\", \"f\": 1.5e3, \"t\": true}", 1},
        {" {\"a\": [1, -0, 0.25, {\"b\": null}, []], \"c\": {}, \"d\": false} \r", 1},
        {"{\"k\\u00e9y\": \"straße\"}", 0}, /* an escaped key: jansson judges */
        {"{\"n\": 01}", 0},                 /* a leading zero */
        {"{\"n\": 1.}", 0},                 /* no fraction digits */
        {"{\"n\": -}", 0},
        {"{\"n\": 1e400}", 0}, /* overflows a double */
        {"{\"n\": 1e99}", 1},
        {"{\"s\": \"a\x01\"}", 0},    /* a control byte */
        {"{\"s\": \"\\ud800\"}", 0},  /* a lone surrogate */
        {"{\"s\": \"\xc3\x28\"}", 0}, /* not UTF-8 */
        {"{\"s\": \"\\x\"}", 0},      /* no such escape */
        {"{\"a\": 1} x", 0},          /* trailing bytes */
        {"{\"a\": 1,}", 0},
        {"{\"a\" 1}", 0},
        {"[1]", 0},                    /* not an object */
        {"\xef\xbb\xbf{\"a\": 1}", 0}, /* a byte order mark */
        {"{\"a\": tru}", 0},
        {"{\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
         0}, /* deep */
    };
    struct buf scratch = {0};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *l = rows[i].line;
        int sure = wn_json_sure_object(l, strlen(l), SIZE_MAX, SIZE_MAX, &scratch);
        json_t *v = json_loadb(l, strlen(l), JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
        if (sure != rows[i].sure || (sure && !json_is_object(v)))
            printf("  row %zu: sure %d, jansson %s\n", i, sure, v ? "accepts" : "refuses");
        CHECK(sure == rows[i].sure);
        CHECK(!sure || json_is_object(v));
        json_decref(v);
    }
    buf_free(&scratch);
}

TEST_MAIN(test_splice, test_verdicts, test_sure_object)
