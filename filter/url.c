/* url.c: URL finding in article text, parsing with uriparser, and raw-byte removal of query
 * keys. Queries are edited in place rather than dissected and composed, which re-encodes them. */
#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uriparser/Uri.h>

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A URL may not start right after these: they would make it part of a word, an e-mail
 * address or a longer URL. */
static int glued_before(unsigned char c)
{
    return is_alnum(c) || strchr("@._/-:%+=&~#$", c) != NULL;
}

/* Bytes that end a URL in running text. Non-ASCII ends it too: uriparser cannot parse it,
 * and curly quotes or an ellipsis right after a link are common in scraped text. */
static int ends_url(unsigned char c)
{
    return c <= 0x20 || c >= 0x7f || strchr("<>\"`{}|\\^", c) != NULL;
}

static int starts_with_ci(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len >= n && strncasecmp(s, lit, n) == 0;
}

/* Length of a host name "label(.label)+" at s whose last label is 2-63 letters, or 0. */
static size_t host_len(const char *s, size_t len, int *labels)
{
    size_t i = 0, label_start = 0;
    int n = 0, last_alpha = 1;
    for (;;) {
        size_t a = i;
        last_alpha = 1;
        while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '-')) {
            if (!isalpha((unsigned char)s[i])) last_alpha = 0;
            i++;
        }
        if (i == a || i - a > 63 || i > 253) return 0; /* no host name is longer */
        label_start = a;
        n++;
        if (i + 1 < len && s[i] == '.' && is_alnum((unsigned char)s[i + 1])) {
            i++;
            continue;
        }
        break;
    }
    size_t tld = i - label_start;
    *labels = n;
    if (n < 2 || !last_alpha || tld < 2) return 0;
    return i;
}

/* Does a URL start at text[i]? Fills span when it does. */
static int url_at(const char *text, size_t len, size_t i, struct wn_url_span *span)
{
    {
        unsigned char c = (unsigned char)text[i];
        if (!is_alnum(c)) return 0;
        if (i > 0 && glued_before((unsigned char)text[i - 1])) return 0;
        const char *s = text + i;
        size_t rest = len - i, body = 0;
        int has_scheme = 0, labels = 0;
        if (starts_with_ci(s, rest, "https://")) {
            body = 8;
            has_scheme = 1;
        } else if (starts_with_ci(s, rest, "http://")) {
            body = 7;
            has_scheme = 1;
        }
        if (has_scheme) {
            if (body >= rest || ends_url((unsigned char)s[body])) return 0;
        } else {
            size_t h = host_len(s, rest, &labels);
            if (!h) return 0;
            int www = starts_with_ci(s, rest, "www.") && labels >= 3;
            /* A bare "word.word" is too often prose ("Node.js"); a path makes it a link. */
            if (!www && !(h + 1 < rest && s[h] == '/' && !ends_url((unsigned char)s[h + 1])))
                return 0;
            if (h < rest && !ends_url((unsigned char)s[h]) && !strchr("/?#:.,;!)]'", s[h]))
                return 0;
        }
        size_t end = i + body;
        while (end < len && !ends_url((unsigned char)text[end]))
            end++;
        /* Trailing punctuation belongs to the sentence, and a closing bracket to the text
         * unless the URL opened one itself (Wikipedia links). Brackets are counted once, so
         * a hostile run of ')' costs linear time. */
        long paren = 0, bracket = 0; /* opened minus closed */
        for (size_t k = i; k < end; k++) {
            paren += (text[k] == '(') - (text[k] == ')');
            bracket += (text[k] == '[') - (text[k] == ']');
        }
        for (;;) {
            if (end <= i + body + 1) break;
            char last = text[end - 1];
            if (strchr(".,;:!?'*", last)) {
                end--;
            } else if (last == ')' && paren < 0) {
                end--;
                paren++;
            } else if (last == ']' && bracket < 0) {
                end--;
                bracket++;
            } else {
                break;
            }
        }
        if (has_scheme && end <= i + body) return 0;
        span->start = i;
        span->end = end;
        span->has_scheme = has_scheme;
        return 1;
    }
}

