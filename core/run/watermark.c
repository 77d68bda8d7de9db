/* watermark.c - the event-time watermark service (watermark.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "run/watermark.h"

/* The state-store key of the core's record: stage "" (no stage may have an
 * empty name), NUL, "event-time". */
static const char wm_key[] = "\0event-time";
#define WM_KEY_LEN (sizeof(wm_key) - 1)

/* --- create time --- */

static int bind_one(slc_stage *st, const sl_schema *s, const char *from, size_t port, slc_diag *d)
{
	const char *col = st->et.column, *hint;
	int i = sl_schema_find(s, col);
	sl_strbuf sb = {0};
	int rc;

	if (i < 0) {
		hint = sl_schema_suggest(s, col);
		if (hint != NULL)
			return slc_diag_add(d, st->file, st->et.line, st->name,
			                    "watermark column '%s' not found in %s (did you mean "
			                    "'%s'?)",
			                    col, from, hint);
		return slc_diag_add(d, st->file, st->et.line, st->name,
		                    "watermark column '%s' not found in %s", col, from);
	}
	if (s->fields[i].type->id != SL_TYPE_TIMESTAMP) {
		sl_type_format(s->fields[i].type, &sb);
		rc =
		    slc_diag_add(d, st->file, st->et.line, st->name,
		                 "watermark column '%s' is %s, not TIMESTAMP (convert it upstream, "
		                 "e.g. to_timestamp(%s))",
		                 col, sb.buf ? sb.buf : "?", col);
		sl_strbuf_free(&sb);
		return rc;
	}
	st->et.cols[port] = i;
	return SL_OK;
}

int slc_wm_bind(slc_stage *st, const sl_schema *const *schemas, size_t n, slc_diag *d)
{
	char from[300];
	int rc = SL_OK;

	if (st->et.column == NULL)
		return SL_OK;
	free(st->et.cols);
	st->et.cols = malloc((n ? n : 1) * sizeof(*st->et.cols));
	if (st->et.cols == NULL)
		return SL_ENOMEM;
	for (size_t j = 0; j < n; j++) {
		st->et.cols[j] = -1;
		if (st->role == SL_PLUGIN_SOURCE)
			snprintf(from, sizeof(from), "the source's output");
		else if (n == 1)
			snprintf(from, sizeof(from), "the input");
		else
			snprintf(from, sizeof(from), "input '%s'", st->input_names[j]);
		if (bind_one(st, schemas[j], from, j, d) < 0)
			rc = SL_EINVAL;
	}
	if (rc < 0)
		st->broken = st->broken ? st->broken : 1;
	return rc;
}

bool slc_wm_any(const slc_pipeline *p)
{
	for (size_t i = 0; i < p->n_order; i++)
		if (p->order[i]->et.declared)
			return true;
	return false;
}

/* --- per batch --- */

void slc_wm_scan(slc_stage *st, size_t port, const sl_batch *batch)
{
	const sl_array *a = batch->columns[st->et.cols[port]];
	const int64_t *v = sl_array_i64(a);
	int64_t n = a->length, mx = st->et.batch_max, mn = st->et.batch_min, k = 0;
	double sum = 0;

	if (n == 0)
		return;
	if (st->et.batch_n == 0)
		mn = INT64_MAX;
	if (a->validity == NULL || a->null_count == 0) {
		for (int64_t i = 0; i < n; i++) {
			mx = v[i] > mx ? v[i] : mx;
			mn = v[i] < mn ? v[i] : mn;
			sum += (double)v[i];
		}
		k = n;
	} else {
		for (int64_t i = 0; i < n; i++) {
			if (!sl_array_valid(a, i))
				continue;
			mx = v[i] > mx ? v[i] : mx;
			mn = v[i] < mn ? v[i] : mn;
			sum += (double)v[i];
			k++;
		}
	}
	if (k == 0)
		return;
	st->et.batch_max = mx;
	st->et.batch_min = mn;
	st->et.batch_n += k;
	st->et.batch_sum += sum;
}

void slc_wm_begin_batch(slc_pipeline *p)
{
	for (size_t i = 0; i < p->n_order; i++) {
		slc_event_time *et = &p->order[i]->et;

		et->batch_max = SL_NO_WATERMARK;
		et->batch_min = SL_NO_WATERMARK;
		et->batch_n = 0;
		et->batch_sum = 0;
		et->deadline = SL_NO_WATERMARK;
	}
}

/* max - delay, without going below INT64_MIN (SL_NO_WATERMARK). */
static int64_t minus(int64_t t, int64_t delay)
{
	if (t == SL_NO_WATERMARK)
		return SL_NO_WATERMARK;
	if (t < INT64_MIN + 1 + delay)
		return INT64_MIN + 1;
	return t - delay;
}

int64_t slc_wm_advance(slc_pipeline *p, int64_t current)
{
	int64_t global = SL_NO_WATERMARK, cand;
	bool first = true;

	for (size_t i = 0; i < p->n_order; i++) {
		slc_event_time *et = &p->order[i]->et;

		if (!et->declared)
			continue;
		if (et->batch_max > et->max_us)
			et->max_us = et->batch_max;
		cand = minus(et->max_us, et->delay_us);
		/* A stage that saw no event yet holds a min back (Spark counts it
		 * as 0); a max ignores it. */
		if (first)
			global = cand;
		else if (p->wm_policy == SLC_WM_MAX)
			global = cand > global ? cand : global;
		else
			global = cand < global ? cand : global;
		first = false;
	}
	return global > current ? global : current;
}

