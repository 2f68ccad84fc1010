/*
 * Benchmark guest: per-round values, median and spread (see bench.h).
 */
#include "bench.h"

#include "guest.h"

void bench_begin(struct bench_figure *f, const char *name, const char *unit)
{
    f->name = name;
    f->unit = unit;
    f->n = 0;
}

void bench_record(struct bench_figure *f, uint64_t cycles, uint64_t ops)
{
    if (f->n >= BENCH_ROUNDS || ops == 0)
        return;
    /* Rounded to the nearest cycle. */
    f->value[f->n++] = (cycles + ops / 2) / ops;
}

void bench_report(const struct bench_figure *f, int ok)
{
    uint64_t v[BENCH_ROUNDS];

    if (!ok || f->n != BENCH_ROUNDS) {
        printk("# BENCH %s not reported: %s\n", f->name,
               ok ? "rounds missing" : "a check failed");
        return;
    }
    for (unsigned i = 0; i < f->n; i++) {
        /* Insertion sort: a handful of values. */
        uint64_t x = f->value[i];
        unsigned j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    printk("BENCH %s %lu %s spread=%lu-%lu\n", f->name, (unsigned long)v[f->n / 2], f->unit,
           (unsigned long)v[0], (unsigned long)v[f->n - 1]);
}
