/* I/O privilege of a PV guest, from its kernel and from its user mode:
 * PHYSDEVOP_set_iopl (values 0-3 and refused ones) and its older form
 * physdev_op_compat, PHYSDEVOP_set_iobitmap, and what in/out (imm8 and DX,
 * 1/2/4 bytes), ins/outs (single and rep) and cli/sti do at each virtual
 * IOPL: #GP(0), or emulated.  As dom0: ports the hypervisor keeps (the PIC,
 * the PIT, the serial console) read as all ones and drop writes (the console
 * keeps working after writes that would have broken it), a port dom0 owns
 * (a DMA page register) is really reached.  VMASST_TYPE_architectural_iopl:
 * the kernel counts as ring 0, bounce frames carry the virtual IOPL and
 * HYPERVISOR_iret sets it.  HYPERVISOR_iret with junk in bits 16-63 of the
 * CS and SS slots, back to the kernel and into user mode; with
 * VGCF_in_syscall over other selectors (a sysret's return: the flat ones);
 * without it to selectors of the guest's own GDT (used as they are) and to
 * bad ones (the guest gets #GP(selector) with the frame it returned to).
 * The IRQ sub-ops of physdev_op are probed and their answers noted.  Only
 * dom0 is tested: an unprivileged domain's view (every port all ones) needs a
 * second domain. */
#include "pv.h"
#include "mm.h"

#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

#define U_CODE       0x400000ul
#define U_STACK_TOP  0x402000ul

#define CS_JUNK 0xdeadbeefcafe0000ul
#define SS_JUNK 0xfeedface12340000ul

/* ---- the user process: one snippet per check, each ends in syscall 99 ------------------ */

#define USNIP(name, insn)                                                              \
    ".globl " #name "\n" #name ":\n"                                                   \
    "  mov $0x5a5a5a5a, %eax\n mov $0x21, %edx\n"                                        \
    "  mov $(2f - 1f), %r15d\n1: " insn "\n2:\n  jmp u_exit\n"

__asm__(".pushsection .text.user_page, \"ax\"\n"
        ".balign 4096\n"
        ".globl iopl_user_page\n"
        "iopl_user_page:\n"
        USNIP(u_cli, "cli")
        USNIP(u_sti, "sti")
        USNIP(u_in80, "inb $0x80, %al")
        USNIP(u_out80, "outb %al, $0x80")
        USNIP(u_in21, "inb $0x21, %al")
        USNIP(u_in21dx, "inb %dx, %al")
        USNIP(u_nop, "nop")
        ".globl u_insb_unmapped\n"
        "u_insb_unmapped:\n"
        "  mov $0x500000, %edi\n mov $0x21, %edx\n"
        "  mov $(2f - 1f), %r15d\n1: insb\n2:\n  mov %rdi, %rax\n  jmp u_exit\n"
        "u_exit:\n"
        "  mov %rax, %rdi\n mov %cs, %esi\n mov %ss, %edx\n"
        "  mov $99, %eax\n"
        "  syscall\n"
        "  ud2\n"
        ".balign 4096\n"
        ".popsection\n");
extern char iopl_user_page[], u_cli[], u_sti[], u_in80[], u_out80[], u_in21[], u_in21dx[], u_nop[],
    u_insb_unmapped[];

static unsigned char user_stack[4096] __attribute__((aligned(4096)));
static unsigned char kstack[16384] __attribute__((aligned(16)));

/* enter_user(rip, rsp, rflags, cs, ss, flags): HYPERVISOR_iret into user
 * mode with that frame; returns when the process makes syscall 99. */
__asm__(".pushsection .text\n"
        ".globl enter_user\n"
        "enter_user:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, iopl_saved_ksp(%rip)\n"
        "  push %r8\n"              /* SS */
        "  push %rsi\n"             /* RSP */
        "  push %rdx\n"             /* RFLAGS */
        "  push %rcx\n"             /* CS */
        "  push %rdi\n"             /* RIP */
        "  push %r9\n"              /* flags */
        "  jmp hypercall_page + 23 * 32\n"
        ".globl leave_user\n"
        "leave_user:\n"
        "  mov iopl_saved_ksp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");
void enter_user(unsigned long rip, unsigned long rsp, unsigned long rflags, unsigned long cs,
                unsigned long ss, unsigned long flags);
__attribute__((noreturn)) void leave_user(void);
unsigned long iopl_saved_ksp;

/* What the process reported at its exit: rax after the instruction, CS, SS. */
static unsigned long u_rax, u_cs, u_ss;

/* ---- exceptions -------------------------------------------------------------------------- */

static struct {
    unsigned long count, vector, error, rip, cs, rflags, cr2, rsp, ss;
} seen;
volatile unsigned long resume_rip, at_rip;
/* What the #BP handler changes in its frame before HYPERVISOR_iret. */
static unsigned long bp_rflags_set, bp_rflags_clear, bp_cs_or, bp_ss_or, bp_cs_set, bp_ss_set, bp_iret_flags;

/* Set when an iret to bad selectors is expected to fault: the fault's frame
 * gets the flat selectors of its mode and the return is tried again. */
static unsigned long fix_iret_fault;
/* With fix_iret_fault, the RIP the fault's frame gets instead (0: keep it). */
static unsigned long fix_iret_rip;

