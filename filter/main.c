/* main.c: the winnow command, a thin layer over libwinnow (include/winnow.h): options, files,
 * document separators, output (atomic with --output), --explain and --lint diagnostics. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "diag.h"
#include "input.h"
#include "parallel.h"
#include "report.h"
#include "restore.h"
#include "split.h"
#include "versions.h"
#include "winnow.h"

#define READ_CHUNK (256 * 1024)

static const char usage_text[] =
    "Usage: winnow [OPTION]... [FILE]...\n"
    "   or: winnow lint [OPTION]... [FILE|DIR]...\n"
    "   or: winnow restore --report=REPORT [OUTPUT]\n"
    "Strip embedded social posts, short links, cross-promotion and source footers from\n"
    "scraped article text (or HTML), writing the clean article to standard output.\n"
    "With no FILE, or when FILE is -, read standard input, where documents are separated by\n"
    "a form feed on a line of its own (or by NUL with -z). Each FILE is one document.\n"
    "gzip and zstd input is decoded (told by its first bytes); the output is plain, but\n"
    "for -o FILE.gz and FILE.zst (and -i on such a FILE), which are written compressed.\n"
    "\n"
    "Output and reports:\n"
    "  -e, --explain          report every removal on stderr: FILE:LINE:COL: RULE: removed "
    "\"...\"\n"
    "      --report=FILE      write FILE (JSON Lines): every removal with its offset, rule and\n"
    "                         bytes, and what `winnow restore` needs to rebuild the input\n"
    "      --trace            for every line, on stderr: its features, its label and the\n"
    "                         decision with its reason (FILE:LINE: keep|drop ...)\n"
    "      --lint             as `winnow lint FILE|DIR...`: write no text; one diagnostic a\n"
    "                         removal on stdout (FILE:LINE:COL: warning: ... [RULE]), a summary\n"
    "                         on stderr; exit 1 if there are any (0: clean, 2: an error)\n"
    "      --diagnostics=FMT  lint's: text (default), json (an object a line) or sarif (2.1.0)\n"
    "      --stats[=FMT]      lint ends with per-rule counts on stderr: text or json\n"
    "  -r, --recursive        lint walks a folder it is given (it does anyway; links not\n"
    "                         followed); --include=GLOB, --exclude=GLOB pick its files by name\n"
    "  -o, --output=FILE      write to FILE atomically (a temporary file renamed at the end)\n"
    "  -i, --in-place[=SUFFIX] clean each FILE in place, atomically, its mode kept; with\n"
    "                         SUFFIX (-i.bak) the original is kept as FILE.bak\n"
    "  -z, --null             documents on standard input are separated by NUL bytes\n"
    "      --format=FMT       input format: auto (default), text, html or jsonl (JSON Lines:\n"
    "                         auto when the first line is a JSON object)\n"
    "JSON Lines:\n"
    "      --field=NAME       the member cleaned (default text); every other byte stays\n"
    "      --field-format=FMT what it holds: text (default) or html\n"
    "      --id-field=NAME    the member that names a record in reports (default id)\n"
    "      --drop-invalid     drop lines that are not JSON objects with the field (default:\n"
    "                         pass them through; either way each is reported on stderr)\n"
    "Rules:\n"
    "      --rules=FILE       add the rules in FILE (may be repeated)\n"
    "      --no-default-rules start from no rules instead of the built-in ones\n"
    "      --disable=ID       turn off every rule with this id (may be repeated)\n"
    "      --lang=LIST        only rules for these languages (e.g. en,de); '*' rules stay\n"
    "      --list-rules       print the rules (with the prefilter derived for each) and exit\n"
    "      --no-prefilter     try every rule on every line (no chunk scan, no literal hints):\n"
    "                         slower, the same output\n"
    "      --embeds=POLICY    strip (default) or keep social embeds\n"
    "      --progress         a line on stderr: documents, MB, MB/s, removals, ETA (the\n"
    "                         default when stderr is a terminal and the input is several\n"
    "                         files or over 64 MB); --no-progress: never\n"
    "  -j, --parallel=N       clean N files at once (default: the CPUs), the output and the\n"
    "                         reports in argument order (--jobs is for links)\n"
    "      --max-removal=F    a document of which more than the fraction F would go (0.3,\n"
    "                         say) comes out as it came, reported as doc-guard\n"
    "      --links=POLICY     default, keep (leave every link), or strip (drop links that\n"
    "                         cannot be resolved)\n"
    "Links:\n"
    "      --resolve          replace short links by their destination (HTTP, see README)\n"
    "      --offline          never use the network; only the cache answers\n"
    "      --jobs=N           links resolved at once (default 32)\n"
    "      --per-host=N       connections per host (default: as --jobs)\n"
    "      --max-hops=N       redirects followed per link (default 5)\n"
    "      --timeout=SECONDS  deadline per link (default 5)\n"
    "      --follow-all       follow redirects past the last known shortener\n"
    "      --allow-private    let redirects reach loopback and private addresses\n"
    "      --strip-referral   also apply ClearURLs referralMarketing rules\n"
    "      --cache=PATH|URL   link cache: an SQLite file (default\n"
    "                         $XDG_CACHE_HOME/winnow/links.sqlite), or Redis shared by a fleet:\n"
    "                         redis://[:PASSWORD@]HOST[:PORT][/DB], unix:///PATH[?db=N]\n"
    "                         (the password also from REDIS_PASSWORD)\n"
    "      --cache-prefix=P   Redis keys' namespace (default winnow:link:)\n"
    "      --no-cache         do not read or write the link cache\n"
    "      --clearurls=FILE   load ClearURLs rules (data.min.json)\n"
    "      --cacert=FILE      CA certificates to verify TLS peers with\n"
    "      --connect-to=H:P:A:P  connect to A:P for H:P (curl syntax); trusted by the guard\n"
    "\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version, the rules' CRC-32 and the libraries' versions\n"
    "                         and exit\n"
    "\n"
    "Exit status: 0 success (--lint: clean), 1 --lint findings, 2 usage or runtime error.\n";

enum {
    OPT_LINT = 256,
    OPT_REPORT,
    OPT_TRACE,
    OPT_NO_PREFILTER,
    OPT_FORMAT,
    OPT_FIELD,
    OPT_PARALLEL,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_MAX_REMOVAL,
    OPT_IN_PLACE,
    OPT_DIAGNOSTICS,
    OPT_STATS,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_FIELD_FORMAT,
    OPT_ID_FIELD,
    OPT_DROP_INVALID,
    OPT_RULES,
    OPT_NO_DEFAULT,
    OPT_DISABLE,
    OPT_LANG,
    OPT_LIST,
    OPT_EMBEDS,
    OPT_LINKS,
    OPT_RESOLVE,
    OPT_OFFLINE,
    OPT_JOBS,
    OPT_PER_HOST,
    OPT_MAX_HOPS,
    OPT_TIMEOUT,
    OPT_FOLLOW_ALL,
    OPT_ALLOW_PRIVATE,
    OPT_STRIP_REFERRAL,
    OPT_CACHE,
    OPT_NO_CACHE,
    OPT_CACHE_PREFIX,
    OPT_CLEARURLS,
    OPT_CACERT,
    OPT_CONNECT_TO
};

static const struct option long_options[] = {
    {"explain", no_argument, 0, 'e'},
    {"lint", no_argument, 0, OPT_LINT},
    {"trace", no_argument, 0, OPT_TRACE},
    {"no-prefilter", no_argument, 0, OPT_NO_PREFILTER},
    {"output", required_argument, 0, 'o'},
    {"in-place", optional_argument, 0, 'i'},
    {"null", no_argument, 0, 'z'},
    {"format", required_argument, 0, OPT_FORMAT},
    {"field", required_argument, 0, OPT_FIELD},
    {"parallel", required_argument, 0, 'j'},
    {"progress", no_argument, 0, OPT_PROGRESS},
    {"no-progress", no_argument, 0, OPT_NO_PROGRESS},
    {"max-removal", required_argument, 0, OPT_MAX_REMOVAL},
    {"report", required_argument, 0, OPT_REPORT},
    {"diagnostics", required_argument, 0, OPT_DIAGNOSTICS},
    {"stats", optional_argument, 0, OPT_STATS},
    {"recursive", no_argument, 0, 'r'},
    {"include", required_argument, 0, OPT_INCLUDE},
    {"exclude", required_argument, 0, OPT_EXCLUDE},
    {"field-format", required_argument, 0, OPT_FIELD_FORMAT},
    {"id-field", required_argument, 0, OPT_ID_FIELD},
    {"drop-invalid", no_argument, 0, OPT_DROP_INVALID},
    {"rules", required_argument, 0, OPT_RULES},
    {"no-default-rules", no_argument, 0, OPT_NO_DEFAULT},
    {"disable", required_argument, 0, OPT_DISABLE},
    {"lang", required_argument, 0, OPT_LANG},
    {"list-rules", no_argument, 0, OPT_LIST},
    {"embeds", required_argument, 0, OPT_EMBEDS},
    {"links", required_argument, 0, OPT_LINKS},
    {"resolve", no_argument, 0, OPT_RESOLVE},
    {"offline", no_argument, 0, OPT_OFFLINE},
    {"jobs", required_argument, 0, OPT_JOBS},
    {"per-host", required_argument, 0, OPT_PER_HOST},
    {"max-hops", required_argument, 0, OPT_MAX_HOPS},
    {"timeout", required_argument, 0, OPT_TIMEOUT},
    {"follow-all", no_argument, 0, OPT_FOLLOW_ALL},
    {"allow-private", no_argument, 0, OPT_ALLOW_PRIVATE},
    {"strip-referral", no_argument, 0, OPT_STRIP_REFERRAL},
    {"cache", required_argument, 0, OPT_CACHE},
    {"no-cache", no_argument, 0, OPT_NO_CACHE},
    {"cache-prefix", required_argument, 0, OPT_CACHE_PREFIX},
    {"clearurls", required_argument, 0, OPT_CLEARURLS},
    {"cacert", required_argument, 0, OPT_CACERT},
    {"connect-to", required_argument, 0, OPT_CONNECT_TO},
    {"help", no_argument, 0, 'h'},
    {"version", no_argument, 0, 'V'},
    {0, 0, 0, 0}};

/* Where clean text goes: stdout or a temporary file that --output renames into place. */
struct output {
    FILE *fp;
    const char *final_path; /* --output's file (allocated), where the temporary one goes */
    char *tmp_path;
    int broken_pipe;
    int error;                  /* errno of the first write error */
    int last_byte;              /* of what was written: -1 for nothing yet */
    unsigned long long written; /* bytes, for --report's documents */
    unsigned long crc;          /* CRC-32 of the current document's output (--report) */
    size_t crc_skip;            /* bytes next written that are a separator, not counted */
    int crc_on;
    struct wn_zout *z; /* --output FILE.gz / FILE.zst: compressed on the way */
};

