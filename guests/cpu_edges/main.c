/* CPU corner cases a hostile guest can reach:
 *  1. a `syscall` in the last two bytes of the lower half: the hypercall
 *     returns to RIP 0x800000000000, which is not canonical; real CPUs fault
 *     in ring 0 on sysret/iretq there, so the guest must get a #GP instead
 *     (QEMU's TCG does not check it: here the test shows the guest gets its
 *     #GP at that address and the hypervisor lives on);
 *  2. an emulated instruction (rdmsr) executed with TF set ends with the
 *     single-step #DB right after it, as on the CPU;
 *  3. SCHEDOP_poll on one port is woken by an event on another, unmasked,
 *     port (Xen's poller is a blocked vCPU that any new event wakes);
 *  4. a data breakpoint on a `mov ss` operand, then `syscall` (the pattern of
 *     CVE-2018-8897: the #DB is deferred to the syscall entry, where the
 *     stack is still the guest's): the hypervisor survives, the hypercall
 *     completes, and DR6 records the hit;
 *  5. (Xenolith) the global bit of a guest L1 entry is not kept. */
#include "pv.h"

#define TOP_L4 255
#define EDGE_VA 0x00007ffffffff000ul
#define NONCANON 0x0000800000000000ul

/* run_at(addr): call addr with the callee-saved registers and RSP saved;
 * a trap handler that sets the frame's RIP to run_back resumes here, with
 * the RAX of the frame as the result. */
__asm__(".pushsection .text\n"
        ".globl run_at\n"
        "run_at:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, run_saved_rsp(%rip)\n"
        "  jmp *%rdi\n"
        ".globl run_back\n"
        "run_back:\n"
        "  mov run_saved_rsp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        /* rdmsr of FS_BASE with TF set by the popf just before it. */
        ".globl tf_rdmsr\n"
        "tf_rdmsr:\n"
        "  mov $0xc0000100, %ecx\n"
        "  pushfq\n orq $0x100, (%rsp)\n popfq\n"
        "  rdmsr\n"
        ".globl tf_after\n"
        "tf_after:\n"
        "  nop\n"
        ".globl tf_after2\n"
        "tf_after2:\n"
        "  nop\n"
        "  pushfq\n andq $~0x100, (%rsp)\n popfq\n"
        "  ret\n"
        /* xen_version(0) by a syscall right after `mov ss` from a watched word. */
        ".globl movss_syscall\n"
        "movss_syscall:\n"
        "  mov $17, %eax\n xor %edi, %edi\n xor %esi, %esi\n"
        "  mov ss_word(%rip), %ss\n"
        "  syscall\n"
        "  ret\n"
        ".popsection\n");
long run_at(unsigned long addr);
extern char run_back[], tf_rdmsr[], tf_after[], tf_after2[], movss_syscall[];
unsigned long run_saved_rsp;
volatile unsigned short ss_word = 0xe02b;

static unsigned long gp_rip, gp_rax, gp_count;
static unsigned long db_rip[4], db_dr6[4], db_count;

static void h_gp(struct pv_regs *r)
{
    gp_count++;
    gp_rip = r->rip;
    gp_rax = r->rax;
    r->rip = (unsigned long)run_back;
}

static void h_db(struct pv_regs *r)
{
    if (db_count < 4) {
        db_rip[db_count] = r->rip;
        db_dr6[db_count] = (unsigned long)pv_get_debugreg(6);
    }
    db_count++;
    r->rflags &= ~0x100ul;                  /* one step is enough */
}

static void h_upcall(struct pv_regs *r)
{
    (void)r;
}

static long fill(unsigned long mfn, unsigned slot, unsigned long val)
{
    unsigned long *t = mm_scratch_map(mfn, MM_RW_FLAGS);

    if (!t)
        return mm_last_rc;
    g_memset(t, 0, 4096);
    t[slot] = val;
    mm_scratch_unmap();
    return 0;
}

