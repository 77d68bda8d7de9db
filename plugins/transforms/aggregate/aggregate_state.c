/* aggregate_state.c - the aggregate's groups in the state store.
 *
 * The hot table in aggregate.c is what every row is aggregated into; the
 * store (sl_state.h) is its durable copy.  Groups are kept in pages: a
 * group's id is its first-seen sequence number, and group g lives in page
 * g / PAGE_GROUPS.  A group the micro-batch changed makes its page dirty;
 * end_batch rewrites each dirty page once, in the batch's transaction (one
 * put per dirty page, not per group: the store's cost is per put).  create
 * scans the pages, which come back in key order = page order = first-seen
 * order, into an empty table.
 *
 *   key   = PAGE_TAG, the page number (4 bytes, big-endian)
 *   value = VERSION, PAGE_GROUPS, the number of groups n (1..PAGE_GROUPS),
 *           then n groups in id order, each:
 *             per group_by column: 0 (null) or 1 and the value,
 *             per aggregate: count, and when count > 0 its accumulator
 *             (sum, or the min/max value)
 *
 * where int64 and timestamp values are zigzag varints, counts, lengths and
 * the two header numbers unsigned varints, doubles 8 bytes little-endian
 * (keys normalised: -0.0 is 0.0, one NaN), bools one byte, strings and
 * binaries a length and the bytes.  Every page but the last is full, so the
 * pages say which ids their groups have; a missing or short page, a page
 * that does not decode exactly to its end, or a version or page size other
 * than this build's, stops create with a message.  Which aggregates a group
 * holds is not written: the core refuses a checkpoint whose stateful stage
 * changed its keys, aggregates or types (the stage's fingerprint), so the
 * stage reading a page is always the stage that wrote it.
 *
 * The layout before pages (key OLD_TAG and the group's key columns, value
 * its sequence number and accumulators: one record per group) is refused
 * with a message; a checkpoint written that way needs a new directory.
 */
#include "aggregate.h"

#define OLD_TAG 0x01 /* one record per group: refused */
#define PAGE_TAG 0x02
#define PAGE_KEY_LEN 5
#define VERSION 2
/* Groups per page: part of the format (written in each page and checked). */
#define PAGE_GROUPS 64

/* ---- encoding ---- */

/* One value held per group in one of the ways of sl_value_kind. */
static void put_value(sl_wbuf *w, sl_value_kind kind, uint32_t g, const int64_t *i64,
                      const double *f64, const uint64_t *off, const uint32_t *len,
                      const char *arena)
{
	sl_wbuf_value(w, kind, i64 ? i64[g] : 0, f64 ? f64[g] : 0, off ? arena + off[g] : NULL,
	              len ? len[g] : 0);
}

/* Group g's key columns, then its accumulators. */
static void encode_group(agg_ctx *ctx, uint32_t g)
{
	sl_wbuf *w = &ctx->rec;

	if (ctx->groups != NULL)
		sl_group_table_encode_key(ctx->groups, g, w);
	for (size_t j = 0; j < ctx->n_aggs; j++) {
		const agg *a = &ctx->aggs[j];
		int64_t n = a->cnt[g];
		sl_wbuf_uvarint(w, (uint64_t)n);
		if (n == 0)
			continue;
		switch (a->kind) {
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			break;
		case AGG_SUM_I64:
			sl_wbuf_i64(w, a->i64[g]);
			break;
		case AGG_SUM_F64:
		case AGG_AVG:
			sl_wbuf_f64(w, a->f64[g]);
			break;
		case AGG_MIN:
		case AGG_MAX:
			put_value(w, a->vkind, g, a->i64, a->f64, a->off, a->len, a->arena);
			break;
		}
	}
}

/* Page p's value into ctx->rec; returns its length or < 0. */
static int64_t encode_page(agg_ctx *ctx, uint32_t p)
{
	sl_wbuf *w = &ctx->rec;
	uint32_t first = p * PAGE_GROUPS, end = first + PAGE_GROUPS;

	if (end > ctx->n_groups || end < first)
		end = ctx->n_groups;
	sl_wbuf_reset(w);
	sl_wbuf_u8(w, VERSION);
	sl_wbuf_uvarint(w, PAGE_GROUPS);
	sl_wbuf_uvarint(w, end - first);
	for (uint32_t g = first; g < end; g++)
		encode_group(ctx, g);
	return w->oom ? SL_ENOMEM : (int64_t)w->len;
}

