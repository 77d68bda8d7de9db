/* rate.c - the rate source, as Spark's: rows of (timestamp, value) at a
 * fixed rate, for demos, tests and benchmarks.
 *
 * Offsets are {"value": N, "start_us": T}: N is the next value (the batch
 * holds the values before it) and T the time value start_value stands for,
 * so a replay of a logged range rebuilds exactly the same rows.  With
 * rows_per_second = 0 the rows of a batch carry the time it was planned,
 * which the end offset's start_us records.
 *
 * The columns are written straight into their buffers, 65536 rows a chunk:
 * this source feeds the benchmarks.
 */
#include <sluice/sluice.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>


#define RATE_CHUNK 65536

typedef struct rate_ctx {
	sl_stage *st;
	sl_schema *schema;
	int64_t rows_per_second;
	int64_t total;
	int64_t rows_per_batch;
	int64_t start_value;
	int64_t start_us; /* the stream's start time; 0 until the first plan */
} rate_ctx;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void rate_destroy(void *vctx)
{
	rate_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int rate_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	sl_field fields[2] = {
	    {(char *)"timestamp", sl_type_timestamp(), false},
	    {(char *)"value", sl_type_int64(), false},
	};
	rate_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	ctx->rows_per_second = sl_opt_int(o, "rows_per_second");
	ctx->total = sl_opt_int(o, "total");
	ctx->rows_per_batch = sl_opt_int(o, "rows_per_batch");
	ctx->start_value = sl_opt_int(o, "start_value");
	if (ctx->rows_per_second < 0) {
		rate_destroy(ctx);
		return sl_error_at(err, SL_EINVAL, "rows_per_second", -1,
		                   "must be >= 0 (0: as fast as possible)");
	}
	if (ctx->total < 0) {
		rate_destroy(ctx);
		return sl_error_at(err, SL_EINVAL, "total", -1, "must be >= 0 (0: unbounded)");
	}
	if (ctx->rows_per_batch <= 0) {
		rate_destroy(ctx);
		return sl_error_at(err, SL_EINVAL, "rows_per_batch", -1, "must be > 0");
	}
	ctx->schema = sl_type_struct(2, fields);
	if (ctx->schema == NULL) {
		rate_destroy(ctx);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

/* Reads an offset; NULL means the beginning of the stream. */
static int parse_offset(rate_ctx *ctx, const char *text, int64_t *value, int64_t *start_us,
                        sl_error *err)
{
	if (text == NULL) {
		*value = ctx->start_value;
		*start_us = ctx->start_us;
		return SL_OK;
	}
	if (sl_json_get_int(text, "value", value) != SL_OK ||
	    sl_json_get_int(text, "start_us", start_us) != SL_OK)
		return sl_error_set(err, SL_EINVAL,
		                    "bad offset '%s': expected {\"value\": N, \"start_us\": T}",
		                    text);
	return SL_OK;
}

static int rate_plan(void *vctx, const char *start, sl_strbuf *end, sl_error *err)
{
	rate_ctx *ctx = vctx;
	int64_t value, start_us, limit = INT64_MAX, next, now = now_us();
	int rc;

	if (ctx->start_us == 0)
		ctx->start_us = now;
	rc = parse_offset(ctx, start, &value, &start_us, err);
	if (rc < 0)
		return rc;
	if (ctx->total > 0)
		limit = ctx->start_value + ctx->total;
	if (value >= limit)
		return SL_EOF;

	if (ctx->rows_per_second == 0) {
		next = value + ctx->rows_per_batch;
		start_us = now;
	} else {
		/* A row is due once its timestamp has passed; a restart from a
		 * logged offset keeps the original start time. */
		int64_t elapsed = now - start_us, due;
		if (elapsed < 0)
			elapsed = 0;
		due = elapsed / 1000000 * ctx->rows_per_second +
		      elapsed % 1000000 * ctx->rows_per_second / 1000000 + 1;
		next = ctx->start_value + due;
		if (next > value + ctx->rows_per_batch)
			next = value + ctx->rows_per_batch;
	}
	if (next > limit || next < value) /* next < value: overflow */
		next = limit;
	if (next <= value)
		return SL_AGAIN;
	sl_strbuf_reset(end);
	rc = sl_strbuf_printf(end, "{\"value\": %lld, \"start_us\": %lld}", (long long)next,
	                      (long long)start_us);
	return rc < 0 ? sl_error_set(err, SL_ENOMEM, "out of memory") : SL_OK;
}

/* Fills the timestamps of values v .. v + n - 1:
 * start_us + (v - start_value) * 1e6 / rows_per_second, exactly, without a
 * division per row. */
static void fill_timestamps(const rate_ctx *ctx, int64_t *ts, int64_t v, int64_t n,
                            int64_t start_us)
{
	int64_t rps = ctx->rows_per_second;
	int64_t d, base, r, step_q, step_r, frac_q, frac_r;

	if (rps == 0) {
		for (int64_t i = 0; i < n; i++)
			ts[i] = start_us;
		return;
	}
	d = v - ctx->start_value;
	base = start_us + d / rps * 1000000; /* the second of row v */
	r = d % rps;                         /* its index inside that second */
	frac_q = r * 1000000 / rps;          /* floor(r * 1e6 / rps) */
	frac_r = r * 1000000 % rps;
	step_q = 1000000 / rps;
	step_r = 1000000 % rps;
	for (int64_t i = 0; i < n; i++) {
		ts[i] = base + frac_q;
		if (++r == rps) {
			r = 0;
			base += 1000000;
			frac_q = 0;
			frac_r = 0;
		} else {
			frac_q += step_q;
			frac_r += step_r;
			if (frac_r >= rps) {
				frac_r -= rps;
				frac_q++;
			}
		}
	}
}

static int emit_chunk(rate_ctx *ctx, int64_t v, int64_t n, int64_t start_us, sl_emitter *out,
                      sl_error *err)
{
	sl_buffer *tsb = sl_buffer_new((size_t)n * sizeof(int64_t));
	sl_buffer *vb = sl_buffer_new((size_t)n * sizeof(int64_t));
	sl_array *cols[2] = {NULL, NULL};
	sl_batch *batch;
	int64_t *vals;

	if (tsb == NULL || vb == NULL) {
		sl_buffer_unref(tsb);
		sl_buffer_unref(vb);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	vals = (int64_t *)vb->data;
	for (int64_t i = 0; i < n; i++)
		vals[i] = v + i;
	vb->len = (size_t)n * sizeof(int64_t);
	fill_timestamps(ctx, (int64_t *)tsb->data, v, n, start_us);
	tsb->len = (size_t)n * sizeof(int64_t);

	cols[0] = sl_array_new(sl_type_timestamp(), n, 0, NULL, tsb, NULL, 0, NULL);
	cols[1] = sl_array_new(sl_type_int64(), n, 0, NULL, vb, NULL, 0, NULL);
	if (cols[0] == NULL || cols[1] == NULL) {
		sl_array_unref(cols[0]);
		sl_array_unref(cols[1]);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	batch = sl_batch_new(ctx->schema, n, cols);
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_emit(out, batch);
}

static int rate_read(void *vctx, const char *start, const char *end, const sl_batch_ctx *bc,
                     sl_emitter *out, sl_error *err)
{
	rate_ctx *ctx = vctx;
	int64_t v0, v1, s0, s1;
	int rc;

	if ((rc = parse_offset(ctx, start, &v0, &s0, err)) < 0)
		return rc;
	if ((rc = parse_offset(ctx, end, &v1, &s1, err)) < 0)
		return rc;
	if (end == NULL || v1 < v0)
		return sl_error_set(err, SL_EINVAL, "bad offset range (%s, %s]",
		                    start ? start : "start", end ? end : "(null)");
	for (int64_t v = v0; v < v1; v += RATE_CHUNK) {
		int64_t n = v1 - v < RATE_CHUNK ? v1 - v : RATE_CHUNK;
		if ((rc = emit_chunk(ctx, v, n, s1, out, err)) < 0)
			return rc;
	}
	return SL_OK;
}

static int rate_source_commit(void *vctx, const char *end, sl_error *err)
{
	return SL_OK;
}

static const sl_option_spec rate_options[] = {
    {.name = "rows_per_second",
     .type = SL_OPT_INT,
     .def = "1",
     .doc = "rows generated per second; 0: as fast as possible"},
    {.name = "total",
     .type = SL_OPT_INT,
     .def = "0",
     .doc = "rows to generate before the source ends; 0: unbounded"},
    {.name = "rows_per_batch",
     .type = SL_OPT_INT,
     .def = "1000000",
     .doc = "most rows planned for one micro-batch"},
    {.name = "start_value", .type = SL_OPT_INT, .def = "0", .doc = "the first value"},
    {0}};

static const sl_plugin rate_plugin = {
    .size = sizeof(sl_plugin),
    .name = "rate",
    .kind = SL_PLUGIN_SOURCE,
    .flags = SL_PLUGIN_REPLAYABLE,
    .summary = "generates (timestamp, value) rows at a fixed rate, as Spark's rate source",
    .doc = "Columns: timestamp TIMESTAMP (the start time plus (value - start_value) / "
           "rows_per_second; with rows_per_second = 0, the time the batch was planned) "
           "and value BIGINT, counting up from start_value.  Offsets are "
           "{\"value\": N, \"start_us\": T}, so a replayed batch is identical.",
    .options = rate_options,
    .create = rate_create,
    .destroy = rate_destroy,
    .plan = rate_plan,
    .read = rate_read,
    .source_commit = rate_source_commit,
};

SL_MODULE(rate, &rate_plugin)
