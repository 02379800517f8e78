/* links.c: the last pipeline stage: cleans every URL in a kept line and, with --resolve,
 * swaps short links for their destinations while later lines wait in a bounded window. */
#include "links.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "clearurls.h"
#include "edits.h"
#include "linkcache.h"
#include "resolve.h"
#include "rules.h"
#include "url.h"

/* How far output may lag input while links resolve: enough lines to keep --jobs busy on
 * link-dense text, few enough bytes that a long stream never piles up in memory. */
#define WINDOW_LINES 4096
#define WINDOW_BYTES (8u << 20)
/* Links queued or in flight at most: bounds the resolver's queue on link-dense lines. */
#define WINDOW_LINKS 16384

/* Cache look-ups wait for this many links, or the end of a push (of the chunk a caller gave),
 * before they go to a server in one round trip. */
#define LOOKUP_BATCH 256
/* How often a link another process is resolving is looked for again in the cache. */
#define AWAIT_POLL_MS 20

/* One distinct short link, shared by every held line that contains it. */
struct entry {
    struct entry *next;
    char *key;
    unsigned long hash;
    int refs;
    int done, ok;
    char *final, *reason;
    long long poll_at; /* another process resolves it: when to look in the cache again */
};

/* Entries in one of the stage's waits (cache look-ups to make; links other processes resolve). */
struct entry_list {
    struct entry **e;
    size_t n, cap;
};

/* One URL in a held line and what becomes of it. */
struct link {
    size_t start, end;
    struct entry *entry; /* to be resolved, or NULL */
    char *replacement;   /* offline result when it differs from the original */
    char *note;          /* what was removed, for the report */
    const char *rule_id;
};

struct held {
    struct held *next;
    int raw;
    unsigned long long line_no;
    unsigned long long off; /* where it began in the stage's input (for edits) */
    char *buf;              /* text then line ending */
    size_t len, eollen;
    struct link *links;
    size_t nlinks;
};

struct wn_links {
    winnow_rules *rules;
    enum winnow_links_mode mode;
    struct winnow_link_options lo;
    int resolve;
    winnow_write_fn write;
    void *write_ctx;
    winnow_report_fn report;
    void *report_ctx;
    winnow_edit_fn edit;
    void *edit_ctx;
    const struct wn_rule **tracking;
    size_t ntracking;
    const struct wn_rule **shorteners;
    size_t nshorteners;
    pcre2_match_data *md;
    struct wn_clearurls *clearurls;
    struct wn_resolver *resolver;
    struct wn_linkcache *cache;
    char cache_prefix[4];
    struct entry **buckets;
    size_t nbuckets;
    struct held *head, *tail;
    size_t held_lines, held_bytes;
    struct entry_list lookups, awaiting;
    int can_resolve; /* the resolver is to be made at the first miss (need_resolver) */
    int status;
};

