/* engine.c: the streaming filter: splits input into lines, classifies each with the rules,
 * holds back the few lines a later line may still change, and writes the rest at once.
 *
 * Why lines are held (the only source of latency, see README "Streaming"):
 *  - take-back: an embed attribution ("— Name (@handle) Date") on its own line also removes
 *    the post text above it, so the most recent short block (at most the rule's span) waits
 *    until the next non-blank line shows it is not followed by an attribution;
 *  - footer zone: "Source: ...", tags, comment counters... are removed only at the end of a
 *    document, so from the first such line everything waits until story text resumes (then
 *    they are kept) or the document ends (then they go);
 *  - headline lists: the lines under a "Related" header wait until the list ends, so a list
 *    that turns out too long to be boilerplate is kept whole;
 *  - open embeds: after "View this post on Instagram" lines wait for the closing attribution.
 * Each hold is bounded in lines and bytes; past the bound the lines are kept, never dropped. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "links.h"
#include "rules.h"
#include "winnow.h"

enum { ST_KEEP, ST_DROP, ST_PENDING };
/* Why a line is pending: it decides what happens when the hold ends. */
enum { HOLD_NONE, HOLD_FOOTER, HOLD_LIST, HOLD_EMBED };

#define FOOTER_MAX_LINES 64
#define FOOTER_MAX_BYTES (64 * 1024)
#define EMBED_MAX_LINES 40
#define EMBED_MAX_BYTES (8 * 1024)
#define TITLE_MAX 1024
#define MATCH_LIMIT 1000000
/* Where a post's start is looked for as a repeat of the story's own quote: how far back, and
 * for how many sentences; and how many posts in one line get that search at all. These
 * bound the work on a hostile line (a 100 MB paragraph of attributions) to linear time. */
#define QUOTE_LOOKBACK 4096
#define QUOTE_TRIES 16
#define POSTS_SEARCHED_PER_LINE 10000
/* How far around an attribution's literal its pattern is tried (name before, date after). */
#define ATTRIBUTION_LOOKBACK 240
#define ATTRIBUTION_LOOKAHEAD 1024

struct line {
    size_t off; /* its text: f->arena.p + off */
    size_t len;
    char eol[2];
    unsigned char eollen;
    unsigned char state;
    unsigned char hold;
    unsigned char blank;
    size_t indent;
    unsigned long long no;
    const char *rule_id; /* the rule that drops it, reported when the drop is final */
    char *reports;       /* its cuts, reported when it leaves the queue (see save_report) */
    size_t reports_len;
};

/* A growable byte buffer. Grows by half so that a huge line costs little more than itself. */
struct buf {
    char *p;
    size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t need)
{
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        size_t next = cap + cap / 2;
        if (next < cap) return -1;
        cap = next;
    }
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_append(struct buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, b->len + n + 1)) return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* One removal inside a line, in byte offsets of the line as it came in. */
struct cut {
    size_t start, end;
    const struct wn_rule *rule;
};

struct winnow_filter {
    winnow_rules *rules;
    struct winnow_options opt;
    winnow_write_fn write; /* coalesce_write, in front of the user's callback */
    void *write_ctx;
    struct coalescer {
        winnow_write_fn write; /* the user's */
        void *ctx;
        const char *in_lo, *in_hi; /* the buffer being pushed */
        const char *p;             /* pending output: a run of that buffer */
        size_t n;
    } out;
    struct wn_links *links;
    struct wn_html *html;
    int status; /* first error; once set, everything else is refused */

    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int valid; /* the current line is valid UTF-8 (rules take the JIT); -1: not known yet */
    const char *line_s; /* the current line's text, for line_valid() */
    size_t line_n;

    /* rules by kind, and line rules indexed by the first byte they can match */
    const struct wn_rule **attrib, **cutters, **line_rules, **intro;
    size_t n_attrib, n_cutters, n_line_rules, n_intro;
    const struct wn_rule **by_first[256];
    size_t n_by_first[256];
    size_t max_span; /* longest take-back block, bytes */
    int title_rule_on;
    const char *title_rule_id;

    /* input */
    struct buf partial;
    struct buf scratch;   /* a line after its cuts */
    const char *cut_text; /* the line after its cuts (apply_cuts), in place or in scratch */
    size_t cut_len;
    struct buf blanks;      /* blank lines held after a removal, see emit() */
    struct buf arena;       /* the texts of held lines, see queue_line() */
    struct buf cut_reports; /* the current line's cuts, see save_report() */
    int after_drop, last_blank, wrote_in_doc;
    struct cut *cuts;
    size_t ncuts, cuts_cap;
    unsigned long long line_no;
    int doc_format; /* resolved format of the current document (TEXT or HTML), 0 = unknown */
    struct buf sniff;

    /* held lines: q[qhead..qlen) */
    struct line *q;
    size_t qhead, qlen, qcap;
    size_t region_start; /* first line a later attribution may take back */
    size_t region_bytes;
    size_t region_indent;
    int region_open;

    /* document state */
    char title[TITLE_MAX];
    size_t title_len;
    int have_title;
    unsigned long long title_line;
    int footer_active;
    size_t footer_lines, footer_bytes;
    int list_active;
    const struct wn_rule *list_rule;
    size_t list_items, list_indent, list_header;
    int list_indent_set;
    int embed_active;
    size_t embed_start, embed_lines, embed_bytes;

    struct winnow_stats stats;
};

const char *winnow_version(void)
{
    return WINNOW_VERSION;
}

/* ---- output ----------------------------------------------------------------------------- */

/* Kept lines are mostly runs of the very buffer being pushed. Rather than one callback (and
 * one copy into stdio) per line, a run of adjacent bytes of that buffer is handed over at
 * once, when the run breaks or the push ends; bytes from anywhere else go straight on. */
static int coalesce_flush(struct coalescer *c)
{
    if (!c->n) return 0;
    size_t n = c->n;
    c->n = 0;
    return c->write(c->ctx, c->p, n);
}

static int coalesce_write(void *ctx, const char *buf, size_t len)
{
    struct coalescer *c = ctx;
    if (buf >= c->in_lo && buf + len <= c->in_hi && len) {
        if (c->n && c->p + c->n == buf) {
            c->n += len;
            return 0;
        }
        if (coalesce_flush(c)) return -1;
        c->p = buf;
        c->n = len;
        return 0;
    }
    if (coalesce_flush(c)) return -1;
    return c->write(c->ctx, buf, len);
}

static int fail(winnow_filter *f, int status)
{
    if (!f->status) f->status = status;
    return f->status;
}

