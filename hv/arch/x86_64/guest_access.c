/* Guest pointer validation and checked copies. */
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/va.h"
#include "arch/x86_64/layout.h"
#include "errno.h"

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

bool guest_range_ok(uint64_t gva, size_t len)
{
    uint64_t last;

    if (len == 0)
        return true;
    if (gva + len - 1 < gva)
        return false;
    last = gva + len - 1;
    if (!va_canonical(gva) || !va_canonical(last))
        return false;
    /* Both ends canonical and no wrap: a range that crosses the hole would
     * have one end on each side; refuse it too. */
    if ((gva >> 63) != (last >> 63))
        return false;
    return last < HV_AREA_START || gva >= HV_AREA_END;
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    if (!guest_range_ok(gva, len))
        return -XEN_EFAULT;
    return arch_copy_checked(dst, (const void *)gva, len) ? -XEN_EFAULT : 0;
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    if (!guest_range_ok(gva, len))
        return -XEN_EFAULT;
    return arch_copy_checked((void *)gva, src, len) ? -XEN_EFAULT : 0;
}

uint64_t ex_table_lookup(uint64_t rip)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}
