/* source.c - the file source, as Spark's: the new files of a directory,
 * read once each, across restarts.
 *
 * plan lists the directory (listing.c), leaves out the files a committed
 * batch read, orders the rest by modification time then name (newest first
 * with latest_first), takes up to max_files_per_trigger and writes them
 * into the end offset, {"files": ["a.json", ...], "seq": N}, so a replayed
 * batch reads exactly the same files.  read decodes them (the format seam
 * in fsrc.h) and records each in the state store, f:<name> ->
 * {"batch": B, "size": S, "mtime": T}, as part of the batch: the record
 * commits with the batch or not at all.  create restores the records with
 * a scan.  After the batch committed, source_commit keeps, archives or
 * deletes the files (clean_source).
 *
 * Files are expected to arrive complete, by rename: names starting with '.'
 * or '_' are never listed, so a writer creates ".name.tmp" and renames it.
 * A directory can always get new files, so the source never ends: with the
 * available-now trigger the pipeline stops when no file is new, with an
 * interval trigger it waits for the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../sinks/file/file_sink.h"
#include "fsrc.h"

static const fsrc_format *const formats[] = {&fsrc_format_text, &fsrc_format_json,
                                            &fsrc_format_csv, &fsrc_format_avro};

static void fsrc_destroy(void *vctx)
{
	fsrc *s = vctx;

	if (s == NULL)
		return;
	if (s->fmt != NULL)
		s->fmt->release(s);
	fsrc_files_clear(s);
	free(s->files);
	fsrc_map_free(&s->done);
	fsrc_map_free(&s->entries);
	fsrc_map_free(&s->manifest);
	sl_batch_builder_free(s->bb);
	sl_type_unref(s->schema);
	sl_type_unref(s->columns);
	sl_strbuf_free(&s->scratch);
	free(s->buf);
	free(s->dir);
	free(s->glob);
	free(s->archive_dir);
	free(s);
}

/* ---- the processed-file log ---- */

#define REC_PREFIX "f:"

/* One f:<name> record of the state store into s->done. */
static int restore_one(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
	fsrc *s = arg;
	const char *name = (const char *)key + strlen(REC_PREFIX);
	size_t len = klen - strlen(REC_PREFIX);
	fsrc_rec *r;

	sl_strbuf_reset(&s->scratch);
	r = fsrc_map_put(&s->done, name, len);
	if (r == NULL || sl_strbuf_append(&s->scratch, val, vlen) < 0) {
		s->oom = true;
		return 1;
	}
	if (sl_json_get_int(s->scratch.buf, "batch", &r->batch) != SL_OK ||
	    sl_json_get_int(s->scratch.buf, "size", &r->size) != SL_OK ||
	    sl_json_get_int(s->scratch.buf, "mtime", &r->mtime_us) != SL_OK)
		r->batch = r->size = r->mtime_us = -1; /* kept: read once all the same */
	r->committed = true;
	return 0;
}

static int restore(fsrc *s, sl_error *err)
{
	int rc = sl_state_scan(s->st, REC_PREFIX, strlen(REC_PREFIX), restore_one, s, err);

	if (rc == SL_ESTATE) {
		s->stateless = true;
		sl_error_clear(err);
		sl_log(s->st, SL_LOG_INFO,
		       "the host has no state store: processed files are remembered in memory "
		       "only");
		return SL_OK;
	}
	if (rc < 0)
		return rc;
	if (s->oom)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	if (s->done.n > 0)
		sl_log(s->st, SL_LOG_INFO, "%zu file(s) read by earlier batches", s->done.n);
	return SL_OK;
}

/* Records a file read by batch `batch` (in memory and, as part of the
 * batch, in the store). */
