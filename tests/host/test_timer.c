/* Tests for hv/core/timer.c: the timer queue, on a fake clock and a fake
 * interrupt timer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/timer.h"
#include "test.h"

/* ---- the environment ---- */

static uint64_t fake_now;
static uint64_t hw_deadline = TIMER_NEVER;     /* what the "hardware" was asked for */
static unsigned hw_programs;

uint64_t timer_clock_now(void) { return fake_now; }

void timer_clock_program(uint64_t deadline_ns)
{
    hw_deadline = deadline_ns;
    hw_programs++;
}

/* Advance the clock to t and deliver the interrupt if the hardware says so. */
static void advance_to(uint64_t t)
{
    fake_now = t;
    if (hw_deadline != TIMER_NEVER && hw_deadline <= fake_now)
        timer_run_expired();
}

/* ---- a recording timer function ---- */

#define MAX_FIRED 4096

struct rec {
    struct timer t;
    int id;
    unsigned fired;
    uint64_t fired_at;
    uint64_t deadline_when_fired;
};

static int fired_order[MAX_FIRED];
static unsigned nr_fired;
static bool early_seen;

static void record(void *data)
{
    struct rec *r = data;

    r->fired++;
    r->fired_at = fake_now;
    r->deadline_when_fired = r->t.deadline;
    if (r->t.deadline > fake_now)
        early_seen = true;
    if (nr_fired < MAX_FIRED)
        fired_order[nr_fired] = r->id;
    nr_fired++;
}

static void reset(void)
{
    fake_now = 0;
    hw_deadline = TIMER_NEVER;
    hw_programs = 0;
    nr_fired = 0;
    early_seen = false;
    /* Nothing may be left armed by a previous test. */
    CHECK_EQ(timer_next_deadline(), TIMER_NEVER);
}

static void rec_init(struct rec *r, int id)
{
    memset(r, 0, sizeof(*r));
    r->id = id;
    timer_init(&r->t, record, r);
}

/* ---- tests ---- */

static void test_empty_queue(void)
{
    reset();
    timer_run_expired();
    CHECK_EQ(hw_deadline, TIMER_NEVER);
    CHECK_EQ(timer_next_deadline(), TIMER_NEVER);
}

static void test_fires_in_deadline_order(void)
{
    static const uint64_t deadlines[6] = { 500, 100, 300, 600, 200, 400 };
    struct rec r[6];

    reset();
    for (int i = 0; i < 6; i++) {
        rec_init(&r[i], i);
        timer_set(&r[i].t, deadlines[i]);
    }
    CHECK_EQ(timer_next_deadline(), 100);
    CHECK_EQ(hw_deadline, 100);
    for (uint64_t t = 0; t <= 700; t += 50)
        advance_to(t);
    CHECK_EQ(nr_fired, 6);
    static const int want[6] = { 1, 4, 2, 5, 0, 3 };
    for (int i = 0; i < 6; i++)
        CHECK_EQ(fired_order[i], want[i]);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(r[i].fired, 1);
        CHECK_EQ(r[i].fired_at, deadlines[i]);
        CHECK(!r[i].t.active);
    }
    CHECK_EQ(hw_deadline, TIMER_NEVER);
}

static void test_equal_deadlines_fifo(void)
{
    struct rec r[5];

    reset();
    for (int i = 0; i < 5; i++) {
        rec_init(&r[i], i);
        timer_set(&r[i].t, 1000);
    }
    advance_to(1000);
    CHECK_EQ(nr_fired, 5);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(fired_order[i], i);
}

static void test_never_early(void)
{
    struct rec r;

    reset();
    rec_init(&r, 0);
    timer_set(&r.t, 1000);
    /* A hardware interrupt that comes early (another clock, rounding) must
     * not run the timer: it is re-programmed instead. */
    fake_now = 999;
    timer_run_expired();
    CHECK_EQ(r.fired, 0);
    CHECK(r.t.active);
    CHECK_EQ(hw_deadline, 1000);
    fake_now = 1000;
    timer_run_expired();
    CHECK_EQ(r.fired, 1);
    CHECK(!early_seen);
}

static void test_rearm_moves_timer(void)
{
    struct rec a, b;

    reset();
    rec_init(&a, 0);
    rec_init(&b, 1);
    timer_set(&a.t, 100);
    timer_set(&b.t, 200);
    timer_set(&a.t, 300);           /* re-arm later: b is now first */
    CHECK_EQ(timer_next_deadline(), 200);
    CHECK_EQ(hw_deadline, 200);
    timer_set(&a.t, 50);            /* and earlier again */
    CHECK_EQ(hw_deadline, 50);
    advance_to(60);
    CHECK_EQ(a.fired, 1);
    CHECK_EQ(b.fired, 0);
    advance_to(400);
    CHECK_EQ(a.fired, 1);           /* armed once: fires once */
    CHECK_EQ(b.fired, 1);
}

