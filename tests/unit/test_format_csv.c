/* test_format_csv.c - the CSV decoder and CSV schema inference. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "test_format.h"

static sl_batch *csv(const char *ddl, const sl_format_options *o, const char *text, size_t chunk,
                     sl_decoder_stats *st, tf_bad *bad, int *rc)
{
	return tf_decode(SL_FORMAT_CSV, ddl, o, text, strlen(text), chunk, st, bad, rc);
}

static void test_quoting(void)
{
	const char *text = "a,b,c\n"
	                   "1,plain,2.5\r\n"
	                   "2,\"with, comma\",-1e2\n"
	                   "3,\"two\nlines\",\n"
	                   "4,\"say \"\"hi\"\"\",NaN\n"
	                   "5,\"back\\\"slash\",Inf\n"
	                   "6,,-Inf\n"
	                   "7,\"\",0\n"
	                   "\n"
	                   "8,C:\\path,1";
	sl_format_options o;
	size_t chunk;

	sl_format_options_init(&o);
	o.header = true;
	for (chunk = 1; chunk <= 12; chunk += 11) {
		sl_decoder_stats st;
		tf_bad bad;
		sl_batch *b = csv("a BIGINT, b STRING, c DOUBLE", &o, text, chunk, &st, &bad, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"plain\",\"c\":2.5}\n"
		                     "{\"a\":2,\"b\":\"with, comma\",\"c\":-100.0}\n"
		                     "{\"a\":3,\"b\":\"two\\nlines\",\"c\":null}\n"
		                     "{\"a\":4,\"b\":\"say \\\"hi\\\"\",\"c\":\"NaN\"}\n"
		                     "{\"a\":5,\"b\":\"back\\\"slash\",\"c\":\"Infinity\"}\n"
		                     "{\"a\":6,\"b\":null,\"c\":\"-Infinity\"}\n"
		                     "{\"a\":7,\"b\":\"\",\"c\":0.0}\n"
		                     "{\"a\":8,\"b\":\"C:\\\\path\",\"c\":1.0}\n");
		TF_STREQ(bad.text, "");
		CU_ASSERT_EQUAL(st.records, 8);
		CU_ASSERT_EQUAL(st.bytes, (int64_t)strlen(text));
		sl_batch_unref(b);
	}
}

/* A UTF-8 byte-order mark at the start is skipped (Spark does): the header
 * after it is the header, positions still count it, in any chunking. */
static void test_bom(void)
{
	const char *text = "\xEF\xBB\xBF"
	                   "a,b\n1,x\nbad,y\n";
	sl_format_options o;

	sl_format_options_init(&o);
	o.header = true;
	for (size_t chunk = 0; chunk <= 4; chunk++) {
		sl_decoder_stats st;
		tf_bad bad;
		sl_batch *b = csv("a BIGINT, b STRING", &o, text, chunk, &st, &bad, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"x\"}\n{\"a\":null,\"b\":\"y\"}\n");
		TF_STREQ(bad.text, "3:1:a:cannot convert 'bad' to BIGINT");
		CU_ASSERT_EQUAL(bad.first_offset, 11);
		CU_ASSERT_EQUAL(st.bytes, (int64_t)strlen(text));
		sl_batch_unref(b);
	}
	/* Only at the start: later it is data. */
	o.header = false;
	{
		tf_bad bad;
		sl_batch *b = csv("a STRING", &o, "x\n\xEF\xBB\xBFy\n", 0, NULL, &bad, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		TF_STREQ(tf_rows(b), "{\"a\":\"x\"}\n{\"a\":\"\xEF\xBB\xBFy\"}\n");
		sl_batch_unref(b);
	}
}

static void test_types_nulls(void)
{
	sl_format_options o;
	tf_bad bad;
	sl_batch *b;

	sl_format_options_init(&o);
	o.null_value = "NA";
	b = csv("s STRING, i BIGINT, b BOOLEAN, t TIMESTAMP, x BINARY", &o,
	        "NA,NA,TRUE,2014-08-27 11:29:31,raw\n"
	        "\"NA\",+12,false,2014-08-27T11:29:31.5Z,\n"
	        ",,,,\n",
	        0, NULL, &bad, NULL);
	TF_STREQ(
	    tf_rows(b),
	    "{\"s\":null,\"i\":null,\"b\":true,\"t\":\"2014-08-27T11:29:31.000Z\",\"x\":\"cmF3\"}\n"
	    "{\"s\":null,\"i\":12,\"b\":false,\"t\":\"2014-08-27T11:29:31.500Z\",\"x\":\"\"}\n"
	    "{\"s\":\"\",\"i\":null,\"b\":null,\"t\":null,\"x\":\"\"}\n");
	TF_STREQ(bad.text, "");
	sl_batch_unref(b);
}

static void test_modes(void)
{
	const char *ddl = "a BIGINT, b STRING, _corrupt_record STRING";
	const char *text = "1,x\n2,y,extra\nthree,z\n4\n5,\"open\n";
	sl_format_options o;
	sl_decoder_stats st;
	tf_bad bad;
	sl_batch *b;
	int rc;

	sl_format_options_init(&o);
	b = csv(ddl, &o, text, 0, &st, &bad, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"x\",\"_corrupt_record\":null}\n"
	                     "{\"a\":2,\"b\":\"y\",\"_corrupt_record\":\"2,y,extra\"}\n"
	                     "{\"a\":null,\"b\":\"z\",\"_corrupt_record\":\"three,z\"}\n"
	                     "{\"a\":4,\"b\":null,\"_corrupt_record\":\"4\"}\n"
	                     "{\"a\":null,\"b\":null,\"_corrupt_record\":\"5,\\\"open\"}\n");
	TF_STREQ(bad.text, "2:10:-:3 fields, the schema has 2\n"
	                   "3:1:a:cannot convert 'three' to BIGINT\n"
	                   "4:2:-:1 fields, the schema has 2\n"
	                   "5:3:-:unterminated quoted field");
	CU_ASSERT_EQUAL(st.bad, 4);
	sl_batch_unref(b);

	o.mode = SL_PARSE_DROPMALFORMED;
	b = csv(ddl, &o, text, 3, &st, &bad, &rc);
	TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"x\",\"_corrupt_record\":null}\n");
	CU_ASSERT_EQUAL(st.dropped, 4);
	sl_batch_unref(b);

	o.mode = SL_PARSE_FAILFAST;
	b = csv(ddl, &o, text, 0, &st, &bad, &rc);
	CU_ASSERT_EQUAL(rc, SL_EINVAL);
	TF_STREQ(bad.text, "2:10:-:3 fields, the schema has 2\n"
	                   "ERROR malformed record at line 2, column 10 (byte 13): "
	                   "3 fields, the schema has 2");
	sl_batch_unref(b);

	/* multiLine off: a line break ends the record even inside quotes */
	sl_format_options_init(&o);
	o.multi_line = false;
	b = csv("a BIGINT, b STRING", &o, "1,\"x\ny\"\n2,z\n", 0, &st, &bad, &rc);
	TF_STREQ(tf_rows(b),
	         "{\"a\":null,\"b\":null}\n{\"a\":null,\"b\":null}\n{\"a\":2,\"b\":\"z\"}\n");
	TF_STREQ(bad.text, "1:3:-:unterminated quoted field\n2:1:a:cannot convert 'y\"' to BIGINT");
	sl_batch_unref(b);
}

