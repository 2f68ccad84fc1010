/* Host tests of the control domain's interface (hv/core/domctl.c, sysctl.c,
 * hvm_op.c, domain_control.c) with several domains, which the ctl guest can
 * only see once domUs exist: the order of Xen's checks for an unprivileged
 * caller (-EACCES, -ESRCH before -EPERM), getdomaininfo's search for the
 * next domain, getdomaininfolist windows, the controller's pause count and
 * what it does to the vCPUs, destroydomain and shutdown as getdomaininfo
 * shows them, VIRQ_DOM_EXC, and the domU ring parameters of HVMOP_get_param.
 * The scheduler, the runstate and the event channels are fakes that record
 * what they were asked. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include "test.h"
#include "core/hypercall.h"
#include "core/domain_control.h"
#include "core/vcpu_time.h"
#include "core/time.h"
#include "core/log.h"
#include "mm/mm.h"
#include "errno.h"
#include "domctl.h"
#include "sysctl.h"
#include "hvm/hvm_op.h"
#include "hvm/params.h"
#include "sched.h"

/* ---- the fake machine: dom0, d1 and d3 (id 2 is free) ---- */

#define NDOMS 3
static struct domain doms[NDOMS];
struct vcpu *current;
struct mm_stats mm_stats = { .total_ram = 256ull << 20, .max_pfn = 0x10000 };
static unsigned adds, removes, wakes, virqs_sent;
static struct vcpu *virq_vcpu;
static unsigned virq_sent;
static int last_runstate;
static const void *readonly;                /* copies into it fail, as into a read-only guest page */

struct domain *domain_of(domid_t id)
{
    for (unsigned i = 0; i < NDOMS; i++)
        if (doms[i].state != DOMAIN_FREE && doms[i].id == id)
            return &doms[i];
    return 0;
}

struct domain *domain_lookup(domid_t id)
{
    struct domain *d = domain_of(id);
    return d && (d->state == DOMAIN_RUNNING || d->state == DOMAIN_BUILDING) ? d : 0;
}

struct domain *domain_next(domid_t from)
{
    struct domain *best = 0;

    for (unsigned i = 0; i < NDOMS; i++)
        if (doms[i].state != DOMAIN_FREE && doms[i].id >= from && (!best || doms[i].id < best->id))
            best = &doms[i];
    return best;
}

/* As hv/core/domain.c: the first reason wins, vCPUs stop, dom0 is told
 * of a shutdown (a destroyed domain: only when it is gone). */
static void kill(struct domain *d)
{
    d->state = DOMAIN_SHUTDOWN;
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        d->vcpus[i]->runnable = false;
}

void domain_shutdown(struct domain *d, int reason)
{
    if (d->state == DOMAIN_SHUTDOWN)
        return;
    d->shutdown_reason = d->shutdown_code >= 0 ? d->shutdown_code : reason;
    d->shut_down = true;
    kill(d);
    domain_ctl_note_shutdown(d);
}

void domain_destroy(struct domain *d)
{
    if (d->state == DOMAIN_SHUTDOWN)
        return;
    kill(d);
}

void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out)
{
    memset(out, 0, sizeof(*out));
    out->time[RUNSTATE_running] = 1000u * (v->domain->id + 1);
}

void runstate_change(struct vcpu *v, int new_state) { (void)v; last_runstate = new_state; }
void sched_unit_add(struct sched_unit *u) { (void)u; adds++; }
void sched_unit_remove(struct sched_unit *u) { (void)u; removes++; }
void vcpu_wake(struct vcpu *v) { v->blocked = false; wakes++; }

int evtchn_send_virq(struct vcpu *v, unsigned virq)
{
    virq_vcpu = v;
    virq_sent = virq;
    virqs_sent++;
    return 0;
}

uint64_t time_tsc_hz(void) { return 2000000000ull; }
uint64_t mm_free_frames(void) { return 1234; }

