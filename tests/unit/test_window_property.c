/* test_window_property.c - the window plugin against a plain reference
 * implementation, on random event streams (CUnit).
 *
 * Each case draws a window (tumbling, or sliding with any slide <= size:
 * panes of gcd(size, slide)), an output mode, a watermark delay, whether
 * running totals, the late side output and the state store (with random
 * restarts of the stage between micro-batches) are used, then a stream of
 * events: a clock that moves forward, each event's time the clock minus a
 * random lateness (now and then far behind), a few keys, values with some
 * NULLs, some NULL times.  The stream is cut into random micro-batches
 * (empty ones too); the watermark in force for batch N follows Spark's
 * rule: max event time of batches 0..N-1 minus the delay, never lowered;
 * after the stream, one batch without data.  In append mode that batch
 * runs only when the core's rule says it is due - the watermark rose and
 * reached the deadline the stage reported last, carried across restarts
 * as the core keeps it in the checkpoint - and whatever the reference
 * emits there must then have been due; with the state store, append-mode
 * cases restart the stage between every two batches.  Every batch's output rows
 * (sorted: the order of equal windows of different keys is the stage's
 * first-seen order) must equal the reference's, and the late rows dropped
 * (or sent to the side output) must be the reference's.
 *
 * The reference keeps every window as a plain record, adds each row to
 * every window containing it that is still open (end > watermark; every
 * window in complete mode), freezes a window when the watermark passes its
 * end, and computes running totals over all of a key's windows ordered by
 * end (frozen ones with the value they closed with).
 *
 * SLUICE_PROPERTY_CASES and SLUICE_PROPERTY_SEED override the defaults.
 */
#include <CUnit/Basic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/harness.h"

#define UNIT ((int64_t)60000000) /* a minute */
#define BASE (-50 * UNIT)        /* some times before the epoch: floor alignment */
#define MAX_EV 160
#define MAX_WIN 4096
#define MAX_KEYS 4

/* ---- a small deterministic generator ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int64_t rint_(int64_t lo, int64_t hi) /* [lo, hi] */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- one case ---- */

typedef struct ev {
	int64_t k, t, v;
	bool t_null, v_null;
} ev;

typedef struct rwin {
	int64_t key, start, end;
	int64_t n, nv, sum, mn, mx;
	int64_t fseq, fv, lseq, lv;
	bool fok, lok;
	uint16_t dmask; /* values are 0..9 */
	bool closed, touched;
} rwin;

typedef struct tcase {
	bool sliding;
	int64_t size, slide; /* microseconds */
	sl_output_mode mode;
	int64_t delay;
	bool running, side, store;
	int n_ev;
	ev e[MAX_EV];
	int n_batches;
	int cut[MAX_EV + 2]; /* batch b is events [cut[b], cut[b+1]) */
	/* Reference state. */
	rwin w[MAX_WIN];
	int n_w;
	int64_t seq;
	int64_t late;
} tcase;

static const char *const AGGS[] = {"count(*) AS n", "sum(v) AS s",   "min(v) AS mn",
                                   "max(v) AS mx",  "count(v) AS c", "avg(v) AS av",
                                   "first(v) AS f", "last(v) AS l",  "count(DISTINCT v) AS d"};

static void gen_case(tcase *c)
{
	int64_t clock = 0;

	memset(c, 0, sizeof(*c));
	c->sliding = rnd() & 1;
	c->size = rint_(1, 8) * UNIT;
	c->slide = c->sliding ? rint_(1, c->size / UNIT) * UNIT : c->size;
	if (c->sliding && rnd() % 3 == 0) /* slides that do not divide size */
		c->slide = c->size > 2 * UNIT ? c->size - UNIT : c->slide;
	c->mode = (sl_output_mode)rint_(0, 2);
	c->delay = rint_(0, 12) * UNIT / 2;
	c->running = rnd() % 2 == 0;
	c->side = rnd() % 4 == 0;
	c->store = rnd() % 2 == 0;
	c->n_ev = (int)rint_(0, MAX_EV);
	for (int i = 0; i < c->n_ev; i++) {
		ev *e = &c->e[i];
		int64_t late = rnd() % 8 == 0 ? rint_(0, 40) : rint_(0, 4);
		clock += rint_(0, 2) * UNIT / 2;
		e->k = rint_(0, MAX_KEYS - 1);
		e->t = BASE + clock - late * UNIT / 2 + rint_(0, 59) * 1000000;
		e->v = rint_(0, 9);
		e->t_null = rnd() % 40 == 0;
		e->v_null = rnd() % 10 == 0;
	}
	c->cut[0] = 0;
	while (c->cut[c->n_batches] < c->n_ev) {
		int step = (int)rint_(0, 25);
		int next = c->cut[c->n_batches] + step;
		c->cut[++c->n_batches] = next > c->n_ev ? c->n_ev : next;
	}
}

