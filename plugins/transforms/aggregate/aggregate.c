/* aggregate.c - hash aggregation: GROUP BY keys with count, sum, min, max
 * and avg, kept across micro-batches (Spark's streaming aggregation).
 *
 * State is columnar, indexed by group id (first-seen order): one array per
 * key column and one per aggregate accumulator.  Each input batch is
 * processed a column at a time:
 *   1. hash every key column into a uint64 per row (one pass per column),
 *   2. probe an open-addressing table of group ids (linear probing, the
 *      group's hash kept beside it) to find or add each row's group,
 *   3. run one update loop per aggregate over (group id, value).
 * String keys are copied into an arena owned by the table.  The groups a
 * micro-batch touched are listed: update mode emits them, and end_batch
 * writes them to the state store (aggregate_state.c), grouped in pages of
 * consecutive group ids, one write per page a batch changed; create restores
 * every group from the store.
 */
#include "aggregate.h"

/* ---- group storage ---- */

int agg_grow_groups(agg_ctx *ctx)
{
	size_t oc = ctx->cap_groups, nc = oc ? oc * 2 : 1024;
	int rc = SL_OK;

	rc |= sl_grow_array(&ctx->touched_epoch, sizeof(uint32_t), oc, nc, 0);
	rc |= sl_grow_array(&ctx->touched, sizeof(uint32_t), oc, nc, 0);
	for (size_t i = 0; i < ctx->n_aggs; i++) {
		agg *a = &ctx->aggs[i];
		rc |= sl_grow_array(&a->cnt, sizeof(int64_t), oc, nc, 0);
		switch (a->kind) {
		case AGG_SUM_I64:
			rc |= sl_grow_array(&a->i64, sizeof(int64_t), oc, nc, 0);
			break;
		case AGG_SUM_F64:
		case AGG_AVG:
			rc |= sl_grow_array(&a->f64, sizeof(double), oc, nc, 0);
			break;
		case AGG_MIN:
		case AGG_MAX:
			if (a->vkind == SL_VALUE_F64) {
				rc |= sl_grow_array(&a->f64, sizeof(double), oc, nc, 0);
			} else if (a->vkind == SL_VALUE_STR) {
				rc |= sl_grow_array(&a->off, sizeof(uint64_t), oc, nc, 0);
				rc |= sl_grow_array(&a->len, sizeof(uint32_t), oc, nc, 0);
				rc |= sl_grow_array(&a->best, sizeof(int32_t), oc, nc, 0xff);
			} else {
				rc |= sl_grow_array(&a->i64, sizeof(int64_t), oc, nc, 0);
			}
			break;
		default:
			break;
		}
	}
	if (rc != SL_OK)
		return SL_ENOMEM;
	ctx->cap_groups = (uint32_t)nc;
	return SL_OK;
}

/* Each row's group (ctx->gids); the per-group arrays follow the table. */
static int assign_groups(agg_ctx *ctx, int64_t n)
{
	for (size_t c = 0; c < ctx->n_keys; c++)
		ctx->cols[c] = ctx->keys[c].arr;
	if (sl_group_table_assign(ctx->groups, (const sl_array *const *)ctx->cols, n, ctx->gids) <
	    0)
		return SL_ENOMEM;
	ctx->n_groups = sl_group_table_n_groups(ctx->groups);
	while (ctx->cap_groups < ctx->n_groups)
		if (agg_grow_groups(ctx) < 0)
			return SL_ENOMEM;
	return SL_OK;
}

static void touch(agg_ctx *ctx, int64_t n)
{
	const uint32_t *gids = ctx->gids;

	for (int64_t i = 0; i < n; i++) {
		uint32_t g = gids[i];
		if (ctx->touched_epoch[g] != ctx->epoch) {
			ctx->touched_epoch[g] = ctx->epoch;
			ctx->touched[ctx->n_touched++] = g;
		}
	}
}

/* ---- aggregate updates ---- */

