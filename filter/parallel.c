/* parallel.c: -j (parallel.h): up to N worker processes, forked once the rules are compiled and
 * kept for the run, each given batch after batch of consecutive files over a socket of its own;
 * a batch's output and messages wait in memory files until every batch before it is out. */
#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A worker's share: consecutive files, as many as make BATCH_BYTES or a quarter of a worker's
 * part of what is left: batches shrink as the run nears its end (guided self-scheduling), so no
 * worker waits long for the last one, and while files remain a batch is large enough that the
 * messages and memory files it costs are nothing beside its cleaning. */
#define BATCH_BYTES (8 << 20)
/* Batches given out ahead of the output: more keeps every worker busy behind one slow file,
 * fewer holds less finished output in memory. */
#define BATCHES_AHEAD 4
/* How often (bytes of output) a worker looks whether its output is the next to go. */
#define TURN_CHECK (256u << 10)

/* Messages on a worker's socket, SOCK_SEQPACKET: one message a send, none split or merged. */
enum order_kind { ORDER_BATCH, ORDER_TURN };
struct order { /* run to worker; ORDER_BATCH carries two descriptors: output, messages */
    int kind, batch, first, count;
};
struct report { /* worker to run, when the batch is done */
    int batch, failed, wrote_out, out_errno;
};

struct batch {
    FILE *out, *err; /* what its worker writes, in memory files (the run's descriptors) */
    int first, count;
    int done, failed, wrote_out, out_errno, told;
    int died; /* its worker died: the signal, or -1 for an exit */
};

struct worker {
    pid_t pid; /* 0: not started, or dead */
    int sock;
    int batch; /* the batch it runs, -1: idle */
};

/* In a worker: where its output goes when its turn comes, and the batch it cleans. */
static struct {
    int sock, real_out, batch, direct, out_errno;
    unsigned long long check_at;
} turn = {-1, -1, -1, 0, 0, 0};

/* A worker's output waits in memory (memfd), not in a file under /tmp: a disk's page cache and
 * its journal cost the copy more than the cleaning of news text does. */
static FILE *memory_file(const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) return tmpfile();
    FILE *f = fdopen(fd, "w+");
    if (!f) close(fd);
    return f;
}

/* SIZE bytes of FROM, from its start, to TO: in the kernel (sendfile) where TO takes it. */
static int copy_fd(int to, int from, off_t size)
{
    off_t sent_at = 0;
    while (sent_at < size) {
        ssize_t n = sendfile(to, from, &sent_at, (size_t)(size - sent_at));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
    }
    if (sent_at == size) return 0;
    char chunk[65536];
    for (off_t at = sent_at; at < size;) {
        ssize_t n = pread(from, chunk, sizeof chunk, at);
        if (n <= 0) return -1;
        for (ssize_t put = 0; put < n;) {
            ssize_t w = write(to, chunk + put, (size_t)(n - put));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return -1;
            put += w;
        }
        at += n;
    }
    return 0;
}

/* In a worker: its turn told, what it wrote so far goes out and it writes there from now on.
 * A turn told for a batch it has finished (the run told it as it reported) is stale. */
static void take_turn(FILE *fp)
{
    struct order o;
    if (turn.direct || turn.real_out < 0) return;
    while (recv(turn.sock, &o, sizeof o, MSG_DONTWAIT) == (ssize_t)sizeof o) {
        if (o.kind != ORDER_TURN || o.batch != turn.batch) continue;
        turn.direct = 1; /* the run will not put this batch's bytes out: they are ours now */
        off_t size = fflush(fp) == 0 ? lseek(fileno(fp), 0, SEEK_END) : -1;
        if (size < 0 || copy_fd(turn.real_out, fileno(fp), size) != 0)
            turn.out_errno = errno ? errno : EIO;
        dup2(turn.real_out, fileno(fp));
        return;
    }
}

void wn_parallel_turn(FILE *fp, unsigned long long written)
{
    if (turn.real_out < 0 || turn.direct || written < turn.check_at) return;
    turn.check_at = written + TURN_CHECK;
    take_turn(fp);
}

/* The next order, with the descriptors of a batch; 0 when the run has closed the socket. */
static ssize_t next_order(int sock, struct order *o, int fds[2])
{
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {o, sizeof *o};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
    ssize_t n;
    while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    fds[0] = fds[1] = -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (n > 0 && c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(2 * sizeof(int)))
        memcpy(fds, CMSG_DATA(c), 2 * sizeof(int));
    return n;
}

/* A worker's life: a batch at a time, its stdout and stderr the batch's memory files, until
 * the run closes its socket. */
