/* fmt_avro_schema.c - .avsc text <-> slf_av trees <-> sl_schema.
 *
 * jansson reads the JSON (avro-c 1.11 drops logical types, which decide
 * whether a long is a timestamp); avro-c validates the text as well.
 * Conversions follow Spark's SchemaConverters (see sl_format.h). */
#include <avro.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fmt_avro.h"

static const struct {
	const char *name;
	slf_av_kind kind;
} prims[] = {
    {"null", AV_NULL},   {"boolean", AV_BOOL},  {"int", AV_INT},     {"long", AV_LONG},
    {"float", AV_FLOAT}, {"double", AV_DOUBLE}, {"bytes", AV_BYTES}, {"string", AV_STRING},
};

typedef struct parser {
	slf_avschema *s;
	sl_error *err;
	int depth;
} parser;

static slf_av *node_new(parser *ps, slf_av_kind kind)
{
	slf_avschema *s = ps->s;
	slf_av *n;

	if (s->n_all == s->cap_all) {
		size_t cap = s->cap_all ? s->cap_all * 2 : 16;
		slf_av **all = realloc(s->all, cap * sizeof(*all));

		if (all == NULL)
			return NULL;
		s->all = all;
		s->cap_all = cap;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->null_branch = -1;
	s->all[s->n_all++] = n;
	return n;
}

static void node_free(slf_av *n)
{
	size_t i;

	if (n->names != NULL)
		for (i = 0; i < n->n; i++)
			free(n->names[i]);
	free(n->names);
	free(n->symlen);
	free(n->kids);
	free(n->member);
	free(n->name);
	free(n);
}

void slf_av_free(slf_avschema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_all; i++)
		node_free(s->all[i]);
	free(s->all);
	free(s->json);
	free(s);
}

static int fail(parser *ps, const char *fmt, const char *what)
{
	return sl_error_at(ps->err, SL_EINVAL, "avroSchema", -1, fmt, what ? what : "");
}

/* The full name of a named type: name, or namespace.name. */
static char *full_name(const char *name, const char *ns)
{
	char *r;

	if (strchr(name, '.') != NULL || ns == NULL || ns[0] == '\0')
		return strdup(name);
	r = malloc(strlen(ns) + strlen(name) + 2);
	if (r != NULL)
		sprintf(r, "%s.%s", ns, name);
	return r;
}

static slf_av *lookup(parser *ps, const char *name, const char *ns)
{
	char *fn = full_name(name, ns);
	size_t i;
	slf_av *found = NULL;

	for (i = 0; fn != NULL && i < ps->s->n_all && found == NULL; i++) {
		slf_av *n = ps->s->all[i];

		if (n->name != NULL && (strcmp(n->name, fn) == 0 || strcmp(n->name, name) == 0))
			found = n;
	}
	free(fn);
	return found;
}

static int parse(parser *ps, json_t *j, const char *ns, slf_av **out);

/* The namespace that named types inside the named type `full` use. */
static void inner_ns(const char *full, char *buf, size_t size)
{
	const char *dot = strrchr(full, '.');

	if (dot == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, size, "%.*s", (int)(dot - full), full);
}