static unsigned long hash_str(const char *s)
{
    unsigned long h = 1469598103934665603ul;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ul;
    return h;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

static int is_tracking_key(void *ctx, const char *key, size_t n)
{
    struct wn_links *l = ctx;
    size_t ms, me;
    for (size_t i = 0; i < l->ntracking; i++)
        if (wn_rule_match(l->tracking[i], key, n, 0, l->md, &ms, &me) && ms == 0 && me == n)
            return 1;
    return 0;
}

/* Cleans one URL: ClearURLs first (it may rewrite a redirector URL), then the tracking-param
 * rules. Returns a malloc'd URL when something changed, NULL otherwise. */
static char *clean_url(struct wn_links *l, const char *url, size_t len, char **note)
{
    char *cur = NULL, removed[512] = "", cu_removed[512] = "";
    const char *src = url;
    size_t srclen = len;
    if (l->clearurls && len > 7 && strncasecmp(url, "http", 4) == 0) {
        cur = wn_clearurls_apply(l->clearurls, url, len, l->lo.strip_referral, cu_removed,
                                 sizeof cu_removed);
        if (cur && strlen(cur) == len && memcmp(cur, url, len) == 0) {
            free(cur);
            cur = NULL;
        } else if (cur) {
            src = cur;
            srclen = strlen(cur);
        }
    }
    struct wn_url_parts parts;
    if (l->ntracking && wn_url_parse(src, srclen, &parts) == 0 &&
        (parts.query_start >= 0 || parts.frag_start >= 0)) {
        char *out = malloc(srclen + 1);
        size_t outlen;
        if (out && wn_url_strip_keys(src, srclen, &parts, is_tracking_key, l, out, &outlen, removed,
                                     sizeof removed) > 0) {
            free(cur);
            cur = out;
        } else {
            free(out);
        }
    }
    if (cur && note) {
        size_t n = strlen(cu_removed) + strlen(removed) + 2;
        if ((*note = malloc(n)))
            snprintf(*note, n, "%s%s%s", cu_removed, *cu_removed && *removed ? "&" : "", removed);
    }
    return cur;
}

static struct entry *entry_find(struct wn_links *l, const char *key, unsigned long h)
{
    for (struct entry *e = l->buckets[h % l->nbuckets]; e; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0) return e;
    return NULL;
}

static void entry_release(struct wn_links *l, struct entry *e)
{
    if (--e->refs > 0 || !e->done) return;
    struct entry **pp = &l->buckets[e->hash % l->nbuckets];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    free(e->key);
    free(e->final);
    free(e->reason);
    free(e);
}

/* The cache key: the options that change an answer, then the URL (cut to fit `cap`). */
static void cache_key(struct wn_links *l, const char *key, char *buf, size_t cap)
{
    size_t p = strlen(l->cache_prefix), n = strlen(key);
    if (p + n >= cap) n = cap - p - 1;
    memcpy(buf, l->cache_prefix, p);
    memcpy(buf + p, key, n);
    buf[p + n] = 0;
}

/* Called by the resolver as each link finishes. */
static void on_resolved(void *ctx, const char *url, const struct wn_resolution *res)
{
    struct wn_links *l = ctx;
    struct entry *e = entry_find(l, url, hash_str(url));
    if (l->cache && !(res->reason && strncmp(res->reason, "refused", 7) == 0)) {
        char key[WN_URL_MAX + 16];
        cache_key(l, url, key, sizeof key);
        wn_linkcache_put(l->cache, key, res->ok, res->final, res->reason);
    }
    if (!e) return;
    e->done = 1;
    e->ok = res->ok;
    e->final = res->ok && res->final ? strdup(res->final) : NULL;
    e->reason = res->reason ? strdup(res->reason) : NULL;
    if (e->ok && !e->final) e->ok = 0;
}

static int list_add(struct entry_list *list, struct entry *e)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        struct entry **g = realloc(list->e, cap * sizeof *g);
        if (!g) return -1;
        list->e = g;
        list->cap = cap;
    }
    list->e[list->n++] = e;
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_resolved(void *ctx, const char *url, const struct wn_resolution *res);

/* The resolver, made when the first link is to be resolved (loading libcurl costs more than a
 * warm run's look-ups); when it cannot be, one warning and the links stay as they are. */
static struct wn_resolver *need_resolver(struct wn_links *l)
{
    if (!l->resolver && l->can_resolve) {
        char err[256];
        l->can_resolve = 0;
        l->resolver = wn_resolver_new(l->rules, &l->lo, on_resolved, l, err, sizeof err);
        if (!l->resolver) fprintf(stderr, "winnow: warning: %s; links are not resolved\n", err);
    }
    return l->resolver;
}

/* Not in the cache: resolved here (or, offline, given up). */
static void resolve_entry(struct wn_links *l, struct entry *e)
{
    if (!need_resolver(l)) {
        e->done = 1;
        e->reason = strdup(l->lo.offline ? "offline and not in the cache" : "not resolved");
    } else if (wn_resolver_submit(l->resolver, e->key) != 0) {
        e->done = 1;
        e->reason = strdup("could not start the request");
    }
}

static void take_answer(struct entry *e, struct wn_cache_answer *a)
{
    e->done = 1;
    e->ok = a->ok && a->final;
    e->final = a->final;
    e->reason = a->reason;
    if (!e->ok) {
        free(e->final);
        e->final = NULL;
    }
}

/* The entries of `list` looked up in the cache, in one round trip (and, for those missing, one
 * more to claim them and one to look again: a process that finished one between the look-up
 * and the claim has put it). theirs[i] is set for the entries still missing and not ours. */
