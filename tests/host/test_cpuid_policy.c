/* Tests for hv/arch/x86_64/cpuid_policy.c: the hardware is the CPU QEMU's
 * TCG emulates for the integration tests (-cpu Haswell-noTSX,+x2apic), as a
 * plain cpuid saw it under Xen 4.17; the expected answers are what Xen 4.17
 * gave its dom0 kernel for the same leaves through the forced-emulation
 * prefix (guests/cpuid_msr). */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpuid_policy.h"
#include "test.h"

struct leaf { uint32_t leaf, sub, r[4]; };

static const struct leaf *hw_table;
static size_t hw_n;

static const struct leaf haswell[] = {
    { 0x0, 0, { 0x0000000d, 0x756e6547, 0x6c65746e, 0x49656e69 } },
    { 0x1, 0, { 0x000306c1, 0x00000800, 0xfed83203, 0x078bfbfd } },
    { 0x2, 0, { 0x00000001, 0x00000000, 0x0000004d, 0x002c307d } },
    { 0x4, 0, { 0x00000121, 0x01c0003f, 0x0000003f, 0x00000001 } },
    { 0x5, 0, { 0x00000000, 0x00000000, 0x00000003, 0x00000000 } },
    { 0x6, 0, { 0x00000004, 0x00000000, 0x00000000, 0x00000000 } },
    { 0x7, 0, { 0x00000000, 0x000003a9, 0x00000000, 0x00000000 } },
    { 0xb, 0, { 0x00000000, 0x00000001, 0x00000100, 0x00000000 } },
    { 0xd, 0, { 0x00000007, 0x00000240, 0x00000340, 0x00000000 } },
    { 0xd, 1, { 0x00000001, 0x00000340, 0x00000000, 0x00000000 } },
    { 0x80000000, 0, { 0x80000008, 0x756e6547, 0x6c65746e, 0x49656e69 } },
    { 0x80000001, 0, { 0x000306c1, 0x00000000, 0x00000021, 0x28100800 } },
    { 0x80000008, 0, { 0x00003028, 0x00000000, 0x00000000, 0x00000000 } },
};

/* Like the CPU: an unlisted leaf beyond the maximum repeats the highest
 * basic leaf (as Intel CPUs do); otherwise zeros. */
static void fake_raw(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    for (size_t i = 0; i < hw_n; i++)
        if (hw_table[i].leaf == leaf && hw_table[i].sub == sub) {
            memcpy(out, hw_table[i].r, 16);
            return;
        }
    if ((leaf >= 0x40000000 && leaf < 0x80000000) || leaf > 0x80000008) {
        fake_raw(0xd, sub, out);
        return;
    }
    memset(out, 0, 16);
}

static struct cpuid_ctx ctx(bool dom0_kernel)
{
    struct cpuid_ctx c = { .raw = fake_raw, .dom0_kernel = dom0_kernel, .xen_version = 0x40011,
                           .tsc_khz = 2596134, .max_mfn = 0xffdf, .xsave = true, .osxsave = dom0_kernel };
    hw_table = haswell;
    hw_n = sizeof(haswell) / sizeof(haswell[0]);
    return c;
}

#define EXPECT(c, lf, sb, a, b, cc, d)                                          \
    do {                                                                       \
        uint32_t o[4];                                                         \
        cpuid_policy(&(c), lf, sb, o);                                         \
        CHECK_EQ(o[0], a); CHECK_EQ(o[1], b); CHECK_EQ(o[2], cc); CHECK_EQ(o[3], d); \
    } while (0)