static void h_record(struct pv_regs *r)
{
    seen.count++;
    seen.vector = r->vector;
    seen.error = r->error;
    seen.rip = r->rip;
    seen.cs = r->cs;
    seen.rflags = r->rflags;
    seen.cr2 = pv_vcpu->arch.cr2;
    if (fix_iret_fault && r->vector != 3) {
        fix_iret_fault = 0;
        seen.rsp = r->rsp;
        seen.ss = r->ss;
        r->cs = (r->cs & 3) == 3 ? FLAT_USER_CS : (FLAT_KERNEL_CS & ~3ul);
        r->ss = FLAT_USER_SS;
        if (fix_iret_rip)
            r->rip = fix_iret_rip;
        fix_iret_rip = 0;
        return;
    }
    if ((r->cs & 3) == 3) {                 /* the process: skip the instruction */
        r->rip += r->r15;
        return;
    }
    if (r->vector == 3) {
        r->rflags = (r->rflags | bp_rflags_set) & ~bp_rflags_clear;
        r->cs |= bp_cs_or;
        r->ss |= bp_ss_or;
        if (bp_cs_set)
            r->cs = bp_cs_set;
        if (bp_ss_set)
            r->ss = bp_ss_set;
        r->iret_flags = bp_iret_flags;
        return;
    }
    if (!resume_rip) {
        pv_dump_regs("exception outside a guarded instruction", r);
        test_check(0, "unexpected vector %lu at %#lx", r->vector, r->rip);
        test_finish();
    }
    r->rip = resume_rip;
}

static void h_syscall(struct pv_regs *r)
{
    if (r->rax == 99) {
        u_rax = r->rdi;
        u_cs = r->rsi;
        u_ss = r->rdx;
        leave_user();
    }
    pv_dump_regs("unexpected syscall", r);
    test_check(0, "unexpected syscall %lu", r->rax);
    test_finish();
}

#define TRY(insn, ...)                                                                    \
    __asm__ volatile("lea 2f(%%rip), %%r11\n\t"                                          \
                     "mov %%r11, resume_rip(%%rip)\n\t"                                  \
                     "lea 1f(%%rip), %%r11\n\t"                                          \
                     "mov %%r11, at_rip(%%rip)\n\t"                                      \
                     "1: " insn "\n\t"                                                    \
                     "2: movq $0, resume_rip(%%rip)\n\t"                                 \
                     __VA_ARGS__)

static int gp0(unsigned long n)
{
    return seen.count == n + 1 && seen.vector == 13 && seen.error == 0 && seen.rip == at_rip;
}

static long set_iopl(unsigned iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };
    return pv_physdev_op(PHYSDEVOP_set_iopl, &s);
}

static long physdev_compat(void *op)
{
    return GUEST_HYPERCALL(__HYPERVISOR_physdev_op_compat, (unsigned long)op, 0, 0, 0, 0);
}

/* ---- user mode ---------------------------------------------------------------------------- */

static unsigned long uva(const char *sym)
{
    return U_CODE + (unsigned long)(sym - iopl_user_page);
}

static int build_user_tables(void)
{
    unsigned long l4 = mm_alloc_mfn(), l3 = mm_alloc_mfn(), l2 = mm_alloc_mfn(), l1 = mm_alloc_mfn();
    unsigned long code = mm_va_to_mfn((unsigned long)iopl_user_page);
    unsigned long st = mm_va_to_mfn((unsigned long)user_stack);
    unsigned long t[4] = { l4, l3, l2, l1 };
    unsigned long *p;
    long rc;

    for (unsigned i = 0; i < 4; i++)
        if (t[i] == MM_INVALID || mm_zero_frame(t[i]) != 0)
            return test_check(0, "zeroed frames for the user page tables");
    for (unsigned i = 0; i < 3; i++) {
        if (!(p = mm_scratch_map(t[i], MM_RW_FLAGS)))
            return test_check(0, "map a user page table");
        p[mm_index(U_CODE, 4 - i)] = mm_pte(t[i + 1], MM_TABLE_FLAGS);
        mm_scratch_unmap();
    }
    if (!(p = mm_scratch_map(l1, MM_RW_FLAGS)))
        return test_check(0, "map the user L1");
    p[mm_index(U_CODE, 1)] = mm_pte(code, MM_RO_FLAGS);
    p[mm_index(U_STACK_TOP - 4096, 1)] = mm_pte(st, MM_RW_FLAGS);
    mm_scratch_unmap();
    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, l4, 0);
    test_check(rc == 0, "pin the user L4: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, l4, 0);
    return test_check(rc == 0, "MMUEXT_NEW_USER_BASEPTR: rc=%ld", rc);
}

/* Run one snippet in user mode with the given RFLAGS; 1 if it faulted with #GP(0). */
static int user_gp(const char *snip, unsigned long rflags)
{
    unsigned long n = seen.count;

    enter_user(uva(snip), U_STACK_TOP, rflags, FLAT_USER_CS, FLAT_USER_SS, 0);
    pv_events_mask();
    if (seen.count == n)
        return 0;
    test_check(seen.count == n + 1 && seen.vector == 13 && seen.error == 0 && (seen.cs & 3) == 3,
               "user mode: the only fault is a #GP(0) from user mode (vector %lu error %#lx cs %#lx)",
               seen.vector, seen.error, seen.cs);
    return 1;
}

/* ---- the checks --------------------------------------------------------------------------- */

