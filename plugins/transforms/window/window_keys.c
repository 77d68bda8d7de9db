/* window_keys.c - the group-by keys of the window plugin: each input batch's
 * key columns hashed a column at a time, then one probe per row into an
 * open-addressing table of key ids (linear probing, the hash kept beside
 * each key).  Key values live in columnar arrays indexed by key id, strings
 * in one arena.
 */
#include "window.h"

int w_grow(void *pp, size_t elem, size_t old_cap, size_t new_cap, int fill)
{
	void **p = pp;
	void *np = realloc(*p, new_cap * elem);

	if (np == NULL)
		return SL_ENOMEM;
	memset((char *)np + old_cap * elem, fill, (new_cap - old_cap) * elem);
	*p = np;
	return SL_OK;
}

int w_arena_put(char **arena, size_t *len, size_t *cap, const char *p, size_t n, uint64_t *off)
{
	if (*len + n > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *na;
		while (nc < *len + n)
			nc *= 2;
		na = realloc(*arena, nc);
		if (na == NULL)
			return SL_ENOMEM;
		*arena = na;
		*cap = nc;
	}
	if (n > 0)
		memcpy(*arena + *len, p, n);
	*off = *len;
	*len += n;
	return SL_OK;
}

val_kind w_value_kind(sl_type_id id, int *ok)
{
	*ok = 1;
	switch (id) {
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		return V_I64;
	case SL_TYPE_BOOL:
		return V_BOOL;
	case SL_TYPE_DOUBLE:
		return V_F64;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		return V_STR;
	case SL_TYPE_NULL:
		return V_NULL;
	default:
		*ok = 0;
		return V_NULL;
	}
}

int w_keys_grow(win_ctx *c)
{
	size_t oc = c->kcap, nc = oc ? oc * 2 : 256;
	int rc = SL_OK;

	rc |= w_grow(&c->khash, sizeof(uint64_t), oc, nc, 0);
	rc |= w_grow(&c->kseq, sizeof(int64_t), oc, nc, 0);
	rc |= w_grow(&c->khead, sizeof(uint32_t), oc, nc, 0xff);
	rc |= w_grow(&c->kepoch, sizeof(uint32_t), oc, nc, 0);
	rc |= w_grow(&c->kdirty, sizeof(uint32_t), oc, nc, 0);
	for (size_t i = 0; i < c->n_keys; i++) {
		wkey *k = &c->keys[i];
		rc |= w_grow(&k->valid, 1, oc, nc, 0);
		switch (k->kind) {
		case V_I64:
		case V_BOOL:
			rc |= w_grow(&k->i64, sizeof(int64_t), oc, nc, 0);
			break;
		case V_F64:
			rc |= w_grow(&k->f64, sizeof(double), oc, nc, 0);
			break;
		case V_STR:
			rc |= w_grow(&k->off, sizeof(uint64_t), oc, nc, 0);
			rc |= w_grow(&k->len, sizeof(uint32_t), oc, nc, 0);
			break;
		case V_NULL:
			break;
		}
	}
	for (size_t i = 0; i < c->n_runs; i++) {
		wrun *r = &c->runs[i];
		rc |= w_grow(&r->cnt, sizeof(int64_t), oc, nc, 0);
		rc |= w_grow(&r->i64, sizeof(int64_t), oc, nc, 0);
		rc |= w_grow(&r->f64, sizeof(double), oc, nc, 0);
	}
	if (rc != SL_OK)
		return SL_ENOMEM;
	c->kcap = (uint32_t)nc;
	return SL_OK;
}

int w_keys_rehash(win_ctx *c)
{
	uint64_t size = c->kmask ? (c->kmask + 1) * 2 : 1024;
	uint32_t *t;

	while ((uint64_t)c->nk * 2 >= size)
		size *= 2;
	t = calloc(size, sizeof(*t));
	if (t == NULL)
		return SL_ENOMEM;
	for (uint32_t g = 0; g < c->nk; g++) {
		uint64_t pos = c->khash[g] & (size - 1);
		while (t[pos] != 0)
			pos = (pos + 1) & (size - 1);
		t[pos] = g + 1;
	}
	free(c->ktable);
	c->ktable = t;
	c->kmask = size - 1;
	return SL_OK;
}

