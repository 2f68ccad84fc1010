/* Tests for hv/evtchn/evtchn_core.c: every EVTCHNOP's success and error
 * paths, the 2-level pending/mask/selector/upcall rules, and a randomized
 * sequence checked against a simple model. The environment is faked: three
 * domains (0 privileged with 1 vCPU, 1 with 4 vCPUs, 2 with 1 vCPU; the
 * randomized test runs 33 and 128 vCPUs too), each with its own shared_info, and no guest frames; the hooks and EVTCHNOP
 * wrappers every event-channel test uses are in evtchn_fake.[ch]. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "evtchn/evtchn_priv.h"
#include "errno.h"
#include "evtchn_fake.h"
#include "test.h"

/* ---- the fake environment ---- */

#define NDOMS 3
#define NO_DOM 3                 /* a domain id nobody has */

struct fake_dom {
    struct evtchn_domain ed;
    struct evtchn_table_frame table0;
    struct shared_info si;
    struct vcpu_info vi_more[EVTCHN_MAX_VCPUS - XEN_LEGACY_MAX_VCPUS];   /* see fake_vi */
    bool live, privileged, paused, has_si;
    unsigned kicks[EVTCHN_MAX_VCPUS];      /* evtchn_env_notify calls per vCPU */
    unsigned pending_notes;                /* evtchn_env_port_pending calls */
    uint32_t last_noted;
};

static struct fake_dom doms[NDOMS];
static struct evtchn_domain *D0 = &doms[0].ed, *D1 = &doms[1].ed, *D2 = &doms[2].ed;
static int preempt_countdown = -1;     /* < 0: never; else preempt when it reaches 0 */
static unsigned preempt_calls;

static struct fake_dom *fake_of(const struct evtchn_domain *ed)
{
    for (int i = 0; i < NDOMS; i++)
        if (&doms[i].ed == ed)
            return &doms[i];
    env_error = true;
    return &doms[0];
}

struct shared_info *fake_si(const struct evtchn_domain *ed)
{
    return &fake_of(ed)->si;
}

struct vcpu_info *fake_vi(const struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake_dom *f = fake_of(ed);

    return vcpu < XEN_LEGACY_MAX_VCPUS ? &f->si.vcpu_info[vcpu] : &f->vi_more[vcpu - XEN_LEGACY_MAX_VCPUS];
}

struct evtchn_domain *evtchn_env_lookup(domid_t id)
{
    if (id == DOMID_SELF)
        env_error = true;
    for (int i = 0; i < NDOMS; i++)
        if (doms[i].live && doms[i].ed.domid == id)
            return &doms[i].ed;
    return NULL;
}

bool evtchn_env_privileged(const struct evtchn_domain *ed) { return fake_of(ed)->privileged; }
bool evtchn_env_controller_paused(const struct evtchn_domain *ed) { return fake_of(ed)->paused; }

struct shared_info *evtchn_env_shared_info(struct evtchn_domain *ed)
{
    struct fake_dom *f = fake_of(ed);
    return f->has_si ? &f->si : NULL;
}

struct vcpu_info *evtchn_env_vcpu_info(struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake_dom *f = fake_of(ed);

    if (vcpu >= ed->nr_vcpus) {
        env_error = true;
        return NULL;
    }
    return f->has_si ? fake_vi(ed, vcpu) : NULL;
}

void evtchn_env_notify(struct evtchn_domain *ed, unsigned vcpu)
{
    if (vcpu >= ed->nr_vcpus || !fake_vi(ed, vcpu)->evtchn_upcall_pending) {
        env_error = true;
        return;
    }
    fake_of(ed)->kicks[vcpu]++;
}

void evtchn_env_port_pending(struct evtchn_domain *ed, uint32_t port)
{
    fake_of(ed)->pending_notes++;
    fake_of(ed)->last_noted = port;
}

bool evtchn_env_preempt(void)
{
    preempt_calls++;
    if (preempt_countdown < 0)
        return false;
    if (preempt_countdown == 0)
        return true;
    preempt_countdown--;
    return false;
}

static const unsigned default_vcpus[NDOMS] = { 1, 4, 1 };

static void fresh_vcpus(const unsigned nr_vcpus[NDOMS])
{
    for (int i = 0; i < NDOMS; i++)
        if (doms[i].ed.table0)
            evtchn_core_release(&doms[i].ed);
    if (frames_live != 0)
        env_error = true;
    memset(doms, 0, sizeof(doms));
    for (int i = 0; i < NDOMS; i++) {
        doms[i].live = doms[i].has_si = true;
        if (evtchn_core_init(&doms[i].ed, &doms[i].table0, (domid_t)i, nr_vcpus[i]) != 0)
            env_fail("evtchn_core_init failed with frames to spare");
    }
    doms[0].privileged = true;
    preempt_countdown = -1;
    preempt_calls = 0;
    env_error = false;
}

static void fresh(void)
{
    fresh_vcpus(default_vcpus);
}

/* ---- helpers ---- */

static unsigned kicks(struct evtchn_domain *ed, unsigned vcpu)
{
    return fake_of(ed)->kicks[vcpu];
}

/* The guest having handled everything on a vCPU. */
static void ack_vcpu(struct evtchn_domain *ed, unsigned vcpu)
{
    fake_vi(ed, vcpu)->evtchn_pending_sel = 0;
    fake_vi(ed, vcpu)->evtchn_upcall_pending = 0;
}

/* ---- start of day ---- */

static void init_state(void)
{
    struct evtchn_status st;

    fresh();
    CHECK_EQ(D1->valid_ports, 64);
    CHECK_EQ(evtchn_port_of(D1, 0)->state, EVTCHN_RESERVED);
    CHECK_EQ(status(D1, DOMID_SELF, 0, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_closed);
    CHECK_EQ(st.vcpu, 0);
    CHECK_EQ(stat_of(D1, 63), EVTCHNSTAT_closed);
    CHECK_EQ(stat_of(D1, 64), -XEN_EINVAL);          /* beyond the first bucket */
    CHECK_EQ(stat_of(D1, 4096), -XEN_EINVAL);
    CHECK_EQ(stat_of(D1, 0xffffffffu), -XEN_EINVAL);
    CHECK_EQ(do_close(D1, 0), -XEN_EINVAL);           /* port 0 is never usable */
    CHECK_EQ(do_send(D1, 0), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D1, 0, 0), -XEN_EINVAL);
    CHECK_EQ(do_unmask(D1, 0), 0);
    CHECK_EQ(evtchn_core_poll(D1, 0), -XEN_EINVAL);
    CHECK(!env_error);
}

static void virq_classes(void)
{
    CHECK(!evtchn_virq_is_global(VIRQ_TIMER));
    CHECK(!evtchn_virq_is_global(VIRQ_DEBUG));
    CHECK(!evtchn_virq_is_global(VIRQ_XENOPROF));
    CHECK(!evtchn_virq_is_global(VIRQ_XENPMU));
    CHECK(evtchn_virq_is_global(VIRQ_CONSOLE));
    CHECK(evtchn_virq_is_global(VIRQ_DOM_EXC));
    CHECK(evtchn_virq_is_global(VIRQ_TBUF));
    CHECK(evtchn_virq_is_global(VIRQ_ENOMEM));
    CHECK(evtchn_virq_is_global(VIRQ_ARCH_0));
    CHECK(evtchn_virq_is_global(VIRQ_ARCH_7));
}

/* ---- alloc_unbound ---- */

static void alloc_unbound_ok(void)
{
    struct evtchn_status st;
    uint32_t p1, p2, p3;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &p1), 0);
    CHECK_EQ(p1, 1);                                  /* the lowest free port, never 0 */
    CHECK_EQ(status(D1, DOMID_SELF, p1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 2);
    CHECK_EQ(st.vcpu, 0);
    /* DOMID_SELF as the remote: the caller. Its own id as dom works too. */
    CHECK_EQ(alloc_unbound(D1, 1, DOMID_SELF, &p2), 0);
    CHECK_EQ(p2, 2);
    CHECK_EQ(status(D1, 1, p2, &st), 0);
    CHECK_EQ(st.u.unbound.dom, 1);
    /* Any remote id is accepted, even one of no domain. */
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0x7000, &p3), 0);
    CHECK_EQ(status(D1, DOMID_SELF, p3, &st), 0);
    CHECK_EQ(st.u.unbound.dom, 0x7000);
    /* A freed port is handed out again first. */
    CHECK_EQ(do_close(D1, p2), 0);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p2), 0);
    CHECK_EQ(p2, 2);
    CHECK(!pending(D1, p1) && !pending(D1, p2));
    CHECK(!env_error);
}

