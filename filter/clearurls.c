/* clearurls.c: a reader for ClearURLs' data.min.json (the format is described in
 * ../shared/data/clearurls/README.md); it reads the file at run time and ships none of it. */
#include "clearurls.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"

/* Redirections may nest (a google link to a facebook link); a few rounds is plenty. */
#define MAX_ROUNDS 5

struct provider {
    char *name;
    char label[64]; /* a host label the URL must have for urlPattern to match, or "" */
    pcre2_code *url_pattern;
    pcre2_code *keys;     /* ^(?:rule|rule|...)$ over query and fragment keys, or NULL */
    pcre2_code *referral; /* the same for referralMarketing */
    pcre2_code **raw, **exceptions, **redirections;
    size_t nraw, nexceptions, nredirections;
    int complete;
};

struct wn_clearurls {
    struct provider *p;
    size_t n;
    pcre2_match_data *md;
};

static pcre2_code *compile(const char *pattern, char *err, size_t errlen, const char *name)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                                   &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "provider %s: bad pattern at %zu: %s", name, (size_t)off,
                 (char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* Compiles a list of patterns one by one. */
static int compile_list(json_t *arr, pcre2_code ***out, size_t *n, char *err, size_t errlen,
                        const char *name)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0) return 0;
    *out = calloc(json_array_size(arr), sizeof **out);
    if (!*out) return -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) continue;
        if (!((*out)[*n] = compile(json_string_value(v), err, errlen, name))) return -1;
        (*n)++;
    }
    return 0;
}

/* Joins key rules into one anchored alternation, as the add-on tests each as ^rule$. */
static int compile_keys(json_t *arr, pcre2_code **out, char *err, size_t errlen, const char *name)
{
    *out = NULL;
    if (!json_is_array(arr) || json_array_size(arr) == 0) return 0;
    size_t len = 8, i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v)) len += strlen(json_string_value(v)) + 5;
    char *pat = malloc(len);
    if (!pat) return -1;
    strcpy(pat, "^(?:");
    int first = 1;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) continue;
        /* each rule must be a pattern on its own, as the add-on compiles each: joined, "a)|(.*"
         * would close the group it is put in and strip every key */
        pcre2_code *alone = compile(json_string_value(v), err, errlen, name);
        if (!alone) {
            free(pat);
            return -1;
        }
        pcre2_code_free(alone);
        if (!first) strcat(pat, "|");
        strcat(pat, "(?:");
        strcat(pat, json_string_value(v));
        strcat(pat, ")");
        first = 0;
    }
    strcat(pat, ")$");
    *out = compile(pat, err, errlen, name);
    free(pat);
    return *out ? 0 : -1;
}

/* The host label a urlPattern cannot match without, when the pattern is of the usual form
 * ^https?:\/\/(?:[a-z0-9-]+\.)*?LABEL\.... This is what indexes providers by host. */
static void index_label(const char *pat, char *label, size_t cap)
{
    static const char *const prefixes[] = {"^https?:\\/\\/(?:[a-z0-9-]+\\.)*?", "^https?:\\/\\/"};
    label[0] = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(prefixes[k]);
        if (strncmp(pat, prefixes[k], pl) != 0) continue;
        const char *s = pat + pl, *e = s;
        while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '-')
            e++;
        if (e - s < 2 || (size_t)(e - s) >= cap) return;
        if (!(strncmp(e, "\\.", 2) == 0 || strncmp(e, "(?:\\.", 5) == 0)) return;
        memcpy(label, s, (size_t)(e - s));
        label[e - s] = 0;
        return;
    }
}

static int host_has_label(const char *host, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = host; *p;) {
        size_t l = strcspn(p, ".");
        if (l == n && strncmp(p, label, n) == 0) return 1;
        p += l;
        if (*p) p++;
    }
    return 0;
}

struct wn_clearurls *wn_clearurls_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
        return NULL;
    }
    json_t *providers = json_object_get(root, "providers");
    struct wn_clearurls *c = calloc(1, sizeof *c);
    if (!json_is_object(providers) || !c) {
        snprintf(err, errlen, "%s: no \"providers\" object", path);
        json_decref(root);
        free(c);
        return NULL;
    }
    c->p = calloc(json_object_size(providers), sizeof *c->p);
    const char *name;
    json_t *pv;
    char msg[256];
    int bad = !c->p;
    json_object_foreach(providers, name, pv)
    {
        if (bad) break;
        /* The add-on's own self-test providers are not for real URLs. */
        if (strncmp(name, "ClearURLsTest", 13) == 0) continue;
        json_t *up = json_object_get(pv, "urlPattern");
        if (!json_is_string(up)) continue;
        struct provider *p = &c->p[c->n];
        p->name = strdup(name);
        p->complete = json_is_true(json_object_get(pv, "completeProvider"));
        index_label(json_string_value(up), p->label, sizeof p->label);
        c->n++;
        if (!p->name || !(p->url_pattern = compile(json_string_value(up), msg, sizeof msg, name)) ||
            compile_keys(json_object_get(pv, "rules"), &p->keys, msg, sizeof msg, name) ||
            compile_keys(json_object_get(pv, "referralMarketing"), &p->referral, msg, sizeof msg,
                         name) ||
            compile_list(json_object_get(pv, "rawRules"), &p->raw, &p->nraw, msg, sizeof msg,
                         name) ||
            compile_list(json_object_get(pv, "exceptions"), &p->exceptions, &p->nexceptions, msg,
                         sizeof msg, name) ||
            compile_list(json_object_get(pv, "redirections"), &p->redirections, &p->nredirections,
                         msg, sizeof msg, name)) {
            snprintf(err, errlen, "%s: %s", path, msg);
            bad = 1;
        }
    }
    json_decref(root);
    if (!bad && !(c->md = pcre2_match_data_create(8, NULL))) bad = 1;
    if (bad) {
        wn_clearurls_free(c);
        return NULL;
    }
    return c;
}

