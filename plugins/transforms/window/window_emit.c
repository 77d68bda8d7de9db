/* window_emit.c - which windows a batch emits, and how they become rows.
 *
 * A window list is gathered from cells (every cell, the touched ones, or
 * the cells of touched keys), each cell giving its window (tumbling,
 * session) or the size/slide windows its pane belongs to (sliding), kept
 * when its end falls in a range (lo, hi].  The list is sorted by key and
 * end, sliding windows' accumulators are merged from their panes, the
 * running totals are computed per key in end order from the key's base (the
 * windows already closed), and the rows are emitted ordered by start, end,
 * then key (first-seen order).
 */
#include "window.h"

#define W_INF INT64_MAX

static int wins_push(win_ctx *c, uint32_t key, uint32_t cell, int64_t start, int64_t end,
                     uint8_t changed)
{
	if (c->n_wins == c->wins_cap) {
		size_t nc = c->wins_cap ? c->wins_cap * 2 : 1024;
		win *nw = realloc(c->wins, nc * sizeof(*nw));
		if (nw == NULL)
			return SL_ENOMEM;
		c->wins = nw;
		c->wins_cap = nc;
	}
	c->wins[c->n_wins++] = (win){key, cell, start, end, changed};
	return SL_OK;
}

/* The windows of cell i whose end is in (lo, hi]. */
static int cell_windows(win_ctx *c, uint32_t i, int64_t lo, int64_t hi, uint8_t changed)
{
	const acc_store *s = &c->cells;

	if (c->kind != WIN_SLIDING) {
		if (s->end[i] > lo && s->end[i] <= hi)
			return wins_push(c, s->key[i], i, s->start[i], s->end[i], changed);
		return SL_OK;
	}
	for (int64_t ws = w_align(s->start[i], c->slide); ws + c->size > s->start[i];
	     ws -= c->slide) {
		int64_t we = ws + c->size;
		if (we > lo && we <= hi && wins_push(c, s->key[i], W_NONE, ws, we, changed) < 0)
			return SL_ENOMEM;
	}
	return SL_OK;
}

static int cmp_win(const void *pa, const void *pb)
{
	const win *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

/* Sorts by key, end, start; merges duplicates (a sliding window reached
 * from several panes). */
static void wins_sort(win_ctx *c)
{
	size_t j = 0;

	if (c->n_wins > 1)
		qsort(c->wins, c->n_wins, sizeof(win), cmp_win);
	for (size_t i = 0; i < c->n_wins; i++) {
		if (j > 0 && c->wins[j - 1].key == c->wins[i].key &&
		    c->wins[j - 1].start == c->wins[i].start &&
		    c->wins[j - 1].end == c->wins[i].end) {
			c->wins[j - 1].changed |= c->wins[i].changed;
			continue;
		}
		c->wins[j++] = c->wins[i];
	}
	c->n_wins = j;
}

static int64_t find_cell(const win_ctx *c, uint32_t key, int64_t start)
{
	uint64_t pos = w_cell_hash(key, start) & c->cmask;

	for (;;) {
		uint32_t s = c->ctable[pos];
		if (s == 0)
			return -1;
		if (c->cells.start[s - 1] == start && c->cells.key[s - 1] == key)
			return s - 1;
		pos = (pos + 1) & c->cmask;
	}
}

/* Sliding windows: each window's panes merged into c->merged row i. */
static int merge_panes(win_ctx *c, uint32_t *idx)
{
	acc_store *m = &c->merged;
	size_t n = c->n_wins;

	if (w_store_grow(c, m, (uint32_t)n) < 0)
		return SL_ENOMEM;
	for (size_t j = 0; j < c->n_aggs; j++)
		m->a[j].alen = 0;
	for (uint32_t i = 0; i < n; i++) {
		const win *w = &c->wins[i];
		w_acc_clear(c, m, i);
		m->key[i] = w->key;
		m->start[i] = w->start;
		m->end[i] = w->end;
		for (int64_t p = w->start; p < w->end; p += c->pane) {
			int64_t cell = find_cell(c, w->key, p);
			if (cell >= 0 && w_acc_merge(c, m, i, &c->cells, (uint32_t)cell) < 0)
				return SL_ENOMEM;
		}
		idx[i] = i;
	}
	m->n = (uint32_t)n;
	return SL_OK;
}

static sl_array *time_column(const win *w, size_t m, bool end)
{
	sl_builder *b = sl_builder_new(sl_type_timestamp(), (int64_t)m);
	sl_array *a = NULL;
	int rc = SL_OK;

	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < m && rc >= 0; i++)
		rc = sl_builder_append_int64(b, end ? w[i].end : w[i].start);
	if (rc >= 0)
		a = sl_builder_finish(b);
	sl_builder_free(b);
	return a;
}

