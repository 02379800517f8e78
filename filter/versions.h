/* versions.h: what `winnow --version` prints: winnow's version, a fingerprint of the rules
 * built in, and the version of each library it runs with. */
#ifndef WN_VERSIONS_H
#define WN_VERSIONS_H

#include <stdio.h>

/* Writes the report to out. */
void wn_print_versions(FILE *out);

#endif
