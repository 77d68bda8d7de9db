/* window.h - the window plugin's internals, shared by its files.  Not part
 * of the SDK.
 *
 *   window.c        options, create, the per-batch calls, the descriptor
 *   window_keys.c   the group-by keys: hashing a batch, the key table
 *   window_acc.c    accumulators: update from a batch, merge, output columns
 *   window_emit.c   choosing, materialising and ordering the windows emitted
 *   window_state.c  cells, keys and progress in the state store
 *
 * Vocabulary.  A *key* is one combination of group_by values (key id: its
 * index in the key table).  A *cell* is what the hot table aggregates rows
 * into: for tumbling windows one window of one key, for sliding windows one
 * pane (a slice of gcd(size, slide)) of one key, for session windows one
 * session of one key.  A *window* is what is emitted: a tumbling cell, a
 * session cell, or for sliding windows the merge of the size/pane panes it
 * covers.
 */
#ifndef SLUICE_PLUGIN_WINDOW_H
#define SLUICE_PLUGIN_WINDOW_H

#include <sluice/sluice.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W_NONE UINT32_MAX

typedef enum win_kind { WIN_TUMBLING, WIN_SLIDING, WIN_SESSION } win_kind;

typedef struct wkey {
	sl_expr *expr;
	int col; /* a bare input column, or -1: evaluate */
	const sl_type *type;
	sl_value_kind kind;
	bool nullable;
	/* The current input batch's values. */
	sl_array *arr;
} wkey;

typedef enum agg_kind {
	A_COUNT_STAR,
	A_COUNT,
	A_SUM_I64,
	A_SUM_F64,
	A_AVG,
	A_MIN,
	A_MAX,
	A_FIRST,
	A_LAST,
	A_DISTINCT
} agg_kind;

typedef struct wagg {
	sl_expr *expr;
	sl_expr *arg; /* borrowed from expr; NULL for count(*) */
	int arg_col;
	agg_kind kind;
	sl_value_kind vkind; /* min/max/first/last: how values are held */
	sl_type *out_type;   /* reference held */
	char *text;          /* the option text after rewriting (owned) */
} wagg;

/* A small open-addressing set of 64-bit value hashes (count distinct).
 * 0 marks an empty slot; a hash of 0 is stored as 1. */
typedef struct dset {
	uint32_t n, cap; /* cap a power of two */
	uint64_t slot[];
} dset;

/* The accumulators of one aggregate, per row of an acc_store. */
typedef struct acc_col {
	int64_t *cnt; /* rows / non-null values seen */
	int64_t *i64; /* sums, int min/max/first/last */
	double *f64;
	uint64_t *off; /* strings: into arena */
	uint32_t *len;
	int64_t *seq; /* first/last: arrival number of the value */
	uint8_t *vok; /* first/last: the value is not null */
	dset **set;   /* count distinct */
	char *arena;
	size_t alen, acap;
} acc_col;

/* Rows of accumulators: the cells, or scratch rows for merged windows. */
typedef struct acc_store {
	uint32_t n, cap;
	uint32_t *key;
	int64_t *start, *end;
	acc_col *a; /* one per aggregate */
} acc_store;

/* A running total over the windows of a key, ordered by end. */
typedef enum run_kind { R_SUM, R_COUNT, R_MIN, R_MAX, R_AVG } run_kind;

typedef struct wrun {
	sl_expr *expr;
	sl_expr *arg; /* borrowed; NULL for count(*) */
	run_kind kind;
	bool dbl;          /* accumulates doubles (else int64) */
	sl_type *out_type; /* reference held */
	/* Per key: the total over the windows already closed and evicted. */
	int64_t *cnt;
	int64_t *i64;
	double *f64;
} wrun;

/* A cell named by key and start (a state record to delete). */
typedef struct w_cell_ref {
	uint32_t key;
	int64_t start;
} w_cell_ref;

