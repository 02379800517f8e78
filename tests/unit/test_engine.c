/* test_engine.c: unit tests of the text filter through the public API: each detector, the
 * holds of the streaming window, byte-exact pass-through, and input split at any boundary. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "winnow.h"

struct reports {
    char text[4096];
    int count;
};

static void collect_report(void *ctx, const struct winnow_removal *r)
{
    struct reports *rep = ctx;
    size_t used = strlen(rep->text);
    snprintf(rep->text + used, sizeof rep->text - used, "%llu:%zu:%s|", r->line, r->col,
             r->rule_id);
    rep->count++;
}

/* Runs `in` through a fresh filter, pushing `chunk` bytes at a time (0: all at once). The
 * result is malloc'd. */
static char *run_opts(const char *in, size_t len, size_t chunk, struct winnow_options *opt)
{
    winnow_rules *rules = tl_default_rules();
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    winnow_filter *f = winnow_filter_new(rules, opt, tl_sink_write, &out);
    if (!f) {
        printf("FAIL filter_new\n");
        exit(1);
    }
    if (!chunk) chunk = len ? len : 1;
    for (size_t i = 0; i < len; i += chunk)
        winnow_filter_push(f, in + i, len - i < chunk ? len - i : chunk);
    winnow_filter_end_document(f);
    winnow_filter_free(f);
    winnow_rules_free(rules);
    return out.buf;
}

static char *run(const char *in)
{
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    return run_opts(in, strlen(in), 0, &opt);
}

