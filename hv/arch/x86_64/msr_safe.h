/* rdmsr that reports a #GP instead of taking it (through the .ex_table
 * fault recovery of guest_access.h), for MSRs the CPU may not have. */
#ifndef HV_ARCH_MSR_SAFE_H
#define HV_ARCH_MSR_SAFE_H

#include <stdbool.h>
#include <stdint.h>

static inline bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
    uint32_t lo = 0, hi = 0;
    int fault = 0;

    __asm__ volatile("1: rdmsr\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $1, %[f]\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ".pushsection .ex_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 3b\n"
                     ".popsection\n"
                     : "+a"(lo), "+d"(hi), [f] "+r"(fault) : "c"(msr));
    *val = ((uint64_t)hi << 32) | lo;
    return fault == 0;
}

#endif
