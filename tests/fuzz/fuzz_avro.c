/* fuzz_avro.c - libFuzzer target for Avro.  The first byte picks what the
 * rest is: binary values of a fixed schema (one value, and a stream of
 * values in chunks), an Avro container file, or an .avsc schema text.
 * Checks: valid batches; a decoded value encodes and decodes to the same
 * row; an accepted .avsc converts to an sl_schema and back to an .avsc
 * that gives the same sl_schema.
 *
 *   _build-fuzz/tests/fuzz/fuzz_avro tests/fuzz/corpus/avro
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sl_format.h>
#include <sluice/sluice.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *avsc =
    "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"long\"},"
    "{\"name\":\"s\",\"type\":[\"string\",\"null\"]},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"B\"]}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"double\"]}},"
    "{\"name\":\"u\",\"type\":[\"null\",\"int\",\"string\",\"boolean\"]},"
    "{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}},"
    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"I\","
    "\"fields\":[{\"name\":\"k\",\"type\":\"bytes\"},{\"name\":\"x\",\"type\":\"float\"}]}}}]}";

static sl_batch *decode(sl_format_kind k, const sl_format_options *o, const char *in, size_t len,
                        size_t chunk, bool one)
{
	sl_decoder *d;
	sl_error err;
	sl_batch *b = NULL;
	size_t off = 0;

	if (sl_decoder_new(k, NULL, o, &d, &err) < 0)
		abort();
	if (one) {
		sl_decoder_decode_record(d, in, len, &err);
	} else {
		for (; off < len; off += chunk)
			if (sl_decoder_feed(d, in + off, len - off < chunk ? len - off : chunk,
			                    &err) < 0)
				break;
		if (off >= len)
			sl_decoder_finish(d, &err);
	}
	if (sl_decoder_schema(d) != NULL &&
	    (sl_decoder_take(d, &b, &err) < 0 || sl_batch_validate(b, &err) < 0)) {
		fprintf(stderr, "invalid batch: %s\n", err.msg);
		abort();
	}
	sl_decoder_free(d);
	return b;
}

static void values(const sl_format_options *o, const char *in, size_t size, size_t chunk)
{
	sl_batch *a = decode(SL_FORMAT_AVRO, o, in, size, 0, true);
	sl_batch *b = decode(SL_FORMAT_AVRO, o, in, size, chunk, false);
	sl_error err;

	if (a->n_rows != 1)
		abort();
	if (!sl_array_is_null(a->columns[0], 0)) {
		/* a good value: encode it and decode it again */
		sl_encoder *e;
		sl_strbuf sb = {0}, sb2 = {0};
		sl_batch *c;

		if (sl_encoder_new(SL_FORMAT_AVRO, a->schema, o, &e, &err) < 0 ||
		    sl_encoder_write_row(e, a, 0, &sb, &err) < 0)
			abort();
		c = decode(SL_FORMAT_AVRO, o, sb.buf, sb.len, 0, true);
		if (c->n_rows != 1 || sl_array_is_null(c->columns[0], 0) ||
		    sl_encoder_write_row(e, c, 0, &sb2, &err) < 0 || sb.len != sb2.len ||
		    memcmp(sb.buf, sb2.buf, sb.len) != 0)
			abort();
		sl_encoder_free(e);
		sl_strbuf_free(&sb);
		sl_strbuf_free(&sb2);
		sl_batch_unref(c);
	}
	sl_batch_unref(a);
	sl_batch_unref(b);
}

static void schema_text(const char *in, size_t size)
{
	sl_schema *s = NULL, *s2 = NULL;
	sl_strbuf sb = {0};
	sl_error err;

	if (sl_avro_schema_to_sl(in, size, &s, &err) < 0)
		return;
	if (sl_schema_to_avro(s, "r", NULL, &sb, &err) == 0) {
		if (sl_avro_schema_to_sl(sb.buf, sb.len, &s2, &err) < 0 || !sl_type_equal(s, s2))
			abort();
	}
	sl_type_unref(s);
	sl_type_unref(s2);
	sl_strbuf_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_format_options o;
	size_t chunk;
	const char *in;

	if (size < 1 || size > 65536)
		return 0;
	sl_format_options_init(&o);
	chunk = (size_t)(data[0] >> 2) + 1;
	in = (const char *)data + 1;
	switch (data[0] & 3) {
	case 0:
	case 1:
		o.avro_schema = avsc;
		values(&o, in, size - 1, chunk);
		break;
	case 2: {
		sl_batch *b = decode(SL_FORMAT_AVRO_FILE, &o, in, size - 1, chunk, false);

		sl_batch_unref(b);
		break;
	}
	default:
		schema_text(in, size - 1);
		break;
	}
	return 0;
}
