/* Tests for hv/sched/sched_core.c: the vCPU scheduler's decisions, driven by
 * a fake clock. A small simulator runs units that spin, or run a burst and
 * block until an event wakes them; the slice timer fires at the deadline
 * (optionally late, as real timers are). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched/sched_core.h"
#include "test.h"

#define MS 1000000ull
#define SLICE (10 * MS)
#define MAXN 20
#define NEVER UINT64_MAX

enum kind { SPIN, BURSTY };

struct sim {
    struct sched_cpu c;
    struct sched_unit u[MAXN];
    unsigned n;
    uint64_t now, jitter;                 /* the timer fires jitter ns after the deadline */
    struct sched_unit *cur;
    /* behaviour */
    enum kind kind[MAXN];
    uint64_t burst[MAXN], sleep[MAXN];    /* BURSTY: run burst, block, wake sleep ns later */
    bool random_pattern[MAXN];            /* BURSTY with random burst/sleep each time */
    uint64_t need[MAXN], wake_at[MAXN];
    /* measurements */
    uint64_t ran[MAXN];
    uint64_t woke_at[MAXN], max_wake_latency[MAXN];
    uint64_t queued_since[MAXN], max_wait[MAXN];
    unsigned nr_wakes[MAXN];
};

static unsigned idx(struct sim *s, struct sched_unit *u) { return (unsigned)(u - s->u); }

static void sim_init(struct sim *s, unsigned n, uint64_t jitter)
{
    memset(s, 0, sizeof(*s));
    sched_cpu_init(&s->c, SLICE);
    s->n = n;
    s->jitter = jitter;
    for (unsigned i = 0; i < n; i++) {
        s->kind[i] = SPIN;
        s->wake_at[i] = NEVER;
        s->queued_since[i] = NEVER;
    }
}

static void note_queued(struct sim *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->u[i].state == SCHED_QUEUED && s->queued_since[i] == NEVER)
            s->queued_since[i] = s->now;
}

static void sim_start(struct sim *s)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (s->kind[i] == BURSTY)
            s->need[i] = s->burst[i];
        sched_add(&s->c, &s->u[i], s->now);
    }
    note_queued(s);
}

static uint64_t rnd(uint64_t lo, uint64_t hi) { return lo + (uint64_t)rand() % (hi - lo + 1); }

static void sim_run(struct sim *s, uint64_t end)
{
    while (s->now < end) {
        uint64_t next = end, fire;
        unsigned ci;

        if (sched_need_pick(&s->c)) {
            s->cur = sched_pick_next(&s->c, s->now);
            if (s->cur) {
                ci = idx(s, s->cur);
                CHECK(s->cur->state == SCHED_RUNNING);
                if (s->queued_since[ci] != NEVER) {
                    uint64_t w = s->now - s->queued_since[ci];
                    if (w > s->max_wait[ci]) s->max_wait[ci] = w;
                    s->queued_since[ci] = NEVER;
                }
                if (s->woke_at[ci] != NEVER && s->nr_wakes[ci]) {
                    uint64_t l = s->now - s->woke_at[ci];
                    if (l > s->max_wake_latency[ci]) s->max_wake_latency[ci] = l;
                    s->woke_at[ci] = NEVER;
                }
            }
        }
        fire = sched_deadline(&s->c) == SCHED_NO_DEADLINE ? NEVER : sched_deadline(&s->c) + s->jitter;
        if (fire < next) next = fire;
        for (unsigned i = 0; i < s->n; i++)
            if (s->wake_at[i] < next) next = s->wake_at[i];
        if (s->cur && s->kind[idx(s, s->cur)] == BURSTY && s->now + s->need[idx(s, s->cur)] < next)
            next = s->now + s->need[idx(s, s->cur)];
        if (next < s->now) next = s->now;
        if (s->cur) {
            ci = idx(s, s->cur);
            s->ran[ci] += next - s->now;
            if (s->kind[ci] == BURSTY)
                s->need[ci] -= next - s->now;
        }
        s->now = next;
        if (s->cur && s->kind[idx(s, s->cur)] == BURSTY && s->need[idx(s, s->cur)] == 0) {
            ci = idx(s, s->cur);
            sched_block(&s->c, s->cur, s->now);
            if (s->random_pattern[ci]) {
                s->wake_at[ci] = s->now + rnd(0, 3 * SLICE);
                s->burst[ci] = rnd(1, 2 * SLICE);
            } else {
                s->wake_at[ci] = s->now + s->sleep[ci];
            }
            s->need[ci] = s->burst[ci];
        }
        for (unsigned i = 0; i < s->n; i++)
            if (s->wake_at[i] <= s->now) {
                s->wake_at[i] = NEVER;
                s->woke_at[i] = s->now;
                s->nr_wakes[i]++;
                sched_wake(&s->c, &s->u[i], s->now);
            }
        if (fire <= s->now)
            sched_expire(&s->c);
        note_queued(s);
    }
}

