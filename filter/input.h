/* input.h: what the winnow command reads and writes (input.c): a file or a pipe, gzip or zstd
 * data decoded on the way, told by their magic bytes; and --output FILE.gz / .zst compressed.
 * Part of the command, not of the library. */
#ifndef WN_INPUT_H
#define WN_INPUT_H

#include <stddef.h>
#include <sys/types.h>

enum wn_input_kind { WN_INPUT_PLAIN, WN_INPUT_GZIP, WN_INPUT_ZSTD };

struct wn_input;

/* Reads the first bytes of fd to tell its kind. NULL: no memory or a read error (errno). */
struct wn_input *wn_input_open(int fd);
enum wn_input_kind wn_input_kind(const struct wn_input *in);

/* Up to cap bytes of what the input holds (decoded): the count, 0 at its end, -1 on a read
 * error (errno), -2 on bad compressed data (wn_input_error says what). */
ssize_t wn_input_read(struct wn_input *in, char *buf, size_t cap);
const char *wn_input_error(const struct wn_input *in);

/* For a plain regular file, the bytes it holds that were not read yet (so the caller knows
 * the last read when it comes); -1 for a pipe or compressed data. */
long long wn_input_left(const struct wn_input *in);

void wn_input_close(struct wn_input *in);

/* Compressed output: what is written to fp, gzip or zstd (kind). NULL: no memory. Write and
 * finish return -1 when compressing or writing failed (errno). */
#include <stdio.h>
struct wn_zout;
struct wn_zout *wn_zout_new(FILE *fp, enum wn_input_kind kind);
int wn_zout_write(struct wn_zout *o, const char *buf, size_t len);
int wn_zout_finish(struct wn_zout *o);
void wn_zout_free(struct wn_zout *o);

#endif
