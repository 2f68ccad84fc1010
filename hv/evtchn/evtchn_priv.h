/* Event channels inside hv/evtchn/: the pure core (evtchn_core.c) and what
 * it needs from its environment.
 *
 * The core holds the port table of each domain, applies the 2-level
 * pending/mask/selector rules to a domain's shared_info, and carries out
 * every EVTCHNOP on arguments that have already been copied from the guest.
 * It never reaches the rest of the hypervisor directly: the evtchn_env_*
 * functions below are implemented by evtchn.c in the hypervisor and faked by
 * tests/host/test_evtchn.c. Errors are negative Xen errno values (public
 * errno.h), chosen as Xen 4.17 chooses them; the order of the checks is
 * Xen's too, so that a call with several faults fails with the same error.
 *
 * Ports that exist. Xen creates its per-port structures in buckets of 64
 * (the first one with the domain) as ports are handed out, and treats a port
 * beyond the last bucket as invalid (-EINVAL) even below the 2-level limit
 * of 4096. Xenolith's table is complete from the start, but valid_ports
 * grows the same way, so that guests get the same answers for, say, the
 * status of a port never used.
 *
 * Port 0 is reserved at creation and never handed out; it reads as closed. */
#ifndef HV_EVTCHN_EVTCHN_PRIV_H
#define HV_EVTCHN_EVTCHN_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "xen.h"
#include "event_channel.h"
#include "evtchn/evtchn.h"

/* Hypervisor-internal sub-op: Xen continues a preempted EVTCHNOP_reset as
 * this one (its public header defines it for the hypervisor only). */
#define EVTCHNOP_reset_cont 14

#define EVTCHN_BUCKET    64     /* ports per Xen bucket: valid_ports grows by this */
#define EVTCHN_NR_PIRQS  256    /* pirqs at or above this are -EINVAL, below -EPERM */

enum evtchn_state {
    EVTCHN_FREE = 0,
    EVTCHN_RESERVED,            /* port 0 */
    EVTCHN_UNBOUND,             /* remote_dom may bind to it */
    EVTCHN_INTERDOMAIN,         /* connected to (remote_dom, remote_port) */
    EVTCHN_VIRQ,                /* virq, delivered to vcpu */
    EVTCHN_IPI,                 /* delivered to vcpu */
};

struct evtchn_port {
    uint8_t state;              /* enum evtchn_state */
    uint8_t virq;               /* EVTCHN_VIRQ */
    uint16_t vcpu;              /* the vCPU told when the port becomes pending */
    uint16_t remote_dom;        /* UNBOUND: who may bind; INTERDOMAIN: the peer */
    uint16_t remote_port;       /* INTERDOMAIN */
};

#define EVTCHN_TABLE_BYTES ((size_t)EVTCHN_MAX_PORTS * sizeof(struct evtchn_port))

/* ---- set-up and tear-down ---- */

/* Start a domain's event channels on `table` (EVTCHN_TABLE_BYTES, any
 * content): every port free but port 0, the first bucket valid. nr_vcpus
 * must be 1..EVTCHN_MAX_VCPUS. */
void evtchn_core_init(struct evtchn_domain *ed, struct evtchn_port *table, domid_t domid,
                      unsigned nr_vcpus);
/* The domain is dying: close every port (the peers of interdomain channels
 * become unbound, offered to it again) and allocate none from now on
 * (-EINVAL, Xen's answer for a dying domain). */
void evtchn_core_close_all(struct evtchn_domain *ed);

/* ---- the hypervisor's own uses ---- */

/* Make the port bound to virq on vCPU vcpu pending (a global VIRQ: the
 * domain's, wherever it notifies). 0, or -ENOENT if none is bound. */
int evtchn_core_raise_virq(struct evtchn_domain *ed, unsigned vcpu, unsigned virq);
/* -EINVAL: no such port; 1: bound and pending; 0: otherwise. */
int evtchn_core_poll(struct evtchn_domain *ed, uint32_t port);
/* Xen's split: VIRQs bound per vCPU, and global ones (vCPU 0, rebindable). */
bool evtchn_virq_is_global(unsigned virq);

/* ---- EVTCHNOP_*: self is the calling domain; out fields are filled on success ---- */

int evtchn_op_alloc_unbound(struct evtchn_domain *self, struct evtchn_alloc_unbound *op);
int evtchn_op_bind_interdomain(struct evtchn_domain *self, struct evtchn_bind_interdomain *op);
int evtchn_op_bind_virq(struct evtchn_domain *self, struct evtchn_bind_virq *op);
int evtchn_op_bind_pirq(struct evtchn_domain *self, struct evtchn_bind_pirq *op);
int evtchn_op_bind_ipi(struct evtchn_domain *self, struct evtchn_bind_ipi *op);
int evtchn_op_close(struct evtchn_domain *self, const struct evtchn_close *op);
int evtchn_op_send(struct evtchn_domain *self, const struct evtchn_send *op);
int evtchn_op_status(struct evtchn_domain *self, struct evtchn_status *op);
int evtchn_op_bind_vcpu(struct evtchn_domain *self, const struct evtchn_bind_vcpu *op);
int evtchn_op_unmask(struct evtchn_domain *self, const struct evtchn_unmask *op);
/* reset and reset_cont (resuming): -ERESTART when it stopped part-way to
 * let the caller continue it later as reset_cont. */
int evtchn_op_reset(struct evtchn_domain *self, const struct evtchn_reset *op, bool resuming);
int evtchn_op_init_control(struct evtchn_domain *self, struct evtchn_init_control *op);
int evtchn_op_expand_array(struct evtchn_domain *self, const struct evtchn_expand_array *op);
int evtchn_op_set_priority(struct evtchn_domain *self, const struct evtchn_set_priority *op);

/* ---- provided by the environment ---- */

/* The event channels of live domain id, or NULL (never called with DOMID_SELF). */
struct evtchn_domain *evtchn_env_lookup(domid_t id);
/* May this domain act on other domains' channels (Xen: the control domain)? */
bool evtchn_env_privileged(const struct evtchn_domain *ed);
/* Is the domain paused by its controller (Xen's condition for resetting another domain)? */
bool evtchn_env_controller_paused(const struct evtchn_domain *ed);
/* The domain's shared_info, NULL while it has none (the bits are then left alone). */
struct shared_info *evtchn_env_shared_info(struct evtchn_domain *ed);
/* The vcpu_info of vCPU vcpu (< nr_vcpus), NULL if there is none. */
struct vcpu_info *evtchn_env_vcpu_info(struct evtchn_domain *ed, unsigned vcpu);
/* evtchn_upcall_pending was just set on vCPU vcpu: tell it. */
void evtchn_env_notify(struct evtchn_domain *ed, unsigned vcpu);
/* port's pending bit just went from 0 to 1, masked or not (pollers). */
void evtchn_env_port_pending(struct evtchn_domain *ed, uint32_t port);
/* Has the current hypercall run long enough to stop and continue later? */
bool evtchn_env_preempt(void);

#endif
