/* test_config.c - pipeline files: every error with its exact file:line,
 * ${VAR} expansion, @include, triggers, output modes, and a run of the
 * scheduler.  Uses the test modules in $SLUICE_BUILDDIR/tests/modules. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "config/config_file.h"
#include "run/scheduler.h"
#include "session/session.h"
#include "util/log.h"
#include "util/signals.h"

static char dir[256];
static char main_path[300];

/* Writes name (relative to the temp dir) with text; returns its path. */
static const char *put_file(const char *name, const char *text)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Opens text as p.conf; the diagnostics land in d (freed by the caller). */
static int open_text(const char *text, slc_diag *d, slc_pipeline **out)
{
	slc_pipeline *p = NULL;
	int rc;

	put_file("p.conf", text);
	slc_diag_init(d);
	rc = slc_session_open(main_path, NULL, &p, d);
	if (out != NULL)
		*out = p;
	else
		slc_pipeline_free(p);
	return rc;
}

/* True when d holds exactly "<dir>/<file>:<rest>". */
static bool has(const slc_diag *d, const char *file, const char *rest)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s/%s:%s", dir, file, rest);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(slc_diag_msg(d, i), want) == 0)
			return true;
	fprintf(stderr, "\nmissing: %s\n", want);
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "     got: %s\n", slc_diag_msg(d, i));
	return false;
}

/* True when d holds a message starting with "<dir>/<file>:<prefix>". */
static bool has_prefix(const slc_diag *d, const char *file, const char *prefix)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s/%s:%s", dir, file, prefix);
	for (size_t i = 0; i < d->n; i++)
		if (strncmp(slc_diag_msg(d, i), want, strlen(want)) == 0)
			return true;
	fprintf(stderr, "\nmissing prefix: %s\n", want);
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "     got: %s\n", slc_diag_msg(d, i));
	return false;
}

