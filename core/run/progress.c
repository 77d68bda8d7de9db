/* progress.c - StreamingQueryProgress as JSON lines (jansson). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "run/metrics.h"
#include "run/progress.h"
#include "run/watermark.h"
#include "util/uuid.h"

struct slc_progress {
	char id[37];
	char run_id[37];
	bool print;
	char *kept[SLC_PROGRESS_KEEP];
	size_t first; /* index of the oldest kept report */
	size_t n;
};

slc_progress *slc_progress_new(const slc_pipeline *p, bool print)
{
	slc_progress *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return NULL;
	/* The query id survives restarts when the checkpoint's metadata holds
	 * it; without a checkpoint it is random per run like the run id. */
	if (p != NULL && p->query_id[0] != '\0')
		snprintf(pr->id, sizeof(pr->id), "%s", p->query_id);
	else
		slc_uuid(pr->id);
	slc_uuid(pr->run_id);
	pr->print = print;
	return pr;
}

void slc_progress_free(slc_progress *pr)
{
	if (pr == NULL)
		return;
	for (size_t i = 0; i < pr->n; i++)
		free(pr->kept[(pr->first + i) % SLC_PROGRESS_KEEP]);
	free(pr);
}

size_t slc_progress_count(const slc_progress *pr)
{
	return pr->n;
}

const char *slc_progress_get(const slc_progress *pr, size_t i)
{
	return i < pr->n ? pr->kept[(pr->first + i) % SLC_PROGRESS_KEEP] : NULL;
}

static void keep(slc_progress *pr, char *line)
{
	if (pr->n == SLC_PROGRESS_KEEP) {
		free(pr->kept[pr->first]);
		pr->kept[pr->first] = line;
		pr->first = (pr->first + 1) % SLC_PROGRESS_KEEP;
		return;
	}
	pr->kept[(pr->first + pr->n) % SLC_PROGRESS_KEEP] = line;
	pr->n++;
}

/* An offset as JSON when it is JSON, as a string otherwise, null when
 * absent. */
static json_t *offset_json(const char *text)
{
	json_t *j;

	if (text == NULL)
		return json_null();
	j = json_loads(text, JSON_DECODE_ANY, NULL);
	return j ? j : json_string(text);
}

static json_t *describe(const slc_stage *st)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s[%s]", st->plugin->name, st->name);
	return json_string(buf);
}

static json_t *source_json(const slc_stage *st)
{
	json_t *o = json_object();
	/* Reported after the commit: a source that read this batch has moved
	 * its start to the batch's end already. */
	const char *start = st->src.status == SL_OK ? st->src.last_start : st->src.start;
	const char *end = st->src.start;

	json_object_set_new(o, "description", describe(st));
	json_object_set_new(o, "startOffset", offset_json(start));
	json_object_set_new(o, "endOffset", offset_json(end));
	json_object_set_new(o, "numInputRows", json_integer(st->src.rows));
	return o;
}

/* A gauge counter: this batch's value when reported in the batch, the last
 * reported value otherwise; -1 when never reported. */
static int64_t gauge(const slc_stage *st, const char *name)
{
	const slc_metric *m = slc_metric_find(st, name);

	if (m == NULL)
		return -1;
	return m->touched ? m->batch : m->last;
}

/* Spark's StateOperatorProgress for a stateful stage.  numRowsTotal is
 * the gauge "stateRowsTotal" (the stage reports its number of keys once per
 * batch), numRowsUpdated the batch's sum of "stateRowsUpdated" (or, when
 * the stage reports none, its puts and deletes in the batch),
 * memoryUsedBytes the gauge "stateMemoryUsedBytes" (0 when not reported). */
static json_t *state_json(const slc_stage *st)
{
	json_t *o = json_object();
	const slc_metric *upd = slc_metric_find(st, "stateRowsUpdated");
	int64_t total = gauge(st, "stateRowsTotal"), mem = gauge(st, "stateMemoryUsedBytes");

	json_object_set_new(o, "operatorName", describe(st));
	json_object_set_new(o, "numRowsTotal", json_integer(total < 0 ? 0 : total));
	json_object_set_new(o, "numRowsUpdated",
	                    json_integer(upd != NULL ? upd->batch : st->state_writes));
	json_object_set_new(o, "memoryUsedBytes", json_integer(mem < 0 ? 0 : mem));
	json_object_set_new(o, "numRowsDroppedByWatermark",
	                    json_integer(slc_metric_batch(st, "numRowsDroppedByWatermark")));
	return o;
}

/* Spark's eventTime: the watermark in force (when one is) and this batch's
 * event-time min, max and average; only when a stage tracks event time. */