static void alloc_unbound_other_domain(void)
{
    struct evtchn_status st;
    uint32_t p;

    fresh();
    /* The privileged domain allocates in dom1; DOMID_SELF remote = dom0. */
    CHECK_EQ(alloc_unbound(D0, 1, DOMID_SELF, &p), 0);
    CHECK_EQ(p, 1);
    CHECK_EQ(evtchn_port_of(D1, 1)->state, EVTCHN_UNBOUND);
    CHECK_EQ(evtchn_port_of(D1, 1)->remote_dom, 0);
    CHECK_EQ(evtchn_port_of(D0, 1)->state, EVTCHN_FREE);
    CHECK_EQ(status(D0, 1, 1, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    /* An unprivileged domain may not; the port stays free. */
    CHECK_EQ(alloc_unbound(D2, 1, 2, NULL), -XEN_EPERM);
    CHECK_EQ(evtchn_port_of(D1, 2)->state, EVTCHN_FREE);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p), 0);
    CHECK_EQ(p, 2);
    /* No such domain. */
    CHECK_EQ(alloc_unbound(D0, NO_DOM, 0, NULL), -XEN_ESRCH);
    CHECK_EQ(alloc_unbound(D0, DOMID_IO, 0, NULL), -XEN_ESRCH);
    CHECK_EQ(alloc_unbound(D1, DOMID_XEN, 0, NULL), -XEN_ESRCH);
    doms[2].live = false;
    CHECK_EQ(alloc_unbound(D0, 2, 0, NULL), -XEN_ESRCH);
    CHECK(!env_error);
}

/* ---- port numbers: buckets, exhaustion ---- */

static void bucket_growth(void)
{
    uint32_t p;

    fresh();
    for (uint32_t i = 1; i < 64; i++) {
        CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p), 0);
        CHECK_EQ(p, i);
    }
    CHECK_EQ(D1->valid_ports, 64);
    CHECK_EQ(stat_of(D1, 64), -XEN_EINVAL);
    CHECK_EQ(do_unmask(D1, 64), -XEN_EINVAL);
    CHECK_EQ(do_send(D1, 100), -XEN_EINVAL);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p), 0);
    CHECK_EQ(p, 64);
    CHECK_EQ(D1->valid_ports, 128);
    CHECK_EQ(stat_of(D1, 127), EVTCHNSTAT_closed);
    CHECK_EQ(stat_of(D1, 128), -XEN_EINVAL);
    /* Buckets stay valid after their ports are closed. */
    CHECK_EQ(do_close(D1, 64), 0);
    CHECK_EQ(stat_of(D1, 100), EVTCHNSTAT_closed);
    CHECK_EQ(do_close(D1, 64), -XEN_EINVAL);
    /* A failed allocation has still grown the table, as on Xen. */
    fresh();
    for (uint32_t i = 1; i < 64; i++)
        CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, NULL), 0);
    CHECK_EQ(alloc_unbound(D2, 1, 0, NULL), -XEN_EPERM);
    CHECK_EQ(D1->valid_ports, 128);
    CHECK(!env_error);
}

static void exhaustion(void)
{
    struct evtchn_status st;
    uint32_t p, rp;

    fresh();
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &rp), 0);
    for (uint32_t i = 1; i < EVTCHN_MAX_PORTS; i++) {
        CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p), 0);
        CHECK_EQ(p, i);
    }
    CHECK_EQ(D1->valid_ports, EVTCHN_MAX_PORTS);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(alloc_unbound(D0, 1, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(alloc_unbound(D2, 1, 0, NULL), -XEN_ENOSPC);       /* no room is found before no right */
    CHECK_EQ(bind_ipi(D1, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 9, NULL), -XEN_ENOENT);  /* argument checks come first */
    CHECK_EQ(bind_interdomain(D1, 2, rp, NULL), -XEN_ENOSPC);
    CHECK_EQ(bind_interdomain(D1, NO_DOM, rp, NULL), -XEN_ESRCH);
    CHECK_EQ(evtchn_port_of(D2, rp)->state, EVTCHN_UNBOUND);
    CHECK_EQ(status(D1, DOMID_SELF, 4095, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(stat_of(D1, 4096), -XEN_EINVAL);
    /* The last port works like any other. */
    CHECK_EQ(do_close(D1, 4095), 0);
    CHECK_EQ(bind_interdomain(D1, 2, rp, &p), 0);
    CHECK_EQ(p, 4095);
    CHECK(pending(D1, 4095));
    CHECK_EQ(sel(D1, 0), 1ul << 63);
    CHECK_EQ(do_send(D2, rp), 0);
    CHECK(pending(D1, 4095));
    CHECK_EQ(do_send(D1, 4095), 0);
    CHECK(pending(D2, rp));
    CHECK(!env_error);
}

/* ---- interdomain ---- */

static void bind_interdomain_ok(void)
{
    struct evtchn_status st;
    uint32_t rp, lp;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &rp), 0);
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 0, NULL), 0);      /* so the ports differ */
    CHECK_EQ(bind_interdomain(D2, 1, rp, &lp), 0);
    CHECK_EQ(lp, 2);
    CHECK_EQ(status(D2, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.dom, 1);
    CHECK_EQ(st.u.interdomain.port, rp);
    CHECK_EQ(st.vcpu, 0);
    CHECK_EQ(status(D1, DOMID_SELF, rp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.dom, 2);
    CHECK_EQ(st.u.interdomain.port, lp);
    /* The new local end starts pending (events sent to the unbound end are
     * not lost); the remote end does not. */
    CHECK(pending(D2, lp));
    CHECK_EQ(sel(D2, 0), 1);
    CHECK_EQ(upcall(D2, 0), 1);
    CHECK_EQ(kicks(D2, 0), 1);
    CHECK(!pending(D1, rp));
    CHECK_EQ(kicks(D1, 0), 0);
    /* Events both ways. */
    CHECK_EQ(do_send(D2, lp), 0);
    CHECK(pending(D1, rp));
    CHECK_EQ(kicks(D1, 0), 1);
    clear_pending(D2, lp);
    ack_vcpu(D2, 0);
    CHECK_EQ(do_send(D1, rp), 0);
    CHECK(pending(D2, lp));
    CHECK_EQ(upcall(D2, 0), 1);
    CHECK_EQ(kicks(D2, 0), 2);
    CHECK(!env_error);
}

static void bind_interdomain_errors(void)
{
    uint32_t rp, other, lp;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &rp), 0);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &other), 0);
    CHECK_EQ(bind_interdomain(D2, NO_DOM, rp, NULL), -XEN_ESRCH);
    CHECK_EQ(bind_interdomain(D2, DOMID_XEN, rp, NULL), -XEN_ESRCH);
    CHECK_EQ(bind_interdomain(D2, 1, 64, NULL), -XEN_EINVAL);        /* no such port */
    CHECK_EQ(bind_interdomain(D2, 1, 0xffffffffu, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_interdomain(D2, 1, 0, NULL), -XEN_EINVAL);         /* reserved */
    CHECK_EQ(bind_interdomain(D2, 1, 5, NULL), -XEN_EINVAL);         /* free */
    CHECK_EQ(bind_interdomain(D2, 1, other, NULL), -XEN_EINVAL);     /* offered to dom0 */
    CHECK_EQ(bind_interdomain(D0, 1, rp, NULL), -XEN_EINVAL);        /* offered to dom2, not dom0 */
    /* None of that used a port. */
    CHECK_EQ(evtchn_port_of(D2, 1)->state, EVTCHN_FREE);
    CHECK_EQ(evtchn_port_of(D0, 1)->state, EVTCHN_FREE);
    CHECK_EQ(bind_interdomain(D2, 1, rp, &lp), 0);
    CHECK_EQ(lp, 1);
    /* A connected port cannot be bound again. */
    CHECK_EQ(bind_interdomain(D2, 1, rp, NULL), -XEN_EINVAL);
    CHECK_EQ(evtchn_port_of(D2, 2)->state, EVTCHN_FREE);
    /* VIRQ and IPI ports are not offers. */
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 0, &rp), 0);
    CHECK_EQ(bind_interdomain(D2, 1, rp, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_ipi(D1, 0, &rp), 0);
    CHECK_EQ(bind_interdomain(D2, 1, rp, NULL), -XEN_EINVAL);
    CHECK(!env_error);
}

