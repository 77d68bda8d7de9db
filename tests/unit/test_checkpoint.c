/* test_checkpoint.c - the checkpoint directory (core/checkpoint*.c): the
 * lock against a second process, metadata and a stable query id, offsets
 * entries with their CRC-32C, the damaged-entry rule, pruning, progress
 * lines; and whole runs through the session and the scheduler: restarts
 * continue the batch ids, a crash at each core crash point replays the
 * uncommitted batch and the state counts every row exactly once, a failed
 * batch is not committed, compatible changes are accepted and an
 * incompatible one is refused, naming the stage.  Uses the test modules in
 * $SLUICE_BUILDDIR/tests/modules (tsrc, tmap, tsink; tcount in state/). */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>

#include "plan/stateful.h"
#include "run/progress.h"
#include "run/scheduler.h"
#include "session/session.h"
#include "store/checkpoint.h"
#include "store/crc32c.h"
#include "util/log.h"

static char tmp[64];
static int seq;

static void new_dir(char *buf, size_t n)
{
	snprintf(buf, n, "%s/c%d", tmp, seq++);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (sl_read_file(path, &text, &len, NULL) < 0)
		return NULL;
	return text;
}

static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* "name size mtime" of every entry of dir and its subdirectories. */
static void listing(const char *dir, char *out, size_t n)
{
	char cmd[300];
	FILE *p;
	size_t k;

	snprintf(cmd, sizeof(cmd), "cd '%s' && find . -printf '%%p %%s %%T@\\n' | sort", dir);
	p = popen(cmd, "r");
	k = p ? fread(out, 1, n - 1, p) : 0;
	out[k] = '\0';
	if (p)
		pclose(p);
}

/* --- the lock --- */

