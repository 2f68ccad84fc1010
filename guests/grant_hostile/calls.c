/* The dispatcher (sub-ops, counts, pointers) and the table-wide sub-ops' refusals. */
#include "suite.h"

#define HV_VA      0xFFFF800000000000UL /* the hypervisor's range (the read-only M2P) */
#define NONCANON   0x0000800000000000UL

static unsigned nr_frames(void)
{
    gnttab_query_size_t q;
    return gnt_query_size(DOMID_SELF, &q) == 0 ? q.nr_frames : 0;
}

static void sub_ops_and_counts(void)
{
    gnttab_query_size_t q;
    static gnttab_map_grant_ref_t m[1];
    long rc;

    expect(gnt_op(13, &q, 1), E(ENOSYS), "sub-op 13 (after the last one)");
    expect(gnt_op(0xfff, &q, 1), E(ENOSYS), "sub-op 0xfff");
    /* Bits 12 and up of the sub-op carry a continuation's progress, which only
     * cache_flush has: on any other sub-op they are refused. */
    expect(gnt_op(GNTTABOP_query_size | 0x1000, &q, 1), E(EINVAL), "query_size with bit 12 set");
    expect(gnt_op(13 | 0x1000, &q, 1), E(EINVAL), "sub-op 13 with bit 12 set (checked before the sub-op)");
    expect(gnt_op(GNTTABOP_map_grant_ref | 0x80000000u, m, 1), E(EINVAL), "map_grant_ref with bit 31 set");
    /* The sub-op and the count are 32-bit: the upper halves of the registers are ignored. */
    q.dom = DOMID_SELF;
    q.status = 0x7777;
    rc = gnt_op_raw(0xabcd000000000000UL | GNTTABOP_query_size, (unsigned long)&q, 0x500000001UL);
    test_check(rc == 0 && q.status == 0 && q.nr_frames == 1,
               "query_size with junk in the upper halves of sub-op and count: rc=%ld status %d", rc, q.status);

    /* A count that is negative as an int is refused before anything else. */
    expect(gnt_op_raw(GNTTABOP_map_grant_ref, (unsigned long)m, 0x80000000UL), E(EINVAL), "map with count 2^31");
    expect(gnt_op_raw(GNTTABOP_copy, (unsigned long)m, 0xffffffffUL), E(EINVAL), "copy with count 2^32-1");
    expect(gnt_op_raw(13, (unsigned long)m, 0x80000000UL), E(EINVAL), "sub-op 13 with count 2^31");
    expect(gnt_op_raw(GNTTABOP_query_size, (unsigned long)&q, 0x80000000UL), E(EINVAL), "query_size, count 2^31");

    /* Sub-ops that take exactly one structure. */
    expect(gnt_query_size(DOMID_SELF, &q) == 0 ? gnt_op(GNTTABOP_query_size, &q, 0) : -1000, E(EINVAL),
           "query_size with count 0");
    expect(gnt_op(GNTTABOP_query_size, &q, 2), E(EINVAL), "query_size with count 2");
    xen_pfn_t list[2];
    gnttab_setup_table_t s = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = list };
    expect(gnt_op(GNTTABOP_setup_table, &s, 0), E(EINVAL), "setup_table with count 0");
    expect(gnt_op(GNTTABOP_setup_table, &s, 2), E(EINVAL), "setup_table with count 2");
    gnttab_get_status_frames_t gs = { .nr_frames = 0, .dom = DOMID_SELF, .frame_list = (uint64_t *)list };
    expect(gnt_op(GNTTABOP_get_status_frames, &gs, 0), E(EINVAL), "get_status_frames with count 0");
    /* set_version and get_version read one structure whatever the count. */
    gnttab_get_version_t gv = { .dom = DOMID_SELF, .version = 0x55 };
    rc = gnt_op(GNTTABOP_get_version, &gv, 0);
    test_check(rc == 0 && gv.version == 1, "get_version ignores the count (0): rc=%ld version %u", rc, gv.version);
    gnttab_set_version_t sv = { .version = 1 };
    expect(gnt_op(GNTTABOP_set_version, &sv, 7), 0, "set_version(1) ignores the count (7)");

    /* Batches of nothing. */
    expect(gnt_op(GNTTABOP_map_grant_ref, m, 0), 0, "map_grant_ref with count 0");
    expect(gnt_op(GNTTABOP_unmap_grant_ref, m, 0), 0, "unmap_grant_ref with count 0");
    expect(gnt_op(GNTTABOP_copy, m, 0), 0, "copy with count 0");
    expect(gnt_op(GNTTABOP_swap_grant_ref, m, 0), 0, "swap_grant_ref with count 0");
    expect(gnt_op(GNTTABOP_transfer, m, 0), 0, "transfer with count 0");
    expect(gnt_op(GNTTABOP_cache_flush, m, 0), 0, "cache_flush with count 0");
    expect(gnt_op(GNTTABOP_unmap_and_replace, m, 0), 0, "unmap_and_replace with count 0");
}