static void look_up(struct wn_links *l, struct entry **list, size_t n, int *theirs)
{
    /* a file's look-ups come one line at a time: those fit on the stack */
    enum { SMALL = 8 };
    char *small_keys[SMALL], small_text[SMALL * 256];
    struct wn_cache_answer small_a[SMALL], small_again[SMALL];
    int small_mine[SMALL];
    size_t small_missing[SMALL], text_len = 0, nmissing = 0, pre = strlen(l->cache_prefix);
    for (size_t i = 0; i < n; i++)
        text_len += pre + strlen(list[i]->key) + 1;
    int big = n > SMALL || text_len > sizeof small_text;
    char **keys = big ? calloc(n, sizeof *keys) : small_keys;
    char *text = big ? malloc(text_len) : small_text;
    struct wn_cache_answer *a = big ? calloc(n, sizeof *a) : small_a;
    struct wn_cache_answer *again = big ? calloc(n, sizeof *again) : small_again;
    int *mine = big ? calloc(n, sizeof *mine) : small_mine;
    size_t *missing = big ? calloc(n, sizeof *missing) : small_missing;
    int ready = keys && text && a && again && mine && missing;
    for (size_t i = 0, at = 0; ready && i < n; i++) {
        theirs[i] = 0;
        keys[i] = text + at;
        cache_key(l, list[i]->key, keys[i], text_len - at);
        at += strlen(keys[i]) + 1;
    }
    if (ready) wn_linkcache_get_many(l->cache, (const char *const *)keys, n, a);
    for (size_t i = 0; i < n; i++) {
        if (ready && a[i].found)
            take_answer(list[i], &a[i]);
        else if (ready && (l->resolver || l->can_resolve))
            missing[nmissing++] = i;
        else
            resolve_entry(l, list[i]);
    }
    if (nmissing) { /* the keys in place of the entries, for the claims */
        for (size_t k = 0; k < nmissing; k++)
            keys[k] = keys[missing[k]];
        wn_linkcache_claim_many(l->cache, (const char *const *)keys, nmissing, l->lo.timeout_ms,
                                mine);
        for (size_t k = 0; k < nmissing; k++)
            again[k] = (struct wn_cache_answer){0};
        if (wn_linkcache_remote(l->cache))
            wn_linkcache_get_many(l->cache, (const char *const *)keys, nmissing, again);
    }
    for (size_t k = 0; k < nmissing; k++) {
        struct entry *e = list[missing[k]];
        if (again[k].found)
            take_answer(e, &again[k]);
        else if (mine[k])
            resolve_entry(l, e);
        else
            theirs[missing[k]] = 1;
    }
    if (big) {
        free(keys);
        free(text);
        free(a);
        free(again);
        free(mine);
        free(missing);
    }
}

/* Are the batched look-ups to be asked now? When a file answers them (at once, no round trip),
 * when a batch is full, or when the caller is about to wait anyway. */
static int lookups_due(const struct wn_links *l, int waiting)
{
    return l->lookups.n &&
           (waiting || !wn_linkcache_remote(l->cache) || l->lookups.n >= LOOKUP_BATCH);
}

/* The batch of look-ups waiting: asked now; a link another process resolves waits for it. */
static void flush_lookups(struct wn_links *l)
{
    size_t n = l->lookups.n;
    if (!n) return;
    int small[8], *theirs = n <= 8 ? small : calloc(n, sizeof *theirs);
    if (!theirs) {
        for (size_t i = 0; i < n; i++)
            resolve_entry(l, l->lookups.e[i]);
        l->lookups.n = 0;
        return;
    }
    look_up(l, l->lookups.e, n, theirs);
    long long at = now_ms() + AWAIT_POLL_MS;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = l->lookups.e[i];
        if (!theirs[i]) continue;
        e->poll_at = at;
        if (list_add(&l->awaiting, e) != 0) resolve_entry(l, e);
    }
    l->lookups.n = 0;
    if (theirs != small) free(theirs);
}

/* Links other processes resolve, looked for again when their time comes: found, done; not
 * found and the claim free (its holder finished without a result, died, or its claim ran out
 * after the link timeout), resolved here. So a wait is bounded by the timeout. */
static void poll_awaiting(struct wn_links *l)
{
    long long now = now_ms();
    size_t first = 0; /* drive calls this for every line: nothing due costs no allocation */
    while (first < l->awaiting.n && l->awaiting.e[first]->poll_at > now)
        first++;
    if (first == l->awaiting.n) return;
    struct entry **due = calloc(l->awaiting.n + 1, sizeof *due);
    int *theirs = calloc(l->awaiting.n + 1, sizeof *theirs);
    size_t ndue = 0, kept = 0;
    if (!due || !theirs) {
        free(due);
        free(theirs);
        return;
    }
    for (size_t i = 0; i < l->awaiting.n; i++) {
        struct entry *e = l->awaiting.e[i];
        if (e->poll_at <= now)
            due[ndue++] = e;
        else
            l->awaiting.e[kept++] = e;
    }
    l->awaiting.n = kept;
    look_up(l, due, ndue, theirs);
    for (size_t i = 0; i < ndue; i++)
        if (theirs[i]) {
            due[i]->poll_at = now + AWAIT_POLL_MS;
            if (list_add(&l->awaiting, due[i]) != 0) resolve_entry(l, due[i]);
        }
    free(due);
    free(theirs);
}

