/* GNTTABOP_map_grant_ref, unmap_grant_ref and unmap_and_replace: the
 * checks and their order, pins, references and handles as Xen 4.17 has them
 * for a PV caller (see grant_priv.h for who holds what). */
#include "grant/grant_priv.h"
#include "errno.h"

#define MAP_KINDS (GNTMAP_host_map | GNTMAP_device_map)

static uint32_t pin_increment(uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;
    uint32_t inc = 0;

    if (flags & GNTMAP_device_map)
        inc += ro ? GRANT_PIN_DR : GRANT_PIN_DW;
    if (flags & GNTMAP_host_map)
        inc += ro ? GRANT_PIN_HR : GRANT_PIN_HW;
    return inc;
}

/* The references one mapping takes on the granted frame (undone in reverse
 * on failure): a general reference for the mapping, another when it is both
 * a device and a host mapping, and a WRITABLE type reference for each
 * writable kind. */
struct refs { uint64_t mfn; unsigned general, typed; };

static void refs_drop(struct refs *r)
{
    while (r->typed) {
        grant_env_page_put_writable(r->mfn);
        r->typed--;
    }
    while (r->general) {
        grant_env_page_put(r->mfn);
        r->general--;
    }
}

/* 0, GNTST_general_error, or GRANT_RESTART. */
static int writable(struct refs *r, domid_t owner)
{
    int rc = grant_env_page_get_writable(r->mfn, owner);

    if (rc == -XEN_ERESTART)
        return GRANT_RESTART;
    if (rc)
        return GNTST_general_error;
    r->typed++;
    return 0;
}

static int take_refs(struct refs *r, uint32_t flags, domid_t owner)
{
    bool ro = flags & GNTMAP_readonly;
    int rc;

    if (grant_env_page_get(r->mfn, owner))
        return GNTST_general_error;
    r->general++;
    if ((flags & GNTMAP_device_map) && !ro && (rc = writable(r, owner)))
        return rc;
    if (flags & GNTMAP_host_map) {
        if (flags & GNTMAP_device_map) {
            if (grant_env_page_get(r->mfn, owner))
                return GNTST_general_error;
            r->general++;
        }
        if (!ro && (rc = writable(r, owner)))
            return rc;
    }
    return 0;
}

int grant_op_map(struct grant_table *self, struct gnttab_map_grant_ref *op)
{
    uint32_t inc = pin_increment(op->flags), handle;
    struct grant_table *rgt;
    struct grant_entry_v1 *e;
    struct grant_active *act;
    struct grant_mapping *mt;
    struct refs r = { 0 };
    bool ro = op->flags & GNTMAP_readonly, fresh;
    int rc;

    if (!inc)
        return GNTST_bad_gntref;
    /* By id only: DOMID_SELF names no domain here, as in Xen. */
    rgt = op->dom == self->domid ? self : grant_env_lookup(op->dom);
    if (!rgt)
        return GNTST_bad_domain;
    if ((handle = grant_maptrack_get(self)) == GRANT_MT_NONE)
        return GNTST_no_space;
    if (op->ref >= grant_nr_entries(rgt)) {
        rc = GNTST_bad_gntref;
        goto put_handle;
    }
    e = grant_shared_entry(rgt, op->ref);
    act = grant_active_entry(rgt, op->ref);
    if (act->pin && (act->domid != self->domid || GRANT_PIN_FULL(act->pin, inc))) {
        rc = GNTST_general_error;
        goto put_handle;
    }
    fresh = !act->pin;
    if (fresh || (!ro && !(act->pin & GRANT_PIN_WRITERS))) {
        if ((rc = grant_entry_acquire(e, act, ro, true, self->domid)) != GNTST_okay)
            goto put_handle;
        if (fresh) {
            /* A PV granter names a machine frame; it must be one of its own. */
            uint64_t mfn = __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST);
            if (grant_env_page_get(mfn, rgt->domid)) {
                rc = GNTST_bad_page;
                grant_entry_reduce(e, act, ro);
                goto put_handle;
            }
            grant_env_page_put(mfn);        /* take_refs below takes the mapping's own */
            act->domid = self->domid;
            act->mfn = mfn;
        }
    }
    if (!act->pin)
        rgt->pinned++;
    act->pin += inc;
    r.mfn = act->mfn;
    if ((rc = take_refs(&r, op->flags, rgt->domid)) != 0)
        goto undo;
    if ((op->flags & GNTMAP_host_map) &&
        (rc = grant_env_pte_create(op->host_addr, r.mfn, op->flags)) != GNTST_okay)
        goto undo;
    mt = grant_maptrack_entry(self, handle);
    mt->domid = rgt->domid;
    mt->ref = op->ref;
    mt->flags = (uint16_t)(op->flags & 0x1F);
    /* A host mapping's references now belong to its page-table entry; the
     * rest to the handle. */
    op->dev_bus_addr = grant_bus_addr(r.mfn);
    op->handle = handle;
    return GNTST_okay;

