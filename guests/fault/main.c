/*
 * A guest that registers no trap table and then faults.  With no handler
 * to bounce the exception to, the hypervisor must crash the domain.
 *   default command line: ud2 (#UD)
 *   command line word "pf": read an unmapped address (#PF)
 * Reaching the end is a failure: the fault went unnoticed.
 */
#include "guest.h"

/* Lower half: never mapped by a builder for a high-linked kernel. */
#define UNMAPPED_VA 0x0000500000000000UL

void test_main(start_info_t *si)
{
    const char *cl = (const char *)si->cmd_line;

    if (g_has_word(cl, "pf")) {
        test_note("reading unmapped address %#lx (mapped=%d), expecting a crash",
                  UNMAPPED_VA, guest_va_mapped(UNMAPPED_VA));
        volatile unsigned long *p = (volatile unsigned long *)UNMAPPED_VA;
        unsigned long v = *p;
        test_check(0, "read of %#lx returned %#lx instead of faulting",
                   UNMAPPED_VA, v);
    } else {
        test_note("executing ud2 with no trap table, expecting a crash");
        __asm__ volatile("ud2");
        test_check(0, "ud2 did not fault");
    }
}
