/* System time from the TSC, the wall clock from the RTC, and the glue between
 * the timer queue (hv/core/timer.c) and the local APIC.
 *
 * One source of truth: system time is ((tsc - tsc_at_boot) << shift) * mul
 * >> 32, with the mul and shift that every vcpu_time_info carries, so a
 * guest's extrapolation from any publication follows the same line as the
 * hypervisor's own clock (to within rounding: a few ns). */
#include "core/time.h"
#include "core/timer.h"
#include "core/domain.h"
#include "core/log.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/cpu.h"
#include "xen.h"

#define NS_PER_SEC 1000000000ull

static uint64_t tsc_hz, tsc_at_boot;
static uint32_t scale_mul;
static int8_t scale_shift;
static uint64_t wallclock_at_boot_ns;        /* Unix time at system time 0, in ns */

static void wallclock_init(void)
{
    struct rtc_time t;
    uint64_t now_ns;
    int64_t unix_sec;

    if (!rtc_read(&t, 0)) {
        log_warn("RTC: unreadable or invalid date: the wall clock starts at 1970-01-01\n");
        return;
    }
    now_ns = time_now_ns();
    unix_sec = rtc_to_unix(&t);
    if (unix_sec < 0 || (uint64_t)unix_sec * NS_PER_SEC < now_ns) {
        log_warn("RTC: date before 1970: the wall clock starts at 1970-01-01\n");
        return;
    }
    wallclock_at_boot_ns = (uint64_t)unix_sec * NS_PER_SEC - now_ns;
    log_info("RTC: %04u-%02u-%02u %02u:%02u:%02u UTC (Unix time %lld)\n", t.year, t.month, t.day,
             t.hour, t.minute, t.second, (long long)unix_sec);
}

void time_init(void)
{
    const char *source = "?";

    tsc_at_boot = rdtsc();
    tsc_hz = tsc_calibrate(&source);
    if (tsc_hz < 1000000) {
        log_warn("TSC frequency %llu Hz from %s is implausible: assuming 1 GHz\n",
                 (unsigned long long)tsc_hz, source);
        tsc_hz = 1000000000ull;
    }
    time_scale(tsc_hz, &scale_mul, &scale_shift);
    log_info("TSC: %llu.%03llu MHz (from %s)%s\n", (unsigned long long)(tsc_hz / 1000000),
             (unsigned long long)(tsc_hz / 1000 % 1000), source,
             tsc_invariant() ? "" : ", not advertised as invariant");
    wallclock_init();
    apic_init(tsc_hz);
}

uint64_t time_tsc_hz(void) { return tsc_hz; }

uint64_t time_tsc_to_ns(uint64_t ticks)
{
    return time_ticks_to_ns(ticks, scale_mul, scale_shift);
}

HV_HOT uint64_t time_now_ns(void)
{
    return time_ticks_to_ns(rdtsc() - tsc_at_boot, scale_mul, scale_shift);
}

void time_publish(struct vcpu_time_info *t)
{
    uint64_t tsc = rdtsc();

    t->version++;
    if (!(t->version & 1))
        t->version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = time_ticks_to_ns(tsc - tsc_at_boot, scale_mul, scale_shift);
    t->tsc_to_system_mul = scale_mul;
    t->tsc_shift = scale_shift;
    t->flags = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;
}

void time_publish_wallclock(struct shared_info *s)
{
    uint64_t sec = wallclock_at_boot_ns / NS_PER_SEC;

    s->wc_version++;
    if (!(s->wc_version & 1))
        s->wc_version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_sec = (uint32_t)sec;
    s->wc_sec_hi = (uint32_t)(sec >> 32);
    s->wc_nsec = (uint32_t)(wallclock_at_boot_ns % NS_PER_SEC);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_version++;
}

/* ---- the timer queue's environment ---- */

uint64_t timer_clock_now(void)
{
    return time_now_ns();
}

void timer_clock_program(uint64_t deadline_ns)
{
    uint64_t tsc, now;

    if (deadline_ns == TIMER_NEVER) {
        apic_timer_arm(0);
        return;
    }
    tsc = rdtsc();
    now = time_ticks_to_ns(tsc - tsc_at_boot, scale_mul, scale_shift);
    apic_timer_arm(time_arm_tsc(tsc, now, deadline_ns, scale_mul, scale_shift));
}

void time_timer_interrupt(void)
{
    struct vcpu *v = current;

    timer_run_expired();
    /* Cheap, and keeps the running vCPU's time record fresh. */
    if (v && v->domain->state == DOMAIN_RUNNING && !v->blocked) {
        struct vcpu_info *vi = vcpu_info_of(v);
        if (vi)
            time_publish(&vi->time);
    }
}
