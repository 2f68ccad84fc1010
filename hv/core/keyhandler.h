/* The hypervisor's debug keys: what a key typed on the serial line does
 * while input goes to the hypervisor (hv/core/console_input.h). A small set
 * in the spirit of Xen's: 'h' lists them. Every line they print is a
 * "(XEN) " log line. They run from the serial interrupt, where the
 * hypervisor's structures are consistent (the interrupt comes from a guest
 * or from the idle wait, never from the middle of a hypercall). */
#ifndef HV_CORE_KEYHANDLER_H
#define HV_CORE_KEYHANDLER_H

#include "arch/x86_64/regs.h"

/* r: the interrupted frame, NULL if none (the running vCPU's registers are
 * there when it came from a guest). Unknown keys are ignored. */
void keyhandler_key(char key, const struct cpu_regs *r);

#endif