static void loopback(void)
{
    struct evtchn_status st;
    uint32_t a, b;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, DOMID_SELF, &a), 0);
    CHECK_EQ(bind_interdomain(D1, DOMID_SELF, a, &b), 0);
    CHECK_EQ(b, 2);
    CHECK_EQ(status(D1, DOMID_SELF, a, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.dom, 1);
    CHECK_EQ(st.u.interdomain.port, b);
    CHECK(pending(D1, b));
    CHECK(!pending(D1, a));
    CHECK_EQ(do_send(D1, b), 0);
    CHECK(pending(D1, a));
    CHECK_EQ(do_close(D1, a), 0);
    CHECK_EQ(status(D1, DOMID_SELF, b, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    CHECK(!pending(D1, a));
    CHECK(pending(D1, b));
    /* The same with the domain's own id instead of DOMID_SELF. */
    CHECK_EQ(bind_interdomain(D1, 1, b, &a), 0);
    CHECK_EQ(a, 1);
    CHECK(!env_error);
}

static void close_interdomain(void)
{
    struct evtchn_status st;
    uint32_t rp, lp, again;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &rp), 0);
    CHECK_EQ(bind_interdomain(D2, 1, rp, &lp), 0);
    CHECK_EQ(do_send(D2, lp), 0);
    set_mask(D1, rp, true);
    CHECK(pending(D1, rp));
    /* Closing dom1's end: it is free, its pending bit cleared, its mask bit
     * (the guest's) kept; dom2's end waits for dom1 again. */
    CHECK_EQ(do_close(D1, rp), 0);
    CHECK_EQ(stat_of(D1, rp), EVTCHNSTAT_closed);
    CHECK(!pending(D1, rp));
    CHECK(masked(D1, rp));
    CHECK_EQ(status(D2, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 1);
    CHECK(pending(D2, lp));                            /* the other end's bits are its own */
    CHECK_EQ(do_close(D1, rp), -XEN_EINVAL);           /* already closed */
    /* Sending on the now unbound end is accepted and goes nowhere. */
    CHECK_EQ(do_send(D2, lp), 0);
    /* dom1 can connect to it again. */
    CHECK_EQ(bind_interdomain(D1, 2, lp, &again), 0);
    CHECK_EQ(again, rp);
    CHECK_EQ(status(D2, DOMID_SELF, lp, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_interdomain);
    CHECK_EQ(st.u.interdomain.port, again);
    /* Now close from dom2's side. */
    CHECK_EQ(do_close(D2, lp), 0);
    CHECK_EQ(stat_of(D2, lp), EVTCHNSTAT_closed);
    CHECK_EQ(status(D1, DOMID_SELF, again, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 2);
    CHECK_EQ(do_close(D1, again), 0);
    CHECK_EQ(evtchn_port_of(D1, again)->state, EVTCHN_FREE);
    CHECK(!env_error);
}

/* ---- send ---- */

static void send_rules(void)
{
    uint32_t u, v, i;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &u), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_DEBUG, 0, &v), 0);
    CHECK_EQ(bind_ipi(D1, 2, &i), 0);
    CHECK_EQ(do_send(D1, u), 0);                       /* unbound: dropped */
    CHECK(!pending(D1, u));
    CHECK_EQ(do_send(D1, v), -XEN_EINVAL);             /* VIRQs are raised by the hypervisor */
    CHECK(!pending(D1, v));
    CHECK_EQ(do_send(D1, 10), -XEN_EINVAL);            /* free */
    CHECK_EQ(do_send(D1, 64), -XEN_EINVAL);            /* no such port */
    CHECK_EQ(do_send(D1, 0xffffffffu), -XEN_EINVAL);
    CHECK_EQ(pending(D1, 10), false);
    /* IPI: the bound vCPU. */
    CHECK_EQ(do_send(D1, i), 0);
    CHECK(pending(D1, i));
    CHECK_EQ(sel(D1, 2), 1);
    CHECK_EQ(upcall(D1, 2), 1);
    CHECK_EQ(kicks(D1, 2), 1);
    CHECK_EQ(sel(D1, 0), 0);
    CHECK_EQ(kicks(D1, 0), 0);
    CHECK(!env_error);
}

/* ---- the 2-level rules ---- */

static void pending_bits(void)
{
    uint32_t p;

    fresh();
    /* Put an IPI port in the third pending word. */
    for (int k = 0; k < 129; k++)
        CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, NULL), 0);
    CHECK_EQ(bind_ipi(D1, 1, &p), 0);
    CHECK_EQ(p, 130);
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(doms[1].si.evtchn_pending[2], 1ul << 2);
    CHECK_EQ(doms[1].si.evtchn_pending[0] | doms[1].si.evtchn_pending[1], 0);
    CHECK_EQ(sel(D1, 1), 1ul << 2);
    CHECK_EQ(upcall(D1, 1), 1);
    CHECK_EQ(kicks(D1, 1), 1);
    CHECK_EQ(doms[1].pending_notes, 1);
    CHECK_EQ(doms[1].last_noted, p);
    /* Already pending: nothing more happens, even after the guest acked the vCPU. */
    ack_vcpu(D1, 1);
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(sel(D1, 1), 0);
    CHECK_EQ(upcall(D1, 1), 0);
    CHECK_EQ(kicks(D1, 1), 1);
    CHECK_EQ(doms[1].pending_notes, 1);
    /* Selector bit already set: the upcall flag is left to whoever set it. */
    clear_pending(D1, p);
    fake_of(D1)->si.vcpu_info[1].evtchn_pending_sel = 1ul << 2;
    CHECK_EQ(do_send(D1, p), 0);
    CHECK(pending(D1, p));
    CHECK_EQ(upcall(D1, 1), 0);
    CHECK_EQ(kicks(D1, 1), 1);
    CHECK_EQ(doms[1].pending_notes, 2);
    /* Another word's selector bit does not stop it. */
    clear_pending(D1, p);
    fake_of(D1)->si.vcpu_info[1].evtchn_pending_sel = 1ul << 3;
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(sel(D1, 1), (1ul << 3) | (1ul << 2));
    CHECK_EQ(upcall(D1, 1), 1);
    CHECK_EQ(kicks(D1, 1), 2);
    /* The guest's other bits are never touched. */
    ack_vcpu(D1, 1);
    clear_pending(D1, p);
    doms[1].si.evtchn_pending[2] = 0xf0f0f0f0f0f0f0f0ul;
    doms[1].si.evtchn_mask[2] = 0x0f0f0f0f0f0f0f00ul;
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(doms[1].si.evtchn_pending[2], 0xf0f0f0f0f0f0f0f4ul);
    CHECK_EQ(doms[1].si.evtchn_mask[2], 0x0f0f0f0f0f0f0f00ul);
    CHECK(!env_error);
}

static void masked_port(void)
{
    uint32_t p;

    fresh();
    CHECK_EQ(bind_ipi(D1, 3, &p), 0);
    set_mask(D1, p, true);
    CHECK_EQ(do_send(D1, p), 0);
    CHECK(pending(D1, p));
    CHECK_EQ(sel(D1, 3), 0);
    CHECK_EQ(upcall(D1, 3), 0);
    CHECK_EQ(kicks(D1, 3), 0);
    /* Pollers still hear about it: polled ports are masked. */
    CHECK_EQ(doms[1].pending_notes, 1);
    CHECK_EQ(evtchn_core_poll(D1, p), 1);
    CHECK(!env_error);
}

