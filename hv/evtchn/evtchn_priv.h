/* Event channels inside hv/evtchn/: the pure core (evtchn_core.c for the
 * ports and the 2-level ABI, evtchn_fifo.c for the FIFO ABI) and what it
 * needs from its environment.
 *
 * The core holds the port table of each domain, applies the pending/mask
 * rules of the ABI the domain uses (the 2-level bits in shared_info, or the
 * FIFO event words and queues in guest frames), and carries out every
 * EVTCHNOP on arguments that have already been copied from the guest. It
 * never reaches the rest of the hypervisor directly: the evtchn_env_*
 * functions below are implemented by evtchn.c in the hypervisor and faked by
 * the host tests (tests/host/test_evtchn*.c). Errors are negative Xen errno
 * values (public errno.h), chosen as Xen 4.17 chooses them; the order of the
 * checks is Xen's too, so that a call with several faults fails with the
 * same error.
 *
 * Ports that exist. Xen creates its per-port structures in buckets of 64
 * (the first one with the domain) as ports are handed out, and treats a port
 * beyond the last bucket as invalid (-EINVAL) even below the ABI's limit
 * (4096 ports for 2-level, 2^17 for FIFO). Xenolith's table grows by
 * hypervisor frames of 256 ports (EVTCHN_FRAME_PORTS), allocated when
 * valid_ports first reaches into them, and valid_ports grows by Xen's 64, so
 * that guests get the same answers for, say, the status of a port never
 * used. A frame that cannot be had fails the allocation with -ENOMEM, as a
 * bucket Xen cannot allocate does. The frames stay until the domain is
 * destroyed (EVTCHNOP_reset keeps them, as Xen keeps its buckets).
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
#define EVTCHN_FRAME_PORTS 256  /* ports per frame of the table */
#define EVTCHN_DIR_ENTRIES (EVTCHN_FIFO_MAX_PORTS / EVTCHN_FRAME_PORTS)

enum evtchn_state {
    EVTCHN_FREE = 0,
    EVTCHN_RESERVED,            /* port 0 */
    EVTCHN_UNBOUND,             /* remote_dom may bind to it */
    EVTCHN_INTERDOMAIN,         /* connected to (remote_dom, remote_port) */
    EVTCHN_VIRQ,                /* virq, delivered to vcpu */
    EVTCHN_IPI,                 /* delivered to vcpu */
};

/* What a port is bound to: set when it is bound, reset when it is closed. */
struct evtchn_port {
    uint8_t state;              /* enum evtchn_state */
    uint8_t virq;               /* EVTCHN_VIRQ */
    uint16_t vcpu;              /* the vCPU told when the port becomes pending */
    uint16_t remote_dom;        /* UNBOUND: who may bind; INTERDOMAIN: the peer */
    uint16_t _pad;
    uint32_t remote_port;       /* INTERDOMAIN */
};

/* FIFO state of a port, kept apart because it outlives bindings, as Xen's
 * does: a closed port keeps the queue it was last linked on (so that the
 * queue's tail can be told apart later) and its "raised while it had no
 * event word" mark. */
struct evtchn_fifo_port {
    uint8_t priority;           /* EVTCHN_FIFO_PRIORITY_*; the default on every binding under FIFO */
    uint8_t last_priority;      /* the queue (vCPU, priority) it was last linked on */
    uint8_t last_vcpu;
    uint8_t raised;             /* made pending while its event word did not exist (never cleared, as on Xen) */
};

/* One frame of the port table. */
struct evtchn_table_frame {
    struct evtchn_port port[EVTCHN_FRAME_PORTS];
    struct evtchn_fifo_port fifo[EVTCHN_FRAME_PORTS];
};

#define EVTCHN_TABLE_BYTES sizeof(struct evtchn_table_frame)   /* the first frame, given to evtchn_core_init */

/* The entries of a port below valid_ports. */
static inline struct evtchn_table_frame *evtchn_frame_of(const struct evtchn_domain *ed, uint32_t port)
{
    return port < EVTCHN_FRAME_PORTS ? ed->table0 : ed->table_dir[port / EVTCHN_FRAME_PORTS];
}
static inline struct evtchn_port *evtchn_port_of(const struct evtchn_domain *ed, uint32_t port)
{
    return &evtchn_frame_of(ed, port)->port[port % EVTCHN_FRAME_PORTS];
}
static inline struct evtchn_fifo_port *evtchn_fifo_port_of(const struct evtchn_domain *ed, uint32_t port)
{
    return &evtchn_frame_of(ed, port)->fifo[port % EVTCHN_FRAME_PORTS];
}

/* ---- set-up and tear-down ---- */