/* The temporary file of --output, for the signal handler: a signal that ends winnow leaves
 * none behind. */
static const char *volatile tmp_to_remove;

static void remove_tmp_and_die(int sig)
{
    if (tmp_to_remove) unlink(tmp_to_remove); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

struct explain_ctx {
    const char *file;
    FILE *to;
    unsigned long long findings;
    const winnow_jsonl *jsonl; /* a JSON Lines input: reports name the record */
    unsigned long long record; /* its line in the file */
    const char *field;         /* the member cleaned, for messages */
    struct wn_diag *diag;      /* lint: the findings go there */
    int numbered;              /* standard input: its documents after the first are named */
    unsigned long long doc_no; /* ... by their number: <stdin>#2, <stdin>#3 */
    char name[48];
    /* --report: the sidecar, and what its document records need */
    struct wn_report *rep;
    int explaining;              /* --explain or lint: removals go to explain() too */
    int is_jsonl;                /* the current input is JSON Lines: one document */
    struct output *out;          /* the documents' output, for their sizes */
    unsigned long long out_mark; /* out->written when the current document began */
    unsigned long long doc_in;   /* its input bytes, as the filter said (JSON Lines: read) */
    const char *doc_format;      /* "text" or "html", as the filter said */
    unsigned long in_crc;        /* CRC-32 of its input */
    unsigned long long rep_doc;  /* documents of the current file reported so far */
};

/* --progress: one line on stderr, rewritten at most four times a second. */
struct progress {
    int on;
    struct timespec t0, last;
    unsigned long long docs, total; /* total: bytes of the files, for the ETA; 0: unknown */
    int file, files;
    winnow_filter *f;
    winnow_jsonl **jl;
};
static struct progress progress;

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_show(int final)
{
    struct progress *p = &progress;
    if (!p->on || !p->f) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!final && since(&p->last, &now) < 0.25) return;
    p->last = now;
    struct winnow_stats a = {0}, b = {0};
    winnow_filter_stats(p->f, &a);
    if (*p->jl) winnow_filter_stats(winnow_jsonl_filter(*p->jl), &b);
    double secs = since(&p->t0, &now), mb = (double)(a.bytes_in + b.bytes_in) / 1e6;
    double rate = secs > 0 ? mb / secs : 0;
    unsigned long long removals = a.lines_removed + a.spans_cut + b.lines_removed + b.spans_cut;
    fprintf(stderr, "\rwinnow: %llu documents, %.1f MB, %.1f MB/s, %llu removals", p->docs, mb,
            rate, removals);
    if (p->files > 1) fprintf(stderr, ", file %d of %d", p->file, p->files);
    if (p->total && rate > 0 && !final) {
        double left = ((double)p->total / 1e6 - mb) / rate;
        if (left < 0) left = 0;
        fprintf(stderr, ", ETA %d:%02d", (int)left / 60, (int)left % 60);
    }
    fprintf(stderr, "\033[K%s", final ? "\n" : "");
}

/* A document begins (lint's statistics count the documents a rule touched). */
static void doc_begins(struct explain_ctx *e)
{
    if (e->diag) wn_diag_document(e->diag);
    progress.docs++;
    progress_show(0);
}

/* A document of a stream begins: on standard input, one after the first is named by its
 * number, so that its reports say which it is. */
static void stream_doc_begins(struct explain_ctx *e)
{
    doc_begins(e);
    if (e->numbered && ++e->doc_no > 1) {
        snprintf(e->name, sizeof e->name, "<stdin>#%llu", e->doc_no);
        e->file = e->name;
    }
}

/* --format=jsonl, beside the library's formats (which are the field's) */
enum { FORMAT_JSONL = 100 };

static void die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "winnow: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'winnow --help' for more information.\n");
    exit(2);
}

static int write_out(void *ctx, const char *buf, size_t len)
{
    struct output *o = ctx;
    if (o->error) return -1;
    wn_parallel_turn(o->fp, o->written); /* -j: in a worker, its turn may have come */
    if (o->z ? wn_zout_write(o->z, buf, len) != 0 : fwrite(buf, 1, len, o->fp) != len) {
        o->error = errno ? errno : EIO;
        if (o->error == EPIPE) o->broken_pipe = 1;
        return -1;
    }
    if (len) o->last_byte = (unsigned char)buf[len - 1];
    o->written += len;
    if (o->crc_on) { /* --report */
        size_t skip = o->crc_skip < len ? o->crc_skip : len;
        o->crc_skip -= skip;
        o->crc = crc32(o->crc, (const Bytef *)buf + skip, (uInt)(len - skip));
    }
    return 0;
}

