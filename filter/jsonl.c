/* jsonl.c: JSON Lines records, one JSON object a line, whose string member (`field`) is
 * cleaned as one document. Every other byte of the line comes out as it came: the cleaned
 * value is spliced in where the old one stood, so numbers, escapes, spacing and member order
 * elsewhere are never re-encoded; an unchanged value leaves the line untouched. */
#include <jansson.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonl.h"
#include "options.h"
#include "prefilter.h"
#include "rules.h"
#include "winnow.h"

/* Numbers are decoded as reals: none is ever re-encoded (the line's bytes are), and an
 * integer too long for 64 bits (ids often are) still parses. */
#define LOAD_FLAGS (JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

struct winnow_jsonl {
    winnow_filter *filter; /* writes the cleaned field into `text` */
    struct buf text;       /* the field cleaned */
    struct buf value;      /* the field's value, decoded */
    struct buf encoded;    /* the value cleaned, encoded */
    char *field, *id_field;
    int drop_invalid;
    winnow_write_fn write;
    void *write_ctx;
    winnow_edit_fn edit; /* the RECORD stage's edits go there (the field's go from its filter) */
    void *edit_ctx;
    struct buf scratch; /* a dropped line whole; the value encoded again, to compare */
    char id[256];       /* the current record's id, as text; "" when it has none */
};

static int collect(void *ctx, const char *buf, size_t len)
{
    struct winnow_jsonl *j = ctx;
    return buf_append(&j->text, buf, len) ? -1 : 0;
}

static char *dup_or(const char *s, const char *fallback)
{
    const char *v = s && *s ? s : fallback;
    char *d = malloc(strlen(v) + 1);
    if (d) strcpy(d, v);
    return d;
}

winnow_jsonl *winnow_jsonl_new(winnow_rules *rules, const struct winnow_options *given,
                               const struct winnow_jsonl_options *given_jo, winnow_write_fn write,
                               void *write_ctx, char *err, size_t errlen)
{
    /* the caller's structs, read within their sizes (include/winnow.h, "Version and ABI") */
    struct winnow_options opts;
    struct winnow_jsonl_options jopts;
    if (wn_options_take(&opts, sizeof opts, given, "winnow_options", err, errlen) ||
        wn_options_take(&jopts, sizeof jopts, given_jo, "winnow_jsonl_options", err, errlen))
        return NULL;
    const struct winnow_options *options = &opts;
    const struct winnow_jsonl_options *jo = &jopts;
    struct winnow_jsonl *j = calloc(1, sizeof *j);
    if (!j) {
        if (errlen) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->field = dup_or(jo ? jo->field : NULL, "text");
    j->id_field = dup_or(jo ? jo->id_field : NULL, "id");
    j->drop_invalid = jo && jo->drop_invalid;
    j->write = write;
    j->write_ctx = write_ctx;
    if (options) {
        j->edit = options->edit;
        j->edit_ctx = options->edit_ctx;
    }
    if (j->field && j->id_field)
        j->filter = winnow_filter_open(rules, options, collect, j, err, errlen);
    else if (errlen)
        snprintf(err, errlen, "out of memory");
    if (!j->filter) {
        winnow_jsonl_free(j);
        return NULL;
    }
    return j;
}

void winnow_jsonl_free(winnow_jsonl *j)
{
    if (!j) return;
    winnow_filter_free(j->filter);
    buf_free(&j->text);
    buf_free(&j->value);
    buf_free(&j->encoded);
    buf_free(&j->scratch);
    free(j->field);
    free(j->id_field);
    free(j);
}

const char *winnow_jsonl_id(const winnow_jsonl *j)
{
    return j->id[0] ? j->id : NULL;
}

winnow_filter *winnow_jsonl_filter(winnow_jsonl *j)
{
    return j->filter;
}

/* ---- where a member's value lies in the line ---------------------------------------------
 * jansson has checked the line is one valid JSON object; this walks its top level only, to
 * find the bytes of a member's value (jansson keeps no offsets). */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The first byte at or after i in s[0..n) that a JSON string treats apart: a quote, a
 * backslash or a control byte; n when none. 16 bytes at a time (SSE2) where it can: string
 * values are most of a record's bytes. */
static size_t next_special(const char *s, size_t n, size_t i)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20), high = _mm_set1_epi8((char)0x80);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* c < 0x20 unsigned: (c ^ 0x80) < (0x20 ^ 0x80) signed */
        __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(v, high), _mm_xor_si128(space, high));
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), ctl);
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz(mask);
    }
