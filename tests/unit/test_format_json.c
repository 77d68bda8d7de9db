/* test_format_json.c - the JSON decoder and JSON schema inference. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_format.h"

#define INVOICE_DDL                                                                                \
	"InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, "                 \
	"CashierID STRING, CustomerType STRING, CustomerCardNo STRING, TotalAmount DOUBLE, "       \
	"NumberOfItems BIGINT, PaymentMethod STRING, TaxableAmount DOUBLE, CGST DOUBLE, "          \
	"SGST DOUBLE, CESS DOUBLE, DeliveryType STRING, "                                          \
	"DeliveryAddress STRUCT<AddressLine: STRING, City: STRING, State: STRING, "                \
	"PinCode: STRING, ContactNumber: STRING>, "                                                \
	"InvoiceLineItems ARRAY<STRUCT<ItemCode: STRING, ItemDescription: STRING, "                \
	"ItemPrice: DOUBLE, ItemQty: BIGINT, TotalValue: DOUBLE>>"

static sl_batch *json(const char *ddl, const sl_format_options *o, const char *text,
                      sl_decoder_stats *st, tf_bad *bad, int *rc)
{
	return tf_decode(SL_FORMAT_JSON, ddl, o, text, strlen(text), 0, st, bad, rc);
}

/* A UTF-8 byte-order mark at the start is skipped, in any chunking, and
 * positions still count it. */
