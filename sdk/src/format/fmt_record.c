/* fmt_record.c - what every codec does at a record's end, the same way for
 * every format: Spark's modes for bad records (PERMISSIVE, DROPMALFORMED,
 * FAILFAST), the corrupt-record column, dead letters, null rows; and the
 * decoder's schema, set at creation or by a codec that reads it from the
 * data (Avro containers).
 *
 * A codec decodes records into d->root's children and calls slf_rec_error
 * (first problem wins) and slf_rec_end around each record. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt_internal.h"

int slf_decoder_set_schema(sl_decoder *d, sl_schema *schema, sl_error *err)
{
	const char *cname = d->opts.o.corrupt_record_column;
	size_t i;
	int rc;

	if (d->schema != NULL)
		return sl_error_set(err, SL_ESTATE, "decoder schema already set");
	d->schema = sl_type_ref(schema);
	rc = slf_col_init(&d->root, schema);
	d->root_ready = true;
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	if (cname != NULL && cname[0] != '\0') {
		for (i = 0; i < schema->n_fields; i++)
			if (strcmp(schema->fields[i].name, cname) == 0)
				break;
		if (i < schema->n_fields) {
			if (schema->fields[i].type->id != SL_TYPE_STRING)
				return sl_error_at(
				    err, SL_EINVAL, "columnNameOfCorruptRecord", -1,
				    "the corrupt-record column '%s' must be a STRING", cname);
			d->corrupt = (int)i;
		}
	}
	if (d->codec != NULL && d->codec->prepare != NULL && d->impl != NULL)
		return d->codec->prepare(d, err);
	return SL_OK;
}

void slf_rec_error(sl_decoder *d, int status, size_t at, int field, const char *fmt, ...)
{
	va_list ap;

	if (d->status != SLF_REC_OK) {
		if (status > d->status)
			d->status = status;
		return;
	}
	d->status = status;
	d->err_at = at;
	d->err_field = field;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

int slf_row_end(sl_decoder *d)
{
	slf_col *r = &d->root;
	size_t i;
	int rc;

	for (i = 0; i < r->n_kids; i++) {
		if (r->kids[i].len == r->len) {
			rc = slf_col_null(&r->kids[i]);
			if (rc < 0)
				return rc;
		}
	}
	return slf_col_struct_end(r);
}

size_t sl_bad_record_format(const sl_bad_record *b, char *buf, size_t size)
{
	int n;

	if (b->line > 0)
		n = snprintf(buf, size, "line %lld, column %lld (byte %lld): %s",
		             (long long)b->err_line, (long long)b->err_column,
		             (long long)b->err_offset, b->message);
	else
		n = snprintf(buf, size, "record %lld (byte %lld): %s", (long long)b->record,
		             (long long)b->err_offset, b->message);
	return n > 0 ? (size_t)n : 0;
}

/* The record's text into the corrupt column: as it is for text formats,
 * base64 for binary ones (a STRING column holds UTF-8). */
static int corrupt_text(sl_decoder *d, slf_col *c)
{
	char *w;

	if (d->kind == SL_FORMAT_JSON || d->kind == SL_FORMAT_CSV) {
		if (sl_utf8_valid(d->rec, d->rec_len) == d->rec_len)
			return slf_col_str(c, d->rec, d->rec_len);
		w = slf_col_str_begin(c, d->rec_len * 3);
		if (w == NULL)
			return SL_ENOMEM;
		return slf_col_str_end(c, slu_utf8_repair(d->rec, d->rec_len, w));
	}
	w = slf_col_str_begin(c, d->rec_len / 3 * 4 + 8);
	if (w == NULL)
		return SL_ENOMEM;
	return slf_col_str_end(c, sl_base64_encode((const uint8_t *)d->rec, d->rec_len, w));
}

/* The record's corrupt-column value: its text, rows [row0, len). */
static int put_corrupt(sl_decoder *d)
{
	slf_col *c = slf_dcol(d, (size_t)d->corrupt);
	int64_t r;
	int rc;

	slf_col_truncate(c, d->row0);
	for (r = d->row0; r < d->root.len; r++) {
		rc = corrupt_text(d, c);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

/* A row of nulls with the record's text in the corrupt column. */
static int null_row(sl_decoder *d)
{
	slf_col *r = &d->root;
	size_t i;
	int rc;

	for (i = 0; i < r->n_kids; i++) {
		if ((int)i == d->corrupt)
			rc = corrupt_text(d, &r->kids[i]);
		else
			rc = slf_col_null(&r->kids[i]);
		if (rc < 0)
			return rc;
	}
	return slf_col_struct_end(r);
}

int slf_rec_end(sl_decoder *d, size_t len, int64_t lines, sl_error *err)
{
	sl_parse_mode mode = d->opts.o.mode;
	sl_bad_record b;
	char line[320];
	size_t i, col0 = 0;
	int64_t nl = 0;
	int rc = SL_OK;

	d->record++;
	d->stats.records++;
	d->rec_len = len;
	d->line += lines;
	if (d->status == SLF_REC_OK) {
		d->stats.rows += d->root.len - d->row0;
		return SL_OK;
	}
	d->stats.bad++;
	if (d->err_at > len)
		d->err_at = len;
	/* where the error is, in lines */
	if (d->kind == SL_FORMAT_JSON || d->kind == SL_FORMAT_CSV) {
		for (i = 0; i < d->err_at; i++) {
			if (d->rec[i] == '\n') {
				nl++;
				col0 = i + 1;
			}
		}
	}
	memset(&b, 0, sizeof(b));
	b.record = d->record;
	b.line = d->kind == SL_FORMAT_JSON || d->kind == SL_FORMAT_CSV ? d->rec_line : 0;
	b.offset = d->rec_off;
	b.err_offset = d->rec_off + (int64_t)d->err_at;
	b.err_line = b.line ? d->rec_line + nl : 0;
	b.err_column = b.line ? (int64_t)(d->err_at - col0) + 1 : 0;
	b.field = d->err_field >= 0 && d->schema ? d->schema->fields[d->err_field].name : NULL;
	b.message = d->msg;
	b.text = d->rec;
	b.text_len = len;
	b.mode = mode;
	/* apply the mode to the rows first, so a callback sees the outcome */
	if (mode == SL_PARSE_PERMISSIVE) {
		if (d->status == SLF_REC_BROKEN) {
			slf_col_truncate(&d->root, d->row0);
			rc = null_row(d);
		} else if (d->corrupt >= 0) {
			rc = put_corrupt(d);
		}
		if (rc < 0)
			return sl_error_set(err, rc, "out of memory");
		d->stats.rows += d->root.len - d->row0;
	} else {
		slf_col_truncate(&d->root, d->row0);
		if (mode == SL_PARSE_DROPMALFORMED)
			d->stats.dropped++;
	}
	if (d->on_bad != NULL) {
		rc = d->on_bad(d->on_bad_user, &b);
		if (rc < 0)
			return sl_error_set(err, rc, "bad-record handler failed at record %lld",
			                    (long long)b.record);
	}
	if (mode == SL_PARSE_FAILFAST) {
		sl_bad_record_format(&b, line, sizeof(line));
		d->failed = true;
		return sl_error_set(err, SL_EINVAL, "malformed record at %s", line);
	}
	return SL_EOF;
}
