/* prefilter.c: derives from a PCRE2 pattern the literals every match contains, by a small
 * recursive-descent reading of the pattern (RE2's prefilter algorithm): each node is "exactly
 * one of these strings", "contains one of these strings" or "anything"; concatenation takes
 * cross products while they stay small, else the rarer side; alternation unions. What it does
 * not understand it takes as "anything", so a derived prefilter can miss a filter, never a
 * match. PCRE2's caseless matching folds 'k' to U+212A and 's' to U+017F as well, which an
 * ASCII-caseless literal scan would not see: under (?i) each of those is a set of two; other
 * letters outside ASCII are "any char" under (?i). */
#include "prefilter.h"

#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "limits.h"

struct info {
    int exact; /* the node matches exactly one of lits */
    int any;   /* nothing known */
    size_t n;
    struct wn_pf_lit lits[WN_PF_MAX_LITS];
};

struct parser {
    const char *p, *end;
    int depth;
    int bail;      /* x mode, too deep, or out of memory: give up */
    size_t prefix; /* 0: what a match contains; else how a match starts, in so many bytes */
    size_t suffix; /* or (if not 0) how it ends */
    /* The working sets are kilobytes each: on the heap, so a deep pattern costs no stack, and
     * reused, so a long one does not churn the allocator. */
    struct info *spare[3 * WN_PREFILTER_MAX_DEPTH + 8];
    size_t nspare;
    int quoted; /* inside \Q...\E: every character is itself */
};

static struct info *info_new(struct parser *ps)
{
    if (ps->nspare) return ps->spare[--ps->nspare];
    struct info *a = malloc(sizeof *a);
    if (!a) ps->bail = 1;
    return a;
}

static void info_put(struct parser *ps, struct info *a)
{
    if (!a) return;
    if (ps->nspare < sizeof ps->spare / sizeof ps->spare[0])
        ps->spare[ps->nspare++] = a;
    else
        free(a);
}

/* Copies the set's header and its n literals only (an info is kilobytes, mostly unused). */
static void copy_info(struct info *dst, const struct info *src)
{
    dst->exact = src->exact;
    dst->any = src->any;
    dst->n = src->n;
    memcpy(dst->lits, src->lits, src->n * sizeof src->lits[0]);
}

static void set_empty(struct info *a)
{
    a->exact = 1;
    a->any = 0;
    a->n = 1;
    a->lits[0].len = 0;
    a->lits[0].caseless = 0;
    a->lits[0].open = 1;
}

static void set_any(struct info *a)
{
    a->exact = 0;
    a->any = 1;
    a->n = 0;
}

static size_t min_len(const struct info *a)
{
    if (a->any || !a->n) return 0;
    size_t m = WN_PF_MAX_LEN;
    for (size_t i = 0; i < a->n; i++)
        if (a->lits[i].len < m) m = a->lits[i].len;
    return m;
}

/* "contains one of": an exact set read as a requirement; the empty string requires nothing */
static void make_required(struct info *a)
{
    a->exact = 0;
    if (!a->any && min_len(a) == 0) set_any(a);
}

/* Which of two requirements filters better: past a few bytes a longer literal is hardly
 * rarer, while every literal more is one more thing to scan for (and to hit). */
static int better(const struct info *a, const struct info *b)
{
    size_t la = min_len(a), lb = min_len(b);
    size_t ca = la < WN_PF_ENOUGH ? la : WN_PF_ENOUGH, cb = lb < WN_PF_ENOUGH ? lb : WN_PF_ENOUGH;
    if (ca != cb) return ca > cb;
    if (a->n != b->n) return a->n < b->n;
    return la >= lb;
}

static void concat(struct info *a, const struct info *b)
{
    if (a->exact && b->exact && a->n * b->n <= WN_PF_MAX_LITS) {
        struct info r;
        r.exact = 1;
        r.any = 0;
        r.n = 0;
        int fits = 1;
        for (size_t i = 0; i < a->n && fits; i++)
            for (size_t j = 0; j < b->n && fits; j++) {
                size_t la = a->lits[i].len, lb = b->lits[j].len;
                if (la + lb > WN_PF_MAX_LEN) {
                    fits = 0;
                    break;
                }
                struct wn_pf_lit *o = &r.lits[r.n++];
                memcpy(o->s, a->lits[i].s, la);
                memcpy(o->s + la, b->lits[j].s, lb);
                o->len = (unsigned char)(la + lb);
                o->caseless = a->lits[i].caseless | b->lits[j].caseless;
            }
        if (fits) {
            copy_info(a, &r);
            return;
        }
    }
    struct info rb;
    copy_info(&rb, b);
    make_required(a);
    make_required(&rb);
    if (!better(a, &rb)) *a = rb;
}

static int lit_cmp(const void *x, const void *y)
{
    const struct wn_pf_lit *a = x, *b = y;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return memcmp(a->s, b->s, a->len);
}

/* Drops repeated literals (a repeat's case mode merges into the one kept): sorted, then one of
 * each run, so a big set costs n log n, not n squared. */
static void unique(struct wn_pf_lit *l, size_t *n)
{
    if (*n < 2) return;
    qsort(l, *n, sizeof *l, lit_cmp);
    size_t o = 0;
    for (size_t i = 1; i < *n; i++) {
        if (lit_cmp(&l[o], &l[i]) == 0) {
            l[o].caseless |= l[i].caseless;
            l[o].open &= l[i].open; /* "starts with ab" holds "starts with ab, then more" */
        } else
            l[++o] = l[i];
    }
    *n = o + 1;
}

/* Byte order, shorter first on a tie: neighbours share their longest common prefixes. */
static int lex_cmp(const void *x, const void *y)
{
    const struct wn_pf_lit *a = x, *b = y;
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, m);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Cuts every literal to at most `cut` bytes, at a character boundary (closing it). */
static void truncate_lits(struct wn_pf_lit *l, size_t n, size_t cut)
{
    for (size_t i = 0; i < n; i++) {
        if (l[i].len <= cut) continue;
        l[i].len = (unsigned char)cut;
        while (l[i].len && ((unsigned char)l[i].s[l[i].len] & 0xC0) == 0x80)
            l[i].len--;
        l[i].open = 0;
    }
}