static void test_options(void)
{
	sl_format_options o;
	sl_error err;
	tf_bad bad;
	sl_batch *b;

	sl_format_options_init(&o);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "sep", "\\t", &err), 0);
	CU_ASSERT_EQUAL(o.sep, '\t');
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "comment", "#", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "quote", "'", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "ignoreLeadingWhiteSpace", "true", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "ignoreTrailingWhiteSpace", "true", &err), 0);
	CU_ASSERT_EQUAL(sl_format_options_set(&o, "sep", "ab", &err), SL_EINVAL);
	TF_STREQ(err.msg, "option 'sep': bad value 'ab'");
	b = csv("a STRING, b BIGINT", &o, "# comment\n  x y \t 7 \n'q\tr' \t8\n", 0, NULL, &bad,
	        NULL);
	TF_STREQ(tf_rows(b), "{\"a\":\"x y\",\"b\":7}\n{\"a\":\"q\\tr\",\"b\":8}\n");
	TF_STREQ(bad.text, "");
	sl_batch_unref(b);
	sl_format_options_init(&o);
	o.sep = '"';
	{
		sl_schema *s = tf_schema("a STRING");
		sl_decoder *d = NULL;

		CU_ASSERT_EQUAL(sl_decoder_new(SL_FORMAT_CSV, s, &o, &d, &err), SL_EINVAL);
		s = (sl_type_unref(s), tf_schema("a STRUCT<b: STRING>"));
		sl_format_options_init(&o);
		CU_ASSERT_EQUAL(sl_decoder_new(SL_FORMAT_CSV, s, &o, &d, &err), SL_EINVAL);
		TF_STREQ(err.msg, "CSV cannot hold column 'a' of a nested type");
		sl_type_unref(s);
	}
}

static void test_one_record(void)
{
	sl_schema *s = tf_schema("a BIGINT, b STRING");
	sl_format_options o;
	sl_decoder *d;
	sl_error err;
	sl_batch *b;

	sl_format_options_init(&o);
	o.header = true; /* one record per call never has a header */
	CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_CSV, s, &o, &d, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "1,\"a\nb\"\n", 8, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "x,y", 3, &err), SL_EOF);
	CU_ASSERT_EQUAL(sl_decoder_take(d, &b, &err), 0);
	TF_STREQ(tf_rows(b), "{\"a\":1,\"b\":\"a\\nb\"}\n{\"a\":null,\"b\":\"y\"}\n");
	sl_batch_unref(b);
	sl_decoder_free(d);
	sl_type_unref(s);
}

