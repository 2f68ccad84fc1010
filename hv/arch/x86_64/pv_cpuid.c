/* The CPUID a PV guest is shown (the forced-emulation prefix, and a plain
 * cpuid where CPUID faulting makes it trap): Xen's default PV policy
 * (cpuid_policy.c) over this CPU's answers. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/cpuid_policy.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"
#include "core/time.h"
#include "mm/frame_table.h"

static void hw_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    cpuid_count(leaf, sub, &out[0], &out[1], &out[2], &out[3]);
}

void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    const struct cpuid_ctx c = {
        .raw = hw_cpuid,
        .dom0_kernel = v->domain->privileged && !v->arch.user_mode,
        .xen_version = (4u << 16) | 17u,
        .tsc_khz = time_tsc_hz() / 1000,
        .max_mfn = frame_table_frames ? frame_table_frames - 1 : 0,
    };

    cpuid_policy(&c, leaf, sub, out);
}
