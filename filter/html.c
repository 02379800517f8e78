/* html.c: turns an HTML page into article text lines with libxml2's push (SAX) parser, dropping
 * social embeds, scripts and related/share/comment blocks by the rules in rules/html.rules. */
#include "html.h"

#include <errno.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "rules.h"

/* A paragraph longer than this is written out in pieces, so a page that never ends a block
 * (one huge <pre>, a text dump) cannot make memory grow with the page. */
#define WN_HTML_MAX_LINE (1u << 20)

/* The most elements open at once (see cap_depth); Blink's limit. */
#define WN_HTML_MAX_DEPTH 512

/* Pages arrive in any split; libxml2 gets them in blocks of this size (see wn_html_push). */
#define WN_HTML_BLOCK 16384

/* The most of an open start tag held while its '>' is awaited: past it, the bytes inside its
 * quoted values are skipped (the values cut short, their quotes kept), so a 100 MB attribute
 * (an inline image, a framework's state) costs this, not three times its size. Attribute
 * values are never article text; the few winnow reads (class, href) are short. */
#define WN_HTML_TAG_HOLD (256u << 10)

/* The most of a dropped block's text a report holds (its byte range names all of it). */
#define WN_HTML_REPORT_TEXT 4096

/* Attribute values seen before and what the rules said about them; pages repeat the same
 * class strings hundreds of times, and each miss costs one regex run per rule. */
#define WN_HTML_CACHE_SLOTS 1024
#define WN_HTML_CACHE_MAX_VALUE 120

/* What the rules and the rendering say about one tag name, looked up once per name: pages use
 * a few dozen names thousands of times. */
#define WN_HTML_TAG_SLOTS 256
#define WN_HTML_TAG_MAX_NAME 15
enum {
    TAG_KNOWN = 1, /* the slot holds a verdict */
    TAG_DROP = 2,  /* an html-drop-element rule matches: the subtree goes */
    TAG_BLOCK = 4, /* starts and ends a line */
    TAG_PRE = 8,   /* white space is kept */
    TAG_BR = 16,   /* a line break */
    TAG_A = 32,    /* an anchor (t.co expansion) */
    TAG_PAGE = 64, /* html or body: never dropped by attributes */
    TAG_SRC = 128  /* iframe, script, embed, object: src checked by html-embed-src */
};

struct tag_info {
    unsigned char flags;
    char name[WN_HTML_TAG_MAX_NAME + 1];
};

struct attr_verdict {
    uint64_t hash; /* 0: empty slot */
    unsigned char len;
    unsigned char drop;
    char value[WN_HTML_CACHE_MAX_VALUE];
};

struct wn_html {
    winnow_rules *rules;
    int (*emit)(void *ctx, const char *buf, size_t len);
    void *emit_ctx;

    htmlParserCtxtPtr parser;
    htmlSAXHandler sax;
    pcre2_match_data *match;
    const struct wn_rule **drop_elements, **drop_attrs, **embed_attrs, **embed_srcs;
    size_t drop_element_count, drop_attr_count, embed_attr_count, embed_src_count;
    struct attr_verdict *cache;
    struct tag_info tags[WN_HTML_TAG_SLOTS];

    /* An open <a> whose href is a t.co link and that names the link's destination
     * (data-expanded-url or a title holding a URL): if its visible text is the t.co URL,
     * that text becomes the destination when the anchor ends. */
    char *anchor_url;
    size_t anchor_url_len;
    size_t anchor_start;          /* where the anchor's text begins in `line` */
    unsigned long anchor_flushes; /* `flushes` when it opened: a line break abandons it */
    int anchor_open;
    unsigned long flushes;

    /* Nesting depth inside the dropped subtree (0: not dropping); libxml2 reports an end for
     * every start it reports, closing implied and unclosed elements itself, so counting is
     * enough and no element stack of our own is needed. */
    unsigned long drop_depth;
    unsigned long pre_depth;

    char *line;
    size_t line_len, line_cap;
    int pending_space; /* collapsed white space waiting for the next visible character */

    char block[WN_HTML_BLOCK];
    size_t block_len;

    /* Reports (NULL: none asked): each dropped block, and where each line of text began in
     * the page, so that what the text rules find is placed in the page, not in its text. */
    winnow_report_fn report;
    void *report_ctx;
    const struct wn_rule *drop_rule; /* what dropped the open block */
    struct wn_html_pos drop_at;      /* where its start tag began */
    char *drop_text;                 /* its text, white space collapsed, at most ... */
    size_t drop_text_len;            /* ... WN_HTML_REPORT_TEXT bytes */
    struct wn_html_pos line_at;      /* where the line being built began */
    size_t skipped;                  /* the byte order mark's bytes, not given to libxml2 */
    unsigned long long page_bytes;   /* of the page so far */
    unsigned long long *line_starts; /* where each of its lines after the first begins */
    size_t nlines, lines_cap;

    /* a start tag longer than a block: the blocks after it, until its end (see tag_ends) */
    int holding;
    struct buf held;
    /* a comment, script or style left open a block long: what follows is not given to libxml2
     * (nor kept) until its end (see skip_to_end); `discarded` keeps the page's offsets right */
    char skip_end[24]; /* "-->" or "</script" ...; "" when not skipping */
    size_t skip_len;
    char skip_tail[24]; /* the last bytes seen, in case the end is cut by a block */
    size_t skip_tail_len;
    unsigned long long discarded;
    unsigned char tag_quote; /* inside a value quoted so */
    int tag_after_eq;        /* the last byte outside quotes and blanks was '=' */
    size_t tag_lib_held;     /* of the open tag, the bytes libxml2 has (from its '<') */
    /* the bytes of the held tag's values skipped (see hold_tag), and where in what libxml2
     * reads the first of them would have been: positions past it are that much further on */
    unsigned long long tag_cut, tag_cut_at;

    /* A page in another encoding than UTF-8 or Windows-1252 is converted here, with iconv, not
     * by libxml2, whose conversion stops at the first byte the encoding has no character for
     * and loses the rest of the page (issue 10, item 2): such a byte becomes U+FFFD, as a
     * browser shows it, and the page goes on; the first is reported. */
    iconv_t cd;       /* (iconv_t)-1: no conversion */
    char charset[64]; /* its name, for the report */
    int split_at_lt;  /* '<' is never a trail byte (not ISO-2022): runs end there */
    int unit;         /* bytes a character is made of at least: 2 in UTF-16, else 1 */
    struct buf conv;  /* a block converted */
    char carry[8];    /* a character cut by the end of a block */
    size_t carry_len;
    unsigned long long conv_in, conv_out;    /* page bytes read, UTF-8 bytes written */
    unsigned long long bad_bytes, first_bad; /* bytes replaced; the first one's offset */
    /* libxml2 says what it could not decode on stderr, whatever the parser's options, through
     * its thread's global error handler: while it parses a page, that handler is ours
     * (quiet_begin), and the first such message is reported as html-encoding-error. */
    char lib_error[160];
    struct wn_html_pos lib_error_at;
    xmlStructuredErrorFunc saved_handler;
    void *saved_handler_ctx;
    struct conv_mark {
        unsigned long long utf8, page;
    } * marks; /* reports only: where each '<' went, so positions map back to the page */
    size_t nmarks, marks_cap;

    int sniffed; /* the page's encoding has been chosen (from its first block) */
    int status;  /* first error (emit failure, out of memory); sticks until finish */
};