static struct entry *entry_get(struct wn_links *l, const char *key)
{
    unsigned long h = hash_str(key);
    struct entry *e = entry_find(l, key, h);
    if (e) {
        e->refs++;
        return e;
    }
    if (!(e = calloc(1, sizeof *e)) || !(e->key = strdup(key))) {
        free(e);
        return NULL;
    }
    e->hash = h;
    e->refs = 1;
    e->next = l->buckets[h % l->nbuckets];
    l->buckets[h % l->nbuckets] = e;
    if (l->cache && list_add(&l->lookups, e) == 0) return e; /* asked in a batch (see lookups) */
    resolve_entry(l, e);
    return e;
}

static void report(struct wn_links *l, const struct held *h, size_t col, const char *rule,
                   const char *fmt, const char *a, const char *b)
{
    if (!l->report) return;
    char text[2 * WN_URL_MAX + 64];
    int n = snprintf(text, sizeof text, fmt, a, b ? b : "");
    if (n < 0) return;
    struct winnow_removal r = {h->line_no,
                               col + 1,
                               rule,
                               text,
                               (size_t)n < sizeof text ? (size_t)n : sizeof text - 1,
                               h->off + col,
                               WINNOW_STAGE_LINKS,
                               0};
    l->report(l->report_ctx, &r);
}

/* A line the stage changed, as it came (raw, with its ending) and as it goes: one edit, from
 * its first changed byte to its last. */
static void edit_line(struct wn_links *l, const struct held *h, const char *out, size_t on,
                      const char *rule)
{
    struct winnow_edit e = {WINNOW_STAGE_LINKS, h->off, NULL, 0, NULL, 0, rule, h->line_no};
    if (l->edit && wn_edit_between(h->buf, h->len + h->eollen, out, on, &e))
        l->edit(l->edit_ctx, &e);
}

static int write_out(struct wn_links *l, const char *buf, size_t len)
{
    if (l->status) return l->status;
    if (len && l->write(l->write_ctx, buf, len) != 0) l->status = WINNOW_ERR_WRITE;
    return l->status;
}

/* Where a composed line goes: counted only (`dry`: is anything but spaces and tabs in it?),
 * written as it is made, or built whole in `whole` (for the edit of an --report run). Spaces
 * and tabs at the end of what is made so far wait in `blanks`: a link that is dropped takes the
 * one just before it, and what is written cannot be taken back. */
struct compose {
    struct wn_links *l;
    int dry, quiet, inked;
    struct buf *whole;
    struct buf blanks;
    int rc;
};

static void put_now(struct compose *c, const char *s, size_t n)
{
    if (!n || c->rc || c->dry) return;
    if (c->whole)
        c->rc = buf_append(c->whole, s, n) ? WINNOW_ERR_NOMEM : 0;
    else
        c->rc = write_out(c->l, s, n);
}

static void put(struct compose *c, const char *s, size_t n)
{
    size_t tail = n;
    while (tail && (s[tail - 1] == ' ' || s[tail - 1] == '\t'))
        tail--;
    if (tail) { /* ink: what waited goes first */
        c->inked = 1;
        put_now(c, c->blanks.p, c->blanks.len);
        c->blanks.len = 0;
        put_now(c, s, tail);
    }
    if (tail < n && buf_append(&c->blanks, s + tail, n - tail)) c->rc = WINNOW_ERR_NOMEM;
}

static void put_end(struct compose *c)
{
    put_now(c, c->blanks.p, c->blanks.len);
    c->blanks.len = 0;
}

/* Makes the line with each link replaced as decided into c (and reports it, unless quiet). */
static void compose_line(struct compose *c, const struct held *h)
{
    struct wn_links *l = c->l;
    size_t pos = 0;
    int say = !c->quiet && l->report;
    for (size_t i = 0; i < h->nlinks; i++) {
        const struct link *k = &h->links[i];
        const char *orig = h->buf + k->start;
        size_t olen = k->end - k->start;
        /* The original as a string, for reports only. */
        char origz[WN_URL_MAX + 1];
        if (say) {
            size_t n = olen < WN_URL_MAX ? olen : WN_URL_MAX;
            memcpy(origz, orig, n);
            origz[n] = 0;
        }
        put(c, h->buf + pos, k->start - pos);
        pos = k->end;
        struct entry *e = k->entry;
        if (e && e->ok) {
            char *note = NULL;
            char *clean = clean_url(l, e->final, strlen(e->final), &note);
            const char *rep = clean ? clean : e->final;
            put(c, rep, strlen(rep));
            if (say) report(l, h, k->start, "link-resolved", "%s -> %s", origz, rep);
            free(clean);
            free(note);
        } else if (e && l->mode == WINNOW_LINKS_STRIP) {
            /* The link goes with the space before it, as the core does offline. */
            if (c->blanks.len) c->blanks.len--;
            if (say)
                report(l, h, k->start, "link-unresolved", "%s (dropped: %s)", origz,
                       e->reason ? e->reason : "unresolved");
        } else {
            if (k->replacement)
                put(c, k->replacement, strlen(k->replacement));
            else
                put(c, orig, olen);
            if (say && e)
                report(l, h, k->start, "link-unresolved", "%s (kept: %s)", origz,
                       e->reason ? e->reason : "unresolved");
            else if (say && k->replacement && strcmp(k->rule_id, "tracking-param") == 0)
                report(l, h, k->start, k->rule_id, "%s%s", k->note ? k->note : "", NULL);
            else if (say && k->replacement)
                report(l, h, k->start, k->rule_id, "%s -> %s", origz, k->replacement);
        }
    }
    put(c, h->buf + pos, h->len - pos);
    put_end(c);
}

