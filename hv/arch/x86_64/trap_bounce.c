/* The PV bounce frame. A 64-bit PV kernel is entered on its own stack
 * (16-byte aligned, growing down), lowest address first:
 *     RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 * CS carries the interrupted selector (RPL 0 for the guest kernel, 3 for its
 * user mode) and, in bits 32-39, the event mask saved from vcpu_info; RFLAGS
 * has IF = !saved mask and IOPL 0 (the virtual IOPL under
 * VMASST_TYPE_architectural_iopl). From guest user mode the vCPU first
 * switches to kernel mode (kernel page tables, kernel GS) and the frame goes
 * on the stack given by stack_switch. For a page fault the faulting address
 * is published in vcpu_info.arch.cr2 first. */
#include "arch/x86_64/trap_bounce.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"
#include "xen.h"

static bool has_error_code(unsigned vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

HV_HOT bool pv_bounce(struct vcpu *v, struct cpu_regs *r, uint64_t handler, unsigned flags, uint64_t error)
{
    struct vcpu_info *vi = vcpu_info_of(v);
    uint8_t saved_mask = vi ? vi->evtchn_upcall_mask : 1;
    bool from_user = v->arch.user_mode;
    uint64_t frame[8], rsp, cs = from_user ? (r->cs | 3) : (r->cs & ~3ull);
    unsigned n = 0;
    /* under architectural_iopl the frame shows the virtual IOPL, for iret to give back */
    uint64_t iopl = (v->domain->vm_assist & (1ull << VMASST_TYPE_architectural_iopl)) ?
                    (uint64_t)(v->arch.iopl & 3) << 12 : 0;

    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    if (flags & BOUNCE_ERROR_CODE)
        frame[n++] = error;
    frame[n++] = r->rip;
    frame[n++] = (cs & 0xffff) | ((uint64_t)saved_mask << 32);
    frame[n++] = (r->rflags & ~(RFLAGS_IF | RFLAGS_IOPL)) | (saved_mask ? 0 : RFLAGS_IF) | iopl;
    frame[n++] = r->rsp;
    frame[n++] = r->ss;
    if (from_user) {
        vcpu_arch_set_mode(v, false);
        rsp = v->arch.kernel_sp;
    } else {
        rsp = r->rsp;
    }
    rsp = (rsp & ~0xFull) - n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t)))
        return false;
    if (vi && (flags & BOUNCE_MASK_EVENTS))
        vi->evtchn_upcall_mask = 1;
    r->rip = handler;
    r->cs = GDT_RING3_CS64;
    r->ss = GDT_RING3_DS;
    r->rsp = rsp;
    r->rflags = (r->rflags & ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_VM | RFLAGS_IOPL)) | RFLAGS_IF;
    exit_needs_iret = 0;                    /* the guest's RCX/R11 are in the frame now */
    return true;
}

HV_HOT bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *r, unsigned vector, uint64_t error, uint64_t cr2)
{
    const struct guest_trap *t = &v->arch.traps[vector & 0xff];
    struct vcpu_info *vi = vcpu_info_of(v);
    unsigned flags = has_error_code(vector) ? BOUNCE_ERROR_CODE : 0;

    if (!t->address)
        return false;
    if (vector == 14) {
        /* The guest kernel runs in ring 3, but its own faults are not "user" faults. */
        if (!v->arch.user_mode)
            error &= ~4ull;
        if (vi)
            vi->arch.cr2 = cr2;
    }
    if (t->flags & 4)                       /* the trap asks for events masked */
        flags |= BOUNCE_MASK_EVENTS;
    return pv_bounce(v, r, t->address, flags, error);
}

/* sysret and iretq to a non-canonical RIP fault in ring 0 on real CPUs (the
 * sysret case is the classic privilege-escalation bug); QEMU's TCG does not
 * check it. The address past a `syscall`, or an emulated instruction, that
 * ends at the top of the lower half is one: the guest gets the #GP its own
 * next instruction fetch would have raised, at that address, instead. */
HV_HOT void pv_check_return(struct vcpu *v, struct cpu_regs *r)
{
    if (va_canonical(r->rip))
        return;
    if (!pv_bounce_exception(v, r, 13, 0, 0))
        domain_crash(v, r, "return to a non-canonical RIP, with no #GP handler");
}

HV_HOT void pv_deliver_events(struct vcpu *v, struct cpu_regs *r)
{
    struct vcpu_info *vi = vcpu_info_of(v);

    if (!vi || !vi->evtchn_upcall_pending || vi->evtchn_upcall_mask || !v->arch.event_callback)
        return;
    if (!pv_bounce(v, r, v->arch.event_callback, BOUNCE_MASK_EVENTS, 0))
        domain_crash(v, r, "the event callback frame could not be written to the guest stack");
}
