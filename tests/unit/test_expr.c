/* test_expr.c - unit tests of the expression engine (sl_expr.h).
 *
 * Most tests evaluate an expression over a small batch (see make_batch) and
 * compare the rows rendered as text, "a|b|NULL", with what Spark gives.
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sluice.h>

#define TEST_SCHEMA                                                                                \
	"i BIGINT, j BIGINT, d DOUBLE, s STRING, b BOOLEAN, t TIMESTAMP, l ARRAY<STRING>, "        \
	"st STRUCT<city: STRING, zip: BIGINT>, value STRING, n STRING, c BOOLEAN"

static sl_schema *g_schema;
static sl_batch *g_batch;

/* ------------------------------------------------------------- building */

static void put_str(sl_builder *b, const char *s)
{
	if (s == NULL)
		sl_builder_append_null(b);
	else
		sl_builder_append_string(b, s, strlen(s));
}

static void put_i64(sl_builder *b, const int64_t *v)
{
	if (v == NULL)
		sl_builder_append_null(b);
	else
		sl_builder_append_int64(b, *v);
}

#define I(x) (&(int64_t){x})

static sl_batch *make_batch(void)
{
	sl_batch_builder *bb = sl_batch_builder_new(g_schema, 8);
	const int64_t *iv[] = {I(1), I(2), NULL, I(-7), I(10)};
	const int64_t *jv[] = {I(3), I(0), I(5), I(2), NULL};
	const double dv[] = {1.5, -2.5, 0, 0.0, NAN};
	const char *sv[] = {"hello", "World", NULL, "", "h\xc3\xa9llo w\xc3\xb6rld"};
	const int bv[] = {1, 0, -1, 1, 0};
	const int cv[] = {1, -1, -1, 0, 0};
	const int64_t *tv[] = {I(1549361100000000), I(0), NULL, I(-1), I(1599646680500000)};
	const char *vv[] = {"a b c", "hello world", NULL, "", "x"};
	const char *nv[] = {"12", " 3.7 ", "abc", NULL, "-5"};
	for (int r = 0; r < 5; r++) {
		put_i64(sl_batch_builder_column(bb, 0), iv[r]);
		put_i64(sl_batch_builder_column(bb, 1), jv[r]);
		if (r == 2)
			sl_builder_append_null(sl_batch_builder_column(bb, 2));
		else
			sl_builder_append_double(sl_batch_builder_column(bb, 2), dv[r]);
		put_str(sl_batch_builder_column(bb, 3), sv[r]);
		if (bv[r] < 0)
			sl_builder_append_null(sl_batch_builder_column(bb, 4));
		else
			sl_builder_append_bool(sl_batch_builder_column(bb, 4), bv[r]);
		put_i64(sl_batch_builder_column(bb, 5), tv[r]);
		sl_builder *l = sl_batch_builder_column(bb, 6);
		switch (r) {
		case 0:
			sl_builder_list_begin(l);
			put_str(sl_builder_child(l, 0), "a");
			put_str(sl_builder_child(l, 0), "b");
			sl_builder_list_end(l);
			break;
		case 1:
			sl_builder_list_begin(l);
			sl_builder_list_end(l);
			break;
		case 2:
			sl_builder_append_null(l);
			break;
		case 3:
			sl_builder_list_begin(l);
			put_str(sl_builder_child(l, 0), "x");
			put_str(sl_builder_child(l, 0), NULL);
			sl_builder_list_end(l);
			break;
		default:
			sl_builder_list_begin(l);
			put_str(sl_builder_child(l, 0), "q");
			sl_builder_list_end(l);
			break;
		}
		sl_builder *st = sl_batch_builder_column(bb, 7);
		const char *cities[] = {"Paris", NULL, "Rome", "", "Oslo"};
		const int64_t *zips[] = {I(75), NULL, NULL, I(0), I(150)};
		if (r == 1) {
			sl_builder_append_null(st);
		} else {
			put_str(sl_builder_child(st, 0), cities[r]);
			put_i64(sl_builder_child(st, 1), zips[r]);
			sl_builder_append_struct(st);
		}
		put_str(sl_batch_builder_column(bb, 8), vv[r]);
		put_str(sl_batch_builder_column(bb, 9), nv[r]);
		if (cv[r] < 0)
			sl_builder_append_null(sl_batch_builder_column(bb, 10));
		else
			sl_builder_append_bool(sl_batch_builder_column(bb, 10), cv[r]);
	}
	sl_batch *b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	return b;
}

/* ------------------------------------------------------------ rendering */

static void render(const sl_array *a, int64_t i, sl_strbuf *sb)
{
	if (a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i)) {
		sl_strbuf_puts(sb, "NULL");
		return;
	}
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		sl_strbuf_puts(sb, sl_array_bool(a, i) ? "true" : "false");
		break;
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		sl_strbuf_printf(sb, "%" PRId64, sl_array_i64(a)[i]);
		break;
	case SL_TYPE_DOUBLE: {
		double d = sl_array_f64(a)[i];
		if (isnan(d))
			sl_strbuf_puts(sb, "NaN");
		else
			sl_strbuf_printf(sb, "%.15g", d);
		break;
	}
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY: {
		sl_strview v = sl_array_str(a, i);
		sl_strbuf_append(sb, v.ptr, v.len);
		break;
	}
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		sl_strbuf_puts(sb, "[");
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			if (k > o[i])
				sl_strbuf_puts(sb, ",");
			render(a->children[0], k, sb);
		}
		sl_strbuf_puts(sb, "]");
		break;
	}
	case SL_TYPE_STRUCT:
		sl_strbuf_puts(sb, "{");
		for (size_t k = 0; k < a->n_children; k++) {
			if (k > 0)
				sl_strbuf_puts(sb, ",");
			render(a->children[k], i, sb);
		}
		sl_strbuf_puts(sb, "}");
		break;
	default:
		sl_strbuf_puts(sb, "?");
	}
}

static char *render_rows(const sl_array *a)
{
	sl_strbuf sb = {0};
	sl_strbuf_puts(&sb, "");
	for (int64_t i = 0; i < a->length; i++) {
		if (i > 0)
			sl_strbuf_puts(&sb, "|");
		render(a, i, &sb);
	}
	return sb.buf;
}

static const char *type_str(const sl_type *t)
{
	static char buf[256];
	sl_strbuf sb = {0};
	sl_type_format(t, &sb);
	snprintf(buf, sizeof(buf), "%s", sb.buf ? sb.buf : "?");
	sl_strbuf_free(&sb);
	return buf;
}

/* ------------------------------------------------------------- checking */

static int failures_shown;

/* Evaluates text over the test batch; checks the rows. */
static void check_rows(const char *text, const char *want, int line)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	sl_array *a = NULL;
	int rc = sl_expr_compile(text, g_schema, SL_EXPR_SCALAR, &e, &err);
	if (rc < 0) {
		printf("\n  line %d: %s: compile failed: %s (pos %d)\n", line, text, err.msg,
		       err.pos);
		CU_FAIL("compile failed");
		return;
	}
	rc = sl_expr_eval(e, g_batch, &a, &err);
	if (rc < 0) {
		printf("\n  line %d: %s: eval failed: %s\n", line, text, err.msg);
		CU_FAIL("eval failed");
		sl_expr_free(e);
		return;
	}
	CU_ASSERT_EQUAL(a->length, g_batch->n_rows);
	CU_ASSERT(sl_array_validate(a, NULL) == 0);
	CU_ASSERT(sl_type_equal(a->type, sl_expr_type(e)));
	if (!sl_expr_nullable(e) && a->null_count != 0) {
		printf("\n  line %d: %s: declared not nullable but has nulls\n", line, text);
		CU_FAIL("nullability");
	}
	char *got = render_rows(a);
	if (strcmp(got, want) != 0) {
		printf("\n  line %d: %s\n    got:  %s\n    want: %s\n", line, text, got, want);
		failures_shown++;
		CU_FAIL("rows differ");
	} else {
		CU_PASS("rows");
	}
	free(got);
	sl_array_unref(a);
	sl_expr_free(e);
}
#define ROWS(text, want) check_rows(text, want, __LINE__)

/* A constant expression's value (rendered from row 0). */
static void check_value(const char *text, const char *want, int line)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	sl_array *a = NULL;
	if (sl_expr_compile(text, g_schema, SL_EXPR_SCALAR, &e, &err) < 0) {
		printf("\n  line %d: %s: compile failed: %s (pos %d)\n", line, text, err.msg,
		       err.pos);
		CU_FAIL("compile failed");
		return;
	}
	if (sl_expr_eval(e, g_batch, &a, &err) < 0) {
		printf("\n  line %d: %s: eval failed: %s\n", line, text, err.msg);
		CU_FAIL("eval failed");
		sl_expr_free(e);
		return;
	}
	sl_strbuf sb = {0};
	sl_strbuf_puts(&sb, "");
	render(a, 0, &sb);
	/* every row holds the same value */
	for (int64_t i = 1; i < a->length; i++) {
		sl_strbuf o = {0};
		sl_strbuf_puts(&o, "");
		render(a, i, &o);
		CU_ASSERT_STRING_EQUAL(o.buf, sb.buf);
		sl_strbuf_free(&o);
	}
	if (strcmp(sb.buf, want) != 0) {
		printf("\n  line %d: %s\n    got:  %s\n    want: %s\n", line, text, sb.buf, want);
		CU_FAIL("value differs");
	} else {
		CU_PASS("value");
	}
	sl_strbuf_free(&sb);
	sl_array_unref(a);
	sl_expr_free(e);
}
#define VALUE(text, want) check_value(text, want, __LINE__)

static void check_error(const char *text, unsigned flags, int code, int pos, const char *msg,
                        int line)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	int rc = sl_expr_compile(text, g_schema, flags, &e, &err);
	if (rc >= 0) {
		printf("\n  line %d: %s: compiled, expected an error\n", line, text);
		CU_FAIL("no error");
		sl_expr_free(e);
		return;
	}
	CU_ASSERT_PTR_NULL(e);
	bool ok = (code == 0 || rc == code) && err.code == rc && (pos < -1 || err.pos == pos) &&
	          (msg == NULL || strcmp(err.msg, msg) == 0);
	if (!ok) {
		printf("\n  line %d: %s\n    got:  %d pos %d '%s'\n    want: %d pos %d '%s'\n",
		       line, text, rc, err.pos, err.msg, code, pos, msg ? msg : "(any)");
		CU_FAIL("error differs");
	} else {
		CU_PASS("error");
	}
}
#define ERR(text, code, pos, msg) check_error(text, SL_EXPR_SCALAR, code, pos, msg, __LINE__)
#define ERRF(text, flags, code, pos, msg) check_error(text, flags, code, pos, msg, __LINE__)

