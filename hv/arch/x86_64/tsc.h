/* The time stamp counter as the hypervisor's clock source. */
#ifndef HV_ARCH_TSC_H
#define HV_ARCH_TSC_H

#include <stdint.h>

/* Find the TSC frequency: CPUID leaves where the CPU or KVM give it, the PIT otherwise. */
uint64_t tsc_calibrate(const char **source);

#endif