static inline bool f64_less(double a, double b) /* NaN is the largest */
{
	if (isnan(a))
		return false;
	return isnan(b) || a < b;
}

static int str_minmax(agg_ctx *ctx, agg *ag, const sl_array *a, int64_t n)
{
	const uint32_t *gids = ctx->gids;
	const uint8_t *va = a->validity ? a->validity->data : NULL;
	uint32_t n_list = 0;
	bool is_min = ag->kind == AGG_MIN;

	/* The best row of each group within this batch... */
	for (int64_t i = 0; i < n; i++) {
		uint32_t g = gids[i];
		int32_t b;
		sl_strview v, w;
		int c;
		if (va && !sl_bit_get(va, i))
			continue;
		b = ag->best[g];
		if (b < 0) {
			ag->best[g] = (int32_t)i;
			ctx->call_list[n_list++] = g;
			continue;
		}
		v = sl_array_str(a, i);
		w = sl_array_str(a, b);
		c = memcmp(v.ptr, w.ptr, v.len < w.len ? v.len : w.len);
		if (c == 0)
			c = (v.len > w.len) - (v.len < w.len);
		if (is_min ? c < 0 : c > 0)
			ag->best[g] = (int32_t)i;
	}
	/* ...then one comparison and at most one copy per group. */
	for (uint32_t j = 0; j < n_list; j++) {
		uint32_t g = ctx->call_list[j];
		sl_strview v = sl_array_str(a, ag->best[g]);
		bool take = ag->cnt[g] == 0;
		ag->best[g] = -1;
		if (!take) {
			size_t l = ag->len[g];
			int c = memcmp(v.ptr, ag->arena + ag->off[g], v.len < l ? v.len : l);
			if (c == 0)
				c = (v.len > l) - (v.len < l);
			take = is_min ? c < 0 : c > 0;
		}
		ag->cnt[g]++;
		if (!take)
			continue;
		if (ag->cnt[g] > 1)
			ag->arena_live -= ag->len[g];
		if (sl_arena_put(&ag->arena, &ag->arena_len, &ag->arena_cap, v.ptr, v.len,
		                 &ag->off[g]) < 0)
			return SL_ENOMEM;
		ag->len[g] = (uint32_t)v.len;
		ag->arena_live += v.len;
	}
	/* Replaced values leave garbage behind: compact now and then. */
	if (ag->arena_len > 2 * ag->arena_live + (1u << 20)) {
		char *na = malloc(ag->arena_live ? ag->arena_live : 1);
		size_t pos = 0;
		if (na == NULL)
			return SL_ENOMEM;
		for (uint32_t g = 0; g < ctx->n_groups; g++) {
			if (ag->cnt[g] == 0)
				continue;
			memcpy(na + pos, ag->arena + ag->off[g], ag->len[g]);
			ag->off[g] = pos;
			pos += ag->len[g];
		}
		free(ag->arena);
		ag->arena = na;
		ag->arena_len = pos;
		ag->arena_cap = ag->arena_live ? ag->arena_live : 1;
	}
	return SL_OK;
}

