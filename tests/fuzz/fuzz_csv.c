/* fuzz_csv.c - libFuzzer target for the CSV decoder, encoder and
 * inference.  The first two bytes pick the options and a chunk size; the
 * rest is CSV.  Checks: valid batches, the same rows whatever the chunk
 * size, inference that succeeds and decodes, and encode -> decode giving
 * the same text again.
 *
 *   _build-fuzz/tests/fuzz/fuzz_csv tests/fuzz/corpus/csv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice/sl_format.h>
#include <sluice/sluice.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCHEMA                                                                                     \
	"a STRING, b BIGINT, c DOUBLE, d BOOLEAN, e TIMESTAMP, f STRING, _corrupt_record STRING"

static sl_schema *schema;

static sl_batch *decode(sl_schema *s, const sl_format_options *o, const char *in, size_t len,
                        size_t chunk, int64_t *bad)
{
	sl_decoder *d;
	sl_decoder_stats st;
	sl_error err;
	sl_batch *b = NULL;
	size_t off = 0;

	if (sl_decoder_new(SL_FORMAT_CSV, s, o, &d, &err) < 0)
		return NULL;
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

static char *encode(const sl_batch *b, const sl_format_options *o, size_t *len)
{
	sl_encoder *e;
	sl_strbuf sb = {0};
	sl_error err;

	if (sl_encoder_new(SL_FORMAT_CSV, b->schema, o, &e, &err) < 0 ||
	    sl_encoder_write(e, b, &sb, &err) < 0)
		abort();
	sl_encoder_free(e);
	*len = sb.len;
	return sb.buf ? sb.buf : calloc(1, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seps[] = {',', ';', '\t', '|'};
	static const char quotes[] = {'"', '\'', '"', '\0'};
	sl_format_options o;
	sl_schema *inferred = NULL;
	sl_error err;
	sl_batch *a, *b;
	size_t chunk, l1, l2;
	int64_t bad1, bad2;
	char *t1, *t2;
	const char *in;

	if (schema == NULL && sl_schema_parse(SCHEMA, &schema, NULL) < 0)
		abort();
	if (size < 2 || size > 65536)
		return 0;
	sl_format_options_init(&o);
	o.sep = seps[data[0] & 3];
	o.quote = quotes[(data[0] >> 2) & 3];
	o.escape = data[0] & 16 ? '\\' : o.quote;
	o.header = data[0] & 32;
	o.multi_line = !(data[0] & 64);
	o.ignore_leading_white_space = data[0] & 128;
	o.ignore_trailing_white_space = data[1] & 1;
	o.comment = data[1] & 2 ? '#' : '\0';
	o.null_value = data[1] & 4 ? "NA" : "";
	chunk = (size_t)(data[1] >> 3) + 1;
	in = (const char *)data + 2;
	size -= 2;

	a = decode(schema, &o, in, size, size ? size : 1, &bad1);
	b = decode(schema, &o, in, size, chunk, &bad2);
	if (a == NULL || b == NULL)
		abort();
	if (a->n_rows != b->n_rows || bad1 != bad2)
		abort();
	/* encode (RFC 4180: doubled quotes) and decode again: same text */
	{
		sl_format_options w;

		sl_format_options_init(&w);
		w.sep = o.sep;
		w.escape = '"';
		w.corrupt_record_column = "";
		t1 = encode(a, &w, &l1);
		sl_batch_unref(b);
		b = decode(schema, &w, t1, l1, chunk, &bad2);
		t2 = encode(b, &w, &l2);
		if (bad2 != 0 || l1 != l2 || memcmp(t1, t2, l1) != 0)
			abort();
		free(t1);
		free(t2);
	}
	sl_batch_unref(a);
	sl_batch_unref(b);

	o.mode = SL_PARSE_PERMISSIVE;
	if (sl_schema_infer(SL_FORMAT_CSV, in, size, &o, &inferred, &err) < 0)
		return 0; /* e.g. duplicate generated names */
	a = decode(inferred, &o, in, size, chunk, &bad1);
	sl_batch_unref(a);
	sl_type_unref(inferred);
	return 0;
}
