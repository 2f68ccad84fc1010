/* HYPERVISOR_iret inside a multicall.  The iret entry rewrites the vCPU's
 * frame (new RIP, RSP, CS, maybe guest user mode): the multicall must end
 * there, returning the iret's result (the RAX of the context it returns to),
 * and run none of the entries after it.  A hypervisor that carried on ran
 * them in the new context: after an iret to user mode, a following
 * MMUEXT_NEW_USER_BASEPTR with mfn 0 loaded CR3 = 0 and the machine triple-
 * faulted.
 *
 * Each case lays an iret_context on its own stack, issues the multicall with
 * RSP pointing at it (where HYPERVISOR_iret reads it), and lands at a label
 * that reports RAX:
 *   1. iret to guest kernel mode, then set_segment_base(FS) and
 *      fpu_taskswitch: neither may run, their result slots stay untouched;
 *   2. iret to guest user mode (the kernel's own L4 doubles as the user L4),
 *      then MMUEXT_NEW_USER_BASEPTR(0) and an mmuext_op that would unpin
 *      nothing: the landing code runs in user mode and makes a syscall back;
 *   3. the same multicall with the iret last: the entries before it run;
 *   4. a timer 5 ms ahead, SCHEDOP_block and an event to itself in one
 *      multicall: the multicall stops at the block (Xen preempts it there)
 *      and the rest runs once the timer has woken the vCPU.  A hypervisor
 *      that ran the send at once woke the vCPU before it ever left the CPU
 *      and queued it as runnable all the same: a later SCHEDOP_block with a
 *      timer 20 ms ahead then returned at once instead of sleeping. */
#include "pv.h"

#define UNTOUCHED 0x5eed5eed5eed5eedul
#define MAGIC_K 0x4b4b4b4b12345678ul
#define MAGIC_U 0x5555555587654321ul
/* Xen hands the iret's result back as an int: low 32 bits, sign-extended. */
#define AS_INT(x) ((unsigned long)(long)(int)(x))

/* mc_iret_run(calls, n, ctx): copy the 9-word iret_context ctx to a 16-byte
 * aligned place on this stack, multicall(calls, n) with RSP there, and come
 * back (through mc_iret_back) with the RAX the landing code saw. */
__asm__(".pushsection .text\n"
        ".globl mc_iret_run\n"
        "mc_iret_run:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, mc_saved_rsp(%rip)\n"
        "  sub $96, %rsp\n and $-16, %rsp\n"
        "  xor %ecx, %ecx\n"
        "1: mov (%rdx,%rcx,8), %rax\n mov %rax, (%rsp,%rcx,8)\n inc %ecx\n cmp $9, %ecx\n jb 1b\n"
        "  mov $13, %eax\n"               /* __HYPERVISOR_multicall */
        "  syscall\n"
        /* Only reached if the iret entry did not take effect. */
        "  mov $0xdead, %eax\n"
        ".globl mc_iret_back\n"
        "mc_iret_back:\n"
        "  mov mc_saved_rsp(%rip), %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        /* Kernel-mode landing: RAX is the multicall's result. */
        ".globl mc_land_kernel\n"
        "mc_land_kernel:\n"
        "  jmp mc_iret_back\n"
        /* User-mode landing: hand RAX to the kernel through a syscall. */
        ".globl mc_land_user\n"
        "mc_land_user:\n"
        "  mov %rax, %rdi\n"
        "  mov %cs, %esi\n"
        "  mov $0x77, %eax\n"
        "  syscall\n"
        "  ud2\n"
        ".popsection\n");
long mc_iret_run(multicall_entry_t *calls, unsigned long n, const unsigned long *ctx);
extern char mc_iret_back[], mc_land_kernel[], mc_land_user[];
unsigned long mc_saved_rsp;

static unsigned char kstack[8192] __attribute__((aligned(16)));
static unsigned char landing_stack[4096] __attribute__((aligned(16)));
static unsigned long user_rax, user_cs, user_calls;

/* The syscall from the user-mode landing: note what it carried and return
 * to the kernel at mc_iret_back (RPL 0 CS: back to guest kernel mode). */
