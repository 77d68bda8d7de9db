/* test_format_enc.c - the encoders' exact output, and round trips. */
#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_format.h"

/* A batch built by hand: values JSON does not carry (NaN, -0.0, raw
 * control characters) included. */
static sl_batch *make_batch(void)
{
	sl_schema *s = tf_schema("i BIGINT, d DOUBLE, s STRING, b BOOLEAN, t TIMESTAMP, x BINARY, "
	                         "st STRUCT<p: BIGINT, q: ARRAY<STRING>>");
	sl_batch_builder *bb = sl_batch_builder_new(s, 4);
	static const double dv[] = {1.0, 0.1, 1e10, 1e-5, NAN, -INFINITY, 123456.789, -0.0};
	static const char *sv[] = {"plain", "q\"b\\s", "ctl\x01\n\t", "\xc3\xa9 \xe2\x82\xac",
	                           "",      NULL,      "a,b",         " lead"};
	int r;
	sl_batch *b;

	for (r = 0; r < 8; r++) {
		sl_builder *st = sl_batch_builder_column(bb, 6);

		if (r == 5)
			sl_builder_append_null(sl_batch_builder_column(bb, 0));
		else
			sl_builder_append_int64(sl_batch_builder_column(bb, 0), r == 1 ? INT64_MIN
			                                                        : r == 2
			                                                            ? INT64_MAX
			                                                            : r * 7 - 3);
		sl_builder_append_double(sl_batch_builder_column(bb, 1), dv[r]);
		if (sv[r])
			sl_builder_append_string(sl_batch_builder_column(bb, 2), sv[r],
			                         strlen(sv[r]));
		else
			sl_builder_append_null(sl_batch_builder_column(bb, 2));
		if (r == 3)
			sl_builder_append_null(sl_batch_builder_column(bb, 3));
		else
			sl_builder_append_bool(sl_batch_builder_column(bb, 3), r & 1);
		sl_builder_append_int64(sl_batch_builder_column(bb, 4),
		                        r == 1 ? -1 : 1595688900348123LL + r);
		sl_builder_append_string(sl_batch_builder_column(bb, 5), "\x00\x01\xff",
		                         (size_t)(r % 4));
		if (r == 2) {
			sl_builder_append_null(st);
		} else {
			sl_builder *q = sl_builder_child(st, 1);

			if (r == 4)
				sl_builder_append_null(sl_builder_child(st, 0));
			else
				sl_builder_append_int64(sl_builder_child(st, 0), r);
			if (r == 1) {
				sl_builder_append_null(q);
			} else {
				sl_builder_list_begin(q);
				if (r > 2) {
					sl_builder_append_string(sl_builder_child(q, 0), "e", 1);
					sl_builder_append_null(sl_builder_child(q, 0));
				}
				sl_builder_list_end(q);
			}
			sl_builder_append_struct(st);
		}
	}
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	sl_type_unref(s);
	return b;
}

static const char *encode(sl_format_kind k, const sl_batch *b, const sl_format_options *o)
{
	static sl_strbuf sb;
	static sl_error err;
	sl_encoder *e;

	sl_strbuf_reset(&sb);
	if (sl_encoder_new(k, b->schema, o, &e, &err) < 0)
		return err.msg;
	if (sl_encoder_write(e, b, &sb, &err) < 0 || sl_encoder_finish(e, &sb, &err) < 0) {
		sl_encoder_free(e);
		return err.msg;
	}
	sl_encoder_free(e);
	return sb.buf ? sb.buf : "";
}

