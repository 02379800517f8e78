/* rules.h: the rule set inside libwinnow: rules parsed from the rules files, compiled with PCRE2.
 * Other modules ask for the rules of one kind and match them; only rules.c knows the file format.
 */
#ifndef WN_RULES_H
#define WN_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

#include "prefilter.h"
#include "tune.h"
#include "winnow.h"

/* What the engine does with a match. The names are the `kind =` values in rules files. */
enum wn_kind {
    WN_KIND_DROP_LINE,         /* drop-line: the whole line goes, anywhere in the document */
    WN_KIND_HEADER_LIST,       /* header-list: the line and the headline list under it go */
    WN_KIND_FOOTER,            /* footer: goes only inside the footer zone at the end */
    WN_KIND_FOOTER_TITLE,      /* footer-title: a repeat of the title inside the footer zone */
    WN_KIND_CREDIT,            /* credit: always kept; ends a headline list */
    WN_KIND_EMBED_ATTRIBUTION, /* embed-attribution: the post above or before it goes too */
    WN_KIND_EMBED_START,       /* embed-start: opens an embed that an attribution closes */
    WN_KIND_EMBED_INTRO,       /* embed-intro: words that introduce a glued post ("tweeted:") */
    WN_KIND_CUT_SPAN,          /* cut-span: the matched span is cut out of the line */
    WN_KIND_SHORT_LINK,        /* short-link: a link cut (or resolved) inside the line */
    WN_KIND_SHORTENER,         /* shortener: host names that --resolve follows */
    WN_KIND_TRACKING_PARAM,    /* tracking-param: query keys stripped from kept URLs */
    WN_KIND_HTML_DROP_ELEMENT, /* html-drop-element: tag names whose subtree is dropped */
    WN_KIND_HTML_DROP_ATTR,    /* html-drop-attr: class/id/role values whose subtree goes */
    WN_KIND_HTML_EMBED_SRC,    /* html-embed-src: iframe/script src of social embeds */
    WN_KIND_HTML_EMBED_ATTR,   /* html-embed-attr: class/id values of social embeds */
    WN_KIND_EMBED_HEAD,        /* embed-head: opens a post directly above its attribution (a
                                  lone TikTok @handle); a take-back stops there, taking it */
    WN_KIND_LEARN,             /* learn: what a report says of a removal (its named groups) */
    WN_KIND_COUNT
};

/* Which class of removal a rule belongs to, for --embeds=keep and --links=keep. */
enum wn_class { WN_CLASS_OTHER, WN_CLASS_EMBED, WN_CLASS_LINK };

struct wn_rule {
    char *id;
    char *langs; /* comma-separated, or "*" */
    char *pattern;
    char *origin;  /* "file:line" */
    char *literal; /* optional prefilter: strings separated by '|'; a line holding none of
                      them (exactly, case and all) cannot match */
    enum wn_kind kind;
    enum wn_class cls;
    int enabled;
    int anchored;                  /* the pattern starts with ^: only tried at line start */
    unsigned char first_bytes[32]; /* line rules: bytes a match can start with (bitmap) */
    long span;             /* embed-attribution: longest post in characters; header-list: longest
                              headline in bytes */
    long items;            /* header-list: most headlines in one list */
    long item_words;       /* header-list: fewest words a headline of its list has (0: any) */
    char *item;            /* header-list: a pattern each line of its list matches whole, or NULL */
    pcre2_code *item_code; /* `item`, anchored at both ends: JIT code, for valid UTF-8 */
    pcre2_code *item_any;  /* the same for any bytes (MATCH_INVALID_UTF, interpreted) */
    int item_borrowed;     /* the two are an earlier rule's, with the same item (not freed) */
    long longest;          /* line rules: longest line (bytes, blanks trimmed) worth trying */
    long tail;             /* line rules: the literal lies in the line's last `tail` bytes */
    long head;             /* the literal lies in the first `head` bytes after leading blanks */
    long lookback;         /* embed-attribution: a match starts at most this many characters
                              before its literal, blanks not counted; 0: the limits.h window */
    const char **lits;     /* `literal` split at '|' */
    size_t *lit_lens, nlits;
    size_t *lit_rare; /* offset of each literal's rarest byte: memchr looks for that */
    /* Derived from the pattern at load time (prefilter.c), for the chunk scan (scan.c): */
    struct wn_pf_lit *pf_lits; /* a match holds one of these; none: nothing known */
    size_t pf_nlits;
    struct wn_pf_lit *pf_prefixes; /* anchored at a line's start: a match starts with one */
    size_t pf_nprefixes;
    struct wn_pf_lit *pf_suffixes; /* anchored at its end: a match ends with one */
    size_t pf_nsuffixes;
    char *pf_desc;        /* both, as --list-rules shows them */
    pcre2_code *code;     /* UTF, JIT-compiled: for subjects known to be valid UTF-8 */
    pcre2_code *code_any; /* UTF with MATCH_INVALID_UTF, interpreted: for any bytes */
    int jit;              /* `code` has JIT code */
    /* embed-attribution with one literal: the pattern from that literal on, anchored and
     * JIT-compiled (wn_prefilter_from_literal), NULL when it does not split there. A "(@"
     * where it fails closes no attribution: no search back from it is needed. */
    pcre2_code *from_literal;
    /* learn: the removals it reads (rule kinds or ids, comma-separated; NULL: all), the fields
     * it sets when it matches ("name=value,..."), and whether every match counts (all = 1: each
     * named group's values in a list) or the first */
    char *of, *set;
    long all;
    /* subjects this rule gave up on, PCRE2's match limit hit (it removes nothing there);
     * counted with relaxed atomics: filters in several threads share the set */
    unsigned long limit_hits;
};

