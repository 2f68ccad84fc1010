/* set_segment_base(SEGBASE_GS_USER_SEL) with selectors the CPU refuses.  The
 * hypervisor loads the selector into %gs on the guest's behalf, in ring 0:
 * whatever the selector, the load may fault (#GP, #NP) and the hypervisor
 * must survive it, and it must be done with RPL 3 so that no ring-0
 * descriptor (the hypervisor's own 0xe008/0xe010) is ever loaded for the
 * guest.  Xen fixes the RPL of every non-null selector to 3 and loads a null
 * %gs when the load faults; the call itself returns 0 either way (a caller
 * that cares re-reads %gs).
 *
 * The LDT holds: 0 a present DPL-3 data descriptor, 1 the same not present
 * (#NP on load), 2 an execute-only code descriptor (#GP: not readable).
 * (A DPL-0 descriptor in the LDT is refused by SET_LDT on Xenolith and given
 * DPL 3 by Xen, so the ring-0 case is made with the hypervisor's own GDT
 * selectors.) */
#include "guest.h"
#include "mm.h"

#define LDT_DATA3    0x00CFF2000000FFFFul   /* data, DPL 3, present */
#define LDT_DATA3_NP 0x00CF72000000FFFFul   /* data, DPL 3, not present */
#define LDT_CODE_XO  0x00AFF8000000FFFFul   /* 64-bit code, execute-only, DPL 3 */
#define LSEL(i, rpl) (((i) << 3) | 4 | (rpl))

static unsigned short gs_sel(void)
{
    unsigned short v;
    __asm__ volatile("mov %%gs, %0" : "=r"(v));
    return v;
}

static void try_sel(unsigned long sel, unsigned short want, const char *what)
{
    long rc = GUEST_HYPERCALL(__HYPERVISOR_set_segment_base, SEGBASE_GS_USER_SEL, sel, 0, 0, 0);
    unsigned short now = gs_sel();

    test_check(rc == 0 && now == want, "GS_USER_SEL %#lx (%s): rc=%ld, %%gs now %#x (want %#x)",
               sel, what, rc, now, want);
}

void test_main(start_info_t *si)
{
    unsigned long mfn = mm_alloc_mfn(), va;
    unsigned long *page;
    long rc;

    (void)si;
    if (!test_check(mfn != MM_INVALID, "a free frame for the LDT"))
        test_finish();
    page = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!test_check(page != 0, "map it writable to fill it (rc %ld)", mm_last_rc))
        test_finish();
    g_memset(page, 0, 4096);
    page[0] = LDT_DATA3;
    page[1] = LDT_DATA3_NP;
    page[2] = LDT_CODE_XO;
    va = (unsigned long)page;
    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RO_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "LDT page read-only: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_SET_LDT, va, 3);
    test_check(rc == 0, "SET_LDT with 3 entries: rc=%ld", rc);

    try_sel(LSEL(0, 3), LSEL(0, 3), "present DPL-3 data");
    try_sel(LSEL(1, 3), 0, "not present: #NP, null instead");
    try_sel(LSEL(0, 3), LSEL(0, 3), "present DPL-3 data again");
    try_sel(LSEL(2, 3), 0, "execute-only code: #GP, null instead");
    try_sel(LSEL(9, 3), 0, "beyond the LDT limit: #GP, null instead");
    try_sel(LSEL(0, 0), LSEL(0, 3), "RPL 0 becomes RPL 3");
    try_sel(FLAT_USER_DS32, FLAT_USER_DS32, "the flat user data selector");
    try_sel(FLAT_USER_DS32 & ~3ul, FLAT_USER_DS32, "the same with RPL 0: loaded with RPL 3");
    try_sel(0xe010, 0, "the hypervisor's data selector: RPL 3 makes it #GP, null instead");
    try_sel(0xe008, 0, "the hypervisor's code selector: null instead");
    try_sel(0x10000ul | FLAT_USER_DS32, FLAT_USER_DS32, "bits above the 16-bit selector are ignored");
    try_sel(2, 2, "a null selector is loaded as it is, RPL 2 included");

    rc = mm_ext1(MMUEXT_SET_LDT, 0, 0);
    test_check(rc == 0, "SET_LDT with no entries: rc=%ld", rc);
    try_sel(0, 0, "null");
    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RW_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "LDT frame writable again: rc=%ld", rc);
    mm_scratch_unmap();
    test_finish();
}
