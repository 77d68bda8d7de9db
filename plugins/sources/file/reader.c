/* reader.c - a file's bytes and lines, and the rows decoded from them into
 * batches of up to FSRC_BATCH_ROWS rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsrc.h"

#define READ_SIZE ((size_t)1 << 20)

int fsrc_fill(fsrc *s, fsrc_reader *r, sl_error *err)
{
	ssize_t n;

	if (r->eof)
		return SL_EOF;
	if (r->beg > 0) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->cap - r->end < READ_SIZE / 2) {
		/* A line longer than the buffer (or the first read): grow. */
		size_t cap = r->cap ? r->cap * 2 : READ_SIZE;
		char *nb = realloc(r->buf, cap);
		if (nb == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory reading %s", r->name);
		s->buf = r->buf = nb;
		s->buf_cap = r->cap = cap;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return sl_error_set(err, SL_EIO, "cannot read %s/%s: %s", s->dir, r->name,
		                    strerror(errno));
	if (n == 0) {
		r->eof = true;
		return SL_EOF;
	}
	r->end += (size_t)n;
	r->bytes += n;
	return SL_OK;
}

int fsrc_skip_bom(fsrc *s, fsrc_reader *r, sl_error *err)
{
	int rc;

	/* A regular file's first read holds its first 3 bytes, if it has them. */
	while (r->bytes == 0 && !r->eof)
		if ((rc = fsrc_fill(s, r, err)) < 0)
			return rc;
	if (r->beg != 0 || r->bytes != (int64_t)r->end || !fsrc_has_bom(r->buf, r->end))
		return 0;
	r->beg = 3;
	return 3;
}

int fsrc_next_line(fsrc *s, fsrc_reader *r, const char **line, size_t *len, sl_error *err)
{
	size_t scanned = 0; /* bytes after beg known to hold no newline */
	int rc;

	for (;;) {
		char *b = r->buf + r->beg;
		size_t avail = r->end - r->beg;
		char *nl = avail > scanned ? memchr(b + scanned, '\n', avail - scanned) : NULL;
		size_t n;

		if (nl != NULL) {
			n = (size_t)(nl - b);
			r->beg += n + 1;
		} else {
			scanned = avail;
			rc = fsrc_fill(s, r, err);
			if (rc < 0)
				return rc;
			if (rc == SL_OK)
				continue;
			if (avail == 0)
				return SL_EOF;
			/* The last line, without a newline. */
			b = r->buf + r->beg;
			n = avail;
			r->beg = r->end;
		}
		if (n > 0 && b[n - 1] == '\r')
			n--;
		r->line++;
		*line = b;
		*len = n;
		return SL_OK;
	}
}

int fsrc_flush(fsrc *s, sl_error *err)
{
	sl_batch *batch;

	if (s->bb == NULL || sl_batch_builder_rows(s->bb) == 0)
		return SL_OK;
	batch = sl_batch_builder_finish(s->bb);
	s->batch_bytes = 0;
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_emit(s->out, batch);
}

int fsrc_row_done(fsrc *s, size_t bytes, sl_error *err)
{
	if (s->include_filename) {
		sl_builder *b = sl_batch_builder_column(s->bb, s->columns->n_fields);
		if (sl_builder_append_string(b, s->cur_name, strlen(s->cur_name)) < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	s->batch_bytes += bytes;
	if (sl_batch_builder_rows(s->bb) >= FSRC_BATCH_ROWS || s->batch_bytes >= FSRC_BATCH_BYTES)
		return fsrc_flush(s, err);
	return SL_OK;
}

void fsrc_bad_record(fsrc *s, const fsrc_reader *r, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	sl_metric_add(s->st, "badRecords", 1);
	if (++s->cur_bad > FSRC_WARN_PER_FILE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_log(s->st, SL_LOG_WARN, "%s/%s:%" PRId64 ": %s", s->dir, r->name, r->line, msg);
}
