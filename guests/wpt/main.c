/*
 * Writable page tables: the kernel's own plain writes to its L1 page tables
 * through a read-only mapping of them, which the hypervisor emulates as the
 * page-table update they mean once VMASST_TYPE_writable_pagetables is on.
 *
 * At L4 slot WPT_SLOT: one L3, one L2 and two L1s built from free frames and
 * hooked into the loaded L4 with mmu_update (never pinned): L1 `a` maps the
 * pages the tests change (A_BASE...), L1 `v` holds read-only views of the
 * tables (V_BASE...). A third L1 `p` is only pinned, hooked nowhere, and seen
 * through its view. Every write below goes through a view; one that is not
 * emulated comes back as the #PF it is (error code, CR2) and changes nothing.
 */
#include "mm.h"
#include "pv.h"

#include "errno.h"

#define E(x) (-(long)XEN_##x)

#define WPT_SLOT 4
#define A_BASE   0x0000020000000000UL       /* mm_va(WPT_SLOT, 0, 0, 0): L1 a */
#define V_BASE   (A_BASE + (1UL << 21))     /* L1 v */
#define VIEW_A   0                          /* slots of L1 v */
#define VIEW_P   1
#define VIEW_L2  2
#define VIEW_L3  3

#define PF_P 1UL
#define PF_W 2UL
#define PF_U 4UL

static unsigned long l3, l2, l1a, l1v, l1p, d1, d2, d3, m2p_mfn;

/* ---- catching page faults ------------------------------------------------ */

/* Where the #PF handler resumes: set by PROBE right before its instruction. */
unsigned long wpt_probe_resume;
static volatile unsigned long pf_count, pf_err, pf_cr2, pf_rip;

#define PROBE(body, ...)                                                      \
    __asm__ volatile("leaq 9f(%%rip), %%r11\n\tmovq %%r11, wpt_probe_resume(%%rip)\n\t" \
                     body "\n9:\n\tmovq $0, wpt_probe_resume(%%rip)" __VA_ARGS__)

static void pf_handler(struct pv_regs *r)
{
    if (!wpt_probe_resume) {
        pv_dump_regs("page fault outside a probe", r);
        test_check(0, "unexpected page fault at %#lx, CR2 %#lx", r->rip, (unsigned long)pv_vcpu->arch.cr2);
        test_finish();
    }
    pf_count++;
    pf_err = r->error;
    pf_cr2 = pv_vcpu->arch.cr2;
    pf_rip = r->rip;
    r->rip = wpt_probe_resume;
    wpt_probe_resume = 0;
}

/* ---- helpers --------------------------------------------------------------- */

static volatile unsigned long *view(unsigned slot)
{
    return (volatile unsigned long *)(V_BASE + slot * MM_PAGE_SIZE);
}
/* Entry i of L1 a, read and written through its view. */
static volatile unsigned long *ent(unsigned i)
{
    return view(VIEW_A) + i;
}
/* Entry i as read back, without the global bit (Xen may add it to a
 * present entry, Xenolith does not: cpu_edges). */
static unsigned long e(unsigned i)
{
    return *ent(i) & ~MM_G;
}
static unsigned long page_va(unsigned i)
{
    return A_BASE + i * MM_PAGE_SIZE;
}
static void invlpg(unsigned long va)
{
    long rc = mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    if (rc)
        test_check(0, "MMUEXT_INVLPG_LOCAL %#lx: rc=%ld", va, rc);
}

static long poke(unsigned long mfn, unsigned idx, unsigned long val)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        return mm_last_rc;
    p[idx] = val;
    mm_scratch_unmap();
    return 0;
}

static long fill(unsigned long mfn, unsigned long tag)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        return mm_last_rc;
    for (unsigned j = 0; j < 512; j++)
        p[j] = tag ^ j;
    mm_scratch_unmap();
    return 0;
}

/* A plain 8-byte store through the view; 1 when it faulted. */
static int store8(volatile unsigned long *at, unsigned long val)
{
    unsigned long n = pf_count;
    PROBE("movq %1, (%0)", : : "r"(at), "r"(val) : "r11", "memory");
    return pf_count != n;
}

/* A read of one byte at va; 1 when it faulted. */
static int probe_read(unsigned long va, unsigned long *out)
{
    unsigned long n = pf_count, v = 0;
    PROBE("movq (%1), %0", : "+r"(v) : "r"(va) : "r11", "memory");
    *out = v;
    return pf_count != n;
}

