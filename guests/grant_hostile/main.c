/* The grant_hostile guest (see suite.h). */
#include "suite.h"

/* The salt of this guest's data patterns ("host"). */
#define DATA_SALT 0x686f7374UL

unsigned long m2p_mfn, freed_mfn, beyond_ram_mfn;
unsigned long frames_lost;

static void setup(void)
{
    xen_pfn_t list[4] = { 0 };
    struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = list };
    long rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
    m2p_mfn = list[0];
    test_check(rc == 0 && m2p_mfn, "an M2P frame (the hypervisor's): %#lx", m2p_mfn);
    beyond_ram_mfn = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL) + 0x100;

    unsigned long pfn = mm_alloc_pfn();
    xen_pfn_t give = mm_pfn_to_mfn(pfn);
    rc = mm_reservation(XENMEM_decrease_reservation, &give, 1, 0, DOMID_SELF);
    freed_mfn = give;
    mm_set_p2m(pfn, MM_INVALID);
    expect(rc, 1, "a frame given back (mfn %#lx)", freed_mfn);

    grant_test_setup(DATA_SALT);
}

/* Grant state left behind on purpose when the guest exits: the hypervisor's
 * teardown must release it (on Xenolith the harness checks that every frame
 * is free again).  A writable host mapping, a writable device mapping, a
 * grant whose PTE was overwritten (its handle can no longer be unmapped), and
 * a mapping of a frame given back meanwhile. */
static void leave_behind(void)
{
    gnttab_map_grant_ref_t a, b, c, d;
    unsigned long pfn = mm_alloc_pfn(), f = mm_pfn_to_mfn(pfn);
    long rc;

    gnt_grant(400, 0, data_mfn[0], GTF_permit_access);
    gnt_grant(401, 0, data_mfn[1], GTF_permit_access);
    gnt_grant(402, 0, data_mfn[2], GTF_permit_access);
    gnt_grant(403, 0, f, GTF_permit_access);
    rc = gnt_map(&a, map_va(700), GNTMAP_host_map, 400, 0);
    rc |= gnt_map(&b, 0, GNTMAP_device_map, 401, 0);
    rc |= gnt_map(&c, map_va(701), GNTMAP_host_map, 402, 0);
    rc |= mm_update1(gnt_pte_maddr(map_va(701)), 0);
    rc |= gnt_map(&d, map_va(702), GNTMAP_host_map, 403, 0);
    xen_pfn_t list[1] = { f };
    long got = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    mm_set_p2m(pfn, MM_INVALID);
    test_check(rc == 0 && a.status == 0 && b.status == 0 && c.status == 0 && d.status == 0 && got == 1,
               "left mapped at exit: a writable host mapping, a writable device mapping, a grant whose PTE "
               "was cleared by mmu_update, a mapping of a frame given back (statuses %d %d %d %d)", a.status,
               b.status, c.status, d.status);
}

void test_main(start_info_t *si)
{
    int16_t st;

    test_note("grant_hostile guest on %s: nr_pages %lu", guest_on_xenolith() ? "Xenolith" : "Xen",
              si->nr_pages);
    setup();
    long start = reservation();
    test_calls();
    long rc = gnt_table_setup(8, &st);
    if (!test_check(rc == 0 && st == 0, "table grown to 8 frames and mapped: rc=%ld status %d", rc, st))
        test_finish();
    test_map_refusals();
    test_state();
    test_limits();
    test_copy();
    test_other();
    /* As in the grant guest, once the frames given away are taken back. */
    grant_test_accounting(start, frames_lost);
    leave_behind();
    test_finish();
}
