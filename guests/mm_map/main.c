/*
 * PV memory management, the working paths: build a 4-level address space of
 * 256 MiB at L4 slot 1 out of free frames with mmu_update, use it, change it
 * with every update_va_mapping flush variant and a multicall, then take it
 * apart and check the hypervisor let go of every table.  Also: pinning,
 * NEW_BASEPTR to a fresh L4 and back, the flush ops of mmuext_op,
 * COPY_PAGE/CLEAR_PAGE, MMU_MACHPHYS_UPDATE and MMU_PT_UPDATE_PRESERVE_AD.
 *
 * The region maps pseudo-physical frame (i mod nr_pages) at page i: the
 * first nr_pages pages are a physmap of the whole domain (page-table frames
 * read-only, everything else writable), the rest are aliases of it.
 */
#include "mm.h"

#include "errno.h"

#define REGION_SLOT  1
#define REGION_BASE  0x0000008000000000UL /* mm_va(REGION_SLOT, 0, 0, 0) */
#define REGION_PAGES 65536UL              /* 256 MiB */
#define NR_L1        (REGION_PAGES / 512)
#define NR_DATA      8

static unsigned long nr_pages;
static unsigned long l3_mfn, l2_mfn, l1_mfn[NR_L1];
static unsigned long data_pfn[NR_DATA];
static uint8_t ro_pfn[REGION_PAGES / 8]; /* pfns mapped read-only in the region */

static volatile unsigned long marker = 0x6d6d5f6d61702121UL;

