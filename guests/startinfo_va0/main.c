/*
 * Guest linked at virtual address 0 with entry point 0, its Xen notes only
 * in a non-allocated SHT_NOTE section.  Reaching test_main already proves
 * the builder found the notes through the section headers and entered at
 * VA 0; a few sanity checks follow.
 */
#include "guest.h"

#include "version.h"

void test_main(start_info_t *si)
{
    /* Hide the symbol's value from the compiler, which may assume that no
     * object lives at address 0 and fold the comparison away. */
    unsigned long base;
    __asm__("" : "=r"(base) : "0"((unsigned long)_image_start));
    test_check(base == 0, "image linked at VA 0 (%#lx)", base);
    test_check(g_strncmp((const char *)si->magic, "xen-3.0-x86_64", 14) == 0,
               "start_info magic \"%.32s\"", (const char *)si->magic);
    test_check(si->nr_pages > 0, "nr_pages %lu", si->nr_pages);

    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    test_check(ver > 0 && (ver >> 16) >= 3, "hypercall page works: version %ld.%ld",
               ver >> 16, ver & 0xffff);

    /* start_info and the bootstrap tables sit above the image. */
    test_check((unsigned long)si >= (unsigned long)_image_end,
               "start_info %p above image end %p", (void *)si, (void *)_image_end);
    test_check(guest_va_mapped(0) == 1, "page 0 (our entry) is mapped");
}
