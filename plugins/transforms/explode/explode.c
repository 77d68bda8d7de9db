/* explode.c - one output row per element of an array column.
 *
 * exprs holds exactly one generator - explode, explode_outer, posexplode or
 * posexplode_outer over an ARRAY - and any scalar expressions (or `*`),
 * repeated for every element.  The generator's argument is evaluated once
 * per batch; an index vector of parent rows then gathers the other columns
 * with sl_array_take, and the elements column is the list's child array
 * taken by element index (or sliced when the elements are contiguous).
 */
#include <sluice/sluice.h>

#include <stdlib.h>
#include <string.h>

typedef enum item_kind {
	ITEM_COLUMN, /* an input column, shared or taken */
	ITEM_EXPR,   /* a scalar expression, evaluated then taken */
	ITEM_POS,    /* posexplode's position */
	ITEM_ELEM    /* the element */
} item_kind;

typedef struct ex_item {
	item_kind kind;
	int col;       /* ITEM_COLUMN */
	sl_expr *expr; /* ITEM_EXPR (and the generator's item owns nothing) */
} ex_item;

typedef struct ex_ctx {
	sl_stage *st;
	sl_schema *schema;
	sl_type *elem_type;
	sl_expr *gen;     /* the generator expression (owned) */
	sl_expr *gen_arg; /* its argument, borrowed from gen */
	int gen_col;      /* the argument is this bare input column, or -1 */
	bool outer;
	size_t n_items;
	ex_item *items;
	sl_array **cols; /* scratch */
	/* Index vectors, reused across batches. */
	int32_t *parent, *elem;
	int64_t cap;
} ex_ctx;

