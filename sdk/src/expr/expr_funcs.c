/* expr_funcs.c - the function table (see expr_funcs.h) and the binding of
 * calls: arity, implicit casts of arguments, result types.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "expr_funcs.h"

#define SLX_ENTRY(nm, mn, mx, sig, ret, fl, bind, prep, ev)                                        \
	{nm, mn, mx, sig, ret, fl, bind, prep, ev},
#define SLX_NAME(nm, mn, mx, sig, ret, fl, bind, prep, ev) nm,

static const slx_func scalar_funcs[] = {SLX_SCALAR_FUNCS(SLX_ENTRY)};
static const slx_func root_funcs[] = {SLX_ROOT_FUNCS(SLX_ENTRY)};
static const char *const scalar_names[] = {SLX_SCALAR_FUNCS(SLX_NAME) NULL};
static const char *const all_names[] = {SLX_SCALAR_FUNCS(SLX_NAME) SLX_ROOT_FUNCS(SLX_NAME) NULL};

#define N_SCALAR (sizeof(scalar_funcs) / sizeof(scalar_funcs[0]))
#define N_ROOT (sizeof(root_funcs) / sizeof(root_funcs[0]))

const char *const *sl_expr_functions(void)
{
	return scalar_names;
}

const slx_func *slx_func_find(const char *name)
{
	/* The scalar table is sorted: binary search. */
	size_t lo = 0, hi = N_SCALAR;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, scalar_funcs[mid].name);
		if (c == 0)
			return &scalar_funcs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t k = 0; k < N_ROOT; k++)
		if (strcmp(name, root_funcs[k].name) == 0)
			return &root_funcs[k];
	return NULL;
}

const char *slx_func_suggest(const char *name)
{
	return sl_did_you_mean(name, all_names, N_SCALAR + N_ROOT);
}

static const char *ordinal_arg(size_t k, char *buf, size_t size)
{
	snprintf(buf, size, "argument %zu", k + 1);
	return buf;
}

static int arg_type_error(slx_node *n, size_t k, const char *want, sl_error *err)
{
	char tn[128], an[32];
	return slx_err(err, SL_ETYPE, n->args[k]->pos, "function '%s' needs %s as %s, got %s",
	               n->fn->name, want, ordinal_arg(k, an, sizeof(an)),
	               slx_type_name(n->args[k]->type, tn, sizeof(tn)));
}

static bool is_num(const sl_type *t)
{
	return t->id == SL_TYPE_INT64 || t->id == SL_TYPE_DOUBLE;
}