static void bad_pointers(void)
{
    static const unsigned ops[] = {
        GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_setup_table, GNTTABOP_transfer,
        GNTTABOP_copy, GNTTABOP_query_size, GNTTABOP_unmap_and_replace, GNTTABOP_set_version,
        GNTTABOP_get_status_frames, GNTTABOP_get_version, GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush,
    };
    static const unsigned long ptrs[] = { 0, HV_VA, NONCANON, UNMAPPED_VA, 0xFFFFFFFFFFFFF000UL };
    unsigned wrong = 0;

    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        for (unsigned p = 0; p < sizeof(ptrs) / sizeof(ptrs[0]); p++) {
            long rc = gnt_op_raw(ops[i], ptrs[p], 1);
            if (rc != E(EFAULT)) {
                wrong++;
                test_note("sub-op %u with pointer %#lx: rc=%ld", ops[i], ptrs[p], rc);
            }
        }
    expect(wrong, 0, "calls of every sub-op with a bad pointer (NULL, hypervisor, non-canonical, unmapped, "
           "top page) that did not give -EFAULT");
    /* The hypervisor's range is refused even for an empty batch; an address of
     * the guest's half is not looked at then. */
    expect(gnt_op_raw(GNTTABOP_map_grant_ref, HV_VA, 0), E(EFAULT), "map_grant_ref, count 0, hypervisor pointer");
    expect(gnt_op_raw(GNTTABOP_map_grant_ref, UNMAPPED_VA, 0), 0, "map_grant_ref, count 0, unmapped pointer");

    /* Structures that are read but cannot be written back: the start-of-day L4 (read-only). */
    gnttab_query_size_t *ro = (gnttab_query_size_t *)guest_start_info->pt_base;
    expect(gnt_op(GNTTABOP_query_size, ro, 1), E(EFAULT), "query_size in a read-only page");
}