/* Elements whose start and end break the line, as a browser renders them. */
static const char *const block_elements[] = {
    "address",  "article",    "aside",   "blockquote", "body",   "caption", "center",
    "dd",       "details",    "dialog",  "dir",        "div",    "dl",      "dt",
    "fieldset", "figcaption", "figure",  "footer",     "form",   "h1",      "h2",
    "h3",       "h4",         "h5",      "h6",         "header", "hgroup",  "hr",
    "html",     "legend",     "li",      "main",       "menu",   "nav",     "ol",
    "p",        "pre",        "section", "summary",    "table",  "tbody",   "td",
    "tfoot",    "th",         "thead",   "tr",         "ul",     "option",  "frameset",
    "noframes", "title",      "listing", "plaintext",  "xmp"};

static int is_block(const char *name)
{
    for (size_t i = 0; i < sizeof block_elements / sizeof block_elements[0]; i++)
        if (strcmp(name, block_elements[i]) == 0) return 1;
    return 0;
}

static int is_pre(const char *name)
{
    return strcmp(name, "pre") == 0 || strcmp(name, "listing") == 0 ||
           strcmp(name, "textarea") == 0 || strcmp(name, "plaintext") == 0 ||
           strcmp(name, "xmp") == 0;
}

static void fail(struct wn_html *h, int status)
{
    if (h->status == WINNOW_OK) h->status = status;
    if (h->parser) xmlStopParser(h->parser);
}

/* A line of &nbsp; or zero-width spaces shows as blank, so it is not a line of text. */
static int only_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
        } else if (n - i >= 2 && memcmp(s + i, "\xc2\xa0", 2) == 0) {
            i += 2;
        } else if (n - i >= 3 && (memcmp(s + i, "\xe2\x80\x8b", 3) == 0 ||
                                  memcmp(s + i, "\xe3\x80\x80", 3) == 0)) {
            i += 3;
        } else {
            return 0;
        }
    }
    return 1;
}

/* ---- positions in the page, for reports ------------------------------------------------
 * libxml2 says how many of the page's bytes it has consumed and on which line it is; a place
 * `back` bytes behind its cursor is found from there (exact for UTF-8 pages; in others a
 * multi-byte character counts as its UTF-8 length). */

/* The page offset of a place in the text libxml2 reads (converted pages: by the marks). */
static unsigned long long page_of(const struct wn_html *h, unsigned long long u)
{
    if (h->cd == (iconv_t)-1) return u;
    if (!h->nmarks || u < h->marks[0].utf8) { /* no mark before it: in proportion */
        unsigned long long p =
            h->conv_out ? (unsigned long long)((double)u * (double)h->conv_in / (double)h->conv_out)
                        : u;
        return p < h->conv_in ? p : h->conv_in;
    }
    size_t lo = 0, hi = h->nmarks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->marks[mid].utf8 <= u)
            lo = mid;
        else
            hi = mid;
    }
    unsigned long long p = h->marks[lo].page + (u - h->marks[lo].utf8);
    unsigned long long limit = lo + 1 < h->nmarks ? h->marks[lo + 1].page : h->conv_in;
    return p < limit ? p : limit; /* past non-ASCII text the bytes' lengths differ */
}

/* The line and column of a page offset: its line is the number of line starts at or before
 * it (a binary search of those note_lines keeps). */
static struct wn_html_pos page_pos(const struct wn_html *h, unsigned long long offset)
{
    size_t lo = 0, hi = h->nlines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->line_starts[mid] <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (struct wn_html_pos){offset, lo + 1,
                                (size_t)(offset - (lo ? h->line_starts[lo - 1] : 0)) + 1};
}

static struct wn_html_pos page_at(struct wn_html *h, size_t back)
{
    struct wn_html_pos at = {0, 1, 1};
    xmlParserInputPtr in = h->parser ? h->parser->input : NULL;
    if (!in || !in->cur || !in->base) return at;
    if ((size_t)(in->cur - in->base) < back) back = (size_t)(in->cur - in->base);
    long consumed = xmlByteConsumed(h->parser);
    unsigned long long u = consumed > (long)back ? (unsigned long long)consumed - back : 0;
    if (h->tag_cut && u >= h->tag_cut_at) u += h->tag_cut;
    at.offset = h->skipped + page_of(h, h->discarded + u);
    return page_pos(h, at.offset);
}

/* The page's lines, as its bytes arrive (reports only): 8 bytes a line. */
static void note_lines(struct wn_html *h, const char *buf, size_t len)
{
    for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        if (h->nlines == h->lines_cap) {
            size_t cap = h->lines_cap ? h->lines_cap * 2 : 1024;
            unsigned long long *g = realloc(h->line_starts, cap * sizeof *g);
            if (!g) return; /* positions on later lines come out as on this one */
            h->line_starts = g;
            h->lines_cap = cap;
        }
        h->line_starts[h->nlines++] = h->page_bytes + (unsigned long long)(p - buf) + 1;
    }
    h->page_bytes += len;
}

void wn_html_line_at(const struct wn_html *h, struct wn_html_pos *at)
{
    *at = h->line_at;
}

/* Which rule drops the element starting here (should_drop said one does). */
static const struct wn_rule *first_match(struct wn_html *h, const struct wn_rule *const *rules,
                                         size_t count, const char *subject)
{
    size_t len = strlen(subject), ms, me;
    for (size_t i = 0; i < count; i++)
        if (wn_rule_match(rules[i], subject, len, 0, h->match, &ms, &me)) return rules[i];
    return NULL;
}

static int names_component(const char *key);

static const struct wn_rule *dropping_rule(struct wn_html *h, const char *tag, const xmlChar **atts)
{
    const struct wn_rule *r = first_match(h, h->drop_elements, h->drop_element_count, tag);
    for (size_t i = 0; !r && atts && atts[i]; i += 2) {
        const char *key = (const char *)atts[i], *value = (const char *)atts[i + 1];
        if (!value) continue;
        if (strcmp(key, "class") == 0 || strcmp(key, "id") == 0 || strcmp(key, "role") == 0 ||
            names_component(key)) {
            r = first_match(h, h->drop_attrs, h->drop_attr_count, value);
            if (!r) r = first_match(h, h->embed_attrs, h->embed_attr_count, value);
        } else if (strcmp(key, "src") == 0 || strcmp(key, "data") == 0 ||
                   strcmp(key, "data-src") == 0) {
            r = first_match(h, h->embed_srcs, h->embed_src_count, value);
        }
    }
    return r;
}

/* A block starts to be dropped: where its start tag's '<' stands, and by which rule. */
static void drop_begins(struct wn_html *h, const char *tag, const xmlChar **atts)
{
    xmlParserInputPtr in = h->parser->input;
    size_t back = 0;
    if (in && in->cur && in->base)
        while (in->cur - back > in->base && in->cur[-(long)back] != '<')
            back++;
    h->drop_at = page_at(h, back);
    h->drop_rule = dropping_rule(h, tag, atts);
    h->drop_text_len = 0;
}

static int is_collapsible_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text inside a dropped block, kept for its report. */
static void drop_text(struct wn_html *h, const char *s, size_t n)
{
    if (!h->drop_text && !(h->drop_text = malloc(WN_HTML_REPORT_TEXT))) return;
    for (size_t i = 0; i < n && h->drop_text_len < WN_HTML_REPORT_TEXT; i++) {
        int space = is_collapsible_space((unsigned char)s[i]);
        if (space && (!h->drop_text_len || h->drop_text[h->drop_text_len - 1] == ' ')) continue;
        h->drop_text[h->drop_text_len++] = space ? ' ' : s[i];
    }
}

