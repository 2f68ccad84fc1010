/* Event channels: the 2-level ABI (shared_info bitmaps), per-domain port
 * table, and the event_channel_op hypercall.
 *
 * CONTRACT (the rest of the hypervisor relies on exactly this; the evtchn
 * subsystem owns everything else in hv/evtchn/):
 *   - struct evtchn_domain is embedded in struct domain (d->evtchn);
 *   - evtchn_domain_init() is called when a domain is created,
 *     evtchn_domain_destroy() when it is torn down (closing every port);
 *   - evtchn_send_virq(v, virq) raises a virtual IRQ bound on vCPU v
 *     (VIRQ_TIMER etc.): 0 if a port is bound and was made pending, -ENOENT
 *     otherwise;
 *   - evtchn_port_pending(d, port) for SCHEDOP_poll;
 *   - making a port pending follows the 2-level rules and, when the vCPU must
 *     be told, calls vcpu_events_pending(v) (provided by hv/core/domain.c:
 *     sets nothing in shared_info, only wakes the vCPU if blocked). */
#ifndef HV_EVTCHN_EVTCHN_H
#define HV_EVTCHN_EVTCHN_H

#include <stdint.h>
#include <stdbool.h>

struct domain;
struct vcpu;

#define EVTCHN_MAX_PORTS 4096          /* 2-level ABI, 64-bit guest */

struct evtchn_port;                     /* defined in evtchn_priv.h */

struct evtchn_domain {
    struct evtchn_port *ports;          /* EVTCHN_MAX_PORTS entries, allocated at init */
    uint64_t ports_mfn, ports_frames;   /* the hypervisor frames holding them */
};

int evtchn_domain_init(struct domain *d);          /* 0 or -ENOMEM */
void evtchn_domain_destroy(struct domain *d);
int evtchn_send_virq(struct vcpu *v, unsigned virq);
bool evtchn_port_pending(struct domain *d, uint32_t port);

/* Provided by hv/core/domain.c. */
void vcpu_events_pending(struct vcpu *v);

#endif
