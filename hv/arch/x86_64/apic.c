/* The local APIC of the boot CPU, used for one thing: the timer interrupt
 * behind hv/core/timer.h. */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/tsc.h"
#include "core/time.h"
#include "core/log.h"

#define MSR_APIC_BASE           0x1B
#define APIC_BASE_X2APIC        (1ull << 10)
#define APIC_BASE_ENABLE        (1ull << 11)
#define APIC_BASE_ADDR_MASK     0x000FFFFFFFFFF000ull
#define MSR_TSC_DEADLINE        0x6E0
#define MSR_X2APIC_FIRST        0x800

/* Register offsets in the xAPIC page (the x2APIC MSR is 0x800 + offset / 16). */
#define APIC_ID                 0x020
#define APIC_VERSION            0x030
#define APIC_TPR                0x080
#define APIC_EOI                0x0B0
#define APIC_SVR                0x0F0
#define APIC_LVT_TIMER          0x320
#define APIC_TIMER_INITIAL      0x380
#define APIC_TIMER_CURRENT      0x390
#define APIC_TIMER_DIVIDE       0x3E0

#define APIC_SVR_ENABLE         (1u << 8)
#define APIC_LVT_MASKED         (1u << 16)
#define APIC_LVT_ONESHOT        (0u << 17)
#define APIC_LVT_TSC_DEADLINE   (2u << 17)
#define APIC_DIVIDE_BY_1        0xB

#define CALIBRATE_HZ 500                /* 2 ms against the TSC */

struct apic_info apic_info;

static volatile uint32_t *mmio;             /* xAPIC registers, NULL in x2APIC mode */
static uint32_t timer_mul;                  /* one-shot: ns -> counter ticks */
static int8_t timer_shift;

static uint32_t apic_read(unsigned reg)
{
    if (!mmio)
        return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
    return mmio[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
    if (!mmio)
        wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
    else
        mmio[reg / 4] = v;
}

/* Counter ticks per second in one-shot mode (divide by 1), measured against
 * the TSC with the timer's interrupt masked; 0 if the counter does not move. */
static uint64_t calibrate_oneshot(uint64_t tsc_hz)
{
    uint64_t t0, t1, dt_ns;
    uint32_t left;

    apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_ONESHOT | APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_INITIAL, 0xFFFFFFFFu);
    t0 = rdtsc();
    while (rdtsc() - t0 < tsc_hz / CALIBRATE_HZ)
        cpu_relax();
    left = apic_read(APIC_TIMER_CURRENT);
    t1 = rdtsc();
    apic_write(APIC_TIMER_INITIAL, 0);
    if (left == 0 || left == 0xFFFFFFFFu)
        return 0;
    /* Both products stay far below 2^64 for clocks up to tens of GHz. */
    dt_ns = (t1 - t0) * 1000000000ull / tsc_hz;
    return dt_ns ? (uint64_t)(0xFFFFFFFFu - left) * 1000000000ull / dt_ns : 0;
}

bool apic_init(uint64_t tsc_hz)
{
    uint32_t a, b, c, d;
    uint64_t base;

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(d & (1u << 9))) {
        log_err("APIC: the CPU has no local APIC: hypervisor timers will not fire\n");
        return false;
    }
    base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE)) {
        base |= APIC_BASE_ENABLE;
        wrmsr(MSR_APIC_BASE, base);
    }
    apic_info.present = true;
    apic_info.base_pa = base & APIC_BASE_ADDR_MASK;
    apic_info.x2apic = (base & APIC_BASE_X2APIC) != 0;
    if (!apic_info.x2apic) {
        paging_map(HV_APIC_VIRT, apic_info.base_pa, PAGE_SIZE,
                   PTE_P | PTE_RW | PTE_PCD | PTE_PWT | PTE_A | PTE_D | PTE_G |
                   (paging_nx_supported() ? PTE_NX : 0));
        mmio = (volatile uint32_t *)HV_APIC_VIRT;
    }
    apic_info.id = apic_info.x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
    apic_info.version = apic_read(APIC_VERSION) & 0xff;

    apic_write(APIC_TPR, 0);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);

    if (tsc_deadline_supported()) {
        apic_info.tsc_deadline = true;
        apic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | APIC_TIMER_VECTOR);
        /* The MMIO write above must reach the APIC before the deadline MSR is written. */
        __asm__ volatile("mfence" ::: "memory");
        wrmsr(MSR_TSC_DEADLINE, 0);
    } else {
        apic_info.timer_hz = calibrate_oneshot(tsc_hz);
        if (apic_info.timer_hz < 1000000) {
            log_err("APIC: the timer does not count (%llu Hz): hypervisor timers will not fire\n",
                    (unsigned long long)apic_info.timer_hz);
            apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
            return false;
        }
        time_scale(apic_info.timer_hz, &timer_mul, &timer_shift);
        apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
        apic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | APIC_TIMER_VECTOR);
    }
    if (apic_info.tsc_deadline)
        log_info("APIC: id %u version %#x at %#llx (%s), timer TSC-deadline, vector %#x\n",
                 apic_info.id, apic_info.version, (unsigned long long)apic_info.base_pa,
                 apic_info.x2apic ? "x2APIC" : "xAPIC", APIC_TIMER_VECTOR);
    else
        log_info("APIC: id %u version %#x at %#llx (%s), timer one-shot %llu.%03llu MHz "
                 "(calibrated against the TSC), vector %#x\n",
                 apic_info.id, apic_info.version, (unsigned long long)apic_info.base_pa,
                 apic_info.x2apic ? "x2APIC" : "xAPIC",
                 (unsigned long long)(apic_info.timer_hz / 1000000),
                 (unsigned long long)(apic_info.timer_hz / 1000 % 1000), APIC_TIMER_VECTOR);
    return true;
}

void apic_timer_arm(uint64_t tsc_deadline)
{
    uint64_t now, ticks;

    if (!apic_info.present)
        return;
    if (apic_info.tsc_deadline) {
        wrmsr(MSR_TSC_DEADLINE, tsc_deadline);
        return;
    }
    if (!timer_mul)
        return;
    if (!tsc_deadline) {
        apic_write(APIC_TIMER_INITIAL, 0);
        return;
    }
    now = rdtsc();
    if (tsc_deadline <= now) {
        ticks = 1;
    } else {
        /* TSC ticks -> ns (one more to make up for rounding down) -> counter ticks. */
        uint64_t ns = time_tsc_to_ns(tsc_deadline - now) + 1;
        ticks = time_ns_to_ticks_up(ns, timer_mul, timer_shift);
    }
    apic_write(APIC_TIMER_INITIAL, ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)ticks);
}

void apic_irq(unsigned vector)
{
    if (vector == APIC_SPURIOUS_VECTOR)
        return;                             /* no EOI for the spurious vector */
    if (apic_info.present)
        apic_write(APIC_EOI, 0);
    if (vector == APIC_TIMER_VECTOR)
        time_timer_interrupt();
    else if (vector != IOAPIC_SERIAL_VECTOR)      /* traps.c hands that one to the console */
        log_debug("interrupt vector %u ignored\n", vector);
}
