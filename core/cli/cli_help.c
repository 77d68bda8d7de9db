/* cli_help.c - usage, version, and the helpers every command shares. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sluice/sluice.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: sluice COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [--trigger T] [--checkpoint DIR] [--progress] [--verbose]\n"
    "                        run a pipeline; options override the file\n"
    "  validate FILE...      check pipeline files: plugins, options, schemas\n"
    "  explain FILE          print the stage graph with each stage's output schema\n"
    "  plugins [NAME]        list the plugins, or show one plugin's options\n"
    "  plugins --markdown    print the reference of every plugin as Markdown\n"
    "  status DIR [-n N]     the checkpoint DIR: query, last committed batch and a table\n"
    "                        of the latest N batches (default 10)\n"
    "  help                  print this text\n"
    "  --version             print the version and the plugin ABI\n"
    "\n"
    "triggers: an interval (\"1s\", \"500ms\"; \"0s\" runs batches back to back, the\n"
    "default), \"once\", \"available-now\"\n"
    "\n"
    "environment:\n"
    "  SLUICE_PLUGIN_PATH    more plugin directories (absolute, colon separated)\n"
    "  SLUICE_PLUGIN_SYSTEM_PATH  directories used instead of the installed one\n"
    "  SLUICE_LOG            log level: error, warn (default), info, debug\n"
    "\n"
    "exit status: 0 ok, 1 the pipeline failed, 2 bad usage or pipeline file\n";

void slc_usage(FILE *f)
{
	fputs(usage_text, f);
}

void slc_print_version(FILE *f)
{
	fprintf(f, "sluice %s (plugin ABI %d.%d)\n", SL_VERSION_STRING, SL_ABI_MAJOR, SL_ABI_MINOR);
}

int slc_cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	slc_usage(stdout);
	return SLC_EXIT_OK;
}

int slc_usage_error(const char *fmt, ...)
{
	va_list ap;

	char msg[SL_ERROR_MAX];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	slc_print_error(stderr, "%s (see sluice --help)", msg);
	return SLC_EXIT_USAGE;
}

int slc_report_open_failure(int rc, const slc_diag *d)
{
	slc_diag_print(d, stderr);
	if (rc == SL_EINVAL)
		return SLC_EXIT_USAGE;
	/* SL_ESTATE: the checkpoint refused (its message is in d). */
	if (rc != SL_ESTATE || d->n == 0)
		slc_print_error(stderr, "%s", sl_strerror(rc));
	return SLC_EXIT_FAILURE;
}
