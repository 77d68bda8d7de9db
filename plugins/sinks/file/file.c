/* file.c - the file sink, exactly-once: part files per micro-batch (JSON
 * lines, CSV or Avro container files) and a manifest of the batches written.
 *
 * Rows are encoded by the formats library (sl_encoder; JSON as Spark's
 * writer does: nulls left out, timestamps as ISO-8601 with milliseconds in
 * UTC, doubles as Java prints them, binary as base64; CSV with an optional
 * header per part; Avro container files whose schema sl_schema_to_avro
 * derives from the input) into hidden temporary files
 * `.PREFIX-BBBBBBBBBB-PPPP.EXT.tmp` while the batch runs, a new encoder per
 * part (each part is a whole file of its format).  end_batch fsyncs them,
 * renames them to `PREFIX-BBBBBBBBBB-PPPP.EXT` (the batch id in 10 digits,
 * the part in 4)
 * and records them in the manifest: `_sluice_log/B`, a JSON list of the
 * batch's file names, written through a temporary file, fsynced and renamed,
 * its directory fsynced.  A batch whose manifest entry exists is skipped, so
 * a replayed batch never adds its rows twice; a batch without rows writes an
 * entry with an empty list.  The manifest is the truth: a part file it does
 * not list (left by a crash before the entry was written) is not part of the
 * output and is overwritten when the batch is replayed.
 *
 * Without a checkpoint the core numbers batches from 0 on every run, so the
 * sink numbers its batches after the manifest's last entry instead: a second
 * run appends instead of being skipped as a replay.
 */
#include <sluice/sluice.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_sink.h"

#define FLUSH_AT (1u << 20)
#define LOG_DIR "_sluice_log"

typedef struct file_ctx {
	sl_stage *st;
	char *dir;
	char *log_dir; /* dir/_sluice_log */
	char *prefix;
	int64_t max_records; /* per part file; 0: no limit */
	int64_t base;        /* added to batch ids (see the top of the file) */
	/* The batch being written. */
	int64_t batch_id; /* the core's */
	int64_t out_id;   /* base + batch_id: file names and manifest entry */
	bool skip;        /* in the manifest already: a replay */
	bool crash_armed; /* the sink-write crash point is still ahead */
	int fd;           /* the open part, or -1 */
	size_t n_parts;   /* temporary parts created; the open one is the last */
	int64_t part_rows;
	int64_t rows;
	/* The format. */
	sl_format_kind kind;
	const char *ext;     /* "json", "csv", "avro" */
	sl_schema *schema;   /* the input's */
	sl_format_config fo;      /* encoder options (avro_schema: the derived one) */
	char *avsc;          /* Avro: the schema written into each part */
	sl_encoder *enc;     /* the open part's */
	sl_strbuf buf;  /* encoded rows not yet written */
	sl_strbuf path; /* scratch */
} file_ctx;

/* Writes "DIR/[.]PREFIX-BBBBBBBBBB-PPPP.EXT[.tmp]" into ctx->path. */
static int part_path(file_ctx *ctx, size_t part, bool tmp)
{
	sl_strbuf_reset(&ctx->path);
	return sl_strbuf_printf(&ctx->path, "%s/%s%s-%010" PRId64 "-%04zu.%s%s", ctx->dir,
	                        tmp ? "." : "", ctx->prefix, ctx->out_id, part, ctx->ext,
	                        tmp ? ".tmp" : "");
}

/* Forgets the batch being written, removing its temporary files. */
static void discard_batch(file_ctx *ctx)
{
	if (ctx->fd >= 0) {
		close(ctx->fd);
		ctx->fd = -1;
	}
	sl_encoder_free(ctx->enc);
	ctx->enc = NULL;
	for (size_t k = 0; k < ctx->n_parts; k++)
		if (part_path(ctx, k, true) >= 0)
			unlink(ctx->path.buf);
	ctx->n_parts = 0;
	ctx->part_rows = 0;
	ctx->rows = 0;
	ctx->skip = false;
	sl_strbuf_reset(&ctx->buf);
}

