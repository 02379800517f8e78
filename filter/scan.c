/* scan.c: the chunk scan (scan.h). A line rule may touch a line only if the line starts with
 * one of its derived prefixes (a table of the first two bytes after the indent), or, for one
 * without prefixes, holds one of its literals and starts with a byte PCRE2 allows; a rule that
 * matches anywhere only if the line holds one of its literals. All literals are found in one
 * Vectorscan pass over the chunk. A rule with nothing derived touches every line it may. */
#include "scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "textfeat.h"

#ifdef WN_HAVE_HS
#include <hs.h>

enum role { ROLE_LINE, ROLE_ATTRIB, ROLE_CUT };

/* Up to this many rules that have both prefixes and literals are told apart per line (a bit
 * each), so a line is touched by one only when it starts with its prefix and holds its
 * literal; the rest are touched by their prefix alone. */
enum { AND_RULES = 0 };

struct lit_owner {
    const struct wn_rule *rule;
    enum role role;
    int and_bit; /* -1, or the rule's bit: this literal counts only with the rule's prefix */
};

/* A prefix a rule may start a line with (after the indent). */
struct prefix {
    unsigned key; /* its first two bytes (b0 << 8 | b1), one entry per case of them */
    unsigned char len, caseless, attrib;
    signed char and_bit; /* -1: the prefix alone touches the line */
    char s[WN_SCAN_PREFIX_LEN];
};

struct wn_scan {
    hs_database_t *db; /* NULL when no rule has literals */
    hs_scratch_t *scratch;
    struct lit_owner *owners;   /* by literal id */
    unsigned char start2[8192]; /* bit key: some prefix starts with these two bytes */
    struct prefix *prefixes;    /* sorted by key */
    size_t nprefixes, prefix_cap;
    unsigned char first_any[32]; /* bit b0: a line rule with nothing derived may start so */
    int touch_all, attrib_all;   /* a cut / attribution rule with nothing derived */
    int n_and;
    uint64_t and_attrib; /* bits of attribution rules among them */
    long hold_bytes, max_span;
    /* the chunk */
    const char *base;
    size_t nlines, cap, cursor;
    size_t *start;        /* line k starts at base + start[k] ... */
    size_t *len;          /* ... and is len[k] bytes long, without its ending */
    unsigned char *flags; /* WN_SCAN_* */
    uint64_t *by_prefix;  /* AND rules whose prefix starts line k */
    uint64_t *by_literal; /* AND rules whose literal line k holds */
};

static void set_bit(unsigned char *map, unsigned i)
{
    map[i >> 3] |= (unsigned char)(1u << (i & 7));
}

static int has_bit(const unsigned char *map, unsigned i)
{
    return map[i >> 3] >> (i & 7) & 1;
}

/* The byte and, for a caseless ASCII letter, its other case. */
static int byte_cases(unsigned char c, int caseless, unsigned char out[2])
{
    out[0] = c;
    if (caseless && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
        out[1] = c ^ 0x20;
        return 2;
    }
    return 1;
}

static int push_prefix(struct wn_scan *sc, const struct prefix *x)
{
    if (sc->nprefixes == sc->prefix_cap) {
        size_t cap = sc->prefix_cap ? sc->prefix_cap * 2 : 256;
        struct prefix *g = realloc(sc->prefixes, cap * sizeof *g);
        if (!g) return -1;
        sc->prefixes = g;
        sc->prefix_cap = cap;
    }
    sc->prefixes[sc->nprefixes++] = *x;
    set_bit(sc->start2, x->key);
    return 0;
}

/* One entry per case of its first two bytes; a one-byte prefix, one per second byte. */
static int add_prefix(struct wn_scan *sc, const struct wn_pf_lit *p, int attrib, int and_bit)
{
    struct prefix x = {0, p->len, p->caseless, (unsigned char)attrib, (signed char)and_bit, {0}};
    memcpy(x.s, p->s, p->len < WN_SCAN_PREFIX_LEN ? p->len : WN_SCAN_PREFIX_LEN);
    if (x.len > WN_SCAN_PREFIX_LEN) x.len = WN_SCAN_PREFIX_LEN;
    unsigned char b0[2], b1[2];
    int n0 = byte_cases((unsigned char)p->s[0], p->caseless, b0);
    for (int i = 0; i < n0; i++) {
        if (p->len == 1) {
            for (unsigned c = 0; c < 256; c++) {
                x.key = (unsigned)b0[i] << 8 | c;
                if (push_prefix(sc, &x)) return -1;
            }
            continue;
        }
        int n1 = byte_cases((unsigned char)p->s[1], p->caseless, b1);
        for (int j = 0; j < n1; j++) {
            x.key = (unsigned)b0[i] << 8 | b1[j];
            if (push_prefix(sc, &x)) return -1;
        }
    }
    return 0;
}

