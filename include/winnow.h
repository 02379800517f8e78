/* winnow.h: the public interface of libwinnow, a streaming cleaner for scraped articles.
 * Make a rule set, make a filter over it, push bytes in, get clean bytes out through a callback. */
#ifndef WINNOW_H
#define WINNOW_H

#include <stddef.h>
#include <string.h> /* memset, for the inline winnow_*_init */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version and ABI ----------------------------------------------------------------------
 * The version is these three numbers, the one place it is written: WINNOW_VERSION is made from
 * them, and the Makefile reads them from here for the shared library's name and soname
 * (libwinnow.so.MAJOR) and for winnow.pc.
 *
 * The ABI promise, from 0.2.0 on: within one MAJOR version (one soname), a program built
 * against an older header runs with a newer libwinnow.so. Within a major version:
 * - no function is removed, and none changes its parameters, its return type or its meaning;
 * - the option structs callers fill (winnow_options, winnow_link_options,
 *   winnow_jsonl_options) start with `size`, set by winnow_*_init to the struct's size as the
 *   caller's header declares it; they grow only at their end, and the library reads only the
 *   members that lie within the caller's size (those past it take their zero defaults);
 * - the structs the library fills in a caller's memory (winnow_rule_info, winnow_tune_info,
 *   winnow_stats) do not change at all; new information comes through new functions;
 * - the structs handed to callbacks (winnow_removal, winnow_edit, winnow_trace) grow only at
 *   their end; a callback reads the members its header knows;
 * - enum values keep their numbers; new ones may be added (a caller handles a status, stage,
 *   verdict or format it does not know: winnow_strerror() names any status);
 * - a newer caller's option struct (size larger than this library's) is accepted when every
 *   byte this library does not know is zero; a member it does not know being set is refused
 *   (WINNOW_ERR_USAGE: "... does not know ..."), not silently ignored.
 * A size of 0 (a struct zero-initialised without winnow_*_init) is refused, WINNOW_ERR_USAGE
 * ("...size is 0: fill it with winnow_options_init()"). A NULL option pointer is still the
 * defaults. (A binding that cannot call the inline winnow_*_init sets size to the struct's
 * size as it lays the struct out.) Only the winnow_* functions below are exported by
 * libwinnow.so. */
#define WINNOW_VERSION_MAJOR 0
#define WINNOW_VERSION_MINOR 2
#define WINNOW_VERSION_PATCH 0
#define WINNOW_STRINGIFY_(x) #x
#define WINNOW_STRINGIFY(x) WINNOW_STRINGIFY_(x)
#define WINNOW_VERSION                                                                             \
    WINNOW_STRINGIFY(WINNOW_VERSION_MAJOR)                                                         \
    "." WINNOW_STRINGIFY(WINNOW_VERSION_MINOR) "." WINNOW_STRINGIFY(WINNOW_VERSION_PATCH)

/* What libwinnow.so exports (the library is built with -fvisibility=hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define WINNOW_API __attribute__((visibility("default")))
#else
#define WINNOW_API
#endif

/* The version of the library running, which may be newer than WINNOW_VERSION (the header's). */
WINNOW_API const char *winnow_version(void);

/* Status codes returned by the functions below. */
enum winnow_status {
    WINNOW_OK = 0,
    WINNOW_ERR_RULES = 1, /* a rules file or pattern is invalid */
    WINNOW_ERR_NOMEM = 2, /* out of memory */
    WINNOW_ERR_WRITE = 3, /* the write callback returned non-zero */
    WINNOW_ERR_USAGE = 4, /* a bad argument (unknown rule id, filter already finished...) */
    WINNOW_ERR_IO = 5     /* a file could not be read */
};

/* A status in a few words ("out of memory"); a static string, never NULL ("unknown status"
 * for a number that is none). */
WINNOW_API const char *winnow_strerror(int status);

/* ---- Rules ------------------------------------------------------------------------------ */

typedef struct winnow_rules winnow_rules;