static json_t *event_time(const slc_pipeline *p, const slc_batch_times *t)
{
	json_t *o = json_object();
	int64_t mn, mx, avg;
	char buf[64];

	if (slc_wm_batch_stats(p, &mn, &mx, &avg)) {
		sl_format_timestamp_iso(avg, buf);
		json_object_set_new(o, "avg", json_string(buf));
		sl_format_timestamp_iso(mx, buf);
		json_object_set_new(o, "max", json_string(buf));
		sl_format_timestamp_iso(mn, buf);
		json_object_set_new(o, "min", json_string(buf));
	}
	if (t->watermark_us != SL_NO_WATERMARK) {
		sl_format_timestamp_iso(t->watermark_us, buf);
		json_object_set_new(o, "watermark", json_string(buf));
	}
	return o;
}

static json_t *sink_json(const slc_stage *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "description", describe(st));
	json_object_set_new(o, "numOutputRows", json_integer(st->rows_in));
	return o;
}

static json_t *durations(const slc_batch_times *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "triggerExecution", json_integer(t->total / 1000));
	json_object_set_new(o, "getOffset", json_integer(t->get_offset / 1000));
	json_object_set_new(o, "addBatch", json_integer(t->add_batch / 1000));
	json_object_set_new(o, "commitOffsets", json_integer(t->commit / 1000));
	return o;
}

/* Counters from sl_metric_add, per stage, this batch's values. */
static json_t *metrics(const slc_pipeline *p)
{
	json_t *o = json_object();

	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];
		json_t *m;

		if (st->n_metrics == 0)
			continue;
		m = json_object();
		for (size_t k = 0; k < st->n_metrics; k++)
			json_object_set_new(m, st->metrics[k].name,
			                    json_integer(st->metrics[k].batch));
		json_object_set_new(o, st->name, m);
	}
	return o;
}

/* Rows into and out of every stage this batch. */
static json_t *stage_rows(const slc_pipeline *p)
{
	json_t *o = json_object();

	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];
		json_t *s = json_object();

		json_object_set_new(s, "numInputRows", json_integer(st->rows_in));
		json_object_set_new(s, "numOutputRows", json_integer(st->rows_out));
		if (st->n_sides > 0) {
			json_t *side = json_object();

			for (size_t k = 0; k < st->n_sides; k++)
				json_object_set_new(side, st->sides[k].name,
				                    json_integer(st->sides[k].rows));
			json_object_set_new(s, "sideOutputRows", side);
		}
		json_object_set_new(o, st->name, s);
	}
	return o;
}

/* Sources, sinks and the input row count. */
static int64_t add_ends(json_t *o, const slc_pipeline *p)
{
	json_t *sources = json_array(), *sinks = json_array(), *state = json_array();
	int64_t rows = 0;

	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];

		if (st->plugin->flags & SL_PLUGIN_STATEFUL)
			json_array_append_new(state, state_json(st));
		if (st->role == SL_PLUGIN_SOURCE) {
			json_array_append_new(sources, source_json(st));
			rows += st->src.rows;
		} else if (st->role == SL_PLUGIN_SINK) {
			json_array_append_new(sinks, sink_json(st));
		}
	}
	json_object_set_new(o, "stateOperators", state);
	json_object_set_new(o, "sources", sources);
	json_object_set(o, "sink", json_array_size(sinks) ? json_array_get(sinks, 0) : json_null());
	if (json_array_size(sinks) > 1)
		json_object_set(o, "sinks", sinks);
	json_decref(sinks);
	return rows;
}

static json_t *build(const slc_progress *pr, const slc_pipeline *p, const slc_batch_times *t)
{
	json_t *o = json_object();
	json_t *tail = json_object();
	char ts[64];
	int64_t rows;
	double since;

	sl_format_timestamp_iso(t->start_wall, ts);
	json_object_set_new(o, "id", json_string(pr->id));
	json_object_set_new(o, "runId", json_string(pr->run_id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "timestamp", json_string(ts));
	json_object_set_new(o, "batchId", json_integer(t->batch_id));
	rows = add_ends(tail, p);
	since = t->prev_start >= 0 ? (double)(t->start - t->prev_start) / 1e6 : 0.0;
	json_object_set_new(o, "numInputRows", json_integer(rows));
	json_object_set_new(o, "inputRowsPerSecond", json_real(since > 0 ? rows / since : 0.0));
	json_object_set_new(o, "processedRowsPerSecond",
	                    json_real(t->total > 0 ? rows / ((double)t->total / 1e6) : 0.0));
	json_object_set_new(o, "durationMs", durations(t));
	json_object_set_new(o, "triggerLagMs", json_integer(t->lag / 1000));
	if (slc_wm_any(p))
		json_object_set_new(o, "eventTime", event_time(p, t));
	json_object_update(o, tail);
	json_decref(tail);
	json_object_set_new(o, "stages", stage_rows(p));
	json_object_set_new(o, "metrics", metrics(p));
	return o;
}

int slc_progress_report(slc_progress *pr, const slc_pipeline *p, const slc_batch_times *t)
{
	json_t *o = build(pr, p, t);
	char *line;

	if (o == NULL)
		return SL_ENOMEM;
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (line == NULL)
		return SL_ENOMEM;
	if (pr->print)
		fprintf(stderr, "%s\n", line);
	keep(pr, line);
	return SL_OK;
}
