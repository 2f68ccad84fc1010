/* Several vCPUs in one PV domain: VCPUOP_is_up/initialise/up/down with
 * Xen's errors (ids out of range, up without a context, a second
 * initialise, bad contexts refused with nothing held), vcpu_info
 * registration for ids from 32 on before they start, secondary vCPUs that
 * run on their own stacks with their own GS base, bind an IPI and VIRQ_TIMER
 * each and exchange IPIs (every vCPU sends to every other IPI_ROUNDS times,
 * counted exactly per sender), a TLB shootdown (vCPU 0 remaps a page with
 * every flush that names other vCPUs while they read through it; each must
 * see the new frame on its first read after the change), down and up of
 * another vCPU and of a vCPU by itself, and the runstate of every vCPU.
 *
 * Command line: vcpus=N, the vCPU count the domain must have. SMP-safe: on
 * Xen the vCPUs really run in parallel, so everything shared is atomic and
 * only vCPU 0 prints or records checks; the others leave their findings in
 * memory for it. */
#include "smp.h"

#define ENOENT 2
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22

#define MS 1000000ull
#define IPI_ROUNDS 16
#define TLB_GENS 8
#define STACK_SIZE 16384

enum phase { PH_START, PH_IPI, PH_TLB, PH_PARK, PH_SELF_DOWN };

struct cpu_state {
    unsigned ipi_port, timer_port;
    volatile unsigned long ticks, ipi_events;
    volatile unsigned long heartbeat;
    volatile int gs_ok, started, sent_done, tlb_bad, self_down_returned;
    volatile long self_down_rc, bind_rc;
    volatile long tlb_ack;
    volatile int regs_done, regs_bad;
    volatile uint64_t tlb_seen;
};

