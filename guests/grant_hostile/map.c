/* map_grant_ref / unmap_grant_ref / unmap_and_replace requests that are refused. */
#include "suite.h"

/* One map whose status must be `want`; nothing may be left behind (entry flags
 * as before, the PTE at va, if any, unchanged). */
static void refused(const char *what, uint64_t host_addr, uint32_t flags, grant_ref_t ref, domid_t dom,
                    int16_t want, unsigned long va)
{
    gnttab_map_grant_ref_t op;
    uint16_t before = ref < gnt_table_frames * 512 ? gnt_flags(ref) : 0;
    unsigned long pte = va ? gnt_pte(va) : 0;
    long rc = gnt_map(&op, host_addr, flags, ref, dom);
    uint16_t after = ref < gnt_table_frames * 512 ? gnt_flags(ref) : 0;

    test_check(rc == 0 && op.status == want && after == before && (!va || gnt_pte(va) == pte),
               "%s: rc=%ld status %d (want %d), entry flags %#x -> %#x", what, rc, op.status, want, before, after);
    if (op.status == 0) {
        int16_t st;
        gnt_unmap(host_addr, op.dev_bus_addr, op.handle, &st);
    }
}

static void bad_requests(void)
{
    unsigned long va = map_va(0);
    grant_ref_t nr = gnt_table_frames * 512;

    gnt_grant(100, 0, data_mfn[0], GTF_permit_access);
    /* Neither host_map nor device_map: Xen calls that a bad reference. */
    refused("flags 0", va, 0, 100, 0, GNTST_bad_gntref, va);
    refused("flags GNTMAP_readonly only", va, GNTMAP_readonly, 100, 0, GNTST_bad_gntref, va);
    refused("flags GNTMAP_application_map|GNTMAP_contains_pte only", va,
            GNTMAP_application_map | GNTMAP_contains_pte, 100, 0, GNTST_bad_gntref, va);
    refused("ref just beyond the table", va, GNTMAP_host_map, nr, 0, GNTST_bad_gntref, va);
    refused("ref 0xffffffff", va, GNTMAP_host_map, 0xffffffffu, 0, GNTST_bad_gntref, va);
    /* The granting domain is looked up by id only: DOMID_SELF is no domain here. */
    refused("dom DOMID_SELF", va, GNTMAP_host_map, 100, DOMID_SELF, GNTST_bad_domain, va);
    refused("dom 1 (none)", va, GNTMAP_host_map, 100, 1, GNTST_bad_domain, va);
    refused("dom DOMID_XEN", va, GNTMAP_host_map, 100, DOMID_XEN, GNTST_bad_domain, va);
    refused("dom DOMID_IO", va, GNTMAP_host_map, 100, DOMID_IO, GNTST_bad_domain, va);

    /* Entries that grant nothing to us. */
    gnt_grant(101, 1, data_mfn[0], GTF_permit_access);
    refused("entry granted to domain 1", va, GNTMAP_host_map, 101, 0, GNTST_general_error, va);
    gnt_grant(101, DOMID_SELF, data_mfn[0], GTF_permit_access);
    refused("entry granted to DOMID_SELF (not our id)", va, GNTMAP_host_map, 101, 0, GNTST_general_error, va);
    gnt_grant(101, 0, data_mfn[0], GTF_invalid);
    refused("GTF_invalid entry", va, GNTMAP_host_map, 101, 0, GNTST_general_error, va);
    gnt_grant(101, 0, data_mfn[0], GTF_accept_transfer);
    refused("GTF_accept_transfer entry", va, GNTMAP_host_map, 101, 0, GNTST_general_error, va);
    gnt_grant(101, 0, data_mfn[0], GTF_transitive);
    refused("GTF_transitive entry (version 1)", va, GNTMAP_host_map, 101, 0, GNTST_general_error, va);
    gnt_grant(101, 0, data_mfn[0], GTF_permit_access | GTF_sub_page);
    refused("GTF_permit_access|GTF_sub_page (no mapping of sub-page grants)", va, GNTMAP_host_map, 101, 0,
            GNTST_general_error, va);
    gnt_grant(101, 0, data_mfn[0], 0);
    refused("device_map of a GTF_invalid entry", 0, GNTMAP_device_map, 101, 0, GNTST_general_error, 0);

    /* Entries naming frames that are not ours. */
    gnt_grant(102, 0, m2p_mfn, GTF_permit_access);
    refused("entry -> an M2P frame (the hypervisor's)", va, GNTMAP_host_map | GNTMAP_readonly, 102, 0,
            GNTST_bad_page, va);
    gnt_grant(102, 0, freed_mfn, GTF_permit_access);
    refused("entry -> a frame given back", va, GNTMAP_host_map, 102, 0, GNTST_bad_page, va);
    gnt_grant(102, 0, beyond_ram_mfn, GTF_permit_access);
    refused("entry -> a frame beyond RAM", va, GNTMAP_host_map, 102, 0, GNTST_bad_page, va);
    gnt_grant(102, 0, 0xffffffffu, GTF_permit_access);
    refused("entry -> frame 0xffffffff", 0, GNTMAP_device_map, 102, 0, GNTST_bad_page, 0);
    gnt_grant(102, 0, gnt_l1_mfn(1), GTF_permit_access);
    /* One of our page tables: it cannot become writable. */
    refused("entry -> our L1 (in use), mapped writable", va, GNTMAP_host_map, 102, 0, GNTST_general_error, va);
    refused("the same, device_map writable", 0, GNTMAP_device_map, 102, 0, GNTST_general_error, 0);
    gnttab_map_grant_ref_t op;
    int16_t st;
    long rc = gnt_map(&op, va, GNTMAP_host_map | GNTMAP_readonly, 102, 0);
    test_check(rc == 0 && op.status == 0 && gnt_pte(va) != 0,
               "the L1 granted and mapped read-only: allowed (status %d)", op.status);
    if (op.status == 0)
        gnt_unmap(va, 0, op.handle, &st);
    expect(gnt_flags(102), GTF_permit_access, "released");
    gnt_grant(102, 0, 0, GTF_invalid);
}

