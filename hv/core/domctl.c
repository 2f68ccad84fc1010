/* The domctl hypercall: the control domain's operations on one domain.
 *
 * Checks in Xen 4.17's order, which guests can observe: the copy (-EFAULT),
 * the interface version (-EACCES), the target (-ESRCH: a domain in any state
 * but gone, dying ones too), then the caller's privilege (-EPERM), then the
 * sub-op; an unknown one is -ENOSYS. XEN_DOMCTL_getdomaininfo is the
 * exception: a missing domain is not an error but a search for the next one
 * (below), and the privilege check comes after it. The whole struct goes
 * back to the guest when the sub-op has an answer in it. */
#include "core/hypercall.h"
#include "core/domain_control.h"
#include "core/vcpu_time.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "domctl.h"

/* XEN_DOMCTL_getdomaininfo: the domain asked, or if there is none the first
 * one above it (4.17 still answers that way; the answer's domain field says
 * which); ids from DOMID_FIRST_RESERVED on name no domain (-EINVAL). */
static long getdomaininfo(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    if (!d) {
        if (op->domain >= DOMID_FIRST_RESERVED)
            return -XEN_EINVAL;
        d = domain_next(op->domain);
        if (!d)
            return -XEN_ESRCH;
    }
    /* Xen lets a xenstore domain or a device model's owner ask too; Xenolith
     * has neither, so it is the control domain alone. */
    if (!domain_ctl_privileged(current_domain()))
        return -XEN_EPERM;
    domain_ctl_info(d, &op->u.getdomaininfo);
    op->domain = op->u.getdomaininfo.domain;
    *copyback = true;
    return 0;
}

static long getvcpuinfo(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    struct xen_domctl_getvcpuinfo *vi = &op->u.getvcpuinfo;
    struct vcpu_runstate_info rs;
    struct vcpu *v;

    if (vi->vcpu >= domain_ctl_max_vcpus(d))
        return -XEN_EINVAL;
    if (!(v = domain_ctl_vcpu(d, vi->vcpu)))
        return -XEN_ESRCH;
    vcpu_runstate_get(v, &rs);
    vi->online = v->runnable;
    vi->blocked = v->blocked;
    vi->running = v == current;
    vi->cpu_time = rs.time[RUNSTATE_running];
    vi->cpu = 0;                    /* the one physical CPU */
    *copyback = true;
    return 0;
}

long domctl_hypercall(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct xen_domctl op;
    struct domain *d;
    bool copyback = false;
    long rc;

    (void)a2; (void)a3; (void)a4; (void)a5;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -XEN_EACCES;
    d = domain_of(op.domain);
    if (op.cmd == XEN_DOMCTL_getdomaininfo) {
        rc = getdomaininfo(&op, d, &copyback);
        goto out;
    }
    /* createdomain names a domain that does not exist yet: Xen looks for
     * none (nor -ESRCH); here it is -ENOSYS past the privilege check. */
    if (!d && op.cmd != XEN_DOMCTL_createdomain)
        return -XEN_ESRCH;
    if (!domain_ctl_privileged(current_domain()))
        return -XEN_EPERM;

    switch (op.cmd) {
    case XEN_DOMCTL_pausedomain:
        /* Its own domain would stop the caller in the middle of the call. */
        rc = d == current_domain() ? -XEN_EINVAL : domain_ctl_pause(d);
        break;
    case XEN_DOMCTL_unpausedomain:
        rc = domain_ctl_unpause(d);
        break;
    case XEN_DOMCTL_destroydomain:
        if (d == current_domain()) {
            rc = -XEN_EINVAL;
        } else {
            domain_ctl_kill(d);
            rc = 0;
        }
        break;
    case XEN_DOMCTL_getvcpuinfo:
        rc = getvcpuinfo(&op, d, &copyback);
        break;
    default:
        rc = -XEN_ENOSYS;
        break;
    }
out:
    if (copyback && copy_to_guest(arg, &op, sizeof(op)))
        rc = -XEN_EFAULT;
    return rc;
}
