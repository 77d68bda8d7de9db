/* array.c - array assembly, reference counting, slice, concat, validate. */
#include <stdlib.h>
#include <string.h>

#include "data.h"

/* A buffer of len bytes (zeroed), len set. */
static sl_buffer *buf_alloc(size_t len)
{
	sl_buffer *b = sl_buffer_new(len);

	if (b != NULL)
		b->len = len;
	return b;
}

sl_array *sl_array_new(sl_type *type, int64_t length, int64_t null_count, sl_buffer *validity,
                       sl_buffer *values, sl_buffer *data, size_t n_children, sl_array **children)
{
	sl_array *a = NULL;
	size_t i;

	if (type == NULL || length < 0 || (n_children > 0 && children == NULL))
		goto fail;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto fail;
	if (n_children > 0) {
		a->children = malloc(n_children * sizeof(*a->children));
		if (a->children == NULL)
			goto fail;
		memcpy(a->children, children, n_children * sizeof(*a->children));
		a->n_children = n_children;
	}
	a->type = sl_type_ref(type);
	a->length = length;
	a->validity = validity;
	a->values = values;
	a->data = data;
	a->refcount = 1;
	if (type->id == SL_TYPE_NULL) {
		/* every row is null; give it a bitmap of zeros so that the
		 * accessors (sl_array_is_null) answer right */
		a->null_count = length;
		if (a->validity == NULL && length > 0) {
			a->validity = buf_alloc(sl_bitmap_bytes(length));
			if (a->validity == NULL) {
				sl_array_unref(a);
				return NULL;
			}
		}
		return a;
	}
	if (null_count < 0)
		null_count = validity ? length - sl_bitmap_count(validity->data, length) : 0;
	a->null_count = null_count;
	if (null_count == 0 && a->validity != NULL) {
		sl_buffer_unref(a->validity);
		a->validity = NULL;
	}
	return a;
fail:
	free(a);
	sl_buffer_unref(validity);
	sl_buffer_unref(values);
	sl_buffer_unref(data);
	for (i = 0; children != NULL && i < n_children; i++)
		sl_array_unref(children[i]);
	return NULL;
}

sl_array *sl_array_new_nulls(sl_type *type, int64_t length)
{
	sl_buffer *validity = NULL, *values = NULL, *data = NULL;
	sl_array *stack[16], **children = stack;
	size_t n_children = 0, i;
	sl_array *a = NULL;

	if (type == NULL || length < 0)
		return NULL;
	if (type->id == SL_TYPE_NULL)
		return sl_array_new(type, length, length, NULL, NULL, NULL, 0, NULL);
	validity = buf_alloc(sl_bitmap_bytes(length));
	if (validity == NULL)
		goto fail;
	switch (type->id) {
	case SL_TYPE_BOOL:
		values = buf_alloc(sl_bitmap_bytes(length));
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP:
		values = buf_alloc((size_t)length * 8);
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		values = buf_alloc((size_t)(length + 1) * sizeof(int32_t));
		data = sl_buffer_new(0);
		if (data == NULL)
			goto fail;
		break;
	case SL_TYPE_LIST:
		values = buf_alloc((size_t)(length + 1) * sizeof(int32_t));
		n_children = 1;
		children[0] = sl_array_new_nulls(type->fields[0].type, 0);
		if (children[0] == NULL)
			goto fail_children;
		break;
	case SL_TYPE_STRUCT:
		if (type->n_fields > 16) {
			children = malloc(type->n_fields * sizeof(*children));
			if (children == NULL)
				goto fail;
		}
		for (; n_children < type->n_fields; n_children++) {
			children[n_children] =
			    sl_array_new_nulls(type->fields[n_children].type, length);
			if (children[n_children] == NULL)
				goto fail_children;
		}
		values = NULL;
		goto assemble;
	default:
		goto fail;
	}
	if (values == NULL)
		goto fail_children;
assemble:
	a = sl_array_new(type, length, length, validity, values, data, n_children, children);
	if (children != stack)
		free(children);
	return a;
fail_children:
	for (i = 0; i < n_children; i++)
		sl_array_unref(children[i]);
fail:
	if (children != stack)
		free(children);
	sl_buffer_unref(validity);
	sl_buffer_unref(values);
	sl_buffer_unref(data);
	return NULL;
}

sl_array *sl_array_ref(sl_array *a)
{
	if (a != NULL)
		__atomic_add_fetch(&a->refcount, 1, __ATOMIC_RELAXED);
	return a;
}

