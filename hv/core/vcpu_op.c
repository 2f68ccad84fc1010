/* vcpu_op: bringing vCPUs up and down, and the per-vCPU operations (timers,
 * runstate, where vcpu_info lives), each on the vCPU its id names. Return
 * values follow Xen 4.17 (xen/common/domain.c and its x86 part) for a 64-bit
 * PV guest: an id past the domain's vCPUs is -ENOENT for every command; the
 * single-shot timer commands are for the calling vCPU only (-EINVAL), and
 * register_vcpu_info for the caller or a vCPU that is down. */
#include "core/hypercall.h"
#include "core/vcpu_time.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/vcpu_context.h"
#include "errno.h"
#include "vcpu.h"
#include "sched.h"

/* VCPUOP_initialise: Xen refuses a vCPU that has no vcpu_info (ids from 32
 * on, until VCPUOP_register_vcpu_info) before reading anything, then reads
 * the whole context (-EFAULT if it cannot), then refuses a vCPU that already
 * has one (-EEXIST). The context is too large for the hypervisor stack; one
 * CPU runs one hypercall at a time, so a single buffer serves. */
static struct vcpu_guest_context initialise_buf;

static long vcpu_initialise(struct vcpu *v, uint64_t arg)
{
    int rc;

    if (!vcpu_info_of(v))
        return -XEN_EINVAL;
    if (copy_from_guest(&initialise_buf, arg, sizeof(initialise_buf)))
        return -XEN_EFAULT;
    if (v->initialised)
        return -XEN_EEXIST;
    if ((rc = vcpu_context_import(v, &initialise_buf)) != 0)
        return rc;
    v->initialised = true;
    /* VGCF_online: up at once (Xen clears the vCPU's down flag; it then runs
     * as soon as anything wakes it, which here is now). */
    if (initialise_buf.flags & VGCF_online)
        vcpu_bring_up(v);
    return 0;
}

/* VCPUOP_down: as in Xen, when no other vCPU of the domain is up the domain
 * powers off instead (whether or not v itself is up). */
static long vcpu_down(struct domain *d, struct vcpu *v)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++)
        if (i != v->id && d->vcpus[i]->online) {
            vcpu_take_down(v);
            return 0;
        }
    domain_shutdown(d, SHUTDOWN_poweroff);
    return 0;
}

long vcpu_op_hypercall(uint64_t cmd_arg, uint64_t vcpuid_arg, uint64_t arg, uint64_t a4, uint64_t a5)
{
    struct domain *d = current_domain();
    int cmd = (int)(uint32_t)cmd_arg;            /* Xen takes an int and an unsigned int */
    uint32_t vcpuid = (uint32_t)vcpuid_arg;
    struct vcpu *v;

    (void)a4; (void)a5;
    if (vcpuid >= d->nr_vcpus)
        return -XEN_ENOENT;
    v = d->vcpus[vcpuid];

    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(v, arg);

    case VCPUOP_up:
        if (!v->initialised)
            return -XEN_EINVAL;
        vcpu_bring_up(v);
        return 0;

    case VCPUOP_down:
        return vcpu_down(d, v);

    case VCPUOP_is_up:
        return v->online ? 1 : 0;

    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info rs;
        vcpu_runstate_get(v, &rs);
        return copy_to_guest(arg, &rs, sizeof(rs)) ? -XEN_EFAULT : 0;
    }

    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer p;
        if (copy_from_guest(&p, arg, sizeof(p)))
            return -XEN_EFAULT;
        if (p.period_ns < PERIODIC_MIN_NS || p.period_ns > PERIODIC_MAX_NS)
            return -XEN_EINVAL;
        vcpu_periodic_set(v, p.period_ns);
        return 0;
    }

    case VCPUOP_stop_periodic_timer:
        vcpu_periodic_set(v, 0);
        return 0;

    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer s;
        if (v != current)
            return -XEN_EINVAL;
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        /* Xen 4.17 ignores VCPU_SSHOTTMR_future: a deadline already past
         * sends the event at once instead of failing with -ETIME. */
        vcpu_singleshot_set(v, s.timeout_abs_ns);
        return 0;
    }

    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -XEN_EINVAL;
        vcpu_singleshot_stop(v);
        return 0;

    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;
        if (copy_from_guest(&info, arg, sizeof(info)))
            return -XEN_EFAULT;
        return vcpu_info_register(v, info.mfn, info.offset);
    }

    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;
        if (copy_from_guest(&area, arg, sizeof(area)))
            return -XEN_EFAULT;
        return vcpu_runstate_area_register(v, area.addr.p);
    }

    default:    /* send_nmi, get_physid, register_vcpu_time_memory_area, ... */
        return -XEN_ENOSYS;
    }
}
