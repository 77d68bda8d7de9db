/* type_parse.c - Spark-DDL-like type and schema strings:
 *   type   := STRING | BIGINT | ... | STRUCT<field, ...> | ARRAY<type>
 *   field  := name [:] type [NOT NULL] [COMMENT 'text']
 *   schema := field, ...   (or a whole STRUCT<...>)
 * Names are identifiers or `backquoted` (`` inside is one backquote). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data.h"

#define MAX_DEPTH 64

struct parser {
	const char *text;
	const char *p;
	sl_error *err;
	int depth;
};

/* The growing field list of a STRUCT or schema. */
struct fields {
	sl_field *v;
	int *pos; /* where each name started, for duplicate errors */
	size_t n, cap;
};

static const struct {
	const char *name;
	sl_type_id id;
} type_names[] = {
    {"STRING", SL_TYPE_STRING},
    {"VARCHAR", SL_TYPE_STRING},
    {"CHAR", SL_TYPE_STRING},
    {"BIGINT", SL_TYPE_INT64},
    {"INT", SL_TYPE_INT64},
    {"INTEGER", SL_TYPE_INT64},
    {"LONG", SL_TYPE_INT64},
    {"SMALLINT", SL_TYPE_INT64},
    {"SHORT", SL_TYPE_INT64},
    {"TINYINT", SL_TYPE_INT64},
    {"BYTE", SL_TYPE_INT64},
    {"DOUBLE", SL_TYPE_DOUBLE},
    {"FLOAT", SL_TYPE_DOUBLE},
    {"REAL", SL_TYPE_DOUBLE},
    {"BOOLEAN", SL_TYPE_BOOL},
    {"BOOL", SL_TYPE_BOOL},
    {"TIMESTAMP", SL_TYPE_TIMESTAMP},
    {"TIMESTAMP_LTZ", SL_TYPE_TIMESTAMP},
    {"TIMESTAMP_NTZ", SL_TYPE_TIMESTAMP},
    {"BINARY", SL_TYPE_BINARY},
    {"VOID", SL_TYPE_NULL},
    {"NULL", SL_TYPE_NULL},
    {"STRUCT", SL_TYPE_STRUCT},
    {"ARRAY", SL_TYPE_LIST},
};
#define N_TYPE_NAMES (sizeof(type_names) / sizeof(type_names[0]))

static int pos_of(const struct parser *ps, const char *at)
{
	return (int)(at - ps->text);
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Length of the plain identifier at p (0 if none). */
static size_t ident_len(const char *p)
{
	size_t n = 0;

	if (!is_ident_start(p[0]))
		return 0;
	while (is_ident_char(p[n]))
		n++;
	return n;
}

static bool keyword_at(const char *p, const char *kw)
{
	size_t n = ident_len(p);

	return n == strlen(kw) && strncasecmp(p, kw, n) == 0;
}

/* Fails with "expected X, got 'token'" at the current position. */
static int expected(struct parser *ps, const char *what)
{
	const char *p = ps->p;
	size_t n;

	if (*p == '\0')
		return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, p),
		                   "expected %s, got end of input", what);
	n = ident_len(p);
	if (n == 0)
		n = 1;
	return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, p), "expected %s, got '%.*s'", what,
	                   (int)n, p);
}

static bool accept(struct parser *ps, char c)
{
	skip_ws(ps);
	if (*ps->p != c)
		return false;
	ps->p++;
	return true;
}

/* A field name: identifier or backquoted.  *out is malloc'ed. */
static int parse_name(struct parser *ps, char **out)
{
	const char *start;
	size_t n;
	char *name, *w;

	skip_ws(ps);
	start = ps->p;
	if (*start == '`') {
		const char *p = start + 1;

		n = 0;
		for (;;) {
			if (*p == '\0')
				return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
				                   "unterminated backquoted name");
			if (*p == '`') {
				if (p[1] != '`')
					break;
				p++;
			}
			p++;
			n++;
		}
		name = malloc(n + 1);
		if (name == NULL)
			return sl_error_set(ps->err, SL_ENOMEM, "out of memory");
		w = name;
		for (p = start + 1; !(*p == '`' && p[1] != '`'); p++) {
			if (*p == '`')
				p++;
			*w++ = *p;
		}
		*w = '\0';
		ps->p = p + 1;
		if (n == 0) {
			free(name);
			return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
			                   "empty field name");
		}
		*out = name;
		return SL_OK;
	}
	n = ident_len(start);
	if (n == 0)
		return expected(ps, "a field name");
	name = strndup(start, n);
	if (name == NULL)
		return sl_error_set(ps->err, SL_ENOMEM, "out of memory");
	ps->p = start + n;
	*out = name;
	return SL_OK;
}