static void h_syscall(struct pv_regs *r)
{
    user_calls++;
    user_rax = r->rdi;
    user_cs = r->rsi;
    r->rax = r->rdi;
    r->rip = (unsigned long)mc_iret_back;
    r->cs = FLAT_KERNEL_CS & ~3ul;        /* RPL 0: to guest kernel mode */
    r->ss = FLAT_KERNEL_SS;
    r->rsp = (unsigned long)(landing_stack + sizeof(landing_stack));
    r->ret_mode = PV_RET_IRET;
    r->iret_flags = 0;
}

/* iret_context, lowest word first: RAX, R11, RCX, flags, RIP, CS, RFLAGS, RSP, SS. */
static void make_ctx(unsigned long *c, unsigned long rax, void *rip, unsigned long cs)
{
    c[0] = rax;
    c[1] = 0;
    c[2] = 0;
    c[3] = 0;
    c[4] = (unsigned long)rip;
    c[5] = cs;
    c[6] = 0x202;
    c[7] = (unsigned long)(landing_stack + sizeof(landing_stack));
    c[8] = FLAT_KERNEL_SS;
}

static void entry(multicall_entry_t *e, unsigned long op, unsigned long a1, unsigned long a2,
                  unsigned long a3, unsigned long a4)
{
    g_memset(e, 0, sizeof(*e));
    e->op = op;
    e->result = UNTOUCHED;
    e->args[0] = a1;
    e->args[1] = a2;
    e->args[2] = a3;
    e->args[3] = a4;
}

static unsigned long fs_base(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000100u));
    return ((unsigned long)hi << 32) | lo;
}

static struct mmuext_op ops[2];

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    pv_evtchn_scan();
}

static void block_then_wake(void)
{
    multicall_entry_t mc[3];
    struct evtchn_send send;
    unsigned long t0, slept;
    long port, timer;

    pv_map_shared_info();
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    port = pv_bind_ipi(0);
    timer = pv_bind_virq(VIRQ_TIMER, 0);
    test_check(port > 0 && timer > 0, "IPI port %ld, timer port %ld", port, timer);
    test_check(pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0) == 0, "no periodic timer");
    pv_events_mask();
    pv_evtchn_scan();
    g_memset((void *)pv_port_count, 0, sizeof(pv_port_count));
    send.port = (evtchn_port_t)port;
    t0 = pv_now();
    entry(&mc[0], __HYPERVISOR_set_timer_op, t0 + 5000000, 0, 0, 0);
    entry(&mc[1], __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0);
    entry(&mc[2], __HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send, 0, 0);
    test_check(mm_multicall(mc, 3) == 0 && mc[0].result == 0 && mc[1].result == 0 && mc[2].result == 0,
               "multicall: a timer, SCHEDOP_block, then EVTCHNOP_send to itself");
    slept = pv_now() - t0;
    test_check(pv_port_count[port] == 1 && pv_port_count[timer] == 1 && slept >= 5000000,
               "the block waited for the timer (%lu us), then the IPI was sent (%u IPI, %u timer events)",
               slept / 1000, pv_port_count[port], pv_port_count[timer]);
    pv_events_mask();
    t0 = pv_now();
    pv_set_timer_op(t0 + 20000000);
    pv_sched_op(SCHEDOP_block, 0);
    slept = pv_now() - t0;
    test_check(slept >= 20000000 && pv_port_count[timer] == 2,
               "a later SCHEDOP_block sleeps until its timer (%lu us, %u timer events)", slept / 1000,
               pv_port_count[timer]);
    pv_evtchn_close((unsigned)port);
    pv_evtchn_close((unsigned)timer);
}

