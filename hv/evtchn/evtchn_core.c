/* Event channels, the pure core: see evtchn_priv.h. */
#include "evtchn/evtchn_priv.h"
#include "errno.h"

_Static_assert(EVTCHN_NR_VIRQS == NR_VIRQS, "the VIRQ table of evtchn.h has the wrong width");
_Static_assert(EVTCHN_MAX_PORTS == EVTCHN_2L_NR_CHANNELS, "a 2-level port limit that is not the ABI's");
_Static_assert(EVTCHN_FIFO_MAX_PORTS == EVTCHN_FIFO_NR_CHANNELS, "a FIFO port limit that is not the ABI's");
_Static_assert(EVTCHN_MAX_PORTS % EVTCHN_FRAME_PORTS == 0 && EVTCHN_FRAME_PORTS % EVTCHN_BUCKET == 0 &&
               EVTCHN_FIFO_MAX_PORTS % EVTCHN_FRAME_PORTS == 0, "whole buckets in whole frames");
_Static_assert(sizeof(struct evtchn_table_frame) <= 4096, "a table frame is one page");
_Static_assert(EVTCHN_DIR_ENTRIES * sizeof(struct evtchn_table_frame *) <= 4096, "the directory is one page");

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

/* ---- atomic bit operations on words the guest writes concurrently ---- */

