/* The grant_hostile guest (see suite.h). */
#include "suite.h"

unsigned long data_mfn[NR_DATA];
unsigned long m2p_mfn, freed_mfn, beyond_ram_mfn;
unsigned long frames_lost;

int expect(long got, long want, const char *fmt, ...)
{
    char buf[300];
    va_list ap;

    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (got == want)
        return test_check(1, "%s: %ld", buf, got);
    return test_check(0, "%s: got %ld (%#lx), want %ld", buf, got, (unsigned long)got, want);
}

void data_fill(unsigned d, unsigned long seed)
{
    for (unsigned i = 0; i < 512; i++)
        data_va(d)[i] = data_word(seed, i);
}

int data_is(unsigned d, unsigned long seed)
{
    for (unsigned i = 0; i < 512; i++)
        if (data_va(d)[i] != data_word(seed, i))
            return 0;
    return 1;
}

long reservation(void)
{
    return mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
}

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

    if (!test_check(gnt_area_init() == 0, "grant window at L4 slot %d", GNT_AREA_SLOT))
        test_finish();
    expect(gnt_probe_init(), 0, "trap table with the probe's #PF handler");
    long bad = 0;
    for (unsigned d = 0; d < NR_DATA; d++) {
        data_mfn[d] = mm_alloc_mfn();
        bad |= data_mfn[d] == MM_INVALID;
        if (!bad)
            bad |= gnt_set_pte((unsigned long)data_va(d), mm_pte(data_mfn[d], MM_RW_FLAGS));
    }
    if (!expect(bad, 0, "%u data frames mapped in the window", NR_DATA))
        test_finish();
}

/* As in the grant guest: nothing left in use, every data frame pinnable and
 * given back and taken again with the reservation following exactly, and the
 * reservation where it started once the frames given away are taken back. */
static void check_accounting(long start)
{
    unsigned busy = 0;
    for (unsigned r = 0; r < gnt_table_frames * 512; r++)
        busy += (gnt_flags(r) & (GTF_reading | GTF_writing)) != 0;
    expect(busy, 0, "grant entries still marked reading/writing at the end");

    long bad = 0;
    for (unsigned d = 0; d < NR_DATA; d++) {
        for (unsigned i = 0; i < 512; i++)
            data_va(d)[i] = 0;
        bad |= gnt_set_pte((unsigned long)data_va(d), 0);
    }
    expect(bad, 0, "data frames zeroed and their own mappings removed");
    unsigned pinned = 0;
    for (unsigned d = 0; d < NR_DATA; d++) {
        long rc = mm_ext1(MMUEXT_PIN_L1_TABLE, data_mfn[d], 0);
        if (rc == 0 && mm_ext1(MMUEXT_UNPIN_TABLE, data_mfn[d], 0) == 0)
            pinned++;
        else
            test_note("data frame %u (mfn %#lx): pin as L1 rc=%ld", d, data_mfn[d], rc);
    }
    expect(pinned, NR_DATA, "data frames pinned as L1 and unpinned (no writable reference left)");

    xen_pfn_t list[64];
    if (frames_lost && frames_lost <= 64) {
        long got = mm_reservation(XENMEM_increase_reservation, list, frames_lost, 0, DOMID_SELF);
        expect(got, (long)frames_lost, "increase_reservation of the %lu frames given away", frames_lost);
    }
    expect(reservation(), start, "current_reservation as at the start");
    for (unsigned d = 0; d < NR_DATA; d++)
        list[d] = data_mfn[d];
    long got = mm_reservation(XENMEM_decrease_reservation, list, NR_DATA, 0, DOMID_SELF);
    expect(got, NR_DATA, "decrease_reservation of the data frames");
    expect(reservation(), start - NR_DATA, "current_reservation dropped by as many");
    got = mm_reservation(XENMEM_increase_reservation, list, NR_DATA, 0, DOMID_SELF);
    expect(got, NR_DATA, "increase_reservation takes as many back");
    expect(reservation(), start, "current_reservation as at the start again");
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
    check_accounting(start);
    leave_behind();
    test_finish();
}
