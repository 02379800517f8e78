/* test_rules.c: unit tests of the rules module: the UTF-8 validator that picks PCRE2's JIT or
 * interpreter, literal prefilters, matching across invalid bytes, keys, [tune], and freezing. */
#include <stdio.h>
#include <stdlib.h>
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
    /* a letter or a bad byte at every place in and across the 8- and 32-byte words */
    for (size_t at = 0; at < 70; at++) {
        char line[80];
        memset(line, 'a', sizeof line);
        memcpy(line + at, "\xd0\x96", 2); /* Ж */
        CHECK(wn_utf8_valid(line, sizeof line));
        CHECK(!wn_utf8_valid(line, at + 1)); /* cut after its first byte */
        line[at + 1] = 'b';
        CHECK(!wn_utf8_valid(line, sizeof line)); /* no continuation */
        line[at] = (char)0xff;
        CHECK(!wn_utf8_valid(line, sizeof line));
    }
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

/* Loads text into a fresh set and returns the error it gives ("" when it loads). */
static const char *load_error(const char *text)
{
    static char err[256];
    err[0] = 0;
    winnow_rules *r = winnow_rules_new();
    if (winnow_rules_load_buffer(r, "t.rules", text, strlen(text), err, sizeof err) == WINNOW_OK)
        err[0] = 0;
    winnow_rules_free(r);
    return err;
}

/* Every key may be given once per rule; a second one, numbers included, is an error at its
 * own line. Numbers used to repeat silently, the last one winning. */