static void test_bom(void)
{
	const char *text = "\xEF\xBB\xBF{\"a\": 1}\nnope\n{\"a\": 3}\n";
	sl_format_options o;

	sl_format_options_init(&o);
	for (size_t chunk = 0; chunk <= 4; chunk++) {
		sl_decoder_stats st;
		tf_bad bad;
		sl_batch *b = tf_decode(SL_FORMAT_JSON, "a BIGINT", &o, text, strlen(text), chunk, &st,
		                        &bad, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		TF_STREQ(tf_rows(b), "{\"a\":1}\n{\"a\":null}\n{\"a\":3}\n");
		CU_ASSERT_EQUAL(bad.n, 1);
		CU_ASSERT_EQUAL(bad.first_offset, 12);
		CU_ASSERT_EQUAL(st.bytes, (int64_t)strlen(text));
		sl_batch_unref(b);
	}
}

/* Decodes text and compares the rows' JSON with want. */
static void check(const char *ddl, const char *text, const char *want)
{
	sl_batch *b = json(ddl, NULL, text, NULL, NULL, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	TF_STREQ(tf_rows(b), want);
	if (strcmp(tf_rows(b), want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", tf_rows(b), want);
	sl_batch_unref(b);
}

static void test_types(void)
{
	check("s STRING, i BIGINT, d DOUBLE, b BOOLEAN, t TIMESTAMP, x BINARY",
	      "{\"s\":\"hi\",\"i\":-42,\"d\":2.5,\"b\":true,\"t\":\"2020-07-25T14:55:00.348Z\","
	      "\"x\":\"aGVsbG8=\"}\n"
	      "{\"i\":9223372036854775807,\"d\":-1e3,\"b\":false,\"t\":1595688900}\n"
	      "{\"s\":null,\"i\":null,\"d\":7,\"t\":\"2020-07-25 16:55:00+02:00\"}\n",
	      "{\"s\":\"hi\",\"i\":-42,\"d\":2.5,\"b\":true,\"t\":\"2020-07-25T14:55:00.348Z\","
	      "\"x\":\"aGVsbG8=\"}\n"
	      "{\"s\":null,\"i\":9223372036854775807,\"d\":-1000.0,\"b\":false,"
	      "\"t\":\"2020-07-25T14:55:00.000Z\",\"x\":null}\n"
	      "{\"s\":null,\"i\":null,\"d\":7.0,\"b\":null,\"t\":\"2020-07-25T14:55:00.000Z\","
	      "\"x\":null}\n");
}

static void test_nested(void)
{
	check("a STRUCT<b: BIGINT, c: ARRAY<STRING>>, l ARRAY<ARRAY<BIGINT>>, "
	      "m ARRAY<STRUCT<k: STRING>>",
	      "{\"zz\":{\"deep\":[1,{\"x\":[]}]},\"a\":{\"c\":[\"x\",null,\"y\"],\"b\":1},"
	      "\"l\":[[1,2],[],null,[3]],\"m\":[{\"k\":\"v\",\"u\":0},{},null]}\n"
	      "{\"a\":null,\"l\":[],\"m\":null}\n"
	      "{}\n",
	      "{\"a\":{\"b\":1,\"c\":[\"x\",null,\"y\"]},\"l\":[[1,2],[],null,[3]],"
	      "\"m\":[{\"k\":\"v\"},{\"k\":null},null]}\n"
	      "{\"a\":null,\"l\":[],\"m\":null}\n"
	      "{\"a\":null,\"l\":null,\"m\":null}\n");
}

static void test_conversions(void)
{
	/* numbers, booleans, objects and arrays into a STRING column give their
	 * JSON text (floats as Java prints them); NaN and Infinity strings
	 * into DOUBLE; a whole number into TIMESTAMP is seconds */
	check("s STRING, d DOUBLE, t TIMESTAMP",
	      "{\"s\":7,\"d\":\"NaN\",\"t\":0}\n"
	      "{\"s\":1.50,\"d\":\"-Infinity\"}\n"
	      "{\"s\":1e2}\n"
	      "{\"s\":true}\n"
	      "{\"s\":{\"a\": [1, \"x y\"] , \"b\":null}}\n"
	      "{\"s\":[ ]}\n",
	      "{\"s\":\"7\",\"d\":\"NaN\",\"t\":\"1970-01-01T00:00:00.000Z\"}\n"
	      "{\"s\":\"1.5\",\"d\":\"-Infinity\",\"t\":null}\n"
	      "{\"s\":\"100.0\",\"d\":null,\"t\":null}\n"
	      "{\"s\":\"true\",\"d\":null,\"t\":null}\n"
	      "{\"s\":\"{\\\"a\\\":[1,\\\"x y\\\"],\\\"b\\\":null}\",\"d\":null,\"t\":null}\n"
	      "{\"s\":\"[]\",\"d\":null,\"t\":null}\n");
}

static void test_escapes_utf8(void)
{
	sl_decoder_stats st;
	tf_bad bad;
	sl_batch *b;

	check("s STRING",
	      "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}\n"
	      "{\"s\":\"\\u00e9\\u20AC \\ud83d\\ude00 \\ud800x \\udc00\"}\n"
	      "{\"s\":\"h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80\"}\n"
	      "{\"s\":'single \"quoted\"'}\n",
	      "{\"s\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\"}\n"
	      "{\"s\":\"\xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbdx \xef\xbf\xbd\"}\n"
	      "{\"s\":\"h\xc3\xa9llo w\xc3\xb6rld \xf0\x9f\x98\x80\"}\n"
	      "{\"s\":\"single \\\"quoted\\\"\"}\n");
	/* invalid UTF-8, a bad escape, a raw control character: malformed */
	b = json(
	    "s STRING", NULL,
	    "{\"s\":\"ab\xc3(\"}\n{\"s\":\"\\x\"}\n{\"s\":\"a\tb\"}\n{\"s\":\"\xed\xa0\x80\"}\n",
	    &st, &bad, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(st.bad, 4);
	TF_STREQ(bad.text, "1:9:s:invalid UTF-8 in a string\n"
	                   "2:8:s:invalid escape in a string, got 'x'\n"
	                   "3:8:s:control character 0x09 in a string\n"
	                   "4:7:s:invalid UTF-8 in a string");
	TF_STREQ(tf_rows(b), "{\"s\":null}\n{\"s\":null}\n{\"s\":null}\n{\"s\":null}\n");
	sl_batch_unref(b);
}

#define MODES_INPUT                                                                                \
	"{\"id\":1,\"name\":\"a\"}\n"                                                              \
	"{\"id\":2,\"name\":\"b\"\n"                                                               \
	"\n"                                                                                       \
	"{\"id\":\"three\",\"name\":\"c\"}\n"                                                      \
	"{\"id\":4,\"name\":\"d\"}"

static void test_modes(void)
{
	const char *ddl = "id BIGINT, name STRING, _corrupt_record STRING";
	sl_format_options o;
	sl_decoder_stats st;
	tf_bad bad;
	sl_batch *b;
	int rc;

	sl_format_options_init(&o);
	b = json(ddl, &o, MODES_INPUT, &st, &bad, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	TF_STREQ(tf_rows(b), "{\"id\":1,\"name\":\"a\",\"_corrupt_record\":null}\n"
	                     "{\"id\":null,\"name\":null,\"_corrupt_record\":\"{\\\"id\\\":2,"
	                     "\\\"name\\\":\\\"b\\\"\"}\n"
	                     "{\"id\":null,\"name\":\"c\",\"_corrupt_record\":\"{\\\"id\\\":"
	                     "\\\"three\\\",\\\"name\\\":\\\"c\\\"}\"}\n"
	                     "{\"id\":4,\"name\":\"d\",\"_corrupt_record\":null}\n");
	TF_STREQ(bad.text, "2:19:-:expected ',' or '}', got the end of the record\n"
	                   "4:7:id:cannot convert a string to BIGINT");
	CU_ASSERT_EQUAL(st.records, 4);
	CU_ASSERT_EQUAL(st.rows, 4);
	CU_ASSERT_EQUAL(st.bad, 2);
	CU_ASSERT_EQUAL(st.dropped, 0);
	CU_ASSERT_EQUAL(bad.first_offset, 20);
	CU_ASSERT_EQUAL(bad.first_err_offset, 38);
	CU_ASSERT_EQUAL(bad.first_record, 2);
	sl_batch_unref(b);

	o.mode = SL_PARSE_DROPMALFORMED;
	b = json(ddl, &o, MODES_INPUT, &st, &bad, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	TF_STREQ(tf_rows(b), "{\"id\":1,\"name\":\"a\",\"_corrupt_record\":null}\n"
	                     "{\"id\":4,\"name\":\"d\",\"_corrupt_record\":null}\n");
	CU_ASSERT_EQUAL(st.bad, 2);
	CU_ASSERT_EQUAL(st.dropped, 2);
	CU_ASSERT_EQUAL(bad.n, 2);
	sl_batch_unref(b);

	o.mode = SL_PARSE_FAILFAST;
	b = json(ddl, &o, MODES_INPUT, &st, &bad, &rc);
	CU_ASSERT_EQUAL(rc, SL_EINVAL);
	TF_STREQ(bad.text, "2:19:-:expected ',' or '}', got the end of the record\n"
	                   "ERROR malformed record at line 2, column 19 (byte 38): "
	                   "expected ',' or '}', got the end of the record");
	TF_STREQ(tf_rows(b), "{\"id\":1,\"name\":\"a\",\"_corrupt_record\":null}\n");
	sl_batch_unref(b);

	/* without a corrupt column PERMISSIVE still keeps the row */
	sl_format_options_init(&o);
	b = json("id BIGINT", &o, "{\"id\":1.5}\n[1]\n", &st, &bad, &rc);
	TF_STREQ(tf_rows(b), "{\"id\":null}\n{\"id\":null}\n");
	TF_STREQ(bad.text, "1:7:id:cannot convert a fractional number to BIGINT\n"
	                   "2:2:-:expected an object in the array, got '1'");
	sl_batch_unref(b);
}

static void test_chunks_positions(void)
{
	const char *text = "{\"a\":1}\r\n{\"a\":2}\n\n  \n{\"a\":x}\n{\"a\":\n3}\n{\"a\":4}";
	size_t chunk;
	char first[8192] = "";

	for (chunk = 1; chunk <= 9; chunk++) {
		sl_decoder_stats st;
		tf_bad bad;
		sl_batch *b = tf_decode(SL_FORMAT_JSON, "a BIGINT", NULL, text, strlen(text), chunk,
		                        &st, &bad, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		TF_STREQ(tf_rows(b), "{\"a\":1}\n{\"a\":2}\n{\"a\":null}\n{\"a\":null}\n"
		                     "{\"a\":null}\n{\"a\":4}\n");
		CU_ASSERT_EQUAL(st.bytes, (int64_t)strlen(text));
		if (chunk == 1)
			strcpy(first, bad.text);
		TF_STREQ(bad.text, first);
		sl_batch_unref(b);
	}
	TF_STREQ(first, "5:6:a:expected a value, got 'x'\n"
	                "6:6:a:expected a value, got the end of the record\n"
	                "7:1:-:expected a JSON object, got '3'");
}

static void test_top_arrays_duplicates(void)
{
	check("a BIGINT, b STRING",
	      "[{\"a\":1},{\"a\":2,\"b\":\"x\"}]\n[]\n{\"a\":1,\"b\":\"x\",\"a\":5,\"b\":null}\n"
	      "{\"b\":{\"q\":1},\"b\":\"last\"}\n",
	      "{\"a\":1,\"b\":null}\n{\"a\":2,\"b\":\"x\"}\n{\"a\":5,\"b\":null}\n"
	      "{\"a\":null,\"b\":\"last\"}\n");
}

static void test_options(void)
{
	sl_format_options o;
	sl_error err;
	tf_bad bad;
	sl_batch *b;

	sl_format_options_init(&o);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "allowComments", "true", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "ALLOWUNQUOTEDFIELDNAMES", "yes", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "allowComent", "true", &err), SL_ENOTFOUND);
	TF_STREQ(err.msg, "unknown format option 'allowComent' (did you mean 'allowComments'?)");
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "mode", "sometimes", &err), SL_EINVAL);
	b = json("a BIGINT, b STRING", &o, "{a: 1, /* c */ b: 'x'} // end\n", NULL, &bad, NULL);
	TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"x\"}\n");
	CU_ASSERT_EQUAL(bad.n, 0);
	sl_batch_unref(b);
	/* defaults: no leading zeros, no single quotes when disabled */
	sl_format_options_init(&o);
	o.allow_single_quotes = false;
	b = json("a BIGINT, b STRING", &o, "{\"a\":007}\n{\"b\":'x'}\n", NULL, &bad, NULL);
	TF_STREQ(bad.text, "1:6:a:leading zeros in a number\n"
	                   "2:6:b:expected a value, got '''");
	sl_batch_unref(b);
}

static void test_depth(void)
{
	char text[2000];
	tf_bad bad;
	sl_batch *b;
	int i, n = 0;

	n += sprintf(text + n, "{\"a\":");
	for (i = 0; i < 300; i++)
		text[n++] = '[';
	for (i = 0; i < 300; i++)
		text[n++] = ']';
	strcpy(text + n, "}\n{\"a\":1}\n");
	b = json("a BIGINT", NULL, text, NULL, &bad, NULL);
	CU_ASSERT_EQUAL(bad.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(bad.text, "nested too deeply"));
	TF_STREQ(tf_rows(b), "{\"a\":null}\n{\"a\":1}\n");
	sl_batch_unref(b);
}

static void test_one_record(void)
{
	sl_schema *s = tf_schema("a BIGINT, b STRUCT<c: STRING>");
	sl_decoder *d;
	sl_error err;
	sl_array *st;

	CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_JSON, s, NULL, &d, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "{\"a\":1,\n\"b\":{\"c\":\"x\"}}", 22, &err),
	                0);
	CU_ASSERT_EQUAL(sl_decoder_append_null(d), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "{\"a\":", 5, &err), SL_EOF);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "  {}  ", 6, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_rows(d), 4);
	CU_ASSERT_EQUAL(sl_decoder_take_struct(d, &st, &err), 0);
	CU_ASSERT_EQUAL(st->length, 4);
	CU_ASSERT_EQUAL(st->null_count, 1);
	CU_ASSERT_TRUE(sl_array_is_null(st, 1));
	CU_ASSERT_FALSE(sl_array_is_null(st, 2));
	CU_ASSERT_TRUE(sl_array_is_null(st->children[0], 2));
	CU_ASSERT_EQUAL(sl_array_i64(st->children[0])[0], 1);
	CU_ASSERT_EQUAL(sl_array_validate(st, &err), 0);
	sl_array_unref(st);
	CU_ASSERT_EQUAL(sl_decoder_rows(d), 0);
	sl_decoder_free(d);
	sl_type_unref(s);
}

