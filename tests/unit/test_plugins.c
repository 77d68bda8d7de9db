/* test_plugins.c - harness tests of the bundled plugins (CUnit): each plugin
 * is loaded from $SLUICE_PLUGIN_PATH and driven through the public ABI. */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../harness/harness.h"


static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Creates a transform/sink stage of `plugin` over input schema `ddl`. */
static slh *stage(const char *plugin, const char *ddl, sl_output_mode mode, const char *const *opts)
{
	slh *h = slh_new(plugin);
	sl_schema *s = ddl ? slh_schema_parse(ddl) : NULL;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	/* opts: name, value pairs; a name ending in [] is a list item. */
	for (size_t i = 0; opts && opts[i]; i += 2) {
		size_t n = strlen(opts[i]);
		if (n > 2 && strcmp(opts[i] + n - 2, "[]") == 0) {
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(n - 2), opts[i]);
			CU_ASSERT_EQUAL(slh_add(h, name, opts[i + 1]), SL_OK);
		} else {
			CU_ASSERT_EQUAL(slh_set(h, opts[i], opts[i + 1]), SL_OK);
		}
	}
	rc = slh_create(h, s, mode);
	if (rc < 0)
		fprintf(stderr, "create %s: %s\n", plugin, slh_error(h)->msg);
	CU_ASSERT_EQUAL(rc, SL_OK);
	sl_type_unref(s);
	return h;
}

/* Runs one micro-batch of one input batch; returns the captured text. */
static const char *run1(slh *h, int64_t batch_id, const char *ddl, const char *rows)
{
	sl_batch *b = rows ? slh_batch(ddl, rows) : NULL;
	int rc;

	if (rows)
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	slh_clear(h);
	rc = slh_run(h, batch_id, b ? &b : NULL, b ? 1 : 0);
	if (rc < 0)
		fprintf(stderr, "run: %s\n", slh_error(h)->msg);
	CU_ASSERT_EQUAL(rc, SL_OK);
	sl_batch_unref(b);
	return slh_out_text(h);
}

static void check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want:\n%s--- got:\n%s---\n", want, got);
}

/* ---- rate ---- */

static void test_rate_fast(void)
{
	static const char *const opts[] = {"rows_per_second",
	                                   "0",
	                                   "rows_per_batch",
	                                   "5",
	                                   "total",
	                                   "12",
	                                   "start_value",
	                                   "10",
	                                   NULL};
	slh *h = stage("rate", NULL, SL_MODE_APPEND, opts);
	const sl_schema *s = slh_schema(h);
	int64_t start_us;

	CU_ASSERT_EQUAL_FATAL(s->n_fields, 2);
	CU_ASSERT_STRING_EQUAL(s->fields[0].name, "timestamp");
	CU_ASSERT_EQUAL(s->fields[0].type->id, SL_TYPE_TIMESTAMP);
	CU_ASSERT_STRING_EQUAL(s->fields[1].name, "value");
	CU_ASSERT_EQUAL(s->fields[1].type->id, SL_TYPE_INT64);
	CU_ASSERT(slh_plugin(h)->flags & SL_PLUGIN_REPLAYABLE);

	CU_ASSERT_EQUAL(slh_pull(h), SL_OK);
	CU_ASSERT_EQUAL(sl_json_get_int(slh_offset(h), "value", &start_us), SL_OK);
	CU_ASSERT_EQUAL(sl_json_get_int(slh_offset(h), "start_us", &start_us), SL_OK);
	CU_ASSERT_EQUAL_FATAL(slh_n_out(h), 1);
	{
		const sl_batch *b = slh_out(h, 0);
		const int64_t *ts = sl_array_i64(b->columns[0]);
		const int64_t *v = sl_array_i64(b->columns[1]);
		CU_ASSERT_EQUAL(b->n_rows, 5);
		for (int i = 0; i < 5; i++) {
			CU_ASSERT_EQUAL(v[i], 10 + i);
			CU_ASSERT_EQUAL(ts[i], start_us); /* rps 0: the planning time */
		}
		CU_ASSERT_EQUAL(sl_batch_validate(b, NULL), SL_OK);
	}
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_pull(h), SL_OK);
	CU_ASSERT_EQUAL(slh_out_rows(h), 5);
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_pull(h), SL_OK);
	CU_ASSERT_EQUAL_FATAL(slh_out_rows(h), 2);
	CU_ASSERT_EQUAL(sl_array_i64(slh_out(h, 0)->columns[1])[1], 21);
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_pull(h), SL_EOF);
	CU_ASSERT_EQUAL(slh_n_out(h), 0);
	slh_free(h);
}

