/* The time stamp counter as the hypervisor's clock source. */
#ifndef HV_ARCH_TSC_H
#define HV_ARCH_TSC_H

#include <stdint.h>
#include <stdbool.h>

/* Find the TSC frequency: CPUID leaves where the CPU or KVM give it, the PIT
 * otherwise (median of three 5 ms runs). 0 if nothing worked; *source names
 * where the figure came from. */
uint64_t tsc_calibrate(const char **source);
/* CPUID says the TSC runs at a constant rate in every power state. */
bool tsc_invariant(void);
/* CPUID says the local APIC timer has TSC-deadline mode. */
bool tsc_deadline_supported(void);

#endif
