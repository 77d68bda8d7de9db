/* metrics.h - a stage's named counters (sl_metric_add), shown in progress. */
#ifndef SLUICE_CORE_METRICS_H
#define SLUICE_CORE_METRICS_H

#include "config/pipeline.h"

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
