/* dom0, the services domain: the console back end, the XenStore server and
 * the toolstack of the domUs the hypervisor built from boot modules, and a
 * shell on the serial line. See docs/dom0.md.
 *
 * Command line:
 *   [shutdown_after=<s>]     that long after start, write "poweroff" to every
 *                            domU's control/shutdown, wait for them, power off
 *   [shutdown_timeout=<s>]   how long a domU gets to obey (default 30); then it
 *                            is shut down remotely (and counted as forced)
 *   [domus=<n>]              ids 1..n were built at boot: one gone before dom0
 *                            first looks still counts (as gone)
 *   [selftest=1]             read every domU's tree back as the domU and as
 *                            another domain, checking values and permissions
 *   [vif=1]                  give every domU an (empty) device/vif/0 front-end
 *                            directory of its own, as xl does for a configured
 *                            vif (no back end answers it)
 *   [attach=<id>]            attach serial input to that domU's console as
 *                            soon as dom0 serves it (as "console <id>" typed)
 *   [timestamps=1]           relayed console lines carry the system time
 *                            ("(dN) [    s.uuuuuu] ...", the clock of the
 *                            hypervisor's console_timestamps=boot)
 * Without shutdown_after, dom0 powers off once the last domU has ended.
 * It powers off with SHUTDOWN_poweroff ("Test result: SUCCESS") if every
 * domU powered off cleanly, else with SHUTDOWN_crash ("FAILURE"). */
#include "dom0.h"

#define MAX_POLL    128                /* SCHEDOP_poll takes at most 128 ports in Xen */
#define TURN_NS     50000000ull        /* the loop looks around at least this often */
#define SCAN_NS     200000000ull       /* and at the domain list at least this often */
#define FORCE_GRACE 5000000000ull      /* after a forced shutdown, destroy */

static evtchn_port_t ports[MAX_POLL];

/* With more ports than one SCHEDOP_poll takes, dom0 blocks instead
 * (SCHEDOP_block, which enables events): the upcall then takes the pending
 * ports out of shared_info, and they are noted here for the loop. */
static uint64_t noted[PV_MAX_PORTS / 64];

static void note_port(unsigned port)
{
    noted[port / 64] |= 1ull << (port % 64);
}

static void upcall(struct pv_regs *r)
{
    (void)r;
    (void)pv_evtchn_scan();
}

/* Test and clear: was port pending (or noted by the upcall)? */
static int took(unsigned port)
{
    int was;

    if (!port || port >= PV_MAX_PORTS)
        return 0;
    was = pv_port_pending(port) || (noted[port / 64] >> (port % 64) & 1);
    noted[port / 64] &= ~(1ull << (port % 64));
    if (was)
        pv_clear_bit(pv_shared->evtchn_pending, port);
    return was;
}

/* Wait for an event on any port, or until wake. Up to MAX_POLL ports: a
 * poll, events stay masked. More: block on the one-shot timer (VIRQ_TIMER,
 * bound for this), events enabled only meanwhile. */
static void wait_events(unsigned n, uint64_t wake, int too_many)
{
    if (!too_many) {
        struct sched_poll poll = { .nr_ports = n, .timeout = wake };
        set_xen_guest_handle(poll.ports, ports);
        (void)pv_sched_op(SCHEDOP_poll, &poll);
        return;
    }
    (void)pv_set_timer_op(wake);
    (void)pv_sched_op(SCHEDOP_block, 0);       /* returns with events enabled */
    (void)pv_events_mask();
    (void)pv_set_timer_op(0);
    /* An upcall that came before the mask was set has run; one pending now
     * is taken by the next turn's look at the ports. */
    (void)pv_evtchn_scan();
}

/* Time this vCPU has spent running (its runstate), in ns. */
static uint64_t own_cpu_ns(void)
{
    struct vcpu_runstate_info r;

    if (pv_vcpu_op(VCPUOP_get_runstate_info, 0, &r) != 0)
        return 0;
    return r.time[RUNSTATE_running];
}

/* Ask every domU to power off. */
static void ask_all(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
        if (dom0_domus[i].used && !dom0_domus[i].asked) {
            if (toolstack_request(&dom0_domus[i], "poweroff") != 0)
                dom0_log("dom0: d%u: control/shutdown not written\n", dom0_domus[i].id);
            n++;
        }
    dom0_log("dom0: shutdown_after: asked %u domU%s to power off\n", n, n == 1 ? "" : "s");
}