static uint64_t total_ran(struct sim *s)
{
    uint64_t t = 0;
    for (unsigned i = 0; i < s->n; i++) t += s->ran[i];
    return t;
}

/* Within 5 % of share. */
static bool fair(uint64_t ran, uint64_t share)
{
    uint64_t d = ran > share ? ran - share : share - ran;
    return d * 100 <= share * 5;
}

static struct sim S;

static void test_fairness_spinners(void)
{
    for (unsigned n = 2; n <= 16; n++) {
        for (int j = 0; j < 2; j++) {
            uint64_t share, worst = 0;
            sim_init(&S, n, j ? 313000 : 0);
            sim_start(&S);
            sim_run(&S, 10000 * MS + 7 * MS);      /* 1000 slices and a bit */
            CHECK_EQ(total_ran(&S), S.now);          /* never idle */
            share = total_ran(&S) / n;
            for (unsigned i = 0; i < n; i++) {
                uint64_t d = S.ran[i] > share ? S.ran[i] - share : share - S.ran[i];
                if (d > worst) worst = d;
                CHECK(fair(S.ran[i], share));
                CHECK(S.max_wait[i] <= (n - 1) * (SLICE + S.jitter));
            }
            if (n == 16 && j == 1)
                printf("INFO: test_sched fairness: 16 spinners, timer 313 us late: worst deviation %.3f %% of 1/N\n",
                       100.0 * (double)worst / (double)share);
        }
    }
}

/* One vCPU runs 1 ms bursts woken every 25 ms among N spinners: it runs
 * within one slice of each wake-up, and the spinners share the rest fairly. */
static void test_wake_preference(void)
{
    for (unsigned n = 2; n <= 16; n += 7) {
        unsigned b = n;                         /* unit n is the bursty one */
        uint64_t share, worst_lat;
        sim_init(&S, n + 1, 200000);
        S.kind[b] = BURSTY;
        S.burst[b] = 1 * MS;
        S.sleep[b] = 25 * MS;
        sim_start(&S);
        sim_run(&S, 20000 * MS);
        CHECK(S.nr_wakes[b] > 500);
        worst_lat = S.max_wake_latency[b];
        CHECK(worst_lat <= SLICE + S.jitter);
        share = (total_ran(&S) - S.ran[b]) / n;
        for (unsigned i = 0; i < n; i++)
            CHECK(fair(S.ran[i], share));
        if (n == 16)
            printf("INFO: test_sched wake-up: 16 spinners, worst wake-to-run latency %.3f ms (slice 10 ms), "
                   "%u wake-ups\n", (double)worst_lat / MS, S.nr_wakes[b]);
    }
}

/* A unit that wakes often and runs more than its share (2 ms bursts, 3 ms
 * sleeps, among 8 spinners) loses its preference: it gets no more than its
 * share (less, as it leaves the CPU between bursts), and the spinners share
 * the rest fairly. */
static void test_heavy_waker_gets_its_share(void)
{
    unsigned n = 8;
    uint64_t share;

    sim_init(&S, n + 1, 0);
    S.kind[n] = BURSTY;
    S.burst[n] = 2 * MS;
    S.sleep[n] = 3 * MS;
    sim_start(&S);
    sim_run(&S, 10000 * MS);
    share = total_ran(&S) / (n + 1);
    CHECK(S.ran[n] * 100 <= share * 105);
    CHECK(S.ran[n] * 2 >= share);             /* still runs regularly */
    share = (total_ran(&S) - S.ran[n]) / n;
    for (unsigned i = 0; i < n; i++)
        CHECK(fair(S.ran[i], share));
}