/* The dropped block ended (its end tag read, or the page's end): one removal, its byte range
 * in the page (offset, span), its first line and column, its rule and its text. */
static void drop_ends(struct wn_html *h)
{
    size_t n = h->drop_text_len;
    while (n && h->drop_text[n - 1] == ' ')
        n--;
    while (n && h->drop_text_len - n < 3 && ((unsigned char)h->drop_text[n - 1] & 0xC0) == 0x80 &&
           h->drop_text_len == WN_HTML_REPORT_TEXT)
        n--; /* a character the cap cut in two goes */
    struct wn_html_pos end = page_at(h, 0);
    struct winnow_removal r = {h->drop_at.line,
                               h->drop_at.col,
                               h->drop_rule ? h->drop_rule->id : "html-drop",
                               h->drop_text ? h->drop_text : "",
                               n,
                               h->drop_at.offset,
                               WINNOW_STAGE_TEXT,
                               end.offset > h->drop_at.offset ? end.offset - h->drop_at.offset : 0};
    h->report(h->report_ctx, &r);
}

static void flush_line(struct wn_html *h)
{
    h->pending_space = 0;
    h->flushes++;
    if (h->line_len == 0) return;
    if (only_blank(h->line, h->line_len)) {
        h->line_len = 0;
        return;
    }
    h->line[h->line_len] = '\n';
    size_t len = h->line_len + 1;
    h->line_len = 0;
    if (h->status == WINNOW_OK && h->emit(h->emit_ctx, h->line, len) != 0)
        fail(h, WINNOW_ERR_WRITE);
}

static int reserve(struct wn_html *h, size_t more)
{
    /* +1 keeps room for the "\n" that flush_line adds. */
    if (h->line_len + more + 1 <= h->line_cap) return 1;
    size_t cap = h->line_cap ? h->line_cap : 256;
    while (cap < h->line_len + more + 1)
        cap *= 2;
    char *n = realloc(h->line, cap);
    if (!n) {
        fail(h, WINNOW_ERR_NOMEM);
        return 0;
    }
    h->line = n;
    h->line_cap = cap;
    return 1;
}

/* UTF-8 of Windows-1252 0x80..0x9F, or NULL where that code page leaves a hole. */
static const char *const cp1252_c1[32] = {
    "\xe2\x82\xac", NULL,           "\xe2\x80\x9a", "\xc6\x92",     "\xe2\x80\x9e", "\xe2\x80\xa6",
    "\xe2\x80\xa0", "\xe2\x80\xa1", "\xcb\x86",     "\xe2\x80\xb0", "\xc5\xa0",     "\xe2\x80\xb9",
    "\xc5\x92",     NULL,           "\xc5\xbd",     NULL,           NULL,           "\xe2\x80\x98",
    "\xe2\x80\x99", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\xa2", "\xe2\x80\x93", "\xe2\x80\x94",
    "\xcb\x9c",     "\xe2\x84\xa2", "\xc5\xa1",     "\xe2\x80\xba", "\xc5\x93",     NULL,
    "\xc5\xbe",     "\xc5\xb8"};

/* Appends one character (all its UTF-8 bytes), writing the line out first when it is full. */
static void put_char(struct wn_html *h, const char *s, size_t n)
{
    if (h->line_len + n > WN_HTML_MAX_LINE) flush_line(h);
    if (h->pending_space) {
        h->pending_space = 0;
        if (h->line_len && reserve(h, 1)) h->line[h->line_len++] = ' ';
    }
    if (!reserve(h, n)) return;
    memcpy(h->line + h->line_len, s, n);
    h->line_len += n;
}

static size_t utf8_length(unsigned char lead)
{
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

static void on_text(void *ctx, const xmlChar *text, int len)
{
    struct wn_html *h = ctx;
    if (h->drop_depth && h->report && len > 0) drop_text(h, (const char *)text, (size_t)len);
    if (h->drop_depth || h->status != WINNOW_OK || len <= 0) return;
    const char *s = (const char *)text;
    size_t n = (size_t)len;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        /* a line's first character: where it stands in the page, for the reports */
        if (h->report && !h->line_len && !is_collapsible_space(c)) h->line_at = page_at(h, n - i);
        if (c < 0x80) {
            if (h->pre_depth) {
                if (c == '\n')
                    flush_line(h);
                else if (c != '\r')
                    put_char(h, s + i, 1);
            } else if (is_collapsible_space(c)) {
                if (h->line_len) h->pending_space = 1;
            } else {
                put_char(h, s + i, 1);
            }
            i++;
            continue;
        }
        size_t clen = utf8_length(c);
        if (clen > n - i) clen = n - i;
        /* C1 controls never belong in text: they come from Windows-1252 pages labelled (or
         * guessed) ISO-8859-1, and from &#128;-style references, which browsers both read as
         * Windows-1252. */
        if (c == 0xC2 && clen == 2 && (unsigned char)s[i + 1] <= 0x9F) {
            const char *w = cp1252_c1[(unsigned char)s[i + 1] - 0x80];
            if (w) {
                put_char(h, w, strlen(w));
                i += 2;
                continue;
            }
        }
        put_char(h, s + i, clen);
        i += clen;
    }
}

static int matches_any(struct wn_html *h, const struct wn_rule *const *rules, size_t count,
                       const char *subject)
{
    size_t len = strlen(subject), ms, me;
    for (size_t i = 0; i < count; i++)
        if (wn_rule_match(rules[i], subject, len, 0, h->match, &ms, &me)) return 1;
    return 0;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t x = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        x = (x ^ (unsigned char)s[i]) * 1099511628211ull;
    return x ? x : 1;
}

static int attr_rules_match(struct wn_html *h, const char *value)
{
    return matches_any(h, h->drop_attrs, h->drop_attr_count, value) ||
           matches_any(h, h->embed_attrs, h->embed_attr_count, value);
}

static int attr_drops(struct wn_html *h, const char *value)
{
    size_t len = strlen(value);
    if (len == 0 || h->drop_attr_count + h->embed_attr_count == 0) return 0;
    if (len > WN_HTML_CACHE_MAX_VALUE || !h->cache) return attr_rules_match(h, value);
    uint64_t hash = hash_bytes(value, len);
    struct attr_verdict *slot = &h->cache[hash % WN_HTML_CACHE_SLOTS];
    if (slot->hash == hash && slot->len == len && memcmp(slot->value, value, len) == 0)
        return slot->drop;
    int drop = attr_rules_match(h, value);
    slot->hash = hash;
    slot->len = (unsigned char)len;
    slot->drop = (unsigned char)drop;
    memcpy(slot->value, value, len);
    return drop;
}

/* Attributes that name a page component the way a class does, for CMSs whose classes are
 * only layout utilities: data-module="content-list", data-ga-module="bibblio-recirc",
 * data-chorus-optimize-module, data-spotim-module, data-component="share-bar". */
static int names_component(const char *key)
{
    if (strncmp(key, "data-", 5) != 0) return 0;
    size_t n = strlen(key);
    return (n >= 11 && strcmp(key + n - 6, "module") == 0) || strcmp(key, "data-component") == 0;
}

