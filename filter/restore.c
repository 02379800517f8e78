/* restore.c: winnow restore (restore.h). The report is read in order; a document's edits are
 * gathered until its "document" record, then its output is read (out_bytes of it) and its edits
 * undone: LINKS first, then TEXT (winnow.h "Lossless edits"); a JSON Lines document's records
 * have their fields decoded, undone and encoded again. Every edit is checked against the bytes
 * it says it left, so a report that is not this output's stops the run, never misleads it. */
#include "restore.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "jsonl.h"
#include "winnow.h"

static const char restore_usage[] =
    "Usage: winnow restore --report=REPORT [--file=NAME] [-o FILE] [OUTPUT]\n"
    "Rebuild the input of a winnow run, byte for byte, from what it wrote (OUTPUT, or standard\n"
    "input) and the report it wrote with --report=REPORT. Text and JSON Lines documents\n"
    "come back as they came (documents in order, separators kept); HTML cannot (its output is\n"
    "the page's text). The rebuilt input goes to standard output, or to FILE atomically.\n"
    "\n"
    "      --report=FILE  the report of the run (required)\n"
    "      --file=NAME    only the documents of the input NAME (as the run named it): for\n"
    "                     a file cleaned in place (-i), OUTPUT is that file\n"
    "  -o, --output=FILE  write to FILE (a temporary file renamed at the end)\n"
    "  -h, --help         show this help and exit\n"
    "\n"
    "Exit status: 0 rebuilt, 2 usage error, unreadable files, or an output and a report that\n"
    "do not agree.\n";

struct redit {
    int stage;
    unsigned long long record, offset;
    size_t raw_len, out_len, seq;
    char *raw; /* NULL: a field's value, had back from its inner edits (WINNOW_STAGE_RECORD) */
    char *out;
};

struct restore {
    FILE *report, *output, *to;
    const char *report_path, *output_path;
    const char *only; /* --file: the documents of this input only */
    unsigned long long report_line;
    struct redit *e;
    size_t n, cap;
    struct buf doc, mid, back, field, token; /* work buffers, reused */
    char err[512];
};

static int failf(struct restore *r, const char *fmt, unsigned long long a, unsigned long long b)
{
    char what[256];
    snprintf(what, sizeof what, fmt, a, b);
    snprintf(r->err, sizeof r->err, "%s:%llu: %s", r->report_path, r->report_line, what);
    return -1;
}

/* A member's bytes: `name` as a string, or `name`_hex; *p is allocated (NULL: neither). */
static int get_bytes(json_t *o, const char *name, char **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    json_t *v = json_object_get(o, name);
    if (json_is_string(v)) {
        *n = json_string_length(v);
        if (!(*p = malloc(*n + 1))) return -1;
        memcpy(*p, json_string_value(v), *n);
        return 0;
    }
    char key[64];
    snprintf(key, sizeof key, "%s_hex", name);
    v = json_object_get(o, key);
    if (!json_is_string(v)) return 0;
    const char *h = json_string_value(v);
    size_t hn = json_string_length(v);
    if (hn % 2 || !(*p = malloc(hn / 2 + 1))) return -1;
    for (size_t i = 0; i < hn / 2; i++) {
        char pair[3] = {h[2 * i], h[2 * i + 1], 0}, *end;
        (*p)[i] = (char)strtoul(pair, &end, 16);
        if (*end) return -1;
    }
    *n = hn / 2;
    return 0;
}

static unsigned long long get_count(json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return json_is_integer(v) && json_integer_value(v) >= 0
               ? (unsigned long long)json_integer_value(v)
               : 0;
}

static int add_edit(struct restore *r, json_t *o)
{
    const char *stage = json_string_value(json_object_get(o, "stage"));
    struct redit e = {0};
    e.stage = !stage                         ? 0
              : strcmp(stage, "text") == 0   ? WINNOW_STAGE_TEXT
              : strcmp(stage, "links") == 0  ? WINNOW_STAGE_LINKS
              : strcmp(stage, "record") == 0 ? WINNOW_STAGE_RECORD
                                             : 0;
    if (!e.stage) return failf(r, "an edit of no known stage", 0, 0);
    e.record = get_count(o, "record");
    e.offset = get_count(o, "offset");
    e.raw_len = (size_t)get_count(o, "length");
    e.seq = r->n;
    size_t rn;
    if (get_bytes(o, "raw", &e.raw, &rn) || get_bytes(o, "out", &e.out, &e.out_len))
        return failf(r, "an edit's bytes cannot be read", 0, 0);
    if (!e.out && !(e.out = strdup(""))) return failf(r, "out of memory", 0, 0);
    if (e.raw ? rn != e.raw_len : e.stage != WINNOW_STAGE_RECORD)
        return failf(r, "an edit whose length is not its bytes'", 0, 0);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct redit *g = realloc(r->e, cap * sizeof *g);
        if (!g) return failf(r, "out of memory", 0, 0);
        r->e = g;
        r->cap = cap;
    }
    r->e[r->n++] = e;
    return 0;
}

