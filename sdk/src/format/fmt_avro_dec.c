/* fmt_avro_dec.c - Avro binary values (Spark's from_avro form: no header)
 * and object container files, decoded by walking the schema tree straight
 * into the columns.
 *
 * Container files: the header (magic, metadata with avro.schema and
 * avro.codec, sync marker) and then blocks (count, size, data, sync); a
 * block is decoded once it is whole.  Codecs: null and deflate.  A value
 * that does not decode breaks its record; in a container the rest of that
 * block cannot be trusted and is skipped (counted as bad). */
#include <string.h>
#include <zlib.h>

#include "fmt_avro.h"

typedef struct avdec {
	slf_avschema *av;
	size_t *colmap; /* top-level Avro field -> column, or SIZE_MAX: skip */
	bool container;
	bool header_done;
	uint8_t sync[16];
	bool deflate;
	uint8_t *inflated;
	size_t inflated_cap;
} avdec;

#define SKIP SIZE_MAX

typedef struct avscan {
	const uint8_t *p, *end, *start;
	sl_decoder *d;
	int top;
	int depth;
	bool cut;       /* ran out of bytes (more may come in a stream) */
	int64_t budget; /* array and map items left: a value of n bytes may
	                   hold 64 n + 4096 (items of null or of empty
	                   records take no bytes at all) */
} avscan;

#define AVBAD 1

static int bad(avscan *s, const char *msg)
{
	slf_rec_error(s->d, SLF_REC_BROKEN, (size_t)(s->p - s->start), s->top, "%s", msg);
	return AVBAD;
}

static inline bool get_long(avscan *s, int64_t *v)
{
	if (slf_av_get_long(&s->p, s->end, v))
		return true;
	if (s->end - s->p < 10)
		s->cut = true;
	return false;
}

/* Whether n more bytes are there (n >= 0). */
static inline bool have(avscan *s, int64_t n)
{
	if (n <= s->end - s->p)
		return true;
	s->cut = true;
	return false;
}

static int value(avscan *s, slf_av *n, slf_col *c);

static int null_or_skip(slf_col *c)
{
	return c ? slf_col_null(c) : SL_OK;
}

/* Array and map blocks: count (negative: followed by a byte size). */
static int blocks(avscan *s, slf_av *n, slf_col *c)
{
	slf_col *e = c ? &c->kids[0] : NULL;
	int64_t count, size;
	int rc;

	for (;;) {
		if (!get_long(s, &count))
			return bad(s, "truncated block count");
		if (count == 0)
			break;
		if (count < 0) {
			if (count == INT64_MIN || !get_long(s, &size))
				return bad(s, "bad block count");
			count = -count;
		}
		if (!have(s, count))
			return bad(s, "block count larger than the data");
		s->budget -= count;
		if (s->budget < 0)
			return bad(s, "too many array or map items for the size of the value");
		while (count-- > 0) {
			if (n->kind == AV_MAP) {
				int64_t kl;

				if (!get_long(s, &kl) || kl < 0 || !have(s, kl))
					return bad(s, "truncated map key");
				if (e != NULL) {
					if (sl_utf8_valid((const char *)s->p, (size_t)kl) !=
					    (size_t)kl)
						return bad(s, "invalid UTF-8 in a map key");
					rc = slf_col_str(&e->kids[0], (const char *)s->p,
					                 (size_t)kl);
					if (rc < 0)
						return rc;
				}
				s->p += kl;
				rc = value(s, n->kids[0], e ? &e->kids[1] : NULL);
				if (rc == SL_OK && e != NULL)
					rc = slf_col_struct_end(e);
			} else {
				rc = value(s, n->kids[0], e);
			}
			if (rc != SL_OK)
				return rc;
		}
	}
	return c ? slf_col_list_end(c) : SL_OK;
}

static int union_value(avscan *s, slf_av *n, slf_col *c)
{
	int64_t b;
	size_t i;
	int rc;

	if (!get_long(s, &b) || b < 0 || (uint64_t)b >= n->n)
		return bad(s, "bad union branch");
	if (n->kids[b]->kind == AV_NULL)
		return null_or_skip(c);
	if (n->umap != AVU_STRUCT || c == NULL)
		return value(s, n->kids[b], c);
	for (i = 0; i < c->n_kids; i++) {
		if ((int)i == n->member[b])
			rc = value(s, n->kids[b], &c->kids[i]);
		else
			rc = slf_col_null(&c->kids[i]);
		if (rc != SL_OK)
			return rc;
	}
	return slf_col_struct_end(c);
}

