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
	for (uint32_t g = c->nk; g < n; g++) {
		c->kseq[g] = c->next_kseq++;
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
