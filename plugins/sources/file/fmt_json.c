/* fmt_json.c - format "json": JSON lines, one flat object per line, typed
 * by the declared schema (Spark's PERMISSIVE reading):
 *
 *   - a field the object lacks, or null, is null; fields the schema does
 *     not name are ignored; blank lines are skipped;
 *   - BIGINT takes integers; DOUBLE numbers and "NaN", "Infinity",
 *     "-Infinity"; BOOLEAN true/false; TIMESTAMP an ISO-8601 string or an
 *     integer of seconds since the epoch; BINARY a base64 string; STRING a
 *     string, or for any other value its JSON text (as Spark does);
 *   - a value of another type is null, the record counted as badRecords
 *     and a warning names FILE:LINE and the field;
 *   - a line that is not a JSON object is counted and skipped, with a
 *     warning naming FILE:LINE.
 *
 * Each line is parsed with jansson's json_loadb (a faster scanner replaces
 * it with the formats issue, which also brings nested STRUCT and ARRAY
 * columns).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsrc.h"

typedef struct json_fmt {
	size_t n;
	const char **names; /* the columns' names (borrowed from s->columns) */
	sl_type_id *types;
	sl_builder **cols;  /* the stage's column builders, set per file */
	sl_strbuf text;     /* scratch: a non-string value's JSON text */
	unsigned char *bin; /* scratch: decoded base64 */
	size_t bin_cap;
} json_fmt;

static void json_release(fsrc *s)
{
	json_fmt *jf = s->fmt_state;

	if (jf == NULL)
		return;
	free(jf->names);
	free(jf->types);
	free(jf->cols);
	sl_strbuf_free(&jf->text);
	free(jf->bin);
	free(jf);
	s->fmt_state = NULL;
}

static int json_prepare(fsrc *s, const char *schema, sl_schema **columns, sl_error *err)
{
	sl_schema *cols = NULL;
	json_fmt *jf;
	int rc;

	if (schema == NULL)
		return sl_error_at(err, SL_EINVAL, "schema", -1,
		                   "format 'json' needs a schema, e.g. \"id BIGINT, name STRING\"");
	rc = sl_schema_parse(schema, &cols, err);
	if (rc < 0) {
		err->option = "schema";
		return rc;
	}
	for (size_t i = 0; i < cols->n_fields; i++) {
		sl_type_id t = cols->fields[i].type->id;
		if (t == SL_TYPE_STRUCT || t == SL_TYPE_LIST || t == SL_TYPE_NULL) {
			sl_strbuf ddl = {0};
			sl_type_format(cols->fields[i].type, &ddl);
			rc = sl_error_at(err, SL_EINVAL, "schema", -1,
			                 "column '%s': %s is not supported by format 'json' yet "
			                 "(nested JSON comes with the formats issue); declare it "
			                 "STRING to get the value's JSON text",
			                 cols->fields[i].name, ddl.buf ? ddl.buf : "this type");
			sl_strbuf_free(&ddl);
			sl_type_unref(cols);
			return rc;
		}
	}
	jf = calloc(1, sizeof(*jf));
	if (jf == NULL)
		goto nomem;
	s->fmt_state = jf;
	jf->n = cols->n_fields;
	jf->names = calloc(jf->n ? jf->n : 1, sizeof(*jf->names));
	jf->types = calloc(jf->n ? jf->n : 1, sizeof(*jf->types));
	jf->cols = calloc(jf->n ? jf->n : 1, sizeof(*jf->cols));
	if (jf->names == NULL || jf->types == NULL || jf->cols == NULL)
		goto nomem;
	for (size_t i = 0; i < jf->n; i++) {
		jf->names[i] = cols->fields[i].name;
		jf->types[i] = cols->fields[i].type->id;
	}
	*columns = cols;
	return SL_OK;
nomem:
	json_release(s);
	sl_type_unref(cols);
	return sl_error_set(err, SL_ENOMEM, "out of memory");
}

static const char *kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* The JSON text of a value that is not a string, for a STRING column. */
static int value_text(json_fmt *jf, const json_t *v)
{
	char tmp[SLP_FMT_MAX];
	size_t n;

	sl_strbuf_reset(&jf->text);
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		return sl_strbuf_printf(&jf->text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		n = slp_fmt_double(tmp, json_real_value(v));
		return sl_strbuf_append(&jf->text, tmp, n);
	case JSON_TRUE:
		return sl_strbuf_puts(&jf->text, "true");
	case JSON_FALSE:
		return sl_strbuf_puts(&jf->text, "false");
	default: {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		int rc = t ? sl_strbuf_puts(&jf->text, t) : SL_ENOMEM;
		free(t);
		return rc;
	}
	}
}

/* Appends v to column i.  *ok becomes false when v has the wrong type (a
 * null is appended instead). */
