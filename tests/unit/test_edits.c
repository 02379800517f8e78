/* test_edits.c: the lossless edits (winnow.h) through the library: for documents pushed in
 * chunks of every size, undoing the LINKS edits and then the TEXT edits on the output gives
 * the input back byte for byte; each edit's bytes are those of the input at its offset. */
#include <stdint.h>

#include "testlib.h"

struct edit_rec {
    int stage;
    unsigned long long off;
    char *raw, *out;
    size_t raw_len, out_len;
};

struct edits {
    struct edit_rec e[4096];
    size_t n;
    int documents;
    unsigned long long doc_in;
};

static char *dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n);
    return d;
}

static void on_edit(void *ctx, const struct winnow_edit *e)
{
    struct edits *x = ctx;
    if (e->stage == WINNOW_STAGE_DOCUMENT) {
        x->documents++;
        x->doc_in = e->offset;
        return;
    }
    if (x->n == sizeof x->e / sizeof x->e[0]) return;
    struct edit_rec *r = &x->e[x->n++];
    *r = (struct edit_rec){
        e->stage,   e->offset, dup_bytes(e->raw, e->raw_len), dup_bytes(e->out, e->out_len),
        e->raw_len, e->out_len};
}

/* Undoes one stage's edits (in offset order) on out[0..n) into a new buffer. */
static char *undo(const struct edits *x, int stage, const char *out, size_t n, size_t *len, int *ok)
{
    struct tl_sink back = {0};
    size_t opos = 0;
    unsigned long long ipos = 0;
    tl_sink_write(&back, "", 0);
    for (size_t i = 0; i < x->n; i++) {
        const struct edit_rec *e = &x->e[i];
        if (e->stage != stage) continue;
        size_t keep = (size_t)(e->off - ipos);
        if (e->off < ipos || keep > n - opos || e->out_len > n - opos - keep ||
            memcmp(out + opos + keep, e->out, e->out_len) != 0) {
            *ok = 0;
            break;
        }
        tl_sink_write(&back, out + opos, keep);
        tl_sink_write(&back, e->raw, e->raw_len);
        opos += keep + e->out_len;
        ipos = e->off + e->raw_len;
    }
    tl_sink_write(&back, out + opos, n - opos);
    *len = back.len;
    return back.buf;
}

static int by_offset(const void *a, const void *b)
{
    const struct edit_rec *x = a, *y = b;
    return x->stage != y->stage ? x->stage - y->stage : x->off < y->off ? -1 : x->off > y->off;
}

/* Pushes in[0..len) in chunks of `chunk` bytes (0: at once, ended by push_last) and checks
 * the round trip. */
static void round_trip(const char *in, size_t len, size_t chunk, const struct winnow_options *base)
{
    static struct edits x;
    for (size_t i = 0; i < x.n; i++) {
        free(x.e[i].raw);
        free(x.e[i].out);
    }
    memset(&x, 0, sizeof x);
    struct winnow_options opt = *base;
    opt.edit = on_edit;
    opt.edit_ctx = &x;
    struct tl_sink out = {0};
    tl_sink_write(&out, "", 0);
    winnow_filter *f = winnow_filter_new(tl_shared_rules(), &opt, tl_sink_write, &out);
    CHECK(f != NULL);
    if (!f) return;
    if (!chunk) {
        CHECK(winnow_filter_push_last(f, in, len) == WINNOW_OK);
    } else {
        for (size_t at = 0; at < len; at += chunk)
            CHECK(winnow_filter_push(f, in + at, len - at < chunk ? len - at : chunk) == WINNOW_OK);
        CHECK(winnow_filter_end_document(f) == WINNOW_OK);
    }
    winnow_filter_free(f);
    CHECK(x.documents >= 1 && x.doc_in == len);
    qsort(x.e, x.n, sizeof x.e[0], by_offset);
    int ok = 1;
    size_t mid_len, back_len;
    char *mid = undo(&x, WINNOW_STAGE_LINKS, out.buf, out.len, &mid_len, &ok);
    char *back = undo(&x, WINNOW_STAGE_TEXT, mid, mid_len, &back_len, &ok);
    int same = ok && back_len == len && memcmp(back, in, len) == 0;
    if (!same)
        printf("  (chunk %zu, %zu edits, %zu of %zu bytes back)\n", chunk, x.n, back_len, len);
    CHECK(same);
    free(mid);
    free(back);
    free(out.buf);
}

static const char *const docs[] = {
    "Title of the story\n\nThe story begins here, long enough to be text of its own.\n\n"
    "Reading the statement aloud, she said the city would act. Big news today! "
    "https://t.co/AbCdEf12 pic.twitter.com/XyZ123 \xe2\x80\x94 Ellen Marsh (@MayorMarsh) March "
    "12, 2024 The council then voted on the measure.\n\nREAD MORE: Port Avery bridge plan "
    "shelved\n\n\n\nMore story text follows the promotion here.\n\nSource: Reuters and "
    "agencies\n\n0 Comments\n",
    "Story line one, kept.\r\n\r\nWe are thrilled to announce it!\r\n\xe2\x80\x94 Some One "
    "(@someone) December 15, 2021\r\n\r\n  \r\nThe end of the story comes here.\r\nTitle "
    "again\r\nTags: a, b\r\n",
    "\n\n\nOnly text, no boilerplate at all, with a URL https://example.com/a?utm_source=x&id=3 "
    "in it.\n\n\n",
    "Title\n\nText\n\nRelated\nA headline of a related story\nAnother headline of a story\n\n"
    "Story resumes, longer than a headline would be, with a full stop at the end of it.\n"
    "Title",
};

static void test_round_trips(void)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7, 16, 61, 4096};
    struct winnow_options plain, strip, keep, guard;
    winnow_options_init(&plain);
    strip = keep = guard = plain;
    strip.links = WINNOW_LINKS_STRIP;
    keep.keep_embeds = 1;
    guard.max_removal = 0.2;
    const struct winnow_options *modes[] = {&plain, &strip, &keep, &guard};
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
            for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
                round_trip(docs[d], strlen(docs[d]), chunks[c], modes[m]);
}

/* A long document, pushed in pseudo-random chunk sizes: the partial-line paths. */
static void test_random_chunks(void)
{
    struct tl_sink doc = {0};
    for (int k = 0; k < 60; k++)
        tl_sink_write(&doc, docs[k % 4], strlen(docs[k % 4]));
    uint32_t seed = 12345;
    struct winnow_options plain = {.size = sizeof(struct winnow_options)};
    for (int t = 0; t < 20; t++) {
        seed = seed * 1103515245u + 12345u;
        round_trip(doc.buf, doc.len, 1 + (seed >> 8) % 900, &plain);
    }
    free(doc.buf);
}

TEST_MAIN(test_round_trips, test_random_chunks)
