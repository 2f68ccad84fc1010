/*
 * Hypercall micro-benchmarks, run as dom0 on Xenolith and on Xen alike.
 *
 * Figures (TSC cycles; median of BENCH_ROUNDS rounds after a warm-up round):
 *   hypercall_null      xen_version(XENVER_version) through the hypercall page
 *   mmu_update_b1       mmu_update, per page-table entry, in batches of 1,
 *   mmu_update_b64      64
 *   mmu_update_b512     and 512 entries: every update re-points a present,
 *                       writable L1 entry at the other of two data frames
 *   ptwr_pte            the same entries re-pointed by plain stores through
 *                       a read-only view, emulated (writable page tables)
 *   pin_l4_1g           MMUEXT_PIN_L4_TABLE of an L4 whose tree maps 1 GiB
 *                       (1 L3, 1 L2, 512 L1s, 262144 read-only entries)
 *   unpin_l4_1g         MMUEXT_UNPIN_TABLE of it
 *   grant_map_unmap     grant map + unmap of one page, grant copy of 4 KiB
 *   grant_copy_4k       (dom0's own frames granted to itself): see grant.c
 *   trap_ud_iret ...    exception bounce, user syscall, event upcall and
 *   timer_late          timer latency, in cycles and ns: see paths.c
 *
 * Nothing is taken on trust: every call's result (and success count) is
 * checked inside the timed loops, and the state each round leaves behind is
 * checked after it (outside the timing), so a fast wrong answer fails the
 * test instead of scoring; a bad entry planted at the far end of the 1 GiB
 * tree must make the pin fail, so the pin cannot skip the walk either.  The
 * guest ends with the usual "Test result:".
 */
#include "bench.h"
#include "errno.h"
#include "mm.h"
#include "version.h"

/* ---- small helpers ------------------------------------------------------------ */

/* Write a whole frame from `words` through the scratch page; 0 or the mapping error. */
static long write_frame(unsigned long mfn, const unsigned long *words)
{
    volatile unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        return mm_last_rc;
    for (unsigned i = 0; i < 512; i++)
        p[i] = words[i];
    mm_scratch_unmap();
    return 0;
}

/* Read one word of a frame through a read-only scratch mapping. */
static int read_frame_word(unsigned long mfn, unsigned idx, unsigned long *out)
{
    const volatile unsigned long *p = mm_scratch_map(mfn, MM_RO_FLAGS);
    if (!p)
        return -1;
    *out = p[idx];
    mm_scratch_unmap();
    return 0;
}

/* Can frame mfn be mapped writable right now (i.e. it is no page table)? */
static long try_writable(unsigned long mfn)
{
    void *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    long rc = p ? 0 : mm_last_rc;
    mm_scratch_unmap();
    return rc;
}

static long ext_op(unsigned int cmd, unsigned long mfn, unsigned int *done)
{
    struct mmuext_op op;

    g_memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = mfn;
    *done = 0xdead;
    return HYPERVISOR_mmuext_op(&op, 1, done, DOMID_SELF);
}

/* ---- the floor: rdtsc itself --------------------------------------------------------- */

static void note_tsc_overhead(void)
{
    uint64_t best = ~0ULL;
    for (int r = 0; r < 64; r++) {
        uint64_t a = bench_tsc();
        uint64_t b = bench_tsc();
        if (b - a < best)
            best = b - a;
    }
    test_note("back-to-back fenced rdtsc: %lu cycles at best (included once per timed round, "
              "not subtracted)", (unsigned long)best);
    test_note("BENCH-SKIP syscall_sysret: a bare syscall+sysret round trip cannot be measured "
              "from a PV guest kernel (its syscall enters the hypervisor)");
}

/* ---- null hypercall ------------------------------------------------------------------- */

#define NULL_ITERS 20000

static void bench_null_hypercall(void)
{
    struct bench_figure f;
    long expect = HYPERVISOR_xen_version(XENVER_version, 0);
    unsigned long bad = 0;

    if (!test_check(expect > 0, "xen_version(XENVER_version) = %#lx", expect))
        return;
    bench_begin(&f, "hypercall_null", "cycles");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        uint64_t t0 = bench_tsc();
        for (unsigned i = 0; i < NULL_ITERS; i++) {
            long v = HYPERVISOR_xen_version(XENVER_version, 0);
            bad += v != expect;
        }
        uint64_t t1 = bench_tsc();
        if (t1 <= t0)
            bad++;
        if (round >= 0)
            bench_record(&f, t1 - t0, NULL_ITERS);
    }
    int ok = test_check(bad == 0, "%u null hypercalls in %d rounds all returned %#lx (%lu did not)",
                        NULL_ITERS * (BENCH_ROUNDS + 1), BENCH_ROUNDS + 1, expect, bad);
    bench_report(&f, ok);
}