/* The fault the last probe took was the one a write to `at` gets natively:
 * present, write (the user bit is not shown to the guest kernel), CR2 = at. */
static int write_fault_at(const char *what, unsigned long n_before, volatile void *at)
{
    return test_check(pf_count == n_before + 1 && pf_err == (PF_P | PF_W) && pf_cr2 == (unsigned long)at,
                      "%s: #PF error %#lx (want %#lx) CR2 %#lx (want %#lx), %lu fault(s)", what, pf_err,
                      PF_P | PF_W, pf_cr2, (unsigned long)at, pf_count - n_before);
}

/* ---- set-up ---------------------------------------------------------------- */

static int setup(void)
{
    long rc = 0;
    unsigned long e = MM_INVALID;

    xen_pfn_t list[4] = { 0 };
    struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = list };
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
    m2p_mfn = list[0];
    if (!test_check(rc == 0 && m2p_mfn, "XENMEM_machphys_mfn_list: rc=%ld, first chunk at %#lx", rc, m2p_mfn))
        return -1;
    if (!test_check(mm_read_pte(A_BASE, 4, &e) == 0 && e == 0, "L4 slot %d is free (%#lx)", WPT_SLOT, e))
        return -1;
    l3 = mm_alloc_mfn(); l2 = mm_alloc_mfn(); l1a = mm_alloc_mfn(); l1v = mm_alloc_mfn();
    l1p = mm_alloc_mfn(); d1 = mm_alloc_mfn(); d2 = mm_alloc_mfn(); d3 = mm_alloc_mfn();
    if (!test_check(d3 != MM_INVALID, "eight free frames"))
        return -1;
    rc |= mm_zero_frame(l3) | mm_zero_frame(l2) | mm_zero_frame(l1a) | mm_zero_frame(l1v);
    rc |= mm_zero_frame(l1p) | mm_zero_frame(d3);
    rc |= fill(d1, 0xd1d1d1d1d1000000UL) | fill(d2, 0xd2d2d2d2d2000000UL);
    /* Views first, while the frames are ordinary pages; then the links. */
    rc |= poke(l1v, VIEW_A, mm_pte(l1a, MM_RO_FLAGS));
    rc |= poke(l1v, VIEW_P, mm_pte(l1p, MM_RO_FLAGS));
    rc |= poke(l1v, VIEW_L2, mm_pte(l2, MM_RO_FLAGS));
    rc |= poke(l1v, VIEW_L3, mm_pte(l3, MM_RO_FLAGS));
    rc |= poke(l2, 0, mm_pte(l1a, MM_TABLE_FLAGS));
    rc |= poke(l2, 1, mm_pte(l1v, MM_TABLE_FLAGS));
    rc |= poke(l3, 0, mm_pte(l2, MM_TABLE_FLAGS));
    if (!test_check(rc == 0, "tables prepared: rc=%ld", rc))
        return -1;
    rc = mm_update1((mm_l4_mfn() << 12) + 8UL * WPT_SLOT, mm_pte(l3, MM_TABLE_FLAGS));
    if (!test_check(rc == 0, "L3 hooked into the loaded L4 with mmu_update: rc=%ld", rc))
        return -1;
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1p, 0);
    if (!test_check(rc == 0, "L1 p pinned: rc=%ld", rc))
        return -1;
    if (!test_check(pv_map_shared_info() != 0, "shared_info mapped (CR2 is in vcpu_info)"))
        return -1;
    pv_set_handler(14, pf_handler);
    pv_traps_default();
    rc = pv_trap_load();
    return test_check(rc == 0, "trap table: rc=%ld", rc) ? 0 : -1;
}

/* ---- the tests ------------------------------------------------------------- */

/* The assist is off (as it starts): a hardware domain's writes to its L1s
 * are still emulated (Xen 4.17 lets every present-write fault of the
 * hardware domain through to the emulation, for its read-only MMIO pages). */
static void test_without_assist(void)
{
    unsigned long n = pf_count, good = mm_pte(d1, MM_RO_FLAGS);

    long rc = HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
    test_check(rc == 0, "vm_assist disable writable_pagetables: rc=%ld", rc);
    test_check(!store8(ent(0), good) && e(0) == good, "without the assist, dom0's mov m64 is emulated: %#lx", e(0));
    test_check(!store8(ent(0), 0) && e(0) == 0 && pf_count == n, "... and clears it again: %#lx", e(0));
    rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    test_check(rc == 0, "vm_assist enable writable_pagetables: rc=%ld", rc);
}

