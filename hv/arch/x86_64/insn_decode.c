/* Decoder of the memory-writing instructions the writable page-table
 * emulation accepts (see insn_decode.h). Only 64-bit mode encodings. */
#include "arch/x86_64/insn_decode.h"

/* What the opcode byte(s) say, before ModRM. */
struct opinfo {
    uint8_t kind;
    bool byte;          /* 8-bit operand */
    bool reg_src;       /* the ModRM reg field is the source register */
    uint8_t imm_bytes;  /* 0, 1, or the operand's (at most 4) */
    bool lock_ok;       /* LOCK is legal with a memory destination */
};

static bool rex_w(uint8_t rex) { return rex & 8; }
static bool rex_r(uint8_t rex) { return rex & 4; }
static bool rex_x(uint8_t rex) { return rex & 2; }
static bool rex_b(uint8_t rex) { return rex & 1; }

/* One-byte opcodes; for the group opcodes (80, 81, 83, C6, C7) the kind
 * comes from the ModRM reg field, resolved by group_kind(). */
static bool one_byte(uint8_t op, struct opinfo *oi)
{
    switch (op) {
    case 0x88: *oi = (struct opinfo){ INSN_MOV, true, true, 0, false }; return true;
    case 0x89: *oi = (struct opinfo){ INSN_MOV, false, true, 0, false }; return true;
    case 0xC6: *oi = (struct opinfo){ INSN_MOV, true, false, 1, false }; return true;
    case 0xC7: *oi = (struct opinfo){ INSN_MOV, false, false, 4, false }; return true;
    case 0x86: *oi = (struct opinfo){ INSN_XCHG, true, true, 0, true }; return true;
    case 0x87: *oi = (struct opinfo){ INSN_XCHG, false, true, 0, true }; return true;
    case 0x08: *oi = (struct opinfo){ INSN_OR, true, true, 0, true }; return true;
    case 0x09: *oi = (struct opinfo){ INSN_OR, false, true, 0, true }; return true;
    case 0x20: *oi = (struct opinfo){ INSN_AND, true, true, 0, true }; return true;
    case 0x21: *oi = (struct opinfo){ INSN_AND, false, true, 0, true }; return true;
    case 0x80: *oi = (struct opinfo){ INSN_OR, true, false, 1, true }; return true;
    case 0x81: *oi = (struct opinfo){ INSN_OR, false, false, 4, true }; return true;
    case 0x83: *oi = (struct opinfo){ INSN_OR, false, false, 1, true }; return true;
    default: return false;
    }
}

static bool two_byte(uint8_t op, struct opinfo *oi)
{
    switch (op) {
    case 0xB0: *oi = (struct opinfo){ INSN_CMPXCHG, true, true, 0, true }; return true;
    case 0xB1: *oi = (struct opinfo){ INSN_CMPXCHG, false, true, 0, true }; return true;
    case 0xAB: *oi = (struct opinfo){ INSN_BTS, false, true, 0, true }; return true;
    case 0xB3: *oi = (struct opinfo){ INSN_BTR, false, true, 0, true }; return true;
    case 0xBA: *oi = (struct opinfo){ INSN_BTS, false, false, 1, true }; return true;
    default: return false;
    }
}

/* The group opcodes' ModRM reg field: which operation, or false. */
static bool group_kind(bool twobyte, uint8_t op, unsigned regf, struct opinfo *oi)
{
    if (twobyte) {
        if (op != 0xBA)
            return true;
        if (regf == 5)
            oi->kind = INSN_BTS;
        else if (regf == 6)
            oi->kind = INSN_BTR;
        else
            return false;
        return true;
    }
    switch (op) {
    case 0xC6: case 0xC7:
        return regf == 0;
    case 0x80: case 0x81: case 0x83:
        if (regf == 1)
            oi->kind = INSN_OR;
        else if (regf == 4)
            oi->kind = INSN_AND;
        else
            return false;
        return true;
    default:
        return true;
    }
}

