/* GNTTABOP_copy refusals: bounds, domains, references, frames, pointers. */
#include "suite.h"

static gnttab_copy_t op;

static void set(uint16_t flags, unsigned long src, domid_t sdom, uint16_t soff, unsigned long dst, domid_t ddom,
                uint16_t doff, uint16_t len)
{
    g_memset(&op, 0, sizeof(op));
    op.flags = flags;
    if (flags & GNTCOPY_source_gref)
        op.source.u.ref = (grant_ref_t)src;
    else
        op.source.u.gmfn = src;
    op.source.domid = sdom;
    op.source.offset = soff;
    if (flags & GNTCOPY_dest_gref)
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.dest.domid = ddom;
    op.dest.offset = doff;
    op.len = len;
}

static void want(int16_t status, const char *what)
{
    long rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == status, "copy, %s: rc=%ld status %d (want %d)", what, rc, op.status, status);
}

#define SELF DOMID_SELF
#define GG (GNTCOPY_source_gref | GNTCOPY_dest_gref)

static void bounds(void)
{
    unsigned long a = data_mfn[0], b = data_mfn[1];

    data_fill(1, 50);
    /* Offsets and lengths: the copy must stay inside both pages. */
    set(0, a, SELF, 0, b, SELF, 0, 4097);
    want(GNTST_bad_copy_arg, "frames, len 4097");
    set(0, a, SELF, 1, b, SELF, 0, 4096);
    want(GNTST_bad_copy_arg, "source offset 1 + len 4096");
    set(0, a, SELF, 0, b, SELF, 4095, 2);
    want(GNTST_bad_copy_arg, "dest offset 4095 + len 2");
    set(0, a, SELF, 4096, b, SELF, 0, 1);
    want(GNTST_bad_copy_arg, "source offset 4096, len 1");
    set(0, a, SELF, 0xffff, b, SELF, 0xffff, 0xffff);
    want(GNTST_bad_copy_arg, "offsets and len 0xffff");
    set(0, a, SELF, 4096, b, SELF, 4096, 0);
    want(GNTST_okay, "both offsets 4096, len 0 (an empty copy at the end)");
    set(0, a, SELF, 0xffff, b, SELF, 0, 0);
    want(GNTST_bad_copy_arg, "source offset 0xffff, len 0");
    test_check(data_is(1, 50), "the destination was never written");
    gnt_grant(300, 0, a, GTF_permit_access);
    gnt_grant(301, 0, b, GTF_permit_access);
    set(GG, 300, SELF, 2048, 301, SELF, 0, 2049);
    want(GNTST_bad_copy_arg, "grefs, source offset 2048 + len 2049");
    expect(gnt_flags(300) | gnt_flags(301), GTF_permit_access, "both entries released after the refusal");
    /* The references are checked before the bounds. */
    set(GG, 0xffffffffu, SELF, 0, 301, SELF, 0, 8192);
    want(GNTST_bad_gntref, "bad source ref and a bad length: the ref is reported");
}

static void domains_and_refs(void)
{
    unsigned long a = data_mfn[0], b = data_mfn[1];
    grant_ref_t nr = gnt_table_frames * 512;

    /*
     * A frame may only be named with DOMID_SELF, not even with our own id
     * (GNTST_permission_denied).  Xen 4.17 as shipped looks both domains up
     * first, though: a domain that does not exist, on either side, is
     * GNTST_bad_domain before that rule is applied.
     */
    set(0, a, 0, 0, b, SELF, 0, 8);
    want(GNTST_permission_denied, "source frame with domid 0 (our id, but not DOMID_SELF)");
    set(0, a, SELF, 0, b, 0, 0, 8);
    want(GNTST_permission_denied, "dest frame with domid 0");
    set(GNTCOPY_source_gref, 300, SELF, 0, b, 0, 0, 8);
    want(GNTST_permission_denied, "source gref, dest frame with domid 0");
    set(0, a, 1, 0, b, SELF, 0, 8);
    want(GNTST_bad_domain, "source frame with domid 1 (no such domain)");
    set(0, a, SELF, 0, b, 0x7fef, 0, 8);
    want(GNTST_bad_domain, "dest frame with domid 0x7fef (no such domain)");
    set(0, a, 0, 0, b, 1, 0, 8);
    want(GNTST_bad_domain, "source frame with domid 0, dest frame with domid 1");
    set(0, a, 1, 0, b, 0, 0, 8);
    want(GNTST_bad_domain, "source frame with domid 1, dest frame with domid 0");
    set(GNTCOPY_dest_gref, a, 0, 0, 301, 1, 0, 8);
    want(GNTST_bad_domain, "source frame with domid 0, dest gref of domain 1");
    set(GNTCOPY_source_gref, 300, 1, 0, b, SELF, 0, 8);
    want(GNTST_bad_domain, "source gref of domain 1 (none)");
    set(GNTCOPY_dest_gref, a, SELF, 0, 301, DOMID_IO, 0, 8);
    want(GNTST_bad_domain, "dest gref of DOMID_IO");
    set(GNTCOPY_dest_gref, a, SELF, 0, 301, DOMID_XEN, 0, 8);
    want(GNTST_bad_domain, "dest gref of DOMID_XEN");
    set(GNTCOPY_dest_gref, a, SELF, 0, 301, 0xffff, 0, 8);
    want(GNTST_bad_domain, "dest gref of domain 0xffff");

    set(GG, nr, SELF, 0, 301, SELF, 0, 8);
    want(GNTST_bad_gntref, "source ref just beyond the table");
    set(GG, 300, SELF, 0, nr, SELF, 0, 8);
    want(GNTST_bad_gntref, "dest ref just beyond the table");
    gnt_grant(302, 0, a, GTF_invalid);
    set(GG, 302, SELF, 0, 301, SELF, 0, 8);
    want(GNTST_general_error, "source entry GTF_invalid");
    gnt_grant(302, 1, a, GTF_permit_access);
    set(GG, 300, SELF, 0, 302, SELF, 0, 8);
    want(GNTST_general_error, "dest entry granted to domain 1");
    gnt_grant(302, 0, a, GTF_accept_transfer);
    set(GG, 302, SELF, 0, 301, SELF, 0, 8);
    want(GNTST_general_error, "source entry GTF_accept_transfer");
    /* Version 1 has no sub-page grants: the flag is ignored by a copy (the whole page). */
    gnt_grant(302, 0, a, GTF_permit_access | GTF_sub_page);
    data_fill(0, 51);
    data_fill(1, 52);
    set(GG, 302, SELF, 4000, 301, SELF, 4000, 96);
    want(GNTST_okay, "source entry GTF_permit_access|GTF_sub_page (version 1)");
    test_check(data_va(1)[500] == data_word(51, 500) && data_va(1)[499] == data_word(52, 499), "copied");
    gnt_grant(302, 0, 0, GTF_invalid);
    /* Unknown flag bits are ignored. */
    set(GG | 0xfff0, 300, SELF, 0, 301, SELF, 0, 8);
    want(GNTST_okay, "flags with bits 4-15 set besides both gref bits");
    expect(gnt_flags(300) | gnt_flags(301), GTF_permit_access, "entries released");
}