/* ---- mmu_update ------------------------------------------------------------------------- */

/*
 * An L3 -> L2 -> L1 hooked at L4 slot MU_SLOT of the running address space.
 * All 512 entries of the L1 map one of two data frames (writable); a pass
 * re-points all of them at the other frame.  The frames hold distinct
 * patterns, so a read through each page shows which one it maps.
 */
#define MU_SLOT       2
#define MU_PER_ROUND  8192 /* entries rewritten per timed round: 16 passes */

static unsigned long mu_l3, mu_l2, mu_l1, mu_frame[2];
static int mu_cur; /* which frame every L1 entry maps now */
static mmu_update_t mu_req[2][512];

static unsigned long mu_word(int frame, unsigned j)
{
    return (frame ? 0x6d75f00dbeef0000UL : 0x6d75ca11ab1e0000UL) ^ (j * 0x10001UL);
}

static unsigned long mu_va(unsigned i)
{
    return mm_va(MU_SLOT, 0, 0, i);
}

static int mu_setup(void)
{
    static unsigned long image[512];
    unsigned long e = MM_INVALID;

    int r = mm_read_pte(mu_va(0), 4, &e);
    if (!test_check(r == 0 && e == 0, "L4 slot %d is free (entry %#lx)", MU_SLOT, e))
        return 0;
    mu_l3 = mm_alloc_mfn();
    mu_l2 = mm_alloc_mfn();
    mu_l1 = mm_alloc_mfn();
    mu_frame[0] = mm_alloc_mfn();
    mu_frame[1] = mm_alloc_mfn();

    long rc = mm_zero_frame(mu_l3) | mm_zero_frame(mu_l2) | mm_zero_frame(mu_l1);
    for (int f = 0; f < 2; f++) {
        for (unsigned j = 0; j < 512; j++)
            image[j] = mu_word(f, j);
        rc |= write_frame(mu_frame[f], image);
    }
    if (!test_check(rc == 0, "mmu_update set-up: tables zeroed, data frames %#lx %#lx filled",
                    mu_frame[0], mu_frame[1]))
        return 0;

    long r4 = mm_update1((mm_l4_mfn() << 12) + 8UL * MU_SLOT, mm_pte(mu_l3, MM_TABLE_FLAGS));
    long r3 = mm_update1(mu_l3 << 12, mm_pte(mu_l2, MM_TABLE_FLAGS));
    long r2 = mm_update1(mu_l2 << 12, mm_pte(mu_l1, MM_TABLE_FLAGS));
    if (!test_check(r4 == 0 && r3 == 0 && r2 == 0, "hooked L3 %#lx, L2 %#lx, L1 %#lx at %#lx: rc %ld %ld %ld",
                    mu_l3, mu_l2, mu_l1, mu_va(0), r4, r3, r2))
        return 0;

    for (int f = 0; f < 2; f++)
        for (unsigned i = 0; i < 512; i++) {
            mu_req[f][i].ptr = (mu_l1 << 12) + 8UL * i; /* MMU_NORMAL_PT_UPDATE */
            mu_req[f][i].val = mm_pte(mu_frame[f], MM_RW_FLAGS);
        }
    unsigned int done = 0;
    rc = HYPERVISOR_mmu_update(mu_req[0], 512, &done, DOMID_SELF);
    mu_cur = 0;
    return test_check(rc == 0 && done == 512, "filled the L1 (512 entries -> frame %#lx): rc=%ld done=%u",
                      mu_frame[0], rc, done);
}

