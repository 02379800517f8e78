/* textfeat.h: features of one line of text, computed once and without context (pure functions).
 * Nothing here knows about rules, documents or other lines; every function is total on any bytes.
 */
#ifndef WN_TEXTFEAT_H
#define WN_TEXTFEAT_H

#include <stddef.h>

struct wn_feat {
    size_t indent;         /* leading blank bytes */
    size_t end;            /* offset just past the last non-blank byte (== indent when blank) */
    size_t chars;          /* characters in [indent, end) */
    unsigned blank : 1;    /* nothing but blanks */
    unsigned colon : 1;    /* the text ends in ':' (or a full-width or Arabic colon) */
    unsigned terminal : 1; /* the text ends in sentence-final punctuation (. ! ? … 。 ؟ ...) */
    unsigned hashtags, mentions, emoji, links; /* known once detailed */
    size_t post_chars;     /* its length as a platform counts a post (see wn_post_chars); before
                              the detail, a lower bound */
    unsigned detailed : 1; /* the counts below `chars` are known (wn_feat_detail) */
    unsigned slash : 1;    /* it holds a '/', so maybe a link */
};

/* How far to look, and how links count in a post's length (tune.h). */
struct wn_feat_limits {
    size_t limit;
    long link_chars, media_chars;
};

/* The basic features (extent, length, final punctuation) are cheap and always computed; the
 * detail (hashtags, mentions, emoji, links, the post length) only when a pass asks, since it
 * looks at every character. The detail stops counting past `limit` post characters: such a
 * line is no post and no headline. wn_feat_compute does both. */
void wn_feat_basic(const char *s, size_t n, size_t limit, struct wn_feat *f);
void wn_feat_detail(const char *s, size_t n, const struct wn_feat_limits *lim, struct wn_feat *f);
void wn_feat_compute(const char *s, size_t n, const struct wn_feat_limits *lim, struct wn_feat *f);

/* Short and not closed by a full stop: how a headline, a subheading or a list item reads. */
int wn_feat_headline_like(const struct wn_feat *f, const char *s, long max_chars);

/* Carries a post's own signals (a hashtag or a @mention): the line belongs to a post. */
int wn_feat_post_signals(const struct wn_feat *f);

/* The length of s[0..n) as a platform counts a post: characters, but every link counts
 * `link_chars` and an attached-media link (pic.twitter.com/...) `media_chars`. Past `limit`
 * it stops counting and returns a number above it. */
size_t wn_post_chars(const char *s, size_t n, long link_chars, long media_chars, size_t limit);

/* Does the line end in a colon (':', '：', '؛')? The one feature a line that goes straight
 * out leaves behind (the next line's `above_colon`). */
int wn_feat_colon(const char *s, size_t n);

/* A floor of the line's length as a post, without looking for links: its characters when it
 * can hold none (no '/', no "www."), else 0. Counting stops past `limit`. */
size_t wn_post_chars_floor(const char *s, size_t n, size_t limit);

/* How many characters start in s[a..b): its bytes that are not UTF-8 continuation bytes. */
size_t wn_char_starts(const char *s, size_t a, size_t b);

/* Blank bytes at the start of s[0..n) (a byte order mark first counts as blank). */
size_t wn_leading_space(const char *s, size_t n);
/* A blank byte: space, tab, CR, VT, FF (inline: it runs for every byte of many loops). */
static inline int wn_is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Where a post glued onto the story may begin, at s[p] (see poststart.c):
 * glued: right after a sentence end with no space ("...expect.What", "tweeted:Happy");
 * spaced: after a sentence end and two or more blanks ("...verdict.  Dad and ...");
 * sentence: after a sentence end and one blank, at a capital, digit, quote or mention. */
int wn_glued_start(const char *s, size_t p, size_t len);
int wn_spaced_start(const char *s, size_t p, size_t len);
int wn_sentence_start(const char *s, size_t p, size_t len);
/* colon: after a colon and blanks ("...within minutes: Fares"), where a post's text can begin. */
int wn_colon_start(const char *s, size_t p, size_t len);

/* Is s[p] a capital (any script with case) or a letter of a script without case? */
int wn_upper_or_caseless(const char *s, size_t p, size_t len);

#endif
