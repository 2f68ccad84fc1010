/* Event channels in the hypervisor: each domain's port table in hypervisor
 * frames, the environment the pure core needs (evtchn_priv.h: frames for the
 * table and the FIFO state, the guest frames of the FIFO ABI held with their
 * references), and the event_channel_op hypercall, which copies the guest's
 * argument in, runs the core's operation and copies the result back. */
#include "evtchn/evtchn_priv.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "core/console_ring.h"
#include "arch/x86_64/guest_access.h"
#include "arch/x86_64/page.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "lib/string.h"
#include "errno.h"

_Static_assert(DOMAIN_MAX_VCPUS <= EVTCHN_MAX_VCPUS, "more vCPUs per domain than event channels serve");
_Static_assert(EVTCHN_TABLE_BYTES <= PAGE_SIZE, "a table frame is one page");

/* ---- life cycle ---- */

int evtchn_domain_init(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;
    void *table0 = evtchn_env_frame_alloc();

    if (!table0)
        return -XEN_ENOMEM;
    memset(ed, 0, sizeof(*ed));
    ed->owner = d;
    if (evtchn_core_init(ed, table0, d->id, d->nr_vcpus) != 0) {
        evtchn_env_frame_free(table0);
        memset(ed, 0, sizeof(*ed));     /* table0 NULL: no event channels */
        return -XEN_ENOMEM;
    }
    return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;

    if (!ed->table0)
        return;
    evtchn_core_close_all(ed);
    evtchn_core_release(ed);
    evtchn_env_frame_free(ed->table0);
    ed->table0 = 0;
}

/* ---- for the rest of the hypervisor ---- */

int evtchn_send_virq(struct vcpu *v, unsigned virq)
{
    struct evtchn_domain *ed = &v->domain->evtchn;

    if (!ed->table0)
        return -XEN_ENOENT;
    return evtchn_core_raise_virq(ed, v->id, virq);
}

int evtchn_port_poll(struct domain *d, uint32_t port)
{
    return d->evtchn.table0 ? evtchn_core_poll(&d->evtchn, port) : -XEN_EINVAL;
}


bool evtchn_port_connected(struct domain *d, uint32_t port)
{
    const struct evtchn_domain *ed = &d->evtchn;

    if (!ed->table0 || port == 0 || port >= __atomic_load_n(&ed->valid_ports, __ATOMIC_ACQUIRE))
        return false;
    return __atomic_load_n(&evtchn_port_of(ed, port)->state, __ATOMIC_RELAXED) == EVTCHN_INTERDOMAIN;
}

/* ---- the core's environment ---- */

struct evtchn_domain *evtchn_env_lookup(domid_t id)
{
    struct domain *d = domain_lookup(id);

    return d && d->evtchn.table0 ? &d->evtchn : 0;
}

bool evtchn_env_privileged(const struct evtchn_domain *ed)
{
    return ed->owner->privileged;
}

bool evtchn_env_controller_paused(const struct evtchn_domain *ed)
{
    (void)ed;
    return false;                   /* no domctl: nothing pauses a domain */
}

struct shared_info *evtchn_env_shared_info(struct evtchn_domain *ed)
{
    return ed->owner->shared_info;
}

/* vCPU vcpu of the domain, NULL past its vCPUs (every one below nr_vcpus
 * is made with the domain; the check for NULL keeps it safe should they
 * ever come later). The one place that knows how struct domain holds its
 * vCPUs. */
static struct vcpu *owner_vcpu(struct evtchn_domain *ed, unsigned vcpu)
{
    return vcpu < ed->owner->nr_vcpus ? ed->owner->vcpus[vcpu] : 0;
}

/* NULL too for a vCPU whose vcpu_info is nowhere yet (past shared_info's
 * and not registered): the core then leaves its selector and upcall flag. */
struct vcpu_info *evtchn_env_vcpu_info(struct evtchn_domain *ed, unsigned vcpu)
{
    struct vcpu *v = owner_vcpu(ed, vcpu);

    return v ? vcpu_info_of(v) : 0;
}

void evtchn_env_notify(struct evtchn_domain *ed, unsigned vcpu)
{
    struct vcpu *v = owner_vcpu(ed, vcpu);

    if (v)
        vcpu_events_pending(v);
}

void evtchn_env_port_pending(struct evtchn_domain *ed, uint32_t port)
{
    if (ed->owner->nr_polling)
        evtchn_poll_notify(ed->owner, port);
}

bool evtchn_env_preempt(void)
{
    return hypercall_preempt_check();
}

void *evtchn_env_frame_alloc(void)
{
    uint64_t mfn = mm_alloc_hv_frame();

    return mfn == INVALID_MFN ? 0 : mfn_to_virt(mfn);
}

void evtchn_env_frame_free(void *frame)
{
    mm_free_frame(directmap_virt_to_mfn(frame));
}

int evtchn_env_guest_frame_get(struct evtchn_domain *ed, uint64_t gfn, void **va)
{
    domid_t id = ed->owner->id;
    int rc;

    /* A PV domain names machine frames (Xen's gfn is the mfn for PV). */
    if ((rc = page_get_typed(gfn, id, PGT_WRITABLE)) != 0)
        return rc == -XEN_ERESTART ? rc : -XEN_EINVAL;  /* restart: a release to finish first */
    *va = mfn_to_virt(gfn);
    return 0;
}

