/* bench_formats.c - throughput of the format library, per core (CPU time).
 *
 *   bench_formats [LINES]        (default 1,000,000; `make bench-formats`)
 *
 * Input: LINES invoice JSON lines made by repeating the lines of the seed's
 * 02-FileStreamDemo/SampleData/Invoice-set*.json ($SLUICE_SEED_DIR), or
 * generated ones of the same shape when the seed is missing.  Measured in
 * one run:
 *   1. sluice: JSON decode by the full nested schema (1 MiB chunks, as the
 *      file source reads), a filter (DeliveryType = 'HOME-DELIVERY', the
 *      grep of the Fluent Bit comparison) and JSON encode of what passes;
 *   2. the same with a bare jansson loop (json_loadb, the same test,
 *      json_dumps) over the same lines;
 *   3. CSV decode of the invoices flattened to CSV (target >= 300 MB/s);
 *   4. Avro decode of the invoices as an Avro container (target >= 1M
 *      records/s) and as single values (from_avro, Kafka).
 * The peer: Fluent Bit 4.2 does about 430,000 invoice records per
 * CPU-second (150 MB/s) through its JSON parser and a grep filter. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sluice/sl_format.h>
#include <sluice/sluice.h>

#define INVOICE_DDL                                                                                \
	"InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, "                 \
	"CashierID STRING, CustomerType STRING, CustomerCardNo STRING, TotalAmount DOUBLE, "       \
	"NumberOfItems BIGINT, PaymentMethod STRING, TaxableAmount DOUBLE, CGST DOUBLE, "          \
	"SGST DOUBLE, CESS DOUBLE, DeliveryType STRING, "                                          \
	"DeliveryAddress STRUCT<AddressLine: STRING, City: STRING, State: STRING, "                \
	"PinCode: STRING, ContactNumber: STRING>, "                                                \
	"InvoiceLineItems ARRAY<STRUCT<ItemCode: STRING, ItemDescription: STRING, "                \
	"ItemPrice: DOUBLE, ItemQty: BIGINT, TotalValue: DOUBLE>>"

#define CHUNK (1 << 20)

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const sl_error *err)
{
	fprintf(stderr, "bench_formats: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

/* ------------------------------------------------------------- input */

typedef struct lines {
	char **v;
	size_t *len;
	size_t n, cap;
} lines;

static void add_line(lines *l, const char *p, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		l->len = realloc(l->len, l->cap * sizeof(*l->len));
		if (l->v == NULL || l->len == NULL)
			die("out of memory", NULL);
	}
	l->v[l->n] = strndup(p, n);
	l->len[l->n++] = n;
}

static void seed_lines(lines *l)
{
	const char *dir = getenv("SLUICE_SEED_DIR");
	char path[4096];
	int k;

	for (k = 1; dir != NULL && k <= 3; k++) {
		FILE *f;
		char *buf = NULL;
		size_t cap = 0;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/02-FileStreamDemo/SampleData/Invoice-set%d.json",
		         dir, k);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		while ((n = getline(&buf, &cap, f)) > 0) {
			while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
				n--;
			if (n > 0)
				add_line(l, buf, (size_t)n);
		}
		free(buf);
		fclose(f);
	}
}

static void generated_lines(lines *l)
{
	static const char *cities[] = {"Shivapuri", "Pune", "Nagpur", "Kolkata"};
	char buf[2048];
	int i;

	for (i = 0; i < 1000; i++) {
		int n = snprintf(
		    buf, sizeof(buf),
		    "{\"InvoiceNumber\":\"%d\",\"CreatedTime\":%lld,\"StoreID\":\"STR%d\","
		    "\"PosID\":\"POS%d\",\"CashierID\":\"OAS%d\",\"CustomerType\":\"%s\","
		    "\"CustomerCardNo\":\"%d\",\"TotalAmount\":%d.0,\"NumberOfItems\":2,"
		    "\"PaymentMethod\":\"CARD\",\"TaxableAmount\":%d.0,\"CGST\":%d.25,\"SGST\":%d."
		    "25,"
		    "\"CESS\":13.8925,\"DeliveryType\":\"%s\"%s%s%s,\"InvoiceLineItems\":["
		    "{\"ItemCode\":\"458\",\"ItemDescription\":\"Wine glass\",\"ItemPrice\":1644.0,"
		    "\"ItemQty\":2,\"TotalValue\":3288.0},{\"ItemCode\":\"283\","
		    "\"ItemDescription\":"
		    "\"Portable "
		    "Lamps\",\"ItemPrice\":2236.0,\"ItemQty\":1,\"TotalValue\":2236.0}]}",
		    51402977 + i, 1595688900348LL + i * 1000, 7000 + i, 900 + i, 100 + i,
		    i % 3 ? "PRIME" : "NONPRIME", 462918521 + i, 5000 + i, 5000 + i, 100 + i,
		    100 + i, i % 3 ? "HOME-DELIVERY" : "TAKEAWAY",
		    i % 3
		        ? ",\"DeliveryAddress\":{\"AddressLine\":\"444-1842 Dui. Rd.\",\"City\":\""
		        : "",
		    i % 3 ? cities[i % 4] : "",
		    i % 3 ? "\",\"State\":\"Madhya Pradesh\",\"PinCode\":\"561012\","
		            "\"ContactNumber\":\"7243866404\"}"
		          : "");
		add_line(l, buf, (size_t)n);
	}
}

