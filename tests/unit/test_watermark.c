/* test_watermark.c - the core's event-time service (core/watermark.c,
 * core/side.c, config_watermark.c): the Spark 3.0 rule (the watermark
 * computed at the end of batch N is in force from N + 1, never decreases,
 * min over stages or max with the policy), the value logged in offsets/N
 * and identical on replay after a crash, a restart that continues from the
 * stored maxima, a no-data batch run for a reported deadline, side outputs
 * routed to a reader or counted when unread, progress, and the validate
 * errors (append without watermark, bad watermark keys) with file:line.
 * Uses the test modules in $SLUICE_BUILDDIR/tests/modules (tsink) and
 * tests/modules/wm (etsrc, wmrec, wmagg). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "run/progress.h"
#include "run/scheduler.h"
#include "session/session.h"
#include "util/log.h"

#define SEC 1000000LL

static char tmp[64];
static int seq;

static void new_dir(char *buf, size_t n)
{
	snprintf(buf, n, "%s/w%d", tmp, seq++);
	mkdir(buf, 0700);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
	char path[300], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sl_read_file(path, &text, &len, NULL) < 0)
		return NULL;
	return text;
}

/* Writes DIR/p.conf: head (top-level keys) then the stages, where every
 * "%s" of stages is DIR. */
static void write_pipeline(const char *dir, const char *head, const char *stages)
{
	char path[300], body[4096], text[8192];

	snprintf(body, sizeof(body), stages, dir, dir, dir, dir);
	snprintf(text, sizeof(text), "%sstages = (\n%s);\n", head, body);
	snprintf(path, sizeof(path), "%s/p.conf", dir);
	put_file(path, text);
}

/* Runs DIR/p.conf (checkpoint DIR/chk when chk); err: the first problem. */
static int run(const char *dir, bool chk, sl_error *err)
{
	char path[300], cp[300];
	slc_overrides ov = {NULL, NULL, -1, 0};
	slc_pipeline *p = NULL;
	slc_progress *prog = NULL;
	slc_diag d;
	int rc;

	snprintf(path, sizeof(path), "%s/p.conf", dir);
	snprintf(cp, sizeof(cp), "%s/chk", dir);
	ov.checkpoint = chk ? cp : NULL;
	slc_diag_init(&d);
	sl_error_clear(err);
	rc = slc_session_open(path, &ov, &p, &d);
	if (rc < 0 && d.n > 0)
		sl_error_set(err, rc, "%s", slc_diag_msg(&d, 0));
	if (rc >= 0) {
		prog = slc_progress_new(p, false);
		rc = slc_scheduler_run(p, prog, err);
	}
	slc_progress_free(prog);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return rc;
}

/* Runs with SLUICE_CRASH_AT=at in a child, which must die by SIGKILL. */
static void run_crashing(const char *dir, const char *at)
{
	sl_error err;
	int status;
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		setenv("SLUICE_CRASH_AT", at, 1);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(5);
		run(dir, true, &err);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The record file of wmrec as "B:W:R," per batch (W "none" or seconds). */
static void records(const char *dir, const char *name, char *out, size_t n)
{
	char path[300], line[128], wm[32];
	long long b, rows;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out[0] = '\0';
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "batch %lld wm %31s rows %lld", &b, wm, &rows) == 3)
			snprintf(out + strlen(out), n - strlen(out), "%lld:%s:%lld,", b, wm, rows);
	if (f)
		fclose(f);
}

/* The offsets entry N as JSON (the checksum line cut off). */
static json_t *offsets(const char *dir, int n)
{
	char name[64], *text, *crc;
	json_t *j;

	snprintf(name, sizeof(name), "chk/offsets/%d", n);
	text = slurp(dir, name);
	if (text == NULL)
		return NULL;
	crc = strstr(text, "\ncrc32c ");
	if (crc)
		*crc = '\0';
	j = json_loads(text, 0, NULL);
	free(text);
	return j;
}