static void test_invoices(void)
{
	char *path = tf_seed_path("02-FileStreamDemo/SampleData/Invoice-set1.json");
	sl_decoder_stats st;
	tf_bad bad;
	size_t len;
	char *text;
	sl_batch *b;
	const sl_array *items, *addr;
	int64_t i, home = 0;

	if (path == NULL) {
		fprintf(stderr, "(SLUICE_SEED_DIR missing: seed test skipped) ");
		return;
	}
	text = tf_read_file(path, &len);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	b = tf_decode(SL_FORMAT_JSON, INVOICE_DDL, NULL, text, len, 65536, &st, &bad, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->n_rows, 500);
	CU_ASSERT_EQUAL(st.records, 500);
	CU_ASSERT_EQUAL(st.bad, 0);
	CU_ASSERT_EQUAL(st.bytes, 353235);
	items = sl_batch_column(b, "InvoiceLineItems");
	addr = sl_batch_column(b, "DeliveryAddress");
	CU_ASSERT_EQUAL(items->children[0]->length, 1249);
	CU_ASSERT_EQUAL(items->null_count, 0);
	CU_ASSERT_EQUAL(addr->null_count, 181);
	for (i = 0; i < b->n_rows; i++) {
		sl_strview v = sl_array_str(sl_batch_column(b, "DeliveryType"), i);

		home += v.len == 13 && memcmp(v.ptr, "HOME-DELIVERY", 13) == 0;
	}
	CU_ASSERT_EQUAL(home, 500 - 181);
	CU_ASSERT_EQUAL(sl_array_i64(sl_batch_column(b, "CreatedTime"))[0], 1595688900348LL);
	{
		sl_strview v = sl_array_str(addr->children[1], 1);

		CU_ASSERT_EQUAL(v.len, 9);
		CU_ASSERT_NSTRING_EQUAL(v.ptr, "Shivapuri", 9);
	}
	sl_batch_unref(b);
	free(text);
}