static unsigned tag_flags_uncached(struct wn_html *h, const char *name)
{
    unsigned f = TAG_KNOWN;
    if (matches_any(h, h->drop_elements, h->drop_element_count, name)) f |= TAG_DROP;
    if (is_block(name)) f |= TAG_BLOCK;
    if (is_pre(name)) f |= TAG_PRE;
    if (strcmp(name, "br") == 0) f |= TAG_BR;
    if (strcmp(name, "a") == 0) f |= TAG_A;
    /* The page itself is never dropped by its attributes: body classes describe the page
     * ("single-post comments-open"), not a block within it. */
    if (strcmp(name, "html") == 0 || strcmp(name, "body") == 0) f |= TAG_PAGE;
    if (strcmp(name, "iframe") == 0 || strcmp(name, "script") == 0 || strcmp(name, "embed") == 0 ||
        strcmp(name, "object") == 0)
        f |= TAG_SRC;
    return f;
}

static unsigned tag_flags(struct wn_html *h, const char *name)
{
    size_t len = strlen(name);
    if (len > WN_HTML_TAG_MAX_NAME) return tag_flags_uncached(h, name);
    struct tag_info *slot = &h->tags[hash_bytes(name, len) % WN_HTML_TAG_SLOTS];
    if (slot->flags && strcmp(slot->name, name) == 0) return slot->flags;
    slot->flags = (unsigned char)tag_flags_uncached(h, name);
    memcpy(slot->name, name, len + 1);
    return slot->flags;
}

/* Whether the element starting here goes with its whole subtree. */
static int should_drop(struct wn_html *h, unsigned flags, const xmlChar **atts)
{
    if (flags & TAG_DROP) return 1;
    if (flags & TAG_PAGE) return 0;
    int has_src = (flags & TAG_SRC) != 0;
    for (size_t i = 0; atts && atts[i]; i += 2) {
        const char *key = (const char *)atts[i], *value = (const char *)atts[i + 1];
        if (!value) continue;
        if (strcmp(key, "class") == 0 || strcmp(key, "id") == 0 || strcmp(key, "role") == 0 ||
            names_component(key)) {
            if (attr_drops(h, value)) return 1;
        } else if (has_src && (strcmp(key, "src") == 0 || strcmp(key, "data") == 0 ||
                               strcmp(key, "data-src") == 0)) {
            if (matches_any(h, h->embed_srcs, h->embed_src_count, value)) return 1;
        }
    }
    return 0;
}

/* ---- t.co links resolved from their anchor -------------------------------------------- */

/* Longest destination URL taken from an anchor; a longer one is left alone. */
#define WN_HTML_MAX_URL 4096

/* Skips "http://" or "https://" (any case); returns s when there is neither. */
static const char *skip_scheme(const char *s, size_t len)
{
    if (len >= 7 && strncasecmp(s, "http://", 7) == 0) return s + 7;
    if (len >= 8 && strncasecmp(s, "https://", 8) == 0) return s + 8;
    return s;
}

static int has_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ') return 1;
    return 0;
}

/* A t.co link, with or without its scheme: "https://t.co/AbC12", "t.co/AbC12". */
static int is_tco(const char *s, size_t len)
{
    const char *p = skip_scheme(s, len);
    size_t rest = len - (size_t)(p - s);
    return rest > 5 && strncasecmp(p, "t.co/", 5) == 0 && !has_space(p, rest);
}

/* A full http(s) URL that is not itself a t.co link. */
static int is_full_url(const char *s, size_t len)
{
    const char *p = skip_scheme(s, len);
    size_t rest = len - (size_t)(p - s);
    return p != s && rest > 0 && len <= WN_HTML_MAX_URL && !has_space(s, len) && !is_tco(s, len);
}

static const char *attr_value(const xmlChar **atts, const char *key)
{
    for (size_t i = 0; atts && atts[i]; i += 2)
        if (strcasecmp((const char *)atts[i], key) == 0) return (const char *)atts[i + 1];
    return NULL;
}

static void open_anchor(struct wn_html *h, const xmlChar **atts)
{
    h->anchor_open = 0;
    const char *href = attr_value(atts, "href");
    if (!href || !is_tco(href, strlen(href))) return;
    const char *candidates[] = {attr_value(atts, "data-expanded-url"), attr_value(atts, "title")};
    for (size_t i = 0; i < 2; i++) {
        const char *url = candidates[i];
        if (!url || !is_full_url(url, strlen(url))) continue;
        size_t n = strlen(url);
        if (!h->anchor_url) h->anchor_url = malloc(WN_HTML_MAX_URL);
        if (!h->anchor_url) return; /* the visible t.co text just stays */
        memcpy(h->anchor_url, url, n);
        h->anchor_url_len = n;
        h->anchor_start = h->line_len;
        h->anchor_flushes = h->flushes;
        h->anchor_open = 1;
        return;
    }
}

/* At the anchor's end: its visible text, if that is the t.co URL, becomes the destination. An
 * anchor text that is already a full URL needs nothing: only t.co text is short-link text. */
static void close_anchor(struct wn_html *h)
{
    h->anchor_open = 0;
    if (h->anchor_flushes != h->flushes || h->anchor_start > h->line_len) return;
    size_t a = h->anchor_start;
    while (a < h->line_len && h->line[a] == ' ')
        a++;
    if (!is_tco(h->line + a, h->line_len - a)) return;
    h->line_len = a;
    if (reserve(h, h->anchor_url_len)) {
        memcpy(h->line + h->line_len, h->anchor_url, h->anchor_url_len);
        h->line_len += h->anchor_url_len;
    }
}

static void on_end(void *ctx, const xmlChar *tag);

/* Deeper than WN_HTML_MAX_DEPTH open elements, a new element goes beside its parent rather
 * than inside it, as Blink builds (its limit is 512): the parent is closed first, for libxml2
 * (taken off its stack of open elements) and for us (its end event). libxml2 looks through the
 * whole stack at every end tag that closes nothing, so 100,000 unclosed <b> and then as many
 * stray </i> took quadratic time (issue 10, item 6); now each look is at most this deep. */
static void cap_depth(struct wn_html *h, const xmlChar *tag)
{
    htmlParserCtxtPtr c = h->parser;
    if (!c || c->nameNr <= WN_HTML_MAX_DEPTH || !c->nameTab) return;
    /* the new element is on top (libxml2 pushes it before it reports it) */
    int at = c->nameNr - 1;
    if (xmlStrEqual(c->nameTab[at], tag)) at--;
    if (at < 1) return;
    const xmlChar *parent = c->nameTab[at];
    memmove(&c->nameTab[at], &c->nameTab[at + 1],
            (size_t)(c->nameNr - at - 1) * sizeof *c->nameTab);
    c->nameNr--;
    c->name = c->nameTab[c->nameNr - 1];
    on_end(h, parent);
}

static void on_start(void *ctx, const xmlChar *tag, const xmlChar **atts)
{
    struct wn_html *h = ctx;
    cap_depth(h, tag);
    if (h->drop_depth) {
        /* Void elements get an end event too, so every start counts. */
        h->drop_depth++;
        return;
    }
    unsigned flags = tag_flags(h, (const char *)tag);
    if (should_drop(h, flags, atts)) {
        if (h->report) drop_begins(h, (const char *)tag, atts);
        /* A dropped block still separates the text around it. */
        if (flags & TAG_BLOCK)
            flush_line(h);
        else if (h->line_len)
            h->pending_space = 1;
        h->drop_depth = 1;
        return;
    }
    if (flags & (TAG_BR | TAG_BLOCK)) flush_line(h);
    if (flags & TAG_PRE) h->pre_depth++;
    if (flags & TAG_A) open_anchor(h, atts);
}

