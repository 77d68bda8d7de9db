/* test_window.c - the window plugin through the harness (CUnit): the seed's
 * three examples, output modes, late records (dropped and counted, or sent
 * to the side output), session merging, every aggregate, running totals,
 * restarts from the state store, and option errors.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/harness.h"

#define MIN_US 60000000LL

/* "2019-02-05 10:05:00" (UTC) in microseconds. */
static int64_t ts(const char *s)
{
	struct tm tm = {0};

	sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	       &tm.tm_min, &tm.tm_sec);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000000;
}

#define TRADES "CreatedTime TIMESTAMP, Type STRING, Amount BIGINT"

/* A batch of trades from "HH:MM TYPE AMOUNT" items on 2019-02-05. */
static sl_batch *trades(const char *const *items, size_t n)
{
	sl_strbuf sb = {0};
	sl_batch *b;

	sl_strbuf_puts(&sb, "[");
	for (size_t i = 0; i < n; i++) {
		char when[32], type[8];
		int hh, mm;
		long amount;
		sscanf(items[i], "%d:%d %7s %ld", &hh, &mm, type, &amount);
		snprintf(when, sizeof(when), "2019-02-05 %02d:%02d:00", hh, mm);
		sl_strbuf_printf(&sb, "%s[%lld, \"%s\", %ld]", i ? "," : "", (long long)ts(when),
		                 type, amount);
	}
	sl_strbuf_puts(&sb, "]");
	b = slh_batch(TRADES, sb.buf);
	sl_strbuf_free(&sb);
	return b;
}

/* The seed's 08/10 stage: 15-minute tumbling windows, TotalBuy/TotalSell,
 * optionally the running totals. */
static slh *trade_stage(sl_output_mode mode, bool running, const char *late)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(TRADES);

	CU_ASSERT_FATAL(h != NULL);
	slh_set(h, "time_column", "CreatedTime");
	slh_set(h, "size", "15 minutes");
	slh_add(h, "aggregates", "sum(CASE WHEN Type = 'BUY' THEN Amount ELSE 0 END) AS TotalBuy");
	slh_add(h, "aggregates",
	        "sum(CASE WHEN Type = 'SELL' THEN Amount ELSE 0 END) AS TotalSell");
	if (running) {
		slh_add(h, "running", "sum(TotalBuy) AS RTotalBuy");
		slh_add(h, "running", "sum(TotalSell) AS RTotalSell");
		slh_add(h, "post", "RTotalBuy - RTotalSell AS NetValue");
	}
	if (late != NULL)
		slh_set(h, "late", late);
	CU_ASSERT_FATAL(slh_create(h, in, mode) == SL_OK);
	sl_type_unref(in);
	return h;
}

static int run1(slh *h, int64_t id, sl_batch *b)
{
	int rc = slh_run(h, id, &b, 1);
	sl_batch_unref(b);
	return rc;
}

static const char *const seed08[] = {"10:05 BUY 500", "10:12 BUY 300",  "10:20 BUY 800",
                                     "10:40 BUY 900", "10:25 SELL 400", "10:48 SELL 600"};

static const char seed08_table[] =
    "2019-02-05 10:00:00, 2019-02-05 10:15:00, 800, 0, 800, 0, 800\n"
    "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 400, 1600, 400, 1200\n"
    "2019-02-05 10:30:00, 2019-02-05 10:45:00, 900, 0, 2500, 400, 2100\n"
    "2019-02-05 10:45:00, 2019-02-05 11:00:00, 0, 600, 2500, 1000, 1500\n";