static int value(avscan *s, slf_av *n, slf_col *c)
{
	int64_t v, len;
	size_t i;
	int rc;

	switch (n->kind) {
	case AV_NULL:
		return null_or_skip(c);
	case AV_BOOL:
		if (!have(s, 1) || *s->p > 1)
			return bad(s, "bad boolean");
		s->p++;
		return c ? slf_col_bool(c, s->p[-1]) : SL_OK;
	case AV_INT:
	case AV_LONG:
		if (!get_long(s, &v))
			return bad(s, "truncated number");
		if (c == NULL)
			return SL_OK;
		if (n->logical == AVL_TS_MILLIS)
			v = v > INT64_MAX / 1000   ? INT64_MAX
			    : v < INT64_MIN / 1000 ? INT64_MIN
			                           : v * 1000;
		else if (n->logical == AVL_DATE)
			v = v * 86400000000LL;
		return slf_col_i64(c, v);
	case AV_FLOAT: {
		float f;

		if (!have(s, 4))
			return bad(s, "truncated float");
		memcpy(&f, s->p, 4);
		s->p += 4;
		return c ? slf_col_f64(c, (double)f) : SL_OK;
	}
	case AV_DOUBLE: {
		double d;

		if (!have(s, 8))
			return bad(s, "truncated double");
		memcpy(&d, s->p, 8);
		s->p += 8;
		return c ? slf_col_f64(c, d) : SL_OK;
	}
	case AV_BYTES:
	case AV_STRING:
		if (!get_long(s, &len) || len < 0 || !have(s, len))
			return bad(s, "truncated string or bytes");
		if (c != NULL && n->kind == AV_STRING &&
		    sl_utf8_valid((const char *)s->p, (size_t)len) != (size_t)len)
			return bad(s, "invalid UTF-8 in a string");
		s->p += len;
		return c ? slf_col_str(c, (const char *)s->p - len, (size_t)len) : SL_OK;
	case AV_FIXED:
		if (!have(s, n->size))
			return bad(s, "truncated fixed");
		s->p += n->size;
		return c ? slf_col_str(c, (const char *)s->p - n->size, (size_t)n->size) : SL_OK;
	case AV_ENUM:
		if (!get_long(s, &v) || v < 0 || (uint64_t)v >= n->n)
			return bad(s, "bad enum index");
		return c ? slf_col_str(c, n->names[v], n->symlen[v]) : SL_OK;
	case AV_UNION:
		return union_value(s, n, c);
	case AV_ARRAY:
	case AV_MAP:
		if (++s->depth > SLF_MAX_DEPTH)
			return bad(s, "nested too deeply");
		rc = blocks(s, n, c);
		s->depth--;
		return rc;
	case AV_RECORD:
		if (++s->depth > SLF_MAX_DEPTH)
			return bad(s, "nested too deeply");
		for (i = 0; i < n->n; i++) {
			rc = value(s, n->kids[i], c ? &c->kids[i] : NULL);
			if (rc != SL_OK)
				return rc;
		}
		s->depth--;
		return c ? slf_col_struct_end(c) : SL_OK;
	}
	return bad(s, "unsupported type");
}

/* One top-level record value at s->p. */
static int datum(avscan *s, avdec *a)
{
	slf_av *r = a->av->root;
	size_t i;
	int rc;

	for (i = 0; i < r->n; i++) {
		size_t col = a->colmap[i];

		s->top = col == SKIP ? -1 : (int)col;
		rc = value(s, r->kids[i], col == SKIP ? NULL : slf_dcol(s->d, col));
		if (rc != SL_OK)
			return rc;
	}
	s->top = -1;
	return slf_row_end(s->d);
}

/* How much of the input a value may take. */
enum { V_WHOLE, V_STREAM, V_LAST };

/* Decodes one value at the start of buf[0..len) as a record; *used: its
 * bytes.  V_WHOLE: the value is all of buf; V_STREAM: more bytes may
 * follow buf, so a value cut short returns SL_AGAIN (undone). */
static int one_value(sl_decoder *d, const uint8_t *buf, size_t len, int64_t off, int how,
                     size_t *used, sl_error *err)
{
	avscan s = {buf, buf + len, buf, d, -1, 0, false, (int64_t)len * 64 + 4096};
	int rc;

	slf_rec_begin(d, (const char *)buf, off);
	rc = datum(&s, d->impl);
	if (rc < 0)
		return sl_error_set(err, rc, "out of memory");
	if (rc != SL_OK && s.cut && how == V_STREAM) {
		slf_col_truncate(&d->root, d->row0);
		return SL_AGAIN;
	}
	if (rc == SL_OK && how == V_WHOLE && s.p != s.end) {
		slf_rec_error(d, SLF_REC_BROKEN, (size_t)(s.p - buf), -1,
		              "%zu bytes after the value", (size_t)(s.end - s.p));
		s.p = s.end;
	}
	*used = (size_t)(s.p - buf);
	if (d->status == SLF_REC_BROKEN)
		*used = len; /* the next value cannot be found: the rest is lost */
	return slf_rec_end(d, *used, 0, err);
}