bool slc_wm_due(const slc_pipeline *p, int64_t last, int64_t next)
{
	if (next == SL_NO_WATERMARK || next <= last)
		return false;
	for (size_t i = 0; i < p->n_order; i++) {
		int64_t t = p->order[i]->et.deadline;

		if (t != SL_NO_WATERMARK && t <= next)
			return true;
	}
	return false;
}

bool slc_wm_batch_stats(const slc_pipeline *p, int64_t *min, int64_t *max, int64_t *avg)
{
	int64_t n = 0;
	double sum = 0;

	*min = INT64_MAX;
	*max = SL_NO_WATERMARK;
	for (size_t i = 0; i < p->n_order; i++) {
		const slc_event_time *et = &p->order[i]->et;

		if (et->batch_max > *max)
			*max = et->batch_max;
		if (et->batch_n > 0 && et->batch_min < *min)
			*min = et->batch_min;
		n += et->batch_n;
		sum += et->batch_sum;
	}
	*avg = n > 0 ? (int64_t)(sum / (double)n) : 0;
	if (n == 0 && *max != SL_NO_WATERMARK) /* observed by a plugin only */
		*min = *avg = *max;
	return *max != SL_NO_WATERMARK;
}

/* --- durability --- */

/* The record: {"nextWatermarkUs", "eventTimeMaxUs": {stage: us},
 * "deadlinesUs": {stage: us}}.  The deadlines are the ones the stages
 * reported in this batch's end_batch: a restart must know them, before any
 * batch runs, to decide whether a batch without new data is due. */
int slc_wm_save(slc_pipeline *p, int64_t next, sl_error *err)
{
	json_t *j, *m, *d;
	char *text;
	int rc;

	if (p->chk == NULL || p->state == NULL || !slc_wm_any(p))
		return SL_OK;
	j = json_object();
	m = json_object();
	d = json_object();
	for (size_t i = 0; j && m && d && i < p->n_order; i++) {
		const slc_stage *st = p->order[i];

		if (st->et.declared && st->et.max_us != SL_NO_WATERMARK)
			json_object_set_new(m, st->name, json_integer(st->et.max_us));
		if (st->et.deadline != SL_NO_WATERMARK)
			json_object_set_new(d, st->name, json_integer(st->et.deadline));
	}
	json_object_set_new(j, "nextWatermarkUs", json_integer(next));
	json_object_set_new(j, "eventTimeMaxUs", m);
	json_object_set_new(j, "deadlinesUs", d);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	rc = slc_state_put(p->state, wm_key, WM_KEY_LEN, text, strlen(text), err);
	free(text);
	return rc;
}

int slc_wm_restore(slc_pipeline *p, int64_t *next, sl_error *err)
{
	slc_buf v = {0};
	json_t *j = NULL, *m, *d, *t;
	int rc;

	*next = SL_NO_WATERMARK;
	if (p->state == NULL || !slc_wm_any(p))
		return SL_OK;
	rc = slc_state_get(p->state, wm_key, WM_KEY_LEN, &v, err);
	if (rc == SL_ENOTFOUND) {
		rc = SL_OK;
		goto out;
	}
	if (rc < 0)
		goto out;
	j = json_loadb(v.data, v.len, 0, NULL);
	t = j ? json_object_get(j, "nextWatermarkUs") : NULL;
	if (!json_is_integer(t)) {
		rc = sl_error_set(err, SL_EIO, "the state store's event-time record is damaged");
		goto out;
	}
	*next = json_integer_value(t);
	m = json_object_get(j, "eventTimeMaxUs");
	d = json_object_get(j, "deadlinesUs");
	for (size_t i = 0; i < p->n_order; i++) {
		slc_stage *st = p->order[i];

		t = json_object_get(m, st->name);
		if (st->et.declared && json_is_integer(t))
			st->et.max_us = json_integer_value(t);
		t = json_object_get(d, st->name);
		st->et.deadline = json_is_integer(t) ? json_integer_value(t) : SL_NO_WATERMARK;
	}
out:
	json_decref(j);
	slc_buf_free(&v);
	return rc;
}

/* --- host->watermark --- */

static int host_declare(sl_stage *h, int64_t delay_us, sl_error *err)
{
	slc_stage *st = h ? slc_stage_of(h) : NULL;

	if (st == NULL)
		return sl_error_set(err, SL_EINVAL, "no stage");
	if (delay_us < 0)
		return sl_error_set(err, SL_EINVAL, "a watermark delay must be >= 0");
	/* The pipeline file's declaration wins; the core knows it already. */
	if (st->et.column == NULL) {
		st->et.declared = true;
		st->et.delay_us = delay_us;
	}
	return SL_OK;
}

static void host_observe(sl_stage *h, int64_t max_event_us)
{
	slc_stage *st = h ? slc_stage_of(h) : NULL;

	if (st != NULL && max_event_us > st->et.batch_max)
		st->et.batch_max = max_event_us;
}

static void host_next_deadline(sl_stage *h, int64_t deadline_us)
{
	if (h != NULL)
		slc_stage_of(h)->et.deadline = deadline_us;
}

const sl_watermark_api slc_watermark_table = {
    .size = sizeof(sl_watermark_api),
    .declare = host_declare,
    .observe = host_observe,
    .next_deadline = host_next_deadline,
};
