/* textfeat.c: per-line features (length, indent, final punctuation, hashtags, mentions, emoji,
 * links) and the character tests behind them. Pure: the same bytes always give the same answer. */
#include "textfeat.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t wn_leading_space(const char *s, size_t n)
{
    size_t i = 0;
    /* a byte order mark (U+FEFF) shows as nothing: before a document's first line it hid the
     * line from every rule anchored at its start, and from the title's repeat */
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        i = 3;
    while (i < n && wn_is_blank((unsigned char)s[i]))
        i++;
    return i;
}

/* Decodes the UTF-8 character at s[i] (len bytes in all); an invalid byte decodes as itself,
 * one byte long, so every input makes progress. */
static unsigned decode(const char *s, size_t len, size_t i, size_t *step)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = len - i;
    if (u[0] < 0x80 || left < 2) {
        *step = 1;
        return u[0];
    }
    if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
        *step = 2;
        return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    }
    if ((u[0] & 0xF0) == 0xE0 && left >= 3 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        *step = 3;
        return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    }
    if ((u[0] & 0xF8) == 0xF0 && left >= 4 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
        (u[3] & 0xC0) == 0x80) {
        *step = 4;
        return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
               (u[3] & 0x3Fu);
    }
    *step = 1;
    return u[0];
}

/* The character that ends at s[end) (the last one before `end`), or 0. */
static unsigned last_char(const char *s, size_t start, size_t end)
{
    if (end <= start) return 0;
    size_t i = end - 1;
    while (i > start && ((unsigned char)s[i] & 0xC0) == 0x80 && end - i < 4)
        i--;
    size_t step;
    unsigned c = decode(s, end, i, &step);
    return i + step == end ? c : (unsigned char)s[end - 1];
}

/* Pictographs and symbols that posts use as words (X counts each as two characters). */
static int is_emoji(unsigned c)
{
    return (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x1F1E6 && c <= 0x1F1FF) || (c >= 0x1F000 && c <= 0x1F2FF) || c == 0x2B50 ||
           c == 0x2B55 || (c >= 0x2190 && c <= 0x21FF && c != 0x2192);
}

/* Sentence-final punctuation of the scripts the rules ship for. */
static int is_terminal(unsigned c)
{
    static const unsigned marks[] = {'.',
                                     '!',
                                     '?',
                                     0x2026 /* … */,
                                     0x3002 /* 。 */,
                                     0xFF01 /* ！ */,
                                     0xFF1F /* ？ */,
                                     0x061F /* ؟ */,
                                     0x06D4 /* ۔ */,
                                     0x0964 /* । */};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (c == marks[i]) return 1;
    return 0;
}

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

/* Does a link start at s[i]? Returns its length (to the next blank), 0 if none. Only at a
 * word's start, and tried by its first letter, since this runs on every byte of a line. */
static size_t link_at(const char *s, size_t n, size_t i, int *media)
{
    if (i > 0 && (is_word_byte((unsigned char)s[i - 1]) || s[i - 1] == '/' || s[i - 1] == '.'))
        return 0;
    size_t l = 0;
    *media = 0;
    switch (s[i] | 0x20) {
    case 'h':
        if (n - i > 8 && strncasecmp(s + i, "https://", 8) == 0)
            l = 8;
        else if (n - i > 7 && strncasecmp(s + i, "http://", 7) == 0)
            l = 7;
        break;
    case 'w':
        if (n - i > 4 && strncasecmp(s + i, "www.", 4) == 0) l = 4;
        break;
    case 'p':
        if (n - i > 16 && strncasecmp(s + i, "pic.twitter.com/", 16) == 0) {
            l = 16;
            *media = 1;
        }
        break;
    case 't':
        if (n - i > 5 && strncasecmp(s + i, "t.co/", 5) == 0) l = 5;
        break;
    }
    if (!l) return 0;
    size_t e = i + l;
    while (e < n && !wn_is_blank((unsigned char)s[e]))
        e++;
    return e - i;
}

/* Characters in s[a, b): bytes that do not continue a UTF-8 sequence (10xxxxxx). Sixteen bytes
 * at a time with SSE2 (every x86-64 has it), else eight with plain integer arithmetic: the
 * common long story line costs little. */
static size_t count_chars(const char *s, size_t a, size_t b, size_t limit, int *slash)
{
    size_t cont = 0, i = a;
    int seen = 0;
#ifdef __SSE2__
    const __m128i lowest = _mm_set1_epi8(-64); /* continuation bytes are -128..-65 as signed */
    const __m128i slashes = _mm_set1_epi8('/');
    __m128i any = _mm_setzero_si128();
    while (i + 16 <= b) {
        __m128i acc = _mm_setzero_si128();
        for (int r = 0; r < 16 && i + 16 <= b; r++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            acc = _mm_sub_epi8(acc, _mm_cmplt_epi8(v, lowest)); /* +1 per continuation byte */
            any = _mm_or_si128(any, _mm_cmpeq_epi8(v, slashes));
        }
        __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
        cont += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
        if (i - a - cont > limit) break; /* already longer than any post or headline */
    }
    seen = _mm_movemask_epi8(any) != 0;
#endif
    if (i - a - cont <= limit) {
        for (; i < b; i++) {
            cont += ((unsigned char)s[i] & 0xC0) == 0x80;
            seen |= s[i] == '/';
        }
    } else if (!seen) {
        seen = memchr(s + i, '/', b - i) != NULL;
    }
    *slash = seen;
    return i - a - cont; /* exact when it is at most `limit`, else more than `limit` */
}

