/* window_state.c - the window plugin's cells, running totals and progress
 * in the state store (sl_state.h).
 *
 * end_batch writes each cell the micro-batch changed as one record, the
 * running-total base of each key whose closed windows were folded this
 * batch, and one progress record; evicted and merged-away cells are
 * deleted.  create scans everything back.  Records:
 *
 *   'C' key  start(8 bytes, big-endian, sign flipped)  ->  kseq end aggs...
 *   'R' key                                          ->  kseq (cnt i64 f64)...
 *   'M'                                              ->  closed_upto
 *                                                        next_row_seq next_kseq
 *
 * where key is, per group_by column, 0 (null) or 1 and the value; int64
 * and timestamps are zigzag varints, counts and lengths unsigned varints,
 * doubles 8 bytes little-endian, strings a length and the bytes.  Each
 * aggregate is its count and, when non-zero, its accumulator (sum; min,
 * max value; first/last arrival number, a validity byte and the value;
 * count distinct the number of hashes and the hashes).  As for the
 * aggregate stage, the core refuses a checkpoint whose stateful stage
 * changed, so the layout of the options is not written.
 */
#include "window.h"

#define TAG_CELL 'C'
#define TAG_RUN 'R'
#define TAG_META 'M'

/* ---- encoding ---- */

typedef struct enc {
	win_ctx *c;
	size_t len;
	bool oom;
} enc;

static bool reserve(enc *e, size_t n)
{
	win_ctx *c = e->c;
	size_t cap = c->rec_cap ? c->rec_cap : 256;
	uint8_t *p;

	if (e->oom)
		return false;
	if (e->len + n <= c->rec_cap)
		return true;
	while (cap < e->len + n)
		cap *= 2;
	p = realloc(c->rec, cap);
	if (p == NULL) {
		e->oom = true;
		return false;
	}
	c->rec = p;
	c->rec_cap = cap;
	return true;
}

static void put_byte(enc *e, uint8_t b)
{
	if (reserve(e, 1))
		e->c->rec[e->len++] = b;
}