static void test_seed08_table(void)
{
	slh *h = trade_stage(SL_MODE_UPDATE, true, NULL);
	const sl_schema *s = slh_schema(h);
	static const char *const names[] = {"start",     "end",        "TotalBuy", "TotalSell",
	                                    "RTotalBuy", "RTotalSell", "NetValue"};

	CU_ASSERT_EQUAL_FATAL(s->n_fields, 7);
	for (size_t i = 0; i < 7; i++)
		CU_ASSERT_STRING_EQUAL(s->fields[i].name, names[i]);
	CU_ASSERT_EQUAL(s->fields[0].type->id, SL_TYPE_TIMESTAMP);
	CU_ASSERT_EQUAL(run1(h, 0, trades(seed08, 6)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h), seed08_table);
	CU_ASSERT_EQUAL(slh_metric(h, "stateRowsTotal"), 4);
	slh_free(h);
}

/* One record per micro-batch, update mode: each batch emits the window it
 * changed and the later windows whose running totals moved. */
static void test_seed08_update_per_record(void)
{
	slh *h = trade_stage(SL_MODE_UPDATE, true, NULL);

	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(run1(h, i, trades(&seed08[i], 1)), SL_OK);
	CU_ASSERT_STRING_EQUAL(
	    slh_out_text(h),
	    /* 10:05 */
	    "2019-02-05 10:00:00, 2019-02-05 10:15:00, 500, 0, 500, 0, 500\n"
	    /* 10:12 */ "2019-02-05 10:00:00, 2019-02-05 10:15:00, 800, 0, 800, 0, 800\n"
	    /* 10:20 */ "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 0, 1600, 0, 1600\n"
	    /* 10:40 */ "2019-02-05 10:30:00, 2019-02-05 10:45:00, 900, 0, 2500, 0, 2500\n"
	    /* 10:25 */ "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 400, 1600, 400, 1200\n"
	    "2019-02-05 10:30:00, 2019-02-05 10:45:00, 900, 0, 2500, 400, 2100\n"
	    /* 10:48 */ "2019-02-05 10:45:00, 2019-02-05 11:00:00, 0, 600, 2500, 1000, 1500\n");
	slh_free(h);
}

static void test_seed08_complete(void)
{
	slh *h = trade_stage(SL_MODE_COMPLETE, true, NULL);

	CU_ASSERT_EQUAL(run1(h, 0, trades(seed08, 3)), SL_OK);
	slh_clear(h);
	CU_ASSERT_EQUAL(run1(h, 1, trades(seed08 + 3, 3)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h), seed08_table);
	CU_ASSERT_EQUAL(slh_deadline(h), SL_NO_WATERMARK);
	slh_free(h);
}

/* The seed's 10: watermark 30 minutes, update mode; the second batch's
 * 10:14 SELL is late (its window ended at 10:15 <= 10:48 - 30 min). */