static void test_rate_timestamps(void)
{
	static const char *const opts[] = {"rows_per_second", "3", "total", "7", NULL};
	slh *h = stage("rate", NULL, SL_MODE_APPEND, opts);
	sl_strbuf end = {0};
	int64_t start_us = 0, rows = 0;
	int rc = SL_AGAIN;

	/* 7 rows at 3/s: due at +0, +1/3 s, ... +2 s. */
	for (int i = 0; i < 60 && rc != SL_EOF; i++) {
		rc = slh_pull(h);
		CU_ASSERT(rc == SL_OK || rc == SL_AGAIN || rc == SL_EOF);
		if (rc == SL_AGAIN)
			sleep_ms(100);
	}
	CU_ASSERT_EQUAL(rc, SL_EOF);
	CU_ASSERT_EQUAL(slh_out_rows(h), 7);
	CU_ASSERT_EQUAL(sl_json_get_int(slh_offset(h), "start_us", &start_us), SL_OK);
	for (size_t b = 0; b < slh_n_out(h); b++) {
		const sl_batch *bt = slh_out(h, b);
		for (int64_t i = 0; i < bt->n_rows; i++, rows++) {
			int64_t v = sl_array_i64(bt->columns[1])[i];
			CU_ASSERT_EQUAL(v, rows);
			CU_ASSERT_EQUAL(sl_array_i64(bt->columns[0])[i],
			                start_us + v * 1000000 / 3);
		}
	}
	/* A replay of a logged range is identical. */
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_read(h, "{\"value\": 2, \"start_us\": 1000000}",
	                         "{\"value\": 5, \"start_us\": 1000000}"),
	                SL_OK);
	check_text(slh_out_text(h), "1970-01-01 00:00:01.666666, 2\n"
	                            "1970-01-01 00:00:02, 3\n"
	                            "1970-01-01 00:00:02.333333, 4\n");
	sl_strbuf_free(&end);
	slh_free(h);
}

static void test_rate_chunks(void)
{
	static const char *const opts[] = {"rows_per_second", "0", "rows_per_batch", "200000",
	                                   NULL};
	slh *h = stage("rate", NULL, SL_MODE_APPEND, opts);

	CU_ASSERT_EQUAL(slh_pull(h), SL_OK);
	CU_ASSERT_EQUAL(slh_n_out(h), 4);
	CU_ASSERT_EQUAL(slh_out_rows(h), 200000);
	CU_ASSERT_EQUAL(slh_out(h, 0)->n_rows, 65536);
	CU_ASSERT_EQUAL(sl_array_i64(slh_out(h, 3)->columns[1])[3391], 199999);
	CU_ASSERT_EQUAL(slh_pull(h), SL_OK); /* unbounded */
	slh_free(h);
}

static void test_rate_bad_option(void)
{
	slh *h = slh_new("rate");

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(slh_set(h, "rows_per_second", "-1"), SL_OK);
	CU_ASSERT(slh_create(h, NULL, SL_MODE_APPEND) < 0);
	CU_ASSERT_STRING_EQUAL(slh_error(h)->option, "rows_per_second");
	slh_free(h);
}

/* ---- select ---- */

#define AB "a BIGINT, b STRING"

static void test_select(void)
{
	static const char *const opts[] = {"exprs[]", "b as name", "exprs[]", "a * 2 as d",
	                                   "exprs[]", "*",         NULL};
	slh *h = stage("select", AB, SL_MODE_APPEND, opts);
	const sl_schema *s = slh_schema(h);
	sl_batch *in = slh_batch(AB, "[[1, \"x\"], [null, \"y\"], [3, null]]");

	CU_ASSERT_EQUAL_FATAL(s->n_fields, 4);
	CU_ASSERT_STRING_EQUAL(s->fields[0].name, "name");
	CU_ASSERT_STRING_EQUAL(s->fields[1].name, "d");
	CU_ASSERT_EQUAL(s->fields[1].type->id, SL_TYPE_INT64);
	CU_ASSERT_STRING_EQUAL(s->fields[2].name, "a");
	CU_ASSERT_STRING_EQUAL(s->fields[3].name, "b");
	CU_ASSERT_EQUAL(slh_run(h, 0, &in, 1), SL_OK);
	check_text(slh_out_text(h), "x, 2, 1, x\ny, null, null, y\nnull, 6, 3, null\n");
	CU_ASSERT_EQUAL_FATAL(slh_n_out(h), 1);
	/* Bare columns are shared, not copied. */
	CU_ASSERT_PTR_EQUAL(slh_out(h, 0)->columns[0], in->columns[1]);
	CU_ASSERT_PTR_EQUAL(slh_out(h, 0)->columns[2], in->columns[0]);
	sl_batch_unref(in);
	slh_free(h);
}