static struct smp_cpu cpus[SMP_MAX_CPUS];
static struct cpu_state st[SMP_MAX_CPUS];
static char stacks[SMP_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
/* vcpu_info of vCPUs 32 and up: 64 bytes each, all in this one page. */
static struct vcpu_info extra_vi[SMP_MAX_CPUS - XEN_LEGACY_MAX_VCPUS] __attribute__((aligned(4096)));
static volatile unsigned long mail[SMP_MAX_CPUS][SMP_MAX_CPUS];   /* [to][from]: sent, not yet seen */
static volatile unsigned long got[SMP_MAX_CPUS][SMP_MAX_CPUS];    /* [to][from]: seen */
static volatile unsigned phase;
static volatile long tlb_gen = -1;
static unsigned nr;                                               /* vCPUs of the domain */
/* The page the TLB test remaps, read by the secondaries. */
static volatile uint64_t tlb_page[512] __attribute__((aligned(4096)));
static uint64_t mask_all[SMP_MAX_CPUS / 64], mask_others[SMP_MAX_CPUS / 64];

static uint64_t pattern(long gen)
{
    return (gen & 1) ? 0xBBBBBBBB00000000ull : 0xAAAAAAAA00000000ull;
}

static void port_hook(struct smp_cpu *c, unsigned port)
{
    struct cpu_state *s = &st[c->id];

    if (port == s->ipi_port) {
        s->ipi_events++;
        for (unsigned from = 0; from < nr; from++)
            got[c->id][from] += __atomic_exchange_n(&mail[c->id][from], 0, __ATOMIC_SEQ_CST);
    } else if (port == s->timer_port) {
        s->ticks++;
    }
}

static void yield(void)
{
    pv_sched_op(SCHEDOP_yield, 0);
}

static long bind_ports(struct smp_cpu *c)
{
    struct cpu_state *s = &st[c->id];
    long p = pv_bind_ipi(c->id), t;

    if (p < 0)
        return p;
    if ((t = pv_bind_virq(VIRQ_TIMER, c->id)) < 0)
        return t;
    smp_own_port(c, (unsigned)p);
    smp_own_port(c, (unsigned)t);
    s->ipi_port = (unsigned)p;
    s->timer_port = (unsigned)t;
    return 0;
}

static void send_ipis(unsigned self)
{
    for (unsigned r = 0; r < IPI_ROUNDS; r++)
        for (unsigned to = 0; to < nr; to++) {
            if (to == self)
                continue;
            __atomic_fetch_add(&mail[to][self], 1, __ATOMIC_SEQ_CST);
            pv_evtchn_send(st[to].ipi_port);
        }
}

/* A secondary: reads through tlb_page whenever vCPU 0 publishes a new
 * generation, and acknowledges it. */
static void tlb_reader(struct cpu_state *s)
{
    long seen = -1;

    while (phase == PH_TLB) {
        long g = __atomic_load_n(&tlb_gen, __ATOMIC_SEQ_CST);
        uint64_t v = tlb_page[0];
        if (g != seen) {
            if (v != pattern(g)) {
                s->tlb_bad++;
                s->tlb_seen = v;
            }
            seen = g;
            __atomic_store_n(&s->tlb_ack, g, __ATOMIC_SEQ_CST);
        }
        yield();
    }
}

/* Spin with values in RCX and R11 (the registers sysret overwrites) for
 * `loops` iterations; 1 if one of them changed under it. */
static int rcx_r11_changed(unsigned long loops)
{
    int bad;

    __asm__ volatile("movabs $0x1234567887654321, %%rcx\n"
                     "movabs $0x0badc0de0badc0de, %%r11\n"
                     "mov %%rcx, %%rdx\n"
                     "mov %%r11, %%r8\n"
                     "1: cmp %%rcx, %%rdx\n jne 2f\n"
                     "cmp %%r11, %%r8\n jne 2f\n"
                     "dec %1\n jnz 1b\n"
                     "xor %0, %0\n jmp 3f\n"
                     "2: mov $1, %0\n"
                     "3:\n"
                     : "=&a"(bad), "+S"(loops)
                     :
                     : "rcx", "r11", "rdx", "r8", "cc");
    return bad;
}

/* vCPU 2 computes through several time slices while the others make
 * hypercalls: preempted by an interrupt, it must come back with every
 * register as it was, whichever vCPU's exit resumes it. */
static void regs_across_switches(struct cpu_state *s)
{
    uint64_t end = pv_now() + 300 * MS;

    while (pv_now() < end)
        if (rcx_r11_changed(1000000))
            s->regs_bad++;
    __atomic_store_n(&s->regs_done, 1, __ATOMIC_SEQ_CST);
}

__attribute__((noreturn)) static void secondary(struct smp_cpu *c)
{
    struct cpu_state *s = &st[c->id];

    s->gs_ok = smp_this() == c;
    s->bind_rc = bind_ports(c);
    smp_events_unmask(c);
    /* A single-shot timer of its own: its VIRQ_TIMER must reach it. */
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = pv_now() + 1 * MS, .flags = 0 };
    smp_vcpu_op(VCPUOP_set_singleshot_timer, c->id, &t);
    for (unsigned long i = 0; s->ticks == 0 && i < 5000000; i++)
        yield();
    __atomic_store_n(&s->started, 1, __ATOMIC_SEQ_CST);

    while (phase < PH_IPI)
        yield();
    send_ipis(c->id);
    __atomic_store_n(&s->sent_done, 1, __ATOMIC_SEQ_CST);

    while (phase < PH_TLB)
        yield();
    tlb_reader(s);
    if (c->id == 2)
        regs_across_switches(s);

    for (;;) {
        s->heartbeat++;
        if (phase == PH_SELF_DOWN && c->id == nr - 1 && !s->self_down_returned) {
            s->self_down_rc = smp_vcpu_op(VCPUOP_down, c->id, 0);
            __atomic_store_n(&s->self_down_returned, 1, __ATOMIC_SEQ_CST);
        }
        yield();
    }
}

/* vCPU 0 waits, events enabled, for *flag to reach want (10 s at most). */
static int wait_for(volatile int *flag, int want)
{
    uint64_t end = pv_now() + 10000 * MS;

    while (*flag != want && pv_now() < end)
        yield();
    return *flag == want;
}

static unsigned expected_vcpus(const char *cl)
{
    return (unsigned)g_opt(cl, "vcpus=", 0);
}

