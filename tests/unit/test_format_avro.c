/* test_format_avro.c - Avro schemas, binary values and container files,
 * checked against avro-c where files cross over. */
#include <CUnit/CUnit.h>
#include <avro.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_format.h"

/* The seed's schema (07-KafkaAvroSourceDemo/schema/invoice-items) when the
 * seed is there, else the same text. */
static const char *items_fallback = "{\"type\":\"record\",\"name\":\"InvoiceItem\",\"namespace\":"
                                    "\"guru.learningjournal.spark.examples.types\",\"fields\":["
                                    "{\"name\":\"InvoiceNumber\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"CreatedTime\",\"type\":[\"long\",\"null\"]},"
                                    "{\"name\":\"StoreID\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"PosID\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"CustomerType\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"CustomerCardNo\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"DeliveryType\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"City\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"State\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"PinCode\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"ItemCode\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"ItemDescription\",\"type\":[\"string\",\"null\"]},"
                                    "{\"name\":\"ItemPrice\",\"type\":[\"double\",\"null\"]},"
                                    "{\"name\":\"ItemQty\",\"type\":[\"int\",\"null\"]},"
                                    "{\"name\":\"TotalValue\",\"type\":[\"double\",\"null\"]}]}";

static char *items_schema(void)
{
	char *path = tf_seed_path("07-KafkaAvroSourceDemo/schema/invoice-items");
	size_t len;
	char *text = path ? tf_read_file(path, &len) : NULL;

	free(path);
	return text ? text : strdup(items_fallback);
}

#define ITEMS_DDL                                                                                  \
	"InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, "                 \
	"CustomerType STRING, CustomerCardNo STRING, DeliveryType STRING, City STRING, "           \
	"State STRING, PinCode STRING, ItemCode STRING, ItemDescription STRING, "                  \
	"ItemPrice DOUBLE, ItemQty BIGINT, TotalValue DOUBLE"

#define ITEMS_JSON                                                                                 \
	"{\"InvoiceNumber\":\"51402977\",\"CreatedTime\":1595688900348,\"StoreID\":\"STR7188\","   \
	"\"PosID\":\"POS956\",\"CustomerType\":\"PRIME\",\"CustomerCardNo\":\"4629185211\","       \
	"\"DeliveryType\":\"TAKEAWAY\",\"ItemCode\":\"458\",\"ItemDescription\":\"Wine glass\","   \
	"\"ItemPrice\":1644.0,\"ItemQty\":2,\"TotalValue\":3288.0}\n"                              \
	"{\"InvoiceNumber\":\"91372973\",\"CreatedTime\":1595688901219,\"StoreID\":\"STR8513\","   \
	"\"DeliveryType\":\"HOME-DELIVERY\",\"City\":\"Shivapuri\",\"State\":\"Madhya Pradesh\","  \
	"\"PinCode\":\"561012\",\"ItemCode\":\"413\",\"ItemDescription\":\"Slipcover \xc3\xa9\","  \
	"\"ItemPrice\":1896.5,\"ItemQty\":-1,\"TotalValue\":-1896.5}\n"                            \
	"{}\n"

static sl_batch *items_batch(void)
{
	return tf_decode(SL_FORMAT_JSON, ITEMS_DDL, NULL, ITEMS_JSON, strlen(ITEMS_JSON), 0, NULL,
	                 NULL, NULL);
}