static void ex_destroy(void *vctx)
{
	ex_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n_items; i++)
		if (ctx->items[i].expr != NULL)
			sl_expr_free(ctx->items[i].expr);
	if (ctx->gen != NULL)
		sl_expr_free(ctx->gen);
	free(ctx->items);
	free(ctx->cols);
	free(ctx->parent);
	free(ctx->elem);
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int ex_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                     sl_error *err)
{
	int dup;
	const sl_options *o = init->options;
	const sl_schema *in;
	size_t n_exprs = sl_opt_list_len(o, "exprs"), n_out = 0, k = 0;
	sl_expr **exprs = NULL;
	sl_field *fields = NULL;
	ex_ctx *ctx;
	size_t n_gen = 0, gen_i = 0;
	int rc = SL_OK;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "explode takes exactly one input");
	in = init->input_schemas[0];
	ctx = calloc(1, sizeof(*ctx));
	exprs = calloc(n_exprs ? n_exprs : 1, sizeof(*exprs));
	if (ctx == NULL || exprs == NULL) {
		free(ctx);
		free(exprs);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	ctx->st = init->self;
	ctx->gen_col = -1;

	for (size_t i = 0; i < n_exprs; i++) {
		rc = sl_expr_compile(sl_opt_list_at(o, "exprs", i), in,
		                     SL_EXPR_ALLOW_GENERATOR | SL_EXPR_ALLOW_STAR, &exprs[i], err);
		if (rc < 0) {
			if (err != NULL)
				err->option = "exprs";
			goto out;
		}
		switch (sl_expr_root_kind(exprs[i])) {
		case SL_EXPR_KIND_STAR:
			n_out += in->n_fields;
			break;
		case SL_EXPR_KIND_GENERATOR:
			n_gen++;
			gen_i = i;
			break;
		default:
			n_out++;
		}
	}
	if (n_gen != 1) {
		rc = sl_error_at(err, SL_EINVAL, "exprs", -1,
		                 "exactly one generator (explode, explode_outer, posexplode, "
		                 "posexplode_outer) is needed, found %zu",
		                 n_gen);
		goto out;
	}

	/* The generator. */
	{
		const char *fn = sl_expr_root_func(exprs[gen_i]);
		const sl_type *at;
		bool pos;
		if (fn == NULL || sl_expr_root_nargs(exprs[gen_i]) != 1 ||
		    (strcmp(fn, "explode") && strcmp(fn, "explode_outer") &&
		     strcmp(fn, "posexplode") && strcmp(fn, "posexplode_outer"))) {
			rc =
			    sl_error_at(err, SL_EINVAL, "exprs", -1,
			                "generator '%s' is not supported here; use explode, "
			                "explode_outer, posexplode or posexplode_outer on an ARRAY",
			                fn ? fn : "?");
			goto out;
		}
		ctx->gen = exprs[gen_i];
		exprs[gen_i] = NULL;
		ctx->gen_arg = sl_expr_root_arg(ctx->gen, 0);
		at = sl_expr_type(ctx->gen_arg);
		if (at->id != SL_TYPE_LIST) {
			rc = sl_error_at(err, SL_ETYPE, "exprs", -1, "%s() needs an ARRAY, not %s",
			                 fn, sl_type_id_name(at->id));
			goto out;
		}
		ctx->elem_type = at->fields[0].type;
		ctx->gen_col = sl_expr_input_column(ctx->gen_arg, in);
		ctx->outer = strstr(fn, "_outer") != NULL;
		pos = strncmp(fn, "pos", 3) == 0;
		n_out += pos ? 2 : 1;
	}

	ctx->items = calloc(n_out, sizeof(*ctx->items));
	ctx->cols = calloc(n_out, sizeof(*ctx->cols));
	fields = calloc(n_out, sizeof(*fields));
	if (ctx->items == NULL || ctx->cols == NULL || fields == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_exprs; i++) {
		sl_expr *e = exprs[i];
		if (i == gen_i) {
			const char *fn = sl_expr_root_func(ctx->gen);
			const sl_type *lt = sl_expr_type(ctx->gen_arg);
			if (strncmp(fn, "pos", 3) == 0) {
				ctx->items[k].kind = ITEM_POS;
				fields[k++] =
				    (sl_field){(char *)"pos", sl_type_int64(), ctx->outer};
			}
			ctx->items[k].kind = ITEM_ELEM;
			fields[k].name = sl_expr_has_alias(ctx->gen)
			                     ? (char *)sl_expr_name(ctx->gen)
			                     : (char *)"col";
			fields[k].type = ctx->elem_type;
			fields[k++].nullable = lt->fields[0].nullable || ctx->outer;
			continue;
		}
		if (sl_expr_root_kind(e) == SL_EXPR_KIND_STAR) {
			for (size_t c = 0; c < in->n_fields; c++) {
				ctx->items[k] = (ex_item){ITEM_COLUMN, (int)c, NULL};
				fields[k++] = in->fields[c];
			}
			continue;
		}
		exprs[i] = NULL;
		ctx->items[k].expr = e;
		ctx->items[k].col = sl_expr_input_column(e, in);
		ctx->items[k].kind = ctx->items[k].col >= 0 ? ITEM_COLUMN : ITEM_EXPR;
		fields[k].name = (char *)sl_expr_name(e);
		fields[k].type = (sl_type *)sl_expr_type(e);
		fields[k].nullable = ctx->items[k].col >= 0 ? in->fields[ctx->items[k].col].nullable
		                                            : sl_expr_nullable(e);
		k++;
	}
	ctx->n_items = k;
	if ((dup = sl_fields_find_duplicate(fields, k, false)) >= 0) {
		rc = sl_error_at(err, SL_EINVAL, "exprs", -1,
		                 "duplicate output column '%s'; rename one with AS",
		                 fields[dup].name);
		goto out;
	}
	ctx->schema = sl_type_struct(k, fields);
	if (ctx->schema == NULL)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < n_exprs; i++)
		if (exprs[i] != NULL)
			sl_expr_free(exprs[i]);
	free(exprs);
	free(fields);
	if (rc < 0) {
		ctx->n_items = k;
		ex_destroy(ctx);
		return rc;
	}
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

