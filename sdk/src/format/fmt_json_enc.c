/* fmt_json_enc.c - rows as JSON objects, as Spark's JacksonGenerator
 * writes them: fields in schema order, null fields left out (unless
 * ignoreNullFields is false), null list elements written as null, doubles
 * as Java prints them with NaN and Infinity as strings, timestamps as
 * "2020-07-25T14:55:00.348Z", binary as base64.  Strings escape '"', '\'
 * and control characters; everything else, non-ASCII included, is written
 * as it is. */
#include <math.h>
#include <string.h>

#include "fmt_enc.h"

/* The quoted, escaped "name": of every struct field, per struct type. */
typedef struct jkeys jkeys;
struct jkeys {
	size_t n;
	char **key;
	size_t *len;
	jkeys **kids; /* struct fields' and list elements' key sets */
};

typedef struct jenc {
	jkeys *root;
	bool keep_nulls;
} jenc;

static void keys_free(jkeys *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		free(k->key[i]);
		keys_free(k->kids[i]);
	}
	free(k->key);
	free(k->len);
	free(k->kids);
	free(k);
}


/* Key sets for t (NULL for types without structs inside). */
static int keys_new(const sl_type *t, jkeys **out)
{
	jkeys *k;
	size_t i;
	int rc;

	*out = NULL;
	if (t->id != SL_TYPE_STRUCT && t->id != SL_TYPE_LIST)
		return SL_OK;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return SL_ENOMEM;
	k->n = t->n_fields;
	k->key = calloc(k->n + 1, sizeof(*k->key));
	k->len = calloc(k->n + 1, sizeof(*k->len));
	k->kids = calloc(k->n + 1, sizeof(*k->kids));
	if (k->key == NULL || k->len == NULL || k->kids == NULL)
		goto fail;
	for (i = 0; i < k->n; i++) {
		const char *name = t->fields[i].name;
		size_t nl = strlen(name);

		k->key[i] = malloc(nl * 6 + 4);
		if (k->key[i] == NULL)
			goto fail;
		k->key[i][0] = '"';
		k->len[i] = 1 + sl_json_escape(name, nl, k->key[i] + 1);
		k->key[i][k->len[i]++] = '"';
		k->key[i][k->len[i]++] = ':';
		rc = keys_new(t->fields[i].type, &k->kids[i]);
		if (rc < 0)
			goto fail;
	}
	*out = k;
	return SL_OK;
fail:
	keys_free(k);
	return SL_ENOMEM;
}



static int value(sl_encoder *e, const jenc *j, const jkeys *k, const sl_array *a, int64_t i,
                 sl_strbuf *out, int depth);

static int object(sl_encoder *e, const jenc *j, const jkeys *k, sl_array *const *cols, size_t n,
                  int64_t i, sl_strbuf *out, int depth)
{
	size_t f;
	bool first = true;
	int rc;

	if ((rc = slf_sb_reserve(out, 1)) < 0)
		return rc;
	out->buf[out->len++] = '{';
	for (f = 0; f < n; f++) {
		const sl_array *c = cols[f];
		bool null = c->type->id == SL_TYPE_NULL || sl_array_is_null(c, i);

		if (null && !j->keep_nulls)
			continue;
		if ((rc = slf_sb_reserve(out, k->len[f] + 1)) < 0)
			return rc;
		if (!first)
			out->buf[out->len++] = ',';
		first = false;
		memcpy(out->buf + out->len, k->key[f], k->len[f]);
		out->len += k->len[f];
		if (null) {
			if ((rc = slf_sb_reserve(out, 4)) < 0)
				return rc;
			memcpy(out->buf + out->len, "null", 4);
			out->len += 4;
			continue;
		}
		rc = value(e, j, k->kids[f], c, i, out, depth + 1);
		if (rc < 0)
			return rc;
	}
	if ((rc = slf_sb_reserve(out, 1)) < 0)
		return rc;
	out->buf[out->len++] = '}';
	out->buf[out->len] = '\0';
	return SL_OK;
}