/* Rule sets start empty. Load the built-in rules and/or rule files, then hand the set to
 * winnow_filter_new(), which compiles it; a set may serve any number of filters at once.
 *
 * A set is frozen once a filter is made over it: from then on the loaders,
 * winnow_rules_disable, winnow_rules_restrict_languages and winnow_rules_tune_set change
 * nothing and return WINNOW_ERR_USAGE (the loaders say "rule set is in use by a filter: make a
 * new set" in err). Filters keep pointers into the set's arrays, which loading reallocates and
 * disabling rebuilds; changing a set under a live filter was a use-after-free. Freezing lasts
 * until the set is freed, even after its filters are: for other settings, make a new set.
 *
 * To make filters over one set in several threads at once, make the first one (or call
 * winnow_rules_compile) before the threads start; after that the set is only read. */
WINNOW_API winnow_rules *winnow_rules_new(void);
WINNOW_API void winnow_rules_free(winnow_rules *rules);

/* Each loader returns WINNOW_OK or an error and writes "name:line: what is wrong" to err.
 * A buffer or file that fails to load sets none of its [tune] values. */
WINNOW_API int winnow_rules_load_defaults(winnow_rules *rules, char *err, size_t errlen);
WINNOW_API int winnow_rules_load_file(winnow_rules *rules, const char *path, char *err,
                                      size_t errlen);
WINNOW_API int winnow_rules_load_buffer(winnow_rules *rules, const char *name, const char *text,
                                        size_t len, char *err, size_t errlen);

/* Turns off every rule whose id is `id` (returns WINNOW_ERR_USAGE when none has it, or when
 * the set is frozen). */
WINNOW_API int winnow_rules_disable(winnow_rules *rules, const char *id);

/* Keeps only rules whose languages include one of `langs` (comma-separated, e.g. "en,de");
 * rules marked for every language ("*") always stay. WINNOW_ERR_USAGE on a frozen set. */
WINNOW_API int winnow_rules_restrict_languages(winnow_rules *rules, const char *langs);

/* Compiles every pattern; called by winnow_filter_new() but callable early to report errors. */
WINNOW_API int winnow_rules_compile(winnow_rules *rules, char *err, size_t errlen);

/* One rule as listed by --list-rules. Strings belong to the rule set. */
struct winnow_rule_info {
    const char *id;
    const char *kind;
    const char *langs;
    const char *pattern;
    const char *origin; /* "file:line" it was defined at */
    int enabled;
    /* What the chunk scan looks for, derived from the pattern: "starts P; ends S; holds L"
     * (starts: rules anchored at a line's start; ends: at its end), each "a|b|(?i)c" or
     * "(none)" (nothing known); NULL for kinds that are not scanned. */
    const char *prefilter;
    /* Subjects it gave up on so far, by all filters over the set: PCRE2's match limit hit (a
     * pattern such as (a+)+$ on a long line). It removes nothing there; winnow warns. */
    unsigned long limit_hits;
};
WINNOW_API size_t winnow_rules_count(const winnow_rules *rules);
WINNOW_API int winnow_rules_get(const winnow_rules *rules, size_t index,
                                struct winnow_rule_info *info);

/* Tunables: the named thresholds of detection (rules/README.md, "Tunables"), which a [tune]
 * block in a rules file sets ("post.link-chars = 23"); a later file may set one again, and the
 * last value wins. Strings are static. */
struct winnow_tune_info {
    const char *name; /* as a [tune] block spells it, e.g. "post.link-chars" */
    long value;       /* in force for this set: the default when nothing set it */
    long def, min, max;
    const char *doc; /* what it means, one sentence */
};

/* How many tunables there are; indexes run from 0 to this, exclusive. */
WINNOW_API size_t winnow_tune_count(void);

/* Describes tunable `index` as this set has it (rules may be NULL: the value is the default).
 * WINNOW_ERR_USAGE when index is out of range. */
WINNOW_API int winnow_rules_tune_get(const winnow_rules *rules, size_t index,
                                     struct winnow_tune_info *info);

/* Sets a tunable by name, as a [tune] block would. WINNOW_ERR_USAGE, changing nothing, for an
 * unknown name, a value outside [min, max], or a frozen set. */
WINNOW_API int winnow_rules_tune_set(winnow_rules *rules, const char *name, long value);

/* ---- Filter ----------------------------------------------------------------------------- */

typedef struct winnow_filter winnow_filter;

/* Receives clean output. Return 0 to go on, non-zero to stop the filter (e.g. EPIPE). */
typedef int (*winnow_write_fn)(void *ctx, const char *buf, size_t len);

