/* bench_pipeline - throughput of whole sluice pipelines beside a plain C loop
 * over the same data, measured in the same run.  Not a test: it prints
 * numbers and never fails on them.
 *
 *   bench_pipeline [ROWS]
 *
 * Each benchmark runs the real `sluice run` on a file in pipelines/bench/ as
 * a child process and charges it the child's CPU time (user + system, from
 * wait4), so "rows/s per core" is rows / CPU-seconds whatever the machine's
 * load.  The reference is a hand-written loop doing the same work on the same
 * values in this process.
 *
 * The 10,000-key aggregate also runs with the state store on (a checkpoint
 * directory: offsets logged and fsynced, the changed groups written to
 * Berkeley DB in each batch's transaction, committed synchronously) beside
 * the in-memory run, alternating, the median of three of each.  Then a
 * pipeline whose every batch changes all 10,000 keys measures what a batch
 * costs with and without the store: the median per-batch durations from the
 * progress reports, and their difference, the time to commit the batch.
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 1048576

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct run_opts {
	const char *conf;
	const char *rows;
	const char *keys;       /* BENCH_KEYS, or NULL */
	const char *checkpoint; /* --checkpoint DIR, or NULL: state in memory */
	const char *progress;   /* --progress, the child's stderr into this file */
} run_opts;

/* Runs sluice on a pipeline; returns CPU seconds or < 0. */
static double run_sluice(const char *bin, const run_opts *o, double *wall)
{
	struct rusage ru;
	int status;
	double t0 = wall_now();
	pid_t pid;

	fflush(stdout); /* or the child would print our buffer again */
	pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		const char *argv[8];
		int n = 0;
		setenv("BENCH_ROWS", o->rows, 1);
		if (o->keys)
			setenv("BENCH_KEYS", o->keys, 1);
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		if (o->progress && !freopen(o->progress, "w", stderr))
			_exit(127);
		argv[n++] = bin;
		argv[n++] = "run";
		argv[n++] = o->conf;
		if (o->checkpoint) {
			argv[n++] = "--checkpoint";
			argv[n++] = o->checkpoint;
		}
		if (o->progress)
			argv[n++] = "--progress";
		argv[n] = NULL;
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*wall = wall_now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: sluice run %s%s failed (status %d)\n", o->conf,
		        o->checkpoint ? " --checkpoint" : "", status);
		return -1;
	}
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* A fresh checkpoint directory under dir (removed by rm_rf). */
static void fresh_dir(char *out, size_t n, const char *dir, const char *name)
{
	static int seq;
	snprintf(out, n, "%s/%s-%d", dir, name, seq++);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void rm_rf(const char *path)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		fprintf(stderr, "bench: could not remove %s: %s\n", path, strerror(errno));
}

/* Reference for rate -> filter(value % 2 = 0) -> select(timestamp, value*3+1):
 * generate the two columns, filter, project, per chunk. */
static double ref_stateless(int64_t rows, int64_t *sink)
{
	int64_t *ts = malloc(CHUNK * sizeof(int64_t)), *val = malloc(CHUNK * sizeof(int64_t));
	int64_t *ots = malloc(CHUNK * sizeof(int64_t)), *oval = malloc(CHUNK * sizeof(int64_t));
	int64_t acc = 0;
	double t0 = cpu_now();

	for (int64_t base = 0; base < rows; base += CHUNK) {
		int64_t n = rows - base < CHUNK ? rows - base : CHUNK, m = 0;
		for (int64_t i = 0; i < n; i++) {
			val[i] = base + i;
			ts[i] = 1700000000000000LL + base + i;
		}
		for (int64_t i = 0; i < n; i++) {
			if (val[i] % 2 == 0) {
				ots[m] = ts[i];
				oval[m] = val[i] * 3 + 1;
				m++;
			}
		}
		acc += m + oval[m ? m - 1 : 0] + ots[0];
	}
	*sink = acc;
	free(ts), free(val), free(ots), free(oval);
	return cpu_now() - t0;
}

