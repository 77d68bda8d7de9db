/* expr_cond.c - conditionals: CASE, if, coalesce, nullif, nvl2, greatest,
 * least.
 *
 * Every branch is evaluated over the whole batch (expressions have no side
 * effects and failed casts give NULL), then one pass picks, for each row,
 * which branch supplies its value (slx_choose).
 */
#include "config.h"

#include <stdlib.h>

#include "expr_funcs.h"

int slx_choose(slx_ctx *cx, sl_type *t, const slx_val *srcs, size_t k, const int32_t *pick,
               slx_val *out)
{
	int64_t n = cx->n;
	slx_fixout fo;
	int rc;
	(void)k;
	switch (t->id) {
	case SL_TYPE_NULL:
		return slx_out_array(cx, out, slx_make_nulls(t, n));
	case SL_TYPE_BOOL:
		if ((rc = slx_fixout_init(cx, &fo, 0)) < 0)
			return rc;
		for (int64_t i = 0; i < n; i++) {
			int32_t p = pick[i];
			if (p < 0 || slx_null(&srcs[p], i))
				slx_fixout_null(&fo, i);
			else if (slx_bool(&srcs[p], i))
				sl_bit_set(fo.values->data, i);
		}
		return slx_fixout_finish(cx, &fo, t, out);
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
	case SL_TYPE_DOUBLE: {
		if ((rc = slx_fixout_init(cx, &fo, 8)) < 0)
			return rc;
		int64_t *r = (int64_t *)fo.values->data;
		for (int64_t i = 0; i < n; i++) {
			int32_t p = pick[i];
			if (p < 0 || slx_null(&srcs[p], i)) {
				slx_fixout_null(&fo, i);
				r[i] = 0;
			} else if (t->id == SL_TYPE_DOUBLE) {
				double d = slx_f64(&srcs[p], i);
				memcpy(&r[i], &d, 8);
			} else {
				r[i] = slx_i64(&srcs[p], i);
			}
		}
		return slx_fixout_finish(cx, &fo, t, out);
	}
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		size_t bytes = 0;
		for (int64_t i = 0; i < n; i++) {
			int32_t p = pick[i];
			if (p >= 0 && !slx_null(&srcs[p], i))
				bytes += slx_str(&srcs[p], i).len;
		}
		slx_strout so;
		if ((rc = slx_strout_init(cx, &so, n, bytes)) < 0)
			return rc;
		for (int64_t i = 0; i < n && rc == 0; i++) {
			int32_t p = pick[i];
			if (p < 0 || slx_null(&srcs[p], i)) {
				rc = slx_strout_null(&so);
			} else {
				sl_strview s = slx_str(&srcs[p], i);
				rc = slx_strout_append(&so, s.ptr, s.len);
			}
		}
		if (rc < 0) {
			slx_strout_free(&so);
			return rc == SL_EINVAL
			           ? sl_error_set(cx->err, rc, "string column too large")
			           : slx_oom(cx);
		}
		return slx_out_array(cx, out, slx_strout_finish(&so, t));
	}
	default: {
		sl_builder *b = sl_builder_new(t, n);
		if (b == NULL)
			return slx_oom(cx);
		rc = 0;
		for (int64_t i = 0; i < n && rc >= 0; i++) {
			int32_t p = pick[i];
			if (p < 0 || slx_null(&srcs[p], i))
				rc = sl_builder_append_null(b);
			else
				rc = sl_builder_append_from(b, srcs[p].arr, slx_row(&srcs[p], i));
		}
		sl_array *a = rc >= 0 ? sl_builder_finish(b) : NULL;
		sl_builder_free(b);
		return slx_out_array(cx, out, a);
	}
	}
}

/* The pick array lives in a pooled buffer. */
static int32_t *pick_alloc(slx_ctx *cx, sl_buffer **holder)
{
	*holder = slx_buf(cx, (size_t)cx->n * 4);
	return *holder ? (int32_t *)(*holder)->data : NULL;
}

static void pick_free(slx_ctx *cx, sl_buffer *holder)
{
	if (holder != NULL)
		slx_buf_release(cx, holder);
}

static inline bool is_true(const slx_val *c, int64_t i)
{
	return !slx_null(c, i) && slx_bool(c, i);
}

