/* Entering and switching PV vCPUs on x86_64. */
#include "core/domain.h"
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/pv_emulate.h"
#include "arch/x86_64/page.h"
#include "lib/string.h"
#include "mm/page_type.h"
#include "arch/x86_64/ldt.h"
#include "arch/x86_64/pv_fpu.h"

extern void exit_to_guest(struct cpu_regs *frame) __attribute__((noreturn));

static struct vcpu *fpu_owner;           /* whose state the FPU registers hold */
static struct vcpu *bases_owner;         /* whose FS/GS bases the CPU holds */

void vcpu_arch_init(struct vcpu *v, uint64_t entry, uint64_t stack, uint64_t start_info, uint64_t l4_mfn)
{
    memset(&v->regs, 0, sizeof(v->regs));
    memset(&v->arch, 0, sizeof(v->arch));
    v->regs.rip = entry;
    v->regs.rsp = stack;
    v->regs.rsi = start_info;
    v->regs.cs = GDT_RING3_CS64;
    v->regs.ss = GDT_RING3_DS;
    /* IF is always set in ring 3: event delivery is governed by the
     * virtual mask in vcpu_info, not by the real interrupt flag. */
    v->regs.rflags = RFLAGS_IF | 0x2;
    v->arch.debugreg[6] = 0xFFFF0FF0ull;     /* the registers' reset values */
    v->arch.debugreg[7] = 0x400ull;
    v->arch.kernel_l4 = l4_mfn;
    v->arch.cr3 = l4_mfn << PAGE_SHIFT;
}

/* CR3 only ever holds an L4 the vCPU holds a validated type reference on
 * (kernel_l4, user_l4), or the hypervisor's own idle tables: a mode whose L4
 * is missing (no path should get there) runs on those, where every guest
 * access faults, rather than on whatever frame 0 holds. */
static void load_cr3(struct vcpu *v)
{
    uint64_t l4 = v->arch.user_mode ? v->arch.user_l4 : v->arch.kernel_l4;

    v->arch.cr3 = l4 ? l4 << PAGE_SHIFT : paging_idle_cr3();
    if (v == current && read_cr3() != v->arch.cr3)
        write_cr3(v->arch.cr3);
}

void vcpu_arch_use_tables(struct vcpu *v, bool kernel)
{
    bool user = v->arch.user_mode;

    v->arch.user_mode = !kernel;
    load_cr3(v);
    v->arch.user_mode = user;
}

uint64_t vcpu_arch_set_kernel_l4(struct vcpu *v, uint64_t l4_mfn)
{
    uint64_t old = v->arch.kernel_l4;

    v->arch.kernel_l4 = l4_mfn;
    load_cr3(v);
    return old;
}

uint64_t vcpu_arch_set_user_l4(struct vcpu *v, uint64_t l4_mfn)
{
    uint64_t old = v->arch.user_l4;

    v->arch.user_l4 = l4_mfn;
    if (v->arch.user_mode)
        load_cr3(v);
    return old;
}

/* With CR4.FSGSBASE the guest writes its FS base and current GS base
 * itself (wrfsbase, wrgsbase): the CPU's values are the true ones while the
 * vCPU's bases are loaded. */
void vcpu_arch_sync_bases(struct vcpu *v)
{
    if (v != bases_owner || !v->arch.cr4_fsgsbase)
        return;
    v->arch.fs_base = rdmsr(MSR_FS_BASE);
    if (v->arch.user_mode)
        v->arch.gs_base_user = rdmsr(MSR_GS_BASE);
    else
        v->arch.gs_base_kernel = rdmsr(MSR_GS_BASE);
}

/* The GS base the CPU uses is the current mode's; the other waits in the
 * vCPU (the guest cannot run swapgs: it is privileged). */
void vcpu_arch_set_mode(struct vcpu *v, bool user)
{
    vcpu_arch_sync_bases(v);
    v->arch.user_mode = user;
    load_cr3(v);
    if (v == current)
        wrmsr(MSR_GS_BASE, user ? v->arch.gs_base_user : v->arch.gs_base_kernel);
}

static void drop_l4(uint64_t mfn)
{
    if (mfn) {
        page_put_type(mfn);
        page_put(mfn);
    }
}

void vcpu_arch_release_tables(struct vcpu *v)
{
    if (fpu_owner == v)
        fpu_owner = 0;
    if (bases_owner == v)
        bases_owner = 0;
    ldt_release(v);
    pv_gdt_release(v);
    if (v == current)
        vcpu_arch_leave_guest_space();
    drop_l4(v->arch.kernel_l4);
    drop_l4(v->arch.user_l4);
    v->arch.kernel_l4 = v->arch.user_l4 = 0;
    v->arch.cr3 = paging_idle_cr3();
}

struct cpu_regs *vcpu_arch_exit_frame(void)
{
    return (struct cpu_regs *)(cpu_stack_top() - sizeof(struct cpu_regs));
}

void vcpu_arch_switch_to(struct vcpu *v, struct cpu_regs *frame)
{
    if (read_cr3() != v->arch.cr3)
        write_cr3(v->arch.cr3);
    ldt_load(v);
    gdt_load_guest_frames(v->arch.gdt_mfns, v->arch.gdt_pages);
    pv_fpu_switch(fpu_owner, v);
    debugreg_load(v);
    fpu_owner = v;
    if (bases_owner)
        vcpu_arch_sync_bases(bases_owner);
    bases_owner = v;
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.user_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
    pv_msr_switch_to(v);
    pv_cr4_switch_to(v);
    pv_xsave_switch_to(v);
    *frame = v->regs;
    /* The incoming vCPU may have been interrupted at any instruction: its
     * RCX and R11 must come back exactly, which sysret cannot do. Without
     * this, a switch made on the way out of another vCPU's hypercall (whose
     * entry chose the sysret exit) handed the interrupted vCPU RCX = RIP and
     * R11 = RFLAGS (found by guests/hostile_domu's victim: its fill loop's
     * counter in RCX). */
    exit_needs_iret = 1;
}

void vcpu_arch_enter(struct cpu_regs *frame)
{
    exit_to_guest(frame);
}

void vcpu_arch_leave_guest_space(void)
{
    write_cr3(paging_idle_cr3());
}
