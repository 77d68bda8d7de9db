/* sl_format.h - data formats: JSON, CSV and Avro decoders, encoders and
 * schema inference, shared by the file source and sink, Kafka and the
 * from_json / to_json / from_csv / from_avro / to_avro functions.
 *
 * Decoding turns bytes into the columns of a declared schema, in one of two
 * ways:
 *
 *   - a stream: sl_decoder_feed() any number of chunks of a file or socket
 *     (a record may span chunks; the decoder keeps the unfinished tail),
 *     then sl_decoder_finish() at the end of the input.  JSON and CSV
 *     streams are one record per line (CSV: quoted fields may hold line
 *     breaks); SL_FORMAT_AVRO streams are back-to-back binary values and
 *     SL_FORMAT_AVRO_FILE streams are Avro object container files;
 *   - one record per call: sl_decoder_decode_record() (a Kafka value, the
 *     argument of from_json).  It always accounts for exactly one record.
 *
 * Rows accumulate inside the decoder until sl_decoder_take() hands them out
 * as a batch.  Nothing is allocated per record once the column buffers have
 * grown to the batch size.
 *
 * Bad records follow Spark's modes (SL_PARSE_*), the same for every format
 * and caller.  Each one is counted and reported to the callback set with
 * sl_decoder_on_bad_record() with its position (record number, line, byte
 * offset) and a one-line error text, in every mode, so that callers can send
 * dead letters on.  Positions count from the start of the stream (see
 * sl_decoder_set_position() to resume in the middle of a file).
 *
 * Options use Spark's option names (sl_format_options_set() accepts them
 * case-insensitively), so a plugin can expose them one to one; the tables
 * sl_format_json_options, sl_format_csv_options and sl_format_avro_options
 * declare them for a plugin's option table (as an SL_OPT_GROUP or copied).
 */
#ifndef SLUICE_SL_FORMAT_H
#define SLUICE_SL_FORMAT_H

#include <sluice/sl_batch.h>
#include <sluice/sl_options.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sl_format_kind {
	SL_FORMAT_JSON = 1,     /* JSON lines (also a top-level array per line) */
	SL_FORMAT_CSV = 2,      /* RFC 4180 with Spark's options */
	SL_FORMAT_AVRO = 3,     /* Avro binary values, no header (from_avro) */
	SL_FORMAT_AVRO_FILE = 4 /* Avro object container files */
} sl_format_kind;

/* "json", "csv", "avro" (binary values), "avro-file"; -1 if unknown. */
int sl_format_kind_from_name(const char *name);
const char *sl_format_kind_name(sl_format_kind kind);

/* What happens to a record that does not parse or does not fit the schema
 * (Spark's `mode` option). */
typedef enum sl_parse_mode {
	/* Keep the row: a record that is not well-formed becomes a row of
	 * nulls; a well-formed record with a value of the wrong type keeps its
	 * other fields and only that value is null.  The record's text goes
	 * into the corrupt-record column when the schema has one. */
	SL_PARSE_PERMISSIVE = 0,
	/* Skip the record (counted in sl_decoder_stats.dropped). */
	SL_PARSE_DROPMALFORMED = 1,
	/* Stop: the call returns SL_EINVAL and the error names the position;
	 * rows decoded before the bad record are kept and can be taken. */
	SL_PARSE_FAILFAST = 2
} sl_parse_mode;

/* "PERMISSIVE", "DROPMALFORMED", "FAILFAST" (any case). */
int sl_parse_mode_from_name(const char *name, sl_parse_mode *out, sl_error *err);
const char *sl_parse_mode_name(sl_parse_mode mode);

/* Format options, named after Spark's.  Strings are borrowed: they must stay
 * valid until the decoder, encoder or inferrer is created (which copies what
 * it needs).  Start from sl_format_options_init(); only members of the
 * format at hand are read. */
