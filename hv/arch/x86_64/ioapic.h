/* The I/O APIC, used for one thing: the serial line's receive interrupt
 * (ISA IRQ 4 for COM1) goes to the boot CPU at a vector of its own. Every
 * other input stays as the firmware left it (masked). The legacy 8259 PICs
 * are masked at start (cpu_init.c). */
#ifndef HV_ARCH_IOAPIC_H
#define HV_ARCH_IOAPIC_H

#include <stdint.h>
#include <stdbool.h>

#define IOAPIC_SERIAL_VECTOR 0xE4       /* below the APIC timer's 0xEF */

/* Route ISA IRQ isa_irq (as the MADT reached from the boot loader's RSDP
 * copy, or the BIOS area's, says it is wired) to vector on the boot CPU's
 * local APIC, unmasked. false, with a log line, when there is no MADT, no
 * I/O APIC for it or no local APIC. */
bool ioapic_route_isa_irq(const uint8_t *rsdp, unsigned rsdp_len, unsigned isa_irq, unsigned vector);

#endif
