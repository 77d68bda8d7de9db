/* test_file_plugins.c - harness tests of the file source and the
 * exactly-once file sink (CUnit), both from file.so, driven through the
 * public ABI with the harness's in-memory state store.
 *
 * SLH_FILE_BENCH=ROWS runs only the JSON-lines decode measurement on a
 * generated file of ROWS rows and prints rows/s and MB/s.
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness/harness.h"

/* ---- files ---- */

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/sluice-test-fsrc-XXXXXX";
	char *d = mkdtemp(tmpl);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return strdup(d);
}

static void rmrf(char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(dir);
}

/* Writes dir/name as a writer should (".name.tmp", then rename) with
 * modification time `mtime` (seconds; 0: leave it). */
static void put_file(const char *dir, const char *name, const char *text, time_t mtime)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(tmp, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	if (mtime != 0) {
		struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
		CU_ASSERT_EQUAL(utimensat(AT_FDCWD, tmp, ts, 0), 0);
	}
	CU_ASSERT_EQUAL(rename(tmp, path), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static char *slurp2(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return slurp(path);
}

static bool exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

/* Names in dir that end in suffix (hidden ones too when hidden). */
static int count_files(const char *dir, const char *suffix, bool hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), s = strlen(suffix);
		if ((e->d_name[0] != '.' || hidden) && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0 && l >= s &&
		    strcmp(e->d_name + l - s, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void check_text(const char *got, const char *want)
{
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n--- want:\n%s--- got:\n%s---\n", want, got);
}

static void check_has(const char *hay, const char *needle)
{
	CU_ASSERT_PTR_NOT_NULL(strstr(hay, needle));
	if (strstr(hay, needle) == NULL)
		fprintf(stderr, "\n--- '%s' not in:\n%s---\n", needle, hay);
}

/* ---- stages ---- */

/* A file source over dir with options (name, value pairs) and a store
 * (may be NULL: the host has no state service). */
static slh *source(const char *dir, slh_store *db, const char *const *opts)
{
	slh *h = slh_new_kind("file", SL_PLUGIN_SOURCE);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(slh_set(h, "path", dir), SL_OK);
	for (size_t i = 0; opts && opts[i]; i += 2)
		CU_ASSERT_EQUAL(slh_set(h, opts[i], opts[i + 1]), SL_OK);
	if (db != NULL)
		slh_use_store(h, db);
	rc = slh_create(h, NULL, SL_MODE_APPEND);
	if (rc < 0)
		fprintf(stderr, "create file source: %s\n", slh_error(h)->msg);
	CU_ASSERT_EQUAL_FATAL(rc, SL_OK);
	return h;
}

/* The error message of creating a source with these options, or "" when it
 * was created. */
static char *source_error(const char *dir, const char *const *opts)
{
	slh *h = slh_new_kind("file", SL_PLUGIN_SOURCE);
	char *msg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	slh_set(h, "path", dir);
	for (size_t i = 0; opts && opts[i]; i += 2)
		slh_set(h, opts[i], opts[i + 1]);
	msg = strdup(slh_create(h, NULL, SL_MODE_APPEND) < 0 ? slh_error(h)->msg : "");
	slh_free(h);
	return msg;
}

static slh *sink(const char *dir, const char *ddl, const char *checkpoint, const char *const *opts)
{
	slh *h = slh_new_kind("file", SL_PLUGIN_SINK);
	sl_schema *s = slh_schema_parse(ddl);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(slh_set(h, "path", dir), SL_OK);
	for (size_t i = 0; opts && opts[i]; i += 2)
		CU_ASSERT_EQUAL(slh_set(h, opts[i], opts[i + 1]), SL_OK);
	slh_set_checkpoint(h, checkpoint);
	rc = slh_create(h, s, SL_MODE_APPEND);
	if (rc < 0)
		fprintf(stderr, "create file sink: %s\n", slh_error(h)->msg);
	CU_ASSERT_EQUAL_FATAL(rc, SL_OK);
	sl_type_unref(s);
	return h;
}

/* One sink batch of rows (a JSON array of rows, NULL: no input batch). */
static int sink_batch(slh *h, int64_t batch_id, const char *ddl, const char *rows)
{
	sl_batch *b = rows ? slh_batch(ddl, rows) : NULL;
	int rc;

	if (rows)
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	rc = slh_run(h, batch_id, b ? &b : NULL, b ? 1 : 0);
	if (rc < 0)
		fprintf(stderr, "sink batch %lld: %s\n", (long long)batch_id, slh_error(h)->msg);
	sl_batch_unref(b);
	return rc;
}

/* Pulls one batch; returns its rows as text ("" when none). */
static const char *pull(slh *h, int want_rc)
{
	int rc;

	slh_clear(h);
	rc = slh_pull(h);
	if (rc != want_rc)
		fprintf(stderr, "pull: %d (%s), want %d\n", rc, slh_error(h)->msg, want_rc);
	CU_ASSERT_EQUAL(rc, want_rc);
	return slh_out_text(h);
}

/* ---- listing ---- */

static void test_order(void)
{
	char *dir = tmpdir(), sub[1024], fifo[1024];
	const char *opts[] = {"glob", "*.txt", NULL};
	slh *h;

	put_file(dir, "a.txt", "a1\na2\n", 3000);
	put_file(dir, "b.txt", "b1\n", 1000);
	put_file(dir, "c.txt", "c1\n", 2000);
	put_file(dir, "c0.txt", "c0\n", 2000); /* same time as c: by name (bytewise) */
	put_file(dir, "skip.json", "no\n", 500);
	put_file(dir, ".hidden.txt", "no\n", 500);
	put_file(dir, "_meta.txt", "no\n", 500);
	snprintf(sub, sizeof(sub), "%s/dir.txt", dir);
	CU_ASSERT_EQUAL(mkdir(sub, 0755), 0);
	snprintf(fifo, sizeof(fifo), "%s/fifo.txt", dir);
	CU_ASSERT_EQUAL(mkfifo(fifo, 0644), 0);

	h = source(dir, NULL, opts);
	CU_ASSERT_STRING_EQUAL(slh_schema(h)->fields[0].name, "value");
	check_text(pull(h, SL_OK), "b1\nc1\nc0\na1\na2\n");
	check_text(slh_offset(h),
	           "{\"files\":[\"b.txt\",\"c.txt\",\"c0.txt\",\"a.txt\"],\"seq\":0}");
	CU_ASSERT_EQUAL(slh_metric(h, "filesRead"), 4);
	/* Nothing new: SL_AGAIN, never SL_EOF. */
	pull(h, SL_AGAIN);
	pull(h, SL_AGAIN);
	/* A new file, even an older one, is read next. */
	put_file(dir, "d.txt", "d1\n", 10);
	check_text(pull(h, SL_OK), "d1\n");
	check_text(slh_offset(h), "{\"files\":[\"d.txt\"],\"seq\":1}");
	pull(h, SL_AGAIN);
	slh_free(h);
	rmrf(dir);
}

static void test_max_files(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"max_files_per_trigger", "2", NULL};
	const char *latest[] = {"max_files_per_trigger", "2", "latest_first", "true", NULL};
	slh *h;

	for (int i = 0; i < 5; i++) {
		char name[16], text[16];
		snprintf(name, sizeof(name), "f%d", i);
		snprintf(text, sizeof(text), "%d\n", i);
		put_file(dir, name, text, 1000 + i);
	}
	h = source(dir, NULL, opts);
	check_text(pull(h, SL_OK), "0\n1\n");
	check_text(pull(h, SL_OK), "2\n3\n");
	check_text(pull(h, SL_OK), "4\n");
	check_text(slh_offset(h), "{\"files\":[\"f4\"],\"seq\":2}");
	pull(h, SL_AGAIN);
	slh_free(h);

	h = source(dir, NULL, latest);
	check_text(pull(h, SL_OK), "4\n3\n");
	put_file(dir, "f9", "9\n", 5000);
	check_text(pull(h, SL_OK), "9\n2\n");
	check_text(pull(h, SL_OK), "1\n0\n");
	pull(h, SL_AGAIN);
	slh_free(h);
	rmrf(dir);
}

/* Each file read once across restarts: a new stage on the same store
 * continues; a batch whose writes were lost (a crash before the commit) is
 * planned again; a logged offset replays the same rows. */
static void test_restart(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"max_files_per_trigger", "2", NULL};
	slh_store *db = slh_store_new();
	sl_strbuf end = {0};
	char *logged, *rec;
	slh *h;

	put_file(dir, "a", "a\n", 1000);
	put_file(dir, "b", "b\n", 2000);
	put_file(dir, "c", "c\n", 3000);
	h = source(dir, db, opts);
	check_text(pull(h, SL_OK), "a\nb\n");
	slh_free(h);
	CU_ASSERT_EQUAL(slh_store_count(db, "f:"), 2);
	rec = slh_store_get(db, "f:b");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	check_has(rec, "\"batch\":0,\"size\":2,\"mtime\":2000000000}");
	free(rec);

	/* Restart: only c is new. */
	h = source(dir, db, opts);
	check_has(slh_logs(h), "2 file(s) read by earlier batches");
	CU_ASSERT_EQUAL(slh_plan(h, NULL, &end), SL_OK);
	check_text(end.buf, "{\"files\":[\"c\"],\"seq\":0}");
	logged = strdup(end.buf);
	/* Read, then "crash" before the commit: the record is lost. */
	CU_ASSERT_EQUAL(slh_read(h, NULL, logged), SL_OK);
	check_text(slh_out_text(h), "c\n");
	slh_store_abort(db);
	slh_free(h);
	CU_ASSERT_EQUAL(slh_store_count(db, "f:"), 2);

	/* The replay reads the logged files again, exactly. */
	h = source(dir, db, opts);
	CU_ASSERT_EQUAL(slh_read(h, NULL, logged), SL_OK);
	check_text(slh_out_text(h), "c\n");
	slh_store_commit(db);
	CU_ASSERT_EQUAL(slh_source_commit(h, logged), SL_OK);
	slh_set_offset(h, logged);
	pull(h, SL_AGAIN);
	slh_free(h);
	CU_ASSERT_EQUAL(slh_store_count(db, "f:"), 3);

	/* And after that restart nothing is new. */
	h = source(dir, db, opts);
	pull(h, SL_AGAIN);
	slh_free(h);

	/* Without a state service the log lives in memory only. */
	h = source(dir, NULL, NULL);
	check_has(slh_logs(h), "no state store");
	check_text(pull(h, SL_OK), "a\nb\nc\n");
	slh_free(h);

	free(logged);
	sl_strbuf_free(&end);
	slh_store_free(db);
	rmrf(dir);
}

/* ---- formats ---- */

static void test_text(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"include_filename", "true", NULL};
	slh *h;

	put_file(dir, "t", "one\r\n\ntwo  \nlast without newline", 1000);
	put_file(dir, "u", "", 2000);
	h = source(dir, NULL, opts);
	CU_ASSERT_EQUAL(slh_schema(h)->n_fields, 2);
	CU_ASSERT_STRING_EQUAL(slh_schema(h)->fields[1].name, "_filename");
	check_text(pull(h, SL_OK), "one, t\n, t\ntwo  , t\nlast without newline, t\n");
	slh_free(h);
	rmrf(dir);
}

static void test_json(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "json", "schema",
	                      "id BIGINT, name STRING, amount DOUBLE, ok BOOLEAN, ts TIMESTAMP, "
	                      "bin BINARY",
	                      NULL};
	char warn[1200];
	slh *h;

	put_file(dir, "in.json",
	         "{\"id\": 1, \"name\": \"a\", \"amount\": 1.5, \"ok\": true, "
	         "\"ts\": \"2020-07-25T14:55:00.348Z\", \"bin\": \"aGkh\", \"extra\": [1]}\n"
	         "{\"id\": 2}\n"
	         "\n"
	         "   \r\n"
	         "{\"id\": null, \"name\": null, \"amount\": 3, \"ts\": 1595688900}\r\n"
	         "{\"id\": \"x\", \"name\": 42, \"amount\": \"NaN\", \"ok\": 1}\n"
	         "this is not json\n"
	         "[1, 2]\n"
	         "{\"id\": 1.5, \"name\": {\"a\": [1, true]}, \"amount\": \"-Infinity\", "
	         "\"ts\": \"2020-07-25 14:55:00+02:00\", \"bin\": \"*\"}\n"
	         "{\"id\": 9, \"name\": \"\\u00e9\"}",
	         1000);
	h = source(dir, NULL, opts);
	/* Spark's PERMISSIVE: a line that is not an object is a row of nulls;
	 * a value of the wrong type is null, the rest of the row kept. */
	check_text(pull(h, SL_OK),
	           "1, a, 1.5, true, 2020-07-25 14:55:00.348, hi!\n"
	           "2, null, null, null, null, null\n"
	           "null, null, 3.0, null, 2020-07-25 14:55:00, null\n"
	           "null, 42, NaN, null, null, null\n"
	           "null, null, null, null, null, null\n"
	           "null, null, null, null, null, null\n"
	           "null, {\"a\":[1,true]}, -Infinity, null, 2020-07-25 12:55:00, null\n"
	           "9, \xc3\xa9, null, null, null, null\n");
	/* Row 6 (id "x", ok 1), lines 7 and 8, row 9 (id 1.5, bin *). */
	CU_ASSERT_EQUAL(slh_metric(h, "badRecords"), 4);
	snprintf(warn, sizeof(warn),
	         "WARN: %s/in.json:6: column 8: cannot convert a string to BIGINT", dir);
	check_has(slh_logs(h), warn);
	snprintf(warn, sizeof(warn), "WARN: %s/in.json:7: column 1: ", dir);
	check_has(slh_logs(h), warn);
	snprintf(warn, sizeof(warn), "WARN: %s/in.json:8: column 2: ", dir);
	check_has(slh_logs(h), warn);
	snprintf(warn, sizeof(warn), "WARN: %s/in.json:9: column 8: ", dir);
	check_has(slh_logs(h), warn);
	slh_free(h);
	rmrf(dir);
}