static void file_destroy(void *vctx)
{
	file_ctx *ctx = vctx;

	if (ctx == NULL)
		return;
	discard_batch(ctx);
	sl_strbuf_free(&ctx->buf);
	sl_strbuf_free(&ctx->path);
	sl_type_unref(ctx->schema);
	sl_format_config_free(&ctx->fo);
	free(ctx->avsc);
	free(ctx->dir);
	free(ctx->log_dir);
	free(ctx->prefix);
	free(ctx);
}

/* A manifest entry's name: decimal digits only. */
static bool entry_id(const char *name, int64_t *id)
{
	int64_t v = 0;

	if (*name == '\0' || strlen(name) > 18)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);

	return l >= n && strcmp(s + l - n, suffix) == 0;
}

/* Removes what crashed runs left: the hidden temporary files of the output
 * directory (ours: ".PREFIX-...tmp") and of the manifest.  Returns the
 * manifest's last entry, or -1 when it is empty. */
static int64_t tidy_dirs(file_ctx *ctx)
{
	int64_t last = -1, id;
	size_t plen = strlen(ctx->prefix);
	struct dirent *e;
	DIR *d;

	if ((d = opendir(ctx->dir)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] == '.' && strncmp(e->d_name + 1, ctx->prefix, plen) == 0 &&
			    e->d_name[plen + 1] == '-' && has_suffix(e->d_name, ".tmp"))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	if ((d = opendir(ctx->log_dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.' && has_suffix(e->d_name, ".tmp"))
				unlinkat(dirfd(d), e->d_name, 0);
			else if (entry_id(e->d_name, &id) && id > last)
				last = id;
		}
		closedir(d);
	}
	return last;
}

/* The format: options, the Avro schema, an encoder made once now so that a
 * schema the format cannot write fails validate. */
static int prepare_format(file_ctx *ctx, const sl_stage_init *init, sl_error *err)
{
	const char *format = sl_opt_string(init->options, "format");
	sl_strbuf avsc = {0};
	sl_encoder *probe = NULL;
	int rc;

	ctx->kind = strcmp(format, "csv") == 0    ? SL_FORMAT_CSV
	            : strcmp(format, "avro") == 0 ? SL_FORMAT_AVRO_FILE
	                                          : SL_FORMAT_JSON;
	ctx->ext = ctx->kind == SL_FORMAT_CSV ? "csv" : ctx->kind == SL_FORMAT_AVRO_FILE ? "avro" : "json";
	ctx->schema = sl_type_ref(init->input_schemas[0]);
	if ((rc = sl_format_config_load(&ctx->fo, init->options, err)) < 0)
		return rc;
	if (ctx->kind == SL_FORMAT_AVRO_FILE) {
		rc = sl_schema_to_avro(ctx->schema, ctx->fo.o.record_name,
		                       *ctx->fo.o.record_namespace ? ctx->fo.o.record_namespace : NULL,
		                       &avsc, err);
		if (rc < 0) {
			sl_strbuf_free(&avsc);
			return rc;
		}
		ctx->avsc = avsc.buf;
		ctx->fo.o.avro_schema = ctx->avsc;
	}
	rc = sl_encoder_new(ctx->kind, ctx->schema, &ctx->fo.o, &probe, err);
	sl_encoder_free(probe);
	if (rc < 0)
		sl_error_prefix(err, "format '%s'", format);
	return rc;
}

static int file_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	const char *path = sl_opt_string(o, "path");
	const char *prefix = sl_opt_string(o, "prefix");
	int64_t max_records = sl_opt_int(o, "max_records_per_file");
	sl_strbuf log_dir = {0};
	file_ctx *ctx;
	int rc;

	if (init->n_inputs != 1)
		return sl_error_set(err, SL_EINVAL, "file takes exactly one input");
	if (path == NULL || *path == '\0')
		return sl_error_at(err, SL_EINVAL, "path", -1, "needs a directory");
	if (prefix == NULL || *prefix == '\0' || strchr(prefix, '/') != NULL || prefix[0] == '.' ||
	    prefix[0] == '_')
		return sl_error_at(err, SL_EINVAL, "prefix", -1,
		                   "must be a non-empty file name prefix without '/' that does "
		                   "not start with '.' or '_' (readers skip such files)");
	if (max_records < 0)
		return sl_error_at(err, SL_EINVAL, "max_records_per_file", -1,
		                   "must be >= 0 (0: no limit)");
	if (sl_strbuf_printf(&log_dir, "%s/%s", path, LOG_DIR) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		sl_strbuf_free(&log_dir);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	ctx->st = init->self;
	ctx->fd = -1;
	ctx->max_records = max_records;
	ctx->log_dir = log_dir.buf;
	ctx->dir = strdup(path);
	ctx->prefix = strdup(prefix);
	if (ctx->dir == NULL || ctx->prefix == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = prepare_format(ctx, init, err)) < 0)
		goto fail;
	if (!init->dry_run) {
		int64_t last;

		if ((rc = sl_mkdirs(path, err)) < 0 || (rc = sl_mkdirs(ctx->log_dir, err)) < 0) {
			if (err != NULL)
				err->option = "path";
			goto fail;
		}
		last = tidy_dirs(ctx);
		if (init->checkpoint_dir == NULL && last >= 0) {
			ctx->base = last + 1;
			sl_log(ctx->st, SL_LOG_INFO,
			       "no checkpoint: batches are numbered after the manifest's last "
			       "entry (%" PRId64 ")",
			       last);
		}
	}
	*out_ctx = ctx;
	return SL_OK;
fail:
	file_destroy(ctx);
	return rc;
}

