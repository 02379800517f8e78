/* scan.c: the chunk scan (scan.h). Each rule the filter uses needs, to touch a line, what was
 * derived from its pattern: a prefix the line starts with (after its indent) and a suffix it
 * ends with (before its trailing blanks), for rules anchored there, both looked up in tables
 * of their first and last two bytes; else one of its literals, found for all such rules in
 * one Vectorscan pass over the chunk. A rule with nothing derived touches every line it may. */
#include "scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "textfeat.h"

#ifdef WN_HAVE_HS
#include <dlfcn.h>
#include <hs.h>
#include <pthread.h>

enum role { ROLE_LINE, ROLE_ATTRIB, ROLE_CUT };

/* What runs once a line of every chunk, with two callers: inlined into both. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* A prefix or a suffix a rule may start or end a line with; `key` is its first (prefix) or
 * last (suffix) two bytes, one entry for each case of them. */
struct affix {
    unsigned key;
    unsigned slot;  /* the rule's */
    unsigned len;   /* at most 8 */
    uint64_t value; /* its bytes, where a line's 8 bytes hold them (a suffix's at the end) */
    uint64_t fold;  /* 0x20 in each byte that is a caseless letter: OR-ed into the line's */
    uint64_t mask;  /* 0xFF in each byte it has */
};

enum { BUCKETS = 4096 };

struct table {
    unsigned char keys[16384];    /* bit key: some entry has it (see affix_key) */
    unsigned char pair[8192];     /* bit (a << 8 | b): some entry of 2 bytes or more starts (a
                                     suffix: ends) with a, b, folded as affix_key folds */
    struct affix *e;              /* sorted by bucket (key % BUCKETS), then key */
    uint32_t bucket[BUCKETS + 1]; /* bucket b: e[bucket[b]..bucket[b + 1]) */
    size_t n, cap;
    uint64_t *one[256]; /* affixes of one byte: the slots of the rules with that byte */
};

static unsigned fold_byte(unsigned char c)
{
    return c | ((unsigned)(unsigned char)(c - 'A') < 26u) << 5; /* A-Z to a-z, branch-free */
}

/* The first (prefix) or last (suffix) two bytes of s[0..n), n >= 2, folded: their bit in
 * table.pair. */
static unsigned pair_of(const char *s, size_t n, int suffix)
{
    const unsigned char *u = (const unsigned char *)(suffix ? s + n - 2 : s);
    return fold_byte(u[0]) << 8 | fold_byte(u[1]);
}

/* The bucket of an affix of `len` bytes (at least 2) at the start (or end, for a suffix) of
 * s[0..n): its first (last) three bytes hashed, case folded so that one entry serves every
 * case, or for two-byte affixes those two bytes, in a range of keys of their own. */
static inline unsigned affix_key(const char *s, size_t n, size_t len, int suffix)
{
    const unsigned char *u = (const unsigned char *)(suffix ? s + n - (len < 3 ? 2 : 3) : s);
    if (len == 2) return 65536 + (fold_byte(u[0]) << 8 | fold_byte(u[1]));
    unsigned v = fold_byte(u[0]) << 16 | fold_byte(u[1]) << 8 | fold_byte(u[2]);
    return (unsigned)((v * 2654435761u) >> 16) & 0xFFFF;
}

