/* fuzz_resolve.c: the resolver's response handling over a fake transport (canned bytes on
 * socketpairs, any real connect() fails): links end once, within max_hops, at http(s) URLs. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <uriparser/Uri.h>

#include "fuzz_common.h"
#include "resolve.h"

/* The input: a flags byte (bit 0 follow_all, bits 1-3 max_hops - 1, bits 4-5 links - 1, bit 6
 * four jobs, bit 7 one connection a host), then the canned responses, one for each connection in
 * the order they are opened, separated by SEP (a connection past the last one reads nothing). */
#define SEP "\n#next\n"
#define MAX_CONNS 64

struct fake {
    const uint8_t *resp[MAX_CONNS];
    size_t len[MAX_CONNS];
    int nresp, conns, nthreads;
    int fds[MAX_CONNS]; /* libcurl's ends, each to be closed by libcurl */
    int srv[MAX_CONNS]; /* the server's ends, closed when the input is done */
    pthread_t threads[MAX_CONNS];
};

struct writer {
    int fd;
    const uint8_t *p;
    size_t left;
};

/* The server's side of one connection: its response, then the end of its data. The socket
 * stays open (a closed peer would read as a failed connect: POLLHUP), and what libcurl sends
 * is never read. Ends when all is written or libcurl closed its end (EPIPE). */
static void *serve(void *arg)
{
    struct writer *w = arg;
    while (w->left) {
        ssize_t n = send(w->fd, w->p, w->left, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        w->p += n;
        w->left -= (size_t)n;
    }
    shutdown(w->fd, SHUT_WR);
    free(w);
    return NULL;
}

static struct fake *live; /* the input being run, for connect() and getpeername() */
static int is_fake(int fd);

/* libcurl is told that the sockets come connected (CURL_SOCKOPT_ALREADY_CONNECTED), which
 * libcurl 7.88 forgets (curl #10626): it calls connect() anyway, and finds this one (exported
 * to it with -Wl,--export-dynamic-symbol=connect). A fake socket is connected already; any
 * other connect() in this process is one that could leave it, and fails the input. */
int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    (void)addr;
    (void)len;
    if (is_fake(fd)) return 0;
    fz_fail("a real connect()");
    return -1;
}

static int is_fake(int fd)
{
    for (int k = 0; live && k < live->conns; k++)
        if (live->fds[k] == fd) return 1;
    return 0;
}

/* The address libcurl reads back from a connected socket (and gives the resolver's second SSRF
 * check, before each request): for a fake socket, the mapped 127.0.0.1:80 it stands for. */
int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    if (!is_fake(fd)) return (int)syscall(SYS_getpeername, fd, addr, len);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    memcpy(addr, &a, *len < sizeof a ? *len : sizeof a);
    *len = sizeof a;
    return 0;
}

/* The resolver's only source of sockets, called once its SSRF check let ip:port through: the
 * next canned response, on a socketpair. */
static int fake_socket(void *ctx, const char *ip, int port)
{
    struct fake *f = ctx;
    if (strcmp(ip, "127.0.0.1") != 0 || port != 80)
        fz_fail("a connection that the loopback mapping does not cover");
    if (f->conns == MAX_CONNS) return -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) abort();
    int k = f->conns++;
    f->fds[k] = sv[0];
    f->srv[k] = sv[1];
    struct writer w = {sv[1], k < f->nresp ? f->resp[k] : NULL, k < f->nresp ? f->len[k] : 0};
    while (w.left) { /* what the socket buffer takes now; a thread writes the rest */
        ssize_t n = send(sv[1], w.p, w.left, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) break;
        w.p += n;
        w.left -= (size_t)n;
    }
    if (!w.left) {
        shutdown(sv[1], SHUT_WR);
        return sv[0];
    }
    struct writer *t = malloc(sizeof *t);
    if (!t) abort();
    *t = w;
    if (pthread_create(&f->threads[f->nthreads], NULL, serve, t) != 0) abort();
    f->nthreads++;
    return sv[0];
}

static const char *const links[] = {"http://t.co/a", "http://bit.ly/b", "http://t.co/c",
                                    "http://t.co/a"};

struct outcome {
    int max_hops, nlinks, done[4], hops, retries;
};

static int is_http_url(const char *s)
{
    UriUriA u;
    const char *err;
    if (uriParseSingleUriA(&u, s, &err) != URI_SUCCESS) return 0;
    size_t sl = u.scheme.first ? (size_t)(u.scheme.afterLast - u.scheme.first) : 0;
    int ok = ((sl == 4 && strncasecmp(u.scheme.first, "http", 4) == 0) ||
              (sl == 5 && strncasecmp(u.scheme.first, "https", 5) == 0)) &&
             u.hostText.first && u.hostText.afterLast > u.hostText.first;
    uriFreeUriMembersA(&u);
    return ok;
}

