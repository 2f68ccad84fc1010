/* CRC32 for gzip (RFC 1952, 8): reflected, polynomial 0xedb88320, with
 * the register inverted before and after. A byte-wide table makes it fast
 * enough for a whole kernel; it is built on the stack at each call (256
 * short loops, next to nothing beside megabytes of data) so there is no
 * shared state to initialise. */
#include "lib/gzip.h"

uint32_t gzip_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
    uint32_t table[256];

    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;

        for (unsigned k = 0; k < 8; k++)
            c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}