static void fields_free(struct fields *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		sl_type_unref(f->v[i].type);
	}
	free(f->v);
	free(f->pos);
}

static int parse_type(struct parser *ps, sl_type **out);

/* name [:] type [NOT NULL] [COMMENT 'text'], appended to f. */
static int parse_field(struct parser *ps, struct fields *f)
{
	sl_field fld = {NULL, NULL, true};
	int name_pos, rc;
	size_t i;

	skip_ws(ps);
	name_pos = pos_of(ps, ps->p);
	rc = parse_name(ps, &fld.name);
	if (rc < 0)
		goto fail;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, fld.name) == 0) {
			rc = sl_error_at(ps->err, SL_EINVAL, NULL, name_pos,
			                 "duplicate field name '%s'", fld.name);
			goto fail;
		}
	}
	accept(ps, ':');
	rc = parse_type(ps, &fld.type);
	if (rc < 0)
		goto fail;
	skip_ws(ps);
	if (keyword_at(ps->p, "NOT")) {
		ps->p += 3;
		skip_ws(ps);
		if (!keyword_at(ps->p, "NULL")) {
			rc = expected(ps, "NULL after NOT");
			goto fail;
		}
		ps->p += 4;
		fld.nullable = false;
		skip_ws(ps);
	}
	if (keyword_at(ps->p, "COMMENT")) {
		ps->p += 7;
		skip_ws(ps);
		if (*ps->p != '\'' && *ps->p != '"') {
			rc = expected(ps, "a quoted comment");
			goto fail;
		}
		{
			char q = *ps->p;
			const char *start = ps->p;

			for (ps->p++; *ps->p && *ps->p != q; ps->p++)
				if (*ps->p == '\\' && ps->p[1])
					ps->p++;
			if (*ps->p != q) {
				rc = sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
				                 "unterminated comment string");
				goto fail;
			}
			ps->p++;
		}
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		sl_field *v = realloc(f->v, cap * sizeof(*v));
		int *pos;

		if (v == NULL) {
			rc = sl_error_set(ps->err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		f->v = v;
		pos = realloc(f->pos, cap * sizeof(*pos));
		if (pos == NULL) {
			rc = sl_error_set(ps->err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		f->pos = pos;
		f->cap = cap;
	}
	f->v[f->n] = fld;
	f->pos[f->n] = name_pos;
	f->n++;
	return SL_OK;
fail:
	free(fld.name);
	sl_type_unref(fld.type);
	return rc;
}

/* Fields separated by commas, up to `close` ('>' or '\0'). */
static int parse_fields(struct parser *ps, char close, sl_type **out)
{
	struct fields f = {0};
	int rc;

	skip_ws(ps);
	if (*ps->p != close) {
		for (;;) {
			rc = parse_field(ps, &f);
			if (rc < 0)
				goto fail;
			if (!accept(ps, ','))
				break;
		}
	}
	skip_ws(ps);
	if (*ps->p != close) {
		rc = expected(ps, close == '>' ? "',' or '>'" : "',' or the end of the schema");
		goto fail;
	}
	if (close)
		ps->p++;
	*out = sl_type_struct(f.n, f.v);
	if (*out == NULL) {
		rc = sl_error_set(ps->err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	fields_free(&f);
	return SL_OK;
fail:
	fields_free(&f);
	return rc;
}

static int parse_type(struct parser *ps, sl_type **out)
{
	const char *start;
	const char *names[N_TYPE_NAMES];
	const char *hint;
	sl_type *elem = NULL;
	size_t n, i;
	int rc;

	skip_ws(ps);
	start = ps->p;
	n = ident_len(start);
	if (n == 0)
		return expected(ps, "a type");
	for (i = 0; i < N_TYPE_NAMES; i++)
		if (strlen(type_names[i].name) == n &&
		    strncasecmp(type_names[i].name, start, n) == 0)
			break;
	if (i == N_TYPE_NAMES) {
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), start);
		if (!strcasecmp(word, "MAP") || !strcasecmp(word, "DECIMAL") ||
		    !strcasecmp(word, "DATE") || !strcasecmp(word, "INTERVAL"))
			return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
			                   "unsupported type '%s'", word);
		for (i = 0; i < N_TYPE_NAMES; i++)
			names[i] = type_names[i].name;
		hint = sl_did_you_mean(word, names, N_TYPE_NAMES);
		if (hint)
			return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
			                   "unknown type '%s' (did you mean '%s'?)", word, hint);
		return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start), "unknown type '%s'",
		                   word);
	}
	ps->p = start + n;
	switch (type_names[i].id) {
	case SL_TYPE_STRUCT:
	case SL_TYPE_LIST:
		if (ps->depth >= MAX_DEPTH)
			return sl_error_at(ps->err, SL_EINVAL, NULL, pos_of(ps, start),
			                   "type nested too deeply");
		if (!accept(ps, '<'))
			return expected(ps, "'<'");
		ps->depth++;
		if (type_names[i].id == SL_TYPE_STRUCT) {
			rc = parse_fields(ps, '>', out);
			ps->depth--;
			return rc;
		}
		rc = parse_type(ps, &elem);
		ps->depth--;
		if (rc < 0)
			return rc;
		if (!accept(ps, '>')) {
			sl_type_unref(elem);
			return expected(ps, "'>'");
		}
		*out = sl_type_list(elem, true);
		sl_type_unref(elem);
		if (*out == NULL)
			return sl_error_set(ps->err, SL_ENOMEM, "out of memory");
		return SL_OK;
	case SL_TYPE_STRING:
		/* VARCHAR(n), CHAR(n) */
		skip_ws(ps);
		if (*ps->p == '(') {
			ps->p++;
			skip_ws(ps);
			if (!isdigit((unsigned char)*ps->p))
				return expected(ps, "a length");
			while (isdigit((unsigned char)*ps->p))
				ps->p++;
			if (!accept(ps, ')'))
				return expected(ps, "')'");
		}
		break;
	default:
		break;
	}
	*out = sl_type_prim(type_names[i].id);
	return SL_OK;
}

