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

typedef struct key_col {
	sl_expr *expr;
	int col; /* a bare input column, or -1: evaluate */
	const sl_type *type;
	sl_value_kind kind;
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
	sl_value_kind vkind; /* min/max: how values are held */
	sl_type *out_type;   /* reference held */
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
	sl_group_table *groups;        /* the keys (NULL without group_by) */
	uint32_t n_groups, cap_groups; /* cap: of the per-group arrays here */

	/* Groups touched by the current micro-batch, in first-touch order. */
	uint32_t *touched_epoch;
	uint32_t epoch;
	uint32_t *touched;
	uint32_t n_touched;

	/* Per input batch scratch. */
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
	sl_wbuf rec;
	uint8_t *page_dirty;
	uint32_t *dirty_pages;
	size_t page_cap;
} agg_ctx;

/* ---- group storage (aggregate.c) ---- */

/* Doubles the per-group arrays. */
int agg_grow_groups(agg_ctx *ctx);

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