/* After a round: every entry maps mu_frame[mu_cur], and reads through it show that frame. */
static unsigned long mu_verify(void)
{
    unsigned long bad = 0;
    unsigned int done;

    if (ext_op(MMUEXT_TLB_FLUSH_LOCAL, 0, &done) != 0)
        bad++;
    const volatile unsigned long *l1 = mm_scratch_map(mu_l1, MM_RO_FLAGS);
    if (!l1)
        return bad + 1;
    for (unsigned i = 0; i < 512; i++) {
        unsigned long e = l1[i];
        if (mm_pte_mfn(e) != mu_frame[mu_cur] || (e & (MM_P | MM_RW)) != (MM_P | MM_RW))
            bad++;
    }
    mm_scratch_unmap();
    for (unsigned i = 0; i < 512; i++)
        if (*(const volatile unsigned long *)(mu_va(i) + 8UL * i) != mu_word(mu_cur, i))
            bad++;
    return bad;
}

static void bench_mmu_update(unsigned batch, const char *name)
{
    struct bench_figure f;
    unsigned long bad_calls = 0, bad_state = 0;

    bench_begin(&f, name, "cycles/pte");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        uint64_t t0 = bench_tsc();
        for (unsigned pass = 0; pass < MU_PER_ROUND / 512; pass++) {
            mmu_update_t *req = mu_req[mu_cur ^ 1];
            for (unsigned off = 0; off < 512; off += batch) {
                unsigned int done = ~0u;
                long rc = HYPERVISOR_mmu_update(req + off, batch, &done, DOMID_SELF);
                bad_calls += rc != 0 || done != batch;
            }
            mu_cur ^= 1;
        }
        uint64_t t1 = bench_tsc();
        bad_state += mu_verify() + (t1 <= t0);
        if (round >= 0)
            bench_record(&f, t1 - t0, MU_PER_ROUND);
    }
    int ok = test_check(bad_calls == 0 && bad_state == 0,
                        "mmu_update in batches of %u: %u entries in %d rounds; failed calls %lu, "
                        "wrong entries or reads afterwards %lu", batch,
                        MU_PER_ROUND * (BENCH_ROUNDS + 1), BENCH_ROUNDS + 1, bad_calls, bad_state);
    bench_report(&f, ok);
}

/* The same entries re-pointed by plain 8-byte stores through a read-only
 * view of the L1 (the scratch page), each emulated by the hypervisor as a
 * writable page-table write: bench_ptwr_insn is the store (tools/bench-icount
 * path ptwr steps it). */
__asm__(".pushsection .text\n"
        ".globl bench_ptwr_store\n"
        "bench_ptwr_store:\n"           /* (entry, value) */
        ".globl bench_ptwr_insn\n"
        "bench_ptwr_insn:\n"
        "  movq %rsi, (%rdi)\n"
        ".globl bench_ptwr_after\n"
        "bench_ptwr_after:\n"
        "  ret\n"
        ".popsection\n");
void bench_ptwr_store(volatile unsigned long *entry, unsigned long val);

static void bench_ptwr(void)
{
    struct bench_figure f;
    unsigned long bad_state = 0, val[2] = { mm_pte(mu_frame[0], MM_RW_FLAGS), mm_pte(mu_frame[1], MM_RW_FLAGS) };
    long rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);

    if (!test_check(rc == 0, "vm_assist enable writable_pagetables: rc=%ld", rc))
        return;
    bench_begin(&f, "ptwr_pte", "cycles/pte");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        volatile unsigned long *view = mm_scratch_map(mu_l1, MM_RO_FLAGS);
        if (!view) {
            bad_state++;
            break;
        }
        uint64_t t0 = bench_tsc();
        for (unsigned pass = 0; pass < MU_PER_ROUND / 512; pass++) {
            unsigned long v = val[mu_cur ^ 1];
            for (unsigned i = 0; i < 512; i++)
                bench_ptwr_store(view + i, v);
            mu_cur ^= 1;
        }
        uint64_t t1 = bench_tsc();
        mm_scratch_unmap();
        bad_state += mu_verify() + (t1 <= t0);
        if (round >= 0)
            bench_record(&f, t1 - t0, MU_PER_ROUND);
    }
    int ok = test_check(bad_state == 0, "emulated PTE stores: %u entries in %d rounds; wrong entries or reads "
                        "afterwards %lu", MU_PER_ROUND * (BENCH_ROUNDS + 1), BENCH_ROUNDS + 1, bad_state);
    bench_report(&f, ok);
}