/* a := a and b together. Too many: the prefixes of what a branch requires (or starts with)
 * are required too, and fewer: every literal is cut to the longest length at which the
 * distinct prefixes fit (found at once from the sorted union: two strings share their first L
 * bytes exactly when their common prefix is at least L long), at least 2 bytes; else "any". */
static void union_to_fit(struct info *a, const struct info *b)
{
    size_t n = a->n + b->n;
    if (n <= WN_PF_MAX_LITS) {
        memcpy(a->lits + a->n, b->lits, b->n * sizeof b->lits[0]);
        a->n = n;
        if (n > WN_PF_MAX_LITS / 2) unique(a->lits, &a->n);
        return;
    }
    struct wn_pf_lit *u = malloc(n * sizeof *u);
    size_t *short_at = calloc(WN_PF_MAX_LEN + 2, sizeof *short_at);
    if (!u || !short_at) {
        free(u);
        free(short_at);
        set_any(a);
        return;
    }
    memcpy(u, a->lits, a->n * sizeof *u);
    memcpy(u + a->n, b->lits, b->n * sizeof *u);
    qsort(u, n, sizeof *u, lex_cmp);
    /* short_at[L]: adjacent pairs whose common prefix is shorter than L bytes */
    for (size_t i = 0; i + 1 < n; i++) {
        size_t c = 0, m = u[i].len < u[i + 1].len ? u[i].len : u[i + 1].len;
        while (c < m && u[i].s[c] == u[i + 1].s[c])
            c++;
        short_at[c + 1]++;
    }
    size_t cut = 0, distinct = 1;
    for (size_t l = 1; l <= WN_PF_MAX_LEN; l++) {
        distinct += short_at[l];
        if (distinct > WN_PF_MAX_LITS) break;
        cut = l;
    }
    if (cut < 2) {
        set_any(a);
    } else {
        /* the sorted union's cut-length prefixes fit; cut them, then drop the repeats */
        truncate_lits(u, n, cut);
        unique(u, &n);
        if (n > WN_PF_MAX_LITS) {
            set_any(a); /* cannot happen: counted above */
        } else {
            a->n = n;
            memcpy(a->lits, u, n * sizeof *u);
        }
    }
    free(u);
    free(short_at);
}

static void alternate(struct info *a, const struct info *b)
{
    if (a->any || b->any) {
        set_any(a);
        return;
    }
    struct info rb;
    copy_info(&rb, b);
    if (!(a->exact && b->exact)) {
        make_required(a);
        make_required(&rb);
        if (a->any || rb.any) {
            set_any(a);
            return;
        }
    }
    if (a->n + rb.n > WN_PF_MAX_LITS) a->exact = 0; /* shortened to fit: required only */
    union_to_fit(a, &rb);
}

/* Caseless sets outside ASCII, from the C library's simple case mappings (C.UTF-8): two code
 * points are in one set when they upper- then lower-case to the same one. The table holds every
 * code point that either mapping changes, sorted by that key. */
struct case_pair {
    uint32_t key, cp;
};
static struct case_pair *case_table;
static size_t case_count;
static pthread_once_t case_once = PTHREAD_ONCE_INIT;
static locale_t case_locale;

static int pair_cmp(const void *a, const void *b)
{
    const struct case_pair *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->cp < y->cp ? -1 : x->cp > y->cp;
}

static void build_case_table(void)
{
    case_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!case_locale) return;
    size_t cap = 4096;
    case_table = malloc(cap * sizeof *case_table);
    for (uint32_t cp = 0; case_table && cp < 0x20000; cp++) {
        wint_t up = towupper_l(cp, case_locale), lo = towlower_l(cp, case_locale);
        if (up == cp && lo == cp) continue;
        if (case_count == cap) {
            struct case_pair *g = realloc(case_table, 2 * cap * sizeof *g);
            if (!g) {
                free(case_table);
                case_table = NULL;
                break;
            }
            case_table = g;
            cap *= 2;
        }
        case_table[case_count++] = (struct case_pair){(uint32_t)towlower_l(up, case_locale), cp};
    }
    if (case_table) qsort(case_table, case_count, sizeof *case_table, pair_cmp);
}

static uint32_t decode_utf8(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 2) return (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
    if (len == 3)
        return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    if (len == 4)
        return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
               (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
    return u[0];
}

/* A letter outside ASCII under (?i): the exact set of its cases; "any char" when they are not
 * known (no C.UTF-8 locale) or too many. A character without case stays itself. */
static void other_cases(struct info *a, const char *s, size_t len)
{
    pthread_once(&case_once, build_case_table);
    if (!case_table) {
        set_any(a);
        return;
    }
    uint32_t cp = decode_utf8(s, len);
    uint32_t key = (uint32_t)towlower_l(towupper_l(cp, case_locale), case_locale);
    uint32_t members[8];
    size_t n = 0;
    members[n++] = cp;
    if (key != cp) members[n++] = key;
    struct case_pair probe = {key, 0};
    size_t lo = 0, hi = case_count;
    while (lo < hi) { /* the first pair with this key */
        size_t mid = (lo + hi) / 2;
        if (pair_cmp(&case_table[mid], &probe) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < case_count && case_table[lo].key == key; lo++) {
        uint32_t m = case_table[lo].cp;
        size_t j = 0;
        while (j < n && members[j] != m)
            j++;
        if (j < n) continue;
        if (n == sizeof members / sizeof members[0]) {
            set_any(a);
            return;
        }
        members[n++] = m;
    }
    a->exact = 1;
    a->any = 0;
    a->n = n;
    for (size_t i = 0; i < n; i++) {
        a->lits[i].len = (unsigned char)wn_utf8_encode(members[i], a->lits[i].s);
        a->lits[i].caseless = 0;
        a->lits[i].open = 1;
    }
}

/* One character (its UTF-8 bytes) under the current case mode. */
static void set_char(struct info *a, const char *s, size_t len, int caseless)
{
    set_empty(a);
    unsigned char c = (unsigned char)s[0];
    if (caseless && len == 1 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
        c |= 0x20;
        a->lits[0].s[0] = (char)c;
        a->lits[0].len = 1;
        a->lits[0].caseless = 1;
        /* PCRE2's caseless sets of these two hold a letter outside ASCII as well */
        const char *other = c == 'k' ? "\xE2\x84\xAA" : c == 's' ? "\xC5\xBF" : NULL;
        if (other) {
            a->n = 2;
            a->lits[1].len = (unsigned char)strlen(other);
            memcpy(a->lits[1].s, other, a->lits[1].len);
            a->lits[1].caseless = 0;
            a->lits[1].open = 1;
        }
        return;
    }
    if (caseless && c >= 0x80) {
        other_cases(a, s, len);
        return;
    }
    memcpy(a->lits[0].s, s, len);
    a->lits[0].len = (unsigned char)len;
}

static size_t utf8_len(const struct parser *ps)
{
    unsigned char c = (unsigned char)*ps->p;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return (size_t)(ps->end - ps->p) < n ? (size_t)(ps->end - ps->p) : n;
}

size_t wn_utf8_encode(unsigned long cp, char *o)
{
    if (cp < 0x80) return o[0] = (char)cp, 1;
    if (cp < 0x800) return o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 63)), 2;
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63));
    o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static void skip_to(struct parser *ps, char close)
{
    while (ps->p < ps->end && *ps->p != close)
        ps->p++;
    if (ps->p < ps->end) ps->p++;
}

