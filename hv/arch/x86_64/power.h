/* Turning the machine off or restarting it. */
#ifndef HV_ARCH_POWER_H
#define HV_ARCH_POWER_H

#include <stdint.h>
#include <stdbool.h>

/* Off, or reset for SHUTDOWN_reboot (and for crash/watchdog unless
 * opt_noreboot), telling QEMU's isa-debug-exit device the
 * reason when the machine is QEMU. Never returns. */
__attribute__((noreturn)) void machine_power_off(int reason);
/* After a hypervisor panic: stop here (telling QEMU so, when under QEMU). */
__attribute__((noreturn)) void machine_halt_after_panic(void);
bool machine_is_qemu(void);
/* Where the ACPI RSDP is, if the boot loader gave us a copy. */
void power_set_rsdp(const uint8_t *rsdp, unsigned len);
/* The I/O ports power-off and reset use: PM1a/PM1b control blocks and the
 * ACPI reset register when it is an I/O port; and the PM timer's, which Xen
 * keeps from dom0 too (0: none). false without ACPI. */
bool power_io_ports(uint16_t *pm1a_cnt, uint16_t *pm1b_cnt, uint16_t *reset_port, uint16_t *pm_tmr);
/* Machine options from the command line. */
extern bool opt_noreboot;

#endif
