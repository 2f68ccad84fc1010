/* Bringing the boot CPU into the state the hypervisor and its guests need. */
#ifndef HV_ARCH_CPU_INIT_H
#define HV_ARCH_CPU_INIT_H

#include <stdbool.h>

struct cpu_features {
    bool nx, smep, gb_pages;
    bool cpuid_faulting;
    bool xsave;                 /* CR4.OSXSAVE on, XSAVE offered to guests (pv_xsave.c) */        /* a guest's cpuid traps (pv_cpuid.c) */
    char vendor[13];
    char brand[49];
};

extern struct cpu_features cpu_features;

/* Control registers (FPU/SSE usable by guests in ring 3, SMEP when offered),
 * legacy PIC masked. Descriptor tables are set up by gdt_init/idt_init. */
void cpu_init(void);

#endif