/* Steps over what PCRE2 ignores between atoms (so a quantifier after it applies to the atom
 * before): "\E" outside a quote, an empty "\Q\E", a comment "(?#...)"; and into or out of a
 * quote at "\Q" or "\E". */
static void skip_ignored(struct parser *ps)
{
    for (;;) {
        size_t left = (size_t)(ps->end - ps->p);
        if (left >= 2 && ps->p[0] == '\\' && ps->p[1] == 'E') {
            ps->p += 2;
            ps->quoted = 0;
        } else if (ps->quoted) {
            return;
        } else if (left >= 2 && ps->p[0] == '\\' && ps->p[1] == 'Q') {
            ps->p += 2;
            ps->quoted = 1;
        } else if (left >= 3 && ps->p[0] == '(' && ps->p[1] == '?' && ps->p[2] == '#') {
            skip_to(ps, ')');
        } else {
            return;
        }
    }
}

/* \x{hhh} or \xhh after the 'x': the code point, or -1 */
static long hex_escape(struct parser *ps)
{
    unsigned long cp = 0;
    int digits = 0, braced = ps->p < ps->end && *ps->p == '{';
    if (braced) ps->p++;
    while (ps->p < ps->end && digits < (braced ? 8 : 2)) {
        char c = *ps->p;
        int v = c >= '0' && c <= '9'                     ? c - '0'
                : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                         : -1;
        if (v < 0) break;
        cp = cp * 16 + (unsigned long)v;
        digits++;
        ps->p++;
    }
    if (braced) {
        if (ps->p >= ps->end || *ps->p != '}') return -1;
        ps->p++;
    }
    return cp <= 0x10FFFF ? (long)cp : -1;
}

/* [lo-hi] of ASCII, as the exact set of its characters (a few at most). */
static void set_range(struct info *a, unsigned char lo, unsigned char hi, int caseless)
{
    a->exact = 1;
    a->any = 0;
    a->n = 0;
    for (unsigned c = lo; c <= hi; c++) {
        struct info ch;
        char one = (char)c;
        set_char(&ch, &one, 1, caseless);
        if (ch.any || a->n + ch.n > WN_PF_MAX_LITS) {
            set_any(a);
            return;
        }
        for (size_t v = 0; v < ch.n; v++)
            a->lits[a->n++] = ch.lits[v];
    }
    if (caseless) unique(a->lits, &a->n); /* [a-zA-Z] under (?i): each letter once */
}

/* The character of \t \n \r \f \e \a; 0 for any other letter. */
static char control_escape(char c)
{
    static const char from[] = "tnrfea", to[] = "\t\n\r\f\033\007";
    const char *p = c ? strchr(from, c) : NULL;
    return p ? to[p - from] : 0;
}

/* After a backslash that starts \c, a number, \g, \k, \N{...} or \o{...}: steps over the rest
 * of the escape (its argument), so that none of it reads as literal text. */
static void skip_escape_arg(struct parser *ps, char c)
{
    if (ps->p >= ps->end) return;
    char next = *ps->p;
    if (c == 'c') { /* \cX: a control character */
        ps->p += utf8_len(ps);
    } else if (c >= '0' && c <= '9') { /* a back reference or an octal character */
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    } else if ((c == 'g' || c == 'k') && (next == '{' || next == '<' || next == '\'')) {
        ps->p++;
        skip_to(ps, next == '{' ? '}' : next == '<' ? '>' : '\'');
    } else if (c == 'g') { /* \g1 \g-1 \g+1 */
        if (next == '+' || next == '-') ps->p++;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    } else if ((c == 'N' || c == 'o') && next == '{') { /* \N{U+hh}, \o{ooo} */
        skip_to(ps, '}');
    }
}

/* An escape outside a class, after the backslash. Sets *a. */
static void escape(struct parser *ps, struct info *a, int caseless)
{
    if (ps->p >= ps->end) {
        set_any(a);
        return;
    }
    char c = *ps->p++;
    char one[4];
    switch (c) {
    case 'b':
    case 'B':
    case 'A':
    case 'z':
    case 'Z':
    case 'G':
    case 'K':
    case 'Q': /* skip_ignored takes \Q and \E; should one get here, it matches nothing */
    case 'E':
        set_empty(a);
        return;
    case 'p':
    case 'P':
        if (ps->p < ps->end && *ps->p == '{')
            skip_to(ps, '}');
        else if (ps->p < ps->end)
            ps->p++;
        set_any(a);
        return;
    case 'x': {
        long cp = hex_escape(ps);
        if (cp < 0) {
            set_any(a);
            return;
        }
        set_char(a, one, wn_utf8_encode((unsigned long)cp, one), caseless);
        return;
    }
    case 't':
    case 'n':
    case 'r':
    case 'f':
    case 'e':
    case 'a':
        one[0] = control_escape(c);
        break;
    case 'd': /* without UCP, the ASCII digits */
        set_range(a, '0', '9', caseless);
        return;
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            /* a class (\s \w ...), a back reference, or something new: any text */
            skip_escape_arg(ps, c);
            set_any(a);
            return;
        }
        /* any other character stands for itself: all of it, when it is not ASCII */
        ps->p--;
        size_t len = utf8_len(ps);
        memcpy(one, ps->p, len);
        ps->p += len;
        set_char(a, one, len, caseless);
        return;
    }
    set_char(a, one, 1, caseless);
}

