/* protocol.h - the checkpoint protocol of a run, the scheduler's side of the
 * store: where a run restarts (restart.c) and what every batch logs around
 * its work (batch_log.c).  Without a checkpoint only the state store's
 * calls remain (in memory). */
#ifndef SLUICE_CORE_PROTOCOL_H
#define SLUICE_CORE_PROTOCOL_H

#include <sluice/sluice.h>

#include "config/pipeline.h"

/* Where the run starts: the first batch id, and whether that batch is a
 * logged one replayed (its sources' statuses and ends are set). */
typedef struct slc_resume {
	int64_t batch_id;
	bool replay;
	int64_t trigger_us;        /* the replayed batch's trigger time */
	int64_t watermark_us;      /* the replayed batch's watermark */
	int64_t next_watermark_us; /* not replaying: the watermark computed at the
	                            * end of the last committed batch */
	int64_t last_watermark_us; /* the watermark in force for the last
	                            * committed batch (its offsets entry's) */
} slc_resume;

/* Restart logic: the last committed batch from the store, the log checked,
 * sources moved to their committed offsets, the uncommitted batch (if any)
 * prepared for replay.  Without a checkpoint: batch 0, nothing to replay. */
int slc_chk_restore(slc_pipeline *p, slc_resume *r, sl_error *err);
/* Before batch bc->batch_id runs: offsets/N written and fsynced, crash
 * point "offsets-written", the state transaction begun. */
int slc_chk_log_offsets(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err);
/* After the sinks committed: crash point "state-commit", the commit record
 * and the state transaction committed, commits/N written. */
int slc_chk_log_commit(slc_pipeline *p, const sl_batch_ctx *bc, sl_error *err);
/* A failed batch: its state writes are dropped. */
void slc_chk_abort(slc_pipeline *p);

#endif
