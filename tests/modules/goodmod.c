/* goodmod.c - a tiny module for the core's tests: a source, transforms, a
 * sink, and one name ("dual") that is both a source and a sink.
 *
 *   tsrc   source: `batches` batches of `rows` rows (id BIGINT, name STRING
 *          [, info STRUCT<a: BIGINT, tags: ARRAY<STRING>>]), offsets "N"
 *   tmap   transform: passes batches on; `column` must name an input column;
 *          `fail_at_batch` makes process fail at that batch
 *   tagg   stateful transform: the running row count, emitted at end_batch
 *   tsink  sink: appends "batch N rows M" to `path` at end_batch
 *   dual   a source (as tsrc) and a sink (counts rows)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sluice.h>

/* --- tsrc --- */

typedef struct src_ctx {
	sl_schema *schema;
	int64_t rows;
	int64_t batches;
} src_ctx;

static sl_schema *src_schema(bool nested)
{
	sl_field info_fields[2] = {{"a", sl_type_int64(), true}, {"tags", NULL, true}};
	sl_field fields[3] = {
	    {"id", sl_type_int64(), false}, {"name", sl_type_string(), true}, {"info", NULL, true}};
	sl_type *tags = sl_type_list(sl_type_string(), true);
	sl_type *info;
	sl_schema *s;

	info_fields[1].type = tags;
	info = sl_type_struct(2, info_fields);
	fields[2].type = info;
	s = sl_type_struct(nested ? 3 : 2, fields);
	sl_type_unref(info);
	sl_type_unref(tags);
	return s;
}

static int src_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	src_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->rows = sl_opt_int(init->options, "rows");
	c->batches = sl_opt_int(init->options, "batches");
	if (c->rows < 0) {
		free(c);
		return sl_error_at(err, SL_EINVAL, "rows", -1, "must not be negative");
	}
	c->schema = src_schema(sl_opt_bool(init->options, "nested"));
	*out = sl_type_ref(c->schema);
	*ctx = c;
	return SL_OK;
}

static void src_destroy(void *ctx)
{
	src_ctx *c = ctx;

	sl_type_unref(c->schema);
	free(c);
}

static int src_plan(void *ctx, const char *start, sl_strbuf *end, sl_error *err)
{
	src_ctx *c = ctx;
	long done = start ? strtol(start, NULL, 10) : 0;

	(void)err;
	if (done >= c->batches)
		return SL_EOF;
	return sl_strbuf_printf(end, "%ld", done + 1);
}

static sl_batch *src_batch(src_ctx *c, int64_t first)
{
	sl_batch_builder *bb = sl_batch_builder_new(c->schema, c->rows);
	sl_batch *b;
	char name[32];

	if (bb == NULL)
		return NULL;
	for (int64_t i = 0; i < c->rows; i++) {
		sl_builder_append_int64(sl_batch_builder_column(bb, 0), first + i);
		snprintf(name, sizeof(name), "row%lld", (long long)(first + i));
		sl_builder_append_string(sl_batch_builder_column(bb, 1), name, strlen(name));
		if (c->schema->n_fields > 2)
			sl_builder_append_null(sl_batch_builder_column(bb, 2));
	}
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	return b;
}

