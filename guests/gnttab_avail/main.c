/* XENFEAT_gnttab_map_avail_bits, which both hypervisors report: the three
 * GNTMAP_guest_avail bits of a map_grant_ref become bits 9-11 (available to
 * software) of the PTE it writes, for every value 0-7. */
#include "grant_test.h"
#include "features.h"
#include "version.h"

#define DATA_SALT 0x61766169ul

void test_main(start_info_t *si)
{
    long start = reservation();
    xen_feature_info_t fi = { .submap_idx = 0 };
    long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    int16_t status = 0;

    (void)si;
    test_check(rc == 0 && (fi.submap & (1u << XENFEAT_gnttab_map_avail_bits)),
               "get_features reports gnttab_map_avail_bits (%#x)", fi.submap);
    grant_test_setup(DATA_SALT);
    rc = gnt_table_setup(1, &status);
    if (!test_check(rc == 0 && status == GNTST_okay, "a one-frame grant table: rc=%ld status %d", rc, status))
        test_finish();
    data_fill(0, 7);
    gnt_grant(12, 0, data_mfn[0], GTF_permit_access);
    for (unsigned avail = 0; avail < 8; avail++) {
        gnttab_map_grant_ref_t op;
        unsigned long va = map_va(avail), pte;
        int16_t st;
        long rc = gnt_map(&op, va, GNTMAP_host_map | (avail << _GNTMAP_guest_avail0), 12, 0);

        if (!test_check(rc == 0 && op.status == GNTST_okay, "map with guest_avail %u: rc=%ld status %d", avail, rc,
                        op.status))
            continue;
        pte = gnt_pte(va);
        test_check(((pte >> 9) & 7) == avail && (pte >> 12 & 0xffffffffffUL) == data_mfn[0],
                   "PTE %#lx: bits 9-11 = %lu (want %u), the granted frame", pte, (pte >> 9) & 7, avail);
        test_check(*(volatile unsigned long *)va == data_word(7, 0), "the mapping reads the frame");
        rc = gnt_unmap(va, 0, op.handle, &st);
        test_check(rc == 0 && st == GNTST_okay, "unmap: rc=%ld status %d", rc, st);
    }
    gnt_grant(12, 0, 0, 0);
    grant_test_accounting(start, 0);
    test_finish();
}
