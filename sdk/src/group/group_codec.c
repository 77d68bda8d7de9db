/* group_codec.c - value kinds, arenas, and the byte writer and reader of
 * state records (sl_group.h). */
#include <stdlib.h>
#include <string.h>

#include "../data/data.h"
#include <sluice/sl_group.h>

int sl_value_kind_of(sl_type_id id)
{
	switch (id) {
	case SL_TYPE_INT64:
	case SL_TYPE_TIMESTAMP:
		return SL_VALUE_I64;
	case SL_TYPE_BOOL:
		return SL_VALUE_BOOL;
	case SL_TYPE_DOUBLE:
		return SL_VALUE_F64;
	case SL_TYPE_STRING:
	case SL_TYPE_BINARY:
		return SL_VALUE_STR;
	case SL_TYPE_NULL:
		return SL_VALUE_NULL;
	default:
		return SL_ETYPE;
	}
}

int sl_arena_put(char **arena, size_t *len, size_t *cap, const char *p, size_t n, uint64_t *off)
{
	if (*len + n > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *na;
		while (nc < *len + n)
			nc *= 2;
		na = realloc(*arena, nc);
		if (na == NULL)
			return SL_ENOMEM;
		*arena = na;
		*cap = nc;
	}
	if (n > 0)
		memcpy(*arena + *len, p, n);
	*off = *len;
	*len += n;
	return SL_OK;
}

int sl_grow_array(void *pp, size_t elem, size_t old_cap, size_t new_cap, int fill)
{
	void **p = pp;
	void *np = realloc(*p, new_cap * elem);

	if (np == NULL)
		return SL_ENOMEM;
	memset((char *)np + old_cap * elem, fill, (new_cap - old_cap) * elem);
	*p = np;
	return SL_OK;
}

/* ---- writing ---- */

void sl_wbuf_reset(sl_wbuf *w)
{
	w->len = 0;
	w->oom = false;
}

void sl_wbuf_free(sl_wbuf *w)
{
	free(w->data);
	w->data = NULL;
	w->len = w->cap = 0;
	w->oom = false;
}

bool sl_wbuf_reserve(sl_wbuf *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 256;
	uint8_t *p;

	if (w->oom)
		return false;
	if (w->len + n <= w->cap)
		return true;
	while (cap < w->len + n)
		cap *= 2;
	p = realloc(w->data, cap);
	if (p == NULL) {
		w->oom = true;
		return false;
	}
	w->data = p;
	w->cap = cap;
	return true;
}

void sl_wbuf_u8(sl_wbuf *w, uint8_t b)
{
	if (sl_wbuf_reserve(w, 1))
		w->data[w->len++] = b;
}

void sl_wbuf_uvarint(sl_wbuf *w, uint64_t v)
{
	while (v >= 0x80) {
		sl_wbuf_u8(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	sl_wbuf_u8(w, (uint8_t)v);
}

void sl_wbuf_i64(sl_wbuf *w, int64_t v)
{
	sl_wbuf_uvarint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void sl_wbuf_f64(sl_wbuf *w, double d)
{
	uint64_t u = sl_double_bits(d);

	for (int i = 0; i < 8; i++)
		sl_wbuf_u8(w, (uint8_t)(u >> (8 * i)));
}

void sl_wbuf_bytes(sl_wbuf *w, const void *p, size_t n)
{
	sl_wbuf_uvarint(w, n);
	if (n > 0 && sl_wbuf_reserve(w, n)) {
		memcpy(w->data + w->len, p, n);
		w->len += n;
	}
}

void sl_wbuf_value(sl_wbuf *w, sl_value_kind kind, int64_t i64, double f64, const char *s, size_t n)
{
	switch (kind) {
	case SL_VALUE_I64:
		sl_wbuf_i64(w, i64);
		break;
	case SL_VALUE_BOOL:
		sl_wbuf_u8(w, i64 != 0);
		break;
	case SL_VALUE_F64:
		sl_wbuf_f64(w, f64);
		break;
	case SL_VALUE_STR:
		sl_wbuf_bytes(w, s, n);
		break;
	case SL_VALUE_NULL:
		break;
	}
}

/* ---- reading ---- */

uint8_t sl_rbuf_u8(sl_rbuf *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

uint64_t sl_rbuf_uvarint(sl_rbuf *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		uint8_t b = sl_rbuf_u8(r);
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

int64_t sl_rbuf_i64(sl_rbuf *r)
{
	uint64_t u = sl_rbuf_uvarint(r);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

double sl_rbuf_f64(sl_rbuf *r)
{
	uint64_t u = 0;
	double x;

	for (int i = 0; i < 8; i++)
		u |= (uint64_t)sl_rbuf_u8(r) << (8 * i);
	memcpy(&x, &u, sizeof(x));
	return x;
}

const char *sl_rbuf_bytes(sl_rbuf *r, uint32_t *n)
{
	uint64_t len = sl_rbuf_uvarint(r);
	const char *p = (const char *)r->p;

	if (r->bad || len > (uint64_t)(r->end - r->p) || len > UINT32_MAX) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	r->p += len;
	*n = (uint32_t)len;
	return p;
}

int sl_rbuf_value(sl_rbuf *r, sl_value_kind kind, uint32_t i, int64_t *i64, double *f64,
                  uint64_t *off, uint32_t *len, char **arena, size_t *alen, size_t *acap)
{
	const char *s;
	uint32_t n;

	switch (kind) {
	case SL_VALUE_I64:
		i64[i] = sl_rbuf_i64(r);
		break;
	case SL_VALUE_BOOL:
		i64[i] = sl_rbuf_u8(r) != 0;
		break;
	case SL_VALUE_F64:
		f64[i] = sl_rbuf_f64(r);
		break;
	case SL_VALUE_STR:
		s = sl_rbuf_bytes(r, &n);
		if (r->bad)
			break;
		if (sl_arena_put(arena, alen, acap, s, n, &off[i]) < 0)
			return SL_ENOMEM;
		len[i] = n;
		break;
	case SL_VALUE_NULL:
		break;
	}
	return SL_OK;
}