static void test_schema_conversion(void)
{
	char *avsc = items_schema();
	sl_schema *s;
	sl_strbuf sb = {0};
	sl_error err;

	CU_ASSERT_EQUAL_FATAL(sl_avro_schema_to_sl(avsc, strlen(avsc), &s, &err), 0);
	sl_type_format(s, &sb);
	TF_STREQ(sb.buf,
	         "STRUCT<InvoiceNumber: STRING, CreatedTime: BIGINT, StoreID: STRING, "
	         "PosID: STRING, CustomerType: STRING, CustomerCardNo: STRING, DeliveryType: "
	         "STRING, City: STRING, State: STRING, PinCode: STRING, ItemCode: STRING, "
	         "ItemDescription: STRING, ItemPrice: DOUBLE, ItemQty: BIGINT, TotalValue: "
	         "DOUBLE>");
	CU_ASSERT_TRUE(s->fields[0].nullable);
	sl_type_unref(s);
	sl_strbuf_reset(&sb);
	/* every kind */
	{
		const char *t =
		    "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
		    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
		    "\"symbols\":[\"A\",\"B\"]}},"
		    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}},"
		    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"}},"
		    "{\"name\":\"u\",\"type\":[\"null\",\"int\",\"string\"]},"
		    "{\"name\":\"w\",\"type\":[\"int\",\"long\"]},"
		    "{\"name\":\"t\",\"type\":{\"type\":\"long\","
		    "\"logicalType\":\"timestamp-millis\"}},"
		    "{\"name\":\"d\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
		    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"F\"}},"
		    "{\"name\":\"b\",\"type\":\"bytes\"},{\"name\":\"x\",\"type\":\"float\"},"
		    "{\"name\":\"y\",\"type\":\"boolean\"}]}";

		CU_ASSERT_EQUAL_FATAL(sl_avro_schema_to_sl(t, strlen(t), &s, &err), 0);
		sl_type_format(s, &sb);
		TF_STREQ(sb.buf,
		         "STRUCT<e: STRING NOT NULL, f: BINARY NOT NULL, m: ARRAY<STRUCT<key: "
		         "STRING NOT NULL, value: BIGINT NOT NULL>> NOT NULL, u: "
		         "STRUCT<member0: BIGINT, member1: STRING>, w: BIGINT NOT NULL, t: "
		         "TIMESTAMP NOT NULL, d: TIMESTAMP NOT NULL, a: ARRAY<BINARY> NOT NULL, b: "
		         "BINARY NOT NULL, x: DOUBLE NOT NULL, y: BOOLEAN NOT NULL>");
		sl_type_unref(s);
	}
	/* refused */
	CU_ASSERT_EQUAL(sl_avro_schema_to_sl("\"int\"", 5, &s, &err), SL_EINVAL);
	TF_STREQ(err.msg, "the top-level Avro type must be a record");
	{
		const char *bad1 = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":"
		                   "\"x\",\"type\":\"nope\"}]}";
		const char *bad2 = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":"
		                   "\"x\",\"type\":\"r\"}]}";

		CU_ASSERT_EQUAL(sl_avro_schema_to_sl(bad1, strlen(bad1), &s, &err), SL_EINVAL);
		CU_ASSERT_EQUAL(sl_avro_schema_to_sl(bad2, strlen(bad2), &s, &err), SL_EINVAL);
	}
	TF_STREQ(err.msg, "recursive Avro type 'r' is not supported");
	sl_strbuf_free(&sb);
	free(avsc);
}

static void test_schema_to_avro(void)
{
	sl_schema *s = tf_schema("a BIGINT NOT NULL, b STRUCT<c: ARRAY<STRING>, d: TIMESTAMP>, "
	                         "e BINARY, f BOOLEAN NOT NULL, g DOUBLE");
	sl_strbuf sb = {0};
	sl_error err;

	CU_ASSERT_EQUAL(sl_schema_to_avro(s, NULL, "ns", &sb, &err), 0);
	TF_STREQ(
	    sb.buf,
	    "{\"type\":\"record\",\"name\":\"topLevelRecord\",\"namespace\":\"ns\",\"fields\":["
	    "{\"name\":\"a\",\"type\":\"long\"},"
	    "{\"name\":\"b\",\"type\":[{\"type\":\"record\",\"name\":\"b\",\"namespace\":"
	    "\"ns.topLevelRecord\",\"fields\":[{\"name\":\"c\",\"type\":[{\"type\":\"array\","
	    "\"items\":[\"string\",\"null\"]},\"null\"],\"default\":null},{\"name\":\"d\","
	    "\"type\":[{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"},\"null\"],"
	    "\"default\":null}]},\"null\"],\"default\":null},"
	    "{\"name\":\"e\",\"type\":[\"bytes\",\"null\"],\"default\":null},"
	    "{\"name\":\"f\",\"type\":\"boolean\"},"
	    "{\"name\":\"g\",\"type\":[\"double\",\"null\"],\"default\":null}]}");
	sl_type_unref(s);
	s = tf_schema("`a b` STRING");
	sl_strbuf_reset(&sb);
	CU_ASSERT_EQUAL(sl_schema_to_avro(s, NULL, NULL, &sb, &err), SL_EINVAL);
	TF_STREQ(err.msg, "column 'a b' is not a valid Avro name");
	sl_type_unref(s);
	sl_strbuf_free(&sb);
}