int wn_url_find(const char *text, size_t len, size_t from, struct wn_url_span *span)
{
    /* Every URL holds a '.' or a ':' (a scheme). Jump between those with memchr and try only
     * the positions of the blank-delimited token around each: most text costs one pass. */
    const char *end = text + len, *dot = NULL, *colon = NULL;
    size_t scan = from, lo = from; /* markers are searched from scan; starts tried from lo */
    if (span->memo == text) {      /* what the last call found still holds from here on */
        if (from >= span->dot_from && from <= span->dot_at) dot = text + span->dot_at;
        if (from >= span->colon_from && from <= span->colon_at) colon = text + span->colon_at;
    }
    span->memo = text;
    while (scan < len) {
        if (!dot || dot < text + scan) {
            dot = memchr(text + scan, '.', len - scan);
            if (!dot) dot = end; /* none left: never searched again */
            span->dot_from = scan;
            span->dot_at = (size_t)(dot - text);
        }
        if (!colon || colon < text + scan) {
            colon = memchr(text + scan, ':', len - scan);
            if (!colon) colon = end;
            span->colon_from = scan;
            span->colon_at = (size_t)(colon - text);
        }
        const char *m = dot < colon ? dot : colon;
        if (m == end) return 0;
        size_t mi = (size_t)(m - text);
        scan = mi + 1;
        /* A host's dot has a letter or digit after it, a scheme's colon "//": a sentence's
         * full stop or a colon in prose marks no URL, and costs nothing more. */
        if (*m == '.' ? !(mi + 1 < len && is_alnum((unsigned char)text[mi + 1]))
                      : !(mi + 2 < len && text[mi + 1] == '/' && text[mi + 2] == '/'))
            continue;
        size_t t = mi;
        while (t > lo && !isspace((unsigned char)text[t - 1]))
            t--;
        for (size_t k = t; k < mi; k++)
            if (url_at(text, len, k, span)) return 1;
        lo = mi + 1;
    }
    return 0;
}

int wn_url_parse(const char *url, size_t len, struct wn_url_parts *parts)
{
    if (len == 0 || len > WN_URL_MAX) return -1;
    static const char implied[] = "http://";
    size_t prefix = 0;
    char buf[WN_URL_MAX + sizeof implied];
    if (!starts_with_ci(url, len, "http://") && !starts_with_ci(url, len, "https://")) {
        for (size_t k = 0; k + 3 <= len; k++)
            if (memcmp(url + k, "://", 3) == 0) return -1; /* another scheme */
        prefix = sizeof implied - 1;
    }
    memcpy(buf, implied, prefix);
    memcpy(buf + prefix, url, len);
    const char *first = buf, *after = buf + prefix + len, *errpos = NULL;
    UriUriA uri;
    if (uriParseSingleUriExA(&uri, first, after, &errpos) != URI_SUCCESS) return -1;
    int rc = -1;
    size_t hl = (size_t)(uri.hostText.afterLast - uri.hostText.first);
    if (!uri.scheme.first || !uri.hostText.first || hl == 0 || hl >= sizeof parts->host) goto out;
    size_t sl = (size_t)(uri.scheme.afterLast - uri.scheme.first);
    if (sl == 5 && strncasecmp(uri.scheme.first, "https", 5) == 0)
        parts->https = 1;
    else if (sl == 4 && strncasecmp(uri.scheme.first, "http", 4) == 0)
        parts->https = 0;
    else
        goto out;
    for (size_t k = 0; k < hl; k++)
        parts->host[k] = (char)tolower((unsigned char)uri.hostText.first[k]);
    parts->host[hl] = 0;
    parts->port = 0;
    const char *auth_end = uri.hostText.afterLast;
    if (uri.hostData.ip6 || uri.hostData.ipFuture.first) auth_end++; /* the ']' */
    if (uri.portText.first) {
        size_t pl = (size_t)(uri.portText.afterLast - uri.portText.first);
        if (pl > 5) goto out;
        for (const char *p = uri.portText.first; p < uri.portText.afterLast; p++)
            parts->port = parts->port * 10 + (*p - '0');
        if (pl && (parts->port == 0 || parts->port > 65535)) goto out;
        auth_end = uri.portText.afterLast;
    }
    parts->path_start = (size_t)(auth_end - first) - prefix;
    parts->query_start = -1;
    parts->query_end = 0;
    parts->frag_start = -1;
    parts->frag_end = 0;
    if (uri.query.first) {
        parts->query_start = (long)(uri.query.first - first - (long)prefix);
        parts->query_end = (size_t)(uri.query.afterLast - first) - prefix;
    }
    if (uri.fragment.first) {
        parts->frag_start = (long)(uri.fragment.first - first - (long)prefix);
        parts->frag_end = (size_t)(uri.fragment.afterLast - first) - prefix;
    }
    rc = 0;
out:
    uriFreeUriMembersA(&uri);
    return rc;
}

