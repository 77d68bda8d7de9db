/* test_aggregate_state.c - the aggregate plugin with a state store (CUnit).
 *
 * A small fake host of its own (the harness's has no state service): it
 * loads aggregate.so from $SLUICE_PLUGIN_PATH and hands the stage an
 * in-memory, transactional sl_state_api whose committed contents outlive
 * the stage, as the Berkeley DB store outlives a process.  A "restart"
 * destroys the stage and creates a new one on the same store; a "crash"
 * does the same after dropping the running batch's writes.  Each test
 * compares a stage restarted that way with one that never was.
 *
 * The stage keeps its groups in pages of PAGE_GROUPS consecutive groups
 * (first-seen order), one record per page: key 0x02 and the page number
 * (4 bytes, big-endian), value a version byte, the page size and the
 * page's groups; a batch writes each page holding a group it changed once.
 */
#include <CUnit/Basic.h>
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/harness.h"

/* As in plugins/transforms/aggregate/aggregate_state.c (and checked against
 * what the stage writes). */
#define PAGE_GROUPS 64
#define PAGE_KEY_LEN 5

static int64_t pages_for(int64_t groups)
{
	return (groups + PAGE_GROUPS - 1) / PAGE_GROUPS;
}

/* ---- the store: sorted committed records plus the batch's writes ---- */

typedef struct kv {
	uint8_t *k, *v; /* v NULL in a pending delete */
	size_t kl, vl;
} kv;

typedef struct kvs {
	kv *a;
	size_t n, cap;
} kvs;

typedef struct store {
	kvs committed;
	kvs pending; /* in write order */
	int durable;
	int64_t puts, scans, gets, dels;
} store;

static int kcmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	memcpy(d, p, n);
	return d;
}

static void kvs_free(kvs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->a[i].k);
		free(s->a[i].v);
	}
	free(s->a);
	memset(s, 0, sizeof(*s));
}

static void kvs_append(kvs *s, kv e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->a = realloc(s->a, s->cap * sizeof(*s->a));
	}
	s->a[s->n++] = e;
}

/* Sets (v != NULL) or deletes key in a sorted set; takes k and v. */
static void kvs_apply(kvs *s, kv e)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kcmp(s->a[mid].k, s->a[mid].kl, e.k, e.kl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && kcmp(s->a[lo].k, s->a[lo].kl, e.k, e.kl) == 0) {
		free(s->a[lo].k);
		free(s->a[lo].v);
		if (e.v != NULL) {
			s->a[lo] = e;
			return;
		}
		free(e.k);
		memmove(&s->a[lo], &s->a[lo + 1], (s->n - lo - 1) * sizeof(kv));
		s->n--;
		return;
	}
	if (e.v == NULL) {
		free(e.k);
		return;
	}
	kvs_append(s, e);
	memmove(&s->a[lo + 1], &s->a[lo], (s->n - 1 - lo) * sizeof(kv));
	s->a[lo] = e;
}

static void store_commit(store *db)
{
	for (size_t i = 0; i < db->pending.n; i++)
		kvs_apply(&db->committed, db->pending.a[i]);
	free(db->pending.a);
	memset(&db->pending, 0, sizeof(db->pending));
}

static void store_abort(store *db)
{
	kvs_free(&db->pending);
}

static void store_free(store *db)
{
	kvs_free(&db->committed);
	kvs_free(&db->pending);
}

/* ---- the fake host ---- */

typedef struct fake {
	sl_stage stage; /* first: what the plugin holds */
	sl_host host;
	sl_state_api api;
	store *db;
	void *dl;
	const sl_plugin *pl;
	void *ctx;
	sl_schema *in, *out;
	sl_emitter em;
	sl_strbuf text; /* emitted rows, rendered */
	int64_t rows_out;
	int64_t m_total, m_updated; /* the state metrics, last batch */
	sl_error err;
} fake;

static int st_durable(sl_stage *st)
{
	return ((fake *)st)->db->durable;
}

static int st_get(sl_stage *st, const void *key, size_t klen, const void **val, size_t *vlen,
                  sl_error *err)
{
	store *db = ((fake *)st)->db;

	db->gets++;
	for (size_t i = db->pending.n; i-- > 0;)
		if (kcmp(db->pending.a[i].k, db->pending.a[i].kl, key, klen) == 0) {
			if (db->pending.a[i].v == NULL)
				return SL_ENOTFOUND;
			*val = db->pending.a[i].v;
			*vlen = db->pending.a[i].vl;
			return SL_OK;
		}
	for (size_t i = 0; i < db->committed.n; i++)
		if (kcmp(db->committed.a[i].k, db->committed.a[i].kl, key, klen) == 0) {
			*val = db->committed.a[i].v;
			*vlen = db->committed.a[i].vl;
			return SL_OK;
		}
	return SL_ENOTFOUND;
}