size_t wn_char_starts(const char *s, size_t a, size_t b)
{
    int slash;
    return count_chars(s, a, b, SIZE_MAX, &slash); /* no limit: exact */
}

void wn_feat_basic(const char *s, size_t n, size_t limit, struct wn_feat *f)
{
    memset(f, 0, sizeof *f);
    size_t a = wn_leading_space(s, n), b = n;
    while (b > a && wn_is_blank((unsigned char)s[b - 1]))
        b--;
    f->indent = a;
    f->end = b;
    f->blank = a == b;
    if (f->blank) {
        f->detailed = 1;
        return;
    }
    unsigned last = last_char(s, a, b);
    f->colon = last == ':' || last == 0xFF1A || last == 0x061B;
    f->terminal = is_terminal(last);
    int slash;
    f->chars = count_chars(s, a, b, limit, &slash);
    /* a lower bound until detailed: an emoji only adds, a link (it has a '/') may take away */
    f->post_chars = slash ? 0 : f->chars;
    f->slash = (unsigned)slash;
}

int wn_feat_colon(const char *s, size_t n)
{
    size_t a = wn_leading_space(s, n), b = n;
    while (b > a && wn_is_blank((unsigned char)s[b - 1]))
        b--;
    unsigned last = last_char(s, a, b);
    return a < b && (last == ':' || last == 0xFF1A || last == 0x061B);
}

size_t wn_post_chars_floor(const char *s, size_t n, size_t limit)
{
    int slash;
    size_t a = wn_leading_space(s, n), b = n;
    while (b > a && wn_is_blank((unsigned char)s[b - 1]))
        b--;
    size_t chars = count_chars(s, a, b, limit, &slash);
    if (slash) return 0;
    /* the one link without a '/': "www." (link_at takes it in any case) */
    for (const char *d = memchr(s + a, '.', b - a); d;
         d = memchr(d + 1, '.', (size_t)(s + b - d - 1)))
        if (d - s >= (ptrdiff_t)a + 3 && ((d[-1] | 0x20) == 'w') && ((d[-2] | 0x20) == 'w') &&
            ((d[-3] | 0x20) == 'w'))
            return 0;
    return chars;
}

void wn_feat_detail(const char *s, size_t n, const struct wn_feat_limits *lim, struct wn_feat *f)
{
    (void)n;
    if (f->detailed) return;
    f->detailed = 1;
    size_t a = f->indent, b = f->end;
    f->post_chars = 0;
    if (f->chars > lim->limit && !f->slash) {
        f->post_chars = f->chars; /* no post, no headline: no need to know more */
        return;
    }
    size_t link = (size_t)lim->link_chars, media_link = (size_t)lim->media_chars;
    for (size_t i = a; i < b && f->post_chars <= lim->limit;) {
        unsigned char c = (unsigned char)s[i];
        int media;
        size_t step, l;
        if ((c == 'h' || c == 'H' || c == 'w' || c == 'W' || c == 'p' || c == 't') &&
            (l = link_at(s, b, i, &media)) != 0) {
            f->links++;
            f->post_chars += media ? media_link : link;
            i += l;
            continue;
        }
        /* a hashtag starts with a letter ("#1" is a number); a mention is not an address */
        if ((c == '#' || c == '@') && i + 1 < b && is_word_byte((unsigned char)s[i + 1]) &&
            !(c == '#' && s[i + 1] >= '0' && s[i + 1] <= '9') &&
            (i == a || !is_word_byte((unsigned char)s[i - 1]))) {
            if (c == '#')
                f->hashtags++;
            else
                f->mentions++;
        }
        unsigned cp = decode(s, b, i, &step);
        int emoji = cp >= 0x80 && is_emoji(cp);
        f->emoji += (unsigned)emoji;
        f->post_chars += emoji ? 2 : 1; /* X counts an emoji as two */
        i += step;
    }
}

void wn_feat_compute(const char *s, size_t n, const struct wn_feat_limits *lim, struct wn_feat *f)
{
    wn_feat_basic(s, n, lim->limit, f);
    wn_feat_detail(s, n, lim, f);
}

int wn_feat_headline_like(const struct wn_feat *f, const char *s, long max_chars)
{
    if (f->blank || f->chars > (size_t)max_chars) return 0;
    size_t b = f->end;
    /* "..." at the end is a trailing-off headline, not a full stop */
    if (s[b - 1] == '.' && !(b - f->indent >= 3 && s[b - 2] == '.' && s[b - 3] == '.')) return 0;
    return 1;
}

int wn_feat_post_signals(const struct wn_feat *f)
{
    return f->hashtags > 0 || f->mentions > 0;
}