static int will_drop(const struct wn_links *l, const struct held *h)
{
    for (size_t i = 0; i < h->nlinks; i++)
        if (h->links[i].entry && !h->links[i].entry->ok && l->mode == WINNOW_LINKS_STRIP) return 1;
    return 0;
}

/* Writes a line with each link replaced as decided, and reports what changed. The line is
 * written as it is made, not built first: a 100 MB line with links costs no second copy
 * (built whole only for an edit, which needs both). A line whose links were all it had, and
 * that were dropped, goes whole, ending and all. */
static int emit_line(struct wn_links *l, struct held *h)
{
    if (h->raw || h->nlinks == 0) return write_out(l, h->buf, h->len + h->eollen);
    const char *rule = h->links[0].rule_id;
    struct compose c = {l, 0, 0, 0, NULL, {0}, 0};
    struct buf whole = {0};
    if (will_drop(l, h)) { /* is anything left but blanks? */
        struct compose probe = {l, 1, 1, 0, NULL, {0}, 0};
        compose_line(&probe, h);
        buf_free(&probe.blanks);
        c.dry = !probe.inked; /* no: the line goes, its links reported, nothing written */
    }
    if (l->edit && !c.dry) c.whole = &whole;
    compose_line(&c, h);
    if (c.dry) {
        edit_line(l, h, "", 0, rule);
    } else if (c.whole) {
        if (!c.rc && buf_append(&whole, h->buf + h->len, h->eollen)) c.rc = WINNOW_ERR_NOMEM;
        if (!c.rc) {
            edit_line(l, h, whole.p ? whole.p : "", whole.len, rule);
            write_out(l, whole.p, whole.len);
        }
    } else if (!c.rc) {
        write_out(l, h->buf + h->len, h->eollen);
    }
    buf_free(&whole);
    buf_free(&c.blanks);
    if (c.rc && !l->status) l->status = c.rc;
    return l->status;
}

static void held_links_free(struct wn_links *l, struct held *h)
{
    for (size_t i = 0; i < h->nlinks; i++) {
        if (h->links[i].entry) entry_release(l, h->links[i].entry);
        free(h->links[i].replacement);
        free(h->links[i].note);
    }
    free(h->links);
}

static void held_free(struct wn_links *l, struct held *h)
{
    held_links_free(l, h);
    free(h->buf);
    free(h);
}

static int held_ready(const struct held *h)
{
    for (size_t i = 0; i < h->nlinks; i++)
        if (h->links[i].entry && !h->links[i].entry->done) return 0;
    return 1;
}

