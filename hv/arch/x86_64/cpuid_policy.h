/* The CPUID a PV guest is shown: Xen 4.17's default PV policy applied to
 * the hardware's answers (pure logic; host tested in
 * tests/host/test_cpuid_policy.c). */
#ifndef HV_ARCH_CPUID_POLICY_H
#define HV_ARCH_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* The hardware's answer for (leaf, subleaf). */
typedef void (*cpuid_raw_fn)(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

struct cpuid_ctx {
    cpuid_raw_fn raw;
    bool dom0_kernel;           /* the hardware domain's kernel asks (Xen's MTRR and EIST leaks) */
    uint32_t xen_version;       /* major << 16 | minor */
    uint64_t tsc_khz;           /* the TSC rate (hypervisor leaf 3, subleaf 2) */
    uint64_t max_mfn;           /* the highest machine frame (hypervisor leaf 5) */
    bool xsave;                 /* XSAVE offered, x87 and SSE state only */
    bool osxsave;               /* CPUID shows OSXSAVE (the guest's CR4.OSXSAVE, or Xen's leak) */
};

void cpuid_policy(const struct cpuid_ctx *c, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