#endif
    while (i < n && s[i] != '"' && s[i] != '\\' && (unsigned char)s[i] >= 0x20)
        i++;
    return i;
}

/* Past the string that opens at s[i] ('"'). */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; (i = next_special(s, n, i)) < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

/* Past the value that starts at s[i]: a string, an object or array (nested, strings inside
 * skipped whole), or a number or literal. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    if (i >= n) return n;
    if (s[i] == '"') return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            if (s[i] == '"') {
                i = skip_string(s, n, i);
                continue;
            }
            if (s[i] == '{' || s[i] == '[') depth++;
            if ((s[i] == '}' || s[i] == ']') && --depth == 0) return i + 1;
            i++;
        }
        return n;
    }
    while (i < n && !strchr(",}] \t\r\n", s[i]))
        i++;
    return i;
}

/* Is the key token s[a..b) (quotes included) the string `name`? */
static int key_is(const char *s, size_t a, size_t b, const char *name)
{
    if (!memchr(s + a, '\\', b - a)) /* no escape: the bytes are the key */
        return b - a - 2 == strlen(name) && memcmp(s + a + 1, name, b - a - 2) == 0;
    json_t *k = json_loadb(s + a, b - a, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    int same = k && json_is_string(k) && json_string_length(k) == strlen(name) &&
               memcmp(json_string_value(k), name, strlen(name)) == 0;
    json_decref(k);
    return same;
}

static size_t decode_token(const char *s, size_t n, struct buf *out);

/* A top-level member looked for: the bytes of the value of the last one named `name` (the one
 * jansson keeps when a key repeats), a..b, when `found`. With `decoded`, its value must be a
 * string and is decoded there on the way (one pass over a long field, not two). */
struct member {
    const char *name;
    struct buf *decoded;
    size_t a, b;
    int found;
};

/* One walk over the top level for all of want[0..nwant): 0 when a value to decode is not a
 * string that decodes (or the line is not an object), else 1. */
static int find_members(const char *s, size_t n, struct member *want, size_t nwant)
{
    size_t i = skip_ws(s, n, 0);
    if (i >= n || s[i] != '{') return 0;
    i = skip_ws(s, n, i + 1);
    while (i < n && s[i] == '"') {
        size_t ka = i, kb = skip_string(s, n, i);
        i = skip_ws(s, n, kb);
        if (i >= n || s[i] != ':') return 0;
        i = skip_ws(s, n, i + 1);
        size_t a = i, b = 0;
        for (size_t w = 0; w < nwant; w++) {
            if (!key_is(s, ka, kb, want[w].name)) continue;
            if (!b && want[w].decoded) {
                size_t len = a < n && s[a] == '"' ? decode_token(s + a, n - a, want[w].decoded) : 0;
                if (!len) return 0;
                b = a + len;
            }
            if (!b) b = skip_value(s, n, a);
            want[w].a = a, want[w].b = b, want[w].found = 1;
        }
        if (!b) b = skip_value(s, n, a);
        i = skip_ws(s, n, b);
        if (i < n && s[i] == ',') i = skip_ws(s, n, i + 1);
    }
    return 1;
}

static int member_span(const char *s, size_t n, const char *name, size_t *va, size_t *vb)
{
    struct member m = {name, NULL, 0, 0, 0};
    find_members(s, n, &m, 1);
    *va = m.a, *vb = m.b;
    return m.found;
}

/* ---- one record ---------------------------------------------------------------------------- */

/* The record's id, as written: a string's value (decoded as jansson decodes it), anything else
 * (a number: 12, not 12.0) as its bytes id[0..len) in the line. */
static void note_id(struct winnow_jsonl *j, const char *id, size_t len)
{
    if (id[0] != '"')
        snprintf(j->id, sizeof j->id, "%.*s", (int)len, id);
    else if (wn_json_decode_string(id, len, &j->scratch) == 0)
        snprintf(j->id, sizeof j->id, "%.*s", (int)j->scratch.len,
                 j->scratch.p ? j->scratch.p : "");
}

static int emit(struct winnow_jsonl *j, const char *s, size_t n)
{
    return n && j->write(j->write_ctx, s, n) ? WINNOW_ERR_WRITE : WINNOW_OK;
}

static void record_edit(struct winnow_jsonl *j, size_t off, const char *raw, size_t raw_len,
                        const char *out, size_t out_len, const char *rule_id)
{
    struct winnow_edit e = {WINNOW_STAGE_RECORD, off, raw, raw_len, out, out_len, rule_id, 1};
    j->edit(j->edit_ctx, &e);
}

/* A line that is not a record to clean: as it came, or not at all. */
static int pass(struct winnow_jsonl *j, const char *line, size_t len, const char *eol,
                size_t eollen, int verdict, int *out)
{
    *out = verdict;
    if (j->drop_invalid) {
        if (!j->edit) return WINNOW_OK;
        struct buf *b = &j->scratch;
        b->len = 0;
        if (buf_append(b, line, len) || buf_append(b, eol, eollen)) return WINNOW_ERR_NOMEM;
        record_edit(j, 0, b->p ? b->p : "", b->len, "", 0, "jsonl-invalid");
        return WINNOW_OK;
    }
    int rc = emit(j, line, len);
    return rc ? rc : emit(j, eol, eollen);
}

/* ---- the field's string ------------------------------------------------------------------
 * jansson reads a long string a byte at a time (about 150 instructions a byte on news text), so
 * the field's own string is decoded and encoded here, by RFC 8259 section 7, with runs of plain
 * bytes copied at once. Building jansson's tree of the rest cost more than the cleaning of a
 * news-length record (about 19,000 instructions for 130 bytes of metadata), so jsoncheck.c
 * checks the rest in place; jansson stays the judge of any line the fast way is not sure of. */

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'                     ? (unsigned)(c - '0')
                     : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (unsigned)((c | 0x20) - 'a' + 10)
                                                              : 16;
        if (d > 15) return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

/* RFC 8259's two-character escapes: the letter after the backslash, then the byte it stands
 * for (the decoder reads all of them; the encoder writes all but "\/"). */
static const char escapes[][2] = {{'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                                  {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};

/* The escape whose letter (by_byte 0) or byte (by_byte 1) is c, or NULL. */
static const char *escape_of(char c, int by_byte)
{
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
        if (escapes[i][by_byte] == c && !(by_byte && escapes[i][0] == '/')) return escapes[i];
    return NULL;
}

/* The JSON string token that opens at s[0], decoded into out: the token's length, quotes
 * included; 0 when s does not start with one (see wn_json_decode_string). */
static size_t decode_token(const char *s, size_t n, struct buf *out)
{
    out->len = 0;
    if (n < 2 || s[0] != '"') return 0;
    size_t i = 1, end = n;
    for (;;) {
        size_t k = next_special(s, end, i);
        if (buf_append(out, s + i, k - i)) return 0;
        if (k == end) return 0;
        if (s[k] == '"') {
            end = k + 1;
            break;
        }
        if (s[k] != '\\' || k + 1 >= end) return 0; /* a control byte inside */
        char c = s[k + 1], one[4];
        size_t olen = 1;
        i = k + 2;
        const char *esc = escape_of(c, 0);
        if (esc) {
            one[0] = esc[1];
        } else if (c == 'u') {
            unsigned cp, lo;
            if (i + 4 > end || hex4(s + i, &cp)) return 0;
            i += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return 0;
            if (cp >= 0xD800 && cp <= 0xDBFF) { /* a pair, or nothing */
                if (i + 6 > end || s[i] != '\\' || s[i + 1] != 'u' || hex4(s + i + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            olen = wn_utf8_encode(cp, one);
        } else {
            return 0;
        }
        if (buf_append(out, one, olen)) return 0;
    }
    return wn_utf8_valid(out->p ? out->p : "", out->len) ? end : 0;
}

/* The JSON string token s[0..n), quotes included, decoded into out: -1 when it is not one
 * (a control byte, a bad escape, a lone surrogate, bytes that are not UTF-8). */
int wn_json_decode_string(const char *s, size_t n, struct buf *out)
{
    return decode_token(s, n, out) == n ? 0 : -1;
}

/* text[0..n) (UTF-8) as a JSON string token in out: quotes, backslashes and control bytes
 * escaped, all else as it is. */
int wn_json_encode_string(const char *t, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";
    out->len = 0;
    if (buf_append(out, "\"", 1)) return -1;
    for (size_t i = 0; i < n;) {
        size_t k = next_special(t, n, i);
        if (buf_append(out, t + i, k - i)) return -1;
        if (k == n) break;
        unsigned char c = (unsigned char)t[k];
        char e[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t elen = 2;
        const char *esc = escape_of((char)c, 1);
        if (esc) {
            e[1] = esc[0];
        } else if (c < 0x20) {
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[c >> 4], e[5] = hex[c & 15];
            elen = 6;
        }
        if (buf_append(out, e, elen)) return -1;
        i = k + 1;
    }
    return buf_append(out, "\"", 1);
}

/* The fast way (see above): 1 and the field's value (decoded in j->value, at *va..*vb) when
 * it is sure the line is a record jansson accepts, 0 to let jansson judge the whole line. */
static int fast_record(struct winnow_jsonl *j, const char *line, size_t len, size_t *va, size_t *vb)
{
    struct member want[2] = {{j->field, &j->value, 0, 0, 0}, {j->id_field, NULL, 0, 0, 0}};
    if (!find_members(line, len, want, 2) || !want[0].found) return 0;
    *va = want[0].a, *vb = want[0].b;
    if (!wn_json_sure_object(line, len, *va, *vb, &j->scratch)) return 0;
    if (want[1].found) note_id(j, line + want[1].a, want[1].b - want[1].a);
    return 1;
}

int winnow_jsonl_line(winnow_jsonl *j, const char *line, size_t len, const char *eol, size_t eollen,
                      int *verdict)
{
    int v = 0;
    if (!verdict) verdict = &v;
    j->id[0] = 0;
    size_t va = 0, vb = 0;
    const char *text;
    size_t tlen;
    if (fast_record(j, line, len, &va, &vb)) {
        text = j->value.p ? j->value.p : "";
        tlen = j->value.len;
    } else { /* jansson reads the whole line, and says what it is */
        json_t *root = json_loadb(line, len, LOAD_FLAGS, NULL);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return pass(j, line, len, eol, eollen, WINNOW_JSONL_NOT_JSON, verdict);
        }
        json_t *field = json_object_get(root, j->field);
        if (!field || !member_span(line, len, j->field, &va, &vb)) {
            json_decref(root);
            return pass(j, line, len, eol, eollen, WINNOW_JSONL_NO_FIELD, verdict);
        }
        if (!json_is_string(field)) {
            json_decref(root);
            return pass(j, line, len, eol, eollen, WINNOW_JSONL_NOT_STRING, verdict);
        }
        /* copied: root goes before the text is done with */
        j->value.len = 0;
        if (buf_append(&j->value, json_string_value(field), json_string_length(field))) {
            json_decref(root);
            return WINNOW_ERR_NOMEM;
        }
        text = j->value.p ? j->value.p : "";
        tlen = j->value.len;
        size_t ia, ib;
        if (member_span(line, len, j->id_field, &ia, &ib)) note_id(j, line + ia, ib - ia);
        json_decref(root);
    }
    *verdict = WINNOW_JSONL_CLEANED;
    j->text.len = 0;
    int rc = winnow_filter_push_last(j->filter, text, tlen);
    if (rc) return rc;
    if (j->text.len == tlen && memcmp(j->text.p ? j->text.p : "", text, tlen) == 0) {
        rc = emit(j, line, len); /* nothing removed: the line as it came */
        return rc ? rc : emit(j, eol, eollen);
    }
    if (wn_json_encode_string(j->text.p ? j->text.p : "", j->text.len, &j->encoded))
        return WINNOW_ERR_NOMEM;
    if (j->edit) {
        /* the old value is had back from the new as winnow restore would: when that gives
         * its bytes, they need not be said (raw NULL); else (other escapes) they are */
        if (wn_json_encode_string(text, tlen, &j->scratch)) return WINNOW_ERR_NOMEM;
        int same = j->scratch.len == vb - va && memcmp(j->scratch.p, line + va, vb - va) == 0;
        record_edit(j, va, same ? NULL : line + va, vb - va, j->encoded.p, j->encoded.len, "field");
    }
    if (!(rc = emit(j, line, va)) && !(rc = emit(j, j->encoded.p, j->encoded.len)))
        rc = emit(j, line + vb, len - vb);
    return rc ? rc : emit(j, eol, eollen);
}

int winnow_jsonl_detect(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", buf[i]))
        i++;
    if (i >= len || buf[i] != '{') return 0;
    const char *nl = memchr(buf + i, '\n', len - i);
    if (!nl) return 0; /* the first record is not all here: not told */
    size_t n = (size_t)(nl - (buf + i));
    json_t *root = json_loadb(buf + i, n, LOAD_FLAGS, NULL);
    int yes = root && json_is_object(root);
    json_decref(root);
    return yes;
}