static void test_ids(unsigned want)
{
    static struct vcpu_guest_context ctx;
    struct vcpu_runstate_info rs;
    unsigned n = 0;
    long rc;

    while ((rc = smp_vcpu_op(VCPUOP_is_up, n, 0)) >= 0 && n < 4096)
        n++;
    nr = n;
    test_check(rc == -ENOENT && n == want, "%u vCPUs (is_up of id %u: %ld), %u expected", n, n, rc, want);
    test_check(smp_vcpu_op(VCPUOP_is_up, 0, 0) == 1, "is_up(0) == 1");
    for (unsigned i = 1; i < n; i++)
        if (!test_check(smp_vcpu_op(VCPUOP_is_up, i, 0) == 0, "is_up(%u) == 0 before it starts", i))
            break;
    test_check(smp_vcpu_op(VCPUOP_is_up, 0xFFFFFFFFu, 0) == -ENOENT, "is_up(0xffffffff): -ENOENT");
    test_check(smp_vcpu_op(VCPUOP_initialise, n, &ctx) == -ENOENT, "initialise(%u): -ENOENT", n);
    test_check(smp_vcpu_op(VCPUOP_up, n, 0) == -ENOENT, "up(%u): -ENOENT", n);
    test_check(smp_vcpu_op(VCPUOP_down, n, 0) == -ENOENT, "down(%u): -ENOENT", n);
    test_check(smp_vcpu_op(VCPUOP_get_runstate_info, n, &rs) == -ENOENT, "get_runstate_info(%u): -ENOENT", n);
    test_check(smp_vcpu_op(VCPUOP_up, 1, 0) == -EINVAL, "up(1) without a context: -EINVAL");
}

/* vCPUs 32..: no vcpu_info until registered; registered by vCPU 0 while down. */
static void test_register_vcpu_info(void)
{
    static struct vcpu_guest_context ctx;

    for (unsigned i = 0; i < nr; i++)
        cpus[i].vi = smp_shared_vcpu_info(i);
    if (nr <= XEN_LEGACY_MAX_VCPUS)
        return;
    test_check(smp_vcpu_op(VCPUOP_initialise, XEN_LEGACY_MAX_VCPUS, &ctx) == -EINVAL,
               "initialise(%u) before its vcpu_info is registered: -EINVAL", XEN_LEGACY_MAX_VCPUS);
    for (unsigned i = XEN_LEGACY_MAX_VCPUS; i < nr; i++) {
        long rc = smp_register_vcpu_info(i, &extra_vi[i - XEN_LEGACY_MAX_VCPUS]);
        if (!test_check(rc == 0, "register_vcpu_info for down vCPU %u (rc %ld)", i, rc))
            return;
        cpus[i].vi = &extra_vi[i - XEN_LEGACY_MAX_VCPUS];
    }
    test_check(extra_vi[0].evtchn_upcall_mask == 1, "a first vcpu_info starts with events masked");
}

static unsigned long frame_of(const volatile void *p)
{
    return mm_va_to_mfn((unsigned long)p & ~(MM_PAGE_SIZE - 1));
}

