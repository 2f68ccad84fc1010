/* fpu_taskswitch and #NM. A guest kernel that sets its virtual CR0.TS
 * (fpu_taskswitch(1)) gets a #NM at its next FPU instruction, as on bare
 * metal; delivering it clears the virtual TS, as Xen does, and the guest
 * kernel switches FPU contexts itself. The hypervisor keeps each vCPU's own
 * FPU state across vCPU switches (saved and loaded eagerly). */
#include "arch/x86_64/pv_fpu.h"
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/cpu.h"
#include "core/hypercall.h"
#include "core/domain.h"

static void load_ts(bool set)
{
    uint64_t cr0 = read_cr0();

    if (set != !!(cr0 & CR0_TS))
        write_cr0(set ? cr0 | CR0_TS : cr0 & ~CR0_TS);
}

long fpu_taskswitch_hypercall(uint64_t set, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a2; (void)a3; (void)a4; (void)a5;
    current->arch.fpu_ts = set != 0;
    load_ts(current->arch.fpu_ts);
    return 0;
}

void pv_fpu_switch(struct vcpu *prev, struct vcpu *next)
{
    if (prev == next)
        return;
    load_ts(false);
    if (prev)
        __asm__ volatile("fxsave64 %0" : "=m"(prev->arch.fpu));
    if (next->arch.fpu_used)
        __asm__ volatile("fxrstor64 %0" :: "m"(next->arch.fpu));
    else
        __asm__ volatile("fninit");
    next->arch.fpu_used = true;
    load_ts(next->arch.fpu_ts);
}

bool pv_fpu_trap(struct vcpu *v, struct cpu_regs *r)
{
    load_ts(false);
    if (!v->arch.fpu_ts)
        return true;                    /* nothing the guest asked for: just go on */
    v->arch.fpu_ts = false;
    if (!pv_bounce_exception(v, r, 7, 0, 0))
        domain_crash(v, r, "#NM with virtual CR0.TS set and no way to deliver it");
    return true;
}
