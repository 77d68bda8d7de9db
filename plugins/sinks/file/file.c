/* file.c - the file sink: one JSON-lines file per micro-batch.
 *
 * Rows are encoded as Spark's JSON writer does (nulls left out, timestamps
 * as ISO-8601 with milliseconds in UTC, doubles as Java prints them, binary
 * as base64) into `.<name>.tmp` in the target directory while the batch
 * runs.  end_batch fsyncs the temporary file; commit renames it to
 * `<prefix>-<batch id, 10 digits>.json` and fsyncs the directory, so a
 * reader never sees a partial file.  A replayed batch rewrites the same
 * name with the same rows (idempotent per batch id).  A batch without rows
 * writes no file.
 */
#include <sluice/sluice.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/slplug.h"

#define FLUSH_AT (1u << 20)

typedef struct file_ctx {
	sl_stage *st;
	sl_schema *schema;
	char *dir;
	char *prefix;
	/* The batch being written. */
	int fd;
	int64_t batch_id;
	int64_t rows;
	char *tmp_path;   /* set while a temporary file exists */
	char *final_path; /* set between end_batch and commit */
	sl_strbuf buf;
} file_ctx;

static void discard_tmp(file_ctx *ctx)
{
	if (ctx->fd >= 0) {
		close(ctx->fd);
		ctx->fd = -1;
	}
	if (ctx->tmp_path != NULL) {
		unlink(ctx->tmp_path);
		free(ctx->tmp_path);
		ctx->tmp_path = NULL;
	}
	free(ctx->final_path);
	ctx->final_path = NULL;
	ctx->rows = 0;
	sl_strbuf_reset(&ctx->buf);
}

static void file_destroy(void *vctx)
{
	file_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	discard_tmp(ctx);
	sl_strbuf_free(&ctx->buf);
	sl_type_unref(ctx->schema);
	free(ctx->dir);
	free(ctx->prefix);
	free(ctx);
}

/* mkdir -p */
static int make_dirs(const char *path, sl_error *err)
{
	char *p = strdup(path);
	int rc = SL_OK;

	if (p == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = sl_error_at(err, SL_EIO, "path", -1, "cannot create directory %s: %s",
			                 p, strerror(errno));
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	if (rc == SL_OK) {
		struct stat sb;
		if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
			rc = sl_error_at(err, SL_EIO, "path", -1, "%s is not a directory", path);
	}
	return rc;
}

static int file_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	const char *path = sl_opt_string(o, "path");
	const char *prefix = sl_opt_string(o, "prefix");
	file_ctx *ctx;
	int rc;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "file takes exactly one input");
	if (path == NULL || *path == '\0')
		return sl_error_at(err, SL_EINVAL, "path", -1, "needs a directory");
	if (prefix == NULL || *prefix == '\0' || strchr(prefix, '/') != NULL)
		return sl_error_at(err, SL_EINVAL, "prefix", -1,
		                   "must be a non-empty file name prefix without '/'");
	if (!init->dry_run && (rc = make_dirs(path, err)) < 0)
		return rc;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->st = init->self;
	ctx->fd = -1;
	ctx->schema = sl_type_ref((sl_schema *)init->input_schemas[0]);
	ctx->dir = strdup(path);
	ctx->prefix = strdup(prefix);
	if (ctx->dir == NULL || ctx->prefix == NULL) {
		file_destroy(ctx);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	*out_ctx = ctx;
	return SL_OK;
}

/* ---- JSON, as Spark (Jackson) writes it ---- */

static int json_string(sl_strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	int rc = sl_strbuf_append(sb, "\"", 1);

	for (size_t i = 0; i < len && rc >= 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 0;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = sl_strbuf_append(sb, s + run, i - run);
		run = i + 1;
		esc[n++] = '\\';
		switch (c) {
		case '"':
			esc[n++] = '"';
			break;
		case '\\':
			esc[n++] = '\\';
			break;
		case '\n':
			esc[n++] = 'n';
			break;
		case '\r':
			esc[n++] = 'r';
			break;
		case '\t':
			esc[n++] = 't';
			break;
		case '\b':
			esc[n++] = 'b';
			break;
		case '\f':
			esc[n++] = 'f';
			break;
		default:
			esc[n++] = 'u';
			esc[n++] = '0';
			esc[n++] = '0';
			esc[n++] = hex[c >> 4];
			esc[n++] = hex[c & 15];
		}
		if (rc >= 0)
			rc = sl_strbuf_append(sb, esc, n);
	}
	if (rc >= 0)
		rc = sl_strbuf_append(sb, s + run, len - run);
	return rc < 0 ? rc : sl_strbuf_append(sb, "\"", 1);
}

