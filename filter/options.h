/* options.h: the caller's option structs read within the size the caller gave them (the ABI
 * promise in include/winnow.h, "Version and ABI"), and the status names. */
#ifndef WN_OPTIONS_H
#define WN_OPTIONS_H

#include <stddef.h>

/* Copies the caller's option struct `given` (its first member a size_t, its size) into `own`,
 * own_size bytes: the members within the caller's size as given, the rest zero; own's size
 * becomes own_size. `given` NULL: the defaults. WINNOW_ERR_USAGE, with what is wrong in err
 * (`what` names the struct), for a size of 0 or smaller than the size member, or a larger
 * struct with a byte set past own_size (a member this library does not know). */
int wn_options_take(void *own, size_t own_size, const void *given, const char *what, char *err,
                    size_t errlen);

#endif