static void on_end(void *ctx, const xmlChar *tag)
{
    struct wn_html *h = ctx;
    if (h->drop_depth) {
        if (--h->drop_depth == 0 && h->report) drop_ends(h);
        return;
    }
    unsigned flags = tag_flags(h, (const char *)tag);
    if (h->anchor_open && (flags & TAG_A)) close_anchor(h);
    if ((flags & TAG_PRE) && h->pre_depth) h->pre_depth--;
    if (flags & TAG_BLOCK) flush_line(h);
}

static int start_parser(struct wn_html *h)
{
    h->drop_depth = h->pre_depth = 0;
    h->anchor_open = 0;
    h->line_len = 0;
    h->pending_space = 0;
    h->block_len = 0;
    h->sniffed = 0;
    if (h->cd != (iconv_t)-1) iconv_close(h->cd);
    h->cd = (iconv_t)-1;
    h->carry_len = h->nmarks = 0;
    h->conv_in = h->conv_out = h->bad_bytes = 0;
    h->unit = 1;
    h->lib_error[0] = 0;
    h->holding = 0;
    h->held.len = 0;
    h->skip_len = h->skip_tail_len = 0;
    h->discarded = 0;
    h->tag_cut = 0;
    /* The encoding is set once the first block is in (choose_encoding). */
    h->parser = htmlCreatePushParserCtxt(&h->sax, h, NULL, 0, NULL, XML_CHAR_ENCODING_NONE);
    if (!h->parser) return WINNOW_ERR_NOMEM;
    htmlCtxtUseOptions(h->parser, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET);
    return WINNOW_OK;
}

struct wn_html *wn_html_new(winnow_rules *rules, const struct winnow_options *opt,
                            int (*emit)(void *ctx, const char *buf, size_t len), void *ctx)
{
    struct wn_html *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->rules = rules;
    h->emit = emit;
    h->emit_ctx = ctx;
    if (opt) {
        h->report = opt->report;
        h->report_ctx = opt->report_ctx;
    }
    h->drop_element_count = wn_rules_of_kind(rules, WN_KIND_HTML_DROP_ELEMENT, &h->drop_elements);
    h->drop_attr_count = wn_rules_of_kind(rules, WN_KIND_HTML_DROP_ATTR, &h->drop_attrs);
    /* --embeds=keep: embeds stay as text, and the text rules (which skip embed rules then
     * too) leave their attribution lines alone. */
    if (!opt || !opt->keep_embeds) {
        h->embed_attr_count = wn_rules_of_kind(rules, WN_KIND_HTML_EMBED_ATTR, &h->embed_attrs);
        h->embed_src_count = wn_rules_of_kind(rules, WN_KIND_HTML_EMBED_SRC, &h->embed_srcs);
    }
    h->match = pcre2_match_data_create(wn_rules_max_captures(rules), NULL);
    h->cache = calloc(WN_HTML_CACHE_SLOTS, sizeof *h->cache);
    h->cd = (iconv_t)-1;
    h->sax.startElement = on_start;
    h->sax.endElement = on_end;
    h->sax.characters = on_text;
    /* libxml2 calls white space between inline elements "ignorable"; a browser shows it. */
    h->sax.ignorableWhitespace = on_text;
    h->sax.cdataBlock = on_text;
    if (!h->match || !h->cache || start_parser(h) != WINNOW_OK) {
        wn_html_free(h);
        return NULL;
    }
    return h;
}

static int starts_with_caseless(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) >= n && strncasecmp(s, word, n) == 0;
}

/* The charset named by the first <meta> that names one (charset="..." or
 * content="...; charset=..."), copied into name; 0 when there is none. */
static int meta_charset(const char *s, size_t len, char *name, size_t cap)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
        if (!starts_with_caseless(p, end, "<meta")) continue;
        const char *gt = memchr(p, '>', (size_t)(end - p));
        const char *tag_end = gt ? gt : end;
        for (const char *q = p + 5; q < tag_end; q++) {
            if (!starts_with_caseless(q, tag_end, "charset")) continue;
            q += 7;
            while (q < tag_end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
                q++;
            if (q == tag_end || *q != '=') continue;
            q++;
            while (q < tag_end && (*q == ' ' || *q == '\t' || *q == '"' || *q == '\''))
                q++;
            size_t n = 0;
            while (q + n < tag_end && n + 1 < cap &&
                   (isalnum((unsigned char)q[n]) || strchr("-_.:", q[n])))
                n++;
            if (n == 0) continue;
            memcpy(name, q, n);
            name[n] = 0;
            return 1;
        }
    }
    return 0;
}

/* Whether s holds UTF-8 only; a character cut by the end of a full block counts as valid. */
static int valid_utf8(const unsigned char *s, size_t len, int cut_ok)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (n == 0) return 0;
        for (size_t k = 1; k < n; k++) {
            if (i + k >= len) return cut_ok;
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        }
        i += n;
    }
    return 1;
}

static int label_is(const char *name, const char *const *labels)
{
    for (; *labels; labels++)
        if (strcasecmp(name, *labels) == 0) return 1;
    return 0;
}

/* Chooses the page's encoding from its first block as a browser does: byte order mark, then
 * a <meta> charset, then UTF-8 if the bytes are valid UTF-8, else Windows-1252. libxml2 is
 * then told to ignore <meta>: left alone, 2.9 reads an unlabelled UTF-8 page as Latin-1.
 * Returns how many bytes of the block (a byte order mark) are not page text. */
