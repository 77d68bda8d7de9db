/* fuzz_json.c - libFuzzer target for the JSON decoder, encoder and
 * inference.  The first byte picks options and a chunk size; the rest is
 * JSON lines.  Checks: every batch is valid, decoding fed in chunks equals
 * decoding in one piece, what the encoder writes decodes again without a
 * bad record, inference never fails on a PERMISSIVE sample and its schema
 * decodes the input.
 *
 *   _build-fuzz/tests/fuzz/fuzz_json tests/fuzz/corpus/json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sl_format.h>
#include <sluice/sluice.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCHEMA                                                                                     \
	"s STRING, i BIGINT, d DOUBLE, b BOOLEAN, t TIMESTAMP, x BINARY, "                         \
	"st STRUCT<a: STRING, l: ARRAY<BIGINT>, n: STRUCT<z: DOUBLE>>, "                           \
	"la ARRAY<STRUCT<k: STRING, v: ARRAY<STRING>>>, _corrupt_record STRING"

static sl_schema *schema;

static sl_batch *decode(sl_schema *s, const sl_format_options *o, const char *in, size_t len,
                        size_t chunk, int64_t *bad)
{
	sl_decoder *d;
	sl_decoder_stats st;
	sl_error err;
	sl_batch *b = NULL;
	size_t off = 0;

	if (sl_decoder_new(SL_FORMAT_JSON, s, o, &d, &err) < 0)
		abort();
	for (; off < len; off += chunk)
		if (sl_decoder_feed(d, in + off, len - off < chunk ? len - off : chunk, &err) < 0)
			break;
	if (off >= len)
		sl_decoder_finish(d, &err);
	if (sl_decoder_take(d, &b, &err) < 0 || sl_batch_validate(b, &err) < 0) {
		fprintf(stderr, "invalid batch: %s\n", err.msg);
		abort();
	}
	sl_decoder_stats_get(d, &st);
	*bad = st.bad;
	sl_decoder_free(d);
	return b;
}

static char *encode(const sl_batch *b, size_t *len)
{
	sl_encoder *e;
	sl_strbuf sb = {0};
	sl_error err;

	if (sl_encoder_new(SL_FORMAT_JSON, b->schema, NULL, &e, &err) < 0 ||
	    sl_encoder_write(e, b, &sb, &err) < 0)
		abort();
	sl_encoder_free(e);
	*len = sb.len;
	return sb.buf ? sb.buf : calloc(1, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sl_format_options o;
	sl_schema *inferred = NULL;
	sl_error err;
	sl_batch *a, *b, *c;
	size_t chunk, l1, l2;
	int64_t bad1, bad2, bad3;
	char *t1, *t2;
	const char *in;

	if (schema == NULL && sl_schema_parse(SCHEMA, &schema, NULL) < 0)
		abort();
	if (size < 1 || size > 65536)
		return 0;
	sl_format_options_init(&o);
	o.allow_comments = data[0] & 1;
	o.allow_unquoted_field_names = data[0] & 2;
	o.allow_single_quotes = !(data[0] & 4);
	o.allow_backslash_escaping_any_character = data[0] & 8;
	o.allow_numeric_leading_zeros = data[0] & 16;
	chunk = (size_t)(data[0] >> 5) * 3 + 1;
	in = (const char *)data + 1;
	size--;

	a = decode(schema, &o, in, size, size ? size : 1, &bad1);
	b = decode(schema, &o, in, size, chunk, &bad2);
	if (a->n_rows != b->n_rows || bad1 != bad2)
		abort();
	t1 = encode(a, &l1);
	t2 = encode(b, &l2);
	if (l1 != l2 || memcmp(t1, t2, l1) != 0)
		abort();
	/* what the encoder wrote reads back as it was (the corrupt-record
	 * column is an ordinary column this time) */
	sl_format_options_init(&o);
	o.corrupt_record_column = "";
	c = decode(schema, &o, t1, l1, l1 ? l1 : 1, &bad3);
	free(t2);
	t2 = encode(c, &l2);
	if (bad3 != 0 || c->n_rows != a->n_rows || l1 != l2 || memcmp(t1, t2, l1) != 0)
		abort();
	free(t1);
	free(t2);
	sl_batch_unref(a);
	sl_batch_unref(b);
	sl_batch_unref(c);

	if (sl_schema_infer(SL_FORMAT_JSON, in, size, NULL, &inferred, &err) < 0)
		abort();
	a = decode(inferred, NULL, in, size, chunk, &bad1);
	sl_batch_unref(a);
	sl_type_unref(inferred);
	return 0;
}
