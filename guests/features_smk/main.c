/* A kernel that requires supervisor_mode_kernel (FEATURES
 * "!writable_page_tables|!supervisor_mode_kernel"): no hypervisor runs a PV
 * kernel in ring 0, so the domain builder must refuse it, naming the
 * feature (Xen 4.17 refuses it too: "Dom0 requires supervisor-mode
 * execution"). If it ever runs, it fails. */
#include "pv.h"

__asm__(".pushsection .note.Xen, \"a\", @note\n\t"
        ".balign 4\n\t"
        ".long 4\n\t"
        ".long 2f - 1f\n\t"
        ".long 10\n\t"
        ".asciz \"Xen\"\n"
        "1:\n\t"
        ".asciz \"!writable_page_tables|!supervisor_mode_kernel\"\n"
        "2:\n\t"
        ".balign 4\n\t"
        ".popsection\n");

void test_main(start_info_t *si)
{
    (void)si;
    test_check(0, "a kernel requiring supervisor_mode_kernel was started");
}
