/* fmt_csv_infer.c - CSV schema inference, as Spark's CSVInferSchema: each
 * value is tried as BIGINT, DOUBLE, TIMESTAMP, BOOLEAN in that order,
 * starting from the type the column has so far; the column's type is the
 * merge of its values' (BIGINT and DOUBLE give DOUBLE, other mixes STRING;
 * a column of nulls only is STRING).  Names come from the header (empty
 * ones become _cN, duplicates get their position appended, as Spark does)
 * or are _c0, _c1, ... */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt_infer.h"

/* The type of one value, trying from `from` on. */
static slf_ity_kind value_type(const sl_inferrer *inf, slf_ity_kind from, const char *p, size_t n)
{
	const sl_format_options *o = &inf->opts.o;
	int64_t iv;
	double dv;

	switch (from) {
	case ITY_NULL:
	case ITY_LONG:
		if (sl_parse_int64(p, n, &iv))
			return ITY_LONG;
		/* fall through */
	case ITY_DOUBLE:
		if ((n == strlen(o->nan_value) && memcmp(p, o->nan_value, n) == 0) ||
		    (n == strlen(o->positive_inf) && memcmp(p, o->positive_inf, n) == 0) ||
		    (n == strlen(o->negative_inf) && memcmp(p, o->negative_inf, n) == 0) ||
		    sl_parse_double(p, n, SL_PARSE_JAVA, &dv))
			return ITY_DOUBLE;
		/* fall through */
	case ITY_TS:
		if ((inf->tsfmt && slf_tsfmt_parse(inf->tsfmt, p, n, &iv)) ||
		    (!inf->tsfmt && sl_parse_timestamp(p, n, &iv)))
			return ITY_TS;
		/* fall through */
	case ITY_BOOL:
		if ((n == 4 && strncasecmp(p, "true", 4) == 0) ||
		    (n == 5 && strncasecmp(p, "false", 5) == 0))
			return ITY_BOOL;
		/* fall through */
	default:
		return ITY_STRING;
	}
}

static slf_ity_kind merge(slf_ity_kind a, slf_ity_kind b)
{
	if (a == ITY_NULL)
		return b;
	if (a == b)
		return a;
	if ((a == ITY_LONG || a == ITY_DOUBLE) && (b == ITY_LONG || b == ITY_DOUBLE))
		return ITY_DOUBLE;
	return ITY_STRING;
}

static int grow_cols(sl_inferrer *inf, size_t n)
{
	slf_ity_kind *c;

	if (n <= inf->n_cols)
		return SL_OK;
	c = realloc(inf->cols, n * sizeof(*c));
	if (c == NULL)
		return SL_ENOMEM;
	memset(c + inf->n_cols, 0, (n - inf->n_cols) * sizeof(*c));
	inf->cols = c;
	return SL_OK;
}

/* The header's names (the first record when header is set). */
static int take_name(sl_inferrer *inf, size_t i, const slf_cfield *f)
{
	char **names;

	if (i >= inf->n_cols) {
		names = realloc(inf->names, (i + 1) * sizeof(*names));
		if (names == NULL)
			return SL_ENOMEM;
		inf->names = names;
		if (grow_cols(inf, i + 1) < 0)
			return SL_ENOMEM;
		inf->names[i] = NULL;
		inf->n_cols = i + 1;
	}
	inf->names[i] = strndup(f->p, f->len);
	return inf->names[i] ? SL_OK : SL_ENOMEM;
}

static int field(sl_inferrer *inf, size_t i, slf_cfield *f, bool first)
{
	const char *nv = inf->opts.o.null_value ? inf->opts.o.null_value : "";
	size_t nl = strlen(nv);
	int rc;

	if (f->escaped && (rc = slf_csv_unescape(&inf->tok, f)) < 0)
		return rc;
	if (first && !inf->have_names) {
		/* the first record fixes the number of columns */
		rc = grow_cols(inf, i + 1);
		if (rc < 0)
			return rc;
		if (i >= inf->n_cols)
			inf->n_cols = i + 1;
	}
	if (i >= inf->n_cols)
		return SL_OK;
	if (f->len == 0 || (nl > 0 && f->len == nl && memcmp(f->p, nv, nl) == 0))
		return SL_OK;
	inf->cols[i] = merge(inf->cols[i], value_type(inf, inf->cols[i], f->p, f->len));
	return SL_OK;
}

