/* CRC-32 (IEEE): a bytewise table computed at compile time (a constant
 * expression: read-only data, nothing to initialise), and for long inputs
 * eight bytes at a time. */
#include "lib/crc32.h"

#define CRC32_POLY 0xEDB88320u

/* One step of the bitwise algorithm, eight times: the table entry for b. */
#define C1(c) (((c) >> 1) ^ (((c) & 1u) ? CRC32_POLY : 0u))
#define C8(b) C1(C1(C1(C1(C1(C1(C1(C1((uint32_t)(b)))))))))
#define R4(b) C8(b), C8((b) + 1), C8((b) + 2), C8((b) + 3)
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b) R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)

static const uint32_t crc32_table[256] = { R64(0), R64(64), R64(128), R64(192) };

/* Slicing by eight: slice[k][b] is the CRC of byte b followed by k + 1
 * zero bytes, so that eight bytes fold in with eight independent lookups
 * (the kernel's 63 MiB check at boot takes a fifth of the time bytewise).
 * Built from the constant table on first use; the domain builder, its one
 * user at run time, runs on one CPU. */
static uint32_t crc32_slice[7][256];
static int crc32_slice_ready;

static void crc32_slice_init(void)
{
    for (unsigned b = 0; b < 256; b++) {
        uint32_t c = crc32_table[b];
        for (unsigned k = 0; k < 7; k++) {
            c = crc32_table[c & 0xFFu] ^ (c >> 8);
            crc32_slice[k][b] = c;
        }
    }
    crc32_slice_ready = 1;
}

static inline uint32_t rd32le(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;

    crc = ~crc;
    if (n >= 64) {
        if (!crc32_slice_ready)
            crc32_slice_init();
        for (; n >= 8; n -= 8, b += 8) {
            uint32_t lo = crc ^ rd32le(b), hi = rd32le(b + 4);
            crc = crc32_slice[6][lo & 0xFFu] ^ crc32_slice[5][(lo >> 8) & 0xFFu] ^
                  crc32_slice[4][(lo >> 16) & 0xFFu] ^ crc32_slice[3][lo >> 24] ^
                  crc32_slice[2][hi & 0xFFu] ^ crc32_slice[1][(hi >> 8) & 0xFFu] ^
                  crc32_slice[0][(hi >> 16) & 0xFFu] ^ crc32_table[hi >> 24];
        }
    }
    for (; n; n--, b++)
        crc = crc32_table[(crc ^ *b) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}
