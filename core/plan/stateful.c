/* stateful.c - a stateful stage against the checkpoint's record of what its
 * state was built under (records: stage_record.c): compared before create
 * (plugin, options, inputs) and after (output schema), the first
 * difference refused with what changed from what to what; a new or grown
 * record is kept for the metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plan/stateful.h"
#include "util/log.h"

/* A value as the message shows it: a string bare, anything else as JSON. */
static void show(const json_t *v, char *buf, size_t n)
{
	char *text;

	if (v == NULL || json_is_null(v)) {
		snprintf(buf, n, "unset");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, n, "'%s'", json_string_value(v));
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY);
	snprintf(buf, n, "%s", text ? text : "?");
	free(text);
}

/* what changed from was to now; an option can be set back. */
static int changed(const slc_checkpoint *c, const char *what, const json_t *was, const json_t *now,
                   sl_error *err)
{
	bool option = strncmp(what, "option ", 7) == 0;
	char a[400], b[400];

	show(was, a, sizeof(a));
	show(now, b, sizeof(b));
	return sl_error_set(err, SL_ESTATE,
	                    "%s changed from %s to %s, but the stage's state in %s was built "
	                    "under the old one; %s",
	                    what, a, b, slc_checkpoint_where(c),
	                    option ? "restore it or use a new checkpoint directory"
	                           : "use a new checkpoint directory");
}

/* The first option whose value differs (options the record lacks, from a
 * newer plugin, are taken as they are). */
static int compare_options(const slc_checkpoint *c, const slc_stage *st, const json_t *was,
                           const json_t *now, sl_error *err)
{
	const char *name;
	json_t *v, *w;
	char what[300];
	int rc;

	json_object_foreach((json_t *)now, name, v)
	{
		w = json_object_get(was, name);
		if (w == NULL || json_equal(w, v))
			continue;
		snprintf(what, sizeof(what), "option '%s'", name);
		rc = changed(c, what, w, v, err);
		/* The option's own name, for its file:line: the table's
		 * spelling, which outlives the checkpoint. */
		for (const sl_option_spec *s = st->plugin->options; s && s->name; s++)
			if (strcmp(s->name, name) == 0)
				err->option = s->name;
		return rc;
	}
	return SL_OK;
}

static int compare_record(const slc_checkpoint *c, const slc_stage *st, const json_t *was,
                          const json_t *now, sl_error *err)
{
	const json_t *wi = json_object_get(was, "inputs"), *ni = json_object_get(now, "inputs");
	char what[64];
	int rc;

	if (!json_equal(json_object_get(was, "plugin"), json_object_get(now, "plugin")))
		return changed(c, "its plugin", json_object_get(was, "plugin"),
		               json_object_get(now, "plugin"), err);
	rc = compare_options(c, st, json_object_get(was, "options"),
	                     json_object_get(now, "options"), err);
	if (rc < 0)
		return rc;
	if (json_array_size(wi) != json_array_size(ni))
		return sl_error_set(err, SL_ESTATE,
		                    "its number of inputs changed from %zu to %zu, but the stage's "
		                    "state in %s was built under the old one; use a new checkpoint "
		                    "directory",
		                    json_array_size(wi), json_array_size(ni),
		                    slc_checkpoint_where(c));
	for (size_t i = 0; i < json_array_size(ni); i++) {
		if (json_equal(json_array_get(wi, i), json_array_get(ni, i)))
			continue;
		if (json_array_size(ni) == 1)
			snprintf(what, sizeof(what), "its input schema");
		else
			snprintf(what, sizeof(what), "the schema of its input %zu", i + 1);
		return changed(c, what, json_array_get(wi, i), json_array_get(ni, i), err);
	}
	if (json_object_get(was, "output") && json_object_get(now, "output") &&
	    !json_equal(json_object_get(was, "output"), json_object_get(now, "output")))
		return changed(c, "its output schema", json_object_get(was, "output"),
		               json_object_get(now, "output"), err);
	return SL_OK;
}

/* A checkpoint from before the records: its fingerprint string. */
static int incompatible(const slc_checkpoint *c, sl_error *err)
{
	return sl_error_set(err, SL_ESTATE,
	                    "changed incompatibly (its keys, aggregates or types) since its state "
	                    "in %s was built; use a new checkpoint directory",
	                    slc_checkpoint_where(c));
}

static int check_fingerprint(const slc_checkpoint *c, const slc_stage *st, const char *known,
                             const sl_schema *const *inputs, bool after, sl_error *err)
{
	char before[17], out[17], fp[40];

	if (slc_fingerprint_before(st, inputs, before) < 0 ||
	    (after && slc_fingerprint_after(st, out) < 0))
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (!after)
		return strncmp(known, before, 16) != 0 ? incompatible(c, err) : SL_OK;
	snprintf(fp, sizeof(fp), "%s.%s", before, out);
	return strcmp(known, fp) != 0 ? incompatible(c, err) : SL_OK;
}

int slc_stateful_check_before(const slc_checkpoint *c, const slc_stage *st,
                              const sl_schema *const *inputs, sl_error *err)
{
	const json_t *known = slc_checkpoint_record(c, st->name);
	json_t *now;
	int rc;

	if (known == NULL)
		return SL_OK;
	if (json_is_string(known))
		return check_fingerprint(c, st, json_string_value(known), inputs, false, err);
	now = slc_stage_record(st, inputs);
	if (now == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	rc = compare_record(c, st, known, now, err);
	json_decref(now);
	return rc;
}

int slc_stateful_check_after(slc_checkpoint *c, const slc_stage *st, sl_error *err)
{
	const json_t *known = slc_checkpoint_record(c, st->name);
	const sl_schema **inputs = calloc(st->n_inputs + 1, sizeof(*inputs));
	json_t *now = NULL;
	int rc = SL_OK;

	if (inputs == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (size_t i = 0; i < st->n_inputs; i++)
		inputs[i] = st->inputs[i]->schema;
	now = slc_stage_record(st, inputs);
	if (now == NULL || slc_stage_record_output(now, st) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if (json_is_string(known))
		rc = check_fingerprint(c, st, json_string_value(known), inputs, true, err);
	else if (known != NULL)
		rc = compare_record(c, st, known, now, err);
	if (rc < 0)
		goto out;
	/* New, from an older checkpoint's fingerprint, or with options a newer
	 * plugin added: the record is (re)written. */
	if (known == NULL || !json_equal((json_t *)known, now))
		rc = slc_checkpoint_set_record(c, st->name, now, err);
out:
	json_decref(now);
	free(inputs);
	return rc;
}

int slc_stateful_save(slc_checkpoint *c, const slc_pipeline *p, sl_error *err)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)slc_checkpoint_records(c), name, v)
	{
		const slc_stage *st = slc_pipeline_stage(p, name);

		if (st == NULL || st->plugin == NULL || !(st->plugin->flags & SL_PLUGIN_STATEFUL))
			slc_log(
			    SL_LOG_WARN, NULL,
			    "%s: stateful stage '%s' is no longer in the pipeline; its state is "
			    "kept",
			    slc_checkpoint_where(c), name);
	}
	return slc_checkpoint_save_metadata(c, p->name, err);
}