static void check_type(const char *text, const char *type, bool nullable, int line)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	if (sl_expr_compile(text, g_schema, SL_EXPR_SCALAR, &e, &err) < 0) {
		printf("\n  line %d: %s: compile failed: %s\n", line, text, err.msg);
		CU_FAIL("compile failed");
		return;
	}
	const char *got = type_str(sl_expr_type(e));
	if (strcmp(got, type) != 0 || sl_expr_nullable(e) != nullable) {
		printf("\n  line %d: %s\n    got:  %s %s\n    want: %s %s\n", line, text, got,
		       sl_expr_nullable(e) ? "NULL" : "NOT NULL", type,
		       nullable ? "NULL" : "NOT NULL");
		CU_FAIL("type differs");
	} else {
		CU_PASS("type");
	}
	sl_expr_free(e);
}
#define TYPE(text, type, nullable) check_type(text, type, nullable, __LINE__)

static void check_name(const char *text, unsigned flags, const char *name, int line)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	if (sl_expr_compile(text, g_schema, flags, &e, &err) < 0) {
		printf("\n  line %d: %s: compile failed: %s\n", line, text, err.msg);
		CU_FAIL("compile failed");
		return;
	}
	if (strcmp(sl_expr_name(e), name) != 0) {
		printf("\n  line %d: %s\n    got:  %s\n    want: %s\n", line, text, sl_expr_name(e),
		       name);
		CU_FAIL("name differs");
	} else {
		CU_PASS("name");
	}
	sl_expr_free(e);
}
#define NAME(text, name)                                                                           \
	check_name(text, SL_EXPR_ALLOW_AGGREGATE | SL_EXPR_ALLOW_GENERATOR | SL_EXPR_ALLOW_STAR,   \
	           name, __LINE__)

/* --------------------------------------------------------------- tests */

static void test_literals(void)
{
	VALUE("1", "1");
	VALUE("-9223372036854775808", "-9223372036854775808");
	VALUE("9223372036854775807", "9223372036854775807");
	VALUE("1.5", "1.5");
	VALUE("1e3", "1000");
	VALUE(".5", "0.5");
	VALUE("10L", "10");
	VALUE("2D", "2");
	VALUE("'it''s'", "it's");
	VALUE("'a\\tb'", "a\tb");
	VALUE("'back\\\\slash'", "back\\slash");
	VALUE("'\\u00e9'", "\xc3\xa9");
	VALUE("\"dq\"", "dq");
	VALUE("TRUE", "true");
	VALUE("false", "false");
	VALUE("NULL", "NULL");
	TYPE("1", "BIGINT", false);
	TYPE("1.5", "DOUBLE", false);
	TYPE("'x'", "STRING", false);
	TYPE("true", "BOOLEAN", false);
	TYPE("NULL", "VOID", true);
	TYPE("99999999999999999999", "DOUBLE", false);
}

static void test_columns(void)
{
	ROWS("i", "1|2|NULL|-7|10");
	ROWS("I", "1|2|NULL|-7|10");
	ROWS("`value`", "a b c|hello world|NULL||x");
	ROWS("st", "{Paris,75}|NULL|{Rome,NULL}|{,0}|{Oslo,150}");
	ROWS("st.city", "Paris|NULL|Rome||Oslo");
	ROWS("st.ZIP", "75|NULL|NULL|0|150");
	ROWS("l", "[a,b]|[]|NULL|[x,NULL]|[q]");
	ROWS("l[0]", "a|NULL|NULL|x|q");
	ROWS("l[1]", "b|NULL|NULL|NULL|NULL");
	ROWS("l[-1]", "NULL|NULL|NULL|NULL|NULL");
	ROWS("l[i - 1]", "a|NULL|NULL|NULL|NULL");
	ROWS("element_at(l, 1)", "a|NULL|NULL|x|q");
	ROWS("element_at(l, -1)", "b|NULL|NULL|NULL|q");
	ROWS("element_at(l, 3)", "NULL|NULL|NULL|NULL|NULL");
	ROWS("size(l)", "2|0|-1|2|1");
	ROWS("cardinality(l)", "2|0|-1|2|1");
	TYPE("st.city", "STRING", true);
	TYPE("l[0]", "STRING", true);
	TYPE("size(l)", "BIGINT", false);
}

static void test_arithmetic(void)
{
	ROWS("i + 1", "2|3|NULL|-6|11");
	ROWS("1 + i", "2|3|NULL|-6|11");
	ROWS("i + j", "4|2|NULL|-5|NULL");
	ROWS("i - j", "-2|2|NULL|-9|NULL");
	ROWS("10 - i", "9|8|NULL|17|0");
	ROWS("i * j", "3|0|NULL|-14|NULL");
	ROWS("i * 3", "3|6|NULL|-21|30");
	ROWS("i / j", "0.333333333333333|NULL|NULL|-3.5|NULL");
	ROWS("i / 2", "0.5|1|NULL|-3.5|5");
	ROWS("i / 0", "NULL|NULL|NULL|NULL|NULL");
	ROWS("100 / i", "100|50|NULL|-14.2857142857143|10");
	ROWS("i % j", "1|NULL|NULL|-1|NULL");
	ROWS("i % 2", "1|0|NULL|-1|0");
	ROWS("i % -3", "1|2|NULL|-1|1");
	ROWS("i % 0", "NULL|NULL|NULL|NULL|NULL");
	ROWS("7 % i", "0|1|NULL|0|7");
	ROWS("-i", "-1|-2|NULL|7|-10");
	ROWS("- -i", "1|2|NULL|-7|10");
	ROWS("i + d", "2.5|-0.5|NULL|-7|NaN");
	ROWS("d * 2", "3|-5|NULL|0|NaN");
	ROWS("d / 0", "NULL|NULL|NULL|NULL|NULL");
	ROWS("d % 2", "1.5|-0.5|NULL|0|NaN");
	ROWS("-d", "-1.5|2.5|NULL|-0|NaN");
	ROWS("i + NULL", "NULL|NULL|NULL|NULL|NULL");
	ROWS("(i + 1) * 2 - j", "1|6|NULL|-14|NULL");
	ROWS("i + 2 * 3", "7|8|NULL|-1|16");
	VALUE("9223372036854775807 + 1", "-9223372036854775808");
	VALUE("7 / 2", "3.5");
	VALUE("-7 % 3", "-1");
	VALUE("7.5 % 2", "1.5");
	VALUE("1 / 0", "NULL");
	VALUE("1.0 / 0.0", "NULL");
	TYPE("i + j", "BIGINT", true);
	TYPE("i / j", "DOUBLE", true);
	TYPE("i + 1.0", "DOUBLE", true);
	TYPE("i % 2", "BIGINT", true);
	TYPE("1 + 2", "BIGINT", false);
}

/* x % d against C's % over many values, every kernel shape. */
static void test_modulo_kernels(void)
{
	const int64_t n = 5000;
	sl_field f[2] = {{"x", sl_type_int64(), false}, {"y", sl_type_int64(), false}};
	sl_schema *s = sl_type_struct(2, f);
	sl_builder *bx = sl_builder_new(sl_type_int64(), n),
	           *by = sl_builder_new(sl_type_int64(), n);
	uint64_t seed = 88172645463325252ull;
	int64_t *xs = malloc(n * sizeof(*xs)), *ys = malloc(n * sizeof(*ys));
	for (int64_t i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		int64_t x = (int64_t)seed;
		if (i % 4 == 1)
			x %= 1000;
		if (i < 8) {
			static const int64_t special[] = {0,         1,  -1, INT64_MIN,
			                                  INT64_MAX, -2, 7,  -7};
			x = special[i];
		}
		int64_t y = (int64_t)(seed >> 40) % 97 - 48;
		if (i % 11 == 0)
			y = (int64_t)(seed * 31);
		xs[i] = x;
		ys[i] = y;
		sl_builder_append_int64(bx, x);
		sl_builder_append_int64(by, y);
	}
	sl_array *cols[2] = {sl_builder_finish(bx), sl_builder_finish(by)};
	sl_builder_free(bx);
	sl_builder_free(by);
	sl_batch *batch = sl_batch_new(s, n, cols);
	static const int64_t divs[] = {2,
	                               3,
	                               5,
	                               7,
	                               10,
	                               16,
	                               -3,
	                               -8,
	                               1000000007,
	                               641,
	                               INT64_MAX,
	                               INT64_MIN,
	                               INT64_MIN + 1,
	                               -1,
	                               1,
	                               6700417,
	                               3600};
	for (size_t k = 0; k < sizeof(divs) / sizeof(divs[0]); k++) {
		char text[64];
		snprintf(text, sizeof(text), "x %% %" PRId64, divs[k]);
		if (divs[k] == INT64_MIN)
			snprintf(text, sizeof(text), "x %% (-9223372036854775807 - 1)");
		sl_expr *e = NULL;
		sl_array *a = NULL;
		CU_ASSERT_EQUAL_FATAL(sl_expr_compile(text, s, 0, &e, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, batch, &a, NULL), 0);
		int bad = 0;
		for (int64_t i = 0; i < n; i++) {
			int64_t want = divs[k] == -1 ? 0 : xs[i] % divs[k];
			if (sl_array_i64(a)[i] != want && bad++ < 3)
				printf("\n  %s: x=%" PRId64 " got %" PRId64 " want %" PRId64, text,
				       xs[i], sl_array_i64(a)[i], want);
		}
		CU_ASSERT_EQUAL(bad, 0);
		sl_array_unref(a);
		sl_expr_free(e);
	}
	/* column % column, with zero divisors giving NULL */
	sl_expr *e = NULL;
	sl_array *a = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("x % y", s, 0, &e, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, batch, &a, NULL), 0);
	int bad = 0;
	for (int64_t i = 0; i < n; i++) {
		if (ys[i] == 0) {
			bad += !sl_array_is_null(a, i);
			continue;
		}
		int64_t want = ys[i] == -1 ? 0 : xs[i] % ys[i];
		bad += sl_array_is_null(a, i) || sl_array_i64(a)[i] != want;
	}
	CU_ASSERT_EQUAL(bad, 0);
	sl_array_unref(a);
	sl_expr_free(e);
	free(xs);
	free(ys);
	sl_batch_unref(batch);
	sl_type_unref(s);
}

