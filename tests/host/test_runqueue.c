/* Tests for hv/sched/runqueue.c: the scheduler's round-robin queue. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sched/runqueue.h"
#include "test.h"

static void test_fifo_order(void)
{
    struct runqueue rq;
    struct runq_link u[4] = { 0 };

    runq_init(&rq);
    CHECK(runq_empty(&rq));
    CHECK(runq_pop_front(&rq) == NULL);
    for (int i = 0; i < 4; i++)
        runq_push_back(&rq, &u[i]);
    CHECK_EQ(rq.length, 4);
    for (int i = 0; i < 4; i++)
        CHECK(runq_pop_front(&rq) == &u[i]);
    CHECK(runq_empty(&rq));
}

static void test_double_push_and_remove(void)
{
    struct runqueue rq;
    struct runq_link a = { 0 }, b = { 0 };

    runq_init(&rq);
    runq_push_back(&rq, &a);
    runq_push_back(&rq, &a);
    CHECK_EQ(rq.length, 1);
    runq_remove(&rq, &b);                 /* not queued: nothing happens */
    CHECK_EQ(rq.length, 1);
    runq_push_back(&rq, &b);
    runq_remove(&rq, &a);
    CHECK(!a.queued);
    CHECK(runq_pop_front(&rq) == &b);
    CHECK(runq_pop_front(&rq) == NULL);
}

static void test_round_robin_rotation(void)
{
    struct runqueue rq;
    struct runq_link u[3] = { 0 };
    struct runq_link *cur;

    runq_init(&rq);
    for (int i = 0; i < 3; i++)
        runq_push_back(&rq, &u[i]);
    cur = runq_pop_front(&rq);
    for (int step = 0; step < 30; step++) {
        CHECK(cur == &u[step % 3]);
        runq_push_back(&rq, cur);
        cur = runq_pop_front(&rq);
    }
}

static void test_random_against_model(void)
{
    enum { N = 16 };
    struct runqueue rq;
    struct runq_link u[N] = { 0 };
    int model[N], len = 0;

    srand(7);
    runq_init(&rq);
    for (int step = 0; step < 20000; step++) {
        int op = rand() % 3, k = rand() % N;
        if (op == 0) {
            bool in = false;
            for (int i = 0; i < len; i++) in |= model[i] == k;
            runq_push_back(&rq, &u[k]);
            if (!in) model[len++] = k;
        } else if (op == 1) {
            runq_remove(&rq, &u[k]);
            for (int i = 0; i < len; i++)
                if (model[i] == k) { for (int j = i; j + 1 < len; j++) model[j] = model[j + 1]; len--; break; }
        } else {
            struct runq_link *got = runq_pop_front(&rq);
            if (len == 0) {
                CHECK(got == NULL);
            } else {
                CHECK(got == &u[model[0]]);
                for (int j = 0; j + 1 < len; j++) model[j] = model[j + 1];
                len--;
            }
        }
        CHECK_EQ(rq.length, len);
    }
}

int main(void)
{
    RUN_TEST(test_fifo_order);
    RUN_TEST(test_double_push_and_remove);
    RUN_TEST(test_round_robin_rotation);
    RUN_TEST(test_random_against_model);
    return test_main_result();
}