/* Warnings stop after a few per file; every bad record is counted. */
static void test_json_many_bad(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "json", "schema", "k STRING, v BIGINT", "parse_mode",
	                      "dropmalformed", NULL};
	sl_strbuf text = {0};
	const char *logs;
	int warnings = 0;
	slh *h;

	for (int i = 0; i < 100; i++)
		sl_strbuf_printf(&text, "%s\n", i % 2 ? "{\"k\": \"a\", \"v\": 1}" : "oops");
	put_file(dir, "bad.json", text.buf, 1000);
	h = source(dir, NULL, opts);
	pull(h, SL_OK);
	CU_ASSERT_EQUAL(slh_out_rows(h), 50);
	CU_ASSERT_EQUAL(slh_metric(h, "badRecords"), 50);
	CU_ASSERT_EQUAL(slh_metric(h, "droppedMalformed"), 50);
	logs = slh_logs(h);
	for (const char *p = logs; (p = strstr(p, "WARN: ")) != NULL; p++)
		warnings++;
	CU_ASSERT_EQUAL(warnings, 6);
	check_has(logs, "bad.json: 45 more bad record(s) not shown");
	slh_free(h);
	sl_strbuf_free(&text);
	rmrf(dir);
}

/* 150,000 lines in two files become batches of at most 65536 rows. */
static void test_big(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "json", "schema", "k STRING, v BIGINT", NULL};
	sl_strbuf text = {0};
	int64_t sum = 0, want = 0;
	slh *h;

	for (int f = 0; f < 2; f++) {
		char name[16];
		sl_strbuf_reset(&text);
		for (int i = 0; i < 75000; i++) {
			int v = f * 75000 + i;
			sl_strbuf_printf(&text, "{\"k\": \"key%d\", \"v\": %d}\n", v % 100, v);
			want += v;
		}
		snprintf(name, sizeof(name), "part%d", f);
		put_file(dir, name, text.buf, 1000 + f);
	}
	h = source(dir, NULL, opts);
	pull(h, SL_OK);
	CU_ASSERT(slh_n_out(h) >= 3);
	CU_ASSERT_EQUAL(slh_out_rows(h), 150000);
	for (size_t b = 0; b < slh_n_out(h); b++) {
		const sl_batch *batch = slh_out(h, b);
		CU_ASSERT(batch->n_rows <= 65536);
		CU_ASSERT_EQUAL(sl_batch_validate(batch, NULL), SL_OK);
		for (int64_t i = 0; i < batch->n_rows; i++)
			sum += sl_array_i64(batch->columns[1])[i];
	}
	CU_ASSERT_EQUAL(sum, want);
	slh_free(h);
	sl_strbuf_free(&text);
	rmrf(dir);
}