static int json_base64(sl_strbuf *sb, const unsigned char *p, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int rc = sl_strbuf_append(sb, "\"", 1);

	for (size_t i = 0; i < len && rc >= 0; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tab[v & 63] : '=';
		rc = sl_strbuf_append(sb, q, 4);
	}
	return rc < 0 ? rc : sl_strbuf_append(sb, "\"", 1);
}

static int json_value(sl_strbuf *sb, const sl_array *a, int64_t i);

/* The fields of a struct (or a row) as an object, nulls left out. */
static int json_object(sl_strbuf *sb, const sl_type *t, sl_array *const *cols, int64_t i)
{
	bool first = true;
	int rc = sl_strbuf_append(sb, "{", 1);

	for (size_t f = 0; f < t->n_fields && rc >= 0; f++) {
		const sl_array *c = cols[f];
		if (c->type->id == SL_TYPE_NULL || !sl_array_valid(c, i))
			continue;
		if (!first)
			rc = sl_strbuf_append(sb, ",", 1);
		first = false;
		if (rc >= 0)
			rc = json_string(sb, t->fields[f].name, strlen(t->fields[f].name));
		if (rc >= 0)
			rc = sl_strbuf_append(sb, ":", 1);
		if (rc >= 0)
			rc = json_value(sb, c, i);
	}
	return rc < 0 ? rc : sl_strbuf_append(sb, "}", 1);
}

static int json_value(sl_strbuf *sb, const sl_array *a, int64_t i)
{
	char tmp[SLP_FMT_MAX];
	size_t n;
	int rc;

	if (a->type->id == SL_TYPE_NULL || !sl_array_valid(a, i))
		return sl_strbuf_append(sb, "null", 4);
	switch (a->type->id) {
	case SL_TYPE_BOOL:
		return sl_strbuf_puts(sb, sl_array_bool(a, i) ? "true" : "false");
	case SL_TYPE_INT64:
		n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, sl_array_i64(a)[i]);
		return sl_strbuf_append(sb, tmp, n);
	case SL_TYPE_DOUBLE: {
		double d = sl_array_f64(a)[i];
		n = slp_fmt_double(tmp, d);
		if (d != d || d - d != 0) /* NaN, Infinity: quoted, as Jackson does */
			return json_string(sb, tmp, n);
		return sl_strbuf_append(sb, tmp, n);
	}
	case SL_TYPE_TIMESTAMP:
		n = slp_fmt_ts_iso(tmp, sl_array_i64(a)[i]);
		return json_string(sb, tmp, n);
	case SL_TYPE_STRING: {
		sl_strview v = sl_array_str(a, i);
		return json_string(sb, v.ptr, v.len);
	}
	case SL_TYPE_BINARY: {
		sl_strview v = sl_array_str(a, i);
		return json_base64(sb, (const unsigned char *)v.ptr, v.len);
	}
	case SL_TYPE_STRUCT:
		return json_object(sb, a->type, a->children, i);
	case SL_TYPE_LIST: {
		const int32_t *o = sl_array_offsets(a);
		rc = sl_strbuf_append(sb, "[", 1);
		for (int32_t k = o[i]; k < o[i + 1] && rc >= 0; k++) {
			if (k > o[i])
				rc = sl_strbuf_append(sb, ",", 1);
			if (rc >= 0)
				rc = json_value(sb, a->children[0], k);
		}
		return rc < 0 ? rc : sl_strbuf_append(sb, "]", 1);
	}
	default:
		return sl_strbuf_append(sb, "null", 4);
	}
}

/* ---- writing ---- */

static int write_all(file_ctx *ctx, sl_error *err)
{
	const char *p = ctx->buf.buf;
	size_t left = ctx->buf.len;

	while (left > 0) {
		ssize_t w = write(ctx->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return sl_error_set(err, SL_EIO, "cannot write %s: %s", ctx->tmp_path,
			                    strerror(errno));
		p += w;
		left -= (size_t)w;
	}
	sl_strbuf_reset(&ctx->buf);
	return SL_OK;
}

static int file_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	file_ctx *ctx = vctx;

	discard_tmp(ctx); /* leftovers of a batch that failed */
	ctx->batch_id = bc->batch_id;
	return SL_OK;
}

