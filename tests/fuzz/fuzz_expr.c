/* fuzz_expr.c - libFuzzer target for the expression engine: the input is an
 * expression's text.  It is compiled against a fixed schema (once with no
 * root forms allowed, once with aggregates, generators and * allowed) and,
 * when it compiles, evaluated over a small batch with nulls, empty strings,
 * lists and structs; boolean expressions also go through sl_expr_select.
 *
 *   _build-fuzz/tests/fuzz/fuzz_expr tests/fuzz/corpus/expr
 */
#include <stdlib.h>
#include <string.h>

#include <sluice/sluice.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sl_schema *schema;
static sl_batch *batch;

static void put_str(sl_builder *b, const char *s)
{
	if (s == NULL)
		sl_builder_append_null(b);
	else
		sl_builder_append_string(b, s, strlen(s));
}

static void setup(void)
{
	if (sl_schema_parse("i BIGINT, j BIGINT, d DOUBLE, s STRING, b BOOLEAN, t TIMESTAMP, "
	                    "l ARRAY<STRING>, st STRUCT<city: STRING, zip: BIGINT>, "
	                    "value STRING, n ARRAY<BIGINT>",
	                    &schema, NULL) < 0)
		abort();
	sl_batch_builder *bb = sl_batch_builder_new(schema, 8);
	static const char *strs[] = {"hello",
	                             "",
	                             NULL,
	                             "h\xc3\xa9llo w\xc3\xb6rld",
	                             "a,b,,c",
	                             "  12 ",
	                             "2019-02-05 10:05:00",
	                             "%_\\x"};
	for (int r = 0; r < 8; r++) {
		sl_builder *c;
		if (r == 2) {
			for (size_t k = 0; k < 6; k++)
				sl_builder_append_null(sl_batch_builder_column(bb, k));
		} else {
			sl_builder_append_int64(sl_batch_builder_column(bb, 0),
			                        r == 3 ? INT64_MIN : r * 7 - 20);
			sl_builder_append_int64(sl_batch_builder_column(bb, 1), r == 4   ? -1
			                                                        : r == 5 ? 0
			                                                        : r == 6 ? INT64_MAX
			                                                                 : r);
			sl_builder_append_double(sl_batch_builder_column(bb, 2),
			                         r == 5 ? 0.0 / 0.0 : r * 1.25 - 3);
			put_str(sl_batch_builder_column(bb, 3), strs[r]);
			sl_builder_append_bool(sl_batch_builder_column(bb, 4), r & 1);
			sl_builder_append_int64(sl_batch_builder_column(bb, 5),
			                        (int64_t)r * 86399999999 - 1000000);
		}
		c = sl_batch_builder_column(bb, 6);
		if (r == 1) {
			sl_builder_append_null(c);
		} else {
			sl_builder_list_begin(c);
			for (int k = 0; k < r % 4; k++)
				put_str(sl_builder_child(c, 0), k == 1 ? NULL : strs[(r + k) % 8]);
			sl_builder_list_end(c);
		}
		c = sl_batch_builder_column(bb, 7);
		if (r == 3) {
			sl_builder_append_null(c);
		} else {
			put_str(sl_builder_child(c, 0), strs[(r + 1) % 8]);
			sl_builder_append_int64(sl_builder_child(c, 1), r);
			sl_builder_append_struct(c);
		}
		put_str(sl_batch_builder_column(bb, 8), strs[(r + 3) % 8]);
		c = sl_batch_builder_column(bb, 9);
		sl_builder_list_begin(c);
		for (int k = 0; k < r; k++)
			sl_builder_append_int64(sl_builder_child(c, 0), k - 2);
		sl_builder_list_end(c);
	}
	batch = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	if (batch == NULL)
		abort();
}

/* sl_array_validate does pointer arithmetic on a string column's data
 * pointer, which is NULL for an empty data buffer: skip those. */
static bool has_null_data(const sl_array *a)
{
	if ((a->type->id == SL_TYPE_STRING || a->type->id == SL_TYPE_BINARY) &&
	    (a->data == NULL || a->data->data == NULL))
		return true;
	for (size_t k = 0; k < a->n_children; k++)
		if (has_null_data(a->children[k]))
			return true;
	return false;
}

static void run(sl_expr *e)
{
	sl_array *a = NULL;
	sl_error err;
	if (sl_expr_root_kind(e) != SL_EXPR_KIND_SCALAR) {
		for (size_t k = 0; k < sl_expr_root_nargs(e); k++)
			run(sl_expr_root_arg(e, k));
		return;
	}
	if (sl_expr_eval(e, batch, &a, &err) == 0) {
		if (a->length != batch->n_rows || !sl_type_equal(a->type, sl_expr_type(e)) ||
		    (!has_null_data(a) && sl_array_validate(a, NULL) < 0))
			abort();
		sl_array_unref(a);
	}
	if (sl_expr_type(e)->id == SL_TYPE_BOOL) {
		int32_t sel[8];
		int64_t n = 0;
		if (sl_expr_select(e, batch, sel, &n, &err) == 0 && (n < 0 || n > 8))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (schema == NULL)
		setup();
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static const unsigned flags[] = {
	    SL_EXPR_SCALAR, SL_EXPR_ALLOW_AGGREGATE | SL_EXPR_ALLOW_GENERATOR | SL_EXPR_ALLOW_STAR};
	for (size_t k = 0; k < 2; k++) {
		sl_expr *e = NULL;
		sl_error err;
		if (sl_expr_compile(text, schema, flags[k], &e, &err) == 0) {
			if (sl_expr_name(e) == NULL)
				abort();
			run(e);
			sl_expr_free(e);
		} else if (e != NULL || err.msg[0] == '\0' ||
		           (err.pos >= 0 && (size_t)err.pos > size)) {
			abort();
		}
	}
	free(text);
	return 0;
}
