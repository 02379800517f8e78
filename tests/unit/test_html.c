/* test_html.c: unit tests for HTML mode (filter/html.c with rules/html.rules): what is dropped,
 * what is kept, how text is laid out, and that odd input splits, encodings and breakage work. */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "html.h"
#include "testlib.h"

/* The text of `page` fed in pieces of `piece` bytes (0: all at once) under `opt` (NULL: the
 * defaults). The result stays valid until the next call. */
static const char *extract_opt(const char *page, size_t len, size_t piece,
                               const struct winnow_options *opt)
{
    static struct tl_sink out;
    out.len = 0;
    if (out.buf) out.buf[0] = 0;
    struct wn_html *h = wn_html_new(tl_shared_rules(), opt, tl_sink_write, &out);
    if (!h) return "(wn_html_new failed)";
    if (piece == 0) piece = len ? len : 1;
    for (size_t i = 0; i < len; i += piece)
        wn_html_push(h, page + i, len - i < piece ? len - i : piece);
    wn_html_finish(h);
    wn_html_free(h);
    return out.buf ? out.buf : "";
}

static const char *extract_n(const char *page, size_t len, size_t piece)
{
    return extract_opt(page, len, piece, NULL);
}

static const char *extract(const char *page)
{
    return extract_n(page, strlen(page), 0);
}

/* The whole filter (HTML module, then the text rules) on one page. */
static const char *filter_page(const char *page, const struct winnow_options *given)
{
    static struct tl_sink out;
    out.len = 0;
    if (out.buf) out.buf[0] = 0;
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    if (given) opt = *given;
    opt.format = WINNOW_FORMAT_HTML;
    winnow_filter *f = winnow_filter_new(tl_shared_rules(), &opt, tl_sink_write, &out);
    if (!f) return "(winnow_filter_new failed)";
    winnow_filter_push(f, page, strlen(page));
    winnow_filter_end_document(f);
    winnow_filter_free(f);
    return out.buf ? out.buf : "";
}

static void test_twitter_embed_dropped(void)
{
    CHECK_STR(
        extract("<html><body><p>Before.</p>"
                "<blockquote class=\"twitter-tweet\" data-lang=\"en\"><p lang=\"en\">Big news "
                "<a href=\"https://t.co/abc\">pic.twitter.com/abc</a></p>&mdash; Some One "
                "(@someone) <a href=\"https://twitter.com/someone/status/1\">May 1, 2019</a>"
                "</blockquote><script async src=\"https://platform.twitter.com/widgets.js\">"
                "</script><p>After.</p></body></html>"),
        "Before.\nAfter.\n");
}

static void test_other_embeds_dropped(void)
{
    CHECK_STR(extract("<p>A</p><blockquote class=\"instagram-media\" data-instgrm-version=\"14\">"
                      "<p>A post shared by Name (@name)</p></blockquote><p>B</p>"),
              "A\nB\n");
    CHECK_STR(extract("<p>A</p><blockquote class=\"tiktok-embed\" cite=\"x\"><section>@handle "
                      "original sound</section></blockquote><p>B</p>"),
              "A\nB\n");
    CHECK_STR(extract("<p>A</p><div class=\"fb-post\" data-href=\"x\"><blockquote>Posted by Name "
                      "on Tuesday</blockquote></div><p>B</p>"),
              "A\nB\n");
    CHECK_STR(extract("<p>A</p><iframe src=\"https://www.youtube.com/embed/xyz\">Watch on YouTube"
                      "</iframe><p>B</p>"),
              "A\nB\n");
    CHECK_STR(extract("<p>A</p><div class=\"embed twitter-timeline extra\">Tweets by x</div>"
                      "<p>B</p>"),
              "A\nB\n");
}

static void test_nested_embeds(void)
{
    CHECK_STR(extract("<p>A</p><div class=\"embed-twitter\"><blockquote class=\"twitter-tweet\">"
                      "<p>outer <blockquote class=\"twitter-tweet\"><p>inner</p></blockquote> "
                      "tail</p></blockquote></div><p>B</p>"),
              "A\nB\n");
}

static void test_embed_inside_kept_blockquote(void)
{
    CHECK_STR(extract("<blockquote><p>A quoted paragraph.</p><blockquote class=\"twitter-tweet\">"
                      "<p>tweet text</p></blockquote><p>More of the quote.</p></blockquote>"),
              "A quoted paragraph.\nMore of the quote.\n");
}