static void test_json(void)
{
	sl_batch *b = make_batch();
	sl_format_options o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	TF_STREQ(
	    encode(SL_FORMAT_JSON, b, NULL),
	    "{\"i\":-3,\"d\":1.0,\"s\":\"plain\",\"b\":false,\"t\":\"2020-07-25T14:55:00.348Z\","
	    "\"x\":\"\",\"st\":{\"p\":0,\"q\":[]}}\n"
	    "{\"i\":-9223372036854775808,\"d\":0.1,\"s\":\"q\\\"b\\\\s\",\"b\":true,"
	    "\"t\":\"1969-12-31T23:59:59.999Z\",\"x\":\"AA==\",\"st\":{\"p\":1}}\n"
	    "{\"i\":9223372036854775807,\"d\":1.0E10,\"s\":\"ctl\\u0001\\n\\t\",\"b\":false,"
	    "\"t\":\"2020-07-25T14:55:00.348Z\",\"x\":\"AAE=\"}\n"
	    "{\"i\":18,\"d\":1.0E-5,\"s\":\"\xc3\xa9 "
	    "\xe2\x82\xac\",\"t\":\"2020-07-25T14:55:00.348Z\","
	    "\"x\":\"AAH/\",\"st\":{\"p\":3,\"q\":[\"e\",null]}}\n"
	    "{\"i\":25,\"d\":\"NaN\",\"s\":\"\",\"b\":false,\"t\":\"2020-07-25T14:55:00.348Z\","
	    "\"x\":\"\",\"st\":{\"q\":[\"e\",null]}}\n"
	    "{\"d\":\"-Infinity\",\"b\":true,\"t\":\"2020-07-25T14:55:00.348Z\",\"x\":\"AA==\","
	    "\"st\":{\"p\":5,\"q\":[\"e\",null]}}\n"
	    "{\"i\":39,\"d\":123456.789,\"s\":\"a,b\",\"b\":false,"
	    "\"t\":\"2020-07-25T14:55:00.348Z\",\"x\":\"AAE=\",\"st\":{\"p\":6,\"q\":[\"e\",null]}}"
	    "\n"
	    "{\"i\":46,\"d\":-0.0,\"s\":\" lead\",\"b\":true,\"t\":\"2020-07-25T14:55:00.348Z\","
	    "\"x\":\"AAH/\",\"st\":{\"p\":7,\"q\":[\"e\",null]}}\n");
	sl_format_options_init(&o);
	o.ignore_null_fields = false;
	o.timestamp_format = "yyyy-MM-dd HH:mm:ss.SSSSSS";
	{
		sl_batch *one = sl_batch_slice(b, 1, 2);

		TF_STREQ(encode(SL_FORMAT_JSON, one, &o),
		         "{\"i\":-9223372036854775808,\"d\":0.1,\"s\":\"q\\\"b\\\\s\",\"b\":true,"
		         "\"t\":\"1969-12-31 23:59:59.999999\",\"x\":\"AA==\",\"st\":{\"p\":1,"
		         "\"q\":null}}\n"
		         "{\"i\":9223372036854775807,\"d\":1.0E10,\"s\":\"ctl\\u0001\\n\\t\",\"b\":"
		         "false,"
		         "\"t\":\"2020-07-25 14:55:00.348125\",\"x\":\"AAE=\",\"st\":null}\n");
		sl_batch_unref(one);
	}
	/* one row, one value */
	{
		sl_encoder *e;
		sl_strbuf sb = {0};
		sl_error err;
		sl_array *st = sl_array_ref(b->columns[6]);
		sl_encoder *ev;
		sl_schema *sts = st->type;

		CU_ASSERT_EQUAL_FATAL(sl_encoder_new(SL_FORMAT_JSON, b->schema, NULL, &e, &err), 0);
		CU_ASSERT_EQUAL(sl_encoder_write_row(e, b, 0, &sb, &err), 0);
		TF_STREQ(
		    sb.buf,
		    "{\"i\":-3,\"d\":1.0,\"s\":\"plain\",\"b\":false,"
		    "\"t\":\"2020-07-25T14:55:00.348Z\",\"x\":\"\",\"st\":{\"p\":0,\"q\":[]}}");
		CU_ASSERT_EQUAL(sl_encoder_write_row(e, b, 8, &sb, &err), SL_EINVAL);
		sl_encoder_free(e);
		sl_strbuf_reset(&sb);
		CU_ASSERT_EQUAL_FATAL(sl_encoder_new(SL_FORMAT_JSON, sts, NULL, &ev, &err), 0);
		CU_ASSERT_EQUAL(sl_encoder_write_value(ev, st, 3, &sb, &err), 0);
		TF_STREQ(sb.buf, "{\"p\":3,\"q\":[\"e\",null]}");
		CU_ASSERT_EQUAL(sl_encoder_write_value(ev, b->columns[0], 0, &sb, &err), SL_ETYPE);
		sl_encoder_free(ev);
		sl_array_unref(st);
		sl_strbuf_free(&sb);
	}
	sl_batch_unref(b);
}

