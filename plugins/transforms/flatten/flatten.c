/* flatten.c - lifts the fields of struct columns into top-level columns.
 *
 * `DeliveryAddress STRUCT<City: STRING, State: STRING>` becomes the columns
 * `DeliveryAddress_City` and `DeliveryAddress_State`, in place of the struct
 * (other columns keep their position).  Zero-copy: a lifted column is the
 * struct's child array itself (a reference) when no struct above it has a
 * null; otherwise a new array header over the child's buffers with a
 * validity bitmap that is the AND of the child's and its parents' bitmaps,
 * so that a field of a null struct reads null.  Values are never copied.
 */
#include <sluice/sluice.h>

#include <stdlib.h>
#include <string.h>

#define FL_MAX_DEPTH 32

/* One output column: a path from an input column down through struct
 * fields (depth 0: the input column itself, shared). */
typedef struct fl_item {
	int col;
	int depth;
	int *path; /* field index at each level, depth entries */
} fl_item;

typedef struct fl_ctx {
	sl_schema *schema;
	size_t n_items;
	fl_item *items;
	sl_array **cols; /* scratch for process */
} fl_ctx;

/* Output fields while building the schema. */
typedef struct fl_plan {
	size_t n, cap;
	fl_item *items;
	sl_field *fields; /* names owned here, types borrowed */
} fl_plan;

static void fl_plan_free(fl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].path);
		free(p->fields[i].name);
	}
	free(p->items);
	free(p->fields);
}

static int fl_plan_add(fl_plan *p, int col, const int *path, int depth, char *name, sl_type *type,
                       bool nullable)
{
	fl_item it = {col, depth, NULL};

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		fl_item *items = realloc(p->items, cap * sizeof(*items));
		sl_field *fields;

		if (items == NULL)
			goto nomem;
		p->items = items;
		fields = realloc(p->fields, cap * sizeof(*fields));
		if (fields == NULL)
			goto nomem;
		p->fields = fields;
		p->cap = cap;
	}
	if (depth > 0) {
		it.path = malloc((size_t)depth * sizeof(int));
		if (it.path == NULL)
			goto nomem;
		memcpy(it.path, path, (size_t)depth * sizeof(int));
	}
	p->items[p->n] = it;
	p->fields[p->n] = (sl_field){name, type, nullable};
	p->n++;
	return SL_OK;
nomem:
	free(name);
	return SL_ENOMEM;
}

static char *fl_join(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b);
	char *s = malloc(la + ls + lb + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, sep, ls);
	memcpy(s + la + ls, b, lb + 1);
	return s;
}

/* Lifts the fields of struct type `st` (reached by path[0..depth) from
 * column col, named `name`, nullable when any level is). */
static int fl_lift(fl_plan *p, int col, int *path, int depth, const char *name, const sl_type *st,
                   bool nullable, const char *sep, bool prefix, bool recursive)
{
	if (depth >= FL_MAX_DEPTH)
		return SL_EINVAL;
	for (size_t f = 0; f < st->n_fields; f++) {
		const sl_field *fd = &st->fields[f];
		char *fname = prefix ? fl_join(name, sep, fd->name) : strdup(fd->name);
		int rc;

		if (fname == NULL)
			return SL_ENOMEM;
		path[depth] = (int)f;
		if (recursive && fd->type->id == SL_TYPE_STRUCT) {
			rc = fl_lift(p, col, path, depth + 1, fname, fd->type,
			             nullable || fd->nullable, sep, prefix, recursive);
			free(fname);
		} else {
			rc = fl_plan_add(p, col, path, depth + 1, fname, fd->type,
			                 nullable || fd->nullable);
		}
		if (rc < 0)
			return rc;
	}
	return SL_OK;
}