/* The input: `want` lines as one buffer of JSON lines. */
static char *make_input(size_t want, size_t *len, const char **origin)
{
	lines l = {0};
	size_t i, total = 0, o = 0;
	char *buf;

	seed_lines(&l);
	*origin = "the seed's Invoice-set1..3.json, repeated";
	if (l.n == 0) {
		generated_lines(&l);
		*origin = "generated invoices (no seed directory)";
	}
	for (i = 0; i < want; i++)
		total += l.len[i % l.n] + 1;
	buf = malloc(total + 1);
	if (buf == NULL)
		die("out of memory", NULL);
	for (i = 0; i < want; i++) {
		memcpy(buf + o, l.v[i % l.n], l.len[i % l.n]);
		o += l.len[i % l.n];
		buf[o++] = '\n';
	}
	buf[o] = '\0';
	*len = o;
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	free(l.len);
	return buf;
}

static void report(const char *what, double secs, double records, double bytes)
{
	printf("  %-44s %9.0f records/s  %8.1f MB/s  (%.2f s CPU)\n", what, records / secs,
	       bytes / secs / 1e6, secs);
}

/* --------------------------------------------------------------- JSON */

/* Rows whose DeliveryType is HOME-DELIVERY. */
static int64_t select_rows(const sl_batch *b, int col, int32_t *idx)
{
	const sl_array *a = b->columns[col];
	int64_t i, n = 0;

	for (i = 0; i < b->n_rows; i++) {
		sl_strview v;

		if (sl_array_is_null(a, i))
			continue;
		v = sl_array_str(a, i);
		if (v.len == 13 && memcmp(v.ptr, "HOME-DELIVERY", 13) == 0)
			idx[n++] = (int32_t)i;
	}
	return n;
}

static void bench_sluice(const char *in, size_t len, sl_schema *s, bool filter_encode,
                         int64_t *rows_out, int64_t *kept_out, size_t *out_bytes)
{
	sl_decoder *d;
	sl_encoder *e = NULL;
	sl_strbuf out = {0};
	sl_error err;
	int32_t *idx = malloc(sizeof(int32_t) * 65536);
	int col = sl_schema_find(s, "DeliveryType");
	size_t o;
	int64_t rows = 0, kept = 0;

	if (sl_decoder_new(SL_FORMAT_JSON, s, NULL, &d, &err) < 0)
		die("decoder", &err);
	if (filter_encode && sl_encoder_new(SL_FORMAT_JSON, s, NULL, &e, &err) < 0)
		die("encoder", &err);
	*out_bytes = 0;
	for (o = 0; o <= len; o += CHUNK) {
		size_t n = len - o < CHUNK ? len - o : CHUNK;
		sl_batch *b;

		if (n > 0 && sl_decoder_feed(d, in + o, n, &err) < 0)
			die("decode", &err);
		if (o + n >= len && sl_decoder_finish(d, &err) < 0)
			die("decode", &err);
		if (sl_decoder_take(d, &b, &err) < 0)
			die("take", &err);
		rows += b->n_rows;
		if (filter_encode && b->n_rows > 0) {
			int64_t k;
			sl_batch *f;

			if (b->n_rows > 65536)
				idx = realloc(idx, sizeof(int32_t) * (size_t)b->n_rows);
			k = select_rows(b, col, idx);
			f = sl_batch_take(b, idx, k);
			kept += k;
			sl_strbuf_reset(&out);
			if (f == NULL || sl_encoder_write(e, f, &out, &err) < 0)
				die("encode", &err);
			*out_bytes += out.len;
			sl_batch_unref(f);
		}
		sl_batch_unref(b);
	}
	*rows_out = rows;
	*kept_out = kept;
	sl_strbuf_free(&out);
	free(idx);
	sl_encoder_free(e);
	sl_decoder_free(d);
}

