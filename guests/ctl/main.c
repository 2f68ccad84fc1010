/*
 * Dom0's domain-control interface, as Xen 4.17 answers it, with dom0 alone:
 *  - sysctl XEN_SYSCTL_physinfo: one CPU, sane page counts and CPU speed,
 *    a PV-capable hypervisor without HVM, HAP or pass-through;
 *  - sysctl XEN_SYSCTL_getdomaininfolist from 0: exactly the domains there
 *    are, dom0 first with Xen's picture of it (running, no shutdown code:
 *    all ones, its shared_info frame, one online vCPU, the page counts);
 *    windows that hold nothing, a bad buffer (-EFAULT);
 *  - domctl XEN_DOMCTL_getdomaininfo: dom0, the next domain above a missing
 *    id (4.17 searches upwards), nothing above the last one (-ESRCH),
 *    reserved ids (-EINVAL); getvcpuinfo of vCPU 0 and of ids out of range
 *    (-EINVAL); pause, unpause and destroy of dom0 itself (-EINVAL) and of
 *    a missing domain (-ESRCH); an unknown sub-op (-ENOSYS, after the target
 *    check: -ESRCH first); a wrong interface version (-EACCES, before
 *    everything but the copy); bad pointers (-EFAULT);
 *  - SCHEDOP_remote_shutdown of a missing domain (-ESRCH), bad pointer;
 *  - hvm_op HVMOP_get_param/set_param for a PV domain (-EINVAL), index and
 *    target checks, unknown and 64-bit sub-op numbers (-ENOSYS);
 *  - VIRQ_DOM_EXC binds on vCPU 0 only (another vCPU: -EINVAL), once.
 * The command-line option domus=N makes it expect N domUs next to dom0
 * (domids 1..N, still running: e.g. spin guests with a late until_ms) and
 * check them too: listed, paused and unpaused, their ring parameters
 * (HVMOP_get_param: Xenolith's builder values), the rings mapped through
 * their reserved grant entries (the same frames) and their ports bound
 * from dom0, the last one destroyed
 * (dying, VIRQ_DOM_EXC once gone, then -ESRCH), d1 shut down remotely
 * (VIRQ_DOM_EXC, shut down with the reason). Without it, none.
 */
#include "pv.h"
#include "errno.h"
#include "domctl.h"
#include "sysctl.h"
#include "hvm/hvm_op.h"
#include "hvm/params.h"
#include "grant_table.h"
#include "grant.h"

#define HV_ADDR ((void *)0xffff800000001000ul)  /* inside the hypervisor's range */
#define MAX_LIST 16
#define NONE_CODE 0xFFFFu                      /* "no shutdown code" in flags' top bits */

static unsigned nr_domus;

static long domctl(struct xen_domctl *op)
{
    return GUEST_HYPERCALL(__HYPERVISOR_domctl, op, 0, 0, 0, 0);
}

static long sysctl(struct xen_sysctl *op)
{
    return GUEST_HYPERCALL(__HYPERVISOR_sysctl, op, 0, 0, 0, 0);
}

static long hvm_op(unsigned long op, void *arg)
{
    return GUEST_HYPERCALL(__HYPERVISOR_hvm_op, op, arg, 0, 0, 0);
}

static void domctl_init(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
    g_memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
}

static long domctl_simple(uint32_t cmd, domid_t dom)
{
    static struct xen_domctl op;

    domctl_init(&op, cmd, dom);
    return domctl(&op);
}

static void sysctl_init(struct xen_sysctl *op, uint32_t cmd)
{
    g_memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
}

/* "domus=N" on the command line. */
static unsigned parse_domus(const char *cmdline)
{
    return (unsigned)g_opt(cmdline, "domus=", 0);
}

/* Does the hypervisor take grant tables of version 2? (Back to 1 after.) */
static int grant_v2_works(void)
{
    static struct gnttab_set_version sv;
    long rc;

    sv.version = 2;
    rc = GUEST_HYPERCALL(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, 1, 0, 0);
    test_note("GNTTABOP_set_version 2: rc=%ld", rc);
    if (rc != 0)
        return 0;
    sv.version = 1;
    rc = GUEST_HYPERCALL(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, 1, 0, 0);
    test_check(rc == 0, "GNTTABOP_set_version back to 1: rc=%ld", rc);
    return 1;
}