static bool bit_test(xen_ulong_t *w, unsigned bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

/* Set the bit; was it set before? */
static bool bit_test_set(xen_ulong_t *w, unsigned bit)
{
    xen_ulong_t m = (xen_ulong_t)1 << bit;

    return (__atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m) != 0;
}

/* Clear the bit; was it set before? */
static bool bit_test_clear(xen_ulong_t *w, unsigned bit)
{
    xen_ulong_t m = (xen_ulong_t)1 << bit;

    return (__atomic_fetch_and(w, ~m, __ATOMIC_SEQ_CST) & m) != 0;
}

/* ---- the port table ---- */

_Static_assert((EVTCHN_MAX_VCPUS - 1) * sizeof(uint32_t[EVTCHN_VCPU_VIRQS]) <= 4096,
               "the VIRQ rows of vCPUs 1.. fit one frame");

bool evtchn_virq_is_global(unsigned virq)
{
    /* Timer, debug and the two profiling VIRQs are per vCPU; every other
     * one, the x86 architectural ones included, is global. */
    return evtchn_vcpu_virq_index(virq) < 0;
}

static bool port_valid(const struct evtchn_domain *ed, uint32_t port)
{
    return port < ed->valid_ports;
}

static bool vcpu_valid(const struct evtchn_domain *ed, uint32_t vcpu)
{
    return vcpu < ed->nr_vcpus;
}

/* The domain with this id, as seen from ed (which may be shutting down and
 * so no longer found by a lookup). */
static struct evtchn_domain *domain_by_id(struct evtchn_domain *ed, domid_t id)
{
    return id == ed->domid ? ed : evtchn_env_lookup(id);
}

/* Xen's "any id": DOMID_SELF names the caller. */
static struct evtchn_domain *domain_by_any_id(struct evtchn_domain *self, domid_t id)
{
    return id == DOMID_SELF ? self : domain_by_id(self, id);
}

/* May self act on target's channels? (Xen: the domain itself or its controller.) */
static bool may_control(const struct evtchn_domain *self, const struct evtchn_domain *target)
{
    return self == target || evtchn_env_privileged(self);
}

/* Frames for the table up to `ports` ports: false when one cannot be had. */
static bool table_grow(struct evtchn_domain *ed, uint32_t ports)
{
    uint32_t need = (ports + EVTCHN_FRAME_PORTS - 1) / EVTCHN_FRAME_PORTS;

    while (ed->table_frames < need) {
        struct evtchn_table_frame *f;

        if (!ed->table_dir) {
            if (!(ed->table_dir = evtchn_env_frame_alloc()))
                return false;
            ed->table_dir[0] = ed->table0;
        }
        if (!(f = evtchn_env_frame_alloc()))
            return false;
        ed->table_dir[ed->table_frames++] = f;
    }
    return true;
}

/* The lowest free port, as Xen finds it: ports past the ABI's limit give
 * -ENOSPC; a port past valid_ports makes the next bucket valid (-ENOMEM if
 * its frame cannot be had) and is taken at once; a free port still linked in
 * a FIFO queue is passed over. No port below free_hint is free, so the
 * search starts there (closing a port lowers it). A dying domain gets none
 * (-EINVAL). */
static int port_alloc(struct evtchn_domain *ed)
{
    uint32_t limit = ed->fifo ? EVTCHN_FIFO_MAX_PORTS : EVTCHN_MAX_PORTS;
    bool hint_set = false;

    if (ed->dying)
        return -XEN_EINVAL;             /* Xen's answer for a dying domain */

    for (uint32_t port = ed->free_hint; port < limit; port++) {
        if (port >= ed->valid_ports) {
            if (!table_grow(ed, ed->valid_ports + EVTCHN_BUCKET))
                return -XEN_ENOMEM;
            ed->valid_ports += EVTCHN_BUCKET;
            if (!hint_set)
                ed->free_hint = port;
            return (int)port;
        }
        if (evtchn_port_of(ed, port)->state != EVTCHN_FREE)
            continue;
        if (!hint_set) {
            ed->free_hint = port;
            hint_set = true;
        }
        if (!ed->fifo || !evtchn_fifo_is_busy(ed, port))
            return (int)port;
    }
    return -XEN_ENOSPC;
}

/* A port has just been bound: under FIFO it starts at the default priority. */
static void port_bound(struct evtchn_domain *ed, uint32_t port)
{
    if (ed->fifo)
        evtchn_fifo_port_bound(ed, port);
}

/* ---- the 2-level rules (the FIFO ABI's in evtchn_fifo.c) ---- */

/* Port becomes pending, vCPU vcpu is the one to tell. The order is the one
 * the guest relies on: pending bit, then (unless masked) selector bit, then
 * the upcall flag. Each step stops when its bit was already set, since
 * whoever set it has done or will do the rest. */
static void port_2l_set_pending(struct evtchn_domain *ed, unsigned vcpu, uint32_t port)
{
    struct shared_info *s = evtchn_env_shared_info(ed);
    unsigned word = port / WORD_BITS, bit = port % WORD_BITS;
    struct vcpu_info *vi;

    /* port < EVTCHN_MAX_PORTS: only bound ports become pending, and under
     * 2-level none is bound beyond (EVTCHNOP_reset leaves FIFO only once
     * every port is closed). */
    if (!s || bit_test_set(&s->evtchn_pending[word], bit))
        return;
    if (!bit_test(&s->evtchn_mask[word], bit)) {
        vi = evtchn_env_vcpu_info(ed, vcpu);
        if (vi && !bit_test_set(&vi->evtchn_pending_sel, word)) {
            __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
            evtchn_env_notify(ed, vcpu);
        }
    }
    evtchn_env_port_pending(ed, port);
}

/* The ABI's rules for a port becoming pending (inline: the FIFO path goes
 * straight to its own). */
static inline void port_set_pending(struct evtchn_domain *ed, unsigned vcpu, uint32_t port)
{
    if (ed->fifo)
        evtchn_fifo_set_pending(ed, vcpu, port);
    else
        port_2l_set_pending(ed, vcpu, port);
}

static void port_clear_pending(struct evtchn_domain *ed, uint32_t port)
{
    struct shared_info *s;

    if (ed->fifo) {
        evtchn_fifo_clear_pending(ed, port);
        return;
    }
    s = evtchn_env_shared_info(ed);
    if (s && port < EVTCHN_MAX_PORTS)
        bit_test_clear(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS);
}

/* Clear the mask bit; a port that was masked while pending now goes through
 * the selector and upcall steps it skipped. */
static void port_unmask(struct evtchn_domain *ed, uint32_t port)
{
    struct shared_info *s;
    unsigned word = port / WORD_BITS, bit = port % WORD_BITS;
    unsigned vcpu = evtchn_port_of(ed, port)->vcpu;
    struct vcpu_info *vi;

    if (ed->fifo) {
        evtchn_fifo_unmask(ed, port);
        return;
    }
    s = evtchn_env_shared_info(ed);
    if (!s || port >= EVTCHN_MAX_PORTS || !bit_test_clear(&s->evtchn_mask[word], bit) || !bit_test(&s->evtchn_pending[word], bit))
        return;
    vi = evtchn_env_vcpu_info(ed, vcpu);
    if (vi && !bit_test_set(&vi->evtchn_pending_sel, word)) {
        __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
        evtchn_env_notify(ed, vcpu);
    }
}

static bool port_is_pending(struct evtchn_domain *ed, uint32_t port)
{
    struct shared_info *s;

    if (ed->fifo)
        return evtchn_fifo_is_pending(ed, port);
    s = evtchn_env_shared_info(ed);
    return s && port < EVTCHN_MAX_PORTS && bit_test(&s->evtchn_pending[port / WORD_BITS], port % WORD_BITS);
}

/* ---- set-up, tear-down, closing ---- */

int evtchn_core_init(struct evtchn_domain *ed, void *table0, domid_t domid, unsigned nr_vcpus)
{
    struct evtchn_table_frame *t = table0;

    /* The only allocation comes first, so that failing leaves nothing. */
    ed->virq_rows = 0;
    if (nr_vcpus > 1 && !(ed->virq_rows = evtchn_env_frame_alloc()))
        return -XEN_ENOMEM;
    for (unsigned v = 1; v < nr_vcpus; v++)
        for (unsigned i = 0; i < EVTCHN_VCPU_VIRQS; i++)
            ed->virq_rows[v - 1][i] = 0;
    for (unsigned virq = 0; virq < EVTCHN_NR_VIRQS; virq++)
        ed->virq_port0[virq] = 0;

    for (uint32_t port = 0; port < EVTCHN_FRAME_PORTS; port++) {
        t->port[port] = (struct evtchn_port){ .state = EVTCHN_FREE };
        t->fifo[port] = (struct evtchn_fifo_port){ 0 };
    }
    t->port[0].state = EVTCHN_RESERVED;
    ed->table0 = t;
    ed->table_dir = 0;
    ed->table_frames = 1;
    ed->fifo = 0;
    ed->domid = domid;
    ed->nr_vcpus = (uint16_t)nr_vcpus;
    ed->valid_ports = EVTCHN_BUCKET;
    ed->reset_next = 0;
    ed->free_hint = 1;
    ed->dying = false;
    return 0;
}

/* Close a port of ed: whatever it was bound to lets go of it, the peer of
 * an interdomain channel is left unbound (waiting for ed again), and the
 * port's pending bit is cleared so that a later binding starts clean. The
 * mask bit belongs to the guest and stays. */
static int port_close(struct evtchn_domain *ed, uint32_t port)
{
    struct evtchn_port *p;
    struct evtchn_domain *peer;

    if (!port_valid(ed, port))
        return -XEN_EINVAL;
    p = evtchn_port_of(ed, port);
    switch (p->state) {
    case EVTCHN_UNBOUND:
    case EVTCHN_IPI:
        break;
    case EVTCHN_VIRQ:
        /* A per-vCPU VIRQ's port never moves off its vCPU (bind_vcpu). */
        *evtchn_virq_slot(ed, p->vcpu, p->virq) = 0;
        break;
    case EVTCHN_INTERDOMAIN:
        peer = domain_by_id(ed, p->remote_dom);
        if (peer) {
            struct evtchn_port *q = evtchn_port_of(peer, p->remote_port);
            q->state = EVTCHN_UNBOUND;
            q->remote_dom = ed->domid;
            q->remote_port = 0;
        }
        break;
    default:                    /* free or reserved */
        return -XEN_EINVAL;
    }
    port_clear_pending(ed, port);
    *p = (struct evtchn_port){ .state = EVTCHN_FREE };
    if (port < ed->free_hint)
        ed->free_hint = port;
    return 0;
}

void evtchn_core_close_all(struct evtchn_domain *ed)
{
    for (uint32_t port = ed->valid_ports; port-- > 1;)
        (void)port_close(ed, port);
    ed->reset_next = 0;
    ed->dying = true;
}

void evtchn_core_release(struct evtchn_domain *ed)
{
    if (ed->fifo)
        evtchn_fifo_destroy(ed);
    if (ed->table_dir) {
        for (uint32_t i = 1; i < ed->table_frames; i++)
            evtchn_env_frame_free(ed->table_dir[i]);
        evtchn_env_frame_free(ed->table_dir);
    }
    ed->table_dir = 0;
    ed->table_frames = 1;
    if (ed->virq_rows)
        evtchn_env_frame_free(ed->virq_rows);
    ed->virq_rows = 0;
}

/* ---- the hypervisor's own uses ---- */

int evtchn_core_raise_virq(struct evtchn_domain *ed, unsigned vcpu, unsigned virq)
{
    uint32_t port;

    if (virq >= NR_VIRQS || !vcpu_valid(ed, vcpu))
        return -XEN_ENOENT;
    port = *evtchn_virq_slot(ed, vcpu, virq);
    if (!port)
        return -XEN_ENOENT;
    port_set_pending(ed, evtchn_port_of(ed, port)->vcpu, port);
    return 0;
}

int evtchn_core_poll(struct evtchn_domain *ed, uint32_t port)
{
    /* A port that exists but is free or reserved is refused as well. */
    if (!port_valid(ed, port) || !evtchn_port_in_use(evtchn_port_of(ed, port)))
        return -XEN_EINVAL;
    return port_is_pending(ed, port);
}

/* ---- EVTCHNOP_* ---- */

int evtchn_op_alloc_unbound(struct evtchn_domain *self, struct evtchn_alloc_unbound *op)
{
    struct evtchn_domain *d = domain_by_any_id(self, op->dom);
    int port;

    if (!d)
        return -XEN_ESRCH;
    if ((port = port_alloc(d)) < 0)
        return port;
    if (!may_control(self, d))
        return -XEN_EPERM;
    *evtchn_port_of(d, (uint32_t)port) = (struct evtchn_port){
        .state = EVTCHN_UNBOUND,
        .remote_dom = op->remote_dom == DOMID_SELF ? self->domid : op->remote_dom,
    };
    port_bound(d, (uint32_t)port);
    op->port = (evtchn_port_t)port;
    return 0;
}

int evtchn_op_bind_interdomain(struct evtchn_domain *self, struct evtchn_bind_interdomain *op)
{
    struct evtchn_domain *rd = domain_by_any_id(self, op->remote_dom);
    struct evtchn_port *rp;
    int lport;

    if (!rd)
        return -XEN_ESRCH;
    if ((lport = port_alloc(self)) < 0)
        return lport;
    if (!port_valid(rd, op->remote_port))
        return -XEN_EINVAL;
    rp = evtchn_port_of(rd, op->remote_port);
    if (rp->state != EVTCHN_UNBOUND || rp->remote_dom != self->domid)
        return -XEN_EINVAL;
    *evtchn_port_of(self, (uint32_t)lport) = (struct evtchn_port){
        .state = EVTCHN_INTERDOMAIN,
        .remote_dom = rd->domid,
        .remote_port = op->remote_port,
    };
    port_bound(self, (uint32_t)lport);
    rp->state = EVTCHN_INTERDOMAIN;
    rp->remote_dom = self->domid;
    rp->remote_port = (uint32_t)lport;
    /* Whatever was sent to the remote port while it was unbound went
     * nowhere: the new local end starts pending, as on Xen. */
    port_set_pending(self, evtchn_port_of(self, (uint32_t)lport)->vcpu, (uint32_t)lport);
    op->local_port = (evtchn_port_t)lport;
    return 0;
}

int evtchn_op_bind_virq(struct evtchn_domain *self, struct evtchn_bind_virq *op)
{
    int port;

    if (op->virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (evtchn_virq_is_global(op->virq) && op->vcpu != 0)
        return -XEN_EINVAL;
    if (!vcpu_valid(self, op->vcpu))
        return -XEN_ENOENT;
    if (*evtchn_virq_slot(self, op->vcpu, op->virq))
        return -XEN_EEXIST;
    if ((port = port_alloc(self)) < 0)
        return port;
    *evtchn_port_of(self, (uint32_t)port) = (struct evtchn_port){
        .state = EVTCHN_VIRQ,
        .virq = (uint8_t)op->virq,
        .vcpu = (uint16_t)op->vcpu,
    };
    port_bound(self, (uint32_t)port);
    *evtchn_virq_slot(self, op->vcpu, op->virq) = (uint32_t)port;
    op->port = (evtchn_port_t)port;
    return 0;
}

int evtchn_op_bind_pirq(struct evtchn_domain *self, struct evtchn_bind_pirq *op)
{
    (void)self;
    /* No physical IRQ is ever mapped to a Xenolith domain, and Xen refuses
     * to bind a pirq the domain has no access to. */
    return op->pirq >= EVTCHN_NR_PIRQS ? -XEN_EINVAL : -XEN_EPERM;
}

int evtchn_op_bind_ipi(struct evtchn_domain *self, struct evtchn_bind_ipi *op)
{
    int port;

    if (!vcpu_valid(self, op->vcpu))
        return -XEN_ENOENT;
    if ((port = port_alloc(self)) < 0)
        return port;
    *evtchn_port_of(self, (uint32_t)port) = (struct evtchn_port){ .state = EVTCHN_IPI, .vcpu = (uint16_t)op->vcpu };
    port_bound(self, (uint32_t)port);
    op->port = (evtchn_port_t)port;
    return 0;
}

int evtchn_op_close(struct evtchn_domain *self, const struct evtchn_close *op)
{
    return port_close(self, op->port);
}

int evtchn_op_send(struct evtchn_domain *self, const struct evtchn_send *op)
{
    struct evtchn_port *p;
    struct evtchn_domain *rd;

    if (!port_valid(self, op->port))
        return -XEN_EINVAL;
    p = evtchn_port_of(self, op->port);
    switch (p->state) {
    case EVTCHN_INTERDOMAIN:
        rd = domain_by_id(self, p->remote_dom);
        if (rd)
            port_set_pending(rd, evtchn_port_of(rd, p->remote_port)->vcpu, p->remote_port);
        return 0;
    case EVTCHN_IPI:
        port_set_pending(self, p->vcpu, op->port);
        return 0;
    case EVTCHN_UNBOUND:
        return 0;               /* nobody to tell yet: dropped, as on Xen */
    default:                    /* free, reserved, VIRQ */
        return -XEN_EINVAL;
    }
}

int evtchn_op_status(struct evtchn_domain *self, struct evtchn_status *op)
{
    struct evtchn_domain *d = domain_by_any_id(self, op->dom);
    const struct evtchn_port *p;

    if (!d)
        return -XEN_ESRCH;
    if (!port_valid(d, op->port))
        return -XEN_EINVAL;
    if (!may_control(self, d))
        return -XEN_EPERM;
    p = evtchn_port_of(d, op->port);
    switch (p->state) {
    case EVTCHN_UNBOUND:
        op->status = EVTCHNSTAT_unbound;
        op->u.unbound.dom = p->remote_dom;
        break;
    case EVTCHN_INTERDOMAIN:
        op->status = EVTCHNSTAT_interdomain;
        op->u.interdomain.dom = p->remote_dom;
        op->u.interdomain.port = p->remote_port;
        break;
    case EVTCHN_VIRQ:
        op->status = EVTCHNSTAT_virq;
        op->u.virq = p->virq;
        break;
    case EVTCHN_IPI:
        op->status = EVTCHNSTAT_ipi;
        break;
    default:
        op->status = EVTCHNSTAT_closed;
        break;
    }
    op->vcpu = p->vcpu;
    return 0;
}

int evtchn_op_bind_vcpu(struct evtchn_domain *self, const struct evtchn_bind_vcpu *op)
{
    struct evtchn_port *p;

    if (!vcpu_valid(self, op->vcpu))
        return -XEN_ENOENT;
    if (!port_valid(self, op->port))
        return -XEN_EINVAL;
    p = evtchn_port_of(self, op->port);
    switch (p->state) {
    case EVTCHN_VIRQ:
        if (!evtchn_virq_is_global(p->virq))
            return -XEN_EINVAL;     /* a per-vCPU VIRQ stays on its vCPU */
        break;
    case EVTCHN_UNBOUND:
    case EVTCHN_INTERDOMAIN:
        break;
    default:                        /* free, reserved, IPI */
        return -XEN_EINVAL;
    }
    /* Only later notifications go to the new vCPU; bits already set stay. */
    p->vcpu = (uint16_t)op->vcpu;
    return 0;
}

int evtchn_op_unmask(struct evtchn_domain *self, const struct evtchn_unmask *op)
{
    if (!port_valid(self, op->port))
        return -XEN_EINVAL;
    /* Like Xen, a port that is not bound is left as it is (still 0). */
    if (evtchn_port_in_use(evtchn_port_of(self, op->port)))
        port_unmask(self, op->port);
    return 0;
}

int evtchn_op_reset(struct evtchn_domain *self, const struct evtchn_reset *op, bool resuming)
{
    struct evtchn_domain *d = domain_by_any_id(self, op->dom);
    uint32_t port;

    if (!d)
        return -XEN_ESRCH;
    if (!may_control(self, d))
        return -XEN_EPERM;
    if (d != self && !evtchn_env_controller_paused(d))
        return -XEN_EINVAL;
    /* A fresh reset needs none under way; a continuation needs one. */
    if (resuming ? d->reset_next == 0 : d->reset_next != 0)
        return -XEN_EBUSY;
    port = resuming ? d->reset_next : 1;
    d->reset_next = port;
    for (; port < d->valid_ports; port++) {
        (void)port_close(d, port);
        if (port % EVTCHN_BUCKET == 0 && evtchn_env_preempt()) {
            d->reset_next = port + 1;       /* each round makes progress */
            return -XEN_ERESTART;
        }
    }
    d->reset_next = 0;
    /* Ports bound again while the reset was continued (by the guest between
     * two rounds, or a controller) stay bound, and Xen says so (-EAGAIN).
     * Otherwise a domain on the FIFO ABI goes back to the 2-level one. */
    for (port = 1; port < d->valid_ports; port++)
        if (evtchn_port_in_use(evtchn_port_of(d, port)))
            return -XEN_EAGAIN;
    if (d->fifo)
        evtchn_fifo_destroy(d);
    return 0;
}