static void test_stop(void)
{
    struct rec a, b;

    reset();
    rec_init(&a, 0);
    rec_init(&b, 1);
    timer_stop(&a.t);               /* not armed: nothing happens */
    timer_set(&a.t, 100);
    timer_set(&b.t, 200);
    timer_stop(&a.t);
    CHECK(!a.t.active);
    CHECK_EQ(hw_deadline, 200);     /* the hardware follows the new head */
    timer_stop(&a.t);               /* twice: still fine */
    timer_stop(&b.t);
    CHECK_EQ(hw_deadline, TIMER_NEVER);
    advance_to(1000);
    timer_run_expired();
    CHECK_EQ(a.fired + b.fired, 0);
}

static void test_past_deadline_fires_soon(void)
{
    struct rec r;

    reset();
    fake_now = 5000;
    rec_init(&r, 0);
    timer_set(&r.t, 10);
    CHECK_EQ(hw_deadline, 10);      /* already due: the interrupt comes at once */
    advance_to(5000);
    CHECK_EQ(r.fired, 1);
}

static void test_init_stops_armed_timer(void)
{
    struct rec r;

    reset();
    rec_init(&r, 0);
    timer_set(&r.t, 100);
    timer_init(&r.t, record, &r);
    CHECK(!r.t.active);
    CHECK_EQ(timer_next_deadline(), TIMER_NEVER);
}

/* A periodic timer: re-arms itself one period after its deadline. */
struct periodic {
    struct timer t;
    uint64_t period;
    unsigned ticks;
    bool early;
};

static void periodic_fn(void *data)
{
    struct periodic *p = data;

    if (p->t.deadline > fake_now)
        p->early = true;
    p->ticks++;
    timer_set(&p->t, p->t.deadline + p->period);
}

static void test_self_rearm_periodic(void)
{
    struct periodic p = { .period = 10 };

    reset();
    timer_init(&p.t, periodic_fn, &p);
    timer_set(&p.t, 10);
    for (uint64_t t = 1; t <= 1000; t++)
        advance_to(t);
    CHECK_EQ(p.ticks, 100);
    CHECK(!p.early);
    CHECK_EQ(timer_next_deadline(), 1010);
    timer_stop(&p.t);
}

/* A function that re-arms its timer in the past must not loop forever: the
 * next run happens on the next interrupt. */
static unsigned past_runs;
static struct timer past_timer;

static void rearm_in_past(void *data)
{
    (void)data;
    past_runs++;
    timer_set(&past_timer, 0);
}

static void test_rearm_in_past_waits_for_next_round(void)
{
    reset();
    past_runs = 0;
    timer_init(&past_timer, rearm_in_past, NULL);
    timer_set(&past_timer, 5);
    advance_to(10);
    CHECK_EQ(past_runs, 1);
    CHECK(past_timer.active);
    CHECK_EQ(hw_deadline, 0);       /* programmed "at once" */
    timer_run_expired();
    CHECK_EQ(past_runs, 2);
    timer_stop(&past_timer);
    CHECK_EQ(hw_deadline, TIMER_NEVER);
}

/* Functions that stop or re-arm timers still waiting in the same batch. */
static struct rec batch_r[3];

static void stop_the_others(void *data)
{
    (void)data;
    batch_r[1].fired += 100;        /* mark: this one ran */
    timer_stop(&batch_r[2].t);      /* due in this batch: must not run */
    timer_set(&batch_r[0].t, 50);   /* already ran: re-armed for later */
}

static void test_stop_and_rearm_within_batch(void)
{
    reset();
    rec_init(&batch_r[0], 0);
    rec_init(&batch_r[1], 1);
    rec_init(&batch_r[2], 2);
    timer_init(&batch_r[1].t, stop_the_others, NULL);
    timer_set(&batch_r[0].t, 10);
    timer_set(&batch_r[1].t, 11);
    timer_set(&batch_r[2].t, 12);
    advance_to(20);
    CHECK_EQ(batch_r[0].fired, 1);
    CHECK_EQ(batch_r[1].fired, 100);
    CHECK_EQ(batch_r[2].fired, 0);
    CHECK(!batch_r[2].t.active);
    CHECK(batch_r[0].t.active);
    CHECK_EQ(hw_deadline, 50);
    advance_to(50);
    CHECK_EQ(batch_r[0].fired, 2);
    CHECK_EQ(timer_next_deadline(), TIMER_NEVER);
}

/* A function in the batch re-arming another batch member for later. */
static struct rec move_r[2];

static void move_the_next(void *data)
{
    (void)data;
    move_r[0].fired++;
    timer_set(&move_r[1].t, 1000);
}

static void test_rearm_other_within_batch(void)
{
    reset();
    rec_init(&move_r[0], 0);
    rec_init(&move_r[1], 1);
    timer_init(&move_r[0].t, move_the_next, NULL);
    timer_set(&move_r[0].t, 10);
    timer_set(&move_r[1].t, 10);
    advance_to(10);
    CHECK_EQ(move_r[0].fired, 1);
    CHECK_EQ(move_r[1].fired, 0);
    CHECK_EQ(hw_deadline, 1000);
    advance_to(1000);
    CHECK_EQ(move_r[1].fired, 1);
    CHECK_EQ(move_r[1].fired_at, 1000);
}

