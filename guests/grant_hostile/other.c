/* transfer, swap_grant_ref and cache_flush refusals; batches that run off their array. */
#include "suite.h"

/*
 * GNTTABOP_transfer takes the frame away from the caller before it looks at
 * the receiving domain and entry: when either is wrong, Xen 4.17 frees the
 * frame and reports the error, the frame is lost to the caller (its
 * reservation drops by one).  Frames that cannot be taken (not ours, still
 * referenced, the hypervisor's) are refused with GNTST_bad_page and stay.
 */
static long transfer1(unsigned long mfn, domid_t dom, grant_ref_t ref)
{
    gnttab_transfer_t t = { .mfn = mfn, .domid = dom, .ref = ref, .status = 0x7777 };
    long rc = gnt_op(GNTTABOP_transfer, &t, 1);
    return rc ? rc - 1000 : t.status;
}

static void transfer_lost(const char *what, domid_t dom, grant_ref_t ref, int16_t want)
{
    unsigned long pfn = mm_alloc_pfn(), mfn = mm_pfn_to_mfn(pfn);
    long res0 = reservation();
    uint16_t flags0 = ref < gnt_table_frames * 512 ? gnt_flags(ref) : 0;
    long st = transfer1(mfn, dom, ref);

    mm_set_p2m(pfn, MM_INVALID);
    frames_lost++;
    test_check(st == want && reservation() == res0 - 1 &&
                   (ref >= gnt_table_frames * 512 || gnt_flags(ref) == flags0),
               "transfer %s: status %ld (want %d), the frame is gone (reservation %ld -> %ld), entry untouched",
               what, st, want, res0, reservation());
    gnttab_copy_t c;
    g_memset(&c, 0, sizeof(c));
    c.source.u.gmfn = mfn;
    c.source.domid = DOMID_SELF;
    c.dest.u.gmfn = data_mfn[0];
    c.dest.domid = DOMID_SELF;
    c.len = 8;
    gnt_copy1(&c);
    expect(c.status, GNTST_bad_page, "  a copy from that frame now");
}

static void transfer_kept(const char *what, unsigned long mfn, int16_t want)
{
    long res0 = reservation();
    long st = transfer1(mfn, 0, 170);
    test_check(st == want && reservation() == res0 && gnt_flags(170) == GTF_accept_transfer,
               "transfer %s: status %ld (want %d), nothing taken", what, st, want);
}

static void transfers(void)
{
    gnt_grant(170, 0, 0x1000, GTF_accept_transfer);
    transfer_lost("to domain 5 (none)", 5, 170, GNTST_bad_domain);
    transfer_lost("to DOMID_SELF (no domain id)", DOMID_SELF, 170, GNTST_bad_domain);
    gnt_grant(171, 0, 0x1000, GTF_permit_access);
    transfer_lost("to ourselves through a GTF_permit_access entry", 0, 171, GNTST_general_error);
    gnt_grant(171, 1, 0x1000, GTF_accept_transfer);
    transfer_lost("to ourselves through an entry accepting from domain 1", 0, 171, GNTST_general_error);
    transfer_lost("to ourselves through a ref beyond the table", 0, gnt_table_frames * 512, GNTST_general_error);
    gnt_grant(171, 0, 0, GTF_invalid);

    data_fill(0, 70);
    transfer_kept("of a frame mapped writable (data 0)", data_mfn[0], GNTST_bad_page);
    test_check(data_is(0, 70), "  it kept its contents");
    transfer_kept("of an M2P frame", m2p_mfn, GNTST_bad_page);
    transfer_kept("of a frame given back", freed_mfn, GNTST_bad_page);
    transfer_kept("of a frame beyond RAM", beyond_ram_mfn, GNTST_bad_page);
    transfer_kept("of one of our grant-table frames", gnt_table_mfn[1], GNTST_bad_page);
    transfer_kept("of one of our L1s", gnt_l1_mfn(2), GNTST_bad_page);

    /* A batch: one that works, one refused. */
    unsigned long pfn = mm_alloc_pfn(), mfn = mm_pfn_to_mfn(pfn);
    static gnttab_transfer_t t[2];
    t[0].mfn = mfn;
    t[0].domid = 0;
    t[0].ref = 170;
    t[1].mfn = m2p_mfn;
    t[1].domid = 0;
    t[1].ref = 170;
    t[0].status = t[1].status = 0x7777;
    long res0 = reservation();
    long rc = gnt_op(GNTTABOP_transfer, t, 2);
    test_check(rc == 0 && t[0].status == 0 && t[1].status == GNTST_bad_page && reservation() == res0 &&
                   gnt_flags(170) == (GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed) &&
                   gnt_table[170].frame == mfn,
               "a batch of 2 transfers (to ourselves, then an M2P frame): rc=%ld statuses %d %d", rc, t[0].status,
               t[1].status);
    /* A completed entry takes no second transfer. */
    transfer_lost("through the entry that completed", 0, 170, GNTST_general_error);
    gnt_grant(170, 0, 0, GTF_invalid);
}