static _Noreturn void work(const struct wn_parallel *p, char **paths)
{
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    struct order o;
    int fds[2];
    for (ssize_t n; (n = next_order(turn.sock, &o, fds)) != 0;) {
        if (n != (ssize_t)sizeof o || o.kind != ORDER_BATCH || fds[0] < 0) {
            if (fds[0] >= 0) close(fds[0]), close(fds[1]);
            if (n < 0) break;
            continue; /* a stale turn */
        }
        dup2(fds[0], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        clearerr(stdout);
        clearerr(stderr);
        turn.batch = o.batch;
        turn.direct = turn.out_errno = 0;
        turn.check_at = 0;
        struct report r = {o.batch, 0, 0, 0};
        r.failed = p->clean(p->ctx, paths + o.first, o.count, &r.out_errno);
        fflush(NULL);
        take_turn(stdout); /* told while its last bytes were written: they go out from here */
        fflush(NULL);
        r.wrote_out = turn.direct;
        if (turn.out_errno) r.out_errno = turn.out_errno;
        dup2(devnull, 1); /* the memory files are the run's now: freed when it is done */
        dup2(devnull, 2);
        if (send(turn.sock, &r, sizeof r, MSG_NOSIGNAL) != (ssize_t)sizeof r) break;
    }
    _exit(0);
}

/* Forks worker K. In it, the descriptors of the other workers and of the batches waiting are
 * closed: a worker must not keep another's socket open (its end would never be seen) nor a
 * batch's memory alive after the run is done with it. */
static int spawn(const struct wn_parallel *p, char **paths, struct worker *w, long jobs, int k,
                 const struct batch *b, int from, int to)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pair[0]);
        close(pair[1]);
        return -1;
    }
    if (pid > 0) {
        close(pair[1]);
        w[k] = (struct worker){pid, pair[0], -1};
        return 0;
    }
    close(pair[0]);
    for (long i = 0; i < jobs; i++)
        if (w[i].pid > 0) close(w[i].sock);
    for (int i = from; i < to; i++)
        if (b[i].out) close(fileno(b[i].out)), close(fileno(b[i].err));
    turn.sock = pair[1];
    turn.real_out = p->out ? dup(fileno(p->out)) : -1;
    work(p, paths);
}

/* An idle worker, started when none is and fewer than JOBS run; -1 when none can be had. */
static int idle_worker(const struct wn_parallel *p, char **paths, struct worker *w, long jobs,
                       const struct batch *b, int from, int to)
{
    int free_slot = -1;
    for (long i = 0; i < jobs; i++) {
        if (w[i].pid > 0 && w[i].batch < 0) return (int)i;
        if (w[i].pid == 0 && free_slot < 0) free_slot = (int)i;
    }
    if (free_slot < 0 || spawn(p, paths, w, jobs, free_slot, b, from, to) != 0) return -1;
    return free_slot;
}

static int batch_end(char **paths, int from, int n, long jobs)
{
    int most = (int)((n - from) / (jobs * BATCHES_AHEAD)), i = from;
    if (most < 1) most = 1;
    long long bytes = 0;
    struct stat st;
    while (i < n && i - from < most && bytes < BATCH_BYTES) {
        if (stat(paths[i], &st) == 0) bytes += st.st_size;
        i++;
    }
    return i;
}