/* Start a domain's event channels under the 2-level ABI, on table0 (one
 * frame: EVTCHN_TABLE_BYTES, any content): every port free but port 0, the
 * first bucket valid, no VIRQ bound. nr_vcpus must be 1..EVTCHN_MAX_VCPUS;
 * with more than one, the VIRQ rows of vCPUs 1.. take a frame. 0, or
 * -ENOMEM when that frame cannot be had: then nothing is held (table0 stays
 * the caller's to free) and ed must not be used. */
int evtchn_core_init(struct evtchn_domain *ed, void *table0, domid_t domid, unsigned nr_vcpus);
/* The domain is dying: close every port (the peers of interdomain channels
 * become unbound, offered to it again) and allocate none from now on
 * (-EINVAL, Xen's answer for a dying domain). */
void evtchn_core_close_all(struct evtchn_domain *ed);
/* After evtchn_core_close_all: leave the FIFO ABI (dropping the guest
 * frames), free the VIRQ rows' frame and the table's frames but table0,
 * which is the caller's. */
void evtchn_core_release(struct evtchn_domain *ed);

/* ---- the hypervisor's own uses ---- */

/* Make the port bound to virq on vCPU vcpu pending (a global VIRQ: the
 * domain's, wherever it notifies). 0, or -ENOENT if none is bound. */
int evtchn_core_raise_virq(struct evtchn_domain *ed, unsigned vcpu, unsigned virq);
/* -EINVAL: no such port, or a free or reserved one; 1: pending; 0: not pending. */
int evtchn_core_poll(struct evtchn_domain *ed, uint32_t port);
/* Xen's split: VIRQs bound per vCPU, and global ones (vCPU 0, rebindable). */
bool evtchn_virq_is_global(unsigned virq);

/* The place of a per-vCPU VIRQ in a row of virq_rows (0..EVTCHN_VCPU_VIRQS-1),
 * or -1 for a global VIRQ. */
static inline int evtchn_vcpu_virq_index(unsigned virq)
{
    switch (virq) {
    case VIRQ_TIMER:    return 0;
    case VIRQ_DEBUG:    return 1;
    case VIRQ_XENOPROF: return 2;
    case VIRQ_XENPMU:   return 3;
    default:            return -1;
    }
}

/* Where the port of virq (< NR_VIRQS) bound on vcpu (< nr_vcpus) is kept:
 * a global VIRQ's in vCPU 0's row whatever vcpu says (it can only be bound
 * there). */
static inline uint32_t *evtchn_virq_slot(struct evtchn_domain *ed, unsigned vcpu, unsigned virq)
{
    int i = evtchn_vcpu_virq_index(virq);

    if (i < 0 || vcpu == 0)
        return &ed->virq_port0[virq];
    return &ed->virq_rows[vcpu - 1][i];
}

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

/* ---- the FIFO ABI, for evtchn_core.c (evtchn_fifo.c) ---- */

/* The FIFO counterparts of the 2-level rules, for a domain with ed->fifo. */
void evtchn_fifo_set_pending(struct evtchn_domain *ed, unsigned vcpu, uint32_t port);
void evtchn_fifo_clear_pending(struct evtchn_domain *ed, uint32_t port);
void evtchn_fifo_unmask(struct evtchn_domain *ed, uint32_t port);
bool evtchn_fifo_is_pending(const struct evtchn_domain *ed, uint32_t port);
/* A free port still LINKED in its event word is not handed out (Xen's "busy"). */
bool evtchn_fifo_is_busy(const struct evtchn_domain *ed, uint32_t port);
/* A port was just bound: the default priority. */
void evtchn_fifo_port_bound(struct evtchn_domain *ed, uint32_t port);
/* Back to the 2-level ABI: the guest frames are let go, the state freed. */
void evtchn_fifo_destroy(struct evtchn_domain *ed);

/* ---- the port table, for evtchn_fifo.c ---- */

/* Bound to something the guest may use (not free, not the reserved port 0). */
static inline bool evtchn_port_in_use(const struct evtchn_port *p)
{
    return p->state > EVTCHN_RESERVED;
}

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
/* A zeroed hypervisor frame (port table, FIFO state), NULL when there is
 * none; and giving one back. */
void *evtchn_env_frame_alloc(void);
void evtchn_env_frame_free(void *frame);
/* Frame gfn of the domain, for the hypervisor to write into: taken with a
 * general and a WRITABLE type reference, so that it stays the domain's and
 * cannot become a page table meanwhile (a PV guest names machine frames).
 * 0 and *va (the frame, page-aligned), or -EINVAL when the domain cannot
 * have it writable, or -ERESTART when a release must finish first (ask
 * again). */
int evtchn_env_guest_frame_get(struct evtchn_domain *ed, uint64_t gfn, void **va);
/* Drop the two references taken for va. */
void evtchn_env_guest_frame_put(struct evtchn_domain *ed, void *va);

#endif