static void test_lock_second_process(void)
{
	char dir[128], before[8192], after[8192], want[512];
	int ready[2], done[2];
	slc_checkpoint *c = NULL;
	struct timespec t0, t1;
	sl_error err;
	pid_t pid;
	char b;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(done) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (slc_checkpoint_open(dir, &c, &err) < 0)
			_exit(2);
		b = 1;
		if (write(ready[1], &b, 1) != 1 || read(done[0], &b, 1) < 0)
			_exit(3);
		slc_checkpoint_close(c);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(read(ready[0], &b, 1), 1);
	listing(dir, before, sizeof(before));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(slc_checkpoint_open(dir, &c, &err), SL_ESTATE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_PTR_NULL(c);
	snprintf(
	    want, sizeof(want),
	    "checkpoint %s: in use by another sluice process (pid %ld); stop it or use another "
	    "checkpoint directory",
	    dir, (long)pid);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	CU_ASSERT((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	listing(dir, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(before, after);
	/* The holder goes: the lock is free. */
	b = 1;
	CU_ASSERT_EQUAL(write(done[1], &b, 1), 1);
	waitpid(pid, NULL, 0);
	CU_ASSERT_EQUAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	slc_checkpoint_close(c);
	close(ready[0]), close(ready[1]), close(done[0]), close(done[1]);
}

/* A holder killed by SIGKILL leaves no lock behind. */
static void test_lock_dies_with_process(void)
{
	char dir[128];
	slc_checkpoint *c = NULL;
	sl_error err;
	int ready[2];
	pid_t pid;
	char b;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_FATAL(pipe(ready) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		if (slc_checkpoint_open(dir, &c, &err) < 0)
			_exit(2);
		b = 1;
		if (write(ready[1], &b, 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(read(ready[0], &b, 1), 1);
	CU_ASSERT_EQUAL(slc_checkpoint_open(dir, &c, &err), SL_ESTATE);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CU_ASSERT_EQUAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	slc_checkpoint_close(c);
	close(ready[0]), close(ready[1]);
}

/* --- entries --- */

static void test_crc32c(void)
{
	CU_ASSERT_EQUAL(slc_crc32c(0, "123456789", 9), 0xE3069283u);
	CU_ASSERT_EQUAL(slc_crc32c(slc_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	CU_ASSERT_EQUAL(slc_crc32c(0, "", 0), 0);
}

static void write_entry(slc_checkpoint *c, int64_t n, const char *end)
{
	char *names[2] = {"src", "other"}, *ends[2] = {(char *)end, NULL};
	slc_offsets o = {n, 1000 + n, SL_NO_WATERMARK, 2, names, ends, 0, NULL, NULL};
	sl_error err;

	CU_ASSERT_EQUAL(slc_checkpoint_write_offsets(c, &o, &err), SL_OK);
}

static void test_offsets_roundtrip(void)
{
	char dir[128], path[200];
	slc_checkpoint *c;
	slc_offsets o;
	sl_error err;
	bool found;
	char *text;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	write_entry(c, 7, "{\"file\": \"a b\"}");
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_read_offsets(dir, 7, &o, &err), SL_OK);
	CU_ASSERT_EQUAL(o.batch_id, 7);
	CU_ASSERT_EQUAL(o.timestamp_us, 1007);
	CU_ASSERT_EQUAL(o.watermark_us, SL_NO_WATERMARK);
	CU_ASSERT_STRING_EQUAL(slc_offsets_end(&o, "src", &found), "{\"file\": \"a b\"}");
	CU_ASSERT(found);
	CU_ASSERT_PTR_NULL(slc_offsets_end(&o, "other", &found));
	CU_ASSERT(found);
	slc_offsets_end(&o, "nope", &found);
	CU_ASSERT(!found);
	slc_offsets_free(&o);
	/* The file: JSON, then the checksum line. */
	snprintf(path, sizeof(path), "%s/offsets/7", dir);
	text = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"batchId\": 7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "}\ncrc32c "));
	CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
	free(text);
	CU_ASSERT_EQUAL(slc_checkpoint_read_offsets(dir, 8, &o, &err), SL_ENOTFOUND);
	slc_checkpoint_close(c);
}

/* Cuts path to len bytes, or flips the byte at -len from the end. */
static void cut(const char *dir, int64_t n, long len)
{
	char path[200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/offsets/%lld", dir, (long long)n);
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	if (len >= 0) {
		CU_ASSERT_EQUAL(truncate(path, len), 0);
	} else {
		int fd = open(path, O_RDWR);
		char ch;

		CU_ASSERT_EQUAL(pread(fd, &ch, 1, sb.st_size + len), 1);
		ch ^= 0x20;
		CU_ASSERT_EQUAL(pwrite(fd, &ch, 1, sb.st_size + len), 1);
		close(fd);
	}
}

static void unlink_entry(const char *dir, int64_t n)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/offsets/%lld", dir, (long long)n);
	CU_ASSERT_EQUAL(unlink(path), 0);
}

static void test_damaged_entries(void)
{
	char dir[128];
	slc_checkpoint *c;
	slc_offsets o;
	int64_t last;
	sl_error err;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	for (int i = 0; i < 4; i++)
		write_entry(c, i, "x");
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 2, &last, &err), SL_OK);
	CU_ASSERT_EQUAL(last, 3);
	/* Each kind of damage is detected. */
	cut(dir, 3, 20);
	CU_ASSERT_EQUAL(slc_checkpoint_read_offsets(dir, 3, &o, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/3 is damaged (cut short"));
	write_entry(c, 3, "x");
	cut(dir, 3, -19); /* inside the JSON */
	CU_ASSERT_EQUAL(slc_checkpoint_read_offsets(dir, 3, &o, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "checksum mismatch"));
	/* The last entry, after the committed batch: moved aside, replanned. */
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 2, &last, &err), SL_OK);
	CU_ASSERT_EQUAL(last, 2);
	CU_ASSERT(exists(dir, "offsets/3.damaged"));
	CU_ASSERT(!exists(dir, "offsets/3"));
	/* The last entry, but its batch committed: refused. */
	cut(dir, 2, 30);
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 2, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/2 is damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "its batch committed"));
	CU_ASSERT(exists(dir, "offsets/2"));
	/* An earlier entry: refused, naming it. */
	write_entry(c, 2, "x");
	cut(dir, 1, 10);
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 1, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/1 is damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs a person"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, dir));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	/* The committed batch's entry missing, or entries beyond the next. */
	write_entry(c, 1, "x");
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 0, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "beyond the last committed batch 0"));
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 9, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/9 of the last committed batch is missing"));
	/* A damaged last entry beyond the next batch (batch 3 committed,
	 * offsets/5 torn): no crash leaves that, so it is refused, naming it,
	 * and left where it is. */
	for (int i = 2; i <= 5; i++)
		write_entry(c, i, "x");
	unlink_entry(dir, 4);
	cut(dir, 5, 20);
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 3, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/5 is damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "only the entry right after the last committed "
	                                       "batch can be a torn write"));
	CU_ASSERT(exists(dir, "offsets/5"));
	CU_ASSERT(!exists(dir, "offsets/5.damaged"));
	/* ... and so is a valid one there. */
	write_entry(c, 5, "x");
	CU_ASSERT_EQUAL(slc_checkpoint_check_log(c, 3, &last, &err), SL_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offsets/5 is beyond the last committed batch 3"));
	slc_checkpoint_close(c);
}

static int count_entries(const char *dir, const char *sub, int64_t *first)
{
	int64_t *ids;
	size_t n;

	CU_ASSERT_EQUAL(slc_checkpoint_list(dir, sub, &ids, &n), SL_OK);
	*first = n ? ids[0] : -1;
	free(ids);
	return (int)n;
}

static void test_prune(void)
{
	char dir[128];
	slc_checkpoint *c;
	int64_t first;
	sl_error err;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	for (int i = 0; i < 150; i++) {
		write_entry(c, i, "x");
		CU_ASSERT_EQUAL(slc_checkpoint_write_commit(c, i, 0, &err), SL_OK);
	}
	CU_ASSERT_EQUAL(count_entries(dir, "offsets", &first), 100);
	CU_ASSERT_EQUAL(first, 50);
	CU_ASSERT_EQUAL(count_entries(dir, "commits", &first), 100);
	CU_ASSERT_EQUAL(first, 50);
	slc_checkpoint_close(c);
}

static void test_progress_kept(void)
{
	char dir[128], path[200], line[64];
	slc_checkpoint *c;
	sl_error err;
	char *text, *last;
	int lines = 0;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	for (int i = 0; i < 250; i++) {
		snprintf(line, sizeof(line), "{\"batchId\":%d}", i);
		CU_ASSERT_EQUAL(slc_checkpoint_add_progress(c, line, &err), SL_OK);
	}
	slc_checkpoint_close(c);
	/* Reopened, the count goes on from the file. */
	CU_ASSERT_EQUAL_FATAL(slc_checkpoint_open(dir, &c, &err), SL_OK);
	for (int i = 250; i < 450; i++) {
		snprintf(line, sizeof(line), "{\"batchId\":%d}", i);
		CU_ASSERT_EQUAL(slc_checkpoint_add_progress(c, line, &err), SL_OK);
	}
	slc_checkpoint_close(c);
	snprintf(path, sizeof(path), "%s/progress.jsonl", dir);
	text = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	CU_ASSERT(lines >= SLC_CHECKPOINT_KEEP && lines < 2 * SLC_CHECKPOINT_KEEP);
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n');
	CU_ASSERT_STRING_EQUAL(last ? last + 1 : text, "{\"batchId\":449}");
	free(text);
}

/* --- whole runs --- */

#define SRC(batches, rows)                                                                         \
	"  { name = \"src\"; plugin = \"tsrc\"; rows = " #rows "; batches = " #batches "; },\n"
#define CNT(input, extra)                                                                          \
	"  { name = \"cnt\"; plugin = \"tcount\"; input = \"" input "\"; keys = 7; " extra " },\n"
#define OUT                                                                                        \
	"  { name = \"out\"; plugin = \"tsink\"; input = \"cnt\"; path = \"%s/out.txt\"; mode = "      \
	"\"update\"; }\n"

/* Writes DIR/p.conf: a pipeline over checkpoint DIR/chk; stages is a
 * format with one %s (the directory, for tsink's path). */
static void write_pipeline(const char *dir, const char *stages)
{
	char path[200], body[2048], text[4096];

	mkdir(dir, 0700);
	snprintf(body, sizeof(body), stages, dir);
	snprintf(text, sizeof(text),
	         "name = \"t\";\ntrigger = \"available-now\";\ncheckpoint = \"%s/chk\";\nstages = "
	         "(\n%s);\n",
	         dir, body);
	snprintf(path, sizeof(path), "%s/p.conf", dir);
	put_file(path, text);
}

/* Runs DIR/p.conf; err gets the first diagnostic or the run's error. */
static int run(const char *dir, const char *checkpoint, sl_error *err)
{
	slc_overrides ov = {NULL, checkpoint, -1, 0};
	slc_pipeline *p = NULL;
	slc_progress *prog = NULL;
	char path[200];
	slc_diag d;
	int rc;

	snprintf(path, sizeof(path), "%s/p.conf", dir);
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
		/* The crash point's line on stderr is expected. */
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(5);
		run(dir, NULL, &err);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The committed state of stage cnt: the sum of its counts; *committed the
 * last committed batch. */
static int64_t counted(const char *dir, int64_t *committed)
{
	char path[200];
	slc_state *s;
	sl_error err;
	slc_buf v = {0};
	unsigned char key[4 + 8] = {'c', 'n', 't', 0};
	int64_t sum = 0;

	snprintf(path, sizeof(path), "%s/chk/state", dir);
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(path, "test", NULL, &s, &err), SL_OK);
	*committed = slc_state_last_commit(s);
	for (int k = 0; k < 7; k++) {
		memset(key + 4, 0, 8);
		key[11] = (unsigned char)k;
		if (slc_state_get(s, key, sizeof(key), &v, &err) == SL_OK) {
			char text[32];

			memcpy(text, v.data, v.len < 31 ? v.len : 31);
			text[v.len < 31 ? v.len : 31] = '\0';
			sum += strtoll(text, NULL, 10);
		}
	}
	slc_buf_free(&v);
	slc_state_close(s);
	return sum;
}

/* The batch ids tsink wrote, as "0,1,2,". */
static void sink_batches(const char *dir, char *out, size_t n)
{
	char path[200], line[128];
	FILE *f;
	long long b, rows;

	snprintf(path, sizeof(path), "%s/out.txt", dir);
	out[0] = '\0';
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "batch %lld rows %lld", &b, &rows) == 2)
			snprintf(out + strlen(out), n - strlen(out), "%lld,", b);
	if (f)
		fclose(f);
}

