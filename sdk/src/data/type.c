/* type.c - data types: primitive singletons, struct and list types,
 * equality, DDL formatting, schema lookup. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data.h"

static sl_type prims[] = {
    {SL_TYPE_NULL, -1, 0, NULL},      {SL_TYPE_BOOL, -1, 0, NULL},   {SL_TYPE_INT64, -1, 0, NULL},
    {SL_TYPE_DOUBLE, -1, 0, NULL},    {SL_TYPE_STRING, -1, 0, NULL}, {SL_TYPE_BINARY, -1, 0, NULL},
    {SL_TYPE_TIMESTAMP, -1, 0, NULL},
};

sl_type *sl_type_prim(sl_type_id id)
{
	if ((unsigned)id >= sizeof(prims) / sizeof(prims[0]))
		return &prims[SL_TYPE_NULL];
	return &prims[id];
}

sl_type *sl_type_ref(const sl_type *ct)
{
	sl_type *t = (sl_type *)ct; /* the count is not part of the value */

	if (t != NULL && t->refcount >= 0)
		__atomic_add_fetch(&t->refcount, 1, __ATOMIC_RELAXED);
	return t;
}

static void type_free(sl_type *t)
{
	size_t i;

	for (i = 0; i < t->n_fields; i++) {
		free(t->fields[i].name);
		sl_type_unref(t->fields[i].type);
	}
	free(t->fields);
	free(t);
}

void sl_type_unref(sl_type *t)
{
	if (t == NULL || t->refcount < 0)
		return;
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		type_free(t);
}

sl_type *sl_type_struct(size_t n, const sl_field *fields)
{
	sl_type *t;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (fields[i].name == NULL || fields[i].type == NULL)
			return NULL;
		for (j = 0; j < i; j++)
			if (strcmp(fields[i].name, fields[j].name) == 0)
				return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->id = SL_TYPE_STRUCT;
	t->refcount = 1;
	if (n > 0) {
		t->fields = calloc(n, sizeof(*t->fields));
		if (t->fields == NULL)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		t->fields[i].name = strdup(fields[i].name);
		if (t->fields[i].name == NULL)
			goto fail;
		t->fields[i].type = sl_type_ref(fields[i].type);
		t->fields[i].nullable = fields[i].nullable;
		t->n_fields = i + 1;
	}
	return t;
fail:
	type_free(t);
	return NULL;
}

sl_type *sl_type_list(sl_type *elem, bool elem_nullable)
{
	sl_type *t;

	if (elem == NULL)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->id = SL_TYPE_LIST;
	t->refcount = 1;
	t->fields = calloc(1, sizeof(*t->fields));
	if (t->fields == NULL)
		goto fail;
	t->fields[0].name = strdup("element");
	if (t->fields[0].name == NULL)
		goto fail;
	t->fields[0].type = sl_type_ref(elem);
	t->fields[0].nullable = elem_nullable;
	t->n_fields = 1;
	return t;
fail:
	free(t->fields);
	free(t);
	return NULL;
}

/* Equality ignores nullability (the DDL form does not carry it, and a
 * column is accepted by a nullable or non-nullable field alike); struct
 * field names must match exactly. */
bool sl_type_equal(const sl_type *a, const sl_type *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a == NULL || b == NULL || a->id != b->id)
		return false;
	if (a->id != SL_TYPE_STRUCT && a->id != SL_TYPE_LIST)
		return true;
	if (a->n_fields != b->n_fields)
		return false;
	for (i = 0; i < a->n_fields; i++) {
		if (a->id == SL_TYPE_STRUCT && strcmp(a->fields[i].name, b->fields[i].name) != 0)
			return false;
		if (!sl_type_equal(a->fields[i].type, b->fields[i].type))
			return false;
	}
	return true;
}

bool sl_type_is_numeric(const sl_type *t)
{
	return t != NULL && (t->id == SL_TYPE_INT64 || t->id == SL_TYPE_DOUBLE);
}