static int edit_order(const void *a, const void *b)
{
    const struct redit *x = a, *y = b;
    if (x->record != y->record) return x->record < y->record ? -1 : 1;
    if (x->stage != y->stage) return x->stage > y->stage ? -1 : 1; /* RECORD, LINKS, TEXT */
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Undoes edits e[0..n) (one stage's, by offset) on o[0..on), the stage's output, into in. */
static int undo(struct restore *r, const struct redit *e, size_t n, const char *o, size_t on,
                struct buf *in)
{
    in->len = 0;
    size_t opos = 0;
    unsigned long long ipos = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].offset < ipos) return failf(r, "edits overlap at offset %llu", e[i].offset, 0);
        size_t keep = (size_t)(e[i].offset - ipos);
        if (keep > on - opos || e[i].out_len > on - opos - keep ||
            memcmp(o + opos + keep, e[i].out, e[i].out_len) != 0)
            return failf(r, "the output does not hold what the edit at offset %llu left there",
                         e[i].offset, 0);
        if (buf_append(in, o + opos, keep) || buf_append(in, e[i].raw, e[i].raw_len))
            return failf(r, "out of memory", 0, 0);
        opos += keep + e[i].out_len;
        ipos = e[i].offset + e[i].raw_len;
    }
    return buf_append(in, o + opos, on - opos) ? failf(r, "out of memory", 0, 0) : 0;
}

/* The run of e[from..n) of one record and stage. */
static size_t run_of(const struct redit *e, size_t from, size_t n, unsigned long long record,
                     int stage)
{
    size_t k = from;
    while (k < n && e[k].record == record && e[k].stage == stage)
        k++;
    return k;
}

/* o[0..on) back through LINKS, then TEXT edits of one record from e[*at..n): into r->back. */
static int undo_stages(struct restore *r, size_t *at, unsigned long long record, const char *o,
                       size_t on)
{
    size_t a = *at, b = run_of(r->e, a, r->n, record, WINNOW_STAGE_LINKS);
    if (undo(r, r->e + a, b - a, o, on, &r->mid)) return -1;
    size_t c = run_of(r->e, b, r->n, record, WINNOW_STAGE_TEXT);
    *at = c;
    return undo(r, r->e + b, c - b, r->mid.p ? r->mid.p : "", r->mid.len, &r->back);
}

/* A JSON Lines document: each output line is its record, cleaned; dropped lines come back
 * from their edits, fields from theirs. */
