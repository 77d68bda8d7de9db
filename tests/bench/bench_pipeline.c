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
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* Runs sluice on a pipeline with env overrides; returns CPU seconds or < 0. */
static double run_sluice(const char *bin, const char *conf, const char *rows, const char *keys,
			 double *wall)
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
		setenv("BENCH_ROWS", rows, 1);
		if (keys)
			setenv("BENCH_KEYS", keys, 1);
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(bin, bin, "run", conf, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*wall = wall_now() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: sluice run %s failed (status %d)\n", conf, status);
		return -1;
	}
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
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
	printf("%-34s %11" PRId64 " %8.3f %8.3f %14.0f %9.1f %14.0f %7.1f%%  %s %.0fM\n", name, rows,
	       cpu, wall, rps, rps * (double)row_bytes / 1e6, ref, 100.0 * rps / ref,
	       rps >= target ? "meets" : "MISSES", target / 1e6);
}

int main(int argc, char **argv)
{
	const char *bin = getenv("SLUICE_BIN"), *src = getenv("SLUICE_SRCDIR");
	int64_t rows = argc > 1 ? strtoll(argv[1], NULL, 10) : 50000000;
	char conf[4096], rows_s[32];
	double wall, cpu, ref;
	int64_t sink = 0;

	if (!bin || !src) {
		fprintf(stderr, "bench: run through `make bench` (needs SLUICE_BIN and SLUICE_SRCDIR)\n");
		return 2;
	}
	snprintf(rows_s, sizeof(rows_s), "%" PRId64, rows);
	printf("%-34s %11s %8s %8s %14s %9s %14s %8s  %s\n", "benchmark", "rows", "cpu s", "wall s",
	       "rows/s/core", "MB/s", "plain C rows/s", "of C", "target");

	snprintf(conf, sizeof(conf), "%s/pipelines/bench/stateless.conf", src);
	ref = ref_stateless(rows, &sink);
	cpu = run_sluice(bin, conf, rows_s, NULL, &wall);
	if (cpu > 0)
		report("rate>filter>select>discard", rows, 16, cpu, wall, ref, 10e6);

	int64_t arows = rows * 2 / 5;
	snprintf(rows_s, sizeof(rows_s), "%" PRId64, arows);
	snprintf(conf, sizeof(conf), "%s/pipelines/bench/aggregate.conf", src);
	ref = ref_aggregate(arows, 10000, &sink);
	cpu = run_sluice(bin, conf, rows_s, "10000", &wall);
	if (cpu > 0)
		report("rate>aggregate(10,000 keys)", arows, 16, cpu, wall, ref, 5e6);
	fprintf(stderr, "(checksum %" PRId64 ")\n", sink);
	return 0;
}
