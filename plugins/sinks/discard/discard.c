/* discard.c - counts rows and drops them (for benchmarks). */
#include <sluice/sluice.h>

#include <stdlib.h>

typedef struct discard_ctx {
	sl_stage *st;
	int64_t batch_rows;
	int64_t total_rows;
} discard_ctx;

static int discard_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                          sl_error *err)
{
	discard_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	*out_ctx = ctx;
	return SL_OK;
}

static void discard_destroy(void *vctx)
{
	free(vctx);
}

static int discard_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	((discard_ctx *)vctx)->batch_rows = 0;
	return SL_OK;
}

static int discard_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                           sl_emitter *out, sl_error *err)
{
	((discard_ctx *)vctx)->batch_rows += in->n_rows;
	return SL_OK;
}

static int discard_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	discard_ctx *ctx = vctx;

	ctx->total_rows += ctx->batch_rows;
	sl_metric_add(ctx->st, "rowsDiscarded", ctx->batch_rows);
	ctx->batch_rows = 0;
	return SL_OK;
}

static int discard_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	return SL_OK;
}

static const sl_option_spec discard_options[] = {{0}};

static const sl_plugin discard_plugin = {
    .size = sizeof(sl_plugin),
    .name = "discard",
    .kind = SL_PLUGIN_SINK,
    .summary = "counts rows and drops them (for benchmarks)",
    .doc = "Every row is dropped; the count of each micro-batch is reported as the "
           "rowsDiscarded metric.",
    .options = discard_options,
    .create = discard_create,
    .destroy = discard_destroy,
    .begin_batch = discard_begin_batch,
    .process = discard_process,
    .end_batch = discard_end_batch,
    .commit = discard_commit,
};

SL_MODULE(discard, &discard_plugin)
