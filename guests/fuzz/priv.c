/*
 * Instruction steps: instead of a hypercall, a share of the loop's steps
 * (FZ_PRIV_SHARE of 256) runs one privileged or emulated instruction from
 * guest kernel mode with random operands, under an exception catcher.
 *
 * The instruction is assembled into fz_px_code (the image is one RWX
 * segment) and followed by a jmp to fz_px_back; fz_px_run loads every general
 * register but RSP from fz_px_r, jumps to it, and stores them back.  A fault
 * or software interrupt taken while it runs is caught by fz_px_catch (called
 * from exec.c's handler): the vector, error code, RIP and CR2 are recorded and
 * the guest resumes at fz_px_back.
 *
 * Kinds: rdmsr/wrmsr (a dictionary of MSRs and random numbers, boundary
 * values), CR moves and clts, xgetbv/xsetbv, rdtsc/rdtscp (also under
 * CR4.TSD), forced-emulation and plain cpuid, in/out/ins/outs with the
 * virtual IOPL 0 and no I/O bitmap (each must be #GP), cli/sti/hlt/int n/int3/
 * int1, writes to a pinned L1 through a read-only mapping (writable page
 * tables, checked against mmu_update of the same value into a twin L1), and
 * linear page-table entries at L4/L3/L2 put in and taken out by mmu_update.
 *
 * Guest state put back after each step (the guest's own state, which these
 * instructions may legitimately change, not the hypervisor's): FS_BASE,
 * GS_BASE and SHADOW_GS_BASE (to what they read before), MISC_FEATURES_ENABLES
 * (0: CPUID faulting for user mode), CR0.TS (clts), CR4 (TSD would make the
 * guest's own time reads trap, DE/FSGSBASE/OSXSAVE change its view), XCR0
 * (its extended state), the virtual IOPL and I/O bitmap (0 and none: the
 * guest runs as dom0 with real port access, random port writes would drive
 * QEMU's hardware), CR3 (only the current L4 or frames that can never be an
 * L4 of ours are written: any other frame of ours that validates as an L4
 * would take away the kernel's mappings), and the hypercall-page MSR is only
 * written with pool frames or frames that are not ours (it writes the page).
 */
#include "fuzz.h"

struct px_regs { uint64_t r[16]; };   /* rax rcx rdx rbx (rsp) rbp rsi rdi r8..r15 */
struct px_regs fz_px_r;
struct px_regs *fz_px_ctx;
unsigned char fz_px_code[96] __attribute__((aligned(64)));
volatile int fz_px_armed;
static volatile unsigned long px_caught, px_vec, px_err, px_rip, px_cr2;
char fz_px_desc[512];
unsigned long fz_px_steps, fz_px_faults;
unsigned fz_px_kinds = 0xffff;
unsigned fz_px_share = FZ_PRIV_SHARE;
static unsigned long n_iret, n_iret_fault;
static unsigned long n_ptwr_ok, n_ptwr_pf, n_lin_ok, n_lin_no, n_vec[32];
extern char fz_px_back[];
void fz_px_run(struct px_regs *r);

/* The steps draw from their own stream (seeded from the seed): the hypercalls
 * of a seed are the same ones, in the same order, as without them. */
static uint64_t px_state, px_main_state;
static void enter(void) { px_main_state = fz_state; fz_state = px_state; }
static void leave(void) { px_state = fz_state; fz_state = px_main_state; }

int fz_px_turn(void)
{
    enter();
    int r = fz_chance(fz_px_share);
    leave();
    return r;
}

#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSI 6
#define RDI 7

