/*
 * Xenolith public ABI: the memory_op hypercall (reservations, the memory
 * map, the M2P table, physmap changes).
 */
#ifndef XENOLITH_PUBLIC_MEMORY_H
#define XENOLITH_PUBLIC_MEMORY_H

#include "xen.h"

/* Sub-ops taking a struct xen_memory_reservation. */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap     6

/* xen_memory_reservation.mem_flags: address width, NUMA node, options. */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x) & 0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

/* nr_extents extents of 2^extent_order pages each, listed at extent_start. */
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents;
    unsigned int extent_order;
    unsigned int mem_flags;     /* XENMEMF_* */
    domid_t domid;              /* DOMID_SELF unless privileged */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);

/* Trade the extents of in for new ones described by out (same total size). */
#define XENMEM_exchange 11
struct xen_memory_exchange {
    struct xen_memory_reservation in;
    struct xen_memory_reservation out;
    xen_ulong_t nr_exchanged;   /* out; the caller must zero it */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);

/* Sub-ops that take a domid_t (or, for maximum_ram_page, nothing). */
#define XENMEM_maximum_ram_page    2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_maximum_gpfn        14

/* Names the domain a query is about. */
struct xen_memory_domain {
    domid_t domid;
};

/* List the MFNs backing the M2P table, one per 2 MiB chunk. */
#define XENMEM_machphys_mfn_list        5
#define XENMEM_machphys_compat_mfn_list 25
struct xen_machphys_mfn_list {
    unsigned int max_extents;
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    unsigned int nr_extents;    /* out */
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);

/* Where the M2P table is mapped and the largest MFN it covers. */
#define XENMEM_machphys_mapping 12
struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end;
    xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);

/* Sources of frames for XENMEM_add_to_physmap(_batch). */
#define XENMAPSPACE_shared_info  0
#define XENMAPSPACE_grant_table  1
#define XENMAPSPACE_gmfn         2
#define XENMAPSPACE_gmfn_range   3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio     5

/* Flag in xen_add_to_physmap.idx: a grant status frame, not a shared one. */
#define XENMAPIDX_grant_table_status 0x80000000

/* Map frame idx of space at gpfn of domid (translated guests). */
#define XENMEM_add_to_physmap 7
struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;              /* page count for XENMAPSPACE_gmfn_range */
    unsigned int space;         /* XENMAPSPACE_* */
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

/* Batched add_to_physmap with a per-index error array. */
#define XENMEM_add_to_physmap_batch 23
union xen_add_to_physmap_batch_extra {
    domid_t foreign_domid;      /* XENMAPSPACE_gmfn_foreign */
    uint16_t res0;              /* any other space: zero */
};
struct xen_add_to_physmap_batch {
    domid_t domid;
    uint16_t space;
    uint16_t size;
    union xen_add_to_physmap_batch_extra u;
    XEN_GUEST_HANDLE(xen_ulong_t) idxs;
    XEN_GUEST_HANDLE(xen_pfn_t) gpfns;
    XEN_GUEST_HANDLE(int) errs;
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

/* Unmap whatever is at gpfn of domid. */
#define XENMEM_remove_from_physmap 15
struct xen_remove_from_physmap {
    domid_t domid;
    xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/*
 * The caller's (memory_map), the host's (machine_memory_map) or another
 * domain's (set_memory_map) E820-style map: buffer holds 20-byte BIOS E820
 * entries (u64 base, u64 length, u32 type); nr_entries is the buffer
 * capacity on entry and the count written on return.
 */
#define XENMEM_memory_map         9
#define XENMEM_machine_memory_map 10
#define XENMEM_set_memory_map     13
struct xen_memory_map {
    unsigned int nr_entries;
    XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

/* Argument of XENMEM_set_memory_map. */
struct xen_foreign_memory_map {
    domid_t domid;
    struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

/* Populate-on-demand target (in) and current counts (out). */
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17
struct xen_pod_target {
    uint64_t target_pages;
    uint64_t tot_pages;
    uint64_t pod_cache_pages;
    uint64_t pod_entries;
    domid_t domid;
};
typedef struct xen_pod_target xen_pod_target_t;

/* Map frames of a hypervisor resource (ioreq server, grant table, trace buffer). */
#define XENMEM_acquire_resource 28
#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table  1
#define XENMEM_resource_vmtrace_buf  2
#define XENMEM_resource_grant_table_id_shared 0
#define XENMEM_resource_grant_table_id_status 1
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
struct xen_mem_acquire_resource {
    domid_t domid;
    uint16_t type;              /* XENMEM_resource_* */
    uint32_t id;
    uint32_t nr_frames;         /* in/out; 0 with no list asks for the size */
    uint32_t pad;
    uint64_t frame;             /* first frame index */
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);

/* Virtual NUMA layout of a domain. */
#define XENMEM_get_vnumainfo 26
/* One memory range [start, end) on virtual node nid. */
struct xen_vmemrange {
    uint64_t start, end;
    unsigned int flags;
    unsigned int nid;
};
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

/* Counts in, filled arrays out (distance matrix, vCPU->node, ranges). */
struct xen_vnuma_topology_info {
    domid_t domid;
    uint16_t pad;
    unsigned int nr_vnodes;
    unsigned int nr_vcpus;
    unsigned int nr_vmemranges;
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vdistance;
    union {
        XEN_GUEST_HANDLE(uint) h;
        uint64_t pad;
    } vcpu_to_vnode;
    union {
        XEN_GUEST_HANDLE(xen_vmemrange_t) h;
        uint64_t pad;
    } vmemrange;
};
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);

#endif /* XENOLITH_PUBLIC_MEMORY_H */
