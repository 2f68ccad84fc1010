/* System time from the TSC. */
#include "core/time.h"
#include "core/log.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"
#include "xen.h"

static uint64_t tsc_hz, tsc_at_boot;
static uint32_t scale_mul;
static int8_t scale_shift;

void time_scale(uint64_t hz, uint32_t *mul, int8_t *shift)
{
    int s = 0;
    uint64_t f = hz;

    /* Need hz * 2^s > 1e9 so that mul = 2^32 * 1e9 / (hz * 2^s) fits in 32 bits. */
    while (f <= 1000000000ull) { f <<= 1; s++; }
    while (f > 4000000000ull) { f >>= 1; s--; }
    *mul = (uint32_t)((1000000000ull << 32) / f);
    *shift = (int8_t)s;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    ticks = scale_shift >= 0 ? ticks << scale_shift : ticks >> -scale_shift;
    return (uint64_t)(((unsigned __int128)ticks * scale_mul) >> 32);
}

void time_init(void)
{
    const char *source = "?";

    tsc_at_boot = rdtsc();
    tsc_hz = tsc_calibrate(&source);
    if (tsc_hz < 1000000) {
        log_warn("TSC frequency %llu Hz from %s is implausible: assuming 1 GHz\n",
                 (unsigned long long)tsc_hz, source);
        tsc_hz = 1000000000ull;
    }
    time_scale(tsc_hz, &scale_mul, &scale_shift);
    log_info("TSC: %llu.%03llu MHz (from %s)\n", (unsigned long long)(tsc_hz / 1000000),
             (unsigned long long)(tsc_hz / 1000 % 1000), source);
}

uint64_t time_tsc_hz(void) { return tsc_hz; }

uint64_t time_now_ns(void)
{
    return ticks_to_ns(rdtsc() - tsc_at_boot);
}

void time_publish(struct vcpu_time_info *t)
{
    uint64_t tsc = rdtsc();

    t->version++;
    if (!(t->version & 1))
        t->version++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = ticks_to_ns(tsc - tsc_at_boot);
    t->tsc_to_system_mul = scale_mul;
    t->tsc_shift = scale_shift;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;
}
