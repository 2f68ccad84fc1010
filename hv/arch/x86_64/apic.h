/* The boot CPU's local APIC: its timer drives every hypervisor timer
 * (hv/core/timer.h). xAPIC registers through an uncached mapping at
 * HV_APIC_VIRT, or the x2APIC MSRs when the firmware left x2APIC mode on;
 * TSC-deadline mode when CPUID offers it, one-shot mode (divide by 1,
 * calibrated against the TSC) otherwise. */
#ifndef HV_ARCH_APIC_H
#define HV_ARCH_APIC_H

#include <stdint.h>
#include <stdbool.h>

#define APIC_TIMER_VECTOR     0xEF
#define APIC_SPURIOUS_VECTOR  0xFF

/* Enable the APIC (spurious vector, task priority 0), choose the timer mode
 * and calibrate it. Needs the TSC frequency and the hypervisor's page tables.
 * false if there is no usable APIC timer (then nothing ever fires). */
bool apic_init(uint64_t tsc_hz);
/* Interrupt at or after TSC value tsc_deadline (the caller computed it from
 * system time, rounding up); 0 disarms. In one-shot mode a wait longer than
 * the counter holds ends early, at its maximum: the caller re-arms. */
void apic_timer_arm(uint64_t tsc_deadline);
/* Every interrupt vector >= 32, from trap_dispatch(): acknowledges it (EOI,
 * none for the spurious vector) and, for APIC_TIMER_VECTOR, runs the expired
 * timers. Interrupts stay off. */
void apic_irq(unsigned vector);

/* What apic_init found (for the log and docs/time.md). */
struct apic_info {
    bool present, x2apic, tsc_deadline;
    uint64_t base_pa;
    uint64_t timer_hz;        /* one-shot mode: counter ticks per second */
    uint32_t id, version;
};
extern struct apic_info apic_info;

#endif