/* One removal, as --explain reports it. `line` and `col` are 1-based positions in the current
 * document's input (col counts bytes); `text` is the removed text (not NUL-terminated). */
struct winnow_removal {
    unsigned long long line;
    size_t col;
    const char *rule_id;
    const char *text;
    size_t len;
    /* Where `text` stood, in bytes from the start of the document's input; for a link the
     * links stage changed, from the start of the text the rules left (stage LINKS below). */
    unsigned long long offset;
    int stage; /* a winnow_stage */
    /* The input's bytes it covers from offset: 0 means len (text). For a block an HTML page
     * dropped by its structure (an embed, a script, a share bar), the block's bytes in the
     * page, from its start tag's '<' to its end tag's '>', with text its text (white space
     * collapsed, at most 4 KiB) and line and col where it began in the page. For HTML, line
     * and col are places in the page, not in its text: a line's removal where its text began. */
    unsigned long long span;
};
typedef void (*winnow_report_fn)(void *ctx, const struct winnow_removal *removal);

/* ---- Lossless edits (--report, winnow restore) --------------------------------------------
 * Every byte in which a document's output differs from its input is in an edit: at `offset`
 * of the stage's input, raw[0..raw_len) stood, and out[0..out_len) took its place in the
 * stage's output. The stages run in order (TEXT, then LINKS; for JSON Lines, RECORD around
 * both): undoing LINKS' edits on the output, then TEXT's, gives the input back, byte for byte.
 * Unlike removals, edits hold whole lines (their blanks and their endings) and the blank lines
 * a removal took with it (rule "blank-gap"); a line changed by cuts is one edit. */
enum winnow_stage {
    WINNOW_STAGE_TEXT = 1, /* offsets in the document's input */
    WINNOW_STAGE_LINKS,    /* offsets in the text the rules left: what the links stage read */
    /* a JSON Lines line: offsets in the line. raw NULL: the field's value token stood there,
     * raw_len bytes of it, and is had back by undoing the field's TEXT and LINKS edits on the
     * value out[0..out_len) decodes to, then encoding it again as winnow_jsonl encodes */
    WINNOW_STAGE_RECORD,
    /* a document ended: offset is its input's length, rule_id its format ("text", "html");
     * no bytes. HTML documents have no other edits: their output is the page's text. */
    WINNOW_STAGE_DOCUMENT
};
struct winnow_edit {
    int stage;
    unsigned long long offset;
    const char *raw; /* not NUL-terminated */
    size_t raw_len;
    const char *out;
    size_t out_len;
    const char *rule_id;     /* what made it: a rule, "blank-gap", "jsonl-invalid" ... */
    unsigned long long line; /* the stage's line (1-based) where raw begins */
};
typedef void (*winnow_edit_fn)(void *ctx, const struct winnow_edit *edit);

/* Input formats. AUTO treats a document as HTML when it starts (after white space) with
 * "<!DOCTYPE html" or "<html", as text otherwise. */
enum winnow_format { WINNOW_FORMAT_AUTO = 0, WINNOW_FORMAT_TEXT, WINNOW_FORMAT_HTML };

/* What to do with short links (t.co, pic.twitter.com, and the shorteners in rules/). */
enum winnow_links_mode {
    WINNOW_LINKS_DEFAULT = 0, /* drop t.co/pic.twitter.com offline; resolve them with `resolve` */
    WINNOW_LINKS_KEEP,        /* --links=keep: leave every link alone */
    WINNOW_LINKS_STRIP        /* --links=strip: drop links that cannot be resolved */
};

/* Link resolution and URL cleaning (see README "Links"). winnow_link_options_init() fills the
 * defaults (and `size`); then set what differs. */
