/* rules.c: parses rules files (format in rules/README.md) and compiles their PCRE2 patterns.
 * Patterns are compiled as they are read, so a bad one is reported at its own file:line. */
#include "rules.h"
#include "limits.h"
#include "textfeat.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct winnow_rules {
    struct wn_rule *rules;
    size_t count, cap;
    /* Per-kind views, rebuilt when `dirty` (after loading or disabling). */
    const struct wn_rule **by_kind[WN_KIND_COUNT];
    size_t by_kind_count[WN_KIND_COUNT];
    int dirty;
    long tune[WN_TUNE_COUNT]; /* the value in force of each tunable */
    /* Set once a filter is made over the set (wn_rules_freeze). Atomic because filters over
     * one set may be made in several threads at once, each of them freezing it. */
    atomic_int frozen;
};

/* tune.h as a table, so that names, defaults and bounds are looked up, not repeated. */
static const struct tunable {
    const char *name;
    long def, min, max;
    const char *doc;
} tunables[WN_TUNE_COUNT] = {
#define WN_TUNE_ROW(e, name, def, min, max, doc) [WN_TUNE_##e] = {name, def, min, max, doc},
    WN_TUNABLES(WN_TUNE_ROW)
#undef WN_TUNE_ROW
};

/* A default outside its own bounds would be a value no [tune] block could set back. */
#define WN_TUNE_CHECK(e, name, def, min, max, doc)                                                 \
    _Static_assert((min) <= (def) && (def) <= (max), "tune.h: default of " name " out of bounds");
WN_TUNABLES(WN_TUNE_CHECK)
#undef WN_TUNE_CHECK

#define FROZEN_MSG "rule set is in use by a filter: make a new set"

static const char *const kind_names[WN_KIND_COUNT] = {
    [WN_KIND_DROP_LINE] = "drop-line",
    [WN_KIND_HEADER_LIST] = "header-list",
    [WN_KIND_FOOTER] = "footer",
    [WN_KIND_FOOTER_TITLE] = "footer-title",
    [WN_KIND_CREDIT] = "credit",
    [WN_KIND_EMBED_ATTRIBUTION] = "embed-attribution",
    [WN_KIND_EMBED_START] = "embed-start",
    [WN_KIND_EMBED_INTRO] = "embed-intro",
    [WN_KIND_CUT_SPAN] = "cut-span",
    [WN_KIND_SHORT_LINK] = "short-link",
    [WN_KIND_SHORTENER] = "shortener",
    [WN_KIND_TRACKING_PARAM] = "tracking-param",
    [WN_KIND_HTML_DROP_ELEMENT] = "html-drop-element",
    [WN_KIND_HTML_DROP_ATTR] = "html-drop-attr",
    [WN_KIND_HTML_EMBED_SRC] = "html-embed-src",
    [WN_KIND_HTML_EMBED_ATTR] = "html-embed-attr",
    [WN_KIND_EMBED_HEAD] = "embed-head",
    [WN_KIND_LEARN] = "learn",
};

int wn_kind_is_line_rule(enum wn_kind kind)
{
    return kind == WN_KIND_DROP_LINE || kind == WN_KIND_HEADER_LIST || kind == WN_KIND_FOOTER ||
           kind == WN_KIND_CREDIT || kind == WN_KIND_EMBED_START || kind == WN_KIND_EMBED_HEAD;
}

int wn_kind_is_scanned(enum wn_kind kind)
{
    return wn_kind_is_line_rule(kind) || kind == WN_KIND_EMBED_ATTRIBUTION ||
           kind == WN_KIND_CUT_SPAN || kind == WN_KIND_SHORT_LINK;
}

const char *wn_kind_name(enum wn_kind kind)
{
    return kind < WN_KIND_COUNT ? kind_names[kind] : "?";
}

winnow_rules *winnow_rules_new(void)
{
    winnow_rules *rules = calloc(1, sizeof(winnow_rules));
    if (!rules) return NULL;
    for (int t = 0; t < WN_TUNE_COUNT; t++)
        rules->tune[t] = tunables[t].def;
    atomic_init(&rules->frozen, 0);
    return rules;
}

void wn_rules_freeze(winnow_rules *rules)
{
    atomic_store(&rules->frozen, 1);
}

static int is_frozen(const winnow_rules *rules)
{
    return atomic_load(&((winnow_rules *)rules)->frozen);
}

static void rule_free(struct wn_rule *r)
{
    free(r->id);
    free(r->langs);
    free(r->pattern);
    free(r->origin);
    free(r->literal);
    free(r->lits);
    free(r->lit_lens);
    free(r->lit_rare);
    free(r->pf_lits);
    free(r->pf_prefixes);
    free(r->pf_suffixes);
    free(r->pf_desc);
    free(r->of);
    free(r->set);
    pcre2_code_free(r->code);
    pcre2_code_free(r->code_any);
    pcre2_code_free(r->from_literal);
    free(r->item);
    if (!r->item_borrowed) { /* else another rule's, freed with it */
        pcre2_code_free(r->item_code);
        pcre2_code_free(r->item_any);
    }
}