__asm__(".pushsection .text\n"
        ".globl fz_px_run\n"
        "fz_px_run:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rdi, fz_px_ctx(%rip)\n"
        "  mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
        "  mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n"
        "  mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n"
        "  mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
        "  mov 56(%rdi), %rdi\n"
        "  movl $1, fz_px_armed(%rip)\n"
        "  jmp fz_px_code\n"
        ".globl fz_px_back\n"
        "fz_px_back:\n"
        "  movl $0, fz_px_armed(%rip)\n"
        "  push %rdi\n"
        "  mov fz_px_ctx(%rip), %rdi\n"
        "  mov %rax, 0(%rdi)\n mov %rcx, 8(%rdi)\n mov %rdx, 16(%rdi)\n mov %rbx, 24(%rdi)\n"
        "  mov %rbp, 40(%rdi)\n mov %rsi, 48(%rdi)\n"
        "  mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n"
        "  mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
        "  popq 56(%rdi)\n"
        "  cld\n"
        "  pushfq\n andq $~0x44500, (%rsp)\n popfq\n"      /* TF, DF, NT, AC */
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");

static unsigned long px_iret_rip = 1, px_last_step;
int fz_px_catch(struct pv_regs *r)
{
    if (!fz_px_armed || (r->cs & 3) != 0 || r->vector >= 256)
        return 0;
    if (!(r->rip >= (unsigned long)fz_px_code && r->rip < (unsigned long)fz_px_code + sizeof(fz_px_code)) &&
        r->rip != (unsigned long)fz_px_back && r->rip != px_iret_rip)
        return 0;           /* not the step's instruction, nor where its iret frame leads */
    px_caught++;
    px_vec = r->vector;
    px_err = r->error;
    px_rip = r->rip;
    px_cr2 = pv_vcpu ? pv_vcpu->arch.cr2 : 0;
    fz_px_armed = 0;
    r->rip = (unsigned long)fz_px_back;
    /* back on the kernel's own selectors (an iret step may have left junk) */
    r->cs = (r->cs & ~0xffffUL) | (FLAT_KERNEL_CS & ~3UL);
    r->ss = FLAT_KERNEL_SS;
    r->rflags &= ~0x40500UL;
    return 1;
}

/* ---- assembling and running one instruction ---------------------------------------------- */

static unsigned px_len;
static void emit(unsigned b) { fz_px_code[px_len++] = (unsigned char)b; }
static void emit_n(uint64_t v, unsigned n) { for (unsigned i = 0; i < n; i++) emit((unsigned)(v >> (8 * i))); }

/* Run the assembled bytes; returns 1 if an exception was caught. */
static int run(void)
{
    unsigned long before = px_caught;
    long rel = (long)fz_px_back - (long)(fz_px_code + px_len + 5);
    unsigned n = px_len;
    emit(0xe9);
    emit_n((uint64_t)rel, 4);
    int k = snformat(fz_px_desc, sizeof(fz_px_desc), "bytes");
    for (unsigned i = 0; i < n && k < 120; i++)
        k += snformat(fz_px_desc + k, sizeof(fz_px_desc) - (size_t)k, " %02x", fz_px_code[i]);
    snformat(fz_px_desc + k, sizeof(fz_px_desc) - (size_t)k, " rax %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx",
             fz_px_r.r[RAX], fz_px_r.r[RCX], fz_px_r.r[RDX], fz_px_r.r[RSI], fz_px_r.r[RDI]);
    if (fz_index >= fz_trace_from)
        printk("step #%lu: %s\n", fz_index, fz_px_desc);
    px_last_step = fz_index;
    fz_px_run(&fz_px_r);
    px_len = 0;
    if (px_caught != before) {
        fz_px_faults++;
        n_vec[px_vec & 31]++;
        if (fz_index >= fz_trace_from)
            printk("  -> vector %lu error %#lx cr2 %#lx\n", px_vec, px_err, px_cr2);
        return 1;
    }
    return 0;
}

static void clear_regs(void)
{
    for (int i = 0; i < 16; i++)
        fz_px_r.r[i] = fz_rand();
    px_len = 0;
}

/* rdmsr/wrmsr of one MSR with fixed operands (for saving and restoring) */
static int rdmsr1(uint32_t msr, uint64_t *v)
{
    clear_regs();
    fz_px_r.r[RCX] = msr;
    emit(0x0f); emit(0x32);
    int f = run();
    *v = (fz_px_r.r[RDX] << 32) | (uint32_t)fz_px_r.r[RAX];
    return f;
}

static int wrmsr1(uint32_t msr, uint64_t v)
{
    clear_regs();
    fz_px_r.r[RCX] = msr;
    fz_px_r.r[RAX] = (uint32_t)v;
    fz_px_r.r[RDX] = v >> 32;
    emit(0x0f); emit(0x30);
    return run();
}

/* mov %crN -> rax / mov rax -> %crN */
static int read_cr(unsigned cr, uint64_t *v)
{
    clear_regs();
    if (cr & 8) emit(0x44);
    emit(0x0f); emit(0x20); emit(0xc0 | ((cr & 7) << 3));
    int f = run();
    *v = fz_px_r.r[RAX];
    return f;
}

static int write_cr(unsigned cr, uint64_t v)
{
    clear_regs();
    fz_px_r.r[RAX] = v;
    if (cr & 8) emit(0x44);
    emit(0x0f); emit(0x22); emit(0xc0 | ((cr & 7) << 3));
    return run();
}

/* ---- values ------------------------------------------------------------------------------ */

static uint64_t d_val(void)
{
    static const uint64_t v[] = {
        0, ~0UL, 1, 0x8000000000000000UL, 0x0000800000000000UL, 0xffff7fffffffffffUL, 0x00007fffffffffffUL,
        0xffff800000000000UL, 0xffffffff00000000UL, 0xffffffffUL, 0x80000000UL, 0x100000000UL,
        0xffffffff80000000UL, 0x7fffffffffffffffUL,
    };
    switch (fz_below(6)) {
    case 0: case 1: return FZ_PICK(v);
    case 2: return fz_rand() & 0xffffffffUL;
    case 3: return fz_rand() | 0xffffffff00000000UL;
    case 4: return 1UL << fz_below(64);
    default: return fz_rand();
    }
}

static const uint32_t msr_dict[] = {
    0x0, 0x1, 0x10, 0x17, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xc1, 0xce, 0xe7, 0xe8, 0xfe, 0x10a, 0x10b,
    0x140, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x17b, 0x186, 0x198, 0x199, 0x19a, 0x19c, 0x1a0, 0x1a2,
    0x1b0, 0x1d9, 0x1db, 0x1dc, 0x1dd, 0x1de, 0x200, 0x250, 0x277, 0x280, 0x29f, 0x2ff, 0x345, 0x38f,
    0x3f1, 0x400, 0x401, 0x402, 0x403, 0x47f, 0x480, 0x48d, 0x491, 0x4d0, 0x6e0, 0x802, 0x80b, 0x830,
    0x8ff, 0xda0, 0x40000000, 0x40000001, 0x40000100, 0x40000200, 0x400000ff, 0xc0000080, 0xc0000081,
    0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104,
    0xc0010000, 0xc0010004, 0xc0010007, 0xc0010010, 0xc0010015, 0xc0010058, 0xc0010114, 0xc0010117,
    0xc0010140, 0xc0011020, 0xc0011021, 0xc0011022, 0xc0011029, 0xc001102b, 0xffffffff,
};

static uint32_t d_msr(void)
{
    switch (fz_below(8)) {
    case 0: return 0x800 + (uint32_t)fz_below(0x100);                    /* x2APIC */
    case 1: return 0x40000000 + (uint32_t)fz_below(0x100);               /* hypervisor leaves */
    case 2: return 0xc0000080 + (uint32_t)fz_below(0x84);                /* EFER .. TSC_AUX */
    case 3: return 0x280 + (uint32_t)fz_below(0x20 + 0x200);             /* MCi_CTL2, MCi banks */
    case 4: return (uint32_t)fz_rand();
    default: return msr_dict[fz_below(sizeof(msr_dict) / sizeof(msr_dict[0]))];
    }
}

static int is_base_msr(uint32_t m) { return m >= 0xc0000100 && m <= 0xc0000102; }

static void step_msr(void)
{
    uint32_t msr = d_msr();
    uint64_t saved[3], v;

    if (fz_chance(100)) {
        clear_regs();
        fz_px_r.r[RCX] = fz_chance(32) ? (fz_rand() << 32) | msr : msr;   /* upper half ignored */
        emit(0x0f); emit(0x32);
        run();
        return;
    }
    int base = is_base_msr(msr);
    for (int i = 0; base && i < 3; i++)
        if (rdmsr1(0xc0000100 + (uint32_t)i, &saved[i]))
            fz_fail("rdmsr of base MSR %#x faulted (vector %lu)", 0xc0000100 + i, px_vec);
    v = d_val();
    if (fz_chance(64) && !rdmsr1(msr, &v) && fz_chance(128))
        v ^= 1UL << fz_below(64);      /* the value read, or one bit off */
    if ((msr == 0x40000000 || (uint32_t)msr == 0x40000000) && fz_owned(v >> 12)) {
        int pool = 0;
        for (int i = 0; i < POOL_FRAMES; i++)
            pool |= fz_mem.pool[i] == v >> 12;
        if (!pool)                      /* the hypercall page is written into the frame */
            v = (fz_mem.pool[fz_below(POOL_FRAMES)] << 12) | (fz_chance(200) ? 0 : v & 0xfff);
    }
    clear_regs();
    fz_px_r.r[RCX] = fz_chance(32) ? (fz_rand() << 32) | msr : msr;
    fz_px_r.r[RAX] = fz_chance(32) ? v : (uint32_t)v;   /* the upper halves must be ignored */
    fz_px_r.r[RDX] = fz_chance(32) ? fz_rand() : v >> 32;
    emit(0x0f); emit(0x30);
    run();
    /* the guest's own state back (only these MSRs keep a write that changes the guest) */
    for (int i = 0; base && i < 3; i++) {
        uint64_t now;
        if (wrmsr1(0xc0000100 + (uint32_t)i, saved[i]) || rdmsr1(0xc0000100 + (uint32_t)i, &now) || now != saved[i])
            fz_fail("restoring base MSR %#x to %#lx failed", 0xc0000100 + i, saved[i]);
    }
    if (msr == 0x140)
        wrmsr1(0x140, 0);
}

/* CR3 values that are the current L4 or can never validate as an L4 of ours:
 * the hypervisor's frames and frames beyond RAM (not frames given back: one
 * still referenced, as an L4 pinned or hooked somewhere, stays the domain's
 * and a CR3 load of it is as valid as in Xen, taking the kernel's mappings). */
static uint64_t d_cr3(void)
{
    uint64_t f;
    switch (fz_below(6)) {
    case 0: f = fz_mem.hv_mfn[fz_below(fz_mem.nr_hv_mfn)]; break;
    case 1: f = fz_mem.max_ram_page + fz_below(4096); break;
    case 2: f = fz_rand() >> 12; break;
    case 3: f = 0; break;
    default: f = fz_mem.cur_l4; break;
    }
    if (f < FZ_MAX_MFN && fz_owned(f) && f != fz_mem.cur_l4)
        f = fz_mem.cur_l4;
    if ((f & 0xfffffffffffUL) < FZ_MAX_MFN && fz_owned(f & 0xfffffffffffUL))
        f = fz_mem.cur_l4;
    if (f != fz_mem.cur_l4 && f <= fz_mem.max_ram_page && (f < fz_mem.hv_mfn[0] || f > fz_mem.hv_mfn[0] + 64))
        f = fz_mem.max_ram_page + 1 + (f & 0xfff);   /* never another frame of RAM */
    uint64_t v = f << 12;
    if (fz_chance(64)) v |= fz_rand() & 0xfff;              /* PCD/PWT, PCID bits */
    if (fz_chance(32)) v |= 1UL << 63;                      /* no-flush */
    if (fz_chance(16)) v |= (fz_rand() & 0x7ffUL) << 52;    /* reserved bits */
    /* v >> 12 must still be the same frame or not ours */
    if ((v >> 12) != fz_mem.cur_l4 && (v >> 12) < FZ_MAX_MFN && fz_owned(v >> 12))
        v = fz_mem.cur_l4 << 12;
    return v;
}

static void step_cr(void)
{
    uint64_t cr0 = 0, cr4 = 0, v;
    static const uint64_t crs[] = { 0, 0, 2, 3, 3, 4, 4, 4, 8, 1, 5, 6, 7, 9, 15 };
    unsigned cr = (unsigned)FZ_PICK(crs);
    int rd = fz_chance(80), f;

    if ((cr == 0 && read_cr(0, &cr0)) || read_cr(4, &cr4))
        fz_fail("reading CR0/CR4 faulted (vector %lu)", px_vec);
    if (fz_chance(24)) {
        clear_regs();
        emit(0x0f); emit(0x06);         /* clts */
        run();
        return;
    }
    clear_regs();
    unsigned reg = (unsigned)fz_below(16);
    if (reg == 4)
        reg = 0;                        /* not RSP */
    switch (cr) {
    case 0: v = fz_chance(128) ? cr0 ^ (1UL << fz_below(64)) : d_val(); break;
    case 3: v = d_cr3(); break;
    case 4: v = fz_chance(128) ? cr4 ^ (1UL << fz_below(32)) : d_val(); break;
    default: v = d_val(); break;
    }
    fz_px_r.r[reg] = v;
    unsigned rex = (reg & 8 ? 1 : 0) | (cr & 8 ? 4 : 0) | (fz_chance(32) ? 8 : 0);
    if (rex || fz_chance(16))
        emit(0x40 | rex);
    emit(0x0f); emit(rd ? 0x20 : 0x22); emit(0xc0 | ((cr & 7) << 3) | (reg & 7));
    f = run();
    if (fz_chance(48)) {                /* rdtsc/rdtscp with this CR4 (TSD perhaps) */
        clear_regs();
        emit(0x0f);
        if (fz_below(2)) { emit(0x01); emit(0xf9); } else emit(0x31);
        run();
    }
    (void)f;
    /* the guest's own state back: CR4 as it was, TS clear, CR3 the running L4 */
    if (rd)
        return;
    if (cr == 4) {
        if (write_cr(4, cr4))
            fz_fail("restoring CR4 %#lx faulted (vector %lu)", cr4, px_vec);
        if (read_cr(4, &v) || v != cr4)
            fz_fail("CR4 reads %#lx after restoring %#lx", v, cr4);
    }
    if (cr == 0) {
        clear_regs();
        emit(0x0f); emit(0x06);
        if (run())
            fz_fail("clts faulted (vector %lu)", px_vec);
    }
    if (cr == 3 && (read_cr(3, &v) || v != fz_mem.cur_l4 << 12))
        fz_fail("CR3 reads %#lx, not the running L4 %#lx", v, fz_mem.cur_l4 << 12);
}

static void step_xcr(void)
{
    uint32_t lo, hi;
    uint64_t xcr0 = 0;
    int have = 0;

    clear_regs();
    fz_px_r.r[RCX] = 0;
    emit(0x0f); emit(0x01); emit(0xd0);         /* xgetbv(0) */
    if (!run()) {
        have = 1;
        xcr0 = (fz_px_r.r[RDX] << 32) | (uint32_t)fz_px_r.r[RAX];
    }
    clear_regs();
    uint64_t idx = fz_chance(160) ? 0 : fz_chance(128) ? fz_below(4) : fz_rand();
    uint64_t v = fz_chance(128) ? xcr0 ^ (1UL << fz_below(64)) : d_val();
    if (fz_chance(48)) v = xcr0 & ~(uint64_t)fz_below(8);
    lo = (uint32_t)v;
    hi = (uint32_t)(v >> 32);
    fz_px_r.r[RCX] = idx;
    fz_px_r.r[RAX] = lo;
    fz_px_r.r[RDX] = hi;
    int set = !fz_chance(64);
    emit(0x0f); emit(0x01); emit(set ? 0xd1 : 0xd0);
    int f = run();
    if (set && !f && have) {   /* accepted (the guest's CR4.OSXSAVE set): XCR0 back */
        clear_regs();
        fz_px_r.r[RCX] = 0;
        fz_px_r.r[RAX] = (uint32_t)xcr0;
        fz_px_r.r[RDX] = xcr0 >> 32;
        emit(0x0f); emit(0x01); emit(0xd1);
        if (run())
            fz_fail("restoring XCR0 %#lx faulted (vector %lu)", xcr0, px_vec);
    }
}

static void step_cpuid(void)
{
    static const uint64_t leaves[] = { 0, 1, 2, 4, 6, 7, 0xb, 0xd, 0xf, 0x10, 0x14, 0x1f, 0x40000000,
                                       0x40000001, 0x40000002, 0x40000003, 0x40000004, 0x40000005, 0x40000100,
                                       0x80000000, 0x80000001, 0x80000007, 0x80000008, 0x8000001f, 0xffffffff };
    clear_regs();
    switch (fz_below(4)) {
    case 0: fz_px_r.r[RAX] = 0x40000000 + fz_below(0x100); break;
    case 1: fz_px_r.r[RAX] = fz_rand(); break;
    default: fz_px_r.r[RAX] = FZ_PICK(leaves) | (fz_chance(32) ? fz_rand() << 32 : 0); break;
    }
    fz_px_r.r[RCX] = fz_chance(128) ? fz_below(64) : fz_rand();
    if (fz_chance(200)) {
        emit(0x0f); emit(0x0b); emit('x'); emit('e'); emit('n');
    }
    emit(0x0f); emit(0xa2);
    run();
}

/* The virtual IOPL 0, no I/O bitmap and no VMASST_TYPE_architectural_iopl
 * (under which the kernel counts as ring 0, so IOPL 0 lets it reach ports):
 * every port instruction must be #GP. */
static void iopl0(void)
{
    if (mm_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl))
        fz_fail("VMASST_TYPE_architectural_iopl cannot be disabled");
    struct physdev_set_iopl io = { .iopl = 0 };
    struct physdev_set_iobitmap bm = { .nr_ports = 0 };
    if (pv_physdev_op(PHYSDEVOP_set_iopl, &io) || pv_physdev_op(PHYSDEVOP_set_iobitmap, &bm))
        fz_fail("PHYSDEVOP_set_iopl 0 / set_iobitmap none failed");
}