static int value(sl_encoder *e, const jenc *j, const jkeys *k, const sl_array *a, int64_t i,
                 sl_strbuf *out, int depth)
{
	char *w;
	int rc;

	if (a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i)) {
		if ((rc = slf_sb_reserve(out, 4)) < 0)
			return rc;
		memcpy(out->buf + out->len, "null", 4);
		out->len += 4;
		return SL_OK;
	}
	if (depth > SLF_MAX_DEPTH)
		return SL_EINVAL;
	switch (a->type->id) {
	case SL_TYPE_BOOL: {
		bool v = sl_array_bool(a, i);

		if ((rc = slf_sb_reserve(out, 5)) < 0)
			return rc;
		memcpy(out->buf + out->len, v ? "true" : "false", v ? 4 : 5);
		out->len += v ? 4 : 5;
		return SL_OK;
	}
	case SL_TYPE_INT64:
		if ((rc = slf_sb_reserve(out, 24)) < 0)
			return rc;
		out->len += sl_format_int64(sl_array_i64(a)[i], out->buf + out->len);
		return SL_OK;
	case SL_TYPE_DOUBLE: {
		double d = sl_array_f64(a)[i];

		if ((rc = slf_sb_reserve(out, 52)) < 0)
			return rc;
		w = out->buf + out->len;
		if (isnan(d) || isinf(d)) {
			*w++ = '"';
			w += sl_format_double(d, w);
			*w++ = '"';
			out->len = (size_t)(w - out->buf);
		} else {
			out->len += sl_format_double(d, w);
		}
		return SL_OK;
	}
	case SL_TYPE_TIMESTAMP:
		if ((rc = slf_sb_reserve(out, 70)) < 0)
			return rc;
		w = out->buf + out->len;
		*w++ = '"';
		w += slf_enc_ts(e, sl_array_i64(a)[i], w);
		*w++ = '"';
		out->len = (size_t)(w - out->buf);
		return SL_OK;
	case SL_TYPE_STRING: {
		sl_strview s = sl_array_str(a, i);

		if ((rc = slf_sb_reserve(out, s.len * 6 + 2)) < 0)
			return rc;
		w = out->buf + out->len;
		*w++ = '"';
		w += sl_json_escape(s.ptr, s.len, w);
		*w++ = '"';
		out->len = (size_t)(w - out->buf);
		return SL_OK;
	}
	case SL_TYPE_BINARY: {
		sl_strview s = sl_array_str(a, i);

		if ((rc = slf_sb_reserve(out, s.len / 3 * 4 + 8)) < 0)
			return rc;
		w = out->buf + out->len;
		*w++ = '"';
		w += sl_base64_encode((const uint8_t *)s.ptr, s.len, w);
		*w++ = '"';
		out->len = (size_t)(w - out->buf);
		return SL_OK;
	}
	case SL_TYPE_STRUCT:
		return object(e, j, k, a->children, a->n_children, i, out, depth);
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		int32_t x;

		if ((rc = slf_sb_reserve(out, 1)) < 0)
			return rc;
		out->buf[out->len++] = '[';
		for (x = o[i]; x < o[i + 1]; x++) {
			if (x > o[i]) {
				if ((rc = slf_sb_reserve(out, 1)) < 0)
					return rc;
				out->buf[out->len++] = ',';
			}
			rc = value(e, j, k ? k->kids[0] : NULL, a->children[0], x, out, depth + 1);
			if (rc < 0)
				return rc;
		}
		if ((rc = slf_sb_reserve(out, 1)) < 0)
			return rc;
		out->buf[out->len++] = ']';
		return SL_OK;
	}
	default:
		return SL_EINVAL;
	}
}

static int json_row(sl_encoder *e, sl_array *const *cols, int64_t row, sl_strbuf *out,
                    sl_error *err)
{
	jenc *j = e->impl;
	int rc = object(e, j, j->root, cols, e->schema->n_fields, row, out, 0);

	if (rc < 0)
		return sl_error_set(err, rc,
		                    rc == SL_ENOMEM ? "out of memory" : "value nested too deeply");
	out->buf[out->len] = '\0';
	return SL_OK;
}

static int json_batch(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err)
{
	jenc *j = e->impl;
	int64_t r;
	int rc;

	for (r = 0; r < b->n_rows; r++) {
		rc = object(e, j, j->root, b->columns, e->schema->n_fields, r, out, 0);
		if (rc == SL_OK)
			rc = slf_sb_reserve(out, 1);
		if (rc < 0)
			return sl_error_set(
			    err, rc, rc == SL_ENOMEM ? "out of memory" : "value nested too deeply");
		out->buf[out->len++] = '\n';
	}
	if (out->buf != NULL)
		out->buf[out->len] = '\0';
	return SL_OK;
}

static void json_free(void *impl)
{
	jenc *j = impl;

	keys_free(j->root);
	free(j);
}

static const slf_enc_ops json_ops = {json_row, json_batch, NULL, json_free};

int slf_json_enc_new(sl_encoder *e, sl_error *err)
{
	jenc *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	e->impl = j;
	e->ops = &json_ops;
	j->keep_nulls = !e->opts.o.ignore_null_fields;
	if (keys_new(e->schema, &j->root) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return SL_OK;
}