void evtchn_env_guest_frame_put(struct evtchn_domain *ed, void *va)
{
    uint64_t mfn = directmap_virt_to_mfn(va);

    (void)ed;
    page_put_typed(mfn);
}

/* ---- event_channel_op ---- */

/* The argument of each sub-op: its size, and whether it is copied back on success. */
static const struct { uint8_t size; bool out; } op_arg[] = {
    [EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true },
    [EVTCHNOP_bind_virq]        = { sizeof(struct evtchn_bind_virq), true },
    [EVTCHNOP_bind_pirq]        = { sizeof(struct evtchn_bind_pirq), true },
    [EVTCHNOP_close]            = { sizeof(struct evtchn_close), false },
    [EVTCHNOP_send]             = { sizeof(struct evtchn_send), false },
    [EVTCHNOP_status]           = { sizeof(struct evtchn_status), true },
    [EVTCHNOP_alloc_unbound]    = { sizeof(struct evtchn_alloc_unbound), true },
    [EVTCHNOP_bind_ipi]         = { sizeof(struct evtchn_bind_ipi), true },
    [EVTCHNOP_bind_vcpu]        = { sizeof(struct evtchn_bind_vcpu), false },
    [EVTCHNOP_unmask]           = { sizeof(struct evtchn_unmask), false },
    [EVTCHNOP_reset]            = { sizeof(struct evtchn_reset), false },
    [EVTCHNOP_init_control]     = { sizeof(struct evtchn_init_control), true },
    [EVTCHNOP_expand_array]     = { sizeof(struct evtchn_expand_array), false },
    [EVTCHNOP_set_priority]     = { sizeof(struct evtchn_set_priority), false },
    [EVTCHNOP_reset_cont]       = { sizeof(struct evtchn_reset), false },
};

HV_HOT long event_channel_op_hypercall(uint64_t cmd64, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct evtchn_domain *self = &current_domain()->evtchn;
    uint32_t cmd = (uint32_t)cmd64;     /* Xen's handler takes the command as an int */
    union {
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_bind_pirq bind_pirq;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_unmask unmask;
        struct evtchn_reset reset;
        struct evtchn_init_control init_control;
        struct evtchn_expand_array expand_array;
        struct evtchn_set_priority set_priority;
    } u;
    int rc;

    (void)a3; (void)a4; (void)a5;
    /* Every notification a guest makes comes this way: straight to it. */
    if (cmd == EVTCHNOP_send) {
        if (copy_from_guest(&u.send, arg, sizeof(u.send)))
            return -XEN_EFAULT;
        rc = evtchn_op_send(self, &u.send);
        /* The hypervisor serves some rings itself (core/console_ring.h). */
        if (rc == 0)
            console_ring_kick(current_domain(), u.send.port);
        return rc;
    }
    if (cmd >= sizeof(op_arg) / sizeof(op_arg[0]) || !op_arg[cmd].size)
        return -XEN_ENOSYS;
    if (!self->table0)
        return -XEN_EINVAL;             /* not reached: every domain has its table */
    if (copy_from_guest(&u, arg, op_arg[cmd].size))
        return -XEN_EFAULT;
    switch (cmd) {
    case EVTCHNOP_bind_interdomain: rc = evtchn_op_bind_interdomain(self, &u.bind_interdomain); break;
    case EVTCHNOP_bind_virq:        rc = evtchn_op_bind_virq(self, &u.bind_virq); break;
    case EVTCHNOP_bind_pirq:        rc = evtchn_op_bind_pirq(self, &u.bind_pirq); break;
    case EVTCHNOP_close:            rc = evtchn_op_close(self, &u.close); break;
    case EVTCHNOP_status:           rc = evtchn_op_status(self, &u.status); break;
    case EVTCHNOP_alloc_unbound:    rc = evtchn_op_alloc_unbound(self, &u.alloc_unbound); break;
    case EVTCHNOP_bind_ipi:         rc = evtchn_op_bind_ipi(self, &u.bind_ipi); break;
    case EVTCHNOP_bind_vcpu:        rc = evtchn_op_bind_vcpu(self, &u.bind_vcpu); break;
    case EVTCHNOP_unmask:           rc = evtchn_op_unmask(self, &u.unmask); break;
    case EVTCHNOP_init_control:     rc = evtchn_op_init_control(self, &u.init_control); break;
    case EVTCHNOP_expand_array:     rc = evtchn_op_expand_array(self, &u.expand_array); break;
    case EVTCHNOP_set_priority:     rc = evtchn_op_set_priority(self, &u.set_priority); break;
    default:                        /* reset, reset_cont */
        rc = evtchn_op_reset(self, &u.reset, cmd == EVTCHNOP_reset_cont);
        if (rc == -XEN_ERESTART)
            return hypercall_continue(EVTCHNOP_reset_cont, arg, a3, a4, a5);
        return rc;
    }
    /* A result that cannot be written back leaves the binding made, as on Xen. */
    if (rc == 0 && op_arg[cmd].out && copy_to_guest(arg, &u, op_arg[cmd].size))
        return -XEN_EFAULT;
    return rc;
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
    int rc = evtchn_op_alloc_unbound(&d->evtchn, &op);

    return rc ? rc : (int)op.port;
}
