/* jsoncheck.c: says, cheaply, that a line is one JSON object jansson accepts, so the JSON Lines
 * fast path need not build jansson's tree for every record. It answers "sure" or "not sure",
 * never "invalid": whatever it is not sure of (escaped keys, deep nesting, numbers that could
 * overflow a double) goes to jansson, the judge; fuzz_jsonl checks every "sure" against it. */
#include <string.h>

#include "jsonl.h"
#include "rules.h"

/* Nesting deeper than this goes to jansson (its own limit is 2048). */
#define SURE_DEPTH 32
/* A number with more digits than this could overflow a double (DBL_MAX is about 1.8e308):
 * jansson rejects that, so it is not sure. */
#define SURE_DIGITS 300

struct walk {
    const char *s;
    size_t n, i;
    size_t skip_a, skip_b; /* a string token already checked (the cleaned field's value) */
    struct buf *scratch;
};

static void ws(struct walk *w)
{
    while (w->i < w->n &&
           (w->s[w->i] == ' ' || w->s[w->i] == '\t' || w->s[w->i] == '\n' || w->s[w->i] == '\r'))
        w->i++;
}

static size_t digits(struct walk *w)
{
    size_t a = w->i;
    while (w->i < w->n && w->s[w->i] >= '0' && w->s[w->i] <= '9')
        w->i++;
    return w->i - a;
}

/* RFC 8259 section 6, with a bound on its size (see SURE_DIGITS). */
static int number(struct walk *w)
{
    if (w->s[w->i] == '-') w->i++;
    size_t whole = digits(w);
    if (!whole || (whole > 1 && w->s[w->i - whole] == '0')) return 0;
    size_t frac = 0, exp = 0;
    if (w->i < w->n && w->s[w->i] == '.') {
        w->i++;
        if (!(frac = digits(w))) return 0;
    }
    if (w->i < w->n && (w->s[w->i] == 'e' || w->s[w->i] == 'E')) {
        w->i++;
        if (w->i < w->n && (w->s[w->i] == '+' || w->s[w->i] == '-')) w->i++;
        /* 1e99 with a short mantissa cannot overflow; longer exponents go to jansson */
        if (!(exp = digits(w)) || exp > 2 || whole > 200) return 0;
    }
    return whole + frac <= SURE_DIGITS;
}

/* A string token: plain bytes checked in place, one with escapes decoded (the field's codec,
 * which refuses what jansson refuses). A key must be plain: jansson refuses a NUL in a key. */
static int string(struct walk *w, int is_key)
{
    size_t a = w->i;
    if (a == w->skip_a) {
        w->i = w->skip_b;
        return 1;
    }
    size_t b = a + 1;
    int plain = 1;
    while (b < w->n && w->s[b] != '"') {
        unsigned char c = (unsigned char)w->s[b];
        if (c < 0x20) return 0;
        if (c == '\\') {
            plain = 0;
            b++;
        } else if (c >= 0x80) {
            plain = 0;
        }
        b++;
    }
    if (b >= w->n) return 0;
    w->i = b + 1;
    if (plain) return 1;
    if (is_key && memchr(w->s + a, '\\', b - a)) return 0;
    return wn_json_decode_string(w->s + a, b + 1 - a, w->scratch) == 0;
}

static int literal(struct walk *w, const char *word)
{
    size_t len = strlen(word);
    if (w->n - w->i < len || memcmp(w->s + w->i, word, len) != 0) return 0;
    w->i += len;
    return 1;
}

static int value(struct walk *w, int depth);

/* An object or an array, its opening byte at w->i. */
static int container(struct walk *w, int depth)
{
    char close = w->s[w->i] == '{' ? '}' : ']';
    if (depth >= SURE_DEPTH) return 0;
    w->i++;
    ws(w);
    if (w->i < w->n && w->s[w->i] == close) {
        w->i++;
        return 1;
    }
    for (;;) {
        if (close == '}') {
            if (w->i >= w->n || w->s[w->i] != '"' || !string(w, 1)) return 0;
            ws(w);
            if (w->i >= w->n || w->s[w->i] != ':') return 0;
            w->i++;
            ws(w);
        }
        if (!value(w, depth + 1)) return 0;
        ws(w);
        if (w->i >= w->n) return 0;
        char c = w->s[w->i++];
        if (c == close) return 1;
        if (c != ',') return 0;
        ws(w);
    }
}

static int value(struct walk *w, int depth)
{
    if (w->i >= w->n) return 0;
    switch (w->s[w->i]) {
    case '"':
        return string(w, 0);
    case '{':
    case '[':
        return container(w, depth);
    case 't':
        return literal(w, "true");
    case 'f':
        return literal(w, "false");
    case 'n':
        return literal(w, "null");
    default:
        return (w->s[w->i] == '-' || (w->s[w->i] >= '0' && w->s[w->i] <= '9')) && number(w);
    }
}

int wn_json_sure_object(const char *s, size_t n, size_t skip_a, size_t skip_b, struct buf *scratch)
{
    struct walk w = {s, n, 0, skip_a, skip_b, scratch};
    ws(&w);
    if (w.i >= n || s[w.i] != '{' || !container(&w, 0)) return 0;
    ws(&w);
    return w.i == n;
}
