/* test_flatten.c - harness tests of the flatten transform (CUnit): names,
 * options, nulls of the parent struct, zero-copy sharing, errors. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/harness.h"

static void check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want:\n%s--- got:\n%s---\n", want, got);
}

/* opts: name, value pairs; a name ending in [] is a list item.  Returns the
 * create result; *out the stage (freed by the caller). */
static int make(const char *ddl, const char *const *opts, slh **out)
{
	slh *h = slh_new("flatten");
	sl_schema *s = slh_schema_parse(ddl);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; opts && opts[i]; i += 2) {
		size_t n = strlen(opts[i]);
		if (n > 2 && strcmp(opts[i] + n - 2, "[]") == 0) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(n - 2), opts[i]);
			CU_ASSERT_EQUAL(slh_add(h, name, opts[i + 1]), SL_OK);
		} else {
			CU_ASSERT_EQUAL(slh_set(h, opts[i], opts[i + 1]), SL_OK);
		}
	}
	rc = slh_create(h, s, SL_MODE_APPEND);
	sl_type_unref(s);
	*out = h;
	return rc;
}

static slh *stage(const char *ddl, const char *const *opts)
{
	slh *h;
	int rc = make(ddl, opts, &h);

	if (rc < 0)
		fprintf(stderr, "create: %s\n", slh_error(h)->msg);
	CU_ASSERT_EQUAL(rc, SL_OK);
	return h;
}

static void check_schema(const slh *h, const char *want)
{
	sl_strbuf sb = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(slh_schema(h));
	sl_type_format(slh_schema(h), &sb);
	check_text(sb.buf ? sb.buf : "", want);
	sl_strbuf_free(&sb);
}

static const char *run(slh *h, const char *ddl, const char *rows)
{
	sl_batch *b = slh_batch(ddl, rows);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	slh_clear(h);
	rc = slh_run(h, 1, &b, 1);
	if (rc < 0)
		fprintf(stderr, "run: %s\n", slh_error(h)->msg);
	CU_ASSERT_EQUAL(rc, SL_OK);
	if (slh_n_out(h) == 1)
		CU_ASSERT_EQUAL(sl_batch_validate(slh_out(h, 0), NULL), SL_OK);
	sl_batch_unref(b);
	return slh_out_text(h);
}

#define ADDR_DDL                                                                                   \
	"InvoiceNumber STRING, DeliveryAddress STRUCT<City: STRING, State: STRING, "               \
	"PinCode: STRING>, TotalAmount DOUBLE"

static void test_default(void)
{
	slh *h = stage(ADDR_DDL, NULL);

	check_schema(h, "STRUCT<InvoiceNumber: STRING, DeliveryAddress_City: STRING, "
	                "DeliveryAddress_State: STRING, DeliveryAddress_PinCode: STRING, "
	                "TotalAmount: DOUBLE>");
	check_text(run(h, ADDR_DDL,
	               "[[\"1\", [\"Pune\", \"MH\", \"411001\"], 10.5],"
	               " [\"2\", null, 20],"
	               " [\"3\", [null, \"KA\", \"560001\"], 30],"
	               " [\"4\", [\"Delhi\", null, null], null]]"),
	           "1, Pune, MH, 411001, 10.5\n"
	           "2, null, null, null, 20.0\n"
	           "3, null, KA, 560001, 30.0\n"
	           "4, Delhi, null, null, null\n");
	slh_free(h);
}

