/* console.c - the console sink: every micro-batch printed as Spark prints
 * it, a "Batch: N" banner and the table of Dataset.show(num_rows, truncate).
 *
 * The batches that reach the sink during a micro-batch are kept (a
 * reference each, only as many rows as will be shown) and printed as one
 * table at end_batch - also an empty table when nothing arrived.
 */
#include <sluice/sluice.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define TRUNCATE_AT 20
#define MIN_COL_WIDTH 3

typedef struct console_ctx {
	sl_stage *st;
	sl_schema *schema; /* the input's */
	FILE *out;
	int64_t num_rows;
	bool truncate;
	/* The micro-batch so far. */
	sl_batch **batches;
	size_t n_batches, cap_batches;
	int64_t rows_kept;
	bool more; /* rows beyond num_rows arrived */
	/* Scratch, reused. */
	sl_strbuf text, cell;
} console_ctx;

static void drop_batches(console_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_batches; i++)
		sl_batch_unref(ctx->batches[i]);
	ctx->n_batches = 0;
	ctx->rows_kept = 0;
	ctx->more = false;
}

static void console_destroy(void *vctx)
{
	console_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	drop_batches(ctx);
	free(ctx->batches);
	sl_strbuf_free(&ctx->text);
	sl_strbuf_free(&ctx->cell);
	sl_type_unref(ctx->schema);
	free(ctx);
}

static int console_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                          sl_error *err)
{
	const sl_options *o = init->options;
	const char *output = sl_opt_string(o, "output");
	console_ctx *ctx;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "console takes exactly one input");
	if (sl_opt_int(o, "num_rows") < 0)
		return sl_error_at(err, SL_EINVAL, "num_rows", -1, "must be >= 0");
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	ctx->schema = sl_type_ref((sl_schema *)init->input_schemas[0]);
	ctx->out = output != NULL && strcmp(output, "stderr") == 0 ? stderr : stdout;
	ctx->num_rows = sl_opt_int(o, "num_rows");
	ctx->truncate = sl_opt_bool(o, "truncate");
	*out_ctx = ctx;
	return SL_OK;
}

static int console_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	drop_batches(vctx);
	return SL_OK;
}

static int console_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                           sl_emitter *out, sl_error *err)
{
	console_ctx *ctx = vctx;

	if (in->n_rows == 0)
		return SL_OK;
	if (ctx->rows_kept >= ctx->num_rows) {
		ctx->more = true;
		return SL_OK;
	}
	if (ctx->n_batches == ctx->cap_batches) {
		size_t nc = ctx->cap_batches ? ctx->cap_batches * 2 : 8;
		sl_batch **nb = realloc(ctx->batches, nc * sizeof(*nb));
		if (nb == NULL)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		ctx->batches = nb;
		ctx->cap_batches = nc;
	}
	ctx->batches[ctx->n_batches++] = sl_batch_ref((sl_batch *)in);
	ctx->rows_kept += in->n_rows;
	if (ctx->rows_kept > ctx->num_rows)
		ctx->more = true;
	return SL_OK;
}

/* ---- values as Spark's cast to string prints them ---- */

static int show_value(sl_strbuf *sb, const sl_array *a, int64_t i)
{
	char tmp[SL_TEXT_MAX];
	size_t n;
	int rc = SL_OK;

	if (a->type->id == SL_TYPE_NULL || !sl_array_valid(a, i))
		return sl_strbuf_append(sb, "null", 4);
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		return sl_strbuf_puts(sb, sl_array_bool(a, i) ? "true" : "false");
	case SL_TYPE_INT64:
		n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, sl_array_i64(a)[i]);
		return sl_strbuf_append(sb, tmp, n);
	case SL_TYPE_DOUBLE:
		n = sl_format_double(sl_array_f64(a)[i], tmp);
		return sl_strbuf_append(sb, tmp, n);
	case SL_TYPE_TIMESTAMP:
		n = sl_format_timestamp(sl_array_i64(a)[i], tmp);
		return sl_strbuf_append(sb, tmp, n);
	case SL_TYPE_STRING: {
		sl_strview v = sl_array_str(a, i);
		return v.len ? sl_strbuf_append(sb, v.ptr, v.len) : sl_strbuf_append(sb, "", 0);
	}
	case SL_TYPE_BINARY: {
		sl_strview v = sl_array_str(a, i);
		rc = sl_strbuf_append(sb, "[", 1);
		for (size_t k = 0; k < v.len && rc >= 0; k++) {
			n = (size_t)snprintf(tmp, sizeof(tmp), k ? " %02X" : "%02X",
			                     (unsigned)(unsigned char)v.ptr[k]);
			rc = sl_strbuf_append(sb, tmp, n);
		}
		return rc < 0 ? rc : sl_strbuf_append(sb, "]", 1);
	}
	case SL_TYPE_STRUCT:
		rc = sl_strbuf_append(sb, "{", 1);
		for (size_t f = 0; f < a->n_children && rc >= 0; f++) {
			if (f > 0)
				rc = sl_strbuf_append(sb, ", ", 2);
			if (rc >= 0)
				rc = show_value(sb, a->children[f], i);
		}
		return rc < 0 ? rc : sl_strbuf_append(sb, "}", 1);
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		rc = sl_strbuf_append(sb, "[", 1);
		for (int32_t k = o[i]; k < o[i + 1] && rc >= 0; k++) {
			if (k > o[i])
				rc = sl_strbuf_append(sb, ", ", 2);
			if (rc >= 0)
				rc = show_value(sb, a->children[0], k);
		}
		return rc < 0 ? rc : sl_strbuf_append(sb, "]", 1);
	}
	default:
		return sl_strbuf_puts(sb, "?");
	}
}