/* ------------------------------------------------ binary values stream */

static int avro_decode(sl_decoder *d, const char *buf, size_t len, bool eof, size_t *used,
                       sl_error *err)
{
	const uint8_t *p = (const uint8_t *)buf, *end = p + len;
	int rc;

	*used = 0;
	while (p < end) {
		size_t n;

		rc = one_value(d, p, (size_t)(end - p),
		               d->offset + (int64_t)(p - (const uint8_t *)buf),
		               eof ? V_LAST : V_STREAM, &n, err);
		if (rc == SL_AGAIN)
			break;
		if (rc < 0)
			return rc;
		p += n > 0 ? n : (size_t)(end - p); /* a record of no fields */
		*used = (size_t)(p - (const uint8_t *)buf);
	}
	return SL_OK;
}

static int avro_one(sl_decoder *d, const char *buf, size_t len, sl_error *err)
{
	size_t used;

	return one_value(d, (const uint8_t *)buf, len, d->offset, V_WHOLE, &used, err);
}

/* --------------------------------------------------------- containers */

static int header(sl_decoder *d, avdec *a, const uint8_t *p, const uint8_t *end, size_t *used,
                  sl_error *err);

static int inflate_block(avdec *a, const uint8_t *src, size_t n, const uint8_t **out,
                         size_t *out_len)
{
	z_stream z;
	int zr;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return SL_ENOMEM;
	if (a->inflated_cap < n * 4 + 1024) {
		uint8_t *b = realloc(a->inflated, n * 4 + 1024);

		if (b == NULL) {
			inflateEnd(&z);
			return SL_ENOMEM;
		}
		a->inflated = b;
		a->inflated_cap = n * 4 + 1024;
	}
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	for (;;) {
		z.next_out = a->inflated + z.total_out;
		z.avail_out = (uInt)(a->inflated_cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && z.avail_in == 0 && z.avail_out))
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			inflateEnd(&z);
			return SL_EINVAL;
		}
		if (z.avail_out == 0) {
			size_t cap = a->inflated_cap * 2;
			uint8_t *b;

			if (cap > ((size_t)1 << 31)) {
				inflateEnd(&z);
				return SL_EINVAL;
			}
			b = realloc(a->inflated, cap);
			if (b == NULL) {
				inflateEnd(&z);
				return SL_ENOMEM;
			}
			a->inflated = b;
			a->inflated_cap = cap;
		}
	}
	*out = a->inflated;
	*out_len = z.total_out;
	inflateEnd(&z);
	return SL_OK;
}

/* A block whose bytes are all in [p, end): decodes its count values. */
static int block(sl_decoder *d, avdec *a, const uint8_t *p, const uint8_t *end, int64_t off,
                 size_t *used, sl_error *err)
{
	const uint8_t *q = p, *data;
	int64_t count, size;
	size_t dlen, n;
	int rc;

	*used = 0;
	if (!slf_av_get_long(&q, end, &count) || !slf_av_get_long(&q, end, &size))
		return SL_AGAIN;
	if (count < 0 || size < 0 || size > INT32_MAX) {
		slf_rec_begin(d, (const char *)p, off);
		slf_rec_error(d, SLF_REC_BROKEN, 0, -1, "bad block header");
		*used = (size_t)(end - p);
		return slf_rec_end(d, 0, 0, err);
	}
	if (end - q < size + 16)
		return SL_AGAIN;
	*used = (size_t)(q - p) + (size_t)size + 16;
	if (memcmp(q + size, a->sync, 16) != 0) {
		slf_rec_begin(d, (const char *)p, off);
		slf_rec_error(d, SLF_REC_BROKEN, (size_t)(q + size - p), -1,
		              "sync marker mismatch after a block of %lld records",
		              (long long)count);
		return slf_rec_end(d, 0, 0, err);
	}
	data = q;
	dlen = (size_t)size;
	if (a->deflate) {
		rc = inflate_block(a, q, (size_t)size, &data, &dlen);
		if (rc == SL_ENOMEM)
			return sl_error_set(err, rc, "out of memory");
		if (rc < 0) {
			slf_rec_begin(d, (const char *)p, off);
			slf_rec_error(d, SLF_REC_BROKEN, (size_t)(q - p), -1,
			              "block does not inflate (deflate codec)");
			return slf_rec_end(d, 0, 0, err);
		}
	}
	while (count-- > 0) {
		rc = one_value(d, data, dlen, off, V_LAST, &n, err);
		if (rc < 0)
			return rc;
		if (rc == SL_EOF && count > 0) {
			/* the rest of the block is lost */
			d->stats.bad += count;
			d->stats.records += count;
			d->record += count;
			if (d->opts.o.mode == SL_PARSE_DROPMALFORMED)
				d->stats.dropped += count;
			break;
		}
		data += n;
		dlen -= n;
	}
	return SL_OK;
}

