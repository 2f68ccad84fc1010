/* Tests for hv/arch/x86_64/descriptor_check.c: what a guest LDT may hold. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/descriptor_check.h"
#include "test.h"

/* access byte (bits 40-47) and flags nibble (bits 52-55) of a flat segment */
static uint64_t seg(uint8_t access, uint8_t flags)
{
    return 0xFFFFull | ((uint64_t)access << 40) | (0xFull << 48) | ((uint64_t)flags << 52);
}

static void test_ring3_code_and_data(void)
{
    CHECK(descriptor_ok_for_guest(seg(0xF2, 0xC)));      /* data, DPL 3 */
    CHECK(descriptor_ok_for_guest(seg(0xF3, 0xC)));      /* data, accessed */
    CHECK(descriptor_ok_for_guest(seg(0xFA, 0xA)));      /* 64-bit code */
    CHECK(descriptor_ok_for_guest(seg(0xFA, 0xC)));      /* 32-bit code */
    CHECK(descriptor_ok_for_guest(seg(0xFE, 0xA)));      /* conforming code, DPL 3 */
}

static void test_not_present_anything(void)
{
    CHECK(descriptor_ok_for_guest(0));
    CHECK(descriptor_ok_for_guest(seg(0x1A, 0xA)));      /* DPL 0 code, not present */
    CHECK(descriptor_ok_for_guest(0xFFFF7FFFFFFFFFFFull)); /* everything but P */
}

static void test_privileged_or_system_refused(void)
{
    CHECK(!descriptor_ok_for_guest(seg(0x9A, 0xA)));     /* DPL 0 code */
    CHECK(!descriptor_ok_for_guest(seg(0xBA, 0xA)));     /* DPL 1 code */
    CHECK(!descriptor_ok_for_guest(seg(0xD2, 0xC)));     /* DPL 2 data */
    CHECK(!descriptor_ok_for_guest(seg(0x9E, 0xA)));     /* conforming, DPL 0 */
    CHECK(!descriptor_ok_for_guest(seg(0xEC, 0x0)));     /* call gate, DPL 3 */
    CHECK(!descriptor_ok_for_guest(seg(0xE9, 0x0)));     /* TSS */
    CHECK(!descriptor_ok_for_guest(seg(0xE2, 0x0)));     /* LDT */
    CHECK(!descriptor_ok_for_guest(seg(0xEE, 0x0)));     /* interrupt gate */
    CHECK(!descriptor_ok_for_guest(seg(0xFA, 0xE)));     /* code with L and D both set */
}

static void test_whole_page(void)
{
    uint64_t page[512] = { 0 };

    page[0] = seg(0xF2, 0xC);
    page[7] = seg(0xFA, 0xA);
    CHECK(descriptor_page_ok(page, 512));
    page[511] = seg(0x9A, 0xA);
    CHECK(!descriptor_page_ok(page, 512));
    CHECK(descriptor_page_ok(page, 511));
}

int main(void)
{
    RUN_TEST(test_ring3_code_and_data);
    RUN_TEST(test_not_present_anything);
    RUN_TEST(test_privileged_or_system_refused);
    RUN_TEST(test_whole_page);
    return test_main_result();
}