static void test_physinfo(start_info_t *si)
{
    static struct xen_sysctl op;
    struct xen_sysctl_physinfo *pi = &op.u.physinfo;
    long rc;

    sysctl_init(&op, XEN_SYSCTL_physinfo);
    g_memset(&op.u, 0xa5, sizeof(op.u));
    rc = sysctl(&op);
    test_check(rc == 0, "physinfo: rc=%ld", rc);
    test_note("physinfo: threads/core %u cores/socket %u cpus %u max_cpu_id %u nodes %u max_node_id %u khz %u caps %#x arch_caps %#x",
              pi->threads_per_core, pi->cores_per_socket, pi->nr_cpus, pi->max_cpu_id, pi->nr_nodes,
              pi->max_node_id, pi->cpu_khz, pi->capabilities, pi->arch_capabilities);
    test_note("physinfo: total %lu free %lu scrub %lu outstanding %lu max_mfn %#lx hw_cap[0] %#x",
              (unsigned long)pi->total_pages, (unsigned long)pi->free_pages, (unsigned long)pi->scrub_pages,
              (unsigned long)pi->outstanding_pages, (unsigned long)pi->max_mfn, pi->hw_cap[0]);
    test_check(pi->nr_cpus == 1 && pi->max_cpu_id == 0 && pi->threads_per_core == 1 && pi->cores_per_socket == 1,
               "physinfo: one CPU (nr_cpus %u, max_cpu_id %u, %u thread(s)/core, %u core(s)/socket)",
               pi->nr_cpus, pi->max_cpu_id, pi->threads_per_core, pi->cores_per_socket);
    test_check(pi->nr_nodes == 1 && pi->max_node_id == 63, "physinfo: one NUMA node, max_node_id 63 (%u, %u)",
               pi->nr_nodes, pi->max_node_id);
    test_check(pi->cpu_khz > 100000 && pi->cpu_khz < 100000000, "physinfo: cpu_khz %u plausible", pi->cpu_khz);
    test_check(pi->total_pages > si->nr_pages && pi->free_pages > 0 && pi->free_pages < pi->total_pages &&
               pi->total_pages < (1ul << 24),
               "physinfo: total_pages %lu > dom0's %lu, 0 < free_pages %lu < total",
               (unsigned long)pi->total_pages, si->nr_pages, (unsigned long)pi->free_pages);
    test_check(pi->max_mfn + 1 >= pi->total_pages && pi->max_mfn < (1ul << 24), "physinfo: max_mfn %#lx",
               (unsigned long)pi->max_mfn);
    test_check(pi->scrub_pages == 0 && pi->outstanding_pages == 0 && pi->pad == 0,
               "physinfo: no scrub or outstanding pages, pad zero");
    /* Xen 4.17 under TCG: PV and grant tables (version 2 as far as
     * GNTTABOP_set_version takes it); no HVM (no VMX/SVM), HAP, shadow,
     * IOMMU, vmtrace or vPMU. */
    const int v2 = grant_v2_works();
    const uint32_t want_caps = XEN_SYSCTL_PHYSCAP_pv | XEN_SYSCTL_PHYSCAP_gnttab_v1 |
                               (v2 ? XEN_SYSCTL_PHYSCAP_gnttab_v2 : 0);
    test_check(pi->capabilities == want_caps, "physinfo: capabilities %#x (want %#x: pv, gnttab_v1%s)",
               pi->capabilities, want_caps, v2 ? ", gnttab_v2" : "");
    test_check(pi->arch_capabilities == 0, "physinfo: arch_capabilities %#x", pi->arch_capabilities);
    test_check(pi->hw_cap[0] & 1u, "physinfo: hw_cap[0] %#x has the FPU bit (CPUID 1 EDX)", pi->hw_cap[0]);
}

static int handle_zero(const xen_domain_handle_t h)
{
    for (unsigned i = 0; i < sizeof(xen_domain_handle_t); i++)
        if (h[i])
            return 0;
    return 1;
}

