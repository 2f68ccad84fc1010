/*
 * Xenolith public ABI: the xen_version hypercall (sub-ops and the buffers
 * they fill).
 */
#ifndef XENOLITH_PUBLIC_VERSION_H
#define XENOLITH_PUBLIC_VERSION_H

#include "xen.h"
#include "features.h"

/* Returns (major << 16) | minor; the argument is unused. */
#define XENVER_version 0

/* Fills a xen_extraversion_t, e.g. ".0-xenolith". */
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

/* Fills a struct xen_compile_info. */
#define XENVER_compile_info 2
/* Who built the hypervisor, when and with what (NUL-terminated strings). */
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

/* Fills a xen_capabilities_info_t: space-separated guest types, e.g. "xen-3.0-x86_64". */
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

/* Fills a xen_changeset_info_t: source revision string. */
#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

/* Fills a struct xen_platform_parameters. */
#define XENVER_platform_parameters 5
/* Start of the hypervisor-reserved virtual area. */
struct xen_platform_parameters {
    xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

/* Reads one 32-bit submap of XENFEAT_* bits. */
#define XENVER_get_features 6
/* submap_idx selects the submap (in), submap receives it (out). */
struct xen_feature_info {
    unsigned int submap_idx;
    uint32_t submap;
};
typedef struct xen_feature_info xen_feature_info_t;

/* Returns the page size in bytes; the argument is unused. */
#define XENVER_pagesize 7

/* Fills a xen_domain_handle_t with the caller's domain handle. */
#define XENVER_guest_handle 8

/* Fills a xen_commandline_t with the hypervisor command line. */
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];

/* Fills a struct xen_build_id (len: size of buf); returns the id length. */
#define XENVER_build_id 10
/* Variable-length binary build id. */
struct xen_build_id {
    uint32_t len;
    unsigned char buf[XEN_FLEX_ARRAY_DIM];
};
typedef struct xen_build_id xen_build_id_t;

#endif /* XENOLITH_PUBLIC_VERSION_H */
