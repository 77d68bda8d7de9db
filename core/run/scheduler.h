/* scheduler.h - the micro-batch loop (ARCHITECTURE.md, "Scheduler"). */
#ifndef SLUICE_CORE_SCHEDULER_H
#define SLUICE_CORE_SCHEDULER_H

#include "config/pipeline.h"
#include "run/progress.h"

/* Runs created stages until every source ends, the trigger says stop, or a
 * stop is requested (slc_stop_requested).  Returns SL_OK then, or a negative
 * code with err->msg "stage 'x': message" for the first failure. */
int slc_scheduler_run(slc_pipeline *p, slc_progress *prog, sl_error *err);

/* host->side_emit while st runs: pushes batch (transfer full) from st's
 * side output name to its readers; unread, it is counted and dropped.  A
 * name st did not declare, or a batch of another schema, fails the batch. */
int slc_sched_side_emit(slc_stage *st, const char *name, sl_batch *batch);

#endif
