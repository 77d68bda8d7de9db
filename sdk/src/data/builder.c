/* builder.c - value-by-value array and batch builders.
 *
 * Buffers grow geometrically and come zeroed from sl_buffer_reserve, so a
 * null fixed-width value, an unset bool and the first offset cost nothing.
 * The validity bitmap is created at the first null only. */
#include <stdlib.h>
#include <string.h>

#include "data.h"

struct sl_builder {
	sl_type *type; /* reference held */
	sl_type_id id;
	int64_t length;
	int64_t cap; /* rows the buffers can hold */
	int64_t null_count;
	int64_t hint;        /* rows to allocate for at the first append */
	sl_buffer *validity; /* NULL until the first null */
	sl_buffer *values;
	sl_buffer *data; /* string, binary: the bytes; data->len is in use */
	size_t n_children;
	sl_builder **children;
	bool list_open;
	/* a source type found equal to `type` by append_from (reference held),
	 * so the per-row check is a pointer comparison */
	sl_type *src_type_ok;
};

struct sl_batch_builder {
	sl_schema *schema; /* reference held */
	size_t n;
	sl_builder **cols;
};

/* Bytes of the values buffer for rows rows. */
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

static int ensure_buffer(sl_buffer **b, size_t bytes)
{
	if (*b == NULL) {
		*b = sl_buffer_new(bytes);
		return *b ? SL_OK : SL_ENOMEM;
	}
	return sl_buffer_reserve(*b, bytes);
}

/* Makes room for at least `rows` rows. */
static int grow(sl_builder *b, int64_t rows)
{
	int64_t cap = b->cap * 2;
	size_t vb;
	int rc;

	if (cap < rows)
		cap = rows;
	if (cap < b->hint)
		cap = b->hint;
	if (cap < 16)
		cap = 16;
	if (cap > INT32_MAX)
		cap = rows > INT32_MAX ? rows : INT32_MAX;
	vb = values_bytes(b->id, cap);
	if (vb > 0) {
		rc = ensure_buffer(&b->values, vb);
		if (rc < 0)
			return rc;
	}
	if (b->validity != NULL) {
		rc = sl_buffer_reserve(b->validity, sl_bitmap_bytes(cap));
		if (rc < 0)
			return rc;
	}
	if ((b->id == SL_TYPE_STRING || b->id == SL_TYPE_BINARY) && b->data == NULL) {
		b->data = sl_buffer_new((size_t)cap * 8);
		if (b->data == NULL)
			return SL_ENOMEM;
	}
	b->cap = cap;
	return SL_OK;
}

#define ENSURE_ROOM(b)                                                                             \
	do {                                                                                       \
		if (SL_UNLIKELY((b)->length >= (b)->cap)) {                                        \
			int rc_ = grow((b), (b)->length + 1);                                      \
			if (rc_ < 0)                                                               \
				return rc_;                                                        \
		}                                                                                  \
	} while (0)

static inline void mark_valid(sl_builder *b)
{
	if (b->validity != NULL)
		sl_bit_set(b->validity->data, b->length);
}

sl_builder *sl_builder_new(sl_type *type, int64_t capacity_hint)
{
	sl_builder *b;
	size_t i;

	if (type == NULL)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->type = sl_type_ref(type);
	b->id = type->id;
	b->hint = capacity_hint > 0 ? capacity_hint : 0;
	if (b->id == SL_TYPE_STRUCT || b->id == SL_TYPE_LIST) {
		if (type->n_fields > 0) {
			b->children = calloc(type->n_fields, sizeof(*b->children));
			if (b->children == NULL)
				goto fail;
		}
		for (i = 0; i < type->n_fields; i++) {
			b->children[i] = sl_builder_new(type->fields[i].type, b->hint);
			if (b->children[i] == NULL)
				goto fail;
			b->n_children = i + 1;
		}
	}
	return b;
fail:
	sl_builder_free(b);
	return NULL;
}