static void fl_destroy(void *vctx)
{
	fl_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n_items; i++)
		free(ctx->items[i].path);
	free(ctx->items);
	free(ctx->cols);
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int fl_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                     sl_error *err)
{
	const sl_options *o = init->options;
	const sl_schema *in;
	const char *sep = sl_opt_string(o, "separator");
	bool prefix = sl_opt_bool(o, "prefix");
	bool recursive = sl_opt_bool(o, "recursive");
	size_t n_cols = sl_opt_list_len(o, "columns");
	bool *lift = NULL;
	int path[FL_MAX_DEPTH];
	fl_plan p = {0};
	fl_ctx *ctx = NULL;
	int rc = SL_OK;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "flatten takes exactly one input");
	in = init->input_schemas[0];
	if (sep == NULL)
		sep = "_";
	lift = calloc(in->n_fields ? in->n_fields : 1, sizeof(*lift));
	if (lift == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (n_cols == 0) {
		for (size_t c = 0; c < in->n_fields; c++)
			lift[c] = in->fields[c].type->id == SL_TYPE_STRUCT;
	}
	for (size_t i = 0; i < n_cols; i++) {
		const char *name = sl_opt_list_at(o, "columns", i);
		int c = sl_schema_find(in, name);

		if (c < 0) {
			const char *dym = sl_schema_suggest(in, name);
			rc = sl_error_at(err, SL_EINVAL, "columns", -1, "no column '%s'%s%s%s",
			                 name, dym ? " (did you mean '" : "", dym ? dym : "",
			                 dym ? "'?)" : "");
			goto out;
		}
		if (in->fields[c].type->id != SL_TYPE_STRUCT) {
			sl_strbuf sb = {0};
			sl_type_format(in->fields[c].type, &sb);
			rc = sl_error_at(err, SL_EINVAL, "columns", -1,
			                 "column '%s' is %s, not a STRUCT", in->fields[c].name,
			                 sb.buf ? sb.buf : "?");
			sl_strbuf_free(&sb);
			goto out;
		}
		lift[c] = true;
	}

	for (size_t c = 0; c < in->n_fields; c++) {
		const sl_field *fd = &in->fields[c];
		if (lift[c]) {
			rc = fl_lift(&p, (int)c, path, 0, fd->name, fd->type, fd->nullable, sep,
			             prefix, recursive);
		} else {
			char *name = strdup(fd->name);
			rc = name ? fl_plan_add(&p, (int)c, NULL, 0, name, fd->type, fd->nullable)
			          : SL_ENOMEM;
		}
		if (rc == SL_EINVAL) {
			rc = sl_error_set(err, rc, "column '%s': structs nested deeper than %d",
			                  fd->name, FL_MAX_DEPTH);
			goto out;
		}
		if (rc < 0) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < p.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p.fields[i].name, p.fields[j].name) == 0) {
				rc = sl_error_at(err, SL_EINVAL, prefix ? "separator" : "prefix",
				                 -1, "two output columns are named '%s'%s",
				                 p.fields[i].name,
				                 prefix ? ""
				                        : "; set prefix = true to keep the "
				                          "struct's name");
				goto out;
			}

	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL || (ctx->schema = sl_type_struct(p.n, p.fields)) == NULL ||
	    (ctx->cols = calloc(p.n ? p.n : 1, sizeof(*ctx->cols))) == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	ctx->items = p.items;
	ctx->n_items = p.n;
	for (size_t i = 0; i < p.n; i++)
		free(p.fields[i].name);
	free(p.fields);
	p = (fl_plan){0};
out:
	free(lift);
	fl_plan_free(&p);
	if (rc < 0) {
		fl_destroy(ctx);
		return rc;
	}
	*out_schema = sl_type_ref(ctx->schema);
	*out_ctx = ctx;
	return SL_OK;
}

/* The combined validity of `parent` (may be NULL: all valid) and a's own:
 * parent itself when a has no nulls of its own (a new reference). */