struct wn_scan {
    hs_database_t *db; /* NULL when no rule needs its literals */
    hs_scratch_t *scratch;
    unsigned *lit_rule;             /* by literal id: the rule's index in the set */
    const struct wn_rule *set_base; /* the set's rules (wn_rules_all) */
    uint32_t *slot_of;              /* by index in the set: the rule's slot, or UINT32_MAX */
    struct table starts, ends;      /* prefixes, suffixes */
    const struct wn_rule **rule;    /* by slot */
    size_t nslots, words;           /* slots, and 64-bit words in a set of them */
    /* sets of slots: rules that need a prefix, a suffix, a literal; attributions; line rules
     * with nothing derived (any line they may start); all */
    uint64_t *need_prefix, *need_suffix, *need_lit, *attrib, *bare, *all;
    unsigned char first_any[32]; /* bit b0: a line rule with nothing derived may start so */
    int touch_all, attrib_all;   /* a cut / attribution rule with nothing derived */
    long hold_bytes, max_span;
    /* the chunk */
    const char *base;
    size_t nlines, cap, cursor;
    size_t framed;        /* bytes of the chunk its lines cover (all, unless too many) */
    size_t *start;        /* line k starts at base + start[k] ... */
    size_t *len;          /* ... and is len[k] bytes long, without its ending */
    unsigned char *flags; /* WN_SCAN_* */
    uint64_t *met;        /* line k: words slots whose prefix and suffix needs it meets, then
                             (touched()) the rules that touch it */
    uint64_t *lits;       /* line k: words slots whose literal it holds */
    uint64_t text_met[4]; /* wn_scan_rules_of_text's answer */
};

static void set_bit(unsigned char *map, unsigned i)
{
    map[i >> 3] |= (unsigned char)(1u << (i & 7));
}

static int has_bit(const unsigned char *map, unsigned i)
{
    return map[i >> 3] >> (i & 7) & 1;
}

static void set_slot(uint64_t *set, size_t slot)
{
    set[slot / 64] |= (uint64_t)1 << (slot % 64);
}

/* The byte and, for a caseless ASCII letter, its other case. */
static int byte_cases(unsigned char c, int caseless, unsigned char out[2])
{
    out[0] = c;
    if (caseless && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
        out[1] = c ^ 0x20;
        return 2;
    }
    return 1;
}

static int push_affix(struct table *t, const struct affix *x)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct affix *g = realloc(t->e, cap * sizeof *g);
        if (!g) return -1;
        t->e = g;
        t->cap = cap;
    }
    t->e[t->n++] = *x;
    set_bit(t->keys, x->key);
    return 0;
}

/* The first (prefix) or last (suffix) 8 bytes of s[0..n), zero where it has fewer: what an
 * affix is compared with, all its bytes at once. */
static uint64_t word_of(const char *s, size_t n, int suffix)
{
    uint64_t w;
    if (n >= 8) { /* the common case: one load */
        memcpy(&w, suffix ? s + n - 8 : s, 8);
        return w;
    }
    unsigned char b[8] = {0};
    size_t k = n < 8 ? n : 8;
    memcpy(suffix ? b + 8 - k : b, suffix ? s + n - k : s, k);
    memcpy(&w, b, 8);
    return w;
}