static void bench_jansson(const char *in, size_t len, int64_t *rows_out, int64_t *kept_out,
                          size_t *out_bytes)
{
	const char *p = in, *end = in + len;
	int64_t rows = 0, kept = 0;
	size_t ob = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		json_error_t je;
		json_t *j;
		const char *dt;

		if (nl == NULL)
			nl = end;
		j = json_loadb(p, (size_t)(nl - p), 0, &je);
		if (j == NULL)
			die("jansson", NULL);
		rows++;
		dt = json_string_value(json_object_get(j, "DeliveryType"));
		if (dt != NULL && strcmp(dt, "HOME-DELIVERY") == 0) {
			char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

			kept++;
			ob += strlen(s) + 1;
			free(s);
		}
		json_decref(j);
		p = nl + 1;
	}
	*rows_out = rows;
	*kept_out = kept;
	*out_bytes = ob;
}

/* ---------------------------------------------------------- CSV, Avro */

#define FLAT_DDL                                                                                   \
	"InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, PosID STRING, "                 \
	"CashierID STRING, CustomerType STRING, CustomerCardNo STRING, TotalAmount DOUBLE, "       \
	"NumberOfItems BIGINT, PaymentMethod STRING, TaxableAmount DOUBLE, CGST DOUBLE, "          \
	"SGST DOUBLE, CESS DOUBLE, DeliveryType STRING"

static sl_batch *decode_all(sl_format_kind k, sl_schema *s, const char *in, size_t len)
{
	sl_decoder *d;
	sl_batch *b;
	sl_error err;

	if (sl_decoder_new(k, s, NULL, &d, &err) < 0 || sl_decoder_feed(d, in, len, &err) < 0 ||
	    sl_decoder_finish(d, &err) < 0 || sl_decoder_take(d, &b, &err) < 0)
		die("decode", &err);
	sl_decoder_free(d);
	return b;
}

static void bench_csv(const char *json, size_t jlen)
{
	sl_schema *flat;
	sl_encoder *e;
	sl_strbuf csv = {0};
	sl_error err;
	sl_batch *b;
	sl_format_options o;
	double t0, t1;
	int64_t rows = 0;
	size_t off;

	if (sl_schema_parse(FLAT_DDL, &flat, &err) < 0)
		die("schema", &err);
	b = decode_all(SL_FORMAT_JSON, flat, json, jlen);
	sl_format_options_init(&o);
	o.header = true;
	if (sl_encoder_new(SL_FORMAT_CSV, flat, &o, &e, &err) < 0 ||
	    sl_encoder_write(e, b, &csv, &err) < 0)
		die("csv encode", &err);
	sl_encoder_free(e);
	sl_batch_unref(b);
	t0 = cpu_now();
	{
		sl_decoder *d;

		if (sl_decoder_new(SL_FORMAT_CSV, flat, &o, &d, &err) < 0)
			die("csv decoder", &err);
		for (off = 0; off <= csv.len; off += CHUNK) {
			size_t n = csv.len - off < CHUNK ? csv.len - off : CHUNK;

			if (n > 0 && sl_decoder_feed(d, csv.buf + off, n, &err) < 0)
				die("csv decode", &err);
			if (off + n >= csv.len && sl_decoder_finish(d, &err) < 0)
				die("csv decode", &err);
			if (sl_decoder_take(d, &b, &err) < 0)
				die("take", &err);
			rows += b->n_rows;
			sl_batch_unref(b);
		}
		sl_decoder_free(d);
	}
	t1 = cpu_now();
	printf("CSV: %lld rows of 15 columns, %.1f MB (the invoices flattened)\n", (long long)rows,
	       csv.len / 1e6);
	report("sluice CSV decode (target >= 300 MB/s)", t1 - t0, (double)rows, (double)csv.len);
	sl_strbuf_free(&csv);
	sl_type_unref(flat);
}

