/* listing.c - what the directory holds, what is new, and what happens to a
 * file once its batch committed.
 *
 * A listing skips names starting with '.' or '_' (hidden and temporary
 * files: a writer creates ".name.tmp" and renames it when complete) and
 * anything that is not a regular file (after following symbolic links),
 * then keeps the names that match the glob and that no committed batch read
 * (`done`).  When the directory holds _sluice_log/ (a sluice file sink's
 * output) only the files its manifest entries list are candidates: part
 * files of a batch that never committed are not output.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsrc.h"

void fsrc_files_clear(fsrc *s)
{
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i].name);
	s->n_files = 0;
}

static int add_file(fsrc *s, const char *name, const struct stat *sb, int64_t order)
{
	fsrc_file *f;

	if (s->n_files == s->cap_files) {
		size_t cap = s->cap_files ? s->cap_files * 2 : 64;
		fsrc_file *nf = realloc(s->files, cap * sizeof(*nf));
		if (nf == NULL)
			return SL_ENOMEM;
		s->files = nf;
		s->cap_files = cap;
	}
	f = &s->files[s->n_files];
	f->name = strdup(name);
	if (f->name == NULL)
		return SL_ENOMEM;
	f->size = (int64_t)sb->st_size;
	f->mtime_us = (int64_t)sb->st_mtim.tv_sec * 1000000 + sb->st_mtim.tv_nsec / 1000;
	f->order = order;
	s->n_files++;
	return SL_OK;
}

/* One name of the listing (already filtered by prefix and glob). */
static int consider(fsrc *s, int dfd, const char *name, int64_t order)
{
	size_t len = strlen(name);
	fsrc_rec *r = fsrc_map_find(&s->done, name, len);
	struct stat sb;
	int64_t mtime;

	/* Read before, and nothing to clean up: no need to look at it. */
	if (r != NULL && (s->clean == FSRC_KEEP || r->warned))
		return SL_OK;
	if (fstatat(dfd, name, &sb, 0) < 0 || !S_ISREG(sb.st_mode))
		return SL_OK; /* gone since the listing, or not a file */
	mtime = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
	if (r != NULL) {
		/* A file of a batch that has not committed yet is left alone:
		 * the core replays such a batch from its offset. */
		if (!r->committed)
			return SL_OK;
		if (r->size == (int64_t)sb.st_size && r->mtime_us == mtime) {
			/* Read by a committed batch but still here: the process
			 * stopped between the commit and the clean-up. */
			fsrc_clean(s, name);
		} else {
			r->warned = true;
			sl_log(s->st, SL_LOG_WARN,
			       "%s/%s was read by batch %" PRId64 " and has changed since; it is "
			       "not read again (files must arrive complete, by rename) nor "
			       "cleaned up",
			       s->dir, name, r->batch);
		}
		return SL_OK;
	}
	if (sl_utf8_valid(name, len) != len) {
		/* Offsets are JSON text: such a name cannot be logged. */
		r = fsrc_map_put(&s->done, name, len);
		if (r == NULL)
			return SL_ENOMEM;
		r->batch = -1;
		r->warned = true;
		sl_log(s->st, SL_LOG_WARN,
		       "%s: a file name that is not UTF-8 is ignored (rename the file)", s->dir);
		return SL_OK;
	}
	return add_file(s, name, &sb, order);
}

static bool listable(const fsrc *s, const char *name)
{
	return name[0] != '.' && name[0] != '_' && strchr(name, '/') == NULL &&
	       fnmatch(s->glob, name, 0) == 0;
}

static int list_dir(fsrc *s, DIR *d, sl_error *err)
{
	struct dirent *e;
	int rc = SL_OK;

	errno = 0;
	while (rc == SL_OK && (e = readdir(d)) != NULL) {
		if (listable(s, e->d_name))
			rc = consider(s, dirfd(d), e->d_name, -1);
		errno = 0;
	}
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	if (errno != 0)
		return sl_error_at(err, SL_EIO, "path", -1, "cannot list %s: %s", s->dir,
		                   strerror(errno));
	return SL_OK;
}

