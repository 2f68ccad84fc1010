/* The page-table side of grant mappings (see grant_mm.h): entries of a
 * domain's validated L1 tables that name a granted frame, written and taken
 * away by grant_table_op rather than by mmu_update. The frame references
 * such an entry holds are the ones any L1 entry holds (a general reference,
 * and a WRITABLE type reference when writable), so the mapper's page-table
 * code drops them like any others if the entry is overwritten or its table
 * released. */
#include "mm/grant_mm.h"
#include "mm/pv_mm.h"
#include "mm/page_type.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/guest_access.h"
#include "grant_table.h"

#define PTE_AVAIL_SHIFT 9

uint64_t mm_grant_frame_alloc(domid_t d)
{
    uint64_t mfn = mm_alloc_frame(d);

    if (mfn != INVALID_MFN)
        frame_table[mfn].flags = PGF_XEN_HEAP;      /* count 1: the table's reference */
    return mfn;
}

/* The L1 entry addr names for d (a linear address of its current page
 * tables, or with GNTMAP_contains_pte a machine address), in a validated L1
 * table of d; NULL otherwise. */
static uint64_t *find_entry(struct domain *d, uint64_t addr, uint32_t flags)
{
    uint64_t l1;
    unsigned slot;
    struct page_info *pg;

    if (flags & GNTMAP_contains_pte) {
        if (addr & 7)
            return 0;
        l1 = addr >> PAGE_SHIFT;
        slot = (unsigned)(addr & (PAGE_SIZE - 1)) / 8;
    } else if (!guest_range_ok(addr, 1) || pv_mm_find_l1(current->arch.kernel_l4, addr, &l1, &slot)) {
        return 0;
    }
    pg = mfn_to_page(l1);
    if (!pg || pg->owner != d->id || pg->type != PGT_L1 || !pg->type_count ||
        (pg->flags & (PGF_VALIDATED | PGF_PARTIAL | PGF_RELEASING)) != PGF_VALIDATED)
        return 0;
    return &frame_map(l1)[slot];
}

static void flush(uint64_t addr, uint32_t flags)
{
    if (flags & GNTMAP_contains_pte)
        flush_tlb_local();              /* which address it maps is not known */
    else
        invlpg(addr);
}

int mm_grant_pte_create(struct domain *d, uint64_t addr, uint64_t mfn, uint32_t flags)
{
    uint64_t *e = find_entry(d, addr, flags), pte, old;

    if (!e)
        return GNTST_general_error;
    pte = (mfn << PAGE_SHIFT) | PTE_P | PTE_A | PTE_D | PTE_US |
          (flags & GNTMAP_readonly ? 0 : PTE_RW) |
          ((uint64_t)((flags >> _GNTMAP_guest_avail0) & 7) << PTE_AVAIL_SHIFT) |
          (paging_nx_supported() ? PTE_NX : 0);
    old = __atomic_exchange_n(e, pte, __ATOMIC_SEQ_CST);
    if (old & PTE_P) {
        pt_put_entry(0, old, 1);
        flush(addr, flags);
    }
    return GNTST_okay;
}

int mm_grant_pte_destroy(struct domain *d, uint64_t addr, uint64_t mfn, uint32_t flags, uint64_t new_addr)
{
    uint64_t *e, *from = 0, moved = 0, want = PTE_P | (flags & GNTMAP_readonly ? 0 : PTE_RW);

    if (new_addr) {
        if (flags & GNTMAP_contains_pte)
            return GNTST_general_error;
        /* The entry at new_addr is taken away first, its references kept. */
        if (!(from = find_entry(d, new_addr, 0)))
            return GNTST_general_error;
        moved = __atomic_exchange_n(from, 0, __ATOMIC_SEQ_CST);
        if (moved & PTE_P)
            invlpg(new_addr);
    }
    e = find_entry(d, addr, flags);
    if (!e || pte_mfn(*e) != mfn || ((*e ^ want) & (PTE_P | PTE_RW))) {
        if (moved & PTE_P)
            pt_put_entry(0, moved, 1);  /* as in Xen: the moved entry is dropped */
        return GNTST_general_error;
    }
    __atomic_store_n(e, moved, __ATOMIC_SEQ_CST);
    flush(addr, flags);
    return GNTST_okay;
}
