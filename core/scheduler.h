/* scheduler.h - the micro-batch loop (ARCHITECTURE.md, "Scheduler"). */
#ifndef SLUICE_CORE_SCHEDULER_H
#define SLUICE_CORE_SCHEDULER_H

#include "pipeline.h"
#include "progress.h"

/* Runs created stages until every source ends, the trigger says stop, or a
 * stop is requested (slc_stop_requested).  Returns SL_OK then, or a negative
 * code with err->msg "stage 'x': message" for the first failure. */
int slc_scheduler_run(slc_pipeline *p, slc_progress *prog, sl_error *err);

#endif