/* One member of a class at ps->p, stepped over: 1 and its UTF-8 in one[0..*len) when it is a
 * single known character; 2 for \d; 0 for anything else ([:alpha:], \Q...\E, \cX, ...). */
static int class_atom(struct parser *ps, char one[4], size_t *len)
{
    if (ps->p + 1 < ps->end && ps->p[0] == '[' &&
        (ps->p[1] == ':' || ps->p[1] == '.' || ps->p[1] == '=')) {
        /* [:alpha:] when its ":]" comes before any ']'; else a '[' (taken as unknown) */
        char term = ps->p[1];
        const char *q = ps->p + 2;
        while (q < ps->end && *q != ']' && !(*q == term && q + 1 < ps->end && q[1] == ']'))
            q++;
        ps->p = q < ps->end && *q == term ? q + 2 : ps->p + 1;
        return 0;
    }
    if (*ps->p == '\\' && ps->p + 1 < ps->end) {
        char c = ps->p[1];
        ps->p += 2;
        if (c == 'x') {
            long cp = hex_escape(ps);
            if (cp < 0) return 0;
            *len = wn_utf8_encode((unsigned long)cp, one);
            return 1;
        }
        if (c == 'Q') { /* quoted members, up to \E */
            while (ps->p < ps->end && !(ps->p[0] == '\\' && ps->p + 1 < ps->end && ps->p[1] == 'E'))
                ps->p++;
            if (ps->p < ps->end) ps->p += 2;
            return 0;
        }
        if (c == 'd') return 2; /* without UCP, the ASCII digits */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            if (c == 'p' || c == 'P') {
                if (ps->p < ps->end && *ps->p == '{')
                    skip_to(ps, '}');
                else if (ps->p < ps->end)
                    ps->p++;
            } else {
                skip_escape_arg(ps, c);
            }
            one[0] = control_escape(c);
            *len = 1;
            return one[0] != 0;
        }
        ps->p--; /* any other character stands for itself: all of it */
    }
    *len = utf8_len(ps);
    memcpy(one, ps->p, *len);
    ps->p += *len;
    return 1;
}

/* Adds the characters lo..hi to a class's set; -1 when they do not fit. */
static int add_range(struct info *set, unsigned char lo, unsigned char hi, int caseless)
{
    struct info r;
    set_range(&r, lo, hi, caseless);
    if (r.any || set->n + r.n > WN_PF_MAX_LITS) return -1;
    memcpy(set->lits + set->n, r.lits, r.n * sizeof r.lits[0]);
    set->n += r.n;
    return 0;
}

/* [...]: a small set of single characters is exact; anything else is any one character. */
static void char_class(struct parser *ps, struct info *a, int caseless)
{
    int negated = 0, unknown = 0;
    struct info set;
    set.exact = 1;
    set.any = 0;
    set.n = 0;
    if (ps->p < ps->end && *ps->p == '^') {
        negated = 1;
        ps->p++;
    }
    int first = 1;
    while (ps->p < ps->end && (*ps->p != ']' || first)) {
        first = 0;
        char one[4];
        size_t len = 0;
        int known = class_atom(ps, one, &len);
        if (known == 2) { /* \d: the ASCII digits */
            if (add_range(&set, '0', '9', caseless)) unknown = 1;
            continue;
        }
        if (ps->p + 1 < ps->end && ps->p[0] == '-' && ps->p[1] != ']') {
            /* a range: a short one of ASCII is its characters, any other is unknown */
            ps->p++;
            char end[4];
            size_t elen = 0;
            int eknown = class_atom(ps, end, &elen);
            unsigned char lo = (unsigned char)one[0], hi = (unsigned char)end[0];
            if (known != 1 || eknown != 1 || len != 1 || elen != 1 || lo >= 0x80 || hi >= 0x80 ||
                lo > hi || hi - lo >= 10 || add_range(&set, lo, hi, caseless))
                unknown = 1;
            continue;
        }
        if (!known) {
            unknown = 1;
            continue;
        }
        struct info ch;
        set_char(&ch, one, len, caseless);
        if (ch.any || set.n + ch.n > WN_PF_MAX_LITS) {
            unknown = 1;
            continue;
        }
        for (size_t v = 0; v < ch.n; v++) /* every case of it */
            set.lits[set.n++] = ch.lits[v];
    }
    if (ps->p < ps->end) ps->p++; /* ']' */
    if (negated || unknown || !set.n)
        set_any(a);
    else
        copy_info(a, &set);
}

static void parse_alt(struct parser *ps, struct info *out, int caseless);
static void prefix_alternate(struct info *a, const struct info *b);
static void prefix_quantify(struct info *a, long min, long max);
static int parse_alt_count(struct parser *ps, struct info *out, int caseless);

static void group_ext_in(struct parser *ps, struct info *a, int *caseless, char c,
                         struct info *inner_p);

/* After "(?": flags, a group of some kind, or an assertion. Sets *a. */
static void group_ext(struct parser *ps, struct info *a, int *caseless)
{
    char c = ps->p < ps->end ? *ps->p : 0;
    struct info *inner_p = info_new(ps);
    if (!inner_p) {
        set_any(a);
        return;
    }
    group_ext_in(ps, a, caseless, c, inner_p);
    info_put(ps, inner_p);
}

