/* diag.c: the diagnostics of `winnow lint` (diag.h): text in the form compilers and CI
 * annotators parse, JSON and SARIF through jansson (never by hand), and per-rule statistics.
 * SARIF's results are kept until the end, since its log is one JSON document. */
#include "diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct rule_stats {
    char *id;
    unsigned long long findings, documents, bytes;
    unsigned long long last_doc; /* the document it was last seen in */
};

struct wn_diag {
    FILE *to;
    enum wn_diag_format format;
    const winnow_rules *rules;
    json_t *results; /* SARIF */
    struct rule_stats *stats;
    size_t nstats;
    unsigned long long findings, documents, bytes_in, bytes_removed, docs_with;
    unsigned long long doc_findings; /* in the current document */
};

struct wn_diag *wn_diag_new(FILE *to, enum wn_diag_format format, const winnow_rules *rules)
{
    struct wn_diag *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->to = to;
    d->format = format;
    d->rules = rules;
    if (format == WN_DIAG_SARIF && !(d->results = json_array())) {
        free(d);
        return NULL;
    }
    return d;
}

void wn_diag_document(struct wn_diag *d)
{
    d->documents++;
    d->doc_findings = 0;
}

static struct rule_stats *stats_of(struct wn_diag *d, const char *id)
{
    for (size_t i = 0; i < d->nstats; i++)
        if (strcmp(d->stats[i].id, id) == 0) return &d->stats[i];
    struct rule_stats *g = realloc(d->stats, (d->nstats + 1) * sizeof *g);
    if (!g) return NULL;
    d->stats = g;
    struct rule_stats *r = &g[d->nstats];
    memset(r, 0, sizeof *r);
    if (!(r->id = strdup(id))) return NULL;
    d->nstats++;
    return r;
}

int wn_diag_shown(const char *text, size_t len, char *out, size_t size)
{
    size_t o = 0, chars = 0, i = 0;
    for (; i < len && chars < 60 && o + 8 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c & 0xC0) != 0x80) chars++;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    /* finish a UTF-8 sequence cut by the limit */
    while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80 && o + 1 < size)
        out[o++] = text[i++];
    out[o] = 0;
    return i < len;
}

static void print_json(struct wn_diag *d, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s) fprintf(d->to, "%s\n", s);
    free(s);
}

void wn_diag_finding(struct wn_diag *d, const char *file, unsigned long long line, size_t col,
                     const char *id, unsigned long long field_line, const char *rule_id,
                     const char *text, size_t len)
{
    d->findings++;
    d->bytes_removed += len;
    if (!d->doc_findings++) d->docs_with++;
    struct rule_stats *r = stats_of(d, rule_id);
    if (r) {
        r->findings++;
        r->bytes += len;
        if (r->last_doc != d->documents) r->documents++;
        r->last_doc = d->documents;
    }
    char shown[512];
    int cut = wn_diag_shown(text, len, shown, sizeof shown);
    if (d->format == WN_DIAG_TEXT) {
        if (id || field_line)
            fprintf(d->to,
                    "%s:%llu:%zu: warning: removed \"%s%s\" (%s%s%sline %llu of the field) [%s]\n",
                    file, line, col, shown, cut ? "..." : "", id ? "id " : "", id ? id : "",
                    id ? ", " : "", field_line, rule_id);
        else
            fprintf(d->to, "%s:%llu:%zu: warning: removed \"%s%s\" [%s]\n", file, line, col, shown,
                    cut ? "..." : "", rule_id);
        return;
    }
    json_t *removed = json_stringn(text, len);
    if (!removed) removed = json_string(shown); /* not UTF-8: what can be shown of it */
    char message[600];
    snprintf(message, sizeof message, "removed \"%s%s\"", shown, cut ? "..." : "");
    if (d->format == WN_DIAG_JSON) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o}", "file", file, "line",
                              (json_int_t)line, "column", (json_int_t)col, "rule", rule_id,
                              "message", message, "text", removed);
        if (o && id) json_object_set_new(o, "id", json_string(id));
        if (o && field_line)
            json_object_set_new(o, "field_line", json_integer((json_int_t)field_line));
        if (o) print_json(d, o);
        json_decref(o);
        return;
    }
    json_t *res =
        json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}, s:{s:I, s:I}}}]}", "ruleId", rule_id,
                  "level", "warning", "message", "text", message, "locations", "physicalLocation",
                  "artifactLocation", "uri", file, "region", "startLine", (json_int_t)line,
                  "startColumn", (json_int_t)(col ? col : 1));
    json_decref(removed);
    if (res && id) json_object_set_new(res, "properties", json_pack("{s:s}", "id", id));
    if (res) json_array_append_new(d->results, res);
}