/* One entry per case of the two key bytes (for a one-byte affix, per possible other byte). */
static int add_affix(struct table *t, const struct wn_pf_lit *p, size_t slot, int suffix,
                     size_t words)
{
    size_t len = p->len > 8 ? 8 : p->len;
    const char *s = suffix ? p->s + p->len - len : p->s;
    unsigned char folded[8] = {0}, fold[8] = {0}, mask[8] = {0};
    for (size_t i = 0; i < len; i++) {
        size_t at = suffix ? 8 - len + i : i;
        unsigned char c = (unsigned char)s[i];
        int letter = p->caseless && (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        folded[at] = letter ? c | 0x20 : c;
        fold[at] = letter ? 0x20 : 0;
        mask[at] = 0xFF;
    }
    struct affix x = {0, (unsigned)slot, (unsigned)len, 0, 0, 0};
    memcpy(&x.value, folded, 8);
    memcpy(&x.fold, fold, 8);
    memcpy(&x.mask, mask, 8);
    if (len == 1) { /* a set of slots by that byte, in each of its cases */
        unsigned char a[2];
        int na = byte_cases((unsigned char)s[0], p->caseless, a);
        for (int i = 0; i < na; i++) {
            if (!t->one[a[i]] && !(t->one[a[i]] = calloc(words, sizeof *t->one[a[i]]))) return -1;
            set_slot(t->one[a[i]], slot);
        }
        return 0;
    }
    x.key = affix_key(s, len, len, suffix);
    set_bit(t->pair, pair_of(s, len, suffix));
    return push_affix(t, &x);
}

static int affix_cmp(const void *a, const void *b)
{
    const struct affix *x = a, *y = b;
    unsigned bx = x->key % BUCKETS, by = y->key % BUCKETS;
    if (bx != by) return bx < by ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Sorts the entries into their buckets. */
static void index_table(struct table *t)
{
    if (t->n) qsort(t->e, t->n, sizeof *t->e, affix_cmp);
    size_t i = 0;
    for (unsigned b = 0; b <= BUCKETS; b++) {
        while (i < t->n && t->e[i].key % BUCKETS < b)
            i++;
        t->bucket[b] = (uint32_t)i;
    }
}

/* Does the rule need its literals found by the Vectorscan pass? (Not when an affix tells.) */
static int needs_literals(const struct wn_rule *r)
{
    return wn_kind_is_scanned(r->kind) && !r->pf_nprefixes && !r->pf_nsuffixes && r->pf_nlits;
}

void wn_scan_literals_free(struct wn_scan_lits *l)
{
    free(l->expr);
    free(l->flags);
    free(l->ids);
    free(l->lens);
    free(l->rule);
    memset(l, 0, sizeof *l);
}

int wn_scan_literals(const winnow_rules *set, struct wn_scan_lits *l)
{
    const struct wn_rule *all;
    size_t n = wn_rules_all(set, &all), total = 0;
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < n; i++)
        if (needs_literals(&all[i])) total += all[i].pf_nlits;
    size_t cap = total ? total : 1;
    l->expr = malloc(cap * sizeof *l->expr);
    l->flags = malloc(cap * sizeof *l->flags);
    l->ids = malloc(cap * sizeof *l->ids);
    l->lens = malloc(cap * sizeof *l->lens);
    l->rule = malloc(cap * sizeof *l->rule);
    if (!l->expr || !l->flags || !l->ids || !l->lens || !l->rule) {
        wn_scan_literals_free(l);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!needs_literals(&all[i])) continue;
        for (size_t k = 0; k < all[i].pf_nlits; k++) {
            const struct wn_pf_lit *x = &all[i].pf_lits[k];
            l->expr[l->n] = x->s;
            l->lens[l->n] = x->len;
            l->flags[l->n] = x->caseless ? HS_FLAG_CASELESS : 0;
            l->ids[l->n] = (unsigned)l->n;
            l->rule[l->n] = (unsigned)i;
            l->n++;
        }
    }
    return 0;
}

/* FNV-1a over the literals, their flags and owners, and the Vectorscan version: a database
 * built for the same list by the same library is the same database. */
unsigned long long wn_scan_literals_hash(const struct wn_scan_lits *l)
{
    unsigned long long h = 0xcbf29ce484222325ULL;
#define MIX(p, n)                                                                                  \
    for (size_t z = 0; z < (n); z++)                                                               \
        h = (h ^ ((const unsigned char *)(p))[z]) * 0x100000001b3ULL;
    const char *v = hs_version();
    MIX(v, strlen(v));
    for (size_t i = 0; i < l->n; i++) {
        MIX(l->expr[i], l->lens[i]);
        MIX(&l->lens[i], sizeof l->lens[i]);
        MIX(&l->flags[i], sizeof l->flags[i]);
        MIX(&l->rule[i], sizeof l->rule[i]);
    }
#undef MIX
    return h;
}

/* A rule anchored at a line's start or end needs its prefix and suffix (the tables, checked
 * per line); one anchored at neither, its literal (the Vectorscan pass; too many lines hold a
 * rule's literals to be worth scanning for when an affix already tells); one with none of
 * them touches every line it may start (line rules) or every line. */