void winnow_rules_free(winnow_rules *rules)
{
    if (!rules) return;
    for (size_t i = 0; i < rules->count; i++)
        rule_free(&rules->rules[i]);
    for (int k = 0; k < WN_KIND_COUNT; k++)
        free(rules->by_kind[k]);
    free(rules->rules);
    free(rules);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char *dup_span(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static int valid_id(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-')) return 0;
    return 1;
}

static int parse_kind(const char *s, enum wn_kind *kind)
{
    for (int k = 0; k < WN_KIND_COUNT; k++)
        if (strcmp(s, kind_names[k]) == 0) {
            *kind = (enum wn_kind)k;
            return 1;
        }
    return 0;
}

/* Compiles one pattern; the caller reports failures with the rule's own position. */
static pcre2_code *compile_pattern(const char *pattern, uint32_t options, char *msg, size_t msglen,
                                   size_t *offset)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | options,
                                   &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(code, buf, sizeof buf);
        snprintf(msg, msglen, "%s", (char *)buf);
        *offset = off;
        return NULL;
    }
    /* JIT is a speed-up only; interpretation gives the same answers where it is missing. */
    if (!(options & PCRE2_MATCH_INVALID_UTF)) (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* Where a match of the rule starts at a line's first non-blank byte: the pattern from there on
 * (a line rule's whole pattern; one of another kind that begins "^" and a run of blanks, past
 * them), or NULL when it may start anywhere. Not "^a|b" (PCRE2 knows whether every branch is
 * anchored), nor past \h (it takes U+00A0 and other spaces the indent does not), nor past a
 * blank run quantified again ("\s*+", "[ \t]*?": what follows is no pattern of its own). */
static const char *anchored_body(const struct wn_rule *r)
{
    if (wn_kind_is_line_rule(r->kind)) return r->pattern;
    uint32_t options = 0;
    if (r->pattern[0] != '^' || pcre2_pattern_info(r->code, PCRE2_INFO_ALLOPTIONS, &options) != 0 ||
        !(options & PCRE2_ANCHORED))
        return NULL;
    static const char *const blanks[] = {"[ \\t]*", "\\s*", "[ \\t]+", "\\s+"};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        const char *rest = r->pattern + 1 + strlen(blanks[i]);
        if (strncmp(r->pattern + 1, blanks[i], strlen(blanks[i])) == 0 && !strchr("?+{", *rest))
            return rest;
    }
    return r->pattern + 1;
}

/* Is the pattern anchored at the line's end: a last "$" outside any group, and no "|" outside
 * one? Then *len is the length of what comes before that "$" and a run of blanks before it
 * (the scan compares a line's end with its trailing blanks trimmed). */
static int end_anchored(const char *p, size_t *len)
{
    size_t n = strlen(p), depth = 0;
    int in_class = 0, last_top_dollar = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        last_top_dollar = 0;
        if (c == '\\') {
            i++;
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = 0;
            continue;
        }
        if (c == '[') {
            in_class = 1;
            if (i + 1 < n && p[i + 1] == '^') i++;
            if (i + 1 < n && p[i + 1] == ']') i++; /* a ']' first is a member */
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (depth) depth--;
        } else if (c == '|' && depth == 0) {
            return 0;
        } else if (c == '$' && depth == 0) {
            last_top_dollar = 1;
        }
    }
    if (!last_top_dollar) return 0;
    n--;
    static const char *const blanks[] = {"\\s*", "[ \\t]*", "\\s+", "[ \\t]+", "\\h*"};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        size_t b = strlen(blanks[i]);
        if (n >= b && strncmp(p + n - b, blanks[i], b) == 0 && !(n > b && p[n - b - 1] == '\\')) {
            n -= b;
            break;
        }
    }
    *len = n;
    return 1;
}

/* The literals a match must hold and, for a line rule, the bytes it must start with: what the
 * chunk scan looks for. Literals shorter than 2 bytes would flag most lines: none then. */
static const struct wn_pf_cached *cached_prefilter(const struct wn_rule *r)
{
    for (size_t i = 0; i < wn_pf_cache_count; i++)
        if (wn_pf_cache[i].kind == (int)r->kind && strcmp(wn_pf_cache[i].pattern, r->pattern) == 0)
            return &wn_pf_cache[i];
    return NULL;
}

static struct wn_pf_lit *copy_set(const struct wn_pf_lit *l, size_t n)
{
    struct wn_pf_lit *c = malloc((n ? n : 1) * sizeof *c);
    if (c && n) memcpy(c, l, n * sizeof *c);
    return c;
}

/* Derives the three sets of the rule (or takes them from the build's cache). */
static int derive_sets(struct wn_rule *r, const char *anchored, int ends, size_t body)
{
    const struct wn_pf_cached *c = cached_prefilter(r);
    if (c) {
        r->pf_nlits = c->nlits;
        r->pf_nprefixes = c->nprefixes;
        r->pf_nsuffixes = c->nsuffixes;
        r->pf_lits = copy_set(c->lits, c->nlits);
        r->pf_prefixes = copy_set(c->prefixes, c->nprefixes);
        r->pf_suffixes = copy_set(c->suffixes, c->nsuffixes);
        return r->pf_lits && r->pf_prefixes && r->pf_suffixes ? 0 : -1;
    }
    struct wn_prefilter *pf = malloc(sizeof *pf);
    if (!pf) return -1;
    wn_prefilter_derive(r->pattern, 2, pf);
    r->pf_nlits = pf->n;
    r->pf_lits = copy_set(pf->lits, pf->n);
    pf->n = 0;
    if (anchored) {
        wn_prefilter_prefixes(anchored, WN_SCAN_PREFIX_LEN, pf);
        for (size_t i = 0; i < pf->n; i++) /* the scan compares after the indent */
            if (wn_is_blank((unsigned char)pf->lits[i].s[0])) pf->n = 0;
    }
    r->pf_nprefixes = pf->n;
    r->pf_prefixes = copy_set(pf->lits, pf->n);
    pf->n = 0;
    if (ends) {
        wn_prefilter_suffixes(r->pattern, body, WN_SCAN_PREFIX_LEN, pf);
        for (size_t i = 0; i < pf->n; i++) /* the scan compares before the trailing blanks */
            if (!pf->lits[i].len || wn_is_blank((unsigned char)pf->lits[i].s[pf->lits[i].len - 1]))
                pf->n = 0;
    }
    r->pf_nsuffixes = pf->n;
    r->pf_suffixes = copy_set(pf->lits, pf->n);
    free(pf);
    return r->pf_lits && r->pf_prefixes && r->pf_suffixes ? 0 : -1;
}

static void describe_set(const struct wn_pf_lit *l, size_t n, char *buf, size_t size)
{
    struct wn_prefilter *pf = malloc(sizeof *pf);
    if (!pf) {
        snprintf(buf, size, "?");
        return;
    }
    pf->n = n;
    memcpy(pf->lits, l, n * sizeof *l);
    wn_prefilter_describe(pf, buf, size);
    free(pf);
}