static void bad_host_addrs(void)
{
    unsigned long va = map_va(1);

    gnt_grant(110, 0, data_mfn[1], GTF_permit_access);
    refused("host_addr with no L1 (empty L4 slot)", UNMAPPED_VA, GNTMAP_host_map, 110, 0, GNTST_general_error, 0);
    refused("host_addr in the hypervisor's range", 0xFFFF800000000000UL, GNTMAP_host_map, 110, 0,
            GNTST_general_error, 0);
    refused("host_addr not canonical", 0x0000800000000000UL, GNTMAP_host_map, 110, 0, GNTST_general_error, 0);
    refused("host_addr 0 (nothing mapped there)", 0, GNTMAP_host_map, 110, 0, GNTST_general_error, 0);
    /* GNTMAP_contains_pte: the machine address must be an 8-byte aligned entry of one of our L1s. */
    unsigned long maddr = gnt_pte_maddr(va);
    refused("contains_pte, misaligned entry address", maddr + 4, GNTMAP_host_map | GNTMAP_contains_pte, 110, 0,
            GNTST_general_error, va);
    refused("contains_pte, an entry of our L2", gnt_l2_mfn() << 12 | 0x800, GNTMAP_host_map | GNTMAP_contains_pte,
            110, 0, GNTST_general_error, 0);
    refused("contains_pte, a word of a data page", data_mfn[2] << 12, GNTMAP_host_map | GNTMAP_contains_pte, 110,
            0, GNTST_general_error, 0);
    test_check(data_va(2)[0] != (data_mfn[1] << 12 | 1), "the data page was not written");
    refused("contains_pte, an M2P frame", m2p_mfn << 12, GNTMAP_host_map | GNTMAP_contains_pte, 110, 0,
            GNTST_general_error, 0);
    refused("contains_pte, beyond RAM", beyond_ram_mfn << 12, GNTMAP_host_map | GNTMAP_contains_pte, 110, 0,
            GNTST_general_error, 0);
    refused("contains_pte, a frame given back", freed_mfn << 12, GNTMAP_host_map | GNTMAP_contains_pte, 110, 0,
            GNTST_general_error, 0);
    expect(gnt_flags(110), GTF_permit_access, "entry 110 released after all that");

    /* A VA that already maps something: the grant mapping takes its place (the
     * old entry is dropped as by any update), and the unmap leaves the slot empty. */
    gnttab_map_grant_ref_t op;
    int16_t st;
    data_fill(1, 1);
    data_fill(2, 2);
    long rc = gnt_set_pte(va, mm_pte(data_mfn[2], MM_RW_FLAGS));
    rc |= gnt_map(&op, va, GNTMAP_host_map, 110, 0);
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(rc == 0 && op.status == 0 && mm_pte_mfn(gnt_pte(va)) == data_mfn[1] &&
                   *(volatile unsigned long *)va == data_word(1, 0),
               "map over a present ordinary mapping: status %d, the slot now maps the granted frame", op.status);
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0, "unmap: status %d, the slot is empty (%#lx)", st, gnt_pte(va));
    /* Both frames are unreferenced again: each can be pinned (checked at the end too). */
    test_check(data_is(2, 2), "the displaced frame kept its contents");
}