static int match(const struct wn_clearurls *c, pcre2_code *re, const char *s, size_t len)
{
    return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, c->md, NULL) >= 0;
}

struct key_ctx {
    const struct wn_clearurls *c;
    const struct provider *p;
    int referral;
};

static int drop_key(void *ctx, const char *key, size_t n)
{
    struct key_ctx *k = ctx;
    if (k->p->keys && match(k->c, k->p->keys, key, n)) return 1;
    return k->referral && k->p->referral && match(k->c, k->p->referral, key, n);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* decodeURIComponent for the captured target of a redirection. */
static char *url_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

static void note(char *removed, size_t cap, const char *what)
{
    if (!removed || !cap) return;
    size_t l = strlen(removed);
    snprintf(removed + l, cap - l, "%s%s", l ? "&" : "", what);
}

/* Deletes every match of re from *s (rawRules). */
static void delete_matches(const struct wn_clearurls *c, pcre2_code *re, char *s, size_t *len)
{
    size_t start = 0;
    while (start <= *len && pcre2_match(re, (PCRE2_SPTR)s, *len, start, 0, c->md, NULL) >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
        if (ov[1] <= ov[0]) {
            start = ov[0] + 1;
            continue;
        }
        memmove(s + ov[0], s + ov[1], *len - ov[1] + 1);
        *len -= ov[1] - ov[0];
        start = ov[0];
    }
}

char *wn_clearurls_apply(const struct wn_clearurls *c, const char *url, size_t len,
                         int strip_referral, char *removed, size_t removed_cap)
{
    if (removed && removed_cap) removed[0] = 0;
    char *cur = malloc(len + 1);
    if (!cur) return NULL;
    memcpy(cur, url, len);
    cur[len] = 0;
    size_t n = len;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        struct wn_url_parts parts;
        if (wn_url_parse(cur, n, &parts) != 0) return cur;
        int redirected = 0;
        for (size_t i = 0; i < c->n && !redirected; i++) {
            const struct provider *p = &c->p[i];
            if (p->label[0] && !host_has_label(parts.host, p->label)) continue;
            if (!match(c, p->url_pattern, cur, n)) continue;
            int excepted = 0;
            for (size_t k = 0; k < p->nexceptions && !excepted; k++)
                excepted = match(c, p->exceptions[k], cur, n);
            /* completeProvider blocks a whole site in the browser; text keeps the link. */
            if (excepted || p->complete) continue;
            for (size_t k = 0; k < p->nredirections; k++) {
                if (pcre2_match(p->redirections[k], (PCRE2_SPTR)cur, n, 0, 0, c->md, NULL) < 2)
                    continue;
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
                if (ov[2] == PCRE2_UNSET || ov[3] <= ov[2]) continue;
                char *target = url_decode(cur + ov[2], ov[3] - ov[2]);
                struct wn_url_parts tp;
                if (target && wn_url_parse(target, strlen(target), &tp) == 0 &&
                    strncasecmp(target, "http", 4) == 0) {
                    free(cur);
                    cur = target;
                    n = strlen(cur);
                    note(removed, removed_cap, "redirect");
                    redirected = 1;
                    break;
                }
                free(target);
            }
            if (redirected) break;
            for (size_t k = 0; k < p->nraw; k++) {
                size_t before = n;
                delete_matches(c, p->raw[k], cur, &n);
                if (n != before) note(removed, removed_cap, "raw");
            }
            if ((p->keys || (strip_referral && p->referral)) && wn_url_parse(cur, n, &parts) == 0) {
                struct key_ctx kc = {c, p, strip_referral};
                char *out = malloc(n + 1), what[256];
                size_t outlen;
                if (out && wn_url_strip_keys(cur, n, &parts, drop_key, &kc, out, &outlen, what,
                                             sizeof what) > 0) {
                    free(cur);
                    cur = out;
                    n = outlen;
                    note(removed, removed_cap, what);
                } else {
                    free(out);
                }
            }
        }
        if (!redirected) break;
    }
    return cur;
}

size_t wn_clearurls_provider_count(const struct wn_clearurls *c)
{
    return c->n;
}

static void free_list(pcre2_code **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pcre2_code_free(l[i]);
    free(l);
}

void wn_clearurls_free(struct wn_clearurls *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        struct provider *p = &c->p[i];
        free(p->name);
        pcre2_code_free(p->url_pattern);
        pcre2_code_free(p->keys);
        pcre2_code_free(p->referral);
        free_list(p->raw, p->nraw);
        free_list(p->exceptions, p->nexceptions);
        free_list(p->redirections, p->nredirections);
    }
    free(c->p);
    pcre2_match_data_free(c->md);
    free(c);
}