static void hash_column(const wkey *k, uint64_t *h, int64_t n)
{
	const sl_array *a = k->arr;
	const uint8_t *va = a->validity ? a->validity->data : NULL;

	switch (k->kind) {
	case V_I64: {
		const int64_t *v = sl_array_i64(a);
		if (va == NULL)
			for (int64_t i = 0; i < n; i++)
				h[i] = w_combine(h[i], (uint64_t)v[i]);
		else
			for (int64_t i = 0; i < n; i++)
				h[i] = w_combine(h[i], sl_bit_get(va, i) ? (uint64_t)v[i] : W_NULL);
		break;
	}
	case V_BOOL:
		for (int64_t i = 0; i < n; i++)
			h[i] = w_combine(h[i], va && !sl_bit_get(va, i)
			                           ? W_NULL
			                           : (uint64_t)sl_array_bool(a, i));
		break;
	case V_F64: {
		const double *v = sl_array_f64(a);
		for (int64_t i = 0; i < n; i++)
			h[i] = w_combine(h[i], va && !sl_bit_get(va, i) ? W_NULL
			                                                : w_dbits(w_normd(v[i])));
		break;
	}
	case V_STR: {
		const int32_t *o = sl_array_offsets(a);
		const char *d = a->data ? (const char *)a->data->data : NULL;
		for (int64_t i = 0; i < n; i++)
			h[i] =
			    w_combine(h[i], va && !sl_bit_get(va, i)
			                        ? W_NULL
			                        : w_strhash(d + o[i], (size_t)(o[i + 1] - o[i])));
		break;
	}
	case V_NULL:
		for (int64_t i = 0; i < n; i++)
			h[i] = w_combine(h[i], W_NULL);
		break;
	}
}

/* Copies row i's key values into key slot g. */
static int fill_from_row(win_ctx *c, uint32_t g, int64_t i)
{
	for (size_t j = 0; j < c->n_keys; j++) {
		wkey *k = &c->keys[j];
		const sl_array *a = k->arr;
		bool valid = k->kind != V_NULL && sl_array_valid(a, i);
		k->valid[g] = valid;
		if (!valid)
			continue;
		switch (k->kind) {
		case V_I64:
			k->i64[g] = sl_array_i64(a)[i];
			break;
		case V_BOOL:
			k->i64[g] = sl_array_bool(a, i);
			break;
		case V_F64:
			k->f64[g] = w_normd(sl_array_f64(a)[i]);
			break;
		case V_STR: {
			sl_strview s = sl_array_str(a, i);
			if (w_arena_put(&c->karena, &c->karena_len, &c->karena_cap, s.ptr, s.len,
			                &k->off[g]) < 0)
				return SL_ENOMEM;
			k->len[g] = (uint32_t)s.len;
			break;
		}
		case V_NULL:
			break;
		}
	}
	return SL_OK;
}

static inline bool row_equal(const win_ctx *c, uint32_t g, int64_t i)
{
	for (size_t j = 0; j < c->n_keys; j++) {
		const wkey *k = &c->keys[j];
		const sl_array *a = k->arr;
		bool valid;
		if (k->kind == V_NULL)
			continue;
		valid = sl_array_valid(a, i);
		if (valid != (bool)k->valid[g])
			return false;
		if (!valid)
			continue;
		switch (k->kind) {
		case V_I64:
			if (k->i64[g] != sl_array_i64(a)[i])
				return false;
			break;
		case V_BOOL:
			if (k->i64[g] != (int64_t)sl_array_bool(a, i))
				return false;
			break;
		case V_F64:
			if (w_dbits(k->f64[g]) != w_dbits(w_normd(sl_array_f64(a)[i])))
				return false;
			break;
		case V_STR: {
			sl_strview s = sl_array_str(a, i);
			if (s.len != k->len[g] ||
			    (s.len && memcmp(c->karena + k->off[g], s.ptr, s.len) != 0))
				return false;
			break;
		}
		case V_NULL:
			break;
		}
	}
	return true;
}

static bool slot_equal(const win_ctx *c, uint32_t g, uint32_t h)
{
	for (size_t j = 0; j < c->n_keys; j++) {
		const wkey *k = &c->keys[j];
		if (k->kind == V_NULL)
			continue;
		if (k->valid[g] != k->valid[h])
			return false;
		if (!k->valid[g])
			continue;
		switch (k->kind) {
		case V_I64:
		case V_BOOL:
			if (k->i64[g] != k->i64[h])
				return false;
			break;
		case V_F64:
			if (w_dbits(k->f64[g]) != w_dbits(k->f64[h]))
				return false;
			break;
		case V_STR:
			if (k->len[g] != k->len[h] ||
			    memcmp(c->karena + k->off[g], c->karena + k->off[h], k->len[g]) != 0)
				return false;
			break;
		case V_NULL:
			break;
		}
	}
	return true;
}

