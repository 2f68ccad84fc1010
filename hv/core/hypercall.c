/* From the syscall entry to a handler and back. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/log.h"
#include "arch/x86_64/regs.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "mm/page_type.h"
#include "errno.h"

/* A hypercall may keep the CPU this long, or do a slice of page-table work
 * (hv/mm/page_type.h), before it continues later. */
#define PREEMPT_AFTER_NS 1000000ull

struct hypercall_continuation hypercall_cont;
static uint64_t entry_tsc, preempt_ticks;
static struct cpu_regs *entry_regs;

struct cpu_regs *hypercall_regs(void)
{
    return entry_regs;
}

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

/* Work is counted as it is done; the clock starts at the first check (long
 * handlers check every few dozen cheap entries, and page-table work counts
 * itself), which keeps rdtsc off the path of every short hypercall. */
bool hypercall_preempt_check(void)
{
    if (pt_out_of_work())
        return true;
    if (!preempt_ticks)
        preempt_ticks = time_tsc_hz() / (1000000000ull / PREEMPT_AFTER_NS);
    if (!entry_tsc) {
        entry_tsc = rdtsc();
        return false;
    }
    return rdtsc() - entry_tsc > preempt_ticks;
}

long hypercall_continue(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    hypercall_cont = (struct hypercall_continuation){ true, { a1, a2, a3, a4, a5 } };
    return 0;
}

HV_HOT long hypercall_dispatch(uint64_t nr, const uint64_t a[5])
{
    const struct hypercall_def *h = nr < NR_HYPERCALLS ? &hypercall_table[nr] : 0;
    hypercall_fn fn = h ? h->fn : 0;

    if (!fn) {
        if (nr < NR_HYPERCALLS)
            log_missing_once((unsigned)nr);
        else
            log_debug("d%u: hypercall number %llu out of range: -ENOSYS\n",
                      current_domain()->id, (unsigned long long)nr);
        return -XEN_ENOSYS;
    }
    return fn(a[0] & ~h->drop[0], a[1] & ~h->drop[1], a[2] & ~h->drop[2], a[3] & ~h->drop[3],
              a[4] & ~h->drop[4]);
}

/* Called by entry.asm with the frame of a hypercall from the current vCPU. */
HV_HOT void hypercall_entry(struct cpu_regs *r)
{
    uint64_t args[5] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
    uint64_t nr = r->rax;
    long ret;

    if (current->arch.user_mode) {          /* not a hypercall: the guest's own syscall */
        pv_user_syscall(current, r);
        vcpu_return_to_guest(r);
        if (!arch_frame_sysret_ok(r))
            exit_needs_iret = 1;
        return;
    }
    entry_tsc = 0;
    entry_regs = r;
    hypercall_cont.pending = false;
    pt_work_begin();
    ret = hypercall_dispatch(nr, args);
    /* -ERESTART: stopped by the work limit with its progress kept (in the
     * frames it works on): the same call again, later. */
    if (ret == -XEN_ERESTART && !hypercall_cont.pending)
        hypercall_continue(args[0], args[1], args[2], args[3], args[4]);
    if (hypercall_cont.pending && current->runnable) {
        /* Back to the `syscall` instruction (2 bytes) with the new arguments. */
        hypercall_cont.pending = false;
        r->rip -= 2;
        r->rax = nr;
        r->rdi = hypercall_cont.args[0];
        r->rsi = hypercall_cont.args[1];
        r->rdx = hypercall_cont.args[2];
        r->r10 = hypercall_cont.args[3];
        r->r8 = hypercall_cont.args[4];
    } else {
        r->rax = (uint64_t)ret;
    }
    vcpu_return_to_guest(r);
    if (!arch_frame_sysret_ok(r))
        exit_needs_iret = 1;
}