static void set_ro(unsigned long pfn)
{
    if (pfn < REGION_PAGES)
        ro_pfn[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
}
static int is_ro(unsigned long pfn)
{
    return pfn < REGION_PAGES && (ro_pfn[pfn / 8] >> (pfn % 8)) & 1;
}

static unsigned long region_va(unsigned long page)
{
    return REGION_BASE + page * MM_PAGE_SIZE;
}

/* pfn mapped at page i of the region. */
static unsigned long region_pfn(unsigned long page)
{
    return page % nr_pages;
}

/* Pattern word j of frame pfn (tag distinguishes rounds). */
static unsigned long pattern(unsigned long pfn, unsigned j, unsigned long tag)
{
    return (pfn << 24) ^ ((unsigned long)j << 4) ^ tag ^ 0x9e3779b97f4a7c15UL;
}

static void fill_frame(unsigned long va, unsigned long pfn, unsigned long tag)
{
    volatile unsigned long *p = (volatile unsigned long *)va;
    for (unsigned j = 0; j < 512; j++)
        p[j] = pattern(pfn, j, tag);
}

static int frame_matches(unsigned long va, unsigned long pfn, unsigned long tag)
{
    const volatile unsigned long *p = (const volatile unsigned long *)va;
    for (unsigned j = 0; j < 512; j++)
        if (p[j] != pattern(pfn, j, tag))
            return 0;
    return 1;
}

static unsigned long l4_entry_maddr(unsigned slot)
{
    return (mm_l4_mfn() << 12) + 8UL * slot;
}

/* ---- build ------------------------------------------------------------------- */

static int build_region(void)
{
    long rc;
    unsigned long e = MM_INVALID;
    int r = mm_read_pte(REGION_BASE, 4, &e);

    test_check(r == 0 && e == 0,
               "L4 slot %d is free before the test (entry %#lx)", REGION_SLOT, e);

    /* Table frames: free, unmapped; zeroed through the scratch page. */
    unsigned long zero_fail = 0;
    unsigned long pfn;
    pfn = mm_alloc_pfn();
    l3_mfn = mm_pfn_to_mfn(pfn);
    set_ro(pfn);
    pfn = mm_alloc_pfn();
    l2_mfn = mm_pfn_to_mfn(pfn);
    set_ro(pfn);
    for (unsigned i = 0; i < NR_L1; i++) {
        pfn = mm_alloc_pfn();
        l1_mfn[i] = mm_pfn_to_mfn(pfn);
        set_ro(pfn);
    }
    for (unsigned long p = 0; p < nr_pages && p < REGION_PAGES; p++)
        if (mm_is_boot_pt_pfn(p))
            set_ro(p);

    if (mm_zero_frame(l3_mfn) || mm_zero_frame(l2_mfn))
        zero_fail++;
    for (unsigned i = 0; i < NR_L1; i++)
        if (mm_zero_frame(l1_mfn[i]))
            zero_fail++;
    test_check(zero_fail == 0, "zeroed %lu table frames through the scratch page (%lu failed)",
               NR_L1 + 2, zero_fail);

    /* Hook top-down: each table is empty when it becomes a page table. */
    rc = mm_update1(l4_entry_maddr(REGION_SLOT), mm_pte(l3_mfn, MM_TABLE_FLAGS));
    if (!test_check(rc == 0, "mmu_update L4[%d] -> new L3 mfn %#lx: rc=%ld", REGION_SLOT,
                    l3_mfn, rc))
        return 0;
    rc = mm_update1(l3_mfn << 12, mm_pte(l2_mfn, MM_TABLE_FLAGS));
    if (!test_check(rc == 0, "mmu_update L3[0] -> new L2 mfn %#lx: rc=%ld", l2_mfn, rc))
        return 0;

    static struct mm_batch b;
    mm_batch_init(&b);
    for (unsigned i = 0; i < NR_L1; i++)
        mm_batch_add(&b, (l2_mfn << 12) + 8UL * i, mm_pte(l1_mfn[i], MM_TABLE_FLAGS));
    mm_batch_flush(&b);
    if (!test_check(mm_batch_ok(&b), "mmu_update L2[0..%lu] -> %lu new L1s in one call: rc=%ld done=%lu/%lu",
                    NR_L1 - 1, NR_L1, b.rc, b.done, b.submitted))
        return 0;

    /* Fill every L1, one table (512 entries) per call. */
    mm_batch_init(&b);
    for (unsigned long i = 0; i < REGION_PAGES; i++) {
        unsigned long p = region_pfn(i);
        unsigned long mfn = mm_pfn_to_mfn(p);
        unsigned long val = 0;
        if (mfn != MM_INVALID)
            val = mm_pte(mfn, is_ro(p) ? MM_RO_FLAGS : MM_RW_FLAGS);
        mm_batch_add(&b, (l1_mfn[i / 512] << 12) + 8UL * (i % 512), val);
    }
    mm_batch_flush(&b);
    if (!test_check(mm_batch_ok(&b),
                    "mmu_update filled %lu L1 entries in %lu calls: rc=%ld done=%lu/%lu (short counts: %u)",
                    REGION_PAGES, b.calls, b.rc, b.done, b.submitted, b.bad_done))
        return 0;

    mm_set_physmap(REGION_BASE, nr_pages < REGION_PAGES ? nr_pages : REGION_PAGES);
    return 1;
}

static void check_walk(void)
{
    static const unsigned long probe[] = { 0, 1, 511, 512, 4095, 40000, REGION_PAGES - 1 };
    unsigned long bad = 0;

    for (unsigned k = 0; k < sizeof(probe) / sizeof(probe[0]); k++) {
        unsigned long i = probe[k], e = 0;
        unsigned long p = region_pfn(i);
        int ok = mm_read_pte(region_va(i), 1, &e) == 0 && mm_pte_mfn(e) == mm_pfn_to_mfn(p) &&
                 (e & MM_P) && (e & MM_US) && !!(e & MM_RW) == !is_ro(p);
        if (!ok) {
            bad++;
            test_note("page %lu (pfn %#lx): L1 entry %#lx", i, p, e);
        }
    }
    for (unsigned i = 0; i < NR_L1; i += 31) {
        unsigned long p = mm_mfn_to_pfn(l1_mfn[i]), e = 0;
        if (mm_read_pte(region_va(p), 1, &e) || (e & MM_RW))
            bad++;
    }
    test_check(bad == 0, "walk through the new tables: entries carry the right mfn and rights "
               "(page tables read-only)");

    /* A kernel variable seen through the physmap, both ways. */
    unsigned long kpfn = ((unsigned long)&marker - mm_virt_base()) >> 12;
    volatile unsigned long *alias =
        (volatile unsigned long *)(region_va(kpfn) + ((unsigned long)&marker & 0xfff));
    int same = *alias == marker;
    *alias = 0x1122334455667788UL;
    int back = marker == 0x1122334455667788UL;
    marker = 0x6d6d5f6d61702121UL;
    test_check(same && back && *alias == marker,
               "kernel data seen through the new mapping, and written through it");
}

static void check_pattern(void)
{
    unsigned long written = 0, bad = 0;
    unsigned long aliases = REGION_PAGES / nr_pages;

    /* One word per free, non-table frame, through the physmap part. */
    for (unsigned long p = mm_boot_pfns(); p < nr_pages && p < REGION_PAGES; p++) {
        if (is_ro(p) || mm_pfn_to_mfn(p) == MM_INVALID)
            continue;
        *(volatile unsigned long *)(region_va(p) + 8 * (p % 512)) = pattern(p, 0, 0x77);
        written++;
    }
    /* Read back through the physmap and every alias. */
    for (unsigned long p = mm_boot_pfns(); p < nr_pages && p < REGION_PAGES; p++) {
        if (is_ro(p) || mm_pfn_to_mfn(p) == MM_INVALID)
            continue;
        for (unsigned long a = 0; a < aliases && p + a * nr_pages < REGION_PAGES; a++) {
            unsigned long v = *(volatile unsigned long *)(region_va(p + a * nr_pages) + 8 * (p % 512));
            if (v != pattern(p, 0, 0x77))
                bad++;
        }
    }
    test_check(written > 0 && bad == 0,
               "pattern written to %lu free frames, read back through %lu alias(es) each: %lu mismatches",
               written, aliases, bad);

    /* Whole-frame patterns in the data frames used below. */
    for (unsigned i = 0; i < NR_DATA; i++)
        fill_frame(region_va(data_pfn[i]), data_pfn[i], 0);
    unsigned long ok = 0;
    for (unsigned i = 0; i < NR_DATA; i++) {
        unsigned long alias = data_pfn[i] + nr_pages;
        if (frame_matches(region_va(alias < REGION_PAGES ? alias : data_pfn[i]), data_pfn[i], 0))
            ok++;
    }
    test_check(ok == NR_DATA, "full-page patterns in %u data frames read back through an alias", NR_DATA);
}

/* ---- changing mappings ------------------------------------------------------------ */

static void check_readonly(void)
{
    /* The L1 covering the data frames: make its 512 pages read-only. */
    unsigned long first = data_pfn[0] & ~511UL;
    unsigned long l1 = l1_mfn[first / 512];
    static struct mm_batch b;
    mm_batch_init(&b);
    for (unsigned i = 0; i < 512; i++) {
        unsigned long mfn = mm_pfn_to_mfn(region_pfn(first + i));
        mm_batch_add(&b, (l1 << 12) + 8UL * i, mfn == MM_INVALID ? 0 : mm_pte(mfn, MM_RO_FLAGS));
    }
    mm_batch_flush(&b);
    test_check(mm_batch_ok(&b), "remapped pages %#lx-%#lx read-only: rc=%ld done=%lu/%lu",
               first, first + 511, b.rc, b.done, b.submitted);
    long rc = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(rc == 0, "MMUEXT_TLB_FLUSH_LOCAL: rc=%ld", rc);

    unsigned long rw = 0;
    for (unsigned i = 0; i < 512; i++) {
        unsigned long e = 0;
        if (mm_read_pte(region_va(first + i), 1, &e) || !(e & MM_P) || (e & MM_RW))
            rw++;
    }
    int still = frame_matches(region_va(data_pfn[0]), data_pfn[0], 0);
    test_check(rw == 0 && still, "read back: all 512 entries present without RW, data still readable");

    mm_batch_init(&b);
    for (unsigned i = 0; i < 512; i++) {
        unsigned long p = region_pfn(first + i);
        unsigned long mfn = mm_pfn_to_mfn(p);
        mm_batch_add(&b, (l1 << 12) + 8UL * i,
                     mfn == MM_INVALID ? 0 : mm_pte(mfn, is_ro(p) ? MM_RO_FLAGS : MM_RW_FLAGS));
    }
    mm_batch_flush(&b);
    rc = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(mm_batch_ok(&b) && rc == 0, "and back to writable: rc=%ld done=%lu/%lu", b.rc,
               b.done, b.submitted);
}

static void check_update_va_mapping(void)
{
    static unsigned long vmask = 1; /* vCPU 0 */
    static const struct {
        unsigned long flags;
        int use_mask;
        const char *name;
    } combos[] = {
        { UVMF_NONE, 0, "UVMF_NONE (then INVLPG_LOCAL)" },
        { UVMF_INVLPG | UVMF_LOCAL, 0, "UVMF_INVLPG|UVMF_LOCAL" },
        { UVMF_TLB_FLUSH | UVMF_LOCAL, 0, "UVMF_TLB_FLUSH|UVMF_LOCAL" },
        { UVMF_INVLPG | UVMF_ALL, 0, "UVMF_INVLPG|UVMF_ALL" },
        { UVMF_TLB_FLUSH | UVMF_ALL, 0, "UVMF_TLB_FLUSH|UVMF_ALL" },
        { UVMF_INVLPG | UVMF_MULTI, 1, "UVMF_INVLPG|UVMF_MULTI with a vCPU mask" },
        { UVMF_TLB_FLUSH | UVMF_MULTI, 1, "UVMF_TLB_FLUSH|UVMF_MULTI with a vCPU mask" },
    };
    unsigned long va = region_va(data_pfn[0]);

    /* Warm the TLB with the current translation. */
    test_check(frame_matches(va, data_pfn[0], 0), "target page maps data frame 0");
    for (unsigned c = 0; c < sizeof(combos) / sizeof(combos[0]); c++) {
        unsigned long target = data_pfn[1 + c % (NR_DATA - 1)];
        unsigned long flags = combos[c].flags;
        if (combos[c].use_mask)
            flags |= (unsigned long)&vmask;
        long rc = HYPERVISOR_update_va_mapping(va, mm_pte(mm_pfn_to_mfn(target), MM_RW_FLAGS), flags);
        long rc2 = 0;
        if (combos[c].flags == UVMF_NONE)
            rc2 = mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
        int seen = frame_matches(va, target, 0);
        test_check(rc == 0 && rc2 == 0 && seen,
                   "update_va_mapping %s: rc=%ld, new frame visible at once: %s", combos[c].name, rc,
                   seen ? "yes" : "no");
    }
    long rc = HYPERVISOR_update_va_mapping_otherdomain(
        va, mm_pte(mm_pfn_to_mfn(data_pfn[0]), MM_RW_FLAGS), UVMF_INVLPG | UVMF_LOCAL, DOMID_SELF);
    test_check(rc == 0 && frame_matches(va, data_pfn[0], 0),
               "update_va_mapping_otherdomain(DOMID_SELF) puts data frame 0 back: rc=%ld", rc);
}

static void check_multicall(void)
{
    multicall_entry_t mc[4];
    unsigned long va[4];

    for (unsigned i = 0; i < 4; i++)
        va[i] = region_va(data_pfn[i]);
    /* Rotate: page i now shows frame i+1 (mod 4). */
    for (int round = 0; round < 2; round++) {
        g_memset(mc, 0, sizeof(mc));
        for (unsigned i = 0; i < 4; i++) {
            unsigned long target = round == 0 ? data_pfn[(i + 1) % 4] : data_pfn[i];
            mc[i].op = __HYPERVISOR_update_va_mapping;
            mc[i].result = 0xdeadbeef;
            mc[i].args[0] = va[i];
            mc[i].args[1] = mm_pte(mm_pfn_to_mfn(target), MM_RW_FLAGS);
            mc[i].args[2] = UVMF_INVLPG | UVMF_LOCAL;
        }
        long rc = HYPERVISOR_multicall(mc, 4);
        int results = 1, seen = 1;
        for (unsigned i = 0; i < 4; i++) {
            if (mc[i].result != 0)
                results = 0;
            unsigned long target = round == 0 ? data_pfn[(i + 1) % 4] : data_pfn[i];
            if (!frame_matches(va[i], target, 0))
                seen = 0;
        }
        test_check(rc == 0 && results && seen,
                   "multicall of 4 update_va_mapping (%s): rc=%ld results %ld %ld %ld %ld, mappings visible: %s",
                   round == 0 ? "rotate" : "restore", rc, (long)mc[0].result, (long)mc[1].result,
                   (long)mc[2].result, (long)mc[3].result, seen ? "yes" : "no");
    }
}

static void check_copy_clear(void)
{
    unsigned long dst = data_pfn[4], src = data_pfn[5];
    long rc = mm_ext1(MMUEXT_COPY_PAGE, mm_pfn_to_mfn(dst), mm_pfn_to_mfn(src));
    test_check(rc == 0 && frame_matches(region_va(dst), src, 0),
               "MMUEXT_COPY_PAGE frame %#lx <- %#lx: rc=%ld, contents copied", dst, src, rc);

    rc = mm_ext1(MMUEXT_CLEAR_PAGE, mm_pfn_to_mfn(dst), 0);
    unsigned long nonzero = 0;
    for (unsigned j = 0; j < 512; j++)
        if (((volatile unsigned long *)region_va(dst))[j])
            nonzero++;
    test_check(rc == 0 && nonzero == 0, "MMUEXT_CLEAR_PAGE frame %#lx: rc=%ld, %lu non-zero words", dst,
               rc, nonzero);
    test_check(frame_matches(region_va(src), src, 0), "COPY_PAGE left its source alone");
}

static void check_machphys(void)
{
    unsigned long pfn = data_pfn[6], mfn = mm_pfn_to_mfn(pfn);
    long rc = mm_update1((mfn << 12) | MMU_MACHPHYS_UPDATE, 0x123456);
    test_check(rc == 0 && GUEST_M2P[mfn] == 0x123456,
               "MMU_MACHPHYS_UPDATE m2p[%#lx] = 0x123456: rc=%ld, M2P reads %#lx", mfn, rc, GUEST_M2P[mfn]);
    rc = mm_update1((mfn << 12) | MMU_MACHPHYS_UPDATE, pfn);
    test_check(rc == 0 && GUEST_M2P[mfn] == pfn, "MMU_MACHPHYS_UPDATE back to pfn %#lx: rc=%ld, M2P reads %#lx",
               pfn, rc, GUEST_M2P[mfn]);
}

static void check_preserve_ad(void)
{
    unsigned long pfn = data_pfn[7], mfn = mm_pfn_to_mfn(pfn);
    unsigned long va = region_va(pfn);
    unsigned long ptr = mm_pte_maddr(va, 1);
    unsigned long e = 0;
    long rc;

    rc = mm_update1(ptr, mm_pte(mfn, MM_P | MM_RW | MM_US));
    long rc2 = mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    mm_read_pte(va, 1, &e);
    test_check(rc == 0 && rc2 == 0, "entry set without A/D: rc=%ld, reads %#lx", rc, e);

    *(volatile unsigned long *)va = pattern(pfn, 0, 0);  /* same value: frame unchanged */
    mm_read_pte(va, 1, &e);
    int ad = (e & (MM_A | MM_D)) == (MM_A | MM_D);
    test_check(ad, "a write through it set Accessed and Dirty: entry %#lx", e);

    rc = mm_update1(ptr | MMU_PT_UPDATE_PRESERVE_AD, mm_pte(mfn, MM_P | MM_US));
    mm_read_pte(va, 1, &e);
    test_check(rc == 0 && (e & (MM_A | MM_D)) == (MM_A | MM_D) && !(e & MM_RW) && mm_pte_mfn(e) == mfn,
               "MMU_PT_UPDATE_PRESERVE_AD to read-only without A/D keeps A/D: rc=%ld, entry %#lx", rc, e);

    rc = mm_update1(ptr, mm_pte(mfn, MM_P | MM_US));
    mm_read_pte(va, 1, &e);
    test_check(rc == 0 && !(e & (MM_A | MM_D)) && !(e & MM_RW),
               "MMU_NORMAL_PT_UPDATE with the same value clears them: rc=%ld, entry %#lx", rc, e);

    rc = mm_update1(ptr, mm_pte(mfn, MM_RW_FLAGS));
    rc2 = mm_ext1(MMUEXT_INVLPG_LOCAL, va, 0);
    test_check(rc == 0 && rc2 == 0 && frame_matches(va, pfn, 0), "writable again: rc=%ld", rc);
}

/* ---- tearing down ----------------------------------------------------------------- */

/* Can frame mfn be mapped writable right now (i.e. it is no page table)? */
static long try_writable(unsigned long mfn)
{
    void *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    long rc = p ? 0 : mm_last_rc;
    mm_scratch_unmap();
    return rc;
}

static void teardown(void)
{
    static struct mm_batch b;
    unsigned long e = MM_INVALID;
    long rc;

    /* Unmap the first 2 MiB entry by entry. */
    mm_batch_init(&b);
    for (unsigned i = 0; i < 512; i++)
        mm_batch_add(&b, (l1_mfn[0] << 12) + 8UL * i, 0);
    mm_batch_flush(&b);
    rc = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    unsigned long left = 0;
    for (unsigned i = 0; i < 512; i++)
        if (mm_read_pte(region_va(i), 1, &e) || e != 0)
            left++;
    test_check(mm_batch_ok(&b) && rc == 0 && left == 0,
               "unmapped the first 512 pages: rc=%ld done=%lu/%lu, %lu entries left", b.rc, b.done,
               b.submitted, left);

    /* An L1 in use cannot be mapped writable; once unhooked from the L2 it can. */
    unsigned last = NR_L1 - 1;
    rc = try_writable(l1_mfn[last]);
    test_check(rc != 0, "the last L1 (in use) cannot be mapped writable: rc=%ld", rc);
    rc = mm_update1((l2_mfn << 12) + 8UL * last, 0);
    long rc2 = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(rc == 0 && rc2 == 0 && mm_read_pte(region_va(last * 512), 2, &e) == 0 && e == 0,
               "L2[%u] cleared: rc=%ld", last, rc);
    rc = try_writable(l1_mfn[last]);
    test_check(rc == 0, "the unhooked L1 can be mapped writable now: rc=%ld", rc);

    /* Unhook the whole region from the L4: the hypervisor drops the rest. */
    rc = mm_update1(l4_entry_maddr(REGION_SLOT), 0);
    rc2 = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    mm_set_physmap(0, 0);
    test_check(rc == 0 && rc2 == 0 && mm_read_pte(REGION_BASE, 4, &e) == 0 && e == 0,
               "L4[%d] cleared: rc=%ld", REGION_SLOT, rc);
    unsigned long busy = 0;
    if (try_writable(l3_mfn))
        busy++;
    if (try_writable(l2_mfn))
        busy++;
    for (unsigned i = 0; i < NR_L1; i++)
        if (try_writable(l1_mfn[i]))
            busy++;
    test_check(busy == 0, "every table of the region is an ordinary page again (%lu still typed)", busy);
}

/* ---- pinning and base pointers ------------------------------------------------------ */

/* A fresh L4 holding the guest slots of the current one. */
static long make_l4_copy(unsigned long mfn)
{
    const unsigned long *cur = (const unsigned long *)mm_frame_va(mm_l4_mfn());
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p || !cur) {
        mm_scratch_unmap();
        return p ? -1 : mm_last_rc;
    }
    for (unsigned i = 0; i < 512; i++)
        p[i] = (i >= 256 && i < 272) ? 0 : cur[i];
    mm_scratch_unmap();
    return 0;
}