void sl_builder_free(sl_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n_children; i++)
		sl_builder_free(b->children[i]);
	free(b->children);
	sl_buffer_unref(b->validity);
	sl_buffer_unref(b->values);
	sl_buffer_unref(b->data);
	sl_type_unref(b->src_type_ok);
	sl_type_unref(b->type);
	free(b);
}

const sl_type *sl_builder_type(const sl_builder *b)
{
	return b ? b->type : NULL;
}

int64_t sl_builder_length(const sl_builder *b)
{
	return b ? b->length : 0;
}

int sl_builder_append_null(sl_builder *b)
{
	size_t i;
	int rc;

	if (b->list_open)
		return SL_ESTATE;
	ENSURE_ROOM(b);
	if (b->validity == NULL && b->id != SL_TYPE_NULL) {
		b->validity = sl_buffer_new(sl_bitmap_bytes(b->cap));
		if (b->validity == NULL)
			return SL_ENOMEM;
		sli_bits_fill(b->validity->data, 0, b->length, true);
	}
	switch (b->id) {
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
	case SL_TYPE_LIST: {
		int32_t *o = (int32_t *)b->values->data;

		o[b->length + 1] = o[b->length];
		break;
	}
	case SL_TYPE_STRUCT:
		for (i = 0; i < b->n_children; i++) {
			rc = sl_builder_append_null(b->children[i]);
			if (rc < 0)
				return rc;
		}
		break;
	default:
		break; /* the zeroed value slot stays */
	}
	b->null_count++;
	b->length++;
	return SL_OK;
}

int sl_builder_append_bool(sl_builder *b, bool v)
{
	if (SL_UNLIKELY(b->id != SL_TYPE_BOOL))
		return SL_ETYPE;
	ENSURE_ROOM(b);
	if (v)
		sl_bit_set(b->values->data, b->length);
	mark_valid(b);
	b->length++;
	return SL_OK;
}

int sl_builder_append_int64(sl_builder *b, int64_t v)
{
	if (SL_UNLIKELY(b->id != SL_TYPE_INT64 && b->id != SL_TYPE_TIMESTAMP))
		return SL_ETYPE;
	ENSURE_ROOM(b);
	((int64_t *)b->values->data)[b->length] = v;
	mark_valid(b);
	b->length++;
	return SL_OK;
}

int sl_builder_append_double(sl_builder *b, double v)
{
	if (SL_UNLIKELY(b->id != SL_TYPE_DOUBLE))
		return SL_ETYPE;
	ENSURE_ROOM(b);
	((double *)b->values->data)[b->length] = v;
	mark_valid(b);
	b->length++;
	return SL_OK;
}

int sl_builder_append_string(sl_builder *b, const char *s, size_t len)
{
	int32_t *o, cur;
	int rc;

	if (SL_UNLIKELY(b->id != SL_TYPE_STRING && b->id != SL_TYPE_BINARY))
		return SL_ETYPE;
	ENSURE_ROOM(b);
	o = (int32_t *)b->values->data;
	cur = o[b->length];
	if (SL_UNLIKELY(len > (size_t)(INT32_MAX - cur)))
		return SL_EINVAL; /* 2 GiB of bytes in one array */
	if (SL_UNLIKELY((size_t)cur + len > b->data->cap)) {
		rc = sl_buffer_reserve(b->data, (size_t)cur + len);
		if (rc < 0)
			return rc;
	}
	if (len > 0)
		memcpy(b->data->data + cur, s, len);
	b->data->len = (size_t)cur + len;
	o[b->length + 1] = cur + (int32_t)len;
	mark_valid(b);
	b->length++;
	return SL_OK;
}

sl_builder *sl_builder_child(sl_builder *b, size_t i)
{
	if (b == NULL || i >= b->n_children)
		return NULL;
	return b->children[i];
}