static int64_t entry_int(json_t *j, const char *key, const char *sub)
{
	json_t *v = json_object_get(j, key);

	if (sub != NULL)
		v = json_object_get(v, sub);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Progress line of batch b (kept in the checkpoint). */
static json_t *progress_of(const char *dir, int64_t b)
{
	char *text = slurp(dir, "chk/progress.jsonl");
	json_t *found = NULL;

	for (char *p = text, *nl; p && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		json_t *line;

		*nl = '\0';
		line = json_loads(p, 0, NULL);
		if (json_integer_value(json_object_get(line, "batchId")) == b && found == NULL)
			found = line;
		else
			json_decref(line);
	}
	free(text);
	return found;
}

#define HEAD "name = \"t\";\ntrigger = \"available-now\";\n"
#define SRC(times) "  { name = \"src\"; plugin = \"etsrc\"; times = \"" times "\"; },\n"
#define REC(extra)                                                                                 \
	"  { name = \"rec\"; plugin = \"wmrec\"; input = \"src\"; path = \"%s/rec.txt\"; " extra   \
	" },\n"
#define OUT(input)                                                                                 \
	"  { name = \"out\"; plugin = \"tsink\"; input = \"" input "\"; path = \"%s/out.txt\"; "   \
	                                                           "}\n"
#define WM(delay) "watermark = { column = \"ts\"; delay = \"" delay "\"; };"

/* --- the rule --- */

static void test_next_batch_never_down(void)
{
	char dir[128], got[512];
	sl_error err;
	json_t *o;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD, SRC("100;200;150;50;300") REC(WM("10 seconds")) OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:90:1,2:190:1,3:190:1,4:190:1,");
	/* offsets/N holds the watermark in force for N and the maxima before
	 * it. */
	o = offsets(dir, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(entry_int(o, "watermarkUs", NULL), 190 * SEC);
	CU_ASSERT_EQUAL(entry_int(o, "eventTimeMaxUs", "rec"), 200 * SEC);
	json_decref(o);
	o = offsets(dir, 1);
	CU_ASSERT_EQUAL(entry_int(o, "watermarkUs", NULL), 90 * SEC);
	json_decref(o);
}

/* Nulls are skipped; a batch without events does not move it. */
static void test_nulls_and_empty(void)
{
	char dir[128], got[512];
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD, SRC("n;100,n;;n") REC(WM("1 minute")) OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, false, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:none:2,2:40:0,3:40:1,");
}

#define TWO(b_times)                                                                               \
	"  { name = \"a\"; plugin = \"etsrc\"; times = \"100;200;300\"; },\n"                      \
	"  { name = \"b\"; plugin = \"etsrc\"; times = \"" b_times "\"; },\n"                      \
	"  { name = \"ra\"; plugin = \"wmrec\"; input = \"a\"; path = \"%s/ra.txt\"; " WM(         \
	    "10 seconds") " },\n"                                                                  \
	                  "  { name = \"rb\"; plugin = \"wmrec\"; input = \"b\"; path = "          \
	                  "\"%s/rb.txt\"; " WM(                                                    \
	                      "0 seconds") " },\n"                                                 \
	                                   "  { name = \"oa\"; plugin = \"tsink\"; input = "       \
	                                   "\"ra\"; path = \"%s/oa.txt\"; },\n"                    \
	                                   "  { name = \"ob\"; plugin = \"tsink\"; input = "       \
	                                   "\"rb\"; path = \"%s/ob.txt\"; }\n"

/* One global watermark: both stages see the same (want_b: rb's rows may
 * differ). */
static void two_stages(const char *head, const char *stages, const char *want, const char *want_b)
{
	char dir[128], got[512];
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, head, stages);
	CU_ASSERT_EQUAL_FATAL(run(dir, false, &err), SL_OK);
	records(dir, "ra.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, want);
	records(dir, "rb.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, want_b ? want_b : want);
}

static void test_min_of_stages(void)
{
	two_stages(HEAD, TWO("50;60;70"), "0:none:1,1:50:1,2:60:1,", NULL);
}

static void test_max_policy(void)
{
	two_stages(HEAD "watermark_policy = \"max\";\n", TWO("50;60;70"),
	           "0:none:1,1:90:1,2:190:1,", NULL);
}

/* A stage that saw no event yet holds the minimum back. */
static void test_min_waits_for_every_stage(void)
{
	two_stages(HEAD, TWO(";60;70"), "0:none:1,1:none:1,2:60:1,", "0:none:0,1:none:1,2:60:1,");
}

/* A plugin's own reports: declare (no key) and observe. */
static void test_plugin_declares_and_observes(void)
{
	char dir[128], got[512];
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD,
	               SRC("100;200;300") REC("declare = \"5 seconds\"; observe = 1000;")
	                   OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, false, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:995:1,2:995:1,");
}

/* --- durability --- */

static void test_restart_continues(void)
{
	char dir[128], got[512];
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD, SRC("100;200") REC(WM("10 seconds")) OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	/* The next run knows batch 1's max (200): batch 2 runs at 190. */
	write_pipeline(dir, HEAD, SRC("100;200;150;160") REC(WM("10 seconds")) OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:90:1,2:190:1,3:190:1,");
}

static void crash_replay(const char *point)
{
	char dir[128], got[512], at[64];
	sl_error err;
	json_t *o;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD, SRC("100;200;300;400") REC(WM("10 seconds")) OUT("rec"));
	snprintf(at, sizeof(at), "%s:2", point);
	run_crashing(dir, at);
	o = offsets(dir, 2);
	CU_ASSERT_EQUAL(entry_int(o, "watermarkUs", NULL), 190 * SEC);
	json_decref(o);
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	/* Batch 2 ran twice (wmrec is not idempotent), with one watermark. */
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:90:1,2:190:1,2:190:1,3:290:1,");
	o = offsets(dir, 3);
	CU_ASSERT_EQUAL(entry_int(o, "watermarkUs", NULL), 290 * SEC);
	CU_ASSERT_EQUAL(entry_int(o, "eventTimeMaxUs", "rec"), 300 * SEC);
	json_decref(o);
}

static void test_crash_sinks_done(void)
{
	crash_replay("sinks-done");
}

static void test_crash_state_commit(void)
{
	crash_replay("state-commit");
}

/* --- no-data batches --- */

static void test_no_data_batch(void)
{
	char dir[128], got[512];
	sl_error err;
	json_t *a, *b;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD,
	               SRC("100;200") REC(WM("10 seconds") " deadline = 150;") OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	/* 190 reaches the window end 150: batch 2 runs without data. */
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:90:1,2:190:0,");
	a = offsets(dir, 1);
	b = offsets(dir, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(json_equal(json_object_get(a, "sources"), json_object_get(b, "sources")));
	json_decref(a);
	json_decref(b);
	/* A deadline the watermark does not reach: no extra batch. */
	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD,
	               SRC("100;200") REC(WM("10 seconds") " deadline = 500;") OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, false, &err), SL_OK);
	records(dir, "rec.txt", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "0:none:1,1:90:1,");
}

/* --- side outputs and progress --- */

static void test_side_output_routed(void)
{
	char dir[128], *text;
	sl_error err;
	json_t *pl;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, HEAD,
	               SRC("100;200,50,n;300") REC(WM("10 seconds") " late = true;")
	                   OUT("rec") "  ,{ name = \"lateout\"; plugin = \"tsink\"; input = "
	                              "\"rec.late\"; path = \"%s/late.txt\"; }\n");
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	text = slurp(dir, "late.txt");
	CU_ASSERT_STRING_EQUAL(text ? text : "",
	                       "batch 0 rows 0\nbatch 1 rows 1\nbatch 2 rows 0\n");
	free(text);
	text = slurp(dir, "out.txt");
	CU_ASSERT_STRING_EQUAL(text ? text : "",
	                       "batch 0 rows 1\nbatch 1 rows 2\nbatch 2 rows 1\n");
	free(text);
	pl = progress_of(dir, 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
	                    json_object_get(json_object_get(json_object_get(pl, "stages"), "rec"),
	                                    "sideOutputRows"),
	                    "late")),
	                1);
	json_decref(pl);
}

