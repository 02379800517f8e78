/* input.c: what the winnow command reads, as the bytes it holds: a file or a pipe, and gzip
 * or zstd data (told by their magic bytes, not by a name) through zlib and libzstd, their
 * members or frames one after another. A stream that is neither is read as it is. */
#include "input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

enum { RAW_CHUNK = 64 * 1024 };

struct wn_input {
    int fd;
    enum wn_input_kind kind;
    unsigned char *raw; /* compressed bytes read and not yet given to the decoder */
    size_t raw_len, raw_pos;
    int raw_eof, done;
    z_stream z;
    ZSTD_DStream *zs;
    size_t zs_left; /* what zstd last said of its frame: 0 when it was complete */
    long long left; /* bytes not yet given, for a plain regular file; -1: not known */
    char err[128];
};

static ssize_t read_fd(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t got = read(fd, buf, cap);
        if (got >= 0 || errno != EINTR) return got;
    }
}

/* Fills raw when it is used up; -1 on a read error. */
static int refill(struct wn_input *in)
{
    if (in->raw_pos < in->raw_len || in->raw_eof) return 0;
    ssize_t got = read_fd(in->fd, in->raw, RAW_CHUNK);
    if (got < 0) return -1;
    in->raw_len = (size_t)got;
    in->raw_pos = 0;
    if (got == 0) in->raw_eof = 1;
    return 0;
}

struct wn_input *wn_input_open(int fd)
{
    struct wn_input *in = calloc(1, sizeof *in);
    if (!in || !(in->raw = malloc(RAW_CHUNK))) {
        free(in);
        return NULL;
    }
    in->fd = fd;
    struct stat st;
    off_t at = lseek(fd, 0, SEEK_CUR);
    in->left =
        fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && at >= 0 ? (long long)(st.st_size - at) : -1;
    /* the magic bytes: the first four, or as many as the stream has */
    while (in->raw_len < 4 && !in->raw_eof) {
        ssize_t got = read_fd(fd, in->raw + in->raw_len, RAW_CHUNK - in->raw_len);
        if (got < 0) {
            wn_input_close(in);
            return NULL;
        }
        if (got == 0) in->raw_eof = 1;
        in->raw_len += (size_t)got;
    }
    const unsigned char *m = in->raw;
    if (in->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        in->kind = WN_INPUT_GZIP;
        in->left = -1;
        if (inflateInit2(&in->z, 15 + 16) != Z_OK) { /* gzip only */
            wn_input_close(in);
            return NULL;
        }
    } else if (in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        in->kind = WN_INPUT_ZSTD;
        in->left = -1;
        if (!(in->zs = ZSTD_createDStream())) {
            wn_input_close(in);
            return NULL;
        }
    }
    return in;
}

enum wn_input_kind wn_input_kind(const struct wn_input *in)
{
    return in->kind;
}

const char *wn_input_error(const struct wn_input *in)
{
    return in->err[0] ? in->err : NULL;
}

static ssize_t read_gzip(struct wn_input *in, char *buf, size_t cap)
{
    while (!in->done) {
        if (refill(in)) return -1;
        if (in->raw_pos == in->raw_len) { /* the data ended inside a member */
            snprintf(in->err, sizeof in->err, "gzip data cut short");
            return -2;
        }
        in->z.next_in = in->raw + in->raw_pos;
        in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
        in->z.next_out = (unsigned char *)buf;
        in->z.avail_out = (uInt)(cap > 1u << 30 ? 1u << 30 : cap);
        int rc = inflate(&in->z, Z_NO_FLUSH);
        in->raw_pos = in->raw_len - in->z.avail_in;
        size_t out = (size_t)((char *)in->z.next_out - buf);
        if (rc == Z_STREAM_END) { /* a member ends: another may follow (cat a.gz b.gz) */
            if (refill(in)) return -1;
            if (in->raw_pos == in->raw_len)
                in->done = 1;
            else if (inflateReset(&in->z) != Z_OK)
                return -2;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(in->err, sizeof in->err, "bad gzip data (%s)",
                     in->z.msg ? in->z.msg : "zlib error");
            return -2;
        }
        if (out) return (ssize_t)out;
    }
    return 0;
}