/* ---- the reference ---- */

static rwin *ref_window(tcase *c, int64_t key, int64_t start)
{
	for (int i = 0; i < c->n_w; i++)
		if (c->w[i].key == key && c->w[i].start == start)
			return &c->w[i];
	if (c->n_w == MAX_WIN)
		return NULL;
	c->w[c->n_w] = (rwin){.key = key, .start = start, .end = start + c->size};
	return &c->w[c->n_w++];
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && a < 0) ? q - 1 : q;
}

static void ref_add(tcase *c, const ev *e, int64_t seq, int64_t wm)
{
	bool open_any = false;
	int64_t last = floordiv(e->t, c->slide) * c->slide;

	for (int64_t ws = last; ws + c->size > e->t; ws -= c->slide)
		if (c->mode == SL_MODE_COMPLETE || wm == SL_NO_WATERMARK || ws + c->size > wm)
			open_any = true;
	if (!open_any) {
		c->late++;
		return;
	}
	for (int64_t ws = last; ws + c->size > e->t; ws -= c->slide) {
		rwin *w;
		if (c->mode != SL_MODE_COMPLETE && wm != SL_NO_WATERMARK && ws + c->size <= wm)
			continue;
		w = ref_window(c, e->k, ws);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		w->touched = true;
		if (w->n++ == 0) {
			w->fseq = seq;
			w->fv = e->v;
			w->fok = !e->v_null;
		}
		w->lseq = seq;
		w->lv = e->v;
		w->lok = !e->v_null;
		if (e->v_null)
			continue;
		if (w->nv++ == 0 || e->v < w->mn)
			w->mn = e->v;
		if (w->nv == 1 || e->v > w->mx)
			w->mx = e->v;
		w->sum += e->v;
		w->dmask |= (uint16_t)(1u << e->v);
	}
}

static int cmp_wptr(const void *pa, const void *pb)
{
	const rwin *a = *(rwin *const *)pa, *b = *(rwin *const *)pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return (a->start > b->start) - (a->start < b->start);
}

static void put_ts(sl_strbuf *sb, int64_t us)
{
	char tmp[SL_TEXT_MAX];

	sl_format_timestamp(us, tmp);
	sl_strbuf_puts(sb, tmp);
}

