/* Tests for hv/arch/x86_64/vmce.c: the virtual machine-check MSRs as Xen
 * 4.17 answers them for a PV vCPU (the values guests/cpuid_msr saw). */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/vmce.h"
#include "test.h"

static void test_reads(void)
{
    struct vmce s = { 0 };
    uint64_t v = 1;

    CHECK_EQ(vmce_read(&s, true, 0x179, &v), VMCE_DONE);
    CHECK_EQ(v, 0x1000c02);
    CHECK_EQ(vmce_read(&s, false, 0x179, &v), VMCE_DONE);
    CHECK_EQ(v, 2);
    CHECK_EQ(vmce_read(&s, true, 0x17a, &v), VMCE_DONE);
    CHECK_EQ(v, 0);
    CHECK_EQ(vmce_read(&s, true, 0x17b, &v), VMCE_DONE);
    CHECK_EQ(v, 0);
    CHECK_EQ(vmce_read(&s, true, 0x4d0, &v), VMCE_GP);
    CHECK_EQ(vmce_read(&s, true, 0x0, &v), VMCE_DONE);
    CHECK_EQ(v, 0);
    CHECK_EQ(vmce_read(&s, true, 0x1, &v), VMCE_DONE);
    /* Banks 0 and 1: CTL all ones, the rest 0; beyond: 0. */
    for (uint32_t msr = 0x400; msr <= 0x47f; msr++) {
        CHECK_EQ(vmce_read(&s, true, msr, &v), VMCE_DONE);
        CHECK_EQ(v, (msr < 0x408 && (msr & 3) == 0) ? ~0ull : 0);
    }
    for (uint32_t msr = 0x280; msr <= 0x29f; msr++) {
        CHECK_EQ(vmce_read(&s, true, msr, &v), VMCE_DONE);
        CHECK_EQ(v, 0);
    }
    /* Not machine-check MSRs. */
    CHECK_EQ(vmce_read(&s, true, 0x2, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x178, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x17c, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x27f, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x2a0, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x3ff, &v), VMCE_NOT_MINE);
    CHECK_EQ(vmce_read(&s, true, 0x480, &v), VMCE_NOT_MINE);
}

static void test_writes(void)
{
    struct vmce s = { 0 };
    uint64_t v;

    CHECK_EQ(vmce_write(&s, true, 0x179, 0), VMCE_DONE);       /* read-only, ignored */
    vmce_read(&s, true, 0x179, &v);
    CHECK_EQ(v, 0x1000c02);
    CHECK_EQ(vmce_write(&s, true, 0x17a, 5), VMCE_DONE);
    vmce_read(&s, true, 0x17a, &v);
    CHECK_EQ(v, 5);
    CHECK_EQ(vmce_write(&s, true, 0x17b, 7), VMCE_DONE);
    vmce_read(&s, true, 0x17b, &v);
    CHECK_EQ(v, 0);
    CHECK_EQ(vmce_write(&s, true, 0x4d0, 0), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x0, 0), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x1, 0), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x400, 0), VMCE_DONE);
    vmce_read(&s, true, 0x400, &v);
    CHECK_EQ(v, ~0ull);
    CHECK_EQ(vmce_write(&s, true, 0x401, 0), VMCE_DONE);
    CHECK_EQ(vmce_write(&s, true, 0x401, 1), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x406, 1), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x407, 1), VMCE_GP);
    CHECK_EQ(vmce_write(&s, true, 0x409, 1), VMCE_DONE);       /* bank 2 does not exist: dropped */
    CHECK_EQ(vmce_write(&s, true, 0x281, 0x42), VMCE_DONE);
    vmce_read(&s, true, 0x281, &v);
    CHECK_EQ(v, 0x42);
    CHECK_EQ(vmce_write(&s, true, 0x282, 0x42), VMCE_DONE);
    vmce_read(&s, true, 0x282, &v);
    CHECK_EQ(v, 0);
    /* AMD: no CTL2 kept. */
    CHECK_EQ(vmce_write(&s, false, 0x280, 0x9), VMCE_DONE);
    vmce_read(&s, false, 0x280, &v);
    CHECK_EQ(v, 0);
    CHECK_EQ(vmce_write(&s, true, 0x480, 0), VMCE_NOT_MINE);
}

int main(void)
{
    RUN_TEST(test_reads);
    RUN_TEST(test_writes);
    return test_main_result();
}
