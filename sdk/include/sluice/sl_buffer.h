/* sl_buffer.h - reference-counted byte buffers.
 *
 * A buffer is writable by its creator while its reference count is one and
 * immutable once it has been shared (handed to an array that was emitted, or
 * referenced a second time).  Memory is 64-byte aligned and zero padded to a
 * multiple of 64 bytes, as the Arrow format recommends.
 */
#ifndef SLUICE_SL_BUFFER_H
#define SLUICE_SL_BUFFER_H

#include <sluice/sl_common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sl_buffer sl_buffer;

struct sl_buffer {
	uint8_t *data; /* 64-byte aligned; never NULL (wrapped: as given) */
	size_t len;    /* bytes in use */
	size_t cap;    /* bytes allocated */
	long refcount; /* use sl_buffer_ref / sl_buffer_unref */
	/* For wrapped foreign memory: called once when the count drops to zero. */
	void (*release)(void *owner, uint8_t *data);
	void *owner;
};

/* A new empty buffer able to hold cap bytes without reallocating. */
sl_buffer *sl_buffer_new(size_t cap);
/* A new buffer holding a copy of len bytes. */
sl_buffer *sl_buffer_copy(const void *data, size_t len);
/* Wraps foreign memory without copying; release(owner, data) frees it. */
sl_buffer *sl_buffer_wrap(uint8_t *data, size_t len, void (*release)(void *owner, uint8_t *data),
			  void *owner);
/* Grows capacity to at least cap (amortised doubling).  Only valid while the
 * caller holds the only reference and the buffer is not wrapped. */
int sl_buffer_reserve(sl_buffer *b, size_t cap);
/* Appends bytes (reserve + copy). */
int sl_buffer_append(sl_buffer *b, const void *data, size_t len);
/* Sets len, growing and zero-filling as needed. */
int sl_buffer_resize(sl_buffer *b, size_t len);

sl_buffer *sl_buffer_ref(sl_buffer *b);  /* NULL-safe, returns b */
void sl_buffer_unref(sl_buffer *b);      /* NULL-safe */

/* Bitmap helpers (Arrow bit order: bit i of byte i/8, least significant
 * first). */
static inline bool sl_bit_get(const uint8_t *bits, int64_t i)
{
	return (bits[i >> 3] >> (i & 7)) & 1;
}
static inline void sl_bit_set(uint8_t *bits, int64_t i)
{
	bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}
static inline void sl_bit_clear(uint8_t *bits, int64_t i)
{
	bits[i >> 3] &= (uint8_t)~(1u << (i & 7));
}
static inline void sl_bit_put(uint8_t *bits, int64_t i, bool v)
{
	if (v)
		sl_bit_set(bits, i);
	else
		sl_bit_clear(bits, i);
}
static inline size_t sl_bitmap_bytes(int64_t nbits)
{
	return (size_t)((nbits + 7) >> 3);
}
/* Number of set bits among the first n. */
int64_t sl_bitmap_count(const uint8_t *bits, int64_t n);

#ifdef __cplusplus
}
#endif
#endif
