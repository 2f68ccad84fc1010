/* multicall: a batch of hypercalls for the price of one entry. Each entry's
 * result is written back into the guest's list. A nested multicall is refused
 * (-EINVAL in that entry). When an entry asks for a continuation, its new
 * arguments go back into the guest's entry and the multicall itself continues
 * from that entry. */
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
    nr_calls = (uint32_t)nr_calls;             /* an unsigned int in the ABI */
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
    }
    return 0;
}
