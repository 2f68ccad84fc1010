/* Grants whose state changes under a mapping. */
#include "suite.h"

/* The guest rewrites an entry that is mapped.  The hypervisor keeps using the
 * frame it took at the first mapping until the last mapping of the entry goes;
 * the unmap then clears only the reading/writing bits of whatever the guest
 * wrote. */
static void entry_rewritten(void)
{
    gnttab_map_grant_ref_t a, b, c;
    int16_t st;
    long rc;

    data_fill(0, 10);
    data_fill(1, 11);
    gnt_grant(130, 0, data_mfn[0], GTF_permit_access);
    rc = gnt_map(&a, map_va(10), GNTMAP_host_map, 130, 0);
    test_check(rc == 0 && a.status == 0, "ref 130 -> data 0 mapped writable: status %d", a.status);
    /* Now it names data frame 1 and is marked invalid (flags rewritten whole). */
    gnt_table[130].frame = (uint32_t)data_mfn[1];
    gnt_table[130].flags = GTF_invalid;
    rc = gnt_map(&b, map_va(11), GNTMAP_host_map | GNTMAP_readonly, 130, 0);
    test_check(rc == 0 && b.status == 0 && *(volatile unsigned long *)map_va(11) == data_word(10, 0),
               "a second mapping of the rewritten (invalid) entry works and maps data 0 still: status %d",
               b.status);
    rc = gnt_map(&c, 0, GNTMAP_device_map, 130, 0);
    test_check(rc == 0 && c.status == 0 && c.dev_bus_addr == data_mfn[0] << 12,
               "a writable device mapping too (a writable pin exists): status %d bus %#lx", c.status,
               (unsigned long)c.dev_bus_addr);
    expect(gnt_flags(130), 0, "the entry's flags as the guest wrote them (the hypervisor does not rewrite them)");
    gnt_unmap(0, c.dev_bus_addr, c.handle, &st);
    gnt_unmap(map_va(11), 0, b.handle, &st);
    rc = gnt_unmap(map_va(10), 0, a.handle, &st);
    test_check(rc == 0 && st == 0, "all three unmapped: last status %d", st);
    expect(gnt_flags(130), GTF_invalid, "flags after");
    rc = gnt_map(&a, map_va(10), GNTMAP_host_map, 130, 0);
    test_check(rc == 0 && a.status == GNTST_general_error, "once unmapped the entry is read again: invalid, status %d",
               a.status);

    /* A read-only pin, then the guest sets GTF_readonly: a writable mapping is refused. */
    gnt_grant(131, 0, data_mfn[0], GTF_permit_access);
    rc = gnt_map(&a, map_va(12), GNTMAP_host_map | GNTMAP_readonly, 131, 0);
    gnt_table[131].flags = GTF_permit_access | GTF_readonly | GTF_reading;
    rc |= gnt_map(&b, map_va(13), GNTMAP_host_map, 131, 0);
    test_check(rc == 0 && a.status == 0 && b.status == GNTST_general_error && gnt_pte(map_va(13)) == 0,
               "read-only pin, entry made GTF_readonly, then a writable mapping: status %d (want general_error)",
               b.status);
    gnt_table[131].flags = GTF_permit_access | GTF_reading;
    rc = gnt_map(&b, map_va(13), GNTMAP_host_map, 131, 0);
    test_check(rc == 0 && b.status == 0 && gnt_flags(131) == GNT_RW,
               "GTF_readonly cleared again: the writable mapping works, flags %#x", gnt_flags(131));
    /* The guest changes the frame while pinned: the other mapping still sees the first frame. */
    gnt_table[131].frame = (uint32_t)data_mfn[1];
    test_check(*(volatile unsigned long *)map_va(13) == data_word(10, 0), "it maps data 0, as the first pin");
    gnt_unmap(map_va(12), 0, a.handle, &st);
    gnt_unmap(map_va(13), 0, b.handle, &st);
    expect(gnt_flags(131), GTF_permit_access, "released");
    rc = gnt_map(&a, map_va(12), GNTMAP_host_map | GNTMAP_readonly, 131, 0);
    test_check(rc == 0 && a.status == 0 && *(volatile unsigned long *)map_va(12) == data_word(11, 0),
               "mapped anew it is data 1 (the frame the entry names now)");
    gnt_unmap(map_va(12), 0, a.handle, &st);
    expect(st, 0, "unmapped");
    gnt_grant(130, 0, 0, GTF_invalid);
    gnt_grant(131, 0, 0, GTF_invalid);
}

/*
 * mmu_update over a grant mapping's PTE.  Xen 4.17 (release build) takes it as
 * an ordinary update: the new entry is written and the old one dropped like
 * any mapping, which releases the page reference the grant mapping held.  The
 * grant itself stays in use (its handle is still live), and unmapping the
 * handle at that address now fails, the PTE no longer mapping the granted
 * frame.  Putting an ordinary mapping of the same frame back lets the unmap
 * succeed, and the counts come out even.
 */
