/* HYPERVISOR_iret's frame on the way out (pv_iret.c). */
#ifndef HV_ARCH_PV_IRET_H
#define HV_ARCH_PV_IRET_H

#include <stdbool.h>
#include "arch/x86_64/regs.h"

/* The exit path's iretq (entry.asm). */
extern char restore_all_iretq[];
/* A fault in the hypervisor at that iretq, caused by the guest's selectors:
 * delivered to the guest (r becomes the guest's frame). false: not one. */
bool pv_iret_exit_fault(struct cpu_regs *r);

#endif
