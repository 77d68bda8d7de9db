/* window.c - event-time windows: tumbling, sliding and session windows over
 * a TIMESTAMP column, grouped by window and keys, with Spark's output modes,
 * watermark-driven emission and eviction, late records dropped (counted) or
 * sent to a side output, and running totals across a key's windows.
 *
 * Per input batch (process), a column at a time:
 *   1. the event-time column; rows with a NULL time are dropped (counted),
 *      rows whose last window is already closed by the watermark in force
 *      are late (dropped and counted, or emitted to the side output "late"),
 *   2. the group_by columns hashed into key ids (window_keys.c),
 *   3. each row's cell: (key, epoch-aligned slice start) probed in a hash
 *      table for tumbling windows and sliding panes; for sessions the key's
 *      list of sessions, merging the sessions a record bridges,
 *   4. one update loop per aggregate over (row, cell) (window_acc.c).
 * begin_batch closes the windows the watermark passed (append mode
 * materialises them for end_batch), end_batch emits (window_emit.c) and
 * writes the changed cells to the state store (window_state.c).
 */
#include "window.h"

#include <ctype.h>
#include <stdio.h>

/* ---- setup ---- */

static void win_destroy(void *vctx)
{
	win_ctx *c = vctx;

	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_keys; i++) {
		wkey *k = &c->keys[i];
		sl_expr_free(k->expr);
		sl_array_unref(k->arr);
	}
	for (size_t i = 0; i < c->n_aggs; i++) {
		sl_expr_free(c->aggs[i].expr);
		sl_type_unref(c->aggs[i].out_type);
		free(c->aggs[i].text);
	}
	for (size_t i = 0; i < c->n_runs; i++) {
		wrun *r = &c->runs[i];
		sl_expr_free(r->expr);
		sl_type_unref(r->out_type);
		free(r->cnt);
		free(r->i64);
		free(r->f64);
	}
	for (size_t i = 0; i < c->n_posts; i++)
		sl_expr_free(c->posts[i]);
	if (c->aggs != NULL) {
		w_store_free(c, &c->cells);
		w_store_free(c, &c->merged);
	}
	sl_expr_free(c->time_expr);
	free(c->keys);
	free(c->aggs);
	free(c->runs);
	free(c->posts);
	sl_group_table_free(c->groups);
	free(c->karr);
	free(c->kseq);
	free(c->kcells);
	free(c->khead);
	free(c->kepoch);
	free(c->kdirty);
	free(c->cnext);
	free(c->cepoch);
	free(c->fwd);
	free(c->pstart);
	free(c->ctable);
	free(c->touched);
	free(c->dead);
	free(c->pdel);
	free(c->kids);
	free(c->cids);
	free(c->rows);
	free(c->late);
	free(c->wins);
	sl_wbuf_free(&c->rec);
	sl_batch_unref(c->pending);
	sl_type_unref(c->in_schema);
	sl_type_unref(c->schema);
	sl_type_unref(c->pre_schema);
	sl_type_unref(c->run_schema);
	free(c);
}

/* "count(DISTINCT x)" -> "count_distinct(x)" (the expression engine has
 * no DISTINCT); other text is copied. */
static char *rewrite_distinct(const char *text)
{
	const char *p = text;
	char *out;

	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "count", 5) == 0) {
		const char *q = p + 5;
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '(') {
			q++;
			while (isspace((unsigned char)*q))
				q++;
			if (strncasecmp(q, "distinct", 8) == 0 && isspace((unsigned char)q[8])) {
				size_t n = strlen(q + 8) + sizeof("count_distinct(");
				out = malloc(n);
				if (out != NULL)
					snprintf(out, n, "count_distinct(%s", q + 8);
				return out;
			}
		}
	}
	return strdup(text);
}

static int setup_key(wkey *k, const char *text, const sl_schema *in, sl_error *err)
{
	int ok, rc = sl_expr_compile(text, in, SL_EXPR_SCALAR, &k->expr, err);

	if (rc < 0) {
		if (err != NULL)
			err->option = "group_by";
		return rc;
	}
	k->type = sl_expr_type(k->expr);
	k->col = sl_expr_input_column(k->expr, in);
	k->nullable = k->col >= 0 ? in->fields[k->col].nullable : sl_expr_nullable(k->expr);
	k->kind = w_value_kind(k->type->id, &ok);
	if (!ok)
		return sl_error_at(err, SL_ETYPE, "group_by", -1,
		                   "cannot group by '%s': %s keys are not supported", text,
		                   sl_type_id_name(k->type->id));
	return SL_OK;
}

#define AGG_LIST "count(*), count, sum, min, max, avg, first, last or count(DISTINCT x)"

