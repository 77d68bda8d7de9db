/* window_keys.c - the group-by keys of the window plugin: an SDK group
 * table (sl_group.h) maps each row's key values to a key id, in first-seen
 * order; the per-key arrays here (sequence numbers, sessions, running
 * totals) follow it.
 */
#include "window.h"

sl_value_kind w_value_kind(sl_type_id id, int *ok)
{
	int k = sl_value_kind_of(id);

	*ok = k >= 0;
	return k < 0 ? SL_VALUE_NULL : (sl_value_kind)k;
}

int w_keys_grow(win_ctx *c)
{
	size_t oc = c->kcap, nc = oc ? oc * 2 : 256;
	int rc = SL_OK;

	rc |= sl_grow_array(&c->kseq, sizeof(int64_t), oc, nc, 0);
	rc |= sl_grow_array(&c->kcells, sizeof(uint32_t), oc, nc, 0);
	rc |= sl_grow_array(&c->khead, sizeof(uint32_t), oc, nc, 0xff);
	rc |= sl_grow_array(&c->kepoch, sizeof(uint32_t), oc, nc, 0);
	rc |= sl_grow_array(&c->kdirty, sizeof(uint32_t), oc, nc, 0);
	for (size_t i = 0; i < c->n_runs; i++) {
		wrun *r = &c->runs[i];
		rc |= sl_grow_array(&r->cnt, sizeof(int64_t), oc, nc, 0);
		rc |= sl_grow_array(&r->i64, sizeof(int64_t), oc, nc, 0);
		rc |= sl_grow_array(&r->f64, sizeof(double), oc, nc, 0);
	}
	if (rc != SL_OK)
		return SL_ENOMEM;
	c->kcap = (uint32_t)nc;
	return SL_OK;
}

/* Gives the keys the table added their per-key state. */
static int sync_keys(win_ctx *c)
{
	uint32_t n = sl_group_table_n_groups(c->groups);

	while (c->kcap < n)
		if (w_keys_grow(c) < 0)
			return SL_ENOMEM;
	/* First-seen numbers are given in row order by the caller, to new keys
	 * and keys come back alike (a restart restores only live keys: both
	 * runs must number the same). */
	for (uint32_t g = c->nk; g < n; g++) {
		c->kseq[g] = -1;
		c->kcells[g] = 0;
		c->khead[g] = W_NONE;
	}
	c->nk = n;
	return SL_OK;
}

int w_keys_assign(win_ctx *c, int64_t n, const int32_t *rows, int64_t m)
{
	for (size_t j = 0; j < c->n_keys; j++)
		c->karr[j] = c->keys[j].arr;
	if (sl_group_table_assign_rows(c->groups, c->karr, n, rows, m, c->kids) < 0)
		return SL_ENOMEM;
	return sync_keys(c);
}

int64_t w_keys_decode(win_ctx *c, sl_rbuf *r)
{
	int64_t g = sl_group_table_decode_key(c->groups, r);

	if (g >= 0 && sync_keys(c) < 0)
		return SL_ENOMEM;
	return g;
}

sl_array *w_keys_column(win_ctx *c, size_t j, const win *w, size_t m)
{
	uint32_t *g = malloc((m ? m : 1) * sizeof(*g));
	sl_array *a;

	if (g == NULL)
		return NULL;
	for (size_t i = 0; i < m; i++)
		g[i] = w[i].key;
	a = sl_group_table_key_column(c->groups, j, g, (int64_t)m);
	free(g);
	return a;
}

void w_keys_cell_gone(win_ctx *c, uint32_t i)
{
	uint32_t k = c->cells.key[i];

	if (c->kcells[k] > 0 && --c->kcells[k] == 0 && c->n_runs == 0)
		c->kseq[k] = -1;
}

/* The live keys' ids in id order into live[]; remap[old] = new id or
 * W_NONE.  Returns how many. */
static uint32_t live_keys(const win_ctx *c, uint32_t *live, uint32_t *remap)
{
	uint32_t m = 0;

	for (uint32_t g = 0; g < c->nk; g++) {
		remap[g] = W_NONE;
		if (c->kcells[g] > 0 || c->n_runs > 0) {
			remap[g] = m;
			live[m++] = g;
		}
	}
	return m;
}

/* A table of the keys live[0..m), ids 0..m-1 in that order. */
static sl_group_table *rebuild_table(win_ctx *c, const uint32_t *live, uint32_t m)
{
	const sl_type **types = calloc(c->n_keys + 1, sizeof(*types));
	const sl_array **cols = calloc(c->n_keys + 1, sizeof(*cols));
	uint32_t *ids = malloc(((size_t)m + 1) * sizeof(*ids));
	sl_group_table *t = NULL;
	bool ok = types && cols && ids;

	for (size_t j = 0; ok && j < c->n_keys; j++) {
		types[j] = c->keys[j].type;
		cols[j] = sl_group_table_key_column(c->groups, j, live, m);
		ok = cols[j] != NULL;
	}
	if (ok)
		t = sl_group_table_new(c->n_keys, types);
	if (t != NULL && m > 0 && sl_group_table_assign(t, cols, m, ids) < 0) {
		sl_group_table_free(t);
		t = NULL;
	}
	/* Distinct keys in order: ids are 0, 1, 2, ... */
	for (uint32_t i = 0; t != NULL && i < m; i++)
		if (ids[i] != i) {
			sl_group_table_free(t);
			t = NULL;
		}
	for (size_t j = 0; cols && j < c->n_keys; j++)
		sl_array_unref((sl_array *)cols[j]);
	free(types);
	free(cols);
	free(ids);
	return t;
}

int w_keys_compact(win_ctx *c)
{
	uint32_t *live, *remap, m, dead = 0;
	sl_group_table *t;

	if (c->n_runs > 0)
		return SL_OK; /* every key holds its running totals */
	for (uint32_t g = 0; g < c->nk; g++)
		dead += c->kcells[g] == 0;
	/* Rebuilding costs the live keys: worth it once the dead are half as
	 * many (amortised, a few steps per key that dies). */
	if (dead < 4096 || dead * 2 < c->nk - dead)
		return SL_OK;
	live = malloc(((size_t)c->nk + 1) * sizeof(*live));
	remap = malloc(((size_t)c->nk + 1) * sizeof(*remap));
	if (live == NULL || remap == NULL) {
		free(live);
		free(remap);
		return SL_ENOMEM;
	}
	m = live_keys(c, live, remap);
	t = rebuild_table(c, live, m);
	if (t == NULL) {
		free(live);
		free(remap);
		return SL_ENOMEM;
	}
	for (uint32_t i = 0; i < m; i++) {
		uint32_t g = live[i]; /* >= i: moves go downward */
		c->kseq[i] = c->kseq[g];
		c->kcells[i] = c->kcells[g];
		c->kepoch[i] = c->kepoch[g];
		c->kdirty[i] = c->kdirty[g];
	}
	for (uint32_t i = 0; i < c->cells.n; i++)
		c->cells.key[i] = remap[c->cells.key[i]];
	sl_group_table_free(c->groups);
	c->groups = t;
	c->nk = m;
	free(live);
	free(remap);
	return w_cells_rehash(c); /* keys are in the cells' hash and lists */
}

size_t w_keys_bytes(const win_ctx *c)
{
	size_t per = sizeof(int64_t) + 4 * sizeof(uint32_t) + c->n_runs * 3 * sizeof(int64_t);

	return sl_group_table_memory_bytes(c->groups) + per * c->kcap +
	       c->n_keys * sizeof(*c->karr);
}
