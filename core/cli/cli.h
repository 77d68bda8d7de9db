/* cli.h - the sluice subcommands.  Each returns the process exit status;
 * only main() exits. */
#ifndef SLUICE_CORE_CLI_H
#define SLUICE_CORE_CLI_H

#include <stdio.h>

#include "util/diag.h"

enum {
	SLC_EXIT_OK = 0,
	SLC_EXIT_FAILURE = 1, /* the pipeline failed while running */
	SLC_EXIT_USAGE = 2    /* bad command line or pipeline file */
};

/* argv[0] is the subcommand's name. */
int slc_cmd_run(int argc, char **argv);
int slc_cmd_validate(int argc, char **argv);
int slc_cmd_explain(int argc, char **argv);
int slc_cmd_plugins(int argc, char **argv);
int slc_cmd_status(int argc, char **argv);
int slc_cmd_help(int argc, char **argv);

void slc_usage(FILE *f);
void slc_print_version(FILE *f);

/* "sluice: message" on stderr plus a hint to --help; returns
 * SLC_EXIT_USAGE. */
int slc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the diagnostics of a failed session and maps rc to an exit
 * status. */
int slc_report_open_failure(int rc, const slc_diag *d);

/* The plugins a loader found, without shadowed duplicates, sorted by
 * kind then name. */
struct slc_loader;
typedef struct slc_plugin_ref {
	const sl_plugin *plugin;
	const char *path;
} slc_plugin_ref;
size_t slc_collect_plugins(struct slc_loader *l, slc_plugin_ref **out);
/* The Markdown reference of every plugin (doc/plugins.md). */
void slc_plugins_markdown(FILE *f, const slc_plugin_ref *v, size_t n);
/* A stateful plugin's options that shape its state (not SL_OPT_NO_STATE),
 * "a, b, c" into buf; "" for other plugins. */
void slc_state_options_text(const sl_plugin *pl, char *buf, size_t n);
/* "a|b|c" as "a, b, c" into buf. */
void slc_choices_text(const char *choices, char *buf, size_t n);

#endif
