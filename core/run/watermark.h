/* watermark.h - the event-time watermark service (ARCHITECTURE.md, "Event
 * time and side outputs"; sl_watermark.h): per stage that declares one, the
 * core scans the watermark column of every input batch, keeps the largest
 * event time seen, and at the end of batch N computes the watermark in
 * force for N + 1:  min (or max, `watermark_policy`) over the stages of
 * max(event time) - delay, never lowered.  It is logged with offsets/N+1
 * and, with the stages' maxima, saved in batch N's state transaction, so a
 * restart or a replay sees the same values. */
#ifndef SLUICE_CORE_WATERMARK_H
#define SLUICE_CORE_WATERMARK_H

#include "config/pipeline.h"
#include "util/diag.h"

/* host->watermark */
extern const sl_watermark_api slc_watermark_table;

/* Checks st's `watermark` column: a TIMESTAMP column of every input
 * (schemas, n) - of its output for a source - and remembers where it is.
 * Problems go to d at the key's line (did-you-mean for a misspelt name). */
int slc_wm_bind(slc_stage *st, const sl_schema *const *schemas, size_t n, slc_diag *d);
/* True when some stage tracks event time. */
bool slc_wm_any(const slc_pipeline *p);

/* Folds the watermark column of batch (arriving on port) into st's batch
 * statistics; a no-op when st scans nothing there. */
static inline bool slc_wm_scans(const slc_stage *st, size_t port)
{
	return st->et.cols != NULL && st->et.cols[port] >= 0;
}
void slc_wm_scan(slc_stage *st, size_t port, const sl_batch *batch);

/* A new batch: the batch statistics and reported deadlines are dropped. */
void slc_wm_begin_batch(slc_pipeline *p);
/* The end of a batch whose watermark was current: the batch maxima folded
 * into the stages' maxima; returns the watermark for the next batch. */
int64_t slc_wm_advance(slc_pipeline *p, int64_t current);
/* Is a batch without new data due: next is above last (the watermark of the
 * last batch) and reaches a deadline some stage reported? */
bool slc_wm_due(const slc_pipeline *p, int64_t last, int64_t next);

/* The stages' maxima, the deadlines they reported in this batch and next
 * into the running state transaction (checkpointed pipelines that track
 * event time only). */
int slc_wm_save(slc_pipeline *p, int64_t next, sl_error *err);
/* Reads them back at restart (the deadlines too, so that a batch without
 * new data that is due runs before the scheduler decides nothing is left);
 * *next is SL_NO_WATERMARK when none. */
int slc_wm_restore(slc_pipeline *p, int64_t *next, sl_error *err);

/* This batch's event-time statistics over every stage that scanned:
 * false when no row had an event time. */
bool slc_wm_batch_stats(const slc_pipeline *p, int64_t *min, int64_t *max, int64_t *avg);

#endif