static int add_rule(struct wn_scan *sc, const struct wn_rule *x, enum role role)
{
    size_t slot = sc->nslots++;
    sc->rule[slot] = x;
    set_slot(sc->all, slot);
    if (role == ROLE_ATTRIB) set_slot(sc->attrib, slot);
    if (x->pf_nprefixes) set_slot(sc->need_prefix, slot);
    if (x->pf_nsuffixes) set_slot(sc->need_suffix, slot);
    for (size_t k = 0; k < x->pf_nprefixes; k++)
        if (add_affix(&sc->starts, &x->pf_prefixes[k], slot, 0, sc->words)) return -1;
    for (size_t k = 0; k < x->pf_nsuffixes; k++)
        if (add_affix(&sc->ends, &x->pf_suffixes[k], slot, 1, sc->words)) return -1;
    if (x->pf_nprefixes || x->pf_nsuffixes) return 0;
    if (x->pf_nlits) {
        set_slot(sc->need_lit, slot); /* its literals are in the set's list (needs_literals) */
        sc->slot_of[x - sc->set_base] = (unsigned)slot;
        return 0;
    }
    if (role == ROLE_LINE) {
        for (size_t b = 0; b < 32; b++)
            sc->first_any[b] |= x->first_bytes[b];
        set_slot(sc->bare, slot);
    } else if (role == ROLE_ATTRIB) {
        sc->attrib_all = 1;
    } else {
        sc->touch_all = 1;
    }
    return 0;
}

static int add_rules(struct wn_scan *sc, const struct wn_scan_rules *r)
{
    size_t count = wn_rules_all(r->set, &sc->set_base);
    sc->slot_of = malloc((count ? count : 1) * sizeof *sc->slot_of);
    if (!sc->slot_of) return -1;
    for (size_t i = 0; i < count; i++)
        sc->slot_of[i] = UINT32_MAX; /* not used by this filter */
    size_t n = r->n_line + r->n_attrib + r->n_cut;
    sc->words = n / 64 + 1;
    sc->rule = calloc(n + 1, sizeof *sc->rule);
    uint64_t *sets = calloc(6 * sc->words, sizeof *sets);
    if (!sc->rule || !sets) {
        free(sets);
        return -1;
    }
    sc->need_prefix = sets;
    sc->need_suffix = sets + sc->words;
    sc->need_lit = sets + 2 * sc->words;
    sc->attrib = sets + 3 * sc->words;
    sc->bare = sets + 4 * sc->words;
    sc->all = sets + 5 * sc->words;
    for (size_t i = 0; i < r->n_line; i++)
        if (add_rule(sc, r->line[i], ROLE_LINE)) return -1;
    for (size_t i = 0; i < r->n_attrib; i++)
        if (add_rule(sc, r->attrib[i], ROLE_ATTRIB)) return -1;
    for (size_t i = 0; i < r->n_cut; i++)
        if (add_rule(sc, r->cut[i], ROLE_CUT)) return -1;
    index_table(&sc->starts);
    index_table(&sc->ends);
    return 0;
}

int wn_scan_available(void)
{
    return 1;
}

/* The database for the list: the one built with winnow for its own rules when the list is
 * theirs (hsdb-gen.c), else compiled now by the Vectorscan compiler library, which is loaded
 * only then (it is large, and a filter over the default rules never needs it). */
extern const unsigned char wn_default_hsdb[];
extern const size_t wn_default_hsdb_len;
extern const unsigned long long wn_default_hsdb_hash;

struct compiler {
    void *lib;
    hs_error_t (*compile)(const char *const *, const unsigned *, const unsigned *, const size_t *,
                          unsigned, unsigned, const hs_platform_info_t *, hs_database_t **,
                          hs_compile_error_t **);
    hs_error_t (*free_error)(hs_compile_error_t *);
    hs_error_t (*serialize)(const hs_database_t *, char **, size_t *);
    hs_error_t (*free_db)(hs_database_t *);
};
static struct compiler compiler;
static pthread_once_t compiler_once = PTHREAD_ONCE_INIT;

