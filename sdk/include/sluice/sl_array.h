/* sl_array.h - columns in the Arrow memory layout.
 *
 *   type        validity   values                       data     children
 *   null        -          -                            -        -
 *   bool        bitmap?    bitmap, 1 bit per row        -        -
 *   int64       bitmap?    int64_t[length]              -        -
 *   double      bitmap?    double[length]               -        -
 *   timestamp   bitmap?    int64_t[length] (us, UTC)    -        -
 *   string      bitmap?    int32_t offsets[length + 1]  bytes    -
 *   binary      bitmap?    int32_t offsets[length + 1]  bytes    -
 *   struct      bitmap?    -                            -        one per field, each of `length`
 *   list        bitmap?    int32_t offsets[length + 1]  -        one: the elements
 *
 * validity == NULL means no nulls.  A set bit means valid.  Arrays are
 * reference counted and immutable once shared; offset-0 arrays only (a slice
 * is made by copying or by sl_array_take).
 */
#ifndef SLUICE_SL_ARRAY_H
#define SLUICE_SL_ARRAY_H

#include <sluice/sl_buffer.h>
#include <sluice/sl_type.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_array sl_array;

struct sl_array {
	sl_type *type;        /* reference held */
	int64_t length;
	int64_t null_count;   /* exact */
	sl_buffer *validity;  /* NULL: every row valid */
	sl_buffer *values;
	sl_buffer *data;
	size_t n_children;
	sl_array **children;  /* references held */
	long refcount;
};

/* Assembles an array from buffers (each reference is taken over: transfer
 * full, also on failure; the type gets a new reference of its own).  children: array of n_children references, taken
 * over as well; the pointer array itself is copied.  null_count < 0 means
 * "count it from validity".  Returns NULL on ENOMEM. */
sl_array *sl_array_new(sl_type *type, int64_t length, int64_t null_count, sl_buffer *validity,
		       sl_buffer *values, sl_buffer *data, size_t n_children, sl_array **children);
/* An array of length rows, all null. */
sl_array *sl_array_new_nulls(sl_type *type, int64_t length);

sl_array *sl_array_ref(sl_array *a);  /* NULL-safe, returns a */
void sl_array_unref(sl_array *a);     /* NULL-safe */

/* Gathers rows idx[0..n) of a into a new array (idx values < a->length).
 * The workhorse of filter and explode.  Returns NULL on ENOMEM. */
sl_array *sl_array_take(const sl_array *a, const int32_t *idx, int64_t n);
/* Rows [start, start + n) as a new array. */
sl_array *sl_array_slice(const sl_array *a, int64_t start, int64_t n);
/* Concatenates arrays of one type. */
sl_array *sl_array_concat(sl_array *const *arrays, size_t n);
/* Checks every invariant of the layout (lengths, offsets, counts); for
 * tests and for sources that build arrays by hand. */
int sl_array_validate(const sl_array *a, sl_error *err);
/* Approximate bytes held (buffers, children). */
size_t sl_array_nbytes(const sl_array *a);

/* --- fast accessors (no bounds checks) --- */
static inline bool sl_array_valid(const sl_array *a, int64_t i)
{
	return a->validity == NULL || sl_bit_get(a->validity->data, i);
}
static inline bool sl_array_is_null(const sl_array *a, int64_t i)
{
	return !sl_array_valid(a, i);
}
static inline const int64_t *sl_array_i64(const sl_array *a)
{
	return (const int64_t *)a->values->data;
}
static inline const double *sl_array_f64(const sl_array *a)
{
	return (const double *)a->values->data;
}
static inline bool sl_array_bool(const sl_array *a, int64_t i)
{
	return sl_bit_get(a->values->data, i);
}
static inline const int32_t *sl_array_offsets(const sl_array *a)
{
	return (const int32_t *)a->values->data;
}
static inline sl_strview sl_array_str(const sl_array *a, int64_t i)
{
	const int32_t *o = sl_array_offsets(a);
	sl_strview v = {(const char *)a->data->data + o[i], (size_t)(o[i + 1] - o[i])};
	return v;
}

#ifdef __cplusplus
}
#endif
#endif