static uint64_t read_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t sign_extend(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;

    return bytes >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

bool insn_decode(const uint8_t *buf, unsigned avail, struct insn *out)
{
    struct insn in = { .src_reg = INSN_NO_REG, .base = INSN_NO_REG, .index = INSN_NO_REG, .scale = 1 };
    struct opinfo oi;
    bool opsize16 = false, twobyte = false;
    unsigned pos = 0;
    uint8_t op, modrm;

    if (avail > INSN_MAX_LEN)
        avail = INSN_MAX_LEN;
    /* Prefixes: legacy ones in any order and number; a REX counts only
     * right before the opcode. */
    for (;; pos++) {
        if (pos >= avail)
            return false;
        uint8_t b = buf[pos];
        if (b >= 0x40 && b <= 0x4F) {
            in.rex = b;
            continue;
        }
        switch (b) {
        case 0x66: opsize16 = true; break;
        case 0x67: in.addr32 = true; break;
        case 0xF0: in.lock = true; break;
        case 0x26: in.seg = INSN_SEG_ES; break;
        case 0x2E: in.seg = INSN_SEG_CS; break;
        case 0x36: in.seg = INSN_SEG_SS; break;
        case 0x3E: in.seg = INSN_SEG_DS; break;
        case 0x64: in.seg = INSN_SEG_FS; break;
        case 0x65: in.seg = INSN_SEG_GS; break;
        default: goto opcode;             /* (F2/F3 among them: refused below) */
        }
        in.rex = 0;
    }
opcode:
    op = buf[pos++];
    if (op == 0x0F) {
        if (pos >= avail)
            return false;
        op = buf[pos++];
        twobyte = true;
        if (!two_byte(op, &oi))
            return false;
    } else if (!one_byte(op, &oi)) {
        return false;
    }
    if (pos >= avail)
        return false;
    modrm = buf[pos++];
    in.mod = modrm >> 6;
    if (in.mod == 3 || !group_kind(twobyte, op, (modrm >> 3) & 7, &oi))
        return false;
    if (in.lock && !oi.lock_ok)
        return false;
    in.kind = oi.kind;
    in.size = oi.byte ? 1 : rex_w(in.rex) ? 8 : opsize16 ? 2 : 4;
    if (oi.reg_src) {
        unsigned reg = ((modrm >> 3) & 7) | (rex_r(in.rex) ? 8 : 0);
        if (in.size == 1 && !in.rex && reg >= 4) {
            in.src_high8 = true;
            reg -= 4;
        }
        in.src_reg = (uint8_t)reg;
    }
    /* The memory operand. */
    in.rm = (modrm & 7) | (rex_b(in.rex) ? 8 : 0);
    unsigned disp_bytes = in.mod == 1 ? 1 : in.mod == 2 ? 4 : 0;
    if ((modrm & 7) == 4) {
        if (pos >= avail)
            return false;
        uint8_t sib = buf[pos++];
        unsigned index = ((sib >> 3) & 7) | (rex_x(in.rex) ? 8 : 0);
        in.scale = (uint8_t)(1u << (sib >> 6));
        in.index = index == 4 ? INSN_NO_REG : (uint8_t)index;
        if ((sib & 7) == 5 && in.mod == 0)
            disp_bytes = 4;
        else
            in.base = (uint8_t)((sib & 7) | (rex_b(in.rex) ? 8 : 0));
    } else if ((modrm & 7) == 5 && in.mod == 0) {
        in.rip_rel = true;
        disp_bytes = 4;
    } else {
        in.base = in.rm;
    }
    if (avail - pos < disp_bytes)
        return false;
    if (disp_bytes)
        in.disp = (int32_t)sign_extend(read_le(buf + pos, disp_bytes), disp_bytes);
    pos += disp_bytes;
    /* The immediate: imm8 for the byte forms, 83 and 0F BA; imm16 with a
     * 16-bit operand; imm32 sign-extended otherwise. */
    if (oi.imm_bytes) {
        unsigned n = oi.imm_bytes == 1 ? 1 : in.size == 2 ? 2 : 4;
        if (avail - pos < n)
            return false;
        in.imm = sign_extend(read_le(buf + pos, n), n);
        pos += n;
    }
    in.len = (uint8_t)pos;
    *out = in;
    return true;
}

uint64_t insn_effective_address(const struct insn *in, const uint64_t gpr[16], uint64_t rip)
{
    uint64_t ea = (uint64_t)(int64_t)in->disp;

    if (in->rip_rel)
        ea += rip + in->len;
    if (in->base != INSN_NO_REG)
        ea += gpr[in->base];
    if (in->index != INSN_NO_REG)
        ea += gpr[in->index] * in->scale;
    return in->addr32 ? (uint32_t)ea : ea;
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t insn_read_src(const struct insn *in, const uint64_t gpr[16])
{
    if (in->src_reg == INSN_NO_REG)
        return in->imm & size_mask(in->size);
    if (in->src_high8)
        return (gpr[in->src_reg] >> 8) & 0xff;
    return gpr[in->src_reg] & size_mask(in->size);
}

void insn_write_reg(const struct insn *in, uint64_t gpr[16], unsigned reg, bool high8, uint64_t val)
{
    uint64_t m = size_mask(in->size);

    if (high8)
        gpr[reg] = (gpr[reg] & ~0xff00ull) | ((val & 0xff) << 8);
    else if (in->size == 4)
        gpr[reg] = val & m;
    else
        gpr[reg] = (gpr[reg] & ~m) | (val & m);
}

void insn_bit_offset(const struct insn *in, uint64_t bitoff, int64_t *byte_adjust, unsigned *bit)
{
    unsigned bits = 8u * in->size;

    if (in->src_reg == INSN_NO_REG) {
        *byte_adjust = 0;
        *bit = (unsigned)(bitoff & (bits - 1));
        return;
    }
    /* The register is a signed offset of the operand's width. */
    int64_t off = (int64_t)sign_extend(bitoff & size_mask(in->size), in->size);
    int64_t units = off >= 0 ? off / (int64_t)bits : -((-(off + 1)) / (int64_t)bits) - 1;
    *byte_adjust = units * (int64_t)in->size;
    *bit = (unsigned)(off - units * (int64_t)bits);
}