/* dom0 as Xen describes it to itself while it runs. */
static void check_dom0_info(const char *what, const struct xen_domctl_getdomaininfo *in, start_info_t *si)
{
    uint32_t low = in->flags & 0xffffu, code = in->flags >> XEN_DOMINF_shutdownshift;

    test_note("%s: domain %u flags %#x tot %lu max %lu shinfo %#lx cpu_time %lu online %u max_vcpu_id %u gpaddr_bits %u",
              what, in->domain, in->flags, (unsigned long)in->tot_pages, (unsigned long)in->max_pages,
              (unsigned long)in->shared_info_frame, (unsigned long)in->cpu_time, in->nr_online_vcpus,
              in->max_vcpu_id, in->gpaddr_bits);
    test_check(in->domain == 0, "%s: domain %u", what, in->domain);
    test_check(low == XEN_DOMINF_running, "%s: flags %#x: running only (not dying, shut down, paused, blocked, hvm)",
               what, low);
    test_check(code == NONE_CODE, "%s: shutdown code %#x: none (all ones)", what, code);
    test_check(in->tot_pages == si->nr_pages, "%s: tot_pages %lu = start_info nr_pages %lu", what,
               (unsigned long)in->tot_pages, si->nr_pages);
    test_check(in->max_pages >= in->tot_pages, "%s: max_pages %lu >= tot_pages", what, (unsigned long)in->max_pages);
    test_check(in->outstanding_pages == 0 && in->shr_pages == 0 && in->paged_pages == 0,
               "%s: no outstanding, shared or paged pages", what);
    test_check(in->shared_info_frame == si->shared_info >> 12, "%s: shared_info_frame %#lx = start_info's %#lx >> 12",
               what, (unsigned long)in->shared_info_frame, si->shared_info);
    test_check(in->cpu_time > 0, "%s: cpu_time %lu > 0", what, (unsigned long)in->cpu_time);
    test_check(in->nr_online_vcpus == 1 && in->max_vcpu_id == 0, "%s: one vCPU online (%u), max_vcpu_id %u",
               what, in->nr_online_vcpus, in->max_vcpu_id);
    test_check(in->ssidref == 0 && handle_zero(in->handle) && in->cpupool == 0 && in->pad1 == 0,
               "%s: ssidref 0, handle zero, cpupool 0", what);
    test_check(in->gpaddr_bits >= 32 && in->gpaddr_bits <= 52, "%s: gpaddr_bits %u", what, in->gpaddr_bits);
    test_check(in->arch_config.emulation_flags == XEN_X86_EMU_PIT && in->arch_config.misc_flags == 0,
               "%s: arch_config: emulation_flags %#x (the PIT, as the PV hardware domain), misc_flags %#x", what,
               in->arch_config.emulation_flags, in->arch_config.misc_flags);
}

static void check_domu_info(const struct xen_domctl_getdomaininfo *in, domid_t id)
{
    test_check(in->domain == id && !(in->flags & (XEN_DOMINF_dying | XEN_DOMINF_hvm_guest | XEN_DOMINF_shutdown)) &&
               in->tot_pages > 0 && in->nr_online_vcpus >= 1 && in->arch_config.emulation_flags == 0,
               "domU %u: domain %u flags %#x tot_pages %lu online %u", id, in->domain, in->flags,
               (unsigned long)in->tot_pages, in->nr_online_vcpus);
}

static struct xen_domctl_getdomaininfo list[MAX_LIST];

static long list_domains(domid_t first, uint32_t max, void *buf, uint32_t *num)
{
    static struct xen_sysctl op;
    long rc;

    sysctl_init(&op, XEN_SYSCTL_getdomaininfolist);
    op.u.getdomaininfolist.first_domain = first;
    op.u.getdomaininfolist.max_domains = max;
    op.u.getdomaininfolist.buffer = buf;
    op.u.getdomaininfolist.num_domains = 0xdeadu;
    rc = sysctl(&op);
    *num = op.u.getdomaininfolist.num_domains;
    return rc;
}