static void unmask_rules(void)
{
    uint32_t p, q;

    fresh();
    CHECK_EQ(bind_ipi(D1, 1, &p), 0);
    /* Masked and pending: unmasking raises what was held back. */
    set_mask(D1, p, true);
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(kicks(D1, 1), 0);
    CHECK_EQ(do_unmask(D1, p), 0);
    CHECK(!masked(D1, p));
    CHECK(pending(D1, p));
    CHECK_EQ(sel(D1, 1), 1);
    CHECK_EQ(upcall(D1, 1), 1);
    CHECK_EQ(kicks(D1, 1), 1);
    /* Unmasking an unmasked pending port does not raise it again. */
    ack_vcpu(D1, 1);
    CHECK_EQ(do_unmask(D1, p), 0);
    CHECK_EQ(sel(D1, 1), 0);
    CHECK_EQ(kicks(D1, 1), 1);
    /* Masked, not pending: just unmasked. */
    clear_pending(D1, p);
    set_mask(D1, p, true);
    CHECK_EQ(do_unmask(D1, p), 0);
    CHECK(!masked(D1, p));
    CHECK_EQ(sel(D1, 1), 0);
    CHECK_EQ(upcall(D1, 1), 0);
    /* Selector bit already set: the upcall is not raised again. */
    set_mask(D1, p, true);
    CHECK_EQ(do_send(D1, p), 0);
    fake_of(D1)->si.vcpu_info[1].evtchn_pending_sel = 1;
    CHECK_EQ(do_unmask(D1, p), 0);
    CHECK_EQ(upcall(D1, 1), 0);
    CHECK_EQ(kicks(D1, 1), 1);
    /* The vCPU told is the port's, after bind_vcpu too. */
    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &q), 0);
    CHECK_EQ(bind_vcpu(D1, q, 3), 0);
    set_mask(D1, q, true);
    fake_of(D1)->si.evtchn_pending[0] |= 1ul << q;     /* the guest may set it itself */
    CHECK_EQ(do_unmask(D1, q), 0);
    CHECK_EQ(sel(D1, 3), 1);
    CHECK_EQ(kicks(D1, 3), 1);
    CHECK_EQ(kicks(D1, 0), 0);
    /* A port not bound is left alone (and it is not an error). */
    set_mask(D1, 20, true);
    fake_of(D1)->si.evtchn_pending[0] |= 1ul << 20;
    CHECK_EQ(do_unmask(D1, 20), 0);
    CHECK(masked(D1, 20));
    CHECK_EQ(do_unmask(D1, 64), -XEN_EINVAL);
    CHECK_EQ(do_unmask(D1, 0xffffffffu), -XEN_EINVAL);
    CHECK(!env_error);
}

/* ---- VIRQs ---- */

static void bind_virq_ok(void)
{
    struct evtchn_status st;
    uint32_t t0, t1, t3, exc, con;

    fresh();
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 0, &t0), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 1, &t1), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 3, &t3), 0);
    CHECK(t0 != t1 && t1 != t3 && t0 != t3);
    CHECK_EQ(bind_virq(D1, VIRQ_DOM_EXC, 0, &exc), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_CONSOLE, 0, &con), 0);
    CHECK_EQ(status(D1, DOMID_SELF, t3, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_virq);
    CHECK_EQ(st.u.virq, VIRQ_TIMER);
    CHECK_EQ(st.vcpu, 3);
    CHECK_EQ(status(D1, DOMID_SELF, exc, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_virq);
    CHECK_EQ(st.u.virq, VIRQ_DOM_EXC);
    CHECK_EQ(st.vcpu, 0);
    /* Raising: the vCPU's own port. */
    CHECK_EQ(evtchn_core_raise_virq(D1, 3, VIRQ_TIMER), 0);
    CHECK(pending(D1, t3));
    CHECK(!pending(D1, t0) && !pending(D1, t1));
    CHECK_EQ(upcall(D1, 3), 1);
    CHECK_EQ(kicks(D1, 3), 1);
    CHECK_EQ(evtchn_core_raise_virq(D1, 2, VIRQ_TIMER), -XEN_ENOENT);     /* not bound there */
    CHECK_EQ(evtchn_core_raise_virq(D1, 0, VIRQ_DEBUG), -XEN_ENOENT);
    CHECK_EQ(evtchn_core_raise_virq(D1, 4, VIRQ_TIMER), -XEN_ENOENT);     /* no such vCPU */
    CHECK_EQ(evtchn_core_raise_virq(D1, 0, NR_VIRQS), -XEN_ENOENT);
    CHECK_EQ(evtchn_core_raise_virq(D1, 0, 1000), -XEN_ENOENT);
    /* A global VIRQ is the domain's, whichever vCPU raises it. */
    CHECK_EQ(evtchn_core_raise_virq(D1, 2, VIRQ_DOM_EXC), 0);
    CHECK(pending(D1, exc));
    CHECK_EQ(kicks(D1, 0), 1);
    CHECK_EQ(kicks(D1, 2), 0);
    /* Closing unbinds it, and it can be bound again. */
    CHECK_EQ(do_close(D1, t1), 0);
    CHECK_EQ(evtchn_core_raise_virq(D1, 1, VIRQ_TIMER), -XEN_ENOENT);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 1, &t1), 0);
    CHECK_EQ(evtchn_core_raise_virq(D1, 1, VIRQ_TIMER), 0);
    CHECK(pending(D1, t1));
    CHECK_EQ(do_close(D1, exc), 0);
    CHECK_EQ(evtchn_core_raise_virq(D1, 0, VIRQ_DOM_EXC), -XEN_ENOENT);
    CHECK_EQ(bind_virq(D1, VIRQ_DOM_EXC, 0, NULL), 0);
    CHECK(!env_error);
}

static void bind_virq_errors(void)
{
    fresh();
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 1, NULL), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 1, NULL), -XEN_EEXIST);
    CHECK_EQ(bind_virq(D1, VIRQ_DOM_EXC, 0, NULL), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_DOM_EXC, 0, NULL), -XEN_EEXIST);
    CHECK_EQ(bind_virq(D1, NR_VIRQS, 0, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_virq(D1, 0x80000000u, 0, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_virq(D1, 0xffffffffu, 0, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_virq(D1, VIRQ_CONSOLE, 1, NULL), -XEN_EINVAL);     /* global: vCPU 0 only */
    CHECK_EQ(bind_virq(D1, VIRQ_ARCH_0, 0xffffffffu, NULL), -XEN_EINVAL);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 4, NULL), -XEN_ENOENT);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 0xffffffffu, NULL), -XEN_ENOENT);
    CHECK_EQ(bind_virq(D2, VIRQ_TIMER, 1, NULL), -XEN_ENOENT);       /* dom2 has one vCPU */
    CHECK_EQ(bind_virq(D1, VIRQ_XENPMU, 3, NULL), 0);
    CHECK_EQ(evtchn_port_of(D1, 3)->state, EVTCHN_VIRQ);
    CHECK_EQ(evtchn_port_of(D1, 4)->state, EVTCHN_FREE);
    CHECK(!env_error);
}

/* ---- IPIs, pirqs ---- */

static void bind_ipi_cases(void)
{
    struct evtchn_status st;
    uint32_t a, b;

    fresh();
    CHECK_EQ(bind_ipi(D1, 0, &a), 0);
    CHECK_EQ(bind_ipi(D1, 3, &b), 0);
    CHECK_EQ(bind_ipi(D1, 4, NULL), -XEN_ENOENT);
    CHECK_EQ(bind_ipi(D1, 0xffffffffu, NULL), -XEN_ENOENT);
    CHECK_EQ(bind_ipi(D2, 1, NULL), -XEN_ENOENT);
    CHECK_EQ(status(D1, DOMID_SELF, b, &st), 0);
    CHECK_EQ(st.status, EVTCHNSTAT_ipi);
    CHECK_EQ(st.vcpu, 3);
    CHECK_EQ(do_send(D1, b), 0);
    CHECK_EQ(kicks(D1, 3), 1);
    CHECK_EQ(do_close(D1, b), 0);
    CHECK(!pending(D1, b));
    CHECK_EQ(do_send(D1, b), -XEN_EINVAL);
    CHECK(!env_error);
}