static void test_plain_blockquote_kept(void)
{
    /* Reads like a tweet, but nothing marks it as an embed: it is the article's quotation. */
    CHECK_STR(extract("<p>Trump tweeted:</p><blockquote><p>Happy New Year! "
                      "&mdash; Donald J. Trump (@realDonaldTrump) December 31, 2017</p>"
                      "</blockquote>"),
              "Trump tweeted:\nHappy New Year! \xe2\x80\x94 Donald J. Trump (@realDonaldTrump) "
              "December 31, 2017\n");
}

static const char tweet_page[] =
    "<html><body><p>Before.</p>"
    "<div class=\"embed-twitter\"><blockquote class=\"twitter-tweet\" data-lang=\"en\">"
    "<p lang=\"en\">Big news today</p>&mdash; Some One (@someone) "
    "<a href=\"https://twitter.com/someone/status/1\">May 1, 2019</a></blockquote></div>"
    "<iframe src=\"https://www.youtube.com/embed/xyz\">Watch on YouTube</iframe>"
    "<script async src=\"https://platform.twitter.com/widgets.js\"></script>"
    "<div class=\"related-posts\"><p>Other headline</p></div>"
    "<p>After.</p></body></html>";

static void test_keep_embeds(void)
{
    struct winnow_options keep = {.size = sizeof(struct winnow_options), .keep_embeds = 1};
    /* The HTML module: the embed's subtree is text now; other blocks still go, and so do
     * iframes and scripts, which are never text. */
    CHECK_STR(extract_opt(tweet_page, strlen(tweet_page), 0, &keep),
              "Before.\nBig news today\n\xe2\x80\x94 Some One (@someone) May 1, 2019\n"
              "After.\n");
    CHECK_STR(extract_opt(tweet_page, strlen(tweet_page), 0, NULL), "Before.\nAfter.\n");
    /* The whole filter: the text rules keep the post and its attribution too. */
    CHECK_STR(filter_page(tweet_page, &keep),
              "Before.\nBig news today\n\xe2\x80\x94 Some One (@someone) May 1, 2019\n"
              "After.\n");
    CHECK_STR(filter_page(tweet_page, NULL), "Before.\nAfter.\n");
    /* Ids of rendered embeds are embed rules too. */
    const char *widget = "<p>A</p><div id=\"twitter-widget-0\">post</div><p>B</p>";
    CHECK_STR(extract_opt(widget, strlen(widget), 0, &keep), "A\npost\nB\n");
    CHECK_STR(extract(widget), "A\nB\n");
}

static void test_tco_expanded(void)
{
    /* data-expanded-url, or a title holding a URL, names where the t.co link goes. */
    CHECK_STR(extract("<p>Read <a href=\"https://t.co/AbC1\" "
                      "data-expanded-url=\"https://example.com/story?id=1&amp;x=2\">"
                      "https://t.co/AbC1</a> now.</p>"),
              "Read https://example.com/story?id=1&x=2 now.\n");
    CHECK_STR(extract("<p>See <a href=\"http://t.co/XyZ\" title=\"https://example.org/a/b\">"
                      "t.co/XyZ</a></p>"),
              "See https://example.org/a/b\n");
    /* A title that is not a URL, or no destination at all: the text stays. */
    CHECK_STR(extract("<p>See <a href=\"https://t.co/XyZ\" title=\"a link\">https://t.co/XyZ</a>"
                      "</p>"),
              "See https://t.co/XyZ\n");
    CHECK_STR(extract("<p>See <a href=\"https://t.co/XyZ\">https://t.co/XyZ</a></p>"),
              "See https://t.co/XyZ\n");
    /* Anchor text that is not the t.co URL is the page's own words; it stays. */
    CHECK_STR(extract("<p>See <a href=\"https://t.co/XyZ\" "
                      "data-expanded-url=\"https://example.org/a\">this report</a>.</p>"),
              "See this report.\n");
    /* Only t.co hrefs. */
    CHECK_STR(extract("<p><a href=\"https://example.net/\" title=\"https://example.org/a\">"
                      "https://t.co/XyZ</a></p>"),
              "https://t.co/XyZ\n");
    /* Through the whole filter: offline, a bare t.co link is cut, an expanded one stays, and
     * an anchor text that is already the full URL stays as it is. */
    const char *page = "<html><body><p>One <a href=\"https://t.co/AAA\" "
                       "data-expanded-url=\"https://example.com/one\">https://t.co/AAA</a></p>"
                       "<p>Two <a href=\"https://t.co/BBB\">https://t.co/BBB</a></p>"
                       "<p>Three <a href=\"https://t.co/CCC\">https://example.com/three</a></p>"
                       "</body></html>";
    CHECK_STR(filter_page(page, NULL),
              "One https://example.com/one\nTwo\nThree https://example.com/three\n");
    /* In a kept embed too, and the same for any split of the page. */
    const char *embed = "<p>A</p><blockquote class=\"twitter-tweet\"><p>Look "
                        "<a href=\"https://t.co/q1\" data-expanded-url=\"https://example.com/q\">"
                        "https://t.co/q1</a></p></blockquote>";
    struct winnow_options keep = {.size = sizeof(struct winnow_options), .keep_embeds = 1};
    CHECK_STR(extract_opt(embed, strlen(embed), 0, &keep), "A\nLook https://example.com/q\n");
    CHECK_STR(extract_opt(embed, strlen(embed), 1, &keep), "A\nLook https://example.com/q\n");
}

