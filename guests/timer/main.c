/* Time and timers: vcpu_time_info (version protocol, monotonic system time)
 * and the wall clock; VIRQ_TIMER from the default periodic timer,
 * set_periodic_timer/stop_periodic_timer, set_timer_op (never early, 0
 * cancels, a past deadline fires at once), VCPUOP_set_singleshot_timer
 * (VCPU_SSHOTTMR_future is ignored: a past deadline fires) and
 * stop_singleshot_timer;
 * SCHEDOP_block (returns at once when an event is pending, else sleeps until
 * the timer, and enables events) and SCHEDOP_poll (timeouts, wake-up by a
 * polled port, refusals); runstate info and VCPUOP_register_vcpu_info. */
#include "pv.h"

#define ENOENT 2
#define ENXIO 6
#define EFAULT 14
#define EINVAL 22

#define MS 1000000ull

static unsigned timer_port;
static volatile unsigned long ticks;      /* VIRQ_TIMER events */
static volatile uint64_t last_tick_time;  /* system time when the last one was handled */
static volatile unsigned long upcalls;

static void port_hook(unsigned port)
{
    if (port == timer_port) {
        ticks++;
        last_tick_time = pv_now();
    }
}

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    upcalls++;
    pv_evtchn_scan();
}

/* Spin with events enabled for ns, then mask again. */
static void run_for(uint64_t ns)
{
    pv_events_unmask();
    pv_spin_ns(ns);
    pv_events_mask();
}

/* Wait (events enabled) until `ticks` passes `target` or `limit` ns elapse. */
static int wait_tick(unsigned long target, uint64_t limit)
{
    uint64_t end = pv_now() + limit;

    pv_events_unmask();
    while (ticks < target && pv_now() < end)
        __asm__ volatile("pause");
    pv_events_mask();
    return ticks >= target;
}

static void test_time_info(void)
{
    struct vcpu_time_info t;
    uint32_t v = pv_time_snapshot(&t);
    uint64_t prev, now;
    int monotonic = 1;

    test_check(v != 0 && !(v & 1), "vcpu_time_info.version %u is even and non-zero", v);
    test_check(t.tsc_to_system_mul != 0, "tsc_to_system_mul %#x, tsc_shift %d", t.tsc_to_system_mul,
               t.tsc_shift);
    test_check(t.system_time > 0, "system_time %lu ns since boot", (unsigned long)t.system_time);
    prev = pv_now();
    for (int i = 0; i < 100000; i++) {
        now = pv_now();
        if (now < prev)
            monotonic = 0;
        prev = now;
    }
    test_check(monotonic, "system time never goes backwards over 100000 reads");
    now = pv_now();
    pv_spin_ns(2 * MS);
    test_check(pv_now() - now >= 2 * MS, "system time advances");

    {
        uint32_t wv = pv_shared->wc_version;
        uint32_t sec = pv_shared->wc_sec, nsec = pv_shared->wc_nsec;
        test_check(!(wv & 1), "wc_version %u is even", wv);
        test_check(sec > 1577836800u, "wc_sec %u is after 2020-01-01", sec);
        test_check(nsec < 1000000000u, "wc_nsec %u < 1e9", nsec);
        test_check(pv_shared->wc_sec_hi == 0, "wc_sec_hi %u", pv_shared->wc_sec_hi);
        test_note("wall clock at system time 0: %u.%09u", sec, nsec);
    }
}

