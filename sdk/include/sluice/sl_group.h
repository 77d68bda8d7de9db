/* sl_group.h - group tables: the GROUP BY machinery stateful plugins share.
 *
 * A group table maps tuples of key values to dense group ids, 0, 1, 2, ...
 * in first-seen order (groups are only ever added).  A batch's key columns
 * are hashed a column at a time into one uint64 per row, then each row
 * probes an open-addressing table (linear probing, each group's hash kept
 * beside it).  Key values are held columnar, per group id; string and
 * binary keys are copied into an arena the table owns.  Doubles are
 * normalised (-0.0 groups with 0.0, every NaN with every other, as Spark).
 *
 * Key encoding for the state store (sl_group_table_encode_key): per key
 * column whose type is not null, one byte 0 (null) or 1 and then the
 * value: int64 and timestamp a zigzag varint, bool one byte, double 8 bytes
 * little-endian, string and binary an unsigned varint length and the bytes.
 *
 * Also here: the hash functions, and a byte writer and reader for the
 * varint encodings state records use.
 */
#ifndef SLUICE_SL_GROUP_H
#define SLUICE_SL_GROUP_H

#include <sluice/sl_array.h>
#include <sluice/sl_common.h>
#include <sluice/sl_type.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- hashing ---- */

#define SL_HASH_SEED 0x243F6A8885A308D3ull
#define SL_HASH_NULL 0x9AE16A3B2F90404Full
#define SL_HASH_K1 0x9E3779B97F4A7C15ull
#define SL_HASH_K2 0xC2B2AE3D27D4EB4Full

static inline uint64_t sl_hash_fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return h;
}

static inline uint64_t sl_hash_combine(uint64_t h, uint64_t x)
{
	h = (h ^ x) * SL_HASH_K1;
	return h ^ (h >> 31);
}

static inline uint64_t sl_hash_bytes(const char *p, size_t n)
{
	uint64_t h = SL_HASH_SEED ^ (n * SL_HASH_K2);

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * SL_HASH_K1;
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * SL_HASH_K2;
		h ^= h >> 32;
	}
	return h;
}

/* -0.0 is 0.0 and every NaN the one NaN. */
static inline double sl_norm_double(double d)
{
	if (d == 0)
		return 0.0;
	if (isnan(d))
		return NAN;
	return d;
}

static inline uint64_t sl_double_bits(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof(u));
	return u;
}

/* ---- how a value is held ---- */

/* int64 (also timestamp), bool (0/1 in an int64), double, string/binary
 * (offset and length into an arena), or nothing (the null type). */
typedef enum sl_value_kind {
	SL_VALUE_I64,
	SL_VALUE_BOOL,
	SL_VALUE_F64,
	SL_VALUE_STR,
	SL_VALUE_NULL
} sl_value_kind;

/* The kind values of a type id are held as, or SL_ETYPE (not supported). */
int sl_value_kind_of(sl_type_id id);

/* Copies n bytes of p to the end of the growable arena (*arena, *len,
 * *cap; realloc'd, owned by the caller); *off receives their place. */
int sl_arena_put(char **arena, size_t *len, size_t *cap, const char *p, size_t n, uint64_t *off);

/* Grows the array *pp (realloc'd, owned by the caller) of elem-byte
 * elements from old_cap to new_cap, filling the new bytes with fill. */
int sl_grow_array(void *pp, size_t elem, size_t old_cap, size_t new_cap, int fill);

/* ---- writing and reading state records ---- */

/* A growable byte buffer (data owned; free with sl_wbuf_free).  Writes
 * never fail: on out of memory they set oom and write nothing more. */
typedef struct sl_wbuf {
	uint8_t *data;
	size_t len, cap;
	bool oom;
} sl_wbuf;