/* A window chosen for output or for folding into the running totals. */
typedef struct win {
	uint32_t key;
	uint32_t cell; /* tumbling/session: the cell; sliding: W_NONE */
	int64_t start, end;
	uint8_t changed; /* update mode: this batch changed it */
} win;

typedef struct win_ctx {
	sl_stage *st;
	sl_output_mode mode;
	win_kind kind;
	int64_t size, slide, gap, pane;
	bool late_side;
	bool window_struct;
	sl_schema *in_schema;  /* reference held */
	sl_schema *schema;     /* the output's */
	sl_schema *pre_schema; /* group, [window], start, end, aggregates */
	sl_schema *run_schema; /* pre_schema + running columns */
	int time_col;          /* bare input column, or -1 */
	sl_expr *time_expr;

	size_t n_keys, n_aggs, n_runs, n_posts;
	wkey *keys;
	wagg *aggs;
	wrun *runs;
	sl_expr **posts;

	/* ---- the key table ---- */
	sl_group_table *groups; /* the key values; key id = group id */
	const sl_array **karr;  /* the current batch's key columns */
	uint32_t nk, kcap;      /* keys, and room in the arrays here */
	int64_t *kseq;          /* first-seen sequence number; -1: not seen since
	                         * the key was last without windows */
	uint32_t *kcells;       /* cells of the key */
	uint32_t *khead;        /* sessions: the key's first cell, W_NONE */
	uint32_t *kepoch;       /* rows of the running batch had this key when == epoch */
	uint32_t *kdirty;       /* running totals folded in the running batch when == epoch */
	int64_t next_kseq;

	/* ---- the cells ---- */
	acc_store cells;
	uint32_t *cnext;  /* sessions: the key's next cell */
	uint32_t *cepoch; /* touched in the running batch when == epoch */
	uint32_t *fwd;    /* sessions: merged into (this batch), W_NONE */
	int64_t *pstart;  /* the start the cell's state record has, or SL_NO_WATERMARK */
	uint32_t *dead;   /* sessions merged away by the running input batch */
	uint32_t n_dead, dead_cap;
	w_cell_ref *pdel; /* their records, deleted at the end of the batch */
	uint32_t n_pdel, pdel_cap;
	uint32_t *ctable; /* tumbling/sliding: cell id + 1, 0 empty */
	uint64_t cmask;
	uint32_t *touched; /* cells touched by the running batch */
	uint32_t n_touched;
	uint32_t epoch;

	/* ---- progress ---- */
	int64_t closed_upto;  /* windows with end <= this are closed */
	int64_t next_row_seq; /* arrival number of the next row (first/last) */
	bool durable;
	bool dry_run;
	int64_t n_deleted; /* state rows deleted by this batch */

	/* ---- per input batch scratch ---- */
	int64_t scap;
	uint32_t *kids;
	uint32_t *cids;
	int32_t *rows; /* input rows that are aggregated */
	int32_t *late; /* input rows that are late */

	/* ---- per emission scratch ---- */
	win *wins;
	size_t n_wins, wins_cap;
	acc_store merged;  /* sliding: the windows' merged accumulators */
	sl_batch *pending; /* append: windows closed by begin_batch */
	sl_wbuf rec;       /* a state record being encoded */
} win_ctx;

/* Floor division and alignment (event times may be negative). */
static inline int64_t w_floor(int64_t t, int64_t m)
{
	int64_t q = t / m;
	return (t % m != 0 && (t < 0) != (m < 0)) ? q - 1 : q;
}

static inline int64_t w_align(int64_t t, int64_t m)
{
	return w_floor(t, m) * m;
}

static inline uint64_t w_cell_hash(uint32_t key, int64_t start)
{
	return sl_hash_fmix(((uint64_t)key * SL_HASH_K1) ^ (uint64_t)start);
}

/* The end of the last window a record at time t belongs to: the record is
 * late when even that one is closed. */
static inline int64_t w_last_end(const win_ctx *c, int64_t t)
{
	switch (c->kind) {
	case WIN_TUMBLING:
		return w_align(t, c->size) + c->size;
	case WIN_SLIDING:
		return w_align(t, c->slide) + c->size;
	case WIN_SESSION:
		return t + c->gap;
	}
	return t;
}