static int64_t new_key(win_ctx *c, uint64_t h)
{
	uint32_t g = c->nk;

	c->khash[g] = h;
	c->kseq[g] = c->next_kseq++;
	c->khead[g] = W_NONE;
	c->nk++;
	return g;
}

int w_keys_assign(win_ctx *c, int64_t n, const int32_t *rows, int64_t m)
{
	uint64_t *h = c->hashes;
	uint32_t *kids = c->kids;

	if (c->n_keys == 0) {
		if (c->nk == 0) {
			if (c->kcap == 0 && w_keys_grow(c) < 0)
				return SL_ENOMEM;
			if (w_keys_insert_filled(c) < 0)
				return SL_ENOMEM;
		}
		for (int64_t r = 0; r < m; r++)
			kids[rows[r]] = 0;
		return SL_OK;
	}
	for (int64_t i = 0; i < n; i++)
		h[i] = W_SEED;
	for (size_t j = 0; j < c->n_keys; j++)
		hash_column(&c->keys[j], h, n);
	for (int64_t i = 0; i < n; i++)
		h[i] = w_fmix(h[i]);

	for (int64_t r = 0; r < m; r++) {
		int64_t i = rows[r];
		uint64_t pos = h[i] & c->kmask;
		int64_t g;
		for (;;) {
			uint32_t s = c->ktable[pos];
			if (s == 0) {
				if ((uint64_t)(c->nk + 1) * 2 > c->kmask + 1) {
					if (w_keys_rehash(c) < 0)
						return SL_ENOMEM;
					pos = h[i] & c->kmask;
					continue;
				}
				if (c->nk == c->kcap && w_keys_grow(c) < 0)
					return SL_ENOMEM;
				if (fill_from_row(c, c->nk, i) < 0)
					return SL_ENOMEM;
				g = new_key(c, h[i]);
				c->ktable[pos] = (uint32_t)g + 1;
				break;
			}
			g = s - 1;
			if (c->khash[g] == h[i] && row_equal(c, (uint32_t)g, i))
				break;
			pos = (pos + 1) & c->kmask;
		}
		kids[i] = (uint32_t)g;
	}
	return SL_OK;
}

int64_t w_keys_insert_filled(win_ctx *c)
{
	uint32_t g = c->nk;
	uint64_t h = W_SEED, pos;

	for (size_t j = 0; j < c->n_keys; j++) {
		wkey *k = &c->keys[j];
		if (k->kind == V_NULL || !k->valid[g]) {
			h = w_combine(h, W_NULL);
			continue;
		}
		switch (k->kind) {
		case V_I64:
		case V_BOOL:
			h = w_combine(h, (uint64_t)k->i64[g]);
			break;
		case V_F64:
			k->f64[g] = w_normd(k->f64[g]);
			h = w_combine(h, w_dbits(k->f64[g]));
			break;
		case V_STR:
			h = w_combine(h, w_strhash(c->karena + k->off[g], k->len[g]));
			break;
		case V_NULL:
			break;
		}
	}
	h = c->n_keys == 0 ? W_SEED : w_fmix(h);
	if ((uint64_t)(c->nk + 1) * 2 > c->kmask + 1 && w_keys_rehash(c) < 0)
		return SL_ENOMEM;
	pos = h & c->kmask;
	while (c->ktable[pos] != 0) {
		uint32_t o = c->ktable[pos] - 1;
		if (c->khash[o] == h && slot_equal(c, o, g))
			return o;
		pos = (pos + 1) & c->kmask;
	}
	c->ktable[pos] = g + 1;
	return new_key(c, h);
}

sl_array *w_keys_column(win_ctx *c, size_t j, const win *w, size_t m)
{
	const wkey *k = &c->keys[j];
	sl_builder *b = sl_builder_new((sl_type *)k->type, (int64_t)m);
	sl_array *a = NULL;
	int rc = SL_OK;

	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < m && rc >= 0; i++) {
		uint32_t g = w[i].key;
		if (k->kind == V_NULL || !k->valid[g]) {
			rc = sl_builder_append_null(b);
			continue;
		}
		switch (k->kind) {
		case V_I64:
			rc = sl_builder_append_int64(b, k->i64[g]);
			break;
		case V_BOOL:
			rc = sl_builder_append_bool(b, k->i64[g] != 0);
			break;
		case V_F64:
			rc = sl_builder_append_double(b, k->f64[g]);
			break;
		case V_STR:
			rc = sl_builder_append_string(b, c->karena + k->off[g], k->len[g]);
			break;
		case V_NULL:
			break;
		}
	}
	if (rc >= 0)
		a = sl_builder_finish(b);
	sl_builder_free(b);
	return a;
}
