/* Serial input, as Xen hands it out: to the hypervisor's debug keys
 * (hv/core/keyhandler.h) or to dom0, which reads it with CONSOLEIO_read
 * when VIRQ_CONSOLE tells it that some waits. Input goes to the hypervisor
 * until dom0 starts, then to dom0; CTRL-a three times in a row switches
 * between the two (the three are eaten; fewer reach their receiver).
 *
 * The bytes come from COM1's receive interrupt (ISA IRQ 4 through the I/O
 * APIC, hv/arch/x86_64/ioapic.h). Interrupts are off in the hypervisor but
 * for the idle wait, and there is one physical CPU: the interrupt and the
 * hypercall never run at once, so the ring needs no lock. */
#ifndef HV_CORE_CONSOLE_INPUT_H
#define HV_CORE_CONSOLE_INPUT_H

#include <stdint.h>
#include "arch/x86_64/regs.h"

#define CONSOLE_INPUT_RING 16384        /* bytes waiting for dom0, as Xen's serial_rx ring */
#define CONSOLE_INPUT_SWITCH 0x01       /* CTRL-a */

/* Route the serial line's interrupt and let the UART raise it (with the
 * boot loader's RSDP copy to find the I/O APIC). Before dom0 starts. */
void console_input_init(const uint8_t *rsdp, unsigned rsdp_len);
/* dom0 is about to run: input goes to it from now on (one log line). */
void console_input_start(void);
/* The serial vector: take every byte the UART holds. r is the interrupted
 * frame (the running vCPU's registers when it came from a guest). */
void console_input_interrupt(const struct cpu_regs *r);
/* One received byte, as if it came from the line (the interrupt's work;
 * apart so that the logic reads on its own). */
void console_input_byte(char c, const struct cpu_regs *r);
/* CONSOLEIO_read for the hardware domain: up to count bytes to the guest
 * buffer; the number copied (0 when none waits), -XEN_E2BIG for a count
 * that does not fit an int, -XEN_EFAULT for a buffer that takes nothing. */
long console_input_read(uint32_t count, uint64_t buffer);
/* For the debug keys: bytes waiting, bytes dropped because the ring was full. */
void console_input_stats(uint32_t *waiting, uint64_t *dropped);

#endif