static int parse_named(parser *ps, json_t *j, const char *type, const char *ns, slf_av **out)
{
	json_t *jn = json_object_get(j, "name"), *jns = json_object_get(j, "namespace");
	const char *name = json_string_value(jn);
	slf_av *n;
	char nsbuf[512];
	size_t i;
	int rc;

	if (name == NULL || name[0] == '\0')
		return fail(ps, "a %s needs a name", type);
	if (json_string_value(jns) != NULL)
		ns = json_string_value(jns);
	if (lookup(ps, name, ns) != NULL)
		return fail(ps, "type '%s' defined twice", name);
	n = node_new(ps, !strcmp(type, "enum")    ? AV_ENUM
	                 : !strcmp(type, "fixed") ? AV_FIXED
	                                          : AV_RECORD);
	if (n == NULL)
		return SL_ENOMEM;
	n->name = full_name(name, ns);
	if (n->name == NULL)
		return SL_ENOMEM;
	*out = n;
	if (n->kind == AV_FIXED) {
		json_t *sz = json_object_get(j, "size");

		if (!json_is_integer(sz) || json_integer_value(sz) < 0)
			return fail(ps, "fixed '%s' needs a size", name);
		n->size = json_integer_value(sz);
		return SL_OK;
	}
	if (n->kind == AV_ENUM) {
		json_t *syms = json_object_get(j, "symbols");

		if (!json_is_array(syms))
			return fail(ps, "enum '%s' needs symbols", name);
		n->n = json_array_size(syms);
		n->names = calloc(n->n + 1, sizeof(*n->names));
		n->symlen = calloc(n->n + 1, sizeof(*n->symlen));
		if (n->names == NULL || n->symlen == NULL)
			return SL_ENOMEM;
		for (i = 0; i < n->n; i++) {
			const char *sym = json_string_value(json_array_get(syms, i));

			if (sym == NULL)
				return fail(ps, "enum '%s' has a symbol that is not a string",
				            name);
			n->names[i] = strdup(sym);
			if (n->names[i] == NULL)
				return SL_ENOMEM;
			n->symlen[i] = strlen(sym);
		}
		return SL_OK;
	}
	{
		json_t *fields = json_object_get(j, "fields");

		if (!json_is_array(fields))
			return fail(ps, "record '%s' needs fields", name);
		inner_ns(n->name, nsbuf, sizeof(nsbuf));
		n->n = json_array_size(fields);
		n->names = calloc(n->n + 1, sizeof(*n->names));
		n->kids = calloc(n->n + 1, sizeof(*n->kids));
		if (n->names == NULL || n->kids == NULL)
			return SL_ENOMEM;
		for (i = 0; i < n->n; i++) {
			json_t *f = json_array_get(fields, i);
			const char *fname = json_string_value(json_object_get(f, "name"));

			if (fname == NULL)
				return fail(ps, "record '%s' has a field without a name", name);
			n->names[i] = strdup(fname);
			if (n->names[i] == NULL)
				return SL_ENOMEM;
			rc = parse(ps, json_object_get(f, "type"), nsbuf, &n->kids[i]);
			if (rc < 0)
				return rc;
		}
	}
	return SL_OK;
}

static int parse(parser *ps, json_t *j, const char *ns, slf_av **out)
{
	const char *type;
	size_t i;
	int rc;

	if (j == NULL)
		return fail(ps, "missing type%s", NULL);
	if (++ps->depth > SLF_MAX_DEPTH)
		return fail(ps, "schema nested too deeply%s", NULL);
	if (json_is_array(j)) {
		slf_av *u = node_new(ps, AV_UNION);

		if (u == NULL)
			return SL_ENOMEM;
		u->n = json_array_size(j);
		u->kids = calloc(u->n + 1, sizeof(*u->kids));
		u->member = calloc(u->n + 1, sizeof(*u->member));
		if (u->kids == NULL || u->member == NULL)
			return SL_ENOMEM;
		for (i = 0; i < u->n; i++) {
			rc = parse(ps, json_array_get(j, i), ns, &u->kids[i]);
			if (rc < 0)
				return rc;
			if (u->kids[i]->kind == AV_UNION)
				return fail(ps, "a union inside a union%s", NULL);
		}
		*out = u;
		ps->depth--;
		return SL_OK;
	}
	if (json_is_object(j)) {
		json_t *lt = json_object_get(j, "logicalType");

		type = json_string_value(json_object_get(j, "type"));
		if (type == NULL) {
			/* {"type": {...}} or {"type": [...]} */
			rc = parse(ps, json_object_get(j, "type"), ns, out);
			ps->depth--;
			return rc;
		}
		if (!strcmp(type, "record") || !strcmp(type, "error") || !strcmp(type, "enum") ||
		    !strcmp(type, "fixed")) {
			rc = parse_named(ps, j, type, ns, out);
			ps->depth--;
			return rc;
		}
		if (!strcmp(type, "array") || !strcmp(type, "map")) {
			slf_av *a = node_new(ps, type[0] == 'a' ? AV_ARRAY : AV_MAP);

			if (a == NULL)
				return SL_ENOMEM;
			a->n = 1;
			a->kids = calloc(1, sizeof(*a->kids));
			if (a->kids == NULL)
				return SL_ENOMEM;
			rc = parse(ps, json_object_get(j, type[0] == 'a' ? "items" : "values"), ns,
			           &a->kids[0]);
			*out = a;
			ps->depth--;
			return rc;
		}
		rc = parse(ps, json_object_get(j, "type"), ns, out);
		if (rc == SL_OK && json_string_value(lt) != NULL) {
			const char *l = json_string_value(lt);
			slf_av *b = *out, *c;
			int logical = AVL_NONE;

			if (b->kind == AV_LONG && (!strcmp(l, "timestamp-millis") ||
			                           !strcmp(l, "local-timestamp-millis")))
				logical = AVL_TS_MILLIS;
			else if (b->kind == AV_LONG && (!strcmp(l, "timestamp-micros") ||
			                                !strcmp(l, "local-timestamp-micros")))
				logical = AVL_TS_MICROS;
			else if (b->kind == AV_INT && !strcmp(l, "date"))
				logical = AVL_DATE;
			if (logical != AVL_NONE) {
				c = node_new(ps, b->kind);
				if (c == NULL)
					return SL_ENOMEM;
				c->logical = logical;
				*out = c;
			}
		}
		ps->depth--;
		return rc;
	}
	type = json_string_value(j);
	if (type == NULL)
		return fail(ps, "a type must be a string, an object or an array%s", NULL);
	for (i = 0; i < sizeof(prims) / sizeof(prims[0]); i++) {
		if (!strcmp(type, prims[i].name)) {
			*out = node_new(ps, prims[i].kind);
			ps->depth--;
			return *out ? SL_OK : SL_ENOMEM;
		}
	}
	*out = lookup(ps, type, ns);
	if (*out == NULL)
		return fail(ps, "unknown type '%s'", type);
	ps->depth--;
	return SL_OK;
}

