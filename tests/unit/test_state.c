/* test_state.c - the state store (core/state*.c): the sl_state_* API over
 * the in-memory and the Berkeley DB stores, namespaces, scans, large
 * values, transactions (commit, abort, a process killed mid-transaction),
 * the DB_CONFIG refusal, bounded log files, and the time to commit a batch
 * that changed 10,000 keys (printed). */
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

#include "config/pipeline.h"
#include "run/host.h"
#include "store/state.h"

static char tmp[64];
static int dir_seq;

/* A fresh directory under tmp. */
static void new_dir(char *buf, size_t n)
{
	snprintf(buf, n, "%s/d%d", tmp, dir_seq++);
	mkdir(buf, 0700);
}

/* A pipeline with stages named as given, enough for host->state. */
typedef struct fake {
	slc_pipeline p;
	slc_stage st[3];
} fake;

static void fake_init(fake *f, slc_state *store)
{
	static const char *const names[] = {"a", "ab", "b"};

	memset(f, 0, sizeof(*f));
	f->p.state = store;
	for (int i = 0; i < 3; i++) {
		f->st[i].base.host = slc_host();
		f->st[i].pipeline = &f->p;
		f->st[i].name = (char *)names[i];
	}
}

static void fake_free(fake *f)
{
	for (int i = 0; i < 3; i++) {
		slc_buf_free(&f->st[i].state_key);
		slc_buf_free(&f->st[i].state_val);
	}
	slc_state_close(f->p.state);
}

static sl_stage *stage(fake *f, int i)
{
	return &f->st[i].base;
}

static int64_t get_int(sl_stage *st, const char *key)
{
	const void *val;
	size_t vlen;
	char text[32];
	sl_error err;

	if (sl_state_get(st, key, strlen(key), &val, &vlen, &err) != SL_OK || vlen >= sizeof(text))
		return -1;
	memcpy(text, val, vlen);
	text[vlen] = '\0';
	return strtoll(text, NULL, 10);
}

static int put_int(sl_stage *st, const char *key, int64_t v)
{
	char text[32];
	sl_error err;

	snprintf(text, sizeof(text), "%lld", (long long)v);
	return sl_state_put(st, key, strlen(key), text, strlen(text), &err);
}

typedef struct collected {
	char keys[64][16];
	int n;
	int stop_after;
	sl_stage *peek; /* get() from inside the callback */
} collected;

static int collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	collected *c = arg;

	(void)val, (void)vlen;
	if (c->n < 64 && klen < 16) {
		memcpy(c->keys[c->n], key, klen);
		c->keys[c->n][klen] = '\0';
	}
	c->n++;
	if (c->peek != NULL)
		get_int(c->peek, "k1");
	return c->stop_after > 0 && c->n >= c->stop_after;
}

