/* cli_validate.c - `sluice validate FILE...`: plans and creates every stage
 * (so schemas and expressions are checked), reports every error found. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "session/session.h"
#include "util/log.h"

static int validate_one(const char *path)
{
	const slc_overrides dry = {NULL, NULL, -1, 1};
	slc_pipeline *p = NULL;
	slc_diag d;
	int rc, status;

	slc_diag_init(&d);
	rc = slc_session_open(path, &dry, &p, &d);
	if (rc < 0) {
		status = slc_report_open_failure(rc, &d);
	} else {
		printf("%s: ok\n", path);
		status = SLC_EXIT_OK;
	}
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return status;
}

int slc_cmd_validate(int argc, char **argv)
{
	int status = SLC_EXIT_OK, s;
	int first = 1;

	slc_log_setup(false);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		slc_usage(stdout);
		return SLC_EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (argc <= first)
		return slc_usage_error("validate: no pipeline file given");
	for (int i = first; i < argc; i++) {
		s = validate_one(argv[i]);
		if (s > status)
			status = s;
	}
	fflush(stdout);
	return status;
}