/* --trace: FILE:LINE: keep|drop LABEL [RULE]: REASON (FEATURES) */
static void trace_line(void *ctx, const struct winnow_trace *t)
{
    struct explain_ctx *e = ctx;
    fprintf(stderr, "%s:%llu: %s %s%s%s%s: %s (%s)\n", e->file, t->line, t->decision, t->label,
            t->rule_id ? " [" : "", t->rule_id ? t->rule_id : "", t->rule_id ? "]" : "", t->reason,
            t->features);
}

/* --explain and --lint: FILE:LINE:COL: RULE: removed "first 60 characters..." */
static void explain(void *ctx, const struct winnow_removal *r)
{
    struct explain_ctx *e = ctx;
    e->findings++;
    if (e->diag) { /* lint: a diagnostic, in the format asked for */
        const char *id = e->jsonl ? winnow_jsonl_id(e->jsonl) : NULL;
        wn_diag_finding(e->diag, e->file, e->jsonl ? e->record : r->line, r->col, id,
                        e->jsonl ? r->line : 0, r->rule_id, r->text, r->len);
        return;
    }
    char shown[256];
    int cut = wn_diag_shown(r->text, r->len, shown, sizeof shown);
    if (e->jsonl) { /* the line is the record's; where in the field, after the text */
        const char *id = winnow_jsonl_id(e->jsonl);
        fprintf(e->to, "%s:%llu:%zu: %s: removed \"%s%s\" (%s%s%sline %llu of the field)\n",
                e->file, e->record, r->col, r->rule_id, shown, cut ? "..." : "", id ? "id " : "",
                id ? id : "", id ? ", " : "", r->line);
        return;
    }
    fprintf(e->to, "%s:%llu:%zu: %s: removed \"%s%s\"\n", e->file, r->line, r->col, r->rule_id,
            shown, cut ? "..." : "");
}

/* ---- --report --------------------------------------------------------------------------- */

static struct wn_report_at report_at(const struct explain_ctx *e)
{
    return (struct wn_report_at){e->file, e->rep_doc + 1, e->jsonl ? e->record : 0,
                                 e->jsonl ? winnow_jsonl_id(e->jsonl) : NULL};
}

static void on_removal(void *ctx, const struct winnow_removal *r)
{
    struct explain_ctx *e = ctx;
    if (e->explaining) explain(ctx, r);
    struct wn_report_at at = report_at(e);
    if (e->rep) wn_report_removal(e->rep, &at, r);
}

static void on_edit(void *ctx, const struct winnow_edit *ed)
{
    struct explain_ctx *e = ctx;
    if (ed->stage == WINNOW_STAGE_DOCUMENT) { /* a JSON Lines field's: the record's own */
        if (e->jsonl) return;
        e->doc_in += ed->offset;
        if (ed->offset && !e->doc_format) e->doc_format = ed->rule_id; /* a literal */
        return;
    }
    struct wn_report_at at = report_at(e);
    wn_report_edit(e->rep, &at, ed);
}

/* A document of the sidecar ends, followed by sep_in in the input and sep_out in the output
 * (which is written next). */
static void doc_ends(struct explain_ctx *e, const char *sep_in, size_t sep_in_len,
                     const char *sep_out, size_t sep_out_len)
{
    if (!e->rep) return;
    struct wn_report_at at = report_at(e);
    at.record = 0;
    at.id = NULL;
    const char *format = e->is_jsonl ? "jsonl" : e->doc_format ? e->doc_format : "text";
    wn_report_document(e->rep, &at, format, e->doc_in, e->out->written - e->out_mark, e->in_crc,
                       e->out->crc, sep_in, sep_in_len, sep_out, sep_out_len);
    e->rep_doc++;
    e->doc_in = 0;
    e->doc_format = NULL;
    e->out_mark = e->out->written + sep_out_len;
    e->in_crc = e->out->crc = 0;
    e->out->crc_skip = sep_out_len;
}

/* --OPTION=WORD for a fixed set of words. */
struct choice {
    const char *word;
    int value;
};

static int parse_choice(const char *option, const char *arg, const struct choice *choices)
{
    for (const struct choice *c = choices; c->word; c++)
        if (strcmp(arg, c->word) == 0) return c->value;
    char words[128] = "";
    for (const struct choice *c = choices; c->word; c++) {
        size_t used = strlen(words);
        snprintf(words + used, sizeof words - used, "%s%s",
                 c == choices ? ""
                 : !c[1].word ? " or "
                              : ", ",
                 c->word);
    }
    fprintf(stderr, "winnow: --%s takes %s, not '%s'\n", option, words, arg);
    fprintf(stderr, "Try 'winnow --help' for more information.\n");
    exit(2);
}

static long parse_count(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        fprintf(stderr, "winnow: --%s takes a whole number from %ld to %ld, not '%s'\n", opt, lo,
                hi, v);
        exit(2);
    }
    return n;
}

/* The piece of a document that ends the stream goes to winnow_filter_push_last. The caller's
 * winnow_filter_end_document after the stream then ends an empty document: it writes
 * nothing. */
static int push(winnow_filter *f, struct explain_ctx *ex, const char *buf, size_t len, int last)
{
    if (ex->rep) ex->in_crc = crc32(ex->in_crc, (const Bytef *)buf, (uInt)len);
    return last ? winnow_filter_push_last(f, buf, len) : winnow_filter_push(f, buf, len);
}

/* Feeds one input stream, ending a document at each separator: a line holding only a form
 * feed (kept in the output), or a NUL byte with -z. Returns 0, or -1 on a read error. */
/* The input buffer: the look at an input's start (see peek) and run_stream share it. */
static char buf[READ_CHUNK + 2];

/* Reads the start of an input into buf, until its first line is whole (or the buffer full, or
 * the input ends), so that its format can be told. Returns the bytes read, or -1. */
static ssize_t peek(struct wn_input *in)
{
    size_t have = 0;
    while (have < READ_CHUNK && !memchr(buf, '\n', have)) {
        ssize_t got = wn_input_read(in, buf + have, READ_CHUNK - have);
        if (got < 0 && got != -2 && errno == EINTR) continue;
        if (got < 0) return got;
        if (got == 0) break;
        have += (size_t)got;
    }
    return (ssize_t)have;
}

/* Where run_stream's documents go: text to the filter, separators to the output as they are. */
struct stream_sink {
    winnow_filter *f;
    struct explain_ctx *ex;
    struct output *out;
};

static int stream_text(void *ctx, const char *buf, size_t len, int last)
{
    struct stream_sink *k = ctx;
    return push(k->f, k->ex, buf, len, last);
}

static int stream_sep(void *ctx, const char *buf, size_t len)
{
    struct stream_sink *k = ctx;
    doc_ends(k->ex, buf, len, buf, len);
    stream_doc_begins(k->ex);
    return write_out(k->out, buf, len);
}

