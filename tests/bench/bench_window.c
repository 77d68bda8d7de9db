/* bench_window.c - the window plugin's throughput, beside a plain C loop
 * over the same events in the same run (`make bench-window`).
 *
 * Events are what the rate source with `value % 10000 AS key, timestamp`
 * gives: value 0, 1, 2, ..., key = value % 10000, event times advancing
 * 1 us per event (a million events per second of event time).  The plugin
 * is driven through the test harness (dlopen, the public ABI), in append
 * mode with a watermark of max event time - 1 s, so windows are emitted
 * and evicted as they close:
 *
 *   tumbling  10 s windows, count(*) and sum(value) per key
 *   sliding   10 s windows every 2 s (slide = size / 5), same aggregates,
 *             from 2 s panes
 *
 * The plain loops aggregate into an open-addressing table of (key, window
 * start) -> count, sum: the tumbling loop once per event, the sliding loop
 * once per event and overlapping window (5), and drop closed windows the
 * same way.  Only the calls into the plugin are timed (batch generation is
 * not); rates are events per second on one core.
 *
 * Usage: bench_window [EVENTS]   (default 20,000,000; SLUICE_PLUGIN_PATH
 * must name the directory of window.so)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness/harness.h"

#define KEYS 10000
#define BATCH 100000
#define SEC 1000000LL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sl_batch *make_batch(sl_schema *s, int64_t first, int64_t n)
{
	sl_buffer *kb = sl_buffer_new((size_t)n * 8), *tb = sl_buffer_new((size_t)n * 8),
	          *vb = sl_buffer_new((size_t)n * 8);
	sl_array *cols[3];
	int64_t *k, *t, *v;

	if (kb == NULL || tb == NULL || vb == NULL)
		return NULL;
	k = (int64_t *)kb->data;
	t = (int64_t *)tb->data;
	v = (int64_t *)vb->data;
	for (int64_t i = 0; i < n; i++) {
		v[i] = first + i;
		k[i] = (first + i) % KEYS;
		t[i] = first + i; /* 1 us per event */
	}
	kb->len = tb->len = vb->len = (size_t)n * 8;
	cols[0] = sl_array_new(sl_type_int64(), n, 0, NULL, kb, NULL, 0, NULL);
	cols[1] = sl_array_new(sl_type_timestamp(), n, 0, NULL, tb, NULL, 0, NULL);
	cols[2] = sl_array_new(sl_type_int64(), n, 0, NULL, vb, NULL, 0, NULL);
	return sl_batch_new(s, n, cols);
}

/* ---- the plain loop: (key, window start) -> count, sum ---- */

typedef struct plain {
	uint64_t mask;
	int64_t *key, *start, *cnt, *sum;
	uint8_t *used;
	int64_t n, emitted;
} plain;

static void plain_init(plain *p, uint64_t size)
{
	p->mask = size - 1;
	p->key = calloc(size, 8);
	p->start = calloc(size, 8);
	p->cnt = calloc(size, 8);
	p->sum = calloc(size, 8);
	p->used = calloc(size, 1);
	p->n = p->emitted = 0;
}

static void plain_free(plain *p)
{
	free(p->key);
	free(p->start);
	free(p->cnt);
	free(p->sum);
	free(p->used);
}

static inline void plain_add(plain *p, int64_t key, int64_t start, int64_t v)
{
	uint64_t h = ((uint64_t)key * 0x9E3779B97F4A7C15ull) ^ (uint64_t)start;
	uint64_t pos;

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 32;
	pos = h & p->mask;
	while (p->used[pos] && (p->key[pos] != key || p->start[pos] != start))
		pos = (pos + 1) & p->mask;
	if (!p->used[pos]) {
		p->used[pos] = 1;
		p->key[pos] = key;
		p->start[pos] = start;
		p->n++;
	}
	p->cnt[pos]++;
	p->sum[pos] += v;
}

/* Windows ending at or before wm are "emitted" and dropped (rebuilds the
 * table, as eviction does). */
static void plain_close(plain *p, int64_t wm, int64_t size)
{
	uint64_t cap = p->mask + 1;
	plain q;

	plain_init(&q, cap);
	q.emitted = p->emitted;
	for (uint64_t i = 0; i < cap; i++) {
		if (!p->used[i])
			continue;
		if (p->start[i] + size <= wm) {
			q.emitted += p->cnt[i] != 0;
			continue;
		}
		plain_add(&q, p->key[i], p->start[i], 0);
		/* plain_add counted one; set the real accumulators. */
		{
			uint64_t h =
			    ((uint64_t)p->key[i] * 0x9E3779B97F4A7C15ull) ^ (uint64_t)p->start[i];
			uint64_t pos;
			h ^= h >> 29;
			h *= 0xBF58476D1CE4E5B9ull;
			h ^= h >> 32;
			pos = h & q.mask;
			while (q.key[pos] != p->key[i] || q.start[pos] != p->start[i])
				pos = (pos + 1) & q.mask;
			q.cnt[pos] = p->cnt[i];
			q.sum[pos] = p->sum[i];
		}
	}
	plain_free(p);
	*p = q;
}

