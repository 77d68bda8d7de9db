/* state.h - the state store behind host->state (sl_state.h).
 *
 * Two kinds, one interface:
 *   - durable: a Berkeley DB transactional environment in a directory
 *     (CHK/state), opened with recovery; one btree "state" with keys
 *     "<stage> NUL <key>" and one "commits" with the last committed batch.
 *     Writes go into the batch's transaction, committed with the batch's
 *     commit record (DB_TXN_SYNC).
 *   - in memory: a temporary btree (no environment, no durability); begin
 *     and commit do nothing.
 * Keys passed here are whole keys (the stage prefix is added by
 * state_api.c).  One thread uses a store.
 */
#ifndef SLUICE_CORE_STATE_H
#define SLUICE_CORE_STATE_H

#include <sluice/sluice.h>

typedef struct slc_state slc_state;

/* A growable byte buffer: values are read into it without a malloc per
 * call. */
typedef struct slc_buf {
	void *data;
	size_t len;
	size_t cap;
} slc_buf;

int slc_buf_reserve(slc_buf *b, size_t cap);
int slc_buf_set(slc_buf *b, const void *p1, size_t n1, const void *p2, size_t n2);
void slc_buf_free(slc_buf *b);

/* Tuning of a durable store (0 anywhere: the default). */
typedef struct slc_state_config {
	size_t cache_bytes;      /* Berkeley DB cache (default 32 MiB) */
	uint32_t log_file_bytes; /* size of one log file (default 8 MiB) */
	int checkpoint_every;    /* txn_checkpoint + log_archive every N commits (10) */
} slc_state_config;

/* Opens (creating) the environment in dir with recovery and dead-process
 * detection.  A DB_CONFIG file in dir is refused.  where names the store in
 * messages (e.g. "checkpoint /x"). */
int slc_state_open_durable(const char *dir, const char *where, const slc_state_config *cfg,
                           slc_state **out, sl_error *err);
/* An in-memory store. */
int slc_state_open_memory(slc_state **out, sl_error *err);
/* Aborts an open transaction and closes everything. */
void slc_state_close(slc_state *s);

int slc_state_is_durable(const slc_state *s);
/* The last committed batch id recorded in the store; -1 when none. */
int64_t slc_state_last_commit(const slc_state *s);

/* Begins the batch's transaction (a no-op when one is open already or in
 * memory). */
int slc_state_begin(slc_state *s, sl_error *err);
/* Records batch_id as committed and commits the transaction, synchronously;
 * every checkpoint_every commits, checkpoints the environment and removes
 * log files no longer needed. */
int slc_state_commit(slc_state *s, int64_t batch_id, sl_error *err);
/* Drops the open transaction's writes (durable store only). */
void slc_state_abort(slc_state *s);
/* Checkpoints the environment and removes unneeded log files now. */
int slc_state_maintain(slc_state *s, sl_error *err);

/* --- whole-key operations --- */
/* val receives the value; SL_ENOTFOUND when absent. */
int slc_state_get(slc_state *s, const void *key, size_t klen, slc_buf *val, sl_error *err);
int slc_state_put(slc_state *s, const void *key, size_t klen, const void *val, size_t vlen,
                  sl_error *err);
/* SL_OK also when absent. */
int slc_state_del(slc_state *s, const void *key, size_t klen, sl_error *err);
/* Calls fn for each key starting with prefix, in key order, until fn
 * returns non-zero.  del: delete each key instead of calling fn. */
int slc_state_scan(slc_state *s, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
                   sl_error *err);
int slc_state_del_prefix(slc_state *s, const void *prefix, size_t plen, int64_t *n_deleted,
                         sl_error *err);

#endif
