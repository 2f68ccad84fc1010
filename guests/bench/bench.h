/*
 * Benchmark guest: time stamps and the per-figure statistics.
 *
 * Every figure is measured in BENCH_ROUNDS timed rounds after one untimed
 * warm-up round; each round yields one value (TSC cycles per operation) and
 * the figure is the median of those, printed with the smallest and largest
 * round as
 *     BENCH <name> <median> <unit> spread=<min>-<max>
 * tools/bench-guest collects these lines.
 */
#ifndef XENOLITH_BENCH_H
#define XENOLITH_BENCH_H

#include <stdint.h>

#define BENCH_ROUNDS 7

/* Time stamp counter, fenced so the read stays between the code it brackets. */
static inline uint64_t bench_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

struct bench_figure {
    const char *name;
    const char *unit;
    unsigned n;                      /* rounds recorded */
    uint64_t value[BENCH_ROUNDS];
};

void bench_begin(struct bench_figure *f, const char *name, const char *unit);
/* Record one round: `cycles` spent on `ops` operations. */
void bench_record(struct bench_figure *f, uint64_t cycles, uint64_t ops);
/* Print the BENCH line (only when every round was recorded and ok != 0). */
void bench_report(const struct bench_figure *f, int ok);

#endif
