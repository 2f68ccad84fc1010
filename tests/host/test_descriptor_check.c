/* Tests for hv/arch/x86_64/descriptor_check.c: what a guest GDT or LDT may hold, and how it is fixed up. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/descriptor_check.h"
#include "test.h"

/* access byte (bits 40-47) and flags nibble (bits 52-55) of a flat segment */
static uint64_t seg(uint8_t access, uint8_t flags)
{
    return 0xFFFFull | ((uint64_t)access << 40) | (0xFull << 48) | ((uint64_t)flags << 52);
}

static bool ok(uint64_t d, uint64_t *fixed)
{
    *fixed = d;
    return descriptor_fixup_for_guest(fixed);
}

static void test_ring3_code_and_data(void)
{
    uint64_t f;

    CHECK(ok(seg(0xF2, 0xC), &f) && f == seg(0xF2, 0xC));      /* data, DPL 3: unchanged */
    CHECK(ok(seg(0xF3, 0xC), &f) && f == seg(0xF3, 0xC));      /* data, accessed */
    CHECK(ok(seg(0xFA, 0xA), &f) && f == seg(0xFA, 0xA));      /* 64-bit code */
    CHECK(ok(seg(0xFA, 0xC), &f) && f == seg(0xFA, 0xC));      /* 32-bit code */
    CHECK(ok(seg(0xFE, 0xA), &f) && f == seg(0xFE, 0xA));      /* conforming code, DPL 3 */
    CHECK(ok(seg(0xFA, 0xE), &f) && f == seg(0xFA, 0xE));      /* code with L and D (faults when used) */
}

static void test_dpl_raised(void)
{
    uint64_t f;

    CHECK(ok(seg(0x9A, 0xA), &f) && f == seg(0xFA, 0xA));      /* DPL 0 code: DPL 3 */
    CHECK(ok(seg(0xBA, 0xA), &f) && f == seg(0xFA, 0xA));      /* DPL 1 code */
    CHECK(ok(seg(0xD2, 0xC), &f) && f == seg(0xF2, 0xC));      /* DPL 2 data */
    CHECK(ok(seg(0x9E, 0xA), &f) && f == seg(0xFE, 0xA));      /* conforming, DPL 0 */
    CHECK(ok(seg(0x93, 0xC), &f) && f == seg(0xF3, 0xC));      /* accessed bit kept */
}

static void test_not_present_anything(void)
{
    uint64_t f;

    CHECK(ok(0, &f) && f == 0);
    CHECK(ok(seg(0x1A, 0xA), &f) && f == seg(0x1A, 0xA));      /* DPL 0 code, not present: as it is */
    CHECK(ok(0xFFFF7FFFFFFFFFFFull, &f) && f == 0xFFFF7FFFFFFFFFFFull); /* everything but P */
}

static void test_system_refused(void)
{
    uint64_t f;

    CHECK(!ok(seg(0xEC, 0x0), &f));     /* call gate, DPL 3 (Xen emulates far calls through it) */
    CHECK(!ok(seg(0x8C, 0x0), &f));     /* call gate, DPL 0 */
    CHECK(!ok(seg(0xE9, 0x0), &f));     /* TSS */
    CHECK(!ok(seg(0xE2, 0x0), &f));     /* LDT */
    CHECK(!ok(seg(0xEE, 0x0), &f));     /* interrupt gate */
    CHECK(!ok(seg(0xEF, 0x0), &f));     /* trap gate */
    CHECK(ok(seg(0xE0, 0x0), &f) && f == seg(0xE0, 0x0));      /* type 0: a gate's upper half */
}

static void test_whole_page(void)
{
    uint64_t page[512] = { 0 };

    page[0] = seg(0xF2, 0xC);
    page[7] = seg(0x9A, 0xA);
    CHECK(descriptor_page_fixup(page, 512));
    CHECK_EQ(page[7], seg(0xFA, 0xA));                          /* raised in place */
    page[511] = seg(0xE9, 0x0);
    CHECK(!descriptor_page_fixup(page, 512));
    CHECK(descriptor_page_fixup(page, 511));
}

int main(void)
{
    RUN_TEST(test_ring3_code_and_data);
    RUN_TEST(test_not_present_anything);
    RUN_TEST(test_dpl_raised);
    RUN_TEST(test_system_refused);
    RUN_TEST(test_whole_page);
    return test_main_result();
}