int slf_csv_infer(sl_inferrer *inf, const char *buf, size_t len, bool eof, size_t *used,
                  sl_error *err)
{
	const char *p = buf, *end = buf + len, *bad;
	slf_cfield f;
	int rc = SL_OK;

	while (p < end && !sl_inferrer_full(inf)) {
		const char *rec = p;
		int64_t lines = 0;
		size_t i = 0;
		bool header, take, first;
		int st;

		if (*p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (inf->tok.comment != '\0' && *p == inf->tok.comment) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (nl == NULL && !eof)
				break;
			p = nl ? nl + 1 : end;
			continue;
		}
		/* a first pass finds whether the record is complete */
		do {
			st = slf_csv_field(&inf->tok, &p, end, eof, &f, &lines, &bad);
		} while (st == SLF_F_SEP);
		if (st == SLF_F_MORE) {
			p = rec;
			break;
		}
		header = inf->opts.o.header && !inf->have_names;
		first = inf->records == 0 && !header;
		take = header || slf_infer_take(inf);
		if (st == SLF_F_BROKEN) {
			if (inf->opts.o.mode == SL_PARSE_FAILFAST)
				return sl_error_set(
				    err, SL_EINVAL,
				    "malformed record at byte %lld: unterminated quote",
				    (long long)(inf->offset + (rec - buf)));
			continue;
		}
		if (!take)
			continue;
		p = rec;
		do {
			st = slf_csv_field(&inf->tok, &p, end, eof, &f, &lines, &bad);
			if (header)
				rc = take_name(inf, i, &f);
			else
				rc = field(inf, i, &f, first);
			if (rc < 0)
				return sl_error_set(err, rc, "out of memory");
			i++;
		} while (st == SLF_F_SEP);
		if (header)
			inf->have_names = true;
	}
	*used = sl_inferrer_full(inf) ? len : (size_t)(p - buf);
	return SL_OK;
}

int slf_csv_infer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err)
{
	sl_field *f = calloc(inf->n_cols + 1, sizeof(*f));
	char(*gen)[24] = calloc(inf->n_cols + 1, sizeof(*gen));
	char **uniq = calloc(inf->n_cols + 1, sizeof(*uniq));
	size_t i, j;
	int rc = SL_OK;

	*out = NULL;
	if (f == NULL || gen == NULL || uniq == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < inf->n_cols; i++) {
		const char *name = inf->names ? inf->names[i] : NULL;
		bool dup = false;

		if (name == NULL || name[0] == '\0') {
			snprintf(gen[i], sizeof(gen[i]), "_c%zu", i);
			name = gen[i];
		}
		for (j = 0; j < inf->n_cols && inf->names; j++)
			if (j != i && inf->names[j] && strcasecmp(inf->names[j], name) == 0)
				dup = true;
		if (dup) {
			uniq[i] = malloc(strlen(name) + 24);
			if (uniq[i] == NULL) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto out;
			}
			sprintf(uniq[i], "%s%zu", name, i);
			name = uniq[i];
		}
		f[i].name = (char *)name;
		f[i].nullable = true;
		f[i].type = slf_ity_to_type(&(slf_ity){inf->cols[i], 0, 0, NULL, NULL}, false);
	}
	*out = sl_type_struct(inf->n_cols, f);
	if (*out == NULL)
		rc = sl_error_set(err, SL_EINVAL, "CSV header names are not unique");
out:
	for (i = 0; i < inf->n_cols && uniq; i++)
		free(uniq[i]);
	free(uniq);
	free(gen);
	free(f);
	return rc;
}