static int restore_jsonl(struct restore *r, const char *o, size_t on, struct buf *in)
{
    size_t at = 0, pos = 0;
    int rc = 0;
    in->len = 0;
    for (unsigned long long rec = 1; !rc; rec++) {
        const struct redit *e = at < r->n && r->e[at].record == rec ? &r->e[at] : NULL;
        if (e && e->stage == WINNOW_STAGE_RECORD && !e->out_len && e->raw) { /* dropped */
            rc = buf_append(in, e->raw, e->raw_len);
            at++;
            continue;
        }
        if (pos >= on) break;
        const char *nl = memchr(o + pos, '\n', on - pos);
        size_t len = nl ? (size_t)(nl - (o + pos)) + 1 : on - pos;
        const char *l = o + pos;
        pos += len;
        if (!e || e->stage != WINNOW_STAGE_RECORD) { /* untouched */
            rc = buf_append(in, l, len);
            continue;
        }
        at++;
        if (e->offset > len || e->out_len > len - e->offset ||
            memcmp(l + e->offset, e->out, e->out_len) != 0) {
            rc = failf(r, "record %llu's line does not hold its field where the report says", rec,
                       0);
            break;
        }
        const char *token = e->raw;
        size_t tlen = e->raw_len;
        if (!token) { /* decoded, undone, encoded again */
            if (wn_json_decode_string(e->out, e->out_len, &r->field) ||
                undo_stages(r, &at, rec, r->field.p ? r->field.p : "", r->field.len) ||
                wn_json_encode_string(r->back.p ? r->back.p : "", r->back.len, &r->token)) {
                if (!r->err[0]) failf(r, "record %llu's field cannot be had back", rec, 0);
                rc = -1;
                break;
            }
            token = r->token.p;
            tlen = r->token.len;
            if (tlen != e->raw_len) {
                rc = failf(r, "record %llu's field comes back %llu bytes long", rec, tlen);
                break;
            }
        }
        rc = buf_append(in, l, (size_t)e->offset) || buf_append(in, token, tlen) ||
             buf_append(in, l + e->offset + e->out_len, len - (size_t)e->offset - e->out_len);
        /* its inner edits, when its bytes were given whole */
        at = run_of(r->e, run_of(r->e, at, r->n, rec, WINNOW_STAGE_LINKS), r->n, rec,
                    WINNOW_STAGE_TEXT);
    }
    if (!rc && at < r->n)
        rc = failf(r, "edits for record %llu, past the output", r->e[at].record, 0);
    return rc ? (r->err[0] ? -1 : failf(r, "out of memory", 0, 0)) : 0;
}

static int read_exact(FILE *fp, struct buf *b, unsigned long long n)
{
    b->len = 0;
    if (buf_reserve(b, (size_t)n + 1)) return -1;
    size_t got = fread(b->p, 1, (size_t)n, fp);
    b->len = got;
    return got == n ? 0 : -1;
}

/* One document: its output read, its edits undone, the input written; then its separator. */
static int restore_document(struct restore *r, json_t *o)
{
    const char *format = json_string_value(json_object_get(o, "format"));
    unsigned long long in_bytes = get_count(o, "in_bytes"), out_bytes = get_count(o, "out_bytes");
    char *sep_in = NULL, *sep_out = NULL;
    size_t sin = 0, sout = 0;
    int rc = -1;
    if (!format || get_bytes(o, "sep_in", &sep_in, &sin) ||
        get_bytes(o, "sep_out", &sep_out, &sout))
        return failf(r, "a document record without its format or separators", 0, 0);
    if (strcmp(format, "html") == 0) {
        failf(r, "an HTML document: its output is the page's text, the page cannot be rebuilt", 0,
              0);
        goto done;
    }
    if (read_exact(r->output, &r->doc, out_bytes)) {
        failf(r, "the output ends before the document's %llu bytes", out_bytes, 0);
        goto done;
    }
    if (crc32(0, (const Bytef *)r->doc.p, (uInt)r->doc.len) != get_count(o, "out_crc32")) {
        failf(r,
              "the output is not the one this report was written with (CRC-32 of "
              "document %llu)",
              get_count(o, "doc"), 0);
        goto done;
    }
    if (r->n) qsort(r->e, r->n, sizeof *r->e, edit_order);
    struct buf in = {0};
    const char *d = r->doc.p ? r->doc.p : "";
    if (strcmp(format, "jsonl") == 0) {
        rc = restore_jsonl(r, d, r->doc.len, &in);
    } else {
        size_t at = 0;
        rc = undo_stages(r, &at, 0, d, r->doc.len);
        if (!rc && at < r->n) rc = failf(r, "an edit of a record in a text document", 0, 0);
        if (!rc) rc = buf_append(&in, r->back.p, r->back.len) ? failf(r, "out of memory", 0, 0) : 0;
    }
    if (!rc && in.len != in_bytes)
        rc = failf(r, "the document comes back %llu bytes long, not %llu", in.len, in_bytes);
    if (!rc && crc32(0, (const Bytef *)in.p, (uInt)in.len) != get_count(o, "in_crc32"))
        rc = failf(r, "document %llu comes back with a CRC-32 not its input's", get_count(o, "doc"),
                   0);
    if (!rc && fwrite(in.p ? in.p : "", 1, in.len, r->to) != in.len)
        rc = failf(r, "write error", 0, 0);
    buf_free(&in);
    if (!rc && (read_exact(r->output, &r->mid, sout) || memcmp(r->mid.p, sep_out, sout) != 0))
        rc = failf(r, "the output does not hold the separator after the document", 0, 0);
    /* the documents stay apart as the output kept them: in a stream the separators are the
     * input's own (sep_in is sep_out); several FILEs were joined by the output's */
    (void)sin;
    if (!rc && fwrite(sep_out ? sep_out : "", 1, sout, r->to) != sout)
        rc = failf(r, "write error", 0, 0);
done:
    free(sep_in);
    free(sep_out);
    for (size_t i = 0; i < r->n; i++) {
        free(r->e[i].raw);
        free(r->e[i].out);
    }
    r->n = 0;
    return rc;
}

