/* The second boot module arrives as dom0's initrd: start_info.mod_start is
 * its virtual address (no MOD_START_PFN note), mod_len its exact length, and
 * its bytes are those of tests/integration/data/initrd.txt. */
#include "guest.h"

#define MAGIC "XENOLITH-TEST-INITRD\n"
#define TRAILER "END-OF-INITRD\n"

void test_main(start_info_t *si)
{
    const char *mod = (const char *)si->mod_start;
    unsigned long len = si->mod_len;
    size_t mlen = g_strlen(MAGIC), tlen = g_strlen(TRAILER);

    test_note("mod_start %#lx mod_len %lu flags %#x", si->mod_start, len, si->flags);
    if (!test_check(si->mod_start != 0 && len != 0, "an initrd is present"))
        test_finish();
    test_check(!(si->flags & SIF_MOD_START_PFN), "mod_start is an address (SIF_MOD_START_PFN clear)");
    test_check((si->mod_start & 4095) == 0, "mod_start is page aligned");
    test_check(si->mod_start >= (unsigned long)_image_end, "initrd lies after the kernel image");
    test_check(si->mod_start + len <= si->mfn_list, "initrd lies before the p2m list");
    test_check(guest_va_mapped(si->mod_start) == 1 && guest_va_mapped(si->mod_start + len - 1) == 1,
               "the whole initrd is mapped");
    test_check(len > mlen + tlen && g_strncmp(mod, MAGIC, mlen) == 0, "initrd starts with the magic line");
    test_check(len > tlen && g_strncmp(mod + len - tlen, TRAILER, tlen) == 0,
               "initrd ends with the trailer line, so mod_len is exact");
}