static void emit_ready(struct wn_links *l)
{
    while (l->head && held_ready(l->head)) {
        struct held *h = l->head;
        l->head = h->next;
        if (!l->head) l->tail = NULL;
        l->held_lines--;
        l->held_bytes -= h->len + h->eollen;
        emit_line(l, h);
        held_free(l, h);
    }
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Moves everything on: the look-ups batched (asked now when the caller will wait, or when a
 * file answers them, or when a batch is full), links others resolve, the resolver; then writes
 * what is ready. */
static void drive(struct wn_links *l, int wait_ms)
{
    if (lookups_due(l, wait_ms > 0)) flush_lookups(l);
    if (l->awaiting.n) poll_awaiting(l);
    int nap = l->awaiting.n && wait_ms > AWAIT_POLL_MS ? AWAIT_POLL_MS : wait_ms;
    if (l->resolver && wn_resolver_pending(l->resolver)) {
        wn_resolver_run(l->resolver, nap);
        /* Idle: let other processes see (and write) the cache rather than hold its lock. */
        if (l->cache && !wn_resolver_pending(l->resolver)) wn_linkcache_commit(l->cache);
    } else if (nap > 0 && l->awaiting.n) {
        sleep_ms(nap);
    }
    emit_ready(l);
}

void wn_links_push_end(struct wn_links *l)
{
    if (l->status) return;
    flush_lookups(l);
    drive(l, 0);
}

static int is_shortener(struct wn_links *l, const char *host)
{
    size_t ms, me, n = strlen(host);
    if (strcmp(host, "t.co") == 0) return 1;
    for (size_t i = 0; i < l->nshorteners; i++)
        if (wn_rule_match(l->shorteners[i], host, n, 0, l->md, &ms, &me) && ms == 0 && me == n)
            return 1;
    return 0;
}

/* The request URL for a short link, or NULL when the link is not one. */
static char *short_link_key(struct wn_links *l, const char *url, size_t len,
                            const struct wn_url_parts *p)
{
    if (strcmp(p->host, "pic.twitter.com") == 0) {
        /* Only the display form of t.co/X: same code, same destination. */
        size_t a = p->path_start + 1, b = a;
        while (b < len && url[b] != '/' && url[b] != '?' && url[b] != '#')
            b++;
        if (a >= len || b == a) return NULL;
        char *key = malloc(b - a + 16);
        if (key) snprintf(key, b - a + 16, "https://t.co/%.*s", (int)(b - a), url + a);
        return key;
    }
    if (!is_shortener(l, p->host)) return NULL;
    int has_scheme = strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
    char *key = malloc(len + 9);
    if (key) snprintf(key, len + 9, "%s%.*s", has_scheme ? "" : "https://", (int)len, url);
    return key;
}

static int is_youtube_share_key(void *ctx, const char *key, size_t n)
{
    (void)ctx;
    return (n == 2 && memcmp(key, "si", 2) == 0) || (n == 7 && memcmp(key, "feature", 7) == 0) ||
           (n == 2 && memcmp(key, "pp", 2) == 0);
}

/* youtu.be/ID is a fixed rewrite; no request is needed. */
static char *youtube_rewrite(const char *url, size_t len, const struct wn_url_parts *p)
{
    if (strcmp(p->host, "youtu.be") != 0) return NULL;
    size_t a = p->path_start + 1, b = a;
    while (b < len && url[b] != '/' && url[b] != '?' && url[b] != '#')
        b++;
    if (b == a || b - a > 64) return NULL;
    const char *rest = url + b;
    size_t restlen = len - b;
    char *out = malloc(len + 64);
    if (!out) return NULL;
    int n = sprintf(out, "https://www.youtube.com/watch?v=%.*s", (int)(b - a), url + a);
    if (restlen && *rest == '?') {
        out[n++] = '&';
        rest++;
        restlen--;
    }
    if (restlen && *rest == '/') return out; /* extra path segments mean nothing here */
    memcpy(out + n, rest, restlen);
    out[n + restlen] = 0;
    /* si and feature only say who shared the video and how. */
    struct wn_url_parts op;
    char *lean = malloc(strlen(out) + 1);
    size_t leanlen;
    if (lean && wn_url_parse(out, strlen(out), &op) == 0 &&
        wn_url_strip_keys(out, strlen(out), &op, is_youtube_share_key, NULL, lean, &leanlen, NULL,
                          0) > 0) {
        free(out);
        return lean;
    }
    free(lean);
    return out;
}

/* A byte a URL may hold: url.c ends a URL at any byte at or below 0x20 or at or above 0x7f. */
static int url_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f;
}

int wn_links_query_run(const char *buf, size_t len)
{
    const char *end = buf + len, *q = NULL, *h = NULL;
    size_t from = 0; /* buf[from - 1], when from > 0, ends a run: no run reaches back past it */
    while (from < len) {
        if (!q || q < buf + from) {
            q = memchr(buf + from, '?', len - from);
            if (!q) q = end;
        }
        if (!h || h < buf + from) {
            h = memchr(buf + from, '#', len - from);
            if (!h) h = end;
        }
        const char *m = q < h ? q : h;
        if (m == end) return 0;
        size_t a = (size_t)(m - buf), b = a + 1;
        while (a > from && url_byte((unsigned char)buf[a - 1]))
            a--;
        while (b < len && url_byte((unsigned char)buf[b]))
            b++;
        if (memchr(buf + a, '.', b - a) || memchr(buf + a, ':', b - a)) return 1;
        from = b + 1; /* buf[b] ends the run (or b is len) */
    }
    return 0;
}

