/* GNTTABOP_copy: grant references and frames on either side, in one page, in batches. */
#include "suite.h"

static void side_ref(struct gnttab_copy_ptr *p, grant_ref_t ref, domid_t dom, uint16_t off)
{
    g_memset(p, 0, sizeof(*p));
    p->u.ref = ref;
    p->domid = dom;
    p->offset = off;
}

static void side_frame(struct gnttab_copy_ptr *p, unsigned long mfn, uint16_t off)
{
    g_memset(p, 0, sizeof(*p));
    p->u.gmfn = mfn;
    p->domid = DOMID_SELF;
    p->offset = off;
}

/* Do bytes [doff, doff+len) of data frame d hold bytes [soff, soff+len) of the pattern `seed`
 * (the source's contents)? */
static int bytes_equal(unsigned d, unsigned doff, unsigned soff, unsigned len, unsigned long seed)
{
    const volatile unsigned char *dst = (const volatile unsigned char *)data_va(d);
    for (unsigned i = 0; i < len; i++) {
        unsigned long w = data_word(seed, (soff + i) / 8);
        unsigned char want = (unsigned char)(w >> (8 * ((soff + i) % 8)));
        if (dst[doff + i] != want)
            return 0;
    }
    return 1;
}

/* Every byte of frame d outside [off, off+len) still has pattern seed? */
static int rest_is(unsigned d, unsigned off, unsigned len, unsigned long seed)
{
    const volatile unsigned char *p = (const volatile unsigned char *)data_va(d);
    for (unsigned i = 0; i < 4096; i++) {
        if (i >= off && i < off + len)
            continue;
        unsigned char want = (unsigned char)(data_word(seed, i / 8) >> (8 * (i % 8)));
        if (p[i] != want)
            return 0;
    }
    return 1;
}

