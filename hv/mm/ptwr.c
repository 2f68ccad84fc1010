/* Writable page tables: which faulting writes are page-table writes, and
 * applying one entry through the same path as mmu_update (pv_mm_write_pte).
 * As in Xen 4.17 only L1 tables are written this way: a write to an L2..L4
 * stays the guest's page fault. */
#include "mm/ptwr.h"
#include "mm/pv_mm_pte.h"
#include "mm/page_type.h"
#include "mm/frame_table.h"
#include "arch/x86_64/page.h"

int ptwr_target(domid_t d, uint64_t l4_mfn, uint64_t va, uint64_t *l1_mfn)
{
    uint64_t table, pte, mfn;
    unsigned slot;
    const struct page_info *pg;

    if (!l4_mfn || pv_mm_find_l1(l4_mfn, va, &table, &slot) != 0)
        return -1;
    pte = frame_map(table)[slot];
    if ((pte & (PTE_P | PTE_RW)) != PTE_P)
        return -1;
    mfn = pte_mfn(pte);
    pg = mfn_to_page(mfn);
    if (!pg || pg->owner != d || pg->count == 0 || pg->type != PGT_L1 ||
        !(pg->flags & PGF_VALIDATED) || pg->type_count == 0)
        return -1;
    *l1_mfn = mfn;
    return 0;
}

uint64_t ptwr_read(uint64_t l1_mfn, unsigned slot)
{
    return frame_map(l1_mfn)[slot & (PT_ENTRIES - 1)];
}

int ptwr_update(domid_t d, uint64_t l1_mfn, unsigned slot, uint64_t val, bool cmpxchg,
                uint64_t expect, uint64_t *found, bool *flush)
{
    uint64_t cur = frame_map(l1_mfn)[slot];

    /* As in Xen, a compare that fails looks no further: the new value is
     * not checked, nothing is written. */
    if (cmpxchg && cur != expect) {
        *found = cur;
        return 1;
    }
    pt_work_begin();                /* one slice of work per fault (a release the write needs) */
    return pv_mm_write_pte(l1_mfn, slot, val, d, false, flush);
}