int wn_links_line(struct wn_links *l, unsigned long long line_no, unsigned long long off,
                  const char *text, size_t len, const char *eol, size_t eollen)
{
    if (l->status) return l->status;
    struct link *links = NULL;
    size_t nlinks = 0, cap = 0;
    int waiting = 0, changed = 0;
    /* Offline, without ClearURLs, a URL changes only by losing query or fragment keys: a line
     * with no URL that holds a '?' or a '#' has nothing to clean, and most lines have none. */
    int may_change = l->resolve || l->clearurls || wn_links_query_run(text, len);
    if (l->mode != WINNOW_LINKS_KEEP && may_change) {
        struct wn_url_span s = {0};
        size_t from = 0;
        while (wn_url_find(text, len, from, &s)) {
            from = s.end;
            struct wn_url_parts p;
            const char *u = text + s.start;
            size_t ulen = s.end - s.start;
            if (wn_url_parse(u, ulen, &p) != 0) continue;
            struct link k = {s.start, s.end, NULL, NULL, NULL, "tracking-param"};
            if (l->resolve) {
                char *key = NULL;
                if ((k.replacement = youtube_rewrite(u, ulen, &p))) {
                    char *clean = clean_url(l, k.replacement, strlen(k.replacement), NULL);
                    if (clean) {
                        free(k.replacement);
                        k.replacement = clean;
                    }
                    k.rule_id = "link-resolved";
                    k.note = strdup("youtu.be rewritten");
                } else if ((key = short_link_key(l, u, ulen, &p))) {
                    k.entry = entry_get(l, key);
                    free(key);
                    if (!k.entry) continue;
                    if (!k.entry->done) waiting = 1;
                }
            }
            if (!k.entry && !k.replacement) k.replacement = clean_url(l, u, ulen, &k.note);
            if (!k.entry && !k.replacement) continue;
            if (nlinks == cap) {
                cap = cap ? cap * 2 : 4;
                struct link *n = realloc(links, cap * sizeof *n);
                if (!n) {
                    free(k.replacement);
                    free(k.note);
                    if (k.entry) entry_release(l, k.entry);
                    break;
                }
                links = n;
            }
            links[nlinks++] = k;
            changed = 1;
        }
    }
    if (lookups_due(l, 0)) {
        flush_lookups(l); /* a hit need not wait */
        waiting = 0;
        for (size_t i = 0; i < nlinks; i++)
            if (links[i].entry && !links[i].entry->done) waiting = 1;
    }
    if (!nlinks && !l->head) {
        /* Nothing to change and nothing held before it: straight out, without a copy (a
         * 100 MB line must not cost twice its size). */
        if (text + len == eol
                ? write_out(l, text, len + eollen)
                : (len && write_out(l, text, len)) || (eollen && write_out(l, eol, eollen))) {
            free(links);
            return l->status ? l->status : (l->status = WINNOW_ERR_WRITE);
        }
        free(links);
        drive(l, 0);
        return l->status;
    }
    if (!l->head && !waiting && text + len == eol) {
        /* out at once: made from the caller's bytes, not a copy of them */
        struct held now = {NULL, 0,      line_no, off,   (char *)(uintptr_t)text,
                           len,  eollen, links,   nlinks};
        emit_line(l, &now);
        held_links_free(l, &now);
        drive(l, 0);
        return l->status;
    }
    struct held *h = calloc(1, sizeof *h);
    if (!h || !(h->buf = malloc(len + eollen + 1))) {
        free(h);
        for (size_t i = 0; i < nlinks; i++) {
            free(links[i].replacement);
            free(links[i].note);
            if (links[i].entry) entry_release(l, links[i].entry);
        }
        free(links);
        return l->status = WINNOW_ERR_NOMEM;
    }
    memcpy(h->buf, text, len);
    memcpy(h->buf + len, eol, eollen);
    h->len = len;
    h->eollen = eollen;
    h->line_no = line_no;
    h->off = off;
    h->links = links;
    h->nlinks = nlinks;
    (void)changed;
    if (!l->head && !waiting) {
        emit_line(l, h);
        held_free(l, h);
        drive(l, 0);
        return l->status;
    }
    if (l->tail)
        l->tail->next = h;
    else
        l->head = h;
    l->tail = h;
    l->held_lines++;
    l->held_bytes += len + eollen;
    drive(l, 0);
    /* Over the window: wait (in curl_multi_poll, not spinning) until the oldest line can go.
     * Once a write failed nothing more is written, so nothing is worth waiting for. */
    while (l->head && !l->status &&
           (l->held_lines >= WINDOW_LINES || l->held_bytes >= WINDOW_BYTES ||
            (l->resolver && wn_resolver_pending(l->resolver) >= WINDOW_LINKS)))
        drive(l, 100);
    return l->status;
}

int wn_links_passes(const struct wn_links *l, const char *buf, size_t len)
{
    if (l->status || l->head) return 0;
    if (l->mode == WINNOW_LINKS_KEEP) return 1;
    return !l->resolve && !l->clearurls && !wn_links_query_run(buf, len);
}