static int st_put(sl_stage *st, const void *key, size_t klen, const void *val, size_t vlen,
                  sl_error *err)
{
	store *db = ((fake *)st)->db;

	db->puts++;
	kvs_append(&db->pending, (kv){dup_bytes(key, klen), dup_bytes(val, vlen), klen, vlen});
	return SL_OK;
}

static int st_del(sl_stage *st, const void *key, size_t klen, sl_error *err)
{
	store *db = ((fake *)st)->db;

	db->dels++;
	kvs_append(&db->pending, (kv){dup_bytes(key, klen), NULL, klen, 0});
	return SL_OK;
}

static int st_scan(sl_stage *st, const void *prefix, size_t plen, sl_state_scan_fn fn, void *arg,
                   sl_error *err)
{
	store *db = ((fake *)st)->db;
	kvs view = {0};

	db->scans++;
	for (size_t i = 0; i < db->committed.n; i++)
		kvs_append(&view, (kv){dup_bytes(db->committed.a[i].k, db->committed.a[i].kl),
		                       dup_bytes(db->committed.a[i].v, db->committed.a[i].vl),
		                       db->committed.a[i].kl, db->committed.a[i].vl});
	for (size_t i = 0; i < db->pending.n; i++) {
		kv *p = &db->pending.a[i];
		kvs_apply(&view, (kv){dup_bytes(p->k, p->kl), p->v ? dup_bytes(p->v, p->vl) : NULL,
		                      p->kl, p->vl});
	}
	for (size_t i = 0; i < view.n; i++)
		if (view.a[i].kl >= plen && memcmp(view.a[i].k, prefix, plen) == 0 &&
		    fn(arg, view.a[i].k, view.a[i].kl, view.a[i].v, view.a[i].vl) != 0)
			break;
	kvs_free(&view);
	return SL_OK;
}

static int st_clear(sl_stage *st, sl_error *err)
{
	store *db = ((fake *)st)->db;

	for (size_t i = 0; i < db->committed.n; i++)
		kvs_append(&db->pending,
		           (kv){dup_bytes(db->committed.a[i].k, db->committed.a[i].kl), NULL,
		                db->committed.a[i].kl, 0});
	return SL_OK;
}

static void h_logv(sl_stage *st, sl_log_level level, const char *fmt, va_list ap)
{
}

static void h_metric(sl_stage *st, const char *name, int64_t delta)
{
	fake *f = (fake *)st;

	if (strcmp(name, "stateRowsTotal") == 0)
		f->m_total = delta;
	else if (strcmp(name, "stateRowsUpdated") == 0)
		f->m_updated = delta;
}

static int h_stopping(sl_stage *st)
{
	return 0;
}

static const char *h_name(sl_stage *st)
{
	return "agg";
}

static int capture(sl_emitter *self, sl_batch *b)
{
	fake *f = self->priv;

	f->rows_out += b->n_rows;
	slh_render(b, &f->text);
	sl_batch_unref(b);
	return SL_OK;
}