void sl_array_unref(sl_array *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (__atomic_sub_fetch(&a->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	sl_buffer_unref(a->validity);
	sl_buffer_unref(a->values);
	sl_buffer_unref(a->data);
	for (i = 0; i < a->n_children; i++)
		sl_array_unref(a->children[i]);
	free(a->children);
	sl_type_unref(a->type);
	free(a);
}

/* --- slice --- */

sl_array *sl_array_slice(const sl_array *a, int64_t start, int64_t n)
{
	sl_buffer *validity = NULL, *values = NULL, *data = NULL;
	sl_array *stack[16], **children = stack;
	size_t n_children = 0, i, w;
	int64_t nulls = 0, k;
	sl_type_id id;

	if (a == NULL || start < 0 || n < 0 || start > a->length || n > a->length - start)
		return NULL;
	if (start == 0 && n == a->length)
		return sl_array_ref((sl_array *)a); /* immutable: share it */
	id = a->type->id;
	if (id == SL_TYPE_NULL)
		return sl_array_new_nulls(a->type, n);
	if (a->validity != NULL && a->null_count > 0) {
		validity = buf_alloc(sl_bitmap_bytes(n));
		if (validity == NULL)
			goto fail;
		sli_bits_copy(validity->data, 0, a->validity->data, start, n);
		nulls = n - sl_bitmap_count(validity->data, n);
	}
	w = sli_fixed_width(id);
	if (w) {
		values = buf_alloc((size_t)n * w);
		if (values == NULL)
			goto fail;
		if (n)
			memcpy(values->data, a->values->data + (size_t)start * w, (size_t)n * w);
	} else if (id == SL_TYPE_BOOL) {
		values = buf_alloc(sl_bitmap_bytes(n));
		if (values == NULL)
			goto fail;
		sli_bits_copy(values->data, 0, a->values->data, start, n);
	} else if (sli_has_offsets(id)) {
		const int32_t *o = sl_array_offsets(a) + start;
		int32_t base = o[0], *out;

		values = buf_alloc((size_t)(n + 1) * sizeof(int32_t));
		if (values == NULL)
			goto fail;
		out = (int32_t *)values->data;
		for (k = 0; k <= n; k++)
			out[k] = o[k] - base;
		if (id == SL_TYPE_LIST) {
			children[0] = sl_array_slice(a->children[0], base, o[n] - base);
			if (children[0] == NULL)
				goto fail;
			n_children = 1;
		} else {
			data = sl_buffer_copy(a->data->data + base, (size_t)(o[n] - base));
			if (data == NULL)
				goto fail;
		}
	} else if (id == SL_TYPE_STRUCT) {
		if (a->n_children > 16) {
			children = malloc(a->n_children * sizeof(*children));
			if (children == NULL)
				goto fail;
		}
		for (; n_children < a->n_children; n_children++) {
			children[n_children] = sl_array_slice(a->children[n_children], start, n);
			if (children[n_children] == NULL)
				goto fail;
		}
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

/* --- concat --- */

/* Concatenates child `f` of every array (for lists: the referenced element
 * range only). */
static sl_array *concat_children(sl_array *const *arrays, size_t n, size_t f)
{
	sl_array *stack[16] = {NULL}, **parts = stack, *r = NULL;
	size_t i, made = 0;

	if (n > 16) {
		parts = malloc(n * sizeof(*parts));
		if (parts == NULL)
			return NULL;
	}
	for (; made < n; made++) {
		const sl_array *a = arrays[made];

		if (a->type->id == SL_TYPE_LIST) {
			const int32_t *o = sl_array_offsets(a);

			parts[made] = sl_array_slice(a->children[0], o[0], o[a->length] - o[0]);
		} else {
			parts[made] = sl_array_ref(a->children[f]);
		}
		if (parts[made] == NULL)
			goto done;
	}
	r = sl_array_concat(parts, n);
done:
	for (i = 0; i < made; i++)
		sl_array_unref(parts[i]);
	if (parts != stack)
		free(parts);
	return r;
}

sl_array *sl_array_concat(sl_array *const *arrays, size_t n)
{
	sl_buffer *validity = NULL, *values = NULL, *data = NULL;
	sl_array *stack[16], **children = stack;
	size_t n_children = 0, i, w;
	int64_t total = 0, nulls = 0, pos, k;
	sl_type *type;
	sl_type_id id;

	if (arrays == NULL || n == 0 || arrays[0] == NULL)
		return NULL;
	type = arrays[0]->type;
	for (i = 0; i < n; i++) {
		if (arrays[i] == NULL || !sl_type_equal(arrays[i]->type, type))
			return NULL;
		total += arrays[i]->length;
		nulls += arrays[i]->null_count;
	}
	if (n == 1)
		return sl_array_ref(arrays[0]);
	id = type->id;
	if (id == SL_TYPE_NULL)
		return sl_array_new_nulls(type, total);
	if (nulls > 0) {
		validity = buf_alloc(sl_bitmap_bytes(total));
		if (validity == NULL)
			goto fail;
		for (i = 0, pos = 0; i < n; pos += arrays[i]->length, i++) {
			if (arrays[i]->validity != NULL)
				sli_bits_copy(validity->data, pos, arrays[i]->validity->data, 0,
				              arrays[i]->length);
			else
				sli_bits_fill(validity->data, pos, arrays[i]->length, true);
		}
	}
	w = sli_fixed_width(id);
	if (w) {
		values = buf_alloc((size_t)total * w);
		if (values == NULL)
			goto fail;
		for (i = 0, pos = 0; i < n; pos += arrays[i]->length, i++)
			if (arrays[i]->length)
				memcpy(values->data + (size_t)pos * w, arrays[i]->values->data,
				       (size_t)arrays[i]->length * w);
	} else if (id == SL_TYPE_BOOL) {
		values = buf_alloc(sl_bitmap_bytes(total));
		if (values == NULL)
			goto fail;
		for (i = 0, pos = 0; i < n; pos += arrays[i]->length, i++)
			sli_bits_copy(values->data, pos, arrays[i]->values->data, 0,
			              arrays[i]->length);
	} else if (sli_has_offsets(id)) {
		int64_t bytes = 0;
		int32_t *out, base = 0;

		for (i = 0; i < n; i++) {
			const int32_t *o = sl_array_offsets(arrays[i]);

			bytes += o[arrays[i]->length] - o[0];
		}
		if (bytes > INT32_MAX)
			goto fail;
		values = buf_alloc((size_t)(total + 1) * sizeof(int32_t));
		if (values == NULL)
			goto fail;
		out = (int32_t *)values->data;
		if (id != SL_TYPE_LIST) {
			data = buf_alloc((size_t)bytes);
			if (data == NULL)
				goto fail;
		}
		for (i = 0, pos = 0; i < n; pos += arrays[i]->length, i++) {
			const sl_array *a = arrays[i];
			const int32_t *o = sl_array_offsets(a);
			int32_t first = o[0], len = o[a->length] - o[0];

			for (k = 0; k < a->length; k++)
				out[pos + k] = base + (o[k] - first);
			if (data != NULL && len > 0)
				memcpy(data->data + base, a->data->data + first, (size_t)len);
			base += len;
		}
		out[total] = base;
		if (id == SL_TYPE_LIST) {
			children[0] = concat_children(arrays, n, 0);
			if (children[0] == NULL)
				goto fail;
			n_children = 1;
		}
	} else if (id == SL_TYPE_STRUCT) {
		if (type->n_fields > 16) {
			children = malloc(type->n_fields * sizeof(*children));
			if (children == NULL)
				goto fail;
		}
		for (; n_children < type->n_fields; n_children++) {
			children[n_children] = concat_children(arrays, n, n_children);
			if (children[n_children] == NULL)
				goto fail;
		}
	}
	{
		sl_array *r =
		    sl_array_new(type, total, nulls, validity, values, data, n_children, children);

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

/* --- validate --- */

static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int validate(const sl_array *a, const char *path, sl_error *err)
{
	sl_type_id id;
	size_t i, w;
	int64_t k, n;
	int rc;

	if (a == NULL)
		return sl_error_set(err, SL_EINVAL, "%s: array is NULL", path);
	if (a->type == NULL)
		return sl_error_set(err, SL_EINVAL, "%s: array has no type", path);
	if (a->length < 0)
		return sl_error_set(err, SL_EINVAL, "%s: negative length %lld", path,
		                    (long long)a->length);
	if (a->refcount <= 0)
		return sl_error_set(err, SL_EINVAL, "%s: reference count %ld", path, a->refcount);
	n = a->length;
	id = a->type->id;
	if (a->null_count < 0 || a->null_count > n)
		return sl_error_set(err, SL_EINVAL, "%s: null_count %lld outside [0, %lld]", path,
		                    (long long)a->null_count, (long long)n);
	if (a->validity != NULL) {
		int64_t nulls;

		if (a->validity->len < sl_bitmap_bytes(n) || (n > 0 && a->validity->data == NULL))
			return sl_error_set(err, SL_EINVAL,
			                    "%s: validity bitmap has %zu bytes, needs %zu", path,
			                    a->validity->len, sl_bitmap_bytes(n));
		nulls = n - sl_bitmap_count(a->validity->data, n);
		if (nulls != a->null_count)
			return sl_error_set(err, SL_EINVAL,
			                    "%s: null_count is %lld but the bitmap has %lld nulls",
			                    path, (long long)a->null_count, (long long)nulls);
	} else if (id != SL_TYPE_NULL && a->null_count != 0) {
		return sl_error_set(err, SL_EINVAL, "%s: null_count %lld without a validity bitmap",
		                    path, (long long)a->null_count);
	}
	if (id == SL_TYPE_NULL) {
		if (a->null_count != n)
			return sl_error_set(err, SL_EINVAL,
			                    "%s: a NULL-typed array must be all null", path);
		return SL_OK;
	}
	if (id != SL_TYPE_STRUCT) {
		if (a->values == NULL)
			return sl_error_set(err, SL_EINVAL, "%s: values buffer missing", path);
	}
	w = sli_fixed_width(id);
	if (w) {
		if (a->values->len < (size_t)n * w)
			return sl_error_set(err, SL_EINVAL, "%s: values has %zu bytes, needs %zu",
			                    path, a->values->len, (size_t)n * w);
	} else if (id == SL_TYPE_BOOL) {
		if (a->values->len < sl_bitmap_bytes(n))
			return sl_error_set(err, SL_EINVAL, "%s: values has %zu bytes, needs %zu",
			                    path, a->values->len, sl_bitmap_bytes(n));
	} else if (sli_has_offsets(id)) {
		const int32_t *o;
		int64_t limit;

		if (a->values->len < (size_t)(n + 1) * sizeof(int32_t))
			return sl_error_set(err, SL_EINVAL,
			                    "%s: offsets buffer has %zu bytes, needs %zu", path,
			                    a->values->len, (size_t)(n + 1) * sizeof(int32_t));
		o = sl_array_offsets(a);
		if (id == SL_TYPE_LIST) {
			if (a->n_children != 1 || a->children == NULL || a->children[0] == NULL)
				return sl_error_set(err, SL_EINVAL,
				                    "%s: a list needs exactly one child", path);
			limit = a->children[0]->length;
		} else {
			if (a->data == NULL)
				return sl_error_set(err, SL_EINVAL, "%s: data buffer missing",
				                    path);
			limit = (int64_t)a->data->len;
		}
		if (o[0] < 0)
			return sl_error_set(err, SL_EINVAL, "%s: first offset %d is negative", path,
			                    o[0]);
		for (k = 0; k < n; k++)
			if (o[k + 1] < o[k])
				return sl_error_set(err, SL_EINVAL,
				                    "%s: offsets decrease at row %lld (%d > %d)",
				                    path, (long long)k, o[k], o[k + 1]);
		if (o[n] > limit)
			return sl_error_set(
			    err, SL_EINVAL, "%s: last offset %d beyond the %s (%lld)", path, o[n],
			    id == SL_TYPE_LIST ? "child length" : "data length", (long long)limit);
		if (id == SL_TYPE_STRING && n > 0 &&
		    !utf8_valid(a->data->data + o[0], (size_t)(o[n] - o[0])))
			return sl_error_set(err, SL_EINVAL, "%s: invalid UTF-8 in string data",
			                    path);
	}
	if (id == SL_TYPE_STRUCT) {
		if (a->n_children != a->type->n_fields)
			return sl_error_set(err, SL_EINVAL,
			                    "%s: struct has %zu children for %zu fields", path,
			                    a->n_children, a->type->n_fields);
		for (i = 0; i < a->n_children; i++) {
			const sl_array *c = a->children[i];

			if (c == NULL)
				return sl_error_set(err, SL_EINVAL, "%s.%s: child is NULL", path,
				                    a->type->fields[i].name);
			if (c->length != n)
				return sl_error_set(err, SL_EINVAL,
				                    "%s.%s: child has %lld rows, the struct %lld",
				                    path, a->type->fields[i].name,
				                    (long long)c->length, (long long)n);
		}
	}
	if (id == SL_TYPE_STRUCT || id == SL_TYPE_LIST) {
		for (i = 0; i < a->n_children; i++) {
			char sub[256];

			if (!sl_type_equal(a->children[i]->type, a->type->fields[i].type))
				return sl_error_set(err, SL_EINVAL,
				                    "%s.%s: child type does not match the field",
				                    path, a->type->fields[i].name);
			snprintf(sub, sizeof(sub), "%s.%s", path, a->type->fields[i].name);
			rc = validate(a->children[i], sub, err);
			if (rc < 0)
				return rc;
		}
	}
	return SL_OK;
}

int sl_array_validate(const sl_array *a, sl_error *err)
{
	return validate(a, "array", err);
}

size_t sl_array_nbytes(const sl_array *a)
{
	size_t n, i;

	if (a == NULL)
		return 0;
	n = sizeof(*a);
	if (a->validity)
		n += a->validity->cap;
	if (a->values)
		n += a->values->cap;
	if (a->data)
		n += a->data->cap;
	for (i = 0; i < a->n_children; i++)
		n += sl_array_nbytes(a->children[i]);
	return n;
}