#define CHECK_RUN(in, want)                                                                        \
    do {                                                                                           \
        char *got_ = run(in);                                                                      \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

static void test_passthrough(void)
{
    CHECK_RUN("", "");
    CHECK_RUN("A plain story.\nSecond paragraph.\n", "A plain story.\nSecond paragraph.\n");
    CHECK_RUN("No final newline", "No final newline");
    CHECK_RUN("CRLF line one.\r\nCRLF line two.\r\n", "CRLF line one.\r\nCRLF line two.\r\n");
    CHECK_RUN("\n\n  \n", "\n\n  \n");
    /* invalid UTF-8 and NUL bytes pass through untouched */
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    const char bad[] = "Bytes \xff\xfe and \xc3( stay.\nA NUL \0 inside.\n";
    char *got = run_opts(bad, sizeof bad - 1, 0, &opt);
    CHECK(memcmp(got, bad, sizeof bad - 1) == 0);
    free(got);
}

static void test_tweet_own_lines(void)
{
    CHECK_RUN("Story before.\n\nThe post text is here pic.twitter.com/AbC123\n\n"
              "— Some Person (@someone) December 15, 2021\n\nStory after.\n",
              "Story before.\n\nStory after.\n");
    /* indented embed over two blocks */
    CHECK_RUN(
        "Intro paragraph of the article.\n\n    First line of the post!\n\n"
        "    Second line #tag pic.twitter.com/xYz\n    — Mr. Poster (@poster) January 30, 2020\n"
        "\nMore story.\n",
        "Intro paragraph of the article.\n\nMore story.\n");
    /* a line that ends in ':' introduces the post; it is not the post */
    CHECK_RUN("He wrote on Twitter:\n— Some Person (@someone) December 15, 2021\nAfter.\n",
              "He wrote on Twitter:\nAfter.\n");
}

static void test_tweet_inline(void)
{
    CHECK_RUN("The senator tweeted:Happy birthday to all of you @friend  Jane Doe (@janedoe) "
              "October 26, 2017Of course, the story goes on.\n",
              "The senator tweeted: Of course, the story goes on.\n");
    /* consecutive posts glued together */
    CHECK_RUN("People answered.First reply here!  Ann Smith (@anns) December 31, 2017second "
              "reply  Bob (@bob) December 31, 2017The story resumes here.\n",
              "People answered. The story resumes here.\n");
    /* whole line: post and attribution with an em dash */
    CHECK_RUN("Intro.\n\nThis is the whole post https://t.co/abcDEF — Name Here (@handle) "
              "May 2, 2018\n\nOutro.\n",
              "Intro.\n\nOutro.\n");
    /* a tweet quoted in prose stays */
    CHECK_RUN("Trump tweeted that \"the media is fake\" on Monday (@realDonaldTrump).\n",
              "Trump tweeted that \"the media is fake\" on Monday (@realDonaldTrump).\n");
}

static void test_short_links(void)
{
    CHECK_RUN("Watch it here https://t.co/AbCd12 and then read on.\n",
              "Watch it here and then read on.\n");
    CHECK_RUN("The photo: pic.twitter.com/Zz9\n", "The photo:\n");
    /* a longer host that merely ends in t.co is not a short link */
    CHECK_RUN("See https://mist.co/abc for details.\n", "See https://mist.co/abc for details.\n");
    struct winnow_options opt = {.size = sizeof(struct winnow_options), .links = WINNOW_LINKS_KEEP};
    const char in[] = "Keep https://t.co/AbCd12 please.\n";
    char *got = run_opts(in, strlen(in), 0, &opt);
    CHECK_STR(got, in);
    free(got);
}

static void test_read_more(void)
{
    CHECK_RUN(
        "Story one.\nREAD MORE: UK seeks Western unity against Russia and China\nStory two.\n",
        "Story one.\nStory two.\n");
    /* a full sentence after the marker is story */
    CHECK_RUN("Read more: the minister said the talks would continue next week.\n",
              "Read more: the minister said the talks would continue next week.\n");
    /* header and its list, with blank lines between items, ended by a credit */
    CHECK_RUN("Story.\n\nRead more:\n\nFirst headline of the list\n\nSecond headline: one with a "
              "colon\n\nDelivered by Some Outlet\n",
              "Story.\n\nDelivered by Some Outlet\n");
    /* indented items end at a line indented otherwise */
    CHECK_RUN("Story.\nRelacionados\n\n    Primer titular de la lista\n    Segundo titular de la "
              "lista\n\nSubtítulo del texto\nMás historia.\n",
              "Story.\n\nSubtítulo del texto\nMás historia.\n");
    /* a headline has four words at least: a shorter line after the list is the story's
     * subheading, and a line ending in a colon introduces what follows */
    CHECK_RUN("Story.\nRead more\nNeighbouring council abandons its pilot\nWhat happens next\n",
              "Story.\nWhat happens next\n");
    CHECK_RUN("Story.\nRead more\nNeighbouring council abandons its pilot\nThe plan in brief:\n"
              "Two new tanks\n",
              "Story.\nThe plan in brief:\nTwo new tanks\n");
    /* more headline-like lines than a list holds: it was story, keep them */
    CHECK_RUN("Related\nThe headline line A\nThe headline line B\nThe headline line C\n"
              "The headline line D\nThe headline line E\nThe headline line F\nThe headline line G\n"
              "The headline line H\nThe headline line I\nThe headline line J\nThe headline line K\n"
              "The headline line L\nThe headline line M\n",
              "The headline line A\nThe headline line B\nThe headline line C\nThe headline line D\n"
              "The headline line E\nThe headline line F\nThe headline line G\nThe headline line H\n"
              "The headline line I\nThe headline line J\nThe headline line K\nThe headline line L\n"
              "The headline line M\n");
    /* a header with no headline under it, story text after it: the story's subheading */
    CHECK_RUN("Story.\nRecommended\nThe first row holds what the service thinks you will like.\n",
              "Story.\nRecommended\nThe first row holds what the service thinks you will like.\n");
    /* ... but with other boilerplate or the end after it, a header all the same */
    CHECK_RUN("Story.\nRelated\n", "Story.\n");
    CHECK_RUN("Texto.\nLee también Un titular sin punto final\nMás texto.\n",
              "Texto.\nMás texto.\n");
    CHECK_RUN("Text (Related: Another outbreak at the park) ends here.\n", "Text ends here.\n");
}

static void test_footer_zone(void)
{
    /* the footer takes the blank lines before it: nothing trails the story */
    CHECK_RUN("The Title\nStory.\n\nTags: a, b\n\nSource: Agencies\n", "The Title\nStory.\n");
    /* Source: in the middle of the story stays */
    CHECK_RUN("Title\nSource: officials said the plan was dead.\nThe story goes on.\n",
              "Title\nSource: officials said the plan was dead.\nThe story goes on.\n");
    /* a repeated title in the footer zone */
    CHECK_RUN("My Headline\nStory text.\n0 Comments\nMy Headline\n", "My Headline\nStory text.\n");
    /* prompts go anywhere; credits stay at the end */
    CHECK_RUN("Title\nStory.\nFollow us on Twitter.\nReporting by A; Editing by B\n",
              "Title\nStory.\nReporting by A; Editing by B\n");
    CHECK_RUN("Title\nStory.\nhttps://example.com/story-url\n", "Title\nStory.\n");
    CHECK_RUN("Title\nStory.\nThe post Title appeared first on Example.\n", "Title\nStory.\n");
}

static void test_embed_residue(void)
{
    CHECK_RUN("Story.\nView this post on Instagram\n\nCaption words #tag\n\n"
              "A post shared by Lady Star (@ladystar) on Mar 4, 2018 at 6:51pm PST\nMore.\n",
              "Story.\nMore.\n");
    /* an unclosed embed is kept (only its marker goes) */
    CHECK_RUN("View this post on Instagram\nJust story.\n", "Just story.\n");
    CHECK_RUN("Story.\nWatch on YouTube\n@dancer ♬ original sound - dancer\nEnd.\n",
              "Story.\nEnd.\n");
    struct winnow_options opt = {.size = sizeof(struct winnow_options), .keep_embeds = 1};
    const char in[] = "Post text\n— Some Person (@someone) December 15, 2021\n";
    char *got = run_opts(in, strlen(in), 0, &opt);
    CHECK_STR(got, in);
    free(got);
}

static void test_languages(void)
{
    CHECK_RUN("Text.\nLesen Sie auch: Die Bahn streikt wieder\nMehr Text.\n",
              "Text.\nMehr Text.\n");
    CHECK_RUN("Texte.\nÀ lire aussi : Le gouvernement recule\nSuite.\n", "Texte.\nSuite.\n");
    CHECK_RUN("Testo.\nLeggi anche: Il governo cade\nAltro.\n", "Testo.\nAltro.\n");
    CHECK_RUN("Texto.\nLeia também: O governo cai\nMais.\n", "Texto.\nMais.\n");
    CHECK_RUN("Текст.\nЧитайте также: Правительство ушло в отставку\nЕще.\n", "Текст.\nЕще.\n");
    CHECK_RUN("Metin.\nAyrıca okuyun: Hükümet istifa etti\nDaha.\n", "Metin.\nDaha.\n");
    CHECK_RUN("نص.\nاقرأ أيضا: الحكومة تستقيل\nالمزيد.\n", "نص.\nالمزيد.\n");
    CHECK_RUN("Titel\nText.\nQuelle: dpa\n", "Titel\nText.\n");
    CHECK_RUN("Başlık\nMetin.\nKaynak: AA\n", "Başlık\nMetin.\n");
    CHECK_RUN("Заголовок\nТекст.\nИсточник: ТАСС\n", "Заголовок\nТекст.\n");
}

/* The streaming window: any split of the input gives the same output. */
static void test_splits(void)
{
    static const char *const docs[] = {
        "Title\nStory before.\n\nThe post text pic.twitter.com/AbC123\n\n"
        "— Some Person (@someone) December 15, 2021\n\nStory after.\nRead more:\nHead one\n"
        "Head two\nMore story.\r\nTags: x\r\nSource: y\r\nTitle",
        "A tweeted:Happy day  Jo (@jo) October 26, 2017Then.\nView this post on Instagram\n"
        "cap\nA post shared by X (@x) on Mar 4, 2018\nend\n",
        "Long " /* a line longer than the take-back window */
        "line line line line line line line line line line line line line line line line line "
        "line line line line line line line line line line line line line line line line line "
        "line line line line line line line line line line line line line line line line line\n"
        "— P (@p) May 1, 2019\n",
        /* an indented embed whose attribution line goes on with story text: cut in place
         * when the line arrives in pieces, which must not lose the indent */
        "Intro paragraph.\n\n    First line of the post!\n\n    Second line #tag\n"
        "    — Mr. P (@mrp) January 30, 2020 and the story goes on here.\n",
    };
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        struct winnow_options opt = {.size = sizeof(struct winnow_options)};
        size_t len = strlen(docs[d]);
        char *whole = run_opts(docs[d], len, 0, &opt);
        static const size_t chunks[] = {1, 2, 3, 7, 13, 64};
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            char *part = run_opts(docs[d], len, chunks[c], &opt);
            CHECK_STR(part, whole);
            free(part);
        }
        free(whole);
    }
}

