/* memory_op: what a domain may learn about memory and how it gets and gives
 * back frames. Reservation sub-ops (increase, decrease, populate_physmap)
 * handle extents of 2^order frames and return how many extents they
 * completed (as Xen does, a bad argument, domain or list stops the count
 * rather than returning an error), continuing later (the extent to resume at
 * in cmd's upper bits) when a request runs long. */
#include "core/hypercall.h"
#include "mm/pv_mm.h"
#include "mm/page_type.h"
#include "mm/mm.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/layout.h"
#include "errno.h"
#include "xen.h"
#include "memory.h"

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)
#define MAX_EXTENT_ORDER 9                  /* 2 MiB extents at most */
#define E820_ENTRY_SIZE 20
#define LIST_ABSENT (~0ull)             /* a NULL extent list */
/* Sub-ops of the toolstack's interface (Xen's public memory.h hides them from
 * guests), named only for their start-extent rule. */
#define XENMEM_claim_pages 24
#define XENMEM_reserved_device_memory_map 27

/* The domain a sub-op names: itself (DOMID_SELF or its id), or any live
 * domain for a privileged caller. */
static struct domain *target_domain(domid_t id, long *err)
{
    struct domain *d = current_domain();

    return id == d->id ? d : pv_mm_pg_owner(d, id, err);
}

static int give_extent(struct domain *d, unsigned op, unsigned order, uint64_t limit_pfn, uint64_t slot)
{
    uint64_t n = 1ull << order, gpfn = 0, mfn;

    if (d->nr_pages + n > d->max_pages)
        return -XEN_ENOMEM;
    if (op == XENMEM_populate_physmap && copy_from_guest(&gpfn, slot, sizeof(gpfn)))
        return -XEN_EFAULT;
    mfn = mm_alloc_frames_owned(d->id, n, n, limit_pfn);
    if (mfn == INVALID_MFN)
        return -XEN_ENOMEM;
    /* increase_reservation with no list still gives the frames. */
    if (slot != LIST_ABSENT && copy_to_guest(slot, &mfn, sizeof(mfn))) {
        for (uint64_t i = 0; i < n; i++)
            mm_free_frame(mfn + i);
        return -XEN_EFAULT;
    }
    for (uint64_t i = 0; i < n; i++)
        m2p_set(mfn + i, op == XENMEM_populate_physmap ? gpfn + i : ~0ull);
    d->nr_pages += n;
    return 0;
}

/* The domain gives frames back: they return to the pool once the last
 * mapping or other reference to them is gone, and count against the domain
 * (nr_pages) until then (hv/mm/mm.c, mm_page_released). */
static int take_extent(struct domain *d, unsigned order, uint64_t slot)
{
    uint64_t n = 1ull << order, mfn;

    if (copy_from_guest(&mfn, slot, sizeof(mfn)))
        return -XEN_EFAULT;
    for (uint64_t i = 0; i < n; i++) {
        struct page_info *pg = mfn_to_page(mfn + i);
        if (!pg || pg->owner != d->id || !(pg->flags & PGF_ALLOCATED) || (pg->flags & PGF_XEN_HEAP))
            return -XEN_EINVAL;
    }
    for (uint64_t i = 0; i < n; i++) {
        frame_table[mfn + i].flags &= ~PGF_ALLOCATED;
        m2p_set(mfn + i, ~0ull);
        page_put(mfn + i);
    }
    return 0;
}

static long reservation(unsigned op, uint64_t cmd, uint64_t arg)
{
    struct xen_memory_reservation r;
    uint64_t start = cmd >> MEMOP_EXTENT_SHIFT, limit_pfn = 0, i;
    unsigned bits;
    struct domain *d;
    long err = 0;

    if (copy_from_guest(&r, arg, sizeof(r)) || start >= r.nr_extents ||
        r.extent_order > MAX_EXTENT_ORDER || !(d = target_domain(r.domid, &err)))
        return (long)start;
    /* The resume point must fit the continuation's 32-bit cmd encoding, and
     * the whole list lie in guest memory (a NULL list is allowed for increase). */
    if (r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT))
        return (long)start;
    if ((r.extent_start || op != XENMEM_increase_reservation) &&
        !guest_range_ok((uint64_t)r.extent_start, r.nr_extents * sizeof(xen_pfn_t)))
        return (long)start;
    bits = XENMEMF_get_address_bits(r.mem_flags);
    if (bits && bits < 64)
        limit_pfn = bits > PAGE_SHIFT ? 1ull << (bits - PAGE_SHIFT) : 1;
    for (i = start; i < r.nr_extents; i++) {
        uint64_t slot = (uint64_t)r.extent_start + i * sizeof(xen_pfn_t);
        int rc;

        if (!r.extent_start && op == XENMEM_increase_reservation)
            slot = LIST_ABSENT;

        if (i > start && hypercall_preempt_check())
            return hypercall_continue(op | (i << MEMOP_EXTENT_SHIFT), arg, 0, 0, 0);
        rc = op == XENMEM_decrease_reservation ? take_extent(d, r.extent_order, slot)
                                               : give_extent(d, op, r.extent_order, limit_pfn, slot);
        if (rc)
            break;
    }
    return (long)i;
}