static void bad_unmaps(void)
{
    gnttab_map_grant_ref_t op;
    unsigned long va = map_va(2), other = map_va(3);
    int16_t st;
    long rc;

    gnt_grant(120, 0, data_mfn[3], GTF_permit_access);
    rc = gnt_map(&op, va, GNTMAP_host_map, 120, 0);
    test_check(rc == 0 && op.status == 0, "ref 120 mapped at %#lx: handle %#x", va, op.handle);

    rc = gnt_unmap(va, 0, 0x7fffffff, &st);
    test_check(rc == 0 && st == GNTST_bad_handle, "unmap, handle 0x7fffffff: status %d (want GNTST_bad_handle)", st);
    rc = gnt_unmap(va, 0, 0xffffffffu, &st);
    test_check(rc == 0 && st == GNTST_bad_handle, "unmap, handle 0xffffffff: status %d", st);
    rc = gnt_unmap(va, 0, op.handle + 1, &st);
    test_check(rc == 0 && st == GNTST_bad_handle, "unmap, a handle in range that is not in use: status %d", st);
    /* Another address: the entry there does not map the granted frame. */
    rc = gnt_unmap(other, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error, "unmap at an empty slot: status %d (want GNTST_general_error)",
               st);
    gnt_set_pte(other, mm_pte(data_mfn[4], MM_RW_FLAGS));
    rc = gnt_unmap(other, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error && mm_pte_mfn(gnt_pte(other)) == data_mfn[4],
               "unmap at a slot mapping another frame: status %d, that slot untouched", st);
    gnt_set_pte(other, 0);
    rc = gnt_unmap(UNMAPPED_VA, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error, "unmap at an address with no L1: status %d", st);
    rc = gnt_unmap(gnt_pte_maddr(va), 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_general_error,
               "unmap of a VA mapping by its PTE's machine address: status %d (the handle says VA)", st);
    /* host_addr 0 names no host mapping: nothing is done and that is no error. */
    rc = gnt_unmap(0, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_okay && gnt_flags(120) == GNT_RW && gnt_pte(va) != 0,
               "unmap with host_addr 0: status %d, the mapping is still there", st);
    rc = gnt_unmap(0, op.dev_bus_addr, op.handle, &st);
    test_check(rc == 0 && st == GNTST_okay && gnt_flags(120) == GNT_RW,
               "unmap with only a bus address (no device mapping): status %d, nothing done", st);
    expect(gnt_flags(120), GNT_RW, "still mapped after all the wrong unmaps");
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == 0 && gnt_pte(va) == 0, "the right unmap: status %d", st);
    rc = gnt_unmap(va, 0, op.handle, &st);
    test_check(rc == 0 && st == GNTST_bad_handle, "the same unmap again: status %d (want GNTST_bad_handle)", st);

    /* unmap_and_replace */
    gnttab_unmap_and_replace_t ur;
    rc = gnt_map(&op, va, GNTMAP_host_map, 120, 0);
    g_memset(&ur, 0, sizeof(ur));
    ur.host_addr = va;
    ur.new_addr = UNMAPPED_VA;
    ur.handle = op.handle;
    ur.status = 0x7777;
    rc |= gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == GNTST_general_error && gnt_flags(120) == GNT_RW,
               "unmap_and_replace with new_addr where there is no L1: status %d, still mapped", ur.status);
    ur.new_addr = other;   /* an empty slot of an L1: its (empty) entry moves */
    ur.status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == 0 && gnt_pte(va) == 0 && gnt_flags(120) == GTF_permit_access,
               "unmap_and_replace with an empty new_addr slot: status %d, host_addr empty", ur.status);
    ur.status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == GNTST_bad_handle, "again with the same handle: status %d", ur.status);

    /* A contains_pte mapping cannot be replaced, only unmapped. */
    unsigned long maddr = gnt_pte_maddr(va);
    rc = gnt_map(&op, maddr, GNTMAP_host_map | GNTMAP_contains_pte, 120, 0);
    gnt_set_pte(other, mm_pte(data_mfn[4], MM_RW_FLAGS));
    ur.host_addr = maddr;
    ur.new_addr = other;
    ur.handle = op.handle;
    ur.status = 0x7777;
    rc |= gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == GNTST_general_error && mm_pte_mfn(gnt_pte(other)) == data_mfn[4] &&
                   gnt_flags(120) == GNT_RW,
               "unmap_and_replace of a contains_pte mapping with a new_addr: status %d, nothing moved", ur.status);
    gnt_set_pte(other, 0);
    ur.new_addr = 0;
    ur.status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_and_replace, &ur, 1);
    test_check(rc == 0 && ur.status == 0 && gnt_pte(va) == 0 && gnt_flags(120) == GTF_permit_access,
               "with new_addr 0 it unmaps: status %d", ur.status);
}

void test_map_refusals(void)
{
    bad_requests();
    bad_host_addrs();
    bad_unmaps();
}
