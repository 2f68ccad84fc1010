/* Long page-table work is preemptible.  A tree of one L3, 4 L2s and 1536 L1s
 * of 512 entries each (786k entries) is validated and released through
 * single requests: an mmu_update hooking the L3 into the L4, the mmu_update
 * that unhooks it, MMUEXT_PIN_L3_TABLE and MMUEXT_UNPIN_TABLE.  Each takes
 * far longer than a millisecond of work; the hypervisor must stop every
 * millisecond or so and continue the same request later.  The evidence: a
 * 1 ms periodic timer, with events unmasked, gets its upcalls delivered
 * *during* each request: a continuation returns to the guest with RIP back
 * on the request's syscall instruction, the pending upcall is delivered with
 * that RIP in its frame, and the request is issued again when it returns.
 * Only such upcalls are counted (at least MIN_MID per request: more than one
 * stop); a hypervisor that did the work in one stretch delivers none (its
 * upcalls come before the request or after it returned, at other RIPs).
 * How many ticks fall inside a request depends on the host's speed (11-70 ms
 * per request under QEMU TCG, loaded or not, 5-50 upcalls in the middle), so
 * the bound is kept far below that.
 *
 * Then a pin abandoned half-way (the upcall handler does not return to the
 * request): the tree is left part-validated; using one of its L1s as a
 * writable page is refused; the same pin issued again finishes it; and a
 * second abandoned pin is left for the domain's teardown, whose frame
 * accounting the test harness checks. */
#include "pv.h"

#define NR_L1 1536
#define NR_L2 ((NR_L1 + 511) / 512)
#define SLOT_L4 3                       /* VA 3 * 512 GiB: unused by the guest */
#define MIN_MID 2

static unsigned long l1s[NR_L1], l2s[NR_L2], l3, data_mfn;
static volatile unsigned long upcalls;
static volatile unsigned long upcalls_mid;  /* ... whose frame returns to req_rip */
static unsigned long req_rip;           /* the syscall instruction of the request under way */
static volatile int abandon_at;         /* abandon the request at this upcalls_mid (0: never) */
static unsigned timer_port;

/* try_ext(op): mmuext_op(op, 1, NULL, DOMID_SELF) issued directly; returns
 * its result, or -9999 when the upcall handler abandoned it (jumped to
 * ext_abandoned with the request unfinished). */
__asm__(".pushsection .text\n"
        ".globl try_ext\n"
        "try_ext:\n"
        "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        "  mov %rsp, try_saved_rsp(%rip)\n"
        "  mov $1, %esi\n xor %edx, %edx\n mov $0x7ff0, %r10d\n"
        "  mov $26, %eax\n"             /* __HYPERVISOR_mmuext_op */
        ".globl try_ext_syscall\n"
        "try_ext_syscall:\n"
        "  syscall\n"
        "  jmp 1f\n"
        ".globl ext_abandoned\n"
        "ext_abandoned:\n"
        "  mov try_saved_rsp(%rip), %rsp\n"
        "  mov $-9999, %rax\n"
        "1: pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        "  ret\n"
        ".popsection\n");
long try_ext(struct mmuext_op *op);
extern char ext_abandoned[], try_ext_syscall[];
unsigned long try_saved_rsp;

static void h_upcall(struct pv_regs *r)
{
    upcalls++;
    if (!req_rip || r->rip != req_rip) {
        pv_evtchn_scan();
        return;
    }
    upcalls_mid++;
    pv_evtchn_scan();
    if (abandon_at && upcalls_mid >= (unsigned long)abandon_at) {
        abandon_at = 0;
        r->rip = (unsigned long)ext_abandoned;   /* never re-issue the request */
    }
}

static long fill_table(unsigned long mfn, unsigned n, const unsigned long *targets, unsigned long flags)
{
    unsigned long *t = mm_scratch_map(mfn, MM_RW_FLAGS);

    if (!t)
        return mm_last_rc;
    g_memset(t, 0, 4096);
    for (unsigned i = 0; i < n; i++)
        t[i] = mm_pte(targets ? targets[i] : data_mfn, flags);
    mm_scratch_unmap();
    return 0;
}

/* The syscall instruction in the hypercall page's mmu_update slot. */
static unsigned long mmu_update_syscall(void)
{
    const unsigned char *slot = (const unsigned char *)hypercall_page + 32 * __HYPERVISOR_mmu_update;

    for (unsigned i = 0; i + 1 < 32; i++)
        if (slot[i] == 0x0f && slot[i + 1] == 0x05)
            return (unsigned long)&slot[i];
    return 0;
}

/* Upcalls delivered while fn ran (events unmasked meanwhile); *mid: those
 * delivered in the middle of the request, i.e. whose frame returns to the
 * request's own syscall instruction at rip (the hypervisor stopped and asks
 * for it to be issued again); *ms: how long it took. */
static unsigned long upcalls_during(long (*fn)(void), unsigned long rip, long *rc, unsigned long *mid,
                                    unsigned long *ms)
{
    unsigned long before = upcalls, before_mid = upcalls_mid;
    uint64_t t0 = pv_now();

    req_rip = rip;
    pv_events_unmask();
    *rc = fn();
    pv_events_mask();
    req_rip = 0;
    *mid = upcalls_mid - before_mid;
    *ms = (pv_now() - t0) / 1000000;
    return upcalls - before;
}

static unsigned long l4_slot_maddr(void)
{
    return (mm_l4_mfn() << 12) + SLOT_L4 * 8;
}
static long hook(void) { return mm_update1(l4_slot_maddr(), mm_pte(l3, MM_TABLE_FLAGS)); }
static long unhook(void) { return mm_update1(l4_slot_maddr(), 0); }
static long pin(void)
{
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L3_TABLE, .arg1.mfn = l3 };
    return try_ext(&op);
}
static long unpin(void)
{
    struct mmuext_op op = { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = l3 };
    return try_ext(&op);
}

