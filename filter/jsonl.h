/* jsonl.h: the JSON string codec the JSON Lines cleaner uses for its field, shared with winnow
 * restore, which must encode a value again exactly as the cleaner did. */
#ifndef WN_JSONL_H
#define WN_JSONL_H

#include <stddef.h>

#include "buf.h"

/* The JSON string token s[0..n), quotes included, decoded into out (RFC 8259): -1 when it is
 * not one (a control byte, a bad escape, a lone surrogate, bytes that are not UTF-8). */
int wn_json_decode_string(const char *s, size_t n, struct buf *out);

/* text[0..n) (UTF-8) as a JSON string token in out: quotes, backslashes and control bytes
 * escaped, all else as it is. -1: no memory. */
int wn_json_encode_string(const char *t, size_t n, struct buf *out);

/* 1 when s[0..n) is surely one JSON object jansson accepts (jsoncheck.c); 0 when it is not
 * sure (jansson then judges). s[skip_a..skip_b) is a string token the caller has checked
 * (skip_a SIZE_MAX: none); scratch is working space. */
int wn_json_sure_object(const char *s, size_t n, size_t skip_a, size_t skip_b, struct buf *scratch);

#endif
