/* General and type references, pinning. The checks of individual entries and
 * the validation of whole tables are in page_type_validate.c.
 *
 * Counting scheme (see page_type.h): every type reference comes with a
 * general reference held by the same user, so a frame with type_count > 0
 * always has count > 0 as well, and releasing a table (which only drops
 * references of frames below it) can never free the table itself. */
#include "mm/page_type.h"
#include "errno.h"
#include "xen.h"

static bool is_domain_id(domid_t d)
{
    return d < DOMID_FIRST_RESERVED;
}

int page_get(uint64_t mfn, domid_t d)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || !is_domain_id(d) || pg->owner != d || !(pg->flags & PGF_ALLOCATED))
        return -XEN_EINVAL;
    if (pg->count == UINT32_MAX)
        return -XEN_EOVERFLOW;
    /* A frame given without being zeroed is zeroed before anything can
     * reach its contents: every mapping, table use or hypervisor access by
     * frame number takes a reference first. */
    if (pg->flags & PGF_SCRUB) {
        mm_scrub_frame(mfn);
        pg->flags &= (uint8_t)~PGF_SCRUB;
    }
    pg->count++;
    return 0;
}

void page_put(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->count == 0)          /* an unbalanced put: keep the count sane */
        return;
    if (--pg->count == 0 && !(pg->flags & PGF_ALLOCATED))
        mm_page_released(mfn);
}

int page_get_type(uint64_t mfn, domid_t d, enum page_type t)
{
    struct page_info *pg = mfn_to_page(mfn);
    uint8_t old_type;
    int rc;

    if (!pg || !is_domain_id(d) || pg->owner != d || pg->count == 0)
        return -XEN_EINVAL;
    if (t != PGT_WRITABLE && !pgt_is_table(t) && t != PGT_SEG_DESC)
        return -XEN_EINVAL;
    /* The hypervisor writes a PGF_XEN_HEAP frame (shared_info) itself: the
     * guest may map it, but it must never become a table of any kind. */
    if ((pg->flags & PGF_XEN_HEAP) && t != PGT_WRITABLE)
        return -XEN_EINVAL;

    if (pg->type_count > 0) {
        if (pg->type != t)
            return -XEN_EINVAL;
        /* A table of this type whose validation is still under way cannot be
         * named from below it (levels only go down); refuse it all the same. */
        if (pgt_is_table(t) && !(pg->flags & PGF_VALIDATED))
            return -XEN_EINVAL;
        if (pg->type_count == UINT32_MAX)
            return -XEN_EOVERFLOW;
        pg->type_count++;
        return 0;
    }

    /* type_count == 0: the type may change. Translations cached from the
     * frame's previous use must not outlive it:
     *  - a frame that was WRITABLE may still be reachable through a stale
     *    writable TLB entry of a mapping removed earlier, which must not
     *    survive into its life as a table (or descriptor table);
     *  - a frame that was a page table (PGF_TLB_STALE) may still be used by
     *    the CPU's cached page walks, which must not see it change into a
     *    writable page or a table of another kind. */
    old_type = pg->type;
    if ((old_type == PGT_WRITABLE && t != PGT_WRITABLE) || (pg->flags & PGF_TLB_STALE)) {
        mm_tlb_flush();
        pg->flags &= (uint8_t)~PGF_TLB_STALE;
    }
    pg->type = (uint8_t)t;
    pg->type_count = 1;                 /* set first: the frame cannot be mapped RW meanwhile */
    pg->flags &= (uint8_t)~PGF_VALIDATED;
    if (pgt_is_table(t)) {
        rc = pt_validate_table(mfn, pgt_level(t), d);
        if (rc != 0) {
            pg->type = old_type;
            pg->type_count = 0;
            return rc;
        }
        pg->flags |= PGF_VALIDATED;
    }
    return 0;
}

void page_put_type(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->type_count == 0)     /* an unbalanced put: keep the count sane */
        return;
    if (--pg->type_count > 0 || !pgt_is_table(pg->type))
        return;
    /* The last user of the table is gone: release what its entries hold
     * (lower tables whose own count drops to 0 are released in turn, at
     * most three levels further down). */
    if (pg->flags & PGF_VALIDATED) {
        pg->flags &= (uint8_t)~PGF_VALIDATED;
        pg->flags |= PGF_TLB_STALE;     /* flushed before the frame's next use */
        pt_release_table(mfn, pgt_level(pg->type));
    }
    pg->type = PGT_NONE;
}

int pt_pin(uint64_t mfn, domid_t d, enum page_type level)
{
    int rc;

    if (!pgt_is_table(level))
        return -XEN_EINVAL;
    rc = page_get(mfn, d);
    if (rc != 0)
        return rc;
    if (frame_table[mfn].flags & PGF_PINNED) {
        page_put(mfn);
        return -XEN_EINVAL;
    }
    rc = page_get_type(mfn, d, level);
    if (rc != 0) {
        page_put(mfn);
        return rc;
    }
    frame_table[mfn].flags |= PGF_PINNED;
    return 0;
}

int pt_unpin(uint64_t mfn, domid_t d)
{
    struct page_info *pg = mfn_to_page(mfn);

    /* No PGF_ALLOCATED check: a table whose allocation was given up while
     * pinned must still be unpinnable (the unpin then frees it). */
    if (!pg || !is_domain_id(d) || pg->owner != d || !(pg->flags & PGF_PINNED))
        return -XEN_EINVAL;
    pg->flags &= (uint8_t)~PGF_PINNED;
    page_put_type(mfn);
    page_put(mfn);
    return 0;
}