static void test_set_iopl_args(void)
{
    struct physdev_set_iopl s;
    long rc;

    for (unsigned i = 0; i <= 3; i++) {
        rc = set_iopl(i);
        test_check(rc == 0, "PHYSDEVOP_set_iopl(%u): rc=%ld", i, rc);
    }
    rc = set_iopl(4);
    test_check(rc == -EINVAL, "PHYSDEVOP_set_iopl(4): rc=%ld (want -EINVAL)", rc);
    rc = set_iopl(0xffffffffu);
    test_check(rc == -EINVAL, "PHYSDEVOP_set_iopl(0xffffffff): rc=%ld (want -EINVAL)", rc);
    rc = pv_physdev_op(PHYSDEVOP_set_iopl, (void *)0xffff800000001000ul);
    test_check(rc == -EFAULT, "PHYSDEVOP_set_iopl from a hypervisor address: rc=%ld (want -EFAULT)", rc);
    rc = pv_physdev_op(PHYSDEVOP_set_iopl, (void *)0x8000000000000000ul);
    test_check(rc == -EFAULT, "PHYSDEVOP_set_iopl from a non-canonical address: rc=%ld (want -EFAULT)", rc);
    s.iopl = 1;
    rc = GUEST_HYPERCALL(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl | 0xabcd00000000ul, (unsigned long)&s, 0, 0, 0);
    test_check(rc == 0, "physdev_op: the upper half of cmd is ignored: rc=%ld", rc);
    rc = pv_physdev_op(0x7fffffff, &s);
    test_check(rc == -ENOSYS, "physdev_op with an unknown sub-op: rc=%ld (want -ENOSYS)", rc);

    /* physdev_op_compat: struct physdev_op (cmd, then the union at offset 8). */
    {
        static struct { uint32_t cmd, pad; uint32_t u[4]; } op;
        op.cmd = PHYSDEVOP_set_iopl;
        op.u[0] = 2;
        rc = physdev_compat(&op);
        test_check(rc == 0, "physdev_op_compat(set_iopl 2): rc=%ld", rc);
        op.u[0] = 7;
        rc = physdev_compat(&op);
        test_check(rc == -EINVAL, "physdev_op_compat(set_iopl 7): rc=%ld (want -EINVAL)", rc);
        rc = physdev_compat((void *)0xffff800000001000ul);
        test_check(rc == -EFAULT, "physdev_op_compat from a hypervisor address: rc=%ld (want -EFAULT)", rc);
        op.cmd = 0x7fffffff;
        rc = physdev_compat(&op);
        test_check(rc == -ENOSYS, "physdev_op_compat with an unknown sub-op: rc=%ld (want -ENOSYS)", rc);
    }
    set_iopl(0);
}

/* The physical-IRQ sub-ops a PV kernel probes: each hypervisor's answers are
 * noted (docs/abi-coverage.md compares them); bad pointers are checked. */
static void test_irq_subops(void)
{
    static uint32_t arg[16];
    static const struct { unsigned cmd; uint32_t a0; const char *what; } probes[] = {
        { PHYSDEVOP_eoi, 1, "eoi(irq 1)" },
        { PHYSDEVOP_eoi, 100000, "eoi(irq 100000)" },
        { PHYSDEVOP_irq_status_query, 1, "irq_status_query(irq 1)" },
        { PHYSDEVOP_irq_status_query, 100000, "irq_status_query(irq 100000)" },
        { PHYSDEVOP_pirq_eoi_gmfn_v2, 0xffffffffu, "pirq_eoi_gmfn_v2(gmfn ~0)" },
        { PHYSDEVOP_IRQ_UNMASK_NOTIFY, 0, "IRQ_UNMASK_NOTIFY" },
        { PHYSDEVOP_apic_read, 0, "apic_read" },
        { PHYSDEVOP_alloc_irq_vector, 0, "alloc_irq_vector" },
        { PHYSDEVOP_setup_gsi, 100000, "setup_gsi(gsi 100000)" },
        { PHYSDEVOP_dbgp_op, 0, "dbgp_op(op 0)" },
        { PHYSDEVOP_manage_pci_add, 0, "manage_pci_add(0:0.0)" },
    };
    long rc;

    for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        for (unsigned j = 0; j < 16; j++)
            arg[j] = 0;
        arg[0] = probes[i].a0;
        if (probes[i].cmd == PHYSDEVOP_pirq_eoi_gmfn_v2)
            arg[1] = 0xffffffffu;               /* xen_pfn_t: 64 bits */
        rc = pv_physdev_op(probes[i].cmd, arg);
        test_note("physdev_op %s: rc=%ld (flags word %#x)", probes[i].what, rc, arg[1]);
        if (probes[i].cmd == PHYSDEVOP_eoi)
            test_check(rc == -EINVAL, "PHYSDEVOP_%s of an unbound PIRQ: rc=%ld (want -EINVAL)", probes[i].what, rc);
    }
    rc = pv_physdev_op(PHYSDEVOP_IRQ_UNMASK_NOTIFY, 0);
    test_check(rc == 0, "PHYSDEVOP_IRQ_UNMASK_NOTIFY with no PIRQ bound: rc=%ld", rc);
    rc = pv_physdev_op(PHYSDEVOP_eoi, (void *)0xffff800000001000ul);
    test_check(rc == -EFAULT, "PHYSDEVOP_eoi from a hypervisor address: rc=%ld (want -EFAULT)", rc);
}