static int prefix_cmp(const void *a, const void *b)
{
    const struct prefix *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

struct lits {
    const char **expr;
    unsigned *flags, *ids;
    size_t *lens, n, cap;
};

static int add_lits(struct wn_scan *sc, struct lits *l, const struct wn_rule *r, enum role role,
                    int and_bit)
{
    for (size_t i = 0; i < r->pf_nlits; i++) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 256;
            const char **e = realloc(l->expr, cap * sizeof *e);
            if (e) l->expr = e;
            unsigned *f = realloc(l->flags, cap * sizeof *f);
            if (f) l->flags = f;
            unsigned *d = realloc(l->ids, cap * sizeof *d);
            if (d) l->ids = d;
            size_t *n = realloc(l->lens, cap * sizeof *n);
            if (n) l->lens = n;
            struct lit_owner *o = realloc(sc->owners, cap * sizeof *o);
            if (o) sc->owners = o;
            if (!e || !f || !d || !n || !o) return -1;
            l->cap = cap;
        }
        l->expr[l->n] = r->pf_lits[i].s;
        l->lens[l->n] = r->pf_lits[i].len;
        l->flags[l->n] = r->pf_lits[i].caseless ? HS_FLAG_CASELESS : 0;
        l->ids[l->n] = (unsigned)l->n;
        sc->owners[l->n] = (struct lit_owner){r, role, and_bit};
        l->n++;
    }
    return 0;
}

/* A rule anchored at a line's start goes into the prefix table (and, with literals too, it
 * needs both); one with literals only into the literal scan; one with neither marks every
 * line it may start (line rules) or every line. */
static int add_rule(struct wn_scan *sc, struct lits *l, const struct wn_rule *x, enum role role)
{
    int attrib = role == ROLE_ATTRIB;
    if (x->pf_nprefixes) {
        int bit = x->pf_nlits && sc->n_and < AND_RULES ? sc->n_and++ : -1;
        if (bit >= 0 && attrib) sc->and_attrib |= (uint64_t)1 << bit;
        for (size_t k = 0; k < x->pf_nprefixes; k++)
            if (add_prefix(sc, &x->pf_prefixes[k], attrib, bit)) return -1;
        return bit >= 0 ? add_lits(sc, l, x, role, bit) : 0;
    }
    if (x->pf_nlits) return add_lits(sc, l, x, role, -1);
    if (role == ROLE_LINE) {
        for (size_t b = 0; b < 32; b++)
            sc->first_any[b] |= x->first_bytes[b];
    } else if (attrib) {
        sc->attrib_all = 1;
    } else {
        sc->touch_all = 1;
    }
    return 0;
}

static int add_rules(struct wn_scan *sc, struct lits *l, const struct wn_scan_rules *r)
{
    for (size_t i = 0; i < r->n_line; i++)
        if (add_rule(sc, l, r->line[i], ROLE_LINE)) return -1;
    for (size_t i = 0; i < r->n_attrib; i++)
        if (add_rule(sc, l, r->attrib[i], ROLE_ATTRIB)) return -1;
    for (size_t i = 0; i < r->n_cut; i++)
        if (add_rule(sc, l, r->cut[i], ROLE_CUT)) return -1;
    if (sc->nprefixes) qsort(sc->prefixes, sc->nprefixes, sizeof *sc->prefixes, prefix_cmp);
    return 0;
}

int wn_scan_available(void)
{
    return 1;
}

