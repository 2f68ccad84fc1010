/*
 * Issuing a call, and surviving it.
 *
 * fz_syscall() issues `syscall` itself with an iret_context on the stack at
 * RSP whose RIP and RSP are exactly where the call returns to: whether the
 * call returns normally or is (or contains, in a multicall) a HYPERVISOR_iret,
 * the guest continues at the same place on the same stack.  The frame's CS
 * may say "to guest user mode"; then the guest goes on in user mode, and the
 * next `syscall` (a probe right after the call) or fault comes back to the
 * kernel through the callbacks, whose handler returns to kernel mode.
 */
#include "fuzz.h"

/* fz_syscall(nr, args[5], frame): frame fields rax, r11, rcx, flags, cs, rflags, ss
 * are copied; rip and rsp are filled in. */
__asm__(".pushsection .text\n"
        ".globl fz_syscall\n"
        "fz_syscall:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rdi, %rax\n"
        "  mov %rsi, %r12\n"
        "  mov %rdx, %r13\n"
        "  sub $72, %rsp\n"
        "  mov 0(%r13), %rbx\n mov %rbx, 0(%rsp)\n"      /* rax */
        "  mov 8(%r13), %rbx\n mov %rbx, 8(%rsp)\n"      /* r11 */
        "  mov 16(%r13), %rbx\n mov %rbx, 16(%rsp)\n"    /* rcx */
        "  mov 24(%r13), %rbx\n mov %rbx, 24(%rsp)\n"    /* flags */
        "  lea 1f(%rip), %rbx\n mov %rbx, 32(%rsp)\n"    /* rip */
        "  mov 40(%r13), %rbx\n mov %rbx, 40(%rsp)\n"    /* cs */
        "  mov 48(%r13), %rbx\n mov %rbx, 48(%rsp)\n"    /* rflags */
        "  mov %rsp, 56(%rsp)\n"                         /* rsp */
        "  mov 64(%r13), %rbx\n mov %rbx, 64(%rsp)\n"    /* ss */
        "  mov 0(%r12), %rdi\n mov 8(%r12), %rsi\n mov 16(%r12), %rdx\n"
        "  mov 24(%r12), %r10\n mov 32(%r12), %r8\n"
        ".globl fz_call_insn\n"
        "fz_call_insn:\n"
        "  syscall\n"
        "1: mov %rax, %rbx\n"
        "  cld\n"
        "  mov $17, %eax\n xor %edi, %edi\n xor %esi, %esi\n"
        "  syscall\n"                                    /* probe: back to kernel mode if in user mode */
        "  pushfq\n"
        "  andq $~0x44500, (%rsp)\n"                     /* TF, DF, NT, AC */
        "  popfq\n"
        "  mov %rbx, %rax\n"
        "  add $72, %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");

static unsigned char kstack[16384] __attribute__((aligned(16)));
unsigned long fz_kstack_top;
trap_info_t fz_traps[40];
int fz_user_l4_set;
long fz_timer_port = -1;
struct vcpu_info *fz_vi_cand;
int fz_abandon_armed;
extern char fz_call_insn[];

/* The last few exceptions and upcalls taken, printed on a failure. */
static struct { unsigned long vector, error, rip, cs, rflags, rsp, index; } trap_log[8];
static unsigned trap_log_n;

void fz_print_traps(void)
{
    for (unsigned i = trap_log_n > 8 ? trap_log_n - 8 : 0; i < trap_log_n; i++) {
        unsigned k = i % 8;
        printk("  trap: #%lu vector %lu error %#lx rip %#lx cs %#lx rflags %#lx rsp %#lx\n", trap_log[k].index,
               trap_log[k].vector, trap_log[k].error, trap_log[k].rip, trap_log[k].cs, trap_log[k].rflags,
               trap_log[k].rsp);
    }
}