static void test_comparison(void)
{
	ROWS("i = 2", "false|true|NULL|false|false");
	ROWS("i == 2", "false|true|NULL|false|false");
	ROWS("i != 2", "true|false|NULL|true|true");
	ROWS("i <> 2", "true|false|NULL|true|true");
	ROWS("i < 2", "true|false|NULL|true|false");
	ROWS("i <= 2", "true|true|NULL|true|false");
	ROWS("i > 2", "false|false|NULL|false|true");
	ROWS("i >= 2", "false|true|NULL|false|true");
	ROWS("2 < i", "false|false|NULL|false|true");
	ROWS("i < j", "true|false|NULL|true|NULL");
	ROWS("i = j", "false|false|NULL|false|NULL");
	ROWS("i > 1.5", "false|true|NULL|false|true");
	ROWS("d > 0", "true|false|NULL|false|true");
	ROWS("d = d", "true|true|NULL|true|true");
	ROWS("d < 1e308", "true|true|NULL|true|false");
	ROWS("d >= i", "true|false|NULL|true|true");
	ROWS("s = 'hello'", "true|false|NULL|false|false");
	ROWS("s < 'i'", "true|true|NULL|true|true");
	ROWS("s > value", "true|false|NULL|false|false");
	ROWS("s = ''", "false|false|NULL|true|false");
	ROWS("b = true", "true|false|NULL|true|false");
	ROWS("b < c", "false|NULL|NULL|false|false");
	ROWS("t > '2000-01-01'", "true|false|NULL|false|true");
	ROWS("t = '1970-01-01 00:00:00'", "false|true|NULL|false|false");
	ROWS("i = NULL", "NULL|NULL|NULL|NULL|NULL");
	VALUE("'a' < 'b'", "true");
	VALUE("1 = 1.0", "true");
	VALUE("NULL = NULL", "NULL");
	TYPE("i = 1", "BOOLEAN", true);
	TYPE("1 = 1", "BOOLEAN", false);
}

/* The SQL truth tables, over every pair of TRUE, FALSE, NULL. */
static void test_logic(void)
{
	sl_schema *s = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("x BOOLEAN, y BOOLEAN", &s, NULL), 0);
	sl_batch_builder *bb = sl_batch_builder_new(s, 9);
	for (int k = 0; k < 9; k++) {
		int v[2] = {k / 3, k % 3};
		for (int c = 0; c < 2; c++) {
			sl_builder *b = sl_batch_builder_column(bb, (size_t)c);
			if (v[c] == 2)
				sl_builder_append_null(b);
			else
				sl_builder_append_bool(b, v[c] == 0);
		}
	}
	sl_batch *batch = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"x AND y", "true|false|NULL|false|false|false|NULL|false|NULL"},
	    {"x OR y", "true|true|true|true|false|NULL|true|NULL|NULL"},
	    {"NOT x", "false|false|false|true|true|true|NULL|NULL|NULL"},
	    {"x AND TRUE", "true|true|true|false|false|false|NULL|NULL|NULL"},
	    {"x AND NULL", "NULL|NULL|NULL|false|false|false|NULL|NULL|NULL"},
	    {"x OR NULL", "true|true|true|NULL|NULL|NULL|NULL|NULL|NULL"},
	    {"x OR FALSE", "true|true|true|false|false|false|NULL|NULL|NULL"},
	    {"NOT (x AND y)", "false|true|NULL|true|true|true|NULL|true|NULL"},
	    {"x IS NULL", "false|false|false|false|false|false|true|true|true"},
	    {"y IS NOT NULL", "true|true|false|true|true|false|true|true|false"},
	    {"x = y", "true|false|NULL|false|true|NULL|NULL|NULL|NULL"},
	    {"isnull(y)", "false|false|true|false|false|true|false|false|true"},
	    {"isnotnull(x)", "true|true|true|true|true|true|false|false|false"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		sl_expr *e = NULL;
		sl_array *a = NULL;
		CU_ASSERT_EQUAL_FATAL(sl_expr_compile(cases[k].text, s, 0, &e, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, batch, &a, NULL), 0);
		char *got = render_rows(a);
		if (strcmp(got, cases[k].want) != 0) {
			printf("\n  %s\n    got:  %s\n    want: %s\n", cases[k].text, got,
			       cases[k].want);
			CU_FAIL("truth table");
		}
		free(got);
		sl_array_unref(a);
		sl_expr_free(e);
	}
	sl_batch_unref(batch);
	sl_type_unref(s);
}

static void test_predicates(void)
{
	ROWS("i IS NULL", "false|false|true|false|false");
	ROWS("s IS NOT NULL", "true|true|false|true|true");
	ROWS("i IN (1, 10)", "true|false|NULL|false|true");
	ROWS("i IN (1, NULL)", "true|NULL|NULL|NULL|NULL");
	ROWS("i NOT IN (1, 10)", "false|true|NULL|true|false");
	ROWS("i IN (j, 2)", "false|true|NULL|false|NULL");
	ROWS("i IN (1.0, 2.5)", "true|false|NULL|false|false");
	ROWS("s IN ('hello', '')", "true|false|NULL|true|false");
	ROWS("1 IN (i, j)", "true|false|NULL|false|NULL");
	ROWS("i BETWEEN 1 AND 2", "true|true|NULL|false|false");
	ROWS("i NOT BETWEEN 1 AND 2", "false|false|NULL|true|true");
	ROWS("i BETWEEN j AND 10", "false|true|NULL|false|NULL");
	ROWS("s BETWEEN 'a' AND 'i'", "true|false|NULL|false|true");
	ROWS("s LIKE 'h%'", "true|false|NULL|false|true");
	ROWS("s LIKE '%o'", "true|false|NULL|false|false");
	ROWS("s LIKE '%or%'", "false|true|NULL|false|false");
	ROWS("s LIKE 'hello'", "true|false|NULL|false|false");
	ROWS("s LIKE '_ello'", "true|false|NULL|false|false");
	ROWS("s LIKE 'h_llo%'", "true|false|NULL|false|true");
	ROWS("s LIKE '%'", "true|true|NULL|true|true");
	ROWS("s LIKE ''", "false|false|NULL|true|false");
	ROWS("s LIKE 'W%d'", "false|true|NULL|false|false");
	ROWS("s NOT LIKE 'h%'", "false|true|NULL|true|false");
	ROWS("s LIKE value", "false|false|NULL|true|false");
	ROWS("'a_b' LIKE 'a\\_b'", "true|true|true|true|true");
	ROWS("'axb' LIKE 'a\\_b'", "false|false|false|false|false");
	ROWS("'50%' LIKE '50\\%'", "true|true|true|true|true");
	ROWS("'abc' LIKE 'a%c%'", "true|true|true|true|true");
	ROWS("'abcbxd' LIKE '%b_d'", "true|true|true|true|true");
	ROWS("'abcbd' LIKE '%b_d'", "false|false|false|false|false");
	ROWS("NULL LIKE 'a'", "NULL|NULL|NULL|NULL|NULL");
	ROWS("i LIKE '1%'", "true|false|NULL|false|true");
	ROWS("s RLIKE '^h.l'", "true|false|NULL|false|true"); /* . is a character */
	VALUE("regexp_extract('\xc3\xa9t\xc3\xa9', '^(.)', 1)", "\xc3\xa9");
	ROWS("s NOT RLIKE 'o'", "false|false|NULL|true|false");
}

static void test_case_when(void)
{
	ROWS("CASE WHEN i > 1 THEN 'big' WHEN i < 0 THEN 'neg' ELSE 'small' END",
	     "small|big|small|neg|big");
	ROWS("CASE WHEN i > 1 THEN 'big' END", "NULL|big|NULL|NULL|big");
	ROWS("CASE i WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END",
	     "one|two|many|many|many");
	ROWS("CASE i WHEN 1 THEN 10 WHEN 2 THEN 2.5 END", "10|2.5|NULL|NULL|NULL");
	ROWS("case when b then i else j end", "1|0|5|-7|NULL");
	ROWS("CASE WHEN NULL THEN 1 ELSE 2 END", "2|2|2|2|2");
	ROWS("CASE WHEN s = 'hello' THEN l ELSE NULL END", "[a,b]|NULL|NULL|NULL|NULL");
	ROWS("CASE WHEN i = 1 THEN st END", "{Paris,75}|NULL|NULL|NULL|NULL");
	ROWS("if(i > 1, 'y', 'n')", "n|y|n|n|y");
	ROWS("if(b, d, i)", "1.5|2|NULL|0|10");
	ROWS("coalesce(i, j, 0)", "1|2|5|-7|10");
	ROWS("coalesce(j, i)", "3|0|5|2|10");
	ROWS("coalesce(s, 'none')", "hello|World|none||h\xc3\xa9llo w\xc3\xb6rld");
	ROWS("ifnull(i, -1)", "1|2|-1|-7|10");
	ROWS("nvl(j, 99)", "3|0|5|2|99");
	ROWS("nvl2(i, 'set', 'unset')", "set|set|unset|set|set");
	ROWS("nullif(i, 2)", "1|NULL|NULL|-7|10");
	ROWS("greatest(i, j)", "3|2|5|2|10");
	ROWS("least(i, j, 0)", "0|0|0|-7|0");
	ROWS("greatest(s, value)", "hello|hello world|NULL||x");
	VALUE("coalesce(NULL, NULL, 3)", "3");
	TYPE("coalesce(i, 0)", "BIGINT", false);
	TYPE("coalesce(i, j)", "BIGINT", true);
	TYPE("CASE WHEN b THEN 1 ELSE 2.0 END", "DOUBLE", false);
	TYPE("CASE WHEN b THEN 1 END", "BIGINT", true);
	TYPE("CASE WHEN b THEN 'x' ELSE 1 END", "STRING", false);
}

