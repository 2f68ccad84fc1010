/* Virtual-address checks shared by everything that takes an address from a
 * guest: canonical form, and the hypervisor's reserved range. Pure. */
#ifndef HV_ARCH_VA_H
#define HV_ARCH_VA_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/layout.h"

/* Bits 63..47 all equal: an address the CPU accepts. */
static inline bool va_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static inline bool va_in_hv_area(uint64_t va)
{
    return va >= HV_AREA_START && va < HV_AREA_END;
}

#endif
