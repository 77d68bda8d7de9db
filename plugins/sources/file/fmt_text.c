/* fmt_text.c - format "text", as Spark's text source: one row per line,
 * one column value STRING (without the "\n" or "\r\n"; empty lines are
 * empty strings). */
#include "fsrc.h"

static int text_prepare(fsrc *s, const sl_stage_init *init, const char *schema,
                        sl_schema **columns, sl_error *err)
{
	sl_field f = {(char *)"value", sl_type_string(), false};

	if (schema != NULL)
		return sl_error_at(err, SL_EINVAL, "schema", -1,
		                   "format 'text' has one column, value STRING; a schema is for "
		                   "formats json, csv and avro");
	*columns = sl_type_struct(1, &f);
	return *columns ? SL_OK : sl_error_set(err, SL_ENOMEM, "out of memory");
}

static int text_decode(fsrc *s, fsrc_reader *r, sl_error *err)
{
	sl_builder *col = sl_batch_builder_column(s->bb, 0);
	const char *p;
	size_t len;
	int rc = fsrc_skip_bom(s, r, err);

	if (rc < 0)
		return rc;
	while ((rc = fsrc_next_line(s, r, &p, &len, err)) == SL_OK) {
		if (sl_builder_append_string(col, p, len) < 0)
			return sl_error_set(err, SL_ENOMEM, "%s/%s:%lld: cannot hold the line",
			                    s->dir, r->name, (long long)r->line);
		if ((rc = fsrc_row_done(s, len + 1, err)) < 0)
			return rc;
	}
	return rc == SL_EOF ? SL_OK : rc;
}

static void text_release(fsrc *s)
{
}

const fsrc_format fsrc_format_text = {
    .name = "text",
    .prepare = text_prepare,
    .decode = text_decode,
    .release = text_release,
};
