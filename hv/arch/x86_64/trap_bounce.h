/* Entering a PV guest kernel: exceptions through its virtual IDT, events
 * through its event callback, user-mode syscalls through its syscall
 * callback, all with the PV bounce frame. */
#ifndef HV_ARCH_TRAP_BOUNCE_H
#define HV_ARCH_TRAP_BOUNCE_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

struct vcpu;

#define BOUNCE_ERROR_CODE  (1u << 0)    /* the frame carries an error code */
#define BOUNCE_MASK_EVENTS (1u << 1)    /* set the event mask on entry */

/* Build the bounce frame for the interrupted context r on the guest kernel
 * stack (switching to guest kernel mode first if r was user mode) and point r
 * at handler. false when the frame cannot be written. */
bool pv_bounce(struct vcpu *v, struct cpu_regs *r, uint64_t handler, unsigned flags, uint64_t error);
/* An exception, through the virtual IDT: false when there is no handler or
 * the frame cannot be written (the caller crashes the domain). */
bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *r, unsigned vector, uint64_t error, uint64_t cr2);
/* On the way back to a guest: enter its event callback if an event is
 * pending and events are not masked. A frame that cannot be written crashes
 * the domain. */
void pv_deliver_events(struct vcpu *v, struct cpu_regs *r);

#endif