/* Refused contexts for vCPU id, and nothing held afterwards. */
static void test_bad_contexts(unsigned id)
{
    static struct vcpu_guest_context ctx;
    struct smp_cpu *c = &cpus[id];
    unsigned long data_mfn = frame_of(stacks[0]), g, orig;
    long rc;

    c->id = id;
    c->fn = secondary;
    rc = smp_vcpu_op(VCPUOP_initialise, id, (void *)8);
    test_check(rc == -EFAULT, "initialise(%u) with an unreadable context: -EFAULT (%ld)", id, rc);
    rc = smp_vcpu_op(VCPUOP_initialise, 0, (void *)8);
    test_check(rc == -EFAULT, "initialise(0) with an unreadable context: -EFAULT before -EEXIST (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.event_callback_eip = 0x0000800000000000ul;
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "non-canonical event callback: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.trap_ctxt[14].address = 0xFFFF000000000000ul - 4096;
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "non-canonical trap handler: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.flags = 0;
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "user mode without a user L4: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.ctrlreg[3] = xen_pfn_to_cr3(0xFFFFFFFFFul);
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "L4 frame that is not the domain's: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.ctrlreg[3] = xen_pfn_to_cr3(data_mfn);
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "a writable data frame as L4: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.gdt_ents = 16;
    ctx.gdt_frames[0] = data_mfn;
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "a writable data frame as GDT frame: -EINVAL (%ld)", rc);
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.gdt_ents = 16 * 512 + 1;
    rc = smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "17 GDT frames: -EINVAL (%ld)", rc);

    /* A good GDT frame with a bad L4: the frame must not stay a descriptor
     * page (it can be mapped writable afterwards). */
    g = mm_new_table();
    smp_context(&ctx, c, stacks[id] + STACK_SIZE);
    ctx.gdt_ents = 16;
    ctx.gdt_frames[0] = g;
    ctx.ctrlreg[3] = xen_pfn_to_cr3(data_mfn);
    rc = g == MM_INVALID ? 1 : smp_vcpu_op(VCPUOP_initialise, id, &ctx);
    test_check(rc == -EINVAL,
               "good GDT frame, bad L4: -EINVAL (%ld)", rc);
    test_check(mm_read_pte((unsigned long)tlb_page, 1, &orig) == 0, "PTE of the test page read");
    rc = HYPERVISOR_update_va_mapping((unsigned long)tlb_page, mm_pte(g, MM_RW_FLAGS), UVMF_INVLPG);
    test_check(rc == 0, "that GDT frame maps writable afterwards: nothing held (%ld)", rc);
    HYPERVISOR_update_va_mapping((unsigned long)tlb_page, orig, UVMF_INVLPG);
    test_check(smp_vcpu_op(VCPUOP_is_up, id, 0) == 0, "vCPU %u still down", id);
    test_check(smp_vcpu_op(VCPUOP_up, id, 0) == -EINVAL, "vCPU %u still without a context: up -EINVAL", id);
}

static void start_secondaries(void)
{
    static struct vcpu_guest_context ctx;

    for (unsigned i = 1; i < nr; i++) {
        cpus[i].id = i;
        cpus[i].fn = secondary;
        long rc = smp_start(&cpus[i], stacks[i] + STACK_SIZE);
        if (!test_check(rc == 0, "vCPU %u initialised and up (%ld)", i, rc))
            test_finish();
    }
    if (nr > 1) {
        smp_context(&ctx, &cpus[1], stacks[1] + STACK_SIZE);
        test_check(smp_vcpu_op(VCPUOP_initialise, 1, &ctx) == -EEXIST, "second initialise(1): -EEXIST");
        test_check(smp_vcpu_op(VCPUOP_up, 1, 0) == 0, "up(1) when up: 0");
    }
    for (unsigned i = 0; i < nr; i++)
        if (!test_check(smp_vcpu_op(VCPUOP_is_up, i, 0) == 1, "is_up(%u) == 1", i))
            break;
    for (unsigned i = 1; i < nr; i++) {
        int ok = wait_for(&st[i].started, 1) && st[i].gs_ok && st[i].bind_rc == 0 && st[i].ticks > 0;
        if (!test_check(ok, "vCPU %u runs on its stack with its GS base, bound its ports (%ld), got its "
                        "VIRQ_TIMER (%lu)", i, st[i].bind_rc, st[i].ticks))
            test_finish();
    }
}

static void test_ipis(void)
{
    int ok = 1;
    uint64_t end;

    phase = PH_IPI;
    send_ipis(0);
    for (unsigned i = 1; i < nr; i++)
        test_check(wait_for(&st[i].sent_done, 1), "vCPU %u sent its IPIs", i);
    end = pv_now() + 10000 * MS;
    for (unsigned to = 0; to < nr; to++)
        for (unsigned from = 0; from < nr; from++)
            while (from != to && got[to][from] != IPI_ROUNDS && pv_now() < end)
                yield();
    for (unsigned to = 0; to < nr; to++) {
        for (unsigned from = 0; from < nr; from++) {
            unsigned long want = from == to ? 0 : IPI_ROUNDS;
            if (got[to][from] != want || mail[to][from] != 0) {
                ok = 0;
                test_check(0, "vCPU %u saw %lu IPIs from vCPU %u (%lu left), %lu expected", to,
                           got[to][from], from, mail[to][from], want);
            }
        }
        if (st[to].ipi_events == 0 || st[to].ipi_events > (unsigned long)IPI_ROUNDS * (nr - 1)) {
            ok = 0;
            test_check(0, "vCPU %u: %lu IPI upcall events", to, st[to].ipi_events);
        }
    }
    test_check(ok, "IPIs: each of %u vCPUs saw exactly %u from every other one", nr, IPI_ROUNDS);
}