/* The same checks for both kinds of store. */
static void exercise(slc_state *store, int durable)
{
	fake f;
	collected c;
	sl_error err;
	const void *val;
	size_t vlen;

	fake_init(&f, store);
	CU_ASSERT_EQUAL(sl_state_durable(stage(&f, 0)), durable);
	CU_ASSERT_EQUAL(slc_state_begin(store, &err), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k2", 2), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k1", 1), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "x", 9), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 1), "k1", 100), SL_OK); /* stage "ab" */
	CU_ASSERT_EQUAL(put_int(stage(&f, 2), "k1", 200), SL_OK);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k1"), 1);
	CU_ASSERT_EQUAL(get_int(stage(&f, 1), "k1"), 100);
	CU_ASSERT_EQUAL(sl_state_get(stage(&f, 0), "zz", 2, &val, &vlen, &err), SL_ENOTFOUND);
	/* Replace, delete (also of an absent key). */
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k2", 22), SL_OK);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k2"), 22);
	CU_ASSERT_EQUAL(sl_state_del(stage(&f, 0), "x", 1, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_state_del(stage(&f, 0), "x", 1, &err), SL_OK);
	/* Scan: the stage's keys only, in order, without the prefix. */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sl_state_scan(stage(&f, 0), NULL, 0, collect, &c, &err), SL_OK);
	CU_ASSERT_EQUAL(c.n, 2);
	CU_ASSERT_STRING_EQUAL(c.keys[0], "k1");
	CU_ASSERT_STRING_EQUAL(c.keys[1], "k2");
	/* A prefix, a stop, a get from inside the callback. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	c.peek = stage(&f, 0);
	CU_ASSERT_EQUAL(sl_state_scan(stage(&f, 0), "k", 1, collect, &c, &err), SL_OK);
	CU_ASSERT_EQUAL(c.n, 1);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sl_state_scan(stage(&f, 0), "q", 1, collect, &c, &err), SL_OK);
	CU_ASSERT_EQUAL(c.n, 0);
	/* Clear: only stage "a" (not "ab", whose name it prefixes). */
	CU_ASSERT_EQUAL(sl_state_clear(stage(&f, 0), &err), SL_OK);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sl_state_scan(stage(&f, 0), NULL, 0, collect, &c, &err), SL_OK);
	CU_ASSERT_EQUAL(c.n, 0);
	CU_ASSERT_EQUAL(get_int(stage(&f, 1), "k1"), 100);
	CU_ASSERT_EQUAL(get_int(stage(&f, 2), "k1"), 200);
	/* Binary keys and an empty value. */
	CU_ASSERT_EQUAL(sl_state_put(stage(&f, 0), "\0\1", 2, "", 0, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_state_get(stage(&f, 0), "\0\1", 2, &val, &vlen, &err), SL_OK);
	CU_ASSERT_EQUAL(vlen, 0);
	CU_ASSERT_EQUAL(slc_state_commit(store, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_state_last_commit(store), 0);
	f.p.state = NULL; /* the caller closes */
	fake_free(&f);
}

static void test_memory(void)
{
	slc_state *s;
	sl_error err;

	CU_ASSERT_EQUAL_FATAL(slc_state_open_memory(&s, &err), SL_OK);
	exercise(s, 0);
	slc_state_close(s);
}

static void test_durable(void)
{
	char dir[128];
	slc_state *s;
	sl_error err;
	fake f;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "test", NULL, &s, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_state_last_commit(s), -1);
	exercise(s, 1);
	slc_state_close(s);
	/* Reopened: batch 0's writes and commit record are there. */
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "test", NULL, &s, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_state_last_commit(s), 0);
	fake_init(&f, s);
	CU_ASSERT_EQUAL(get_int(stage(&f, 1), "k1"), 100);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k1"), -1); /* cleared */
	fake_free(&f);
}

/* Without a store the pipeline opens an in-memory one on first use. */
static void test_lazy_memory(void)
{
	fake f;

	fake_init(&f, NULL);
	CU_ASSERT_EQUAL(sl_state_durable(stage(&f, 0)), 0);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k", 5), SL_OK);
	CU_ASSERT_PTR_NOT_NULL(f.p.state);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k"), 5);
	fake_free(&f);
}

static void test_large_values(void)
{
	size_t big = 300000;
	char *v = malloc(big);
	const void *got;
	size_t glen;
	slc_state *s;
	sl_error err;
	fake f;

	CU_ASSERT_EQUAL_FATAL(slc_state_open_memory(&s, &err), SL_OK);
	fake_init(&f, s);
	for (size_t i = 0; i < big; i++)
		v[i] = (char)('a' + i % 26);
	CU_ASSERT_EQUAL(sl_state_put(stage(&f, 0), "big", 3, v, big, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_state_put(stage(&f, 0), "small", 5, "x", 1, &err), SL_OK);
	CU_ASSERT_EQUAL(sl_state_get(stage(&f, 0), "small", 5, &got, &glen, &err), SL_OK);
	CU_ASSERT_EQUAL(glen, 1);
	CU_ASSERT_EQUAL(sl_state_get(stage(&f, 0), "big", 3, &got, &glen, &err), SL_OK);
	CU_ASSERT_EQUAL(glen, big);
	CU_ASSERT(glen == big && memcmp(got, v, big) == 0);
	fake_free(&f);
	free(v);
}

static void test_abort(void)
{
	char dir[128];
	slc_state *s;
	sl_error err;
	fake f;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "test", NULL, &s, &err), SL_OK);
	fake_init(&f, s);
	CU_ASSERT_EQUAL(slc_state_begin(s, &err), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k", 1), SL_OK);
	CU_ASSERT_EQUAL(slc_state_commit(s, 0, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_state_begin(s, &err), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k", 2), SL_OK);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k"), 2);
	slc_state_abort(s);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k"), 1);
	CU_ASSERT_EQUAL(slc_state_last_commit(s), 0);
	fake_free(&f);
}

