/* testlib.h: the smallest test harness that serves: CHECK records a result, and
 * TEST_MAIN prints each failure and a closing "N passed, N failed" line. */
#ifndef WN_TESTLIB_H
#define WN_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int tl_passed, tl_failed;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (cond) {                                                                               \
            tl_passed++;                                                                          \
        } else {                                                                                  \
            tl_failed++;                                                                          \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                \
        }                                                                                         \
    } while (0)

/* Compares two strings and shows both when they differ. */
#define CHECK_STR(got, want)                                                                      \
    do {                                                                                          \
        const char *tl_g = (got), *tl_w = (want);                                                 \
        if (tl_g && tl_w && strcmp(tl_g, tl_w) == 0) {                                            \
            tl_passed++;                                                                          \
        } else {                                                                                  \
            tl_failed++;                                                                          \
            printf("FAIL %s:%d: %s\n  got:  [%s]\n  want: [%s]\n", __FILE__, __LINE__, #got,      \
                   tl_g ? tl_g : "(null)", tl_w ? tl_w : "(null)");                               \
        }                                                                                         \
    } while (0)

#define TEST_MAIN(...)                                                                            \
    int main(void)                                                                                \
    {                                                                                             \
        void (*tl_tests[])(void) = {__VA_ARGS__};                                                 \
        for (size_t i = 0; i < sizeof tl_tests / sizeof tl_tests[0]; i++) tl_tests[i]();          \
        printf("%d passed, %d failed\n", tl_passed, tl_failed);                                   \
        return tl_failed ? 1 : 0;                                                                 \
    }

#endif
