/* Event channels: the 2-level ABI (shared_info bitmaps) and the FIFO ABI
 * (per-vCPU queues in guest frames), per-domain port table, and the
 * event_channel_op hypercall.
 *
 * CONTRACT (the rest of the hypervisor relies on exactly this; the evtchn
 * subsystem owns everything else in hv/evtchn/):
 *   - struct evtchn_domain is embedded in struct domain (d->evtchn);
 *   - evtchn_domain_init() is called when a domain is created, once
 *     d->nr_vcpus (1..EVTCHN_MAX_VCPUS, fixed for the domain's life) is
 *     set; it fails with -ENOMEM, holding nothing, when a hypervisor frame
 *     cannot be had. evtchn_domain_destroy() is called when the domain is
 *     torn down (closing every port, freeing the port table and the per-vCPU
 *     state, and dropping the references held on the guest frames of the
 *     FIFO ABI);
 *   - every vCPU id below d->nr_vcpus is a vCPU event channels may name
 *     (bind_virq, bind_ipi, bind_vcpu, init_control), online or not, as on
 *     Xen, where all of a domain's vCPUs exist from its creation; the
 *     environment (evtchn.c) reaches vCPU n as d->vcpus[n];
 *   - evtchn_send_virq(v, virq) raises a virtual IRQ bound on vCPU v
 *     (VIRQ_TIMER etc.): 0 if a port is bound and was made pending, -ENOENT
 *     otherwise;
 *   - evtchn_port_poll(d, port) for SCHEDOP_poll (below);
 *   - making a port pending follows the ABI in use (2-level or FIFO) and,
 *     when the vCPU must be told, calls vcpu_events_pending(v) (provided by
 *     hv/core/domain.c: sets nothing in shared_info, only wakes the vCPU if
 *     blocked). */
#ifndef HV_EVTCHN_EVTCHN_H
#define HV_EVTCHN_EVTCHN_H

#include <stdint.h>
#include <stdbool.h>

struct domain;
struct vcpu;

#define EVTCHN_MAX_PORTS 4096          /* 2-level ABI, 64-bit guest */
#define EVTCHN_FIFO_MAX_PORTS 131072    /* FIFO ABI: EVTCHN_FIFO_NR_CHANNELS */
#define EVTCHN_MAX_VCPUS 128            /* vCPUs per domain event channels can serve */
#define EVTCHN_NR_VIRQS 24              /* NR_VIRQS of public xen.h (checked in evtchn_core.c) */
#define EVTCHN_VCPU_VIRQS 4             /* VIRQs bound per vCPU: TIMER, DEBUG, XENOPROF, XENPMU */

struct evtchn_table_frame;              /* defined in evtchn_priv.h */
struct evtchn_fifo;                     /* defined in evtchn_fifo.c */

struct evtchn_domain {
    /* The port table grows a hypervisor frame (256 ports) at a time as
     * ports are handed out: table0 holds ports 0..255 from creation (NULL
     * before evtchn_domain_init and after evtchn_domain_destroy), table_dir
     * (a frame of pointers, allocated with the second frame) all of them. */
    struct evtchn_table_frame *table0;
    /* Private to hv/evtchn/ from here on. */
    struct evtchn_table_frame **table_dir;
    struct evtchn_fifo *fifo;           /* FIFO ABI state, NULL under the 2-level ABI */
    struct domain *owner;               /* the domain this is embedded in (NULL in host tests) */
    uint16_t domid;
    uint16_t nr_vcpus;
    uint32_t valid_ports;               /* ports below this exist (see evtchn_priv.h) */
    uint32_t table_frames;              /* frames of the table (256 ports each) */
    uint32_t reset_next;                /* EVTCHNOP_reset under way: the next port; 0: none */
    uint32_t free_hint;                 /* no port below it is EVTCHN_FREE */
    bool dying;                         /* every port closed for good: none can be allocated */
    /* The port each VIRQ is bound to, 0 if none (read through
     * evtchn_virq_slot). vCPU 0's row holds every VIRQ: the global ones
     * (bound on vCPU 0 only, wherever their port notifies) and its own
     * per-vCPU ones. The other vCPUs can only bind the EVTCHN_VCPU_VIRQS
     * per-vCPU VIRQs, so their rows are that short, in one hypervisor frame
     * allocated with the domain when it has more than one vCPU (NULL
     * otherwise): memory in proportion to the vCPUs, and a 1-vCPU domain
     * pays no frame for it. */
    uint32_t virq_port0[EVTCHN_NR_VIRQS];
    uint32_t (*virq_rows)[EVTCHN_VCPU_VIRQS];   /* vCPU n's row is virq_rows[n - 1] */
};

int evtchn_domain_init(struct domain *d);          /* 0 or -ENOMEM */
void evtchn_domain_destroy(struct domain *d);
int evtchn_send_virq(struct vcpu *v, unsigned virq);
/* Log d's bound ports (the debug key 'e', hv/core/keyhandler.c). */
void evtchn_dump(struct domain *d);

/* Provided by hv/core/domain.c. */
void vcpu_events_pending(struct vcpu *v);

/* ---- beyond the contract ---- */

/* SCHEDOP_poll's per-port answer, as Xen gives it: -EINVAL for a port that
 * does not exist (yet) or is not bound, 1 if it is pending, 0 otherwise. */
int evtchn_port_poll(struct domain *d, uint32_t port);
/* Is port bound to another domain's port (interdomain)? A racy read, for
 * decisions that need no lock (console_io of a domU with a back end). */
bool evtchn_port_connected(struct domain *d, uint32_t port);

/* A port of d, unbound, offered to domain remote (the builder's console and
 * xenstore ports): the port number, or a negative error. */
int evtchn_alloc_unbound_port(struct domain *d, uint16_t remote);

/* Called whenever a port of d goes from not pending to pending, masked or
 * not (Xen wakes SCHEDOP_poll waiters then, since polled ports are usually
 * masked). Defined by SCHEDOP_poll (hv/sched/poll.c): it wakes d's vCPUs
 * polling that port. */
void evtchn_poll_notify(struct domain *d, uint32_t port);

#endif