static void test_select_errors(void)
{
	slh *h = slh_new("select");
	sl_schema *s = slh_schema_parse(AB);

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_add(h, "exprs", "b");
	slh_add(h, "exprs", "*");
	CU_ASSERT_EQUAL(slh_create(h, s, SL_MODE_APPEND), SL_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "duplicate output column 'b'"));
	slh_free(h);

	h = slh_new("select");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_add(h, "exprs", "nope + 1");
	CU_ASSERT(slh_create(h, s, SL_MODE_APPEND) < 0);
	CU_ASSERT_STRING_EQUAL(slh_error(h)->option, "exprs");
	slh_free(h);
	sl_type_unref(s);
}

/* ---- filter ---- */

static void test_filter(void)
{
	static const char *const opts[] = {"condition", "a > 1", NULL};
	slh *h = stage("filter", AB, SL_MODE_APPEND, opts);
	sl_batch *all = slh_batch(AB, "[[2, \"x\"], [3, \"y\"]]");

	check_text(run1(h, 0, AB, "[[1, \"x\"], [null, \"y\"], [3, null], [5, \"z\"]]"),
	           "3, null\n5, z\n");
	CU_ASSERT_EQUAL(slh_metric(h, "rowsFiltered"), 2);
	check_text(run1(h, 1, AB, "[[0, \"x\"], [1, \"y\"]]"), "");
	CU_ASSERT_EQUAL(slh_n_out(h), 0);
	CU_ASSERT_EQUAL(slh_metric(h, "rowsFiltered"), 4);

	/* Every row passes: the input batch itself goes on. */
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_run(h, 2, &all, 1), SL_OK);
	CU_ASSERT_EQUAL_FATAL(slh_n_out(h), 1);
	CU_ASSERT_PTR_EQUAL(slh_out(h, 0), all);
	CU_ASSERT_EQUAL(slh_metric(h, "rowsFiltered"), 4);
	sl_batch_unref(all);
	slh_free(h);
}

static void test_filter_not_boolean(void)
{
	slh *h = slh_new("filter");
	sl_schema *s = slh_schema_parse(AB);

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_set(h, "condition", "a + 1");
	CU_ASSERT_EQUAL(slh_create(h, s, SL_MODE_APPEND), SL_ETYPE);
	CU_ASSERT_STRING_EQUAL(slh_error(h)->option, "condition");
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "BOOLEAN"));
	slh_free(h);
	sl_type_unref(s);
}

/* ---- explode ---- */

#define IW "id BIGINT, words ARRAY<STRING>"
#define IW_ROWS "[[1, [\"a\", \"b\"]], [2, null], [3, []], [4, [\"c\", null]]]"

static void test_explode(void)
{
	static const char *const opts[] = {"exprs[]", "id", "exprs[]", "explode(words) as word",
	                                   NULL};
	slh *h = stage("explode", IW, SL_MODE_APPEND, opts);
	const sl_schema *s = slh_schema(h);

	CU_ASSERT_EQUAL_FATAL(s->n_fields, 2);
	CU_ASSERT_STRING_EQUAL(s->fields[1].name, "word");
	CU_ASSERT_EQUAL(s->fields[1].type->id, SL_TYPE_STRING);
	check_text(run1(h, 0, IW, IW_ROWS), "1, a\n1, b\n4, c\n4, null\n");
	/* One element per row, contiguous: the columns are passed through. */
	check_text(run1(h, 1, IW, "[[7, [\"p\"]], [8, [\"q\"]]]"), "7, p\n8, q\n");
	/* As many rows out as in, but not one per row. */
	check_text(run1(h, 2, IW, "[[1, [\"a\", \"b\"]], [2, []], [3, [\"c\"]]]"),
	           "1, a\n1, b\n3, c\n");
	slh_free(h);
}

static void test_explode_outer(void)
{
	static const char *const opts[] = {"exprs[]", "explode_outer(words)", "exprs[]",
	                                   "id + 100 as k", NULL};
	slh *h = stage("explode", IW, SL_MODE_APPEND, opts);

	CU_ASSERT_STRING_EQUAL(slh_schema(h)->fields[0].name, "col");
	check_text(run1(h, 0, IW, IW_ROWS),
	           "a, 101\nb, 101\nnull, 102\nnull, 103\nc, 104\nnull, 104\n");
	check_text(run1(h, 1, IW, "[[1, null]]"), "null, 101\n");
	slh_free(h);
}