static int put_line(winnow_filter *f, unsigned long long no, const char *s, size_t n,
                    const char *eol, size_t eollen)
{
    if (f->status) return f->status;
    f->stats.bytes_out += n + eollen;
    if (f->links) {
        if (wn_links_line(f->links, no, s, n, eol, eollen)) return fail(f, WINNOW_ERR_WRITE);
        return 0;
    }
    if (s + n == eol) { /* uncut text still in the input buffer: one write */
        if (n + eollen && f->write(f->write_ctx, s, n + eollen)) return fail(f, WINNOW_ERR_WRITE);
        return 0;
    }
    if (n && f->write(f->write_ctx, s, n)) return fail(f, WINNOW_ERR_WRITE);
    if (eollen && f->write(f->write_ctx, eol, eollen)) return fail(f, WINNOW_ERR_WRITE);
    return 0;
}

/* Blank lines beside removed text: a run of blank lines after a removal is held back; it is
 * dropped when more removed text or an already written blank line borders it, and written
 * otherwise. So taking out a block never leaves a gap of several blank lines behind. */
static int emit(winnow_filter *f, unsigned long long no, const char *s, size_t n, const char *eol,
                size_t eollen, int blank)
{
    if (blank && f->after_drop) {
        if (f->blanks.len + n + eollen > 65536) f->blanks.len = 0; /* a gap that long: keep one */
        if (buf_append(&f->blanks, s, n) || buf_append(&f->blanks, eol, eollen))
            return fail(f, WINNOW_ERR_NOMEM);
        return 0;
    }
    if (f->blanks.len) {
        if (!f->last_blank && f->wrote_in_doc) {
            if (f->status) return f->status;
            f->stats.bytes_out += f->blanks.len;
            int bad = f->links ? wn_links_raw(f->links, f->blanks.p, f->blanks.len)
                               : f->write(f->write_ctx, f->blanks.p, f->blanks.len);
            if (bad) return fail(f, WINNOW_ERR_WRITE);
            blank = 1; /* what was written last is blank */
        }
        f->blanks.len = 0;
    }
    f->after_drop = 0;
    f->last_blank = blank;
    f->wrote_in_doc = 1;
    return put_line(f, no, s, n, eol, eollen);
}

static void note_drop(winnow_filter *f)
{
    f->after_drop = 1;
    f->blanks.len = 0;
}

static void report(winnow_filter *f, unsigned long long no, size_t col, const char *rule_id,
                   const char *text, size_t len)
{
    if (!f->opt.report) return;
    struct winnow_removal r = {no, col + 1, rule_id, text, len};
    f->opt.report(f->opt.report_ctx, &r);
}

/* Reports go out in input order, but a line's cuts are found before the lines held above it
 * are settled. So a cut's report is saved with its line ({col, rule id, length, text} records
 * in f->cut_reports, then in the queued line) and made when the line leaves the queue. */
struct saved_report {
    size_t col, len;
    const char *rule_id;
};

static int save_report(winnow_filter *f, size_t col, const char *rule_id, const char *text,
                       size_t len)
{
    struct saved_report r = {col, len, rule_id};
    if (buf_append(&f->cut_reports, (const char *)&r, sizeof r) ||
        buf_append(&f->cut_reports, text, len))
        return -1;
    return 0;
}

static void replay_reports(winnow_filter *f, unsigned long long no, const char *p, size_t n)
{
    size_t at = 0;
    while (at + sizeof(struct saved_report) <= n) {
        struct saved_report r;
        memcpy(&r, p + at, sizeof r);
        at += sizeof r;
        report(f, no, r.col, r.rule_id, p + at, r.len);
        at += r.len;
    }
}

/* ---- small text helpers ----------------------------------------------------------------- */

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static size_t leading_space(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space((unsigned char)s[i]))
        i++;
    return i;
}

static int all_space(const char *s, size_t n)
{
    return leading_space(s, n) == n;
}

