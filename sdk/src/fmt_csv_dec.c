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

#include "fmt_internal.h"

enum { C_PLAIN = 0, C_SEP, C_NL };

typedef struct csvdec {
	uint8_t cls[256]; /* unquoted field scanning */
	char sep, quote, escape, comment;
	bool multi_line, trim_lead, trim_trail;
	const char *null_value, *empty_value, *nan, *pinf, *ninf;
	size_t null_len;
	size_t *cols; /* input position -> column */
	size_t n_cols;
	slf_tsfmt *tsfmt;
	char *scratch;
	size_t scratch_cap;
	bool header; /* the record at stream offset 0 is the header */
} csvdec;

/* A field as found in the input. */
typedef struct cfield {
	const char *p;
	size_t len;
	bool quoted;
	bool escaped; /* p/len is the raw quoted content: unescape it */
} cfield;

/* Outcome of scanning a field. */
enum { F_SEP, F_EOL, F_END, F_MORE, F_BROKEN };

/* Scans the field at *pp.  F_MORE: the buffer ended inside the record and
 * more input may come. */
static int scan_field(csvdec *c, const char **pp, const char *end, bool eof, cfield *f,
                      int64_t *lines, const char **bad)
{
	const char *p = *pp;

	f->quoted = false;
	f->escaped = false;
	if (c->trim_lead)
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
	if (p < end && *p == c->quote && c->quote != '\0') {
		const char *s = ++p;
		const char *after;

		f->quoted = true;
		for (;;) {
			while (p < end && *p != c->quote && *p != c->escape && *p != '\n')
				p++;
			if (p >= end)
				goto unterminated;
			if (*p == '\n') {
				if (!c->multi_line) {
					*bad = s - 1;
					*pp = p;
					return F_BROKEN;
				}
				(*lines)++;
				p++;
				continue;
			}
			if (*p == c->escape && c->escape != c->quote) {
				if (p + 1 >= end)
					goto unterminated;
				if (p[1] == c->quote || p[1] == c->escape) {
					f->escaped = true;
					p += 2;
				} else {
					p++;
				}
				continue;
			}
			/* a quote: doubled, or the end of the field */
			if (p + 1 >= end && !eof)
				goto unterminated;
			if (p + 1 < end && p[1] == c->quote) {
				f->escaped = true;
				p += 2;
				continue;
			}
			break;
		}
		f->p = s;
		f->len = (size_t)(p - s);
		after = ++p;
		/* text between the closing quote and the separator is kept */
		while (p < end && *p != c->sep && *p != '\n' && *p != '\r')
			p++;
		if (p > after) {
			if (c->trim_trail) {
				const char *q = after;

				while (q < p && (*q == ' ' || *q == '\t'))
					q++;
				if (q == p)
					goto ended;
			}
			f->escaped = true;
			f->len = (size_t)(p - s);
		}
		goto ended;
	unterminated:
		if (!eof) {
			*pp = p;
			return F_MORE;
		}
		*bad = s - 1;
		*pp = end;
		return F_BROKEN;
	}
	f->p = p;
	while (p < end && c->cls[(uint8_t)*p] == C_PLAIN)
		p++;
	f->len = (size_t)(p - f->p);
	if (c->trim_trail)
		while (f->len > 0 && (f->p[f->len - 1] == ' ' || f->p[f->len - 1] == '\t'))
			f->len--;
ended:
	if (p >= end) {
		*pp = p;
		return eof ? F_END : F_MORE;
	}
	if (*p == c->sep) {
		*pp = p + 1;
		return F_SEP;
	}
	/* \n, \r\n or \r */
	if (*p == '\r') {
		if (p + 1 >= end && !eof) {
			*pp = p;
			return F_MORE;
		}
		if (p + 1 < end && p[1] == '\n')
			p++;
	}
	(*lines)++;
	*pp = p + 1;
	return F_EOL;
}

/* The unescaped content of a quoted field with escapes, into scratch. */
static int unescape(csvdec *c, cfield *f)
{
	const char *p = f->p, *end = f->p + f->len;
	char *w;

	if (f->len + 1 > c->scratch_cap) {
		size_t cap = c->scratch_cap ? c->scratch_cap : 256;
		char *q;

		while (cap < f->len + 1)
			cap *= 2;
		q = realloc(c->scratch, cap);
		if (q == NULL)
			return SL_ENOMEM;
		c->scratch = q;
		c->scratch_cap = cap;
	}
	w = c->scratch;
	while (p < end) {
		if (*p == c->quote && p + 1 < end && p[1] == c->quote) {
			*w++ = c->quote;
			p += 2;
		} else if (*p == c->quote) {
			p++; /* the closing quote before trailing text */
		} else if (*p == c->escape && c->escape != c->quote && p + 1 < end &&
		           (p[1] == c->quote || p[1] == c->escape)) {
			*w++ = p[1];
			p += 2;
		} else {
			*w++ = *p++;
		}
	}
	f->p = c->scratch;
	f->len = (size_t)(w - c->scratch);
	return SL_OK;
}

