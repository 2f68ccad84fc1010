/* Giving a dead domain's memory back, a piece at a time. Dropping its pins,
 * releasing its page tables and its allocation references is work that grows
 * with the domain, so it runs in pieces of bounded work (the page-table work
 * limit of hv/mm/page_type.h) from the scheduler: on every way out to a guest
 * while a teardown is pending, and in the idle loop. The frames stay owned
 * (and the domain's id taken) until the last piece; only then is the
 * domain retired (its structures go once no CPU runs it), and the machine
 * may power off once no domain is left.
 *
 * Steps, each resumable:
 *   TD_GRANTS    the grant mappings it holds given up (the pins on the
 *                granters' entries; a host mapping's frame references go
 *                with its page tables, below);
 *   TD_TYPES     the pirq_eoi page let go (PHYSDEVOP_pirq_eoi_gmfn: a
 *                general and a WRITABLE type reference), pins dropped,
 *                partly validated tables abandoned (their tables join the
 *                release list);
 *   TD_RELEASE   the release list run to the end;
 *   TD_ALLOC     allocation references dropped: frames go back as their last
 *                reference goes;
 *   TD_HELD      while another domain still uses one of its grants (mapped
 *                or being copied) the domain waits, off the pending count:
 *                the granted frames stay alive and its table with them, and
 *                the last unmap kicks it on (domain_teardown_kick); then the
 *                grant table goes;
 *   TD_LEFTOVER  a frame still owned had unbalanced counts: a hypervisor
 *                bug, reported and repaired. */
#include "core/domain.h"
#include "core/log.h"
#include "core/domain_control.h"
#include "mm/mm.h"
#include "mm/page_type.h"

enum { TD_GRANTS = 1, TD_TYPES, TD_RELEASE, TD_ALLOC, TD_HELD, TD_LEFTOVER };

/* How many frames a scan looks at per unit of work (a piece is one slice). */
#define SCAN_PER_UNIT 64u

static unsigned pending;                 /* domains being torn down (checked on every exit) */

void domain_teardown_begin(struct domain *d)
{
    pending++;
    d->teardown_step = TD_GRANTS;
    d->teardown_waiting = false;
    d->teardown_mfn = 0;
    d->teardown_leaked = 0;
}

/* Visit the domain's frames from teardown_mfn on with fn until the work
 * limit; true when the scan reached the end. */
static bool scan(struct domain *d, void (*fn)(struct domain *d, uint64_t mfn))
{
    /* Only the range its frames were ever in (all frames when unknown). */
    uint64_t end = d->frames_end && d->frames_end <= frame_table_frames ? d->frames_end : frame_table_frames;

    if (d->teardown_mfn < d->frames_lo)
        d->teardown_mfn = d->frames_lo;
    for (; d->teardown_mfn < end; d->teardown_mfn++) {
        if (d->teardown_mfn % SCAN_PER_UNIT == 0 && pt_work++ >= pt_work_limit)
            return false;
        if (frame_table[d->teardown_mfn].owner == d->id)
            fn(d, d->teardown_mfn);
    }
    d->teardown_mfn = 0;
    return true;
}

static void drop_types(struct domain *d, uint64_t mfn)
{
    if (frame_table[mfn].flags & PGF_PINNED)
        pt_unpin(mfn, d->id);
    pt_abandon(mfn);                        /* a no-op unless PGF_PARTIAL */
}

/* What PHYSDEVOP_pirq_eoi_gmfn_v1/v2 holds (nothing the second time). */
static void drop_pirq_eoi_page(struct domain *d)
{
    if (d->pirq_eoi_mfn) {
        page_put_typed(d->pirq_eoi_mfn);
        d->pirq_eoi_mfn = 0;
        d->pirq_eoi_auto_unmask = false;
    }
}

static void drop_allocation(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = &frame_table[mfn];

    (void)d;
    if (pg->flags & PGF_ALLOCATED) {
        pg->flags &= (uint8_t)~PGF_ALLOCATED;
        page_put(mfn);
    }
}

static void free_leftover(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = &frame_table[mfn];

    log_err("d%u: frame %llx still has %u references (type %u, %u type references): freed anyway\n",
            d->id, (unsigned long long)mfn, pg->count, pg->type, pg->type_count);
    mm_free_frame(mfn);
    d->teardown_leaked++;
}

static void finish(struct domain *d)
{
    if (d->teardown_leaked)
        log_err("d%u: %llu frames had unbalanced reference counts\n", d->id,
                (unsigned long long)d->teardown_leaked);
    d->shared_info_mfn = 0;
    d->shared_info = 0;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        vcpu_info_locate(d->vcpus[i]);
    d->teardown_step = 0;
    d->state = DOMAIN_FREE;
    pending--;
    domain_ctl_note_gone(d);            /* before its structure may go */
    domain_retire(d);
}

/* One piece of d's teardown; true when it is complete. */
static bool teardown_piece(struct domain *d)
{
    bool more = true;

    pt_work_begin();
    /* Its address space is no longer loaded anywhere: the frames it gives
     * back need no flush each; one flush at the end of the piece covers them. */
    mm_defer_release_flush(true);
    while (more && !pt_out_of_work()) {
        switch (d->teardown_step) {
        case TD_GRANTS:
            if (grant_release_mappings(d))
                d->teardown_step = TD_TYPES;
            break;
        case TD_TYPES:
            drop_pirq_eoi_page(d);
            if (scan(d, drop_types))
                d->teardown_step = TD_RELEASE;
            break;
        case TD_RELEASE:
            if (pt_release_run(d->id) == 0)
                d->teardown_step = TD_ALLOC;
            break;
        case TD_ALLOC:
            if (scan(d, drop_allocation))
                d->teardown_step = TD_HELD;
            break;
        case TD_HELD:
            if (grant_domain_busy(d)) {
                log_info("d%u: waiting for other domains to unmap its grants\n", d->id);
                d->teardown_waiting = true;
                pending--;
                more = false;
                break;
            }
            grant_domain_destroy(d);
            d->teardown_step = TD_LEFTOVER;
            break;
        case TD_LEFTOVER:
            if (scan(d, free_leftover)) {
                finish(d);
                more = false;
            }
            break;
        default:
            more = false;
            break;
        }
    }
    mm_defer_release_flush(false);
    return d->state == DOMAIN_FREE;
}

void domain_teardown_kick(struct domain *d)
{
    if (d->state == DOMAIN_SHUTDOWN && d->teardown_waiting) {
        d->teardown_waiting = false;
        pending++;
    }
}

bool domain_teardown_some(void)
{
    if (!pending)
        return false;
    for (struct domain *d = domain_next(0); d; d = domain_next((domid_t)(d->id + 1)))
        if (d->state == DOMAIN_SHUTDOWN && d->teardown_step && !d->teardown_waiting) {
            teardown_piece(d);
            return true;
        }
    return false;
}