static void test_periodic(void)
{
    struct vcpu_set_periodic_timer p;
    unsigned long before;
    long rc;

    /* A PV vCPU starts with a 10 ms periodic VIRQ_TIMER. */
    before = ticks;
    run_for(105 * MS);
    test_note("default periodic timer: %lu ticks in 105 ms", ticks - before);
    test_check(ticks - before >= 5 && ticks - before <= 12, "default periodic timer ticks about every 10 ms (%lu in 105 ms)",
               ticks - before);

    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "VCPUOP_stop_periodic_timer: rc=%ld", rc);
    run_for(MS);   /* a tick already pending may still arrive */
    before = ticks;
    run_for(60 * MS);
    test_check(ticks == before, "no ticks after stop_periodic_timer (%lu)", ticks - before);

    p.period_ns = 20 * MS;
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
    test_check(rc == 0, "VCPUOP_set_periodic_timer(20 ms): rc=%ld", rc);
    before = ticks;
    run_for(105 * MS);
    test_note("20 ms periodic timer: %lu ticks in 105 ms", ticks - before);
    test_check(ticks - before >= 3 && ticks - before <= 7, "20 ms periodic timer: %lu ticks in 105 ms",
               ticks - before);

    p.period_ns = MS / 2;
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
    test_check(rc == -EINVAL, "period 0.5 ms: rc=%ld (want -EINVAL, minimum 1 ms)", rc);
    p.period_ns = 0;
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
    test_check(rc == -EINVAL, "period 0: rc=%ld (want -EINVAL)", rc);
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, 0);
    test_check(rc == -EFAULT, "set_periodic_timer(NULL): rc=%ld (want -EFAULT)", rc);
    p.period_ns = 20 * MS;
    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 1, &p);
    test_check(rc == -ENOENT, "set_periodic_timer on vcpu 1: rc=%ld (want -ENOENT)", rc);

    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "stop_periodic_timer: rc=%ld", rc);
    run_for(MS);
    before = ticks;
    run_for(50 * MS);
    test_check(ticks == before, "stopped again (%lu)", ticks - before);
}

static void test_timer_op(void)
{
    unsigned long before;
    uint64_t deadline, now;
    long rc;

    /* A deadline in the future: never early. */
    for (int i = 0; i < 5; i++) {
        before = ticks;
        deadline = pv_now() + (2 + i) * MS;
        rc = pv_set_timer_op(deadline);
        if (!test_check(rc == 0, "set_timer_op(now + %d ms): rc=%ld", 2 + i, rc))
            break;
        test_check(wait_tick(before + 1, 200 * MS), "the timer fired");
        test_check(last_tick_time >= deadline, "not early: handled at %lu, deadline %lu (%ld ns late)",
                   (unsigned long)last_tick_time, (unsigned long)deadline,
                   (long)(last_tick_time - deadline));
        test_check(ticks == before + 1, "exactly one tick");
    }

    /* 0 cancels. */
    before = ticks;
    pv_set_timer_op(pv_now() + 5 * MS);
    rc = pv_set_timer_op(0);
    test_check(rc == 0, "set_timer_op(0): rc=%ld", rc);
    run_for(30 * MS);
    test_check(ticks == before, "a cancelled timer does not fire");

    /* A later call replaces the deadline. Both calls go in one multicall, so
     * that a guest delayed by a busy host cannot let the first one fire
     * before the second replaces it. */
    {
        multicall_entry_t mc[2] = {
            { .op = __HYPERVISOR_set_timer_op, .args = { pv_now() + 3 * MS } },
            { .op = __HYPERVISOR_set_timer_op },
        };
        before = ticks;
        deadline = pv_now() + 15 * MS;
        mc[1].args[0] = deadline;
        test_check(mm_multicall(mc, 2) == 0 && mc[0].result == 0 && mc[1].result == 0,
                   "set_timer_op(now + 3 ms), then set_timer_op(now + 15 ms), in one multicall");
    }
    run_for(40 * MS);
    test_check(ticks == before + 1 && last_tick_time >= deadline,
               "a second set_timer_op replaces the first (%lu ticks, the last at %ld ns)", ticks - before,
               (long)(last_tick_time - deadline));

    /* A deadline in the past fires at once: the event is pending when the
     * hypercall returns. */
    before = ticks;
    now = pv_now();
    rc = pv_set_timer_op(now - MS);
    test_check(rc == 0, "set_timer_op(1 ms ago): rc=%ld", rc);
    test_check(pv_port_pending(timer_port) || ticks == before + 1, "a past deadline fires at once");
    run_for(MS);
    test_check(ticks == before + 1, "one tick for the past deadline");

    before = ticks;
    pv_set_timer_op(1);
    run_for(MS);
    test_check(ticks == before + 1, "deadline 1 ns (long past) fires");

    /* A deadline far away does not fire. */
    before = ticks;
    rc = pv_set_timer_op(pv_now() + (1ull << 60));
    test_check(rc == 0, "set_timer_op(now + 2^60 ns): rc=%ld", rc);
    run_for(20 * MS);
    test_check(ticks == before, "... and it does not fire");
    pv_set_timer_op(0);
}

