/* fmt_col.h - column writers for the format decoders (not installed).
 *
 * An slf_col mirrors a type (struct and list columns have child writers)
 * and writes the Arrow buffers directly: the hot paths are inline and do
 * one capacity check per value.  Unlike sl_builder a column can be cut back
 * to an earlier row (slf_col_truncate, children included), which is how a
 * decoder undoes a half-written bad record.
 */
#ifndef SLUICE_FMT_COL_H
#define SLUICE_FMT_COL_H

#include <string.h>

#include <sluice/sl_array.h>

typedef struct slf_col slf_col;

struct slf_col {
	sl_type *type; /* reference held */
	sl_type_id id;
	int64_t len;       /* rows written */
	int64_t cap;       /* rows the values and validity buffers hold */
	sl_buffer *valid;  /* NULL while every row is valid */
	sl_buffer *values; /* fixed width, bool bits or int32 offsets */
	sl_buffer *data;   /* string/binary bytes; data->len in use */
	int64_t hint;      /* rows to size for after a finish */
	size_t n_kids;
	slf_col *kids;
};

int slf_col_init(slf_col *c, sl_type *type);
void slf_col_free(slf_col *c);
/* Room for at least rows rows (slow path of the appenders). */
int slf_col_grow(slf_col *c, int64_t rows);
/* Starts a validity bitmap (all of the first len rows valid). */
int slf_col_make_valid(slf_col *c);
/* Cuts the column (and its children) back to rows rows. */
void slf_col_truncate(slf_col *c, int64_t rows);
/* The written rows as an array (transfer full); the column is emptied.
 * NULL on ENOMEM. */
sl_array *slf_col_finish(slf_col *c);
/* Appends a null (struct: null children; list/string: an empty range). */
int slf_col_null(slf_col *c);

static inline int slf_col_room(slf_col *c)
{
	if (SL_UNLIKELY(c->len >= c->cap))
		return slf_col_grow(c, c->len + 1);
	return SL_OK;
}

static inline void slf_col_set_valid(slf_col *c)
{
	if (c->valid != NULL)
		sl_bit_set(c->valid->data, c->len);
}

static inline int slf_col_i64(slf_col *c, int64_t v)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	((int64_t *)c->values->data)[c->len] = v;
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

static inline int slf_col_f64(slf_col *c, double v)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	((double *)c->values->data)[c->len] = v;
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

static inline int slf_col_bool(slf_col *c, bool v)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	sl_bit_put(c->values->data, c->len, v);
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

/* Room for n more string bytes; returns where they go (NULL: ENOMEM or
 * more than 2 GiB in the column).  Commit them with slf_col_str_end. */
static inline char *slf_col_str_begin(slf_col *c, size_t n)
{
	size_t used = c->data->len;

	if (SL_UNLIKELY(n > (size_t)INT32_MAX - used))
		return NULL;
	if (SL_UNLIKELY(used + n > c->data->cap) && sl_buffer_reserve(c->data, used + n) < 0)
		return NULL;
	return (char *)c->data->data + used;
}

/* Ends a string value of n bytes written at slf_col_str_begin. */
static inline int slf_col_str_end(slf_col *c, size_t n)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	c->data->len += n;
	((int32_t *)c->values->data)[c->len + 1] = (int32_t)c->data->len;
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

static inline int slf_col_str(slf_col *c, const char *s, size_t n)
{
	char *w = slf_col_str_begin(c, n);

	if (SL_UNLIKELY(w == NULL))
		return SL_ENOMEM;
	if (n)
		memcpy(w, s, n);
	return slf_col_str_end(c, n);
}

/* A struct row whose children were all appended; a list row whose
 * elements were appended to kids[0]. */
static inline int slf_col_struct_end(slf_col *c)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

static inline int slf_col_list_end(slf_col *c)
{
	int rc = slf_col_room(c);

	if (SL_UNLIKELY(rc < 0))
		return rc;
	if (SL_UNLIKELY(c->kids[0].len > INT32_MAX))
		return SL_EINVAL;
	((int32_t *)c->values->data)[c->len + 1] = (int32_t)c->kids[0].len;
	slf_col_set_valid(c);
	c->len++;
	return SL_OK;
}

#endif