const char *wn_kind_name(enum wn_kind kind);

/* Can a match of rule r hold its literal at `at` of s[0..n) (valid UTF-8)? 0 only when
 * rule->from_literal fails there; 1 when it matches or cannot be asked. */
int wn_rule_from_literal(const struct wn_rule *r, const char *s, size_t n, size_t at,
                         pcre2_match_data *md, pcre2_match_context *mctx);

/* Every rule of the set, enabled or not, in file order (the chunk scan's database depends on
 * the set alone, not on which rules a filter uses). */
size_t wn_rules_all(const winnow_rules *rules, const struct wn_rule **out);

/* Does the chunk scan look for this kind's rules? (line rules, attributions, cuts) */
int wn_kind_is_scanned(enum wn_kind kind);

/* Line rules match anchored at a line's first non-blank byte (compiled PCRE2_ANCHORED). */
int wn_kind_is_line_rule(enum wn_kind kind);

/* The enabled rules of one kind, in file order; valid until the set is freed. Compiles the set
 * first if needed (returns 0 rules on a compile error: call winnow_rules_compile to see it). */
size_t wn_rules_of_kind(winnow_rules *rules, enum wn_kind kind, const struct wn_rule ***out);

/* Appends the set's enabled rules of one kind to a growing array (*out, *n). -1: no memory. */
int wn_rules_append_kind(winnow_rules *rules, enum wn_kind kind, const struct wn_rule ***out,
                         size_t *n);

/* The value of a tunable in force for this set: the last [tune] block (or
 * winnow_rules_tune_set) that set it, else its default in tune.h. NULL rules: the default. */
long wn_rules_tune(const winnow_rules *rules, enum wn_tune t);

/* Makes the set read-only for good: the loaders, winnow_rules_disable,
 * winnow_rules_restrict_languages and winnow_rules_tune_set then refuse with
 * WINNOW_ERR_USAGE. winnow_filter_open calls it once the set is compiled, because a filter
 * (and its html, links and resolver stages) keeps pointers into the rule array and the per-kind
 * arrays, which loading more rules reallocates and disabling rebuilds. Safe to call from
 * several threads at once. */
void wn_rules_freeze(winnow_rules *rules);

/* Largest ovector any compiled pattern needs, for sizing match data. */
unsigned wn_rules_max_captures(const winnow_rules *rules);

/* Runs one rule on subject[0..len) from `start`. Returns 1 and the match bounds on a match,
 * 0 on none. Errors other than no-match (e.g. match limit) count as no match: a rule that
 * cannot decide never removes text. */
/* Does s[0..n) match the header-list rule's `item` pattern whole (1 when it has none)? */
int wn_rule_item_match(const struct wn_rule *rule, const char *s, size_t n);

int wn_rule_match(const struct wn_rule *rule, const char *subject, size_t len, size_t start,
                  pcre2_match_data *md, size_t *mstart, size_t *mend);

/* The same for a subject whose UTF-8 validity the caller knows (wn_utf8_valid): valid
 * subjects take the JIT, invalid ones the interpreter. `start` must be a character boundary. */
int wn_rule_match_utf(const struct wn_rule *rule, const char *subject, size_t len, size_t start,
                      int valid, pcre2_match_data *md, pcre2_match_context *mctx, size_t *mstart,
                      size_t *mend);

/* What the learn rules read in one removal's text (by rule `rule_id`, of `kind`, either may be
 * NULL): each named group that matched (and each `set` field) goes to fn as name and value;
 * `all` says the rule collects every match (a list). Returns the fields given. */
typedef void (*wn_learn_fn)(void *ctx, const char *name, const char *value, size_t len, int all);
size_t wn_rules_learn(const winnow_rules *rules, const char *rule_id, const char *kind,
                      const char *text, size_t len, wn_learn_fn fn, void *ctx);

/* Is s[0..n) valid UTF-8? */
int wn_utf8_valid(const char *s, size_t n);

/* The first offset >= from where one of the rule's literals occurs, or SIZE_MAX; `from` when
 * the rule has no literal. */
size_t wn_rule_literal_find(const struct wn_rule *rule, const char *s, size_t n, size_t from);

/* The rules/ files, compiled into the binary by the build (build/default_rules.c, made by
 * embed-rules.sh, which writes this struct again: the generated file includes no header). */
struct wn_embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct wn_embedded_file wn_default_rule_files[];
extern const size_t wn_default_rule_file_count;

#endif
