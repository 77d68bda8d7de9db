/* test_expr_nested.c - unit tests of the nested-data functions: struct,
 * named_struct, from_json / to_json, from_csv / to_csv, from_avro / to_avro,
 * field access on what they give, and the seed's invoices
 * ($SLUICE_SEED_DIR/03-KafkaStreamDemo/datagen/samples.json and the Avro
 * schema of 07-KafkaAvroSourceDemo).
 *
 * Rows are rendered as text: NULL, numbers, strings as they are, structs
 * {a, b}, lists [a, b]; rows joined with " | ".
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sluice/sluice.h>

#define BASE_DDL                                                                                   \
	"a BIGINT, s STRING, d DOUBLE, j STRING, st STRUCT<x: BIGINT, y: STRING>, "                \
	"l ARRAY<BIGINT>, bin BINARY"

static sl_schema *g_schema;
static sl_batch *g_batch;

/* ------------------------------------------------------------- helpers */

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
	case SL_TYPE_DOUBLE:
		sl_strbuf_printf(sb, "%g", sl_array_f64(a)[i]);
		break;
	case SL_TYPE_STRING: {
		sl_strview v = sl_array_str(a, i);
		sl_strbuf_append(sb, v.ptr, v.len);
		break;
	}
	case SL_TYPE_BINARY:
		sl_strbuf_printf(sb, "<%d bytes>",
		                 sl_array_offsets(a)[i + 1] - sl_array_offsets(a)[i]);
		break;
	case SL_TYPE_STRUCT:
		sl_strbuf_puts(sb, "{");
		for (size_t k = 0; k < a->n_children; k++) {
			if (k > 0)
				sl_strbuf_puts(sb, ", ");
			render(a->children[k], i, sb);
		}
		sl_strbuf_puts(sb, "}");
		break;
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		sl_strbuf_puts(sb, "[");
		for (int32_t k = o[i]; k < o[i + 1]; k++) {
			if (k > o[i])
				sl_strbuf_puts(sb, ", ");
			render(a->children[0], k, sb);
		}
		sl_strbuf_puts(sb, "]");
		break;
	}
	default:
		sl_strbuf_puts(sb, "?");
	}
}

static char g_text[16384];

static const char *render_all(const sl_array *a)
{
	sl_strbuf sb = {0};

	for (int64_t i = 0; i < a->length; i++) {
		if (i > 0)
			sl_strbuf_puts(&sb, " | ");
		render(a, i, &sb);
	}
	snprintf(g_text, sizeof(g_text), "%s", sb.buf ? sb.buf : "");
	sl_strbuf_free(&sb);
	return g_text;
}

static const char *type_text(const sl_type *t)
{
	static char buf[4096];
	sl_strbuf sb = {0};

	sl_type_format(t, &sb);
	snprintf(buf, sizeof(buf), "%s", sb.buf ? sb.buf : "");
	sl_strbuf_free(&sb);
	return buf;
}

/* Compiles text over b's schema, evaluates it; NULL (and a message) on error. */
static sl_array *eval_on(const char *text, const sl_batch *b, sl_expr **keep)
{
	sl_expr *e = NULL;
	sl_array *out = NULL;
	sl_error err = {0};

	if (sl_expr_compile(text, b->schema, 0, &e, &err) < 0) {
		fprintf(stderr, "\ncompile %s: %s (pos %d)\n", text, err.msg, err.pos);
		return NULL;
	}
	if (sl_expr_eval(e, b, &out, &err) < 0) {
		fprintf(stderr, "\neval %s: %s\n", text, err.msg);
		out = NULL;
	}
	if (out != NULL) {
		CU_ASSERT_EQUAL(sl_array_validate(out, NULL), SL_OK);
		CU_ASSERT(sl_type_equal(out->type, sl_expr_type(e)));
	}
	if (keep != NULL)
		*keep = e;
	else
		sl_expr_free(e);
	return out;
}

