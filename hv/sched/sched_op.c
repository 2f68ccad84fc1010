/* sched_op: give up the CPU, shut the domain down, set the shutdown code,
 * shut another domain down (the control domain). */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/log.h"
#include "core/domain_control.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "sched.h"

HV_HOT long sched_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    struct sched_shutdown sd;
    struct sched_remote_shutdown rs;
    struct domain *target;
    int rc;

    (void)a3; (void)a4; (void)a5;
    switch (cmd) {
    case SCHEDOP_yield:
        domain_yield();
        return 0;
    case SCHEDOP_block:
        vcpu_block(current);
        return 0;
    case SCHEDOP_poll:
        return sched_poll(current, arg);
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        if ((rc = copy_from_guest(&sd, arg, sizeof(sd))) != 0)
            return rc;
        if (sd.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        if (cmd == SCHEDOP_shutdown_code) {
            d->shutdown_code = (int)sd.reason;
            return 0;
        }
        domain_shutdown(d, (int)sd.reason);
        return 0;
    case SCHEDOP_remote_shutdown:
        /* Xen 4.17: the target (any state but gone) before the privilege,
         * and the reason unchecked, cut to the 8 bits Xen keeps. */
        if ((rc = copy_from_guest(&rs, arg, sizeof(rs))) != 0)
            return rc;
        if (!(target = domain_of(rs.domain_id)))
            return -XEN_ESRCH;
        if (!domain_ctl_privileged(d))
            return -XEN_EPERM;
        domain_shutdown(target, (uint8_t)rs.reason);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