/* cli, sti, in and out from the kernel at each virtual IOPL. */
static void test_kernel_at_each_iopl(void)
{
    for (unsigned iopl = 0; iopl <= 3; iopl++) {
        int want_ok = iopl >= 1;            /* the kernel counts as ring 1 */
        unsigned long n;
        uint8_t al = 0x5a;

        set_iopl(iopl);
        n = seen.count;
        TRY("cli", : : : "r11", "memory");
        test_check(want_ok ? seen.count == n : gp0(n), "kernel cli at virtual IOPL %u: %s", iopl,
                   want_ok ? "no fault" : "#GP(0)");
        test_check(pv_vcpu->evtchn_upcall_mask == 1, "... the event mask is untouched (%u)",
                   pv_vcpu->evtchn_upcall_mask);
        n = seen.count;
        TRY("sti", : : : "r11", "memory");
        test_check(want_ok ? seen.count == n : gp0(n), "kernel sti at virtual IOPL %u: %s", iopl,
                   want_ok ? "no fault" : "#GP(0)");
        test_check(pv_vcpu->evtchn_upcall_mask == 1, "... the event mask is untouched (%u)",
                   pv_vcpu->evtchn_upcall_mask);
        n = seen.count;
        TRY("inb $0x80, %%al", : "+a"(al) : : "r11", "memory");
        test_check(want_ok ? seen.count == n : gp0(n), "kernel inb $0x80 at virtual IOPL %u: %s", iopl,
                   want_ok ? "no fault" : "#GP(0)");
        n = seen.count;
        TRY("outb %%al, $0x80", : : "a"(al) : "r11", "memory");
        test_check(want_ok ? seen.count == n : gp0(n), "kernel outb $0x80 at virtual IOPL %u: %s", iopl,
                   want_ok ? "no fault" : "#GP(0)");
        n = seen.count;
        TRY("hlt", : : : "r11", "memory");
        test_check(gp0(n), "kernel hlt at virtual IOPL %u: #GP(0)", iopl);
    }
    set_iopl(0);
}

/* Widths and forms on ports the hypervisor keeps: all ones, the rest of RAX as
 * the real instruction leaves it; writes that would break the console. */
static void test_widths_and_denied_ports(void)
{
    unsigned long rax, n;
    const unsigned long pat = 0x1122334455667788ul;

    set_iopl(1);
    n = seen.count;
    rax = pat;
    TRY("inb $0x21, %%al", : "+a"(rax) : : "r11", "memory");
    test_check(seen.count == n && rax == 0x11223344556677fful, "inb $0x21 (PIC): %#lx", rax);
    rax = pat;
    TRY("inw $0x20, %%ax", : "+a"(rax) : : "r11", "memory");
    test_check(seen.count == n && rax == 0x112233445566fffful, "inw $0x20 (PIC): %#lx", rax);
    rax = pat;
    TRY("inl $0x40, %%eax", : "+a"(rax) : : "r11", "memory");
    /* 0x42-0x43 are PIT channel 2, which Xen emulates for dom0 (Xenolith: all ones) */
    test_check(seen.count == n && (rax & 0xffff) == 0xffff && (rax >> 32) == 0,
               "inl $0x40 (PIT): %#lx (bits 32-63 cleared, 0x40-0x41 all ones)", rax);
    test_note("inl $0x40: ports 0x42-0x43 read %#lx", (rax >> 16) & 0xffff);
    rax = pat;
    TRY("inb %%dx, %%al", : "+a"(rax) : "d"(0x40) : "r11", "memory");
    test_check(seen.count == n && rax == 0x11223344556677fful, "inb (%%dx=0x40): %#lx", rax);
    rax = pat;
    TRY("inw %%dx, %%ax", : "+a"(rax) : "d"(0xa0) : "r11", "memory");
    test_check(seen.count == n && rax == 0x112233445566fffful, "inw (%%dx=0xa0): %#lx", rax);
    rax = pat;
    TRY("inl %%dx, %%eax", : "+a"(rax) : "d"(0x3fc) : "r11", "memory");
    test_check(seen.count == n && rax == 0xfffffffful, "inl (%%dx=0x3fc, the console's UART): %#lx", rax);
    rax = pat;
    TRY("inb %%dx, %%al", : "+a"(rax) : "d"(0x3fd) : "r11", "memory");
    test_check(seen.count == n && (rax & 0xff) == 0xff, "inb from the console's line status register: %#lx "
               "(all ones, not the UART's)", rax & 0xff);
    rax = pat;
    TRY("inl %%dx, %%eax", : "+a"(rax) : "d"(0x608) : "r11", "memory");
    test_check(seen.count == n && rax == 0xfffffffful, "inl (%%dx=0x608, the ACPI PM timer under SeaBIOS): %#lx", rax);
    rax = pat;
    TRY(".byte 0x48\n\tinb %%dx, %%al", : "+a"(rax) : "d"(0x21) : "r11", "memory");
    test_check(seen.count == n && rax == 0x11223344556677fful, "REX.W inb (%%dx=0x21): %#lx", rax);

    /* Writes to the console's UART that would set DLAB (no more output) if
     * they went through: the rest of this test's output is the proof. */
    TRY("outb %%al, %%dx", : : "a"(0x83), "d"(0x3fb) : "r11", "memory");
    TRY("outw %%ax, %%dx", : : "a"(0x8300), "d"(0x3fa) : "r11", "memory");
    TRY("outl %%eax, %%dx", : : "a"(0x83000000), "d"(0x3f8) : "r11", "memory");
    TRY("outb %%al, $0x21", : : "a"(0xff) : "r11", "memory");
    test_check(seen.count == n, "outb/outw/outl to the console's UART and the PIC: no fault, dropped");

    /* A port dom0 owns: a DMA page register, written and read back. */
    {
        uint8_t saved = 0, got = 0;
        TRY("inb $0x82, %%al", : "=a"(saved) : : "r11", "memory");
        TRY("outb %%al, $0x82", : : "a"(0xa5) : "r11", "memory");
        TRY("inb $0x82, %%al", : "=a"(got) : : "r11", "memory");
        TRY("outb %%al, $0x82", : : "a"(saved) : "r11", "memory");
        test_check(seen.count == n && got == 0xa5, "dom0 reaches port 0x82 (DMA page register): read back %#x",
                   got);
    }
    set_iopl(0);
}

