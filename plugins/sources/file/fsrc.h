/* fsrc.h - the file source's parts (internal to the file module).
 *
 *   source.c    the plugin: options, create, plan, read, source_commit; the
 *               module (this source and the file sink, plugins/sinks/file)
 *   listing.c   what is in the directory, what is new, the manifest of a
 *               sluice output directory, cleaning up after a commit
 *   map.c       a string-keyed hash table (processed files, manifests)
 *   reader.c    a file's lines, rows into batches
 *   fmt_text.c  format "text": one row per line, value STRING
 *   fmt_lib.c   formats "json", "csv", "avro" through the SDK's formats
 *               library (sl_format.h): parse modes, the corrupt-record
 *               column, bad records counted, logged and sent to the
 *               dead_letter side output
 *   infer.c     the schema of json/csv from a sample of the directory's
 *               files (infer_schema), of avro from a container's header
 *
 * The decoder seam: a format (fsrc_format) turns the bytes of one file into
 * rows.  Text appends to the stage's column builders and calls
 * fsrc_row_done after each row; the library formats feed the file through
 * fsrc_fill into an sl_decoder, which keeps the rows until they are taken
 * as a batch (the format's flush, at the end of a read).  Formats are
 * chosen by name.
 */
#ifndef SLUICE_PLUGINS_FSRC_H
#define SLUICE_PLUGINS_FSRC_H

#include <sluice/sluice.h>


/* Rows per emitted batch, and bytes of input after which a batch is emitted
 * early (string columns hold at most 2 GiB). */
#define FSRC_BATCH_ROWS 65536
#define FSRC_BATCH_BYTES ((size_t)64 << 20)
/* Warnings about bad records printed per file; the rest are counted. */
#define FSRC_WARN_PER_FILE 5
/* Where a sluice file sink keeps its manifest. */
#define FSRC_LOG_DIR "_sluice_log"

/* ---- map.c: string -> record, open addressing ---- */

typedef struct fsrc_rec {
	char *name;       /* the key, owned */
	int64_t batch;    /* the batch that read the file (manifest: that wrote it) */
	int64_t size;     /* bytes when read */
	int64_t mtime_us; /* modification time when read */
	bool warned;      /* a "changed after it was read" warning was given */
	bool committed;   /* its batch committed (restored, or source_commit) */
} fsrc_rec;

typedef struct fsrc_map {
	fsrc_rec *slots; /* name == NULL: empty */
	size_t cap, n;   /* cap: a power of two */
} fsrc_map;

fsrc_rec *fsrc_map_find(const fsrc_map *m, const char *name, size_t len);
/* The record of name, created (zeroed) when absent; NULL on ENOMEM. */
fsrc_rec *fsrc_map_put(fsrc_map *m, const char *name, size_t len);
void fsrc_map_free(fsrc_map *m);

/* ---- the stage ---- */

enum { FSRC_KEEP, FSRC_ARCHIVE, FSRC_DELETE };

typedef struct fsrc fsrc;
typedef struct fsrc_reader fsrc_reader;

typedef struct fsrc_format {
	const char *name;
	/* Works out the decoded columns from the options (schema is NULL when
	 * not given) and prepares the format's state in s->fmt_state; may
	 * declare side outputs (create, dry runs too). */
	int (*prepare)(fsrc *s, const sl_stage_init *init, const char *schema,
	               sl_schema **columns, sl_error *err);
	/* Decodes the rows of one file (opened in r). */
	int (*decode)(fsrc *s, fsrc_reader *r, sl_error *err);
	/* Emits the rows the format holds (NULL: the stage's builders hold
	 * them). */
	int (*flush)(fsrc *s, sl_error *err);
	/* A read failed: forgets rows and dead letters held. */
	void (*abort)(fsrc *s);
	void (*release)(fsrc *s);
} fsrc_format;

extern const fsrc_format fsrc_format_text;
extern const fsrc_format fsrc_format_json;
extern const fsrc_format fsrc_format_csv;
extern const fsrc_format fsrc_format_avro;

/* A file found by a listing. */
typedef struct fsrc_file {
	char *name;
	int64_t size, mtime_us;
	int64_t order; /* manifest batch, or -1 */
} fsrc_file;

