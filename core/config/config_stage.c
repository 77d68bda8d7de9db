/* config_stage.c - the keys the core owns inside a stage: name, plugin,
 * input | inputs, mode, watermark (config_watermark.c).  Every other key is a plugin option, read later by
 * config_options.c once the plugin (and so its option table) is known. */
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"
#include "util/names.h"

const char *const slc_stage_core_keys[] = {"name", "plugin", "input", "inputs", "mode",
                                           "watermark"};
const size_t slc_n_stage_core_keys = sizeof(slc_stage_core_keys) / sizeof(slc_stage_core_keys[0]);

bool slc_stage_key_is_core(const char *key)
{
	for (size_t i = 0; i < slc_n_stage_core_keys; i++)
		if (strcmp(key, slc_stage_core_keys[i]) == 0)
			return true;
	return false;
}

/* Reads a string-valued core key (expanded) into *out. */
static int read_string(slc_stage *st, const config_setting_t *s, char **out, slc_diag *d)
{
	const char *file = slc_setting_file(s, st->file);
	int line = slc_setting_line(s);
	sl_error err;

	sl_error_clear(&err);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return slc_diag_add(d, file, line, st->name, "'%s' must be a string",
		                    config_setting_name(s));
	if (slc_expand(config_setting_get_string(s), out, &err) < 0)
		return slc_diag_add(d, file, line, st->name, "'%s': %s", config_setting_name(s),
		                    err.msg);
	/* Messages quote these values, and a message is one line. */
	if (slc_has_control(*out)) {
		free(*out);
		*out = NULL;
		return slc_diag_add(d, file, line, st->name,
		                    "'%s' must not hold control characters (a line break?)",
		                    config_setting_name(s));
	}
	return SL_OK;
}

static int add_input(slc_stage *st, char *name)
{
	char **p = realloc(st->input_names, (st->n_inputs + 1) * sizeof(*p));

	if (p == NULL) {
		free(name);
		return SL_ENOMEM;
	}
	st->input_names = p;
	st->input_names[st->n_inputs++] = name;
	return SL_OK;
}

static int read_input(slc_stage *st, const config_setting_t *s, slc_diag *d)
{
	char *name = NULL;

	if (config_setting_is_aggregate(s))
		return slc_diag_add(d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		                    "'input' takes one stage name; use 'inputs' for several");
	if (read_string(st, s, &name, d) < 0)
		return SL_EINVAL;
	return add_input(st, name);
}

static int read_inputs(slc_stage *st, const config_setting_t *s, slc_diag *d)
{
	int n, rc = SL_OK;
	char *name;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return slc_diag_add(
		    d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		    "'inputs' must be a list of stage names: inputs = [\"a\", \"b\"]");
	n = config_setting_length(s);
	if (n == 0)
		return slc_diag_add(d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		                    "'inputs' is empty");
	for (int i = 0; i < n && rc >= 0; i++) {
		name = NULL;
		if (read_string(st, config_setting_get_elem(s, (unsigned)i), &name, d) < 0)
			rc = SL_EINVAL;
		else
			rc = add_input(st, name);
	}
	return rc;
}

static int read_mode(slc_stage *st, const config_setting_t *s, slc_diag *d)
{
	char *text = NULL;
	int rc = read_string(st, s, &text, d);

	if (rc < 0)
		return rc;
	st->mode = slc_mode_parse(text);
	st->mode_line = slc_setting_line(s);
	if (st->mode < 0)
		rc = slc_diag_add(d, slc_setting_file(s, st->file), st->mode_line, st->name,
		                  "unknown output mode '%s' (one of append, update, complete)",
		                  text);
	free(text);
	return rc;
}

/* Reads name first so every later message can name the stage. */
static int read_name(slc_stage *st, const config_setting_t *group, size_t index, slc_diag *d)
{
	const config_setting_t *s = config_setting_get_member(group, "name");

	if (s == NULL)
		return slc_diag_add(d, st->file, st->line, NULL, "stage #%zu has no 'name'",
		                    index + 1);
	if (read_string(st, s, &st->name, d) < 0)
		return SL_EINVAL;
	if (st->name[0] == '\0') {
		free(st->name);
		st->name = NULL;
		return slc_diag_add(d, st->file, slc_setting_line(s), NULL,
		                    "stage #%zu has an empty 'name'", index + 1);
	}
	return SL_OK;
}

