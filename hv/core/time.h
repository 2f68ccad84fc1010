/* System time: nanoseconds since boot, from the TSC; its publication to
 * guests (vcpu_time_info, the wall clock in shared_info); the per-vCPU guest
 * timers and runstate accounting (hv/core/vcpu_time.c). See docs/time.md. */
#ifndef HV_CORE_TIME_H
#define HV_CORE_TIME_H

#include <stdint.h>

struct vcpu_time_info;
struct shared_info;
struct domain;
struct vcpu;

/* ---- the clock (hv/core/time.c) ---- */
/* Boot: TSC frequency, wall clock from the RTC, the local APIC timer. */
void time_init(void);
uint64_t time_now_ns(void);
uint64_t time_tsc_hz(void);
/* A TSC interval in ns (rounded down). */
uint64_t time_tsc_to_ns(uint64_t ticks);
/* Update a guest's vcpu_time_info with the version protocol (odd while writing). */
void time_publish(struct vcpu_time_info *t);
/* shared_info's wc_sec/wc_nsec/wc_sec_hi: the wall clock at system time 0
 * (wc_version odd while writing). */
void time_publish_wallclock(struct shared_info *s);
/* The local timer's interrupt (from apic_irq()): expired timers run, the
 * running vCPU's vcpu_time_info is refreshed. */
void time_timer_interrupt(void);

/* ---- hooks the rest of the hypervisor calls (hv/core/vcpu_time.c) ---- */
/* The domain builder, once shared_info exists: wall clock and vcpu_time_info
 * published, the vCPUs' timers set up (the default 10 ms periodic timer of a
 * PV vCPU included; it runs while the vCPU runs). */
void time_domain_start(struct domain *d);
/* Domain teardown, before its memory is released: every timer of its vCPUs
 * stopped (poll_timeout included), the vcpu_info page reference dropped. */
void time_domain_destroy(struct domain *d);
/* v is about to run (its page tables loaded): vcpu_time_info republished,
 * runstate RUNSTATE_running, the periodic timer caught up and armed. */
void time_vcpu_resume(struct vcpu *v);
/* VCPUOP_up: v's vcpu_time_info published (if it has a vcpu_info). */
void time_vcpu_up(struct vcpu *v);
/* Every runstate change of v (RUNSTATE_running/runnable/blocked/offline):
 * the time spent in the old state is accounted; leaving RUNSTATE_running
 * stops the periodic timer, as Xen does for a vCPU that is descheduled. */
void runstate_change(struct vcpu *v, int new_state);

/* ---- pure arithmetic (header-only, host-tested) ---- */
/* Scale factors for a clock of hz (at least 1 Hz): ns = ((ticks << shift) *
 * mul) >> 32, shift possibly negative, with hz * 2^shift in (1e9, 4e9] so
 * that mul = 2^32 * 1e9 / (hz * 2^shift) fits in 32 bits (rounded down). */
static inline void time_scale(uint64_t hz, uint32_t *mul, int8_t *shift)
{
    int s = 0;
    uint64_t f = hz;

    while (f <= 1000000000ull) {
        f <<= 1;
        s++;
    }
    while (f > 4000000000ull) {
        f >>= 1;
        s--;
    }
    *mul = (uint32_t)((1000000000ull << 32) / f);
    *shift = (int8_t)s;
}

static inline uint64_t time_ticks_to_ns(uint64_t ticks, uint32_t mul, int8_t shift)
{
    ticks = shift >= 0 ? ticks << shift : ticks >> -shift;
    return (uint64_t)(((unsigned __int128)ticks * mul) >> 32);
}

/* The inverse, rounded up: a tick count that time_ticks_to_ns() turns into at
 * least ns, so that counting them never ends early. Saturates. */
static inline uint64_t time_ns_to_ticks_up(uint64_t ns, uint32_t mul, int8_t shift)
{
    /* u: ticks already shifted, with u * mul >= ns * 2^32. */
    unsigned __int128 u = ((unsigned __int128)ns * (UINT64_MAX / mul + 1) >> 32) + 1;

    if (shift >= 0)
        u = (u + (((unsigned __int128)1 << shift) - 1)) >> shift;
    else
        u <<= -shift;
    return u > UINT64_MAX ? UINT64_MAX : (uint64_t)u;
}

/* The longest wait the hardware timer is ever armed for. A deadline further
 * ahead (a guest may ask for one 2^63 ns away) is reached through early
 * interrupts, each of which re-arms it; the TSC arithmetic stays far from
 * wrapping, which would arm the timer in the past, over and over. */
#define TIME_MAX_ARM_NS 1000000000ull

/* The TSC value to arm the timer at, for a deadline in ns of system time,
 * when the TSC reads tsc and system time is now_ns: never before tsc, never
 * more than TIME_MAX_ARM_NS ahead, and after tsc when the deadline is. */
static inline uint64_t time_arm_tsc(uint64_t tsc, uint64_t now_ns, uint64_t deadline_ns, uint32_t mul,
                                    int8_t shift)
{
    uint64_t delta;

    if (deadline_ns <= now_ns)
        return tsc;                         /* already due: at once */
    delta = deadline_ns - now_ns;
    if (delta > TIME_MAX_ARM_NS)
        delta = TIME_MAX_ARM_NS;
    return tsc + time_ns_to_ticks_up(delta, mul, shift);
}

#endif