/* Returns 0, -1 on a read error (errno), -2 on bad compressed data (wn_input_error). */
static int run_stream(winnow_filter *f, struct wn_input *in, int nul_separated, struct output *out,
                      size_t have, struct explain_ctx *ex)
{
    size_t carry = 0; /* bytes kept from the last read: a possible "\f" line not yet ended */
    struct wn_split split = {nul_separated, 1};
    struct stream_sink sink = {f, ex, out};
    const struct wn_split_sink k = {stream_text, stream_sep, &sink};
    stream_doc_begins(ex);
    for (;;) {
        /* what peek read comes first, as a read would have */
        ssize_t got = have ? (ssize_t)have : wn_input_read(in, buf + carry, READ_CHUNK);
        if (got < 0) {
            if (got == -1 && errno == EINTR) continue;
            return (int)got;
        }
        int eof = got == 0;
        have = 0;
        /* a regular file says where it ends: its last bytes go to winnow_filter_push_last */
        int last = wn_input_left(in) == 0 && got > 0;
        long kept = wn_split_feed(&split, buf, carry + (size_t)got, eof, last, &k);
        if (kept < 0) return 0;
        carry = (size_t)kept;
        if (eof) break;
        /* A short read means the input is idle (a pipe fed slowly, tail -f): write out what
         * is settled now rather than when the buffer fills. Saturated input is not flushed. */
        if ((size_t)got < READ_CHUNK && fflush(out->fp) != 0 && !out->error) {
            out->error = errno ? errno : EIO;
            if (out->error == EPIPE) out->broken_pipe = 1;
            return 0;
        }
    }
    return 0;
}

/* ---- JSON Lines ---------------------------------------------------------------------------- */

/* One line of a JSON Lines input; what is not a record to clean is reported on stderr (a
 * blank line passes silently). */
static int jsonl_record(winnow_jsonl *j, const char *line, size_t n, const char *eol, size_t eollen,
                        struct explain_ctx *ex)
{
    ex->record++;
    ex->doc_in += n + eollen;
    if (ex->rep) {
        ex->in_crc = crc32(ex->in_crc, (const Bytef *)line, (uInt)n);
        ex->in_crc = crc32(ex->in_crc, (const Bytef *)eol, (uInt)eollen);
    }
    doc_begins(ex);
    /* a blank line (n bytes and then a '\n': see run_jsonl) is no record, and says nothing */
    int blank = strspn(line, " \t\r") >= n;
    int verdict = 0;
    int rc = winnow_jsonl_line(j, line, n, eol, eollen, &verdict);
    if (blank) return rc;
    if (verdict == WINNOW_JSONL_NOT_JSON)
        fprintf(stderr, "%s:%llu: not JSON\n", ex->file, ex->record);
    else if (verdict == WINNOW_JSONL_NO_FIELD)
        fprintf(stderr, "%s:%llu: no field \"%s\"\n", ex->file, ex->record, ex->field);
    else if (verdict == WINNOW_JSONL_NOT_STRING)
        fprintf(stderr, "%s:%llu: field \"%s\" is not a string\n", ex->file, ex->record, ex->field);
    return rc;
}

/* A JSON Lines input, line by line (a line as long as it comes: it is held whole), after the
 * `have` bytes peek read. Returns 0, -1 on a read error (errno), or a winnow status. */
static int run_jsonl(winnow_jsonl *j, struct wn_input *in, size_t have, struct explain_ctx *ex,
                     struct output *out)
{
    char *acc = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (int first = 1;; first = 0) {
        /* what peek read is the first block */
        ssize_t got = first && have ? (ssize_t)have : wn_input_read(in, buf, READ_CHUNK);
        if (got == -1 && errno == EINTR) continue;
        if (got <= 0) {
            rc = (int)got;
            break;
        }
        if (len + (size_t)got + 1 > cap) {
            size_t ncap = cap ? cap : 65536;
            while (ncap < len + (size_t)got + 1)
                ncap *= 2;
            char *g = realloc(acc, ncap);
            if (!g) {
                rc = WINNOW_ERR_NOMEM;
                break;
            }
            acc = g;
            cap = ncap;
        }
        memcpy(acc + len, buf, (size_t)got);
        len += (size_t)got;
        acc[len] = '\n'; /* a sentinel for strspn in jsonl_record, past the bytes */
        size_t pos = 0;
        char *nl;
        while (!rc && (nl = memchr(acc + pos, '\n', len - pos))) {
            size_t end = (size_t)(nl - acc), n = end - pos, cr = n && acc[end - 1] == '\r';
            rc = jsonl_record(j, acc + pos, n - cr, cr ? "\r\n" : "\n", 1 + cr, ex);
            pos = end + 1;
        }
        memmove(acc, acc + pos, len - pos);
        len -= pos;
        if (rc) break;
        if ((size_t)got < READ_CHUNK) fflush(out->fp); /* idle input: what is done goes out */
    }
    if (!rc && len) {
        acc[len] = '\n';
        rc = jsonl_record(j, acc, len, "", 0, ex); /* the last line, without its ending */
    }
    free(acc);
    return rc;
}

/* What it takes to make the JSON Lines cleaner when an input first needs one. */
struct jsonl_setup {
    winnow_rules *rules;
    const struct winnow_options *options; /* the field's format */
    const struct winnow_jsonl_options *jo;
    struct output *out;
    int mode; /* 1: every input is JSON Lines; 0: told by its start; -1: none is */
    int was;  /* the last input was JSON Lines */
    char err[256];
};

/* One input: JSON Lines when --format=jsonl says so or its start does (auto), else text or
 * HTML documents. Returns as run_stream or run_jsonl. */
static int run_input(winnow_filter *f, winnow_jsonl **jl, struct wn_input *in, int nul_separated,
                     struct jsonl_setup *js, struct explain_ctx *ex, struct output *out)
{
    ssize_t have = 0;
    int as_jsonl = js->mode > 0;
    if (js->mode == 0 && !nul_separated) {
        if ((have = peek(in)) < 0) return (int)have;
        as_jsonl = winnow_jsonl_detect(buf, (size_t)have);
    }
    js->was = ex->is_jsonl = as_jsonl;
    if (!as_jsonl) return run_stream(f, in, nul_separated, out, (size_t)have, ex);
    if (!*jl) {
        *jl = winnow_jsonl_new(js->rules, js->options, js->jo, write_out, js->out, js->err,
                               sizeof js->err);
        if (!*jl) return WINNOW_ERR_NOMEM;
    }
    ex->jsonl = *jl;
    ex->record = 0;
    int rc = run_jsonl(*jl, in, (size_t)have, ex, out);
    ex->jsonl = NULL;
    if (rc > 0 && !js->err[0]) snprintf(js->err, sizeof js->err, "out of memory");
    return rc;
}

/* A rule that gave up on lines (PCRE2's match limit) removed nothing there: say so once. */
static void warn_limits(const winnow_rules *rules)
{
    for (size_t i = 0, n = winnow_rules_count(rules); i < n; i++) {
        struct winnow_rule_info info;
        if (winnow_rules_get(rules, i, &info) != WINNOW_OK || !info.limit_hits) continue;
        fprintf(stderr,
                "winnow: warning: rule '%s' (%s) hit PCRE2's match limit on %lu line%s and "
                "removed nothing there: its pattern backtracks too much\n",
                info.id, info.origin, info.limit_hits, info.limit_hits == 1 ? "" : "s");
    }
}

static void list_rules(winnow_rules *rules)
{
    size_t n = winnow_rules_count(rules);
    for (size_t i = 0; i < n; i++) {
        struct winnow_rule_info info;
        winnow_rules_get(rules, i, &info);
        printf("%-28s %-18s %-10s %s%s\n", info.id, info.kind, info.langs, info.origin,
               info.enabled ? "" : " (disabled)");
        if (info.prefilter) printf("    prefilter: %s\n", info.prefilter);
    }
    /* the thresholds in force, as a [tune] block would set them */
    printf("\n[tune]\n");
    for (size_t i = 0; i < winnow_tune_count(); i++) {
        struct winnow_tune_info t;
        if (winnow_rules_tune_get(rules, i, &t) != WINNOW_OK) continue;
        printf("%s = %ld%s\n", t.name, t.value, t.value == t.def ? "" : "  # changed");
    }
}

