/* Inter-domain event channels (hv/evtchn/evtchn_core.c) over four fake
 * domains: acting on another domain's channels (privilege), sends that reach
 * the remote port's vCPU, either end closing, domains dying (still found,
 * every port closed, nothing allocatable) and gone (not found), ids used
 * again, EVTCHNOP_reset continued with ports bound between its rounds.
 * Directed cases first, then random operation sequences checked after every
 * step against an independent model of port states, peers, pending bits and
 * notifications, with the invariant that every interdomain port's peer
 * points back at it.
 *
 * The fake domains are this file's own (test_evtchn.c has others): they
 * have ids that are not their slot numbers, so that an id used as an index
 * shows.  The hooks alike in every event-channel test (table frames, no
 * guest frames, env_fail) and the EVTCHNOP wrappers are in evtchn_fake.[ch]. */
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>

#include "evtchn/evtchn_priv.h"
#include "errno.h"
#include "evtchn_fake.h"
#include "test.h"

/* ---- the fake environment ---- */

#define NDOMS 4
#define NO_ID 0x1234                    /* an ordinary id no domain has */

enum life { LIVE, DYING, GONE };        /* DYING: closed for good but still found (Xen's is_dying) */

struct fake {
    struct evtchn_domain ed;
    struct evtchn_table_frame table0;   /* the first frame of its port table */
    struct shared_info si;
    struct vcpu_info vi_more[EVTCHN_MAX_VCPUS - XEN_LEGACY_MAX_VCPUS];   /* see fake_vi */
    domid_t id;
    unsigned nr_vcpus;
    enum life life;
    bool privileged, paused;
    unsigned kicks[EVTCHN_MAX_VCPUS];   /* evtchn_env_notify calls per vCPU */
    unsigned notes;                     /* evtchn_env_port_pending calls */
    uint64_t gone_hash;                 /* GONE: what its memory held when it went */
};

static struct fake fk[NDOMS];
static const domid_t slot_id[NDOMS] = { 0, 3, 9, 0x7fef };
static const unsigned default_vcpus[NDOMS] = { 1, 3, 2, 1 };
/* The randomized test's last seeds give C and D many vCPUs (born takes them from here). */
static const unsigned *slot_vcpus = default_vcpus;
static struct evtchn_domain *const A = &fk[0].ed;   /* id 0, privileged, 1 vCPU */
static struct evtchn_domain *const B = &fk[1].ed;   /* id 3, 3 vCPUs */
static struct evtchn_domain *const C = &fk[2].ed;   /* id 9, privileged, 2 vCPUs */
static struct evtchn_domain *const D = &fk[3].ed;   /* id 0x7fef, 1 vCPU */
static bool closing;                    /* a dying domain's ports are being closed */
static uint64_t hash_of(const struct fake *f);

/* EVTCHNOP_reset's preemption checks are answered from this plan, in
 * order, then "no". */
static bool plan[64];
static unsigned plan_len, plan_used;

static struct fake *fake_of(const struct evtchn_domain *ed)
{
    for (int i = 0; i < NDOMS; i++)
        if (&fk[i].ed == ed)
            return &fk[i];
    env_fail("not a domain");
    return &fk[0];
}

struct shared_info *fake_si(const struct evtchn_domain *ed)
{
    return &fake_of(ed)->si;
}

struct vcpu_info *fake_vi(const struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake *f = fake_of(ed);

    return vcpu < XEN_LEGACY_MAX_VCPUS ? &f->si.vcpu_info[vcpu] : &f->vi_more[vcpu - XEN_LEGACY_MAX_VCPUS];
}

struct evtchn_domain *evtchn_env_lookup(domid_t id)
{
    if (id == DOMID_SELF)
        env_fail("lookup of DOMID_SELF");
    for (int i = 0; i < NDOMS; i++)
        if (fk[i].life != GONE && fk[i].id == id)
            return &fk[i].ed;
    return NULL;
}

bool evtchn_env_privileged(const struct evtchn_domain *ed) { return fake_of(ed)->privileged; }
bool evtchn_env_controller_paused(const struct evtchn_domain *ed) { return fake_of(ed)->paused; }

struct shared_info *evtchn_env_shared_info(struct evtchn_domain *ed)
{
    struct fake *f = fake_of(ed);

    if (f->life == GONE && !closing)
        env_fail("shared_info of a gone domain");
    return &f->si;
}

struct vcpu_info *evtchn_env_vcpu_info(struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake *f = fake_of(ed);

    if (vcpu >= f->nr_vcpus || f->life != LIVE) {
        env_fail("vcpu_info of a missing vCPU or a dead domain");
        return NULL;
    }
    return fake_vi(ed, vcpu);
}

void evtchn_env_notify(struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake *f = fake_of(ed);

    if (vcpu >= f->nr_vcpus || f->life != LIVE || !fake_vi(ed, vcpu)->evtchn_upcall_pending) {
        env_fail("bad notify");
        return;
    }
    f->kicks[vcpu]++;
}

void evtchn_env_port_pending(struct evtchn_domain *ed, uint32_t port)
{
    struct fake *f = fake_of(ed);

    if (f->life != LIVE || port >= EVTCHN_MAX_PORTS)
        env_fail("an event for a dead domain");
    f->notes++;
}

bool evtchn_env_preempt(void)
{
    return plan_used < plan_len ? plan[plan_used++] : (plan_used++, false);
}

static void born(int i)
{
    struct fake *f = &fk[i];

    memset(&f->si, 0, sizeof(f->si));
    memset(f->vi_more, 0, sizeof(f->vi_more));
    memset(f->kicks, 0, sizeof(f->kicks));
    f->notes = 0;
    f->id = slot_id[i];
    f->nr_vcpus = slot_vcpus[i];
    f->life = LIVE;
    if (f->ed.table0)
        evtchn_core_release(&f->ed);    /* the frames a former life grew */
    if (evtchn_core_init(&f->ed, &f->table0, f->id, f->nr_vcpus) != 0)
        env_fail("evtchn_core_init failed with frames to spare");
}

static void fresh(void)
{
    for (int i = 0; i < NDOMS; i++)
        if (fk[i].ed.table0)
            evtchn_core_release(&fk[i].ed);
    memset(fk, 0, sizeof(fk));
    for (int i = 0; i < NDOMS; i++)
        born(i);
    fk[0].privileged = fk[2].privileged = true;
    plan_len = plan_used = 0;
    env_error = false;
}

/* The hypervisor's side of a domain's death: it is marked dying (Xen) or
 * no longer found (Xenolith's shutdown), then every port is closed. */
