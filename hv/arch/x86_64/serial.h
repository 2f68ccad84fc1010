/* 16550 UART driver for the hypervisor console (COM1 by default). */
#ifndef HV_ARCH_SERIAL_H
#define HV_ARCH_SERIAL_H

#include <stdint.h>
#include <stdbool.h>

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_DEFAULT_BAUD 115200

void serial_init(uint16_t io_base, uint32_t baud);
void serial_putc(char c);
bool serial_present(void);
/* Raise the UART's interrupt when a byte arrives (its IRQ must be routed:
 * hv/arch/x86_64/ioapic.h). */
void serial_rx_enable(void);
/* The next received byte (0..255), or -1 when none waits. */
int serial_getc(void);

#endif