static const char *infer(const char *text, const sl_format_options *o)
{
	static sl_strbuf sb;
	static sl_error err;
	sl_schema *s = NULL;

	sl_strbuf_reset(&sb);
	if (sl_schema_infer(SL_FORMAT_CSV, text, strlen(text), o, &s, &err) < 0)
		return err.msg;
	sl_type_format(s, &sb);
	sl_type_unref(s);
	return sb.buf;
}

static void test_infer_rules(void)
{
	sl_format_options o;

	sl_format_options_init(&o);
	TF_STREQ(infer("1,1,x,2020-01-01 10:00:00,true,1,\n2,2.5,3,2020-01-02,FALSE,,\n", &o),
	         "STRUCT<_c0: BIGINT, _c1: DOUBLE, _c2: STRING, _c3: TIMESTAMP, _c4: BOOLEAN, "
	         "_c5: BIGINT, _c6: STRING>");
	o.header = true;
	TF_STREQ(infer("id,,id,\"n,m\"\n1,2,3,4\n5,6,7,x\n", &o),
	         "STRUCT<id0: BIGINT, _c1: BIGINT, id2: BIGINT, `n,m`: STRING>");
	/* rows with fewer fields leave the rest alone, a wider row is cut */
	TF_STREQ(infer("a,b\n1\n2,3,4\n", &o), "STRUCT<a: BIGINT, b: BIGINT>");
	o.sampling_ratio = 0.5;
	TF_STREQ(infer("a\n1\nx\n2\ny\n", &o), "STRUCT<a: BIGINT>");
	sl_format_options_init(&o);
	o.infer_max_records = 1;
	TF_STREQ(infer("1\nx\n", &o), "STRUCT<_c0: BIGINT>");
}

static void test_sample(void)
{
	char *path = tf_seed_path("00-HelloSparkSQL/data/sample.csv");
	sl_format_options o;
	sl_schema *s;
	sl_strbuf sb = {0};
	sl_error err;
	sl_decoder *d;
	sl_batch *b;
	tf_bad bad = {0};
	size_t len;
	char *text;

	if (path == NULL)
		return;
	text = tf_read_file(path, &len);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	sl_format_options_init(&o);
	o.header = true;
	o.infer_schema = true;
	CU_ASSERT_EQUAL_FATAL(sl_schema_infer(SL_FORMAT_CSV, text, len, &o, &s, &err), 0);
	sl_type_format(s, &sb);
	TF_STREQ(sb.buf,
	         "STRUCT<Timestamp: TIMESTAMP, Age: BIGINT, Gender: STRING, Country: STRING, "
	         "state: STRING, self_employed: STRING, family_history: STRING, treatment: STRING, "
	         "work_interfere: STRING, no_employees: STRING, remote_work: STRING, tech_company: "
	         "STRING, benefits: STRING, care_options: STRING, wellness_program: STRING, "
	         "seek_help: STRING, anonymity: STRING, leave: STRING, mental_health_consequence: "
	         "STRING, phys_health_consequence: STRING, coworkers: STRING, supervisor: STRING, "
	         "mental_health_interview: STRING, phys_health_interview: STRING, "
	         "mental_vs_physical: STRING, obs_consequence: STRING, comments: STRING>");
	CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_CSV, s, &o, &d, &err), 0);
	sl_decoder_on_bad_record(d, tf_bad_cb, &bad);
	CU_ASSERT_EQUAL(sl_decoder_feed(d, text, len, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_finish(d, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_take(d, &b, &err), 0);
	CU_ASSERT_EQUAL(b->n_rows, 9);
	CU_ASSERT_EQUAL(bad.n, 0);
	{
		const sl_array *age = sl_batch_column(b, "Age");
		const sl_array *country = sl_batch_column(b, "Country");
		int64_t i, young = 0, canada = 0;

		for (i = 0; i < b->n_rows; i++) {
			sl_strview c = sl_array_str(country, i);

			young += sl_array_i64(age)[i] < 40;
			canada += c.len == 6 && memcmp(c.ptr, "Canada", 6) == 0;
		}
		CU_ASSERT_EQUAL(young, 7);
		CU_ASSERT_EQUAL(canada, 2);
		/* 2014-08-27 11:29:31 UTC */
		CU_ASSERT_EQUAL(sl_array_i64(sl_batch_column(b, "Timestamp"))[0],
		                1409138971000000LL);
	}
	sl_batch_unref(b);
	sl_decoder_free(d);
	sl_strbuf_free(&sb);
	sl_type_unref(s);
	free(text);
}

int tf_add_csv(void)
{
	static const tf_case cases[] = {
	    {"csv: RFC 4180 quoting, header, chunks", test_quoting},
	    {"csv: a byte-order mark at the start", test_bom},
	    {"csv: types and null values", test_types_nulls},
	    {"csv: modes, field counts, positions", test_modes},
	    {"csv: options", test_options},
	    {"csv: one record per call", test_one_record},
	    {"csv: inference rules", test_infer_rules},
	    {"csv: the seed's sample.csv inferred and decoded", test_sample},
	    {NULL, NULL},
	};
	return tf_add_suite("csv", cases);
}