static void test_casts(void)
{
	ROWS("CAST(i AS STRING)", "1|2|NULL|-7|10");
	ROWS("CAST(d AS STRING)", "1.5|-2.5|NULL|0.0|NaN");
	ROWS("CAST(b AS STRING)", "true|false|NULL|true|false");
	ROWS("CAST(t AS STRING)",
	     "2019-02-05 10:05:00|1970-01-01 00:00:00|NULL|1969-12-31 23:59:59.999999|2020-09-09 "
	     "10:18:00.5");
	ROWS("CAST(n AS BIGINT)", "12|3|NULL|NULL|-5");
	ROWS("CAST(n AS INT)", "12|3|NULL|NULL|-5");
	ROWS("CAST(n AS DOUBLE)", "12|3.7|NULL|NULL|-5");
	ROWS("CAST(d AS BIGINT)", "1|-2|NULL|0|0");
	ROWS("CAST(i AS DOUBLE)", "1|2|NULL|-7|10");
	ROWS("CAST(i AS BOOLEAN)", "true|true|NULL|true|true");
	ROWS("CAST(j AS BOOLEAN)", "true|false|true|true|NULL");
	ROWS("CAST(b AS BIGINT)", "1|0|NULL|1|0");
	ROWS("CAST(t AS BIGINT)", "1549361100|0|NULL|-1|1599646680");
	ROWS("CAST(t AS DOUBLE)", "1549361100|0|NULL|-1e-06|1599646680.5");
	ROWS("CAST(i AS TIMESTAMP)", "1000000|2000000|NULL|-7000000|10000000");
	ROWS("CAST(l AS STRING)", "[a, b]|[]|NULL|[x, null]|[q]");
	ROWS("CAST(st AS STRING)", "{Paris, 75}|NULL|{Rome, null}|{, 0}|{Oslo, 150}");
	ROWS("CAST(s AS BINARY)", "hello|World|NULL||h\xc3\xa9llo w\xc3\xb6rld");
	ROWS("CAST(CAST(s AS BINARY) AS STRING)", "hello|World|NULL||h\xc3\xa9llo w\xc3\xb6rld");
	ROWS("CAST(st AS STRUCT<c: STRING, z: STRING>)",
	     "{Paris,75}|NULL|{Rome,NULL}|{,0}|{Oslo,150}");
	ROWS("CAST(split(value, ' ') AS ARRAY<STRING>)", "[a,b,c]|[hello,world]|NULL|[]|[x]");
	VALUE("CAST('12' AS BIGINT)", "12");
	VALUE("CAST('  +12  ' AS BIGINT)", "12");
	VALUE("CAST('1.9' AS BIGINT)", "1");
	VALUE("CAST('-1.9' AS BIGINT)", "-1");
	VALUE("CAST('1e3' AS BIGINT)", "NULL");
	VALUE("CAST('9223372036854775808' AS BIGINT)", "NULL");
	VALUE("CAST('-9223372036854775808' AS BIGINT)", "-9223372036854775808");
	VALUE("CAST('x' AS BIGINT)", "NULL");
	VALUE("CAST('' AS BIGINT)", "NULL");
	VALUE("CAST('1e3' AS DOUBLE)", "1000");
	VALUE("CAST('NaN' AS DOUBLE)", "NaN");
	VALUE("CAST('-Infinity' AS DOUBLE)", "-inf");
	VALUE("CAST('1.5x' AS DOUBLE)", "NULL");
	VALUE("CAST('yes' AS BOOLEAN)", "true");
	VALUE("CAST(' F ' AS BOOLEAN)", "false");
	VALUE("CAST('maybe' AS BOOLEAN)", "NULL");
	VALUE("CAST('2019-02-05 10:05:00' AS TIMESTAMP)", "1549361100000000");
	VALUE("CAST('2019-02-05T10:05:00.25Z' AS TIMESTAMP)", "1549361100250000");
	VALUE("CAST('2019-02-05 12:05:00+02:00' AS TIMESTAMP)", "1549361100000000");
	VALUE("CAST('2019-02-05' AS TIMESTAMP)", "1549324800000000");
	VALUE("CAST('2019-02' AS TIMESTAMP)", "1548979200000000");
	VALUE("CAST('2019-02-30' AS TIMESTAMP)", "NULL");
	VALUE("CAST('2019-02-05 25:00:00' AS TIMESTAMP)", "NULL");
	VALUE("CAST(1.0E10 AS STRING)", "1.0E10");
	VALUE("CAST(1234567.0 AS STRING)", "1234567.0");
	VALUE("CAST(12345678.0 AS STRING)", "1.2345678E7");
	VALUE("CAST(0.001 AS STRING)", "0.001");
	VALUE("CAST(0.0001 AS STRING)", "1.0E-4");
	VALUE("CAST(0.1 + 0.2 AS STRING)", "0.30000000000000004");
	VALUE("CAST(-2.5 AS STRING)", "-2.5");
	VALUE("CAST(100.0 AS STRING)", "100.0");
	VALUE("CAST(CAST('NaN' AS DOUBLE) AS STRING)", "NaN");
	VALUE("CAST(CAST('-Infinity' AS DOUBLE) AS STRING)", "-Infinity");
	ERR("1e400", SL_EINVAL, 0, "number out of range: 1e400");
	VALUE("CAST(NULL AS BIGINT)", "NULL");
	VALUE("CAST(1.5 AS TIMESTAMP)", "1500000");
	VALUE("CAST(-1.5 AS BIGINT)", "-1");
	VALUE("CAST(1e30 AS BIGINT)", "9223372036854775807");
	TYPE("CAST(i AS STRING)", "STRING", true);
	TYPE("CAST('1' AS BIGINT)", "BIGINT", false);
	TYPE("CAST(s AS BIGINT)", "BIGINT", true);
	TYPE("CAST(st AS STRING)", "STRING", true);
}

static void test_string_functions(void)
{
	ROWS("upper(s)", "HELLO|WORLD|NULL||H\xc3\x89LLO W\xc3\x96RLD");
	ROWS("lower(s)", "hello|world|NULL||h\xc3\xa9llo w\xc3\xb6rld");
	ROWS("ucase(value)", "A B C|HELLO WORLD|NULL||X");
	VALUE("lcase('ÀÉÎ ΣΑΣ Привет')", "àéî σας привет");
	VALUE("lower('Σ ΟΔΟΣ.')", "σ οδος.");
	VALUE("upper('àéî σας привет ÿ')", "ÀÉÎ ΣΑΣ ПРИВЕТ Ÿ");
	ROWS("upper(i)", "1|2|NULL|-7|10");
	ROWS("initcap(value)", "A B C|Hello World|NULL||X");
	ROWS("length(s)", "5|5|NULL|0|11");
	ROWS("char_length(value)", "5|11|NULL|0|1");
	ROWS("trim(n)", "12|3.7|abc|NULL|-5");
	ROWS("ltrim(n)", "12|3.7 |abc|NULL|-5");
	ROWS("rtrim(n)", "12| 3.7|abc|NULL|-5");
	ROWS("btrim('xxhixx', 'x')", "hi|hi|hi|hi|hi");
	ROWS("btrim('  hi  ')", "hi|hi|hi|hi|hi");
	ROWS("concat(s, '!', i)", "hello!1|World!2|NULL|!-7|h\xc3\xa9llo w\xc3\xb6rld!10");
	ROWS("s || '-' || value",
	     "hello-a b c|World-hello world|NULL|-|h\xc3\xa9llo w\xc3\xb6rld-x");
	ROWS("concat_ws(',', s, value)",
	     "hello,a b c|World,hello world||,|h\xc3\xa9llo w\xc3\xb6rld,x");
	ROWS("concat_ws('-', l, 'z')", "a-b-z|z|z|x-z|q-z");
	ROWS("concat_ws(NULL, s)", "NULL|NULL|NULL|NULL|NULL");
	ROWS("substring(s, 2)", "ello|orld|NULL||\xc3\xa9llo w\xc3\xb6rld");
	ROWS("substring(s, 2, 3)", "ell|orl|NULL||\xc3\xa9ll");
	ROWS("substr(s, -3)", "llo|rld|NULL||rld");
	ROWS("substr(s, -3, 2)", "ll|rl|NULL||rl");
	ROWS("substring(s, 0, 2)", "he|Wo|NULL||h\xc3\xa9");
	ROWS("substring(s, -10, 7)", "he|Wo|NULL||\xc3\xa9llo w\xc3\xb6");
	ROWS("substring(s, 3, -1)", "||NULL||");
	ROWS("substring(s, 100)", "||NULL||");
	ROWS("left(s, 2)", "he|Wo|NULL||h\xc3\xa9");
	ROWS("right(s, 3)", "llo|rld|NULL||rld");
	ROWS("left(s, 0)", "||NULL||");
	ROWS("replace(value, ' ', '_')", "a_b_c|hello_world|NULL||x");
	ROWS("replace(value, 'l')", "a b c|heo word|NULL||x");
	ROWS("replace(value, '', 'x')", "a b c|hello world|NULL||x");
	ROWS("replace('aaa', 'aa', 'b')", "ba|ba|ba|ba|ba");
	ROWS("instr(s, 'l')", "3|4|NULL|0|3");
	ROWS("instr(s, 'w\xc3\xb6')", "0|0|NULL|0|7");
	ROWS("locate('l', s)", "3|4|NULL|0|3");
	ROWS("locate('l', s, 4)", "4|4|NULL|0|4");
	ROWS("lpad(s, 7, '*')", "**hello|**World|NULL|*******|h\xc3\xa9llo w");
	ROWS("rpad(value, 4, 'ab')", "a b |hell|NULL|abab|xaba");
	ROWS("lpad(value, 2)", "a |he|NULL|  | x");
	ROWS("lpad(value, 3, '')", "a b|hel|NULL||x");
	ROWS("repeat(value, 2)", "a b ca b c|hello worldhello world|NULL||xx");
	ROWS("repeat('ab', i)", "ab|abab|NULL||abababababababababab");
	ROWS("reverse(s)", "olleh|dlroW|NULL||dlr\xc3\xb6w oll\xc3\xa9h");
	ROWS("startswith(s, 'he')", "true|false|NULL|false|false");
	ROWS("endswith(s, 'ld')", "false|true|NULL|false|true");
	ROWS("contains(s, 'l')", "true|true|NULL|false|true");
	ROWS("contains(s, '')", "true|true|NULL|true|true");
	VALUE("upper('stra\xc3\x9f"
	      "e')",
	      "STRA\xc3\x9f"
	      "E");
	VALUE("concat()", "");
	VALUE("concat('a', NULL)", "NULL");
	VALUE("concat_ws('-', 'a', NULL, 'b')", "a-b");
	VALUE("length('日本語')", "3");
	VALUE("substring('日本語', 2, 1)", "本");
	TYPE("upper(s)", "STRING", true);
	TYPE("upper('x')", "STRING", false);
	TYPE("length(s)", "BIGINT", true);
	TYPE("concat_ws(',', s)", "STRING", false);
}

static void test_split_regex(void)
{
	ROWS("split(value, ' ')", "[a,b,c]|[hello,world]|NULL|[]|[x]");
	ROWS("split(value, ' ', 2)", "[a,b c]|[hello,world]|NULL|[]|[x]");
	ROWS("split(value, 'o')", "[a b c]|[hell, w,rld]|NULL|[]|[x]");
	ROWS("split(value, '\\\\s+')", "[a,b,c]|[hello,world]|NULL|[]|[x]");
	ROWS("split(value, '[ o]')", "[a,b,c]|[hell,,w,rld]|NULL|[]|[x]");
	ROWS("split(value, '')", "[a, ,b, ,c]|[h,e,l,l,o, ,w,o,r,l,d]|NULL|[]|[x]");
	ROWS("size(split(value, ' '))", "3|2|-1|1|1");
	VALUE("split('a,b,,c,,', ',')", "[a,b,,c,,]");
	VALUE("split('a.b.c', '\\\\.')", "[a,b,c]");
	VALUE("split('a|b', '\\\\|')", "[a,b]");
	VALUE("split('a1b22c', '\\\\d+')", "[a,b,c]");
	VALUE("split('oneAtwoBthreeC', '[ABC]')", "[one,two,three,]");
	VALUE("split('oneAtwoBthreeC', '[ABC]', 2)", "[one,twoBthreeC]");
	VALUE("split('abc', '')", "[a,b,c]");
	VALUE("split('abc', '', 2)", "[a,bc]");
	VALUE("split('', ',')", "[]");
	VALUE("split(',a', ',')", "[,a]");
	VALUE("size(split('', ','))", "1");
}