int sl_builder_append_struct(sl_builder *b)
{
	size_t i;

	if (b->id != SL_TYPE_STRUCT)
		return SL_ETYPE;
	for (i = 0; i < b->n_children; i++)
		if (b->children[i]->length != b->length + 1)
			return SL_ESTATE; /* a field was not appended (or twice) */
	ENSURE_ROOM(b);
	mark_valid(b);
	b->length++;
	return SL_OK;
}

int sl_builder_list_begin(sl_builder *b)
{
	if (b->id != SL_TYPE_LIST)
		return SL_ETYPE;
	if (b->list_open)
		return SL_ESTATE;
	b->list_open = true;
	return SL_OK;
}

int sl_builder_list_end(sl_builder *b)
{
	int64_t end;

	if (b->id != SL_TYPE_LIST)
		return SL_ETYPE;
	if (!b->list_open)
		return SL_ESTATE;
	ENSURE_ROOM(b);
	end = b->children[0]->length;
	if (end > INT32_MAX)
		return SL_EINVAL;
	((int32_t *)b->values->data)[b->length + 1] = (int32_t)end;
	mark_valid(b);
	b->length++;
	b->list_open = false;
	return SL_OK;
}

/* append_from once the types are known to match. */
static int append_from(sl_builder *b, const sl_array *src, int64_t row)
{
	size_t i;
	int rc;

	if (sl_array_is_null(src, row))
		return sl_builder_append_null(b);
	switch (b->id) {
	case SL_TYPE_NULL:
		return sl_builder_append_null(b);
	case SL_TYPE_BOOL:
		return sl_builder_append_bool(b, sl_array_bool(src, row));
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		return sl_builder_append_int64(b, sl_array_i64(src)[row]);
	case SL_TYPE_DOUBLE:
		return sl_builder_append_double(b, sl_array_f64(src)[row]);
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		sl_strview v = sl_array_str(src, row);

		return sl_builder_append_string(b, v.ptr, v.len);
	}
	case SL_TYPE_STRUCT:
		for (i = 0; i < b->n_children; i++) {
			rc = append_from(b->children[i], src->children[i], row);
			if (rc < 0)
				return rc;
		}
		return sl_builder_append_struct(b);
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(src);
		int32_t j;

		rc = sl_builder_list_begin(b);
		for (j = o[row]; j < o[row + 1] && rc == SL_OK; j++)
			rc = append_from(b->children[0], src->children[0], j);
		if (rc < 0) {
			b->list_open = false;
			return rc;
		}
		return sl_builder_list_end(b);
	}
	}
	return SL_ETYPE;
}

int sl_builder_append_from(sl_builder *b, const sl_array *src, int64_t row)
{
	if (b == NULL || src == NULL || row < 0 || row >= src->length)
		return SL_EINVAL;
	if (SL_UNLIKELY(b->type != src->type && b->src_type_ok != src->type)) {
		if (!sl_type_equal(b->type, src->type))
			return SL_ETYPE;
		sl_type_unref(b->src_type_ok);
		b->src_type_ok = sl_type_ref(src->type);
	}
	return append_from(b, src, row);
}