static int is_lower_or_digit(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

/* The first character boundary at or after i (PCRE2 is given only boundaries as starts). */
static size_t next_char(const char *s, size_t n, size_t i)
{
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* ---- the queue of held lines ------------------------------------------------------------ */

static struct line *queue_push(winnow_filter *f)
{
    if (f->qlen == f->qcap) {
        if (f->qhead > 0 && f->qhead >= f->qlen / 2) {
            /* Slide live lines down instead of growing: the queue stays as small as the
             * longest hold, however long the input. */
            memmove(f->q, f->q + f->qhead, (f->qlen - f->qhead) * sizeof *f->q);
            f->qlen -= f->qhead;
            f->region_start = f->region_start > f->qhead ? f->region_start - f->qhead : 0;
            f->list_header = f->list_header > f->qhead ? f->list_header - f->qhead : 0;
            f->embed_start = f->embed_start > f->qhead ? f->embed_start - f->qhead : 0;
            f->qhead = 0;
        } else {
            size_t cap = f->qcap ? f->qcap * 2 : 64;
            struct line *q = realloc(f->q, cap * sizeof *q);
            if (!q) return NULL;
            f->q = q;
            f->qcap = cap;
        }
    }
    struct line *l = &f->q[f->qlen++];
    memset(l, 0, sizeof *l);
    return l;
}

/* Writes out the lines at the head of the queue that nothing can change any more. */
static int drain(winnow_filter *f, int all)
{
    size_t limit = all ? f->qlen : f->region_start;
    if (limit > f->qlen) limit = f->qlen;
    while (f->qhead < limit) {
        struct line *l = &f->q[f->qhead];
        if (l->state == ST_PENDING && !all) break;
        if (l->reports) {
            replay_reports(f, l->no, l->reports, l->reports_len);
            free(l->reports);
            l->reports = NULL;
        }
        const char *text = f->arena.p + l->off;
        if (l->state == ST_KEEP || l->state == ST_PENDING) {
            emit(f, l->no, text, l->len, l->eol, l->eollen, l->blank);
        } else if (!l->blank) {
            note_drop(f);
            f->stats.lines_removed++;
            /* no rule id: its cuts were reported as they were made */
            if (l->rule_id)
                report(f, l->no, l->indent, l->rule_id, text + l->indent, l->len - l->indent);
        }
        f->qhead++;
    }
    if (f->qhead == f->qlen) {
        f->qhead = f->qlen = 0;
        f->region_start = 0;
        f->list_header = f->embed_start = 0;
        f->arena.len = 0;
    } else if (f->q[f->qhead].off > 65536 && f->q[f->qhead].off > f->arena.len / 2) {
        /* Move the live texts down, as the queue slides: the arena stays as small as the
         * longest hold, and each byte moves at most about once. */
        size_t gone = f->q[f->qhead].off;
        memmove(f->arena.p, f->arena.p + gone, f->arena.len - gone);
        f->arena.len -= gone;
        for (size_t i = f->qhead; i < f->qlen; i++)
            f->q[i].off -= gone;
    }
    return f->status;
}

/* ---- rule matching ---------------------------------------------------------------------- */

/* Is the current line valid UTF-8? Found out only when a rule is about to run on it. */
static int line_valid(winnow_filter *f)
{
    if (f->valid < 0) f->valid = wn_utf8_valid(f->line_s, f->line_n);
    return f->valid;
}

/* The first line rule (in priority order) that matches at the line's first non-blank byte. */
static const struct wn_rule *match_line_rule(winnow_filter *f, const char *s, size_t n, size_t at)
{
    if (at >= n) return NULL;
    unsigned char c = (unsigned char)s[at];
    const struct wn_rule **list = f->by_first[c];
    size_t trimmed = n;
    while (trimmed > at && is_space((unsigned char)s[trimmed - 1]))
        trimmed--;
    trimmed -= at;
    for (size_t i = 0; i < f->n_by_first[c]; i++) {
        const struct wn_rule *r = list[i];
        if (r->longest && trimmed > (size_t)r->longest) continue;
        if (r->nlits) {
            /* a `tail` rule's literal lies in the line's last bytes, a `head` rule's in its
             * first */
            size_t from =
                r->tail && trimmed > (size_t)r->tail ? at + trimmed - (size_t)r->tail : at;
            size_t end = r->head && trimmed > (size_t)r->head ? at + (size_t)r->head : at + trimmed;
            if (wn_rule_literal_find(r, s, end, from) == SIZE_MAX) continue;
        }
        size_t ms, me;
        if (wn_rule_match_utf(r, s, n, at, line_valid(f), f->md, f->mctx, &ms, &me)) return r;
    }
    return NULL;
}

static int add_cut(winnow_filter *f, size_t a, size_t b, const struct wn_rule *r)
{
    if (f->ncuts == f->cuts_cap) {
        size_t cap = f->cuts_cap ? f->cuts_cap * 2 : 16;
        struct cut *c = realloc(f->cuts, cap * sizeof *c);
        if (!c) return -1;
        f->cuts = c;
        f->cuts_cap = cap;
    }
    f->cuts[f->ncuts++] = (struct cut){a, b, r};
    return 0;
}

/* Does a non-ASCII capital letter, or a letter of a script without case, start at s[p]?
 * Latin-1 and Latin Extended-A capitals, Cyrillic capitals, Arabic and Hebrew letters. */
static int upper_or_caseless(const char *s, size_t p, size_t len)
{
    if (p + 1 >= len) return 0;
    unsigned char a = (unsigned char)s[p], b = (unsigned char)s[p + 1];
    if (a == 0xC3) return b >= 0x80 && b <= 0x9E && b != 0x97; /* À..Þ but × */
    if (a == 0xC4 || a == 0xC5) return !(b & 1) || b == 0xB0;  /* Ā Ă ... İ (mostly even) */
    if (a == 0xD0) return b >= 0x80 && b <= 0xAF;              /* Ѐ..Я */
    return a >= 0xD7 && a <= 0xDB;                             /* Hebrew, Arabic */
}

/* Is s[p] where a post glued onto the previous sentence begins? The scraped text lost the
 * paragraph break, leaving "...as you'd expect.What kind of..." or "tweeted:Happy...". */
static int glued_start(const char *s, size_t p, size_t len)
{
    if (p < 2 || p >= len) return 0;
    unsigned char punct = (unsigned char)s[p - 1], before = (unsigned char)s[p - 2];
    unsigned char c = (unsigned char)s[p];
    if (!(punct == '.' || punct == '!' || punct == '?' || punct == ':')) return 0;
    if (!is_lower_or_digit(before) && before < 0x80) return 0;
    if (is_upper(c) || c == '@' || c == '#' || upper_or_caseless(s, p, len)) return 1;
    if (c == '"') return p + 1 < len && !is_space((unsigned char)s[p + 1]); /* opening only */
    if (c == '.' && p + 1 < len && s[p + 1] == '@') return 1;               /* ".@handle" replies */
    /* opening curly quotes “ ‘ */
    if (c == 0xE2 && p + 2 < len && (unsigned char)s[p + 1] == 0x80 &&
        ((unsigned char)s[p + 2] == 0x9C || (unsigned char)s[p + 2] == 0x98))
        return 1;
    return 0;
}

/* Is s[p] the start of a sentence after ". " (or "! ", "? ")? */
static int sentence_start(const char *s, size_t p, size_t len)
{
    if (p < 2 || p >= len || s[p - 1] != ' ') return 0;
    size_t q = p - 1;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    if (q == 0) return 0;
    unsigned char e = (unsigned char)s[q - 1];
    int ends = e == '.' || e == '!' || e == '?';
    if (!ends && q >= 3 && (unsigned char)s[q - 3] == 0xE2 && (unsigned char)s[q - 2] == 0x80 &&
        ((unsigned char)s[q - 1] == 0x9D || (unsigned char)s[q - 1] == 0xA6))
        ends = 1; /* ” or … */
    if (!ends) return 0;
    unsigned char c = (unsigned char)s[p];
    return is_upper(c) || (c >= '0' && c <= '9') || c == '@' || c == '"' || c >= 0x80;
}

/* The post an inline attribution closes ends at `ms`; find where it begins, no earlier than
 * `hard` (line start or the previous post's end) and at most `span` characters before `ms`.
 * In order of trust: a glued paragraph start, a sentence that repeats earlier text (the story
 * quoted the post before embedding it), the hard boundary itself. Returns SIZE_MAX when none
 * fits: then only the attribution goes, since losing story text is worse than leaving some. */
static int introduced(winnow_filter *f, const char *s, size_t p)
{
    size_t from = next_char(s, p, p > 80 ? p - 80 : 0);
    for (size_t i = 0; i < f->n_intro; i++) {
        size_t ms, me;
        if (wn_rule_match_utf(f->intro[i], s, p, from, line_valid(f), f->md, f->mctx, &ms, &me) &&
            me == p)
            return 1;
    }
    return 0;
}

static size_t find_post_start(winnow_filter *f, const char *s, size_t len, size_t hard, size_t ms,
                              long span)
{
    size_t low = ms, chars = 0;
    while (low > hard && chars < (size_t)span) {
        low--;
        if (((unsigned char)s[low] & 0xC0) != 0x80) chars++;
    }
    /* Strongest: a glued start right after words that introduce a quote ("...tweeted:Happy"),
     * whatever glued starts come before it. */
    for (size_t p = ms; p > low; p--)
        if (p > hard && s[p - 1] == ':' && glued_start(s, p, len) && introduced(f, s, p)) return p;
    int tries = 0;
    for (size_t p = low; p < ms; p++) {
        if (p > hard && glued_start(s, p, len)) return p;
        if (sentence_start(s, p, len) && p > hard && tries < QUOTE_TRIES) {
            /* the story's quote of the post stands shortly before it: look that far back */
            size_t k = ms - p < 30 ? ms - p : 30;
            size_t from = p > QUOTE_LOOKBACK ? p - QUOTE_LOOKBACK : 0;
            tries++;
            if (k >= 16 && memmem(s + from, p - from, s + p, k)) return p;
        }
    }
    if (low == hard) return hard;
    /* Weakest: the story's last words before a capitalised word come back inside the post
     * ("...are sinking through It is finally sinking through. ..."): the story led into a
     * quote of the post that the scrape glued to the post itself. */
    for (size_t p = low; p < ms; p++) {
        if (p < 14 || s[p - 1] != ' ' || !is_upper((unsigned char)s[p])) continue;
        size_t q = p - 1;
        while (q > 0 && s[q - 1] == ' ')
            q--;
        if (q < 12 || !is_lower_or_digit((unsigned char)s[q - 1])) continue;
        const char *tail = s + q - 12;
        if (memchr(tail, ' ', 12) && memmem(s + p, ms - p, tail, 12)) return p;
    }
    return SIZE_MAX;
}

/* Inline embeds: every attribution in the line, with the post before it. Returns 1 when an
 * attribution starts the line (its post, if any, is on the lines above). */
static int find_inline_embeds(winnow_filter *f, const char *s, size_t n)
{
    int at_line_start = 0;
    size_t hard = 0, pos = 0, posts = 0;
    while (pos < n) {
        const struct wn_rule *best = NULL;
        size_t bs = SIZE_MAX, be = 0;
        for (size_t i = 0; i < f->n_attrib; i++) {
            const struct wn_rule *r = f->attrib[i];
            size_t ms, me;
            if (r->longest && n > (size_t)r->longest) continue;
            if (!r->nlits) {
                if (wn_rule_match_utf(r, s, n, pos, line_valid(f), f->md, f->mctx, &ms, &me) &&
                    ms < bs) {
                    best = r;
                    bs = ms;
                    be = me;
                }
                continue;
            }
            /* An attribution has no fixed first character, so a plain search would try the
             * pattern at every byte of a long paragraph. Try it only in a window around each
             * occurrence of its literal, "(@": the name before it is a few words long. */
            size_t at = pos, decided = pos; /* starts before `decided` failed already */
            while (at < n && at < bs) {
                size_t qi = wn_rule_literal_find(r, s, n, at);
                if (qi == SIZE_MAX) break;
                size_t from = qi > pos + ATTRIBUTION_LOOKBACK ? qi - ATTRIBUTION_LOOKBACK : pos;
                if (from < decided) from = decided;
                if (from > qi) { /* every start that could hold this "(@" is settled */
                    at = qi + 1;
                    continue;
                }
                size_t end = n - qi > ATTRIBUTION_LOOKAHEAD ? qi + ATTRIBUTION_LOOKAHEAD : n;
                from = next_char(s, n, from);
                while (end < n && end > qi && ((unsigned char)s[end] & 0xC0) == 0x80)
                    end--;
                if (wn_rule_match_utf(r, s, end, from, line_valid(f), f->md, f->mctx, &ms, &me) &&
                    ms <= qi) {
                    if (ms < bs) {
                        best = r;
                        bs = ms;
                        be = me;
                    }
                    break;
                }
                /* No match starts in [from, end): its mandatory part (name, handle, date) is
                 * far shorter than the look-ahead, so starts up to end - lookback are settled
                 * and the next window need not try them again (linear on "(@(@(@..."). */
                if (end > ATTRIBUTION_LOOKBACK && end - ATTRIBUTION_LOOKBACK > decided)
                    decided = end - ATTRIBUTION_LOOKBACK;
                at = qi + 1;
            }
        }
        if (!best) break;
        if (be <= bs) { /* an empty match: step past it */
            pos = next_char(s, n, bs + 1);
            continue;
        }
        size_t start = bs;
        if (leading_space(s + hard, bs - hard) == bs - hard) {
            start = hard; /* nothing but blanks before it */
            if (hard == 0) at_line_start = 1;
        } else if (posts++ < POSTS_SEARCHED_PER_LINE) {
            size_t p = find_post_start(f, s, n, hard, bs, best->span);
            if (p != SIZE_MAX) start = p;
        }
        if (add_cut(f, start, be, best)) return -1;
        hard = pos = be;
    }
    return at_line_start;
}

static void find_cuts(winnow_filter *f, const char *s, size_t n)
{
    for (size_t i = 0; i < f->n_cutters; i++) {
        const struct wn_rule *r = f->cutters[i];
        if (r->longest && n > (size_t)r->longest) continue;
        if (r->nlits) {
            /* a `head` rule's literal lies in the line's first bytes */
            size_t lead = leading_space(s, n);
            size_t end = r->head && n - lead > (size_t)r->head ? lead + (size_t)r->head : n;
            if (wn_rule_literal_find(r, s, end, lead) == SIZE_MAX) continue;
        }
        size_t pos = 0;
        while (pos < n) {
            size_t ms, me;
            if (!wn_rule_match_utf(r, s, n, pos, line_valid(f), f->md, f->mctx, &ms, &me)) break;
            if (me > ms && add_cut(f, ms, me, r)) return;
            pos = me > ms ? me : next_char(s, n, ms + 1);
            if (r->anchored) break;
        }
    }
}

static int cut_cmp(const void *a, const void *b)
{
    const struct cut *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

/* Builds the line without its cuts in f->scratch. Overlapping cuts merge. Each cut takes the
 * blanks on its left with it, and the two sides are joined by one space, so that
 * "...New Year! <post> — Name (@x) Dec 31, 2017Trump's tweet" reads "...New Year! Trump's". */
static int apply_cuts(winnow_filter *f, const char *s, size_t n, char *in_place)
{
    qsort(f->cuts, f->ncuts, sizeof *f->cuts, cut_cmp);
    /* Cuts only shrink a line (each takes a byte or more and adds at most one space), so a
     * line in a buffer of our own is rewritten in place: a huge line is never copied. */
    char *dst = in_place;
    if (!dst) {
        if (buf_reserve(&f->scratch, n + 1)) return -1;
        dst = f->scratch.p;
    }
    size_t out = 0, done = 0;
    for (size_t i = 0; i < f->ncuts; i++) {
        size_t a = f->cuts[i].start, b = f->cuts[i].end;
        if (b <= done) continue;
        if (a < done) a = done;
        while (i + 1 < f->ncuts && f->cuts[i + 1].start <= b) {
            if (f->cuts[i + 1].end > b) b = f->cuts[i + 1].end;
            i++;
        }
        if (f->opt.report && save_report(f, a, f->cuts[i].rule->id, s + a, b - a)) return -1;
        f->stats.spans_cut++;
        memmove(dst + out, s + done, a - done);
        out += a - done;
        while (out > 0 && (dst[out - 1] == ' ' || dst[out - 1] == '\t'))
            out--;
        while (b < n && (s[b] == ' ' || s[b] == '\t'))
            b++;
        if (out > 0 && b < n && !all_space(dst, out)) dst[out++] = ' ';
        done = b;
    }
    memmove(dst + out, s + done, n - done);
    out += n - done;
    f->cut_text = dst;
    f->cut_len = out;
    return 0;
}

/* ---- holds ------------------------------------------------------------------------------ */

static void end_footer(winnow_filter *f, int drop)
{
    if (!f->footer_active) return;
    for (size_t i = f->qhead; i < f->qlen; i++) {
        struct line *l = &f->q[i];
        if (l->hold != HOLD_FOOTER) continue;
        l->hold = HOLD_NONE;
        if (l->state == ST_PENDING) l->state = drop ? ST_DROP : ST_KEEP;
    }
    f->footer_active = 0;
    f->footer_lines = f->footer_bytes = 0;
}

static void end_list(winnow_filter *f, int drop)
{
    if (!f->list_active) return;
    for (size_t i = f->list_header; i < f->qlen; i++) {
        struct line *l = &f->q[i];
        if (l->hold != HOLD_LIST) continue;
        l->hold = HOLD_NONE;
        l->state = drop ? ST_DROP : ST_KEEP;
        if (f->footer_active && l->state == ST_KEEP) {
            l->state = ST_PENDING; /* a kept item inside a footer zone waits with it */
            l->hold = HOLD_FOOTER;
        }
    }
    f->list_active = 0;
}

static void end_embed(winnow_filter *f, int drop, const char *rule_id)
{
    if (!f->embed_active) return;
    for (size_t i = f->embed_start; i < f->qlen; i++) {
        struct line *l = &f->q[i];
        if (l->hold != HOLD_EMBED) continue;
        l->hold = HOLD_NONE;
        l->state = drop ? ST_DROP : ST_KEEP;
        if (drop && !l->rule_id) l->rule_id = rule_id;
    }
    f->embed_active = 0;
}

/* An attribution at the start of a line takes back the post above it: the block directly
 * above (or, past one run of blank lines, the block before), and with an indented attribution
 * the blocks above it indented alike. Never more than max_span bytes; a block whose last line
 * ends in ':' introduces the post rather than being it. */
static void take_back(winnow_filter *f, size_t indent, const char *rule_id)
{
    if (f->embed_active) {
        end_embed(f, 1, rule_id);
        return;
    }
    size_t i = f->qlen, taken = 0;
    int blocks = 0;
    while (i > f->qhead && i > f->region_start) {
        size_t j = i;
        while (j > f->qhead && j > f->region_start && f->q[j - 1].blank)
            j--;
        if (blocks > 0 && j != i && !indent) break;
        size_t k = j;
        size_t bytes = 0;
        while (k > f->qhead && k > f->region_start && !f->q[k - 1].blank) {
            bytes += f->q[k - 1].len;
            k--;
        }
        if (k == j) break;
        if (blocks > 0 || (j != i && blocks == 0 && indent)) {
            /* further blocks only when indented like the attribution */
            int same = 1;
            for (size_t m = k; m < j; m++)
                if (f->q[m].indent != indent) same = 0;
            if (!same && blocks > 0) break;
        }
        if (taken + bytes > f->max_span) break;
        struct line *last = &f->q[j - 1];
        size_t e = last->len;
        const char *last_text = f->arena.p + last->off;
        while (e > 0 && is_space((unsigned char)last_text[e - 1]))
            e--;
        if (e > 0 && last_text[e - 1] == ':') break;
        int any_pending_footer = 0;
        for (size_t m = k; m < j; m++)
            if (f->q[m].state == ST_PENDING) any_pending_footer = 1;
        if (any_pending_footer) break;
        for (size_t m = k; m < j; m++) {
            if (f->q[m].state == ST_KEEP) {
                f->q[m].state = ST_DROP;
                f->q[m].rule_id = rule_id;
            }
        }
        taken += bytes;
        blocks++;
        i = k;
        if (!indent) break;
    }
}

/* ---- one line --------------------------------------------------------------------------- */

/* A headline: short, no sentence-final full stop. */
static int headline_like(const char *s, size_t n, long span)
{
    size_t a = leading_space(s, n), b = n;
    while (b > a && is_space((unsigned char)s[b - 1]))
        b--;
    if (b == a || b - a > (size_t)span) return 0;
    if (s[b - 1] == '.' && !(b - a >= 3 && s[b - 2] == '.' && s[b - 3] == '.')) return 0;
    return 1;
}

static int bare_url(const char *s, size_t n)
{
    size_t a = leading_space(s, n), b = n;
    while (b > a && is_space((unsigned char)s[b - 1]))
        b--;
    if (!(b - a > 7 &&
          (strncasecmp(s + a, "http://", 7) == 0 || strncasecmp(s + a, "https://", 8) == 0 ||
           strncasecmp(s + a, "www.", 4) == 0)))
        return 0;
    for (size_t i = a; i < b; i++)
        if (is_space((unsigned char)s[i])) return 0;
    return 1;
}

static int same_as_title(winnow_filter *f, const char *s, size_t n)
{
    size_t a = leading_space(s, n), b = n;
    while (b > a && is_space((unsigned char)s[b - 1]))
        b--;
    return f->have_title && b - a == f->title_len && memcmp(s + a, f->title, f->title_len) == 0;
}

static int queue_line(winnow_filter *f, const char *s, size_t n, const char *eol, size_t eollen,
                      int state, int hold, const char *rule_id)
{
    struct line *l = queue_push(f);
    if (!l) return fail(f, WINNOW_ERR_NOMEM);
    /* Held texts share one arena rather than a malloc each: lines are held and let go in
     * order, and most holds end within a line or two. */
    l->off = f->arena.len;
    if (buf_append(&f->arena, s, n)) {
        f->qlen--;
        return fail(f, WINNOW_ERR_NOMEM);
    }
    l->len = n;
    memcpy(l->eol, eol, eollen);
    l->eollen = (unsigned char)eollen;
    l->state = (unsigned char)state;
    l->hold = (unsigned char)hold;
    l->indent = leading_space(s, n);
    l->blank = l->indent == n;
    l->no = f->line_no;
    l->rule_id = rule_id;
    if (f->cut_reports.len) {
        l->reports = malloc(f->cut_reports.len);
        if (!l->reports) return fail(f, WINNOW_ERR_NOMEM);
        memcpy(l->reports, f->cut_reports.p, f->cut_reports.len);
        l->reports_len = f->cut_reports.len;
        f->cut_reports.len = 0;
    }
    return 0;
}

/* One line: s[0..n) without its ending eol. `own` is s when the buffer is ours to rewrite. */
static int text_line(winnow_filter *f, const char *s, size_t n, const char *eol, size_t eollen,
                     char *own)
{
    f->line_no++;
    f->stats.lines_in++;
    size_t first = leading_space(s, n);
    int blank = first == n;

    if (blank) {
        if (f->footer_active) {
            return queue_line(f, s, n, eol, eollen, ST_PENDING, HOLD_FOOTER, NULL);
        }
        if (f->qhead == f->qlen) return emit(f, f->line_no, s, n, eol, eollen, 1);
        return queue_line(f, s, n, eol, eollen, ST_KEEP, HOLD_NONE, NULL);
    }
    if (!f->have_title) {
        size_t b = n;
        while (b > first && is_space((unsigned char)s[b - 1]))
            b--;
        if (b - first <= TITLE_MAX) {
            memcpy(f->title, s + first, b - first);
            f->title_len = b - first;
        }
        f->have_title = 1;
        f->title_line = f->line_no;
    }

    f->valid = -1;
    f->line_s = s;
    f->line_n = n;
    /* Spans cut inside the line: embeds with their posts, short links, inline promos. */
    f->ncuts = 0;
    int attribution_first = 0;
    if (!f->opt.keep_embeds && f->n_attrib) {
        attribution_first = find_inline_embeds(f, s, n);
        if (attribution_first < 0) return fail(f, WINNOW_ERR_NOMEM);
    }
    find_cuts(f, s, n);
    const char *text = s;
    size_t len = n;
    const char *cut_rule = NULL;
    size_t indent = first; /* before the cuts, which may rewrite s in place */
    if (f->ncuts) {
        cut_rule = f->cuts[0].rule->id;
        if (apply_cuts(f, s, n, own)) return fail(f, WINNOW_ERR_NOMEM);
        text = f->cut_text;
        len = f->cut_len;
        first = leading_space(text, len);
        f->line_s = text; /* cut at character boundaries: as valid as the line was */
        f->line_n = len;
    }

    if (attribution_first) take_back(f, indent, cut_rule);

    if (first == len) { /* nothing left: the line was all boilerplate */
        if (f->list_active) end_list(f, 1);
        /* its cuts were reported; it counts as a removed line, not a blank one */
        if (queue_line(f, text, len, eol, eollen, ST_DROP, HOLD_NONE, NULL)) return f->status;
        f->q[f->qlen - 1].blank = 0;
        return drain(f, 0);
    }

    const struct wn_rule *r = match_line_rule(f, text, len, first);
    int is_footer = 0;
    const char *footer_id = NULL;
    if (r && r->kind == WN_KIND_FOOTER) {
        is_footer = 1;
        footer_id = r->id;
    } else if (!r && f->title_rule_on && f->line_no > f->title_line &&
               same_as_title(f, text, len)) {
        is_footer = 1;
        footer_id = f->title_rule_id;
    }

    /* A headline list under a header goes on while lines look like headlines. */
    if (f->list_active) {
        size_t ind = first; /* the leading blanks of text, as cut */
        /* "a bare URL may be one" headline (cleaning contract) */
        if (is_footer && bare_url(text, len)) {
            is_footer = 0;
            r = NULL;
        }
        int fits = !r && !is_footer && f->list_items < (size_t)f->list_rule->items &&
                   headline_like(text, len, f->list_rule->span) &&
                   (!f->list_indent_set || ind == f->list_indent);
        if (fits) {
            if (!f->list_indent_set) {
                f->list_indent = ind;
                f->list_indent_set = 1;
            }
            f->list_items++;
            return queue_line(f, text, len, eol, eollen, ST_PENDING, HOLD_LIST, f->list_rule->id);
        }
        /* One more headline than a list may hold: it was story after all. */
        int too_long = !r && !is_footer && f->list_items >= (size_t)f->list_rule->items &&
                       headline_like(text, len, f->list_rule->span);
        end_list(f, !too_long);
    }

    if (r && r->kind == WN_KIND_EMBED_START && !f->opt.keep_embeds) {
        if (f->embed_active) end_embed(f, 0, NULL);
        if (queue_line(f, text, len, eol, eollen, ST_DROP, HOLD_NONE, r->id)) return f->status;
        f->embed_active = 1;
        f->embed_start = f->qlen;
        f->embed_lines = f->embed_bytes = 0;
        f->region_start = f->qhead; /* hold everything from here */
        return 0;
    }

    int state = ST_KEEP, hold = HOLD_NONE;
    const char *rule_id = NULL;
    if (r && r->kind == WN_KIND_DROP_LINE) {
        state = ST_DROP;
        rule_id = r->id;
    } else if (r && r->kind == WN_KIND_HEADER_LIST) {
        state = ST_DROP;
        rule_id = r->id;
    } else if (is_footer) {
        state = ST_PENDING;
        hold = HOLD_FOOTER;
        rule_id = footer_id;
    }

    /* Story text ends a footer zone: what looked like footers was part of the story. */
    int story = state == ST_KEEP;
    if (story && f->footer_active) end_footer(f, 0);
    if (hold == HOLD_FOOTER && !f->footer_active) {
        f->footer_active = 1;
        f->footer_lines = f->footer_bytes = 0;
    }
    if (f->footer_active && state == ST_DROP) hold = HOLD_NONE;
    if (f->embed_active && state == ST_KEEP) {
        state = ST_PENDING;
        hold = HOLD_EMBED;
        f->embed_lines++;
        f->embed_bytes += len;
    }

    /* The common case: a story line too long to be taken back, with nothing held before it,
     * goes straight out without a copy (a 100 MB line costs its own size once). */
    if (state == ST_KEEP && len > f->max_span && !f->footer_active && !f->embed_active &&
        !f->list_active) {
        f->region_start = f->qlen;
        f->region_open = 0;
        if (drain(f, 0)) return f->status;
        if (f->qhead == f->qlen) {
            replay_reports(f, f->line_no, f->cut_reports.p, f->cut_reports.len);
            f->cut_reports.len = 0;
            return emit(f, f->line_no, text, len, eol, eollen, 0);
        }
    }
    if (queue_line(f, text, len, eol, eollen, state, hold, rule_id)) return f->status;

    if (r && r->kind == WN_KIND_HEADER_LIST) {
        f->list_active = 1;
        f->list_rule = r;
        f->list_items = 0;
        f->list_indent_set = 0;
        f->list_header = f->qlen - 1;
    }
    if (f->footer_active) {
        f->footer_lines++;
        f->footer_bytes += len;
        if (f->footer_lines > FOOTER_MAX_LINES || f->footer_bytes > FOOTER_MAX_BYTES)
            end_footer(f, 0); /* too long to be a footer: keep it */
    }
    if (f->embed_active && (f->embed_lines > EMBED_MAX_LINES || f->embed_bytes > EMBED_MAX_BYTES))
        end_embed(f, 0, NULL);

    /* The take-back region: the latest short block (and indented blocks before it). */
    struct line *l = &f->q[f->qlen - 1];
    int new_block = f->qlen - 1 == f->qhead || f->q[f->qlen - 2].blank;
    if (!f->embed_active) {
        if (new_block) {
            int extend = f->region_open && l->indent > 0 && l->indent == f->region_indent &&
                         f->region_bytes + len <= f->max_span;
            if (!extend) {
                f->region_start = f->qlen - 1;
                f->region_bytes = 0;
            }
            f->region_indent = l->indent;
        }
        f->region_bytes += len;
        f->region_open = 1;
        if (f->region_bytes > f->max_span) {
            f->region_open = 0;
            f->region_start = f->qlen;
        }
    }
    return drain(f, 0);
}

/* ---- documents and formats -------------------------------------------------------------- */

static int html_emit(void *ctx, const char *buf, size_t len);

static int process_text(winnow_filter *f, const char *s, size_t n, char *own)
{
    /* s[0..n) ends in '\n' or is the document's last, unterminated line */
    size_t eollen = 0;
    if (n && s[n - 1] == '\n') {
        eollen = 1;
        if (n >= 2 && s[n - 2] == '\r') eollen = 2;
    }
    return text_line(f, s, n - eollen, s + n - eollen, eollen, own);
}

static int html_emit(void *ctx, const char *buf, size_t len)
{
    winnow_filter *f = ctx;
    /* The HTML module hands over whole "\n"-terminated lines. */
    size_t pos = 0;
    while (pos < len && !f->status) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        process_text(f, buf + pos, end - pos, NULL);
        pos = end;
    }
    return f->status;
}

static int finish_text(winnow_filter *f)
{
    if (f->partial.len) {
        process_text(f, f->partial.p, f->partial.len, f->partial.p);
        f->partial.len = 0;
    }
    if (f->embed_active) end_embed(f, 0, NULL);
    if (f->list_active) end_list(f, 1);
    end_footer(f, 1);
    drain(f, 1);
    f->region_start = f->qhead = f->qlen = 0;
    f->region_open = 0;
    f->region_bytes = 0;
    f->have_title = 0;
    f->title_len = 0;
    f->blanks.len = 0; /* blank lines after the last removal: the gap closes the document */
    f->after_drop = f->wrote_in_doc = 0;
    f->line_no = 0;
    return f->status;
}

/* Decides the format from the first non-blank bytes of a document. Returns 0 when more bytes
 * are needed. */
static int sniff_format(const char *s, size_t n, int final)
{
    size_t a = 0;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        a = 3; /* UTF-8 byte order mark */
    while (a < n && (is_space((unsigned char)s[a]) || s[a] == '\n'))
        a++;
    static const char *const marks[] = {"<!doctype html", "<html"};
    for (size_t i = 0; i < 2; i++) {
        size_t ml = strlen(marks[i]);
        size_t have = n - a < ml ? n - a : ml;
        if (strncasecmp(s + a, marks[i], have) == 0) {
            if (have == ml) return WINNOW_FORMAT_HTML;
            if (!final) return 0;
        }
    }
    if (a == n && !final) return 0;
    return WINNOW_FORMAT_TEXT;
}

static int feed(winnow_filter *f, const char *buf, size_t len)
{
    if (f->doc_format == WINNOW_FORMAT_HTML) {
        if (wn_html_push(f->html, buf, len)) return fail(f, WINNOW_ERR_NOMEM);
        return f->status;
    }
    size_t pos = 0;
    while (pos < len && !f->status) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) {
            if (buf_append(&f->partial, buf + pos, len - pos)) return fail(f, WINNOW_ERR_NOMEM);
            break;
        }
        size_t end = (size_t)(nl - buf) + 1;
        if (f->partial.len) {
            if (buf_append(&f->partial, buf + pos, end - pos)) return fail(f, WINNOW_ERR_NOMEM);
            process_text(f, f->partial.p, f->partial.len, f->partial.p);
            f->partial.len = 0;
            if (f->partial.cap > (1u << 20)) { /* give a huge line's memory back */
                free(f->partial.p);
                f->partial.p = NULL;
                f->partial.cap = 0;
            }
        } else {
            process_text(f, buf + pos, end - pos, NULL);
        }
        pos = end;
    }
    return f->status;
}