/* The lifted columns share the struct's child buffers. */
static void test_zero_copy(void)
{
	const char *ddl = "id BIGINT, s STRUCT<a: BIGINT, b: STRING>";
	slh *h = stage(ddl, NULL);
	sl_batch *b;
	const sl_batch *o;

	/* No null structs: the very child arrays. */
	b = slh_batch(ddl, "[[1, [10, \"x\"]], [2, [null, \"y\"]]]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(slh_run(h, 1, &b, 1), SL_OK);
	CU_ASSERT_EQUAL_FATAL(slh_n_out(h), 1);
	o = slh_out(h, 0);
	CU_ASSERT_PTR_EQUAL(o->columns[0], b->columns[0]);
	CU_ASSERT_PTR_EQUAL(o->columns[1], b->columns[1]->children[0]);
	CU_ASSERT_PTR_EQUAL(o->columns[2], b->columns[1]->children[1]);
	sl_batch_unref(b);
	slh_clear(h);

	/* A null struct: new validity, same value buffers. */
	b = slh_batch(ddl, "[[1, [10, \"x\"]], [2, null], [3, [null, \"z\"]]]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(slh_run(h, 2, &b, 1), SL_OK);
	CU_ASSERT_EQUAL_FATAL(slh_n_out(h), 1);
	o = slh_out(h, 0);
	CU_ASSERT_PTR_EQUAL(o->columns[1]->values, b->columns[1]->children[0]->values);
	CU_ASSERT_PTR_EQUAL(o->columns[2]->values, b->columns[1]->children[1]->values);
	CU_ASSERT_PTR_EQUAL(o->columns[2]->data, b->columns[1]->children[1]->data);
	CU_ASSERT_EQUAL(o->columns[1]->null_count, 2);
	CU_ASSERT_EQUAL(o->columns[2]->null_count, 1);
	CU_ASSERT_EQUAL(sl_batch_validate(o, NULL), SL_OK);
	check_text(slh_out_text(h), "1, 10, x\n2, null, null\n3, null, z\n");
	sl_batch_unref(b);
	slh_free(h);
}

static void test_columns_separator(void)
{
	const char *ddl = "a STRUCT<x: BIGINT, y: BIGINT>, b STRUCT<x: BIGINT>, c ARRAY<BIGINT>";
	const char *const opts[] = {"columns[]", "b", "separator", ".", NULL};
	slh *h = stage(ddl, opts);

	check_schema(h, "STRUCT<a: STRUCT<x: BIGINT, y: BIGINT>, `b.x`: BIGINT, "
	                "c: ARRAY<BIGINT>>");
	check_text(run(h, ddl, "[[[1, 2], [3], [4, 5]], [null, null, null]]"),
	           "{1, 2}, 3, [4, 5]\nnull, null, null\n");
	slh_free(h);
}

static void test_no_prefix(void)
{
	const char *ddl = "id BIGINT, addr STRUCT<city: STRING, pin: STRING>";
	const char *const opts[] = {"prefix", "false", NULL};
	slh *h = stage(ddl, opts);

	check_schema(h, "STRUCT<id: BIGINT, city: STRING, pin: STRING>");
	check_text(run(h, ddl, "[[1, [\"Pune\", \"411001\"]], [2, null]]"),
	           "1, Pune, 411001\n2, null, null\n");
	slh_free(h);
}

static void test_recursive(void)
{
	const char *ddl = "id BIGINT, s STRUCT<a: BIGINT, t: STRUCT<b: STRING, c: DOUBLE>>";
	const char *const rec[] = {"recursive", "true", NULL};
	slh *h = stage(ddl, NULL);
	const char *rows = "[[1, [2, [\"x\", 1.5]]], [2, [3, null]], [3, null],"
	                   " [4, [null, [null, 2.5]]]]";

	/* Not recursive: the inner struct is one column, masked by its parent. */
	check_schema(h, "STRUCT<id: BIGINT, s_a: BIGINT, s_t: STRUCT<b: STRING, c: DOUBLE>>");
	check_text(run(h, ddl, rows), "1, 2, {x, 1.5}\n2, 3, null\n3, null, null\n"
	                              "4, null, {null, 2.5}\n");
	slh_free(h);

	h = stage(ddl, rec);
	check_schema(h, "STRUCT<id: BIGINT, s_a: BIGINT, s_t_b: STRING, s_t_c: DOUBLE>");
	check_text(run(h, ddl, rows), "1, 2, x, 1.5\n2, 3, null, null\n3, null, null, null\n"
	                              "4, null, null, 2.5\n");
	slh_free(h);
}

/* A batch without rows and a schema without structs. */
static void test_pass_through(void)
{
	const char *ddl = "a BIGINT, b STRING";
	slh *h = stage(ddl, NULL);

	check_schema(h, "STRUCT<a: BIGINT, b: STRING>");
	check_text(run(h, ddl, "[[1, \"x\"]]"), "1, x\n");
	slh_free(h);
	h = stage(ADDR_DDL, NULL);
	check_text(run(h, ADDR_DDL, "[]"), "");
	slh_free(h);
}

static void test_errors(void)
{
	slh *h;
	const char *const unknown[] = {"columns[]", "DeliveryAdress", NULL};
	const char *const scalar[] = {"columns[]", "TotalAmount", NULL};
	const char *const clash[] = {"prefix", "false", NULL};
	const char *const clash2[] = {"separator", "", NULL};

	CU_ASSERT(make(ADDR_DDL, unknown, &h) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "DeliveryAddress"));
	CU_ASSERT_STRING_EQUAL(slh_error(h)->option, "columns");
	slh_free(h);

	CU_ASSERT(make(ADDR_DDL, scalar, &h) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "not a STRUCT"));
	slh_free(h);

	CU_ASSERT(make("city STRING, addr STRUCT<city: STRING>", clash, &h) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "'city'"));
	slh_free(h);

	CU_ASSERT(make("a_b STRING, a STRUCT<_b: STRING>", clash2, &h) < 0);
	slh_free(h);
	CU_ASSERT(make("ab STRING, a STRUCT<b: STRING>", clash2, &h) < 0);
	slh_free(h);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"every struct, null structs", test_default},
	    {"zero-copy", test_zero_copy},
	    {"columns, separator", test_columns_separator},
	    {"prefix false", test_no_prefix},
	    {"recursive", test_recursive},
	    {"pass-through, empty batch", test_pass_through},
	    {"errors", test_errors},
	};
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("flatten", NULL, NULL);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