static void bench_avro(const char *json, size_t jlen, sl_schema *s)
{
	sl_encoder *e;
	sl_strbuf file = {0}, vals = {0};
	size_t *ends, n = 0, off;
	sl_error err;
	sl_batch *b;
	double t0, t1;
	int64_t rows = 0, r;

	b = decode_all(SL_FORMAT_JSON, s, json, jlen);
	if (sl_encoder_new(SL_FORMAT_AVRO_FILE, s, NULL, &e, &err) < 0)
		die("avro encoder", &err);
	for (r = 0; r < b->n_rows; r += 10000) {
		sl_batch *part =
		    sl_batch_slice(b, r, b->n_rows - r < 10000 ? b->n_rows - r : 10000);

		if (part == NULL || sl_encoder_write(e, part, &file, &err) < 0)
			die("avro encode", &err);
		sl_batch_unref(part);
	}
	sl_encoder_free(e);
	if (sl_encoder_new(SL_FORMAT_AVRO, s, NULL, &e, &err) < 0)
		die("avro encoder", &err);
	ends = malloc(sizeof(*ends) * (size_t)(b->n_rows + 1));
	for (r = 0; r < b->n_rows; r++) {
		if (sl_encoder_write_row(e, b, r, &vals, &err) < 0)
			die("avro encode", &err);
		ends[n++] = vals.len;
	}
	sl_encoder_free(e);
	sl_batch_unref(b);

	t0 = cpu_now();
	{
		sl_decoder *d;

		if (sl_decoder_new(SL_FORMAT_AVRO_FILE, NULL, NULL, &d, &err) < 0)
			die("avro decoder", &err);
		for (off = 0; off <= file.len; off += CHUNK) {
			size_t k = file.len - off < CHUNK ? file.len - off : CHUNK;

			if (k > 0 && sl_decoder_feed(d, file.buf + off, k, &err) < 0)
				die("avro decode", &err);
			if (off + k >= file.len && sl_decoder_finish(d, &err) < 0)
				die("avro decode", &err);
			if (sl_decoder_take(d, &b, &err) < 0)
				die("take", &err);
			rows += b->n_rows;
			sl_batch_unref(b);
		}
		sl_decoder_free(d);
	}
	t1 = cpu_now();
	printf("Avro: %lld invoices (nested schema), container %.1f MB\n", (long long)rows,
	       file.len / 1e6);
	report("sluice Avro container decode (target >= 1M/s)", t1 - t0, (double)rows,
	       (double)file.len);

	rows = 0;
	t0 = cpu_now();
	{
		sl_decoder *d;
		size_t i, start = 0;

		if (sl_decoder_new(SL_FORMAT_AVRO, s, NULL, &d, &err) < 0)
			die("avro decoder", &err);
		for (i = 0; i < n; i++) {
			if (sl_decoder_decode_record(d, vals.buf + start, ends[i] - start, &err) !=
			    0)
				die("avro value", &err);
			start = ends[i];
			if (sl_decoder_rows(d) == 8192 || i + 1 == n) {
				if (sl_decoder_take(d, &b, &err) < 0)
					die("take", &err);
				rows += b->n_rows;
				sl_batch_unref(b);
			}
		}
		sl_decoder_free(d);
	}
	t1 = cpu_now();
	report("sluice Avro single values (from_avro)", t1 - t0, (double)rows, (double)vals.len);
	free(ends);
	sl_strbuf_free(&file);
	sl_strbuf_free(&vals);
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000, len, ob;
	const char *origin;
	char *in = make_input(want ? want : 1, &len, &origin);
	sl_schema *s;
	sl_error err;
	double t0, t1;
	int64_t rows, kept;

	if (sl_schema_parse(INVOICE_DDL, &s, &err) < 0)
		die("schema", &err);
	printf("JSON: %zu invoice lines, %.1f MB, from %s\n", want, len / 1e6, origin);

	t0 = cpu_now();
	bench_sluice(in, len, s, false, &rows, &kept, &ob);
	t1 = cpu_now();
	report("sluice decode (schema-directed scanner)", t1 - t0, (double)rows, (double)len);

	t0 = cpu_now();
	bench_sluice(in, len, s, true, &rows, &kept, &ob);
	t1 = cpu_now();
	report("sluice decode + filter + encode", t1 - t0, (double)rows, (double)len);
	printf("  %-44s %lld of %lld rows kept, %.1f MB written\n", "", (long long)kept,
	       (long long)rows, ob / 1e6);

	t0 = cpu_now();
	bench_jansson(in, len, &rows, &kept, &ob);
	t1 = cpu_now();
	report("jansson json_loadb + test + json_dumps", t1 - t0, (double)rows, (double)len);
	printf("  %-44s %lld of %lld rows kept, %.1f MB written\n", "", (long long)kept,
	       (long long)rows, ob / 1e6);
	printf("  %-44s %9d records/s  %8.1f MB/s  (Fluent Bit 4.2, JSON parser + grep)\n", "peer",
	       430000, 150.0);

	bench_csv(in, len);
	bench_avro(in, len, s);
	sl_type_unref(s);
	free(in);
	return 0;
}
