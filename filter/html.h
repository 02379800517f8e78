/* html.h: turns an HTML page into article text lines with libxml2's push (SAX) parser,
 * dropping social embeds, scripts and related/share/comment blocks by structure. */
#ifndef WN_HTML_H
#define WN_HTML_H

#include <stddef.h>

#include "winnow.h"

struct wn_html;

/* `emit` receives text in order: one paragraph per line, each ending in "\n". The rules of
 * kinds html-drop-element, html-drop-attr and html-embed-src say what to drop. */
struct wn_html *wn_html_new(winnow_rules *rules, int (*emit)(void *ctx, const char *buf, size_t len),
                            void *ctx);

/* Feeds page bytes as they arrive; any split is fine. */
int wn_html_push(struct wn_html *html, const char *buf, size_t len);

/* Ends the page: flushes the last text and makes the parser ready for the next page. */
int wn_html_finish(struct wn_html *html);

void wn_html_free(struct wn_html *html);

#endif