static int derive_prefilter(struct wn_rule *r)
{
    if (!wn_kind_is_scanned(r->kind)) return 0;
    const char *anchored = anchored_body(r);
    size_t body = 0;
    int ends = end_anchored(r->pattern, &body);
    if (derive_sets(r, anchored, ends, body)) return -1;
    char lits[200], pre[200], suf[200];
    describe_set(r->pf_lits, r->pf_nlits, lits, sizeof lits);
    describe_set(r->pf_prefixes, r->pf_nprefixes, pre, sizeof pre);
    describe_set(r->pf_suffixes, r->pf_nsuffixes, suf, sizeof suf);
    size_t need = strlen(lits) + strlen(pre) + strlen(suf) + 48;
    if (!(r->pf_desc = malloc(need))) return -1;
    snprintf(r->pf_desc, need, "%s%s%s%s%s%sholds %s", anchored ? "starts " : "",
             anchored ? pre : "", anchored ? "; " : "", ends ? "ends " : "", ends ? suf : "",
             ends ? "; " : "", lits);
    return 0;
}

/* Line rules are tried anchored at a line's first non-blank byte. PCRE2 knows which bytes a
 * match can begin with; the engine uses that to try only the few rules a line can start. */
static void compute_first_bytes(struct wn_rule *r)
{
    uint32_t type = 0;
    memset(r->first_bytes, 0xff, sizeof r->first_bytes);
    if (pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0) return;
    if (type == 1) {
        uint32_t unit = 0;
        pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODEUNIT, &unit);
        if (unit > 127) return; /* a caseless non-ASCII letter has other lead bytes */
        memset(r->first_bytes, 0, sizeof r->first_bytes);
        /* The first code unit may be caseless; allowing both cases is always safe. */
        unsigned char lo = (unsigned char)tolower((int)unit),
                      up = (unsigned char)toupper((int)unit);
        r->first_bytes[unit >> 3] |= (unsigned char)(1u << (unit & 7));
        r->first_bytes[lo >> 3] |= (unsigned char)(1u << (lo & 7));
        r->first_bytes[up >> 3] |= (unsigned char)(1u << (up & 7));
        return;
    }
    const uint8_t *map = NULL;
    if (pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTBITMAP, &map) == 0 && map)
        memcpy(r->first_bytes, map, sizeof r->first_bytes);
}

/* How common a byte is in article text, roughly per ten thousand bytes (English letter
 * frequencies; other bytes guessed). The literal search jumps with memchr to a literal's
 * rarest byte, so "(@" looks for '@' and "t.co/" for '/', not 't'. */
static int byte_commonness(unsigned char c)
{
    static const short lower[26] = {820, 150, 280, 430, 1270, 220, 200, 610, 700, 20,  80, 400, 240,
                                    670, 750, 190, 10,  600,  630, 910, 280, 100, 240, 20, 200, 10};
    if (c == ' ') return 1800;
    if (c >= 'a' && c <= 'z') return lower[c - 'a'];
    if (c >= 'A' && c <= 'Z') return lower[c - 'A'] / 10 + 1;
    if (c >= '0' && c <= '9') return 50;
    if (c == '.' || c == ',') return 100;
    if (c >= 0x80) return 400; /* UTF-8 bytes: common in every language but English */
    if (c == '@') return 2;
    return 10; /* ( / : and other punctuation */
}