static void test_chrome_dropped(void)
{
    CHECK_STR(extract("<html><head><title>Title</title><style>p{}</style></head><body>"
                      "<nav>Home News</nav><p>Story.</p><aside>Most read</aside>"
                      "<div class=\"related-posts\"><p>Other headline</p></div>"
                      "<ul class=\"share-buttons\"><li>Facebook</li></ul>"
                      "<div id=\"comments\"><p>First!</p></div>"
                      "<div class=\"newsletter-signup\">Sign up</div>"
                      "<div class=\"ad-slot\">Advertisement</div><noscript>Enable JS</noscript>"
                      "<footer>Copyright</footer></body></html>"),
              "Story.\n");
}

static void test_component_attributes(void)
{
    /* Utility-class pages name their components in data-*module / data-component. */
    CHECK_STR(extract("<section data-ga-module=\"content_body\"><p>Story.</p></section>"
                      "<div class=\"w-full mt-8\" data-module=\"content-list\" "
                      "data-ga-module=\"bibblio-recirc\"><a href=\"/x\">Other story</a></div>"
                      "<div class=\"mt-20\" data-ga-module=\"footer_nl_signup\">By signing up"
                      "</div><div data-spotim-module=\"recirculation\">More</div>"
                      "<div data-component=\"share-bar\">Share</div>"
                      "<div data-chorus-optimize-module=\"entry-body\"><p>Kept.</p></div>"),
              "Story.\nKept.\n");
    /* Other data attributes are data, not names. */
    CHECK_STR(extract("<div data-label=\"related\" data-modules=\"share\"><p>One.</p></div>"),
              "One.\n");
}

static void test_class_traps_kept(void)
{
    /* WordPress post classes, "shared" and layout classes must not drop the story. */
    CHECK_STR(extract("<article class=\"post type-post category-facebook-feature tag-twitter "
                      "tag-share\"><p>One.</p></article>"),
              "One.\n");
    CHECK_STR(extract("<div class=\"shared-content\"><p>Two.</p></div>"), "Two.\n");
    CHECK_STR(extract("<div class=\"content tone-comment\"><p>Three.</p></div>"), "Three.\n");
    CHECK_STR(extract("<div class=\"l-sidebar-fixed l-article-body-segment\"><p>Four.</p></div>"),
              "Four.\n");
    CHECK_STR(extract("<div class=\"content-sidebar-wrap\"><p>Five.</p></div>"), "Five.\n");
    CHECK_STR(extract("<body class=\"single comments-open social\"><p>Six.</p></body>"), "Six.\n");
    CHECK_STR(extract("<div class=\"social\"><p>Seven.</p></div>"), "Seven.\n");
    CHECK_STR(extract("<div class=\"lead thread header\"><p>Eight.</p></div>"), "Eight.\n");
}

static void test_entities(void)
{
    CHECK_STR(extract("<p>Fish &amp; chips &lt;b&gt; &quot;q&quot; &#8217; &#x2014; caf&eacute; "
                      "&nbsp;x</p>"),
              "Fish & chips <b> \"q\" \xe2\x80\x99 \xe2\x80\x94 caf\xc3\xa9 \xc2\xa0x\n");
    /* &#150; means Windows-1252 0x96 to a browser: an en dash, not a C1 control. */
    CHECK_STR(extract("<p>1990&#150;2000</p>"), "1990\xe2\x80\x93"
                                                "2000\n");
}

static void test_br_and_blocks(void)
{
    CHECK_STR(extract("<p>line one<br>line two<br/><br>line three</p><div>a<div>b</div>c</div>"
                      "<h2>Head</h2><ul><li>x</li><li>y</li></ul><table><tr><td>c1</td>"
                      "<td>c2</td></tr></table>"),
              "line one\nline two\nline three\na\nb\nc\nHead\nx\ny\nc1\nc2\n");
}

