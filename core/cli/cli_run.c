/* cli_run.c - `sluice run FILE [--trigger T] [--checkpoint DIR]
 * [--progress] [--verbose]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "run/progress.h"
#include "run/scheduler.h"
#include "session/session.h"
#include "util/log.h"
#include "util/signals.h"

typedef struct run_args {
	const char *path;
	const char *trigger;
	const char *checkpoint;
	int progress;
	bool verbose;
} run_args;

static const struct option run_options[] = {
    {"trigger", required_argument, NULL, 't'}, {"checkpoint", required_argument, NULL, 'c'},
    {"progress", no_argument, NULL, 'p'},      {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
};

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, run_args *a)
{
	int c;

	a->progress = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:c:pvh", run_options, NULL)) != -1) {
		switch (c) {
		case 't':
			a->trigger = optarg;
			break;
		case 'c':
			a->checkpoint = optarg;
			break;
		case 'p':
			a->progress = 1;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			slc_usage(stdout);
			return SLC_EXIT_OK;
		case ':':
			return slc_usage_error("run: %s needs a value", argv[optind - 1]);
		default:
			return slc_usage_error("run: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		a->path = argv[optind++];
	if (a->path == NULL)
		return slc_usage_error("run: no pipeline file given");
	if (optind < argc)
		return slc_usage_error("run: unexpected argument '%s'", argv[optind]);
	return -1;
}

static int run_pipeline(slc_pipeline *p)
{
	slc_progress *prog = slc_progress_new(p, p->progress > 0);
	sl_error err;
	int rc;

	sl_error_clear(&err);
	if (prog == NULL) {
		slc_print_error(stderr, "out of memory");
		return SLC_EXIT_FAILURE;
	}
	slc_log(SL_LOG_INFO, NULL, "pipeline '%s': starting", p->name);
	rc = slc_scheduler_run(p, prog, &err);
	if (rc < 0)
		slc_print_error(stderr, "%s", err.msg);
	else if (slc_stop_requested())
		slc_log(SL_LOG_INFO, NULL, "pipeline '%s': stopped on request", p->name);
	else
		slc_log(SL_LOG_INFO, NULL, "pipeline '%s': finished", p->name);
	slc_progress_free(prog);
	return rc < 0 ? SLC_EXIT_FAILURE : SLC_EXIT_OK;
}

int slc_cmd_run(int argc, char **argv)
{
	run_args a = {0};
	slc_overrides ov = {NULL, NULL, -1, 0};
	slc_trigger trigger;
	slc_pipeline *p = NULL;
	slc_diag d;
	sl_error err;
	int status = parse_args(argc, argv, &a), rc;

	if (status >= 0)
		return status;
	slc_log_setup(a.verbose);
	if (a.trigger != NULL && slc_trigger_parse(a.trigger, &trigger, &err) < 0)
		return slc_usage_error("--trigger: %s", err.msg);
	ov.trigger = a.trigger ? &trigger : NULL;
	ov.checkpoint = a.checkpoint;
	ov.progress = a.progress;
	slc_diag_init(&d);
	if (slc_signals_install() < 0)
		slc_log(SL_LOG_WARN, NULL, "cannot install signal handlers");
	rc = slc_session_open(a.path, &ov, &p, &d);
	if (rc < 0)
		status = slc_report_open_failure(rc, &d);
	else
		status = run_pipeline(p);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	slc_signals_restore();
	return status;
}