static unsigned long new_filled_frame(uint64_t value)
{
    unsigned long mfn = mm_alloc_mfn();
    uint64_t *p = mfn == MM_INVALID ? 0 : mm_scratch_map(mfn, MM_RW_FLAGS);

    if (!p)
        return MM_INVALID;
    for (unsigned i = 0; i < 512; i++)
        p[i] = value;
    mm_scratch_unmap();
    return mfn;
}

/* Remap tlb_page for generation gen with one of the flushes that name vCPUs. */
static long remap(long gen, unsigned long frame, unsigned long pte_ma, const char **how)
{
    unsigned long va = (unsigned long)tlb_page, pte = mm_pte(frame, MM_RW_FLAGS);
    long rc;

    switch (gen) {
    case 0:
        *how = "update_va_mapping UVMF_INVLPG|UVMF_LOCAL";
        return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
    case 1:
        *how = "update_va_mapping UVMF_INVLPG|UVMF_MULTI (all vCPUs)";
        return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_MULTI | (unsigned long)mask_all);
    case 2:
        *how = "mmu_update, MMUEXT_INVLPG_MULTI (all vCPUs)";
        rc = mm_update1(pte_ma, pte);
        return rc ? rc : mm_ext1(MMUEXT_INVLPG_MULTI, va, (unsigned long)mask_all);
    case 3:
        *how = "mmu_update, MMUEXT_TLB_FLUSH_MULTI (the others)";
        rc = mm_update1(pte_ma, pte);
        return rc ? rc : mm_ext1(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)mask_others);
    case 4:
        *how = "update_va_mapping UVMF_TLB_FLUSH|UVMF_ALL";
        return HYPERVISOR_update_va_mapping(va, pte, UVMF_TLB_FLUSH | UVMF_ALL);
    case 5:
        *how = "mmu_update, MMUEXT_INVLPG_ALL";
        rc = mm_update1(pte_ma, pte);
        return rc ? rc : mm_ext1(MMUEXT_INVLPG_ALL, va, 0);
    case 6:
        *how = "mmu_update, MMUEXT_TLB_FLUSH_ALL";
        rc = mm_update1(pte_ma, pte);
        return rc ? rc : mm_ext1(MMUEXT_TLB_FLUSH_ALL, 0, 0);
    default:
        *how = "update_va_mapping UVMF_TLB_FLUSH|UVMF_MULTI (the others)";
        return HYPERVISOR_update_va_mapping(va, pte, UVMF_TLB_FLUSH | UVMF_MULTI | (unsigned long)mask_others);
    }
}

static void test_tlb(void)
{
    unsigned long a = new_filled_frame(pattern(0)), b = new_filled_frame(pattern(1));
    unsigned long va = (unsigned long)tlb_page, orig, pte_ma = mm_pte_maddr(va, 1);
    long rc;

    if (!test_check(a != MM_INVALID && b != MM_INVALID && pte_ma && mm_read_pte(va, 1, &orig) == 0,
                    "two frames and the test page's PTE"))
        return;
    for (unsigned i = 0; i < nr; i++) {
        mask_all[i / 64] |= 1ul << (i % 64);
        if (i)
            mask_others[i / 64] |= 1ul << (i % 64);
        st[i].tlb_ack = -1;
    }
    phase = PH_TLB;
    for (long gen = 0; gen < TLB_GENS; gen++) {
        const char *how = "";
        int acked = 1;
        rc = remap(gen, (gen & 1) ? b : a, pte_ma, &how);
        __atomic_store_n(&tlb_gen, gen, __ATOMIC_SEQ_CST);
        uint64_t end = pv_now() + 10000 * MS;
        for (unsigned i = 1; i < nr; i++)
            while (__atomic_load_n(&st[i].tlb_ack, __ATOMIC_SEQ_CST) != gen && (acked = pv_now() < end))
                yield();
        test_check(rc == 0 && acked, "TLB generation %ld: %s (%ld), every reader saw it", gen, how, rc);
    }
    phase = PH_PARK;
    for (unsigned i = 1; i < nr; i++)
        test_check(st[i].tlb_bad == 0, "vCPU %u read the new frame after every change (%d stale, last %#lx)",
                   i, st[i].tlb_bad, (unsigned long)st[i].tlb_seen);

    /* Unreadable vCPU masks: MMUEXT -EINVAL, update_va_mapping -EFAULT with
     * the entry written all the same. */
    rc = mm_ext1(MMUEXT_TLB_FLUSH_MULTI, 0, 8);
    test_check(rc == -EINVAL, "TLB_FLUSH_MULTI, bad mask: -EINVAL (%ld)", rc);
    rc = mm_ext1(MMUEXT_INVLPG_MULTI, va, 8);
    test_check(rc == -EINVAL, "INVLPG_MULTI, bad mask: -EINVAL (%ld)", rc);
    rc = HYPERVISOR_update_va_mapping(va, mm_pte(a, MM_RW_FLAGS), UVMF_INVLPG | 0x1000ul);
    mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(rc == -EFAULT && tlb_page[0] == pattern(0),
               "update_va_mapping UVMF_MULTI, bad mask: -EFAULT (%ld), the entry written", rc);
    rc = HYPERVISOR_update_va_mapping(va, orig, UVMF_INVLPG | UVMF_ALL);
    test_check(rc == 0, "test page mapped back (%ld)", rc);
}

