/* Deadlines about 2^63 ns away.  A guest may arm VCPUOP_set_singleshot_timer
 * or a SCHEDOP_poll timeout that far ahead; the hypervisor must keep such a
 * timer armed without harm.  A hypervisor whose tick arithmetic wrapped armed
 * its hardware timer in the past on every interrupt: an interrupt storm (about
 * a thousand interrupts in 20 ms under QEMU TCG) that left the guest a third
 * of its speed.
 *
 * The storm is counted, not timed: Xenolith republishes the running vCPU's
 * vcpu_time_info on every local timer interrupt (docs/time.md), so the
 * version of the time record counts the hypervisor's timer interrupts while
 * the guest spins.  The hardware timer is never armed more than 1 s ahead, so
 * with only a far deadline pending a 50 ms window of system time holds at
 * most one such interrupt, whatever the load on the host (load stretches the
 * guest's work, not the hypervisor's timer programming); MAX_UPDATES leaves
 * room for one more.  That the record does count interrupts is checked first
 * with a 1 ms periodic timer: every VIRQ_TIMER upcall of a window comes with
 * an update of its own.  Xen 4.17 does not republish the record on timer
 * interrupts (its count stays at 0; only the bounds apply there).  Checks:
 *   - a far single-shot timer armed, in turn with none, three times: at most
 *     MAX_UPDATES updates and no VIRQ_TIMER upcall in each 50 ms window;
 *   - SCHEDOP_poll with a far timeout returns when its port fires (a
 *     set_timer_op event 30 ms ahead), not before and not much after; the
 *     window after it is as quiet. */
#include "pv.h"

#define FAR_NS 0x7fffffffffff0000ul
#define WINDOW_NS 50000000ul
#define MAX_UPDATES 2

static volatile unsigned long upcalls;

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    upcalls++;
    pv_evtchn_scan();
}

static uint32_t record_version(void)
{
    return *(volatile uint32_t *)&pv_vcpu->time.version;
}

struct window {
    unsigned long updates, upcalls, ns;
};

/* Spin with events enabled for at least ns of system time and until at
 * least min_upcalls upcalls came (at most 2 s); count the updates of the
 * time record (two version steps each) and the upcalls meanwhile.  The
 * version is read before the upcall count at the start and after it at the
 * end, so an upcall counted always has its interrupt's update counted. */
static struct window spin_window(unsigned long ns, unsigned long min_upcalls)
{
    struct window w;
    uint32_t v0 = record_version();
    unsigned long u0 = upcalls, t0 = pv_now(), t;

    do
        t = pv_now() - t0;
    while (t < ns || (upcalls - u0 < min_upcalls && t < 2000000000ul));
    w.upcalls = upcalls - u0;
    w.updates = (record_version() - v0 + 1) / 2;
    w.ns = t;
    return w;
}

static void check_quiet(const char *what, struct window w)
{
    test_check(w.updates <= MAX_UPDATES && w.upcalls == 0,
               "%s: %lu time-record updates (hypervisor timer interrupts; at most %u) and %lu VIRQ_TIMER "
               "upcalls in %lu ms", what, w.updates, MAX_UPDATES, w.upcalls, w.ns / 1000000);
}

void test_main(start_info_t *si)
{
    struct vcpu_set_singleshot_timer sst = { .timeout_abs_ns = FAR_NS, .flags = 0 };
    struct vcpu_set_periodic_timer period = { .period_ns = 1000000 };
    unsigned long t0, dt;
    struct window w;
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

    /* The counter counts: a 1 ms periodic timer's upcalls each come from a
     * timer interrupt taken while this vCPU ran. */
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, &period);
    w = spin_window(20000000, 3);
    pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    if (guest_on_xenolith())
        test_check(rc == 0 && w.upcalls >= 3 && w.updates >= w.upcalls,
                   "a 1 ms periodic timer: %lu upcalls and %lu time-record updates in %lu ms (one per "
                   "interrupt: at least one per upcall)", w.upcalls, w.updates, w.ns / 1000000);
    else
        test_check(rc == 0 && w.upcalls >= 3,
                   "a 1 ms periodic timer: %lu upcalls in %lu ms (%lu time-record updates: Xen does not "
                   "republish it on timer interrupts)", w.upcalls, w.ns / 1000000, w.updates);
    spin_window(2000000, 0);            /* a tick still on its way */

    for (int round = 0; round < 3; round++) {
        check_quiet("no timer armed", spin_window(WINDOW_NS, 0));
        rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &sst);
        test_check(rc == 0, "VCPUOP_set_singleshot_timer %#lx ns: rc=%ld", FAR_NS, rc);
        check_quiet("a single-shot timer ~2^63 ns ahead armed", spin_window(WINDOW_NS, 0));
        rc = pv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
        test_check(rc == 0, "VCPUOP_stop_singleshot_timer: rc=%ld", rc);
    }

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
    pv_events_unmask();
    check_quiet("after the poll", spin_window(WINDOW_NS, 0));
    pv_evtchn_close((unsigned)timer);
    test_finish();
}
