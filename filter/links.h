/* links.h: the last stage of the pipeline: cleans URLs in kept lines and, with --resolve,
 * replaces short links by their destinations, writing lines out in their input order. */
#ifndef WN_LINKS_H
#define WN_LINKS_H

#include <stddef.h>

#include "winnow.h"

struct wn_links;

/* `write` receives the final bytes; `report` (may be NULL) gets one call per link that was
 * changed or could not be resolved, with rule_id such as "link-resolved", "link-unresolved"
 * or "tracking-param" and the line number given to wn_links_line. Returns NULL and fills
 * err on failure (e.g. an unreadable --clearurls file). */
struct wn_links *wn_links_new(winnow_rules *rules, const struct winnow_options *options,
                              winnow_write_fn write, void *write_ctx, char *err, size_t errlen);

/* One kept line: text without its line ending, then the ending ("", "\n" or "\r\n"); `off`
 * is where it begins in the document's text as the stage reads it (for edits). The stage may
 * hold the line while its links resolve; it copies what it keeps. */
int wn_links_line(struct wn_links *links, unsigned long long line_no, unsigned long long off,
                  const char *text, size_t len, const char *eol, size_t eollen);

/* Raw bytes that are not a line of text (document separators): written in order. */
int wn_links_raw(struct wn_links *links, const char *buf, size_t len);

/* Would buf[0..len) of kept text go through unchanged, as it is, now (no link in it can
 * change: offline, without ClearURLs, no URL with a query or a fragment, see
 * wn_links_query_run; and nothing is held before it)? Then wn_links_raw writes it in one
 * call. */
int wn_links_passes(const struct wn_links *links, const char *buf, size_t len);

/* May buf[0..len) hold a URL with a query or a fragment? Only where a '?' or a '#' lies in a
 * run of the bytes a URL may hold (url.c) that also holds a '.' or a ':' (a host, a scheme):
 * a question or a hashtag in prose is not one. Linear: each run is looked at once. */
int wn_links_query_run(const char *buf, size_t len);

/* The end of a caller's push: the cache look-ups batched so far go to the server now, so a
 * line never waits for input that may not come (one round trip a pushed chunk, not a link). */
void wn_links_push_end(struct wn_links *links);

/* Waits for every pending link and writes everything held. */
int wn_links_flush(struct wn_links *links);

void wn_links_free(struct wn_links *links);

#endif