static void test_whitespace(void)
{
    CHECK_STR(extract("<p>\n   Several   words\n\tacross\r\n lines   </p>"
                      "<p>in<b>line</b> <i>joined</i>  <a href=\"#\">link</a>.</p>"
                      "<p>   </p><p>&nbsp;</p>"),
              "Several words across lines\ninline joined link.\n");
    CHECK_STR(extract("<pre>  code  line\n\tsecond\n\nthird</pre>"),
              "  code  line\n\tsecond\nthird\n");
}

static void test_broken_html(void)
{
    CHECK_STR(extract("<p>one <b>bold <i>both</b> italic?</i></div></span> two<p>three"
                      "<div><p>four</div></p></p>five"),
              "one bold both italic? two\nthree\nfour\nfive\n");
    /* An unterminated embed swallows only itself. */
    CHECK_STR(extract("<p>kept</p><div><blockquote class=\"twitter-tweet\"><p>post</div>"
                      "<p>after</p>"),
              "kept\nafter\n");
    /* A quote opening an attribute name stalls libxml2 2.9's push parser; the text must
     * still come out, in order, at the end of the page. */
    CHECK_STR(extract("<ul class=\"a data-x=\" \"=\"\"><li>item</li></ul><p>after</p>"),
              "item\nafter\n");
}

/* Text that has reached the sink before wn_html_finish. */
static void test_stray_quote_no_stall(void)
{
    struct tl_sink out = {0};
    struct wn_html *h = wn_html_new(tl_shared_rules(), NULL, tl_sink_write, &out);
    size_t cap = 300000, len = 0;
    char *page = malloc(cap);
    len += (size_t)snprintf(page, cap,
                            "<html><body><ul class=\"a data-x=\" \"=\"\"><li>item</li>"
                            "</ul><div\"x\" id=it's>quoted</div>");
    for (int i = 0; len + 100 < cap; i++)
        len += (size_t)snprintf(page + len, cap - len, "<p>para %d</p>\n", i);
    for (size_t i = 0; i < len; i += 4096)
        wn_html_push(h, page + i, len - i < 4096 ? len - i : 4096);
    /* Before the end of the page, most of it is out already. */
    CHECK(out.buf && strncmp(out.buf, "item\nquoted\npara 0\n", 19) == 0);
    CHECK(out.len > len / 2);
    wn_html_finish(h);
    CHECK(out.buf && strstr(out.buf, "para 1000\n") != NULL);
    /* The same text as fed in one piece, where libxml2 never waits. */
    char *whole = strdup(out.buf ? out.buf : "");
    CHECK_STR(extract_n(page, len, 0), whole);
    CHECK_STR(extract_n(page, len, 1), whole);
    free(whole);
    free(out.buf);
    wn_html_free(h);
    free(page);
}

static void test_cut_page(void)
{
    CHECK_STR(extract("<html><body><p>first para</p><p>second <b>unfinished par"),
              "first para\nsecond unfinished par\n");
    CHECK_STR(extract("<html><body><p>text</p><blockquote class=\"twitter-tweet\"><p>cut in"),
              "text\n");
    CHECK_STR(extract("<html><body><p>text</p><div class=\"x"), "text\n");
}

static void test_windows_1252(void)
{
    const char *labelled = "<html><head><meta http-equiv=\"Content-Type\" "
                           "content=\"text/html; charset=windows-1252\"></head>"
                           "<body><p>It\x92s \x93quoted\x94 \x97 caf\xe9 \x80"
                           "5</p></body></html>";
    const char *want = "It\xe2\x80\x99s \xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x94 caf\xc3\xa9 "
                       "\xe2\x82\xac"
                       "5\n";
    CHECK_STR(extract(labelled), want);
    /* Browsers read an iso-8859-1 label, and unlabelled non-UTF-8 bytes, as Windows-1252. */
    CHECK_STR(extract("<meta charset=\"iso-8859-1\"><p>It\x92s \x93quoted\x94 \x97 caf\xe9 \x80"
                      "5</p>"),
              want);
    CHECK_STR(extract("<p>It\x92s \x93quoted\x94 \x97 caf\xe9 \x80"
                      "5</p>"),
              want);
}

static void test_utf8_detection(void)
{
    /* No label: valid UTF-8 is UTF-8 (libxml2 alone would read it as Latin-1). */
    CHECK_STR(extract("<p>Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac</p>"),
              "Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\n");
    /* A byte order mark wins over a wrong label and is not text. */
    CHECK_STR(extract("\xef\xbb\xbf<meta charset=\"windows-1252\"><p>Caf\xc3\xa9</p>"),
              "Caf\xc3\xa9\n");
}