static void test_restart_continues(void)
{
	char dir[128], ids[256], path[200];
	int64_t committed;
	sl_error err;
	char *meta, *prog;
	json_t *m, *line;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(3, 5) CNT("src", "") OUT);
	CU_ASSERT_EQUAL_FATAL(run(dir, NULL, &err), SL_OK);
	write_pipeline(dir, SRC(5, 5) CNT("src", "") OUT);
	CU_ASSERT_EQUAL_FATAL(run(dir, NULL, &err), SL_OK);
	sink_batches(dir, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "0,1,2,3,4,");
	CU_ASSERT_EQUAL(counted(dir, &committed), 25);
	CU_ASSERT_EQUAL(committed, 4);
	/* The query id comes from the metadata, in every progress line. */
	snprintf(path, sizeof(path), "%s/chk/metadata", dir);
	meta = slurp(path);
	m = json_loads(meta ? meta : "", 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(m, "stateful"), "cnt"));
	snprintf(path, sizeof(path), "%s/chk/progress.jsonl", dir);
	prog = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
	for (char *p = prog, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		line = json_loads(p, 0, NULL);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(line, "id")),
		                       json_string_value(json_object_get(m, "id")));
		if (json_integer_value(json_object_get(line, "batchId")) == 4) {
			json_t *op = json_array_get(json_object_get(line, "stateOperators"), 0);

			CU_ASSERT_EQUAL(json_integer_value(json_object_get(op, "numRowsTotal")), 7);
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(op, "numRowsUpdated")),
			                5);
		}
		json_decref(line);
	}
	json_decref(m);
	free(meta);
	free(prog);
}