static int remember(fsrc *s, const char *name, int64_t batch, const struct stat *sb, sl_error *err)
{
	size_t len = strlen(name);
	fsrc_rec *r = fsrc_map_put(&s->done, name, len);
	sl_strbuf val = {0}, key = {0};
	int rc;

	if (r == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	r->batch = batch;
	r->size = (int64_t)sb->st_size;
	r->mtime_us = (int64_t)sb->st_mtim.tv_sec * 1000000 + sb->st_mtim.tv_nsec / 1000;
	r->warned = false;
	r->committed = false;
	if (s->stateless)
		return SL_OK;
	if (sl_strbuf_printf(&key, REC_PREFIX "%s", name) < 0 ||
	    sl_strbuf_printf(&val,
	                     "{\"batch\":%" PRId64 ",\"size\":%" PRId64 ",\"mtime\":%" PRId64 "}",
	                     r->batch, r->size, r->mtime_us) < 0) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
	} else {
		rc = sl_state_put(s->st, key.buf, key.len, val.buf, val.len, err);
		if (rc == SL_ESTATE) {
			s->stateless = true;
			sl_error_clear(err);
			rc = SL_OK;
		}
	}
	sl_strbuf_free(&key);
	sl_strbuf_free(&val);
	return rc;
}

/* ---- create ---- */

static int check_dirs(fsrc *s, sl_error *err)
{
	struct stat sb, ab;
	int rc;

	if (stat(s->dir, &sb) < 0)
		return sl_error_at(err, SL_EINVAL, "path", -1, "cannot read directory %s: %s",
		                   s->dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return sl_error_at(err, SL_EINVAL, "path", -1, "%s is not a directory", s->dir);
	if (s->clean != FSRC_ARCHIVE)
		return SL_OK;
	if ((rc = sl_mkdirs(s->archive_dir, err)) < 0) {
		if (err != NULL)
			err->option = "archive_dir";
		return rc;
	}
	if (stat(s->archive_dir, &ab) == 0 && ab.st_dev == sb.st_dev && ab.st_ino == sb.st_ino)
		return sl_error_at(err, SL_EINVAL, "archive_dir", -1,
		                   "must be another directory than path");
	return SL_OK;
}

/* The DDL text of option schema_file, into sb ('#' lines are comments). */
static int read_schema_file(const char *path, sl_strbuf *sb, sl_error *err)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (f == NULL)
		return sl_error_at(err, SL_EIO, "schema_file", -1, "cannot open %s: %s", path,
		                   strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		if (sl_strbuf_puts(sb, line) < 0) {
			fclose(f);
			return sl_error_set(err, SL_ENOMEM, "out of memory");
		}
	}
	fclose(f);
	if (sb->len == 0)
		return sl_error_at(err, SL_EINVAL, "schema_file", -1, "%s holds no schema", path);
	for (size_t i = 0; i < sb->len; i++) /* one line of DDL */
		if (sb->buf[i] == '\n' || sb->buf[i] == '\r' || sb->buf[i] == '\t')
			sb->buf[i] = ' ';
	return SL_OK;
}

