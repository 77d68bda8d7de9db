/* test_sdk_type.c - types and schemas (format, parse, errors, lookup),
 * durations, sizes, edit distance, errors, strbuf, host conveniences. */
#include <string.h>

#include "test_sdk.h"

static void roundtrip(const char *text, const char *canonical)
{
	sl_type *t = NULL, *t2 = NULL;
	sl_error err;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_type_parse(text, &t, &err), SL_OK);
	if (t == NULL) {
		fprintf(stderr, "parse '%s': %s\n", text, err.msg);
		return;
	}
	CU_ASSERT_STRING_EQUAL(test_type_str(t), canonical);
	CU_ASSERT_EQUAL(sl_type_parse(test_type_str(t), &t2, &err), SL_OK);
	CU_ASSERT(sl_type_equal(t, t2));
	sl_type_unref(t2);
	sl_type_unref(t);
}

static void test_type_format_parse(void)
{
	roundtrip("STRING", "STRING");
	roundtrip("bigint", "BIGINT");
	roundtrip("Int", "BIGINT");
	roundtrip("INTEGER", "BIGINT");
	roundtrip("long", "BIGINT");
	roundtrip("float", "DOUBLE");
	roundtrip("double", "DOUBLE");
	roundtrip("boolean", "BOOLEAN");
	roundtrip("timestamp", "TIMESTAMP");
	roundtrip("binary", "BINARY");
	roundtrip("varchar(10)", "STRING");
	roundtrip("array<string>", "ARRAY<STRING>");
	roundtrip("struct<a:int,b:array<string>>", "STRUCT<a: BIGINT, b: ARRAY<STRING>>");
	roundtrip("  STRUCT < a : BIGINT , b : ARRAY < STRING > >  ",
	          "STRUCT<a: BIGINT, b: ARRAY<STRING>>");
	roundtrip("STRUCT<a BIGINT>", "STRUCT<a: BIGINT>");
	roundtrip("STRUCT<>", "STRUCT<>");
	roundtrip("STRUCT<`my col`: STRING, `a``b`: INT>",
	          "STRUCT<`my col`: STRING, `a``b`: BIGINT>");
	roundtrip("STRUCT<id: BIGINT NOT NULL, c: STRING COMMENT 'a comment'>",
	          "STRUCT<id: BIGINT NOT NULL, c: STRING>");
	roundtrip("ARRAY<STRUCT<x: DOUBLE, y: ARRAY<ARRAY<TIMESTAMP>>>>",
	          "ARRAY<STRUCT<x: DOUBLE, y: ARRAY<ARRAY<TIMESTAMP>>>>");
}