static void test_posexplode(void)
{
	static const char *const opts[] = {"exprs[]", "*", "exprs[]", "posexplode(words)", NULL};
	slh *h = stage("explode", IW, SL_MODE_APPEND, opts);
	const sl_schema *s = slh_schema(h);

	CU_ASSERT_EQUAL_FATAL(s->n_fields, 4);
	CU_ASSERT_STRING_EQUAL(s->fields[2].name, "pos");
	CU_ASSERT_EQUAL(s->fields[2].type->id, SL_TYPE_INT64);
	CU_ASSERT_STRING_EQUAL(s->fields[3].name, "col");
	check_text(run1(h, 0, IW, IW_ROWS),
	           "1, [a, b], 0, a\n1, [a, b], 1, b\n4, [c, null], 0, c\n4, [c, null], 1, null\n");
	slh_free(h);
}

static void test_explode_split(void)
{
	static const char *const opts[] = {"exprs[]", "explode(split(value, ' ')) as word", NULL};
	slh *h = stage("explode", "value STRING", SL_MODE_APPEND, opts);

	check_text(run1(h, 0, "value STRING", "[[\"the cat\"], [\"sat\"]]"), "the\ncat\nsat\n");
	slh_free(h);
}

static void test_explode_errors(void)
{
	sl_schema *s = slh_schema_parse(IW);
	slh *h = slh_new("explode");

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_add(h, "exprs", "id");
	CU_ASSERT(slh_create(h, s, SL_MODE_APPEND) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "exactly one generator"));
	slh_free(h);
	sl_type_unref(s);
}

/* ---- aggregate ---- */

#define WORD "word STRING"

static void test_aggregate_complete_update(void)
{
	static const char *const opts[] = {"group_by[]", "word", "aggregates[]",
	                                   "count(*) as count", NULL};
	slh *c = stage("aggregate", WORD, SL_MODE_COMPLETE, opts);
	slh *u = stage("aggregate", WORD, SL_MODE_UPDATE, opts);
	const char *b0 = "[[\"a\"], [\"b\"], [\"a\"], [null]]";
	const char *b1 = "[[\"c\"], [\"a\"], [null]]";

	CU_ASSERT(slh_plugin(c)->flags & SL_PLUGIN_STATEFUL);
	CU_ASSERT_STRING_EQUAL(slh_schema(c)->fields[1].name, "count");
	check_text(run1(c, 0, WORD, b0), "a, 2\nb, 1\nnull, 1\n");
	check_text(run1(c, 1, WORD, b1), "a, 3\nb, 1\nnull, 2\nc, 1\n");
	check_text(run1(c, 2, WORD, NULL), "a, 3\nb, 1\nnull, 2\nc, 1\n");
	check_text(run1(u, 0, WORD, b0), "a, 2\nb, 1\nnull, 1\n");
	check_text(run1(u, 1, WORD, b1), "a, 3\nnull, 2\nc, 1\n");
	check_text(run1(u, 2, WORD, NULL), "");
	slh_free(c);
	slh_free(u);
}

#define KV "k BIGINT, s STRING, x BIGINT, d DOUBLE"

static void test_aggregate_functions(void)
{
	static const char *const opts[] = {"group_by[]",
	                                   "k",
	                                   "aggregates[]",
	                                   "count(x) as n",
	                                   "aggregates[]",
	                                   "sum(x) as sx",
	                                   "aggregates[]",
	                                   "sum(d) as sd",
	                                   "aggregates[]",
	                                   "min(s) as mins",
	                                   "aggregates[]",
	                                   "max(s) as maxs",
	                                   "aggregates[]",
	                                   "min(d) as mind",
	                                   "aggregates[]",
	                                   "max(x) as maxx",
	                                   "aggregates[]",
	                                   "avg(x) as ax",
	                                   NULL};
	slh *h = stage("aggregate", KV, SL_MODE_COMPLETE, opts);

	check_text(run1(h, 0, KV,
	                "[[1, \"pear\", 5, 1.5], [2, \"fig\", null, null], [1, \"apple\", 7, "
	                "-0.5], [null, \"kiwi\", 1, 2.0], [1, null, null, 3.0]]"),
	           "1, 2, 12, 4.0, apple, pear, -0.5, 7, 6.0\n"
	           "2, 0, null, null, fig, fig, null, null, null\n"
	           "null, 1, 1, 2.0, kiwi, kiwi, 2.0, 1, 1.0\n");
	check_text(run1(h, 1, KV, "[[2, \"zebra\", 4, 0.25], [1, \"aardvark\", -1, 0.0]]"),
	           "1, 3, 11, 4.0, aardvark, pear, -0.5, 7, 3.6666666666666665\n"
	           "2, 1, 4, 0.25, fig, zebra, 0.25, 4, 4.0\n"
	           "null, 1, 1, 2.0, kiwi, kiwi, 2.0, 1, 1.0\n");

	/* The stage's column types agree with the expression engine's. */
	{
		sl_schema *in = slh_schema_parse(KV);
		const sl_schema *out = slh_schema(h);
		for (size_t i = 1; i < out->n_fields; i++) {
			sl_expr *e = NULL;
			sl_error err = {0};
			CU_ASSERT_EQUAL_FATAL(
			    sl_expr_compile(opts[2 * i + 1], in, SL_EXPR_ALLOW_AGGREGATE, &e, &err),
			    SL_OK);
			CU_ASSERT(sl_type_equal(sl_expr_type(e), out->fields[i].type));
			CU_ASSERT_STRING_EQUAL(sl_expr_name(e), out->fields[i].name);
			sl_expr_free(e);
		}
		sl_type_unref(in);
	}
	slh_free(h);
}