undo:
    refs_drop(&r);
    act->pin -= inc;
    if (!act->pin)
        grant_unpinned(self, rgt);
    grant_entry_reduce(e, act, ro);
put_handle:
    grant_maptrack_put(self, handle);
    return rc;
}

int grant_op_unmap(struct grant_table *self, uint64_t host_addr, uint64_t dev_bus_addr, uint32_t handle,
                   uint64_t new_addr, struct grant_unmap_done *d)
{
    struct grant_mapping *mt;
    struct grant_table *rgt;
    struct grant_active *act;
    uint16_t flags;
    int rc;

    *d = (struct grant_unmap_done){ 0 };
    if (handle >= self->maptrack_limit || !(flags = (mt = grant_maptrack_entry(self, handle))->flags))
        return GNTST_bad_handle;
    rgt = mt->domid == self->domid ? self : grant_env_lookup_any(mt->domid);
    if (!rgt || mt->ref >= grant_nr_entries(rgt))
        return GNTST_bad_handle;        /* not reached: a granter's table outlives its uses */
    act = grant_active_entry(rgt, mt->ref);
    d->rgt = rgt;
    d->ref = mt->ref;
    d->mfn = act->mfn;
    if (dev_bus_addr && (flags & GNTMAP_device_map) && dev_bus_addr != grant_bus_addr(act->mfn))
        return GNTST_bad_dev_addr;
    if (host_addr && (flags & GNTMAP_host_map)) {
        if ((rc = grant_env_pte_destroy(host_addr, act->mfn, flags, new_addr)) != GNTST_okay)
            return rc;
        mt->flags &= (uint16_t)~GNTMAP_host_map;
        d->done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
    }
    if (dev_bus_addr && (flags & GNTMAP_device_map)) {
        mt->flags &= (uint16_t)~GNTMAP_device_map;
        d->done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
    }
    if (!(mt->flags & MAP_KINDS))
        grant_maptrack_put(self, handle);
    return GNTST_okay;
}

/* Drop one use of kind `what` (GNTMAP_host_map or device_map, with
 * GNTMAP_readonly as the mapping had it) from rgt's entry ref; put_refs: the
 * references of that use are dropped here too. */
static void unpin(struct grant_table *self, struct grant_table *rgt, grant_ref_t ref, uint16_t what,
                  bool put_refs)
{
    struct grant_active *act = grant_active_entry(rgt, ref);
    bool ro = what & GNTMAP_readonly;

    if (put_refs) {
        if (!ro)
            grant_env_page_put_writable(act->mfn);
        grant_env_page_put(act->mfn);
    }
    if (what & GNTMAP_device_map)
        act->pin -= ro ? GRANT_PIN_DR : GRANT_PIN_DW;
    else
        act->pin -= ro ? GRANT_PIN_HR : GRANT_PIN_HW;
    grant_entry_reduce(grant_shared_entry(rgt, ref), act, ro);
    if (!act->pin)
        grant_unpinned(self, rgt);
}

void grant_op_unmap_complete(struct grant_table *self, struct grant_unmap_done *d)
{
    uint16_t ro = d->done & GNTMAP_readonly;

    if (!d->done)
        return;
    /* The page-table entry was taken away without its references: they
     * go here, with the device mapping's. */
    if (d->done & GNTMAP_device_map)
        unpin(self, d->rgt, d->ref, GNTMAP_device_map | ro, true);
    if (d->done & GNTMAP_host_map)
        unpin(self, d->rgt, d->ref, GNTMAP_host_map | ro, true);
}

void grant_unpinned(struct grant_table *self, struct grant_table *rgt)
{
    rgt->pinned--;
    if (rgt != self && !rgt->pinned)
        grant_env_unpinned(rgt);
}

void grant_release_begin(struct grant_table *self)
{
    self->release_next = self->maptrack_limit;
}

bool grant_release_some(struct grant_table *self, unsigned budget)
{
    while (self->release_next) {
        uint32_t handle = self->release_next - 1;
        struct grant_mapping *mt = grant_maptrack_entry(self, handle);
        struct grant_table *rgt;

        if (!budget--)
            return false;
        self->release_next = handle;
        if (!(mt->flags & MAP_KINDS))
            continue;
        rgt = mt->domid == self->domid ? self : grant_env_lookup_any(mt->domid);
        if (rgt && mt->ref < grant_nr_entries(rgt)) {
            uint16_t ro = mt->flags & GNTMAP_readonly;
            if (mt->flags & GNTMAP_device_map)
                unpin(self, rgt, mt->ref, GNTMAP_device_map | ro, true);
            /* A host mapping's references go with the mapper's page tables
             * (or went when the guest overwrote the entry). */
            if (mt->flags & GNTMAP_host_map)
                unpin(self, rgt, mt->ref, GNTMAP_host_map | ro, false);
        }
        mt->flags = 0;
    }
    return true;
}