/* options: name, value pairs; a name ending in [] adds a list item. */
static fake *fake_new(store *db, int with_service, const char *ddl, sl_output_mode mode,
                      const char *const *opts)
{
	fake *f = calloc(1, sizeof(*f));
	const char *dir = getenv("SLUICE_PLUGIN_PATH");
	char path[4096], *colon;
	const sl_module *(*info)(void);
	const sl_module *m;
	sl_options *o = NULL;
	sl_stage_init init = {0};
	const sl_schema *inputs[1];
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof(path), "%s", dir);
	if ((colon = strchr(path, ':')) != NULL)
		*colon = '\0';
	strncat(path, "/aggregate.so", sizeof(path) - strlen(path) - 1);
	f->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (f->dl == NULL)
		fprintf(stderr, "%s\n", dlerror());
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->dl);
	*(void **)&info = dlsym(f->dl, SL_MODULE_SYMBOL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(info);
	m = info();
	f->pl = m->plugins[0];
	f->db = db;
	f->api = (sl_state_api){.size = sizeof(sl_state_api),
	                        .durable = st_durable,
	                        .get = st_get,
	                        .put = st_put,
	                        .del = st_del,
	                        .scan = st_scan,
	                        .clear = st_clear};
	f->host = (sl_host){.size = sizeof(sl_host),
	                    .version = (SL_ABI_MAJOR << 16) | SL_ABI_MINOR,
	                    .logv = h_logv,
	                    .metric_add = h_metric,
	                    .stopping = h_stopping,
	                    .stage_name = h_name,
	                    .state = with_service ? &f->api : NULL};
	f->stage.host = &f->host;
	f->em.emit = capture;
	f->em.priv = f;
	f->in = slh_schema_parse(ddl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->in);
	o = sl_options_new(f->pl->options);
	for (size_t i = 0; opts[i] != NULL; i += 2) {
		size_t n = strlen(opts[i]);
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 2), opts[i]);
		CU_ASSERT_EQUAL(sl_options_add(o, name, opts[i + 1], "test.conf", 1, &f->err),
		                SL_OK);
	}
	CU_ASSERT_EQUAL_FATAL(sl_options_finish(o, &f->err), SL_OK);
	inputs[0] = f->in;
	init.size = sizeof(init);
	init.stage_name = "agg";
	init.options = o;
	init.n_inputs = 1;
	init.input_schemas = inputs;
	init.output_mode = mode;
	init.host = &f->host;
	init.self = &f->stage;
	rc = f->pl->create(&init, &f->ctx, &f->out, &f->err);
	sl_options_free(o);
	if (rc < 0) {
		f->ctx = NULL;
		return f; /* the caller looks at f->err */
	}
	return f;
}

static void fake_free(fake *f)
{
	if (f == NULL)
		return;
	if (f->ctx != NULL)
		f->pl->destroy(f->ctx);
	sl_type_unref(f->in);
	sl_type_unref(f->out);
	sl_strbuf_free(&f->text);
	dlclose(f->dl);
	free(f);
}

/* One micro-batch: begin, the input, end; the output text is left in
 * f->text.  commit: also commit the stage and the store. */
static int fake_batch(fake *f, int64_t id, const sl_batch *in, int commit)
{
	sl_batch_ctx bc = {.size = sizeof(bc), .batch_id = id, .watermark_us = SL_NO_WATERMARK};
	int rc;

	sl_strbuf_reset(&f->text);
	sl_strbuf_puts(&f->text, "");
	f->rows_out = 0;
	rc = f->pl->begin_batch(f->ctx, &bc, &f->err);
	if (rc >= 0 && in != NULL)
		rc = f->pl->process(f->ctx, 0, in, &bc, &f->em, &f->err);
	if (rc >= 0)
		rc = f->pl->end_batch(f->ctx, &bc, &f->em, &f->err);
	if (rc >= 0 && commit) {
		rc = f->pl->commit(f->ctx, id, &f->err);
		store_commit(f->db);
	}
	if (rc < 0)
		fprintf(stderr, "batch %lld: %s\n", (long long)id, f->err.msg);
	return rc;
}

/* ---- data ---- */

#define WIDE                                                                                       \
	"k1 BIGINT, k2 STRING, k3 DOUBLE, k4 BOOLEAN, v BIGINT, d DOUBLE, s STRING, t TIMESTAMP"

static const char *const wide_opts[] = {"group_by[]",
                                        "k1",
                                        "group_by[]",
                                        "k2",
                                        "group_by[]",
                                        "k3",
                                        "group_by[]",
                                        "k4",
                                        "group_by[]",
                                        "k1 % 3 AS m",
                                        "aggregates[]",
                                        "count(*) AS n",
                                        "aggregates[]",
                                        "count(v) AS nv",
                                        "aggregates[]",
                                        "sum(v) AS sv",
                                        "aggregates[]",
                                        "sum(d) AS sd",
                                        "aggregates[]",
                                        "avg(d) AS ad",
                                        "aggregates[]",
                                        "min(s) AS mins",
                                        "aggregates[]",
                                        "max(s) AS maxs",
                                        "aggregates[]",
                                        "min(v) AS minv",
                                        "aggregates[]",
                                        "max(d) AS maxd",
                                        "aggregates[]",
                                        "min(t) AS mint",
                                        "aggregates[]",
                                        "max(k4) AS maxb",
                                        NULL};