/* The rows of the windows marked in emit[], as the stage renders them. */
static void ref_render(tcase *c, const bool *emit, sl_strbuf *sb)
{
	rwin *order[MAX_WIN];
	int n = 0;
	int64_t cur = -1, rs = 0, rsn = 0, rc = 0, rmx = 0, rmxn = 0;

	for (int i = 0; i < c->n_w; i++)
		order[n++] = &c->w[i];
	qsort(order, (size_t)n, sizeof(order[0]), cmp_wptr);
	for (int i = 0; i < n; i++) {
		rwin *w = order[i];
		char d[SL_TEXT_MAX];
		int nd = 0;
		if (w->key != cur) {
			cur = w->key;
			rs = rsn = rc = rmx = rmxn = 0;
		}
		rc++;
		if (w->nv > 0) {
			rs += w->sum;
			rsn++;
			if (rmxn++ == 0 || w->mx > rmx)
				rmx = w->mx;
		}
		if (!emit[w - c->w])
			continue;
		for (int b = 0; b < 10; b++)
			nd += (w->dmask >> b) & 1;
		sl_strbuf_printf(sb, "%" PRId64 ", ", w->key);
		put_ts(sb, w->start);
		sl_strbuf_puts(sb, ", ");
		put_ts(sb, w->end);
		sl_strbuf_printf(sb, ", %" PRId64, w->n);
		if (w->nv > 0) {
			sl_format_double((double)w->sum / (double)w->nv, d);
			sl_strbuf_printf(sb,
			                 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ", %s",
			                 w->sum, w->mn, w->mx, w->nv, d);
		} else {
			sl_strbuf_puts(sb, ", null, null, null, 0, null");
		}
		if (w->fok)
			sl_strbuf_printf(sb, ", %" PRId64, w->fv);
		else
			sl_strbuf_puts(sb, ", null");
		if (w->lok)
			sl_strbuf_printf(sb, ", %" PRId64, w->lv);
		else
			sl_strbuf_puts(sb, ", null");
		sl_strbuf_printf(sb, ", %d", nd);
		if (c->running) {
			if (rsn > 0)
				sl_strbuf_printf(sb, ", %" PRId64, rs);
			else
				sl_strbuf_puts(sb, ", null");
			sl_strbuf_printf(sb, ", %" PRId64, rc);
			if (rmxn > 0)
				sl_strbuf_printf(sb, ", %" PRId64, rmx);
			else
				sl_strbuf_puts(sb, ", null");
			if (rsn > 0)
				sl_strbuf_printf(sb, ", %" PRId64, rs * 2);
			else
				sl_strbuf_puts(sb, ", null");
		}
		sl_strbuf_puts(sb, "\n");
	}
}

/* One micro-batch of the reference: its output in sb. */
static void ref_batch(tcase *c, int b, int64_t wm, sl_strbuf *sb)
{
	static bool emit[MAX_WIN];
	bool closing = c->mode != SL_MODE_COMPLETE && wm != SL_NO_WATERMARK;

	memset(emit, 0, sizeof(emit));
	for (int i = 0; i < c->n_w; i++) {
		c->w[i].touched = false;
		if (closing && !c->w[i].closed && c->w[i].end <= wm) {
			c->w[i].closed = true;
			emit[i] = c->mode == SL_MODE_APPEND;
		}
	}
	for (int i = (b < c->n_batches ? c->cut[b] : c->n_ev);
	     i < (b < c->n_batches ? c->cut[b + 1] : c->n_ev); i++) {
		int64_t seq = c->seq++;
		if (c->e[i].t_null)
			continue;
		ref_add(c, &c->e[i], seq, wm);
	}
	if (c->mode == SL_MODE_COMPLETE) {
		for (int i = 0; i < c->n_w; i++)
			emit[i] = true;
	} else if (c->mode == SL_MODE_UPDATE) {
		for (int i = 0; i < c->n_w; i++)
			emit[i] = c->w[i].touched && !c->w[i].closed;
		if (c->running) {
			/* A key's later open windows: their running totals moved. */
			for (int i = 0; i < c->n_w; i++) {
				if (!emit[i] || !c->w[i].touched)
					continue;
				for (int j = 0; j < c->n_w; j++)
					if (c->w[j].key == c->w[i].key && !c->w[j].closed &&
					    cmp_wptr(&(rwin *){&c->w[j]}, &(rwin *){&c->w[i]}) > 0)
						emit[j] = true;
			}
		}
	}
	ref_render(c, emit, sb);
}

/* ---- the stage ---- */

static slh *make_stage(const tcase *c, slh_store *db)
{
	slh *h = slh_new("window");
	sl_schema *in = slh_schema_parse("k BIGINT, t TIMESTAMP, v BIGINT");
	char buf[64];
	int rc;

	CU_ASSERT_FATAL(h != NULL && in != NULL);
	slh_set(h, "time_column", "t");
	slh_set(h, "kind", c->sliding ? "sliding" : "tumbling");
	snprintf(buf, sizeof(buf), "%" PRId64 " minutes", c->size / UNIT);
	slh_set(h, "size", buf);
	if (c->sliding) {
		snprintf(buf, sizeof(buf), "%" PRId64 " minutes", c->slide / UNIT);
		slh_set(h, "slide", buf);
	}
	slh_add(h, "group_by", "k");
	for (size_t i = 0; i < sizeof(AGGS) / sizeof(AGGS[0]); i++)
		slh_add(h, "aggregates", AGGS[i]);
	if (c->running) {
		slh_add(h, "running", "sum(s) AS rs");
		slh_add(h, "running", "count(*) AS rc");
		slh_add(h, "running", "max(mx) AS rmx");
		slh_add(h, "post", "rs * 2 AS rs2");
	}
	if (c->side)
		slh_set(h, "late", "side");
	if (db != NULL)
		slh_use_store(h, db);
	rc = slh_create(h, in, c->mode);
	if (rc < 0)
		fprintf(stderr, "create: %s\n", slh_error(h)->msg);
	CU_ASSERT_FATAL(rc == SL_OK);
	sl_type_unref(in);
	return h;
}