static int start_document(winnow_filter *f, const char *buf, size_t len, int final)
{
    if (f->opt.format != WINNOW_FORMAT_AUTO) {
        f->doc_format = f->opt.format;
        return feed(f, buf, len);
    }
    if (buf_append(&f->sniff, buf, len)) return fail(f, WINNOW_ERR_NOMEM);
    int fmt = sniff_format(f->sniff.p, f->sniff.len, final || f->sniff.len > 4096);
    if (!fmt) return 0;
    f->doc_format = fmt;
    struct buf held = f->sniff;
    f->sniff = (struct buf){0};
    int rc = feed(f, held.p, held.len);
    free(held.p);
    return rc;
}

int winnow_filter_push(winnow_filter *f, const char *buf, size_t len)
{
    if (f->status) return f->status;
    f->stats.bytes_in += len;
    f->out.in_lo = buf;
    f->out.in_hi = buf + len;
    int rc = !f->doc_format ? start_document(f, buf, len, 0) : feed(f, buf, len);
    /* the caller may reuse buf once we return */
    if (coalesce_flush(&f->out) && !f->status) rc = fail(f, WINNOW_ERR_WRITE);
    f->out.in_lo = f->out.in_hi = NULL;
    return rc ? rc : f->status;
}

int winnow_filter_end_document(winnow_filter *f)
{
    if (f->status) return f->status;
    if (!f->doc_format && f->sniff.len) start_document(f, "", 0, 1);
    if (f->doc_format == WINNOW_FORMAT_HTML && f->html) {
        if (wn_html_finish(f->html)) fail(f, WINNOW_ERR_NOMEM);
    }
    finish_text(f);
    f->doc_format = 0;
    if (f->links && !f->status && wn_links_flush(f->links)) fail(f, WINNOW_ERR_WRITE);
    return f->status;
}