static void load_compiler(void)
{
    void *lib = dlopen("libhs.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    *(void **)&compiler.compile = dlsym(lib, "hs_compile_lit_multi");
    *(void **)&compiler.free_error = dlsym(lib, "hs_free_compile_error");
    *(void **)&compiler.serialize = dlsym(lib, "hs_serialize_database");
    *(void **)&compiler.free_db = dlsym(lib, "hs_free_database");
    if (compiler.compile && compiler.free_error && compiler.serialize && compiler.free_db)
        compiler.lib = lib;
    else
        dlclose(lib);
}

static hs_database_t *compile_database(const struct wn_scan_lits *l)
{
    pthread_once(&compiler_once, load_compiler);
    if (!compiler.lib) return NULL;
    hs_database_t *built = NULL, *db = NULL;
    hs_compile_error_t *err = NULL;
    if (compiler.compile(l->expr, l->flags, l->ids, l->lens, (unsigned)l->n, HS_MODE_BLOCK, NULL,
                         &built, &err) != HS_SUCCESS) {
        compiler.free_error(err);
        return NULL;
    }
    /* handed over as bytes, so the runtime library checks what it is given */
    char *bytes = NULL;
    size_t size = 0;
    if (compiler.serialize(built, &bytes, &size) == HS_SUCCESS)
        (void)hs_deserialize_database(bytes, size, &db);
    free(bytes);
    compiler.free_db(built);
    return db;
}

static hs_database_t *database(const struct wn_scan_lits *l)
{
    hs_database_t *db = NULL;
    if (wn_default_hsdb_len && wn_scan_literals_hash(l) == wn_default_hsdb_hash &&
        hs_deserialize_database((const char *)wn_default_hsdb, wn_default_hsdb_len, &db) ==
            HS_SUCCESS)
        return db;
    return compile_database(l);
}

struct wn_scan *wn_scan_new(const struct wn_scan_rules *r)
{
    struct wn_scan *sc = calloc(1, sizeof *sc);
    struct wn_scan_lits l;
    if (!sc) return NULL;
    sc->hold_bytes = r->hold_bytes;
    sc->max_span = r->max_span;
    if (add_rules(sc, r) || sc->touch_all || sc->attrib_all) goto fail;
    if (wn_scan_literals(r->set, &l)) goto fail;
    if (l.n && (!(sc->db = database(&l)) || hs_alloc_scratch(sc->db, &sc->scratch) != HS_SUCCESS)) {
        wn_scan_literals_free(&l);
        goto fail; /* no database: every line takes the per-line stages */
    }
    sc->lit_rule = l.rule; /* kept: by literal id, the rule's index in the set */
    l.rule = NULL;
    wn_scan_literals_free(&l);
    return sc;
fail:
    wn_scan_free(sc);
    return NULL;
}

void wn_scan_free(struct wn_scan *sc)
{
    if (!sc) return;
    if (sc->scratch) hs_free_scratch(sc->scratch);
    if (sc->db) hs_free_database(sc->db);
    free(sc->lit_rule);
    free(sc->slot_of);
    free(sc->starts.e);
    free(sc->ends.e);
    for (int b = 0; b < 256; b++) {
        free(sc->starts.one[b]);
        free(sc->ends.one[b]);
    }
    free(sc->rule);
    free(sc->need_prefix); /* all six sets */
    free(sc->start);
    free(sc->len);
    free(sc->flags);
    free(sc->met);
    free(sc->lits);
    free(sc);
}

/* The slots of the rules whose entries in t match the text s[0..n) at its start (prefixes)
 * or its end (suffixes), added to out. */
static inline void look_up(const struct table *t, const char *s, size_t n, int suffix,
                           uint64_t *out, size_t words)
{
    const uint64_t *one = t->one[(unsigned char)s[suffix ? n - 1 : 0]];
    for (size_t w = 0; one && w < words; w++)
        out[w] |= one[w];
    /* most lines start (and end) with two bytes no entry has: one look tells */
    if (n < 2 || !has_bit(t->pair, pair_of(s, n, suffix))) return;
    uint64_t w = 0;
    int have_w = 0;
    for (size_t len = 2; len <= 3 && len <= n; len++) { /* the two kinds of keys */
        unsigned key = affix_key(s, n, len, suffix);
        if (!has_bit(t->keys, key)) continue;
        if (!have_w) w = word_of(s, n, suffix), have_w = 1;
        for (size_t i = t->bucket[key % BUCKETS], e = t->bucket[key % BUCKETS + 1]; i < e; i++) {
            const struct affix *x = &t->e[i];
            if (x->key == key && x->len <= n && ((w | x->fold) & x->mask) == x->value)
                set_slot(out, x->slot);
        }
    }
}

/* The text of line s[0..n) between its indent and its trailing blanks: s[*lead..return). */
static ALWAYS_INLINE size_t trimmed(const char *s, size_t n, size_t *lead)
{
    size_t trail = n;
    *lead = wn_leading_space(s, n);
    while (trail > *lead && wn_is_blank((unsigned char)s[trail - 1]))
        trail--;
    return trail;
}

/* The rules whose prefix and suffix needs the text t[0..n) (a line's, trimmed, not empty)
 * meets, in met[0..words), words at most 4. */
static ALWAYS_INLINE void affix_set(const struct wn_scan *sc, const char *t, size_t n,
                                    uint64_t *met)
{
    uint64_t starts[4] = {0}, ends[4] = {0};
    look_up(&sc->starts, t, n, 0, starts, sc->words);
    look_up(&sc->ends, t, n, 1, ends, sc->words);
    int bare = has_bit(sc->first_any, (unsigned char)t[0]);
    for (size_t w = 0; w < sc->words; w++) {
        met[w] = (starts[w] | ~sc->need_prefix[w]) & (ends[w] | ~sc->need_suffix[w]) & sc->all[w];
        met[w] &= ~sc->bare[w];
        if (bare) met[w] |= sc->bare[w]; /* checked for each in wn_label_line */
    }
}

/* Line k, its trimmed text t[0..n). */
static void affixes(struct wn_scan *sc, size_t k, const char *t, size_t n)
{
    uint64_t *met = sc->met + k * sc->words;
    if (sc->words > 4) { /* more rules than the fast path holds: all may */
        memcpy(met, sc->all, sc->words * sizeof *met);
        return;
    }
    affix_set(sc, t, n, met);
}

const uint64_t *wn_scan_rules_of_text(struct wn_scan *sc, const char *s, size_t n)
{
    if (sc->words > 4) return NULL; /* as affixes(): all may */
    size_t lead, trail = trimmed(s, n, &lead);
    memset(sc->text_met, 0, sizeof sc->text_met);
    if (lead < n) affix_set(sc, s + lead, trail - lead, sc->text_met);
    return sc->text_met;
}

/* Frames the chunk's whole lines and finds the rules their starts and ends allow; -1: no
 * memory. */
static int frame_lines(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    size_t pos = 0;
    sc->nlines = 0;
    sc->framed = len;
    while (pos < len) {
        if (sc->nlines == WN_SCAN_MAX_LINES) { /* the rest is the next chunk's */
            sc->framed = pos;
            break;
        }
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl && !final) break; /* the start of a line the next push ends */
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (sc->nlines == sc->cap) {
            size_t cap = sc->cap ? sc->cap * 2 : 1024;
            size_t *s = realloc(sc->start, cap * sizeof *s);
            if (s) sc->start = s;
            size_t *n = realloc(sc->len, cap * sizeof *n);
            if (n) sc->len = n;
            unsigned char *f = realloc(sc->flags, cap);
            if (f) sc->flags = f;
            uint64_t *m = realloc(sc->met, cap * sc->words * sizeof *m);
            if (m) sc->met = m;
            uint64_t *h = realloc(sc->lits, cap * sc->words * sizeof *h);
            if (h) sc->lits = h;
            if (!s || !n || !f || !m || !h) return -1;
            sc->cap = cap;
        }
        size_t n = end > pos && buf[end - 1] == '\r' ? end - pos - 1 : end - pos;
        size_t k = sc->nlines++;
        sc->start[k] = pos;
        sc->len[k] = n;
        sc->flags[k] = 0;
        for (size_t w = 0; w < sc->words; w++) /* a word or two: no memset call */
            sc->met[k * sc->words + w] = sc->lits[k * sc->words + w] = 0;
        size_t lead, trail = trimmed(buf + pos, n, &lead);
        if (lead < n) affixes(sc, k, buf + pos + lead, trail - lead);
        pos = end + 1;
    }
    return 0;
}

