/* batch_log.c - what each batch of a checkpointed run logs (ARCHITECTURE.md):
 *
 *   plan -> offsets/N (fsync) -> "offsets-written" -> begin transaction ->
 *   batch -> "sinks-done" -> sinks' commit -> "state-commit" -> commit
 *   record + transaction (DB_TXN_SYNC) -> commits/N -> source_commit
 *
 * Without a checkpoint only the state calls remain (in memory).
 */
#include <stdlib.h>
#include <string.h>

#include "run/protocol.h"
#include "store/checkpoint.h"

static bool is_source(const slc_stage *st)
{
	return st->role == SL_PLUGIN_SOURCE;
}

/* The stages' event-time maxima before the batch. */
static int add_event_times(slc_pipeline *p, slc_offsets *o)
{
	o->event_names = calloc(p->n_order + 1, sizeof(char *));
	o->event_max = calloc(p->n_order + 1, sizeof(int64_t));
	if (o->event_names == NULL || o->event_max == NULL)
		return SL_ENOMEM;
	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];

		if (!st->et.declared || st->et.max_us == SL_NO_WATERMARK)
			continue;
		o->event_names[o->n_event] = strdup(st->name);
		if (o->event_names[o->n_event] == NULL)
			return SL_ENOMEM;
		o->event_max[o->n_event++] = st->et.max_us;
	}
	return SL_OK;
}

/* The entry: where every source stands once batch bc->batch_id is done. */
static int build_entry(slc_pipeline *p, const sl_batch_ctx *bc, slc_offsets *o)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_order; i++)
		n += is_source(p->order[i]);
	o->batch_id = bc->batch_id;
	o->timestamp_us = bc->trigger_us;
	o->watermark_us = bc->watermark_us;
	o->names = calloc(n + 1, sizeof(char *));
	o->ends = calloc(n + 1, sizeof(char *));
	if (o->names == NULL || o->ends == NULL)
		return SL_ENOMEM;
	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];
		const char *end = st->src.status == SL_OK ? st->src.end.buf : st->src.start;

		if (!is_source(st))
			continue;
		o->names[o->n] = strdup(st->name);
		o->ends[o->n] = end ? strdup(end) : NULL;
		o->n++;
		if (o->names[o->n - 1] == NULL || (end && o->ends[o->n - 1] == NULL))
			return SL_ENOMEM;
	}
	return add_event_times(p, o);
}

int slc_chk_log_offsets(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err)
{
	slc_offsets o = {0};
	int rc = SL_OK;

	if (p->chk != NULL) {
		rc = build_entry(p, bc, &o);
		if (rc < 0)
			rc = sl_error_set(err, rc, "out of memory");
		else
			rc = slc_checkpoint_write_offsets(p->chk, &o, err);
		slc_offsets_free(&o);
		if (rc < 0)
			return rc;
	}
	sl_crash_point("offsets-written", bc->batch_id);
	return p->state ? slc_state_begin(p->state, err) : SL_OK;
}

int slc_chk_log_commit(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err)
{
	int rc = SL_OK;

	sl_crash_point("state-commit", bc->batch_id);
	if (p->state != NULL)
		rc = slc_state_commit(p->state, bc->batch_id, err);
	if (rc >= 0 && p->chk != NULL)
		rc = slc_checkpoint_write_commit(p->chk, bc->batch_id, bc->trigger_us, err);
	return rc;
}

void slc_chk_abort(slc_pipeline *p)
{
	if (p->state != NULL)
		slc_state_abort(p->state);
}
