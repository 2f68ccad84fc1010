/* A frame given back with decrease_reservation still counts against its
 * domain while the domain holds a reference to it (here: mappings in a
 * pinned L1).  A hypervisor that stopped counting it at once let a guest keep
 * a read-only mapping of every frame it gave back and take the machine's
 * whole free memory while current_reservation still read max_pages.  As on
 * Xen: current_reservation stays, increase_reservation cannot go beyond the
 * maximum meanwhile, the count drops when the last reference goes, and a
 * given-back L1 that is still pinned still takes mmu_update writes. */
#include "guest.h"
#include "mm.h"

#define K 64

static long reservation(void)
{
    return mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
}

void test_main(start_info_t *si)
{
    unsigned long frames[K], l1 = mm_alloc_mfn(), *t;
    xen_pfn_t list[K + 64];
    long cur0, max, headroom, got, rc, cur;

    (void)si;
    for (unsigned i = 0; i < K; i++)
        frames[i] = mm_alloc_mfn();
    test_check(l1 != MM_INVALID && frames[K - 1] != MM_INVALID, "%u frames and an L1", K);
    t = mm_scratch_map(l1, MM_RW_FLAGS);
    test_check(t != 0, "the L1 mapped to fill it");
    g_memset(t, 0, 4096);
    for (unsigned i = 0; i < K; i++)
        t[i] = mm_pte(frames[i], MM_RO_FLAGS);
    mm_scratch_unmap();
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_check(rc == 0, "the L1 pinned, mapping the %u frames read-only: rc=%ld", K, rc);

    cur0 = reservation();
    max = mm_domain_query(XENMEM_maximum_reservation, DOMID_SELF);
    headroom = max - cur0;
    test_check(cur0 > 0 && headroom >= 0 && headroom < 64, "current %ld, maximum %ld", cur0, max);

    for (unsigned i = 0; i < K; i++)
        list[i] = frames[i];
    got = mm_reservation(XENMEM_decrease_reservation, list, K, 0, DOMID_SELF);
    test_check(got == K, "decrease_reservation of the mapped frames: %ld of %u", got, K);
    cur = reservation();
    test_check(cur == cur0, "they still count while mapped: current_reservation %ld (was %ld)", cur, cur0);

    /* No more than the maximum, however many were given back. */
    got = mm_reservation(XENMEM_increase_reservation, list, headroom + K, 0, DOMID_SELF);
    test_check(got == headroom, "increase_reservation of %ld frames: %ld (the maximum allows %ld)",
               headroom + K, got, headroom);
    if (got > 0)
        mm_reservation(XENMEM_decrease_reservation, list, (unsigned long)got, 0, DOMID_SELF);

    /* The L1 itself given back while pinned: still a table, still written. */
    list[0] = l1;
    got = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    test_check(got == 1, "decrease_reservation of the pinned L1: %ld", got);
    cur = reservation();
    test_check(cur == cur0, "current_reservation still %ld (%ld)", cur0, cur);
    rc = mm_update1(l1 << 12, 0);
    test_check(rc == 0, "mmu_update into the given-back pinned L1: rc=%ld", rc);
    cur = reservation();
    test_check(cur == cur0 - 1, "the given-back frame it mapped is gone with that entry: current %ld", cur);
    rc = mm_update1(l1 << 12, mm_pte(frames[0], MM_RO_FLAGS));
    test_check(rc == -16, "that frame cannot be mapped again: rc=%ld (want -EBUSY)", rc);
    rc = mm_update1(l1 << 12, mm_pte(frames[1], MM_RO_FLAGS));
    test_check(rc == 0, "a given-back frame still mapped elsewhere can be mapped once more: rc=%ld", rc);

    /* The last references go with the unpin: so does the count. */
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1, 0);
    test_check(rc == 0, "unpin: rc=%ld", rc);
    cur = reservation();
    test_check(cur == cur0 - K - 1, "current_reservation %ld after the last references went (want %ld)",
               cur, cur0 - K - 1);
    got = mm_reservation(XENMEM_increase_reservation, list, K + 1, 0, DOMID_SELF);
    test_check(got == K + 1, "increase_reservation takes them back: %ld", got);
    test_finish();
}