/* ---- setup ------------------------------------------------------------------------------ */

static int collect(winnow_filter *f, enum wn_kind kind, const struct wn_rule ***out, size_t *n)
{
    const struct wn_rule **list;
    size_t k = wn_rules_of_kind(f->rules, kind, &list);
    if (!k) return 0;
    const struct wn_rule **grown = realloc(*out, (*n + k) * sizeof **out);
    if (!grown) return -1;
    for (size_t i = 0; i < k; i++)
        grown[*n + i] = list[i];
    *out = grown;
    *n += k;
    return 0;
}

winnow_filter *winnow_filter_new(winnow_rules *rules, const struct winnow_options *options,
                                 winnow_write_fn write, void *write_ctx)
{
    return winnow_filter_open(rules, options, write, write_ctx, NULL, 0);
}

winnow_filter *winnow_filter_open(winnow_rules *rules, const struct winnow_options *options,
                                  winnow_write_fn write, void *write_ctx, char *errbuf,
                                  size_t errlen)
{
    char local[256];
    char *err = errbuf && errlen ? errbuf : local;
    size_t errsize = errbuf && errlen ? errlen : sizeof local;
    snprintf(err, errsize, "out of memory");
    if (!rules || !write) {
        snprintf(err, errsize, "no rules or no write callback");
        return NULL;
    }
    if (winnow_rules_compile(rules, err, errsize) != WINNOW_OK) return NULL;
    wn_rules_freeze(rules);
    winnow_filter *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->rules = rules;
    if (options) f->opt = *options;
    f->out.write = write;
    f->out.ctx = write_ctx;
    f->write = coalesce_write;
    f->write_ctx = &f->out;
    f->md = pcre2_match_data_create(wn_rules_max_captures(rules) + 1, NULL);
    f->mctx = pcre2_match_context_create(NULL);
    if (!f->md || !f->mctx) goto fail;
    /* A pathological pattern must not hang the stream: past the limit it just does not match. */
    pcre2_set_match_limit(f->mctx, MATCH_LIMIT);

    int keep_links =
        f->opt.links == WINNOW_LINKS_KEEP || (f->opt.link_options && f->opt.link_options->resolve);
    if (!f->opt.keep_embeds && collect(f, WN_KIND_EMBED_ATTRIBUTION, &f->attrib, &f->n_attrib))
        goto fail;
    if (collect(f, WN_KIND_EMBED_INTRO, &f->intro, &f->n_intro)) goto fail;
    if (collect(f, WN_KIND_CUT_SPAN, &f->cutters, &f->n_cutters)) goto fail;
    if (!keep_links && collect(f, WN_KIND_SHORT_LINK, &f->cutters, &f->n_cutters)) goto fail;
    /* Line rules in priority order: credits are kept whatever else they look like. */
    static const enum wn_kind line_kinds[] = {WN_KIND_CREDIT, WN_KIND_DROP_LINE,
                                              WN_KIND_HEADER_LIST, WN_KIND_EMBED_START,
                                              WN_KIND_FOOTER};
    for (size_t k = 0; k < sizeof line_kinds / sizeof line_kinds[0]; k++) {
        if (line_kinds[k] == WN_KIND_EMBED_START && f->opt.keep_embeds) continue;
        if (collect(f, line_kinds[k], &f->line_rules, &f->n_line_rules)) goto fail;
    }
    for (unsigned c = 0; c < 256; c++) {
        for (size_t i = 0; i < f->n_line_rules; i++) {
            const struct wn_rule *r = f->line_rules[i];
            if (!(r->first_bytes[c >> 3] & (1u << (c & 7)))) continue;
            const struct wn_rule **g = realloc(f->by_first[c], (f->n_by_first[c] + 1) * sizeof *g);
            if (!g) goto fail;
            g[f->n_by_first[c]++] = r;
            f->by_first[c] = g;
        }
    }
    const struct wn_rule **titles;
    if (wn_rules_of_kind(rules, WN_KIND_FOOTER_TITLE, &titles)) {
        f->title_rule_on = 1;
        f->title_rule_id = titles[0]->id;
    }
    f->max_span = 0;
    for (size_t i = 0; i < f->n_attrib; i++)
        if ((size_t)f->attrib[i]->span * 4 > f->max_span)
            f->max_span = (size_t)f->attrib[i]->span * 4;
    if (!f->max_span) f->max_span = 1200;

    f->html = wn_html_new(rules, &f->opt, html_emit, f);
    if (!f->html) goto fail;
    int want_links = f->opt.links != WINNOW_LINKS_KEEP || f->opt.link_options;
    if (want_links) {
        f->links = wn_links_new(rules, &f->opt, coalesce_write, &f->out, err, errsize);
        if (!f->links) goto fail;
    }
    return f;
fail:
    winnow_filter_free(f);
    return NULL;
}

void winnow_filter_stats(const winnow_filter *f, struct winnow_stats *stats)
{
    *stats = f->stats;
}

void winnow_filter_free(winnow_filter *f)
{
    if (!f) return;
    for (size_t i = f->qhead; i < f->qlen; i++)
        free(f->q[i].reports);
    free(f->arena.p);
    free(f->q);
    free(f->partial.p);
    free(f->scratch.p);
    free(f->blanks.p);
    free(f->cut_reports.p);
    free(f->sniff.p);
    free(f->cuts);
    free(f->attrib);
    free(f->cutters);
    free(f->intro);
    free(f->line_rules);
    for (int c = 0; c < 256; c++)
        free(f->by_first[c]);
    if (f->links) wn_links_free(f->links);
    if (f->html) wn_html_free(f->html);
    pcre2_match_data_free(f->md);
    pcre2_match_context_free(f->mctx);
    free(f);
}
