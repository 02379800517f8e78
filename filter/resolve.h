/* resolve.h: follows short links over HTTP with libcurl's multi interface, one hop at a time,
 * many links at once, refusing connections to non-public addresses unless allowed. */
#ifndef WN_RESOLVE_H
#define WN_RESOLVE_H

#include <stddef.h>

#include "winnow.h"

/* The libcurl resolve.c loads (dlopen) when the first resolver is made; winnow --version
 * names it. */
#define WN_LIBCURL "libcurl.so.4"

struct wn_resolver;

/* How one link ended. `final` is set when ok; `reason` says why not otherwise. */
struct wn_resolution {
    int ok;
    const char *final;
    const char *reason;
    int hops;    /* HTTP requests made, not counting retries */
    int retries; /* hops sent again on a fresh connection after a dead reused one */
};

typedef void (*wn_resolve_done_fn)(void *ctx, const char *url, const struct wn_resolution *res);

/* Shortener hosts come from `rules` (kind shortener). `o` must outlive the resolver. */
struct wn_resolver *wn_resolver_new(winnow_rules *rules, const struct winnow_link_options *o,
                                    wn_resolve_done_fn done, void *ctx, char *err, size_t errlen);

/* What wn_resolver_new would refuse in `o` that needs no libcurl to see (a --connect-to that
 * is not HOST:PORT:ADDR:PORT): 0, or -1 with the message in err. */
int wn_resolver_check_options(const struct winnow_link_options *o, char *err, size_t errlen);

/* Queues an absolute http(s) URL; at most `jobs` are in flight, the rest wait their turn. */
int wn_resolver_submit(struct wn_resolver *r, const char *url);

/* Links queued or in flight. */
size_t wn_resolver_pending(const struct wn_resolver *r);

/* Moves transfers on, waiting up to wait_ms for activity (0: never blocks), and calls `done`
 * for each link that finished. */
int wn_resolver_run(struct wn_resolver *r, int wait_ms);

/* True when `host` (lower case) is a known shortener. */
int wn_resolver_is_shortener(struct wn_resolver *r, const char *host);

/* Where a page sends its reader (a meta refresh's url=, or location.replace("...")) in
 * body[0..len), which need not be terminated: a string to free, or NULL. */
char *wn_page_redirect(const char *body, size_t len);

/* The SSRF check of one connection: NULL when a request for host:port may use a connection
 * to ip (numeric text) port ip_port, else the range that refuses it. Private addresses pass
 * with --allow-private, and a --connect-to mapping is trusted for exactly its host, port,
 * address and address port. Used before connecting and again before every request. */
const char *wn_resolver_check_peer(const struct wn_resolver *r, const char *host, int port,
                                   const char *ip, int ip_port);

/* For tests only (tests/fuzz/fuzz_resolve.c, a transport that never leaves the process): once
 * set, before the first submit, a connection that the SSRF check lets through to ip:port gets
 * its socket from hook, already connected (one end of a socketpair, say), instead of from
 * socket(), and libcurl is told not to connect it (7.88 still calls connect(): curl #10626).
 * hook returns the socket, or -1 to refuse. */
typedef int (*wn_socket_hook)(void *ctx, const char *ip, int port);
void wn_resolver_set_socket_hook(struct wn_resolver *r, wn_socket_hook hook, void *ctx);

void wn_resolver_free(struct wn_resolver *r);

#endif