static int at_end(struct parser *ps, sl_type **out)
{
	skip_ws(ps);
	if (*ps->p == '\0')
		return SL_OK;
	sl_type_unref(*out);
	*out = NULL;
	return expected(ps, "the end of the type");
}

int sl_type_parse(const char *text, sl_type **out, sl_error *err)
{
	struct parser ps = {text, text, err, 0};
	sl_type *t = NULL;
	int rc;

	*out = NULL;
	if (text == NULL)
		return sl_error_set(err, SL_EINVAL, "no type given");
	rc = parse_type(&ps, &t);
	if (rc < 0)
		return rc;
	rc = at_end(&ps, &t);
	if (rc < 0)
		return rc;
	*out = t;
	return SL_OK;
}

int sl_schema_parse(const char *text, sl_schema **out, sl_error *err)
{
	struct parser ps = {text, text, err, 0};
	sl_type *t = NULL;
	const char *after;
	int rc;

	*out = NULL;
	if (text == NULL)
		return sl_error_set(err, SL_EINVAL, "no schema given");
	skip_ws(&ps);
	/* a whole STRUCT<...> is a schema too */
	after = ps.p + ident_len(ps.p);
	while (isspace((unsigned char)*after))
		after++;
	if (keyword_at(ps.p, "STRUCT") && *after == '<') {
		rc = parse_type(&ps, &t);
		if (rc == SL_OK)
			rc = at_end(&ps, &t);
	} else {
		rc = parse_fields(&ps, '\0', &t);
	}
	if (rc < 0)
		return rc;
	*out = t;
	return SL_OK;
}