/* A unit that blocks just before its slice ends and is woken right after
 * (once another unit has the CPU) gets no more than its share: the boost is
 * bounded by one slice of running. (It gets less with 2 units: what was left
 * of its slice costs it a turn.) */
static void test_boost_bounded(void)
{
    for (unsigned n = 2; n <= 8; n += 3) {
        uint64_t share;
        sim_init(&S, n, 0);
        for (unsigned i = 0; i < n / 2; i++) {  /* half of them are adversaries */
            S.kind[i] = BURSTY;
            S.burst[i] = SLICE - 1000;
            S.sleep[i] = 1000;                  /* off the CPU, back 1 us later */
        }
        sim_start(&S);
        sim_run(&S, 10000 * MS);
        share = total_ran(&S) / n;
        for (unsigned i = 0; i < n; i++) {
            CHECK(S.max_wait[i] <= n * SLICE);
            if (i < n / 2)                        /* no more than its share */
                CHECK(S.ran[i] * 100 <= share * 105);
            else                                  /* at least theirs, shared fairly */
                CHECK(S.ran[i] * 100 >= share * 95 && fair(S.ran[i], S.ran[n - 1]));
        }
    }
}

/* Random bursts and sleeps (some 0: woken at once) among spinners: every
 * unit that waits for the CPU gets it within N slices. The bound proven
 * (sched_core.h) is 2 (N - 1) slices: several sleepers may each use what was
 * left of a slice and then the one of a turn numbered before the waiter's. */
static void test_no_starvation_random(void)
{
    double worst = 0;

    srand(12);
    for (int round = 0; round < 40; round++) {
        unsigned n = (unsigned)rnd(2, 16);
        uint64_t jit = rnd(0, 500000);
        sim_init(&S, n, jit);
        for (unsigned i = 0; i < n; i++)
            if (rand() % 3) {
                S.kind[i] = BURSTY;
                S.random_pattern[i] = true;
                S.burst[i] = rnd(1, 2 * SLICE);
            }
        sim_start(&S);
        sim_run(&S, 3000 * MS);
        for (unsigned i = 0; i < n; i++) {
            CHECK(S.max_wait[i] <= 2 * (n - 1) * (SLICE + jit));  /* the bound proven */
            CHECK(S.max_wait[i] <= n * SLICE);                    /* what these patterns show */
            if ((double)S.max_wait[i] / (double)(n * SLICE) > worst)
                worst = (double)S.max_wait[i] / (double)(n * SLICE);
            if (S.kind[i] == SPIN)
                CHECK(S.ran[i] > 0);
        }
    }
    printf("INFO: test_sched no starvation: longest wait for the CPU %.2f x N slices\n", worst);
}

static void test_yield(void)
{
    struct sched_cpu c;
    struct sched_unit u[3] = { 0 };

    sched_cpu_init(&c, SLICE);
    sched_add(&c, &u[0], 0);
    CHECK(sched_pick_next(&c, 0) == &u[0]);
    CHECK_EQ(sched_deadline(&c), SCHED_NO_DEADLINE);    /* alone: no slice timer */
    sched_yield_request(&c);
    CHECK(sched_need_pick(&c));
    CHECK(sched_pick_next(&c, 1 * MS) == &u[0]);        /* nothing else: goes on */
    CHECK(!sched_need_pick(&c));
    sched_add(&c, &u[1], 2 * MS);
    CHECK_EQ(sched_deadline(&c), 2 * MS + SLICE);       /* a second unit starts the clock */
    sched_add(&c, &u[2], 2 * MS);
    sched_yield_request(&c);
    CHECK(sched_pick_next(&c, 3 * MS) == &u[1]);
    CHECK(u[0].state == SCHED_QUEUED);
    sched_yield_request(&c);
    CHECK(sched_pick_next(&c, 4 * MS) == &u[2]);
    /* Block u[2], wake it: it is ahead of the yielding u[1]... */
    sched_block(&c, &u[2], 5 * MS);
    CHECK(sched_pick_next(&c, 5 * MS) == &u[0]);
    CHECK(sched_wake(&c, &u[2], 6 * MS));
    sched_yield_request(&c);
    /* ...and u[0] yields behind everything runnable, woken units too. */
    CHECK(sched_pick_next(&c, 7 * MS) == &u[2]);
    CHECK(u[2].woken);
    CHECK_EQ(u[2].slice_left, SLICE - 1 * MS);          /* ran 4..5 ms of its slice */
    CHECK(sched_pick_next(&c, 7 * MS) == &u[2]);        /* no reason to switch: still the same */
    sched_yield_request(&c);
    CHECK(sched_pick_next(&c, 8 * MS) == &u[1]);
    sched_yield_request(&c);
    CHECK(sched_pick_next(&c, 8 * MS) == &u[0]);
}