typedef struct sl_format_options {
	uint32_t size; /* sizeof(sl_format_options); the struct only grows */

	/* --- reading, every format --- */
	sl_parse_mode mode;                /* "mode": PERMISSIVE */
	const char *corrupt_record_column; /* "columnNameOfCorruptRecord":
	                                      "_corrupt_record" */
	const char *timestamp_format;      /* "timestampFormat": NULL = ISO 8601
	                                       (lenient when reading; writing:
	                                       yyyy-MM-dd'T'HH:mm:ss.SSSXXX) */
	double sampling_ratio;             /* "samplingRatio" (inference): 1.0 */
	int64_t infer_max_records;         /* records inference reads at most
	                                      ("inferSchemaMaxRecords"): 0 = all */

	/* --- JSON --- */
	bool ignore_null_fields;                     /* "ignoreNullFields" (writing): true */
	bool allow_single_quotes;                    /* "allowSingleQuotes": true */
	bool allow_comments;                         /* "allowComments": false */
	bool allow_unquoted_field_names;             /* "allowUnquotedFieldNames": false */
	bool allow_numeric_leading_zeros;            /* "allowNumericLeadingZeros": false */
	bool allow_non_numeric_numbers;              /* "allowNonNumericNumbers": true */
	bool allow_backslash_escaping_any_character; /* false */
	bool allow_unquoted_control_chars;           /* "allowUnquotedControlChars": false */
	bool primitives_as_string;                   /* "primitivesAsString" (inference) */
	bool drop_field_if_all_null;                 /* "dropFieldIfAllNull" (inference) */

	/* --- CSV --- */
	char sep;                         /* "sep" / "delimiter": ',' */
	char quote;                       /* "quote": '"'; '\0' = no quoting */
	char escape;                      /* "escape": '\\' (a doubled quote is always
	                                     an escaped quote too) */
	char comment;                     /* "comment": '\0' = none */
	bool header;                      /* "header": false */
	bool infer_schema;                /* "inferSchema": false (the caller's choice;
	                                     stored so plugins can read it back) */
	bool multi_line;                  /* "multiLine": true here (quoted fields may
	                                     span lines; Spark's default is false) */
	bool ignore_leading_white_space;  /* false when reading */
	bool ignore_trailing_white_space; /* false when reading */
	const char *null_value;           /* "nullValue": "" */
	const char *empty_value;          /* "emptyValue": "" (a quoted empty field) */
	const char *nan_value;            /* "nanValue": "NaN" */
	const char *positive_inf;         /* "positiveInf": "Inf" */
	const char *negative_inf;         /* "negativeInf": "-Inf" */
	bool quote_all;                   /* "quoteAll" (writing): false */
	bool enforce_schema;              /* "enforceSchema": true (header names are
	                                     not checked against the schema) */

	/* --- Avro --- */
	const char *avro_schema;      /* "avroSchema": the .avsc JSON text; NULL:
	                                 derived from the sl_schema (or, for
	                                 container files read, from the header) */
	const char *compression;      /* "compression" (container files written):
	                                 "null" (default) or "deflate" */
	const char *record_name;      /* "recordName": "topLevelRecord" */
	const char *record_namespace; /* "recordNamespace": "" */
} sl_format_options;

void sl_format_options_init(sl_format_options *o);
/* Sets one option by its Spark name (case-insensitive; "delimiter" is
 * "sep") or by its pipeline name, the member's (snake_case: "parse_mode"
 * for "mode", "null_value", "corrupt_record_column", ...).  value is
 * borrowed.  Unknown names: SL_ENOTFOUND with a did-you-mean; bad values:
 * SL_EINVAL naming the option. */
int sl_format_options_set(sl_format_options *o, const char *name, const char *value, sl_error *err);
/* Applies every format option that is set in a plugin's options: those of
 * its spec named as sl_format_options_set knows them (others are ignored).
 * Strings are borrowed from opts.  A bad value is SL_EINVAL with
 * err->option the plugin's option and the message "bad value 'V'". */
int sl_format_options_load(sl_format_options *o, const sl_options *opts, sl_error *err);

/* Format options that own their strings: what a plugin keeps past create
 * (the options in sl_stage_init are borrowed for create only). */
typedef struct sl_format_config {
	sl_format_options o; /* its strings point into `strings` */
	char *strings;       /* owned */
} sl_format_config;
/* sl_format_options_init, sl_format_options_load, then the strings copied. */
int sl_format_config_load(sl_format_config *c, const sl_options *opts, sl_error *err);
/* c := src with its strings copied (src NULL: the defaults); SL_ENOMEM. */
int sl_format_config_copy(sl_format_config *c, const sl_format_options *src);
void sl_format_config_free(sl_format_config *c);

/* {0}-terminated option tables with Spark's names, defaults and one-line
 * docs, for plugins' option tables. */
extern const sl_option_spec sl_format_json_options[];
extern const sl_option_spec sl_format_csv_options[];
extern const sl_option_spec sl_format_avro_options[];

/* ----------------------------------------------------------- decoding */

/* A record that did not decode, as reported to the callback.  Everything
 * is borrowed for the duration of the call. */
