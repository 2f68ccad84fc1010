/* xen_version: what this hypervisor is and what it offers. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/options.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/layout.h"
#include "lib/string.h"
#include "lib/format.h"
#include "errno.h"
#include "xen.h"
#include "version.h"
#include "features.h"

/* The Xen interface level Xenolith implements. */
#define XENOLITH_XEN_MAJOR 4
#define XENOLITH_XEN_MINOR 17

#ifndef XENOLITH_CHANGESET
#define XENOLITH_CHANGESET "unknown"
#endif
#ifndef XENOLITH_COMPILER
#define XENOLITH_COMPILER "gcc"
#endif

/* Submap 0 as Xen 4.17 gives it to a PV domain, each bit backed by what it
 * promises: XENMEM_get_vnumainfo and vnode memory flags (a domain without
 * vNUMA), MMU_PT_UPDATE_PRESERVE_AD, MMUEXT_CLEAR_PAGE/COPY_PAGE (highmem
 * assist), GNTMAP_guest_avail bits copied to the PTE, a direct-mapped (not
 * translated) domain; pae_pgdir_above_4gb once the pae_extended_cr3 assist
 * is on; dom0 for the initial domain. */
static uint32_t feature_submap(const struct domain *d, unsigned idx)
{
    uint32_t map;

    if (idx != 0)
        return 0;
    map = (1u << XENFEAT_memory_op_vnode_supported) | (1u << XENFEAT_mmu_pt_update_preserve_ad) |
          (1u << XENFEAT_highmem_assist) | (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_direct_mapped);
    if (d->vm_assist & (1ull << VMASST_TYPE_pae_extended_cr3))
        map |= 1u << XENFEAT_pae_pgdir_above_4gb;
    if (d->privileged)
        map |= 1u << XENFEAT_dom0;
    return map;
}

HV_HOT long xen_version_hypercall(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();

    (void)a3; (void)a4; (void)a5;
    switch (cmd) {
    case XENVER_version:
        return (XENOLITH_XEN_MAJOR << 16) | XENOLITH_XEN_MINOR;
    case XENVER_extraversion: {
        xen_extraversion_t v = "-xenolith";
        return copy_to_guest(arg, v, sizeof(v));
    }
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        fmt_snprintf(ci.compiler, sizeof(ci.compiler), "%s", XENOLITH_COMPILER);
        fmt_snprintf(ci.compile_by, sizeof(ci.compile_by), "xenolith");
        fmt_snprintf(ci.compile_domain, sizeof(ci.compile_domain), "localdomain");
        fmt_snprintf(ci.compile_date, sizeof(ci.compile_date), "%s %s", __DATE__, __TIME__);
        return copy_to_guest(arg, &ci, sizeof(ci));
    }
    case XENVER_capabilities: {
        static xen_capabilities_info_t caps = "xen-3.0-x86_64 ";
        return copy_to_guest(arg, caps, sizeof(caps));
    }
    case XENVER_changeset: {
        xen_changeset_info_t cs;
        memset(cs, 0, sizeof(cs));
        fmt_snprintf(cs, sizeof(cs), "%s", XENOLITH_CHANGESET);
        return copy_to_guest(arg, cs, sizeof(cs));
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = HV_AREA_START };
        return copy_to_guest(arg, &pp, sizeof(pp));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        int rc = copy_from_guest(&fi, arg, sizeof(fi));
        if (rc)
            return rc;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = feature_submap(d, fi.submap_idx);
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle: {
        xen_domain_handle_t h;
        memset(h, 0, sizeof(h));
        return copy_to_guest(arg, h, sizeof(h));
    }
    case XENVER_commandline: {
        static xen_commandline_t line;
        if (!d->privileged)
            return -XEN_EPERM;
        memset(line, 0, sizeof(line));
        fmt_snprintf(line, sizeof(line), "%s", hv_cmdline);
        return copy_to_guest(arg, line, sizeof(line));
    }
    case XENVER_build_id:
        return -XEN_ENODATA;
    default:
        return -XEN_ENOSYS;
    }
}