/* "a|b|c" -> three literals, in place. */
static int split_literals(struct wn_rule *r)
{
    size_t n = 1;
    for (const char *p = r->literal; *p; p++)
        n += *p == '|';
    r->lits = calloc(n, sizeof *r->lits);
    r->lit_lens = calloc(n, sizeof *r->lit_lens);
    r->lit_rare = calloc(n, sizeof *r->lit_rare);
    if (!r->lits || !r->lit_lens || !r->lit_rare) return -1;
    for (char *p = r->literal; p;) {
        char *bar = strchr(p, '|');
        if (bar) *bar = 0;
        if (*p) {
            size_t len = strlen(p), rare = 0;
            for (size_t i = 1; i < len; i++)
                if (byte_commonness((unsigned char)p[i]) < byte_commonness((unsigned char)p[rare]))
                    rare = i;
            r->lits[r->nlits] = p;
            r->lit_rare[r->nlits] = rare;
            r->lit_lens[r->nlits++] = len;
        }
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* The keys a rule block takes, and the field each one sets. */
enum key_type { KEY_KIND, KEY_TEXT, KEY_NUMBER };
static const struct rule_key {
    const char *name;
    enum key_type type;
    size_t offset; /* of the field in struct wn_rule: char * for text, long for numbers */
} rule_keys[] = {
    {"kind", KEY_KIND, offsetof(struct wn_rule, kind)},
    {"pattern", KEY_TEXT, offsetof(struct wn_rule, pattern)},
    {"lang", KEY_TEXT, offsetof(struct wn_rule, langs)},
    {"literal", KEY_TEXT, offsetof(struct wn_rule, literal)},
    {"span", KEY_NUMBER, offsetof(struct wn_rule, span)},
    {"items", KEY_NUMBER, offsetof(struct wn_rule, items)},
    {"item-words", KEY_NUMBER, offsetof(struct wn_rule, item_words)},
    {"item", KEY_TEXT, offsetof(struct wn_rule, item)},
    {"longest", KEY_NUMBER, offsetof(struct wn_rule, longest)},
    {"tail", KEY_NUMBER, offsetof(struct wn_rule, tail)},
    {"head", KEY_NUMBER, offsetof(struct wn_rule, head)},
    {"lookback", KEY_NUMBER, offsetof(struct wn_rule, lookback)},
    {"of", KEY_TEXT, offsetof(struct wn_rule, of)},
    {"set", KEY_TEXT, offsetof(struct wn_rule, set)},
    {"all", KEY_NUMBER, offsetof(struct wn_rule, all)},
};
#define N_RULE_KEYS (sizeof rule_keys / sizeof rule_keys[0])
_Static_assert(N_RULE_KEYS <= 32, "pending_rule.seen has one bit per key");

/* A rule under construction while its block is read. */
struct pending_rule {
    struct wn_rule r;
    int have_kind;
    uint32_t seen; /* bit i: rule_keys[i] was given */
    unsigned long line_no;
    unsigned long pattern_line;
};

/* A header-list's item pattern, as the pattern is: JIT code for valid UTF-8, the interpreter
 * for any bytes. Rules that share one (the share prompts of every language) share its code:
 * compiling it once a rule cost a fifth of the start-up. */
static int compile_item(const winnow_rules *rules, struct wn_rule *r, char *msg, size_t msglen,
                        size_t *off)
{
    for (size_t i = 0; i < rules->count; i++) {
        const struct wn_rule *o = &rules->rules[i];
        if (o->item_code && !o->item_borrowed && strcmp(o->item, r->item) == 0) {
            r->item_code = o->item_code;
            r->item_any = o->item_any;
            r->item_borrowed = 1;
            return 0;
        }
    }
    uint32_t whole = PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    r->item_code = compile_pattern(r->item, whole, msg, msglen, off);
    if (r->item_code)
        r->item_any = compile_pattern(r->item, whole | PCRE2_MATCH_INVALID_UTF, msg, msglen, off);
    return !r->item_code || !r->item_any;
}

/* The attribution's pattern from its literal on (rules.h), when it splits there; compiled as
 * the whole is but anchored. A pattern that does not split, or a tail PCRE2 refuses, only
 * costs the search back from every literal. */
static int compile_from_literal(struct wn_rule *r)
{
    if (r->nlits != 1) return 0;
    size_t opts, at = wn_prefilter_from_literal(r->pattern, r->lits[0], r->lit_lens[0], &opts);
    if (at == SIZE_MAX) return 0;
    size_t tail = strlen(r->pattern + at);
    char *text = malloc(opts + tail + 1);
    if (!text) return -1;
    memcpy(text, r->pattern, opts);
    memcpy(text + opts, r->pattern + at, tail + 1);
    char msg[256];
    size_t off;
    /* no start-up optimisation: its search ahead for a required character (the ")" after a
     * handle) would cost a pass over the window on every "(@" that fails at once */
    r->from_literal =
        compile_pattern(text, PCRE2_ANCHORED | PCRE2_NO_START_OPTIMIZE, msg, sizeof msg, &off);
    free(text);
    return 0;
}

int wn_rule_from_literal(const struct wn_rule *r, const char *s, size_t n, size_t at,
                         pcre2_match_data *md, pcre2_match_context *mctx)
{
    if (!r->from_literal) return 1;
    int rc = pcre2_jit_match(r->from_literal, (PCRE2_SPTR)s, n, at, 0, md, mctx);
    if (rc == PCRE2_ERROR_JIT_BADOPTION) /* no JIT code: interpreted */
        rc = pcre2_match(r->from_literal, (PCRE2_SPTR)s, n, at, PCRE2_NO_UTF_CHECK, md, mctx);
    return rc != PCRE2_ERROR_NOMATCH; /* a limit hit (JIT stack, heap) tells nothing */
}

static int push_rule(winnow_rules *rules, struct pending_rule *p, const char *name, char *err,
                     size_t errlen)
{
    struct wn_rule *r = &p->r;
    if (!p->have_kind) {
        set_err(err, errlen, "%s:%lu: rule '%s' has no kind", name, p->line_no, r->id);
        return WINNOW_ERR_RULES;
    }
    if (!r->pattern) {
        set_err(err, errlen, "%s:%lu: rule '%s' has no pattern", name, p->line_no, r->id);
        return WINNOW_ERR_RULES;
    }
    if (!r->langs && !(r->langs = dup_span("*", 1))) return WINNOW_ERR_NOMEM;
    if ((r->of || r->set || r->all) && r->kind != WN_KIND_LEARN) {
        set_err(err, errlen, "%s:%lu: rule '%s': 'of', 'set' and 'all' are for learn rules", name,
                p->line_no, r->id);
        return WINNOW_ERR_RULES;
    }
    char msg[256];
    size_t off = 0;
    /* Line rules are tried anchored at a line's first non-blank byte. Anchoring at compile
     * time rather than per match keeps them on the JIT, which ignores match-time anchoring. */
    uint32_t anchor = wn_kind_is_line_rule(r->kind) ? PCRE2_ANCHORED : 0;
    r->code = compile_pattern(r->pattern, anchor, msg, sizeof msg, &off);
    /* Scraped text is not always valid UTF-8 and must pass through; lines that are not get
     * the interpreter in MATCH_INVALID_UTF mode. Not the JIT in that mode: PCRE2 10.42's JIT
     * fails \S and \D on multi-byte characters there (tests/unit/test_engine.c, Russian). */
    if (r->code) {
        size_t jit_size = 0;
        r->jit = pcre2_pattern_info(r->code, PCRE2_INFO_JITSIZE, &jit_size) == 0 && jit_size > 0;
    }
    if (r->code)
        r->code_any =
            compile_pattern(r->pattern, anchor | PCRE2_MATCH_INVALID_UTF, msg, sizeof msg, &off);
    if (!r->code || !r->code_any) {
        set_err(err, errlen, "%s:%lu: rule '%s': bad pattern at offset %zu: %s", name,
                p->pattern_line, r->id, off, msg);
        return WINNOW_ERR_RULES;
    }
    if (r->item && r->kind != WN_KIND_HEADER_LIST) {
        set_err(err, errlen, "%s:%lu: rule '%s': 'item' is for header-list rules", name, p->line_no,
                r->id);
        return WINNOW_ERR_RULES;
    }
    if (r->item && compile_item(rules, r, msg, sizeof msg, &off)) {
        set_err(err, errlen, "%s:%lu: rule '%s': bad item pattern at offset %zu: %s", name,
                p->line_no, r->id, off, msg);
        return WINNOW_ERR_RULES;
    }
    if (r->literal && split_literals(r)) return WINNOW_ERR_NOMEM;
    r->anchored = r->pattern[0] == '^';
    compute_first_bytes(r);
    if (derive_prefilter(r)) return WINNOW_ERR_NOMEM;
    if (r->kind == WN_KIND_EMBED_ATTRIBUTION && compile_from_literal(r)) return WINNOW_ERR_NOMEM;
    char origin[512];
    snprintf(origin, sizeof origin, "%s:%lu", name, p->line_no);
    if (!(r->origin = dup_span(origin, strlen(origin)))) return WINNOW_ERR_NOMEM;
    if (rules->count == rules->cap) {
        size_t cap = rules->cap ? rules->cap * 2 : 64;
        struct wn_rule *n = realloc(rules->rules, cap * sizeof *n);
        if (!n) return WINNOW_ERR_NOMEM;
        rules->rules = n;
        rules->cap = cap;
    }
    r->enabled = 1;
    switch (r->kind) {
    case WN_KIND_EMBED_ATTRIBUTION:
    case WN_KIND_EMBED_START:
    case WN_KIND_EMBED_INTRO:
    case WN_KIND_EMBED_HEAD:
    case WN_KIND_HTML_EMBED_SRC:
    case WN_KIND_HTML_EMBED_ATTR:
        r->cls = WN_CLASS_EMBED;
        break;
    case WN_KIND_SHORT_LINK:
        r->cls = WN_CLASS_LINK;
        break;
    default:
        r->cls = WN_CLASS_OTHER;
    }
    if (r->kind == WN_KIND_EMBED_ATTRIBUTION && r->span <= 0) r->span = 300;
    if (r->kind == WN_KIND_HEADER_LIST) {
        if (r->span <= 0) r->span = 200;
        if (r->items <= 0) r->items = 12;
    }
    rules->rules[rules->count++] = *r;
    memset(p, 0, sizeof *p);
    rules->dirty = 1;
    return WINNOW_OK;
}

/* A whole decimal number in [min, max], and nothing else. */
static int parse_number(const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) return 0;
    *out = n;
    return 1;
}

/* One `key = value` line of a rule block. Takes `val`. */
static int rule_setting(struct pending_rule *p, const char *key, char *val, const char *name,
                        unsigned long line_no, char *err, size_t errlen)
{
    size_t i = 0;
    while (i < N_RULE_KEYS && strcmp(key, rule_keys[i].name) != 0)
        i++;
    if (i == N_RULE_KEYS) {
        set_err(err, errlen, "%s:%lu: unknown key '%s'", name, line_no, key);
        free(val);
        return WINNOW_ERR_RULES;
    }
    /* Every key, numbers included: a repeat is a slip (an edit that forgot the line above),
     * and silently keeping either value hides it. */
    if (p->seen & (1u << i)) {
        set_err(err, errlen, "%s:%lu: '%s' given twice in rule '%s'", name, line_no, key, p->r.id);
        free(val);
        return WINNOW_ERR_RULES;
    }
    p->seen |= 1u << i;
    const struct rule_key *k = &rule_keys[i];
    char *field = (char *)&p->r + k->offset;
    int rc = WINNOW_OK;
    switch (k->type) {
    case KEY_KIND:
        if (!parse_kind(val, (enum wn_kind *)(void *)field)) {
            set_err(err, errlen, "%s:%lu: unknown kind '%s' (see rules/README.md)", name, line_no,
                    val);
            rc = WINNOW_ERR_RULES;
        }
        p->have_kind = 1;
        break;
    case KEY_NUMBER:
        if (!parse_number(val, 1, 1000000, (long *)(void *)field)) {
            set_err(err, errlen, "%s:%lu: '%s' takes a positive number", name, line_no, key);
            rc = WINNOW_ERR_RULES;
        }
        break;
    case KEY_TEXT:
        if (k->offset == offsetof(struct wn_rule, pattern)) p->pattern_line = line_no;
        *(char **)(void *)field = val;
        return WINNOW_OK;
    }
    free(val);
    return rc;
}

/* Tunables read from one buffer, applied to the set only when all of it loads, so that a file
 * with an error changes no threshold. */
struct pending_tune {
    long value[WN_TUNE_COUNT];
    unsigned char set[WN_TUNE_COUNT];      /* given somewhere in this buffer */
    unsigned char in_block[WN_TUNE_COUNT]; /* given in the current [tune] block */
};

/* One `name = value` line of a [tune] block. */
static int tune_setting(struct pending_tune *t, const char *key, const char *val, const char *name,
                        unsigned long line_no, char *err, size_t errlen)
{
    int i = 0;
    while (i < WN_TUNE_COUNT && strcmp(key, tunables[i].name) != 0)
        i++;
    if (i == WN_TUNE_COUNT) {
        set_err(err, errlen, "%s:%lu: unknown tunable '%s' (see rules/README.md)", name, line_no,
                key);
        return WINNOW_ERR_RULES;
    }
    if (t->in_block[i]) {
        set_err(err, errlen, "%s:%lu: '%s' given twice in [tune]", name, line_no, key);
        return WINNOW_ERR_RULES;
    }
    if (!parse_number(val, tunables[i].min, tunables[i].max, &t->value[i])) {
        set_err(err, errlen, "%s:%lu: '%s' takes a whole number from %ld to %ld", name, line_no,
                key, tunables[i].min, tunables[i].max);
        return WINNOW_ERR_RULES;
    }
    t->in_block[i] = t->set[i] = 1;
    return WINNOW_OK;
}

int winnow_rules_load_buffer(winnow_rules *rules, const char *name, const char *text, size_t len,
                             char *err, size_t errlen)
{
    if (is_frozen(rules)) {
        set_err(err, errlen, FROZEN_MSG);
        return WINNOW_ERR_USAGE;
    }
    struct pending_rule p;
    struct pending_tune tune;
    enum { OUTSIDE, IN_RULE, IN_TUNE } block = OUTSIDE;
    int rc = WINNOW_OK;
    unsigned long line_no = 0;
    memset(&p, 0, sizeof p);
    memset(&tune, 0, sizeof tune);
    const char *pos = text, *end = text + len;
    while (pos < end && rc == WINNOW_OK) {
        const char *nl = memchr(pos, '\n', (size_t)(end - pos));
        const char *eol = nl ? nl : end;
        line_no++;
        const char *a = pos, *b = eol;
        pos = nl ? nl + 1 : end;
        if (memchr(a, 0, (size_t)(b - a))) {
            set_err(err, errlen, "%s:%lu: NUL byte in rules file", name, line_no);
            rc = WINNOW_ERR_RULES;
            break;
        }
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (a == b || *a == '#') continue;
        if (*a == '[') {
            if (b[-1] != ']' || b - a < 3) {
                set_err(err, errlen, "%s:%lu: a rule header is [rule-id]", name, line_no);
                rc = WINNOW_ERR_RULES;
                break;
            }
            if (block == IN_RULE && (rc = push_rule(rules, &p, name, err, errlen)) != WINNOW_OK)
                break;
            block = OUTSIDE;
            /* [tune] is reserved: the thresholds of tune.h, not a rule. */
            if (b - a == 6 && memcmp(a, "[tune]", 6) == 0) {
                memset(tune.in_block, 0, sizeof tune.in_block);
                block = IN_TUNE;
                continue;
            }
            char *id = dup_span(a + 1, (size_t)(b - a - 2));
            if (!id) return WINNOW_ERR_NOMEM;
            if (!valid_id(id)) {
                set_err(err, errlen,
                        "%s:%lu: rule id '%s' must be lower-case letters, digits and '-'", name,
                        line_no, id);
                free(id);
                rc = WINNOW_ERR_RULES;
                break;
            }
            p.r.id = id;
            p.line_no = line_no;
            block = IN_RULE;
            continue;
        }
        const char *eq = memchr(a, '=', (size_t)(b - a));
        if (!eq) {
            set_err(err, errlen, "%s:%lu: expected 'key = value' or '[rule-id]'", name, line_no);
            rc = WINNOW_ERR_RULES;
            break;
        }
        if (block == OUTSIDE) {
            set_err(err, errlen, "%s:%lu: setting outside a rule (start one with [rule-id])", name,
                    line_no);
            rc = WINNOW_ERR_RULES;
            break;
        }
        const char *ke = eq, *vs = eq + 1;
        while (ke > a && isspace((unsigned char)ke[-1]))
            ke--;
        while (vs < b && isspace((unsigned char)*vs))
            vs++;
        if (ke == a) {
            set_err(err, errlen, "%s:%lu: bad key", name, line_no);
            rc = WINNOW_ERR_RULES;
            break;
        }
        char *key = dup_span(a, (size_t)(ke - a));
        char *val = dup_span(vs, (size_t)(b - vs));
        if (!key || !val) {
            free(key);
            free(val);
            rc = WINNOW_ERR_NOMEM;
            break;
        }
        if (!*val) {
            set_err(err, errlen, "%s:%lu: '%s' has no value", name, line_no, key);
            free(val);
            rc = WINNOW_ERR_RULES;
        } else if (block == IN_TUNE) {
            rc = tune_setting(&tune, key, val, name, line_no, err, errlen);
            free(val);
        } else {
            rc = rule_setting(&p, key, val, name, line_no, err, errlen);
        }
        free(key);
    }
    if (rc == WINNOW_OK && block == IN_RULE) rc = push_rule(rules, &p, name, err, errlen);
    if (rc != WINNOW_OK) {
        rule_free(&p.r);
        return rc;
    }
    for (int t = 0; t < WN_TUNE_COUNT; t++)
        if (tune.set[t]) rules->tune[t] = tune.value[t];
    return WINNOW_OK;
}

int winnow_rules_load_file(winnow_rules *rules, const char *path, char *err, size_t errlen)
{
    if (is_frozen(rules)) {
        set_err(err, errlen, FROZEN_MSG);
        return WINNOW_ERR_USAGE;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return WINNOW_ERR_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > (64u << 20)) {
                set_err(err, errlen, "%s: rules file larger than 64 MiB", path);
                free(buf);
                fclose(f);
                return WINNOW_ERR_RULES;
            }
            char *n = realloc(buf, cap);
            if (!n) {
                free(buf);
                fclose(f);
                return WINNOW_ERR_NOMEM;
            }
            buf = n;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        set_err(err, errlen, "%s: read error", path);
        free(buf);
        return WINNOW_ERR_IO;
    }
    int rc = winnow_rules_load_buffer(rules, path, buf, len, err, errlen);
    free(buf);
    return rc;
}

