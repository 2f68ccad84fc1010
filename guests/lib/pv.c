/*
 * Xenolith test-guest runtime: traps, callbacks, event channels and time
 * (see pv.h).  Nothing here runs unless a guest calls it.
 */
#include "pv.h"

/* ---- entry stubs ------------------------------------------------------------------
 *
 * On entry the stack holds the bounce frame: RCX, R11, [error], RIP, CS,
 * RFLAGS, RSP, SS.  A stub reloads RCX and R11 from it (so every register
 * holds its interrupted value), pushes a zero error code where the vector has
 * none, then the vector, and joins the common path, which saves the rest and
 * calls pv_dispatch() on a 16-byte aligned stack.
 */
__asm__(".pushsection .text\n"
        ".globl pv_entry_common\n"
        "pv_entry_common:\n"
        "  sub $16, %rsp\n"                 /* iret_flags, ret_mode */
        "  push %rdi\n push %rsi\n push %rdx\n push %rcx\n push %rax\n"
        "  push %r8\n push %r9\n push %r10\n push %r11\n push %rbx\n"
        "  push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, %rdi\n"
        "  mov %rsp, %rbx\n"
        "  and $-16, %rsp\n"
        "  cld\n"
        "  call pv_dispatch\n"
        "  mov %rbx, %rsp\n"
        "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n"
        "  pop %rbx\n pop %r11\n pop %r10\n pop %r9\n pop %r8\n"
        "  pop %rax\n pop %rcx\n pop %rdx\n pop %rsi\n pop %rdi\n"
        "  cmpq $0, (%rsp)\n"
        "  jne 1f\n"
        "  add $24, %rsp\n"                 /* now at the error slot: the iret flags */
        "  jmp hypercall_page + 23 * 32\n"
        "1: add $32, %rsp\n"
        "  orq $3, 8(%rsp)\n"
        "  orq $3, 32(%rsp)\n"
        "  iretq\n"
        ".popsection\n");

#define PV_STUB(vec, err)                                                             \
    __asm__(".pushsection .text\n"                                                    \
            ".globl pv_stub_" #vec "\n"                                               \
            "pv_stub_" #vec ":\n"                                                     \
            "  pop %rcx\n pop %r11\n"                                                 \
            "  .if " #err " == 0\n push $0\n .endif\n"                                \
            "  push $" #vec "\n"                                                      \
            "  jmp pv_entry_common\n"                                                 \
            ".popsection\n");                                                         \
    extern char pv_stub_##vec[];

#define PV_VECTORS(X)                                                                 \
    X(0, 0) X(1, 0) X(2, 0) X(3, 0) X(4, 0) X(5, 0) X(6, 0) X(7, 0)                   \
    X(8, 1) X(9, 0) X(10, 1) X(11, 1) X(12, 1) X(13, 1) X(14, 1) X(15, 0)             \
    X(16, 0) X(17, 1) X(18, 0) X(19, 0) X(20, 0) X(21, 1) X(22, 0) X(23, 0)           \
    X(24, 0) X(25, 0) X(26, 0) X(27, 0) X(28, 0) X(29, 1) X(30, 1) X(31, 0)           \
    X(128, 0) X(129, 0) X(130, 0) X(131, 0)

PV_VECTORS(PV_STUB)

/* The callbacks have no error code: their frames look like vector frames. */
__asm__(".pushsection .text\n"
        ".globl pv_upcall_entry\n"
        "pv_upcall_entry:\n"
        "  pop %rcx\n pop %r11\n push $0\n push $256\n jmp pv_entry_common\n"
        ".globl pv_syscall_entry\n"
        "pv_syscall_entry:\n"
        "  pop %rcx\n pop %r11\n push $0\n push $257\n jmp pv_entry_common\n"
        /* The failsafe frame has DS, ES, FS, GS between R11 and RIP: report, stop. */
        ".globl pv_failsafe_entry\n"
        "pv_failsafe_entry:\n"
        "  mov %rsp, %rdi\n and $-16, %rsp\n call pv_failsafe\n ud2\n"
        ".popsection\n");

void pv_failsafe(unsigned long *frame);
void pv_dispatch(struct pv_regs *r);

#define PV_STUB_ENTRY(vec, err) [vec] = (unsigned long)pv_stub_##vec,
static const unsigned long stub_addr[256] = { PV_VECTORS(PV_STUB_ENTRY) };

int pv_have_stub(unsigned int vec)
{
    return vec < 256 && stub_addr[vec] != 0;
}

