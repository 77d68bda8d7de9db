/* fmt_avro.h - Avro schemas as the format code sees them (not installed).
 *
 * An .avsc is parsed (jansson) into a tree of slf_av nodes that both the
 * binary decoder and the encoder walk; avro-c validates the same text so
 * that a schema avro-c refuses is refused here too. */
#ifndef SLUICE_FMT_AVRO_H
#define SLUICE_FMT_AVRO_H

#include "fmt_internal.h"

typedef enum slf_av_kind {
	AV_NULL,
	AV_BOOL,
	AV_INT,
	AV_LONG,
	AV_FLOAT,
	AV_DOUBLE,
	AV_BYTES,
	AV_STRING,
	AV_RECORD,
	AV_ENUM,
	AV_ARRAY,
	AV_MAP,
	AV_UNION,
	AV_FIXED
} slf_av_kind;

/* Logical types that change a value's meaning. */
enum { AVL_NONE, AVL_TS_MILLIS, AVL_TS_MICROS, AVL_DATE };

/* How a union maps to a column. */
enum {
	AVU_NULLABLE, /* null + one type: that type's column, nullable */
	AVU_MERGED,   /* int/long or float/double (with or without null) */
	AVU_STRUCT    /* STRUCT<member0, member1, ...> over the non-null branches */
};

typedef struct slf_av slf_av;
struct slf_av {
	slf_av_kind kind;
	int logical;
	char *name;      /* full name of a named type */
	size_t n;        /* record fields, enum symbols, union branches */
	slf_av **kids;   /* record fields' types, union branches; [0]: items/values */
	char **names;    /* record field names, enum symbols */
	size_t *symlen;  /* enum symbol lengths */
	int64_t size;    /* fixed */
	int null_branch; /* union: index of "null", or -1 */
	int umap;        /* union: AVU_* */
	int *member;     /* union AVU_STRUCT: branch -> member index (-1: null) */
	bool visiting;   /* cycle check */
};

typedef struct slf_avschema {
	slf_av *root;
	slf_av **all; /* every node, for freeing */
	size_t n_all, cap_all;
	char *json; /* the schema text (canonical enough to write) */
} slf_avschema;

/* Parses and validates an .avsc. */
int slf_av_parse(const char *text, size_t len, slf_avschema **out, sl_error *err);
void slf_av_free(slf_avschema *s);
/* The sl type of a node (new reference), nullable flag of a union. */
int slf_av_to_type(slf_av *n, sl_type **out, bool *nullable, sl_error *err);

/* Varint and float encoding. */
static inline size_t slf_av_put_long(int64_t v, uint8_t *w)
{
	uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 0;

	while (z >= 0x80) {
		w[n++] = (uint8_t)(z | 0x80);
		z >>= 7;
	}
	w[n++] = (uint8_t)z;
	return n;
}

/* Decodes a zigzag varint at *p (< end); false when truncated or longer
 * than 10 bytes. */
static inline bool slf_av_get_long(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	int shift = 0;

	for (;;) {
		uint8_t b;

		if (q >= end || shift > 63)
			return false;
		b = *q++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*p = q;
	*out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
	return true;
}

/* The Avro container file's magic. */
#define SLF_AV_MAGIC "Obj\x01"

#endif