/* Leaves where Xenolith gives exactly what Xen 4.17 gave. */
static void test_equal_to_xen(void)
{
    struct cpuid_ctx c = ctx(true);

    EXPECT(c, 0x0, 0, 0x0000000d, 0x756e6547, 0x6c65746e, 0x49656e69);
    EXPECT(c, 0x2, 0, 0x00000001, 0x00000000, 0x0000004d, 0x002c307d);
    EXPECT(c, 0x4, 0, 0x00000121, 0x01c0003f, 0x0000003f, 0x00000001);
    EXPECT(c, 0x5, 0, 0, 0, 0, 0);
    EXPECT(c, 0x6, 0, 0, 0, 0, 0);
    EXPECT(c, 0x7, 1, 0, 0, 0, 0);
    EXPECT(c, 0xa, 0, 0, 0, 0, 0);
    EXPECT(c, 0xb, 0, 0, 0, 0, 0);
    EXPECT(c, 0xd, 2, 0, 0, 0, 0);
    EXPECT(c, 0x40000000, 0, 0x40000005, 0x566e6558, 0x65584d4d, 0x4d4d566e);
    EXPECT(c, 0x40000001, 0, 0x00040011, 0, 0, 0);
    EXPECT(c, 0x40000002, 0, 0x00000001, 0x40000000, 0x00000001, 0);
    EXPECT(c, 0x40000003, 0, 0x00000004, 0, 0, 0);
    EXPECT(c, 0x40000003, 1, 0, 0, 0, 0);
    EXPECT(c, 0x40000003, 2, 0x00279d26, 0, 0, 0);
    EXPECT(c, 0x40000004, 0, 0, 0, 0, 0);
    EXPECT(c, 0x40000005, 0, 0, 0x1c, 0, 0);
    EXPECT(c, 0x40000006, 0, 0, 0, 0, 0);
    EXPECT(c, 0x40000100, 0, 0, 0, 0, 0);
    EXPECT(c, 0x40000200, 0, 0, 0, 0, 0);
    EXPECT(c, 0x80000000, 0, 0x80000008, 0, 0, 0);
    EXPECT(c, 0x80000001, 0, 0, 0, 0x00000021, 0x28101800);
    EXPECT(c, 0x80000007, 0, 0, 0, 0, 0);
    EXPECT(c, 0x80000008, 0, 0x00003028, 0, 0, 0);
}

/* Leaves 1, 7 and 0xD as Xen gave them to its dom0 kernel through the
 * forced-emulation prefix (OSXSAVE leaked from the hardware's CR4): XSAVE
 * with the x87 and SSE components, AVX hidden (QEMU's TCG has no AVX state). */
static void test_xsave(void)
{
    struct cpuid_ctx c = ctx(true);

    EXPECT(c, 0x1, 0, 0x000306c1, 0x00000800, 0xced82203, 0x0789dbf5);
    EXPECT(c, 0x7, 0, 0, 0x00000309, 0, 0x20000000);
    EXPECT(c, 0xd, 0, 0x00000003, 0x00000240, 0x00000240, 0);
    EXPECT(c, 0xd, 1, 0x00000001, 0, 0, 0);
    /* Without the guest's CR4.OSXSAVE (and not leaked): XSAVE alone. */
    c.osxsave = false;
    EXPECT(c, 0x1, 0, 0x000306c1, 0x00000800, 0xced82203 & ~(1u << 27), 0x0789dbf5);
    /* Not offered (a CPU without XSAVE): neither bit, leaf 0xD empty. */
    c.xsave = false;
    EXPECT(c, 0x1, 0, 0x000306c1, 0x00000800, 0xced82203 & ~0x0c000000u, 0x0789dbf5);
    EXPECT(c, 0xd, 0, 0, 0, 0, 0);
    EXPECT(c, 0xd, 1, 0, 0, 0, 0);
}

/* Outside dom0's kernel Xen's MTRR and EIST leaks stop; the hidden features
 * stay hidden whatever the hardware says. */
