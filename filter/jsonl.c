/* jsonl.c: JSON Lines records, one JSON object a line, whose string member (`field`) is
 * cleaned as one document. Every other byte of the line comes out as it came: the cleaned
 * value is spliced in where the old one stood, so numbers, escapes, spacing and member order
 * elsewhere are never re-encoded; an unchanged value leaves the line untouched. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "winnow.h"

/* Numbers are decoded as reals: none is ever re-encoded (the line's bytes are), and an
 * integer too long for 64 bits (ids often are) still parses. */
#define LOAD_FLAGS (JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

struct winnow_jsonl {
    winnow_filter *filter; /* writes the cleaned field into `text` */
    struct buf text;
    char *field, *id_field;
    int drop_invalid;
    winnow_write_fn write;
    void *write_ctx;
    char id[256]; /* the current record's id, as text; "" when it has none */
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

winnow_jsonl *winnow_jsonl_new(winnow_rules *rules, const struct winnow_options *options,
                               const struct winnow_jsonl_options *jo, winnow_write_fn write,
                               void *write_ctx, char *err, size_t errlen)
{
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

/* Past the string that opens at s[i] ('"'). */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
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

/* The bytes of the value of the last top-level member `name` (the one jansson keeps when a
 * key repeats): *va..*vb. 0 when there is none. */
static int member_span(const char *s, size_t n, const char *name, size_t *va, size_t *vb)
{
    size_t i = skip_ws(s, n, 0);
    int found = 0;
    if (i >= n || s[i] != '{') return 0;
    i = skip_ws(s, n, i + 1);
    while (i < n && s[i] == '"') {
        size_t ka = i, kb = skip_string(s, n, i);
        i = skip_ws(s, n, kb);
        if (i >= n || s[i] != ':') return 0;
        i = skip_ws(s, n, i + 1);
        size_t a = i, b = skip_value(s, n, i);
        if (key_is(s, ka, kb, name)) {
            *va = a;
            *vb = b;
            found = 1;
        }
        i = skip_ws(s, n, b);
        if (i < n && s[i] == ',') i = skip_ws(s, n, i + 1);
    }
    return found;
}

/* ---- one record ---------------------------------------------------------------------------- */

/* The record's id, as written: a string's value, anything else (a number: 12, not 12.0) as
 * its bytes in the line. */
static void note_id(struct winnow_jsonl *j, const char *line, size_t len, json_t *root)
{
    j->id[0] = 0;
    json_t *v = json_object_get(root, j->id_field);
    size_t a, b;
    if (!v) return;
    if (json_is_string(v))
        snprintf(j->id, sizeof j->id, "%s", json_string_value(v));
    else if (member_span(line, len, j->id_field, &a, &b))
        snprintf(j->id, sizeof j->id, "%.*s", (int)(b - a), line + a);
}

static int emit(struct winnow_jsonl *j, const char *s, size_t n)
{
    return n && j->write(j->write_ctx, s, n) ? WINNOW_ERR_WRITE : WINNOW_OK;
}

/* A line that is not a record to clean: as it came, or not at all. */
static int pass(struct winnow_jsonl *j, const char *line, size_t len, const char *eol,
                size_t eollen, int verdict, int *out)
{
    *out = verdict;
    if (j->drop_invalid) return WINNOW_OK;
    int rc = emit(j, line, len);
    return rc ? rc : emit(j, eol, eollen);
}

int winnow_jsonl_line(winnow_jsonl *j, const char *line, size_t len, const char *eol, size_t eollen,
                      int *verdict)
{
    int v = 0;
    if (!verdict) verdict = &v;
    j->id[0] = 0;
    json_t *root = json_loadb(line, len, LOAD_FLAGS, NULL);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return pass(j, line, len, eol, eollen, WINNOW_JSONL_NOT_JSON, verdict);
    }
    note_id(j, line, len, root);
    json_t *field = json_object_get(root, j->field);
    size_t va = 0, vb = 0;
    if (!field || !member_span(line, len, j->field, &va, &vb)) {
        json_decref(root);
        return pass(j, line, len, eol, eollen, WINNOW_JSONL_NO_FIELD, verdict);
    }
    if (!json_is_string(field)) {
        json_decref(root);
        return pass(j, line, len, eol, eollen, WINNOW_JSONL_NOT_STRING, verdict);
    }
    *verdict = WINNOW_JSONL_CLEANED;
    j->text.len = 0;
    const char *text = json_string_value(field);
    size_t tlen = json_string_length(field);
    int rc = winnow_filter_push_last(j->filter, text, tlen);
    if (rc) {
        json_decref(root);
        return rc;
    }
    char *encoded = NULL;
    if (j->text.len != tlen || memcmp(j->text.p, text, tlen) != 0) {
        json_t *clean = json_stringn(j->text.p ? j->text.p : "", j->text.len);
        /* the filter cuts at character boundaries: what it keeps of valid UTF-8 is valid */
        encoded = clean ? json_dumps(clean, JSON_ENCODE_ANY) : NULL;
        json_decref(clean);
        if (!encoded) {
            json_decref(root);
            return WINNOW_ERR_NOMEM;
        }
    }
    json_decref(root);
    if (!encoded)
        rc = emit(j, line, len); /* nothing removed: the line as it came */
    else if (!(rc = emit(j, line, va)) && !(rc = emit(j, encoded, strlen(encoded))))
        rc = emit(j, line + vb, len - vb);
    free(encoded);
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
