/*
 * Xenolith public ABI: the domctl hypercall, the control domain's handle on
 * other domains. Only the sub-ops Xenolith implements are declared (find,
 * pause, unpause, destroy a domain, read a vCPU's state); the struct keeps
 * the full size of Xen's, a 128-byte union behind a 16-byte header.
 */
#ifndef XENOLITH_PUBLIC_DOMCTL_H
#define XENOLITH_PUBLIC_DOMCTL_H

#include "xen.h"

/* A toolstack built for another version gets -EACCES. */
#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

#define XEN_DOMCTL_createdomain   1    /* not implemented: the hypervisor builds domains */
#define XEN_DOMCTL_destroydomain  2
#define XEN_DOMCTL_pausedomain    3
#define XEN_DOMCTL_unpausedomain  4
#define XEN_DOMCTL_getdomaininfo  5
#define XEN_DOMCTL_getvcpuinfo   14

/* Emulated devices and other per-domain x86 choices made at creation. A PV
 * domain has none, except that the hardware domain (dom0) reaches the PIT. */
#define _XEN_X86_EMU_PIT 8
#define XEN_X86_EMU_PIT  (1U << _XEN_X86_EMU_PIT)
struct xen_arch_domainconfig {
    uint32_t emulation_flags;
    uint32_t misc_flags;
};

/* XEN_DOMCTL_getdomaininfo: the state of a domain (also the entries of
 * XEN_SYSCTL_getdomaininfolist). */
struct xen_domctl_getdomaininfo {
    domid_t domain;                /* which domain this describes */
    uint16_t pad1;
#define _XEN_DOMINF_dying     0    /* destroyed; its resources are going back */
#define XEN_DOMINF_dying      (1U << _XEN_DOMINF_dying)
#define _XEN_DOMINF_hvm_guest 1
#define XEN_DOMINF_hvm_guest  (1U << _XEN_DOMINF_hvm_guest)
#define _XEN_DOMINF_shutdown  2    /* it has shut down (reason below) */
#define XEN_DOMINF_shutdown   (1U << _XEN_DOMINF_shutdown)
#define _XEN_DOMINF_paused    3    /* paused by the control domain */
#define XEN_DOMINF_paused     (1U << _XEN_DOMINF_paused)
#define _XEN_DOMINF_blocked   4    /* every online vCPU waits for an event */
#define XEN_DOMINF_blocked    (1U << _XEN_DOMINF_blocked)
#define _XEN_DOMINF_running   5    /* a vCPU is on a CPU */
#define XEN_DOMINF_running    (1U << _XEN_DOMINF_running)
#define _XEN_DOMINF_debugged  6
#define XEN_DOMINF_debugged   (1U << _XEN_DOMINF_debugged)
#define _XEN_DOMINF_xs_domain 7
#define XEN_DOMINF_xs_domain  (1U << _XEN_DOMINF_xs_domain)
#define _XEN_DOMINF_hap       8
#define XEN_DOMINF_hap        (1U << _XEN_DOMINF_hap)
/* The shutdown code (SHUTDOWN_*) sits in bits 16 and up of flags. */
#define XEN_DOMINF_shutdownmask 255
#define XEN_DOMINF_shutdownshift 16
    uint32_t flags;
    uint64_t tot_pages;            /* frames it owns */
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;    /* frame of its shared_info */
    uint64_t cpu_time;             /* ns its vCPUs have run, together */
    uint32_t nr_online_vcpus;
#define XEN_INVALID_MAX_VCPU_ID (~0U)
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    xen_domain_handle_t handle;
    uint32_t cpupool;
    uint8_t gpaddr_bits;           /* width of its guest-physical addresses */
    uint8_t pad2[7];
    struct xen_arch_domainconfig arch_config;
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_getdomaininfo_t);

/* XEN_DOMCTL_getvcpuinfo: one vCPU of the domain. */
struct xen_domctl_getvcpuinfo {
    uint32_t vcpu;                 /* in */
    uint8_t online;                /* out, as the rest */
    uint8_t blocked;
    uint8_t running;
    uint64_t cpu_time;             /* ns it has run */
    uint32_t cpu;                  /* the physical CPU it is on */
};

struct xen_domctl {
    uint32_t cmd;                  /* XEN_DOMCTL_* */
    uint32_t interface_version;    /* XEN_DOMCTL_INTERFACE_VERSION */
    domid_t domain;                /* the target */
    uint16_t _pad[3];
    union {
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_getvcpuinfo getvcpuinfo;
        uint8_t pad[128];          /* Xen's size, whatever the sub-op */
    } u;
};
typedef struct xen_domctl xen_domctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_t);

#endif /* XENOLITH_PUBLIC_DOMCTL_H */
