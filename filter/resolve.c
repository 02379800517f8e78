/* resolve.c: the HTTP side of --resolve: one hop per request (never curl's own redirect
 * following), headers only, many links at once over reused connections, SSRF-checked sockets. */
#include "resolve.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netguard.h"
#include "rules.h"
#include "url.h"

/* curl_global_init must run once per process before any other libcurl call, and is not
 * thread-safe in every libcurl build; filters (and so resolvers) may be made in several
 * threads at once, so a plain "done" flag was a data race. pthread_once runs it exactly once
 * and makes its result visible to every thread that passes it. Never undone
 * (curl_global_cleanup): another thread may be using libcurl. */
/* libcurl is loaded when the first resolver is made, not when winnow starts: most runs never
 * resolve a link, and libcurl brings its TLS and protocol libraries with it (about 3 MB of
 * resident memory). Each function winnow calls, by the name libcurl exports it under. */
#define CURL_FUNCTIONS(X)                                                                          \
    X(CURLcode, global_init, (long))                                                               \
    X(CURL *, easy_init, (void))                                                                   \
    X(CURLcode, easy_setopt, (CURL *, CURLoption, ...))                                            \
    X(void, easy_cleanup, (CURL *))                                                                \
    X(CURLcode, easy_getinfo, (CURL *, CURLINFO, ...))                                             \
    X(const char *, easy_strerror, (CURLcode))                                                     \
    X(struct curl_slist *, slist_append, (struct curl_slist *, const char *))                      \
    X(void, slist_free_all, (struct curl_slist *))                                                 \
    X(CURLM *, multi_init, (void))                                                                 \
    X(CURLMcode, multi_setopt, (CURLM *, CURLMoption, ...))                                        \
    X(CURLMcode, multi_add_handle, (CURLM *, CURL *))                                              \
    X(CURLMcode, multi_remove_handle, (CURLM *, CURL *))                                           \
    X(CURLMcode, multi_perform, (CURLM *, int *))                                                  \
    X(CURLMcode, multi_poll, (CURLM *, struct curl_waitfd[], unsigned, int, int *))                \
    X(CURLMsg *, multi_info_read, (CURLM *, int *))                                                \
    X(CURLMcode, multi_cleanup, (CURLM *))
#define CURL_FIELD(ret, name, args) ret(*name) args;
static struct {
    CURL_FUNCTIONS(CURL_FIELD)
} lc;
#undef CURL_FIELD

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;
static char curl_load_error[200];