static void die(struct evtchn_domain *ed, enum life to)
{
    struct fake *f = fake_of(ed);

    f->life = to;
    closing = true;
    evtchn_core_close_all(ed);
    closing = false;
    f->gone_hash = hash_of(f);
}

/* ---- helpers ---- */

static unsigned kicks(struct evtchn_domain *ed, unsigned vcpu)
{
    return fake_of(ed)->kicks[vcpu];
}

/* The guest has handled everything. */
static void ack_all(struct evtchn_domain *ed)
{
    struct fake *f = fake_of(ed);

    memset(f->si.evtchn_pending, 0, sizeof(f->si.evtchn_pending));
    for (unsigned v = 0; v < f->nr_vcpus; v++) {
        fake_vi(ed, v)->evtchn_pending_sel = 0;
        fake_vi(ed, v)->evtchn_upcall_pending = 0;
    }
}

/* Is port of ed unbound and offered to `to`? */
static bool is_unbound(struct evtchn_domain *ed, uint32_t port, domid_t to)
{
    struct evtchn_status st;
    return status(A, fake_of(ed)->id, port, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
           st.u.unbound.dom == to;
}

/* Is port of ed connected to (to, to_port)? */
static bool is_connected(struct evtchn_domain *ed, uint32_t port, domid_t to, uint32_t to_port)
{
    struct evtchn_status st;
    return status(A, fake_of(ed)->id, port, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
           st.u.interdomain.dom == to && st.u.interdomain.port == to_port;
}

/* ---- directed cases ---- */

static void alloc_for_another(void)
{
    struct evtchn_status st;
    uint32_t p, q, l;

    fresh();
    /* A privileged domain offers a port of B to itself (DOMID_SELF is the
     * caller, not B) and binds to it. */
    CHECK_EQ(alloc_unbound(A, 3, DOMID_SELF, &p), 0);
    CHECK_EQ(p, 1);
    CHECK(is_unbound(B, p, 0));
    CHECK_EQ(evtchn_port_of(A, 1)->state, EVTCHN_FREE);
    CHECK_EQ(status(B, DOMID_SELF, p, &st), 0);         /* B sees its own port */
    CHECK_EQ(st.u.unbound.dom, 0);
    /* Unprivileged domains may neither allocate in B nor look at its ports,
     * even if the port is offered to them; B itself may look. */
    CHECK_EQ(alloc_unbound(D, 3, DOMID_SELF, NULL), -XEN_EPERM);
    CHECK_EQ(status(D, 3, p, &st), -XEN_EPERM);
    CHECK_EQ(status(D, 3, 64, &st), -XEN_EINVAL);       /* the port is checked before the right */
    CHECK_EQ(status(D, NO_ID, 64, &st), -XEN_ESRCH);    /* the domain before the port */
    CHECK_EQ(evtchn_port_of(B, 2)->state, EVTCHN_FREE);
    /* Another privileged domain may. */
    CHECK_EQ(alloc_unbound(C, 3, 0x7fef, &q), 0);
    CHECK_EQ(q, 2);
    CHECK_EQ(status(C, 3, q, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 0x7fef);
    /* Only the domain a port is offered to may bind to it, B included. */
    CHECK_EQ(bind_interdomain(B, DOMID_SELF, p, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(C, 3, p, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(D, 3, p, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(A, 3, q, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(A, 3, p, &l), 0);
    CHECK_EQ(l, 1);
    CHECK(is_connected(A, l, 3, p));
    CHECK(is_connected(B, p, 0, l));
    CHECK_EQ(bind_interdomain(D, 3, q, &l), 0);         /* unprivileged, but offered to it */
    CHECK(is_connected(D, l, 3, q));
    CHECK(is_connected(B, q, 0x7fef, l));
    CHECK_EQ(do_send(D, l), 0);
    CHECK(pending(B, q));
    CHECK_EQ(kicks(B, 0), 1);
    /* An offer to a domain that does not exist is fine; nobody can take it. */
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, NO_ID, &p), 0);
    CHECK(is_unbound(B, p, NO_ID));
    CHECK(!env_error);
}

static void send_reaches_remote_vcpu(void)
{
    uint32_t bp, cp;

    fresh();
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, 9, &bp), 0);
    CHECK_EQ(bind_vcpu(B, bp, 2), 0);                  /* while unbound */
    CHECK_EQ(bind_interdomain(C, 3, bp, &cp), 0);
    /* The binder's new end starts pending, on its vCPU 0; B hears nothing. */
    CHECK(pending(C, cp));
    CHECK_EQ(kicks(C, 0), 1);
    CHECK(!pending(B, bp));
    CHECK_EQ(kicks(B, 0) + kicks(B, 1) + kicks(B, 2), 0);
    ack_all(C);
    /* C's send: B's port, on the vCPU B chose before the bind. */
    CHECK_EQ(do_send(C, cp), 0);
    CHECK(pending(B, bp));
    CHECK_EQ(sel(B, 2), 1);
    CHECK_EQ(kicks(B, 2), 1);
    CHECK_EQ(kicks(B, 0) + kicks(B, 1), 0);
    CHECK(!pending(C, cp));
    /* B moves its end while connected: later events go to vCPU 1. */
    ack_all(B);
    CHECK_EQ(bind_vcpu(B, bp, 1), 0);
    CHECK_EQ(do_send(C, cp), 0);
    CHECK_EQ(sel(B, 1), 1);
    CHECK_EQ(kicks(B, 1), 1);
    CHECK_EQ(kicks(B, 2), 1);
    /* And the other way, to C's vCPU 1. */
    CHECK_EQ(bind_vcpu(C, cp, 1), 0);
    CHECK_EQ(bind_vcpu(C, cp, 2), -XEN_ENOENT);         /* C has two vCPUs */
    CHECK_EQ(do_send(B, bp), 0);
    CHECK(pending(C, cp));
    CHECK_EQ(sel(C, 1), 1);
    CHECK_EQ(kicks(C, 1), 1);
    CHECK_EQ(kicks(C, 0), 1);
    /* Masked at the receiver: the bit is set, nobody is told. */
    ack_all(B);
    set_mask(B, bp, true);
    CHECK_EQ(do_send(C, cp), 0);
    CHECK(pending(B, bp));
    CHECK_EQ(sel(B, 1), 0);
    CHECK_EQ(kicks(B, 1), 1);
    CHECK_EQ(fk[1].notes, 3);                           /* pollers hear of all three */
    CHECK(!env_error);
}

static void close_either_end(void)
{
    struct evtchn_status st;
    uint32_t bp, cp, again;

    fresh();
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, 9, &bp), 0);
    CHECK_EQ(bind_interdomain(C, 3, bp, &cp), 0);
    CHECK_EQ(bind_vcpu(C, cp, 1), 0);
    CHECK_EQ(do_send(C, cp), 0);
    set_mask(B, bp, true);
    /* B closes its (pending, masked) end: the port is free, its pending bit
     * cleared and its mask bit kept; C's end is offered to B again, with
     * its vCPU and its own pending bit. */
    CHECK_EQ(do_close(B, bp), 0);
    CHECK_EQ(status(B, DOMID_SELF, bp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK(!pending(B, bp));
    CHECK(masked(B, bp));
    CHECK_EQ(status(C, DOMID_SELF, cp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 3);
    CHECK_EQ(st.vcpu, 1);
    CHECK(pending(C, cp));
    /* Sends on C's unbound end go nowhere. */
    ack_all(C);
    CHECK_EQ(do_send(C, cp), 0);
    CHECK_EQ(fk[1].notes + fk[2].notes, 2);             /* C's first send and the bind */
    CHECK_EQ(do_close(B, bp), -XEN_EINVAL);
    /* Only B may take it back; it gets its lowest free port again. */
    CHECK_EQ(bind_interdomain(A, 9, cp, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(B, 9, cp, &again), 0);
    CHECK_EQ(again, bp);
    CHECK(is_connected(C, cp, 3, again));
    CHECK(pending(B, again));
    /* Now C closes: B's end is offered to C. */
    CHECK_EQ(do_close(C, cp), 0);
    CHECK(is_unbound(B, again, 9));
    CHECK_EQ(status(C, DOMID_SELF, cp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(st.vcpu, 0);                               /* a closed port forgets its vCPU */
    CHECK(pending(B, again));                           /* B's bits are B's */
    CHECK(!env_error);
}

static void dying_domain(void)
{
    struct evtchn_status st;
    uint32_t toC, cEnd, toA, lo, hi, fromC, p;
    unsigned valid;

    fresh();
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, 9, &toC), 0);
    CHECK_EQ(bind_interdomain(C, 3, toC, &cEnd), 0);
    CHECK_EQ(alloc_unbound(A, 3, DOMID_SELF, &toA), 0);
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, DOMID_SELF, &lo), 0);
    CHECK_EQ(bind_interdomain(B, DOMID_SELF, lo, &hi), 0);
    CHECK_EQ(alloc_unbound(C, DOMID_SELF, 3, &fromC), 0);
    for (int k = 0; k < 70; k++)
        CHECK_EQ(bind_ipi(B, (uint32_t)k % 3, NULL), 0);
    valid = B->valid_ports;
    CHECK_EQ(valid, 128);
    ack_all(C);
    fk[1].notes = 0;

    die(B, DYING);
    /* Its peers are offered to it again; C's own offer to it is untouched. */
    CHECK(is_unbound(C, cEnd, 3));
    CHECK(is_unbound(C, fromC, 3));
    CHECK(!pending(C, cEnd));
    for (uint32_t q = 1; q < B->valid_ports; q++)
        CHECK_EQ(evtchn_port_of(B, q)->state, EVTCHN_FREE);
    CHECK_EQ(B->valid_ports, valid);
    /* Still found: nothing can be allocated in it (-EINVAL comes before the
     * right is checked), its ports read as closed to those who may look. */
    CHECK_EQ(alloc_unbound(A, 3, DOMID_SELF, NULL), -XEN_EINVAL);
    CHECK_EQ(alloc_unbound(D, 3, DOMID_SELF, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(A, 3, toA, NULL), -XEN_EINVAL);
    CHECK_EQ(evtchn_port_of(A, 1)->state, EVTCHN_FREE);
    CHECK_EQ(status(A, 3, toA, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(status(A, 3, valid - 1, &st), 0);
    CHECK_EQ(status(A, 3, valid, &st), -XEN_EINVAL);
    CHECK_EQ(status(D, 3, toA, &st), -XEN_EPERM);
    CHECK_EQ(do_reset(A, 3, false), -XEN_EINVAL);       /* not paused by its controller */
    CHECK_EQ(do_reset(D, 3, false), -XEN_EPERM);
    fk[1].paused = true;
    CHECK_EQ(do_reset(A, 3, false), 0);
    /* Sends on its former peers' ends are dropped: nothing reaches it. */
    CHECK_EQ(do_send(C, cEnd), 0);
    CHECK_EQ(do_send(C, fromC), 0);
    CHECK_EQ(fk[1].notes, 0);
    CHECK(!pending(B, toC));

    /* Gone: not found at all. */
    fk[1].life = GONE;
    CHECK_EQ(alloc_unbound(A, 3, 0, NULL), -XEN_ESRCH);
    CHECK_EQ(bind_interdomain(C, 3, toA, NULL), -XEN_ESRCH);
    CHECK_EQ(status(A, 3, 1, &st), -XEN_ESRCH);
    CHECK_EQ(do_reset(A, 3, false), -XEN_ESRCH);
    CHECK(is_unbound(C, cEnd, 3));
    CHECK_EQ(do_send(C, cEnd), 0);
    /* Offers to it can still be made (remote ids are not checked). */
    CHECK_EQ(alloc_unbound(C, DOMID_SELF, 3, &p), 0);
    CHECK(is_unbound(C, p, 3));
    CHECK_EQ(do_close(C, p), 0);

    /* A new domain with the same id: the old offers are open to it, as on
     * Xen, which keeps only the id in an unbound port. */
    born(1);
    CHECK_EQ(bind_interdomain(B, 9, cEnd, &p), 0);
    CHECK_EQ(p, 1);
    CHECK(is_connected(C, cEnd, 3, 1));
    CHECK_EQ(do_send(C, cEnd), 0);
    CHECK(pending(B, 1));
    CHECK(!env_error);
}

static void hypervisor_death(void)
{
    uint32_t toB, bEnd, dEnd;

    /* Xenolith closes a domain's channels when it shuts down and from then
     * on does not find it: straight from live to gone. */
    fresh();
    CHECK_EQ(alloc_unbound(A, DOMID_SELF, 0x7fef, &toB), 0);
    CHECK_EQ(bind_interdomain(D, 0, toB, &dEnd), 0);
    CHECK_EQ(alloc_unbound(D, DOMID_SELF, 3, &bEnd), 0);
    CHECK_EQ(bind_interdomain(B, 0x7fef, bEnd, NULL), 0);
    die(D, GONE);
    CHECK(is_unbound(A, toB, 0x7fef));
    CHECK(is_unbound(B, 1, 0x7fef));
    CHECK_EQ(do_send(A, toB), 0);
    CHECK_EQ(do_close(B, 1), 0);
    CHECK_EQ(bind_interdomain(B, 0x7fef, bEnd, NULL), -XEN_ESRCH);
    /* A domain dying with a reset under way leaves none behind. */
    born(3);
    for (int k = 0; k < 200; k++)
        CHECK_EQ(bind_ipi(D, 0, NULL), 0);
    plan[0] = true;
    plan_len = 1;
    plan_used = 0;
    CHECK_EQ(do_reset(D, DOMID_SELF, false), -XEN_ERESTART);
    CHECK(D->reset_next != 0);
    die(D, DYING);
    CHECK_EQ(D->reset_next, 0);
    fk[3].paused = true;
    CHECK_EQ(do_reset(C, 0x7fef, true), -XEN_EBUSY);
    CHECK_EQ(do_reset(C, 0x7fef, false), 0);
    CHECK(!env_error);
}

static void reset_with_peers(void)
{
    uint32_t toA, aEnd, toC, cEnd, lo, hi, p;

    fresh();
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, 0, &toA), 0);
    CHECK_EQ(bind_interdomain(A, 3, toA, &aEnd), 0);
    CHECK_EQ(alloc_unbound(C, DOMID_SELF, 3, &cEnd), 0);
    CHECK_EQ(bind_interdomain(B, 9, cEnd, &toC), 0);
    CHECK_EQ(alloc_unbound(B, DOMID_SELF, DOMID_SELF, &lo), 0);
    CHECK_EQ(bind_interdomain(B, 3, lo, &hi), 0);
    CHECK_EQ(do_reset(B, DOMID_SELF, false), 0);
    for (uint32_t q = 1; q < B->valid_ports; q++)
        CHECK_EQ(evtchn_port_of(B, q)->state, EVTCHN_FREE);
    CHECK(is_unbound(A, aEnd, 3));
    CHECK(is_unbound(C, cEnd, 3));
    CHECK(!pending(B, toC) && !pending(B, hi));
    /* They can be taken again. */
    CHECK_EQ(bind_interdomain(B, 0, aEnd, &p), 0);
    CHECK_EQ(p, 1);
    CHECK(is_connected(A, aEnd, 3, 1));
    /* By a privileged domain: only while B is paused by its controller. */
    CHECK_EQ(do_reset(A, 3, false), -XEN_EINVAL);
    CHECK_EQ(do_reset(D, 3, false), -XEN_EPERM);
    fk[3].paused = true;                                /* D being paused gives D nothing */
    CHECK_EQ(do_reset(D, 3, false), -XEN_EPERM);
    fk[1].paused = true;
    CHECK_EQ(do_reset(D, 3, false), -XEN_EPERM);
    CHECK_EQ(do_reset(C, 3, false), 0);
    CHECK(is_unbound(A, aEnd, 3));
    CHECK_EQ(do_reset(C, NO_ID, false), -XEN_ESRCH);
    CHECK_EQ(do_reset(C, DOMID_IO, false), -XEN_ESRCH);
    CHECK(!env_error);
}

static void reset_between_rounds(void)
{
    uint32_t p;

    /* B resets itself; its upcall handler binds a port between two rounds:
     * the port stays, and the reset ends with -EAGAIN. */
    fresh();
    for (int k = 0; k < 200; k++)
        CHECK_EQ(bind_ipi(B, 1, NULL), 0);
    plan[0] = true;                                     /* stop at the first check (port 64) */
    plan_len = 1;
    plan_used = 0;
    CHECK_EQ(do_reset(B, DOMID_SELF, false), -XEN_ERESTART);
    CHECK_EQ(evtchn_port_of(B, 64)->state, EVTCHN_FREE);
    CHECK_EQ(evtchn_port_of(B, 65)->state, EVTCHN_IPI);
    CHECK_EQ(bind_ipi(B, 2, &p), 0);
    CHECK_EQ(p, 1);
    CHECK_EQ(do_reset(B, DOMID_SELF, false), -XEN_EBUSY);
    CHECK_EQ(do_reset(B, DOMID_SELF, true), -XEN_EAGAIN);
    CHECK_EQ(plan_used, 3);                             /* asked at 64; then at 128 and 192 */
    CHECK_EQ(B->reset_next, 0);
    CHECK_EQ(evtchn_port_of(B, 1)->state, EVTCHN_IPI);
    for (uint32_t q = 2; q < B->valid_ports; q++)
        CHECK_EQ(evtchn_port_of(B, q)->state, EVTCHN_FREE);
    CHECK_EQ(do_reset(B, DOMID_SELF, true), -XEN_EBUSY);
    CHECK_EQ(do_reset(B, DOMID_SELF, false), 0);
    CHECK_EQ(evtchn_port_of(B, 1)->state, EVTCHN_FREE);

    /* The same for a reset of a paused domain by a privileged one, which
     * allocates in it between the rounds; a reset of another domain
     * meanwhile is not affected. */
    for (int k = 0; k < 200; k++)
        CHECK_EQ(bind_ipi(B, 0, NULL), 0);
    fk[1].paused = fk[3].paused = true;
    plan[0] = true;
    plan_len = 1;
    plan_used = 0;
    CHECK_EQ(do_reset(A, 3, false), -XEN_ERESTART);
    CHECK_EQ(alloc_unbound(A, 3, DOMID_SELF, &p), 0);
    CHECK_EQ(p, 1);
    CHECK_EQ(do_reset(A, 0x7fef, false), 0);
    CHECK_EQ(do_reset(C, 3, true), -XEN_EAGAIN);        /* any privileged domain may go on */
    CHECK(is_unbound(B, 1, 0));
    CHECK(!env_error);
}

/* ---- the model ---- */

enum mstate { M_FREE, M_RESERVED, M_UNBOUND, M_INTERDOMAIN, M_VIRQ, M_IPI };
static const int core_state[] = { EVTCHN_FREE, EVTCHN_RESERVED, EVTCHN_UNBOUND, EVTCHN_INTERDOMAIN,
                                  EVTCHN_VIRQ, EVTCHN_IPI };
static const uint32_t stat_of_state[] = { EVTCHNSTAT_closed, EVTCHNSTAT_closed, EVTCHNSTAT_unbound,
                                          EVTCHNSTAT_interdomain, EVTCHNSTAT_virq, EVTCHNSTAT_ipi };

struct mport { enum mstate st; unsigned vcpu, rdom, rport, virq; };
struct mdom {
    struct mport p[EVTCHN_MAX_PORTS];
    bool pend[EVTCHN_MAX_PORTS], mask[EVTCHN_MAX_PORTS];
    uint64_t sel[EVTCHN_MAX_VCPUS];
    bool up[EVTCHN_MAX_VCPUS];
    unsigned kicks[EVTCHN_MAX_VCPUS], notes;
    unsigned valid, reset_next;
    bool dying;
    unsigned virq_port[EVTCHN_MAX_VCPUS][NR_VIRQS];
};

static struct mdom md[NDOMS];
static bool model_error;
static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % n;
}

static void m_born(int i)
{
    memset(&md[i], 0, sizeof(md[i]));
    md[i].valid = 64;
    md[i].p[0].st = M_RESERVED;
}

/* The slot of the domain an id names (found: live or dying), or -1. */
static int m_find(int self, unsigned id)
{
    if (id == DOMID_SELF)
        return self;
    for (int i = 0; i < NDOMS; i++)
        if (fk[i].life != GONE && fk[i].id == id)
            return i;
    return -1;
}

static bool m_global(unsigned virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

static int m_alloc(int i)
{
    struct mdom *m = &md[i];

    if (m->dying)
        return -XEN_EINVAL;
    for (unsigned port = 1; port < EVTCHN_MAX_PORTS; port++) {
        if (port >= m->valid)
            m->valid += 64;
        if (m->p[port].st == M_FREE)
            return (int)port;
    }
    return -XEN_ENOSPC;
}

static void m_raise(int i, unsigned vcpu, unsigned port)
{
    struct mdom *m = &md[i];
    uint64_t word = 1ull << (port / 64);

    if (m->pend[port])
        return;
    m->pend[port] = true;
    if (!m->mask[port] && !(m->sel[vcpu] & word)) {
        m->sel[vcpu] |= word;
        m->up[vcpu] = true;
        m->kicks[vcpu]++;
    }
    m->notes++;
}

static int m_close(int i, unsigned port)
{
    struct mdom *m = &md[i];
    struct mport *p;

    if (port >= m->valid)
        return -XEN_EINVAL;
    p = &m->p[port];
    switch (p->st) {
    case M_FREE:
    case M_RESERVED:
        return -XEN_EINVAL;
    case M_VIRQ:
        m->virq_port[m_global(p->virq) ? 0 : p->vcpu][p->virq] = 0;
        break;
    case M_INTERDOMAIN: {
        int j = m_find(i, p->rdom);
        if (j < 0) {
            model_error = true;         /* the invariant says the peer is there */
            break;
        }
        md[j].p[p->rport].st = M_UNBOUND;
        md[j].p[p->rport].rdom = fk[i].id;
        break;
    }
    default:
        break;
    }
    m->pend[port] = false;
    *p = (struct mport){ .st = M_FREE };
    return 0;
}

static void m_close_all(int i)
{
    for (unsigned port = md[i].valid; port-- > 1;)
        (void)m_close(i, port);
    md[i].reset_next = 0;
    md[i].dying = true;
}

static int m_reset(int self, unsigned dom, bool resuming, unsigned *checks)
{
    int t = m_find(self, dom);
    unsigned port;

    if (t < 0)
        return -XEN_ESRCH;
    if (t != self && !fk[self].privileged)
        return -XEN_EPERM;
    if (t != self && !fk[t].paused)
        return -XEN_EINVAL;
    if (resuming ? md[t].reset_next == 0 : md[t].reset_next != 0)
        return -XEN_EBUSY;
    port = resuming ? md[t].reset_next : 1;
    md[t].reset_next = port;
    for (; port < md[t].valid; port++) {
        (void)m_close(t, port);
        if (port % 64 == 0) {
            unsigned k = (*checks)++;
            if (k < plan_len && plan[k]) {
                md[t].reset_next = port + 1;
                return -XEN_ERESTART;
            }
        }
    }
    md[t].reset_next = 0;
    for (port = 1; port < md[t].valid; port++)
        if (md[t].p[port].st > M_RESERVED)
            return -XEN_EAGAIN;
    return 0;
}

/* ---- random steps ---- */

static const domid_t never_ids[] = { NO_ID, DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, DOMID_IDLE, 0xffff };

static domid_t pick_dom(void)
{
    uint64_t r = rnd(20);

    if (r < 5)
        return DOMID_SELF;
    if (r < 18)
        return fk[rnd(NDOMS)].id;
    return never_ids[rnd(sizeof(never_ids) / sizeof(never_ids[0]))];
}

/* A port of domain slot t (-1: none): mostly one in a state of `want`
 * (a bit per mstate), offered to `to` if to is not DOMID_SELF; else any
 * number around the valid ones, now and then a wild one. */
static uint32_t pick_port(int t, unsigned want, unsigned to)
{
    unsigned valid = t >= 0 ? md[t].valid : 64;

    if (t >= 0 && rnd(3) != 0) {
        unsigned start = (unsigned)rnd(valid), n = 0;
        for (unsigned k = 0; k < valid; k++) {
            unsigned port = (start + k) % valid;
            const struct mport *p = &md[t].p[port];
            if ((want >> p->st) & 1 && (to == DOMID_SELF || p->rdom == to) && n++ == 0)
                return port;
        }
    }
    if (rnd(10) == 0)
        return rnd(4) == 0 ? 0xffffffffu : (uint32_t)rnd(5000);
    return (uint32_t)rnd(valid + 4);
}

static int pick_live(void)
{
    for (;;) {
        int i = (int)rnd(NDOMS);
        if (fk[i].life == LIVE)
            return i;
    }
}

static unsigned count_live(void)
{
    unsigned n = 0;
    for (int i = 0; i < NDOMS; i++)
        n += fk[i].life == LIVE;
    return n;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    for (size_t k = 0; k < n; k++)
        h = (h ^ ((const unsigned char *)p)[k]) * 1099511628211ull;
    return h;
}

/* What the core may change in a domain. */
static uint64_t hash_of(const struct fake *f)
{
    uint64_t h = 1469598103934665603ull;

    h = hash_bytes(h, &f->ed, sizeof(f->ed));
    h = hash_bytes(h, &f->table0, sizeof(f->table0));
    for (uint32_t i = 1; f->ed.table_dir && i < f->ed.table_frames; i++)
        h = hash_bytes(h, f->ed.table_dir[i], sizeof(struct evtchn_table_frame));
    h = hash_bytes(h, &f->si, sizeof(f->si));
    h = hash_bytes(h, f->kicks, sizeof(f->kicks));
    return hash_bytes(h, &f->notes, sizeof(f->notes));
}

#define BIT(s) (1u << (s))

/* What the random runs went through (checked at the end). */
static struct {
    unsigned cross_binds, cross_sends, deaths, births, restarts, eagain, dying, eperm;
} seen;

/* One random operation, on the core and on the model. */
static bool step(char *why, size_t len)
{
    int self = pick_live(), t;
    struct evtchn_domain *ed = &fk[self].ed;
    struct mdom *m = &md[self];
    domid_t sid = fk[self].id, dom = pick_dom();
    uint32_t vcpu = rnd(12) == 0 ? (uint32_t)rnd(fk[self].nr_vcpus + 3) : (uint32_t)rnd(fk[self].nr_vcpus);
    int op = (int)rnd(24), rc = 0, want = 0, n;
    uint32_t port = 0, out = 0, want_out = 0;
    bool has_out = false;

    t = m_find(self, dom);
    switch (op) {
    case 0: case 1: case 2: {                           /* alloc_unbound */
        domid_t remote = rnd(4) == 0 ? pick_dom() : fk[rnd(NDOMS)].id;
        struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote, .port = 0xdead };
        rc = evtchn_op_alloc_unbound(ed, &a);
        out = a.port;
        has_out = true;
        want_out = 0xdead;
        if (t < 0)
            want = -XEN_ESRCH;
        else if ((n = m_alloc(t)) < 0)
            want = n;
        else if (t != self && !fk[self].privileged)
            want = -XEN_EPERM;
        else {
            md[t].p[n] = (struct mport){ .st = M_UNBOUND, .rdom = remote == DOMID_SELF ? sid : remote };
            want_out = (uint32_t)n;
        }
        break;
    }
    case 3: case 4: case 5: case 6: {                   /* bind_interdomain */
        struct evtchn_bind_interdomain b = { .remote_dom = dom, .local_port = 0xdead };
        port = pick_port(t, BIT(M_UNBOUND), rnd(4) ? sid : DOMID_SELF);
        b.remote_port = port;
        rc = evtchn_op_bind_interdomain(ed, &b);
        out = b.local_port;
        has_out = true;
        want_out = 0xdead;
        if (t < 0)
            want = -XEN_ESRCH;
        else if ((n = m_alloc(self)) < 0)
            want = n;
        else if (port >= md[t].valid || md[t].p[port].st != M_UNBOUND || md[t].p[port].rdom != sid)
            want = -XEN_EINVAL;
        else {
            m->p[n] = (struct mport){ .st = M_INTERDOMAIN, .rdom = fk[t].id, .rport = port };
            md[t].p[port].st = M_INTERDOMAIN;
            md[t].p[port].rdom = sid;
            md[t].p[port].rport = (unsigned)n;
            m_raise(self, m->p[n].vcpu, (unsigned)n);
            want_out = (uint32_t)n;
        }
        break;
    }
    case 7: case 8: case 9: {                           /* send */
        port = pick_port(self, BIT(M_INTERDOMAIN) | BIT(M_UNBOUND) | BIT(M_IPI), DOMID_SELF);
        rc = do_send(ed, port);
        if (port >= m->valid)
            want = -XEN_EINVAL;
        else if (m->p[port].st == M_INTERDOMAIN) {
            int j = m_find(self, m->p[port].rdom);
            if (j < 0)
                model_error = true;
            else
                m_raise(j, md[j].p[m->p[port].rport].vcpu, m->p[port].rport);
        } else if (m->p[port].st == M_IPI)
            m_raise(self, m->p[port].vcpu, port);
        else if (m->p[port].st != M_UNBOUND)
            want = -XEN_EINVAL;
        break;
    }
    case 10: case 11: {                                 /* close */
        port = pick_port(self, BIT(M_INTERDOMAIN) | BIT(M_UNBOUND) | BIT(M_IPI) | BIT(M_VIRQ), DOMID_SELF);
        rc = do_close(ed, port);
        want = m_close(self, port);
        break;
    }
    case 12: {                                          /* status */
        struct evtchn_status st;
        port = pick_port(t, 0x3f, DOMID_SELF);
        rc = status(ed, dom, port, &st);
        if (t < 0)
            want = -XEN_ESRCH;
        else if (port >= md[t].valid)
            want = -XEN_EINVAL;
        else if (t != self && !fk[self].privileged)
            want = -XEN_EPERM;
        else if (rc == 0) {
            const struct mport *p = &md[t].p[port];
            if (st.status != stat_of_state[p->st] || st.vcpu != p->vcpu || st.dom != dom || st.port != port ||
                (p->st == M_UNBOUND && st.u.unbound.dom != p->rdom) ||
                (p->st == M_INTERDOMAIN && (st.u.interdomain.dom != p->rdom || st.u.interdomain.port != p->rport)) ||
                (p->st == M_VIRQ && st.u.virq != p->virq)) {
                snprintf(why, len, "status of slot %d port %u differs from the model", t, port);
                return false;
            }
        }
        break;
    }
    case 13: {                                          /* bind_vcpu */
        port = pick_port(self, BIT(M_INTERDOMAIN) | BIT(M_UNBOUND) | BIT(M_IPI) | BIT(M_VIRQ), DOMID_SELF);
        rc = bind_vcpu(ed, port, vcpu);
        if (vcpu >= fk[self].nr_vcpus)
            want = -XEN_ENOENT;
        else if (port >= m->valid)
            want = -XEN_EINVAL;
        else if (m->p[port].st == M_UNBOUND || m->p[port].st == M_INTERDOMAIN ||
                 (m->p[port].st == M_VIRQ && m_global(m->p[port].virq)))
            m->p[port].vcpu = vcpu;
        else
            want = -XEN_EINVAL;
        break;
    }
    case 14: {                                          /* bind_ipi, bind_virq */
        if (rnd(2)) {
            struct evtchn_bind_ipi b = { .vcpu = vcpu, .port = 0xdead };
            rc = evtchn_op_bind_ipi(ed, &b);
            out = b.port;
            has_out = true;
            want_out = 0xdead;
            if (vcpu >= fk[self].nr_vcpus)
                want = -XEN_ENOENT;
            else if ((n = m_alloc(self)) < 0)
                want = n;
            else {
                m->p[n] = (struct mport){ .st = M_IPI, .vcpu = vcpu };
                want_out = (uint32_t)n;
            }
        } else {
            unsigned virq = rnd(2) ? VIRQ_TIMER : VIRQ_DOM_EXC;
            uint32_t v = m_global(virq) ? 0 : vcpu;
            struct evtchn_bind_virq b = { .virq = virq, .vcpu = v, .port = 0xdead };
            rc = evtchn_op_bind_virq(ed, &b);
            out = b.port;
            has_out = true;
            want_out = 0xdead;
            if (v >= fk[self].nr_vcpus)
                want = -XEN_ENOENT;
            else if (m->virq_port[v][virq])
                want = -XEN_EEXIST;
            else if ((n = m_alloc(self)) < 0)
                want = n;
            else {
                m->p[n] = (struct mport){ .st = M_VIRQ, .vcpu = v, .virq = virq };
                m->virq_port[v][virq] = (unsigned)n;
                want_out = (uint32_t)n;
            }
        }
        break;
    }
    case 15: {                                          /* the hypervisor raises a VIRQ */
        unsigned virq = rnd(2) ? VIRQ_TIMER : VIRQ_DOM_EXC;
        rc = evtchn_core_raise_virq(ed, vcpu, virq);
        if (vcpu >= fk[self].nr_vcpus || !m->virq_port[m_global(virq) ? 0 : vcpu][virq])
            want = -XEN_ENOENT;
        else {
            unsigned p = m->virq_port[m_global(virq) ? 0 : vcpu][virq];
            m_raise(self, m->p[p].vcpu, p);
        }
        break;
    }
    case 16: {                                          /* unmask */
        port = pick_port(self, 0x3f, DOMID_SELF);
        rc = evtchn_op_unmask(ed, &(struct evtchn_unmask){ .port = port });
        if (port >= m->valid)
            want = -XEN_EINVAL;
        else if (m->p[port].st > M_RESERVED && m->mask[port]) {
            unsigned v = m->p[port].vcpu;
            uint64_t word = 1ull << (port / 64);
            m->mask[port] = false;
            if (m->pend[port] && !(m->sel[v] & word)) {
                m->sel[v] |= word;
                m->up[v] = true;
                m->kicks[v]++;
            }
        }
        break;
    }
    case 17: {                                          /* the guest's own bits */
        struct fake *f = &fk[self];
        port = pick_port(self, 0x3f, DOMID_SELF) % EVTCHN_MAX_PORTS;
        switch (rnd(4)) {
        case 0:
            set_bit_of(f->si.evtchn_mask, port, !m->mask[port]);
            m->mask[port] = !m->mask[port];
            break;
        case 1:
            set_bit_of(f->si.evtchn_pending, port, false);
            m->pend[port] = false;
            break;
        case 2:
            set_bit_of(f->si.evtchn_pending, port, true);   /* a guest may set it itself */
            m->pend[port] = true;
            break;
        default:
            for (unsigned v = 0; v < f->nr_vcpus; v++) {
                fake_vi(ed, v)->evtchn_pending_sel = 0;
                fake_vi(ed, v)->evtchn_upcall_pending = 0;
                m->sel[v] = 0;
                m->up[v] = false;
            }
            break;
        }
        return true;
    }
    case 18: case 19: {                                 /* reset, or its continuation */
        unsigned checks = 0;
        bool resuming = rnd(2);
        if (!resuming && rnd(4) != 0)
            return true;                                /* a fresh one empties a domain: less often */
        plan_len = (unsigned)rnd(5);
        for (unsigned k = 0; k < plan_len; k++)
            plan[k] = rnd(2);
        plan_used = 0;
        rc = do_reset(ed, dom, resuming);
        want = m_reset(self, dom, resuming, &checks);
        if (plan_used != checks) {
            snprintf(why, len, "reset asked %u times whether to stop, the model %u", plan_used, checks);
            return false;
        }
        plan_len = 0;
        break;
    }
    case 20: {                                          /* a burst of offers, to grow the table */
        for (int k = 0; k < 12; k++) {
            domid_t remote = fk[rnd(NDOMS)].id;
            rc = alloc_unbound(ed, DOMID_SELF, remote, &out);
            if ((n = m_alloc(self)) < 0)
                want = n;
            else {
                m->p[n] = (struct mport){ .st = M_UNBOUND, .rdom = remote };
                want = 0;
                if (out != (uint32_t)n) {
                    snprintf(why, len, "burst: port %u, model %d", out, n);
                    return false;
                }
            }
            if (rc != want) {
                snprintf(why, len, "burst: rc %d, model %d", rc, want);
                return false;
            }
        }
        return true;
    }
    case 21: {                                          /* life and death */
        int i = (int)rnd(NDOMS);
        struct fake *f = &fk[i];
        if (rnd(8) != 0)
            return true;
        if (f->life == LIVE && count_live() > 1) {
            m_close_all(i);
            die(&f->ed, rnd(2) ? DYING : GONE);         /* GONE at once: Xenolith's shutdown */
            seen.deaths++;
        } else if (f->life == DYING)
            f->life = GONE;
        else if (f->life == GONE) {
            born(i);
            f->privileged = rnd(2);
            m_born(i);
            seen.births++;
        }
        if (f->life == GONE)
            f->gone_hash = hash_of(f);
        return true;
    }
    default:                                            /* a controller pauses or unpauses */
        fk[rnd(NDOMS)].paused = rnd(2);
        return true;
    }
    seen.cross_binds += op >= 3 && op <= 6 && rc == 0 && t != self;
    seen.cross_sends += op >= 7 && op <= 9 && rc == 0 && m->p[port].st == M_INTERDOMAIN &&
                        m->p[port].rdom != sid;
    seen.restarts += rc == -XEN_ERESTART;
    seen.eagain += rc == -XEN_EAGAIN;
    seen.dying += rc == -XEN_EINVAL && t >= 0 && md[t].dying && op <= 2;
    seen.eperm += rc == -XEN_EPERM;
    if (rc != want || (has_out && out != want_out)) {
        snprintf(why, len, "slot %d (d%u) op %d, dom %#x port %u vcpu %u: rc %d out %#x, model %d out %#x",
                 self, sid, op, dom, port, vcpu, rc, out, want, want_out);
        return false;
    }
    return true;
}

/* The core against the model (ports below `upto`, or all), and the invariants. */
static bool compare(unsigned upto_all, char *why, size_t len)
{
    for (int i = 0; i < NDOMS; i++) {
        struct fake *f = &fk[i];
        struct evtchn_domain *ed = &f->ed;
        struct mdom *m = &md[i];
        unsigned upto = m->valid;       /* no port past the valid ones exists in the table */

        if (f->life == GONE) {
            if (upto_all && hash_of(f) != f->gone_hash) {
                snprintf(why, len, "slot %d changed after it was gone", i);
                return false;
            }
            continue;
        }
        if (ed->valid_ports != m->valid || ed->reset_next != m->reset_next || ed->dying != m->dying) {
            snprintf(why, len, "slot %d: valid %u/%u reset_next %u/%u dying %d/%d", i, ed->valid_ports,
                     m->valid, ed->reset_next, m->reset_next, ed->dying, m->dying);
            return false;
        }
        for (unsigned port = 0; port < upto; port++) {
            const struct evtchn_port *c = evtchn_port_of(ed, port);
            const struct mport *q = &m->p[port];
            bool same = c->state == core_state[q->st] && c->vcpu == q->vcpu &&
                        (q->st != M_UNBOUND || c->remote_dom == q->rdom) &&
                        (q->st != M_INTERDOMAIN || (c->remote_dom == q->rdom && c->remote_port == q->rport)) &&
                        (q->st != M_VIRQ || c->virq == q->virq);
            if (!same || pending(ed, port) != m->pend[port] || masked(ed, port) != m->mask[port]) {
                snprintf(why, len, "slot %d port %u: state %u/%d vcpu %u/%u remote %u:%u/%u:%u pending %d/%d",
                         i, port, c->state, core_state[q->st], c->vcpu, q->vcpu, c->remote_dom,
                         c->remote_port, q->rdom, q->rport, pending(ed, port), m->pend[port]);
                return false;
            }
            if (c->state == EVTCHN_INTERDOMAIN) {
                struct evtchn_domain *peer = c->remote_dom == f->id ? ed : evtchn_env_lookup(c->remote_dom);
                const struct evtchn_port *r;
                if (!peer || fake_of(peer)->life != LIVE || c->remote_port >= peer->valid_ports) {
                    snprintf(why, len, "slot %d port %u: the peer d%u is not live", i, port, c->remote_dom);
                    return false;
                }
                r = evtchn_port_of(peer, c->remote_port);
                if (r->state != EVTCHN_INTERDOMAIN || r->remote_dom != f->id || r->remote_port != port) {
                    snprintf(why, len, "slot %d port %u: its peer d%u:%u does not point back", i, port,
                             c->remote_dom, c->remote_port);
                    return false;
                }
            }
            if (f->life == DYING && c->state > EVTCHN_RESERVED) {
                snprintf(why, len, "slot %d port %u: in use in a dying domain", i, port);
                return false;
            }
            if (c->state == EVTCHN_VIRQ &&
                *evtchn_virq_slot(ed, c->vcpu, c->virq) != port) {
                snprintf(why, len, "slot %d port %u: not in the VIRQ table", i, port);
                return false;
            }
        }
        /* vCPU 0's row holds every VIRQ, the others' the per-vCPU ones only
         * (a global one bound elsewhere would be a bug the model shows). */
        for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++)
            for (unsigned virq = 0; virq < NR_VIRQS; virq++) {
                bool kept = v < ed->nr_vcpus && (v == 0 || !evtchn_virq_is_global(virq));
                uint32_t has = kept ? *evtchn_virq_slot(ed, v, virq) : 0;
                if (has != m->virq_port[v][virq]) {
                    snprintf(why, len, "slot %d vcpu %u virq %u: %u, model %u", i, v, virq,
                             has, m->virq_port[v][virq]);
                    return false;
                }
            }
        for (unsigned v = 0; v < f->nr_vcpus; v++)
            if (sel(ed, v) != m->sel[v] || fake_vi(ed, v)->evtchn_upcall_pending != m->up[v] ||
                f->kicks[v] != m->kicks[v]) {
                snprintf(why, len, "slot %d vcpu %u: sel %#lx/%#llx upcall %u/%d kicks %u/%u", i, v,
                         (unsigned long)sel(ed, v), (unsigned long long)m->sel[v],
                         fake_vi(ed, v)->evtchn_upcall_pending, m->up[v], f->kicks[v], m->kicks[v]);
                return false;
            }
        if (f->notes != m->notes) {
            snprintf(why, len, "slot %d: %u pending notes, model %u", i, f->notes, m->notes);
            return false;
        }
    }
    if (model_error) {
        snprintf(why, len, "the model lost a peer");
        return false;
    }
    return true;
}

static void randomized(void)
{
    char why[240];
    const int steps = 30000;

    static const unsigned many_vcpus[NDOMS] = { 1, 3, 33, EVTCHN_MAX_VCPUS };

    memset(&seen, 0, sizeof(seen));
    for (uint64_t seed = 1; seed <= 9; seed++) {
        slot_vcpus = seed <= 6 ? default_vcpus : many_vcpus;
        fresh();
        for (int i = 0; i < NDOMS; i++)
            m_born(i);
        model_error = false;
        fk[1].paused = seed & 1;
        rng = seed * 0x2545f4914f6cdd1dull;
        for (int k = 0; k < steps; k++) {
            if (!step(why, sizeof(why)) || !compare(k % 101 == 0 || k == steps - 1, why, sizeof(why))) {
                test_fail(__FILE__, __LINE__, "seed %llu step %d: %s", (unsigned long long)seed, k, why);
                return;
            }
            if (env_error) {
                test_fail(__FILE__, __LINE__, "seed %llu step %d: environment: %s", (unsigned long long)seed,
                          k, env_why);
                return;
            }
        }
    }
    slot_vcpus = default_vcpus;
    /* The runs went through every case that matters here, so that one
     * that never reaches a case cannot pass unnoticed. */
    printf("    evtchn_model: %u binds across domains, %u sends across, %u deaths, %u births, "
           "%u resets stopped, %u -EAGAIN, %u -EINVAL from dying domains, %u -EPERM\n",
           seen.cross_binds, seen.cross_sends, seen.deaths, seen.births, seen.restarts, seen.eagain,
           seen.dying, seen.eperm);
    CHECK(seen.cross_binds > 500);
    CHECK(seen.cross_sends > 500);
    CHECK(seen.deaths > 20);
    CHECK(seen.births > 10);
    CHECK(seen.restarts > 20);
    CHECK(seen.eagain > 0);
    CHECK(seen.dying > 10);
    CHECK(seen.eperm > 100);
}

int main(void)
{
    RUN_TEST(alloc_for_another);
    RUN_TEST(send_reaches_remote_vcpu);
    RUN_TEST(close_either_end);
    RUN_TEST(dying_domain);
    RUN_TEST(hypervisor_death);
    RUN_TEST(reset_with_peers);
    RUN_TEST(reset_between_rounds);
    RUN_TEST(randomized);
    return test_main_result();
}
