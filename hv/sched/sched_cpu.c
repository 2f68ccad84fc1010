/* The scheduler of this physical CPU (see sched_cpu.h): the decisions of
 * hv/sched/sched_core.c on system time, and a hypervisor timer on the
 * running unit's slice deadline. The timer only marks the slice as ended:
 * the running vCPU leaves the CPU on its next way back to the guest (after
 * the hypercall or interrupt in progress), never in the middle of one. */
#include "sched/sched_cpu.h"
#include "core/options.h"
#include "core/time.h"
#include "core/timer.h"

struct sched_cpu sched_cpu_this;
static struct timer slice_timer;

static void slice_ended(void *data)
{
    sched_expire(data);
}

/* The timer follows the deadline: none while a vCPU runs alone or the CPU idles. */
static void follow_deadline(void)
{
    uint64_t d = sched_deadline(&sched_cpu_this);

    if (d == SCHED_NO_DEADLINE)
        timer_stop(&slice_timer);
    else if (!slice_timer.active || slice_timer.deadline != d)
        timer_set(&slice_timer, d);
}

void sched_cpu_setup(void)
{
    sched_cpu_init(&sched_cpu_this, (uint64_t)hv_opts.sched_slice_ms * 1000000u);
    timer_init(&slice_timer, slice_ended, &sched_cpu_this);
}

void sched_unit_add(struct sched_unit *u)
{
    sched_add(&sched_cpu_this, u, time_now_ns());
    follow_deadline();
}

void sched_unit_block(struct sched_unit *u)
{
    sched_block(&sched_cpu_this, u, time_now_ns());
}

bool sched_unit_wake(struct sched_unit *u)
{
    bool queued = sched_wake(&sched_cpu_this, u, time_now_ns());

    follow_deadline();
    return queued;
}

void sched_unit_remove(struct sched_unit *u)
{
    sched_remove(&sched_cpu_this, u);
    follow_deadline();
}

void sched_cpu_yield(void)
{
    sched_yield_request(&sched_cpu_this);
}

struct sched_unit *sched_cpu_pick(void)
{
    struct sched_unit *u = sched_pick_next(&sched_cpu_this, time_now_ns());

    follow_deadline();
    return u;
}