/* --output PATH: written to a temporary file beside the file it replaces, which takes the mode
 * (and, where it may, the owner) of the file it replaces, or the mode a new file would get
 * under the umask; a symbolic link stays one, and the file it points to is replaced. */
static int open_output(struct output *o, const char *path)
{
    o->fp = stdout;
    o->last_byte = -1;
    if (!path) return 0;
    struct stat st;
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) real = realpath(path, NULL);
    const char *target = real ? real : path;
    size_t n = strlen(target);
    o->tmp_path = malloc(n + 16);
    char *final = malloc(n + 1);
    if (!o->tmp_path || !final) {
        free(real);
        free(final);
        return -1;
    }
    memcpy(final, target, n + 1);
    free(real);
    snprintf(o->tmp_path, n + 16, "%s.tmp.XXXXXX", final);
    int fd = mkstemp(o->tmp_path);
    if (fd < 0) {
        fprintf(stderr, "winnow: %s: %s\n", path, strerror(errno));
        free(final);
        return -1;
    }
    tmp_to_remove = o->tmp_path;
    if (stat(final, &st) == 0 && S_ISREG(st.st_mode)) {
        (void)fchmod(fd, st.st_mode & 07777);
        if (fchown(fd, st.st_uid, st.st_gid) != 0) { /* not ours to give: the mode stays */
        }
    } else {
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        close(fd);
        unlink(o->tmp_path);
        free(final);
        return -1;
    }
    o->final_path = final;
    /* a name that says so is written compressed (reading tells by the bytes, not the name) */
    size_t fl = strlen(final);
    enum wn_input_kind kind = fl > 3 && strcmp(final + fl - 3, ".gz") == 0    ? WN_INPUT_GZIP
                              : fl > 4 && strcmp(final + fl - 4, ".zst") == 0 ? WN_INPUT_ZSTD
                                                                              : WN_INPUT_PLAIN;
    if (kind != WN_INPUT_PLAIN && !(o->z = wn_zout_new(o->fp, kind))) return -1;
    return 0;
}

/* -i: FILE is written as --output FILE would write it (beside it, then renamed over it, its
 * mode and owner kept); with a suffix, FILE is first kept as FILE.SUFFIX (a hard link, so the
 * original bytes stay where they were; a copy where links are not to be had). */
static int open_in_place(struct output *o, const char *path, const char *suffix)
{
    if (suffix) {
        size_t n = strlen(path) + strlen(suffix) + 1;
        char *backup = malloc(n);
        if (!backup) return -1;
        snprintf(backup, n, "%s%s", path, suffix);
        unlink(backup); /* an older backup goes, as sed -i's does */
        int rc = linkat(AT_FDCWD, path, AT_FDCWD, backup, AT_SYMLINK_FOLLOW);
        if (rc != 0) {
            fprintf(stderr, "winnow: %s: cannot keep a backup: %s\n", backup, strerror(errno));
            free(backup);
            return -1;
        }
        free(backup);
    }
    return open_output(o, path);
}

/* After a rename, the folder's entry is made durable too. */
static void sync_folder(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return;
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : (*slash = 0, copy)) : ".";
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Closes the output; with --output, renames the finished file into place only when every
 * byte was written and synced, so a reader never sees half an article. */
static int close_output(struct output *o, int ok)
{
    int rc = 0;
    if (o->z) { /* the stream's end: its trailer */
        if (!o->error && wn_zout_finish(o->z) != 0) o->error = errno ? errno : EIO;
        wn_zout_free(o->z);
        o->z = NULL;
    }
    if (fflush(o->fp) != 0 && !o->error) o->error = errno;
    if (o->final_path) {
        if (!o->error && fsync(fileno(o->fp)) != 0) o->error = errno;
        if (fclose(o->fp) != 0 && !o->error) o->error = errno;
        if (ok && !o->error) {
            if (rename(o->tmp_path, o->final_path) != 0) {
                fprintf(stderr, "winnow: %s: %s\n", o->final_path, strerror(errno));
                unlink(o->tmp_path);
                rc = -1;
            } else {
                sync_folder(o->final_path);
            }
        } else {
            unlink(o->tmp_path);
        }
        tmp_to_remove = NULL;
        free((char *)o->final_path);
        o->final_path = NULL;
    }
    if (o->error && !o->broken_pipe) {
        fprintf(stderr, "winnow: write error: %s\n", strerror(o->error));
        rc = -1;
    }
    return rc;
}

/* The file standard output writes to, when it is a regular file (not with -o or -i, which
 * write a new file and rename it): an input that is that file, not read to its end, would be
 * read as it grows, as cat refuses too. */
static struct stat stdout_file;
static int stdout_is_file;

static int is_output(int fd)
{
    struct stat st;
    if (!stdout_is_file || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    off_t at = lseek(fd, 0, SEEK_CUR);
    return st.st_dev == stdout_file.st_dev && st.st_ino == stdout_file.st_ino &&
           (at < 0 || at < st.st_size);
}

/* What every file of a run shares (the filter, the outputs, the counts). */
struct session {
    winnow_filter *f;
    winnow_jsonl **jl;
    struct jsonl_setup *jsonl;
    struct explain_ctx *ex;
    struct output *out, *discard;
    int lint, nul_sep, in_place, nfiles;
    const char *backup_suffix;
    int status, errors;
    const winnow_rules *rules;
};

/* One input of the run, "-" for standard input. Returns -1 when the output failed (the run
 * stops), else 0 (what went wrong with this input is counted in s). */
static int process_file(struct session *s, const char *path)
{
    int fd = 0;
    s->ex->numbered = strcmp(path, "-") == 0;
    s->ex->doc_no = 0;
    if (strcmp(path, "-") == 0) {
        s->ex->file = "<stdin>";
    } else {
        s->ex->file = path;
        fd = open(path, O_RDONLY);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(fd);
            fd = -1;
            errno = EISDIR;
        }
        if (fd < 0) {
            fprintf(stderr, "winnow: %s: %s\n", path, strerror(errno));
            s->status = 2;
            s->errors++;
            return 0;
        }
    }
    if (fd >= 0 && is_output(fd)) { /* `winnow f >> f` would read what it writes, forever */
        fprintf(stderr, "winnow: %s: input file is output file\n", path);
        if (fd) close(fd);
        s->status = 2;
        s->errors++;
        return 0;
    }
    if (s->in_place && open_in_place(s->out, path, s->backup_suffix)) {
        close(fd);
        s->status = 2;
        s->errors++;
        return 0;
    }
    struct wn_input *in = wn_input_open(fd);
    s->ex->rep_doc = 0;
    s->ex->out = s->lint ? s->discard : s->out;
    s->ex->out_mark = s->ex->out->written;
    s->ex->in_crc = s->ex->out->crc = 0;
    s->ex->out->crc_skip = 0;
    /* lint writes no text: nor the separators that run_stream copies */
    int rc = in ? run_input(s->f, s->jl, in, s->nul_sep && fd == 0, s->jsonl, s->ex,
                            s->lint ? s->discard : s->out)
                : -1;
    int read_errno = errno;
    if (rc == -2) { /* bad compressed data: what the decoder said */
        fprintf(stderr, "winnow: %s: %s\n", path, wn_input_error(in));
        s->status = 2;
    }
    wn_input_close(in);
    if (fd) close(fd);
    if (rc == -2) {
        s->errors++;
    } else if (rc > 0) { /* a winnow status from the JSON Lines reader */
        if (rc != WINNOW_ERR_WRITE) fprintf(stderr, "winnow: %s: %s\n", path, s->jsonl->err);
        s->status = 2;
        s->errors++;
    } else if (rc) {
        fprintf(stderr, "winnow: %s: %s\n", path, strerror(read_errno));
        s->status = 2;
        s->errors++;
    }
    winnow_filter_end_document(s->f);
    /* several files to one output: each one's documents end with the separator line that
     * documents on standard input are split at (JSON Lines records need none) */
    int sep = s->nfiles > 1 && !s->lint && !rc && !s->jsonl->was && !s->out->error && !s->in_place;
    int nl = sep && s->out->last_byte >= 0 && s->out->last_byte != '\n';
    const char *sep_out = nl ? "\n\f\n" : "\f\n";
    doc_ends(s->ex, "", 0, sep_out, sep ? 2u + nl : 0);
    if (s->in_place) { /* renamed over the file only when all went well */
        if (close_output(s->out, rc == 0 && !s->out->error)) {
            s->status = 2;
            s->errors++;
        }
        free(s->out->tmp_path);
        *s->out = (struct output){.fp = stdout, .last_byte = -1, .crc_on = s->out->crc_on};
        return 0;
    }
    if (sep) write_out(s->out, sep_out, 2u + nl);
    return s->out->error || s->discard->error ? -1 : 0;
}

