/* mmu_update: a batch of validated page-table writes (MMU_NORMAL_PT_UPDATE,
 * MMU_PT_UPDATE_PRESERVE_AD) and machine-to-phys updates (MMU_MACHPHYS_UPDATE).
 * Each request names the machine address of the entry to write; the frame
 * holding it must be a validated page table of the caller. Long batches stop
 * after about a millisecond and continue where they were. */
#include "core/hypercall.h"
#include "mm/pv_mm.h"
#include "mm/page_type.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"
#include "errno.h"
#include "xen.h"

static int one_update(struct domain *d, struct domain *pg_owner, const struct mmu_update *req, bool *flush)
{
    uint64_t cmd = req->ptr & 7, mfn = req->ptr >> PAGE_SHIFT;
    struct page_info *pg = mfn_to_page(mfn);
    int rc;

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE:        /* a PV guest's values are never translated anyway */
        if (!pg || page_get(mfn, d->id) != 0)
            return -XEN_EINVAL;
        if (pg->type >= PGT_L1 && pg->type <= PGT_L4 && (pg->flags & PGF_VALIDATED)) {
            rc = pv_mm_write_pte(mfn, (req->ptr & (PAGE_SIZE - 1)) >> 3, req->val, pg_owner->id,
                                 cmd == MMU_PT_UPDATE_PRESERVE_AD, flush);
        } else if ((rc = page_get_type(mfn, d->id, PGT_WRITABLE)) == 0) {
            /* An ordinary page: the write needs no validation (as in Xen). */
            frame_map(mfn)[(req->ptr & (PAGE_SIZE - 1)) >> 3] = req->val;
            page_put_type(mfn);
        }
        page_put(mfn);
        return rc;
    case MMU_MACHPHYS_UPDATE:
        if (!pg || page_get(mfn, pg_owner->id) != 0)
            return -XEN_EINVAL;
        m2p_set(mfn, req->val);
        page_put(mfn);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

static int entry_fn(struct domain *d, struct domain *pg_owner, const void *entry, bool *flush)
{
    return one_update(d, pg_owner, entry, flush);
}

long mmu_update_hypercall(uint64_t reqs, uint64_t count, uint64_t pdone, uint64_t foreigndom, uint64_t a5)
{
    (void)a5;
    return pv_mm_run_batch(reqs, count, pdone, foreigndom, true, sizeof(struct mmu_update), entry_fn);
}
