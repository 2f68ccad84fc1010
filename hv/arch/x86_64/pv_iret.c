/* The iret hypercall: return from a bounce frame (or any frame the guest
 * built) through the hypervisor. The guest's hypercall stub leaves on its
 * stack, lowest address first, struct iret_context: RAX, R11, RCX, flags,
 * RIP, CS, RFLAGS, RSP, SS. The RPL of CS says where to: 0 (as in a bounce
 * frame) back to the guest kernel, 3 to guest user mode (user page tables,
 * user GS), which needs user page tables. Only bits 0-15 of the CS and SS
 * slots count, with RPL 3 forced. With VGCF_in_syscall the return is a
 * syscall's: RCX and R11 come back as sysret leaves them, and the selectors
 * are the flat ones whatever the frame says. Otherwise the frame's selectors
 * go to the CPU as they are (the guest's GDT or LDT may define them): one it
 * refuses makes the exit's iretq fault, and that fault is the guest's
 * (pv_iret_exit_fault), as in Xen. RIP and RSP are not checked either, as
 * in Xen: the exit's iretq refuses a non-canonical RIP (#GP(0), the guest's
 * as above; sysret is never used for one), a RIP in the hypervisor's area is
 * the guest's own page fault once there, and a bad RSP faults at the guest's
 * first use of its stack. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pv_iret.h"
#include "arch/x86_64/trap_bounce.h"
#include "errno.h"
#include "xen.h"

HV_HOT long iret_hypercall(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct cpu_regs *r = hypercall_regs();
    struct vcpu *v = current;
    struct vcpu_info *vi = vcpu_info_of(v);
    struct iret_context c;
    uint64_t cs, ss;

    (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
    if (copy_from_guest(&c, r->rsp, sizeof(c))) {
        domain_crash(v, r, "iret: the iret_context on the guest stack is not readable");
        return 0;
    }
    bool to_user = (c.cs & 3) == 3;

    if (to_user && !v->arch.user_l4) {
        domain_crash(v, r, "iret: to guest user mode with no user page tables");
        return 0;
    }
    cs = (c.cs & 0xffff) | 3;               /* the upper bits may carry a bounce frame's saved mask */
    ss = (c.ss & 0xffff) | 3;
    if (c.flags & VGCF_in_syscall) {        /* a sysret's return, as Xen's: the frame's selectors do not count */
        if (!(to_user && cs == GDT_RING3_CS32))
            cs = GDT_RING3_CS64;
        ss = GDT_RING3_DS;
    }
    if (c.flags & VGCF_in_syscall) {
        r->rcx = c.rip;                     /* as after sysret */
        r->r11 = c.rflags;
    } else {
        r->r11 = c.r11;
        r->rcx = c.rcx;
        exit_needs_iret = 1;                /* RCX and R11 must come back exactly */
    }
    if (to_user)
        vcpu_arch_set_mode(v, true);
    if (v->domain->vm_assist & (1ull << VMASST_TYPE_architectural_iopl))
        v->arch.iopl = (uint8_t)((c.rflags & RFLAGS_IOPL) >> 12);   /* the virtual IOPL */
    r->rip = c.rip;
    r->cs = cs;
    r->rsp = c.rsp;
    r->ss = ss;
    r->rflags = (c.rflags & ~(RFLAGS_IOPL | RFLAGS_VM | RFLAGS_NT)) | RFLAGS_IF | 0x2;
    if (vi)
        vi->evtchn_upcall_mask = !(c.rflags & RFLAGS_IF);
    return (long)c.rax;                     /* RAX of the interrupted context */
}

/* The iretq of the exit path faulted (#NP, #SS, #GP: a selector the CPU
 * refuses; RPL 3 is forced, so it can only ever lead to ring 3): as in Xen,
 * the guest gets that exception with the frame it was returning to as the
 * interrupted context. r is the fault's frame; its RSP points at the iretq
 * frame and its general registers are already the guest's. */
bool pv_iret_exit_fault(struct cpu_regs *r)
{
    const uint64_t *f = (const uint64_t *)r->rsp;   /* rip, cs, rflags, rsp, ss */
    struct vcpu *v = current;

    if (r->rip != (uint64_t)restore_all_iretq || !v || r->vector < 11 || r->vector > 13 || (f[1] & 3) != 3)
        return false;
    r->rip = f[0];
    r->cs = f[1];
    r->rflags = f[2];
    r->rsp = f[3];
    r->ss = f[4];
    if (!pv_bounce_exception(v, r, (unsigned)r->vector, r->error_code, 0))
        domain_crash(v, r, "iret: the frame's selectors faulted, and no handler took the fault");
    return true;
}