/* -j N (parallel.c): files cleaned N at once by worker processes (forked: the rules compiled
 * once, and nothing shared while they run); lint's findings come back as JSON and are said
 * again here, so that text, JSON, SARIF and the statistics are one run's. */

/* In a worker: one batch, to its stdout; the files that failed. */
static int clean_batch(void *ctx, char **paths, int count, int *out_errno)
{
    struct session *s = ctx;
    int errors = s->errors;
    progress.on = 0;
    tmp_to_remove = NULL;
    if (s->lint) s->ex->diag = wn_diag_new(stdout, WN_DIAG_JSON, s->rules);
    if (!s->in_place) *s->out = (struct output){.fp = stdout, .last_byte = -1};
    for (int i = 0; i < count; i++)
        if (process_file(s, paths[i]) < 0) break;
    if (s->lint && s->ex->diag) {
        wn_diag_finish(s->ex->diag, 0, stderr, 0);
        wn_diag_free(s->ex->diag);
        s->ex->diag = NULL;
    }
    *out_errno = s->in_place ? 0 : s->out->error;
    return s->errors - errors;
}

/* In the run, as a batch is given out: lint numbers its documents in argument order. */
static void batch_starting(void *ctx, int first, int count)
{
    struct session *s = ctx;
    (void)first;
    if (s->lint)
        for (int i = 0; i < count; i++)
            wn_diag_document(s->ex->diag);
}

/* lint: a worker's findings, one JSON object a line, said again in the run's diagnostics */
static void put_findings(struct session *s, FILE *written)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, written)) > 0) {
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        json_t *text = json_object_get(o, "text");
        json_t *id = json_object_get(o, "id");
        if (o && text) {
            s->ex->findings++;
            wn_diag_finding(
                s->ex->diag, json_string_value(json_object_get(o, "file")),
                (unsigned long long)json_integer_value(json_object_get(o, "line")),
                (size_t)json_integer_value(json_object_get(o, "column")),
                id ? json_string_value(id) : NULL,
                (unsigned long long)json_integer_value(json_object_get(o, "field_line")),
                json_string_value(json_object_get(o, "rule")), json_string_value(text),
                json_string_length(text));
        }
        json_decref(o);
    }
    free(line);
}

/* In the run, as a batch is done, in order: its output to ours (NULL: its worker wrote it). */
static int put_batch_output(void *ctx, FILE *written, int out_errno, int first, int count)
{
    struct session *s = ctx;
    if (out_errno && !s->out->error) { /* the worker's write to our output failed */
        s->out->error = out_errno;
        s->out->broken_pipe = out_errno == EPIPE;
    }
    if (s->lint && written) {
        put_findings(s, written);
    } else if (written && !s->out->error) {
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, written)) > 0)
            if (write_out(s->out, chunk, n)) break;
    }
    progress.file = first + count;
    progress.docs = (unsigned long long)(first + count);
    progress_show(0);
    return s->out->error ? -1 : 0;
}

static void run_parallel(struct session *s, char **paths, int n, long jobs)
{
    /* a worker's bytes go straight to the output only where they are the output's: plain text */
    FILE *direct = s->lint || s->in_place || s->out->z ? NULL : s->out->fp;
    struct wn_parallel p = {s, direct, clean_batch, batch_starting, put_batch_output};
    int failed = wn_parallel_run(&p, paths, n, jobs);
    if (failed) {
        s->status = 2;
        s->errors += failed;
    }
}

/* The inputs, with the folders lint walks: files below them (symbolic links not followed),
 * those --include lets in (any, when none is given) and --exclude does not keep out, both
 * glob patterns on the file's name; each folder's files sorted. */
struct walk {
    const char **include, **exclude;
    size_t n_include, n_exclude;
    char **paths;
    size_t n_paths, cap;
};
static struct walk *walking; /* for nftw's callback */

static int add_path(struct walk *w, const char *path)
{
    if (w->n_paths == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        char **g = realloc(w->paths, cap * sizeof *g);
        if (!g) return -1;
        w->paths = g;
        w->cap = cap;
    }
    if (!(w->paths[w->n_paths] = strdup(path))) return -1;
    w->n_paths++;
    return 0;
}

static int wanted(const struct walk *w, const char *path)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int in = w->n_include == 0;
    for (size_t i = 0; i < w->n_include && !in; i++)
        in = fnmatch(w->include[i], name, 0) == 0;
    for (size_t i = 0; i < w->n_exclude && in; i++)
        in = fnmatch(w->exclude[i], name, 0) != 0;
    return in;
}

static int on_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && S_ISREG(st->st_mode) && wanted(walking, path))
        return add_path(walking, path) ? -1 : 0;
    return 0;
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One argument: a file as it is; for lint, a folder's files. -1 (errno) when it cannot. */
static int add_input(struct walk *w, const char *arg, int lint)
{
    struct stat st;
    if (!lint || strcmp(arg, "-") == 0 || stat(arg, &st) != 0 || !S_ISDIR(st.st_mode))
        return add_path(w, arg);
    size_t from = w->n_paths;
    walking = w;
    if (nftw(arg, on_entry, 32, FTW_PHYS) != 0) return -1;
    qsort(w->paths + from, w->n_paths - from, sizeof *w->paths, path_cmp);
    return 0;
}