void wn_diag_bytes(struct wn_diag *d, unsigned long long bytes)
{
    d->bytes_in += bytes;
}

unsigned long long wn_diag_findings(const struct wn_diag *d)
{
    return d->findings;
}

/* SARIF's rules: every rule id seen, once, described by its kind, file and line (the rules
 * files' own words), with the help text pointing there. */
static json_t *sarif_rules(const struct wn_diag *d)
{
    json_t *rules = json_array();
    size_t n = d->rules ? winnow_rules_count(d->rules) : 0;
    for (size_t i = 0; rules && i < n; i++) {
        struct winnow_rule_info info;
        if (winnow_rules_get(d->rules, i, &info) != WINNOW_OK) continue;
        int seen = 0;
        for (size_t k = 0; k < json_array_size(rules) && !seen; k++)
            seen = strcmp(json_string_value(json_object_get(json_array_get(rules, k), "id")),
                          info.id) == 0;
        if (seen) continue;
        char text[512], help[768];
        snprintf(text, sizeof text, "%s rule (languages: %s)", info.kind, info.langs);
        snprintf(help, sizeof help,
                 "A %s rule of winnow, defined at %s; see rules/README.md for what each kind "
                 "removes, and `winnow --list-rules` for its pattern and prefilter.",
                 info.kind, info.origin);
        json_array_append_new(rules, json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "id", info.id,
                                               "shortDescription", "text", text, "help", "text",
                                               help, "defaultConfiguration", "level", "warning"));
    }
    return rules;
}

static void write_sarif(struct wn_diag *d)
{
    json_t *log =
        json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                  "tool", "driver", "name", "winnow", "version", winnow_version(), "informationUri",
                  "https://example.invalid/winnow", "rules", sarif_rules(d), "results",
                  d->results); /* the log takes the results ("o": stolen) */
    char *s = log ? json_dumps(log, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    if (s) fprintf(d->to, "%s\n", s);
    free(s);
    json_decref(log);
}

static int by_findings(const void *a, const void *b)
{
    const struct rule_stats *x = a, *y = b;
    if (x->findings != y->findings) return x->findings > y->findings ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void write_stats(struct wn_diag *d, int format, FILE *to, double seconds)
{
    qsort(d->stats, d->nstats, sizeof *d->stats, by_findings);
    double mb = (double)d->bytes_in / 1e6, rate = seconds > 0 ? mb / seconds : 0;
    double dps = seconds > 0 ? (double)d->documents / seconds : 0;
    if (format == 2) {
        json_t *rules = json_array();
        for (size_t i = 0; i < d->nstats; i++)
            json_array_append_new(rules, json_pack("{s:s, s:I, s:I, s:I}", "rule", d->stats[i].id,
                                                   "findings", (json_int_t)d->stats[i].findings,
                                                   "documents", (json_int_t)d->stats[i].documents,
                                                   "bytes", (json_int_t)d->stats[i].bytes));
        json_t *o =
            json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}}", "rules", rules, "totals",
                      "findings", (json_int_t)d->findings, "documents", (json_int_t)d->documents,
                      "documents_with_findings", (json_int_t)d->docs_with, "bytes_in",
                      (json_int_t)d->bytes_in, "bytes_removed", (json_int_t)d->bytes_removed,
                      "seconds", seconds, "documents_per_second", dps, "mb_per_second", rate);
        char *s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (s) fprintf(to, "%s\n", s);
        free(s);
        json_decref(o);
        return;
    }
    fprintf(to, "%-28s %10s %10s %12s\n", "rule", "findings", "documents", "bytes");
    for (size_t i = 0; i < d->nstats; i++)
        fprintf(to, "%-28s %10llu %10llu %12llu\n", d->stats[i].id, d->stats[i].findings,
                d->stats[i].documents, d->stats[i].bytes);
    fprintf(to, "%-28s %10llu %10llu %12llu\n", "total", d->findings, d->docs_with,
            d->bytes_removed);
    fprintf(to, "%llu documents, %.1f MB in %.2f s: %.0f documents/s, %.1f MB/s\n", d->documents,
            mb, seconds, dps, rate);
}

void wn_diag_finish(struct wn_diag *d, int stats, FILE *stats_to, double seconds)
{
    if (d->format == WN_DIAG_SARIF) write_sarif(d);
    d->results = NULL; /* the log took it */
    if (stats) write_stats(d, stats, stats_to, seconds);
}

void wn_diag_free(struct wn_diag *d)
{
    if (!d) return;
    json_decref(d->results);
    for (size_t i = 0; i < d->nstats; i++)
        free(d->stats[i].id);
    free(d->stats);
    free(d);
}
