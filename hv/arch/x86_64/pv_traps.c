/* Recording a PV guest's virtual IDT and callbacks (set_trap_table,
 * set_callbacks). Delivering exceptions and events through them is the work
 * of the trap-bounce code. */
#include "core/hypercall.h"
#include "arch/x86_64/va.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "lib/string.h"
#include "errno.h"
#include "xen.h"
#include "callback.h"

/* Entries between two checks for preemption: a table of any length is taken,
 * continuing (with the pointer moved on) after about a millisecond. */
#define TRAP_CHECK_EVERY 64

long set_trap_table_hypercall(uint64_t traps, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu_arch *arch = &current->arch;
    struct trap_info ti;

    (void)a2; (void)a3; (void)a4; (void)a5;
    if (traps == 0) {
        memset(arch->traps, 0, sizeof(arch->traps));
        return 0;
    }
    /* Entries replace the current ones, each as it is read (as in Xen, a bad
     * entry or pointer part-way leaves the entries before it applied); the
     * list ends with address 0. */
    for (unsigned i = 0; ; i++, traps += sizeof(ti)) {
        if (i && i % TRAP_CHECK_EVERY == 0 && hypercall_preempt_check())
            return hypercall_continue(traps, 0, 0, 0, 0);
        if (copy_from_guest(&ti, traps, sizeof(ti)))
            return -XEN_EFAULT;
        if (ti.address == 0)
            return 0;
        if (!va_canonical(ti.address))
            return -XEN_EINVAL;
        arch->traps[ti.vector].address = ti.address;
        arch->traps[ti.vector].flags = ti.flags;
    }
}

long set_callbacks_hypercall(uint64_t event, uint64_t failsafe, uint64_t syscall, uint64_t a4, uint64_t a5)
{
    struct vcpu_arch *arch = &current->arch;

    (void)a4; (void)a5;
    if (!va_canonical(event) || !va_canonical(failsafe) || !va_canonical(syscall))
        return -XEN_EINVAL;
    arch->event_callback = event;
    arch->failsafe_callback = failsafe;
    arch->syscall_callback = syscall;
    arch->event_flags = arch->failsafe_flags = arch->syscall_flags = 0;
    return 0;
}

/* callback_op: register or unregister one callback. The 32-bit entry points
 * (syscall32, sysenter) are recorded for the ABI's sake: a 64-bit PV guest's
 * compatibility-mode user code is not run. */
static int set_callback(struct vcpu_arch *a, unsigned type, uint64_t address, uint8_t flags)
{
    switch (type) {
    case CALLBACKTYPE_event:    a->event_callback = address;    a->event_flags = flags;    return 0;
    case CALLBACKTYPE_failsafe: a->failsafe_callback = address; a->failsafe_flags = flags; return 0;
    case CALLBACKTYPE_syscall:  a->syscall_callback = address;  a->syscall_flags = flags;  return 0;
    case CALLBACKTYPE_nmi:      a->nmi_callback = address;                                 return 0;
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter: return 0;
    default:                    return -XEN_ENOSYS;
    }
}

long callback_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu_arch *a = &current->arch;

    (void)a3; (void)a4; (void)a5;
    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register reg;
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -XEN_EFAULT;
        if (!va_canonical(reg.address))
            return -XEN_EINVAL;
        return set_callback(a, reg.type, reg.address,
                            (reg.flags & CALLBACKF_mask_events) ? CALLBACKF_mask_events : 0);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister unreg;
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -XEN_EFAULT;
        if (unreg.type == CALLBACKTYPE_event || unreg.type == CALLBACKTYPE_failsafe ||
            unreg.type == CALLBACKTYPE_syscall)
            return -XEN_EINVAL;         /* these cannot be taken away, only replaced */
        return set_callback(a, unreg.type, 0, 0);
    }
    default:
        return -XEN_ENOSYS;
    }
}