static void curl_init_once(void)
{
    void *lib = dlopen(WN_LIBCURL, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(curl_load_error, sizeof curl_load_error, "%s", dlerror());
        return;
    }
    int missing = 0;
#define CURL_LOAD(ret, name, args)                                                                 \
    if (!(*(void **)&lc.name = dlsym(lib, "curl_" #name))) missing = 1;
    CURL_FUNCTIONS(CURL_LOAD)
#undef CURL_LOAD
    if (missing) {
        snprintf(curl_load_error, sizeof curl_load_error, WN_LIBCURL " lacks a function");
        dlclose(lib);
        return;
    }
    curl_init_rc = lc.global_init(CURL_GLOBAL_DEFAULT);
}

#define HEADER_CAP (16 * 1024) /* more header bytes than this from one response: refuse */
#define BODY_CAP (16 * 1024)   /* bytes of a 200 text/html page searched for a refresh */
#define SMALL_BODY                                                                                 \
    4096 /* announced redirect bodies this small are read to keep the                              \
            connection alive; bigger ones are cut off */

struct mapping {
    char host[256];
    int port;      /* 0: any */
    char addr[64]; /* numeric address the mapping connects to ("" when it names a host) */
    int addr_port; /* 0: same port */
    int any_host;
};

struct job {
    struct job *next;
    struct job *run_prev, *run_next; /* in the running list */
    struct wn_resolver *r;
    CURL *easy;
    char *orig, *cur;
    char **seen;
    int nseen, hops;
    int retrying; /* the request in flight repeats this hop on a fresh connection */
    int retries;  /* hops repeated so (for wn_resolution) */
    long long deadline;
    /* The response being read. */
    long status;
    char *location;
    int html, aborted, header_overflow;
    long long content_length;
    size_t header_bytes, body_len, discarded;
    char *body; /* BODY_CAP bytes, only while a 200 text/html page is read */
    char refused[160];
    char host[256];
    int port;
};

struct wn_resolver {
    const struct winnow_link_options *o;
    CURLM *multi;
    struct curl_slist *connect_to;
    struct mapping *maps;
    size_t nmaps;
    const struct wn_rule **shorteners;
    size_t nshorteners;
    pcre2_match_data *md;
    wn_resolve_done_fn done;
    void *ctx;
    struct job *queue_head, *queue_tail;
    struct job *running_list;
    size_t queued, running;
    wn_socket_hook sock_hook; /* tests only: see wn_resolver_set_socket_hook */
    void *sock_ctx;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wn_resolver_is_shortener(struct wn_resolver *r, const char *host)
{
    size_t ms, me, n = strlen(host);
    if (strcmp(host, "t.co") == 0) return 1;
    for (size_t i = 0; i < r->nshorteners; i++)
        if (wn_rule_match(r->shorteners[i], host, n, 0, r->md, &ms, &me) && ms == 0 && me == n)
            return 1;
    return 0;
}

/* Parses "HOST:PORT:ADDR:PORT" (curl's syntax; ADDR may be [v6]). */
static int parse_mapping(const char *s, struct mapping *m)
{
    memset(m, 0, sizeof *m);
    const char *c1 = strchr(s, ':');
    if (!c1 || (size_t)(c1 - s) >= sizeof m->host) return -1;
    memcpy(m->host, s, (size_t)(c1 - s));
    m->any_host = c1 == s;
    for (char *p = m->host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *c2 = strchr(c1 + 1, ':');
    if (!c2) return -1;
    m->port = atoi(c1 + 1);
    const char *a = c2 + 1, *ae;
    if (*a == '[') {
        ae = strchr(a, ']');
        if (!ae) return -1;
        a++;
    } else {
        ae = strrchr(a, ':');
        if (!ae) ae = a + strlen(a);
    }
    if ((size_t)(ae - a) >= sizeof m->addr) return -1;
    memcpy(m->addr, a, (size_t)(ae - a));
    const char *pc = strchr(ae, ':');
    m->addr_port = pc ? atoi(pc + 1) : 0;
    struct in6_addr tmp;
    if (inet_pton(AF_INET, m->addr, &tmp) != 1 && inet_pton(AF_INET6, m->addr, &tmp) != 1)
        m->addr[0] = 0;
    return 0;
}

/* A --connect-to mapping that the user wrote is trusted, but only for the host and port it
 * names and only towards the address (and port) it names. */
static int trusted_by_mapping(const struct wn_resolver *r, const char *host, int port,
                              const char *ip, int ip_port)
{
    for (size_t i = 0; i < r->nmaps; i++) {
        const struct mapping *m = &r->maps[i];
        if (!m->any_host && strcmp(m->host, host) != 0) continue;
        if (m->port && m->port != port) continue;
        if (m->addr[0]) {
            struct in6_addr x, y;
            int fam = strchr(m->addr, ':') ? AF_INET6 : AF_INET;
            if (inet_pton(fam, m->addr, &x) != 1 || inet_pton(fam, ip, &y) != 1 ||
                memcmp(&x, &y, fam == AF_INET ? 4 : 16) != 0)
                continue;
        }
        if (ip_port != (m->addr_port ? m->addr_port : port)) continue;
        return 1;
    }
    return 0;
}

const char *wn_resolver_check_peer(const struct wn_resolver *r, const char *host, int port,
                                   const char *ip, int ip_port)
{
    if (r->o->allow_private || trusted_by_mapping(r, host, port, ip, ip_port)) return NULL;
    return wn_netguard_text(ip);
}

static void refuse(struct job *j, const char *ip, const char *why)
{
    snprintf(j->refused, sizeof j->refused, "refused address %s (%s)", ip, why);
}

/* Every connection attempt, after DNS: the address about to be connected is checked. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct job *j = clientp;
    char text[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    (void)purpose;
    if (a->family == AF_INET) {
        const struct sockaddr_in *s = (const void *)&a->addr;
        inet_ntop(AF_INET, &s->sin_addr, text, sizeof text);
        port = ntohs(s->sin_port);
    } else if (a->family == AF_INET6) {
        const struct sockaddr_in6 *s = (const void *)&a->addr;
        inet_ntop(AF_INET6, &s->sin6_addr, text, sizeof text);
        port = ntohs(s->sin6_port);
    } else {
        refuse(j, text, "not an IP address");
        return CURL_SOCKET_BAD;
    }
    const char *why = wn_resolver_check_peer(j->r, j->host, j->port, text, port);
    if (why) {
        refuse(j, text, why);
        return CURL_SOCKET_BAD;
    }
    if (j->r->sock_hook) return j->r->sock_hook(j->r->sock_ctx, text, port);
    return socket(a->family, a->socktype, a->protocol);
}

/* With a socket hook, the socket comes connected. */
static int already_connected(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
    (void)clientp;
    (void)fd;
    (void)purpose;
    return CURL_SOCKOPT_ALREADY_CONNECTED;
}

void wn_resolver_set_socket_hook(struct wn_resolver *r, wn_socket_hook hook, void *ctx)
{
    r->sock_hook = hook;
    r->sock_ctx = ctx;
}

/* Just before each request is sent, on a new or a reused connection: the address the
 * connection actually reached is checked again (a reused connection opened no socket). */
static int before_request(void *clientp, char *conn_primary_ip, char *conn_local_ip,
                          int conn_primary_port, int conn_local_port)
{
    struct job *j = clientp;
    (void)conn_local_ip;
    (void)conn_local_port;
    const char *ip = conn_primary_ip ? conn_primary_ip : "";
    const char *why = wn_resolver_check_peer(j->r, j->host, j->port, ip, conn_primary_port);
    if (why) {
        refuse(j, *ip ? ip : "?", why);
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    struct job *j = ud;
    size_t len = size * n;
    j->header_bytes += len;
    if (j->header_bytes > HEADER_CAP) {
        j->header_overflow = 1;
        return 0;
    }
    if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        /* A new response (after a 100 Continue, say): forget the previous one's headers. */
        free(j->location);
        j->location = NULL;
        j->html = 0;
        j->content_length = -1;
        const char *sp = memchr(buf, ' ', len);
        j->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        return len;
    }
    const char *colon = memchr(buf, ':', len);
    if (!colon) return len;
    size_t klen = (size_t)(colon - buf);
    const char *v = colon + 1, *e = buf + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (klen == 8 && strncasecmp(buf, "location", 8) == 0) {
        free(j->location);
        j->location = malloc((size_t)(e - v) + 1);
        if (j->location) {
            memcpy(j->location, v, (size_t)(e - v));
            j->location[e - v] = 0;
        }
    } else if (klen == 12 && strncasecmp(buf, "content-type", 12) == 0) {
        j->html = (size_t)(e - v) >= 9 && strncasecmp(v, "text/html", 9) == 0;
    } else if (klen == 14 && strncasecmp(buf, "content-length", 14) == 0) {
        j->content_length = strtoll(v, NULL, 10);
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ud)
{
    struct job *j = ud;
    size_t len = size * n;
    if (j->status == 200 && j->html && (j->body || (j->body = malloc(BODY_CAP)))) {
        size_t room = BODY_CAP - j->body_len, take = len < room ? len : room;
        memcpy(j->body + j->body_len, buf, take);
        j->body_len += take;
        if (j->body_len < BODY_CAP) return len;
    } else if (j->status >= 300 && j->status < 400 && j->content_length >= 0 &&
               j->content_length <= SMALL_BODY && j->discarded + len <= SMALL_BODY) {
        j->discarded += len;
        return len;
    }
    j->aborted = 1;
    return 0; /* stop reading: the headers said all we need */
}

static const char *find_ci(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(hay + i, needle, n) == 0) return hay + i;
    return NULL;
}

/* The target of a meta refresh or a location.replace("...") script in a page, or NULL. */
char *wn_page_redirect(const char *body, size_t len)
{
    const char *end = body + len, *p;
    char *out = NULL;
    size_t n = 0;
    if ((p = find_ci(body, len, "http-equiv")) && find_ci(p, (size_t)(end - p), "refresh")) {
        const char *tag_end = memchr(p, '>', (size_t)(end - p));
        const char *u = find_ci(p, (size_t)((tag_end ? tag_end : end) - p), "url=");
        if (u) {
            u += 4;
            while (u < end && (*u == '\'' || *u == ' '))
                u++;
            const char *e = u;
            while (e < end && *e != '"' && *e != '\'' && *e != '>' && *e != ' ')
                e++;
            if (e > u && (out = malloc((size_t)(e - u) + 1))) {
                for (const char *s = u; s < e; s++) {
                    /* bounds first: the body is not terminated (a page ending in "&amp"
                     * at the size limit was read past) */
                    if (e - s >= 5 && memcmp(s, "&amp;", 5) == 0) {
                        out[n++] = '&';
                        s += 4;
                    } else {
                        out[n++] = *s;
                    }
                }
                out[n] = 0;
                return out;
            }
        }
    }
    if ((p = find_ci(body, len, "location.replace("))) {
        p += 17;
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;
            const char *e = memchr(p, q, (size_t)(end - p));
            if (e && (out = malloc((size_t)(e - p) + 1))) {
                for (const char *s = p; s < e; s++) {
                    if (*s == '\\' && s + 1 < e) s++; /* "https:\/\/..." */
                    out[n++] = *s;
                }
                out[n] = 0;
                return out;
            }
        }
    }
    return NULL;
}

/* A fresh handle for each request, never a used one: libcurl before 8.1.0 keeps a pointer to
 * the last header of a handle's previous response, and a response that opens with a folded
 * header line writes through it after it was freed (curl #11101, found by fuzz_resolve). The
 * connections stay in the multi handle's pool. */
static CURL *new_easy(struct wn_resolver *r)
{
    CURL *e = lc.easy_init();
    if (!e) return NULL;
    const struct winnow_link_options *o = r->o;
    lc.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    lc.easy_setopt(e, CURLOPT_USERAGENT, "winnow/" WINNOW_VERSION);
    lc.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    lc.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    lc.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    /* A proxy would be the only address the guard sees. */
    lc.easy_setopt(e, CURLOPT_PROXY, "");
    lc.easy_setopt(e, CURLOPT_NOPROXY, "*");
    lc.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    lc.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (o->cacert) lc.easy_setopt(e, CURLOPT_CAINFO, o->cacert);
    if (r->connect_to) lc.easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
    lc.easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    if (r->sock_hook) lc.easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, already_connected);
    lc.easy_setopt(e, CURLOPT_PREREQFUNCTION, before_request);
    lc.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    lc.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    lc.easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    lc.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 20);
    return e;
}

static void release_easy(struct wn_resolver *r, CURL *e)
{
    (void)r;
    if (e) lc.easy_cleanup(e);
}

static void job_free(struct job *j)
{
    for (int i = 0; i < j->nseen; i++)
        free(j->seen[i]);
    free(j->seen);
    free(j->orig);
    free(j->cur);
    free(j->location);
    free(j->body);
    free(j);
}

static void finish(struct wn_resolver *r, struct job *j, int ok, const char *final,
                   const char *reason)
{
    struct wn_resolution res = {ok, final, reason, j->hops, j->retries};
    if (j->easy) {
        release_easy(r, j->easy);
        j->easy = NULL;
    }
    r->running--;
    if (j->run_prev)
        j->run_prev->run_next = j->run_next;
    else
        r->running_list = j->run_next;
    if (j->run_next) j->run_next->run_prev = j->run_prev;
    r->done(r->ctx, j->orig, &res);
    job_free(j);
}

/* Starts the request for j->cur; on failure finishes the job. */
static void start_hop(struct wn_resolver *r, struct job *j)
{
    struct wn_url_parts p;
    if (wn_url_parse(j->cur, strlen(j->cur), &p) != 0) {
        finish(r, j, 0, NULL, "not an http(s) URL");
        return;
    }
    snprintf(j->host, sizeof j->host, "%s", p.host);
    j->port = p.port ? p.port : p.https ? 443 : 80;
    long left = (long)(j->deadline - now_ms());
    if (left <= 0) {
        finish(r, j, 0, NULL, "timeout");
        return;
    }
    release_easy(r, j->easy); /* the last hop's, if any: see new_easy */
    if (!(j->easy = new_easy(r))) {
        finish(r, j, 0, NULL, "out of memory");
        return;
    }
    free(j->location);
    j->location = NULL;
    j->status = 0;
    j->html = j->aborted = j->header_overflow = 0;
    j->content_length = -1;
    j->header_bytes = j->body_len = j->discarded = 0;
    j->refused[0] = 0;
    j->hops++;
    CURL *e = j->easy;
    lc.easy_setopt(e, CURLOPT_URL, j->cur);
    lc.easy_setopt(e, CURLOPT_HTTPGET, 1L);
    lc.easy_setopt(e, CURLOPT_TIMEOUT_MS, left);
    lc.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, left);
    lc.easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
    lc.easy_setopt(e, CURLOPT_PREREQDATA, j);
    lc.easy_setopt(e, CURLOPT_HEADERDATA, j);
    lc.easy_setopt(e, CURLOPT_WRITEDATA, j);
    lc.easy_setopt(e, CURLOPT_PRIVATE, j);
    lc.easy_setopt(e, CURLOPT_FRESH_CONNECT, (long)j->retrying);
    if (lc.multi_add_handle(r->multi, e) != CURLM_OK) finish(r, j, 0, NULL, "curl refused");
}

static int seen_before(struct job *j, const char *url)
{
    for (int i = 0; i < j->nseen; i++)
        if (strcmp(j->seen[i], url) == 0) return 1;
    return 0;
}

/* A transport failure that a dead kept-alive connection explains, so that the hop is worth
 * one more try on a fresh one: the server closed the connection while it sat idle in the pool
 * and libcurl reused it before the FIN arrived (the request then cannot be sent, or the
 * connection is reset or ends before any byte of an answer; libcurl 7.88 retries some of
 * these itself, not all). Only when the connection was a reused one (CURLINFO_NUM_CONNECTS 0)
 * and nothing of a response came back: a fresh connection failing, or a response cut short
 * (CURLE_PARTIAL_FILE, a header then a reset), is the server's own answer. Every hop is a
 * GET, so sending it twice is safe. */
static int dead_reused_connection(const struct job *j, CURLcode rc)
{
    if (rc != CURLE_SEND_ERROR && rc != CURLE_RECV_ERROR && rc != CURLE_GOT_NOTHING) return 0;
    if (j->header_bytes || j->refused[0]) return 0;
    long connects = -1;
    return lc.easy_getinfo(j->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects == 0;
}

/* Decides what follows a finished request: another hop, a destination, or a failure. */
static void hop_done(struct wn_resolver *r, struct job *j, CURLcode rc)
{
    char why[256];
    lc.multi_remove_handle(r->multi, j->easy);
    if (!j->retrying && dead_reused_connection(j, rc)) {
        /* Once per hop, and not as a hop of its own (max_hops, the "link itself" test). */
        j->retrying = 1;
        j->retries++;
        j->hops--;
        start_hop(r, j);
        return;
    }
    if (j->refused[0]) {
        finish(r, j, 0, NULL, j->refused);
        return;
    }
    if (j->header_overflow) {
        finish(r, j, 0, NULL, "response headers too large");
        return;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        finish(r, j, 0, NULL, "timeout");
        return;
    }
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && j->aborted)) {
        snprintf(why, sizeof why, "%s%s", lc.easy_strerror(rc),
                 j->retrying ? ", again on a fresh connection" : "");
        {
            finish(r, j, 0, NULL, why);
            return;
        }
    }
    char *next = NULL;
    if (j->status >= 300 && j->status < 400 && j->status != 304) {
        if (!j->location || !*j->location) {
            finish(r, j, 0, NULL, "redirect without a Location");
            return;
        }
        if (!(next = wn_url_resolve(j->cur, j->location))) {
            snprintf(why, sizeof why, "bad Location (HTTP %ld)", j->status);
            {
                finish(r, j, 0, NULL, why);
                return;
            }
        }
    } else if (j->status == 200) {
        char *target = j->body_len ? wn_page_redirect(j->body, j->body_len) : NULL;
        free(j->body);
        j->body = NULL;
        if (target) {
            next = wn_url_resolve(j->cur, target);
            free(target);
        }
        if (!next) {
            /* A page that does not redirect is the destination, unless it is the link
             * itself (a shortener's own page says nothing about where the link goes). */
            if (j->hops == 1) {
                finish(r, j, 0, NULL, "no redirect (HTTP 200)");
                return;
            }
            char *final = j->cur;
            j->cur = NULL;
            finish(r, j, 1, final, NULL);
            free(final);
            return;
        }
    } else {
        snprintf(why, sizeof why, "HTTP %ld", j->status);
        {
            finish(r, j, 0, NULL, why);
            return;
        }
    }
    if (strcmp(next, j->cur) == 0 || seen_before(j, next)) {
        free(next);
        {
            finish(r, j, 0, NULL, "redirect loop");
            return;
        }
    }
    struct wn_url_parts p;
    int go_on = wn_url_parse(next, strlen(next), &p) == 0 &&
                (r->o->follow_all || wn_resolver_is_shortener(r, p.host));
    if (!go_on) {
        finish(r, j, 1, next, NULL);
        free(next);
        return;
    }
    if (j->hops >= r->o->max_hops) {
        free(next);
        snprintf(why, sizeof why, "more than %d hops", r->o->max_hops);
        {
            finish(r, j, 0, NULL, why);
            return;
        }
    }
    char **seen = realloc(j->seen, (size_t)(j->nseen + 1) * sizeof *seen);
    if (!seen) {
        free(next);
        {
            finish(r, j, 0, NULL, "out of memory");
            return;
        }
    }
    j->seen = seen;
    j->seen[j->nseen++] = j->cur;
    j->cur = next;
    j->retrying = 0;
    start_hop(r, j);
}