static void test_split_regex2(void)
{
	ROWS("rlike(s, 'l+o$')", "true|false|NULL|false|false");
	ROWS("regexp_like(value, '^[a-z ]+$')", "true|true|NULL|false|true");
	ROWS("s RLIKE '(?i)WORLD'", "false|true|NULL|false|false");
	ROWS("regexp_extract(value, '([a-z]+) ([a-z]+)', 2)", "b|world|NULL||");
	ROWS("regexp_extract(value, '([a-z]+)', 1)", "a|hello|NULL||x");
	ROWS("regexp_replace(value, '[aeiou]', '#')", "# b c|h#ll# w#rld|NULL||x");
	ROWS("regexp_replace(value, '(\\\\w+) (\\\\w+)', '$2 $1')", "b a c|world hello|NULL||x");
	VALUE("regexp_replace('abc', 'x*', '-')", "-a-b-c-");
	VALUE("regexp_replace('a.b', '\\\\.', '')", "ab");
	VALUE("regexp_extract('foo123', '\\\\d+', 0)", "123");
}

static void test_math_functions(void)
{
	ROWS("abs(i)", "1|2|NULL|7|10");
	ROWS("abs(d)", "1.5|2.5|NULL|0|NaN");
	ROWS("round(d)", "2|-3|NULL|0|NaN");
	ROWS("round(i, -1)", "0|0|NULL|-10|10");
	ROWS("floor(d)", "1|-3|NULL|0|0");
	ROWS("ceil(d)", "2|-2|NULL|0|0");
	ROWS("floor(i)", "1|2|NULL|-7|10");
	ROWS("sqrt(i)", "1|1.4142135623731|NULL|NaN|3.16227766016838");
	ROWS("pow(i, 2)", "1|4|NULL|49|100");
	ROWS("power(2, j)", "8|1|32|4|NULL");
	ROWS("ln(i)", "0|0.693147180559945|NULL|NULL|2.30258509299405");
	ROWS("log10(i)", "0|0.301029995663981|NULL|NULL|1");
	ROWS("log(2, i)", "0|1|NULL|NULL|3.32192809488736");
	ROWS("pmod(i, 3)", "1|2|NULL|2|1");
	ROWS("pmod(i, 0)", "NULL|NULL|NULL|NULL|NULL");
	ROWS("sign(i)", "1|1|NULL|-1|1");
	ROWS("isnan(d)", "false|false|false|false|true");
	ROWS("nanvl(d, 0)", "1.5|-2.5|NULL|0|0");
	VALUE("round(2.5)", "3");
	VALUE("round(-2.5)", "-3");
	VALUE("round(2.675, 2)", "2.68");
	VALUE("round(1.005, 2)", "1.01");
	VALUE("round(0.125, 2)", "0.13");
	VALUE("round(-0.125, 2)", "-0.13");
	VALUE("round(1234.5678, -2)", "1200");
	VALUE("round(1250, -2)", "1300");
	VALUE("round(-1250, -2)", "-1300");
	VALUE("round(1249, -2)", "1200");
	VALUE("round(3.14159, 3)", "3.142");
	VALUE("round(5)", "5");
	VALUE("round(123.456, -9223372036854775808)", "0");
	VALUE("round(123.456, 9223372036854775807)", "123.456");
	VALUE("round(1e300, -299)", "1e+300");
	VALUE("round(1.5e300, -300)", "2e+300");
	VALUE("abs(-9223372036854775807 - 1)", "-9223372036854775808");
	VALUE("exp(0)", "1");
	VALUE("pi()", "3.14159265358979");
	VALUE("floor(-0.5)", "-1");
	VALUE("ceil(1e30)", "9223372036854775807");
	VALUE("degrees(pi())", "180");
	TYPE("round(d)", "DOUBLE", true);
	TYPE("round(i)", "BIGINT", true);
	TYPE("floor(d)", "BIGINT", true);
	TYPE("abs(-1)", "BIGINT", false);
	TYPE("sqrt(4)", "DOUBLE", false);
	TYPE("ln(i)", "DOUBLE", true);
	TYPE("ln(1)", "DOUBLE", false);
}

static void test_time_functions(void)
{
	ROWS("year(t)", "2019|1970|NULL|1969|2020");
	ROWS("month(t)", "2|1|NULL|12|9");
	ROWS("dayofmonth(t)", "5|1|NULL|31|9");
	ROWS("day(t)", "5|1|NULL|31|9");
	ROWS("hour(t)", "10|0|NULL|23|10");
	ROWS("minute(t)", "5|0|NULL|59|18");
	ROWS("second(t)", "0|0|NULL|59|0");
	ROWS("dayofweek(t)", "3|5|NULL|4|4");
	ROWS("dayofyear(t)", "36|1|NULL|365|253");
	ROWS("quarter(t)", "1|1|NULL|4|3");
	ROWS("date_format(t, 'yyyy-MM-dd HH:mm:ss.SSS')",
	     "2019-02-05 10:05:00.000|1970-01-01 00:00:00.000|NULL|1969-12-31 "
	     "23:59:59.999|2020-09-09 "
	     "10:18:00.500");
	ROWS("date_format(t, 'dd MMM yy, h:mm a EEE')",
	     "05 Feb 19, 10:05 AM Tue|01 Jan 70, 12:00 AM Thu|NULL|31 Dec 69, 11:59 PM Wed|09 Sep "
	     "20, "
	     "10:18 AM Wed");
	ROWS("date_format(t, 'EEEE MMMM d ''at'' H')",
	     "Tuesday February 5 at 10|Thursday January 1 at 0|NULL|Wednesday December 31 at "
	     "23|Wednesday September 9 at 10");
	ROWS("unix_seconds(t)", "1549361100|0|NULL|-1|1599646680");
	ROWS("unix_millis(t)", "1549361100000|0|NULL|-1|1599646680500");
	ROWS(
	    "from_unixtime(i)",
	    "1970-01-01 00:00:01|1970-01-01 00:00:02|NULL|1969-12-31 23:59:53|1970-01-01 00:00:10");
	ROWS("from_unixtime(i, 'HH:mm:ss')", "00:00:01|00:00:02|NULL|23:59:53|00:00:10");
	ROWS("timestamp_seconds(i)", "1000000|2000000|NULL|-7000000|10000000");
	ROWS("timestamp_millis(i)", "1000|2000|NULL|-7000|10000");
	ROWS("date_trunc('hour', t)", "1549360800000000|0|NULL|-3600000000|1599645600000000");
	ROWS("date_trunc('MONTH', t)", "1548979200000000|0|NULL|-2678400000000|1598918400000000");
	ROWS("date_trunc('week', t)",
	     "1549238400000000|-259200000000|NULL|-259200000000|1599436800000000");
	ROWS("date_trunc('nope', t)", "NULL|NULL|NULL|NULL|NULL");
	ROWS("t > to_timestamp('2000-01-01 00:00:00')", "true|false|NULL|false|true");
	VALUE("to_timestamp('2019-02-05 10:05:00', 'yyyy-MM-dd HH:mm:ss')", "1549361100000000");
	VALUE("to_timestamp('05/02/2019 10:05', 'dd/MM/yyyy HH:mm')", "1549361100000000");
	VALUE("to_timestamp('20190205100500', 'yyyyMMddHHmmss')", "1549361100000000");
	VALUE("to_timestamp('2019-02-05 10:05:00.123', 'yyyy-MM-dd HH:mm:ss.SSS')",
	      "1549361100123000");
	VALUE("to_timestamp('Feb 5 2019 10:05 PM', 'MMM d yyyy hh:mm a')", "1549404300000000");
	VALUE("to_timestamp('2019-02-05T10:05:00Z', 'yyyy-MM-dd''T''HH:mm:ssX')",
	      "1549361100000000");
	VALUE("to_timestamp('2019-02-05 12:05:00 +02:00', 'yyyy-MM-dd HH:mm:ss XXX')",
	      "1549361100000000");
	VALUE("to_timestamp('2019-02-05', 'yyyy-MM-dd HH:mm:ss')", "NULL");
	VALUE("to_timestamp('2019-02-30', 'yyyy-MM-dd')", "NULL");
	VALUE("to_timestamp('2019-02-05 10:05:00')", "1549361100000000");
	VALUE("to_timestamp('garbage')", "NULL");
	VALUE("to_timestamp(1549361100)", "1549361100000000");
	VALUE("unix_timestamp('2019-02-05 10:05:00')", "1549361100");
	VALUE("unix_timestamp('05.02.2019', 'dd.MM.yyyy')", "1549324800");
	VALUE("from_unixtime(1595688900348 / 1000)", "2020-07-25 14:55:00");
	VALUE("date_format('2019-02-05 10:05:00', 'yyyy')", "2019");
	VALUE("from_unixtime(0, 'yyyy-MM-dd''T''HH:mm:ssXXX z')", "1970-01-01T00:00:00Z UTC");
	TYPE("to_timestamp(s)", "TIMESTAMP", true);
	TYPE("year(t)", "BIGINT", true);
	TYPE("date_format(t, 'yyyy')", "STRING", true);
}

/* Interval arithmetic (issue 5 item 6): TIMESTAMP +/- INTERVAL is a
 * TIMESTAMP, TIMESTAMP - TIMESTAMP a BIGINT of microseconds. */
static void test_intervals(void)
{
	ROWS("t + INTERVAL 10 MINUTES",
	     "1549361700000000|600000000|NULL|599999999|1599647280500000");
	ROWS("t - INTERVAL '1' HOUR", "1549357500000000|-3600000000|NULL|-3600000001|1599643080500000");
	ROWS("INTERVAL 1 DAY + t", "1549447500000000|86400000000|NULL|86399999999|1599733080500000");
	ROWS("t - t", "0|0|NULL|0|0");
	ROWS("hour(t + INTERVAL 1 DAY 2 HOURS)", "12|2|NULL|1|12");
	ROWS("t + INTERVAL 10 MINUTES > to_timestamp('2019-02-05 10:10:00')",
	     "true|false|NULL|false|true");
	VALUE("INTERVAL 1 DAY 2 HOURS", "93600000000");
	VALUE("INTERVAL '1 hour 30 minutes'", "5400000000");
	VALUE("INTERVAL 1.5 SECONDS", "1500000");
	VALUE("INTERVAL -5 minute", "-300000000");
	VALUE("INTERVAL 2 WEEKS - INTERVAL 1 DAY", "1123200000000");
	VALUE("to_timestamp('2019-02-05 10:05:00') - to_timestamp('2019-02-05 09:05:00')",
	      "3600000000");
	VALUE("to_timestamp('2019-02-05 09:29:00') + INTERVAL 30 MINUTES",
	      "1549360740000000");
	TYPE("t + INTERVAL 10 MINUTES", "TIMESTAMP", true);
	TYPE("t - t", "BIGINT", true);
	TYPE("INTERVAL 1 HOUR", "BIGINT", false);
	ERR("i + INTERVAL 1 HOUR", SL_ETYPE, 2,
	    "an INTERVAL can only be added to or subtracted from a TIMESTAMP (or another "
	    "INTERVAL)");
	ERR("t + INTERVAL 1 MONTH", SL_EINVAL, 15,
	    "INTERVAL: months and years have no fixed length; use days");
	ERR("t + INTERVAL 1 fortnight", SL_EINVAL, 15,
	    "INTERVAL: expected a unit (MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY, "
	    "WEEK) but found 'fortnight'");
	ERR("INTERVAL 'x' HOUR", SL_EINVAL, 9, "INTERVAL: 'x' is not a number");
	ERR("t + t", SL_ETYPE, -2, NULL);
}

