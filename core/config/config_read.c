/* config_read.c - reading a pipeline file: libconfig parse, top-level keys,
 * the list of stages. */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_file.h"
#include "util/names.h"

static const char *const top_keys[] = {"name",   "trigger", "checkpoint",      "plugin_path",
                                       "progress", "stages", "mode", "watermark_policy"};
#define N_TOP_KEYS (sizeof(top_keys) / sizeof(top_keys[0]))

/* Reads a string key (expanded) into *out; reports problems at the key. */
static int top_string(slc_pipeline *p, const config_setting_t *s, char **out, slc_diag *d)
{
	sl_error err;

	sl_error_clear(&err);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "'%s' must be a string", config_setting_name(s));
	if (slc_expand(config_setting_get_string(s), out, &err) < 0)
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "'%s': %s", config_setting_name(s), err.msg);
	/* Messages quote these values, and a message is one line. */
	if (slc_has_control(*out)) {
		free(*out);
		*out = NULL;
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "'%s' must not hold control characters (a line break?)",
		                    config_setting_name(s));
	}
	return SL_OK;
}

static int read_trigger(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	char *text = NULL;
	sl_error err;
	int rc;

	sl_error_clear(&err);
	rc = top_string(p, s, &text, d);
	if (rc >= 0 && slc_trigger_parse(text, &p->trigger, &err) < 0)
		rc = slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL, "%s",
		                  err.msg);
	free(text);
	return rc;
}

static int read_mode(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	char *text = NULL;
	int rc = top_string(p, s, &text, d);

	if (rc < 0)
		return rc;
	p->mode = slc_mode_parse(text);
	p->mode_line = slc_setting_line(s);
	if (p->mode < 0)
		rc = slc_diag_add(d, slc_setting_file(s, p->path), p->mode_line, NULL,
		                  "unknown output mode '%s' (one of append, update, complete)",
		                  text);
	free(text);
	return rc;
}

static int read_progress(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	char *text = NULL;
	int rc;

	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		p->progress = config_setting_get_bool(s);
		return SL_OK;
	}
	rc = top_string(p, s, &text, d);
	if (rc < 0)
		return rc;
	if (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0 || strcmp(text, "1") == 0)
		p->progress = 1;
	else if (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0 ||
	         strcmp(text, "0") == 0)
		p->progress = 0;
	else
		rc = slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                  "'progress' must be true or false, got '%s'", text);
	free(text);
	return rc;
}

/* Modules load only from absolute directories: a relative one would
 * depend on the current directory, and a module of the same name found
 * elsewhere could be loaded instead. */
static int add_plugin_dir(slc_pipeline *p, const config_setting_t *s, char *dir, slc_diag *d)
{
	char **v;

	if (dir[0] != '/') {
		slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		             "plugin_path: '%s' is not an absolute directory; modules load only "
		             "from absolute directories (write its full path)",
		             dir);
		free(dir);
		return SL_EINVAL;
	}
	v = realloc(p->plugin_path, (p->n_plugin_path + 1) * sizeof(*v));
	if (v == NULL) {
		free(dir);
		return SL_ENOMEM;
	}
	p->plugin_path = v;
	p->plugin_path[p->n_plugin_path++] = dir;
	return SL_OK;
}

static int read_plugin_path(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	char *dir = NULL;
	int rc = SL_OK, n;

	if (!config_setting_is_aggregate(s)) {
		if (top_string(p, s, &dir, d) < 0)
			return SL_EINVAL;
		return add_plugin_dir(p, s, dir, d);
	}
	if (config_setting_is_group(s))
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "'plugin_path' must be a list of directories");
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		int r;

		dir = NULL;
		if (top_string(p, e, &dir, d) < 0)
			rc = SL_EINVAL;
		else if ((r = add_plugin_dir(p, e, dir, d)) == SL_ENOMEM)
			return SL_ENOMEM;
		else if (r < 0)
			rc = r;
	}
	return rc;
}

static int read_stages(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	slc_stage *st;
	int rc = SL_OK, n;

	if (!config_setting_is_list(s))
		return slc_diag_add(
		    d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		    "'stages' must be a list of groups: stages = ( { ... }, { ... } )");
	n = config_setting_length(s);
	if (n == 0)
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "'stages' is empty");
	p->stages = calloc((size_t)n, sizeof(*p->stages));
	if (p->stages == NULL)
		return SL_ENOMEM;
	for (int i = 0; i < n; i++) {
		st = NULL;
		if (slc_stage_read(p, config_setting_get_elem(s, (unsigned)i), (size_t)i, &st, d) <
		    0)
			rc = SL_EINVAL;
		if (st == NULL)
			return SL_ENOMEM;
		p->stages[p->n_stages++] = st;
	}
	return rc;
}

