/* vcpu_op: per-vCPU operations (timers, runstate, where vcpu_info lives).
 * Return values follow Xen 4.17 (xen/common/domain.c and its x86 part) for a
 * 64-bit PV guest whose vCPUs are all up. */
#include "core/hypercall.h"
#include "core/vcpu_time.h"
#include "core/domain.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "vcpu.h"
#include "sched.h"

/* VCPUOP_initialise on a vCPU that already runs: Xen reads the whole context
 * first (-EFAULT if it cannot), then refuses with -EEXIST. */
static long initialise_existing(uint64_t arg)
{
    uint8_t chunk[256];

    for (uint64_t off = 0; off < sizeof(struct vcpu_guest_context); off += sizeof(chunk)) {
        uint64_t n = sizeof(struct vcpu_guest_context) - off;
        if (copy_from_guest(chunk, arg + off, n < sizeof(chunk) ? n : sizeof(chunk)) != 0)
            return -XEN_EFAULT;
    }
    return -XEN_EEXIST;
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
        return initialise_existing(arg);

    case VCPUOP_up:                             /* already up */
        return 0;

    case VCPUOP_down:
        /* With one vCPU per domain it is always the last one up, and as in
         * Xen the last vCPU going down powers the domain off. */
        domain_shutdown(d, SHUTDOWN_poweroff);
        return 0;

    case VCPUOP_is_up:
        return 1;

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