static sl_array *struct_column(const sl_type *t, const win *w, size_t m)
{
	sl_array *ch[2] = {time_column(w, m, false), time_column(w, m, true)};

	if (ch[0] == NULL || ch[1] == NULL) {
		sl_array_unref(ch[0]);
		sl_array_unref(ch[1]);
		return NULL;
	}
	return sl_array_new((sl_type *)t, (int64_t)m, 0, NULL, NULL, NULL, 2, ch);
}

/* One running total over the (key, end)-sorted windows; folds the totals
 * into the keys' bases when fold. */
static sl_array *running_column(win_ctx *c, wrun *r, const sl_batch *pre, bool fold, sl_error *err)
{
	const win *w = c->wins;
	size_t m = c->n_wins;
	sl_array *arg = NULL, *out = NULL;
	sl_builder *b = NULL;
	uint32_t cur = W_NONE;
	int64_t cnt = 0, si = 0;
	double sf = 0;
	int rc = SL_OK;

	if (r->arg != NULL && sl_expr_eval(r->arg, pre, &arg, err) < 0)
		return NULL;
	b = sl_builder_new(r->out_type, (int64_t)m);
	if (b == NULL)
		goto out;
	for (size_t i = 0; i < m && rc >= 0; i++) {
		uint32_t key = w[i].key;
		bool valid = r->arg == NULL ||
		             (arg->type->id != SL_TYPE_NULL && sl_array_valid(arg, (int64_t)i));
		if (key != cur) {
			cur = key;
			cnt = r->cnt[key];
			si = r->i64[key];
			sf = r->f64[key];
		}
		if (valid) {
			bool dv = arg != NULL && arg->type->id == SL_TYPE_DOUBLE;
			int64_t vi = arg != NULL && !dv ? sl_array_i64(arg)[i] : 0;
			double vf = dv ? sl_array_f64(arg)[i] : (double)vi;
			switch (r->kind) {
			case R_COUNT:
				break;
			case R_SUM:
				if (r->dbl)
					sf += vf;
				else
					si = (int64_t)((uint64_t)si + (uint64_t)vi);
				break;
			case R_AVG:
				sf += vf;
				break;
			case R_MIN:
			case R_MAX: {
				bool better;
				if (r->dbl)
					better = cnt == 0 || (r->kind == R_MIN ? vf < sf : vf > sf);
				else
					better = cnt == 0 || (r->kind == R_MIN ? vi < si : vi > si);
				if (better) {
					si = vi;
					sf = vf;
				}
				break;
			}
			}
			cnt++;
		}
		if (r->kind == R_COUNT)
			rc = sl_builder_append_int64(b, cnt);
		else if (cnt == 0)
			rc = sl_builder_append_null(b);
		else if (r->kind == R_AVG)
			rc = sl_builder_append_double(b, sf / (double)cnt);
		else if (r->dbl)
			rc = sl_builder_append_double(b, sf);
		else
			rc = sl_builder_append_int64(b, si);
		if (fold && (i + 1 == m || w[i + 1].key != key)) {
			r->cnt[key] = cnt;
			r->i64[key] = si;
			r->f64[key] = sf;
			c->kdirty[key] = c->epoch;
		}
	}
	if (rc >= 0)
		out = sl_builder_finish(b);
out:
	if (out == NULL && (err == NULL || err->code == 0))
		sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_builder_free(b);
	sl_array_unref(arg);
	return out;
}

typedef struct orow {
	int64_t start, end, kseq;
	int32_t row;
} orow;

static int cmp_orow(const void *pa, const void *pb)
{
	const orow *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (a->kseq > b->kseq) - (a->kseq < b->kseq);
}

