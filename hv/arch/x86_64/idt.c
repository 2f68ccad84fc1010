/* Interrupt descriptor table: every vector enters entry.asm's stubs. #DF, NMI
 * and #MC run on their own IST stacks so a broken stack cannot take them down.
 * So does #DB: a guest can make one arrive at the first instruction of the
 * syscall entry, before the switch to the hypervisor's stack (a data
 * breakpoint on a `mov ss` operand, then `syscall`: the #DB waits for the
 * instruction after the `mov ss`), where RSP is still the guest's. */
#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/cpu.h"

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type_attr;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t idt_stub_table[256];
extern void syscall_entry(void);
extern void syscall32_entry(void);
#define MSR_SYSENTER_CS 0x174

void idt_init(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr;

    for (int v = 0; v < 256; v++) {
        uint64_t off = idt_stub_table[v];
        idt[v].off_lo = off & 0xFFFF;
        idt[v].sel = GDT_HV_CS;
        idt[v].ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : v == 1 ? IST_DB : 0;
        /* Interrupt gates (IF cleared on entry), DPL 0: a guest's `int $n`
         * raises #GP, which the trap code decodes. */
        idt[v].type_attr = 0x8E;
        idt[v].off_mid = (off >> 16) & 0xFFFF;
        idt[v].off_hi = off >> 32;
        idt[v].zero = 0;
    }
    ptr.limit = sizeof(idt) - 1;
    ptr.base = (uint64_t)idt;
    __asm__ volatile("lidt %0" :: "m"(ptr));
}

void syscall_init(void)
{
    /* syscall: CS = 0xe008, SS = 0xe010; sysret (64-bit): CS = 0xe023 + 16, SS = 0xe023 + 8. */
    wrmsr(MSR_STAR, ((uint64_t)GDT_RING3_CS32 << 48) | ((uint64_t)GDT_HV_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_entry);
    wrmsr(MSR_SYSENTER_CS, 0);          /* sysenter raises #GP */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC | RFLAGS_IOPL);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
