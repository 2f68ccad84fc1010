/* From the syscall entry to a handler and back. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/log.h"
#include "arch/x86_64/regs.h"
#include "errno.h"

static uint64_t logged_missing[(NR_HYPERCALLS + 63) / 64];

static void log_missing_once(unsigned nr)
{
    const char *name = nr < NR_HYPERCALLS ? hypercall_table[nr].name : 0;

    if (nr < NR_HYPERCALLS) {
        if (logged_missing[nr / 64] & (1ull << (nr % 64)))
            return;
        logged_missing[nr / 64] |= 1ull << (nr % 64);
    }
    log_warn("d%u: hypercall %u (%s) is not implemented: -ENOSYS\n",
             current_domain()->id, nr, name ? name : "unknown");
}

/* Called by entry.asm with the frame of a hypercall from the current vCPU. */
void hypercall_entry(struct cpu_regs *r)
{
    uint64_t nr = r->rax;
    hypercall_fn fn = nr < NR_HYPERCALLS ? hypercall_table[nr].fn : 0;

    if (!fn) {
        if (nr < NR_HYPERCALLS)
            log_missing_once((unsigned)nr);
        else
            log_debug("d%u: hypercall number %llu out of range: -ENOSYS\n",
                      current_domain()->id, (unsigned long long)nr);
        r->rax = (uint64_t)(long)-XEN_ENOSYS;
    } else {
        r->rax = (uint64_t)fn(r->rdi, r->rsi, r->rdx, r->r10, r->r8);
    }
    vcpu_return_to_guest(r);
}
