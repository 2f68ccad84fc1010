/* CRC-64 (ECMA), bytewise with a table computed at compile time (read-only
 * data, nothing to initialise at boot). */
#include "lib/crc64.h"

#define CRC64_POLY 0xC96C5795D7870F42ull

#define D1(c) (((c) >> 1) ^ (((c) & 1u) ? CRC64_POLY : 0u))
#define D8(b) D1(D1(D1(D1(D1(D1(D1(D1((uint64_t)(b)))))))))
#define Q4(b) D8(b), D8((b) + 1), D8((b) + 2), D8((b) + 3)
#define Q16(b) Q4(b), Q4((b) + 4), Q4((b) + 8), Q4((b) + 12)
#define Q64(b) Q16(b), Q16((b) + 16), Q16((b) + 32), Q16((b) + 48)

static const uint64_t crc64_table[256] = { Q64(0), Q64(64), Q64(128), Q64(192) };

uint64_t crc64_update(uint64_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;

    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc64_table[(crc ^ b[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
