/* sl_type.h - data types and schemas.
 *
 * Types are immutable and reference counted.  The primitive types are static
 * singletons (ref/unref are no-ops on them).  A schema is a struct type: its
 * fields are the columns of a batch.
 */
#ifndef SLUICE_SL_TYPE_H
#define SLUICE_SL_TYPE_H

#include <sluice/sl_common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sl_type_id {
	SL_TYPE_NULL = 0,
	SL_TYPE_BOOL,
	SL_TYPE_INT64,
	SL_TYPE_DOUBLE,
	SL_TYPE_STRING,    /* UTF-8 */
	SL_TYPE_BINARY,
	SL_TYPE_TIMESTAMP, /* int64 microseconds since the epoch, UTC */
	SL_TYPE_STRUCT,
	SL_TYPE_LIST
} sl_type_id;

typedef struct sl_type sl_type;

typedef struct sl_field {
	char *name;    /* owned by the type */
	sl_type *type; /* reference held by the containing type */
	bool nullable;
} sl_field;

struct sl_type {
	sl_type_id id;
	long refcount; /* < 0: static singleton */
	size_t n_fields; /* struct: its fields; list: 1, the element ("element") */
	sl_field *fields;
};

/* A schema is the struct type of a batch's rows. */
typedef sl_type sl_schema;

/* Static singletons for the primitive types (never NULL). */
sl_type *sl_type_prim(sl_type_id id);
#define sl_type_null() sl_type_prim(SL_TYPE_NULL)
#define sl_type_bool() sl_type_prim(SL_TYPE_BOOL)
#define sl_type_int64() sl_type_prim(SL_TYPE_INT64)
#define sl_type_double() sl_type_prim(SL_TYPE_DOUBLE)
#define sl_type_string() sl_type_prim(SL_TYPE_STRING)
#define sl_type_binary() sl_type_prim(SL_TYPE_BINARY)
#define sl_type_timestamp() sl_type_prim(SL_TYPE_TIMESTAMP)

/* A struct type of n fields.  Names are copied; each field's type gets a new
 * reference (the caller keeps its own).  Returns NULL on ENOMEM or when two
 * fields share a name. */
sl_type *sl_type_struct(size_t n, const sl_field *fields);
/* A list of elem (reference added). */
sl_type *sl_type_list(sl_type *elem, bool elem_nullable);

/* A new reference (NULL-safe).  Takes const so that borrowed schemas, such as
 * init->input_schemas, can be kept without a cast. */
sl_type *sl_type_ref(const sl_type *t);
void sl_type_unref(sl_type *t);    /* NULL-safe */

bool sl_type_equal(const sl_type *a, const sl_type *b);
bool sl_type_is_numeric(const sl_type *t); /* int64 or double */
/* "BIGINT", "STRING", ... the DDL name of a type id. */
const char *sl_type_id_name(sl_type_id id);
/* Writes the DDL form ("STRUCT<a: BIGINT, b: ARRAY<STRING>>") into sb. */
int sl_type_format(const sl_type *t, sl_strbuf *sb);

/* Parses a Spark-DDL-like type: STRING, BIGINT (also INT, LONG, INTEGER),
 * DOUBLE (also FLOAT), BOOLEAN, TIMESTAMP, BINARY, STRUCT<name: type, ...>,
 * ARRAY<type>; case-insensitive.  err->pos is the offset of a problem. */
int sl_type_parse(const char *text, sl_type **out, sl_error *err);
/* Parses a schema: "a STRING, b STRUCT<c: BIGINT>" (field list, the form of
 * Spark's DDL schema strings; a "name: type" colon is accepted too). */
int sl_schema_parse(const char *text, sl_schema **out, sl_error *err);

/* Index of the first of fields[0..n) whose name an earlier field already
 * has (compared case-insensitively when ignore_case), or -1: the check every
 * stage that names output columns makes before sl_type_struct. */
int sl_fields_find_duplicate(const sl_field *fields, size_t n, bool ignore_case);

/* Index of the field called name (exact match first, then
 * case-insensitive), or -1. */
int sl_schema_find(const sl_schema *s, const char *name);
/* Same for a name that is not NUL-terminated. */
int sl_schema_findn(const sl_schema *s, const char *name, size_t len);
/* Closest field name for a did-you-mean, or NULL. */
const char *sl_schema_suggest(const sl_schema *s, const char *name);

#ifdef __cplusplus
}
#endif
#endif
