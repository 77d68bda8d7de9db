/* scheduler.c - one micro-batch at a time:
 *   1. plan every source           then offsets/N, fsynced; the state
 *                                  transaction begins
 *   2. begin_batch                 transforms and sinks
 *   3. read every planned source   batches pushed depth-first
 *   4. end_batch                   topological order
 *   5. commit                      then the state transaction with the commit
 *                                  record, commits/N; then source_commit
 *   6. progress                    also appended to CHK/progress.jsonl
 * At start, a batch logged but not committed is replayed first
 * (restart.c).  Before a stage's process, the core scans its
 * watermark column; after end_batch it computes the next batch's watermark
 * (watermark.c).  With no new data, a batch still runs when that watermark
 * reaches a deadline a stage reported (a no-data batch: sources are not
 * read, an offsets entry is logged with the same ends).
 */
#include <stdlib.h>
#include <string.h>

#include "run/metrics.h"
#include "run/protocol.h"
#include "run/scheduler.h"
#include "run/side.h"
#include "run/watermark.h"
#include "store/checkpoint.h"
#include "util/log.h"
#include "util/signals.h"

typedef struct slc_sched {
	slc_pipeline *p;
	sl_batch_ctx bc;
	int failed;   /* the first failure's code, 0 while all is well */
	sl_error err; /* its message, "stage 'x': ..." */
	slc_progress *prog;
	slc_resume resume; /* the first batch: replayed or not */
	int64_t wm_next;   /* the watermark in force for the next batch */
	int64_t wm_last;   /* the watermark of the last batch run */
} slc_sched;

/* Keeps the first failure only: the innermost stage reports first.  The
 * message has the stage's place: "FILE:LINE: stage 'x': [option 'y': ]". */
static int fail(slc_sched *s, const slc_stage *st, int rc, const sl_error *err)
{
	const char *msg = err && err->msg[0] ? err->msg : sl_strerror(rc);
	int line = err && err->option ? sl_opt_line(st->options, err->option) : 0;
	char where[SL_ERROR_MAX / 2], place[SL_ERROR_MAX / 4] = "";

	if (s->failed)
		return s->failed;
	if (st->file != NULL)
		snprintf(place, sizeof(place), "%s:%d: ", st->file, line > 0 ? line : st->line);
	if (err && err->option)
		snprintf(where, sizeof(where), "%sstage '%s': option '%s'", place, st->name,
		         err->option);
	else
		snprintf(where, sizeof(where), "%sstage '%s'", place, st->name);
	sl_error_set(&s->err, rc, "%s: %s", where, msg);
	s->failed = rc < 0 ? rc : SL_ERR;
	return s->failed;
}

static int fail_msg(slc_sched *s, const slc_stage *st, const char *msg)
{
	sl_error err;

	sl_error_set(&err, SL_ESTATE, "%s", msg);
	return fail(s, st, SL_ESTATE, &err);
}

static int check_batch(slc_sched *s, slc_stage *st, const sl_batch *batch)
{
	if (batch == NULL)
		return fail_msg(s, st, "emitted no batch (NULL)");
	if (st->role == SL_PLUGIN_SINK)
		return fail_msg(s, st, "a sink emitted a batch");
	if (batch->schema != st->schema && !sl_type_equal(batch->schema, st->schema))
		return fail_msg(s, st,
		                "emitted a batch whose schema differs from its declared output "
		                "schema");
	return SL_OK;
}

