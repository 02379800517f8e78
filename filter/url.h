/* url.h: finds URLs in a line of text, parses them with uriparser and removes query keys
 * from a URL by editing its raw bytes, so that everything else in the URL stays as written. */
#ifndef WN_URL_H
#define WN_URL_H

#include <stddef.h>

/* Longer URLs are left alone: uriparser 0.9.7 recurses on long crafted input. */
#define WN_URL_MAX 8192

/* One URL found in a line: text[start..end) with trailing punctuation already left out. */
struct wn_url_span {
    size_t start, end;
    int has_scheme; /* "http://" or "https://" was written; otherwise http is implied */
    /* where the finder found the next '.' and ':' (from where it looked), for the next call
     * on the same text: a line with no ':' is then searched for one once, not once a URL */
    const char *memo;
    size_t dot_from, dot_at, colon_from, colon_at;
};

/* Finds the first URL that starts at or after `from`. Returns 1 and fills `span`, 0 if none.
 * Recognised: http(s)://..., www.host..., and bare host/path such as "t.co/abc". To find the
 * URLs of a text one after another, zero the span before the first call and pass it back with
 * `from` at or past its last end (the finder then searches each byte once: linear). */
int wn_url_find(const char *text, size_t len, size_t from, struct wn_url_span *span);

/* What a parsed URL is made of, as offsets into the URL text it was parsed from. */
struct wn_url_parts {
    char host[256];    /* lower-case host name, without brackets */
    int port;          /* 0 when none was written */
    int https;         /* scheme is https */
    size_t path_start; /* first byte after the authority */
    long query_start;  /* first byte after '?', -1 when there is no query */
    size_t query_end;
    long frag_start; /* first byte after '#', -1 when there is no fragment */
    size_t frag_end;
};

/* Parses url[0..len) (a scheme-less URL is read as http://). Returns 0 on success, -1 when it
 * is not an absolute http(s) URL with a host, or longer than WN_URL_MAX. */
int wn_url_parse(const char *url, size_t len, struct wn_url_parts *parts);

/* Decides whether a query (or fragment) key goes; `key` is raw (not percent-decoded). */
typedef int (*wn_key_pred)(void *ctx, const char *key, size_t keylen);

/* Copies url to out (which needs len + 1 bytes) without the query and fragment parameters
 * whose key `drop` accepts, together with one '&' next to each; a query or fragment left
 * empty loses its '?' or '#'. Every other byte is kept. Writes the removed "k=v" pieces to
 * `removed` (may be NULL) joined by '&'. Returns the number of parameters removed. */
int wn_url_strip_keys(const char *url, size_t len, const struct wn_url_parts *parts,
                      wn_key_pred drop, void *ctx, char *out, size_t *outlen, char *removed,
                      size_t removed_cap);

/* Resolves `ref` (a Location header value) against the absolute URL `base`. Returns a
 * malloc'd absolute URL, or NULL when either does not parse or the result is not http(s). */
char *wn_url_resolve(const char *base, const char *ref);

#endif