static int setup_agg(wagg *a, const char *text, const sl_schema *in, sl_error *err)
{
	const char *fn;
	const sl_type *at = NULL;
	sl_type_id aid = SL_TYPE_NULL;
	int ok, rc;

	a->text = rewrite_distinct(text);
	if (a->text == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	rc = sl_expr_compile(a->text, in, SL_EXPR_ALLOW_AGGREGATE, &a->expr, err);
	if (rc < 0) {
		if (err != NULL)
			err->option = "aggregates";
		return rc;
	}
	a->arg_col = -1;
	fn = sl_expr_root_func(a->expr);
	if (sl_expr_root_kind(a->expr) != SL_EXPR_KIND_AGGREGATE || fn == NULL)
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "'%s' is not an aggregate; use " AGG_LIST
		                   " (group columns go in group_by)",
		                   text);
	if (!sl_expr_has_alias(a->expr))
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "'%s' needs a name: write it as '%s AS name'", text, text);
	if (sl_expr_root_nargs(a->expr) == 1) {
		a->arg = sl_expr_root_arg(a->expr, 0);
		a->arg_col = sl_expr_input_column(a->arg, in);
		at = sl_expr_type(a->arg);
		aid = at->id;
	}
	if (strcmp(fn, "count") == 0) {
		a->kind = a->arg ? A_COUNT : A_COUNT_STAR;
		a->out_type = sl_type_int64();
	} else if (a->arg == NULL) {
		return sl_error_at(err, SL_EINVAL, "aggregates", -1, "%s() needs an argument", fn);
	} else if (strcmp(fn, "count_distinct") == 0) {
		a->kind = A_DISTINCT;
		a->vkind = w_value_kind(aid, &ok);
		if (!ok)
			return sl_error_at(err, SL_ETYPE, "aggregates", -1,
			                   "count(DISTINCT) of %s is not supported",
			                   sl_type_id_name(aid));
		a->out_type = sl_type_int64();
	} else if (strcmp(fn, "sum") == 0 || strcmp(fn, "avg") == 0) {
		if (aid != SL_TYPE_INT64 && aid != SL_TYPE_DOUBLE && aid != SL_TYPE_NULL)
			return sl_error_at(err, SL_ETYPE, "aggregates", -1,
			                   "%s() needs a numeric argument, not %s", fn,
			                   sl_type_id_name(aid));
		if (fn[0] == 's' && aid != SL_TYPE_DOUBLE) {
			a->kind = A_SUM_I64;
			a->out_type = sl_type_int64();
		} else {
			a->kind = fn[0] == 's' ? A_SUM_F64 : A_AVG;
			a->out_type = sl_type_double();
		}
	} else if (strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0 || strcmp(fn, "first") == 0 ||
	           strcmp(fn, "last") == 0) {
		a->kind = fn[0] == 'f'   ? A_FIRST
		          : fn[0] == 'l' ? A_LAST
		          : fn[1] == 'i' ? A_MIN
		                         : A_MAX;
		a->vkind = w_value_kind(aid, &ok);
		if (!ok)
			return sl_error_at(err, SL_ETYPE, "aggregates", -1,
			                   "%s() of %s is not supported", fn, sl_type_id_name(aid));
		a->out_type = sl_type_ref(at);
	} else {
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "aggregate %s() is not supported here; use " AGG_LIST, fn);
	}
	return SL_OK;
}

static int setup_run(wrun *r, const char *text, const sl_schema *pre, sl_error *err)
{
	const char *fn;
	const sl_type *at = NULL;
	int rc = sl_expr_compile(text, pre, SL_EXPR_ALLOW_AGGREGATE, &r->expr, err);

	if (rc < 0) {
		if (err != NULL)
			err->option = "running";
		return rc;
	}
	fn = sl_expr_root_func(r->expr);
	if (sl_expr_root_kind(r->expr) != SL_EXPR_KIND_AGGREGATE || fn == NULL ||
	    !sl_expr_has_alias(r->expr))
		return sl_error_at(err, SL_EINVAL, "running", -1,
		                   "'%s' is not a running total; write sum(x) AS name (also "
		                   "count, min, max, avg) over the window's output columns",
		                   text);
	if (sl_expr_root_nargs(r->expr) == 1) {
		r->arg = sl_expr_root_arg(r->expr, 0);
		at = sl_expr_type(r->arg);
	}
	if (strcmp(fn, "count") == 0) {
		r->kind = R_COUNT;
		r->out_type = sl_type_int64();
		return SL_OK;
	}
	if (at == NULL)
		return sl_error_at(err, SL_EINVAL, "running", -1, "%s() needs an argument", fn);
	if (at->id != SL_TYPE_INT64 && at->id != SL_TYPE_DOUBLE &&
	    !(at->id == SL_TYPE_TIMESTAMP && (fn[1] == 'i' || fn[1] == 'a')))
		return sl_error_at(err, SL_ETYPE, "running", -1,
		                   "running %s() needs a numeric argument, not %s", fn,
		                   sl_type_id_name(at->id));
	r->dbl = at->id == SL_TYPE_DOUBLE;
	if (strcmp(fn, "sum") == 0) {
		r->kind = R_SUM;
	} else if (strcmp(fn, "min") == 0) {
		r->kind = R_MIN;
	} else if (strcmp(fn, "max") == 0) {
		r->kind = R_MAX;
	} else if (strcmp(fn, "avg") == 0) {
		if (at->id == SL_TYPE_TIMESTAMP)
			return sl_error_at(err, SL_ETYPE, "running", -1,
			                   "running avg() needs a numeric argument");
		r->kind = R_AVG;
		r->out_type = sl_type_double();
		return SL_OK;
	} else {
		return sl_error_at(err, SL_EINVAL, "running", -1,
		                   "running %s() is not supported; use sum, count, min, max or avg",
		                   fn);
	}
	r->out_type = sl_type_ref(at);
	return SL_OK;
}

