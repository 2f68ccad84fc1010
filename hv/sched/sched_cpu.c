/* The scheduler of this physical CPU (see sched_cpu.h): the decisions of
 * hv/sched/sched_core.c on system time, and a hypervisor timer on the
 * running unit's slice deadline. The timer only marks the slice as ended:
 * the running vCPU leaves the CPU on its next way back to the guest (after
 * the hypercall or interrupt in progress), never in the middle of one. */
#include "sched/sched_cpu.h"
#include "core/options.h"
#include "core/time.h"
#include "core/timer.h"

static struct sched_cpu this_cpu;
static struct timer slice_timer;

static void slice_ended(void *data)
{
    sched_expire(data);
}

/* The timer follows the deadline: none while a vCPU runs alone or the CPU idles. */
static void follow_deadline(void)
{
    uint64_t d = sched_deadline(&this_cpu);

    if (d == SCHED_NO_DEADLINE)
        timer_stop(&slice_timer);
    else if (!slice_timer.active || slice_timer.deadline != d)
        timer_set(&slice_timer, d);
}

void sched_cpu_setup(void)
{
    sched_cpu_init(&this_cpu, (uint64_t)hv_opts.sched_slice_ms * 1000000u);
    timer_init(&slice_timer, slice_ended, &this_cpu);
}

void sched_unit_add(struct sched_unit *u)
{
    sched_add(&this_cpu, u, time_now_ns());
    follow_deadline();
}

void sched_unit_block(struct sched_unit *u)
{
    sched_block(&this_cpu, u, time_now_ns());
}

bool sched_unit_wake(struct sched_unit *u)
{
    bool queued = sched_wake(&this_cpu, u, time_now_ns());

    follow_deadline();
    return queued;
}

void sched_unit_remove(struct sched_unit *u)
{
    sched_remove(&this_cpu, u);
    follow_deadline();
}

void sched_cpu_yield(void)
{
    sched_yield_request(&this_cpu);
}

bool sched_cpu_need_pick(void)
{
    return sched_need_pick(&this_cpu);
}

struct sched_unit *sched_cpu_pick(void)
{
    struct sched_unit *u = sched_pick_next(&this_cpu, time_now_ns());

    follow_deadline();
    return u;
}