static void test_seed10_late_dropped(void)
{
	static const char *const b0[] = {"10:05 BUY 500", "10:40 BUY 900", "10:20 BUY 800",
	                                 "10:48 SELL 600"};
	static const char *const b1[] = {"10:14 SELL 300", "10:16 SELL 300"};
	slh *h = trade_stage(SL_MODE_UPDATE, false, NULL);

	CU_ASSERT_EQUAL(run1(h, 0, trades(b0, 4)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "2019-02-05 10:00:00, 2019-02-05 10:15:00, 500, 0\n"
	                       "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 0\n"
	                       "2019-02-05 10:30:00, 2019-02-05 10:45:00, 900, 0\n"
	                       "2019-02-05 10:45:00, 2019-02-05 11:00:00, 0, 600\n");
	CU_ASSERT_EQUAL(slh_deadline(h), ts("2019-02-05 10:15:00"));
	slh_clear(h);
	slh_set_watermark(h, ts("2019-02-05 10:18:00"));
	CU_ASSERT_EQUAL(run1(h, 1, trades(b1, 2)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 300\n");
	CU_ASSERT_EQUAL(slh_metric(h, "numRowsDroppedByWatermark"), 1);
	/* 10:00-10:15 was evicted; three windows stay. */
	CU_ASSERT_EQUAL(slh_metric(h, "stateRowsRemoved"), 1);
	CU_ASSERT_EQUAL(slh_deadline(h), ts("2019-02-05 10:30:00"));
	slh_free(h);
}

static void test_late_side_output(void)
{
	static const char *const b0[] = {"10:05 BUY 500", "10:48 SELL 600"};
	static const char *const b1[] = {"10:14 SELL 300", "10:16 SELL 300", "10:01 BUY 1"};
	slh *h = trade_stage(SL_MODE_UPDATE, false, "side");

	CU_ASSERT_EQUAL(slh_side_declared(h), 1);
	CU_ASSERT_PTR_NOT_NULL(slh_side_schema(h, "late"));
	CU_ASSERT_EQUAL(run1(h, 0, trades(b0, 2)), SL_OK);
	slh_set_watermark(h, ts("2019-02-05 10:18:00"));
	CU_ASSERT_EQUAL(run1(h, 1, trades(b1, 3)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_side_text(h, "late"), "2019-02-05 10:14:00, SELL, 300\n"
	                                                 "2019-02-05 10:01:00, BUY, 1\n");
	CU_ASSERT_EQUAL(slh_metric(h, "numRowsDroppedByWatermark"), 0);
	slh_free(h);
}

/* Append mode: a window comes out once, in the batch whose watermark
 * passed its end, then it is gone. */
static void test_append(void)
{
	static const char *const b0[] = {"10:05 BUY 500", "10:20 BUY 800"};
	static const char *const b1[] = {"10:16 SELL 300", "10:50 BUY 5"};
	slh *h = trade_stage(SL_MODE_APPEND, true, NULL);

	CU_ASSERT_EQUAL(run1(h, 0, trades(b0, 2)), SL_OK);
	CU_ASSERT_EQUAL(slh_out_rows(h), 0);
	CU_ASSERT_EQUAL(slh_deadline(h), ts("2019-02-05 10:15:00"));
	slh_set_watermark(h, ts("2019-02-05 10:15:00"));
	CU_ASSERT_EQUAL(run1(h, 1, trades(b1, 2)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "2019-02-05 10:00:00, 2019-02-05 10:15:00, 500, 0, 500, 0, 500\n");
	slh_clear(h);
	/* A batch without data moves the watermark past the rest. */
	slh_set_watermark(h, ts("2019-02-05 11:00:00"));
	CU_ASSERT_EQUAL(slh_run(h, 2, NULL, 0), SL_OK);
	CU_ASSERT_STRING_EQUAL(
	    slh_out_text(h), "2019-02-05 10:15:00, 2019-02-05 10:30:00, 800, 300, 1300, 300, 1000\n"
	                     "2019-02-05 10:45:00, 2019-02-05 11:00:00, 5, 0, 1305, 300, 1005\n");
	CU_ASSERT_EQUAL(slh_deadline(h), SL_NO_WATERMARK);
	slh_clear(h);
	CU_ASSERT_EQUAL(slh_run(h, 3, NULL, 0), SL_OK);
	CU_ASSERT_EQUAL(slh_out_rows(h), 0);
	slh_free(h);
}

#define SENSORS "SensorID STRING, CreatedTime TIMESTAMP, Reading DOUBLE"

static sl_batch *readings(void)
{
	static const char *const t[] = {"09:54", "09:59", "10:04", "10:09",
	                                "10:14", "10:19", "10:24", "10:29"};
	static const double r[] = {36.2, 36.5, 36.8, 36.2, 36.5, 36.3, 37.7, 37.2};
	sl_strbuf sb = {0};
	sl_batch *b;

	sl_strbuf_puts(&sb, "[");
	for (int i = 0; i < 8; i++) {
		char when[32];
		snprintf(when, sizeof(when), "2019-02-05 %s:00", t[i]);
		sl_strbuf_printf(&sb, "%s[\"SET41\", %lld, %.1f]", i ? "," : "",
		                 (long long)ts(when), r[i]);
	}
	sl_strbuf_puts(&sb, "]");
	b = slh_batch(SENSORS, sb.buf);
	sl_strbuf_free(&sb);
	return b;
}

/* The seed's 09: 15-minute windows every 5 minutes, max per sensor. */
static void test_seed09_sliding(void)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(SENSORS);

	slh_set(h, "time_column", "CreatedTime");
	slh_set(h, "kind", "sliding");
	slh_set(h, "size", "15 minutes");
	slh_set(h, "slide", "5 minutes");
	slh_add(h, "group_by", "SensorID");
	slh_add(h, "aggregates", "max(Reading) AS MaxReading");
	CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_UPDATE) == SL_OK);
	CU_ASSERT_EQUAL(run1(h, 0, readings()), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "SET41, 2019-02-05 09:40:00, 2019-02-05 09:55:00, 36.2\n"
	                       "SET41, 2019-02-05 09:45:00, 2019-02-05 10:00:00, 36.5\n"
	                       "SET41, 2019-02-05 09:50:00, 2019-02-05 10:05:00, 36.8\n"
	                       "SET41, 2019-02-05 09:55:00, 2019-02-05 10:10:00, 36.8\n"
	                       "SET41, 2019-02-05 10:00:00, 2019-02-05 10:15:00, 36.8\n"
	                       "SET41, 2019-02-05 10:05:00, 2019-02-05 10:20:00, 36.5\n"
	                       "SET41, 2019-02-05 10:10:00, 2019-02-05 10:25:00, 37.7\n"
	                       "SET41, 2019-02-05 10:15:00, 2019-02-05 10:30:00, 37.7\n"
	                       "SET41, 2019-02-05 10:20:00, 2019-02-05 10:35:00, 37.7\n"
	                       "SET41, 2019-02-05 10:25:00, 2019-02-05 10:40:00, 37.2\n");
	/* Eight panes of five minutes hold the state, not ten windows. */
	CU_ASSERT_EQUAL(slh_metric(h, "stateRowsTotal"), 8);
	sl_type_unref(in);
	slh_free(h);
}

#define EVENTS "user STRING, t TIMESTAMP, v BIGINT, s STRING"

static slh *event_stage(const char *kind, sl_output_mode mode, const char *const *aggs, size_t n)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(EVENTS);

	slh_set(h, "time_column", "t");
	slh_set(h, "kind", kind);
	if (strcmp(kind, "session") == 0)
		slh_set(h, "gap", "10 minutes");
	else
		slh_set(h, "size", "1 hour");
	slh_add(h, "group_by", "user");
	for (size_t i = 0; i < n; i++)
		slh_add(h, "aggregates", aggs[i]);
	CU_ASSERT_FATAL(slh_create(h, in, mode) == SL_OK);
	sl_type_unref(in);
	return h;
}

static sl_batch *events(const char *json_min)
{
	/* Rows as [user, minute, v, s]: minutes after 2019-02-05 10:00. */
	char buf[4096];
	const char *p = json_min + 1; /* inside the outer [ */
	size_t o = 0;
	int64_t base = ts("2019-02-05 10:00:00");

	/* Rewrite the minute field into microseconds. */
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "[");
	while ((p = strchr(p, '[')) != NULL) {
		char user[16], s[16];
		int minute, v;
		if (sscanf(p, "[\"%15[^\"]\", %d, %d, \"%15[^\"]\"]", user, &minute, &v, s) != 4)
			break;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s[\"%s\", %lld, %d, \"%s\"]",
		                      o > 1 ? "," : "", user, (long long)(base + minute * MIN_US),
		                      v, s);
		p++;
	}
	snprintf(buf + o, sizeof(buf) - o, "]");
	return slh_batch(EVENTS, buf);
}