static void test_side_output_unused(void)
{
	char dir[128];
	sl_error err;
	json_t *pl, *op, *et;

	new_dir(dir, sizeof(dir));
	/* wmagg: stateful, so append is allowed thanks to the watermark. */
	write_pipeline(dir, HEAD,
	               SRC("100;200,50,n;300") "  { name = \"rec\"; plugin = \"wmagg\"; input = "
	                                       "\"src\"; path = \"%s/rec.txt\"; " WM(
	                                           "10 seconds") " late = true; },\n" OUT("rec"));
	CU_ASSERT_EQUAL_FATAL(run(dir, true, &err), SL_OK);
	pl = progress_of(dir, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pl);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
	                    json_object_get(json_object_get(json_object_get(pl, "stages"), "rec"),
	                                    "sideOutputRows"),
	                    "late")),
	                1);
	op = json_array_get(json_object_get(pl, "stateOperators"), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(op, "numRowsDroppedByWatermark")), 1);
	et = json_object_get(pl, "eventTime");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(et, "watermark")),
	                       "1970-01-01T00:01:30.000Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(et, "max")),
	                       "1970-01-01T00:03:20.000Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(et, "min")),
	                       "1970-01-01T00:00:50.000Z");
	json_decref(pl);
}

/* --- validate --- */