static void test_list_functions(void)
{
	ROWS("array_contains(l, 'b')", "true|false|NULL|NULL|false");
	ROWS("array_contains(l, 'x')", "false|false|NULL|true|false");
	ROWS("array_join(l, '+')", "a+b||NULL|x|q");
	ROWS("array_join(l, '+', '?')", "a+b||NULL|x+?|q");
	ROWS("array(i, j)", "[1,3]|[2,0]|[NULL,5]|[-7,2]|[10,NULL]");
	ROWS("array(s, 'k')[1]", "k|k|k|k|k");
	ROWS("size(array())", "0|0|0|0|0");
	ROWS("array_join(split(value, ' '), '_')", "a_b_c|hello_world|NULL||x");
	TYPE("array(i, 1.5)", "ARRAY<DOUBLE>", false);
	TYPE("split(s, ',')", "ARRAY<STRING>", true);
}

static void test_types_and_names(void)
{
	TYPE("i", "BIGINT", true);
	TYPE("st", "STRUCT<city: STRING, zip: BIGINT>", true);
	TYPE("i IS NULL", "BOOLEAN", false);
	TYPE("i IN (1, 2)", "BOOLEAN", true);
	TYPE("s LIKE 'x'", "BOOLEAN", true);
	NAME("i", "i");
	NAME("I", "i");
	NAME("st.city", "city");
	NAME("st.CITY", "city");
	NAME("`value`", "value");
	NAME("upper(value)", "upper(value)");
	NAME("UPPER(value)", "upper(value)");
	NAME("i + 1", "(i + 1)");
	NAME("i+1*2", "(i + (1 * 2))");
	NAME("(i + 1) * 2", "((i + 1) * 2)");
	NAME("-i", "(- i)");
	NAME("-1", "-1");
	NAME("1.5e1", "15.0");
	NAME("'lit'", "lit");
	NAME("NOT b", "(NOT b)");
	NAME("i = 1", "(i = 1)");
	NAME("i == 1", "(i = 1)");
	NAME("i != 1", "(NOT (i = 1))");
	NAME("i <> 1", "(NOT (i = 1))");
	NAME("b AND c OR b", "((b AND c) OR b)");
	NAME("i IS NULL", "(i IS NULL)");
	NAME("i IS NOT NULL", "(i IS NOT NULL)");
	NAME("i IN (1, 2)", "(i IN (1, 2))");
	NAME("i NOT IN (1, 2)", "(NOT (i IN (1, 2)))");
	NAME("s LIKE 'a%'", "s LIKE a%");
	NAME("s NOT LIKE 'a%'", "(NOT s LIKE a%)");
	NAME("i BETWEEN 1 AND 3", "((i >= 1) AND (i <= 3))");
	NAME("CASE WHEN b THEN 1 ELSE 0 END", "CASE WHEN b THEN 1 ELSE 0 END");
	NAME("CASE i WHEN 1 THEN 'a' END", "CASE WHEN (i = 1) THEN a END");
	NAME("CAST(i AS STRING)", "CAST(i AS STRING)");
	NAME("cast(i as int)", "CAST(i AS BIGINT)");
	NAME("s || 'x'", "concat(s, x)");
	NAME("concat(s, '!')", "concat(s, !)");
	NAME("l[0]", "l[0]");
	NAME("i + 1.5", "(i + 1.5)");
	NAME("TRUE", "true");
	NAME("NULL", "NULL");
	NAME("count(*)", "count(1)");
	NAME("count(i)", "count(i)");
	NAME("sum(i + 1)", "sum((i + 1))");
	NAME("explode(l)", "col");
	NAME("*", "*");
	NAME("upper(value) AS w", "w");
	NAME("i as `my col`", "my col");
	NAME("count(*) AS n", "n");
}

static void test_aliases_and_inspection(void)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	unsigned all = SL_EXPR_ALLOW_AGGREGATE | SL_EXPR_ALLOW_GENERATOR | SL_EXPR_ALLOW_STAR;

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("upper(value) AS w", g_schema, 0, &e, &err), 0);
	CU_ASSERT(sl_expr_has_alias(e));
	CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_SCALAR);
	CU_ASSERT_PTR_NULL(sl_expr_root_func(e));
	CU_ASSERT_EQUAL(sl_expr_root_nargs(e), 0);
	CU_ASSERT_EQUAL(sl_expr_column_index(e), -1);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("value", g_schema, 0, &e, &err), 0);
	CU_ASSERT(!sl_expr_has_alias(e));
	CU_ASSERT_EQUAL(sl_expr_column_index(e), 8);
	sl_array *a = NULL;
	CU_ASSERT_EQUAL(sl_expr_eval(e, g_batch, &a, &err), 0);
	CU_ASSERT_PTR_EQUAL(a, g_batch->columns[8]); /* shared, not copied */
	sl_array_unref(a);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("s AS t2", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_column_index(e), 3);
	CU_ASSERT_STRING_EQUAL(sl_expr_name(e), "t2");
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("st.city", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_column_index(e), -1);
	sl_expr_free(e);

	/* count(*) */
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("count(*) as count", g_schema, all, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_AGGREGATE);
	CU_ASSERT_STRING_EQUAL(sl_expr_root_func(e), "count");
	CU_ASSERT_EQUAL(sl_expr_root_nargs(e), 0);
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(e)), "BIGINT");
	CU_ASSERT(!sl_expr_nullable(e));
	CU_ASSERT_STRING_EQUAL(sl_expr_name(e), "count");
	CU_ASSERT(sl_expr_eval(e, g_batch, &a, &err) < 0);
	sl_expr_free(e);

	/* sum(i + 1): the argument evaluates */
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("SUM(i + 1)", g_schema, all, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_AGGREGATE);
	CU_ASSERT_STRING_EQUAL(sl_expr_root_func(e), "sum");
	CU_ASSERT_EQUAL_FATAL(sl_expr_root_nargs(e), 1);
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(e)), "BIGINT");
	sl_expr *arg = sl_expr_root_arg(e, 0);
	CU_ASSERT_STRING_EQUAL(sl_expr_name(arg), "(i + 1)");
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(arg)), "BIGINT");
	CU_ASSERT_PTR_NULL(sl_expr_root_arg(e, 1));
	CU_ASSERT_EQUAL(sl_expr_eval(arg, g_batch, &a, &err), 0);
	char *got = render_rows(a);
	CU_ASSERT_STRING_EQUAL(got, "2|3|NULL|-6|11");
	free(got);
	sl_array_unref(a);
	sl_expr_free(e);

	static const struct {
		const char *text, *func, *type;
		bool nullable;
	} aggs[] = {
	    {"sum(d)", "sum", "DOUBLE", true},      {"avg(i)", "avg", "DOUBLE", true},
	    {"min(s)", "min", "STRING", true},      {"max(t)", "max", "TIMESTAMP", true},
	    {"count(s)", "count", "BIGINT", false}, {"sum(n)", "sum", "DOUBLE", true},
	    {"max(2)", "max", "BIGINT", true},
	};
	for (size_t k = 0; k < sizeof(aggs) / sizeof(aggs[0]); k++) {
		CU_ASSERT_EQUAL_FATAL(sl_expr_compile(aggs[k].text, g_schema, all, &e, &err), 0);
		CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_AGGREGATE);
		CU_ASSERT_STRING_EQUAL(sl_expr_root_func(e), aggs[k].func);
		CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(e)), aggs[k].type);
		CU_ASSERT_EQUAL(sl_expr_nullable(e), aggs[k].nullable);
		CU_ASSERT_EQUAL(sl_expr_root_nargs(e), 1);
		sl_expr_free(e);
	}

	/* generators */
	CU_ASSERT_EQUAL_FATAL(
	    sl_expr_compile("explode(split(value, ' ')) as word", g_schema, all, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_GENERATOR);
	CU_ASSERT_STRING_EQUAL(sl_expr_root_func(e), "explode");
	CU_ASSERT_STRING_EQUAL(sl_expr_name(e), "word");
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(e)), "STRING");
	CU_ASSERT_EQUAL_FATAL(sl_expr_root_nargs(e), 1);
	arg = sl_expr_root_arg(e, 0);
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(arg)), "ARRAY<STRING>");
	CU_ASSERT_EQUAL(sl_expr_eval(arg, g_batch, &a, &err), 0);
	got = render_rows(a);
	CU_ASSERT_STRING_EQUAL(got, "[a,b,c]|[hello,world]|NULL|[]|[x]");
	free(got);
	sl_array_unref(a);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("posexplode(l)", g_schema, all, &e, &err), 0);
	CU_ASSERT_STRING_EQUAL(sl_expr_root_func(e), "posexplode");
	CU_ASSERT_STRING_EQUAL(type_str(sl_expr_type(e)), "STRING");
	sl_expr_free(e);
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("explode_outer(l)", g_schema, all, &e, &err), 0);
	CU_ASSERT(sl_expr_nullable(e));
	sl_expr_free(e);

	/* star */
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("*", g_schema, all, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_root_kind(e), SL_EXPR_KIND_STAR);
	CU_ASSERT(sl_type_equal(sl_expr_type(e), g_schema));
	CU_ASSERT(sl_expr_eval(e, g_batch, &a, &err) < 0);
	sl_expr_free(e);
}