static void test_sessions_merge(void)
{
	static const char *const aggs[] = {"count(*) AS n", "sum(v) AS total"};
	slh *h = event_stage("session", SL_MODE_UPDATE, aggs, 2);

	/* a: 0 and 25 are apart (two sessions); b: one session. */
	CU_ASSERT_EQUAL(run1(h, 0,
	                     events("[[\"a\", 0, 1, \"x\"], [\"a\", 25, 2, \"x\"],"
	                            " [\"b\", 3, 10, \"y\"], [\"b\", 9, 10, \"y\"]]")),
	                SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "a, 2019-02-05 10:00:00, 2019-02-05 10:10:00, 1, 1\n"
	                       "b, 2019-02-05 10:03:00, 2019-02-05 10:19:00, 2, 20\n"
	                       "a, 2019-02-05 10:25:00, 2019-02-05 10:35:00, 1, 2\n");
	CU_ASSERT_EQUAL(slh_metric(h, "stateRowsTotal"), 3);
	slh_clear(h);
	/* a at 12 bridges 0..10 and 25..35 (12+10 = 22 < 25: no; 16 does) */
	CU_ASSERT_EQUAL(run1(h, 1, events("[[\"a\", 8, 4, \"x\"], [\"a\", 17, 8, \"x\"]]")), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "a, 2019-02-05 10:00:00, 2019-02-05 10:35:00, 4, 15\n");
	slh_clear(h);
	/* Three sessions left before the batch; a's two merged: two now. */
	CU_ASSERT_EQUAL(slh_metric(h, "stateRowsTotal"), 3 + 2);
	slh_free(h);
}

