/* Tests for hv/arch/x86_64/io_insn.c: decoding a guest's port I/O and the
 * permission rules of the virtual IOPL and the I/O bitmap. */
#include "arch/x86_64/io_insn.h"
#include "test.h"

static bool dec(const char *bytes, unsigned n, bool compat, struct io_insn *in)
{
    return io_insn_decode((const uint8_t *)bytes, n, compat, in);
}

static void test_plain_forms(void)
{
    struct io_insn in;

    CHECK(dec("\xe4\x80", 2, false, &in) && in.op == 0xe4 && in.imm8 == 0x80 && in.len == 2 &&
          io_insn_bytes(&in) == 1);
    CHECK(dec("\xe5\x40", 2, false, &in) && io_insn_bytes(&in) == 4 && in.len == 2);
    CHECK(dec("\x66\xe5\x40", 3, false, &in) && io_insn_bytes(&in) == 2 && in.len == 3);
    CHECK(dec("\xe7\xf4", 2, false, &in) && in.op == 0xe7 && in.imm8 == 0xf4);
    CHECK(dec("\xec", 1, false, &in) && in.op == 0xec && in.len == 1 && io_insn_bytes(&in) == 1);
    CHECK(dec("\x66\xef", 2, false, &in) && in.op == 0xef && io_insn_bytes(&in) == 2);
    CHECK(dec("\xed", 1, false, &in) && io_insn_bytes(&in) == 4);
    CHECK(dec("\xfa", 1, false, &in) && in.op == 0xfa && in.len == 1);
    CHECK(dec("\xfb\x90", 2, false, &in) && in.op == 0xfb && in.len == 1);
}

static void test_prefixes(void)
{
    struct io_insn in;

    CHECK(dec("\x48\xec", 2, false, &in) && in.op == 0xec && in.len == 2 && io_insn_bytes(&in) == 1);
    CHECK(dec("\x48\xed", 2, false, &in) && io_insn_bytes(&in) == 4);       /* REX.W: still 4 */
    CHECK(dec("\xf3\x6c", 2, false, &in) && in.rep && in.op == 0x6c && !in.addr32);
    CHECK(dec("\xf3\x67\x66\x6d", 4, false, &in) && in.rep && in.addr32 && io_insn_bytes(&in) == 2 &&
          in.len == 4);
    CHECK(dec("\x65\x6e", 2, false, &in) && in.seg == 5);
    CHECK(dec("\x64\xf3\x6f", 3, false, &in) && in.seg == 4 && in.rep);
    CHECK(dec("\x64\x3e\x6e", 3, false, &in) && in.seg == 0);                /* the last override counts */
    CHECK(!dec("\xf0\xec", 2, false, &in));                                 /* lock */
}

static void test_compat_mode(void)
{
    struct io_insn in;

    CHECK(dec("\x6c", 1, true, &in) && in.addr32);                          /* 32-bit addressing by default */
    CHECK(!dec("\x67\x6c", 2, true, &in));                                  /* 16-bit addressing: not emulated */
    CHECK(!dec("\x48\xec", 2, true, &in));                                  /* 0x48 is dec eax there */
    CHECK(dec("\x66\xed", 2, true, &in) && io_insn_bytes(&in) == 2);
}

static void test_not_io_or_cut_off(void)
{
    struct io_insn in;
    static const char fifteen_prefixes[] = "\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\xec";

    CHECK(!dec("\x0f\x32", 2, false, &in));                                 /* rdmsr */
    CHECK(!dec("\xf4", 1, false, &in));                                     /* hlt */
    CHECK(!dec("\xcd\x80", 2, false, &in));
    CHECK(!dec("\xe4", 1, false, &in));                                     /* imm8 missing */
    CHECK(!dec("\x66", 1, false, &in));
    CHECK(!dec("", 0, false, &in));
    CHECK(!dec(fifteen_prefixes, 16, false, &in));                          /* past 15 bytes */
    CHECK(dec(fifteen_prefixes + 1, 15, false, &in) && in.len == 15);
}

static void test_iopl_rules(void)
{
    for (unsigned iopl = 0; iopl <= 3; iopl++) {
        CHECK(io_iopl_allows(false, false, iopl) == (iopl >= 1));          /* kernel: ring 1 */
        CHECK(io_iopl_allows(false, true, iopl));                          /* architectural_iopl: ring 0 */
        CHECK(io_iopl_allows(true, false, iopl) == (iopl == 3));           /* user: ring 3 */
        CHECK(io_iopl_allows(true, true, iopl) == (iopl == 3));
    }
}

static void test_bitmap_rules(void)
{
    CHECK(io_bitmap_allows(0x00, 0x00, 0x80, 4, 0x10000));
    CHECK(!io_bitmap_allows(0x01, 0x00, 0x80, 1, 0x10000));
    CHECK(io_bitmap_allows(0xfd, 0xff, 0x81, 1, 0x10000));                   /* bit 1 clear */
    CHECK(!io_bitmap_allows(0xfd, 0xff, 0x81, 2, 0x10000));
    CHECK(io_bitmap_allows(0x3f, 0xfc, 0x86, 4, 0x10000));                   /* bits 6-7 and 8-9 clear */
    CHECK(!io_bitmap_allows(0x3f, 0xfe, 0x86, 4, 0x10000));
    CHECK(io_bitmap_allows(0x00, 0xff, 0x21, 1, 0x22));                      /* the limit is the port count */
    CHECK(!io_bitmap_allows(0x00, 0xff, 0x21, 1, 0x21));
    CHECK(!io_bitmap_allows(0x00, 0x00, 0x20, 4, 0x23));
    CHECK(!io_bitmap_allows(0x00, 0x00, 0xfffe, 4, 0x10000));               /* past port 0xffff */
    CHECK(io_bitmap_allows(0x00, 0xff, 0xfffc, 4, 0x10000));
    CHECK(!io_bitmap_allows(0x00, 0x00, 0x80, 1, 0));                       /* no bitmap */
}

static void test_rax_merge(void)
{
    CHECK(io_merge_rax(0x1122334455667788ull, 1, 0xffffffff) == 0x11223344556677ffull);
    CHECK(io_merge_rax(0x1122334455667788ull, 2, 0xffffffff) == 0x112233445566ffffull);
    CHECK(io_merge_rax(0x1122334455667788ull, 4, 0xffffffff) == 0xffffffffull);
    CHECK(io_merge_rax(0, 4, 0x12345678) == 0x12345678ull);
}

int main(void)
{
    RUN_TEST(test_plain_forms);
    RUN_TEST(test_prefixes);
    RUN_TEST(test_compat_mode);
    RUN_TEST(test_not_io_or_cut_off);
    RUN_TEST(test_iopl_rules);
    RUN_TEST(test_bitmap_rules);
    RUN_TEST(test_rax_merge);
    return test_main_result();
}
