/* test_sdk.c - the SDK unit test runner and shared helpers. */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "test_sdk.h"

static void render(const sl_array *a, int64_t i, sl_strbuf *sb)
{
	size_t f;

	if (sl_array_is_null(a, i)) {
		sl_strbuf_puts(sb, "null");
		return;
	}
	switch (a->type->id) {
	case SL_TYPE_NULL:
		sl_strbuf_puts(sb, "null");
		break;
	case SL_TYPE_BOOL:
		sl_strbuf_puts(sb, sl_array_bool(a, i) ? "true" : "false");
		break;
	case SL_TYPE_INT64:
		sl_strbuf_printf(sb, "%" PRId64, sl_array_i64(a)[i]);
		break;
	case SL_TYPE_TIMESTAMP:
		sl_strbuf_printf(sb, "ts%" PRId64, sl_array_i64(a)[i]);
		break;
	case SL_TYPE_DOUBLE:
		sl_strbuf_printf(sb, "%g", sl_array_f64(a)[i]);
		break;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		sl_strview v = sl_array_str(a, i);

		sl_strbuf_printf(sb, "\"%.*s\"", (int)v.len, v.ptr);
		break;
	}
	case SL_TYPE_STRUCT:
		sl_strbuf_puts(sb, "{");
		for (f = 0; f < a->n_children; f++) {
			sl_strbuf_printf(sb, "%s%s: ", f ? ", " : "", a->type->fields[f].name);
			render(a->children[f], i, sb);
		}
		sl_strbuf_puts(sb, "}");
		break;
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		int32_t j;

		sl_strbuf_puts(sb, "[");
		for (j = o[i]; j < o[i + 1]; j++) {
			if (j > o[i])
				sl_strbuf_puts(sb, ", ");
			render(a->children[0], j, sb);
		}
		sl_strbuf_puts(sb, "]");
		break;
	}
	}
}

const char *test_render(const sl_array *a)
{
	static char out[8192];
	sl_strbuf sb = {0};
	int64_t i;

	if (a == NULL)
		return "(NULL array)";
	sl_strbuf_puts(&sb, "[");
	for (i = 0; i < a->length; i++) {
		if (i > 0)
			sl_strbuf_puts(&sb, ", ");
		render(a, i, &sb);
	}
	sl_strbuf_puts(&sb, "]");
	snprintf(out, sizeof(out), "%s", sb.buf);
	sl_strbuf_free(&sb);
	return out;
}

const char *test_type_str(const sl_type *t)
{
	static char out[1024];
	sl_strbuf sb = {0};

	sl_type_format(t, &sb);
	snprintf(out, sizeof(out), "%s", sb.buf ? sb.buf : "");
	sl_strbuf_free(&sb);
	return out;
}

int test_add_suite(const char *name, const test_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (s == NULL)
		return -1;
	for (; cases->name != NULL; cases++)
		if (CU_add_test(s, cases->name, cases->fn) == NULL)
			return -1;
	return 0;
}

int main(void)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (test_sdk_add_array() < 0 || test_sdk_add_type() < 0 || test_sdk_add_options() < 0) {
		fprintf(stderr, "test_sdk: cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