/* Sessions in append mode: a session comes out when the watermark passes
 * its end (last record + gap); a record whose own session would already be
 * closed is late; a restart on the store keeps the open sessions. */
static void test_sessions_append_restart(void)
{
	static const char *const aggs[] = {"count(*) AS n", "sum(v) AS total"};
	slh_store *db = slh_store_new();
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(EVENTS);
	int64_t base = ts("2019-02-05 10:00:00");

	slh_set(h, "time_column", "t");
	slh_set(h, "kind", "session");
	slh_set(h, "gap", "10 minutes");
	slh_add(h, "group_by", "user");
	for (size_t i = 0; i < 2; i++)
		slh_add(h, "aggregates", aggs[i]);
	slh_use_store(h, db);
	CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_APPEND) == SL_OK);
	CU_ASSERT_EQUAL(run1(h, 0,
	                     events("[[\"a\", 0, 1, \"x\"], [\"a\", 5, 2, \"x\"],"
	                            " [\"b\", 30, 5, \"y\"]]")),
	                SL_OK);
	slh_store_commit(db);
	CU_ASSERT_EQUAL(slh_out_rows(h), 0);
	CU_ASSERT_EQUAL(slh_deadline(h), base + 15 * MIN_US);
	slh_free(h);

	/* Restart; the watermark 10:20 closes a's session [10:00, 10:15). */
	h = slh_new("window");
	slh_set(h, "time_column", "t");
	slh_set(h, "kind", "session");
	slh_set(h, "gap", "10 minutes");
	slh_add(h, "group_by", "user");
	for (size_t i = 0; i < 2; i++)
		slh_add(h, "aggregates", aggs[i]);
	slh_use_store(h, db);
	CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_APPEND) == SL_OK);
	slh_set_watermark(h, base + 20 * MIN_US);
	/* a at 9 is late (9 + 10 <= 20); b at 35 extends b's session. */
	CU_ASSERT_EQUAL(run1(h, 1, events("[[\"a\", 9, 100, \"x\"], [\"b\", 35, 1, \"y\"]]")),
	                SL_OK);
	slh_store_commit(db);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "a, 2019-02-05 10:00:00, 2019-02-05 10:15:00, 2, 3\n");
	CU_ASSERT_EQUAL(slh_metric(h, "numRowsDroppedByWatermark"), 1);
	slh_clear(h);
	slh_set_watermark(h, base + 45 * MIN_US);
	CU_ASSERT_EQUAL(slh_run(h, 2, NULL, 0), SL_OK);
	slh_store_commit(db);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "b, 2019-02-05 10:30:00, 2019-02-05 10:45:00, 2, 6\n");
	CU_ASSERT_EQUAL(slh_store_count(db, "C"), 0);
	CU_ASSERT_EQUAL(slh_deadline(h), SL_NO_WATERMARK);
	sl_type_unref(in);
	slh_free(h);
	slh_store_free(db);
}