static void test_rules(void)
{
    struct cpuid_ctx c = ctx(false);
    static struct leaf all_on[] = {
        { 0x0, 0, { 0xd, 0x756e6547, 0x6c65746e, 0x49656e69 } },
        { 0x1, 0, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
        { 0x7, 0, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
        { 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
        { 0x80000001, 0, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
        { 0x80000007, 0, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
        { 0x80000008, 0, { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } },
    };
    uint32_t o[4];

    EXPECT(c, 0x1, 0, 0x000306c1, 0x00000800, 0xced82203 & ~(1u << 27), 0x0789cbf5);
    EXPECT(c, 0x80000001, 0, 0, 0, 0x00000021, 0x28100800);
    c.xsave = false;

    hw_table = all_on;
    hw_n = sizeof(all_on) / sizeof(all_on[0]);
    c.dom0_kernel = true;
    cpuid_policy(&c, 1, 0, o);
    CHECK_EQ(o[0], 0x0fff0fffu);
    CHECK_EQ(o[1], 0x00ffffffu);                 /* APIC ID 0 */
    /* Hidden: PSE 3, PGE 13, PSE36 17 (MTRR only leaks to dom0), VME 1, DS, TM, PBE. */
    CHECK_EQ(o[3] & (1u << 3 | 1u << 13 | 1u << 17 | 1u << 1 | 1u << 21 | 1u << 29 | 1u << 31), 0);
    CHECK(o[3] & (1u << 12));
    /* Hidden: MONITOR 3, VMX 5, PCID 17, x2APIC 21, TSC-deadline 24, XSAVE 26, OSXSAVE 27, AVX 28. */
    CHECK_EQ(o[2] & (1u << 3 | 1u << 5 | 1u << 17 | 1u << 21 | 1u << 24 | 1u << 26 | 1u << 27 | 1u << 28), 0);
    CHECK(o[2] & (1u << 31));
    CHECK(o[2] & (1u << 7));                      /* EIST leaks to dom0's kernel */
    cpuid_policy(&c, 7, 0, o);
    CHECK_EQ(o[0], 2);
    /* Hidden: TSC_ADJUST 1, SMEP 7, INVPCID 10, SMAP 20, AVX2 5, AVX512F 16. */
    CHECK_EQ(o[1] & (1u << 1 | 1u << 7 | 1u << 10 | 1u << 20 | 1u << 5 | 1u << 16), 0);
    CHECK(o[1] & (1u << 3));                      /* BMI1 stays */
    CHECK(o[1] & (1u << 0));                      /* FSGSBASE: CR4.FSGSBASE is the guest's */
    /* PKU 3, UMIP 2 hidden; speculation controls hidden (MSRs not virtualised). */
    CHECK_EQ(o[2] & (1u << 2 | 1u << 3), 0);
    CHECK_EQ(o[3] & (1u << 26 | 1u << 27 | 1u << 31), 0);
    CHECK(o[3] & (1u << 29));
    cpuid_policy(&c, 0x80000001, 0, o);
    CHECK_EQ(o[3] & (1u << 26), 0);               /* 1 GiB pages */
    CHECK(o[3] & (1u << 29));                     /* long mode */
    CHECK_EQ(o[2] & (1u << 2), 0);                /* SVM */
    cpuid_policy(&c, 0x80000007, 0, o);
    CHECK_EQ(o[0] | o[1] | o[2] | o[3], 0);
    cpuid_policy(&c, 0x80000008, 0, o);
    CHECK_EQ(o[0], 0xffff);
    CHECK_EQ(o[1] & (1u << 12), 0);               /* IBPB */
    CHECK_EQ(o[2] | o[3], 0);
    /* Beyond the maxima, and other ranges: zeros. */
    cpuid_policy(&c, 0xe, 0, o);
    CHECK_EQ(o[0] | o[1] | o[2] | o[3], 0);
    cpuid_policy(&c, 0x80000009, 0, o);
    CHECK_EQ(o[0] | o[1] | o[2] | o[3], 0);
    cpuid_policy(&c, 0x7, 3, o);
    CHECK_EQ(o[0] | o[1] | o[2] | o[3], 0);
}

int main(void)
{
    RUN_TEST(test_equal_to_xen);
    RUN_TEST(test_xsave);
    RUN_TEST(test_rules);
    return test_main_result();
}
