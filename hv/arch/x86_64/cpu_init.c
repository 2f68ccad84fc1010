/* Boot CPU set-up. */
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

struct cpu_features cpu_features;

static void read_features(void)
{
    uint32_t a, b, c, d, max;

    cpuid_count(0, 0, &max, &b, &c, &d);
    memcpy(cpu_features.vendor, &b, 4);
    memcpy(cpu_features.vendor + 4, &d, 4);
    memcpy(cpu_features.vendor + 8, &c, 4);
    if (max >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        cpu_features.smep = (b >> 7) & 1;
    }
    cpuid_count(0x80000000, 0, &max, &b, &c, &d);
    if (max >= 0x80000001) {
        cpuid_count(0x80000001, 0, &a, &b, &c, &d);
        cpu_features.nx = (d >> 20) & 1;
        cpu_features.gb_pages = (d >> 26) & 1;
    }
    if (max >= 0x80000004) {
        uint32_t *p = (uint32_t *)cpu_features.brand;
        for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++, p += 4)
            cpuid_count(leaf, 0, &p[0], &p[1], &p[2], &p[3]);
    }
}

void cpu_init(void)
{
    uint64_t cr4;

    read_features();
    /* x87/SSE for guests: no emulation, native error reporting, no lazy trap yet. */
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE | CR0_WP);
    cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    cr4 &= ~CR4_TSD;                       /* guests read the TSC at CPL 3 */
    if (cpu_features.smep)
        cr4 |= CR4_SMEP;                   /* never execute guest pages in ring 0 */
    write_cr4(cr4);
    __asm__ volatile("fninit");
    /* The PAT layout PV guests are written for (the one Xen uses): entries
     * WB, WT, UC-, UC, WC, WP, UC, UC, so a guest PTE's PAT, PCD and PWT bits
     * mean the same here as under Xen. */
    wrmsr(MSR_PAT, PV_PAT);
    /* The legacy PICs stay masked: the hypervisor takes no device interrupts yet. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}