/* Killed at each crash point of batch 2, restarted: batch 2 is replayed
 * and the state counts each of the 30 rows once. */
static void crash_at(const char *point, const char *want_ids)
{
	char dir[128], ids[256], at[64];
	int64_t committed;
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(6, 5) CNT("src", "") OUT);
	snprintf(at, sizeof(at), "%s:2", point);
	run_crashing(dir, at);
	CU_ASSERT_EQUAL(counted(dir, &committed), 10);
	CU_ASSERT_EQUAL(committed, 1);
	CU_ASSERT(exists(dir, "chk/offsets/2"));
	CU_ASSERT(!exists(dir, "chk/commits/2"));
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_OK);
	CU_ASSERT_EQUAL(counted(dir, &committed), 30);
	CU_ASSERT_EQUAL(committed, 5);
	sink_batches(dir, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, want_ids);
}

static void test_crash_offsets_written(void)
{
	crash_at("offsets-written", "0,1,2,3,4,5,");
}

static void test_crash_sinks_done(void)
{
	/* tsink is not idempotent: it wrote batch 2 before the crash. */
	crash_at("sinks-done", "0,1,2,2,3,4,5,");
}

static void test_crash_state_commit(void)
{
	crash_at("state-commit", "0,1,2,2,3,4,5,");
}