static void test_explain(void)
{
    struct reports rep = {{0}, 0};
    struct winnow_options opt = {
        .size = sizeof(struct winnow_options), .report = collect_report, .report_ctx = &rep};
    const char in[] = "Story.\nAdvertisement\nSee https://t.co/x1 now.\n";
    char *got = run_opts(in, strlen(in), 0, &opt);
    CHECK_STR(got, "Story.\nSee now.\n");
    /* in input order, though the cut on line 3 is found before line 2 leaves the queue */
    CHECK_STR(rep.text, "2:1:advertisement|3:5:tco-link|");
    free(got);
}

static void test_documents(void)
{
    /* footers and titles are per document */
    winnow_rules *rules = tl_default_rules();
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    winnow_filter *f = winnow_filter_new(rules, NULL, tl_sink_write, &out);
    const char a[] = "Alpha\nStory A.\nSource: X\n", b[] = "Beta\nSource: Y\nStory B.\nAlpha\n";
    winnow_filter_push(f, a, strlen(a));
    winnow_filter_end_document(f);
    winnow_filter_push(f, b, strlen(b));
    winnow_filter_end_document(f);
    CHECK_STR(out.buf, "Alpha\nStory A.\nBeta\nSource: Y\nStory B.\nAlpha\n");
    struct winnow_stats st;
    winnow_filter_stats(f, &st);
    CHECK(st.lines_in == 7);
    CHECK(st.lines_removed == 1);
    winnow_filter_free(f);
    winnow_rules_free(rules);
    free(out.buf);
}