static void test_repeated_keys(void)
{
    static const char *const keys[][2] = {
        {"kind", "drop-line"}, {"pattern", "b"}, {"lang", "en"}, {"literal", "b"}, {"span", "5"},
        {"items", "5"},        {"longest", "5"}, {"tail", "5"},  {"head", "5"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char text[256], want[128];
        snprintf(text, sizeof text, "[x]\nkind = drop-line\npattern = a\n%s = %s\n%s = %s\n",
                 keys[i][0], keys[i][1], keys[i][0], keys[i][1]);
        /* kind and pattern are given on lines 2 and 3 already: their repeat is line 4 */
        int line = strcmp(keys[i][0], "kind") == 0 || strcmp(keys[i][0], "pattern") == 0 ? 4 : 5;
        snprintf(want, sizeof want, "t.rules:%d: '%s' given twice in rule 'x'", line, keys[i][0]);
        CHECK_STR(load_error(text), want);
    }
    /* the same key in two rules is no repeat */
    CHECK_STR(load_error("[x]\nkind = footer\nlongest = 9\npattern = a\n"
                         "[y]\nkind = footer\nlongest = 9\npattern = a\n"),
              "");
    /* and every shipped rules file still loads */
    char err[256] = "";
    winnow_rules *r = winnow_rules_new();
    CHECK(winnow_rules_load_defaults(r, err, sizeof err) == WINNOW_OK);
    CHECK_STR(err, "");
    winnow_rules_free(r);
}

static long tune_of(const winnow_rules *r, const char *name)
{
    struct winnow_tune_info info;
    for (size_t i = 0; winnow_rules_tune_get(r, i, &info) == WINNOW_OK; i++)
        if (strcmp(info.name, name) == 0) return info.value;
    return -999;
}

static void test_tune(void)
{
    char err[256];
    winnow_rules *r = winnow_rules_new();
    /* defaults before any [tune]: tune.h's */
    CHECK(wn_rules_tune(r, WN_TUNE_POST_LINK_CHARS) == 23);
    CHECK(wn_rules_tune(NULL, WN_TUNE_EMBED_MAX_LINES) == 40);
    const char a[] = "[tune]\npost.link-chars = 40\ntake-back.blank-separated-percent = 0\n"
                     "[x]\nkind = drop-line\npattern = a\n"
                     "[tune]\npost.link-chars = 41\n";
    CHECK(winnow_rules_load_buffer(r, "a", a, strlen(a), err, sizeof err) == WINNOW_OK);
    CHECK(winnow_rules_count(r) == 1); /* [tune] is not a rule */
    CHECK(wn_rules_tune(r, WN_TUNE_POST_LINK_CHARS) == 41);
    CHECK(wn_rules_tune(r, WN_TUNE_TAKE_BACK_BLANK_PERCENT) == 0);
    CHECK(wn_rules_tune(r, WN_TUNE_EMBED_MAX_LINES) == 40);
    /* a later file sets it again: last wins */
    const char b[] = "  [tune]  \n  post.link-chars=1000  \n";
    CHECK(winnow_rules_load_buffer(r, "b", b, strlen(b), err, sizeof err) == WINNOW_OK);
    CHECK(wn_rules_tune(r, WN_TUNE_POST_LINK_CHARS) == 1000);
    /* a file with an error sets none of its values, even those before the error */
    const char c[] = "[tune]\npost.link-chars = 5\nnope = 1\n";
    CHECK(winnow_rules_load_buffer(r, "c", c, strlen(c), err, sizeof err) == WINNOW_ERR_RULES);
    CHECK(wn_rules_tune(r, WN_TUNE_POST_LINK_CHARS) == 1000);
    winnow_rules_free(r);

    CHECK_STR(load_error("[tune]\npost.link-chars = 5\nnope.x = 1\n"),
              "t.rules:3: unknown tunable 'nope.x' (see rules/README.md)");
    /* rule keys are not tunables, nor the reverse */
    CHECK_STR(load_error("[tune]\nkind = drop-line\n"),
              "t.rules:2: unknown tunable 'kind' (see rules/README.md)");
    CHECK_STR(load_error("[x]\nkind = drop-line\npost.link-chars = 5\npattern = a\n"),
              "t.rules:3: unknown key 'post.link-chars'");
    CHECK_STR(load_error("post.link-chars = 5\n"),
              "t.rules:1: setting outside a rule (start one with [rule-id])");
    CHECK_STR(load_error("[tune]\npost.link-chars = 1001\n"),
              "t.rules:2: 'post.link-chars' takes a whole number from 0 to 1000");
    CHECK_STR(load_error("[tune]\ntake-back.hold-bytes = 63\n"),
              "t.rules:2: 'take-back.hold-bytes' takes a whole number from 64 to 1048576");
    CHECK_STR(load_error("[tune]\npost.link-chars = -1\n"),
              "t.rules:2: 'post.link-chars' takes a whole number from 0 to 1000");
    CHECK_STR(load_error("[tune]\npost.link-chars = 2x\n"),
              "t.rules:2: 'post.link-chars' takes a whole number from 0 to 1000");
    CHECK_STR(load_error("[tune]\npost.link-chars = 99999999999999999999999\n"),
              "t.rules:2: 'post.link-chars' takes a whole number from 0 to 1000");
    CHECK_STR(load_error("[tune]\npost.link-chars =\n"),
              "t.rules:2: 'post.link-chars' has no value");
    CHECK_STR(load_error("[tune]\npost.link-chars = 5\n\npost.link-chars = 6\n"),
              "t.rules:4: 'post.link-chars' given twice in [tune]");
    /* names longer than the 31 bytes keys used to be limited to */
    CHECK_STR(load_error("[tune]\ntake-back.blank-separated-percent = 100\n"), "");
}

static void test_tune_api(void)
{
    CHECK(winnow_tune_count() == WN_TUNE_COUNT);
    winnow_rules *r = winnow_rules_new();
    struct winnow_tune_info info;
    CHECK(winnow_rules_tune_get(r, WN_TUNE_POST_LINK_CHARS, &info) == WINNOW_OK);
    CHECK_STR(info.name, "post.link-chars");
    CHECK(info.value == 23 && info.def == 23 && info.min == 0 && info.max == 1000);
    CHECK(info.doc && strstr(info.doc, "23") != NULL);
    CHECK(winnow_rules_tune_get(r, winnow_tune_count(), &info) == WINNOW_ERR_USAGE);
    CHECK(winnow_rules_tune_get(NULL, 0, &info) == WINNOW_OK && info.value == info.def);
    /* every entry: a name, a default within its bounds */
    for (size_t i = 0; i < winnow_tune_count(); i++) {
        CHECK(winnow_rules_tune_get(r, i, &info) == WINNOW_OK);
        CHECK(info.name && *info.name && info.doc && *info.doc);
        CHECK(info.min <= info.def && info.def <= info.max && info.value == info.def);
    }
    CHECK(winnow_rules_tune_set(r, "post.link-chars", 30) == WINNOW_OK);
    CHECK(tune_of(r, "post.link-chars") == 30);
    CHECK(winnow_rules_tune_set(r, "post.link-chars", 1001) == WINNOW_ERR_USAGE);
    CHECK(winnow_rules_tune_set(r, "post.link-chars", -1) == WINNOW_ERR_USAGE);
    CHECK(winnow_rules_tune_set(r, "no.such", 1) == WINNOW_ERR_USAGE);
    CHECK(tune_of(r, "post.link-chars") == 30);
    CHECK(winnow_rules_tune_set(r, "embed.max-lines", 1) == WINNOW_OK);
    CHECK(wn_rules_tune(r, WN_TUNE_EMBED_MAX_LINES) == 1);
    winnow_rules_free(r);
}

/* rules/README.md lists every tunable with its default, so the docs cannot fall behind tune.h. */
static void test_tune_documented(void)
{
    FILE *f = fopen("rules/README.md", "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = 0;
    fclose(f);
    struct winnow_tune_info info;
    for (size_t i = 0; winnow_rules_tune_get(NULL, i, &info) == WINNOW_OK; i++) {
        char row[128];
        snprintf(row, sizeof row, "| `%s` | %ld | %ld to %ld |", info.name, info.def, info.min,
                 info.max);
        CHECK(strstr(doc, row) != NULL);
        if (!strstr(doc, row)) printf("  rules/README.md has no row [%s]\n", row);
    }
}

/* embed-head parses, is a line rule (compiled anchored), and is an embed removal. */
static void test_embed_head(void)
{
    char err[256] = "";
    winnow_rules *r = winnow_rules_new();
    const char text[] = "[tiktok-handle]\nkind = embed-head\nlongest = 40\n"
                        "pattern = @[\\w.]{2,24}$\n";
    CHECK(winnow_rules_load_buffer(r, "t", text, strlen(text), err, sizeof err) == WINNOW_OK);
    CHECK_STR(err, "");
    CHECK_STR(wn_kind_name(WN_KIND_EMBED_HEAD), "embed-head");
    CHECK(wn_kind_is_line_rule(WN_KIND_EMBED_HEAD));
    struct winnow_rule_info info;
    CHECK(winnow_rules_get(r, 0, &info) == WINNOW_OK);
    CHECK_STR(info.kind, "embed-head");
    const struct wn_rule *rule = only_rule(r, WN_KIND_EMBED_HEAD);
    CHECK(rule && rule->cls == WN_CLASS_EMBED && rule->longest == 40);
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    size_t ms, me;
    CHECK(rule && wn_rule_match(rule, "@some.handle", 12, 0, md, &ms, &me) && me == 12);
    /* anchored: a handle at the end of a sentence is not a post's head */
    const char prose[] = "as said by @some.handle";
    CHECK(rule && !wn_rule_match(rule, prose, strlen(prose), 0, md, &ms, &me));
    pcre2_match_data_free(md);
    winnow_rules_free(r);
}

/* What a filter over the built-in rules makes of `in` (malloc'd). */
static char *filter_doc(winnow_filter *f, struct tl_sink *out, const char *in)
{
    out->len = 0;
    tl_sink_write(out, "", 0);
    winnow_filter_push(f, in, strlen(in));
    winnow_filter_end_document(f);
    return out->buf;
}

/* Once a filter is made over a set, every mutator refuses and changes nothing, and the filter
 * still works. Before freezing, loading more rules reallocated the rule array and disabling
 * rebuilt the per-kind arrays under the filter: a heap-use-after-free under ASan. */
static void test_freeze(void)
{
    static const char text_in[] =
        "Story before.\n\nThe post text is here pic.twitter.com/AbC123\n\n"
        "— Some Person (@someone) December 15, 2021\n\n"
        "READ MORE: UK seeks Western unity against Russia and China\n"
        "Story after.\n";
    static const char text_out[] = "Story before.\n\nStory after.\n";
    static const char html_in[] = "<html><body><p>Before.</p><blockquote class=\"twitter-tweet\">"
                                  "<p>A post</p>— X (@x) May 1, 2020</blockquote>"
                                  "<p>After.</p></body></html>";
    winnow_rules *r = tl_default_rules();
    char err[256] = "";
    struct tl_sink out = {0}, out2 = {0};
    winnow_filter *f = winnow_filter_open(r, NULL, tl_sink_write, &out, err, sizeof err);
    struct winnow_options html = {.size = sizeof(struct winnow_options),
                                  .format = WINNOW_FORMAT_HTML};
    winnow_filter *fh = winnow_filter_open(r, &html, tl_sink_write, &out2, err, sizeof err);
    CHECK(f && fh);
    if (!f || !fh) return;
    size_t count = winnow_rules_count(r), enabled = 0;
    struct winnow_rule_info info;
    for (size_t i = 0; i < count; i++)
        enabled += winnow_rules_get(r, i, &info) == WINNOW_OK && info.enabled;
    CHECK(winnow_rules_get(r, 0, &info) == WINNOW_OK);
    const char *first_id = info.id;

    /* Enough rules to make any rule array grow (and move) */
    size_t cap = 2000 * 64, len = 0;
    char *many = malloc(cap);
    for (int i = 0; i < 2000 && many; i++)
        len += (size_t)snprintf(many + len, cap - len,
                                "[more-%d]\nkind = drop-line\npattern = more%d$\n", i, i);
    CHECK(many &&
          winnow_rules_load_buffer(r, "many", many, len, err, sizeof err) == WINNOW_ERR_USAGE);
    CHECK_STR(err, "rule set is in use by a filter: make a new set");
    free(many);
    err[0] = 0;
    CHECK(winnow_rules_load_defaults(r, err, sizeof err) == WINNOW_ERR_USAGE);
    CHECK_STR(err, "rule set is in use by a filter: make a new set");
    err[0] = 0;
    CHECK(winnow_rules_load_file(r, "rules/embeds.rules", err, sizeof err) == WINNOW_ERR_USAGE);
    CHECK_STR(err, "rule set is in use by a filter: make a new set");
    CHECK(winnow_rules_load_buffer(r, "x", "", 0, NULL, 0) == WINNOW_ERR_USAGE); /* no err */
    CHECK(winnow_rules_disable(r, first_id) == WINNOW_ERR_USAGE);
    CHECK(winnow_rules_restrict_languages(r, "xx") == WINNOW_ERR_USAGE);
    CHECK(winnow_rules_tune_set(r, "post.link-chars", 30) == WINNOW_ERR_USAGE);

    /* nothing changed */
    size_t enabled_after = 0;
    for (size_t i = 0; i < winnow_rules_count(r); i++)
        enabled_after += winnow_rules_get(r, i, &info) == WINNOW_OK && info.enabled;
    CHECK(winnow_rules_count(r) == count);
    CHECK(enabled_after == enabled);
    CHECK(wn_rules_tune(r, WN_TUNE_POST_LINK_CHARS) == 23);

    /* a new filter over the frozen set is fine (and compiles it again if it were dirty, which
     * would have freed the per-kind arrays the first filters hold) */
    struct tl_sink out3 = {0};
    winnow_filter *f2 = winnow_filter_open(r, NULL, tl_sink_write, &out3, err, sizeof err);
    CHECK(f2 != NULL);
    CHECK_STR(filter_doc(f, &out, text_in), text_out);
    CHECK_STR(filter_doc(fh, &out2, html_in), "Before.\nAfter.\n");
    if (f2) CHECK_STR(filter_doc(f2, &out3, text_in), text_out);
    winnow_filter_free(f);
    winnow_filter_free(fh);
    winnow_filter_free(f2);
    /* frozen for good, even with no filter left */
    CHECK(winnow_rules_disable(r, first_id) == WINNOW_ERR_USAGE);
    winnow_rules_free(r);
    free(out.buf);
    free(out2.buf);
    free(out3.buf);
}

struct learned {
    char text[512];
};

static void learned(void *ctx, const char *name, const char *value, size_t len, int all)
{
    struct learned *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%s=%.*s", all ? "+" : "", name, (int)len, value);
    strcat(l->text, ";");
}

/* learn rules: named groups out, `set` fields on a match, `all` for every match, `of` by kind
 * or id; their keys are refused on other kinds. */
static void test_learn(void)
{
    winnow_rules *r = winnow_rules_new();
    char err[256] = "";
    const char *text = "[h]\nkind = learn\nof = footer, x-id\npattern = @(?<who>\\w+)\n"
                       "[links]\nkind = learn\nof = short-link\nall = 1\nset = site=t\n"
                       "pattern = t\\.co/(?<key>\\w+)\n";
    CHECK(winnow_rules_load_buffer(r, "t.rules", text, strlen(text), err, sizeof err) == 0);
    CHECK(winnow_rules_compile(r, err, sizeof err) == WINNOW_OK);
    struct learned l = {""};
    CHECK(wn_rules_learn(r, "a", "footer", "by @ann and @bob", 16, learned, &l) == 1);
    CHECK_STR(l.text, "who=ann;");
    l.text[0] = 0;
    CHECK(wn_rules_learn(r, "x-id", "drop-line", "@cy", 3, learned, &l) == 1);
    CHECK_STR(l.text, "who=cy;");
    l.text[0] = 0;
    CHECK(wn_rules_learn(r, "tco", "short-link", "t.co/a t.co/b", 13, learned, &l) == 3);
    CHECK_STR(l.text, "+key=a;+key=b;site=t;");
    l.text[0] = 0;
    CHECK(wn_rules_learn(r, "y", "drop-line", "@dee t.co/c", 11, learned, &l) == 0);
    CHECK_STR(l.text, "");
    winnow_rules_free(r);
    CHECK_STR(load_error("[x]\nkind = drop-line\nof = footer\npattern = a\n"),
              "t.rules:1: rule 'x': 'of', 'set' and 'all' are for learn rules");
}

/* A header-list's `item` pattern: matched against a whole line, only by header-list rules. */
static void test_item(void)
{
    static const char text[] = "[share]\nkind = header-list\nitem = (?i)facebook|x\npattern = s:\n";
    char err[256] = "";
    winnow_rules *r = winnow_rules_new();
    CHECK(winnow_rules_load_buffer(r, "t.rules", text, strlen(text), err, sizeof err) == WINNOW_OK);
    const struct wn_rule *all, *share = NULL;
    size_t n = wn_rules_all(r, &all);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].id, "share") == 0) share = &all[i];
    CHECK(share != NULL);
    if (share) {
        CHECK(wn_rule_item_match(share, "Facebook", 8));
        CHECK(wn_rule_item_match(share, "X", 1));
        CHECK(!wn_rule_item_match(share, "Xylophone", 9)); /* the whole line, not its start */
        CHECK(!wn_rule_item_match(share, "What you need", 13));
        CHECK(!wn_rule_item_match(share, "\xff\xfe", 2)); /* any bytes */
    }
    winnow_rules_free(r);
    CHECK_STR(load_error("[x]\nkind = drop-line\nitem = a\npattern = a\n"),
              "t.rules:1: rule 'x': 'item' is for header-list rules");
    CHECK_STR(load_error("[x]\nkind = header-list\nitem = (\npattern = a\n"),
              "t.rules:1: rule 'x': bad item pattern at offset 1: missing closing parenthesis");
}

TEST_MAIN(test_utf8, test_literals, test_keys, test_match_modes, test_repeated_keys, test_tune,
          test_tune_api, test_tune_documented, test_embed_head, test_freeze, test_learn, test_item)