static void step_io(void)
{
    iopl0();
    clear_regs();
    int rep = 0;
    unsigned size = (unsigned)fz_below(3);   /* byte, word, dword */
    fz_px_r.r[RDX] = fz_chance(200) ? fz_below(0x10000) : fz_rand();
    fz_px_r.r[RAX] = fz_rand();
    fz_px_r.r[RCX] = fz_chance(200) ? 1 + fz_below(8) : fz_rand();
    fz_px_r.r[RSI] = fz_chance(200) ? (uint64_t)fz_sink + fz_below(FZ_SINK_SIZE - 64) : d_bad_ptr();
    fz_px_r.r[RDI] = fz_chance(200) ? (uint64_t)fz_sink + fz_below(FZ_SINK_SIZE - 64) : d_bad_ptr();
    if (size == 1)
        emit(0x66);
    unsigned form = (unsigned)fz_below(6);
    if (form >= 4 && fz_chance(128)) {
        emit(0xf3);
        rep = 1;
    }
    if (fz_chance(24))
        emit(0x40 | (unsigned)fz_below(16));    /* a REX prefix */
    unsigned w = size ? 1 : 0;
    switch (form) {
    case 0: emit(0xe4 | w); emit((unsigned)fz_rand()); break;  /* in imm8 */
    case 1: emit(0xe6 | w); emit((unsigned)fz_rand()); break;  /* out imm8 */
    case 2: emit(0xec | w); break;                             /* in dx */
    case 3: emit(0xee | w); break;                             /* out dx */
    case 4: emit(0x6c | w); break;                             /* ins */
    default: emit(0x6e | w); break;                            /* outs */
    }
    uint64_t rcx = fz_px_r.r[RCX];
    int f = run();
    if (rep && rcx == 0 && !f)
        return;                                     /* nothing to do, nothing checked */
    if (!f || px_vec != 13)
        fz_fail("port instruction with IOPL 0 and no bitmap: %s (vector %lu)", f ? "wrong fault" : "no fault",
                f ? px_vec : 0UL);
}

