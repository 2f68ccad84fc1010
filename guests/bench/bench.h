/*
 * Benchmark guest: time stamps and the per-figure statistics.
 *
 * Every figure is measured in BENCH_ROUNDS timed rounds after one untimed
 * warm-up round; each round yields one value (TSC cycles per operation) and
 * the figure is the median of those, printed with the smallest and largest
 * round as
 *     BENCH <name> <median> <unit> spread=<min>-<max>
 * tools/bench-guest collects these lines.  A figure begun with
 * bench_begin_ns() also carries each round in nanoseconds (converted with
 * the vcpu_time_info scale given to bench_set_scale()) and prints a second
 * line for it, named <name>_ns with the unit "ns".
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
    int with_ns;                     /* also report the rounds in ns */
    unsigned n;                      /* rounds recorded */
    uint64_t value[BENCH_ROUNDS];
    uint64_t ns[BENCH_ROUNDS];
};

void bench_begin(struct bench_figure *f, const char *name, const char *unit);
/* The same, with an ns twin (needs bench_set_scale()). */
void bench_begin_ns(struct bench_figure *f, const char *name, const char *unit);
/* Record one round: `cycles` spent on `ops` operations. */
void bench_record(struct bench_figure *f, uint64_t cycles, uint64_t ops);
/* Record one round given as one value in each unit. */
void bench_record_pair(struct bench_figure *f, uint64_t cycles, uint64_t ns);
/* Print the BENCH line(s) (only when every round was recorded and ok != 0). */
void bench_report(const struct bench_figure *f, int ok);

/* TSC <-> ns with a vcpu_time_info scale (tsc_to_system_mul, tsc_shift). */
void bench_set_scale(uint32_t mul, int8_t shift);
int bench_have_scale(void);
uint64_t bench_tsc_to_ns(uint64_t cycles);
uint64_t bench_ns_to_tsc(uint64_t ns);

/* Sort v[0..n) in place and return its median (the upper one for even n). */
uint64_t bench_median(uint64_t *v, unsigned n);

/* The figures of paths.c: trap bounce, user syscall, event upcall, timer. */
void bench_paths(void);
/* Frames paths.c takes from the allocator. */
#define BENCH_PATHS_FRAMES 4

/* The figures of grant.c: grant map + unmap, grant copy of 4 KiB. */
void bench_grant(void);
/* Frames grant.c takes from the allocator (its window's tables, two data frames). */
#define BENCH_GRANT_FRAMES 8
/* The figures of fifo.c: an event through the FIFO ABI (run by bench_paths,
 * after which the domain is back on 2-level). */
void bench_fifo(void);

#endif
