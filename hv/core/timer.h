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
/* Run every expired timer and re-program the hardware for the next one. */
void timer_run_expired(void);

#endif
