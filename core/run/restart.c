/* restart.c - where a run starts (ARCHITECTURE.md, "Restart"): the last
 * committed batch C from the state store, the log checked against it,
 * every source moved to its end in offsets/C, and a batch logged but not
 * committed (offsets/C+1) prepared for replay.  Without a checkpoint:
 * batch 0, nothing to replay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/protocol.h"
#include "run/watermark.h"
#include "store/checkpoint.h"
#include "util/log.h"

static bool is_source(const slc_stage *st)
{
	return st->role == SL_PLUGIN_SOURCE;
}

static int set_text(char **dst, const char *src)
{
	char *copy = src ? strdup(src) : NULL;

	if (src != NULL && copy == NULL)
		return SL_ENOMEM;
	free(*dst);
	*dst = copy;
	return SL_OK;
}

/* Every source starts after the committed entry o.  (source_commit is not
 * called again for it: a source learns its position from `start`.) */
static int resume_sources(slc_pipeline *p, const slc_offsets *o, sl_error *err)
{
	const char *where = slc_checkpoint_where(p->chk);
	bool found;

	for (size_t i = 0; i < o->n; i++)
		if (slc_pipeline_stage(p, o->names[i]) == NULL)
			slc_log(SL_LOG_WARN, NULL,
			        "%s: source '%s' of offsets/%lld is no longer in the pipeline",
			        where, o->names[i], (long long)o->batch_id);
	for (size_t i = 0; i < p->n_order; i++) {
		slc_stage *st = p->order[i];

		if (is_source(st) &&
		    set_text(&st->src.start, slc_offsets_end(o, st->name, &found)) < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	return SL_OK;
}

/* The logged, uncommitted batch o is read again: replayable sources read
 * exactly (start, end]; the others are planned again. */
static int prepare_replay(slc_pipeline *p, const slc_offsets *o, sl_error *err)
{
	const char *where = slc_checkpoint_where(p->chk);
	const char *end;
	bool found;
	int rc;

	for (size_t i = 0; i < p->n_order; i++) {
		slc_stage *st = p->order[i];

		if (!is_source(st))
			continue;
		end = slc_offsets_end(o, st->name, &found);
		sl_strbuf_reset(&st->src.end);
		st->src.status = SL_AGAIN;
		if (found && (end == NULL || (st->src.start && strcmp(end, st->src.start) == 0)))
			continue; /* no data from this source in that batch */
		if (found && (st->plugin->flags & SL_PLUGIN_REPLAYABLE)) {
			if (sl_strbuf_puts(&st->src.end, end) < 0)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
			st->src.status = SL_OK;
			continue;
		}
		if (found)
			slc_log(
			    SL_LOG_WARN, NULL,
			    "%s: source '%s' cannot replay a logged range: batch %lld is planned "
			    "again for it (at-most-once for this source)",
			    where, st->name, (long long)o->batch_id);
		sl_error_clear(err);
		rc = st->plugin->plan(st->ctx, st->src.start, &st->src.end, err);
		if (rc < 0) {
			sl_error_prefix(err, "stage '%s'", st->name);
			return rc;
		}
		if (rc == SL_OK && st->src.end.buf == NULL)
			return sl_error_set(err, SL_ESTATE, "stage '%s': plan() gave no end offset",
			                    st->name);
		st->src.status = rc == SL_OK || rc == SL_EOF ? rc : SL_AGAIN;
	}
	return SL_OK;
}

/* commits/C is a mirror: restore it when a crash came before its write. */
static void repair_mirror(slc_pipeline *p, const slc_offsets *o)
{
	char path[4096];
	sl_error err;

	snprintf(path, sizeof(path), "%s/commits/%lld", slc_checkpoint_dir(p->chk),
	         (long long)o->batch_id);
	if (access(path, F_OK) == 0)
		return;
	if (slc_checkpoint_write_commit(p->chk, o->batch_id, o->timestamp_us, &err) < 0)
		slc_log(SL_LOG_WARN, NULL, "%s", err.msg);
}

int slc_chk_restore(slc_pipeline *p, slc_resume *r, sl_error *err)
{
	slc_offsets done = {0}, next = {0};
	int64_t committed, last;
	int rc;

	memset(r, 0, sizeof(*r));
	r->watermark_us = SL_NO_WATERMARK;
	r->next_watermark_us = SL_NO_WATERMARK;
	r->last_watermark_us = SL_NO_WATERMARK;
	if (p->chk == NULL || p->state == NULL)
		return SL_OK;
	committed = slc_state_last_commit(p->state);
	rc = slc_checkpoint_check_log(p->chk, committed, &last, err);
	if (rc < 0)
		goto out;
	/* Event time as of the last committed batch. */
	rc = slc_wm_restore(p, &r->next_watermark_us, err);
	if (rc < 0) {
		sl_error_prefix(err, "%s", slc_checkpoint_where(p->chk));
		goto out;
	}
	r->batch_id = committed + 1;
	if (committed >= 0) {
		rc = slc_checkpoint_read_offsets(slc_checkpoint_dir(p->chk), committed, &done, err);
		if (rc < 0)
			goto out;
		repair_mirror(p, &done);
		r->last_watermark_us = done.watermark_us;
		rc = resume_sources(p, &done, err);
		if (rc < 0)
			goto out;
	}
	if (committed >= 0)
		slc_log(SL_LOG_INFO, NULL, "%s: resuming after committed batch %lld",
		        slc_checkpoint_where(p->chk), (long long)committed);
	if (last == committed + 1) {
		rc = slc_checkpoint_read_offsets(slc_checkpoint_dir(p->chk), last, &next, err);
		if (rc < 0)
			goto out;
		rc = prepare_replay(p, &next, err);
		if (rc < 0)
			goto out;
		r->replay = true;
		r->trigger_us = next.timestamp_us;
		r->watermark_us = next.watermark_us;
		slc_log(SL_LOG_INFO, NULL,
		        "%s: batch %lld was logged but not committed: replaying it",
		        slc_checkpoint_where(p->chk), (long long)last);
	}
	slc_checkpoint_prune(p->chk, committed - SLC_CHECKPOINT_KEEP + 1);
out:
	slc_offsets_free(&done);
	slc_offsets_free(&next);
	return rc;
}