static void mu_teardown(void)
{
    unsigned int done;
    long rc = mm_update1((mm_l4_mfn() << 12) + 8UL * MU_SLOT, 0);
    long rf = ext_op(MMUEXT_TLB_FLUSH_LOCAL, 0, &done);
    long w = try_writable(mu_l1);
    test_check(rc == 0 && rf == 0 && w == 0,
               "unhooked the mmu_update tables: rc=%ld, the L1 is an ordinary page again (rc=%ld)", rc, w);
}

/* ---- pinning a 1 GiB tree ---------------------------------------------------------------- */

#define PT_SLOT  1     /* L4 slot of the tree in its own L4 */
#define PT_NR_L1 512   /* 512 L1s x 512 entries x 4 KiB = 1 GiB */

static unsigned long pt_l4, pt_l3, pt_l2, pt_l1[PT_NR_L1];

/*
 * Build the tree once: every L1 maps the guest's own pfns 0..511 read-only
 * (so each of those frames is mapped 512 times); the tables are fresh frames
 * beyond the start-of-day region, which the guest never maps writable except
 * briefly through the scratch page while filling them.
 */
static int pt_build(void)
{
    static unsigned long image[512];
    long rc = 0;

    pt_l4 = mm_alloc_mfn();
    pt_l3 = mm_alloc_mfn();
    pt_l2 = mm_alloc_mfn();
    for (unsigned i = 0; i < PT_NR_L1; i++)
        pt_l1[i] = mm_alloc_mfn();

    for (unsigned j = 0; j < 512; j++)
        image[j] = mm_pte(mm_pfn_to_mfn(j), MM_RO_FLAGS);
    for (unsigned i = 0; i < PT_NR_L1; i++)
        rc |= write_frame(pt_l1[i], image);
    for (unsigned j = 0; j < 512; j++)
        image[j] = mm_pte(pt_l1[j], MM_TABLE_FLAGS);
    rc |= write_frame(pt_l2, image);
    g_memset(image, 0, sizeof(image));
    image[0] = mm_pte(pt_l2, MM_TABLE_FLAGS);
    rc |= write_frame(pt_l3, image);
    image[0] = 0;
    image[PT_SLOT] = mm_pte(pt_l3, MM_TABLE_FLAGS);
    rc |= write_frame(pt_l4, image);

    /* Spot checks of what was written, through read-only views. */
    unsigned long a = 0, b = 0, c = 0;
    int rd = read_frame_word(pt_l1[PT_NR_L1 - 1], 511, &a) | read_frame_word(pt_l2, 511, &b) |
             read_frame_word(pt_l4, PT_SLOT, &c);
    return test_check(rc == 0 && rd == 0 && mm_pte_mfn(a) == mm_pfn_to_mfn(511) && !(a & MM_RW) &&
                      mm_pte_mfn(b) == pt_l1[PT_NR_L1 - 1] && mm_pte_mfn(c) == pt_l3,
                      "built a 1 GiB tree: L4 %#lx -> L3 %#lx -> L2 %#lx -> %u L1s (%#lx..) mapping "
                      "pfns 0-511 read-only %u times each", pt_l4, pt_l3, pt_l2, PT_NR_L1, pt_l1[0],
                      PT_NR_L1);
}

/*
 * The pin really walks the whole tree: with the very last entry of the last
 * L1 turned into a writable mapping of the first L1 (a page table of the same
 * tree), pinning must fail and leave nothing behind; with the entry put back
 * it must work again.
 */