struct winnow_link_options {
    size_t size;                   /* sizeof the struct, as winnow_link_options_init sets it */
    int resolve;                   /* --resolve: replace short links by their destination */
    int offline;                   /* --offline: only the cache answers */
    int follow_all;                /* --follow-all: follow past the last known shortener */
    int allow_private;             /* --allow-private: let hops reach private addresses */
    int strip_referral;            /* --strip-referral: also ClearURLs referralMarketing rules */
    int no_cache;                  /* --no-cache */
    int jobs;                      /* --jobs, default 32 */
    int per_host;                  /* --per-host, default = jobs */
    int max_hops;                  /* --max-hops, default 5 */
    long timeout_ms;               /* --timeout, default 5000 */
    const char *cache_path;        /* --cache, default $XDG_CACHE_HOME/winnow/links.sqlite; or
                                    * redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or
                                    * unix:///PATH[?db=N] (password also from REDIS_PASSWORD) */
    const char *clearurls;         /* --clearurls FILE: a ClearURLs data.min.json */
    const char *cacert;            /* --cacert FILE */
    const char *const *connect_to; /* --connect-to HOST:PORT:ADDR:PORT, NULL-terminated */
    const char *cache_prefix;      /* --cache-prefix: Redis keys' namespace ("winnow:link:") */
};

/* One line's fate, as --trace shows it: what was seen of it (features), what the rules said
 * of it alone (label), and what context decided (decision and reason). Strings live for the
 * call only. */
struct winnow_trace {
    unsigned long long line; /* 1-based, in the current document */
    const char *decision;    /* "keep" or "drop" */
    const char *label;       /* text, blank, attribution, footer, list-header, ... */
    const char *rule_id;     /* the rule behind a drop, or NULL */
    const char *reason;      /* why, in a few words */
    const char *features;    /* "chars=120 post=120 indent=0 colon hashtags=1 ..." */
};
typedef void (*winnow_trace_fn)(void *ctx, const struct winnow_trace *trace);

/* Policy switches. winnow_options_init() fills the defaults (and `size`); then set what
 * differs. */
struct winnow_options {
    size_t size;     /* sizeof the struct, as winnow_options_init sets it (see "Version and ABI") */
    int keep_embeds; /* --embeds=keep: leave social embeds alone */
    enum winnow_links_mode links;
    enum winnow_format format;
    const struct winnow_link_options *link_options; /* NULL: no resolution, default cleaning */
    winnow_report_fn report;                        /* optional: called once per removal */
    void *report_ctx;
    winnow_trace_fn trace; /* optional: called once per input line of text, when it is settled */
    void *trace_ctx;
    /* --no-prefilter: no chunk scan and no rule's literal hints: every rule is tried on every
     * line. Slower, and the output is the same byte for byte (tests compare the two). */
    int no_prefilter;
    /* --max-removal: when more than this fraction of a document's bytes would go, it comes
     * out as it came, and one removal is reported, rule "doc-guard" (its text says how much);
     * 0: off. The filter then holds each document whole until it ends. Not for HTML. */
    double max_removal;
    winnow_edit_fn edit; /* optional: called once per edit (see "Lossless edits") */
    void *edit_ctx;
};

/* The defaults: every member zero, `size` the struct's size. These are inline, not library
 * functions, so that `size` is the size the caller's header gives the struct: an older
 * program's struct is smaller than a newer library's, and the library must not write (or
 * read) past it. */
static inline void winnow_options_init(struct winnow_options *options)
{
    memset(options, 0, sizeof *options); /* the padding too */
    options->size = sizeof *options;
}
static inline void winnow_link_options_init(struct winnow_link_options *options)
{
    memset(options, 0, sizeof *options); /* the padding too */
    options->size = sizeof *options;
}

/* Both make a filter over `rules` and freeze the set (see "Rules" above); the set must
 * outlive the filter. */
WINNOW_API winnow_filter *winnow_filter_new(winnow_rules *rules,
                                            const struct winnow_options *options,
                                            winnow_write_fn write, void *write_ctx);

/* The same, saying in err what went wrong when it returns NULL (e.g. an unreadable
 * --clearurls file). */
WINNOW_API winnow_filter *winnow_filter_open(winnow_rules *rules,
                                             const struct winnow_options *options,
                                             winnow_write_fn write, void *write_ctx, char *err,
                                             size_t errlen);

/* Feeds bytes of the current document; lines may be split anywhere. */
WINNOW_API int winnow_filter_push(winnow_filter *filter, const char *buf, size_t len);

/* Ends the current document: flushes every held line. The filter is then ready for the next
 * document (footers and titles are found per document). */
WINNOW_API int winnow_filter_end_document(winnow_filter *filter);

