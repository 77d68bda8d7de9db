/* fmt_infer.c - the inferrer's public face: a format's inferrer chosen by
 * kind, chunks and the tail of an unfinished record, the schema at the end.
 * The types and the sample are fmt_infer_type.c's. */
#include <string.h>

#include "fmt_infer.h"

/* ---------------------------------------------------------- front end */

int sl_inferrer_new(sl_format_kind kind, const sl_format_options *opts, sl_inferrer **out,
                    sl_error *err)
{
	sl_inferrer *inf;
	int rc;

	*out = NULL;
	if (kind != SL_FORMAT_JSON && kind != SL_FORMAT_CSV)
		return sl_error_set(err, SL_EINVAL,
		                    "schema inference reads JSON or CSV (Avro carries its schema)");
	inf = calloc(1, sizeof(*inf));
	if (inf == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	inf->kind = kind;
	inf->line = 1;
	rc = sl_format_config_copy(&inf->opts, opts);
	if (rc < 0) {
		sl_error_set(err, rc, "out of memory");
		goto fail;
	}
	if (!(inf->opts.o.sampling_ratio > 0 && inf->opts.o.sampling_ratio <= 1))
		inf->opts.o.sampling_ratio = 1.0;
	inf->acc = 1.0 - inf->opts.o.sampling_ratio; /* the first record is taken */
	inf->root = slf_ity_new(ITY_STRUCT);
	if (inf->root == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (kind == SL_FORMAT_CSV) {
		rc = slf_csvtok_init(&inf->tok, &inf->opts.o, err);
		if (rc < 0)
			goto fail;
	}
	if (inf->opts.o.timestamp_format != NULL) {
		rc = slf_tsfmt_compile(inf->opts.o.timestamp_format, &inf->tsfmt, err);
		if (rc < 0)
			goto fail;
	}
	*out = inf;
	return SL_OK;
fail:
	sl_inferrer_free(inf);
	return rc;
}

void sl_inferrer_free(sl_inferrer *inf)
{
	size_t i;

	if (inf == NULL)
		return;
	slf_ity_free(inf->root);
	slf_csvtok_free(&inf->tok);
	slf_tsfmt_free(inf->tsfmt);
	for (i = 0; inf->names && i < inf->n_cols; i++)
		free(inf->names[i]);
	free(inf->names);
	free(inf->cols);
	free(inf->tail);
	sl_format_config_free(&inf->opts);
	free(inf);
}

static int run(sl_inferrer *inf, const char *buf, size_t len, bool eof, sl_error *err)
{
	size_t used = 0;
	int rc;

	if (inf->kind == SL_FORMAT_JSON)
		rc = slf_json_infer(inf, buf, len, eof, &used, err);
	else
		rc = slf_csv_infer(inf, buf, len, eof, &used, err);
	if (rc < 0)
		return rc;
	inf->offset += (int64_t)used;
	if (used < len && !eof) {
		if (buf == inf->tail) {
			memmove(inf->tail, inf->tail + used, len - used);
		} else {
			if (len - used > inf->tail_cap) {
				char *t = realloc(inf->tail, len - used);

				if (t == NULL)
					return sl_error_set(err, SL_ENOMEM, "out of memory");
				inf->tail = t;
				inf->tail_cap = len - used;
			}
			memcpy(inf->tail, buf + used, len - used);
		}
		inf->tail_len = len - used;
	} else {
		inf->tail_len = 0;
	}
	return SL_OK;
}

int sl_inferrer_feed(sl_inferrer *inf, const void *buf, size_t len, sl_error *err)
{
	if (len == 0 || sl_inferrer_full(inf))
		return SL_OK;
	if (inf->tail_len == 0)
		return run(inf, buf, len, false, err);
	if (inf->tail_len + len > inf->tail_cap) {
		size_t cap = (inf->tail_len + len) * 2;
		char *t = realloc(inf->tail, cap);

		if (t == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		inf->tail = t;
		inf->tail_cap = cap;
	}
	memcpy(inf->tail + inf->tail_len, buf, len);
	return run(inf, inf->tail, inf->tail_len + len, false, err);
}

int sl_inferrer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err)
{
	int rc;

	*out = NULL;
	if (!sl_inferrer_full(inf)) {
		rc = run(inf, inf->tail ? inf->tail : "", inf->tail_len, true, err);
		if (rc < 0)
			return rc;
	}
	if (inf->kind == SL_FORMAT_JSON)
		return slf_json_infer_finish(inf, out, err);
	return slf_csv_infer_finish(inf, out, err);
}

int sl_schema_infer(sl_format_kind kind, const void *buf, size_t len, const sl_format_options *opts,
                    sl_schema **out, sl_error *err)
{
	sl_inferrer *inf;
	int rc;

	*out = NULL;
	rc = sl_inferrer_new(kind, opts, &inf, err);
	if (rc < 0)
		return rc;
	rc = sl_inferrer_feed(inf, buf, len, err);
	if (rc == SL_OK)
		rc = sl_inferrer_finish(inf, out, err);
	sl_inferrer_free(inf);
	return rc;
}