int slf_av_parse(const char *text, size_t len, slf_avschema **out, sl_error *err)
{
	slf_avschema *s = NULL;
	parser ps = {NULL, err, 0};
	json_error_t je;
	json_t *j = NULL;
	avro_schema_t as = NULL;
	int rc;

	*out = NULL;
	j = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (j == NULL)
		return sl_error_at(err, SL_EINVAL, "avroSchema", je.position,
		                   "Avro schema is not JSON: %s (line %d)", je.text, je.line);
	if (avro_schema_from_json_length(text, len, &as) != 0) {
		rc = sl_error_at(err, SL_EINVAL, "avroSchema", -1, "invalid Avro schema: %s",
		                 avro_strerror());
		goto out;
	}
	avro_schema_decref(as);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	ps.s = s;
	rc = parse(&ps, j, "", &s->root);
	if (rc == SL_ENOMEM)
		sl_error_set(err, rc, "out of memory");
	if (rc < 0)
		goto out;
	s->json = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (s->json == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	*out = s;
	s = NULL;
out:
	slf_av_free(s);
	json_decref(j);
	return rc;
}

/* ---------------------------------------------------------- to sl types */

static int union_type(slf_av *n, sl_type **out, bool *nullable, sl_error *err)
{
	size_t i, nn = 0, m = 0;
	bool all_int = true, all_float = true;
	int rc;

	for (i = 0; i < n->n; i++) {
		slf_av_kind k = n->kids[i]->kind;

		if (k == AV_NULL) {
			if (n->null_branch < 0)
				n->null_branch = (int)i;
			continue;
		}
		nn++;
		all_int = all_int && (k == AV_INT || k == AV_LONG) && !n->kids[i]->logical;
		all_float = all_float && (k == AV_FLOAT || k == AV_DOUBLE);
	}
	*nullable = n->null_branch >= 0;
	if (nn == 0) {
		*out = sl_type_null();
		n->umap = AVU_NULLABLE;
		return SL_OK;
	}
	if (nn == 1) {
		n->umap = AVU_NULLABLE;
		for (i = 0; i < n->n; i++)
			if (n->kids[i]->kind != AV_NULL)
				return slf_av_to_type(n->kids[i], out, &(bool){false}, err);
	}
	if (all_int || all_float) {
		n->umap = AVU_MERGED;
		*out = all_int ? sl_type_int64() : sl_type_double();
		return SL_OK;
	}
	n->umap = AVU_STRUCT;
	{
		sl_field *f = calloc(nn, sizeof(*f));
		char names[64][16];

		if (f == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		if (nn > 64) {
			free(f);
			return sl_error_set(err, SL_EINVAL, "a union of more than 64 types");
		}
		rc = SL_OK;
		for (i = 0; i < n->n && rc == SL_OK; i++) {
			if (n->kids[i]->kind == AV_NULL) {
				n->member[i] = -1;
				continue;
			}
			n->member[i] = (int)m;
			snprintf(names[m], sizeof(names[m]), "member%zu", m);
			f[m].name = names[m];
			f[m].nullable = true;
			rc = slf_av_to_type(n->kids[i], &f[m].type, &(bool){false}, err);
			if (rc == SL_OK)
				m++;
		}
		if (rc == SL_OK) {
			*out = sl_type_struct(m, f);
			if (*out == NULL)
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		for (i = 0; i < m; i++)
			sl_type_unref(f[i].type);
		free(f);
		return rc;
	}
}

int slf_av_to_type(slf_av *n, sl_type **out, bool *nullable, sl_error *err)
{
	size_t i;
	int rc = SL_OK;

	*nullable = false;
	switch (n->kind) {
	case AV_NULL:
		*nullable = true;
		*out = sl_type_null();
		return SL_OK;
	case AV_BOOL:
		*out = sl_type_bool();
		return SL_OK;
	case AV_INT:
	case AV_LONG:
		*out = n->logical ? sl_type_timestamp() : sl_type_int64();
		return SL_OK;
	case AV_FLOAT:
	case AV_DOUBLE:
		*out = sl_type_double();
		return SL_OK;
	case AV_BYTES:
	case AV_FIXED:
		*out = sl_type_binary();
		return SL_OK;
	case AV_STRING:
	case AV_ENUM:
		*out = sl_type_string();
		return SL_OK;
	case AV_UNION:
		return union_type(n, out, nullable, err);
	case AV_ARRAY:
	case AV_MAP: {
		sl_type *e = NULL, *kv = NULL;
		bool en;

		if (n->visiting)
			return sl_error_set(err, SL_EINVAL,
			                    "recursive Avro types are not supported");
		n->visiting = true;
		rc = slf_av_to_type(n->kids[0], &e, &en, err);
		n->visiting = false;
		if (rc < 0)
			return rc;
		if (n->kind == AV_MAP) {
			sl_field kf[2] = {{"key", sl_type_string(), false}, {"value", e, en}};

			kv = sl_type_struct(2, kf);
			sl_type_unref(e);
			if (kv == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
			e = kv;
			en = false;
		}
		*out = sl_type_list(e, en);
		sl_type_unref(e);
		return *out ? SL_OK : sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	case AV_RECORD: {
		sl_field *f;
		size_t made = 0;

		if (n->visiting)
			return sl_error_set(err, SL_EINVAL,
			                    "recursive Avro type '%s' is not supported", n->name);
		f = calloc(n->n + 1, sizeof(*f));
		if (f == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		n->visiting = true;
		for (i = 0; i < n->n && rc == SL_OK; i++) {
			f[i].name = n->names[i];
			rc = slf_av_to_type(n->kids[i], &f[i].type, &f[i].nullable, err);
			if (rc == SL_OK)
				made++;
		}
		n->visiting = false;
		if (rc == SL_OK) {
			*out = sl_type_struct(n->n, f);
			if (*out == NULL)
				rc =
				    sl_error_set(err, SL_EINVAL,
				                 "record '%s' has two fields of one name", n->name);
		}
		for (i = 0; i < made; i++)
			sl_type_unref(f[i].type);
		free(f);
		return rc;
	}
	}
	return sl_error_set(err, SL_EINVAL, "unsupported Avro type");
}

int sl_avro_schema_to_sl(const char *avsc, size_t len, sl_schema **out, sl_error *err)
{
	slf_avschema *s = NULL;
	bool nullable;
	int rc;

	*out = NULL;
	rc = slf_av_parse(avsc, len, &s, err);
	if (rc < 0)
		return rc;
	if (s->root->kind != AV_RECORD) {
		slf_av_free(s);
		return sl_error_at(err, SL_EINVAL, "avroSchema", -1,
		                   "the top-level Avro type must be a record");
	}
	rc = slf_av_to_type(s->root, out, &nullable, err);
	slf_av_free(s);
	return rc;
}

/* ------------------------------------------------------- from sl types */

static bool avro_name_ok(const char *n)
{
	size_t i;

	if (!((n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= 'a' && n[0] <= 'z') || n[0] == '_'))
		return false;
	for (i = 1; n[i]; i++)
		if (!((n[i] >= 'A' && n[i] <= 'Z') || (n[i] >= 'a' && n[i] <= 'z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return false;
	return true;
}

static int type_json(const sl_type *t, const char *name, const char *ns, sl_strbuf *out,
                     sl_error *err, int depth);

static int nullable_json(const sl_type *t, bool nullable, const char *name, const char *ns,
                         sl_strbuf *out, sl_error *err, int depth)
{
	int rc;

	if (!nullable || t->id == SL_TYPE_NULL)
		return type_json(t, name, ns, out, err, depth);
	rc = sl_strbuf_puts(out, "[");
	if (rc == SL_OK)
		rc = type_json(t, name, ns, out, err, depth);
	if (rc == SL_OK)
		rc = sl_strbuf_puts(out, ",\"null\"]");
	return rc;
}

static int type_json(const sl_type *t, const char *name, const char *ns, sl_strbuf *out,
                     sl_error *err, int depth)
{
	size_t i;
	int rc = SL_OK;

	if (depth > SLF_MAX_DEPTH)
		return sl_error_set(err, SL_EINVAL, "type nested too deeply for Avro");
	switch (t->id) {
	case SL_TYPE_NULL:
		return sl_strbuf_puts(out, "\"null\"");
	case SL_TYPE_BOOL:
		return sl_strbuf_puts(out, "\"boolean\"");
	case SL_TYPE_INT64:
		return sl_strbuf_puts(out, "\"long\"");
	case SL_TYPE_DOUBLE:
		return sl_strbuf_puts(out, "\"double\"");
	case SL_TYPE_STRING:
		return sl_strbuf_puts(out, "\"string\"");
	case SL_TYPE_BINARY:
		return sl_strbuf_puts(out, "\"bytes\"");
	case SL_TYPE_TIMESTAMP:
		return sl_strbuf_puts(out,
		                      "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}");
	case SL_TYPE_LIST:
		rc = sl_strbuf_puts(out, "{\"type\":\"array\",\"items\":");
		if (rc == SL_OK)
			rc = nullable_json(t->fields[0].type, t->fields[0].nullable, name, ns, out,
			                   err, depth + 1);
		if (rc == SL_OK)
			rc = sl_strbuf_puts(out, "}");
		return rc;
	case SL_TYPE_STRUCT: {
		sl_strbuf inner = {0};

		if (!avro_name_ok(name))
			return sl_error_set(err, SL_EINVAL, "'%s' is not a valid Avro name", name);
		rc = sl_strbuf_printf(out, "{\"type\":\"record\",\"name\":\"%s\"", name);
		if (rc == SL_OK && ns != NULL && ns[0] != '\0')
			rc = sl_strbuf_printf(out, ",\"namespace\":\"%s\"", ns);
		if (rc == SL_OK)
			rc = sl_strbuf_puts(out, ",\"fields\":[");
		/* nested records live in namespace "ns.name" as Spark's */
		if (rc == SL_OK)
			rc = ns != NULL && ns[0] != '\0'
			         ? sl_strbuf_printf(&inner, "%s.%s", ns, name)
			         : sl_strbuf_puts(&inner, name);
		for (i = 0; i < t->n_fields && rc == SL_OK; i++) {
			const sl_field *f = &t->fields[i];

			if (!avro_name_ok(f->name)) {
				rc = sl_error_set(err, SL_EINVAL,
				                  "column '%s' is not a valid Avro name", f->name);
				break;
			}
			rc = sl_strbuf_printf(out, "%s{\"name\":\"%s\",\"type\":", i ? "," : "",
			                      f->name);
			if (rc == SL_OK)
				rc = nullable_json(f->type, f->nullable, f->name, inner.buf, out,
				                   err, depth + 1);
			if (rc == SL_OK && f->nullable && f->type->id != SL_TYPE_NULL)
				rc = sl_strbuf_puts(out, ",\"default\":null");
			if (rc == SL_OK)
				rc = sl_strbuf_puts(out, "}");
		}
		if (rc == SL_OK)
			rc = sl_strbuf_puts(out, "]}");
		sl_strbuf_free(&inner);
		return rc;
	}
	}
	return sl_error_set(err, SL_EINVAL, "unsupported type for Avro");
}

int sl_schema_to_avro(const sl_schema *schema, const char *name, const char *ns, sl_strbuf *out,
                      sl_error *err)
{
	size_t start = out->len;
	int rc;

	if (schema == NULL || schema->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "an Avro schema needs a struct");
	rc = type_json(schema, name && name[0] ? name : "topLevelRecord", ns, out, err, 0);
	if (rc == SL_ENOMEM)
		sl_error_set(err, rc, "out of memory");
	if (rc < 0) {
		out->len = start;
		if (out->buf)
			out->buf[start] = '\0';
	}
	return rc;
}