static void on_trap(struct pv_regs *r)
{
    unsigned k = trap_log_n++ % 8;
    trap_log[k].vector = r->vector; trap_log[k].error = r->error; trap_log[k].rip = r->rip;
    trap_log[k].cs = r->cs; trap_log[k].rflags = r->rflags; trap_log[k].rsp = r->rsp; trap_log[k].index = fz_index;
    if ((r->cs & 3) == 3 && r->vector != PV_VEC_UPCALL) {
        /* From guest user mode (a fault there, or the probe syscall): go on in kernel mode. */
        fz_stats.user_returns++;
        r->cs = (r->cs & ~0xffffUL) | (FLAT_KERNEL_CS & ~3UL);
        r->ss = FLAT_KERNEL_SS;
        r->rflags &= ~0x40100UL;
        if (r->vector == 1)
            pv_set_debugreg(7, 0);
        return;
    }
    if (fz_px_catch(r)) {       /* an instruction step (priv.c) faulted or trapped */
        if (r->vector == 1)
            pv_set_debugreg(7, 0);
        return;
    }
    switch (r->vector) {
    case PV_VEC_UPCALL:
        fz_stats.upcalls++;
        /* vcpu_info may just have moved to the page registered by this call */
        if (fz_vi_cand && pv_vcpu == &pv_shared->vcpu_info[0] && fz_vi_cand->evtchn_upcall_pending)
            pv_vcpu = fz_vi_cand;
        pv_evtchn_scan();
        /* A continuation brought the guest back to its `syscall` with the
         * call unfinished: never issue it again (the hypervisor must cope
         * with whatever it left half-done). */
        if (fz_abandon_armed && r->rip == (unsigned long)fz_call_insn && (r->cs & 3) == 0) {
            fz_abandon_armed = 0;
            fz_stats.abandoned++;
            r->rip += 2;
            r->rax = (unsigned long)FZ_ABANDONED;
        }
        return;
    case 1:     /* a breakpoint or watchpoint the fuzzer set, or TF from an iret frame */
        fz_stats.db_traps++;
        pv_set_debugreg(7, 0);
        r->rflags &= ~0x100UL;
        return;
    case 7:     /* fpu_taskswitch: TS is cleared on delivery */
        fz_stats.nm_traps++;
        return;
    case 17:
        fz_stats.ac_traps++;
        r->rflags &= ~0x40000UL;
        return;
    }
    pv_dump_regs("unexpected exception", r);
    fz_fail("unexpected exception, vector %lu error %#lx at rip %#lx (cr2 %#lx)", r->vector, r->error,
            r->rip, pv_vcpu ? pv_vcpu->arch.cr2 : 0);
}

/* The trap table and stack the guest restores after every call are its own
 * data, which no call may change (fz_exec_init fills them, then only reads). */
static trap_info_t traps_copy[40];
static unsigned long kstack_top_copy;

void fz_restore_env(void)
{
    if (kstack_top_copy) {
        const unsigned char *a = (const unsigned char *)traps_copy, *b = (const unsigned char *)fz_traps;
        for (unsigned i = 0; i < sizeof(traps_copy); i++)
            if (a[i] != b[i])
                fz_fail("invariant: the guest's trap table changed at byte %u (%#lx %#lx %#lx %#lx at %#lx)", i,
                        ((const unsigned long *)fz_traps)[i / 8 & ~1u], ((const unsigned long *)fz_traps)[(i / 8 & ~1u) + 1],
                        ((const unsigned long *)fz_traps)[(i / 8 & ~1u) + 2], ((const unsigned long *)fz_traps)[(i / 8 & ~1u) + 3],
                        (unsigned long)&b[i]);
        if (kstack_top_copy != fz_kstack_top)
            fz_fail("invariant: the guest's kernel stack top changed to %#lx", fz_kstack_top);
    }
    long rc = pv_set_trap_table(0);
    if (!rc)
        rc = pv_set_trap_table(fz_traps);
    if (!rc)
        rc = pv_register_callbacks();
    if (!rc)
        rc = pv_stack_switch(FLAT_KERNEL_SS, fz_kstack_top);
    if (rc)
        fz_fail("restoring the trap table, callbacks and kernel stack failed: rc %ld", rc);
}

void fz_exec_init(void)
{
    unsigned n = 0;
    fz_kstack_top = (unsigned long)kstack + sizeof(kstack);
    for (unsigned v = 0; v < 32; v++) {
        if (v == 2 || v == 8 || v == 18)
            continue;
        fz_traps[n].vector = (uint8_t)v;
        fz_traps[n].flags = v == 3 ? 3 : 0;
        fz_traps[n].cs = FLAT_KERNEL_CS;
        fz_traps[n].address = pv_stub_address(v);
        pv_set_handler(v, on_trap);
        n++;
    }
    g_memset(&fz_traps[n], 0, sizeof(fz_traps[n]));
    pv_set_handler(PV_VEC_UPCALL, on_trap);
    pv_set_handler(PV_VEC_SYSCALL, on_trap);
    g_memcpy(traps_copy, fz_traps, sizeof(traps_copy));
    kstack_top_copy = fz_kstack_top;
    fz_restore_env();
}

/* User page tables for an iret to user mode: the kernel's own L4 (the probe
 * syscall comes back) or an empty one (the first instruction faults). */
int fz_ensure_user_l4(void)
{
    unsigned long mfn = fz_below(2) ? fz_mem.cur_l4 : fz_mem.ul4;
    if (fz_user_l4_set)
        return 1;
    fz_user_l4_set = mm_ext1(MMUEXT_NEW_USER_BASEPTR, mfn, 0) == 0;
    return fz_user_l4_set;
}

/* A port bound to VIRQ_TIMER, for blocking calls (their wake-up). */
int fz_timer_port_ok(void)
{
    if (fz_timer_port > 0) {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = (evtchn_port_t)fz_timer_port };
        if (pv_evtchn_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER)
            return 1;
    }
    fz_timer_port = pv_bind_virq(VIRQ_TIMER, 0);
    return fz_timer_port > 0;
}
