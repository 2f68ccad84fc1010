/* Guest user mode: a second L4 that maps only a small user process (code
 * read-only, stack and data writable, all user-accessible; the kernel is not
 * mapped there: on every entry from user mode the hypervisor switches back to
 * the kernel's L4), installed with MMUEXT_NEW_USER_BASEPTR; the kernel stack
 * for entries from user mode set with stack_switch; HYPERVISOR_iret with an
 * RPL-3 CS to enter user mode.  The process makes syscalls (the syscall
 * callback's frame; return with and without VGCF_in_syscall), takes page
 * faults (user bit, CR2), #GP, #UD, #BP, int $0x80, an event upcall while in
 * user mode, reads FS and GS (set_segment_base: SEGBASE_FS, GS_USER,
 * GS_KERNEL, GS_USER_SEL; the emulated FS/GS/shadow-GS MSRs), and uses the
 * FPU lazily: the kernel sets TS with fpu_taskswitch(1) and swaps the FPU
 * state between kernel and process in its #NM handler. */
#include "pv.h"

#define EINVAL 22

#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_SHADOW_GS_BASE 0xc0000102u

/* The process's address space (one L1 at 0x400000). */
#define U_CODE       0x400000ul
#define U_STACK_LO   0x402000ul
#define U_STACK_TOP  0x404000ul
#define U_DATA       0x405000ul
#define U_UNMAPPED   0x500000ul

#define KPAT 0x1111222233334444ul
#define UPAT 0x5555666677778888ul

/* ---- the user process ------------------------------------------------------------------
 *
 * Position independent, one page.  Each instruction meant to fault is
 * preceded by `mov $len, %r15d` so the kernel knows how far to skip it.
 * Syscall numbers: 1-3 register checks, 4 change DPLs (0x80: 1, #BP: 0), 10
 * segment report, 20/21 FPU reports, 30/31 event upcall, 99 exit.
 */
#define UFAULT(insn) "mov $(2f - 1f), %r15d\n1: " insn "\n2:\n"

__asm__(".pushsection .text.user_page, \"ax\"\n"
        ".balign 4096\n"
        ".globl user_page_start\n"
        "user_page_start:\n"
        ".globl user_main\n"
        "user_main:\n"
        /* 1: arguments arrive in the syscall frame; rbx survives */
        "  mov $1, %eax\n mov $0x1111, %edi\n mov $0x2222, %esi\n mov $0x3333, %edx\n"
        "  mov $0x4444, %r10d\n mov $0x5555, %r8d\n mov $0x6666, %r9d\n mov $0xabcd, %ebx\n"
        "  syscall\n"
        "u_after1:\n"
        /* 2: report rax/rcx/r11 after a VGCF_in_syscall return, and rbx */
        "  mov %rax, %rdi\n mov %rcx, %rsi\n mov %r11, %rdx\n mov %rbx, %r8\n"
        "  lea u_after1(%rip), %r10\n"
        "  mov $2, %eax\n"
        "  syscall\n"
        /* 3: report rax/rcx/r11 after a plain iret return */
        "  mov %rax, %rdi\n mov %rcx, %rsi\n mov %r11, %rdx\n"
        "  mov $3, %eax\n"
        "  syscall\n"
        /* faults: read unmapped, write the read-only code page, read the kernel */
        "  mov $0x500000, %ecx\n"
        UFAULT("mov (%rcx), %rax")
        "  lea user_main(%rip), %rcx\n"
        UFAULT("movb $0, (%rcx)")
        "  mov $0xffffffff80000000, %rcx\n"
        UFAULT("mov (%rcx), %rax")
        UFAULT("cli")
        UFAULT("ud2")
        UFAULT("int3")
        UFAULT("int $0x80")
        UFAULT("int $0x81")
        /* 4: the kernel makes int $0x80's entry DPL 1 (kernel only), #BP's DPL 0 */
        "  mov $4, %eax\n syscall\n"
        UFAULT("int $0x80")
        UFAULT("int3")
        /* 10: segments */
        "  mov %fs:0, %rdi\n mov %gs:0, %rsi\n xor %edx, %edx\n mov %gs, %dx\n"
        "  mov $10, %eax\n syscall\n"
        /* 20/21: FPU (the first SSE use takes #NM) */
        "  mov $0, %r15d\n"
        "  movq %xmm0, %rdi\n"
        "  mov $20, %eax\n syscall\n"
        "  movq %xmm0, %rdi\n"
        "  mov $21, %eax\n syscall\n"
        /* 30/31: spin until the upcall handler has set the flag in the
         * data page (at most the TSC cycles of the data page: a hypervisor
         * that never delivers the upcall fails the checks, it does not hang) */
        "  mov $30, %eax\n syscall\n"
        ".globl u_after30\n"
        "u_after30:\n"
        "  mov $0x405010, %ecx\n mov (%rcx), %r12\n"
        "  rdtsc\n shl $32, %rdx\n or %rax, %rdx\n mov %rdx, %r13\n add %r12, %r13\n"
        "3: cmpq $0, 0x405018\n jne 4f\n"
        "  rdtsc\n shl $32, %rdx\n or %rax, %rdx\n cmp %r13, %rdx\n jb 3b\n"
        "4:\n"
        ".globl u_before31\n"
        "u_before31:\n"
        "  mov $31, %eax\n syscall\n"
        /* 99: exit */
        "  mov $99, %eax\n syscall\n"
        "  ud2\n"
        /* A second, short process: one syscall, then exit. */
        ".globl user_short\n"
        "user_short:\n"
        "  mov $50, %eax\n syscall\n"
        "  mov $99, %eax\n syscall\n"
        "  ud2\n"
        ".balign 4096\n"
        ".popsection\n");
