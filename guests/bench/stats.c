/*
 * Benchmark guest: per-round values, median and spread, TSC to ns (see
 * bench.h).
 */
#include "bench.h"

#include "guest.h"

static uint32_t scale_mul;
static int8_t scale_shift;

void bench_set_scale(uint32_t mul, int8_t shift)
{
    scale_mul = mul;
    scale_shift = shift;
}

int bench_have_scale(void)
{
    return scale_mul != 0;
}

/* ns = (cycles shifted by tsc_shift) * mul / 2^32, as vcpu_time_info defines it. */
uint64_t bench_tsc_to_ns(uint64_t cycles)
{
    if (scale_shift < 0)
        cycles >>= -scale_shift;
    else
        cycles <<= scale_shift;
    return (uint64_t)(((unsigned __int128)cycles * scale_mul) >> 32);
}

/* The inverse, rounded to the nearest cycle. */
uint64_t bench_ns_to_tsc(uint64_t ns)
{
    if (!scale_mul)
        return 0;
    /* ns * 2^32 / mul in two 64-bit steps (the remainder is below 2^32). */
    uint64_t c = ((ns / scale_mul) << 32) + (((ns % scale_mul) << 32) + scale_mul / 2) / scale_mul;
    if (scale_shift < 0)
        c <<= -scale_shift;
    else
        c >>= scale_shift;
    return c;
}

uint64_t bench_median(uint64_t *v, unsigned n)
{
    if (n == 0)
        return 0;
    for (unsigned i = 1; i < n; i++) {
        /* Insertion sort: rounds and per-round samples are short. */
        uint64_t x = v[i];
        unsigned j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return v[n / 2];
}

void bench_begin(struct bench_figure *f, const char *name, const char *unit)
{
    f->name = name;
    f->unit = unit;
    f->with_ns = 0;
    f->n = 0;
}

void bench_begin_ns(struct bench_figure *f, const char *name, const char *unit)
{
    bench_begin(f, name, unit);
    f->with_ns = 1;
}

void bench_record(struct bench_figure *f, uint64_t cycles, uint64_t ops)
{
    if (ops == 0)
        return;
    /* Rounded to the nearest cycle and nanosecond. */
    bench_record_pair(f, (cycles + ops / 2) / ops,
                      f->with_ns ? (bench_tsc_to_ns(cycles) + ops / 2) / ops : 0);
}

void bench_record_pair(struct bench_figure *f, uint64_t cycles, uint64_t ns)
{
    if (f->n >= BENCH_ROUNDS)
        return;
    f->value[f->n] = cycles;
    f->ns[f->n] = ns;
    f->n++;
}

static void report_line(const char *name, const char *suffix, const char *unit,
                        const uint64_t *rounds, unsigned n)
{
    uint64_t v[BENCH_ROUNDS];

    for (unsigned i = 0; i < n; i++)
        v[i] = rounds[i];
    uint64_t med = bench_median(v, n);
    printk("BENCH %s%s %lu %s spread=%lu-%lu\n", name, suffix, (unsigned long)med, unit,
           (unsigned long)v[0], (unsigned long)v[n - 1]);
}

void bench_report(const struct bench_figure *f, int ok)
{
    if (!ok || f->n != BENCH_ROUNDS || (f->with_ns && !bench_have_scale())) {
        printk("# BENCH %s not reported: %s\n", f->name,
               !ok ? "a check failed" : f->n != BENCH_ROUNDS ? "rounds missing" : "no time scale");
        return;
    }
    report_line(f->name, "", f->unit, f->value, f->n);
    if (f->with_ns)
        report_line(f->name, "_ns", "ns", f->ns, f->n);
}
