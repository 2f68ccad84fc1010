/* Decoding and executing the few 64-bit-mode instructions that write one
 * memory operand and that a PV kernel uses on its page-table entries (the
 * writable page-table emulation, pv_ptwr.c): mov, xchg, cmpxchg, or, and,
 * bts, btr. Pure: bytes in, a description out; no CPU or guest access. */
#ifndef HV_ARCH_INSN_DECODE_H
#define HV_ARCH_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#define INSN_MAX_LEN 15

enum insn_kind {
    INSN_MOV,           /* 88, 89, C6 /0, C7 /0 */
    INSN_XCHG,          /* 86, 87 (locked whether or not LOCK is given) */
    INSN_CMPXCHG,       /* 0F B0, 0F B1 */
    INSN_OR,            /* 08, 09, 80 /1, 81 /1, 83 /1 */
    INSN_AND,           /* 20, 21, 80 /4, 81 /4, 83 /4 */
    INSN_BTS,           /* 0F AB, 0F BA /5 */
    INSN_BTR,           /* 0F B3, 0F BA /6 */
};

/* Segment override prefixes (INSN_SEG_NONE without one). */
enum insn_seg { INSN_SEG_NONE, INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

#define INSN_NO_REG 0xff

struct insn {
    uint8_t len;            /* bytes, prefixes included */
    uint8_t kind;           /* enum insn_kind */
    uint8_t size;           /* operand size: 1, 2, 4 or 8 */
    bool lock;              /* a LOCK prefix was given */
    bool addr32;            /* 67 prefix: 32-bit effective address */
    uint8_t seg;            /* enum insn_seg */
    uint8_t rex;            /* the REX byte in effect, 0 without one */
    /* Source: a register, or an immediate (src_reg == INSN_NO_REG). */
    uint8_t src_reg;        /* 0..15 (rax..r15); for size 1 see src_high8 */
    bool src_high8;         /* size 1 without REX, reg 4..7: ah, ch, dh, bh (src_reg 0..3) */
    uint64_t imm;           /* sign-extended to 64 bits from its encoding */
    /* The memory operand: base + index * scale + disp (+ next rip when
     * rip_rel), register numbers 0..15 or INSN_NO_REG. */
    uint8_t mod, rm;        /* ModRM fields (mod is 0..2: register operands are refused) */
    uint8_t base, index, scale;
    bool rip_rel;
    int32_t disp;
};

/* Decode the instruction in buf[0..avail). true for one of the accepted
 * forms with a memory destination, complete within avail (and 15) bytes;
 * false for anything else (another opcode, a register destination, LOCK
 * where the CPU would refuse it, REP prefixes, truncated bytes). */
bool insn_decode(const uint8_t *buf, unsigned avail, struct insn *out);

/* The effective address (before any segment base) given the 16 general
 * registers in the order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15 and
 * the rip of the instruction. */
uint64_t insn_effective_address(const struct insn *in, const uint64_t gpr[16], uint64_t rip);

/* A register source operand: the value of size in->size, zero-extended. */
uint64_t insn_read_src(const struct insn *in, const uint64_t gpr[16]);
/* Write val (in->size bytes) to register reg as the CPU does: 8 and 16 bits
 * merge into the register, 32 bits zero-extend, 64 bits replace. */
void insn_write_reg(const struct insn *in, uint64_t gpr[16], unsigned reg, bool high8, uint64_t val);

/* bts/btr with a register bit offset reach memory outside the operand: the
 * byte offset to add to the effective address and the bit inside the
 * operand. For an immediate offset the byte offset is 0 and the bit is the
 * offset modulo the operand's width. */
void insn_bit_offset(const struct insn *in, uint64_t bitoff, int64_t *byte_adjust, unsigned *bit);

/* Executing the instruction on its memory operand. */
struct insn_result {
    bool write;             /* store new_val to memory */
    uint64_t new_val;       /* in->size bytes */
    bool reg_write;         /* write reg_val to the register below */
    uint8_t reg;            /* xchg: the source register; cmpxchg: rax */
    bool reg_high8;
    uint64_t reg_val;
    uint64_t rflags;
};
/* old: the memory operand (in->size bytes); src: the register or immediate
 * value (or bit offset for bts/btr, already reduced by insn_bit_offset to
 * `bit`); acc: rax for cmpxchg. Arithmetic flags as the CPU sets them
 * (or/and clear CF, OF and AF; bts/btr change only CF). */
void insn_execute(const struct insn *in, uint64_t old, uint64_t src, unsigned bit, uint64_t acc,
                  uint64_t rflags, struct insn_result *res);

#endif
