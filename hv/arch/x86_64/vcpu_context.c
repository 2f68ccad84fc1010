/* VCPUOP_initialise: a secondary vCPU's first register context, from the
 * 64-bit PV struct vcpu_guest_context.
 *
 * The order of the checks is Xen 4.17's, so that a context with several
 * faults is refused with the same error: first every address that must be
 * canonical (-EINVAL), the LDT's shape, the GDT's frame count, the need for
 * a user L4 outside kernel mode; then the frames, which take references:
 * the GDT frames (as set_gdt), the kernel L4 (a general reference, -EINVAL
 * if the frame is not the domain's, then an L4 type reference, whose error
 * is the page-type code's), the user L4 likewise, the LDT (as
 * MMUEXT_SET_LDT). A refusal at any step lets go of everything taken
 * before it: the vCPU is left exactly as it was, without a context.
 *
 * What the context carries and where it goes: the general registers, RIP,
 * RSP and RFLAGS (IOPL becomes the virtual IOPL, IF is forced on: events are
 * masked through vcpu_info, never through the real flag), CS and SS with RPL
 * 3 forced (a 64-bit PV kernel runs in ring 3), the virtual IDT (trap_ctxt,
 * indexed by vector), the kernel stack (kernel_ss/kernel_sp, as
 * stack_switch), the event, failsafe and syscall callbacks with the
 * VGCF_*_disables_events flags, the FS and both GS bases, the debug
 * registers (each through set_debugreg's checks; one it refuses stays at its
 * reset value, as Xen ignores those errors), CR0.TS (ctrlreg[0]).
 *
 * Not taken (left at their start values): the FPU image (VGCF_i387_valid),
 * CR4 (ctrlreg[4]) and vm_assist (Xen reads it only for vCPU 0, which
 * always has a context here). */
#include "core/domain.h"
#include "arch/x86_64/vcpu_context.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ldt.h"
#include "arch/x86_64/va.h"
#include "mm/page_type.h"
#include "lib/string.h"
#include "callback.h"
#include "errno.h"
#include "xen.h"

#define CTX_LDT_MAX_ENTRIES 8192
#define CTX_GDT_MAX_FRAMES  16       /* gdt_frames[] in the public structure */

/* Every address of the context that the CPU or the hypervisor would use as
 * a guest virtual address is canonical, and the LDT has a usable shape. */
static int check_addresses(const struct vcpu_guest_context *c)
{
    if (!va_canonical(c->user_regs.rip) || !va_canonical(c->user_regs.rsp) ||
        !va_canonical(c->kernel_sp) || (c->ldt_ents && !va_canonical(c->ldt_base)) ||
        !va_canonical(c->fs_base) || !va_canonical(c->gs_base_kernel) ||
        !va_canonical(c->gs_base_user) || !va_canonical(c->event_callback_eip) ||
        !va_canonical(c->syscall_callback_eip) || !va_canonical(c->failsafe_callback_eip))
        return -XEN_EINVAL;
    for (unsigned i = 0; i < 256; i++)
        if (!va_canonical(c->trap_ctxt[i].address))
            return -XEN_EINVAL;
    if (c->ldt_base && !guest_range_ok(c->ldt_base, 1))
        return -XEN_EINVAL;
    if ((c->ldt_base & (PAGE_SIZE - 1)) || c->ldt_ents > CTX_LDT_MAX_ENTRIES)
        return -XEN_EINVAL;
    if ((c->gdt_ents + 511) / 512 > CTX_GDT_MAX_FRAMES)
        return -XEN_EINVAL;
    if (!(c->flags & VGCF_in_kernel) && !c->ctrlreg[1])
        return -XEN_EINVAL;
    return 0;
}

/* A general and an L4 type reference on the frame of cr3 (a guest's CR3
 * value). Not the domain's frame: -EINVAL; not usable as an L4: the page-type
 * code's error. */
static int take_l4(struct domain *d, uint64_t cr3, uint64_t *mfn_out)
{
    uint64_t mfn = xen_cr3_to_pfn(cr3);
    int rc;

    if (page_get(mfn, d->id) != 0)
        return -XEN_EINVAL;
    if ((rc = page_get_type(mfn, d->id, PGT_L4)) != 0) {
        page_put(mfn);
        return rc;
    }
    *mfn_out = mfn;
    return 0;
}