/* Reference for rate -> select(value % K AS key, value) -> aggregate(count,
 * sum) by key: an open-addressing hash table, as any plain C program would. */
static double ref_aggregate(int64_t rows, int64_t nkeys, int64_t *sink)
{
	size_t cap = 1;
	while (cap < (size_t)nkeys * 2)
		cap <<= 1;
	int64_t *keys = malloc(cap * sizeof(int64_t)), *cnt = calloc(cap, sizeof(int64_t));
	int64_t *sum = calloc(cap, sizeof(int64_t)), *val = malloc(CHUNK * sizeof(int64_t));
	int64_t *key = malloc(CHUNK * sizeof(int64_t));
	char *used = calloc(cap, 1);
	int64_t acc = 0;
	double t0 = cpu_now();

	for (int64_t base = 0; base < rows; base += CHUNK) {
		int64_t n = rows - base < CHUNK ? rows - base : CHUNK;
		for (int64_t i = 0; i < n; i++) {
			val[i] = base + i;
			key[i] = val[i] % nkeys;
		}
		for (int64_t i = 0; i < n; i++) {
			uint64_t h = (uint64_t)key[i] * 0x9E3779B97F4A7C15ULL;
			size_t s = (size_t)(h >> 32) & (cap - 1);
			while (used[s] && keys[s] != key[i])
				s = (s + 1) & (cap - 1);
			if (!used[s]) {
				used[s] = 1;
				keys[s] = key[i];
			}
			cnt[s]++;
			sum[s] += val[i];
		}
	}
	for (size_t s = 0; s < cap; s++)
		acc += cnt[s] ^ sum[s];
	*sink = acc;
	free(keys), free(cnt), free(sum), free(val), free(key), free(used);
	return cpu_now() - t0;
}

static void report(const char *name, int64_t rows, size_t row_bytes, double cpu, double wall,
                   double ref_cpu, double target)
{
	double rps = (double)rows / cpu, ref = (double)rows / ref_cpu;
	printf("%-34s %11" PRId64 " %8.3f %8.3f %14.0f %9.1f %14.0f %7.1f%%  %s %.0fM\n", name,
	       rows, cpu, wall, rps, rps * (double)row_bytes / 1e6, ref, 100.0 * rps / ref,
	       rps >= target ? "meets" : "MISSES", target / 1e6);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The 10,000-key aggregate in memory and with the state store, alternating,
 * three runs of each; the medians are reported. */
static void bench_state(const char *bin, const char *conf, const char *tmp, const char *rows_s,
                        int64_t rows, double ref)
{
	enum { RUNS = 3 };
	double cpu[2][RUNS], wall[2][RUNS];
	size_t n[2] = {0, 0};
	char chk[4200];

	for (int r = 0; r < RUNS; r++) {
		for (int durable = 0; durable < 2; durable++) {
			double w, c;
			fresh_dir(chk, sizeof(chk), tmp, "chk");
			c = run_sluice(bin,
			               &(run_opts){.conf = conf,
			                           .rows = rows_s,
			                           .keys = "10000",
			                           .checkpoint = durable ? chk : NULL},
			               &w);
			rm_rf(chk);
			if (c > 0) {
				cpu[durable][n[durable]] = c;
				wall[durable][n[durable]++] = w;
			}
		}
	}
	if (n[0] == 0 || n[1] == 0)
		return;
	double c0 = median(cpu[0], n[0]), c1 = median(cpu[1], n[1]);
	double w0 = median(wall[0], n[0]), w1 = median(wall[1], n[1]);
	report("rate>aggregate(10,000 keys)", rows, 16, c0, w0, ref, 5e6);
	report("  ... with the state store", rows, 16, c1, w1, ref, 5e6);
	printf("state store: %.1f%% of the in-memory rows/s per core (CPU), %.1f%% by wall clock "
	       "(target: within 10%%: %s)\n",
	       100.0 * c0 / c1, 100.0 * w0 / w1, c1 <= c0 * 1.10 ? "meets" : "MISSES");
}

/* Median per-batch durations (ms) from a --progress file, skipping the
 * first `skip` batches; *n receives the batches counted.  Fills names/vals
 * with each durationMs member, in order. */
static size_t progress_durations(const char *path, int skip, char names[][32], double *vals,
                                 size_t max, size_t *n_batches)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n_names = 0, n = 0, alloc = 0;
	double **per = calloc(max, sizeof(*per));

	*n_batches = 0;
	if (f == NULL || per == NULL) {
		free(per);
		if (f)
			fclose(f);
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL), *d;
		const char *k;
		json_t *v;
		if (o == NULL)
			continue;
		d = json_object_get(o, "durationMs");
		if (!json_is_object(d) ||
		    json_integer_value(json_object_get(o, "batchId")) < skip) {
			json_decref(o);
			continue;
		}
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			for (size_t i = 0; i < max; i++)
				per[i] = realloc(per[i], alloc * sizeof(double));
		}
		for (size_t i = 0; i < n_names; i++)
			per[i][n] = 0;
		json_object_foreach(d, k, v)
		{
			size_t i = 0;
			while (i < n_names && strcmp(names[i], k) != 0)
				i++;
			if (i == n_names && n_names < max) {
				snprintf(names[n_names++], 32, "%s", k);
				for (size_t j = 0; j < n; j++)
					per[i][j] = 0;
			}
			if (i < n_names)
				per[i][n] = json_number_value(v);
		}
		n++;
		json_decref(o);
	}
	for (size_t i = 0; i < n_names; i++)
		vals[i] = median(per[i], n);
	for (size_t i = 0; i < max; i++)
		free(per[i]);
	free(per);
	free(line);
	fclose(f);
	*n_batches = n;
	return n_names;
}

