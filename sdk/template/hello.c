/* hello.c - a template sluice plugin: copy this directory to start your own.
 *
 * A transform that appends one string column, `greeting`, made of a prefix
 * and the text of another column:  value 7 -> "hello, 7".
 *
 * Build it with nothing but the installed SDK:
 *   cc -shared -fPIC -o hello.so hello.c $(pkg-config --cflags --libs sluice)
 * and use it from a pipeline whose plugin_path names the directory of hello.so:
 *   { name = "greet"; plugin = "hello"; input = "numbers"; column = "value"; }
 */
#include <sluice/sluice.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* All state hangs off the instance (no globals): two "hello" stages in one
 * pipeline never share anything. */
struct hello {
	sl_stage *self;      /* the handle the core gave us, for sl_log */
	sl_expr *text;       /* CAST(<column> AS STRING), compiled once */
	sl_schema *out;      /* input columns + greeting */
	const char *prefix;  /* owned by the options, valid until destroy */
	size_t prefix_len;
	sl_builder *builder; /* reused batch after batch */
};

static void hello_destroy(void *ctx)
{
	struct hello *h = ctx;

	if (!h)
		return;
	sl_expr_free(h->text);
	sl_type_unref(h->out);
	sl_builder_free(h->builder);
	free(h);
}

/* The output schema is the input schema plus one column. */
static sl_schema *hello_schema(const sl_schema *in)
{
	sl_field *fields = calloc(in->n_fields + 1, sizeof(*fields));
	sl_schema *s;

	if (!fields)
		return NULL;
	memcpy(fields, in->fields, in->n_fields * sizeof(*fields));
	fields[in->n_fields] = (sl_field){.name = "greeting", .type = sl_type_string(), .nullable = true};
	s = sl_type_struct(in->n_fields + 1, fields);
	free(fields);
	return s;
}

static int hello_create(const sl_stage_init *init, void **ctx, sl_schema **out_schema, sl_error *err)
{
	const char *column = sl_opt_string(init->options, "column");
	struct hello *h = calloc(1, sizeof(*h));
	char text[512];
	int rc;

	if (!h)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	h->self = init->self;
	h->prefix = sl_opt_string(init->options, "prefix");
	h->prefix_len = strlen(h->prefix);
	/* Let the expression engine do the conversion and report a misspelt
	 * column (with a did-you-mean) at validate time. */
	snprintf(text, sizeof(text), "CAST(`%s` AS STRING)", column);
	rc = sl_expr_compile(text, init->input_schemas[0], SL_EXPR_SCALAR, &h->text, err);
	if (rc < 0) {
		err->option = "column";
		err->pos = -1;
		goto fail;
	}
	h->out = hello_schema(init->input_schemas[0]);
	h->builder = sl_builder_new(sl_type_string(), 1024);
	if (!h->out || !h->builder) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	*out_schema = sl_type_ref(h->out);
	*ctx = h;
	return SL_OK;
fail:
	hello_destroy(h);
	return rc;
}

/* One input batch (borrowed): share its columns, add the new one, emit. */
static int hello_process(void *ctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
			 sl_emitter *out, sl_error *err)
{
	struct hello *h = ctx;
	sl_array *text = NULL, **cols = NULL;
	char buf[256];
	int rc;

	(void)port; /* one input */
	rc = sl_expr_eval(h->text, in, &text, err);
	if (rc < 0)
		return rc;
	for (int64_t i = 0; i < in->n_rows; i++) {
		if (sl_array_is_null(text, i)) {
			sl_builder_append_null(h->builder);
			continue;
		}
		sl_strview v = sl_array_str(text, i);
		size_t n = v.len < sizeof(buf) - h->prefix_len ? v.len : sizeof(buf) - h->prefix_len;
		memcpy(buf, h->prefix, h->prefix_len);
		memcpy(buf + h->prefix_len, v.ptr, n);
		sl_builder_append_string(h->builder, buf, h->prefix_len + n);
	}
	sl_array_unref(text);

	cols = calloc(in->schema->n_fields + 1, sizeof(*cols));
	if (!cols)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t c = 0; c < in->schema->n_fields; c++)
		cols[c] = sl_array_ref(in->columns[c]); /* shared, not copied */
	cols[in->schema->n_fields] = sl_builder_finish(h->builder);
	sl_batch *b = sl_batch_new(h->out, in->n_rows, cols); /* takes the column refs */
	free(cols);
	if (!b)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_log(h->self, SL_LOG_DEBUG, "batch %lld: %lld greetings", (long long)bc->batch_id,
	       (long long)in->n_rows);
	return sl_emit(out, b); /* transfer full */
}

/* Options are declared, never parsed by hand: the core validates them and
 * `sluice plugins hello` prints this table. */
static const sl_option_spec hello_options[] = {
	{.name = "column", .type = SL_OPT_STRING, .required = 1, .doc = "column to greet"},
	{.name = "prefix", .type = SL_OPT_STRING, .def = "hello, ", .doc = "text put before the value"},
	{0},
};

static const sl_plugin hello_plugin = {
	.size = sizeof(sl_plugin),
	.name = "hello",
	.kind = SL_PLUGIN_TRANSFORM,
	.summary = "appends a greeting column (the SDK's template plugin)",
	.options = hello_options,
	.create = hello_create,
	.destroy = hello_destroy,
	.process = hello_process,
};

SL_MODULE(hello, &hello_plugin)
