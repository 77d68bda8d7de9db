/* fmt_col.c - growing, truncating and finishing the decoders' column
 * writers.  Buffers come zeroed from sl_buffer_reserve, so a null
 * fixed-width value costs nothing but its validity bit. */
#include <stdlib.h>

#include "fmt_col.h"
#include "../data/data.h"

static size_t values_bytes(sl_type_id id, int64_t rows)
{
	switch (id) {
	case SL_TYPE_BOOL:
		return sl_bitmap_bytes(rows);
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP:
		return (size_t)rows * 8;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
	case SL_TYPE_LIST:
		return (size_t)(rows + 1) * sizeof(int32_t);
	default:
		return 0;
	}
}

int slf_col_init(slf_col *c, sl_type *type)
{
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->type = sl_type_ref(type);
	c->id = type->id;
	if (c->id == SL_TYPE_STRING || c->id == SL_TYPE_BINARY) {
		c->data = sl_buffer_new(256);
		if (c->data == NULL)
			return SL_ENOMEM;
	}
	if (c->id != SL_TYPE_STRUCT && c->id != SL_TYPE_LIST)
		return SL_OK;
	if (type->n_fields > 0) {
		c->kids = calloc(type->n_fields, sizeof(*c->kids));
		if (c->kids == NULL)
			return SL_ENOMEM;
	}
	for (i = 0; i < type->n_fields; i++) {
		c->n_kids = i + 1;
		rc = slf_col_init(&c->kids[i], type->fields[i].type);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

void slf_col_free(slf_col *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_kids; i++)
		slf_col_free(&c->kids[i]);
	free(c->kids);
	sl_buffer_unref(c->valid);
	sl_buffer_unref(c->values);
	sl_buffer_unref(c->data);
	sl_type_unref(c->type);
	memset(c, 0, sizeof(*c));
}

static int reserve(sl_buffer **b, size_t bytes)
{
	if (*b == NULL) {
		*b = sl_buffer_new(bytes);
		return *b ? SL_OK : SL_ENOMEM;
	}
	return sl_buffer_reserve(*b, bytes);
}

int slf_col_grow(slf_col *c, int64_t rows)
{
	int64_t cap = c->cap * 2;
	size_t vb;
	int rc;

	if (cap < rows)
		cap = rows;
	if (cap < c->hint)
		cap = c->hint;
	if (cap < 64)
		cap = 64;
	if (rows > INT32_MAX)
		return SL_EINVAL;
	if (cap > INT32_MAX)
		cap = INT32_MAX;
	vb = values_bytes(c->id, cap);
	if (vb > 0) {
		rc = reserve(&c->values, vb);
		if (rc < 0)
			return rc;
	}
	if (c->valid != NULL) {
		rc = sl_buffer_reserve(c->valid, sl_bitmap_bytes(cap));
		if (rc < 0)
			return rc;
	}
	c->cap = cap;
	return SL_OK;
}

int slf_col_make_valid(slf_col *c)
{
	int64_t cap = c->cap > c->len ? c->cap : c->len + 1;

	if (c->valid != NULL)
		return SL_OK;
	c->valid = sl_buffer_new(sl_bitmap_bytes(cap));
	if (c->valid == NULL)
		return SL_ENOMEM;
	sli_bits_fill(c->valid->data, 0, c->len, true);
	return SL_OK;
}

int slf_col_null(slf_col *c)
{
	size_t i;
	int rc;

	rc = slf_col_room(c);
	if (rc < 0)
		return rc;
	if (c->id != SL_TYPE_NULL) {
		if (c->valid == NULL) {
			rc = slf_col_make_valid(c);
			if (rc < 0)
				return rc;
		}
		sl_bit_clear(c->valid->data, c->len);
	}
	switch (c->id) {
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
	case SL_TYPE_LIST: {
		int32_t *o = (int32_t *)c->values->data;

		o[c->len + 1] = o[c->len];
		break;
	}
	case SL_TYPE_BOOL:
		sl_bit_clear(c->values->data, c->len);
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP:
		((int64_t *)c->values->data)[c->len] = 0;
		break;
	case SL_TYPE_STRUCT:
		for (i = 0; i < c->n_kids; i++) {
			/* a child may already hold (part of) this row: a field
			 * decoded before the struct turned out bad */
			slf_col_truncate(&c->kids[i], c->len);
			rc = slf_col_null(&c->kids[i]);
			if (rc < 0)
				return rc;
		}
		break;
	default:
		break;
	}
	c->len++;
	return SL_OK;
}

void slf_col_truncate(slf_col *c, int64_t rows)
{
	size_t i;

	if (rows >= c->len) {
		/* no whole row to drop, but children may hold the start of an
		 * unfinished one */
		if (c->id == SL_TYPE_LIST && c->values != NULL)
			slf_col_truncate(&c->kids[0], ((int32_t *)c->values->data)[c->len]);
		else if (c->id == SL_TYPE_LIST)
			slf_col_truncate(&c->kids[0], 0);
		if (c->id != SL_TYPE_STRUCT)
			return;
	}
	if (rows < c->len) {
		if (c->id == SL_TYPE_STRING || c->id == SL_TYPE_BINARY)
			c->data->len = (size_t)((int32_t *)c->values->data)[rows];
		else if (c->id == SL_TYPE_LIST)
			slf_col_truncate(&c->kids[0], ((int32_t *)c->values->data)[rows]);
		c->len = rows;
	}
	if (c->id == SL_TYPE_STRUCT)
		for (i = 0; i < c->n_kids; i++)
			slf_col_truncate(&c->kids[i], rows);
}

sl_array *slf_col_finish(slf_col *c)
{
	sl_array *stack[16], **kids = stack, *a = NULL;
	sl_buffer *values = NULL, *valid = NULL, *data = NULL;
	size_t i, made = 0;
	bool ok = true;

	if (c->n_kids > 16) {
		kids = malloc(c->n_kids * sizeof(*kids));
		if (kids == NULL)
			return NULL;
	}
	for (; made < c->n_kids; made++) {
		if (c->id == SL_TYPE_STRUCT && c->kids[made].len != c->len)
			ok = false; /* the decoders keep children in step */
		kids[made] = slf_col_finish(&c->kids[made]);
		if (kids[made] == NULL)
			ok = false;
	}
	if (!ok)
		goto out;
	if (c->id != SL_TYPE_NULL && c->id != SL_TYPE_STRUCT) {
		if (c->values == NULL && slf_col_grow(c, 1) < 0)
			goto out;
		values = c->values;
		c->values = NULL;
		values->len = values_bytes(c->id, c->len);
	}
	if (c->id == SL_TYPE_STRING || c->id == SL_TYPE_BINARY) {
		data = c->data;
		c->data = sl_buffer_new(data->len > 256 ? data->len : 256);
		if (c->data == NULL) {
			c->data = data;
			sl_buffer_unref(values);
			goto out;
		}
	}
	if (c->valid != NULL) {
		valid = c->valid;
		c->valid = NULL;
		valid->len = sl_bitmap_bytes(c->len);
	}
	a = sl_array_new(c->type, c->len, -1, valid, values, data, made, kids);
	made = 0; /* taken over, also on failure */
out:
	for (i = 0; i < made; i++)
		sl_array_unref(kids[i]);
	if (kids != stack)
		free(kids);
	if (c->len > c->hint)
		c->hint = c->len;
	sl_buffer_unref(c->valid);
	sl_buffer_unref(c->values);
	c->valid = c->values = NULL;
	if (c->data)
		c->data->len = 0;
	c->len = 0;
	c->cap = 0;
	return a;
}
