/* set_timer_op: the current vCPU's single-shot timer, an absolute deadline in
 * ns of system time (0 stops it). */
#include "core/hypercall.h"
#include "core/vcpu_time.h"
#include "core/time.h"
#include "core/log.h"

/* Deadlines that are negative as signed numbers, or more than 2^50 ns (about
 * 13 days) ahead, come from guests whose jiffies wrapped or that have nothing
 * to wait for: like Xen, give them an event in 100 ms. */
#define HUGE_TIMEOUT_NS      (1ull << 50)
#define HUGE_TIMEOUT_FIRE_NS 100000000ull

long set_timer_op_hypercall(uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;
    uint64_t now = time_now_ns();

    (void)a2; (void)a3; (void)a4; (void)a5;
    if (timeout == 0) {
        vcpu_singleshot_stop(v);
    } else if ((int64_t)timeout < 0 || (timeout > now && timeout - now >= HUGE_TIMEOUT_NS)) {
        log_debug("d%uv%u: set_timer_op(%#llx) is too far ahead: an event in 100 ms instead\n",
                  v->domain->id, v->id, (unsigned long long)timeout);
        vcpu_singleshot_set(v, now + HUGE_TIMEOUT_FIRE_NS);
    } else {
        vcpu_singleshot_set(v, timeout);
    }
    return 0;
}
