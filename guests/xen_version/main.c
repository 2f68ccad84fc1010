/*
 * Every XENVER sub-op a PV kernel asks at boot, plus a look at start_info
 * and the machine-to-physical table.
 *
 * The harness boots this guest with the command line XV_CMDLINE (see
 * tests/integration/tests.list) and the hypervisor with "console=com1".
 */
#include "guest.h"
#include "mm.h"

#include "errno.h"
#include "features.h"
#include "version.h"

#define XV_CMDLINE "xenolith-xv arg1=alpha arg2=beta"

static int has_nul(const char *s, size_t n)
{
    return g_strnlen(s, n) < n;
}

static void check_version_ops(void)
{
    long rc;

    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    test_check(ver > 0 && (ver >> 16) >= 3, "XENVER_version %ld.%ld (major >= 3)",
               ver >> 16, ver & 0xffff);

    xen_extraversion_t extra;
    g_memset(extra, 0xff, sizeof(extra));
    rc = HYPERVISOR_xen_version(XENVER_extraversion, extra);
    test_check(rc == 0 && has_nul(extra, sizeof(extra)),
               "XENVER_extraversion rc=%ld \"%.16s\"", rc, has_nul(extra, sizeof(extra)) ? extra : "");

    xen_compile_info_t ci;
    g_memset(&ci, 0xff, sizeof(ci));
    rc = HYPERVISOR_xen_version(XENVER_compile_info, &ci);
    int ci_ok = has_nul(ci.compiler, sizeof(ci.compiler)) &&
                has_nul(ci.compile_by, sizeof(ci.compile_by)) &&
                has_nul(ci.compile_domain, sizeof(ci.compile_domain)) &&
                has_nul(ci.compile_date, sizeof(ci.compile_date));
    test_check(rc == 0 && ci_ok, "XENVER_compile_info rc=%ld", rc);
    if (ci_ok)
        test_note("compiler \"%s\" by \"%s\" @ \"%s\" on \"%s\"", ci.compiler,
                  ci.compile_by, ci.compile_domain, ci.compile_date);

    static xen_capabilities_info_t caps;
    g_memset(caps, 0xff, sizeof(caps));
    rc = HYPERVISOR_xen_version(XENVER_capabilities, caps);
    int caps_ok = has_nul(caps, sizeof(caps));
    test_check(rc == 0 && caps_ok && g_strstr(caps, "xen-3.0-x86_64"),
               "XENVER_capabilities rc=%ld \"%s\" contains xen-3.0-x86_64", rc,
               caps_ok ? caps : "");

    xen_changeset_info_t cs;
    g_memset(cs, 0xff, sizeof(cs));
    rc = HYPERVISOR_xen_version(XENVER_changeset, cs);
    test_check(rc == 0 && has_nul(cs, sizeof(cs)), "XENVER_changeset rc=%ld \"%s\"",
               rc, has_nul(cs, sizeof(cs)) ? cs : "");

    xen_platform_parameters_t pp = { .virt_start = 0 };
    rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &pp);
    test_check(rc == 0 && pp.virt_start == 0xFFFF800000000000UL,
               "XENVER_platform_parameters rc=%ld virt_start=%#lx", rc,
               (unsigned long)pp.virt_start);

    /* Xen 4.17's submap 0 for a PV dom0: memory_op_vnode_supported,
     * mmu_pt_update_preserve_ad, highmem_assist, gnttab_map_avail_bits,
     * dom0, direct_mapped; pae_pgdir_above_4gb follows the pae_extended_cr3
     * assist. */
    const uint32_t want_features = (1u << XENFEAT_memory_op_vnode_supported) |
        (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_highmem_assist) |
        (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_dom0) | (1u << XENFEAT_direct_mapped);
    xen_feature_info_t fi = { .submap_idx = 0, .submap = 0 };
    rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
    test_check(rc == 0 && fi.submap == want_features, "XENVER_get_features submap 0 rc=%ld submap=%#x (want %#x)",
               rc, fi.submap, want_features);
    rc = mm_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);
    fi.submap = 0;
    if (rc == 0)
        HYPERVISOR_xen_version(XENVER_get_features, &fi);
    test_check(rc == 0 && fi.submap == (want_features | (1u << XENFEAT_pae_pgdir_above_4gb)),
               "with VMASST pae_extended_cr3 (rc=%ld) submap 0 adds pae_pgdir_above_4gb: %#x", rc, fi.submap);
    rc = mm_vm_assist(VMASST_CMD_disable, VMASST_TYPE_pae_extended_cr3);
    fi.submap = 0;
    if (rc == 0)
        HYPERVISOR_xen_version(XENVER_get_features, &fi);
    test_check(rc == 0 && fi.submap == want_features,
               "without it again (rc=%ld): %#x", rc, fi.submap);

    /* memory_op_vnode_supported: XENMEM_get_vnumainfo answers as for a
     * domain without a virtual NUMA layout. */
    struct xen_vnuma_topology_info vt;
    g_memset(&vt, 0, sizeof(vt));
    vt.domid = DOMID_SELF;
    rc = HYPERVISOR_memory_op(XENMEM_get_vnumainfo, &vt);
    test_check(rc == -XEN_EOPNOTSUPP, "XENMEM_get_vnumainfo (no vNUMA): rc=%ld (want %d)", rc, -XEN_EOPNOTSUPP);
    vt.pad = 1;
    rc = HYPERVISOR_memory_op(XENMEM_get_vnumainfo, &vt);
    test_check(rc == -XEN_EINVAL, "XENMEM_get_vnumainfo with pad set: rc=%ld (want %d)", rc, -XEN_EINVAL);
    vt.pad = 0;
    vt.domid = 7;
    rc = HYPERVISOR_memory_op(XENMEM_get_vnumainfo, &vt);
    test_check(rc == -XEN_ESRCH, "XENMEM_get_vnumainfo of no domain: rc=%ld (want %d)", rc, -XEN_ESRCH);
    rc = HYPERVISOR_memory_op(XENMEM_get_vnumainfo, (void *)0x10);
    test_check(rc == -XEN_EFAULT, "XENMEM_get_vnumainfo from a bad pointer: rc=%ld (want %d)", rc, -XEN_EFAULT);

    static const unsigned int bad_idx[] = { 1, 2, 0x100, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(bad_idx) / sizeof(bad_idx[0]); i++) {
        fi.submap_idx = bad_idx[i];
        fi.submap = 0x5a5a5a5a;
        rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
        test_check(rc == -XEN_EINVAL, "XENVER_get_features submap %#x rc=%ld (want %d)",
                   bad_idx[i], rc, -XEN_EINVAL);
    }

    rc = HYPERVISOR_xen_version(XENVER_pagesize, NULL);
    test_check(rc == 4096, "XENVER_pagesize %ld", rc);

    xen_domain_handle_t handle;
    g_memset(handle, 0xff, sizeof(handle));
    rc = HYPERVISOR_xen_version(XENVER_guest_handle, handle);
    test_check(rc == 0, "XENVER_guest_handle rc=%ld", rc);
    if (rc == 0) {
        char hex[40];
        for (unsigned i = 0; i < sizeof(handle); i++)
            snformat(hex + 2 * i, 3, "%02x", handle[i]);
        test_note("guest handle %s", hex);
    }

    static xen_commandline_t cmdline;
    g_memset(cmdline, 0xff, sizeof(cmdline));
    rc = HYPERVISOR_xen_version(XENVER_commandline, cmdline);
    int cl_ok = has_nul(cmdline, sizeof(cmdline));
    test_check(rc == 0 && cl_ok && g_has_word(cmdline, "console=com1"),
               "XENVER_commandline rc=%ld \"%s\" has console=com1", rc,
               cl_ok ? cmdline : "");
}