static size_t choose_encoding(struct wn_html *h, const char *buf, size_t len, int whole_page)
{
    static const char *const utf8_labels[] = {"utf-8",    "utf8",     "unicode-1-1-utf-8", "utf-16",
                                              "utf-16le", "utf-16be", "unicode",           NULL};
    /* Browsers read all of these as Windows-1252; Latin-1 plus the C1 mapping in on_text
     * is the same, and libxml2's own Latin-1 decoder never stops on an unmapped byte. */
    static const char *const cp1252_labels[] = {
        "windows-1252",   "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1",
        "iso_8859-1",     "latin1", "l1",       "us-ascii",   "ascii",
        "ansi_x3.4-1968", "cp819",  "ibm819",   "iso-ir-100", NULL};
    /* Labels whose WHATWG meaning is a superset that iconv knows by another name. */
    static const char *const supersets[][2] = {
        {"gb2312", "GBK"},           {"gb_2312-80", "GBK"}, {"shift_jis", "CP932"},
        {"sjis", "CP932"},           {"x-sjis", "CP932"},   {"euc-kr", "CP949"},
        {"ks_c_5601-1987", "CP949"}, {"tis-620", "CP874"},  {"iso-8859-11", "CP874"}};
    xmlParserCtxtPtr ctxt = h->parser;
    const unsigned char *u = (const unsigned char *)buf;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
        return 3;
    }
    /* UTF-16 by iconv too: libxml2's own decoder stops at a lone surrogate and loses the rest
     * of the page. A code unit it cannot read becomes one U+FFFD. */
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        const char *name = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        h->cd = iconv_open("UTF-8", name);
        if (h->cd != (iconv_t)-1) {
            snprintf(h->charset, sizeof h->charset, "%s", name);
            h->split_at_lt = 0;
            h->unit = 2;
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
        } else {
            xmlSwitchEncoding(ctxt,
                              u[0] == 0xFF ? XML_CHAR_ENCODING_UTF16LE : XML_CHAR_ENCODING_UTF16BE);
        }
        return 2;
    }
    char name[64];
    if (meta_charset(buf, len, name, sizeof name)) {
        if (label_is(name, utf8_labels)) {
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
            return 0;
        }
        if (label_is(name, cp1252_labels)) {
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_8859_1);
            return 0;
        }
        const char *iconv_name = name;
        for (size_t i = 0; i < sizeof supersets / sizeof supersets[0]; i++)
            if (strcasecmp(name, supersets[i][0]) == 0) iconv_name = supersets[i][1];
        /* not UTF-7, which browsers do not read (it hid scripts from filters) */
        if (strncasecmp(name, "utf-7", 5) != 0 && strncasecmp(name, "unicode-1-1-utf-7", 17))
            h->cd = iconv_open("UTF-8", iconv_name);
        if (h->cd == (iconv_t)-1 && iconv_name != name) h->cd = iconv_open("UTF-8", name);
        if (h->cd != (iconv_t)-1) {
            snprintf(h->charset, sizeof h->charset, "%s", name);
            h->split_at_lt = strncasecmp(name, "iso-2022", 8) != 0 &&
                             strncasecmp(name, "utf-16", 6) != 0 && strncasecmp(name, "utf-7", 5);
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
            return 0;
        }
        int utf7 =
            strncasecmp(name, "utf-7", 5) == 0 || strncasecmp(name, "unicode-1-1-utf-7", 17) == 0;
        xmlCharEncodingHandlerPtr handler = utf7 ? NULL : xmlFindCharEncodingHandler(iconv_name);
        if (!handler && !utf7 && iconv_name != name) handler = xmlFindCharEncodingHandler(name);
        if (handler) {
            xmlSwitchToEncoding(ctxt, handler);
            return 0;
        }
    }
    if (valid_utf8(u, len, !whole_page))
        xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
    else
        xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_8859_1);
    return 0;
}

/* libxml2 2.9.14 resumes a look-ahead for the '>' of a start tag where the last chunk ended,
 * remembering that it was inside a quoted attribute value (the hasPErefs bit) but not which
 * quote opened it, so no quote closes the value and the parser waits for the end of the page,
 * holding all of it in memory. Rescanning that tag from its '<' is cheap and right. */
static void restart_lookahead(xmlParserCtxtPtr ctxt)
{
    if (ctxt->hasPErefs & 1) {
        ctxt->checkIndex = 0;
        ctxt->hasPErefs = 0;
    }
}

static int tag_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int tag_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c == '.';
}

static int tag_name_char(unsigned char c)
{
    return tag_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Skips a name as htmlParseHTMLName reads it (at most 100 characters). */
static size_t skip_tag_name(const unsigned char *p, size_t i, size_t n)
{
    for (size_t k = 0; i < n && k < 100 && tag_name_char(p[i]); k++)
        i++;
    return i;
}

/* Walks the start tag at p[0] == '<' as htmlParseStartTag parses it and turns each quote that
 * it does not read as an attribute value's delimiter (in an attribute name it skips as bogus,
 * as in <ul class="a" "=""> or <div"x">, or inside an unquoted value) into '?'. libxml2 skips
 * those runs, so the parse is the same, but its push look-ahead for the tag's '>' counts every
 * quote and, fed an odd number, waits for the end of the page holding all of it. Returns
 * whether a byte changed. */
static int neutralise_stray_quotes(unsigned char *p, size_t n)
{
    if (n < 2 || p[0] != '<' || !tag_name_start(p[1])) return 0;
    int changed = 0;
    size_t i = skip_tag_name(p, 1, n);
    while (i < n) {
        while (i < n && tag_blank(p[i]))
            i++;
        if (i >= n || p[i] == '>' || (p[i] == '/' && i + 1 < n && p[i + 1] == '>')) break;
        if (tag_name_start(p[i])) {
            i = skip_tag_name(p, i, n);
            while (i < n && tag_blank(p[i]))
                i++;
            if (i >= n || p[i] != '=') continue;
            i++;
            while (i < n && tag_blank(p[i]))
                i++;
            if (i < n && (p[i] == '"' || p[i] == '\'')) {
                unsigned char q = p[i++];
                while (i < n && p[i] != q)
                    i++;
                if (i >= n) break; /* an unterminated value: libxml2 reads on, and so do we */
                i++;
                continue;
            }
            for (; i < n && !tag_blank(p[i]) && p[i] != '>'; i++)
                if (p[i] == '"' || p[i] == '\'') p[i] = '?', changed = 1;
            continue;
        }
        for (; i < n && !tag_blank(p[i]) && p[i] != '>' &&
               !(p[i] == '/' && i + 1 < n && p[i + 1] == '>');
             i++)
            if (p[i] == '"' || p[i] == '\'') p[i] = '?', changed = 1;
    }
    return changed;
}

/* When libxml2 sits on a start tag with a block or more of page unparsed, its look-ahead may
 * be stuck on stray quotes: neutralise them in its input buffer and let it go on. */
static void unstall(struct wn_html *h)
{
    xmlParserInputPtr in = h->parser->input;
    for (int round = 0; round < 64 && in && in->cur && in->end; round++) {
        if (h->parser->instate == XML_PARSER_EOF) return;
        size_t avail = (size_t)(in->end - in->cur);
        if (avail < WN_HTML_BLOCK) return;
        if (!neutralise_stray_quotes((unsigned char *)(uintptr_t)in->cur, avail)) return;
        h->parser->checkIndex = 0;
        h->parser->hasPErefs &= ~1;
        htmlParseChunk(h->parser, NULL, 0, 0);
        in = h->parser->input;
    }
}

/* ---- a start tag longer than a block -----------------------------------------------------
 * libxml2 looks for the '>' of a start tag again from its '<' each time a block comes (see
 * restart_lookahead), so a tag with a 16 MB attribute value cost 1,000 scans of it (13.9 s;
 * issue 10, item 5). A start tag still open after a block is scanned here instead, once, the
 * blocks after it held back until its '>' (outside a quoted value) has come; then libxml2 gets
 * them in one piece and reads the tag once. What libxml2 reads is the page's bytes in order
 * either way, and when it is fed depends on those bytes alone. */

/* Scans s[0..n) of an open start tag for its end; the state carries over between calls. */
/* One byte of an open start tag: 1 when it is the tag's '>' (outside a quoted value). */
static int tag_step(struct wn_html *h, unsigned char c)
{
    if (h->tag_quote) {
        if (c == h->tag_quote) h->tag_quote = 0;
    } else if (c == '>') {
        return 1;
    } else if ((c == '"' || c == '\'') && h->tag_after_eq) {
        h->tag_quote = c;
    }
    if (!h->tag_quote && !tag_blank(c)) h->tag_after_eq = c == '=';
    return 0;
}

static int tag_ends(struct wn_html *h, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tag_step(h, s[i])) return 1;
    return 0;
}

/* After a parse: is libxml2 sitting on a start tag a block long that has not ended? */
static int stalled_in_tag(struct wn_html *h)
{
    xmlParserInputPtr in = h->parser->input;
    if (!in || !in->cur || !in->end || in->end - in->cur < WN_HTML_BLOCK) return 0;
    if (in->cur[0] != '<' || !tag_name_start(in->cur[1])) return 0;
    h->tag_quote = 0;
    h->tag_after_eq = 0;
    h->tag_lib_held = (size_t)(in->end - in->cur);
    return !tag_ends(h, in->cur + 1, (size_t)(in->end - in->cur - 1));
}