static void start_queued(struct wn_resolver *r)
{
    while (r->queue_head && r->running < (size_t)r->o->jobs) {
        struct job *j = r->queue_head;
        r->queue_head = j->next;
        if (!r->queue_head) r->queue_tail = NULL;
        r->queued--;
        r->running++;
        j->run_prev = NULL;
        j->run_next = r->running_list;
        if (r->running_list) r->running_list->run_prev = j;
        r->running_list = j;
        /* The deadline runs from the first request, not from the time spent queued. */
        j->deadline = now_ms() + r->o->timeout_ms;
        start_hop(r, j);
    }
}

static void collect(struct wn_resolver *r)
{
    CURLMsg *m;
    int left;
    while ((m = lc.multi_info_read(r->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        struct job *j = NULL;
        lc.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        if (j) hop_done(r, j, m->data.result);
    }
}

int wn_resolver_run(struct wn_resolver *r, int wait_ms)
{
    int still;
    start_queued(r);
    lc.multi_perform(r->multi, &still);
    collect(r);
    start_queued(r);
    if (wait_ms > 0 && r->running) {
        lc.multi_poll(r->multi, NULL, 0, wait_ms, NULL);
        lc.multi_perform(r->multi, &still);
        collect(r);
        start_queued(r);
    }
    return 0;
}

int wn_resolver_submit(struct wn_resolver *r, const char *url)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j || !(j->orig = strdup(url)) || !(j->cur = strdup(url))) {
        if (j) free(j->orig);
        free(j);
        return -1;
    }
    j->r = r;
    if (r->queue_tail)
        r->queue_tail->next = j;
    else
        r->queue_head = j;
    r->queue_tail = j;
    r->queued++;
    start_queued(r);
    return 0;
}