struct fsrc {
	sl_stage *st;
	sl_schema *schema;  /* the output: the decoded columns [+ _filename] */
	sl_schema *columns; /* the decoded columns */
	const fsrc_format *fmt;
	void *fmt_state;
	/* Options. */
	char *dir;
	char *glob;
	int64_t max_files;
	bool latest_first;
	int clean;
	char *archive_dir;
	bool include_filename;
	/* Files read by committed batches (and by the batch being read), from
	 * the state store's f:<name> records. */
	fsrc_map done;
	bool stateless; /* the host has no state store: `done` lives in memory */
	bool oom;       /* restoring `done` ran out of memory */
	/* A sluice output directory: its manifest entries parsed so far, and
	 * the files they list (name -> batch). */
	fsrc_map entries;
	fsrc_map manifest;
	/* The listing of the last plan. */
	fsrc_file *files;
	size_t n_files, cap_files;
	/* Reading a batch. */
	sl_emitter *out;
	sl_batch_builder *bb;
	size_t batch_bytes;
	const char *cur_name; /* the file being decoded */
	int64_t cur_bad;      /* bad records in it */
	char *buf;            /* the read buffer, kept across files */
	size_t buf_cap;
	sl_strbuf scratch;
};

/* ---- listing.c ---- */

/* Lists the new files of the directory into s->files, in reading order,
 * at most max_files of them; cleans up committed files a crash left
 * behind. */
int fsrc_list(fsrc *s, sl_error *err);
/* Archives or deletes a file after its batch committed (clean_source);
 * failures are logged and counted, never fatal. */
void fsrc_clean(fsrc *s, const char *name);
void fsrc_files_clear(fsrc *s);

/* ---- infer.c ---- */

/* The schema of format kind (JSON or CSV) inferred from the files the
 * directory holds now, oldest first (through the manifest when there is
 * one): at most FSRC_INFER_BYTES bytes, fewer when the inferrer is full
 * (infer_max_records).  SL_EINVAL naming option `schema` when there is no
 * file. */
#define FSRC_INFER_BYTES ((size_t)64 << 20)
int fsrc_infer(fsrc *s, sl_format_kind kind, const sl_format_options *o, sl_schema **out,
               sl_error *err);
/* The schema in the header of the directory's first Avro container file. */
int fsrc_avro_schema(fsrc *s, const sl_format_options *o, sl_schema **out, sl_error *err);

/* ---- reader.c ---- */

struct fsrc_reader {
	int fd;
	const char *name; /* as listed */
	char *buf;
	size_t cap;
	size_t beg, end; /* unread bytes: buf[beg .. end) */
	bool eof;
	int64_t line;  /* the number of the line last returned, from 1 */
	int64_t bytes; /* read so far */
};

/* The next line, without its "\n" or "\r\n"; the last line may lack one.
 * SL_OK, SL_EOF at the end, or a negative error. */
int fsrc_next_line(fsrc *s, fsrc_reader *r, const char **p, size_t *len, sl_error *err);
/* Reads more bytes into r->buf[r->end ..), growing the buffer when it is
 * full; SL_EOF at the end of the file. */
int fsrc_fill(fsrc *s, fsrc_reader *r, sl_error *err);
/* At the start of a text file (JSON, CSV, text): skips a UTF-8 byte-order
 * mark, as Spark does.  Returns the bytes skipped (0 or 3), or an error. */
int fsrc_skip_bom(fsrc *s, fsrc_reader *r, sl_error *err);
/* The UTF-8 byte-order mark, EF BB BF: true when p[0..n) starts with it. */
static inline bool fsrc_has_bom(const char *p, size_t n)
{
	return n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	       (unsigned char)p[2] == 0xBF;
}
/* A row's decoded columns are appended: adds _filename, emits a batch when
 * enough rows are held. */
int fsrc_row_done(fsrc *s, size_t bytes, sl_error *err);
/* Emits the rows held. */
int fsrc_flush(fsrc *s, sl_error *err);
/* A bad record at the reader's current line: counted as badRecords, and a
 * warning "FILE:LINE: message" for the first few of a file. */
void fsrc_bad_record(fsrc *s, const fsrc_reader *r, const char *fmt, ...) SL_PRINTF(3, 4);

#endif