static void bind_pirq_refused(void)
{
    fresh();
    CHECK_EQ(bind_pirq(D0, 0), -XEN_EPERM);
    CHECK_EQ(bind_pirq(D0, 9), -XEN_EPERM);
    CHECK_EQ(bind_pirq(D1, EVTCHN_NR_PIRQS - 1), -XEN_EPERM);
    CHECK_EQ(bind_pirq(D1, EVTCHN_NR_PIRQS), -XEN_EINVAL);
    CHECK_EQ(bind_pirq(D1, 0xffffffffu), -XEN_EINVAL);
    CHECK_EQ(evtchn_port_of(D0, 1)->state, EVTCHN_FREE);
    CHECK(!env_error);
}

/* ---- bind_vcpu ---- */

static void bind_vcpu_cases(void)
{
    struct evtchn_status st;
    uint32_t u, idp, rp, timer, con, ipi;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &u), 0);
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &rp), 0);
    CHECK_EQ(bind_interdomain(D1, 2, rp, &idp), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 1, &timer), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_CONSOLE, 0, &con), 0);
    CHECK_EQ(bind_ipi(D1, 2, &ipi), 0);
    ack_vcpu(D1, 0);
    clear_pending(D1, idp);

    CHECK_EQ(bind_vcpu(D1, u, 3), 0);
    CHECK_EQ(status(D1, DOMID_SELF, u, &st), 0);
    CHECK_EQ(st.vcpu, 3);
    CHECK_EQ(bind_vcpu(D1, idp, 2), 0);
    CHECK_EQ(do_send(D2, rp), 0);
    CHECK_EQ(sel(D1, 2), 1);
    CHECK_EQ(kicks(D1, 2), 1);
    CHECK_EQ(sel(D1, 0), 0);
    /* A global VIRQ moves; raising it still works through vCPU 0's table. */
    CHECK_EQ(bind_vcpu(D1, con, 1), 0);
    CHECK_EQ(evtchn_core_raise_virq(D1, 0, VIRQ_CONSOLE), 0);
    CHECK_EQ(kicks(D1, 1), 1);
    CHECK_EQ(status(D1, DOMID_SELF, con, &st), 0);
    CHECK_EQ(st.vcpu, 1);
    /* ... and closing it frees the VIRQ for vCPU 0 again. */
    CHECK_EQ(do_close(D1, con), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_CONSOLE, 0, &con), 0);
    /* Per-vCPU VIRQs and IPIs stay where they are. */
    CHECK_EQ(bind_vcpu(D1, timer, 0), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D1, timer, 1), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D1, ipi, 0), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D1, 30, 0), -XEN_EINVAL);       /* free */
    CHECK_EQ(bind_vcpu(D1, 0, 0), -XEN_EINVAL);        /* reserved */
    CHECK_EQ(bind_vcpu(D1, 64, 0), -XEN_EINVAL);       /* no such port */
    /* The vCPU is checked first. */
    CHECK_EQ(bind_vcpu(D1, u, 4), -XEN_ENOENT);
    CHECK_EQ(bind_vcpu(D1, 64, 4), -XEN_ENOENT);
    CHECK_EQ(bind_vcpu(D1, u, 0xffffffffu), -XEN_ENOENT);
    /* With one vCPU only vCPU 0 is a target. */
    CHECK_EQ(bind_vcpu(D2, rp, 1), -XEN_ENOENT);
    CHECK_EQ(bind_vcpu(D2, rp, 0), 0);
    /* Closing forgets the vCPU. */
    CHECK_EQ(do_close(D1, u), 0);
    CHECK_EQ(status(D1, DOMID_SELF, u, &st), 0);
    CHECK_EQ(st.vcpu, 0);
    CHECK(!env_error);
}

/* ---- status ---- */

static void status_cases(void)
{
    struct evtchn_status st;
    uint32_t p;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 2, &p), 0);
    CHECK_EQ(status(D1, NO_DOM, p, &st), -XEN_ESRCH);
    CHECK_EQ(status(D2, 1, p, &st), -XEN_EPERM);
    CHECK_EQ(status(D2, 1, 64, &st), -XEN_EINVAL);     /* the port is checked before the right */
    CHECK_EQ(status(D2, NO_DOM, 64, &st), -XEN_ESRCH);
    CHECK_EQ(status(D0, 1, p, &st), 0);               /* privileged */
    CHECK_EQ(st.status, EVTCHNSTAT_unbound);
    CHECK_EQ(st.u.unbound.dom, 2);
    CHECK_EQ(st.dom, 1);
    CHECK_EQ(st.port, p);
    CHECK_EQ(status(D1, 1, p, &st), 0);               /* its own id */
    CHECK(!env_error);
}

/* ---- reset ---- */

static void reset_self(void)
{
    uint32_t rp, lp, t, i, u;

    fresh();
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &rp), 0);
    CHECK_EQ(bind_interdomain(D1, 2, rp, &lp), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 2, &t), 0);
    CHECK_EQ(bind_ipi(D1, 1, &i), 0);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &u), 0);
    for (int k = 0; k < 100; k++)
        CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, NULL), 0);
    CHECK_EQ(do_send(D1, i), 0);
    CHECK_EQ(evtchn_core_raise_virq(D1, 2, VIRQ_TIMER), 0);
    CHECK_EQ(do_reset(D1, DOMID_SELF, false), 0);
    for (uint32_t p = 1; p < D1->valid_ports; p++)
        CHECK_EQ(evtchn_port_of(D1, p)->state, EVTCHN_FREE);
    CHECK_EQ(evtchn_port_of(D1, 0)->state, EVTCHN_RESERVED);
    CHECK_EQ(D1->valid_ports, 128);                    /* the buckets stay */
    CHECK(!pending(D1, lp) && !pending(D1, t) && !pending(D1, i));
    CHECK_EQ(evtchn_port_of(D2, rp)->state, EVTCHN_UNBOUND);
    CHECK_EQ(evtchn_port_of(D2, rp)->remote_dom, 1);
    CHECK_EQ(evtchn_core_raise_virq(D1, 2, VIRQ_TIMER), -XEN_ENOENT);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 2, &t), 0);
    CHECK_EQ(t, 1);
    /* By its own id too; then nothing is under way for a continuation. */
    CHECK_EQ(do_reset(D1, 1, false), 0);
    CHECK_EQ(evtchn_port_of(D1, 1)->state, EVTCHN_FREE);
    CHECK_EQ(do_reset(D1, DOMID_SELF, true), -XEN_EBUSY);
    CHECK(!env_error);
}

static void reset_other(void)
{
    uint32_t p;

    fresh();
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, 0, &p), 0);
    CHECK_EQ(do_reset(D1, NO_DOM, false), -XEN_ESRCH);
    CHECK_EQ(do_reset(D2, 1, false), -XEN_EPERM);
    CHECK_EQ(do_reset(D0, 1, false), -XEN_EINVAL);     /* privileged, but the domain runs */
    CHECK_EQ(evtchn_port_of(D1, p)->state, EVTCHN_UNBOUND);
    doms[1].paused = true;
    CHECK_EQ(do_reset(D2, 1, false), -XEN_EPERM);
    CHECK_EQ(do_reset(D0, 1, false), 0);
    CHECK_EQ(evtchn_port_of(D1, p)->state, EVTCHN_FREE);
    CHECK(!env_error);
}

