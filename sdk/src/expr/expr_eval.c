/* expr_eval.c - the tree walk: a node evaluates to an slx_val, a column of
 * cx->n rows, or a scalar (only constants are scalars: every other node has
 * at least one column argument, since constant subtrees are folded at
 * compile time).  The results' memory is expr_vec.c's. */
#include "config.h"

#include <stdlib.h>

#include "expr_internal.h"

/* ------------------------------------------------------------------- walk */

static int eval_col(slx_ctx *cx, slx_node *n, slx_val *out)
{
	sl_array *a = cx->in->columns[n->col];
	memset(out, 0, sizeof(*out));
	bool needs_values = a->type->id != SL_TYPE_NULL && a->type->id != SL_TYPE_STRUCT;
	if (a->type->id == SL_TYPE_NULL || (needs_values && a->values == NULL) ||
	    ((a->type->id == SL_TYPE_STRING || a->type->id == SL_TYPE_BINARY) && a->data == NULL) ||
	    (a->null_count > 0 && a->validity == NULL)) {
		/* All-null columns built without buffers: make them regular. */
		out->arr = slx_make_nulls(n->type, cx->n);
		return out->arr ? 0 : slx_oom(cx);
	}
	out->arr = sl_array_ref(a);
	return 0;
}

int slx_eval(slx_ctx *cx, slx_node *n, slx_val *out)
{
	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case SLX_LIT:
		slx_val_from_const(out, n->cval, cx->fold);
		return 0;
	case SLX_COL:
		if (cx->in == NULL)
			return slx_err(cx->err, SL_ESTATE, n->pos, "no input to evaluate");
		return eval_col(cx, n, out);
	case SLX_STAR:
		return sl_error_set(cx->err, SL_ESTATE, "'*' cannot be evaluated as a value");
	default:
		break;
	}
	if (n->eval == NULL)
		return sl_error_set(cx->err, SL_ESTATE, "cannot evaluate '%s' here",
		                    n->fn ? n->fn->name : "expression");
	slx_val stack[4];
	slx_val *args = stack;
	int rc = 0;
	size_t done = 0;
	if (n->n_args > 4) {
		args = calloc(n->n_args, sizeof(*args));
		if (args == NULL)
			return slx_oom(cx);
	}
	for (; done < n->n_args; done++) {
		if ((rc = slx_eval(cx, n->args[done], &args[done])) < 0)
			goto out;
	}
	rc = n->eval(cx, n, args, out);
out:
	for (size_t k = 0; k < done; k++)
		slx_val_drop(cx, &args[k]);
	if (args != stack)
		free(args);
	return rc;
}