static int pt_check_validation(void)
{
    unsigned long last = pt_l1[PT_NR_L1 - 1], good = 0;
    unsigned int done;
    volatile unsigned long *p;

    if (read_frame_word(last, 511, &good) || !(p = mm_scratch_map(last, MM_RW_FLAGS)))
        return test_check(0, "cannot map the last L1 to plant a bad entry (rc=%ld)", mm_last_rc);
    p[511] = mm_pte(pt_l1[0], MM_RW_FLAGS);
    mm_scratch_unmap();

    long bad = ext_op(MMUEXT_PIN_L4_TABLE, pt_l4, &done);
    if (bad == 0)
        ext_op(MMUEXT_UNPIN_TABLE, pt_l4, &done);
    /* The L4 and the L1 that held the bad entry are free again at once.
     * (Xen 4.17 keeps the first L1 typed for a while: -EBUSY for a writable
     * mapping; it is checked once the tree has been pinned and unpinned.) */
    long w4 = try_writable(pt_l4), wl = try_writable(last);

    p = mm_scratch_map(last, MM_RW_FLAGS);
    if (p)
        p[511] = good;
    mm_scratch_unmap();
    long again = ext_op(MMUEXT_PIN_L4_TABLE, pt_l4, &done);
    long un = again == 0 ? ext_op(MMUEXT_UNPIN_TABLE, pt_l4, &done) : -1;
    long w1 = try_writable(pt_l1[0]);
    return test_check(bad < 0 && w4 == 0 && wl == 0 && p && again == 0 && un == 0 && w1 == 0,
                      "a writable mapping of one of its L1s in the tree's last entry makes the pin "
                      "fail (rc=%ld; L4 and last L1 writable again: rc %ld %ld); restored, the tree "
                      "pins (rc=%ld) and unpins (rc=%ld) again, then the first L1 is writable "
                      "(rc=%ld)", bad, w4, wl, again, un, w1);
}

static void bench_pin(void)
{
    struct bench_figure pin, unpin;
    unsigned long bad_calls = 0, bad_state = 0;

    bench_begin(&pin, "pin_l4_1g", "cycles/op");
    bench_begin(&unpin, "unpin_l4_1g", "cycles/op");
    for (int round = -1; round < BENCH_ROUNDS; round++) {
        unsigned int done;
        uint64_t t0 = bench_tsc();
        long rc = ext_op(MMUEXT_PIN_L4_TABLE, pt_l4, &done);
        uint64_t t1 = bench_tsc();
        if (rc != 0 || done != 1) {
            bad_calls++;
            test_note("round %d: MMUEXT_PIN_L4_TABLE rc=%ld done=%u", round, rc, done);
            break;
        }
        /* Pinned: neither the L4 nor a leaf table may be mapped writable. */
        if (try_writable(pt_l4) == 0 || try_writable(pt_l1[round & 511]) == 0)
            bad_state++;

        uint64_t t2 = bench_tsc();
        rc = ext_op(MMUEXT_UNPIN_TABLE, pt_l4, &done);
        uint64_t t3 = bench_tsc();
        if (rc != 0 || done != 1) {
            bad_calls++;
            test_note("round %d: MMUEXT_UNPIN_TABLE rc=%ld done=%u", round, rc, done);
            break;
        }
        /* Unpinned and referenced by nothing: the whole tree is released. */
        if (try_writable(pt_l4) || try_writable(pt_l3) || try_writable(pt_l2) ||
            try_writable(pt_l1[PT_NR_L1 - 1 - (round & 255)]))
            bad_state++;
        bad_state += (t1 <= t0) + (t3 <= t2);
        if (round >= 0) {
            bench_record(&pin, t1 - t0, 1);
            bench_record(&unpin, t3 - t2, 1);
        }
    }
    int ok = test_check(bad_calls == 0 && bad_state == 0,
                        "pinned and unpinned the 1 GiB tree %d times: failed calls %lu, "
                        "wrong table states %lu", BENCH_ROUNDS + 1, bad_calls, bad_state);
    ok &= pt_check_validation();
    bench_report(&pin, ok);
    bench_report(&unpin, ok);
}

/* ---- entry ------------------------------------------------------------------------------- */

void test_main(start_info_t *si)
{
    unsigned long need = 5 + 3 + PT_NR_L1 + BENCH_PATHS_FRAMES + BENCH_GRANT_FRAMES + 16;

    test_note("benchmark guest on %s: nr_pages %lu, %lu free frames, %d rounds per figure "
              "after a warm-up round", guest_on_xenolith() ? "Xenolith" : "Xen", si->nr_pages,
              mm_free_pfns(), BENCH_ROUNDS);
    if (mm_free_pfns() < need || si->nr_pages < 512)
        test_skip("needs %lu free frames, has %lu", need, mm_free_pfns());

    note_tsc_overhead();
    bench_null_hypercall();

    if (mu_setup()) {
        bench_mmu_update(1, "mmu_update_b1");
        bench_mmu_update(64, "mmu_update_b64");
        bench_mmu_update(512, "mmu_update_b512");
        bench_ptwr();
        mu_teardown();
    }

    if (pt_build())
        bench_pin();

    bench_grant();

    bench_paths();
}