static void test_failed_batch_not_committed(void)
{
	char dir[128];
	int64_t committed;
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(4, 5) CNT("src", "fail_at_batch = 2;") OUT);
	CU_ASSERT(run(dir, NULL, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stage 'cnt': failing at batch 2"));
	CU_ASSERT_EQUAL(counted(dir, &committed), 10);
	CU_ASSERT_EQUAL(committed, 1);
	write_pipeline(dir, SRC(4, 5) CNT("src", "") OUT);
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_OK);
	CU_ASSERT_EQUAL(counted(dir, &committed), 20);
	CU_ASSERT_EQUAL(committed, 3);
}

static void test_compatible_changes(void)
{
	char dir[128], ids[256];
	int64_t committed;
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(2, 5) CNT("src", "exprs = [\"id + 1\"];") OUT);
	CU_ASSERT_EQUAL_FATAL(run(dir, NULL, &err), SL_OK);
	/* A filter added upstream, another source rate, the expression
	 * re-spaced, a non-expression option changed: all accepted. */
	write_pipeline(dir,
	               SRC(4, 3) "  { name = \"f\"; plugin = \"tmap\"; input = \"src\"; },\n" CNT(
	                   "f", "exprs = [\"id   +\n 1 \"]; fail_at_batch = 99;") OUT);
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_OK);
	if (err.msg[0])
		fprintf(stderr, "\n%s\n", err.msg);
	sink_batches(dir, ids, sizeof(ids));
	CU_ASSERT_STRING_EQUAL(ids, "0,1,2,3,");
	CU_ASSERT_EQUAL(counted(dir, &committed), 10 + 6);
}

static void test_incompatible_change(void)
{
	char dir[128], before[8192], after[8192], want[600];
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(2, 5) CNT("src", "exprs = [\"id + 1\"];") OUT);
	CU_ASSERT_EQUAL_FATAL(run(dir, NULL, &err), SL_OK);
	write_pipeline(dir, SRC(4, 5) CNT("src", "exprs = [\"id + 2\"];") OUT);
	listing(dir, before, sizeof(before));
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_ESTATE);
	/* At the option's line, naming the stage, the option, both values
	 * and the checkpoint. */
	snprintf(want, sizeof(want),
	         "%s/p.conf:6: stage 'cnt': option 'exprs' changed from [\"id + 1\"] to "
	         "[\"id + 2\"], but the stage's state in checkpoint %s/chk was built under the old "
	         "one; restore it or use a new checkpoint directory",
	         dir, dir);
	CU_ASSERT_STRING_EQUAL(err.msg, want);
	/* Only the state environment's own files may move (recovery ran). */
	listing(dir, after, sizeof(after));
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "./chk/metadata "));
	{
		char *a = strstr(before, "./chk/metadata "), *b = strstr(after, "./chk/metadata ");

		CU_ASSERT(a && b && strncmp(a, b, strcspn(a, "\n")) == 0);
	}
	CU_ASSERT(!exists(dir, "chk/offsets/2"));
	/* A changed input schema is incompatible too. */
	write_pipeline(dir, "  { name = \"src\"; plugin = \"tsrc\"; nested = true; },\n" CNT(
	                        "src", "exprs = [\"id + 1\"];") OUT);
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_ESTATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stage 'cnt': its input schema changed from "
	                                       "'STRUCT<id: BIGINT NOT NULL, name: STRING>' to "
	                                       "'STRUCT<id: BIGINT NOT NULL, name: STRING, info: "));
	/* So is an option that is neither an expression nor flagged as not
	 * shaping state: a plain number of keys. */
	write_pipeline(dir, SRC(2, 5) "  { name = \"cnt\"; plugin = \"tcount\"; input = \"src\";\n"
	                              "    keys = 9; exprs = [\"id + 1\"]; },\n" OUT);
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_ESTATE);
	snprintf(want, sizeof(want), "%s/p.conf:7: stage 'cnt': option 'keys' changed from 7 to 9",
	         dir);
	CU_ASSERT_NSTRING_EQUAL(err.msg, want, strlen(want));
}

/* The fingerprint string sluice wrote before the records, for stage
 * `name` of the pipeline in dir. */