/* Every batch changes all 10,000 keys: what a batch costs in memory and
 * with the state store. */
static void bench_commit(const char *bin, const char *tmp)
{
	enum { BATCHES = 60, SKIP = 5, MAXD = 16 };
	char conf[4200], prog[2][4200], chk[4200], rows_s[32];
	char names[2][MAXD][32];
	double vals[2][MAXD], cpu[2], wall[2];
	size_t nn[2], nb[2];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/commit.conf", tmp);
	f = fopen(conf, "w");
	if (f == NULL)
		return;
	fprintf(f, "name = \"bench_commit\";\n"
	           "trigger = \"available-now\";\n"
	           "stages = (\n"
	           "  { name = \"gen\"; plugin = \"rate\"; rows_per_second = 0;\n"
	           "    total = \"${BENCH_ROWS}\"; rows_per_batch = 10000; },\n"
	           "  { name = \"keyed\"; plugin = \"select\"; input = \"gen\";\n"
	           "    exprs = [ \"value %% 10000 AS key\", \"value\" ]; },\n"
	           "  { name = \"agg\"; plugin = \"aggregate\"; input = \"keyed\";\n"
	           "    group_by = [ \"key\" ];\n"
	           "    aggregates = [ \"count(*) AS n\", \"sum(value) AS total\" ]; },\n"
	           "  { name = \"sink\"; plugin = \"discard\"; input = \"agg\"; mode = "
	           "\"update\"; }\n"
	           ");\n");
	fclose(f);
	snprintf(rows_s, sizeof(rows_s), "%d", BATCHES * 10000);
	for (int durable = 0; durable < 2; durable++) {
		snprintf(prog[durable], sizeof(prog[durable]), "%s/progress-%d.jsonl", tmp,
		         durable);
		fresh_dir(chk, sizeof(chk), tmp, "commit");
		cpu[durable] = run_sluice(bin,
		                          &(run_opts){.conf = conf,
		                                      .rows = rows_s,
		                                      .checkpoint = durable ? chk : NULL,
		                                      .progress = prog[durable]},
		                          &wall[durable]);
		rm_rf(chk);
		if (cpu[durable] < 0)
			return;
		nn[durable] = progress_durations(prog[durable], SKIP, names[durable], vals[durable],
		                                 MAXD, &nb[durable]);
	}
	printf("\nbatches that change all 10,000 keys (%d batches of 10,000 rows; medians of "
	       "batches %d..%d, ms):\n",
	       BATCHES, SKIP, BATCHES - 1);
	printf("  %-22s %12s %12s %12s\n", "durationMs", "in memory", "state store", "difference");
	for (size_t i = 0; i < nn[1]; i++) {
		double m = 0;
		for (size_t j = 0; j < nn[0]; j++)
			if (strcmp(names[0][j], names[1][i]) == 0)
				m = vals[0][j];
		printf("  %-22s %12.1f %12.1f %12.1f\n", names[1][i], m, vals[1][i],
		       vals[1][i] - m);
	}
	printf("  %-22s %12.1f %12.1f %12.1f\n", "wall per batch", 1000 * wall[0] / BATCHES,
	       1000 * wall[1] / BATCHES, 1000 * (wall[1] - wall[0]) / BATCHES);
	printf("  %-22s %12.1f %12.1f %12.1f\n", "cpu per batch", 1000 * cpu[0] / BATCHES,
	       1000 * cpu[1] / BATCHES, 1000 * (cpu[1] - cpu[0]) / BATCHES);
	for (size_t i = 0; i < nn[1]; i++) {
		if (strcmp(names[1][i], "triggerExecution") != 0)
			continue;
		for (size_t j = 0; j < nn[0]; j++)
			if (strcmp(names[0][j], "triggerExecution") == 0)
				printf(
				    "commit of a batch that changed all 10,000 keys: %.1f ms (the "
				    "triggerExecution difference: state writes, offset log, "
				    "synchronous commit)\n",
				    vals[1][i] - vals[0][j]);
	}
}