static void frames(void)
{
    unsigned long a = data_mfn[0];

    set(0, m2p_mfn, SELF, 0, a, SELF, 0, 8);
    want(GNTST_bad_page, "source frame: an M2P frame");
    set(0, a, SELF, 0, m2p_mfn, SELF, 0, 8);
    want(GNTST_bad_page, "dest frame: an M2P frame");
    set(0, freed_mfn, SELF, 0, a, SELF, 0, 8);
    want(GNTST_bad_page, "source frame: one given back");
    set(0, beyond_ram_mfn, SELF, 0, a, SELF, 0, 8);
    want(GNTST_bad_page, "source frame beyond RAM");
    set(0, a, SELF, 0, 0xffffffffffffUL, SELF, 0, 8);
    want(GNTST_bad_page, "dest frame 2^48-1");
    gnt_grant(303, 0, freed_mfn, GTF_permit_access);
    set(GG, 303, SELF, 0, 301, SELF, 0, 8);
    want(GNTST_bad_page, "source entry naming a frame given back");
    gnt_grant(303, 0, 0, GTF_invalid);
    /* Our page tables: a source, never a destination. */
    set(0, gnt_l1_mfn(1), SELF, 0, a, SELF, 0, 64);
    want(GNTST_okay, "source frame: one of our L1s");
    set(0, a, SELF, 0, gnt_l1_mfn(1), SELF, 0, 8);
    want(GNTST_general_error, "dest frame: one of our L1s");
    set(0, a, SELF, 0, mm_l4_mfn(), SELF, 0, 8);
    want(GNTST_general_error, "dest frame: our current L4");
    /* Our grant-table frames are ours and writable: a copy may write them. */
    data_va(0)[0] = 0x1234UL << 32;    /* flags 0, domid 0, frame 0x1234 */
    set(0, a, SELF, 0, gnt_table_mfn[7], SELF, 511 * 8, 8);
    want(GNTST_okay, "dest frame: one of our grant-table frames (the last entry of frame 7)");
    test_check(gnt_table[8 * 512 - 1].frame == 0x1234, "seen in the table");
    gnt_grant(8 * 512 - 1, 0, 0, GTF_invalid);
}

static void pointers(void)
{
    /* A batch whose last entries run into an unmapped page: those before it are done. */
    unsigned long va = map_va(600);
    gnt_set_pte(va, mm_pte(data_mfn[7], MM_RW_FLAGS));
    gnttab_copy_t *c = (gnttab_copy_t *)(va + 4096 - 2 * sizeof(gnttab_copy_t));
    data_fill(1, 60);
    for (unsigned i = 0; i < 2; i++) {
        g_memset(&c[i], 0, sizeof(c[i]));
        c[i].source.u.gmfn = data_mfn[0];
        c[i].source.domid = SELF;
        c[i].dest.u.gmfn = data_mfn[1];
        c[i].dest.domid = SELF;
        c[i].dest.offset = (uint16_t)(8 * i);
        c[i].len = 8;
        c[i].status = 0x7777;
    }
    long rc = gnt_op(GNTTABOP_copy, c, 3);
    test_check(rc == E(EFAULT) && c[0].status == 0 && c[1].status == 0 && data_va(1)[0] == data_va(0)[0] &&
                   data_va(1)[1] == data_va(0)[0],
               "3 copies, the third in an unmapped page: rc=%ld (want -EFAULT), the first two done (%d %d)", rc,
               c[0].status, c[1].status);
    /* The same with a count of 2^31-1: the array is only checked where it starts. */
    c[0].status = c[1].status = 0x7777;
    rc = gnt_op_raw(GNTTABOP_copy, (unsigned long)c, 0x7fffffffUL);
    test_check(rc == E(EFAULT) && c[0].status == 0 && c[1].status == 0,
               "the same with count 2^31-1: rc=%ld, the first two done", rc);
    gnt_set_pte(va, 0);
}

void test_copy(void)
{
    bounds();
    domains_and_refs();
    frames();
    pointers();
    gnt_grant(300, 0, 0, GTF_invalid);
    gnt_grant(301, 0, 0, GTF_invalid);
}