static int container_decode(sl_decoder *d, const char *buf, size_t len, bool eof, size_t *used,
                            sl_error *err)
{
	avdec *a = d->impl;
	const uint8_t *p = (const uint8_t *)buf, *end = p + len;
	size_t n = 0;
	int rc;

	*used = 0;
	if (!a->header_done) {
		rc = header(d, a, p, end, &n, err);
		if (rc < 0)
			return rc;
		if (rc == SL_AGAIN) {
			if (eof && len > 0)
				return sl_error_set(err, SL_EINVAL,
				                    "Avro container header cut short");
			return SL_OK;
		}
		p += n;
		*used = n;
	}
	while (p < end) {
		rc = block(d, a, p, end, d->offset + (int64_t)(p - (const uint8_t *)buf), &n, err);
		if (rc < 0)
			return rc;
		if (rc == SL_AGAIN) {
			if (!eof)
				break;
			slf_rec_begin(d, (const char *)p,
			              d->offset + (int64_t)(p - (const uint8_t *)buf));
			slf_rec_error(d, SLF_REC_BROKEN, 0, -1,
			              "Avro container cut short in a block");
			rc = slf_rec_end(d, 0, 0, err);
			if (rc < 0)
				return rc;
			n = (size_t)(end - p);
		}
		p += n;
		*used = (size_t)(p - (const uint8_t *)buf);
	}
	return SL_OK;
}

static int container_one(sl_decoder *d, const char *buf, size_t len, sl_error *err)
{
	(void)buf;
	(void)len;
	(void)d;
	return sl_error_set(err, SL_EINVAL, "an Avro container file is a stream: feed it");
}

/* ------------------------------------------------------------ set up */

/* Maps the Avro record's fields to the decoder's columns by name; types
 * must agree. */