/* Marks the rows k with elem[k] < 0 null in a freshly built array. */
static int set_outer_nulls(sl_array *a, const int32_t *elem, int64_t m)
{
	size_t bytes = sl_bitmap_bytes(m);
	uint8_t *bits;

	if (a->type->id == SL_TYPE_NULL)
		return SL_OK;
	if (a->validity == NULL || a->validity->refcount > 1) {
		sl_buffer *v = sl_buffer_new(bytes);
		if (v == NULL)
			return SL_ENOMEM;
		if (a->validity != NULL)
			memcpy(v->data, a->validity->data, bytes);
		else
			memset(v->data, 0xff, bytes);
		v->len = bytes;
		sl_buffer_unref(a->validity);
		a->validity = v;
	}
	bits = a->validity->data;
	for (int64_t k = 0; k < m; k++)
		if (elem[k] < 0)
			sl_bit_clear(bits, k);
	a->null_count = m - sl_bitmap_count(bits, m);
	return SL_OK;
}

static sl_array *elements_column(ex_ctx *ctx, const sl_array *child, int64_t m, bool has_null)
{
	int32_t *elem = ctx->elem;
	sl_array *a;

	if (!has_null) {
		if (elem[m - 1] - elem[0] == m - 1) { /* increasing, so contiguous */
			if (elem[0] == 0 && m == child->length)
				return sl_array_ref((sl_array *)child);
			return sl_array_slice(child, elem[0], m);
		}
		return sl_array_take(child, elem, m);
	}
	if (child->length == 0)
		return sl_array_new_nulls(ctx->elem_type, m);
	{
		/* Gather with row 0 standing in for the nulls, then clear them. */
		int32_t *idx = ctx->parent + m; /* spare room, see ensure_cap */
		for (int64_t k = 0; k < m; k++)
			idx[k] = elem[k] < 0 ? 0 : elem[k];
		a = sl_array_take(child, idx, m);
	}
	if (a != NULL && set_outer_nulls(a, elem, m) < 0) {
		sl_array_unref(a);
		return NULL;
	}
	return a;
}

static sl_array *pos_column(const int32_t *elem, const int32_t *parent, const int32_t *offs,
                            int64_t m, bool has_null)
{
	sl_buffer *vb = sl_buffer_new((size_t)m * sizeof(int64_t));
	int64_t *v;
	sl_array *a;

	if (vb == NULL)
		return NULL;
	v = (int64_t *)vb->data;
	for (int64_t k = 0; k < m; k++)
		v[k] = elem[k] < 0 ? 0 : elem[k] - offs[parent[k]];
	vb->len = (size_t)m * sizeof(int64_t);
	a = sl_array_new(sl_type_int64(), m, 0, NULL, vb, NULL, 0, NULL);
	if (a != NULL && has_null && set_outer_nulls(a, elem, m) < 0) {
		sl_array_unref(a);
		return NULL;
	}
	return a;
}

/* Room for m entries in parent and elem, and m more after parent. */
static int ensure_cap(ex_ctx *ctx, int64_t m)
{
	int32_t *np, *ne;
	int64_t cap = ctx->cap ? ctx->cap : 1024;

	if (m <= ctx->cap)
		return SL_OK;
	while (cap < m)
		cap *= 2;
	np = realloc(ctx->parent, (size_t)cap * 2 * sizeof(*np));
	if (np == NULL)
		return SL_ENOMEM;
	ctx->parent = np;
	ne = realloc(ctx->elem, (size_t)cap * sizeof(*ne));
	if (ne == NULL)
		return SL_ENOMEM;
	ctx->elem = ne;
	ctx->cap = cap;
	return SL_OK;
}