static void reset_preempted(void)
{
    uint32_t rp, lp;
    int rc, rounds = 0;

    fresh();
    for (int k = 0; k < 300; k++)
        CHECK_EQ(bind_ipi(D1, (uint32_t)k % 4, NULL), 0);
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &rp), 0);
    CHECK_EQ(bind_interdomain(D1, 2, rp, &lp), 0);
    CHECK_EQ(lp, 301);
    preempt_countdown = 1;                 /* stop at the second check: after port 128 */
    CHECK_EQ(do_reset(D1, DOMID_SELF, false), -XEN_ERESTART);
    CHECK_EQ(D1->reset_next, 129);
    CHECK_EQ(evtchn_port_of(D1, 127)->state, EVTCHN_FREE);
    CHECK_EQ(evtchn_port_of(D1, 129)->state, EVTCHN_IPI);
    /* A new reset while one is under way is refused. */
    CHECK_EQ(do_reset(D1, DOMID_SELF, false), -XEN_EBUSY);
    preempt_countdown = 0;                 /* stop at every check */
    while ((rc = do_reset(D1, DOMID_SELF, true)) == -XEN_ERESTART && rounds < 100)
        rounds++;
    CHECK_EQ(rc, 0);
    CHECK_EQ(rounds, 2);                   /* stopped after 192 and 256; 320 is the end */
    CHECK_EQ(D1->reset_next, 0);
    for (uint32_t p = 1; p < D1->valid_ports; p++)
        CHECK_EQ(evtchn_port_of(D1, p)->state, EVTCHN_FREE);
    CHECK_EQ(evtchn_port_of(D2, rp)->state, EVTCHN_UNBOUND);
    CHECK_EQ(do_reset(D1, DOMID_SELF, true), -XEN_EBUSY);
    CHECK(!env_error);
}

/* ---- the FIFO ABI: its refusals while the domain is on 2-level ---- */

static void fifo_refused(void)
{
    struct evtchn_init_control ic = { .control_gfn = 0x1234, .offset = 0, .vcpu = 0 };
    struct evtchn_expand_array ea = { .array_gfn = 0x1234 };
    struct evtchn_set_priority sp = { .port = 1, .priority = 7 };
    uint32_t p;

    fresh();
    /* A frame the domain cannot write: -EINVAL, and the domain stays on 2-level. */
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_EINVAL);
    CHECK(D1->fifo == NULL);
    CHECK_EQ(frames_live, 1);           /* only the VIRQ rows of D1's vCPUs 1..3 */
    ic.offset = 4096 - sizeof(struct evtchn_fifo_control_block);
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_EINVAL);
    ic.offset += 8;
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_EINVAL);
    ic.offset = 4;
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_EINVAL);
    ic.offset = 0;
    ic.vcpu = 4;
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_ENOENT);
    ic.offset = 4;
    CHECK_EQ(evtchn_op_init_control(D1, &ic), -XEN_ENOENT);
    CHECK_EQ(evtchn_op_expand_array(D1, &ea), -XEN_EOPNOTSUPP);
    CHECK_EQ(evtchn_op_set_priority(D1, &sp), -XEN_ENOSYS);     /* free, but a valid port */
    CHECK_EQ(bind_ipi(D1, 0, &p), 0);
    sp.port = p;
    CHECK_EQ(evtchn_op_set_priority(D1, &sp), -XEN_ENOSYS);
    sp.port = 64;
    CHECK_EQ(evtchn_op_set_priority(D1, &sp), -XEN_EINVAL);
    CHECK(!env_error);
}

/* ---- tear-down, odd environments ---- */

static void close_all(void)
{
    uint32_t a, b, c, d, p;

    fresh();
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &a), 0);
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &b), 0);
    CHECK_EQ(bind_interdomain(D1, 2, a, NULL), 0);
    CHECK_EQ(bind_interdomain(D1, 2, b, NULL), 0);
    CHECK_EQ(alloc_unbound(D1, DOMID_SELF, DOMID_SELF, &c), 0);
    CHECK_EQ(bind_interdomain(D1, DOMID_SELF, c, &d), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_TIMER, 0, NULL), 0);
    CHECK_EQ(bind_virq(D1, VIRQ_DOM_EXC, 0, NULL), 0);
    for (int k = 0; k < 70; k++)
        CHECK_EQ(bind_ipi(D1, 1, NULL), 0);
    evtchn_core_close_all(D1);
    for (uint32_t q = 1; q < D1->valid_ports; q++)
        CHECK_EQ(evtchn_port_of(D1, q)->state, EVTCHN_FREE);
    CHECK_EQ(doms[1].si.evtchn_pending[0] | doms[1].si.evtchn_pending[1], 0);
    CHECK_EQ(evtchn_port_of(D2, a)->state, EVTCHN_UNBOUND);
    CHECK_EQ(evtchn_port_of(D2, a)->remote_dom, 1);
    CHECK_EQ(evtchn_port_of(D2, b)->state, EVTCHN_UNBOUND);
    /* The domain is gone: its peers' ports are ordinary unbound ones. */
    doms[1].live = false;
    CHECK_EQ(do_send(D2, a), 0);
    CHECK_EQ(bind_interdomain(D2, 1, 1, NULL), -XEN_ESRCH);
    CHECK_EQ(alloc_unbound(D2, DOMID_SELF, 1, &p), 0);
    CHECK(!env_error);
}

static void no_shared_info(void)
{
    uint32_t rp, lp;

    fresh();
    doms[1].has_si = false;           /* dom1 is still being built */
    CHECK_EQ(alloc_unbound(D0, 1, DOMID_SELF, &rp), 0);
    CHECK_EQ(bind_interdomain(D0, 1, rp, &lp), 0);
    CHECK_EQ(do_send(D0, lp), 0);
    CHECK_EQ(evtchn_core_poll(D1, rp), 0);
    CHECK_EQ(do_unmask(D1, rp), 0);
    CHECK_EQ(kicks(D1, 0), 0);
    CHECK_EQ(do_send(D1, rp), 0);
    CHECK(pending(D0, lp));
    CHECK_EQ(do_close(D1, rp), 0);
    CHECK(!env_error);
}

static void poll_cases(void)
{
    uint32_t p;

    fresh();
    CHECK_EQ(bind_ipi(D1, 0, &p), 0);
    CHECK_EQ(evtchn_core_poll(D1, p), 0);
    CHECK_EQ(do_send(D1, p), 0);
    CHECK_EQ(evtchn_core_poll(D1, p), 1);
    CHECK_EQ(evtchn_core_poll(D1, 64), -XEN_EINVAL);
    CHECK_EQ(evtchn_core_poll(D1, 0xffffffffu), -XEN_EINVAL);
    /* A port that exists but is not bound: -EINVAL, as on Xen, pending bit or not. */
    CHECK_EQ(evtchn_core_poll(D1, 0), -XEN_EINVAL);
    CHECK_EQ(evtchn_core_poll(D1, 9), -XEN_EINVAL);
    fake_of(D1)->si.evtchn_pending[0] |= 1ul << 9;     /* set by the guest on a free port */
    CHECK_EQ(evtchn_core_poll(D1, 9), -XEN_EINVAL);
    CHECK(!env_error);
}

/* ---- randomized, against a model ---- */

struct mport { int state; unsigned vcpu, rdom, rport, virq; };
struct mdom {
    struct mport p[EVTCHN_MAX_PORTS];
    unsigned valid, nr_vcpus, reset_next;
    unsigned virq[EVTCHN_MAX_VCPUS][NR_VIRQS];
    bool pend[EVTCHN_MAX_PORTS], mask[EVTCHN_MAX_PORTS];
    uint64_t sel[EVTCHN_MAX_VCPUS];
    bool up[EVTCHN_MAX_VCPUS];
    unsigned kicks[EVTCHN_MAX_VCPUS], notes;
    bool priv, paused;
};

static struct mdom model[NDOMS];
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

static bool m_global(unsigned virq)
{
    return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU);
}

static struct mdom *m_dom(int self, domid_t id, int *idx)
{
    if (id == DOMID_SELF)
        id = (domid_t)self;
    if (id >= NDOMS)
        return NULL;
    *idx = id;
    return &model[id];
}

static int m_alloc(struct mdom *m)
{
    for (unsigned port = 1; port < EVTCHN_MAX_PORTS; port++) {
        if (port >= m->valid)
            m->valid += 64;
        if (m->p[port].state == EVTCHN_FREE)
            return (int)port;
    }
    return -XEN_ENOSPC;
}

static void m_set_pending(struct mdom *m, unsigned vcpu, unsigned port)
{
    if (m->pend[port])
        return;
    m->pend[port] = true;
    if (!m->mask[port] && !(m->sel[vcpu] & (1ull << (port / 64)))) {
        m->sel[vcpu] |= 1ull << (port / 64);
        m->up[vcpu] = true;
        m->kicks[vcpu]++;
    }
    m->notes++;
}

