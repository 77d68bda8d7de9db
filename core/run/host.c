/* host.c - the sl_host table: logging, counters, the stop flag, the stage's
 * name, the checkpoint directory, the query id; the state store, the
 * watermark and side outputs come from their own files, and what a stage
 * emits into a side output goes on through the scheduler. */
#include "run/host.h"
#include "run/metrics.h"
#include "run/scheduler.h"
#include "run/side.h"
#include "run/state_api.h"
#include "run/watermark.h"
#include "util/log.h"
#include "util/signals.h"

static void host_logv(sl_stage *st, sl_log_level level, const char *fmt, va_list ap)
{
	slc_logv(level, st ? slc_stage_of(st)->name : NULL, fmt, ap);
}

static void host_metric_add(sl_stage *st, const char *name, int64_t delta)
{
	if (st != NULL && name != NULL)
		slc_metric_add(slc_stage_of(st), name, delta);
}

static int host_stopping(sl_stage *st)
{
	(void)st;
	return slc_stop_requested();
}

static const char *host_stage_name(sl_stage *st)
{
	return st ? slc_stage_of(st)->name : NULL;
}

static const char *host_checkpoint_dir(sl_stage *st)
{
	return st ? slc_stage_of(st)->pipeline->checkpoint : NULL;
}

static const char *host_query_id(sl_stage *st)
{
	return st ? slc_stage_of(st)->pipeline->query_id : NULL;
}

/* Pushed on by the scheduler, which checks name and schema; outside a run
 * there is nobody to push to. */
static int host_side_emit(sl_stage *h, const char *name, sl_batch *batch)
{
	slc_stage *st = h ? slc_stage_of(h) : NULL;

	if (st == NULL || name == NULL || st->sched == NULL) {
		sl_batch_unref(batch);
		return SL_ESTATE;
	}
	return slc_sched_side_emit(st, name, batch);
}

static const sl_host host_table = {
    .size = sizeof(sl_host),
    .version = ((uint32_t)SL_ABI_MAJOR << 16) | SL_ABI_MINOR,
    .logv = host_logv,
    .metric_add = host_metric_add,
    .stopping = host_stopping,
    .stage_name = host_stage_name,
    .checkpoint_dir = host_checkpoint_dir,
    .state = &slc_state_table,
    .watermark = &slc_watermark_table,
    .side_output_declare = slc_side_declare,
    .side_emit = host_side_emit,
    .query_id = host_query_id,
};

const sl_host *slc_host(void)
{
	return &host_table;
}