static void test_any_split_same_output(void)
{
    /* Long enough for several internal blocks, with multi-byte characters and tags across
     * every kind of boundary. */
    size_t cap = 200000, len = 0;
    char *page = malloc(cap);
    len += (size_t)snprintf(page, cap, "<html><head><meta charset=\"utf-8\"></head><body>");
    for (int i = 0; len + 400 < cap; i++)
        len += (size_t)snprintf(page + len, cap - len,
                                "<div class=\"c%d\"><p>Para %d: caf\xc3\xa9 \xe6\x97\xa5 &amp; "
                                "<b>bold</b></p><blockquote class=\"twitter-tweet\"><p>t%d</p>"
                                "</blockquote></div>\n",
                                i % 7, i, i);
    len += (size_t)snprintf(page + len, cap - len, "</body></html>");
    char *whole = strdup(extract_n(page, len, 0));
    CHECK(strstr(whole, "Para 0: caf\xc3\xa9 \xe6\x97\xa5 & bold\n") != NULL);
    CHECK(strstr(whole, "t0") == NULL);
    size_t pieces[] = {1, 2, 3, 7, 4095, 16383, 16385};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        const char *split = extract_n(page, len, pieces[i]);
        CHECK(strcmp(split, whole) == 0);
    }
    free(whole);
    free(page);
}

static void test_next_page_after_finish(void)
{
    struct tl_sink out = {0};
    struct wn_html *h = wn_html_new(tl_shared_rules(), NULL, tl_sink_write, &out);
    const char *a = "<html><body><p>page one<blockquote class=\"twitter-tweet\">open";
    const char *b = "<html><body><p>page two</p></body></html>";
    CHECK(wn_html_push(h, a, strlen(a)) == WINNOW_OK);
    CHECK(wn_html_finish(h) == WINNOW_OK);
    CHECK(wn_html_push(h, b, strlen(b)) == WINNOW_OK);
    CHECK(wn_html_finish(h) == WINNOW_OK);
    CHECK_STR(out.buf, "page one\npage two\n");
    wn_html_free(h);
    free(out.buf);
}

static void test_write_error(void)
{
    struct wn_html *h = wn_html_new(tl_shared_rules(), NULL, tl_refuse_write, NULL);
    const char *page = "<p>one</p><p>two</p>";
    wn_html_push(h, page, strlen(page));
    CHECK(wn_html_finish(h) == WINNOW_ERR_WRITE);
    wn_html_free(h);
}

static void test_long_paragraph_capped(void)
{
    size_t n = (3u << 20) + 10;
    char *page = malloc(n + 16);
    memcpy(page, "<p>", 3);
    memset(page + 3, 'x', n);
    memcpy(page + 3 + n, "</p>", 5);
    const char *out = extract_n(page, strlen(page), 65536);
    size_t lines = 0, longest = 0, cur = 0;
    for (const char *p = out; *p; p++) {
        if (*p == '\n') {
            lines++;
            if (cur > longest) longest = cur;
            cur = 0;
        } else {
            cur++;
        }
    }
    CHECK(lines == 4);
    CHECK(longest <= (1u << 20));
    CHECK(strlen(out) == n + lines);
    free(page);
}

/* While it parses, the HTML module puts its own libxml2 error handler in the thread's global
 * slot (so that libxml2's decoders print nothing on stderr); the caller's comes back after. */
static int caller_errors;
static void caller_handler(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
    caller_errors++;
}

static void test_caller_error_handler(void)
{
    static int marker;
    xmlSetStructuredErrorFunc(&marker, caller_handler);
    static const char page[] = "\xff\xfe<\0p\0>\0A\0\0\xd8 \0b\0<\0/\0p\0>\0";
    CHECK_STR(extract_n(page, sizeof page - 1, 0), "A\xef\xbf\xbd b\n");
    CHECK_STR(extract("<p>caf\xe9 <b>x</p></i>"), "caf\xc3\xa9 x\n");
    CHECK(xmlStructuredError == caller_handler);
    CHECK(xmlStructuredErrorContext == &marker);
    CHECK(caller_errors == 0);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

TEST_MAIN(test_caller_error_handler, test_twitter_embed_dropped, test_other_embeds_dropped,
          test_nested_embeds, test_embed_inside_kept_blockquote, test_plain_blockquote_kept,
          test_chrome_dropped, test_class_traps_kept, test_entities, test_br_and_blocks,
          test_whitespace, test_broken_html, test_cut_page, test_windows_1252, test_utf8_detection,
          test_any_split_same_output, test_next_page_after_finish, test_write_error,
          test_long_paragraph_capped, test_keep_embeds, test_tco_expanded,
          test_component_attributes, test_stray_quote_no_stall)