static void test_singleshot(void)
{
    struct vcpu_set_singleshot_timer s;
    unsigned long before;
    long rc;

    before = ticks;
    s.timeout_abs_ns = pv_now() + 4 * MS;
    s.flags = 0;
    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
    test_check(rc == 0, "VCPUOP_set_singleshot_timer(now + 4 ms): rc=%ld", rc);
    test_check(wait_tick(before + 1, 200 * MS), "the single-shot timer fired");
    test_check(last_tick_time >= s.timeout_abs_ns, "not early (%ld ns)",
               (long)(last_tick_time - s.timeout_abs_ns));

    /* Xen 4.17 ignores VCPU_SSHOTTMR_future (guests misused it): a deadline
     * already past fires at once, with or without the flag. */
    before = ticks;
    s.timeout_abs_ns = pv_now() - MS;
    s.flags = VCPU_SSHOTTMR_future;
    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
    test_check(rc == 0, "VCPU_SSHOTTMR_future with a past deadline: rc=%ld (the flag is ignored)", rc);
    run_for(MS);
    test_check(ticks == before + 1, "... and it fires at once (%lu)", ticks - before);

    before = ticks;
    s.flags = 0;
    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
    test_check(rc == 0, "a past deadline without the flag: rc=%ld", rc);
    run_for(MS);
    test_check(ticks == before + 1, "... fires at once");

    s.timeout_abs_ns = pv_now() + (1ull << 40);
    s.flags = VCPU_SSHOTTMR_future;
    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
    test_check(rc == 0, "VCPU_SSHOTTMR_future with a future deadline: rc=%ld", rc);

    before = ticks;
    s.timeout_abs_ns = pv_now() + 5 * MS;
    s.flags = 0;
    pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
    rc = pv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
    test_check(rc == 0, "VCPUOP_stop_singleshot_timer: rc=%ld", rc);
    run_for(20 * MS);
    test_check(ticks == before, "a stopped single-shot timer does not fire");

    /* set_timer_op and the single-shot timer are the same timer. */
    pv_set_timer_op(pv_now() + 5 * MS);
    pv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
    run_for(20 * MS);
    test_check(ticks == before, "stop_singleshot_timer also cancels set_timer_op");

    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 1, &s);
    test_check(rc == -ENOENT, "single-shot timer on vcpu 1: rc=%ld (want -ENOENT)", rc);
    rc = pv_vcpu_op(VCPUOP_set_singleshot_timer, 0, 0);
    test_check(rc == -EFAULT, "set_singleshot_timer(NULL): rc=%ld (want -EFAULT)", rc);
}

static long sched_poll(evtchn_port_t *ports, unsigned nr, uint64_t timeout)
{
    struct sched_poll p;

    set_xen_guest_handle(p.ports, ports);
    p.nr_ports = nr;
    p.timeout = timeout;
    return pv_sched_op(SCHEDOP_poll, &p);
}