/* ---- formats through the formats library ---- */

/* Nested JSON: STRUCT and ARRAY<STRUCT> columns, as the seed's invoices. */
static void test_nested(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "json", "schema",
	                      "id STRING, a STRUCT<City: STRING, Pin: STRING>, "
	                      "items ARRAY<STRUCT<code: STRING, qty: BIGINT>>",
	                      NULL};
	slh *h;

	put_file(dir, "n.json",
	         "{\"id\":\"1\",\"a\":{\"City\":\"Pune\",\"Pin\":\"411\"},"
	         "\"items\":[{\"code\":\"x\",\"qty\":2},{\"code\":\"y\"}]}\n"
	         "{\"id\":\"2\",\"items\":[]}",
	         1000);
	h = source(dir, NULL, opts);
	check_text(pull(h, SL_OK), "1, {Pune, 411}, [{x, 2}, {y, null}]\n"
	                           "2, null, []\n");
	CU_ASSERT_EQUAL(slh_metric(h, "badRecords"), 0);
	slh_free(h);
	rmrf(dir);
}

static const char *bad_lines = "{\"k\": \"a\", \"v\": 1}\n"
                               "{\"k\": \"b\", \"v\": \"two\"}\n"
                               "not json at all\n"
                               "{\"k\": \"d\", \"v\": 4}\n";