static long domain_query(unsigned op, uint64_t arg)
{
    domid_t id;
    struct domain *d;
    long err = 0;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -XEN_EFAULT;
    if (!(d = target_domain(id, &err)))
        return err;
    switch (op) {
    case XENMEM_current_reservation: return (long)d->nr_pages;
    case XENMEM_maximum_reservation: return (long)d->max_pages;
    default:                                                  /* maximum_gpfn */
        /* For a PV domain, the highest frame its own p2m publishes. */
        return d->shared_info && d->shared_info->arch.max_pfn ? (long)d->shared_info->arch.max_pfn - 1 : 0;
    }
}

/* No domain has a virtual NUMA layout: after the argument checks Xen makes
 * for one (readable, pad zero, a domain the caller may name), the answer is
 * -EOPNOTSUPP. */
static long vnuma_info(uint64_t arg)
{
    struct xen_vnuma_topology_info t;
    long err = 0;

    if (copy_from_guest(&t, arg, sizeof(t)))
        return -XEN_EFAULT;
    if (t.pad != 0)
        return -XEN_EINVAL;
    if (!target_domain(t.domid, &err))
        return err;
    return -XEN_EOPNOTSUPP;
}

/* Copy E820-style entries out. A NULL buffer asks only for the count; a
 * buffer too small for all of them is -EINVAL. */
static long put_map(struct xen_memory_map *map, uint64_t arg, const struct boot_mem_range *ranges, unsigned n)
{
    unsigned i;

    if (map->buffer && map->nr_entries < n)
        return -XEN_EINVAL;
    for (i = 0; map->buffer && i < n; i++) {
        uint8_t e[E820_ENTRY_SIZE];
        __builtin_memcpy(e, &ranges[i].base, 8);
        __builtin_memcpy(e + 8, &ranges[i].len, 8);
        __builtin_memcpy(e + 16, &ranges[i].type, 4);
        if (copy_to_guest((uint64_t)map->buffer + (uint64_t)i * E820_ENTRY_SIZE, e, sizeof(e)))
            return -XEN_EFAULT;
    }
    map->nr_entries = n;
    return copy_to_guest(arg, &map->nr_entries, sizeof(map->nr_entries)) ? -XEN_EFAULT : 0;
}

/* XENMEM_machphys_mfn_list: the first frame of each 2 MiB chunk of the M2P. */
static long m2p_chunks(uint64_t arg)
{
    struct xen_machphys_mfn_list l;
    unsigned i, chunks = (unsigned)((m2p_nr_frames() + 511) / 512);

    if (copy_from_guest(&l, arg, sizeof(l)))
        return -XEN_EFAULT;
    for (i = 0; i < chunks && i < l.max_extents; i++) {
        uint64_t mfn = m2p_table_mfn((uint64_t)i * 512);
        if (copy_to_guest((uint64_t)l.extent_start + (uint64_t)i * sizeof(xen_pfn_t), &mfn, sizeof(mfn)))
            return -XEN_EFAULT;
    }
    l.nr_extents = i;
    return copy_to_guest(arg + __builtin_offsetof(struct xen_machphys_mfn_list, nr_extents), &l.nr_extents,
                         sizeof(l.nr_extents)) ? -XEN_EFAULT : 0;
}

/* Extent bits (cmd >> 6) on a sub-op other than a reservation, as Xen 4.17
 * treats them: the common sub-ops that take no start extent refuse it
 * (-EINVAL); add_to_physmap(_batch) take one only within their 16-bit size
 * (-EDOM beyond); every other sub-op is looked up by the arch code with the
 * whole cmd, so extent bits make it unknown (-ENOSYS). 0: no objection (the
 * sub-op itself answers). */