/* Checks that text fails with the one message "p.conf:<rest>". */
static void expect_error(const char *text, const char *rest)
{
	slc_diag d;

	CU_ASSERT_EQUAL(open_text(text, &d, NULL), SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf", rest));
	slc_diag_free(&d);
}

#define SRC "  { name = \"src\"; plugin = \"tsrc\"; },\n"
#define SINK(input)                                                                                \
	"  { name = \"out\"; plugin = \"tsink\"; input = \"" input "\"; path = \"/dev/null\"; }\n"

/* --- syntax and keys --- */

static void test_syntax_error(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(open_text("name = \"x\";\nstages = (\n  { name = ; }\n);\n", &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf", "3: syntax error"));
	CU_ASSERT_EQUAL(d.n, 1);
	slc_diag_free(&d);
}

static void test_missing_file(void)
{
	slc_pipeline *p = NULL;
	char path[300];
	slc_diag d;

	snprintf(path, sizeof(path), "%s/nothere.conf", dir);
	slc_diag_init(&d);
	CU_ASSERT_EQUAL(slc_session_open(path, NULL, &p, &d), SL_EINVAL);
	CU_ASSERT_EQUAL(d.n, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(slc_diag_msg(&d, 0), "nothere.conf: cannot open: "));
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

static void test_unknown_top_key(void)
{
	expect_error("name = \"x\";\ntrigerr = \"1s\";\nstages = (\n" SRC SINK("src") ");\n",
	             "2: unknown key 'trigerr' (did you mean 'trigger'?)");
}

/* plugin_path takes absolute directories only: a relative one is an error
 * at its line, in a list or alone. */
static void test_relative_plugin_path(void)
{
	expect_error("name = \"x\";\nplugin_path = [ \"/opt/plugins\",\n  \"plugins\" ];\n"
	             "stages = (\n" SRC SINK("src") ");\n",
	             "3: plugin_path: 'plugins' is not an absolute directory; modules load only "
	             "from absolute directories (write its full path)");
	expect_error("name = \"x\";\nplugin_path = \"./lib\";\nstages = (\n" SRC SINK("src") ");\n",
	             "2: plugin_path: './lib' is not an absolute directory; modules load only from "
	             "absolute directories (write its full path)");
}

static void test_unknown_option(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(open_text("stages = (\n"
	                          "  { name = \"src\"; plugin = \"tsrc\";\n"
	                          "    hots = \"h\"; },\n"
	                          "  { name = \"out\"; plugin = \"tsink\"; inptu = \"src\";\n"
	                          "    input = \"src\"; path = \"/dev/null\"; opts = {\n"
	                          "      levl = 2; }; }\n"
	                          ");\n",
	                          &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(
	    has(&d, "p.conf", "3: stage 'src': unknown option 'hots' (did you mean 'host'?)"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf", "4: stage 'out': unknown option 'inptu' (did you mean 'input'?)"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf",
	        "6: stage 'out': unknown option 'opts.levl' (did you mean 'opts.level'?)"));
	CU_ASSERT_EQUAL(d.n, 3);
	slc_diag_free(&d);
}

static void test_mistyped_value(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(open_text("stages = (\n"
	                          "  { name = \"src\"; plugin = \"tsrc\";\n"
	                          "    rows = \"many\"; },\n"
	                          "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	                          "    path = \"/dev/null\";\n"
	                          "    format = \"xml\"; every = \"soon\"; opts = ( 1 ); }\n"
	                          ");\n",
	                          &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(has_prefix(&d, "p.conf", "3: stage 'src': option 'rows': "));
	CU_ASSERT_TRUE(has_prefix(&d, "p.conf", "6: stage 'out': option 'format': "));
	CU_ASSERT_TRUE(has_prefix(&d, "p.conf", "6: stage 'out': option 'every': "));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf", "6: stage 'out': option 'opts': expected a group { ... }"));
	CU_ASSERT_EQUAL(d.n, 4);
	slc_diag_free(&d);
}

static void test_missing_required(void)
{
	expect_error("stages = (\n" SRC "  { name = \"out\"; plugin = \"tsink\";\n"
	             "    input = \"src\"; }\n);\n",
	             "3: stage 'out': missing required option 'path'");
}

static void test_stage_shape(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(
	    open_text(
	        "stages = (\n"
	        "  { plugin = \"tsrc\"; },\n"
	        "  { name = \"src\"; },\n"
	        "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	        "    inputs = [\"src\"]; path = \"x\"; },\n"
	        "  { name = \"m\"; plugin = \"tmap\"; input = [\"a\"]; mode = \"sometimes\"; }\n"
	        ");\n",
	        &d, NULL),
	    SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf", "2: stage #1 has no 'name'"));
	CU_ASSERT_TRUE(has(&d, "p.conf", "3: stage 'src': no 'plugin' given"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf", "5: stage 'out': give either 'input' or 'inputs', not both"));
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "6: stage 'm': 'input' takes one stage name; use 'inputs' for several"));
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "6: stage 'm': unknown output mode 'sometimes' (one of append, update, "
	                   "complete)"));
	slc_diag_free(&d);
}

/* --- the graph --- */

static void test_unknown_input(void)
{
	expect_error(
	    "stages = (\n" SRC
	    "  { name = \"m\"; plugin = \"tmap\";\n    input = \"scr\"; },\n" SINK("m") ");\n",
	    "4: stage 'm': unknown input 'scr' (did you mean 'src'?)");
}

static void test_duplicate_stage(void)
{
	expect_error(
	    "stages = (\n" SRC SINK("src") ",  { name = \"src\"; plugin = \"tsrc\"; }\n);\n",
	    "4: stage 'src': duplicate stage name (first defined at line 2)");
}

static void test_cycle(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(
	    open_text(
	        "stages = (\n" SRC "  { name = \"a\"; plugin = \"tmap\"; input = \"c\"; },\n"
	        "  { name = \"b\"; plugin = \"tmap\"; input = \"a\"; },\n"
	        "  { name = \"c\"; plugin = \"tmap\"; input = \"b\"; },\n"
	        "  { name = \"self\"; plugin = \"tmap\"; input = \"self\"; },\n" SINK("c") ");\n",
	        &d, NULL),
	    SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf", "3: stage 'a': cycle in inputs: a -> b -> c -> a"));
	CU_ASSERT_TRUE(has(&d, "p.conf", "6: stage 'self': cycle in inputs: self -> self"));
	slc_diag_free(&d);
}

static void test_roles(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(open_text("stages = (\n"
	                          "  { name = \"src\"; plugin = \"tsink\"; path = \"x\"; },\n"
	                          "  { name = \"m\"; plugin = \"tsrc\"; input = \"src\"; },\n"
	                          "  { name = \"out\"; plugin = \"tmap\"; input = \"m\"; },\n"
	                          "  { name = \"lonely\"; plugin = \"tsrc\"; },\n"
	                          "  { name = \"two\"; plugin = \"tsink\"; inputs = [\"lonely\", "
	                          "\"m\"]; path = \"x\"; }\n"
	                          ");\n",
	                          &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(
	    has(&d, "p.conf",
	        "2: stage 'src': plugin 'tsink' is a sink, not a source; a stage without "
	        "inputs needs a source"));
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "3: stage 'm': plugin 'tsrc' is a source, not a transform; a stage with "
	                   "inputs and consumers needs a transform"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf",
	        "4: stage 'out': plugin 'tmap' is a transform, not a sink; a stage that no "
	        "stage reads from needs a sink"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf", "6: stage 'two': plugin 'tsink' takes one input, 2 are given"));
	slc_diag_free(&d);
}

static void test_unknown_plugin(void)
{
	expect_error("stages = (\n  { name = \"src\"; plugin = \"tsrx\"; },\n" SINK("src") ");\n",
	             "2: stage 'src': unknown source plugin 'tsrx' (did you mean 'tsrc'?)");
}

static void test_create_error(void)
{
	expect_error("stages = (\n" SRC "  { name = \"m\"; plugin = \"tmap\"; input = \"src\";\n"
	             "    column = \"nmae\"; },\n" SINK("m") ");\n",
	             "4: stage 'm': option 'column': unknown column 'nmae' (at character 1)");
}

/* --- ${VAR} --- */

static void test_expand(void)
{
	char *out = NULL;
	sl_error err;

	setenv("SLC_T_HOST", "example.org", 1);
	setenv("SLC_T_EMPTY", "", 1);
	unsetenv("SLC_T_UNSET");
	CU_ASSERT_EQUAL(slc_expand("${SLC_T_HOST}:${SLC_T_UNSET:-9999}", &out, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(out, "example.org:9999");
	free(out);
	CU_ASSERT_EQUAL(slc_expand("a$$b ${SLC_T_EMPTY:-d} $x $", &out, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(out, "a$b d $x $");
	free(out);
	CU_ASSERT_EQUAL(slc_expand("${SLC_T_EMPTY}|${SLC_T_UNSET:-}", &out, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(out, "|");
	free(out);
	CU_ASSERT_EQUAL(slc_expand("x ${SLC_T_UNSET}", &out, &err), SL_EINVAL);
	CU_ASSERT_EQUAL(err.pos, 2);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(slc_expand("${SLC_T_HOST", &out, &err), SL_EINVAL);
	CU_ASSERT_EQUAL(slc_expand("${1BAD}", &out, &err), SL_EINVAL);
}

static void test_expand_in_file(void)
{
	slc_pipeline *p = NULL;
	slc_stage *src;
	slc_diag d;

	setenv("SLC_T_NAME", "from_env", 1);
	setenv("SLC_T_PORT", "4242", 1);
	unsetenv("SLC_T_UNSET");
	CU_ASSERT_EQUAL(
	    open_text(
	        "name = \"${SLC_T_NAME}\";\n"
	        "trigger = \"${SLC_T_UNSET:-once}\";\n"
	        "stages = (\n"
	        "  { name = \"src\"; plugin = \"tsrc\"; host = \"$${SLC_T_UNSET:-localhost}\";\n"
	        "    port = \"${SLC_T_PORT}\"; rows = \"${SLC_T_UNSET:-7}\"; },\n" SINK(
	            "src") ");\n",
	        &d, &p),
	    SL_OK);
	CU_ASSERT_EQUAL(d.n, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "from_env");
	CU_ASSERT_EQUAL(p->trigger.kind, SLC_TRIGGER_ONCE);
	src = slc_pipeline_stage(p, "src");
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_STRING_EQUAL(sl_opt_string(src->options, "host"), "${SLC_T_UNSET:-localhost}");
	CU_ASSERT_EQUAL(sl_opt_int(src->options, "port"), 4242);
	CU_ASSERT_EQUAL(sl_opt_int(src->options, "rows"), 7);
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

static void test_unset_variable(void)
{
	slc_diag d;

	unsetenv("SLC_T_UNSET");
	CU_ASSERT_EQUAL(open_text("checkpoint = \"${SLC_T_UNSET}/x\";\n"
	                          "stages = (\n" SRC
	                          "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	                          "    path = \"/tmp/${SLC_T_UNSET}\"; }\n"
	                          ");\n",
	                          &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "1: 'checkpoint': environment variable 'SLC_T_UNSET' is not set (use "
	                   "${SLC_T_UNSET:-default} to give a default)"));
	CU_ASSERT_TRUE(
	    has(&d, "p.conf",
	        "5: stage 'out': option 'path': environment variable 'SLC_T_UNSET' is not "
	        "set (use ${SLC_T_UNSET:-default} to give a default) (at character 6)"));
	slc_diag_free(&d);
}

/* --- @include --- */

static void test_include(void)
{
	slc_pipeline *p = NULL;
	slc_diag d;

	put_file("inc/stages.inc", "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	                           "    path = \"/dev/null\"; }\n");
	CU_ASSERT_EQUAL(open_text("stages = (\n" SRC "  @include \"inc/stages.inc\"\n);\n", &d, &p),
	                SL_OK);
	CU_ASSERT_EQUAL(d.n, 0);
	CU_ASSERT_PTR_NOT_NULL(slc_pipeline_stage(p, "out"));
	slc_pipeline_free(p);
	slc_diag_free(&d);

	put_file("inc/bad.inc", "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	                        "    pth = \"/dev/null\"; }\n");
	CU_ASSERT_EQUAL(open_text("stages = (\n" SRC "  @include \"inc/bad.inc\"\n);\n", &d, NULL),
	                SL_EINVAL);
	CU_ASSERT_TRUE(
	    has(&d, "inc/bad.inc", "2: stage 'out': unknown option 'pth' (did you mean 'path'?)"));
	slc_diag_free(&d);

	put_file("inc/syntax.inc", "  { name = \"out\"; plugin = ; }\n");
	CU_ASSERT_EQUAL(
	    open_text("stages = (\n" SRC "  @include \"inc/syntax.inc\"\n);\n", &d, NULL),
	    SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "inc/syntax.inc", "1: syntax error"));
	slc_diag_free(&d);
}

/* --- triggers --- */

static void test_trigger_parse(void)
{
	slc_trigger t;
	sl_error err;
	char buf[32];

	CU_ASSERT_EQUAL(slc_trigger_parse("1s", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.kind, SLC_TRIGGER_INTERVAL);
	CU_ASSERT_EQUAL(t.interval_us, 1000000);
	CU_ASSERT_EQUAL(slc_trigger_parse("500ms", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.interval_us, 500000);
	slc_trigger_format(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "500ms");
	CU_ASSERT_EQUAL(slc_trigger_parse("0s", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.interval_us, 0);
	CU_ASSERT_EQUAL(slc_trigger_parse("once", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.kind, SLC_TRIGGER_ONCE);
	CU_ASSERT_EQUAL(slc_trigger_parse("available-now", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.kind, SLC_TRIGGER_AVAILABLE_NOW);
	CU_ASSERT_EQUAL(slc_trigger_parse("availableNow", &t, &err), SL_OK);
	CU_ASSERT_EQUAL(t.kind, SLC_TRIGGER_AVAILABLE_NOW);
	slc_trigger_format(&t, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "available-now");
	CU_ASSERT_EQUAL(slc_trigger_parse("sometimes", &t, &err), SL_EINVAL);
}

static void test_trigger_in_file(void)
{
	slc_pipeline *p = NULL;
	slc_diag d;

	CU_ASSERT_EQUAL(open_text("stages = (\n" SRC SINK("src") ");\n", &d, &p), SL_OK);
	CU_ASSERT_EQUAL(p->trigger.kind, SLC_TRIGGER_INTERVAL);
	CU_ASSERT_EQUAL(p->trigger.interval_us, 0);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	CU_ASSERT_EQUAL(
	    open_text("trigger = \"2 seconds\";\nstages = (\n" SRC SINK("src") ");\n", &d, &p),
	    SL_OK);
	CU_ASSERT_EQUAL(p->trigger.interval_us, 2000000);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	expect_error(
	    "name = \"t\";\ntrigger = \"whenever\";\nstages = (\n" SRC SINK("src") ");\n",
	    "2: bad trigger 'whenever': expected an interval (\"1s\", \"500ms\"), \"once\" "
	    "or \"available-now\"");
}

/* --- output modes --- */

static void test_mode_conflict(void)
{
	slc_diag d;

	CU_ASSERT_EQUAL(
	    open_text(
	        "stages = (\n" SRC
	        "  { name = \"agg\"; plugin = \"tagg\"; input = \"src\"; mode = \"update\"; },\n"
	        "  { name = \"o1\"; plugin = \"tsink\"; input = \"agg\"; path = \"x\";\n"
	        "    mode = \"complete\"; },\n"
	        "  { name = \"o2\"; plugin = \"tsink\"; input = \"src\"; path = \"x\"; mode = "
	        "\"append\"; },\n"
	        "  { name = \"o3\"; plugin = \"tsink\"; input = \"src\"; path = \"x\"; mode = "
	        "\"update\"; }\n"
	        ");\n",
	        &d, NULL),
	    SL_EINVAL);
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "3: stage 'agg': output mode 'update' conflicts with mode 'complete' of "
	                   "stage 'o1' downstream"));
	CU_ASSERT_TRUE(has(&d, "p.conf",
	                   "2: stage 'src': feeds stages of different output modes: 'append' (via "
	                   "'o2') and 'update' (via 'o3')"));
	slc_diag_free(&d);
}

static void test_complete_without_aggregation(void)
{
	slc_pipeline *p = NULL;
	slc_diag d;

	expect_error("stages = (\n" SRC "  { name = \"out\"; plugin = \"tsink\"; input = \"src\";\n"
	             "    path = \"x\"; mode = \"complete\"; }\n);\n",
	             "4: stage 'out': complete output mode not supported when there are no "
	             "streaming aggregations");
	expect_error("mode = \"complete\";\nstages = (\n" SRC SINK("src") ");\n",
	             "1: stage 'out': complete output mode not supported when there are no "
	             "streaming aggregations");
	/* With a stateful stage upstream, complete is fine and reaches it. */
	CU_ASSERT_EQUAL(
	    open_text(
	        "mode = \"complete\";\nstages = (\n" SRC
	        "  { name = \"agg\"; plugin = \"tagg\"; input = \"src\"; },\n" SINK("agg") ");\n",
	        &d, &p),
	    SL_OK);
	CU_ASSERT_EQUAL(slc_pipeline_stage(p, "agg")->out_mode, SL_MODE_COMPLETE);
	CU_ASSERT_EQUAL(slc_pipeline_stage(p, "src")->out_mode, SL_MODE_COMPLETE);
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

/* --- running --- */

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int run_text(const char *text, sl_error *err)
{
	slc_pipeline *p = NULL;
	slc_progress *prog;
	slc_diag d;
	int rc;

	rc = open_text(text, &d, &p);
	CU_ASSERT_EQUAL_FATAL(rc, SL_OK);
	prog = slc_progress_new(p, false);
	rc = slc_scheduler_run(p, prog, err);
	if (rc >= 0) {
		CU_ASSERT_EQUAL(slc_progress_count(prog), 3);
		CU_ASSERT_PTR_NOT_NULL(strstr(slc_progress_get(prog, 2), "\"batchId\":2,"));
		CU_ASSERT_PTR_NOT_NULL(strstr(slc_progress_get(prog, 2), "\"numInputRows\":2,"));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(slc_progress_get(prog, 2), "\"startOffset\":2,\"endOffset\":3"));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(slc_progress_get(prog, 2), "\"metrics\":{\"out\":{\"rowsSeen\":2}}"));
	}
	slc_progress_free(prog);
	slc_pipeline_free(p);
	slc_diag_free(&d);
	return rc;
}

static void test_run(void)
{
	char text[1024], out[300];
	sl_error err;

	snprintf(out, sizeof(out), "%s/run.txt", dir);
	unlink(out);
	snprintf(text, sizeof(text),
	         "trigger = \"available-now\";\n"
	         "stages = (\n"
	         "  { name = \"src\"; plugin = \"tsrc\"; rows = 2; batches = 3; },\n"
	         "  { name = \"m\"; plugin = \"tmap\"; input = \"src\"; },\n"
	         "  { name = \"out\"; plugin = \"tsink\"; input = \"m\"; path = \"%s\"; }\n"
	         ");\n",
	         out);
	CU_ASSERT_EQUAL(run_text(text, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(slurp(out), "batch 0 rows 2\nbatch 1 rows 2\nbatch 2 rows 2\n");

	unlink(out);
	snprintf(text, sizeof(text),
	         "stages = (\n"
	         "  { name = \"src\"; plugin = \"tsrc\"; rows = 2; batches = 3; },\n"
	         "  { name = \"m\"; plugin = \"tmap\"; input = \"src\"; fail_at_batch = 1; },\n"
	         "  { name = \"out\"; plugin = \"tsink\"; input = \"m\"; path = \"%s\"; }\n"
	         ");\n",
	         out);
	CU_ASSERT_EQUAL(run_text(text, &err), SL_EIO);
	/* At the stage's place, as every error. */
	snprintf(text, sizeof(text), "%s:3: stage 'm': failing at batch 1 as asked", main_path);
	CU_ASSERT_STRING_EQUAL(err.msg, text);
	CU_ASSERT_STRING_EQUAL(slurp(out), "batch 0 rows 2\n");
}

static void test_fan_out(void)
{
	char text[1024], a[300], b[300];
	slc_pipeline *p = NULL;
	slc_diag d;
	sl_error err;

	snprintf(a, sizeof(a), "%s/fa.txt", dir);
	snprintf(b, sizeof(b), "%s/fb.txt", dir);
	unlink(a);
	unlink(b);
	snprintf(text, sizeof(text),
	         "trigger = \"once\";\n"
	         "stages = (\n"
	         "  { name = \"src\"; plugin = \"tsrc\"; rows = 5; },\n"
	         "  { name = \"agg\"; plugin = \"tagg\"; input = \"src\"; },\n"
	         "  { name = \"a\"; plugin = \"tsink\"; input = \"agg\"; path = \"%s\"; mode = "
	         "\"complete\"; },\n"
	         "  { name = \"b\"; plugin = \"tsink\"; input = \"agg\"; path = \"%s\"; mode = "
	         "\"complete\"; }\n"
	         ");\n",
	         a, b);
	CU_ASSERT_EQUAL_FATAL(open_text(text, &d, &p), SL_OK);
	CU_ASSERT_EQUAL(slc_pipeline_stage(p, "agg")->n_consumers, 2);
	CU_ASSERT_EQUAL(slc_scheduler_run(p, NULL, &err), SL_OK);
	CU_ASSERT_STRING_EQUAL(slurp(a), "batch 0 rows 1\n");
	CU_ASSERT_STRING_EQUAL(slurp(b), "batch 0 rows 1\n");
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

/* SIGINT from another thread while the scheduler waits on a 100ms
 * interval: the batch in progress finishes and run returns at once. */
static void *interrupt_later(void *arg)
{
	(void)arg;
	usleep(250000);
	kill(getpid(), SIGINT);
	return NULL;
}

static void test_signal_stops(void)
{
	char text[1024], out[300];
	slc_pipeline *p = NULL;
	slc_progress *prog;
	pthread_t th;
	int64_t t0;
	sl_error err;
	slc_diag d;
	size_t n;

	snprintf(out, sizeof(out), "%s/sig.txt", dir);
	snprintf(text, sizeof(text),
	         "trigger = \"100ms\";\n"
	         "stages = (\n"
	         "  { name = \"src\"; plugin = \"tsrc\"; rows = 1; batches = 100000; },\n"
	         "  { name = \"out\"; plugin = \"tsink\"; input = \"src\"; path = \"%s\"; }\n"
	         ");\n",
	         out);
	CU_ASSERT_EQUAL_FATAL(open_text(text, &d, &p), SL_OK);
	prog = slc_progress_new(p, false);
	CU_ASSERT_EQUAL_FATAL(slc_signals_install(), SL_OK);
	t0 = slc_now_us();
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, interrupt_later, NULL), 0);
	CU_ASSERT_EQUAL(slc_scheduler_run(p, prog, &err), SL_OK);
	CU_ASSERT_TRUE(slc_stop_requested());
	CU_ASSERT_TRUE(slc_now_us() - t0 < 1000000);
	pthread_join(th, NULL);
	n = slc_progress_count(prog);
	CU_ASSERT_TRUE(n >= 2 && n <= 4);
	slc_signals_restore();
	slc_stop_clear();
	slc_progress_free(prog);
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

/* --- setup --- */

static int suite_init(void)
{
	const char *build = getenv("SLUICE_BUILDDIR");
	char mods[600];

	snprintf(dir, sizeof(dir), "/tmp/sluice-test-config-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(main_path, sizeof(main_path), "%s/p.conf", dir);
	snprintf(mods, sizeof(mods), "%s/inc", dir);
	if (mkdir(mods, 0700) < 0)
		return -1;
	snprintf(mods, sizeof(mods), "%s/tests/modules/.libs", build ? build : ".");
	setenv("SLUICE_PLUGIN_PATH", mods, 1);
	slc_log_set_level(SL_LOG_ERROR);
	return 0;
}

static int suite_clean(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"syntax error", test_syntax_error},
	    {"missing file", test_missing_file},
	    {"unknown top-level key", test_unknown_top_key},
	    {"relative plugin_path", test_relative_plugin_path},
	    {"unknown option", test_unknown_option},
	    {"mistyped value", test_mistyped_value},
	    {"missing required option", test_missing_required},
	    {"stage shape", test_stage_shape},
	    {"unknown input", test_unknown_input},
	    {"duplicate stage", test_duplicate_stage},
	    {"cycle", test_cycle},
	    {"roles", test_roles},
	    {"unknown plugin", test_unknown_plugin},
	    {"create error", test_create_error},
	    {"expand", test_expand},
	    {"expand in file", test_expand_in_file},
	    {"unset variable", test_unset_variable},
	    {"include", test_include},
	    {"trigger parse", test_trigger_parse},
	    {"trigger in file", test_trigger_in_file},
	    {"mode conflict", test_mode_conflict},
	    {"complete without aggregation", test_complete_without_aggregation},
	    {"run", test_run},
	    {"fan out", test_fan_out},
	    {"signal stops", test_signal_stops},
	};
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("config", suite_init, suite_clean);
	for (size_t i = 0; suite && i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