/* ins/outs, single and rep, and a fault on their memory operand. */
static void test_string_io(void)
{
    static uint8_t buf[16];
    unsigned long n, rdi, rsi, rcx;

    set_iopl(1);
    n = seen.count;
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = 0x11;
    rdi = (unsigned long)buf;
    TRY("insb", : "+D"(rdi) : "d"(0x21) : "r11", "memory");
    test_check(seen.count == n && buf[0] == 0xff && buf[1] == 0x11 && rdi == (unsigned long)buf + 1,
               "insb from 0x21: %#x, rdi +1", buf[0]);
    rdi = (unsigned long)buf + 2;
    rcx = 3;
    TRY("rep insw", : "+D"(rdi), "+c"(rcx) : "d"(0x40) : "r11", "memory");
    test_check(seen.count == n && rcx == 0 && rdi == (unsigned long)buf + 8 && buf[2] == 0xff && buf[7] == 0xff &&
               buf[8] == 0x11, "rep insw x3 from 0x40: all ones, rcx %lu, rdi +%lu", rcx, rdi - (unsigned long)buf - 2);
    rdi = (unsigned long)buf + 8;
    rcx = 0;
    TRY("rep insl", : "+D"(rdi), "+c"(rcx) : "d"(0x40) : "r11", "memory");
    test_check(seen.count == n && buf[8] == 0x11 && rdi == (unsigned long)buf + 8, "rep insl with rcx 0: nothing");
    {
        static const uint8_t dlab[4] = { 0x83, 0x83, 0x83, 0x83 };
        rsi = (unsigned long)dlab;
        rcx = 4;
        TRY("rep outsb", : "+S"(rsi), "+c"(rcx) : "d"(0x3fb) : "r11", "memory");
        test_check(seen.count == n && rcx == 0 && rsi == (unsigned long)dlab + 4,
                   "rep outsb to the console's line control register: dropped, rsi +4");
    }
    /* The destination is not mapped: #PF at the first byte, rdi unchanged. */
    rdi = 0x1000;
    TRY("insb", : "+D"(rdi) : "d"(0x21) : "r11", "memory");
    test_check(seen.count == n + 1 && seen.vector == 14 && seen.cr2 == 0x1000 && seen.rip == at_rip && rdi == 0x1000,
               "insb to an unmapped page: #PF (vector %lu error %#lx cr2 %#lx)", seen.vector, seen.error, seen.cr2);
    test_check(seen.error == 2, "... with the write bit only in the error code (%#lx)", seen.error);
    set_iopl(0);
    n = seen.count;
    rdi = (unsigned long)buf;
    TRY("insb", : "+D"(rdi) : "d"(0x21) : "r11", "memory");
    test_check(gp0(n) && rdi == (unsigned long)buf, "insb at virtual IOPL 0: #GP(0)");
    n = seen.count;
    rsi = (unsigned long)buf;
    TRY("outsb", : "+S"(rsi) : "d"(0x80) : "r11", "memory");
    test_check(gp0(n), "outsb at virtual IOPL 0: #GP(0)");
}

/* User mode: only IOPL 3 lets cli/sti/in/out through. */
static void test_user_at_each_iopl(void)
{
    for (unsigned iopl = 0; iopl <= 3; iopl++) {
        int want_gp = iopl < 3;

        set_iopl(iopl);
        test_check(user_gp(u_cli, 0x202) == want_gp, "user cli at virtual IOPL %u: %s", iopl,
                   want_gp ? "#GP(0)" : "no fault");
        test_check(user_gp(u_sti, 0x202) == want_gp, "user sti at virtual IOPL %u: %s", iopl,
                   want_gp ? "#GP(0)" : "no fault");
        test_check(user_gp(u_in80, 0x202) == want_gp, "user inb $0x80 at virtual IOPL %u: %s", iopl,
                   want_gp ? "#GP(0)" : "no fault");
        test_check(user_gp(u_out80, 0x202) == want_gp, "user outb $0x80 at virtual IOPL %u: %s", iopl,
                   want_gp ? "#GP(0)" : "no fault");
    }
    test_check(!user_gp(u_in21, 0x202) && (u_rax & 0xffffffff) == 0x5a5a5aff,
               "user inb $0x21 at virtual IOPL 3: all ones (%#lx)", u_rax);
    {
        unsigned long n = seen.count;
        enter_user(uva(u_insb_unmapped), U_STACK_TOP, 0x202, FLAT_USER_CS, FLAT_USER_SS, 0);
        pv_events_mask();
        test_check(seen.count == n + 1 && seen.vector == 14 && seen.cr2 == 0x500000 && (seen.cs & 3) == 3 &&
                   u_rax == 0x500000, "user insb to an unmapped page at virtual IOPL 3: #PF (error %#lx cr2 %#lx), "
                   "rdi unchanged (%#lx)", seen.error, seen.cr2, u_rax);
        test_check(seen.error == 6, "... with the write and user bits in the error code (%#lx)", seen.error);
    }
    set_iopl(0);
}

/* PHYSDEVOP_set_iobitmap: a clear bit lets the port through at IOPL 0, from
 * the kernel and from user mode. */