/* Spark escapes these so a cell stays on one line. */
static int escape_meta(sl_strbuf *dst, const char *s, size_t len)
{
	int rc = SL_OK;

	for (size_t i = 0; i < len && rc >= 0; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\v':
			e = "\\v";
			break;
		case '\a':
			e = "\\a";
			break;
		default:
			break;
		}
		rc = e ? sl_strbuf_append(dst, e, 2) : sl_strbuf_append(dst, s + i, 1);
	}
	return rc;
}

/* Decodes one UTF-8 sequence; returns its length (1 for invalid bytes). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;

	if (n > len)
		n = 1;
	*cp = n == 1 ? s[0] : (uint32_t)(s[0] & (0x7F >> n));
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		*cp = (*cp << 6) | (s[k] & 0x3F);
	}
	return n;
}

/* Java's String.length(): UTF-16 code units. */
static size_t utf16_units(uint32_t cp)
{
	return cp >= 0x10000 ? 2 : 1;
}

/* Spark's Utils.stringHalfWidth: full-width characters count twice. */
static bool full_width(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6F) ||
	       (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6);
}

/* A cell: its text, its Java length and its display width. */
typedef struct cell {
	size_t off, len; /* into the table's text */
	size_t width;
} cell;

static void measure(const char *s, size_t len, size_t *units, size_t *width)
{
	size_t u = 0, w = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += utf8_next((const unsigned char *)s + i, len - i, &cp);
		u += utf16_units(cp);
		w += utf16_units(cp) + full_width(cp);
	}
	*units = u;
	*width = w;
}

/* Appends the text of a cell to pool, truncated as Spark does. */
static int add_cell(console_ctx *ctx, sl_strbuf *pool, const char *s, size_t len, bool trunc,
                    cell *c)
{
	size_t units, width;
	int rc;

	c->off = pool->len;
	rc = escape_meta(pool, s, len);
	if (rc < 0)
		return rc;
	c->len = pool->len - c->off;
	measure(pool->buf + c->off, c->len, &units, &width);
	if (trunc && ctx->truncate && units > TRUNCATE_AT) {
		/* str.substring(0, truncate - 3) + "..." */
		size_t i = 0, u = 0;
		const char *p = pool->buf + c->off;
		while (i < c->len) {
			uint32_t cp;
			size_t k = utf8_next((const unsigned char *)p + i, c->len - i, &cp);
			if (u + utf16_units(cp) > TRUNCATE_AT - 3)
				break;
			u += utf16_units(cp);
			i += k;
		}
		pool->len = c->off + i;
		if ((rc = sl_strbuf_append(pool, "...", 3)) < 0)
			return rc;
		c->len = pool->len - c->off;
		measure(pool->buf + c->off, c->len, &units, &width);
	}
	c->width = width;
	return SL_OK;
}

static int pad(sl_strbuf *sb, size_t n)
{
	static const char spaces[] = "                                ";
	int rc = SL_OK;

	while (n > 0 && rc >= 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
		rc = sl_strbuf_append(sb, spaces, k);
		n -= k;
	}
	return rc;
}

static int separator(sl_strbuf *sb, const size_t *widths, size_t n_cols)
{
	int rc = sl_strbuf_append(sb, "+", 1);

	for (size_t c = 0; c < n_cols && rc >= 0; c++) {
		for (size_t k = 0; k < widths[c] && rc >= 0; k++)
			rc = sl_strbuf_append(sb, "-", 1);
		if (rc >= 0)
			rc = sl_strbuf_append(sb, "+", 1);
	}
	return rc < 0 ? rc : sl_strbuf_append(sb, "\n", 1);
}

static int table_row(console_ctx *ctx, sl_strbuf *sb, const char *pool, const cell *cells,
                     const size_t *widths, size_t n_cols)
{
	int rc = sl_strbuf_append(sb, "|", 1);

	for (size_t c = 0; c < n_cols && rc >= 0; c++) {
		size_t fill = widths[c] - cells[c].width;
		if (ctx->truncate)
			rc = pad(sb, fill);
		if (rc >= 0)
			rc = sl_strbuf_append(sb, pool + cells[c].off, cells[c].len);
		if (rc >= 0 && !ctx->truncate)
			rc = pad(sb, fill);
		if (rc >= 0)
			rc = sl_strbuf_append(sb, "|", 1);
	}
	return rc < 0 ? rc : sl_strbuf_append(sb, "\n", 1);
}

