/* expr_list.c - struct fields and lists: a.b, a[i], element_at, size,
 * array_contains, array_join, array(...).
 *
 * A struct field shares the child column (with the struct's nulls added);
 * list elements are gathered with sl_array_take.
 */
#include "config.h"

#include <stdlib.h>

#include "expr_funcs.h"

int slx_k_field(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *s = args[0].arr;
	sl_array *child = sl_array_ref(s->children[n->col]);
	if (s->validity == NULL)
		return slx_out_array(cx, out, child);
	return slx_with_mask(cx, child, s->validity->data, out);
}

/* Gathers element idx[i] (an index into the list's child, or < 0 for NULL)
 * of every row.  idx is modified. */
static int gather(slx_ctx *cx, slx_node *n, const sl_array *list, int32_t *idx, slx_val *out)
{
	int64_t rows = cx->n;
	const sl_array *child = list->children[0];
	sl_buffer *mask = NULL;
	for (int64_t i = 0; i < rows; i++) {
		if (idx[i] >= 0)
			continue;
		if (mask == NULL && (mask = slx_bitmap_ones(cx, rows)) == NULL)
			return slx_oom(cx);
		sl_bit_clear(mask->data, i);
		idx[i] = 0;
	}
	if (child->length == 0) {
		slx_buf_release(cx, mask);
		return slx_out_nulls(cx, n, out);
	}
	sl_array *t = sl_array_take(child, idx, rows);
	if (t == NULL) {
		slx_buf_release(cx, mask);
		return slx_oom(cx);
	}
	int rc = slx_with_mask(cx, t, mask ? mask->data : NULL, out);
	slx_buf_release(cx, mask);
	return rc;
}

static int index_common(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, bool one_based)
{
	const sl_array *l = args[0].arr;
	int64_t rows = cx->n;
	sl_buffer *hb = slx_buf(cx, (size_t)rows * 4 + 4);
	if (hb == NULL)
		return slx_oom(cx);
	int32_t *idx = (int32_t *)hb->data;
	const int32_t *o = sl_array_offsets(l);
	for (int64_t i = 0; i < rows; i++) {
		idx[i] = -1;
		if (slx_null(&args[0], i) || slx_null(&args[1], i))
			continue;
		int64_t k = slx_i64(&args[1], i), len = o[i + 1] - o[i];
		if (one_based) {
			if (k > 0)
				k -= 1;
			else if (k < 0)
				k += len;
			else
				continue;
		}
		if (k >= 0 && k < len)
			idx[i] = (int32_t)(o[i] + k);
	}
	int rc = gather(cx, n, l, idx, out);
	slx_buf_release(cx, hb);
	return rc;
}

int slx_k_index(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return index_common(cx, n, args, out, false);
}

int slx_f_element_at(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return index_common(cx, n, args, out, true);
}

int slx_f_size(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *l = args[0].arr;
	sl_buffer *vb = slx_buf(cx, (size_t)cx->n * 8);
	if (vb == NULL)
		return slx_oom(cx);
	int64_t *r = (int64_t *)vb->data;
	const int32_t *o = sl_array_offsets(l);
	for (int64_t i = 0; i < cx->n; i++)
		r[i] = sl_array_is_null(l, i) ? -1 : o[i + 1] - o[i];
	return slx_out(cx, out, sl_type_int64(), 0, NULL, vb, NULL, 0, NULL);
}

int slx_f_array_contains(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *l = args[0].arr;
	const sl_array *el = l->children[0];
	const sl_type *et = n->args[0]->type->fields[0].type;
	slx_val ev = {.arr = (sl_array *)el};
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	const int32_t *o = sl_array_offsets(l);
	for (int64_t i = 0; i < cx->n; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i) || et->id == SL_TYPE_NULL) {
			slx_fixout_null(&fo, i);
			continue;
		}
		bool found = false, saw_null = false;
		for (int32_t k = o[i]; k < o[i + 1] && !found; k++) {
			if (sl_array_is_null(el, k))
				saw_null = true;
			else if (slx_cmp_rows(et, &ev, k, &args[1], i) == 0)
				found = true;
		}
		if (found)
			sl_bit_set(fo.values->data, i);
		else if (saw_null)
			slx_fixout_null(&fo, i);
	}
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}

int slx_f_array_join(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	const sl_array *l = args[0].arr;
	const sl_array *el = l->children[0];
	const int32_t *o = sl_array_offsets(l);
	slx_strout so;
	int rc = slx_strout_init(cx, &so, cx->n, el->data ? el->data->len : 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n && rc == 0; i++) {
		if (slx_null(&args[0], i) || slx_null(&args[1], i)) {
			rc = slx_strout_null(&so);
			continue;
		}
		sl_strview sep = slx_str(&args[1], i);
		bool has_rep = n->n_args > 2 && !slx_null(&args[2], i);
		sl_strview rep = has_rep ? slx_str(&args[2], i) : (sl_strview){"", 0};
		size_t len = 0;
		bool first = true;
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			bool isnull = sl_array_is_null(el, k);
			if (isnull && !has_rep)
				continue;
			len += (first ? 0 : sep.len) + (isnull ? rep.len : slx_arr_str(el, k).len);
			first = false;
		}
		char *w = slx_strout_reserve(&so, len);
		if (w == NULL) {
			rc = len > (size_t)INT32_MAX ? SL_EINVAL : SL_ENOMEM;
			break;
		}
		first = true;
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			bool isnull = sl_array_is_null(el, k);
			if (isnull && !has_rep)
				continue;
			if (!first) {
				memcpy(w, sep.ptr, sep.len);
				w += sep.len;
			}
			sl_strview s = isnull ? rep : slx_arr_str(el, k);
			memcpy(w, s.ptr, s.len);
			w += s.len;
			first = false;
		}
		rc = slx_strout_commit(&so, len);
	}
	if (rc < 0) {
		slx_strout_free(&so);
		return rc == SL_EINVAL
		           ? sl_error_set(cx->err, rc, "string column larger than 2 GiB")
		           : slx_oom(cx);
	}
	return slx_out_array(cx, out, slx_strout_finish(&so, sl_type_string()));
}

int slx_f_array(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	size_t k = n->n_args;
	sl_type *et = n->type->fields[0].type;
	if ((double)rows * (double)k > (double)INT32_MAX)
		return sl_error_set(cx->err, SL_EINVAL, "array: result too large");
	sl_buffer *lo = slx_buf(cx, (size_t)(rows + 1) * 4);
	if (lo == NULL)
		return slx_oom(cx);
	int32_t *o = (int32_t *)lo->data;
	for (int64_t i = 0; i <= rows; i++)
		o[i] = (int32_t)(i * (int64_t)k);
	sl_array *child;
	if (et->id == SL_TYPE_NULL) {
		child = slx_make_nulls(et, rows * (int64_t)k);
	} else {
		sl_builder *b = sl_builder_new(et, rows * (int64_t)k);
		int rc = b ? 0 : SL_ENOMEM;
		for (int64_t i = 0; i < rows && rc >= 0; i++) {
			for (size_t j = 0; j < k && rc >= 0; j++) {
				if (slx_null(&args[j], i))
					rc = sl_builder_append_null(b);
				else
					rc = sl_builder_append_from(b, args[j].arr,
					                            slx_row(&args[j], i));
			}
		}
		child = rc >= 0 ? sl_builder_finish(b) : NULL;
		sl_builder_free(b);
	}
	if (child == NULL) {
		sl_buffer_unref(lo);
		return slx_oom(cx);
	}
	return slx_out(cx, out, n->type, 0, NULL, lo, NULL, 1, &child);
}