static int update_agg(agg_ctx *ctx, agg *ag, const sl_array *a, int64_t n)
{
	const uint32_t *gids = ctx->gids;
	const uint8_t *va = a && a->validity ? a->validity->data : NULL;
	int64_t *cnt = ag->cnt;

#define VALID(i) (va == NULL || sl_bit_get(va, (i)))
	switch (ag->kind) {
	case AGG_COUNT_STAR:
		for (int64_t i = 0; i < n; i++)
			cnt[gids[i]]++;
		break;
	case AGG_COUNT:
		if (a->type->id == SL_TYPE_NULL)
			break;
		for (int64_t i = 0; i < n; i++)
			cnt[gids[i]] += VALID(i);
		break;
	case AGG_SUM_I64: {
		const int64_t *v = sl_array_i64(a);
		int64_t *s = ag->i64;
		for (int64_t i = 0; i < n; i++)
			if (VALID(i)) {
				/* Wraps like Spark's non-ANSI long arithmetic. */
				s[gids[i]] = (int64_t)((uint64_t)s[gids[i]] + (uint64_t)v[i]);
				cnt[gids[i]]++;
			}
		break;
	}
	case AGG_SUM_F64:
	case AGG_AVG: {
		double *s = ag->f64;
		if (a->type->id == SL_TYPE_INT64) {
			const int64_t *v = sl_array_i64(a);
			for (int64_t i = 0; i < n; i++)
				if (VALID(i)) {
					s[gids[i]] += (double)v[i];
					cnt[gids[i]]++;
				}
		} else {
			const double *v = sl_array_f64(a);
			for (int64_t i = 0; i < n; i++)
				if (VALID(i)) {
					s[gids[i]] += v[i];
					cnt[gids[i]]++;
				}
		}
		break;
	}
	case AGG_MIN:
	case AGG_MAX: {
		bool is_min = ag->kind == AGG_MIN;
		switch (ag->vkind) {
		case SL_VALUE_I64: {
			const int64_t *v = sl_array_i64(a);
			int64_t *m = ag->i64;
			for (int64_t i = 0; i < n; i++) {
				uint32_t g = gids[i];
				if (!VALID(i))
					continue;
				if (cnt[g]++ == 0 || (is_min ? v[i] < m[g] : v[i] > m[g]))
					m[g] = v[i];
			}
			break;
		}
		case SL_VALUE_BOOL: {
			int64_t *m = ag->i64;
			for (int64_t i = 0; i < n; i++) {
				uint32_t g = gids[i];
				int64_t x;
				if (!VALID(i))
					continue;
				x = sl_array_bool(a, i);
				if (cnt[g]++ == 0 || (is_min ? x < m[g] : x > m[g]))
					m[g] = x;
			}
			break;
		}
		case SL_VALUE_F64: {
			const double *v = sl_array_f64(a);
			double *m = ag->f64;
			for (int64_t i = 0; i < n; i++) {
				uint32_t g = gids[i];
				if (!VALID(i))
					continue;
				if (cnt[g]++ == 0 ||
				    (is_min ? f64_less(v[i], m[g]) : f64_less(m[g], v[i])))
					m[g] = v[i];
			}
			break;
		}
		case SL_VALUE_STR:
			return str_minmax(ctx, ag, a, n);
		case SL_VALUE_NULL:
			break;
		}
		break;
	}
	}
#undef VALID
	return SL_OK;
}

/* ---- create / destroy ---- */

static void agg_destroy(void *vctx)
{
	agg_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n_keys; i++) {
		key_col *k = &ctx->keys[i];
		if (k->expr != NULL)
			sl_expr_free(k->expr);
		sl_array_unref(k->arr);
	}
	for (size_t i = 0; i < ctx->n_aggs; i++) {
		agg *a = &ctx->aggs[i];
		if (a->expr != NULL)
			sl_expr_free(a->expr);
		sl_type_unref(a->out_type);
		free(a->cnt);
		free(a->i64);
		free(a->f64);
		free(a->off);
		free(a->len);
		free(a->best);
		free(a->arena);
	}
	free(ctx->keys);
	free(ctx->aggs);
	sl_group_table_free(ctx->groups);
	agg_state_free(ctx);
	free(ctx->touched_epoch);
	free(ctx->touched);
	free(ctx->gids);
	free(ctx->call_list);
	free(ctx->vbytes);
	free(ctx->cols);
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int value_kind(sl_type_id id, sl_value_kind *kind)
{
	int k = sl_value_kind_of(id);

	if (k < 0)
		return k;
	*kind = (sl_value_kind)k;
	return SL_OK;
}