static int read_core_keys(slc_stage *st, const config_setting_t *group, slc_diag *d)
{
	const config_setting_t *in = config_setting_get_member(group, "input");
	const config_setting_t *ins = config_setting_get_member(group, "inputs");
	const config_setting_t *plugin = config_setting_get_member(group, "plugin");
	const config_setting_t *mode = config_setting_get_member(group, "mode");
	const config_setting_t *wm = config_setting_get_member(group, "watermark");
	int rc = SL_OK;

	if (plugin == NULL)
		rc = slc_diag_add(d, st->file, st->line, st->name, "no 'plugin' given");
	else if (read_string(st, plugin, &st->plugin_name, d) < 0)
		rc = SL_EINVAL;
	if (in != NULL && ins != NULL)
		rc = slc_diag_add(d, slc_setting_file(ins, st->file), slc_setting_line(ins),
		                  st->name, "give either 'input' or 'inputs', not both");
	else if (in != NULL && read_input(st, in, d) < 0)
		rc = SL_EINVAL;
	else if (ins != NULL && read_inputs(st, ins, d) < 0)
		rc = SL_EINVAL;
	if (mode != NULL && read_mode(st, mode, d) < 0)
		rc = SL_EINVAL;
	if (wm != NULL && slc_stage_read_watermark(st, wm, d) < 0)
		rc = SL_EINVAL;
	return rc;
}

int slc_stage_read(slc_pipeline *p, const config_setting_t *group, size_t index, slc_stage **out,
                   slc_diag *d)
{
	slc_stage *st = calloc(1, sizeof(*st));
	int rc = SL_OK;

	*out = NULL;
	if (st == NULL)
		return SL_ENOMEM;
	st->pipeline = p;
	st->mode = -1;
	st->et.max_us = SL_NO_WATERMARK;
	st->et.batch_max = SL_NO_WATERMARK;
	st->et.deadline = SL_NO_WATERMARK;
	st->setting = group;
	st->line = slc_setting_line(group);
	st->file = strdup(slc_setting_file(group, p->path));
	if (st->file == NULL) {
		free(st);
		return SL_ENOMEM;
	}
	if (!config_setting_is_group(group)) {
		rc = slc_diag_add(
		    d, st->file, st->line, NULL,
		    "stage #%zu must be a group: { name = \"...\"; plugin = \"...\"; }", index + 1);
		st->setting = NULL;
	} else {
		if (read_name(st, group, index, d) < 0)
			rc = SL_EINVAL;
		if (read_core_keys(st, group, d) < 0)
			rc = SL_EINVAL;
	}
	if (rc < 0)
		st->broken = 1;
	*out = st;
	return rc;
}

void slc_stage_free(slc_stage *st)
{
	if (st == NULL)
		return;
	if (st->created && st->plugin->destroy)
		st->plugin->destroy(st->ctx);
	sl_options_free(st->options);
	sl_type_unref(st->schema);
	for (size_t i = 0; i < st->n_inputs; i++) {
		free(st->input_names[i]);
		free(st->input_sides ? st->input_sides[i] : NULL);
	}
	free(st->input_names);
	free(st->input_sides);
	free(st->inputs);
	free(st->consumers);
	free(st->consumer_ports);
	free(st->consumer_sides);
	for (size_t i = 0; i < st->n_sides; i++) {
		free(st->sides[i].name);
		sl_type_unref(st->sides[i].schema);
	}
	free(st->sides);
	free(st->et.column);
	free(st->et.cols);
	for (size_t i = 0; i < st->n_metrics; i++)
		free(st->metrics[i].name);
	free(st->metrics);
	slc_buf_free(&st->state_key);
	slc_buf_free(&st->state_val);
	free(st->src.start);
	free(st->src.last_start);
	sl_strbuf_free(&st->src.end);
	free(st->name);
	free(st->plugin_name);
	free(st->file);
	free(st);
}
