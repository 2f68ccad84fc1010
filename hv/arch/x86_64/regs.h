/* The register frame every entry into the hypervisor builds on its stack
 * (exceptions, interrupts, syscall). entry.asm pushes it in exactly this order. */
#ifndef HV_ARCH_REGS_H
#define HV_ARCH_REGS_H

#include <stdint.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector;          /* exception vector, or VECTOR_SYSCALL */
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;   /* as an iretq frame */
};

#define VECTOR_SYSCALL 0x100

/* Set when the way back to the guest must be iretq, not sysret: the frame
 * was rewritten for another vCPU or with exact RCX/R11 (iret hypercall), or
 * it returns to selectors or an address sysret cannot (entry.asm). */
extern uint8_t exit_needs_iret;

static inline int regs_from_guest(const struct cpu_regs *r)
{
    return (r->cs & 3) != 0;
}

#endif