static int in_image_region(unsigned long va)
{
    return va >= (unsigned long)_image_start && guest_va_mapped(va) == 1;
}

static void check_start_info(const start_info_t *si)
{
    const char *magic = (const char *)si->magic;

    test_check(has_nul(magic, sizeof(si->magic)) &&
                   g_strncmp(magic, "xen-3.0-x86_64", 14) == 0,
               "start_info magic \"%.32s\"", magic);
    test_check(si->nr_pages > 0, "nr_pages %lu", si->nr_pages);
    test_check(si->shared_info != 0 && (si->shared_info & 0xfff) == 0,
               "shared_info machine address %#lx page aligned", si->shared_info);
    test_check((si->pt_base & 0xfff) == 0 && in_image_region(si->pt_base),
               "pt_base %#lx page aligned and mapped", si->pt_base);
    test_check(si->nr_pt_frames > 0, "nr_pt_frames %lu", si->nr_pt_frames);
    test_check((si->mfn_list & 7) == 0 && in_image_region(si->mfn_list) &&
                   in_image_region(si->mfn_list + 8 * si->nr_pages - 8),
               "mfn_list %#lx aligned, all %lu entries mapped", si->mfn_list,
               si->nr_pages);
    test_check((si->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)) ==
                   (SIF_INITDOMAIN | SIF_PRIVILEGED),
               "flags %#x have SIF_INITDOMAIN|SIF_PRIVILEGED", si->flags);

    const char *cl = (const char *)si->cmd_line;
    test_check(has_nul(cl, sizeof(si->cmd_line)) && g_strcmp(cl, XV_CMDLINE) == 0,
               "cmd_line \"%.*s\" equals \"%s\"", (int)sizeof(si->cmd_line), cl,
               XV_CMDLINE);
    test_note("store_mfn %#lx store_evtchn %u mod_start %#lx mod_len %lu",
              (unsigned long)si->store_mfn, si->store_evtchn, si->mod_start,
              si->mod_len);
}

static void check_m2p(const start_info_t *si)
{
    unsigned long last = si->nr_pages - 1;
    unsigned long si_pfn = ((unsigned long)si - (unsigned long)_image_start) >> 12;
    unsigned long pfns[] = { 0, 1, 2, si_pfn, last / 2, last };

    for (unsigned i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
        unsigned long pfn = pfns[i];
        unsigned long mfn = guest_pfn_to_mfn(pfn);
        unsigned long back = GUEST_M2P[mfn];
        test_check(back == pfn, "m2p[p2m[%#lx] = %#lx] = %#lx", pfn, mfn, back);
    }

    /* Our own start_info page: its pte's frame must be p2m[si_pfn]. */
    test_check(si_pfn < si->nr_pages, "start_info is pfn %#lx of the 1:1 region",
               si_pfn);
}

void test_main(start_info_t *si)
{
    check_version_ops();
    check_start_info(si);
    check_m2p(si);
}