static const char *infer(const char *text, const sl_format_options *o)
{
	static sl_strbuf sb;
	static sl_error err;
	sl_schema *s = NULL;

	sl_strbuf_reset(&sb);
	if (sl_schema_infer(SL_FORMAT_JSON, text, strlen(text), o, &s, &err) < 0)
		return err.msg;
	sl_type_format(s, &sb);
	sl_type_unref(s);
	return sb.buf;
}

static void test_infer_rules(void)
{
	sl_format_options o;

	TF_STREQ(infer("{\"b\":1,\"a\":\"x\",\"n\":null,\"l\":[1,2.5],\"e\":[],\"s\":{\"z\":1,"
	               "\"y\":true}}\n"
	               "{\"b\":2.5,\"a\":3,\"s\":{\"x\":[{\"q\":1}]},\"l\":[]}\n"
	               "[{\"c\":false}]\n",
	               NULL),
	         "STRUCT<a: STRING, b: DOUBLE, c: BOOLEAN, e: ARRAY<STRING>, l: ARRAY<DOUBLE>, "
	         "n: STRING, s: STRUCT<x: ARRAY<STRUCT<q: BIGINT>>, y: BOOLEAN, z: BIGINT>>");
	TF_STREQ(infer("{\"a\":1}\nnot json\n42\n", NULL),
	         "STRUCT<_corrupt_record: STRING, a: BIGINT>");
	sl_format_options_init(&o);
	o.mode = SL_PARSE_DROPMALFORMED;
	o.drop_field_if_all_null = true;
	TF_STREQ(infer("{\"a\":1,\"n\":null}\nnot json\n", &o), "STRUCT<a: BIGINT>");
	o.mode = SL_PARSE_FAILFAST;
	TF_STREQ(infer("{\"a\":1}\n\nnot json\n", &o),
	         "malformed record at line 3: invalid token near 'not'");
	sl_format_options_init(&o);
	o.primitives_as_string = true;
	TF_STREQ(infer("{\"a\":1,\"b\":[true]}", &o), "STRUCT<a: STRING, b: ARRAY<STRING>>");
}