static int map_columns(sl_decoder *d, avdec *a, sl_error *err)
{
	slf_av *r = a->av->root;
	sl_schema *t = NULL;
	bool nullable;
	size_t i;
	int rc, k;

	rc = slf_av_to_type(r, &t, &nullable, err);
	if (rc < 0)
		return rc;
	free(a->colmap);
	a->colmap = calloc(r->n + 1, sizeof(*a->colmap));
	if (a->colmap == NULL) {
		sl_type_unref(t);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	if (d->schema == NULL) {
		rc = slf_decoder_set_schema(d, t, err);
		sl_type_unref(t);
		for (i = 0; i < r->n; i++)
			a->colmap[i] = i;
		return rc;
	}
	for (i = 0; i < r->n; i++) {
		k = -1;
		{
			size_t j;

			for (j = 0; j < d->schema->n_fields; j++)
				if (strcmp(d->schema->fields[j].name, r->names[i]) == 0)
					k = (int)j;
		}
		if (k < 0 || k == d->corrupt) {
			a->colmap[i] = SKIP;
			continue;
		}
		if (!sl_type_equal(d->schema->fields[k].type, t->fields[i].type)) {
			sl_strbuf x = {0}, y = {0};

			sl_type_format(d->schema->fields[k].type, &x);
			sl_type_format(t->fields[i].type, &y);
			rc = sl_error_set(err, SL_ETYPE,
			                  "column '%s' is %s but the Avro schema makes it %s",
			                  r->names[i], x.buf ? x.buf : "?", y.buf ? y.buf : "?");
			sl_strbuf_free(&x);
			sl_strbuf_free(&y);
			sl_type_unref(t);
			return rc;
		}
		a->colmap[i] = (size_t)k;
	}
	sl_type_unref(t);
	return SL_OK;
}

static int use_schema(sl_decoder *d, avdec *a, const char *text, size_t len, sl_error *err)
{
	int rc = slf_av_parse(text, len, &a->av, err);

	if (rc < 0)
		return rc;
	if (a->av->root->kind != AV_RECORD)
		return sl_error_set(err, SL_EINVAL, "the top-level Avro type must be a record");
	return map_columns(d, a, err);
}

static int header(sl_decoder *d, avdec *a, const uint8_t *p, const uint8_t *end, size_t *used,
                  sl_error *err)
{
	const uint8_t *q = p + 4, *schema = NULL, *codec = NULL;
	int64_t count, kl, vl, schema_len = 0, codec_len = 0;
	int rc;

	if (end - p < 4)
		return SL_AGAIN;
	if (memcmp(p, SLF_AV_MAGIC, 4) != 0)
		return sl_error_set(err, SL_EINVAL, "not an Avro container file (bad magic)");
	for (;;) {
		if (!slf_av_get_long(&q, end, &count))
			return SL_AGAIN;
		if (count == 0)
			break;
		if (count < 0) {
			int64_t sz;

			if (!slf_av_get_long(&q, end, &sz))
				return SL_AGAIN;
			count = count == INT64_MIN ? 0 : -count;
		}
		while (count-- > 0) {
			const uint8_t *k;

			if (!slf_av_get_long(&q, end, &kl))
				return SL_AGAIN;
			if (kl < 0 || kl > 1 << 20)
				return sl_error_set(err, SL_EINVAL,
				                    "Avro container header is corrupt");
			if (end - q < kl)
				return SL_AGAIN;
			k = q;
			q += kl;
			if (!slf_av_get_long(&q, end, &vl))
				return SL_AGAIN;
			if (vl < 0 || vl > 1 << 26)
				return sl_error_set(err, SL_EINVAL,
				                    "Avro container header is corrupt");
			if (end - q < vl)
				return SL_AGAIN;
			if (kl == 11 && memcmp(k, "avro.schema", 11) == 0) {
				schema = q;
				schema_len = vl;
			} else if (kl == 10 && memcmp(k, "avro.codec", 10) == 0) {
				codec = q;
				codec_len = vl;
			}
			q += vl;
		}
	}
	if (end - q < 16)
		return SL_AGAIN;
	memcpy(a->sync, q, 16);
	q += 16;
	if (schema == NULL)
		return sl_error_set(err, SL_EINVAL, "Avro container without avro.schema");
	if (codec != NULL && !(codec_len == 4 && memcmp(codec, "null", 4) == 0)) {
		if (codec_len == 7 && memcmp(codec, "deflate", 7) == 0)
			a->deflate = true;
		else
			return sl_error_set(
			    err, SL_EINVAL,
			    "Avro container codec '%.*s' is not supported (null, deflate)",
			    (int)codec_len, (const char *)codec);
	}
	slf_av_free(a->av);
	a->av = NULL;
	rc = use_schema(d, a, (const char *)schema, (size_t)schema_len, err);
	if (rc < 0)
		return rc;
	a->header_done = true;
	*used = (size_t)(q - p);
	return SL_OK;
}

static void avro_free(void *impl)
{
	avdec *a = impl;

	slf_av_free(a->av);
	free(a->colmap);
	free(a->inflated);
	free(a);
}

int slf_avro_dec_new(sl_decoder *d, bool container, sl_error *err)
{
	avdec *a = calloc(1, sizeof(*a));
	sl_strbuf derived = {0};
	int rc;

	if (a == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	d->impl = a;
	a->container = container;
	if (container && d->opts.o.avro_schema == NULL)
		return SL_OK; /* the header tells */
	if (d->opts.o.avro_schema != NULL)
		return use_schema(d, a, d->opts.o.avro_schema, strlen(d->opts.o.avro_schema), err);
	if (d->schema == NULL)
		return sl_error_set(err, SL_EINVAL, "Avro decoder needs avroSchema or a schema");
	{
		/* the Avro form of the schema (without the corrupt column) */
		sl_schema *s = d->schema;
		sl_field *f = calloc(s->n_fields + 1, sizeof(*f));
		sl_schema *plain;
		size_t i, n = 0;

		if (f == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		for (i = 0; i < s->n_fields; i++)
			if ((int)i != d->corrupt)
				f[n++] = s->fields[i];
		plain = sl_type_struct(n, f);
		free(f);
		if (plain == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_schema_to_avro(plain, d->opts.o.record_name, d->opts.o.record_namespace,
		                       &derived, err);
		sl_type_unref(plain);
	}
	if (rc == SL_OK)
		rc = use_schema(d, a, derived.buf, derived.len, err);
	sl_strbuf_free(&derived);
	return rc;
}

const slf_codec slf_avro_codec = {avro_decode, avro_one, NULL, avro_free};
const slf_codec slf_avro_file_codec = {container_decode, container_one, NULL, avro_free};