sl_array *sl_builder_finish(sl_builder *b)
{
	sl_array *stack[16], **kids = stack, *a = NULL;
	size_t i, made = 0;
	bool ok = true;
	size_t vb;

	if (b == NULL)
		return NULL;
	if (b->list_open)
		return NULL;
	if (b->n_children > 16) {
		kids = malloc(b->n_children * sizeof(*kids));
		if (kids == NULL)
			return NULL;
	}
	for (; made < b->n_children; made++) {
		kids[made] = sl_builder_finish(b->children[made]);
		if (kids[made] == NULL)
			ok = false;
		else if (b->id == SL_TYPE_STRUCT && kids[made]->length != b->length)
			ok = false;
	}
	vb = values_bytes(b->id, b->length);
	if (ok && b->id != SL_TYPE_NULL && b->id != SL_TYPE_STRUCT && b->values == NULL) {
		b->values = sl_buffer_new(vb);
		ok = b->values != NULL;
	}
	if (ok && (b->id == SL_TYPE_STRING || b->id == SL_TYPE_BINARY) && b->data == NULL) {
		b->data = sl_buffer_new(0);
		ok = b->data != NULL;
	}
	if (ok) {
		if (b->values)
			b->values->len = vb;
		if (b->validity)
			b->validity->len = sl_bitmap_bytes(b->length);
		/* sl_array_new takes the buffers and the children, also on
		 * failure */
		a = sl_array_new(b->type, b->length, b->null_count, b->validity, b->values, b->data,
		                 made, kids);
		b->validity = b->values = b->data = NULL;
		made = 0;
	}
	for (i = 0; i < made; i++)
		sl_array_unref(kids[i]);
	if (kids != stack)
		free(kids);
	/* reset for reuse, sized for a batch like this one */
	if (b->length > b->hint)
		b->hint = b->length;
	sl_buffer_unref(b->validity);
	sl_buffer_unref(b->values);
	sl_buffer_unref(b->data);
	b->validity = b->values = b->data = NULL;
	b->length = 0;
	b->cap = 0;
	b->null_count = 0;
	b->list_open = false;
	return a;
}

sl_batch_builder *sl_batch_builder_new(sl_schema *schema, int64_t capacity_hint)
{
	sl_batch_builder *bb;
	size_t i;

	if (schema == NULL || schema->id != SL_TYPE_STRUCT)
		return NULL;
	bb = calloc(1, sizeof(*bb));
	if (bb == NULL)
		return NULL;
	bb->schema = sl_type_ref(schema);
	if (schema->n_fields > 0) {
		bb->cols = calloc(schema->n_fields, sizeof(*bb->cols));
		if (bb->cols == NULL)
			goto fail;
	}
	for (i = 0; i < schema->n_fields; i++) {
		bb->cols[i] = sl_builder_new(schema->fields[i].type, capacity_hint);
		if (bb->cols[i] == NULL)
			goto fail;
		bb->n = i + 1;
	}
	return bb;
fail:
	sl_batch_builder_free(bb);
	return NULL;
}

void sl_batch_builder_free(sl_batch_builder *bb)
{
	size_t i;

	if (bb == NULL)
		return;
	for (i = 0; i < bb->n; i++)
		sl_builder_free(bb->cols[i]);
	free(bb->cols);
	sl_type_unref(bb->schema);
	free(bb);
}

sl_builder *sl_batch_builder_column(sl_batch_builder *bb, size_t i)
{
	if (bb == NULL || i >= bb->n)
		return NULL;
	return bb->cols[i];
}

int64_t sl_batch_builder_rows(const sl_batch_builder *bb)
{
	if (bb == NULL || bb->n == 0)
		return 0;
	return bb->cols[0]->length;
}

sl_batch *sl_batch_builder_finish(sl_batch_builder *bb)
{
	sl_array *stack[32], **cols = stack;
	int64_t rows;
	size_t i, made = 0;
	bool ok = true;
	sl_batch *batch = NULL;

	if (bb == NULL)
		return NULL;
	rows = sl_batch_builder_rows(bb);
	if (bb->n > 32) {
		cols = malloc(bb->n * sizeof(*cols));
		if (cols == NULL)
			return NULL;
	}
	for (; made < bb->n; made++) {
		cols[made] = sl_builder_finish(bb->cols[made]);
		if (cols[made] == NULL || cols[made]->length != rows)
			ok = false;
	}
	if (ok) {
		batch = sl_batch_new(bb->schema, rows, cols); /* takes the columns */
		made = 0;
	}
	for (i = 0; i < made; i++)
		sl_array_unref(cols[i]);
	if (cols != stack)
		free(cols);
	return batch;
}
