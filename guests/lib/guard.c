/* Guarded instructions (guard.h). */
#include "guard.h"

struct guard_seen guard_seen;
volatile unsigned long guard_resume_rip;

void guard_record(struct pv_regs *r)
{
    guard_seen.count++;
    guard_seen.vector = r->vector;
    guard_seen.error = r->error;
    if (!guard_resume_rip) {
        pv_dump_regs("exception outside a guarded instruction", r);
        test_check(0, "unexpected vector %lu at %#lx", r->vector, r->rip);
        test_finish();
    }
    r->rip = guard_resume_rip;
}
