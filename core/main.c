/* main.c - `sluice COMMAND ...`: picks the subcommand.  The only place
 * that exits. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"run", slc_cmd_run},         {"validate", slc_cmd_validate}, {"explain", slc_cmd_explain},
    {"plugins", slc_cmd_plugins}, {"status", slc_cmd_status},      {"help", slc_cmd_help},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int unknown(const char *name)
{
	const char *names[N_COMMANDS];
	const char *hint;

	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	hint = sl_did_you_mean(name, names, N_COMMANDS);
	if (hint != NULL)
		return slc_usage_error("unknown command '%s' (did you mean '%s'?)", name, hint);
	return slc_usage_error("unknown command '%s'", name);
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2)
		return slc_usage_error("no command given");
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		slc_print_version(stdout);
		return SLC_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		slc_usage(stdout);
		return SLC_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return unknown(argv[1]);
}

int main(int argc, char **argv)
{
	exit(dispatch(argc, argv));
}
