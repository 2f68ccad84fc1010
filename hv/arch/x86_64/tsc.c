/* TSC frequency discovery: what the CPU or the hypervisor below us says in
 * CPUID, else a measurement against the PIT. */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

#define PIT_HZ          1193182u
#define PIT_RUNS        3
#define PIT_RUN_HZ      500u            /* 2 ms per run: 0.04 % of resolution */
#define PIT_MAX_POLLS   20000000u       /* a PIT that never counts down: give up */

#define KVM_SIGNATURE_EBX 0x4b4d564bu   /* "KVMK" of "KVMKVMKVM" */

static uint32_t cpuid_max(uint32_t leaf)
{
    uint32_t a, b, c, d;

    cpuid_count(leaf, 0, &a, &b, &c, &d);
    return a;
}

/* KVM (and hypervisors that copy it) publish the TSC frequency in kHz. */
static uint64_t from_hypervisor_leaf(const char **source)
{
    uint32_t a, b, c, d, max;

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (!(c & (1u << 31)))                      /* no hypervisor below us */
        return 0;
    cpuid_count(0x40000000, 0, &max, &b, &c, &d);
    if (b != KVM_SIGNATURE_EBX || max < 0x40000010)
        return 0;
    cpuid_count(0x40000010, 0, &a, &b, &c, &d);
    if (!a)
        return 0;
    *source = "KVM CPUID leaf 0x40000010";
    return (uint64_t)a * 1000;
}

/* Leaf 0x15: TSC = crystal * EBX / EAX. When the crystal frequency (ECX) is
 * not given, leaf 0x16's base frequency stands for crystal * EBX / EAX. */
static uint64_t from_cpu_leaves(const char **source)
{
    uint32_t a, b, c, d, max = cpuid_max(0);

    if (max < 0x15)
        return 0;
    cpuid_count(0x15, 0, &a, &b, &c, &d);
    if (!a || !b)
        return 0;
    if (c) {
        *source = "CPUID leaf 0x15";
        return (uint64_t)c * b / a;
    }
    if (max >= 0x16) {
        cpuid_count(0x16, 0, &a, &b, &c, &d);
        if (a & 0xffff) {
            *source = "CPUID leaf 0x16 (base frequency)";
            return (uint64_t)(a & 0xffff) * 1000000;
        }
    }
    return 0;
}

/* TSC ticks while PIT channel 2 counts down `count` in mode 0 (its output,
 * read in port 0x61 bit 5, goes high at zero); the gate is port 0x61 bit 0.
 * 0 if the output never rises. */
static uint64_t pit_run(uint16_t count)
{
    uint64_t t0, t1;
    uint8_t port61 = inb(0x61);
    uint32_t polls = 0;

    outb(0x61, port61 & ~0x03);                 /* gate low, speaker off */
    outb(0x43, 0xB0);                           /* channel 2, lobyte/hibyte, mode 0, binary */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    outb(0x61, (port61 & ~0x02) | 0x01);        /* gate high: counting starts */
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        if (++polls == PIT_MAX_POLLS)
            break;
    t1 = rdtsc();
    outb(0x61, port61);
    return polls == PIT_MAX_POLLS ? 0 : t1 - t0;
}

/* Median of a few short runs: one run stretched by a host hiccup (under
 * emulation) or an SMI does not skew the result. */
static uint64_t from_pit(void)
{
    uint64_t runs[PIT_RUNS];

    for (unsigned i = 0; i < PIT_RUNS; i++) {
        runs[i] = pit_run(PIT_HZ / PIT_RUN_HZ);
        if (!runs[i])
            return 0;
        for (unsigned j = i; j > 0 && runs[j - 1] > runs[j]; j--) {
            uint64_t t = runs[j];
            runs[j] = runs[j - 1];
            runs[j - 1] = t;
        }
    }
    /* The run lasted count / PIT_HZ seconds. */
    return runs[PIT_RUNS / 2] * PIT_HZ / (PIT_HZ / PIT_RUN_HZ);
}

uint64_t tsc_calibrate(const char **source)
{
    uint64_t hz = from_hypervisor_leaf(source);

    if (!hz)
        hz = from_cpu_leaves(source);
    if (!hz) {
        *source = "PIT";
        hz = from_pit();
    }
    return hz;
}

bool tsc_invariant(void)
{
    uint32_t a, b, c, d;

    if (cpuid_max(0x80000000) < 0x80000007)
        return false;
    cpuid_count(0x80000007, 0, &a, &b, &c, &d);
    return (d >> 8) & 1;
}

bool tsc_deadline_supported(void)
{
    uint32_t a, b, c, d;

    cpuid_count(1, 0, &a, &b, &c, &d);
    return (c >> 24) & 1;
}