static int put(json_fmt *jf, size_t i, const json_t *v, bool *ok)
{
	sl_builder *b = jf->cols[i];

	*ok = true;
	if (v == NULL || json_is_null(v))
		return sl_builder_append_null(b);
	switch (jf->types[i]) {
	case SL_TYPE_INT64:
		if (json_is_integer(v))
			return sl_builder_append_int64(b, (int64_t)json_integer_value(v));
		break;
	case SL_TYPE_DOUBLE:
		if (json_is_number(v))
			return sl_builder_append_double(b, json_number_value(v));
		if (json_is_string(v)) {
			const char *t = json_string_value(v);
			if (strcmp(t, "NaN") == 0)
				return sl_builder_append_double(b, (double)NAN);
			if (strcmp(t, "Infinity") == 0 || strcmp(t, "+Infinity") == 0)
				return sl_builder_append_double(b, (double)INFINITY);
			if (strcmp(t, "-Infinity") == 0)
				return sl_builder_append_double(b, -(double)INFINITY);
		}
		break;
	case SL_TYPE_BOOL:
		if (json_is_boolean(v))
			return sl_builder_append_bool(b, json_is_true(v));
		break;
	case SL_TYPE_STRING:
		if (json_is_string(v))
			return sl_builder_append_string(b, json_string_value(v),
			                                json_string_length(v));
		if (value_text(jf, v) < 0)
			return SL_ENOMEM;
		return sl_builder_append_string(b, jf->text.buf, jf->text.len);
	case SL_TYPE_TIMESTAMP:
		if (json_is_integer(v)) {
			json_int_t secs = json_integer_value(v);
			if (secs > -INT64_MAX / 1000000 && secs < INT64_MAX / 1000000)
				return sl_builder_append_int64(b, (int64_t)secs * 1000000);
		} else if (json_is_string(v)) {
			int64_t us;
			if (slp_parse_ts(json_string_value(v), json_string_length(v), &us) == SL_OK)
				return sl_builder_append_int64(b, us);
		}
		break;
	case SL_TYPE_BINARY:
		if (json_is_string(v)) {
			size_t len = json_string_length(v), need = len / 4 * 3 + 3;
			long n;
			if (need > jf->bin_cap) {
				unsigned char *nb = realloc(jf->bin, need);
				if (nb == NULL)
					return SL_ENOMEM;
				jf->bin = nb;
				jf->bin_cap = need;
			}
			n = slp_base64_decode(json_string_value(v), len, jf->bin);
			if (n >= 0)
				return sl_builder_append_string(b, (const char *)jf->bin,
				                                (size_t)n);
		}
		break;
	default:
		break;
	}
	*ok = false;
	return sl_builder_append_null(b);
}

static bool blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static int json_decode(fsrc *s, fsrc_reader *r, sl_error *err)
{
	json_fmt *jf = s->fmt_state;
	const char *p;
	size_t len;
	int rc;

	for (size_t i = 0; i < jf->n; i++)
		jf->cols[i] = sl_batch_builder_column(s->bb, i);
	while ((rc = fsrc_next_line(s, r, &p, &len, err)) == SL_OK) {
		json_error_t je;
		json_t *root;
		size_t bad = jf->n;
		const char *got = NULL;

		if (blank(p, len))
			continue;
		root = json_loadb(p, len, JSON_DECODE_ANY, &je);
		if (root == NULL || !json_is_object(root)) {
			if (root == NULL)
				fsrc_bad_record(s, r, "not JSON (%s at column %d); line skipped",
				                je.text, je.column);
			else
				fsrc_bad_record(s, r, "%s, not a JSON object; line skipped",
				                kind(root));
			json_decref(root);
			continue;
		}
		for (size_t i = 0; i < jf->n; i++) {
			const json_t *v = json_object_get(root, jf->names[i]);
			bool ok;

			if (put(jf, i, v, &ok) < 0) {
				json_decref(root);
				return sl_error_set(err, SL_ENOMEM,
				                    "%s/%s:%lld: cannot hold the row", s->dir,
				                    r->name, (long long)r->line);
			}
			if (!ok && bad == jf->n) {
				bad = i;
				got = kind(v);
			}
		}
		json_decref(root);
		if (bad < jf->n)
			fsrc_bad_record(s, r, "field '%s': expected %s, got %s; set to null",
			                jf->names[bad], sl_type_id_name(jf->types[bad]), got);
		if ((rc = fsrc_row_done(s, len + 1, err)) < 0)
			return rc;
	}
	return rc == SL_EOF ? SL_OK : rc;
}

const fsrc_format fsrc_format_json = {
    .name = "json",
    .prepare = json_prepare,
    .decode = json_decode,
    .release = json_release,
};
