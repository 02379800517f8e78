/* test_textfeat.c: the per-line features and the post-start character tests, as tables of
 * (input, expected). Pure functions: no rules, no filter. */
#include <stdint.h>

#include "cuts.h"
#include "testlib.h"
#include "textfeat.h"

static const struct wn_feat_limits all = {SIZE_MAX, 23, 0};

static void test_features(void)
{
    static const struct {
        const char *line;
        size_t chars, indent;
        int blank, colon, terminal;
        unsigned hashtags, mentions, emoji, links;
    } rows[] = {
        {"", 0, 0, 1, 0, 0, 0, 0, 0, 0},
        {"   \t ", 0, 5, 1, 0, 0, 0, 0, 0, 0},
        {"Plain story sentence.", 21, 0, 0, 0, 1, 0, 0, 0, 0},
        {"  He wrote on Twitter:  ", 20, 2, 0, 1, 0, 0, 0, 0, 0},
        {"Great day #Derby @club 🎉", 24, 0, 0, 0, 0, 1, 1, 1, 0},
        {"email me at a@b.example or #1", 29, 0, 0, 0, 0, 0, 0, 0, 0},
        {"See https://t.co/AbC and pic.twitter.com/Xy1", 44, 0, 0, 0, 0, 0, 0, 0, 2},
        {"Это предложение.", 16, 0, 0, 0, 1, 0, 0, 0, 0},
        {"هل هذا سؤال؟", 12, 0, 0, 0, 1, 0, 0, 0, 0},
        {"句子。", 3, 0, 0, 0, 1, 0, 0, 0, 0},
        {"Lire aussi\xC2\xA0:", 12, 0, 0, 1, 0, 0, 0, 0, 0},
        {"Bytes \xff\xfe end", 12, 0, 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct wn_feat f;
        wn_feat_compute(rows[i].line, strlen(rows[i].line), &all, &f);
        CHECK(f.chars == rows[i].chars);
        CHECK(f.indent == rows[i].indent);
        CHECK(f.blank == (unsigned)rows[i].blank);
        CHECK(f.colon == (unsigned)rows[i].colon);
        CHECK(f.terminal == (unsigned)rows[i].terminal);
        CHECK(f.hashtags == rows[i].hashtags);
        CHECK(f.mentions == rows[i].mentions);
        CHECK(f.emoji == rows[i].emoji);
        CHECK(f.links == rows[i].links);
        if (f.chars != rows[i].chars) printf("  row %zu: chars %zu\n", i, f.chars);
    }
}

static void test_post_chars(void)
{
    /* X counts every link as 23 characters and attached media as none; emoji as two */
    static const struct {
        const char *line;
        size_t chars;
    } rows[] = {
        {"Hello", 5},
        {"Hello https://example.com/a/very/long/path/that/goes/on/and/on", 6 + 23},
        {"Photo pic.twitter.com/AbCdE", 6},
        {"Goal! 🎉", 8},
        {"t.co/abc", 23},
        {"  indented  ", 8},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t got = wn_post_chars(rows[i].line, strlen(rows[i].line), 23, 0, SIZE_MAX);
        CHECK(got == rows[i].chars);
        if (got != rows[i].chars) printf("  row %zu: %zu\n", i, got);
    }
}

static void test_headline(void)
{
    static const struct {
        const char *line;
        int headline;
    } rows[] = {
        {"China calls for 'joint actions' over security", 1},
        {"A sentence of the story.", 0},
        {"Wait for it...", 1},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct wn_feat f;
        wn_feat_compute(rows[i].line, strlen(rows[i].line), &all, &f);
        CHECK(wn_feat_headline_like(&f, rows[i].line, 200) == rows[i].headline);
    }
    struct wn_feat f;
    const char *longer = "A headline that is longer than ten characters";
    wn_feat_compute(longer, strlen(longer), &all, &f);
    CHECK(!wn_feat_headline_like(&f, longer, 10));
}

/* Each row: a text and the offset of '|' in it marks the position asked about. */
static void test_starts(void)
{
    static const struct {
        const char *text;
        int glued, spaced, sentence;
    } rows[] = {
        {"as you'd expect.|What kind", 1, 0, 0},
        {"he tweeted:|Happy New Year", 1, 0, 0},
        {"within minutes.|Our members", 1, 0, 0},
        {"the verdict.  |Dad and", 0, 1, 1},
        {"the verdict. |Dad and", 0, 0, 1},
        {"version 3.|5 of it", 0, 0, 0},
        {"at 10:|30 today", 0, 0, 0},
        {"U.S.|A", 0, 0, 0},
        {"replied.|@someone thanks", 1, 0, 0},
        {"done.  |“Quoted words", 0, 1, 1},
        {"und gesagt.|Über uns", 1, 0, 0},
        {"word  |lower case", 0, 0, 0},
        {"said Smith |Jones", 0, 0, 0}, /* a letter before the space ends no sentence */
        {"in 2021 |The", 0, 0, 0},
        {"it ended.\" |The", 0, 0, 1}, /* a quote after the mark */
        {"it ended.) |The", 0, 0, 1},
        {"fin… |Puis", 0, 0, 1},
        {"終わり。 |次", 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char buf[128];
        const char *bar = strchr(rows[i].text, '|');
        size_t p = (size_t)(bar - rows[i].text);
        memcpy(buf, rows[i].text, p);
        strcpy(buf + p, bar + 1);
        size_t n = strlen(buf);
        int g = wn_glued_start(buf, p, n), s = wn_spaced_start(buf, p, n),
            t = wn_sentence_start(buf, p, n);
        CHECK(g == rows[i].glued);
        CHECK(s == rows[i].spaced);
        CHECK(t == rows[i].sentence);
        if (g != rows[i].glued || s != rows[i].spaced || t != rows[i].sentence)
            printf("  row %zu: glued %d spaced %d sentence %d\n", i, g, s, t);
    }
}

/* Bytes of every kind where the vector loops change gear: ASCII, marks, blanks, two- to
 * four-byte characters, stray continuation bytes. */
static const char *const pieces[] = {"a",  "Z",  "9",  ".", "!", "?", ":",    " ",    "\t", "\r",
                                     "\v", "\f", "\n", "é", "—", "😀", "\x80", "\xbf", ",",  "(@"};

static size_t random_text(char *buf, size_t cap, unsigned *seed)
{
    size_t n = 0, want = (size_t)(rand_r(seed) % (cap - 8));
    while (n < want) {
        const char *p = pieces[rand_r(seed) % (sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);
        memcpy(buf + n, p, k);
        n += k;
    }
    return n;
}

/* wn_char_starts against a byte-by-byte count, over random ranges of random text. */
static void test_char_starts(void)
{
    char buf[600];
    unsigned seed = 7;
    int bad = 0;
    for (int round = 0; round < 3000; round++) {
        size_t n = random_text(buf, sizeof buf, &seed);
        size_t a = n ? (size_t)rand_r(&seed) % (n + 1) : 0;
        size_t b = a + (n > a ? (size_t)rand_r(&seed) % (n - a + 1) : 0), want = 0;
        for (size_t i = a; i < b; i++)
            want += ((unsigned char)buf[i] & 0xC0) != 0x80;
        bad += wn_char_starts(buf, a, b) != want;
    }
    CHECK(bad == 0);
}

/* The post-start candidates (found 16 bytes at a time) against the plain loop. */
static void test_post_candidates(void)
{
    char buf[600];
    unsigned seed = 11;
    int bad = 0;
    struct wn_cutter c;
    memset(&c, 0, sizeof c);
    for (int round = 0; round < 3000; round++) {
        size_t n = random_text(buf, sizeof buf, &seed);
        if (n < 2) continue;
        size_t ms = 1 + (size_t)rand_r(&seed) % (n - 1), low = (size_t)rand_r(&seed) % (ms + 1);
        if (wn_post_candidates(&c, buf, low, ms)) {
            bad++;
            continue;
        }
        size_t k = 0;
        for (size_t p = low ? low : 1; p <= ms; p++) {
            unsigned char b = (unsigned char)buf[p - 1];
            if (!(b == '.' || b == '!' || b == '?' || b == ':' || wn_is_blank(b))) continue;
            bad += k >= c.ncand || c.cand[k] != p;
            k++;
        }
        bad += k != c.ncand;
    }
    wn_cutter_free(&c);
    CHECK(bad == 0);
}

TEST_MAIN(test_features, test_post_chars, test_headline, test_starts, test_char_starts,
          test_post_candidates)