typedef struct sl_bad_record {
	int64_t record;      /* 1-based number of the record in the stream */
	int64_t line;        /* 1-based line where the record starts (0 for
	                        binary formats) */
	int64_t offset;      /* byte offset of the record's first byte */
	int64_t err_offset;  /* byte offset of the error */
	int64_t err_line;    /* line of the error (0 for binary formats) */
	int64_t err_column;  /* 1-based byte column of the error on err_line */
	const char *field;   /* the column at fault ("a.b[2]"-free: the top-level
	                        name), or NULL */
	const char *message; /* one line, without the position */
	const char *text;    /* the record's bytes (not NUL-terminated) */
	size_t text_len;
	sl_parse_mode mode; /* what the decoder does with it */
} sl_bad_record;

/* Called for every bad record.  A negative return stops the decoder call
 * with that code (the message in err is then the callback's concern). */
typedef int (*sl_bad_record_fn)(void *user, const sl_bad_record *bad);

/* Writes "line L, column C (byte B): message" (or "record R (byte B): ..."
 * for binary formats) into buf; returns the length it needed. */
size_t sl_bad_record_format(const sl_bad_record *bad, char *buf, size_t size);

typedef struct sl_decoder_stats {
	int64_t records; /* records seen, good and bad */
	int64_t rows;    /* rows produced (a JSON array line gives several) */
	int64_t bad;     /* malformed records, whatever the mode did */
	int64_t dropped; /* bad records skipped (DROPMALFORMED) */
	int64_t bytes;   /* input bytes consumed */
} sl_decoder_stats;

typedef struct sl_decoder sl_decoder;

/* A decoder for kind producing rows of schema (a reference is taken).
 * schema may be NULL for Avro, which then derives it from the Avro schema
 * (opts->avro_schema, or a container file's header: the schema is known
 * after the header was fed).  When the schema has a STRING column named
 * opts->corrupt_record_column it receives, in PERMISSIVE mode, the text of
 * each bad record (and is null otherwise); it is never read from the input.
 * opts may be NULL (defaults). */
int sl_decoder_new(sl_format_kind kind, sl_schema *schema, const sl_format_options *opts,
                   sl_decoder **out, sl_error *err);
void sl_decoder_free(sl_decoder *d);

/* The output schema (borrowed), NULL while an Avro container decoder has
 * not seen its header yet. */
const sl_schema *sl_decoder_schema(const sl_decoder *d);
void sl_decoder_on_bad_record(sl_decoder *d, sl_bad_record_fn fn, void *user);
/* Where the next fed byte is: its stream byte offset and 1-based line (for
 * a source resuming in the middle of a file) and the number of records
 * before it. */
void sl_decoder_set_position(sl_decoder *d, int64_t offset, int64_t line, int64_t record);

/* Decodes the complete records of the next chunk of the stream; an
 * unfinished last record is kept until more bytes (or finish) arrive.
 * Returns SL_OK, or a negative code (FAILFAST: SL_EINVAL naming the
 * position; the decoder then refuses further input). */
int sl_decoder_feed(sl_decoder *d, const void *buf, size_t len, sl_error *err);
/* The stream ended: decodes a last record without a final newline.  A
 * truncated container file or an unfinished quoted field is a bad record. */
int sl_decoder_finish(sl_decoder *d, sl_error *err);
/* Bytes of an unfinished record held since the last feed. */
size_t sl_decoder_pending(const sl_decoder *d);

/* Decodes buf as exactly one record (a JSON document, one CSV row, one
 * Avro value).  Returns SL_OK when it was good, SL_EOF when it was bad but
 * the mode let the decoder go on (PERMISSIVE: a row was added;
 * DROPMALFORMED: none was), or a negative code. */
int sl_decoder_decode_record(sl_decoder *d, const void *buf, size_t len, sl_error *err);
/* Appends a row that is null as a whole (from_json of a null value): in a
 * batch every column is null; in sl_decoder_take_struct the struct is. */
int sl_decoder_append_null(sl_decoder *d);

/* Rows decoded and not taken yet. */
int64_t sl_decoder_rows(const sl_decoder *d);
/* The rows decoded so far as a batch of the output schema (transfer full;
 * zero rows is a valid batch); the decoder starts a new one. */
int sl_decoder_take(sl_decoder *d, sl_batch **out, sl_error *err);
/* The same rows as one STRUCT array of the schema's type (from_json). */
int sl_decoder_take_struct(sl_decoder *d, sl_array **out, sl_error *err);
void sl_decoder_stats_get(const sl_decoder *d, sl_decoder_stats *out);