static void test_infer_invoices(void)
{
	char *path = tf_seed_path("02-FileStreamDemo/SampleData/Invoice-set1.json");
	sl_inferrer *inf;
	sl_schema *s;
	sl_strbuf sb = {0};
	sl_error err;
	size_t len, off;
	char *text;

	if (path == NULL)
		return;
	text = tf_read_file(path, &len);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL_FATAL(sl_inferrer_new(SL_FORMAT_JSON, NULL, &inf, &err), 0);
	for (off = 0; off < len; off += 1000)
		CU_ASSERT_EQUAL(
		    sl_inferrer_feed(inf, text + off, len - off < 1000 ? len - off : 1000, &err),
		    0);
	CU_ASSERT_EQUAL_FATAL(sl_inferrer_finish(inf, &s, &err), 0);
	sl_type_format(s, &sb);
	TF_STREQ(sb.buf,
	         "STRUCT<CESS: DOUBLE, CGST: DOUBLE, CashierID: STRING, CreatedTime: BIGINT, "
	         "CustomerCardNo: STRING, CustomerType: STRING, DeliveryAddress: "
	         "STRUCT<AddressLine: STRING, City: STRING, ContactNumber: STRING, PinCode: "
	         "STRING, State: STRING>, DeliveryType: STRING, InvoiceLineItems: "
	         "ARRAY<STRUCT<ItemCode: STRING, ItemDescription: STRING, ItemPrice: DOUBLE, "
	         "ItemQty: BIGINT, TotalValue: DOUBLE>>, InvoiceNumber: STRING, NumberOfItems: "
	         "BIGINT, PaymentMethod: STRING, PosID: STRING, SGST: DOUBLE, StoreID: STRING, "
	         "TaxableAmount: DOUBLE, TotalAmount: DOUBLE>");
	/* the inferred schema decodes the file */
	{
		sl_decoder *d;
		sl_batch *b;

		CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_JSON, s, NULL, &d, &err), 0);
		CU_ASSERT_EQUAL(sl_decoder_feed(d, text, len, &err), 0);
		CU_ASSERT_EQUAL(sl_decoder_finish(d, &err), 0);
		CU_ASSERT_EQUAL(sl_decoder_take(d, &b, &err), 0);
		CU_ASSERT_EQUAL(b->n_rows, 500);
		sl_batch_unref(b);
		sl_decoder_free(d);
	}
	sl_strbuf_free(&sb);
	sl_type_unref(s);
	sl_inferrer_free(inf);
	free(text);
}

