/* Checking guest segment descriptors: a guest kernel runs in ring 3, so it may
 * describe only ring-3 code and data; a gate or a system segment would let it
 * reach a more privileged ring. */
#include "arch/x86_64/descriptor_check.h"

#define DESC_P      (1ull << 47)
#define DESC_DPL(d) (((d) >> 45) & 3)
#define DESC_S      (1ull << 44)        /* code/data (1) or system (0) */
#define DESC_CODE   (1ull << 43)
#define DESC_L      (1ull << 53)
#define DESC_DB     (1ull << 54)

bool descriptor_ok_for_guest(uint64_t d)
{
    if (!(d & DESC_P))
        return true;
    if (!(d & DESC_S) || DESC_DPL(d) != 3)
        return false;
    if ((d & DESC_CODE) && (d & DESC_L) && (d & DESC_DB))
        return false;                   /* reserved combination */
    return true;
}

bool descriptor_page_ok(const uint64_t *page, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        if (!descriptor_ok_for_guest(page[i]))
            return false;
    return true;
}