unsigned long pv_stub_address(unsigned int vec)
{
    if (vec < 256)
        return stub_addr[vec];
    if (vec == PV_VEC_UPCALL)
        return (unsigned long)pv_upcall_entry;
    if (vec == PV_VEC_SYSCALL)
        return (unsigned long)pv_syscall_entry;
    return 0;
}

int pv_vector_has_error(unsigned int vec)
{
    switch (vec) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21: case 29: case 30:
        return 1;
    }
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static pv_handler_t handlers[PV_NR_VEC];

void pv_set_handler(unsigned int vec, pv_handler_t fn)
{
    if (vec < PV_NR_VEC)
        handlers[vec] = fn;
}

void pv_dump_regs(const char *what, const struct pv_regs *r)
{
    test_note("%s: vector %lu error %#lx", what, r->vector, r->error);
    test_note("  rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx", r->rip, r->cs, r->rflags, r->rsp,
              r->ss);
    test_note("  rax %#lx rcx %#lx rdx %#lx rsi %#lx rdi %#lx r11 %#lx", r->rax, r->rcx, r->rdx,
              r->rsi, r->rdi, r->r11);
    if (pv_vcpu)
        test_note("  cr2 %#lx event mask %u pending %u", pv_vcpu->arch.cr2,
                  pv_vcpu->evtchn_upcall_mask, pv_vcpu->evtchn_upcall_pending);
}

void pv_dispatch(struct pv_regs *r)
{
    unsigned long vec = r->vector;
    pv_handler_t fn = vec < PV_NR_VEC ? handlers[vec] : 0;

    r->ret_mode = PV_RET_IRET;
    r->iret_flags = 0;
    if (!fn) {
        pv_dump_regs("unexpected trap", r);
        test_check(0, "no handler expected vector %lu (error %#lx) at %#lx", vec, r->error, r->rip);
        test_finish();
    }
    fn(r);
    r->error = r->iret_flags;   /* the stub hands this slot to HYPERVISOR_iret */
}

void pv_failsafe(unsigned long *f)
{
    test_note("failsafe callback: rcx %#lx r11 %#lx ds %#lx es %#lx fs %#lx gs %#lx", f[0], f[1],
              f[2], f[3], f[4], f[5]);
    test_note("  rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx", f[6], f[7], f[8], f[9], f[10]);
    test_check(0, "the failsafe callback was not expected");
    test_finish();
}

/* ---- the virtual IDT ------------------------------------------------------------------- */

static struct {
    unsigned char set, flags;
} trap_cfg[256];
static trap_info_t trap_table[257];

void pv_trap_set(unsigned int vec, unsigned int dpl, int mask_events)
{
    if (vec < 256 && stub_addr[vec]) {
        trap_cfg[vec].set = 1;
        trap_cfg[vec].flags = (unsigned char)((dpl & 3) | (mask_events ? 4 : 0));
    }
}

void pv_trap_clear(unsigned int vec)
{
    if (vec < 256)
        trap_cfg[vec].set = 0;
}

long pv_trap_load(void)
{
    unsigned n = 0;

    for (unsigned v = 0; v < 256; v++) {
        if (!trap_cfg[v].set)
            continue;
        trap_table[n].vector = (uint8_t)v;
        trap_table[n].flags = trap_cfg[v].flags;
        trap_table[n].cs = FLAT_KERNEL_CS;
        trap_table[n].address = stub_addr[v];
        n++;
    }
    trap_table[n].vector = 0;
    trap_table[n].flags = 0;
    trap_table[n].cs = 0;
    trap_table[n].address = 0;
    /* set_trap_table only writes the entries it is given: clear first, so
     * that vectors dropped with pv_trap_clear() really go. */
    long rc = pv_set_trap_table(0);
    return rc ? rc : pv_set_trap_table(trap_table);
}

void pv_traps_default(void)
{
    for (unsigned v = 0; v < 32; v++)
        if (v != 2 && v != 8 && v != 18)
            pv_trap_set(v, v == 3 ? 3 : 0, 0);
}

long pv_register_callbacks(void)
{
    return pv_set_callbacks((unsigned long)pv_upcall_entry, (unsigned long)pv_failsafe_entry,
                            (unsigned long)pv_syscall_entry);
}

/* ---- shared_info and events ----------------------------------------------------------- */

struct shared_info *pv_shared;
struct vcpu_info *pv_vcpu;
volatile unsigned pv_port_count[PV_MAX_PORTS];
static pv_port_fn port_hook;

struct shared_info *pv_map_shared_info(void)
{
    unsigned long va;
    long rc;