static void group_ext_in(struct parser *ps, struct info *a, int *caseless, char c,
                         struct info *inner_p)
{
#define inner (*inner_p)
    if (c == '#') {
        skip_to(ps, ')');
        set_empty(a);
        return;
    }
    if (c == '=' || c == '!' ||
        (c == '<' && ps->p + 1 < ps->end && (ps->p[1] == '=' || ps->p[1] == '!'))) {
        ps->p += c == '<' ? 2 : 1; /* an assertion consumes nothing */
        parse_alt(ps, &inner, *caseless);
        set_empty(a);
        return;
    }
    if (c == ':' || c == '>' || c == '|') {
        ps->p++;
        parse_alt(ps, a, *caseless);
        return;
    }
    if (c == '<' || c == '\'' || (c == 'P' && ps->p + 1 < ps->end && ps->p[1] == '<')) {
        ps->p += c == 'P' ? 2 : 1; /* a named group: (?<name> (?'name' (?P<name> */
        skip_to(ps, c == '\'' ? '\'' : '>');
        parse_alt(ps, a, *caseless);
        return;
    }
    if (c == 'C') { /* a callout consumes nothing: (?C) (?C1) (?C"text") */
        ps->p++;
        char open = ps->p < ps->end ? *ps->p : 0;
        if (open && strchr("`'\"^%#${", open)) { /* a string; its delimiter doubled is one */
            char close = open == '{' ? '}' : open;
            for (ps->p++; ps->p < ps->end; ps->p++)
                if (*ps->p == close) {
                    if (ps->p + 1 < ps->end && ps->p[1] == close) {
                        ps->p++;
                        continue;
                    }
                    ps->p++;
                    break;
                }
        }
        skip_to(ps, ')');
        set_empty(a);
        return;
    }
    if (c == '(') { /* (?(condition)yes|no): the condition consumes nothing */
        if (ps->p + 1 < ps->end && ps->p[1] == '?') {
            ps->p += 2;
            int mode = *caseless;
            group_ext(ps, &inner, &mode);
        } else if (ps->p + 1 < ps->end && ps->p[1] == '*') { /* (?(*pla:...)...) */
            skip_to(ps, ':');
            parse_alt(ps, &inner, *caseless);
        } else {
            skip_to(ps, ')');
        }
        int branches = parse_alt_count(ps, a, *caseless);
        if (branches < 2) { /* no "no" branch: it matches nothing */
            set_empty(&inner);
            if (ps->prefix || ps->suffix)
                prefix_alternate(a, &inner);
            else
                alternate(a, &inner);
        }
        return;
    }
    /* flags: (?i) (?-i) (?i: ...) */
    int on = 1, mode = *caseless;
    while (ps->p < ps->end && *ps->p != ')' && *ps->p != ':') {
        char f = *ps->p++;
        if (f == '-')
            on = 0;
        else if (f == 'i')
            mode = on;
        else if (f == 'x' && on)
            ps->bail = 1;
        else if (!(f == 's' || f == 'm' || f == 'n' || f == 'U' || f == 'J' || f == '^')) {
            /* a subroutine call or recursion: (?&name) (?1) (?R) (?P>name) */
            skip_to(ps, ')');
            set_any(a);
            return;
        }
    }
    if (ps->p < ps->end && *ps->p == ':') {
        ps->p++;
        parse_alt(ps, a, mode);
        return;
    }
    if (ps->p < ps->end) ps->p++; /* ')' */
    *caseless = mode;             /* for the rest of the enclosing group */
    set_empty(a);
#undef inner
}

static int parse_count(struct parser *ps, long *min, long *max)
{
    const char *q = ps->p + 1;
    long lo = 0, hi;
    int digits = 0;
    while (q < ps->end && *q >= '0' && *q <= '9' && lo < 100000)
        lo = lo * 10 + (*q++ - '0'), digits++;
    if (!digits) return 0;
    hi = lo;
    if (q < ps->end && *q == ',') {
        q++;
        hi = -1;
        if (q < ps->end && *q >= '0' && *q <= '9') {
            hi = 0;
            while (q < ps->end && *q >= '0' && *q <= '9' && hi < 100000)
                hi = hi * 10 + (*q++ - '0');
        }
    }
    if (q >= ps->end || *q != '}') return 0;
    ps->p = q + 1;
    *min = lo;
    *max = hi;
    return 1;
}

/* A quantifier after an atom, if any, applied to it. */
static void quantify(struct parser *ps, struct info *a)
{
    long min, max;
    skip_ignored(ps);
    if (ps->quoted) return; /* the next character is itself */
    char c = ps->p < ps->end ? *ps->p : 0;
    if (c == '*' || c == '+' || c == '?') {
        ps->p++;
        min = c == '+';
        max = c == '?' ? 1 : -1;
    } else if (c == '{' && parse_count(ps, &min, &max)) {
    } else {
        return;
    }
    skip_ignored(ps);
    if (!ps->quoted && ps->p < ps->end && (*ps->p == '?' || *ps->p == '+'))
        ps->p++; /* lazy, possessive */
    if (ps->prefix || ps->suffix) {
        prefix_quantify(a, min, max);
        return;
    }
    if (min == 1 && max == 1) return;
    if (min == 0) {
        if (max == 1 && a->exact && a->n < WN_PF_MAX_LITS) { /* x? is x or nothing */
            struct info e;
            set_empty(&e);
            alternate(a, &e);
        } else {
            set_any(a);
        }
        return;
    }
    make_required(a); /* at least one copy */
}

/* req := the better requirement of req and x (x read as a requirement) */
static void keep_better(struct info *req, const struct info *x)
{
    struct info r;
    copy_info(&r, x);
    make_required(&r);
    if (!better(req, &r)) copy_info(req, &r);
}

/* Keeps the last `keep` bytes of each literal (from a character boundary), dropping repeats:
 * still exactly the text right before whatever follows. */
static void keep_tail(struct info *a, size_t keep)
{
    for (size_t i = 0; i < a->n; i++) {
        struct wn_pf_lit *l = &a->lits[i];
        size_t from = l->len > keep ? l->len - keep : 0;
        while (from < l->len && ((unsigned char)l->s[from] & 0xC0) == 0x80)
            from++;
        memmove(l->s, l->s + from, l->len - from);
        l->len = (unsigned char)(l->len - from);
    }
    if (a->n > 1) unique(a->lits, &a->n);
}

static void note_requirement(struct info *req, int *have_req, const struct info *x)
{
    if (!*have_req) {
        copy_info(req, x);
        make_required(req);
        *have_req = 1;
    } else {
        keep_better(req, x);
    }
}