size_t arch_copy_checked(void *dst, const void *src, size_t len)
{
    if (dst == readonly || !src)
        return len;
    memcpy(dst, src, len);
    return 0;
}

void log_printf(int level, const char *fmt, ...) { (void)level; (void)fmt; }

static struct vcpu_info vinfo[NDOMS];
static struct vcpu vcpus[NDOMS];

static void world(void)
{
    static const domid_t ids[NDOMS] = { 0, 1, 3 };

    memset(doms, 0, sizeof(doms));
    memset(vinfo, 0, sizeof(vinfo));
    memset(vcpus, 0, sizeof(vcpus));
    for (unsigned i = 0; i < NDOMS; i++) {
        struct domain *d = &doms[i];
        d->id = ids[i];
        d->state = DOMAIN_RUNNING;
        d->privileged = i == 0;
        d->shutdown_code = -1;
        d->nr_vcpus = 1;
        d->nr_pages = 100 * (i + 1);
        d->max_pages = 1000;
        d->shared_info_mfn = 0x40 + i;
        d->vcpus[0] = &vcpus[i];
        d->vcpus[0]->domain = d;
        d->vcpus[0]->runnable = true;
        d->vcpus[0]->vcpu_info = &vinfo[i];
    }
    doms[1].xs_mfn = 0x1234;
    doms[1].xs_port = 5;
    current = doms[0].vcpus[0];
    adds = removes = wakes = virqs_sent = 0;
    virq_vcpu = 0;
    readonly = 0;
}

static long domctl(struct xen_domctl *op) { return domctl_hypercall((uint64_t)op, 0, 0, 0, 0); }
static long sysctl(struct xen_sysctl *op) { return sysctl_hypercall((uint64_t)op, 0, 0, 0, 0); }

static long domctl_cmd(uint32_t cmd, domid_t dom, struct xen_domctl *op)
{
    memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return domctl(op);
}

static uint32_t flags_of(domid_t dom)
{
    struct xen_domctl op;
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, dom, &op), 0);
    return op.u.getdomaininfo.flags;
}

/* ---- the tests ---- */

/* An unprivileged domain learns only what Xen lets it learn first. */
static void unprivileged_order(void)
{
    struct xen_domctl op;
    struct xen_sysctl sop;

    world();
    current = doms[1].vcpus[0];
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, 0, &op), -XEN_EPERM);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, 2, &op), -XEN_EPERM);   /* found 3 first */
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, 4, &op), -XEN_ESRCH);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, DOMID_SELF, &op), -XEN_EINVAL);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 2, &op), -XEN_ESRCH);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 0, &op), -XEN_EPERM);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_destroydomain, 3, &op), -XEN_EPERM);
    CHECK_EQ(domctl_cmd(0x7777, 0, &op), -XEN_EPERM);
    CHECK_EQ(domctl_cmd(0x7777, 2, &op), -XEN_ESRCH);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_createdomain, 2, &op), -XEN_EPERM);  /* no target looked for */
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getdomaininfo;
    op.interface_version = 0x14;
    CHECK_EQ(domctl(&op), -XEN_EACCES);
    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_physinfo;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    CHECK_EQ(sysctl(&sop), -XEN_EPERM);
    sop.interface_version = 0;
    CHECK_EQ(sysctl(&sop), -XEN_EACCES);
    CHECK_EQ(doms[0].ctl_pause_count, 0);
    CHECK_EQ(doms[2].ctl_dying, 0);
}