/* Many timers, random operations, checked against a model: each armed timer
 * fires exactly once, never early, and no later than the first interrupt at
 * or after its deadline; the hardware always holds the earliest deadline. */
#define MANY 300

static void test_many_random_against_model(void)
{
    static struct rec r[MANY];
    static uint64_t want_deadline[MANY];
    static bool armed[MANY];
    static unsigned fired_before[MANY];

    reset();
    srand(12345);
    for (int i = 0; i < MANY; i++) {
        rec_init(&r[i], i);
        armed[i] = false;
    }
    for (int step = 0; step < 20000; step++) {
        int i = rand() % MANY;
        int op = rand() % 10;

        if (op < 5) {
            uint64_t dl = fake_now + (uint64_t)(rand() % 2000) - 200;     /* some in the past */
            if (dl > fake_now + 5000)                                     /* wrapped below zero */
                dl = 0;
            timer_set(&r[i].t, dl);
            armed[i] = true;
            want_deadline[i] = dl;
        } else if (op < 7) {
            timer_stop(&r[i].t);
            armed[i] = false;
        } else {
            for (int j = 0; j < MANY; j++)
                fired_before[j] = r[j].fired;
            advance_to(fake_now + (uint64_t)(rand() % 300));
            for (int j = 0; j < MANY; j++) {
                if (r[j].fired != fired_before[j]) {
                    CHECK(armed[j]);
                    CHECK_EQ(r[j].fired - fired_before[j], 1);
                    CHECK_EQ(r[j].deadline_when_fired, want_deadline[j]);
                    CHECK(want_deadline[j] <= fake_now);
                    armed[j] = false;
                } else if (armed[j]) {
                    CHECK(want_deadline[j] > fake_now);     /* due ones all ran */
                }
            }
        }
        /* Invariants after every operation. */
        uint64_t earliest = TIMER_NEVER;
        for (int j = 0; j < MANY; j++) {
            CHECK_EQ(r[j].t.active, armed[j]);
            if (armed[j] && want_deadline[j] < earliest)
                earliest = want_deadline[j];
        }
        CHECK_EQ(timer_next_deadline(), earliest);
        CHECK_EQ(hw_deadline, earliest);
    }
    CHECK(!early_seen);
    for (int i = 0; i < MANY; i++)
        timer_stop(&r[i].t);
    CHECK_EQ(timer_next_deadline(), TIMER_NEVER);
}

static void test_no_redundant_programming(void)
{
    struct rec a, b;

    reset();
    rec_init(&a, 0);
    rec_init(&b, 1);
    timer_set(&a.t, 100);
    unsigned n = hw_programs;
    timer_set(&b.t, 200);           /* behind the head: the hardware stays */
    timer_stop(&b.t);
    CHECK_EQ(hw_programs, n);
    timer_stop(&a.t);
}

static void test_hold_programs_once(void)
{
    struct rec a, b, c;

    reset();
    rec_init(&a, 0);
    rec_init(&b, 1);
    rec_init(&c, 2);
    timer_set(&a.t, 300);
    unsigned n = hw_programs;
    timer_hold();
    timer_set(&b.t, 200);           /* new heads, one after the other */
    timer_set(&c.t, 100);
    timer_stop(&a.t);
    CHECK_EQ(hw_programs, n);       /* nothing while held */
    CHECK_EQ(hw_deadline, 300);
    timer_release();
    CHECK_EQ(hw_programs, n + 1);   /* once, for the head as it is now */
    CHECK_EQ(hw_deadline, 100);
    timer_release();                /* an extra release changes nothing */
    CHECK_EQ(hw_programs, n + 1);
    timer_hold();
    timer_stop(&c.t);
    timer_set(&c.t, 100);           /* back as it was: no write at all */
    timer_release();
    CHECK_EQ(hw_programs, n + 1);
    advance_to(100);
    CHECK_EQ(c.fired, 1);
    timer_stop(&b.t);
}

int main(void)
{
    RUN_TEST(test_empty_queue);
    RUN_TEST(test_fires_in_deadline_order);
    RUN_TEST(test_equal_deadlines_fifo);
    RUN_TEST(test_never_early);
    RUN_TEST(test_rearm_moves_timer);
    RUN_TEST(test_stop);
    RUN_TEST(test_past_deadline_fires_soon);
    RUN_TEST(test_init_stops_armed_timer);
    RUN_TEST(test_self_rearm_periodic);
    RUN_TEST(test_rearm_in_past_waits_for_next_round);
    RUN_TEST(test_stop_and_rearm_within_batch);
    RUN_TEST(test_rearm_other_within_batch);
    RUN_TEST(test_many_random_against_model);
    RUN_TEST(test_no_redundant_programming);
    RUN_TEST(test_hold_programs_once);
    return test_main_result();
}