static void test_decoder_errors(void)
{
	sl_schema *s = tf_schema("_corrupt_record BIGINT");
	sl_format_options o;
	sl_decoder *d = NULL;
	sl_error err;

	CU_ASSERT_EQUAL(sl_decoder_new(SL_FORMAT_JSON, s, NULL, &d, &err), SL_EINVAL);
	TF_STREQ(err.msg, "the corrupt-record column '_corrupt_record' must be a STRING");
	CU_ASSERT_PTR_NULL(d);
	CU_ASSERT_EQUAL(sl_decoder_new(SL_FORMAT_JSON, NULL, NULL, &d, &err), SL_EINVAL);
	sl_format_options_init(&o);
	o.timestamp_format = "yyyy-MM-dd Q";
	sl_type_unref(s);
	s = tf_schema("t TIMESTAMP");
	CU_ASSERT_EQUAL(sl_decoder_new(SL_FORMAT_JSON, s, &o, &d, &err), SL_EINVAL);
	/* a timestampFormat pattern, with the lenient form as a fallback */
	o.timestamp_format = "dd/MM/yyyy HH:mm";
	{
		sl_batch *b = json("t TIMESTAMP", &o,
		                   "{\"t\":\"25/07/2020 14:55\"}\n"
		                   "{\"t\":\"2020-07-25T14:56:00Z\"}\n{\"t\":\"x\"}\n",
		                   NULL, NULL, NULL);

		TF_STREQ(tf_rows(b), "{\"t\":\"2020-07-25T14:55:00.000Z\"}\n"
		                     "{\"t\":\"2020-07-25T14:56:00.000Z\"}\n"
		                     "{\"t\":null}\n");
		sl_batch_unref(b);
	}
	sl_type_unref(s);
}

int tf_add_json(void)
{
	static const tf_case cases[] = {
	    {"json: a byte-order mark at the start", test_bom},
	    {"json: every type", test_types},
	    {"json: nested structs and arrays, unknown fields skipped", test_nested},
	    {"json: Spark's conversions", test_conversions},
	    {"json: escapes and UTF-8", test_escapes_utf8},
	    {"json: permissive, dropmalformed, failfast with positions", test_modes},
	    {"json: chunks of any size, positions by line", test_chunks_positions},
	    {"json: top-level arrays, repeated keys", test_top_arrays_duplicates},
	    {"json: options", test_options},
	    {"json: nesting limit", test_depth},
	    {"json: one record per call, null rows, struct result", test_one_record},
	    {"json: the seed's invoices (set1: 500 records, 1249 items)", test_invoices},
	    {"json: inference rules", test_infer_rules},
	    {"json: inference of the invoices", test_infer_invoices},
	    {"json: decoder set-up errors, timestampFormat", test_decoder_errors},
	    {NULL, NULL},
	};
	return tf_add_suite("json", cases);
}