static void add_atom(struct info *req, int *have_req, struct info *run, const struct info *t)
{
    if (t->exact) {
        struct info grown;
        copy_info(&grown, run);
        concat(&grown, t);
        if (grown.exact) {
            copy_info(run, &grown);
            return;
        }
        /* Too long: what the run spelled out is one candidate; its tail goes on growing. */
        size_t tmax = 0;
        for (size_t i = 0; i < t->n; i++)
            if (t->lits[i].len > tmax) tmax = t->lits[i].len;
        if (tmax < WN_PF_MAX_LEN / 2) {
            note_requirement(req, have_req, run);
            copy_info(&grown, run);
            keep_tail(&grown, WN_PF_MAX_LEN - tmax);
            concat(&grown, t);
            if (grown.exact) {
                copy_info(run, &grown);
                return;
            }
        }
    }
    /* the run ends here: what it spelled out is one candidate requirement */
    note_requirement(req, have_req, run);
    if (t->exact) {
        copy_info(run, t);
    } else {
        keep_better(req, t);
        set_empty(run);
    }
}

/* Prefix mode (how a match starts): a set of literals each "open" (what follows the node
 * extends it) or closed (a complete prefix); "any" when a match may start with anything. */

static void close_all(struct info *a)
{
    for (size_t i = 0; i < a->n && !a->any; i++) {
        if (a->lits[i].len == 0) set_any(a); /* it may start with whatever follows */
        a->lits[i].open = 0;
    }
}

/* Suffix mode (how a match ends) mirrors it: "open" is a literal that is the node's whole
 * match, so what comes before the node extends it at the front. acc then t: t's closed
 * literals stay; each open one is extended by acc's (the last k bytes kept). */
/* A set to build acc's next value in: empty, not exact; NULL (acc made "any") without memory. */
static struct info *empty_result(struct parser *ps, struct info *acc)
{
    struct info *r = info_new(ps);
    if (!r) {
        set_any(acc);
        return NULL;
    }
    r->exact = r->any = 0;
    r->n = 0;
    return r;
}

static void suffix_concat(struct parser *ps, struct info *acc, const struct info *t)
{
    size_t k = ps->suffix, open = 0;
    if (t->any) {
        set_any(acc); /* it ends with something unknown */
        return;
    }
    for (size_t j = 0; j < t->n; j++)
        open += t->lits[j].open;
    /* cut to their last k bytes, the case variants of a long word repeat: counted once, or
     * they would seem too many to extend and the suffix would shrink to its last atom */
    if (!acc->any) unique(acc->lits, &acc->n);
    size_t from_acc = acc->any ? 1 : acc->n;
    struct info *r = empty_result(ps, acc);
    if (!r) return;
    int extend = open * from_acc + t->n <= WN_PF_MAX_LITS;
    for (size_t j = 0; j < t->n; j++) {
        const struct wn_pf_lit *m = &t->lits[j];
        if (!m->open || acc->any || !extend) { /* complete (or cannot be told): as it is */
            r->lits[r->n] = *m;
            r->lits[r->n++].open = 0;
            continue;
        }
        for (size_t i = 0; i < acc->n; i++) {
            const struct wn_pf_lit *a = &acc->lits[i];
            struct wn_pf_lit l = *a;
            size_t la = a->len, from = 0;
            l.open = a->open;
            if (la + m->len > k) { /* keep the last k bytes, from a character's start */
                from = la + m->len - k < la ? la + m->len - k : la;
                while (from < la && ((unsigned char)a->s[from] & 0xC0) == 0x80)
                    from++;
                l.open = 0;
            }
            if (la - from + m->len > k) { /* m alone is longer than k: its last bytes */
                size_t mf = m->len - k;
                while (mf < m->len && ((unsigned char)m->s[mf] & 0xC0) == 0x80)
                    mf++;
                memcpy(l.s, m->s + mf, m->len - mf);
                l.len = (unsigned char)(m->len - mf);
            } else {
                memmove(l.s, a->s + from, la - from);
                memcpy(l.s + (la - from), m->s, m->len);
                l.len = (unsigned char)(la - from + m->len);
            }
            l.caseless = a->caseless | m->caseless;
            r->lits[r->n++] = l;
        }
    }
    if (r->n > WN_PF_MAX_LITS / 2) unique(r->lits, &r->n);
    copy_info(acc, r);
    info_put(ps, r);
}

/* acc then t */
static void prefix_concat(struct parser *ps, struct info *acc, const struct info *t)
{
    if (ps->suffix) {
        suffix_concat(ps, acc, t);
        return;
    }
    size_t k = ps->prefix, open = 0;
    if (acc->any) return;
    for (size_t i = 0; i < acc->n; i++)
        open += acc->lits[i].open && acc->lits[i].len < k;
    if (!open) return;
    if (t->any || open * t->n + acc->n > WN_PF_MAX_LITS) { /* the extensions are not known */
        close_all(acc);
        return;
    }
    struct info *r = empty_result(ps, acc);
    if (!r) return;
    for (size_t i = 0; i < acc->n; i++) {
        const struct wn_pf_lit *a = &acc->lits[i];
        if (!a->open || a->len >= k) {
            r->lits[r->n] = *a;
            r->lits[r->n++].open = 0;
            continue;
        }
        for (size_t j = 0; j < t->n; j++) {
            struct wn_pf_lit l = *a;
            size_t take = t->lits[j].len;
            l.open = t->lits[j].open;
            if (take > k - l.len) { /* long enough: cut at a character boundary */
                take = k - l.len;
                while (take && ((unsigned char)t->lits[j].s[take] & 0xC0) == 0x80)
                    take--;
                l.open = 0;
            }
            memcpy(l.s + l.len, t->lits[j].s, take);
            l.len = (unsigned char)(l.len + take);
            l.caseless |= t->lits[j].caseless;
            r->lits[r->n++] = l;
        }
    }
    if (r->n > WN_PF_MAX_LITS / 2) unique(r->lits, &r->n); /* repeats are rare: sort seldom */
    copy_info(acc, r);
    info_put(ps, r);
}

static void prefix_alternate(struct info *a, const struct info *b)
{
    if (a->any || b->any) {
        set_any(a);
        return;
    }
    union_to_fit(a, b);
}

/* x{min,max}: x? is x or what follows; other repeats close x's literals (x again, or what
 * follows, comes next). */
static void prefix_quantify(struct info *a, long min, long max)
{
    if (min == 1 && max == 1) return;
    struct info e;
    if (!(min == 0 && max == 1)) close_all(a);
    if (min > 0 || a->any) return;
    set_empty(&e);
    prefix_alternate(a, &e);
}