static void step_misc(void)
{
    uint8_t mask = pv_vcpu->evtchn_upcall_mask;
    clear_regs();
    switch (fz_below(8)) {
    case 0: emit(0xfa); break;                      /* cli */
    case 1: emit(0xfb); break;                      /* sti */
    case 2:                                         /* hlt, with a timer to wake it */
        if (!fz_timer_port_ok())
            return;
        pv_clear_bit(pv_shared->evtchn_pending, (unsigned)fz_timer_port);
        pv_evtchn_unmask((unsigned)fz_timer_port);
        pv_set_timer_op(pv_now() + 1000000);
        pv_vcpu->evtchn_upcall_mask = 0;
        emit(0xf4);
        break;
    case 3: emit(0xcc); break;                      /* int3 */
    case 4: emit(0xf1); break;                      /* int1 */
    case 5: emit(0xce); break;                      /* into: #UD in 64-bit mode */
    default: emit(0xcd); emit((unsigned)fz_rand()); break;   /* int n */
    }
    if (fz_chance(32)) {
        /* with the virtual IOPL raised: cli/sti/hlt only, never a port */
        struct physdev_set_iopl io = { .iopl = (uint32_t)fz_below(4) };
        pv_physdev_op(PHYSDEVOP_set_iopl, &io);
    }
    run();
    iopl0();
    pv_vcpu->evtchn_upcall_mask = mask;     /* cli/sti with a raised IOPL change it: the guest's own */
}