static void pte_overwritten(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(20);
    int16_t st;
    long rc;

    data_fill(2, 20);
    gnt_grant(140, 0, data_mfn[2], GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map, 140, 0);
    test_check(rc == 0 && op.status == 0, "ref 140 mapped writable at %#lx", va);
    rc = mm_update1(gnt_pte_maddr(va), 0);
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(rc == 0 && gnt_pte(va) == 0, "mmu_update clearing the grant PTE: rc=%ld (allowed), PTE %#lx", rc,
               gnt_pte(va));
    expect(gnt_flags(140), GNT_RW, "the grant is still in use");
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error, "unmap of the handle: status %d (want GNTST_general_error)", st);
    rc = mm_update1(gnt_pte_maddr(va), mm_pte(data_mfn[3], MM_RW_FLAGS));
    rc |= gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error && mm_pte_mfn(gnt_pte(va)) == data_mfn[3],
               "with another frame mapped there: status %d, that mapping untouched", st);
    rc = mm_update1(gnt_pte_maddr(va), mm_pte(data_mfn[2], MM_RW_FLAGS));
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    rc |= gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0 && gnt_flags(140) == GTF_permit_access,
               "an ordinary writable mapping of the granted frame put there: the unmap works (status %d), "
               "the slot is empty, the grant released", st);

    /* The same with a read-only grant mapping, overwritten by update_va_mapping. */
    rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_readonly, 140, 0);
    rc |= gnt_set_pte(va, mm_pte(data_mfn[4], MM_RO_FLAGS));
    test_check(rc == 0 && op.status == 0 && mm_pte_mfn(gnt_pte(va)) == data_mfn[4],
               "a read-only grant mapping replaced with update_va_mapping: rc=%ld", rc);
    rc = gnt_unmap(va, 0, op.handle, &st);
    expect(st, GNTST_general_error, "its unmap");
    rc = gnt_set_pte(va, mm_pte(data_mfn[2], MM_RO_FLAGS));
    rc |= gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0 && gnt_flags(140) == GTF_permit_access,
               "read-only mapping of the frame put back: unmap status %d", st);
    gnt_grant(140, 0, 0, GTF_invalid);
}

/* A frame mapped writable through a grant cannot become a page table, and a
 * page table cannot be mapped writable through a grant. */
static void pin_while_mapped(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long f = mm_alloc_mfn(), va = map_va(30);
    int16_t st;
    long rc;

    expect(mm_zero_frame(f), 0, "a fresh zeroed frame %#lx", f);
    gnt_grant(150, 0, f, GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map, 150, 0);
    test_check(rc == 0 && op.status == 0, "granted and mapped writable through the grant: status %d", op.status);
    expect(mm_ext1(MMUEXT_PIN_L1_TABLE, f, 0), E(EINVAL), "pin it as an L1 meanwhile");
    expect(mm_update1(gnt_l2_mfn() << 12 | 8 * 5, mm_pte(f, MM_TABLE_FLAGS)), E(EINVAL),
           "hook it into our L2 as an L1 meanwhile");
    gnt_unmap(va, 0, op.handle, &st);
    expect(st, 0, "unmapped");
    expect(mm_ext1(MMUEXT_PIN_L1_TABLE, f, 0), 0, "now it pins as an L1");
    rc = gnt_map(&op, va, GNTMAP_host_map, 150, 0);
    test_check(rc == 0 && op.status == GNTST_general_error && gnt_flags(150) == GTF_permit_access,
               "the pinned L1 mapped writable through its grant: status %d (want general_error)", op.status);
    rc = gnt_map(&op, 0, GNTMAP_device_map, 150, 0);
    expect(op.status, GNTST_general_error, "a writable device mapping of it");
    rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_readonly, 150, 0);
    test_check(rc == 0 && op.status == 0 && gnt_flags(150) == GNT_RO, "a read-only one: status %d", op.status);
    gnt_unmap(va, 0, op.handle, &st);
    expect(mm_ext1(MMUEXT_UNPIN_TABLE, f, 0), 0, "unpinned");
    gnt_grant(150, 0, 0, GTF_invalid);
}

/*
 * decrease_reservation of a frame that is grant-mapped: it succeeds, and the
 * frame keeps counting against the domain while the mapping holds it (as any
 * referenced frame, see the mm_held guest).  The grant, already in use, can
 * still be mapped again; once the last mapping goes the frame is gone and a
 * new mapping finds no page.
 */
static void given_back_while_mapped(void)
{
    gnttab_map_grant_ref_t a, b;
    unsigned long pfn = mm_alloc_pfn(), f = mm_pfn_to_mfn(pfn);
    unsigned long va = map_va(40), va2 = map_va(41);
    int16_t st;
    long rc, res0 = reservation();

    gnt_grant(160, 0, f, GTF_permit_access);
    rc = gnt_map(&a, va, GNTMAP_host_map, 160, 0);
    *(volatile unsigned long *)va = 0x5eed;
    xen_pfn_t list[1] = { f };
    long got = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    mm_set_p2m(pfn, MM_INVALID);
    test_check(rc == 0 && a.status == 0 && got == 1, "frame %#lx mapped through ref 160, then given back: %ld", f,
               got);
    expect(reservation(), res0, "current_reservation while the mapping holds it");
    test_check(*(volatile unsigned long *)va == 0x5eed, "the mapping still works");
    rc = gnt_map(&b, va2, GNTMAP_host_map, 160, 0);
    test_check(rc == 0 && b.status == 0 && *(volatile unsigned long *)va2 == 0x5eed,
               "a second mapping of the grant in use: status %d", b.status);
    gnt_unmap(va, 0, a.handle, &st);
    expect(reservation(), res0, "one mapping left: still counted");
    gnt_unmap(va2, 0, b.handle, &st);
    expect(st, 0, "the last mapping unmapped");
    expect(reservation(), res0 - 1, "current_reservation once the last mapping went");
    expect(gnt_flags(160), GTF_permit_access, "entry released");
    rc = gnt_map(&a, va, GNTMAP_host_map | GNTMAP_readonly, 160, 0);
    test_check(rc == 0 && a.status == GNTST_bad_page, "a new mapping of it: status %d (want GNTST_bad_page)",
               a.status);
    gnt_grant(160, 0, 0, GTF_invalid);
    frames_lost++;
}

void test_state(void)
{
    entry_rewritten();
    pte_overwritten();
    pin_while_mapped();
    given_back_while_mapped();
}