/* Encodes every row of b as a value, then decodes them one by one. */
static sl_batch *values_round_trip(sl_batch *b, const sl_format_options *o, sl_strbuf *all)
{
	sl_encoder *e;
	sl_decoder *d;
	sl_error err;
	sl_batch *out = NULL;
	int64_t r;

	if (sl_encoder_new(SL_FORMAT_AVRO, b->schema, o, &e, &err) < 0) {
		fprintf(stderr, "encoder: %s\n", err.msg);
		return NULL;
	}
	if (sl_decoder_new(SL_FORMAT_AVRO, b->schema, o, &d, &err) < 0) {
		fprintf(stderr, "decoder: %s\n", err.msg);
		sl_encoder_free(e);
		return NULL;
	}
	for (r = 0; r < b->n_rows; r++) {
		sl_strbuf one = {0};

		CU_ASSERT_EQUAL(sl_encoder_write_row(e, b, r, &one, &err), 0);
		CU_ASSERT_EQUAL(sl_decoder_decode_record(d, one.buf, one.len, &err), 0);
		if (all)
			sl_strbuf_append(all, one.buf, one.len);
		sl_strbuf_free(&one);
	}
	CU_ASSERT_EQUAL(sl_decoder_take(d, &out, &err), 0);
	sl_decoder_free(d);
	sl_encoder_free(e);
	return out;
}

static void test_values(void)
{
	char *avsc = items_schema();
	sl_format_options o;
	sl_batch *b = items_batch(), *back;
	sl_strbuf all = {0};
	char want[8192];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	strcpy(want, tf_rows(b));
	sl_format_options_init(&o);
	o.avro_schema = avsc;
	back = values_round_trip(b, &o, &all);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	TF_STREQ(tf_rows(back), want);
	/* the empty row: 15 null branches (index 1 = 0x02) */
	CU_ASSERT_TRUE(all.len > 15);
	CU_ASSERT_EQUAL(memcmp(all.buf + all.len - 15,
	                       "\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"
	                       "\x02\x02\x02\x02\x02",
	                       15),
	                0);
	/* the first value starts with branch 0, length 8, "51402977" */
	CU_ASSERT_EQUAL(memcmp(all.buf,
	                       "\x00\x10"
	                       "51402977\x00",
	                       11),
	                0);
	sl_batch_unref(back);
	/* the same bytes as one stream of values, fed in small chunks */
	{
		sl_decoder_stats st;
		sl_batch *s =
		    tf_decode(SL_FORMAT_AVRO, ITEMS_DDL, &o, all.buf, all.len, 7, &st, NULL, NULL);

		TF_STREQ(tf_rows(s), want);
		CU_ASSERT_EQUAL(st.records, 3);
		sl_batch_unref(s);
	}
	/* without avroSchema the schema is derived from the columns */
	back = values_round_trip(b, NULL, NULL);
	TF_STREQ(tf_rows(back), want);
	sl_batch_unref(back);
	sl_batch_unref(b);
	sl_strbuf_free(&all);
	free(avsc);
}