static void test_list(start_info_t *si)
{
    uint32_t num;
    long rc;

    g_memset(list, 0xa5, sizeof(list));
    rc = list_domains(0, MAX_LIST, list, &num);
    test_check(rc == 0 && num == 1 + nr_domus, "getdomaininfolist from 0: rc=%ld, %u domain(s) (want %u)",
               rc, num, 1 + nr_domus);
    if (rc == 0 && num >= 1)
        check_dom0_info("list[0]", &list[0], si);
    for (unsigned i = 1; rc == 0 && i < num && i < MAX_LIST; i++)
        check_domu_info(&list[i], (domid_t)i);

    rc = list_domains(0, 0, list, &num);
    test_check(rc == 0 && num == 0, "getdomaininfolist max_domains 0: rc=%ld num %u", rc, num);
    rc = list_domains(0, 0, 0, &num);
    test_check(rc == 0 && num == 0, "getdomaininfolist max_domains 0, no buffer: rc=%ld num %u", rc, num);
    rc = list_domains((domid_t)(nr_domus + 1), MAX_LIST, list, &num);
    test_check(rc == 0 && num == 0, "getdomaininfolist from %u (beyond every domain): rc=%ld num %u",
               nr_domus + 1, rc, num);
    rc = list_domains(DOMID_FIRST_RESERVED, MAX_LIST, list, &num);
    test_check(rc == 0 && num == 0, "getdomaininfolist from DOMID_FIRST_RESERVED: rc=%ld num %u", rc, num);
    rc = list_domains(0, 1, list, &num);
    test_check(rc == 0 && num == 1 && list[0].domain == 0, "getdomaininfolist max 1: rc=%ld num %u", rc, num);
    num = 0x77;
    rc = list_domains(0, MAX_LIST, HV_ADDR, &num);
    test_check(rc == -XEN_EFAULT, "getdomaininfolist into the hypervisor's range: rc=%ld (want %d)", rc, -XEN_EFAULT);
    rc = list_domains(0, MAX_LIST, 0, &num);
    test_check(rc == -XEN_EFAULT, "getdomaininfolist into NULL: rc=%ld (want %d)", rc, -XEN_EFAULT);
}

static void test_getdomaininfo(start_info_t *si)
{
    static struct xen_domctl op;
    long rc;

    domctl_init(&op, XEN_DOMCTL_getdomaininfo, 0);
    g_memset(&op.u, 0xa5, sizeof(op.u));
    rc = domctl(&op);
    test_check(rc == 0 && op.domain == 0, "getdomaininfo(0): rc=%ld domain %u", rc, op.domain);
    if (rc == 0)
        check_dom0_info("getdomaininfo(0)", &op.u.getdomaininfo, si);

    /* 4.17 answers a missing id with the next domain above it. */
    if (nr_domus) {
        domctl_init(&op, XEN_DOMCTL_getdomaininfo, 1);
        rc = domctl(&op);
        test_check(rc == 0 && op.domain == 1 && op.u.getdomaininfo.domain == 1, "getdomaininfo(1): rc=%ld domain %u",
                   rc, op.domain);
        if (rc == 0)
            check_domu_info(&op.u.getdomaininfo, 1);
    }
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, (domid_t)(nr_domus + 1));
    rc = domctl(&op);
    test_check(rc == -XEN_ESRCH && op.domain == nr_domus + 1,
               "getdomaininfo(%u), beyond every domain: rc=%ld (want %d)", nr_domus + 1, rc, -XEN_ESRCH);
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, DOMID_FIRST_RESERVED - 1);
    rc = domctl(&op);
    test_check(rc == -XEN_ESRCH, "getdomaininfo(0x7fef): rc=%ld (want %d)", rc, -XEN_ESRCH);
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, DOMID_SELF);
    rc = domctl(&op);
    test_check(rc == -XEN_EINVAL, "getdomaininfo(DOMID_SELF): rc=%ld (want %d: reserved ids name no domain)",
               rc, -XEN_EINVAL);
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, 0xffff);
    rc = domctl(&op);
    test_check(rc == -XEN_EINVAL, "getdomaininfo(0xffff): rc=%ld (want %d)", rc, -XEN_EINVAL);
}

