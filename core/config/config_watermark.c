/* config_watermark.c - the event-time keys of a pipeline file: a stage's
 * `watermark = { column = "ts"; delay = "10 minutes"; }` and the top-level
 * `watermark_policy = "min" | "max"`. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_file.h"

static const char *const wm_keys[] = {"column", "delay"};

/* A string member of the group (expanded); NULL in *out when absent. */
static int member_text(slc_stage *st, const config_setting_t *g, const char *key, char **out,
                       slc_diag *d)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	sl_error err;

	*out = NULL;
	if (s == NULL)
		return slc_diag_add(d, slc_setting_file(g, st->file), slc_setting_line(g), st->name,
		                    "'watermark' has no '%s'", key);
	sl_error_clear(&err);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return slc_diag_add(d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		                    "'watermark': '%s' must be a string", key);
	if (slc_expand(config_setting_get_string(s), out, &err) < 0)
		return slc_diag_add(d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		                    "'watermark': '%s': %s", key, err.msg);
	/* Messages quote these values, and a message is one line. */
	if (slc_has_control(*out)) {
		free(*out);
		*out = NULL;
		return slc_diag_add(d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
		                    "'watermark': '%s' must not hold control characters", key);
	}
	return SL_OK;
}

static int check_members(slc_stage *st, const config_setting_t *g, slc_diag *d)
{
	int n = config_setting_length(g), rc = SL_OK;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *key = config_setting_name(s);
		const char *hint;

		if (strcmp(key, "column") == 0 || strcmp(key, "delay") == 0)
			continue;
		hint = sl_did_you_mean(key, wm_keys, 2);
		if (hint != NULL)
			rc = slc_diag_add(
			    d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
			    "unknown key '%s' in 'watermark' (did you mean '%s'?)", key, hint);
		else
			rc = slc_diag_add(
			    d, slc_setting_file(s, st->file), slc_setting_line(s), st->name,
			    "unknown key '%s' in 'watermark' (known keys: column, delay)", key);
	}
	return rc;
}

int slc_stage_read_watermark(slc_stage *st, const config_setting_t *g, slc_diag *d)
{
	const config_setting_t *ds;
	char *delay = NULL;
	sl_error err;
	int rc;

	st->et.line = slc_setting_line(g);
	if (!config_setting_is_group(g))
		return slc_diag_add(d, slc_setting_file(g, st->file), st->et.line, st->name,
		                    "'watermark' must be a group: watermark = { column = \"ts\"; "
		                    "delay = \"10 minutes\"; }");
	rc = check_members(st, g, d);
	if (member_text(st, g, "column", &st->et.column, d) < 0)
		rc = SL_EINVAL;
	else if (st->et.column[0] == '\0')
		rc = slc_diag_add(d, slc_setting_file(g, st->file), st->et.line, st->name,
		                  "'watermark': 'column' is empty");
	if (member_text(st, g, "delay", &delay, d) < 0) {
		rc = SL_EINVAL;
	} else {
		ds = config_setting_get_member(g, "delay");
		sl_error_clear(&err);
		if (sl_parse_duration(delay, &st->et.delay_us, &err) < 0)
			rc = slc_diag_add(d, slc_setting_file(ds, st->file), slc_setting_line(ds),
			                  st->name, "'watermark': 'delay': %s", err.msg);
	}
	free(delay);
	if (rc >= 0)
		st->et.declared = true;
	return rc;
}

int slc_read_watermark_policy(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	const char *file = slc_setting_file(s, p->path);
	char *text = NULL;
	sl_error err;
	int rc = SL_OK;

	sl_error_clear(&err);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return slc_diag_add(d, file, slc_setting_line(s), NULL,
		                    "'watermark_policy' must be a string: \"min\" or \"max\"");
	if (slc_expand(config_setting_get_string(s), &text, &err) < 0)
		return slc_diag_add(d, file, slc_setting_line(s), NULL, "'watermark_policy': %s",
		                    err.msg);
	if (strcasecmp(text, "min") == 0)
		p->wm_policy = SLC_WM_MIN;
	else if (strcasecmp(text, "max") == 0)
		p->wm_policy = SLC_WM_MAX;
	else
		rc = slc_diag_add(d, file, slc_setting_line(s), NULL,
		                  "unknown watermark_policy '%s' (one of min, max)", text);
	free(text);
	return rc;
}
