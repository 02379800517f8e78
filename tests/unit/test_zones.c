/* test_zones.c: the context passes fed synthetic label sequences, as jusText tests its
 * revision pass: each case is a list of lines with the label the rules would give them; the
 * pass decides; the test reads the states. No rules, no PCRE2. */
#include <stdint.h>

#include "rules.h"
#include "testlib.h"
#include "zones.h"

static long tune[WN_TUNE_COUNT];
static const struct wn_feat_limits all = {SIZE_MAX, 23, 0};

static void init_tune(void)
{
    int i = 0;
#define WN_T(e, name, def, min, max, doc) tune[i++] = def;
    WN_TUNABLES(WN_T)
#undef WN_T
}

/* In the expected states below, k is kept, d dropped (attribution and link-only lines are
 * always dropped: their text was cut), p still pending. */

/* One synthetic line: 'T' text, 'B' blank, 'A' attribution (the line is cut away), 'L' link
 * only (cut away), 'D' other boilerplate, 'F' footer, 'H' list header, 'E' embed start. */
struct row {
    char kind;
    const char *text;
};

struct run {
    struct wn_window w;
    struct wn_doc doc;
    void *zone[3];
};

static const struct wn_zone_ops *const ops[3] = {&wn_zone_embed_ops, &wn_zone_list_ops,
                                                 &wn_zone_footer_ops};

/* Feeds the rows through the three passes as the engine does; returns the states as a
 * string: k keep, d drop, p pending (before the document's end). */
static void feed(const struct row *rows, size_t n, char *states, int end_doc)
{
    struct run r = {0};
    r.zone[0] = wn_zone_embed_new();
    r.zone[1] = wn_zone_list_new();
    r.zone[2] = wn_zone_footer_new();
    wn_zone_embed_set_span(r.zone[0], 280);
    static const struct wn_rule read_more = {.items = 12, .span = 200}; /* the defaults */
    wn_zone_list_set_header(r.zone[1], &read_more);
    int last_colon = 0, last_blank = 0;
    for (size_t i = 0; i < n; i++) {
        const char *text = rows[i].kind == 'A' || rows[i].kind == 'L' ? "" : rows[i].text;
        struct wn_line *l = wn_window_push(&r.w, text, strlen(text));
        wn_feat_compute(text, strlen(text), &all, &l->feat);
        l->feat.post_chars = wn_post_chars(rows[i].text, strlen(rows[i].text), 23, 0, SIZE_MAX);
        l->above_colon = (unsigned char)last_colon;
        l->indent0 = wn_leading_space(rows[i].text, strlen(rows[i].text));
        switch (rows[i].kind) {
        case 'B':
            l->label = WN_LABEL_BLANK;
            break;
        case 'A':
            l->label = WN_LABEL_ATTRIBUTION;
            l->state = WN_DROP;
            break;
        case 'L':
            l->label = WN_LABEL_CUT_AWAY;
            l->state = WN_DROP;
            l->cut_link = 1;
            break;
        case 'D':
            l->label = WN_LABEL_DROP;
            l->state = WN_DROP;
            break;
        case 'F': /* the rule: what the title-repeat fallback compares */
            l->label = WN_LABEL_FOOTER;
            l->rule_id = strncmp(rows[i].text, "Source", 6) == 0 ? "source-footer" : "footer";
            break;
        case 'H':
            l->label = WN_LABEL_LIST_HEADER;
            l->state = WN_DROP;
            break;
        case 'E':
            l->label = WN_LABEL_EMBED_START;
            l->state = WN_DROP;
            break;
        default:
            l->label = WN_LABEL_TEXT;
            break;
        }
        if (rows[i].kind == 'B') {
            if (!last_blank && r.doc.nonblank) r.doc.blank_after++;
            last_blank = 1;
        } else {
            r.doc.nonblank++;
            last_blank = 0;
            last_colon = l->feat.colon;
        }
        struct wn_ctx c = {.w = &r.w,
                           .doc = &r.doc,
                           .tune = tune,
                           .attribution_rule = rows[i].kind == 'A' ? "tweet-attribution" : NULL,
                           .attribution_span = 280,
                           .title_rule = "title-repeat",
                           .title_line = 0, /* no title: the zones alone */
                           .limits = &all};
        for (int z = 0; z < 3; z++)
            if (ops[z]->line(r.zone[z], &c, wn_window_end(&r.w) - 1)) break;
    }
    if (end_doc) {
        struct wn_ctx c = {
            .w = &r.w, .doc = &r.doc, .tune = tune, .title_rule = "title-repeat", .limits = &all};
        for (int z = 0; z < 3; z++)
            ops[z]->end_doc(r.zone[z], &c);
    }
    for (size_t i = 0; i < n; i++) {
        const struct wn_line *l = wn_window_at(&r.w, i);
        states[i] = l->state == WN_KEEP ? 'k' : l->state == WN_DROP ? 'd' : 'p';
    }
    states[n] = 0;
    wn_window_free(&r.w);
    for (int z = 0; z < 3; z++)
        free(r.zone[z]);
}

