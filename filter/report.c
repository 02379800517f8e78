/* report.c: the --report sidecar (report.h). Each record is one jansson object dumped on one
 * line; bytes that are not UTF-8 (a scraped page may hold any) go as hex, never altered. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"

struct wn_report {
    const winnow_rules *rules; /* for the kind of a rule a removal names */
    FILE *fp;
    char *path, *tmp;
    int error; /* the first errno of a write */
};

struct wn_report *wn_report_open(const char *path, const winnow_rules *rules)
{
    struct wn_report *r = calloc(1, sizeof *r);
    if (r) r->rules = rules;
    size_t n = strlen(path);
    if (!r || !(r->path = strdup(path)) || !(r->tmp = malloc(n + 16))) goto fail;
    snprintf(r->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(r->tmp);
    if (fd < 0) goto fail;
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    if (!(r->fp = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(r->tmp);
        errno = e;
        goto fail;
    }
    return r;
fail:
    if (r) {
        int e = errno;
        free(r->path);
        free(r->tmp);
        free(r);
        errno = e;
    }
    return NULL;
}

int wn_report_set_bytes(json_t *o, const char *name, const char *s, size_t n)
{
    if (wn_utf8_valid(s ? s : "", n))
        return json_object_set_new(o, name, json_stringn(s ? s : "", n));
    static const char hex[] = "0123456789abcdef";
    char *h = malloc(2 * n + 1), key[64];
    if (!h) return -1;
    for (size_t i = 0; i < n; i++) {
        h[2 * i] = hex[(unsigned char)s[i] >> 4];
        h[2 * i + 1] = hex[(unsigned char)s[i] & 15];
    }
    snprintf(key, sizeof key, "%s_hex", name);
    int rc = json_object_set_new(o, key, json_stringn(h, 2 * n));
    free(h);
    return rc;
}

static json_t *record(const char *type, const struct wn_report_at *at)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "file", json_string(at->file ? at->file : "<stdin>"));
    json_object_set_new(o, "doc", json_integer((json_int_t)at->doc));
    if (at->record) json_object_set_new(o, "record", json_integer((json_int_t)at->record));
    if (at->id) json_object_set_new(o, "id", json_string(at->id));
    return o;
}

static void put(struct wn_report *r, json_t *o)
{
    if (!r->error && (json_dumpf(o, r->fp, JSON_COMPACT) != 0 || fputc('\n', r->fp) == EOF))
        r->error = errno ? errno : EIO;
    json_decref(o);
}

static const char *stage_name(int stage)
{
    return stage == WINNOW_STAGE_LINKS ? "links" : stage == WINNOW_STAGE_RECORD ? "record" : "text";
}

/* The kind of the rule named id ("html-embed-attr", "footer" ...), or NULL (links, the
 * guard: no rule of the set). */
static const char *rule_kind(const struct wn_report *r, const char *id)
{
    size_t n = r->rules ? winnow_rules_count(r->rules) : 0;
    for (size_t i = 0; i < n; i++) {
        struct winnow_rule_info info;
        if (winnow_rules_get(r->rules, i, &info) == WINNOW_OK && strcmp(info.id, id) == 0)
            return info.kind;
    }
    return NULL;
}

/* What the learn rules read in a removal (rules/learn.rules): one member a group, a list for
 * `all` rules; of two rules giving one name, the first stands. */
static void learned(void *ctx, const char *name, const char *value, size_t len, int all)
{
    json_t *o = ctx;
    if (!wn_utf8_valid(value, len)) return;
    json_t *v = json_object_get(o, name);
    if (all) {
        if (!v) json_object_set_new(o, name, v = json_array());
        if (json_is_array(v)) json_array_append_new(v, json_stringn(value, len));
    } else if (!v) {
        json_object_set_new(o, name, json_stringn(value, len));
    }
}

void wn_report_removal(struct wn_report *r, const struct wn_report_at *at,
                       const struct winnow_removal *rm)
{
    json_t *o = record("removal", at);
    json_object_set_new(o, "rule", json_string(rm->rule_id));
    const char *kind = rule_kind(r, rm->rule_id);
    if (kind) json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "line", json_integer((json_int_t)rm->line));
    json_object_set_new(o, "col", json_integer((json_int_t)rm->col));
    json_object_set_new(o, "offset", json_integer((json_int_t)rm->offset));
    json_object_set_new(o, "length", json_integer((json_int_t)(rm->span ? rm->span : rm->len)));
    if (rm->stage == WINNOW_STAGE_LINKS) json_object_set_new(o, "stage", json_string("links"));
    wn_report_set_bytes(o, "text", rm->text, rm->len);
    if (r->rules) {
        json_t *l = json_object();
        if (wn_rules_learn(r->rules, rm->rule_id, kind, rm->text, rm->len, learned, l))
            json_object_set(o, "learned", l);
        json_decref(l);
    }
    put(r, o);
}

void wn_report_edit(struct wn_report *r, const struct wn_report_at *at, const struct winnow_edit *e)
{
    json_t *o = record("edit", at);
    json_object_set_new(o, "stage", json_string(stage_name(e->stage)));
    json_object_set_new(o, "rule", json_string(e->rule_id ? e->rule_id : ""));
    if (e->line) json_object_set_new(o, "line", json_integer((json_int_t)e->line));
    json_object_set_new(o, "offset", json_integer((json_int_t)e->offset));
    json_object_set_new(o, "length", json_integer((json_int_t)e->raw_len));
    if (e->raw) wn_report_set_bytes(o, "raw", e->raw, e->raw_len);
    wn_report_set_bytes(o, "out", e->out, e->out_len);
    put(r, o);
}

void wn_report_document(struct wn_report *r, const struct wn_report_at *at, const char *format,
                        unsigned long long in, unsigned long long out, unsigned long in_crc,
                        unsigned long out_crc, const char *sep_in, size_t sep_in_len,
                        const char *sep_out, size_t sep_out_len)
{
    json_t *o = record("document", at);
    json_object_set_new(o, "format", json_string(format));
    json_object_set_new(o, "in_bytes", json_integer((json_int_t)in));
    json_object_set_new(o, "out_bytes", json_integer((json_int_t)out));
    json_object_set_new(o, "in_crc32", json_integer((json_int_t)in_crc));
    json_object_set_new(o, "out_crc32", json_integer((json_int_t)out_crc));
    wn_report_set_bytes(o, "sep_in", sep_in, sep_in_len);
    wn_report_set_bytes(o, "sep_out", sep_out, sep_out_len);
    put(r, o);
}

int wn_report_close(struct wn_report *r, int ok)
{
    if (!r) return 0;
    if (fflush(r->fp) != 0 && !r->error) r->error = errno;
    if (!r->error && fsync(fileno(r->fp)) != 0) r->error = errno;
    if (fclose(r->fp) != 0 && !r->error) r->error = errno;
    int rc = 0;
    if (ok && !r->error && rename(r->tmp, r->path) == 0) {
        rc = 0;
    } else {
        if (ok && !r->error) r->error = errno;
        unlink(r->tmp);
        rc = ok ? -1 : 0;
    }
    int e = r->error;
    free(r->path);
    free(r->tmp);
    free(r);
    errno = e;
    return rc;
}