void test_main(start_info_t *si)
{
    multicall_entry_t mc[3];
    unsigned long ctx[9];
    long rc;

    (void)si;
    pv_traps_default();
    test_check(pv_trap_load() == 0, "virtual IDT loaded");
    pv_set_handler(PV_VEC_SYSCALL, h_syscall);
    test_check(pv_register_callbacks() == 0, "callbacks registered");
    test_check(pv_stack_switch(FLAT_KERNEL_SS, (unsigned long)(kstack + sizeof(kstack))) == 0,
               "kernel stack for entries from user mode");
    test_check(pv_set_segment_base(SEGBASE_FS, 0) == 0, "FS base 0");

    /* 1: iret to kernel mode ends the multicall. */
    make_ctx(ctx, MAGIC_K, mc_land_kernel, FLAT_KERNEL_CS & ~3ul);
    entry(&mc[0], __HYPERVISOR_iret, 0, 0, 0, 0);
    entry(&mc[1], __HYPERVISOR_set_segment_base, SEGBASE_FS, 0x1000, 0, 0);
    entry(&mc[2], __HYPERVISOR_fpu_taskswitch, 1, 0, 0, 0);
    rc = mc_iret_run(mc, 3, ctx);
    test_check((unsigned long)rc == AS_INT(MAGIC_K), "iret to kernel mode in a multicall: lands with "
               "the context's RAX (as an int) as the multicall's result (%#lx)", (unsigned long)rc);
    test_check(mc[1].result == UNTOUCHED && mc[2].result == UNTOUCHED,
               "the entries after the iret did not run (results %#lx %#lx untouched)",
               (unsigned long)mc[1].result, (unsigned long)mc[2].result);
    test_check(fs_base() == 0, "FS base unchanged (%#lx)", fs_base());
    pv_fpu_taskswitch(0);

    /* 2: iret to user mode, then entries that must not run in user mode. */
    test_check(mm_ext1(MMUEXT_NEW_USER_BASEPTR, mm_l4_mfn(), 0) == 0,
               "the kernel's L4 doubles as the user L4");
    make_ctx(ctx, MAGIC_U, mc_land_user, FLAT_USER_CS);
    entry(&mc[0], __HYPERVISOR_iret, 0, 0, 0, 0);
    ops[0].cmd = MMUEXT_NEW_USER_BASEPTR;
    ops[0].arg1.mfn = 0;
    entry(&mc[1], __HYPERVISOR_mmuext_op, (unsigned long)&ops[0], 1, 0, DOMID_SELF);
    entry(&mc[2], __HYPERVISOR_set_segment_base, SEGBASE_FS, 0x2000, 0, 0);
    rc = mc_iret_run(mc, 3, ctx);
    test_check(user_calls == 1 && user_rax == AS_INT(MAGIC_U) && (user_cs & 3) == 3,
               "iret to user mode in a multicall: the landing code ran in user mode "
               "(cs %#lx) with RAX %#lx", user_cs, user_rax);
    test_check((unsigned long)rc == AS_INT(MAGIC_U), "back in the kernel (%#lx)", (unsigned long)rc);
    test_check(mc[1].result == UNTOUCHED && mc[2].result == UNTOUCHED,
               "the NEW_USER_BASEPTR(0) entry and the one after it did not run");
    test_check(fs_base() == 0, "FS base unchanged (%#lx)", fs_base());

    /* 3: entries before the iret run as usual. */
    make_ctx(ctx, MAGIC_K, mc_land_kernel, FLAT_KERNEL_CS & ~3ul);
    entry(&mc[0], __HYPERVISOR_set_segment_base, SEGBASE_FS, 0x3000, 0, 0);
    entry(&mc[1], __HYPERVISOR_iret, 0, 0, 0, 0);
    entry(&mc[2], __HYPERVISOR_set_segment_base, SEGBASE_FS, 0x4000, 0, 0);
    rc = mc_iret_run(mc, 3, ctx);
    test_check((unsigned long)rc == AS_INT(MAGIC_K) && mc[0].result == 0 && mc[2].result == UNTOUCHED &&
               fs_base() == 0x3000,
               "an entry before the iret ran (result %ld, FS base %#lx), the one after did not",
               (long)mc[0].result, fs_base());
    pv_set_segment_base(SEGBASE_FS, 0);
    test_check(mm_ext1(MMUEXT_NEW_USER_BASEPTR, 0, 0) == 0, "user L4 dropped");

    block_then_wake();
    test_finish();
}