static int same_file(json_t *o, const char *name)
{
    const char *file = json_string_value(json_object_get(o, "file"));
    return file && strcmp(file, name) == 0;
}

static int run(struct restore *r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, r->report)) > 0) {
        r->report_line++;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &jerr);
        const char *type = json_string_value(json_object_get(o, "type"));
        if (!o || !type)
            rc = failf(r, "not a record of a winnow report", 0, 0);
        else if (r->only && !same_file(o, r->only))
            ; /* another input's: its edits are not this output's */
        else if (strcmp(type, "edit") == 0)
            rc = add_edit(r, o);
        else if (strcmp(type, "document") == 0)
            rc = restore_document(r, o);
        json_decref(o); /* removals say what went; the edits hold what restore needs */
    }
    free(line);
    if (!rc && r->n) rc = failf(r, "edits after the last document", 0, 0);
    if (!rc && fgetc(r->output) != EOF)
        rc = failf(r, "the output goes on past what the report accounts for", 0, 0);
    return rc;
}

int wn_restore_main(int argc, char **argv)
{
    static const struct option opts[] = {{"report", required_argument, 0, 'R'},
                                         {"file", required_argument, 0, 'F'},
                                         {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct restore r = {0};
    const char *to_path = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        if (c == 'R') {
            r.report_path = optarg;
        } else if (c == 'F') {
            r.only = optarg;
        } else if (c == 'o') {
            to_path = optarg;
        } else if (c == 'h') {
            fputs(restore_usage, stdout);
            return 0;
        } else {
            fprintf(stderr,
                    "winnow: restore: %s '%s'\nTry 'winnow restore --help' for more "
                    "information.\n",
                    c == ':' ? "option requires an argument:" : "unrecognized option",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (!r.report_path || argc - optind > 1) {
        fprintf(stderr, "winnow: restore: %s\nTry 'winnow restore --help' for more information.\n",
                !r.report_path ? "--report=REPORT is required" : "one OUTPUT at most");
        return 2;
    }
    r.output_path = optind < argc ? argv[optind] : "-";
    r.report = fopen(r.report_path, "rb");
    r.output = strcmp(r.output_path, "-") == 0 ? stdin : fopen(r.output_path, "rb");
    if (!r.report || !r.output) {
        fprintf(stderr, "winnow: %s: %s\n", !r.report ? r.report_path : r.output_path,
                strerror(errno));
        return 2;
    }
    char *tmp = NULL;
    r.to = stdout;
    if (to_path) {
        size_t n = strlen(to_path) + 16;
        int fd = -1;
        if ((tmp = malloc(n))) {
            snprintf(tmp, n, "%s.tmp.XXXXXX", to_path);
            fd = mkstemp(tmp);
        }
        if (fd < 0 || !(r.to = fdopen(fd, "wb"))) {
            fprintf(stderr, "winnow: %s: %s\n", to_path, strerror(errno));
            return 2;
        }
    }
    int rc = run(&r);
    if (fflush(r.to) != 0 && !rc) {
        snprintf(r.err, sizeof r.err, "write error: %s", strerror(errno));
        rc = -1;
    }
    if (tmp) {
        if (fclose(r.to) != 0 && !rc) rc = -1;
        if (rc || rename(tmp, to_path) != 0) {
            if (!rc) snprintf(r.err, sizeof r.err, "%s: %s", to_path, strerror(errno));
            rc = -1;
            unlink(tmp);
        }
        free(tmp);
    }
    if (rc) fprintf(stderr, "winnow: restore: %s\n", r.err);
    fclose(r.report);
    if (r.output != stdin) fclose(r.output);
    buf_free(&r.doc);
    buf_free(&r.mid);
    buf_free(&r.back);
    buf_free(&r.field);
    buf_free(&r.token);
    free(r.e);
    return rc ? 2 : 0;
}