/* ---- physdev_op with structured arguments ----------------------------------------------
 * Sub-ops 0..32 (and junk numbers) with a buffer of small, meaningful words
 * (IRQs, PIRQs, domain ids, counts, boundaries); g_physdev (gen.c) sends
 * random bytes. The pirq_eoi_gmfn frame is a pool frame or not ours (the
 * hypervisor may write the page); set_iopl and set_iobitmap are put back to 0
 * and none afterwards (iopl0). */
static uint32_t px_pbuf[32] __attribute__((aligned(64)));

static uint32_t d_word(void)
{
    static const uint64_t w[] = { 0, 1, 2, 3, 4, 9, 15, 16, 23, 24, 207, 208, 255, 256, 1023, 1024, 0x7ff0, 0x7ff1,
                                  0x7ff2, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe };
    switch (fz_below(4)) {
    case 0: return (uint32_t)fz_rand();
    case 1: return (uint32_t)fz_below(300);
    default: return (uint32_t)FZ_PICK(w);
    }
}

static void step_physdev(void)
{
    uint32_t op = fz_chance(224) ? (uint32_t)fz_below(33) : (uint32_t)d_word();
    for (unsigned i = 0; i < 32; i++)
        px_pbuf[i] = d_word();
    if (op == PHYSDEVOP_set_iobitmap && fz_chance(128)) {
        uint64_t bm = (uint64_t)fz_sink + fz_below(FZ_SINK_SIZE);
        g_memcpy(px_pbuf, &bm, 8);
    }
    if (op == PHYSDEVOP_pirq_eoi_gmfn_v1 || op == PHYSDEVOP_pirq_eoi_gmfn_v2) {
        uint64_t f = fz_chance(128) ? fz_mem.pool[fz_below(POOL_FRAMES)] : fz_mem.max_ram_page + fz_below(1000);
        g_memcpy(px_pbuf, &f, 8);
    }
    void *arg = fz_chance(232) ? (void *)px_pbuf : (void *)d_bad_ptr();
    snformat(fz_px_desc, 256, "physdev_op %u arg %p: %#x %#x %#x %#x %#x %#x", op, arg, px_pbuf[0], px_pbuf[1],
             px_pbuf[2], px_pbuf[3], px_pbuf[4], px_pbuf[5]);
    if (fz_index >= fz_trace_from)
        printk("step #%lu: %s\n", fz_index, fz_px_desc);
    long rc = pv_physdev_op(op, arg);
    if (fz_index >= fz_trace_from)
        printk("  -> %ld\n", rc);
    iopl0();
}

/* ---- the iret hypercall with hostile frames back to kernel mode -------------------------
 * Only frames the domain must survive: RSP is always the running stack (a
 * fault at the exit with a junk kernel RSP has nowhere to be delivered, and
 * crashing the domain is then the ABI's answer); CS keeps RPL 0 (a return to
 * user mode is g_iret's business); RIP may be unmapped or in the
 * hypervisor's range (a #PF at that RIP) or non-canonical (the exit's iretq
 * refuses it: #GP(0) with that RIP in the frame); CS and SS may be junk selectors (with the
 * guest's GDT and LDT dropped first, so that no junk selector can name a code
 * segment of its own: only Xen's flat ones at 0xe000-0xe03f, never picked);
 * the upper bits of CS and SS, RFLAGS and the flags word are random. */
static uint64_t px_iframe[9];

static uint64_t junk_sel(void)
{
    uint64_t s = fz_below(0x10000) & ~3UL;
    if (s >= 0xe000 && s < 0xe040)
        s = 0;
    return s;                       /* RPL 0: kernel mode */
}

