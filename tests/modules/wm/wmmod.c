/* wmmod.c - test plugins for the core's event-time service
 * (tests/unit/test_watermark.c).
 *
 *   etsrc   replayable source: `times` lists the batches' event times in
 *           seconds, batches separated by ';', times by ',' ("n" is a NULL
 *           time): "100;200,50;;300" is four batches.  Output (id BIGINT,
 *           ts TIMESTAMP).
 *   wmrec   transform: appends "batch N wm W rows R" to `path` at every
 *           end_batch (W in seconds, or "none"), passes its input on.  Rows
 *           whose ts is below the batch's watermark are late: counted as
 *           numRowsDroppedByWatermark and, with `late = true`, emitted to
 *           side output "late" instead.  `deadline` (seconds): reported with
 *           sl_watermark_next_deadline until the watermark reaches it.
 *           `observe` (seconds): reported with sl_watermark_observe.
 *           `declare` (duration): calls sl_watermark_declare in create.
 *   wmagg   wmrec flagged stateful (for the output-mode rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sluice.h>

#define SEC 1000000LL

/* --- etsrc --- */

typedef struct src_ctx {
	sl_schema *schema;
	char **batches; /* the text of each batch */
	long n;
} src_ctx;

static void src_destroy(void *ctx)
{
	src_ctx *c = ctx;

	if (c == NULL)
		return;
	for (long i = 0; i < c->n; i++)
		free(c->batches[i]);
	free(c->batches);
	sl_type_unref(c->schema);
	free(c);
}

static int split_batches(src_ctx *c, const char *times)
{
	const char *p = times;

	for (;;) {
		size_t len = strcspn(p, ";");
		char **v = realloc(c->batches, (size_t)(c->n + 1) * sizeof(*v));

		if (v == NULL)
			return SL_ENOMEM;
		c->batches = v;
		c->batches[c->n] = strndup(p, len);
		if (c->batches[c->n++] == NULL)
			return SL_ENOMEM;
		if (p[len] == '\0')
			return SL_OK;
		p += len + 1;
	}
}

static int src_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	sl_field f[2] = {{"id", sl_type_int64(), false}, {"ts", sl_type_timestamp(), true}};
	src_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->schema = sl_type_struct(2, f);
	if (c->schema == NULL || split_batches(c, sl_opt_string(init->options, "times")) < 0) {
		src_destroy(c);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*out = sl_type_ref(c->schema);
	*ctx = c;
	return SL_OK;
}

static int src_plan(void *ctx, const char *start, sl_strbuf *end, sl_error *err)
{
	src_ctx *c = ctx;
	long done = start ? strtol(start, NULL, 10) : 0;

	(void)err;
	if (done >= c->n)
		return SL_EOF;
	return sl_strbuf_printf(end, "%ld", done + 1);
}

static sl_batch *src_batch(src_ctx *c, long k)
{
	sl_batch_builder *bb = sl_batch_builder_new(c->schema, 8);
	const char *p = c->batches[k];
	int64_t id = 0;
	sl_batch *b;

	if (bb == NULL)
		return NULL;
	while (*p != '\0') {
		sl_builder_append_int64(sl_batch_builder_column(bb, 0), k * 1000 + id++);
		if (*p == 'n')
			sl_builder_append_null(sl_batch_builder_column(bb, 1));
		else
			sl_builder_append_int64(sl_batch_builder_column(bb, 1),
			                        strtoll(p, NULL, 10) * SEC);
		p += strcspn(p, ",");
		p += *p == ',';
	}
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	return b;
}