static void test_mov(void)
{
    unsigned long v = 0, good = mm_pte(d1, MM_RW_FLAGS), n = pf_count;

    test_check(!store8(ent(0), good), "mov m64: entry 0 of the hooked, unpinned L1 written");
    test_check(e(0) == good, "... reads back %#lx (want %#lx)", e(0), good);
    test_check(!probe_read(page_va(0) + 8, &v) && v == (0xd1d1d1d1d1000000UL ^ 1),
               "... and its page is mapped: word 1 %#lx", v);
    *(volatile unsigned long *)page_va(0) = 0x5a5a;
    test_check(*(volatile unsigned long *)page_va(0) == 0x5a5a, "... writable");

    /* Partial writes merge into the entry. */
    PROBE("movb %1, (%0)", : : "r"(ent(0)), "q"((unsigned char)(good & ~MM_RW)) : "r11", "memory");
    test_check(e(0) == (good & ~MM_RW), "mov m8 (RW cleared): %#lx", e(0));
    invlpg(page_va(0));
    n = pf_count;
    PROBE("movq $1, (%0)", : : "r"(page_va(0)) : "r11", "memory");
    write_fault_at("the page made read-only by a 1-byte write", n, (void *)page_va(0));
    PROBE("movw %1, 6(%0)", : : "r"(ent(0)), "r"((unsigned short)0x8000) : "r11", "memory");
    test_check(e(0) == ((good & ~MM_RW) | MM_NX), "mov m16 at byte 6 (NX set): %#lx", e(0));
    PROBE("movl %1, 4(%0)", : : "r"(ent(0)), "r"((unsigned)(good >> 32)) : "r11", "memory");
    test_check(e(0) == (good & ~MM_RW), "mov m32 at byte 4 (NX cleared): %#lx", e(0));
    PROBE("movl %1, (%0)", : : "r"(ent(0)), "r"((unsigned)good) : "r11", "memory");
    test_check(e(0) == good, "mov m32 at byte 0 (RW set): %#lx", e(0));
    test_check(pf_count == n + 1, "no fault from the partial writes (%lu)", pf_count - n);

    /* Immediates. */
    PROBE("movq $0, 8(%0)", : : "r"(ent(0)) : "r11", "memory");
    test_check(e(1) == 0, "movq $0 to an empty entry: %#lx", e(1));
    PROBE("movq %1, 8(%0)", : : "r"(ent(0)), "r"(mm_pte(d2, 0)) : "r11", "memory");
    PROBE("movb $0x25, 8(%0)", : : "r"(ent(0)) : "r11", "memory");
    test_check(e(1) == mm_pte(d2, MM_RO_FLAGS), "movb $imm sets the flags byte: %#lx", e(1));
    test_check(!probe_read(page_va(1) + 16, &v) && v == (0xd2d2d2d2d2000000UL ^ 2), "... page 1 maps d2: %#lx", v);
    PROBE("movq $0, 8(%0)", : : "r"(ent(0)) : "r11", "memory");
    invlpg(page_va(1));
    n = pf_count;
    test_check(e(1) == 0, "movq $0: entry %#lx", e(1));
    test_check(probe_read(page_va(1), &v) && pf_err == 0 && pf_cr2 == page_va(1),
               "movq $0 cleared the entry: the page then faults (error %#lx CR2 %#lx)", pf_err, pf_cr2);
    test_check(pf_count == n + 1, "... once");
}

