/* Guarded instructions: run one instruction that may fault and carry on
 * after it, with the exception recorded (for the checks of privileged and
 * emulated instructions). Install guard_record as the handler of the vectors
 * expected; an exception outside a guarded instruction ends the test. */
#ifndef GUEST_GUARD_H
#define GUEST_GUARD_H

#include "pv.h"

struct guard_seen {
    unsigned long count, vector, error;
};
extern struct guard_seen guard_seen;           /* the exceptions taken so far, and the last */
extern volatile unsigned long guard_resume_rip; /* where the guarded instruction resumes (0: none) */

void guard_record(struct pv_regs *r);

/* GUARD_TRY("insn", outputs : inputs : clobbers): insn runs once; on an
 * exception guard_seen records it and execution goes on after insn. */
#define GUARD_TRY(insn, ...)                                                   \
    __asm__ volatile("lea 2f(%%rip), %%r11\n\t"                               \
                     "mov %%r11, guard_resume_rip(%%rip)\n\t"                 \
                     "1: " insn "\n\t"                                         \
                     "2: movq $0, guard_resume_rip(%%rip)\n\t" __VA_ARGS__)

#endif
