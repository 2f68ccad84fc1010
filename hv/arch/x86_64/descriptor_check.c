/* Checking guest segment descriptors (descriptor_check.h): a guest kernel
 * runs in ring 3, so its code and data segments are made ring-3 ones; a
 * gate or a system segment would let it reach a more privileged ring. */
#include "arch/x86_64/descriptor_check.h"

#define DESC_P      (1ull << 47)
#define DESC_DPL    (3ull << 45)
#define DESC_S      (1ull << 44)        /* code/data (1) or system (0) */
#define DESC_TYPE   (0xFull << 40)

bool descriptor_fixup_for_guest(uint64_t *d)
{
    uint64_t v = *d;

    if (!(v & DESC_P))
        return true;
    if (v & DESC_S) {
        *d = v | DESC_DPL;              /* DPL 3 whatever it was: the only ring the guest has */
        return true;
    }
    return (v & DESC_TYPE) == 0;        /* the upper half of a gate; anything else refused */
}

bool descriptor_page_fixup(uint64_t *page, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        if (!descriptor_fixup_for_guest(&page[i]))
            return false;
    return true;
}