static int m_close(int di, unsigned port)
{
    struct mdom *m = &model[di];
    struct mport *p;

    if (port >= m->valid)
        return -XEN_EINVAL;
    p = &m->p[port];
    if (p->state == EVTCHN_FREE || p->state == EVTCHN_RESERVED)
        return -XEN_EINVAL;
    if (p->state == EVTCHN_VIRQ)
        m->virq[m_global(p->virq) ? 0 : p->vcpu][p->virq] = 0;
    if (p->state == EVTCHN_INTERDOMAIN) {
        struct mport *q = &model[p->rdom].p[p->rport];
        q->state = EVTCHN_UNBOUND;
        q->rdom = (unsigned)di;
        q->rport = 0;
    }
    m->pend[port] = false;
    *p = (struct mport){ 0 };
    return 0;
}

/* One random operation on both the core and the model; false on a mismatch. */
static bool random_step(char *why, size_t len)
{
    int self = (int)rnd(NDOMS), ti = 0;
    struct evtchn_domain *ed = &doms[self].ed;
    struct mdom *m = &model[self], *t;
    static const domid_t ids[] = { 0, 1, 2, NO_DOM, DOMID_SELF, DOMID_SELF };
    domid_t dom = ids[rnd(6)];
    uint32_t port = rnd(8) == 0 ? rnd(5000) : rnd(m->valid + 4);
    /* Now and then a vCPU the domain lacks: just past its last, or far beyond. */
    uint32_t vcpu = rnd(10) == 0 ? (rnd(4) ? rnd(m->nr_vcpus + 5) : 0xffffff00u | rnd(256)) : rnd(m->nr_vcpus);
    uint32_t virq = rnd(10) == 0 ? rnd(30) : rnd(5);
    int op = (int)rnd(16), rc = 0, want = 0;
    uint32_t out = 0, want_out = 0;

    switch (op) {
    case 0: {                                           /* alloc_unbound */
        domid_t remote = ids[rnd(6)];
        struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
        rc = evtchn_op_alloc_unbound(ed, &a);
        out = a.port;
        if (!(t = m_dom(self, dom, &ti)))
            want = -XEN_ESRCH;
        else if ((want = m_alloc(t)) >= 0) {
            if (t != m && !m->priv)
                want = -XEN_EPERM;
            else {
                t->p[want] = (struct mport){ .state = EVTCHN_UNBOUND,
                                             .rdom = remote == DOMID_SELF ? (unsigned)self : remote };
                want_out = (uint32_t)want;
                want = 0;
            }
        }
        break;
    }
    case 1: {                                           /* bind_interdomain */
        struct evtchn_bind_interdomain b = { .remote_dom = dom, .remote_port = port };
        int lp;
        rc = evtchn_op_bind_interdomain(ed, &b);
        out = b.local_port;
        if (!(t = m_dom(self, dom, &ti)))
            want = -XEN_ESRCH;
        else if ((lp = m_alloc(m)) < 0)
            want = lp;
        else if (port >= t->valid || t->p[port].state != EVTCHN_UNBOUND || t->p[port].rdom != (unsigned)self)
            want = -XEN_EINVAL;
        else {
            m->p[lp] = (struct mport){ .state = EVTCHN_INTERDOMAIN, .rdom = (unsigned)ti, .rport = port };
            t->p[port].state = EVTCHN_INTERDOMAIN;
            t->p[port].rdom = (unsigned)self;
            t->p[port].rport = (unsigned)lp;
            m_set_pending(m, 0, (unsigned)lp);
            want_out = (uint32_t)lp;
        }
        break;
    }
    case 2: {                                           /* bind_virq */
        struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
        int p;
        rc = evtchn_op_bind_virq(ed, &b);
        out = b.port;
        if (virq >= NR_VIRQS || (m_global(virq) && vcpu != 0))
            want = -XEN_EINVAL;
        else if (vcpu >= m->nr_vcpus)
            want = -XEN_ENOENT;
        else if (m->virq[vcpu][virq])
            want = -XEN_EEXIST;
        else if ((p = m_alloc(m)) < 0)
            want = p;
        else {
            m->p[p] = (struct mport){ .state = EVTCHN_VIRQ, .vcpu = vcpu, .virq = virq };
            m->virq[vcpu][virq] = (unsigned)p;
            want_out = (uint32_t)p;
        }
        break;
    }
    case 3: {                                           /* bind_ipi */
        struct evtchn_bind_ipi b = { .vcpu = vcpu };
        int p;
        rc = evtchn_op_bind_ipi(ed, &b);
        out = b.port;
        if (vcpu >= m->nr_vcpus)
            want = -XEN_ENOENT;
        else if ((p = m_alloc(m)) < 0)
            want = p;
        else {
            m->p[p] = (struct mport){ .state = EVTCHN_IPI, .vcpu = vcpu };
            want_out = (uint32_t)p;
        }
        break;
    }
    case 4:                                             /* close */
        rc = do_close(ed, port);
        want = m_close(self, port);
        break;
    case 5: case 6: {                                   /* send */
        rc = do_send(ed, port);
        if (port >= m->valid)
            want = -XEN_EINVAL;
        else {
            struct mport *p = &m->p[port];
            if (p->state == EVTCHN_INTERDOMAIN)
                m_set_pending(&model[p->rdom], model[p->rdom].p[p->rport].vcpu, p->rport);
            else if (p->state == EVTCHN_IPI)
                m_set_pending(m, p->vcpu, port);
            else if (p->state != EVTCHN_UNBOUND)
                want = -XEN_EINVAL;
        }
        break;
    }
    case 7: {                                           /* status */
        struct evtchn_status st;
        rc = status(ed, dom, port, &st);
        if (!(t = m_dom(self, dom, &ti)))
            want = -XEN_ESRCH;
        else if (port >= t->valid)
            want = -XEN_EINVAL;
        else if (t != m && !m->priv)
            want = -XEN_EPERM;
        else {
            static const uint32_t stat[] = { EVTCHNSTAT_closed, EVTCHNSTAT_closed, EVTCHNSTAT_unbound,
                                             EVTCHNSTAT_interdomain, EVTCHNSTAT_virq, EVTCHNSTAT_ipi };
            struct mport *p = &t->p[port];
            if (rc == 0 && (st.status != stat[p->state] || st.vcpu != p->vcpu ||
                            (p->state == EVTCHN_UNBOUND && st.u.unbound.dom != p->rdom) ||
                            (p->state == EVTCHN_INTERDOMAIN &&
                             (st.u.interdomain.dom != p->rdom || st.u.interdomain.port != p->rport)) ||
                            (p->state == EVTCHN_VIRQ && st.u.virq != p->virq))) {
                snprintf(why, len, "status of d%d port %u differs", ti, port);
                return false;
            }
        }
        break;
    }
    case 8: {                                           /* bind_vcpu */
        rc = bind_vcpu(ed, port, vcpu);
        if (vcpu >= m->nr_vcpus)
            want = -XEN_ENOENT;
        else if (port >= m->valid)
            want = -XEN_EINVAL;
        else {
            struct mport *p = &m->p[port];
            if (p->state == EVTCHN_UNBOUND || p->state == EVTCHN_INTERDOMAIN ||
                (p->state == EVTCHN_VIRQ && m_global(p->virq)))
                p->vcpu = vcpu;
            else
                want = -XEN_EINVAL;
        }
        break;
    }
    case 9: {                                           /* unmask */
        rc = do_unmask(ed, port);
        if (port >= m->valid)
            want = -XEN_EINVAL;
        else if (m->p[port].state > EVTCHN_RESERVED && m->mask[port]) {
            unsigned v = m->p[port].vcpu;
            m->mask[port] = false;
            if (m->pend[port] && !(m->sel[v] & (1ull << (port / 64)))) {
                m->sel[v] |= 1ull << (port / 64);
                m->up[v] = true;
                m->kicks[v]++;
            }
        }
        break;
    }
    case 10:                                            /* raise a VIRQ */
        rc = evtchn_core_raise_virq(ed, vcpu, virq);
        if (virq >= NR_VIRQS || vcpu >= m->nr_vcpus || !m->virq[m_global(virq) ? 0 : vcpu][virq])
            want = -XEN_ENOENT;
        else {
            unsigned p = m->virq[m_global(virq) ? 0 : vcpu][virq];
            m_set_pending(m, m->p[p].vcpu, p);
        }
        break;
    case 11: {                                          /* reset (rarely: it empties everything) */
        if (rnd(20) != 0)
            return true;
        rc = do_reset(ed, dom, false);
        if (!(t = m_dom(self, dom, &ti)))
            want = -XEN_ESRCH;
        else if (t != m && !m->priv)
            want = -XEN_EPERM;
        else if (t != m && !t->paused)
            want = -XEN_EINVAL;
        else
            for (unsigned p = 1; p < t->valid; p++)
                (void)m_close(ti, p);
        break;
    }
    case 12: {                                          /* the guest: mask or unmask a port directly */
        bool on = rnd(2);
        if (port >= EVTCHN_MAX_PORTS)
            return true;
        set_mask(ed, port, on);
        m->mask[port] = on;
        return true;
    }
    case 13:                                            /* the guest: clears a pending bit */
        if (port >= EVTCHN_MAX_PORTS)
            return true;
        clear_pending(ed, port);
        m->pend[port] = false;
        return true;
    case 14:                                            /* the guest: acks a vCPU */
        if (vcpu >= m->nr_vcpus)
            return true;
        ack_vcpu(ed, vcpu);
        m->sel[vcpu] = 0;
        m->up[vcpu] = false;
        return true;
    default: {                                          /* poll */
        rc = evtchn_core_poll(ed, port);
        want = port >= m->valid || m->p[port].state <= EVTCHN_RESERVED ? -XEN_EINVAL : m->pend[port];
        break;
    }
    }
    if (rc != want || (rc == 0 && out != want_out && op <= 3)) {
        snprintf(why, len, "d%d op %d (dom %u port %u vcpu %u virq %u): rc %d out %u, model %d out %u",
                 self, op, dom, port, vcpu, virq, rc, out, want, want_out);
        return false;
    }
    return true;
}

