/* graph_modes.c - output modes.  A sink's mode (or the top-level one)
 * applies to every stage upstream of it; a stage without one downstream
 * takes its inputs' mode, else append.  Readers of a side output do not
 * constrain the stage's mode.  Refused as in Spark: `complete`
 * without a stateful stage, `append` on a stateful stage without a
 * watermark on it or upstream. */
#include "plan/graph.h"
#include "util/names.h"

/* The mode a stage must have from its own `mode` and its consumers'. */
static int required(slc_pipeline *p, slc_stage *st, slc_diag *d)
{
	int req = st->mode;
	slc_stage *via = NULL;

	if (req < 0 && st->role == SL_PLUGIN_SINK)
		req = p->mode;
	for (size_t i = 0; i < st->n_consumers; i++) {
		slc_stage *c = st->consumers[i];

		/* A side output (late records, dead letters) carries rows of
		 * its own, not the stage's result: its readers may use any
		 * mode. */
		if (!c->mode_set || (st->consumer_sides && st->consumer_sides[i]))
			continue;
		if (req < 0) {
			req = (int)c->out_mode;
			via = c;
		} else if (req != (int)c->out_mode && via == NULL) {
			st->broken = st->broken ? st->broken : 1;
			return slc_diag_add(
			    d, st->file, st->mode_line ? st->mode_line : st->line, st->name,
			    "output mode '%s' conflicts with mode '%s' of stage '%s' "
			    "downstream",
			    slc_mode_name((sl_output_mode)req), slc_mode_name(c->out_mode),
			    c->name);
		} else if (req != (int)c->out_mode) {
			st->broken = st->broken ? st->broken : 1;
			return slc_diag_add(
			    d, st->file, st->line, st->name,
			    "feeds stages of different output modes: '%s' (via '%s') "
			    "and '%s' (via '%s')",
			    slc_mode_name((sl_output_mode)req), via->name,
			    slc_mode_name(c->out_mode), c->name);
		}
	}
	if (req >= 0) {
		st->out_mode = (sl_output_mode)req;
		st->mode_set = 1;
	}
	return SL_OK;
}

static void inherit(slc_stage *st)
{
	for (size_t i = 0; !st->mode_set && i < st->n_inputs; i++) {
		if (st->input_sides && st->input_sides[i])
			continue; /* side outputs are append-only rows */
		if (st->inputs[i] != NULL && st->inputs[i]->mode_set) {
			st->out_mode = st->inputs[i]->out_mode;
			st->mode_set = 1;
		}
	}
	if (!st->mode_set) {
		st->out_mode = SL_MODE_APPEND;
		st->mode_set = 1;
	}
}

static int check_complete(slc_pipeline *p, slc_stage *st, slc_diag *d)
{
	int line = st->mode >= 0 ? st->mode_line : 0;
	const char *file = st->file;

	if (st->role != SL_PLUGIN_SINK || st->out_mode != SL_MODE_COMPLETE)
		return SL_OK;
	if (slc_graph_stateful_upstream(st) || !slc_graph_resolved_upstream(st))
		return SL_OK;
	if (line == 0 && p->mode == SL_MODE_COMPLETE && st->mode < 0) {
		line = p->mode_line;
		file = p->path;
	}
	st->broken = st->broken ? st->broken : 1;
	return slc_diag_add(d, file, line ? line : st->line, st->name,
	                    "complete output mode not supported when there are no streaming "
	                    "aggregations");
}

static int check_append(slc_stage *st, slc_diag *d)
{
	if (st->out_mode != SL_MODE_APPEND || st->plugin == NULL ||
	    !(st->plugin->flags & SL_PLUGIN_STATEFUL) || slc_graph_watermark_upstream(st))
		return SL_OK;
	st->broken = st->broken ? st->broken : 1;
	return slc_diag_add(d, st->file, st->line, st->name,
	                    "Append output mode not supported when there are streaming "
	                    "aggregations on streaming DataFrames/DataSets without watermark "
	                    "(declare watermark = { column = \"...\"; delay = \"...\"; } on "
	                    "this stage or upstream, or use mode \"update\" or \"complete\")");
}

int slc_graph_modes(slc_pipeline *p, slc_diag *d)
{
	int rc = SL_OK;

	for (size_t i = p->n_order; i-- > 0;)
		if (required(p, p->order[i], d) < 0)
			rc = SL_EINVAL;
	for (size_t i = 0; i < p->n_order; i++)
		inherit(p->order[i]);
	for (size_t i = 0; i < p->n_order; i++)
		if (check_complete(p, p->order[i], d) < 0 || check_append(p->order[i], d) < 0)
			rc = SL_EINVAL;
	return rc;
}