static void test_getvcpuinfo(void)
{
    static struct xen_domctl op;
    long rc;

    domctl_init(&op, XEN_DOMCTL_getvcpuinfo, 0);
    op.u.getvcpuinfo.vcpu = 0;
    op.u.getvcpuinfo.online = op.u.getvcpuinfo.blocked = op.u.getvcpuinfo.running = 0x5a;
    op.u.getvcpuinfo.cpu = 0x5a5a;
    rc = domctl(&op);
    test_check(rc == 0 && op.u.getvcpuinfo.online == 1 && op.u.getvcpuinfo.running == 1 &&
               op.u.getvcpuinfo.blocked == 0 && op.u.getvcpuinfo.cpu == 0 && op.u.getvcpuinfo.cpu_time > 0,
               "getvcpuinfo(0, 0): rc=%ld online %u running %u blocked %u cpu %u cpu_time %lu", rc,
               op.u.getvcpuinfo.online, op.u.getvcpuinfo.running, op.u.getvcpuinfo.blocked, op.u.getvcpuinfo.cpu,
               (unsigned long)op.u.getvcpuinfo.cpu_time);
    static const uint32_t bad[] = { 1, 1000, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        domctl_init(&op, XEN_DOMCTL_getvcpuinfo, 0);
        op.u.getvcpuinfo.vcpu = bad[i];
        rc = domctl(&op);
        test_check(rc == -XEN_EINVAL, "getvcpuinfo(0, %u): rc=%ld (want %d)", bad[i], rc, -XEN_EINVAL);
    }
    domctl_init(&op, XEN_DOMCTL_getvcpuinfo, DOMID_FIRST_RESERVED - 1);
    rc = domctl(&op);
    test_check(rc == -XEN_ESRCH, "getvcpuinfo of no domain: rc=%ld (want %d)", rc, -XEN_ESRCH);
}

static uint32_t dom0_flags(void)
{
    static struct xen_domctl op;

    domctl_init(&op, XEN_DOMCTL_getdomaininfo, 0);
    return domctl(&op) == 0 ? op.u.getdomaininfo.flags : 0;
}

static void test_life_cycle(void)
{
    const domid_t missing = DOMID_FIRST_RESERVED - 1;
    long rc;

    rc = domctl_simple(XEN_DOMCTL_pausedomain, 0);
    test_check(rc == -XEN_EINVAL, "pausedomain(self): rc=%ld (want %d)", rc, -XEN_EINVAL);
    rc = domctl_simple(XEN_DOMCTL_unpausedomain, 0);
    test_check(rc == -XEN_EINVAL, "unpausedomain(self, not paused): rc=%ld (want %d)", rc, -XEN_EINVAL);
    rc = domctl_simple(XEN_DOMCTL_destroydomain, 0);
    test_check(rc == -XEN_EINVAL, "destroydomain(self): rc=%ld (want %d)", rc, -XEN_EINVAL);
    test_check((dom0_flags() & 0xffffu) == XEN_DOMINF_running, "dom0 still running, not paused or dying: %#x",
               dom0_flags());
    static const uint32_t cmds[] = { XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain, XEN_DOMCTL_destroydomain,
                                     0x7777 };
    for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        rc = domctl_simple(cmds[i], missing);
        test_check(rc == -XEN_ESRCH, "domctl %#x of no domain: rc=%ld (want %d)", cmds[i], rc, -XEN_ESRCH);
        rc = domctl_simple(cmds[i], DOMID_SELF);
        test_check(rc == -XEN_ESRCH, "domctl %#x of DOMID_SELF: rc=%ld (want %d)", cmds[i], rc, -XEN_ESRCH);
    }
    rc = domctl_simple(0x7777, 0);
    test_check(rc == -XEN_ENOSYS, "unknown domctl 0x7777 of dom0: rc=%ld (want %d)", rc, -XEN_ENOSYS);

    for (domid_t id = 1; id <= nr_domus; id++) {
        static struct xen_domctl op;
        rc = domctl_simple(XEN_DOMCTL_pausedomain, id);
        domctl_init(&op, XEN_DOMCTL_getdomaininfo, id);
        long rc2 = domctl(&op);
        test_check(rc == 0 && rc2 == 0 && (op.u.getdomaininfo.flags & XEN_DOMINF_paused) &&
                   !(op.u.getdomaininfo.flags & XEN_DOMINF_running),
                   "pausedomain(%u): rc=%ld, flags %#x paused", id, rc, op.u.getdomaininfo.flags);
        rc = domctl_simple(XEN_DOMCTL_unpausedomain, id);
        rc2 = domctl(&op);
        test_check(rc == 0 && rc2 == 0 && !(op.u.getdomaininfo.flags & XEN_DOMINF_paused),
                   "unpausedomain(%u): rc=%ld, flags %#x", id, rc, op.u.getdomaininfo.flags);
        rc = domctl_simple(XEN_DOMCTL_unpausedomain, id);
        test_check(rc == -XEN_EINVAL, "unpausedomain(%u) again: rc=%ld (want %d)", id, rc, -XEN_EINVAL);
    }
}