static int on_literal(unsigned id, unsigned long long from, unsigned long long to,
                      unsigned hs_flags, void *ctx)
{
    (void)from;
    (void)hs_flags;
    struct wn_scan *sc = ctx;
    size_t at = (size_t)to - 1, lo = 0, hi = sc->nlines;
    while (hi - lo > 1) { /* the last line starting at or before `at` */
        size_t mid = lo + (hi - lo) / 2;
        if (sc->start[mid] <= at)
            lo = mid;
        else
            hi = mid;
    }
    if (!sc->nlines || at >= sc->start[lo] + sc->len[lo]) return 0; /* in a line ending */
    uint32_t slot = sc->slot_of[sc->lit_rule[id]];
    if (slot == UINT32_MAX) return 0; /* a rule this filter does not use */
    const struct wn_rule *r = sc->rule[slot];
    if (wn_kind_is_line_rule(r->kind)) { /* it must also be able to start the line */
        const char *s = sc->base + sc->start[lo];
        size_t lead = wn_leading_space(s, sc->len[lo]);
        if (lead >= sc->len[lo] || !has_bit(r->first_bytes, (unsigned char)s[lead])) return 0;
    }
    set_slot(sc->lits + lo * sc->words, slot);
    return 0;
}

/* A line is touched by a rule whose needs it meets: prefix and suffix, or literal. */
static void touched(struct wn_scan *sc)
{
    for (size_t k = 0; k < sc->nlines; k++) {
        uint64_t *met = sc->met + k * sc->words;
        const uint64_t *lits = sc->lits + k * sc->words;
        for (size_t w = 0; w < sc->words; w++) {
            met[w] &= lits[w] | ~sc->need_lit[w];
            if (!met[w]) continue;
            sc->flags[k] |= WN_SCAN_TOUCHED;
            if (met[w] & sc->attrib[w]) sc->flags[k] |= WN_SCAN_ATTRIBUTION;
        }
    }
}

