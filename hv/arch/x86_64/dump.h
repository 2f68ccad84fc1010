/* Register dumps for crash reports. */
#ifndef HV_ARCH_DUMP_H
#define HV_ARCH_DUMP_H

#include "arch/x86_64/regs.h"

void dump_regs(const struct cpu_regs *r);
/* Registers, CR2/CR3 and the instruction bytes at the guest's RIP. */
void dump_guest_state(const struct cpu_regs *r);
/* Registers, instruction bytes and a frame-pointer backtrace of the hypervisor. */
void dump_hv_state(const struct cpu_regs *r);
const char *exception_name(unsigned vector);

#endif
