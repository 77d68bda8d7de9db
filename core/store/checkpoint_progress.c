/* checkpoint_progress.c - CHK/progress.jsonl: one progress line per batch,
 * the last SLC_CHECKPOINT_KEEP kept.  Lines are appended; when the file
 * holds twice as many, it is rewritten with the last ones (temp + rename),
 * so a batch costs one small append. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/checkpoint.h"
#include "store/checkpoint_internal.h"

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

int slc_checkpoint_progress_open(slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX];
	char *text = NULL;
	size_t len;
	int rc;

	slc_checkpoint_path(c, path, sizeof(path), "progress.jsonl");
	rc = sl_read_file(path, &text, &len, err);
	if (rc == SL_ENOTFOUND)
		return SL_OK;
	if (rc < 0) {
		sl_error_prefix(err, "%s", c->where);
		return rc;
	}
	c->progress_lines = count_lines(text);
	free(text);
	return SL_OK;
}

/* Rewrites the file with its last `keep` lines. */
static int trim(slc_checkpoint *c, const char *path, size_t keep, sl_error *err)
{
	char *text = NULL, *start;
	size_t len, n;
	int rc = sl_read_file(path, &text, &len, err);

	if (rc < 0)
		goto out;
	n = count_lines(text);
	start = text;
	while (n > keep) {
		char *nl = strchr(start, '\n');

		if (nl == NULL)
			break;
		start = nl + 1;
		n--;
	}
	rc = sl_write_file(path, start, strlen(start), 0, err);
	if (rc >= 0)
		c->progress_lines = n;
out:
	free(text);
	return rc;
}

int slc_checkpoint_add_progress(slc_checkpoint *c, const char *line, sl_error *err)
{
	char path[PATH_MAX];
	size_t len = strlen(line);
	char *buf = NULL;
	int fd, rc = SL_OK;

	slc_checkpoint_path(c, path, sizeof(path), "progress.jsonl");
	if (c->progress_lines + 1 >= 2 * SLC_CHECKPOINT_KEEP) {
		rc = trim(c, path, SLC_CHECKPOINT_KEEP - 1, err);
		if (rc < 0)
			goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	/* One write per line, so a reader never sees half a line. */
	buf = malloc(len + 1);

	if (buf == NULL) {
		close(fd);
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(buf, line, len);
	buf[len] = '\n';
	if (write(fd, buf, len + 1) != (ssize_t)(len + 1))
		rc = sl_error_set(err, SL_EIO, "cannot write %s: %s", path, strerror(errno));
	free(buf);
	close(fd);
	if (rc >= 0)
		c->progress_lines++;
out:
	if (rc < 0)
		sl_error_prefix(err, "%s", c->where);
	return rc;
}