/* From the chunk's end up: a line is settled when the untouched text between it and the next
 * line an attribution may open is more than a climb can take: the hold bound in bytes, or the
 * longest post in characters (as a post counts them; a line that may hold a link counts
 * nothing). The chunk's end counts as such a line: the next chunk may begin with one. Touched
 * lines weigh nothing (cuts may shrink them), nor do blank lines (a climb does not count
 * them). */
static void settle(struct wn_scan *sc, int final)
{
    /* at the document's end, as if an attribution could never come */
    size_t bytes = final ? SIZE_MAX / 2 : 0, chars = final ? SIZE_MAX / 2 : 0;
    for (size_t k = sc->nlines; k-- > 0;) {
        unsigned char f = sc->flags[k];
        if (f & WN_SCAN_ATTRIBUTION) {
            bytes = chars = 0;
            continue;
        }
        if (f & WN_SCAN_TOUCHED) continue;
        if (bytes > (size_t)sc->hold_bytes || chars > (size_t)sc->max_span)
            sc->flags[k] |= WN_SCAN_SETTLED;
        const char *s = sc->base + sc->start[k];
        size_t n = sc->len[k];
        if (wn_leading_space(s, n) == n) continue;
        bytes += n;
        if (chars <= (size_t)sc->max_span)
            chars += wn_post_chars_floor(s, n, (size_t)sc->max_span + 1);
    }
}

