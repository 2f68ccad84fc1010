/* The PV bounce frame. A 64-bit PV kernel receives an exception on its own
 * stack (16-byte aligned, growing down), lowest address first:
 *     RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 * where CS carries the interrupted selector with its RPL cleared and, in bits
 * 32-39, the event mask saved from vcpu_info; RFLAGS has IF = !saved mask and
 * IOPL 0. The kernel's handler starts with RCX and R11 popped, leaving what a
 * native exception frame would be. For a page fault the faulting address is
 * published in vcpu_info.arch.cr2 first. */
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

bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *r, unsigned vector, uint64_t error, uint64_t cr2)
{
    const struct guest_trap *t = &v->arch.traps[vector & 0xff];
    struct vcpu_info *vi = v->domain->shared_info ? &v->domain->shared_info->vcpu_info[v->id] : 0;
    uint8_t saved_mask = vi ? vi->evtchn_upcall_mask : 1;
    uint64_t frame[8], rsp;
    unsigned n = 0;

    if (!t->address)
        return false;
    if (vector == 14)
        error &= ~4ull;     /* the guest kernel runs in ring 3, but its faults are not "user" faults */
    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    if (has_error_code(vector))
        frame[n++] = error;
    frame[n++] = r->rip;
    frame[n++] = (r->cs & ~3ull) | ((uint64_t)saved_mask << 32);
    frame[n++] = (r->rflags & ~(RFLAGS_IF | RFLAGS_IOPL)) | (saved_mask ? 0 : RFLAGS_IF);
    frame[n++] = r->rsp;
    frame[n++] = r->ss;
    rsp = (r->rsp & ~0xFull) - n * sizeof(uint64_t);
    if (copy_to_guest(rsp, frame, n * sizeof(uint64_t)))
        return false;
    if (vector == 14 && vi)
        vi->arch.cr2 = cr2;
    if (vi && (t->flags & 4))                  /* the trap asks for events masked */
        vi->evtchn_upcall_mask = 1;
    r->rip = t->address;
    r->cs = GDT_RING3_CS64;
    r->ss = GDT_RING3_DS;
    r->rsp = rsp;
    r->rflags = (r->rflags & ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_VM | RFLAGS_IOPL)) | RFLAGS_IF;
    return true;
}
