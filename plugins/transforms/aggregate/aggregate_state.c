/* aggregate_state.c - the aggregate's groups in the state store.
 *
 * The hot table in aggregate.c is what every row is aggregated into; the
 * store (sl_state.h) is its durable copy.  end_batch writes each group the
 * micro-batch changed as one record, in the batch's transaction; create
 * scans the stage's records back into an empty table.  Records are compact
 * and self-delimiting:
 *
 *   key   = TAG, then per group_by column: 0 (null) or 1 and the value
 *   value = seq, then per aggregate: count, and when count > 0 its
 *           accumulator (sum, or the min/max value)
 *
 * where int64 and timestamp values are zigzag varints, counts and lengths
 * unsigned varints, doubles 8 bytes little-endian (keys normalised: -0.0 is
 * 0.0, one NaN), bools one byte, strings and binaries a length and the
 * bytes.  seq is the group's first-seen sequence number: the scan returns
 * keys in byte order, and sorting by seq gives back the first-seen order the
 * output uses.  TAG names the encoding, so another layout can come later
 * beside this one.  Which aggregates a record holds is not written: the
 * core refuses a checkpoint whose stateful stage changed its keys,
 * aggregates or types (the stage's fingerprint), so the stage reading a
 * record is always the stage that wrote it.
 */
#include "aggregate.h"

#define TAG 0x01

/* ---- encoding ---- */

typedef struct enc {
	agg_ctx *ctx;
	size_t len;
} enc;

static int enc_reserve(enc *e, size_t n)
{
	agg_ctx *ctx = e->ctx;
	size_t cap = ctx->rec_cap ? ctx->rec_cap : 256;
	uint8_t *p;

	if (e->len + n <= ctx->rec_cap)
		return SL_OK;
	while (cap < e->len + n)
		cap *= 2;
	p = realloc(ctx->rec, cap);
	if (p == NULL)
		return SL_ENOMEM;
	ctx->rec = p;
	ctx->rec_cap = cap;
	return SL_OK;
}

/* The put_* helpers write into room reserved beforehand. */
static void put_byte(enc *e, uint8_t b)
{
	e->ctx->rec[e->len++] = b;
}