static void test_errors(void)
{
	ERR("vlaue", SL_ENOTFOUND, 0, "unknown column 'vlaue' (did you mean 'value'?)");
	ERR("upper(vlaue)", SL_ENOTFOUND, 6, "unknown column 'vlaue' (did you mean 'value'?)");
	ERR("zzzzzz + 1", SL_ENOTFOUND, 0, "unknown column 'zzzzzz'");
	ERR("st.cty", SL_ENOTFOUND, 3, "no field 'cty' in 'st' (did you mean 'city'?)");
	ERR("i.x", SL_ETYPE, 2, "cannot take field 'x' of 'i': it is BIGINT, not a STRUCT");
	ERR("s[0]", SL_ETYPE, 1, "cannot index 's': it is STRING, not an ARRAY");
	ERR("l['a']", SL_ETYPE, 2, "an array index must be BIGINT, not STRING");
	ERR("uper(value)", SL_ENOTFOUND, 0, "unknown function 'uper' (did you mean 'upper'?)");
	ERR("1 + frobnicate(2)", SL_ENOTFOUND, 4, "unknown function 'frobnicate'");
	ERR("value + 'x'", SL_ETYPE, 0, "operator '+' needs numeric operands, got STRING");
	ERR("i * s", SL_ETYPE, 4, "operator '*' needs numeric operands, got STRING");
	ERR("-s", SL_ETYPE, 1, "operator '-' needs a numeric operand, got STRING");
	ERR("NOT 5", SL_ETYPE, 4, "NOT needs BOOLEAN operands, got BIGINT");
	ERR("b AND i", SL_ETYPE, 6, "AND needs BOOLEAN operands, got BIGINT");
	ERR("i = 'x'", SL_ETYPE, 2, "cannot compare BIGINT with STRING");
	ERR("i IN (1, 'a')", SL_ETYPE, 2, "cannot compare BIGINT with STRING");
	ERR("l = l", SL_ETYPE, 2, "cannot compare ARRAY<STRING> with ARRAY<STRING>");
	ERR("CASE WHEN i THEN 1 END", SL_ETYPE, 10, "WHEN needs BOOLEAN operands, got BIGINT");
	ERR("CASE WHEN b THEN l ELSE 1 END", SL_ETYPE, 24,
	    "CASE branches have incompatible types ARRAY<STRING> and BIGINT");
	ERR("CAST(l AS BIGINT)", SL_ETYPE, 0, "cannot cast ARRAY<STRING> to BIGINT");
	ERR("upper(l)", SL_ETYPE, 6,
	    "function 'upper' needs a STRING as argument 1, got ARRAY<STRING>");
	ERR("abs(b)", SL_ETYPE, 4, "function 'abs' needs a number as argument 1, got BOOLEAN");
	ERR("upper(s, s)", SL_EINVAL, 0, "function 'upper' takes 1 argument, got 2");
	ERR("substring(s)", SL_EINVAL, 0, "function 'substring' takes 2 to 3 arguments, got 1");
	ERR("greatest(i)", SL_EINVAL, 0, "function 'greatest' takes at least 2 arguments, got 1");
	ERR("coalesce(i, l)", SL_ETYPE, 12,
	    "function 'coalesce' needs arguments of one type, got BIGINT and ARRAY<STRING>");
	ERR("element_at(l, 0)", SL_EINVAL, 14,
	    "element_at counts from 1 (or from the end with -1); 0 is not an index");
	ERR("split(s, '(')", SL_EINVAL, 9, NULL);
	ERR("rlike(s, 'a{2000}')", SL_EINVAL, 9,
	    "invalid regular expression 'a{2000}': repetition count above 1000");
	ERR("rlike(s, '((a{900}){900})')", SL_EINVAL, 9,
	    "invalid regular expression '((a{900}){900})': pattern too complex");
	ERR("rlike(s, 'a+++')", SL_EINVAL, 9,
	    "invalid regular expression 'a+++': dangling quantifier '+'");
	ERRF("count()", SL_EXPR_ALLOW_AGGREGATE, SL_EINVAL, 0,
	     "count needs an argument or *: count(*)");
	ERR("'\xff'", SL_EINVAL, 1, "syntax error: invalid UTF-8");
	ERR("date_format(t, 'yyyy-qq')", SL_EINVAL, 15, NULL);
	ERR("upper(*)", SL_EINVAL, 0, "upper(*) is not allowed; only count(*)");
	/* syntax */
	ERR("i +", SL_EINVAL, 3, "syntax error: unexpected end of expression");
	ERR("(i + 1", SL_EINVAL, 6, "syntax error: expected ')' but found end of expression");
	ERR("upper(s", SL_EINVAL, 7, "syntax error: expected ')' but found end of expression");
	ERR("i + ) ", SL_EINVAL, 4, "syntax error: unexpected ')'");
	ERR("i i", SL_EINVAL, 2, "syntax error: unexpected 'i'");
	ERR("'abc", SL_EINVAL, 0, "syntax error: unterminated string");
	ERR("`abc", SL_EINVAL, 0, "syntax error: unterminated quoted name");
	ERR("i # 2", SL_EINVAL, 2, "syntax error: unexpected character '#'");
	ERR("i | 2", SL_EINVAL, 2, "syntax error: unexpected character '|'");
	ERR("", SL_EINVAL, 0, "empty expression");
	ERR("i AS", SL_EINVAL, 4,
	    "syntax error: expected a name after AS but found end of expression");
	ERR("CASE i END", SL_EINVAL, 7, "syntax error: expected WHEN but found 'END'");
	ERR("CAST(i AS)", SL_EINVAL, 9, "syntax error: expected a type but found ')'");
	ERR("CAST(i AS FOO)", SL_EINVAL, 10, NULL);
	ERR("i BETWEEN 1 OR 2", SL_EINVAL, 12, "syntax error: expected AND but found 'OR'");
	ERR("i IS 5", SL_EINVAL, 5, "syntax error: expected NULL but found '5'");
	ERR("count(DISTINCT i)", SL_EINVAL, 6, "DISTINCT is not supported in count()");
	ERR("st.", SL_EINVAL, 3,
	    "syntax error: expected a field name after '.' but found end of expression");
	/* positions count characters, not bytes */
	ERR("'héllo' + vlaue", SL_ENOTFOUND, 10, "unknown column 'vlaue' (did you mean 'value'?)");
	/* aggregates, generators, star where they are not allowed */
	ERR("count(*)", SL_EINVAL, 0,
	    "count is only allowed at the top of an aggregate stage's expression");
	ERRF("count(*) + 1", SL_EXPR_ALLOW_AGGREGATE, SL_EINVAL, 0,
	     "count is only allowed at the top of an aggregate stage's expression");
	ERRF("sum(max(i))", SL_EXPR_ALLOW_AGGREGATE, SL_EINVAL, 4,
	     "max is only allowed at the top of an aggregate stage's expression");
	ERR("explode(l)", SL_EINVAL, 0,
	    "explode is only allowed at the top of an explode stage's expression");
	ERRF("upper(explode(l))", SL_EXPR_ALLOW_GENERATOR, SL_EINVAL, 6,
	     "explode is only allowed at the top of an explode stage's expression");
	ERRF("explode(s)", SL_EXPR_ALLOW_GENERATOR, SL_ETYPE, 8,
	     "function 'explode' needs an ARRAY as argument 1, got STRING");
	ERR("*", SL_EINVAL, 0, "'*' is only allowed on its own, to select every column");
	ERRF("* AS x", SL_EXPR_ALLOW_STAR, SL_EINVAL, 5, "'*' cannot have an alias");
	ERRF("i + *", SL_EXPR_ALLOW_STAR, SL_EINVAL, 4,
	     "'*' is only allowed on its own, to select every column");
}

static void test_bad_nesting(void)
{
	char deep[4096];
	size_t k = 0;
	for (int d = 0; d < 1000; d++)
		deep[k++] = '(';
	deep[k++] = '1';
	for (int d = 0; d < 1000; d++)
		deep[k++] = ')';
	deep[k] = '\0';
	sl_expr *e = NULL;
	sl_error err = {0};
	CU_ASSERT(sl_expr_compile(deep, g_schema, 0, &e, &err) < 0);
	CU_ASSERT(strstr(err.msg, "nested too deeply") != NULL);
	k = 0;
	k += (size_t)snprintf(deep, sizeof(deep), "i");
	for (int d = 0; d < 500; d++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "+1");
	CU_ASSERT(sl_expr_compile(deep, g_schema, 0, &e, &err) < 0);
	CU_ASSERT(strstr(err.msg, "nested too deeply") != NULL);
}