static void test_aggregate_global(void)
{
	static const char *const opts[] = {"aggregates[]", "count(*)", "aggregates[]",
	                                   "sum(x) as total", NULL};
	slh *h = stage("aggregate", KV, SL_MODE_COMPLETE, opts);

	check_text(run1(h, 0, KV, NULL), "0, null\n");
	check_text(run1(h, 1, KV, "[[1, \"a\", 5, 1.0], [2, \"b\", 6, 2.0]]"), "2, 11\n");
	slh_free(h);
}

static void test_aggregate_many_keys(void)
{
	static const char *const opts[] = {"group_by[]",
	                                   "value % 10000 as k",
	                                   "aggregates[]",
	                                   "count(*) as n",
	                                   "aggregates[]",
	                                   "sum(value) as s",
	                                   NULL};
	slh *r =
	    stage("rate", NULL, SL_MODE_APPEND,
	          (const char *const[]){"rows_per_second", "0", "rows_per_batch", "100000", NULL});
	slh *h = stage("aggregate", "timestamp TIMESTAMP, value BIGINT", SL_MODE_UPDATE, opts);
	int64_t groups = 0;

	CU_ASSERT_EQUAL(slh_pull(r), SL_OK);
	CU_ASSERT_EQUAL(slh_begin(h, 0), SL_OK);
	for (size_t i = 0; i < slh_n_out(r); i++)
		CU_ASSERT_EQUAL(slh_push(h, slh_out(r, i)), SL_OK);
	CU_ASSERT_EQUAL(slh_end(h), SL_OK);
	for (size_t i = 0; i < slh_n_out(h); i++) {
		const sl_batch *b = slh_out(h, i);
		for (int64_t j = 0; j < b->n_rows; j++, groups++) {
			int64_t k = sl_array_i64(b->columns[0])[j];
			CU_ASSERT_EQUAL(k, groups); /* first-seen order */
			CU_ASSERT_EQUAL(sl_array_i64(b->columns[1])[j], 10);
			CU_ASSERT_EQUAL(sl_array_i64(b->columns[2])[j], 10 * k + 10000 * 45);
		}
	}
	CU_ASSERT_EQUAL(groups, 10000);
	slh_free(h);
	slh_free(r);
}

static void test_aggregate_key_types(void)
{
	static const char *const opts[] = {"group_by[]", "f", "group_by[]",   "d",
	                                   "group_by[]", "t", "aggregates[]", "count(*) as n",
	                                   NULL};
	const char *ddl = "f BOOLEAN, d DOUBLE, t TIMESTAMP";
	slh *h = stage("aggregate", ddl, SL_MODE_COMPLETE, opts);

	/* -0.0 groups with 0.0; NULL is a key like any other. */
	check_text(run1(h, 0, ddl,
	                "[[true, 0.0, 0], [true, -0.0, 0], [null, 1.5, 1000000],"
	                " [false, 1.5, 1000000], [null, 1.5, 1000000], [true, 0.0, null]]"),
	           "true, 0.0, 1970-01-01 00:00:00, 2\n"
	           "null, 1.5, 1970-01-01 00:00:01, 2\n"
	           "false, 1.5, 1970-01-01 00:00:01, 1\n"
	           "true, 0.0, null, 1\n");
	slh_free(h);
}