static void old_fingerprint(const char *dir, const char *name, char out[40])
{
	slc_overrides ov = {NULL, NULL, -1, 0};
	slc_pipeline *p = NULL;
	const sl_schema *inputs[4];
	const slc_stage *st;
	char path[200], before[17], after[17];
	slc_diag d;

	snprintf(path, sizeof(path), "%s/p.conf", dir);
	slc_diag_init(&d);
	CU_ASSERT_EQUAL_FATAL(slc_session_open(path, &ov, &p, &d), SL_OK);
	st = slc_pipeline_stage(p, name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (size_t i = 0; i < st->n_inputs && i < 4; i++)
		inputs[i] = st->inputs[i]->schema;
	CU_ASSERT_EQUAL(slc_fingerprint_before(st, inputs, before), SL_OK);
	CU_ASSERT_EQUAL(slc_fingerprint_after(st, after), SL_OK);
	snprintf(out, 40, "%s.%s", before, after);
	slc_pipeline_free(p);
	slc_diag_free(&d);
}

static void set_stateful(const char *dir, const char *name, const char *fp)
{
	char path[200];
	json_t *m;

	snprintf(path, sizeof(path), "%s/chk/metadata", dir);
	m = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	json_object_set_new(json_object_get(m, "stateful"), name, json_string(fp));
	CU_ASSERT_EQUAL(json_dump_file(m, path, JSON_INDENT(2)), 0);
	json_decref(m);
}

/* A checkpoint written before the records holds a fingerprint string: it
 * is compared as before, then upgraded to a record. */
static void test_old_fingerprint(void)
{
	char dir[128], path[200], fp[40];
	json_t *m, *st;
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(2, 5) CNT("src", "exprs = [\"id + 1\"];") OUT);
	CU_ASSERT_EQUAL_FATAL(run(dir, NULL, &err), SL_OK);
	old_fingerprint(dir, "cnt", fp);
	set_stateful(dir, "cnt", fp);
	write_pipeline(dir, SRC(4, 5) CNT("src", "exprs = [\"id + 1\"];") OUT);
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_OK);
	snprintf(path, sizeof(path), "%s/chk/metadata", dir);
	m = json_load_file(path, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	st = json_object_get(json_object_get(m, "stateful"), "cnt");
	CU_ASSERT(json_is_object(st));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(st, "options"), "keys")),
	                7);
	json_decref(m);
	/* An old fingerprint that does not match is refused. */
	set_stateful(dir, "cnt", "0000000000000000.0000000000000000");
	CU_ASSERT_EQUAL(run(dir, NULL, &err), SL_ESTATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "stage 'cnt': changed incompatibly"));
}

/* --checkpoint wins over the file's. */
static void test_checkpoint_override(void)
{
	char dir[128], other[200];
	int64_t committed;
	sl_error err;

	new_dir(dir, sizeof(dir));
	write_pipeline(dir, SRC(2, 5) CNT("src", "") OUT);
	snprintf(other, sizeof(other), "%s/elsewhere/chk", dir);
	CU_ASSERT_EQUAL(run(dir, other, &err), SL_OK);
	CU_ASSERT(exists(dir, "elsewhere/chk/metadata"));
	CU_ASSERT(!exists(dir, "chk"));
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	CU_ASSERT_EQUAL(counted(other, &committed), 10);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	    {"lock held by another process", test_lock_second_process},
	    {"lock released when its holder is killed", test_lock_dies_with_process},
	    {"crc32c", test_crc32c},
	    {"offsets entry round trip", test_offsets_roundtrip},
	    {"damaged entries", test_damaged_entries},
	    {"old entries pruned", test_prune},
	    {"progress lines kept", test_progress_kept},
	    {"restart continues batch ids, stable query id", test_restart_continues},
	    {"crash at offsets-written", test_crash_offsets_written},
	    {"crash at sinks-done", test_crash_sinks_done},
	    {"crash at state-commit", test_crash_state_commit},
	    {"failed batch not committed", test_failed_batch_not_committed},
	    {"compatible changes accepted", test_compatible_changes},
	    {"incompatible change refused", test_incompatible_change},
    {"fingerprint of an older checkpoint", test_old_fingerprint},
	    {"--checkpoint override", test_checkpoint_override},
	};
	const char *build = getenv("SLUICE_BUILDDIR");
	char mods[600], cmd[128];
	CU_pSuite suite;
	unsigned failures;

	snprintf(tmp, sizeof(tmp), "/tmp/sluice-chk.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(mods, sizeof(mods), "%s/tests/modules/.libs:%s/tests/modules/state/.libs",
	         build ? build : ".", build ? build : ".");
	setenv("SLUICE_PLUGIN_PATH", mods, 1);
	unsetenv("SLUICE_CRASH_AT");
	slc_log_set_level(SL_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("checkpoint", NULL, NULL);
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