/* Opens DIR/p.conf for validation; true when some message is exactly
 * "DIR/p.conf:<rest>". */
static bool validate_has(const char *head, const char *stages, const char *rest)
{
	char dir[128], want[1024];
	slc_overrides ov = {NULL, NULL, -1, 1};
	slc_pipeline *p = NULL;
	char path[300];
	bool found = false;
	slc_diag d;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, head, stages);
	snprintf(path, sizeof(path), "%s/p.conf", dir);
	snprintf(want, sizeof(want), "%s:%s", path, rest);
	slc_diag_init(&d);
	slc_session_open(path, &ov, &p, &d);
	for (size_t i = 0; i < d.n; i++)
		found |= strcmp(slc_diag_msg(&d, i), want) == 0;
	if (!found || rest[0] == '\0') {
		found = rest[0] == '\0' && d.n == 0;
		for (size_t i = 0; !found && i < d.n; i++)
			fprintf(stderr, "\n  got: %s", slc_diag_msg(&d, i));
		if (!found)
			fprintf(stderr, "\n want: %s\n", rest[0] ? want : "(no error)");
	}
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return found;
}

#define AGG(extra)                                                                                 \
	"  { name = \"agg\"; plugin = \"wmagg\"; input = \"src\"; path = \"x\"; " extra " },\n"
#define SINK(input, extra)                                                                         \
	"  { name = \"out\"; plugin = \"tsink\"; input = \"" input "\"; path = \"x\"; " extra " }" \
	                                                                                      "\n"
#define APPEND_MSG                                                                                 \
	"Append output mode not supported when there are streaming aggregations on streaming "     \
	"DataFrames/DataSets without watermark (declare watermark = { column = \"...\"; delay = "  \
	"\"...\"; } on this stage or upstream, or use mode \"update\" or \"complete\")"

static void test_append_without_watermark(void)
{
	CU_ASSERT(
	    validate_has(HEAD, SRC("1") AGG("") SINK("agg", ""), "5: stage 'agg': " APPEND_MSG));
	CU_ASSERT(validate_has(HEAD, SRC("1") AGG("") SINK("agg", "mode = \"append\";"),
	                       "5: stage 'agg': " APPEND_MSG));
	CU_ASSERT(validate_has(HEAD, SRC("1") AGG("") SINK("agg", "mode = \"update\";"), ""));
	CU_ASSERT(validate_has(HEAD, SRC("1") AGG(WM("1 minute")) SINK("agg", ""), ""));
	/* Upstream counts, a source included. */
	CU_ASSERT(validate_has(HEAD,
	                       "  { name = \"src\"; plugin = \"etsrc\"; times = \"1\"; " WM(
	                           "1 minute") " },\n" AGG("") SINK("agg", ""),
	                       ""));
	/* complete without a stateful stage is still refused. */
	CU_ASSERT(validate_has(HEAD, SRC("1") SINK("src", "mode = \"complete\";"),
	                       "5: stage 'out': complete output mode not supported when there are "
	                       "no streaming aggregations"));
}