/* Spark's modes: permissive (with the corrupt-record column), dropmalformed,
 * failfast (the read fails naming FILE:LINE). */
static void test_modes(void)
{
	char *dir = tmpdir(), want[1200];
	const char *keep[] = {"format", "json", "schema", "k STRING, v BIGINT",
	                      "keep_corrupt_record", "true", NULL};
	const char *named[] = {"format", "json", "schema", "k STRING, v BIGINT, bad STRING",
	                       "corrupt_record_column", "bad", NULL};
	const char *drop[] = {"format", "json", "schema", "k STRING, v BIGINT",
	                      "parse_mode", "dropmalformed", NULL};
	const char *fail[] = {"format", "json", "schema", "k STRING, v BIGINT",
	                      "parse_mode", "failfast", NULL};
	slh_store *db = slh_store_new();
	slh *h;

	put_file(dir, "in.json", bad_lines, 1000);
	h = source(dir, NULL, keep);
	CU_ASSERT_STRING_EQUAL(slh_schema(h)->fields[2].name, "_corrupt_record");
	check_text(pull(h, SL_OK), "a, 1, null\n"
	                           "b, null, {\"k\": \"b\", \"v\": \"two\"}\n"
	                           "null, null, not json at all\n"
	                           "d, 4, null\n");
	CU_ASSERT_EQUAL(slh_metric(h, "badRecords"), 2);
	slh_free(h);

	h = source(dir, NULL, named);
	check_text(pull(h, SL_OK), "a, 1, null\n"
	                           "b, null, {\"k\": \"b\", \"v\": \"two\"}\n"
	                           "null, null, not json at all\n"
	                           "d, 4, null\n");
	slh_free(h);

	h = source(dir, NULL, drop);
	check_text(pull(h, SL_OK), "a, 1\nd, 4\n");
	CU_ASSERT_EQUAL(slh_metric(h, "droppedMalformed"), 2);
	slh_free(h);

	/* failfast: the batch fails; nothing is remembered as read. */
	h = source(dir, db, fail);
	pull(h, SL_EINVAL);
	snprintf(want, sizeof(want),
	         "%s/in.json:2: malformed record (parse_mode = \"failfast\"): column ", dir);
	check_has(slh_error(h)->msg, want);
	CU_ASSERT_PTR_NULL(strchr(slh_error(h)->msg, '\n'));
	slh_store_abort(db);
	CU_ASSERT_EQUAL(slh_store_count(db, "f:"), 0);
	slh_free(h);
	slh_store_free(db);
	rmrf(dir);
}

/* dead_letter: every bad record, with its file, line, offset, error and
 * text, into the side output, in every mode that goes on. */
static void test_dead_letter(void)
{
	char *dir = tmpdir(), want[2048];
	const char *opts[] = {"format", "json", "schema", "k STRING, v BIGINT",
	                      "dead_letter", "true", "parse_mode", "dropmalformed", NULL};
	const char *perm[] = {"format", "json", "schema", "k STRING, v BIGINT",
	                      "dead_letter", "true", NULL};
	const sl_schema *dl;
	slh *h;

	put_file(dir, "in.json", bad_lines, 1000);
	put_file(dir, "more.json", "[1]\n{\"k\": \"e\", \"v\": 5}\n", 2000);
	h = source(dir, NULL, opts);
	CU_ASSERT_EQUAL(slh_side_declared(h), 1);
	dl = slh_side_schema(h, "dead_letter");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dl);
	CU_ASSERT_EQUAL(dl->n_fields, 5);
	CU_ASSERT_STRING_EQUAL(dl->fields[4].name, "record");
	check_text(pull(h, SL_OK), "a, 1\nd, 4\ne, 5\n");
	CU_ASSERT_EQUAL(slh_side_rows(h, "dead_letter"), 3);
	snprintf(want, sizeof(want),
	         "%s/in.json, 2, 19, column 17: cannot convert a string to BIGINT, "
	         "{\"k\": \"b\", \"v\": \"two\"}\n"
	         "%s/in.json, 3, 42, column 1: ",
	         dir, dir);
	check_has(slh_side_text(h, "dead_letter"), want);
	snprintf(want, sizeof(want), ", not json at all\n%s/more.json, 1, 0, column ", dir);
	check_has(slh_side_text(h, "dead_letter"), want);
	CU_ASSERT_EQUAL(slh_metric(h, "badRecords"), 3);
	slh_free(h);

	h = source(dir, NULL, perm);
	pull(h, SL_OK);
	CU_ASSERT_EQUAL(slh_out_rows(h), 6);
	CU_ASSERT_EQUAL(slh_side_rows(h, "dead_letter"), 3);
	slh_free(h);
	rmrf(dir);
}

/* CSV: header, separator, null value, quoted fields; a declared schema and
 * an inferred one. */
static void test_csv(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "csv", "schema", "name STRING, age BIGINT, note STRING",
	                      "header", "true", "sep", ";", "null_value", "NA", NULL};
	const char *infer[] = {"format", "csv", "infer_schema", "true", "header", "true", "sep",
	                       ";", "null_value", "NA", "include_filename", "true", NULL};
	sl_strbuf ddl = {0};
	slh *h;

	put_file(dir, "a.csv", "name;age;note\nann;31;\"semi;colon\"\nbob;NA;\"two\nlines\"\n", 1000);
	put_file(dir, "b.csv", "name;age;note\ncy;40;NA", 2000);
	h = source(dir, NULL, opts);
	check_text(pull(h, SL_OK), "ann, 31, semi;colon\n"
	                           "bob, null, two\nlines\n"
	                           "cy, 40, null\n");
	slh_free(h);

	h = source(dir, NULL, infer);
	sl_type_format(slh_schema(h), &ddl);
	check_has(ddl.buf, "name: STRING, age: BIGINT, note: STRING, _filename: STRING");
	check_text(pull(h, SL_OK), "ann, 31, semi;colon, a.csv\n"
	                           "bob, null, two\nlines, a.csv\n"
	                           "cy, 40, null, b.csv\n");
	slh_free(h);
	sl_strbuf_free(&ddl);
	rmrf(dir);
}

