/* GNTTABOP_cache_flush: write back (and invalidate) the cache lines of part
 * of a frame the caller owns or has mapped through a grant. On x86, as in
 * Xen 4.17, a bare invalidate is not offered (-EOPNOTSUPP) and clean, or
 * clean and invalidate, write the lines back.
 *
 * Finding whether the caller holds a grant of another domain's frame means
 * searching that domain's entries: 4096 at a time, the position kept in
 * *cur_ref (the hypercall continues with it in the command's upper bits). */
#include "grant/grant_priv.h"
#include "errno.h"

#define SEARCH_STEP 4096u

/* Does self hold a grant of frame mfn from rgt? 0 yes, 1 not yet (search
 * continues from *cur_ref), -XEN_EINVAL no. */
static int search(struct grant_table *self, struct grant_table *rgt, uint64_t mfn, grant_ref_t *cur_ref)
{
    uint32_t end = grant_nr_entries(rgt), stop = *cur_ref + SEARCH_STEP;

    if (stop > end)
        stop = end;
    for (grant_ref_t ref = *cur_ref; ref < stop; ref++) {
        const struct grant_active *act = grant_active_entry(rgt, ref);
        if (act->pin && act->domid == self->domid && act->mfn == mfn)
            return 0;
    }
    if (stop < end) {
        *cur_ref = stop;
        return 1;
    }
    return -XEN_EINVAL;
}

int grant_op_cache_flush(struct grant_table *self, const struct gnttab_cache_flush *op, grant_ref_t *cur_ref)
{
    uint64_t mfn;
    struct grant_table *owner;
    int rc = 0;

    if (op->offset >= GRANT_PAGE_SIZE || op->length > GRANT_PAGE_SIZE ||
        (uint32_t)op->offset + op->length > GRANT_PAGE_SIZE ||
        (op->op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)))
        return -XEN_EINVAL;
    if (op->length == 0 || op->op == 0)
        return *cur_ref ? -XEN_EILSEQ : 0;
    mfn = op->a.dev_bus_addr >> 12;
    if (!grant_env_frame_valid(mfn))
        return -XEN_EINVAL;
    if (!(owner = grant_env_frame_owner_get(mfn)))
        return -XEN_EPERM;
    if (owner != self && (rc = search(self, owner, mfn, cur_ref)) != 0) {
        grant_env_page_put(mfn);
        return rc;
    }
    if (op->op == GNTTAB_CACHE_INVAL)
        rc = -XEN_EOPNOTSUPP;
    else
        grant_env_cache_flush(mfn, op->offset, op->length);
    grant_env_page_put(mfn);
    return rc;
}