static void check_pin_and_baseptr(void)
{
    unsigned long boot_l4 = mm_boot_l4_mfn();
    long rc;

    /* Pin empty tables of every level. */
    static const unsigned int pin_cmd[] = { MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                            MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE };
    for (unsigned l = 0; l < 4; l++) {
        unsigned long mfn = mm_alloc_mfn();
        long z = mm_zero_frame(mfn);
        rc = mm_ext1(pin_cmd[l], mfn, 0);
        long w = try_writable(mfn);
        long u = mm_ext1(MMUEXT_UNPIN_TABLE, mfn, 0);
        long w2 = try_writable(mfn);
        test_check(z == 0 && rc == 0 && w != 0 && u == 0 && w2 == 0,
                   "empty L%u: pin rc=%ld, writable mapping while pinned refused (rc=%ld), unpin rc=%ld, "
                   "writable after unpin rc=%ld", l + 1, rc, w, u, w2);
    }

    /* An L4 built from scratch, pinned, switched to and back. */
    unsigned long f = mm_alloc_mfn();
    rc = make_l4_copy(f);
    test_check(rc == 0, "new L4 %#lx filled with the guest slots of the current one: rc=%ld", f, rc);
    struct mmuext_op op;
    unsigned int done = 0xdead;
    g_memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_PIN_L4_TABLE;
    op.arg1.mfn = f;
    rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    test_check(rc == 0 && done == 1, "MMUEXT_PIN_L4_TABLE: rc=%ld pdone=%u", rc, done);

    rc = mm_new_baseptr(f);
    /* Read the new L4 through a read-only view at the scratch page. */
    unsigned long kva = (unsigned long)&marker;
    void *view = mm_scratch_map(f, MM_RO_FLAGS);
    long rv = mm_last_rc;
    mm_register_frame_va(f, (unsigned long)view);
    unsigned long via_new = view ? mm_va_to_mfn(kva) : MM_INVALID;
    mm_register_frame_va(f, 0);
    mm_scratch_unmap();
    marker++;
    test_check(view != NULL, "the pinned L4 can be mapped read-only: rc=%ld", rv);
    test_check(rc == 0 && via_new != MM_INVALID && via_new == mm_pfn_to_mfn((kva - mm_virt_base()) >> 12),
               "MMUEXT_NEW_BASEPTR to it: rc=%ld, still running, kernel data at mfn %#lx", rc, via_new);
    rc = mm_new_baseptr(boot_l4);
    test_check(rc == 0, "MMUEXT_NEW_BASEPTR back to the start-of-day L4: rc=%ld", rc);

    g_memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_UNPIN_TABLE;
    op.arg1.mfn = f;
    done = 0xdead;
    rc = HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF);
    long w = try_writable(f);
    test_check(rc == 0 && done == 1 && w == 0, "MMUEXT_UNPIN_TABLE: rc=%ld pdone=%u, then writable (rc=%ld)",
               rc, done, w);

    /* An unpinned L4: validated on NEW_BASEPTR, released when left. */
    unsigned long g = mm_alloc_mfn();
    rc = make_l4_copy(g);
    long r1 = mm_new_baseptr(g);
    long w1 = try_writable(g);
    long r2 = mm_new_baseptr(boot_l4);
    long w2 = try_writable(g);
    test_check(rc == 0 && r1 == 0 && w1 != 0 && r2 == 0 && w2 == 0,
               "unpinned L4: NEW_BASEPTR rc=%ld, writable while in use refused (rc=%ld), back rc=%ld, "
               "writable after (rc=%ld)", r1, w1, r2, w2);
}

