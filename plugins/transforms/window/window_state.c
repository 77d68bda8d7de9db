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

static void put_key(sl_wbuf *e, uint8_t tag, const win_ctx *c, uint32_t g)
{
	sl_wbuf_u8(e, tag);
	sl_group_table_encode_key(c->groups, g, e);
}

static void put_start(sl_wbuf *e, int64_t start)
{
	uint64_t u = (uint64_t)start ^ (1ull << 63);

	for (int i = 7; i >= 0; i--)
		sl_wbuf_u8(e, (uint8_t)(u >> (8 * i)));
}

static void put_cell_value(sl_wbuf *e, const win_ctx *c, uint32_t i)
{
	const acc_store *s = &c->cells;

	sl_wbuf_uvarint(e, (uint64_t)c->kseq[s->key[i]]);
	sl_wbuf_i64(e, s->end[i]);
	for (size_t j = 0; j < c->n_aggs; j++) {
		const wagg *g = &c->aggs[j];
		const acc_col *a = &s->a[j];
		int64_t n = a->cnt[i];
		sl_wbuf_uvarint(e, (uint64_t)n);
		if (n == 0)
			continue;
		switch (g->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			sl_wbuf_i64(e, a->i64[i]);
			break;
		case A_SUM_F64:
		case A_AVG:
			sl_wbuf_f64(e, a->f64[i]);
			break;
		case A_FIRST:
		case A_LAST:
			sl_wbuf_i64(e, a->seq[i]);
			sl_wbuf_u8(e, a->vok[i]);
			if (!a->vok[i])
				break;
			/* fall through */
		case A_MIN:
		case A_MAX:
			sl_wbuf_value(e, g->vkind, a->i64 ? a->i64[i] : 0, a->f64 ? a->f64[i] : 0,
			              a->off ? a->arena + a->off[i] : NULL, a->len ? a->len[i] : 0);
			break;
		case A_DISTINCT: {
			const dset *d = a->set[i];
			sl_wbuf_uvarint(e, d ? d->n : 0);
			for (uint32_t q = 0; d != NULL && q < d->cap; q++)
				if (d->slot[q] != 0)
					for (int b = 0; b < 8; b++)
						sl_wbuf_u8(e, (uint8_t)(d->slot[q] >> (8 * b)));
			break;
		}
		}
	}
}

static int del_key(win_ctx *c, uint32_t key, int64_t start, sl_error *err)
{
	sl_wbuf *e = &c->rec;

	sl_wbuf_reset(e);

	put_key(e, TAG_CELL, c, key);
	put_start(e, start);
	if (e->oom)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	return sl_state_del(c->st, c->rec.data, e->len, err);
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
		sl_wbuf *e = &c->rec;

		sl_wbuf_reset(e);
		size_t klen;
		/* A session that grew to the left has a new key. */
		if (c->pstart[i] != SL_NO_WATERMARK && c->pstart[i] != c->cells.start[i] &&
		    (rc = w_state_del_cell(c, i, err)) < 0)
			break;
		put_key(e, TAG_CELL, c, c->cells.key[i]);
		put_start(e, c->cells.start[i]);
		klen = e->len;
		put_cell_value(e, c, i);
		if (e->oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec.data, klen, c->rec.data + klen, e->len - klen, err);
		c->pstart[i] = c->cells.start[i];
	}
	for (uint32_t g = 0; g < c->nk && rc >= 0 && c->n_runs > 0; g++) {
		sl_wbuf *e = &c->rec;

		sl_wbuf_reset(e);
		size_t klen;
		if (c->kdirty[g] != c->epoch)
			continue;
		put_key(e, TAG_RUN, c, g);
		klen = e->len;
		sl_wbuf_uvarint(e, (uint64_t)c->kseq[g]);
		for (size_t j = 0; j < c->n_runs; j++) {
			sl_wbuf_uvarint(e, (uint64_t)c->runs[j].cnt[g]);
			sl_wbuf_i64(e, c->runs[j].i64[g]);
			sl_wbuf_f64(e, c->runs[j].f64[g]);
		}
		if (e->oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec.data, klen, c->rec.data + klen, e->len - klen, err);
	}
	if (rc >= 0) {
		sl_wbuf *e = &c->rec;

		sl_wbuf_reset(e);
		sl_wbuf_u8(e, TAG_META);
		sl_wbuf_i64(e, c->closed_upto);
		sl_wbuf_uvarint(e, (uint64_t)c->next_row_seq);
		sl_wbuf_uvarint(e, (uint64_t)c->next_kseq);
		if (e->oom)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		rc = sl_state_put(c->st, c->rec.data, 1, c->rec.data + 1, e->len - 1, err);
	}
	return rc;
}

