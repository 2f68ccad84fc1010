/* sched_op: give up the CPU, shut the domain down, set the shutdown code,
 * shut another domain down (a privileged caller only). */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/log.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "sched.h"

/* Xen's order: the argument, the domain by id only (DOMID_SELF names
 * none: -ESRCH), then the XSM default (XSM_DM_PRIV: -EPERM unless the
 * caller is privileged). The reason is not checked, as in Xen. */
static long remote_shutdown(uint64_t arg)
{
    struct sched_remote_shutdown rs;
    struct domain *t;
    int rc;

    if ((rc = copy_from_guest(&rs, arg, sizeof(rs))) != 0)
        return rc;
    if (!(t = domain_lookup(rs.domain_id)))
        return -XEN_ESRCH;
    if (!current_domain()->privileged)
        return -XEN_EPERM;
    domain_shutdown(t, (int)rs.reason);
    return 0;
}

long sched_op_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    struct sched_shutdown sd;
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
        return remote_shutdown(arg);
    default:
        return -XEN_ENOSYS;
    }
}