static int src_read(void *ctx, const char *start, const char *end, const sl_batch_ctx *bc,
                    sl_emitter *out, sl_error *err)
{
	src_ctx *c = ctx;
	long from = start ? strtol(start, NULL, 10) : 0, to = strtol(end, NULL, 10);
	int rc = SL_OK;

	(void)bc;
	for (long k = from; k < to && k < c->n && rc >= 0; k++) {
		sl_batch *b = src_batch(c, k);

		if (b == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_emit(out, b);
	}
	return rc;
}

/* --- wmrec / wmagg --- */

typedef struct rec_ctx {
	sl_stage *self;
	char *path;
	bool late;
	int64_t deadline;
	int64_t observe;
	int64_t rows;
	int ts;
} rec_ctx;

static void rec_destroy(void *ctx)
{
	rec_ctx *c = ctx;

	if (c == NULL)
		return;
	free(c->path);
	free(c);
}

static int rec_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	const sl_options *o = init->options;
	rec_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->self = init->self;
	c->path = strdup(sl_opt_string(o, "path"));
	c->late = sl_opt_bool(o, "late");
	c->deadline =
	    sl_opt_is_set(o, "deadline") ? sl_opt_int(o, "deadline") * SEC : SL_NO_WATERMARK;
	c->observe = sl_opt_is_set(o, "observe") ? sl_opt_int(o, "observe") * SEC : SL_NO_WATERMARK;
	c->ts = sl_schema_find(init->input_schemas[0],
	                       init->watermark_column ? init->watermark_column : "ts");
	if (c->path == NULL) {
		rec_destroy(c);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (c->late) {
		rc = sl_side_output_declare(init->self, "late", (sl_schema *)init->input_schemas[0],
		                            err);
		if (rc < 0) {
			rec_destroy(c);
			return rc;
		}
	}
	if (sl_opt_is_set(o, "declare")) {
		rc = sl_watermark_declare(init->self, sl_opt_duration_us(o, "declare"), err);
		if (rc < 0) {
			rec_destroy(c);
			return rc;
		}
	}
	*out = sl_type_ref((sl_schema *)init->input_schemas[0]);
	*ctx = c;
	return SL_OK;
}

static int rec_begin(void *ctx, const sl_batch_ctx *bc, sl_error *err)
{
	rec_ctx *c = ctx;

	(void)bc, (void)err;
	c->rows = 0;
	return SL_OK;
}

static int rec_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	rec_ctx *c = ctx;
	int32_t *late = calloc((size_t)in->n_rows + 1, sizeof(*late));
	int32_t *keep = calloc((size_t)in->n_rows + 1, sizeof(*keep));
	const sl_array *ts = c->ts >= 0 ? in->columns[c->ts] : NULL;
	int64_t nl = 0, nk = 0;
	int rc;

	(void)port;
	if (late == NULL || keep == NULL) {
		free(late);
		free(keep);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	c->rows += in->n_rows;
	for (int64_t i = 0; i < in->n_rows; i++) {
		if (ts != NULL && bc->watermark_us != SL_NO_WATERMARK && sl_array_valid(ts, i) &&
		    sl_array_i64(ts)[i] < bc->watermark_us)
			late[nl++] = (int32_t)i;
		else
			keep[nk++] = (int32_t)i;
	}
	sl_metric_add(c->self, "numRowsDroppedByWatermark", nl);
	if (c->late && nl > 0) {
		rc = sl_side_emit(c->self, "late", sl_batch_take(in, late, nl));
		if (rc < 0)
			goto out;
	}
	rc = sl_emit(out, c->late ? sl_batch_take(in, keep, nk) : sl_batch_ref((sl_batch *)in));
out:
	free(late);
	free(keep);
	return rc;
}

static int rec_end(void *ctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	rec_ctx *c = ctx;
	FILE *f = fopen(c->path, "a");

	(void)out;
	if (f == NULL)
		return sl_error_set(err, SL_EIO, "cannot open %s", c->path);
	if (bc->watermark_us == SL_NO_WATERMARK)
		fprintf(f, "batch %lld wm none rows %lld\n", (long long)bc->batch_id,
		        (long long)c->rows);
	else
		fprintf(f, "batch %lld wm %lld rows %lld\n", (long long)bc->batch_id,
		        (long long)(bc->watermark_us / SEC), (long long)c->rows);
	fclose(f);
	if (c->observe != SL_NO_WATERMARK)
		sl_watermark_observe(c->self, c->observe);
	if (c->deadline != SL_NO_WATERMARK &&
	    (bc->watermark_us == SL_NO_WATERMARK || bc->watermark_us < c->deadline))
		sl_watermark_next_deadline(c->self, c->deadline);
	else
		sl_watermark_next_deadline(c->self, SL_NO_WATERMARK);
	return SL_OK;
}

static const sl_option_spec src_options[] = {
    {.name = "times", .type = SL_OPT_STRING, .required = 1, .doc = "event times per batch"},
    {0},
};

static const sl_option_spec rec_options[] = {
    {.name = "path", .type = SL_OPT_STRING, .required = 1, .doc = "the record file"},
    {.name = "late", .type = SL_OPT_BOOL, .def = "false", .doc = "late rows to side 'late'"},
    {.name = "deadline", .type = SL_OPT_INT, .doc = "a window end to report, seconds"},
    {.name = "observe", .type = SL_OPT_INT, .doc = "an event time to observe, seconds"},
    {.name = "declare", .type = SL_OPT_DURATION, .doc = "declare a watermark delay"},
    {0},
};

static const sl_plugin etsrc = {
    .size = sizeof(sl_plugin),
    .name = "etsrc",
    .kind = SL_PLUGIN_SOURCE,
    .flags = SL_PLUGIN_REPLAYABLE,
    .summary = "test source: event times per batch",
    .options = src_options,
    .create = src_create,
    .destroy = src_destroy,
    .plan = src_plan,
    .read = src_read,
};

static const sl_plugin wmrec = {
    .size = sizeof(sl_plugin),
    .name = "wmrec",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "test transform: records the watermark of every batch",
    .options = rec_options,
    .create = rec_create,
    .destroy = rec_destroy,
    .begin_batch = rec_begin,
    .process = rec_process,
    .end_batch = rec_end,
};

static const sl_plugin wmagg = {
    .size = sizeof(sl_plugin),
    .name = "wmagg",
    .kind = SL_PLUGIN_TRANSFORM,
    .flags = SL_PLUGIN_STATEFUL,
    .summary = "test transform: wmrec, flagged stateful",
    .options = rec_options,
    .create = rec_create,
    .destroy = rec_destroy,
    .begin_batch = rec_begin,
    .process = rec_process,
    .end_batch = rec_end,
};

SL_MODULE(wmmod, &etsrc, &wmrec, &wmagg);
