/* Call gates and far transfers through selectors that do not work, from a
 * 64-bit PV kernel (ring 3) and from its user mode.
 *
 * Install time: set_gdt, update_descriptor and SET_LDT take a 64-bit call
 * gate whose target is one of the guest's GDT entries, FLAT_KERNEL_CS or an
 * LDT entry and whose reserved byte is zero; it is stored with DPL 0 and RPL
 * 3 in its target selector (the guest's DPL, raised to 3). A not-present gate
 * is kept as it is. Refused (-EINVAL): a target among the hypervisor's own
 * entries, a non-zero reserved byte, 16-bit call gates, interrupt and trap
 * gates.
 *
 * Use: Xen 4.17 emulates far calls through gates for 32-bit PV guests only;
 * a 64-bit guest gets the CPU's #GP(gate selector) for every far call or
 * jmp through a present gate (m16:16, m16:32, m16:64 forms), from kernel and
 * user mode alike, and #NP(gate) for a not-present DPL-3 gate.
 *
 * Missing selectors: far call, far jmp, lret and a native iretq to an LDT
 * selector with no LDT, past the LDT's limit, past the guest GDT's entries,
 * raise #GP(selector); to a not-present code segment #NP(selector). A direct
 * far call to the guest's own code descriptors (GDT and LDT) works and
 * pushes the return CS:RIP that lretq takes back. */
#include "pv.h"

#define EINVAL 22

#define D_CODE3  0x00affa000000fffful   /* 64-bit code, DPL 3 */
#define D_CODENP 0x00af7a000000fffful   /* 64-bit code, DPL 3, not present */

/* The two halves of a 64-bit call gate to sel:off. access: P | DPL | 0xC. */
static unsigned long gate_lo(unsigned sel, unsigned access, unsigned reserved, unsigned long off)
{
    return (off & 0xffff) | ((unsigned long)sel << 16) | ((unsigned long)reserved << 32) |
           ((unsigned long)access << 40) | (((off >> 16) & 0xffff) << 48);
}
static unsigned long gate_hi(unsigned long off)
{
    return off >> 32;
}

/* ---- the last exception ------------------------------------------------------------------ */

static struct {
    unsigned long count, vector, error, rip, user;
} seen;
volatile unsigned long resume_rip, at_rip;
static volatile int in_user;
/* The process's faults, in order. */
static struct { unsigned long vector, error, rip; } ufault[16];
static unsigned nufault;

static void h_fault(struct pv_regs *r)
{
    seen.count++;
    seen.vector = r->vector;
    seen.error = r->error;
    seen.rip = r->rip;
    seen.user = in_user;
    if (in_user) {
        if (nufault < 16) {
            ufault[nufault].vector = r->vector;
            ufault[nufault].error = r->error;
            ufault[nufault].rip = r->rip;
            nufault++;
        }
        r->rip += r->r15;           /* the process said how long the instruction is */
        return;
    }
    if (!resume_rip) {
        pv_dump_regs("exception outside a guarded instruction", r);
        test_check(0, "unexpected vector %lu at %#lx", r->vector, r->rip);
        test_finish();
    }
    r->rip = resume_rip;
}

/* ---- far transfers from the kernel ------------------------------------------------------- */

enum far_kind { LCALL64, LJMP64, LCALL32, LJMP32, LCALL16, LJMP16, LRET, IRETQ };
static const char *const kind_name[] = { "lcall m16:64", "ljmp m16:64", "lcall m16:32", "ljmp m16:32",
                                         "lcall m16:16", "ljmp m16:16", "lretq", "iretq" };

static unsigned char farptr[16];
/* What far_target saw: its CS, and the return frame a far call pushed. */
unsigned long tgt_cs, tgt_ret_rip, tgt_ret_cs;
extern char far_target[];
__asm__(".pushsection .text\n"
        "far_target:\n"
        "  mov %cs, %eax\n  mov %rax, tgt_cs(%rip)\n"
        "  mov (%rsp), %rax\n  mov %rax, tgt_ret_rip(%rip)\n"
        "  mov 8(%rsp), %rax\n  mov %rax, tgt_ret_cs(%rip)\n"
        "  lretq\n"
        ".popsection\n");

/* Arm the fault handler: resume at label 2, the faulting instruction is 1. */
#define ARM "lea 2f(%%rip), %%r11\n\tmov %%r11, resume_rip(%%rip)\n\t" \
            "lea 1f(%%rip), %%r11\n\tmov %%r11, at_rip(%%rip)\n\t"
