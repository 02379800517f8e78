/* testlib.h: the smallest test harness that serves: CHECK records a result, and
 * TEST_MAIN prints each failure and a closing "N passed, N failed" line. It also holds the
 * output sink and rule loading that several tests need (tl_*), so each is written once. */
#ifndef WN_TESTLIB_H
#define WN_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "winnow.h"

static int tl_passed, tl_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            tl_passed++;                                                                           \
        } else {                                                                                   \
            tl_failed++;                                                                           \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                          \
    } while (0)

/* Compares two strings and shows both when they differ. */
#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *tl_g = (got), *tl_w = (want);                                                  \
        if (tl_g && tl_w && strcmp(tl_g, tl_w) == 0) {                                             \
            tl_passed++;                                                                           \
        } else {                                                                                   \
            tl_failed++;                                                                           \
            printf("FAIL %s:%d: %s\n  got:  [%s]\n  want: [%s]\n", __FILE__, __LINE__, #got,       \
                   tl_g ? tl_g : "(null)", tl_w ? tl_w : "(null)");                                \
        }                                                                                          \
    } while (0)

#define TEST_MAIN(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        void (*tl_tests[])(void) = {__VA_ARGS__};                                                  \
        for (size_t i = 0; i < sizeof tl_tests / sizeof tl_tests[0]; i++)                          \
            tl_tests[i]();                                                                         \
        printf("%d passed, %d failed\n", tl_passed, tl_failed);                                    \
        return tl_failed ? 1 : 0;                                                                  \
    }

/* The helpers below are static inline so that a test that uses only some of them still
 * builds under -Wunused-function. */

/* What a filter wrote, kept in one NUL-terminated heap buffer that grows with each write, so
 * a test can compare all of it with one CHECK_STR. Start from {0}; free(buf) when done. */
struct tl_sink {
    char *buf;
    size_t len, cap;
};

/* A winnow_write_fn appending to the struct tl_sink at ctx; a zero-length write just makes
 * sure buf is allocated (""). Returns 1 when memory runs out. */
static inline int tl_sink_write(void *ctx, const char *buf, size_t len)
{
    struct tl_sink *s = ctx;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->len + len + 1) * 2;
        char *p = realloc(s->buf, cap);
        if (!p) return 1;
        s->buf = p;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, buf, len);
    s->len += len;
    s->buf[s->len] = 0;
    return 0;
}

/* A winnow_write_fn that refuses every write, as a closed pipe does: for write-error tests. */
static inline int tl_refuse_write(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 1;
}

/* A fresh copy of the built-in rules, for the caller to free. No test can go on without
 * them, so a failure to load them ends the program. */
static inline winnow_rules *tl_default_rules(void)
{
    char err[256];
    winnow_rules *r = winnow_rules_new();
    if (!r || winnow_rules_load_defaults(r, err, sizeof err) != WINNOW_OK) {
        printf("FAIL default rules: %s\n", r ? err : "out of memory");
        exit(1);
    }
    return r;
}

/* The built-in rules, loaded on first use and shared by every test of the program (never
 * freed), for tests that do not change them. */
static inline winnow_rules *tl_shared_rules(void)
{
    static winnow_rules *rules;
    if (!rules) rules = tl_default_rules();
    return rules;
}

#endif