static void put_uv(enc *e, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(e, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_byte(e, (uint8_t)v);
}

static void put_i64(enc *e, int64_t v)
{
	put_uv(e, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_f64(enc *e, double d)
{
	uint64_t u = w_dbits(d);

	for (int i = 0; i < 8; i++)
		put_byte(e, (uint8_t)(u >> (8 * i)));
}

static void put_bytes(enc *e, const void *p, size_t n)
{
	put_uv(e, n);
	if (n > 0 && reserve(e, n)) {
		memcpy(e->c->rec + e->len, p, n);
		e->len += n;
	}
}

static void put_value(enc *e, val_kind k, int64_t i64, double f64, const char *s, uint32_t n)
{
	switch (k) {
	case V_I64:
		put_i64(e, i64);
		break;
	case V_BOOL:
		put_byte(e, i64 != 0);
		break;
	case V_F64:
		put_f64(e, f64);
		break;
	case V_STR:
		put_bytes(e, s, n);
		break;
	case V_NULL:
		break;
	}
}

static void put_key(enc *e, uint8_t tag, uint32_t g)
{
	win_ctx *c = e->c;

	put_byte(e, tag);
	for (size_t j = 0; j < c->n_keys; j++) {
		const wkey *k = &c->keys[j];
		if (k->kind == V_NULL)
			continue;
		put_byte(e, k->valid[g] ? 1 : 0);
		if (k->valid[g])
			put_value(e, k->kind, k->i64 ? k->i64[g] : 0, k->f64 ? k->f64[g] : 0,
			          k->off ? c->karena + k->off[g] : NULL, k->len ? k->len[g] : 0);
	}
}

static void put_start(enc *e, int64_t start)
{
	uint64_t u = (uint64_t)start ^ (1ull << 63);

	for (int i = 7; i >= 0; i--)
		put_byte(e, (uint8_t)(u >> (8 * i)));
}

static void put_cell_value(enc *e, uint32_t i)
{
	win_ctx *c = e->c;
	const acc_store *s = &c->cells;

	put_uv(e, (uint64_t)c->kseq[s->key[i]]);
	put_i64(e, s->end[i]);
	for (size_t j = 0; j < c->n_aggs; j++) {
		const wagg *g = &c->aggs[j];
		const acc_col *a = &s->a[j];
		int64_t n = a->cnt[i];
		put_uv(e, (uint64_t)n);
		if (n == 0)
			continue;
		switch (g->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			put_i64(e, a->i64[i]);
			break;
		case A_SUM_F64:
		case A_AVG:
			put_f64(e, a->f64[i]);
			break;
		case A_FIRST:
		case A_LAST:
			put_i64(e, a->seq[i]);
			put_byte(e, a->vok[i]);
			if (!a->vok[i])
				break;
			/* fall through */
		case A_MIN:
		case A_MAX:
			put_value(e, g->vkind, a->i64 ? a->i64[i] : 0, a->f64 ? a->f64[i] : 0,
			          a->off ? a->arena + a->off[i] : NULL, a->len ? a->len[i] : 0);
			break;
		case A_DISTINCT: {
			const dset *d = a->set[i];
			put_uv(e, d ? d->n : 0);
			for (uint32_t q = 0; d != NULL && q < d->cap; q++)
				if (d->slot[q] != 0)
					for (int b = 0; b < 8; b++)
						put_byte(e, (uint8_t)(d->slot[q] >> (8 * b)));
			break;
		}
		}
	}
}

static int del_key(win_ctx *c, uint32_t key, int64_t start, sl_error *err)
{
	enc e = {c, 0, false};

	put_key(&e, TAG_CELL, key);
	put_start(&e, start);
	if (e.oom)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_state_del(c->st, c->rec, e.len, err);
}

int w_state_del_cell(win_ctx *c, uint32_t i, sl_error *err)
{
	if (c->pstart[i] == SL_NO_WATERMARK)
		return SL_OK; /* never written */
	return del_key(c, c->cells.key[i], c->pstart[i], err);
}

int w_state_save(win_ctx *c, sl_error *err)
{
	int rc = SL_OK;

	for (uint32_t d = 0; d < c->n_pdel && rc >= 0; d++)
		rc = del_key(c, c->pdel[d].key, c->pdel[d].start, err);
	for (uint32_t t = 0; t < c->n_touched && rc >= 0; t++) {
		uint32_t i = c->touched[t];
		enc e = {c, 0, false};
		size_t klen;
		/* A session that grew to the left has a new key. */
		if (c->pstart[i] != SL_NO_WATERMARK && c->pstart[i] != c->cells.start[i] &&
		    (rc = w_state_del_cell(c, i, err)) < 0)
			break;
		put_key(&e, TAG_CELL, c->cells.key[i]);
		put_start(&e, c->cells.start[i]);
		klen = e.len;
		put_cell_value(&e, i);
		if (e.oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec, klen, c->rec + klen, e.len - klen, err);
		c->pstart[i] = c->cells.start[i];
	}
	for (uint32_t g = 0; g < c->nk && rc >= 0 && c->n_runs > 0; g++) {
		enc e = {c, 0, false};
		size_t klen;
		if (c->kdirty[g] != c->epoch)
			continue;
		put_key(&e, TAG_RUN, g);
		klen = e.len;
		put_uv(&e, (uint64_t)c->kseq[g]);
		for (size_t j = 0; j < c->n_runs; j++) {
			put_uv(&e, (uint64_t)c->runs[j].cnt[g]);
			put_i64(&e, c->runs[j].i64[g]);
			put_f64(&e, c->runs[j].f64[g]);
		}
		if (e.oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec, klen, c->rec + klen, e.len - klen, err);
	}
	if (rc >= 0) {
		enc e = {c, 0, false};
		put_byte(&e, TAG_META);
		put_i64(&e, c->closed_upto);
		put_uv(&e, (uint64_t)c->next_row_seq);
		put_uv(&e, (uint64_t)c->next_kseq);
		if (e.oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec, 1, c->rec + 1, e.len - 1, err);
	}
	return rc;
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

static uint64_t get_uv(dec *d)
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
	uint64_t u = get_uv(d);
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

static const char *get_bytes(dec *d, uint32_t *n)
{
	uint64_t len = get_uv(d);
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

/* A value into slot i of (i64, f64, off/len in arena). */
static int get_value(dec *d, val_kind k, uint32_t i, int64_t *i64, double *f64, uint64_t *off,
                     uint32_t *len, char **arena, size_t *alen, size_t *acap)
{
	const char *s;
	uint32_t n;

	switch (k) {
	case V_I64:
		i64[i] = get_i64(d);
		break;
	case V_BOOL:
		i64[i] = get_byte(d) != 0;
		break;
	case V_F64:
		f64[i] = get_f64(d);
		break;
	case V_STR:
		s = get_bytes(d, &n);
		if (d->bad)
			break;
		if (w_arena_put(arena, alen, acap, s, n, &off[i]) < 0)
			return SL_ENOMEM;
		len[i] = n;
		break;
	case V_NULL:
		break;
	}
	return SL_OK;
}

typedef struct scan_ctx {
	win_ctx *c;
	int rc;
	const char *what;
	size_t n;
} scan_ctx;

/* Decodes a record's key columns into key slot nk and finds its id. */
static int64_t get_key(win_ctx *c, dec *d)
{
	uint32_t g;

	if (c->nk == c->kcap && w_keys_grow(c) < 0)
		return SL_ENOMEM;
	g = c->nk;
	for (size_t j = 0; j < c->n_keys && !d->bad; j++) {
		wkey *k = &c->keys[j];
		bool valid = k->kind != V_NULL && get_byte(d) == 1;
		k->valid[g] = valid;
		if (valid && get_value(d, k->kind, g, k->i64, k->f64, k->off, k->len, &c->karena,
		                       &c->karena_len, &c->karena_cap) < 0)
			return SL_ENOMEM;
	}
	if (d->bad)
		return SL_EINVAL;
	return w_keys_insert_filled(c);
}

static void note_kseq(win_ctx *c, uint32_t g, int64_t seq)
{
	c->kseq[g] = seq;
	if (seq >= c->next_kseq)
		c->next_kseq = seq + 1;
}

static int scan_meta(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	scan_ctx *sc = arg;
	dec d = {val, (const uint8_t *)val + vlen, false};

	if (klen != 1)
		return 0;
	sc->c->closed_upto = get_i64(&d);
	sc->c->next_row_seq = (int64_t)get_uv(&d);
	sc->c->next_kseq = (int64_t)get_uv(&d);
	if (d.bad || d.p != d.end) {
		sc->rc = SL_EINVAL;
		sc->what = "the progress record";
		return 1;
	}
	return 0;
}

static int scan_run(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	scan_ctx *sc = arg;
	win_ctx *c = sc->c;
	dec dk = {(const uint8_t *)key + 1, (const uint8_t *)key + klen, false};
	dec d = {val, (const uint8_t *)val + vlen, false};
	int64_t g = get_key(c, &dk);

	if (g < 0 || dk.p != dk.end)
		goto bad;
	note_kseq(c, (uint32_t)g, (int64_t)get_uv(&d));
	for (size_t j = 0; j < c->n_runs; j++) {
		c->runs[j].cnt[g] = (int64_t)get_uv(&d);
		c->runs[j].i64[g] = get_i64(&d);
		c->runs[j].f64[g] = get_f64(&d);
	}
	if (d.bad || d.p != d.end)
		goto bad;
	sc->n++;
	return 0;
bad:
	sc->rc = g == SL_ENOMEM ? SL_ENOMEM : SL_EINVAL;
	sc->what = "a running-total record";
	return 1;
}

static int dset_put(dset **ps, uint64_t h)
{
	dset *s = *ps;
	uint32_t pos;

	if (s == NULL || (s->n + 1) * 2 > s->cap) {
		uint32_t cap = s ? s->cap * 2 : 8;
		dset *ns = calloc(1, sizeof(dset) + cap * sizeof(uint64_t));
		if (ns == NULL)
			return SL_ENOMEM;
		ns->cap = cap;
		for (uint32_t q = 0; s != NULL && q < s->cap; q++) {
			if (s->slot[q] == 0)
				continue;
			pos = (uint32_t)(w_fmix(s->slot[q]) & (cap - 1));
			while (ns->slot[pos] != 0)
				pos = (pos + 1) & (cap - 1);
			ns->slot[pos] = s->slot[q];
			ns->n++;
		}
		free(s);
		*ps = s = ns;
	}
	pos = (uint32_t)(w_fmix(h) & (s->cap - 1));
	while (s->slot[pos] != 0) {
		if (s->slot[pos] == h)
			return SL_OK;
		pos = (pos + 1) & (s->cap - 1);
	}
	s->slot[pos] = h;
	s->n++;
	return SL_OK;
}

static int scan_cell(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	scan_ctx *sc = arg;
	win_ctx *c = sc->c;
	acc_store *s = &c->cells;
	dec dk = {(const uint8_t *)key + 1, (const uint8_t *)key + klen, false};
	dec d = {val, (const uint8_t *)val + vlen, false};
	int64_t g = get_key(c, &dk), start = 0;
	uint64_t u = 0;
	uint32_t i;

	if (g < 0)
		goto bad;
	for (int b = 0; b < 8; b++)
		u = (u << 8) | get_byte(&dk);
	start = (int64_t)(u ^ (1ull << 63));
	if (dk.bad || dk.p != dk.end)
		goto bad;
	i = s->n;
	if (w_cells_grow(c, i + 1) < 0) {
		g = SL_ENOMEM;
		goto bad;
	}
	s->n++;
	w_acc_clear(c, s, i);
	s->key[i] = (uint32_t)g;
	s->start[i] = start;
	c->pstart[i] = start;
	note_kseq(c, (uint32_t)g, (int64_t)get_uv(&d));
	s->end[i] = get_i64(&d);
	for (size_t j = 0; j < c->n_aggs && !d.bad; j++) {
		const wagg *ag = &c->aggs[j];
		acc_col *a = &s->a[j];
		int64_t n = (int64_t)get_uv(&d);
		a->cnt[i] = n;
		if (n == 0)
			continue;
		switch (ag->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			a->i64[i] = get_i64(&d);
			break;
		case A_SUM_F64:
		case A_AVG:
			a->f64[i] = get_f64(&d);
			break;
		case A_FIRST:
		case A_LAST:
			a->seq[i] = get_i64(&d);
			a->vok[i] = get_byte(&d);
			if (!a->vok[i])
				break;
			/* fall through */
		case A_MIN:
		case A_MAX:
			if (get_value(&d, ag->vkind, i, a->i64, a->f64, a->off, a->len, &a->arena,
			              &a->alen, &a->acap) < 0) {
				g = SL_ENOMEM;
				goto bad;
			}
			break;
		case A_DISTINCT: {
			uint64_t m = get_uv(&d);
			if (m > (uint64_t)(d.end - d.p) / 8) {
				d.bad = true;
				break;
			}
			for (uint64_t q = 0; q < m; q++) {
				uint64_t h = 0;
				for (int b = 0; b < 8; b++)
					h |= (uint64_t)get_byte(&d) << (8 * b);
				if (dset_put(&a->set[i], h) < 0) {
					g = SL_ENOMEM;
					goto bad;
				}
			}
			break;
		}
		}
	}
	if (d.bad || d.p != d.end)
		goto bad;
	sc->n++;
	return 0;
bad:
	sc->rc = g == SL_ENOMEM ? SL_ENOMEM : SL_EINVAL;
	sc->what = "a window's record";
	return 1;
}

int w_state_restore(win_ctx *c, sl_error *err)
{
	static const uint8_t meta[1] = {TAG_META}, run[1] = {TAG_RUN}, cell[1] = {TAG_CELL};
	scan_ctx sc = {c, SL_OK, NULL, 0};
	size_t n_runs;
	int rc;

	if ((rc = sl_state_scan(c->st, meta, 1, scan_meta, &sc, err)) < 0)
		return rc;
	if (sc.rc == SL_OK && c->n_runs > 0 &&
	    (rc = sl_state_scan(c->st, run, 1, scan_run, &sc, err)) < 0)
		return rc;
	n_runs = sc.n;
	sc.n = 0;
	if (sc.rc == SL_OK && (rc = sl_state_scan(c->st, cell, 1, scan_cell, &sc, err)) < 0)
		return rc;
	if (sc.rc == SL_ENOMEM)
		return sl_error_set(err, SL_ENOMEM, "out of memory restoring the windows");
	if (sc.rc < 0)
		return sl_error_set(err, SL_EINVAL,
		                    "%s in the state store is damaged or was written by another "
		                    "version of this stage",
		                    sc.what);
	if (w_cells_rehash(c) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory restoring the windows");
	if (sc.n > 0 || n_runs > 0)
		sl_log(c->st, SL_LOG_INFO,
		       "restored %zu windows of %u keys from the state store (closed up to the "
		       "watermark %lld)",
		       sc.n, c->nk, (long long)c->closed_upto);
	return SL_OK;
}
