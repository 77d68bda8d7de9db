/* expr.c - the public expression API (sl_expr.h): compile, inspect,
 * evaluate, select.
 *
 * An sl_expr owns its parse tree; for an aggregate or generator root, each
 * argument is a child sl_expr pointing into the parent's tree (the parent
 * frees it).  Evaluation keeps a pool of scratch buffers in the expression,
 * so an expression must not be evaluated from two threads at once.
 */
#include "config.h"

#include <stdlib.h>

#include "expr_internal.h"

void slx_tree_release(slx_tree *t)
{
	for (slx_node *n = t->all; n != NULL; n = n->all_next) {
		sl_array_unref(n->cval);
		sl_type_unref(n->type);
		sl_type_unref(n->cast_type);
		if (n->state_free != NULL)
			n->state_free(n->state);
		n->cval = NULL;
		n->type = n->cast_type = NULL;
		n->state = NULL;
	}
	t->all = NULL;
}

static char *text_of(const slx_node *n)
{
	sl_strbuf sb = {0};
	if (slx_node_text(n, &sb) < 0) {
		sl_strbuf_free(&sb);
		return NULL;
	}
	return sb.buf; /* the strbuf's heap block, NUL-terminated */
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Spark's default name of a root. */
static char *default_name(const slx_node *n, sl_expr_kind kind)
{
	if (kind == SL_EXPR_KIND_STAR)
		return xstrdup("*");
	if (kind == SL_EXPR_KIND_GENERATOR)
		return xstrdup("col");
	if ((n->kind == SLX_COL || n->kind == SLX_FIELD) && n->bound_name != NULL)
		return xstrdup(n->bound_name);
	return text_of(n);
}

/* Byte offset -> character offset in text. */
static int char_pos(const char *text, int pos)
{
	int chars = 0;
	for (int i = 0; i < pos && text[i] != '\0'; i++)
		chars += ((unsigned char)text[i] & 0xC0) != 0x80;
	return chars;
}

void sl_expr_free(sl_expr *e)
{
	if (e == NULL)
		return;
	for (size_t k = 0; k < e->n_args; k++)
		sl_expr_free(e->args[k]);
	free(e->args);
	if (!e->is_child) {
		if (e->tree != NULL) {
			slx_tree_release(e->tree);
			slx_arena_free(&e->tree->arena);
			free(e->tree);
		}
		free(e->cols);
	}
	slx_pool_free(&e->pool);
	sl_type_unref(e->type);
	sl_type_unref(e->schema);
	free(e->name);
	free(e);
}

static sl_expr *child_expr(sl_expr *parent, slx_node *root)
{
	sl_expr *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->is_child = true;
	c->schema = sl_type_ref(parent->schema);
	c->tree = parent->tree;
	c->root = root;
	c->kind = SL_EXPR_KIND_SCALAR;
	c->cols = parent->cols;
	c->n_cols = parent->n_cols;
	c->type = sl_type_ref(root->type);
	c->nullable = root->nullable;
	c->name = default_name(root, SL_EXPR_KIND_SCALAR);
	if (c->name == NULL) {
		sl_expr_free(c);
		return NULL;
	}
	return c;
}

int sl_expr_compile(const char *text, const sl_schema *input, unsigned flags, sl_expr **out,
                    sl_error *err)
{
	sl_expr *e = NULL;
	int rc;
	slx_binder b = {0};
	if (out != NULL)
		*out = NULL;
	if (text == NULL || input == NULL || out == NULL || input->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "sl_expr_compile: bad arguments");
	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->tree = calloc(1, sizeof(*e->tree))) == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	e->schema = sl_type_ref((sl_type *)input);
	slx_node *root = slx_parse(e->tree, text, err);
	if (root == NULL) {
		rc = err && err->code < 0 ? err->code : SL_EINVAL;
		goto fail;
	}
	b.tree = e->tree;
	b.schema = input;
	b.flags = flags;
	b.root = root;
	if ((rc = slx_bind(&b, &root, err)) < 0)
		goto fail;
	e->cols = b.cols;
	e->n_cols = b.n_cols;
	b.cols = NULL;
	e->root = root;
	e->kind = SL_EXPR_KIND_SCALAR;
	if (root->kind == SLX_STAR) {
		e->kind = SL_EXPR_KIND_STAR;
	} else if (root->kind == SLX_CALL && (root->fn->flags & SLX_F_AGG)) {
		e->kind = SL_EXPR_KIND_AGGREGATE;
	} else if (root->kind == SLX_CALL && (root->fn->flags & SLX_F_GEN)) {
		e->kind = SL_EXPR_KIND_GENERATOR;
	}
	e->has_alias = e->tree->has_alias;
	e->name = e->has_alias ? xstrdup(e->tree->alias) : default_name(root, e->kind);
	if (e->name == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (e->kind == SL_EXPR_KIND_AGGREGATE || e->kind == SL_EXPR_KIND_GENERATOR) {
		e->root_func = root->fn->name;
		e->n_args = root->n_args;
		if (e->n_args > 0 && (e->args = calloc(e->n_args, sizeof(*e->args))) == NULL) {
			e->n_args = 0;
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		/* Names before folding (which replaces constant subtrees). */
		for (size_t k = 0; k < e->n_args; k++) {
			if ((e->args[k] = child_expr(e, root->args[k])) == NULL) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto fail;
			}
		}
		if ((rc = slx_fold(&b, &root, err)) < 0)
			goto fail;
		for (size_t k = 0; k < e->n_args; k++)
			e->args[k]->nullable = root->args[k]->nullable;
	} else if (e->kind == SL_EXPR_KIND_SCALAR) {
		if ((rc = slx_fold(&b, &root, err)) < 0)
			goto fail;
		e->root = root;
	}
	e->type = sl_type_ref(root->type);
	e->nullable = root->nullable;
	*out = e;
	return 0;
fail:
	free(b.cols);
	if (err != NULL && err->pos >= 0)
		err->pos = char_pos(text, err->pos);
	sl_expr_free(e);
	return rc < 0 ? rc : SL_EINVAL;
}

const sl_type *sl_expr_type(const sl_expr *e)
{
	return e->type;
}

bool sl_expr_nullable(const sl_expr *e)
{
	return e->nullable;
}

const char *sl_expr_name(const sl_expr *e)
{
	return e->name;
}

bool sl_expr_has_alias(const sl_expr *e)
{
	return e->has_alias;
}

sl_expr_kind sl_expr_root_kind(const sl_expr *e)
{
	return e->kind;
}

const char *sl_expr_root_func(const sl_expr *e)
{
	return e->root_func;
}

size_t sl_expr_root_nargs(const sl_expr *e)
{
	return e->n_args;
}

sl_expr *sl_expr_root_arg(const sl_expr *e, size_t i)
{
	return i < e->n_args ? e->args[i] : NULL;
}

int sl_expr_column_index(const sl_expr *e)
{
	if (e->kind == SL_EXPR_KIND_SCALAR && e->root->kind == SLX_COL)
		return e->root->col;
	return -1;
}

int sl_expr_input_column(const sl_expr *e, const sl_schema *in)
{
	int idx = sl_expr_column_index(e);

	if (idx < 0 || (size_t)idx >= in->n_fields)
		return -1;
	return sl_type_equal(sl_expr_type(e), in->fields[idx].type) ? idx : -1;
}

/* Is in's schema compatible with the one the expression was bound to? */
static int check_batch(sl_expr *e, const sl_batch *in, sl_error *err)
{
	if (in == NULL || in->schema == NULL)
		return sl_error_set(err, SL_EINVAL, "no input batch");
	if (in->schema == e->schema)
		return 0;
	for (size_t k = 0; k < e->n_cols; k++) {
		int c = e->cols[k];
		if ((size_t)c >= in->schema->n_fields ||
		    !sl_type_equal(in->schema->fields[c].type, e->schema->fields[c].type))
			return sl_error_set(err, SL_ETYPE,
			                    "batch schema does not match the expression's: column "
			                    "'%s' differs",
			                    e->schema->fields[c].name);
	}
	return 0;
}

static int eval_root(sl_expr *e, const sl_batch *in, slx_val *v, sl_error *err)
{
	if (e->kind == SL_EXPR_KIND_STAR)
		return sl_error_set(err, SL_ESTATE, "'*' is not a value: select its columns");
	if (e->kind != SL_EXPR_KIND_SCALAR)
		return sl_error_set(
		    err, SL_ESTATE,
		    "%s(...) cannot be evaluated as a value: evaluate its arguments", e->root_func);
	int rc = check_batch(e, in, err);
	if (rc < 0)
		return rc;
	slx_ctx cx = {.in = in, .n = in->n_rows, .pool = &e->pool, .err = err};
	return slx_eval(&cx, e->root, v);
}

int sl_expr_eval(sl_expr *e, const sl_batch *in, sl_array **out, sl_error *err)
{
	slx_val v = {0};
	*out = NULL;
	int rc = eval_root(e, in, &v, err);
	if (rc < 0)
		return rc;
	if (v.scalar) {
		slx_ctx cx = {.in = in, .n = in->n_rows, .pool = &e->pool, .err = err};
		sl_array *a = NULL;
		rc = slx_broadcast(&cx, &v, in->n_rows, &a);
		sl_array_unref(v.arr);
		if (rc < 0)
			return rc;
		*out = a;
		return 0;
	}
	if (v.arr->length != in->n_rows) {
		sl_array_unref(v.arr);
		return sl_error_set(err, SL_ERR, "internal error: result has %lld rows, not %lld",
		                    (long long)v.arr->length, (long long)in->n_rows);
	}
	*out = v.arr;
	return 0;
}

int sl_expr_select(sl_expr *e, const sl_batch *in, int32_t *sel, int64_t *n_sel, sl_error *err)
{
	slx_val v = {0};
	*n_sel = 0;
	if (e->type->id != SL_TYPE_BOOL && e->type->id != SL_TYPE_NULL) {
		char tn[128];
		return sl_error_set(err, SL_ETYPE, "a filter needs a BOOLEAN expression, not %s",
		                    slx_type_name(e->type, tn, sizeof(tn)));
	}
	int rc = eval_root(e, in, &v, err);
	if (rc < 0)
		return rc;
	int64_t n = in->n_rows, k = 0;
	if (v.scalar || v.arr->type->id == SL_TYPE_NULL) {
		if (v.scalar && !v.null && v.b)
			for (int64_t i = 0; i < n; i++)
				sel[k++] = (int32_t)i;
	} else {
		const uint8_t *vals = v.arr->values->data;
		const uint8_t *valid = v.arr->validity ? v.arr->validity->data : NULL;
		int64_t nw = (n + 63) / 64;
		for (int64_t w = 0; w < nw; w++) {
			uint64_t x = slx_bm_word(vals, w, n);
			if (valid != NULL)
				x &= slx_bm_word(valid, w, n);
			if (w == nw - 1 && (n & 63))
				x &= (UINT64_C(1) << (n & 63)) - 1;
			int64_t base = w * 64;
			if (x == ~UINT64_C(0)) {
				for (int j = 0; j < 64; j++)
					sel[k + j] = (int32_t)(base + j);
				k += 64;
				continue;
			}
			while (x) {
				sel[k++] = (int32_t)(base + __builtin_ctzll(x));
				x &= x - 1;
			}
		}
	}
	*n_sel = k;
	slx_ctx cx = {.in = in, .n = n, .pool = &e->pool, .err = err};
	slx_val_drop(&cx, &v);
	return 0;
}