extern char user_page_start[], user_main[], user_short[], u_after30[], u_before31[];

/* User stack and data pages (their frames are mapped into the user L4). */
static unsigned char user_stack[2][4096] __attribute__((aligned(4096)));
static unsigned long user_data[512] __attribute__((aligned(4096)));
/* Kernel stack for entries from user mode. */
static unsigned char kstack[16384] __attribute__((aligned(16)));
/* What the kernel's GS base points at. */
static unsigned long kgs[2] = { 0x6b65726e656c3a30ul, 0x6b65726e656c3a31ul };

static unsigned long user_va(void *sym)
{
    return U_CODE + ((unsigned long)sym - (unsigned long)user_page_start);
}

/* ---- entering and leaving user mode ----------------------------------------------------- */

/* enter_user(rip, rsp): save the kernel's callee-saved state, HYPERVISOR_iret
 * to user mode; returns (with the value given to leave_user) when the process
 * exits through syscall 99. */
__asm__(".pushsection .text\n"
        ".globl enter_user\n"
        "enter_user:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, saved_ksp(%rip)\n"
        "  push $0xe02b\n"          /* SS: FLAT_USER_SS */
        "  push %rsi\n"             /* RSP */
        "  push $0x202\n"           /* RFLAGS: IF */
        "  push $0xe033\n"          /* CS: FLAT_USER_CS, RPL 3 = to user mode */
        "  push %rdi\n"             /* RIP */
        "  push $0\n"               /* flags */
        "  jmp hypercall_page + 23 * 32\n"
        ".globl leave_user\n"
        "leave_user:\n"
        "  mov saved_ksp(%rip), %rsp\n"
        "  mov %rdi, %rax\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");
unsigned long enter_user(unsigned long rip, unsigned long rsp);
__attribute__((noreturn)) void leave_user(unsigned long value);
unsigned long saved_ksp;

/* ---- what the kernel saw ----------------------------------------------------------------- */

struct rec {
    unsigned long vec, nr, err, rip, cs, rflags, rsp, ss, rcx, r11;
    unsigned long rdi, rsi, rdx, r10, r8, r9, rbx, cr2, mask, handler_sp;
    unsigned long extra[4];
};
#define MAX_REC 64
static struct rec recs[MAX_REC];
static unsigned nrec;

static struct rec *record(struct pv_regs *r)
{
    struct rec *e = &recs[nrec < MAX_REC ? nrec++ : MAX_REC - 1];
    unsigned long sp;

    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    e->vec = r->vector;
    e->nr = r->rax;
    e->err = r->error;
    e->rip = r->rip;
    e->cs = r->cs;
    e->rflags = r->rflags;
    e->rsp = r->rsp;
    e->ss = r->ss;
    e->rcx = r->rcx;
    e->r11 = r->r11;
    e->rdi = r->rdi;
    e->rsi = r->rsi;
    e->rdx = r->rdx;
    e->r10 = r->r10;
    e->r8 = r->r8;
    e->r9 = r->r9;
    e->rbx = r->rbx;
    e->cr2 = pv_vcpu->arch.cr2;
    e->mask = pv_vcpu->evtchn_upcall_mask;
    e->handler_sp = sp;
    return e;
}

