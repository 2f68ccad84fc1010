/* Hypervisor timers on system time (ns since boot).
 *
 * CONTRACT (owned by the time subsystem: hv/core/timer.c, hv/core/time.c,
 * hv/arch/x86_64/apic.c, ...): a timer fires once at or after its deadline,
 * never before; its function runs with interrupts off, from the hypervisor's
 * interrupt path or from timer_run_expired(). */
#ifndef HV_CORE_TIMER_H
#define HV_CORE_TIMER_H

#include <stdint.h>
#include <stdbool.h>

struct timer {
    uint64_t deadline;                  /* ns of system time */
    void (*fn)(void *data);
    void *data;
    struct timer *next;                 /* queue link (private) */
    bool active;
};

void timer_init(struct timer *t, void (*fn)(void *data), void *data);
void timer_set(struct timer *t, uint64_t deadline_ns);   /* (re)arm; a past deadline fires soon */
void timer_stop(struct timer *t);
/* Changes between timer_hold() and timer_release() program the hardware
 * once, at the release (a vCPU switch stops and arms several timers: the
 * periodic timers of both vCPUs, the time slice; each hardware write is an
 * exit to the device model under emulation). */
void timer_hold(void);
void timer_release(void);
/* Run every expired timer and re-program the hardware for the next one. */
void timer_run_expired(void);

/* Details of the implementation (hv/core/timer.c), within the contract above:
 *  - one queue sorted by deadline; timers with equal deadlines fire in the
 *    order they were set;
 *  - a function may set or stop any timer, itself included. A timer set
 *    during timer_run_expired() to a deadline already past does not run in
 *    that same call: the hardware is programmed for it, so it runs on the
 *    next interrupt (no endless loop, the guest gets the CPU in between);
 *  - timer_init() on an armed timer stops it first; on a zeroed timer
 *    (active == false) timer_stop() is a no-op. */

#define TIMER_NEVER UINT64_MAX

/* The earliest armed deadline, TIMER_NEVER if no timer is armed. */
uint64_t timer_next_deadline(void);

/* ---- provided by the environment (hv/core/time.c; the host tests fake them) ---- */
/* System time now, in ns. */
uint64_t timer_clock_now(void);
/* Ask for an interrupt at or after deadline_ns (TIMER_NEVER: none); it ends
 * in timer_run_expired(). A deadline already past means "as soon as possible". */
void timer_clock_program(uint64_t deadline_ns);

#endif