#define DISARM "2: movq $0, resume_rip(%%rip)\n\t"

/* One far transfer to sel:off; returns the RIP after the instruction when
 * it ran to its end (a far call that came back), 0 when it faulted. */
static unsigned long far_op(enum far_kind k, unsigned sel, unsigned long off)
{
    unsigned long n = seen.count, after = 0;

    g_memset(farptr, 0, sizeof(farptr));
    if (k == LCALL64 || k == LJMP64) {
        *(unsigned long *)farptr = off;
        *(unsigned short *)(farptr + 8) = (unsigned short)sel;
    } else if (k == LCALL32 || k == LJMP32) {
        *(unsigned *)farptr = (unsigned)off;
        *(unsigned short *)(farptr + 4) = (unsigned short)sel;
    } else {
        *(unsigned short *)farptr = (unsigned short)off;
        *(unsigned short *)(farptr + 2) = (unsigned short)sel;
    }
    switch (k) {
    case LCALL64: {
        unsigned char *p = farptr;      /* far_target uses rax */
        __asm__ volatile(ARM "1: .byte 0x48, 0xff, 0x18\n\t"
                         "lea 1b(%%rip), %%r11\n\tmov %%r11, %0\n\t" DISARM
                         : "+r"(after), "+a"(p) : : "r11", "memory", "cc");
        break;
    }
    case LJMP64:
        __asm__ volatile(ARM "1: .byte 0x48, 0xff, 0x28\n\t" DISARM : : "a"(farptr) : "r11", "memory");
        break;
    case LCALL32:
        __asm__ volatile(ARM "1: .byte 0xff, 0x18\n\t" DISARM : : "a"(farptr) : "r11", "memory");
        break;
    case LJMP32:
        __asm__ volatile(ARM "1: .byte 0xff, 0x28\n\t" DISARM : : "a"(farptr) : "r11", "memory");
        break;
    case LCALL16:
        __asm__ volatile(ARM "1: .byte 0x66, 0xff, 0x18\n\t" DISARM : : "a"(farptr) : "r11", "memory");
        break;
    case LJMP16:
        __asm__ volatile(ARM "1: .byte 0x66, 0xff, 0x28\n\t" DISARM : : "a"(farptr) : "r11", "memory");
        break;
    case LRET:
        /* rdx keeps the stack pointer: the fault leaves the two words pushed. */
        __asm__ volatile("mov %%rsp, %%rdx\n\t" "push %%rcx\n\tlea 2f(%%rip), %%r11\n\tpush %%r11\n\t"
                         ARM "1: lretq\n\t" DISARM "mov %%rdx, %%rsp\n\t"
                         : : "c"((unsigned long)sel) : "rdx", "r11", "memory");
        break;
    case IRETQ:
        __asm__ volatile("mov %%rsp, %%rdx\n\t"
                         "push $0xe02b\n\tpush %%rdx\n\tpushfq\n\tpush %%rcx\n\tlea 2f(%%rip), %%r11\n\tpush %%r11\n\t"
                         ARM "1: iretq\n\t" DISARM "mov %%rdx, %%rsp\n\t"
                         : : "c"((unsigned long)sel) : "rdx", "r11", "memory", "cc");
        break;
    }
    if (seen.count != n)
        return 0;
    return after ? after + 3 : 1;
}

/* A far transfer that must fault with vector vec and error code err at the instruction. */
static void expect_fault(enum far_kind k, unsigned sel, unsigned vec, unsigned err, const char *what)
{
    unsigned long n = seen.count;

    far_op(k, sel, (unsigned long)far_target);
    test_check(seen.count == n + 1 && seen.vector == vec && seen.error == err && seen.rip == at_rip,
               "%s %#x (%s): vector %lu error %#lx at the instruction %s (want %u, %#x)", kind_name[k], sel,
               what, seen.count == n + 1 ? seen.vector : 0ul, seen.error, seen.rip == at_rip ? "yes" : "no",
               vec, err);
}

/* A direct far call to a guest code descriptor: it runs and comes back. */
static void expect_call(unsigned sel, const char *what)
{
    unsigned long n = seen.count, after;
    unsigned short cs;

    tgt_cs = tgt_ret_rip = tgt_ret_cs = 0;
    after = far_op(LCALL64, sel, (unsigned long)far_target);
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    if (!test_check(seen.count == n && after > 1, "lcall m16:64 %#x (%s) comes back (vector %lu)", sel, what,
                    seen.count == n ? 0ul : seen.vector))
        return;
    test_check(tgt_cs == sel, "... the target ran with CS %#lx", tgt_cs);
    test_check(tgt_ret_rip == after && tgt_ret_cs == cs,
               "... return frame %#lx:%#lx, the instruction after the call %#x:%#lx", tgt_ret_cs, tgt_ret_rip,
               cs, after);
}