static void check_rules_error(const char *text, const char *want)
{
    char err[256] = "";
    winnow_rules *r = winnow_rules_new();
    int rc = winnow_rules_load_buffer(r, "t.rules", text, strlen(text), err, sizeof err);
    CHECK(rc == WINNOW_ERR_RULES);
    if (strstr(err, want) == NULL) {
        printf("FAIL rules error: got [%s], want it to contain [%s]\n", err, want);
        tl_failed++;
    } else {
        tl_passed++;
    }
    winnow_rules_free(r);
}

static void test_rules_file(void)
{
    check_rules_error("[x]\nkind = drop-line\n", "t.rules:1: rule 'x' has no pattern");
    check_rules_error("[x]\npattern = a\n", "t.rules:1: rule 'x' has no kind");
    check_rules_error("[x]\nkind = nope\npattern = a\n", "t.rules:2: unknown kind 'nope'");
    check_rules_error("# c\n[x]\nkind = drop-line\npattern = a(b\n",
                      "t.rules:4: rule 'x': bad pattern");
    check_rules_error("kind = drop-line\n", "t.rules:1: setting outside a rule");
    check_rules_error("[Bad Id]\n", "t.rules:1: rule id 'Bad Id'");
    check_rules_error("[x]\nkind = drop-line\ncolour = red\npattern = a\n",
                      "t.rules:3: unknown key 'colour'");
    check_rules_error("[x]\nkind = drop-line\npattern = a\npattern = b\n",
                      "t.rules:4: 'pattern' given twice");
    check_rules_error("[x]\nkind = header-list\nitems = -3\npattern = a\n",
                      "t.rules:3: 'items' takes");

    /* a user rule works, and can be disabled */
    char err[256];
    winnow_rules *r = winnow_rules_new();
    const char user[] = "[site-promo]\nkind = drop-line\nlang = en\npattern = Headline: [^\\n]*$\n";
    CHECK(winnow_rules_load_buffer(r, "u.rules", user, strlen(user), err, sizeof err) == 0);
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    winnow_filter *f = winnow_filter_new(r, NULL, tl_sink_write, &out);
    const char in[] = "Story.\nHeadline: Buy gold now\n";
    winnow_filter_push(f, in, strlen(in));
    winnow_filter_end_document(f);
    CHECK_STR(out.buf, "Story.\n");
    winnow_filter_free(f);
    /* the filter froze that set: disabling takes a new one */
    winnow_rules_free(r);
    r = winnow_rules_new();
    CHECK(winnow_rules_load_buffer(r, "u.rules", user, strlen(user), err, sizeof err) == 0);
    CHECK(winnow_rules_disable(r, "site-promo") == WINNOW_OK);
    CHECK(winnow_rules_disable(r, "no-such-rule") == WINNOW_ERR_USAGE);
    out.len = 0;
    f = winnow_filter_new(r, NULL, tl_sink_write, &out);
    winnow_filter_push(f, in, strlen(in));
    winnow_filter_end_document(f);
    CHECK_STR(out.buf, in);
    winnow_filter_free(f);
    winnow_rules_free(r);
    free(out.buf);
}

