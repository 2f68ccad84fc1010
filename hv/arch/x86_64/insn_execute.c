/* Executing a decoded memory-writing instruction (insn_decode.h) on values:
 * the new memory operand, the register written back, the flags. Pure. */
#include "arch/x86_64/insn_decode.h"

#define FL_CF (1ull << 0)
#define FL_PF (1ull << 2)
#define FL_AF (1ull << 4)
#define FL_ZF (1ull << 6)
#define FL_SF (1ull << 7)
#define FL_OF (1ull << 11)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* ZF, SF and PF of a result of size bytes. */
static uint64_t zsp(uint64_t res, unsigned size)
{
    uint64_t f = 0;
    unsigned ones = 0;

    if ((res & mask_of(size)) == 0)
        f |= FL_ZF;
    if ((res >> (8 * size - 1)) & 1)
        f |= FL_SF;
    for (unsigned i = 0; i < 8; i++)
        ones += (res >> i) & 1;
    if (!(ones & 1))
        f |= FL_PF;
    return f;
}

/* The flags of cmp a, b (a - b) at size bytes. */
static uint64_t cmp_flags(uint64_t a, uint64_t b, unsigned size)
{
    uint64_t m = mask_of(size), res = (a - b) & m, sign = 1ull << (8 * size - 1);
    uint64_t f = zsp(res, size);

    a &= m;
    b &= m;
    if (a < b)
        f |= FL_CF;
    if (((a ^ b) & (a ^ res)) & sign)
        f |= FL_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= FL_AF;
    return f;
}

void insn_execute(const struct insn *in, uint64_t old, uint64_t src, unsigned bit, uint64_t acc,
                  uint64_t rflags, struct insn_result *res)
{
    uint64_t m = mask_of(in->size);

    old &= m;
    src &= m;
    *res = (struct insn_result){ .rflags = rflags, .reg = in->src_reg, .reg_high8 = in->src_high8 };
    switch (in->kind) {
    case INSN_MOV:
        res->write = true;
        res->new_val = src;
        break;
    case INSN_XCHG:
        res->write = true;
        res->new_val = src;
        res->reg_write = true;
        res->reg_val = old;
        break;
    case INSN_CMPXCHG:
        res->rflags = (rflags & ~FL_ARITH) | cmp_flags(acc, old, in->size);
        if ((acc & m) == old) {
            res->write = true;
            res->new_val = src;
        } else {
            res->reg_write = true;      /* the accumulator learns the current value */
            res->reg = 0;
            res->reg_high8 = false;
            res->reg_val = old;
        }
        break;
    case INSN_OR:
    case INSN_AND:
        res->write = true;
        res->new_val = in->kind == INSN_OR ? old | src : old & src;
        res->rflags = (rflags & ~FL_ARITH) | zsp(res->new_val, in->size);
        break;
    case INSN_BTS:
    case INSN_BTR:
        res->write = true;
        res->new_val = in->kind == INSN_BTS ? old | (1ull << bit) : old & ~(1ull << bit);
        res->rflags = (rflags & ~FL_CF) | ((old >> bit) & 1 ? FL_CF : 0);
        break;
    }
}
