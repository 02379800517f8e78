/* fuzz_split.c: the command's split into documents (split.c) in reads of random sizes: pieces
 * joined are the input, separators as in one read and as defined, at most 2 bytes held. */
#include "fuzz_common.h"
#include "split.h"

/* What the sink was given: the bytes in order, and each separator's offset and length. */
struct record {
    char *bytes;
    size_t len;
    size_t sep_at[4096], sep_len[4096];
    size_t nsep;
    int ended; /* the last text said its document ended: only a separator may follow */
    int failed;
};

static void add(struct record *r, const char *buf, size_t len)
{
    memcpy(r->bytes + r->len, buf, len);
    r->len += len;
}

static int on_text(void *ctx, const char *buf, size_t len, int last)
{
    struct record *r = ctx;
    if (r->ended && len) fz_fail("text after the text that ended its document");
    add(r, buf, len);
    r->ended = last;
    return 0;
}

static int on_sep(void *ctx, const char *buf, size_t len)
{
    struct record *r = ctx;
    if (len == 0 || len > 3) fz_fail("a separator of 0 or more than 3 bytes");
    if (r->nsep < sizeof r->sep_at / sizeof r->sep_at[0]) {
        r->sep_at[r->nsep] = r->len;
        r->sep_len[r->nsep] = len;
    }
    r->nsep++;
    add(r, buf, len);
    r->ended = 0;
    return 0;
}

/* The input through wn_split_feed in reads whose sizes come from `sizes` (cycled), into a
 * buffer of `cap` bytes plus the carry, the way main.c's run_stream reads a file. */
static void run(const uint8_t *d, size_t n, int nul, const uint8_t *sizes, size_t nsizes,
                size_t cap, struct record *r)
{
    char *buf = malloc(cap + WN_SPLIT_CARRY);
    if (!buf) abort();
    struct wn_split s = {nul, 1};
    const struct wn_split_sink k = {on_text, on_sep, r};
    size_t at = 0, carry = 0, turn = 0;
    for (;;) {
        size_t want = nsizes ? 1 + sizes[turn++ % nsizes] % cap : cap;
        size_t got = n - at < want ? n - at : want;
        memcpy(buf + carry, d + at, got);
        at += got;
        int eof = got == 0, last = at == n && got > 0;
        long kept = wn_split_feed(&s, buf, carry + got, eof, last, &k);
        if (kept < 0 || kept > WN_SPLIT_CARRY) fz_fail("more than WN_SPLIT_CARRY bytes held");
        if (eof && kept) fz_fail("bytes held at the end of the stream");
        carry = (size_t)kept;
        if (eof) break;
    }
    free(buf);
}

/* Where the separators of d[0..n) are, by split.h's definition, for the whole input at once. */
static size_t reference(const uint8_t *d, size_t n, int nul, size_t *at, size_t *len, size_t cap)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = 0;
        if (nul) {
            l = d[i] == 0;
        } else if (d[i] == '\f' && (i == 0 || d[i - 1] == '\n')) {
            size_t j = i + 1;
            if (j < n && d[j] == '\r') j++;
            if (j == n)
                l = j - i; /* "\f" or "\f\r" ends the stream */
            else if (d[j] == '\n')
                l = j + 1 - i;
        }
        if (!l) continue;
        if (count < cap) {
            at[count] = i;
            len[count] = l;
        }
        count++;
        i += l - 1;
    }
    return count;
}

static void same(const struct record *a, const struct record *b, const char *what)
{
    size_t m = a->nsep < 4096 ? a->nsep : 4096;
    if (a->nsep != b->nsep || memcmp(a->sep_at, b->sep_at, m * sizeof a->sep_at[0]) != 0 ||
        memcmp(a->sep_len, b->sep_len, m * sizeof a->sep_len[0]) != 0)
        fz_fail(what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    /* the first byte: -z, and how many of the next bytes give the read sizes */
    int nul = data[0] & 1;
    size_t nsizes = (size_t)(data[0] >> 1) % 16;
    if (nsizes > size - 1) nsizes = size - 1;
    const uint8_t *sizes = data + 1, *d = data + 1 + nsizes;
    size_t n = size - 1 - nsizes;
    static struct record whole, chunked, bytewise;
    struct record *runs[] = {&whole, &chunked, &bytewise};
    for (int k = 0; k < 3; k++) {
        free(runs[k]->bytes);
        memset(runs[k], 0, sizeof *runs[k]);
        if (!(runs[k]->bytes = malloc(n + 1))) abort();
    }
    static const uint8_t one = 0;
    run(d, n, nul, NULL, 0, n ? n : 1, &whole);  /* one read: the reference */
    run(d, n, nul, sizes, nsizes, 64, &chunked); /* random reads of 1..64 bytes */
    run(d, n, nul, &one, 1, 1, &bytewise);       /* a byte a read */
    for (int k = 0; k < 3; k++)
        if (runs[k]->len != n || memcmp(runs[k]->bytes, d, n) != 0)
            fz_fail("text and separators are not the input");
    static size_t at[4096], len[4096];
    size_t count = reference(d, n, nul, at, len, 4096), m = count < 4096 ? count : 4096;
    if (whole.nsep != count || memcmp(whole.sep_at, at, m * sizeof at[0]) != 0 ||
        memcmp(whole.sep_len, len, m * sizeof len[0]) != 0)
        fz_fail("separators other than the definition's");
    same(&whole, &chunked, "separators that depend on where the reads end");
    same(&whole, &bytewise, "separators that depend on where the reads end (a byte a read)");
    return 0;
}
