/* sl_state.h - the state store service (host->state).
 *
 * Each stage owns a namespace of keys in a transactional store kept in the
 * pipeline's checkpoint directory (Berkeley DB).  Writes made while a
 * micro-batch runs belong to that batch: they become durable together with
 * the batch's commit record, in one transaction committed after every sink
 * finished the batch.  If the process dies before that, none of them happened
 * and the batch is replayed against the state of the batch before.
 *
 * Stateful plugins keep a hot in-memory table, restore it in create() with
 * a scan, and write what changed once per batch (in end_batch) — never a
 * store call per record.  Without a checkpoint directory the service keeps
 * the namespace in memory (nothing survives a restart); sl_state_durable()
 * tells which.
 */
#ifndef SLUICE_SL_STATE_H
#define SLUICE_SL_STATE_H

#include <sluice/sl_plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called for each key of a scan, in key order (bytewise); return non-zero to
 * stop.  key and val are valid for the duration of the call. */
typedef int (*sl_state_scan_fn)(void *arg, const void *key, size_t klen, const void *val,
				size_t vlen);

typedef struct sl_state_api {
	uint32_t size; /* sizeof(sl_state_api) as built by the host */
	/* Non-zero when writes survive a restart (a checkpoint is configured). */
	int (*durable)(sl_stage *st);
	/* Reads key.  On SL_OK *val points to the value, valid until the next
	 * state call of this stage; SL_ENOTFOUND when absent. */
	int (*get)(sl_stage *st, const void *key, size_t klen, const void **val, size_t *vlen,
		   sl_error *err);
	/* Writes or replaces key, as part of the running batch. */
	int (*put)(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
		   sl_error *err);
	/* Deletes key (SL_OK also when it was absent), as part of the running
	 * batch. */
	int (*del)(sl_stage *st, const void *key, size_t klen, sl_error *err);
	/* Every key starting with prefix (plen may be 0), in key order. */
	int (*scan)(sl_stage *st, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
		    sl_error *err);
	/* Deletes every key of the stage, as part of the running batch. */
	int (*clear)(sl_stage *st, sl_error *err);
} sl_state_api;

/* Conveniences (NULL-safe on a host without the service: SL_ESTATE). */
int sl_state_durable(sl_stage *st);
int sl_state_get(sl_stage *st, const void *key, size_t klen, const void **val, size_t *vlen,
		 sl_error *err);
int sl_state_put(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
		 sl_error *err);
int sl_state_del(sl_stage *st, const void *key, size_t klen, sl_error *err);
int sl_state_scan(sl_stage *st, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
		  sl_error *err);
int sl_state_clear(sl_stage *st, sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