int winnow_rules_load_defaults(winnow_rules *rules, char *err, size_t errlen)
{
    if (is_frozen(rules)) {
        set_err(err, errlen, FROZEN_MSG);
        return WINNOW_ERR_USAGE;
    }
    for (size_t i = 0; i < wn_default_rule_file_count; i++) {
        const struct wn_embedded_file *f = &wn_default_rule_files[i];
        int rc = winnow_rules_load_buffer(rules, f->name, f->data, f->len, err, errlen);
        if (rc != WINNOW_OK) return rc;
    }
    return WINNOW_OK;
}

int winnow_rules_disable(winnow_rules *rules, const char *id)
{
    if (is_frozen(rules)) return WINNOW_ERR_USAGE;
    int found = 0;
    for (size_t i = 0; i < rules->count; i++)
        if (strcmp(rules->rules[i].id, id) == 0) {
            rules->rules[i].enabled = 0;
            found = 1;
        }
    rules->dirty = 1;
    return found ? WINNOW_OK : WINNOW_ERR_USAGE;
}

/* True when the comma-separated list `have` names a language in the list `want`. */
static int langs_overlap(const char *have, const char *want)
{
    if (strcmp(have, "*") == 0) return 1;
    for (const char *h = have; *h;) {
        size_t hl = strcspn(h, ",");
        for (const char *w = want; *w;) {
            size_t wl = strcspn(w, ",");
            if (hl == wl && strncmp(h, w, hl) == 0) return 1;
            w += wl;
            if (*w) w++;
        }
        h += hl;
        if (*h) h++;
    }
    return 0;
}