static void top_of_lower_half(void)
{
    static const unsigned char tail[16] = {
        0xb8, 0x11, 0x00, 0x00, 0x00,       /* mov $17, %eax (xen_version) */
        0x31, 0xff,                         /* xor %edi, %edi (XENVER_version) */
        0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
        0x0f, 0x05,                         /* syscall, ending at 0x7fffffffffff */
    };
    unsigned long code = mm_alloc_mfn(), l1 = mm_alloc_mfn(), l2 = mm_alloc_mfn(), l3 = mm_alloc_mfn();
    unsigned char *p = mm_scratch_map(code, MM_RW_FLAGS);
    long rc, version = HYPERVISOR_xen_version(XENVER_version, 0);

    if (!test_check(p != 0, "a code frame"))
        return;
    g_memset(p, 0xcc, 4096);
    g_memcpy(p + 4096 - sizeof(tail), tail, sizeof(tail));
    mm_scratch_unmap();
    rc = fill(l1, 511, mm_pte(code, MM_RO_FLAGS));
    rc = rc ? rc : fill(l2, 511, mm_pte(l1, MM_TABLE_FLAGS));
    rc = rc ? rc : fill(l3, 511, mm_pte(l2, MM_TABLE_FLAGS));
    rc = rc ? rc : mm_update1((mm_l4_mfn() << 12) + TOP_L4 * 8, mm_pte(l3, MM_TABLE_FLAGS));
    test_check(rc == 0, "code mapped at %#lx: rc=%ld", EDGE_VA, rc);
    rc = run_at(EDGE_VA + 4096 - sizeof(tail));
    test_check(gp_count == 1 && gp_rip == NONCANON && gp_rax == (unsigned long)version,
               "syscall at %#lx: the hypercall ran (rax %#lx) and the guest got #GP at %#lx (%lu)",
               EDGE_VA + 4094, gp_rax, gp_rip, gp_count);
    rc = mm_update1((mm_l4_mfn() << 12) + TOP_L4 * 8, 0);
    test_check(rc == 0, "unmapped again: rc=%ld", rc);
}

static void step_after_emulation(void)
{
    db_count = 0;
    run_at((unsigned long)tf_rdmsr);
    test_check(db_count >= 1 && db_rip[0] == (unsigned long)tf_after && (db_dr6[0] & (1ul << 14)),
               "rdmsr with TF: #DB right after it (rip %#lx, want %#lx; DR6 %#lx; %lu #DBs)",
               db_rip[0], (unsigned long)tf_after, db_dr6[0], db_count);
}

static void poll_woken_by_other_event(void)
{
    long timer = pv_bind_virq(VIRQ_TIMER, 0), ipi = pv_bind_ipi(0);
    evtchn_port_t port = (evtchn_port_t)ipi;
    struct sched_poll poll = { .nr_ports = 1 };
    unsigned long t0, dt;
    long rc;

    test_check(timer > 0 && ipi > 0, "timer port %ld, IPI port %ld", timer, ipi);
    pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    pv_events_mask();
    pv_evtchn_scan();
    poll.ports = &port;
    t0 = pv_now();
    poll.timeout = t0 + 300000000ul;
    pv_set_timer_op(t0 + 10000000ul);
    rc = pv_sched_op(SCHEDOP_poll, &poll);
    dt = pv_now() - t0;
    test_check(rc == 0 && dt >= 10000000ul && dt < 150000000ul && pv_port_pending((unsigned)timer) &&
               !pv_port_pending((unsigned)ipi),
               "SCHEDOP_poll on the IPI port woken by the timer's event after %lu us (rc %ld)", dt / 1000, rc);
    pv_evtchn_scan();
    pv_evtchn_close((unsigned)timer);
    pv_evtchn_close((unsigned)ipi);
}

static void movss_breakpoint(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, 0), rc;
    unsigned long dr6;

    db_count = 0;
    pv_set_debugreg(6, 0xffff0ff0ul);
    rc = pv_set_debugreg(0, (unsigned long)&ss_word);
    rc = rc ? rc : pv_set_debugreg(7, 0x1ul | (3ul << 16) | (1ul << 18));   /* L0, read/write, 2 bytes */
    test_check(rc == 0, "data breakpoint on the mov-ss operand: rc=%ld", rc);
    rc = run_at((unsigned long)movss_syscall);
    pv_set_debugreg(7, 0);
    dr6 = (unsigned long)pv_get_debugreg(6);
    test_check(rc == version && (dr6 & 1), "mov ss + syscall under the breakpoint: the hypercall returned "
               "%#lx, DR6 %#lx records the hit (%lu #DBs delivered)", rc, dr6, db_count);
}

static void global_bit(void)
{
    unsigned long data = mm_alloc_mfn(), pte = 0;
    unsigned long va = (unsigned long)mm_scratch_map(data, MM_RW_FLAGS | MM_G);

    test_check(va != 0, "a page mapped with the global bit: rc=%ld", mm_last_rc);
    mm_read_pte(va, 1, &pte);
    if (guest_on_xenolith())
        test_check(!(pte & MM_G), "Xenolith keeps no global bit in a guest L1 entry (%#lx)", pte);
    else
        test_note("Xen keeps the entry as %#lx (global bit %s)", pte, (pte & MM_G) ? "kept" : "cleared");
    mm_scratch_unmap();
}

void test_main(start_info_t *si)
{
    (void)si;
    pv_map_shared_info();
    pv_traps_default();
    pv_set_handler(13, h_gp);
    pv_set_handler(14, h_gp);
    pv_set_handler(1, h_db);
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    pv_trap_set(1, 0, 0);
    test_check(pv_trap_load() == 0, "virtual IDT loaded");
    test_check(pv_register_callbacks() == 0, "callbacks registered");

    top_of_lower_half();
    step_after_emulation();
    poll_woken_by_other_event();
    movss_breakpoint();
    global_bit();
    test_finish();
}