static void swaps(void)
{
    grant_ref_t nr = gnt_table_frames * 512;
    gnttab_swap_grant_ref_t s = { .ref_a = nr, .ref_b = 5, .status = 0x7777 };

    expect(gnt_op(GNTTABOP_swap_grant_ref, &s, 1), 0, "swap with ref_a beyond the table");
    expect(s.status, GNTST_bad_gntref, "  its status");
    s.ref_a = 5;
    s.ref_b = 0xffffffffu;
    s.status = 0x7777;
    gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    expect(s.status, GNTST_bad_gntref, "swap with ref_b 0xffffffff: status");
    s.ref_a = nr;
    s.ref_b = nr;
    s.status = 0x7777;
    gnt_op(GNTTABOP_swap_grant_ref, &s, 1);
    expect(s.status, GNTST_bad_gntref, "swap of an entry beyond the table with itself: status");
}

static void cache_flushes(void)
{
    unsigned long a = data_mfn[0] << 12;
    const uint32_t C = GNTTAB_CACHE_CLEAN;

    expect(gnt_cache_flush1(a, 4096, 0, C), E(EINVAL), "cache_flush offset 4096");
    expect(gnt_cache_flush1(a, 0, 4097, C), E(EINVAL), "cache_flush length 4097");
    expect(gnt_cache_flush1(a, 2048, 2049, C), E(EINVAL), "cache_flush offset 2048 + length 2049");
    expect(gnt_cache_flush1(a, 0, 64, 1u << 2), E(EINVAL), "cache_flush op bit 2");
    expect(gnt_cache_flush1(a, 0, 64, GNTTAB_CACHE_SOURCE_GREF | C), E(EINVAL),
           "cache_flush GNTTAB_CACHE_SOURCE_GREF|CLEAN");
    expect(gnt_cache_flush1(a, 0, 0, 1u << 2), E(EINVAL), "cache_flush length 0 with a bad op (checked first)");
    expect(gnt_cache_flush1(beyond_ram_mfn << 12, 0, 0, C), 0, "length 0 at an address beyond RAM (nothing looked at)");
    expect(gnt_cache_flush1(beyond_ram_mfn << 12, 0, 64, C), E(EINVAL), "cache_flush of a frame beyond RAM");
    expect(gnt_cache_flush1(m2p_mfn << 12, 0, 64, C), E(EPERM), "cache_flush of an M2P frame");
    expect(gnt_cache_flush1(freed_mfn << 12, 0, 64, C), E(EPERM), "cache_flush of a frame given back");
    expect(gnt_cache_flush1(gnt_table_mfn[0] << 12, 0, 64, C), 0, "cache_flush of our grant-table frame");
    expect(gnt_cache_flush1(gnt_l1_mfn(1) << 12, 0, 4096, C), 0, "cache_flush of our L1");

    static gnttab_cache_flush_t c[2];
    g_memset(c, 0, sizeof(c));
    c[0].a.dev_bus_addr = a;
    c[0].length = 64;
    c[0].op = C;
    c[1].a.dev_bus_addr = a;
    c[1].length = 64;
    c[1].op = GNTTAB_CACHE_INVAL;
    expect(gnt_op(GNTTABOP_cache_flush, c, 2), E(EOPNOTSUPP), "two flushes, the second INVAL alone: the call fails");
    /* The sub-op's bits 12 and up are cache_flush's continuation state (a
     * grant-table position): with it non-zero an op with nothing to do is
     * refused with -EILSEQ; one on our own frame never looks at it. */
    c[0].length = 0;
    expect(gnt_op(GNTTABOP_cache_flush | (1u << 12), c, 1), -84, "cache_flush with bit 12 set, length 0 (-EILSEQ)");
    c[0].length = 64;
    expect(gnt_op(GNTTABOP_cache_flush | (5u << 12), c, 1), 0, "cache_flush with bits 12+ set, CLEAN of our frame");
}