static void test_select(void)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	int32_t sel[8];
	int64_t n = -1;
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("i % 2 = 0", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_select(e, g_batch, sel, &n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(sel[0], 1);
	CU_ASSERT_EQUAL(sel[1], 4);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("s LIKE '%l%' OR b", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_select(e, g_batch, sel, &n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT(sel[0] == 0 && sel[1] == 1 && sel[2] == 3 && sel[3] == 4);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("1 = 1", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_select(e, g_batch, sel, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 5);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("NULL", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_select(e, g_batch, sel, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
	sl_expr_free(e);

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("i", g_schema, 0, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_expr_select(e, g_batch, sel, &n, &err), SL_ETYPE);
	CU_ASSERT_STRING_EQUAL(err.msg, "a filter needs a BOOLEAN expression, not BIGINT");
	sl_expr_free(e);

	/* a large batch against a plain loop, batch after batch (pool reuse) */
	const int64_t rows = 100000;
	sl_field f = {"value", sl_type_int64(), true};
	sl_schema *s = sl_type_struct(1, &f);
	sl_builder *b = sl_builder_new(sl_type_int64(), rows);
	for (int64_t i = 0; i < rows; i++) {
		if (i % 13 == 5)
			sl_builder_append_null(b);
		else
			sl_builder_append_int64(b, i * 7919 % 1000 - 500);
	}
	sl_array *col = sl_builder_finish(b);
	sl_builder_free(b);
	sl_batch *batch = sl_batch_new(s, rows, &col);
	int32_t *big = malloc(rows * sizeof(*big));
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("value % 3 = 0 AND value > -100", s, 0, &e, &err), 0);
	for (int round = 0; round < 3; round++) {
		CU_ASSERT_EQUAL(sl_expr_select(e, batch, big, &n, &err), 0);
		int64_t k = 0, bad = 0;
		for (int64_t i = 0; i < rows; i++) {
			int64_t v = i * 7919 % 1000 - 500;
			if (i % 13 == 5 || v % 3 != 0 || v <= -100)
				continue;
			bad += k >= n || big[k] != i;
			k++;
		}
		CU_ASSERT_EQUAL(k, n);
		CU_ASSERT_EQUAL(bad, 0);
	}
	sl_expr_free(e);
	free(big);
	sl_batch_unref(batch);
	sl_type_unref(s);
}

static void test_schema_check(void)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	sl_schema *other = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("i STRING", &other, NULL), 0);
	sl_builder *b = sl_builder_new(sl_type_string(), 1);
	sl_builder_append_string(b, "x", 1);
	sl_array *col = sl_builder_finish(b);
	sl_builder_free(b);
	sl_batch *batch = sl_batch_new(other, 1, &col);
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("i + 1", g_schema, 0, &e, &err), 0);
	sl_array *a = NULL;
	CU_ASSERT_EQUAL(sl_expr_eval(e, batch, &a, &err), SL_ETYPE);
	CU_ASSERT_PTR_NULL(a);
	sl_expr_free(e);
	sl_batch_unref(batch);
	sl_type_unref(other);
}

static void test_function_list(void)
{
	const char *const *names = sl_expr_functions();
	size_t n = 0;
	bool sorted = true, has_split = false, has_count = false;
	for (; names[n] != NULL; n++) {
		if (n > 0 && strcmp(names[n - 1], names[n]) >= 0)
			sorted = false;
		has_split |= strcmp(names[n], "split") == 0;
		has_count |= strcmp(names[n], "count") == 0;
	}
	CU_ASSERT(n > 50);
	CU_ASSERT(sorted);
	CU_ASSERT(has_split);
	CU_ASSERT(!has_count); /* scalar functions only */
	/* every listed function is known to the compiler */
	for (size_t k = 0; k < n; k++) {
		char text[128];
		sl_expr *e = NULL;
		sl_error err = {0};
		snprintf(text, sizeof(text), "%s()", names[k]);
		sl_expr_compile(text, g_schema, 0, &e, &err);
		CU_ASSERT(e != NULL || strstr(err.msg, "unknown function") == NULL);
		sl_expr_free(e);
	}
}

/* Empty batches and batches bigger than a bitmap word. */
static void test_batch_shapes(void)
{
	sl_batch *empty = sl_batch_slice(g_batch, 0, 0);
	const char *texts[] = {"i + 1",
	                       "upper(s)",
	                       "split(value, ' ')",
	                       "i % 2 = 0",
	                       "CASE WHEN b THEN s END",
	                       "coalesce(i, 0)",
	                       "l[0]",
	                       "st.city",
	                       "CAST(d AS STRING)",
	                       "concat_ws(',', l)",
	                       "'const'"};
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		sl_expr *e = NULL;
		sl_array *a = NULL;
		sl_error err = {0};
		CU_ASSERT_EQUAL_FATAL(sl_expr_compile(texts[k], g_schema, 0, &e, &err), 0);
		CU_ASSERT_EQUAL(sl_expr_eval(e, empty, &a, &err), 0);
		CU_ASSERT(a != NULL && a->length == 0);
		sl_array_unref(a);
		sl_expr_free(e);
	}
	sl_batch_unref(empty);
}

/* Patterns and formats that are columns, not constants. */
static void test_dynamic_patterns(void)
{
	ROWS("s LIKE concat(substring(s, 1, 1), '%')", "true|true|NULL|true|true");
	ROWS("value RLIKE s", "false|false|NULL|true|false");
	ROWS("regexp_replace(value, substring(value, 1, 1), '*')", "* b c|*ello world|NULL||*");
	ROWS("split(value, substring(value, 2, 1))", "[a,b,c]|[h,llo world]|NULL|[]|[x]");
	ROWS("date_format(t, if(b, 'yyyy', 'MM'))", "2019|01|NULL|1969|09");
	ROWS("date_format(t, if(b, 'yyyy', 'qq'))", "2019|NULL|NULL|1969|NULL");
	ROWS("'x' IN (s, 'x')", "true|true|true|true|true");
	ROWS("CASE s WHEN value THEN 1 WHEN 'World' THEN 2 END", "NULL|2|NULL|1|NULL");
}

/* The pool hands buffers from one batch to the next: sizes that change
 * between batches must not leak values across. */
static void test_pool_reuse(void)
{
	sl_field f = {"v", sl_type_int64(), true};
	sl_schema *s = sl_type_struct(1, &f);
	sl_expr *e = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("(v + 1) * 2 - v % 7", s, 0, &e, NULL), 0);
	const int64_t sizes[] = {100000, 10, 70000, 0, 3, 100000};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int64_t n = sizes[k];
		sl_builder *b = sl_builder_new(sl_type_int64(), n);
		for (int64_t i = 0; i < n; i++) {
			if ((i + (int64_t)k) % 5 == 0)
				sl_builder_append_null(b);
			else
				sl_builder_append_int64(b, i * (int64_t)(k + 1));
		}
		sl_array *col = sl_builder_finish(b);
		sl_builder_free(b);
		sl_batch *batch = sl_batch_new(s, n, &col);
		sl_array *a = NULL;
		CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, batch, &a, NULL), 0);
		int64_t bad = 0;
		for (int64_t i = 0; i < n; i++) {
			int64_t v = i * (int64_t)(k + 1);
			if ((i + (int64_t)k) % 5 == 0)
				bad += !sl_array_is_null(a, i);
			else
				bad += sl_array_is_null(a, i) ||
				       sl_array_i64(a)[i] != (v + 1) * 2 - v % 7;
		}
		CU_ASSERT_EQUAL(bad, 0);
		sl_array_unref(a);
		sl_batch_unref(batch);
	}
	sl_expr_free(e);
	sl_type_unref(s);
}

/* Columns of the NULL type (as schema inference gives for all-null
 * fields). */
static void test_null_columns(void)
{
	sl_schema *s = NULL;
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("x BIGINT", &s, NULL), 0);
	sl_field f[2] = {{"x", sl_type_int64(), true}, {"z", sl_type_null(), true}};
	sl_schema *s2 = sl_type_struct(2, f);
	sl_array *cols[2] = {sl_array_new_nulls(sl_type_int64(), 3),
			     sl_array_new_nulls(sl_type_null(), 3)};
	sl_batch *batch = sl_batch_new(s2, 3, cols);
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"z", "NULL|NULL|NULL"},
		{"z IS NULL", "true|true|true"},
		{"x + z", "NULL|NULL|NULL"},
		{"coalesce(z, 1)", "1|1|1"},
		{"concat('a', z)", "NULL|NULL|NULL"},
		{"z = 1", "NULL|NULL|NULL"},
		{"CAST(z AS STRING)", "NULL|NULL|NULL"},
		{"upper(z)", "NULL|NULL|NULL"},
		{"x * 2", "NULL|NULL|NULL"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		sl_expr *e = NULL;
		sl_array *a = NULL;
		sl_error err = {0};
		if (sl_expr_compile(cases[k].text, s2, 0, &e, &err) < 0) {
			printf("\n  %s: %s\n", cases[k].text, err.msg);
			CU_FAIL("compile");
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, batch, &a, NULL), 0);
		char *got = render_rows(a);
		if (strcmp(got, cases[k].want) != 0) {
			printf("\n  %s\n    got:  %s\n    want: %s\n", cases[k].text, got,
			       cases[k].want);
			CU_FAIL("null column");
		}
		free(got);
		sl_array_unref(a);
		sl_expr_free(e);
	}
	sl_batch_unref(batch);
	sl_type_unref(s2);
	sl_type_unref(s);
}

/* Throughput of the filter fast path and of upper() (printed, not judged
 * unless SLUICE_BENCH_ASSERT is set: sanitizer builds are slow). */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_throughput(void)
{
	const int64_t rows = 65536;
	sl_field f[2] = {{"value", sl_type_int64(), true}, {"s", sl_type_string(), true}};
	sl_schema *s = sl_type_struct(2, f);
	sl_builder *bv = sl_builder_new(sl_type_int64(), rows),
	           *bs = sl_builder_new(sl_type_string(), rows);
	static const char *words[] = {"alpha", "Bravo charlie", "delta", "echo foxtrot golf", "x"};
	for (int64_t i = 0; i < rows; i++) {
		sl_builder_append_int64(bv, i * 2654435761 % 1000003);
		const char *w = words[i % 5];
		sl_builder_append_string(bs, w, strlen(w));
	}
	sl_array *cols[2] = {sl_builder_finish(bv), sl_builder_finish(bs)};
	sl_builder_free(bv);
	sl_builder_free(bs);
	sl_batch *batch = sl_batch_new(s, rows, cols);
	int32_t *sel = malloc(rows * sizeof(*sel));
	sl_expr *e = NULL, *u = NULL;
	int64_t n = 0;
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("value % 2 = 0", s, 0, &e, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("upper(s)", s, 0, &u, NULL), 0);
	int iters = 300;
	double t0 = now_s();
	for (int k = 0; k < iters; k++)
		sl_expr_select(e, batch, sel, &n, NULL);
	double t1 = now_s();
	for (int k = 0; k < iters; k++) {
		sl_array *a = NULL;
		sl_expr_eval(u, batch, &a, NULL);
		sl_array_unref(a);
	}
	double t2 = now_s();
	double sel_rate = rows * iters / (t1 - t0), up_rate = rows * iters / (t2 - t1);
	printf("\n  throughput: 'value %% 2 = 0' select %.0f Mrows/s, upper(s) %.0f Mrows/s ",
	       sel_rate / 1e6, up_rate / 1e6);
	if (getenv("SLUICE_BENCH_ASSERT") != NULL)
		CU_ASSERT(sel_rate > 100e6);
	int64_t want = 0;
	for (int64_t i = 0; i < rows; i++)
		want += (i * 2654435761 % 1000003) % 2 == 0;
	CU_ASSERT_EQUAL(n, want);
	sl_expr_free(e);
	sl_expr_free(u);
	free(sel);
	sl_batch_unref(batch);
	sl_type_unref(s);
}

/* --------------------------------------------------------------- runner */

static int setup(void)
{
	if (sl_schema_parse(TEST_SCHEMA, &g_schema, NULL) < 0)
		return -1;
	g_batch = make_batch();
	return g_batch ? 0 : -1;
}

static int teardown(void)
{
	sl_batch_unref(g_batch);
	sl_type_unref(g_schema);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"literals", test_literals},
	    {"columns, fields, elements", test_columns},
	    {"arithmetic", test_arithmetic},
	    {"modulo kernels", test_modulo_kernels},
	    {"comparison", test_comparison},
	    {"three-valued logic", test_logic},
	    {"IS NULL, IN, BETWEEN, LIKE", test_predicates},
	    {"CASE and conditionals", test_case_when},
	    {"CAST", test_casts},
	    {"string functions", test_string_functions},
	    {"split", test_split_regex},
	    {"regular expressions", test_split_regex2},
	    {"math functions", test_math_functions},
	    {"time functions", test_time_functions},
	    {"interval arithmetic", test_intervals},
	    {"list functions", test_list_functions},
	    {"types and default names", test_types_and_names},
	    {"aliases and root inspection", test_aliases_and_inspection},
	    {"errors", test_errors},
	    {"nesting limits", test_bad_nesting},
	    {"select fast path", test_select},
	    {"batch schema check", test_schema_check},
	    {"function list", test_function_list},
	    {"empty batches", test_batch_shapes},
	    {"dynamic patterns", test_dynamic_patterns},
	    {"buffer pool across batches", test_pool_reuse},
	    {"NULL-typed columns", test_null_columns},
	    {"throughput", test_throughput},
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	CU_pSuite suite = CU_add_suite("expr", setup, teardown);
	if (suite == NULL)
		return 2;
	for (size_t k = 0; k < sizeof(tests) / sizeof(tests[0]); k++)
		if (CU_add_test(suite, tests[k].name, tests[k].fn) == NULL)
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	failed += CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
