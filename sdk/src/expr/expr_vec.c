/* expr_vec.c - the memory of evaluation: the buffer pool, scratch space,
 * results (columns, nulls, broadcast scalars, masks) and the fixed-width
 * and string output builders every kernel writes with.
 *
 * Buffers freed by intermediate results go back to a small pool held by the
 * expression, so a steady stream of batches allocates little beyond its
 * results.  Internal invariant: an array made here has a validity bitmap
 * exactly when it has nulls, including arrays of the NULL type (all rows
 * null). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_internal.h"

/* ------------------------------------------------------------------- pool */

#define POOL_MIN_BYTES 4096

static void pool_put(slx_pool *p, sl_buffer *b)
{
	if (b == NULL)
		return;
	if (p == NULL || b->refcount != 1 || b->release != NULL || b->cap < POOL_MIN_BYTES) {
		sl_buffer_unref(b);
		return;
	}
	if (p->n < SLX_POOL_MAX) {
		p->bufs[p->n++] = b;
		return;
	}
	size_t small = 0;
	for (size_t k = 1; k < p->n; k++)
		if (p->bufs[k]->cap < p->bufs[small]->cap)
			small = k;
	if (p->bufs[small]->cap < b->cap) {
		sl_buffer_unref(p->bufs[small]);
		p->bufs[small] = b;
	} else {
		sl_buffer_unref(b);
	}
}

void slx_pool_free(slx_pool *p)
{
	for (size_t k = 0; k < p->n; k++)
		sl_buffer_unref(p->bufs[k]);
	p->n = 0;
	free(p->scratch);
	p->scratch = NULL;
	p->scratch_cap = 0;
}

char *slx_scratch(slx_ctx *cx, size_t n)
{
	slx_pool *p = cx->pool;
	if (n == 0)
		n = 1;
	if (p->scratch_cap < n) {
		size_t cap = p->scratch_cap ? p->scratch_cap : 256;
		while (cap < n)
			cap *= 2;
		char *s = realloc(p->scratch, cap);
		if (s == NULL)
			return NULL;
		p->scratch = s;
		p->scratch_cap = cap;
	}
	return p->scratch;
}

sl_buffer *slx_buf(slx_ctx *cx, size_t bytes)
{
	size_t want = bytes + 8;
	slx_pool *p = cx->pool;
	if (p != NULL && want >= POOL_MIN_BYTES / 2) {
		size_t best = SIZE_MAX;
		for (size_t k = 0; k < p->n; k++) {
			if (p->bufs[k]->cap >= want &&
			    (best == SIZE_MAX || p->bufs[k]->cap < p->bufs[best]->cap))
				best = k;
		}
		if (best != SIZE_MAX && p->bufs[best]->cap <= want * 4) {
			sl_buffer *b = p->bufs[best];
			p->bufs[best] = p->bufs[--p->n];
			b->len = bytes;
			return b;
		}
	}
	sl_buffer *b = sl_buffer_new((want + 63) & ~(size_t)63);
	if (b == NULL)
		return NULL;
	if (b->cap < want) {
		sl_buffer_unref(b);
		return NULL;
	}
	b->len = bytes;
	return b;
}

void slx_buf_release(slx_ctx *cx, sl_buffer *b)
{
	pool_put(cx->pool, b);
}

sl_buffer *slx_bitmap(slx_ctx *cx, int64_t n)
{
	return slx_buf(cx, sl_bitmap_bytes(n));
}

sl_buffer *slx_bitmap_ones(slx_ctx *cx, int64_t n)
{
	sl_buffer *b = slx_bitmap(cx, n);
	if (b == NULL)
		return NULL;
	memset(b->data, 0xFF, b->len);
	slx_bm_clear_tail(b->data, n);
	return b;
}

int64_t slx_bm_count_zeros(const uint8_t *bits, int64_t n)
{
	int64_t ones = 0, w, nw = n / 64;
	for (w = 0; w < nw; w++)
		ones += __builtin_popcountll(slx_bm_word(bits, w, n));
	for (int64_t i = nw * 64; i < n; i++)
		ones += sl_bit_get(bits, i);
	return n - ones;
}

