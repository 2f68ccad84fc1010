/* The scheduler of this physical CPU: its run queues (hv/sched/sched_core.h)
 * on the hypervisor's clock, and the timer that ends a time slice.
 *
 * The life cycle (hv/core/domain.c) tells it which vCPU can run; it answers
 * which one runs next. The switch itself (vcpu_arch_switch_to) and the
 * runstate records stay with the caller. One physical CPU today: each call
 * is about the CPU it runs on, so a per-CPU instance can follow without
 * changing the callers. */
#ifndef HV_SCHED_SCHED_CPU_H
#define HV_SCHED_SCHED_CPU_H

#include <stdbool.h>
#include "sched/sched_core.h"

/* Slice length from the sched_slice_ms= option; before the first domain. */
void sched_cpu_setup(void);
void sched_unit_add(struct sched_unit *u);         /* runnable (a new vCPU) */
void sched_unit_block(struct sched_unit *u);       /* the running vCPU waits for an event */
bool sched_unit_wake(struct sched_unit *u);        /* true: queued; false: it had not left the CPU */
void sched_unit_remove(struct sched_unit *u);      /* its domain shut down */
void sched_cpu_yield(void);                        /* SCHEDOP_yield */
/* This CPU's scheduler (the only one today). */
extern struct sched_cpu sched_cpu_this;
/* On the way back to a guest: must the scheduler choose (again)? (Inline:
 * every exit to a guest asks.) */
static inline bool sched_cpu_need_pick(void) { return sched_need_pick(&sched_cpu_this); }
/* The unit to run now (the running one again if it may go on), NULL when
 * none can run; the slice timer is set for it. */
struct sched_unit *sched_cpu_pick(void);

#endif