/* ---- the descriptor tables ---------------------------------------------------------------- */

static unsigned long gdt_page[512] __attribute__((aligned(4096)));
static unsigned long ldt_page[512] __attribute__((aligned(4096)));
static unsigned long bad_page[512] __attribute__((aligned(4096)));

#define GDT_ENTS 10
#define LDT_ENTS 6

static long remap(void *page, int writable)
{
    unsigned long va = (unsigned long)page;
    return mm_update_va_mapping(va, mm_pte(mm_va_to_mfn(va), writable ? MM_RW_FLAGS : MM_RO_FLAGS),
                                UVMF_INVLPG);
}

static unsigned long gdt_ma(unsigned idx)
{
    return (mm_va_to_mfn((unsigned long)gdt_page) << 12) + idx * 8;
}

static void test_missing_before_tables(void)
{
    expect_fault(LJMP64, 0x0f, 13, 0x0c, "LDT selector, no LDT");
    expect_fault(LCALL64, 0x0c, 13, 0x0c, "LDT selector RPL 0, no LDT");
    expect_fault(LCALL32, 0x53, 13, 0x50, "GDT selector, no guest GDT");
    expect_fault(LRET, 0x0f, 13, 0x0c, "LDT selector, no LDT");
    expect_fault(IRETQ, 0x53, 13, 0x50, "GDT selector, no guest GDT");
    expect_fault(IRETQ, 0x0f, 13, 0x0c, "LDT selector, no LDT");
}

static int set_tables(void)
{
    unsigned long target = (unsigned long)far_target, frames[1];
    long rc;

    g_memset(gdt_page, 0, 4096);
    gdt_page[1] = D_CODE3;                                   /* 0x0b */
    gdt_page[2] = gate_lo(0x0008, 0xEC, 0, target);          /* 0x10: gate to 0x08, RPL 0 */
    gdt_page[3] = gate_hi(target);
    gdt_page[4] = gate_lo(0x0008, 0x6C, 0, target);          /* 0x20: not present, DPL 3 */
    gdt_page[5] = gate_hi(target);
    gdt_page[6] = D_CODENP;                                  /* 0x30 */
    g_memset(ldt_page, 0, 4096);
    ldt_page[1] = D_CODE3;                                   /* 0x0f */
    ldt_page[2] = gate_lo(0x000c, 0xCC, 0, target);          /* 0x17: gate to LDT 0x0c, DPL 2 */
    ldt_page[3] = gate_hi(target);
    ldt_page[4] = D_CODENP;                                  /* 0x27 */
    g_memset(bad_page, 0, 4096);
    bad_page[1] = gate_lo(0xe008, 0xEC, 0, target);          /* to the hypervisor's own selector */
    bad_page[2] = gate_hi(target);

    rc = remap(gdt_page, 0) | remap(ldt_page, 0) | remap(bad_page, 0);
    if (!test_check(rc == 0, "GDT, LDT and bad pages mapped read-only: rc=%ld", rc))
        return 0;
    frames[0] = mm_va_to_mfn((unsigned long)bad_page);
    rc = pv_set_gdt(frames, 3);
    test_check(rc == -EINVAL, "set_gdt over a gate to 0xe008: rc=%ld (want -EINVAL)", rc);
    frames[0] = mm_va_to_mfn((unsigned long)gdt_page);
    rc = pv_set_gdt(frames, GDT_ENTS);
    if (!test_check(rc == 0, "set_gdt over call gates (%u entries): rc=%ld", GDT_ENTS, rc))
        return 0;
    rc = mm_ext1(MMUEXT_SET_LDT, (unsigned long)ldt_page, LDT_ENTS);
    return test_check(rc == 0, "SET_LDT over a call gate (%u entries): rc=%ld", LDT_ENTS, rc);
}