/* One atom, with its quantifier, into t; 0 at the end of the concatenation. */
static int next_atom(struct parser *ps, struct info *t, int *caseless)
{
    skip_ignored(ps);
    if (ps->p >= ps->end || ps->bail) return 0;
    if (ps->quoted) { /* \Q...\E: each character an atom (a quantifier after \E takes the last) */
        size_t len = utf8_len(ps);
        set_char(t, ps->p, len, *caseless);
        ps->p += len;
        quantify(ps, t);
        return 1;
    }
    char c = *ps->p;
    if (c == '|' || c == ')') return 0;
    if (c == '(') {
        ps->p++;
        if (ps->p + 1 < ps->end && ps->p[0] == '*' && ps->p[1] >= 'a' && ps->p[1] <= 'z') {
            /* (*atomic:...) (*pla:...) (*sr:...): a group of some kind */
            skip_to(ps, ':');
            parse_alt(ps, t, *caseless);
            set_any(t);
        } else if (ps->p < ps->end && *ps->p == '*') { /* (*VERB) */
            /* (*ACCEPT) ends the match where it stands: what follows need not be there */
            if (ps->end - ps->p >= 7 && memcmp(ps->p, "*ACCEPT", 7) == 0) ps->bail = 1;
            skip_to(ps, ')');
            set_empty(t);
        } else if (ps->p < ps->end && *ps->p == '?') {
            ps->p++;
            group_ext(ps, t, caseless);
        } else {
            parse_alt(ps, t, *caseless);
        }
    } else if (c == '[') {
        ps->p++;
        char_class(ps, t, *caseless);
    } else if (c == '\\') {
        ps->p++;
        escape(ps, t, *caseless);
    } else if (c == '.') {
        ps->p++;
        set_any(t);
    } else if (c == '^' || c == '$') {
        ps->p++;
        set_empty(t);
    } else {
        size_t len = utf8_len(ps);
        set_char(t, ps->p, len, *caseless);
        ps->p += len;
    }
    quantify(ps, t);
    return 1;
}

/* A concatenation keeps the exact run of its latest atoms apart from what it requires so
 * far, so "(" then "@" read as "(@" even after parts that are not exact. In prefix mode the
 * run from its start is all that counts. */
static void parse_concat(struct parser *ps, struct info *out, int *caseless)
{
    struct info *req = info_new(ps), *run = info_new(ps), *t = info_new(ps);
    if (!req || !run || !t) {
        info_put(ps, req);
        info_put(ps, run);
        info_put(ps, t);
        set_any(out);
        return;
    }
    int have_req = 0;
    set_empty(run);
    while (next_atom(ps, t, caseless)) {
        if (ps->prefix || ps->suffix)
            prefix_concat(ps, run, t);
        else
            add_atom(req, &have_req, run, t);
    }
    if (!have_req) {
        copy_info(out, run); /* all of it exact (or, in prefix mode, how it starts) */
    } else {
        keep_better(req, run);
        copy_info(out, req);
    }
    info_put(ps, req);
    info_put(ps, run);
    info_put(ps, t);
}

/* Alternatives up to the ')' that closes the group (consumed) or the pattern's end; returns
 * how many there were. */
static int parse_alt_count(struct parser *ps, struct info *out, int caseless)
{
    if (++ps->depth > WN_PREFILTER_MAX_DEPTH) ps->bail = 1;
    struct info *branch = info_new(ps);
    int mode = caseless, n = 1;
    parse_concat(ps, out, &mode);
    while (branch && ps->p < ps->end && *ps->p == '|' && !ps->bail) {
        ps->p++;
        parse_concat(ps, branch, &mode);
        if (ps->prefix || ps->suffix)
            prefix_alternate(out, branch);
        else
            alternate(out, branch);
        n++;
    }
    info_put(ps, branch);
    if (ps->p < ps->end && *ps->p == ')') ps->p++;
    ps->depth--;
    return n;
}

static void parse_alt(struct parser *ps, struct info *out, int caseless)
{
    (void)parse_alt_count(ps, out, caseless);
}

/* Is every text holding b sure to hold a? (a is a substring of b, a's case mode at least as
 * loose as b's) */
static int covers(const struct wn_pf_lit *a, const struct wn_pf_lit *b)
{
    if (a->len > b->len || (b->caseless && !a->caseless)) return 0;
    for (size_t at = 0; at + a->len <= b->len; at++) {
        size_t i = 0;
        while (i < a->len) {
            unsigned char x = (unsigned char)a->s[i], y = (unsigned char)b->s[at + i];
            if (a->caseless && x < 0x80 && y < 0x80) {
                x = (unsigned char)((x >= 'A' && x <= 'Z') ? x | 0x20 : x);
                y = (unsigned char)((y >= 'A' && y <= 'Z') ? y | 0x20 : y);
            }
            if (x != y) break;
            i++;
        }
        if (i == a->len) return 1;
    }
    return 0;
}

/* The derived set of a pattern, read as a requirement (or as prefixes), in *r; 0 when nothing
 * is known. */
static int derive(const char *pattern, size_t len, size_t prefix, size_t suffix, struct info *r)
{
    struct parser ps = {pattern, pattern + len, 0, 0, prefix, suffix, {0}, 0, 0};
    parse_alt(&ps, r, 0);
    while (ps.nspare)
        free(ps.spare[--ps.nspare]);
    if (ps.bail || ps.p != ps.end) return 0; /* x mode, too deep, or a ')' with no '(' */
    if (prefix || suffix)
        close_all(r);
    else
        make_required(r);
    return !r->any;
}

void wn_prefilter_prefixes(const char *pattern, size_t k, struct wn_prefilter *out)
{
    out->n = 0;
    if (k > WN_PF_MAX_LEN) k = WN_PF_MAX_LEN; /* as much as a literal holds */
    struct info *r = malloc(sizeof *r);
    if (r && k && derive(pattern, strlen(pattern), k, 0, r)) {
        unique(r->lits, &r->n);
        out->n = r->n;
        memcpy(out->lits, r->lits, r->n * sizeof r->lits[0]);
    }
    free(r);
}

void wn_prefilter_suffixes(const char *pattern, size_t len, size_t k, struct wn_prefilter *out)
{
    out->n = 0;
    struct info *r = malloc(sizeof *r);
    if (r && k && derive(pattern, len, 0, k, r)) {
        unique(r->lits, &r->n);
        out->n = r->n;
        memcpy(out->lits, r->lits, r->n * sizeof r->lits[0]);
    }
    free(r);
}