static ssize_t read_zstd(struct wn_input *in, char *buf, size_t cap)
{
    while (!in->done) {
        if (refill(in)) return -1;
        if (in->raw_pos == in->raw_len) {
            if (in->zs_left) {
                snprintf(in->err, sizeof in->err, "zstd data cut short");
                return -2;
            }
            in->done = 1;
            break;
        }
        ZSTD_inBuffer src = {in->raw, in->raw_len, in->raw_pos};
        ZSTD_outBuffer dst = {buf, cap, 0};
        size_t left = ZSTD_decompressStream(in->zs, &dst, &src);
        in->raw_pos = src.pos;
        if (ZSTD_isError(left)) {
            snprintf(in->err, sizeof in->err, "bad zstd data (%s)", ZSTD_getErrorName(left));
            return -2;
        }
        in->zs_left = left;
        if (dst.pos) return (ssize_t)dst.pos;
    }
    return 0;
}

static ssize_t read_plain(struct wn_input *in, char *buf, size_t cap)
{
    if (in->raw_pos < in->raw_len) { /* the bytes read to see the magic */
        size_t n = in->raw_len - in->raw_pos < cap ? in->raw_len - in->raw_pos : cap;
        memcpy(buf, in->raw + in->raw_pos, n);
        in->raw_pos += n;
        return (ssize_t)n;
    }
    return in->raw_eof ? 0 : read_fd(in->fd, buf, cap);
}

ssize_t wn_input_read(struct wn_input *in, char *buf, size_t cap)
{
    if (in->kind == WN_INPUT_GZIP) return read_gzip(in, buf, cap);
    if (in->kind == WN_INPUT_ZSTD) return read_zstd(in, buf, cap);
    ssize_t got = read_plain(in, buf, cap);
    if (got > 0 && in->left >= 0) in->left = in->left > got ? in->left - got : 0;
    return got;
}

long long wn_input_left(const struct wn_input *in)
{
    return in->left;
}

void wn_input_close(struct wn_input *in)
{
    if (!in) return;
    if (in->kind == WN_INPUT_GZIP) inflateEnd(&in->z);
    ZSTD_freeDStream(in->zs);
    free(in->raw);
    free(in);
}

/* ---- compressed output (--output FILE.gz / FILE.zst) ---------------------------------------- */

struct wn_zout {
    FILE *fp;
    enum wn_input_kind kind;
    z_stream z;
    ZSTD_CCtx *zs;
    unsigned char out[RAW_CHUNK];
};

struct wn_zout *wn_zout_new(FILE *fp, enum wn_input_kind kind)
{
    struct wn_zout *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->fp = fp;
    o->kind = kind;
    if (kind == WN_INPUT_GZIP
            ? deflateInit2(&o->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK
            : !(o->zs = ZSTD_createCCtx())) {
        free(o);
        return NULL;
    }
    return o;
}

/* Compresses buf[0..len) (the end of the stream with `end`) and writes what comes out. */
static int zout_run(struct wn_zout *o, const char *buf, size_t len, int end)
{
    if (o->kind == WN_INPUT_GZIP) {
        o->z.next_in = (unsigned char *)(uintptr_t)buf;
        o->z.avail_in = (uInt)len;
        int rc;
        do {
            o->z.next_out = o->out;
            o->z.avail_out = sizeof o->out;
            rc = deflate(&o->z, end ? Z_FINISH : Z_NO_FLUSH);
            size_t n = sizeof o->out - o->z.avail_out;
            if (rc == Z_STREAM_ERROR || (n && fwrite(o->out, 1, n, o->fp) != n)) return -1;
        } while (o->z.avail_in || (end && rc != Z_STREAM_END) || o->z.avail_out == 0);
        return 0;
    }
    ZSTD_inBuffer in = {buf, len, 0};
    size_t left;
    do {
        ZSTD_outBuffer out = {o->out, sizeof o->out, 0};
        left = ZSTD_compressStream2(o->zs, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left) || (out.pos && fwrite(o->out, 1, out.pos, o->fp) != out.pos))
            return -1;
    } while (in.pos < in.size || (end && left));
    return 0;
}

int wn_zout_write(struct wn_zout *o, const char *buf, size_t len)
{
    /* in pieces zlib's counters hold */
    while (len) {
        size_t n = len > (1u << 30) ? (1u << 30) : len;
        if (zout_run(o, buf, n, 0)) return -1;
        buf += n;
        len -= n;
    }
    return 0;
}

int wn_zout_finish(struct wn_zout *o)
{
    return zout_run(o, "", 0, 1);
}

void wn_zout_free(struct wn_zout *o)
{
    if (!o) return;
    if (o->kind == WN_INPUT_GZIP) deflateEnd(&o->z);
    ZSTD_freeCCtx(o->zs);
    free(o);
}
