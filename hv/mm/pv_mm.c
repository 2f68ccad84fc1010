/* Helpers shared by the PV memory-management hypercalls. */
#include "mm/pv_mm.h"
#include "mm/page_type.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"
#include "core/hypercall.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"
#include "xen.h"

struct domain *pv_mm_pg_owner(struct domain *d, domid_t id, long *err)
{
    struct domain *fd;

    if (id == DOMID_SELF)
        return d;
    /* Xen's order: the id is looked up first (naming itself other than as
     * DOMID_SELF, or a domain that does not exist: -ESRCH), then the XSM
     * default refuses another domain to an unprivileged caller (-EPERM).
     * The pseudo-domains (DOMID_IO, DOMID_XEN) are not offered as owners:
     * -ESRCH for a privileged caller; an unprivileged one gets Xen's refusal
     * of a foreign owner (-EPERM). */
    if (id == d->id) {
        *err = -XEN_ESRCH;
        return 0;
    }
    if (id == DOMID_IO || id == DOMID_XEN) {
        *err = d->privileged ? -XEN_ESRCH : -XEN_EPERM;
        return 0;
    }
    fd = domain_lookup(id);
    if (!fd)
        *err = -XEN_ESRCH;
    else if (!d->privileged)
        *err = -XEN_EPERM, fd = 0;
    return fd;
}

/* mmu_update's foreigndom bits 16-31: the domain whose page tables are
 * written, plus one (0: the caller's). Xen looks that id up among real
 * domains, so DOMID_SELF + 1 names none (-ESRCH); another live domain's
 * tables are refused to an unprivileged caller by the XSM default (-EPERM),
 * and to a privileged one here (only the caller's own page tables are
 * supported: -ESRCH). */
static long pt_owner_check(const struct domain *d, uint32_t foreigndom)
{
    uint32_t pt = foreigndom >> 16;

    if (pt == 0 || pt - 1 == d->id)
        return 0;
    return domain_lookup((domid_t)(pt - 1)) && !d->privileged ? -XEN_EPERM : -XEN_ESRCH;
}

/* Run the release lists of the caller and of the domain whose frames it
 * names: 0 when both are empty, -XEN_ERESTART when the work limit came first. */
static int release(struct domain *d, struct domain *pg_owner)
{
    int rc = 0;

    if (d->release_list)                    /* (checked here: this runs after every entry) */
        rc = pt_release_run(d->id);
    if (rc == 0 && pg_owner != d && pg_owner->release_list)
        rc = pt_release_run(pg_owner->id);
    return rc;
}

long pv_mm_run_batch(uint64_t list, uint64_t count, uint64_t pdone, uint64_t foreigndom,
                     bool names_pt_owner, size_t entry_size, pv_mm_entry_fn fn)
{
    struct domain *d = current_domain(), *pg_owner;
    uint32_t n = (uint32_t)count, done = 0;
    uint64_t entry[4];
    bool flush = false;
    long rc = 0;

    if (n & BATCH_PREEMPTED) {
        n &= ~BATCH_PREEMPTED;
        if (pdone && copy_from_guest(&done, pdone, sizeof(done)))
            return -XEN_EFAULT;
    }
    if (n && !guest_range_ok(list, 1))
        return -XEN_EFAULT;
    if (names_pt_owner && (rc = pt_owner_check(d, (uint32_t)foreigndom)) != 0)
        return rc;
    /* The page owner is a domid_t: bits 16-31 never change it. */
    pg_owner = pv_mm_pg_owner(d, (domid_t)foreigndom, &rc);
    if (!pg_owner)
        return rc;
    /* Tables a previous call left being released are finished first. */
    if (release(d, pg_owner) != 0)
        return -XEN_ERESTART;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = list + (uint64_t)i * entry_size;

        if (i && (pt_out_of_work() || (i % BATCH_CHECK_EVERY == 0 && hypercall_preempt_check()))) {
            rc = hypercall_continue(at, (n - i) | BATCH_PREEMPTED, pdone, foreigndom, 0);
            break;
        }
        if (copy_from_guest(entry, at, entry_size)) {
            rc = -XEN_EFAULT;
            break;
        }
        pt_work++;
        rc = fn(d, pg_owner, entry, &flush);
        if (rc == -XEN_ERESTART) {          /* this entry again, later: its progress is kept */
            rc = hypercall_continue(at, (n - i) | BATCH_PREEMPTED, pdone, foreigndom, 0);
            break;
        }
        if (rc != 0) {
            (void)release(d, pg_owner);     /* what is left waits for the next call */
            break;
        }
        done++;
        /* What the entry let go of is released before the next one runs. */
        if (release(d, pg_owner) != 0) {    /* (a count of 0 still finishes it) */
            rc = hypercall_continue(at + entry_size, (n - i - 1) | BATCH_PREEMPTED, pdone, foreigndom, 0);
            break;
        }
    }
    /* No flush here: as with Xen, the guest flushes what it changed (mmuext_op,
     * UVMF flags). Safety does not depend on it: a frame is flushed from the
     * TLB before it changes type (becomes a page or descriptor table) and
     * before it returns to the allocator (page_type.c, mm.c). */
    (void)flush;
    /* As in Xen, a pdone the guest cannot receive is not an error: the work is done. */
    if (pdone)
        (void)copy_to_guest(pdone, &done, sizeof(done));
    return rc;
}
