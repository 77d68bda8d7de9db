/* fmt_decoder.c - the format-independent half of a decoder: the tail of an
 * unfinished record across chunks, stream positions, Spark's modes for bad
 * records, the corrupt-record column, batches.
 *
 * A codec decodes records into d->root's children and calls slf_rec_begin,
 * slf_rec_error (first problem wins) and slf_rec_end around each record;
 * slf_rec_end applies the mode the same way for every format. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt_internal.h"

int sl_decoder_new(sl_format_kind kind, sl_schema *schema, const sl_format_options *opts,
                   sl_decoder **out, sl_error *err)
{
	sl_decoder *d;
	int rc;

	*out = NULL;
	if (schema != NULL && schema->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "decoder schema must be a struct");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	d->kind = kind;
	d->corrupt = -1;
	d->line = 1;
	rc = sl_format_config_copy(&d->opts, opts);
	if (rc < 0) {
		sl_error_set(err, rc, "out of memory");
		goto fail;
	}
	switch (kind) {
	case SL_FORMAT_JSON:
		d->codec = &slf_json_codec;
		break;
	case SL_FORMAT_CSV:
		d->codec = &slf_csv_codec;
		break;
	case SL_FORMAT_AVRO:
		d->codec = &slf_avro_codec;
		break;
	case SL_FORMAT_AVRO_FILE:
		d->codec = &slf_avro_file_codec;
		break;
	default:
		rc = sl_error_set(err, SL_EINVAL, "unknown format %d", (int)kind);
		goto fail;
	}
	if (schema == NULL && kind != SL_FORMAT_AVRO && kind != SL_FORMAT_AVRO_FILE) {
		rc = sl_error_set(err, SL_EINVAL, "%s decoder needs a schema",
		                  sl_format_kind_name(kind));
		goto fail;
	}
	if (schema != NULL) {
		rc = slf_decoder_set_schema(d, schema, err);
		if (rc < 0)
			goto fail;
	}
	if (kind == SL_FORMAT_JSON)
		rc = slf_json_dec_new(d, err);
	else if (kind == SL_FORMAT_CSV)
		rc = slf_csv_dec_new(d, err);
	else
		rc = slf_avro_dec_new(d, kind == SL_FORMAT_AVRO_FILE, err);
	if (rc < 0)
		goto fail;
	*out = d;
	return SL_OK;
fail:
	sl_decoder_free(d);
	return rc;
}

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

void sl_decoder_free(sl_decoder *d)
{
	if (d == NULL)
		return;
	if (d->codec != NULL && d->codec->free != NULL && d->impl != NULL)
		d->codec->free(d->impl);
	if (d->root_ready)
		slf_col_free(&d->root);
	sl_type_unref(d->schema);
	sl_format_config_free(&d->opts);
	free(d->tail);
	free(d);
}

const sl_schema *sl_decoder_schema(const sl_decoder *d)
{
	return d ? d->schema : NULL;
}

void sl_decoder_on_bad_record(sl_decoder *d, sl_bad_record_fn fn, void *user)
{
	d->on_bad = fn;
	d->on_bad_user = user;
}

void sl_decoder_set_position(sl_decoder *d, int64_t offset, int64_t line, int64_t record)
{
	d->offset = offset;
	d->data_start = 0;
	d->line = line > 0 ? line : 1;
	d->record = record;
}

size_t sl_decoder_pending(const sl_decoder *d)
{
	return d->tail_len;
}

/* ---------------------------------------------------------------- feeding */

static int tail_reserve(sl_decoder *d, size_t n)
{
	size_t cap = d->tail_cap ? d->tail_cap : 4096;
	char *t;

	if (n <= d->tail_cap)
		return SL_OK;
	while (cap < n)
		cap *= 2;
	t = realloc(d->tail, cap);
	if (t == NULL)
		return SL_ENOMEM;
	d->tail = t;
	d->tail_cap = cap;
	return SL_OK;
}

static int check_usable(sl_decoder *d, sl_error *err)
{
	if (d->failed)
		return sl_error_set(err, SL_ESTATE,
		                    "decoder stopped at a malformed record (FAILFAST)");
	return SL_OK;
}

static const char bom[3] = {'\xEF', '\xBB', '\xBF'};

/* At stream offset 0 a text format skips a UTF-8 byte-order mark, as
 * Spark does: returns the bytes of buf to skip (0 or 3), or SIZE_MAX when
 * buf is too short to tell yet. */
