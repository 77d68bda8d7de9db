/* aggregate.h - the aggregate plugin's internals, shared by aggregate.c (the
 * hash table and the per-batch work) and aggregate_state.c (the groups in
 * the state store).  Not part of the SDK.
 */
#ifndef SLUICE_PLUGIN_AGGREGATE_H
#define SLUICE_PLUGIN_AGGREGATE_H

#include <sluice/sluice.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OUT_ROWS 65536
#define HASH_SEED 0x243F6A8885A308D3ull
#define HASH_NULL 0x9AE16A3B2F90404Full
#define K1 0x9E3779B97F4A7C15ull
#define K2 0xC2B2AE3D27D4EB4Full

typedef enum key_kind { KEY_I64, KEY_BOOL, KEY_F64, KEY_STR, KEY_NULL } key_kind;

typedef struct key_col {
	sl_expr *expr;
	int col; /* a bare input column, or -1: evaluate */
	const sl_type *type;
	key_kind kind;
	/* Per group. */
	int64_t *i64;  /* KEY_I64, KEY_BOOL */
	double *f64;   /* KEY_F64, normalised */
	uint64_t *off; /* KEY_STR: into the key arena */
	uint32_t *len;
	uint8_t *valid;
	/* The current input batch's values. */
	sl_array *arr;
} key_col;

typedef enum agg_kind {
	AGG_COUNT_STAR,
	AGG_COUNT,
	AGG_SUM_I64,
	AGG_SUM_F64,
	AGG_AVG,
	AGG_MIN,
	AGG_MAX
} agg_kind;

typedef struct agg {
	sl_expr *expr;
	sl_expr *arg; /* borrowed from expr; NULL for count(*) */
	int arg_col;
	agg_kind kind;
	key_kind vkind;    /* min/max: how values are held */
	sl_type *out_type; /* reference held */
	/* Per group. */
	int64_t *cnt; /* rows counted / non-null values seen */
	int64_t *i64;
	double *f64;
	uint64_t *off; /* min/max of strings: into this aggregate's arena */
	uint32_t *len;
	int32_t *best; /* per-call best row of a group, -1 when none */
	char *arena;
	size_t arena_len, arena_cap, arena_live;
} agg;

typedef struct agg_ctx {
	sl_stage *st;
	sl_schema *schema;
	sl_output_mode mode;
	size_t n_keys, n_aggs;
	key_col *keys;
	agg *aggs;

	/* Groups.  A group's id is its first-seen sequence number: groups are
	 * only ever added, and a restart restores them in that order (the
	 * state store keeps them in pages of consecutive ids), so the output
	 * order survives. */
	uint32_t n_groups, cap_groups;
	uint64_t *ghash;
	uint32_t *table; /* group id + 1, 0 = empty */
	uint64_t mask;
	char *karena;
	size_t karena_len, karena_cap;

	/* Groups touched by the current micro-batch, in first-touch order. */
	uint32_t *touched_epoch;
	uint32_t epoch;
	uint32_t *touched;
	uint32_t n_touched;

	/* Per input batch scratch. */
	uint64_t *hashes;
	uint32_t *gids;
	uint32_t *call_list; /* groups given a best row in this call */
	int64_t scratch_cap;
	uint8_t *vbytes; /* OUT_ROWS */
	sl_array **cols;

	/* The state store (aggregate_state.c): whether writes survive a
	 * restart (only then are changed groups written), the page being
	 * encoded, and the pages the running batch made dirty (a flag per page
	 * and their list). */
	bool durable;
	uint8_t *rec;
	size_t rec_cap;
	uint8_t *page_dirty;
	uint32_t *dirty_pages;
	size_t page_cap;
} agg_ctx;

/* ---- hashing (the same for a batch's rows and a restored group) ---- */

static inline uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t combine(uint64_t h, uint64_t x)
{
	h = (h ^ x) * K1;
	return h ^ (h >> 31);
}

static inline uint64_t str_hash(const char *p, size_t n)
{
	uint64_t h = HASH_SEED ^ (n * K2);

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * K1;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * K2;
		h ^= h >> 32;
	}
	return h;
}

/* -0.0 groups with 0.0 and every NaN with every other (as Spark does). */
static inline double norm_double(double d)
{
	if (d == 0)
		return 0.0;
	if (isnan(d))
		return NAN;
	return d;
}

static inline uint64_t dbits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return u;
}

/* ---- group storage (aggregate.c) ---- */

/* Doubles the per-group arrays. */
int agg_grow_groups(agg_ctx *ctx);
/* Doubles the hash table and re-inserts every group. */
int agg_rehash(agg_ctx *ctx);
/* Copies n bytes of p to the end of an arena; *off receives their place. */
int agg_arena_put(char **arena, size_t *len, size_t *cap, const char *p, size_t n, uint64_t *off);

/* ---- the state store (aggregate_state.c) ---- */

/* Restores every group of the stage's namespace into the (empty) table, in
 * first-seen order.  Called by create. */
int agg_state_restore(agg_ctx *ctx, sl_error *err);
/* Writes the pages holding the groups the running batch changed: one
 * sl_state_put per dirty page. */
int agg_state_save(agg_ctx *ctx, sl_error *err);
/* Bytes the state store's buffers hold (part of stateMemoryUsedBytes). */
size_t agg_state_memory(const agg_ctx *ctx);
/* Frees the state store's buffers. */
void agg_state_free(agg_ctx *ctx);

#endif
