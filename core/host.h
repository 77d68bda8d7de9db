/* host.h - the sl_host table handed to every stage, and the core's own
 * logging (same format: "sluice: LEVEL: stage 'x': message"). */
#ifndef SLUICE_CORE_HOST_H
#define SLUICE_CORE_HOST_H

#include <sluice/sluice.h>

#include "pipeline.h"

/* The host table (static, valid for the whole run). */
const sl_host *slc_host(void);

/* Sets the log level from env SLUICE_LOG (error|warn|info|debug, default
 * warn); verbose raises it to at least info. */
void slc_log_setup(bool verbose);
void slc_log_set_level(sl_log_level level);
bool slc_log_enabled(sl_log_level level);
/* stage may be NULL for the core's own messages. */
void slc_log(sl_log_level level, const char *stage, const char *fmt, ...) SL_PRINTF(3, 4);
void slc_logv(sl_log_level level, const char *stage, const char *fmt, va_list ap);

/* The stage behind an sl_stage handle. */
static inline slc_stage *slc_stage_of(sl_stage *st)
{
	return (slc_stage *)st;
}

/* Adds delta to the stage's counter called name (creating it). */
int slc_metric_add(slc_stage *st, const char *name, int64_t delta);
/* Starts a new batch's counts (totals are kept; a counter touched in the
 * batch keeps that batch's value as `last`). */
void slc_metrics_next_batch(slc_stage *st);
/* The stage's counter called name, or NULL. */
const slc_metric *slc_metric_find(const slc_stage *st, const char *name);
/* Its value this batch (0 when it has none). */
int64_t slc_metric_batch(const slc_stage *st, const char *name);

#endif