#define CASE(want, end_doc, ...)                                                                   \
    do {                                                                                           \
        static const struct row rows[] = {__VA_ARGS__};                                            \
        char got[64];                                                                              \
        feed(rows, sizeof rows / sizeof rows[0], got, end_doc);                                    \
        CHECK_STR(got, want);                                                                      \
    } while (0)

static const char story[] =
    "A long paragraph of the story that goes on well past the length of any single post, "
    "with names, places and the quotes that make it news, so that no take-back may climb over "
    "it and the climb must stop right here, whatever the layout of the document around it is, "
    "and however short the lines above and below it may turn out to be.";

static void test_take_back(void)
{
    /* no blank lines: the climb stops at a line the post's bound cannot hold; with no mark of
     * the post's start, only the line above the attribution and post-like lines go */
    CASE("kkkdd", 1, {'T', "Headline"}, {'T', story}, {'T', "Post text first line."},
         {'T', "Second line #tag"}, {'A', "— A (@a) May 1, 2024"});
    CASE("kkddd", 1, {'T', "Headline"}, {'T', story}, {'T', "Post text 🎉 first line."},
         {'T', "Second line #tag"}, {'A', "— A (@a) May 1, 2024"});
    /* a line ending in ':' introduces the post and stays */
    CASE("kkdd", 1, {'T', story}, {'T', "The club wrote:"}, {'T', "We won! #cup"},
         {'A', "— Club (@club) May 1, 2024"});
    /* ... unless the line above it introduces it in turn: then it is the post's first line */
    CASE("kkddd", 1, {'T', story}, {'T', "The operator said:"}, {'T', "Update on the line:"},
         {'T', "No trains run today."}, {'A', "— Rail (@rail) May 1, 2024"});
    /* ... or it carries the post's own signals */
    CASE("kddd", 1, {'T', story}, {'T', "#Breaking here is the news:"}, {'T', "More words."},
         {'A', "— A (@a) May 1, 2024"});
    /* a link-only line belongs to the post */
    CASE("kdddk", 1, {'T', story}, {'T', "Post words."}, {'L', "pic.twitter.com/x"},
         {'A', "— A (@a) May 1, 2024"}, {'T', "After."});
    /* an attribution closes its post: the fact box after it is story, and the next post's
     * climb stops at the story */
    CASE("kddkkdd", 1, {'T', story}, {'T', "First post"}, {'A', "— A (@a) May 1, 2024"},
         {'T', "Fact box line"}, {'T', story}, {'T', "Second post"}, {'A', "— B (@b) May 1, 2024"});
    /* two posts in a row: the second climbs to the first's attribution and no further */
    CASE("kdddd", 1, {'T', story}, {'T', "First post"}, {'A', "— A (@a) May 1, 2024"},
         {'T', "Here we go again 👀"}, {'A', "— B (@b) May 1, 2024"});
    CASE("kddk", 1, {'T', story}, {'T', "Post"}, {'A', "— A (@a) May 1, 2024"}, {'T', "Key facts"});
    /* a post first in the document */
    CASE("ddk", 1, {'T', "Historic day for us all 🤝"}, {'A', "— A (@a) 3 June 2023"},
         {'T', story});
    /* other boilerplate above the post stops the climb */
    CASE("kddd", 1, {'T', story}, {'D', "Read more: a headline"}, {'T', "Post"},
         {'A', "— A (@a) May 1, 2024"});
}

