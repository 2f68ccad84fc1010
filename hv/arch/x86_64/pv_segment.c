/* Segment state of a PV vCPU: the FS base, the kernel's and user's GS bases
 * (the CPU holds the current mode's), the user GS selector, and the kernel
 * stack that frames from guest user mode go on (stack_switch). */
#include "core/hypercall.h"
#include "arch/x86_64/va.h"
#include "core/domain.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"
#include "xen.h"

extern int load_gs_selector_checked(uint16_t sel);   /* RPL 3 forced; 0, or -1 when the CPU refused it */

long set_segment_base_hypercall(uint64_t which, uint64_t base, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    (void)a3; (void)a4; (void)a5;
    vcpu_arch_sync_bases(v);                /* bases the guest wrote itself (FSGSBASE) */
    switch (which) {
    case SEGBASE_FS:
        if (!va_canonical(base))
            return -XEN_EINVAL;
        v->arch.fs_base = base;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!va_canonical(base))
            return -XEN_EINVAL;
        v->arch.gs_base_user = base;
        if (v->arch.user_mode)
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!va_canonical(base))
            return -XEN_EINVAL;
        v->arch.gs_base_kernel = base;
        if (!v->arch.user_mode)
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        /* Load the user GS selector (with RPL 3); its descriptor's base
         * becomes the user GS base. A selector the CPU refuses (#GP, #NP)
         * loads the null one instead, and the call still succeeds, as in
         * Xen: a caller that cares reads %gs back. */
        if (load_gs_selector_checked((uint16_t)base) != 0)
            load_gs_selector_checked(0);
        v->arch.gs_base_user = rdmsr(MSR_GS_BASE);
        wrmsr(MSR_GS_BASE, v->arch.user_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

long stack_switch_hypercall(uint64_t ss, uint64_t sp, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a3; (void)a4; (void)a5;
    current->arch.kernel_ss = ss | 3;
    current->arch.kernel_sp = sp;
    return 0;
}