/* JSON inference: the union of the fields, sorted, nested types. */
static void test_infer_json(void)
{
	char *dir = tmpdir();
	const char *opts[] = {"format", "json", "infer_schema", "true", NULL};
	sl_strbuf ddl = {0};
	slh *h;

	put_file(dir, "a.json", "{\"b\": 1, \"a\": {\"x\": \"s\"}}", 1000);
	put_file(dir, "b.json", "{\"b\": 2.5, \"l\": [1, 2]}\n", 2000);
	h = source(dir, NULL, opts);
	sl_type_format(slh_schema(h), &ddl);
	check_text(ddl.buf, "STRUCT<a: STRUCT<x: STRING>, b: DOUBLE, l: ARRAY<BIGINT>>");
	check_text(pull(h, SL_OK), "{s}, 1.0, null\nnull, 2.5, [1, 2]\n");
	slh_free(h);
	sl_strbuf_free(&ddl);
	rmrf(dir);
}

/* The sink writes CSV and Avro; the source reads both back. */
static void test_sink_formats(void)
{
	char *dir = tmpdir(), sub[1100];
	const char *ddl = "k STRING, v BIGINT, d DOUBLE, ts TIMESTAMP";
	const char *rows = "[[\"a,b\", 1, 1.5, 1595688900348000], [null, null, null, null]]";
	const char *csv[] = {"format", "csv", "header", "true", NULL};
	const char *avro[] = {"format", "avro", "max_records_per_file", "1", NULL};
	const char *rcsv[] = {"format", "csv", "header", "true", "schema",
	                      "k STRING, v BIGINT, d DOUBLE, ts TIMESTAMP", NULL};
	const char *ravro[] = {"format", "avro", "include_filename", "true", NULL};
	char *text;
	slh *h;

	snprintf(sub, sizeof(sub), "%s/csv", dir);
	h = sink(sub, ddl, "/checkpoint", csv);
	CU_ASSERT_EQUAL(sink_batch(h, 0, ddl, rows), SL_OK);
	slh_free(h);
	text = slurp2(sub, "part-0000000000-0000.csv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	check_text(text, "k,v,d,ts\n\"a,b\",1,1.5,2020-07-25T14:55:00.348Z\n,,,\n");
	free(text);
	h = source(sub, NULL, rcsv);
	check_text(pull(h, SL_OK), "a,b, 1, 1.5, 2020-07-25 14:55:00.348\n"
	                           "null, null, null, null\n");
	slh_free(h);

	snprintf(sub, sizeof(sub), "%s/avro", dir);
	h = sink(sub, ddl, "/checkpoint", avro);
	CU_ASSERT_EQUAL(sink_batch(h, 0, ddl, rows), SL_OK);
	slh_free(h);
	CU_ASSERT(exists(sub, "part-0000000000-0000.avro"));
	CU_ASSERT(exists(sub, "part-0000000000-0001.avro"));
	h = source(sub, NULL, ravro);
	check_text(pull(h, SL_OK),
	           "a,b, 1, 1.5, 2020-07-25 14:55:00.348, part-0000000000-0000.avro\n"
	           "null, null, null, null, part-0000000000-0001.avro\n");
	slh_free(h);
	rmrf(dir);
}

/* CSV cannot hold nested columns: the sink refuses at create (validate). */
static void test_sink_errors(void)
{
	slh *h = slh_new_kind("file", SL_PLUGIN_SINK);
	sl_schema *s = slh_schema_parse("a STRUCT<b: BIGINT>");

	slh_set(h, "path", "/tmp/sluice-never-created");
	slh_set(h, "format", "csv");
	CU_ASSERT(slh_create(h, s, SL_MODE_APPEND) < 0);
	check_has(slh_error(h)->msg, "format 'csv'");
	sl_type_unref(s);
	slh_free(h);
}

static void test_options(void)
{
	char *dir = tmpdir(), path[1024];
	const char *json_noschema[] = {"format", "json", NULL};
	const char *nested[] = {"format", "json", "schema", "a STRUCT<b: BIGINT>", NULL};
	const char *text_dl[] = {"dead_letter", "true", NULL};
	const char *json_avsc[] = {"format", "json", "avro_schema", "{}", NULL};
	const char *infer_empty[] = {"format", "csv", "infer_schema", "true", NULL};
	const char *corrupt_int[] = {"format", "json", "schema", "a BIGINT, _corrupt_record BIGINT",
	                             NULL};
	const char *bad_sep[] = {"format", "csv", "schema", "a BIGINT", "sep", "ab", NULL};
	const char *badddl[] = {"format", "json", "schema", "a BIGNUM", NULL};
	const char *text_schema[] = {"schema", "a STRING", NULL};
	const char *archive[] = {"clean_source", "archive", NULL};
	const char *archive_self[] = {"clean_source", "archive", "archive_dir", dir, NULL};
	const char *stray[] = {"archive_dir", "/tmp/x", NULL};
	const char *dup[] = {"format",           "json", "schema", "_filename STRING",
	                     "include_filename", "true", NULL};
	char *msg;

	msg = source_error(dir, json_noschema);
	check_has(msg, "format 'json' needs a schema (\"id BIGINT, name STRING\") or "
	               "infer_schema = true");
	free(msg);
	msg = source_error(dir, nested);
	check_text(msg, "");
	free(msg);
	msg = source_error(dir, text_dl);
	check_has(msg, "format 'text' has no bad records");
	free(msg);
	msg = source_error(dir, json_avsc);
	check_has(msg, "is for format 'avro'");
	free(msg);
	msg = source_error(dir, infer_empty);
	check_has(msg, "has no file to read yet; give schema");
	free(msg);
	msg = source_error(dir, corrupt_int);
	check_has(msg, "the corrupt-record column '_corrupt_record' must be STRING");
	free(msg);
	msg = source_error(dir, bad_sep);
	check_has(msg, "bad value 'ab'");
	free(msg);
	msg = source_error(dir, badddl);
	CU_ASSERT_NOT_EQUAL(msg[0], '\0');
	free(msg);
	msg = source_error(dir, text_schema);
	check_has(msg, "format 'text' has one column");
	free(msg);
	msg = source_error(dir, archive);
	check_has(msg, "needs archive_dir");
	free(msg);
	msg = source_error(dir, archive_self);
	check_has(msg, "must be another directory than path");
	free(msg);
	msg = source_error(dir, stray);
	check_has(msg, "is used only with clean_source");
	free(msg);
	msg = source_error(dir, dup);
	check_has(msg, "has a column _filename already");
	free(msg);
	snprintf(path, sizeof(path), "%s/missing", dir);
	msg = source_error(path, NULL);
	check_has(msg, "cannot read directory");
	free(msg);
	rmrf(dir);
}

