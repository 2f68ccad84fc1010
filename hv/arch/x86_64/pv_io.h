/* A PV guest's I/O privilege: the virtual IOPL and I/O bitmap its kernel
 * sets with physdev_op, and the emulation of in/out/ins/outs and cli/sti
 * they allow (pv_emulate_io.c). */
#ifndef HV_ARCH_PV_IO_H
#define HV_ARCH_PV_IO_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

struct vcpu;

/* At boot, after ACPI is reachable: the ports the hypervisor keeps from the
 * hardware domain (ioport_policy.h), with the serial console at serial_base. */
void pv_io_init(uint16_t serial_base);
/* A #GP at an I/O instruction (in, out, ins, outs, any size and form) or at
 * cli/sti: when the virtual IOPL (or, for I/O, the bitmap) allows it, it is
 * emulated and true returned (r updated; a fault on the guest memory of
 * ins/outs is delivered to the guest). false: not such an instruction, or
 * not allowed: the #GP stands. */
bool pv_emulate_io(struct vcpu *v, struct cpu_regs *r);

#endif