static void test_block_poll(void)
{
    unsigned long before, up_before;
    uint64_t t0, deadline;
    long ipi, rc;
    evtchn_port_t ports[2];

    ipi = pv_bind_ipi(0);
    test_check(ipi > 0, "an IPI port: %ld", ipi);

    /* Blocking with an event pending returns at once, enables events, and
     * the upcall runs on the way out. */
    pv_events_mask();
    pv_evtchn_send((unsigned)ipi);
    up_before = upcalls;
    t0 = pv_now();
    rc = pv_sched_op(SCHEDOP_block, 0);
    test_check(rc == 0, "SCHEDOP_block with an event pending: rc=%ld", rc);
    test_check(pv_now() - t0 < 5 * MS, "... returned at once (%lu us)", (unsigned long)((pv_now() - t0) / 1000));
    test_check(upcalls == up_before + 1 && pv_port_count[ipi] == 1, "... and the upcall ran");
    test_check(pv_vcpu->evtchn_upcall_mask == 0, "SCHEDOP_block left events enabled");
    pv_events_mask();

    /* Nothing pending: it sleeps until the timer. */
    before = ticks;
    deadline = pv_now() + 20 * MS;
    pv_set_timer_op(deadline);
    t0 = pv_now();
    rc = pv_sched_op(SCHEDOP_block, 0);
    test_check(rc == 0, "SCHEDOP_block until the timer: rc=%ld", rc);
    test_check(pv_now() >= deadline, "slept until the deadline (%lu us)", (unsigned long)((pv_now() - t0) / 1000));
    test_check(ticks == before + 1, "woken by the timer tick");
    pv_events_mask();

    /* Poll: a port that stays quiet, up to a timeout (events stay masked). */
    ports[0] = (evtchn_port_t)ipi;
    t0 = pv_now();
    rc = sched_poll(ports, 1, t0 + 15 * MS);
    test_check(rc == 0, "SCHEDOP_poll until a timeout: rc=%ld", rc);
    test_check(pv_now() >= t0 + 15 * MS, "poll slept until the timeout (%lu us)",
               (unsigned long)((pv_now() - t0) / 1000));
    test_check(pv_vcpu->evtchn_upcall_mask == 1, "poll leaves events masked");

    /* A pending port ends the poll at once. */
    pv_evtchn_send((unsigned)ipi);
    t0 = pv_now();
    rc = sched_poll(ports, 1, t0 + 500 * MS);
    test_check(rc == 0 && pv_now() - t0 < 100 * MS, "poll on a pending port returns at once: rc=%ld, %lu us", rc,
               (unsigned long)((pv_now() - t0) / 1000));
    pv_clear_bit(pv_shared->evtchn_pending, (unsigned)ipi);
    pv_vcpu->evtchn_upcall_pending = 0;
    pv_vcpu->evtchn_pending_sel = 0;

    /* The timer port becoming pending wakes a poll on it. */
    ports[0] = timer_port;
    ports[1] = (evtchn_port_t)ipi;
    deadline = pv_now() + 10 * MS;
    pv_set_timer_op(deadline);
    t0 = pv_now();
    rc = sched_poll(ports, 2, t0 + 2000 * MS);
    test_check(rc == 0, "poll on the timer port: rc=%ld", rc);
    test_check(pv_now() >= deadline && pv_now() - t0 < 1000 * MS, "woken by the timer after %lu us",
               (unsigned long)((pv_now() - t0) / 1000));
    test_check(pv_port_pending(timer_port), "the timer port is pending (events stayed masked)");
    run_for(MS);

    /* No ports: just a timed sleep. */
    t0 = pv_now();
    rc = sched_poll(ports, 0, t0 + 10 * MS);
    test_check(rc == 0 && pv_now() >= t0 + 10 * MS, "poll with no ports sleeps until the timeout: rc=%ld", rc);

    rc = sched_poll(ports, 129, pv_now() + MS);
    test_check(rc == -EINVAL, "poll on 129 ports: rc=%ld (want -EINVAL)", rc);
    ports[0] = 4096;
    rc = sched_poll(ports, 1, pv_now() + MS);
    test_check(rc == -EINVAL, "poll on port 4096: rc=%ld (want -EINVAL)", rc);
    rc = sched_poll((evtchn_port_t *)0x8000000000000000ul, 1, pv_now() + MS);
    test_check(rc == -EFAULT, "poll with a non-canonical port list: rc=%ld (want -EFAULT)", rc);
    rc = pv_sched_op(SCHEDOP_poll, 0);
    test_check(rc == -EFAULT, "poll with a NULL argument: rc=%ld (want -EFAULT)", rc);

    pv_evtchn_close((unsigned)ipi);
}

static void test_runstate(void)
{
    struct vcpu_runstate_info rs;
    uint64_t now;
    long rc;

    g_memset(&rs, 0xa5, sizeof(rs));
    rc = pv_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
    now = pv_now();
    test_check(rc == 0, "VCPUOP_get_runstate_info: rc=%ld", rc);
    test_check(rs.state == RUNSTATE_running, "state running (%d)", rs.state);
    test_check(rs.state_entry_time <= now + MS, "state_entry_time %lu <= now %lu",
               (unsigned long)rs.state_entry_time, (unsigned long)now);
    test_check(rs.time[RUNSTATE_running] > 0, "time running %lu ns", (unsigned long)rs.time[RUNSTATE_running]);
    test_check(rs.time[RUNSTATE_blocked] >= 20 * MS, "time blocked %lu ns (the test blocked and polled)",
               (unsigned long)rs.time[RUNSTATE_blocked]);
    test_note("runstate: running %lu, runnable %lu, blocked %lu, offline %lu ns",
              (unsigned long)rs.time[0], (unsigned long)rs.time[1], (unsigned long)rs.time[2],
              (unsigned long)rs.time[3]);
    rc = pv_vcpu_op(VCPUOP_get_runstate_info, 1, &rs);
    test_check(rc == -ENOENT, "runstate of vcpu 1: rc=%ld (want -ENOENT)", rc);
    rc = pv_vcpu_op(VCPUOP_get_runstate_info, 0, 0);
    test_check(rc == -EFAULT, "runstate into NULL: rc=%ld (want -EFAULT)", rc);
    rc = pv_vcpu_op(VCPUOP_is_up, 0, 0);
    test_check(rc == 1, "VCPUOP_is_up(0): %ld", rc);
    rc = pv_vcpu_op(VCPUOP_is_up, 1, 0);
    test_check(rc == -ENOENT, "VCPUOP_is_up(1): rc=%ld (want -ENOENT)", rc);
}