struct wn_scan *wn_scan_new(const struct wn_scan_rules *r)
{
    struct wn_scan *sc = calloc(1, sizeof *sc);
    struct lits l = {0};
    if (!sc) return NULL;
    sc->hold_bytes = r->hold_bytes;
    sc->max_span = r->max_span;
    if (add_rules(sc, &l, r) || sc->touch_all || sc->attrib_all) goto fail;
    if (l.n) {
        hs_compile_error_t *err = NULL;
        if (hs_compile_lit_multi(l.expr, l.flags, l.ids, l.lens, (unsigned)l.n, HS_MODE_BLOCK, NULL,
                                 &sc->db, &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            goto fail;
        }
        if (hs_alloc_scratch(sc->db, &sc->scratch) != HS_SUCCESS) goto fail;
    }
    free(l.expr);
    free(l.flags);
    free(l.ids);
    free(l.lens);
    return sc;
fail:
    free(l.expr);
    free(l.flags);
    free(l.ids);
    free(l.lens);
    wn_scan_free(sc);
    return NULL;
}

void wn_scan_free(struct wn_scan *sc)
{
    if (!sc) return;
    if (sc->scratch) hs_free_scratch(sc->scratch);
    if (sc->db) hs_free_database(sc->db);
    free(sc->owners);
    free(sc->prefixes);
    free(sc->by_prefix);
    free(sc->by_literal);
    free(sc->start);
    free(sc->len);
    free(sc->flags);
    free(sc);
}

static int prefix_matches(const struct prefix *x, const char *t, size_t n)
{
    if (x->len > n) return 0;
    for (size_t i = 2; i < x->len; i++) { /* the key matched the first two */
        unsigned char a = (unsigned char)x->s[i], b = (unsigned char)t[i];
        if (a != b &&
            !(x->caseless && (a | 0x20) >= 'a' && (a | 0x20) <= 'z' && (a | 0x20) == (b | 0x20)))
            return 0;
    }
    return 1;
}

/* Line k's text after its indent, t[0..n): the rules that may start it. */
static void starts_line(struct wn_scan *sc, size_t k, const char *t, size_t n)
{
    unsigned b0 = (unsigned char)t[0], key = b0 << 8 | (n > 1 ? (unsigned char)t[1] : 0);
    if (has_bit(sc->first_any, b0)) sc->flags[k] |= WN_SCAN_TOUCHED;
    if (!has_bit(sc->start2, key)) return;
    size_t lo = 0, hi = sc->nprefixes;
    while (lo < hi) { /* the first entry with this key */
        size_t mid = lo + (hi - lo) / 2;
        if (sc->prefixes[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < sc->nprefixes && sc->prefixes[lo].key == key; lo++) {
        const struct prefix *x = &sc->prefixes[lo];
        if (!prefix_matches(x, t, n)) continue;
        if (x->and_bit >= 0)
            sc->by_prefix[k] |= (uint64_t)1 << x->and_bit;
        else
            sc->flags[k] |= WN_SCAN_TOUCHED | (x->attrib ? WN_SCAN_ATTRIBUTION : 0);
    }
}

/* Frames the chunk's whole lines and marks those a line rule may start; -1: no memory. */
static int frame_lines(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    size_t pos = 0;
    sc->nlines = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl && !final) break; /* the start of a line the next push ends */
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (sc->nlines == sc->cap) {
            size_t cap = sc->cap ? sc->cap * 2 : 1024;
            size_t *s = realloc(sc->start, cap * sizeof *s);
            if (s) sc->start = s;
            size_t *n = realloc(sc->len, cap * sizeof *n);
            if (n) sc->len = n;
            unsigned char *f = realloc(sc->flags, cap);
            if (f) sc->flags = f;
            uint64_t *bp = realloc(sc->by_prefix, cap * sizeof *bp);
            if (bp) sc->by_prefix = bp;
            uint64_t *bl = realloc(sc->by_literal, cap * sizeof *bl);
            if (bl) sc->by_literal = bl;
            if (!s || !n || !f || !bp || !bl) return -1;
            sc->cap = cap;
        }
        size_t n = end > pos && buf[end - 1] == '\r' ? end - pos - 1 : end - pos;
        size_t k = sc->nlines++;
        sc->start[k] = pos;
        sc->len[k] = n;
        sc->flags[k] = 0;
        sc->by_prefix[k] = sc->by_literal[k] = 0;
        size_t lead = wn_leading_space(buf + pos, n);
        if (lead < n) starts_line(sc, k, buf + pos + lead, n - lead);
        pos = end + 1;
    }
    return 0;
}

static int on_literal(unsigned id, unsigned long long from, unsigned long long to,
                      unsigned hs_flags, void *ctx)
{
    (void)from;
    (void)hs_flags;
    struct wn_scan *sc = ctx;
    size_t at = (size_t)to - 1, lo = 0, hi = sc->nlines;
    while (hi - lo > 1) { /* the last line starting at or before `at` */
        size_t mid = lo + (hi - lo) / 2;
        if (sc->start[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    if (!sc->nlines || at >= sc->start[lo] + sc->len[lo]) return 0; /* in a line ending */
    const struct lit_owner *o = &sc->owners[id];
    if (o->and_bit >= 0) { /* counts only with the rule's prefix (see wn_scan_chunk) */
        sc->by_literal[lo] |= (uint64_t)1 << o->and_bit;
        return 0;
    }
    if (o->role == ROLE_LINE) {
        const char *s = sc->base + sc->start[lo];
        size_t lead = wn_leading_space(s, sc->len[lo]);
        if (lead >= sc->len[lo] || !has_bit(o->rule->first_bytes, (unsigned char)s[lead])) return 0;
    }
    sc->flags[lo] |= WN_SCAN_TOUCHED;
    if (o->role == ROLE_ATTRIB) sc->flags[lo] |= WN_SCAN_ATTRIBUTION;
    return 0;
}

/* From the chunk's end up: a line is settled when the untouched text between it and the next
 * line an attribution may open is more than a climb can take: the hold bound in bytes, or the
 * longest post in characters (as a post counts them; a line that may hold a link counts
 * nothing). The chunk's end counts as such a line: the next chunk may begin with one. Touched
 * lines weigh nothing (cuts may shrink them), nor do blank lines (a climb does not count
 * them). */
static void settle(struct wn_scan *sc, int final)
{
    /* at the document's end, as if an attribution could never come */
    size_t bytes = final ? SIZE_MAX / 2 : 0, chars = final ? SIZE_MAX / 2 : 0;
    for (size_t k = sc->nlines; k-- > 0;) {
        unsigned char f = sc->flags[k];
        if (f & WN_SCAN_ATTRIBUTION) {
            bytes = chars = 0;
            continue;
        }
        if (f & WN_SCAN_TOUCHED) continue;
        if (bytes > (size_t)sc->hold_bytes || chars > (size_t)sc->max_span)
            sc->flags[k] |= WN_SCAN_SETTLED;
        const char *s = sc->base + sc->start[k];
        size_t n = sc->len[k];
        if (wn_leading_space(s, n) == n) continue;
        bytes += n;
        if (chars <= (size_t)sc->max_span)
            chars += wn_post_chars_floor(s, n, (size_t)sc->max_span + 1);
    }
}

int wn_scan_chunk(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    sc->base = buf;
    sc->cursor = 0;
    if (frame_lines(sc, buf, len, final)) {
        sc->nlines = 0;
        return -1;
    }
    if (sc->db && sc->nlines) {
        size_t end = sc->start[sc->nlines - 1] + sc->len[sc->nlines - 1];
        /* hs_scan takes an unsigned length: a chunk is at most a few MB plus one line, and a
         * longer one is scanned in parts that overlap by the longest literal */
        size_t pos = 0;
        while (pos < end) {
            size_t part = end - pos > (1u << 30) ? (1u << 30) : end - pos;
            if (hs_scan(sc->db, buf + pos, (unsigned)part, 0, sc->scratch, on_literal, sc) !=
                HS_SUCCESS) {
                sc->nlines = 0;
                return -1;
            }
            if (pos + part >= end) break;
            pos += part - WN_PF_MAX_LEN;
        }
    }
    for (size_t k = 0; k < sc->nlines; k++) {
        uint64_t both = sc->by_prefix[k] & sc->by_literal[k];
        if (both)
            sc->flags[k] |= WN_SCAN_TOUCHED | (both & sc->and_attrib ? WN_SCAN_ATTRIBUTION : 0);
    }
    settle(sc, final);
    return 0;
}

int wn_scan_line(struct wn_scan *sc, const char *s)
{
    /* compared as addresses: s may lie in another buffer (a line gathered across pushes) */
    uintptr_t at = (uintptr_t)s, base = (uintptr_t)sc->base;
    if (!sc->nlines || at < base) return WN_SCAN_UNKNOWN;
    size_t off = (size_t)(at - base);
    while (sc->cursor < sc->nlines && sc->start[sc->cursor] < off)
        sc->cursor++;
    if (sc->cursor == sc->nlines || sc->start[sc->cursor] != off) return WN_SCAN_UNKNOWN;
    return sc->flags[sc->cursor];
}

void wn_scan_forget(struct wn_scan *sc)
{
    sc->nlines = 0;
    sc->base = NULL;
}

#else /* no Vectorscan: every line takes the per-line stages */

int wn_scan_available(void)
{
    return 0;
}

struct wn_scan *wn_scan_new(const struct wn_scan_rules *r)
{
    (void)r;
    return NULL;
}

int wn_scan_chunk(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    (void)sc;
    (void)buf;
    (void)len;
    (void) final;
    return -1;
}

int wn_scan_line(struct wn_scan *sc, const char *s)
{
    (void)sc;
    (void)s;
    return WN_SCAN_UNKNOWN;
}

void wn_scan_forget(struct wn_scan *sc)
{
    (void)sc;
}

void wn_scan_free(struct wn_scan *sc)
{
    (void)sc;
}

#endif
