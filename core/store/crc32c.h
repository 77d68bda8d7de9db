/* crc32c.h - CRC-32C (Castagnoli), the checksum of offsets entries. */
#ifndef SLUICE_CORE_CRC32C_H
#define SLUICE_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc: 0 to start, or a previous result to continue. */
uint32_t slc_crc32c(uint32_t crc, const void *data, size_t len);

#endif