void test_copy(void)
{
    gnttab_copy_t op;
    long rc;

    /* ---- grant refs on both sides ---- */
    data_fill(0, 400);
    data_fill(1, 401);
    gnt_grant(30, 0, data_mfn[0], GTF_permit_access);
    gnt_grant(31, 0, data_mfn[1], GTF_permit_access);
    g_memset(&op, 0, sizeof(op));
    side_ref(&op.source, 30, DOMID_SELF, 8);
    side_ref(&op.dest, 31, DOMID_SELF, 100);
    op.len = 300;
    op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == GNTST_okay && bytes_equal(1, 100, 8, 300, 400) &&
                   rest_is(1, 100, 300, 401) && data_is(0, 400),
               "copy gref 30 +8 -> gref 31 +100, 300 bytes (domid DOMID_SELF): rc=%ld status %d", rc, op.status);
    test_check(gnt_flags(30) == GTF_permit_access && gnt_flags(31) == GTF_permit_access,
               "both entries are released after the copy (flags %#x %#x)", gnt_flags(30), gnt_flags(31));

    /* The same with our own domid instead of DOMID_SELF on the grant sides. */
    data_fill(1, 402);
    side_ref(&op.source, 30, 0, 0);
    side_ref(&op.dest, 31, 0, 0);
    op.len = 4096;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && data_is(1, 400),
               "a whole page, gref -> gref, domid 0 on both sides: status %d", op.status);

    /* ---- a frame on one side ---- */
    data_fill(1, 403);
    op.flags = GNTCOPY_dest_gref;
    side_frame(&op.source, data_mfn[0], 24);
    side_ref(&op.dest, 31, DOMID_SELF, 0);
    op.len = 64;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(1, 0, 24, 64, 400) && rest_is(1, 0, 64, 403),
               "frame (DOMID_SELF) -> gref: status %d", op.status);
    data_fill(0, 404);
    data_fill(1, 420);
    op.flags = GNTCOPY_source_gref;
    side_ref(&op.source, 31, DOMID_SELF, 0);
    side_frame(&op.dest, data_mfn[0], 4000);
    op.len = 96;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(0, 4000, 0, 96, 420) && rest_is(0, 4000, 96, 404),
               "gref -> frame (DOMID_SELF), ending at the page's last byte: status %d", op.status);

    /* ---- frames on both sides ---- */
    data_fill(0, 405);
    data_fill(1, 406);
    op.flags = 0;
    side_frame(&op.source, data_mfn[0], 1);
    side_frame(&op.dest, data_mfn[1], 3);
    op.len = 4093;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(1, 3, 1, 4093, 405) && rest_is(1, 3, 4093, 406),
               "frame -> frame, odd offsets, 4093 bytes: status %d", op.status);

    /* ---- inside one page ---- */
    data_fill(0, 407);
    side_frame(&op.source, data_mfn[0], 0);
    side_frame(&op.dest, data_mfn[0], 2048);
    op.len = 2048;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(0, 2048, 0, 2048, 407) && rest_is(0, 2048, 2048, 407),
               "frame -> the same frame (first half to second half): status %d", op.status);
    data_fill(0, 408);
    op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    gnt_grant(30, 0, data_mfn[0], GTF_permit_access);
    side_ref(&op.source, 30, DOMID_SELF, 1024);
    side_ref(&op.dest, 30, DOMID_SELF, 0);
    op.len = 512;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(0, 0, 1024, 512, 408) && rest_is(0, 0, 512, 408),
               "gref 30 -> gref 30 (one entry on both sides): status %d", op.status);
    expect(gnt_flags(30), GTF_permit_access, "entry 30 released");

    /* ---- zero length ---- */
    data_fill(1, 409);
    op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    side_ref(&op.source, 30, DOMID_SELF, 0);
    side_ref(&op.dest, 31, DOMID_SELF, 4096);
    op.len = 0;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && data_is(1, 409),
               "len 0 at dest offset 4096 (the end of the page): status %d, nothing written", op.status);

    /* ---- read-only grants: a source, never a destination ---- */
    data_fill(0, 410);
    data_fill(1, 411);
    gnt_grant(32, 0, data_mfn[0], GTF_permit_access | GTF_readonly);
    op.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    side_ref(&op.source, 32, DOMID_SELF, 0);
    side_ref(&op.dest, 31, DOMID_SELF, 0);
    op.len = 128;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && bytes_equal(1, 0, 0, 128, 410),
               "GTF_readonly grant as the source: status %d", op.status);
    side_ref(&op.source, 31, DOMID_SELF, 0);
    side_ref(&op.dest, 32, DOMID_SELF, 0);
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == GNTST_general_error && data_is(0, 410),
               "GTF_readonly grant as the destination: status %d (want GNTST_general_error)", op.status);
    test_check(gnt_flags(31) == GTF_permit_access && gnt_flags(32) == (GTF_permit_access | GTF_readonly),
               "both entries released (%#x %#x)", gnt_flags(31), gnt_flags(32));

    /* ---- a grant that is mapped at the same time ---- */
    gnttab_map_grant_ref_t m;
    int16_t st;
    data_fill(0, 412);
    data_fill(1, 413);
    rc = gnt_map(&m, map_va(30), GNTMAP_host_map | GNTMAP_readonly, 31, 0);
    test_check(rc == 0 && m.status == 0, "ref 31 mapped read-only: status %d", m.status);
    op.flags = GNTCOPY_dest_gref;
    side_frame(&op.source, data_mfn[0], 0);
    side_ref(&op.dest, 31, DOMID_SELF, 0);
    op.len = 4096;
    rc = gnt_copy1(&op);
    test_check(rc == 0 && op.status == 0 && data_is(1, 412) &&
                   ((volatile unsigned long *)map_va(30))[100] == data_word(412, 100),
               "copy into it while it is mapped read-only: status %d, seen through the mapping", op.status);
    expect(gnt_flags(31), GTF_permit_access | GTF_reading, "the mapping's flag stays, the copy's went");
    gnt_unmap(map_va(30), 0, m.handle, &st);
    expect(gnt_flags(31), GTF_permit_access, "unmapped");

    /* ---- a batch: three copies, the middle one refused ---- */
    static gnttab_copy_t b[3];
    data_fill(0, 414);
    data_fill(1, 415);
    data_fill(2, 416);
    g_memset(b, 0, sizeof(b));
    b[0].flags = GNTCOPY_source_gref;
    side_ref(&b[0].source, 30, DOMID_SELF, 0);
    side_frame(&b[0].dest, data_mfn[1], 0);
    b[0].len = 16;
    b[1].flags = GNTCOPY_dest_gref;
    side_frame(&b[1].source, data_mfn[0], 0);
    side_ref(&b[1].dest, 32, DOMID_SELF, 0);   /* read-only grant as destination */
    b[1].len = 16;
    b[2].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    side_ref(&b[2].source, 30, DOMID_SELF, 32);
    side_ref(&b[2].dest, 33, DOMID_SELF, 32);
    gnt_grant(33, 0, data_mfn[2], GTF_permit_access);
    b[2].len = 16;
    for (unsigned i = 0; i < 3; i++)
        b[i].status = 0x7777;
    rc = gnt_op(GNTTABOP_copy, b, 3);
    test_check(rc == 0 && b[0].status == 0 && b[1].status == GNTST_general_error && b[2].status == 0,
               "a batch of 3 copies (ok, read-only destination, ok): rc=%ld statuses %d %d %d", rc,
               b[0].status, b[1].status, b[2].status);
    test_check(bytes_equal(1, 0, 0, 16, 414) && rest_is(1, 0, 16, 415) && bytes_equal(2, 32, 32, 16, 414) &&
                   rest_is(2, 32, 16, 416),
               "the first and third were done");
    unsigned busy = 0;
    for (grant_ref_t r = 30; r <= 33; r++)
        busy += (gnt_flags(r) & (GTF_reading | GTF_writing)) != 0;
    expect(busy, 0, "entries left busy by the batch");
    for (grant_ref_t r = 30; r <= 33; r++)
        gnt_grant(r, 0, 0, GTF_invalid);
}