static void search_and_list(void)
{
    struct xen_domctl op;
    struct xen_sysctl sop;
    struct xen_domctl_getdomaininfo buf[4];

    world();
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_getdomaininfo, 2, &op), 0);
    CHECK_EQ(op.domain, 3);
    CHECK_EQ(op.u.getdomaininfo.domain, 3);
    CHECK_EQ(op.u.getdomaininfo.tot_pages, 300);
    CHECK_EQ(op.u.getdomaininfo.shared_info_frame, 0x42);
    CHECK_EQ(op.u.getdomaininfo.cpu_time, 4000);
    CHECK_EQ(op.u.getdomaininfo.arch_config.emulation_flags, 0);      /* not the hardware domain */
    /* Not on the CPU, not blocked: neither running nor blocked. */
    CHECK_EQ(op.u.getdomaininfo.flags, 0xffff0000u);
    CHECK_EQ(flags_of(0), 0xffff0000u | XEN_DOMINF_running);
    doms[2].vcpus[0]->blocked = true;
    CHECK_EQ(flags_of(3), 0xffff0000u | XEN_DOMINF_blocked);
    doms[2].shutdown_code = SHUTDOWN_suspend;                          /* SCHEDOP_shutdown_code */
    CHECK_EQ(flags_of(3), (SHUTDOWN_suspend << 16) | XEN_DOMINF_blocked);

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_getdomaininfolist;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    sop.u.getdomaininfolist.max_domains = 4;
    sop.u.getdomaininfolist.buffer = buf;
    CHECK_EQ(sysctl(&sop), 0);
    CHECK_EQ(sop.u.getdomaininfolist.num_domains, 3);
    CHECK_EQ(buf[0].domain, 0);
    CHECK_EQ(buf[1].domain, 1);
    CHECK_EQ(buf[2].domain, 3);
    sop.u.getdomaininfolist.first_domain = 2;
    CHECK_EQ(sysctl(&sop), 0);
    CHECK_EQ(sop.u.getdomaininfolist.num_domains, 1);
    CHECK_EQ(buf[0].domain, 3);
    sop.u.getdomaininfolist.first_domain = 0;
    sop.u.getdomaininfolist.max_domains = 2;
    CHECK_EQ(sysctl(&sop), 0);
    CHECK_EQ(sop.u.getdomaininfolist.num_domains, 2);
    sop.u.getdomaininfolist.buffer = (void *)&buf[1];
    readonly = &buf[2];                                                /* the second entry cannot be written */
    sop.u.getdomaininfolist.num_domains = 77;
    CHECK_EQ(sysctl(&sop), -XEN_EFAULT);
    CHECK_EQ(sop.u.getdomaininfolist.num_domains, 77);                 /* nothing written back */

    readonly = &op;                                                     /* the answer cannot go back */
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getdomaininfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    CHECK_EQ(domctl(&op), -XEN_EFAULT);
}

static void pause_counts(void)
{
    struct xen_domctl op;
    struct domain *d1 = &doms[1];

    world();
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 0, &op), -XEN_EINVAL);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), -XEN_EINVAL);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), 0);
    CHECK_EQ(removes, 1);
    CHECK_EQ(last_runstate, RUNSTATE_offline);
    CHECK(flags_of(1) & XEN_DOMINF_paused);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), 0);
    CHECK_EQ(removes, 1);                                              /* only the first pause stops it */
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), 0);
    CHECK_EQ(adds, 0);
    CHECK(flags_of(1) & XEN_DOMINF_paused);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), 0);
    CHECK_EQ(adds, 1);
    CHECK_EQ(last_runstate, RUNSTATE_runnable);
    CHECK(!(flags_of(1) & XEN_DOMINF_paused));
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), -XEN_EINVAL);

    for (unsigned i = 0; i < 255; i++)
        CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), 0);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), -XEN_EOVERFLOW);
    CHECK_EQ(d1->ctl_pause_count, 255);
    d1->ctl_pause_count = 1;

    /* A blocked vCPU stays blocked through the pause; an event that came
     * meanwhile wakes it at the unpause, none leaves it asleep. */
    d1->vcpus[0]->blocked = true;
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), 0);
    CHECK_EQ(wakes, 0);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), 0);
    vinfo[1].evtchn_upcall_pending = 1;
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_unpausedomain, 1, &op), 0);
    CHECK_EQ(wakes, 1);
}