static int setup_key(key_col *k, const char *text, const sl_schema *in, sl_error *err)
{
	int rc = sl_expr_compile(text, in, SL_EXPR_SCALAR, &k->expr, err);

	if (rc < 0) {
		if (err != NULL)
			err->option = "group_by";
		return rc;
	}
	k->type = sl_expr_type(k->expr);
	k->col = sl_expr_input_column(k->expr, in);
	if (value_kind(k->type->id, &k->kind) < 0)
		return sl_error_at(err, SL_ETYPE, "group_by", -1,
		                   "cannot group by '%s': %s keys are not supported yet", text,
		                   sl_type_id_name(k->type->id));
	return SL_OK;
}

static int setup_agg(agg *a, const char *text, const sl_schema *in, sl_error *err)
{
	const char *fn;
	const sl_type *at = NULL;
	sl_type_id aid = SL_TYPE_NULL;
	int rc = sl_expr_compile(text, in, SL_EXPR_ALLOW_AGGREGATE, &a->expr, err);

	if (rc < 0) {
		if (err != NULL)
			err->option = "aggregates";
		return rc;
	}
	a->arg_col = -1;
	fn = sl_expr_root_func(a->expr);
	if (sl_expr_root_kind(a->expr) != SL_EXPR_KIND_AGGREGATE || fn == NULL)
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "'%s' is not an aggregate; use count, sum, min, max or avg "
		                   "(group columns go in group_by)",
		                   text);
	if (sl_expr_root_nargs(a->expr) > 1)
		return sl_error_at(err, SL_EINVAL, "aggregates", -1, "%s() takes one argument", fn);
	if (sl_expr_root_nargs(a->expr) == 1) {
		a->arg = sl_expr_root_arg(a->expr, 0);
		a->arg_col = sl_expr_input_column(a->arg, in);
		at = sl_expr_type(a->arg);
		aid = at->id;
	}
	if (strcmp(fn, "count") == 0) {
		a->kind = a->arg ? AGG_COUNT : AGG_COUNT_STAR;
		a->out_type = sl_type_int64();
	} else if (a->arg == NULL) {
		return sl_error_at(err, SL_EINVAL, "aggregates", -1, "%s() needs an argument", fn);
	} else if (strcmp(fn, "sum") == 0 || strcmp(fn, "avg") == 0 || strcmp(fn, "mean") == 0) {
		if (aid != SL_TYPE_INT64 && aid != SL_TYPE_DOUBLE)
			return sl_error_at(err, SL_ETYPE, "aggregates", -1,
			                   "%s() needs a numeric argument, not %s", fn,
			                   sl_type_id_name(aid));
		if (fn[0] == 's' && aid == SL_TYPE_INT64) {
			a->kind = AGG_SUM_I64;
			a->out_type = sl_type_int64();
		} else {
			a->kind = fn[0] == 's' ? AGG_SUM_F64 : AGG_AVG;
			a->out_type = sl_type_double();
		}
	} else if (strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0) {
		a->kind = fn[1] == 'i' ? AGG_MIN : AGG_MAX;
		if (value_kind(aid, &a->vkind) < 0)
			return sl_error_at(err, SL_ETYPE, "aggregates", -1,
			                   "%s() of %s is not supported", fn, sl_type_id_name(aid));
		a->out_type = sl_type_ref((sl_type *)at);
	} else {
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "aggregate %s() is not supported here; use count, sum, min, "
		                   "max or avg",
		                   fn);
	}
	return SL_OK;
}

