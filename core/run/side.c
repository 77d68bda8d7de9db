/* side.c - side outputs (sl_side.h): a stage declares them in create;
 * another stage reads one with input = "stage.side"; the scheduler pushes
 * what is emitted into one to its readers (slc_sched_side_emit). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "run/side.h"
#include "util/log.h"

slc_side *slc_side_find(const slc_stage *st, const char *name)
{
	for (size_t i = 0; i < st->n_sides; i++)
		if (strcmp(st->sides[i].name, name) == 0)
			return &st->sides[i];
	return NULL;
}

static bool good_name(const char *name)
{
	size_t n = 0;

	for (const char *c = name; *c; c++, n++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return false;
	return n > 0 && n <= 64;
}

int slc_side_declare(sl_stage *h, const char *name, sl_schema *schema, sl_error *err)
{
	slc_stage *st = h ? slc_stage_of(h) : NULL;
	slc_side *v;

	if (st == NULL || name == NULL)
		return sl_error_set(err, SL_EINVAL, "side output: no stage or no name");
	if (!good_name(name))
		return sl_error_set(err, SL_EINVAL,
		                    "side output '%s': a name is 1 to 64 letters, digits or '_'",
		                    name);
	if (schema == NULL || schema->id != SL_TYPE_STRUCT)
		return sl_error_set(err, SL_EINVAL, "side output '%s': the schema must be a struct",
		                    name);
	if (slc_side_find(st, name) != NULL)
		return sl_error_set(err, SL_EINVAL, "side output '%s' is declared twice", name);
	if (st->sched != NULL)
		return sl_error_set(err, SL_ESTATE, "side output '%s': declare it in create", name);
	v = realloc(st->sides, (st->n_sides + 1) * sizeof(*v));
	if (v == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	st->sides = v;
	v = &st->sides[st->n_sides];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (v->name == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	v->schema = sl_type_ref(schema);
	st->n_sides++;
	return SL_OK;
}

/* The line of the stage's input or inputs key. */
static int input_line(const slc_stage *st)
{
	const config_setting_t *s =
	    st->setting ? config_setting_get_member(st->setting, "input") : NULL;

	if (st->setting && s == NULL)
		s = config_setting_get_member(st->setting, "inputs");
	return s ? (int)config_setting_source_line(s) : st->line;
}

static int missing(const slc_stage *st, const slc_stage *in, const char *side, slc_diag *d)
{
	const char **names = calloc(in->n_sides + 1, sizeof(*names));
	const char *hint = NULL;

	for (size_t i = 0; names != NULL && i < in->n_sides; i++)
		names[i] = in->sides[i].name;
	if (names != NULL && in->n_sides > 0)
		hint = sl_did_you_mean(side, names, in->n_sides);
	free(names);
	if (hint != NULL)
		return slc_diag_add(d, st->file, input_line(st), st->name,
		                    "stage '%s' has no side output '%s' (did you mean '%s'?)",
		                    in->name, side, hint);
	if (in->n_sides > 0)
		return slc_diag_add(d, st->file, input_line(st), st->name,
		                    "stage '%s' has no side output '%s' (it has: %s%s)", in->name,
		                    side, in->sides[0].name, in->n_sides > 1 ? ", ..." : "");
	return slc_diag_add(d, st->file, input_line(st), st->name,
	                    "stage '%s' has no side output '%s' (plugin '%s' declares none)",
	                    in->name, side, in->plugin->name);
}

int slc_side_bind_inputs(slc_stage *st, const sl_schema **schemas, slc_diag *d)
{
	int rc = SL_OK;

	for (size_t j = 0; j < st->n_inputs; j++) {
		slc_side *sd;

		if (st->input_sides == NULL || st->input_sides[j] == NULL)
			continue;
		sd = slc_side_find(st->inputs[j], st->input_sides[j]);
		if (sd == NULL) {
			rc = missing(st, st->inputs[j], st->input_sides[j], d);
			continue;
		}
		schemas[j] = sd->schema;
		sd->n_consumers++;
	}
	return rc;
}

void slc_side_warn_unused(const slc_pipeline *p)
{
	for (size_t i = 0; i < p->n_order; i++) {
		const slc_stage *st = p->order[i];

		for (size_t k = 0; k < st->n_sides; k++)
			if (st->sides[k].n_consumers == 0)
				slc_log(
				    SL_LOG_WARN, st->name,
				    "side output '%s' is read by no stage: its rows are counted "
				    "and dropped (read it with input = \"%s.%s\")",
				    st->sides[k].name, st->name, st->sides[k].name);
	}
}

void slc_side_next_batch(slc_stage *st)
{
	for (size_t k = 0; k < st->n_sides; k++)
		st->sides[k].rows = 0;
}
