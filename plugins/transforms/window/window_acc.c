/* window_acc.c - accumulators of the window plugin, held column by column
 * in an acc_store (one row per cell, or per merged window).
 *
 * The update loops run once per aggregate over the (input row, cell) pairs
 * of a batch.  Every accumulator can be merged into another, which is how
 * sliding windows are made from their panes and sessions from the sessions
 * a record bridges.  first/last follow arrival order (Spark's first() and
 * last()): each value keeps the arrival number of its row.  count distinct
 * keeps a set of 64-bit hashes of the values per row.
 */
#include "window.h"

/* ---- stores ---- */

int w_store_init(win_ctx *c, acc_store *s)
{
	memset(s, 0, sizeof(*s));
	s->a = calloc(c->n_aggs ? c->n_aggs : 1, sizeof(*s->a));
	return s->a ? SL_OK : SL_ENOMEM;
}

void w_store_free(win_ctx *c, acc_store *s)
{
	if (s->a != NULL)
		for (size_t j = 0; j < c->n_aggs; j++) {
			acc_col *a = &s->a[j];
			if (a->set != NULL)
				for (uint32_t i = 0; i < s->cap; i++)
					free(a->set[i]);
			free(a->cnt);
			free(a->i64);
			free(a->f64);
			free(a->off);
			free(a->len);
			free(a->seq);
			free(a->vok);
			free(a->set);
			free(a->arena);
		}
	free(s->a);
	free(s->key);
	free(s->start);
	free(s->end);
	memset(s, 0, sizeof(*s));
}

int w_store_grow(win_ctx *c, acc_store *s, uint32_t need)
{
	size_t oc = s->cap, nc = oc ? oc : 256;
	int rc = SL_OK;

	if (need <= s->cap)
		return SL_OK;
	while (nc < need)
		nc *= 2;
	rc |= sl_grow_array(&s->key, sizeof(uint32_t), oc, nc, 0);
	rc |= sl_grow_array(&s->start, sizeof(int64_t), oc, nc, 0);
	rc |= sl_grow_array(&s->end, sizeof(int64_t), oc, nc, 0);
	for (size_t j = 0; j < c->n_aggs; j++) {
		const wagg *g = &c->aggs[j];
		acc_col *a = &s->a[j];
		rc |= sl_grow_array(&a->cnt, sizeof(int64_t), oc, nc, 0);
		switch (g->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			rc |= sl_grow_array(&a->i64, sizeof(int64_t), oc, nc, 0);
			break;
		case A_SUM_F64:
		case A_AVG:
			rc |= sl_grow_array(&a->f64, sizeof(double), oc, nc, 0);
			break;
		case A_FIRST:
		case A_LAST:
			rc |= sl_grow_array(&a->seq, sizeof(int64_t), oc, nc, 0);
			rc |= sl_grow_array(&a->vok, 1, oc, nc, 0);
			/* fall through */
		case A_MIN:
		case A_MAX:
			if (g->vkind == SL_VALUE_F64) {
				rc |= sl_grow_array(&a->f64, sizeof(double), oc, nc, 0);
			} else if (g->vkind == SL_VALUE_STR) {
				rc |= sl_grow_array(&a->off, sizeof(uint64_t), oc, nc, 0);
				rc |= sl_grow_array(&a->len, sizeof(uint32_t), oc, nc, 0);
			} else {
				rc |= sl_grow_array(&a->i64, sizeof(int64_t), oc, nc, 0);
			}
			break;
		case A_DISTINCT:
			rc |= sl_grow_array(&a->set, sizeof(dset *), oc, nc, 0);
			break;
		}
	}
	if (rc != SL_OK)
		return SL_ENOMEM;
	s->cap = (uint32_t)nc;
	return SL_OK;
}

void w_acc_clear(win_ctx *c, acc_store *s, uint32_t i)
{
	for (size_t j = 0; j < c->n_aggs; j++) {
		acc_col *a = &s->a[j];
		a->cnt[i] = 0;
		if (a->set != NULL) {
			free(a->set[i]);
			a->set[i] = NULL;
		}
		if (a->i64 != NULL)
			a->i64[i] = 0;
		if (a->f64 != NULL)
			a->f64[i] = 0;
		if (a->vok != NULL)
			a->vok[i] = 0;
	}
}

