/* memory_op: what a domain may learn about memory and how it gets and gives
 * back frames. Reservation sub-ops (increase, decrease, populate_physmap)
 * handle extents of 2^order frames, return how many extents they completed,
 * and continue later (the extent to resume at in cmd's upper bits) when a
 * request runs long. */
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

/* The domain a sub-op names: itself, or any live domain for a privileged caller. */
static struct domain *target_domain(domid_t id, long *err)
{
    return pv_mm_pg_owner(current_domain(), id, err);
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
    if (copy_to_guest(slot, &mfn, sizeof(mfn))) {
        for (uint64_t i = 0; i < n; i++)
            mm_free_frame(mfn + i);
        return -XEN_EFAULT;
    }
    for (uint64_t i = 0; i < n; i++)
        m2p_set(mfn + i, op == XENMEM_populate_physmap ? gpfn + i : ~0ull);
    d->nr_pages += n;
    if (op == XENMEM_populate_physmap && gpfn + n > d->max_gpfn)
        d->max_gpfn = gpfn + n;
    return 0;
}

/* The domain gives frames back: they return to the pool once the last
 * mapping or other reference to them is gone. */
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
    d->nr_pages -= n;
    return 0;
}

static long reservation(unsigned op, uint64_t cmd, uint64_t arg)
{
    struct xen_memory_reservation r;
    uint64_t start = cmd >> MEMOP_EXTENT_SHIFT, limit_pfn = 0, i;
    unsigned bits;
    struct domain *d;
    long err = 0;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -XEN_EFAULT;
    if (start >= r.nr_extents)
        return (long)start;
    if (r.extent_order > MAX_EXTENT_ORDER)
        return (long)start;
    if (!(d = target_domain(r.domid, &err)))
        return err;
    bits = XENMEMF_get_address_bits(r.mem_flags);
    if (bits && bits < 64)
        limit_pfn = bits > PAGE_SHIFT ? 1ull << (bits - PAGE_SHIFT) : 1;
    for (i = start; i < r.nr_extents; i++) {
        uint64_t slot = (uint64_t)r.extent_start + i * sizeof(xen_pfn_t);
        int rc;

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
    default:                         return (long)d->max_gpfn - 1;    /* maximum_gpfn */
    }
}

/* Copy E820-style entries out: at most the caller's nr_entries, which then
 * says how many were written. */
static long put_map(uint64_t arg, const struct boot_mem_range *ranges, unsigned n)
{
    struct xen_memory_map map;
    unsigned i;

    if (copy_from_guest(&map, arg, sizeof(map)))
        return -XEN_EFAULT;
    for (i = 0; i < n && i < map.nr_entries; i++) {
        uint8_t e[E820_ENTRY_SIZE];
        __builtin_memcpy(e, &ranges[i].base, 8);
        __builtin_memcpy(e + 8, &ranges[i].len, 8);
        __builtin_memcpy(e + 16, &ranges[i].type, 4);
        if (copy_to_guest((uint64_t)map.buffer + (uint64_t)i * E820_ENTRY_SIZE, e, sizeof(e)))
            return -XEN_EFAULT;
    }
    map.nr_entries = i;
    return copy_to_guest(arg, &map, sizeof(map.nr_entries)) ? -XEN_EFAULT : 0;
}

long memory_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    unsigned op = cmd & MEMOP_CMD_MASK;

    (void)a3; (void)a4; (void)a5;
    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(op, cmd, arg);
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
    case XENMEM_memory_map: {
        /* The domain's pseudo-physical view: RAM from frame 0 to its maximum. */
        struct boot_mem_range ram = { 0, d->max_pages << PAGE_SHIFT, BOOT_MEM_USABLE };
        return put_map(arg, &ram, 1);
    }
    case XENMEM_machine_memory_map: {
        const struct boot_mem_range *ranges;
        unsigned n;
        if (!d->privileged)
            return -XEN_EPERM;
        mm_machine_memory_map(&ranges, &n);
        return put_map(arg, ranges, n);
    }
    default:
        return -XEN_ENOSYS;
    }
}
