/* group.c - group tables (sl_group.h): key tuples to dense group ids.
 *
 * A batch's key columns are hashed a column at a time into one uint64 per
 * row, then each row probes an open-addressing table of group ids (linear
 * probing, the group's hash kept beside it; the table at most half full).
 * Key values are held columnar, indexed by group id; strings in one arena.
 */
#include <stdlib.h>
#include <string.h>

#include "../data/data.h"
#include <sluice/sl_group.h>

typedef struct gkey {
	const sl_type *type;
	sl_value_kind kind;
	/* Per group. */
	int64_t *i64;  /* SL_VALUE_I64, SL_VALUE_BOOL */
	double *f64;   /* SL_VALUE_F64, normalised */
	uint64_t *off; /* SL_VALUE_STR: into the arena */
	uint32_t *len;
	uint8_t *valid;
} gkey;

struct sl_group_table {
	size_t n_keys;
	gkey *keys;
	uint32_t n, cap; /* groups, and room for them */
	uint64_t *hash;  /* per group */
	uint32_t *slot;  /* group id + 1, 0 = empty */
	uint64_t mask;
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t *hashes; /* per row of a batch */
	int64_t hashes_cap;
};

sl_group_table *sl_group_table_new(size_t n_keys, const sl_type *const *types)
{
	sl_group_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->keys = calloc(n_keys ? n_keys : 1, sizeof(*t->keys));
	if (t->keys == NULL) {
		free(t);
		return NULL;
	}
	t->n_keys = n_keys;
	for (size_t j = 0; j < n_keys; j++) {
		int kind = sl_value_kind_of(types[j]->id);
		if (kind < 0) {
			sl_group_table_free(t);
			return NULL;
		}
		t->keys[j].type = types[j];
		t->keys[j].kind = (sl_value_kind)kind;
	}
	return t;
}

void sl_group_table_free(sl_group_table *t)
{
	if (t == NULL)
		return;
	for (size_t j = 0; j < t->n_keys; j++) {
		gkey *k = &t->keys[j];
		free(k->i64);
		free(k->f64);
		free(k->off);
		free(k->len);
		free(k->valid);
	}
	free(t->keys);
	free(t->hash);
	free(t->slot);
	free(t->arena);
	free(t->hashes);
	free(t);
}

uint32_t sl_group_table_n_groups(const sl_group_table *t)
{
	return t->n;
}

size_t sl_group_table_n_keys(const sl_group_table *t)
{
	return t->n_keys;
}

size_t sl_group_table_memory_bytes(const sl_group_table *t)
{
	size_t per_group = sizeof(uint64_t);

	for (size_t j = 0; j < t->n_keys; j++)
		per_group += 1 + (t->keys[j].kind == SL_VALUE_STR ? 12 : 8);
	return sizeof(*t) + (t->slot ? (t->mask + 1) * sizeof(uint32_t) : 0) + t->arena_cap +
	       per_group * t->cap + (size_t)t->hashes_cap * sizeof(uint64_t);
}

/* ---- storage ---- */

static int grow_groups(sl_group_table *t)
{
	size_t oc = t->cap, nc = oc ? oc * 2 : 1024;
	int rc = SL_OK;

	if (nc > UINT32_MAX)
		return SL_ENOMEM;
	rc |= sl_grow_array(&t->hash, sizeof(uint64_t), oc, nc, 0);
	for (size_t j = 0; j < t->n_keys; j++) {
		gkey *k = &t->keys[j];
		rc |= sl_grow_array(&k->valid, 1, oc, nc, 0);
		switch (k->kind) {
		case SL_VALUE_I64:
		case SL_VALUE_BOOL:
			rc |= sl_grow_array(&k->i64, sizeof(int64_t), oc, nc, 0);
			break;
		case SL_VALUE_F64:
			rc |= sl_grow_array(&k->f64, sizeof(double), oc, nc, 0);
			break;
		case SL_VALUE_STR:
			rc |= sl_grow_array(&k->off, sizeof(uint64_t), oc, nc, 0);
			rc |= sl_grow_array(&k->len, sizeof(uint32_t), oc, nc, 0);
			break;
		case SL_VALUE_NULL:
			break;
		}
	}
	if (rc != SL_OK)
		return SL_ENOMEM;
	t->cap = (uint32_t)nc;
	return SL_OK;
}