int slx_oom(slx_ctx *cx)
{
	return sl_error_set(cx->err, SL_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ values */

void slx_val_from_const(slx_val *v, sl_array *one, bool as_column)
{
	memset(v, 0, sizeof(*v));
	v->arr = sl_array_ref(one);
	v->scalar = !as_column;
	v->null = one->type->id == SL_TYPE_NULL || !sl_array_valid(one, 0);
	if (v->null)
		return;
	switch (one->type->id) {
	case SL_TYPE_BOOL:
		v->b = sl_array_bool(one, 0);
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		v->i = sl_array_i64(one)[0];
		break;
	case SL_TYPE_DOUBLE:
		v->d = sl_array_f64(one)[0];
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		v->s = slx_arr_str(one, 0);
		break;
	default:
		break;
	}
}

void slx_val_drop(slx_ctx *cx, slx_val *v)
{
	sl_array *a = v->arr;
	v->arr = NULL;
	if (a == NULL)
		return;
	if (a->refcount == 1 && cx != NULL && cx->pool != NULL && a->n_children == 0) {
		sl_buffer *b[3] = {a->validity, a->values, a->data};
		bool own = true;
		for (int k = 0; k < 3; k++)
			if (b[k] != NULL && (b[k]->refcount != 1 || b[k]->release != NULL))
				own = false;
		if (own) {
			a->validity = a->values = a->data = NULL;
			for (int k = 0; k < 3; k++)
				pool_put(cx->pool, b[k]);
		}
	}
	sl_array_unref(a);
}

int slx_out(slx_ctx *cx, slx_val *out, sl_type *t, int64_t nulls, sl_buffer *valid,
            sl_buffer *values, sl_buffer *data, size_t n_children, sl_array **children)
{
	if (nulls < 0)
		nulls = valid ? slx_bm_count_zeros(valid->data, cx->n) : 0;
	if (nulls == 0 && valid != NULL) {
		pool_put(cx->pool, valid);
		valid = NULL;
	}
	sl_array *a = sl_array_new(t, cx->n, nulls, valid, values, data, n_children, children);
	if (a == NULL)
		return slx_oom(cx);
	memset(out, 0, sizeof(*out));
	out->arr = a;
	return 0;
}

int slx_out_array(slx_ctx *cx, slx_val *out, sl_array *a)
{
	if (a == NULL)
		return slx_oom(cx);
	memset(out, 0, sizeof(*out));
	out->arr = a;
	return 0;
}

static sl_buffer *zeroed(size_t bytes)
{
	sl_buffer *b = sl_buffer_new(bytes + 8);
	if (b == NULL)
		return NULL;
	memset(b->data, 0, bytes + 8);
	b->len = bytes;
	return b;
}

sl_array *slx_make_nulls(sl_type *t, int64_t n)
{
	sl_buffer *valid = NULL, *values = NULL, *data = NULL;
	sl_array *ch[1] = {NULL};
	sl_array **children = NULL;
	size_t nch = 0;
	if (n > 0 && (valid = zeroed(sl_bitmap_bytes(n))) == NULL)
		return NULL;
	switch (t->id) {
	case SL_TYPE_NULL:
		break;
	case SL_TYPE_BOOL:
		values = zeroed(sl_bitmap_bytes(n));
		if (values == NULL)
			goto fail;
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_DOUBLE:
	case SL_TYPE_TIMESTAMP:
		values = zeroed((size_t)n * 8);
		if (values == NULL)
			goto fail;
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		values = zeroed((size_t)(n + 1) * 4);
		data = zeroed(0);
		if (values == NULL || data == NULL)
			goto fail;
		break;
	case SL_TYPE_LIST:
		values = zeroed((size_t)(n + 1) * 4);
		if (values == NULL)
			goto fail;
		ch[0] = slx_make_nulls(t->fields[0].type, 0);
		if (ch[0] == NULL)
			goto fail;
		children = ch;
		nch = 1;
		break;
	case SL_TYPE_STRUCT:
		nch = t->n_fields;
		children = calloc(nch ? nch : 1, sizeof(*children));
		if (children == NULL)
			goto fail;
		for (size_t k = 0; k < nch; k++) {
			children[k] = slx_make_nulls(t->fields[k].type, n);
			if (children[k] == NULL) {
				for (size_t j = 0; j < k; j++)
					sl_array_unref(children[j]);
				free(children);
				goto fail;
			}
		}
		break;
	}
	sl_array *a = sl_array_new(t, n, n, valid, values, data, nch, children);
	if (children != ch)
		free(children);
	return a;
fail:
	sl_buffer_unref(valid);
	sl_buffer_unref(values);
	sl_buffer_unref(data);
	return NULL;
}

int slx_out_nulls(slx_ctx *cx, slx_node *n, slx_val *out)
{
	return slx_out_array(cx, out, slx_make_nulls(n->type, cx->n));
}

bool slx_any_null_scalar(const slx_val *vals, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (vals[j].scalar && vals[j].null)
			return true;
	return false;
}

int slx_broadcast(slx_ctx *cx, const slx_val *v, int64_t n, sl_array **out)
{
	sl_array *one = v->arr;
	sl_type *t = one->type;
	sl_buffer *values = NULL, *data = NULL;
	*out = NULL;
	if (v->null) {
		*out = slx_make_nulls(t, n);
		return *out ? 0 : slx_oom(cx);
	}
	switch (t->id) {
	case SL_TYPE_BOOL:
		values = slx_bitmap(cx, n);
		if (values == NULL)
			return slx_oom(cx);
		memset(values->data, v->b ? 0xFF : 0, values->len);
		slx_bm_clear_tail(values->data, n);
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
	case SL_TYPE_DOUBLE: {
		values = slx_buf(cx, (size_t)n * 8);
		if (values == NULL)
			return slx_oom(cx);
		int64_t bits = v->i;
		if (t->id == SL_TYPE_DOUBLE)
			memcpy(&bits, &v->d, 8);
		int64_t *p = (int64_t *)values->data;
		for (int64_t i = 0; i < n; i++)
			p[i] = bits;
		break;
	}
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		if ((double)v->s.len * (double)n > (double)INT32_MAX)
			return sl_error_set(cx->err, SL_EINVAL, "string column too large");
		values = slx_buf(cx, (size_t)(n + 1) * 4);
		data = slx_buf(cx, v->s.len * (size_t)n);
		if (values == NULL || data == NULL) {
			sl_buffer_unref(values);
			sl_buffer_unref(data);
			return slx_oom(cx);
		}
		int32_t *o = (int32_t *)values->data;
		for (int64_t i = 0; i <= n; i++)
			o[i] = (int32_t)((size_t)i * v->s.len);
		for (int64_t i = 0; i < n; i++)
			memcpy(data->data + (size_t)i * v->s.len, v->s.ptr, v->s.len);
		break;
	}
	default: {
		int32_t *idx = calloc((size_t)(n ? n : 1), sizeof(*idx));
		if (idx == NULL)
			return slx_oom(cx);
		*out = sl_array_take(one, idx, n);
		free(idx);
		return *out ? 0 : slx_oom(cx);
	}
	}
	*out = sl_array_new(t, n, 0, NULL, values, data, 0, NULL);
	return *out ? 0 : slx_oom(cx);
}

int slx_valid_and(slx_ctx *cx, const slx_val *vals, size_t k, sl_buffer **valid, int64_t *nulls)
{
	const sl_array *src[8];
	const sl_array **s = src;
	size_t m = 0;
	*valid = NULL;
	*nulls = 0;
	if (k > 8) {
		s = malloc(k * sizeof(*s));
		if (s == NULL)
			return slx_oom(cx);
	}
	for (size_t j = 0; j < k; j++)
		if (!vals[j].scalar && vals[j].arr->validity != NULL)
			s[m++] = vals[j].arr;
	int rc = 0;
	if (m == 1) {
		*valid = sl_buffer_ref(s[0]->validity);
		*nulls = s[0]->null_count;
	} else if (m > 1) {
		int64_t n = cx->n, nw = (n + 63) / 64;
		sl_buffer *b = slx_bitmap(cx, n);
		if (b == NULL) {
			rc = slx_oom(cx);
		} else {
			int64_t ones = 0;
			for (int64_t w = 0; w < nw; w++) {
				uint64_t x = slx_bm_word(s[0]->validity->data, w, n);
				for (size_t j = 1; j < m; j++)
					x &= slx_bm_word(s[j]->validity->data, w, n);
				if (w == nw - 1 && (n & 63))
					x &= (UINT64_C(1) << (n & 63)) - 1;
				ones += __builtin_popcountll(x);
				slx_bm_store(b->data, w, x);
			}
			*valid = b;
			*nulls = n - ones;
			if (*nulls == 0) {
				pool_put(cx->pool, b);
				*valid = NULL;
			}
		}
	}
	if (s != src)
		free(s);
	return rc;
}

int slx_with_mask(slx_ctx *cx, sl_array *a, const uint8_t *mask, slx_val *out)
{
	int64_t n = a->length;
	if (mask == NULL)
		return slx_out_array(cx, out, a);
	sl_buffer *v = slx_bitmap(cx, n);
	if (v == NULL) {
		sl_array_unref(a);
		return slx_oom(cx);
	}
	int64_t nw = (n + 63) / 64, ones = 0;
	for (int64_t w = 0; w < nw; w++) {
		uint64_t x = slx_bm_word(mask, w, n);
		if (a->validity != NULL)
			x &= slx_bm_word(a->validity->data, w, n);
		if (w == nw - 1 && (n & 63))
			x &= (UINT64_C(1) << (n & 63)) - 1;
		ones += __builtin_popcountll(x);
		slx_bm_store(v->data, w, x);
	}
	if (ones == n) {
		pool_put(cx->pool, v);
		return slx_out_array(cx, out, a);
	}
	sl_array *ch[8];
	sl_array **children = ch;
	if (a->n_children > 8) {
		children = malloc(a->n_children * sizeof(*children));
		if (children == NULL) {
			sl_buffer_unref(v);
			sl_array_unref(a);
			return slx_oom(cx);
		}
	}
	for (size_t k = 0; k < a->n_children; k++)
		children[k] = sl_array_ref(a->children[k]);
	sl_array *r = sl_array_new(a->type, n, n - ones, v, sl_buffer_ref(a->values),
	                           sl_buffer_ref(a->data), a->n_children, children);
	if (children != ch)
		free(children);
	sl_array_unref(a);
	return slx_out_array(cx, out, r);
}

/* ------------------------------------------------------------ fixed output */

int slx_fixout_init(slx_ctx *cx, slx_fixout *o, size_t width)
{
	memset(o, 0, sizeof(*o));
	o->n = cx->n;
	o->values = width ? slx_buf(cx, (size_t)cx->n * width) : slx_bitmap(cx, cx->n);
	o->valid = slx_bitmap_ones(cx, cx->n);
	if (o->values == NULL || o->valid == NULL) {
		slx_fixout_free(o);
		return slx_oom(cx);
	}
	if (!width)
		memset(o->values->data, 0, o->values->len);
	o->vbits = o->valid->data;
	return 0;
}

int slx_fixout_finish(slx_ctx *cx, slx_fixout *o, sl_type *t, slx_val *out)
{
	if (t->id == SL_TYPE_BOOL)
		slx_bm_clear_tail(o->values->data, o->n);
	int rc = slx_out(cx, out, t, o->nulls, o->valid, o->values, NULL, 0, NULL);
	o->valid = o->values = NULL;
	return rc;
}

void slx_fixout_free(slx_fixout *o)
{
	sl_buffer_unref(o->values);
	sl_buffer_unref(o->valid);
	o->values = o->valid = NULL;
}

/* ------------------------------------------------------------ string output */

int slx_strout_init(slx_ctx *cx, slx_strout *o, int64_t rows, size_t bytes)
{
	memset(o, 0, sizeof(*o));
	if (rows < 16)
		rows = 16;
	o->cap = rows;
	o->offs = slx_buf(cx, (size_t)(rows + 1) * 4);
	o->data = slx_buf(cx, bytes > 64 ? bytes : 64);
	if (o->offs == NULL || o->data == NULL) {
		slx_strout_free(o);
		return slx_oom(cx);
	}
	o->offs->len = 0;
	o->data->len = 0;
	((int32_t *)o->offs->data)[0] = 0;
	return 0;
}

static int strout_rows(slx_strout *o)
{
	if (o->n < o->cap)
		return 0;
	int64_t cap = o->cap * 2;
	o->offs->len = (size_t)(o->n + 1) * 4; /* what reserve must keep */
	if (sl_buffer_reserve(o->offs, (size_t)(cap + 1) * 4) < 0)
		return SL_ENOMEM;
	if (o->valid != NULL) {
		size_t old = sl_bitmap_bytes(o->cap), nb = sl_bitmap_bytes(cap) + 8;
		o->valid->len = old;
		if (sl_buffer_reserve(o->valid, nb) < 0)
			return SL_ENOMEM;
		/* Bits past the old capacity in its last byte are set already. */
		memset(o->valid->data + old, 0xFF, nb - old);
	}
	o->cap = cap;
	return 0;
}

char *slx_strout_reserve(slx_strout *o, size_t extra)
{
	if (o->len + extra + 8 > o->data->cap) {
		if (o->len + extra > (size_t)INT32_MAX)
			return NULL;
		size_t cap = o->data->cap * 2;
		if (cap < o->len + extra + 8)
			cap = o->len + extra + 8;
		o->data->len = o->len; /* what reserve must keep */
		if (sl_buffer_reserve(o->data, cap) < 0)
			return NULL;
	}
	return (char *)o->data->data + o->len;
}

int slx_strout_commit(slx_strout *o, size_t len)
{
	if (o->len + len > (size_t)INT32_MAX)
		return SL_EINVAL;
	if (strout_rows(o) < 0)
		return SL_ENOMEM;
	o->len += len;
	((int32_t *)o->offs->data)[++o->n] = (int32_t)o->len;
	return 0;
}

int slx_strout_append(slx_strout *o, const char *p, size_t len)
{
	char *w = slx_strout_reserve(o, len);
	if (w == NULL)
		return o->len + len > (size_t)INT32_MAX ? SL_EINVAL : SL_ENOMEM;
	if (len)
		memcpy(w, p, len);
	return slx_strout_commit(o, len);
}

int slx_strout_null(slx_strout *o)
{
	if (strout_rows(o) < 0)
		return SL_ENOMEM;
	if (o->valid == NULL) {
		size_t nb = sl_bitmap_bytes(o->cap);
		o->valid = sl_buffer_new(nb + 8);
		if (o->valid == NULL)
			return SL_ENOMEM;
		memset(o->valid->data, 0xFF, nb + 8);
	}
	sl_bit_clear(o->valid->data, o->n);
	o->nulls++;
	((int32_t *)o->offs->data)[o->n + 1] = (int32_t)o->len;
	o->n++;
	return 0;
}

sl_array *slx_strout_finish(slx_strout *o, sl_type *t)
{
	o->offs->len = (size_t)(o->n + 1) * 4;
	o->data->len = o->len;
	sl_buffer *valid = NULL;
	if (o->valid != NULL && o->nulls > 0) {
		valid = o->valid;
		valid->len = sl_bitmap_bytes(o->n);
		slx_bm_clear_tail(valid->data, o->n);
		o->valid = NULL;
	}
	sl_array *a = sl_array_new(t, o->n, o->nulls, valid, o->offs, o->data, 0, NULL);
	o->offs = o->data = NULL;
	slx_strout_free(o);
	return a;
}

void slx_strout_free(slx_strout *o)
{
	sl_buffer_unref(o->offs);
	sl_buffer_unref(o->data);
	sl_buffer_unref(o->valid);
	o->offs = o->data = o->valid = NULL;
}
