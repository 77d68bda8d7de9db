/* fmt_csv_enc.c - rows as RFC 4180 CSV lines: a value is quoted when it
 * holds the separator, the quote, a line break, starts or ends with white
 * space, or is empty (so that it reads back as "" and not null); quotes
 * inside are doubled.  Nulls are nullValue (empty).  Doubles print as Java
 * does, timestamps as 2020-07-25T14:55:00.348Z, binary as base64. */
#include <string.h>

#include "fmt_enc.h"

typedef struct cenc {
	char sep, quote;
	bool quote_all;
	const char *null_value;
	size_t null_len;
} cenc;

static bool needs_quotes(const cenc *c, const char *s, size_t n)
{
	size_t i;

	if (c->quote_all || n == 0)
		return c->quote != '\0';
	if (c->quote == '\0')
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return true;
	/* A value starting with U+FEFF, unquoted at the start of a file, would
	 * read back as a byte-order mark and be skipped. */
	if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		return true;
	if (c->null_len > 0 && n == c->null_len && memcmp(s, c->null_value, n) == 0)
		return true;
	for (i = 0; i < n; i++)
		if (s[i] == c->sep || s[i] == c->quote || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

static int put_text(const cenc *c, const char *s, size_t n, sl_strbuf *out)
{
	size_t i;
	char *w;
	int rc;

	if (!needs_quotes(c, s, n))
		return sl_strbuf_append(out, s, n);
	if ((rc = slf_sb_reserve(out, 2 * n + 2)) < 0)
		return rc;
	w = out->buf + out->len;
	*w++ = c->quote;
	for (i = 0; i < n; i++) {
		if (s[i] == c->quote)
			*w++ = c->quote;
		*w++ = s[i];
	}
	*w++ = c->quote;
	*w = '\0';
	out->len = (size_t)(w - out->buf);
	return SL_OK;
}

static int put_value(sl_encoder *e, const cenc *c, const sl_array *a, int64_t i, sl_strbuf *out)
{
	char buf[80];
	size_t n;

	if (a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i))
		return sl_strbuf_append(out, c->null_value, c->null_len);
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		return put_text(c, sl_array_bool(a, i) ? "true" : "false",
		                sl_array_bool(a, i) ? 4 : 5, out);
	case SL_TYPE_INT64:
		n = sl_format_int64(sl_array_i64(a)[i], buf);
		return put_text(c, buf, n, out);
	case SL_TYPE_DOUBLE:
		n = sl_format_double(sl_array_f64(a)[i], buf);
		return put_text(c, buf, n, out);
	case SL_TYPE_TIMESTAMP:
		n = slf_enc_ts(e, sl_array_i64(a)[i], buf);
		return put_text(c, buf, n, out);
	case SL_TYPE_STRING: {
		sl_strview s = sl_array_str(a, i);

		return put_text(c, s.ptr, s.len, out);
	}
	case SL_TYPE_BINARY: {
		sl_strview s = sl_array_str(a, i);
		char *b64 = malloc(s.len / 3 * 4 + 8);
		int rc;

		if (b64 == NULL)
			return SL_ENOMEM;
		n = sl_base64_encode((const uint8_t *)s.ptr, s.len, b64);
		rc = n == 0 && !c->quote_all ? SL_OK : put_text(c, b64, n, out);
		free(b64);
		return rc;
	}
	default:
		return SL_EINVAL;
	}
}

static int csv_row(sl_encoder *e, sl_array *const *cols, int64_t row, sl_strbuf *out, sl_error *err)
{
	const cenc *c = e->impl;
	size_t f;
	int rc = SL_OK;

	for (f = 0; f < e->schema->n_fields && rc == SL_OK; f++) {
		if (f > 0)
			rc = sl_strbuf_append(out, &c->sep, 1);
		if (rc == SL_OK)
			rc = put_value(e, c, cols[f], row, out);
	}
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	return SL_OK;
}

static int header(sl_encoder *e, sl_strbuf *out, sl_error *err)
{
	const cenc *c = e->impl;
	size_t f;
	int rc = SL_OK;

	e->started = true;
	if (!e->opts.o.header)
		return SL_OK;
	for (f = 0; f < e->schema->n_fields && rc == SL_OK; f++) {
		const char *name = e->schema->fields[f].name;

		if (f > 0)
			rc = sl_strbuf_append(out, &c->sep, 1);
		if (rc == SL_OK)
			rc = put_text(c, name, strlen(name), out);
	}
	if (rc == SL_OK)
		rc = sl_strbuf_append(out, "\n", 1);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	return SL_OK;
}

static int csv_batch(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err)
{
	int64_t r;
	int rc;

	if (!e->started && (rc = header(e, out, err)) < 0)
		return rc;
	for (r = 0; r < b->n_rows; r++) {
		rc = csv_row(e, b->columns, r, out, err);
		if (rc < 0)
			return rc;
		rc = sl_strbuf_append(out, "\n", 1);
		if (rc < 0)
			return sl_error_set(err, rc, "out of memory");
	}
	return SL_OK;
}

static int csv_finish(sl_encoder *e, sl_strbuf *out, sl_error *err)
{
	return e->started ? SL_OK : header(e, out, err);
}

static const slf_enc_ops csv_ops = {csv_row, csv_batch, csv_finish, free};

int slf_csv_enc_new(sl_encoder *e, sl_error *err)
{
	cenc *c = calloc(1, sizeof(*c));
	size_t f;

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	e->impl = c;
	e->ops = &csv_ops;
	for (f = 0; f < e->schema->n_fields; f++) {
		sl_type_id id = e->schema->fields[f].type->id;

		if (id == SL_TYPE_STRUCT || id == SL_TYPE_LIST)
			return sl_error_set(
			    err, SL_EINVAL,
			    "CSV cannot hold column '%s' of a nested type (use to_json)",
			    e->schema->fields[f].name);
	}
	c->sep = e->opts.o.sep ? e->opts.o.sep : ',';
	c->quote = e->opts.o.quote;
	c->quote_all = e->opts.o.quote_all;
	c->null_value = e->opts.o.null_value ? e->opts.o.null_value : "";
	c->null_len = strlen(c->null_value);
	return SL_OK;
}