static void test_nested_round_trip(void)
{
	const char *ddl = "id BIGINT NOT NULL, t TIMESTAMP, b BINARY, ok BOOLEAN, "
	                  "s STRUCT<x: DOUBLE, tags: ARRAY<STRING>>, l ARRAY<STRUCT<k: STRING>>";
	const char *text =
	    "{\"id\":1,\"t\":\"2020-07-25T14:55:00.348123Z\",\"b\":\"AAE=\",\"ok\":true,"
	    "\"s\":{\"x\":1.5,\"tags\":[\"a\",null,\"c\"]},\"l\":[{\"k\":\"v\"},null]}\n"
	    "{\"id\":2,\"s\":{\"tags\":[]},\"l\":[]}\n";
	sl_batch *b = tf_decode(SL_FORMAT_JSON, ddl, NULL, text, strlen(text), 0, NULL, NULL, NULL);
	sl_batch *back;
	char want[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	strcpy(want, tf_rows(b));
	back = values_round_trip(b, NULL, NULL);
	TF_STREQ(tf_rows(back), want);
	sl_batch_unref(back);
	sl_batch_unref(b);
}

/* Writes data to a temporary file; returns its path (free it). */
static char *temp_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/sluice-test-avro-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Reads a container with avro-c: rows, and the first row's InvoiceNumber. */
static int64_t avro_c_read(const char *path, char *first, size_t size)
{
	avro_file_reader_t r;
	avro_schema_t ws;
	avro_value_iface_t *iface;
	avro_value_t v;
	int64_t n = 0;

	first[0] = '\0';
	if (avro_file_reader(path, &r) != 0)
		return -1;
	ws = avro_file_reader_get_writer_schema(r);
	iface = avro_generic_class_from_schema(ws);
	avro_generic_value_new(iface, &v);
	while (avro_file_reader_read_value(r, &v) == 0) {
		if (n == 0) {
			avro_value_t f, br;
			const char *s = NULL;
			size_t sl = 0;

			if (avro_value_get_by_name(&v, "InvoiceNumber", &f, NULL) == 0 &&
			    avro_value_get_current_branch(&f, &br) == 0 &&
			    avro_value_get_string(&br, &s, &sl) == 0)
				snprintf(first, size, "%s", s);
		}
		n++;
		avro_value_reset(&v);
	}
	avro_value_decref(&v);
	avro_value_iface_decref(iface);
	avro_schema_decref(ws);
	avro_file_reader_close(r);
	return n;
}

static void test_container(void)
{
	static const char *codecs[] = {"null", "deflate"};
	char *avsc = items_schema();
	sl_batch *b = items_batch();
	char want[8192];
	int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	strcpy(want, tf_rows(b));
	for (k = 0; k < 2; k++) {
		sl_format_options o;
		sl_encoder *e;
		sl_strbuf file = {0};
		sl_error err;
		sl_decoder_stats st;
		char first[64], *path;
		sl_batch *back;
		size_t chunk;

		sl_format_options_init(&o);
		o.avro_schema = avsc;
		o.compression = codecs[k];
		CU_ASSERT_EQUAL_FATAL(sl_encoder_new(SL_FORMAT_AVRO_FILE, b->schema, &o, &e, &err),
		                      0);
		CU_ASSERT_EQUAL(sl_encoder_write(e, b, &file, &err), 0);
		CU_ASSERT_EQUAL(sl_encoder_write(e, b, &file, &err), 0); /* a second block */
		CU_ASSERT_EQUAL(sl_encoder_finish(e, &file, &err), 0);
		sl_encoder_free(e);
		CU_ASSERT_EQUAL(memcmp(file.buf, "Obj\x01", 4), 0);
		/* avro-c reads it */
		path = temp_file(file.buf, file.len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(path);
		CU_ASSERT_EQUAL(avro_c_read(path, first, sizeof(first)), 6);
		TF_STREQ(first, "51402977");
		unlink(path);
		free(path);
		/* and so does sluice, in chunks of any size; the schema comes
		 * from the header */
		for (chunk = 1; chunk < file.len; chunk = chunk * 3 + 1) {
			back = tf_decode(SL_FORMAT_AVRO_FILE, NULL, NULL, file.buf, file.len, chunk,
			                 &st, NULL, NULL);
			CU_ASSERT_PTR_NOT_NULL_FATAL(back);
			CU_ASSERT_EQUAL(back->n_rows, 6);
			CU_ASSERT_EQUAL(st.bad, 0);
			if (chunk == 1) {
				sl_batch *half = sl_batch_slice(back, 0, 3);

				TF_STREQ(tf_rows(half), want);
				sl_batch_unref(half);
			}
			sl_batch_unref(back);
		}
		sl_strbuf_free(&file);
	}
	sl_batch_unref(b);
	free(avsc);
}

static void test_avro_c_writes(void)
{
	char *avsc = items_schema();
	char *path = strdup("/tmp/sluice-test-avroc-XXXXXX");
	avro_schema_t sch;
	avro_file_writer_t w;
	avro_value_iface_t *iface;
	avro_value_t rec, f, br;
	int fd = mkstemp(path), i;
	size_t len;
	char *data;
	sl_batch *b;
	sl_decoder_stats st;

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(avro_schema_from_json_length(avsc, strlen(avsc), &sch), 0);
	CU_ASSERT_EQUAL_FATAL(avro_file_writer_create_with_codec(path, sch, &w, "deflate", 0), 0);
	iface = avro_generic_class_from_schema(sch);
	avro_generic_value_new(iface, &rec);
	for (i = 0; i < 3; i++) {
		size_t k, n = avro_schema_record_size(sch);

		avro_value_reset(&rec);
		for (k = 0; k < n; k++) {
			avro_value_get_by_index(&rec, k, &f, NULL);
			avro_value_set_branch(&f, 1, &br);
			avro_value_set_null(&br);
		}
		avro_value_get_by_name(&rec, "InvoiceNumber", &f, NULL);
		avro_value_set_branch(&f, 0, &br);
		avro_value_set_string(&br, i == 1 ? "x\xc3\xa9" : "n");
		avro_value_get_by_name(&rec, "ItemQty", &f, NULL);
		avro_value_set_branch(&f, 0, &br);
		avro_value_set_int(&br, i - 1);
		avro_value_get_by_name(&rec, "ItemPrice", &f, NULL);
		avro_value_set_branch(&f, 0, &br);
		avro_value_set_double(&br, 0.25 * i);
		CU_ASSERT_EQUAL(avro_file_writer_append_value(w, &rec), 0);
	}
	avro_file_writer_close(w);
	avro_value_decref(&rec);
	avro_value_iface_decref(iface);
	avro_schema_decref(sch);
	data = tf_read_file(path, &len);
	unlink(path);
	free(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	b = tf_decode(SL_FORMAT_AVRO_FILE, NULL, NULL, data, len, 100, &st, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->n_rows, 3);
	{
		sl_batch *p = sl_batch_slice(b, 1, 1);
		sl_format_options o;
		sl_encoder *e;
		sl_strbuf sb = {0};
		sl_error err;

		sl_format_options_init(&o);
		CU_ASSERT_EQUAL(sl_encoder_new(SL_FORMAT_JSON, p->schema, &o, &e, &err), 0);
		CU_ASSERT_EQUAL(sl_encoder_write(e, p, &sb, &err), 0);
		TF_STREQ(sb.buf,
		         "{\"InvoiceNumber\":\"x\xc3\xa9\",\"ItemPrice\":0.25,\"ItemQty\":0}\n");
		sl_encoder_free(e);
		sl_strbuf_free(&sb);
		sl_batch_unref(p);
	}
	sl_batch_unref(b);
	free(data);
	free(avsc);
}

static void test_bad_values(void)
{
	const char *avsc = "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
	                   "{\"name\":\"a\",\"type\":\"long\"},{\"name\":\"s\",\"type\":[\"null\","
	                   "\"string\"]}]}";
	sl_schema *s = tf_schema("a BIGINT, s STRING, _corrupt_record STRING");
	sl_format_options o;
	sl_decoder *d;
	sl_error err;
	sl_batch *b;
	tf_bad bad = {0};

	sl_format_options_init(&o);
	o.avro_schema = avsc;
	CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_AVRO, s, &o, &d, &err), 0);
	sl_decoder_on_bad_record(d, tf_bad_cb, &bad);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "\x02\x02\x04hi", 5, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "\x02\x02\x0ahi", 5, &err), SL_EOF);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "\x02\x04", 2, &err), SL_EOF);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "\x04\x00\xff", 3, &err), SL_EOF);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, "\x80", 1, &err), SL_EOF);
	TF_STREQ(bad.text, "2:s:truncated string or bytes\n3:s:bad union branch\n"
	                   "4:-:1 bytes after the value\n5:a:truncated number");
	/* the corrupt column holds binary records in base64 */
	CU_ASSERT_EQUAL(sl_decoder_take(d, &b, &err), 0);
	TF_STREQ(tf_rows(b), "{\"a\":1,\"s\":\"hi\",\"_corrupt_record\":null}\n"
	                     "{\"a\":null,\"s\":null,\"_corrupt_record\":\"AgIKaGk=\"}\n"
	                     "{\"a\":null,\"s\":null,\"_corrupt_record\":\"AgQ=\"}\n"
	                     "{\"a\":null,\"s\":null,\"_corrupt_record\":\"BAD/\"}\n"
	                     "{\"a\":null,\"s\":null,\"_corrupt_record\":\"gA==\"}\n");
	sl_batch_unref(b);
	sl_decoder_free(d);
	sl_type_unref(s);
	/* a container cut short, and garbage */
	{
		int rc;

		b = tf_decode(SL_FORMAT_AVRO_FILE, NULL, NULL, "Obj\x01\x02", 5, 0, NULL, &bad,
		              &rc);
		CU_ASSERT_EQUAL(rc, SL_EINVAL);
		TF_STREQ(bad.text, "ERROR Avro container header cut short");
		sl_batch_unref(b);
		b = tf_decode(SL_FORMAT_AVRO_FILE, NULL, NULL, "PK\x03\x04xxxx", 8, 0, NULL, &bad,
		              &rc);
		CU_ASSERT_EQUAL(rc, SL_EINVAL);
		TF_STREQ(bad.text, "ERROR not an Avro container file (bad magic)");
		sl_batch_unref(b);
	}
}