static void test_all_aggregates(void)
{
	static const char *const aggs[] = {
	    "count(*) AS n",  "count(s) AS ns",          "sum(v) AS sv",
	    "avg(v) AS av",   "min(s) AS mins",          "max(s) AS maxs",
	    "first(s) AS fs", "last(s) AS ls",           "first(v) AS fv",
	    "last(v) AS lv",  "count(DISTINCT s) AS ds", "count_distinct(v) AS dv",
	    "min(v) AS minv", "max(v) AS maxv"};
	slh *h = event_stage("tumbling", SL_MODE_COMPLETE, aggs, 14);

	CU_ASSERT_EQUAL(run1(h, 0,
	                     events("[[\"a\", 5, 3, \"pear\"], [\"a\", 1, 7, \"apple\"],"
	                            " [\"a\", 2, 3, \"fig\"]]")),
	                SL_OK);
	slh_clear(h);
	CU_ASSERT_EQUAL(run1(h, 1, events("[[\"a\", 50, 1, \"apple\"], [\"a\", 70, 9, \"kiwi\"]]")),
	                SL_OK);
	CU_ASSERT_STRING_EQUAL(
	    slh_out_text(h),
	    "a, 2019-02-05 10:00:00, 2019-02-05 11:00:00, 4, 4, 14, 3.5, apple, pear, pear, "
	    "apple, 3, 1, 3, 3, 1, 7\n"
	    "a, 2019-02-05 11:00:00, 2019-02-05 12:00:00, 1, 1, 9, 9.0, kiwi, kiwi, kiwi, kiwi, "
	    "9, 9, 1, 1, 9, 9\n");
	slh_free(h);
}

static void test_window_struct(void)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(TRADES);
	const sl_schema *s;

	slh_set(h, "time_column", "CreatedTime");
	slh_set(h, "size", "15 minutes");
	slh_set(h, "window_struct", "true");
	slh_add(h, "aggregates", "count(*) AS n");
	CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_COMPLETE) == SL_OK);
	s = slh_schema(h);
	CU_ASSERT_STRING_EQUAL(s->fields[0].name, "window");
	CU_ASSERT_EQUAL(s->fields[0].type->id, SL_TYPE_STRUCT);
	CU_ASSERT_EQUAL(run1(h, 0, trades(seed08, 2)), SL_OK);
	CU_ASSERT_STRING_EQUAL(slh_out_text(h),
	                       "{2019-02-05 10:00:00, 2019-02-05 10:15:00}, 2019-02-05 10:00:00, "
	                       "2019-02-05 10:15:00, 2\n");
	sl_type_unref(in);
	slh_free(h);
}

/* A restart on the same store continues exactly where the stage stopped:
 * windows, running totals and the closed watermark come back. */