int slx_k_case(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	int64_t rows = cx->n;
	size_t first = n->has_operand ? 1 : 0;
	size_t end = n->n_args - (n->has_else ? 1 : 0);
	size_t nb = (end - first) / 2;
	slx_val *srcs = calloc(nb + 1, sizeof(*srcs));
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	int rc = 0;
	if (srcs == NULL || pick == NULL) {
		rc = slx_oom(cx);
		goto done;
	}
	for (int64_t i = 0; i < rows; i++)
		pick[i] = -2;
	for (size_t j = 0; j < nb; j++) {
		slx_val *when = &args[first + 2 * j];
		slx_val eq = {0};
		const slx_val *c = when;
		srcs[j] = args[first + 2 * j + 1];
		if (n->has_operand) {
			if ((rc = slx_compare(cx, SLX_EQ, &args[0], when, &eq)) < 0)
				goto done;
			c = &eq;
		}
		for (int64_t i = 0; i < rows; i++)
			if (pick[i] == -2 && is_true(c, i))
				pick[i] = (int32_t)j;
		slx_val_drop(cx, &eq);
	}
	int32_t other = -1;
	if (n->has_else) {
		srcs[nb] = args[n->n_args - 1];
		other = (int32_t)nb;
	}
	for (int64_t i = 0; i < rows; i++)
		if (pick[i] == -2)
			pick[i] = other;
	rc = slx_choose(cx, n->type, srcs, nb + 1, pick, out);
done:
	free(srcs);
	pick_free(cx, holder);
	return rc;
}

int slx_k_if(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	if (pick == NULL)
		return slx_oom(cx);
	for (int64_t i = 0; i < cx->n; i++)
		pick[i] = is_true(&args[0], i) ? 0 : 1;
	int rc = slx_choose(cx, n->type, &args[1], 2, pick, out);
	pick_free(cx, holder);
	return rc;
}

int slx_k_nvl2(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	if (pick == NULL)
		return slx_oom(cx);
	for (int64_t i = 0; i < cx->n; i++)
		pick[i] = slx_null(&args[0], i) ? 1 : 0;
	int rc = slx_choose(cx, n->type, &args[1], 2, pick, out);
	pick_free(cx, holder);
	return rc;
}

int slx_k_coalesce(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	/* A first argument without nulls is the answer as it is. */
	if (n->n_args > 0 && !args[0].scalar && args[0].arr->null_count == 0) {
		out->arr = sl_array_ref(args[0].arr);
		out->scalar = false;
		return 0;
	}
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	if (pick == NULL)
		return slx_oom(cx);
	for (int64_t i = 0; i < cx->n; i++) {
		pick[i] = -1;
		for (size_t j = 0; j < n->n_args; j++) {
			if (!slx_null(&args[j], i)) {
				pick[i] = (int32_t)j;
				break;
			}
		}
	}
	int rc = slx_choose(cx, n->type, args, n->n_args, pick, out);
	pick_free(cx, holder);
	return rc;
}

int slx_k_nullif(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	slx_val eq = {0};
	int rc = slx_compare(cx, SLX_EQ, &args[0], &args[1], &eq);
	if (rc < 0)
		return rc;
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	if (pick == NULL) {
		slx_val_drop(cx, &eq);
		return slx_oom(cx);
	}
	for (int64_t i = 0; i < cx->n; i++)
		pick[i] = is_true(&eq, i) ? -1 : 0;
	slx_val_drop(cx, &eq);
	rc = slx_choose(cx, n->type, args, 1, pick, out);
	pick_free(cx, holder);
	return rc;
}

static int extreme(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out, int sign)
{
	sl_buffer *holder = NULL;
	int32_t *pick = pick_alloc(cx, &holder);
	if (pick == NULL)
		return slx_oom(cx);
	for (int64_t i = 0; i < cx->n; i++) {
		int32_t best = -1;
		for (size_t j = 0; j < n->n_args; j++) {
			if (slx_null(&args[j], i))
				continue;
			if (best < 0 ||
			    sign * slx_cmp_rows(n->type, &args[j], i, &args[best], i) > 0)
				best = (int32_t)j;
		}
		pick[i] = best;
	}
	int rc = slx_choose(cx, n->type, args, n->n_args, pick, out);
	pick_free(cx, holder);
	return rc;
}

int slx_k_greatest(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return extreme(cx, n, args, out, 1);
}

int slx_k_least(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return extreme(cx, n, args, out, -1);
}

static int null_test(slx_ctx *cx, slx_val *args, slx_val *out, bool want_null)
{
	slx_fixout fo;
	int rc = slx_fixout_init(cx, &fo, 0);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < cx->n; i++)
		if (slx_null(&args[0], i) == want_null)
			sl_bit_set(fo.values->data, i);
	return slx_fixout_finish(cx, &fo, sl_type_bool(), out);
}

int slx_f_isnull(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return null_test(cx, args, out, true);
}

int slx_f_isnotnull(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return null_test(cx, args, out, false);
}