static void test_languages_restrict(void)
{
    winnow_rules *r = tl_default_rules();
    winnow_rules_restrict_languages(r, "de");
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    winnow_filter *f = winnow_filter_new(r, NULL, tl_sink_write, &out);
    const char in[] = "Text.\nREAD MORE: An English headline\nLesen Sie auch: Ein Titel\n";
    winnow_filter_push(f, in, strlen(in));
    winnow_filter_end_document(f);
    CHECK_STR(out.buf, "Text.\nREAD MORE: An English headline\n");
    winnow_filter_free(f);
    winnow_rules_free(r);
    free(out.buf);
}

static void test_write_error(void)
{
    winnow_rules *r = tl_default_rules();
    winnow_filter *f = winnow_filter_new(r, NULL, tl_refuse_write, NULL);
    const char in[] = "A long enough line to be written straight away, longer than the window? "
                      "No, but the end of the document flushes it.\n";
    winnow_filter_push(f, in, strlen(in));
    CHECK(winnow_filter_end_document(f) == WINNOW_ERR_WRITE);
    CHECK(winnow_filter_push(f, in, strlen(in)) == WINNOW_ERR_WRITE);
    char *out = NULL;
    size_t n = 0; /* the failure stays the filter's: not "out of memory" */
    CHECK(winnow_filter_clean(f, in, strlen(in), &out, &n) == WINNOW_ERR_WRITE && !out);
    winnow_filter_free(f);
    winnow_rules_free(r);
}

/* winnow_filter_clean: a whole document into memory, the same bytes a push_last writes, the
 * write callback not called, with and without the guard; reports as for a push. */
static void test_clean_into_memory(void)
{
    static const char doc[] = "Story line one, long enough to be kept as the story.\n\n"
                              "READ MORE: A headline that goes\n\nLast line of the story.\n";
    for (int guarded = 0; guarded < 2; guarded++) {
        struct tl_sink want = {0}, called = {0};
        char err[256];
        struct winnow_options o;
        winnow_options_init(&o);
        o.max_removal = guarded ? 0.9 : 0;
        winnow_filter *a =
            winnow_filter_open(tl_shared_rules(), &o, tl_sink_write, &want, err, sizeof err);
        winnow_filter *b =
            winnow_filter_open(tl_shared_rules(), &o, tl_sink_write, &called, err, sizeof err);
        CHECK(a && b);
        if (!a || !b) return;
        tl_sink_write(&want, "", 0);
        CHECK(winnow_filter_push_last(a, doc, sizeof doc - 1) == WINNOW_OK);
        for (int round = 0; round < 2; round++) { /* the filter serves the next document */
            char *out = NULL;
            size_t n = 0;
            CHECK(winnow_filter_clean(b, doc, sizeof doc - 1, &out, &n) == WINNOW_OK);
            CHECK(out && n == strlen(want.buf) && out[n] == 0);
            if (out) CHECK_STR(out, want.buf);
            winnow_free(out);
        }
        CHECK(called.len == 0); /* its write callback was not called */
        CHECK(winnow_filter_clean(b, doc, 3, NULL, NULL) == WINNOW_ERR_USAGE);
        winnow_filter_free(a);
        winnow_filter_free(b);
        free(want.buf);
        free(called.buf);
    }
}

TEST_MAIN(test_clean_into_memory, test_passthrough, test_tweet_own_lines, test_tweet_inline,
          test_short_links, test_read_more, test_footer_zone, test_embed_residue, test_languages,
          test_splits, test_explain, test_documents, test_rules_file, test_languages_restrict,
          test_write_error)
