/* sl_file.h - durable files, for checkpoints, manifests and offsets.
 *
 * A file written with sl_write_file is replaced atomically: a reader sees
 * the old content or the new, never a part; with SL_FILE_SYNC, after a
 * crash the new content or the old, never a torn one.  The temporary is
 * ".NAME.tmp" beside it: hidden, so a directory listing (the file source's
 * included) skips it.  Messages name the path and the system's reason.
 */
#ifndef SLUICE_SL_FILE_H
#define SLUICE_SL_FILE_H

#include "sl_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* mkdir -p path (mode 0755); SL_EIO when a part cannot be created or path
 * is not a directory. */
int sl_mkdirs(const char *path, sl_error *err);
/* Writes all n bytes to fd, retrying short writes and EINTR; 0 or -errno. */
int sl_write_all(int fd, const void *p, size_t n);
/* fsyncs a directory, so that the creations and renames inside it are
 * durable. */
int sl_fsync_dir(const char *dir, sl_error *err);

/* Replaces path with data[0..len): writes DIR/.NAME.tmp, renames it over
 * path.  With SL_FILE_SYNC the temporary is fsynced before the rename and
 * the directory after it.  On failure the temporary is removed. */
#define SL_FILE_SYNC 1u
int sl_write_file(const char *path, const void *data, size_t len, unsigned flags,
                  sl_error *err);
/* Reads a whole file into *data (NUL-terminated, the caller frees it) and
 * its length into *len.  SL_ENOTFOUND, with no message, when path does not
 * exist. */
int sl_read_file(const char *path, char **data, size_t *len, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