/* Holds buf[0..len) of an open start tag (and what follows its end), the bytes inside quoted
 * values skipped once WN_HTML_TAG_HOLD of the tag is held; 1 when the tag has ended. */
static int hold_tag(struct wn_html *h, const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t run = 0; /* s[run..i) waits to be held */
    int ended = 0;
    for (size_t i = 0; i < len && !ended; i++) {
        unsigned char c = s[i];
        if (h->tag_quote && c != h->tag_quote &&
            h->tag_lib_held + h->held.len + (i - run) >= WN_HTML_TAG_HOLD) {
            /* past the hold, inside a value: skipped up to its closing quote */
            if (buf_append(&h->held, buf + run, i - run)) break;
            if (!h->tag_cut)
                h->tag_cut_at =
                    (unsigned long long)xmlByteConsumed(h->parser) + h->tag_lib_held + h->held.len;
            size_t j = i;
            while (j < len && s[j] != h->tag_quote)
                j++;
            h->tag_cut += j - i;
            run = i = j;
            if (j == len) break;
            c = s[j];
        }
        ended = tag_step(h, c);
    }
    if (buf_append(&h->held, buf + run, len - run)) fail(h, WINNOW_ERR_NOMEM);
    return ended;
}

/* ---- an open comment, script or style -----------------------------------------------------
 * libxml2 keeps all of a comment until its "-->", and a script or style until its end tag,
 * before it reads them (a 50 MB unclosed comment cost 216 MB; issue 10, item 10). None of them
 * is text: once one is open a block long, the bytes after what libxml2 holds are looked
 * through here for its end and not given to it; from the end on they are. It then reads a
 * shorter comment or script, with the same events. */

/* After a parse: is libxml2 sitting on a comment, or in a script or style, a block long? */
static int stalled_in_skippable(struct wn_html *h)
{
    xmlParserInputPtr in = h->parser->input;
    if (!in || !in->cur || !in->end || in->end - in->cur < WN_HTML_BLOCK) return 0;
    const char *name = (const char *)h->parser->name;
    if (memcmp(in->cur, "<!--", 4) == 0) {
        memcpy(h->skip_end, "-->", 4);
    } else if (name && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
        snprintf(h->skip_end, sizeof h->skip_end, "</%s", name);
    } else {
        return 0;
    }
    h->skip_len = strlen(h->skip_end);
    h->skip_tail_len = 0;
    return 1;
}

/* Where the end (skip_end, caseless for an end tag) begins in s[0..n), or n. */
static size_t find_skip_end(const struct wn_html *h, const char *s, size_t n)
{
    for (size_t i = 0; i + h->skip_len <= n; i++) {
        const char *p = memchr(s + i, '-' == h->skip_end[0] ? '-' : '<', n - i);
        if (!p) break;
        i = (size_t)(p - s);
        if (i + h->skip_len <= n && strncasecmp(p, h->skip_end, h->skip_len) == 0) return i;
    }
    return n;
}

static void parse_chunk(struct wn_html *h, const char *buf, size_t len, int terminate);

/* While skipping: buf is looked through for the end; what comes before it goes. Returns 1
 * when the end has come (the skip is over; the rest went to libxml2). */
static int skip_to_end(struct wn_html *h, const char *buf, size_t len, int terminate)
{
    char window[sizeof h->skip_tail + WN_HTML_BLOCK];
    size_t keep = h->skip_len - 1;
    while (len) { /* the tail and a block at most at a time */
        size_t take = len < WN_HTML_BLOCK ? len : WN_HTML_BLOCK;
        memcpy(window, h->skip_tail, h->skip_tail_len);
        memcpy(window + h->skip_tail_len, buf, take);
        size_t n = h->skip_tail_len + take, at = find_skip_end(h, window, n);
        buf += take;
        len -= take;
        if (at < n) { /* its end: from there on, libxml2 reads the page again */
            h->discarded += at;
            h->skip_len = h->skip_tail_len = 0;
            parse_chunk(h, window + at, n - at, terminate && !len);
            if (len) parse_chunk(h, buf, len, terminate);
            return 1;
        }
        size_t tail = n < keep ? n : keep;
        h->discarded += n - tail;
        memmove(h->skip_tail, window + n - tail, tail);
        h->skip_tail_len = tail;
    }
    if (terminate) { /* the page ends inside it: what is left, for libxml2 to close */
        parse_chunk(h, h->skip_tail, h->skip_tail_len, 1);
        h->skip_len = h->skip_tail_len = 0;
        return 1;
    }
    return 0;
}

static void parse_chunk(struct wn_html *h, const char *buf, size_t len, int terminate)
{
    restart_lookahead(h->parser);
    htmlParseChunk(h->parser, buf, (int)len, terminate);
    if (!terminate) unstall(h);
    if (h->parser->errNo == XML_ERR_NO_MEMORY) fail(h, WINNOW_ERR_NOMEM);
}

/* ---- pages in other encodings -------------------------------------------------------- */

static int conv_room(struct wn_html *h, size_t more)
{
    if (buf_reserve(&h->conv, h->conv.len + more)) {
        fail(h, WINNOW_ERR_NOMEM);
        return 0;
    }
    return 1;
}

/* Converts in[0..n) (whole characters, or the page's end) into h->conv; a byte that starts no
 * character of the encoding becomes U+FFFD. Returns the bytes of a character cut at the end
 * (not converted), or 0. */
static size_t conv_run(struct wn_html *h, const char *in, size_t n, int final)
{
    char *src = (char *)(uintptr_t)in;
    size_t left = n;
    while (left) {
        if (!conv_room(h, left * 4 + 16)) return 0;
        char *out = h->conv.p + h->conv.len;
        size_t room = h->conv.cap - h->conv.len, before = room;
        size_t rc = iconv(h->cd, &src, &left, &out, &room);
        h->conv.len += before - room;
        if (rc != (size_t)-1) break;
        if (errno == E2BIG) continue;
        if (errno == EINVAL && !final) return left; /* cut by the block's end */
        /* EILSEQ, or a cut character at the page's end: one byte (a UTF-16 code unit)
         * becomes U+FFFD */
        size_t skip = left < (size_t)h->unit ? left : (size_t)h->unit;
        if (!h->bad_bytes) h->first_bad = h->conv_in + (unsigned long long)(src - in);
        h->bad_bytes += skip;
        if (!conv_room(h, 3)) return 0;
        memcpy(h->conv.p + h->conv.len, "\xef\xbf\xbd", 3);
        h->conv.len += 3;
        src += skip;
        left -= skip;
    }
    return 0;
}

static void mark(struct wn_html *h, unsigned long long page)
{
    if (h->nmarks == h->marks_cap) {
        size_t cap = h->marks_cap ? h->marks_cap * 2 : 256;
        struct conv_mark *g = realloc(h->marks, cap * sizeof *g);
        if (!g) return; /* positions further on come out less exact */
        h->marks = g;
        h->marks_cap = cap;
    }
    h->marks[h->nmarks++] = (struct conv_mark){h->conv_out + h->conv.len, page};
}

