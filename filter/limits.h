/* limits.h: the work bounds that keep the filter linear on hostile input, gathered in one place.
 * They are not detection thresholds (those are tunables, tune.h): changing them changes speed on
 * pathological lines, never what an ordinary article loses or keeps. */
#ifndef WN_LIMITS_H
#define WN_LIMITS_H

/* PCRE2's match limit: past it a pattern just does not match, so it cannot hang the stream. */
#define WN_MATCH_LIMIT 1000000
/* Where a glued post's start is looked for as a repeat of the story's own quote: how far back,
 * and for how many sentences; how many posts in one line get that search at all. */
#define WN_QUOTE_LOOKBACK 4096
#define WN_QUOTE_TRIES 16
#define WN_POSTS_SEARCHED_PER_LINE 10000
/* How far around an attribution's literal its pattern is tried (name before, date after). */
#define WN_ATTRIBUTION_LOOKBACK 240
#define WN_ATTRIBUTION_LOOKAHEAD 1024
/* Blank lines held after a removal before one of them is simply written (see writers.c). */
#define WN_BLANK_GAP_MAX 65536
/* How deeply nested a pattern's groups may be for its prefilter to be derived (prefilter.c
 * keeps a few small sets a level on the stack); deeper patterns run unfiltered. */
#define WN_PREFILTER_MAX_DEPTH 24
/* The chunk scan's chunk: pushed bytes are scanned this many at a time (then up to the end of
 * the line), so its per-line table stays small whatever a caller pushes at once. */
#define WN_SCAN_CHUNK (256 * 1024)
/* ... and at most so many lines a scan (its table of lines is 33 bytes a line). */
#define WN_SCAN_MAX_LINES 16384
/* How many bytes of a line's start the chunk scan compares with the prefixes derived from the
 * rules anchored there (more tells more lines apart, and costs more table entries). */
#define WN_SCAN_PREFIX_LEN 8

#endif