/* Evaluates text over the base batch and compares the rendered rows. */
static void check_on(const sl_batch *b, const char *text, const char *want)
{
	sl_array *a = eval_on(text, b, NULL);

	CU_ASSERT_PTR_NOT_NULL(a);
	if (a == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(render_all(a), want);
	if (strcmp(g_text, want) != 0)
		fprintf(stderr, "\n%s\n  want: %s\n  got:  %s\n", text, want, g_text);
	sl_array_unref(a);
}

static void check(const char *text, const char *want)
{
	check_on(g_batch, text, want);
}

static void check_type(const char *text, const char *want)
{
	sl_expr *e = NULL;
	sl_error err = {0};

	CU_ASSERT_EQUAL_FATAL(sl_expr_compile(text, g_schema, 0, &e, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(type_text(sl_expr_type(e)), want);
	if (strcmp(type_text(sl_expr_type(e)), want) != 0)
		fprintf(stderr, "\n%s\n  want type: %s\n  got:       %s\n", text, want,
		        type_text(sl_expr_type(e)));
	sl_expr_free(e);
}

/* Compilation fails with a message containing `msg` at position pos (-2:
 * any position). */
static void check_error(const char *text, const char *msg, int pos)
{
	sl_expr *e = NULL;
	sl_error err = {0};
	int rc = sl_expr_compile(text, g_schema, 0, &e, &err);

	CU_ASSERT(rc < 0);
	if (rc >= 0) {
		fprintf(stderr, "\n%s: compiled\n", text);
		sl_expr_free(e);
		return;
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg));
	if (pos != -2)
		CU_ASSERT_EQUAL(err.pos, pos);
	if (strstr(err.msg, msg) == NULL || (pos != -2 && err.pos != pos))
		fprintf(stderr, "\n%s\n  want: %s at %d\n  got:  %s at %d\n", text, msg, pos,
		        err.msg, err.pos);
}

static void put_str(sl_builder *b, const char *s)
{
	if (s == NULL)
		sl_builder_append_null(b);
	else
		sl_builder_append_string(b, s, strlen(s));
}

static sl_batch *make_batch(void)
{
	sl_batch_builder *bb = sl_batch_builder_new(g_schema, 8);
	const char *sv[] = {"x", NULL, "z", "w"};
	const char *jv[] = {"{\"a\": 1, \"b\": \"one\", \"c\": {\"d\": [1, 2]}}", "not json", NULL,
	                    "{\"a\": 4, \"c\": {\"d\": []}}"};
	for (int r = 0; r < 4; r++) {
		sl_builder *st = sl_batch_builder_column(bb, 4),
		           *l = sl_batch_builder_column(bb, 5);
		if (r == 2)
			sl_builder_append_null(sl_batch_builder_column(bb, 0));
		else
			sl_builder_append_int64(sl_batch_builder_column(bb, 0), r + 1);
		put_str(sl_batch_builder_column(bb, 1), sv[r]);
		sl_builder_append_double(sl_batch_builder_column(bb, 2), 0.5 + r);
		put_str(sl_batch_builder_column(bb, 3), jv[r]);
		if (r == 1) {
			sl_builder_append_null(st);
			sl_builder_append_null(l);
		} else {
			sl_builder_append_int64(sl_builder_child(st, 0), 10 * r);
			put_str(sl_builder_child(st, 1), r == 3 ? NULL : "s\"q");
			sl_builder_append_struct(st);
			sl_builder_list_begin(l);
			for (int k = 0; k < r; k++)
				sl_builder_append_int64(sl_builder_child(l, 0), k);
			sl_builder_list_end(l);
		}
		sl_builder_append_string(sl_batch_builder_column(bb, 6), "\x01\x02", (size_t)r);
	}
	sl_batch *b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	return b;
}

static int setup(void)
{
	sl_error err = {0};

	if (sl_schema_parse(BASE_DDL, &g_schema, &err) < 0)
		return 1;
	g_batch = make_batch();
	return g_batch == NULL;
}

static int teardown(void)
{
	sl_batch_unref(g_batch);
	sl_type_unref(g_schema);
	return 0;
}

/* A batch of one column `name` holding a (a reference is taken). */
static sl_batch *batch_of(const char *name, sl_array *a)
{
	sl_field f = {(char *)name, a->type, true};
	sl_schema *s = sl_type_struct(1, &f);
	sl_array *cols[1] = {sl_array_ref(a)};
	sl_batch *b = sl_batch_new(s, a->length, cols);

	sl_type_unref(s);
	return b;
}

/* ------------------------------------------------------------- struct */

static void test_struct(void)
{
	check_type("struct(a, s)", "STRUCT<a: BIGINT, s: STRING>");
	check("struct(a, s)", "{1, x} | {2, NULL} | {NULL, z} | {4, w}");
	check_type("struct(a + 1, st.x, s)", "STRUCT<col1: BIGINT, x: BIGINT, s: STRING>");
	check("struct(a + 1, st.x, s)", "{2, 0, x} | {3, NULL, NULL} | {NULL, 20, z} | {5, 30, w}");
	check("struct(a, 'k', 2.5)", "{1, k, 2.5} | {2, k, 2.5} | {NULL, k, 2.5} | {4, k, 2.5}");
	check("struct(a, s).s", "x | NULL | z | w");
	check("struct(st, d).st.x", "0 | NULL | 20 | 30");
	check_type("struct(*)", "STRUCT<a: BIGINT, s: STRING, d: DOUBLE, j: STRING, st: "
	                        "STRUCT<x: BIGINT, y: STRING>, l: ARRAY<BIGINT>, bin: BINARY>");
	check("struct(*).l", "[] | NULL | [0, 1] | [0, 1, 2]");
	check("struct(*).a", "1 | 2 | NULL | 4");
	check("struct(1, 'x')", "{1, x} | {1, x} | {1, x} | {1, x}");

	sl_expr *e = NULL;
	sl_error err = {0};
	CU_ASSERT_EQUAL_FATAL(sl_expr_compile("struct(*)", g_schema, 0, &e, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(sl_expr_name(e), "struct(a, s, d, j, st, l, bin)");
	CU_ASSERT_FALSE(sl_expr_nullable(e));
	sl_expr_free(e);

	check_error("struct()", "at least one argument", 0);
	check_error("struct(a, a)", "two fields are named 'a'", 10);
	check_error("struct(st.x, a AS x)", "", -2);
}

static void test_named_struct(void)
{
	check_type("named_struct('n', a, 'label', upper(s))", "STRUCT<n: BIGINT, label: STRING>");
	check("named_struct('n', a, 'label', upper(s))", "{1, X} | {2, NULL} | {NULL, Z} | {4, W}");
	check("named_struct('n', a, 'in', named_struct('p', d)).in.p", "0.5 | 1.5 | 2.5 | 3.5");
	check("named_struct('k', 1)", "{1} | {1} | {1} | {1}");
	check("named_struct('k', 1).k + a", "2 | 3 | NULL | 5");
	check_error("named_struct('n', a, 'm')", "pairs of a name and a value", 0);
	check_error("named_struct(s, a)", "string literal as the name of field 1", 13);
	check_error("named_struct('n', a, 'n', s)", "two fields are named 'n'", 21);
	check_error("named_struct()", "takes at least 2 arguments", 0);
}

/* ---------------------------------------------------------------- JSON */

static void test_from_json(void)
{
	const char *ex = "from_json(j, 'a BIGINT, b STRING, c STRUCT<d: ARRAY<BIGINT>>')";
	char buf[256];

	check_type(ex, "STRUCT<a: BIGINT, b: STRING, c: STRUCT<d: ARRAY<BIGINT>>>");
	check(ex, "{1, one, {[1, 2]}} | NULL | NULL | {4, NULL, {[]}}");
	snprintf(buf, sizeof(buf), "%s.c.d", ex);
	check(buf, "[1, 2] | NULL | NULL | []");
	snprintf(buf, sizeof(buf), "size(%s.c.d)", ex);
	check(buf, "2 | -1 | -1 | 0");
	snprintf(buf, sizeof(buf), "%s.c.d[1]", ex);
	check(buf, "2 | NULL | NULL | NULL");
	snprintf(buf, sizeof(buf), "%s.b", ex);
	check(buf, "one | NULL | NULL | NULL");
	/* STRUCT<...> form, case-insensitive names. */
	check("from_json(j, 'struct<a: bigint>')", "{1} | NULL | NULL | {4}");
	/* A constant is folded. */
	check("from_json('{\"x\": 2.5}', 'x DOUBLE').x", "2.5 | 2.5 | 2.5 | 2.5");
	/* Not an object for a struct schema; a wrong type keeps nothing. */
	check("from_json(concat('[', j, ']'), 'a BIGINT')", "NULL | NULL | NULL | NULL");
	check("from_json('{\"a\": \"x\"}', 'a BIGINT')", "NULL | NULL | NULL | NULL");
}

static void test_from_json_array(void)
{
	check_type("from_json('[1, 2, null]', 'ARRAY<BIGINT>')", "ARRAY<BIGINT>");
	check("from_json(concat('[', s, ']'), 'array<string>')", "NULL | NULL | NULL | NULL");
	check("from_json(concat('[\"', s, '\"]'), 'ARRAY<STRING>')", "[x] | NULL | [z] | [w]");
	check("from_json(concat('[{\"k\": ', a, '}, {\"k\": 7}]'), 'ARRAY<STRUCT<k: BIGINT>>')",
	      "[{1}, {7}] | [{2}, {7}] | NULL | [{4}, {7}]");
	check("size(from_json(concat('[{\"k\": ', a, '}]'), 'ARRAY<STRUCT<k: BIGINT>>'))",
	      "1 | 1 | -1 | 1");
	check("from_json(j, 'ARRAY<BIGINT>')", "NULL | NULL | NULL | NULL");
}

static void test_json_errors(void)
{
	/* position of the problem inside the literal */
	check_error("from_json(j, 'a BIGINT, b STRIN')", "from_json: bad schema", -2);
	{
		sl_expr *e = NULL;
		sl_error err = {0};
		int rc =
		    sl_expr_compile("from_json(j, 'a BIGINT, b STRIN')", g_schema, 0, &e, &err);
		CU_ASSERT(rc < 0);
		/* the literal's quote is at 13; STRIN at 12 inside it */
		CU_ASSERT_EQUAL(err.pos, 26);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "STRIN"));
		if (err.pos != 26)
			fprintf(stderr, "\nbad schema: %s at %d\n", err.msg, err.pos);
	}
	check_error("from_json(j, 'a STRUCT<b: BIGINT')", "bad schema", -2);
	check_error("from_json(j, s)", "needs the schema as a string literal", 13);
	check_error("from_json(j, concat('a ', 'BIGINT'))", "string literal", 13);
	check_error("from_json(j)", "takes 2 arguments", 0);
	check_error("from_json(j, '')", "", -2);
	check_error("from_json(st, 'a BIGINT')", "a STRING", 10);
	check_error("to_json(a)", "to_json needs a STRUCT or an ARRAY, got BIGINT", 8);
}

static void test_to_json(void)
{
	check_type("to_json(st)", "STRING");
	check("to_json(st)", "{\"x\":0,\"y\":\"s\\\"q\"} | NULL | {\"x\":20,\"y\":\"s\\\"q\"} | "
	                     "{\"x\":30}");
	check("to_json(l)", "[] | NULL | [0,1] | [0,1,2]");
	check("to_json(named_struct('a', a, 'l', l))",
	      "{\"a\":1,\"l\":[]} | {\"a\":2} | {\"l\":[0,1]} | {\"a\":4,\"l\":[0,1,2]}");
	/* round trip */
	check("from_json(to_json(st), 'x BIGINT, y STRING')",
	      "{0, s\"q} | NULL | {20, s\"q} | {30, NULL}");
	check("from_json(to_json(l), 'ARRAY<BIGINT>')", "[] | NULL | [0, 1] | [0, 1, 2]");
	check("to_json(from_json(j, 'a BIGINT, c STRUCT<d: ARRAY<BIGINT>>'))",
	      "{\"a\":1,\"c\":{\"d\":[1,2]}} | NULL | NULL | {\"a\":4,\"c\":{\"d\":[]}}");
}

/* ----------------------------------------------------------------- CSV */

static void test_csv(void)
{
	check_type("from_csv('1,a,2.5', 'x BIGINT, y STRING, z DOUBLE')",
	           "STRUCT<x: BIGINT, y: STRING, z: DOUBLE>");
	check("from_csv(concat(a, ',', s, ',', d), 'x BIGINT, y STRING, z DOUBLE')",
	      "{1, x, 0.5} | NULL | NULL | {4, w, 3.5}");
	check("from_csv(concat(a, ';', s), 'x BIGINT, y STRING', ';').y", "x | NULL | NULL | w");
	check("from_csv('\"a,b\",3', 'p STRING, q BIGINT')",
	      "{a,b, 3} | {a,b, 3} | {a,b, 3} | {a,b, 3}");
	check("to_csv(st)", "0,\"s\"\"q\" | NULL | 20,\"s\"\"q\" | 30,");
	check("to_csv(named_struct('p', 'a,b', 'q', a))", "\"a,b\",1 | \"a,b\",2 | \"a,b\", | "
	                                                  "\"a,b\",4");
	check("from_csv(to_csv(named_struct('p', s, 'q', a)), 'p STRING, q BIGINT')",
	      "{x, 1} | {NULL, 2} | {z, NULL} | {w, 4}");
	check_error("to_csv(named_struct('l', l))", "to_csv", -2);
	check_error("to_csv(l)", "needs a STRUCT, got ARRAY<BIGINT>", 7);
	check_error("from_csv(s, 'x ARRAY<BIGINT>')", "not of an atomic type", 12);
	check_error("from_csv(s, 'x BIGINT', ';;')", "one character", 24);
	check_error("from_csv(s, 'x BIGINT', s)", "delimiter as a string literal", 24);
}

/* ---------------------------------------------------------------- Avro */

static void test_avro(void)
{
	const char *avsc = "'{\"type\": \"record\", \"name\": \"R\", \"fields\": ["
	                   "{\"name\": \"x\", \"type\": [\"long\", \"null\"]},"
	                   "{\"name\": \"y\", \"type\": [\"null\", \"string\"]}]}'";
	char buf[1024];

	check_type("to_avro(st)", "BINARY");
	check("to_avro(st)", "<7 bytes> | NULL | <7 bytes> | <3 bytes>");
	snprintf(buf, sizeof(buf), "from_avro(to_avro(st, %s), %s)", avsc, avsc);
	check(buf, "{0, s\"q} | NULL | {20, s\"q} | {30, NULL}");
	snprintf(buf, sizeof(buf), "from_avro(to_avro(st, %s), %s).y", avsc, avsc);
	check(buf, "s\"q | NULL | s\"q | NULL");
	snprintf(buf, sizeof(buf), "from_avro(bin, %s)", avsc);
	/* 0, 1 and 2 bytes: none is a complete record */
	check(buf, "NULL | NULL | NULL | NULL");
	snprintf(buf, sizeof(buf), "from_avro(to_avro(named_struct('x', a, 'y', s), %s), %s)", avsc,
	         avsc);
	check(buf, "{1, x} | {2, NULL} | {NULL, z} | {4, w}");

	check_error("from_avro(bin, '{\"type\": \"record\"')", "from_avro: bad Avro schema", -2);
	check_error("from_avro(bin, s)", "needs the Avro schema as a string literal", 15);
	check_error("from_avro(bin, '@/nonexistent/x.avsc')", "cannot read the Avro schema", 15);
	check_error("from_avro(a, '{}')", "needs a BINARY value, got BIGINT", 10);
	check_error("to_avro(a)", "needs a STRUCT, got BIGINT", 8);
	snprintf(buf, sizeof(buf), "to_avro(named_struct('z', d), %s)", avsc);
	check_error(buf, "to_avro: field 'z' is not in the Avro schema", 8);
	snprintf(buf, sizeof(buf), "to_avro(named_struct('x', d), %s)", avsc);
	check_error(buf, "to_avro: field 'x' is DOUBLE, the Avro schema has BIGINT", 8);
}

/* ------------------------------------------------------- seed invoices */

#define INVOICE_SCHEMA                                                                             \
	"InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, CashierID "       \
	"STRING, CustomerType STRING, CustomerCardNo STRING, TotalAmount DOUBLE, NumberOfItems "   \
	"BIGINT, PaymentMethod STRING, TaxableAmount DOUBLE, CGST DOUBLE, SGST DOUBLE, CESS "      \
	"DOUBLE, DeliveryType STRING, DeliveryAddress STRUCT<AddressLine: STRING, City: STRING, "  \
	"State: STRING, PinCode: STRING, ContactNumber: STRING>, InvoiceLineItems "                \
	"ARRAY<STRUCT<ItemCode: STRING, ItemDescription: STRING, ItemPrice: DOUBLE, ItemQty: "     \
	"BIGINT, TotalValue: DOUBLE>>"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static const char *seed_dir(void)
{
	const char *d = getenv("SLUICE_SEED_DIR");
	struct stat st;

	if (d == NULL || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return d;
}

static void test_seed_invoices(void)
{
	const char *dir = seed_dir();
	char path[1024], *text, *line, *save = NULL, expr[16384];
	size_t len, n_lines = 0;
	sl_schema *vs = NULL;
	sl_error err = {0};
	sl_batch *in, *parsed;
	sl_builder *b;
	sl_array *values, *v, *a;
	int64_t total = 0;

	if (dir == NULL) {
		fprintf(stderr, "(no SLUICE_SEED_DIR: skipped) ");
		return;
	}
	snprintf(path, sizeof(path), "%s/03-KafkaStreamDemo/datagen/samples.json", dir);
	text = read_file(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("value STRING", &vs, &err), SL_OK);
	b = sl_builder_new(sl_type_string(), 16);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (*line == '\0')
			continue;
		sl_builder_append_string(b, line, strlen(line));
		n_lines++;
	}
	free(text);
	CU_ASSERT_EQUAL(n_lines, 10);
	values = sl_builder_finish(b);
	sl_builder_free(b);
	in = sl_batch_new(vs, values->length, &values);
	sl_type_unref(vs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);

	/* from_json with the full schema: no bad record */
	snprintf(expr, sizeof(expr), "from_json(value, '%s')", INVOICE_SCHEMA);
	v = eval_on(expr, in, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->null_count, 0);
	CU_ASSERT_EQUAL(v->n_children, 17);
	parsed = batch_of("value", v);

	a = eval_on("value.DeliveryAddress.City", parsed, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->length, 10);
	/* TAKEAWAY invoices have no address */
	sl_array *dt = eval_on("value.DeliveryType", parsed, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dt);
	for (int64_t i = 0; i < 10; i++) {
		sl_strview t = sl_array_str(dt, i);
		bool home = t.len == 13 && memcmp(t.ptr, "HOME-DELIVERY", 13) == 0;
		CU_ASSERT_EQUAL(sl_array_is_null(a, i), !home);
	}
	sl_array_unref(dt);
	sl_array_unref(a);
	check_on(parsed, "value.InvoiceNumber",
	         "51402977 | 91372973 | 93647513 | 8320594 | 4888607 | 99794761 | "
	         "89101510 | 26723058 | 96837834 | 78302645");

	a = eval_on("size(value.InvoiceLineItems)", parsed, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (int64_t i = 0; i < a->length; i++)
		total += sl_array_i64(a)[i];
	CU_ASSERT_EQUAL(total, 31);
	sl_array_unref(a);
	/* NumberOfItems agrees with the line items */
	check_on(parsed, "size(value.InvoiceLineItems) = value.NumberOfItems",
	         "true | true | true | true | true | true | true | true | true | true");
	check_on(parsed, "value.InvoiceLineItems[0].ItemCode IS NOT NULL",
	         "true | true | true | true | true | true | true | true | true | true");

	/* to_json round trip: same values */
	snprintf(expr, sizeof(expr), "to_json(from_json(to_json(value), '%s')) = to_json(value)",
	         INVOICE_SCHEMA);
	check_on(parsed, expr,
	         "true | true | true | true | true | true | true | true | true | true");
	snprintf(expr, sizeof(expr), "from_json(value, '%s').TotalAmount", INVOICE_SCHEMA);
	a = eval_on("to_json(value)", parsed, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	{
		sl_batch *again = batch_of("value", a);
		sl_array *x = eval_on(expr, again, NULL),
		         *y = eval_on("value.TotalAmount", parsed, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_PTR_NOT_NULL_FATAL(y);
		for (int64_t i = 0; i < 10; i++)
			CU_ASSERT_EQUAL(sl_array_f64(x)[i], sl_array_f64(y)[i]);
		sl_array_unref(x);
		sl_array_unref(y);
		sl_batch_unref(again);
	}
	sl_array_unref(a);

	/* to_avro / from_avro with the seed's Avro schema (07): the first line
	 * item of each invoice as an InvoiceItem record */
	snprintf(path, sizeof(path), "%s/07-KafkaAvroSourceDemo/schema/invoice-items", dir);
	{
		const char *item =
		    "named_struct('InvoiceNumber', value.InvoiceNumber, 'CreatedTime', "
		    "value.CreatedTime, 'StoreID', value.StoreID, 'PosID', value.PosID, "
		    "'CustomerType', value.CustomerType, 'CustomerCardNo', value.CustomerCardNo, "
		    "'DeliveryType', value.DeliveryType, 'City', value.DeliveryAddress.City, "
		    "'State', value.DeliveryAddress.State, 'PinCode', "
		    "value.DeliveryAddress.PinCode, "
		    "'ItemCode', value.InvoiceLineItems[0].ItemCode, 'ItemDescription', "
		    "value.InvoiceLineItems[0].ItemDescription, 'ItemPrice', "
		    "value.InvoiceLineItems[0].ItemPrice, 'ItemQty', "
		    "value.InvoiceLineItems[0].ItemQty, "
		    "'TotalValue', value.InvoiceLineItems[0].TotalValue)";
		sl_expr *e = NULL;
		sl_array *want, *got;
		char want_text[16384];

		want = eval_on(item, parsed, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(want);
		snprintf(want_text, sizeof(want_text), "%s", render_all(want));
		snprintf(expr, sizeof(expr), "from_avro(to_avro(%s, '@%s'), '@%s')", item, path,
		         path);
		got = eval_on(expr, parsed, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_EQUAL(got->null_count, 0);
		CU_ASSERT_STRING_EQUAL(render_all(got), want_text);
		CU_ASSERT_STRING_EQUAL(
		    type_text(sl_expr_type(e)),
		    "STRUCT<InvoiceNumber: STRING, CreatedTime: BIGINT, StoreID: "
		    "STRING, PosID: STRING, CustomerType: STRING, CustomerCardNo: "
		    "STRING, DeliveryType: STRING, City: STRING, State: STRING, "
		    "PinCode: STRING, ItemCode: STRING, ItemDescription: STRING, "
		    "ItemPrice: DOUBLE, ItemQty: BIGINT, TotalValue: DOUBLE>");
		sl_expr_free(e);
		sl_array_unref(got);
		sl_array_unref(want);
		/* the plain binary encoding: no header, so a value starts with the
		 * union branch of InvoiceNumber (0: string) and its zigzag length */
		snprintf(expr, sizeof(expr), "to_avro(%s, '@%s')", item, path);
		got = eval_on(expr, parsed, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_EQUAL(got->type->id, SL_TYPE_BINARY);
		CU_ASSERT_EQUAL(got->data->data[sl_array_offsets(got)[0]], 0);
		CU_ASSERT_EQUAL(got->data->data[sl_array_offsets(got)[0] + 1], 16); /* 8 chars */
		sl_array_unref(got);
	}

	sl_batch_unref(parsed);
	sl_array_unref(v);
	sl_batch_unref(in);
}

/* Many batches through one expression: the decoder is reused. */
static void test_reuse(void)
{
	sl_expr *e = NULL;
	sl_error err = {0};

	CU_ASSERT_EQUAL_FATAL(
	    sl_expr_compile("to_json(from_json(j, 'a BIGINT'))", g_schema, 0, &e, &err), SL_OK);
	for (int k = 0; k < 50; k++) {
		sl_array *out = NULL;
		CU_ASSERT_EQUAL_FATAL(sl_expr_eval(e, g_batch, &out, &err), SL_OK);
		CU_ASSERT_STRING_EQUAL(render_all(out), "{\"a\":1} | NULL | NULL | {\"a\":4}");
		sl_array_unref(out);
	}
	sl_expr_free(e);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"struct, struct(*)", test_struct},     {"named_struct", test_named_struct},
	    {"from_json", test_from_json},          {"from_json ARRAY", test_from_json_array},
	    {"from_json errors", test_json_errors}, {"to_json", test_to_json},
	    {"from_csv, to_csv", test_csv},         {"from_avro, to_avro", test_avro},
	    {"seed invoices", test_seed_invoices},  {"decoder reuse", test_reuse},
	};
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("nested", setup, teardown);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