static void test_aggregate_append_refused(void)
{
	slh *h = slh_new("aggregate");
	sl_schema *s = slh_schema_parse(WORD);

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_add(h, "group_by", "word");
	slh_add(h, "aggregates", "count(*)");
	CU_ASSERT_EQUAL(slh_create(h, s, SL_MODE_APPEND), SL_EINVAL);
	CU_ASSERT_STRING_EQUAL(slh_error(h)->msg,
	                       "append output mode is not supported for aggregate without a "
	                       "watermark; use mode = \"complete\" or \"update\" on the sink");
	slh_free(h);

	h = slh_new("aggregate");
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_add(h, "aggregates", "upper(word)");
	CU_ASSERT(slh_create(h, s, SL_MODE_COMPLETE) < 0);
	slh_free(h);
	sl_type_unref(s);
}

/* ---- console ---- */

/* Runs one console batch with stdout captured into a string (malloc'd). */
static char *console_capture(slh *h, int64_t batch_id, const char *ddl, const char *rows)
{
	FILE *tmp = tmpfile();
	int saved;
	off_t len;
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	run1(h, batch_id, ddl, rows);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	len = lseek(fileno(tmp), 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	if (pread(fileno(tmp), text, (size_t)len, 0) != (ssize_t)len)
		text[0] = '\0';
	fclose(tmp);
	return text;
}

#define CONSOLE_DDL "word STRING, count BIGINT, ts TIMESTAMP, d DOUBLE"
#define CONSOLE_ROWS                                                                               \
	"[[\"hello\", 1, 1549361100000000, 1896.0], [null, 22, 1549361100348000, 0.1], "           \
	"[\"a string longer than twenty chars\", null, null, 1e10]]"

static void test_console(void)
{
	slh *h = stage("console", CONSOLE_DDL, SL_MODE_APPEND, NULL);
	char *out = console_capture(h, 7, CONSOLE_DDL, CONSOLE_ROWS);

	check_text(out, "-------------------------------------------\n"
	                "Batch: 7\n"
	                "-------------------------------------------\n"
	                "+--------------------+-----+--------------------+------+\n"
	                "|                word|count|                  ts|     d|\n"
	                "+--------------------+-----+--------------------+------+\n"
	                "|               hello|    1| 2019-02-05 10:05:00|1896.0|\n"
	                "|                null|   22|2019-02-05 10:05:...|   0.1|\n"
	                "|a string longer t...| null|                null|1.0E10|\n"
	                "+--------------------+-----+--------------------+------+\n"
	                "\n");
	free(out);
	/* An empty micro-batch prints the header only. */
	out = console_capture(h, 8, CONSOLE_DDL, NULL);
	check_text(out, "-------------------------------------------\n"
	                "Batch: 8\n"
	                "-------------------------------------------\n"
	                "+----+-----+---+---+\n"
	                "|word|count| ts|  d|\n"
	                "+----+-----+---+---+\n"
	                "+----+-----+---+---+\n"
	                "\n");
	free(out);
	slh_free(h);
}

static void test_console_options(void)
{
	static const char *const opts[] = {"num_rows", "2", "truncate", "false", NULL};
	slh *h = stage("console", CONSOLE_DDL, SL_MODE_APPEND, opts);
	char *out = console_capture(h, 0, CONSOLE_DDL, CONSOLE_ROWS);

	check_text(out, "-------------------------------------------\n"
	                "Batch: 0\n"
	                "-------------------------------------------\n"
	                "+-----+-----+-----------------------+------+\n"
	                "|word |count|ts                     |d     |\n"
	                "+-----+-----+-----------------------+------+\n"
	                "|hello|1    |2019-02-05 10:05:00    |1896.0|\n"
	                "|null |22   |2019-02-05 10:05:00.348|0.1   |\n"
	                "+-----+-----+-----------------------+------+\n"
	                "only showing top 2 rows\n"
	                "\n");
	free(out);
	slh_free(h);
}

static void test_console_nested(void)
{
	const char *ddl = "id BIGINT, s STRUCT<a: BIGINT, b: STRING>, l ARRAY<DOUBLE>, f BOOLEAN";
	slh *h = stage("console", ddl, SL_MODE_APPEND, NULL);
	char *out = console_capture(h, 1, ddl,
	                            "[[1, [2, \"x\"], [1.5, null], true], [2, null, [], false],"
	                            " [3, {\"a\": null, \"b\": \"y\"}, null, null]]");

	check_text(out, "-------------------------------------------\n"
	                "Batch: 1\n"
	                "-------------------------------------------\n"
	                "+---+---------+-----------+-----+\n"
	                "| id|        s|          l|    f|\n"
	                "+---+---------+-----------+-----+\n"
	                "|  1|   {2, x}|[1.5, null]| true|\n"
	                "|  2|     null|         []|false|\n"
	                "|  3|{null, y}|       null| null|\n"
	                "+---+---------+-----------+-----+\n"
	                "\n");
	free(out);
	slh_free(h);
}

/* The file source and sink: test_file_plugins.c. */

/* ---- socket ---- */

typedef struct server {
	int lfd;
	int port;
	const char *payload;
	size_t len;
	size_t chunk; /* bytes per send; small ones with pauses split lines */
	pthread_t thread;
} server;

static void *serve(void *arg)
{
	server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd >= 0) {
		size_t off = 0;
		while (off < s->len) {
			size_t n = s->len - off > s->chunk ? s->chunk : s->len - off;
			ssize_t w = send(fd, s->payload + off, n, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
			if (s->chunk < 16 && off % 7 == 0)
				sleep_ms(1);
		}
		close(fd);
	}
	return NULL;
}

static int server_start(server *s, const char *payload, size_t len)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(s->lfd, 1) < 0 || getsockname(s->lfd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	s->port = ntohs(a.sin_port);
	s->payload = payload;
	s->len = len;
	s->chunk = len > 4096 ? 65536 : 3;
	return pthread_create(&s->thread, NULL, serve, s) == 0 ? 0 : -1;
}

static slh *socket_stage(int port, const char *max_line)
{
	char p[16];
	const char *opts[] = {"host", "127.0.0.1", "port", p, "max_line", max_line, NULL};

	snprintf(p, sizeof(p), "%d", port);
	return stage("socket", NULL, SL_MODE_APPEND, opts);
}

/* Pulls until EOF (at most ~5 s). */
static int pull_all(slh *h)
{
	int rc = SL_AGAIN;

	for (int i = 0; i < 500 && rc != SL_EOF && rc >= 0; i++) {
		rc = slh_pull(h);
		if (rc == SL_AGAIN)
			sleep_ms(10);
	}
	return rc;
}

static void test_socket(void)
{
	static const char payload[] = "hello\r\nworld\n\nthe end";
	server s;
	slh *h;

	CU_ASSERT_EQUAL_FATAL(server_start(&s, payload, sizeof(payload) - 1), 0);
	h = socket_stage(s.port, "1MB");
	CU_ASSERT_EQUAL_FATAL(slh_schema(h)->n_fields, 1);
	CU_ASSERT_STRING_EQUAL(slh_schema(h)->fields[0].name, "value");
	CU_ASSERT_FALSE(slh_plugin(h)->flags & SL_PLUGIN_REPLAYABLE);
	CU_ASSERT_EQUAL(pull_all(h), SL_EOF);
	check_text(slh_out_text(h), "hello\nworld\n\nthe end\n");
	check_text(slh_offset(h), "{\"line\": 4}");
	slh_free(h);
	pthread_join(s.thread, NULL);
	close(s.lfd);
}

static void test_socket_truncate(void)
{
	static const char payload[] = "abcdefgh\nabcd\r\nxy\nabcde\r\n123456789012";
	server s;
	slh *h;

	CU_ASSERT_EQUAL_FATAL(server_start(&s, payload, sizeof(payload) - 1), 0);
	h = socket_stage(s.port, "4");
	CU_ASSERT_EQUAL(pull_all(h), SL_EOF);
	check_text(slh_out_text(h), "abcd\nabcd\nxy\nabcd\n1234\n");
	CU_ASSERT_EQUAL(slh_metric(h, "linesTruncated"), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_logs(h), "WARN: "));
	slh_free(h);
	pthread_join(s.thread, NULL);
	close(s.lfd);
}