/* Batches of map, unmap and swap whose array runs into an unmapped page. */
static void runs_off(void)
{
    unsigned long va = map_va(601);
    long rc = gnt_set_pte(va, mm_pte(data_mfn[7], MM_RW_FLAGS));
    expect(rc, 0, "a page for the arrays at %#lx, the next one unmapped", va);

    gnt_grant(180, 0, data_mfn[1], GTF_permit_access);
    gnttab_map_grant_ref_t *m = (gnttab_map_grant_ref_t *)(va + 4096 - sizeof(*m));
    g_memset(m, 0, sizeof(*m));
    m->host_addr = map_va(50);
    m->flags = GNTMAP_host_map;
    m->ref = 180;
    m->status = 0x7777;
    rc = gnt_op(GNTTABOP_map_grant_ref, m, 2);
    test_check(rc == E(EFAULT) && m->status == 0 && gnt_flags(180) == GNT_RW,
               "2 maps, the second in an unmapped page: rc=%ld (want -EFAULT), the first done (status %d)", rc,
               m->status);
    grant_handle_t h1 = m->handle;
    rc = gnt_op_raw(GNTTABOP_map_grant_ref, (unsigned long)m, 0x7fffffffUL);
    grant_handle_t h2 = m->handle;
    test_check(rc == E(EFAULT) && h2 != h1, "the same with count 2^31-1: rc=%ld, the first done again", rc);

    gnttab_unmap_grant_ref_t *u = (gnttab_unmap_grant_ref_t *)(va + 4096 - sizeof(*u));
    g_memset(u, 0, sizeof(*u));
    u->host_addr = map_va(50);
    u->handle = h2;
    u->status = 0x7777;
    rc = gnt_op(GNTTABOP_unmap_grant_ref, u, 2);
    test_check(rc == E(EFAULT) && u->status == 0 && gnt_flags(180) == GNT_RW && gnt_pte(map_va(50)) == 0,
               "2 unmaps, the second in an unmapped page: rc=%ld, the first done (status %d)", rc, u->status);
    /* h1's mapping was replaced in place by h2's, whose unmap emptied the slot:
     * h1 needs a PTE of the frame to go (see state.c). */
    gnt_set_pte(map_va(50), mm_pte(data_mfn[1], MM_RW_FLAGS));
    int16_t st;
    gnt_unmap(map_va(50), 0, h1, &st);
    test_check(st == 0 && gnt_flags(180) == GTF_permit_access, "the first mapping unmapped too: status %d", st);

    gnttab_swap_grant_ref_t *s = (gnttab_swap_grant_ref_t *)(va + 4096 - sizeof(*s));
    s->ref_a = 181;
    s->ref_b = 182;
    s->status = 0x7777;
    gnt_grant(181, 0, 0x181, GTF_invalid);
    gnt_grant(182, 0, 0x182, GTF_invalid);
    rc = gnt_op(GNTTABOP_swap_grant_ref, s, 2);
    test_check(rc == E(EFAULT) && s->status == 0 && gnt_table[181].frame == 0x182,
               "2 swaps, the second in an unmapped page: rc=%ld, the first done", rc);
    gnt_set_pte(va, 0);
    for (grant_ref_t r = 180; r <= 182; r++)
        gnt_grant(r, 0, 0, GTF_invalid);
}

void test_other(void)
{
    transfers();
    swaps();
    cache_flushes();
    runs_off();
}
