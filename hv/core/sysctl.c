/* The sysctl hypercall: the control domain's questions about the machine.
 *
 * Xen 4.17's order: the copy (-EFAULT), the interface version (-EACCES), the
 * caller's privilege (-EPERM), then the sub-op (-ENOSYS for one Xenolith
 * does not have). The struct goes back whole when the sub-op succeeded. */
#include "core/hypercall.h"
#include "core/domain_control.h"
#include "core/time.h"
#include "mm/mm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/guest_access.h"
#include "lib/string.h"
#include "errno.h"
#include "sysctl.h"

/* Every domain from first_domain on, in id order, up to max_domains. */
static long getdomaininfolist(struct xen_sysctl_getdomaininfolist *op)
{
    struct xen_domctl_getdomaininfo info;
    uint32_t n = 0;

    for (struct domain *d = domain_next(op->first_domain); d && n < op->max_domains;
         d = d->id < 0xFFFF ? domain_next((domid_t)(d->id + 1)) : 0) {
        domain_ctl_info(d, &info);
        if (copy_to_guest((uint64_t)op->buffer + (uint64_t)n * sizeof(info), &info, sizeof(info)))
            return -XEN_EFAULT;
        n++;
    }
    op->num_domains = n;
    return 0;
}

/* CPUID feature words in the order of Xen's featureset (the first eight). */
static void hw_caps(uint32_t cap[8])
{
    uint32_t a, b, c, d, max, max_ext;

    cpuid_count(0, 0, &max, &b, &c, &d);
    cpuid_count(0x80000000u, 0, &max_ext, &b, &c, &d);
    cpuid_count(1, 0, &a, &b, &c, &d);
    cap[0] = d;
    cap[1] = c;
    if (max_ext >= 0x80000001u) {
        cpuid_count(0x80000001u, 0, &a, &b, &c, &d);
        cap[2] = d;
        cap[3] = c;
    }
    if (max >= 0xd) {
        cpuid_count(0xd, 1, &a, &b, &c, &d);
        cap[4] = a;
    }
    if (max >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        cap[5] = b;
        cap[6] = c;
    }
    if (max_ext >= 0x80000007u) {
        cpuid_count(0x80000007u, 0, &a, &b, &c, &d);
        cap[7] = d;
    }
}

/* One CPU (Xenolith runs on the boot CPU alone), one NUMA node; what Xen
 * reports for the rest. Capabilities: PV guests and grant tables of version
 * 1 (version 2 is refused, as Xen does under gnttab=max-ver:1); no HVM, HAP,
 * shadow paging, IOMMU, vPMU or tracing (Xen 4.17 under TCG sets none of
 * those either). */
static void physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = 1;
    pi->nr_cpus = 1;
    pi->max_cpu_id = 0;
    pi->nr_nodes = 1;
    pi->max_node_id = 63;                   /* Xen's MAX_NUMNODES - 1 */
    pi->cpu_khz = (uint32_t)(time_tsc_hz() / 1000);
    pi->capabilities = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1;
    pi->total_pages = mm_stats.total_ram >> 12;
    pi->free_pages = mm_free_frames();
    pi->max_mfn = mm_stats.max_pfn - 1;
    hw_caps(pi->hw_cap);
}

long sysctl_hypercall(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct xen_sysctl op;
    long rc;

    (void)a2; (void)a3; (void)a4; (void)a5;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -XEN_EACCES;
    if (!domain_ctl_privileged(current_domain()))
        return -XEN_EPERM;

    switch (op.cmd) {
    case XEN_SYSCTL_getdomaininfolist:
        rc = getdomaininfolist(&op.u.getdomaininfolist);
        break;
    case XEN_SYSCTL_physinfo:
        physinfo(&op.u.physinfo);
        rc = 0;
        break;
    default:
        return -XEN_ENOSYS;
    }
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)))
        rc = -XEN_EFAULT;
    return rc;
}
