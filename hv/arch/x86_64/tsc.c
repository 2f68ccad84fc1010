/* TSC frequency discovery. */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"

#define PIT_HZ 1193182u

static uint64_t from_cpuid(const char **source)
{
    uint32_t a, b, c, d, max;

    cpuid_count(1, 0, &a, &b, &c, &d);
    if (c & (1u << 31)) {                       /* hypervisor present: KVM's timing leaf */
        cpuid_count(0x40000000, 0, &max, &b, &c, &d);
        if (b == 0x4b4d564b && max >= 0x40000010) {     /* "KVMK" */
            cpuid_count(0x40000010, 0, &a, &b, &c, &d);
            if (a) { *source = "KVM CPUID leaf 0x40000010"; return (uint64_t)a * 1000; }
        }
    }
    cpuid_count(0, 0, &max, &b, &c, &d);
    if (max >= 0x15) {
        cpuid_count(0x15, 0, &a, &b, &c, &d);
        if (a && b && c) { *source = "CPUID leaf 0x15"; return (uint64_t)c * b / a; }
    }
    return 0;
}

/* Count TSC ticks over 10 ms of PIT channel 2 (gate driven through port 0x61). */
static uint64_t from_pit(void)
{
    const uint16_t count = PIT_HZ / 100;
    uint64_t t0, t1;
    uint8_t gate = inb(0x61);

    outb(0x61, (gate & ~0x02) | 0x01);          /* speaker off, gate on */
    outb(0x43, 0xB0);                           /* channel 2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    t1 = rdtsc();
    outb(0x61, gate);
    return (t1 - t0) * 100;
}

uint64_t tsc_calibrate(const char **source)
{
    uint64_t hz = from_cpuid(source);

    if (!hz) {
        *source = "PIT";
        hz = from_pit();
    }
    return hz;
}