/* Feeds the last bytes of the current document and ends it: the same output as
 * winnow_filter_push then winnow_filter_end_document, faster, since the filter then knows
 * that nothing below the document's last lines can take them back (a whole document in one
 * call, or the piece before its end, is the common case). */
WINNOW_API int winnow_filter_push_last(winnow_filter *filter, const char *buf, size_t len);

/* One whole document buf[0..len) cleaned into memory: *out (len *out_len, NUL after it) is the
 * library's, free it with winnow_free. The filter's write callback is not called for it; reports
 * and edits go as for winnow_filter_push_last. For bindings and batch callers that want each
 * document's output in one piece, not in runs through a callback. *out is NULL on an error. */
WINNOW_API int winnow_filter_clean(winnow_filter *filter, const char *buf, size_t len, char **out,
                                   size_t *out_len);
WINNOW_API void winnow_free(void *p);

/* ---- JSON Lines ------------------------------------------------------------------------- */

/* One JSON object a line (JSON Lines, as corpora are kept): the string member `field` of each
 * is cleaned as one document by a filter of its own (options as for winnow_filter_new: their
 * format is the field's, text or HTML; their report callback hears the field's removals, its
 * lines numbered within the field). Every other byte of the line comes out as it came: the
 * cleaned value is spliced in where the old one stood, so members, their order, numbers and
 * escapes elsewhere are never re-encoded, and a record nothing is removed from comes out
 * byte for byte. A line that is not a JSON object, has no such member, or whose member is not
 * a string passes through as it came (or not at all, with drop_invalid), and its verdict says
 * so. */
typedef struct winnow_jsonl winnow_jsonl;

/* winnow_jsonl_options_init() fills the defaults (and `size`); then set what differs. */
struct winnow_jsonl_options {
    size_t size;          /* sizeof the struct, as winnow_jsonl_options_init sets it */
    const char *field;    /* NULL: "text" */
    const char *id_field; /* NULL: "id"; winnow_jsonl_id gives the record's */
    int drop_invalid;     /* lines that are not such records are dropped, not passed */
};
static inline void winnow_jsonl_options_init(struct winnow_jsonl_options *options)
{
    memset(options, 0, sizeof *options); /* the padding too */
    options->size = sizeof *options;
}

enum winnow_jsonl_verdict {
    WINNOW_JSONL_CLEANED = 1,
    WINNOW_JSONL_NOT_JSON,  /* not a JSON object */
    WINNOW_JSONL_NO_FIELD,  /* no member named field */
    WINNOW_JSONL_NOT_STRING /* the member is not a string */
};

WINNOW_API winnow_jsonl *winnow_jsonl_new(winnow_rules *rules, const struct winnow_options *options,
                                          const struct winnow_jsonl_options *jsonl_options,
                                          winnow_write_fn write, void *write_ctx, char *err,
                                          size_t errlen);

/* One record: line[0..len), without its line ending, which is written after it (eol may be
 * empty). *verdict (may be NULL) gets a winnow_jsonl_verdict. Returns a status. */
WINNOW_API int winnow_jsonl_line(winnow_jsonl *jsonl, const char *line, size_t len, const char *eol,
                                 size_t eollen, int *verdict);

/* The last record's id member, as text (a string's value, anything else as JSON), or NULL. */
WINNOW_API const char *winnow_jsonl_id(const winnow_jsonl *jsonl);

/* The filter that cleans the field (for winnow_filter_stats). */
WINNOW_API winnow_filter *winnow_jsonl_filter(winnow_jsonl *jsonl);

WINNOW_API void winnow_jsonl_free(winnow_jsonl *jsonl);

/* Does buf[0..len), the start of an input, hold JSON Lines? Its first non-blank byte is '{'
 * and its first line, whole in buf, is a JSON object. */
WINNOW_API int winnow_jsonl_detect(const char *buf, size_t len);

/* Lines and bytes removed so far, over all documents. */
struct winnow_stats {
    unsigned long long lines_in;
    unsigned long long lines_removed;
    unsigned long long spans_cut;
    unsigned long long bytes_in;
    unsigned long long bytes_out;
};
WINNOW_API void winnow_filter_stats(const winnow_filter *filter, struct winnow_stats *stats);

WINNOW_API void winnow_filter_free(winnow_filter *filter);

#ifdef __cplusplus
}
#endif
#endif