static void test_block_and_wake_in_place(void)
{
    struct sched_cpu c;
    struct sched_unit a = { 0 }, b = { 0 };

    sched_cpu_init(&c, SLICE);
    sched_add(&c, &a, 0);
    sched_add(&c, &b, 0);
    CHECK(sched_pick_next(&c, 0) == &a);
    CHECK_EQ(sched_deadline(&c), SLICE);
    sched_block(&c, &a, 1 * MS);
    CHECK(sched_need_pick(&c));
    CHECK(!sched_wake(&c, &a, 1 * MS));      /* woken before it left the CPU: goes on */
    CHECK(a.state == SCHED_RUNNING);
    CHECK(!sched_need_pick(&c));
    CHECK_EQ(c.woken.length + c.expired.length, 1);
    CHECK(!sched_wake(&c, &b, 1 * MS));      /* not blocked: nothing */
    /* The slice ends: a goes behind b with a fresh slice. */
    sched_expire(&c);
    CHECK(sched_pick_next(&c, SLICE) == &b);
    CHECK_EQ(a.slice_left, SLICE);
    CHECK(!a.woken);
    /* b blocks with nothing else... a runs, alone. Idle when a blocks too. */
    sched_block(&c, &b, SLICE + 1);
    CHECK(sched_pick_next(&c, SLICE + 1) == &a);
    CHECK_EQ(sched_deadline(&c), SCHED_NO_DEADLINE);
    sched_block(&c, &a, SLICE + 2);
    CHECK(sched_pick_next(&c, SLICE + 2) == NULL);
    CHECK(sched_need_pick(&c));
    CHECK(sched_wake(&c, &a, SLICE + 3));     /* idle CPU: it is queued, not "still running" */
    CHECK(a.state == SCHED_QUEUED);
    CHECK(sched_pick_next(&c, SLICE + 3) == &a);
}

/* A unit that blocks having used its whole slice has no boost left. */
static void test_woken_without_slice(void)
{
    struct sched_cpu c;
    struct sched_unit a = { 0 }, b = { 0 }, d = { 0 };

    sched_cpu_init(&c, SLICE);
    sched_add(&c, &a, 0);
    sched_add(&c, &b, 0);
    sched_add(&c, &d, 0);
    CHECK(sched_pick_next(&c, 0) == &a);
    sched_block(&c, &a, SLICE);               /* exactly at the end of its slice */
    CHECK(sched_pick_next(&c, SLICE) == &b);
    CHECK(sched_wake(&c, &a, SLICE + 1));
    CHECK(!a.woken);
    CHECK_EQ(a.slice_left, SLICE);
    sched_expire(&c);
    CHECK(sched_pick_next(&c, 2 * SLICE) == &d);
    sched_expire(&c);
    CHECK(sched_pick_next(&c, 3 * SLICE) == &a);
}

static void test_remove(void)
{
    struct sched_cpu c;
    struct sched_unit u[3] = { 0 };

    sched_cpu_init(&c, SLICE);
    for (int i = 0; i < 3; i++)
        sched_add(&c, &u[i], 0);
    CHECK(sched_pick_next(&c, 0) == &u[0]);
    sched_remove(&c, &u[1]);                  /* queued */
    CHECK(u[1].state == SCHED_OFF);
    CHECK_EQ(c.expired.length, 1);
    sched_remove(&c, &u[0]);                  /* running: off at the next pick */
    CHECK(sched_need_pick(&c));
    CHECK(sched_pick_next(&c, 1 * MS) == &u[2]);
    CHECK_EQ(sched_deadline(&c), SCHED_NO_DEADLINE);
    sched_remove(&c, &u[2]);
    CHECK(sched_pick_next(&c, 2 * MS) == NULL);
    CHECK(!sched_wake(&c, &u[0], 3 * MS));    /* removed units never wake */
    CHECK(sched_pick_next(&c, 3 * MS) == NULL);
    sched_add(&c, &u[1], 4 * MS);             /* made runnable again */
    CHECK(sched_pick_next(&c, 4 * MS) == &u[1]);
}