static sl_batch *make_batch(const tcase *c, int from, int to)
{
	sl_schema *s = slh_schema_parse("k BIGINT, t TIMESTAMP, v BIGINT");
	sl_batch_builder *bb = sl_batch_builder_new(s, to - from);
	sl_batch *b;

	for (int i = from; i < to; i++) {
		const ev *e = &c->e[i];
		sl_builder_append_int64(sl_batch_builder_column(bb, 0), e->k);
		if (e->t_null)
			sl_builder_append_null(sl_batch_builder_column(bb, 1));
		else
			sl_builder_append_int64(sl_batch_builder_column(bb, 1), e->t);
		if (e->v_null)
			sl_builder_append_null(sl_batch_builder_column(bb, 2));
		else
			sl_builder_append_int64(sl_batch_builder_column(bb, 2), e->v);
	}
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	sl_type_unref(s);
	return b;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted, joined again (text is modified). */
static void sort_lines(char *text, sl_strbuf *out)
{
	char *lines[MAX_WIN * 2];
	size_t n = 0;

	for (char *p = strtok(text, "\n"); p != NULL && n < MAX_WIN * 2; p = strtok(NULL, "\n"))
		lines[n++] = p;
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	sl_strbuf_reset(out);
	sl_strbuf_puts(out, "");
	for (size_t i = 0; i < n; i++)
		sl_strbuf_printf(out, "%s\n", lines[i]);
}

static const char *const MODES[] = {"append", "update", "complete"};

/* What the cases exercised, printed at the end. */
static struct {
	int64_t rows, late, restarts, cases[2][3];
} stats;

/* Runs one case; returns false (with a report on stderr) on a mismatch. */
static bool run_case(int id, uint64_t seed)
{
	tcase *c = calloc(1, sizeof(*c));
	slh_store *db = NULL;
	slh *h;
	sl_strbuf want = {0}, got = {0}, a = {0}, b = {0};
	int64_t wm = SL_NO_WATERMARK, max_t = SL_NO_WATERMARK, last_wm = SL_NO_WATERMARK;
	int64_t dropped = 0, side_rows = 0, deadline = SL_NO_WATERMARK;
	bool ok = true;

	rng_state = seed;
	gen_case(c);
	if (c->store)
		db = slh_store_new();
	h = make_stage(c, db);
	for (int bi = 0; bi <= c->n_batches && ok; bi++) {
		bool data = bi < c->n_batches, skip;
		sl_batch *in = data ? make_batch(c, c->cut[bi], c->cut[bi + 1]) : NULL;
		int rc = SL_OK;
		/* The core's rule for a batch without new data (append mode):
		 * due when the watermark rose and reached the stage's deadline. */
		skip = !data && c->mode == SL_MODE_APPEND &&
		       !(wm != SL_NO_WATERMARK && wm > last_wm && deadline != SL_NO_WATERMARK &&
		         deadline <= wm);
		slh_set_watermark(h, wm);
		if (!skip)
			rc = data ? slh_run(h, bi, &in, 1) : slh_run(h, bi, NULL, 0);
		sl_batch_unref(in);
		if (rc != SL_OK) {
			fprintf(stderr, "case %d: batch %d: %s\n", id, bi, slh_error(h)->msg);
			ok = false;
			break;
		}
		if (db != NULL)
			slh_store_commit(db);
		if (!skip) {
			deadline = slh_deadline(h);
			last_wm = wm;
		}
		sl_strbuf_reset(&a);
		sl_strbuf_puts(&a, "");
		ref_batch(c, bi, wm, &a);
		sort_lines(a.buf, &want);
		sl_strbuf_reset(&b);
		sl_strbuf_puts(&b, slh_out_text(h));
		sort_lines(b.buf, &got);
		for (const char *p = want.buf; *p; p++)
			stats.rows += *p == '\n';
		if (strcmp(want.buf, got.buf) != 0) {
			fprintf(stderr,
			        "\ncase %d (seed %" PRIu64 "): %s size %" PRId64 " slide %" PRId64
			        " mode %s delay %" PRId64 " running %d side %d store %d, batch %d "
			        "(watermark %" PRId64 "):\n--- reference:\n%s--- stage:\n%s",
			        id, seed, c->sliding ? "sliding" : "tumbling", c->size / UNIT,
			        c->slide / UNIT, MODES[c->mode], c->delay, c->running, c->side,
			        c->store, bi, wm, want.buf, got.buf);
			ok = false;
		}
		slh_clear(h);
		/* Spark's rule: the max event time so far minus the delay, in
		 * force from the next batch. */
		for (int i = data ? c->cut[bi] : 0; data && i < c->cut[bi + 1]; i++)
			if (!c->e[i].t_null && (max_t == SL_NO_WATERMARK || c->e[i].t > max_t))
				max_t = c->e[i].t;
		if (max_t != SL_NO_WATERMARK && (wm == SL_NO_WATERMARK || max_t - c->delay > wm))
			wm = max_t - c->delay;
		/* Now and then a restart on the store; in append mode between
		 * every two batches (one process per batch). */
		if (db != NULL && (c->mode == SL_MODE_APPEND || rnd() % 5 == 0)) {
			dropped += slh_metric(h, "numRowsDroppedByWatermark");
			side_rows += slh_side_rows(h, "late");
			stats.restarts++;
			slh_free(h);
			h = make_stage(c, db);
		}
	}
	dropped += slh_metric(h, "numRowsDroppedByWatermark");
	side_rows += slh_side_rows(h, "late");
	if (ok && (c->side ? side_rows : dropped) != c->late) {
		fprintf(stderr,
		        "case %d (seed %" PRIu64 "): %" PRId64 " late rows, want %" PRId64 "\n", id,
		        seed, c->side ? side_rows : dropped, c->late);
		ok = false;
	}
	stats.late += c->late;
	stats.cases[c->sliding][c->mode]++;
	if (ok && (c->side ? dropped : side_rows) != 0) {
		fprintf(stderr, "case %d: late rows counted twice\n", id);
		ok = false;
	}
	slh_free(h);
	slh_store_free(db);
	sl_strbuf_free(&want);
	sl_strbuf_free(&got);
	sl_strbuf_free(&a);
	sl_strbuf_free(&b);
	free(c);
	return ok;
}

static void test_random_streams(void)
{
	const char *env = getenv("SLUICE_PROPERTY_CASES");
	const char *senv = getenv("SLUICE_PROPERTY_SEED");
	int cases = env ? atoi(env) : 400, failed = 0;
	uint64_t seed0 = senv ? strtoull(senv, NULL, 0) : 0x5EEDull;

	for (int i = 0; i < cases && failed < 3; i++)
		if (!run_case(i, seed0 + (uint64_t)i * 7919))
			failed++;
	CU_ASSERT_EQUAL(failed, 0);
	fprintf(stderr,
	        "\n  %d cases (tumbling append/update/complete %" PRId64 "/%" PRId64 "/%" PRId64
	        ", sliding %" PRId64 "/%" PRId64 "/%" PRId64 "): %" PRId64 " window rows compared, "
	        "%" PRId64 " late rows, %" PRId64 " restarts\n",
	        cases, stats.cases[0][0], stats.cases[0][1], stats.cases[0][2], stats.cases[1][0],
	        stats.cases[1][1], stats.cases[1][2], stats.rows, stats.late, stats.restarts);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("window property", NULL, NULL);
	CU_add_test(suite, "random streams against the reference", test_random_streams);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