static void step_iret(void)
{
    static const uint64_t rfl[] = { 0x100, 0x400, 0x40000, 0x4000, 0x3000, 0x1000, 0x20000, 0x10000, 0x200000,
                                    0x800, 0x80, 0x1, 0x8000, 0x400000 };
    uint8_t mask = pv_vcpu->evtchn_upcall_mask;
    uint64_t rip = (uint64_t)fz_px_back;
    int bad_rip = 0, bad_sel = 0, noncanon = 0;

    switch (fz_below(10)) {
    case 0: rip = fz_guard_va + fz_below(4096); bad_rip = 1; break;
    case 1: rip = 0x00007fffffff0000UL + fz_below(0x10000); bad_rip = 1; break;
    case 2: rip = 0xffffc90000000000UL + (fz_rand() & 0x3fffffffffUL); bad_rip = 1; break;
    case 3:                         /* the hypervisor's area past the M2P (slots 257-271) */
        rip = 0xffff808000000000UL + (fz_rand() % 0x78000000000UL);
        bad_rip = 1;
        break;
    case 4:                         /* non-canonical: the exit's iretq refuses it, #GP(0) */
        rip = (fz_below(2) ? 0x0000800000000000UL : 0x8000000000000000UL) + (fz_rand() & 0x7fffffffffffUL);
        noncanon = 1;
        break;
    }
    if (bad_rip && rip < 0xffff800000000000UL && !fz_va_unmapped(rip))
        rip = (uint64_t)fz_px_back, bad_rip = 0;   /* mapped in the guest after all: not run */
    uint64_t cs = (FLAT_KERNEL_CS & ~3UL), ss = FLAT_KERNEL_SS;
    if (fz_chance(48)) { cs = junk_sel(); bad_sel = 1; }
    if (fz_chance(48)) { ss = junk_sel(); bad_sel = 1; }
    if (fz_chance(64)) cs |= fz_rand() << 16;
    if (fz_chance(64)) ss |= fz_rand() << 16;
    uint64_t rflags = fz_below(4) ? 0x202 : 0x002;
    if (fz_chance(64)) rflags |= FZ_PICK(rfl);
    if (fz_chance(16)) rflags = d_val();
    if (bad_sel) {
        pv_set_gdt(NULL, 0);
        mm_ext1(MMUEXT_SET_LDT, 0, 0);
    }
    px_iframe[0] = fz_rand();                                       /* rax */
    px_iframe[1] = fz_rand();                                       /* r11 */
    px_iframe[2] = fz_rand();                                       /* rcx */
    px_iframe[3] = fz_chance(200) ? (fz_below(2) ? VGCF_in_syscall : 0) : d_val();
    px_iframe[4] = rip;
    px_iret_rip = rip;
    px_iframe[5] = cs;
    px_iframe[6] = rflags;
    px_iframe[7] = 0;                                               /* filled in: the running RSP */
    px_iframe[8] = ss;
    clear_regs();
    fz_px_r.r[RBX] = (uint64_t)px_iframe;
    emit(0x48); emit(0x89); emit(0x63); emit(0x38);                 /* mov %rsp, 56(%rbx) */
    emit(0x48); emit(0x89); emit(0xdc);                             /* mov %rbx, %rsp */
    emit(0xb8); emit_n(__HYPERVISOR_iret, 4);                       /* mov $23, %eax */
    emit(0x0f); emit(0x05);                                         /* syscall */
    emit(0x48); emit(0x8b); emit(0x63); emit(0x38);                 /* mov 56(%rbx), %rsp */
    uint64_t ret_at = (uint64_t)fz_px_code + px_len;
    emit(0x0f); emit(0x0b);                                         /* ud2: the iret returned */
    int f = run();
    px_iret_rip = 1;
    size_t dl = g_strlen(fz_px_desc);
    snformat(fz_px_desc + dl, sizeof(fz_px_desc) - dl, " iret frame rip %#lx cs %#lx rflags %#lx ss %#lx flags %#lx",
             rip, cs, rflags, ss, px_iframe[3]);
    pv_vcpu->evtchn_upcall_mask = mask;     /* the frame's IF set it: the guest's own */
    n_iret++;
    n_iret_fault += f;
    if (f && px_vec == 6 && px_rip == ret_at)
        fz_fail("HYPERVISOR_iret returned to its caller");
    /* junk selectors: whatever the CPU says (#GP or #NP, the frame caught),
     * as long as the domain lives on */
    if (!bad_sel && noncanon && (!f || px_vec != 13 || px_err != 0 || px_rip != rip))
        fz_fail("iret to non-canonical rip %#lx: %s %lu error %#lx (at %#lx)", rip, f ? "vector" : "no fault",
                f ? px_vec : 0UL, px_err, px_rip);
    if (noncanon)
        return;
    if (!bad_sel && !bad_rip && f && px_vec != 1 && px_vec != 17)
        fz_fail("iret to a valid kernel frame: vector %lu error %#lx at %#lx", px_vec, px_err, px_rip);
    /* A VGCF_in_syscall frame returns through sysret (in Xen too), and a TF
     * that sysret loads from R11 traps at once, at the new RIP, before the
     * first fetch (unlike iretq's): #DB there instead of the #PF. */
    if (!bad_sel && bad_rip && f && px_vec == 1 && (rflags & 0x100) && (px_iframe[3] & VGCF_in_syscall) &&
        px_rip == rip)
        return;
    if (!bad_sel && bad_rip && (!f || px_vec != 14 || px_cr2 != rip || px_rip != rip))
        fz_fail("iret to unmapped rip %#lx: %s %lu (cr2 %#lx, at %#lx)", rip, f ? "vector" : "no fault",
                f ? px_vec : 0UL, px_cr2, px_rip);
}

/* ---- writable page tables -------------------------------------------------------------- */

static unsigned long px_l3, px_l2, px_l1, px_scr, px_twin;
#define PX_VA  mm_va(PX_SLOT, 0, 0, 0)

static unsigned long fresh(void)
{
    unsigned long mfn = mm_alloc_mfn();
    if (mfn == MM_INVALID || mm_zero_frame(mfn))
        fz_fail("set-up: no free frame");
    fz_set_protected(mfn);
    return mfn;
}

