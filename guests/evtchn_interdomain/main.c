/* Interdomain event channels, as far as a lone dom0 (id 0, privileged) can
 * see them: loopback pairs made both ways and several at once, the status of
 * both ends, closing either end (the other goes back to unbound, offered to
 * the caller's own id), binding again, sends on an unbound end (dropped),
 * ports offered to other domain ids, domain ids that name no domain
 * (-ESRCH), DOMID_SELF and the caller's own id in every field that takes a
 * domain, and EVTCHNOP_reset with pairs open.
 *
 * Events stay masked (evtchn_upcall_mask is 1 from boot): the test reads
 * the bits in shared_info and never takes an upcall. Every section starts
 * from EVTCHNOP_reset, so port numbers are known: the lowest free one is
 * handed out. */
#include "pv.h"

#define ESRCH 3
#define EBUSY 16
#define EINVAL 22
#define ENOENT 2

#define EVTCHNOP_reset_cont 14          /* the hypervisor's own continuation of reset */
#define SCAN_PORTS 256                  /* the pending words checked for stray bits */

/* ---- shorthands: the port or result, or a negative error ---- */

static long alloc(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = 0 };
    long rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &op);
    return rc ? rc : (long)op.port;
}

static long bind(domid_t rdom, unsigned rport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = rdom, .remote_port = rport, .local_port = 0 };
    long rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &op);
    return rc ? rc : (long)op.local_port;
}