static inline unsigned long rdmsr(unsigned msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((unsigned long)hi << 32) | lo;
}
static inline void wrmsr(unsigned msr, unsigned long v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline unsigned long gs0(void)
{
    unsigned long v;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

/* FPU areas: the kernel's and the process's (FXSAVE images, xmm0 at +160). */
static unsigned char kfx[512] __attribute__((aligned(16)));
static unsigned char ufx[512] __attribute__((aligned(16)));
static unsigned long nm_from_user, nm_nested;
static unsigned timer_port;
static unsigned long timer_cycles;

static unsigned long xmm0(void)
{
    unsigned long v;
    __asm__ volatile("movq %%xmm0, %0" : "=r"(v));
    return v;
}
static void set_xmm0(unsigned long v)
{
    __asm__ volatile("movq %0, %%xmm0" : : "r"(v));
}
static unsigned long fx_xmm0(const unsigned char *fx)
{
    return *(const unsigned long *)(fx + 160);
}

static void h_syscall(struct pv_regs *r)
{
    struct rec *e = record(r);
    static unsigned char tmp[512] __attribute__((aligned(16)));

    switch (r->rax) {
    case 1:
        r->rax = 0x1234;
        r->iret_flags = VGCF_in_syscall;
        break;
    case 2:
        r->rax = 0x5678;
        r->rcx = 0x7777;
        r->r11 = 0x8888;
        break;
    case 4:
        pv_trap_set(0x80, 1, 0);
        pv_trap_set(3, 0, 0);
        pv_trap_load();
        r->iret_flags = VGCF_in_syscall;
        break;
    case 10:
        e->extra[0] = gs0();
        e->extra[1] = rdmsr(MSR_GS_BASE);
        e->extra[2] = rdmsr(MSR_SHADOW_GS_BASE);
        e->extra[3] = rdmsr(MSR_FS_BASE);
        r->iret_flags = VGCF_in_syscall;
        break;
    case 20:
        /* Kernel code wants its own FPU state: swap, look, swap back. */
        __asm__ volatile("fxsave %0\n\tfxrstor %1" : "=m"(tmp) : "m"(kfx));
        e->extra[0] = xmm0();
        __asm__ volatile("fxrstor %0" : : "m"(tmp));
        r->iret_flags = VGCF_in_syscall;
        break;
    case 30:
        /* Events stay masked from here to the iret, which unmasks them (the
         * frame's IF) as it enters user mode: the timer's upcall cannot come
         * while the kernel still runs, however late this vCPU gets to run.
         * It comes either at once on the iret's way back to user mode (the
         * frame then returns to the instruction after the syscall) or while
         * the process spins; both are upcalls from user mode. */
        pv_events_mask();
        pv_set_timer_op(pv_now() + 2000000);
        r->iret_flags = VGCF_in_syscall;
        break;
    case 99:
        leave_user(nrec);
    default:
        r->iret_flags = VGCF_in_syscall;
        break;
    }
}

static void h_exception(struct pv_regs *r)
{
    int trap = r->vector == 3 || r->vector >= 32;

    if ((r->cs & 3) != 3) {
        /* Only the process is meant to fault. */
        pv_dump_regs("exception in kernel mode", r);
        test_check(0, "unexpected vector %lu in the kernel at %#lx", r->vector, r->rip);
        test_finish();
    }
    record(r);
    if (!trap)
        r->rip += r->r15;
}

static void h_nm(struct pv_regs *r)
{
    struct rec *e = record(r);
    unsigned long before = nrec;

    /* TS is already clear: save the kernel's state, load the process's. */
    __asm__ volatile("fxsave %0\n\tfxrstor %1" : "=m"(kfx) : "m"(ufx));
    nm_nested += nrec - before;
    e->extra[0] = fx_xmm0(kfx);
    if ((r->cs & 3) == 3)
        nm_from_user++;
}

static void h_upcall(struct pv_regs *r)
{
    struct rec *e = record(r);
    e->extra[0] = pv_evtchn_scan();
    *(volatile unsigned long *)&user_data[3] = 1;     /* the process stops spinning */
}

/* ---- building the user address space ------------------------------------------------------ */

static unsigned long user_l4;

static int build_user_tables(void)
{
    unsigned long l4 = mm_new_table(), l3 = mm_new_table(), l2 = mm_new_table(), l1 = mm_new_table();
    unsigned long code = mm_va_to_mfn((unsigned long)user_page_start);
    unsigned long st0 = mm_va_to_mfn((unsigned long)user_stack[0]);
    unsigned long st1 = mm_va_to_mfn((unsigned long)user_stack[1]);
    unsigned long data = mm_va_to_mfn((unsigned long)user_data);
    int ok = 1;
    long rc;

    if (!test_check(l4 != MM_INVALID && l3 != MM_INVALID && l2 != MM_INVALID && l1 != MM_INVALID,
                    "four zeroed frames for the user page tables"))
        return 0;
    test_check(code != MM_INVALID && st0 != MM_INVALID && data != MM_INVALID, "frames of the user pages");
    ok &= mm_set_entry(l4, mm_index(U_CODE, 4), mm_pte(l3, MM_TABLE_FLAGS));
    ok &= mm_set_entry(l3, mm_index(U_CODE, 3), mm_pte(l2, MM_TABLE_FLAGS));
    ok &= mm_set_entry(l2, mm_index(U_CODE, 2), mm_pte(l1, MM_TABLE_FLAGS));
    ok &= mm_set_entry(l1, mm_index(U_CODE, 1), mm_pte(code, MM_RO_FLAGS));
    ok &= mm_set_entry(l1, mm_index(U_STACK_LO, 1), mm_pte(st0, MM_RW_FLAGS));
    ok &= mm_set_entry(l1, mm_index(U_STACK_LO + 4096, 1), mm_pte(st1, MM_RW_FLAGS));
    ok &= mm_set_entry(l1, mm_index(U_DATA, 1), mm_pte(data, MM_RW_FLAGS));
    if (!test_check(ok, "user page tables filled"))
        return 0;

    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, data, 0);
    test_check(rc == -EINVAL, "NEW_USER_BASEPTR with a data frame: rc=%ld (want -EINVAL)", rc);
    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, l4, 0);
    test_check(rc == 0, "pin the user L4: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, l4, 0);
    if (!test_check(rc == 0, "MMUEXT_NEW_USER_BASEPTR: rc=%ld", rc))
        return 0;
    user_l4 = l4;
    return 1;
}

/* ---- checks ---------------------------------------------------------------------------------- */

static const struct rec *find(unsigned long vec, unsigned long nr, unsigned nth)
{
    for (unsigned i = 0; i < nrec; i++)
        if (recs[i].vec == vec && (vec != PV_VEC_SYSCALL || recs[i].nr == nr) && nth-- == 0)
            return &recs[i];
    return 0;
}

static int in_kstack(unsigned long sp)
{
    return sp > (unsigned long)kstack && sp <= (unsigned long)kstack + sizeof(kstack);
}

static void check_user_frame(const char *what, const struct rec *e)
{
    test_check((e->cs & 0xffff) == FLAT_USER_CS, "%s: frame CS %#lx is the user's (RPL 3)", what, e->cs & 0xffff);
    test_check(e->ss == FLAT_USER_SS, "%s: frame SS %#lx", what, e->ss);
    test_check(((e->cs >> 32) & 0xff) == 0 && (e->rflags & 0x200),
               "%s: saved mask 0 and IF set: events were on in user mode (cs %#lx, rflags %#lx)", what,
               e->cs, e->rflags);
    test_check(e->rsp >= U_STACK_LO && e->rsp <= U_STACK_TOP, "%s: frame RSP %#lx is the user stack", what,
               e->rsp);
    test_check(in_kstack(e->handler_sp), "%s: the handler ran on the stack_switch stack (%#lx)", what,
               e->handler_sp);
}

static void check_fault(const char *what, unsigned idx, unsigned long vec, unsigned long err)
{
    unsigned n = 0;
    const struct rec *e = 0;

    for (unsigned i = 0; i < nrec; i++)
        if (recs[i].vec < 256 && n++ == idx)
            e = &recs[i];
    if (!test_check(e != 0, "%s: seen", what))
        return;
    test_check(e->vec == vec, "%s: vector %lu (want %lu)", what, e->vec, vec);
    if (err != ~0ul)
        test_check(e->err == err, "%s: error code %#lx (want %#lx)", what, e->err, err);
    test_check(e->rip >= U_CODE && e->rip < U_CODE + 4096, "%s: RIP %#lx in the user code page", what, e->rip);
    check_user_frame(what, e);
}

static void check_main_run(void)
{
    const struct rec *e;
    unsigned long rip1;

    /* Syscall 1: the frame and the arguments. */
    e = find(PV_VEC_SYSCALL, 1, 0);
    if (!test_check(e != 0, "syscall 1 reached the syscall callback"))
        return;
    rip1 = e->rip;
    test_check(e == &recs[0], "the first thing the kernel saw was the syscall");
    test_check(e->rsp == U_STACK_TOP, "syscall: frame RSP %#lx is the iret's user RSP", e->rsp);
    test_check(e->rcx == e->rip, "syscall: the frame's RCX %#lx is the return RIP (the CPU's syscall)", e->rcx);
    test_check(e->r11 == e->rflags, "syscall: the frame's R11 %#lx is the user RFLAGS %#lx", e->r11, e->rflags);
    test_check(e->rdi == 0x1111 && e->rsi == 0x2222 && e->rdx == 0x3333 && e->r10 == 0x4444 &&
                   e->r8 == 0x5555 && e->r9 == 0x6666 && e->rbx == 0xabcd,
               "syscall: argument registers arrive unchanged");
    test_check(e->mask == 0, "syscall callback registered by set_callbacks: events stay enabled (mask %lu)", e->mask);
    check_user_frame("syscall 1", e);

    /* Syscall 2: what the process saw after a VGCF_in_syscall return. */
    e = find(PV_VEC_SYSCALL, 2, 0);
    if (test_check(e != 0, "syscall 2")) {
        test_check(e->rdi == 0x1234, "in_syscall return: RAX %#lx as set by the kernel", e->rdi);
        test_check(e->r10 == rip1, "the process's own view of the return address: %#lx", e->r10);
        test_check(e->rsi == rip1, "in_syscall return: RCX %#lx is the return RIP (sysret)", e->rsi);
        test_check((e->rdx & ~0x10000ul) == (recs[0].rflags & ~0x10000ul),
                   "in_syscall return: R11 %#lx holds RFLAGS", e->rdx);
        test_check(e->r8 == 0xabcd, "RBX survived the syscall");
    }
    e = find(PV_VEC_SYSCALL, 3, 0);
    if (test_check(e != 0, "syscall 3"))
        test_check(e->rdi == 0x5678 && e->rsi == 0x7777 && e->rdx == 0x8888,
                   "plain iret return: RAX %#lx, RCX %#lx, R11 %#lx from the frame", e->rdi, e->rsi, e->rdx);

    /* Exceptions from user mode, in order. */
    check_fault("#PF (user read, not present)", 0, 14, 4);
    {
        const struct rec *f = find(14, 0, 0);
        test_check(f && f->cr2 == U_UNMAPPED, "#PF: CR2 %#lx", f ? f->cr2 : 0);
    }
    check_fault("#PF (user write, read-only page)", 1, 14, 7);
    {
        const struct rec *f = find(14, 0, 1);
        test_check(f && f->cr2 == U_CODE, "#PF: CR2 %#lx is the code page", f ? f->cr2 : 0);
    }
    check_fault("#PF (user read of a kernel address, unmapped in the user L4)", 2, 14, 4);
    {
        const struct rec *f = find(14, 0, 2);
        test_check(f && f->cr2 == 0xffffffff80000000ul, "#PF: CR2 %#lx", f ? f->cr2 : 0);
    }
    check_fault("#GP (cli in user mode)", 3, 13, 0);
    check_fault("#UD (user)", 4, 6, ~0ul);
    check_fault("#BP (user int3)", 5, 3, ~0ul);
    check_fault("int $0x80 (DPL 3) from user mode", 6, 0x80, ~0ul);
    {
        unsigned n = 0;
        const struct rec *f = 0;
        for (unsigned i = 0; i < nrec; i++)
            if (recs[i].vec < 256 && n++ == 7)
                f = &recs[i];
        if (test_check(f != 0, "int $0x81 (DPL 0) from user mode: seen")) {
            test_check(f->vec == 13, "int $0x81 (DPL 0) from user mode: #GP (vector %lu)", f->vec);
            test_check(f->err == 0x40a || (!guest_on_xenolith() && f->err == 0x812),
                       "int $0x81 from user: error %#lx (0x40a; 0x812 is QEMU TCG's code on Xen)", f->err);
            check_user_frame("int $0x81 from user", f);
        }
        f = 0;
        n = 0;
        for (unsigned i = 0; i < nrec; i++)
            if (recs[i].vec < 256 && n++ == 8)
                f = &recs[i];
        if (test_check(f != 0, "int $0x80 (DPL 1) from user mode: seen")) {
            if (guest_on_xenolith()) {
                test_check(f->vec == 13 && f->err == 0x402, "int $0x80 (DPL 1) from user: #GP(0x402) (vector %lu error %#lx)",
                           f->vec, f->err);
            } else {
                test_note("int $0x80 (DPL 1) from user mode on Xen: vector %lu error %#lx", f->vec, f->err);
                test_check(f->vec == 0x80, "Xen's int $0x80 path delivers it whatever the DPL (vector %lu)", f->vec);
            }
            check_user_frame("int $0x80 (DPL 1) from user", f);
        }
        /* Like in kernel mode, int3 is delivered as #BP whatever the entry's DPL. */
        check_fault("#BP (user int3, entry DPL 0)", 9, 3, ~0ul);
    }

    /* Segments as seen from user mode and, in syscall 10, from the kernel. */
    e = find(PV_VEC_SYSCALL, 10, 0);
    if (test_check(e != 0, "syscall 10")) {
        test_check(e->rdi == user_data[0], "user %%fs:0 reads the FS base's data (%#lx)", e->rdi);
        test_check(e->rsi == user_data[1], "user %%gs:0 reads the user GS base's data (%#lx)", e->rsi);
        test_check(e->rdx == 0xe02b, "user %%gs selector %#lx (SEGBASE_GS_USER_SEL)", e->rdx);
        test_check(e->extra[0] == kgs[0], "in the kernel %%gs:0 is the kernel GS base's data (%#lx)", e->extra[0]);
        test_check(e->extra[1] == (unsigned long)&kgs[0], "kernel rdmsr(GS_BASE) %#lx", e->extra[1]);
        test_check(e->extra[2] == U_DATA + 8, "kernel rdmsr(SHADOW_GS_BASE) %#lx is the user GS base", e->extra[2]);
        test_check(e->extra[3] == U_DATA, "kernel rdmsr(FS_BASE) %#lx: FS is not switched", e->extra[3]);
    }

    /* Lazy FPU. */
    test_check(nm_from_user == 1, "one #NM from user mode (%lu)", nm_from_user);
    test_check(nm_nested == 0, "no #NM inside the #NM handler: TS was cleared on delivery");
    e = find(7, 0, 0);
    if (test_check(e != 0, "#NM recorded")) {
        test_check((e->cs & 0xffff) == FLAT_USER_CS, "#NM frame CS %#lx (user)", e->cs & 0xffff);
        test_check(e->extra[0] == KPAT, "the kernel's xmm0 was saved by the #NM handler (%#lx)", e->extra[0]);
    }
    e = find(PV_VEC_SYSCALL, 20, 0);
    if (test_check(e != 0, "syscall 20")) {
        test_check(e->rdi == UPAT, "the process sees its own xmm0 %#lx", e->rdi);
        test_check(e->extra[0] == KPAT, "the kernel gets its own xmm0 back %#lx", e->extra[0]);
    }
    e = find(PV_VEC_SYSCALL, 21, 0);
    if (test_check(e != 0, "syscall 21"))
        test_check(e->rdi == UPAT, "the process's xmm0 after the syscall: %#lx", e->rdi);

    /* The upcall that interrupted user mode: the timer armed by syscall 30
     * with events masked until the iret to user mode, so it comes from user
     * mode, either at the iret's return (RIP at u_after30) or during the spin
     * that ends only once the handler has run. */
    e = find(PV_VEC_UPCALL, 0, 0);
    if (test_check(e != 0, "an event upcall while the process ran")) {
        const struct rec *s30 = find(PV_VEC_SYSCALL, 30, 0), *s31 = find(PV_VEC_SYSCALL, 31, 0);
        unsigned long lo = user_va(u_after30), hi = user_va(u_before31);

        check_user_frame("upcall from user mode", e);
        test_check(e->rip >= lo && e->rip < hi,
                   "upcall: RIP %#lx between the return from syscall 30 (%#lx) and syscall 31 (%#lx)%s", e->rip,
                   lo, hi, e->rip == lo ? ": delivered on the iret to user mode" : ": interrupted the spin");
        test_check(s30 && e->rsp == s30->rsp, "upcall: frame RSP %#lx is the process's (%#lx)", e->rsp,
                   s30 ? s30->rsp : 0);
        test_check(e->mask == 1, "upcall: events masked on entry");
        test_check(e->extra[0] >= 1, "upcall: the timer port was pending");
        test_check(s30 && s31 && e > s30 && e < s31 && find(PV_VEC_UPCALL, 0, 1) == 0,
                   "upcall: exactly one, between syscalls 30 and 31");
    }
}

static void test_segments_kernel(void)
{
    long rc;

    rc = pv_set_segment_base(SEGBASE_GS_USER_SEL, 0xe02b);
    test_check(rc == 0, "SEGBASE_GS_USER_SEL 0xe02b: rc=%ld", rc);
    rc = pv_set_segment_base(SEGBASE_FS, U_DATA);
    test_check(rc == 0 && rdmsr(MSR_FS_BASE) == U_DATA, "SEGBASE_FS: rc=%ld, rdmsr %#lx", rc, rdmsr(MSR_FS_BASE));
    rc = pv_set_segment_base(SEGBASE_GS_USER, U_DATA + 8);
    test_check(rc == 0 && rdmsr(MSR_SHADOW_GS_BASE) == U_DATA + 8, "SEGBASE_GS_USER: rc=%ld, rdmsr(SHADOW_GS) %#lx",
               rc, rdmsr(MSR_SHADOW_GS_BASE));
    rc = pv_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&kgs[1]);
    test_check(rc == 0 && rdmsr(MSR_GS_BASE) == (unsigned long)&kgs[1] && gs0() == kgs[1],
               "SEGBASE_GS_KERNEL: rc=%ld, %%gs:0 %#lx", rc, gs0());
    wrmsr(MSR_GS_BASE, (unsigned long)&kgs[0]);
    test_check(gs0() == kgs[0] && rdmsr(MSR_GS_BASE) == (unsigned long)&kgs[0], "wrmsr(GS_BASE) moves %%gs (%#lx)",
               gs0());
    wrmsr(MSR_SHADOW_GS_BASE, U_DATA + 16);
    test_check(rdmsr(MSR_SHADOW_GS_BASE) == U_DATA + 16 && gs0() == kgs[0],
               "wrmsr(SHADOW_GS_BASE) sets the user GS base only");
    wrmsr(MSR_SHADOW_GS_BASE, U_DATA + 8);
    wrmsr(MSR_FS_BASE, U_DATA + 24);
    test_check(rdmsr(MSR_FS_BASE) == U_DATA + 24, "wrmsr(FS_BASE)");
    wrmsr(MSR_FS_BASE, U_DATA);

    rc = pv_set_segment_base(4, 0);
    test_check(rc == -EINVAL, "set_segment_base(4): rc=%ld (want -EINVAL)", rc);
    rc = pv_set_segment_base(SEGBASE_FS, 0x8000000000000000ul);
    test_check(rc == -EINVAL && rdmsr(MSR_FS_BASE) == U_DATA, "SEGBASE_FS non-canonical: rc=%ld (want -EINVAL)", rc);
    rc = pv_set_segment_base(SEGBASE_GS_KERNEL, 0x8000000000000000ul);
    test_check(rc == -EINVAL, "SEGBASE_GS_KERNEL non-canonical: rc=%ld (want -EINVAL)", rc);
    {
        unsigned short sel;
        __asm__ volatile("mov %%gs, %0" : "=r"(sel));
        test_check(sel == 0xe02b, "the %%gs selector (shared by both modes) is %#x", sel);
    }
}