/* Formats the micro-batch's table into ctx->text. */
static int format_table(console_ctx *ctx, int64_t batch_id)
{
	size_t n_cols = ctx->schema->n_fields;
	int64_t n_rows = ctx->rows_kept < ctx->num_rows ? ctx->rows_kept : ctx->num_rows;
	sl_strbuf pool = {0};
	cell *cells = NULL;
	size_t *widths = NULL;
	int64_t r = 0;
	int rc = SL_OK;

	cells = calloc((size_t)(n_rows + 1) * (n_cols ? n_cols : 1), sizeof(*cells));
	widths = calloc(n_cols ? n_cols : 1, sizeof(*widths));
	if (cells == NULL || widths == NULL) {
		rc = SL_ENOMEM;
		goto out;
	}
	/* The header, then the cells, each measured. */
	for (size_t c = 0; c < n_cols && rc >= 0; c++) {
		const char *name = ctx->schema->fields[c].name;
		rc = add_cell(ctx, &pool, name, strlen(name), false, &cells[c]);
	}
	for (size_t b = 0; b < ctx->n_batches && r < n_rows && rc >= 0; b++) {
		const sl_batch *batch = ctx->batches[b];
		for (int64_t i = 0; i < batch->n_rows && r < n_rows && rc >= 0; i++, r++) {
			for (size_t c = 0; c < n_cols && rc >= 0; c++) {
				sl_strbuf_reset(&ctx->cell);
				rc = show_value(&ctx->cell, batch->columns[c], i);
				if (rc >= 0)
					rc =
					    add_cell(ctx, &pool, ctx->cell.buf ? ctx->cell.buf : "",
					             ctx->cell.len, true,
					             &cells[(size_t)(r + 1) * n_cols + c]);
			}
		}
	}
	if (rc < 0)
		goto out;
	for (size_t c = 0; c < n_cols; c++) {
		widths[c] = MIN_COL_WIDTH;
		for (int64_t k = 0; k <= n_rows; k++)
			if (cells[(size_t)k * n_cols + c].width > widths[c])
				widths[c] = cells[(size_t)k * n_cols + c].width;
	}

	sl_strbuf_reset(&ctx->text);
	rc = sl_strbuf_printf(&ctx->text,
	                      "-------------------------------------------\n"
	                      "Batch: %" PRId64 "\n"
	                      "-------------------------------------------\n",
	                      batch_id);
	if (rc >= 0)
		rc = separator(&ctx->text, widths, n_cols);
	for (int64_t k = 0; k <= n_rows && rc >= 0; k++) {
		rc = table_row(ctx, &ctx->text, pool.buf, cells + (size_t)k * n_cols, widths,
		               n_cols);
		if (k == 0 && rc >= 0)
			rc = separator(&ctx->text, widths, n_cols);
	}
	if (rc >= 0)
		rc = separator(&ctx->text, widths, n_cols);
	if (rc >= 0 && ctx->more)
		rc = sl_strbuf_printf(&ctx->text, "only showing top %" PRId64 " %s\n",
		                      ctx->num_rows, ctx->num_rows == 1 ? "row" : "rows");
	if (rc >= 0)
		rc = sl_strbuf_append(&ctx->text, "\n", 1);
out:
	sl_strbuf_free(&pool);
	free(cells);
	free(widths);
	return rc;
}

static int console_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	console_ctx *ctx = vctx;
	int rc = format_table(ctx, bc->batch_id);

	drop_batches(ctx);
	if (rc < 0)
		return sl_error_set(err, rc, "cannot format batch %" PRId64 ": out of memory",
		                    bc->batch_id);
	if (fwrite(ctx->text.buf, 1, ctx->text.len, ctx->out) != ctx->text.len ||
	    fflush(ctx->out) != 0)
		return sl_error_set(err, SL_EIO, "cannot write batch %" PRId64 " to the console",
		                    bc->batch_id);
	return SL_OK;
}

static int console_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	return SL_OK;
}

static const sl_option_spec console_options[] = {
    {.name = "num_rows", .type = SL_OPT_INT, .def = "20", .doc = "rows shown per batch"},
    {.name = "truncate",
     .type = SL_OPT_BOOL,
     .def = "true",
     .doc = "cut cells longer than 20 characters and right-align the columns"},
    {.name = "output",
     .type = SL_OPT_ENUM,
     .def = "stdout",
     .choices = "stdout|stderr",
     .doc = "where the tables go"},
    {0}};

static const sl_plugin console_plugin = {
    .size = sizeof(sl_plugin),
    .name = "console",
    .kind = SL_PLUGIN_SINK,
    .summary = "prints every micro-batch as a table, as Spark's console sink",
    .doc = "Prints a \"Batch: N\" banner and the rows of the micro-batch in the format of "
           "Spark's Dataset.show(num_rows, truncate), followed by \"only showing top N "
           "rows\" when rows were left out.  For debugging and demos.",
    .options = console_options,
    .create = console_create,
    .destroy = console_destroy,
    .begin_batch = console_begin_batch,
    .process = console_process,
    .end_batch = console_end_batch,
    .commit = console_commit,
};

SL_MODULE(console, &console_plugin)
