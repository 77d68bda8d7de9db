/* infer.c - a schema from the files the directory holds when the stage is
 * created (Spark's inferSchema / samplingRatio): the files are listed as a
 * batch would list them on a first run (oldest first, through the manifest
 * of a sluice output directory), read up to FSRC_INFER_BYTES in all, and fed
 * to an sl_inferrer.  Files are separated by a line end; with a CSV header
 * only the first file's header line is fed (the others' are skipped).
 *
 * The schema is fixed from then on (validate and explain show it); files
 * that arrive later are read with it.  It is inferred again on every start,
 * from what the directory holds then: pin it with `schema` when files are
 * cleaned up or change shape.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsrc.h"

/* Lists every file there is, in reading order, ignoring `done`. */
static int list_all(fsrc *s, sl_error *err)
{
	int64_t max = s->max_files;
	fsrc_map done = s->done;
	int rc;

	memset(&s->done, 0, sizeof(s->done));
	s->max_files = 0;
	rc = fsrc_list(s, err);
	s->max_files = max;
	fsrc_map_free(&s->done);
	s->done = done;
	if (rc >= 0 && s->n_files == 0)
		rc = sl_error_at(err, SL_EINVAL, "schema", -1,
		                 "cannot infer a schema: %s has no file to read yet; give schema",
		                 s->dir);
	if (rc < 0 && err->option == NULL)
		err->option = "infer_schema";
	return rc;
}

static int open_file(fsrc *s, const char *name, sl_error *err)
{
	int fd;

	sl_strbuf_reset(&s->scratch);
	if (sl_strbuf_printf(&s->scratch, "%s/%s", s->dir, name) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	fd = open(s->scratch.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sl_error_set(err, SL_EIO, "cannot read %s: %s", s->scratch.buf,
		                    strerror(errno));
	return fd;
}

/* The next chunk of fd into s->buf; 0 at the end. */
static ssize_t chunk(fsrc *s, int fd, const char *name, sl_error *err)
{
	ssize_t n;

	if (s->buf == NULL) {
		s->buf = malloc((size_t)1 << 20);
		if (s->buf == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		s->buf_cap = (size_t)1 << 20;
	}
	do
		n = read(fd, s->buf, s->buf_cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sl_error_set(err, SL_EIO, "cannot read %s/%s: %s", s->dir, name,
		                    strerror(errno));
	return n;
}

int fsrc_infer(fsrc *s, sl_format_kind kind, const sl_format_options *o, sl_schema **out,
               sl_error *err)
{
	sl_inferrer *inf = NULL;
	size_t total = 0;
	int rc;

	*out = NULL;
	if ((rc = list_all(s, err)) < 0)
		goto done;
	if ((rc = sl_inferrer_new(kind, o, &inf, err)) < 0) {
		err->option = "infer_schema";
		goto done;
	}
	for (size_t i = 0; i < s->n_files && total < FSRC_INFER_BYTES && !sl_inferrer_full(inf);
	     i++) {
		bool skip_header = kind == SL_FORMAT_CSV && o->header && i > 0, first = true;
		char last = '\n';
		ssize_t n;
		int fd = open_file(s, s->files[i].name, err);

		if (fd < 0) {
			rc = fd;
			goto done;
		}
		while ((n = chunk(s, fd, s->files[i].name, err)) > 0 && total < FSRC_INFER_BYTES) {
			const char *p = s->buf;
			size_t len = (size_t)n;

			if (first && fsrc_has_bom(p, len)) {
				p += 3;
				len -= 3;
			}
			first = false;
			if (skip_header) {
				const char *nl = memchr(p, '\n', len);
				if (nl == NULL)
					continue;
				len -= (size_t)(nl + 1 - p);
				p = nl + 1;
				skip_header = false;
			}
			if (len == 0)
				continue;
			if ((rc = sl_inferrer_feed(inf, p, len, err)) < 0)
				break;
			last = p[len - 1];
			total += len;
			if (sl_inferrer_full(inf))
				break;
		}
		close(fd);
		if (n < 0) {
			rc = (int)n;
			goto done;
		}
		if (rc < 0) {
			sl_error_prefix(err, "%s/%s", s->dir, s->files[i].name);
			goto done;
		}
		/* A file without a final line end ends its last record. */
		if (last != '\n' && (rc = sl_inferrer_feed(inf, "\n", 1, err)) < 0)
			goto done;
	}
	if ((rc = sl_inferrer_finish(inf, out, err)) < 0) {
		err->option = "infer_schema";
		goto done;
	}
	if ((*out)->n_fields == 0) {
		sl_type_unref(*out);
		*out = NULL;
		rc = sl_error_at(err, SL_EINVAL, "infer_schema", -1,
		                 "cannot infer a schema from the files of %s: no field found; "
		                 "give schema",
		                 s->dir);
	}
done:
	sl_inferrer_free(inf);
	fsrc_files_clear(s);
	return rc;
}

int fsrc_avro_schema(fsrc *s, const sl_format_options *o, sl_schema **out, sl_error *err)
{
	sl_decoder *d = NULL;
	ssize_t n = 0;
	int rc, fd;

	*out = NULL;
	if ((rc = list_all(s, err)) < 0)
		goto done;
	if ((rc = sl_decoder_new(SL_FORMAT_AVRO_FILE, NULL, o, &d, err)) < 0)
		goto done;
	if ((fd = open_file(s, s->files[0].name, err)) < 0) {
		rc = fd;
		goto done;
	}
	while (sl_decoder_schema(d) == NULL && (n = chunk(s, fd, s->files[0].name, err)) > 0)
		if ((rc = sl_decoder_feed(d, s->buf, (size_t)n, err)) < 0)
			break;
	close(fd);
	if (n < 0) {
		rc = (int)n;
		goto done;
	}
	if (rc < 0) {
		sl_error_prefix(err, "%s/%s", s->dir, s->files[0].name);
		goto done;
	}
	if (sl_decoder_schema(d) == NULL) {
		rc = sl_error_at(err, SL_EINVAL, "schema", -1,
		                 "%s/%s is not an Avro container file (no header); give schema or "
		                 "avro_schema",
		                 s->dir, s->files[0].name);
		goto done;
	}
	*out = sl_type_ref((sl_schema *)sl_decoder_schema(d));
done:
	sl_decoder_free(d);
	fsrc_files_clear(s);
	return rc;
}
