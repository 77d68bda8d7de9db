/* trigger.h - when micro-batches start (Spark's triggers). */
#ifndef SLUICE_CORE_TRIGGER_H
#define SLUICE_CORE_TRIGGER_H

#include <sluice/sluice.h>

typedef enum slc_trigger_kind {
	SLC_TRIGGER_INTERVAL = 0, /* a batch every interval_us; 0: back to back */
	SLC_TRIGGER_ONCE,         /* one batch, then stop */
	SLC_TRIGGER_AVAILABLE_NOW /* batches until no source has data, then stop */
} slc_trigger_kind;

typedef struct slc_trigger {
	slc_trigger_kind kind;
	int64_t interval_us;
} slc_trigger;

/* How long to wait before asking idle sources again with interval 0:
 * Spark's spark.sql.streaming.pollingDelay (10 ms).  It bounds the latency
 * of a record that arrives while the query is idle. */
#define SLC_POLL_US 10000

/* Parses "1s", "500ms", "once", "available-now" (or "availableNow"). */
int slc_trigger_parse(const char *text, slc_trigger *out, sl_error *err);
/* Writes the trigger's text form ("once", "available-now", "1s", "0s"). */
void slc_trigger_format(const slc_trigger *t, char *buf, size_t n);

#endif
