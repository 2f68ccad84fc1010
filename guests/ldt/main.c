/* MMUEXT_SET_LDT: a guest LDT in one of its own frames, mapped read-only,
 * whose descriptors the CPU then uses (LAR, loading a segment register);
 * while it is the LDT the frame cannot be mapped writable; after the LDT is
 * dropped it can be again. */
#include "guest.h"
#include "mm.h"

#define LDT_DATA 0x00CFF2000000FFFFul   /* data, DPL 3, present, 4 GiB */
#define LDT_CODE 0x00AFFA000000FFFFul   /* 64-bit code, DPL 3, present */
#define SEL(i) (((i) << 3) | 4 | 3)     /* LDT selector, RPL 3 */

/* LAR of a selector: the access rights, or ~0 when the CPU refuses it. */
static unsigned long lar(unsigned long sel)
{
    unsigned long rights = 0;
    unsigned char ok;

    __asm__ volatile("lar %2, %0\n\tsetz %1" : "=r"(rights), "=q"(ok) : "r"(sel) : "cc");
    return ok ? rights : ~0ul;
}

void test_main(start_info_t *si)
{
    unsigned long mfn = mm_alloc_mfn(), va;
    unsigned long *page;
    unsigned short fs = 0;
    long rc;

    (void)si;
    if (!test_check(mfn != MM_INVALID, "a free frame for the LDT"))
        test_finish();
    page = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!test_check(page != 0, "map it writable to fill it (rc %ld)", mm_last_rc))
        test_finish();
    g_memset(page, 0, 4096);
    page[0] = LDT_DATA;
    page[1] = LDT_CODE;
    /* The same page read-only at the same address becomes the LDT. */
    va = (unsigned long)page;
    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RO_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "remap it read-only: rc=%ld", rc);

    rc = mm_ext1(MMUEXT_SET_LDT, va, 2);
    test_check(rc == 0, "SET_LDT with 2 entries: rc=%ld", rc);
    test_check(lar(SEL(0)) == 0x00C0F200ul, "LAR of the data descriptor: %#lx", lar(SEL(0)));
    test_check(lar(SEL(1)) == 0x00A0FA00ul, "LAR of the code descriptor: %#lx", lar(SEL(1)));
    test_check(lar(SEL(2)) == ~0ul, "LAR beyond the LDT's 2 entries fails");
    __asm__ volatile("mov %1, %%fs\n\tmov %%fs, %0\n\tmov %2, %%fs" : "=r"(fs) : "r"((unsigned short)SEL(0)),
                     "r"((unsigned short)0));
    test_check(fs == SEL(0), "FS loaded from the LDT (%#x)", fs);

    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RW_FLAGS), UVMF_INVLPG);
    test_check(rc == -16, "mapping the LDT frame writable while in use: rc=%ld (want -EBUSY)", rc);

    rc = mm_ext1(MMUEXT_SET_LDT, 0, 0);
    test_check(rc == 0, "SET_LDT with no entries: rc=%ld", rc);
    test_check(lar(SEL(0)) == ~0ul, "LAR fails with no LDT");
    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RW_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "the frame can be mapped writable again: rc=%ld", rc);

    /* A TSS descriptor has no place in an LDT. Xenolith checks LDT pages
     * when the LDT is set and refuses it; Xen checks each page only when the
     * CPU first uses it, so the refusal shows up elsewhere there. (A DPL-0
     * code or data descriptor is no refusal on either: its DPL is raised to
     * 3, as the privop guest checks for the GDT.) */
    page[0] = 0x0000890000000067ul;
    rc = mm_update_va_mapping(va, mm_pte(mfn, MM_RO_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "remap read-only: rc=%ld", rc);
    if (guest_on_xenolith()) {
        rc = mm_ext1(MMUEXT_SET_LDT, va, 1);
        test_check(rc == -22, "SET_LDT over a TSS descriptor: rc=%ld (want -EINVAL)", rc);
    }
    mm_scratch_unmap();
}
