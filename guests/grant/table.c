/* setup_table, query_size, set_version/get_version, get_status_frames. */
#include "suite.h"

static long get_version(domid_t dom, uint32_t *version)
{
    gnttab_get_version_t v = { .dom = dom, .pad = 0, .version = 0x5555 };
    long rc = gnt_op(GNTTABOP_get_version, &v, 1);
    *version = v.version;
    return rc;
}

static long set_version(uint32_t want, uint32_t *out)
{
    gnttab_set_version_t v = { .version = want };
    long rc = gnt_op(GNTTABOP_set_version, &v, 1);
    *out = v.version;
    return rc;
}

void test_table(void)
{
    gnttab_query_size_t q;
    uint32_t ver;
    int16_t st;
    long rc;
    static xen_pfn_t list[GNT_TABLE_MAX];

    /* ---- the table dom0 starts with ---- */
    rc = get_version(DOMID_SELF, &ver);
    test_check(rc == 0 && ver == 1, "get_version(DOMID_SELF): rc=%ld version %u (want 0, 1)", rc, ver);
    rc = get_version(0, &ver);
    test_check(rc == 0 && ver == 1, "get_version(0, our own id): rc=%ld version %u (want 0, 1)", rc, ver);

    rc = gnt_query_size(DOMID_SELF, &q);
    /* Xen 4.17: dom0 starts with one frame (INITIAL_NR_GRANT_FRAMES on x86)
     * and may grow to 64 (gnttab_max_frames' default). */
    test_check(rc == 0 && q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 64,
               "query_size(DOMID_SELF): rc=%ld status %d, nr_frames %u, max_nr_frames %u "
               "(want 0, 0, 1, 64)", rc, q.status, q.nr_frames, q.max_nr_frames);
    rc = gnt_query_size(0, &q);
    test_check(rc == 0 && q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 64,
               "query_size(0): rc=%ld status %d, nr_frames %u, max_nr_frames %u", rc, q.status,
               q.nr_frames, q.max_nr_frames);

    long res0 = reservation();

    /* ---- setup_table: one frame, mapped writable in our own tables ---- */
    rc = gnt_table_setup(1, &st);
    if (!test_check(rc == 0 && st == GNTST_okay && gnt_table_frames == 1,
                    "setup_table(DOMID_SELF, 1): rc=%ld status %d; frame %#lx mapped writable at %#lx",
                    rc, st, gnt_table_mfn[0], GNT_TABLE_VA))
        test_finish();   /* nothing else can be tested without a table */
    unsigned long m2p = GUEST_M2P[gnt_table_mfn[0]];
    /* The table frames belong to the hypervisor's heap, shared with us: they
     * are in no pfn slot of ours, and their M2P entry says so. */
    test_check(m2p == ~0UL, "M2P of the table frame: %#lx (want the invalid entry ~0)", m2p);
    unsigned long pte = gnt_pte(GNT_TABLE_VA);
    test_check(mm_pte_mfn(pte) == gnt_table_mfn[0] && (pte & MM_RW), "its PTE %#lx", pte);
    unsigned zero = 0;
    for (unsigned r = 0; r < 512; r++)
        zero += gnt_table[r].flags == 0 && gnt_table[r].domid == 0 && gnt_table[r].frame == 0;
    expect(zero, 512, "entries of the fresh table that are all zero");

    /* Again, for the same number: the same frame. */
    rc = gnt_setup_list(DOMID_SELF, 1, list, &st);
    test_check(rc == 0 && st == 0 && list[0] == gnt_table_mfn[0],
               "setup_table(DOMID_SELF, 1) again: rc=%ld status %d frame %#lx", rc, st, list[0]);
    rc = gnt_setup_list(0, 1, list, &st);
    test_check(rc == 0 && st == 0 && list[0] == gnt_table_mfn[0],
               "setup_table(0, 1): rc=%ld status %d frame %#lx", rc, st, list[0]);

    /* ---- growing ---- */
    rc = gnt_table_setup(4, &st);
    test_check(rc == 0 && st == 0 && gnt_table_frames == 4,
               "setup_table(DOMID_SELF, 4) grows the table: rc=%ld status %d, frames %#lx %#lx %#lx %#lx",
               rc, st, gnt_table_mfn[0], gnt_table_mfn[1], gnt_table_mfn[2], gnt_table_mfn[3]);
    rc = gnt_query_size(DOMID_SELF, &q);
    test_check(rc == 0 && q.status == 0 && q.nr_frames == 4 && q.max_nr_frames == 64,
               "query_size: nr_frames %u max %u (want 4, 64)", q.nr_frames, q.max_nr_frames);
    /* A smaller number never shrinks it: the first frames are listed. */
    for (unsigned i = 0; i < 4; i++)
        list[i] = 0xdead;
    rc = gnt_setup_list(DOMID_SELF, 2, list, &st);
    test_check(rc == 0 && st == 0 && list[0] == gnt_table_mfn[0] && list[1] == gnt_table_mfn[1] &&
                   list[2] == 0xdead,
               "setup_table(2) after 4: rc=%ld status %d, lists the first two only (%#lx %#lx, then %#lx)",
               rc, st, list[0], list[1], list[2]);
    rc = gnt_setup_list(DOMID_SELF, 0, list, &st);
    test_check(rc == 0 && st == 0, "setup_table(0): rc=%ld status %d", rc, st);
    rc = gnt_query_size(DOMID_SELF, &q);
    test_check(rc == 0 && q.nr_frames == 4, "query_size still 4 frames (%u)", q.nr_frames);

    /* ---- to the maximum ---- */
    rc = gnt_table_setup(64, &st);
    test_check(rc == 0 && st == 0 && gnt_table_frames == 64,
               "setup_table(DOMID_SELF, 64): rc=%ld status %d, %u frames mapped", rc, st, gnt_table_frames);
    rc = gnt_query_size(DOMID_SELF, &q);
    test_check(rc == 0 && q.nr_frames == 64 && q.max_nr_frames == 64,
               "query_size: nr_frames %u max %u (want 64, 64)", q.nr_frames, q.max_nr_frames);
    unsigned distinct = 1;
    for (unsigned i = 1; i < 64; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i; j++)
            dup |= gnt_table_mfn[j] == gnt_table_mfn[i];
        distinct += !dup;
    }
    expect(distinct, 64, "distinct table frames");
    /* The table's frames are the hypervisor's: they do not count against the
     * domain's reservation. */
    expect(reservation(), res0, "current_reservation after growing the table to 64 frames");

    /* An entry in the last frame, written here, read back through another
     * path in map.c/copy.c; here: our own view of it. */
    gnt_grant(64 * 512 - 1, 0, data_mfn[0], GTF_permit_access);
    test_check(gnt_table[64 * 512 - 1].frame == data_mfn[0], "entry %u written", 64 * 512 - 1);
    gnt_grant(64 * 512 - 1, 0, 0, GTF_invalid);

    /* ---- versions ---- */
    rc = set_version(1, &ver);
    test_check(rc == 0 && ver == 1, "set_version(1): rc=%ld, version %u (want 0, 1)", rc, ver);
    /* Xen limited to version 1 (gnttab=max-ver:1) answers as before set_version
     * existed: -ENOSYS, and writes back the version in use. */
    rc = set_version(2, &ver);
    test_check(rc == E(ENOSYS) && ver == 1, "set_version(2): rc=%ld, version %u (want -ENOSYS, 1)", rc, ver);
    rc = set_version(0, &ver);
    test_check(rc == E(EINVAL) && ver == 1, "set_version(0): rc=%ld, version %u (want -EINVAL, 1)", rc, ver);
    rc = set_version(3, &ver);
    test_check(rc == E(EINVAL) && ver == 1, "set_version(3): rc=%ld, version %u (want -EINVAL, 1)", rc, ver);
    rc = get_version(DOMID_SELF, &ver);
    test_check(rc == 0 && ver == 1, "get_version: still %u (rc=%ld)", ver, rc);
    rc = gnt_query_size(DOMID_SELF, &q);
    test_check(rc == 0 && q.nr_frames == 64, "the table kept its 64 frames (%u)", q.nr_frames);

    /* ---- status frames exist only for version 2 ---- */
    gnttab_get_status_frames_t gs;
    uint64_t sframes[2] = { 0xdead, 0xdead };
    g_memset(&gs, 0, sizeof(gs));
    gs.dom = DOMID_SELF;
    gs.nr_frames = 0;
    set_xen_guest_handle(gs.frame_list, sframes);
    gs.status = 0x7777;
    rc = gnt_op(GNTTABOP_get_status_frames, &gs, 1);
    test_check(rc == 0 && gs.status == GNTST_okay, "get_status_frames(0 frames) under v1: rc=%ld status %d",
               rc, gs.status);
    gs.nr_frames = 1;
    gs.status = 0x7777;
    rc = gnt_op(GNTTABOP_get_status_frames, &gs, 1);
    test_check(rc == 0 && gs.status == GNTST_general_error && sframes[0] == 0xdead,
               "get_status_frames(1 frame) under v1: rc=%ld status %d (want 0, GNTST_general_error)",
               rc, gs.status);
}
