/* CRC-64 (ECMA-182 polynomial, reflected 0xC96C5795D7870F42), the .xz
 * container's CRC64 check. Chains like crc32_update(): start with 0. */
#ifndef HV_LIB_CRC64_H
#define HV_LIB_CRC64_H

#include <stddef.h>
#include <stdint.h>

uint64_t crc64_update(uint64_t crc, const void *p, size_t n);

#endif
