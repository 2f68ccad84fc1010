/* Deadlines about 2^63 ns away.  A guest may arm VCPUOP_set_singleshot_timer
 * or a SCHEDOP_poll timeout that far ahead; the hypervisor must keep such a
 * timer armed without harm.  A hypervisor whose tick arithmetic wrapped armed
 * its hardware timer in the past on every interrupt: an interrupt storm that
 * left the guest a third of its speed.  Checks:
 *   - a fixed amount of work takes about as long with a far single-shot
 *     timer armed as without (the best of seven runs each, the two kinds
 *     taken in turn so that load on the host hits both alike; within 1.5x);
 *   - SCHEDOP_poll with a far timeout returns when its port fires (a
 *     set_timer_op event 30 ms ahead), not before and not much after. */
#include "pv.h"

#define FAR_NS 0x7fffffffffff0000ul

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    pv_evtchn_scan();
}

static volatile unsigned long sink;

static void work(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        sink += i ^ (sink >> 3);
}

/* One timing of work(n), in ns. */
static unsigned long timed1(unsigned long n)
{
    unsigned long t0 = pv_now();

    work(n);
    return pv_now() - t0;
}

/* The best of five timings of work(n), in ns: other load on the host only ever slows a run down. */
static unsigned long timed(unsigned long n)
{
    unsigned long best = ~0ul;

    for (int k = 0; k < 5; k++) {
        unsigned long t0 = pv_now(), dt;
        work(n);
        dt = pv_now() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

void test_main(start_info_t *si)
{
    struct vcpu_set_singleshot_timer sst = { .timeout_abs_ns = FAR_NS, .flags = 0 };
    unsigned long n = 100000, base, loaded, t0, dt;
    struct sched_poll poll;
    evtchn_port_t port;
    long timer, rc;

    (void)si;
    pv_map_shared_info();
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    test_check(pv_register_callbacks() == 0, "callbacks registered");
    timer = pv_bind_virq(VIRQ_TIMER, 0);
    test_check(timer > 0, "VIRQ_TIMER on port %ld", timer);
    test_check(pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0) == 0, "no periodic timer");
    pv_events_unmask();

    /* About 30 ms of work. */
    while (timed(n) < 30000000 && n < (1ul << 40))
        n *= 2;
    base = loaded = ~0ul;
    for (int round = 0; round < 7; round++) {
        unsigned long b = timed1(n), l;
        rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
        if (rc != 0)
            break;
        l = timed1(n);
        rc = pv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
        if (rc != 0)
            break;
        base = b < base ? b : base;
        loaded = l < loaded ? l : loaded;
    }
    test_check(rc == 0, "VCPUOP_set_singleshot_timer %#lx ns and its stop, seven times: rc=%ld", FAR_NS, rc);
    test_check(loaded < base + base / 2,
               "the same work with the far timer armed: %lu us, without %lu us (within 1.5x)",
               loaded / 1000, base / 1000);

    /* SCHEDOP_poll with a far timeout, woken by its port. */
    pv_events_mask();
    pv_evtchn_scan();
    port = (evtchn_port_t)timer;
    poll.ports = &port;
    poll.nr_ports = 1;
    poll.timeout = FAR_NS;
    t0 = pv_now();
    pv_set_timer_op(t0 + 30000000);
    rc = pv_sched_op(SCHEDOP_poll, &poll);
    dt = pv_now() - t0;
    test_check(rc == 0 && pv_port_pending(port) && dt >= 30000000 && dt < 1000000000ul,
               "SCHEDOP_poll with a timeout %#lx ns ahead returns when its port fires: rc=%ld, "
               "after %lu us", FAR_NS, rc, dt / 1000);
    pv_evtchn_scan();
    loaded = timed(n);
    test_check(loaded < base + base / 2, "the same work after the poll: %lu us (within 1.5x of %lu us)",
               loaded / 1000, base / 1000);
    pv_evtchn_close((unsigned)timer);
    test_finish();
}
