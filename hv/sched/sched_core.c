/* The vCPU scheduler's decisions (see sched_core.h): two FIFO queues, woken
 * units first, turns numbered in round-robin order, and the running unit's
 * slice charged only while another unit waits for the CPU. */
#include "sched/sched_core.h"

#include <stddef.h>

static struct sched_unit *unit_of(struct runq_link *l)
{
    return l ? (struct sched_unit *)((char *)l - offsetof(struct sched_unit, link)) : NULL;
}

static bool others_waiting(const struct sched_cpu *c)
{
    return !runq_empty(&c->woken) || !runq_empty(&c->expired);
}

void sched_cpu_init(struct sched_cpu *c, uint64_t slice_ns)
{
    runq_init(&c->woken);
    runq_init(&c->expired);
    c->curr = NULL;
    c->slice_ns = slice_ns ? slice_ns : 1;
    c->run_start = 0;
    c->deadline = SCHED_NO_DEADLINE;
    c->yield_pending = c->expiry_pending = false;
    c->next_turn = 1;
    c->served = 0;
}

/* The running unit has used its slice from run_start to now. */
static void charge(struct sched_cpu *c, uint64_t now)
{
    struct sched_unit *u = c->curr;
    uint64_t used;

    if (!u || c->deadline == SCHED_NO_DEADLINE)
        return;
    used = now > c->run_start ? now - c->run_start : 0;
    u->slice_left = used < u->slice_left ? u->slice_left - used : 0;
    c->run_start = now;
}

/* Another unit became runnable: a unit that ran alone starts using its slice. */
static void start_clock(struct sched_cpu *c, uint64_t now)
{
    if (!c->curr || c->curr->state != SCHED_RUNNING || c->deadline != SCHED_NO_DEADLINE)
        return;
    c->run_start = now;
    c->deadline = now + c->curr->slice_left;
}

/* To the back of the expired queue with a fresh slice. */
static void enqueue_fresh(struct sched_cpu *c, struct sched_unit *u)
{
    u->slice_left = c->slice_ns;
    u->turn = c->next_turn++;
    u->woken = false;
    u->state = SCHED_QUEUED;
    runq_push_back(&c->expired, &u->link);
}

void sched_add(struct sched_cpu *c, struct sched_unit *u, uint64_t now)
{
    if (u->state != SCHED_OFF)
        return;
    enqueue_fresh(c, u);
    start_clock(c, now);
}

void sched_block(struct sched_cpu *c, struct sched_unit *u, uint64_t now)
{
    if (u->state != SCHED_RUNNING)
        return;
    if (u == c->curr)
        charge(c, now);
    u->state = SCHED_BLOCKED;
}

bool sched_wake(struct sched_cpu *c, struct sched_unit *u, uint64_t now)
{
    if (u->state != SCHED_BLOCKED)
        return false;
    if (u == c->curr) {             /* blocked and woken before it left the CPU */
        u->state = SCHED_RUNNING;
        return false;
    }
    if (c->served >= u->turn) {     /* the round robin reached its place while it slept */
        u->slice_left = c->slice_ns;
        u->turn = c->next_turn++;
    }
    if (u->slice_left) {            /* ahead of those that used their slice, behind earlier wakers */
        u->woken = true;
        u->state = SCHED_QUEUED;
        runq_push_back(&c->woken, &u->link);
    } else {
        enqueue_fresh(c, u);
    }
    start_clock(c, now);
    return true;
}

void sched_yield_request(struct sched_cpu *c)
{
    c->yield_pending = true;
}

void sched_expire(struct sched_cpu *c)
{
    c->expiry_pending = true;
}

void sched_remove(struct sched_cpu *c, struct sched_unit *u)
{
    if (u->state == SCHED_QUEUED)
        runq_remove(u->woken ? &c->woken : &c->expired, &u->link);
    u->state = SCHED_OFF;
    u->woken = false;
    if (u == c->curr) {
        c->curr = NULL;
        c->deadline = SCHED_NO_DEADLINE;
    }
}

struct sched_unit *sched_pick_next(struct sched_cpu *c, uint64_t now)
{
    struct sched_unit *cur = c->curr, *next;
    bool yield = c->yield_pending;

    c->yield_pending = c->expiry_pending = false;
    if (cur) {
        charge(c, now);
        if (cur->state == SCHED_RUNNING) {
            bool done = yield || cur->slice_left == 0;

            if (!others_waiting(c)) {           /* alone: goes on, no deadline */
                if (done) {
                    cur->slice_left = c->slice_ns;
                    cur->woken = false;
                }
                c->deadline = SCHED_NO_DEADLINE;
                return cur;
            }
            if (!done) {
                c->run_start = now;
                c->deadline = now + cur->slice_left;
                return cur;
            }
            enqueue_fresh(c, cur);
        }
        c->curr = NULL;
    }
    next = unit_of(runq_pop_front(&c->woken));
    if (!next && (next = unit_of(runq_pop_front(&c->expired))) != NULL) {
        c->served = next->turn;
        next->turn = c->next_turn++;        /* its next turn: behind every unit queued now */
    }
    if (!next) {
        c->deadline = SCHED_NO_DEADLINE;
        return NULL;
    }
    next->state = SCHED_RUNNING;
    c->curr = next;
    c->run_start = now;
    c->deadline = others_waiting(c) ? now + next->slice_left : SCHED_NO_DEADLINE;
    return next;
}