/* A child commits batch 0, then dies by SIGKILL in the middle of batch 1's
 * transaction; the parent reopens (recovery) and sees batch 0 only. */
static void test_killed_mid_transaction(void)
{
	char dir[128];
	slc_state *s;
	sl_error err;
	int status;
	pid_t pid;
	fake f;

	new_dir(dir, sizeof(dir));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		char key[32];

		if (slc_state_open_durable(dir, "child", NULL, &s, &err) < 0)
			_exit(2);
		fake_init(&f, s);
		slc_state_begin(s, &err);
		put_int(stage(&f, 0), "k", 1);
		for (int i = 0; i < 1000; i++) {
			snprintf(key, sizeof(key), "first%04d", i);
			put_int(stage(&f, 0), key, i);
		}
		if (slc_state_commit(s, 0, &err) < 0)
			_exit(3);
		slc_state_begin(s, &err);
		put_int(stage(&f, 0), "k", 2);
		sl_state_clear(stage(&f, 2), &err);
		/* Enough writes that some reach the log and the pages. */
		for (int i = 0; i < 20000; i++) {
			snprintf(key, sizeof(key), "second%05d", i);
			put_int(stage(&f, 0), key, i);
		}
		slc_state_maintain(s, &err); /* dirty pages of the open transaction hit the disk */
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_FATAL(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "parent", NULL, &s, &err), SL_OK);
	CU_ASSERT_EQUAL(slc_state_last_commit(s), 0);
	fake_init(&f, s);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "k"), 1);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "first0999"), 999);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "second00000"), -1);
	CU_ASSERT_EQUAL(get_int(stage(&f, 0), "second19999"), -1);
	/* And it works on: batch 1 again. */
	CU_ASSERT_EQUAL(slc_state_begin(s, &err), SL_OK);
	CU_ASSERT_EQUAL(put_int(stage(&f, 0), "k", 3), SL_OK);
	CU_ASSERT_EQUAL(slc_state_commit(s, 1, &err), SL_OK);
	fake_free(&f);
}

static void test_db_config_refused(void)
{
	char dir[128], path[160];
	slc_state *s = NULL;
	sl_error err;
	FILE *fp;

	new_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/DB_CONFIG", dir);
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("set_flags DB_TXN_NOSYNC\n", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(slc_state_open_durable(dir, "checkpoint /x", NULL, &s, &err), SL_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "checkpoint /x: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "DB_CONFIG exists"));
	CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
	/* Nothing was created beside it. */
	snprintf(path, sizeof(path), "%s/__db.001", dir);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
}

static int count_logs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, "log.", 4) == 0;
	if (d)
		closedir(d);
	return n;
}

/* 300 batches writing ~9 MB of log in 256 KiB files: without archiving
 * that is ~35 files; with a checkpoint every 10 batches only a few stay. */