void fz_px_setup(void)
{
    int k = -1;
    px_state = fz_seed ^ 0x5851f42d4c957f2dUL;
    enter();
    for (unsigned i = 0; i < fz_mem.nr_pt; i++)
        if (fz_mem.pt_mfn[i] == fz_mem.cur_l4)
            k = (int)i;
    if (k < 0 || ((const unsigned long *)fz_mem.pt_va[k])[PX_SLOT])
        fz_fail("set-up: L4 slot %d is not free", PX_SLOT);
    px_l3 = fresh(); px_l2 = fresh(); px_l1 = fresh(); px_scr = fresh(); px_twin = fresh();
    if (mm_ext1(MMUEXT_PIN_L1_TABLE, px_scr, 0) || mm_ext1(MMUEXT_PIN_L1_TABLE, px_twin, 0))
        fz_fail("set-up: pinning the scratch L1s");
    if (mm_update1(px_l1 << 12, mm_pte(px_scr, MM_RO_FLAGS)) ||
        mm_update1((px_l1 << 12) + 8, mm_pte(px_twin, MM_RO_FLAGS)) ||
        mm_update1(px_l2 << 12, mm_pte(px_l1, MM_TABLE_FLAGS)) ||
        mm_update1(px_l3 << 12, mm_pte(px_l2, MM_TABLE_FLAGS)) ||
        mm_update1((fz_mem.cur_l4 << 12) + 8 * PX_SLOT, mm_pte(px_l3, MM_TABLE_FLAGS)))
        fz_fail("set-up: mapping the scratch L1s");
    /* the catcher works (the code buffer runs, a fault comes back) */
    clear_regs();
    emit(0x90);
    if (run())
        fz_fail("set-up: the instruction buffer does not run (vector %lu)", px_vec);
    clear_regs();
    emit(0x0f); emit(0x0b);
    if (!run() || px_vec != 6)
        fz_fail("set-up: ud2 not caught as #UD");
    leave();
}

static uint64_t d_l1e(void)
{
    unsigned long f;
    switch (fz_below(8)) {
    case 0: return 0;
    case 1: return d_val();
    case 2: f = px_scr; break;
    case 3: f = fz_nr_taken ? fz_taken[fz_below(fz_nr_taken)] : fz_mem.pool[0]; break;
    case 4: f = d_mfn(); break;
    default: f = fz_mem.pool[fz_below(POOL_FRAMES)]; break;
    }
    uint64_t fl = fz_chance(128) ? MM_RO_FLAGS : fz_chance(128) ? MM_RW_FLAGS : fz_rand() & 0xfff;
    if (fz_chance(32)) fl |= MM_NX;
    if (fz_chance(16)) fl |= fz_rand() & 0x7ff0000000000000UL;
    return mm_pte(f, 0) | fl;
}

enum { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_OR, OP_AND, OP_ADD, OP_XOR, OP_BTS, OP_BTR, NR_OPS };

static void step_ptwr(void)
{
    volatile uint64_t *scr = (volatile uint64_t *)PX_VA, *twin = (volatile uint64_t *)(PX_VA + 4096);
    unsigned idx = (unsigned)fz_below(512);
    unsigned size = 1u << fz_below(4);
    unsigned op = (unsigned)fz_below(NR_OPS);
    if ((op == OP_BTS || op == OP_BTR) && size == 1)
        size = 2;
    unsigned b = fz_chance(200) ? (unsigned)fz_below(8 / size) * size : (unsigned)fz_below(9 - size);
    uint64_t ptr = (px_scr << 12) + idx * 8;

    mm_update1(ptr, d_l1e());
    uint64_t old = scr[idx];
    uint64_t mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
    uint64_t cur = (old >> (8 * b)) & mask, src = d_val(), res = 0;
    int imm = op != OP_XCHG && op != OP_CMPXCHG && fz_chance(128), imm8 = 0;
    static const unsigned alu[] = { [OP_OR] = 1, [OP_AND] = 4, [OP_ADD] = 0, [OP_XOR] = 6 };
    static const unsigned rop[] = { [OP_OR] = 0x08, [OP_AND] = 0x20, [OP_ADD] = 0x00, [OP_XOR] = 0x30 };

    if (fz_chance(96))
        src = (fz_chance(128) ? d_l1e() : old ^ (1UL << fz_below(64))) >> (8 * b);
    clear_regs();
    if (imm) {
        if ((op == OP_OR || op == OP_AND || op == OP_ADD || op == OP_XOR) && size > 1)
            imm8 = fz_chance(96);       /* 83 /n ib, sign-extended */
        if (op == OP_BTS || op == OP_BTR)
            src = fz_below(256);
        else if (imm8 || size == 1)
            src = (uint64_t)(int64_t)(int8_t)src;
        else if (size == 2)
            src = (uint64_t)(int64_t)(int16_t)src;
        else
            src = (uint64_t)(int64_t)(int32_t)src;
    } else if (op == OP_BTS || op == OP_BTR) {
        src = fz_below(8 * size);
    }
    src &= (op == OP_BTS || op == OP_BTR) ? ~0UL : mask;
    fz_px_r.r[RSI] = src;
    fz_px_r.r[RAX] = fz_chance(128) ? cur : d_val() & mask;
    switch (op) {
    case OP_MOV: case OP_XCHG: res = src; break;
    case OP_CMPXCHG: res = (fz_px_r.r[RAX] & mask) == cur ? src : cur; break;
    case OP_OR: res = cur | src; break;
    case OP_AND: res = cur & src; break;
    case OP_ADD: res = (cur + src) & mask; break;
    case OP_XOR: res = cur ^ src; break;
    case OP_BTS: res = cur | (1UL << (src % (8 * size))); break;
    case OP_BTR: res = cur & ~(1UL << (src % (8 * size))); break;
    }
    res &= mask;
    uint64_t merged = (old & ~(mask << (8 * b))) | (res << (8 * b));
    if (size == 8) merged = res;

    /* prefixes, opcode, ModRM [rdi + disp8] or [rdi] */
    int lock = op != OP_MOV && op != OP_XCHG && fz_chance(128);
    if (fz_chance(16)) emit(0x3e);
    if (lock) emit(0xf0);
    if (size == 2) emit(0x66);
    emit(size == 8 ? 0x48 : 0x40);
    unsigned w = size > 1 ? 1 : 0, ext = 0, sub = 0;
    switch (op) {
    case OP_MOV: if (imm) { emit(0xc6 | w); ext = 0; } else { emit(0x88 | w); ext = 6; } break;
    case OP_XCHG: emit(0x86 | w); ext = 6; break;
    case OP_CMPXCHG: emit(0x0f); emit(0xb0 | w); ext = 6; break;
    case OP_BTS: case OP_BTR:
        emit(0x0f);
        if (imm) { emit(0xba); ext = op == OP_BTS ? 5 : 6; } else { emit(op == OP_BTS ? 0xab : 0xb3); ext = 6; }
        break;
    default:
        if (imm) { emit(size == 1 ? 0x80 : imm8 ? 0x83 : 0x81); ext = alu[op]; }
        else { emit(rop[op] | w); ext = 6; }
        break;
    }
    int8_t disp = (int8_t)fz_rand();
    int mod = fz_chance(128);
    emit((mod ? 0x40 : 0x00) | (ext << 3) | 7);
    if (mod) emit((uint8_t)disp); else disp = 0;
    if (imm) {
        if (op == OP_BTS || op == OP_BTR || imm8 || size == 1) emit((unsigned)src & 0xff);
        else emit_n(src, size == 2 ? 2 : 4);
    }
    uint64_t addr = PX_VA + idx * 8 + b;
    fz_px_r.r[RDI] = addr - (uint64_t)(int64_t)disp;
    sub = (unsigned)mod;
    (void)sub;
    int f = run();
    uint64_t now = scr[idx];
    if (f) {
        n_ptwr_pf++;
        if (px_vec != 14)
            fz_fail("ptwr: vector %lu (error %#lx) at %#lx", px_vec, px_err, px_rip);
        if (px_cr2 != addr || !(px_err & 2))
            fz_fail("ptwr: #PF with cr2 %#lx error %#lx, the write was to %#lx", px_cr2, px_err, addr);
        if (now != old)
            fz_fail("ptwr: refused write changed the entry %#lx -> %#lx", old, now);
        /* a naturally aligned write is emulated whenever its result is a valid
         * entry: mmu_update of the same value must refuse it too (add and xor
         * are not decoded, a documented difference: docs/abi-coverage.md) */
        if (b % size == 0 && op != OP_ADD && op != OP_XOR && mm_update1((px_twin << 12) + idx * 8, merged) == 0)
            fz_fail("ptwr: aligned write refused with #PF (entry %#lx), mmu_update of the result %#lx accepts it",
                    old, merged);
    } else {
        n_ptwr_ok++;
        long rc = mm_update1((px_twin << 12) + idx * 8, merged);
        if (rc)
            fz_fail("ptwr: write accepted (entry %#lx -> %#lx), mmu_update of %#lx refuses it (%ld)", old, now,
                    merged, rc);
        if (twin[idx] != now)
            fz_fail("ptwr: entry %#lx -> %#lx, mmu_update of %#lx gives %#lx", old, now, merged, twin[idx]);
    }
    if (mm_update1(ptr, 0) || mm_update1((px_twin << 12) + idx * 8, 0))
        fz_fail("ptwr: clearing entry %u failed", idx);
}