/* A schema of base's fields followed by n more. */
static sl_schema *extend_schema(const sl_schema *base, const sl_field *more, size_t n)
{
	size_t nb = base ? base->n_fields : 0;
	sl_field *f = calloc(nb + n + 1, sizeof(*f));
	sl_schema *s;

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < nb; i++)
		f[i] = base->fields[i];
	for (size_t i = 0; i < n; i++)
		f[nb + i] = more[i];
	s = sl_type_struct(nb + n, f);
	free(f);
	return s;
}

static int duplicate_names(const sl_schema *s, sl_error *err)
{
	int dup = sl_fields_find_duplicate(s->fields, s->n_fields, true);

	if (dup >= 0)
		return sl_error_set(err, SL_EINVAL,
		                    "duplicate output column '%s'; rename one with AS",
		                    s->fields[dup].name);
	return SL_OK;
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static int setup_kind(win_ctx *c, const sl_options *o, sl_error *err)
{
	const char *kind = sl_opt_string(o, "kind");
	bool has_size = sl_opt_is_set(o, "size"), has_slide = sl_opt_is_set(o, "slide");
	bool has_gap = sl_opt_is_set(o, "gap");

	c->size = has_size ? sl_opt_duration_us(o, "size") : 0;
	c->slide = has_slide ? sl_opt_duration_us(o, "slide") : 0;
	c->gap = has_gap ? sl_opt_duration_us(o, "gap") : 0;
	if (kind == NULL || strcmp(kind, "tumbling") == 0) {
		c->kind = WIN_TUMBLING;
		if (!has_size || c->size <= 0)
			return sl_error_at(
			    err, SL_EINVAL, "size", -1,
			    "a tumbling window needs size > 0 (e.g. \"15 minutes\")");
		if (has_slide && c->slide != c->size)
			return sl_error_at(
			    err, SL_EINVAL, "slide", -1,
			    "a tumbling window has no slide; use kind = \"sliding\"");
		if (has_gap)
			return sl_error_at(err, SL_EINVAL, "gap", -1,
			                   "gap is for kind = \"session\"");
		c->slide = c->size;
		c->pane = c->size;
	} else if (strcmp(kind, "sliding") == 0) {
		c->kind = WIN_SLIDING;
		if (!has_size || c->size <= 0)
			return sl_error_at(err, SL_EINVAL, "size", -1,
			                   "a sliding window needs size > 0");
		if (!has_slide || c->slide <= 0)
			return sl_error_at(err, SL_EINVAL, "slide", -1,
			                   "a sliding window needs slide > 0 (e.g. \"5 minutes\")");
		if (c->slide > c->size)
			return sl_error_at(err, SL_EINVAL, "slide", -1,
			                   "slide must not be longer than size (as in Spark)");
		if (has_gap)
			return sl_error_at(err, SL_EINVAL, "gap", -1,
			                   "gap is for kind = \"session\"");
		c->pane = gcd64(c->size, c->slide);
		if (c->size / c->pane > 4096)
			return sl_error_at(err, SL_EINVAL, "slide", -1,
			                   "size / gcd(size, slide) = %lld panes per window is too "
			                   "many (at most 4096)",
			                   (long long)(c->size / c->pane));
		if (c->slide == c->size)
			c->kind = WIN_TUMBLING;
	} else {
		c->kind = WIN_SESSION;
		if (!has_gap || c->gap <= 0)
			return sl_error_at(err, SL_EINVAL, "gap", -1,
			                   "a session window needs gap > 0 (e.g. \"10 minutes\")");
		if (has_size || has_slide)
			return sl_error_at(err, SL_EINVAL, has_size ? "size" : "slide", -1,
			                   "a session window has only a gap");
	}
	return SL_OK;
}

static int win_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                      sl_error *err)
{
	const sl_options *o = init->options;
	const sl_schema *in;
	size_t nk = sl_opt_list_len(o, "group_by"), na = sl_opt_list_len(o, "aggregates");
	size_t nr = sl_opt_list_len(o, "running"), np = sl_opt_list_len(o, "post");
	const char *late = sl_opt_string(o, "late");
	sl_field *fields = NULL;
	size_t nf = 0;
	sl_type *wtype = NULL;
	win_ctx *c;
	int rc = SL_OK;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "window takes exactly one input");
	if (na == 0)
		return sl_error_at(err, SL_EINVAL, "aggregates", -1,
		                   "needs at least one aggregate");
	in = init->input_schemas[0];
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	c->st = init->self;
	c->mode = init->output_mode;
	c->epoch = 1;
	c->closed_upto = SL_NO_WATERMARK;
	c->dry_run = init->dry_run != 0;
	c->late_side = late != NULL && strcmp(late, "side") == 0;
	c->window_struct = sl_opt_bool(o, "window_struct");
	c->in_schema = sl_type_ref(in);
	if ((rc = setup_kind(c, o, err)) < 0)
		goto out;

	/* The event time. */
	rc = sl_expr_compile(sl_opt_string(o, "time_column"), in, SL_EXPR_SCALAR, &c->time_expr,
	                     err);
	if (rc < 0) {
		if (err != NULL)
			err->option = "time_column";
		goto out;
	}
	if (sl_expr_type(c->time_expr)->id != SL_TYPE_TIMESTAMP) {
		rc = sl_error_at(err, SL_ETYPE, "time_column", -1,
		                 "the event time must be a TIMESTAMP, not %s; convert it with "
		                 "to_timestamp(...) in a select stage before the window",
		                 sl_type_id_name(sl_expr_type(c->time_expr)->id));
		goto out;
	}
	c->time_col = sl_expr_input_column(c->time_expr, in);
	if (init->size >= offsetof(sl_stage_init, watermark_delay_us) + sizeof(int64_t) &&
	    init->watermark_column != NULL && c->time_col >= 0 &&
	    strcmp(in->fields[c->time_col].name, init->watermark_column) != 0)
		sl_log(c->st, SL_LOG_WARN,
		       "the watermark is declared on '%s' but the windows are over '%s': "
		       "Spark evicts window state only when they are the same column",
		       init->watermark_column, in->fields[c->time_col].name);

	c->keys = calloc(nk ? nk : 1, sizeof(*c->keys));
	c->aggs = calloc(na, sizeof(*c->aggs));
	c->runs = calloc(nr ? nr : 1, sizeof(*c->runs));
	c->posts = calloc(np ? np : 1, sizeof(*c->posts));
	fields = calloc(nk + na + 3, sizeof(*fields));
	if (c->keys == NULL || c->aggs == NULL || c->runs == NULL || c->posts == NULL ||
	    fields == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nk; i++) {
		c->n_keys++;
		if ((rc = setup_key(&c->keys[i], sl_opt_list_at(o, "group_by", i), in, err)) < 0)
			goto out;
		fields[nf++] = (sl_field){(char *)sl_expr_name(c->keys[i].expr),
		                          (sl_type *)c->keys[i].type, c->keys[i].nullable};
	}
	if (c->window_struct) {
		sl_field wf[2] = {{"start", sl_type_timestamp(), false},
		                  {"end", sl_type_timestamp(), false}};
		wtype = sl_type_struct(2, wf);
		if (wtype == NULL) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		fields[nf++] = (sl_field){"window", wtype, false};
	}
	fields[nf++] = (sl_field){"start", sl_type_timestamp(), false};
	fields[nf++] = (sl_field){"end", sl_type_timestamp(), false};
	for (size_t i = 0; i < na; i++) {
		wagg *a = &c->aggs[i];
		c->n_aggs++;
		if ((rc = setup_agg(a, sl_opt_list_at(o, "aggregates", i), in, err)) < 0)
			goto out;
		fields[nf++] = (sl_field){(char *)sl_expr_name(a->expr), a->out_type,
		                          a->kind != A_COUNT && a->kind != A_COUNT_STAR &&
		                              a->kind != A_DISTINCT};
	}
	c->pre_schema = sl_type_struct(nf, fields);
	if (c->pre_schema == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory (or duplicate column names)");
		goto out;
	}
	if ((rc = duplicate_names(c->pre_schema, err)) < 0) {
		err->option = "aggregates";
		goto out;
	}

	/* Running totals over the window results, then the post expressions. */
	nf = 0;
	for (size_t i = 0; i < nr; i++) {
		wrun *r = &c->runs[i];
		c->n_runs++;
		if ((rc = setup_run(r, sl_opt_list_at(o, "running", i), c->pre_schema, err)) < 0)
			goto out;
		fields[nf++] =
		    (sl_field){(char *)sl_expr_name(r->expr), r->out_type, r->kind != R_COUNT};
	}
	c->run_schema = extend_schema(c->pre_schema, fields, nf);
	if (c->run_schema == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = duplicate_names(c->run_schema, err)) < 0) {
		err->option = "running";
		goto out;
	}
	nf = 0;
	for (size_t i = 0; i < np; i++) {
		rc = sl_expr_compile(sl_opt_list_at(o, "post", i), c->run_schema, SL_EXPR_SCALAR,
		                     &c->posts[i], err);
		if (rc < 0) {
			if (err != NULL)
				err->option = "post";
			goto out;
		}
		c->n_posts++;
	}
	{
		sl_field *pf = calloc(np ? np : 1, sizeof(*pf));
		if (pf == NULL) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < np; i++)
			pf[i] = (sl_field){(char *)sl_expr_name(c->posts[i]),
			                   (sl_type *)sl_expr_type(c->posts[i]),
			                   sl_expr_nullable(c->posts[i])};
		c->schema = extend_schema(c->run_schema, pf, np);
		free(pf);
	}
	if (c->schema == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = duplicate_names(c->schema, err)) < 0) {
		err->option = "post";
		goto out;
	}

	if (w_store_init(c, &c->cells) < 0 || w_store_init(c, &c->merged) < 0 ||
	    w_keys_grow(c) < 0 || w_cells_rehash(c) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	{
		const sl_type **types = calloc(c->n_keys ? c->n_keys : 1, sizeof(*types));
		for (size_t i = 0; types != NULL && i < c->n_keys; i++)
			types[i] = c->keys[i].type;
		c->groups = types ? sl_group_table_new(c->n_keys, types) : NULL;
		free(types);
	}
	c->karr = calloc(c->n_keys ? c->n_keys : 1, sizeof(*c->karr));
	if (c->karr == NULL || c->groups == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	if (c->late_side &&
	    (rc = sl_side_output_declare(c->st, "late", (sl_schema *)in, err)) < 0) {
		sl_error_prefix(err, "late = \"side\"");
		err->option = "late";
		goto out;
	}
	/* Windows committed by an earlier run come back from the store. */
	if (!init->dry_run && sl_state_durable(c->st) > 0) {
		c->durable = true;
		rc = w_state_restore(c, err);
	}
out:
	free(fields);
	sl_type_unref(wtype);
	if (rc < 0) {
		win_destroy(c);
		return rc;
	}
	*out_schema = sl_type_ref(c->schema);
	*out_ctx = c;
	return SL_OK;
}

/* ---- cells ---- */

int w_cells_grow(win_ctx *c, uint32_t need)
{
	uint32_t oc = c->cells.cap;
	int rc;

	if (need <= oc)
		return SL_OK;
	if (w_store_grow(c, &c->cells, need) < 0)
		return SL_ENOMEM;
	rc = sl_grow_array(&c->cnext, sizeof(uint32_t), oc, c->cells.cap, 0xff);
	rc |= sl_grow_array(&c->cepoch, sizeof(uint32_t), oc, c->cells.cap, 0);
	rc |= sl_grow_array(&c->fwd, sizeof(uint32_t), oc, c->cells.cap, 0xff);
	rc |= sl_grow_array(&c->pstart, sizeof(int64_t), oc, c->cells.cap, 0);
	rc |= sl_grow_array(&c->touched, sizeof(uint32_t), oc, c->cells.cap, 0);
	for (uint32_t i = oc; i < c->cells.cap && rc == SL_OK; i++)
		c->pstart[i] = SL_NO_WATERMARK;
	return rc == SL_OK ? SL_OK : SL_ENOMEM;
}

int w_cells_rehash(win_ctx *c)
{
	uint64_t size = 1024;
	uint32_t *t;

	if (c->kind == WIN_SESSION) {
		/* Sessions: each key's list, rebuilt in cell order. */
		for (uint32_t k = 0; k < c->nk; k++)
			c->khead[k] = W_NONE;
		for (uint32_t i = c->cells.n; i-- > 0;) {
			uint32_t k = c->cells.key[i];
			c->cnext[i] = c->khead[k];
			c->khead[k] = i;
		}
		return SL_OK;
	}
	while ((uint64_t)c->cells.n * 2 >= size)
		size *= 2;
	t = calloc(size, sizeof(*t));
	if (t == NULL)
		return SL_ENOMEM;
	for (uint32_t i = 0; i < c->cells.n; i++) {
		uint64_t pos = w_cell_hash(c->cells.key[i], c->cells.start[i]) & (size - 1);
		while (t[pos] != 0)
			pos = (pos + 1) & (size - 1);
		t[pos] = i + 1;
	}
	free(c->ctable);
	c->ctable = t;
	c->cmask = size - 1;
	return SL_OK;
}

/* A new empty cell; its id or -1. */
static int64_t new_cell(win_ctx *c, uint32_t key, int64_t start, int64_t end)
{
	uint32_t i = c->cells.n;

	if (i == UINT32_MAX - 1 || w_cells_grow(c, i + 1) < 0)
		return -1;
	c->cells.n++;
	c->cells.key[i] = key;
	c->cells.start[i] = start;
	c->cells.end[i] = end;
	c->kcells[key]++;
	c->cepoch[i] = 0;
	c->fwd[i] = W_NONE;
	c->cnext[i] = W_NONE;
	c->pstart[i] = SL_NO_WATERMARK;
	w_acc_clear(c, &c->cells, i);
	return i;
}

static inline void touch(win_ctx *c, uint32_t cell)
{
	if (c->cepoch[cell] != c->epoch) {
		c->cepoch[cell] = c->epoch;
		c->touched[c->n_touched++] = cell;
	}
}

/* Tumbling windows and sliding panes: (key, slice start) -> cell. */
static int assign_slices(win_ctx *c, const int64_t *t, int64_t m)
{
	const int32_t *rows = c->rows;
	const uint32_t *kids = c->kids;
	uint32_t *cids = c->cids;
	int64_t pane = c->pane;

	for (int64_t r = 0; r < m; r++) {
		int32_t row = rows[r];
		uint32_t key = kids[row];
		int64_t start = w_align(t[row], pane);
		uint64_t h = w_cell_hash(key, start), pos = h & c->cmask;
		uint32_t cell;
		for (;;) {
			uint32_t s = c->ctable[pos];
			if (s == 0) {
				int64_t id;
				if ((uint64_t)(c->cells.n + 1) * 2 > c->cmask + 1) {
					if (w_cells_rehash(c) < 0)
						return SL_ENOMEM;
					pos = h & c->cmask;
					continue;
				}
				if ((id = new_cell(c, key, start, start + pane)) < 0)
					return SL_ENOMEM;
				cell = (uint32_t)id;
				c->ctable[pos] = cell + 1;
				break;
			}
			cell = s - 1;
			if (c->cells.start[cell] == start && c->cells.key[cell] == key)
				break;
			pos = (pos + 1) & c->cmask;
		}
		cids[r] = cell;
		touch(c, cell);
	}
	return SL_OK;
}

static int add_dead(win_ctx *c, uint32_t cell)
{
	if (c->n_dead == c->dead_cap) {
		uint32_t nc = c->dead_cap ? c->dead_cap * 2 : 64;
		uint32_t *nd = realloc(c->dead, nc * sizeof(*nd));
		if (nd == NULL)
			return SL_ENOMEM;
		c->dead = nd;
		c->dead_cap = nc;
	}
	c->dead[c->n_dead++] = cell;
	return SL_OK;
}

/* Sessions: each record joins the key's session it overlaps, [t, t+gap)
 * against [start, end); the sessions it bridges merge into one. */
static int assign_sessions(win_ctx *c, const int64_t *t, int64_t m)
{
	const int32_t *rows = c->rows;
	const uint32_t *kids = c->kids;
	uint32_t *cids = c->cids;
	acc_store *s = &c->cells;

	for (int64_t r = 0; r < m; r++) {
		int32_t row = rows[r];
		uint32_t key = kids[row];
		int64_t lo = t[row], hi = t[row] + c->gap;
		uint32_t target = W_NONE, *link;
		bool again = true;
		while (again) {
			again = false;
			link = &c->khead[key];
			while (*link != W_NONE) {
				uint32_t i = *link;
				if (i == target || !(s->start[i] < hi && lo < s->end[i])) {
					link = &c->cnext[i];
					continue;
				}
				if (s->start[i] < lo)
					lo = s->start[i];
				if (s->end[i] > hi)
					hi = s->end[i];
				if (target == W_NONE) {
					target = i;
					link = &c->cnext[i];
					continue;
				}
				/* i is bridged: fold it into target, unlink it. */
				if (w_acc_merge(c, s, target, s, i) < 0)
					return SL_ENOMEM;
				*link = c->cnext[i];
				c->fwd[i] = target;
				if (add_dead(c, i) < 0)
					return SL_ENOMEM;
				again = true; /* the bounds grew: look again */
			}
			if (target != W_NONE && (s->start[target] != lo || s->end[target] != hi)) {
				s->start[target] = lo;
				s->end[target] = hi;
				again = true;
			}
		}
		if (target == W_NONE) {
			int64_t id = new_cell(c, key, lo, hi);
			if (id < 0)
				return SL_ENOMEM;
			target = (uint32_t)id;
			c->cnext[target] = c->khead[key];
			c->khead[key] = target;
		}
		cids[r] = target;
		touch(c, target);
	}
	/* Rows given a session that a later row merged away. */
	for (int64_t r = 0; r < m; r++)
		while (c->fwd[cids[r]] != W_NONE)
			cids[r] = c->fwd[cids[r]];
	for (uint32_t d = 0; d < c->n_dead; d++)
		c->fwd[c->dead[d]] = W_NONE;
	return SL_OK;
}

/* Removes the cells marked in gone[] (merged or evicted) from the table;
 * the touched list follows the cells that stay. */
int w_cells_compact(win_ctx *c, const uint8_t *gone)
{
	uint32_t j = 0, nt = 0;

	for (uint32_t i = 0; i < c->cells.n; i++) {
		if (gone[i]) {
			w_keys_cell_gone(c, i);
			w_acc_clear(c, &c->cells, i);
			c->fwd[i] = W_NONE;
			continue;
		}
		if (i != j) {
			w_acc_move(c, &c->cells, j, i);
			c->cepoch[j] = c->cepoch[i];
			c->pstart[j] = c->pstart[i];
		}
		c->fwd[i] = j; /* the cell's new id, for the touched list */
		j++;
	}
	for (uint32_t k = 0; k < c->n_touched; k++) {
		uint32_t i = c->touched[k];
		if (!gone[i])
			c->touched[nt++] = c->fwd[i];
	}
	for (uint32_t i = 0; i < c->cells.n; i++)
		c->fwd[i] = W_NONE;
	c->n_touched = nt;
	c->cells.n = j;
	return w_cells_rehash(c);
}

/* Sessions merged away by this batch: their records are deleted at the
 * end of the batch, the cells now. */
static int drop_dead(win_ctx *c)
{
	uint8_t *gone;
	int rc;

	gone = calloc(c->cells.n, 1);
	if (gone == NULL)
		return SL_ENOMEM;
	for (uint32_t d = 0; d < c->n_dead; d++) {
		uint32_t i = c->dead[d];
		gone[i] = 1;
		if (c->pstart[i] != SL_NO_WATERMARK) {
			if (c->n_pdel == c->pdel_cap) {
				uint32_t nc = c->pdel_cap ? c->pdel_cap * 2 : 64;
				w_cell_ref *np = realloc(c->pdel, nc * sizeof(*np));
				if (np == NULL) {
					free(gone);
					return SL_ENOMEM;
				}
				c->pdel = np;
				c->pdel_cap = nc;
			}
			c->pdel[c->n_pdel++] = (w_cell_ref){c->cells.key[i], c->pstart[i]};
		}
	}
	c->n_dead = 0;
	rc = w_cells_compact(c, gone);
	free(gone);
	return rc;
}

/* ---- per batch ---- */

static int ensure_scratch(win_ctx *c, int64_t n)
{
	int64_t cap = c->scap ? c->scap : 4096;
	void *p;

	if (n <= c->scap)
		return SL_OK;
	while (cap < n)
		cap *= 2;
#define RE(f, e)                                                                                   \
	do {                                                                                       \
		p = realloc(c->f, (size_t)cap * (e));                                              \
		if (p == NULL)                                                                     \
			return SL_ENOMEM;                                                          \
		c->f = p;                                                                          \
	} while (0)
	RE(kids, sizeof(uint32_t));
	RE(cids, sizeof(uint32_t));
	RE(rows, sizeof(int32_t));
	RE(late, sizeof(int32_t));
#undef RE
	c->scap = cap;
	return SL_OK;
}

static int win_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	win_ctx *c = vctx;

	c->n_deleted = 0;
	if (c->mode == SL_MODE_COMPLETE || bc->watermark_us == SL_NO_WATERMARK ||
	    (c->closed_upto != SL_NO_WATERMARK && bc->watermark_us <= c->closed_upto))
		return SL_OK;
	return w_close(c, bc->watermark_us, err);
}