static void test_versions_and_pointers(void)
{
    static struct xen_domctl dop;
    static struct xen_sysctl sop;
    long rc;

    domctl_init(&dop, XEN_DOMCTL_getdomaininfo, 0);
    dop.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
    rc = domctl(&dop);
    test_check(rc == -XEN_EACCES, "domctl with interface version %#x: rc=%ld (want %d)", dop.interface_version, rc,
               -XEN_EACCES);
    domctl_init(&dop, 0x7777, DOMID_FIRST_RESERVED - 1);
    dop.interface_version = XEN_DOMCTL_INTERFACE_VERSION + 1;
    rc = domctl(&dop);
    test_check(rc == -XEN_EACCES, "domctl, wrong version and no domain: rc=%ld (want %d: version first)", rc,
               -XEN_EACCES);
    sysctl_init(&sop, XEN_SYSCTL_physinfo);
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1;
    rc = sysctl(&sop);
    test_check(rc == -XEN_EACCES, "sysctl with interface version %#x: rc=%ld (want %d)", sop.interface_version, rc,
               -XEN_EACCES);
    sysctl_init(&sop, 0x7777);
    rc = sysctl(&sop);
    test_check(rc == -XEN_ENOSYS, "unknown sysctl 0x7777: rc=%ld (want %d)", rc, -XEN_ENOSYS);

    rc = domctl(0);
    test_check(rc == -XEN_EFAULT, "domctl(NULL): rc=%ld (want %d)", rc, -XEN_EFAULT);
    rc = domctl(HV_ADDR);
    test_check(rc == -XEN_EFAULT, "domctl(hypervisor address): rc=%ld (want %d)", rc, -XEN_EFAULT);
    rc = sysctl(0);
    test_check(rc == -XEN_EFAULT, "sysctl(NULL): rc=%ld (want %d)", rc, -XEN_EFAULT);
    rc = sysctl(HV_ADDR);
    test_check(rc == -XEN_EFAULT, "sysctl(hypervisor address): rc=%ld (want %d)", rc, -XEN_EFAULT);
}

static void test_remote_shutdown(void)
{
    static struct sched_remote_shutdown rs;
    long rc;

    rs.domain_id = DOMID_FIRST_RESERVED - 1;
    rs.reason = SHUTDOWN_poweroff;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_check(rc == -XEN_ESRCH, "SCHEDOP_remote_shutdown of no domain: rc=%ld (want %d)", rc, -XEN_ESRCH);
    rs.domain_id = DOMID_SELF;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_check(rc == -XEN_ESRCH, "SCHEDOP_remote_shutdown of DOMID_SELF: rc=%ld (want %d)", rc, -XEN_ESRCH);
    rc = pv_sched_op(SCHEDOP_remote_shutdown, HV_ADDR);
    test_check(rc == -XEN_EFAULT, "SCHEDOP_remote_shutdown from a bad pointer: rc=%ld (want %d)", rc, -XEN_EFAULT);
}

