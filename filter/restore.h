/* restore.h: `winnow restore` (command only): a cleaned output and its --report give back the
 * input, byte for byte, or a clear message where they do not agree. */
#ifndef WN_RESTORE_H
#define WN_RESTORE_H

/* argv[0] is "restore". Returns the exit status: 0 rebuilt, 2 usage or a mismatch. */
int wn_restore_main(int argc, char **argv);

#endif
