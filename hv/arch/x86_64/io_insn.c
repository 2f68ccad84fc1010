/* Decoding and permission rules of a PV guest's port I/O: see io_insn.h. */
#include "arch/x86_64/io_insn.h"

bool io_insn_decode(const uint8_t *b, unsigned n, bool compat, struct io_insn *in)
{
    *in = (struct io_insn){ .addr32 = compat };
    if (n > IO_INSN_MAX)
        n = IO_INSN_MAX;
    for (unsigned i = 0; i < n; i++) {
        switch (b[i]) {
        case 0x66: in->opsize16 = true; continue;
        case 0x67:
            if (compat)
                return false;                   /* 16-bit addressing */
            in->addr32 = true;
            continue;
        case 0xf2: case 0xf3: in->rep = true; continue;
        case 0x26: case 0x2e: case 0x36: case 0x3e: in->seg = 0; continue;   /* base 0 in 64-bit mode */
        case 0x64: in->seg = 4; continue;
        case 0x65: in->seg = 5; continue;
        case 0xf0: return false;                /* lock: #UD on hardware, never our #GP */
        default: break;
        }
        if (!compat && (b[i] & 0xf0) == 0x40)   /* REX: no effect on these */
            continue;
        in->op = b[i];
        in->len = i + 1;
        switch (in->op) {
        case 0xe4: case 0xe5: case 0xe6: case 0xe7:
            if (i + 1 >= n)
                return false;
            in->imm8 = b[i + 1];
            in->len = i + 2;
            return true;
        case 0xec: case 0xed: case 0xee: case 0xef:
        case 0x6c: case 0x6d: case 0x6e: case 0x6f:
        case 0xfa: case 0xfb:
            return true;
        default:
            return false;
        }
    }
    return false;
}

unsigned io_insn_bytes(const struct io_insn *in)
{
    return !(in->op & 1) ? 1 : in->opsize16 ? 2 : 4;
}

bool io_iopl_allows(bool user_mode, bool architectural_iopl, unsigned iopl)
{
    unsigned cpl = user_mode ? 3 : architectural_iopl ? 0 : 1;

    return cpl <= iopl;
}

bool io_bitmap_allows(uint8_t lo, uint8_t hi, unsigned port, unsigned bytes, uint32_t limit)
{
    unsigned bits = ((unsigned)hi << 8) | lo;

    if (bytes == 0 || bytes > 4 || port > 0xffff || (uint64_t)port + bytes > limit)
        return false;
    return (bits & (((1u << bytes) - 1) << (port & 7))) == 0;
}

uint64_t io_merge_rax(uint64_t rax, unsigned bytes, uint32_t val)
{
    if (bytes == 4)
        return val;
    if (bytes == 2)
        return (rax & ~0xffffull) | (val & 0xffff);
    return (rax & ~0xffull) | (val & 0xff);
}
