/* data.h - helpers shared by the data layer's sources (not installed).
 *
 * Symbols here use the `sli_` prefix: they are not exported from
 * libsluice.so (the link exports only `^sl_`).
 */
#ifndef SLUICE_SDK_INTERNAL_H
#define SLUICE_SDK_INTERNAL_H

#include <stdio.h>

#include <sluice/sl_builder.h>

/* Copies n bits from src starting at bit src_off to dst starting at bit
 * dst_off.  Bits of dst outside the range are kept. */
void sli_bits_copy(uint8_t *dst, int64_t dst_off, const uint8_t *src, int64_t src_off, int64_t n);
/* Sets bits [off, off + n) of dst to v. */
void sli_bits_fill(uint8_t *dst, int64_t off, int64_t n, bool v);

/* Width in bytes of one value of a fixed-width type (int64, double,
 * timestamp), 0 for the others. */
static inline size_t sli_fixed_width(sl_type_id id)
{
	return (id == SL_TYPE_INT64 || id == SL_TYPE_DOUBLE || id == SL_TYPE_TIMESTAMP) ? 8 : 0;
}

static inline bool sli_has_offsets(sl_type_id id)
{
	return id == SL_TYPE_STRING || id == SL_TYPE_BINARY || id == SL_TYPE_LIST;
}

/* Empty array pieces: an offsets buffer holding the single offset 0. */
sl_buffer *sli_offsets_zero(void);

#endif