static void test_down_up(void)
{
    struct vcpu_runstate_info rs;
    unsigned last = nr - 1;
    unsigned long hb;
    uint64_t end;

    long rc, up;

    if (nr < 3)
        return;
    test_check(wait_for(&st[2].regs_done, 1) && st[2].regs_bad == 0,
               "vCPU 2 kept RCX and R11 across 300 ms of switches (%d changes seen)", st[2].regs_bad);
    /* vCPU 1 runs its park loop first. */
    hb = st[1].heartbeat;
    end = pv_now() + 10000 * MS;
    while (st[1].heartbeat == hb && pv_now() < end)
        yield();
    test_check(st[1].heartbeat != hb, "vCPU 1 runs its park loop");
    rc = smp_vcpu_op(VCPUOP_down, 1, 0);
    up = smp_vcpu_op(VCPUOP_is_up, 1, 0);
    test_check(rc == 0 && up == 0, "down(1) by vCPU 0 (%ld): is_up(1) == %ld", rc, up);
    pv_spin_ns(5 * MS);
    hb = st[1].heartbeat;
    pv_spin_ns(20 * MS);
    test_check(st[1].heartbeat == hb, "vCPU 1 does not run while down (heartbeat %lu)", hb);
    rc = smp_vcpu_op(VCPUOP_get_runstate_info, 1, &rs);
    test_check(rc == 0 && rs.state == RUNSTATE_offline, "vCPU 1's runstate is offline (%d)", rs.state);
    test_check(smp_vcpu_op(VCPUOP_up, 1, 0) == 0 && smp_vcpu_op(VCPUOP_is_up, 1, 0) == 1, "up(1) again");
    end = pv_now() + 10000 * MS;
    while (st[1].heartbeat == hb && pv_now() < end)
        yield();
    test_check(st[1].heartbeat != hb, "vCPU 1 runs again where it was");

    phase = PH_SELF_DOWN;
    end = pv_now() + 10000 * MS;
    while (smp_vcpu_op(VCPUOP_is_up, last, 0) != 0 && pv_now() < end)
        yield();
    test_check(smp_vcpu_op(VCPUOP_is_up, last, 0) == 0 && !st[last].self_down_returned,
               "vCPU %u took itself down (its down has not returned)", last);
    test_check(smp_vcpu_op(VCPUOP_up, last, 0) == 0, "up(%u)", last);
    test_check(wait_for(&st[last].self_down_returned, 1) && st[last].self_down_rc == 0,
               "vCPU %u resumed after its own down, which returned %ld", last, st[last].self_down_rc);
    phase = PH_PARK;
}

