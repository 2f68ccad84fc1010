/* GDT, TSS and IDT of the (single) physical CPU. */
#ifndef HV_ARCH_DESCRIPTORS_H
#define HV_ARCH_DESCRIPTORS_H

#include <stdint.h>

void gdt_init(void);          /* GDT with the PV flat selectors, TSS with IST stacks */
void idt_init(void);          /* a handler for all 256 vectors */
void syscall_init(void);      /* STAR/LSTAR/FMASK for hypercalls */
uint64_t cpu_stack_top(void); /* top of the stack entries from ring 3 land on */
void gdt_load_ldt(uint64_t base, uint32_t limit);   /* base 0: no LDT */
/* Once paging is up: the CPU reads the GDT through its window. */
void gdt_use_window(void);
/* Show these guest frames as GDT pages 0..n-1 (the running vCPU's set_gdt). */
void gdt_load_guest_frames(const uint64_t *mfns, unsigned n);

#endif
