/* fsutil.h - whole-file reads and crash-safe writes (fsutil.c): a
 * temporary file beside the target, fsync, rename, fsync of the directory;
 * and the time stamps written beside them. */
#ifndef SLUICE_CORE_FSUTIL_H
#define SLUICE_CORE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sluice/sluice.h>

/* Writes path through a temporary file and a rename; sync: fsync the file
 * and its directory. */
int slc_write_file(const char *path, const void *data, size_t len, bool sync, sl_error *err);
/* Reads a whole file (NUL-terminated); SL_ENOTFOUND when absent. */
int slc_read_file(const char *path, char **data, size_t *len, sl_error *err);
int slc_fsync_dir(const char *dir, sl_error *err);
/* ISO-8601 UTC with milliseconds. */
void slc_iso_time(int64_t us, char *buf, size_t n);

#endif