static int src_read(void *ctx, const char *start, const char *end, const sl_batch_ctx *bc,
                    sl_emitter *out, sl_error *err)
{
	src_ctx *c = ctx;
	long from = start ? strtol(start, NULL, 10) : 0;
	long to = strtol(end, NULL, 10);
	int rc = SL_OK;

	(void)bc;
	for (long k = from; k < to && rc >= 0; k++) {
		sl_batch *b = src_batch(c, k * c->rows);

		if (b == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_emit(out, b);
	}
	return rc;
}

static const sl_option_spec src_options[] = {
    {.name = "rows", .type = SL_OPT_INT, .def = "3", .doc = "rows per batch"},
    {.name = "batches", .type = SL_OPT_INT, .def = "2", .doc = "batches before the end"},
    {.name = "host", .type = SL_OPT_STRING, .def = "localhost", .doc = "a host name"},
    {.name = "port", .type = SL_OPT_INT, .def = "9999", .doc = "a port"},
    {.name = "nested", .type = SL_OPT_BOOL, .def = "false", .doc = "add a struct column"},
    {0},
};

/* --- tmap --- */

typedef struct map_ctx {
	int64_t fail_at;
} map_ctx;

static int map_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	const char *col = sl_opt_string(init->options, "column");
	map_ctx *c;

	if (col != NULL && sl_schema_find(init->input_schemas[0], col) < 0)
		return sl_error_at(err, SL_ENOTFOUND, "column", 0, "unknown column '%s'", col);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->fail_at = sl_opt_int(init->options, "fail_at_batch");
	*out = sl_type_ref((sl_schema *)init->input_schemas[0]);
	*ctx = c;
	return SL_OK;
}

static void map_destroy(void *ctx)
{
	free(ctx);
}

static int map_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	map_ctx *c = ctx;

	(void)port;
	if (bc->batch_id == c->fail_at)
		return sl_error_set(err, SL_EIO, "failing at batch %lld as asked",
		                    (long long)bc->batch_id);
	return sl_emit(out, sl_batch_ref((sl_batch *)in));
}

static const sl_option_spec map_options[] = {
    {.name = "column", .type = SL_OPT_STRING, .doc = "a column that must exist"},
    {.name = "fail_at_batch",
     .type = SL_OPT_INT,
     .def = "-1",
     .required = SL_OPT_NO_STATE,
     .doc = "fail at this batch"},
    {.name = "exprs", .type = SL_OPT_EXPR_LIST, .doc = "expressions (unused)"},
    {0},
};

/* --- tagg --- */

typedef struct agg_ctx {
	sl_schema *schema;
	int64_t count;
} agg_ctx;

static int agg_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	sl_field f = {"count", sl_type_int64(), false};
	agg_ctx *c = calloc(1, sizeof(*c));

	(void)init;
	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->schema = sl_type_struct(1, &f);
	*out = sl_type_ref(c->schema);
	*ctx = c;
	return SL_OK;
}

static void agg_destroy(void *ctx)
{
	agg_ctx *c = ctx;

	sl_type_unref(c->schema);
	free(c);
}

static int agg_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	agg_ctx *c = ctx;

	(void)port, (void)bc, (void)out, (void)err;
	c->count += in->n_rows;
	return SL_OK;
}

static int agg_end(void *ctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	agg_ctx *c = ctx;
	sl_batch_builder *bb = sl_batch_builder_new(c->schema, 1);
	sl_batch *b;

	(void)bc;
	if (bb == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_builder_append_int64(sl_batch_builder_column(bb, 0), c->count);
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	if (b == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_emit(out, b);
}

/* --- tsink and the dual sink --- */

typedef struct sink_ctx {
	char *path;
	int64_t rows;
	sl_stage *self;
} sink_ctx;

static int sink_new(const sl_stage_init *init, const char *path, void **ctx, sl_error *err)
{
	sink_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL || (path && (c->path = strdup(path)) == NULL)) {
		free(c);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	c->self = init->self;
	*ctx = c;
	return SL_OK;
}

static int sink_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	(void)out;
	return sink_new(init, sl_opt_string(init->options, "path"), ctx, err);
}

static int dual_create(const sl_stage_init *init, void **ctx, sl_schema **out, sl_error *err)
{
	(void)out;
	return sink_new(init, NULL, ctx, err);
}

static void sink_destroy(void *ctx)
{
	sink_ctx *c = ctx;

	free(c->path);
	free(c);
}

static int sink_begin(void *ctx, const sl_batch_ctx *bc, sl_error *err)
{
	sink_ctx *c = ctx;

	(void)bc, (void)err;
	c->rows = 0;
	return SL_OK;
}

static int sink_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                        sl_emitter *out, sl_error *err)
{
	sink_ctx *c = ctx;

	(void)port, (void)bc, (void)out, (void)err;
	c->rows += in->n_rows;
	sl_metric_add(c->self, "rowsSeen", in->n_rows);
	return SL_OK;
}