static int win_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                       sl_emitter *out, sl_error *err)
{
	win_ctx *c = vctx;
	int64_t n = in->n_rows, m = 0, nl = 0, nnull = 0;
	int64_t wm = c->mode == SL_MODE_COMPLETE ? SL_NO_WATERMARK : bc->watermark_us;
	sl_array *ta = NULL;
	const int64_t *t;
	const uint8_t *tv;
	int rc = SL_OK;

	if (n == 0)
		return SL_OK;
	if (n > INT32_MAX)
		return sl_error_set(err, SL_EINVAL, "batch of %lld rows is too large",
		                    (long long)n);
	if (ensure_scratch(c, n) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");

	if (c->time_col >= 0)
		ta = sl_array_ref(in->columns[c->time_col]);
	else if ((rc = sl_expr_eval(c->time_expr, in, &ta, err)) < 0)
		return rc;
	if (ta->type->id != SL_TYPE_TIMESTAMP) { /* an all-NULL literal */
		sl_metric_add(c->st, "rowsDroppedNullEventTime", n);
		sl_array_unref(ta);
		return SL_OK;
	}
	t = sl_array_i64(ta);
	tv = ta->validity ? ta->validity->data : NULL;

	/* 1. Rows with a time, not late. */
	if (wm == SL_NO_WATERMARK && tv == NULL) {
		for (int64_t i = 0; i < n; i++)
			c->rows[i] = (int32_t)i;
		m = n;
	} else {
		for (int64_t i = 0; i < n; i++) {
			if (tv != NULL && !sl_bit_get(tv, i)) {
				nnull++;
				continue;
			}
			if (wm != SL_NO_WATERMARK && w_last_end(c, t[i]) <= wm) {
				c->late[nl++] = (int32_t)i;
				continue;
			}
			c->rows[m++] = (int32_t)i;
		}
	}
	if (nnull > 0)
		sl_metric_add(c->st, "rowsDroppedNullEventTime", nnull);
	if (nl > 0) {
		if (c->late_side) {
			sl_batch *lb = sl_batch_take(in, c->late, nl);
			if (lb == NULL) {
				rc = sl_error_set(err, SL_ENOMEM, "out of memory");
				goto out;
			}
			if ((rc = sl_side_emit(c->st, "late", lb)) < 0) {
				sl_error_set(err, rc, "cannot emit late rows to the side output");
				goto out;
			}
			sl_metric_add(c->st, "numLateRowsToSideOutput", nl);
		} else {
			sl_metric_add(c->st, "numRowsDroppedByWatermark", nl);
		}
	}
	if (m == 0)
		goto out;

	/* 2. Keys. */
	for (size_t j = 0; j < c->n_keys; j++) {
		wkey *k = &c->keys[j];
		if (k->col >= 0)
			k->arr = sl_array_ref(in->columns[k->col]);
		else if ((rc = sl_expr_eval(k->expr, in, &k->arr, err)) < 0)
			goto out;
	}
	if (w_keys_assign(c, n, c->rows, m) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory for %u keys", c->nk);
		goto out;
	}
	for (int64_t r = 0; r < m; r++) {
		uint32_t k = c->kids[c->rows[r]];

		c->kepoch[k] = c->epoch;
		if (c->kseq[k] < 0) /* new, or back after its windows closed */
			c->kseq[k] = c->next_kseq++;
	}

	/* 3. Cells. */
	rc = c->kind == WIN_SESSION ? assign_sessions(c, t, m) : assign_slices(c, t, m);
	if (rc < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory for %u windows", c->cells.n);
		goto out;
	}

	/* 4. Aggregates. */
	rc = w_acc_update(c, in, m, err);
	if (rc >= 0 && c->n_dead > 0 && drop_dead(c) < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
out:
	for (size_t j = 0; j < c->n_keys; j++) {
		sl_array_unref(c->keys[j].arr);
		c->keys[j].arr = NULL;
	}
	sl_array_unref(ta);
	return rc;
}

/* What the stage holds: keys, cells and their lookup, scratch. */
static size_t memory_bytes(const win_ctx *c)
{
	size_t cell_side = 3 * sizeof(uint32_t) + sizeof(int64_t) + sizeof(uint32_t);

	return sizeof(*c) + w_keys_bytes(c) + w_acc_bytes(c, &c->cells) +
	       w_acc_bytes(c, &c->merged) + cell_side * c->cells.cap +
	       (c->ctable ? (c->cmask + 1) * sizeof(uint32_t) : 0) +
	       (size_t)c->scap * 4 * sizeof(uint32_t) + c->wins_cap * sizeof(win) +
	       (size_t)c->dead_cap * sizeof(uint32_t) + (size_t)c->pdel_cap * sizeof(w_cell_ref) +
	       c->rec.cap;
}

static int win_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	win_ctx *c = vctx;
	int64_t wm = c->mode == SL_MODE_COMPLETE ? SL_NO_WATERMARK : bc->watermark_us;
	int rc = SL_OK;

	if (c->mode == SL_MODE_APPEND) {
		if (c->pending != NULL) {
			sl_batch *b = c->pending;
			c->pending = NULL;
			rc = sl_emit(out, b);
		}
	} else {
		rc = w_emit_end(c, wm, out, err);
	}
	/* Changed cells (and running totals) go to the store with the batch. */
	if (rc >= 0 && c->durable)
		rc = w_state_save(c, err);
	c->n_pdel = 0;
	if (rc >= 0 && w_acc_compact_arenas(c) < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	/* Keys whose windows are all gone leave the key table. */
	if (rc >= 0 && w_keys_compact(c) < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	sl_metric_add(c->st, "stateRowsTotal", c->cells.n);
	sl_metric_add(c->st, "stateRowsUpdated", c->n_touched);
	if (c->n_deleted > 0)
		sl_metric_add(c->st, "stateRowsRemoved", c->n_deleted);
	sl_metric_add(c->st, "stateMemoryUsedBytes", (int64_t)memory_bytes(c));
	sl_watermark_next_deadline(c->st, w_next_deadline(c));

	c->n_touched = 0;
	if (++c->epoch == 0) { /* wrapped: forget every old mark */
		memset(c->cepoch, 0, c->cells.cap * sizeof(uint32_t));
		memset(c->kepoch, 0, c->kcap * sizeof(uint32_t));
		memset(c->kdirty, 0, c->kcap * sizeof(uint32_t));
		c->epoch = 1;
	}
	return rc;
}

static int win_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	return SL_OK;
}

static const sl_option_spec win_options[] = {
    {.name = "time_column",
     .type = SL_OPT_EXPR,
     .required = 1,
     .doc = "the event time, a TIMESTAMP expression (usually a column)"},
    {.name = "kind",
     .type = SL_OPT_ENUM,
     .def = "tumbling",
     .choices = "tumbling|sliding|session",
     .doc = "tumbling (size), sliding (size and slide) or session (gap) windows"},
    {.name = "size",
     .type = SL_OPT_DURATION,
     .doc = "window length (tumbling, sliding), e.g. \"15 minutes\""},
    {.name = "slide",
     .type = SL_OPT_DURATION,
     .doc = "how far consecutive sliding windows start apart; at most size"},
    {.name = "gap",
     .type = SL_OPT_DURATION,
     .doc = "session windows: a key's session closes after this long without records"},
    {.name = "group_by",
     .type = SL_OPT_EXPR_LIST,
     .doc = "grouping expressions besides the window; empty: windows over every row"},
    {.name = "aggregates",
     .type = SL_OPT_EXPR_LIST,
     .required = 1,
     .doc = "count(*), count, sum, min, max, avg, first, last, count(DISTINCT x), each "
            "AS name"},
    {.name = "window_struct",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "also output Spark's column window STRUCT<start, end> before start and end"},
    {.name = "running",
     .type = SL_OPT_EXPR_LIST,
     .doc = "running totals per key over the windows ordered by end: sum(x) AS name (also "
            "count, min, max, avg), x over the output columns"},
    {.name = "post",
     .type = SL_OPT_EXPR_LIST,
     .doc = "expressions over the output and running columns, appended as columns, e.g. "
            "\"RTotalBuy - RTotalSell AS NetValue\""},
    {.name = "late",
     .type = SL_OPT_ENUM,
     .def = "drop",
     .required = SL_OPT_NO_STATE,
     .choices = "drop|side",
     .doc = "late records (window end <= watermark): drop and count them, or emit them to "
            "the side output STAGE.late"},
    {0}};

static const sl_plugin win_plugin = {
    .size = sizeof(sl_plugin),
    .name = "window",
    .kind = SL_PLUGIN_TRANSFORM,
    .flags = SL_PLUGIN_STATEFUL,
    .summary = "event-time windows (tumbling, sliding, session) with aggregates, watermark "
               "and running totals",
    .doc = "Groups rows by window and group_by keys and aggregates them across "
           "micro-batches, as Spark's groupBy(window(...), ...).  Windows are half-open "
           "[start, end) and aligned to the epoch; sliding windows are built from panes of "
           "gcd(size, slide); a key's sessions merge when records fall within gap.  Output: "
           "the group_by columns, [window,] start, end, the aggregates, the running totals, "
           "the post columns, ordered by start, end, then key.  Append mode emits a window "
           "once, when the watermark in force passes its end, and evicts it; update mode "
           "emits the windows a micro-batch changed and evicts those below the watermark; "
           "complete mode emits every window every micro-batch and evicts nothing.  A "
           "record whose windows all ended at or before the watermark is late: dropped and "
           "counted (numRowsDroppedByWatermark) or, with late = \"side\", emitted to the "
           "side output STAGE.late.  The watermark comes from the stage key watermark = { "
           "column; delay; }.  State: the windows each micro-batch changed are written to "
           "the state store with the batch; a restart restores them.",
    .options = win_options,
    .create = win_create,
    .destroy = win_destroy,
    .begin_batch = win_begin_batch,
    .process = win_process,
    .end_batch = win_end_batch,
    .commit = win_commit,
};

SL_MODULE(window, &win_plugin)