static void test_xchg_cmpxchg(void)
{
    unsigned long r, acc, v = 0, good1 = mm_pte(d1, MM_RW_FLAGS), good2 = mm_pte(d2, MM_RW_FLAGS), n = pf_count;
    unsigned char zf;

    r = good2;
    PROBE("xchgq %0, (%1)", : "+r"(r) : "r"(ent(0)) : "r11", "memory");
    test_check((r & ~MM_G) == good1 && e(0) == good2, "xchg: old %#lx returned, entry %#lx", r, e(0));
    invlpg(page_va(0));
    test_check(!probe_read(page_va(0) + 8, &v) && v == (0xd2d2d2d2d2000000UL ^ 1), "... page 0 maps d2: %#lx", v);

    acc = *ent(0);
    PROBE("lock cmpxchgq %2, (%3); setz %1", : "+a"(acc), "=q"(zf) : "r"(good1), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(zf == 1 && (acc & ~MM_G) == good2 && e(0) == good1, "cmpxchg, equal: ZF %u, rax %#lx, entry %#lx", zf, acc,
               e(0));
    acc = good2;
    PROBE("lock cmpxchgq %2, (%3); setz %1", : "+a"(acc), "=q"(zf) : "r"(0UL), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(zf == 0 && (acc & ~MM_G) == good1 && e(0) == good1,
               "cmpxchg, different: ZF %u, rax %#lx (the entry), entry %#lx unchanged", zf, acc, e(0));
    /* 4-byte cmpxchg on the upper half. */
    acc = good1 >> 32;
    PROBE("lock cmpxchgl %2, 4(%3); setz %1", : "+a"(acc), "=q"(zf) : "r"((unsigned)((good1 | MM_NX) >> 32)),
          "r"(ent(0)) : "r11", "memory", "cc");
    test_check(zf == 1 && e(0) == (good1 | MM_NX), "cmpxchg m32 on the high half: ZF %u, entry %#lx", zf, e(0));
    acc = 0xffffffff00000000UL;
    PROBE("lock cmpxchgl %2, 4(%3); setz %1", : "+a"(acc), "=q"(zf) : "r"((unsigned)(good1 >> 32)), "r"(ent(0))
          : "r11", "memory", "cc");
    test_check(zf == 0 && acc == (good1 | MM_NX) >> 32 && e(0) == (good1 | MM_NX),
               "cmpxchg m32 failing: ZF %u, rax %#lx (zero-extended high half), entry %#lx", zf, acc, e(0));
    test_check(pf_count == n, "no faults (%lu)", pf_count - n);

    /* A compare that fails looks no further: the new value is not checked. */
    acc = 0;
    PROBE("lock cmpxchgq %2, (%3); setz %1", : "+a"(acc), "=q"(zf) : "r"(mm_pte(l1p, MM_RW_FLAGS)), "r"(ent(0))
          : "r11", "memory", "cc");
    test_check(pf_count == n && zf == 0 && (acc & ~MM_G) == (good1 | MM_NX) && e(0) == (good1 | MM_NX),
               "cmpxchg of a refused value, compare failing: no fault, ZF %u, rax %#lx, entry %#lx", zf, acc,
               e(0));
    /* A compare that succeeds with a refused value: the guest's #PF. */
    PROBE("lock cmpxchgq %1, (%2)", : "+a"(acc) : "r"(mm_pte(l1p, MM_RW_FLAGS)), "r"(ent(0)) : "r11", "memory", "cc");
    write_fault_at("cmpxchg of a refused value, compare succeeding", n, ent(0));
    test_check(e(0) == (good1 | MM_NX), "... entry unchanged: %#lx", e(0));
    acc = *ent(0);
    PROBE("lock cmpxchgq %1, (%2)", : "+a"(acc) : "r"(good1), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == good1, "... then a valid one: entry %#lx", e(0));
}

static void test_lock_ops(void)
{
    unsigned long good = mm_pte(d1, MM_RW_FLAGS), n = pf_count, r;
    unsigned char zf, cf;

    PROBE("lock andb $0xfd, (%1); setz %0", : "=q"(zf) : "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == (good & ~MM_RW) && zf == 0, "lock andb $0xfd (ptep_set_wrprotect): entry %#lx, ZF %u",
               e(0), zf);
    PROBE("lock orb $2, (%1); setz %0", : "=q"(zf) : "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == good && zf == 0, "lock orb $2: entry %#lx, ZF %u", e(0), zf);
    PROBE("lock andq $0, (%1); setz %0", : "=q"(zf) : "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == 0 && zf == 1, "lock andq $0: entry %#lx, ZF %u", e(0), zf);
    PROBE("lock orq %1, (%2); setz %0", : "=q"(zf) : "r"(good), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == good && zf == 0, "lock or m64, r64: entry %#lx, ZF %u", e(0), zf);
    PROBE("lock btsq $63, (%1); setc %0", : "=q"(cf) : "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == (good | MM_NX) && cf == 0, "lock bts $63: entry %#lx, CF %u", e(0), cf);
    PROBE("lock btrq $63, (%1); setc %0", : "=q"(cf) : "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == good && cf == 1, "lock btr $63: entry %#lx, CF %u", e(0), cf);
    /* A register bit offset reaches the next entry: bit 65 from entry 0 is RW of entry 1. */
    PROBE("movq %0, 8(%1)", : : "r"(mm_pte(d2, MM_RW_FLAGS)), "r"(ent(0)) : "r11", "memory");
    r = 65;
    PROBE("lock btrq %1, (%2); setc %0", : "=q"(cf) : "r"(r), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(1) == mm_pte(d2, MM_RO_FLAGS | MM_D) && e(0) == good && cf == 1,
               "lock btr with bit offset 65 (test_and_clear_bit): entry 1 %#lx, CF %u", e(1), cf);
    r = (unsigned long)-63;    /* from entry 1 back to bit 1 of entry 0 */
    PROBE("lock btsq %1, 8(%2); setc %0", : "=q"(cf) : "r"(r), "r"(ent(0)) : "r11", "memory", "cc");
    test_check(e(0) == good && cf == 1, "lock bts with bit offset -63: entry 0 %#lx, CF %u", e(0), cf);
    PROBE("movq $0, 8(%0)", : : "r"(ent(0)) : "r11", "memory");
    test_check(pf_count == n, "no faults (%lu)", pf_count - n);
}

/* Writes that are not emulated: the #PF as it came, nothing changed. */
static void test_refused(void)
{
    unsigned long n, good = mm_pte(d1, MM_RW_FLAGS), old;

    n = pf_count;
    test_check(store8(ent(2), mm_pte(l1p, MM_RW_FLAGS)), "a writable mapping of a page table is refused");
    write_fault_at("... with the native #PF", n, ent(2));
    test_check(e(2) == 0, "... entry unchanged (%#lx)", e(2));
    n = pf_count;
    test_check(store8(ent(2), mm_pte(m2p_mfn, MM_RO_FLAGS)), "a mapping of the hypervisor's frame is refused");
    write_fault_at("... with the native #PF", n, ent(2));
    /* Not naturally aligned: refused even with a valid result. */
    n = pf_count;
    PROBE("movq %1, 4(%0)", : : "r"(ent(2)), "r"(0UL) : "r11", "memory");
    write_fault_at("a misaligned 8-byte write (across two entries)", n, (char *)ent(2) + 4);
    n = pf_count;
    PROBE("movw %1, 1(%0)", : : "r"(ent(0)), "r"((unsigned short)(good >> 8)) : "r11", "memory");
    write_fault_at("a misaligned 2-byte write", n, (char *)ent(0) + 1);
    test_check(e(0) == good, "entry 0 unchanged: %#lx", e(0));

    /* Only L1 tables: L2 and L3 (and the L4) stay the guest's faults. */
    old = view(VIEW_L2)[0];
    n = pf_count;
    test_check(store8(&view(VIEW_L2)[0], old), "a write of the same value to the L2 faults");
    write_fault_at("... with the native #PF", n, &view(VIEW_L2)[0]);
    n = pf_count;
    test_check(store8(&view(VIEW_L3)[5], 0), "a write to the L3 faults");
    write_fault_at("... with the native #PF", n, &view(VIEW_L3)[5]);
    volatile unsigned long *l4 = (volatile unsigned long *)mm_frame_va(mm_l4_mfn());
    if (test_check(l4 != 0, "the loaded L4 has a read-only view (%p)", (void *)l4)) {
        n = pf_count;
        test_check(store8(&l4[WPT_SLOT + 1], 0), "a write to the L4 faults");
        write_fault_at("... with the native #PF", n, &l4[WPT_SLOT + 1]);
    }
}

/* The pinned L1 that is hooked nowhere is written the same way. */
static void test_pinned(void)
{
    volatile unsigned long *p = view(VIEW_P);
    unsigned long good = mm_pte(d2, MM_RO_FLAGS), r = 0, n = pf_count;

    test_check(!store8(&p[7], good) && (p[7] & ~MM_G) == good, "mov m64 into the pinned L1: %#lx", p[7]);
    PROBE("xchgq %0, (%1)", : "+r"(r) : "r"(&p[7]) : "r11", "memory");
    test_check((r & ~MM_G) == good && p[7] == 0, "xchg clears it (ptep_get_and_clear): old %#lx, entry %#lx", r, p[7]);
    test_check(pf_count == n, "no faults (%lu)", pf_count - n);
    n = pf_count;
    test_check(store8(&p[8], mm_pte(l2, MM_RW_FLAGS)), "a writable mapping of the L2 is refused");
    write_fault_at("... with the native #PF", n, &p[8]);
    test_check(p[8] == 0, "... entry unchanged (%#lx)", p[8]);
}

static volatile unsigned long db_count, db_rip;

static void db_handler(struct pv_regs *r)
{
    db_count++;
    db_rip = r->rip;
    r->rflags &= ~0x100UL;
}

/* With TF set, the emulated write ends with the single-step #DB after it. */
static void test_single_step(void)
{
    unsigned long after, n = pf_count, good = mm_pte(d2, MM_RO_FLAGS);

    pv_set_handler(1, db_handler);
    __asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
                     "movq %2, (%1)\n"
                     "8:\tnop\n\t"
                     "leaq 8b(%%rip), %0"
                     : "=r"(after) : "r"(ent(4)), "r"(good) : "memory", "cc");
    pv_set_handler(1, 0);
    test_check(pf_count == n && e(4) == good, "the write under TF is emulated: entry %#lx", e(4));
    test_check(db_count == 1 && db_rip == after, "... then one #DB (%lu) right after it: rip %#lx (want %#lx)",
               db_count, db_rip, after);
    test_check(!store8(ent(4), 0), "entry 4 cleared");
}

/* References follow the emulated writes: a frame mapped writable by one
 * cannot become a page table until another takes the mapping away. */
static void test_accounting(void)
{
    long rc;

    test_check(!store8(ent(3), mm_pte(d3, MM_RW_FLAGS)), "d3 mapped writable through an emulated write");
    *(volatile unsigned long *)page_va(3) = 0x1234;
    *(volatile unsigned long *)page_va(3) = 0;
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, d3, 0);
    test_check(rc == E(EINVAL), "... so it cannot be pinned as an L1: rc=%ld (want %ld)", rc, E(EINVAL));
    test_check(!store8(ent(3), 0), "the entry cleared through an emulated write");
    invlpg(page_va(3));
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, d3, 0);
    test_check(rc == 0, "... then d3 pins as an L1: rc=%ld", rc);
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, d3, 0);
    test_check(rc == 0, "... and unpins: rc=%ld", rc);
    /* The tables go away cleanly: L1 p unpinned, the slot unhooked. */
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1p, 0);
    test_check(rc == 0, "L1 p unpinned: rc=%ld", rc);
    test_check(!store8(ent(0), 0), "entry 0 cleared");
    rc = mm_update1((mm_l4_mfn() << 12) + 8UL * WPT_SLOT, 0);
    test_check(rc == 0, "slot unhooked: rc=%ld", rc);
    mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1a, 0);
    test_check(rc == 0, "the former L1 a pins again on its own: rc=%ld", rc);
    mm_ext1(MMUEXT_UNPIN_TABLE, l1a, 0);
    void *w = mm_scratch_map(l1v, MM_RW_FLAGS);
    test_check(w != 0, "the former L1 v maps writable once unhooked: rc=%ld", mm_last_rc);
    mm_scratch_unmap();
}

