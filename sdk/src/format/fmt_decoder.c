/* fmt_decoder.c - the decoder's public face: a codec chosen by format, the
 * tail of an unfinished record across chunks, stream positions, the BOM,
 * batches.  Each record's end (Spark's modes, the corrupt-record column)
 * is fmt_record.c's, which the codecs call. */
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