/* ---- window_keys.c ---- */
sl_value_kind w_value_kind(sl_type_id id, int *ok);
int w_keys_grow(win_ctx *c);
/* Key id (into kids[row]) of rows[0..m) of the n-row batch whose key
 * columns are in keys[].arr; other rows get no key. */
int w_keys_assign(win_ctx *c, int64_t n, const int32_t *rows, int64_t m);
/* Reads an encoded key: finds an equal key (returns its id) or adds one. */
int64_t w_keys_decode(win_ctx *c, sl_rbuf *r);
/* Cell i is gone: its key's count drops; a key left without cells (and
 * without running totals, which are state) is dead - forgotten at the
 * next w_keys_compact, and seen anew (a new first-seen number) if it comes
 * back before. */
void w_keys_cell_gone(win_ctx *c, uint32_t i);
/* Drops the dead keys from the key table once they are half as many as the
 * live ones (and at least a few thousand): a new table holds the live keys in
 * id order, the per-key arrays and the cells are renumbered.  Memory
 * follows the live keys, not every key ever seen. */
int w_keys_compact(win_ctx *c);
/* Bytes held for the keys. */
size_t w_keys_bytes(const win_ctx *c);
/* Key column j for the keys of rows wins[0..m). */
sl_array *w_keys_column(win_ctx *c, size_t j, const win *w, size_t m);

/* ---- window_acc.c ---- */
int w_store_init(win_ctx *c, acc_store *s);
int w_store_grow(win_ctx *c, acc_store *s, uint32_t need);
void w_store_free(win_ctx *c, acc_store *s);
/* Empties row i (counts zero, sets freed). */
void w_acc_clear(win_ctx *c, acc_store *s, uint32_t i);
/* Adds row j of src into row i of dst. */
int w_acc_merge(win_ctx *c, acc_store *dst, uint32_t i, const acc_store *src, uint32_t j);
/* Moves row j of s to row i (compaction; i < j). */
void w_acc_move(win_ctx *c, acc_store *s, uint32_t i, uint32_t j);
/* Updates the cells cids[0..m) with input rows rows[0..m). */
int w_acc_update(win_ctx *c, const sl_batch *in, int64_t m, sl_error *err);
/* The output column of aggregate j over rows idx[0..m) of s. */
sl_array *w_acc_column(win_ctx *c, size_t j, const acc_store *s, const uint32_t *idx, size_t m);
/* Garbage in the string arenas: compacts when worth it. */
int w_acc_compact_arenas(win_ctx *c);
size_t w_acc_bytes(const win_ctx *c, const acc_store *s);

/* ---- window_emit.c ---- */
/* Closes the windows whose end <= wm: append mode materialises them into
 * c->pending; running totals fold them; evicts cells wholly closed. */
int w_close(win_ctx *c, int64_t wm, sl_error *err);
/* Update/complete mode output at the end of a batch. */
int w_emit_end(win_ctx *c, int64_t wm, sl_emitter *out, sl_error *err);
/* The earliest end of a window still open, or SL_NO_WATERMARK. */
int64_t w_next_deadline(const win_ctx *c);
int w_cells_rehash(win_ctx *c);
/* Room for need cells (the store and the arrays beside it). */
int w_cells_grow(win_ctx *c, uint32_t need);
/* Removes the cells marked in gone[]; rebuilds the lookup structures. */
int w_cells_compact(win_ctx *c, const uint8_t *gone);

/* ---- window_state.c ---- */
int w_state_restore(win_ctx *c, sl_error *err);
/* Writes the touched cells, the touched keys' running totals and the
 * progress record. */
int w_state_save(win_ctx *c, sl_error *err);
/* Deletes cell i's record (before it is evicted). */
int w_state_del_cell(win_ctx *c, uint32_t i, sl_error *err);

#endif