static unsigned char vinfo_page[4096] __attribute__((aligned(4096)));

static void test_register_vcpu_info(start_info_t *si)
{
    struct vcpu_register_vcpu_info r;
    unsigned long mfn = mm_va_to_mfn((unsigned long)vinfo_page);
    struct vcpu_info *nv = (struct vcpu_info *)(vinfo_page + 64);
    struct vcpu_time_info t;
    unsigned long before;
    uint64_t t_old;
    long rc;

    test_check(mfn != MM_INVALID, "mfn of a page for vcpu_info: %#lx", mfn);
    r.mfn = mfn;
    r.offset = 4096 - 32;
    r.rsvd = 0;
    rc = pv_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    test_check(rc == -ENXIO, "offset leaving no room for vcpu_info: rc=%ld (want -ENXIO)", rc);
    r.offset = 64;
    r.mfn = mm_pfn_to_mfn((si->pt_base - mm_virt_base()) >> 12);
    rc = pv_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    test_check(rc == -EINVAL, "a page-table frame: rc=%ld (want -EINVAL)", rc);
    r.mfn = mfn;
    rc = pv_vcpu_op(VCPUOP_register_vcpu_info, 1, &r);
    test_check(rc == -ENOENT, "for vcpu 1: rc=%ld (want -ENOENT)", rc);

    pv_events_mask();
    t_old = pv_now();
    g_memset(vinfo_page, 0, sizeof(vinfo_page));
    rc = pv_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    test_check(rc == 0, "VCPUOP_register_vcpu_info(mfn %#lx, offset 64): rc=%ld", mfn, rc);
    test_check(nv->evtchn_upcall_mask == 1, "the new vcpu_info has the event mask copied (%u)",
               nv->evtchn_upcall_mask);
    test_check(nv->evtchn_upcall_pending == 1 && nv->evtchn_pending_sel == ~0ul,
               "everything is marked pending in the new area (pending %u, sel %#lx)", nv->evtchn_upcall_pending,
               nv->evtchn_pending_sel);
    pv_vcpu = nv;
    test_check(pv_time_snapshot(&t) != 0 && t.tsc_to_system_mul != 0, "the new area has vcpu_time_info (version %u)",
               t.version);
    test_check(pv_now() >= t_old, "system time from the new area carries on (%lu >= %lu)",
               (unsigned long)pv_now(), (unsigned long)t_old);

    /* Events now flow through the new area, and the upcall's HYPERVISOR_iret
     * restores the event mask there, not in the old slot in shared_info. */
    run_for(MS);
    before = ticks;
    pv_set_timer_op(pv_now() + 3 * MS);
    pv_events_unmask();
    uint64_t end = pv_now() + 200 * MS;
    while (ticks < before + 1 && pv_now() < end)
        __asm__ volatile("pause");
    unsigned mask_after_iret = nv->evtchn_upcall_mask;
    pv_events_mask();
    test_check(ticks >= before + 1, "a timer event arrives through the new vcpu_info");
    test_check(mask_after_iret == 0 && pv_shared->vcpu_info[0].evtchn_upcall_mask == 1,
               "the upcall's iret unmasked events in the new vcpu_info (mask %u) and left the old "
               "slot alone (mask %u)", mask_after_iret, pv_shared->vcpu_info[0].evtchn_upcall_mask);
    rc = pv_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
    test_check(rc == -EINVAL, "registering a second time: rc=%ld (want -EINVAL)", rc);
}

void test_main(start_info_t *si)
{
    long rc;

    if (!pv_map_shared_info())
        test_finish();
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    pv_set_port_hook(port_hook);
    test_check(pv_register_callbacks() == 0, "set_callbacks");

    test_time_info();

    rc = pv_bind_virq(VIRQ_TIMER, 0);
    if (!test_check(rc > 0, "bind_virq(VIRQ_TIMER): port %ld", rc))
        test_finish();
    timer_port = (unsigned)rc;

    test_periodic();
    test_timer_op();
    test_singleshot();
    test_block_poll();
    test_runstate();
    test_register_vcpu_info(si);
}
