/* metrics.c - a stage's named counters (sl_metric_add): this batch's value,
 * the total, and the last batch's for progress. */
#include <stdlib.h>
#include <string.h>

#include "run/metrics.h"

int slc_metric_add(slc_stage *st, const char *name, int64_t delta)
{
	slc_metric *m;

	for (size_t i = 0; i < st->n_metrics; i++) {
		if (strcmp(st->metrics[i].name, name) == 0) {
			st->metrics[i].batch += delta;
			st->metrics[i].total += delta;
			st->metrics[i].touched = true;
			return SL_OK;
		}
	}
	m = realloc(st->metrics, (st->n_metrics + 1) * sizeof(*m));
	if (m == NULL)
		return SL_ENOMEM;
	st->metrics = m;
	m = &st->metrics[st->n_metrics];
	m->name = strdup(name);
	if (m->name == NULL)
		return SL_ENOMEM;
	m->batch = delta;
	m->total = delta;
	m->touched = true;
	m->last = 0;
	st->n_metrics++;
	return SL_OK;
}

void slc_metrics_next_batch(slc_stage *st)
{
	for (size_t i = 0; i < st->n_metrics; i++) {
		slc_metric *m = &st->metrics[i];

		if (m->touched)
			m->last = m->batch;
		m->batch = 0;
		m->touched = false;
	}
	st->state_writes = 0;
}

const slc_metric *slc_metric_find(const slc_stage *st, const char *name)
{
	for (size_t i = 0; i < st->n_metrics; i++)
		if (strcmp(st->metrics[i].name, name) == 0)
			return &st->metrics[i];
	return NULL;
}

int64_t slc_metric_batch(const slc_stage *st, const char *name)
{
	const slc_metric *m = slc_metric_find(st, name);

	return m != NULL ? m->batch : 0;
}
