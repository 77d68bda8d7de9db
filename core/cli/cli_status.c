/* cli_status.c - `sluice status CHECKPOINT_DIR [-n N]`: the query, whether
 * a process holds the checkpoint, the last committed batch, and a table of
 * the latest batches from progress.jsonl.  Reads only: it takes no lock
 * and opens no state store (the commits/ mirror says what committed). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "store/checkpoint.h"

#define DEFAULT_ROWS 10

typedef struct status_args {
	const char *dir;
	long rows;
} status_args;

static int parse_args(int argc, char **argv, status_args *a)
{
	static const struct option opts[] = {
	    {"lines", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {0}};
	char *end;
	int c;

	a->rows = DEFAULT_ROWS;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->rows = strtol(optarg, &end, 10);
			if (*end != '\0' || a->rows <= 0)
				return slc_usage_error(
				    "status: -n needs a positive number, not '%s'", optarg);
			break;
		case 'h':
			slc_usage(stdout);
			return SLC_EXIT_OK;
		case ':':
			return slc_usage_error("status: %s needs a value", argv[optind - 1]);
		default:
			return slc_usage_error("status: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		a->dir = argv[optind++];
	if (a->dir == NULL)
		return slc_usage_error("status: no checkpoint directory given");
	if (optind < argc)
		return slc_usage_error("status: unexpected argument '%s'", argv[optind]);
	return -1;
}

/* "running (pid N)" when the lock file names a live process. */
static void print_holder(const char *dir)
{
	char path[PATH_MAX], *text = NULL;
	size_t len;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/lock", dir);
	if (sl_read_file(path, &text, &len, NULL) >= 0 && text != NULL)
		pid = strtol(text, NULL, 10);
	free(text);
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		printf("state:      running (pid %ld holds the lock)\n", pid);
	else
		printf("state:      not running\n");
}

static int64_t last_id(const char *dir, const char *sub)
{
	int64_t *ids, last = -1;
	size_t n;

	if (slc_checkpoint_list(dir, sub, &ids, &n) >= 0 && n > 0)
		last = ids[n - 1];
	if (n > 0)
		free(ids);
	return last;
}

static int64_t int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* The sum of numRowsTotal over the state operators; "-" without any. */
static void state_rows(json_t *line, char *buf, size_t n)
{
	json_t *ops = json_object_get(line, "stateOperators"), *op;
	int64_t total = 0;
	size_t i;

	if (json_array_size(ops) == 0) {
		snprintf(buf, n, "-");
		return;
	}
	json_array_foreach(ops, i, op) total +=
	    int_at(op, "numRowsTotal") > 0 ? int_at(op, "numRowsTotal") : 0;
	snprintf(buf, n, "%lld", (long long)total);
}

static void print_row(json_t *line, int64_t committed)
{
	int64_t batch = int_at(line, "batchId");
	json_t *ts = json_object_get(line, "timestamp");
	json_t *rate = json_object_get(line, "processedRowsPerSecond");
	char st[32];

	state_rows(line, st, sizeof(st));
	printf("%8lld  %-24s  %10lld  %12.1f  %11lld  %10s  %s\n", (long long)batch,
	       json_is_string(ts) ? json_string_value(ts) : "-",
	       (long long)int_at(line, "numInputRows"),
	       json_is_number(rate) ? json_number_value(rate) : 0.0,
	       (long long)int_at(json_object_get(line, "durationMs"), "triggerExecution"), st,
	       batch <= committed ? "yes" : "no");
}

/* Sources that report how far behind the latest data they are (Kafka's
 * offsetsBehindLatest), as of the last batch. */
static void print_lag(json_t *line)
{
	json_t *metrics = json_object_get(line, "metrics"), *m;
	const char *stage;

	json_object_foreach(metrics, stage, m)
	{
		int64_t behind = int_at(m, "offsetsBehindLatest");

		if (behind < 0)
			continue;
		printf("lag:        source '%s': %lld offsets behind the latest (at most %lld in one "
		       "partition), after batch %lld\n",
		       stage, (long long)behind, (long long)int_at(m, "maxOffsetsBehindLatest"),
		       (long long)int_at(line, "batchId"));
	}
}

/* The last `rows` lines of progress.jsonl, oldest first; then the lag the
 * last one reports. */
static void print_batches(const char *dir, long rows, int64_t committed, int64_t logged)
{
	json_t *last = NULL;
	char path[PATH_MAX], *text = NULL, *p, *nl;
	size_t len, n = 0, skip;

	snprintf(path, sizeof(path), "%s/progress.jsonl", dir);
	printf("\n%8s  %-24s  %10s  %12s  %11s  %10s  %s\n", "batch", "time", "input rows",
	       "rows/s", "duration ms", "state rows", "committed");
	if (sl_read_file(path, &text, &len, NULL) >= 0 && text != NULL) {
		for (p = text; *p; p++)
			n += *p == '\n';
		skip = n > (size_t)rows ? n - (size_t)rows : 0;
		for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			json_t *line;

			*nl = '\0';
			if (skip > 0) {
				skip--;
				continue;
			}
			line = json_loads(p, 0, NULL);
			if (line != NULL)
				print_row(line, committed);
			json_decref(last);
			last = line;
		}
	}
	free(text);
	if (logged > committed)
		printf("%8lld  %-24s  %10s  %12s  %11s  %10s  %s\n", (long long)logged,
		       "(logged, not committed)", "-", "-", "-", "-", "no");
	if (last != NULL) {
		printf("\n");
		print_lag(last);
		json_decref(last);
	}
}

int slc_cmd_status(int argc, char **argv)
{
	status_args a = {0};
	char path[PATH_MAX], *text = NULL;
	size_t len;
	json_t *meta;
	int64_t committed, logged;
	int status = parse_args(argc, argv, &a);

	if (status >= 0)
		return status;
	snprintf(path, sizeof(path), "%s/metadata", a.dir);
	if (sl_read_file(path, &text, &len, NULL) < 0) {
		slc_print_error(stderr,
		                "checkpoint %s: no metadata (not a sluice checkpoint, or no batch "
		                "ran yet)",
		                a.dir);
		return SLC_EXIT_FAILURE;
	}
	meta = json_loads(text, 0, NULL);
	free(text);
	if (meta == NULL) {
		slc_print_error(stderr, "checkpoint %s: metadata is damaged", a.dir);
		return SLC_EXIT_FAILURE;
	}
	committed = last_id(a.dir, "commits");
	logged = last_id(a.dir, "offsets");
	printf("query:      %s (id %s)\n", json_string_value(json_object_get(meta, "name")),
	       json_string_value(json_object_get(meta, "id")));
	printf("checkpoint: %s (created %s)\n", a.dir,
	       json_string_value(json_object_get(meta, "created")));
	print_holder(a.dir);
	if (committed >= 0)
		printf("committed:  batch %lld is the last committed batch\n",
		       (long long)committed);
	else
		printf("committed:  no batch yet\n");
	if (logged > committed)
		printf("pending:    batch %lld is logged but not committed: it is running, or the "
		       "next start replays it\n",
		       (long long)logged);
	print_batches(a.dir, a.rows, committed, logged);
	json_decref(meta);
	return SLC_EXIT_OK;
}