static long status(domid_t dom, unsigned port, struct evtchn_status *st)
{
    g_memset(st, 0xa5, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return pv_evtchn_op(EVTCHNOP_status, st);
}

static long reset(domid_t dom)
{
    struct evtchn_reset op = { .dom = dom };
    return pv_evtchn_op(EVTCHNOP_reset, &op);
}

/* The guest's side of an upcall: every pending bit and selector cleared. */
static void clear_events(void)
{
    for (unsigned w = 0; w < sizeof(pv_shared->evtchn_pending) / sizeof(pv_shared->evtchn_pending[0]); w++)
        pv_shared->evtchn_pending[w] = 0;
    pv_vcpu->evtchn_pending_sel = 0;
    pv_vcpu->evtchn_upcall_pending = 0;
}

/* Start a section with every port closed and nothing pending. */
static void fresh(const char *what)
{
    long rc = reset(DOMID_SELF);

    test_check(rc == 0, "%s: reset(DOMID_SELF) first: rc=%ld", what, rc);
    clear_events();
}

/* Is exactly `port` pending among the first SCAN_PORTS (none if port is 0)? */
static int only_pending(unsigned port)
{
    for (unsigned p = 1; p < SCAN_PORTS; p++)
        if (pv_port_pending(p) != (p == port))
            return 0;
    return 1;
}

static int is_unbound(domid_t dom, unsigned port, domid_t to)
{
    struct evtchn_status st;
    long rc = status(dom, port, &st);
    return rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == to && st.vcpu == 0;
}

static int is_connected(domid_t dom, unsigned port, domid_t to, unsigned to_port)
{
    struct evtchn_status st;
    long rc = status(dom, port, &st);
    return rc == 0 && st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == to &&
           st.u.interdomain.port == to_port && st.vcpu == 0;
}

static int is_closed(unsigned port)
{
    struct evtchn_status st;
    long rc = status(DOMID_SELF, port, &st);
    return rc == 0 && st.status == EVTCHNSTAT_closed && st.vcpu == 0;
}

/* ---- sections ---- */

/* A pair made with DOMID_SELF everywhere, events both ways. */
static void loopback_self(void)
{
    struct evtchn_status st;
    long a, b, rc;

    fresh("loopback_self");
    a = alloc(DOMID_SELF, DOMID_SELF);
    test_check(a == 1, "alloc_unbound(DOMID_SELF, remote DOMID_SELF): port %ld (want 1)", a);
    rc = status(DOMID_SELF, 1, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
               "status: unbound, offered to d%u: DOMID_SELF as the remote is the caller's id (rc %ld)",
               st.u.unbound.dom, rc);
    test_check(st.dom == DOMID_SELF && st.port == 1, "status leaves dom %#x and port %u as given", st.dom,
               st.port);
    b = bind(DOMID_SELF, 1);
    test_check(b == 2, "bind_interdomain(DOMID_SELF, 1): port %ld (want 2)", b);
    test_check(is_connected(DOMID_SELF, 1, 0, 2), "status(1): interdomain to d0 port 2");
    test_check(is_connected(DOMID_SELF, 2, 0, 1), "status(2): interdomain to d0 port 1");
    test_check(only_pending(2), "the bind leaves the new local end (2) pending, and only it");
    test_check(pv_vcpu->evtchn_pending_sel == 1 && pv_vcpu->evtchn_upcall_pending == 1,
               "... through selector bit 0 and the upcall flag (sel %#lx, upcall %u)",
               pv_vcpu->evtchn_pending_sel, pv_vcpu->evtchn_upcall_pending);
    clear_events();
    rc = pv_evtchn_send(1);
    test_check(rc == 0 && only_pending(2), "send(1) raises port 2 only (rc %ld)", rc);
    clear_events();
    rc = pv_evtchn_send(2);
    test_check(rc == 0 && only_pending(1), "send(2) raises port 1 only (rc %ld)", rc);
    test_check(pv_vcpu->evtchn_pending_sel == 1 && pv_vcpu->evtchn_upcall_pending == 1,
               "... and tells vCPU 0 (sel %#lx)", pv_vcpu->evtchn_pending_sel);
    clear_events();
    rc = bind(DOMID_SELF, 1);
    test_check(rc == -EINVAL, "binding the connected port 1 again: rc=%ld (want -EINVAL)", rc);
    rc = bind(DOMID_SELF, 2);
    test_check(rc == -EINVAL, "binding the other connected end: rc=%ld (want -EINVAL)", rc);
    test_check(only_pending(0), "failed binds raise nothing");
}

/* The same with the domain's own id (0) in every field, and mixed. */
static void loopback_own_id(void)
{
    long a, b, c, d, e, f;

    fresh("loopback_own_id");
    a = alloc(0, 0);
    test_check(a == 1 && is_unbound(0, 1, 0), "alloc_unbound(d0, remote d0): port %ld, unbound for d0", a);
    b = bind(0, 1);
    test_check(b == 2 && is_connected(0, 2, 0, 1) && is_connected(0, 1, 0, 2),
               "bind_interdomain(d0, 1): port %ld, connected both ways", b);
    c = alloc(DOMID_SELF, 0);
    d = bind(0, 3);
    test_check(c == 3 && d == 4 && is_connected(DOMID_SELF, 4, 0, 3),
               "alloc_unbound(DOMID_SELF, remote d0) + bind(d0): ports %ld and %ld", c, d);
    e = alloc(0, DOMID_SELF);
    f = bind(DOMID_SELF, 5);
    test_check(e == 5 && f == 6 && is_connected(0, 5, 0, 6),
               "alloc_unbound(d0, remote DOMID_SELF) + bind(DOMID_SELF): ports %ld and %ld", e, f);
    clear_events();
    pv_evtchn_send(6);
    test_check(only_pending(5), "send(6) raises 5 only");
    clear_events();
    pv_evtchn_send(3);
    test_check(only_pending(4), "send(3) raises 4 only");
    clear_events();
}

/* Several pairs at once, bound in another order than offered. */
#define NPAIRS 6

static void several_pairs(void)
{
    long off[NPAIRS], loc[NPAIRS];
    int ok = 1;

    fresh("several_pairs");
    for (int i = 0; i < NPAIRS; i++)
        off[i] = alloc(DOMID_SELF, DOMID_SELF);
    for (int i = NPAIRS - 1; i >= 0; i--)
        loc[i] = bind(i % 2 ? 0 : DOMID_SELF, (unsigned)off[i]);
    for (int i = 0; i < NPAIRS; i++) {
        ok &= off[i] == i + 1 && loc[i] == 2 * NPAIRS - i;
        ok &= is_connected(DOMID_SELF, (unsigned)off[i], 0, (unsigned)loc[i]);
        ok &= is_connected(0, (unsigned)loc[i], 0, (unsigned)off[i]);
    }
    test_check(ok, "%d pairs: offers 1..%d, binds %d..%d in reverse, each end's status names the other",
               NPAIRS, NPAIRS, 2 * NPAIRS, NPAIRS + 1);
    clear_events();
    ok = 1;
    for (int i = 0; i < NPAIRS; i++) {
        ok &= pv_evtchn_send((unsigned)off[i]) == 0 && only_pending((unsigned)loc[i]);
        clear_events();
        ok &= pv_evtchn_send((unsigned)loc[i]) == 0 && only_pending((unsigned)off[i]);
        clear_events();
    }
    test_check(ok, "a send on either end of each pair raises its peer and nothing else");
    /* A masked peer: the bit is set, nobody is told. */
    pv_set_bit(pv_shared->evtchn_mask, (unsigned)loc[2]);
    pv_evtchn_send((unsigned)off[2]);
    test_check(only_pending((unsigned)loc[2]) && pv_vcpu->evtchn_pending_sel == 0 &&
                   pv_vcpu->evtchn_upcall_pending == 0,
               "send to a masked peer: its pending bit only (sel %#lx, upcall %u)", pv_vcpu->evtchn_pending_sel,
               pv_vcpu->evtchn_upcall_pending);
    pv_clear_bit(pv_shared->evtchn_mask, (unsigned)loc[2]);
    clear_events();
}

/* Closing either end; the other end offered to the caller again; binding anew. */
static void close_and_rebind(void)
{
    long a, b, c, rc;

    fresh("close_and_rebind");
    a = alloc(DOMID_SELF, DOMID_SELF);
    b = bind(DOMID_SELF, (unsigned)a);
    test_check(a == 1 && b == 2, "pair 1-2 (%ld, %ld)", a, b);
    clear_events();
    pv_evtchn_send(2);
    pv_evtchn_send(1);
    test_check(pv_port_pending(1) && pv_port_pending(2), "both ends pending");
    /* Close the binder's end (2): 1 is offered to d0 again and keeps its bit. */
    pv_set_bit(pv_shared->evtchn_mask, 2);
    rc = pv_evtchn_close(2);
    test_check(rc == 0, "close(2): rc=%ld", rc);
    test_check(is_closed(2), "port 2 is closed");
    test_check(!pv_port_pending(2) && pv_port_masked(2), "close cleared 2's pending bit and kept its mask bit");
    test_check(is_unbound(DOMID_SELF, 1, 0), "port 1 is unbound again, offered to d0 (the caller's own id)");
    test_check(pv_port_pending(1), "port 1 keeps its own pending bit");
    pv_clear_bit(pv_shared->evtchn_mask, 2);
    clear_events();
    rc = pv_evtchn_send(1);
    test_check(rc == 0 && only_pending(0), "send on the unbound end 1: rc=%ld, dropped", rc);
    rc = pv_evtchn_close(2);
    test_check(rc == -EINVAL, "close(2) again: rc=%ld (want -EINVAL)", rc);
    rc = pv_evtchn_send(2);
    test_check(rc == -EINVAL, "send on the closed port 2: rc=%ld (want -EINVAL)", rc);
    /* Bind to 1 again: the lowest free port, 2, pending at once. */
    c = bind(0, 1);
    test_check(c == 2 && is_connected(0, 2, 0, 1) && is_connected(0, 1, 0, 2), "rebind to 1: port %ld", c);
    test_check(only_pending(2), "the new end is pending");
    clear_events();
    /* Close the offering end (1): 2 is offered to d0. */
    rc = pv_evtchn_close(1);
    test_check(rc == 0 && is_closed(1) && is_unbound(0, 2, 0), "close(1): rc=%ld, port 2 unbound for d0", rc);
    /* Either side may bind anew: 1 to 2 this time (offer and binder swap). */
    c = bind(DOMID_SELF, 2);
    test_check(c == 1 && is_connected(0, 1, 0, 2) && is_connected(0, 2, 0, 1), "bind to 2: port %ld", c);
    clear_events();
    pv_evtchn_send(2);
    test_check(only_pending(1), "send(2) raises 1");
    clear_events();
    /* Closing both ends leaves nothing. */
    test_check(pv_evtchn_close(1) == 0 && is_unbound(0, 2, 0), "close(1): 2 unbound");
    test_check(pv_evtchn_close(2) == 0 && is_closed(1) && is_closed(2), "close(2): both closed");
    test_check(alloc(DOMID_SELF, DOMID_SELF) == 1, "port 1 is handed out again");
}

/* Sends on unbound ends go nowhere. */
static void unbound_sends(void)
{
    long u, v, w, rc;

    fresh("unbound_sends");
    u = alloc(DOMID_SELF, DOMID_SELF);
    v = alloc(DOMID_SELF, 1);
    w = alloc(0, 0x7fef);
    test_check(u == 1 && v == 2 && w == 3, "offers to d0, d1, d0x7fef: ports %ld %ld %ld", u, v, w);
    rc = pv_evtchn_send(1) | pv_evtchn_send(2) | pv_evtchn_send(3);
    test_check(rc == 0, "send on each: rc=%ld", rc);
    test_check(only_pending(0) && pv_vcpu->evtchn_pending_sel == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "nothing pending, nobody told");
}

/* Ports offered to other domain ids cannot be taken by d0. */
static void offered_elsewhere(void)
{
    static const domid_t to[] = { 1, 2, 0x7fef, DOMID_IO, DOMID_XEN, DOMID_INVALID, DOMID_IDLE, 0xffff };
    const unsigned n = sizeof(to) / sizeof(to[0]);
    int ok = 1;
    long rc;

    fresh("offered_elsewhere");
    for (unsigned i = 0; i < n; i++) {
        rc = alloc(DOMID_SELF, to[i]);
        ok &= rc == (long)i + 1 && is_unbound(DOMID_SELF, i + 1, to[i]);
    }
    test_check(ok, "offers to d1 d2 d0x7fef DOMID_IO DOMID_XEN DOMID_INVALID DOMID_IDLE d0xffff: accepted, "
               "status names them (remote ids are not checked)");
    ok = 1;
    for (unsigned i = 0; i < n; i++) {
        long a = bind(DOMID_SELF, i + 1), b = bind(0, i + 1);
        ok &= a == -EINVAL && b == -EINVAL && is_unbound(0, i + 1, to[i]);
        if (a != -EINVAL || b != -EINVAL)
            test_note("bind to the port offered to %#x: %ld, %ld", to[i], a, b);
    }
    test_check(ok, "binding to any of them: -EINVAL, the offer unchanged");
    test_check(only_pending(0), "nothing raised");
    rc = alloc(DOMID_SELF, DOMID_SELF);
    test_check(rc == (long)n + 1, "the refused binds took no port: the next is %ld (want %u)", rc, n + 1);
}

/* Local ports that are no offer. */
static void not_offers(void)
{
    long a, b, ipi, rc;

    fresh("not_offers");
    a = alloc(DOMID_SELF, DOMID_SELF);
    b = bind(DOMID_SELF, (unsigned)a);
    ipi = pv_bind_ipi(0);
    test_check(a == 1 && b == 2 && ipi == 3, "pair 1-2, IPI 3 (%ld %ld %ld)", a, b, ipi);
    rc = bind(DOMID_SELF, 3);
    test_check(rc == -EINVAL, "bind to the IPI port: rc=%ld (want -EINVAL)", rc);
    rc = bind(DOMID_SELF, 4);
    test_check(rc == -EINVAL, "bind to a free port: rc=%ld (want -EINVAL)", rc);
    rc = bind(DOMID_SELF, 0);
    test_check(rc == -EINVAL, "bind to port 0: rc=%ld (want -EINVAL)", rc);
    rc = bind(DOMID_SELF, 64);
    test_check(rc == -EINVAL, "bind to port 64 (beyond the ports that exist): rc=%ld (want -EINVAL)", rc);
    rc = bind(0, 4096);
    test_check(rc == -EINVAL, "bind to port 4096: rc=%ld (want -EINVAL)", rc);
    rc = bind(0, 0xffffffffu);
    test_check(rc == -EINVAL, "bind to port 0xffffffff: rc=%ld (want -EINVAL)", rc);
    rc = pv_bind_ipi(0);
    test_check(rc == 4, "no port was used up: the next is %ld (want 4)", rc);
    /* The vCPU of an end. */
    {
        struct evtchn_bind_vcpu bv = { .port = 1, .vcpu = 0 };
        rc = pv_evtchn_op(EVTCHNOP_bind_vcpu, &bv);
        test_check(rc == 0, "bind_vcpu(1, vcpu 0): rc=%ld", rc);
        bv.vcpu = 1;
        rc = pv_evtchn_op(EVTCHNOP_bind_vcpu, &bv);
        test_check(rc == -ENOENT, "bind_vcpu(1, vcpu 1): rc=%ld (want -ENOENT: dom0 has one vCPU)", rc);
    }
}

/* Domain ids that name no domain: -ESRCH, before anything else is looked at. */
static void missing_domains(void)
{
    static const domid_t ids[] = { 1, 2, 0x7fef, DOMID_IO, DOMID_XEN, DOMID_COW, DOMID_INVALID, DOMID_IDLE,
                                   0x8000, 0xfff0, 0xffff };
    struct evtchn_status st;
    long u, rc;
    int ok = 1;

    fresh("missing_domains");
    u = alloc(DOMID_SELF, DOMID_SELF);
    test_check(u == 1, "an offer to d0: port %ld", u);
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        domid_t id = ids[i];
        long r[8];
        r[0] = alloc(id, DOMID_SELF);
        r[1] = alloc(id, 0);
        r[2] = bind(id, 1);
        r[3] = bind(id, 0xffffffffu);
        r[4] = status(id, 1, &st);
        r[5] = status(id, 0xffffffffu, &st);
        r[6] = reset(id);
        {
            struct evtchn_reset op = { .dom = id };
            r[7] = pv_evtchn_op(EVTCHNOP_reset_cont, &op);
        }
        for (unsigned k = 0; k < 8; k++)
            if (r[k] != -ESRCH) {
                test_note("d%#x: call %u gave %ld", id, k, r[k]);
                ok = 0;
            }
    }
    test_check(ok, "alloc_unbound, bind_interdomain, status, reset and reset_cont naming d1 d2 d0x7fef "
               "DOMID_IO DOMID_XEN DOMID_COW DOMID_INVALID DOMID_IDLE d0x8000 d0xfff0 d0xffff: -ESRCH "
               "(bad ports too)");
    test_check(is_unbound(DOMID_SELF, 1, 0) && only_pending(0), "the offer is untouched, nothing raised");
    rc = alloc(DOMID_SELF, DOMID_SELF);
    test_check(rc == 2, "no port was used up: the next is %ld (want 2)", rc);
}

