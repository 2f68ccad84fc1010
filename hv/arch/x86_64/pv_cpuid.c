/* The CPUID a PV guest is shown (the forced-emulation prefix, and a plain
 * cpuid where CPUID faulting makes it trap): Xen's default PV policy
 * (cpuid_policy.c) over this CPU's answers. Where the CPU offers CPUID
 * faulting (PLATFORM_INFO bit 31) it is on for good, as Xen turns it on for
 * its PV guests dom0 included: cpuid at CPL 3 raises #GP and gets the same
 * answers; the hypervisor's own cpuid, at CPL 0, is unaffected. */
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/cpuid_policy.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/msr_safe.h"
#include "core/domain.h"
#include "core/time.h"
#include "mm/frame_table.h"

static void hw_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    cpuid_count(leaf, sub, &out[0], &out[1], &out[2], &out[3]);
}

/* forced: through the forced-emulation prefix (a #UD), where Xen shows the
 * hardware's OSXSAVE to the guest kernel even before it sets its own. */
static void policy(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4], bool forced)
{
    const struct cpuid_ctx c = {
        .raw = hw_cpuid,
        .dom0_kernel = v->domain->privileged && !v->arch.user_mode,
        .xen_version = (4u << 16) | 17u,
        .tsc_khz = time_tsc_hz() / 1000,
        .max_mfn = frame_table_frames ? frame_table_frames - 1 : 0,
        .xsave = pv_xsave_offered(),
        .osxsave = v->arch.cr4_osxsave || (forced && !v->arch.user_mode),
    };

    cpuid_policy(&c, leaf, sub, out);
}

void pv_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    policy(v, leaf, sub, out, false);
}

#define MSR_PLATFORM_INFO          0xce
#define MSR_MISC_FEATURES_ENABLES  0x140
#define PLATFORM_INFO_CPUID_FAULTING (1ull << 31)
#define MISC_FEATURES_CPUID_FAULTING 1ull

bool pv_cpuid_faulting_init(void)
{
    uint64_t info, en;

    if (!rdmsr_safe(MSR_PLATFORM_INFO, &info) || !(info & PLATFORM_INFO_CPUID_FAULTING) ||
        !rdmsr_safe(MSR_MISC_FEATURES_ENABLES, &en))
        return false;
    wrmsr(MSR_MISC_FEATURES_ENABLES, en | MISC_FEATURES_CPUID_FAULTING);
    return true;
}

bool pv_emulate_cpuid(struct vcpu *v, struct cpu_regs *r, unsigned len)
{
    uint32_t out[4];

    policy(v, (uint32_t)r->rax, (uint32_t)r->rcx, out, len == 7);
    r->rax = out[0];
    r->rbx = out[1];
    r->rcx = out[2];
    r->rdx = out[3];
    r->rip += len;
    return true;
}