static void check_flushes(void)
{
    static unsigned long vmask = 1;
    struct mmuext_op ops[6];
    unsigned long va = (unsigned long)&marker;
    unsigned int done = 0xdead;

    g_memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_TLB_FLUSH_ALL;
    ops[2].cmd = MMUEXT_INVLPG_LOCAL;
    ops[2].arg1.linear_addr = va;
    ops[3].cmd = MMUEXT_INVLPG_ALL;
    ops[3].arg1.linear_addr = va;
    ops[4].cmd = MMUEXT_TLB_FLUSH_MULTI;
    ops[4].arg2.vcpumask = &vmask;
    ops[5].cmd = MMUEXT_INVLPG_MULTI;
    ops[5].arg1.linear_addr = va;
    ops[5].arg2.vcpumask = &vmask;
    long rc = HYPERVISOR_mmuext_op(ops, 6, &done, DOMID_SELF);
    test_check(rc == 0 && done == 6,
               "one mmuext_op call: TLB_FLUSH_LOCAL, TLB_FLUSH_ALL, INVLPG_LOCAL, INVLPG_ALL, "
               "TLB_FLUSH_MULTI, INVLPG_MULTI: rc=%ld pdone=%u", rc, done);
}

void test_main(start_info_t *si)
{
    nr_pages = si->nr_pages;
    unsigned long boot = mm_boot_pfns();
    test_note("nr_pages %lu, start-of-day region %lu frames (%lu MiB), page tables at pfn %#lx (%lu), "
              "%lu free frames", nr_pages, boot, boot >> 8,
              (si->pt_base - mm_virt_base()) >> 12, si->nr_pt_frames, mm_free_pfns());
    if (mm_free_pfns() < NR_L1 + 2 + NR_DATA + 16)
        test_skip("only %lu free frames", mm_free_pfns());
    test_check(boot % 1024 == 0 && boot > (si->pt_base - mm_virt_base()) / 4096 + si->nr_pt_frames + 128,
               "start-of-day region ends on a 4 MiB boundary, at least 512 KiB after the boot stack");

    if (!build_region()) {
        test_finish();
    }
    /* Data frames come after the tables. */
    for (unsigned i = 0; i < NR_DATA; i++)
        data_pfn[i] = mm_alloc_pfn();
    test_note("region %#lx-%#lx: %lu pages over %lu frames; L3 %#lx, L2 %#lx, L1s %#lx..; data pfns %#lx..",
              REGION_BASE, REGION_BASE + REGION_PAGES * MM_PAGE_SIZE - 1, REGION_PAGES, nr_pages, l3_mfn,
              l2_mfn, l1_mfn[0], data_pfn[0]);

    check_walk();
    check_pattern();
    check_readonly();
    check_update_va_mapping();
    check_multicall();
    check_copy_clear();
    check_machphys();
    check_preserve_ad();
    teardown();
    check_pin_and_baseptr();
    check_flushes();
}
