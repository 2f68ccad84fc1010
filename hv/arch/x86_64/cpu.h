/* Thin wrappers around x86_64 instructions. Only hv/arch/x86_64 and code that
 * includes an arch header reach the CPU, and always through these. */
#ifndef HV_ARCH_CPU_H
#define HV_ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>

#define MSR_PAT             0x277
#define PV_PAT              0x0000050100070406ull
#define MSR_EFER            0xC0000080
#define MSR_STAR            0xC0000081
#define MSR_LSTAR           0xC0000082
#define MSR_CSTAR           0xC0000083
#define MSR_FMASK           0xC0000084
#define MSR_FS_BASE         0xC0000100
#define MSR_GS_BASE         0xC0000101
#define MSR_SHADOW_GS_BASE  0xC0000102

#define EFER_SCE            (1u << 0)
#define EFER_LME            (1u << 8)
#define EFER_NXE            (1u << 11)

#define CR0_PE  (1ul << 0)
#define CR0_MP  (1ul << 1)
#define CR0_EM  (1ul << 2)
#define CR0_TS  (1ul << 3)
#define CR0_NE  (1ul << 5)
#define CR0_WP  (1ul << 16)
#define CR0_PG  (1ul << 31)

#define CR4_TSD         (1ul << 2)
#define CR4_PAE         (1ul << 5)
#define CR4_PGE         (1ul << 7)
#define CR4_OSFXSR      (1ul << 9)
#define CR4_OSXMMEXCPT  (1ul << 10)
#define CR4_SMEP        (1ul << 20)

#define RFLAGS_TF   (1ul << 8)
#define RFLAGS_IF   (1ul << 9)
#define RFLAGS_DF   (1ul << 10)
#define RFLAGS_IOPL (3ul << 12)
#define RFLAGS_NT   (1ul << 14)
#define RFLAGS_RF   (1ul << 16)
#define RFLAGS_VM   (1ul << 17)
#define RFLAGS_AC   (1ul << 18)

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

/* The access rights of a segment selector as the CPU sees it now (the
 * guest's GDT and LDT are loaded while its vCPU runs): false if it names no
 * usable descriptor. Bit 21 is L (64-bit code), bit 22 D/B. */
static inline bool cpu_lar(uint16_t sel, uint32_t *rights)
{
    uint32_t ar = 0;
    uint8_t ok;

    __asm__ volatile("lar %2, %0\n\tsetz %1" : "+r"(ar), "=q"(ok) : "r"((uint32_t)sel) : "cc");
    *rights = ar;
    return ok;
}
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Wait for an interrupt: sti's one-instruction shadow covers the hlt, so an
 * interrupt cannot slip in between and be missed. Returns with them off. */
static inline void cpu_idle_wait(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }
/* Let pending interrupts in, between two pieces of long work. */
static inline void cpu_irq_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void flush_tlb_local(void) { write_cr3(read_cr3()); }
/* Write back and invalidate the cache lines of [p, p + len). */
static inline void cache_writeback(const void *p, uint64_t len)
{
    uint64_t line = (uint64_t)p & ~63ull, end = (uint64_t)p + len;

    for (; line < end; line += 64)
        __asm__ volatile("clflush (%0)" :: "r"(line) : "memory");
}
/* selftest=triple-fault: an exception with no IDT resets the machine, as a
 * broken hypervisor would; the test harness must call that a failure. */
static inline __attribute__((noreturn)) void cpu_triple_fault(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };

    __asm__ volatile("lidt %0; ud2" :: "m"(none));
    __builtin_unreachable();
}

#endif
