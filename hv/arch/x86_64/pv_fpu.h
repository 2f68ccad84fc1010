/* The FPU of PV vCPUs: the guest's virtual CR0.TS (fpu_taskswitch) and each
 * vCPU's own x87/SSE state. */
#ifndef HV_ARCH_PV_FPU_H
#define HV_ARCH_PV_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

struct vcpu;

/* Save the running vCPU's FPU state and load v's (context switch). */
void pv_fpu_switch(struct vcpu *prev, struct vcpu *next);
/* A #NM from the guest: true when it was the hypervisor's (handled
 * silently) or has been delivered to the guest because its virtual TS was set. */
bool pv_fpu_trap(struct vcpu *v, struct cpu_regs *r);

#endif