static bool same_side(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* batch goes to the process of every consumer of st reading side (NULL:
 * the main output), depth first; each consumer's watermark column is
 * scanned first. */
static int push(slc_sched *s, slc_stage *st, const char *side, const sl_batch *batch)
{
	sl_error err;
	size_t port;
	int rc;

	for (size_t i = 0; i < st->n_consumers; i++) {
		slc_stage *c = st->consumers[i];

		if (!same_side(st->consumer_sides[i], side))
			continue;
		port = st->consumer_ports[i];
		c->rows_in += batch->n_rows;
		if (slc_wm_scans(c, port))
			slc_wm_scan(c, port, batch);
		sl_error_clear(&err);
		rc = c->plugin->process(c->ctx, port, batch, &s->bc, &c->emitter, &err);
		if (rc < 0)
			return fail(s, c, rc, &err);
		if (s->failed)
			return s->failed;
	}
	return SL_OK;
}

/* The emitter of a stage: the batch goes to its consumers, then the
 * reference handed to us is dropped. */
static int emit(sl_emitter *self, sl_batch *batch)
{
	slc_stage *st = self->priv;
	slc_sched *s = st->sched;
	int rc = check_batch(s, st, batch);

	if (rc < 0)
		goto out;
	st->rows_out += batch->n_rows;
	if (st->role == SL_PLUGIN_SOURCE) {
		st->src.rows += batch->n_rows;
		if (slc_wm_scans(st, 0))
			slc_wm_scan(st, 0, batch);
	}
	rc = push(s, st, NULL, batch);
out:
	sl_batch_unref(batch);
	return rc < 0 ? rc : SL_OK;
}

int slc_sched_side_emit(slc_stage *st, const char *name, sl_batch *batch)
{
	slc_sched *s = st->sched;
	slc_side *sd = slc_side_find(st, name);
	char msg[200];
	int rc = SL_OK;

	if (sd == NULL) {
		snprintf(msg, sizeof(msg), "emitted into side output '%.64s', which it did not "
		                           "declare",
		         name);
		rc = fail_msg(s, st, msg);
	} else if (batch == NULL) {
		rc = fail_msg(s, st, "emitted no batch (NULL) into a side output");
	} else if (batch->schema != sd->schema && !sl_type_equal(batch->schema, sd->schema)) {
		snprintf(msg, sizeof(msg),
		         "emitted a batch into side output '%s' whose schema differs from the "
		         "declared one",
		         sd->name);
		rc = fail_msg(s, st, msg);
	} else {
		sd->rows += batch->n_rows;
		sd->total += batch->n_rows;
		rc = push(s, st, sd->name, batch);
	}
	sl_batch_unref(batch);
	return rc < 0 ? rc : SL_OK;
}

/* --- the checkpoint protocol (protocol.h) --- */

static int core_fail(slc_sched *s, int rc, const sl_error *err)
{
	if (!s->failed) {
		s->err = *err;
		s->failed = rc < 0 ? rc : SL_ERR;
	}
	return s->failed;
}

static int log_offsets(slc_sched *s)
{
	sl_error err;
	int rc;

	sl_error_clear(&err);
	rc = slc_chk_log_offsets(s->p, &s->bc, &err);
	return rc < 0 ? core_fail(s, rc, &err) : SL_OK;
}

static int log_commit(slc_sched *s)
{
	sl_error err;
	int rc;

	sl_error_clear(&err);
	rc = slc_chk_log_commit(s->p, &s->bc, &err);
	return rc < 0 ? core_fail(s, rc, &err) : SL_OK;
}

/* Progress is kept in the checkpoint too; losing a line is only logged. */
static void keep_progress(slc_sched *s)
{
	size_t n = slc_progress_count(s->prog);
	sl_error err;

	if (s->p->chk == NULL || n == 0)
		return;
	sl_error_clear(&err);
	if (slc_checkpoint_add_progress(s->p->chk, slc_progress_get(s->prog, n - 1), &err) < 0)
		slc_log(SL_LOG_WARN, NULL, "%s", err.msg);
}

/* --- the steps --- */

/* Step 1.  *any: some source has data; *all_eof: every source ended. */
static int plan_sources(slc_sched *s, bool *any, bool *all_eof)
{
	sl_error err;
	int rc;

	*any = false;
	*all_eof = true;
	for (size_t i = 0; i < s->p->n_order; i++) {
		slc_stage *st = s->p->order[i];

		if (st->role != SL_PLUGIN_SOURCE || st->src.status == SL_EOF)
			continue;
		sl_strbuf_reset(&st->src.end);
		sl_error_clear(&err);
		rc = st->plugin->plan(st->ctx, st->src.start, &st->src.end, &err);
		if (rc < 0)
			return fail(s, st, rc, &err);
		if (rc == SL_OK && st->src.end.buf == NULL)
			return fail_msg(s, st, "plan() gave no end offset");
		st->src.status = rc == SL_OK || rc == SL_EOF ? rc : SL_AGAIN;
		*any |= st->src.status == SL_OK;
		*all_eof &= st->src.status == SL_EOF;
	}
	return SL_OK;
}

typedef int (*stage_step)(slc_sched *s, slc_stage *st);

/* Runs step on every transform and sink in topological order. */
static int each_stage(slc_sched *s, stage_step step)
{
	int rc;

	for (size_t i = 0; i < s->p->n_order; i++) {
		slc_stage *st = s->p->order[i];

		if (st->role == SL_PLUGIN_SOURCE)
			continue;
		rc = step(s, st);
		if (rc < 0 || s->failed)
			return s->failed ? s->failed : rc;
	}
	return SL_OK;
}

static int begin_one(slc_sched *s, slc_stage *st)
{
	sl_error err;
	int rc;

	st->rows_in = 0;
	st->rows_out = 0;
	if (st->plugin->begin_batch == NULL)
		return SL_OK;
	sl_error_clear(&err);
	rc = st->plugin->begin_batch(st->ctx, &s->bc, &err);
	return rc < 0 ? fail(s, st, rc, &err) : SL_OK;
}

static int end_one(slc_sched *s, slc_stage *st)
{
	sl_error err;
	int rc;

	if (st->plugin->end_batch == NULL)
		return SL_OK;
	sl_error_clear(&err);
	rc = st->plugin->end_batch(st->ctx, &s->bc, &st->emitter, &err);
	return rc < 0 ? fail(s, st, rc, &err) : SL_OK;
}

static int commit_one(slc_sched *s, slc_stage *st)
{
	sl_error err;
	int rc;

	if (st->plugin->commit == NULL)
		return SL_OK;
	sl_error_clear(&err);
	rc = st->plugin->commit(st->ctx, s->bc.batch_id, &err);
	return rc < 0 ? fail(s, st, rc, &err) : SL_OK;
}

/* Step 3: every planned source reads (start, end]. */
static int read_sources(slc_sched *s)
{
	sl_error err;
	int rc;

	for (size_t i = 0; i < s->p->n_order; i++) {
		slc_stage *st = s->p->order[i];

		if (st->role != SL_PLUGIN_SOURCE)
			continue;
		st->rows_in = 0;
		st->rows_out = 0;
		st->src.rows = 0;
		if (st->src.status != SL_OK)
			continue;
		sl_error_clear(&err);
		rc = st->plugin->read(st->ctx, st->src.start, st->src.end.buf, &s->bc, &st->emitter,
		                      &err);
		if (rc < 0 || s->failed)
			return fail(s, st, rc < 0 ? rc : SL_ERR, &err);
	}
	return SL_OK;
}

/* Step 5, second half: sources learn their batch is durable and move on. */
static int commit_sources(slc_sched *s)
{
	sl_error err;
	char *end;
	int rc;

	for (size_t i = 0; i < s->p->n_order; i++) {
		slc_stage *st = s->p->order[i];

		if (st->role != SL_PLUGIN_SOURCE || st->src.status != SL_OK)
			continue;
		sl_error_clear(&err);
		if (st->plugin->source_commit != NULL) {
			rc = st->plugin->source_commit(st->ctx, st->src.end.buf, &err);
			if (rc < 0)
				return fail(s, st, rc, &err);
		}
		end = strdup(st->src.end.buf);
		if (end == NULL)
			return fail_msg(s, st, "out of memory");
		free(st->src.last_start);
		st->src.last_start = st->src.start;
		st->src.start = end;
	}
	return SL_OK;
}

static void next_metrics(slc_pipeline *p)
{
	for (size_t i = 0; i < p->n_order; i++) {
		slc_metrics_next_batch(p->order[i]);
		slc_side_next_batch(p->order[i]);
	}
}

/* After end_batch: the next batch's watermark, saved in the batch's state
 * transaction. */
static int advance_watermark(slc_sched *s, int64_t *next)
{
	sl_error err;
	int rc;

	*next = slc_wm_advance(s->p, s->bc.watermark_us);
	sl_error_clear(&err);
	rc = slc_wm_save(s->p, *next, &err);
	return rc < 0 ? core_fail(s, rc, &err) : SL_OK;
}

/* Steps 2 to 6 for a batch whose sources are planned.  A replayed batch
 * keeps the trigger time it was logged with. */
static int run_batch(slc_sched *s, slc_batch_times *t, bool replay)
{
	int64_t t0 = slc_now_us(), t1, t2, next = SL_NO_WATERMARK;
	int rc;

	s->bc.trigger_us = replay ? s->resume.trigger_us : t->start_wall;
	s->bc.watermark_us = s->wm_next;
	t->watermark_us = s->wm_next;
	slc_wm_begin_batch(s->p);
	rc = log_offsets(s);
	if (rc >= 0)
		rc = each_stage(s, begin_one);
	if (rc >= 0)
		rc = read_sources(s);
	if (rc >= 0)
		rc = each_stage(s, end_one);
	if (rc >= 0)
		rc = advance_watermark(s, &next);
	t1 = slc_now_us();
	if (rc >= 0) {
		sl_crash_point("sinks-done", s->bc.batch_id);
		rc = each_stage(s, commit_one);
	}
	if (rc >= 0)
		rc = log_commit(s);
	if (rc >= 0)
		rc = commit_sources(s);
	if (rc < 0) {
		slc_chk_abort(s->p);
		return s->failed ? s->failed : rc;
	}
	s->wm_last = s->bc.watermark_us;
	s->wm_next = next;
	/* Between two batches: what comes next must be decided again. */
	sl_crash_point("committed", s->bc.batch_id);
	t2 = slc_now_us();
	t->add_batch = t1 - t0;
	t->commit = t2 - t1;
	t->total = t2 - t->start;
	if (s->prog != NULL && slc_progress_report(s->prog, s->p, t) >= 0)
		keep_progress(s);
	next_metrics(s->p);
	return SL_OK;
}

/* Waits for the next trigger; returns 1 when a stop was requested.  *next
 * is when the next batch is due; *lag how late it will start when the last
 * batch overran its interval. */
static int wait_next(const slc_trigger *tr, int64_t *next, int64_t *lag, bool idle)
{
	int64_t now = slc_now_us();

	*lag = 0;
	if (tr->kind != SLC_TRIGGER_INTERVAL)
		return slc_stop_requested();
	if (tr->interval_us == 0)
		return idle ? slc_sleep_us(SLC_POLL_US) : slc_stop_requested();
	*next += tr->interval_us;
	if (idle) {
		while (*next <= now)
			*next += tr->interval_us;
	} else if (*next < now) {
		/* Overran: the next batch follows at once, and says how late. */
		*lag = now - *next;
		*next = now;
	}
	return slc_sleep_us(*next - now);
}

static int setup(slc_sched *s, slc_pipeline *p, slc_progress *prog)
{
	sl_error err;
	int rc;

	memset(s, 0, sizeof(*s));
	s->p = p;
	s->prog = prog;
	s->bc.size = sizeof(s->bc);
	s->bc.watermark_us = SL_NO_WATERMARK;
	s->bc.last = p->trigger.kind == SLC_TRIGGER_ONCE;
	for (size_t i = 0; i < p->n_order; i++) {
		slc_stage *st = p->order[i];

		st->sched = s;
		st->emitter.emit = emit;
		st->emitter.priv = st;
		st->src.status = SL_AGAIN;
	}
	/* Counters reported in create (a restored state's size) become the
	 * stages' last values. */
	next_metrics(p);
	sl_error_clear(&err);
	rc = slc_chk_restore(p, &s->resume, &err);
	if (rc < 0)
		return core_fail(s, rc, &err);
	s->bc.batch_id = s->resume.batch_id;
	/* A replayed batch keeps the watermark it was logged with. */
	s->wm_next = s->resume.replay ? s->resume.watermark_us : s->resume.next_watermark_us;
	/* With the deadlines the stages reported in the last committed batch
	 * (restored with the event-time record), this decides whether a batch
	 * without new data is due before anything else runs. */
	s->wm_last = s->resume.last_watermark_us;
	slc_side_warn_unused(p);
	return SL_OK;
}

/* The replayed batch's sources were prepared by slc_chk_restore. */
static void replay_plan(slc_sched *s, bool *any)
{
	*any = false;
	for (size_t i = 0; i < s->p->n_order; i++) {
		const slc_stage *st = s->p->order[i];

		if (st->role == SL_PLUGIN_SOURCE)
			*any |= st->src.status == SL_OK;
	}
}

static int loop(slc_sched *s)
{
	const slc_trigger *tr = &s->p->trigger;
	slc_batch_times t = {.prev_start = -1, .lag = 0};
	int64_t next = slc_now_us(), t0;
	bool any, all_eof = false, replay = s->resume.replay, no_data;
	int rc;

	while (!slc_stop_requested()) {
		t0 = slc_now_us();
		t.start = t0;
		t.start_wall = slc_wall_us();
		if (replay) {
			replay_plan(s, &any);
		} else {
			rc = plan_sources(s, &any, &all_eof);
			if (rc < 0)
				return rc;
		}
		t.get_offset = slc_now_us() - t0;
		/* Windows to close: a batch without new data (Spark's no-data
		 * batch), also at the end of input. */
		no_data = !any && !replay && slc_wm_due(s->p, s->wm_last, s->wm_next);
		if (!any && !replay && !no_data && (all_eof || tr->kind != SLC_TRIGGER_INTERVAL))
			return SL_OK;
		if (any || replay || no_data) {
			t.batch_id = s->bc.batch_id;
			rc = run_batch(s, &t, replay);
			if (rc < 0)
				return rc;
			t.prev_start = t0;
			s->bc.batch_id++;
			if (tr->kind == SLC_TRIGGER_ONCE)
				return SL_OK;
		}
		if (replay) {
			/* Replayed (or nothing left to replay): plan as usual at once. */
			replay = false;
			continue;
		}
		if (wait_next(tr, &next, &t.lag, !any))
			break;
	}
	return SL_OK;
}

int slc_scheduler_run(slc_pipeline *p, slc_progress *prog, sl_error *err)
{
	slc_sched s;
	int rc;

	rc = setup(&s, p, prog);
	if (rc >= 0)
		rc = loop(&s);
	if (rc < 0 && err != NULL && s.failed)
		*err = s.err;
	else if (rc < 0 && err != NULL)
		sl_error_set(err, rc, "%s", sl_strerror(rc));
	for (size_t i = 0; i < p->n_order; i++)
		p->order[i]->sched = NULL;
	return rc;
}
