/* gen_events - input for the crash tests: a directory of JSON-lines files
 * and the answer the pipeline must commit.
 *
 *   gen_events DIR FILES ROWS KEYS SEED EXPECTED [WINDOW DELAY]
 *
 * Writes ROWS records spread evenly over FILES files DIR/events-NNNNN.json
 * (each written under a temporary name outside the listing's pattern, then
 * renamed, as files are expected to arrive), keys k00000.. drawn from KEYS
 * at random, values in [-1000, 1000000].  Deterministic for a SEED.
 *
 * Without WINDOW, records are {"key", "value"} and EXPECTED receives, per
 * key, the count and the sum of its values - what `count(*)`, `sum(value)`
 * grouped by key must end with - as "key<TAB>count<TAB>sum" lines in byte
 * order of the key (the format `committed` prints).
 *
 * With WINDOW and DELAY (seconds, DELAY < WINDOW), records also carry an
 * event time "ts" ("YYYY-MM-DD HH:MM:SS", UTC): file i holds the times of
 * [T0 + i*WINDOW, T0 + (i+1)*WINDOW), T0 = 2024-01-01 00:00:00, in random
 * order, its last record at the span's last second.  Read one file per
 * micro-batch by tumbling windows of WINDOW with a watermark DELAY behind
 * the largest event time, no record is ever late, the window of file i
 * closes once file i+1 has been read, and the last file's window stays
 * open.  EXPECTED receives, per key and closed window, "key|start<TAB>count
 * <TAB>sum" (start as the file sink writes timestamps) in byte order: what
 * an append-mode window stage must commit once the final watermark
 * closed every window it can - the last one in a batch without new data.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1704067200 /* 2024-01-01T00:00:00Z */

static uint64_t rng;

static uint64_t next(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_events DIR FILES ROWS KEYS SEED EXPECTED [WINDOW DELAY]\n");
	return 2;
}

static void fmt_time(char *buf, size_t n, int64_t t, const char *pattern)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, pattern, &tm);
}

typedef struct gen {
	long files, keys;
	int64_t rows, window, delay; /* window 0: no event time */
	int64_t *count, *sum;        /* [key] or [file * keys + key] */
} gen;

static int write_file(const char *dir, gen *g, long i)
{
	static char buf[1 << 16];
	int64_t n = g->rows / g->files + (i < g->rows % g->files);
	int64_t base = T0 + (int64_t)i * g->window;
	char path[4096], tmp[4096], ts[32];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.events-%05ld.json.tmp", dir, i);
	snprintf(path, sizeof(path), "%s/events-%05ld.json", dir, i);
	f = fopen(tmp, "w");
	if (f == NULL) {
		perror(tmp);
		return -1;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	for (int64_t r = 0; r < n; r++) {
		long k = (long)(next() % (uint64_t)g->keys);
		int64_t v = (int64_t)(next() % 1001001) - 1000;
		size_t slot = g->window ? (size_t)i * (size_t)g->keys + (size_t)k : (size_t)k;

		g->count[slot]++;
		g->sum[slot] += v;
		if (g->window == 0) {
			fprintf(f, "{\"key\": \"k%05ld\", \"value\": %" PRId64 "}\n", k, v);
			continue;
		}
		/* The last record at the span's last second: the watermark
		 * after this file is exactly base + window - 1 - delay. */
		fmt_time(ts, sizeof(ts),
		         r == n - 1 ? base + g->window - 1
		                    : base + (int64_t)(next() % (uint64_t)g->window),
		         "%Y-%m-%d %H:%M:%S");
		fprintf(f, "{\"key\": \"k%05ld\", \"ts\": \"%s\", \"value\": %" PRId64 "}\n", k, ts,
		        v);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* k00000 < k00001 < ...: numeric order is byte order, and so is the
 * order of ISO times. */
static void write_expected(FILE *f, const gen *g)
{
	char start[40];

	for (long k = 0; k < g->keys; k++) {
		if (g->window == 0) {
			if (g->count[k] > 0)
				fprintf(f, "k%05ld\t%" PRId64 "\t%" PRId64 "\n", k, g->count[k],
				        g->sum[k]);
			continue;
		}
		/* Every window but the last file's is closed. */
		for (long i = 0; i + 1 < g->files; i++) {
			size_t slot = (size_t)i * (size_t)g->keys + (size_t)k;

			if (g->count[slot] == 0)
				continue;
			fmt_time(start, sizeof(start), T0 + (int64_t)i * g->window,
			         "%Y-%m-%dT%H:%M:%S.000Z");
			fprintf(f, "k%05ld|%s\t%" PRId64 "\t%" PRId64 "\n", k, start,
			        g->count[slot], g->sum[slot]);
		}
	}
}

int main(int argc, char **argv)
{
	gen g = {0};
	size_t slots;
	FILE *f;

	if (argc != 7 && argc != 9)
		return usage();
	g.files = strtol(argv[2], NULL, 10);
	g.rows = strtoll(argv[3], NULL, 10);
	g.keys = strtol(argv[4], NULL, 10);
	rng = strtoull(argv[5], NULL, 10);
	if (argc == 9) {
		g.window = strtoll(argv[7], NULL, 10);
		g.delay = strtoll(argv[8], NULL, 10);
		if (g.window <= 0 || g.delay < 0 || g.delay >= g.window)
			return usage();
	}
	if (g.files <= 0 || g.rows < 0 || g.keys <= 0 || g.keys > 100000 || g.files > 100000)
		return usage();
	slots = (size_t)g.keys * (g.window ? (size_t)g.files : 1);
	g.count = calloc(slots, sizeof(*g.count));
	g.sum = calloc(slots, sizeof(*g.sum));
	if (g.count == NULL || g.sum == NULL)
		return 1;
	for (long i = 0; i < g.files; i++)
		if (write_file(argv[1], &g, i) < 0)
			return 1;
	f = fopen(argv[6], "w");
	if (f == NULL) {
		perror(argv[6]);
		return 1;
	}
	write_expected(f, &g);
	if (fclose(f) != 0) {
		perror(argv[6]);
		return 1;
	}
	free(g.count);
	free(g.sum);
	return 0;
}
