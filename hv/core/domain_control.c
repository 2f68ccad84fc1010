/* Domain control: pause, unpause and destroy for the control domain, the
 * getdomaininfo picture of a domain, and VIRQ_DOM_EXC. */
#include "core/domain_control.h"
#include "core/log.h"
#include "core/vcpu_time.h"
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "sched/sched_cpu.h"
#include "lib/string.h"
#include "errno.h"
#include "vcpu.h"
#include "sched.h"

/* Xen caps the controller's pause count so that a toolstack cannot overflow it. */
#define CTL_MAX_PAUSES 255

struct vcpu *domain_ctl_vcpu(struct domain *d, unsigned id)
{
    return id < d->nr_vcpus ? d->vcpus[id] : 0;
}

unsigned domain_ctl_max_vcpus(const struct domain *d)
{
    return d->nr_vcpus;
}

/* Up (brought up and not down): Xen's vCPU without VPF_down. */
static bool vcpu_online(const struct vcpu *v)
{
    return v->runnable;
}

/* A paused vCPU leaves the scheduler. A blocked one keeps waiting as it was
 * (vcpu_wake leaves it blocked while the domain is paused). */
static void vcpu_ctl_stop(struct vcpu *v)
{
    if (!v->runnable || v->blocked)
        return;
    sched_unit_remove(&v->unit);
    runstate_change(v, RUNSTATE_offline);
}

/* Back from a pause: a runnable vCPU queues again; a blocked one wakes if
 * an event came while it was paused (its wake-up was held back), and a
 * poller too (its timeout may have passed: SCHEDOP_poll may return early). */
static void vcpu_ctl_resume(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v);

    if (!v->runnable)
        return;
    if (!v->blocked) {
        runstate_change(v, RUNSTATE_runnable);
        sched_unit_add(&v->unit);
    } else if (v->polling || (vi && vi->evtchn_upcall_pending)) {
        vcpu_wake(v);
    }
}

int domain_ctl_pause(struct domain *d)
{
    if (d->ctl_pause_count >= CTL_MAX_PAUSES)
        return -XEN_EOVERFLOW;
    if (d->ctl_pause_count++ == 0)
        for (unsigned i = 0; i < domain_ctl_max_vcpus(d); i++) {
            struct vcpu *v = domain_ctl_vcpu(d, i);
            if (v)
                vcpu_ctl_stop(v);
        }
    return 0;
}

int domain_ctl_unpause(struct domain *d)
{
    if (!d->ctl_pause_count)
        return -XEN_EINVAL;
    if (--d->ctl_pause_count == 0 && d->state == DOMAIN_RUNNING)
        for (unsigned i = 0; i < domain_ctl_max_vcpus(d); i++) {
            struct vcpu *v = domain_ctl_vcpu(d, i);
            if (v)
                vcpu_ctl_resume(v);
        }
    return 0;
}

void domain_ctl_kill(struct domain *d)
{
    if (d->state == DOMAIN_SHUTDOWN || d->state == DOMAIN_FREE) {
        /* Already dying: its teardown runs (Xenolith reclaims a domain as
         * soon as it shuts down); one that shut down itself shows dying
         * from now on, next to its shutdown. */
        if (d->shut_down)
            d->ctl_dying = DOMAIN_CTL_KILLED_SHUTDOWN;
        return;
    }
    /* Stopped and reclaimed without being marked shut down (and no
     * VIRQ_DOM_EXC until it is gone), as Xen's domain_kill. */
    d->ctl_dying = DOMAIN_CTL_KILLED_RUNNING;
    domain_destroy(d);
}

/* The shutdown code Xen keeps: the reason once shut down, else the one
 * SCHEDOP_shutdown_code recorded, else "none" (all ones). */
static uint32_t shutdown_code_of(const struct domain *d, bool shut_down)
{
    if (shut_down)
        return (uint32_t)d->shutdown_reason;
    return d->shutdown_code >= 0 ? (uint32_t)d->shutdown_code : ~0u;
}

void domain_ctl_info(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint32_t flags = XEN_DOMINF_blocked;    /* until an online vCPU is not blocked */
    bool shut_down = d->shut_down;
    /* Dying: destroyed by the controller, or with dom0 (stopped without a
     * shutdown of its own), or destroyed after it shut down. */
    bool dying = d->ctl_dying != DOMAIN_CTL_ALIVE || (d->state == DOMAIN_SHUTDOWN && !d->shut_down);

    memset(info, 0, sizeof(*info));
    info->domain = d->id;
    info->max_vcpu_id = XEN_INVALID_MAX_VCPU_ID;
    for (unsigned i = 0; i < domain_ctl_max_vcpus(d); i++) {
        struct vcpu *v = domain_ctl_vcpu(d, i);
        struct vcpu_runstate_info rs;

        if (!v)
            continue;
        vcpu_runstate_get(v, &rs);
        info->cpu_time += rs.time[RUNSTATE_running];
        info->max_vcpu_id = i;
        if (vcpu_online(v)) {
            if (!v->blocked)
                flags &= ~XEN_DOMINF_blocked;
            if (v == current)
                flags |= XEN_DOMINF_running;
            info->nr_online_vcpus++;
        }
    }
    if (!info->nr_online_vcpus)
        flags = 0;
    if (dying)
        flags |= XEN_DOMINF_dying;
    if (shut_down)
        flags |= XEN_DOMINF_shutdown;
    if (d->ctl_pause_count)
        flags |= XEN_DOMINF_paused;
    flags |= shutdown_code_of(d, shut_down) << XEN_DOMINF_shutdownshift;
    info->flags = flags;
    info->tot_pages = d->nr_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info_mfn;   /* a PV domain's frame numbers are machine ones */
    info->cpupool = 0;
    info->gpaddr_bits = domain_ctl_gpaddr_bits();
    /* Xen gives the hardware domain (dom0 here) the PIT even when PV. */
    if (d->privileged)
        info->arch_config.emulation_flags = XEN_X86_EMU_PIT;
    /* ssidref, handle, misc_flags: zero, as for a PV domain without XSM. */
}

uint8_t domain_ctl_gpaddr_bits(void)
{
    static uint8_t bits;
    uint32_t a, b, c, d;

    if (bits)
        return bits;
    bits = 36;                              /* Xen's value when the CPU does not say */
    cpuid_count(0x80000000u, 0, &a, &b, &c, &d);
    if (a >= 0x80000008u) {
        cpuid_count(0x80000008u, 0, &a, &b, &c, &d);
        /* The guest-physical width if the CPU gives one, else the physical
         * width, at most the 52 bits of the page-table format. */
        bits = (uint8_t)((a >> 16) & 0xff);
        if (!bits)
            bits = (uint8_t)(a & 0xff);
        if (bits > 52)
            bits = 52;
    }
    return bits;
}

/* VIRQ_DOM_EXC goes to dom0, the domain that handles global VIRQs in Xen
 * unless told otherwise; a dom0 that is itself going away gets none. */
static void raise_dom_exc(void)
{
    struct domain *ctl = domain_lookup(0);
    struct vcpu *v = ctl ? domain_ctl_vcpu(ctl, 0) : 0;

    if (v)
        (void)evtchn_send_virq(v, VIRQ_DOM_EXC);    /* -ENOENT: not bound, nobody listens */
}

void domain_ctl_note_shutdown(struct domain *d)
{
    (void)d;
    raise_dom_exc();
}

void domain_ctl_note_gone(struct domain *d)
{
    (void)d;
    raise_dom_exc();
}