/* Gives batch B (files FIRST..FIRST+COUNT) to worker W, with its two memory files. */
static int give(struct worker *w, struct batch *b, int index, int first, int count)
{
    *b = (struct batch){.first = first, .count = count};
    if (!(b->out = memory_file("winnow-output")) || !(b->err = memory_file("winnow-messages")))
        goto fail;
    struct order o = {ORDER_BATCH, index, first, count};
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {&o, sizeof o};
    struct msghdr m = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int fds[2] = {fileno(b->out), fileno(b->err)};
    memcpy(CMSG_DATA(c), fds, sizeof fds);
    ssize_t n;
    while ((n = sendmsg(w->sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    if (n != (ssize_t)sizeof o) goto fail;
    w->batch = index;
    return 0;
fail:
    if (b->out) fclose(b->out);
    if (b->err) fclose(b->err);
    b->out = b->err = NULL;
    return -1;
}

/* A worker whose socket ended: it died. Its batch is done, and failed. */
static void bury(struct worker *w, struct batch *b)
{
    int status = 0;
    close(w->sock); /* first: a worker still alive sees its end, and ends */
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (w->batch >= 0) {
        struct batch *d = &b[w->batch];
        d->done = 1;
        d->failed = d->count;
        d->died = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
    }
    *w = (struct worker){0, -1, -1};
}

/* Waits until some worker reports its batch done (or dies). */
static void wait_reports(struct worker *w, long jobs, struct batch *b)
{
    struct pollfd fds[WN_PARALLEL_MOST];
    int who[WN_PARALLEL_MOST], n = 0;
    for (long i = 0; i < jobs; i++)
        if (w[i].pid > 0 && w[i].batch >= 0) {
            fds[n] = (struct pollfd){.fd = w[i].sock, .events = POLLIN};
            who[n++] = (int)i;
        }
    if (!n) return;
    while (poll(fds, (nfds_t)n, -1) < 0 && errno == EINTR) {
    }
    for (int i = 0; i < n; i++) {
        if (!fds[i].revents) continue;
        struct worker *k = &w[who[i]];
        struct report r;
        ssize_t got;
        while ((got = recv(k->sock, &r, sizeof r, 0)) < 0 && errno == EINTR) {
        }
        if (got != (ssize_t)sizeof r || r.batch != k->batch) {
            bury(k, b);
            continue;
        }
        struct batch *d = &b[r.batch];
        d->done = 1;
        d->failed = r.failed;
        d->wrote_out = r.wrote_out;
        d->out_errno = r.out_errno;
        k->batch = -1;
    }
}

/* A batch done and next in order: its messages to stderr, its output to the run's. */
static int put_batch(const struct wn_parallel *p, char **paths, struct batch *d)
{
    char chunk[65536];
    size_t n;
    rewind(d->err);
    while ((n = fread(chunk, 1, sizeof chunk, d->err)) > 0)
        fwrite(chunk, 1, n, stderr);
    if (d->died > 0)
        fprintf(stderr, "winnow: %s: the worker cleaning it died (%s)\n", paths[d->first],
                strsignal(d->died));
    else if (d->died)
        fprintf(stderr, "winnow: %s: the worker cleaning it ended unexpectedly\n", paths[d->first]);
    rewind(d->out);
    /* a worker that died after its turn was told may have put some out: not twice */
    int theirs = d->wrote_out || (d->died && d->told);
    int rc = p->put(p->ctx, theirs ? NULL : d->out, d->out_errno, d->first, d->count);
    fclose(d->out);
    fclose(d->err);
    d->out = d->err = NULL;
    return rc;
}

int wn_parallel_run(const struct wn_parallel *p, char **paths, int n, long jobs)
{
    if (jobs > WN_PARALLEL_MOST) jobs = WN_PARALLEL_MOST;
    struct batch *b = calloc((size_t)n, sizeof *b);
    struct worker *w = calloc((size_t)jobs, sizeof *w);
    if (!b || !w) {
        free(b);
        free(w);
        fprintf(stderr, "winnow: out of memory\n");
        return n;
    }
    for (long i = 0; i < jobs; i++)
        w[i] = (struct worker){0, -1, -1};
    int started = 0, done = 0, next_file = 0, failed = 0, stop = 0;
    while (!stop && (done < started || next_file < n)) {
        while (next_file < n && started - done < BATCHES_AHEAD * jobs) {
            int k = idle_worker(p, paths, w, jobs, b, done, started);
            if (k < 0) break;
            int end = batch_end(paths, next_file, n, jobs);
            if (p->starting) p->starting(p->ctx, next_file, end - next_file);
            if (give(&w[k], &b[started], started, next_file, end - next_file) != 0) {
                fprintf(stderr, "winnow: %s: cannot start cleaning: %s\n", paths[next_file],
                        strerror(errno));
                b[started].done = 1;
                b[started].failed = end - next_file;
                bury(&w[k], b); /* a worker that cannot be given a batch is no worker */
            }
            started++;
            next_file = end;
        }
        if (done == started) { /* no worker could be started */
            fprintf(stderr, "winnow: cannot start a worker: %s\n", strerror(errno));
            failed += n - next_file;
            break;
        }
        struct batch *d = &b[done];
        if (!d->done) {
            int k = -1;
            for (long i = 0; i < jobs; i++)
                if (w[i].pid > 0 && w[i].batch == done) k = (int)i;
            /* its turn: what went before is out; from now on its worker writes there itself */
            if (p->out && k >= 0 && !d->told && fflush(p->out) == 0) {
                struct order o = {ORDER_TURN, done, 0, 0};
                d->told = send(w[k].sock, &o, sizeof o, MSG_NOSIGNAL) == (ssize_t)sizeof o;
            }
            wait_reports(w, jobs, b);
            continue;
        }
        failed += d->failed;
        if (d->out && put_batch(p, paths, d) != 0) stop = 1;
        done++;
    }
    for (long i = 0; i < jobs; i++) /* the end of its socket is the end of a worker */
        if (w[i].pid > 0) close(w[i].sock);
    for (long i = 0; i < jobs; i++)
        if (w[i].pid > 0)
            while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR) {
            }
    for (int i = done; i < started; i++)
        if (b[i].out) fclose(b[i].out), fclose(b[i].err);
    free(b);
    free(w);
    return failed;
}