/* Empties the buffer (keeps its memory, clears oom). */
void sl_wbuf_reset(sl_wbuf *w);
void sl_wbuf_free(sl_wbuf *w);
/* Room for n more bytes: false (and oom) when there is none. */
bool sl_wbuf_reserve(sl_wbuf *w, size_t n);
void sl_wbuf_u8(sl_wbuf *w, uint8_t b);
void sl_wbuf_uvarint(sl_wbuf *w, uint64_t v);
void sl_wbuf_i64(sl_wbuf *w, int64_t v);                 /* zigzag varint */
void sl_wbuf_f64(sl_wbuf *w, double d);                  /* 8 bytes little-endian */
void sl_wbuf_bytes(sl_wbuf *w, const void *p, size_t n); /* length, bytes */
/* A value held as kind (i64 for int64 and bool, f64, or s and n). */
void sl_wbuf_value(sl_wbuf *w, sl_value_kind kind, int64_t i64, double f64, const char *s,
                   size_t n);

/* Reads [p, end): reads past the end or bad varints set bad and give 0. */
typedef struct sl_rbuf {
	const uint8_t *p, *end;
	bool bad;
} sl_rbuf;

uint8_t sl_rbuf_u8(sl_rbuf *r);
uint64_t sl_rbuf_uvarint(sl_rbuf *r);
int64_t sl_rbuf_i64(sl_rbuf *r);
double sl_rbuf_f64(sl_rbuf *r);
/* A length and bytes: the bytes are borrowed from the record. */
const char *sl_rbuf_bytes(sl_rbuf *r, uint32_t *n);
/* A value held as kind into slot i of i64, f64 or off/len (the bytes
 * copied into the arena *arena, *alen, *acap, as sl_arena_put). */
int sl_rbuf_value(sl_rbuf *r, sl_value_kind kind, uint32_t i, int64_t *i64, double *f64,
                  uint64_t *off, uint32_t *len, char **arena, size_t *alen, size_t *acap);

/* ---- the group table ---- */

typedef struct sl_group_table sl_group_table;

/* A table for n_keys key columns of the given types (borrowed: they must
 * outlive the table; each of a kind sl_value_kind_of accepts).  NULL when
 * out of memory or a type is not supported.  With no key columns, every
 * row is in the one group 0, made by the first assign or decode. */
sl_group_table *sl_group_table_new(size_t n_keys, const sl_type *const *types);
void sl_group_table_free(sl_group_table *t);

/* Group ids of a batch's rows: keys[j] is key column j (n_rows long,
 * borrowed); gids_out[i] receives row i's group, new groups are added in
 * row order.  Scratch grows with the batch size; nothing per row. */
int sl_group_table_assign(sl_group_table *t, const sl_array *const *keys, int64_t n_rows,
                          uint32_t *gids_out);
/* The same for rows[0..m) of the n_rows-row batch only: gids_out[rows[r]]
 * receives their groups (the other entries are untouched). */
int sl_group_table_assign_rows(sl_group_table *t, const sl_array *const *keys, int64_t n_rows,
                               const int32_t *rows, int64_t m, uint32_t *gids_out);

uint32_t sl_group_table_n_groups(const sl_group_table *t);
size_t sl_group_table_n_keys(const sl_group_table *t);

/* Key column j for the groups gids[0..m): a new array (caller's reference)
 * of column j's type, or NULL when out of memory. */
sl_array *sl_group_table_key_column(const sl_group_table *t, size_t j, const uint32_t *gids,
                                    int64_t m);

/* Appends group g's encoded key (the format above) to w. */
void sl_group_table_encode_key(const sl_group_table *t, uint32_t g, sl_wbuf *w);
/* Reads one encoded key from r: the id of the equal group, added when
 * there is none.  SL_EINVAL (r->bad set) when it does not decode,
 * SL_ENOMEM. */
int64_t sl_group_table_decode_key(sl_group_table *t, sl_rbuf *r);

/* Bytes the table holds. */
size_t sl_group_table_memory_bytes(const sl_group_table *t);

#ifdef __cplusplus
}
#endif

#endif
