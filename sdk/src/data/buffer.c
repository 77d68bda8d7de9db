/* buffer.c - reference-counted, 64-byte aligned, zero-padded buffers. */
#include <stdlib.h>
#include <string.h>

#include "data.h"

#define ALIGN 64

/* The public struct plus the pointer malloc returned (data is raw rounded up
 * to the next 64-byte boundary). */
struct buffer_impl {
	sl_buffer pub;
	void *raw;
};

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static uint8_t *align_ptr(void *raw)
{
	return (uint8_t *)(((uintptr_t)raw + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
}

sl_buffer *sl_buffer_new(size_t cap)
{
	struct buffer_impl *b;

	if (cap > SIZE_MAX - 2 * ALIGN)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->pub.refcount = 1;
	/* Always some memory, so that data is never NULL: an empty string
	 * column's data pointer plus an offset of 0 stays well defined. */
	{
		cap = round_up(cap > 0 ? cap : 1);
		/* calloc: large blocks come zeroed from the kernel for free */
		b->raw = calloc(1, cap + ALIGN);
		if (b->raw == NULL)
			goto fail;
		b->pub.data = align_ptr(b->raw);
		b->pub.cap = cap;
	}
	return &b->pub;
fail:
	free(b);
	return NULL;
}

sl_buffer *sl_buffer_copy(const void *data, size_t len)
{
	sl_buffer *b = sl_buffer_new(len);

	if (b == NULL)
		return NULL;
	if (len)
		memcpy(b->data, data, len);
	b->len = len;
	return b;
}

sl_buffer *sl_buffer_wrap(uint8_t *data, size_t len, void (*release)(void *owner, uint8_t *data),
                          void *owner)
{
	struct buffer_impl *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->pub.data = data;
	b->pub.len = len;
	b->pub.cap = len;
	b->pub.refcount = 1;
	b->pub.release = release;
	b->pub.owner = owner;
	return &b->pub;
}

int sl_buffer_reserve(sl_buffer *pub, size_t cap)
{
	struct buffer_impl *b = (struct buffer_impl *)pub;
	size_t old_cap = pub->cap, new_cap, old_off, new_off;
	void *raw;

	if (cap <= old_cap)
		return SL_OK;
	if (pub->release != NULL || __atomic_load_n(&pub->refcount, __ATOMIC_ACQUIRE) != 1)
		return SL_ESTATE;
	new_cap = old_cap * 2;
	if (new_cap < cap)
		new_cap = cap;
	if (new_cap > SIZE_MAX - 2 * ALIGN)
		return SL_ENOMEM;
	new_cap = round_up(new_cap);
	old_off = b->raw ? (size_t)(pub->data - (uint8_t *)b->raw) : 0;
	raw = realloc(b->raw, new_cap + ALIGN);
	if (raw == NULL)
		return SL_ENOMEM;
	new_off = (size_t)(align_ptr(raw) - (uint8_t *)raw);
	if (old_cap && new_off != old_off)
		memmove((uint8_t *)raw + new_off, (uint8_t *)raw + old_off, old_cap);
	b->raw = raw;
	pub->data = (uint8_t *)raw + new_off;
	memset(pub->data + old_cap, 0, new_cap - old_cap);
	pub->cap = new_cap;
	return SL_OK;
}

int sl_buffer_append(sl_buffer *b, const void *data, size_t len)
{
	int rc;

	if (len == 0)
		return SL_OK;
	if (len > SIZE_MAX - b->len)
		return SL_ENOMEM;
	rc = sl_buffer_reserve(b, b->len + len);
	if (rc < 0)
		return rc;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return SL_OK;
}

int sl_buffer_resize(sl_buffer *b, size_t len)
{
	int rc;

	if (len > b->cap) {
		rc = sl_buffer_reserve(b, len);
		if (rc < 0)
			return rc;
	}
	if (len < b->len && b->release == NULL)
		memset(b->data + len, 0, b->len - len); /* keep the padding zero */
	b->len = len;
	return SL_OK;
}

sl_buffer *sl_buffer_ref(sl_buffer *b)
{
	if (b != NULL)
		__atomic_add_fetch(&b->refcount, 1, __ATOMIC_RELAXED);
	return b;
}

void sl_buffer_unref(sl_buffer *pub)
{
	struct buffer_impl *b = (struct buffer_impl *)pub;

	if (pub == NULL)
		return;
	if (__atomic_sub_fetch(&pub->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (pub->release != NULL)
		pub->release(pub->owner, pub->data);
	else
		free(b->raw);
	free(b);
}

int64_t sl_bitmap_count(const uint8_t *bits, int64_t n)
{
	int64_t count = 0, i = 0, words = n >> 6;
	uint64_t w;

	if (bits == NULL || n <= 0)
		return 0;
	for (; i < words; i++) {
		memcpy(&w, bits + i * 8, 8);
		count += __builtin_popcountll(w);
	}
	for (i = words << 6; i < n && (i & 7); i++)
		count += sl_bit_get(bits, i);
	for (; i + 8 <= n; i += 8)
		count += __builtin_popcount(bits[i >> 3]);
	for (; i < n; i++)
		count += sl_bit_get(bits, i);
	return count;
}

void sli_bits_fill(uint8_t *dst, int64_t off, int64_t n, bool v)
{
	int64_t i = off, end = off + n;

	for (; i < end && (i & 7); i++)
		sl_bit_put(dst, i, v);
	if (end - i >= 8) {
		int64_t nbytes = (end - i) >> 3;

		memset(dst + (i >> 3), v ? 0xff : 0, (size_t)nbytes);
		i += nbytes << 3;
	}
	for (; i < end; i++)
		sl_bit_put(dst, i, v);
}

void sli_bits_copy(uint8_t *dst, int64_t dst_off, const uint8_t *src, int64_t src_off, int64_t n)
{
	int64_t i = 0;

	/* bit by bit until dst is byte aligned */
	for (; i < n && ((dst_off + i) & 7); i++)
		sl_bit_put(dst, dst_off + i, sl_bit_get(src, src_off + i));
	if (n - i >= 8) {
		int64_t s = src_off + i, nbytes = (n - i) >> 3, k;
		uint8_t *d = dst + ((dst_off + i) >> 3);
		const uint8_t *sp = src + (s >> 3);
		int shift = (int)(s & 7);

		if (shift == 0) {
			memcpy(d, sp, (size_t)nbytes);
		} else {
			/* the last whole byte needs bits of sp[nbytes]: it exists
			 * because at least 8 - shift more bits follow */
			for (k = 0; k < nbytes; k++)
				d[k] = (uint8_t)((sp[k] >> shift) | (sp[k + 1] << (8 - shift)));
		}
		i += nbytes << 3;
	}
	for (; i < n; i++)
		sl_bit_put(dst, dst_off + i, sl_bit_get(src, src_off + i));
}

sl_buffer *sli_offsets_zero(void)
{
	sl_buffer *b = sl_buffer_new(sizeof(int32_t));

	if (b != NULL)
		b->len = sizeof(int32_t);
	return b;
}