static long start_extent_error(unsigned op, uint64_t start)
{
    switch (op) {
    case XENMEM_maximum_ram_page:
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
    case XENMEM_exchange:
    case XENMEM_remove_from_physmap:
    case XENMEM_claim_pages:
    case XENMEM_get_vnumainfo:
    case XENMEM_reserved_device_memory_map:
        return -XEN_EINVAL;
    case XENMEM_add_to_physmap:
    case XENMEM_add_to_physmap_batch:
        return start > UINT16_MAX ? -XEN_EDOM : 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* Xen's "any id" lookup for the sub-ops whose refusals come before any
 * privilege check: DOMID_SELF or the caller's id, or a live domain; the
 * pseudo-domains are no domain here (-ESRCH). */
static struct domain *any_domain(domid_t id)
{
    struct domain *d = current_domain();

    return id == DOMID_SELF || id == d->id ? d : domain_lookup(id);
}

/* XENMEM_exchange, in Xen's order of refusals (memory_exchange): the
 * argument, an extent order beyond what the caller may ask for (-EPERM:
 * 9 for a domU, 20 for the control domain, Xen's defaults), the lists' shape (-EINVAL), nothing left to do (0), the lists'
 * addresses (-EFAULT), the domain (-ESRCH), another domain for an
 * unprivileged caller (XSM_TARGET: -EPERM). The exchange itself is not
 * offered yet (-ENOSYS, as before). */
static long exchange(uint64_t arg)
{
    struct xen_memory_exchange x;
    struct domain *d;
    uint64_t in_bytes, out_bytes;

    if (copy_from_guest(&x, arg, sizeof(x)))
        return -XEN_EFAULT;
    if ((x.in.extent_order > x.out.extent_order ? x.in.extent_order : x.out.extent_order) >
        (current_domain()->privileged ? 20u : 9u))
        return -XEN_EPERM;
    if (x.nr_exchanged > x.in.nr_extents ||
        x.in.domid != x.out.domid || (~0ull >> x.in.extent_order) < x.in.nr_extents ||
        (~0ull >> x.out.extent_order) < x.out.nr_extents ||
        (x.in.nr_extents << x.in.extent_order) != (x.out.nr_extents << x.out.extent_order))
        return -XEN_EINVAL;
    if (x.nr_exchanged == x.in.nr_extents)
        return 0;
    in_bytes = x.in.nr_extents * sizeof(xen_pfn_t);
    out_bytes = x.out.nr_extents * sizeof(xen_pfn_t);
    if (x.in.nr_extents > (1ull << 40) || x.out.nr_extents > (1ull << 40) ||
        !guest_range_ok((uint64_t)x.in.extent_start, in_bytes) ||
        !guest_range_ok((uint64_t)x.out.extent_start, out_bytes))
        return -XEN_EFAULT;
    if (!(d = any_domain(x.in.domid)))
        return -XEN_ESRCH;
    if (d != current_domain() && !current_domain()->privileged)
        return -XEN_EPERM;
    return -XEN_ENOSYS;
}

/* XENMEM_add_to_physmap (xatp_permission_check): only translated guests
 * have a physmap to add to, so for a PV domain, once the argument is read
 * and the domain found, the answer is -EACCES whoever asks. */
static long add_to_physmap(uint64_t arg)
{
    struct xen_add_to_physmap a;

    if (copy_from_guest(&a, arg, sizeof(a)))
        return -XEN_EFAULT;
    if (a.space == XENMAPSPACE_gmfn_foreign)     /* only through the batch form */
        return -XEN_ENOSYS;
    if (!any_domain(a.domid))
        return -XEN_ESRCH;
    return -XEN_EACCES;
}

long memory_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    unsigned op = cmd & MEMOP_CMD_MASK;

    struct xen_memory_map map;

    (void)a3; (void)a4; (void)a5;
    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(op, cmd, arg);
    }
    if (cmd >> MEMOP_EXTENT_SHIFT) {
        long rc = start_extent_error(op, cmd >> MEMOP_EXTENT_SHIFT);
        if (rc)
            return rc;
    }
    switch (op) {
    case XENMEM_maximum_ram_page:
        return (long)frame_table_frames;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        return domain_query(op, arg);
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = HV_RO_MPT_VIRT, .v_end = HV_RO_MPT_VIRT + HV_RO_MPT_SIZE,
            .max_mfn = frame_table_frames - 1,
        };
        return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_memory_map:
        /* No pseudo-physical map is kept for a PV domain (a toolstack would
         * set one for a domU); Xen answers -ENOSYS too, after reading the
         * argument. */
        return copy_from_guest(&map, arg, sizeof(map)) ? -XEN_EFAULT : -XEN_ENOSYS;
    case XENMEM_machine_memory_map: {
        const struct boot_mem_range *ranges;
        unsigned n;
        if (!d->privileged)
            return -XEN_EPERM;
        if (copy_from_guest(&map, arg, sizeof(map)))
            return -XEN_EFAULT;
        mm_machine_memory_map(&ranges, &n);
        return put_map(&map, arg, ranges, n);
    }
    case XENMEM_machphys_mfn_list:
        return m2p_chunks(arg);
    case XENMEM_get_vnumainfo:
        return vnuma_info(arg);
    case XENMEM_exchange:
        return exchange(arg);
    case XENMEM_add_to_physmap:
        return add_to_physmap(arg);
    default:
        return -XEN_ENOSYS;
    }
}
