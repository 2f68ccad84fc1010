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

/* One past the lower canonical half. */
#define VA_LOWER_HALF_END 0x0000800000000000ull

/* [gva, gva + len) is guest address space: wholly in the lower canonical
 * half, or wholly above the hypervisor's slots (it may end exactly at 2^64).
 * An empty range is always acceptable. Called on every guest copy, so it is
 * a handful of compares: the upper-half start HV_AREA_END is canonical and
 * everything from there to 2^64 is too. */
static inline bool va_range_guest(uint64_t gva, uint64_t len)
{
    uint64_t end = gva + len;

    if (len == 0)
        return true;
    if (gva >= HV_AREA_END)
        return end > gva || end == 0;
    return end > gva && end <= VA_LOWER_HALF_END;
}

#endif