void w_acc_move(win_ctx *c, acc_store *s, uint32_t i, uint32_t j)
{
	s->key[i] = s->key[j];
	s->start[i] = s->start[j];
	s->end[i] = s->end[j];
	for (size_t k = 0; k < c->n_aggs; k++) {
		acc_col *a = &s->a[k];
		a->cnt[i] = a->cnt[j];
		if (a->i64)
			a->i64[i] = a->i64[j];
		if (a->f64)
			a->f64[i] = a->f64[j];
		if (a->off) {
			a->off[i] = a->off[j];
			a->len[i] = a->len[j];
		}
		if (a->seq)
			a->seq[i] = a->seq[j];
		if (a->vok)
			a->vok[i] = a->vok[j];
		if (a->set) {
			free(a->set[i]);
			a->set[i] = a->set[j];
			a->set[j] = NULL;
		}
	}
}

/* ---- count distinct sets ---- */

static int dset_add(dset **ps, uint64_t h)
{
	dset *s = *ps;
	uint32_t pos;

	if (h == 0)
		h = 1;
	if (s == NULL || (s->n + 1) * 2 > s->cap) {
		uint32_t cap = s ? s->cap * 2 : 8;
		dset *ns = calloc(1, sizeof(dset) + cap * sizeof(uint64_t));
		if (ns == NULL)
			return SL_ENOMEM;
		ns->cap = cap;
		if (s != NULL) {
			for (uint32_t k = 0; k < s->cap; k++) {
				uint64_t v = s->slot[k];
				if (v == 0)
					continue;
				pos = (uint32_t)(sl_hash_fmix(v) & (cap - 1));
				while (ns->slot[pos] != 0)
					pos = (pos + 1) & (cap - 1);
				ns->slot[pos] = v;
				ns->n++;
			}
			free(s);
		}
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

static uint64_t value_hash(const sl_array *a, sl_value_kind k, int64_t i)
{
	switch (k) {
	case SL_VALUE_I64:
		return sl_hash_fmix((uint64_t)sl_array_i64(a)[i] ^ SL_HASH_K2);
	case SL_VALUE_BOOL:
		return sl_hash_fmix((uint64_t)sl_array_bool(a, i) ^ SL_HASH_K2);
	case SL_VALUE_F64:
		return sl_hash_fmix(sl_double_bits(sl_norm_double(sl_array_f64(a)[i])) ^
		                    SL_HASH_K1);
	case SL_VALUE_STR: {
		sl_strview v = sl_array_str(a, i);
		return sl_hash_bytes(v.ptr, v.len);
	}
	case SL_VALUE_NULL:
		break;
	}
	return 0;
}

/* ---- ordering values ---- */

static inline bool f64_less(double a, double b) /* NaN is the largest */
{
	if (isnan(a))
		return false;
	return isnan(b) || a < b;
}

static inline int str_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);
	return r ? r : (al > bl) - (al < bl);
}

/* ---- updates from a batch ---- */

/* String min/max/first/last: the best row of each cell within this call,
 * then one comparison and at most one copy per cell (no per-row arena
 * growth). */
static int update_str(win_ctx *c, const wagg *g, acc_col *a, const sl_array *v, int64_t m,
                      int64_t seq0)
{
	const int32_t *rows = c->rows;
	const uint32_t *cids = c->cids;
	int32_t *best = c->late;  /* reused: the call's best input row per entry */
	uint32_t *list = c->kids; /* reused: distinct cells in this call */
	uint32_t n_list = 0;

	for (int64_t r = 0; r < m; r++) {
		uint32_t cell = cids[r];
		int32_t row = rows[r];
		if (!sl_array_valid(v, row) && g->kind != A_FIRST && g->kind != A_LAST)
			continue;
		/* c->fwd doubles as the per-cell slot (W_NONE when unused). */
		if (c->fwd[cell] == W_NONE) {
			c->fwd[cell] = n_list;
			list[n_list] = cell;
			best[n_list++] = (int32_t)r;
			continue;
		}
		{
			uint32_t li = c->fwd[cell];
			int32_t br = rows[best[li]];
			switch (g->kind) {
			case A_FIRST:
				break;
			case A_LAST:
				best[li] = (int32_t)r;
				break;
			default: {
				sl_strview x = sl_array_str(v, row), y = sl_array_str(v, br);
				int cmp = str_cmp(x.ptr, x.len, y.ptr, y.len);
				if (g->kind == A_MIN ? cmp < 0 : cmp > 0)
					best[li] = (int32_t)r;
			}
			}
		}
	}
	for (uint32_t li = 0; li < n_list; li++) {
		uint32_t cell = list[li];
		int32_t r = best[li], row = rows[r];
		bool take;
		sl_strview x;
		c->fwd[cell] = W_NONE;
		switch (g->kind) {
		case A_FIRST:
			take = a->cnt[cell] == 0;
			break;
		case A_LAST:
			take = true;
			break;
		default:
			x = sl_array_str(v, row);
			take =
			    a->cnt[cell] == 0 ||
			    (g->kind == A_MIN
			         ? str_cmp(x.ptr, x.len, a->arena + a->off[cell], a->len[cell]) < 0
			         : str_cmp(x.ptr, x.len, a->arena + a->off[cell], a->len[cell]) >
			               0);
		}
		/* Counting: every contributing row (first/last) or value. */
		if (!take) {
			a->cnt[cell]++;
			continue;
		}
		a->cnt[cell]++;
		if (a->seq != NULL) {
			a->seq[cell] = seq0 + row;
			a->vok[cell] = sl_array_valid(v, row);
			if (!a->vok[cell])
				continue;
		}
		x = sl_array_str(v, row);
		if (sl_arena_put(&a->arena, &a->alen, &a->acap, x.ptr, x.len, &a->off[cell]) < 0)
			return SL_ENOMEM;
		a->len[cell] = (uint32_t)x.len;
	}
	return SL_OK;
}