void test_main(start_info_t *si)
{
    struct vcpu_set_periodic_timer period = { .period_ns = 1000000 };
    unsigned long n, va, mid, ms, upd_rip = mmu_update_syscall(), ext_rip = (unsigned long)try_ext_syscall;
    long rc, port;

    (void)si;
    pv_map_shared_info();
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    test_check(pv_register_callbacks() == 0, "callbacks registered");
    pv_events_mask();
    port = pv_bind_virq(VIRQ_TIMER, 0);
    test_check(port > 0, "VIRQ_TIMER on port %ld", port);
    timer_port = (unsigned)port;

    /* The tree: every L1 maps one data frame read-only, 512 times. */
    data_mfn = mm_alloc_mfn();
    rc = mm_zero_frame(data_mfn);
    test_check(data_mfn != MM_INVALID && rc == 0, "a data frame");
    for (n = 0; n < NR_L1; n++) {
        l1s[n] = mm_alloc_mfn();
        if (l1s[n] == MM_INVALID || fill_table(l1s[n], 512, 0, MM_RO_FLAGS) != 0)
            break;
    }
    test_check(n == NR_L1, "%lu L1 tables of 512 read-only entries", n);
    for (unsigned i = 0; i < NR_L2; i++) {
        unsigned k = NR_L1 - i * 512 < 512 ? NR_L1 - i * 512 : 512;
        l2s[i] = mm_alloc_mfn();
        test_check(l2s[i] != MM_INVALID && fill_table(l2s[i], k, &l1s[i * 512], MM_TABLE_FLAGS) == 0,
                   "L2 %u over %u L1s", i, k);
    }
    l3 = mm_alloc_mfn();
    test_check(l3 != MM_INVALID && fill_table(l3, NR_L2, l2s, MM_TABLE_FLAGS) == 0, "the L3 over %u L2s",
               NR_L2);
    test_check(upd_rip != 0, "the syscall instruction of the hypercall page's mmu_update slot: %#lx", upd_rip);
    if (test_failures())
        test_finish();

    rc = pv_vcpu_op(VCPUOP_set_periodic_timer, 0, &period);
    test_check(rc == 0, "a 1 ms periodic timer: rc=%ld", rc);

    /* 1. One mmu_update validates the whole tree. */
    n = upcalls_during(hook, upd_rip, &rc, &mid, &ms);
    test_check(rc == 0 && mid >= MIN_MID,
               "mmu_update hooking the L3 into the L4: rc=%ld, %lu upcalls in the middle of the request "
               "(%lu in all, %lu ms)", rc, mid, n, ms);
    va = mm_va(SLOT_L4, 1, 2, 3);
    *(volatile unsigned long *)mm_scratch_map(data_mfn, MM_RW_FLAGS) = 0x5a5a;
    mm_scratch_unmap();
    test_check(*(volatile unsigned long *)va == 0x5a5a, "the new tree maps the data frame at %#lx", va);
    /* 2. One mmu_update releases it; it is complete when the request is. */
    n = upcalls_during(unhook, upd_rip, &rc, &mid, &ms);
    test_check(rc == 0 && mid >= MIN_MID,
               "mmu_update unhooking it: rc=%ld, %lu upcalls in the middle (%lu in all, %lu ms)", rc, mid, n, ms);
    test_check(fill_table(l1s[NR_L1 - 1], 512, 0, MM_RO_FLAGS) == 0,
               "the released L1s can be mapped writable again");
    /* 3. Pin and unpin. */
    n = upcalls_during(pin, ext_rip, &rc, &mid, &ms);
    test_check(rc == 0 && mid >= MIN_MID, "MMUEXT_PIN_L3_TABLE: rc=%ld, %lu upcalls in the middle (%lu in all, %lu ms)",
               rc, mid, n, ms);
    n = upcalls_during(unpin, ext_rip, &rc, &mid, &ms);
    test_check(rc == 0 && mid >= MIN_MID, "MMUEXT_UNPIN_TABLE: rc=%ld, %lu upcalls in the middle (%lu in all, %lu ms)",
               rc, mid, n, ms);
    test_check(fill_table(l1s[0], 512, 0, MM_RO_FLAGS) == 0, "the L1s are writable pages again");

    /* 4. A pin abandoned half-way, then finished by the same pin again. */
    abandon_at = (int)(upcalls_mid + MIN_MID);
    n = upcalls_during(pin, ext_rip, &rc, &mid, &ms);
    test_check(rc == -9999, "a pin abandoned at its second upcall in the middle (rc %ld)", rc);
    rc = mm_update_va_mapping(mm_pfn_va(mm_boot_pfns() - 1), mm_pte(l1s[0], MM_RW_FLAGS), UVMF_INVLPG);
    test_check(rc != 0, "an L1 of the half-validated tree cannot be mapped writable: rc=%ld", rc);
    mm_scratch_unmap();
    n = upcalls_during(pin, ext_rip, &rc, &mid, &ms);
    test_check(rc == 0, "the same pin again finishes it: rc=%ld (%lu upcalls)", rc, n);
    n = upcalls_during(unpin, ext_rip, &rc, &mid, &ms);
    test_check(rc == 0, "unpinned: rc=%ld (%lu upcalls)", rc, n);

    /* 5. Another pin abandoned, left for the teardown. */
    abandon_at = (int)(upcalls_mid + MIN_MID);
    n = upcalls_during(pin, ext_rip, &rc, &mid, &ms);
    test_check(rc == -9999, "a second pin abandoned (rc %ld), left to the domain's teardown", rc);
    pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_finish();
}