/* Room for one more group in the arrays and in the (half full) table. */
static int make_room(sl_group_table *t)
{
	uint64_t size;
	uint32_t *s;

	if (t->n == t->cap && grow_groups(t) < 0)
		return SL_ENOMEM;
	if (t->slot != NULL && (uint64_t)(t->n + 1) * 2 <= t->mask + 1)
		return SL_OK;
	size = t->slot ? (t->mask + 1) * 2 : 1024;
	s = calloc(size, sizeof(*s));
	if (s == NULL)
		return SL_ENOMEM;
	for (uint32_t g = 0; g < t->n; g++) {
		uint64_t pos = t->hash[g] & (size - 1);
		while (s[pos] != 0)
			pos = (pos + 1) & (size - 1);
		s[pos] = g + 1;
	}
	free(t->slot);
	t->slot = s;
	t->mask = size - 1;
	return SL_OK;
}

static void hash_column(const gkey *k, const sl_array *a, uint64_t *h, int64_t n)
{
	const uint8_t *va = a->validity ? a->validity->data : NULL;

	switch (k->kind) {
	case SL_VALUE_I64: {
		const int64_t *v = sl_array_i64(a);
		if (va == NULL)
			for (int64_t i = 0; i < n; i++)
				h[i] = sl_hash_combine(h[i], (uint64_t)v[i]);
		else
			for (int64_t i = 0; i < n; i++)
				h[i] = sl_hash_combine(h[i], sl_bit_get(va, i) ? (uint64_t)v[i]
				                                               : SL_HASH_NULL);
		break;
	}
	case SL_VALUE_BOOL:
		for (int64_t i = 0; i < n; i++)
			h[i] = sl_hash_combine(h[i], va && !sl_bit_get(va, i)
			                                 ? SL_HASH_NULL
			                                 : (uint64_t)sl_array_bool(a, i));
		break;
	case SL_VALUE_F64: {
		const double *v = sl_array_f64(a);
		for (int64_t i = 0; i < n; i++)
			h[i] = sl_hash_combine(h[i], va && !sl_bit_get(va, i)
			                                 ? SL_HASH_NULL
			                                 : sl_double_bits(sl_norm_double(v[i])));
		break;
	}
	case SL_VALUE_STR: {
		const int32_t *o = sl_array_offsets(a);
		const char *d = a->data ? (const char *)a->data->data : NULL;
		for (int64_t i = 0; i < n; i++)
			h[i] = sl_hash_combine(
			    h[i], va && !sl_bit_get(va, i)
			              ? SL_HASH_NULL
			              : sl_hash_bytes(d + o[i], (size_t)(o[i + 1] - o[i])));
		break;
	}
	case SL_VALUE_NULL:
		for (int64_t i = 0; i < n; i++)
			h[i] = sl_hash_combine(h[i], SL_HASH_NULL);
		break;
	}
}

/* Copies row i's key values into group slot g. */
static int fill_from_row(sl_group_table *t, const sl_array *const *keys, uint32_t g, int64_t i)
{
	for (size_t j = 0; j < t->n_keys; j++) {
		gkey *k = &t->keys[j];
		const sl_array *a = keys[j];
		bool valid = k->kind != SL_VALUE_NULL && sl_array_valid(a, i);
		k->valid[g] = valid;
		if (!valid)
			continue;
		switch (k->kind) {
		case SL_VALUE_I64:
			k->i64[g] = sl_array_i64(a)[i];
			break;
		case SL_VALUE_BOOL:
			k->i64[g] = sl_array_bool(a, i);
			break;
		case SL_VALUE_F64:
			k->f64[g] = sl_norm_double(sl_array_f64(a)[i]);
			break;
		case SL_VALUE_STR: {
			sl_strview s = sl_array_str(a, i);
			if (sl_arena_put(&t->arena, &t->arena_len, &t->arena_cap, s.ptr, s.len,
			                 &k->off[g]) < 0)
				return SL_ENOMEM;
			k->len[g] = (uint32_t)s.len;
			break;
		}
		case SL_VALUE_NULL:
			break;
		}
	}
	return SL_OK;
}

