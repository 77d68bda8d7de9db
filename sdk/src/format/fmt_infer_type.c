/* fmt_infer_type.c - what the JSON and CSV inferrers share: inferred types
 * and their merging, as Spark's JsonInferSchema.compatibleType (equal
 * types stay, null gives way to anything, BIGINT and DOUBLE widen to
 * DOUBLE, structs merge their fields (sorted by name), arrays their
 * elements, and anything else becomes STRING), and the sample
 * (samplingRatio, inferSchemaMaxRecords). */
#include <string.h>

#include "fmt_infer.h"

slf_ity *slf_ity_new(slf_ity_kind kind)
{
	slf_ity *t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->kind = kind;
	return t;
}

void slf_ity_free(slf_ity *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		if (t->names)
			free(t->names[i]);
		slf_ity_free(t->kids[i]);
	}
	free(t->names);
	free(t->kids);
	free(t);
}

/* Index where name is or would go (binary search); *found. */
static size_t field_pos(const slf_ity *st, const char *name, size_t len, bool *found)
{
	size_t lo = 0, hi = st->n;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *m = st->names[mid];
		int c = strncmp(m, name, len);

		if (c == 0 && m[len] != '\0')
			c = 1;
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

slf_ity **slf_ity_field(slf_ity *st, const char *name, size_t len)
{
	bool found;
	size_t at = field_pos(st, name, len, &found);
	char *nm;

	if (found)
		return &st->kids[at];
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		char **names = realloc(st->names, cap * sizeof(*names));
		slf_ity **kids;

		if (names == NULL)
			return NULL;
		st->names = names;
		kids = realloc(st->kids, cap * sizeof(*kids));
		if (kids == NULL)
			return NULL;
		st->kids = kids;
		st->cap = cap;
	}
	nm = strndup(name, len);
	if (nm == NULL)
		return NULL;
	memmove(st->names + at + 1, st->names + at, (st->n - at) * sizeof(*st->names));
	memmove(st->kids + at + 1, st->kids + at, (st->n - at) * sizeof(*st->kids));
	st->names[at] = nm;
	st->kids[at] = slf_ity_new(ITY_NULL);
	st->n++;
	if (st->kids[at] == NULL)
		return NULL;
	return &st->kids[at];
}

static void make_string(slf_ity *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->names)
			free(t->names[i]);
		slf_ity_free(t->kids[i]);
	}
	free(t->names);
	free(t->kids);
	t->names = NULL;
	t->kids = NULL;
	t->n = t->cap = 0;
	t->kind = ITY_STRING;
}

int slf_ity_merge(slf_ity **pa, slf_ity *b)
{
	slf_ity *a = *pa;
	size_t i;
	int rc;

	if (b == NULL)
		return SL_ENOMEM;
	if (b->kind == ITY_NULL) {
		slf_ity_free(b);
		return SL_OK;
	}
	if (a->kind == ITY_NULL) {
		slf_ity_free(a);
		*pa = b;
		return SL_OK;
	}
	if (a->kind == ITY_STRUCT && b->kind == ITY_STRUCT) {
		for (i = 0; i < b->n; i++) {
			slf_ity **f = slf_ity_field(a, b->names[i], strlen(b->names[i]));

			if (f == NULL)
				return SL_ENOMEM;
			rc = slf_ity_merge(f, b->kids[i]);
			b->kids[i] = NULL;
			if (rc < 0)
				return rc;
		}
		for (i = 0; i < b->n; i++)
			free(b->names[i]);
		b->n = 0;
		slf_ity_free(b);
		return SL_OK;
	}
	if (a->kind == ITY_ARRAY && b->kind == ITY_ARRAY) {
		rc = slf_ity_merge(&a->kids[0], b->kids[0]);
		b->kids[0] = NULL;
		slf_ity_free(b);
		return rc;
	}
	if (a->kind != b->kind) {
		if ((a->kind == ITY_LONG || a->kind == ITY_DOUBLE) &&
		    (b->kind == ITY_LONG || b->kind == ITY_DOUBLE))
			a->kind = ITY_DOUBLE;
		else
			make_string(a);
	}
	slf_ity_free(b);
	return SL_OK;
}

sl_type *slf_ity_to_type(const slf_ity *t, bool drop)
{
	switch (t->kind) {
	case ITY_NULL:
	case ITY_STRING:
		return sl_type_string();
	case ITY_LONG:
		return sl_type_int64();
	case ITY_DOUBLE:
		return sl_type_double();
	case ITY_TS:
		return sl_type_timestamp();
	case ITY_BOOL:
		return sl_type_bool();
	case ITY_ARRAY: {
		sl_type *e = slf_ity_to_type(t->kids[0], drop), *l;

		if (e == NULL)
			return NULL;
		l = sl_type_list(e, true);
		sl_type_unref(e);
		return l;
	}
	case ITY_STRUCT: {
		sl_field *f = calloc(t->n + 1, sizeof(*f));
		sl_type *st = NULL;
		size_t i, m = 0;
		bool ok = f != NULL;

		for (i = 0; ok && i < t->n; i++) {
			if (drop && t->kids[i]->kind == ITY_NULL)
				continue;
			f[m].name = t->names[i];
			f[m].nullable = true;
			f[m].type = slf_ity_to_type(t->kids[i], drop);
			if (f[m].type == NULL)
				ok = false;
			else
				m++;
		}
		if (ok)
			st = sl_type_struct(m, f);
		for (i = 0; i < m; i++)
			sl_type_unref(f[i].type);
		free(f);
		return st;
	}
	}
	return NULL;
}

bool sl_inferrer_full(const sl_inferrer *inf)
{
	return inf->opts.o.infer_max_records > 0 && inf->sampled >= inf->opts.o.infer_max_records;
}

bool slf_infer_take(sl_inferrer *inf)
{
	inf->records++;
	if (sl_inferrer_full(inf))
		return false;
	inf->acc += inf->opts.o.sampling_ratio;
	if (inf->acc < 1.0)
		return false;
	inf->acc -= 1.0;
	inf->sampled++;
	return true;
}
