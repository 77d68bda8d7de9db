/* checkpoint.c - opening a checkpoint: the directory (mkdir -p), the lock,
 * the layout, the metadata read; closing it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/checkpoint.h"
#include "store/checkpoint_internal.h"
#include "util/log.h"

static int mkdir_one(const slc_checkpoint *c, const char *path, sl_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return sl_error_set(err, SL_EIO, "%s: cannot create %s: %s", c->where, path,
		                    strerror(errno));
	return SL_OK;
}

/* mkdir -p: the directory and its missing parents. */
static int mkdir_parents(const slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s", c->dir) >= (int)sizeof(path))
		return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		rc = mkdir_one(c, path, err);
		*p = '/';
		if (rc < 0)
			return rc;
	}
	return mkdir_one(c, path, err);
}

/* The lock comes first: a second process stops there, having changed
 * nothing but perhaps creating the (empty) directory that it found. */
static int take_lock(slc_checkpoint *c, sl_error *err)
{
	char path[PATH_MAX], pid[32] = "";
	ssize_t k;
	int n;

	if (slc_checkpoint_path(c, path, sizeof(path), "lock") < 0)
		return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (c->lock_fd < 0)
		return sl_error_set(err, SL_EIO, "%s: cannot open %s: %s", c->where, path,
		                    strerror(errno));
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		k = pread(c->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[k > 0 ? k : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(c->lock_fd);
		c->lock_fd = -1;
		if (e != EWOULDBLOCK)
			return sl_error_set(err, SL_EIO, "%s: cannot lock %s: %s", c->where, path,
			                    strerror(e));
		return sl_error_set(err, SL_ESTATE,
		                    "%s: in use by another sluice process%s%s%s; stop it or use "
		                    "another checkpoint directory",
		                    c->where, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(c->lock_fd, 0) < 0 || pwrite(c->lock_fd, pid, (size_t)n, 0) != n)
		return sl_error_set(err, SL_EIO, "%s: cannot write %s: %s", c->where, path,
		                    strerror(errno));
	return SL_OK;
}

static int make_layout(slc_checkpoint *c, sl_error *err)
{
	static const char *const subs[] = {"offsets", "commits"};
	char path[PATH_MAX];
	int rc;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (slc_checkpoint_path(c, path, sizeof(path), "%s", subs[i]) < 0)
			return sl_error_set(err, SL_EINVAL, "%s: path too long", c->where);
		rc = mkdir_one(c, path, err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

/* --- open and close --- */

int slc_checkpoint_open(const char *dir, slc_checkpoint **out, sl_error *err)
{
	slc_checkpoint *c = calloc(1, sizeof(*c));
	size_t len = strlen(dir);
	int rc;

	*out = NULL;
	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->lock_fd = -1;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	c->dir = strndup(dir, len);
	if (c->dir == NULL || asprintf(&c->where, "checkpoint %s", c->dir) < 0) {
		c->where = NULL;
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (len == 0) {
		rc = sl_error_set(err, SL_EINVAL, "checkpoint: empty directory name");
		goto fail;
	}
	if ((rc = mkdir_parents(c, err)) < 0 || (rc = take_lock(c, err)) < 0 ||
	    (rc = make_layout(c, err)) < 0 || (rc = slc_checkpoint_read_meta(c, err)) < 0 ||
	    (rc = slc_checkpoint_progress_open(c, err)) < 0)
		goto fail;
	*out = c;
	return SL_OK;
fail:
	slc_checkpoint_close(c);
	return rc;
}

void slc_checkpoint_close(slc_checkpoint *c)
{
	if (c == NULL)
		return;
	if (c->lock_fd >= 0) {
		/* A clean stop leaves no pid behind for `sluice status`. */
		if (ftruncate(c->lock_fd, 0) < 0)
			slc_log(SL_LOG_DEBUG, NULL, "%s: cannot clear the lock file", c->where);
		close(c->lock_fd);
	}
	json_decref(c->meta);
	json_decref(c->stateful);
	free(c->dir);
	free(c->where);
	free(c);
}
