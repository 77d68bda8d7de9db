/* fmt_lib.c - formats "json", "csv" and "avro" through the SDK's formats
 * library (sl_format.h).
 *
 * The columns are fixed in create: the declared `schema` (Spark DDL, nested
 * STRUCT and ARRAY included), or with infer_schema one inferred from the
 * files there are (infer.c); Avro takes avro_schema or the first container
 * file's header.  In PERMISSIVE mode the corrupt-record column
 * (corrupt_record_column, `_corrupt_record`) is part of the output when the
 * schema names it or keep_corrupt_record asks for it, as Spark does.
 *
 * JSON and CSV share one decoder across the files of a read: its position
 * is reset at the start of each file (so lines, byte offsets and a CSV
 * header are per file); Avro container files get a decoder each.  Rows are
 * taken as batches of up to FSRC_BATCH_ROWS rows.
 *
 * Bad records (every mode) are counted (badRecords, and droppedMalformed in
 * DROPMALFORMED), the first few per file logged as FILE:LINE, and with
 * dead_letter sent to the side output `dead_letter` (source, line, offset,
 * error, record), emitted with the batch.  FAILFAST stops the read with an
 * error naming FILE:LINE: the batch does not commit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsrc.h"

#define DEAD_LETTER "dead_letter"

typedef struct lib_fmt {
	sl_format_kind kind;
	sl_format_config fo;       /* the decoders' options (strings owned) */
	sl_decoder *dec;      /* json/csv: across files; avro: per file */
	sl_builder *fname;    /* _filename of the rows the decoder holds */
	int64_t named;        /* rows held that have their _filename */
	size_t fed;           /* bytes fed since the last take */
	bool dead_letter;
	sl_schema *dl_schema; /* source, line, offset, error, record */
	sl_batch_builder *dl; /* dead letters of the read */
	const fsrc_reader *cur;
	/* FAILFAST: the record that stopped the read. */
	int64_t fail_line, fail_record, fail_offset;
	char fail_msg[400];
	sl_strbuf scratch;
} lib_fmt;

static void lib_release(fsrc *s)
{
	lib_fmt *lf = s->fmt_state;

	if (lf == NULL)
		return;
	sl_decoder_free(lf->dec);
	sl_builder_free(lf->fname);
	sl_batch_builder_free(lf->dl);
	sl_type_unref(lf->dl_schema);
	sl_format_config_free(&lf->fo);
	sl_strbuf_free(&lf->scratch);
	free(lf);
	s->fmt_state = NULL;
}

static void lib_abort(fsrc *s)
{
	lib_fmt *lf = s->fmt_state;

	sl_decoder_free(lf->dec);
	lf->dec = NULL;
	sl_builder_free(lf->fname);
	lf->fname = NULL;
	lf->named = 0;
	lf->fed = 0;
	sl_batch_builder_free(lf->dl);
	lf->dl = NULL;
	lf->cur = NULL;
}

/* ---- create ---- */

/* cols with a STRING column `name` appended (transfer of cols). */
static sl_schema *add_column(sl_schema *cols, const char *name)
{
	size_t n = cols->n_fields;
	sl_field *f = calloc(n + 1, sizeof(*f));
	sl_schema *out = NULL;

	if (f != NULL) {
		memcpy(f, cols->fields, n * sizeof(*f));
		f[n] = (sl_field){(char *)name, sl_type_string(), true};
		out = sl_type_struct(n + 1, f);
		free(f);
	}
	sl_type_unref(cols);
	return out;
}

static int declare_dead_letter(fsrc *s, lib_fmt *lf, sl_error *err)
{
	int rc = sl_schema_parse("source STRING, line BIGINT, offset BIGINT, error STRING, "
	                         "record STRING",
	                         &lf->dl_schema, err);

	if (rc < 0)
		return rc;
	rc = sl_side_output_declare(s->st, DEAD_LETTER, lf->dl_schema, err);
	if (rc < 0)
		err->option = "dead_letter";
	return rc;
}