/* A GS-relative store with a GS base the kernel wrote itself (CR4.FSGSBASE,
 * wrgsbase): refused as on Xen 4.17, whose emulation ignores FS/GS bases. */
static void test_gs_base(void)
{
    unsigned r[4], cr4;
    unsigned long base, saved, e0 = e(0), val = mm_pte(d1, MM_RO_FLAGS), n;

    __asm__ volatile(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e\n\tcpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "0"(7), "2"(0));
    if (!(r[1] & 1)) {
        test_note("FSGSBASE not offered by this CPU: the GS-relative store is not tried");
        return;
    }
    {
        unsigned long c;
        __asm__ volatile("mov %%cr4, %0" : "=r"(c));
        cr4 = (unsigned)c;
        __asm__ volatile("mov %0, %%cr4" : : "r"(c | (1ul << 16)) : "memory");
    }
    __asm__ volatile("rdgsbase %0" : "=r"(saved));
    base = (unsigned long)ent(0) - 0x1000;
    __asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
    n = pf_count;
    PROBE("movq %0, %%gs:0x1000", : : "r"(val) : "r11", "memory");
    __asm__ volatile("wrgsbase %0" : : "r"(saved) : "memory");
    __asm__ volatile("mov %0, %%cr4" : : "r"((unsigned long)cr4) : "memory");
    /* Xen 4.17's emulation takes the instruction's offset without the
     * segment base and compares it with CR2: the store is refused. */
    write_fault_at("mov to %gs:0x1000 with a GS base set by wrgsbase (the base is not added)", n, ent(0));
    test_check(e(0) == e0, "... entry 0 unchanged: %#lx (want %#lx)", e(0), e0);
}

void test_main(start_info_t *si)
{
    (void)si;
    if (setup() != 0)
        test_finish();
    test_without_assist();
    test_mov();
    test_xchg_cmpxchg();
    test_lock_ops();
    test_gs_base();
    test_refused();
    test_pinned();
    test_single_step();
    test_accounting();
    test_finish();
}
