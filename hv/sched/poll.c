/* SCHEDOP_poll: sleep until one of a set of event-channel ports is pending
 * (masked or not), or until an optional deadline. */
#include "core/hypercall.h"
#include "core/domain.h"
#include "core/time.h"
#include "arch/x86_64/guest_access.h"
#include "errno.h"
#include "sched.h"
#include "vcpu.h"

#define MAX_POLL_PORTS 128

static void poll_timed_out(void *data)
{
    vcpu_wake(data);
}

long sched_poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    uint32_t port;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.nr_ports > MAX_POLL_PORTS)
        return -XEN_EINVAL;
    for (unsigned i = 0; i < p.nr_ports; i++) {
        int pending;
        if (copy_from_guest(&port, (uint64_t)p.ports + i * sizeof(port), sizeof(port)))
            return -XEN_EFAULT;
        if ((pending = evtchn_port_poll(v->domain, port)) < 0)
            return pending;
        if (pending)
            return 0;
        v->poll_ports[i] = port;
    }
    if (p.timeout && p.timeout <= time_now_ns())
        return 0;
    v->nr_poll_ports = p.nr_ports;
    v->polling = true;
    v->domain->nr_polling++;
    vcpu_sleep(v);
    if (p.timeout) {
        timer_init(&v->poll_timeout, poll_timed_out, v);
        timer_set(&v->poll_timeout, p.timeout);
    }
    return 0;
}

void evtchn_poll_notify(struct domain *d, uint32_t port)
{
    for (unsigned i = 0; i < d->nr_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!v->polling)
            continue;
        for (unsigned k = 0; k < v->nr_poll_ports; k++)
            if (v->poll_ports[k] == port) {
                timer_stop(&v->poll_timeout);
                vcpu_wake(v);
                break;
            }
    }
}
