/* fsutil.c - whole-file reads and crash-safe writes for the checkpoint:
 * a temporary file beside the target, fsync, rename, fsync of the
 * directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/fsutil.h"

void slc_iso_time(int64_t us, char *buf, size_t n)
{
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", date, (int)((us / 1000) % 1000));
}

int slc_fsync_dir(const char *dir, sl_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = SL_OK;

	if (fd < 0)
		return sl_error_set(err, SL_EIO, "cannot open %s: %s", dir, strerror(errno));
	if (fsync(fd) < 0)
		rc = sl_error_set(err, SL_EIO, "cannot sync %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, p, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* The directory part of path (without a trailing slash). */
static void dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

int slc_write_file(const char *path, const void *data, size_t len, bool sync, sl_error *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd = -1, rc = SL_OK;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return sl_error_set(err, SL_EINVAL, "path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot rename %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (sync) {
		dir_of(path, dir, sizeof(dir));
		rc = slc_fsync_dir(dir, err);
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int slc_read_file(const char *path, char **data, size_t *len, sl_error *err)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t cap = 0, n = 0, k;
	int rc = SL_OK;

	*data = NULL;
	*len = 0;
	if (f == NULL && errno == ENOENT)
		return SL_ENOTFOUND;
	if (f == NULL)
		return sl_error_set(err, SL_EIO, "cannot open %s: %s", path, strerror(errno));
	do {
		if (n + 1 >= cap) {
			char *p = realloc(buf, cap ? cap * 2 : 4096);

			if (p == NULL) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory reading %s", path);
				goto out;
			}
			buf = p;
			cap = cap ? cap * 2 : 4096;
		}
		k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
	} while (k > 0);
	if (ferror(f)) {
		rc = sl_error_set(err, SL_EIO, "cannot read %s", path);
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return rc;
}