static void test_install_fixup(void)
{
    unsigned long target = (unsigned long)far_target;

    test_check(gdt_page[2] == gate_lo(0x000b, 0x8C, 0, target),
               "GDT gate stored with DPL 0 and RPL 3 in its target: %#lx (want %#lx)", gdt_page[2],
               gate_lo(0x000b, 0x8C, 0, target));
    test_check(gdt_page[3] == gate_hi(target), "... its upper half as it was: %#lx", gdt_page[3]);
    test_check(gdt_page[4] == gate_lo(0x0008, 0x6C, 0, target),
               "the not-present gate is kept as it is: %#lx", gdt_page[4]);
    /* Xen checks an LDT page when the CPU first uses it: look after the uses. */
    test_check(ldt_page[2] == gate_lo(0x000f, 0x8C, 0, target),
               "LDT gate stored with DPL 0 and RPL 3 in its target: %#lx (want %#lx)", ldt_page[2],
               gate_lo(0x000f, 0x8C, 0, target));
}

static void test_update_descriptor(void)
{
    static const struct {
        unsigned sel, access, reserved;
        const char *what;
    } refused[] = {
        { 0xe008, 0xEC, 0, "target: the hypervisor's code selector" },
        { 0xe000, 0xEC, 0, "target: the first reserved entry" },
        { 0xe02b, 0xEC, 0, "target: FLAT_KERNEL_SS" },
        { 0xe023, 0xEC, 0, "target: FLAT_KERNEL_CS32" },
        { 0xe030, 0xEC, 0, "target: FLAT_KERNEL_CS with RPL 0" },
        { 0xfff8, 0xEC, 0, "target: the last GDT entry" },
        { 0x0008, 0xEC, 1, "reserved byte 1 (a parameter count)" },
        { 0x0008, 0xEC, 0x80, "reserved byte 0x80" },
        { 0x0008, 0xE4, 0, "a 16-bit call gate" },
        { 0x0008, 0xEE, 0, "an interrupt gate" },
        { 0x0008, 0xEF, 0, "a trap gate" },
        { 0x0008, 0xE5, 0, "a task gate" },
    };
    unsigned long target = (unsigned long)far_target;
    long rc;

    for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        rc = pv_update_descriptor(gdt_ma(7), gate_lo(refused[i].sel, refused[i].access, refused[i].reserved, target));
        test_check(rc == -EINVAL && gdt_page[7] == 0, "update_descriptor, %s: rc=%ld (want -EINVAL)",
                   refused[i].what, rc);
    }
    rc = pv_update_descriptor(gdt_ma(7), gate_lo(0xfffc, 0xEC, 0, target));
    test_check(rc == 0 && gdt_page[7] == gate_lo(0xffff, 0x8C, 0, target),
               "update_descriptor, gate to LDT 0xfffc: rc=%ld, stored %#lx", rc, gdt_page[7]);
    rc = pv_update_descriptor(gdt_ma(7), gate_lo(0x0008, 0x6C, 0x1f, target));
    test_check(rc == 0 && gdt_page[7] == gate_lo(0x0008, 0x6C, 0x1f, target),
               "update_descriptor, a not-present gate with a reserved byte: rc=%ld, kept as it is", rc);
    rc = pv_update_descriptor(gdt_ma(7), gate_lo(FLAT_KERNEL_CS, 0x8C, 0, target));
    test_check(rc == 0 && gdt_page[7] == gate_lo(FLAT_KERNEL_CS, 0x8C, 0, target),
               "update_descriptor, DPL-0 gate to FLAT_KERNEL_CS: rc=%ld, stored %#lx", rc, gdt_page[7]);
    rc = pv_update_descriptor(gdt_ma(8), gate_hi(target));
    test_check(rc == 0, "update_descriptor, its upper half: rc=%ld", rc);
}

static void test_kernel_far_transfers(void)
{
    static const enum far_kind through[] = { LCALL64, LJMP64, LCALL32, LJMP32, LCALL16, LJMP16 };

    expect_call(0x0b, "guest GDT code");
    expect_call(0x0f, "guest LDT code");
    for (unsigned i = 0; i < sizeof(through) / sizeof(through[0]); i++) {
        expect_fault(through[i], 0x13, 13, 0x10, "GDT call gate");
        expect_fault(through[i], 0x17, 13, 0x14, "LDT call gate");
    }
    expect_fault(LCALL64, 0x10, 13, 0x10, "GDT call gate, RPL 0");
    expect_fault(LCALL64, 0x38, 13, 0x38, "GDT call gate to FLAT_KERNEL_CS");
    expect_fault(LJMP64, 0x38, 13, 0x38, "GDT call gate to FLAT_KERNEL_CS");
    expect_fault(LCALL64, 0x23, 11, 0x20, "not-present call gate");
    expect_fault(LJMP32, 0x23, 11, 0x20, "not-present call gate");
    expect_fault(LRET, 0x13, 13, 0x10, "a call gate as return CS");
    expect_fault(IRETQ, 0x17, 13, 0x14, "a call gate as return CS");

    expect_fault(LJMP64, 0x33, 11, 0x30, "not-present GDT code");
    expect_fault(LCALL64, 0x27, 11, 0x24, "not-present LDT code");
    expect_fault(LRET, 0x33, 11, 0x30, "not-present GDT code");
    expect_fault(LJMP64, 0x53, 13, 0x50, "past the guest GDT's entries");
    expect_fault(LCALL64, 0x4f, 13, 0x4c, "past the LDT's entries");
    expect_fault(LCALL16, 0xdff8, 13, 0xdff8, "the last guest GDT entry, not set");
    expect_fault(LRET, 0x4f, 13, 0x4c, "past the LDT's entries");
    expect_fault(IRETQ, 0x53, 13, 0x50, "past the guest GDT's entries");
    expect_fault(IRETQ, 0x4f, 13, 0x4c, "past the LDT's entries");
}