/* The per-vCPU commands on another vCPU: what Xen 4.17 allows and refuses. */
static void test_other_vcpu_ops(void)
{
    static struct vcpu_runstate_info area;
    struct vcpu_register_runstate_memory_area r = { .addr.v = &area };
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = pv_now() + 1000 * MS, .flags = 0 };
    struct vcpu_set_periodic_timer p = { .period_ns = 10 * MS };
    long rc;

    rc = smp_vcpu_op(VCPUOP_set_singleshot_timer, 1, &t);
    test_check(rc == -EINVAL, "set_singleshot_timer for vCPU 1 from vCPU 0: -EINVAL (%ld)", rc);
    rc = smp_vcpu_op(VCPUOP_stop_singleshot_timer, 1, 0);
    test_check(rc == -EINVAL, "stop_singleshot_timer for vCPU 1 from vCPU 0: -EINVAL (%ld)", rc);
    rc = smp_vcpu_op(VCPUOP_set_periodic_timer, 1, &p);
    test_check(rc == 0, "set_periodic_timer for vCPU 1 from vCPU 0: 0 (%ld)", rc);
    rc = smp_vcpu_op(VCPUOP_register_vcpu_info, 1, &(struct vcpu_register_vcpu_info){ 0 });
    test_check(rc == -EINVAL, "register_vcpu_info for vCPU 1, which is up, from vCPU 0: -EINVAL (%ld)", rc);
    area.state = 0x7777;
    area.state_entry_time = 0;
    rc = smp_vcpu_op(VCPUOP_register_runstate_memory_area, 1, &r);
    test_check(rc == 0 && area.state <= RUNSTATE_offline && area.state_entry_time != 0,
               "register_runstate_memory_area for vCPU 1: written at once (%ld, state %d)", rc, area.state);
}

/* Xen stamps a vCPU's runstate with the clock of the CPU it runs on; under
 * emulation with many CPUs those clocks drift apart from vCPU 0's by tens of
 * milliseconds. */
#define CLOCK_SKEW_NS (500 * MS)

/* The times add up to at most the time since boot (Xen counts the current
 * state up to now), and every vCPU has run. */
static void test_runstates(void)
{
    for (unsigned i = 0; i < nr; i++) {
        struct vcpu_runstate_info rs;
        long rc = smp_vcpu_op(VCPUOP_get_runstate_info, i, &rs);
        uint64_t now = pv_now();                /* after the call: it counts up to its own now */
        uint64_t sum = rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3];
        int ok = rc == 0 && rs.state <= RUNSTATE_blocked && (i || rs.state == RUNSTATE_running) &&
                 rs.time[RUNSTATE_running] > 0 && sum <= now + CLOCK_SKEW_NS &&
                 rs.state_entry_time <= now + CLOCK_SKEW_NS;
        if (!test_check(ok, "runstate of vCPU %u: state %d, running %lu runnable %lu blocked %lu offline %lu, "
                        "entered %lu (rc %ld)", i, rs.state, (unsigned long)rs.time[0],
                        (unsigned long)rs.time[1], (unsigned long)rs.time[2], (unsigned long)rs.time[3],
                        (unsigned long)rs.state_entry_time, rc))
            break;
    }
    for (unsigned i = 0; i < nr; i++)
        if (!test_check(smp_vcpu_op(VCPUOP_is_up, i, 0) == 1, "is_up(%u) == 1 at the end", i))
            break;
}

void test_main(start_info_t *si)
{
    unsigned want = expected_vcpus((const char *)si->cmd_line);

    if (!pv_map_shared_info())
        test_finish();
    pv_traps_default();
    test_check(pv_trap_load() == 0 && pv_register_callbacks() == 0, "trap table and callbacks");
    smp_setup_events();
    smp_set_port_hook(port_hook);
    smp_init_boot_cpu(&cpus[0]);
    test_check(smp_this() == &cpus[0], "vCPU 0's GS base");
    test_ids(want);
    if (nr < 2 || nr > SMP_MAX_CPUS) {
        test_check(0, "%u vCPUs: this test needs 2 to %u", nr, SMP_MAX_CPUS);
        test_finish();
    }
    test_register_vcpu_info();
    test_bad_contexts(nr - 1);
    test_check(bind_ports(&cpus[0]) == 0, "vCPU 0's IPI and timer ports");
    smp_events_unmask(&cpus[0]);
    start_secondaries();
    test_ipis();
    test_tlb();
    test_down_up();
    test_other_vcpu_ops();
    test_runstates();
    test_finish();
}