static int update_one(win_ctx *c, const wagg *g, acc_col *a, const sl_array *v, int64_t m,
                      int64_t seq0)
{
	const int32_t *rows = c->rows;
	const uint32_t *cids = c->cids;
	const uint8_t *va = v && v->validity ? v->validity->data : NULL;

	switch (g->kind) {
	case A_COUNT_STAR:
		for (int64_t r = 0; r < m; r++)
			a->cnt[cids[r]]++;
		return SL_OK;
	case A_COUNT:
		if (va == NULL)
			for (int64_t r = 0; r < m; r++)
				a->cnt[cids[r]]++;
		else
			for (int64_t r = 0; r < m; r++)
				a->cnt[cids[r]] += sl_bit_get(va, rows[r]);
		return SL_OK;
	case A_SUM_I64: {
		const int64_t *x = sl_array_i64(v);
		if (va == NULL) {
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				a->cnt[k]++;
				a->i64[k] = (int64_t)((uint64_t)a->i64[k] + (uint64_t)x[rows[r]]);
			}
		} else {
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				if (!sl_bit_get(va, rows[r]))
					continue;
				a->cnt[k]++;
				a->i64[k] = (int64_t)((uint64_t)a->i64[k] + (uint64_t)x[rows[r]]);
			}
		}
		return SL_OK;
	}
	case A_SUM_F64:
	case A_AVG:
		if (v->type->id == SL_TYPE_INT64) {
			const int64_t *x = sl_array_i64(v);
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				if (va && !sl_bit_get(va, rows[r]))
					continue;
				a->cnt[k]++;
				a->f64[k] += (double)x[rows[r]];
			}
		} else {
			const double *x = sl_array_f64(v);
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				if (va && !sl_bit_get(va, rows[r]))
					continue;
				a->cnt[k]++;
				a->f64[k] += x[rows[r]];
			}
		}
		return SL_OK;
	case A_MIN:
	case A_MAX: {
		bool is_min = g->kind == A_MIN;
		if (g->vkind == SL_VALUE_STR)
			return update_str(c, g, a, v, m, seq0);
		if (g->vkind == SL_VALUE_F64) {
			const double *x = sl_array_f64(v);
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				double d;
				if (va && !sl_bit_get(va, rows[r]))
					continue;
				d = x[rows[r]];
				if (a->cnt[k]++ == 0 ||
				    (is_min ? f64_less(d, a->f64[k]) : f64_less(a->f64[k], d)))
					a->f64[k] = d;
			}
		} else {
			for (int64_t r = 0; r < m; r++) {
				uint32_t k = cids[r];
				int64_t d;
				if (va && !sl_bit_get(va, rows[r]))
					continue;
				d = g->vkind == SL_VALUE_BOOL ? (int64_t)sl_array_bool(v, rows[r])
				                              : sl_array_i64(v)[rows[r]];
				if (a->cnt[k]++ == 0 || (is_min ? d < a->i64[k] : d > a->i64[k]))
					a->i64[k] = d;
			}
		}
		return SL_OK;
	}
	case A_FIRST:
	case A_LAST: {
		bool last = g->kind == A_LAST;
		if (g->vkind == SL_VALUE_STR)
			return update_str(c, g, a, v, m, seq0);
		for (int64_t r = 0; r < m; r++) {
			uint32_t k = cids[r];
			int32_t row = rows[r];
			if (a->cnt[k]++ != 0 && !last)
				continue;
			a->seq[k] = seq0 + row;
			a->vok[k] = sl_array_valid(v, row);
			if (!a->vok[k])
				continue;
			if (g->vkind == SL_VALUE_F64)
				a->f64[k] = sl_array_f64(v)[row];
			else if (g->vkind == SL_VALUE_BOOL)
				a->i64[k] = sl_array_bool(v, row);
			else if (g->vkind == SL_VALUE_I64)
				a->i64[k] = sl_array_i64(v)[row];
		}
		return SL_OK;
	}
	case A_DISTINCT:
		for (int64_t r = 0; r < m; r++) {
			uint32_t k = cids[r];
			if (va && !sl_bit_get(va, rows[r]))
				continue;
			a->cnt[k]++;
			if (dset_add(&a->set[k], value_hash(v, g->vkind, rows[r])) < 0)
				return SL_ENOMEM;
		}
		return SL_OK;
	}
	return SL_OK;
}

