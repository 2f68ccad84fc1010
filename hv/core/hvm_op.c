/* The hvm_op hypercall: only the parameter sub-ops, as Xen 4.17 answers a
 * PV domain (Xenolith has no other kind): -EINVAL for any parameter of a PV
 * domain, after the copy (-EFAULT), the index (-EINVAL) and the target
 * (-ESRCH) checks; other sub-ops -ENOSYS.
 *
 * A deliberate difference (docs/abi-coverage.md): the control domain may
 * read where a PV domU's xenstore and console rings are (HVM_PARAM_STORE_PFN,
 * STORE_EVTCHN, CONSOLE_PFN, CONSOLE_EVTCHN: machine frame numbers and the
 * domU's ports, as its start_info has them), which Xen's toolstack knows
 * because it built the domU itself. Where the builder set none (0: dom0),
 * the answer is Xen's. */
#include "core/hypercall.h"
#include "core/domain_control.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "hvm/hvm_op.h"
#include "hvm/params.h"

/* The ring parameter `index` of d, or 0 if d has none. */
static uint64_t ring_param(const struct domain *d, uint32_t index)
{
    switch (index) {
    case HVM_PARAM_STORE_PFN:      return d->xs_mfn;
    case HVM_PARAM_STORE_EVTCHN:   return d->xs_port;
    case HVM_PARAM_CONSOLE_PFN:    return d->con_mfn;
    case HVM_PARAM_CONSOLE_EVTCHN: return d->con_port;
    default:                       return 0;
    }
}

static long param_op(uint64_t cmd, uint64_t arg)
{
    struct xen_hvm_param p;
    struct domain *d;
    uint64_t value;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.index >= HVM_NR_PARAMS)
        return -XEN_EINVAL;
    d = p.domid == DOMID_SELF ? current_domain() : domain_of(p.domid);
    if (!d)
        return -XEN_ESRCH;
    if (cmd != HVMOP_get_param || !domain_ctl_privileged(current_domain()) ||
        !(value = ring_param(d, p.index)))
        return -XEN_EINVAL;                 /* a PV domain has no HVM parameters */
    p.value = value;
    return copy_to_guest(arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
}

long hvm_op_hypercall(uint64_t op, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    (void)a3; (void)a4; (void)a5;
    switch (op) {                           /* Xen takes all 64 bits of op */
    case HVMOP_set_param:
    case HVMOP_get_param:
        return param_op(op, arg);
    default:
        return -XEN_ENOSYS;
    }
}