int winnow_rules_restrict_languages(winnow_rules *rules, const char *langs)
{
    if (is_frozen(rules)) return WINNOW_ERR_USAGE;
    for (size_t i = 0; i < rules->count; i++)
        if (!langs_overlap(rules->rules[i].langs, langs)) rules->rules[i].enabled = 0;
    rules->dirty = 1;
    return WINNOW_OK;
}

static int rebuild(winnow_rules *rules)
{
    for (int k = 0; k < WN_KIND_COUNT; k++) {
        free(rules->by_kind[k]);
        rules->by_kind[k] = NULL;
        rules->by_kind_count[k] = 0;
        size_t n = 0;
        for (size_t i = 0; i < rules->count; i++)
            if (rules->rules[i].enabled && rules->rules[i].kind == (enum wn_kind)k) n++;
        if (!n) continue;
        rules->by_kind[k] = malloc(n * sizeof *rules->by_kind[k]);
        if (!rules->by_kind[k]) return WINNOW_ERR_NOMEM;
        for (size_t i = 0; i < rules->count; i++)
            if (rules->rules[i].enabled && rules->rules[i].kind == (enum wn_kind)k)
                rules->by_kind[k][rules->by_kind_count[k]++] = &rules->rules[i];
    }
    rules->dirty = 0;
    return WINNOW_OK;
}