static uint64_t rng_state = 42;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33) % n;
}

/* n random rows over few distinct keys, with nulls everywhere. */
static sl_batch *wide_batch(int n)
{
	/* JSON-escaped. */
	static const char *const words[] = {"",
	                                    "a",
	                                    "hello",
	                                    "Hello",
	                                    "w\u00f6rld",
	                                    "a\\\"b",
	                                    "a much longer string key than the others"};
	static const char *const dbl[] = {"0.0", "-0.0", "1.5", "-2.25", "1e300", "3.0"};
	sl_strbuf sb = {0};
	sl_batch *b;

	sl_strbuf_puts(&sb, "[");
	for (int i = 0; i < n; i++) {
		sl_strbuf_printf(&sb, "%s[", i ? "," : "");
		if (rnd(10) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "%d,", (int)rnd(7) - 3);
		if (rnd(10) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "\"%s\",", words[rnd(7)]);
		if (rnd(10) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "%s,", dbl[rnd(6)]);
		sl_strbuf_printf(&sb, "%s,", rnd(10) == 0 ? "null" : rnd(2) ? "true" : "false");
		if (rnd(5) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "%" PRId64 ",",
			                 (int64_t)rnd(2000000000) * (rnd(2) ? 1 : -1) * 1000);
		if (rnd(5) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "%.17g,", (double)rnd(1000000) / 7.0 - 5000.0);
		if (rnd(5) == 0)
			sl_strbuf_puts(&sb, "null,");
		else
			sl_strbuf_printf(&sb, "\"s%u\",", rnd(1000));
		if (rnd(5) == 0)
			sl_strbuf_puts(&sb, "null]");
		else
			sl_strbuf_printf(&sb, "%" PRId64 "]",
			                 (int64_t)1549361100000000LL + rnd(100000));
	}
	sl_strbuf_puts(&sb, "]");
	b = slh_batch(WIDE, sb.buf);
	sl_strbuf_free(&sb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	return b;
}

/* ---- tests ---- */

/* Every committed record is a page: 0x02 and its number, big-endian, the
 * pages 0..n-1 in key order, each with the version and page size first. */
static void check_pages(const store *db, int64_t groups)
{
	CU_ASSERT_EQUAL((int64_t)db->committed.n, pages_for(groups));
	for (size_t i = 0; i < db->committed.n; i++) {
		const kv *e = &db->committed.a[i];
		CU_ASSERT_EQUAL_FATAL(e->kl, PAGE_KEY_LEN);
		CU_ASSERT_EQUAL(e->k[0], 0x02);
		CU_ASSERT_EQUAL((uint32_t)e->k[1] << 24 | (uint32_t)e->k[2] << 16 |
		                    (uint32_t)e->k[3] << 8 | e->k[4],
		                i);
		CU_ASSERT_FATAL(e->vl >= 3);
		CU_ASSERT_EQUAL(e->v[0], 2);           /* version */
		CU_ASSERT_EQUAL(e->v[1], PAGE_GROUPS); /* < 128: one varint byte */
		/* groups in the page: full but for the last */
		CU_ASSERT_EQUAL(e->v[2], i + 1 < db->committed.n
		                             ? PAGE_GROUPS
		                             : groups - (int64_t)i * PAGE_GROUPS);
	}
}

/* Restarted after every batch, in update and complete mode: the same
 * output as a stage that ran throughout, every batch. */
static void check_restarts(sl_output_mode mode, int restart_every)
{
	store ref_db = {.durable = 1}, db = {.durable = 1};
	fake *ref = fake_new(&ref_db, 1, WIDE, mode, wide_opts);
	fake *f = fake_new(&db, 1, WIDE, mode, wide_opts);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ref->ctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
	for (int64_t id = 0; id < 12; id++) {
		sl_batch *in = wide_batch(id == 0 ? 5 : 300);
		int64_t puts = db.puts;
		CU_ASSERT_EQUAL(fake_batch(ref, id, in, 1), SL_OK);
		CU_ASSERT_EQUAL(fake_batch(f, id, in, 1), SL_OK);
		CU_ASSERT_STRING_EQUAL(f->text.buf, ref->text.buf);
		/* One write per dirty page: at least one when a group changed, at
		 * most one per changed group and one per page; the counters count
		 * groups. */
		CU_ASSERT(db.puts - puts <= f->m_updated);
		CU_ASSERT(db.puts - puts <= pages_for(f->m_total));
		CU_ASSERT((db.puts - puts > 0) == (f->m_updated > 0));
		CU_ASSERT_EQUAL(f->m_total, ref->m_total);
		check_pages(&db, f->m_total);
		if (mode == SL_MODE_UPDATE)
			CU_ASSERT_EQUAL(f->rows_out, f->m_updated);
		sl_batch_unref(in);
		if (id % restart_every == restart_every - 1) {
			int64_t scans = db.scans;
			fake_free(f);
			f = fake_new(&db, 1, WIDE, mode, wide_opts);
			CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
			CU_ASSERT_EQUAL(db.scans, scans + 1);
		}
	}
	CU_ASSERT_EQUAL(db.gets, 0);
	CU_ASSERT(ref->m_total > 4 * PAGE_GROUPS); /* several pages, the last partial */
	fake_free(ref);
	fake_free(f);
	store_free(&ref_db);
	store_free(&db);
}

static void test_restart_update(void)
{
	check_restarts(SL_MODE_UPDATE, 1);
	check_restarts(SL_MODE_UPDATE, 5);
}

static void test_restart_complete(void)
{
	check_restarts(SL_MODE_COMPLETE, 1);
	check_restarts(SL_MODE_COMPLETE, 4);
}

/* The word count: restarted, it goes on counting and keeps the first-seen
 * order (not the store's key order). */
static void test_word_count(void)
{
	static const char *const opts[] = {"group_by[]", "word", "aggregates[]",
	                                   "count(*) AS count", NULL};
	store db = {.durable = 1};
	fake *f = fake_new(&db, 1, "word STRING", SL_MODE_COMPLETE, opts);
	sl_batch *b1 = slh_batch("word STRING", "[[\"Spark\"], [\"Hello\"], [\"Streaming\"]]");
	sl_batch *b2 = slh_batch("word STRING", "[[\"Hello\"], [\"Spark\"], [\"Apache\"]]");

	CU_ASSERT_EQUAL(fake_batch(f, 0, b1, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, "Spark, 1\nHello, 1\nStreaming, 1\n");
	fake_free(f);
	f = fake_new(&db, 1, "word STRING", SL_MODE_COMPLETE, opts);
	CU_ASSERT_EQUAL(fake_batch(f, 1, b2, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, "Spark, 2\nHello, 2\nStreaming, 1\nApache, 1\n");
	CU_ASSERT_EQUAL(f->m_total, 4);
	CU_ASSERT_EQUAL(f->m_updated, 3);
	fake_free(f);
	sl_batch_unref(b1);
	sl_batch_unref(b2);
	store_free(&db);
}

/* A batch that never committed leaves no trace: the restarted stage
 * replays it and says exactly what the first attempt said. */
static void test_crash_replay(void)
{
	static const char *const opts[] = {"group_by[]",    "k2",           "aggregates[]",
	                                   "count(*) AS n", "aggregates[]", "sum(v) AS sv",
	                                   "aggregates[]",  "max(s) AS ms", NULL};
	store db = {.durable = 1};
	fake *f = fake_new(&db, 1, WIDE, SL_MODE_UPDATE, opts);
	sl_batch *b0 = wide_batch(200), *b1 = wide_batch(200);
	char *first;

	CU_ASSERT_EQUAL(fake_batch(f, 0, b0, 1), SL_OK);
	CU_ASSERT_EQUAL(fake_batch(f, 1, b1, 0), SL_OK); /* ...and the process dies */
	first = strdup(f->text.buf);
	CU_ASSERT(db.pending.n > 0);
	store_abort(&db);
	fake_free(f);
	f = fake_new(&db, 1, WIDE, SL_MODE_UPDATE, opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
	CU_ASSERT_EQUAL(fake_batch(f, 1, b1, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, first);
	free(first);
	fake_free(f);
	sl_batch_unref(b0);
	sl_batch_unref(b1);
	store_free(&db);
}

/* No group_by: one global group, restored like any other. */
static void test_global(void)
{
	static const char *const opts[] = {"aggregates[]",
	                                   "count(*) AS n",
	                                   "aggregates[]",
	                                   "sum(v) AS sv",
	                                   "aggregates[]",
	                                   "min(s) AS ms",
	                                   NULL};
	store db = {.durable = 1};
	fake *f = fake_new(&db, 1, WIDE, SL_MODE_COMPLETE, opts);
	sl_batch *b = slh_batch(WIDE, "[[1, \"a\", 1.0, true, 5, 1.0, \"x\", 0],"
	                              " [2, \"b\", 2.0, false, 7, 2.0, \"w\", 0]]");

	CU_ASSERT_EQUAL(fake_batch(f, 0, NULL, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, "0, null, null\n");
	CU_ASSERT_EQUAL(fake_batch(f, 1, b, 1), SL_OK);
	fake_free(f);
	CU_ASSERT_EQUAL(db.committed.n, 1);
	f = fake_new(&db, 1, WIDE, SL_MODE_COMPLETE, opts);
	CU_ASSERT_EQUAL(fake_batch(f, 2, b, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, "4, 24, w\n");
	fake_free(f);
	sl_batch_unref(b);
	store_free(&db);
}

/* Without a checkpoint (a store that does not survive) nothing is written;
 * on a host without the service at all the stage works the same. */
static void test_not_durable(void)
{
	static const char *const opts[] = {"group_by[]", "k1", "aggregates[]", "count(*) AS n",
	                                   NULL};
	store db = {.durable = 0};
	fake *f = fake_new(&db, 1, WIDE, SL_MODE_UPDATE, opts);
	fake *g = fake_new(&db, 0, WIDE, SL_MODE_UPDATE, opts);
	sl_batch *b = wide_batch(100);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g->ctx);
	CU_ASSERT_EQUAL(fake_batch(f, 0, b, 1), SL_OK);
	CU_ASSERT_EQUAL(fake_batch(g, 0, b, 1), SL_OK);
	CU_ASSERT_STRING_EQUAL(f->text.buf, g->text.buf);
	CU_ASSERT(f->m_total > 0);
	CU_ASSERT_EQUAL(db.puts + db.scans + db.gets, 0);
	fake_free(f);
	fake_free(g);
	sl_batch_unref(b);
	store_free(&db);
}

/* ---- pages ---- */

#define KV "key BIGINT, value BIGINT"

static const char *const kv_opts[] = {
    "group_by[]",          "key", "aggregates[]", "count(*) AS n", "aggregates[]",
    "sum(value) AS total", NULL};

/* Rows (keys[i], i). */
static sl_batch *key_batch(const int64_t *keys, size_t n)
{
	sl_schema *schema = slh_schema_parse(KV);
	sl_batch_builder *bb = sl_batch_builder_new(schema, (int64_t)n);
	sl_batch *b;

	for (size_t i = 0; i < n; i++) {
		sl_builder_append_int64(sl_batch_builder_column(bb, 0), keys[i]);
		sl_builder_append_int64(sl_batch_builder_column(bb, 1), (int64_t)i);
	}
	b = sl_batch_builder_finish(bb);
	sl_batch_builder_free(bb);
	sl_type_unref(schema);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	return b;
}

/* Keys 0..n-1: groups 0..n-1 in that order. */
static sl_batch *first_keys(int64_t n)
{
	int64_t *k = malloc((size_t)n * sizeof(*k));
	sl_batch *b;

	for (int64_t i = 0; i < n; i++)
		k[i] = i;
	b = key_batch(k, (size_t)n);
	free(k);
	return b;
}

static uint32_t page_of(const kv *e)
{
	return (uint32_t)e->k[1] << 24 | (uint32_t)e->k[2] << 16 | (uint32_t)e->k[3] << 8 | e->k[4];
}

/* One put per dirty page, in page order, whatever order the groups
 * changed in; a page whose groups changed partly keeps the others; a
 * restart after every batch gives what a stage that ran throughout gives
 * (complete mode: every group, every batch). */
static void test_dirty_pages(void)
{
	/* 200 groups: pages 0..3 (64, 64, 64, 8). */
	static const int64_t b1[] = {199, 5, 71, 70, 5}; /* pages 3, 0, 1 */
	static const int64_t b2[] = {130, 1000, 131};    /* page 2; new group 200 in page 3 */
	static const int64_t b3[] = {64, 127, 63, 0};    /* pages 0 and 1, their ends */
	static const int64_t b4[] = {1000, 1000, 199};   /* page 3 only */
	static const struct {
		const int64_t *keys;
		size_t n;
		int64_t puts, updated, total;
		uint32_t pages[3];
	} steps[] = {
	    {b1, 5, 3, 4, 200, {0, 1, 3}},
	    {b2, 3, 2, 3, 201, {2, 3}},
	    {b3, 4, 2, 4, 201, {0, 1}},
	    {b4, 3, 1, 2, 201, {3}},
	};
	store ref_db = {.durable = 1}, db = {.durable = 1};
	fake *ref = fake_new(&ref_db, 1, KV, SL_MODE_COMPLETE, kv_opts);
	fake *f = fake_new(&db, 1, KV, SL_MODE_COMPLETE, kv_opts);
	sl_batch *b0 = first_keys(200);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
	CU_ASSERT_EQUAL(fake_batch(ref, 0, b0, 1), SL_OK);
	CU_ASSERT_EQUAL(fake_batch(f, 0, b0, 1), SL_OK);
	CU_ASSERT_EQUAL(db.puts, 4);
	CU_ASSERT_EQUAL(f->m_updated, 200);
	check_pages(&db, 200);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		sl_batch *b = key_batch(steps[s].keys, steps[s].n);
		int64_t puts = db.puts;
		fake_free(f);
		f = fake_new(&db, 1, KV, SL_MODE_COMPLETE, kv_opts);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
		CU_ASSERT_EQUAL(fake_batch(ref, (int64_t)s + 1, b, 1), SL_OK);
		CU_ASSERT_EQUAL(fake_batch(f, (int64_t)s + 1, b, 0), SL_OK);
		CU_ASSERT_STRING_EQUAL(f->text.buf, ref->text.buf);
		CU_ASSERT_EQUAL(db.puts - puts, steps[s].puts);
		CU_ASSERT_EQUAL(f->m_updated, steps[s].updated);
		CU_ASSERT_EQUAL(f->m_total, steps[s].total);
		CU_ASSERT_EQUAL_FATAL((int64_t)db.pending.n, steps[s].puts);
		for (size_t i = 0; i < db.pending.n; i++)
			CU_ASSERT_EQUAL(page_of(&db.pending.a[i]), steps[s].pages[i]);
		store_commit(&db);
		check_pages(&db, steps[s].total);
		sl_batch_unref(b);
	}
	/* The last state, restarted once more, in update mode: every group. */
	fake_free(f);
	f = fake_new(&db, 1, KV, SL_MODE_UPDATE, kv_opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ctx);
	{
		sl_batch *b = key_batch((const int64_t[]){1000, 0, 199}, 3);
		CU_ASSERT_EQUAL(fake_batch(f, 9, b, 1), SL_OK);
		/* first-seen order; sums of the row numbers the key had */
		CU_ASSERT_STRING_EQUAL(f->text.buf, "0, 3, 4\n199, 4, 203\n1000, 4, 2\n");
		sl_batch_unref(b);
	}
	fake_free(ref);
	fake_free(f);
	sl_batch_unref(b0);
	store_free(&ref_db);
	store_free(&db);
}

/* A store of 200 groups (4 pages) that spoil() damages: create fails with
 * a message holding want, and writes nothing. */
static void check_refused(void (*spoil)(store *), const char *want)
{
	store db = {.durable = 1};
	fake *f = fake_new(&db, 1, KV, SL_MODE_UPDATE, kv_opts);
	sl_batch *b = first_keys(200);
	int64_t puts;

	CU_ASSERT_EQUAL(fake_batch(f, 0, b, 1), SL_OK);
	fake_free(f);
	CU_ASSERT_EQUAL_FATAL(db.committed.n, 4);
	spoil(&db);
	puts = db.puts + db.dels;
	f = fake_new(&db, 1, KV, SL_MODE_UPDATE, kv_opts);
	CU_ASSERT_PTR_NULL(f->ctx);
	CU_ASSERT(f->err.code < 0);
	CU_ASSERT_PTR_NULL(strchr(f->err.msg, '\n'));
	if (strstr(f->err.msg, want) == NULL)
		fprintf(stderr, "\nmessage: %s (wanted '%s')\n", f->err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->err.msg, want));
	CU_ASSERT_EQUAL(db.puts + db.dels, puts);
	fake_free(f);
	sl_batch_unref(b);
	store_free(&db);
}

static void cut_short(store *db)
{
	db->committed.a[1].vl = 1; /* the version, no header */
}

static void cut_mid_group(store *db)
{
	db->committed.a[1].vl -= 2; /* the last group's sum cut */
}

static void extra_byte(store *db)
{
	kv *e = &db->committed.a[3];
	e->v = realloc(e->v, e->vl + 1);
	e->v[e->vl++] = 0;
}

static void page_missing(store *db)
{
	kv e = {dup_bytes(db->committed.a[1].k, PAGE_KEY_LEN), NULL, PAGE_KEY_LEN, 0};
	kvs_apply(&db->committed, e);
}

static void page_short(store *db)
{
	db->committed.a[0].v[2] = PAGE_GROUPS - 1; /* one group fewer, and bytes after */
}

static void bad_version(store *db)
{
	db->committed.a[0].v[0] = 7;
}

static void other_page_size(store *db)
{
	for (size_t i = 0; i < db->committed.n; i++)
		db->committed.a[i].v[1] = 32;
}

static void foreign_key(store *db)
{
	const uint8_t k[] = {0x02, 0, 0};
	kvs_apply(&db->committed, (kv){dup_bytes(k, sizeof(k)), dup_bytes("x", 1), sizeof(k), 1});
}

/* What the stage wrote before pages: one record per group (0x01 and the
 * key columns; the seq and the accumulators). */
static void old_format(store *db)
{
	const uint8_t k[] = {0x01, 1, 0x0a}, v[] = {0, 1, 1, 0};
	kvs_free(&db->committed);
	kvs_apply(&db->committed, (kv){dup_bytes(k, sizeof(k)), dup_bytes(v, sizeof(v)), 3, 4});
}

/* A page that does not decode stops create with a one-line message; so
 * does a checkpoint of the one-record-per-group layout, which is refused. */
static void test_damaged(void)
{
	check_refused(cut_short, "damaged");
	check_refused(cut_mid_group, "damaged");
	check_refused(extra_byte, "damaged");
	check_refused(page_missing, "page 2 of this stage's groups in the state store does not "
	                            "follow on from the pages before it");
	check_refused(page_short, "damaged");
	check_refused(bad_version, "unknown version");
	check_refused(other_page_size, "pages of 32, this version uses pages of 64");
	check_refused(foreign_key, "not a page of groups");
	check_refused(old_format, "one record per group, the layout of an earlier sluice");
}

/* 10,000 groups; restored, then one batch changing all of them: one put
 * per page, the counters count groups, and the pages stay small. */
static void test_many_groups(void)
{
	store db = {.durable = 1};
	fake *f = fake_new(&db, 1, KV, SL_MODE_UPDATE, kv_opts);
	int64_t *keys = malloc(20000 * sizeof(*keys));
	sl_batch *b;
	size_t bytes = 0;
	int64_t puts;

	for (int i = 0; i < 20000; i++)
		keys[i] = i % 10000;
	b = key_batch(keys, 20000);
	free(keys);
	CU_ASSERT_EQUAL(fake_batch(f, 0, b, 1), SL_OK);
	CU_ASSERT_EQUAL(db.puts, pages_for(10000));
	CU_ASSERT_EQUAL(f->m_updated, 10000);
	fake_free(f);
	f = fake_new(&db, 1, KV, SL_MODE_UPDATE, kv_opts);
	puts = db.puts;
	CU_ASSERT_EQUAL(fake_batch(f, 1, b, 1), SL_OK);
	CU_ASSERT_EQUAL(db.puts - puts, pages_for(10000));
	CU_ASSERT_EQUAL(f->m_updated, 10000);
	CU_ASSERT_EQUAL(f->m_total, 10000);
	CU_ASSERT_EQUAL(f->rows_out, 10000);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text.buf, "\n9999, 4, 59996\n"));
	check_pages(&db, 10000);
	for (size_t i = 0; i < db.committed.n; i++)
		bytes += db.committed.a[i].kl + db.committed.a[i].vl;
	/* per group: key 1+3, count(*) 1, sum's count 1 and sum 3 at most; per
	 * page: key 5, header 3 */
	CU_ASSERT(bytes <= 10000 * 9 + db.committed.n * 8);
	fake_free(f);
	sl_batch_unref(b);
	store_free(&db);
}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
	    {"restart, update mode", test_restart_update},
	    {"restart, complete mode", test_restart_complete},
	    {"word count continues", test_word_count},
	    {"uncommitted batch replayed", test_crash_replay},
	    {"global aggregate", test_global},
	    {"no checkpoint, no service", test_not_durable},
	    {"one put per dirty page", test_dirty_pages},
	    {"damaged page or old layout refused", test_damaged},
	    {"10000 groups", test_many_groups},
	};
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("aggregate state", NULL, NULL);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