int wn_links_raw(struct wn_links *l, const char *buf, size_t len)
{
    if (l->status) return l->status;
    if (!l->head) return write_out(l, buf, len);
    struct held *h = calloc(1, sizeof *h);
    if (!h || !(h->buf = dup_n(buf, len))) {
        free(h);
        return l->status = WINNOW_ERR_NOMEM;
    }
    h->raw = 1;
    h->len = len;
    l->tail->next = h;
    l->tail = h;
    l->held_lines++;
    l->held_bytes += len;
    return l->status;
}

int wn_links_flush(struct wn_links *l)
{
    while (l->head && !l->status) {
        flush_lookups(l);
        if (!l->awaiting.n && !(l->resolver && wn_resolver_pending(l->resolver)) &&
            !held_ready(l->head)) {
            /* Nothing left that could finish these: give up on them rather than hang. */
            for (size_t i = 0; i < l->head->nlinks; i++) {
                struct entry *e = l->head->links[i].entry;
                if (e && !e->done) {
                    e->done = 1;
                    e->reason = strdup("lost");
                }
            }
        }
        drive(l, 100);
    }
    if (l->cache) wn_linkcache_commit(l->cache);
    return l->status;
}

struct wn_links *wn_links_new(winnow_rules *rules, const struct winnow_options *options,
                              winnow_write_fn write, void *write_ctx, char *err, size_t errlen)
{
    struct wn_links *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->rules = rules;
    l->write = write;
    l->write_ctx = write_ctx;
    if (options) {
        l->mode = options->links;
        l->report = options->report;
        l->report_ctx = options->report_ctx;
        l->edit = options->edit;
        l->edit_ctx = options->edit_ctx;
        if (options->link_options) l->lo = *options->link_options;
    }
    if (l->lo.jobs <= 0) l->lo.jobs = 32;
    if (l->lo.per_host <= 0) l->lo.per_host = l->lo.jobs;
    if (l->lo.max_hops <= 0) l->lo.max_hops = 5;
    if (l->lo.timeout_ms <= 0) l->lo.timeout_ms = 5000;
    l->resolve = l->lo.resolve && l->mode != WINNOW_LINKS_KEEP;
    snprintf(l->cache_prefix, sizeof l->cache_prefix, "%s%s", l->lo.follow_all ? "F" : "",
             l->lo.allow_private ? "P" : "");
    if (l->cache_prefix[0]) strcat(l->cache_prefix, " ");
    l->nbuckets = 4099;
    l->buckets = calloc(l->nbuckets, sizeof *l->buckets);
    if (!l->buckets) goto nomem;
    if (rules) {
        l->ntracking = wn_rules_of_kind(rules, WN_KIND_TRACKING_PARAM, &l->tracking);
        l->nshorteners = wn_rules_of_kind(rules, WN_KIND_SHORTENER, &l->shorteners);
        l->md = pcre2_match_data_create(wn_rules_max_captures(rules) + 1, NULL);
        if (!l->md) goto nomem;
    }
    if (l->lo.clearurls && l->mode != WINNOW_LINKS_KEEP) {
        l->clearurls = wn_clearurls_load(l->lo.clearurls, err, errlen);
        if (!l->clearurls) goto fail;
    }
    if (l->resolve) {
        if (!l->lo.no_cache)
            l->cache =
                wn_linkcache_open_spec(l->lo.cache_path, l->lo.cache_prefix, l->lo.timeout_ms);
        if (!l->lo.offline) {
            /* with a cache, made at the first miss (see need_resolver): a warm rerun never
             * loads libcurl; without one, now, so that what is wrong is said at once */
            l->can_resolve = 1;
            if (wn_resolver_check_options(&l->lo, err, errlen) != 0) goto fail;
            if (!l->cache &&
                !(l->resolver = wn_resolver_new(rules, &l->lo, on_resolved, l, err, errlen)))
                goto fail;
        }
    }
    return l;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    wn_links_free(l);
    return NULL;
}

void wn_links_free(struct wn_links *l)
{
    if (!l) return;
    while (l->head) {
        struct held *h = l->head;
        l->head = h->next;
        for (size_t i = 0; i < h->nlinks; i++)
            if (h->links[i].entry) h->links[i].entry->done = 1;
        held_free(l, h);
    }
    if (l->buckets)
        for (size_t i = 0; i < l->nbuckets; i++)
            while (l->buckets[i]) {
                struct entry *e = l->buckets[i];
                l->buckets[i] = e->next;
                free(e->key);
                free(e->final);
                free(e->reason);
                free(e);
            }
    free(l->buckets);
    free(l->lookups.e);
    free(l->awaiting.e);
    wn_resolver_free(l->resolver);
    if (l->cache) wn_linkcache_close(l->cache);
    wn_clearurls_free(l->clearurls);
    pcre2_match_data_free(l->md);
    free(l);
}