const char *sl_type_id_name(sl_type_id id)
{
	switch (id) {
	case SL_TYPE_NULL:
		return "VOID";
	case SL_TYPE_BOOL:
		return "BOOLEAN";
	case SL_TYPE_INT64:
		return "BIGINT";
	case SL_TYPE_DOUBLE:
		return "DOUBLE";
	case SL_TYPE_STRING:
		return "STRING";
	case SL_TYPE_BINARY:
		return "BINARY";
	case SL_TYPE_TIMESTAMP:
		return "TIMESTAMP";
	case SL_TYPE_STRUCT:
		return "STRUCT";
	case SL_TYPE_LIST:
		return "ARRAY";
	}
	return "UNKNOWN";
}

/* A field name as DDL: plain when it is an identifier, else `quoted` with
 * backquotes doubled. */
static int format_name(const char *name, sl_strbuf *sb)
{
	const char *p;
	bool plain = name[0] != '\0' && !isdigit((unsigned char)name[0]);
	int rc;

	for (p = name; *p && plain; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = false;
	if (plain)
		return sl_strbuf_puts(sb, name);
	rc = sl_strbuf_append(sb, "`", 1);
	for (p = name; *p && rc == SL_OK; p++)
		rc = *p == '`' ? sl_strbuf_append(sb, "``", 2) : sl_strbuf_append(sb, p, 1);
	if (rc == SL_OK)
		rc = sl_strbuf_append(sb, "`", 1);
	return rc;
}

int sl_type_format(const sl_type *t, sl_strbuf *sb)
{
	size_t i;
	int rc;

	if (t == NULL)
		return sl_strbuf_puts(sb, "NULL");
	if (t->id == SL_TYPE_LIST) {
		rc = sl_strbuf_puts(sb, "ARRAY<");
		if (rc == SL_OK)
			rc = sl_type_format(t->fields[0].type, sb);
		if (rc == SL_OK)
			rc = sl_strbuf_append(sb, ">", 1);
		return rc;
	}
	if (t->id != SL_TYPE_STRUCT)
		return sl_strbuf_puts(sb, sl_type_id_name(t->id));
	rc = sl_strbuf_puts(sb, "STRUCT<");
	for (i = 0; i < t->n_fields && rc == SL_OK; i++) {
		if (i > 0)
			rc = sl_strbuf_append(sb, ", ", 2);
		if (rc == SL_OK)
			rc = format_name(t->fields[i].name, sb);
		if (rc == SL_OK)
			rc = sl_strbuf_append(sb, ": ", 2);
		if (rc == SL_OK)
			rc = sl_type_format(t->fields[i].type, sb);
		if (rc == SL_OK && !t->fields[i].nullable)
			rc = sl_strbuf_puts(sb, " NOT NULL");
	}
	if (rc == SL_OK)
		rc = sl_strbuf_append(sb, ">", 1);
	return rc;
}

int sl_schema_findn(const sl_schema *s, const char *name, size_t len)
{
	size_t i;

	if (s == NULL || name == NULL || s->id != SL_TYPE_STRUCT)
		return -1;
	for (i = 0; i < s->n_fields; i++)
		if (strncmp(s->fields[i].name, name, len) == 0 && s->fields[i].name[len] == '\0')
			return (int)i;
	for (i = 0; i < s->n_fields; i++)
		if (strncasecmp(s->fields[i].name, name, len) == 0 &&
		    s->fields[i].name[len] == '\0')
			return (int)i;
	return -1;
}

int sl_schema_find(const sl_schema *s, const char *name)
{
	if (name == NULL)
		return -1;
	return sl_schema_findn(s, name, strlen(name));
}

const char *sl_schema_suggest(const sl_schema *s, const char *name)
{
	const char *stack[32];
	const char **names = stack;
	const char *best = NULL;
	size_t i;

	if (s == NULL || name == NULL || s->id != SL_TYPE_STRUCT || s->n_fields == 0)
		return NULL;
	if (s->n_fields > 32) {
		names = malloc(s->n_fields * sizeof(*names));
		if (names == NULL)
			return NULL;
	}
	for (i = 0; i < s->n_fields; i++)
		names[i] = s->fields[i].name;
	best = sl_did_you_mean(name, names, s->n_fields);
	if (names != stack)
		free(names);
	return best;
}

int sl_fields_find_duplicate(const sl_field *fields, size_t n, bool ignore_case)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if ((ignore_case ? strcasecmp(fields[i].name, fields[j].name)
			                 : strcmp(fields[i].name, fields[j].name)) == 0)
				return (int)i;
	return -1;
}
