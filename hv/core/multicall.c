/* multicall: a batch of hypercalls for the price of one entry. Each entry's
 * result is written back into the guest's list. A nested multicall is refused
 * (-EINVAL in that entry). When an entry asks for a continuation, its new
 * arguments go back into the guest's entry and the multicall itself continues
 * from that entry.
 *
 * An entry that changes the context the hypercall returns to ends the
 * multicall there, as in Xen: HYPERVISOR_iret (the multicall then returns the
 * iret's result, the RAX of the context it resumes), or anything that leaves
 * the vCPU outside guest kernel mode. The entries after it never run: they
 * would run on behalf of a context (guest user mode, another stack) that
 * never asked for them. Xen returns the iret's result as an int: only its
 * low 32 bits, sign-extended, reach the new context's RAX.
 *
 * An entry that blocks the vCPU (SCHEDOP_block, SCHEDOP_poll) ends this part
 * of the multicall too: the rest runs as a continuation once the vCPU is
 * woken, as on Xen, where the block makes the multicall preempt itself. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "xen.h"

#define U(x) ((uint64_t)(x))

long multicall_hypercall(uint64_t calls, uint64_t nr_calls, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct multicall_entry e;

    (void)a3; (void)a4; (void)a5;
    /* nr_calls arrives as 32 bits: the dispatcher narrows it, as Xen declares it. */
    for (uint64_t i = 0; i < nr_calls; i++) {
        uint64_t at = calls + i * sizeof(e);
        long result;

        if (i && hypercall_preempt_check())
            return hypercall_continue(at, nr_calls - i, 0, 0, 0);
        if (copy_from_guest(&e, at, sizeof(e)))
            return -XEN_EFAULT;
        if (e.op == __HYPERVISOR_multicall) {
            result = -XEN_EINVAL;
        } else {
            uint64_t args[5] = { e.args[0], e.args[1], e.args[2], e.args[3], e.args[4] };
            result = hypercall_dispatch(e.op, args);
            if (result == -XEN_ERESTART && !hypercall_cont.pending)
                hypercall_continue(args[0], args[1], args[2], args[3], args[4]);   /* the same, later */
            if (hypercall_cont.pending) {
                hypercall_cont.pending = false;
                for (int k = 0; k < 5; k++)
                    e.args[k] = hypercall_cont.args[k];
                if (copy_to_guest(at, &e, sizeof(e)))
                    return -XEN_EFAULT;
                return hypercall_continue(at, nr_calls - i, 0, 0, 0);
            }
        }
        if (!current->runnable)                /* the entry shut the domain down */
            return 0;
        e.result = U(result);
        if (copy_to_guest(at + __builtin_offsetof(struct multicall_entry, result), &e.result,
                          sizeof(e.result)))
            return -XEN_EFAULT;
        if (e.op == __HYPERVISOR_iret)
            return (int)result;
        if (!vcpu_arch_in_kernel_mode(&current->arch))
            return 0;
        if (current->blocked && i + 1 < nr_calls)
            return hypercall_continue(at + sizeof(e), nr_calls - i - 1, 0, 0, 0);
    }
    return 0;
}