static void test_restart(void)
{
	static const char *const b0[] = {"10:05 BUY 500", "10:20 BUY 800", "10:25 SELL 400"};
	static const char *const b1[] = {"10:40 BUY 900", "10:48 SELL 600", "10:12 BUY 300"};
	slh_store *db = slh_store_new();
	slh *ref = trade_stage(SL_MODE_UPDATE, true, NULL);
	sl_schema *in = slh_schema_parse(TRADES);

	for (int round = 0; round < 2; round++) {
		slh *h = slh_new("window");
		slh_set(h, "time_column", "CreatedTime");
		slh_set(h, "size", "15 minutes");
		slh_add(h, "aggregates",
		        "sum(CASE WHEN Type = 'BUY' THEN Amount ELSE 0 END) AS TotalBuy");
		slh_add(h, "aggregates",
		        "sum(CASE WHEN Type = 'SELL' THEN Amount ELSE 0 END) AS TotalSell");
		slh_add(h, "running", "sum(TotalBuy) AS RTotalBuy");
		slh_add(h, "running", "sum(TotalSell) AS RTotalSell");
		slh_add(h, "post", "RTotalBuy - RTotalSell AS NetValue");
		slh_use_store(h, db);
		CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_UPDATE) == SL_OK);
		if (round == 1) {
			/* The watermark closes 10:00-10:15 (folded into the running
			 * base, then evicted) before the restart's batch. */
			slh_set_watermark(h, ts("2019-02-05 10:16:00"));
			slh_set_watermark(ref, ts("2019-02-05 10:16:00"));
		}
		CU_ASSERT_EQUAL(run1(h, round, trades(round ? b1 : b0, 3)), SL_OK);
		CU_ASSERT_EQUAL(run1(ref, round, trades(round ? b1 : b0, 3)), SL_OK);
		slh_store_commit(db);
		CU_ASSERT_STRING_EQUAL(slh_out_text(h), slh_out_text(ref));
		slh_clear(ref);
		slh_free(h);
	}
	/* 10:12 was late; 10:00-10:15 evicted; three windows in the store. */
	CU_ASSERT_EQUAL(slh_store_count(db, "C"), 3);
	slh_free(ref);
	sl_type_unref(in);
	slh_store_free(db);
}

static void expect_create_error(const char *const *opts, const char *want)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse(TRADES);

	for (size_t i = 0; opts[i] != NULL; i += 2) {
		if (strcmp(opts[i], "aggregates") == 0)
			slh_add(h, opts[i], opts[i + 1]);
		else
			slh_set(h, opts[i], opts[i + 1]);
	}
	CU_ASSERT(slh_create(h, in, SL_MODE_UPDATE) < 0);
	if (strstr(slh_error(h)->msg, want) == NULL) {
		fprintf(stderr, "\nexpected '%s' in '%s'\n", want, slh_error(h)->msg);
		CU_FAIL("wrong error");
	}
	sl_type_unref(in);
	slh_free(h);
}

static void test_errors(void)
{
	static const char *const a[] = {"time_column", "Type",          "size", "1 hour",
	                                "aggregates",  "count(*) AS n", NULL};
	static const char *const b[] = {"time_column", "CreatedTime",   "kind",  "sliding",
	                                "size",        "5 minutes",     "slide", "10 minutes",
	                                "aggregates",  "count(*) AS n", NULL};
	static const char *const c[] = {"time_column", "CreatedTime", "size", "1 hour",
	                                "aggregates",  "sum(Amount)", NULL};
	static const char *const d[] = {"time_column", "CreatedTime",   "kind", "session",
	                                "aggregates",  "count(*) AS n", NULL};
	static const char *const e[] = {"time_column", "CreatedTime",      "size", "1 hour",
	                                "aggregates",  "upper(Type) AS u", NULL};

	expect_create_error(a, "must be a TIMESTAMP");
	expect_create_error(b, "slide must not be longer than size");
	expect_create_error(c, "needs a name");
	expect_create_error(d, "needs gap");
	expect_create_error(e, "is not an aggregate");
}

/* ---- keys forgotten with their windows ---- */

#define USERS 6000
#define SEC_US 1000000LL

/* Batch b: USERS new users, u = b * USERS + i, at times in [10b, 10b + 10)
 * seconds; plus the users of extra[] (times the same). */
static sl_batch *users(int b, const int64_t *extra, size_t n_extra)
{
	sl_strbuf sb = {0};
	sl_batch *batch;

	sl_strbuf_puts(&sb, "[");
	for (int i = 0; i < USERS + (int)n_extra; i++) {
		int64_t u = i < USERS ? (int64_t)b * USERS + i : extra[i - USERS];
		int64_t t = (int64_t)b * 10 * SEC_US + (int64_t)(i % 10000) * 1000;
		sl_strbuf_printf(&sb, "%s[%lld, %lld]", i ? "," : "", (long long)u, (long long)t);
	}
	sl_strbuf_puts(&sb, "]");
	batch = slh_batch("u BIGINT, t TIMESTAMP", sb.buf);
	sl_strbuf_free(&sb);
	return batch;
}