static void test_hvm_param(void)
{
    static struct xen_hvm_param p;
    static const struct { domid_t dom; uint32_t index; long want; const char *what; } cases[] = {
        { DOMID_SELF, HVM_PARAM_STORE_PFN, -XEN_EINVAL, "STORE_PFN of DOMID_SELF (PV)" },
        { 0, HVM_PARAM_STORE_PFN, -XEN_EINVAL, "STORE_PFN of dom0 (PV)" },
        { 0, HVM_PARAM_STORE_EVTCHN, -XEN_EINVAL, "STORE_EVTCHN of dom0" },
        { 0, HVM_PARAM_CONSOLE_PFN, -XEN_EINVAL, "CONSOLE_PFN of dom0" },
        { 0, HVM_PARAM_CONSOLE_EVTCHN, -XEN_EINVAL, "CONSOLE_EVTCHN of dom0" },
        { 0, 0, -XEN_EINVAL, "param 0 of dom0" },
        { 0, HVM_NR_PARAMS, -XEN_EINVAL, "index HVM_NR_PARAMS" },
        { DOMID_FIRST_RESERVED - 1, HVM_PARAM_STORE_PFN, -XEN_ESRCH, "STORE_PFN of no domain" },
        { DOMID_FIRST_RESERVED - 1, HVM_NR_PARAMS, -XEN_EINVAL, "bad index of no domain (index first)" },
    };
    long rc;

    for (unsigned op = HVMOP_set_param; op <= HVMOP_get_param; op++)
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            p.domid = cases[i].dom;
            p.index = cases[i].index;
            p.value = 0x1234;
            rc = hvm_op(op, &p);
            test_check(rc == cases[i].want && p.value == 0x1234, "%s %s: rc=%ld (want %ld)",
                       op == HVMOP_get_param ? "HVMOP_get_param" : "HVMOP_set_param", cases[i].what, rc,
                       cases[i].want);
        }
    rc = hvm_op(HVMOP_get_param, HV_ADDR);
    test_check(rc == -XEN_EFAULT, "HVMOP_get_param from a bad pointer: rc=%ld (want %d)", rc, -XEN_EFAULT);
    p.domid = 0;
    p.index = HVM_PARAM_STORE_PFN;
    rc = hvm_op((1ul << 32) | HVMOP_get_param, &p);
    test_check(rc == -XEN_ENOSYS, "hvm_op 1<<32 | HVMOP_get_param (all 64 bits count): rc=%ld (want %d)", rc,
               -XEN_ENOSYS);
    rc = hvm_op(0x7777, &p);
    test_check(rc == -XEN_ENOSYS, "unknown hvm_op 0x7777: rc=%ld (want %d)", rc, -XEN_ENOSYS);
}

static long dom_exc_port;

static void test_dom_exc(void)
{
    long port, rc;

    rc = pv_bind_virq(VIRQ_DOM_EXC, 1);
    test_check(rc == -XEN_EINVAL, "bind VIRQ_DOM_EXC on vCPU 1 (a global VIRQ): rc=%ld (want %d)", rc, -XEN_EINVAL);
    port = pv_bind_virq(VIRQ_DOM_EXC, 0);
    test_check(port > 0, "bind VIRQ_DOM_EXC on vCPU 0: port %ld", port);
    dom_exc_port = port;
    rc = pv_bind_virq(VIRQ_DOM_EXC, 0);
    test_check(rc == -XEN_EEXIST, "bind VIRQ_DOM_EXC again: rc=%ld (want %d)", rc, -XEN_EEXIST);
}

/* Wait for VIRQ_DOM_EXC (events stay masked: SCHEDOP_poll), then clear it.
 * 1 if it came within ns. */
static int wait_dom_exc(uint64_t ns)
{
    return pv_wait_port((unsigned)dom_exc_port, ns);
}

static uint32_t count_domains(void)
{
    uint32_t num = 0;
    return list_domains(0, MAX_LIST, list, &num) == 0 ? num : 0;
}

/* With domUs (Xenolith builds them from boot modules): their ring
 * parameters, a remote shutdown and a destruction, each told by
 * VIRQ_DOM_EXC, and the list without them once they are gone. */