static void test_socket_many_lines(void)
{
	size_t n = 150000, len = 0;
	char *payload = malloc(n * 8);
	server s;
	slh *h;
	int64_t expect = 0;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(payload + len, "%zu\n", i);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, payload, len), 0);
	h = socket_stage(s.port, "1MB");
	CU_ASSERT_EQUAL(pull_all(h), SL_EOF);
	CU_ASSERT_EQUAL(slh_out_rows(h), (int64_t)n);
	for (size_t b = 0; b < slh_n_out(h); b++) {
		const sl_batch *bt = slh_out(h, b);
		CU_ASSERT(bt->n_rows <= 65536);
		for (int64_t i = 0; i < bt->n_rows; i++, expect++) {
			sl_strview v = sl_array_str(bt->columns[0], i);
			char num[32];
			snprintf(num, sizeof(num), "%.*s", (int)v.len, v.ptr);
			ok = ok && strtoll(num, NULL, 10) == expect;
		}
	}
	CU_ASSERT(ok);
	slh_free(h);
	pthread_join(s.thread, NULL);
	close(s.lfd);
	free(payload);
}

/* A buffer far smaller than the input: the reader pauses until commits
 * free room, and every line still arrives once, in order. */
static void test_socket_backpressure(void)
{
	size_t n = 50000, len = 0;
	char *payload = malloc(n * 8), port[16];
	const char *opts[] = {"host", "127.0.0.1", "port", port, "buffer_size", "4k", NULL};
	server s;
	slh *h;
	int64_t expect = 0;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(payload + len, "%zu\n", i);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, payload, len), 0);
	snprintf(port, sizeof(port), "%d", s.port);
	h = stage("socket", NULL, SL_MODE_APPEND, opts);
	CU_ASSERT_EQUAL(pull_all(h), SL_EOF);
	CU_ASSERT_EQUAL(slh_out_rows(h), (int64_t)n);
	for (size_t b = 0; b < slh_n_out(h); b++) {
		const sl_batch *bt = slh_out(h, b);
		for (int64_t i = 0; i < bt->n_rows; i++, expect++) {
			sl_strview v = sl_array_str(bt->columns[0], i);
			char num[32];
			snprintf(num, sizeof(num), "%.*s", (int)v.len, v.ptr);
			ok = ok && strtoll(num, NULL, 10) == expect;
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(slh_n_out(h) > 10); /* it came in many small batches */
	slh_free(h);
	pthread_join(s.thread, NULL);
	close(s.lfd);
	free(payload);
}

static void test_socket_refused(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	char p[16], want[64];
	slh *h = slh_new("socket");

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	/* A port nobody listens on: bound, then closed. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	close(fd);
	snprintf(p, sizeof(p), "%d", port);
	slh_set(h, "host", "127.0.0.1");
	slh_set(h, "port", p);
	CU_ASSERT(slh_create(h, NULL, SL_MODE_APPEND) < 0);
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%d: ", port);
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(slh_error(h)->msg, "refused"));
	slh_free(h);
}

/* ---- discard ---- */

static void test_discard(void)
{
	slh *h = stage("discard", AB, SL_MODE_APPEND, NULL);

	check_text(run1(h, 0, AB, "[[1, \"a\"], [2, \"b\"]]"), "");
	run1(h, 1, AB, "[[3, \"c\"]]");
	CU_ASSERT_EQUAL(slh_metric(h, "rowsDiscarded"), 3);
	slh_free(h);
}

int main(void)
{
	static const struct {
		const char *suite, *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"rate", "values, planning time, EOF at total", test_rate_fast},
	    {"rate", "timestamps at a rate, replay", test_rate_timestamps},
	    {"rate", "chunks of 65536 rows", test_rate_chunks},
	    {"rate", "bad option", test_rate_bad_option},
	    {"select", "exprs, star, shared columns", test_select},
	    {"select", "errors", test_select_errors},
	    {"filter", "rows, metric, pass-through", test_filter},
	    {"filter", "non-boolean condition", test_filter_not_boolean},
	    {"explode", "explode", test_explode},
	    {"explode", "explode_outer", test_explode_outer},
	    {"explode", "posexplode with *", test_posexplode},
	    {"explode", "explode(split(...))", test_explode_split},
	    {"explode", "errors", test_explode_errors},
	    {"aggregate", "complete and update", test_aggregate_complete_update},
	    {"aggregate", "count, sum, min, max, avg", test_aggregate_functions},
	    {"aggregate", "global aggregate", test_aggregate_global},
	    {"aggregate", "10000 keys", test_aggregate_many_keys},
	    {"aggregate", "boolean, double, timestamp keys", test_aggregate_key_types},
	    {"aggregate", "append refused", test_aggregate_append_refused},
	    {"console", "Spark's table", test_console},
	    {"console", "num_rows, truncate off", test_console_options},
	    {"console", "nested values", test_console_nested},
	    {"socket", "lines", test_socket},
	    {"socket", "max_line", test_socket_truncate},
	    {"socket", "many lines", test_socket_many_lines},
	    {"socket", "backpressure", test_socket_backpressure},
	    {"socket", "connection refused", test_socket_refused},
	    {"discard", "counts", test_discard},
	};
	CU_pSuite suite = NULL;
	const char *last = "";
	const char *only = getenv("SLH_SUITES"); /* e.g. "rate,console" */
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (only != NULL && *only != '\0' && !strstr(only, tests[i].suite))
			continue;
		if (strcmp(tests[i].suite, last) != 0) {
			suite = CU_add_suite(tests[i].suite, NULL, NULL);
			last = tests[i].suite;
		}
		CU_add_test(suite, tests[i].name, tests[i].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
