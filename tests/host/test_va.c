/* Tests for hv/arch/x86_64/va.h: canonical addresses and the guest-range
 * check every copy from or to a guest goes through.
 *
 * va_range_guest is written for speed (a few compares); here it is held
 * against a spelled-out statement of the rule: a non-empty range is guest
 * address space when it does not wrap, both ends are canonical, both are in
 * the same half, and it lies wholly outside the hypervisor's slots. */
#include <stdint.h>
#include <stdlib.h>

#include "test.h"
#include "arch/x86_64/va.h"

static int reference(uint64_t gva, uint64_t len)
{
    uint64_t last = gva + len - 1;

    if (len == 0)
        return 1;
    if (last < gva)
        return 0;
    if (!va_canonical(gva) || !va_canonical(last) || (gva >> 63) != (last >> 63))
        return 0;
    return last < HV_AREA_START || gva >= HV_AREA_END;
}

static uint64_t rnd64(void)
{
    return ((uint64_t)rand() << 62) ^ ((uint64_t)rand() << 31) ^ (uint64_t)rand();
}

static void test_edges(void)
{
    CHECK(va_range_guest(0, 1));
    CHECK(va_range_guest(0, 0));
    CHECK(va_range_guest(0x7FFFFFFFF000ull, 0x1000));           /* up to the end of the lower half */
    CHECK(!va_range_guest(0x7FFFFFFFF000ull, 0x1001));          /* one byte into the hole */
    CHECK(!va_range_guest(0x800000000000ull, 1));               /* in the hole */
    CHECK(!va_range_guest(HV_AREA_START, 8));                   /* the hypervisor's slots */
    CHECK(!va_range_guest(HV_AREA_END - 8, 8));
    CHECK(!va_range_guest(HV_AREA_END - 8, 16));                /* straddles their end */
    CHECK(va_range_guest(HV_AREA_END, 8));
    CHECK(va_range_guest(0xFFFFFFFFFFFFFFF8ull, 8));            /* ends exactly at 2^64 */
    CHECK(!va_range_guest(0xFFFFFFFFFFFFFFF8ull, 9));           /* wraps to 0 */
    CHECK(!va_range_guest(0xFFFFFFFF80000000ull, ~0ull));       /* wraps far */
    CHECK(!va_range_guest(0, 0x800000000001ull));
    CHECK(!va_range_guest(0x1000, ~0ull));
}

/* Values near every boundary the rule has, with lengths near them too. */
static void test_against_reference_near_boundaries(void)
{
    const uint64_t points[] = { 0, 1, 0x7FFFFFFFFFFFull, 0x800000000000ull, HV_AREA_START,
                                HV_AREA_END, 0xFFFFFFFFFFFFFFFFull, 0x8000000000000000ull };
    const int64_t deltas[] = { -4096, -9, -8, -1, 0, 1, 8, 4096 };
    const uint64_t lens[] = { 0, 1, 7, 8, 9, 4096, 0x800000000000ull, HV_AREA_END, ~0ull, 1ull << 63 };
    unsigned mismatches = 0;

    for (unsigned p = 0; p < sizeof(points) / sizeof(points[0]); p++)
        for (unsigned d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++)
            for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
                uint64_t gva = points[p] + (uint64_t)deltas[d];
                for (int64_t dl = -1; dl <= 1; dl++) {
                    uint64_t len = lens[l] + (uint64_t)dl;
                    if (va_range_guest(gva, len) != reference(gva, len) && !mismatches++)
                        CHECK_EQ(gva, len);          /* report the first mismatch */
                }
            }
    CHECK_EQ(mismatches, 0);
}

static void test_against_reference_random(void)
{
    unsigned mismatches = 0;

    for (int i = 0; i < 2000000; i++) {
        uint64_t gva = rnd64(), len;

        switch (i % 4) {
        case 0: len = (uint64_t)rand() % 8192; break;
        case 1: gva &= 0x0000FFFFFFFFFFFFull; len = rnd64() >> (rand() % 64); break;
        case 2: gva |= 0xFFFF000000000000ull; len = (uint64_t)rand(); break;
        default: len = rnd64(); break;
        }
        if (va_range_guest(gva, len) != reference(gva, len) && !mismatches++)
            CHECK_EQ(gva, len);
    }
    CHECK_EQ(mismatches, 0);
}

static void test_canonical(void)
{
    CHECK(va_canonical(0));
    CHECK(va_canonical(0x00007FFFFFFFFFFFull));
    CHECK(!va_canonical(0x0000800000000000ull));
    CHECK(!va_canonical(0xFFFF7FFFFFFFFFFFull));
    CHECK(va_canonical(0xFFFF800000000000ull));
    CHECK(va_in_hv_area(HV_AREA_START) && !va_in_hv_area(HV_AREA_END) && va_in_hv_area(HV_AREA_END - 1));
}

int main(void)
{
    srand(4711);
    RUN_TEST(test_edges);
    RUN_TEST(test_against_reference_near_boundaries);
    RUN_TEST(test_against_reference_random);
    RUN_TEST(test_canonical);
    return test_main_result();
}
