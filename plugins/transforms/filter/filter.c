/* filter.c - keeps the rows where a boolean condition is true (SQL WHERE).
 *
 * The engine writes the indices of the passing rows into a buffer kept in
 * the context; the batch is then gathered with sl_batch_take.  When every
 * row passes the input batch itself is passed on (a reference, no copy).
 */
#include <sluice/sluice.h>

#include <stdlib.h>

typedef struct filter_ctx {
	sl_stage *st;
	sl_schema *schema;
	sl_expr *cond;
	int32_t *sel; /* reused across batches */
	int64_t sel_cap;
} filter_ctx;

static void filter_destroy(void *vctx)
{
	filter_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	if (ctx->cond != NULL)
		sl_expr_free(ctx->cond);
	sl_type_unref(ctx->schema);
	free(ctx->sel);
	free(ctx);
}

static int filter_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                         sl_error *err)
{
	const char *text = sl_opt_string(init->options, "condition");
	filter_ctx *ctx;
	int rc;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "filter takes exactly one input");
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	rc = sl_expr_compile(text, init->input_schemas[0], SL_EXPR_SCALAR, &ctx->cond, err);
	if (rc < 0) {
		err->option = "condition";
		filter_destroy(ctx);
		return rc;
	}
	if (sl_expr_type(ctx->cond)->id != SL_TYPE_BOOL) {
		rc = sl_error_at(err, SL_ETYPE, "condition", -1,
		                 "the condition must be BOOLEAN, but '%s' is %s", text,
		                 sl_type_id_name(sl_expr_type(ctx->cond)->id));
		filter_destroy(ctx);
		return rc;
	}
	ctx->schema = sl_type_ref((sl_schema *)init->input_schemas[0]);
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

static int filter_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                          sl_emitter *out, sl_error *err)
{
	filter_ctx *ctx = vctx;
	int64_t n_sel = 0;
	sl_batch *batch;
	int rc;

	if (in->n_rows == 0)
		return SL_OK;
	if (in->n_rows > ctx->sel_cap) {
		int32_t *ns = realloc(ctx->sel, (size_t)in->n_rows * sizeof(*ns));
		if (ns == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		ctx->sel = ns;
		ctx->sel_cap = in->n_rows;
	}
	rc = sl_expr_select(ctx->cond, in, ctx->sel, &n_sel, err);
	if (rc < 0)
		return rc;
	if (n_sel < in->n_rows)
		sl_metric_add(ctx->st, "rowsFiltered", in->n_rows - n_sel);
	if (n_sel == 0)
		return SL_OK;
	if (n_sel == in->n_rows)
		return sl_emit(out, sl_batch_ref((sl_batch *)in));
	batch = sl_batch_take(in, ctx->sel, n_sel);
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_emit(out, batch);
}

static const sl_option_spec filter_options[] = {
    {.name = "condition",
     .type = SL_OPT_EXPR,
     .required = 1,
     .doc = "a BOOLEAN expression; rows where it is true pass (NULL counts as false)"},
    {0}};

static const sl_plugin filter_plugin = {
    .size = sizeof(sl_plugin),
    .name = "filter",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "keeps the rows where a condition holds (SQL WHERE)",
    .doc = "Rows where the condition is false or NULL are dropped and counted as "
           "rowsFiltered.  The output schema is the input schema.",
    .options = filter_options,
    .create = filter_create,
    .destroy = filter_destroy,
    .process = filter_process,
};

SL_MODULE(filter, &filter_plugin)