/* ---- writing ---- */

static int flush_buf(file_ctx *ctx, sl_error *err)
{
	int e = sl_write_all(ctx->fd, ctx->buf.buf, ctx->buf.len);

	if (e < 0) {
		part_path(ctx, ctx->n_parts - 1, true);
		return sl_error_set(err, SL_EIO, "cannot write %s: %s", ctx->path.buf,
		                    strerror(-e));
	}
	sl_strbuf_reset(&ctx->buf);
	return SL_OK;
}

/* Writes out, fsyncs and closes the open part. */
static int finish_part(file_ctx *ctx, sl_error *err)
{
	int rc = sl_encoder_finish(ctx->enc, &ctx->buf, err);

	sl_encoder_free(ctx->enc);
	ctx->enc = NULL;
	if (rc >= 0)
		rc = flush_buf(ctx, err);

	if (rc < 0)
		return rc;
	if (fsync(ctx->fd) < 0 || close(ctx->fd) < 0) {
		int e = errno;
		ctx->fd = -1;
		part_path(ctx, ctx->n_parts - 1, true);
		return sl_error_set(err, SL_EIO, "cannot sync %s: %s", ctx->path.buf, strerror(e));
	}
	ctx->fd = -1;
	return SL_OK;
}

static int open_part(file_ctx *ctx, sl_error *err)
{
	if (part_path(ctx, ctx->n_parts, true) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	ctx->fd = open(ctx->path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ctx->fd < 0)
		return sl_error_set(err, SL_EIO, "cannot create %s: %s", ctx->path.buf,
		                    strerror(errno));
	ctx->n_parts++;
	ctx->part_rows = 0;
	return sl_encoder_new(ctx->kind, ctx->schema, &ctx->fo.o, &ctx->enc, err);
}

static int file_begin_batch(void *vctx, const sl_batch_ctx *bc, sl_error *err)
{
	file_ctx *ctx = vctx;
	sl_strbuf entry = {0};
	struct stat sb;

	discard_batch(ctx); /* leftovers of a batch that failed */
	ctx->batch_id = bc->batch_id;
	ctx->out_id = ctx->base + bc->batch_id;
	ctx->crash_armed = true;
	if (sl_strbuf_printf(&entry, "%s/%" PRId64, ctx->log_dir, ctx->out_id) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (stat(entry.buf, &sb) == 0) {
		ctx->skip = true;
		sl_log(ctx->st, SL_LOG_INFO,
		       "batch %" PRId64 " is in the manifest already (a replay): not written "
		       "again",
		       ctx->out_id);
	}
	sl_strbuf_free(&entry);
	return SL_OK;
}

static int file_process(void *vctx, size_t port, const sl_batch *in, const sl_batch_ctx *bc,
                        sl_emitter *out, sl_error *err)
{
	file_ctx *ctx = vctx;
	int64_t half = (in->n_rows + 1) / 2;
	int rc = SL_OK;

	if (ctx->skip || in->n_rows == 0)
		return SL_OK;
	for (int64_t at = 0; at < in->n_rows && rc >= 0;) {
		int64_t n = in->n_rows - at;
		sl_batch *part = NULL;

		if (ctx->fd < 0 || (ctx->max_records > 0 && ctx->part_rows == ctx->max_records)) {
			if (ctx->fd >= 0 && (rc = finish_part(ctx, err)) < 0)
				return rc;
			if ((rc = open_part(ctx, err)) < 0)
				return rc;
		}
		if (ctx->max_records > 0 && n > ctx->max_records - ctx->part_rows)
			n = ctx->max_records - ctx->part_rows;
		if (ctx->crash_armed && at < half && n > half - at)
			n = half - at;
		if (at > 0 || n < in->n_rows) {
			part = sl_batch_slice(in, at, n);
			if (part == NULL)
				return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
		rc = sl_encoder_write(ctx->enc, part ? part : in, &ctx->buf, err);
		sl_batch_unref(part);
		if (rc < 0)
			return rc;
		at += n;
		ctx->part_rows += n;
		ctx->rows += n;
		if (ctx->buf.len >= FLUSH_AT && (rc = flush_buf(ctx, err)) < 0)
			return rc;
		if (ctx->crash_armed && at == half) {
			/* Half the rows are in the temporary file: a crash here must
			 * leave no trace in the output. */
			if ((rc = flush_buf(ctx, err)) < 0)
				return rc;
			ctx->crash_armed = false;
			sl_crash_point("sink-write", ctx->batch_id);
		}
	}
	return rc;
}

/* The manifest entry: ["PREFIX-...-0000.json", ...] */
static int write_manifest(file_ctx *ctx, sl_error *err)
{
	sl_strbuf json = {0}, name = {0};
	int rc = sl_strbuf_puts(&json, "[");

	for (size_t k = 0; k < ctx->n_parts && rc >= 0; k++) {
		sl_strbuf_reset(&name);
		rc = sl_strbuf_printf(&name, "%s-%010" PRId64 "-%04zu.%s", ctx->prefix,
		                      ctx->out_id, k, ctx->ext);
		if (rc >= 0 && k > 0)
			rc = sl_strbuf_puts(&json, ",");
		if (rc >= 0)
			rc = sl_json_append_string(&json, name.buf, name.len);
	}
	if (rc >= 0)
		rc = sl_strbuf_puts(&json, "]\n");
	sl_strbuf_reset(&name);
	if (rc >= 0)
		rc = sl_strbuf_printf(&name, "%s/%" PRId64, ctx->log_dir, ctx->out_id);
	if (rc < 0)
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	else
		rc = sl_write_file(name.buf, json.buf, json.len, SL_FILE_SYNC, err);
	sl_strbuf_free(&json);
	sl_strbuf_free(&name);
	return rc;
}

static int file_end_batch(void *vctx, const sl_batch_ctx *bc, sl_emitter *out, sl_error *err)
{
	file_ctx *ctx = vctx;
	sl_strbuf fin = {0};
	int rc = SL_OK;

	if (ctx->skip) {
		ctx->skip = false;
		return SL_OK;
	}
	if (ctx->fd >= 0 && (rc = finish_part(ctx, err)) < 0)
		return rc;
	for (size_t k = 0; k < ctx->n_parts; k++) {
		sl_strbuf_reset(&fin);
		if (part_path(ctx, k, false) < 0 || sl_strbuf_puts(&fin, ctx->path.buf) < 0 ||
		    part_path(ctx, k, true) < 0) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		if (rename(ctx->path.buf, fin.buf) < 0) {
			rc = sl_error_set(err, SL_EIO, "cannot rename %s to %s: %s", ctx->path.buf,
			                  fin.buf, strerror(errno));
			goto out;
		}
	}
	if (ctx->n_parts > 0 && (rc = sl_fsync_dir(ctx->dir, err)) < 0)
		goto out;
	if ((rc = write_manifest(ctx, err)) < 0)
		goto out;
	sl_metric_add(ctx->st, "filesWritten", (int64_t)ctx->n_parts);
	sl_metric_add(ctx->st, "rowsWritten", ctx->rows);
	/* Renamed: nothing left to discard. */
	ctx->n_parts = 0;
	ctx->rows = 0;
out:
	sl_strbuf_free(&fin);
	return rc;
}

static const sl_option_spec file_options[] = {
    {.name = "path",
     .type = SL_OPT_STRING,
     .required = 1,
     .doc = "output directory (created if missing); its manifest is PATH/_sluice_log"},
    {.name = "format",
     .type = SL_OPT_ENUM,
     .def = "json",
     .choices = "json|csv|avro",
     .doc = "json: JSON lines; csv: RFC 4180 (flat columns only); avro: Avro object "
            "container files."},
    {.name = "ignore_null_fields",
     .type = SL_OPT_BOOL,
     .doc = "json: leave null fields out (default true, as Spark)"},
    {.name = "timestamp_format",
     .type = SL_OPT_STRING,
     .doc = "json, csv: TIMESTAMP pattern (default yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"},
    {.name = "header",
     .type = SL_OPT_BOOL,
     .doc = "csv: a header line at the top of every part file (default false)"},
    {.name = "sep", .type = SL_OPT_STRING, .doc = "csv: field separator (default \",\")"},
    {.name = "delimiter", .type = SL_OPT_STRING, .doc = "csv: the same as sep"},
    {.name = "quote", .type = SL_OPT_STRING, .doc = "csv: quote character (default '\"')"},
    {.name = "escape",
     .type = SL_OPT_STRING,
     .doc = "csv: escapes a quote inside quotes (default '\\')"},
    {.name = "null_value",
     .type = SL_OPT_STRING,
     .doc = "csv: the text of a null (default \"\")"},
    {.name = "quote_all",
     .type = SL_OPT_BOOL,
     .doc = "csv: quote every value (default false)"},
    {.name = "compression",
     .type = SL_OPT_ENUM,
     .choices = "null|deflate",
     .doc = "avro: block codec (default null)"},
    {.name = "record_name",
     .type = SL_OPT_STRING,
     .doc = "avro: the top-level record's name (default topLevelRecord)"},
    {.name = "record_namespace",
     .type = SL_OPT_STRING,
     .doc = "avro: the top-level record's namespace (default none)"},
    {.name = "prefix", .type = SL_OPT_STRING, .def = "part", .doc = "file name prefix"},
    {.name = "max_records_per_file",
     .type = SL_OPT_INT,
     .def = "0",
     .doc = "rows per part file before the next part of the batch starts; 0: no limit"},
    {0}};

const sl_plugin slp_file_sink = {
    .size = sizeof(sl_plugin),
    .name = "file",
    .kind = SL_PLUGIN_SINK,
    .summary = "writes each micro-batch as JSON-lines, CSV or Avro files, exactly once",
    .doc = "Writes PATH/PREFIX-BBBBBBBBBB-PPPP.EXT (the batch id in 10 digits, the part "
           "in 4, EXT json, csv or avro) through hidden temporary files, renamed and recorded in the manifest "
           "PATH/_sluice_log/B (a JSON list of the batch's files) when the batch ends.  A "
           "batch already in the manifest is not written again, so a replay after a crash "
           "never adds rows twice; readers (the file source) read only the files the "
           "manifest lists.  A batch without rows writes an empty entry.  JSON as Spark "
           "writes it: null fields left out, timestamps as 2020-07-25T14:55:00.348Z, "
           "binary as base64; CSV as RFC 4180 (a header per part with header = true); "
           "Avro container files with the schema sl_schema_to_avro derives (nullable "
           "columns are unions with null).  Without a checkpoint, batches are numbered after the "
           "manifest's last entry.",
    .options = file_options,
    .create = file_create,
    .destroy = file_destroy,
    .begin_batch = file_begin_batch,
    .process = file_process,
    .end_batch = file_end_batch,
};
