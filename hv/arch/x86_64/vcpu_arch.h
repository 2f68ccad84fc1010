/* x86_64 PV state of a vCPU that is not in its register frame. */
#ifndef HV_ARCH_VCPU_ARCH_H
#define HV_ARCH_VCPU_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/vmce.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/va.h"

struct guest_trap {
    uint64_t address;        /* 0: no handler */
    uint8_t flags;           /* TI_* : DPL and mask-events bit */
};

struct vcpu_arch {
    bool user_mode;                  /* the guest runs its user space (user L4, user GS) */
    uint64_t cr3;                    /* machine address of the L4 loaded while the vCPU runs */
    uint64_t kernel_l4, user_l4;     /* frames of the kernel and user L4s (0: none); each
                                        holds a general and an L4 type reference */
    struct guest_trap traps[256];
    uint64_t event_callback, failsafe_callback, syscall_callback, nmi_callback;
    uint8_t event_flags, failsafe_flags, syscall_flags;   /* CALLBACKF_mask_events */
    uint64_t kernel_ss, kernel_sp;   /* stack_switch: where user-to-kernel frames go */
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint64_t tsc_aux;                /* MSR_TSC_AUX (rdtscp), loaded while the vCPU runs */
    uint64_t misc_features_enables;  /* MSR_MISC_FEATURES_ENABLES as the guest wrote it */
    struct vmce vmce;                /* the virtual machine-check MSRs (vmce.c) */
    bool fpu_ts;                     /* the guest's virtual CR0.TS (fpu_taskswitch) */
    bool cr4_tsd;                    /* the guest's CR4.TSD: rdtsc faults in its user mode */
    bool cr4_fsgsbase;               /* the guest's CR4.FSGSBASE: rd/wr{fs,gs}base allowed */
    bool cr4_osxsave;                /* the guest's CR4.OSXSAVE: its xsetbv is emulated */
    bool cr4_de;                     /* the guest's CR4.DE: DR4/DR5 no longer alias DR6/DR7 */
    uint64_t xcr0;                   /* the guest's XCR0 (0: x87|SSE, the start value) */
    bool fpu_used;                   /* fpu holds a state to restore */
    uint8_t fpu[512] __attribute__((aligned(16)));   /* FXSAVE image while not running */
    uint64_t debugreg[8];
    uint64_t ldt_base;               /* MMUEXT_SET_LDT: guest address and size */
    uint32_t ldt_ents, ldt_pages;
    uint64_t ldt_mfns[16];           /* the descriptor pages it holds */
    uint32_t gdt_ents, gdt_pages;    /* set_gdt: the vCPU's own GDT frames */
    uint64_t gdt_mfns[14];
    uint8_t iopl;                    /* PHYSDEVOP_set_iopl (or iret under architectural_iopl): 0-3 */
    uint64_t iobmp;                  /* PHYSDEVOP_set_iobitmap: guest address of the bitmap */
    uint32_t iobmp_limit;            /* ports it covers (0: no bitmap) */
};

struct vcpu;
/* Set up the PV start-of-day register state; l4_mfn's references are taken by the caller. */
void vcpu_arch_init(struct vcpu *v, uint64_t entry, uint64_t stack, uint64_t start_info, uint64_t l4_mfn);
/* Install a new kernel (or user) L4 whose references the caller holds; returns
 * the previous one (0: none), whose references pass back to the caller. */
uint64_t vcpu_arch_set_kernel_l4(struct vcpu *v, uint64_t l4_mfn);
uint64_t vcpu_arch_set_user_l4(struct vcpu *v, uint64_t l4_mfn);
/* Drop the references of both L4s (domain destruction). */
void vcpu_arch_release_tables(struct vcpu *v);
/* set_gdt state: drop v's GDT frames. */
void pv_gdt_release(struct vcpu *v);
/* set_gdt for v: `entries` descriptors in the frames mfns[0..], each taken
 * as a descriptor page (all or none); 0 or Xen's error. */
int pv_gdt_set(struct vcpu *v, const uint64_t *mfns, uint64_t entries);
/* set_debugreg for v (register 0-7 as the hypercall takes it): 0 or Xen's error. */
int pv_debugreg_set(struct vcpu *v, unsigned reg, uint64_t value);
/* Debug registers: load v's into the CPU; record DR6 after a #DB. */
void debugreg_load(const struct vcpu *v);
void debugreg_note_trap(struct vcpu *v);
/* The single-step flag (DR6.BS) of a step the hypervisor made for v. */
void debugreg_note_step(struct vcpu *v);
/* On the way out to v: a return RIP that is not canonical (an instruction
 * ending at the top of the lower half) becomes a #GP for the guest. */
void pv_check_return(struct vcpu *v, struct cpu_regs *frame);
/* Switch the running vCPU between guest kernel and guest user mode: page
 * tables and GS base follow. */
void vcpu_arch_set_mode(struct vcpu *v, bool user);
/* Reads back the FS/GS bases a guest with CR4.FSGSBASE may have written
 * itself, if the CPU holds v's (before the hypervisor uses or replaces them). */
void vcpu_arch_sync_bases(struct vcpu *v);
/* Load the kernel's (kernel true) or the user's page tables without changing
 * v's mode (the GS base stays): for a look at guest kernel memory from user
 * mode; call again with !v->arch.user_mode to go back. */
void vcpu_arch_use_tables(struct vcpu *v, bool kernel);
/* Is v in guest kernel mode (the only mode that makes hypercalls)? */
static inline bool vcpu_arch_in_kernel_mode(const struct vcpu_arch *a) { return !a->user_mode; }
/* Make v the running vCPU: load its address space and its registers into frame. */
void vcpu_arch_switch_to(struct vcpu *v, struct cpu_regs *frame);
/* May this frame leave by sysret (flat 64-bit selectors, canonical RIP)? */
static inline bool arch_frame_sysret_ok(const struct cpu_regs *r)
{
    return r->cs == GDT_RING3_CS64 && r->ss == GDT_RING3_DS && va_canonical(r->rip);
}
/* The exit frame at the top of the hypervisor stack. */
struct cpu_regs *vcpu_arch_exit_frame(void);
__attribute__((noreturn)) void vcpu_arch_enter(struct cpu_regs *frame);
/* Where the hypervisor runs when no guest does. */
void vcpu_arch_leave_guest_space(void);

#endif