static size_t bom_length(const sl_decoder *d, const char *buf, size_t len, bool eof)
{
	if (d->offset != 0 || d->kind == SL_FORMAT_AVRO_FILE || d->kind == SL_FORMAT_AVRO)
		return 0;
	if (len >= 3)
		return memcmp(buf, bom, 3) == 0 ? 3 : 0;
	return !eof && memcmp(buf, bom, len) == 0 ? SIZE_MAX : 0;
}

/* Runs the codec over buf (len bytes) and keeps what it did not use. */
static int run(sl_decoder *d, const char *buf, size_t len, bool eof, sl_error *err)
{
	size_t used = 0, skip = bom_length(d, buf, len, eof);
	int rc = SL_OK;

	if (skip == SIZE_MAX) {
		skip = 0; /* kept until there are three bytes */
	} else {
		if (skip > 0) {
			d->offset += (int64_t)skip;
			d->stats.bytes += (int64_t)skip;
			d->data_start = d->offset;
		}
		rc = d->codec->decode(d, buf + skip, len - skip, eof, &used, err);
	}
	d->offset += (int64_t)used;
	d->stats.bytes += (int64_t)used;
	used += skip;
	if (rc < 0) {
		if (d->opts.o.mode == SL_PARSE_FAILFAST && rc == SL_EINVAL)
			d->failed = true;
		d->tail_len = 0;
		return rc;
	}
	if (used < len) {
		if (buf == d->tail) {
			memmove(d->tail, d->tail + used, len - used);
		} else {
			rc = tail_reserve(d, len - used);
			if (rc < 0)
				return sl_error_set(err, rc, "out of memory");
			memcpy(d->tail, buf + used, len - used);
		}
	}
	d->tail_len = eof ? 0 : len - used;
	return SL_OK;
}

int sl_decoder_feed(sl_decoder *d, const void *buf, size_t len, sl_error *err)
{
	int rc = check_usable(d, err);

	if (rc < 0)
		return rc;
	if (len == 0)
		return SL_OK;
	if (d->tail_len == 0)
		return run(d, buf, len, false, err);
	rc = tail_reserve(d, d->tail_len + len);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	memcpy(d->tail + d->tail_len, buf, len);
	return run(d, d->tail, d->tail_len + len, false, err);
}

int sl_decoder_finish(sl_decoder *d, sl_error *err)
{
	int rc = check_usable(d, err);

	if (rc < 0)
		return rc;
	return run(d, d->tail ? d->tail : "", d->tail_len, true, err);
}

int sl_decoder_decode_record(sl_decoder *d, const void *buf, size_t len, sl_error *err)
{
	int rc = check_usable(d, err);

	if (rc < 0)
		return rc;
	if (!d->root_ready)
		return sl_error_set(err, SL_ESTATE, "decoder has no schema yet");
	rc = d->codec->one(d, buf, len, err);
	d->offset += (int64_t)len;
	d->stats.bytes += (int64_t)len;
	if (rc == SL_EINVAL && d->opts.o.mode == SL_PARSE_FAILFAST)
		d->failed = true;
	return rc;
}

int sl_decoder_append_null(sl_decoder *d)
{
	int rc;

	if (!d->root_ready)
		return SL_ESTATE;
	rc = slf_col_null(&d->root);
	if (rc == SL_OK)
		d->stats.rows++;
	return rc;
}

/* ------------------------------------------------------------ records */

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

/* ------------------------------------------------------------- results */

int64_t sl_decoder_rows(const sl_decoder *d)
{
	return d->root_ready ? d->root.len : 0;
}

int sl_decoder_take_struct(sl_decoder *d, sl_array **out, sl_error *err)
{
	*out = NULL;
	if (!d->root_ready)
		return sl_error_set(err, SL_ESTATE, "decoder has no schema yet");
	*out = slf_col_finish(&d->root);
	if (*out == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return SL_OK;
}

int sl_decoder_take(sl_decoder *d, sl_batch **out, sl_error *err)
{
	sl_array *st, *stack[32], **cols = stack;
	size_t i, n;
	int rc;

	*out = NULL;
	rc = sl_decoder_take_struct(d, &st, err);
	if (rc < 0)
		return rc;
	n = st->n_children;
	if (n > 32) {
		cols = malloc(n * sizeof(*cols));
		if (cols == NULL) {
			sl_array_unref(st);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	for (i = 0; i < n; i++)
		cols[i] = sl_array_ref(st->children[i]);
	*out = sl_batch_new(d->schema, st->length, cols);
	sl_array_unref(st);
	if (cols != stack)
		free(cols);
	if (*out == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return SL_OK;
}

void sl_decoder_stats_get(const sl_decoder *d, sl_decoder_stats *out)
{
	*out = d->stats;
}
