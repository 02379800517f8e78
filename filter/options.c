/* options.c: the caller's option structs read within the size the caller gave them, so that a
 * program built against an older, smaller struct still works (include/winnow.h, "Version and
 * ABI"); and the status names. Nothing past the caller's size is ever read or written. */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "winnow.h"

int wn_options_take(void *own, size_t own_size, const void *given, const char *what, char *err,
                    size_t errlen)
{
    memset(own, 0, own_size);
    memcpy(own, &own_size, sizeof own_size);
    if (!given) return WINNOW_OK;
    size_t size;
    memcpy(&size, given, sizeof size);
    if (size < sizeof size) {
        if (err && errlen)
            snprintf(err, errlen, "struct %s: size is %zu: fill it with %s_init()", what, size,
                     what);
        return WINNOW_ERR_USAGE;
    }
    const unsigned char *bytes = given;
    for (size_t i = own_size; i < size; i++)
        if (bytes[i]) {
            if (err && errlen)
                snprintf(err, errlen,
                         "struct %s: a member past byte %zu is set, which libwinnow %s does "
                         "not know (the caller's is %zu bytes)",
                         what, own_size, winnow_version(), size);
            return WINNOW_ERR_USAGE;
        }
    memcpy((char *)own + sizeof size, bytes + sizeof size,
           (size < own_size ? size : own_size) - sizeof size);
    return WINNOW_OK;
}

const char *winnow_strerror(int status)
{
    switch (status) {
    case WINNOW_OK:
        return "success";
    case WINNOW_ERR_RULES:
        return "invalid rules file or pattern";
    case WINNOW_ERR_NOMEM:
        return "out of memory";
    case WINNOW_ERR_WRITE:
        return "the write callback failed";
    case WINNOW_ERR_USAGE:
        return "bad argument or call";
    case WINNOW_ERR_IO:
        return "a file could not be read";
    default:
        return "unknown status";
    }
}
