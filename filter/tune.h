/* tune.h: the named thresholds of detection, with their defaults, bounds and meaning.
 * Rules files may change them in a [tune] block; nothing else in the code is a literal threshold.
 */
#ifndef WN_TUNE_H
#define WN_TUNE_H

/* X(ENUM, "name", default, min, max, "what it means"). Names are what a [tune] block takes:
 *
 *     [tune]
 *     post.link-chars = 23
 *
 * Documented for users in rules/README.md ("Tunables"); `winnow --list-rules` prints them. */
#define WN_TUNABLES(X)                                                                             \
    X(POST_LINK_CHARS, "post.link-chars", 23, 0, 1000,                                             \
      "characters a link counts for in a post's length (X counts every link as 23)")               \
    X(POST_MEDIA_CHARS, "post.media-chars", 0, 0, 1000,                                            \
      "characters an attached-media link (pic.twitter.com/...) counts for (X: none)")              \
    X(TAKE_BACK_HOLD_BYTES, "take-back.hold-bytes", 4096, 64, 1048576,                             \
      "most bytes of short lines held back waiting for an attribution that may take them")         \
    X(TAKE_BACK_BLANK_PERCENT, "take-back.blank-separated-percent", 60, 0, 100,                    \
      "a document whose lines are this often separated by blank lines uses them as layout, "       \
      "so a blank line above a post line does not end the post")                                   \
    X(HEADLINE_MAX_CHARS, "headline.max-chars", 200, 1, 100000,                                    \
      "longest line, in characters, that reads as a headline (title repeats, headline lists)")     \
    X(FOOTER_MAX_LINES, "footer.max-lines", 64, 1, 100000,                                         \
      "longest footer zone in lines; a longer run of footer-like lines is story")                  \
    X(FOOTER_MAX_BYTES, "footer.max-bytes", 65536, 64, 16777216, "longest footer zone in bytes")   \
    X(EMBED_MAX_LINES, "embed.max-lines", 40, 1, 100000,                                           \
      "most lines an opened embed (View this post on Instagram) holds before its attribution")     \
    X(EMBED_MAX_BYTES, "embed.max-bytes", 8192, 64, 16777216,                                      \
      "most bytes an opened embed holds before its attribution")                                   \
    X(TITLE_MAX_BYTES, "title.max-bytes", 1024, 16, 65536,                                         \
      "longest first line remembered as the document's title")                                     \
    X(INTRO_LOOKBACK_BYTES, "post-start.intro-lookback", 160, 8, 4096,                             \
      "how far before a colon or a full stop the words that introduce a glued post are looked "    \
      "for")                                                                                       \
    X(QUOTE_MIN_BYTES, "post-start.quote-min", 16, 4, 1000,                                        \
      "shortest repeat of the story's own quote that marks where a glued post starts")             \
    X(QUOTE_MAX_BYTES, "post-start.quote-max", 30, 4, 1000,                                        \
      "how much of a candidate post start is looked for earlier in the story")

enum wn_tune {
#define WN_TUNE_ENUM(e, name, def, min, max, doc) WN_TUNE_##e,
    WN_TUNABLES(WN_TUNE_ENUM)
#undef WN_TUNE_ENUM
        WN_TUNE_COUNT
};

#endif