/* A domU that did not obey in time is shut down remotely, then destroyed. */
static void force_late(uint64_t now, uint64_t timeout)
{
    for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++) {
        struct domu *d = &dom0_domus[i];
        if (!d->used || !d->asked)
            continue;
        if (!d->forced && now >= d->asked_at + timeout) {
            struct sched_remote_shutdown rs = { .domain_id = d->id, .reason = SHUTDOWN_poweroff };
            long rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
            dom0_log("dom0: d%u did not power off in time: shut down remotely (rc=%ld)\n", d->id, rc);
            d->forced = 1;
            if (rc != 0)
                (void)dom0_domctl_simple(XEN_DOMCTL_destroydomain, d->id);
        } else if (d->forced == 1 && now >= d->asked_at + timeout + FORCE_GRACE) {
            dom0_log("dom0: d%u still there: destroyed\n", d->id);
            d->forced = 2;
            (void)dom0_domctl_simple(XEN_DOMCTL_destroydomain, d->id);
        }
    }
}

void test_main(start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;
    const uint64_t after = g_opt(cmd, "shutdown_after=", 0) * 1000000000ull;
    const uint64_t timeout = g_opt(cmd, "shutdown_timeout=", 30) * 1000000000ull;
    const int selftest = (int)g_opt(cmd, "selftest=", 0);
    uint64_t start, next_scan = 0, next_shell = 0;
    int asked = 0;
    long exc;
    unsigned con;

    dom0_expect = (unsigned)g_opt(cmd, "domus=", 0);
    dom0_vif = (int)g_opt(cmd, "vif=", 0);
    dom0_timestamps = (int)g_opt(cmd, "timestamps=", 0);
    pv_map_shared_info();
    (void)pv_events_mask();            /* events are polled; delivered only while blocked */
    pv_set_handler(PV_VEC_UPCALL, upcall);
    pv_set_port_hook(note_port);
    test_check(pv_register_callbacks() == 0, "event callback registered");
    /* The one-shot timer wakes a blocked dom0; the periodic one is not needed. */
    (void)pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(pv_bind_virq(VIRQ_TIMER, 0) > 0, "VIRQ_TIMER bound");
    exc = pv_bind_virq(VIRQ_DOM_EXC, 0);
    test_check(exc > 0, "VIRQ_DOM_EXC bound: port %ld", exc);
    if (!test_check(store_init() == 0, "XenStore core up"))
        test_finish();
    toolstack_dom0();
    con = shell_init();
    if (g_opt(cmd, "attach=", 0))
        shell_attach_when_ready((domid_t)g_opt(cmd, "attach=", 0));
    start = pv_now();
    uint64_t cpu0 = own_cpu_ns();

    domains_scan();
    domains_expect_gone();
    /* How long the first look took (rings mapped, trees written, domains
     * introduced): a figure for the benchmarks, in time and in dom0's own CPU
     * time (the domUs run meanwhile). */
    dom0_log("dom0: serving %u domU%s (connected in %lu us, %lu us of dom0's CPU)\n", domains_live(),
             domains_live() == 1 ? "" : "s", (unsigned long)((pv_now() - start) / 1000),
             (unsigned long)((own_cpu_ns() - cpu0) / 1000));
    if (selftest)
        for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
            if (dom0_domus[i].used && dom0_domus[i].conn)
                selftest_domain(&dom0_domus[i]);
    if (selftest && !domains_live())
        selftest_alone();

    for (;;) {
        uint64_t now = pv_now(), wake;
        unsigned n = 0, first_ring;

        if ((exc > 0 && took((unsigned)exc)) || now >= next_scan) {
            domains_scan();
            next_scan = now + SCAN_NS;
        }
        if (took(con) || now >= next_shell) {
            shell_poll();
            next_shell = now + SCAN_NS;
        }
        if (exc > 0)
            ports[n++] = (evtchn_port_t)exc;
        if (con)
            ports[n++] = con;
        /* The rings' ports (the two above were taken before their work). */
        first_ring = n;
        n += rings_ports(ports + n, MAX_POLL - n);
        for (unsigned i = first_ring; i < n; i++)
            (void)took(ports[i]);
        /* Cleared first, then served: an event after this turn's look wakes
         * the next poll at once. */
        for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
            if (dom0_domus[i].used) {
                console_serve(&dom0_domus[i]);
                store_serve(&dom0_domus[i]);
            }

        now = pv_now();
        if (after && !asked && now >= start + after) {
            asked = 1;
            ask_all();
        }
        if (asked)
            force_late(now, timeout);
        if (!domains_live())
            break;

        wake = now + TURN_NS;
        if (after && !asked && start + after < wake)
            wake = start + after;
        wait_events(n, wake, first_ring + 2 * domains_live() > MAX_POLL);
    }
    shell_close();
    test_check(toolstack_summary(), "every domU powered off cleanly");
    test_finish();
}