static inline bool row_equal(const sl_group_table *t, const sl_array *const *keys, uint32_t g,
                             int64_t i)
{
	for (size_t j = 0; j < t->n_keys; j++) {
		const gkey *k = &t->keys[j];
		const sl_array *a = keys[j];
		bool valid;
		if (k->kind == SL_VALUE_NULL)
			continue;
		valid = sl_array_valid(a, i);
		if (valid != (bool)k->valid[g])
			return false;
		if (!valid)
			continue;
		switch (k->kind) {
		case SL_VALUE_I64:
			if (k->i64[g] != sl_array_i64(a)[i])
				return false;
			break;
		case SL_VALUE_BOOL:
			if (k->i64[g] != (int64_t)sl_array_bool(a, i))
				return false;
			break;
		case SL_VALUE_F64:
			if (sl_double_bits(k->f64[g]) !=
			    sl_double_bits(sl_norm_double(sl_array_f64(a)[i])))
				return false;
			break;
		case SL_VALUE_STR: {
			sl_strview s = sl_array_str(a, i);
			if (s.len != k->len[g] ||
			    (s.len && memcmp(t->arena + k->off[g], s.ptr, s.len) != 0))
				return false;
			break;
		}
		case SL_VALUE_NULL:
			break;
		}
	}
	return true;
}

static bool slot_equal(const sl_group_table *t, uint32_t g, uint32_t h)
{
	for (size_t j = 0; j < t->n_keys; j++) {
		const gkey *k = &t->keys[j];
		if (k->kind == SL_VALUE_NULL)
			continue;
		if (k->valid[g] != k->valid[h])
			return false;
		if (!k->valid[g])
			continue;
		switch (k->kind) {
		case SL_VALUE_I64:
		case SL_VALUE_BOOL:
			if (k->i64[g] != k->i64[h])
				return false;
			break;
		case SL_VALUE_F64:
			if (sl_double_bits(k->f64[g]) != sl_double_bits(k->f64[h]))
				return false;
			break;
		case SL_VALUE_STR:
			if (k->len[g] != k->len[h] ||
			    memcmp(t->arena + k->off[g], t->arena + k->off[h], k->len[g]) != 0)
				return false;
			break;
		case SL_VALUE_NULL:
			break;
		}
	}
	return true;
}

/* The one group of a table without keys. */
static int only_group(sl_group_table *t)
{
	if (t->n == 0) {
		if (make_room(t) < 0)
			return SL_ENOMEM;
		t->hash[0] = SL_HASH_SEED;
		t->slot[SL_HASH_SEED & t->mask] = 1;
		t->n = 1;
	}
	return SL_OK;
}

int sl_group_table_assign_rows(sl_group_table *t, const sl_array *const *keys, int64_t n_rows,
                               const int32_t *rows, int64_t m, uint32_t *gids_out)
{
	uint64_t *h;

	if (t->n_keys == 0) {
		if (only_group(t) < 0)
			return SL_ENOMEM;
		for (int64_t r = 0; r < m; r++)
			gids_out[rows ? rows[r] : r] = 0;
		return SL_OK;
	}
	if (n_rows > t->hashes_cap) {
		int64_t cap = t->hashes_cap ? t->hashes_cap : 4096;
		while (cap < n_rows)
			cap *= 2;
		h = realloc(t->hashes, (size_t)cap * sizeof(uint64_t));
		if (h == NULL)
			return SL_ENOMEM;
		t->hashes = h;
		t->hashes_cap = cap;
	}
	if (t->slot == NULL && make_room(t) < 0)
		return SL_ENOMEM;
	h = t->hashes;
	for (int64_t i = 0; i < n_rows; i++)
		h[i] = SL_HASH_SEED;
	for (size_t j = 0; j < t->n_keys; j++)
		hash_column(&t->keys[j], keys[j], h, n_rows);
	for (int64_t i = 0; i < n_rows; i++)
		h[i] = sl_hash_fmix(h[i]);

	for (int64_t r = 0; r < m; r++) {
		int64_t i = rows ? rows[r] : r;
		uint64_t hi = h[i], mask = t->mask, pos = hi & mask;
		const uint32_t *slot = t->slot;
		const uint64_t *gh = t->hash;
		uint32_t g;
		for (;;) {
			uint32_t s = slot[pos];
			if (s == 0) {
				g = t->n;
				if ((uint64_t)(g + 1) * 2 > mask + 1 || g == t->cap) {
					if (make_room(t) < 0)
						return SL_ENOMEM;
					mask = t->mask;
					slot = t->slot;
					gh = t->hash;
					pos = hi & mask;
					continue;
				}
				if (fill_from_row(t, keys, g, i) < 0)
					return SL_ENOMEM;
				t->hash[g] = hi;
				t->n++;
				t->slot[pos] = g + 1;
				break;
			}
			g = s - 1;
			if (gh[g] == hi && row_equal(t, keys, g, i))
				break;
			pos = (pos + 1) & mask;
		}
		gids_out[i] = g;
	}
	return SL_OK;
}

