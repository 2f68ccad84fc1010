/* x86_64 PV state of a vCPU that is not in its register frame. */
#ifndef HV_ARCH_VCPU_ARCH_H
#define HV_ARCH_VCPU_ARCH_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/regs.h"

struct guest_trap {
    uint64_t address;        /* 0: no handler */
    uint8_t flags;           /* TI_* : DPL and mask-events bit */
};

struct vcpu_arch {
    uint64_t cr3;                    /* machine address of the guest kernel's L4 */
    struct guest_trap traps[256];
    uint64_t event_callback, failsafe_callback, syscall_callback;
};

struct vcpu;
/* Set up the PV start-of-day register state. */
void vcpu_arch_init(struct vcpu *v, uint64_t entry, uint64_t stack, uint64_t start_info, uint64_t cr3);
/* Make v the running vCPU: load its address space and its registers into frame. */
void vcpu_arch_switch_to(struct vcpu *v, struct cpu_regs *frame);
/* The exit frame at the top of the hypervisor stack. */
struct cpu_regs *vcpu_arch_exit_frame(void);
__attribute__((noreturn)) void vcpu_arch_enter(struct cpu_regs *frame);
/* Where the hypervisor runs when no guest does. */
void vcpu_arch_leave_guest_space(void);

#endif