static slh *user_stage(slh_store *db)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse("u BIGINT, t TIMESTAMP");

	CU_ASSERT_FATAL(h != NULL && in != NULL);
	slh_set(h, "time_column", "t");
	slh_set(h, "size", "10 seconds");
	slh_add(h, "group_by", "u");
	slh_add(h, "aggregates", "count(*) AS n");
	if (db != NULL)
		slh_use_store(h, db);
	CU_ASSERT_FATAL(slh_create(h, in, SL_MODE_APPEND) == SL_OK);
	sl_type_unref(in);
	return h;
}

/* Ten batches of users never seen again, the watermark closing each
 * batch's window in the next (append mode): the memory the stage reports
 * stays flat once the key table is compacted, a user coming back after its
 * key was forgotten is counted and ordered as new - the same whether the
 * stage ran through or restarted from the store on the way. */
static void test_keys_forgotten(void)
{
	static const int64_t back[] = {5};
	char *last[2] = {NULL, NULL};

	for (int restart = 0; restart < 2; restart++) {
		slh_store *db = restart ? slh_store_new() : NULL;
		slh *h = user_stage(db);
		int64_t mem[10], prev = 0;

		for (int b = 0; b < 10; b++) {
			sl_batch *in = users(b, back, b == 6 ? 1 : 0);
			int64_t want = b == 0 ? 0 : USERS + (b == 7);

			slh_set_watermark(h, b == 0 ? SL_NO_WATERMARK : (int64_t)b * 10 * SEC_US);
			CU_ASSERT_EQUAL_FATAL(slh_run(h, b, &in, 1), SL_OK);
			sl_batch_unref(in);
			CU_ASSERT_EQUAL(slh_out_rows(h), want);
			mem[b] = slh_metric(h, "stateMemoryUsedBytes") - prev;
			prev += mem[b];
			if (b == 7) {
				/* u = 5 came back in batch 6: one window of one row,
				 * the last of the batch (first seen last). */
				const char *text = slh_out_text(h);
				const char *tail = text + strlen(text);
				while (tail > text && tail[-1] == '\n')
					tail--;
				while (tail > text && tail[-1] != '\n')
					tail--;
				CU_ASSERT_STRING_EQUAL(tail, "5, 1970-01-01 00:01:00, 1970-01-01 00:01:10, 1\n");
				last[restart] = strdup(text);
			}
			slh_clear(h);
			if (db != NULL) {
				slh_store_commit(db);
				slh_free(h);
				h = user_stage(db);
			}
		}
		/* (a restarted stage's counters start again) */
		for (int b = 4; b < 10 && !restart; b++)
			CU_ASSERT(mem[b] <= mem[3] + mem[3] / 10);
		slh_free(h);
		slh_store_free(db);
	}
	CU_ASSERT(last[0] != NULL && last[1] != NULL && strcmp(last[0], last[1]) == 0);
	free(last[0]);
	free(last[1]);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"08: the seed's table", test_seed08_table},
	    {"08: update mode, a record per batch", test_seed08_update_per_record},
	    {"08: complete mode", test_seed08_complete},
	    {"10: late record dropped", test_seed10_late_dropped},
	    {"late records to the side output", test_late_side_output},
	    {"append mode", test_append},
	    {"09: sliding windows", test_seed09_sliding},
	    {"session windows merge", test_sessions_merge},
	    {"sessions: append, late, restart", test_sessions_append_restart},
	    {"every aggregate", test_all_aggregates},
	    {"window struct", test_window_struct},
	    {"restart from the store", test_restart},
	    {"keys forgotten with their windows", test_keys_forgotten},
	    {"option errors", test_errors},
	};
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("window", NULL, NULL);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