/* Registers and the state that holds no references. */
static void load_plain_state(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *u = &c->user_regs;
    struct cpu_regs *r = &v->regs;
    struct vcpu_arch *a = &v->arch;

    r->r15 = u->r15; r->r14 = u->r14; r->r13 = u->r13; r->r12 = u->r12;
    r->rbp = u->rbp; r->rbx = u->rbx; r->r11 = u->r11; r->r10 = u->r10;
    r->r9 = u->r9;   r->r8 = u->r8;   r->rax = u->rax; r->rcx = u->rcx;
    r->rdx = u->rdx; r->rsi = u->rsi; r->rdi = u->rdi;
    r->rip = u->rip;
    r->rsp = u->rsp;
    r->cs = u->cs | 3;                       /* ring 3 whatever RPL the guest wrote */
    r->ss = u->ss | 3;
    a->iopl = (uint8_t)((u->rflags & RFLAGS_IOPL) >> 12);
    r->rflags = (u->rflags & ~RFLAGS_IOPL) | RFLAGS_IF | 0x2;
    r->vector = r->error_code = 0;

    for (unsigned i = 0; i < 256; i++) {
        a->traps[i].address = c->trap_ctxt[i].address;
        a->traps[i].flags = c->trap_ctxt[i].flags;
    }
    a->kernel_ss = c->kernel_ss | 3;
    a->kernel_sp = c->kernel_sp;
    a->event_callback = c->event_callback_eip;
    a->failsafe_callback = c->failsafe_callback_eip;
    a->syscall_callback = c->syscall_callback_eip;
    a->event_flags = 0;
    a->failsafe_flags = (c->flags & VGCF_failsafe_disables_events) ? CALLBACKF_mask_events : 0;
    a->syscall_flags = (c->flags & VGCF_syscall_disables_events) ? CALLBACKF_mask_events : 0;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    a->fpu_ts = (c->ctrlreg[0] & CR0_TS) != 0;
    a->user_mode = !(c->flags & VGCF_in_kernel);

    /* Reset values first: a value set_debugreg refuses leaves them. */
    memset(a->debugreg, 0, sizeof(a->debugreg));
    a->debugreg[6] = 0xFFFF0FF0ull;
    a->debugreg[7] = 0x400ull;
    for (unsigned i = 0; i < 8; i++)
        if (i != 4 && i != 5)
            (void)pv_debugreg_set(v, i, c->debugreg[i]);
}

int vcpu_context_import(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct domain *d = v->domain;
    uint64_t kernel_l4 = 0, user_l4 = 0;
    int rc;

    if ((rc = check_addresses(c)) != 0)
        return rc;
    if ((rc = pv_gdt_set(v, c->gdt_frames, c->gdt_ents)) != 0)
        return rc;
    if ((rc = take_l4(d, c->ctrlreg[3], &kernel_l4)) != 0)
        goto fail;
    if (c->ctrlreg[1] && (rc = take_l4(d, c->ctrlreg[1], &user_l4)) != 0)
        goto fail;
    /* Installed before the LDT: its pages are found through these tables. */
    page_put_typed(vcpu_arch_set_kernel_l4(v, kernel_l4));
    page_put_typed(vcpu_arch_set_user_l4(v, user_l4));
    if (c->ldt_ents && (rc = ldt_set(v, c->ldt_base, (uint32_t)c->ldt_ents)) != 0) {
        page_put_typed(vcpu_arch_set_kernel_l4(v, 0));
        page_put_typed(vcpu_arch_set_user_l4(v, 0));
        pv_gdt_release(v);
        return rc;
    }
    load_plain_state(v, c);
    /* The mode's L4 becomes the vCPU's CR3 (user tables outside kernel mode). */
    vcpu_arch_use_tables(v, !v->arch.user_mode);
    return 0;
fail:
    page_put_typed(kernel_l4);
    page_put_typed(user_l4);
    pv_gdt_release(v);
    return rc;
}