/* ---- clean_source ---- */

static void test_clean(void)
{
	char *dir = tmpdir(), arch[1024];
	const char *opts_archive[] = {"clean_source", "archive", "archive_dir", arch, NULL};
	const char *opts_delete[] = {"clean_source", "delete", NULL};
	slh_store *db = slh_store_new();
	sl_strbuf end = {0};
	slh *h;

	snprintf(arch, sizeof(arch), "%s/archive/deep", dir);
	put_file(dir, "a", "a\n", 1000);
	put_file(dir, "b", "b\n", 2000);
	h = source(dir, db, opts_archive);
	check_text(pull(h, SL_OK), "a\nb\n");
	CU_ASSERT(!exists(dir, "a") && !exists(dir, "b"));
	CU_ASSERT(exists(arch, "a") && exists(arch, "b"));
	CU_ASSERT_EQUAL(slh_metric(h, "filesArchived"), 2);
	pull(h, SL_AGAIN);
	slh_free(h);

	put_file(dir, "c", "c\n", 3000);
	h = source(dir, db, opts_delete);
	check_text(pull(h, SL_OK), "c\n");
	CU_ASSERT(!exists(dir, "c"));
	CU_ASSERT_EQUAL(slh_metric(h, "filesDeleted"), 1);

	/* The process stops after the commit, before the clean-up: the next
	 * start cleans up what the committed batch read, and reads nothing. */
	put_file(dir, "d", "d\n", 4000);
	CU_ASSERT_EQUAL(slh_plan(h, slh_offset(h), &end), SL_OK);
	CU_ASSERT_EQUAL(slh_read(h, slh_offset(h), end.buf), SL_OK);
	slh_store_commit(db);
	slh_free(h);
	CU_ASSERT(exists(dir, "d"));
	h = source(dir, db, opts_delete);
	pull(h, SL_AGAIN);
	CU_ASSERT(!exists(dir, "d"));
	slh_free(h);

	/* A file that changed after it was read is left alone, with a warning. */
	put_file(dir, "e", "e\n", 5000);
	h = source(dir, db, NULL);
	check_text(pull(h, SL_OK), "e\n");
	slh_free(h);
	put_file(dir, "e", "e changed\n", 6000);
	h = source(dir, db, opts_delete);
	pull(h, SL_AGAIN);
	pull(h, SL_AGAIN);
	CU_ASSERT(exists(dir, "e"));
	check_has(slh_logs(h), "/e was read by batch 0 and has changed since");

	/* A file of a batch that has not committed is neither listed again
	 * nor cleaned up before source_commit. */
	put_file(dir, "f", "f\n", 7000);
	sl_strbuf_reset(&end);
	CU_ASSERT_EQUAL(slh_plan(h, NULL, &end), SL_OK);
	CU_ASSERT_EQUAL(slh_read(h, NULL, end.buf), SL_OK);
	pull(h, SL_AGAIN);
	CU_ASSERT(exists(dir, "f"));
	slh_store_commit(db);
	CU_ASSERT_EQUAL(slh_source_commit(h, end.buf), SL_OK);
	CU_ASSERT(!exists(dir, "f"));
	slh_free(h);

	sl_strbuf_free(&end);
	slh_store_free(db);
	rmrf(dir);
}

/* ---- the sink ---- */

static const char *ddl_all = "name STRING, n BIGINT, ts TIMESTAMP, d DOUBLE, ok BOOLEAN, "
                             "s STRUCT<a: BIGINT, b: STRING>, l ARRAY<STRING>, bin BINARY";