static int fsrc_create(const sl_stage_init *init, void **out_ctx, sl_schema **out_schema,
                       sl_error *err)
{
	const sl_options *o = init->options;
	const char *path = sl_opt_string(o, "path");
	const char *format = sl_opt_string(o, "format");
	const char *clean = sl_opt_string(o, "clean_source");
	const char *archive = sl_opt_string(o, "archive_dir");
	const char *schema = sl_opt_is_set(o, "schema") ? sl_opt_string(o, "schema") : NULL;
	const char *schema_file =
	    sl_opt_is_set(o, "schema_file") ? sl_opt_string(o, "schema_file") : NULL;
	sl_strbuf ddl = {0};
	fsrc *s;
	int rc;

	if (path == NULL || *path == '\0')
		return sl_error_at(err, SL_EINVAL, "path", -1, "needs a directory");
	if (sl_opt_int(o, "max_files_per_trigger") < 0)
		return sl_error_at(err, SL_EINVAL, "max_files_per_trigger", -1,
		                   "must be >= 0 (0: every new file)");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	s->st = init->self;
	s->max_files = sl_opt_int(o, "max_files_per_trigger");
	s->latest_first = sl_opt_bool(o, "latest_first");
	s->include_filename = sl_opt_bool(o, "include_filename");
	s->clean = strcmp(clean, "archive") == 0  ? FSRC_ARCHIVE
	           : strcmp(clean, "delete") == 0 ? FSRC_DELETE
	                                          : FSRC_KEEP;
	s->dir = strdup(path);
	s->glob = strdup(sl_opt_string(o, "glob"));
	if (archive != NULL && *archive != '\0')
		s->archive_dir = strdup(archive);
	if (s->dir == NULL || s->glob == NULL || (archive && *archive && !s->archive_dir)) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (s->clean == FSRC_ARCHIVE && s->archive_dir == NULL) {
		rc = sl_error_at(err, SL_EINVAL, "archive_dir", -1,
		                 "clean_source = \"archive\" needs archive_dir");
		goto fail;
	}
	if (s->clean != FSRC_ARCHIVE && s->archive_dir != NULL) {
		rc = sl_error_at(err, SL_EINVAL, "archive_dir", -1,
		                 "is used only with clean_source = \"archive\"");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i]->name, format) == 0)
			s->fmt = formats[i];
	if (s->fmt == NULL) {
		rc = sl_error_at(err, SL_EINVAL, "format", -1, "unknown format '%s'", format);
		goto fail;
	}
	if (s->fmt == &fsrc_format_text && sl_opt_bool(o, "dead_letter")) {
		rc = sl_error_at(err, SL_EINVAL, "dead_letter", -1,
		                 "format 'text' has no bad records (every line is a row)");
		goto fail;
	}
	if (schema_file != NULL && *schema_file != '\0') {
		if (schema != NULL) {
			rc = sl_error_at(err, SL_EINVAL, "schema_file", -1,
			                 "give either schema or schema_file, not both");
			goto fail;
		}
		if ((rc = read_schema_file(schema_file, &ddl, err)) < 0)
			goto fail;
		schema = ddl.buf;
	}
	rc = s->fmt->prepare(s, init, schema, &s->columns, err);
	if (rc < 0 && schema == ddl.buf && err->option != NULL &&
	    strcmp(err->option, "schema") == 0)
		err->option = "schema_file";
	sl_strbuf_free(&ddl);
	if (rc < 0) {
		s->fmt = NULL; /* nothing to release */
		goto fail;
	}
	if (s->include_filename) {
		size_t n = s->columns->n_fields;
		sl_field *f = calloc(n + 1, sizeof(*f));
		if (f == NULL) {
			rc = sl_error_set(err, SL_ENOMEM, "out of memory");
			goto fail;
		}
		if (sl_schema_find(s->columns, "_filename") >= 0) {
			free(f);
			rc = sl_error_at(err, SL_EINVAL, "include_filename", -1,
			                 "the schema has a column _filename already");
			goto fail;
		}
		memcpy(f, s->columns->fields, n * sizeof(*f));
		f[n] = (sl_field){(char *)"_filename", sl_type_string(), false};
		s->schema = sl_type_struct(n + 1, f);
		free(f);
	} else {
		s->schema = sl_type_ref(s->columns);
	}
	if (s->schema == NULL) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	if (!init->dry_run) {
		if ((rc = check_dirs(s, err)) < 0 || (rc = restore(s, err)) < 0)
			goto fail;
	}
	*out_schema = sl_type_ref(s->schema);
	*out_ctx = s;
	return SL_OK;
fail:
	sl_strbuf_free(&ddl);
	fsrc_destroy(s);
	return rc;
}

/* ---- offsets ---- */

/* The file names of an end offset (a JSON array, owned by *root). */
static int offset_files(const char *text, json_t **root, json_t **files, sl_error *err)
{
	json_error_t je;

	*root = text ? json_loads(text, 0, &je) : NULL;
	*files = *root ? json_object_get(*root, "files") : NULL;
	if (!json_is_array(*files)) {
		json_decref(*root);
		*root = NULL;
		return sl_error_set(err, SL_EINVAL,
		                    "bad offset '%.200s': expected {\"files\": [...], \"seq\": N}",
		                    text ? text : "(null)");
	}
	for (size_t i = 0; i < json_array_size(*files); i++)
		if (!json_is_string(json_array_get(*files, i))) {
			json_decref(*root);
			*root = NULL;
			return sl_error_set(err, SL_EINVAL, "bad offset: file %zu is not a name",
			                    i);
		}
	return SL_OK;
}

