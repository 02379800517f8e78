/* diag.h: what `winnow lint` says (diag.c): one diagnostic a finding, as GCC's
 * "file:line:col: warning: message [rule-id]", as JSON (an object a line) or as one SARIF 2.1.0
 * log; and the statistics of a run, per rule. Part of the command, not of the library. */
#ifndef WN_DIAG_H
#define WN_DIAG_H

#include <stdio.h>

#include "winnow.h"

enum wn_diag_format { WN_DIAG_TEXT, WN_DIAG_JSON, WN_DIAG_SARIF };

struct wn_diag;

/* Diagnostics to `to` in the format given, for the rules of `rules` (their kinds and origins
 * become SARIF's rule descriptions). NULL: no memory. */
struct wn_diag *wn_diag_new(FILE *to, enum wn_diag_format format, const winnow_rules *rules);

/* A document begins (for the statistics: documents a rule touched). */
void wn_diag_document(struct wn_diag *d);

/* One finding: in `file` at line:col (for JSON Lines, the record's line, and its id, which
 * may be NULL, with the line within the field), by rule_id, of the removed text. */
void wn_diag_finding(struct wn_diag *d, const char *file, unsigned long long line, size_t col,
                     const char *id, unsigned long long field_line, const char *rule_id,
                     const char *text, size_t len);

/* Input bytes read, for the statistics' MB/s. */
void wn_diag_bytes(struct wn_diag *d, unsigned long long bytes);

unsigned long long wn_diag_findings(const struct wn_diag *d);

/* The removed text as a report shows it, in out[0..size): its first 60 characters, quotes and
 * backslashes escaped, control bytes as \xNN. 1 when it was cut there (the caller adds "..."). */
int wn_diag_shown(const char *text, size_t len, char *out, size_t size);

/* Ends the output (SARIF's log is written whole here); with stats (1 a table, 2 JSON), the
 * statistics go to `stats_to`. */
void wn_diag_finish(struct wn_diag *d, int stats, FILE *stats_to, double seconds);

void wn_diag_free(struct wn_diag *d);

#endif