static bool eq(const cfield *f, const char *s, size_t n)
{
	return f->len == n && memcmp(f->p, s, n) == 0;
}

/* Converts field f into column col (index i of the schema). */
static int put(sl_decoder *d, csvdec *c, slf_col *col, int i, cfield *f)
{
	size_t at = (size_t)(f->p - d->rec);
	int64_t iv;
	double dv;
	int rc;

	if (f->escaped && (rc = unescape(c, f)) < 0)
		return rc;
	if ((!f->quoted && f->len == 0 && c->null_len == 0) ||
	    (c->null_len > 0 && eq(f, c->null_value, c->null_len)))
		return slf_col_null(col);
	if (f->len == 0 && col->id != SL_TYPE_STRING && col->id != SL_TYPE_BINARY)
		return slf_col_null(col);
	switch (col->id) {
	case SL_TYPE_STRING:
		if (f->len == 0 && f->quoted)
			return slf_col_str(col, c->empty_value, strlen(c->empty_value));
		if (slf_utf8_valid(f->p, f->len) != f->len)
			break;
		return slf_col_str(col, f->p, f->len);
	case SL_TYPE_BINARY:
		return slf_col_str(col, f->p, f->len);
	case SL_TYPE_INT64:
		if (slf_parse_i64(f->p, f->len, &iv))
			return slf_col_i64(col, iv);
		break;
	case SL_TYPE_DOUBLE:
		if (eq(f, c->nan, strlen(c->nan)))
			return slf_col_f64(col, NAN);
		if (eq(f, c->pinf, strlen(c->pinf)))
			return slf_col_f64(col, INFINITY);
		if (eq(f, c->ninf, strlen(c->ninf)))
			return slf_col_f64(col, -INFINITY);
		if (slf_parse_f64(f->p, f->len, true, &dv))
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
		    (!c->tsfmt && slf_parse_ts(f->p, f->len, &iv)))
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
static int record(sl_decoder *d, csvdec *c, const char **pp, const char *end, bool eof,
                  int64_t off, bool one, sl_error *err)
{
	const char *p = *pp, *bad = NULL;
	int64_t lines = 0;
	size_t nf = 0;
	cfield f;
	int st, rc;
	bool header = c->header && off == 0 && !one;

	slf_rec_begin(d, p, off);
	for (;;) {
		st = scan_field(c, &p, end, eof, &f, &lines, &bad);
		if (st == F_MORE) {
			slf_col_truncate(&d->root, d->root.len);
			return SL_AGAIN;
		}
		if (st == F_BROKEN) {
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
		if (st != F_SEP)
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
		if (c->comment != '\0' && *p == c->comment) {
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
	free(c->scratch);
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
	c->sep = o->sep ? o->sep : ',';
	c->quote = o->quote;
	c->escape = o->escape ? o->escape : o->quote;
	c->comment = o->comment;
	c->multi_line = o->multi_line;
	c->trim_lead = o->ignore_leading_white_space;
	c->trim_trail = o->ignore_trailing_white_space;
	c->null_value = o->null_value ? o->null_value : "";
	c->null_len = strlen(c->null_value);
	c->empty_value = o->empty_value ? o->empty_value : "";
	c->nan = o->nan_value ? o->nan_value : "NaN";
	c->pinf = o->positive_inf ? o->positive_inf : "Inf";
	c->ninf = o->negative_inf ? o->negative_inf : "-Inf";
	c->header = o->header;
	if (c->quote != '\0' && (c->sep == c->quote || c->sep == c->escape))
		return sl_error_at(err, SL_EINVAL, "sep", -1,
		                   "the separator cannot also be the quote or escape character");
	c->cls[(uint8_t)c->sep] = C_SEP;
	c->cls['\n'] = C_NL;
	c->cls['\r'] = C_NL;
	if (o->timestamp_format != NULL) {
		rc = slf_tsfmt_compile(o->timestamp_format, &c->tsfmt, err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

const slf_codec slf_csv_codec = {csv_decode, csv_one, NULL, csv_free};