static int read_key(slc_pipeline *p, const config_setting_t *s, slc_diag *d)
{
	const char *key = config_setting_name(s);
	const char *hint;

	if (strcmp(key, "name") == 0)
		return top_string(p, s, &p->name, d);
	if (strcmp(key, "trigger") == 0)
		return read_trigger(p, s, d);
	if (strcmp(key, "checkpoint") == 0)
		return top_string(p, s, &p->checkpoint, d);
	if (strcmp(key, "plugin_path") == 0)
		return read_plugin_path(p, s, d);
	if (strcmp(key, "progress") == 0)
		return read_progress(p, s, d);
	if (strcmp(key, "mode") == 0)
		return read_mode(p, s, d);
	if (strcmp(key, "stages") == 0)
		return read_stages(p, s, d);
	if (strcmp(key, "watermark_policy") == 0)
		return slc_read_watermark_policy(p, s, d);
	hint = sl_did_you_mean(key, top_keys, N_TOP_KEYS);
	if (hint != NULL)
		return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
		                    "unknown key '%s' (did you mean '%s'?)", key, hint);
	return slc_diag_add(d, slc_setting_file(s, p->path), slc_setting_line(s), NULL,
	                    "unknown key '%s' (known keys: name, trigger, checkpoint, plugin_path, "
	                    "progress, mode, watermark_policy, stages)",
	                    key);
}

/* Parses the file with includes relative to its directory; SL_EIO when it
 * cannot be read or parsed. */
static int parse_file(slc_pipeline *p, slc_diag *d)
{
	char *copy = strdup(p->path);
	FILE *f;
	int rc = SL_OK;

	if (copy == NULL)
		return SL_ENOMEM;
	f = fopen(p->path, "r");
	if (f == NULL) {
		slc_diag_add(d, p->path, 0, NULL, "cannot open: %s", strerror(errno));
		rc = SL_EIO;
		goto out;
	}
	fclose(f);
	config_set_include_dir(p->cfg, dirname(copy));
	if (config_read_file(p->cfg, p->path) != CONFIG_TRUE) {
		const char *file = config_error_file(p->cfg);

		if (file == NULL)
			file = p->path;
		else
			file = slc_include_name(p, file);
		rc = SL_EIO;
		slc_diag_add(d, file, config_error_line(p->cfg), NULL, "%s",
		             config_error_text(p->cfg) ? config_error_text(p->cfg)
		                                       : "cannot read the file");
	}
out:
	free(copy);
	return rc;
}

/* The name of an included file as the user can open it: libconfig keeps
 * the name written after @include, relative to the include directory. */
static slc_pipeline *pipeline_new(const char *path)
{
	slc_pipeline *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->progress = -1;
	p->mode = -1;
	p->trigger.kind = SLC_TRIGGER_INTERVAL;
	p->path = strdup(path);
	p->cfg = malloc(sizeof(*p->cfg));
	if (p->path == NULL || p->cfg == NULL) {
		free(p->cfg);
		p->cfg = NULL;
		slc_pipeline_free(p);
		return NULL;
	}
	config_init(p->cfg);
	return p;
}

/* The pipeline's name when the file has none: the file's base name
 * without its extension. */
static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

int slc_pipeline_read(const char *path, slc_pipeline **out, slc_diag *d)
{
	slc_pipeline *p = pipeline_new(path);
	const config_setting_t *root;
	int rc, n;

	*out = p;
	if (p == NULL)
		return SL_ENOMEM;
	rc = parse_file(p, d);
	if (rc < 0)
		return rc;
	slc_include_resolve(p, config_root_setting(p->cfg));
	root = config_root_setting(p->cfg);
	n = config_setting_length(root);
	for (int i = 0; i < n; i++)
		if (read_key(p, config_setting_get_elem(root, (unsigned)i), d) < 0)
			rc = SL_EINVAL;
	if (config_setting_get_member(root, "stages") == NULL)
		rc = slc_diag_add(d, p->path, 0, NULL, "no 'stages' given");
	if (p->name == NULL && (p->name = default_name(path)) == NULL)
		rc = SL_ENOMEM;
	return rc;
}
