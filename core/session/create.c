/* create.c - creating every stage in topological order, so each one
 * learns its input schemas and declares its output schema before any data
 * flows; each gets the host table, and a stateful one is checked against
 * the checkpoint (stateful.c) before and after. */
#include <stdlib.h>
#include <string.h>

#include "plan/stateful.h"
#include "run/host.h"
#include "run/side.h"
#include "run/watermark.h"
#include "session/create.h"

/* The line and file of an option (a dotted name reaches into groups);
 * 0 and NULL when unknown. */
static int option_where(const sl_options *o, const char *name, const char **file)
{
	const char *dot = strchr(name, '.');
	char head[128];

	*file = NULL;
	while (dot != NULL && o != NULL) {
		if ((size_t)(dot - name) >= sizeof(head))
			return 0;
		memcpy(head, name, (size_t)(dot - name));
		head[dot - name] = '\0';
		o = sl_opt_group(o, head);
		name = dot + 1;
		dot = strchr(name, '.');
	}
	if (o == NULL)
		return 0;
	*file = sl_opt_file(o, name);
	return sl_opt_line(o, name);
}

static int report(slc_stage *st, const sl_error *err, slc_diag *d)
{
	const char *file = NULL;
	int line = 0;

	if (err->option != NULL && st->options != NULL)
		line = option_where(st->options, err->option, &file);
	st->broken = 1;
	return slc_diag_add_error(d, line > 0 && file ? file : st->file, line > 0 ? line : st->line,
	                          st->name, err);
}

/* Every input created?  Fills schemas (borrowed). */
static bool inputs_ready(const slc_stage *st, const sl_schema **schemas)
{
	for (size_t i = 0; i < st->n_inputs; i++) {
		if (st->inputs[i] == NULL || !st->inputs[i]->created ||
		    st->inputs[i]->schema == NULL)
			return false;
		schemas[i] = st->inputs[i]->schema;
	}
	return true;
}

static int check_schema(slc_stage *st, sl_schema *schema, slc_diag *d)
{
	if (st->role == SL_PLUGIN_SINK) {
		sl_type_unref(schema);
		return SL_OK;
	}
	if (schema == NULL || schema->id != SL_TYPE_STRUCT) {
		sl_type_unref(schema);
		st->broken = 1;
		return slc_diag_add(d, st->file, st->line, st->name,
		                    "plugin '%s' returned no output schema", st->plugin->name);
	}
	st->schema = schema;
	return SL_OK;
}

/* Stateful stages are checked against the checkpoint's fingerprints. */
static bool stateful_checked(const slc_pipeline *p, const slc_stage *st)
{
	return p->chk != NULL && (st->plugin->flags & SL_PLUGIN_STATEFUL);
}

/* The checkpoint's refusal, at the changed option's line (or the
 * stage's); the message names the checkpoint directory. */
static int refuse(slc_stage *st, const sl_error *err, slc_diag *d)
{
	int line = err->option ? sl_opt_line(st->options, err->option) : 0;

	st->broken = 1;
	slc_diag_add_error(d, st->file, line > 0 ? line : st->line, st->name, err);
	return err->code == SL_ESTATE ? SL_ESTATE : SL_EINVAL;
}

static int create_stage(slc_pipeline *p, slc_stage *st, slc_diag *d)
{
	const sl_schema **schemas = calloc(st->n_inputs + 1, sizeof(*schemas));
	sl_stage_init init;
	sl_schema *schema = NULL;
	sl_error err;
	int rc = SL_OK;

	sl_error_clear(&err);
	if (schemas == NULL)
		return SL_ENOMEM;
	if (st->broken || st->plugin == NULL || st->options == NULL || !inputs_ready(st, schemas)) {
		st->broken = st->broken ? st->broken : 1;
		goto out;
	}
	/* Side outputs read and the watermark column: checked before the
	 * plugin sees its inputs, so the core reports them. */
	rc = slc_side_bind_inputs(st, schemas, d);
	if (rc >= 0 && st->role != SL_PLUGIN_SOURCE)
		rc = slc_wm_bind(st, schemas, st->n_inputs, d);
	if (rc < 0) {
		st->broken = st->broken ? st->broken : 1;
		goto out;
	}
	st->base.host = slc_host();
	memset(&init, 0, sizeof(init));
	init.size = sizeof(init);
	init.stage_name = st->name;
	init.options = st->options;
	init.n_inputs = st->n_inputs;
	init.input_schemas = (const sl_schema *const *)schemas;
	init.output_mode = st->out_mode;
	init.host = slc_host();
	init.self = &st->base;
	init.checkpoint_dir = p->checkpoint;
	init.dry_run = p->dry_run;
	init.watermark_column = st->et.column;
	init.watermark_delay_us = st->et.column ? st->et.delay_us : 0;
	init.available_now = p->trigger.kind != SLC_TRIGGER_INTERVAL;
	if (stateful_checked(p, st) &&
	    slc_stateful_check_before(p->chk, st, init.input_schemas, &err) < 0) {
		rc = refuse(st, &err, d);
		goto out;
	}
	rc = st->plugin->create(&init, &st->ctx, &schema, &err);
	if (rc < 0) {
		sl_type_unref(schema);
		if (err.msg[0] == '\0')
			sl_error_set(&err, rc, "create failed: %s", sl_strerror(rc));
		rc = report(st, &err, d);
		goto out;
	}
	st->created = 1;
	rc = check_schema(st, schema, d);
	if (rc >= 0 && st->role == SL_PLUGIN_SOURCE)
		rc = slc_wm_bind(st, (const sl_schema *const *)&st->schema, 1, d);
	if (rc >= 0 && stateful_checked(p, st) && slc_stateful_check_after(p->chk, st, &err) < 0)
		rc = refuse(st, &err, d);
out:
	free(schemas);
	return rc;
}

int slc_stages_create(slc_pipeline *p, slc_diag *d)
{
	int rc = SL_OK, r;

	for (size_t i = 0; i < p->n_order; i++) {
		r = create_stage(p, p->order[i], d);
		if (r == SL_ENOMEM)
			return r;
		if (r < 0 && rc != SL_ESTATE)
			rc = r;
	}
	return rc;
}
