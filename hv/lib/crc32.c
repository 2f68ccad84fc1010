/* CRC-32 (IEEE), bytewise with a table computed at compile time.
 *
 * The table is a constant expression so that nothing has to initialise it
 * at boot and it lives in read-only data. */
#include "lib/crc32.h"

#define CRC32_POLY 0xEDB88320u

/* One step of the bitwise algorithm, eight times: the table entry for b. */
#define C1(c) (((c) >> 1) ^ (((c) & 1u) ? CRC32_POLY : 0u))
#define C8(b) C1(C1(C1(C1(C1(C1(C1(C1((uint32_t)(b)))))))))
#define R4(b) C8(b), C8((b) + 1), C8((b) + 2), C8((b) + 3)
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b) R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)

static const uint32_t crc32_table[256] = { R64(0), R64(64), R64(128), R64(192) };

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;

    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc32_table[(crc ^ b[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
