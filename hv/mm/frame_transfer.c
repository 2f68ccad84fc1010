/* Moving a frame between domains (GNTTABOP_transfer): taken from one
 * domain only when nothing but its allocation holds it, then given to the
 * receiver with its contents, or freed. */
#include "mm/grant_mm.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "errno.h"

int mm_frame_steal(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!d || !pg || pg->owner != d->id || pg->count != 1 || pg->type_count ||
        (pg->flags & (PGF_ALLOCATED | PGF_XEN_HEAP | PGF_PARTIAL | PGF_RELEASING)) != PGF_ALLOCATED)
        return -XEN_EINVAL;
    /* A former page table may still be in the TLB's cached walks. */
    if (pg->flags & PGF_TLB_STALE)
        mm_tlb_flush();
    *pg = (struct page_info){ .owner = OWNER_XEN, .flags = pg->flags & PGF_SCRUB };   /* held by the hypervisor */
    if (d->nr_pages)
        d->nr_pages--;
    return 0;
}

void mm_frame_assign(struct domain *d, uint64_t mfn, uint64_t pfn)
{
    struct page_info *pg = &frame_table[mfn];

    *pg = (struct page_info){ .owner = d->id, .count = 1, .flags = PGF_ALLOCATED | (pg->flags & PGF_SCRUB) };
    domain_note_frame(d->id, mfn);
    d->nr_pages++;
    m2p_set(mfn, pfn);
}

bool mm_frame_is_ram(uint64_t mfn)
{
    return mfn_to_page(mfn) != 0;
}
