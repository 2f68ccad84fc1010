/* libFuzzer harness: the decoder of the instructions the writable
 * page-table emulation accepts, and their execution
 * (hv/arch/x86_64/insn_decode.c, insn_execute.c).
 *
 * Input: up to 15 bytes of guest code (the first byte says how many of
 * the next 15 are offered), then register values (8 bytes each, rax..r15,
 * missing ones 0). Checks: nothing is read past what is offered (the code is
 * a heap copy of exactly that size), an accepted instruction fits and has a
 * memory operand of 1, 2, 4 or 8 bytes, decodes the same from exactly its
 * own bytes, and never from fewer; execution stays inside the operand size
 * and a bit offset inside the operand. */
#include "arch/x86_64/insn_decode.h"
#include "fuzz.h"

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t g[16] = { 0 };
    struct insn in, in2;
    struct insn_result res;
    unsigned avail, bit;
    int64_t adjust;

    if (size < 1)
        return 0;
    avail = data[0] % 17;
    if (avail > size - 1)
        avail = (unsigned)(size - 1);
    uint8_t *code = malloc(avail ? avail : 1);
    memcpy(code, data + 1, avail);
    for (size_t i = 0, at = 1 + INSN_MAX_LEN; i < 16 && at + 8 <= size; i++, at += 8)
        memcpy(&g[i], data + at, 8);

    if (insn_decode(code, avail, &in)) {
        FUZZ_CHECK(in.len >= 2 && in.len <= avail && in.len <= INSN_MAX_LEN);
        FUZZ_CHECK(in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8);
        FUZZ_CHECK(in.mod <= 2 && in.kind <= INSN_BTR && in.seg <= INSN_SEG_GS);
        FUZZ_CHECK(!(in.lock && in.kind == INSN_MOV));
        FUZZ_CHECK(in.src_reg == INSN_NO_REG || in.src_reg < 16);
        FUZZ_CHECK(!in.src_high8 || (in.size == 1 && in.src_reg < 4 && !in.rex));
        FUZZ_CHECK(in.base == INSN_NO_REG || in.base < 16);
        FUZZ_CHECK(in.index == INSN_NO_REG || (in.index < 16 && in.index != 4));
        FUZZ_CHECK(in.scale == 1 || in.scale == 2 || in.scale == 4 || in.scale == 8);
        FUZZ_CHECK(!(in.kind == INSN_BTS || in.kind == INSN_BTR) || in.size >= 2);
        FUZZ_CHECK(insn_decode(code, in.len, &in2) && memcmp(&in, &in2, sizeof(in)) == 0);
        FUZZ_CHECK(!insn_decode(code, in.len - 1u, &in2));

        (void)insn_effective_address(&in, g, g[15]);
        uint64_t src = insn_read_src(&in, g);
        FUZZ_CHECK((src & ~mask_of(in.size)) == 0);
        insn_bit_offset(&in, in.src_reg == INSN_NO_REG ? in.imm : g[in.src_reg], &adjust, &bit);
        FUZZ_CHECK(bit < 8u * in.size && adjust % in.size == 0);
        insn_execute(&in, g[14], src, bit, g[0], g[13], &res);
        FUZZ_CHECK((res.new_val & ~mask_of(in.size)) == 0 && (!res.reg_write || res.reg < 16));
        FUZZ_CHECK(((res.rflags ^ g[13]) & ~0x8d5ull) == 0);    /* only the arithmetic flags change */
        if (res.reg_write)
            insn_write_reg(&in, g, res.reg, res.reg_high8, res.reg_val);
    }
    free(code);
    return 0;
}