int wn_scan_chunk(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    sc->base = buf;
    sc->cursor = 0;
    if (frame_lines(sc, buf, len, final)) {
        sc->nlines = 0;
        return -1;
    }
    if (sc->db && sc->nlines) {
        size_t end = sc->start[sc->nlines - 1] + sc->len[sc->nlines - 1];
        /* hs_scan takes an unsigned length: a chunk is at most a few MB plus one line, and a
         * longer one is scanned in parts that overlap by the longest literal */
        size_t pos = 0;
        while (pos < end) {
            size_t part = end - pos > (1u << 30) ? (1u << 30) : end - pos;
            if (hs_scan(sc->db, buf + pos, (unsigned)part, 0, sc->scratch, on_literal, sc) !=
                HS_SUCCESS) {
                sc->nlines = 0;
                return -1;
            }
            if (pos + part >= end) break;
            pos += part - WN_PF_MAX_LEN;
        }
    }
    touched(sc);
    settle(sc, final && sc->framed == len);
    return 0;
}

int wn_scan_line(struct wn_scan *sc, const char *s)
{
    /* compared as addresses: s may lie in another buffer (a line gathered across pushes) */
    uintptr_t at = (uintptr_t)s, base = (uintptr_t)sc->base;
    if (!sc->nlines || at < base) return WN_SCAN_UNKNOWN;
    size_t off = (size_t)(at - base);
    while (sc->cursor < sc->nlines && sc->start[sc->cursor] < off)
        sc->cursor++;
    if (sc->cursor == sc->nlines || sc->start[sc->cursor] != off) return WN_SCAN_UNKNOWN;
    return sc->flags[sc->cursor];
}

const uint64_t *wn_scan_rules_of_line(const struct wn_scan *sc)
{
    return sc->met + sc->cursor * sc->words;
}

size_t wn_scan_lines(const struct wn_scan *sc)
{
    return sc->nlines;
}

size_t wn_scan_framed(const struct wn_scan *sc)
{
    return sc->framed;
}

void wn_scan_line_at(const struct wn_scan *sc, size_t k, size_t *start, size_t *len, int *flags)
{
    *start = sc->start[k];
    *len = sc->len[k];
    *flags = sc->flags[k];
}

void wn_scan_forget(struct wn_scan *sc)
{
    sc->nlines = 0;
    sc->base = NULL;
}

#else /* no Vectorscan: every line takes the per-line stages */

const uint64_t *wn_scan_rules_of_text(struct wn_scan *sc, const char *s, size_t n)
{
    (void)sc;
    (void)s;
    (void)n;
    return NULL;
}

int wn_scan_available(void)
{
    return 0;
}

struct wn_scan *wn_scan_new(const struct wn_scan_rules *r)
{
    (void)r;
    return NULL;
}

int wn_scan_chunk(struct wn_scan *sc, const char *buf, size_t len, int final)
{
    (void)sc;
    (void)buf;
    (void)len;
    (void) final;
    return -1;
}

int wn_scan_line(struct wn_scan *sc, const char *s)
{
    (void)sc;
    (void)s;
    return WN_SCAN_UNKNOWN;
}

const uint64_t *wn_scan_rules_of_line(const struct wn_scan *sc)
{
    (void)sc;
    return NULL;
}

size_t wn_scan_lines(const struct wn_scan *sc)
{
    (void)sc;
    return 0;
}

size_t wn_scan_framed(const struct wn_scan *sc)
{
    (void)sc;
    return 0;
}

void wn_scan_line_at(const struct wn_scan *sc, size_t k, size_t *start, size_t *len, int *flags)
{
    (void)sc;
    (void)k;
    *start = *len = 0;
    *flags = WN_SCAN_UNKNOWN;
}

void wn_scan_forget(struct wn_scan *sc)
{
    (void)sc;
}

void wn_scan_free(struct wn_scan *sc)
{
    (void)sc;
}

#endif