/* ----------------------------------------------------------- encoding */

typedef struct sl_encoder sl_encoder;

/* An encoder for batches of schema (a reference is taken).  JSON: one
 * object per row and line, fields in schema order, nulls left out unless
 * opts->ignore_null_fields is false, timestamps as
 * 2024-01-02T03:04:05.678Z.  CSV: header line when opts->header, RFC 4180
 * quoting; nested columns are refused.  Avro: the schema is
 * opts->avro_schema or derived from schema (nullable fields become unions
 * with null).  Returns SL_EINVAL when a column cannot be encoded. */
int sl_encoder_new(sl_format_kind kind, sl_schema *schema, const sl_format_options *opts,
                   sl_encoder **out, sl_error *err);
void sl_encoder_free(sl_encoder *e);

/* Appends every row of b (same schema) to out: JSON and CSV end each row
 * with "\n" (CSV writes its header before the first row); Avro binary
 * values are written back to back; an Avro container gets its header first
 * and one block per call. */
int sl_encoder_write(sl_encoder *e, const sl_batch *b, sl_strbuf *out, sl_error *err);
/* Appends one row as one value without a line end (to_json, to_avro, a
 * Kafka value).  For CSV: one line without the header. */
int sl_encoder_write_row(sl_encoder *e, const sl_batch *b, int64_t row, sl_strbuf *out,
                         sl_error *err);
/* Appends row `row` of a STRUCT array (of the encoder's schema type). */
int sl_encoder_write_value(sl_encoder *e, const sl_array *st, int64_t row, sl_strbuf *out,
                           sl_error *err);
/* Ends the stream: an Avro container that had no rows still gets its
 * header; a CSV file with a header and no rows gets the header. */
int sl_encoder_finish(sl_encoder *e, sl_strbuf *out, sl_error *err);

/* ----------------------------------------------------------- inference */

/* Spark's inferSchema over a sample of records.  JSON: union of the fields
 * of all objects, sorted by name, widening BIGINT -> DOUBLE -> STRING,
 * nested structs and arrays, all-null fields STRING (or dropped with
 * dropFieldIfAllNull), a corrupt-record column when some record is bad in
 * PERMISSIVE mode.  CSV: per column BIGINT -> DOUBLE -> TIMESTAMP ->
 * BOOLEAN -> STRING; names from the header (or _c0, _c1, ...). */
typedef struct sl_inferrer sl_inferrer;
int sl_inferrer_new(sl_format_kind kind, const sl_format_options *opts, sl_inferrer **out,
                    sl_error *err);
void sl_inferrer_free(sl_inferrer *inf);
/* Feeds a chunk of the sample (records may span chunks). */
int sl_inferrer_feed(sl_inferrer *inf, const void *buf, size_t len, sl_error *err);
/* Ends the sample and returns the schema (transfer full). */
int sl_inferrer_finish(sl_inferrer *inf, sl_schema **out, sl_error *err);
/* Whether the inferrer read all it wants (infer_max_records). */
bool sl_inferrer_full(const sl_inferrer *inf);

/* The whole sample in one buffer. */
int sl_schema_infer(sl_format_kind kind, const void *buf, size_t len, const sl_format_options *opts,
                    sl_schema **out, sl_error *err);

/* ---------------------------------------------------------------- Avro */

/* An Avro schema (.avsc JSON) as an sl_schema: record -> STRUCT, array ->
 * ARRAY, map -> ARRAY<STRUCT<key: STRING, value: T>>, a union of null and
 * one type -> that type, nullable; other unions -> STRUCT<member0, ...>;
 * int/long -> BIGINT, float/double -> DOUBLE, string/enum -> STRING,
 * bytes/fixed -> BINARY, boolean -> BOOLEAN, timestamp-millis/micros and
 * local-timestamp-* -> TIMESTAMP, date -> TIMESTAMP (midnight UTC).  The
 * top level must be a record.  The text is validated with avro-c too. */
int sl_avro_schema_to_sl(const char *avsc, size_t len, sl_schema **out, sl_error *err);
/* An sl_schema as Avro schema JSON appended to out: nullable fields become
 * ["T", "null"] unions, timestamps long with logicalType timestamp-micros,
 * structs named records (name: the field's name, namespace the parent's
 * full name as Spark does). name/ns: NULL for topLevelRecord / none. */
int sl_schema_to_avro(const sl_schema *schema, const char *name, const char *ns, sl_strbuf *out,
                      sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
