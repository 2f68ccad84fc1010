/* The domain list (see domlist.h). */
#include "domlist.h"

long domlist_read(domid_t first, struct xen_domctl_getdomaininfo *buf, uint32_t max)
{
    static struct xen_sysctl op;
    long rc;

    g_memset(&op, 0, sizeof(op));
    op.cmd = XEN_SYSCTL_getdomaininfolist;
    op.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    op.u.getdomaininfolist.first_domain = first;
    op.u.getdomaininfolist.max_domains = max;
    set_xen_guest_handle(op.u.getdomaininfolist.buffer, buf);
    rc = GUEST_HYPERCALL(__HYPERVISOR_sysctl, &op, 0, 0, 0, 0);
    return rc ? rc : (long)op.u.getdomaininfolist.num_domains;
}
