/* The decoder and executor of the instructions the writable page-table
 * emulation accepts (hv/arch/x86_64/insn_decode.c, insn_execute.c).
 * Encodings were produced with GNU as at writing time; the executor is
 * checked against the host CPU running the same instruction. */
#include <stdlib.h>

#include "arch/x86_64/insn_decode.h"
#include "test.h"

struct known {
    const char *text;
    uint8_t bytes[INSN_MAX_LEN];
    unsigned len;
    unsigned kind, size, lock, src_reg, high8;
    uint64_t imm;
    unsigned base, index, scale;
    int32_t disp;
    unsigned rip_rel, seg;
};

static const struct known known[] = {
    { "mov %rax,(%rdi)", { 0x48, 0x89, 0x07 }, 3, INSN_MOV, 8, 0, 0, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %r9,0x10(%rbx)", { 0x4c, 0x89, 0x4b, 0x10 }, 4, INSN_MOV, 8, 0, 9, 0, 0x0ull, 3, INSN_NO_REG, 1, 16, 0, INSN_SEG_NONE },
    { "mov %ecx,-8(%rsi)", { 0x89, 0x4e, 0xf8 }, 3, INSN_MOV, 4, 0, 1, 0, 0x0ull, 6, INSN_NO_REG, 1, -8, 0, INSN_SEG_NONE },
    { "mov %dx,0x1234(%r12)", { 0x66, 0x41, 0x89, 0x94, 0x24, 0x34, 0x12, 0x00, 0x00 }, 9, INSN_MOV, 2, 0, 2, 0, 0x0ull, 12, INSN_NO_REG, 1, 4660, 0, INSN_SEG_NONE },
    { "mov %al,(%rdx)", { 0x88, 0x02 }, 2, INSN_MOV, 1, 0, 0, 0, 0x0ull, 2, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %ah,(%rdx)", { 0x88, 0x22 }, 2, INSN_MOV, 1, 0, 0, 1, 0x0ull, 2, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %bh,7(%rdx)", { 0x88, 0x7a, 0x07 }, 3, INSN_MOV, 1, 0, 3, 1, 0x0ull, 2, INSN_NO_REG, 1, 7, 0, INSN_SEG_NONE },
    { "mov %sil,(%rdx)", { 0x40, 0x88, 0x32 }, 3, INSN_MOV, 1, 0, 6, 0, 0x0ull, 2, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %r11b,(%r13)", { 0x45, 0x88, 0x5d, 0x00 }, 4, INSN_MOV, 1, 0, 11, 0, 0x0ull, 13, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %rax,(%rsp)", { 0x48, 0x89, 0x04, 0x24 }, 4, INSN_MOV, 8, 0, 0, 0, 0x0ull, 4, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %rax,(%rbp)", { 0x48, 0x89, 0x45, 0x00 }, 4, INSN_MOV, 8, 0, 0, 0, 0x0ull, 5, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %rax,(%r13)", { 0x49, 0x89, 0x45, 0x00 }, 4, INSN_MOV, 8, 0, 0, 0, 0x0ull, 13, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %rax,(%r12)", { 0x49, 0x89, 0x04, 0x24 }, 4, INSN_MOV, 8, 0, 0, 0, 0x0ull, 12, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %rdx,(%rdi,%rcx,8)", { 0x48, 0x89, 0x14, 0xcf }, 4, INSN_MOV, 8, 0, 2, 0, 0x0ull, 7, 1, 8, 0, 0, INSN_SEG_NONE },
    { "mov %rdx,0x7fff0000(%r8,%r15,4)", { 0x4b, 0x89, 0x94, 0xb8, 0x00, 0x00, 0xff, 0x7f }, 8, INSN_MOV, 8, 0, 2, 0, 0x0ull, 8, 15, 4, 2147418112, 0, INSN_SEG_NONE },
    { "mov %rdx,-0x80(,%rcx,2)", { 0x48, 0x89, 0x14, 0x4d, 0x80, 0xff, 0xff, 0xff }, 8, INSN_MOV, 8, 0, 2, 0, 0x0ull, INSN_NO_REG, 1, 2, -128, 0, INSN_SEG_NONE },
    { "mov %rdx,0x12345678", { 0x48, 0x89, 0x14, 0x25, 0x78, 0x56, 0x34, 0x12 }, 8, INSN_MOV, 8, 0, 2, 0, 0x0ull, INSN_NO_REG, INSN_NO_REG, 1, 305419896, 0, INSN_SEG_NONE },
    { "mov %rdx,0x100(%rip)", { 0x48, 0x89, 0x15, 0x00, 0x01, 0x00, 0x00 }, 7, INSN_MOV, 8, 0, 2, 0, 0x0ull, INSN_NO_REG, INSN_NO_REG, 1, 256, 1, INSN_SEG_NONE },
    { "mov %rdx,%fs:8(%rax)", { 0x64, 0x48, 0x89, 0x50, 0x08 }, 5, INSN_MOV, 8, 0, 2, 0, 0x0ull, 0, INSN_NO_REG, 1, 8, 0, INSN_SEG_FS },
    { "mov %rdx,%gs:(%rax)", { 0x65, 0x48, 0x89, 0x10 }, 4, INSN_MOV, 8, 0, 2, 0, 0x0ull, 0, INSN_NO_REG, 1, 0, 0, INSN_SEG_GS },
    { "mov %rdx,%ds:(%rax) (as drops the %ds)", { 0x48, 0x89, 0x10 }, 3, INSN_MOV, 8, 0, 2, 0, 0x0ull, 0, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "mov %edx,(%eax)", { 0x67, 0x89, 0x10 }, 3, INSN_MOV, 4, 0, 2, 0, 0x0ull, 0, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "movq $0x12345678,(%rdi)", { 0x48, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 }, 7, INSN_MOV, 8, 0, INSN_NO_REG, 0, 0x12345678ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "movq $-2,(%rdi)", { 0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff }, 7, INSN_MOV, 8, 0, INSN_NO_REG, 0, 0xfffffffffffffffeull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "movl $0x80000001,4(%rdi)", { 0xc7, 0x47, 0x04, 0x01, 0x00, 0x00, 0x80 }, 7, INSN_MOV, 4, 0, INSN_NO_REG, 0, 0xffffffff80000001ull, 7, INSN_NO_REG, 1, 4, 0, INSN_SEG_NONE },
    { "movw $0x8001,6(%rdi)", { 0x66, 0xc7, 0x47, 0x06, 0x01, 0x80 }, 6, INSN_MOV, 2, 0, INSN_NO_REG, 0, 0xffffffffffff8001ull, 7, INSN_NO_REG, 1, 6, 0, INSN_SEG_NONE },
    { "movb $0x80,7(%rdi)", { 0xc6, 0x47, 0x07, 0x80 }, 4, INSN_MOV, 1, 0, INSN_NO_REG, 0, 0xffffffffffffff80ull, 7, INSN_NO_REG, 1, 7, 0, INSN_SEG_NONE },
    { "xchg %rax,(%rdi)", { 0x48, 0x87, 0x07 }, 3, INSN_XCHG, 8, 0, 0, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock xchg %r10,(%rdi)", { 0xf0, 0x4c, 0x87, 0x17 }, 4, INSN_XCHG, 8, 1, 10, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "xchg %ecx,(%rdi)", { 0x87, 0x0f }, 2, INSN_XCHG, 4, 0, 1, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "xchg %ch,(%rdi)", { 0x86, 0x2f }, 2, INSN_XCHG, 1, 0, 1, 1, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock cmpxchg %rsi,(%rdi)", { 0xf0, 0x48, 0x0f, 0xb1, 0x37 }, 5, INSN_CMPXCHG, 8, 1, 6, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "cmpxchg %esi,(%rdi)", { 0x0f, 0xb1, 0x37 }, 3, INSN_CMPXCHG, 4, 0, 6, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock cmpxchg %r8w,2(%rdi)", { 0x66, 0xf0, 0x44, 0x0f, 0xb1, 0x47, 0x02 }, 7, INSN_CMPXCHG, 2, 1, 8, 0, 0x0ull, 7, INSN_NO_REG, 1, 2, 0, INSN_SEG_NONE },
    { "lock cmpxchg %dl,(%rdi)", { 0xf0, 0x0f, 0xb0, 0x17 }, 4, INSN_CMPXCHG, 1, 1, 2, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock andb $0xfd,(%rdi)", { 0xf0, 0x80, 0x27, 0xfd }, 4, INSN_AND, 1, 1, INSN_NO_REG, 0, 0xfffffffffffffffdull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock orb $0x2,(%rdi)", { 0xf0, 0x80, 0x0f, 0x02 }, 4, INSN_OR, 1, 1, INSN_NO_REG, 0, 0x2ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock andq $-3,(%rdi)", { 0xf0, 0x48, 0x83, 0x27, 0xfd }, 5, INSN_AND, 8, 1, INSN_NO_REG, 0, 0xfffffffffffffffdull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock orq $0x100000,(%rdi)", { 0xf0, 0x48, 0x81, 0x0f, 0x00, 0x00, 0x10, 0x00 }, 8, INSN_OR, 8, 1, INSN_NO_REG, 0, 0x100000ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock andl $0x7fffffff,(%rdi)", { 0xf0, 0x81, 0x27, 0xff, 0xff, 0xff, 0x7f }, 7, INSN_AND, 4, 1, INSN_NO_REG, 0, 0x7fffffffull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock orw $0x1234,(%rdi)", { 0x66, 0xf0, 0x81, 0x0f, 0x34, 0x12 }, 6, INSN_OR, 2, 1, INSN_NO_REG, 0, 0x1234ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock and %rax,(%rdi)", { 0xf0, 0x48, 0x21, 0x07 }, 4, INSN_AND, 8, 1, 0, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock or %ecx,(%rdi)", { 0xf0, 0x09, 0x0f }, 3, INSN_OR, 4, 1, 1, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "or %bl,(%rdi)", { 0x08, 0x1f }, 2, INSN_OR, 1, 0, 3, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "and %r9b,(%rdi)", { 0x44, 0x20, 0x0f }, 3, INSN_AND, 1, 0, 9, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock btsq $63,(%rdi)", { 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x3f }, 6, INSN_BTS, 8, 1, INSN_NO_REG, 0, 0x3full, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock btrq $1,(%rdi)", { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x01 }, 6, INSN_BTR, 8, 1, INSN_NO_REG, 0, 0x1ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock btrl $5,4(%rdi)", { 0xf0, 0x0f, 0xba, 0x77, 0x04, 0x05 }, 6, INSN_BTR, 4, 1, INSN_NO_REG, 0, 0x5ull, 7, INSN_NO_REG, 1, 4, 0, INSN_SEG_NONE },
    { "lock bts %rax,(%rdi)", { 0xf0, 0x48, 0x0f, 0xab, 0x07 }, 5, INSN_BTS, 8, 1, 0, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "lock btr %rcx,0x40(%rdi)", { 0xf0, 0x48, 0x0f, 0xb3, 0x4f, 0x40 }, 6, INSN_BTR, 8, 1, 1, 0, 0x0ull, 7, INSN_NO_REG, 1, 64, 0, INSN_SEG_NONE },
    { "btr %dx,(%rdi)", { 0x66, 0x0f, 0xb3, 0x17 }, 4, INSN_BTR, 2, 0, 2, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
    { "bts %r14d,(%rdi)", { 0x44, 0x0f, 0xab, 0x37 }, 4, INSN_BTS, 4, 0, 14, 0, 0x0ull, 7, INSN_NO_REG, 1, 0, 0, INSN_SEG_NONE },
};

static void test_known_encodings(void)
{
    for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        const struct known *k = &known[i];
        struct insn in;
        if (!insn_decode(k->bytes, k->len, &in)) {
            test_fail(__FILE__, __LINE__, "%s: refused", k->text);
            continue;
        }
        if (in.len != k->len || in.kind != k->kind || in.size != k->size || in.lock != k->lock ||
            in.src_reg != k->src_reg || in.src_high8 != k->high8 || (k->src_reg == INSN_NO_REG && in.imm != k->imm) ||
            in.base != k->base || in.index != k->index || (k->index != INSN_NO_REG && in.scale != k->scale) ||
            in.disp != k->disp || in.rip_rel != k->rip_rel || in.seg != k->seg)
            test_fail(__FILE__, __LINE__, "%s: len %u kind %u size %u lock %d src %u/%d imm %#llx base %u index %u*%u disp %d rip %d seg %u",
                      k->text, in.len, in.kind, in.size, in.lock, in.src_reg, in.src_high8,
                      (unsigned long long)in.imm, in.base, in.index, in.scale, in.disp, in.rip_rel, in.seg);
        /* More bytes after it change nothing; fewer are never enough. */
        uint8_t more[INSN_MAX_LEN + 4];
        struct insn in2;
        memset(more, 0x90, sizeof(more));
        memcpy(more, k->bytes, k->len);
        CHECK(insn_decode(more, sizeof(more), &in2) && in2.len == in.len);
        for (unsigned n = 0; n < k->len; n++)
            CHECK(!insn_decode(k->bytes, n, &in2));
    }
}

static void test_refused(void)
{
    static const struct { const char *text; uint8_t b[8]; unsigned n; } bad[] = {
        { "mov %rax,%rdi", { 0x48, 0x89, 0xc7 }, 3 },
        { "lock mov %rax,(%rdi)", { 0xf0, 0x48, 0x89, 0x07 }, 4 },
        { "lock movq $1,(%rdi)", { 0xf0, 0x48, 0xc7, 0x07, 1, 0, 0, 0 }, 8 },
        { "add %rax,(%rdi)", { 0x48, 0x01, 0x07 }, 3 },
        { "xor %al,(%rdi)", { 0x30, 0x07 }, 2 },
        { "addb $1,(%rdi)", { 0x80, 0x07, 0x01 }, 3 },
        { "xorq $1,(%rdi)", { 0x48, 0x83, 0x37, 0x01 }, 4 },
        { "c6 /1", { 0xc6, 0x0f, 0x01 }, 3 },
        { "c7 /2", { 0xc7, 0x17, 1, 0, 0, 0 }, 6 },
        { "bt %rax,(%rdi)", { 0x48, 0x0f, 0xa3, 0x07 }, 4 },
        { "btc %rax,(%rdi)", { 0x48, 0x0f, 0xbb, 0x07 }, 4 },
        { "btq $1,(%rdi)", { 0x48, 0x0f, 0xba, 0x27, 0x01 }, 5 },
        { "btcq $1,(%rdi)", { 0x48, 0x0f, 0xba, 0x3f, 0x01 }, 5 },
        { "cmpxchg8b (%rdi)", { 0x0f, 0xc7, 0x0f }, 3 },
        { "rep mov %rax,(%rdi)", { 0xf3, 0x48, 0x89, 0x07 }, 4 },
        { "repne mov", { 0xf2, 0x48, 0x89, 0x07 }, 4 },
        { "stosq", { 0x48, 0xab }, 2 },
        { "movsq", { 0x48, 0xa5 }, 2 },
        { "mov (%rdi),%rax (a load)", { 0x48, 0x8b, 0x07 }, 3 },
        { "0f alone", { 0x0f }, 1 },
        { "prefixes alone", { 0xf0, 0x66, 0x48 }, 3 },
        { "xchg %rax,%rcx (register form)", { 0x48, 0x87, 0xc1 }, 3 },
        { "lock or %al,%bl", { 0xf0, 0x08, 0xc3 }, 3 },
    };
    struct insn in;

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (insn_decode(bad[i].b, bad[i].n, &in))
            test_fail(__FILE__, __LINE__, "%s: accepted", bad[i].text);
    CHECK(!insn_decode(0, 0, &in));
}

static void test_prefixes(void)
{
    uint8_t b[20];
    struct insn in;

    /* 15 bytes at most: 12 prefixes + mov %rax,(%rdi) is 15, 13 make 16. */
    memset(b, 0x3e, sizeof(b));
    memcpy(b + 12, "\x48\x89\x07", 3);
    CHECK(insn_decode(b, 15, &in) && in.len == 15 && in.size == 8 && in.seg == INSN_SEG_DS);
    memset(b, 0x3e, sizeof(b));
    memcpy(b + 13, "\x48\x89\x07", 3);
    CHECK(!insn_decode(b, 16, &in));
    /* A REX followed by a legacy prefix does not count. */
    CHECK(insn_decode((const uint8_t *)"\x48\x66\x89\x07", 4, &in) && in.size == 2 && in.rex == 0);
    /* REX.W wins over 66. */
    CHECK(insn_decode((const uint8_t *)"\x66\x48\x89\x07", 4, &in) && in.size == 8);
    /* Two REX: the last one counts. */
    CHECK(insn_decode((const uint8_t *)"\x4c\x41\x89\x07", 4, &in) && in.size == 4 && in.src_reg == 0 && in.base == 15);
    /* With any REX, byte registers 4..7 are spl..dil. */
    CHECK(insn_decode((const uint8_t *)"\x40\x88\x27", 3, &in) && in.src_reg == 4 && !in.src_high8);
    CHECK(insn_decode((const uint8_t *)"\x88\x27", 2, &in) && in.src_reg == 0 && in.src_high8);
    /* 67: 32-bit addressing; segment overrides, last wins. */
    CHECK(insn_decode((const uint8_t *)"\x67\x64\x65\x48\x89\x07", 6, &in) && in.addr32 && in.seg == INSN_SEG_GS);
    /* lock and xchg without LOCK are both accepted. */
    CHECK(insn_decode((const uint8_t *)"\xf0\x48\x87\x07", 4, &in) && in.lock && in.kind == INSN_XCHG);
}

static void test_effective_address(void)
{
    uint64_t g[16];
    struct insn in;

    for (unsigned i = 0; i < 16; i++)
        g[i] = 0x1000ull * (i + 1);
    /* mov %rdx,0x7fff0000(%r8,%r15,4) */
    CHECK(insn_decode((const uint8_t *)"\x4b\x89\x94\xb8\x00\x00\xff\x7f", 8, &in));
    CHECK_EQ(insn_effective_address(&in, g, 0), g[8] + 4 * g[15] + 0x7fff0000);
    /* mov %rdx,0x100(%rip): from the next instruction */
    CHECK(insn_decode((const uint8_t *)"\x48\x89\x15\x00\x01\x00\x00", 7, &in));
    CHECK_EQ(insn_effective_address(&in, g, 0xffff800000001000ull), 0xffff800000001000ull + 7 + 0x100);
    /* mov %rdx,-0x80(,%rcx,2) */
    CHECK(insn_decode((const uint8_t *)"\x48\x89\x14\x4d\x80\xff\xff\xff", 8, &in));
    CHECK_EQ(insn_effective_address(&in, g, 0), 2 * g[1] - 0x80);
    /* mov %edx,-4(%eax): wraps at 32 bits */
    g[0] = 0xffffffff00000002ull;
    CHECK(insn_decode((const uint8_t *)"\x67\x89\x50\xfc", 4, &in));
    CHECK_EQ(insn_effective_address(&in, g, 0), 0xfffffffeull);
    /* mov %rax,-8(%rsp) */
    g[4] = 0x8000;
    CHECK(insn_decode((const uint8_t *)"\x48\x89\x44\x24\xf8", 5, &in));
    CHECK_EQ(insn_effective_address(&in, g, 0), 0x8000 - 8);
}

static void test_registers(void)
{
    uint64_t g[16] = { 0 };
    struct insn in;

    g[3] = 0x1122334455667788ull;
    CHECK(insn_decode((const uint8_t *)"\x88\x3f", 2, &in));      /* mov %bh,(%rdi) */
    CHECK_EQ(insn_read_src(&in, g), 0x77);
    insn_write_reg(&in, g, in.src_reg, in.src_high8, 0xaa);
    CHECK_EQ(g[3], 0x112233445566aa88ull);
    CHECK(insn_decode((const uint8_t *)"\x66\x89\x1f", 3, &in));  /* mov %bx,(%rdi) */
    CHECK_EQ(insn_read_src(&in, g), 0xaa88);
    insn_write_reg(&in, g, 3, false, 0x12345);
    CHECK_EQ(g[3], 0x1122334455662345ull);
    CHECK(insn_decode((const uint8_t *)"\x89\x1f", 2, &in));      /* mov %ebx,(%rdi): zero-extends */
    insn_write_reg(&in, g, 3, false, 0xdeadbeefcafeull);
    CHECK_EQ(g[3], 0xbeefcafeull);
    CHECK(insn_decode((const uint8_t *)"\x48\xc7\x07\xfe\xff\xff\xff", 7, &in));
    CHECK_EQ(insn_read_src(&in, g), 0xfffffffffffffffeull);
}

static void test_bit_offsets(void)
{
    struct insn in;
    int64_t adj;
    unsigned bit;

    CHECK(insn_decode((const uint8_t *)"\x48\x0f\xab\x07", 4, &in));   /* bts %rax,(%rdi) */
    insn_bit_offset(&in, 63, &adj, &bit);
    CHECK(adj == 0 && bit == 63);
    insn_bit_offset(&in, 64, &adj, &bit);
    CHECK(adj == 8 && bit == 0);
    insn_bit_offset(&in, (uint64_t)-1, &adj, &bit);
    CHECK(adj == -8 && bit == 63);
    insn_bit_offset(&in, (uint64_t)-65, &adj, &bit);
    CHECK(adj == -16 && bit == 63);
    insn_bit_offset(&in, 0x8000000000000000ull, &adj, &bit);
    CHECK(adj == (int64_t)0xf000000000000000ull && bit == 0);
    CHECK(insn_decode((const uint8_t *)"\x66\x0f\xab\x07", 4, &in));   /* bts %ax,(%rdi) */
    insn_bit_offset(&in, 0xffff0000ffffull, &adj, &bit);                 /* ax = -1 */
    CHECK(adj == -2 && bit == 15);
    insn_bit_offset(&in, 17, &adj, &bit);
    CHECK(adj == 2 && bit == 1);
    CHECK(insn_decode((const uint8_t *)"\x0f\xba\x2f\x45", 4, &in));   /* btsl $0x45,(%rdi) */
    insn_bit_offset(&in, in.imm, &adj, &bit);
    CHECK(adj == 0 && bit == 5);
}

/* ---- the executor against the host CPU ---- */

#define FLAGS_MASK 0x8d5ull   /* CF PF AF ZF SF OF */

static uint64_t rnd64(void)
{
    uint64_t v = 0;

    for (int i = 0; i < 4; i++)
        v = (v << 16) ^ (uint64_t)(rand() & 0xffff);
    /* Edge values now and then. */
    switch (rand() % 8) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return 1ull << (rand() % 64);
    default: return v;
    }
}

/* Run the instruction on the host: mem, rax, the source register (rcx)
 * before and after, and the flags after (starting from flags_in). */
#define HOST_RUN(insn, mem, acc, src, fl)                                     \
    __asm__ volatile("sub $128, %%rsp; push %[f]; popfq; " insn "; pushfq; pop %[f]; add $128, %%rsp" \
                     : "+a"(acc), "+c"(src), [f] "+r"(fl) : [p] "r"(&(mem)) : "cc", "memory")

static void check_one(const char *what, const uint8_t *code, unsigned len, uint64_t mem_before,
                      uint64_t mem_after, uint64_t rax_before, uint64_t rax_after, uint64_t rcx_before,
                      uint64_t rcx_after, uint64_t fl_before, uint64_t fl_after, bool bt)
{
    struct insn in;
    struct insn_result res;
    uint64_t g[16] = { 0 }, m, mem;
    unsigned bit = 0;
    int64_t adj = 0;

    if (!insn_decode(code, len, &in)) {
        test_fail(__FILE__, __LINE__, "%s: refused", what);
        return;
    }
    m = in.size == 8 ? ~0ull : (1ull << (8 * in.size)) - 1;
    g[0] = rax_before;
    g[1] = rcx_before;
    if (bt) {
        insn_bit_offset(&in, in.src_reg == INSN_NO_REG ? in.imm : g[1], &adj, &bit);
        if (adj != 0)
            return;         /* (the host touched other memory: only in-operand offsets are run) */
    }
    insn_execute(&in, mem_before & m, insn_read_src(&in, g), bit, g[0], fl_before, &res);
    mem = res.write ? (mem_before & ~m) | (res.new_val & m) : mem_before;
    if (res.reg_write)
        insn_write_reg(&in, g, res.reg, res.reg_high8, res.reg_val);
    if (mem != mem_after || g[0] != rax_after || g[1] != rcx_after ||
        ((res.rflags ^ fl_after) & (bt ? 1 : (in.kind == INSN_OR || in.kind == INSN_AND) ? FLAGS_MASK & ~0x10ull : FLAGS_MASK)))
        test_fail(__FILE__, __LINE__, "%s: mem %#llx rax %#llx rcx %#llx flags %#llx -> emulated mem %#llx rax %#llx rcx %#llx flags %#llx, cpu mem %#llx rax %#llx rcx %#llx flags %#llx",
                  what, (unsigned long long)mem_before, (unsigned long long)rax_before,
                  (unsigned long long)rcx_before, (unsigned long long)fl_before,
                  (unsigned long long)mem, (unsigned long long)g[0], (unsigned long long)g[1],
                  (unsigned long long)res.rflags, (unsigned long long)mem_after,
                  (unsigned long long)rax_after, (unsigned long long)rcx_after, (unsigned long long)fl_after);
}

#define RUN_CASE(asmtext, bytes, bt)                                          \
    do {                                                                      \
        uint64_t mb = rnd64(), ma = mb, ab = rnd64(), aa = ab, cb = rnd64(), ca = cb; \
        uint64_t fb = 0x202 | (rnd64() & FLAGS_MASK), fa = fb;                \
        if (rand() & 1)                                                       \
            ab = aa = mb;       /* cmpxchg: equal as often as not */          \
        HOST_RUN(asmtext, ma, aa, ca, fa);                                    \
        check_one(asmtext, (const uint8_t *)bytes, sizeof(bytes) - 1, mb, ma, ab, aa, cb, ca, fb, fa, bt); \
    } while (0)

static void test_execute_against_cpu(void)
{
    for (int i = 0; i < 3000; i++) {
        RUN_CASE("movq %%rcx, (%[p])", "\x48\x89\x0f", false);
        RUN_CASE("movl %%ecx, (%[p])", "\x89\x0f", false);
        RUN_CASE("movw %%cx, (%[p])", "\x66\x89\x0f", false);
        RUN_CASE("movb %%ch, (%[p])", "\x88\x2f", false);
        RUN_CASE("movq $-5, (%[p])", "\x48\xc7\x07\xfb\xff\xff\xff", false);
        RUN_CASE("xchgq %%rcx, (%[p])", "\x48\x87\x0f", false);
        RUN_CASE("xchgl %%ecx, (%[p])", "\x87\x0f", false);
        RUN_CASE("xchgb %%cl, (%[p])", "\x86\x0f", false);
        RUN_CASE("xchgb %%ah, (%[p])", "\x86\x27", false);
        RUN_CASE("lock cmpxchgq %%rcx, (%[p])", "\xf0\x48\x0f\xb1\x0f", false);
        RUN_CASE("lock cmpxchgl %%ecx, (%[p])", "\xf0\x0f\xb1\x0f", false);
        RUN_CASE("lock cmpxchgw %%cx, (%[p])", "\xf0\x66\x0f\xb1\x0f", false);
        RUN_CASE("lock cmpxchgb %%cl, (%[p])", "\xf0\x0f\xb0\x0f", false);
        RUN_CASE("lock andb $0xfd, (%[p])", "\xf0\x80\x27\xfd", false);
        RUN_CASE("lock orb $0x80, (%[p])", "\xf0\x80\x0f\x80", false);
        RUN_CASE("lock andq $-3, (%[p])", "\xf0\x48\x83\x27\xfd", false);
        RUN_CASE("lock orq $0x12345678, (%[p])", "\xf0\x48\x81\x0f\x78\x56\x34\x12", false);
        RUN_CASE("lock andl $0x80000000, (%[p])", "\xf0\x81\x27\x00\x00\x00\x80", false);
        RUN_CASE("lock orw $0x8001, (%[p])", "\xf0\x66\x81\x0f\x01\x80", false);
        RUN_CASE("lock andq %%rcx, (%[p])", "\xf0\x48\x21\x0f", false);
        RUN_CASE("lock orl %%ecx, (%[p])", "\xf0\x09\x0f", false);
        RUN_CASE("orb %%cl, (%[p])", "\x08\x0f", false);
        RUN_CASE("andb %%ah, (%[p])", "\x20\x27", false);
        RUN_CASE("lock btsq $63, (%[p])", "\xf0\x48\x0f\xba\x2f\x3f", true);
        RUN_CASE("lock btrq $1, (%[p])", "\xf0\x48\x0f\xba\x37\x01", true);
        RUN_CASE("lock btrl $37, (%[p])", "\xf0\x0f\xba\x37\x25", true);
        RUN_CASE("lock btsw $17, (%[p])", "\xf0\x66\x0f\xba\x2f\x11", true);
    }
}

/* Register bit offsets on the host, kept inside the operand. */
static void test_bt_register_against_cpu(void)
{
    for (int i = 0; i < 3000; i++) {
        uint64_t mb = rnd64(), ma = mb, ab = 0, aa = 0, cb = (uint64_t)(rand() % 64), ca = cb;
        uint64_t fb = 0x202 | (rnd64() & FLAGS_MASK), fa = fb;
        HOST_RUN("lock btsq %%rcx, (%[p])", ma, aa, ca, fa);
        check_one("lock bts %rcx", (const uint8_t *)"\xf0\x48\x0f\xab\x0f", 5, mb, ma, ab, aa, cb, ca, fb, fa, true);
        ma = mb; fa = fb; ca = cb;
        HOST_RUN("lock btrq %%rcx, (%[p])", ma, aa, ca, fa);
        check_one("lock btr %rcx", (const uint8_t *)"\xf0\x48\x0f\xb3\x0f", 5, mb, ma, ab, aa, cb, ca, fb, fa, true);
    }
}

/* Random bytes: never a read past avail, and whatever is accepted decodes
 * the same again, within 15 bytes, with a memory operand. */
static void test_random_bytes(void)
{
    static const uint8_t useful[] = { 0xf0, 0x66, 0x67, 0x48, 0x4c, 0x41, 0x40, 0x64, 0x65, 0x0f, 0x89,
                                      0x88, 0x87, 0x86, 0xb1, 0xb0, 0xab, 0xb3, 0xba, 0x80, 0x81, 0x83,
                                      0xc6, 0xc7, 0x08, 0x09, 0x20, 0x21, 0x04, 0x24, 0x05, 0x25 };
    unsigned accepted = 0;

    for (int i = 0; i < 200000; i++) {
        unsigned n = (unsigned)(rand() % 18);
        uint8_t *b = malloc(n ? n : 1);      /* exact size: ASan sees any overread */
        struct insn in, in2;
        for (unsigned j = 0; j < n; j++)
            b[j] = (rand() & 1) ? useful[rand() % sizeof(useful)] : (uint8_t)rand();
        if (insn_decode(b, n, &in)) {
            accepted++;
            if (!(in.len <= n && in.len <= INSN_MAX_LEN && in.mod != 3 && (in.size == 1 || in.size == 2 ||
                  in.size == 4 || in.size == 8) && insn_decode(b, in.len, &in2) && in2.len == in.len &&
                  in2.kind == in.kind))
                test_fail(__FILE__, __LINE__, "random input %d: inconsistent decode", i);
            if (in.lock && in.kind == INSN_MOV)
                test_fail(__FILE__, __LINE__, "random input %d: lock mov accepted", i);
        }
        free(b);
    }
    CHECK(accepted > 1000);
}

int main(void)
{
    srand(2011);
    RUN_TEST(test_known_encodings);
    RUN_TEST(test_refused);
    RUN_TEST(test_prefixes);
    RUN_TEST(test_effective_address);
    RUN_TEST(test_registers);
    RUN_TEST(test_bit_offsets);
    RUN_TEST(test_execute_against_cpu);
    RUN_TEST(test_bt_register_against_cpu);
    RUN_TEST(test_random_bytes);
    return test_main_result();
}