static void test_type_build(void)
{
	sl_field f[2] = {{"a", sl_type_int64(), true}, {"b", NULL, false}};
	sl_type *l = sl_type_list(sl_type_string(), true), *s, *s2, *dup;

	f[1].type = l;
	s = sl_type_struct(2, f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(l->refcount, 2);
	CU_ASSERT_STRING_EQUAL(test_type_str(s), "STRUCT<a: BIGINT, b: ARRAY<STRING> NOT NULL>");
	CU_ASSERT_EQUAL(s->n_fields, 2);
	CU_ASSERT_PTR_NOT_EQUAL(s->fields[0].name, f[0].name); /* copied */
	CU_ASSERT_STRING_EQUAL(l->fields[0].name, "element");
	f[1].nullable = true;
	s2 = sl_type_struct(2, f);
	CU_ASSERT(sl_type_equal(s, s2)); /* nullability is not part of equality */
	sl_type_unref(s2);
	f[1].name = "B";
	s2 = sl_type_struct(2, f);
	CU_ASSERT(!sl_type_equal(s, s2)); /* names are */
	sl_type_unref(s2);
	f[1].name = "a";
	dup = sl_type_struct(2, f);
	CU_ASSERT_PTR_NULL(dup);
	CU_ASSERT(!sl_type_equal(sl_type_int64(), sl_type_double()));
	CU_ASSERT(!sl_type_equal(l, sl_type_string()));
	CU_ASSERT(sl_type_is_numeric(sl_type_double()));
	CU_ASSERT(sl_type_is_numeric(sl_type_int64()));
	CU_ASSERT(!sl_type_is_numeric(sl_type_string()));
	CU_ASSERT_STRING_EQUAL(sl_type_id_name(SL_TYPE_BOOL), "BOOLEAN");
	CU_ASSERT_STRING_EQUAL(sl_type_id_name(SL_TYPE_LIST), "ARRAY");
	CU_ASSERT_PTR_EQUAL(sl_type_prim(SL_TYPE_STRING), sl_type_string());
	CU_ASSERT_EQUAL(sl_type_timestamp()->id, SL_TYPE_TIMESTAMP);
	sl_type_unref(s);
	CU_ASSERT_EQUAL(l->refcount, 1);
	sl_type_unref(l);
}

static void parse_error(bool schema, const char *text, int pos, const char *msg)
{
	sl_type *t = (sl_type *)&t;
	sl_error err;
	int rc;

	sl_error_clear(&err);
	rc = schema ? sl_schema_parse(text, &t, &err) : sl_type_parse(text, &t, &err);
	CU_ASSERT_EQUAL(rc, SL_EINVAL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(err.code, SL_EINVAL);
	CU_ASSERT_EQUAL(err.pos, pos);
	CU_ASSERT_STRING_EQUAL(err.msg, msg);
	if (err.pos != pos || strcmp(err.msg, msg) != 0)
		fprintf(stderr, "'%s': got pos %d '%s'\n", text, err.pos, err.msg);
	sl_type_unref(t);
}

static void test_type_parse_errors(void)
{
	parse_error(false, "STRUCT<a BIGINT", 15, "expected ',' or '>', got end of input");
	parse_error(false, "ARRAY<STRNG>", 6, "unknown type 'STRNG' (did you mean 'STRING'?)");
	parse_error(false, "MAP<STRING, INT>", 0, "unsupported type 'MAP'");
	parse_error(false, "BIGINT x", 7, "expected the end of the type, got 'x'");
	parse_error(false, "", 0, "expected a type, got end of input");
	parse_error(false, "ARRAY STRING", 6, "expected '<', got 'STRING'");
	parse_error(false, "STRUCT<a: INT,>", 14, "expected a field name, got '>'");
	parse_error(false, "STRUCT<a: frobnicate>", 10, "unknown type 'frobnicate'");
	parse_error(false, "STRUCT<a: INT NOT 1>", 18, "expected NULL after NOT, got '1'");
	parse_error(true, "a BIGINT, a STRING", 10, "duplicate field name 'a'");
	parse_error(true, "a BIGINT b STRING", 9, "expected ',' or the end of the schema, got 'b'");
	parse_error(true, "a BIGINT,", 9, "expected a field name, got end of input");
	parse_error(true, "id BIGINT, `oops STRING", 11, "unterminated backquoted name");
	parse_error(true, "id", 2, "expected a type, got end of input");
	parse_error(true, "x ARRAY<INT", 11, "expected '>', got end of input");
}

static void test_schema(void)
{
	sl_schema *s = NULL;
	sl_error err;
	sl_type *c;

	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("a STRING, b STRUCT<c: BIGINT>", &s, &err), SL_OK);
	CU_ASSERT_EQUAL(s->id, SL_TYPE_STRUCT);
	CU_ASSERT_STRING_EQUAL(test_type_str(s), "STRUCT<a: STRING, b: STRUCT<c: BIGINT>>");
	sl_type_unref(s);
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("a: string, `weird name` int", &s, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(s->fields[1].name, "weird name");
	CU_ASSERT_EQUAL(s->fields[1].type->id, SL_TYPE_INT64);
	sl_type_unref(s);
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("STRUCT<a: INT>", &s, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(test_type_str(s), "STRUCT<a: BIGINT>");
	sl_type_unref(s);
	CU_ASSERT_EQUAL_FATAL(sl_schema_parse("struct STRING", &s, &err), SL_OK); /* a column */
	CU_ASSERT_STRING_EQUAL(s->fields[0].name, "struct");
	sl_type_unref(s);

	CU_ASSERT_EQUAL_FATAL(
	    sl_schema_parse("user_name STRING, A BIGINT, a DOUBLE, ts TIMESTAMP", &s, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_schema_find(s, "user_name"), 0);
	CU_ASSERT_EQUAL(sl_schema_find(s, "USER_NAME"), 0);
	CU_ASSERT_EQUAL(sl_schema_find(s, "A"), 1);
	CU_ASSERT_EQUAL(sl_schema_find(s, "a"), 2);
	CU_ASSERT_EQUAL(sl_schema_find(s, "TS"), 3);
	CU_ASSERT_EQUAL(sl_schema_find(s, "t"), -1);
	CU_ASSERT_EQUAL(sl_schema_find(s, "user"), -1);
	CU_ASSERT_EQUAL(sl_schema_findn(s, "tsX", 2), 3);
	CU_ASSERT_EQUAL(sl_schema_findn(s, "user_name.x", 9), 0);
	CU_ASSERT_EQUAL(sl_schema_find(NULL, "a"), -1);
	CU_ASSERT_STRING_EQUAL(sl_schema_suggest(s, "usr_name"), "user_name");
	CU_ASSERT_STRING_EQUAL(sl_schema_suggest(s, "User_Nam"), "user_name");
	CU_ASSERT_PTR_NULL(sl_schema_suggest(s, "completely_different"));
	c = s->fields[3].type;
	CU_ASSERT_EQUAL(c->refcount, -1);
	sl_type_unref(s);
}

static void good_duration(const char *text, int64_t us)
{
	int64_t v = -12345;
	sl_error err;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_parse_duration(text, &v, &err), SL_OK);
	CU_ASSERT_EQUAL(v, us);
	if (v != us)
		fprintf(stderr, "duration '%s' = %lld (%s)\n", text, (long long)v, err.msg);
}

static void bad_duration(const char *text, const char *needle)
{
	int64_t v = -12345;
	sl_error err;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_parse_duration(text, &v, &err), SL_EINVAL);
	CU_ASSERT_EQUAL(v, -12345);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
	if (strstr(err.msg, needle) == NULL)
		fprintf(stderr, "duration '%s': '%s' lacks '%s'\n", text, err.msg, needle);
}

static void test_durations(void)
{
	good_duration("250ms", 250000);
	good_duration("250 ms", 250000);
	good_duration("1s", 1000000);
	good_duration("1.5 seconds", 1500000);
	good_duration("1 second", 1000000);
	good_duration("30 minutes", 1800000000LL);
	good_duration("1 minute", 60000000);
	good_duration("5m", 300000000);
	good_duration("5min", 300000000);
	good_duration("2h", 7200000000LL);
	good_duration("1 hour", 3600000000LL);
	good_duration("3 HOURS", 10800000000LL);
	good_duration("1 day", 86400000000LL);
	good_duration("2days", 172800000000LL);
	good_duration("10us", 10);
	good_duration("7 microseconds", 7);
	good_duration("0", 0);
	good_duration(" 0 ", 0);
	good_duration("0s", 0);
	good_duration("0.5ms", 500);
	good_duration("1h 30m", 5400000000LL);
	good_duration("1 minute 30 seconds", 90000000);
	good_duration("  45 s  ", 45000000);
	bad_duration("", "expected a duration");
	bad_duration("abc", "got 'abc'");
	bad_duration("-1s", "negative duration");
	bad_duration("10", "needs a unit");
	bad_duration("10 parsecs", "unknown unit 'parsecs'");
	bad_duration("1s garbage", "unexpected 'garbage'");
	bad_duration("1.s", "got '1.s'");
	bad_duration("1s,", "unexpected");
	bad_duration("99999999999999999999s", "too large");
	bad_duration("9999999999 days", "too large");
	bad_duration(NULL, "got nothing");
}

static void good_size(const char *text, int64_t bytes)
{
	int64_t v = -1;

	CU_ASSERT_EQUAL(sl_parse_size(text, &v, NULL), SL_OK);
	CU_ASSERT_EQUAL(v, bytes);
	if (v != bytes)
		fprintf(stderr, "size '%s' = %lld\n", text, (long long)v);
}

static void bad_size(const char *text, const char *needle)
{
	int64_t v = -1;
	sl_error err;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(sl_parse_size(text, &v, &err), SL_EINVAL);
	CU_ASSERT_EQUAL(v, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, needle));
	if (strstr(err.msg, needle) == NULL)
		fprintf(stderr, "size '%s': '%s' lacks '%s'\n", text, err.msg, needle);
}

static void test_sizes(void)
{
	good_size("64", 64);
	good_size("0", 0);
	good_size("64k", 65536);
	good_size("64K", 65536);
	good_size("64KB", 65536);
	good_size("64 kb", 65536);
	good_size("10MB", 10485760);
	good_size("1GiB", 1073741824);
	good_size("1G", 1073741824);
	good_size("1.5k", 1536);
	good_size("2 TB", 2199023255552LL);
	good_size("100B", 100);
	good_size("3 bytes", 3);
	good_size(" 8 ", 8);
	bad_size("", "expected a size");
	bad_size("big", "got 'big'");
	bad_size("-5k", "negative size");
	bad_size("5 kg", "unknown unit 'kg'");
	bad_size("5 k b", "got '5 k b'");
	bad_size("99999999999 PB", "too large");
}

static void test_edit_distance(void)
{
	static const char *const names[] = {"host", "port", "path", "timeout"};

	CU_ASSERT_EQUAL(sl_edit_distance("kitten", "sitting", 10), 3);
	CU_ASSERT_EQUAL(sl_edit_distance("kitten", "sitting", 2), 3); /* capped: limit + 1 */
	CU_ASSERT_EQUAL(sl_edit_distance("", "", 3), 0);
	CU_ASSERT_EQUAL(sl_edit_distance("", "abc", 5), 3);
	CU_ASSERT_EQUAL(sl_edit_distance("abc", "", 5), 3);
	CU_ASSERT_EQUAL(sl_edit_distance("same", "same", 0), 0);
	CU_ASSERT_EQUAL(sl_edit_distance("abc", "xyzuvw", 1), 2);
	CU_ASSERT_EQUAL(sl_edit_distance("Host", "host", 3), 1); /* case counts here */
	CU_ASSERT_EQUAL(sl_edit_distance("flaw", "lawn", 5), 2);
	{
		char a[200], b[200];

		memset(a, 'a', 199);
		a[199] = '\0';
		memcpy(b, a, sizeof(a));
		b[100] = 'b';
		CU_ASSERT_EQUAL(sl_edit_distance(a, b, 300), 1);
	}
	CU_ASSERT_STRING_EQUAL(sl_did_you_mean("hots", names, 4), "host");
	CU_ASSERT_STRING_EQUAL(sl_did_you_mean("HOST", names, 4), "host");
	CU_ASSERT_STRING_EQUAL(sl_did_you_mean("timout", names, 4), "timeout");
	CU_ASSERT_STRING_EQUAL(sl_did_you_mean("prot", names, 4), "port");
	CU_ASSERT_PTR_NULL(sl_did_you_mean("xyzzy", names, 4));
	CU_ASSERT_PTR_NULL(sl_did_you_mean("h", names, 4));
	CU_ASSERT_PTR_NULL(sl_did_you_mean("host", names, 0));
}

static void test_error_strbuf(void)
{
	sl_error err;
	sl_strbuf sb = {0};
	int i;

	sl_error_clear(&err);
	CU_ASSERT_EQUAL(err.code, SL_OK);
	CU_ASSERT_EQUAL(err.pos, -1);
	CU_ASSERT_EQUAL(sl_error_set(&err, SL_EIO, "cannot open '%s'", "x.txt"), SL_EIO);
	CU_ASSERT_STRING_EQUAL(err.msg, "cannot open 'x.txt'");
	CU_ASSERT_EQUAL(err.code, SL_EIO);
	CU_ASSERT_EQUAL(sl_error_at(&err, SL_EINVAL, "port", 3, "bad %d", 7), SL_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.option, "port");
	CU_ASSERT_EQUAL(err.pos, 3);
	sl_error_prefix(&err, "stage '%s'", "in");
	CU_ASSERT_STRING_EQUAL(err.msg, "stage 'in': bad 7");
	CU_ASSERT_EQUAL(err.pos, 3);
	CU_ASSERT_EQUAL(err.code, SL_EINVAL);
	CU_ASSERT_EQUAL(sl_error_set(NULL, SL_ENOMEM, "x"), SL_ENOMEM);
	sl_error_prefix(NULL, "x");
	{
		char long_msg[700];

		memset(long_msg, 'x', sizeof(long_msg) - 1);
		long_msg[sizeof(long_msg) - 1] = '\0';
		sl_error_set(&err, SL_ERR, "%s", long_msg);
		CU_ASSERT_EQUAL(strlen(err.msg), SL_ERROR_MAX - 1);
		sl_error_prefix(&err, "p");
		CU_ASSERT_EQUAL(strlen(err.msg), SL_ERROR_MAX - 1);
		CU_ASSERT_EQUAL(strncmp(err.msg, "p: xxx", 6), 0);
	}
	CU_ASSERT_STRING_EQUAL(sl_strerror(SL_ENOMEM), "out of memory");
	CU_ASSERT_STRING_EQUAL(sl_strerror(SL_EOF), "end of input");
	CU_ASSERT_STRING_EQUAL(sl_strerror(-99), "unknown status");

	CU_ASSERT_EQUAL(sl_strbuf_puts(&sb, "ab"), SL_OK);
	CU_ASSERT_EQUAL(sl_strbuf_append(&sb, "cdef", 2), SL_OK);
	CU_ASSERT_EQUAL(sl_strbuf_printf(&sb, "-%d-%s", 42, "z"), SL_OK);
	CU_ASSERT_STRING_EQUAL(sb.buf, "abcd-42-z");
	CU_ASSERT_EQUAL(sb.len, 9);
	sl_strbuf_reset(&sb);
	CU_ASSERT_EQUAL(sb.len, 0);
	CU_ASSERT_STRING_EQUAL(sb.buf, "");
	for (i = 0; i < 1000; i++)
		sl_strbuf_printf(&sb, "%04d", i);
	CU_ASSERT_EQUAL(sb.len, 4000);
	CU_ASSERT_EQUAL(strncmp(sb.buf + 3996, "0999", 4), 0);
	sl_strbuf_free(&sb);
	CU_ASSERT_PTR_NULL(sb.buf);
	CU_ASSERT_EQUAL(sl_strbuf_append(&sb, "", 0), SL_OK);
	CU_ASSERT_STRING_EQUAL(sb.buf, "");
	sl_strbuf_free(&sb);
}

/* --- host conveniences --- */

struct fake_stage {
	sl_stage st; /* first: the host table pointer */
	char last[256];
	int level;
	int64_t metric;
	int stop;
};

static void fake_logv(sl_stage *st, sl_log_level level, const char *fmt, va_list ap)
{
	struct fake_stage *f = (struct fake_stage *)st;

	f->level = (int)level;
	vsnprintf(f->last, sizeof(f->last), fmt, ap);
}

static void fake_metric(sl_stage *st, const char *name, int64_t delta)
{
	struct fake_stage *f = (struct fake_stage *)st;

	if (strcmp(name, "rowsDropped") == 0)
		f->metric += delta;
}

static int fake_stopping(sl_stage *st)
{
	return ((struct fake_stage *)st)->stop;
}

static void test_stage(void)
{
	sl_host host;
	struct fake_stage f;
	sl_stage bare = {NULL};

	memset(&host, 0, sizeof(host));
	memset(&f, 0, sizeof(f));
	host.size = sizeof(host);
	host.logv = fake_logv;
	host.metric_add = fake_metric;
	host.stopping = fake_stopping;
	f.st.host = &host;
	sl_log(&f.st, SL_LOG_WARN, "dropped %d rows", 3);
	CU_ASSERT_STRING_EQUAL(f.last, "dropped 3 rows");
	CU_ASSERT_EQUAL(f.level, SL_LOG_WARN);
	sl_metric_add(&f.st, "rowsDropped", 3);
	sl_metric_add(&f.st, "rowsDropped", 2);
	CU_ASSERT_EQUAL(f.metric, 5);
	CU_ASSERT_EQUAL(sl_stopping(&f.st), 0);
	f.stop = 1;
	CU_ASSERT_EQUAL(sl_stopping(&f.st), 1);
	/* NULL-safe: stderr, no crash */
	sl_log(NULL, SL_LOG_DEBUG, "test_sdk: sl_log without a stage (expected output) %s", "ok");
	sl_log(&bare, SL_LOG_DEBUG, "test_sdk: sl_log without a host (expected output)");
	sl_metric_add(NULL, "x", 1);
	sl_metric_add(&bare, "x", 1);
	CU_ASSERT_EQUAL(sl_stopping(NULL), 0);
	CU_ASSERT_EQUAL(sl_stopping(&bare), 0);
	/* a host too old to have a member is not called */
	host.size = 8;
	f.last[0] = '\0';
	sl_log(&f.st, SL_LOG_DEBUG, "test_sdk: old host (expected output)");
	CU_ASSERT_STRING_EQUAL(f.last, "");
}

int test_sdk_add_type(void)
{
	static const test_case types[] = {
	    {"format and parse", test_type_format_parse},
	    {"build and equality", test_type_build},
	    {"parse errors", test_type_parse_errors},
	    {"schema parse and lookup", test_schema},
	    {NULL, NULL},
	};
	static const test_case common[] = {
	    {"durations", test_durations},         {"sizes", test_sizes},
	    {"edit distance", test_edit_distance}, {"error and strbuf", test_error_strbuf},
	    {"host conveniences", test_stage},     {NULL, NULL},
	};

	if (test_add_suite("type", types) < 0 || test_add_suite("common", common) < 0)
		return -1;
	return 0;
}
