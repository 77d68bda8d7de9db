/* fmt_json_infer.c - JSON schema inference (jansson), as Spark's
 * JsonInferSchema: every object's fields join one struct (sorted by name);
 * integers are BIGINT, other numbers DOUBLE, true/false BOOLEAN, strings
 * STRING (timestamps are not guessed, as Spark's default); an empty array
 * or a field that is always null ends up STRING (or is dropped with
 * dropFieldIfAllNull).  A line that is not a JSON object (or an array of
 * them) is malformed: PERMISSIVE adds the corrupt-record column, FAILFAST
 * stops, DROPMALFORMED ignores it. */
#include <jansson.h>
#include <string.h>

#include "fmt_infer.h"

static slf_ity *infer(const sl_inferrer *inf, json_t *j, int depth)
{
	slf_ity *t;
	bool pas = inf->opts.o.primitives_as_string;

	if (depth > SLF_MAX_DEPTH)
		return slf_ity_new(ITY_STRING);
	switch (json_typeof(j)) {
	case JSON_NULL:
		return slf_ity_new(ITY_NULL);
	case JSON_TRUE:
	case JSON_FALSE:
		return slf_ity_new(pas ? ITY_STRING : ITY_BOOL);
	case JSON_INTEGER:
		return slf_ity_new(pas ? ITY_STRING : ITY_LONG);
	case JSON_REAL:
		return slf_ity_new(pas ? ITY_STRING : ITY_DOUBLE);
	case JSON_STRING:
		return slf_ity_new(ITY_STRING);
	case JSON_ARRAY: {
		size_t i;

		t = slf_ity_new(ITY_ARRAY);
		if (t == NULL)
			return NULL;
		t->kids = calloc(1, sizeof(*t->kids));
		if (t->kids == NULL) {
			free(t);
			return NULL;
		}
		t->n = 1;
		t->kids[0] = slf_ity_new(ITY_NULL);
		for (i = 0; i < json_array_size(j) && t->kids[0] != NULL; i++)
			if (slf_ity_merge(&t->kids[0],
			                  infer(inf, json_array_get(j, i), depth + 1)) < 0)
				break;
		if (t->kids[0] == NULL || i < json_array_size(j)) {
			slf_ity_free(t);
			return NULL;
		}
		return t;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *v;

		t = slf_ity_new(ITY_STRUCT);
		if (t == NULL)
			return NULL;
		json_object_foreach(j, k, v)
		{
			slf_ity **f = slf_ity_field(t, k, strlen(k));

			if (f == NULL || slf_ity_merge(f, infer(inf, v, depth + 1)) < 0) {
				slf_ity_free(t);
				return NULL;
			}
		}
		return t;
	}
	}
	return slf_ity_new(ITY_STRING);
}

/* A record that is not an object (or an array of objects). */
static int malformed(sl_inferrer *inf, const char *what, int64_t line, sl_error *err)
{
	if (inf->opts.o.mode == SL_PARSE_FAILFAST)
		return sl_error_set(err, SL_EINVAL, "malformed record at line %lld: %s",
		                    (long long)line, what);
	if (inf->opts.o.mode == SL_PARSE_PERMISSIVE)
		inf->corrupt = true;
	return SL_OK;
}

static int record(sl_inferrer *inf, const char *p, size_t len, sl_error *err)
{
	json_error_t je;
	json_t *j;
	int rc = SL_OK;

	if (!slf_infer_take(inf))
		return SL_OK;
	j = json_loadb(p, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (j == NULL)
		return malformed(inf, je.text, inf->line, err);
	if (json_is_object(j)) {
		rc = slf_ity_merge(&inf->root, infer(inf, j, 0));
	} else if (json_is_array(j)) {
		size_t i;

		for (i = 0; i < json_array_size(j) && rc == SL_OK; i++) {
			json_t *e = json_array_get(j, i);

			if (!json_is_object(e))
				rc = malformed(inf, "an array element that is not an object",
				               inf->line, err);
			else
				rc = slf_ity_merge(&inf->root, infer(inf, e, 0));
		}
	} else {
		rc = malformed(inf, "not a JSON object", inf->line, err);
	}
	json_decref(j);
	if (rc == SL_ENOMEM)
		return sl_error_set(err, rc, "out of memory");
	return rc;
}

int slf_json_infer(sl_inferrer *inf, const char *buf, size_t len, bool eof, size_t *used,
                   sl_error *err)
{
	const char *p = buf, *end = buf + len;
	int rc;

	while (p < end && !sl_inferrer_full(inf)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t rl, i;

		if (nl == NULL) {
			if (!eof)
				break;
			nl = end;
		}
		rl = (size_t)(nl - p);
		for (i = 0; i < rl && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'); i++)
			;
		if (i < rl) {
			rc = record(inf, p, rl, err);
			if (rc < 0)
				return rc;
		}
		inf->line++;
		p = nl < end ? nl + 1 : end;
	}
	*used = sl_inferrer_full(inf) ? len : (size_t)(p - buf);
	return SL_OK;
}

int slf_json_infer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err)
{
	const char *cname = inf->opts.o.corrupt_record_column;

	if (inf->corrupt && cname != NULL && cname[0] != '\0') {
		slf_ity **f = slf_ity_field(inf->root, cname, strlen(cname));

		if (f == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		slf_ity_free(*f);
		*f = slf_ity_new(ITY_STRING);
		if (*f == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*out = slf_ity_to_type(inf->root, inf->opts.o.drop_field_if_all_null);
	if (*out == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return SL_OK;
}