/* buf[0..len) of the page to UTF-8 in h->conv, with what a block before left cut. */
static void convert(struct wn_html *h, const char *buf, size_t len, int terminate)
{
    h->conv.len = 0;
    size_t pos = 0;
    while (h->carry_len && pos < len) { /* the cut character first, a byte at a time */
        h->carry[h->carry_len++] = buf[pos++];
        size_t cut = conv_run(h, h->carry, h->carry_len, h->carry_len == sizeof h->carry);
        h->conv_in += h->carry_len - cut;
        memmove(h->carry, h->carry + h->carry_len - cut, cut);
        h->carry_len = cut;
    }
    while (pos < len) {
        /* runs end before each '<', where a mark says where it stands in the page */
        size_t end = len;
        if (h->split_at_lt && h->report) {
            const char *lt = memchr(buf + pos + 1, '<', len - pos - 1);
            if (lt) end = (size_t)(lt - buf);
            if (buf[pos] == '<') mark(h, h->conv_in);
        }
        size_t cut = conv_run(h, buf + pos, end - pos, terminate && end == len);
        h->conv_in += end - pos - cut;
        if (cut) { /* only at the block's end */
            memcpy(h->carry, buf + end - cut, cut < sizeof h->carry ? cut : sizeof h->carry);
            h->carry_len = cut < sizeof h->carry ? cut : 0;
        }
        pos = end;
    }
    if (terminate && h->carry_len) {
        conv_run(h, h->carry, h->carry_len, 1);
        h->carry_len = 0;
    }
    h->conv_out += h->conv.len;
}

/* The page's end: the bytes its encoding had no character for, reported once, and what
 * libxml2 could not decode (its first message). */
static void report_bad_bytes(struct wn_html *h)
{
    if (!h->report) return;
    char why[200];
    if (h->bad_bytes) {
        int n = snprintf(why, sizeof why, "%llu byte%s not %s, shown as U+FFFD", h->bad_bytes,
                         h->bad_bytes == 1 ? "" : "s", h->charset);
        /* conv_in counts from after the byte order mark */
        struct wn_html_pos at = page_pos(h, h->skipped + h->first_bad);
        struct winnow_removal r = {at.line,   at.col,    "html-encoding-error", why,
                                   (size_t)n, at.offset, WINNOW_STAGE_TEXT,     0};
        h->report(h->report_ctx, &r);
    }
    if (h->lib_error[0]) {
        int n = snprintf(why, sizeof why, "libxml2: %s", h->lib_error);
        if (n >= (int)sizeof why) n = (int)sizeof why - 1;
        struct wn_html_pos at = h->lib_error_at;
        struct winnow_removal r = {at.line,   at.col,    "html-encoding-error", why,
                                   (size_t)n, at.offset, WINNOW_STAGE_TEXT,     0};
        h->report(h->report_ctx, &r);
    }
}

/* libxml2's messages while it parses a page: its decoders' (domain I18N, and the I/O error
 * that follows one) are kept for the report; its parser's own are what HTML_PARSE_NOERROR
 * already means to silence. Nothing goes to stderr. */
static void on_libxml_error(void *ctx, xmlErrorPtr e)
{
    struct wn_html *h = ctx;
    if (!e || h->lib_error[0] || (e->domain != XML_FROM_I18N && e->domain != XML_FROM_IO)) return;
    snprintf(h->lib_error, sizeof h->lib_error, "%s", e->message ? e->message : "decoding failed");
    size_t n = strlen(h->lib_error);
    while (n && (h->lib_error[n - 1] == '\n' || h->lib_error[n - 1] == ' '))
        h->lib_error[--n] = 0;
    h->lib_error_at = page_at(h, 0);
}

/* The handler is the thread's own in libxml2 (a thread-local global): ours for the call,
 * then the caller's again, so another parser in the same program keeps what it set. */
static void quiet_begin(struct wn_html *h)
{
    h->saved_handler = xmlStructuredError;
    h->saved_handler_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(h, on_libxml_error);
}

static void quiet_end(struct wn_html *h)
{
    xmlSetStructuredErrorFunc(h->saved_handler_ctx, h->saved_handler);
}

static void parse_block(struct wn_html *h, const char *buf, size_t len, int terminate);

static void parse(struct wn_html *h, const char *buf, size_t len, int terminate)
{
    if (h->status != WINNOW_OK) return;
    quiet_begin(h);
    parse_block(h, buf, len, terminate);
    quiet_end(h);
}

static void parse_block(struct wn_html *h, const char *buf, size_t len, int terminate)
{
    if (!h->sniffed) {
        h->sniffed = 1;
        size_t skip = choose_encoding(h, buf, len, terminate);
        h->skipped = skip;
        buf += skip;
        len -= skip;
    }
    if (h->cd != (iconv_t)-1) {
        convert(h, buf, len, terminate);
        buf = h->conv.p ? h->conv.p : "";
        len = h->conv.len;
    }
    if (h->skip_len) { /* an open comment, script or style: skipped to its end */
        if (!skip_to_end(h, buf, len, terminate)) return;
    } else if (h->holding) { /* an open start tag: held until it ends (or the page does) */
        if (!hold_tag(h, buf, len) && !terminate) return;
        if (h->status != WINNOW_OK) return;
        h->holding = 0;
        parse_chunk(h, h->held.p, h->held.len, terminate);
        h->held.len = 0;
        h->discarded += h->tag_cut; /* the tag is read: all that follows is past the cut */
        h->tag_cut = 0;
    } else {
        parse_chunk(h, buf, len, terminate);
    }
    if (!terminate && h->status == WINNOW_OK && !h->skip_len) {
        h->holding = stalled_in_tag(h);
        if (!h->holding) stalled_in_skippable(h);
    }
}

/* Bytes go to libxml2 in fixed blocks: the first block is what the encoding is chosen from,
 * and the output then depends on the page's bytes only, never on how the caller split them. */
int wn_html_push(struct wn_html *html, const char *buf, size_t len)
{
    if (html->report) note_lines(html, buf, len);
    while (len && html->status == WINNOW_OK) {
        size_t take = WN_HTML_BLOCK - html->block_len;
        if (take > len) take = len;
        if (html->block_len == 0 && take == WN_HTML_BLOCK) {
            parse(html, buf, take, 0);
        } else {
            memcpy(html->block + html->block_len, buf, take);
            html->block_len += take;
            if (html->block_len == WN_HTML_BLOCK) {
                parse(html, html->block, html->block_len, 0);
                html->block_len = 0;
            }
        }
        buf += take;
        len -= take;
    }
    return html->status;
}

int wn_html_finish(struct wn_html *html)
{
    parse(html, html->block, html->block_len, 1);
    if (html->drop_depth && html->report) drop_ends(html); /* a block the page left open */
    flush_line(html);
    report_bad_bytes(html);
    html->page_bytes = 0;
    html->nlines = 0;
    int status = html->status;
    htmlFreeParserCtxt(html->parser);
    html->parser = NULL;
    html->status = WINNOW_OK;
    int rc = start_parser(html);
    return status != WINNOW_OK ? status : rc;
}

void wn_html_free(struct wn_html *html)
{
    if (!html) return;
    if (html->parser) htmlFreeParserCtxt(html->parser);
    pcre2_match_data_free(html->match);
    free(html->cache);
    free(html->anchor_url);
    free(html->drop_text);
    buf_free(&html->held);
    buf_free(&html->conv);
    free(html->marks);
    if (html->cd != (iconv_t)-1) iconv_close(html->cd);
    free(html->line_starts);
    free(html->line);
    free(html);
}
