/* harness_event.h - the fake host's event-time services: the watermark
 * table (deadlines and observed times recorded) and side outputs (declared
 * outputs captured like the main one).  Internal to the harness; tests use
 * the slh_* calls in harness.h.
 */
#ifndef SLUICE_TESTS_HARNESS_EVENT_H
#define SLUICE_TESTS_HARNESS_EVENT_H

#include <sluice/sluice.h>

#define SLH_MAX_SIDE 8

typedef struct slh_side {
	char *name;
	sl_schema *schema;
	sl_batch **out;
	size_t n, cap;
} slh_side;

typedef struct slh_event {
	char *wm_column;
	int64_t wm_delay_us;
	int64_t deadline;
	int64_t observed;
	sl_watermark_api wm_api;
	slh_side side[SLH_MAX_SIDE];
	size_t n_side;
	sl_strbuf text;
} slh_event;

struct slh;
void slh_event_init(slh_event *e, sl_host *host);
void slh_event_free(slh_event *e);
slh_event *slh_event_of(struct slh *h);
struct slh *slh_of_stage(sl_stage *st);

#endif
