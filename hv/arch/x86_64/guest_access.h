/* Copying between the hypervisor and the running guest's virtual memory.
 * Every guest pointer goes through these: the range is checked to be guest
 * address space (canonical, outside the hypervisor's slots), and a fault
 * while copying is caught and reported instead of crashing the hypervisor.
 * They sit on every trap and hypercall path, so they are inline. */
#ifndef HV_ARCH_GUEST_ACCESS_H
#define HV_ARCH_GUEST_ACCESS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "arch/x86_64/va.h"
#include "errno.h"

/* Raw copy with fault recovery; returns the number of bytes NOT copied. */
size_t arch_copy_checked(void *dst, const void *src, size_t len);

static inline bool guest_range_ok(uint64_t gva, size_t len)
{
    return va_range_guest(gva, len);
}

/* 0 on success, -EFAULT (Xen's number, negative) otherwise. */
static inline int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    if (!guest_range_ok(gva, len) || arch_copy_checked(dst, (const void *)gva, len))
        return -XEN_EFAULT;
    return 0;
}

static inline int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    if (!guest_range_ok(gva, len) || arch_copy_checked((void *)gva, src, len))
        return -XEN_EFAULT;
    return 0;
}

/* Fault recovery table, filled by the assembler (.ex_table section). */
struct ex_entry { uint64_t insn, fixup; };
uint64_t ex_table_lookup(uint64_t rip);

#endif