static void page_key(uint8_t key[PAGE_KEY_LEN], uint32_t p)
{
	key[0] = PAGE_TAG;
	key[1] = (uint8_t)(p >> 24);
	key[2] = (uint8_t)(p >> 16);
	key[3] = (uint8_t)(p >> 8);
	key[4] = (uint8_t)p;
}

/* Room for n pages' dirty flags (zeroed) and list. */
static int reserve_pages(agg_ctx *ctx, size_t n)
{
	size_t cap = ctx->page_cap ? ctx->page_cap : 64;
	uint8_t *flags;
	uint32_t *list;

	if (n <= ctx->page_cap)
		return SL_OK;
	while (cap < n)
		cap *= 2;
	flags = realloc(ctx->page_dirty, cap);
	if (flags == NULL)
		return SL_ENOMEM;
	memset(flags + ctx->page_cap, 0, cap - ctx->page_cap);
	ctx->page_dirty = flags;
	list = realloc(ctx->dirty_pages, cap * sizeof(*list));
	if (list == NULL)
		return SL_ENOMEM;
	ctx->dirty_pages = list;
	ctx->page_cap = cap;
	return SL_OK;
}

static int cmp_page(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int agg_state_save(agg_ctx *ctx, sl_error *err)
{
	size_t n_pages = ((size_t)ctx->n_groups + PAGE_GROUPS - 1) / PAGE_GROUPS;
	uint32_t n_dirty = 0;
	bool sorted = true;

	if (ctx->n_touched == 0)
		return SL_OK;
	if (reserve_pages(ctx, n_pages) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (uint32_t t = 0; t < ctx->n_touched; t++) {
		uint32_t p = ctx->touched[t] / PAGE_GROUPS;
		if (ctx->page_dirty[p])
			continue;
		ctx->page_dirty[p] = 1;
		if (n_dirty > 0 && p < ctx->dirty_pages[n_dirty - 1])
			sorted = false;
		ctx->dirty_pages[n_dirty++] = p;
	}
	/* In key order (the touched list is sorted in update mode only). */
	if (!sorted)
		qsort(ctx->dirty_pages, n_dirty, sizeof(uint32_t), cmp_page);
	for (uint32_t i = 0; i < n_dirty; i++)
		ctx->page_dirty[ctx->dirty_pages[i]] = 0;
	for (uint32_t i = 0; i < n_dirty; i++) {
		uint8_t key[PAGE_KEY_LEN];
		int64_t vlen = encode_page(ctx, ctx->dirty_pages[i]);
		int rc;
		if (vlen < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		page_key(key, ctx->dirty_pages[i]);
		rc = sl_state_put(ctx->st, key, sizeof(key), ctx->rec.data, (size_t)vlen, err);
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

size_t agg_state_memory(const agg_ctx *ctx)
{
	return ctx->rec.cap + ctx->page_cap * (1 + sizeof(uint32_t));
}

void agg_state_free(agg_ctx *ctx)
{
	sl_wbuf_free(&ctx->rec);
	free(ctx->page_dirty);
	free(ctx->dirty_pages);
}

/* ---- decoding ---- */

/* Group g's accumulators. */
static int decode_accs(agg_ctx *ctx, sl_rbuf *d, uint32_t g)
{
	for (size_t j = 0; j < ctx->n_aggs && !d->bad; j++) {
		agg *a = &ctx->aggs[j];
		uint64_t n = sl_rbuf_uvarint(d);
		if (n > INT64_MAX)
			d->bad = true;
		a->cnt[g] = (int64_t)n;
		if (n == 0 || d->bad)
			continue;
		switch (a->kind) {
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			break;
		case AGG_SUM_I64:
			a->i64[g] = sl_rbuf_i64(d);
			break;
		case AGG_SUM_F64:
		case AGG_AVG:
			a->f64[g] = sl_rbuf_f64(d);
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (sl_rbuf_value(d, a->vkind, g, a->i64, a->f64, a->off, a->len, &a->arena,
			                  &a->arena_len, &a->arena_cap) < 0)
				return SL_ENOMEM;
			if (a->vkind == SL_VALUE_STR && !d->bad)
				a->arena_live += a->len[g];
			break;
		}
	}
	return SL_OK;
}

typedef struct restore {
	agg_ctx *ctx;
	sl_error *err;
	uint32_t n_pages; /* pages restored so far */
	int rc;
} restore;

static int damaged(restore *r, uint64_t page, const char *why)
{
	r->rc = sl_error_set(r->err, SL_EINVAL,
	                     "page %llu of this stage's groups in the state store %s: the "
	                     "checkpoint is damaged",
	                     (unsigned long long)page, why);
	return 1;
}

/* One record of the scan: a page, decoded straight into the table. */
static int restore_page(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	restore *r = arg;
	agg_ctx *ctx = r->ctx;
	const uint8_t *k = key;
	sl_rbuf d = {val, (const uint8_t *)val + vlen, false};
	uint64_t page, size, n, first;

	if (klen > 0 && k[0] == OLD_TAG) {
		r->rc = sl_error_set(r->err, SL_EINVAL,
		                     "the state store holds this stage's groups one record per "
		                     "group, the layout of an earlier sluice that this version "
		                     "does not read; use a new checkpoint directory");
		return 1;
	}
	if (klen != PAGE_KEY_LEN || k[0] != PAGE_TAG) {
		r->rc = sl_error_set(r->err, SL_EINVAL,
		                     "the state store holds a record of this stage that is not a "
		                     "page of groups (key of %zu bytes): the checkpoint is damaged",
		                     klen);
		return 1;
	}
	page = (uint64_t)k[1] << 24 | (uint64_t)k[2] << 16 | (uint64_t)k[3] << 8 | k[4];
	if (sl_rbuf_u8(&d) != VERSION)
		return damaged(r, page, "has an unknown version byte");
	size = sl_rbuf_uvarint(&d);
	if (!d.bad && size != PAGE_GROUPS) {
		r->rc =
		    sl_error_set(r->err, SL_EINVAL,
		                 "the state store holds this stage's groups in pages of %llu, "
		                 "this version uses pages of %d; use a new checkpoint directory",
		                 (unsigned long long)size, PAGE_GROUPS);
		return 1;
	}
	n = sl_rbuf_uvarint(&d);
	if (d.bad || n == 0 || n > PAGE_GROUPS)
		return damaged(r, page, "is cut short or has a bad group count");
	first = page * PAGE_GROUPS;
	if (page != r->n_pages || (ctx->n_keys > 0 && first != ctx->n_groups))
		return damaged(r, page,
		               "does not follow on from the pages before it (one is missing or "
		               "short)");
	if (ctx->n_keys == 0 && (page != 0 || n != 1))
		return damaged(r, page, "holds more than the one group of a global aggregate");
	for (uint64_t i = 0; i < n; i++) {
		/* A global aggregate's one group exists already. */
		uint32_t g = ctx->n_keys == 0 ? 0 : ctx->n_groups;
		int64_t got = g;
		if (ctx->n_keys > 0 && g == UINT32_MAX)
			return damaged(r, page, "holds more groups than a table can");
		if (g == ctx->cap_groups && agg_grow_groups(ctx) < 0)
			goto nomem;
		if (ctx->groups != NULL &&
		    (got = sl_group_table_decode_key(ctx->groups, &d)) == SL_ENOMEM)
			goto nomem;
		if (got >= 0 && decode_accs(ctx, &d, g) < 0)
			goto nomem;
		if (d.bad || got != g)
			return damaged(r, page,
			               "does not decode (damaged, or written by another "
			               "version of this stage)");
		if (ctx->n_keys > 0)
			ctx->n_groups++;
	}
	if (d.p != d.end)
		return damaged(r, page, "has bytes after its last group");
	r->n_pages++;
	return 0;
nomem:
	r->rc = sl_error_set(r->err, SL_ENOMEM, "out of memory restoring %u groups", ctx->n_groups);
	return 1;
}

int agg_state_restore(agg_ctx *ctx, sl_error *err)
{
	static const uint8_t all[1] = {0}; /* an empty prefix: every record */
	restore r = {ctx, err, 0, SL_OK};
	int rc = sl_state_scan(ctx->st, all, 0, restore_page, &r, err);

	if (rc < 0)
		return rc;
	if (r.rc < 0)
		return r.rc;
	if (r.n_pages > 0)
		sl_log(ctx->st, SL_LOG_INFO, "restored %u groups from %u pages of the state store",
		       ctx->n_groups, r.n_pages);
	return SL_OK;
}
