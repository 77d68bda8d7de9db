/* sl_watermark.h - the event-time watermark service (host->watermark).
 *
 * Semantics (Spark 3.0's): a stage that declares a watermark reports, at the
 * end of every batch, the largest event time it saw in that batch.  The core
 * keeps, per such stage, max(event time seen in all batches so far) - delay;
 * the global watermark is the minimum over the stages (an option of the
 * pipeline, `watermark_policy = "max"`, takes the maximum).  The watermark
 * computed at the end of batch N is written with batch N+1's offsets and is
 * the one in force for N+1 (bc->watermark_us), so a replay is identical; it
 * never goes down.
 *
 * A stage with windows still open also reports the earliest event time at
 * which one of them closes (its end).  When the watermark in force for the
 * next batch reaches that time and no source has new data, the core runs a
 * batch without new data so the stage can emit and evict those windows.
 */
#ifndef SLUICE_SL_WATERMARK_H
#define SLUICE_SL_WATERMARK_H

#include <sluice/sl_plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_watermark_api {
	uint32_t size; /* sizeof(sl_watermark_api) as built by the host */
	/* Declares that the stage tracks event time with this delay (us).
	 * Call once, in create. */
	int (*declare)(sl_stage *st, int64_t delay_us, sl_error *err);
	/* The largest event time (us) the stage saw in the running batch; call
	 * in end_batch (SL_NO_WATERMARK when it saw none). */
	void (*observe)(sl_stage *st, int64_t max_event_us);
	/* The earliest time at which a window of the stage closes, or
	 * SL_NO_WATERMARK when none is open; call in end_batch. */
	void (*next_deadline)(sl_stage *st, int64_t deadline_us);
} sl_watermark_api;

/* Conveniences (SL_ESTATE / no-ops on a host without the service). */
int sl_watermark_declare(sl_stage *st, int64_t delay_us, sl_error *err);
void sl_watermark_observe(sl_stage *st, int64_t max_event_us);
void sl_watermark_next_deadline(sl_stage *st, int64_t deadline_us);

#ifdef __cplusplus
}
#endif
#endif
