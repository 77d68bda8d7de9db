/* expr_nested.c - building structs: struct(a, b, ...), struct(*) and
 * named_struct('n1', e1, 'n2', e2, ...).
 *
 * A struct is assembled from its arguments' columns without copying them
 * (the children are references); the struct itself is never null.  Field
 * names follow Spark: a column or a field access gives its own name, any
 * other expression colN (N its 1-based position).  The codecs
 * (from_json, to_json, ...) are in expr_codec.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "expr_funcs.h"

/* The struct type of fields named names[k] over the types of args[k]. */
static int set_struct_type(slx_node *n, slx_node *const *args, const char *const *names,
                           const int *name_pos, size_t k, sl_error *err)
{
	sl_field fs[16] = {{0}};
	sl_field *f = fs;
	sl_type *t;

	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return slx_err(err, SL_EINVAL, name_pos[i],
				               "%s: two fields are named '%s'%s", n->fn->name,
				               names[i],
				               strcmp(n->fn->name, "struct") == 0
				                   ? "; name them with named_struct"
				                   : "");
	if (k > 16 && (f = malloc(k * sizeof(*f))) == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < k; i++)
		f[i] = (sl_field){(char *)names[i], args[i]->type, args[i]->nullable};
	t = sl_type_struct(k, f);
	if (f != fs)
		free(f);
	if (t == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	slx_node_set_type(n, t);
	sl_type_unref(t);
	n->nullable = false;
	return 0;
}

int slx_bind_struct(slx_binder *b, slx_node *n, sl_error *err)
{
	const char *nm[16];
	int np[16];
	const char **names = nm;
	int *pos = np;

	if (n->n_args == 0)
		return slx_err(err, SL_EINVAL, n->op_pos,
		               "struct needs at least one argument, or *");
	if (n->n_args > 16) {
		names = slx_alloc(&b->tree->arena, n->n_args * sizeof(*names));
		pos = slx_alloc(&b->tree->arena, n->n_args * sizeof(*pos));
		if (names == NULL || pos == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < n->n_args; k++) {
		const slx_node *a = n->args[k];
		pos[k] = a->pos;
		if ((a->kind == SLX_COL || a->kind == SLX_FIELD) && a->bound_name != NULL) {
			names[k] = a->bound_name;
		} else {
			char buf[32];
			snprintf(buf, sizeof(buf), "col%zu", k + 1);
			if ((names[k] = slx_strndup(&b->tree->arena, buf, strlen(buf))) == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	return set_struct_type(n, n->args, names, pos, n->n_args, err);
}

int slx_bind_named_struct(slx_binder *b, slx_node *n, sl_error *err)
{
	size_t k = n->n_args / 2;
	const char **names;
	int *pos;
	slx_node **vals;

	if (n->n_args % 2 != 0)
		return slx_err(err, SL_EINVAL, n->op_pos,
		               "named_struct takes pairs of a name and a value, got %zu arguments",
		               n->n_args);
	names = slx_alloc(&b->tree->arena, k * sizeof(*names));
	pos = slx_alloc(&b->tree->arena, k * sizeof(*pos));
	vals = slx_alloc(&b->tree->arena, k * sizeof(*vals));
	if (names == NULL || pos == NULL || vals == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < k; i++) {
		const slx_node *nm = n->args[2 * i];
		if (nm->kind != SLX_LIT || nm->lit_kind != SLX_LSTRING)
			return slx_err(err, SL_EINVAL, nm->pos,
			               "named_struct needs a string literal as the name of field "
			               "%zu",
			               i + 1);
		if (memchr(nm->lit_s, '\0', nm->lit_slen) != NULL || nm->lit_slen == 0)
			return slx_err(err, SL_EINVAL, nm->pos, "named_struct: bad field name");
		names[i] = nm->lit_s;
		pos[i] = nm->pos;
		vals[i] = n->args[2 * i + 1];
	}
	return set_struct_type(n, vals, names, pos, k, err);
}

/* A struct of the columns args[first], args[first + step], ... */
static int make_struct(slx_ctx *cx, slx_node *n, slx_val *args, size_t first, size_t step,
                       slx_val *out)
{
	size_t k = n->type->n_fields;
	sl_array *ch[16];
	sl_array **kids = ch;
	int rc = 0;

	if (k > 16 && (kids = calloc(k, sizeof(*kids))) == NULL)
		return slx_oom(cx);
	for (size_t i = 0; i < k; i++) {
		const slx_val *v = &args[first + i * step];
		if (v->scalar)
			rc = slx_broadcast(cx, v, cx->n, &kids[i]);
		else
			kids[i] = sl_array_ref(v->arr);
		if (rc < 0) {
			for (size_t j = 0; j < i; j++)
				sl_array_unref(kids[j]);
			if (kids != ch)
				free(kids);
			return rc;
		}
	}
	rc = slx_out(cx, out, n->type, 0, NULL, NULL, NULL, k, kids);
	if (kids != ch)
		free(kids);
	return rc;
}

int slx_f_struct(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return make_struct(cx, n, args, 0, 1, out);
}

int slx_f_named_struct(slx_ctx *cx, slx_node *n, slx_val *args, slx_val *out)
{
	return make_struct(cx, n, args, 1, 2, out);
}
