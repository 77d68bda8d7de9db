/* select.c - projection: a list of expressions evaluated over every batch.
 *
 * `*` expands to every input column.  A bare column reference shares the
 * input column (a reference, no copy); anything else is evaluated a column
 * at a time by the expression engine.
 */
#include <sluice/sluice.h>

#include <stdlib.h>
#include <string.h>

typedef struct sel_item {
	sl_expr *expr; /* NULL: share input column `col` */
	int col;
} sel_item;

typedef struct sel_ctx {
	sl_stage *st;
	sl_schema *schema;
	size_t n_items;
	sel_item *items;
	sl_array **cols; /* scratch for process */
} sel_ctx;

static void sel_destroy(void *vctx)
{
	sel_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n_items; i++)
		if (ctx->items[i].expr != NULL)
			sl_expr_free(ctx->items[i].expr);
	free(ctx->items);
	free(ctx->cols);
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int sel_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                      sl_error *err)
{
	int dup;
	const sl_options *o = init->options;
	const sl_schema *in;
	size_t n_exprs = sl_opt_list_len(o, "exprs"), n_out = 0, k = 0;
	sl_expr **exprs = NULL;
	sl_field *fields = NULL;
	sel_ctx *ctx;
	int rc = SL_OK;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "select takes exactly one input");
	in = init->input_schemas[0];
	if (n_exprs == 0)
		return sl_error_at(err, SL_EINVAL, "exprs", -1, "needs at least one expression");
	ctx = calloc(1, sizeof(*ctx));
	exprs = calloc(n_exprs, sizeof(*exprs));
	if (ctx == NULL || exprs == NULL) {
		free(exprs);
		free(ctx);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	ctx->st = init->self;

	/* Compile everything first: `*` decides how many columns there are. */
	for (size_t i = 0; i < n_exprs; i++) {
		rc = sl_expr_compile(sl_opt_list_at(o, "exprs", i), in, SL_EXPR_ALLOW_STAR,
		                     &exprs[i], err);
		if (rc < 0) {
			err->option = "exprs";
			goto out;
		}
		n_out += sl_expr_root_kind(exprs[i]) == SL_EXPR_KIND_STAR ? in->n_fields : 1;
	}
	ctx->items = calloc(n_out ? n_out : 1, sizeof(*ctx->items));
	ctx->cols = calloc(n_out ? n_out : 1, sizeof(*ctx->cols));
	fields = calloc(n_out ? n_out : 1, sizeof(*fields));
	if (ctx->items == NULL || ctx->cols == NULL || fields == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_exprs; i++) {
		sl_expr *e = exprs[i];
		if (sl_expr_root_kind(e) == SL_EXPR_KIND_STAR) {
			for (size_t c = 0; c < in->n_fields; c++) {
				ctx->items[k] = (sel_item){NULL, (int)c};
				fields[k++] = in->fields[c];
			}
			continue;
		}
		/* The expression stays owned by its item (for the name). */
		exprs[i] = NULL;
		ctx->items[k].expr = e;
		ctx->items[k].col = sl_expr_input_column(e, in);
		fields[k].name = (char *)sl_expr_name(e);
		fields[k].type = (sl_type *)sl_expr_type(e);
		fields[k].nullable = ctx->items[k].col >= 0 ? in->fields[ctx->items[k].col].nullable
		                                            : sl_expr_nullable(e);
		k++;
	}
	ctx->n_items = n_out;

	if ((dup = sl_fields_find_duplicate(fields, n_out, false)) >= 0) {
		rc = sl_error_at(err, SL_EINVAL, "exprs", -1,
		                 "duplicate output column '%s'; rename one with AS",
		                 fields[dup].name);
		goto out;
	}
	ctx->schema = sl_type_struct(n_out, fields);
	if (ctx->schema == NULL)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < n_exprs; i++)
		if (exprs[i] != NULL)
			sl_expr_free(exprs[i]);
	free(exprs);
	free(fields);
	if (rc < 0) {
		ctx->n_items = k;
		sel_destroy(ctx);
		return rc;
	}
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

static int sel_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	sel_ctx *ctx = vctx;
	sl_array **cols = ctx->cols;
	sl_batch *batch;
	int rc;

	for (size_t i = 0; i < ctx->n_items; i++) {
		const sel_item *it = &ctx->items[i];
		if (it->col >= 0) {
			cols[i] = sl_array_ref(in->columns[it->col]);
		} else if ((rc = sl_expr_eval(it->expr, in, &cols[i], err)) < 0) {
			for (size_t j = 0; j < i; j++)
				sl_array_unref(cols[j]);
			return rc;
		}
	}
	batch = sl_batch_new(ctx->schema, in->n_rows, cols);
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "cannot assemble the output batch");
	return sl_emit(out, batch);
}

static const sl_option_spec sel_options[] = {
    {.name = "exprs",
     .type = SL_OPT_EXPR_LIST,
     .required = 1,
     .doc = "output columns: expressions with optional AS names; * = every input column"},
    {0}};

static const sl_plugin sel_plugin = {
    .size = sizeof(sl_plugin),
    .name = "select",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "computes output columns from expressions (SQL SELECT)",
    .doc = "Each expression gives one output column, named by its AS alias or after the "
           "expression; `*` stands for every input column.  Bare column references share "
           "the input column without copying.  Duplicate output names are an error.",
    .options = sel_options,
    .create = sel_create,
    .destroy = sel_destroy,
    .process = sel_process,
};

SL_MODULE(select, &sel_plugin)
