/* fmt_internal.h - what the format files share (not installed).
 *
 * fmt_options.c   options, Spark names, option tables
 * fmt_col.c       column writers (fmt_col.h)
 * fmt_decoder.c   the decoder's face: codec by format, chunks, positions, batches
 * fmt_record.c    a record's end for every codec: modes, corrupt records
 * fmt_encoder.c   the encoder's face: codec by format
 * fmt_json_dec.c  the schema-directed JSON scanner
 * fmt_json_enc.c  the JSON encoder
 * fmt_json_infer.c  JSON schema inference (jansson)
 * fmt_csv_dec.c, fmt_csv_enc.c, fmt_csv_infer.c   CSV
 * fmt_avro_schema.c  Avro schema <-> sl_schema, decoding plans
 * fmt_avro_dec.c, fmt_avro_enc.c  Avro binary and container files
 * fmt_time.c      timestampFormat patterns (the work is util/tspattern.c)
 * fmt_infer.c     the inferrer's face: chunks, the schema at the end
 * fmt_infer_type.c  inferred types, their merging, the sample
 *
 * Internal symbols are prefixed slf_ (libsluice exports ^sl_ only).  Numbers,
 * timestamps, base64 and UTF-8 as text are util's (sl_text.h, util/util.h);
 * the formats sit above util and data and below expr, whose from_json,
 * to_json, from_csv and from_avro call them.
 */
#ifndef SLUICE_FMT_INTERNAL_H
#define SLUICE_FMT_INTERNAL_H

#include <stdlib.h>

#include <sluice/sl_format.h>

#include "../util/util.h"
#include "fmt_col.h"

/* Nesting accepted in JSON and Avro values before a record is refused. */
#define SLF_MAX_DEPTH 256

/* ------------------------------------------------------------ decoder */

/* How a record ended. */
enum {
	SLF_REC_OK = 0,
	SLF_REC_PARTIAL = 1, /* well-formed, some values did not convert */
	SLF_REC_BROKEN = 2   /* not well-formed: the row is undone */
};

typedef struct slf_codec slf_codec;

struct sl_decoder {
	const slf_codec *codec;
	void *impl;
	sl_format_kind kind;
	sl_format_config opts;
	sl_schema *schema; /* output schema (reference), NULL until known */
	slf_col root;      /* STRUCT of the schema; kids are the columns */
	bool root_ready;
	int corrupt; /* index of the corrupt-record column, or -1 */

	/* stream position of the next unconsumed byte */
	int64_t offset, line, record;
	/* where the data begins: 0, or 3 after a UTF-8 byte-order mark that a
	 * text format skipped at offset 0 */
	int64_t data_start;
	/* the tail of an unfinished record, and the buffer records are
	 * decoded from when a tail exists */
	char *tail;
	size_t tail_len, tail_cap;
	bool failed; /* FAILFAST stopped it */

	/* the record being decoded */
	const char *rec; /* its first byte */
	size_t rec_len;
	int64_t rec_off, rec_line;
	int64_t row0; /* rows before it */
	int status;   /* SLF_REC_* so far */
	/* the first problem of the record */
	size_t err_at; /* byte within the record */
	int err_field; /* top-level column, or -1 */
	char msg[200];

	sl_bad_record_fn on_bad;
	void *on_bad_user;
	sl_decoder_stats stats;
};

struct slf_codec {
	/* Decodes the records at the start of buf[0..len) (a record
	 * boundary); *used: bytes of the complete records consumed
	 * (terminators included).  eof: no more bytes will come, so the last
	 * record ends at len.  Lines consumed are added to d->line by the
	 * codec (through slf_rec_begin / slf_rec_end). */
	int (*decode)(sl_decoder *d, const char *buf, size_t len, bool eof, size_t *used,
	              sl_error *err);
	/* Decodes buf as one record. */
	int (*one)(sl_decoder *d, const char *buf, size_t len, sl_error *err);
	/* Sets up once the schema is known (Avro container: after the header). */
	int (*prepare)(sl_decoder *d, sl_error *err);
	void (*free)(void *impl);
};

extern const slf_codec slf_json_codec;
extern const slf_codec slf_csv_codec;
extern const slf_codec slf_avro_codec;
extern const slf_codec slf_avro_file_codec;

int slf_json_dec_new(sl_decoder *d, sl_error *err);
int slf_csv_dec_new(sl_decoder *d, sl_error *err);
int slf_avro_dec_new(sl_decoder *d, bool container, sl_error *err);

/* Sets the output schema once (Avro), building the column writers. */
int slf_decoder_set_schema(sl_decoder *d, sl_schema *schema, sl_error *err);

/* A record starts at rec (stream offset d->offset + (rec - base)). */
static inline void slf_rec_begin(sl_decoder *d, const char *rec, int64_t off)
{
	d->rec = rec;
	d->rec_len = 0;
	d->rec_off = off;
	d->rec_line = d->line;
	d->row0 = d->root.len;
	d->status = SLF_REC_OK;
	d->err_field = -1;
}

/* Notes a problem at byte `at` of the record: PARTIAL keeps the row,
 * BROKEN undoes it.  Only the first message is kept. */
void slf_rec_error(sl_decoder *d, int status, size_t at, int field, const char *fmt, ...)
    SL_PRINTF(5, 6);

/* The record (len bytes, `lines` line breaks inside and after it) is done:
 * applies the mode, fills the corrupt column, counts.  Returns SL_OK,
 * SL_EOF when the record was bad but decoding goes on, or a negative code
 * (FAILFAST, or the callback's). */
int slf_rec_end(sl_decoder *d, size_t len, int64_t lines, sl_error *err);

/* Columns of the row being built: top-level column i. */
static inline slf_col *slf_dcol(sl_decoder *d, size_t i)
{
	return &d->root.kids[i];
}

/* Completes the top-level row: children not written get a null. */
int slf_row_end(sl_decoder *d);

/* ------------------------------------------------------- text helpers */

/* Timestamp patterns (timestampFormat): a compiled Java-style pattern. */
typedef struct slf_tsfmt slf_tsfmt;
int slf_tsfmt_compile(const char *pattern, slf_tsfmt **out, sl_error *err);
void slf_tsfmt_free(slf_tsfmt *f);
bool slf_tsfmt_parse(const slf_tsfmt *f, const char *p, size_t len, int64_t *out);
size_t slf_tsfmt_format(const slf_tsfmt *f, int64_t us, char *buf, size_t size);

/* A growable byte buffer with unchecked fast appends after a reserve. */
static inline int slf_sb_reserve(sl_strbuf *sb, size_t n)
{
	if (SL_LIKELY(sb->len + n + 1 <= sb->cap))
		return SL_OK;
	return sl_strbuf_reserve(sb, n);
}

#endif
