/* expr_bind.c - resolves names and types, inserts implicit casts, folds
 * constants.
 *
 * Type rules follow Spark's default (non-ANSI) mode: int64 op int64 is int64
 * (/ is double), int64 op double is double; comparisons need comparable types
 * (numbers with numbers, strings with strings, timestamps with timestamps or
 * strings); AND/OR/NOT need booleans.  Every error points at the character
 * at fault (a byte offset here; sl_expr_compile turns it into characters).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "expr_internal.h"

static int add_col(slx_binder *b, int col)
{
	for (size_t k = 0; k < b->n_cols; k++)
		if (b->cols[k] == col)
			return 0;
	if (b->n_cols == b->cap_cols) {
		size_t cap = b->cap_cols ? b->cap_cols * 2 : 8;
		int *c = realloc(b->cols, cap * sizeof(*c));
		if (c == NULL)
			return SL_ENOMEM;
		b->cols = c;
		b->cap_cols = cap;
	}
	b->cols[b->n_cols++] = col;
	return 0;
}

/* The text of a subtree for messages, into buf. */
static const char *node_text(const slx_node *n, char *buf, size_t size)
{
	sl_strbuf sb = {0};
	if (slx_node_text(n, &sb) < 0 || sb.buf == NULL)
		snprintf(buf, size, "?");
	else if (sb.len >= size)
		snprintf(buf, size, "%.*s...", (int)(size - 4), sb.buf);
	else
		snprintf(buf, size, "%s", sb.buf);
	sl_strbuf_free(&sb);
	return buf;
}

static int make_const(slx_node *n, sl_error *err);

static int bind_lit(slx_node *n, sl_error *err)
{
	switch (n->lit_kind) {
	case SLX_LNULL:
		slx_node_set_type(n, sl_type_null());
		n->nullable = true;
		break;
	case SLX_LBOOL:
		slx_node_set_type(n, sl_type_bool());
		break;
	case SLX_LINT:
		slx_node_set_type(n, sl_type_int64());
		break;
	case SLX_LDOUBLE:
		slx_node_set_type(n, sl_type_double());
		break;
	default:
		slx_node_set_type(n, sl_type_string());
		break;
	}
	return make_const(n, err);
}