static void table_refusals(void)
{
    gnttab_query_size_t q;
    xen_pfn_t list[4];
    int16_t st;
    long rc;

    /* Beyond the maximum: no growth, no frames, a status and no error. */
    rc = gnt_setup_list(DOMID_SELF, 65, list, &st);
    test_check(rc == 0 && st == GNTST_general_error, "setup_table(65 frames, the maximum is 64): rc=%ld status %d "
               "(want 0, GNTST_general_error)", rc, st);
    rc = gnt_setup_list(DOMID_SELF, 0xffffffffu, list, &st);
    test_check(rc == 0 && st == GNTST_general_error, "setup_table(2^32-1 frames): rc=%ld status %d", rc, st);
    expect(nr_frames(), 1, "the table still has one frame");

    /* Domains that are not there (DOMID_SELF and our own id are fine: grant guest). */
    static const domid_t doms[] = { 1, 0x7fef, DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, 0xffff };
    for (unsigned i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
        rc = gnt_setup_list(doms[i], 1, list, &st);
        test_check(rc == 0 && st == GNTST_bad_domain, "setup_table(dom %#x): rc=%ld status %d (want 0, "
                   "GNTST_bad_domain)", doms[i], rc, st);
        rc = gnt_query_size(doms[i], &q);
        test_check(rc == 0 && q.status == GNTST_bad_domain && q.nr_frames == 0x5555,
                   "query_size(dom %#x): rc=%ld status %d, nr_frames left as given", doms[i], rc, q.status);
        gnttab_get_version_t gv = { .dom = doms[i], .version = 0x55 };
        rc = gnt_op(GNTTABOP_get_version, &gv, 1);
        test_check(rc == E(ESRCH) && gv.version == 0x55, "get_version(dom %#x): rc=%ld (want -ESRCH)", doms[i], rc);
        gnttab_get_status_frames_t gs = { .nr_frames = 0, .dom = doms[i], .status = 0x7777,
                                          .frame_list = (uint64_t *)list };
        rc = gnt_op(GNTTABOP_get_status_frames, &gs, 1);
        test_check(rc == 0 && gs.status == GNTST_bad_domain, "get_status_frames(dom %#x): rc=%ld status %d",
                   doms[i], rc, gs.status);
    }

    /* The frame list: checked for the hypervisor's range first (-EFAULT), then
     * written frame by frame; a frame that cannot be written is a status. */
    rc = gnt_setup_list(DOMID_SELF, 1, (xen_pfn_t *)HV_VA, &st);
    expect(rc, E(EFAULT), "setup_table with its frame list in the hypervisor's range");
    rc = gnt_setup_list(DOMID_SELF, 0, (xen_pfn_t *)HV_VA, &st);
    expect(rc, E(EFAULT), "the same with 0 frames");
    rc = gnt_setup_list(DOMID_SELF, 0, NULL, &st);
    test_check(rc == 0 && st == 0, "setup_table(0 frames) with a NULL list: rc=%ld status %d", rc, st);
    /* The table grows before the list is written: the growth stays. */
    rc = gnt_setup_list(DOMID_SELF, 2, NULL, &st);
    test_check(rc == 0 && st == GNTST_bad_virt_addr, "setup_table(2 frames) with a NULL list: rc=%ld status %d "
               "(want 0, GNTST_bad_virt_addr)", rc, st);
    expect(nr_frames(), 2, "the table grew to 2 frames all the same");
    rc = gnt_setup_list(DOMID_SELF, 1, (xen_pfn_t *)guest_start_info->pt_base, &st);
    test_check(rc == 0 && st == GNTST_bad_virt_addr, "setup_table with the list in a read-only page: rc=%ld "
               "status %d", rc, st);
    /* A list that runs off the end of a mapped page: the first frames are written. */
    unsigned long va = map_va(500);
    rc = gnt_set_pte(va, mm_pte(data_mfn[0], MM_RW_FLAGS));
    xen_pfn_t *edge = (xen_pfn_t *)(va + 4096 - 8);
    *edge = 0xdead;
    rc |= gnt_setup_list(DOMID_SELF, 2, edge, &st);
    test_check(rc == 0 && st == GNTST_bad_virt_addr && *edge != 0xdead,
               "setup_table(2) with a list whose second word is unmapped: rc=%ld status %d, first word %#lx",
               rc, st, *edge);
    gnt_set_pte(va, 0);

    /* Versions and status frames. */
    gnttab_set_version_t sv = { .version = 0xffffffffu };
    expect(gnt_op(GNTTABOP_set_version, &sv, 1), E(EINVAL), "set_version(2^32-1)");
    expect(sv.version, 1, "the version in use written back");
    gnttab_get_status_frames_t gs = { .nr_frames = 1, .dom = DOMID_SELF, .status = 0x7777,
                                      .frame_list = (uint64_t *)HV_VA };
    expect(gnt_op(GNTTABOP_get_status_frames, &gs, 1), E(EFAULT), "get_status_frames with a hypervisor list");
    gs.frame_list = (uint64_t *)list;
    gs.nr_frames = 0xffffffffu;
    rc = gnt_op(GNTTABOP_get_status_frames, &gs, 1);
    test_check(rc == 0 && gs.status == GNTST_general_error, "get_status_frames(2^32-1): rc=%ld status %d", rc,
               gs.status);
}

void test_calls(void)
{
    sub_ops_and_counts();
    bad_pointers();
    table_refusals();
}