static int ex_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                      sl_emitter *out, sl_error *err)
{
	ex_ctx *ctx = vctx;
	sl_array *list = NULL;
	const int32_t *offs;
	const sl_array *child;
	int64_t n = in->n_rows, m = 0, k = 0;
	bool has_null = false, identity;
	size_t done = 0;
	sl_batch *batch;
	int rc = SL_OK;

	if (n == 0)
		return SL_OK;
	if (ctx->gen_col >= 0)
		list = sl_array_ref(in->columns[ctx->gen_col]);
	else if ((rc = sl_expr_eval(ctx->gen_arg, in, &list, err)) < 0)
		return rc;
	offs = sl_array_offsets(list);
	child = list->children[0];

	for (int64_t i = 0; i < n; i++) {
		int64_t len = sl_array_valid(list, i) ? offs[i + 1] - offs[i] : 0;
		m += len > 0 ? len : ctx->outer;
	}
	if (m == 0)
		goto out;
	if (m > INT32_MAX) {
		rc = sl_error_set(err, SL_EINVAL, "explode: %lld rows do not fit one batch",
		                  (long long)m);
		goto out;
	}
	if (ensure_cap(ctx, m) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (int64_t i = 0; i < n; i++) {
		int32_t a = offs[i], b = offs[i + 1];
		if (sl_array_valid(list, i) && b > a) {
			for (int32_t j = a; j < b; j++) {
				ctx->parent[k] = (int32_t)i;
				ctx->elem[k++] = j;
			}
		} else if (ctx->outer) {
			ctx->parent[k] = (int32_t)i;
			ctx->elem[k++] = -1;
			has_null = true;
		}
	}
	/* Exactly one row per input row: the other columns pass as they are. */
	identity = m == n;
	for (int64_t i = 0; i < m && identity; i++)
		identity = ctx->parent[i] == i;

	for (done = 0; done < ctx->n_items; done++) {
		const ex_item *it = &ctx->items[done];
		sl_array *src = NULL, *c = NULL;
		switch (it->kind) {
		case ITEM_POS:
			c = pos_column(ctx->elem, ctx->parent, offs, m, has_null);
			break;
		case ITEM_ELEM:
			c = elements_column(ctx, child, m, has_null);
			break;
		case ITEM_COLUMN:
			c = identity ? sl_array_ref(in->columns[it->col])
			             : sl_array_take(in->columns[it->col], ctx->parent, m);
			break;
		case ITEM_EXPR:
			if ((rc = sl_expr_eval(it->expr, in, &src, err)) < 0)
				goto out;
			c = identity ? sl_array_ref(src) : sl_array_take(src, ctx->parent, m);
			sl_array_unref(src);
			break;
		}
		if (c == NULL) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		ctx->cols[done] = c;
	}
	batch = sl_batch_new(ctx->schema, m, ctx->cols);
	done = 0;
	if (batch == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "cannot assemble the output batch");
		goto out;
	}
	rc = sl_emit(out, batch);
out:
	for (size_t i = 0; i < done; i++)
		sl_array_unref(ctx->cols[i]);
	sl_array_unref(list);
	return rc;
}

static const sl_option_spec ex_options[] = {
    {.name = "exprs",
     .type = SL_OPT_EXPR_LIST,
     .required = 1,
     .doc = "one generator (explode, explode_outer, posexplode, posexplode_outer) and any "
            "columns or expressions to repeat per element; * = every input column"},
    {0}};

static const sl_plugin ex_plugin = {
    .size = sizeof(sl_plugin),
    .name = "explode",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "one output row per element of an array (SQL explode / posexplode)",
    .doc = "The output columns are the expressions in the order given.  explode skips "
           "rows whose array is NULL or empty; explode_outer gives them one row with a "
           "NULL element.  The element column is named col (or its AS alias); posexplode "
           "adds pos BIGINT before it.",
    .options = ex_options,
    .create = ex_create,
    .destroy = ex_destroy,
    .process = ex_process,
};

SL_MODULE(explode, &ex_plugin)