int main(int argc, char **argv)
{
    int explain_on = 0, trace_on = 0, lint = 0, nul_sep = 0, no_defaults = 0, list = 0;
    const char *output_path = NULL, *langs = NULL, *backup_suffix = NULL, *report_path = NULL;
    int in_place = 0; /* -i: each FILE cleaned in place (with backup_suffix, kept as FILE.SUFFIX) */
    int progress_opt = -1; /* --progress 1, --no-progress 0, -1: when stderr is a terminal */
    long parallel = sysconf(_SC_NPROCESSORS_ONLN); /* -j: files at once */
    const char **rule_files = calloc((size_t)argc + 1, sizeof *rule_files);
    const char **disabled = calloc((size_t)argc + 1, sizeof *disabled);
    const char **connect_to = calloc((size_t)argc + 1, sizeof *connect_to);
    size_t n_rule_files = 0, n_disabled = 0, n_connect = 0;
    struct winnow_options opt = {.size = sizeof(struct winnow_options)};
    struct winnow_jsonl_options jo = {.size = sizeof(struct winnow_jsonl_options)};
    int jsonl_mode = 0; /* 1: --format=jsonl; 0: auto (told by each input's start); -1: not */
    enum winnow_format field_format = WINNOW_FORMAT_TEXT;
    struct winnow_link_options lopt = {.size = sizeof(struct winnow_link_options)};
    int link_opts_used = 0;
    if (!rule_files || !disabled || !connect_to) {
        fprintf(stderr, "winnow: out of memory\n");
        return 2;
    }

    /* `winnow restore ...`: the input again, from an output and its report */
    if (argc > 1 && strcmp(argv[1], "restore") == 0) return wn_restore_main(argc - 1, argv + 1);
    /* `winnow lint ...` is `winnow --lint ...` */
    if (argc > 1 && strcmp(argv[1], "lint") == 0) {
        lint = 1;
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    enum wn_diag_format diag_format = WN_DIAG_TEXT;
    int stats = 0; /* 1: a table, 2: JSON */
    struct walk walk = {calloc((size_t)argc + 1, sizeof(char *)),
                        calloc((size_t)argc + 1, sizeof(char *)),
                        0,
                        0,
                        NULL,
                        0,
                        0};
    if (!walk.include || !walk.exclude) {
        fprintf(stderr, "winnow: out of memory\n");
        return 2;
    }
    int c;
    opterr = 0; /* our own messages, prefixed "winnow:" whatever argv[0] is */
    while ((c = getopt_long(argc, argv, ":eo:i::j:zrhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'e':
            explain_on = 1;
            break;
        case OPT_REPORT:
            report_path = optarg;
            break;
        case OPT_LINT:
            lint = 1;
            break;
        case OPT_DIAGNOSTICS: {
            static const struct choice formats[] = {{"text", WN_DIAG_TEXT},
                                                    {"json", WN_DIAG_JSON},
                                                    {"sarif", WN_DIAG_SARIF},
                                                    {NULL, 0}};
            diag_format = (enum wn_diag_format)parse_choice("diagnostics", optarg, formats);
            break;
        }
        case OPT_STATS: {
            static const struct choice formats[] = {{"text", 1}, {"json", 2}, {NULL, 0}};
            stats = optarg ? parse_choice("stats", optarg, formats) : 1;
            break;
        }
        case 'r':
            break; /* lint walks a folder it is given: -r says so, as grep's does */
        case OPT_INCLUDE:
            walk.include[walk.n_include++] = optarg;
            break;
        case OPT_EXCLUDE:
            walk.exclude[walk.n_exclude++] = optarg;
            break;
        case OPT_TRACE:
            trace_on = 1;
            break;
        case OPT_NO_PREFILTER:
            opt.no_prefilter = 1;
            break;
        case 'o':
            output_path = optarg;
            break;
        case 'j':
            parallel = parse_count("parallel", optarg, 1, WN_PARALLEL_MOST);
            break;
        case OPT_PROGRESS:
            progress_opt = 1;
            break;
        case OPT_NO_PROGRESS:
            progress_opt = 0;
            break;
        case OPT_MAX_REMOVAL: {
            char *end;
            errno = 0;
            opt.max_removal = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(opt.max_removal > 0 && opt.max_removal <= 1))
                die_usage("--max-removal takes a fraction above 0 and at most 1, not '%s'", optarg);
            break;
        }
        case 'i':
            in_place = 1;
            backup_suffix = optarg && *optarg ? optarg : NULL;
            break;
        case 'z':
            nul_sep = 1;
            break;
        case OPT_FORMAT: {
            static const struct choice formats[] = {{"auto", WINNOW_FORMAT_AUTO},
                                                    {"text", WINNOW_FORMAT_TEXT},
                                                    {"html", WINNOW_FORMAT_HTML},
                                                    {"jsonl", FORMAT_JSONL},
                                                    {NULL, 0}};
            int fmt = parse_choice("format", optarg, formats);
            jsonl_mode = fmt == FORMAT_JSONL ? 1 : fmt == WINNOW_FORMAT_AUTO ? 0 : -1;
            if (fmt != FORMAT_JSONL) opt.format = (enum winnow_format)fmt;
            break;
        }
        case OPT_FIELD_FORMAT: {
            static const struct choice formats[] = {
                {"text", WINNOW_FORMAT_TEXT}, {"html", WINNOW_FORMAT_HTML}, {NULL, 0}};
            field_format = (enum winnow_format)parse_choice("field-format", optarg, formats);
            break;
        }
        case OPT_FIELD:
            jo.field = optarg;
            break;
        case OPT_ID_FIELD:
            jo.id_field = optarg;
            break;
        case OPT_DROP_INVALID:
            jo.drop_invalid = 1;
            break;
        case OPT_RULES:
            rule_files[n_rule_files++] = optarg;
            break;
        case OPT_NO_DEFAULT:
            no_defaults = 1;
            break;
        case OPT_DISABLE:
            disabled[n_disabled++] = optarg;
            break;
        case OPT_LANG:
            langs = optarg;
            break;
        case OPT_LIST:
            list = 1;
            break;
        case OPT_EMBEDS: {
            static const struct choice embeds[] = {{"keep", 1}, {"strip", 0}, {NULL, 0}};
            opt.keep_embeds = parse_choice("embeds", optarg, embeds);
            break;
        }
        case OPT_LINKS: {
            static const struct choice links[] = {{"default", WINNOW_LINKS_DEFAULT},
                                                  {"keep", WINNOW_LINKS_KEEP},
                                                  {"strip", WINNOW_LINKS_STRIP},
                                                  {NULL, 0}};
            opt.links = (enum winnow_links_mode)parse_choice("links", optarg, links);
            break;
        }
        case OPT_RESOLVE:
            lopt.resolve = link_opts_used = 1;
            break;
        case OPT_OFFLINE:
            lopt.offline = link_opts_used = 1;
            break;
        case OPT_JOBS:
            lopt.jobs = (int)parse_count("jobs", optarg, 1, 1024);
            break;
        case OPT_PER_HOST:
            lopt.per_host = (int)parse_count("per-host", optarg, 1, 1024);
            break;
        case OPT_MAX_HOPS:
            lopt.max_hops = (int)parse_count("max-hops", optarg, 1, 50);
            break;
        case OPT_TIMEOUT:
            lopt.timeout_ms = parse_count("timeout", optarg, 1, 3600) * 1000;
            break;
        case OPT_FOLLOW_ALL:
            lopt.follow_all = 1;
            break;
        case OPT_ALLOW_PRIVATE:
            lopt.allow_private = 1;
            break;
        case OPT_STRIP_REFERRAL:
            lopt.strip_referral = link_opts_used = 1;
            break;
        case OPT_CACHE:
            lopt.cache_path = optarg;
            break;
        case OPT_NO_CACHE:
            lopt.no_cache = 1;
            break;
        case OPT_CACHE_PREFIX:
            lopt.cache_prefix = optarg;
            break;
        case OPT_CLEARURLS:
            lopt.clearurls = optarg;
            link_opts_used = 1;
            break;
        case OPT_CACERT:
            lopt.cacert = optarg;
            break;
        case OPT_CONNECT_TO:
            connect_to[n_connect++] = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            wn_print_versions(stdout);
            return 0;
        case ':':
            die_usage("option '%s' requires an argument", argv[optind - 1]);
            break;
        default:
            if (optopt) {
                char opt_text[2] = {(char)optopt, 0};
                die_usage("invalid option -- '%s'", opt_text);
            }
            die_usage("unrecognized option '%s'", argv[optind - 1]);
        }
    }
    if (lint && output_path) die_usage("%s", "--lint writes no text; it does not take --output");
    if (in_place && (lint || output_path))
        die_usage("%s", "-i writes each FILE in place: not with --lint or --output");
    if (in_place && optind == argc) die_usage("%s", "-i needs a FILE to clean in place");
    for (int i = optind; in_place && i < argc; i++)
        if (strcmp(argv[i], "-") == 0) die_usage("%s", "-i cannot clean standard input in place");
    if (link_opts_used) {
        lopt.connect_to = connect_to;
        opt.link_options = &lopt;
    }

    char err[512];
    winnow_rules *rules = winnow_rules_new();
    if (!rules) {
        fprintf(stderr, "winnow: out of memory\n");
        return 2;
    }
    if (!no_defaults && winnow_rules_load_defaults(rules, err, sizeof err) != WINNOW_OK) {
        fprintf(stderr, "winnow: built-in rules: %s\n", err);
        return 2;
    }
    for (size_t i = 0; i < n_rule_files; i++) {
        if (winnow_rules_load_file(rules, rule_files[i], err, sizeof err) != WINNOW_OK) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
    }
    for (size_t i = 0; i < n_disabled; i++) {
        if (winnow_rules_disable(rules, disabled[i]) != WINNOW_OK) {
            fprintf(stderr, "winnow: --disable: no rule has the id '%s' (see --list-rules)\n",
                    disabled[i]);
            return 2;
        }
    }
    if (langs) winnow_rules_restrict_languages(rules, langs);
    if (list) {
        list_rules(rules);
        winnow_rules_free(rules);
        return 0;
    }

    /* A closed pipe is an ordinary end for a filter: notice EPIPE on write, stop quietly. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, remove_tmp_and_die);
    signal(SIGTERM, remove_tmp_and_die);
    signal(SIGHUP, remove_tmp_and_die);
    struct output out = {0};
    if (open_output(&out, output_path)) return 2;
    stdout_is_file =
        !output_path && !in_place && fstat(1, &stdout_file) == 0 && S_ISREG(stdout_file.st_mode);
    static char outbuf[1 << 16];
    if (out.fp == stdout) setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    struct explain_ctx ex = {0};
    ex.file = "<stdin>";
    ex.to = lint ? stdout : stderr;
    ex.field = jo.field ? jo.field : "text";
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (lint && !(ex.diag = wn_diag_new(stdout, diag_format, rules))) {
        fprintf(stderr, "winnow: out of memory\n");
        return 2;
    }
    if (explain_on || lint) {
        opt.report = explain;
        opt.report_ctx = &ex;
    }
    if (report_path) { /* the removals go to the sidecar too, and the edits go there */
        if (!(ex.rep = wn_report_open(report_path, rules))) {
            fprintf(stderr, "winnow: %s: %s\n", report_path, strerror(errno));
            return 2;
        }
        ex.explaining = explain_on || lint;
        opt.report = on_removal;
        opt.report_ctx = &ex;
        opt.edit = on_edit;
        opt.edit_ctx = &ex;
    }
    if (trace_on) {
        opt.trace = trace_line;
        opt.trace_ctx = &ex;
    }
    struct output discard = {0};
    discard.fp = fopen("/dev/null", "wb");
    out.crc_on = discard.crc_on = ex.rep != NULL; /* the documents' CRC-32s, for the report */
    winnow_filter *f =
        winnow_filter_open(rules, &opt, write_out, lint ? (void *)&discard : &out, err, sizeof err);
    if (!f) {
        fprintf(stderr, "winnow: %s\n", err);
        winnow_rules_free(rules);
        if (discard.fp) fclose(discard.fp);
        close_output(&out, 0);
        free(out.tmp_path);
        free(rule_files);
        free(disabled);
        free(connect_to);
        return 2;
    }

    /* JSON Lines: a filter of its own for the field, made when an input first needs it */
    struct winnow_options field_opt = opt;
    field_opt.format = field_format;
    struct jsonl_setup jsonl = {rules, &field_opt, &jo, lint ? &discard : &out, jsonl_mode, 0, ""};
    winnow_jsonl *jl = NULL;
    int status = 0, errors = 0;
    /* the inputs: lint walks the folders it is given (files of the folder, sorted) */
    for (int i = optind; i < argc; i++)
        if (add_input(&walk, argv[i], lint)) {
            fprintf(stderr, "winnow: %s: %s\n", argv[i], strerror(errno));
            status = 2;
            errors++;
        }
    int nfiles = (int)walk.n_paths;
    if (argc - optind > 0 && !nfiles && !errors) {
        fprintf(stderr, "winnow: no input file (the folders hold none that --include and "
                        "--exclude let through)\n");
        status = 2;
    }
    /* progress: asked for, or a terminal watching a set of files or a large input */
    unsigned long long total = 0;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(walk.paths[i], "-") != 0 && stat(walk.paths[i], &st) == 0) total += st.st_size;
    }
    progress.on =
        progress_opt >= 0 ? progress_opt : isatty(2) && (nfiles > 1 || total > 64u * 1000 * 1000);
    progress.total = total;
    progress.files = nfiles;
    progress.f = f;
    progress.jl = &jl;
    clock_gettime(CLOCK_MONOTONIC, &progress.t0);
    struct session run = {f,       &jl,      &jsonl, &ex,           &out,   &discard, lint,
                          nul_sep, in_place, nfiles, backup_suffix, status, errors,   rules};
    int all = nfiles ? nfiles : argc - optind > 0 ? 0 : 1;
    if (parallel > 1 && nfiles > 1 && !nul_sep && !trace_on && !report_path)
        run_parallel(&run, walk.paths, nfiles, parallel);
    else
        for (int i = 0; i < all; i++) {
            progress.file = i + 1;
            if (process_file(&run, nfiles ? walk.paths[i] : "-") < 0) break;
        }
    status = run.status;
    errors = run.errors;
    progress_show(1);
    if (lint) { /* the SARIF log, the statistics, the summary: whatever failed */
        struct winnow_stats st = {0}, js = {0};
        winnow_filter_stats(f, &st);
        if (jl) winnow_filter_stats(winnow_jsonl_filter(jl), &js);
        wn_diag_bytes(ex.diag, st.bytes_in + js.bytes_in);
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fflush(stdout);
        wn_diag_finish(ex.diag, stats, stderr, secs);
        int inputs = nfiles ? nfiles : 1;
        fprintf(stderr, "winnow: %llu finding%s in %d file%s", ex.findings,
                ex.findings == 1 ? "" : "s", inputs, inputs == 1 ? "" : "s");
        if (errors) fprintf(stderr, "; %d could not be read", errors);
        fprintf(stderr, "\n");
        wn_diag_free(ex.diag);
    }
    warn_limits(rules);
    winnow_filter_free(f);
    winnow_jsonl_free(jl);
    winnow_rules_free(rules);
    if (discard.fp) fclose(discard.fp);
    if (close_output(&out, status == 0)) status = 2;
    if (ex.rep && wn_report_close(ex.rep, status == 0 || (lint && status == 1))) {
        fprintf(stderr, "winnow: %s: %s\n", report_path, strerror(errno));
        status = 2;
    }
    if (out.broken_pipe) {
        /* die as cat would, so the shell sees the usual SIGPIPE status */
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
    }
    if (lint && status == 0 && ex.findings) status = 1; /* errors (2) say more */
    free(walk.include);
    free(walk.exclude);
    for (size_t i = 0; i < walk.n_paths; i++)
        free(walk.paths[i]);
    free(walk.paths);
    free(out.tmp_path);
    free(rule_files);
    free(disabled);
    free(connect_to);
    return status;
}
