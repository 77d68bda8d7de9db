/* take.c - sl_array_take: gather rows by index, one tight loop per type,
 * no allocation per row. */
#include <stdlib.h>
#include <string.h>

#include "data.h"

static sl_buffer *buf_alloc(size_t len)
{
	sl_buffer *b = sl_buffer_new(len);

	if (b != NULL)
		b->len = len;
	return b;
}

/* Gathers bits src[idx[i]] into a new bitmap of n bits; *set receives the
 * number of set bits. */
static sl_buffer *gather_bits(const uint8_t *src, const int32_t *idx, int64_t n, int64_t *set)
{
	sl_buffer *out = buf_alloc(sl_bitmap_bytes(n));
	uint8_t *dst;
	int64_t i, count = 0;

	if (out == NULL)
		return NULL;
	dst = out->data;
	for (i = 0; i + 8 <= n; i += 8) {
		const int32_t *x = idx + i;
		unsigned byte =
		    (unsigned)sl_bit_get(src, x[0]) | ((unsigned)sl_bit_get(src, x[1]) << 1) |
		    ((unsigned)sl_bit_get(src, x[2]) << 2) |
		    ((unsigned)sl_bit_get(src, x[3]) << 3) |
		    ((unsigned)sl_bit_get(src, x[4]) << 4) |
		    ((unsigned)sl_bit_get(src, x[5]) << 5) |
		    ((unsigned)sl_bit_get(src, x[6]) << 6) | ((unsigned)sl_bit_get(src, x[7]) << 7);

		dst[i >> 3] = (uint8_t)byte;
		count += __builtin_popcount(byte);
	}
	for (; i < n; i++) {
		if (sl_bit_get(src, idx[i])) {
			sl_bit_set(dst, i);
			count++;
		}
	}
	*set = count;
	return out;
}

/* Offsets of the gathered rows; *total receives the element/byte count.
 * Returns NULL on ENOMEM or when the total does not fit int32. */
static sl_buffer *gather_offsets(const int32_t *o, const int32_t *idx, int64_t n, int64_t *total)
{
	sl_buffer *out = buf_alloc((size_t)(n + 1) * sizeof(int32_t));
	int32_t *dst;
	int64_t i, run = 0;

	if (out == NULL)
		return NULL;
	dst = (int32_t *)out->data;
	dst[0] = 0;
	for (i = 0; i < n; i++) {
		int32_t r = idx[i];

		run += o[r + 1] - o[r];
		if (SL_UNLIKELY(run > INT32_MAX)) {
			sl_buffer_unref(out);
			return NULL;
		}
		dst[i + 1] = (int32_t)run;
	}
	*total = run;
	return out;
}

sl_array *sl_array_take(const sl_array *a, const int32_t *idx, int64_t n)
{
	sl_buffer *validity = NULL, *values = NULL, *data = NULL;
	sl_array *stack[16], **children = stack;
	size_t n_children = 0, i;
	int64_t nulls = 0, k, set, total;
	sl_type_id id;

	if (a == NULL || n < 0 || (n > 0 && idx == NULL))
		return NULL;
	id = a->type->id;
	if (id == SL_TYPE_NULL)
		return sl_array_new_nulls(a->type, n);
	if (a->validity != NULL && a->null_count > 0) {
		validity = gather_bits(a->validity->data, idx, n, &set);
		if (validity == NULL)
			goto fail;
		nulls = n - set;
	}
	switch (id) {
	case SL_TYPE_BOOL:
		values = gather_bits(a->values->data, idx, n, &set);
		if (values == NULL)
			goto fail;
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP: {
		const uint64_t *src = (const uint64_t *)a->values->data;
		uint64_t *dst;

		values = buf_alloc((size_t)n * 8);
		if (values == NULL)
			goto fail;
		dst = (uint64_t *)values->data;
		for (k = 0; k < n; k++)
			dst[k] = src[idx[k]];
		break;
	}
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		const int32_t *o = sl_array_offsets(a);
		const int32_t *no;
		const uint8_t *src = a->data->data;
		uint8_t *dst;

		values = gather_offsets(o, idx, n, &total);
		if (values == NULL)
			goto fail;
		data = buf_alloc((size_t)total);
		if (data == NULL)
			goto fail;
		no = (const int32_t *)values->data;
		dst = data->data;
		for (k = 0; k < n; k++) {
			int32_t r = idx[k], len = o[r + 1] - o[r];

			if (len > 0)
				memcpy(dst + no[k], src + o[r], (size_t)len);
		}
		break;
	}
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		int32_t *cidx, *w;

		values = gather_offsets(o, idx, n, &total);
		if (values == NULL)
			goto fail;
		cidx = malloc((size_t)(total ? total : 1) * sizeof(*cidx));
		if (cidx == NULL)
			goto fail;
		w = cidx;
		for (k = 0; k < n; k++) {
			int32_t r = idx[k], j;

			for (j = o[r]; j < o[r + 1]; j++)
				*w++ = j;
		}
		children[0] = sl_array_take(a->children[0], cidx, total);
		free(cidx);
		if (children[0] == NULL)
			goto fail;
		n_children = 1;
		break;
	}
	case SL_TYPE_STRUCT:
		if (a->n_children > 16) {
			children = malloc(a->n_children * sizeof(*children));
			if (children == NULL)
				goto fail;
		}
		for (; n_children < a->n_children; n_children++) {
			children[n_children] = sl_array_take(a->children[n_children], idx, n);
			if (children[n_children] == NULL)
				goto fail;
		}
		break;
	default:
		goto fail;
	}
	{
		sl_array *r =
		    sl_array_new(a->type, n, nulls, validity, values, data, n_children, children);

		if (children != stack)
			free(children);
		return r;
	}
fail:
	for (i = 0; i < n_children; i++)
		sl_array_unref(children[i]);
	if (children != stack)
		free(children);
	sl_buffer_unref(validity);
	sl_buffer_unref(values);
	sl_buffer_unref(data);
	return NULL;
}