    if (pv_shared)
        return pv_shared;
    va = mm_virt_base() + (mm_boot_pfns() - 2) * MM_PAGE_SIZE;
    rc = HYPERVISOR_update_va_mapping(va, guest_start_info->shared_info | MM_P | MM_RW | MM_US,
                                      UVMF_INVLPG | UVMF_LOCAL);
    if (!test_check(rc == 0, "shared_info mapped at %#lx (rc %ld)", va, rc))
        return 0;
    pv_shared = (struct shared_info *)va;
    pv_vcpu = &pv_shared->vcpu_info[0];
    return pv_shared;
}

void pv_set_port_hook(pv_port_fn fn)
{
    port_hook = fn;
}

unsigned pv_evtchn_scan(void)
{
    unsigned handled = 0;

    while (pv_vcpu->evtchn_upcall_pending) {
        pv_vcpu->evtchn_upcall_pending = 0;
        unsigned long sel = __atomic_exchange_n(&pv_vcpu->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            sel &= sel - 1;
            unsigned long bits = pv_shared->evtchn_pending[w] & ~pv_shared->evtchn_mask[w];
            while (bits) {
                unsigned b = (unsigned)__builtin_ctzl(bits);
                unsigned port = w * 64 + b;
                bits &= bits - 1;
                pv_clear_bit(pv_shared->evtchn_pending, port);
                pv_port_count[port]++;
                handled++;
                if (port_hook)
                    port_hook(port);
            }
        }
    }
    return handled;
}

void pv_events_unmask(void)
{
    __asm__ volatile("" ::: "memory");
    pv_vcpu->evtchn_upcall_mask = 0;
    __asm__ volatile("" ::: "memory");
    if (pv_vcpu->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, 0);
}

long pv_bind_ipi(unsigned vcpu)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu, .port = 0 };
    long rc = pv_evtchn_op(EVTCHNOP_bind_ipi, &op);
    return rc ? rc : (long)op.port;
}

long pv_bind_virq(unsigned virq, unsigned vcpu)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu, .port = 0 };
    long rc = pv_evtchn_op(EVTCHNOP_bind_virq, &op);
    return rc ? rc : (long)op.port;
}

long pv_alloc_unbound(domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = 0 };
    long rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &op);
    return rc ? rc : (long)op.port;
}

long pv_evtchn_close(unsigned port)
{
    struct evtchn_close op = { .port = port };
    return pv_evtchn_op(EVTCHNOP_close, &op);
}

long pv_evtchn_send(unsigned port)
{
    struct evtchn_send op = { .port = port };
    return pv_evtchn_op(EVTCHNOP_send, &op);
}

long pv_evtchn_unmask(unsigned port)
{
    struct evtchn_unmask op = { .port = port };
    return pv_evtchn_op(EVTCHNOP_unmask, &op);
}

/* ---- time ----------------------------------------------------------------------------- */

uint32_t pv_time_snapshot(struct vcpu_time_info *out)
{
    volatile struct vcpu_time_info *t = &pv_vcpu->time;
    uint32_t v;

    do {
        v = t->version;
        __asm__ volatile("" ::: "memory");
        out->version = v;
        out->tsc_timestamp = t->tsc_timestamp;
        out->system_time = t->system_time;
        out->tsc_to_system_mul = t->tsc_to_system_mul;
        out->tsc_shift = t->tsc_shift;
        out->flags = t->flags;
        __asm__ volatile("" ::: "memory");
    } while ((v & 1) || v != t->version);
    return v;
}

uint64_t pv_now(void)
{
    struct vcpu_time_info t;
    uint64_t delta;

    pv_time_snapshot(&t);
    delta = pv_rdtsc() - t.tsc_timestamp;
    if (t.tsc_shift < 0)
        delta >>= -t.tsc_shift;
    else
        delta <<= t.tsc_shift;
    return t.system_time + (uint64_t)(((unsigned __int128)delta * t.tsc_to_system_mul) >> 32);
}

void pv_spin_ns(uint64_t ns)
{
    uint64_t end = pv_now() + ns;
    while (pv_now() < end)
        __asm__ volatile("pause");
}

int pv_wait_port(unsigned port, uint64_t ns)
{
    uint64_t end = pv_now() + ns;
    evtchn_port_t ports[1] = { port };

    while (!pv_port_pending(port)) {
        struct sched_poll poll = { .nr_ports = 1, .timeout = end };
        set_xen_guest_handle(poll.ports, ports);
        if (pv_now() >= end)
            return 0;
        (void)pv_sched_op(SCHEDOP_poll, &poll);
    }
    pv_clear_bit(pv_shared->evtchn_pending, port);
    return 1;
}