static void test_logs_bounded(void)
{
	slc_state_config cfg = {.log_file_bytes = 256 * 1024, .checkpoint_every = 10};
	char dir[128], key[32], val[100];
	slc_state *s;
	sl_error err;
	fake f;
	int most = 0, n;

	new_dir(dir, sizeof(dir));
	memset(val, 'v', sizeof(val));
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "test", &cfg, &s, &err), SL_OK);
	fake_init(&f, s);
	for (int b = 0; b < 300; b++) {
		CU_ASSERT_EQUAL_FATAL(slc_state_begin(s, &err), SL_OK);
		for (int i = 0; i < 100; i++) {
			snprintf(key, sizeof(key), "key%03d", i);
			CU_ASSERT_EQUAL_FATAL(
			    sl_state_put(stage(&f, 0), key, strlen(key), val, sizeof(val), &err),
			    SL_OK);
		}
		CU_ASSERT_EQUAL_FATAL(slc_state_commit(s, b, &err), SL_OK);
		n = count_logs(dir);
		most = n > most ? n : most;
	}
	fake_free(&f);
	printf("\n  log files: at most %d during 300 batches (%d at the end)\n", most,
	       count_logs(dir));
	CU_ASSERT(most <= 6);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The benchmark figure: a batch that changed 10,000 keys, put in the
 * batch's transaction and committed with its commit record (DB_TXN_SYNC). */
static void test_commit_10k_keys(void)
{
	enum { KEYS = 10000, ROUNDS = 21 };
	double put_ms[ROUNDS], commit_ms[ROUNDS], total[ROUNDS], ckp;
	char dir[128], key[16], val[16];
	struct timespec t0, t1;
	slc_state *s;
	sl_error err;
	fake f;

	new_dir(dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(slc_state_open_durable(dir, "test", NULL, &s, &err), SL_OK);
	fake_init(&f, s);
	for (int r = 0; r < ROUNDS; r++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CU_ASSERT_EQUAL_FATAL(slc_state_begin(s, &err), SL_OK);
		for (int i = 0; i < KEYS; i++) {
			int kl = snprintf(key, sizeof(key), "word%05d", i);
			int vl = snprintf(val, sizeof(val), "%d", r * KEYS + i);

			CU_ASSERT_EQUAL_FATAL(
			    sl_state_put(stage(&f, 0), key, (size_t)kl, val, (size_t)vl, &err),
			    SL_OK);
		}
		put_ms[r] = ms_since(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CU_ASSERT_EQUAL_FATAL(slc_state_commit(s, r, &err), SL_OK);
		commit_ms[r] = ms_since(&t1);
		total[r] = ms_since(&t0);
	}
	fake_free(&f);
	/* Commits 10 and 20 also checkpoint the environment (every 10). */
	ckp = (total[9] + total[19]) / 2;
	/* Round 0 inserts; the rest update every key.  Medians of the updates. */
	qsort(put_ms + 1, ROUNDS - 1, sizeof(double), cmp_double);
	qsort(commit_ms + 1, ROUNDS - 1, sizeof(double), cmp_double);
	qsort(total + 1, ROUNDS - 1, sizeof(double), cmp_double);
	printf("\n  state store: a batch that changed 10,000 keys: %.1f ms (puts %.1f ms + "
	       "commit %.1f ms, median of %d; first insert %.1f ms; a batch that also "
	       "checkpoints the environment, every 10th: %.1f ms)\n",
	       total[ROUNDS / 2], put_ms[ROUNDS / 2], commit_ms[ROUNDS / 2], ROUNDS - 1, total[0],
	       ckp);
	CU_ASSERT(total[ROUNDS / 2] < 5000.0);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;
	char cmd[128];

	snprintf(tmp, sizeof(tmp), "/tmp/sluice-state.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("state", NULL, NULL);
	CU_add_test(suite, "in-memory store", test_memory);
	CU_add_test(suite, "durable store, reopened", test_durable);
	CU_add_test(suite, "in-memory store opened on first use", test_lazy_memory);
	CU_add_test(suite, "large values", test_large_values);
	CU_add_test(suite, "abort drops the batch's writes", test_abort);
	CU_add_test(suite, "process killed mid-transaction", test_killed_mid_transaction);
	CU_add_test(suite, "DB_CONFIG is refused", test_db_config_refused);
	CU_add_test(suite, "log files stay bounded", test_logs_bounded);
	CU_add_test(suite, "commit of 10,000 changed keys", test_commit_10k_keys);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return failures ? 1 : 0;
}
