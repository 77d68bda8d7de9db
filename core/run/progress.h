/* progress.h - one JSON line per micro-batch with Spark's
 * StreamingQueryProgress names, printed on request and kept in memory. */
#ifndef SLUICE_CORE_PROGRESS_H
#define SLUICE_CORE_PROGRESS_H

#include "config/pipeline.h"

/* How many reports are kept for `sluice status`. */
#define SLC_PROGRESS_KEEP 100

typedef struct slc_progress slc_progress;

/* The times of one batch, microseconds. */
typedef struct slc_batch_times {
	int64_t batch_id;
	int64_t start_wall; /* wall clock when the trigger fired */
	int64_t start;      /* monotonic, when the trigger fired */
	int64_t prev_start; /* monotonic start of the previous batch, or -1 */
	int64_t get_offset; /* plan */
	int64_t add_batch;  /* begin_batch .. end_batch */
	int64_t commit;     /* commit and source_commit */
	int64_t total;      /* the whole trigger */
	int64_t lag;        /* how late the trigger fired (interval triggers) */
	int64_t watermark_us; /* in force for the batch, or SL_NO_WATERMARK */
} slc_batch_times;

/* print: write each report to stderr as well. */
slc_progress *slc_progress_new(const slc_pipeline *p, bool print);
void slc_progress_free(slc_progress *pr);
/* Builds the report from the stages' counts (rows, offsets, counters). */
int slc_progress_report(slc_progress *pr, const slc_pipeline *p, const slc_batch_times *t);
/* The reports kept, oldest first. */
size_t slc_progress_count(const slc_progress *pr);
const char *slc_progress_get(const slc_progress *pr, size_t i);

#endif