static void test_iobitmap(void)
{
    static uint8_t bitmap[8192] __attribute__((aligned(4096)));
    struct physdev_set_iobitmap b;
    unsigned long n;
    uint8_t al = 0;
    long rc;

    for (unsigned i = 0; i < sizeof(bitmap); i++)
        bitmap[i] = 0xff;
    bitmap[0x21 >> 3] &= (uint8_t)~(1u << (0x21 & 7));
    b.bitmap = bitmap;
    b.nr_ports = 65537;
    rc = pv_physdev_op(PHYSDEVOP_set_iobitmap, &b);
    test_check(rc == -EINVAL, "set_iobitmap with 65537 ports: rc=%ld (want -EINVAL)", rc);
    b.bitmap = (uint8_t *)0xffff800000000000ul;
    b.nr_ports = 0x400;
    rc = pv_physdev_op(PHYSDEVOP_set_iobitmap, &b);
    test_check(rc == -EINVAL, "set_iobitmap at a hypervisor address: rc=%ld (want -EINVAL)", rc);
    rc = pv_physdev_op(PHYSDEVOP_set_iobitmap, (void *)0xffff800000000000ul);
    test_check(rc == -EFAULT, "set_iobitmap from a hypervisor address: rc=%ld (want -EFAULT)", rc);
    b.bitmap = bitmap;
    b.nr_ports = 0x400;
    rc = pv_physdev_op(PHYSDEVOP_set_iobitmap, &b);
    test_check(rc == 0, "set_iobitmap (port 0x21 allowed, 1024 ports): rc=%ld", rc);

    set_iopl(0);
    n = seen.count;
    al = 0;
    TRY("inb $0x21, %%al", : "+a"(al) : : "r11", "memory");
    test_check(seen.count == n && al == 0xff, "kernel inb $0x21 through the bitmap: %#x", al);
    TRY("inw $0x20, %%ax", : : : "rax", "r11", "memory");
    test_check(gp0(n), "kernel inw $0x20 (0x20 not in the bitmap): #GP(0)");
    n = seen.count;
    TRY("cli", : : : "r11", "memory");
    test_check(gp0(n), "kernel cli: the bitmap does not count: #GP(0)");
    test_check(!user_gp(u_in21, 0x202) && (u_rax & 0xff) == 0xff, "user inb $0x21 through the bitmap: %#lx",
               u_rax & 0xff);
    test_check(user_gp(u_in80, 0x202), "user inb $0x80 (not in the bitmap): #GP(0)");
    test_check(user_gp(u_cli, 0x202), "user cli with the bitmap: #GP(0)");
    /* Ports at or past the limit are refused. */
    b.nr_ports = 0x21;
    pv_physdev_op(PHYSDEVOP_set_iobitmap, &b);
    n = seen.count;
    TRY("inb $0x21, %%al", : "+a"(al) : : "r11", "memory");
    test_check(gp0(n), "kernel inb $0x21 with the bitmap limit at 0x21: #GP(0)");
    test_check(user_gp(u_in21dx, 0x202), "user inb (%%dx=0x21) with the limit at 0x21: #GP(0)");
    b.nr_ports = 0;
    rc = pv_physdev_op(PHYSDEVOP_set_iobitmap, &b);
    test_check(rc == 0, "set_iobitmap with 0 ports: rc=%ld", rc);
}

static unsigned long bp_frame_rflags(void)
{
    unsigned long n = seen.count;

    __asm__ volatile("int3" ::: "memory");
    test_check(seen.count == n + 1 && seen.vector == 3, "int3 reached its handler");
    return seen.rflags;
}

/* VMASST_TYPE_architectural_iopl. */
static void test_architectural_iopl(void)
{
    unsigned long n, rf;
    long rc;

    set_iopl(2);
    rf = bp_frame_rflags();
    test_check((rf & 0x3000) == 0, "without the assist a bounce frame's RFLAGS has IOPL 0 (%#lx)", rf);

    rc = mm_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl);
    if (!test_check(rc == 0, "vm_assist(enable, architectural_iopl): rc=%ld", rc))
        return;
    rf = bp_frame_rflags();
    test_check((rf & 0x3000) == 0x2000, "with the assist the bounce frame carries the virtual IOPL 2 (%#lx)", rf);

    /* The kernel is ring 0 now: IOPL 0 is enough. */
    set_iopl(0);
    n = seen.count;
    TRY("cli", : : : "r11", "memory");
    test_check(seen.count == n, "kernel cli at virtual IOPL 0 under the assist: no fault");
    TRY("inb $0x80, %%al", : : : "rax", "r11", "memory");
    test_check(seen.count == n, "kernel inb $0x80 at virtual IOPL 0 under the assist: no fault");
    test_check(user_gp(u_in80, 0x202), "user inb $0x80 after an iret with IOPL 0: #GP(0)");

    /* HYPERVISOR_iret sets the virtual IOPL from the frame's RFLAGS. */
    bp_rflags_set = 0x3000;
    rf = bp_frame_rflags();
    bp_rflags_set = 0;
    rf = bp_frame_rflags();
    test_check((rf & 0x3000) == 0x3000, "an iret with IOPL 3 in RFLAGS sets the virtual IOPL to 3 (next frame %#lx)",
               rf);
    test_check(!user_gp(u_in80, 0x3202), "user inb $0x80 entered by iret with IOPL 3: no fault");
    test_check(!user_gp(u_cli, 0x3202), "user cli entered by iret with IOPL 3: no fault");
    test_check(user_gp(u_in80, 0x1202), "user inb $0x80 entered by iret with IOPL 1: #GP(0)");
    rf = bp_frame_rflags();
    test_check((rf & 0x3000) == 0x1000, "... which left the virtual IOPL at 1 (%#lx)", rf);
    bp_rflags_clear = 0x3000;
    rf = bp_frame_rflags();
    bp_rflags_clear = 0;

    rc = mm_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl);
    test_check(rc == 0, "vm_assist(disable, architectural_iopl): rc=%ld", rc);
    set_iopl(0);
    n = seen.count;
    TRY("cli", : : : "r11", "memory");
    test_check(gp0(n), "kernel cli at virtual IOPL 0 without the assist: #GP(0)");
}