void test_main(start_info_t *si)
{
    unsigned long n;
    long rc;

    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    for (unsigned v = 0; v < 32; v++)
        pv_set_handler(v, h_exception);
    pv_set_handler(7, h_nm);
    pv_set_handler(0x80, h_exception);
    pv_set_handler(0x81, h_exception);
    pv_set_handler(PV_VEC_SYSCALL, h_syscall);
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    pv_traps_default();
    pv_trap_set(0x80, 3, 0);
    pv_trap_set(0x81, 0, 0);
    test_check(pv_trap_load() == 0, "set_trap_table");
    rc = pv_register_callbacks();
    test_check(rc == 0, "set_callbacks(event, failsafe, syscall): rc=%ld", rc);
    rc = pv_stack_switch(FLAT_KERNEL_SS, (unsigned long)kstack + sizeof(kstack));
    test_check(rc == 0, "stack_switch(kernel stack for entries from user mode): rc=%ld", rc);
    /* Only the timer the process's step 30 arms may raise VIRQ_TIMER. */
    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "stop the periodic timer: rc=%ld", rc);
    rc = pv_bind_virq(VIRQ_TIMER, 0);
    test_check(rc > 0, "bind VIRQ_TIMER: port %ld", rc);
    timer_port = (unsigned)rc;

    if (!build_user_tables())
        test_finish();
    test_check(user_va(user_main) == U_CODE, "the user entry is at %#lx", user_va(user_main));

    user_data[0] = 0x66733a2075736572ul;
    user_data[1] = 0x67733a2075736572ul;
    {
        uint64_t t0 = pv_rdtsc(), n0 = pv_now();
        pv_spin_ns(2000000);
        timer_cycles = (pv_rdtsc() - t0) * 1000ul / (pv_now() - n0) * 2000000ul;   /* about 2 s */
        user_data[2] = timer_cycles;
    }
    test_segments_kernel();

    /* Lazy FPU: the process's image holds UPAT in xmm0, the kernel's own xmm0 is KPAT. */
    set_xmm0(UPAT);
    __asm__ volatile("fxsave %0" : "=m"(ufx));
    set_xmm0(KPAT);
    rc = pv_fpu_taskswitch(1);
    test_check(rc == 0, "fpu_taskswitch(1) before entering user mode");

    n = enter_user(U_CODE, U_STACK_TOP);
    pv_events_mask();
    test_check(1, "back in the kernel after the process exited (%lu records)", n);
    for (unsigned i = 0; i < nrec; i++)
        test_note("record %u: vec %lu nr %lu err %#lx rip %#lx cs %#lx rsp %#lx", i, recs[i].vec, recs[i].nr,
                  recs[i].err, recs[i].rip, recs[i].cs, recs[i].rsp);
    check_main_run();
    test_check(xmm0() == UPAT, "after the exit the FPU holds the process's state (one FPU per vCPU): %#lx",
               xmm0());

    /* The syscall callback with CALLBACKF_mask_events. */
    {
        struct callback_register reg = { .type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
                                         .address = (unsigned long)pv_syscall_entry };
        const struct rec *e;

        rc = pv_callback_op(CALLBACKOP_register, &reg);
        test_check(rc == 0, "CALLBACKOP_register(syscall, mask_events): rc=%ld", rc);
        nrec = 0;
        enter_user(user_va(user_short), U_STACK_TOP);
        pv_events_mask();
        e = find(PV_VEC_SYSCALL, 50, 0);
        if (test_check(e != 0, "the second process's syscall")) {
            test_check(e->mask == 1, "syscall callback with mask_events: events masked on entry");
            test_check(((e->cs >> 32) & 0xff) == 0, "... the frame saved mask 0");
            check_user_frame("syscall (mask_events)", e);
        }
    }

    rc = mm_ext1(MMUEXT_NEW_USER_BASEPTR, 0, 0);
    test_check(rc == 0, "NEW_USER_BASEPTR 0 drops the user page tables: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, user_l4, 0);
    test_check(rc == 0, "unpin the user L4: rc=%ld", rc);
}