/* ---- user mode ------------------------------------------------------------------------------- */

#define U_CODE      0x400000ul
#define U_STACK_LO  0x402000ul
#define U_STACK_TOP 0x403000ul
#define U_DATA      0x404000ul

/* The process: each far transfer takes its far pointer (m16:64) from the
 * stack; before one meant to fault, r15 holds its length. */
#define U_FAR(op, sel) "  push $" #sel "\n  lea u_target(%rip), %rax\n  push %rax\n" \
                       "  mov $(2f - 1f), %r15d\n1: .byte 0x48, 0xff, " op ", 0x24\n2: add $16, %rsp\n"
#define U_LCALL "0x1c"
#define U_LJMP  "0x2c"
__asm__(".pushsection .text.user_page, \"ax\"\n"
        ".balign 4096\n"
        "user_page_start:\n"
        U_FAR(U_LCALL, 0x13)
        U_FAR(U_LJMP, 0x10)
        U_FAR(U_LCALL, 0x17)
        U_FAR(U_LJMP, 0x38)
        U_FAR(U_LCALL, 0x23)
        U_FAR(U_LJMP, 0x53)
        U_FAR(U_LCALL, 0x0f)
        U_FAR(U_LCALL, 0x0b)
        "  mov $99, %eax\n  syscall\n"
        "  ud2\n"
        "u_target:\n"
        "  mov %cs, %eax\n  mov %eax, 0x404000\n"
        "  mov (%rsp), %rax\n  mov %rax, 0x404008\n"
        "  mov 8(%rsp), %rax\n  mov %rax, 0x404010\n"
        "  lretq\n"
        ".balign 4096\n"
        ".popsection\n");
extern char user_page_start[];

static unsigned char user_stack[4096] __attribute__((aligned(4096)));
static unsigned long user_data[512] __attribute__((aligned(4096)));
static unsigned char kstack[16384] __attribute__((aligned(16)));

__asm__(".pushsection .text\n"
        "enter_user:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, saved_ksp(%rip)\n"
        "  push $0xe02b\n push %rsi\n push $0x202\n push $0xe033\n push %rdi\n push $0\n"
        "  jmp hypercall_page + 23 * 32\n"
        "leave_user:\n"
        "  mov saved_ksp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");
void enter_user(unsigned long rip, unsigned long rsp);
__attribute__((noreturn)) void leave_user(void);
unsigned long saved_ksp;

static void h_syscall(struct pv_regs *r)
{
    if (r->rax == 99) {
        in_user = 0;
        leave_user();
    }
    test_check(0, "unexpected syscall %lu from the process", r->rax);
    r->iret_flags = VGCF_in_syscall;
}

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    pv_evtchn_scan();
}

static unsigned long user_l4;