/* A 1-row array holding a parsed literal. */
static int make_const(slx_node *n, sl_error *err)
{
	sl_array *a = NULL;
	sl_buffer *v = NULL, *d = NULL;
	switch (n->lit_kind) {
	case SLX_LNULL:
		a = slx_make_nulls(sl_type_null(), 1);
		break;
	case SLX_LBOOL: {
		uint8_t bit = n->lit_b ? 1 : 0;
		v = sl_buffer_copy(&bit, 1);
		a = v ? sl_array_new(sl_type_bool(), 1, 0, NULL, v, NULL, 0, NULL) : NULL;
		break;
	}
	case SLX_LINT:
		v = sl_buffer_copy(&n->lit_i, 8);
		a = v ? sl_array_new(sl_type_int64(), 1, 0, NULL, v, NULL, 0, NULL) : NULL;
		break;
	case SLX_LDOUBLE:
		v = sl_buffer_copy(&n->lit_d, 8);
		a = v ? sl_array_new(sl_type_double(), 1, 0, NULL, v, NULL, 0, NULL) : NULL;
		break;
	default: {
		int32_t offs[2] = {0, (int32_t)n->lit_slen};
		v = sl_buffer_copy(offs, sizeof(offs));
		d = sl_buffer_copy(n->lit_s, n->lit_slen);
		if (v == NULL || d == NULL) {
			sl_buffer_unref(v);
			sl_buffer_unref(d);
		} else {
			a = sl_array_new(sl_type_string(), 1, 0, NULL, v, d, 0, NULL);
		}
		break;
	}
	}
	if (a == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_array_unref(n->cval);
	n->cval = a;
	return 0;
}

static int bind_col(slx_binder *b, slx_node *n, sl_error *err)
{
	int col = sl_schema_find(b->schema, n->name);
	if (col < 0) {
		const char *s = sl_schema_suggest(b->schema, n->name);
		if (s != NULL)
			return slx_err(err, SL_ENOTFOUND, n->pos,
			               "unknown column '%s' (did you mean '%s'?)", n->name, s);
		return slx_err(err, SL_ENOTFOUND, n->pos, "unknown column '%s'", n->name);
	}
	if (add_col(b, col) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	n->col = col;
	n->bound_name = b->schema->fields[col].name;
	slx_node_set_type(n, b->schema->fields[col].type);
	n->nullable = b->schema->fields[col].nullable;
	n->eval = NULL; /* handled by slx_eval */
	return 0;
}

static int bind_field(slx_binder *b, slx_node *n, sl_error *err)
{
	slx_node *c = n->args[0];
	char tn[128], tx[128];
	if (c->type->id != SL_TYPE_STRUCT)
		return slx_err(err, SL_ETYPE, n->op_pos,
		               "cannot take field '%s' of '%s': it is %s, not a STRUCT", n->name,
		               node_text(c, tx, sizeof(tx)),
		               slx_type_name(c->type, tn, sizeof(tn)));
	int f = sl_schema_find(c->type, n->name);
	if (f < 0) {
		const char *s = sl_schema_suggest(c->type, n->name);
		if (s != NULL)
			return slx_err(err, SL_ENOTFOUND, n->op_pos,
			               "no field '%s' in '%s' (did you mean '%s'?)", n->name,
			               node_text(c, tx, sizeof(tx)), s);
		return slx_err(err, SL_ENOTFOUND, n->op_pos, "no field '%s' in '%s'", n->name,
		               node_text(c, tx, sizeof(tx)));
	}
	n->col = f;
	n->bound_name = c->type->fields[f].name;
	slx_node_set_type(n, c->type->fields[f].type);
	n->nullable = c->nullable || c->type->fields[f].nullable;
	n->eval = slx_k_field;
	return 0;
}

static int bind_index(slx_binder *b, slx_node *n, sl_error *err)
{
	slx_node *c = n->args[0];
	char tn[128], tx[128];
	if (c->type->id != SL_TYPE_LIST)
		return slx_err(
		    err, SL_ETYPE, n->op_pos, "cannot index '%s': it is %s, not an ARRAY",
		    node_text(c, tx, sizeof(tx)), slx_type_name(c->type, tn, sizeof(tn)));
	sl_type_id it = n->args[1]->type->id;
	if (it != SL_TYPE_INT64 && it != SL_TYPE_NULL)
		return slx_err(err, SL_ETYPE, n->args[1]->pos,
		               "an array index must be BIGINT, not %s",
		               slx_type_name(n->args[1]->type, tn, sizeof(tn)));
	int rc = slx_coerce(b, &n->args[1], sl_type_int64(), err);
	if (rc < 0)
		return rc;
	slx_node_set_type(n, c->type->fields[0].type);
	n->nullable = true;
	n->eval = slx_k_index;
	return 0;
}

static const char *const arith_ops[] = {"+", "-", "*", "/", "%"};

/* Event-time arithmetic: TIMESTAMP +/- INTERVAL -> TIMESTAMP, INTERVAL +
 * TIMESTAMP -> TIMESTAMP, TIMESTAMP - TIMESTAMP -> BIGINT microseconds,
 * INTERVAL +/- INTERVAL -> INTERVAL.  1: handled; 0: not such a case. */
static int bind_time_arith(slx_node *n, sl_error *err)
{
	slx_node *l = n->args[0], *r = n->args[1];
	bool lt = l->type->id == SL_TYPE_TIMESTAMP, rt = r->type->id == SL_TYPE_TIMESTAMP;
	bool add_sub = n->op == SLX_ADD || n->op == SLX_SUB;
	sl_type *res;

	if (add_sub && lt && r->interval)
		res = sl_type_timestamp();
	else if (n->op == SLX_ADD && l->interval && rt)
		res = sl_type_timestamp();
	else if (n->op == SLX_SUB && lt && rt)
		res = sl_type_int64();
	else if (add_sub && l->interval && r->interval)
		res = sl_type_int64();
	else if (l->interval || r->interval)
		return slx_err(err, SL_ETYPE, n->op_pos,
		               "an INTERVAL can only be added to or subtracted from a TIMESTAMP "
		               "(or another INTERVAL)");
	else
		return 0;
	slx_node_set_type(n, res);
	n->interval = l->interval && r->interval;
	n->nullable = l->nullable || r->nullable;
	n->eval = slx_k_arith;
	return 1;
}

static int bind_arith(slx_binder *b, slx_node *n, sl_error *err)
{
	char tn[128];
	int trc = bind_time_arith(n, err);

	if (trc != 0)
		return trc < 0 ? trc : 0;
	for (size_t k = 0; k < 2; k++) {
		sl_type *t = n->args[k]->type;
		if (!slx_is_numeric(t) && t->id != SL_TYPE_NULL)
			return slx_err(err, SL_ETYPE, n->args[k]->pos,
			               "operator '%s' needs numeric operands, got %s",
			               arith_ops[n->op], slx_type_name(t, tn, sizeof(tn)));
	}
	sl_type *lt = n->args[0]->type, *rt = n->args[1]->type;
	sl_type *res;
	if (n->op == SLX_DIV || lt->id == SL_TYPE_DOUBLE || rt->id == SL_TYPE_DOUBLE)
		res = sl_type_double();
	else
		res = sl_type_int64();
	for (size_t k = 0; k < 2; k++) {
		int rc = slx_coerce(b, &n->args[k], res, err);
		if (rc < 0)
			return rc;
	}
	slx_node_set_type(n, res);
	n->nullable =
	    n->args[0]->nullable || n->args[1]->nullable || n->op == SLX_DIV || n->op == SLX_MOD;
	n->eval = slx_k_arith;
	return 0;
}

static int bind_neg(slx_binder *b, slx_node *n, sl_error *err)
{
	char tn[128];
	sl_type *t = n->args[0]->type;
	if (t->id == SL_TYPE_NULL) {
		int rc = slx_coerce(b, &n->args[0], sl_type_int64(), err);
		if (rc < 0)
			return rc;
		t = n->args[0]->type;
	}
	if (!slx_is_numeric(t))
		return slx_err(err, SL_ETYPE, n->args[0]->pos,
		               "operator '-' needs a numeric operand, got %s",
		               slx_type_name(t, tn, sizeof(tn)));
	slx_node_set_type(n, t);
	n->nullable = n->args[0]->nullable;
	n->eval = slx_k_neg;
	return 0;
}

static int need_bool(slx_binder *b, slx_node *n, size_t k, const char *op, sl_error *err)
{
	char tn[128];
	sl_type *t = n->args[k]->type;
	if (t->id == SL_TYPE_NULL)
		return slx_coerce(b, &n->args[k], sl_type_bool(), err);
	if (t->id != SL_TYPE_BOOL)
		return slx_err(err, SL_ETYPE, n->args[k]->pos, "%s needs BOOLEAN operands, got %s",
		               op, slx_type_name(t, tn, sizeof(tn)));
	return 0;
}

static int bind_logic(slx_binder *b, slx_node *n, sl_error *err)
{
	const char *op = n->kind == SLX_NOT ? "NOT" : n->kind == SLX_AND ? "AND" : "OR";
	for (size_t k = 0; k < n->n_args; k++) {
		int rc = need_bool(b, n, k, op, err);
		if (rc < 0)
			return rc;
	}
	slx_node_set_type(n, sl_type_bool());
	n->nullable = false;
	for (size_t k = 0; k < n->n_args; k++)
		n->nullable |= n->args[k]->nullable;
	n->eval = n->kind == SLX_NOT ? slx_k_not : n->kind == SLX_AND ? slx_k_and : slx_k_or;
	return 0;
}

/* Brings args[first..] to one comparable type. */
static int unify_compare(slx_binder *b, slx_node *n, size_t first, int op_pos, const char *what,
                         sl_error *err)
{
	char t1[128], t2[128];
	sl_type *t = sl_type_ref(n->args[first]->type);
	for (size_t k = first + 1; k < n->n_args; k++) {
		sl_type *u = slx_compare_type(t, n->args[k]->type);
		if (u == NULL) {
			slx_type_name(t, t1, sizeof(t1));
			slx_type_name(n->args[k]->type, t2, sizeof(t2));
			sl_type_unref(t);
			return slx_err(err, SL_ETYPE, op_pos, "cannot compare %s with %s%s", t1, t2,
			               what);
		}
		sl_type_unref(t);
		t = u;
	}
	if (!slx_is_atomic(t)) {
		slx_type_name(t, t1, sizeof(t1));
		sl_type_unref(t);
		return slx_err(err, SL_ETYPE, op_pos, "cannot compare values of type %s%s", t1,
		               what);
	}
	int rc = 0;
	for (size_t k = first; k < n->n_args && rc == 0; k++)
		rc = slx_coerce(b, &n->args[k], t, err);
	sl_type_unref(t);
	return rc;
}

static bool any_nullable(const slx_node *n)
{
	for (size_t k = 0; k < n->n_args; k++)
		if (n->args[k]->nullable)
			return true;
	return false;
}

static int bind_cmp(slx_binder *b, slx_node *n, sl_error *err)
{
	int rc = unify_compare(b, n, 0, n->op_pos, "", err);
	if (rc < 0)
		return rc;
	slx_node_set_type(n, sl_type_bool());
	n->nullable = any_nullable(n);
	switch (n->kind) {
	case SLX_CMP:
		n->eval = slx_k_cmp;
		break;
	case SLX_IN:
		n->eval = slx_k_in;
		break;
	default:
		n->eval = slx_k_between;
		break;
	}
	return 0;
}

static int to_string_arg(slx_binder *b, slx_node *n, size_t k, const char *what, sl_error *err)
{
	char tn[128];
	sl_type *t = n->args[k]->type;
	if (!slx_is_atomic(t))
		return slx_err(err, SL_ETYPE, n->args[k]->pos, "%s needs a STRING, got %s", what,
		               slx_type_name(t, tn, sizeof(tn)));
	return slx_coerce(b, &n->args[k], sl_type_string(), err);
}

static int bind_like(slx_binder *b, slx_node *n, sl_error *err)
{
	for (size_t k = 0; k < 2; k++) {
		int rc = to_string_arg(b, n, k, "LIKE", err);
		if (rc < 0)
			return rc;
	}
	slx_node_set_type(n, sl_type_bool());
	n->nullable = any_nullable(n);
	n->eval = slx_k_like;
	return 0;
}

static int bind_case(slx_binder *b, slx_node *n, sl_error *err)
{
	char t1[128], t2[128];
	size_t first = n->has_operand ? 1 : 0;
	size_t end = n->n_args - (n->has_else ? 1 : 0);
	int rc;
	if (n->has_operand) {
		/* The operand and every WHEN value are compared: one type. */
		sl_type *t = sl_type_ref(n->args[0]->type);
		for (size_t k = first; k < end; k += 2) {
			sl_type *u = slx_compare_type(t, n->args[k]->type);
			if (u == NULL) {
				slx_type_name(t, t1, sizeof(t1));
				slx_type_name(n->args[k]->type, t2, sizeof(t2));
				sl_type_unref(t);
				return slx_err(err, SL_ETYPE, n->args[k]->pos,
				               "cannot compare %s with %s in CASE", t1, t2);
			}
			sl_type_unref(t);
			t = u;
		}
		rc = slx_coerce(b, &n->args[0], t, err);
		for (size_t k = first; k < end && rc == 0; k += 2)
			rc = slx_coerce(b, &n->args[k], t, err);
		sl_type_unref(t);
		if (rc < 0)
			return rc;
	} else {
		for (size_t k = first; k < end; k += 2) {
			if ((rc = need_bool(b, n, k, "WHEN", err)) < 0)
				return rc;
		}
	}
	/* Result: the wider type of every THEN and the ELSE. */
	sl_type *t = NULL;
	for (size_t k = first + 1; k <= n->n_args; k += 2) {
		size_t v = k;
		if (k >= end) {
			if (!n->has_else)
				break;
			v = n->n_args - 1;
		}
		if (t == NULL) {
			t = sl_type_ref(n->args[v]->type);
		} else {
			sl_type *u = slx_wider_type(t, n->args[v]->type);
			if (u == NULL) {
				slx_type_name(t, t1, sizeof(t1));
				slx_type_name(n->args[v]->type, t2, sizeof(t2));
				sl_type_unref(t);
				return slx_err(err, SL_ETYPE, n->args[v]->pos,
				               "CASE branches have incompatible types %s and %s",
				               t1, t2);
			}
			sl_type_unref(t);
			t = u;
		}
		if (k >= end)
			break;
	}
	rc = 0;
	n->nullable = !n->has_else;
	for (size_t k = first + 1; k < end && rc == 0; k += 2) {
		rc = slx_coerce(b, &n->args[k], t, err);
		n->nullable |= n->args[k]->nullable;
	}
	if (rc == 0 && n->has_else) {
		rc = slx_coerce(b, &n->args[n->n_args - 1], t, err);
		n->nullable |= n->args[n->n_args - 1]->nullable;
	}
	slx_node_set_type(n, t);
	sl_type_unref(t);
	n->eval = slx_k_case;
	return rc;
}

static int bind_cast(slx_binder *b, slx_node *n, sl_error *err)
{
	char t1[128], t2[128];
	slx_node *c = n->args[0];
	if (!slx_can_cast(c->type, n->cast_type))
		return slx_err(err, SL_ETYPE, n->pos, "cannot cast %s to %s",
		               slx_type_name(c->type, t1, sizeof(t1)),
		               slx_type_name(n->cast_type, t2, sizeof(t2)));
	slx_node_set_type(n, n->cast_type);
	n->nullable = c->nullable || slx_cast_may_fail(c->type, n->cast_type);
	n->eval = slx_k_cast;
	return 0;
}

/* f(*) of a function that takes the input's columns (struct(*)): the node
 * gets one column reference per input column, bound here. */
static int expand_star(slx_binder *b, slx_node *n, sl_error *err)
{
	const sl_schema *s = b->schema;
	int rc;

	if (s->n_fields == 0)
		return slx_err(err, SL_EINVAL, n->op_pos, "struct(*): the input has no columns");
	n->args = slx_alloc(&b->tree->arena, s->n_fields * sizeof(*n->args));
	if (n->args == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t k = 0; k < s->n_fields; k++) {
		slx_node *c = slx_node_new(b->tree, SLX_COL, n->pos);
		if (c == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		c->name = s->fields[k].name;
		n->args[k] = c;
		n->n_args = k + 1;
		if ((rc = slx_bind(b, &n->args[k], err)) < 0)
			return rc;
	}
	if (n->depth < 2)
		n->depth = 2;
	n->star = false; /* named after its columns, as Spark does */
	return 0;
}

static int bind_call(slx_binder *b, slx_node *n, sl_error *err)
{
	int rc;

	const slx_func *fn = slx_func_find(n->name);
	if (fn == NULL) {
		const char *s = slx_func_suggest(n->name);
		if (s != NULL)
			return slx_err(err, SL_ENOTFOUND, n->op_pos,
			               "unknown function '%s' (did you mean '%s'?)", n->name, s);
		return slx_err(err, SL_ENOTFOUND, n->op_pos, "unknown function '%s'", n->name);
	}
	if (fn->flags & SLX_F_AGG) {
		if (n != b->root || !(b->flags & SL_EXPR_ALLOW_AGGREGATE))
			return slx_err(err, SL_EINVAL, n->op_pos,
			               "%s is only allowed at the top of an aggregate stage's "
			               "expression",
			               fn->name);
	}
	if (fn->flags & SLX_F_GEN) {
		if (n != b->root || !(b->flags & SL_EXPR_ALLOW_GENERATOR))
			return slx_err(
			    err, SL_EINVAL, n->op_pos,
			    "%s is only allowed at the top of an explode stage's expression",
			    fn->name);
	}
	if (n->star && !(fn->flags & SLX_F_STAR))
		return slx_err(err, SL_EINVAL, n->op_pos, "%s(*) is not allowed; only count(*)",
		               fn->name);
	n->fn = fn;
	if (n->star && n->n_args == 0 && (fn->flags & SLX_F_STAR_COLS) &&
	    (rc = expand_star(b, n, err)) < 0)
		return rc;
	return slx_func_bind(b, n, err);
}

int slx_bind(slx_binder *b, slx_node **pn, sl_error *err)
{
	slx_node *n = *pn;
	int rc;
	if (n->kind == SLX_STAR) {
		if (n != b->root || !(b->flags & SL_EXPR_ALLOW_STAR))
			return slx_err(err, SL_EINVAL, n->pos,
			               "'*' is only allowed on its own, to select every column");
		if (b->tree->has_alias)
			return slx_err(err, SL_EINVAL, b->tree->alias_pos,
			               "'*' cannot have an alias");
		slx_node_set_type(n, (sl_type *)b->schema);
		return 0;
	}
	/* Aggregates and generators at the root bind their arguments as
	 * roots of their own, so they may not nest. */
	for (size_t k = 0; k < n->n_args; k++) {
		if ((rc = slx_bind(b, &n->args[k], err)) < 0)
			return rc;
	}
	switch (n->kind) {
	case SLX_LIT:
		return bind_lit(n, err);
	case SLX_COL:
		return bind_col(b, n, err);
	case SLX_FIELD:
		return bind_field(b, n, err);
	case SLX_INDEX:
		return bind_index(b, n, err);
	case SLX_NEG:
		return bind_neg(b, n, err);
	case SLX_NOT:
	case SLX_AND:
	case SLX_OR:
		return bind_logic(b, n, err);
	case SLX_ARITH:
		return bind_arith(b, n, err);
	case SLX_CMP:
	case SLX_IN:
	case SLX_BETWEEN:
		return bind_cmp(b, n, err);
	case SLX_ISNULL:
		slx_node_set_type(n, sl_type_bool());
		n->nullable = false;
		n->eval = slx_k_isnull;
		return 0;
	case SLX_LIKE:
		return bind_like(b, n, err);
	case SLX_CASE:
		return bind_case(b, n, err);
	case SLX_CAST:
		return bind_cast(b, n, err);
	case SLX_CALL:
		return bind_call(b, n, err);
	default:
		return slx_err(err, SL_EINVAL, n->pos, "unexpected expression");
	}
}

/* ---------------------------------------------------------------- folding */

static void free_pool_tmp(slx_pool *p)
{
	slx_pool_free(p);
}

/* Evaluates a node whose arguments are all constants into a constant. */
static int fold_node(slx_node *n, sl_error *err)
{
	slx_pool pool = {0};
	slx_ctx cx = {.in = NULL, .n = 1, .fold = true, .pool = &pool, .err = err};
	slx_val v = {0};
	int rc = slx_eval(&cx, n, &v);
	if (rc < 0) {
		free_pool_tmp(&pool);
		return rc;
	}
	sl_array *a = v.arr;
	v.arr = NULL;
	if (v.scalar || a == NULL || a->length != 1) {
		sl_array_unref(a);
		free_pool_tmp(&pool);
		return slx_err(err, SL_ERR, n->pos, "internal error: folding gave no value");
	}
	free_pool_tmp(&pool);
	sl_array_unref(n->cval);
	n->cval = a;
	n->kind = SLX_LIT;
	n->nullable = a->null_count > 0;
	n->eval = NULL;
	return 0;
}

int slx_fold(slx_binder *b, slx_node **pn, sl_error *err)
{
	slx_node *n = *pn;
	int rc;
	bool all_const = true;
	if (n->kind == SLX_LIT || n->kind == SLX_COL || n->kind == SLX_STAR)
		return 0;
	for (size_t k = 0; k < n->n_args; k++) {
		if ((rc = slx_fold(b, &n->args[k], err)) < 0)
			return rc;
		if (n->args[k]->kind != SLX_LIT)
			all_const = false;
	}
	if (n->kind == SLX_CALL && n->fn->prepare != NULL) {
		if ((rc = n->fn->prepare(n, err)) < 0)
			return rc;
	} else if (n->kind == SLX_LIKE) {
		if ((rc = slx_like_prepare(n, err)) < 0)
			return rc;
	}
	if (n->kind == SLX_CALL && (n->fn->flags & (SLX_F_AGG | SLX_F_GEN)))
		return 0;
	if (all_const)
		return fold_node(n, err);
	return 0;
}