static void destroy_and_shutdown(void)
{
    struct xen_domctl op;

    world();
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_createdomain, 2, &op), -XEN_ENOSYS);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_destroydomain, 0, &op), -XEN_EINVAL);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_destroydomain, 1, &op), 0);
    CHECK_EQ(doms[1].state, DOMAIN_SHUTDOWN);
    CHECK_EQ(virqs_sent, 0);                                           /* not until it is gone */
    CHECK_EQ(flags_of(1) & 0xffffu, XEN_DOMINF_dying);                /* dying, not shut down */
    CHECK_EQ(flags_of(1) >> 16, 0xffffu);
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_destroydomain, 1, &op), 0);         /* already dying */
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_pausedomain, 1, &op), 0);           /* still found, as on Xen */
    domain_ctl_note_gone(&doms[1]);
    CHECK_EQ(virqs_sent, 1);
    CHECK(virq_vcpu == doms[0].vcpus[0]);
    CHECK_EQ(virq_sent, VIRQ_DOM_EXC);

    domain_shutdown(&doms[2], SHUTDOWN_reboot);                        /* d3 shuts itself down */
    CHECK_EQ(virqs_sent, 2);
    CHECK_EQ(flags_of(3), XEN_DOMINF_shutdown | (SHUTDOWN_reboot << 16));
    CHECK_EQ(domctl_cmd(XEN_DOMCTL_destroydomain, 3, &op), 0);
    CHECK_EQ(flags_of(3), XEN_DOMINF_dying | XEN_DOMINF_shutdown | (SHUTDOWN_reboot << 16));
    CHECK_EQ(virqs_sent, 2);

    doms[1].state = DOMAIN_RUNNING;                                    /* as stopped with dom0: dying */
    doms[1].ctl_dying = DOMAIN_CTL_ALIVE;
    doms[1].ctl_pause_count = 0;
    kill(&doms[1]);
    CHECK_EQ(flags_of(1) & 0xffffu, XEN_DOMINF_dying);

    doms[0].state = DOMAIN_SHUTDOWN;                                   /* no dom0 to tell */
    domain_ctl_note_gone(&doms[2]);
    CHECK_EQ(virqs_sent, 2);
}

static void vcpu_info_and_params(void)
{
    struct xen_domctl op;
    struct xen_hvm_param p;

    world();
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getvcpuinfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = 3;
    CHECK_EQ(domctl(&op), 0);
    CHECK_EQ(op.u.getvcpuinfo.online, 1);
    CHECK_EQ(op.u.getvcpuinfo.running, 0);
    CHECK_EQ(op.u.getvcpuinfo.cpu_time, 4000);
    op.u.getvcpuinfo.vcpu = 1;
    CHECK_EQ(domctl(&op), -XEN_EINVAL);

    p = (struct xen_hvm_param){ .domid = 1, .index = HVM_PARAM_STORE_PFN };
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), 0);
    CHECK_EQ(p.value, 0x1234);
    p.index = HVM_PARAM_STORE_EVTCHN;
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), 0);
    CHECK_EQ(p.value, 5);
    p.index = HVM_PARAM_CONSOLE_PFN;                                   /* the builder set none */
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), -XEN_EINVAL);
    p.index = HVM_PARAM_STORE_PFN;
    CHECK_EQ(hvm_op_hypercall(HVMOP_set_param, (uint64_t)&p, 0, 0, 0), -XEN_EINVAL);
    p.domid = 2;
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), -XEN_ESRCH);
    p.domid = 1;
    current = doms[1].vcpus[0];                                       /* the domU asks itself */
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), -XEN_EINVAL);
    p.domid = DOMID_SELF;
    CHECK_EQ(hvm_op_hypercall(HVMOP_get_param, (uint64_t)&p, 0, 0, 0), -XEN_EINVAL);
}

int main(void)
{
    RUN_TEST(unprivileged_order);
    RUN_TEST(search_and_list);
    RUN_TEST(pause_counts);
    RUN_TEST(destroy_and_shutdown);
    RUN_TEST(vcpu_info_and_params);
    return test_main_result();
}
