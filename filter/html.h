/* html.h: turns an HTML page into article text lines with libxml2's push (SAX) parser,
 * dropping social embeds, scripts and related/share/comment blocks by structure. */
#ifndef WN_HTML_H
#define WN_HTML_H

#include <stddef.h>

#include "winnow.h"

struct wn_html;

/* A place in the page: its byte offset, line and column (1-based; columns count bytes). */
struct wn_html_pos {
    unsigned long long offset;
    unsigned long line;
    size_t col;
};

/* `emit` receives text in order: one paragraph per line, each ending in "\n". The rules of
 * kinds html-drop-element, html-drop-attr, html-embed-attr and html-embed-src say what to drop;
 * with opt->keep_embeds (--embeds=keep) the last two are not applied. opt may be NULL (the
 * defaults). A t.co link shown as text inside <a> whose data-expanded-url or title names the
 * destination URL comes out as that URL. */
struct wn_html *wn_html_new(winnow_rules *rules, const struct winnow_options *opt,
                            int (*emit)(void *ctx, const char *buf, size_t len), void *ctx);

/* Where the line emit was last given began in the page (reports only: with opt->report, each
 * dropped block is reported too, by its rule, with its byte range, line and text). */
void wn_html_line_at(const struct wn_html *html, struct wn_html_pos *at);

/* Feeds page bytes as they arrive; any split is fine. */
int wn_html_push(struct wn_html *html, const char *buf, size_t len);

/* Ends the page: flushes the last text and makes the parser ready for the next page. */
int wn_html_finish(struct wn_html *html);

void wn_html_free(struct wn_html *html);

#endif