static void test_sink_json(void)
{
	char *top = tmpdir(), dir[1024], log[1100];
	const char *opts[] = {"prefix", "out", NULL};
	char *text;
	slh *h;

	snprintf(dir, sizeof(dir), "%s/sub/dir", top);
	snprintf(log, sizeof(log), "%s/_sluice_log", dir);
	h = sink(dir, ddl_all, top, opts);
	CU_ASSERT_EQUAL(
	    sink_batch(h, 3, ddl_all,
	               "[[\"a \\\"q\\\"\\n\", 1, 1595688900348000, 1896.0, true, [1, null], "
	               "[\"x\", null], \"hi!\"],"
	               " [null, null, null, null, null, null, null, null],"
	               " [\"\\u00e9\\u0001\", -5, 0, 1e-7, false, {\"a\": null, \"b\": \"z\"}, [], "
	               "\"\"]]"),
	    SL_OK);
	text = slurp2(dir, "out-0000000003-0000.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	check_text(text,
	           "{\"name\":\"a \\\"q\\\"\\n\",\"n\":1,\"ts\":\"2020-07-25T14:55:00.348Z\","
	           "\"d\":1896.0,\"ok\":true,\"s\":{\"a\":1},\"l\":[\"x\",null],"
	           "\"bin\":\"aGkh\"}\n"
	           "{}\n"
	           "{\"name\":\"\xc3\xa9\\u0001\",\"n\":-5,\"ts\":\"1970-01-01T00:00:00.000Z\","
	           "\"d\":1.0E-7,\"ok\":false,\"s\":{\"b\":\"z\"},\"l\":[],\"bin\":\"\"}\n");
	free(text);
	text = slurp2(log, "3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	check_text(text, "[\"out-0000000003-0000.json\"]\n");
	free(text);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp", true), 0);
	CU_ASSERT_EQUAL(count_files(log, ".tmp", true), 0);
	CU_ASSERT_EQUAL(count_files(dir, ".json", false), 1);
	CU_ASSERT_EQUAL(slh_metric(h, "rowsWritten"), 3);
	CU_ASSERT_EQUAL(slh_metric(h, "filesWritten"), 1);

	/* No rows: an entry with an empty list, no file. */
	CU_ASSERT_EQUAL(sink_batch(h, 4, ddl_all, NULL), SL_OK);
	CU_ASSERT_EQUAL(sink_batch(h, 5, ddl_all, "[]"), SL_OK);
	text = slurp2(log, "4");
	check_text(text ? text : "", "[]\n");
	free(text);
	text = slurp2(log, "5");
	check_text(text ? text : "", "[]\n");
	free(text);
	CU_ASSERT_EQUAL(count_files(dir, ".json", false), 1);
	slh_free(h);
	rmrf(top);
}

static void test_sink_replay(void)
{
	char *dir = tmpdir(), log[1100], stale[1200];
	const char *ddl = "k STRING, v BIGINT";
	const char *opts[] = {"max_records_per_file", "2", NULL};
	char *text;
	FILE *f;
	slh *h;

	snprintf(log, sizeof(log), "%s/_sluice_log", dir);
	h = sink(dir, ddl, "/checkpoint", opts);
	CU_ASSERT_EQUAL(sink_batch(h, 0, ddl,
	                           "[[\"a\", 1], [\"b\", 2], [\"c\", 3], [\"d\", 4], "
	                           "[\"e\", 5]]"),
	                SL_OK);
	text = slurp2(log, "0");
	check_text(text ? text : "", "[\"part-0000000000-0000.json\",\"part-0000000000-0001.json\","
	                             "\"part-0000000000-0002.json\"]\n");
	free(text);
	text = slurp2(dir, "part-0000000000-0002.json");
	check_text(text ? text : "", "{\"k\":\"e\",\"v\":5}\n");
	free(text);

	/* A replay of batch 0 (whatever its rows) is skipped. */
	CU_ASSERT_EQUAL(sink_batch(h, 0, ddl, "[[\"x\", 9]]"), SL_OK);
	check_has(slh_logs(h), "batch 0 is in the manifest already (a replay): not written again");
	text = slurp2(dir, "part-0000000000-0000.json");
	check_text(text ? text : "", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n");
	free(text);
	CU_ASSERT_EQUAL(count_files(dir, ".json", false), 3);
	CU_ASSERT_EQUAL(slh_metric(h, "rowsWritten"), 5);
	slh_free(h);

	/* A restart tidies what a crash left; batch 1 then writes normally. */
	snprintf(stale, sizeof(stale), "%s/.part-0000000001-0000.json.tmp", dir);
	f = fopen(stale, "w");
	fputs("{\"k\":\"half\"}\n", f);
	fclose(f);
	snprintf(stale, sizeof(stale), "%s/.1.tmp", log);
	f = fopen(stale, "w");
	fclose(f);
	h = sink(dir, ddl, "/checkpoint", NULL);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp", true), 0);
	CU_ASSERT_EQUAL(count_files(log, ".tmp", true), 0);
	CU_ASSERT_EQUAL(sink_batch(h, 1, ddl, "[[\"f\", 6]]"), SL_OK);
	text = slurp2(log, "1");
	check_text(text ? text : "", "[\"part-0000000001-0000.json\"]\n");
	free(text);
	slh_free(h);

	/* Without a checkpoint batch ids restart at 0: numbered after the
	 * manifest instead. */
	h = sink(dir, ddl, NULL, NULL);
	check_has(slh_logs(h), "numbered after the manifest's last entry (1)");
	CU_ASSERT_EQUAL(sink_batch(h, 0, ddl, "[[\"g\", 7]]"), SL_OK);
	text = slurp2(log, "2");
	check_text(text ? text : "", "[\"part-0000000002-0000.json\"]\n");
	free(text);
	slh_free(h);
	rmrf(dir);
}

/* sink-write: the process dies half-way through a batch's rows; nothing of
 * the batch is visible, and the replay writes it whole. */
static void test_sink_crash(void)
{
	char *dir = tmpdir(), log[1100];
	const char *ddl = "k STRING, v BIGINT";
	const char *rows = "[[\"a\", 1], [\"b\", 2], [\"c\", 3], [\"d\", 4]]";
	char *text;
	int status = 0;
	pid_t pid;
	slh *h;

	snprintf(log, sizeof(log), "%s/_sluice_log", dir);
	h = sink(dir, ddl, "/checkpoint", NULL);
	CU_ASSERT_EQUAL(sink_batch(h, 6, ddl, "[[\"z\", 0]]"), SL_OK);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv("SLUICE_CRASH_AT", "sink-write:7", 1);
		sink_batch(h, 7, ddl, rows);
		_exit(0); /* not reached */
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* Half the rows reached the temporary file, nothing else. */
	text = slurp2(dir, ".part-0000000007-0000.json.tmp");
	check_text(text ? text : "", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n");
	free(text);
	CU_ASSERT(!exists(dir, "part-0000000007-0000.json"));
	CU_ASSERT(!exists(log, "7"));
	slh_free(h);

	/* The crash point is per batch: batch 7 without it, after a restart. */
	h = sink(dir, ddl, "/checkpoint", NULL);
	CU_ASSERT_EQUAL(sink_batch(h, 7, ddl, rows), SL_OK);
	text = slurp2(dir, "part-0000000007-0000.json");
	check_text(text ? text : "", "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n"
	                             "{\"k\":\"c\",\"v\":3}\n{\"k\":\"d\",\"v\":4}\n");
	free(text);
	CU_ASSERT(exists(log, "7"));
	CU_ASSERT_EQUAL(count_files(dir, ".tmp", true), 0);
	slh_free(h);
	rmrf(dir);
}

/* The source reads a sink's output through its manifest: committed files
 * only, in batch order. */
static void test_read_sink_output(void)
{
	char *dir = tmpdir();
	const char *ddl = "k STRING, v BIGINT";
	const char *sopts[] = {"max_records_per_file", "1", NULL};
	const char *ropts[] = {"format",           "json", "schema", "k STRING, v BIGINT",
	                       "include_filename", "true", NULL};
	slh_store *db = slh_store_new();
	slh *w, *r;

	w = sink(dir, ddl, "/checkpoint", sopts);
	CU_ASSERT_EQUAL(sink_batch(w, 0, ddl, "[[\"a\", 1], [\"b\", 2]]"), SL_OK);
	CU_ASSERT_EQUAL(sink_batch(w, 1, ddl, NULL), SL_OK);
	/* Uncommitted leftovers: a renamed part whose entry was never written,
	 * and a file of someone else. */
	put_file(dir, "part-0000000002-0000.json", "{\"k\":\"lost\",\"v\":0}\n", 1);
	put_file(dir, "other.json", "{\"k\":\"other\",\"v\":0}\n", 1);

	r = source(dir, db, ropts);
	check_text(pull(r, SL_OK), "a, 1, part-0000000000-0000.json\n"
	                           "b, 2, part-0000000000-0001.json\n");
	pull(r, SL_AGAIN);
	/* Batch 2 is replayed and commits: now its file is output. */
	CU_ASSERT_EQUAL(sink_batch(w, 2, ddl, "[[\"c\", 3]]"), SL_OK);
	check_text(pull(r, SL_OK), "c, 3, part-0000000002-0000.json\n");
	pull(r, SL_AGAIN);
	slh_free(r);

	/* Restarted, it reads nothing again. */
	r = source(dir, db, ropts);
	pull(r, SL_AGAIN);
	slh_free(r);
	slh_free(w);
	slh_store_free(db);
	rmrf(dir);
}

/* ---- the decode measurement (not a test) ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench(void)
{
	long rows = atol(getenv("SLH_FILE_BENCH"));
	char *dir = tmpdir(), path[1024];
	const char *opts[] = {"format", "json", "schema",
	                      "InvoiceNumber STRING, CreatedTime BIGINT, StoreID STRING, "
	                      "TotalAmount DOUBLE, NumberOfItems BIGINT",
	                      NULL};
	struct stat sb;
	double t0, t1;
	FILE *f;
	slh *h;
	int rc;

	snprintf(path, sizeof(path), "%s/data.json", dir);
	f = fopen(path, "w");
	for (long i = 0; i < rows; i++)
		fprintf(f,
		        "{\"InvoiceNumber\":\"%08ld\",\"CreatedTime\":%ld,\"StoreID\":\"STR%04ld\","
		        "\"PosID\":\"POS%03ld\",\"TotalAmount\":%ld.%02ld,\"NumberOfItems\":%ld}\n",
		        51402977 + i, 1595688900348 + i * 17, i % 9973, i % 997, 1000 + i % 20000,
		        i % 100, 1 + i % 7);
	fclose(f);
	stat(path, &sb);
	h = source(dir, NULL, opts);
	t0 = now_s();
	rc = slh_pull(h);
	t1 = now_s();
	printf("file source, format json: %ld rows, %.1f MB in %.3f s: %.0f rows/s, %.1f MB/s "
	       "(rc %d, rows out %lld)\n",
	       rows, (double)sb.st_size / 1e6, t1 - t0, (double)rows / (t1 - t0),
	       (double)sb.st_size / 1e6 / (t1 - t0), rc, (long long)slh_out_rows(h));
	CU_ASSERT_EQUAL(rc, SL_OK);
	slh_free(h);
	rmrf(dir);
}

int main(void)
{
	static const struct {
		const char *suite, *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"file source", "listing, order, ignored names, SL_AGAIN", test_order},
	    {"file source", "max_files_per_trigger, latest_first", test_max_files},
	    {"file source", "read once across restarts, replay", test_restart},
	    {"file source", "format text, include_filename", test_text},
	    {"file source", "format json: nulls, types, bad lines", test_json},
	    {"file source", "format json: warnings per file", test_json_many_bad},
	    {"file source", "batches of 65536 rows", test_big},
	    {"file source", "format json: nested STRUCT and ARRAY", test_nested},
	    {"file source", "parse modes, corrupt-record column", test_modes},
	    {"file source", "dead letters", test_dead_letter},
	    {"file source", "format csv: options, inferred schema", test_csv},
	    {"file source", "format json: inferred schema", test_infer_json},
	    {"file source", "option errors", test_options},
	    {"file source", "clean_source archive and delete", test_clean},
	    {"file source", "a sluice output directory", test_read_sink_output},
	    {"file sink", "JSON lines and manifest", test_sink_json},
	    {"file sink", "parts, replay skipped, no checkpoint", test_sink_replay},
	    {"file sink", "crash point sink-write", test_sink_crash},
	    {"file sink", "formats csv and avro, read back", test_sink_formats},
	    {"file sink", "a schema the format cannot write", test_sink_errors},
	};
	CU_pSuite suite = NULL;
	const char *last = "";
	const char *b = getenv("SLH_FILE_BENCH");
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (b != NULL && *b != '\0')
		CU_add_test(CU_add_suite("bench", NULL, NULL), "JSON-lines decode speed", bench);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]) && (b == NULL || *b == '\0'); i++) {
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
