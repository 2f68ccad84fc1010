/* Tests for the time arithmetic of hv/core/time.h: TSC ticks to system time
 * and back, as the hypervisor and its guests compute them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/time.h"
#include "test.h"

static uint64_t rand64(void)
{
    return ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
}

/* Frequencies from 1 MHz to 10 GHz, round ones and odd ones. */
static uint64_t some_hz(int i)
{
    static const uint64_t fixed[] = { 1000000, 1193182, 14318180, 100000000, 999999999,
                                      1000000000, 1000000001, 2000000000, 2494222000ull,
                                      3000000000ull, 3999999999ull, 4000000000ull,
                                      4000000001ull, 5600000000ull, 10000000000ull };
    const int n = (int)(sizeof(fixed) / sizeof(fixed[0]));

    return i < n ? fixed[i] : 1000000 + rand64() % 9999000000ull;
}

static void test_scale_range(void)
{
    for (int i = 0; i < 2000; i++) {
        uint64_t hz = some_hz(i);
        uint32_t mul;
        int8_t shift;

        time_scale(hz, &mul, &shift);
        /* hz * 2^shift in (1e9, 4e9]: mul in [2^30, 2^32). */
        CHECK(mul >= (1u << 30));
        if (shift >= 0) {
            CHECK((hz << shift) > 1000000000ull);
            CHECK((hz << shift) <= 4000000000ull);
        } else {
            CHECK((hz >> -shift) > 1000000000ull);
            CHECK((hz >> -shift) <= 4000000000ull);
        }
    }
}

/* One second of ticks is one second of ns, to within the rounding of mul. */
static void test_one_second(void)
{
    for (int i = 0; i < 2000; i++) {
        uint64_t hz = some_hz(i);
        uint32_t mul;
        int8_t shift;
        uint64_t ns;

        time_scale(hz, &mul, &shift);
        ns = time_ticks_to_ns(hz, mul, shift);
        CHECK(ns <= 1000000000ull);
        CHECK(ns >= 1000000000ull - 4);
    }
}

/* The inverse never comes short: counting that many ticks reaches ns, and
 * it is not grossly more than needed. */
static void test_inverse_never_early(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t hz = some_hz(i % 3000);
        uint64_t ns = i % 3 == 0 ? (uint64_t)(i % 1000) : rand64() % 100000000000ull;
        uint32_t mul;
        int8_t shift;
        uint64_t ticks;

        time_scale(hz, &mul, &shift);
        ticks = time_ns_to_ticks_up(ns, mul, shift);
        CHECK(time_ticks_to_ns(ticks, mul, shift) >= ns);
        /* Within the few seconds a hardware timer is armed for, it is at
         * most a couple of (shifted) ticks more than the fewest needed. */
        if (ns <= 5000000000ull) {
            uint64_t fewest = ticks, unit = shift < 0 ? 1ull << -shift : 1;
            while (fewest > 0 && ticks - fewest < 64 * unit &&
                   time_ticks_to_ns(fewest - 1, mul, shift) >= ns)
                fewest--;
            CHECK(ticks - fewest <= 2 * unit);
        }
    }
}

/* Deltas from any start: what the hypervisor checks when a TSC deadline of
 * now + ticks fires. */
static void test_inverse_from_any_start(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t hz = some_hz(i % 3000);
        uint64_t start = rand64() % (hz * 100000);          /* up to ~28 hours */
        uint64_t delta = rand64() % 5000000000ull;          /* up to 5 s */
        uint32_t mul;
        int8_t shift;

        time_scale(hz, &mul, &shift);
        uint64_t now = time_ticks_to_ns(start, mul, shift);
        uint64_t end = start + time_ns_to_ticks_up(delta, mul, shift);
        CHECK(time_ticks_to_ns(end, mul, shift) >= now + delta);
    }
}

/* A guest extrapolating from a record published at tsc_timestamp is never
 * more than a few ns behind the hypervisor's clock (GUEST_CLOCK_SLACK_NS in
 * hv/core/vcpu_time.c relies on this). */
static void test_guest_extrapolation(void)
{
    for (int i = 0; i < 20000; i++) {
        uint64_t hz = some_hz(i % 3000);
        uint64_t published = rand64() % (hz * 100000);
        uint64_t later = published + rand64() % (hz * 10);
        uint32_t mul;
        int8_t shift;

        time_scale(hz, &mul, &shift);
        uint64_t system_time = time_ticks_to_ns(published, mul, shift);
        uint64_t guest = system_time + time_ticks_to_ns(later - published, mul, shift);
        uint64_t hv = time_ticks_to_ns(later, mul, shift);
        CHECK(guest <= hv);
        CHECK(hv - guest <= 2);
    }
}

static void test_inverse_large_and_saturating(void)
{
    uint32_t mul;
    int8_t shift;
    uint64_t t;

    time_scale(1000000, &mul, &shift);          /* 1 MHz: a tick per 1000 ns */
    t = time_ns_to_ticks_up(UINT64_MAX, mul, shift);
    CHECK(t >= UINT64_MAX / 1000);
    CHECK(t <= UINT64_MAX / 999);
    time_scale(10000000000ull, &mul, &shift);   /* 10 GHz: 10 ticks per ns */
    CHECK_EQ(time_ns_to_ticks_up(UINT64_MAX, mul, shift), UINT64_MAX);
}

/* Arming the timer: never in the past for a future deadline, never further
 * than TIME_MAX_ARM_NS ahead, whatever the deadline (guests pass 2^63 and
 * UINT64_MAX - 1; the old "tsc + ticks(deadline - now)" wrapped there and
 * armed the timer in the past on every interrupt). */
static void test_arm_far_deadlines(void)
{
    static const uint64_t far[] = { 1ull << 50, 1ull << 62, (1ull << 63) - 1, 1ull << 63,
                                    (1ull << 63) + 12345, UINT64_MAX - 1, UINT64_MAX };

    for (int i = 0; i < 20000; i++) {
        uint64_t hz = some_hz(i % 500), tsc = rand64() >> (i % 3 ? 8 : 1), now = rand64() >> 4;
        uint64_t deadline = i < 7 * 20 ? far[i % 7] : rand64();
        uint32_t mul;
        int8_t shift;
        uint64_t at, max_ticks;

        time_scale(hz, &mul, &shift);
        at = time_arm_tsc(tsc, now, deadline, mul, shift);
        max_ticks = time_ns_to_ticks_up(TIME_MAX_ARM_NS, mul, shift);
        if (deadline <= now) {
            CHECK(at == tsc);
        } else {
            CHECK(at > tsc);
            CHECK(at - tsc <= max_ticks);
            /* A near deadline is armed exactly, never early. */
            if (deadline - now <= TIME_MAX_ARM_NS)
                CHECK(time_ticks_to_ns(at - tsc, mul, shift) >= deadline - now);
        }
    }
}

int main(void)
{
    srand(4242);
    RUN_TEST(test_scale_range);
    RUN_TEST(test_one_second);
    RUN_TEST(test_inverse_never_early);
    RUN_TEST(test_inverse_from_any_start);
    RUN_TEST(test_guest_extrapolation);
    RUN_TEST(test_inverse_large_and_saturating);
    RUN_TEST(test_arm_far_deadlines);
    return test_main_result();
}
