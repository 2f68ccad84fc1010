/* GNTTABOP_transfer to ourselves, swap_grant_ref, cache_flush, dump_table. */
#include "suite.h"

/*
 * A PV dom0 gives one of its frames to itself: the frame leaves the domain
 * and comes back to it through the accepting entry, whose frame field names
 * the pfn the receiver wants the page at and, once done, holds the machine
 * frame it got.  Xen 4.17 keeps the same machine frame (no copy is needed
 * below 2^44 bytes), with its contents, and points its M2P entry at the pfn
 * the entry named.
 */
static void transfer_to_self(void)
{
    unsigned long pfn = mm_alloc_pfn(), mfn = mm_pfn_to_mfn(pfn);
    unsigned long va = map_va(40);
    long res0 = reservation(), rc;

    rc = gnt_set_pte(va, mm_pte(mfn, MM_RW_FLAGS));
    for (unsigned i = 0; i < 512; i++)
        ((volatile unsigned long *)va)[i] = data_word(500, i);
    rc |= gnt_set_pte(va, 0);
    expect(rc, 0, "a fresh frame (pfn %#lx, mfn %#lx) filled and unmapped again", pfn, mfn);

    gnt_grant(40, 0, pfn, GTF_accept_transfer);
    gnttab_transfer_t t = { .mfn = mfn, .domid = 0, .ref = 40, .status = 0x7777 };
    rc = gnt_op(GNTTABOP_transfer, &t, 1);
    test_check(rc == 0 && t.status == GNTST_okay, "transfer of mfn %#lx to domain 0 (ourselves) through ref 40: "
               "rc=%ld status %d", mfn, rc, t.status);
    grant_entry_v1_t e = gnt_table[40];
    test_note("entry 40 afterwards: flags %#x domid %u frame %#x", e.flags, e.domid, e.frame);
    expect(e.flags, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed,
           "entry flags: committed and completed added");
    expect(e.frame, (long)mfn, "entry frame: the machine frame received (the same one)");
    expect((long)GUEST_M2P[mfn], (long)pfn, "M2P of the frame: the pfn the entry named");
    expect(reservation(), res0, "current_reservation (given away and received)");
    rc = gnt_set_pte(va, mm_pte(e.frame, MM_RW_FLAGS));
    unsigned same = 0;
    for (unsigned i = 0; i < 512 && rc == 0; i++)
        same += ((volatile unsigned long *)va)[i] == data_word(500, i);
    test_check(rc == 0 && same == 512, "the received frame maps writable (rc=%ld) and kept its contents (%u/512 words)",
               rc, same);
    gnt_set_pte(va, 0);
    gnt_grant(40, 0, 0, GTF_invalid);
}

static long swap(grant_ref_t a, grant_ref_t b, int16_t *status)
{
    gnttab_swap_grant_ref_t s = { .ref_a = a, .ref_b = b, .status = 0x7777 };
    long rc = gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    *status = s.status;
    return rc;
}

static void swap_refs(void)
{
    int16_t st;
    long rc;

    gnt_grant(41, 0, data_mfn[0], GTF_permit_access);
    gnt_grant(42, 7, data_mfn[1], GTF_permit_access | GTF_readonly);
    rc = swap(41, 42, &st);
    test_check(rc == 0 && st == 0 && gnt_table[41].domid == 7 && gnt_table[41].frame == data_mfn[1] &&
                   gnt_table[41].flags == (GTF_permit_access | GTF_readonly) && gnt_table[42].domid == 0 &&
                   gnt_table[42].frame == data_mfn[0] && gnt_table[42].flags == GTF_permit_access,
               "swap_grant_ref(41, 42) exchanges the entries: rc=%ld status %d", rc, st);
    rc = swap(41, 41, &st);
    test_check(rc == 0 && st == 0 && gnt_table[41].domid == 7, "swap of an entry with itself: status %d", st);

    /* An entry in use cannot be swapped: Xen says try again. */
    gnttab_map_grant_ref_t m;
    rc = gnt_map(&m, map_va(41), GNTMAP_host_map, 42, 0);
    test_check(rc == 0 && m.status == 0, "ref 42 mapped: status %d", m.status);
    rc = swap(41, 42, &st);
    test_check(rc == 0 && st == GNTST_eagain && gnt_table[42].frame == data_mfn[0],
               "swap with a mapped entry: status %d (want GNTST_eagain), nothing moved", st);
    rc = swap(42, 41, &st);
    expect(st, GNTST_eagain, "the other way round");
    gnt_unmap(map_va(41), 0, m.handle, &st);
    expect(st, 0, "unmapped");

    /* Two in one call. */
    static gnttab_swap_grant_ref_t s[2];
    s[0].ref_a = 41;
    s[0].ref_b = 42;
    s[1].ref_a = 42;
    s[1].ref_b = 43;
    s[0].status = s[1].status = 0x7777;
    gnt_grant(43, 0, 0x1234, GTF_invalid);
    rc = gnt_op(GNTTABOP_swap_grant_ref, s, 2);
    test_check(rc == 0 && s[0].status == 0 && s[1].status == 0 && gnt_table[41].frame == data_mfn[0] &&
                   gnt_table[42].frame == 0x1234 && gnt_table[43].frame == data_mfn[1],
               "two swaps in one call, in order: statuses %d %d", s[0].status, s[1].status);
    for (grant_ref_t r = 41; r <= 43; r++)
        gnt_grant(r, 0, 0, GTF_invalid);
}

/* On x86 there is nothing to invalidate without writing back: Xen 4.17 does
 * clean, and clean+invalidate (a cache flush), and refuses invalidate alone. */
static void cache_flush(void)
{
    unsigned long a = data_mfn[0] << 12;

    expect(gnt_cache_flush1(a, 0, 4096, GNTTAB_CACHE_CLEAN), 0, "cache_flush CLEAN of a whole frame of ours");
    expect(gnt_cache_flush1(a, 100, 200, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL), 0,
           "cache_flush CLEAN|INVAL of part of it");
    expect(gnt_cache_flush1(a + 100, 0, 1, GNTTAB_CACHE_CLEAN), 0,
           "an address inside the frame (the frame is taken from it)");
    expect(gnt_cache_flush1(a, 0, 4096, GNTTAB_CACHE_INVAL), E(EOPNOTSUPP), "cache_flush INVAL alone");
    expect(gnt_cache_flush1(a, 0, 0, GNTTAB_CACHE_INVAL), 0, "length 0: nothing to do, whatever the op");
    expect(gnt_cache_flush1(a, 0, 4096, 0), 0, "op 0: nothing to do");
    static gnttab_cache_flush_t c[2];
    g_memset(c, 0, sizeof(c));
    c[0].a.dev_bus_addr = a;
    c[0].length = 64;
    c[0].op = GNTTAB_CACHE_CLEAN;
    c[1].a.dev_bus_addr = data_mfn[1] << 12;
    c[1].length = 4096;
    c[1].op = GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL;
    expect(gnt_op(GNTTABOP_cache_flush, c, 2), 0, "two flushes in one call");
}

void test_other(void)
{
    transfer_to_self();
    swap_refs();
    cache_flush();
    /* Xen 4.17 has no case for GNTTABOP_dump_table in its dispatcher. */
    gnttab_dump_table_t d = { .dom = DOMID_SELF, .status = 0x7777 };
    expect(gnt_op(GNTTABOP_dump_table, &d, 1), E(ENOSYS), "GNTTABOP_dump_table");
    expect(d.status, 0x7777, "its status untouched");
}
