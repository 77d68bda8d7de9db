/* file.c - durable files (sl_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sluice/sl_file.h>

int sl_mkdirs(const char *path, sl_error *err)
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
			rc = sl_error_set(err, SL_EIO, "cannot create directory %s: %s", p,
			                  strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (rc == SL_OK && (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)))
		rc = sl_error_set(err, SL_EIO, "%s is not a directory", path);
	return rc;
}

int sl_write_all(int fd, const void *data, size_t n)
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

int sl_fsync_dir(const char *dir, sl_error *err)
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

/* path's directory ("." when it has none, "/" at the root) and the hidden
 * temporary's path beside path. */
static int temp_paths(const char *path, sl_strbuf *dir, sl_strbuf *tmp)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t dlen = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0;

	if ((dlen ? sl_strbuf_append(dir, path, dlen) : sl_strbuf_puts(dir, ".")) < 0)
		return SL_ENOMEM;
	if (sl_strbuf_append(tmp, path, (size_t)(name - path)) < 0 ||
	    sl_strbuf_printf(tmp, ".%s.tmp", name) < 0)
		return SL_ENOMEM;
	return SL_OK;
}

int sl_write_file(const char *path, const void *data, size_t len, unsigned flags, sl_error *err)
{
	sl_strbuf dir = {0}, tmp = {0};
	bool sync = flags & SL_FILE_SYNC;
	int fd = -1, rc = SL_OK, e;

	if (temp_paths(path, &dir, &tmp) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot create %s: %s", tmp.buf, strerror(errno));
		goto out;
	}
	if ((e = sl_write_all(fd, data, len)) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp.buf, strerror(-e));
		goto fail;
	}
	if (sync && fsync(fd) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot sync %s: %s", tmp.buf, strerror(errno));
		goto fail;
	}
	e = close(fd);
	fd = -1;
	if (e < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", tmp.buf, strerror(errno));
		goto fail;
	}
	if (rename(tmp.buf, path) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot rename %s to %s: %s", tmp.buf, path,
		                  strerror(errno));
		goto fail;
	}
	if (sync)
		rc = sl_fsync_dir(dir.buf, err);
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	sl_strbuf_free(&dir);
	sl_strbuf_free(&tmp);
	return rc;
}

int sl_read_file(const char *path, char **data, size_t *len, sl_error *err)
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
