/*
 * Xenolith test-guest runtime: the grant test guests' shared part (see grant_test.h).
 */
#include "grant_test.h"

unsigned long data_mfn[NR_DATA];
unsigned long data_salt;

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

long reservation(void)
{
    return mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
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

void grant_test_setup(unsigned long salt)
{
    data_salt = salt;
    if (!test_check(gnt_area_init() == 0, "grant window built at L4 slot %d (%#lx)", GNT_AREA_SLOT,
                    GNT_AREA_BASE))
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

void grant_test_accounting(long start, unsigned long given_away)
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
    if (given_away && given_away <= 64) {
        long got = mm_reservation(XENMEM_increase_reservation, list, given_away, 0, DOMID_SELF);
        expect(got, (long)given_away, "increase_reservation of the %lu frames given away", given_away);
    }
    expect(reservation(), start, "current_reservation as at the start");
    for (unsigned d = 0; d < NR_DATA; d++)
        list[d] = data_mfn[d];
    long got = mm_reservation(XENMEM_decrease_reservation, list, NR_DATA, 0, DOMID_SELF);
    expect(got, NR_DATA, "decrease_reservation of the data frames");
    expect(reservation(), start - NR_DATA, "current_reservation dropped by as many (no reference held)");
    got = mm_reservation(XENMEM_increase_reservation, list, NR_DATA, 0, DOMID_SELF);
    expect(got, NR_DATA, "increase_reservation takes as many back");
    expect(reservation(), start, "current_reservation as at the start again");
}
