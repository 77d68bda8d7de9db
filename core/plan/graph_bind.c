/* graph_bind.c - each stage's plugin, chosen by name and role, and its
 * options. */
#include <string.h>

#include "config/config_file.h"
#include "plan/graph.h"

static const char *role_reason(sl_plugin_kind role)
{
	switch (role) {
	case SL_PLUGIN_SOURCE:
		return "a stage without inputs needs a source";
	case SL_PLUGIN_SINK:
		return "a stage that no stage reads from needs a sink";
	default:
		return "a stage with inputs and consumers needs a transform";
	}
}

static int plugin_line(const slc_stage *st)
{
	const config_setting_t *s =
	    st->setting ? config_setting_get_member(st->setting, "plugin") : NULL;

	return s ? (int)config_setting_source_line(s) : st->line;
}

static int find_plugin(slc_stage *st, slc_loader *l, slc_diag *d)
{
	sl_error err;
	int rc;

	sl_error_clear(&err);
	rc = slc_loader_find(l, st->plugin_name, st->role, &st->plugin, &st->module_path, &err);
	if (rc == SL_ETYPE)
		return slc_diag_add(d, st->file, plugin_line(st), st->name, "%s; %s", err.msg,
		                    role_reason(st->role));
	if (rc < 0)
		return slc_diag_add(d, st->file, plugin_line(st), st->name, "%s", err.msg);
	return SL_OK;
}

static int check_shape(slc_stage *st, slc_diag *d)
{
	if (st->role == SL_PLUGIN_SOURCE && st->n_consumers == 0)
		return slc_diag_add(d, st->file, st->line, st->name,
		                    "no stage reads from this source (add a sink with input = "
		                    "\"%s\")",
		                    st->name);
	if (st->n_inputs > 1 && !(st->plugin->flags & SL_PLUGIN_MULTI_INPUT))
		return slc_diag_add(d, st->file, st->line, st->name,
		                    "plugin '%s' takes one input, %zu are given", st->plugin->name,
		                    st->n_inputs);
	return SL_OK;
}

static int bind_stage(slc_stage *st, slc_loader *l, slc_diag *d)
{
	int rc;

	if (st->name == NULL || st->plugin_name == NULL || st->setting == NULL)
		return SL_EINVAL;
	rc = find_plugin(st, l, d);
	if (rc < 0)
		return rc;
	rc = check_shape(st, d);
	if (slc_stage_build_options(st, d) < 0)
		rc = SL_EINVAL;
	return rc;
}

int slc_graph_bind(slc_pipeline *p, slc_loader *l, slc_diag *d)
{
	int rc = SL_OK;

	for (size_t i = 0; i < p->n_stages; i++) {
		slc_stage *st = p->stages[i];

		if (bind_stage(st, l, d) < 0) {
			st->broken = st->broken ? st->broken : 1;
			rc = SL_EINVAL;
		}
	}
	return rc;
}
