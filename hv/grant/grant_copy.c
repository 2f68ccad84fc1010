/* GNTTABOP_copy: bytes from one frame to another, either side named by a
 * grant reference (of any domain that granted it to the caller) or, for the
 * caller's own memory only, by frame number. Each op takes what it needs
 * (a pin on the grant, references on the frame, a WRITABLE type on the
 * destination), copies, and lets go again: a copy leaves nothing behind. */
#include "grant/grant_priv.h"
#include "lib/string.h"
#include "errno.h"

struct side {
    struct grant_table *gt;     /* the domain named */
    bool have_grant, have_type;
    grant_ref_t ref;
    uint64_t mfn;
};

/* Xen's acquire for copy (version 1): pin the entry for a read (source) or
 * a write (destination) by the caller, and take a reference on its frame. */
static int acquire(struct grant_table *self, struct side *s, grant_ref_t ref, bool ro)
{
    struct grant_table *rgt = s->gt;
    struct grant_entry_v1 *e;
    struct grant_active *act;
    uint32_t inc = ro ? GRANT_PIN_HR : GRANT_PIN_HW, old;
    int rc;

    if (ref >= grant_nr_entries(rgt))
        return GNTST_bad_gntref;
    e = grant_shared_entry(rgt, ref);
    act = grant_active_entry(rgt, ref);
    if (act->pin && (act->domid != self->domid || GRANT_PIN_FULL(act->pin, inc)))
        return GNTST_general_error;
    old = act->pin;
    if (!old || (!ro && !(old & GRANT_PIN_WRITERS))) {
        uint64_t mfn;

        if ((rc = grant_entry_acquire(e, act, ro, false, self->domid)) != GNTST_okay)
            return rc;
        mfn = __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST);
        if (grant_env_page_get(mfn, rgt->domid)) {
            grant_entry_reduce(e, act, ro);
            return GNTST_bad_page;
        }
        if (!old) {
            act->domid = self->domid;
            act->mfn = mfn;
        } else if (act->mfn != mfn) {
            /* The guest changed the frame of an entry in use. */
            grant_env_page_put(mfn);
            grant_entry_reduce(e, act, ro);
            return GNTST_general_error;
        }
    } else if (grant_env_page_get(act->mfn, rgt->domid)) {
        grant_entry_reduce(e, act, ro);
        return GNTST_bad_domain;
    }
    if (!act->pin)
        rgt->pinned++;
    act->pin += inc;
    s->have_grant = true;
    s->ref = ref;
    s->mfn = act->mfn;
    return GNTST_okay;
}

static void release(struct grant_table *self, struct side *s, bool ro)
{
    if (s->have_grant) {
        struct grant_active *act = grant_active_entry(s->gt, s->ref);

        act->pin -= ro ? GRANT_PIN_HR : GRANT_PIN_HW;
        grant_entry_reduce(grant_shared_entry(s->gt, s->ref), act, ro);
        if (!act->pin)
            grant_unpinned(self, s->gt);
    }
    if (s->have_type)
        grant_env_page_put_writable(s->mfn);
    if (s->have_grant || s->mfn != ~0ull)
        grant_env_page_put(s->mfn);
}

/* Both domains are looked up before the rule that only the caller's own
 * frames may be named by number is applied (what Xen 4.17 as shipped
 * answers: a missing domain on either side is GNTST_bad_domain first). */
static int lock_domains(struct grant_table *self, const struct gnttab_copy *op, struct side *src, struct side *dst)
{
    src->gt = op->source.domid == DOMID_SELF || op->source.domid == self->domid ? self
            : grant_env_lookup(op->source.domid);
    dst->gt = op->dest.domid == DOMID_SELF || op->dest.domid == self->domid ? self
            : grant_env_lookup(op->dest.domid);
    if (!src->gt || !dst->gt)
        return GNTST_bad_domain;
    if ((op->source.domid != DOMID_SELF && !(op->flags & GNTCOPY_source_gref)) ||
        (op->dest.domid != DOMID_SELF && !(op->flags & GNTCOPY_dest_gref)))
        return GNTST_permission_denied;
    return GNTST_okay;
}

static int claim(struct grant_table *self, struct side *s, const struct gnttab_copy_ptr *p, bool is_gref, bool ro)
{
    int rc;

    if (is_gref) {
        if ((rc = acquire(self, s, p->u.ref, ro)) != GNTST_okay)
            return rc;
    } else {
        if (grant_env_page_get(p->u.gmfn, s->gt->domid))
            return GNTST_bad_page;
        s->mfn = p->u.gmfn;
    }
    if (!ro) {
        rc = grant_env_page_get_writable(s->mfn, s->gt->domid);
        if (rc == -XEN_ERESTART)
            return GRANT_RESTART;
        if (rc)
            return GNTST_general_error;
        s->have_type = true;
    }
    return GNTST_okay;
}

int grant_op_copy(struct grant_table *self, const struct gnttab_copy *op)
{
    struct side src = { .mfn = ~0ull }, dst = { .mfn = ~0ull };
    int rc;

    if ((rc = lock_domains(self, op, &src, &dst)) != GNTST_okay)
        return rc;
    if ((rc = claim(self, &src, &op->source, op->flags & GNTCOPY_source_gref, true)) != GNTST_okay)
        goto out;
    if ((rc = claim(self, &dst, &op->dest, op->flags & GNTCOPY_dest_gref, false)) != GNTST_okay)
        goto out;
    /* Version 1 grants are whole pages, so the page is the only bound. */
    if ((uint32_t)op->source.offset + op->len > GRANT_PAGE_SIZE ||
        (uint32_t)op->dest.offset + op->len > GRANT_PAGE_SIZE) {
        rc = GNTST_bad_copy_arg;
        goto out;
    }
    memmove((char *)grant_env_frame(dst.mfn) + op->dest.offset,
            (const char *)grant_env_frame(src.mfn) + op->source.offset, op->len);
out:
    release(self, &dst, false);
    release(self, &src, true);
    return rc;
}
