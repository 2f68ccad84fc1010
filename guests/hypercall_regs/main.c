/* The hypercall page preserves what the ABI says it preserves: every
 * register but RAX and the argument registers (RDI, RSI, RDX, R10, R8) comes
 * back unchanged, RCX and R11 included although `syscall` itself overwrites
 * them. */
#include "guest.h"

#define NR_CHECKED 9

/* long regs_probe(unsigned long out[NR_CHECKED]): loads patterns into
 * RBX, RBP, RCX, R9, R11, R12, R13, R14, R15, calls xen_version(version)
 * through the hypercall page and stores what the registers hold afterwards. */
__asm__(
    ".pushsection .text\n"
    ".globl regs_probe\n"
    "regs_probe:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  push %rdi\n"
    "  movabs $0x1111111111111111, %rbx\n"
    "  movabs $0x2222222222222222, %rbp\n"
    "  movabs $0x3333333333333333, %rcx\n"
    "  movabs $0x4444444444444444, %r9\n"
    "  movabs $0x5555555555555555, %r11\n"
    "  movabs $0x6666666666666666, %r12\n"
    "  movabs $0x7777777777777777, %r13\n"
    "  movabs $0x8888888888888888, %r14\n"
    "  movabs $0x9999999999999999, %r15\n"
    "  xor %edi, %edi\n  xor %esi, %esi\n"
    "  call hypercall_page + 17 * 32\n"
    "  pop %rdi\n"
    "  mov %rbx, 0(%rdi)\n  mov %rbp, 8(%rdi)\n  mov %rcx, 16(%rdi)\n  mov %r9, 24(%rdi)\n"
    "  mov %r11, 32(%rdi)\n  mov %r12, 40(%rdi)\n  mov %r13, 48(%rdi)\n  mov %r14, 56(%rdi)\n"
    "  mov %r15, 64(%rdi)\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n"
    ".popsection\n");

long regs_probe(unsigned long out[NR_CHECKED]);

void test_main(start_info_t *si)
{
    static const char *const names[NR_CHECKED] = { "rbx", "rbp", "rcx", "r9", "r11", "r12", "r13", "r14", "r15" };
    unsigned long out[NR_CHECKED];
    long version;

    (void)si;
    for (int round = 0; round < 3; round++) {
        version = regs_probe(out);
        test_check(version > 0 && (version >> 16) >= 3, "round %d: xen_version(version) = %#lx", round, version);
        for (int i = 0; i < NR_CHECKED; i++) {
            unsigned long want = 0x1111111111111111ul * (unsigned long)(i + 1);
            test_check(out[i] == want, "round %d: %s preserved (%#lx)", round, names[i], out[i]);
        }
    }
}