int main(int argc, char **argv)
{
	const char *bin = getenv("SLUICE_BIN"), *src = getenv("SLUICE_SRCDIR");
	int64_t rows = argc > 1 ? strtoll(argv[1], NULL, 10) : 50000000;
	char conf[4096], rows_s[32], tmp[] = "/tmp/sluice-bench.XXXXXX";
	double wall, cpu, ref;
	int64_t sink = 0;

	if (!bin || !src) {
		fprintf(stderr,
		        "bench: run through `make bench` (needs SLUICE_BIN and SLUICE_SRCDIR)\n");
		return 2;
	}
	if (getenv("BENCH_TMPDIR") != NULL)
		snprintf(tmp, sizeof(tmp), "%s/sluice-bench.XXXXXX", getenv("BENCH_TMPDIR"));
	if (mkdtemp(tmp) == NULL) {
		perror("bench: mkdtemp");
		return 2;
	}
	snprintf(rows_s, sizeof(rows_s), "%" PRId64, rows);
	printf("%-34s %11s %8s %8s %14s %9s %14s %8s  %s\n", "benchmark", "rows", "cpu s", "wall s",
	       "rows/s/core", "MB/s", "plain C rows/s", "of C", "target");

	snprintf(conf, sizeof(conf), "%s/pipelines/bench/stateless.conf", src);
	ref = ref_stateless(rows, &sink);
	cpu = run_sluice(bin, &(run_opts){.conf = conf, .rows = rows_s}, &wall);
	if (cpu > 0)
		report("rate>filter>select>discard", rows, 16, cpu, wall, ref, 10e6);

	int64_t arows = rows * 2 / 5;
	snprintf(rows_s, sizeof(rows_s), "%" PRId64, arows);
	snprintf(conf, sizeof(conf), "%s/pipelines/bench/aggregate.conf", src);
	ref = ref_aggregate(arows, 10000, &sink);
	bench_state(bin, conf, tmp, rows_s, arows, ref);
	bench_commit(bin, tmp);
	rm_rf(tmp);
	fprintf(stderr, "(checksum %" PRId64 ")\n", sink);
	return 0;
}
