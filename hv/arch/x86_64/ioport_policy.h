/* Which I/O ports the hardware domain may really reach (pure: no port is
 * touched here). Like Xen, dom0 starts with every port and loses the ones the
 * hypervisor keeps for itself: a fixed list (PIC, PIT and its channel-2 gate,
 * RTC/CMOS, the keyboard controller's reset line, PCI configuration, QEMU's
 * isa-debug-exit and fw_cfg) plus the ports found at boot (the serial console,
 * the ACPI PM1 control blocks and reset register, and the ACPI PM timer,
 * which Xen keeps from dom0 too). Any other domain gets no real port at all. */
#ifndef HV_ARCH_IOPORT_POLICY_H
#define HV_ARCH_IOPORT_POLICY_H

#include <stdint.h>
#include <stdbool.h>

#define IOPORT_POLICY_MAX_EXTRA 8

struct ioport_range {
    uint16_t first, last;               /* inclusive */
};

struct ioport_policy {
    struct ioport_range extra[IOPORT_POLICY_MAX_EXTRA];
    unsigned nr_extra;
};

/* An empty list of boot-time ranges (the fixed list always applies). */
void ioport_policy_init(struct ioport_policy *p);
/* Keep [first, first + count) for the hypervisor; count 0 adds nothing.
 * false when the list is full or the range wraps past port 0xffff. */
bool ioport_policy_deny(struct ioport_policy *p, uint16_t first, unsigned count);
/* May the hardware domain reach every port of [port, port + bytes)? */
bool ioport_policy_dom0_may(const struct ioport_policy *p, unsigned port, unsigned bytes);
/* The fixed list, for documentation and tests. */
extern const struct ioport_range ioport_policy_fixed[];
extern const unsigned ioport_policy_nr_fixed;

#endif