static void test_take_back_blank_lines(void)
{
    /* blank lines between all lines (layout): with no line introducing the post, a story
     * sentence above a blank line is kept, post-like paragraphs (emoji, hashtags, a link) go */
    CASE("kkkkkkdkdkdkd", 1, {'T', story}, {'B', ""}, {'T', "The final whistle went at five."},
         {'B', ""}, {'T', "He posted it on his page."}, {'B', ""}, {'T', "🏆🏆🏆"}, {'B', ""},
         {'T', "WINNERS! #cup"}, {'B', ""}, {'L', "pic.twitter.com/x"}, {'B', ""},
         {'A', "— Club (@club) May 7, 2023"});
    /* ... and where a line introduces it, every paragraph between it and the attribution is
     * the post's (a Facebook post of two plain paragraphs) */
    CASE("kkkkdkdkd", 1, {'T', story}, {'B', ""}, {'T', "The school posted an update:"}, {'B', ""},
         {'T', "Dear parents, the school stays closed on Friday."}, {'B', ""},
         {'T', "Thank you for your offers of help."}, {'B', ""},
         {'A', "Posted by the school on Thursday, November 16, 2023"});
    CASE("kkkkdkdkdkdkd", 1, {'T', story}, {'B', ""}, {'T', "The club summed it up:"}, {'B', ""},
         {'T', "What a day for us all."}, {'B', ""}, {'T', "🏆🏆🏆"}, {'B', ""},
         {'T', "WINNERS! #cup"}, {'B', ""}, {'L', "pic.twitter.com/x"}, {'B', ""},
         {'A', "— Club (@club) May 7, 2023"});
    /* blank lines used sparingly: a blank line above a post line separates it from the story */
    CASE("kkkddd", 1, {'T', story}, {'T', "Short story line."}, {'B', ""}, {'T', "Post one"},
         {'T', "Post two"}, {'A', "— A (@a) May 1, 2024"});
    /* an indented embed keeps its indent over blank lines */
    CASE("kkdkddd", 1, {'T', story}, {'B', ""}, {'T', "    First line!"}, {'B', ""},
         {'T', "    Second #tag"}, {'L', "    pic.twitter.com/x"},
         {'A', "    — Mr. P (@p) January 30, 2020"});
}

static void test_lists(void)
{
    /* a header, headlines, story: the list goes */
    CASE("dddk", 1, {'H', "Related"}, {'T', "First headline"}, {'T', "Second headline"},
         {'T', story});
    /* a credit ends a list, and a sentence-final full stop is not a headline */
    CASE("ddk", 1, {'H', "Read more:"}, {'T', "A headline"}, {'T', "A sentence of the story."});
    /* thirteen headlines: more than a list holds, so it was story */
    CASE("dkkkkkkkkkkkkk", 1, {'H', "Related"}, {'T', "h1"}, {'T', "h2"}, {'T', "h3"}, {'T', "h4"},
         {'T', "h5"}, {'T', "h6"}, {'T', "h7"}, {'T', "h8"}, {'T', "h9"}, {'T', "h10"},
         {'T', "h11"}, {'T', "h12"}, {'T', "h13"});
}

static void test_footer(void)
{
    /* footer lines at the end go; a headline between footer lines is the title's repeat */
    CASE("kdddd", 1, {'T', story}, {'F', "Source: Wire and agencies"},
         {'T', "The article's title again"}, {'F', "Source: Aggregator"}, {'F', "0 Comments"});
    /* ... between two footer lines of one kind: between a Source line and a counter, a
     * headline-like line is the story's credit or bio */
    CASE("kdkd", 1, {'T', story}, {'F', "Source: Wire and agencies"},
         {'T', "Main photo: Wire / Agency"}, {'F', "0 Comments"});
    /* story after footer-like lines: they were story */
    CASE("kkkk", 1, {'T', story}, {'F', "Source: a senior official said this."},
         {'T', "A subheading"}, {'T', story});
    /* a headline-like last line not followed by a footer line is kept */
    CASE("kdk", 1, {'T', story}, {'F', "Source: Wire"}, {'T', "An author's closing line"});
    /* before the end, footer lines wait */
    CASE("kp", 0, {'T', story}, {'F', "Tags: a, b"});
}

TEST_MAIN(init_tune, test_take_back, test_take_back_blank_lines, test_lists, test_footer)