static int build_user_tables(void)
{
    unsigned long l4 = mm_new_table(), l3 = mm_new_table(), l2 = mm_new_table(), l1 = mm_new_table();
    int ok = l4 != MM_INVALID && l3 != MM_INVALID && l2 != MM_INVALID && l1 != MM_INVALID;
    long rc;

    ok = ok && mm_set_entry(l4, mm_index(U_CODE, 4), mm_pte(l3, MM_TABLE_FLAGS));
    ok = ok && mm_set_entry(l3, mm_index(U_CODE, 3), mm_pte(l2, MM_TABLE_FLAGS));
    ok = ok && mm_set_entry(l2, mm_index(U_CODE, 2), mm_pte(l1, MM_TABLE_FLAGS));
    ok = ok && mm_set_entry(l1, mm_index(U_CODE, 1), mm_pte(mm_va_to_mfn((unsigned long)user_page_start), MM_RO_FLAGS));
    ok = ok && mm_set_entry(l1, mm_index(U_STACK_LO, 1), mm_pte(mm_va_to_mfn((unsigned long)user_stack), MM_RW_FLAGS));
    ok = ok && mm_set_entry(l1, mm_index(U_DATA, 1), mm_pte(mm_va_to_mfn((unsigned long)user_data), MM_RW_FLAGS));
    if (!test_check(ok, "user page tables built"))
        return 0;
    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, l4, 0);
    test_check(rc == 0, "pin the user L4: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, l4, 0);
    if (!test_check(rc == 0, "MMUEXT_NEW_USER_BASEPTR: rc=%ld", rc))
        return 0;
    user_l4 = l4;
    return 1;
}

static void test_user_far_transfers(void)
{
    static const struct {
        unsigned vec, err;
        const char *what;
    } want[] = {
        { 13, 0x10, "lcall through the GDT gate 0x13" },
        { 13, 0x10, "ljmp through the GDT gate 0x10" },
        { 13, 0x14, "lcall through the LDT gate 0x17" },
        { 13, 0x38, "ljmp through the gate to FLAT_KERNEL_CS 0x38" },
        { 11, 0x20, "lcall through the not-present gate 0x23" },
        { 13, 0x50, "ljmp past the guest GDT's entries 0x53" },
    };
    unsigned nwant = sizeof(want) / sizeof(want[0]);
    long rc;

    rc = pv_stack_switch(FLAT_KERNEL_SS, (unsigned long)kstack + sizeof(kstack));
    test_check(rc == 0, "stack_switch: rc=%ld", rc);
    if (!build_user_tables())
        return;
    user_data[0] = user_data[1] = user_data[2] = 0;
    nufault = 0;
    in_user = 1;
    enter_user(U_CODE, U_STACK_TOP);
    pv_events_mask();
    test_check(nufault == nwant, "the process took %u faults (want %u)", nufault, nwant);
    for (unsigned i = 0; i < nwant && i < nufault; i++)
        test_check(ufault[i].vector == want[i].vec && ufault[i].error == want[i].err &&
                   ufault[i].rip > U_CODE && ufault[i].rip < U_CODE + 4096,
                   "user mode, %s: vector %lu error %#lx at %#lx (want %u, %#x)", want[i].what,
                   ufault[i].vector, ufault[i].error, ufault[i].rip, want[i].vec, want[i].err);
    test_check(user_data[0] == 0x0b, "user mode, direct lcall to 0x0b: the target ran with CS %#lx", user_data[0]);
    test_check(user_data[2] == FLAT_USER_CS && user_data[1] > U_CODE && user_data[1] < U_CODE + 4096,
               "... return frame %#lx:%#lx (the user's CS and code)", user_data[2], user_data[1]);
    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, 0, 0);
    test_check(rc == 0, "NEW_USER_BASEPTR 0: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, user_l4, 0);
    test_check(rc == 0, "unpin the user L4: rc=%ld", rc);
}

void test_main(start_info_t *si)
{
    long rc;

    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    for (unsigned v = 0; v < 32; v++)
        pv_set_handler(v, h_fault);
    pv_set_handler(PV_VEC_SYSCALL, h_syscall);
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    rc = pv_register_callbacks();
    test_check(rc == 0, "set_callbacks: rc=%ld", rc);
    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "stop the periodic timer: rc=%ld", rc);

    test_missing_before_tables();
    if (!set_tables())
        test_finish();
    test_update_descriptor();
    test_kernel_far_transfers();
    test_install_fixup();
    test_user_far_transfers();

    rc = mm_ext1(MMUEXT_SET_LDT, 0, 0);
    test_check(rc == 0, "SET_LDT with no entries: rc=%ld", rc);
    rc = pv_set_gdt(0, 0);
    test_check(rc == 0, "set_gdt with no entries: rc=%ld", rc);
    expect_fault(LJMP64, 0x0f, 13, 0x0c, "LDT selector, LDT dropped");
    expect_fault(LCALL64, 0x13, 13, 0x10, "GDT selector, guest GDT dropped");
    rc = remap(gdt_page, 1) | remap(ldt_page, 1) | remap(bad_page, 1);
    test_check(rc == 0, "the table pages can be mapped writable again: rc=%ld", rc);
}