/* ---- linear page-table entries ----------------------------------------------------------- */

static void step_linear(void)
{
    unsigned long table, target, idx;
    const unsigned long *l4 = 0;
    for (unsigned i = 0; i < fz_mem.nr_pt; i++)
        if (fz_mem.pt_mfn[i] == fz_mem.cur_l4)
            l4 = (const unsigned long *)fz_mem.pt_va[i];
    switch (fz_below(3)) {
    case 0:
        table = fz_mem.cur_l4;
        idx = 6 + fz_below(8);
        if (!l4 || l4[idx])
            return;
        target = fz_chance(200) ? fz_mem.cur_l4 : fz_mem.ul4;
        break;
    case 1:
        table = px_l3;
        idx = 1 + fz_below(511);
        target = fz_chance(160) ? px_l3 : fz_mem.pg_l3;
        break;
    default:
        table = px_l2;
        idx = 1 + fz_below(511);
        target = fz_chance(160) ? px_l2 : fz_mem.pg_l2;
        break;
    }
    uint64_t fl = fz_chance(160) ? MM_RO_FLAGS : fz_chance(128) ? MM_TABLE_FLAGS : fz_rand() & 0xfff;
    if (fz_chance(16)) fl |= MM_NX;
    uint64_t ptr = (table << 12) + idx * 8, val = mm_pte(target, 0) | fl;
    snformat(fz_px_desc, sizeof(fz_px_desc), "linear entry %#lx at %#lx", val, ptr);
    if (fz_index >= fz_trace_from)
        printk("step #%lu: %s\n", fz_index, fz_px_desc);
    long rc = mm_update1(ptr, val);
    if (rc == 0) n_lin_ok++; else n_lin_no++;
    if (rc == 0 && (val & MM_P) && (val & MM_RW) && target == table)
        fz_fail("linear page table: writable self-map %#lx at %#lx accepted", val, ptr);
    if (mm_update1(ptr, 0))
        fz_fail("linear page table: removing %#lx at %#lx failed", val, ptr);
}

void fz_px_step(void)
{
    fz_px_steps++;
    fz_px_desc[0] = 0;
    enter();
    unsigned kind = (unsigned)fz_below(16);
    if (!((fz_px_kinds >> kind) & 1)) {
        leave();
        return;
    }
    switch (kind) {
    case 0: case 1: case 2: step_msr(); break;
    case 3: case 4: step_cr(); break;
    case 5: if (fz_below(2)) step_xcr(); else step_physdev(); break;
    case 6: step_cpuid(); break;
    case 7: case 8: step_io(); break;
    case 9:                             /* px_kinds bits 16, 17: without misc, iret (debugging) */
        if (fz_below(2)) { if (!(fz_px_kinds & 0x10000)) step_misc(); } else if (!(fz_px_kinds & 0x20000)) step_iret();
        break;
    case 10: case 11: case 12: case 13: step_ptwr(); break;
    default: step_linear(); break;
    }
    leave();
}

void fz_px_report(void)
{
    printk("fuzz: instruction steps %lu, faults %lu (#UD %lu #GP %lu #PF %lu #BP %lu #DB %lu); page-table writes "
           "emulated %lu, refused with #PF %lu; linear entries accepted %lu, refused %lu; iret frames %lu (faulted %lu)\n",
           fz_px_steps, fz_px_faults,
           n_vec[6], n_vec[13], n_vec[14], n_vec[3], n_vec[1], n_ptwr_ok, n_ptwr_pf, n_lin_ok, n_lin_no, n_iret, n_iret_fault);
}
