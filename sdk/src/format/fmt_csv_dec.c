/* fmt_csv_dec.c - RFC 4180 CSV with Spark's options, decoded by position
 * into the schema's columns (the corrupt-record column excepted).
 *
 * A field is unquoted (up to the separator or the line end) or quoted: a
 * quote inside is written doubled ("") or after the escape character
 * (\" by default, as Spark); quoted fields may hold separators and, with
 * multiLine (the default here), line breaks.  A record with more or fewer
 * fields than the schema is malformed but keeps what it has (Spark's
 * PERMISSIVE); a value that does not convert is null and makes the record
 * malformed; an unterminated quote breaks the record. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt_csv.h"

typedef struct csvdec {
	slf_csvtok t;
	const char *null_value, *empty_value, *nan, *pinf, *ninf;
	size_t null_len, empty_len, nan_len, pinf_len, ninf_len;
	size_t *cols; /* input position -> column */
	size_t n_cols;
	slf_tsfmt *tsfmt;
	bool header; /* the first record of the stream (offset d->data_start) is the header */
} csvdec;

static bool eq(const slf_cfield *f, const char *s, size_t n)
{
	return f->len == n && memcmp(f->p, s, n) == 0;
}

/* Converts field f into column col (index i of the schema). */
static int put(sl_decoder *d, csvdec *c, slf_col *col, int i, slf_cfield *f)
{
	size_t at = (size_t)(f->p - d->rec);
	int64_t iv;
	double dv;
	int rc;

	if (f->escaped && (rc = slf_csv_unescape(&c->t, f)) < 0)
		return rc;
	if ((!f->quoted && f->len == 0 && c->null_len == 0) ||
	    (c->null_len > 0 && eq(f, c->null_value, c->null_len)))
		return slf_col_null(col);
	if (f->len == 0 && col->id != SL_TYPE_STRING && col->id != SL_TYPE_BINARY)
		return slf_col_null(col);
	switch (col->id) {
	case SL_TYPE_STRING:
		if (f->len == 0 && f->quoted)
			return slf_col_str(col, c->empty_value, c->empty_len);
		if (sl_utf8_valid(f->p, f->len) != f->len)
			break;
		return slf_col_str(col, f->p, f->len);
	case SL_TYPE_BINARY:
		return slf_col_str(col, f->p, f->len);
	case SL_TYPE_INT64:
		if (sl_parse_int64(f->p, f->len, &iv))
			return slf_col_i64(col, iv);
		break;
	case SL_TYPE_DOUBLE:
		if (SL_UNLIKELY(f->len == c->nan_len || f->len == c->pinf_len ||
		                f->len == c->ninf_len)) {
			if (eq(f, c->nan, c->nan_len))
				return slf_col_f64(col, NAN);
			if (eq(f, c->pinf, c->pinf_len))
				return slf_col_f64(col, INFINITY);
			if (eq(f, c->ninf, c->ninf_len))
				return slf_col_f64(col, -INFINITY);
		}
		if (sl_parse_double(f->p, f->len, SL_PARSE_JAVA, &dv))
			return slf_col_f64(col, dv);
		break;
	case SL_TYPE_BOOL:
		if (f->len == 4 && strncasecmp(f->p, "true", 4) == 0)
			return slf_col_bool(col, true);
		if (f->len == 5 && strncasecmp(f->p, "false", 5) == 0)
			return slf_col_bool(col, false);
		break;
	case SL_TYPE_TIMESTAMP:
		if ((c->tsfmt && slf_tsfmt_parse(c->tsfmt, f->p, f->len, &iv)) ||
		    (!c->tsfmt && sl_parse_timestamp(f->p, f->len, &iv)))
			return slf_col_i64(col, iv);
		break;
	default:
		return slf_col_null(col);
	}
	if (col->id == SL_TYPE_STRING)
		slf_rec_error(d, SLF_REC_PARTIAL, at, i, "invalid UTF-8 in field %d", i + 1);
	else
		slf_rec_error(d, SLF_REC_PARTIAL, at, i, "cannot convert '%.*s' to %s",
		              (int)(f->len > 40 ? 40 : f->len), f->p, sl_type_id_name(col->id));
	return slf_col_null(col);
}

/* One record at *pp.  Returns SL_OK (consumed), SL_AGAIN (incomplete, the
 * row undone) or a negative code. */