/* HYPERVISOR_iret with junk in bits 16-63 of the CS and SS slots. */
static void test_iret_junk(void)
{
    unsigned long cs, ss;

    bp_cs_or = CS_JUNK;
    bp_ss_or = SS_JUNK;
    bp_frame_rflags();
    bp_cs_or = bp_ss_or = 0;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    test_check(cs == FLAT_KERNEL_CS && ss == FLAT_KERNEL_SS,
               "iret to the kernel with junk above the CS and SS selectors: back with cs %#lx ss %#lx", cs, ss);
    test_check(!user_gp(u_nop, 0x202) && u_cs == FLAT_USER_CS && u_ss == FLAT_USER_SS,
               "iret to user mode with plain selectors: cs %#lx ss %#lx", u_cs, u_ss);
    u_cs = u_ss = 0;
    enter_user(uva(u_nop), U_STACK_TOP, 0x202, CS_JUNK | FLAT_USER_CS, SS_JUNK | FLAT_USER_SS, 0);
    pv_events_mask();
    test_check(u_cs == FLAT_USER_CS && u_ss == FLAT_USER_SS,
               "iret to user mode with junk above the CS and SS selectors: cs %#lx ss %#lx", u_cs, u_ss);
    /* With VGCF_in_syscall the return is a sysret's: whatever selectors the
     * frame holds, the guest comes back with the flat ones (RCX and R11 are
     * RIP and RFLAGS then). */
    bp_cs_set = CS_JUNK | 0x1230;           /* RPL 0: back to the kernel */
    bp_ss_set = SS_JUNK | 0x4567;
    bp_iret_flags = VGCF_in_syscall;
    __asm__ volatile("int3" ::: "rcx", "r11", "memory");
    bp_cs_set = bp_ss_set = bp_iret_flags = 0;
    __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
    test_check(cs == FLAT_KERNEL_CS && ss == FLAT_KERNEL_SS,
               "iret with VGCF_in_syscall to the kernel, other selectors in the frame: back with cs %#lx ss %#lx",
               cs, ss);
    u_cs = u_ss = 0;
    enter_user(uva(u_nop), U_STACK_TOP, 0x202, CS_JUNK | 0x1233, SS_JUNK | 0x4567, VGCF_in_syscall);
    pv_events_mask();
    test_check(u_cs == FLAT_USER_CS && u_ss == FLAT_USER_SS,
               "iret with VGCF_in_syscall to user mode, other selectors in the frame: cs %#lx ss %#lx", u_cs, u_ss);
    /* Without VGCF_in_syscall the real iret uses the frame's selectors: one
     * beyond the GDT faults, and the guest gets #GP(selector) with the frame
     * it returned to as the interrupted context. */
    {
        unsigned long n = seen.count, at, sp;

        bp_cs_set = CS_JUNK | 0x1230;       /* RPL 0: back to the kernel */
        fix_iret_fault = 1;
        __asm__ volatile("mov %%rsp, %1\n int3\n lea (%%rip), %0" : "=r"(at), "=r"(sp) : : "memory");
        bp_cs_set = 0;
        test_check(seen.count == n + 2 && seen.vector == 13 && seen.error == 0x1230 && !fix_iret_fault,
                   "iret to the kernel with CS 0x1230 (beyond the GDT): #GP(%#lx) (vector %lu, %lu exceptions)",
                   seen.error, seen.vector, seen.count - n);
        test_note("... its frame: rip %#lx (after int3: %#lx) cs %#lx rsp %#lx ss %#lx", seen.rip, at, seen.cs,
                  seen.rsp, seen.ss);
        test_check(seen.rip <= at && seen.rip + 8 > at && (seen.cs & 0xfffc) == 0x1230 && seen.rsp == sp,
                   "... with the frame returned to: rip %#lx cs %#lx rsp %#lx", seen.rip, seen.cs, seen.rsp);
        n = seen.count;
        u_cs = u_ss = 0;
        fix_iret_fault = 1;
        enter_user(uva(u_nop), U_STACK_TOP, 0x202, CS_JUNK | 0x1233, FLAT_USER_SS, 0);
        pv_events_mask();
        test_check(seen.count == n + 1 && seen.vector == 13 && seen.error == 0x1230 && !fix_iret_fault,
                   "iret to user mode with CS 0x1233: #GP(%#lx) (vector %lu)", seen.error, seen.vector);
        test_note("... its frame: rip %#lx cs %#lx rsp %#lx ss %#lx", seen.rip, seen.cs, seen.rsp, seen.ss);
        test_check(seen.rip == uva(u_nop) && (seen.cs & 0xffff) == 0x1233 && seen.rsp == U_STACK_TOP,
                   "... with the user frame: rip %#lx cs %#lx rsp %#lx", seen.rip, seen.cs, seen.rsp);
        test_check(u_cs == FLAT_USER_CS && u_ss == FLAT_USER_SS, "... then the process ran with the flat selectors");
        n = seen.count;
        fix_iret_fault = 1;
        enter_user(uva(u_nop), U_STACK_TOP, 0x202, FLAT_USER_CS, 0x4563, 0);
        pv_events_mask();
        test_check(seen.count == n + 1 && seen.vector == 13 && seen.error == 0x4560 && !fix_iret_fault,
                   "iret to user mode with SS 0x4563: #GP(%#lx) (vector %lu)", seen.error, seen.vector);
        fix_iret_fault = 0;
    }
    /* An iret frame's RIP is not checked by the hypercall: the CPU's iretq
     * refuses a non-canonical one (#GP(0), the frame returned to as the
     * interrupted context), and a RIP in the hypervisor's area is the
     * guest's own page fault once there. */
    {
        static const unsigned long bad_rip[2] = { 0x0000800000000000ul, 0xffff820000000000ul };
        for (unsigned i = 0; i < 2; i++) {
            unsigned long n = seen.count;
            u_cs = u_ss = 0;
            fix_iret_fault = 1;
            fix_iret_rip = uva(u_nop);
            enter_user(bad_rip[i], U_STACK_TOP, 0x202, FLAT_USER_CS, FLAT_USER_SS, 0);
            pv_events_mask();
            if (i == 0)
                test_check(seen.count == n + 1 && seen.vector == 13 && seen.error == 0 && !fix_iret_fault,
                           "iret to user mode with RIP %#lx (non-canonical): #GP(%#lx) (vector %lu)", bad_rip[i],
                           seen.error, seen.vector);
            else
                test_check(seen.count == n + 1 && seen.vector == 14 && seen.cr2 == bad_rip[i] && !fix_iret_fault,
                           "iret to user mode with RIP %#lx (the hypervisor's area): #PF at %#lx error %#lx "
                           "(vector %lu)", bad_rip[i], seen.cr2, seen.error, seen.vector);
            test_check(seen.rip == bad_rip[i] && seen.cs == FLAT_USER_CS && seen.rsp == U_STACK_TOP,
                       "... with the user frame: rip %#lx cs %#lx rsp %#lx", seen.rip, seen.cs, seen.rsp);
            test_check(u_cs == FLAT_USER_CS, "... then the process ran from the RIP its kernel put back");
            fix_iret_fault = 0;
        }
    }
    /* Selectors of the guest's own GDT: the real iret uses them. */
    {
        static const unsigned long descs[] = { 0, 0x00cff2000000fffful /* data, DPL 3 */,
                                               0x00affa000000fffful /* 64-bit code, DPL 3 */ };
        unsigned long mfn = mm_alloc_mfn(), frames[1] = { mfn }, *page;
        long rc;

        page = mfn == MM_INVALID ? 0 : mm_scratch_map(mfn, MM_RW_FLAGS);
        if (test_check(page != 0, "a frame for a GDT")) {
            for (unsigned i = 0; i < 512; i++)
                page[i] = i < 3 ? descs[i] : 0;
            rc = mm_update_va_mapping((unsigned long)page, mm_pte(mfn, MM_RO_FLAGS), UVMF_INVLPG);
            test_check(rc == 0, "map it read-only: rc=%ld", rc);
            rc = pv_set_gdt(frames, 3);
            if (test_check(rc == 0, "set_gdt(code and data, DPL 3): rc=%ld", rc)) {
                bp_cs_set = 0x10;           /* entry 2, RPL 0: the kernel */
                bp_ss_set = 0x08;           /* entry 1 */
                __asm__ volatile("int3\n mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss) : : "memory");
                bp_cs_set = bp_ss_set = 0;
                test_check(cs == 0x13 && ss == 0x0b, "iret to the kernel with selectors of its GDT: cs %#lx ss %#lx "
                           "(RPL 3 forced)", cs, ss);
                __asm__ volatile("mov %%cs, %0\n mov %%ss, %1" : "=r"(cs), "=r"(ss));
                test_check(cs == FLAT_KERNEL_CS && ss == FLAT_KERNEL_SS,
                           "a hypercall returns with the flat selectors again: cs %#lx ss %#lx", cs, ss);
                rc = pv_set_gdt(frames, 0);
                test_check(rc == 0, "set_gdt(0 entries): rc=%ld", rc);
            }
            mm_scratch_unmap();
        }
    }
    /* An RPL-0 user SS and a kernel-RPL CS in the slots: RPL 3 is forced. */
    u_cs = u_ss = 0;
    enter_user(uva(u_nop), U_STACK_TOP, 0x202, CS_JUNK | FLAT_USER_CS, SS_JUNK | (FLAT_USER_SS & ~3ul), 0);
    pv_events_mask();
    test_check(u_cs == FLAT_USER_CS && u_ss == FLAT_USER_SS, "iret to user mode with SS RPL 0: cs %#lx ss %#lx",
               u_cs, u_ss);
}

void test_main(start_info_t *si)
{
    long rc;

    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    for (unsigned v = 0; v < 32; v++)
        pv_set_handler(v, h_record);
    pv_set_handler(PV_VEC_SYSCALL, h_syscall);
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    rc = pv_register_callbacks();
    test_check(rc == 0, "set_callbacks: rc=%ld", rc);
    rc = pv_stack_switch(FLAT_KERNEL_SS, (unsigned long)kstack + sizeof(kstack));
    test_check(rc == 0, "stack_switch: rc=%ld", rc);
    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "stop the periodic timer: rc=%ld", rc);
    pv_events_mask();
    if (!build_user_tables())
        test_finish();

    test_set_iopl_args();
    test_irq_subops();
    test_kernel_at_each_iopl();
    test_widths_and_denied_ports();
    test_string_io();
    test_user_at_each_iopl();
    test_iobitmap();
    test_architectural_iopl();
    test_iret_junk();
}