/* The rows of c->wins (sorted) as one output batch in *out (NULL when no
 * row is left); fold: the running totals move into the keys' bases;
 * only_changed: update mode with running totals, keep a key's windows from
 * its first changed one on. */
static int materialize(win_ctx *c, bool fold, bool only_changed, sl_batch **out, sl_error *err)
{
	size_t m = c->n_wins, np = c->pre_schema->n_fields, nr = c->run_schema->n_fields;
	size_t ns = c->schema->n_fields, k = 0, nsel = 0;
	uint32_t *idx = NULL;
	sl_array **cols = NULL;
	const acc_store *store = &c->cells;
	sl_batch *pre = NULL, *run = NULL, *taken = NULL, *fin = NULL;
	orow *ord = NULL;
	int rc = SL_OK;

	*out = NULL;
	if (m == 0)
		return SL_OK;
	if (m > INT32_MAX)
		return sl_error_set(err, SL_EINVAL, "too many windows (%zu) to emit at once", m);
	idx = malloc(m * sizeof(*idx));
	cols = calloc(ns, sizeof(*cols));
	ord = malloc(m * sizeof(*ord));
	if (idx == NULL || cols == NULL || ord == NULL)
		goto nomem;
	if (c->kind == WIN_SLIDING) {
		if (merge_panes(c, idx) < 0)
			goto nomem;
		store = &c->merged;
	} else {
		for (size_t i = 0; i < m; i++)
			idx[i] = c->wins[i].cell;
	}

	/* group, [window], start, end, aggregates */
	for (size_t j = 0; j < c->n_keys; j++)
		if ((cols[k++] = w_keys_column(c, j, c->wins, m)) == NULL)
			goto nomem;
	if (c->window_struct &&
	    (cols[k++] = struct_column(c->pre_schema->fields[c->n_keys].type, c->wins, m)) == NULL)
		goto nomem;
	if ((cols[k++] = time_column(c->wins, m, false)) == NULL ||
	    (cols[k++] = time_column(c->wins, m, true)) == NULL)
		goto nomem;
	for (size_t j = 0; j < c->n_aggs; j++)
		if ((cols[k++] = w_acc_column(c, j, store, idx, m)) == NULL)
			goto nomem;
	for (size_t j = 0; j < np; j++)
		sl_array_ref(cols[j]);
	pre = sl_batch_new(c->pre_schema, (int64_t)m, cols);
	if (pre == NULL) {
		for (size_t j = 0; j < np; j++)
			sl_array_unref(cols[j]);
		goto nomem;
	}
	for (size_t j = 0; j < c->n_runs; j++) {
		if ((cols[k++] = running_column(c, &c->runs[j], pre, fold, err)) == NULL) {
			rc = err && err->code < 0 ? err->code : SL_ENOMEM;
			goto fail;
		}
	}
	for (size_t j = 0; j < nr; j++)
		sl_array_ref(cols[j]);
	run = sl_batch_new(c->run_schema, (int64_t)m, cols);
	if (run == NULL) {
		for (size_t j = 0; j < nr; j++)
			sl_array_unref(cols[j]);
		goto nomem;
	}

	/* Which rows, in which order. */
	{
		uint32_t cur = W_NONE;
		bool seen = false;
		for (size_t i = 0; i < m; i++) {
			const win *w = &c->wins[i];
			if (w->key != cur) {
				cur = w->key;
				seen = false;
			}
			seen |= w->changed != 0;
			if (only_changed && !seen)
				continue;
			ord[nsel++] = (orow){w->start, w->end, c->kseq[w->key], (int32_t)i};
		}
	}
	if (nsel == 0)
		goto done;
	qsort(ord, nsel, sizeof(*ord), cmp_orow);
	for (size_t i = 0; i < nsel; i++)
		((int32_t *)idx)[i] = ord[i].row;
	taken = sl_batch_take(run, (const int32_t *)idx, (int64_t)nsel);
	if (taken == NULL)
		goto nomem;
	if (c->n_posts == 0) {
		fin = taken;
		taken = NULL;
	} else {
		sl_array **fc = calloc(ns, sizeof(*fc));
		if (fc == NULL)
			goto nomem;
		for (size_t j = 0; j < nr; j++)
			fc[j] = sl_array_ref(taken->columns[j]);
		for (size_t j = 0; j < c->n_posts && rc >= 0; j++)
			rc = sl_expr_eval(c->posts[j], taken, &fc[nr + j], err);
		if (rc < 0) {
			for (size_t j = 0; j < ns; j++)
				sl_array_unref(fc[j]);
			free(fc);
			goto fail;
		}
		fin = sl_batch_new(c->schema, (int64_t)nsel, fc);
		free(fc);
		if (fin == NULL)
			goto nomem;
	}
done:
	*out = fin;
	goto fail; /* the common cleanup */
nomem:
	rc = sl_error_set(err, SL_ENOMEM, "out of memory");
fail:
	if (cols != NULL)
		for (size_t j = 0; j < ns; j++)
			sl_array_unref(cols[j]);
	sl_batch_unref(pre);
	sl_batch_unref(run);
	sl_batch_unref(taken);
	free(cols);
	free(idx);
	free(ord);
	return rc;
}

