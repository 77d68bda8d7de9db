/* fmt_avro_enc.c - rows as Avro binary values, and Avro object container
 * files (header, then one block per write, codec null or deflate).
 *
 * The Avro schema is avroSchema or derived from the batch schema
 * (sl_schema_to_avro); its top-level fields are matched with the columns by
 * name.  A column the Avro schema does not have is left out; an Avro field
 * without a column is written as null (it must allow null). */
#include <string.h>
#include <zlib.h>

#include "fmt_avro.h"
#include "fmt_enc.h"

typedef struct aenc {
	slf_avschema *av;
	int *colmap; /* Avro field -> column, or -1 */
	bool container, deflate;
	uint8_t sync[16];
	sl_strbuf block; /* one block's values */
	sl_strbuf zbuf;
} aenc;

static int put(sl_strbuf *out, const void *p, size_t n)
{
	return sl_strbuf_append(out, p, n);
}

static int put_long(sl_strbuf *out, int64_t v)
{
	int rc = slf_sb_reserve(out, 10);

	if (rc < 0)
		return rc;
	out->len += slf_av_put_long(v, (uint8_t *)out->buf + out->len);
	return SL_OK;
}

static int put_bytes(sl_strbuf *out, const char *p, size_t n)
{
	int rc = put_long(out, (int64_t)n);

	return rc < 0 ? rc : put(out, p, n);
}

static int encode(const slf_av *n, const sl_array *a, int64_t i, sl_strbuf *out, sl_error *err);

/* The branch of union n for a value that is null or not. */
static int branch_of(const slf_av *n, bool null, const sl_array *a, int64_t i, int *member)
{
	size_t b;

	*member = -1;
	if (null)
		return n->null_branch;
	if (n->umap != AVU_STRUCT) {
		for (b = 0; b < n->n; b++)
			if (n->kids[b]->kind != AV_NULL) {
				/* merged int/long, float/double: the widest */
				if (n->umap == AVU_MERGED &&
				    (n->kids[b]->kind == AV_INT || n->kids[b]->kind == AV_FLOAT)) {
					size_t c;

					for (c = b + 1; c < n->n; c++)
						if (n->kids[c]->kind == AV_LONG ||
						    n->kids[c]->kind == AV_DOUBLE)
							return (int)c;
				}
				return (int)b;
			}
		return -1;
	}
	for (b = 0; b < n->n; b++) {
		int m = n->member[b];

		if (m >= 0 && !sl_array_is_null(a->children[m], i)) {
			*member = m;
			return (int)b;
		}
	}
	return n->null_branch;
}

static int encode_union(const slf_av *n, const sl_array *a, int64_t i, sl_strbuf *out,
                        sl_error *err)
{
	bool null = a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i);
	int member, b = branch_of(n, null, a, i, &member);
	int rc;

	if (b < 0)
		return sl_error_set(err, SL_EINVAL, "a null where the Avro schema allows none");
	if ((rc = put_long(out, b)) < 0)
		return rc;
	if (n->kids[b]->kind == AV_NULL)
		return SL_OK;
	return encode(n->kids[b], member >= 0 ? a->children[member] : a, i, out, err);
}