static int fsrc_plan(void *vctx, const char *start, sl_strbuf *end, sl_error *err)
{
	fsrc *s = vctx;
	int64_t seq = -1;
	int rc;

	if (start != NULL && sl_json_get_int(start, "seq", &seq) != SL_OK)
		return sl_error_set(err, SL_EINVAL, "bad offset '%.200s': no \"seq\"", start);
	if ((rc = fsrc_list(s, err)) < 0)
		return rc;
	if (s->n_files == 0)
		return SL_AGAIN;
	sl_strbuf_reset(end);
	rc = sl_strbuf_puts(end, "{\"files\":[");
	for (size_t i = 0; i < s->n_files && rc >= 0; i++) {
		if (i > 0)
			rc = sl_strbuf_puts(end, ",");
		if (rc >= 0)
			rc = sl_json_append_string(end, s->files[i].name, strlen(s->files[i].name));
	}
	if (rc >= 0)
		rc = sl_strbuf_printf(end, "],\"seq\":%" PRId64 "}", seq + 1);
	fsrc_files_clear(s);
	return rc < 0 ? sl_error_set(err, SL_ENOMEM, "out of memory") : SL_OK;
}

/* ---- read ---- */

static int read_file(fsrc *s, const char *name, const sl_batch_ctx *bc, sl_error *err)
{
	fsrc_reader r = {.name = name, .buf = s->buf, .cap = s->buf_cap};
	struct stat sb;
	int rc;

	sl_strbuf_reset(&s->scratch);
	if (sl_strbuf_printf(&s->scratch, "%s/%s", s->dir, name) < 0)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	r.fd = open(s->scratch.buf, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0 || fstat(r.fd, &sb) < 0) {
		rc = sl_error_set(err, SL_EIO, "cannot read %s, a file of batch %" PRId64 ": %s",
		                  s->scratch.buf, bc->batch_id, strerror(errno));
		if (r.fd >= 0)
			close(r.fd);
		return rc;
	}
	s->cur_name = name;
	s->cur_bad = 0;
	rc = s->fmt->decode(s, &r, err);
	close(r.fd);
	if (rc < 0)
		return rc;
	if (s->cur_bad > FSRC_WARN_PER_FILE)
		sl_log(s->st, SL_LOG_WARN, "%s/%s: %" PRId64 " more bad record(s) not shown",
		       s->dir, name, s->cur_bad - FSRC_WARN_PER_FILE);
	sl_metric_add(s->st, "filesRead", 1);
	sl_metric_add(s->st, "bytesRead", r.bytes);
	return remember(s, name, bc->batch_id, &sb, err);
}

static int fsrc_read(void *vctx, const char *start, const char *end, const sl_batch_ctx *bc,
                     sl_emitter *out, sl_error *err)
{
	fsrc *s = vctx;
	json_t *root, *files;
	int rc = offset_files(end, &root, &files, err);

	if (rc < 0)
		return rc;
	if (s->fmt->flush == NULL && s->bb == NULL &&
	    (s->bb = sl_batch_builder_new(s->schema, FSRC_BATCH_ROWS)) == NULL) {
		json_decref(root);
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	}
	s->out = out;
	s->batch_bytes = 0;
	for (size_t i = 0; i < json_array_size(files) && rc >= 0; i++)
		rc = read_file(s, json_string_value(json_array_get(files, i)), bc, err);
	if (rc >= 0)
		rc = s->fmt->flush ? s->fmt->flush(s, err) : fsrc_flush(s, err);
	if (rc < 0) {
		/* Rows of a failed read may be half built: start afresh. */
		sl_batch_builder_free(s->bb);
		s->bb = NULL;
		if (s->fmt->abort != NULL)
			s->fmt->abort(s);
	}
	s->out = NULL;
	s->cur_name = NULL;
	json_decref(root);
	return rc;
}

static int fsrc_source_commit(void *vctx, const char *end, sl_error *err)
{
	fsrc *s = vctx;
	json_t *root, *files;
	int rc;

	if ((rc = offset_files(end, &root, &files, err)) < 0)
		return rc;
	for (size_t i = 0; i < json_array_size(files); i++) {
		const json_t *v = json_array_get(files, i);
		fsrc_rec *r = fsrc_map_find(&s->done, json_string_value(v), json_string_length(v));

		if (r != NULL)
			r->committed = true;
		fsrc_clean(s, json_string_value(v));
	}
	json_decref(root);
	return SL_OK;
}