void wn_prefilter_derive(const char *pattern, size_t min_len_wanted, struct wn_prefilter *out)
{
    out->n = 0;
    struct info *rp = malloc(sizeof *rp);
    if (!rp) return;
    if (!derive(pattern, strlen(pattern), 0, 0, rp) || min_len(rp) < min_len_wanted) {
        free(rp);
        return;
    }
    struct info r = *rp;
    free(rp);
    /* A literal that holds another is found whenever that one is: only the shorter is
     * scanned for. Shortest first, each tested against those kept. */
    unique(r.lits, &r.n);
    for (size_t i = 0; i < r.n; i++) {
        int redundant = 0;
        for (size_t j = 0; j < out->n && !redundant; j++)
            redundant = covers(&out->lits[j], &r.lits[i]);
        if (!redundant) out->lits[out->n++] = r.lits[i];
    }
}

void wn_prefilter_describe(const struct wn_prefilter *pf, char *buf, size_t size)
{
    if (!size) return;
    buf[0] = 0;
    if (!pf->n) {
        snprintf(buf, size, "(none)");
        return;
    }
    /* whole literals only (never half a character), then how many did not fit */
    size_t o = 0, i;
    for (i = 0; i < pf->n; i++) {
        const struct wn_pf_lit *l = &pf->lits[i];
        size_t need = (i ? 1 : 0) + (l->caseless ? 4 : 0) + l->len;
        if (o + need + 24 >= size) break;
        o += (size_t)snprintf(buf + o, size - o, "%s%s%.*s", i ? "|" : "",
                              l->caseless ? "(?i)" : "", (int)l->len, l->s);
    }
    if (i < pf->n) snprintf(buf + o, size - o, "|... (%zu in all)", pf->n);
}

/* ---- the pattern from its literal on ------------------------------------------------------ */

static int is_meta(char c)
{
    return c && strchr("\\^$.[|()?*+{", c) != NULL;
}

static int is_quantifier(char c)
{
    return c == '?' || c == '*' || c == '+' || c == '{';
}

/* Does the pattern spell lit[0..n) at p, one plain or escaped character each, with no
 * quantifier on its last one? Returns the end of the spelling, or NULL. */
static const char *spells(const char *p, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[0] == '\\' && p[1] && strchr("()[]{}.*+?^$|\\/@#-", p[1]) && p[1] == lit[i])
            p += 2;
        else if (!is_meta(p[0]) && p[0] == lit[i])
            p++;
        else
            return NULL;
    }
    return is_quantifier(*p) ? NULL : p;
}

/* Past the escape at p ("\x", "\x{..}", "\p{..}", "\Q...\E", "\cX"). */
static const char *skip_escape(const char *p)
{
    if (!p[1]) return p + 1;
    if (p[1] == 'Q') {
        const char *e = strstr(p + 2, "\\E");
        return e ? e + 2 : p + strlen(p);
    }
    if (p[1] == 'c') return p[2] ? p + 3 : p + 2;
    if (strchr("xpPgkNo", p[1]) && p[2] == '{') {
        const char *e = strchr(p + 3, '}');
        return e ? e + 1 : p + strlen(p);
    }
    return p + 2;
}

/* Past the character class at p ('['). */
static const char *skip_class(const char *p)
{
    p++;
    if (*p == '^') p++;
    if (*p == ']') p++;
    while (*p && *p != ']') {
        if (*p == '\\')
            p = skip_escape(p);
        else if (p[0] == '[' && p[1] == ':' && strstr(p + 2, ":]"))
            p = strstr(p + 2, ":]") + 2;
        else
            p++;
    }
    return *p ? p + 1 : p;
}

/* Does the tail p name groups before it (backreferences, subroutine calls) or set options in
 * ways a pattern cut there would read otherwise? Then it cannot stand alone. */
static int tail_depends(const char *p)
{
    for (; *p; p++) {
        if (p[0] == '\\' && p[1] && (strchr("gk123456789", p[1]))) return 1;
        if (p[0] == '(' && p[1] == '?' && p[2] && (strchr("PR0123456789+-", p[2]) || (p[2] == '&')))
            return 1;
        if (p[0] == '\\' && p[1]) p++;
    }
    return 0;
}

size_t wn_prefilter_from_literal(const char *pattern, const char *lit, size_t n, size_t *opts)
{
    const char *p = pattern;
    int depth = 0, leading = 1;
    *opts = 0;
    if (!n) return SIZE_MAX;
    while (*p) {
        if (depth == 0) {
            const char *e = spells(p, lit, n);
            if (e) return tail_depends(p) ? SIZE_MAX : (size_t)(p - pattern);
            /* option settings at the very start apply to the whole: they go before the tail */
            if (p[0] == '(' && p[1] == '?' && p[2] && strchr("imnsU-", p[2])) {
                const char *q = p + 2;
                while (*q && strchr("imnsU-", *q))
                    q++;
                if (*q == ')') {
                    if (!leading) return SIZE_MAX; /* set midway: the tail would not know */
                    p = q + 1;
                    *opts = (size_t)(p - pattern);
                    continue;
                }
            }
            if (p[0] == '(' && p[1] == '?' && p[2] == 'x') return SIZE_MAX;
            if (p[0] == '(' && p[1] == '*') return SIZE_MAX; /* (*UTF), (*CR): whole-pattern */
            leading = 0;
        }
        switch (*p) {
        case '\\':
            p = skip_escape(p);
            break;
        case '[':
            p = skip_class(p);
            break;
        case '(':
            if (p[1] == '?' && p[2] == '#') {
                const char *e = strchr(p, ')');
                p = e ? e + 1 : p + strlen(p);
            } else {
                depth++;
                p++;
            }
            break;
        case ')':
            if (--depth < 0) return SIZE_MAX;
            p++;
            break;
        case '|':
            if (depth == 0) return SIZE_MAX; /* alternatives at the top: no one tail */
            p++;
            break;
        case '{':
            p++;
            while (*p && (*p == ',' || (*p >= '0' && *p <= '9')))
                p++;
            if (*p == '}') p++;
            break;
        default:
            p++;
        }
    }
    return SIZE_MAX;
}
