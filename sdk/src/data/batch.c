/* batch.c - record batches. */
#include <stdlib.h>
#include <string.h>

#include "data.h"

static void unref_columns(sl_array **columns, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sl_array_unref(columns[i]);
}

sl_batch *sl_batch_new(sl_schema *schema, int64_t n_rows, sl_array **columns)
{
	sl_batch *b = NULL;
	size_t i, n;

	if (schema == NULL || schema->id != SL_TYPE_STRUCT)
		return NULL; /* nothing to take over: the column count is unknown */
	n = schema->n_fields;
	if (n_rows < 0 || (n > 0 && columns == NULL))
		goto fail;
	for (i = 0; i < n; i++) {
		if (columns[i] == NULL || columns[i]->length != n_rows ||
		    !sl_type_equal(columns[i]->type, schema->fields[i].type))
			goto fail;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		goto fail;
	if (n > 0) {
		b->columns = malloc(n * sizeof(*b->columns));
		if (b->columns == NULL)
			goto fail;
		memcpy(b->columns, columns, n * sizeof(*b->columns));
	}
	b->schema = sl_type_ref(schema);
	b->n_rows = n_rows;
	b->refcount = 1;
	return b;
fail:
	free(b);
	if (columns != NULL)
		unref_columns(columns, n);
	return NULL;
}

sl_batch *sl_batch_ref(sl_batch *b)
{
	if (b != NULL)
		__atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
	return b;
}

void sl_batch_unref(sl_batch *b)
{
	if (b == NULL)
		return;
	if (__atomic_sub_fetch(&b->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	unref_columns(b->columns, b->schema->n_fields);
	free(b->columns);
	sl_type_unref(b->schema);
	free(b);
}

/* Applies take (idx != NULL) or slice to every column. */
static sl_batch *derive(const sl_batch *b, const int32_t *idx, int64_t start, int64_t n)
{
	sl_array *stack[32], **cols = stack;
	size_t i, made = 0, nf;
	sl_batch *r = NULL;

	if (b == NULL || n < 0)
		return NULL;
	nf = b->schema->n_fields;
	if (nf > 32) {
		cols = malloc(nf * sizeof(*cols));
		if (cols == NULL)
			return NULL;
	}
	for (; made < nf; made++) {
		cols[made] = idx ? sl_array_take(b->columns[made], idx, n)
		                 : sl_array_slice(b->columns[made], start, n);
		if (cols[made] == NULL)
			goto fail;
	}
	r = sl_batch_new(b->schema, n, cols); /* takes the columns */
	made = 0;
fail:
	for (i = 0; i < made; i++)
		sl_array_unref(cols[i]);
	if (cols != stack)
		free(cols);
	return r;
}

sl_batch *sl_batch_take(const sl_batch *b, const int32_t *idx, int64_t n)
{
	static const int32_t none[1];

	if (n > 0 && idx == NULL)
		return NULL;
	return derive(b, idx ? idx : none, 0, n);
}

sl_batch *sl_batch_slice(const sl_batch *b, int64_t start, int64_t n)
{
	if (b == NULL || start < 0 || n < 0 || start > b->n_rows || n > b->n_rows - start)
		return NULL;
	return derive(b, NULL, start, n);
}

const sl_array *sl_batch_column(const sl_batch *b, const char *name)
{
	int i;

	if (b == NULL)
		return NULL;
	i = sl_schema_find(b->schema, name);
	return i < 0 ? NULL : b->columns[i];
}

int sl_batch_validate(const sl_batch *b, sl_error *err)
{
	size_t i;
	int rc;

	if (b == NULL)
		return sl_error_set(err, SL_EINVAL, "batch is NULL");
	if (b->schema == NULL || b->schema->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "batch schema is not a struct type");
	if (b->n_rows < 0)
		return sl_error_set(err, SL_EINVAL, "batch has a negative row count");
	for (i = 0; i < b->schema->n_fields; i++) {
		const sl_array *c = b->columns[i];
		const char *name = b->schema->fields[i].name;

		if (c == NULL)
			return sl_error_set(err, SL_EINVAL, "column '%s' is NULL", name);
		if (c->length != b->n_rows)
			return sl_error_set(err, SL_EINVAL,
			                    "column '%s' has %lld rows, the batch %lld", name,
			                    (long long)c->length, (long long)b->n_rows);
		if (!sl_type_equal(c->type, b->schema->fields[i].type))
			return sl_error_set(err, SL_EINVAL,
			                    "column '%s' does not have its field's type", name);
		rc = sl_array_validate(c, err);
		if (rc < 0) {
			sl_error_prefix(err, "column '%s'", name);
			return rc;
		}
	}
	return SL_OK;
}

size_t sl_batch_nbytes(const sl_batch *b)
{
	size_t n = 0, i;

	if (b == NULL)
		return 0;
	for (i = 0; i < b->schema->n_fields; i++)
		n += sl_array_nbytes(b->columns[i]);
	return n;
}