size_t wn_post_chars(const char *s, size_t n, long link_chars, long media_chars, size_t limit)
{
    struct wn_feat_limits lim = {limit, link_chars, media_chars};
    struct wn_feat f;
    wn_feat_compute(s, n, &lim, &f);
    return f.post_chars;
}

static int is_lower_or_digit(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

int wn_upper_or_caseless(const char *s, size_t p, size_t len)
{
    if (p >= len) return 0;
    unsigned char a = (unsigned char)s[p];
    if (a < 0x80) return is_upper(a);
    size_t step;
    unsigned c = decode(s, len, p, &step);
    if (c >= 0xC0 && c <= 0xDE) return c != 0xD7;                /* À..Þ but × */
    if (c >= 0x100 && c <= 0x17F) return !(c & 1) || c == 0x130; /* Latin Extended-A */
    if (c >= 0x391 && c <= 0x3A9) return 1;                      /* Greek capitals */
    if (c >= 0x400 && c <= 0x42F) return 1;                      /* Cyrillic capitals */
    if (c >= 0x5D0 && c <= 0x6FF) return 1;                      /* Hebrew, Arabic */
    if (c >= 0x3040 && c <= 0x9FFF) return 1;                    /* kana, CJK */
    if (c >= 0xAC00 && c <= 0xD7AF) return 1;                    /* Hangul */
    return 0;
}

/* An opening quote at s[p]: ", “ or ‘ (followed by text), or « */
static int opening_quote(const char *s, size_t p, size_t len)
{
    unsigned char c = (unsigned char)s[p];
    if (c == '"') return p + 1 < len && !wn_is_blank((unsigned char)s[p + 1]);
    if (c == 0xE2 && p + 2 < len && (unsigned char)s[p + 1] == 0x80 &&
        ((unsigned char)s[p + 2] == 0x9C || (unsigned char)s[p + 2] == 0x98))
        return 1;
    return c == 0xC2 && p + 1 < len && (unsigned char)s[p + 1] == 0xAB;
}

/* Can a post's text begin with the character at s[p]? */
static int post_opening(const char *s, size_t p, size_t len)
{
    unsigned char c = (unsigned char)s[p];
    if (c == '@' || c == '#' || wn_upper_or_caseless(s, p, len) || opening_quote(s, p, len))
        return 1;
    if (c >= '0' && c <= '9') return 1;
    size_t step;
    return c >= 0xF0 && is_emoji(decode(s, len, p, &step));
}

int wn_glued_start(const char *s, size_t p, size_t len)
{
    if (p < 2 || p >= len) return 0;
    unsigned char punct = (unsigned char)s[p - 1], before = (unsigned char)s[p - 2];
    unsigned char c = (unsigned char)s[p];
    if (!(punct == '.' || punct == '!' || punct == '?' || punct == ':')) return 0;
    if (!is_lower_or_digit(before) && before < 0x80) return 0;
    if (c >= '0' && c <= '9') return 0;                       /* "3.5", "10:30" */
    if (c == '.' && p + 1 < len && s[p + 1] == '@') return 1; /* ".@handle" replies */
    return post_opening(s, p, len);
}

/* The end of the sentence before the blanks that end at s[p): the offset of its last byte + 1,
 * or 0 when no sentence-final mark closes it. */
static size_t sentence_end_before(const char *s, size_t q)
{
    if (q == 0) return 0;
    unsigned e = last_char(s, 0, q);
    /* closing quotes after the mark: ." .” !’ */
    size_t r = q;
    while (r > 0 && (e == '"' || e == 0x201D || e == 0x2019 || e == 0xBB || e == ')')) {
        r -= e < 0x80 ? 1 : e < 0x800 ? 2 : 3;
        e = last_char(s, 0, r);
    }
    return is_terminal(e) ? q : 0;
}

int wn_spaced_start(const char *s, size_t p, size_t len)
{
    if (p < 3 || p >= len || !wn_is_blank((unsigned char)s[p - 1]) ||
        !wn_is_blank((unsigned char)s[p - 2]))
        return 0;
    size_t q = p;
    while (q > 0 && wn_is_blank((unsigned char)s[q - 1]))
        q--;
    return sentence_end_before(s, q) && post_opening(s, p, len);
}

int wn_colon_start(const char *s, size_t p, size_t len)
{
    if (p < 2 || p >= len || !wn_is_blank((unsigned char)s[p - 1])) return 0;
    size_t q = p - 1;
    while (q > 0 && wn_is_blank((unsigned char)s[q - 1]))
        q--;
    return q > 0 && s[q - 1] == ':' && post_opening(s, p, len);
}

int wn_sentence_start(const char *s, size_t p, size_t len)
{
    if (p < 2 || p >= len || s[p - 1] != ' ') return 0;
    size_t q = p - 1;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    /* the common case, a space between words: a letter or digit ends no sentence */
    unsigned char b = q ? (unsigned char)s[q - 1] : 0;
    if (((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || (b >= '0' && b <= '9')) return 0;
    if (!sentence_end_before(s, q)) return 0;
    unsigned char c = (unsigned char)s[p];
    return post_opening(s, p, len) || c >= 0x80;
}