/* Writes the '&'-separated pieces of src[a..b) that `drop` keeps, with `marker` ('?' or '#')
 * in front, or nothing when removal left no piece with content. */
static size_t strip_region(const char *src, size_t a, size_t b, char marker, wn_key_pred drop,
                           void *ctx, char *out, int *nremoved, char *removed, size_t cap,
                           size_t *rlen)
{
    size_t o = 0, kept_content = 0;
    int removed_here = 0, first = 1;
    out[o++] = marker;
    for (size_t p = a; p <= b;) {
        const char *amp = memchr(src + p, '&', b - p);
        size_t e = amp ? (size_t)(amp - src) : b;
        const char *eq = memchr(src + p, '=', e - p);
        size_t klen = eq ? (size_t)(eq - (src + p)) : e - p;
        if (e > p && drop(ctx, src + p, klen)) {
            removed_here++;
            if (removed && *rlen + (e - p) + 2 < cap) {
                if (*rlen) removed[(*rlen)++] = '&';
                memcpy(removed + *rlen, src + p, e - p);
                *rlen += e - p;
                removed[*rlen] = 0;
            }
        } else {
            if (!first) out[o++] = '&';
            memcpy(out + o, src + p, e - p);
            o += e - p;
            kept_content += e - p;
            first = 0;
        }
        p = e + 1;
        if (!amp) break;
    }
    *nremoved += removed_here;
    if (removed_here && kept_content == 0) return 0;
    return o;
}

int wn_url_strip_keys(const char *url, size_t len, const struct wn_url_parts *parts,
                      wn_key_pred drop, void *ctx, char *out, size_t *outlen, char *removed,
                      size_t removed_cap)
{
    size_t o = 0, pos = 0, rlen = 0;
    int n = 0;
    if (removed && removed_cap) removed[0] = 0;
    if (parts->query_start > 0) {
        size_t qs = (size_t)parts->query_start;
        memcpy(out + o, url + pos, qs - 1 - pos);
        o += qs - 1 - pos;
        o += strip_region(url, qs, parts->query_end, '?', drop, ctx, out + o, &n, removed,
                          removed_cap, &rlen);
        pos = parts->query_end;
    }
    if (parts->frag_start > 0) {
        size_t fs = (size_t)parts->frag_start, fe = parts->frag_end;
        /* Only a fragment written as key=value pairs carries parameters. */
        if (memchr(url + fs, '=', fe - fs)) {
            memcpy(out + o, url + pos, fs - 1 - pos);
            o += fs - 1 - pos;
            o +=
                strip_region(url, fs, fe, '#', drop, ctx, out + o, &n, removed, removed_cap, &rlen);
            pos = fe;
        }
    }
    memcpy(out + o, url + pos, len - pos);
    o += len - pos;
    out[o] = 0;
    *outlen = o;
    return n;
}

char *wn_url_resolve(const char *base, const char *ref)
{
    size_t bl = strlen(base), rl = strlen(ref);
    if (bl == 0 || bl > WN_URL_MAX || rl == 0 || rl > WN_URL_MAX) return NULL;
    UriUriA b, r, abs;
    const char *errpos;
    char *result = NULL;
    if (uriParseSingleUriExA(&b, base, base + bl, &errpos) != URI_SUCCESS) return NULL;
    if (uriParseSingleUriExA(&r, ref, ref + rl, &errpos) != URI_SUCCESS) {
        uriFreeUriMembersA(&b);
        return NULL;
    }
    if (uriAddBaseUriExA(&abs, &r, &b, URI_RESOLVE_STRICTLY) == URI_SUCCESS) {
        int need = 0;
        if (uriToStringCharsRequiredA(&abs, &need) == URI_SUCCESS && need < WN_URL_MAX * 2 &&
            (result = malloc((size_t)need + 1)) != NULL) {
            if (uriToStringA(result, &abs, need + 1, NULL) != URI_SUCCESS) {
                free(result);
                result = NULL;
            }
        }
        uriFreeUriMembersA(&abs);
    }
    uriFreeUriMembersA(&b);
    uriFreeUriMembersA(&r);
    if (result) {
        /* "http://" or "https://" as written: wn_url_parse would read "http:/?q" or
         * "http.evil:1" (no authority, another scheme) as a host with http:// implied */
        struct wn_url_parts parts;
        if ((strncasecmp(result, "http://", 7) != 0 && strncasecmp(result, "https://", 8) != 0) ||
            wn_url_parse(result, strlen(result), &parts)) {
            free(result);
            result = NULL;
        }
    }
    return result;
}