int sl_group_table_assign(sl_group_table *t, const sl_array *const *keys, int64_t n_rows,
                          uint32_t *gids_out)
{
	return sl_group_table_assign_rows(t, keys, n_rows, NULL, n_rows, gids_out);
}

sl_array *sl_group_table_key_column(const sl_group_table *t, size_t j, const uint32_t *gids,
                                    int64_t m)
{
	const gkey *k = &t->keys[j];
	sl_builder *b;
	sl_array *a = NULL;
	int rc = SL_OK;

	if (k->kind == SL_VALUE_NULL || k->type->id == SL_TYPE_NULL)
		return sl_array_new_nulls((sl_type *)k->type, m);
	b = sl_builder_new((sl_type *)k->type, m);
	if (b == NULL)
		return NULL;
	for (int64_t i = 0; i < m && rc >= 0; i++) {
		uint32_t g = gids[i];
		if (!k->valid[g]) {
			rc = sl_builder_append_null(b);
			continue;
		}
		switch (k->kind) {
		case SL_VALUE_I64:
			rc = sl_builder_append_int64(b, k->i64[g]);
			break;
		case SL_VALUE_BOOL:
			rc = sl_builder_append_bool(b, k->i64[g] != 0);
			break;
		case SL_VALUE_F64:
			rc = sl_builder_append_double(b, k->f64[g]);
			break;
		case SL_VALUE_STR:
			rc = sl_builder_append_string(b, t->arena + k->off[g], k->len[g]);
			break;
		case SL_VALUE_NULL:
			break;
		}
	}
	if (rc >= 0)
		a = sl_builder_finish(b);
	sl_builder_free(b);
	return a;
}

/* ---- the state store's encoding ---- */

void sl_group_table_encode_key(const sl_group_table *t, uint32_t g, sl_wbuf *w)
{
	for (size_t j = 0; j < t->n_keys; j++) {
		const gkey *k = &t->keys[j];
		if (k->kind == SL_VALUE_NULL)
			continue;
		sl_wbuf_u8(w, k->valid[g] ? 1 : 0);
		if (k->valid[g])
			sl_wbuf_value(w, k->kind, k->i64 ? k->i64[g] : 0, k->f64 ? k->f64[g] : 0,
			              k->off ? t->arena + k->off[g] : NULL, k->len ? k->len[g] : 0);
	}
}

int64_t sl_group_table_decode_key(sl_group_table *t, sl_rbuf *r)
{
	uint64_t h = SL_HASH_SEED, pos;
	uint32_t g;

	if (t->n_keys == 0)
		return only_group(t) < 0 ? SL_ENOMEM : 0;
	if (make_room(t) < 0)
		return SL_ENOMEM;
	g = t->n; /* decoded into the next slot, kept if new */
	for (size_t j = 0; j < t->n_keys && !r->bad; j++) {
		gkey *k = &t->keys[j];
		uint8_t flag = k->kind == SL_VALUE_NULL ? 0 : sl_rbuf_u8(r);
		if (flag > 1)
			r->bad = true;
		k->valid[g] = flag == 1;
		if (flag != 1) {
			h = sl_hash_combine(h, SL_HASH_NULL);
			continue;
		}
		if (sl_rbuf_value(r, k->kind, g, k->i64, k->f64, k->off, k->len, &t->arena,
		                  &t->arena_len, &t->arena_cap) < 0)
			return SL_ENOMEM;
		if (r->bad)
			break;
		switch (k->kind) {
		case SL_VALUE_I64:
		case SL_VALUE_BOOL:
			h = sl_hash_combine(h, (uint64_t)k->i64[g]);
			break;
		case SL_VALUE_F64:
			k->f64[g] = sl_norm_double(k->f64[g]);
			h = sl_hash_combine(h, sl_double_bits(k->f64[g]));
			break;
		case SL_VALUE_STR:
			h = sl_hash_combine(h, sl_hash_bytes(t->arena + k->off[g], k->len[g]));
			break;
		case SL_VALUE_NULL:
			break;
		}
	}
	if (r->bad)
		return SL_EINVAL;
	h = sl_hash_fmix(h);
	pos = h & t->mask;
	while (t->slot[pos] != 0) {
		uint32_t o = t->slot[pos] - 1;
		if (t->hash[o] == h && slot_equal(t, o, g))
			return o;
		pos = (pos + 1) & t->mask;
	}
	t->hash[g] = h;
	t->slot[pos] = g + 1;
	t->n++;
	return g;
}
