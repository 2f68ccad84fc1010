/* A domU that only computes: it spins until system time reaches until_ms
 * (the same instant for every domain, as system time is the machine's), then
 * reads its runstate and checks that it had its share of the CPU: with n
 * spinning domains and nobody else runnable, each should have run 1/n of
 * the time since it was built (within tol percent of that share, default
 * 10), and the runstate times must add up to the time it has existed.
 *
 *   n=<spinning domains> until_ms=<system time> [tol=<percent>] [fair=0]
 *
 * fair=0: a domain that only waits until then, blocked (a stand-in dom0
 * that keeps the machine up while domUs work, taking no CPU from them). */
#include "pv.h"

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;
    unsigned long n = g_opt(line, "n=", 2), tol = g_opt(line, "tol=", 10);
    uint64_t until = g_opt(line, "until_ms=", 2000) * 1000000ull, now, spins = 0;
    struct vcpu_runstate_info rs;
    long rc;

    pv_map_shared_info();
    if (!g_opt(line, "fair=", 1)) {
        /* Events stay masked: SCHEDOP_poll on VIRQ_TIMER's port, with the
         * deadline as its timeout, sleeps until then. */
        long port = pv_bind_virq(VIRQ_TIMER, 0);
        evtchn_port_t ports[1] = { port > 0 ? (evtchn_port_t)port : 0 };

        test_check(port > 0, "VIRQ_TIMER bound: port %ld", port);
        while (port > 0 && pv_now() < until) {
            struct sched_poll poll = { .nr_ports = 1, .timeout = until };
            set_xen_guest_handle(poll.ports, ports);
            (void)pv_set_timer_op(until);
            (void)pv_sched_op(SCHEDOP_poll, &poll);
            pv_clear_bit(pv_shared->evtchn_pending, (unsigned)port);
        }
        test_check(1, "waited until %lu ms of system time", (unsigned long)(until / 1000000));
        test_finish();
    }
    while ((now = pv_now()) < until)
        spins++;
    rc = pv_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
    test_check(rc == 0, "VCPUOP_get_runstate_info: rc=%ld", rc);
    uint64_t run = rs.time[RUNSTATE_running], wait = rs.time[RUNSTATE_runnable];
    uint64_t blocked = rs.time[RUNSTATE_blocked], off = rs.time[RUNSTATE_offline];
    uint64_t total = run + wait + blocked + off;
    /* The current state's time is counted up to the call: the sum is the
     * system time at the call less the domain's creation, which is at most
     * now (and after boot). */
    test_note("%lu spins; running %lu ms, runnable %lu ms, blocked %lu ms, offline %lu ms",
              (unsigned long)spins, (unsigned long)(run / 1000000), (unsigned long)(wait / 1000000),
              (unsigned long)(blocked / 1000000), (unsigned long)(off / 1000000));
    test_check(rs.state == RUNSTATE_running, "state running: %d", rs.state);
    test_check(total <= pv_now() && total + until / 2 >= until,
               "the runstate times add up to the domain's life: %lu ms of %lu ms since boot",
               (unsigned long)(total / 1000000), (unsigned long)(pv_now() / 1000000));
    /* Share of the time it could run (running + runnable). */
    uint64_t share_pm = (run + wait) ? run * 1000 / (run + wait) : 0, want_pm = 1000 / n;
    uint64_t lo = want_pm * (100 - tol) / 100, hi = want_pm * (100 + tol) / 100;
    test_check(share_pm >= lo && share_pm <= hi, "CPU share %lu.%lu%% of the time it was runnable, fair share %lu.%lu%% (+-%lu%%)",
               (unsigned long)(share_pm / 10), (unsigned long)(share_pm % 10), (unsigned long)(want_pm / 10),
               (unsigned long)(want_pm % 10), tol);
    test_finish();
}