static const sl_option_spec fsrc_options[] = {
    {.name = "path",
     .type = SL_OPT_STRING,
     .required = 1,
     .doc = "the directory to read; files must arrive complete, by rename"},
    {.name = "glob",
     .type = SL_OPT_STRING,
     .def = "*",
     .doc = "file names to read (fnmatch pattern); names starting with '.' or '_' never "
            "are"},
    {.name = "format",
     .type = SL_OPT_ENUM,
     .def = "text",
     .choices = "text|json|csv|avro",
     .doc = "text: a row per line, value STRING; json: JSON lines; csv: RFC 4180 with "
            "Spark's options; avro: Avro object container files."},
    {.name = "schema",
     .type = SL_OPT_STRING,
     .doc = "the columns in Spark DDL, nested types too (\"id BIGINT, a STRUCT<city: "
            "STRING>, l ARRAY<BIGINT>\"); json and csv need it or infer_schema"},
    {.name = "schema_file",
     .type = SL_OPT_STRING,
     .doc = "a file holding the schema in Spark DDL (as option schema; lines starting "
            "with # are comments)"},
    {.name = "infer_schema",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "json, csv without schema: infer it at create from the files there are "
            "(sampling_ratio, infer_max_records; at most 64 MB)"},
    {.name = "parse_mode",
     .type = SL_OPT_ENUM,
     .def = "permissive",
     .choices = "permissive|dropmalformed|failfast",
     .doc = "a malformed record: kept with nulls, dropped (counted), or the batch fails "
            "naming FILE:LINE (Spark's mode)"},
    {.name = "corrupt_record_column",
     .type = SL_OPT_STRING,
     .def = "_corrupt_record",
     .doc = "the STRING column that gets a malformed record's text (permissive), when the "
            "schema names it or keep_corrupt_record is set"},
    {.name = "keep_corrupt_record",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "permissive: add corrupt_record_column to the schema when it lacks it"},
    {.name = "dead_letter",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "send every bad record to the side output dead_letter (source, line, offset, "
            "error, record), committed with its batch: input = \"STAGE.dead_letter\""},
    {.name = "sampling_ratio",
     .type = SL_OPT_DOUBLE,
     .doc = "inference: the fraction of records read (0 < r <= 1; default 1.0)"},
    {.name = "infer_max_records",
     .type = SL_OPT_INT,
     .doc = "inference: the records read at most (default: all, up to 64 MB)"},
    {.name = "timestamp_format",
     .type = SL_OPT_STRING,
     .doc = "json, csv: TIMESTAMP pattern (Spark's timestampFormat; default ISO 8601)"},
    {.name = "header",
     .type = SL_OPT_BOOL,
     .doc = "csv: the first line of each file names the columns (default false)"},
    {.name = "sep", .type = SL_OPT_STRING, .doc = "csv: field separator (default \",\"; \"\\t\")"},
    {.name = "delimiter", .type = SL_OPT_STRING, .doc = "csv: the same as sep"},
    {.name = "quote",
     .type = SL_OPT_STRING,
     .doc = "csv: quote character (default '\"'; \"\": none)"},
    {.name = "escape",
     .type = SL_OPT_STRING,
     .doc = "csv: escapes a quote inside quotes (default '\\'; \"\" also works)"},
    {.name = "comment",
     .type = SL_OPT_STRING,
     .doc = "csv: lines starting with this character are skipped (default none)"},
    {.name = "null_value",
     .type = SL_OPT_STRING,
     .doc = "csv: the text of a null (default \"\")"},
    {.name = "empty_value",
     .type = SL_OPT_STRING,
     .doc = "csv: the value of a quoted empty field (default \"\")"},
    {.name = "nan_value", .type = SL_OPT_STRING, .doc = "csv: the text of NaN (default NaN)"},
    {.name = "positive_inf",
     .type = SL_OPT_STRING,
     .doc = "csv: the text of +infinity (default Inf)"},
    {.name = "negative_inf",
     .type = SL_OPT_STRING,
     .doc = "csv: the text of -infinity (default -Inf)"},
    {.name = "ignore_leading_white_space",
     .type = SL_OPT_BOOL,
     .doc = "csv: trim spaces before values (default false)"},
    {.name = "ignore_trailing_white_space",
     .type = SL_OPT_BOOL,
     .doc = "csv: trim spaces after values (default false)"},
    {.name = "multi_line",
     .type = SL_OPT_BOOL,
     .doc = "csv: quoted fields may hold line breaks (default true)"},
    {.name = "enforce_schema",
     .type = SL_OPT_BOOL,
     .doc = "csv: header names are not checked against the schema (default true)"},
    {.name = "allow_comments",
     .type = SL_OPT_BOOL,
     .doc = "json: accept /* */ and // comments (default false)"},
    {.name = "allow_single_quotes",
     .type = SL_OPT_BOOL,
     .doc = "json: accept 'single-quoted' strings (default true)"},
    {.name = "allow_unquoted_field_names",
     .type = SL_OPT_BOOL,
     .doc = "json: accept {a: 1} (default false)"},
    {.name = "allow_numeric_leading_zeros",
     .type = SL_OPT_BOOL,
     .doc = "json: accept 007 (default false)"},
    {.name = "allow_non_numeric_numbers",
     .type = SL_OPT_BOOL,
     .doc = "json: accept NaN and Infinity (default true)"},
    {.name = "allow_backslash_escaping_any_character",
     .type = SL_OPT_BOOL,
     .doc = "json: accept \\q as q (default false)"},
    {.name = "allow_unquoted_control_chars",
     .type = SL_OPT_BOOL,
     .doc = "json: accept raw control characters in strings (default false)"},
    {.name = "primitives_as_string",
     .type = SL_OPT_BOOL,
     .doc = "json inference: every primitive as STRING (default false)"},
    {.name = "drop_field_if_all_null",
     .type = SL_OPT_BOOL,
     .doc = "json inference: leave out fields that are always null (default false)"},
    {.name = "avro_schema",
     .type = SL_OPT_STRING,
     .doc = "avro: the reader's columns as an Avro schema (.avsc JSON); default: the "
            "first file's header"},
    {.name = "max_files_per_trigger",
     .type = SL_OPT_INT,
     .def = "0",
     .doc = "most new files read by one micro-batch; 0: all of them"},
    {.name = "latest_first",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "read the newest files first (by modification time)"},
    {.name = "clean_source",
     .type = SL_OPT_ENUM,
     .def = "keep",
     .choices = "keep|archive|delete",
     .doc = "what happens to a file once its batch committed."},
    {.name = "archive_dir",
     .type = SL_OPT_STRING,
     .doc = "where clean_source = \"archive\" moves files (created if missing)"},
    {.name = "include_filename",
     .type = SL_OPT_BOOL,
     .def = "false",
     .doc = "add a column _filename STRING: the name of the row's file"},
    {0}};

