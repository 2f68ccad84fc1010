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

    CHECK(!ok(seg(0xE9, 0x0), &f));     /* TSS */
    CHECK(!ok(seg(0xE2, 0x0), &f));     /* LDT */
    CHECK(!ok(seg(0xEE, 0x0), &f));     /* interrupt gate */
    CHECK(!ok(seg(0xEF, 0x0), &f));     /* trap gate */
    CHECK(!ok(seg(0xE4, 0x0), &f));     /* 16-bit call gate type */
    CHECK(!ok(seg(0xE5, 0x0), &f));     /* task gate */
    CHECK(ok(seg(0xE0, 0x0), &f) && f == seg(0xE0, 0x0));      /* type 0: a gate's upper half */
}

/* Lower half of a 64-bit call gate: offset bits 0-15 and 16-31, target
 * selector, access byte, and the reserved byte (bits 32-39). */
static uint64_t gate(uint16_t sel, uint8_t access, uint8_t reserved)
{
    return 0x1234ull | ((uint64_t)sel << 16) | ((uint64_t)reserved << 32) |
           ((uint64_t)access << 40) | (0xABCDull << 48);
}

static void test_call_gates(void)
{
    uint64_t f;

    /* Accepted: DPL forced to 0, the (raised) guest DPL 3 kept in the
     * target selector's RPL, everything else as it was. */
    CHECK(ok(gate(0x0010, 0xEC, 0), &f) && f == gate(0x0013, 0x8C, 0));  /* DPL 3, GDT target */
    CHECK(ok(gate(0x0010, 0x8C, 0), &f) && f == gate(0x0013, 0x8C, 0));  /* DPL 0: raised to 3, stored */
    CHECK(ok(gate(0x0011, 0xAC, 0), &f) && f == gate(0x0013, 0x8C, 0));  /* DPL 1, RPL 1 */
    CHECK(ok(gate(0x000F, 0xCC, 0), &f) && f == gate(0x000F, 0x8C, 0));  /* LDT target */
    CHECK(ok(gate(0xFFFC, 0xEC, 0), &f) && f == gate(0xFFFF, 0x8C, 0));  /* LDT, any index */
    CHECK(ok(gate(0xE033, 0xEC, 0), &f) && f == gate(0xE033, 0x8C, 0));  /* FLAT_KERNEL_CS */
    CHECK(ok(gate(0xDFF8, 0xEC, 0), &f) && f == gate(0xDFFB, 0x8C, 0));  /* last guest GDT entry */
    CHECK(ok(gate(0x0000, 0xEC, 0), &f) && f == gate(0x0003, 0x8C, 0));  /* null target: faults on use */

    /* Refused: a target among the hypervisor's reserved entries... */
    CHECK(!ok(gate(0xE000, 0xEC, 0), &f));
    CHECK(!ok(gate(0xE008, 0xEC, 0), &f));
    CHECK(!ok(gate(0xE030, 0xEC, 0), &f));     /* FLAT_KERNEL_CS with RPL 0 */
    CHECK(!ok(gate(0xE032, 0xEC, 0), &f));
    CHECK(!ok(gate(0xE02B, 0xEC, 0), &f));     /* FLAT_KERNEL_SS */
    CHECK(!ok(gate(0xE023, 0xEC, 0), &f));     /* FLAT_KERNEL_CS32: only the 64-bit one */
    CHECK(!ok(gate(0xFFF8, 0xEC, 0), &f));
    /* ... or a reserved byte that is not zero (a 32-bit gate's parameter count). */
    CHECK(!ok(gate(0x0010, 0xEC, 0x01), &f));
    CHECK(!ok(gate(0x0010, 0xEC, 0x80), &f));
    CHECK(!ok(gate(0x000F, 0xEC, 0xE0), &f));

    /* Not present: taken as it is, whatever it holds (the CPU never uses it). */
    CHECK(ok(gate(0xE008, 0x6C, 0x1F), &f) && f == gate(0xE008, 0x6C, 0x1F));
    CHECK(ok(gate(0x0010, 0x6C, 0), &f) && f == gate(0x0010, 0x6C, 0));
}

/* Whatever 8 bytes a guest offers, what is accepted and present gives no
 * ring but 3 anything: code/data of DPL 3, a gate's upper half, or a call
 * gate of DPL 0 (unusable by the guest) to an allowed selector with RPL 3. */
static void test_random_descriptors(void)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;

    for (unsigned i = 0; i < 1000000; i++) {
        uint64_t d, f;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d = x;
        if (i & 1)                              /* half of them system descriptors */
            d &= ~(1ull << 44);
        if (i & 2)                              /* a quarter present call gates */
            d = (d & ~(0x1Full << 40)) | (0x8Cull << 40);
        if (!ok(d, &f))
            continue;
        if (!(d & (1ull << 47))) {
            CHECK_EQ(f, d);
            continue;
        }
        if (d & (1ull << 44)) {
            CHECK_EQ(f, d | (3ull << 45));
            continue;
        }
        if (((d >> 40) & 0xF) == 0) {
            CHECK_EQ(f, d);
            continue;
        }
        CHECK_EQ((f >> 40) & 0xF, 0xCull);      /* only call gates get here */
        CHECK_EQ((f >> 45) & 3, 0ull);
        CHECK_EQ((f >> 16) & 0xFFFF, ((d >> 16) & 0xFFFF) | 3);
        CHECK_EQ((f >> 32) & 0xFF, 0ull);
        CHECK(((f >> 16) & 0xFFFF) >> 3 < 7168 || ((f >> 16) & 0xFFFF) == 0xE033 || (f & (4ull << 16)));
        CHECK_EQ(f & ~((0xFFFFull << 16) | (3ull << 45)), d & ~((0xFFFFull << 16) | (3ull << 45)));
    }
}

static void test_whole_page(void)
{
    uint64_t page[512] = { 0 };

    page[0] = seg(0xF2, 0xC);
    page[7] = seg(0x9A, 0xA);
    CHECK(descriptor_page_fixup(page, 512));
    CHECK_EQ(page[7], seg(0xFA, 0xA));                          /* raised in place */
    page[8] = gate(0x0008, 0xEC, 0);                            /* a call gate and its upper half */
    page[9] = 0xFFFFFFFFull;
    CHECK(descriptor_page_fixup(page, 512));
    CHECK_EQ(page[8], gate(0x000B, 0x8C, 0));
    CHECK_EQ(page[9], 0xFFFFFFFFull);
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
    RUN_TEST(test_call_gates);
    RUN_TEST(test_random_descriptors);
    RUN_TEST(test_whole_page);
    return test_main_result();
}