static sl_buffer *fl_and(sl_buffer *parent, const sl_array *a)
{
	size_t nb = sl_bitmap_bytes(a->length);
	sl_buffer *b;

	if (a->validity == NULL || a->null_count == 0)
		return sl_buffer_ref(parent);
	if (parent == NULL)
		return sl_buffer_ref(a->validity);
	b = sl_buffer_new(nb);
	if (b == NULL || sl_buffer_resize(b, nb) < 0) {
		sl_buffer_unref(b);
		return NULL;
	}
	for (size_t i = 0; i < nb; i++)
		b->data[i] = parent->data[i] & a->validity->data[i];
	return b;
}

/* The child array `a` with validity `v` (NULL: a's own is right). */
static sl_array *fl_with_validity(const sl_array *a, sl_buffer *v)
{
	sl_array **kids = NULL;
	sl_array *r;

	if (a->n_children > 0) {
		kids = malloc(a->n_children * sizeof(*kids));
		if (kids == NULL)
			return NULL;
		for (size_t k = 0; k < a->n_children; k++)
			kids[k] = sl_array_ref(a->children[k]);
	}
	r = sl_array_new(a->type, a->length, -1, sl_buffer_ref(v), sl_buffer_ref(a->values),
	                 sl_buffer_ref(a->data), a->n_children, kids);
	free(kids);
	return r;
}

/* The output column of item it. */
static sl_array *fl_column(const fl_item *it, const sl_batch *in)
{
	const sl_array *a = in->columns[it->col];
	sl_buffer *v = NULL, *nv;
	bool masked = false; /* some parent has nulls */
	sl_array *r;

	for (int d = 0; d < it->depth; d++) {
		if (a->null_count > 0) {
			nv = fl_and(v, a);
			sl_buffer_unref(v);
			if (nv == NULL)
				return NULL;
			v = nv;
			masked = true;
		}
		a = a->children[it->path[d]];
	}
	if (!masked || a->type->id == SL_TYPE_NULL)
		return sl_array_ref((sl_array *)a);
	nv = fl_and(v, a);
	sl_buffer_unref(v);
	if (nv == NULL)
		return NULL;
	r = fl_with_validity(a, nv);
	sl_buffer_unref(nv);
	return r;
}

static int fl_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                      sl_emitter *out, sl_error *err)
{
	fl_ctx *ctx = vctx;
	sl_batch *batch;

	(void)port;
	(void)bc;
	for (size_t i = 0; i < ctx->n_items; i++) {
		ctx->cols[i] = fl_column(&ctx->items[i], in);
		if (ctx->cols[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				sl_array_unref(ctx->cols[j]);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	batch = sl_batch_new(ctx->schema, in->n_rows, ctx->cols);
	if (batch == NULL)
		return sl_error_set(err, SL_ENOMEM, "cannot assemble the output batch");
	return sl_emit(out, batch);
}

static const sl_option_spec fl_options[] = {
    {.name = "columns",
     .type = SL_OPT_STRING_LIST,
     .doc = "the STRUCT columns to lift (default: every STRUCT column)"},
    {.name = "separator",
     .type = SL_OPT_STRING,
     .def = "_",
     .doc = "joins the struct's name and the field's: DeliveryAddress_City"},
    {.name = "prefix",
     .type = SL_OPT_BOOL,
     .def = "true",
     .doc = "name a lifted column after its struct too; false: the field name alone (a "
            "clash is an error)"},
    {.name = "recursive",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "also lift structs nested in lifted structs (a_b_c)"},
    {0}};

static const sl_plugin fl_plugin = {
    .size = sizeof(sl_plugin),
    .name = "flatten",
    .kind = SL_PLUGIN_TRANSFORM,
    .summary = "lifts the fields of STRUCT columns into top-level columns",
    .doc = "Each lifted STRUCT column is replaced, in place, by one column per field, named "
           "struct + separator + field (DeliveryAddress.City becomes DeliveryAddress_City).  "
           "Other columns pass through.  No values are copied: a lifted column shares the "
           "struct's field array, and a field of a null struct reads null.  Lists are left "
           "alone (explode them first).",
    .options = fl_options,
    .create = fl_create,
    .destroy = fl_destroy,
    .process = fl_process,
};

SL_MODULE(flatten, &fl_plugin)