int w_acc_update(win_ctx *c, const sl_batch *in, int64_t m, sl_error *err)
{
	int64_t seq0 = c->next_row_seq;
	int rc = SL_OK;

	c->next_row_seq += in->n_rows;
	for (size_t j = 0; j < c->n_aggs && rc >= 0; j++) {
		const wagg *g = &c->aggs[j];
		sl_array *v = NULL;
		if (g->arg != NULL) {
			if (g->arg_col >= 0)
				v = sl_array_ref(in->columns[g->arg_col]);
			else if ((rc = sl_expr_eval(g->arg, in, &v, err)) < 0)
				return rc;
		}
		if (v != NULL && v->type->id == SL_TYPE_NULL && g->kind != A_COUNT_STAR &&
		    g->kind != A_FIRST && g->kind != A_LAST) {
			sl_array_unref(v);
			continue; /* all null: nothing to count */
		}
		rc = update_one(c, g, &c->cells.a[j], v, m, seq0);
		sl_array_unref(v);
		if (rc < 0)
			rc = sl_error_set(err, rc, "out of memory");
	}
	return rc;
}

/* ---- merging ---- */

static int copy_str(acc_col *d, uint32_t i, const acc_col *s, uint32_t j)
{
	d->len[i] = s->len[j];
	return sl_arena_put(&d->arena, &d->alen, &d->acap, s->arena + s->off[j], s->len[j],
	                    &d->off[i]);
}

static int copy_value(const wagg *g, acc_col *d, uint32_t i, const acc_col *s, uint32_t j)
{
	switch (g->vkind) {
	case SL_VALUE_F64:
		d->f64[i] = s->f64[j];
		break;
	case SL_VALUE_STR:
		return copy_str(d, i, s, j);
	case SL_VALUE_NULL:
		break;
	default:
		d->i64[i] = s->i64[j];
	}
	return SL_OK;
}

int w_acc_merge(win_ctx *c, acc_store *dst, uint32_t i, const acc_store *src, uint32_t j)
{
	for (size_t k = 0; k < c->n_aggs; k++) {
		const wagg *g = &c->aggs[k];
		acc_col *d = &dst->a[k];
		const acc_col *s = &src->a[k];
		int64_t sc = s->cnt[j], dc = d->cnt[i];
		bool take;
		if (sc == 0)
			continue;
		d->cnt[i] = dc + sc;
		switch (g->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			break;
		case A_SUM_I64:
			d->i64[i] = (int64_t)((uint64_t)d->i64[i] + (uint64_t)s->i64[j]);
			break;
		case A_SUM_F64:
		case A_AVG:
			d->f64[i] += s->f64[j];
			break;
		case A_MIN:
		case A_MAX: {
			int cmp;
			if (dc == 0) {
				take = true;
			} else {
				if (g->vkind == SL_VALUE_F64)
					cmp = f64_less(s->f64[j], d->f64[i])   ? -1
					      : f64_less(d->f64[i], s->f64[j]) ? 1
					                                       : 0;
				else if (g->vkind == SL_VALUE_STR)
					cmp = str_cmp(s->arena + s->off[j], s->len[j],
					              d->arena + d->off[i], d->len[i]);
				else
					cmp = (s->i64[j] > d->i64[i]) - (s->i64[j] < d->i64[i]);
				take = g->kind == A_MIN ? cmp < 0 : cmp > 0;
			}
			if (take && copy_value(g, d, i, s, j) < 0)
				return SL_ENOMEM;
			break;
		}
		case A_FIRST:
		case A_LAST:
			take = dc == 0 ||
			       (g->kind == A_FIRST ? s->seq[j] < d->seq[i] : s->seq[j] > d->seq[i]);
			if (!take)
				break;
			d->seq[i] = s->seq[j];
			d->vok[i] = s->vok[j];
			if (s->vok[j] && copy_value(g, d, i, s, j) < 0)
				return SL_ENOMEM;
			break;
		case A_DISTINCT:
			if (s->set[j] != NULL)
				for (uint32_t q = 0; q < s->set[j]->cap; q++)
					if (s->set[j]->slot[q] != 0 &&
					    dset_add(&d->set[i], s->set[j]->slot[q]) < 0)
						return SL_ENOMEM;
			break;
		}
	}
	return SL_OK;
}

