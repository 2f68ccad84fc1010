/* General and type references, pinning, and the two in-between states of a
 * page table (PGF_PARTIAL, PGF_RELEASING; see page_type.h). The checks of
 * individual entries and the validation of whole tables are in
 * page_type_validate.c.
 *
 * Counting scheme (see page_type.h): every type reference comes with a
 * general reference held by the same user, so a frame with type_count > 0
 * always has count > 0 as well. A partial or releasing table holds one more
 * general reference itself, so it is never freed while its entries still
 * hold references. */
#include "mm/page_type.h"
#include "errno.h"
#include "xen.h"

uint32_t pt_work;
uint32_t pt_work_limit = UINT32_MAX;

/* Work units of the costlier steps, against one per entry. */
#define WORK_SCRUB 16           /* zeroing a frame */
#define WORK_FREE  16           /* a frame back to the allocator (a TLB flush) */

static bool is_domain_id(domid_t d)
{
    return d < DOMID_FIRST_RESERVED;
}

int page_get(uint64_t mfn, domid_t d)
{
    struct page_info *pg = mfn_to_page(mfn);

    /* A frame its owner gave back (PGF_ALLOCATED gone) can still be named
     * while something holds it: it counts against the owner until its last
     * reference goes, as in Xen. */
    if (!pg || !is_domain_id(d) || pg->owner != d || pg->count == 0)
        return -XEN_EINVAL;
    if (pg->count == UINT32_MAX)
        return -XEN_EOVERFLOW;
    /* A frame given without being zeroed is zeroed before anything can
     * reach its contents: every mapping, table use or hypervisor access by
     * frame number takes a reference first. */
    if (pg->flags & PGF_SCRUB) {
        mm_scrub_frame(mfn);
        pg->flags &= (uint8_t)~PGF_SCRUB;
        pt_work += WORK_SCRUB;
    }
    pg->count++;
    return 0;
}

int page_get_typed(uint64_t mfn, domid_t d, enum page_type t)
{
    int rc = page_get(mfn, d);

    if (rc == 0 && (rc = page_get_type(mfn, d, t)) != 0)
        page_put(mfn);
    return rc;
}

void page_put_typed(uint64_t mfn)
{
    if (mfn) {
        page_put_type(mfn);
        page_put(mfn);
    }
}

void page_put(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->count == 0)          /* an unbalanced put: keep the count sane */
        return;
    if (--pg->count == 0 && !(pg->flags & PGF_ALLOCATED)) {
        pt_work += WORK_FREE;
        mm_page_released(mfn);
    }
}

/* A table with entries [0, nr_held) holding references and one general
 * reference of its own goes on its owner's release list. */
static void start_release(uint64_t mfn, struct page_info *pg)
{
    uint32_t *head = mm_release_list(pg->owner);

    pg->type_count = 0;
    pg->flags = (uint8_t)((pg->flags & ~(PGF_VALIDATED | PGF_PARTIAL)) | PGF_RELEASING);
    pg->next = *head;
    *head = (uint32_t)(mfn + 1);
}

/* Carry on validating a PGF_PARTIAL table for a caller that holds its own
 * general reference: on success the caller inherits the type reference; on
 * failure what is held is released and the frame's own references go. */
static int continue_validation(uint64_t mfn, struct page_info *pg, domid_t d)
{
    int rc = pt_validate_table(mfn, pgt_level(pg->type), d);

    if (rc == 0) {
        pg->flags = (uint8_t)((pg->flags & ~PGF_PARTIAL) | PGF_VALIDATED);
        page_put(mfn);                  /* the frame's own: the caller holds one */
    } else if (rc != -XEN_ERESTART) {
        if (pg->nr_held) {
            start_release(mfn, pg);     /* keeps its own general reference until done */
        } else {
            pg->flags &= (uint8_t)~PGF_PARTIAL;
            pg->type = PGT_NONE;
            pg->type_count = 0;
            page_put(mfn);
        }
    }
    return rc;
}

int page_get_type(uint64_t mfn, domid_t d, enum page_type t)
{
    struct page_info *pg = mfn_to_page(mfn);
    int rc;

    if (!pg || !is_domain_id(d) || pg->owner != d || pg->count == 0)
        return -XEN_EINVAL;
    if (t != PGT_WRITABLE && !pgt_is_table(t) && t != PGT_SEG_DESC)
        return -XEN_EINVAL;
    /* The hypervisor writes a PGF_XEN_HEAP frame (shared_info) itself: the
     * guest may map it, but it must never become a table of any kind. */
    if ((pg->flags & PGF_XEN_HEAP) && t != PGT_WRITABLE)
        return -XEN_EINVAL;
    /* A frame still being released gets a type only once that is done; a
     * frame whose users may be tables still being released is judged once
     * they are gone (a type request never fails on account of work that is
     * merely pending). */
    if (((pg->flags & PGF_RELEASING) ||
         ((pg->type_count > 0 || (pg->flags & PGF_PARTIAL)) && pg->type != t && pt_release_pending(d))) &&
        (rc = pt_release_run(d)) != 0)
        return rc;
    if (pg->flags & PGF_PARTIAL)
        return pg->type == t ? continue_validation(mfn, pg, d) : -XEN_EINVAL;

    if (pg->type_count > 0) {
        if (pg->type != t)
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
    if ((pg->type == PGT_WRITABLE && t != PGT_WRITABLE) || (pg->flags & PGF_TLB_STALE)) {
        mm_tlb_flush();
        pg->flags &= (uint8_t)~PGF_TLB_STALE;
    }
    pg->type = (uint8_t)t;
    pg->type_count = 1;                 /* set first: the frame cannot be mapped RW meanwhile */
    pg->flags &= (uint8_t)~PGF_VALIDATED;
    if (!pgt_is_table(t))
        return 0;
    pg->flags |= PGF_PARTIAL;
    pg->nr_held = 0;
    pg->count++;                        /* the partial table's own reference */
    return continue_validation(mfn, pg, d);
}

void page_put_type(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->type_count == 0)     /* an unbalanced put: keep the count sane */
        return;
    if (--pg->type_count > 0 || !pgt_is_table(pg->type))
        return;
    /* The last user of the table is gone: what its entries hold is
     * released from the list, one piece of work at a time. */
    if (pg->flags & PGF_VALIDATED) {
        pg->nr_held = PT_ENTRIES;
        pg->count++;                    /* the releasing table's own reference */
        start_release(mfn, pg);
    } else {
        pg->type = PGT_NONE;
    }
}

void pt_abandon(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || !(pg->flags & PGF_PARTIAL))
        return;
    if (pg->nr_held) {
        start_release(mfn, pg);
    } else {
        pg->flags &= (uint8_t)~PGF_PARTIAL;
        pg->type = PGT_NONE;
        pg->type_count = 0;
        page_put(mfn);
    }
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