/* EVTCHNOP_reset with pairs open, by DOMID_SELF and by the own id. */
static void reset_with_pairs(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };
    long rc;
    int ok = 1;

    for (int round = 0; round < 2; round++) {
        domid_t who = round ? 0 : DOMID_SELF;
        fresh("reset_with_pairs");
        for (int i = 0; i < 3; i++) {
            long a = alloc(DOMID_SELF, DOMID_SELF);
            long b = bind(DOMID_SELF, (unsigned)a);
            ok &= a > 0 && b > 0;
        }
        ok &= alloc(DOMID_SELF, 1) == 7;
        ok &= pv_bind_ipi(0) == 8;
        test_check(ok, "round %d: three pairs (1-2 3-4 5-6), an offer to d1 (7), an IPI (8)", round);
        pv_evtchn_send(1);
        pv_evtchn_send(4);
        pv_evtchn_send(8);
        pv_set_bit(pv_shared->evtchn_mask, 3);
        test_check(pv_port_pending(2) && pv_port_pending(3) && pv_port_pending(8), "2, 3 and 8 pending");
        rc = reset(who);
        test_check(rc == 0, "reset(%s) with pairs open: rc=%ld", round ? "d0" : "DOMID_SELF", rc);
        ok = 1;
        for (unsigned p = 1; p <= 8; p++)
            ok &= is_closed(p);
        test_check(ok, "every port is closed");
        test_check(only_pending(0), "their pending bits are cleared");
        test_check(pv_port_masked(3), "the mask bit of port 3 is kept");
        pv_clear_bit(pv_shared->evtchn_mask, 3);
        rc = alloc(who, who);
        test_check(rc == 1, "the first port after reset is 1 again (%ld)", rc);
    }
    rc = pv_evtchn_op(EVTCHNOP_reset_cont, &r);
    test_check(rc == -EBUSY, "reset_cont(DOMID_SELF) with no reset under way: rc=%ld (want -EBUSY)", rc);
    r.dom = 0;
    rc = pv_evtchn_op(EVTCHNOP_reset_cont, &r);
    test_check(rc == -EBUSY, "reset_cont(d0) with no reset under way: rc=%ld (want -EBUSY)", rc);
    test_check(is_unbound(0, 1, 0), "... and it closed nothing");
}

void test_main(start_info_t *si)
{
    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    test_check(pv_vcpu->evtchn_upcall_mask == 1, "events are masked (from boot, and they stay so)");

    loopback_self();
    loopback_own_id();
    several_pairs();
    close_and_rebind();
    unbound_sends();
    offered_elsewhere();
    not_offers();
    missing_domains();
    reset_with_pairs();
    fresh("the end");
}
