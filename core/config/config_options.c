/* config_options.c - a stage's plugin options, from libconfig settings into
 * an sl_options checked against the plugin's table.  Scalars go in as
 * text, lists and arrays as repeated items, groups recursively. */
#include <stdlib.h>
#include <string.h>

#include "config/config_file.h"

static const sl_option_spec no_options[] = {{0}};

/* Where the walk is: the stage, and the dotted name of the enclosing group
 * option ("" at the stage's level). */
typedef struct walk {
	slc_stage *st;
	slc_diag *d;
	const char *prefix;
} walk;

static const sl_option_spec *find_spec(const sl_option_spec *spec, const char *name)
{
	for (; spec != NULL && spec->name != NULL; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

/* "option 'a.b': message (at character N)" for an SDK error at setting s. */
static int report(const walk *w, const config_setting_t *s, const char *name, const sl_error *err)
{
	sl_error e = *err;
	char full[256], lead[300];
	size_t n;

	/* The SDK names the option without its group: "option 'level': ...";
	 * say "option 'opts.level': ..." instead. */
	snprintf(full, sizeof(full), "%s%s", w->prefix, name);
	snprintf(lead, sizeof(lead), "option '%s': ", name);
	n = strlen(lead);
	if (strncmp(e.msg, lead, n) == 0)
		memmove(e.msg, e.msg + n, strlen(e.msg + n) + 1);
	e.option = full;
	return slc_diag_add_error(w->d, slc_setting_file(s, w->st->file), slc_setting_line(s),
	                          w->st->name, &e);
}

static int unknown(const walk *w, const sl_option_spec *spec, const config_setting_t *s, bool top)
{
	const char *name = config_setting_name(s);
	const char **cands;
	const char *hint;
	size_t n = 0, k = 0;

	for (const sl_option_spec *sp = spec; sp->name != NULL; sp++)
		n++;
	cands = calloc(n + slc_n_stage_core_keys + 1, sizeof(*cands));
	if (cands == NULL)
		return SL_ENOMEM;
	for (const sl_option_spec *sp = spec; sp->name != NULL; sp++)
		cands[k++] = sp->name;
	for (size_t i = 0; top && i < slc_n_stage_core_keys; i++)
		cands[k++] = slc_stage_core_keys[i];
	hint = sl_did_you_mean(name, cands, k);
	if (hint != NULL)
		slc_diag_add(w->d, slc_setting_file(s, w->st->file), slc_setting_line(s),
		             w->st->name, "unknown option '%s%s' (did you mean '%s%s'?)", w->prefix,
		             name, top ? "" : w->prefix, hint);
	else
		slc_diag_add(w->d, slc_setting_file(s, w->st->file), slc_setting_line(s),
		             w->st->name,
		             "unknown option '%s%s' for plugin '%s' (see: sluice plugins %s)",
		             w->prefix, name, w->st->plugin->name, w->st->plugin->name);
	free(cands);
	return SL_EINVAL;
}

/* One value (scalar or element of a list) as text, then set or added. */
static int put_text(const walk *w, sl_options *o, const config_setting_t *s, const char *name,
                    bool add)
{
	sl_error err;
	char *text = NULL;
	int rc;

	sl_error_clear(&err);
	rc = slc_setting_text(s, &text, &err);
	if (rc >= 0 && add)
		rc = sl_options_add(o, name, text, slc_setting_file(s, w->st->file),
		                    slc_setting_line(s), &err);
	else if (rc >= 0)
		rc = sl_options_set(o, name, text, slc_setting_file(s, w->st->file),
		                    slc_setting_line(s), &err);
	if (rc < 0)
		report(w, s, name, &err);
	free(text);
	return rc < 0 ? SL_EINVAL : SL_OK;
}

static int put_list(const walk *w, sl_options *o, const config_setting_t *s, const char *name)
{
	int n, rc = SL_OK;

	if (!config_setting_is_aggregate(s))
		return put_text(w, o, s, name, true);
	if (config_setting_is_group(s))
		return slc_diag_add(
		    w->d, slc_setting_file(s, w->st->file), slc_setting_line(s), w->st->name,
		    "option '%s%s': expected a list [ ... ], got a group", w->prefix, name);
	n = config_setting_length(s);
	for (int i = 0; i < n; i++)
		if (put_text(w, o, config_setting_get_elem(s, (unsigned)i), name, true) < 0)
			rc = SL_EINVAL;
	return rc;
}

static int fill(const walk *w, sl_options *o, const sl_option_spec *spec,
                const config_setting_t *group, bool top);

static int put_group(const walk *w, sl_options *o, const sl_option_spec *sp,
                     const config_setting_t *s)
{
	char prefix[256];
	walk inner = *w;
	sl_options *sub;
	sl_error err;

	sl_error_clear(&err);
	if (!config_setting_is_group(s))
		return slc_diag_add(w->d, slc_setting_file(s, w->st->file), slc_setting_line(s),
		                    w->st->name, "option '%s%s': expected a group { ... }",
		                    w->prefix, sp->name);
	sub = sl_options_group_get(o, sp->name, slc_setting_file(s, w->st->file),
	                           slc_setting_line(s), &err);
	if (sub == NULL)
		return report(w, s, sp->name, &err);
	snprintf(prefix, sizeof(prefix), "%s%s.", w->prefix, sp->name);
	inner.prefix = prefix;
	return fill(&inner, sub, sp->group ? sp->group : no_options, s, false);
}

static int put(const walk *w, sl_options *o, const sl_option_spec *sp, const config_setting_t *s)
{
	switch (sp->type) {
	case SL_OPT_GROUP:
		return put_group(w, o, sp, s);
	case SL_OPT_EXPR_LIST:
	case SL_OPT_STRING_LIST:
		return put_list(w, o, s, sp->name);
	default:
		if (config_setting_is_aggregate(s))
			return slc_diag_add(
			    w->d, slc_setting_file(s, w->st->file), slc_setting_line(s),
			    w->st->name, "option '%s%s': expected a single value, not a %s",
			    w->prefix, sp->name, config_setting_is_group(s) ? "group" : "list");
		return put_text(w, o, s, sp->name, false);
	}
}

/* Every member of group: core keys skipped at the stage's level, unknown
 * names reported, the others put. */
static int fill(const walk *w, sl_options *o, const sl_option_spec *spec,
                const config_setting_t *group, bool top)
{
	const config_setting_t *s;
	const sl_option_spec *sp;
	int n = config_setting_length(group), rc = SL_OK;

	for (int i = 0; i < n; i++) {
		s = config_setting_get_elem(group, (unsigned)i);
		if (top && slc_stage_key_is_core(config_setting_name(s)))
			continue;
		sp = find_spec(spec, config_setting_name(s));
		if (sp == NULL)
			rc = unknown(w, spec, s, top);
		else if (put(w, o, sp, s) < 0)
			rc = SL_EINVAL;
	}
	return rc;
}

int slc_stage_build_options(slc_stage *st, slc_diag *d)
{
	const sl_option_spec *spec = st->plugin->options ? st->plugin->options : no_options;
	walk w = {st, d, ""};
	sl_error err;
	int rc;

	sl_error_clear(&err);
	st->options = sl_options_new(spec);
	if (st->options == NULL)
		return SL_ENOMEM;
	rc = fill(&w, st->options, spec, st->setting, true);
	if (rc < 0)
		return rc;
	if (sl_options_finish(st->options, &err) < 0) {
		int line = err.option ? sl_opt_line(st->options, err.option) : 0;

		return slc_diag_add_error(d, st->file, line > 0 ? line : st->line, st->name, &err);
	}
	return SL_OK;
}