static void test_json_round_trip(void)
{
	sl_batch *b = make_batch(), *back;
	char first[8192];
	const char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	text = encode(SL_FORMAT_JSON, b, NULL);
	strcpy(first, text);
	back = tf_decode(SL_FORMAT_JSON,
	                 "i BIGINT, d DOUBLE, s STRING, b BOOLEAN, t TIMESTAMP, x BINARY, "
	                 "st STRUCT<p: BIGINT, q: ARRAY<STRING>>",
	                 NULL, first, strlen(first), 0, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	TF_STREQ(encode(SL_FORMAT_JSON, back, NULL), first);
	sl_batch_unref(back);
	sl_batch_unref(b);
}

/* One row: a = U+FEFF "x", b = "y". */
static sl_batch *slh_batch_bom(void)
{
	sl_schema *s = NULL;
	sl_batch_builder *bb;
	sl_batch *b;

	if (sl_schema_parse("a STRING, b STRING", &s, NULL) < 0)
		return NULL;
	bb = sl_batch_builder_new(s, 1);
	sl_builder_append_string(sl_batch_builder_column(bb, 0), "\xEF\xBB\xBFx", 4);
	sl_builder_append_string(sl_batch_builder_column(bb, 1), "y", 1);
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	sl_type_unref(s);
	return b;
}

static void test_csv(void)
{
	sl_batch *b = make_batch(), *flat, *back;
	sl_format_options o;
	sl_error err;
	sl_encoder *e;
	char text[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	TF_STREQ(encode(SL_FORMAT_CSV, b, NULL),
	         "CSV cannot hold column 'st' of a nested type (use to_json)");
	/* A value that starts with U+FEFF is quoted: at the start of a file it
	 * would read back as a byte-order mark. */
	{
		sl_batch *bom = slh_batch_bom();

		TF_STREQ(encode(SL_FORMAT_CSV, bom, NULL), "\"\xEF\xBB\xBFx\",y\n");
		sl_batch_unref(bom);
	}
	{
		sl_array *cols[6];
		sl_field f[6];
		sl_schema *s;
		int i;

		for (i = 0; i < 6; i++) {
			cols[i] = sl_array_ref(b->columns[i]);
			f[i] = b->schema->fields[i];
		}
		s = sl_type_struct(6, f);
		flat = sl_batch_new(s, b->n_rows, cols);
		sl_type_unref(s);
	}
	sl_format_options_init(&o);
	o.header = true;
	strcpy(text, encode(SL_FORMAT_CSV, flat, &o));
	TF_STREQ(text,
	         "i,d,s,b,t,x\n"
	         "-3,1.0,plain,false,2020-07-25T14:55:00.348Z,\n"
	         "-9223372036854775808,0.1,\"q\"\"b\\s\",true,1969-12-31T23:59:59.999Z,AA==\n"
	         "9223372036854775807,1.0E10,\"ctl\x01\n\t\",false,2020-07-25T14:55:00.348Z,AAE=\n"
	         "18,1.0E-5,\xc3\xa9 \xe2\x82\xac,,2020-07-25T14:55:00.348Z,AAH/\n"
	         "25,NaN,\"\",false,2020-07-25T14:55:00.348Z,\n"
	         ",-Infinity,,true,2020-07-25T14:55:00.348Z,AA==\n"
	         "39,123456.789,\"a,b\",false,2020-07-25T14:55:00.348Z,AAE=\n"
	         "46,-0.0,\" lead\",true,2020-07-25T14:55:00.348Z,AAH/\n");
	/* and back: the same values (binary stays base64 text, so skip it) */
	o.escape = '"';
	o.positive_inf = "Infinity";
	o.negative_inf = "-Infinity";
	back = tf_decode(SL_FORMAT_CSV,
	                 "i BIGINT, d DOUBLE, s STRING, b BOOLEAN, t TIMESTAMP, x STRING", &o, text,
	                 strlen(text), 5, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(back->n_rows, 8);
	{
		sl_batch *a = sl_batch_slice(flat, 0, 8), *c = back;
		char x[8192];

		/* compare columns i..t as JSON */
		sl_batch *ap, *cp;
		sl_array *ac[5], *cc[5];
		sl_field f[5];
		sl_schema *s;
		int i;

		for (i = 0; i < 5; i++) {
			ac[i] = sl_array_ref(a->columns[i]);
			cc[i] = sl_array_ref(c->columns[i]);
			f[i] = a->schema->fields[i];
		}
		s = sl_type_struct(5, f);
		ap = sl_batch_new(s, 8, ac);
		cp = sl_batch_new(s, 8, cc);
		strcpy(x, tf_rows(ap));
		TF_STREQ(tf_rows(cp), x);
		sl_batch_unref(ap);
		sl_batch_unref(cp);
		sl_type_unref(s);
		sl_batch_unref(a);
	}
	sl_batch_unref(back);
	/* quoteAll, nullValue, another separator; an empty batch still has
	 * its header */
	sl_format_options_init(&o);
	o.quote_all = true;
	o.null_value = "NA";
	o.sep = ';';
	{
		sl_batch *two = sl_batch_slice(flat, 4, 2);

		TF_STREQ(encode(SL_FORMAT_CSV, two, &o),
		         "\"25\";\"NaN\";\"\";\"false\";\"2020-07-25T14:55:00.348Z\";\"\"\n"
		         "NA;\"-Infinity\";NA;\"true\";\"2020-07-25T14:55:00.348Z\";\"AA==\"\n");
		sl_batch_unref(two);
		two = sl_batch_slice(flat, 0, 0);
		o.quote_all = false;
		o.header = true;
		TF_STREQ(encode(SL_FORMAT_CSV, two, &o), "i;d;s;b;t;x\n");
		sl_batch_unref(two);
	}
	(void)e;
	(void)err;
	sl_batch_unref(flat);
	sl_batch_unref(b);
}

static void test_avro_bytes(void)
{
	sl_schema *s = tf_schema("a BIGINT NOT NULL, s STRING, ok BOOLEAN NOT NULL");
	sl_batch_builder *bb = sl_batch_builder_new(s, 2);
	sl_encoder *e;
	sl_strbuf sb = {0};
	sl_error err;
	sl_batch *b;

	sl_builder_append_int64(sl_batch_builder_column(bb, 0), -65);
	sl_builder_append_string(sl_batch_builder_column(bb, 1), "hi", 2);
	sl_builder_append_bool(sl_batch_builder_column(bb, 2), true);
	sl_builder_append_int64(sl_batch_builder_column(bb, 0), 1);
	sl_builder_append_null(sl_batch_builder_column(bb, 1));
	sl_builder_append_bool(sl_batch_builder_column(bb, 2), false);
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	CU_ASSERT_EQUAL_FATAL(sl_encoder_new(SL_FORMAT_AVRO, s, NULL, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_encoder_write(e, b, &sb, &err), 0);
	CU_ASSERT_EQUAL(sb.len, 10);
	CU_ASSERT_EQUAL(memcmp(sb.buf,
	                       "\x81\x01\x00\x04hi\x01"
	                       "\x02\x02\x00",
	                       10),
	                0);
	sl_encoder_free(e);
	sl_strbuf_free(&sb);
	sl_batch_unref(b);
	sl_type_unref(s);
}

static void test_options_tables(void)
{
	const sl_option_spec *tables[] = {sl_format_json_options, sl_format_csv_options,
	                                  sl_format_avro_options};
	sl_format_options o;
	sl_error err;
	size_t t;

	/* every option a table declares is one sl_format_options_set knows,
	 * and its default is accepted */
	for (t = 0; t < 3; t++) {
		const sl_option_spec *s;

		for (s = tables[t]; s->name != NULL; s++) {
			sl_format_options_init(&o);
			CU_ASSERT_NOT_EQUAL(sl_format_options_set(&o, s->name, "", &err),
			                    SL_ENOTFOUND);
			if (s->def != NULL)
				CU_ASSERT_EQUAL(sl_format_options_set(&o, s->name, s->def, &err),
				                0);
		}
	}
	/* from a plugin's options */
	{
		static const sl_option_spec spec[] = {
		    {"path", SL_OPT_STRING, NULL, 0, "not a format option", NULL, NULL},
		    {"header", SL_OPT_BOOL, "false", 0, "header", NULL, NULL},
		    {"sep", SL_OPT_STRING, ",", 0, "separator", NULL, NULL},
		    {"mode", SL_OPT_ENUM, "PERMISSIVE", 0, "mode",
		     "PERMISSIVE|DROPMALFORMED|FAILFAST", NULL},
		    {0},
		};
		sl_options *po = sl_options_new(spec);

		CU_ASSERT_EQUAL(sl_options_set(po, "header", "true", NULL, 0, &err), 0);
		CU_ASSERT_EQUAL(sl_options_set(po, "sep", "|", NULL, 0, &err), 0);
		CU_ASSERT_EQUAL(sl_options_set(po, "mode", "FAILFAST", NULL, 0, &err), 0);
		CU_ASSERT_EQUAL(sl_options_set(po, "path", "/x", NULL, 0, &err), 0);
		CU_ASSERT_EQUAL(sl_options_finish(po, &err), 0);
		sl_format_options_init(&o);
		CU_ASSERT_EQUAL(sl_format_options_load(&o, po, &err), 0);
		CU_ASSERT_TRUE(o.header);
		CU_ASSERT_EQUAL(o.sep, '|');
		CU_ASSERT_EQUAL(o.mode, SL_PARSE_FAILFAST);
		sl_options_free(po);
	}
	CU_ASSERT_EQUAL(sl_format_kind_from_name("CSV"), SL_FORMAT_CSV);
	CU_ASSERT_EQUAL(sl_format_kind_from_name("avro-file"), SL_FORMAT_AVRO_FILE);
	CU_ASSERT_EQUAL(sl_format_kind_from_name("xml"), -1);
	TF_STREQ(sl_parse_mode_name(SL_PARSE_DROPMALFORMED), "DROPMALFORMED");
}

int tf_add_enc(void)
{
	static const tf_case cases[] = {
	    {"encode: JSON exact output", test_json},
	    {"encode: JSON round trip", test_json_round_trip},
	    {"encode: CSV exact output and round trip", test_csv},
	    {"encode: Avro exact bytes", test_avro_bytes},
	    {"options: tables, Spark names, plugin options", test_options_tables},
	    {NULL, NULL},
	};
	return tf_add_suite("encode", cases);
}