size_t wn_resolver_pending(const struct wn_resolver *r)
{
    return r->queued + r->running;
}

int wn_resolver_check_options(const struct winnow_link_options *o, char *err, size_t errlen)
{
    for (const char *const *c = o->connect_to; c && *c; c++) {
        struct mapping m;
        if (parse_mapping(*c, &m) != 0) {
            snprintf(err, errlen, "--connect-to %s: expected HOST:PORT:ADDR:PORT", *c);
            return -1;
        }
    }
    return 0;
}

struct wn_resolver *wn_resolver_new(winnow_rules *rules, const struct winnow_link_options *o,
                                    wn_resolve_done_fn done, void *ctx, char *err, size_t errlen)
{
    if (pthread_once(&curl_once, curl_init_once) != 0 || curl_init_rc != CURLE_OK) {
        snprintf(err, errlen, "libcurl initialisation failed%s%s", curl_load_error[0] ? ": " : "",
                 curl_load_error);
        return NULL;
    }
    struct wn_resolver *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->o = o;
    r->done = done;
    r->ctx = ctx;
    if (rules) {
        r->nshorteners = wn_rules_of_kind(rules, WN_KIND_SHORTENER, &r->shorteners);
        r->md = pcre2_match_data_create(wn_rules_max_captures(rules) + 1, NULL);
    }
    for (const char *const *c = o->connect_to; c && *c; c++) {
        struct mapping m;
        if (parse_mapping(*c, &m) != 0) {
            snprintf(err, errlen, "--connect-to %s: expected HOST:PORT:ADDR:PORT", *c);
            wn_resolver_free(r);
            return NULL;
        }
        struct mapping *n = realloc(r->maps, (r->nmaps + 1) * sizeof *n);
        struct curl_slist *sl = lc.slist_append(r->connect_to, *c);
        if (n) r->maps = n;
        if (!n || !sl) {
            snprintf(err, errlen, "out of memory");
            wn_resolver_free(r);
            return NULL;
        }
        r->maps[r->nmaps++] = m;
        r->connect_to = sl;
    }
    r->multi = lc.multi_init();
    if (!r->multi) {
        snprintf(err, errlen, "libcurl multi handle failed");
        wn_resolver_free(r);
        return NULL;
    }
    lc.multi_setopt(r->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->per_host);
    lc.multi_setopt(r->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->jobs);
    /* Keep every connection the jobs use, so that each link does not pay for a handshake. */
    lc.multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, (long)o->jobs * 2);
    return r;
}

void wn_resolver_free(struct wn_resolver *r)
{
    if (!r) return;
    struct curl_slist *keep = r->connect_to;
    while (r->queue_head) {
        struct job *j = r->queue_head;
        r->queue_head = j->next;
        job_free(j);
    }
    while (r->running_list) {
        struct job *j = r->running_list;
        r->running_list = j->run_next;
        if (j->easy) {
            lc.multi_remove_handle(r->multi, j->easy);
            lc.easy_cleanup(j->easy);
        }
        job_free(j);
    }
    lc.multi_cleanup(r->multi);
    lc.slist_free_all(keep);
    free(r->maps);
    pcre2_match_data_free(r->md);
    free(r);
}
