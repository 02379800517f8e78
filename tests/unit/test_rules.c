/* test_rules.c: unit tests of the rules module's helpers: the UTF-8 validator that picks
 * PCRE2's JIT or interpreter, literal prefilters, and matching across invalid bytes. */
#include <string.h>

#include "rules.h"
#include "testlib.h"

static int valid(const char *s)
{
    return wn_utf8_valid(s, strlen(s));
}

static void test_utf8(void)
{
    CHECK(valid(""));
    CHECK(valid("plain ASCII text that is longer than thirty-two bytes, to take the fast path"));
    CHECK(valid("café Читайте также اقرأ أيضا 日本語 🐋"));
    CHECK(!valid("\xff"));
    CHECK(!valid("abc\xc3"));          /* cut short */
    CHECK(!valid("\xc3\x28"));         /* bad continuation */
    CHECK(!valid("\xc0\xaf"));         /* overlong '/' */
    CHECK(!valid("\xe0\x80\xaf"));     /* overlong, three bytes */
    CHECK(!valid("\xed\xa0\x80"));     /* a surrogate */
    CHECK(!valid("\xf4\x90\x80\x80")); /* past U+10FFFF */
    CHECK(!valid("0123456789012345678901234567890123456789\x80"));
    CHECK(wn_utf8_valid("a\0b", 3)); /* NUL is valid UTF-8 */
}

static const struct wn_rule *only_rule(winnow_rules *r, enum wn_kind kind)
{
    const struct wn_rule **list;
    return wn_rules_of_kind(r, kind, &list) == 1 ? list[0] : NULL;
}

static void test_literals(void)
{
    char err[256];
    winnow_rules *r = winnow_rules_new();
    const char text[] = "[lit]\nkind = cut-span\nliteral = t.co/|(@|Zz\npattern = x\n";
    CHECK(winnow_rules_load_buffer(r, "t", text, strlen(text), err, sizeof err) == WINNOW_OK);
    const struct wn_rule *rule = only_rule(r, WN_KIND_CUT_SPAN);
    CHECK(rule && rule->nlits == 3);
    if (rule) {
        const char s[] = "a / b / see t.co/x and (@h) Zz";
        CHECK(wn_rule_literal_find(rule, s, strlen(s), 0) == 12);
        CHECK(wn_rule_literal_find(rule, s, strlen(s), 13) == 23);
        CHECK(wn_rule_literal_find(rule, s, strlen(s), 24) == 28);
        CHECK(wn_rule_literal_find(rule, s, strlen(s), 29) == SIZE_MAX);
        CHECK(wn_rule_literal_find(rule, "t.co", 4, 0) == SIZE_MAX);
    }
    winnow_rules_free(r);
}

static void test_keys(void)
{
    char err[256];
    winnow_rules *r = winnow_rules_new();
    const char text[] = "[tailed]\nkind = footer\nlongest = 300\ntail = 40\nliteral = served\n"
                        "pattern = [^\\n]{0,250}reserved\\.?$\n";
    CHECK(winnow_rules_load_buffer(r, "t", text, strlen(text), err, sizeof err) == WINNOW_OK);
    const struct wn_rule *rule = only_rule(r, WN_KIND_FOOTER);
    CHECK(rule && rule->longest == 300 && rule->tail == 40);
    winnow_rules_free(r);
}

/* PCRE2 10.42's JIT fails \S on multi-byte characters in MATCH_INVALID_UTF mode; the rules
 * module keeps valid lines on the JIT without that mode, and invalid ones on the interpreter. */
static void test_match_modes(void)
{
    char err[256];
    winnow_rules *r = winnow_rules_new();
    const char text[] = "[ru]\nkind = drop-line\npattern = (?i)читайте также\\s*:\\s*\\S[^\\n]*\n";
    CHECK(winnow_rules_load_buffer(r, "t", text, strlen(text), err, sizeof err) == WINNOW_OK);
    const struct wn_rule *rule = only_rule(r, WN_KIND_DROP_LINE);
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    size_t ms, me;
    const char ok[] = "Читайте также: Правительство ушло в отставку";
    CHECK(rule && wn_rule_match(rule, ok, strlen(ok), 0, md, &ms, &me) && me == strlen(ok));
    const char bad[] = "Читайте также: Прав\xff";
    CHECK(rule && wn_rule_match(rule, bad, strlen(bad), 0, md, &ms, &me) && me == strlen(bad) - 1);
    pcre2_match_data_free(md);
    winnow_rules_free(r);
}

TEST_MAIN(test_utf8, test_literals, test_keys, test_match_modes)