static void test_domus(void)
{
    static const uint32_t params[] = { HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_PFN,
                                       HVM_PARAM_CONSOLE_EVTCHN };
    static struct xen_hvm_param p;
    static struct xen_domctl op;
    long rc;

    if (!nr_domus || dom_exc_port <= 0)
        return;
    for (domid_t id = 1; id <= nr_domus; id++)
        for (unsigned i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
            p.domid = id;
            p.index = params[i];
            p.value = 0;
            rc = hvm_op(HVMOP_get_param, &p);
            test_check(rc == 0 && p.value != 0, "HVMOP_get_param %u of d%u (Xenolith's builder values): rc=%ld value %#lx",
                       params[i], id, rc, (unsigned long)p.value);
        }

    /* What a toolstack then does with them: the rings through the builder's
     * reserved grant entries (the frames the parameters name), and the
     * ports offered to dom0. */
    test_check(gnt_area_init() == 0, "grant window for the domUs' rings");
    for (domid_t id = 1; id <= nr_domus; id++) {
        static const struct { grant_ref_t ref; uint32_t pfn, port; const char *what; } rings[] = {
            { GNTTAB_RESERVED_XENSTORE, HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, "xenstore" },
            { GNTTAB_RESERVED_CONSOLE, HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, "console" },
        };
        for (unsigned i = 0; i < 2; i++) {
            gnttab_map_grant_ref_t m;
            struct evtchn_bind_interdomain b = { .remote_dom = id };
            uint64_t frame, port;
            int16_t st;

            p.domid = id;
            p.index = rings[i].pfn;
            frame = hvm_op(HVMOP_get_param, &p) == 0 ? p.value : 0;
            p.index = rings[i].port;
            port = hvm_op(HVMOP_get_param, &p) == 0 ? p.value : 0;
            rc = gnt_map(&m, gnt_va(1, i), GNTMAP_host_map, rings[i].ref, id);
            test_check(rc == 0 && m.status == GNTST_okay && (m.dev_bus_addr >> 12) == frame,
                       "d%u's %s ring by its reserved grant %u: rc=%ld status %d frame %#lx (the parameter: %#lx)",
                       id, rings[i].what, rings[i].ref, rc, m.status, (unsigned long)(m.dev_bus_addr >> 12),
                       (unsigned long)frame);
            if (rc == 0 && m.status == GNTST_okay) {
                rc = gnt_unmap(gnt_va(1, i), 0, m.handle, &st);
                test_check(rc == 0 && st == GNTST_okay, "unmapped: rc=%ld status %d", rc, st);
            }
            b.remote_port = (uint32_t)port;
            rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &b);
            test_check(rc == 0, "d%u's %s port %lu is offered to dom0: bind rc=%ld", id, rings[i].what,
                       (unsigned long)port, rc);
            if (rc == 0) {
                struct evtchn_close c = { .port = b.local_port };
                (void)pv_evtchn_op(EVTCHNOP_close, &c);
            }
        }
    }

    domid_t last = (domid_t)nr_domus;
    pv_clear_bit(pv_shared->evtchn_pending, (unsigned)dom_exc_port);
    rc = domctl_simple(XEN_DOMCTL_destroydomain, last);
    test_check(rc == 0, "destroydomain(%u): rc=%ld", last, rc);
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, last);
    rc = domctl(&op);
    test_check((rc == 0 && op.domain == last && (op.u.getdomaininfo.flags & XEN_DOMINF_dying) &&
                !(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown)) || rc == -XEN_ESRCH,
               "d%u after destroydomain: rc=%ld domain %u flags %#x (dying, not shut down; or gone)", last, rc,
               op.domain, op.u.getdomaininfo.flags);
    test_check(wait_dom_exc(2000000000ull), "VIRQ_DOM_EXC once d%u is gone", last);
    test_check(count_domains() == nr_domus, "%u domain(s) listed after it (want %u)", count_domains(), nr_domus);
    rc = domctl_simple(XEN_DOMCTL_destroydomain, last);
    test_check(rc == -XEN_ESRCH, "destroydomain(%u) once gone: rc=%ld (want %d)", last, rc, -XEN_ESRCH);

    if (nr_domus < 2)
        return;
    static struct sched_remote_shutdown rs;
    rs.domain_id = 1;
    rs.reason = SHUTDOWN_reboot;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_check(rc == 0, "SCHEDOP_remote_shutdown(d1, reboot): rc=%ld", rc);
    test_check(wait_dom_exc(2000000000ull), "VIRQ_DOM_EXC for d1's shutdown");
    domctl_init(&op, XEN_DOMCTL_getdomaininfo, 1);
    rc = domctl(&op);
    test_check((rc == 0 && op.domain == 1 && (op.u.getdomaininfo.flags & XEN_DOMINF_shutdown) &&
                (op.u.getdomaininfo.flags >> XEN_DOMINF_shutdownshift) == SHUTDOWN_reboot) ||
               (rc == 0 && op.domain != 1) || rc == -XEN_ESRCH,
               "d1 after its shutdown: rc=%ld domain %u flags %#x (shut down, reboot; or gone)", rc, op.domain,
               op.u.getdomaininfo.flags);
}

void test_main(start_info_t *si)
{
    nr_domus = parse_domus((const char *)si->cmd_line);
    pv_map_shared_info();
    (void)pv_events_mask();                 /* events are polled, never delivered */
    test_note("expecting %u domU(s)", nr_domus);
    test_physinfo(si);
    test_list(si);
    test_getdomaininfo(si);
    test_getvcpuinfo();
    test_life_cycle();
    test_versions_and_pointers();
    test_remote_shutdown();
    test_hvm_param();
    test_dom_exc();
    test_domus();
    test_finish();
}