/* Everything the core holds equals the model, and the invariants hold. */
static bool random_compare(char *why, size_t len)
{
    for (int d = 0; d < NDOMS; d++) {
        struct evtchn_domain *ed = &doms[d].ed;
        struct mdom *m = &model[d];

        if (ed->valid_ports != m->valid) {
            snprintf(why, len, "d%d valid_ports %u, model %u", d, ed->valid_ports, m->valid);
            return false;
        }
        for (unsigned p = 0; p < EVTCHN_MAX_PORTS; p++) {
            static const struct evtchn_port none = { .state = EVTCHN_FREE };
            const struct evtchn_port *c = p < ed->valid_ports ? evtchn_port_of(ed, p) : &none;
            const struct mport *q = &m->p[p];
            bool same = c->state == q->state && c->vcpu == q->vcpu &&
                        (q->state != EVTCHN_UNBOUND || c->remote_dom == q->rdom) &&
                        (q->state != EVTCHN_INTERDOMAIN || (c->remote_dom == q->rdom && c->remote_port == q->rport)) &&
                        (q->state != EVTCHN_VIRQ || c->virq == q->virq);
            if (!same || pending(ed, p) != m->pend[p] || masked(ed, p) != m->mask[p]) {
                snprintf(why, len, "d%d port %u: state %u/%d pending %d/%d", d, p, c->state, q->state,
                         pending(ed, p), m->pend[p]);
                return false;
            }
            /* Invariants: interdomain channels are symmetric, VIRQ ports are in the table. */
            if (c->state == EVTCHN_INTERDOMAIN) {
                const struct evtchn_port *r = evtchn_port_of(&doms[c->remote_dom].ed, c->remote_port);
                if (r->state != EVTCHN_INTERDOMAIN || r->remote_dom != d || r->remote_port != p) {
                    snprintf(why, len, "d%d port %u: peer does not point back", d, p);
                    return false;
                }
            }
            if (c->state == EVTCHN_VIRQ &&
                *evtchn_virq_slot(ed, c->vcpu, c->virq) != p) {
                snprintf(why, len, "d%d port %u: not in the VIRQ table", d, p);
                return false;
            }
        }
        /* vCPU 0's row holds every VIRQ, the others' the per-vCPU ones only
         * (a global one bound elsewhere would be a bug the model shows). */
        for (unsigned v = 0; v < EVTCHN_MAX_VCPUS; v++)
            for (unsigned virq = 0; virq < NR_VIRQS; virq++) {
                bool kept = v < ed->nr_vcpus && (v == 0 || !evtchn_virq_is_global(virq));
                uint32_t has = kept ? *evtchn_virq_slot(ed, v, virq) : 0;
                if (has != m->virq[v][virq]) {
                    snprintf(why, len, "d%d vcpu %u virq %u: table %u, model %u", d, v, virq,
                             has, m->virq[v][virq]);
                    return false;
                }
            }
        for (unsigned v = 0; v < ed->nr_vcpus; v++)
            if (sel(ed, v) != m->sel[v] || upcall(ed, v) != m->up[v] || kicks(ed, v) != m->kicks[v]) {
                snprintf(why, len, "d%d vcpu %u: sel %lx/%llx upcall %u/%d kicks %u/%u", d, v, sel(ed, v),
                         (unsigned long long)m->sel[v], upcall(ed, v), m->up[v], kicks(ed, v), m->kicks[v]);
                return false;
            }
        if (doms[d].pending_notes != m->notes) {
            snprintf(why, len, "d%d: %u pending notes, model %u", d, doms[d].pending_notes, m->notes);
            return false;
        }
    }
    return true;
}

static void randomized(void)
{
    /* The last seeds with many vCPUs: a VIRQ or IPI on any of them. */
    static const unsigned many_vcpus[NDOMS] = { 1, 33, EVTCHN_MAX_VCPUS };
    char why[200];

    for (uint64_t seed = 1; seed <= 12; seed++) {
        fresh_vcpus(seed <= 8 ? default_vcpus : many_vcpus);
        memset(model, 0, sizeof(model));
        for (int d = 0; d < NDOMS; d++) {
            model[d].valid = 64;
            model[d].nr_vcpus = doms[d].ed.nr_vcpus;
            model[d].p[0].state = EVTCHN_RESERVED;
        }
        model[0].priv = true;
        /* dom2 is paused by its controller in half the runs. */
        model[2].paused = doms[2].paused = seed & 1;
        rng_state = seed * 0x9e3779b97f4a7c15ull;
        for (int step = 0; step < 30000; step++) {
            if (!random_step(why, sizeof(why))) {
                test_fail(__FILE__, __LINE__, "seed %llu step %d: %s", (unsigned long long)seed, step, why);
                return;
            }
            if ((step % 97 == 0 || step == 29999) && !random_compare(why, sizeof(why))) {
                test_fail(__FILE__, __LINE__, "seed %llu after step %d: %s", (unsigned long long)seed,
                          step, why);
                return;
            }
        }
    }
    CHECK(!env_error);
}

int main(void)
{
    RUN_TEST(init_state);
    RUN_TEST(virq_classes);
    RUN_TEST(alloc_unbound_ok);
    RUN_TEST(alloc_unbound_other_domain);
    RUN_TEST(bucket_growth);
    RUN_TEST(exhaustion);
    RUN_TEST(bind_interdomain_ok);
    RUN_TEST(bind_interdomain_errors);
    RUN_TEST(loopback);
    RUN_TEST(close_interdomain);
    RUN_TEST(send_rules);
    RUN_TEST(pending_bits);
    RUN_TEST(masked_port);
    RUN_TEST(unmask_rules);
    RUN_TEST(bind_virq_ok);
    RUN_TEST(bind_virq_errors);
    RUN_TEST(bind_ipi_cases);
    RUN_TEST(bind_pirq_refused);
    RUN_TEST(bind_vcpu_cases);
    RUN_TEST(status_cases);
    RUN_TEST(reset_self);
    RUN_TEST(reset_other);
    RUN_TEST(reset_preempted);
    RUN_TEST(fifo_refused);
    RUN_TEST(close_all);
    RUN_TEST(no_shared_info);
    RUN_TEST(poll_cases);
    RUN_TEST(randomized);
    return test_main_result();
}
