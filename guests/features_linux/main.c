/* A kernel that declares the features the way Linux does: FEATURES
 * "!writable_page_tables|pae_pgdir_above_4gb" (writable page tables
 * required). The hypervisor must build it as dom0; once running, it checks
 * that it was given what it asked for. */
#include "pv.h"
#include "features.h"
#include "version.h"

/* An extra Xen note record (type 10, FEATURES) next to guests/lib/notes.c's. */
__asm__(".pushsection .note.Xen, \"a\", @note\n\t"
        ".balign 4\n\t"
        ".long 4\n\t"
        ".long 2f - 1f\n\t"
        ".long 10\n\t"
        ".asciz \"Xen\"\n"
        "1:\n\t"
        ".asciz \"!writable_page_tables|pae_pgdir_above_4gb\"\n"
        "2:\n\t"
        ".balign 4\n\t"
        ".popsection\n");

void test_main(start_info_t *si)
{
    xen_feature_info_t fi = { .submap_idx = 0 };
    long rc;

    test_check(si->flags & SIF_INITDOMAIN, "built as the initial domain (flags %#x)", si->flags);
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    test_check(rc == 0 && (fi.submap & (1u << XENFEAT_dom0)), "get_features: %#x (dom0)", fi.submap);
    test_note("writable_page_tables reported: %u (Xen 4.17 reports it only for translated guests)",
              (fi.submap >> XENFEAT_writable_page_tables) & 1);
}