static int encode(const slf_av *n, const sl_array *a, int64_t i, sl_strbuf *out, sl_error *err)
{
	int64_t v;
	size_t k;
	int rc;

	if (n->kind == AV_UNION)
		return encode_union(n, a, i, out, err);
	if (n->kind == AV_NULL)
		return SL_OK;
	if (a->type->id == SL_TYPE_NULL || sl_array_is_null(a, i))
		return sl_error_set(err, SL_EINVAL, "a null where the Avro schema allows none");
	switch (n->kind) {
	case AV_BOOL: {
		uint8_t b = sl_array_bool(a, i);

		return put(out, &b, 1);
	}
	case AV_INT:
	case AV_LONG:
		v = sl_array_i64(a)[i];
		if (n->logical == AVL_TS_MILLIS)
			v = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
		else if (n->logical == AVL_DATE)
			v = v >= 0 ? v / 86400000000LL : -((-v + 86399999999LL) / 86400000000LL);
		if (n->kind == AV_INT && (v > INT32_MAX || v < INT32_MIN))
			return sl_error_set(err, SL_EINVAL, "%lld does not fit an Avro int",
			                    (long long)v);
		return put_long(out, v);
	case AV_FLOAT: {
		float f = (float)sl_array_f64(a)[i];

		return put(out, &f, 4);
	}
	case AV_DOUBLE:
		return put(out, &sl_array_f64(a)[i], 8);
	case AV_BYTES:
	case AV_STRING: {
		sl_strview s = sl_array_str(a, i);

		return put_bytes(out, s.ptr, s.len);
	}
	case AV_FIXED: {
		sl_strview s = sl_array_str(a, i);

		if ((int64_t)s.len != n->size)
			return sl_error_set(err, SL_EINVAL, "%zu bytes for an Avro fixed of %lld",
			                    s.len, (long long)n->size);
		return put(out, s.ptr, s.len);
	}
	case AV_ENUM: {
		sl_strview s = sl_array_str(a, i);

		for (k = 0; k < n->n; k++)
			if (n->symlen[k] == s.len && memcmp(n->names[k], s.ptr, s.len) == 0)
				return put_long(out, (int64_t)k);
		return sl_error_set(err, SL_EINVAL, "'%.*s' is not a symbol of enum %s",
		                    (int)(s.len > 40 ? 40 : s.len), s.ptr, n->name);
	}
	case AV_ARRAY:
	case AV_MAP: {
		const int32_t *o = sl_array_offsets(a);
		const sl_array *e = a->children[0];
		int32_t x;

		if (o[i + 1] > o[i] && (rc = put_long(out, o[i + 1] - o[i])) < 0)
			return rc;
		for (x = o[i]; x < o[i + 1]; x++) {
			if (n->kind == AV_MAP) {
				sl_strview key = sl_array_str(e->children[0], x);

				if ((rc = put_bytes(out, key.ptr, key.len)) < 0)
					return rc;
				rc = encode(n->kids[0], e->children[1], x, out, err);
			} else {
				rc = encode(n->kids[0], e, x, out, err);
			}
			if (rc < 0)
				return rc;
		}
		return put_long(out, 0);
	}
	case AV_RECORD:
		for (k = 0; k < n->n; k++)
			if ((rc = encode(n->kids[k], a->children[k], i, out, err)) < 0)
				return rc;
		return SL_OK;
	default:
		return sl_error_set(err, SL_EINVAL, "unsupported Avro type");
	}
}

static int row(sl_encoder *e, sl_array *const *cols, int64_t r, sl_strbuf *out, sl_error *err)
{
	aenc *a = e->impl;
	const slf_av *rec = a->av->root;
	size_t f;
	int rc;

	for (f = 0; f < rec->n; f++) {
		const slf_av *n = rec->kids[f];

		if (a->colmap[f] < 0) /* no column: null (map_columns checked) */
			rc = n->kind == AV_UNION ? put_long(out, n->null_branch) : SL_OK;
		else
			rc = encode(n, cols[a->colmap[f]], r, out, err);
		if (rc < 0) {
			if (rc == SL_ENOMEM)
				sl_error_set(err, rc, "out of memory");
			else
				sl_error_prefix(err, "field '%s'", rec->names[f]);
			return rc;
		}
	}
	return SL_OK;
}

static int avro_row(sl_encoder *e, sl_array *const *cols, int64_t r, sl_strbuf *out, sl_error *err)
{
	size_t start = out->len;
	int rc = row(e, cols, r, out, err);

	if (rc < 0) {
		out->len = start;
		if (out->buf)
			out->buf[start] = '\0';
	}
	return rc;
}

static int avro_batch(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err)
{
	int64_t r;
	int rc;

	for (r = 0; r < b->n_rows; r++)
		if ((rc = avro_row(e, b->columns, r, out, err)) < 0)
			return rc;
	return SL_OK;
}

/* ------------------------------------------------------- containers */

static int file_header(sl_encoder *e, sl_strbuf *out)
{
	aenc *a = e->impl;
	const char *codec = a->deflate ? "deflate" : "null";
	int rc;

	e->started = true;
	rc = put(out, SLF_AV_MAGIC, 4);
	if (rc == SL_OK)
		rc = put_long(out, 2);
	if (rc == SL_OK)
		rc = put_bytes(out, "avro.schema", 11);
	if (rc == SL_OK)
		rc = put_bytes(out, a->av->json, strlen(a->av->json));
	if (rc == SL_OK)
		rc = put_bytes(out, "avro.codec", 10);
	if (rc == SL_OK)
		rc = put_bytes(out, codec, strlen(codec));
	if (rc == SL_OK)
		rc = put_long(out, 0);
	if (rc == SL_OK)
		rc = put(out, a->sync, 16);
	return rc;
}

static int deflate_into(const sl_strbuf *in, sl_strbuf *out)
{
	z_stream z;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return SL_ENOMEM;
	bound = deflateBound(&z, (uLong)in->len);
	sl_strbuf_reset(out);
	rc = slf_sb_reserve(out, bound);
	if (rc == SL_OK) {
		z.next_in = (Bytef *)in->buf;
		z.avail_in = (uInt)in->len;
		z.next_out = (Bytef *)out->buf;
		z.avail_out = (uInt)bound;
		rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? SL_OK : SL_EIO;
		out->len = z.total_out;
	}
	deflateEnd(&z);
	return rc;
}

