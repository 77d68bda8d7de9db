/* cli_plugins.c - `sluice plugins [NAME]`: the plugins found, or one
 * plugin's options table; `--markdown` hands over to cli_markdown.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "loader/loader.h"
#include "util/log.h"
#include "util/names.h"

static int by_kind_name(const void *a, const void *b)
{
	const slc_plugin_ref *x = a, *y = b;

	if (x->plugin->kind != y->plugin->kind)
		return (int)x->plugin->kind - (int)y->plugin->kind;
	return strcmp(x->plugin->name, y->plugin->name);
}

size_t slc_collect_plugins(struct slc_loader *l, slc_plugin_ref **out)
{
	size_t n = 0, total = slc_loader_n_plugins(l);
	slc_plugin_ref *v = calloc(total + 1, sizeof(*v));
	bool shadowed;

	*out = v;
	if (v == NULL)
		return 0;
	for (size_t i = 0; i < total; i++) {
		const sl_plugin *pl = slc_loader_plugin(l, i, &v[n].path, &shadowed);

		if (!shadowed)
			v[n++].plugin = pl;
	}
	qsort(v, n, sizeof(*v), by_kind_name);
	return n;
}

static void list(const slc_plugin_ref *v, size_t n)
{
	int wn = 4, ws = 7;

	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(v[i].plugin->name);
		int b = v[i].plugin->summary ? (int)strlen(v[i].plugin->summary) : 0;

		wn = a > wn ? a : wn;
		ws = b > ws ? b : ws;
	}
	printf("%-*s  %-9s  %-*s  %s\n", wn, "NAME", "KIND", ws, "SUMMARY", "MODULE");
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-9s  %-*s  %s\n", wn, v[i].plugin->name,
		       slc_kind_name(v[i].plugin->kind), ws,
		       v[i].plugin->summary ? v[i].plugin->summary : "", v[i].path);
}

/* --- one plugin's options --- */

typedef struct widths {
	int name, type, def;
} widths;

static void measure(const sl_option_spec *spec, int indent, widths *w)
{
	for (; spec != NULL && spec->name != NULL; spec++) {
		int a = indent + (int)strlen(spec->name);
		int b = (int)strlen(sl_opt_type_name(spec->type));
		int c = spec->def ? (int)strlen(spec->def) : 1;

		w->name = a > w->name ? a : w->name;
		w->type = b > w->type ? b : w->type;
		w->def = c > w->def ? c : w->def;
		if (spec->type == SL_OPT_GROUP)
			measure(spec->group, indent + 2, w);
	}
}

static void rows(const sl_option_spec *spec, int indent, const widths *w)
{
	char choices[512];

	for (; spec != NULL && spec->name != NULL; spec++) {
		printf("  %*s%-*s  %-*s  %-*s  %-8s  %s", indent, "", w->name - indent, spec->name,
		       w->type, sl_opt_type_name(spec->type), w->def, spec->def ? spec->def : "-",
		       (spec->required & SL_OPT_REQUIRED) ? "yes" : "no", spec->doc ? spec->doc : "");
		if (spec->type == SL_OPT_ENUM && spec->choices) {
			slc_choices_text(spec->choices, choices, sizeof(choices));
			printf(" (one of: %s)", choices);
		}
		printf("\n");
		if (spec->type == SL_OPT_GROUP)
			rows(spec->group, indent + 2, w);
	}
}

static void flags_line(const sl_plugin *pl)
{
	if (pl->flags == 0)
		return;
	printf("flags:%s%s%s\n", pl->flags & SL_PLUGIN_STATEFUL ? " stateful" : "",
	       pl->flags & SL_PLUGIN_REPLAYABLE ? " replayable" : "",
	       pl->flags & SL_PLUGIN_MULTI_INPUT ? " multi-input" : "");
}

static void detail(const slc_plugin_ref *r)
{
	const sl_plugin *pl = r->plugin;
	widths w = {6, 4, 7};
	char state[1024];

	printf("%s (%s): %s\n", pl->name, slc_kind_name(pl->kind), pl->summary ? pl->summary : "");
	printf("module: %s\n", r->path);
	flags_line(pl);
	slc_state_options_text(pl, state, sizeof(state));
	if (state[0])
		printf("state shaped by: %s (a change on a live checkpoint is refused)\n", state);
	if (pl->doc)
		printf("\n%s\n", pl->doc);
	if (pl->options == NULL || pl->options[0].name == NULL) {
		printf("\noptions: none\n");
		return;
	}
	measure(pl->options, 0, &w);
	printf("\noptions:\n  %-*s  %-*s  %-*s  %-8s  %s\n", w.name, "OPTION", w.type, "TYPE",
	       w.def, "DEFAULT", "REQUIRED", "DESCRIPTION");
	rows(pl->options, 0, &w);
}

static int show(const slc_plugin_ref *v, size_t n, const char *name)
{
	const char **names = calloc(n + 1, sizeof(*names));
	const char *hint;
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].plugin->name, name) == 0) {
			printf("%s", found++ ? "\n" : "");
			detail(&v[i]);
		}
		if (names)
			names[i] = v[i].plugin->name;
	}
	if (found) {
		free(names);
		return SLC_EXIT_OK;
	}
	hint = names ? sl_did_you_mean(name, names, n) : NULL;
	free(names);
	if (hint)
		return slc_usage_error("plugins: unknown plugin '%s' (did you mean '%s'?)", name,
		                       hint);
	return slc_usage_error("plugins: unknown plugin '%s'", name);
}

static int run(const char *name, bool markdown)
{
	slc_loader *l = slc_loader_new();
	slc_plugin_ref *v = NULL;
	size_t n;
	int status = SLC_EXIT_OK;

	if (l == NULL || slc_loader_add_default_dirs(l) < 0) {
		slc_loader_free(l);
		slc_print_error(stderr, "out of memory");
		return SLC_EXIT_FAILURE;
	}
	slc_loader_scan(l);
	slc_loader_warn_refused(l);
	n = slc_collect_plugins(l, &v);
	if (markdown)
		slc_plugins_markdown(stdout, v, n);
	else if (name != NULL)
		status = show(v, n, name);
	else if (n == 0)
		slc_print_error(stderr, "no plugins found (set SLUICE_PLUGIN_PATH)");
	else
		list(v, n);
	fflush(stdout);
	free(v);
	slc_loader_free(l);
	return status;
}

int slc_cmd_plugins(int argc, char **argv)
{
	const char *name = NULL;
	bool markdown = false;

	slc_log_setup(false);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--markdown") == 0)
			markdown = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return slc_cmd_help(0, NULL);
		else if (argv[i][0] == '-')
			return slc_usage_error("plugins: unknown option '%s'", argv[i]);
		else if (name == NULL)
			name = argv[i];
		else
			return slc_usage_error("plugins: unexpected argument '%s'", argv[i]);
	}
	return run(name, markdown);
}