static int record(sl_decoder *d, csvdec *c, const char **pp, const char *end, bool eof, int64_t off,
                  bool one, sl_error *err)
{
	const char *p = *pp, *bad = NULL;
	int64_t lines = 0;
	size_t nf = 0;
	slf_cfield f;
	int st, rc;
	bool header = c->header && off == d->data_start && !one;

	slf_rec_begin(d, p, off);
	for (;;) {
		st = slf_csv_field(&c->t, &p, end, eof, &f, &lines, &bad);
		if (st == SLF_F_MORE) {
			slf_col_truncate(&d->root, d->root.len);
			return SL_AGAIN;
		}
		if (st == SLF_F_BROKEN) {
			slf_rec_error(d, SLF_REC_BROKEN, (size_t)(bad - *pp), -1,
			              "unterminated quoted field");
			/* the record ends at the line end (or the buffer's) */
			while (p < end && *p != '\n')
				p++;
			if (p < end) {
				p++;
				lines++;
			}
			break;
		}
		if (!header) {
			if (nf < c->n_cols) {
				rc = put(d, c, slf_dcol(d, c->cols[nf]), (int)c->cols[nf], &f);
				if (rc < 0)
					return sl_error_set(err, rc, "out of memory");
			}
		}
		nf++;
		if (st != SLF_F_SEP)
			break;
	}
	if (header) {
		slf_col_truncate(&d->root, d->root.len);
		d->line += lines;
		*pp = p;
		return SL_OK;
	}
	if (d->status != SLF_REC_BROKEN) {
		if (nf != c->n_cols)
			slf_rec_error(d, SLF_REC_PARTIAL, (size_t)(p - *pp), -1,
			              "%zu fields, the schema has %zu", nf, c->n_cols);
		rc = slf_row_end(d);
		if (rc < 0)
			return sl_error_set(err, rc, "out of memory");
	}
	{
		size_t len = (size_t)(p - *pp);

		/* the text without its line end */
		if (len > 0 && (*pp)[len - 1] == '\n')
			len--;
		if (len > 0 && (*pp)[len - 1] == '\r')
			len--;
		*pp = p;
		rc = slf_rec_end(d, len, lines, err);
		return rc < 0 ? rc : SL_OK;
	}
}

static int csv_decode(sl_decoder *d, const char *buf, size_t len, bool eof, size_t *used,
                      sl_error *err)
{
	csvdec *c = d->impl;
	const char *p = buf, *end = buf + len;
	int rc = SL_OK;

	while (p < end) {
		/* empty lines and comments are not records */
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;
			d->line++;
			continue;
		}
		if (*p == '\r' && p + 1 >= end && !eof)
			break;
		if (c->t.comment != '\0' && *p == c->t.comment) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (nl == NULL && !eof)
				break;
			p = nl ? nl + 1 : end;
			d->line += nl != NULL;
			continue;
		}
		rc = record(d, c, &p, end, eof, d->offset + (p - buf), false, err);
		if (rc == SL_AGAIN) {
			rc = SL_OK;
			break;
		}
		if (rc < 0)
			break;
	}
	*used = (size_t)(p - buf);
	return rc;
}

static int csv_one(sl_decoder *d, const char *buf, size_t len, sl_error *err)
{
	const char *p = buf;
	int64_t st = d->stats.bad;
	int rc;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	rc = record(d, d->impl, &p, buf + len, true, d->offset, true, err);
	if (rc < 0)
		return rc;
	d->line++;
	return d->stats.bad > st ? SL_EOF : SL_OK;
}

static void csv_free(void *impl)
{
	csvdec *c = impl;

	free(c->cols);
	slf_csvtok_free(&c->t);
	slf_tsfmt_free(c->tsfmt);
	free(c);
}

int slf_csv_dec_new(sl_decoder *d, sl_error *err)
{
	const sl_format_options *o = &d->opts.o;
	csvdec *c = calloc(1, sizeof(*c));
	size_t i;
	int rc;

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	d->impl = c;
	for (i = 0; i < d->schema->n_fields; i++) {
		sl_type_id id = d->schema->fields[i].type->id;

		if (id == SL_TYPE_STRUCT || id == SL_TYPE_LIST)
			return sl_error_set(err, SL_EINVAL,
			                    "CSV cannot hold column '%s' of a nested type",
			                    d->schema->fields[i].name);
	}
	c->cols = calloc(d->schema->n_fields + 1, sizeof(*c->cols));
	if (c->cols == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (i = 0; i < d->schema->n_fields; i++)
		if ((int)i != d->corrupt)
			c->cols[c->n_cols++] = i;
	rc = slf_csvtok_init(&c->t, o, err);
	if (rc < 0)
		return rc;
	c->null_value = o->null_value ? o->null_value : "";
	c->null_len = strlen(c->null_value);
	c->empty_value = o->empty_value ? o->empty_value : "";
	c->nan = o->nan_value ? o->nan_value : "NaN";
	c->pinf = o->positive_inf ? o->positive_inf : "Inf";
	c->ninf = o->negative_inf ? o->negative_inf : "-Inf";
	c->empty_len = strlen(c->empty_value);
	c->nan_len = strlen(c->nan);
	c->pinf_len = strlen(c->pinf);
	c->ninf_len = strlen(c->ninf);
	c->header = o->header;
	if (o->timestamp_format != NULL) {
		rc = slf_tsfmt_compile(o->timestamp_format, &c->tsfmt, err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

const slf_codec slf_csv_codec = {csv_decode, csv_one, NULL, csv_free};
