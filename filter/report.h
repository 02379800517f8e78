/* report.h: the --report sidecar (command only): JSON Lines, one object per removal (what a
 * reader wants to know of it), per edit (what winnow restore needs) and per document (its bytes
 * in and out, what separated it from the next). Written beside its path and renamed into place
 * when the run ends well, so an archive never holds half a report. */
#ifndef WN_REPORT_H
#define WN_REPORT_H

#include <stddef.h>

#include "winnow.h"

struct wn_report;

/* Where the records are: the file, the document's number in it (1-based), the JSON Lines
 * record (its line; 0 for text) and that record's id (or NULL). */
struct wn_report_at {
    const char *file;
    unsigned long long doc, record;
    const char *id;
};

/* NULL and errno on failure. `rules` (may be NULL) names the kinds of the removals' rules. */
struct wn_report *wn_report_open(const char *path, const winnow_rules *rules);

void wn_report_removal(struct wn_report *r, const struct wn_report_at *at,
                       const struct winnow_removal *removal);
void wn_report_edit(struct wn_report *r, const struct wn_report_at *at,
                    const struct winnow_edit *edit);
/* A document ended: its format ("text", "html", "jsonl"), its bytes in and out and their
 * CRC-32s (separators not counted), and the separator that followed it in the input and in
 * the output. */
void wn_report_document(struct wn_report *r, const struct wn_report_at *at, const char *format,
                        unsigned long long in, unsigned long long out, unsigned long in_crc,
                        unsigned long out_crc, const char *sep_in, size_t sep_in_len,
                        const char *sep_out, size_t sep_out_len);

/* Finishes the file (renamed into place when ok and every write went well; else removed).
 * 0, or -1 with errno. */
int wn_report_close(struct wn_report *r, int ok);

/* Bytes as a JSON member of o: `name` as a string when they are UTF-8, else `name`_hex. */
struct json_t;
int wn_report_set_bytes(struct json_t *o, const char *name, const char *s, size_t n);

#endif