/* ---- output ---- */

sl_array *w_acc_column(win_ctx *c, size_t j, const acc_store *s, const uint32_t *idx, size_t m)
{
	const wagg *g = &c->aggs[j];
	const acc_col *a = &s->a[j];
	sl_builder *b = sl_builder_new(g->out_type, (int64_t)m);
	sl_array *out = NULL;
	int rc = SL_OK;

	if (b == NULL)
		return NULL;
	for (size_t r = 0; r < m && rc >= 0; r++) {
		uint32_t i = idx[r];
		int64_t n = a->cnt[i];
		switch (g->kind) {
		case A_COUNT_STAR:
		case A_COUNT:
			rc = sl_builder_append_int64(b, n);
			break;
		case A_DISTINCT:
			rc = sl_builder_append_int64(b, a->set[i] ? a->set[i]->n : 0);
			break;
		case A_SUM_I64:
			rc = n ? sl_builder_append_int64(b, a->i64[i]) : sl_builder_append_null(b);
			break;
		case A_SUM_F64:
			rc = n ? sl_builder_append_double(b, a->f64[i]) : sl_builder_append_null(b);
			break;
		case A_AVG:
			rc = n ? sl_builder_append_double(b, a->f64[i] / (double)n)
			       : sl_builder_append_null(b);
			break;
		case A_MIN:
		case A_MAX:
		case A_FIRST:
		case A_LAST:
			if (n == 0 || g->vkind == SL_VALUE_NULL || (a->vok != NULL && !a->vok[i])) {
				rc = sl_builder_append_null(b);
				break;
			}
			switch (g->vkind) {
			case SL_VALUE_F64:
				rc = sl_builder_append_double(b, a->f64[i]);
				break;
			case SL_VALUE_BOOL:
				rc = sl_builder_append_bool(b, a->i64[i] != 0);
				break;
			case SL_VALUE_STR:
				rc = sl_builder_append_string(b, a->arena + a->off[i], a->len[i]);
				break;
			default:
				rc = sl_builder_append_int64(b, a->i64[i]);
			}
			break;
		}
	}
	if (rc >= 0)
		out = sl_builder_finish(b);
	sl_builder_free(b);
	return out;
}

int w_acc_compact_arenas(win_ctx *c)
{
	acc_store *s = &c->cells;

	for (size_t j = 0; j < c->n_aggs; j++) {
		acc_col *a = &s->a[j];
		size_t live = 0, pos = 0;
		char *na;
		if (a->off == NULL)
			continue;
		for (uint32_t i = 0; i < s->n; i++)
			if (a->cnt[i] > 0)
				live += a->len[i];
		if (a->alen <= 2 * live + (1u << 20))
			continue;
		na = malloc(live ? live : 1);
		if (na == NULL)
			return SL_ENOMEM;
		for (uint32_t i = 0; i < s->n; i++) {
			if (a->cnt[i] == 0)
				continue;
			memcpy(na + pos, a->arena + a->off[i], a->len[i]);
			a->off[i] = pos;
			pos += a->len[i];
		}
		free(a->arena);
		a->arena = na;
		a->alen = pos;
		a->acap = live ? live : 1;
	}
	return SL_OK;
}

size_t w_acc_bytes(const win_ctx *c, const acc_store *s)
{
	size_t per = sizeof(uint32_t) + 2 * sizeof(int64_t), bytes = 0;

	for (size_t j = 0; j < c->n_aggs; j++) {
		const acc_col *a = &s->a[j];
		per += 16;
		bytes += a->acap;
		if (a->set != NULL)
			for (uint32_t i = 0; i < s->n; i++)
				if (a->set[i] != NULL)
					bytes += sizeof(dset) + a->set[i]->cap * sizeof(uint64_t);
	}
	return bytes + per * s->cap;
}