static const sl_plugin fsrc_plugin = {
    .size = sizeof(sl_plugin),
    .name = "file",
    .kind = SL_PLUGIN_SOURCE,
    .flags = SL_PLUGIN_REPLAYABLE,
    .summary = "reads the new files of a directory, each once, as Spark's file source",
    .doc = "Each micro-batch lists PATH, leaves out names starting with '.' or '_', "
           "what is not a regular file and files an earlier batch read, and reads the rest "
           "oldest first (by modification time, then name), at most "
           "max_files_per_trigger of them.  Files must arrive complete: write "
           "\".name.tmp\" and rename it.  The batch's file list is its end offset and "
           "the files read are recorded in the checkpoint's state store with the batch, "
           "so every file is read exactly once across restarts.  The source never ends: "
           "with trigger available-now the pipeline stops once no file is new, with an "
           "interval trigger it waits for new files.  Formats json, csv and avro decode by "
           "the schema (or one inferred at create, infer_schema) as Spark's readers do, "
           "nested STRUCT and ARRAY columns included; a bad record is handled by "
           "parse_mode (permissive: nulls and the corrupt-record column, dropmalformed: "
           "dropped, failfast: the batch fails naming FILE:LINE), counted as badRecords, "
           "logged as FILE:LINE (five per file) and, with dead_letter, sent to the side "
           "output dead_letter.  A directory written by sluice's file sink "
           "(it holds _sluice_log/) is read through its manifest: only committed files, "
           "in batch order.",
    .options = fsrc_options,
    .create = fsrc_create,
    .destroy = fsrc_destroy,
    .plan = fsrc_plan,
    .read = fsrc_read,
    .source_commit = fsrc_source_commit,
};

SL_MODULE(file, &fsrc_plugin, &slp_file_sink)