int winnow_rules_compile(winnow_rules *rules, char *err, size_t errlen)
{
    /* Patterns are compiled while loading; what is left is indexing them by kind. */
    if (rules->dirty && rebuild(rules) != WINNOW_OK) {
        set_err(err, errlen, "out of memory");
        return WINNOW_ERR_NOMEM;
    }
    return WINNOW_OK;
}

size_t wn_rules_all(const winnow_rules *rules, const struct wn_rule **out)
{
    *out = rules->rules;
    return rules->count;
}

size_t wn_rules_of_kind(winnow_rules *rules, enum wn_kind kind, const struct wn_rule ***out)
{
    if (rules->dirty && rebuild(rules) != WINNOW_OK) return 0;
    *out = rules->by_kind[kind];
    return rules->by_kind_count[kind];
}

unsigned wn_rules_max_captures(const winnow_rules *rules)
{
    uint32_t most = 0;
    for (size_t i = 0; i < rules->count; i++) {
        uint32_t n = 0;
        pcre2_pattern_info(rules->rules[i].code, PCRE2_INFO_CAPTURECOUNT, &n);
        if (n > most) most = n;
    }
    return most + 1;
}

size_t winnow_rules_count(const winnow_rules *rules)
{
    return rules->count;
}

int winnow_rules_get(const winnow_rules *rules, size_t index, struct winnow_rule_info *info)
{
    if (index >= rules->count) return WINNOW_ERR_USAGE;
    const struct wn_rule *r = &rules->rules[index];
    info->id = r->id;
    info->kind = wn_kind_name(r->kind);
    info->limit_hits = __atomic_load_n(&r->limit_hits, __ATOMIC_RELAXED);
    info->langs = r->langs;
    info->pattern = r->pattern;
    info->origin = r->origin;
    info->enabled = r->enabled;
    info->prefilter = r->pf_desc;
    return WINNOW_OK;
}

long wn_rules_tune(const winnow_rules *rules, enum wn_tune t)
{
    if ((unsigned)t >= WN_TUNE_COUNT) return 0;
    return rules ? rules->tune[t] : tunables[t].def;
}

size_t winnow_tune_count(void)
{
    return WN_TUNE_COUNT;
}

int winnow_rules_tune_get(const winnow_rules *rules, size_t index, struct winnow_tune_info *info)
{
    if (index >= WN_TUNE_COUNT) return WINNOW_ERR_USAGE;
    const struct tunable *t = &tunables[index];
    info->name = t->name;
    info->value = wn_rules_tune(rules, (enum wn_tune)index);
    info->def = t->def;
    info->min = t->min;
    info->max = t->max;
    info->doc = t->doc;
    return WINNOW_OK;
}

int winnow_rules_tune_set(winnow_rules *rules, const char *name, long value)
{
    if (is_frozen(rules)) return WINNOW_ERR_USAGE;
    for (int i = 0; i < WN_TUNE_COUNT; i++)
        if (strcmp(name, tunables[i].name) == 0) {
            if (value < tunables[i].min || value > tunables[i].max) return WINNOW_ERR_USAGE;
            rules->tune[i] = value;
            return WINNOW_OK;
        }
    return WINNOW_ERR_USAGE;
}

/* Skips the ASCII run at p, 32 then 8 bytes at a time (most text is mostly ASCII); a word with
 * a high byte is left at that byte (little-endian: the lowest set bit is the first). */
static const unsigned char *skip_ascii(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 32) {
        uint64_t w[4];
        memcpy(w, p, 32);
        if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) break;
        p += 32;
    }
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t high = w & 0x8080808080808080ULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (high) return p + __builtin_ctzll(high) / 8;
#else
        if (high) break;
#endif
        p += 8;
    }
    while (p < end && *p < 0x80)
        p++;
    return p;
}

/* The ASCII checks run only where an ASCII byte is: the letters of a Cyrillic or Greek word
 * follow one another without them. */
