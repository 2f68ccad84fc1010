/* GNTTABOP_transfer: the caller gives one of its frames away to a domain
 * that offered an entry of type GTF_accept_transfer to it. As in Xen 4.17
 * for PV domains: the frame must hold nothing but its allocation; once taken
 * from the caller it is gone from it whatever happens next (a refusal
 * further on frees it); the receiver's entry gets the frame number and
 * GTF_transfer_committed, then GTF_transfer_completed, and the frame
 * appears in the receiver's M2P at the pfn the entry named. */
#include "grant/grant_priv.h"
#include "errno.h"

#define ATTEMPTS 5

union grant_word {
    uint32_t raw;
    struct { uint16_t flags; domid_t domid; } f;
};

/* Commit entry ref of rgt to a transfer from domain `from`: true if it was
 * an accept-transfer entry for it. */
static bool commit(struct grant_table *rgt, grant_ref_t ref, domid_t from)
{
    uint32_t *word;
    union grant_word cur, next;

    if (ref >= grant_nr_entries(rgt))
        return false;
    word = (uint32_t *)(void *)grant_shared_entry(rgt, ref);
    cur.raw = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    for (unsigned attempt = 0;; attempt++) {
        if (cur.f.flags != GTF_accept_transfer || cur.f.domid != from)
            return false;
        next = cur;
        next.f.flags |= GTF_transfer_committed;
        if (__atomic_compare_exchange_n(word, &cur.raw, next.raw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return true;
        if (attempt + 1 == ATTEMPTS)
            return false;
    }
}

int grant_op_transfer(struct grant_table *self, const struct gnttab_transfer *op)
{
    struct grant_table *rgt;
    struct grant_entry_v1 *e;
    uint64_t mfn = op->mfn;
    int rc;

    if ((rc = grant_env_steal(self->domid, mfn)) != 0)
        return rc == -XEN_EINVAL ? GNTST_bad_page : GNTST_general_error;
    rgt = op->domid == self->domid ? self : grant_env_lookup(op->domid);
    if (!rgt) {
        grant_env_free_stolen(mfn);
        return GNTST_bad_domain;
    }
    if (!grant_env_has_room(rgt->domid) || !commit(rgt, op->ref, self->domid)) {
        grant_env_free_stolen(mfn);
        return GNTST_general_error;
    }
    e = grant_shared_entry(rgt, op->ref);
    grant_env_assign(rgt->domid, mfn, __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST));
    __atomic_store_n(&e->frame, (uint32_t)mfn, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&e->flags, (uint16_t)GTF_transfer_completed, __ATOMIC_SEQ_CST);
    return GNTST_okay;
}