static int sink_end(void *ctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	sink_ctx *c = ctx;
	FILE *f;

	(void)out;
	if (c->path == NULL)
		return SL_OK;
	f = fopen(c->path, "a");
	if (f == NULL)
		return sl_error_at(err, SL_EIO, "path", -1, "cannot open '%s'", c->path);
	fprintf(f, "batch %lld rows %lld\n", (long long)bc->batch_id, (long long)c->rows);
	fclose(f);
	return SL_OK;
}

static const sl_option_spec sink_group[] = {
    {.name = "level", .type = SL_OPT_INT, .def = "1", .doc = "a level"},
    {.name = "label", .type = SL_OPT_STRING, .doc = "a label"},
    {0},
};

static const sl_option_spec sink_options[] = {
    {.name = "path", .type = SL_OPT_STRING, .required = 1, .doc = "file to append to"},
    {.name = "format",
     .type = SL_OPT_ENUM,
     .def = "json",
     .doc = "output format",
     .choices = "json|csv"},
    {.name = "every", .type = SL_OPT_DURATION, .def = "1s", .doc = "a duration"},
    {.name = "tags", .type = SL_OPT_STRING_LIST, .doc = "some tags"},
    {.name = "opts", .type = SL_OPT_GROUP, .doc = "nested options", .group = sink_group},
    {0},
};

/* --- descriptors --- */

static const sl_plugin tsrc = {
    .size = sizeof(sl_plugin),
    .name = "tsrc",
    .kind = SL_PLUGIN_SOURCE,
    .flags = SL_PLUGIN_REPLAYABLE,
    .summary = "test source: numbered rows",
    .options = src_options,
    .create = src_create,
    .destroy = src_destroy,
    .plan = src_plan,
    .read = src_read,
};

static const sl_plugin tmap = {
    .size = sizeof(sl_plugin),
    .name = "tmap",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "test transform: passes batches on",
    .options = map_options,
    .create = map_create,
    .destroy = map_destroy,
    .process = map_process,
};

static const sl_plugin tagg = {
    .size = sizeof(sl_plugin),
    .name = "tagg",
    .kind = SL_PLUGIN_TRANSFORM,
    .flags = SL_PLUGIN_STATEFUL,
    .summary = "test aggregate: running row count",
    .create = agg_create,
    .destroy = agg_destroy,
    .process = agg_process,
    .end_batch = agg_end,
};

static const sl_plugin tsink = {
    .size = sizeof(sl_plugin),
    .name = "tsink",
    .kind = SL_PLUGIN_SINK,
    .summary = "test sink: appends row counts to a file",
    .doc = "Writes one line per batch: \"batch N rows M\".",
    .options = sink_options,
    .create = sink_create,
    .destroy = sink_destroy,
    .begin_batch = sink_begin,
    .process = sink_process,
    .end_batch = sink_end,
};

static const sl_plugin dual_source = {
    .size = sizeof(sl_plugin),
    .name = "dual",
    .kind = SL_PLUGIN_SOURCE,
    .summary = "test source named like a sink",
    .options = src_options,
    .create = src_create,
    .destroy = src_destroy,
    .plan = src_plan,
    .read = src_read,
};

static const sl_plugin dual_sink = {
    .size = sizeof(sl_plugin),
    .name = "dual",
    .kind = SL_PLUGIN_SINK,
    .summary = "test sink named like a source",
    .create = dual_create,
    .destroy = sink_destroy,
    .begin_batch = sink_begin,
    .process = sink_process,
};

SL_MODULE(goodmod, &tsrc, &tmap, &tagg, &tsink, &dual_source, &dual_sink);