static double run_plain(int64_t events, int64_t size, int64_t slide, int64_t *emitted)
{
	plain p;
	double t0, el = 0;
	int64_t wm = INT64_MIN, max_t = 0;
	int64_t *k = malloc(BATCH * 8), *t = malloc(BATCH * 8), *v = malloc(BATCH * 8);

	plain_init(&p, 1u << 17);
	for (int64_t first = 0; first < events; first += BATCH) {
		int64_t n = events - first < BATCH ? events - first : BATCH;
		for (int64_t i = 0; i < n; i++) {
			v[i] = first + i;
			k[i] = (first + i) % KEYS;
			t[i] = first + i;
		}
		t0 = now();
		if (wm != INT64_MIN)
			plain_close(&p, wm, size);
		for (int64_t i = 0; i < n; i++) {
			int64_t last = t[i] - t[i] % slide;
			if (last + size <= wm) /* late */
				continue;
			for (int64_t ws = last; ws + size > t[i]; ws -= slide)
				if (ws + size > wm)
					plain_add(&p, k[i], ws, v[i]);
			if (t[i] > max_t)
				max_t = t[i];
		}
		el += now() - t0;
		wm = max_t - SEC;
	}
	*emitted = p.emitted;
	plain_free(&p);
	free(k);
	free(t);
	free(v);
	return el;
}

static double run_plugin(int64_t events, bool sliding, int64_t *out_rows, int64_t *state)
{
	slh *h = slh_new("window");
	sl_schema *s = slh_schema_parse("key BIGINT, timestamp TIMESTAMP, value BIGINT");
	double el = 0, t0;
	int64_t wm = SL_NO_WATERMARK, max_t = 0, id = 0;

	if (h == NULL || s == NULL) {
		fprintf(stderr, "bench_window: cannot load window.so (SLUICE_PLUGIN_PATH?)\n");
		exit(1);
	}
	slh_set(h, "time_column", "timestamp");
	slh_set(h, "kind", sliding ? "sliding" : "tumbling");
	slh_set(h, "size", "10 seconds");
	if (sliding)
		slh_set(h, "slide", "2 seconds");
	slh_add(h, "group_by", "key");
	slh_add(h, "aggregates", "count(*) AS n");
	slh_add(h, "aggregates", "sum(value) AS total");
	if (slh_create(h, s, SL_MODE_APPEND) != SL_OK) {
		fprintf(stderr, "bench_window: %s\n", slh_error(h)->msg);
		exit(1);
	}
	*out_rows = 0;
	for (int64_t first = 0; first < events; first += BATCH) {
		int64_t n = events - first < BATCH ? events - first : BATCH;
		sl_batch *b = make_batch(s, first, n);
		int rc;
		slh_set_watermark(h, wm);
		t0 = now();
		rc = slh_run(h, id++, &b, 1);
		el += now() - t0;
		if (rc != SL_OK) {
			fprintf(stderr, "bench_window: %s\n", slh_error(h)->msg);
			exit(1);
		}
		max_t = first + n - 1;
		wm = max_t - SEC;
		*out_rows += slh_out_rows(h);
		slh_clear(h);
		sl_batch_unref(b);
	}
	*state = slh_metric(h, "stateRowsTotal") / (id ? id : 1);
	slh_free(h);
	sl_type_unref(s);
	return el;
}

int main(int argc, char **argv)
{
	int64_t events = argc > 1 ? strtoll(argv[1], NULL, 10) : 20000000;
	int64_t rows, prow, state;
	double tp, tq;

	if (events <= 0)
		events = 20000000;
	printf("window benchmark: %" PRId64 " events, %d keys, batches of %d, append mode, "
	       "watermark = max event time - 1 s\n",
	       events, KEYS, BATCH);

	tq = run_plugin(events, false, &rows, &state);
	tp = run_plain(events, 10 * SEC, 10 * SEC, &prow);
	printf("tumbling 10 s, count+sum: plugin %6.2f M events/s (%" PRId64
	       " windows out, ~%" PRId64 " cells)   plain C loop %6.2f M events/s (%" PRId64
	       " windows)   target >= 5 M/s\n",
	       (double)events / tq / 1e6, rows, state, (double)events / tp / 1e6, prow);

	tq = run_plugin(events, true, &rows, &state);
	tp = run_plain(events, 10 * SEC, 2 * SEC, &prow);
	printf("sliding 10 s / 2 s, count+sum: plugin %6.2f M events/s (%" PRId64
	       " windows out, ~%" PRId64 " panes)   plain C loop %6.2f M events/s (%" PRId64
	       " windows)   target >= 3 M/s\n",
	       (double)events / tq / 1e6, rows, state, (double)events / tp / 1e6, prow);
	return 0;
}
