/* fmt_encoder.c - the format-independent half of an encoder. */
#include <string.h>

#include "fmt_enc.h"

int sl_encoder_new(sl_format_kind kind, sl_schema *schema, const sl_format_options *opts,
                   sl_encoder **out, sl_error *err)
{
	sl_encoder *e;
	int rc;

	*out = NULL;
	if (schema == NULL || schema->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "encoder schema must be a struct");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	e->kind = kind;
	e->schema = sl_type_ref(schema);
	rc = sl_format_config_copy(&e->opts, opts);
	if (rc < 0) {
		sl_error_set(err, rc, "out of memory");
		goto fail;
	}
	if (e->opts.o.timestamp_format != NULL) {
		rc = slf_tsfmt_compile(e->opts.o.timestamp_format, &e->tsfmt, err);
		if (rc < 0)
			goto fail;
	}
	switch (kind) {
	case SL_FORMAT_JSON:
		rc = slf_json_enc_new(e, err);
		break;
	case SL_FORMAT_CSV:
		rc = slf_csv_enc_new(e, err);
		break;
	case SL_FORMAT_AVRO:
	case SL_FORMAT_AVRO_FILE:
		rc = slf_avro_enc_new(e, kind == SL_FORMAT_AVRO_FILE, err);
		break;
	default:
		rc = sl_error_set(err, SL_EINVAL, "unknown format %d", (int)kind);
		break;
	}
	if (rc < 0)
		goto fail;
	*out = e;
	return SL_OK;
fail:
	sl_encoder_free(e);
	return rc;
}

void sl_encoder_free(sl_encoder *e)
{
	if (e == NULL)
		return;
	if (e->ops != NULL && e->ops->free != NULL && e->impl != NULL)
		e->ops->free(e->impl);
	slf_tsfmt_free(e->tsfmt);
	sl_format_config_free(&e->opts);
	sl_type_unref(e->schema);
	free(e);
}

static int check_batch(const sl_encoder *e, const sl_batch *b, sl_error *err)
{
	if (b == NULL || (b->schema != e->schema && !sl_type_equal(b->schema, e->schema)))
		return sl_error_set(err, SL_ETYPE, "batch schema differs from the encoder's");
	return SL_OK;
}

int sl_encoder_write(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err)
{
	int64_t r;
	int rc = check_batch(e, b, err);

	if (rc < 0)
		return rc;
	if (e->ops->batch != NULL)
		return e->ops->batch(e, b, out, err);
	for (r = 0; r < b->n_rows; r++) {
		rc = e->ops->row(e, b->columns, r, out, err);
		if (rc < 0)
			return rc;
		rc = sl_strbuf_append(out, "\n", 1);
		if (rc < 0)
			return sl_error_set(err, rc, "out of memory");
	}
	return SL_OK;
}

int sl_encoder_write_row(sl_encoder *e, const sl_batch *b, int64_t row, sl_strbuf *out,
                         sl_error *err)
{
	int rc = check_batch(e, b, err);

	if (rc < 0)
		return rc;
	if (row < 0 || row >= b->n_rows)
		return sl_error_set(err, SL_EINVAL, "row %lld out of range", (long long)row);
	return e->ops->row(e, b->columns, row, out, err);
}

int sl_encoder_write_value(sl_encoder *e, const sl_array *st, int64_t row, sl_strbuf *out,
                           sl_error *err)
{
	if (st == NULL || !sl_type_equal(st->type, e->schema))
		return sl_error_set(err, SL_ETYPE, "value type differs from the encoder's schema");
	if (row < 0 || row >= st->length)
		return sl_error_set(err, SL_EINVAL, "row %lld out of range", (long long)row);
	return e->ops->row(e, st->children, row, out, err);
}

int sl_encoder_finish(sl_encoder *e, sl_strbuf *out, sl_error *err)
{
	if (e->ops->finish == NULL)
		return SL_OK;
	return e->ops->finish(e, out, err);
}