static void test_unions_enums_maps(void)
{
	const char *avsc =
	    "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
	    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}}"
	    ","
	    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"}},"
	    "{\"name\":\"u\",\"type\":[\"null\",\"int\",\"string\"]},"
	    "{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
	    "{\"name\":\"d\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
	    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2}},"
	    "{\"name\":\"x\",\"type\":\"float\"}]}";
	/* e=B, m={"k":3}, u=string "s", t=1000 ms, d=1 day, f="ab", x=0.5f */
	static const char val[] = "\x02"
	                          "\x02\x02k\x06\x00"
	                          "\x04\x02s"
	                          "\xd0\x0f"
	                          "\x02"
	                          "ab"
	                          "\x00\x00\x00\x3f";
	sl_format_options o;
	sl_decoder *d;
	sl_encoder *e;
	sl_error err;
	sl_batch *b;
	sl_strbuf again = {0};

	sl_format_options_init(&o);
	o.avro_schema = avsc;
	CU_ASSERT_EQUAL_FATAL(sl_decoder_new(SL_FORMAT_AVRO, NULL, &o, &d, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_decode_record(d, val, sizeof(val) - 1, &err), 0);
	CU_ASSERT_EQUAL(sl_decoder_take(d, &b, &err), 0);
	TF_STREQ(tf_rows(b),
	         "{\"e\":\"B\",\"m\":[{\"key\":\"k\",\"value\":3}],\"u\":{\"member0\":null,"
	         "\"member1\":\"s\"},\"t\":\"1970-01-01T00:00:01.000Z\","
	         "\"d\":\"1970-01-02T00:00:00.000Z\",\"f\":\"YWI=\",\"x\":0.5}\n");
	/* and back to the same bytes */
	CU_ASSERT_EQUAL_FATAL(sl_encoder_new(SL_FORMAT_AVRO, b->schema, &o, &e, &err), 0);
	CU_ASSERT_EQUAL(sl_encoder_write_row(e, b, 0, &again, &err), 0);
	CU_ASSERT_EQUAL(again.len, sizeof(val) - 1);
	CU_ASSERT_EQUAL(memcmp(again.buf, val, sizeof(val) - 1), 0);
	sl_strbuf_free(&again);
	sl_encoder_free(e);
	sl_batch_unref(b);
	sl_decoder_free(d);
}

int tf_add_avro(void)
{
	static const tf_case cases[] = {
	    {"avro: .avsc to sl_schema (the seed's invoice-items)", test_schema_conversion},
	    {"avro: sl_schema to .avsc", test_schema_to_avro},
	    {"avro: binary values round trip with the seed's schema", test_values},
	    {"avro: nested values round trip", test_nested_round_trip},
	    {"avro: container files, null and deflate, read by avro-c", test_container},
	    {"avro: a container written by avro-c", test_avro_c_writes},
	    {"avro: bad values and containers", test_bad_values},
	    {"avro: unions, enums, maps, fixed, logical types", test_unions_enums_maps},
	    {NULL, NULL},
	};
	return tf_add_suite("avro", cases);
}