/* A manifest entry's name: decimal digits only. */
static bool entry_id(const char *name, int64_t *id)
{
	int64_t v = 0;

	if (*name == '\0' || strlen(name) > 18)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return true;
}

/* Reads manifest entry `name` (batch id) into s->manifest. */
static int load_entry(fsrc *s, int lfd, const char *name, int64_t id)
{
	json_error_t je;
	json_t *list = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int fd = openat(lfd, name, O_RDONLY | O_CLOEXEC), rc = SL_OK;

	if (fd < 0)
		goto bad;
	for (;;) {
		ssize_t n;
		if (cap - len < 4096) {
			char *nt = realloc(text, cap = cap ? cap * 2 : 8192);
			if (nt == NULL) {
				rc = SL_ENOMEM;
				goto out;
			}
			text = nt;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto bad;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	list = json_loadb(text, len, 0, &je);
	if (list == NULL || !json_is_array(list))
		goto bad;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *v = json_array_get(list, i);
		fsrc_rec *r;

		if (!json_is_string(v))
			goto bad;
		r = fsrc_map_put(&s->manifest, json_string_value(v), json_string_length(v));
		if (r == NULL) {
			rc = SL_ENOMEM;
			goto out;
		}
		r->batch = id;
	}
	goto out;
bad:
	sl_log(s->st, SL_LOG_WARN,
	       "%s/%s/%s: not a manifest entry (a JSON list of file names); "
	       "ignored",
	       s->dir, FSRC_LOG_DIR, name);
out:
	if (fd >= 0)
		close(fd);
	json_decref(list);
	free(text);
	return rc;
}

/* A sluice output directory: the files of its manifest. */
static int list_manifest(fsrc *s, DIR *d, sl_error *err)
{
	sl_strbuf path = {0};
	struct dirent *e;
	DIR *ld;
	int rc = SL_OK;

	if (sl_strbuf_printf(&path, "%s/%s", s->dir, FSRC_LOG_DIR) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ld = opendir(path.buf);
	if (ld == NULL) {
		rc = sl_error_at(err, SL_EIO, "path", -1, "cannot list %s: %s", path.buf,
		                 strerror(errno));
		sl_strbuf_free(&path);
		return rc;
	}
	/* New entries (entries never change once written). */
	while (rc == SL_OK && (e = readdir(ld)) != NULL) {
		size_t len = strlen(e->d_name);
		int64_t id;

		if (!entry_id(e->d_name, &id) || fsrc_map_find(&s->entries, e->d_name, len))
			continue;
		if (fsrc_map_put(&s->entries, e->d_name, len) == NULL)
			rc = SL_ENOMEM;
		else
			rc = load_entry(s, dirfd(ld), e->d_name, id);
	}
	closedir(ld);
	sl_strbuf_free(&path);
	for (size_t i = 0; i < s->manifest.cap && rc == SL_OK; i++) {
		const fsrc_rec *r = &s->manifest.slots[i];
		if (r->name != NULL && listable(s, r->name))
			rc = consider(s, dirfd(d), r->name, r->batch);
	}
	return rc < 0 ? sl_error_set(err, rc, "out of memory") : SL_OK;
}

/* Manifest batch first (when there is one), then modification time, then
 * name. */
static int by_age(const void *va, const void *vb)
{
	const fsrc_file *a = va, *b = vb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (a->order < 0 && a->mtime_us != b->mtime_us)
		return a->mtime_us < b->mtime_us ? -1 : 1;
	return strcmp(a->name, b->name);
}

int fsrc_list(fsrc *s, sl_error *err)
{
	sl_strbuf log = {0};
	struct stat sb;
	DIR *d;
	int rc;

	fsrc_files_clear(s);
	d = opendir(s->dir);
	if (d == NULL)
		return sl_error_at(err, SL_EIO, "path", -1, "cannot list %s: %s", s->dir,
		                   strerror(errno));
	if (sl_strbuf_printf(&log, "%s/%s", s->dir, FSRC_LOG_DIR) < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	else if (stat(log.buf, &sb) == 0 && S_ISDIR(sb.st_mode))
		rc = list_manifest(s, d, err);
	else
		rc = list_dir(s, d, err);
	closedir(d);
	sl_strbuf_free(&log);
	if (rc < 0)
		return rc;
	if (s->n_files > 1)
		qsort(s->files, s->n_files, sizeof(*s->files), by_age);
	if (s->latest_first)
		for (size_t i = 0, j = s->n_files; i + 1 < j; i++, j--) {
			fsrc_file t = s->files[i];
			s->files[i] = s->files[j - 1];
			s->files[j - 1] = t;
		}
	if (s->max_files > 0 && s->n_files > (size_t)s->max_files) {
		for (size_t i = (size_t)s->max_files; i < s->n_files; i++)
			free(s->files[i].name);
		s->n_files = (size_t)s->max_files;
	}
	return SL_OK;
}

/* ---- clean_source ---- */

/* Copies src to dst (through dst's hidden temporary), for an archive
 * directory on another file system. */
static int copy_file(const char *src, const char *dir, const char *name)
{
	sl_strbuf tmp = {0}, dst = {0};
	char buf[65536];
	int in = -1, out = -1, e = 0;

	if (sl_strbuf_printf(&tmp, "%s/.%s.tmp", dir, name) < 0 ||
	    sl_strbuf_printf(&dst, "%s/%s", dir, name) < 0) {
		e = ENOMEM;
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = in < 0 ? -1 : open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		e = errno;
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : 0;
			break;
		}
		if ((e = -sl_write_all(out, buf, (size_t)n)) != 0)
			break;
	}
	if (e == 0 && fsync(out) < 0)
		e = errno;
	if (close(out) < 0 && e == 0)
		e = errno;
	out = -1;
	if (e == 0 && rename(tmp.buf, dst.buf) < 0)
		e = errno;
	if (e != 0)
		unlink(tmp.buf);
out:
	if (in >= 0)
		close(in);
	if (out >= 0) {
		close(out);
		unlink(tmp.buf);
	}
	sl_strbuf_free(&tmp);
	sl_strbuf_free(&dst);
	return e;
}

void fsrc_clean(fsrc *s, const char *name)
{
	sl_strbuf src = {0}, dst = {0};
	int e = 0;

	if (s->clean == FSRC_KEEP)
		return;
	if (sl_strbuf_printf(&src, "%s/%s", s->dir, name) < 0 ||
	    sl_strbuf_printf(&dst, "%s/%s", s->archive_dir ? s->archive_dir : "", name) < 0) {
		e = ENOMEM;
	} else if (s->clean == FSRC_DELETE) {
		if (unlink(src.buf) < 0 && errno != ENOENT)
			e = errno;
	} else if (rename(src.buf, dst.buf) < 0) {
		e = errno;
		if (e == EXDEV && (e = copy_file(src.buf, s->archive_dir, name)) == 0 &&
		    unlink(src.buf) < 0)
			e = errno;
		if (e == ENOENT)
			e = 0; /* cleaned already */
	}
	if (e != 0) {
		sl_metric_add(s->st, "cleanFailures", 1);
		sl_log(s->st, SL_LOG_WARN,
		       "cannot %s %s: %s; the file stays (it is not read again)",
		       s->clean == FSRC_DELETE ? "delete" : "archive", src.buf, strerror(e));
	} else {
		sl_metric_add(s->st, s->clean == FSRC_DELETE ? "filesDeleted" : "filesArchived", 1);
	}
	sl_strbuf_free(&src);
	sl_strbuf_free(&dst);
}
