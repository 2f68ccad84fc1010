/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by gzip and
 * by the .xz container's headers and CRC32 check.
 *
 * crc32_update() continues a CRC over more bytes: start with 0, feed the
 * data in any number of pieces; the value returned is the final CRC (the
 * pre- and post-inversion are done inside, so pieces chain directly). */
#ifndef HV_LIB_CRC32_H
#define HV_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