int wn_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            p = skip_ascii(p, end);
            continue;
        }
        size_t need;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
            p += 2; /* two-byte letters (Latin, Cyrillic, Arabic...): no further checks */
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if ((size_t)(end - p) <= need) return 0;
        for (size_t i = 1; i <= need; i++) {
            if ((p[i] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        p += need + 1;
    }
    return 1;
}

int wn_rule_match_utf(const struct wn_rule *rule, const char *subject, size_t len, size_t start,
                      int valid, pcre2_match_data *md, pcre2_match_context *mctx, size_t *mstart,
                      size_t *mend)
{
    int rc;
    if (valid && rule->jit) {
        /* the JIT's direct entry: no option checks, and the subject is known valid */
        rc = pcre2_jit_match(rule->code, (PCRE2_SPTR)subject, len, start, 0, md, mctx);
        if (rc != PCRE2_ERROR_JIT_BADOPTION) goto done;
    }
    rc = valid ? pcre2_match(rule->code, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK, md,
                             mctx)
               : pcre2_match(rule->code_any, (PCRE2_SPTR)subject, len, start, 0, md, mctx);
done:
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        __atomic_fetch_add(&((struct wn_rule *)(uintptr_t)rule)->limit_hits, 1, __ATOMIC_RELAXED);
    if (rc < 0) return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (ov[1] < ov[0]) return 0;
    /* PCRE2 (10.42) in MATCH_INVALID_UTF mode starts an anchored match again after an invalid
     * sequence: a line rule matches where the line starts, or not at all */
    if (!valid && wn_kind_is_line_rule(rule->kind) && ov[0] != start) return 0;
    *mstart = ov[0];
    *mend = ov[1];
    return 1;
}

int wn_rule_item_match(const struct wn_rule *rule, const char *s, size_t n)
{
    if (!rule->item_code) return 1;
    /* only the lines under a header that has an item pattern come here: no need to keep
     * match data between calls */
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md) return 0; /* out of memory: not an item, so the line is kept */
    int rc = wn_utf8_valid(s, n)
                 ? pcre2_match(rule->item_code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, md, NULL)
                 : pcre2_match(rule->item_any, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

int wn_rule_match(const struct wn_rule *rule, const char *subject, size_t len, size_t start,
                  pcre2_match_data *md, size_t *mstart, size_t *mend)
{
    int valid = wn_utf8_valid(subject, len);
    /* a start inside a character: only the MATCH_INVALID_UTF code may be given that */
    if (valid && start < len && ((unsigned char)subject[start] & 0xC0) == 0x80) valid = 0;
    return wn_rule_match_utf(rule, subject, len, start, valid, md, NULL, mstart, mend);
}

size_t wn_rule_literal_find(const struct wn_rule *rule, const char *s, size_t n, size_t from)
{
    if (!rule->nlits) return from;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < rule->nlits; i++) {
        const char *lit = rule->lits[i];
        size_t len = rule->lit_lens[i], rare = rule->lit_rare[i];
        size_t end = best == SIZE_MAX ? n : best + len; /* only an earlier hit matters */
        if (end > n) end = n;
        if (end < from + len) continue;
        /* memchr is vectorised; memmem's setup costs more than these short lines do */
        const char *p = s + from + rare, *last = s + end - len + rare;
        while (p <= last) {
            p = memchr(p, lit[rare], (size_t)(last - p) + 1);
            if (!p) break;
            if (memcmp(p - rare, lit, len) == 0) {
                best = (size_t)(p - rare - s);
                break;
            }
            p++;
        }
    }
    return best;
}

int wn_rules_append_kind(winnow_rules *rules, enum wn_kind kind, const struct wn_rule ***out,
                         size_t *n)
{
    const struct wn_rule **list;
    size_t k = wn_rules_of_kind(rules, kind, &list);
    if (!k) return 0;
    const struct wn_rule **grown = realloc(*out, (*n + k) * sizeof **out);
    if (!grown) return -1;
    for (size_t i = 0; i < k; i++)
        grown[*n + i] = list[i];
    *out = grown;
    *n += k;
    return 0;
}

/* ---- learn rules ------------------------------------------------------------------------ */

/* Does the comma-separated list `of` name the kind or the id? NULL names all. */
static int learn_reads(const char *of, const char *rule_id, const char *kind)
{
    if (!of) return 1;
    for (const char *p = of; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n && ((rule_id && strlen(rule_id) == n && strncmp(p, rule_id, n) == 0) ||
                  (kind && strlen(kind) == n && strncmp(p, kind, n) == 0)))
            return 1;
        p += n;
    }
    return 0;
}

/* The named groups of one match, as PCRE2's name table lists them. */
static size_t learn_groups(const struct wn_rule *r, const char *text, pcre2_match_data *md,
                           wn_learn_fn fn, void *ctx)
{
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(r->code_any, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(r->code_any, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(r->code_any, PCRE2_INFO_NAMETABLE, &table);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t pairs = pcre2_get_ovector_count(md);
    size_t given = 0;
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry;
        uint32_t g = (uint32_t)e[0] << 8 | e[1];
        if (g >= pairs || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] <= ov[2 * g]) continue;
        fn(ctx, (const char *)e + 2, text + ov[2 * g], ov[2 * g + 1] - ov[2 * g], r->all > 0);
        given++;
    }
    return given;
}

/* The rule's `set` fields, "name=value,name=value". */
static size_t learn_set(const struct wn_rule *r, wn_learn_fn fn, void *ctx)
{
    size_t given = 0;
    for (const char *p = r->set; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (eq && eq > p) {
            char name[64];
            size_t nl = (size_t)(eq - p) < sizeof name - 1 ? (size_t)(eq - p) : sizeof name - 1;
            memcpy(name, p, nl);
            name[nl] = 0;
            fn(ctx, name, eq + 1, (size_t)(p + n - eq - 1), 0);
            given++;
        }
        p += n;
    }
    return given;
}

size_t wn_rules_learn(const winnow_rules *rules, const char *rule_id, const char *kind,
                      const char *text, size_t len, wn_learn_fn fn, void *ctx)
{
    size_t given = 0;
    pcre2_match_data *md = NULL;
    for (size_t i = 0; i < rules->count; i++) {
        const struct wn_rule *r = &rules->rules[i];
        if (r->kind != WN_KIND_LEARN || !r->enabled || !r->code_any ||
            !learn_reads(r->of, rule_id, kind))
            continue;
        if (!md && !(md = pcre2_match_data_create(wn_rules_max_captures(rules) + 1, NULL)))
            return given;
        int matched = 0;
        for (size_t at = 0; at <= len;) {
            if (pcre2_match(r->code_any, (PCRE2_SPTR)text, len, at, 0, md, NULL) < 0) break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            matched = 1;
            given += learn_groups(r, text, md, fn, ctx);
            if (r->all <= 0) break;
            at = ov[1] > at ? ov[1] : at + 1;
        }
        if (matched) given += learn_set(r, fn, ctx);
    }
    pcre2_match_data_free(md);
    return given;
}
