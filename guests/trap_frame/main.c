/* Exceptions reach the guest kernel through its virtual IDT with the PV
 * bounce frame: RCX, R11, [error code], RIP, CS (RPL cleared, saved event
 * mask in bits 32-39), RFLAGS (IF = !saved mask), RSP, SS. Covers #DE, #UD,
 * #GP, a #PF from writing the guest's own (read-only) L4 with CR2 published
 * in vcpu_info, return by a native iretq and by HYPERVISOR_iret, and the
 * event mask that iret restores from the frame's IF. For HYPERVISOR_iret the
 * frame's CS keeps RPL 0: RPL 3 would ask to return to guest user mode. */
#include "guest.h"

#define VEC_DE 0
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14

/* What the handler saw, written by trap_record(). */
static volatile unsigned long seen_vector, seen_err, seen_words[6], seen_count;
/* Set by the test before each fault. */
static volatile unsigned long skip_bytes, use_hypercall_iret, new_rflags_if;

/* f points at: vector, then the bounce frame (rcx, r11, [err], rip, cs, rflags, rsp, ss). */
void trap_record(unsigned long *f);
void trap_record(unsigned long *f)
{
    unsigned long vector = f[0];
    int has_err = vector == VEC_GP || vector == VEC_PF;
    unsigned long *hw = f + 3 + has_err;   /* rip, cs, rflags, rsp, ss */

    seen_vector = vector;
    seen_err = has_err ? f[3] : ~0ul;
    for (int i = 0; i < 5; i++)
        seen_words[i] = hw[i];
    seen_words[5] = f[1];                  /* the interrupted RCX */
    seen_count++;
    hw[0] += skip_bytes;                   /* resume after the faulting instruction */
    if (!use_hypercall_iret) {
        hw[1] |= 3;                        /* a native iretq needs ring-3 selectors; for */
        hw[4] |= 3;                        /* HYPERVISOR_iret, RPL 0 means "to the kernel" */
    }
    if (new_rflags_if)
        hw[2] |= 1ul << 9;
    else
        hw[2] &= ~(1ul << 9);
}

/* One stub per vector: push the vector, save what C may clobber, record,
 * then pop RCX/R11 (and the error code) and return natively or by iret. */
#define TRAP_STUB(name, vec, has_err)                                               \
    __asm__(".pushsection .text\n"                                                  \
            ".globl " #name "\n" #name ":\n"                                        \
            "  push $" #vec "\n"                                                    \
            "  push %rax\n push %rdi\n push %rsi\n push %rdx\n push %r8\n"          \
            "  push %r9\n push %r10\n push %r11\n push %rcx\n"                      \
            "  lea 72(%rsp), %rdi\n"                                                \
            "  call trap_record\n"                                                  \
            "  pop %rcx\n pop %r11\n pop %r10\n pop %r9\n pop %r8\n"                \
            "  pop %rdx\n pop %rsi\n pop %rdi\n pop %rax\n"                         \
            "  add $8, %rsp\n"                                                      \
            "  pop %rcx\n pop %r11\n"                                               \
            "  .if " #has_err "\n add $8, %rsp\n .endif\n"                          \
            "  cmpq $0, use_hypercall_iret(%rip)\n"                                 \
            "  jne 1f\n"                                                            \
            "  iretq\n"                                                             \
            "1: push $0\n"                                                          \
            "  jmp hypercall_page + 23 * 32\n"                                      \
            ".popsection\n")

TRAP_STUB(trap_de, 0, 0);
TRAP_STUB(trap_ud, 6, 0);
TRAP_STUB(trap_gp, 13, 1);
TRAP_STUB(trap_pf, 14, 1);
void trap_de(void), trap_ud(void), trap_gp(void), trap_pf(void);

static struct vcpu_info *vcpu0;

/* Map shared_info at the last page of the start-of-day region (padding the
 * guest does not use) and return vcpu_info[0]. */
static struct vcpu_info *map_shared_info(start_info_t *si)
{
    unsigned long end = si->pt_base + (si->nr_pt_frames + 1) * 4096ul + 512 * 1024;
    unsigned long va = ((end + (4ul << 20) - 1) & ~((4ul << 20) - 1)) - 4096;
    long rc = GUEST_HYPERCALL(__HYPERVISOR_update_va_mapping, va, si->shared_info | 7, UVMF_INVLPG, 0, 0);

    if (!test_check(rc == 0, "update_va_mapping maps shared_info at %#lx: rc=%ld", va, rc))
        return 0;
    return &((struct shared_info *)va)->vcpu_info[0];
}

static void check_frame(const char *what, unsigned long vector, unsigned long rip, unsigned long rsp,
                        unsigned mask)
{
    unsigned long cs = seen_words[1], rflags = seen_words[2];

    test_check(seen_vector == vector, "%s: vector %lu (want %lu)", what, seen_vector, vector);
    test_check(seen_words[0] == rip, "%s: frame RIP %#lx is the faulting instruction %#lx", what,
               seen_words[0], rip);
    test_check((cs & 0xfffc) == (FLAT_KERNEL_CS & 0xfffc), "%s: frame CS %#lx is the kernel's (RPL aside)",
               what, cs);
    test_check(((cs >> 32) & 0xff) == mask, "%s: saved event mask %lu in CS bits 32-39 (want %u)", what,
               (cs >> 32) & 0xff, mask);
    test_check(!!(rflags & (1ul << 9)) == !mask, "%s: frame RFLAGS.IF %d is !mask", what,
               !!(rflags & (1ul << 9)));
    test_check(!(rflags & (3ul << 12)), "%s: frame IOPL is 0", what);
    test_check(seen_words[3] == rsp, "%s: frame RSP %#lx is the interrupted one %#lx", what, seen_words[3], rsp);
    test_check((seen_words[4] & 0xfffc) == (FLAT_KERNEL_SS & 0xfffc), "%s: frame SS %#lx", what, seen_words[4]);
}