/* Random operations; after each, the invariants: a unit is on at most one
 * queue, once; QUEUED exactly when on a queue (woken ones on the woken
 * queue); the lengths match; a picked unit was runnable; the woken queue is
 * served first. */
static unsigned count_on(struct runqueue *rq, struct sched_unit *u, unsigned *len)
{
    unsigned n = 0;
    *len = 0;
    for (struct runq_link *l = rq->head.next; l != &rq->head; l = l->next) {
        (*len)++;
        if (l == &u->link) n++;
    }
    return n;
}

static void test_random_invariants(void)
{
    enum { N = 12 };
    struct sched_cpu c;
    struct sched_unit u[N];
    uint64_t now = 0;

    memset(u, 0, sizeof(u));
    srand(1234);
    sched_cpu_init(&c, SLICE);
    for (int step = 0; step < 200000; step++) {
        struct sched_unit *k = &u[rand() % N], *cur = c.curr;
        int op = rand() % 8;
        uint8_t before[N];

        for (int i = 0; i < N; i++) before[i] = u[i].state;
        now += (uint64_t)(rand() % 3000000);
        switch (op) {
        case 0: sched_add(&c, k, now); break;
        case 1: if (cur) sched_block(&c, cur, now); break;
        case 2: case 3: sched_wake(&c, k, now); break;
        case 4: sched_yield_request(&c); break;
        case 5: if (rand() % 4 == 0) sched_remove(&c, k); else sched_expire(&c); break;
        default: {
            bool woken_waiting = c.woken.length > 0;
            bool cur_running = cur && cur->state == SCHED_RUNNING;
            struct sched_unit *p = sched_pick_next(&c, now);
            if (p) {
                unsigned i = (unsigned)(p - u);
                CHECK(before[i] == SCHED_QUEUED || (p == cur && before[i] == SCHED_RUNNING));
                CHECK(p->state == SCHED_RUNNING);
                CHECK(c.curr == p);
                if (p != cur && woken_waiting)
                    CHECK(p->woken);
                CHECK(p->slice_left > 0);
            } else {
                CHECK(c.woken.length == 0 && c.expired.length == 0);
                CHECK(!cur_running);
            }
            break;
        }
        }
        unsigned queued = 0, lw, le, running = 0;
        for (int i = 0; i < N; i++) {
            unsigned on_w = count_on(&c.woken, &u[i], &lw), on_e = count_on(&c.expired, &u[i], &le);
            CHECK(on_w + on_e <= 1);
            CHECK((on_w + on_e == 1) == (u[i].state == SCHED_QUEUED));
            CHECK(u[i].link.queued == (on_w + on_e == 1));
            if (on_w) CHECK(u[i].woken);
            queued += on_w + on_e;
            running += u[i].state == SCHED_RUNNING;
            if (u[i].state == SCHED_RUNNING) CHECK(c.curr == &u[i]);
        }
        CHECK_EQ(lw, c.woken.length);
        CHECK_EQ(le, c.expired.length);
        CHECK_EQ(queued, c.woken.length + c.expired.length);
        CHECK(running <= 1);
        if (test_cur_failed) break;
    }
}

int main(void)
{
    RUN_TEST(test_fairness_spinners);
    RUN_TEST(test_wake_preference);
    RUN_TEST(test_heavy_waker_gets_its_share);
    RUN_TEST(test_boost_bounded);
    RUN_TEST(test_no_starvation_random);
    RUN_TEST(test_yield);
    RUN_TEST(test_block_and_wake_in_place);
    RUN_TEST(test_woken_without_slice);
    RUN_TEST(test_remove);
    RUN_TEST(test_random_invariants);
    return test_main_result();
}
