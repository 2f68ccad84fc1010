/* `syscall` from guest user mode is no hypercall: it goes to the guest
 * kernel's syscall callback, in kernel mode, with the bounce frame (whose RCX
 * and R11 slots hold the values syscall left: the return address and the
 * flags). With no callback registered the guest gets #UD, as a CPU with
 * syscall disabled would give. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/trap_bounce.h"
#include "callback.h"

HV_HOT void pv_user_syscall(struct vcpu *v, struct cpu_regs *r)
{
    unsigned flags = (v->arch.syscall_flags & CALLBACKF_mask_events) ? BOUNCE_MASK_EVENTS : 0;

    if (v->arch.syscall_callback) {
        if (!pv_bounce(v, r, v->arch.syscall_callback, flags, 0))
            domain_crash(v, r, "the syscall frame could not be written to the guest kernel stack");
        return;
    }
    r->rip -= 2;                            /* the fault is at the syscall instruction */
    if (!pv_bounce_exception(v, r, 6, 0, 0))
        domain_crash(v, r, "syscall from guest user mode with neither a syscall callback nor a #UD handler");
}
