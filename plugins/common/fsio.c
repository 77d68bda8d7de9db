/* fsio.c - durable file operations shared by the file plugins. */
#include "slplug.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int slp_mkdirs(const char *path, const char *option, sl_error *err)
{
	char *p = strdup(path);
	struct stat sb;
	int rc = SL_OK;

	if (p == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		char c;

		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = sl_error_at(err, SL_EIO, option, -1, "cannot create directory %s: %s",
			                 p, strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (rc == SL_OK && (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		rc = sl_error_at(err, SL_EIO, option, -1, "%s is not a directory", path);
	return rc;
}

int slp_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int slp_fsync_dir(const char *dir, sl_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return sl_error_set(err, SL_EIO, "cannot sync directory %s: %s", dir, strerror(e));
	}
	close(fd);
	return SL_OK;
}

int slp_write_atomic(const char *dir, const char *name, const void *data, size_t len, sl_error *err)
{
	sl_strbuf tmp = {0}, fin = {0};
	int fd = -1, rc = SL_OK, e;

	if (sl_strbuf_printf(&tmp, "%s/.%s.tmp", dir, name) < 0 ||
	    sl_strbuf_printf(&fin, "%s/%s", dir, name) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot create %s: %s", tmp.buf, strerror(errno));
		goto out;
	}
	if ((e = slp_write_all(fd, data, len)) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp.buf, strerror(-e));
		goto fail;
	}
	if (fsync(fd) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot sync %s: %s", tmp.buf, strerror(errno));
		goto fail;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp.buf, strerror(errno));
		goto fail;
	}
	if (rename(tmp.buf, fin.buf) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot rename %s to %s: %s", tmp.buf, fin.buf,
		                  strerror(errno));
		goto fail;
	}
	rc = slp_fsync_dir(dir, err);
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	sl_strbuf_free(&tmp);
	sl_strbuf_free(&fin);
	return rc;
}
