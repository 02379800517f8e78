/* parallel.h: -j, a run's files cleaned N at once by worker processes forked once (parallel.c),
 * their outputs and messages put out in argument order. Part of the command, not the library. */
#ifndef WN_PARALLEL_H
#define WN_PARALLEL_H

#include <stdio.h>

/* The most workers of a run. */
#define WN_PARALLEL_MOST 256

/* What the run does with a batch of files; the callbacks run where their comments say. */
struct wn_parallel {
    void *ctx;
    /* the run's output, where the worker whose output is next writes itself; NULL: never (lint,
     * in place, compressed output: what workers write is not the output's bytes) */
    FILE *out;
    /* in a worker: cleans paths[0..count), to stdout and stderr; the number of files that
     * failed, and in *out_errno the error of a write to the output, if one failed */
    int (*clean)(void *ctx, char **paths, int count, int *out_errno);
    /* in the run, as a batch is given out, in argument order (lint numbers documents here) */
    void (*starting)(void *ctx, int first, int count);
    /* in the run, as a batch is done, in argument order: what its worker wrote (NULL when it
     * wrote to the output itself), the error of its worker's write to the output if one
     * failed; -1 when the run's output failed, which ends the run */
    int (*put)(void *ctx, FILE *written, int out_errno, int first, int count);
};

/* Cleans paths[0..n) with at most JOBS workers. Returns the number of files that failed
 * (a worker that died counts its whole batch). */
int wn_parallel_run(const struct wn_parallel *p, char **paths, int n, long jobs);

/* In a worker, called as its output grows to WRITTEN bytes: when its output is the next to go
 * out, what it wrote so far goes there and it writes there from now on. Cheap when not. */
void wn_parallel_turn(FILE *fp, unsigned long long written);

#endif
