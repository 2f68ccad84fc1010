/*
 * Xenolith public ABI: the sysctl hypercall, questions about the whole
 * machine for the control domain. Only the sub-ops Xenolith implements are
 * declared (the list of domains, the physical machine); the struct keeps the
 * full size of Xen's.
 */
#ifndef XENOLITH_PUBLIC_SYSCTL_H
#define XENOLITH_PUBLIC_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

#define XEN_SYSCTL_physinfo          3
#define XEN_SYSCTL_getdomaininfolist 6

/* What the machine and the hypervisor can do (physinfo.capabilities). */
#define _XEN_SYSCTL_PHYSCAP_hvm      0   /* HVM guests */
#define XEN_SYSCTL_PHYSCAP_hvm       (1u << _XEN_SYSCTL_PHYSCAP_hvm)
#define _XEN_SYSCTL_PHYSCAP_pv       1   /* PV guests */
#define XEN_SYSCTL_PHYSCAP_pv        (1u << _XEN_SYSCTL_PHYSCAP_pv)
#define _XEN_SYSCTL_PHYSCAP_directio 2   /* device pass-through (an IOMMU) */
#define XEN_SYSCTL_PHYSCAP_directio  (1u << _XEN_SYSCTL_PHYSCAP_directio)
#define _XEN_SYSCTL_PHYSCAP_hap      3   /* hardware-assisted paging */
#define XEN_SYSCTL_PHYSCAP_hap       (1u << _XEN_SYSCTL_PHYSCAP_hap)
#define _XEN_SYSCTL_PHYSCAP_shadow   4   /* shadow paging */
#define XEN_SYSCTL_PHYSCAP_shadow    (1u << _XEN_SYSCTL_PHYSCAP_shadow)
#define _XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share 5
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1u << _XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share)
#define XEN_SYSCTL_PHYSCAP_vmtrace   (1u << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu      (1u << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1u << 8)   /* grant tables, version 1 */
#define XEN_SYSCTL_PHYSCAP_gnttab_v2 (1u << 9)   /* version 2 too */

/* XEN_SYSCTL_physinfo: the physical machine. */
struct xen_sysctl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t nr_cpus;              /* CPUs online */
    uint32_t max_cpu_id;
    uint32_t nr_nodes;             /* NUMA nodes online */
    uint32_t max_node_id;
    uint32_t cpu_khz;
    uint32_t capabilities;         /* XEN_SYSCTL_PHYSCAP_* */
    uint32_t arch_capabilities;
    uint32_t pad;
    uint64_t total_pages;          /* frames of RAM */
    uint64_t free_pages;           /* frames nobody has */
    uint64_t scrub_pages;
    uint64_t outstanding_pages;
    uint64_t max_mfn;              /* the highest frame number there may be */
    uint32_t hw_cap[8];            /* CPU feature words */
};

/* XEN_SYSCTL_getdomaininfolist: the domains from first_domain on. */
struct xen_sysctl_getdomaininfolist {
    domid_t first_domain;          /* in */
    uint32_t max_domains;          /* in: room in buffer */
    XEN_GUEST_HANDLE(xen_domctl_getdomaininfo_t) buffer;
    uint32_t num_domains;          /* out: entries written */
};

struct xen_sysctl {
    uint32_t cmd;                  /* XEN_SYSCTL_* */
    uint32_t interface_version;    /* XEN_SYSCTL_INTERFACE_VERSION */
    union {
        struct xen_sysctl_physinfo physinfo;
        struct xen_sysctl_getdomaininfolist getdomaininfolist;
        uint8_t pad[128];          /* Xen's size, whatever the sub-op */
    } u;
};
typedef struct xen_sysctl xen_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_t);

#endif /* XENOLITH_PUBLIC_SYSCTL_H */
