/* The vCPU scheduler's decisions: round robin with a time slice, and a
 * bounded preference for vCPUs woken by an event.
 *
 * Pure logic, with the time passed in (ns of system time): the caller owns
 * the clock, the timer that stands for the slice deadline and the context
 * switch. One struct sched_cpu per physical CPU (one today); a unit belongs
 * to one of them. Interrupts are off whenever this runs: no locking.
 *
 * A unit is in one state:
 *   OFF       never made runnable, or removed (its domain shut down)
 *   BLOCKED   waiting for an event (SCHEDOP_block, SCHEDOP_poll)
 *   QUEUED    runnable, waiting on one of the two queues
 *   RUNNING   the CPU's current unit (cpu->curr)
 * Two FIFO queues: `woken` (units woken from BLOCKED with part of their slice
 * left) is served before `expired` (every other runnable unit: those that
 * used their whole slice, yielded, or were just made runnable).
 *
 * Slices: a unit has `slice_left` ns of running before it goes to the back
 * of `expired` with a fresh slice. Blocking keeps what is left, and a woken
 * unit runs ahead of the others only while some of its slice is left.
 *
 * Turns: every place in the round robin has a number, handed out in order
 * (`next_turn`); `served` is the number of the last unit taken from
 * `expired`. A unit taken from `expired` gets the number of its next turn at
 * once, behind every unit queued then, and keeps it while it runs and
 * sleeps. A unit woken once `served` has reached that number had its turn
 * while it slept: it gets a fresh slice (and the number of the turn after).
 * So a vCPU that sleeps a lot (less than its share of the CPU) is woken
 * ahead of the spinners every time, while one that blocks and wakes at once
 * gets no more than one slice a round: while a unit waits in `expired`,
 * every other unit runs at most twice a slice (what was left of its slice,
 * then one fresh slice for a turn numbered before the waiting one's).
 *
 * The running unit is charged only while another unit waits: alone on the
 * CPU it has no deadline (no timer interrupts), and its slice starts counting
 * when a second unit becomes runnable. */
#ifndef HV_SCHED_SCHED_CORE_H
#define HV_SCHED_SCHED_CORE_H

#include <stdint.h>
#include <stdbool.h>
#include "sched/runqueue.h"

#define SCHED_NO_DEADLINE UINT64_MAX

enum sched_unit_state { SCHED_OFF = 0, SCHED_BLOCKED, SCHED_QUEUED, SCHED_RUNNING };

struct sched_unit {
    struct runq_link link;        /* on cpu->woken or cpu->expired while QUEUED */
    uint8_t state;                /* enum sched_unit_state */
    bool woken;                   /* queued on (or picked from) the woken queue */
    uint64_t slice_left;          /* ns */
    uint64_t turn;                /* its place in the round robin (see above) */
};

struct sched_cpu {
    struct runqueue woken, expired;
    struct sched_unit *curr;      /* the unit on the CPU (RUNNING, or BLOCKED/OFF until the next pick) */
    uint64_t slice_ns;
    uint64_t run_start;           /* curr is charged from here */
    uint64_t deadline;            /* curr's slice ends: SCHED_NO_DEADLINE when it runs alone */
    bool yield_pending, expiry_pending;
    uint64_t next_turn, served;   /* turn numbers (see above) */
};

void sched_cpu_init(struct sched_cpu *c, uint64_t slice_ns);
/* Make a unit runnable for the first time (or again after sched_remove):
 * the back of the queue, a fresh slice. No-op unless OFF. */
void sched_add(struct sched_cpu *c, struct sched_unit *u, uint64_t now);
/* The running unit waits for an event. It leaves the CPU at the next pick
 * (unless sched_wake comes first). */
void sched_block(struct sched_cpu *c, struct sched_unit *u, uint64_t now);
/* A BLOCKED unit becomes runnable. Returns true if it was queued (false if it
 * was not blocked, or was still the CPU's current unit and simply goes on). */
bool sched_wake(struct sched_cpu *c, struct sched_unit *u, uint64_t now);
/* The running unit gives the CPU to any other runnable unit at the next pick.
 * (Not sched_yield: the host tests' C library has one, which it calls.) */
void sched_yield_request(struct sched_cpu *c);
/* The slice deadline passed (the caller's timer fired): the next pick
 * charges the running unit and may send it to the back. */
void sched_expire(struct sched_cpu *c);
/* Never run again (until sched_add): off its queue, or off the CPU (the
 * next pick chooses another). */
void sched_remove(struct sched_cpu *c, struct sched_unit *u);
/* Must the caller call sched_pick_next before going back to the guest? */
static inline bool sched_need_pick(const struct sched_cpu *c)
{
    return !c->curr || c->curr->state != SCHED_RUNNING || c->yield_pending || c->expiry_pending;
}
/* Charge the current unit, put it back if it must leave the CPU and is still
 * runnable, and choose the unit to run from `now` (the current one again if
 * it may go on, NULL when none is runnable: the CPU idles). Its slice ends at
 * c->deadline (SCHED_NO_DEADLINE when it runs alone). */
struct sched_unit *sched_pick_next(struct sched_cpu *c, uint64_t now);
static inline uint64_t sched_deadline(const struct sched_cpu *c) { return c->deadline; }

#endif