static void test_bad_watermark_keys(void)
{
	CU_ASSERT(validate_has(
	    HEAD, SRC("1") REC("watermark = { column = \"tss\"; delay = \"1m\"; };") OUT("rec"),
	    "5: stage 'rec': watermark column 'tss' not found in the input (did "
	    "you mean 'ts'?)"));
	CU_ASSERT(validate_has(
	    HEAD, SRC("1") REC("watermark = { column = \"id\"; delay = \"1m\"; };") OUT("rec"),
	    "5: stage 'rec': watermark column 'id' is BIGINT, not TIMESTAMP "
	    "(convert it upstream, e.g. to_timestamp(id))"));
	CU_ASSERT(validate_has(
	    HEAD,
	    SRC("1") REC("watermark = { column = \"ts\";\n    delay = \"-1m\"; };") OUT("rec"),
	    "6: stage 'rec': 'watermark': 'delay': negative duration '-1m': "
	    "durations must be >= 0"));
	CU_ASSERT(validate_has(
	    HEAD, SRC("1") REC("watermark = { colum = \"ts\"; delay = \"1m\"; };") OUT("rec"),
	    "5: stage 'rec': unknown key 'colum' in 'watermark' (did you mean "
	    "'column'?)"));
	CU_ASSERT(validate_has(HEAD, SRC("1") REC("watermark = { column = \"ts\"; };") OUT("rec"),
	                       "5: stage 'rec': 'watermark' has no 'delay'"));
	CU_ASSERT(
	    validate_has(HEAD, SRC("1") REC("watermark = \"ts\";") OUT("rec"),
	                 "5: stage 'rec': 'watermark' must be a group: watermark = { column = "
	                 "\"ts\"; delay = \"10 minutes\"; }"));
	CU_ASSERT(validate_has(HEAD "watermark_policy = \"median\";\n", SRC("1") OUT("src"),
	                       "3: unknown watermark_policy 'median' (one of min, max)"));
	CU_ASSERT(validate_has(HEAD, SRC("1") REC("late = true;") OUT("rec.lat"),
	                       "6: stage 'out': stage 'rec' has no side output 'lat' (did you mean "
	                       "'late'?)"));
	CU_ASSERT(validate_has(HEAD, SRC("1") OUT("src.late"),
	                       "5: stage 'out': stage 'src' has no side output 'late' (plugin "
	                       "'etsrc' declares none)"));
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"applies from the next batch, never decreases", test_next_batch_never_down},
	    {"nulls skipped, empty batches keep it", test_nulls_and_empty},
	    {"min over stages", test_min_of_stages},
	    {"max policy", test_max_policy},
	    {"min waits for every stage", test_min_waits_for_every_stage},
	    {"plugin declares and observes", test_plugin_declares_and_observes},
	    {"restart continues from stored maxima", test_restart_continues},
	    {"crash at sinks-done: replay identical", test_crash_sinks_done},
	    {"crash at state-commit: replay identical", test_crash_state_commit},
	    {"no-data batch for a deadline", test_no_data_batch},
	    {"side output routed to its reader", test_side_output_routed},
	    {"unused side output counted; progress", test_side_output_unused},
	    {"append without watermark refused", test_append_without_watermark},
	    {"bad watermark keys", test_bad_watermark_keys},
	};
	const char *build = getenv("SLUICE_BUILDDIR");
	char mods[600], cmd[128];
	CU_pSuite suite;
	unsigned failures;

	snprintf(tmp, sizeof(tmp), "/tmp/sluice-wm.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(mods, sizeof(mods), "%s/tests/modules/.libs:%s/tests/modules/wm/.libs",
	         build ? build : ".", build ? build : ".");
	setenv("SLUICE_PLUGIN_PATH", mods, 1);
	unsetenv("SLUICE_CRASH_AT");
	slc_log_set_level(SL_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("watermark", NULL, NULL);
	for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (failures == 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return failures ? 1 : 0;
}