static int lib_prepare(fsrc *s, const sl_stage_init *init, const char *schema,
                       sl_schema **columns, sl_error *err)
{
	const sl_options *o = init->options;
	const char *fmt = sl_opt_string(o, "format");
	const char *avsc = sl_opt_is_set(o, "avro_schema") ? sl_opt_string(o, "avro_schema") : NULL;
	bool infer = sl_opt_bool(o, "infer_schema");
	bool keep = sl_opt_bool(o, "keep_corrupt_record");
	sl_schema *cols = NULL;
	const char *corrupt;
	lib_fmt *lf;
	int rc;

	lf = calloc(1, sizeof(*lf));
	if (lf == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	s->fmt_state = lf;
	lf->kind = strcmp(fmt, "csv") == 0    ? SL_FORMAT_CSV
	           : strcmp(fmt, "avro") == 0 ? SL_FORMAT_AVRO_FILE
	                                      : SL_FORMAT_JSON;
	lf->dead_letter = sl_opt_bool(o, "dead_letter");
	if ((rc = sl_format_config_load(&lf->fo, o, err)) < 0)
		goto fail;
	corrupt = lf->fo.o.corrupt_record_column;
	if (corrupt == NULL || *corrupt == '\0') {
		rc = sl_error_at(err, SL_EINVAL, "corrupt_record_column", -1, "must not be empty");
		goto fail;
	}
	if (avsc != NULL && lf->kind != SL_FORMAT_AVRO_FILE) {
		rc = sl_error_at(err, SL_EINVAL, "avro_schema", -1, "is for format 'avro'");
		goto fail;
	}
	if (schema != NULL && avsc != NULL) {
		rc = sl_error_at(err, SL_EINVAL, "avro_schema", -1,
		                 "give either schema or avro_schema, not both");
		goto fail;
	}
	if (schema != NULL) {
		if ((rc = sl_schema_parse(schema, &cols, err)) < 0) {
			err->option = "schema";
			goto fail;
		}
		if (infer)
			sl_log(s->st, SL_LOG_INFO, "a schema is given: infer_schema is not used");
	} else if (avsc != NULL) {
		if ((rc = sl_avro_schema_to_sl(avsc, strlen(avsc), &cols, err)) < 0) {
			err->option = "avro_schema";
			goto fail;
		}
	} else if (lf->kind == SL_FORMAT_AVRO_FILE) {
		if ((rc = fsrc_avro_schema(s, &lf->fo.o, &cols, err)) < 0)
			goto fail;
	} else if (!infer) {
		rc = sl_error_at(err, SL_EINVAL, "schema", -1,
		                 "format '%s' needs a schema (\"id BIGINT, name STRING\") or "
		                 "infer_schema = true",
		                 fmt);
		goto fail;
	} else {
		if ((rc = fsrc_infer(s, lf->kind, &lf->fo.o, &cols, err)) < 0)
			goto fail;
		sl_strbuf_reset(&lf->scratch);
		sl_type_format(cols, &lf->scratch);
		sl_log(s->st, SL_LOG_INFO, "inferred schema: %s",
		       lf->scratch.buf ? lf->scratch.buf : "?");
	}
	if (keep && lf->fo.o.mode != SL_PARSE_PERMISSIVE)
		sl_log(s->st, SL_LOG_WARN,
		       "keep_corrupt_record is for parse_mode \"permissive\": not used");
	if (keep && lf->fo.o.mode == SL_PARSE_PERMISSIVE && sl_schema_find(cols, corrupt) < 0 &&
	    (cols = add_column(cols, corrupt)) == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (sl_schema_find(cols, corrupt) >= 0) {
		const sl_type *t = cols->fields[sl_schema_find(cols, corrupt)].type;
		if (t->id != SL_TYPE_STRING) {
			rc = sl_error_at(err, SL_EINVAL, "schema", -1,
			                 "the corrupt-record column '%s' must be STRING", corrupt);
			goto fail;
		}
	}
	if (lf->dead_letter && (rc = declare_dead_letter(s, lf, err)) < 0)
		goto fail;
	/* A decoder now checks the options against the schema (validate). */
	if (lf->kind != SL_FORMAT_AVRO_FILE &&
	    (rc = sl_decoder_new(lf->kind, cols, &lf->fo.o, &lf->dec, err)) < 0)
		goto fail;
	*columns = cols;
	return SL_OK;
fail:
	sl_type_unref(cols);
	lib_release(s);
	return rc;
}

/* ---- bad records ---- */

static int base64(sl_strbuf *sb, const unsigned char *p, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int rc = sl_strbuf_puts(sb, "base64:");

	for (size_t i = 0; i < len && rc >= 0; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tab[v & 63] : '=';
		rc = sl_strbuf_append(sb, q, 4);
	}
	return rc;
}

/* "column C: message" (text formats) or "byte B: message" (Avro). */
static void describe(const sl_bad_record *b, char *buf, size_t size)
{
	if (b->line > 0)
		snprintf(buf, size, "column %" PRId64 ": %s", b->err_column, b->message);
	else
		snprintf(buf, size, "record %" PRId64 " (byte %" PRId64 "): %s", b->record,
		         b->err_offset, b->message);
}

static int put_dead_letter(fsrc *s, lib_fmt *lf, const sl_bad_record *b, const char *msg)
{
	sl_builder *c;
	size_t tlen = b->text_len;
	int rc = SL_OK;

	if (lf->dl == NULL && (lf->dl = sl_batch_builder_new(lf->dl_schema, 64)) == NULL)
		return SL_ENOMEM;
	/* A line's text without its line end. */
	while (tlen > 0 && (b->text[tlen - 1] == '\n' || b->text[tlen - 1] == '\r') && b->line > 0)
		tlen--;
	sl_strbuf_reset(&lf->scratch);
	if (sl_strbuf_printf(&lf->scratch, "%s/%s", s->dir, s->cur_name) < 0)
		return SL_ENOMEM;
	c = sl_batch_builder_column(lf->dl, 0);
	rc |= sl_builder_append_string(c, lf->scratch.buf, lf->scratch.len);
	c = sl_batch_builder_column(lf->dl, 1);
	rc |= b->line > 0 ? sl_builder_append_int64(c, b->line) : sl_builder_append_null(c);
	rc |= sl_builder_append_int64(sl_batch_builder_column(lf->dl, 2), b->offset);
	rc |= sl_builder_append_string(sl_batch_builder_column(lf->dl, 3), msg, strlen(msg));
	c = sl_batch_builder_column(lf->dl, 4);
	if (sl_utf8_valid(b->text, tlen) == tlen) {
		rc |= sl_builder_append_string(c, b->text, tlen);
	} else {
		sl_strbuf_reset(&lf->scratch);
		if (base64(&lf->scratch, (const unsigned char *)b->text, tlen) < 0)
			return SL_ENOMEM;
		rc |= sl_builder_append_string(c, lf->scratch.buf, lf->scratch.len);
	}
	return rc < 0 ? SL_ENOMEM : SL_OK;
}

static int on_bad(void *user, const sl_bad_record *b)
{
	fsrc *s = user;
	lib_fmt *lf = s->fmt_state;
	char msg[400];

	describe(b, msg, sizeof(msg));
	sl_metric_add(s->st, "badRecords", 1);
	if (b->mode == SL_PARSE_FAILFAST) {
		lf->fail_line = b->line;
		lf->fail_record = b->record;
		lf->fail_offset = b->offset;
		snprintf(lf->fail_msg, sizeof(lf->fail_msg), "%s", msg);
		return SL_OK;
	}
	if (b->mode == SL_PARSE_DROPMALFORMED)
		sl_metric_add(s->st, "droppedMalformed", 1);
	if (++s->cur_bad <= FSRC_WARN_PER_FILE) {
		if (b->line > 0)
			sl_log(s->st, SL_LOG_WARN, "%s/%s:%" PRId64 ": %s%s", s->dir, s->cur_name,
			       b->line, msg,
			       b->mode == SL_PARSE_DROPMALFORMED ? "; record dropped" : "");
		else
			sl_log(s->st, SL_LOG_WARN, "%s/%s: %s%s", s->dir, s->cur_name, msg,
			       b->mode == SL_PARSE_DROPMALFORMED ? "; record dropped" : "");
	}
	if (lf->dead_letter)
		return put_dead_letter(s, lf, b, msg);
	return SL_OK;
}

/* ---- rows out ---- */

/* Gives the rows decoded since the last call the current file's name. */
static int name_rows(fsrc *s, lib_fmt *lf)
{
	int64_t n = lf->dec ? sl_decoder_rows(lf->dec) : 0;

	if (!s->include_filename)
		return SL_OK;
	if (lf->fname == NULL && (lf->fname = sl_builder_new(sl_type_string(), 1024)) == NULL)
		return SL_ENOMEM;
	for (size_t len = strlen(s->cur_name); lf->named < n; lf->named++)
		if (sl_builder_append_string(lf->fname, s->cur_name, len) < 0)
			return SL_ENOMEM;
	return SL_OK;
}

/* Emits b (transfer) in batches of at most FSRC_BATCH_ROWS rows. */
static int emit_sliced(fsrc *s, sl_batch *b, sl_error *err)
{
	int rc = SL_OK;

	if (b->n_rows <= FSRC_BATCH_ROWS)
		return sl_emit(s->out, b);
	for (int64_t at = 0; at < b->n_rows && rc >= 0; at += FSRC_BATCH_ROWS) {
		int64_t n = b->n_rows - at < FSRC_BATCH_ROWS ? b->n_rows - at : FSRC_BATCH_ROWS;
		sl_batch *part = sl_batch_slice(b, at, n);
		rc = part ? sl_emit(s->out, part) : sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	sl_batch_unref(b);
	return rc;
}

/* Takes the rows the decoder holds and emits them. */
static int take(fsrc *s, lib_fmt *lf, sl_error *err)
{
	sl_batch *b = NULL;
	int rc;

	lf->fed = 0;
	if (lf->dec == NULL || sl_decoder_rows(lf->dec) == 0)
		return SL_OK;
	if (name_rows(s, lf) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if ((rc = sl_decoder_take(lf->dec, &b, err)) < 0)
		return rc;
	if (s->include_filename) {
		size_t n = b->schema->n_fields;
		sl_array *stack[65], **cols = n < 65 ? stack : malloc((n + 1) * sizeof(*cols));
		sl_batch *full;

		if (cols == NULL) {
			sl_batch_unref(b);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			cols[i] = sl_array_ref(b->columns[i]);
		cols[n] = sl_builder_finish(lf->fname);
		lf->named = 0;
		full = cols[n] ? sl_batch_new(s->schema, b->n_rows, cols) : NULL;
		if (cols[n] == NULL)
			for (size_t i = 0; i < n; i++)
				sl_array_unref(cols[i]);
		if (cols != stack)
			free(cols);
		sl_batch_unref(b);
		if (full == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		b = full;
	}
	return emit_sliced(s, b, err);
}

static int emit_dead_letters(fsrc *s, lib_fmt *lf, sl_error *err)
{
	sl_batch *b;

	if (lf->dl == NULL || sl_batch_builder_rows(lf->dl) == 0)
		return SL_OK;
	b = sl_batch_builder_finish(lf->dl);
	if (b == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_side_emit(s->st, DEAD_LETTER, b);
}

static int lib_flush(fsrc *s, sl_error *err)
{
	lib_fmt *lf = s->fmt_state;
	int rc = take(s, lf, err);

	if (rc >= 0)
		rc = emit_dead_letters(s, lf, err);
	return rc;
}

/* ---- decoding ---- */

/* A decoder's error, named after the file (and line, for FAILFAST). */
static int file_error(fsrc *s, lib_fmt *lf, const fsrc_reader *r, int rc, sl_error *err)
{
	char msg[SL_ERROR_MAX];

	if (rc == SL_ENOMEM)
		return sl_error_set(err, rc, "%s/%s: out of memory", s->dir, r->name);
	if (lf->fo.o.mode == SL_PARSE_FAILFAST && lf->fail_msg[0] != '\0') {
		if (lf->fail_line > 0)
			rc = sl_error_set(err, SL_EINVAL,
			                  "%s/%s:%" PRId64 ": malformed record (parse_mode = "
			                  "\"failfast\"): %s",
			                  s->dir, r->name, lf->fail_line, lf->fail_msg);
		else
			rc = sl_error_set(err, SL_EINVAL,
			                  "%s/%s: malformed record at byte %" PRId64
			                  " (parse_mode = \"failfast\"): %s",
			                  s->dir, r->name, lf->fail_offset, lf->fail_msg);
		lf->fail_msg[0] = '\0';
		return rc;
	}
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return sl_error_set(err, rc, "%s/%s: %s", s->dir, r->name, msg);
}

static int lib_decode(fsrc *s, fsrc_reader *r, sl_error *err)
{
	lib_fmt *lf = s->fmt_state;
	int rc;

	if (lf->kind == SL_FORMAT_AVRO_FILE) {
		/* A container's own header: a decoder per file. */
		if ((rc = take(s, lf, err)) < 0)
			return rc;
		sl_decoder_free(lf->dec);
		lf->dec = NULL;
	}
	if (lf->dec == NULL &&
	    (rc = sl_decoder_new(lf->kind, s->columns, &lf->fo.o, &lf->dec, err)) < 0)
		return file_error(s, lf, r, rc, err);
	sl_decoder_on_bad_record(lf->dec, on_bad, s);
	/* (the decoder skips a byte-order mark at offset 0 itself) */
	sl_decoder_set_position(lf->dec, 0, 1, 0);
	lf->cur = r;
	lf->fail_msg[0] = '\0';
	while ((rc = fsrc_fill(s, r, err)) == SL_OK) {
		size_t n = r->end - r->beg;

		rc = sl_decoder_feed(lf->dec, r->buf + r->beg, n, err);
		r->beg = r->end;
		if (rc < 0)
			return file_error(s, lf, r, rc, err);
		if (name_rows(s, lf) < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		lf->fed += n;
		if ((sl_decoder_rows(lf->dec) >= FSRC_BATCH_ROWS || lf->fed >= FSRC_BATCH_BYTES) &&
		    (rc = take(s, lf, err)) < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if ((rc = sl_decoder_finish(lf->dec, err)) < 0)
		return file_error(s, lf, r, rc, err);
	if (name_rows(s, lf) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (lf->dl != NULL && sl_batch_builder_rows(lf->dl) >= FSRC_BATCH_ROWS &&
	    (rc = emit_dead_letters(s, lf, err)) < 0)
		return rc;
	if (lf->kind == SL_FORMAT_AVRO_FILE || sl_decoder_rows(lf->dec) >= FSRC_BATCH_ROWS)
		return take(s, lf, err);
	return SL_OK;
}

const fsrc_format fsrc_format_json = {
    .name = "json",
    .prepare = lib_prepare,
    .decode = lib_decode,
    .flush = lib_flush,
    .abort = lib_abort,
    .release = lib_release,
};

const fsrc_format fsrc_format_csv = {
    .name = "csv",
    .prepare = lib_prepare,
    .decode = lib_decode,
    .flush = lib_flush,
    .abort = lib_abort,
    .release = lib_release,
};

const fsrc_format fsrc_format_avro = {
    .name = "avro",
    .prepare = lib_prepare,
    .decode = lib_decode,
    .flush = lib_flush,
    .abort = lib_abort,
    .release = lib_release,
};
