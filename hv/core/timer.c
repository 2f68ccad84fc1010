/* The timer queue: every armed timer, sorted by deadline, and the one
 * hardware deadline that stands for all of them.
 *
 * Pure logic: the clock and the interrupt hardware are reached only through
 * timer_clock_now() and timer_clock_program() (hv/core/time.c; the host tests
 * fake them). One CPU, interrupts off whenever this runs: no locking.
 *
 * An armed timer is on exactly one of two singly linked lists:
 *   queue   armed and waiting, sorted by deadline (equal deadlines in the
 *           order they were set);
 *   batch   found expired by the timer_run_expired() in progress, not run
 *           yet. A function run from the batch may stop or re-arm a timer
 *           that is still on it.
 * `active` means "on one of the lists". The lists are short (a few timers
 * per vCPU), so a linear walk is the simplest and fastest structure. */
#include "core/timer.h"

#include <stddef.h>

static struct timer *queue;
static struct timer *batch;
static bool running;                      /* inside timer_run_expired() */
static unsigned held;                     /* timer_hold() without its timer_release() */
static uint64_t programmed = TIMER_NEVER;  /* what the hardware was last asked for */

/* Take t off whichever list holds it. */
static void unlink_timer(struct timer *t)
{
    struct timer **lists[2] = { &queue, &batch };

    for (unsigned i = 0; i < 2; i++)
        for (struct timer **pp = lists[i]; *pp; pp = &(*pp)->next)
            if (*pp == t) {
                *pp = t->next;
                t->next = NULL;
                return;
            }
}

static void insert_sorted(struct timer *t)
{
    struct timer **pp = &queue;

    while (*pp && (*pp)->deadline <= t->deadline)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
}

/* Keep the hardware on the head of the queue. While the batch runs, the
 * final re-programming at its end does it once for all changes. */
static void reprogram(bool force)
{
    uint64_t want = queue ? queue->deadline : TIMER_NEVER;

    if (running || held || (!force && want == programmed))
        return;
    programmed = want;
    timer_clock_program(want);
}

void timer_init(struct timer *t, void (*fn)(void *data), void *data)
{
    if (t->active)
        timer_stop(t);
    t->deadline = 0;
    t->fn = fn;
    t->data = data;
    t->next = NULL;
    t->active = false;
}

void timer_set(struct timer *t, uint64_t deadline_ns)
{
    if (t->active)
        unlink_timer(t);
    t->deadline = deadline_ns;
    t->active = true;
    insert_sorted(t);
    reprogram(false);
}

void timer_hold(void)
{
    held++;
}

void timer_release(void)
{
    if (held && --held == 0)
        reprogram(false);
}

void timer_stop(struct timer *t)
{
    if (!t->active)
        return;
    unlink_timer(t);
    t->active = false;
    reprogram(false);
}

uint64_t timer_next_deadline(void)
{
    return queue ? queue->deadline : TIMER_NEVER;
}

void timer_run_expired(void)
{
    uint64_t now;
    struct timer *last = NULL;

    if (running)                          /* called from a timer function */
        return;
    running = true;
    now = timer_clock_now();
    /* Detach the expired prefix of the queue as this round's batch: what
     * gets armed from now on waits for the next round. */
    for (struct timer *t = queue; t && t->deadline <= now; t = t->next)
        last = t;
    if (last) {
        batch = queue;
        queue = last->next;
        last->next = NULL;
    }
    while (batch) {
        struct timer *t = batch;
        batch = t->next;
        t->next = NULL;
        t->active = false;
        t->fn(t->data);
    }
    running = false;
    /* The hardware fired (or was early, or spurious): always ask again. */
    reprogram(true);
}