/* Fault at a labelled instruction and capture the RSP just before it. */
#define FAULT(label, insn, len, rip_out, rsp_out)                                   \
    do {                                                                            \
        skip_bytes = (len);                                                         \
        __asm__ volatile("lea " label "(%%rip), %0\n\t"                             \
                         "mov %%rsp, %1\n\t"                                        \
                         label ": " insn "\n\t"                                     \
                         : "=&r"(rip_out), "=&r"(rsp_out) : : "rax", "rcx", "rdx", "memory"); \
    } while (0)

void test_main(start_info_t *si)
{
    static trap_info_t table[] = {
        { VEC_DE, 0, FLAT_KERNEL_CS, 0 }, { VEC_UD, 0, FLAT_KERNEL_CS, 0 },
        { VEC_GP, 0, FLAT_KERNEL_CS, 0 }, { VEC_PF, 0, FLAT_KERNEL_CS, 0 }, { 0, 0, 0, 0 },
    };
    unsigned long rip, rsp, before;

    table[0].address = (unsigned long)trap_de;
    table[1].address = (unsigned long)trap_ud;
    table[2].address = (unsigned long)trap_gp;
    table[3].address = (unsigned long)trap_pf;
    test_check(GUEST_HYPERCALL(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0) == 0, "set_trap_table");
    if (!(vcpu0 = map_shared_info(si)))
        test_finish();
    test_check(vcpu0->evtchn_upcall_mask == 1, "events are masked at boot");

    before = seen_count;
    FAULT("ud_here", "ud2", 2, rip, rsp);
    test_check(seen_count == before + 1, "#UD delivered once");
    check_frame("#UD", VEC_UD, rip, rsp, 1);
    test_check(seen_err == ~0ul, "#UD has no error code");

    FAULT("gp_here", "cli", 1, rip, rsp);
    check_frame("#GP", VEC_GP, rip, rsp, 1);
    test_check(seen_err == 0, "#GP from cli has error code 0 (got %#lx)", seen_err);

    __asm__ volatile("xor %%ecx, %%ecx" ::: "rcx");
    skip_bytes = 3;
    __asm__ volatile("lea de_here(%%rip), %0\n\tmov %%rsp, %1\n\txor %%ecx, %%ecx\n\txor %%edx, %%edx\n\t"
                     "mov $1, %%eax\n\tde_here: div %%rcx\n\t"
                     : "=&r"(rip), "=&r"(rsp) : : "rax", "rcx", "rdx", "memory");
    check_frame("#DE", VEC_DE, rip, rsp, 1);

    /* A write to the L4, which is mapped read-only, is a #PF the guest sees:
     * present | write (the user bit is not shown for kernel-mode faults). */
    {
        unsigned long target = si->pt_base + 8;
        skip_bytes = 3;                     /* mov %rax, (%rdx): 48 89 02 */
        __asm__ volatile("lea pf_here(%%rip), %0\n\tmov %%rsp, %1\n\txor %%eax, %%eax\n\t"
                         "pf_here: mov %%rax, (%2)\n\t"
                         : "=&r"(rip), "=&r"(rsp) : "d"(target) : "rax", "rcx", "memory");
        check_frame("#PF", VEC_PF, rip, rsp, 1);
        test_check(seen_err == 3, "#PF error code %#lx is present|write", seen_err);
        test_check(vcpu0->arch.cr2 == target, "vcpu_info.arch.cr2 %#lx is the faulting address %#lx",
                   vcpu0->arch.cr2, target);
    }

    /* Return through HYPERVISOR_iret: with IF set in the frame the event mask
     * is cleared, with IF clear it is set again. */
    use_hypercall_iret = 1;
    new_rflags_if = 1;
    FAULT("ud_iret1", "ud2", 2, rip, rsp);
    check_frame("#UD (iret)", VEC_UD, rip, rsp, 1);
    test_check(vcpu0->evtchn_upcall_mask == 0, "iret with IF set unmasks events (mask %u)",
               vcpu0->evtchn_upcall_mask);
    new_rflags_if = 0;
    FAULT("ud_iret2", "ud2", 2, rip, rsp);
    check_frame("#UD (unmasked)", VEC_UD, rip, rsp, 0);
    test_check(vcpu0->evtchn_upcall_mask == 1, "iret with IF clear masks events (mask %u)",
               vcpu0->evtchn_upcall_mask);
    use_hypercall_iret = 0;

    /* Preserved across HYPERVISOR_iret: RCX comes back from the frame. */
    {
        unsigned long rcx_after;
        use_hypercall_iret = 1;
        skip_bytes = 2;
        __asm__ volatile("mov $0x1234567, %%rcx\n\tud2\n\tmov %%rcx, %0" : "=r"(rcx_after) : : "rax", "rcx", "memory");
        use_hypercall_iret = 0;
        test_check(seen_words[5] == 0x1234567, "the frame's RCX is the interrupted one (%#lx)", seen_words[5]);
        test_check(rcx_after == 0x1234567, "RCX restored by iret (%#lx)", rcx_after);
    }
}