static int agg_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                      sl_error *err)
{
	int dup;
	const sl_options *o = init->options;
	const sl_schema *in;
	size_t nk = sl_opt_list_len(o, "group_by"), na = sl_opt_list_len(o, "aggregates");
	sl_field *fields = NULL;
	agg_ctx *ctx;
	int rc = SL_OK;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "aggregate takes exactly one input");
	if (init->output_mode == SL_MODE_APPEND)
		return sl_error_set(err, SL_EINVAL,
		                    "append output mode is not supported for aggregate without a "
		                    "watermark; use mode = \"complete\" or \"update\" on the sink");
	if (na == 0)
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "needs at least one aggregate");
	in = init->input_schemas[0];
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	ctx->mode = init->output_mode;
	ctx->epoch = 1;
	ctx->keys = calloc(nk ? nk : 1, sizeof(*ctx->keys));
	ctx->aggs = calloc(na, sizeof(*ctx->aggs));
	ctx->cols = calloc(nk + na, sizeof(*ctx->cols));
	ctx->vbytes = malloc(OUT_ROWS);
	fields = calloc(nk + na, sizeof(*fields));
	if (ctx->keys == NULL || ctx->aggs == NULL || ctx->cols == NULL || ctx->vbytes == NULL ||
	    fields == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nk; i++) {
		ctx->n_keys++;
		rc = setup_key(&ctx->keys[i], sl_opt_list_at(o, "group_by", i), in, err);
		if (rc < 0)
			goto out;
		fields[i].name = (char *)sl_expr_name(ctx->keys[i].expr);
		fields[i].type = (sl_type *)ctx->keys[i].type;
		fields[i].nullable = ctx->keys[i].col >= 0 ? in->fields[ctx->keys[i].col].nullable
		                                           : sl_expr_nullable(ctx->keys[i].expr);
	}
	for (size_t i = 0; i < na; i++) {
		agg *a = &ctx->aggs[i];
		ctx->n_aggs++;
		rc = setup_agg(a, sl_opt_list_at(o, "aggregates", i), in, err);
		if (rc < 0)
			goto out;
		fields[nk + i].name = (char *)sl_expr_name(a->expr);
		fields[nk + i].type = a->out_type;
		fields[nk + i].nullable = a->kind != AGG_COUNT && a->kind != AGG_COUNT_STAR;
	}
	if ((dup = sl_fields_find_duplicate(fields, nk + na, false)) >= 0) {
		rc = sl_error_at(err, SL_EINVAL, (size_t)dup < nk ? "group_by" : "aggregates", -1,
		                 "duplicate output column '%s'; rename one with AS",
		                 fields[dup].name);
		goto out;
	}
	ctx->schema = sl_type_struct(nk + na, fields);
	if (ctx->schema == NULL || agg_grow_groups(ctx) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if (nk > 0) {
		const sl_type **types = calloc(nk, sizeof(*types));
		for (size_t i = 0; types != NULL && i < nk; i++)
			types[i] = ctx->keys[i].type;
		ctx->groups = types ? sl_group_table_new(nk, types) : NULL;
		free(types);
	}
	if (nk > 0 && ctx->groups == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if (nk == 0)
		ctx->n_groups = 1; /* the one group of a global aggregate */
	/* Groups committed by an earlier run come back from the state store
	 * (a dry run touches nothing; without a checkpoint the store starts
	 * empty and is not written). */
	if (!init->dry_run && sl_state_durable(ctx->st) > 0) {
		ctx->durable = true;
		rc = agg_state_restore(ctx, err);
	}
out:
	free(fields);
	if (rc < 0) {
		agg_destroy(ctx);
		return rc;
	}
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

/* ---- per batch ---- */

static int ensure_scratch(agg_ctx *ctx, int64_t n)
{
	int64_t cap = ctx->scratch_cap ? ctx->scratch_cap : 4096;
	void *g, *l;

	if (n <= ctx->scratch_cap)
		return SL_OK;
	while (cap < n)
		cap *= 2;
	g = realloc(ctx->gids, (size_t)cap * sizeof(uint32_t));
	if (g != NULL)
		ctx->gids = g;
	l = realloc(ctx->call_list, (size_t)cap * sizeof(uint32_t));
	if (l != NULL)
		ctx->call_list = l;
	if (g == NULL || l == NULL)
		return SL_ENOMEM;
	ctx->scratch_cap = cap;
	return SL_OK;
}

static int agg_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	agg_ctx *ctx = vctx;
	int64_t n = in->n_rows;
	int rc = SL_OK;

	if (n == 0)
		return SL_OK;
	if (n > INT32_MAX)
		return sl_error_set(err, SL_EINVAL, "batch of %lld rows is too large",
		                    (long long)n);
	if (ensure_scratch(ctx, n) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");

	for (size_t c = 0; c < ctx->n_keys; c++) {
		key_col *k = &ctx->keys[c];
		if (k->col >= 0)
			k->arr = sl_array_ref(in->columns[k->col]);
		else if ((rc = sl_expr_eval(k->expr, in, &k->arr, err)) < 0)
			goto out;
	}
	if (ctx->n_keys == 0)
		memset(ctx->gids, 0, (size_t)n * sizeof(uint32_t));
	else if (assign_groups(ctx, n) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory for %u groups", ctx->n_groups);
		goto out;
	}
	touch(ctx, n);

	for (size_t j = 0; j < ctx->n_aggs; j++) {
		agg *ag = &ctx->aggs[j];
		sl_array *a = NULL;
		if (ag->arg != NULL) {
			if (ag->arg_col >= 0)
				a = sl_array_ref(in->columns[ag->arg_col]);
			else if ((rc = sl_expr_eval(ag->arg, in, &a, err)) < 0)
				goto out;
		}
		rc = update_agg(ctx, ag, a, n);
		sl_array_unref(a);
		if (rc < 0) {
			rc = sl_error_set(err, rc, "out of memory");
			goto out;
		}
	}
out:
	for (size_t c = 0; c < ctx->n_keys; c++) {
		sl_array_unref(ctx->keys[c].arr);
		ctx->keys[c].arr = NULL;
	}
	return rc;
}

/* A validity bitmap from one byte per row, or NULL when all are valid. */
static int bitmap_from_bytes(const uint8_t *v, int64_t m, sl_buffer **out)
{
	int64_t valid = 0;
	sl_buffer *b;

	for (int64_t i = 0; i < m; i++)
		valid += v[i];
	*out = NULL;
	if (valid == m)
		return SL_OK;
	b = sl_buffer_new(sl_bitmap_bytes(m));
	if (b == NULL)
		return SL_ENOMEM;
	memset(b->data, 0, sl_bitmap_bytes(m));
	for (int64_t i = 0; i < m; i++)
		if (v[i])
			sl_bit_set(b->data, i);
	b->len = sl_bitmap_bytes(m);
	*out = b;
	return SL_OK;
}

/* Builds a column of m rows: kind says how values are held; the per-group
 * arrays are indexed through g.  ok[i] tells valid rows. */
static sl_array *build_column(const sl_type *type, sl_value_kind kind, const uint32_t *g, int64_t m,
                              const uint8_t *ok, const int64_t *i64, const double *f64,
                              const uint64_t *off, const uint32_t *len, const char *arena)
{
	sl_buffer *validity = NULL, *values = NULL, *data = NULL;

	if (kind == SL_VALUE_NULL || type->id == SL_TYPE_NULL)
		return sl_array_new_nulls((sl_type *)type, m);
	if (bitmap_from_bytes(ok, m, &validity) < 0)
		return NULL;
	switch (kind) {
	case SL_VALUE_I64:
	case SL_VALUE_F64:
		values = sl_buffer_new((size_t)m * 8);
		if (values == NULL)
			goto fail;
		if (kind == SL_VALUE_I64) {
			int64_t *v = (int64_t *)values->data;
			for (int64_t i = 0; i < m; i++)
				v[i] = ok[i] ? i64[g[i]] : 0;
		} else {
			double *v = (double *)values->data;
			for (int64_t i = 0; i < m; i++)
				v[i] = ok[i] ? f64[g[i]] : 0;
		}
		values->len = (size_t)m * 8;
		break;
	case SL_VALUE_BOOL:
		values = sl_buffer_new(sl_bitmap_bytes(m));
		if (values == NULL)
			goto fail;
		memset(values->data, 0, sl_bitmap_bytes(m));
		for (int64_t i = 0; i < m; i++)
			if (ok[i] && i64[g[i]])
				sl_bit_set(values->data, i);
		values->len = sl_bitmap_bytes(m);
		break;
	case SL_VALUE_STR: {
		size_t total = 0;
		int32_t *o;
		for (int64_t i = 0; i < m; i++)
			if (ok[i])
				total += len[g[i]];
		if (total > INT32_MAX)
			goto fail;
		values = sl_buffer_new((size_t)(m + 1) * sizeof(int32_t));
		data = sl_buffer_new(total ? total : 1);
		if (values == NULL || data == NULL)
			goto fail;
		o = (int32_t *)values->data;
		o[0] = 0;
		total = 0;
		for (int64_t i = 0; i < m; i++) {
			if (ok[i]) {
				memcpy(data->data + total, arena + off[g[i]], len[g[i]]);
				total += len[g[i]];
			}
			o[i + 1] = (int32_t)total;
		}
		values->len = (size_t)(m + 1) * sizeof(int32_t);
		data->len = total;
		break;
	}
	case SL_VALUE_NULL:
		break;
	}
	return sl_array_new((sl_type *)type, m, -1, validity, values, data, 0, NULL);
fail:
	sl_buffer_unref(validity);
	sl_buffer_unref(values);
	sl_buffer_unref(data);
	return NULL;
}

static sl_array *agg_output(agg_ctx *ctx, const agg *a, const uint32_t *g, int64_t m)
{
	uint8_t *ok = ctx->vbytes;
	sl_array *r;
	sl_buffer *vb;
	double *v;

	for (int64_t i = 0; i < m; i++)
		ok[i] = a->kind == AGG_COUNT || a->kind == AGG_COUNT_STAR || a->cnt[g[i]] > 0;
	switch (a->kind) {
	case AGG_COUNT_STAR:
	case AGG_COUNT:
		return build_column(a->out_type, SL_VALUE_I64, g, m, ok, a->cnt, NULL, NULL, NULL,
		                    NULL);
	case AGG_SUM_I64:
		return build_column(a->out_type, SL_VALUE_I64, g, m, ok, a->i64, NULL, NULL, NULL,
		                    NULL);
	case AGG_SUM_F64:
		return build_column(a->out_type, SL_VALUE_F64, g, m, ok, NULL, a->f64, NULL, NULL,
		                    NULL);
	case AGG_AVG:
		/* sum / count, computed into the column directly. */
		r = build_column(a->out_type, SL_VALUE_F64, g, m, ok, NULL, a->f64, NULL, NULL,
		                 NULL);
		if (r == NULL)
			return NULL;
		vb = r->values;
		v = (double *)vb->data;
		for (int64_t i = 0; i < m; i++)
			if (ok[i])
				v[i] /= (double)a->cnt[g[i]];
		return r;
	case AGG_MIN:
	case AGG_MAX:
		return build_column(a->out_type, a->vkind, g, m, ok, a->i64, a->f64, a->off, a->len,
		                    a->arena);
	}
	return NULL;
}

/* Bytes the hot table holds (Spark's state memoryUsedBytes). */
static int64_t memory_used(const agg_ctx *ctx)
{
	size_t per_group = sizeof(uint32_t) * 2; /* touched */
	size_t bytes =
	    agg_state_memory(ctx) + (ctx->groups ? sl_group_table_memory_bytes(ctx->groups) : 0);

	for (size_t j = 0; j < ctx->n_aggs; j++) {
		const agg *a = &ctx->aggs[j];
		per_group += 8 + (a->vkind == SL_VALUE_STR ? 16 : 8);
		bytes += a->arena_cap;
	}
	return (int64_t)(bytes + per_group * ctx->cap_groups);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int emit_groups(agg_ctx *ctx, const uint32_t *g, int64_t m, sl_emitter *out, sl_error *err)
{
	size_t nc = ctx->n_keys + ctx->n_aggs, done = 0;
	sl_batch *batch;

	for (; done < nc; done++) {
		sl_array *c = done < ctx->n_keys
		                  ? sl_group_table_key_column(ctx->groups, done, g, m)
		                  : agg_output(ctx, &ctx->aggs[done - ctx->n_keys], g, m);
		if (c == NULL)
			break;
		ctx->cols[done] = c;
	}
	if (done < nc) {
		for (size_t i = 0; i < done; i++)
			sl_array_unref(ctx->cols[i]);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	batch = sl_batch_new(ctx->schema, m, ctx->cols);
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "cannot assemble the output batch");
	return sl_emit(out, batch);
}

static int agg_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	return SL_OK;
}

static int agg_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	agg_ctx *ctx = vctx;
	const uint32_t *list;
	int64_t total;
	uint32_t *all = NULL;
	int rc = SL_OK;

	if (ctx->mode == SL_MODE_COMPLETE) {
		/* Every group, in first-seen order. */
		all = malloc((ctx->n_groups ? ctx->n_groups : 1) * sizeof(*all));
		if (all == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		for (uint32_t g = 0; g < ctx->n_groups; g++)
			all[g] = g;
		list = all;
		total = ctx->n_groups;
	} else {
		/* The groups this batch changed, in first-seen order. */
		qsort(ctx->touched, ctx->n_touched, sizeof(uint32_t), cmp_u32);
		list = ctx->touched;
		total = ctx->n_touched;
	}
	for (int64_t s = 0; s < total && rc >= 0; s += OUT_ROWS)
		rc = emit_groups(ctx, list + s, total - s < OUT_ROWS ? total - s : OUT_ROWS, out,
		                 err);
	free(all);
	/* The changed groups go to the store with the batch (one write per page
	 * holding any of them); the core turns the two counters into
	 * stateOperators (updated: the groups, not the pages). */
	if (rc >= 0 && ctx->durable)
		rc = agg_state_save(ctx, err);
	sl_metric_add(ctx->st, "stateRowsTotal", ctx->n_groups);
	sl_metric_add(ctx->st, "stateRowsUpdated", ctx->n_touched);
	sl_metric_add(ctx->st, "stateMemoryUsedBytes", memory_used(ctx));

	ctx->n_touched = 0;
	if (++ctx->epoch == 0) { /* wrapped: forget every old mark */
		memset(ctx->touched_epoch, 0, ctx->cap_groups * sizeof(uint32_t));
		ctx->epoch = 1;
	}
	return rc;
}

static int agg_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	return SL_OK;
}

static const sl_option_spec agg_options[] = {
    {.name = "group_by",
     .type = SL_OPT_EXPR_LIST,
     .def = NULL,
     .doc = "grouping expressions; empty or absent: one global group"},
    {.name = "aggregates",
     .type = SL_OPT_EXPR_LIST,
     .required = 1,
     .doc = "count(*), count(x), sum(x), min(x), max(x), avg(x), each with optional AS"},
    {0}};

static const sl_plugin agg_plugin = {
    .size = sizeof(sl_plugin),
    .name = "aggregate",
    .kind = SL_PLUGIN_TRANSFORM,
    .flags = SL_PLUGIN_STATEFUL,
    .summary = "groups rows and aggregates them across micro-batches (SQL GROUP BY)",
    .doc = "Output: the group_by columns, then the aggregates, named by their AS alias or "
           "after the expression.  In complete mode every group is emitted after each "
           "micro-batch, in update mode the groups the micro-batch changed, both in "
           "first-seen order.  Append mode needs a watermark and is refused for now.  "
           "Groups are held in memory; with a checkpoint, the groups each micro-batch "
           "changed are written to the state store with the batch, and a restart restores "
           "every group (and its first-seen order) before the first batch.",
    .options = agg_options,
    .create = agg_create,
    .destroy = agg_destroy,
    .begin_batch = agg_begin_batch,
    .process = agg_process,
    .end_batch = agg_end_batch,
    .commit = agg_commit,
};

SL_MODULE(aggregate, &agg_plugin)
