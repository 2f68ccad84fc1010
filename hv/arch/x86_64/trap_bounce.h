/* Delivering exceptions to a PV guest kernel through its virtual IDT. */
#ifndef HV_ARCH_TRAP_BOUNCE_H
#define HV_ARCH_TRAP_BOUNCE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

struct vcpu;

/* Build the PV bounce frame for `vector` on the guest kernel stack and point
 * the frame at the guest's handler. false when the guest has no handler for
 * it or the frame could not be written (the caller crashes the domain). */
bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *r, unsigned vector, uint64_t error, uint64_t cr2);

#endif