static void put_uvarint(enc *e, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(e, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(e, (uint8_t)v);
}

static void put_i64(enc *e, int64_t v)
{
	put_uvarint(e, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_f64(enc *e, double d)
{
	uint64_t u = dbits(d);

	for (int i = 0; i < 8; i++)
		put_byte(e, (uint8_t)(u >> (8 * i)));
}

static int put_str(enc *e, const char *p, uint32_t n)
{
	if (enc_reserve(e, 5 + (size_t)n) < 0)
		return SL_ENOMEM;
	put_uvarint(e, n);
	if (n > 0)
		memcpy(e->ctx->rec + e->len, p, n);
	e->len += n;
	return SL_OK;
}

/* One value held per group in one of the ways of key_kind. */
static int put_value(enc *e, key_kind kind, uint32_t g, const int64_t *i64, const double *f64,
                     const uint64_t *off, const uint32_t *len, const char *arena)
{
	if (enc_reserve(e, 10) < 0)
		return SL_ENOMEM;
	switch (kind) {
	case KEY_I64:
		put_i64(e, i64[g]);
		break;
	case KEY_BOOL:
		put_byte(e, i64[g] != 0);
		break;
	case KEY_F64:
		put_f64(e, f64[g]);
		break;
	case KEY_STR:
		return put_str(e, arena + off[g], len[g]);
	case KEY_NULL:
		break;
	}
	return SL_OK;
}

/* The key of group g at the start of ctx->rec; returns its length or < 0. */
static int64_t encode_key(agg_ctx *ctx, uint32_t g)
{
	enc e = {ctx, 0};

	if (enc_reserve(&e, 1) < 0)
		return SL_ENOMEM;
	put_byte(&e, TAG);
	for (size_t c = 0; c < ctx->n_keys; c++) {
		const key_col *k = &ctx->keys[c];
		if (k->kind == KEY_NULL)
			continue;
		if (enc_reserve(&e, 1) < 0)
			return SL_ENOMEM;
		put_byte(&e, k->valid[g] ? 1 : 0);
		if (k->valid[g] &&
		    put_value(&e, k->kind, g, k->i64, k->f64, k->off, k->len, ctx->karena) < 0)
			return SL_ENOMEM;
	}
	return (int64_t)e.len;
}

/* The value of group g, after the key (at ctx->rec + start). */
static int64_t encode_value(agg_ctx *ctx, uint32_t g, size_t start)
{
	enc e = {ctx, start};

	if (enc_reserve(&e, 10) < 0)
		return SL_ENOMEM;
	put_uvarint(&e, (uint64_t)ctx->seq[g]);
	for (size_t j = 0; j < ctx->n_aggs; j++) {
		const agg *a = &ctx->aggs[j];
		int64_t n = a->cnt[g];
		if (enc_reserve(&e, 10) < 0)
			return SL_ENOMEM;
		put_uvarint(&e, (uint64_t)n);
		if (n == 0)
			continue;
		switch (a->kind) {
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			break;
		case AGG_SUM_I64:
			if (put_value(&e, KEY_I64, g, a->i64, NULL, NULL, NULL, NULL) < 0)
				return SL_ENOMEM;
			break;
		case AGG_SUM_F64:
		case AGG_AVG:
			if (put_value(&e, KEY_F64, g, NULL, a->f64, NULL, NULL, NULL) < 0)
				return SL_ENOMEM;
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (put_value(&e, a->vkind, g, a->i64, a->f64, a->off, a->len, a->arena) <
			    0)
				return SL_ENOMEM;
			break;
		}
	}
	return (int64_t)(e.len - start);
}

int agg_state_save(agg_ctx *ctx, sl_error *err)
{
	for (uint32_t t = 0; t < ctx->n_touched; t++) {
		uint32_t g = ctx->touched[t];
		int64_t klen = encode_key(ctx, g), vlen;
		int rc;
		if (klen < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		vlen = encode_value(ctx, g, (size_t)klen);
		if (vlen < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(ctx->st, ctx->rec, (size_t)klen, ctx->rec + klen, (size_t)vlen,
		                  err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

/* ---- decoding ---- */

typedef struct dec {
	const uint8_t *p, *end;
	bool bad;
} dec;

static uint8_t get_byte(dec *d)
{
	if (d->p >= d->end) {
		d->bad = true;
		return 0;
	}
	return *d->p++;
}

static uint64_t get_uvarint(dec *d)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b = get_byte(d);
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	d->bad = true;
	return 0;
}

static int64_t get_i64(dec *d)
{
	uint64_t u = get_uvarint(d);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static double get_f64(dec *d)
{
	uint64_t u = 0;
	double x;

	for (int i = 0; i < 8; i++)
		u |= (uint64_t)get_byte(d) << (8 * i);
	memcpy(&x, &u, sizeof(x));
	return x;
}

/* A string's bytes, borrowed from the record. */
static const char *get_str(dec *d, uint32_t *n)
{
	uint64_t len = get_uvarint(d);
	const char *p = (const char *)d->p;

	if (d->bad || len > (uint64_t)(d->end - d->p) || len > UINT32_MAX) {
		d->bad = true;
		*n = 0;
		return NULL;
	}
	d->p += len;
	*n = (uint32_t)len;
	return p;
}

static int get_value(dec *d, key_kind kind, uint32_t g, int64_t *i64, double *f64, uint64_t *off,
                     uint32_t *len, char **arena, size_t *alen, size_t *acap)
{
	const char *s;
	uint32_t n;

	switch (kind) {
	case KEY_I64:
		i64[g] = get_i64(d);
		break;
	case KEY_BOOL:
		i64[g] = get_byte(d) != 0;
		break;
	case KEY_F64:
		f64[g] = get_f64(d);
		break;
	case KEY_STR:
		s = get_str(d, &n);
		if (d->bad)
			break;
		if (agg_arena_put(arena, alen, acap, s, n, &off[g]) < 0)
			return SL_ENOMEM;
		len[g] = n;
		break;
	case KEY_NULL:
		break;
	}
	return SL_OK;
}

/* A record as the scan gave it, copied; sorted by seq before decoding. */
typedef struct rec {
	int64_t seq;
	size_t off; /* into the copy buffer: key, then value */
	uint32_t klen, vlen;
} rec;

typedef struct scan_acc {
	rec *recs;
	size_t n, cap;
	uint8_t *buf;
	size_t len, bcap;
	int rc;
} scan_acc;

static int scan_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	scan_acc *sa = arg;
	dec d = {val, (const uint8_t *)val + vlen, false};
	int64_t seq = (int64_t)get_uvarint(&d);

	if (d.bad || klen > UINT32_MAX || vlen > UINT32_MAX) {
		sa->rc = SL_EINVAL;
		return 1;
	}
	if (sa->n == sa->cap) {
		size_t nc = sa->cap ? sa->cap * 2 : 1024;
		rec *nr = realloc(sa->recs, nc * sizeof(*nr));
		if (nr == NULL)
			goto nomem;
		sa->recs = nr;
		sa->cap = nc;
	}
	if (sa->len + klen + vlen > sa->bcap) {
		size_t nc = sa->bcap ? sa->bcap : 65536;
		uint8_t *nb;
		while (nc < sa->len + klen + vlen)
			nc *= 2;
		nb = realloc(sa->buf, nc);
		if (nb == NULL)
			goto nomem;
		sa->buf = nb;
		sa->bcap = nc;
	}
	sa->recs[sa->n++] = (rec){seq, sa->len, (uint32_t)klen, (uint32_t)vlen};
	memcpy(sa->buf + sa->len, key, klen);
	memcpy(sa->buf + sa->len + klen, val, vlen);
	sa->len += klen + vlen;
	return 0;
nomem:
	sa->rc = SL_ENOMEM;
	return 1;
}

static int cmp_seq(const void *a, const void *b)
{
	int64_t x = ((const rec *)a)->seq, y = ((const rec *)b)->seq;
	return (x > y) - (x < y);
}

/* The key columns of a record into group g; its hash into ctx->ghash. */
static int decode_key(agg_ctx *ctx, dec *d, uint32_t g)
{
	uint64_t h = HASH_SEED;

	if (get_byte(d) != TAG)
		d->bad = true;
	for (size_t c = 0; c < ctx->n_keys && !d->bad; c++) {
		key_col *k = &ctx->keys[c];
		bool valid = k->kind != KEY_NULL && get_byte(d) == 1;
		k->valid[g] = valid;
		if (!valid) {
			h = combine(h, HASH_NULL);
			continue;
		}
		if (get_value(d, k->kind, g, k->i64, k->f64, k->off, k->len, &ctx->karena,
		              &ctx->karena_len, &ctx->karena_cap) < 0)
			return SL_ENOMEM;
		switch (k->kind) {
		case KEY_I64:
		case KEY_BOOL:
			h = combine(h, (uint64_t)k->i64[g]);
			break;
		case KEY_F64:
			k->f64[g] = norm_double(k->f64[g]);
			h = combine(h, dbits(k->f64[g]));
			break;
		case KEY_STR:
			h = combine(h, str_hash(ctx->karena + k->off[g], k->len[g]));
			break;
		case KEY_NULL:
			break;
		}
	}
	if (d->p != d->end)
		d->bad = true;
	ctx->ghash[g] = fmix64(h);
	return SL_OK;
}

static int decode_value(agg_ctx *ctx, dec *d, uint32_t g)
{
	ctx->seq[g] = (int64_t)get_uvarint(d);
	for (size_t j = 0; j < ctx->n_aggs && !d->bad; j++) {
		agg *a = &ctx->aggs[j];
		uint64_t n = get_uvarint(d);
		if (n > INT64_MAX)
			d->bad = true;
		a->cnt[g] = (int64_t)n;
		if (n == 0 || d->bad)
			continue;
		switch (a->kind) {
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			break;
		case AGG_SUM_I64:
			a->i64[g] = get_i64(d);
			break;
		case AGG_SUM_F64:
		case AGG_AVG:
			a->f64[g] = get_f64(d);
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (get_value(d, a->vkind, g, a->i64, a->f64, a->off, a->len, &a->arena,
			              &a->arena_len, &a->arena_cap) < 0)
				return SL_ENOMEM;
			if (a->vkind == KEY_STR)
				a->arena_live += a->len[g];
			break;
		}
	}
	if (d->p != d->end)
		d->bad = true;
	return SL_OK;
}

/* Puts group g (already decoded) into the hash table. */
static int insert_group(agg_ctx *ctx, uint32_t g)
{
	uint64_t pos;

	if ((uint64_t)(g + 1) * 2 > ctx->mask + 1 && agg_rehash(ctx) < 0)
		return SL_ENOMEM;
	pos = ctx->ghash[g] & ctx->mask;
	while (ctx->table[pos] != 0)
		pos = (pos + 1) & ctx->mask;
	ctx->table[pos] = g + 1;
	return SL_OK;
}

int agg_state_restore(agg_ctx *ctx, sl_error *err)
{
	const uint8_t prefix[1] = {TAG};
	scan_acc sa = {0};
	int rc = sl_state_scan(ctx->st, prefix, sizeof(prefix), scan_one, &sa, err);

	if (rc < 0)
		goto out;
	if (sa.rc < 0) {
		rc = sa.rc == SL_ENOMEM ? sl_error_set(err, SL_ENOMEM, "out of memory")
		                        : sl_error_set(err, SL_EINVAL,
		                                       "a group's record in the state store is "
		                                       "damaged (bad sequence number)");
		goto out;
	}
	if (ctx->n_keys == 0 && sa.n > 1) {
		rc = sl_error_set(err, SL_EINVAL,
		                  "the state store holds %zu groups for a global aggregate", sa.n);
		goto out;
	}
	if (sa.n > 1)
		qsort(sa.recs, sa.n, sizeof(*sa.recs), cmp_seq);
	for (size_t i = 0; i < sa.n; i++) {
		const rec *r = &sa.recs[i];
		const uint8_t *k = sa.buf + r->off, *v = k + r->klen;
		dec dk = {k, k + r->klen, false}, dv = {v, v + r->vlen, false};
		/* A global aggregate's one group exists already. */
		uint32_t g = ctx->n_keys == 0 ? 0 : ctx->n_groups;
		if (g == ctx->cap_groups && agg_grow_groups(ctx) < 0)
			goto nomem;
		if (ctx->n_keys > 0 && decode_key(ctx, &dk, g) < 0)
			goto nomem;
		if (ctx->n_keys == 0 && (r->klen != 1 || k[0] != TAG))
			dk.bad = true;
		if (decode_value(ctx, &dv, g) < 0)
			goto nomem;
		if (dk.bad || dv.bad) {
			rc = sl_error_set(err, SL_EINVAL,
			                  "the record of group %zu (first seen as #%lld) in the "
			                  "state store is damaged or was written by another "
			                  "version of this stage",
			                  i, (long long)r->seq);
			goto out;
		}
		if (ctx->n_keys > 0) {
			if (insert_group(ctx, g) < 0)
				goto nomem;
			ctx->n_groups++;
		}
		if (r->seq >= ctx->next_seq)
			ctx->next_seq = r->seq + 1;
	}
	if (sa.n > 0)
		sl_log(ctx->st, SL_LOG_INFO, "restored %zu groups from the state store", sa.n);
	rc = SL_OK;
	goto out;
nomem:
	rc = sl_error_set(err, SL_ENOMEM, "out of memory restoring %zu groups", sa.n);
out:
	free(sa.recs);
	free(sa.buf);
	return rc;
}