static int file_batch(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err)
{
	aenc *a = e->impl;
	const sl_strbuf *data = &a->block;
	int64_t r;
	int rc;

	if (!e->started && (rc = file_header(e, out)) < 0)
		return sl_error_set(err, rc, "out of memory");
	if (b->n_rows == 0)
		return SL_OK;
	sl_strbuf_reset(&a->block);
	for (r = 0; r < b->n_rows; r++)
		if ((rc = row(e, b->columns, r, &a->block, err)) < 0)
			return rc;
	if (a->deflate) {
		rc = deflate_into(&a->block, &a->zbuf);
		if (rc < 0)
			return sl_error_set(err, rc, "deflate failed");
		data = &a->zbuf;
	}
	rc = put_long(out, b->n_rows);
	if (rc == SL_OK)
		rc = put_long(out, (int64_t)data->len);
	if (rc == SL_OK)
		rc = put(out, data->buf ? data->buf : "", data->len);
	if (rc == SL_OK)
		rc = put(out, a->sync, 16);
	return rc < 0 ? sl_error_set(err, rc, "out of memory") : SL_OK;
}

static int file_finish(sl_encoder *e, sl_strbuf *out, sl_error *err)
{
	int rc;

	if (e->started)
		return SL_OK;
	rc = file_header(e, out);
	return rc < 0 ? sl_error_set(err, rc, "out of memory") : SL_OK;
}

static void avro_free(void *impl)
{
	aenc *a = impl;

	slf_av_free(a->av);
	free(a->colmap);
	sl_strbuf_free(&a->block);
	sl_strbuf_free(&a->zbuf);
	free(a);
}

static const slf_enc_ops avro_ops = {avro_row, avro_batch, NULL, avro_free};
static const slf_enc_ops file_ops = {avro_row, file_batch, file_finish, avro_free};

/* Matches Avro fields with columns; the types must agree. */
static int map_columns(sl_encoder *e, aenc *a, sl_error *err)
{
	const slf_av *rec = a->av->root;
	size_t f, c;
	sl_type *t = NULL;
	bool nullable;
	int rc;

	a->colmap = calloc(rec->n + 1, sizeof(*a->colmap));
	if (a->colmap == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (f = 0; f < rec->n; f++) {
		a->colmap[f] = -1;
		for (c = 0; c < e->schema->n_fields; c++)
			if (strcmp(e->schema->fields[c].name, rec->names[f]) == 0)
				a->colmap[f] = (int)c;
		rc = slf_av_to_type(rec->kids[f], &t, &nullable, err);
		if (rc < 0)
			return rc;
		if (a->colmap[f] < 0 && !nullable)
			rc = sl_error_set(err, SL_EINVAL,
			                  "Avro field '%s' has no column and does not allow null",
			                  rec->names[f]);
		else if (a->colmap[f] >= 0 &&
		         !sl_type_equal(t, e->schema->fields[a->colmap[f]].type) &&
		         !(t->id == SL_TYPE_INT64 &&
		           e->schema->fields[a->colmap[f]].type->id == SL_TYPE_TIMESTAMP))
			rc = sl_error_set(err, SL_ETYPE, "column '%s' does not match its Avro type",
			                  rec->names[f]);
		sl_type_unref(t);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

int slf_avro_enc_new(sl_encoder *e, bool container, sl_error *err)
{
	aenc *a = calloc(1, sizeof(*a));
	const char *comp = e->opts.o.compression;
	sl_strbuf derived = {0};
	const char *text = e->opts.o.avro_schema;
	uint32_t h = 2166136261u;
	size_t i;
	int rc;

	if (a == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	e->impl = a;
	e->ops = container ? &file_ops : &avro_ops;
	a->container = container;
	if (comp != NULL && strcmp(comp, "null") != 0 && strcmp(comp, "uncompressed") != 0) {
		if (strcmp(comp, "deflate") != 0)
			return sl_error_at(err, SL_EINVAL, "compression", -1,
			                   "Avro compression '%s' is not supported (null, deflate)",
			                   comp);
		a->deflate = true;
	}
	if (text == NULL) {
		rc = sl_schema_to_avro(e->schema, e->opts.o.record_name, e->opts.o.record_namespace,
		                       &derived, err);
		if (rc < 0)
			return rc;
		text = derived.buf;
	}
	rc = slf_av_parse(text, strlen(text), &a->av, err);
	sl_strbuf_free(&derived);
	if (rc < 0)
		return rc;
	if (a->av->root->kind != AV_RECORD)
		return sl_error_set(err, SL_EINVAL, "the top-level Avro type must be a record");
	/* a sync marker from the schema: fixed for one schema, which keeps
	 * output reproducible */
	for (i = 0; a->av->json[i]; i++)
		h = (h ^ (uint8_t)a->av->json[i]) * 16777619u;
	for (i = 0; i < 16; i++) {
		h = h * 1664525u + 1013904223u;
		a->sync[i] = (uint8_t)(h >> 24);
	}
	return map_columns(e, a, err);
}