/* How each link ended (FUZZ_VERBOSE=1 prints it): the invariants on a wn_resolution. */
static void on_done(void *ctx, const char *url, const struct wn_resolution *res)
{
    struct outcome *o = ctx;
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "%s: %s %s, %d hops, %d retries\n", url,
                res->ok ? "->" : "failed:", res->ok ? res->final : res->reason, res->hops,
                res->retries);
    int k = 0;
    while (k < o->nlinks && (o->done[k] || strcmp(links[k], url) != 0))
        k++;
    if (k == o->nlinks) fz_fail("a link ended twice, or one never submitted");
    o->done[k] = 1;
    if (res->hops < 1 || res->hops > o->max_hops) fz_fail("hops out of 1..max_hops");
    if (res->retries < 0 || res->retries > res->hops) fz_fail("more retries than hops");
    o->hops += res->hops;
    o->retries += res->retries;
    if (res->ok) {
        if (!res->final || res->reason) fz_fail("a destination with a reason, or none");
        if (!is_http_url(res->final)) fz_fail("a destination that is no http(s) URL with a host");
        if (strcmp(res->final, url) == 0) fz_fail("a link that leads to itself");
    } else if (res->final || !res->reason || !*res->reason) {
        fz_fail("a failure without a reason");
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Each input: a resolver with the default rules' shorteners, --connect-to ::127.0.0.1:80 (every
 * host and port onto the fake server) and no --allow-private, so that the SSRF check passes the
 * mapping only; one to four links, run to the end; then every socket and thread is done. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        signal(SIGPIPE, SIG_IGN);
        once = 1;
    }
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "input of %zu bytes\n", size);
    if (size < 1) return 0;
    unsigned flags = data[0];
    struct fake f = {0};
    const uint8_t *p = data + 1, *end = data + size;
    while (f.nresp < MAX_CONNS) {
        const uint8_t *s = memmem(p, (size_t)(end - p), SEP, sizeof SEP - 1);
        f.resp[f.nresp] = p;
        f.len[f.nresp++] = (size_t)((s ? s : end) - p);
        if (!s) break;
        p = s + sizeof SEP - 1;
    }
    static const char *const connect_to[] = {"::127.0.0.1:80", NULL};
    struct winnow_link_options lo;
    winnow_link_options_init(&lo);
    lo.resolve = 1;
    lo.follow_all = flags & 1;
    lo.max_hops = 1 + (int)((flags >> 1) & 7);
    lo.jobs = flags & 0x40 ? 4 : 1;
    lo.per_host = flags & 0x80 ? 1 : lo.jobs;
    lo.timeout_ms = 5000;
    lo.cacert = "/dev/null"; /* an https hop fails its handshake, without loading the CAs */
    lo.connect_to = connect_to;
    struct outcome o = {lo.max_hops, 1 + (int)((flags >> 4) & 3), {0}, 0, 0};
    char err[256];
    struct wn_resolver *r = wn_resolver_new(fz_rules(), &lo, on_done, &o, err, sizeof err);
    if (!r) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    live = &f;
    wn_resolver_set_socket_hook(r, fake_socket, &f);
    for (int k = 0; k < o.nlinks; k++)
        if (wn_resolver_submit(r, links[k]) != 0) abort();
    long long t0 = now_ms();
    while (wn_resolver_pending(r)) {
        wn_resolver_run(r, 20);
        if (now_ms() - t0 > 15000) fz_fail("the resolver does not finish");
    }
    wn_resolver_free(r);
    live = NULL;
    for (int k = 0; k < f.nthreads; k++)
        pthread_join(f.threads[k], NULL);
    for (int k = 0; k < f.conns; k++)
        close(f.srv[k]);
    for (int k = 0; k < o.nlinks; k++)
        if (!o.done[k]) fz_fail("a link that never ended");
    /* each hop opens one connection at most, and libcurl may retry a dead reused one once */
    if (f.conns > 2 * (o.hops + o.retries)) fz_fail("more connections than hops");
    for (int k = 0; k < f.conns;
         k++) /* closed by libcurl (or reused by a later pair: closed too) */
        if (fcntl(f.fds[k], F_GETFD) != -1) fz_fail("a socket libcurl did not close");
    return 0;
}
