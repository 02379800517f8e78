/* edits.h: the one edit between a line as it came and as it goes (winnow.h "Lossless edits"),
 * for the stages that change lines in place: from its first changed byte to its last. */
#ifndef WN_EDITS_H
#define WN_EDITS_H

#include <stddef.h>

#include "winnow.h"

/* Narrows e to where raw[0..rn) and out[0..on) differ, adding the common prefix to
 * e->offset; 0 when they are the same (no edit). The other fields of e are the caller's. */
static inline int wn_edit_between(const char *raw, size_t rn, const char *out, size_t on,
                                  struct winnow_edit *e)
{
    size_t p = 0, q = 0;
    while (p < rn && p < on && raw[p] == out[p])
        p++;
    while (q < rn - p && q < on - p && raw[rn - 1 - q] == out[on - 1 - q])
        q++;
    if (p == rn && p == on) return 0;
    e->offset += p;
    e->raw = raw + p;
    e->raw_len = rn - p - q;
    e->out = out + p;
    e->out_len = on - p - q;
    return 1;
}

#endif