static int coerce_arg(slx_binder *b, slx_node *n, size_t k, char want, sl_type *wide, sl_error *err)
{
	sl_type *t = n->args[k]->type;
	sl_type_id id = t->id;
	switch (want) {
	case 'S':
		if (!slx_is_atomic(t))
			return arg_type_error(n, k, "a STRING", err);
		return slx_coerce(b, &n->args[k], sl_type_string(), err);
	case 'I':
		if (id != SL_TYPE_INT64 && id != SL_TYPE_NULL && id != SL_TYPE_DOUBLE &&
		    id != SL_TYPE_STRING)
			return arg_type_error(n, k, "a BIGINT", err);
		return slx_coerce(b, &n->args[k], sl_type_int64(), err);
	case 'D':
		if (!is_num(t) && id != SL_TYPE_NULL && id != SL_TYPE_STRING)
			return arg_type_error(n, k, "a DOUBLE", err);
		return slx_coerce(b, &n->args[k], sl_type_double(), err);
	case 'N':
		if (is_num(t))
			return 0;
		if (id == SL_TYPE_NULL)
			return slx_coerce(b, &n->args[k], sl_type_int64(), err);
		if (id == SL_TYPE_STRING)
			return slx_coerce(b, &n->args[k], sl_type_double(), err);
		return arg_type_error(n, k, "a number", err);
	case 'B':
		if (id != SL_TYPE_BOOL && id != SL_TYPE_NULL)
			return arg_type_error(n, k, "a BOOLEAN", err);
		return slx_coerce(b, &n->args[k], sl_type_bool(), err);
	case 'T':
		if (id != SL_TYPE_TIMESTAMP && id != SL_TYPE_NULL && id != SL_TYPE_STRING)
			return arg_type_error(n, k, "a TIMESTAMP", err);
		return slx_coerce(b, &n->args[k], sl_type_timestamp(), err);
	case 'L':
		if (id == SL_TYPE_NULL) {
			sl_type *l = sl_type_list(sl_type_string(), true);
			if (l == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
			int rc = slx_coerce(b, &n->args[k], l, err);
			sl_type_unref(l);
			return rc;
		}
		if (id != SL_TYPE_LIST)
			return arg_type_error(n, k, "an ARRAY", err);
		return 0;
	case 'W':
	case 'C':
		return slx_coerce(b, &n->args[k], wide, err);
	default:
		return 0;
	}
}

static char sig_at(const char *sig, size_t k)
{
	size_t len = strlen(sig);
	if (len == 0)
		return 'A';
	return sig[k < len ? k : len - 1];
}

int slx_func_bind(slx_binder *b, slx_node *n, sl_error *err)
{
	const slx_func *fn = n->fn;
	size_t na = n->n_args;
	char t1[128], t2[128];
	int rc = 0;
	if ((int)na < fn->min_args || (fn->max_args >= 0 && (int)na > fn->max_args)) {
		if (n->star && fn->min_args == 0) {
			/* count(*) */
		} else if (fn->min_args == fn->max_args) {
			return slx_err(err, SL_EINVAL, n->op_pos,
			               "function '%s' takes %d argument%s, got %zu", fn->name,
			               fn->min_args, fn->min_args == 1 ? "" : "s", na);
		} else if (fn->max_args < 0) {
			return slx_err(err, SL_EINVAL, n->op_pos,
			               "function '%s' takes at least %d argument%s, got %zu",
			               fn->name, fn->min_args, fn->min_args == 1 ? "" : "s", na);
		} else {
			return slx_err(err, SL_EINVAL, n->op_pos,
			               "function '%s' takes %d to %d arguments, got %zu", fn->name,
			               fn->min_args, fn->max_args, na);
		}
	}
	/* The common type of the W (wider) or C (comparison) arguments. */
	sl_type *wide = NULL;
	for (size_t k = 0; k < na; k++) {
		char c = sig_at(fn->sig, k);
		if (c != 'W' && c != 'C')
			continue;
		if (wide == NULL) {
			wide = sl_type_ref(n->args[k]->type);
			continue;
		}
		sl_type *u = c == 'W' ? slx_wider_type(wide, n->args[k]->type)
		                      : slx_compare_type(wide, n->args[k]->type);
		if (u == NULL) {
			slx_type_name(wide, t1, sizeof(t1));
			slx_type_name(n->args[k]->type, t2, sizeof(t2));
			sl_type_unref(wide);
			return slx_err(err, SL_ETYPE, n->args[k]->pos,
			               "function '%s' needs arguments of one type, got %s and %s",
			               fn->name, t1, t2);
		}
		sl_type_unref(wide);
		wide = u;
	}
	for (size_t k = 0; k < na && rc == 0; k++)
		rc = coerce_arg(b, n, k, sig_at(fn->sig, k), wide, err);
	if (rc < 0)
		goto done;
	sl_type *res = NULL, *owned = NULL;
	switch (fn->ret) {
	case 'S':
		res = sl_type_string();
		break;
	case 'I':
		res = sl_type_int64();
		break;
	case 'D':
		res = sl_type_double();
		break;
	case 'B':
		res = sl_type_bool();
		break;
	case 'T':
		res = sl_type_timestamp();
		break;
	case '0':
		res = na > 0 ? n->args[0]->type : sl_type_null();
		break;
	case 'W':
		res = wide ? wide : sl_type_null();
		break;
	case 'e':
		res = n->args[0]->type->fields[0].type;
		break;
	case 'L':
		res = owned = sl_type_list(sl_type_string(), false);
		break;
	case 'a':
		res = owned = sl_type_list(wide ? wide : sl_type_null(), true);
		break;
	default:
		res = sl_type_null();
		break;
	}
	if (res == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	slx_node_set_type(n, res);
	sl_type_unref(owned);
	n->nullable = (fn->flags & SLX_F_NULLABLE) != 0;
	for (size_t k = 0; k < na; k++)
		n->nullable |= n->args[k]->nullable;
	if (fn->flags & SLX_F_NONNULL)
		n->nullable = false;
	n->eval = fn->eval;
	if (fn->bind != NULL)
		rc = fn->bind(b, n, err);
done:
	sl_type_unref(wide);
	return rc;
}

/* ------------------------------------------------------------ bind hooks */

int slx_bind_coalesce(slx_binder *b, slx_node *n, sl_error *err)
{
	n->nullable = true;
	for (size_t k = 0; k < n->n_args; k++)
		n->nullable &= n->args[k]->nullable;
	return 0;
}

int slx_bind_extreme(slx_binder *b, slx_node *n, sl_error *err)
{
	char tn[128];
	if (!slx_type_orderable(n->type))
		return slx_err(err, SL_ETYPE, n->args[0]->pos, "function '%s' cannot order %s",
		               n->fn->name, slx_type_name(n->type, tn, sizeof(tn)));
	if (n->fn->eval != NULL) {
		/* greatest/least skip NULLs: NULL only when all are. */
		n->nullable = true;
		for (size_t k = 0; k < n->n_args; k++)
			n->nullable &= n->args[k]->nullable;
	}
	return 0;
}

int slx_bind_numeric(slx_binder *b, slx_node *n, sl_error *err)
{
	char tn[128];
	if (n->type->id == SL_TYPE_NULL) {
		int rc = 0;
		for (size_t k = 0; k < n->n_args && rc == 0; k++)
			rc = slx_coerce(b, &n->args[k], sl_type_int64(), err);
		slx_node_set_type(n, sl_type_int64());
		return rc;
	}
	if (!is_num(n->type))
		return slx_err(err, SL_ETYPE, n->args[0]->pos,
		               "function '%s' needs numbers, got %s", n->fn->name,
		               slx_type_name(n->type, tn, sizeof(tn)));
	return 0;
}

int slx_bind_count(slx_binder *b, slx_node *n, sl_error *err)
{
	if (n->n_args == 0 && !n->star)
		return slx_err(err, SL_EINVAL, n->op_pos, "count needs an argument or *: count(*)");
	n->nullable = false;
	return 0;
}

int slx_bind_explode(slx_binder *b, slx_node *n, sl_error *err)
{
	const sl_type *l = n->args[0]->type;
	n->nullable = l->fields[0].nullable || (n->fn->flags & SLX_F_NULLABLE) != 0;
	return 0;
}

int slx_bind_element_at(slx_binder *b, slx_node *n, sl_error *err)
{
	slx_node *i = n->args[1];
	if (i->kind == SLX_LIT && i->lit_kind == SLX_LINT && i->lit_i == 0)
		return slx_err(err, SL_EINVAL, i->pos,
		               "element_at counts from 1 (or from the end with -1); 0 is not an "
		               "index");
	return 0;
}

int slx_bind_concat_ws(slx_binder *b, slx_node *n, sl_error *err)
{
	/* After the separator: strings (any atomic type is cast) or arrays of
	 * strings (elements cast). */
	for (size_t k = 1; k < n->n_args; k++) {
		sl_type *t = n->args[k]->type;
		int rc;
		if (t->id == SL_TYPE_LIST) {
			if (!slx_is_atomic(t->fields[0].type))
				return arg_type_error(n, k, "a STRING or an ARRAY<STRING>", err);
			sl_type *l = sl_type_list(sl_type_string(), true);
			if (l == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
			rc = slx_coerce(b, &n->args[k], l, err);
			sl_type_unref(l);
		} else if (slx_is_atomic(t)) {
			rc = slx_coerce(b, &n->args[k], sl_type_string(), err);
		} else {
			return arg_type_error(n, k, "a STRING or an ARRAY<STRING>", err);
		}
		if (rc < 0)
			return rc;
	}
	/* NULL only when the separator is. */
	n->nullable = n->args[0]->nullable;
	return 0;
}

int slx_bind_array_join(slx_binder *b, slx_node *n, sl_error *err)
{
	sl_type *t = n->args[0]->type;
	if (!slx_is_atomic(t->fields[0].type))
		return arg_type_error(n, 0, "an ARRAY of atomic values", err);
	sl_type *l = sl_type_list(sl_type_string(), true);
	if (l == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	int rc = slx_coerce(b, &n->args[0], l, err);
	sl_type_unref(l);
	return rc;
}

int slx_bind_array_contains(slx_binder *b, slx_node *n, sl_error *err)
{
	char t1[128], t2[128];
	sl_type *et = n->args[0]->type->fields[0].type;
	sl_type *c = slx_compare_type(et, n->args[1]->type);
	if (c == NULL || !sl_type_equal(c, et)) {
		sl_type_unref(c);
		return slx_err(err, SL_ETYPE, n->args[1]->pos,
		               "array_contains cannot look for %s in an ARRAY<%s>",
		               slx_type_name(n->args[1]->type, t2, sizeof(t2)),
		               slx_type_name(et, t1, sizeof(t1)));
	}
	int rc = slx_coerce(b, &n->args[1], c, err);
	sl_type_unref(c);
	return rc;
}