static int open_tmp(file_ctx *ctx, int64_t batch_id, sl_error *err)
{
	sl_strbuf sb = {0};

	ctx->batch_id = batch_id;
	if (sl_strbuf_printf(&sb, "%s/%s-%010" PRId64 ".json", ctx->dir, ctx->prefix, batch_id) < 0)
		goto nomem;
	ctx->final_path = sb.buf;
	sb = (sl_strbuf){0};
	if (sl_strbuf_printf(&sb, "%s/.%s-%010" PRId64 ".json.tmp", ctx->dir, ctx->prefix,
	                     batch_id) < 0)
		goto nomem;
	ctx->tmp_path = sb.buf;
	ctx->fd = open(ctx->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ctx->fd < 0) {
		int e = errno;
		free(ctx->tmp_path);
		ctx->tmp_path = NULL;
		return sl_error_set(err, SL_EIO, "cannot create %s/.%s-%010" PRId64 ".json.tmp: %s",
		                    ctx->dir, ctx->prefix, batch_id, strerror(e));
	}
	return SL_OK;
nomem:
	sl_strbuf_free(&sb);
	return sl_error_set(err, SL_ENOMEM, "out of memory");
}

static int file_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                        sl_emitter *out, sl_error *err)
{
	file_ctx *ctx = vctx;
	int rc = SL_OK;

	if (in->n_rows == 0)
		return SL_OK;
	if (ctx->tmp_path == NULL && (rc = open_tmp(ctx, bc->batch_id, err)) < 0)
		return rc;
	for (int64_t i = 0; i < in->n_rows; i++) {
		rc = json_object(&ctx->buf, in->schema, in->columns, i);
		if (rc >= 0)
			rc = sl_strbuf_append(&ctx->buf, "\n", 1);
		if (rc < 0)
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		if (ctx->buf.len >= FLUSH_AT && (rc = write_all(ctx, err)) < 0)
			return rc;
	}
	ctx->rows += in->n_rows;
	return SL_OK;
}

static int file_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	file_ctx *ctx = vctx;
	int rc;

	if (ctx->tmp_path == NULL)
		return SL_OK; /* no rows, no file */
	if ((rc = write_all(ctx, err)) < 0)
		return rc;
	if (fsync(ctx->fd) < 0 || close(ctx->fd) < 0) {
		ctx->fd = -1;
		return sl_error_set(err, SL_EIO, "cannot sync %s: %s", ctx->tmp_path,
		                    strerror(errno));
	}
	ctx->fd = -1;
	return SL_OK;
}

static int file_commit(void *vctx, int64_t batch_id, sl_error *err)
{
	file_ctx *ctx = vctx;
	int dfd;

	if (ctx->tmp_path == NULL || ctx->fd >= 0)
		return SL_OK; /* nothing written, or end_batch never completed */
	if (rename(ctx->tmp_path, ctx->final_path) < 0)
		return sl_error_set(err, SL_EIO, "cannot rename %s to %s: %s", ctx->tmp_path,
		                    ctx->final_path, strerror(errno));
	free(ctx->tmp_path);
	ctx->tmp_path = NULL;
	dfd = open(ctx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	sl_metric_add(ctx->st, "filesWritten", 1);
	sl_metric_add(ctx->st, "rowsWritten", ctx->rows);
	discard_tmp(ctx);
	return SL_OK;
}

static const sl_option_spec file_options[] = {
    {.name = "path",
     .type = SL_OPT_STRING,
     .required = 1,
     .doc = "output directory (created if missing)"},
    {.name = "format",
     .type = SL_OPT_ENUM,
     .def = "json",
     .choices = "json",
     .doc = "file format: JSON lines"},
    {.name = "prefix", .type = SL_OPT_STRING, .def = "part", .doc = "file name prefix"},
    {0}};

static const sl_plugin file_plugin = {
    .size = sizeof(sl_plugin),
    .name = "file",
    .kind = SL_PLUGIN_SINK,
    .summary = "writes each micro-batch as one JSON-lines file",
    .doc = "Writes PATH/PREFIX-NNNNNNNNNN.json (the batch id, 10 digits) through a hidden "
           "temporary file renamed when the batch commits, so readers never see partial "
           "files and a replayed batch rewrites the same file.  JSON as Spark writes it: "
           "null fields left out, timestamps as 2020-07-25T14:55:00.348Z, binary as "
           "base64.  Batches without rows write no file.",
    .options = file_options,
    .create = file_create,
    .destroy = file_destroy,
    .begin_batch = file_begin_batch,
    .process = file_process,
    .end_batch = file_end_batch,
    .commit = file_commit,
};

SL_MODULE(file, &file_plugin)