/* ---- decoding ---- */

typedef struct scan_ctx {
	win_ctx *c;
	int rc;
	const char *what;
	size_t n;
} scan_ctx;

static void note_kseq(win_ctx *c, uint32_t g, int64_t seq)
{
	c->kseq[g] = seq;
	if (seq >= c->next_kseq)
		c->next_kseq = seq + 1;
}

static int scan_meta(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	scan_ctx *sc = arg;
	sl_rbuf d = {val, (const uint8_t *)val + vlen, false};

	if (klen != 1)
		return 0;
	sc->c->closed_upto = sl_rbuf_i64(&d);
	sc->c->next_row_seq = (int64_t)sl_rbuf_uvarint(&d);
	sc->c->next_kseq = (int64_t)sl_rbuf_uvarint(&d);
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
	sl_rbuf dk = {(const uint8_t *)key + 1, (const uint8_t *)key + klen, false};
	sl_rbuf d = {val, (const uint8_t *)val + vlen, false};
	int64_t g = w_keys_decode(c, &dk);

	if (g < 0 || dk.p != dk.end)
		goto bad;
	note_kseq(c, (uint32_t)g, (int64_t)sl_rbuf_uvarint(&d));
	for (size_t j = 0; j < c->n_runs; j++) {
		c->runs[j].cnt[g] = (int64_t)sl_rbuf_uvarint(&d);
		c->runs[j].i64[g] = sl_rbuf_i64(&d);
		c->runs[j].f64[g] = sl_rbuf_f64(&d);
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
			pos = (uint32_t)(sl_hash_fmix(s->slot[q]) & (cap - 1));
			while (ns->slot[pos] != 0)
				pos = (pos + 1) & (cap - 1);
			ns->slot[pos] = s->slot[q];
			ns->n++;
		}
		free(s);
		*ps = s = ns;
	}
	pos = (uint32_t)(sl_hash_fmix(h) & (s->cap - 1));
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
	sl_rbuf dk = {(const uint8_t *)key + 1, (const uint8_t *)key + klen, false};
	sl_rbuf d = {val, (const uint8_t *)val + vlen, false};
	int64_t g = w_keys_decode(c, &dk), start = 0;
	uint64_t u = 0;
	uint32_t i;

	if (g < 0)
		goto bad;
	for (int b = 0; b < 8; b++)
		u = (u << 8) | sl_rbuf_u8(&dk);
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
	c->kcells[g]++;
	s->start[i] = start;
	c->pstart[i] = start;
	note_kseq(c, (uint32_t)g, (int64_t)sl_rbuf_uvarint(&d));
	s->end[i] = sl_rbuf_i64(&d);
	for (size_t j = 0; j < c->n_aggs && !d.bad; j++) {
		const wagg *ag = &c->aggs[j];
		acc_col *a = &s->a[j];
		int64_t n = (int64_t)sl_rbuf_uvarint(&d);
		a->cnt[i] = n;
		if (n == 0)
			continue;
		switch (ag->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			a->i64[i] = sl_rbuf_i64(&d);
			break;
		case A_SUM_F64:
		case A_AVG:
			a->f64[i] = sl_rbuf_f64(&d);
			break;
		case A_FIRST:
		case A_LAST:
			a->seq[i] = sl_rbuf_i64(&d);
			a->vok[i] = sl_rbuf_u8(&d);
			if (!a->vok[i])
				break;
			/* fall through */
		case A_MIN:
		case A_MAX:
			if (sl_rbuf_value(&d, ag->vkind, i, a->i64, a->f64, a->off, a->len,
			                  &a->arena, &a->alen, &a->acap) < 0) {
				g = SL_ENOMEM;
				goto bad;
			}
			break;
		case A_DISTINCT: {
			uint64_t m = sl_rbuf_uvarint(&d);
			if (m > (uint64_t)(d.end - d.p) / 8) {
				d.bad = true;
				break;
			}
			for (uint64_t q = 0; q < m; q++) {
				uint64_t h = 0;
				for (int b = 0; b < 8; b++)
					h |= (uint64_t)sl_rbuf_u8(&d) << (8 * b);
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