int w_close(win_ctx *c, int64_t wm, sl_error *err)
{
	uint8_t *gone;
	int rc = SL_OK;

	c->n_wins = 0;
	if (c->mode == SL_MODE_APPEND || c->n_runs > 0) {
		sl_batch *b = NULL;
		for (uint32_t i = 0; i < c->cells.n; i++)
			if (cell_windows(c, i, c->closed_upto, wm, 0) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		wins_sort(c);
		if ((rc = materialize(c, true, false, &b, err)) < 0)
			return rc;
		if (c->mode == SL_MODE_APPEND) {
			sl_batch_unref(c->pending);
			c->pending = b;
		} else {
			sl_batch_unref(b);
		}
	}
	c->closed_upto = wm;

	/* Evict the cells whose every window is closed. */
	gone = calloc(c->cells.n ? c->cells.n : 1, 1);
	if (gone == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < c->cells.n; i++) {
		int64_t last =
		    c->kind == WIN_SESSION ? c->cells.end[i] : w_last_end(c, c->cells.start[i]);
		if (last > wm)
			continue;
		gone[i] = 1;
		c->n_deleted++;
		if (c->durable && (rc = w_state_del_cell(c, i, err)) < 0)
			break;
	}
	if (rc >= 0 && c->n_deleted > 0 && w_cells_compact(c, gone) < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	free(gone);
	return rc;
}

int w_emit_end(win_ctx *c, int64_t wm, sl_emitter *out, sl_error *err)
{
	int64_t lo = wm; /* SL_NO_WATERMARK is INT64_MIN: every window */
	bool update = c->mode == SL_MODE_UPDATE, running = c->n_runs > 0;
	sl_batch *b = NULL;
	int rc;

	c->n_wins = 0;
	if (update && !running) {
		for (uint32_t t = 0; t < c->n_touched; t++)
			if (cell_windows(c, c->touched[t], lo, W_INF, 1) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
	} else {
		for (uint32_t i = 0; i < c->cells.n; i++) {
			if (update && c->kepoch[c->cells.key[i]] != c->epoch)
				continue;
			if (cell_windows(c, i, lo, W_INF, c->cepoch[i] == c->epoch) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	wins_sort(c);
	if ((rc = materialize(c, false, update && running, &b, err)) < 0)
		return rc;
	return b != NULL ? sl_emit(out, b) : SL_OK;
}

int64_t w_next_deadline(const win_ctx *c)
{
	int64_t best = SL_NO_WATERMARK;
	int64_t after = SL_NO_WATERMARK; /* the first sliding end > closed_upto */

	if (c->mode == SL_MODE_COMPLETE)
		return SL_NO_WATERMARK;
	if (c->kind == WIN_SLIDING && c->closed_upto != SL_NO_WATERMARK)
		after = w_align(c->closed_upto - c->size, c->slide) + c->slide + c->size;
	for (uint32_t i = 0; i < c->cells.n; i++) {
		int64_t e;
		if (c->kind == WIN_SLIDING) {
			int64_t p = c->cells.start[i];
			e = w_align(p - c->size, c->slide) + c->slide + c->size;
			if (after != SL_NO_WATERMARK && e < after)
				e = after;
		} else {
			e = c->cells.end[i];
		}
		if (best == SL_NO_WATERMARK || e < best)
			best = e;
	}
	return best;
}
