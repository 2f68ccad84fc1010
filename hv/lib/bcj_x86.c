/* The x86 BCJ filter (filter ID 0x04), decode direction.
 *
 * The encoder finds E8 (CALL rel32) and E9 (JMP rel32) opcodes whose
 * 32-bit operand looks like a near displacement (top byte 00 or FF) and
 * replaces the displacement by the absolute target, which compresses
 * better. Decoding subtracts the position again. Which bytes count as
 * opcodes depends on the E8/E9 bytes met in the four bytes before: the
 * filter keeps a small history mask, and an operand whose byte selected by
 * that history also looks like a displacement byte is converted again
 * (the encoder did the same to keep the transform reversible). */
#include "lib/bcj_x86.h"

static inline int looks_near(uint8_t b)
{
    return b == 0x00 || b == 0xFF;
}

void bcj_x86_decode(uint8_t *buf, size_t len, uint32_t start)
{
    /* Bit i of mask: an unconverted E8/E9 sat i + 1 bytes before the last
     * one seen. Masks allowed to convert, and which operand byte the
     * history points at, indexed by mask >> 1 (three bits). */
    static const uint8_t allowed[8] = { 1, 1, 1, 0, 1, 0, 0, 0 };
    static const uint8_t which_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
    uint32_t mask = 0;
    size_t last = 0; /* position of the last E8/E9 + 5, as a distance */
    int seen = 0;

    if (len < 5)
        return;
    for (size_t i = 0; i <= len - 5; i++) {
        size_t gap;

        if (buf[i] != 0xE8 && buf[i] != 0xE9)
            continue;
        gap = seen ? i - last : 5;
        seen = 1;
        last = i;
        if (gap > 5) {
            mask = 0;
        } else {
            for (size_t k = 0; k < gap; k++)
                mask = (mask & 0x77u) << 1;
        }

        if (looks_near(buf[i + 4]) && allowed[(mask >> 1) & 7] && (mask >> 1) < 0x10) {
            uint32_t src = (uint32_t)buf[i + 1] | (uint32_t)buf[i + 2] << 8 |
                           (uint32_t)buf[i + 3] << 16 | (uint32_t)buf[i + 4] << 24;
            uint32_t here = start + (uint32_t)i + 5;
            uint32_t dest;

            /* The history says that the operand byte it points at was
             * not 00/FF when the encoder saw it, which ends this loop by
             * the second turn; the bound only makes that explicit. */
            for (unsigned turn = 0; turn < 4; turn++) {
                unsigned shift;

                dest = src - here;
                if (mask == 0)
                    break;
                shift = which_byte[(mask >> 1) & 7] * 8u;
                if (!looks_near((uint8_t)(dest >> (24 - shift))))
                    break;
                src = dest ^ (uint32_t)((1ull << (32 - shift)) - 1);
            }
            /* Bits 24..31 follow bit 24: a sign-extended displacement. */
            buf[i + 4] = (dest & 0x01000000u) ? 0xFF : 0x00;
            buf[i + 3] = (uint8_t)(dest >> 16);
            buf[i + 2] = (uint8_t)(dest >> 8);
            buf[i + 1] = (uint8_t)dest;
            i += 4;
            mask = 0;
        } else {
            mask |= 1;
            if (looks_near(buf[i + 4]))
                mask |= 0x10;
        }
    }
}
