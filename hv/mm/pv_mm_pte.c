/* One page-table entry of a guest: finding the L1 that maps an address, and
 * writing an entry as mmu_update does. Pure (no CPU access), shared by
 * mmu_update, update_va_mapping, the grant and LDT code and the writable
 * page-table emulation. */
#include "mm/pv_mm_pte.h"
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "errno.h"

int pv_mm_write_pte(uint64_t table_mfn, unsigned slot, uint64_t val, domid_t owner, bool preserve_ad,
                    bool *flush)
{
    uint64_t old = frame_map(table_mfn)[slot];
    int rc = pt_mod_entry(table_mfn, slot, val, owner, preserve_ad);

    /* A mapping that existed may be cached: it must not outlive the update. */
    if (rc == 0 && (old & PTE_P) && old != frame_map(table_mfn)[slot])
        *flush = true;
    return rc;
}

int pv_mm_find_l1(uint64_t l4_mfn, uint64_t va, uint64_t *l1_mfn, unsigned *slot)
{
    static const unsigned shifts[3] = { 39, 30, 21 };
    uint64_t mfn = l4_mfn;

    for (int level = 0; level < 3; level++) {
        uint64_t e = frame_map(mfn)[(va >> shifts[level]) & 511];
        if (!(e & PTE_P) || (e & PTE_PS))
            return -XEN_EINVAL;
        mfn = pte_mfn(e);
        if (mfn >= frame_table_frames)
            return -XEN_EINVAL;
    }
    *l1_mfn = mfn;
    *slot = (va >> 12) & 511;
    return 0;
}
