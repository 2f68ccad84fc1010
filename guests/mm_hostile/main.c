/*
 * PV memory management, the refusals: every request here is wrong in some
 * way and must fail with the error the real Xen 4.17 gives (noted per case),
 * leaving the guest and the hypervisor in working order.  A few requests that
 * look hostile but are allowed (a data page as an mmu_update target, MMIO
 * frames for the hardware domain, a read-only linear L4 slot: guests/linear_pt
 * has the rest of those) are checked as well.
 *
 * A small test area at L4 slot 2 (built from free frames) provides page-table
 * entries to play with: L3 -> L2 -> L1 "t1", whose last slots map the L1, L2
 * and L3 themselves read-only so that the guest can read them back.
 */
#include "mm.h"

#include "errno.h"

#define E(x) (-(long)XEN_##x)

#define AREA_SLOT 2
#define AREA_BASE 0x0000010000000000UL /* mm_va(AREA_SLOT, 0, 0, 0) */
#define T1_VIEW   509                  /* t1 slots mapping the tables: 509 L3, 510 L2, 511 L1 */

static unsigned long area_l3, area_l2, t1;
static unsigned long m2p_mfn;      /* a frame of the M2P table: belongs to the hypervisor */
static unsigned long freed_mfn;    /* a frame given back with decrease_reservation */
static unsigned long max_ram_page; /* XENMEM_maximum_ram_page */
static unsigned long data_mfn;     /* one of our own frames, mapped writable in the kernel image */
static unsigned long spare_pfn_mfn[8];

static char data_page[4096] __attribute__((aligned(4096)));

static unsigned long va_pfn(const void *p)
{
    return ((unsigned long)p - mm_virt_base()) >> 12;
}

static unsigned long t1_slot(unsigned i)
{
    return (t1 << 12) + 8UL * i;
}

static unsigned long t1_read(unsigned i)
{
    return ((const volatile unsigned long *)(AREA_BASE + 511 * MM_PAGE_SIZE))[i];
}

/* A zeroed free frame. */
static unsigned long fresh_frame(void)
{
    unsigned long mfn = mm_alloc_mfn();
    if (mfn == MM_INVALID || mm_zero_frame(mfn))
        test_check(0, "could not get a free frame");
    return mfn;
}

/* Write entries into an ordinary (not yet page-table) frame through the scratch page. */
static void raw_write(unsigned long mfn, unsigned idx, unsigned long val)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (p)
        p[idx] = val;
    mm_scratch_unmap();
}

static long try_writable(unsigned long mfn)
{
    void *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    long rc = p ? 0 : mm_last_rc;
    mm_scratch_unmap();
    return rc;
}

static void setup(void)
{
    long rc;

    /* A hypervisor frame: the first M2P chunk. */
    xen_pfn_t list[4] = { 0 };
    struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = list };
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
    m2p_mfn = list[0];
    test_check(rc == 0 && ml.nr_extents >= 1 && m2p_mfn,
               "XENMEM_machphys_mfn_list: rc=%ld, %u chunk(s), first at mfn %#lx", rc, ml.nr_extents, m2p_mfn);

    max_ram_page = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    test_note("maximum_ram_page %#lx", max_ram_page);

    data_mfn = mm_pfn_to_mfn(va_pfn(data_page));

    /* A frame given back. */
    unsigned long pfn = mm_alloc_pfn();
    xen_pfn_t give = mm_pfn_to_mfn(pfn);
    rc = mm_reservation(XENMEM_decrease_reservation, &give, 1, 0, DOMID_SELF);
    freed_mfn = give;
    mm_set_p2m(pfn, MM_INVALID);
    test_check(rc == 1, "decrease_reservation of pfn %#lx (mfn %#lx): rc=%ld", pfn, freed_mfn, rc);

    for (unsigned i = 0; i < 8; i++)
        spare_pfn_mfn[i] = fresh_frame();

    /* The test area. */
    area_l3 = fresh_frame();
    area_l2 = fresh_frame();
    t1 = fresh_frame();
    raw_write(t1, T1_VIEW, mm_pte(area_l3, MM_RO_FLAGS));
    raw_write(t1, T1_VIEW + 1, mm_pte(area_l2, MM_RO_FLAGS));
    raw_write(t1, T1_VIEW + 2, mm_pte(t1, MM_RO_FLAGS));
    raw_write(area_l2, 0, mm_pte(t1, MM_TABLE_FLAGS));
    raw_write(area_l3, 0, mm_pte(area_l2, MM_TABLE_FLAGS));
    rc = mm_update1((mm_l4_mfn() << 12) + 8 * AREA_SLOT, mm_pte(area_l3, MM_TABLE_FLAGS));
    test_check(rc == 0 && mm_pte_mfn(t1_read(T1_VIEW)) == area_l3 && mm_pte_mfn(t1_read(T1_VIEW + 2)) == t1,
               "test area hooked at L4 slot %d (tables filled before they were typed): rc=%ld", AREA_SLOT, rc);
    mm_register_frame_va(t1, AREA_BASE + 511 * MM_PAGE_SIZE);
    mm_register_frame_va(area_l2, AREA_BASE + 510 * MM_PAGE_SIZE);
    mm_register_frame_va(area_l3, AREA_BASE + 509 * MM_PAGE_SIZE);
}

/* ---- L1 entries that must not be made ---------------------------------------- */

static void check_bad_l1(void)
{
    unsigned long ptr = t1_slot(0);
    long rc;

    rc = mm_update1(ptr, mm_pte(m2p_mfn, MM_RO_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> M2P frame %#lx (the hypervisor's), read-only", m2p_mfn);
    rc = mm_update1(ptr, mm_pte(m2p_mfn, MM_RW_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> M2P frame, writable");

    rc = mm_update1(ptr, mm_pte(freed_mfn, MM_RO_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> frame %#lx given back with decrease_reservation", freed_mfn);

    rc = mm_update1(ptr, mm_pte(mm_boot_l4_mfn(), MM_RW_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> the current (pinned) L4, writable");
    rc = mm_update1(ptr, mm_pte(mm_pfn_to_mfn(va_pfn((void *)guest_start_info->pt_base) + 1), MM_RW_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> a start-of-day L3/L2/L1, writable");
    rc = mm_update1(ptr, mm_pte(t1, MM_RW_FLAGS));
    test_expect(rc, E(EBUSY), "L1 entry -> its own L1 frame, writable");
    test_check(t1_read(0) == 0, "slot 0 still empty after the refusals (%#lx)", t1_read(0));

    /* With foreigndom DOMID_XEN, Xen lets the hardware domain map hypervisor-owned
     * frames read-only. Xenolith offers no pseudo-domains as foreign owners (its
     * guests read the M2P at its fixed address): -ESRCH there. */
    int xl = guest_on_xenolith();
    mmu_update_t xreq = { ptr, mm_pte(m2p_mfn, MM_RO_FLAGS) };
    rc = HYPERVISOR_mmu_update(&xreq, 1, NULL, DOMID_XEN);
    mm_ext1(MMUEXT_INVLPG_LOCAL, AREA_BASE, 0);
    if (xl) {
        test_expect(rc, E(ESRCH), "L1 entry -> M2P frame, read-only, foreigndom DOMID_XEN (Xenolith: not offered)");
    } else {
        int same = rc == 0 && ((const volatile unsigned long *)AREA_BASE)[1] == GUEST_M2P[1];
        test_check(rc == 0 && same, "L1 entry -> M2P frame, read-only, foreigndom DOMID_XEN: rc=%ld (want 0), "
                   "reads the M2P: %s", rc, same ? "yes" : "no");
    }
    rc = mm_update1(ptr, 0);
    test_expect(rc, 0, "L1 entry cleared");
    xreq.val = mm_pte(m2p_mfn, MM_RW_FLAGS);
    rc = HYPERVISOR_mmu_update(&xreq, 1, NULL, DOMID_XEN);
    test_expect(rc, xl ? E(ESRCH) : E(EBUSY), "L1 entry -> M2P frame, writable, foreigndom DOMID_XEN");
    xreq.val = mm_pte(data_mfn, MM_RO_FLAGS);
    rc = HYPERVISOR_mmu_update(&xreq, 1, NULL, DOMID_XEN);
    test_expect(rc, xl ? E(ESRCH) : E(EBUSY), "L1 entry -> our own frame, foreigndom DOMID_XEN");
    test_check(t1_read(0) == 0, "slot 0 empty again (%#lx)", t1_read(0));

    /* The shared_info page: a hypervisor-allocated page of our own. */
    unsigned long si_mfn = guest_start_info->shared_info >> 12;
    rc = mm_update1(ptr, mm_pte(si_mfn, MM_RW_FLAGS));
    test_expect(rc, 0, "L1 entry -> shared_info mfn %#lx, writable (allowed)", si_mfn);
    rc = mm_update1(ptr, mm_pte(si_mfn, MM_RW_FLAGS | MM_PCD));
    test_expect(rc, E(EACCES), "L1 entry -> shared_info, uncached (cache attributes of a hypervisor page)");
    rc = mm_update1(ptr, 0);
    test_expect(rc, 0, "L1 entry cleared");

    /* Frames that are no RAM: device memory, which Xen lets the hardware domain
     * map (uncached). Xenolith does not hand device memory to guests yet: -EPERM. */
    unsigned long io = max_ram_page + 0x100;
    rc = mm_update1(ptr, mm_pte(io, MM_RW_FLAGS));
    unsigned long e = t1_read(0);
    if (xl)
        test_check(rc == E(EPERM) && e == 0,
                   "L1 entry -> mfn %#lx beyond RAM (Xenolith: no device memory for guests): rc=%ld", io, rc);
    else
        test_check(rc == 0 && (e & (MM_PCD | MM_PWT)) == (MM_PCD | MM_PWT),
                   "L1 entry -> mfn %#lx beyond RAM (MMIO for dom0): rc=%ld, stored %#lx (PCD|PWT forced)", io, rc, e);
    mm_update1(ptr, 0);
    rc = mm_update1(ptr, mm_pte(1UL << 28, MM_RO_FLAGS));
    test_expect(rc, E(EPERM), "L1 entry -> mfn 0x10000000 (beyond the physical address width)");
    rc = mm_update1(ptr, mm_pte(0xFFFFFFFFFFUL, MM_RO_FLAGS));
    test_expect(rc, E(EINVAL), "L1 entry -> mfn 0xffffffffff (all address bits set)");
    rc = mm_update1(ptr, 0);
    test_expect(rc, 0, "L1 entry cleared");
}

static void check_bad_flags(void)
{
    long rc;
    unsigned long l2_1 = (area_l2 << 12) + 8;
    unsigned long tbl = fresh_frame();

    rc = mm_update1(l2_1, mm_pte(tbl, MM_TABLE_FLAGS | MM_PS));
    test_expect(rc, E(EINVAL), "L2 entry with PS (2 MiB page)");
    rc = mm_update1(l2_1, mm_pte(tbl, MM_TABLE_FLAGS | MM_G));
    test_expect(rc, E(EINVAL), "L2 entry with G");
    rc = mm_update1(l2_1, mm_pte(tbl, MM_TABLE_FLAGS | MM_PCD));
    test_expect(rc, E(EINVAL), "L2 entry with PCD");
    rc = mm_update1((area_l3 << 12) + 8, mm_pte(tbl, MM_TABLE_FLAGS | MM_PS));
    test_expect(rc, E(EINVAL), "L3 entry with PS (1 GiB page)");
    rc = mm_update1((mm_l4_mfn() << 12) + 8 * (AREA_SLOT + 1), mm_pte(tbl, MM_TABLE_FLAGS | MM_PS));
    test_expect(rc, E(EINVAL), "L4 entry with PS");
    rc = mm_update1(l2_1, mm_pte(data_mfn, MM_TABLE_FLAGS));
    test_expect(rc, E(EINVAL), "L2 entry -> a data page mapped writable (cannot become an L1)");
    rc = mm_update1(l2_1, mm_pte(area_l2, MM_TABLE_FLAGS));
    test_expect(rc, E(EINVAL), "L2 entry -> an L2 (type clash, not a same-level linear entry: RW)");
    test_check(try_writable(tbl) == 0, "the would-be table frame is still an ordinary page");
}

/* ---- page tables with bad contents ------------------------------------------------ */

static void check_bad_pins(void)
{
    long rc;

    unsigned long l1 = fresh_frame();
    raw_write(l1, 7, mm_pte(m2p_mfn, MM_RO_FLAGS));
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_expect(rc, E(EBUSY), "pin an L1 whose slot 7 maps an M2P frame");
    test_expect(try_writable(l1), 0, "  and the frame is an ordinary page afterwards");

    raw_write(l1, 7, mm_pte(l1, MM_RW_FLAGS));
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_expect(rc, E(EBUSY), "pin an L1 mapping itself writable");

    raw_write(l1, 7, mm_pte(freed_mfn, MM_RO_FLAGS));
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_expect(rc, E(EBUSY), "pin an L1 mapping a freed frame");
    raw_write(l1, 7, 0);

    unsigned long l2 = fresh_frame();
    raw_write(l2, 3, mm_pte(spare_pfn_mfn[0], MM_TABLE_FLAGS | MM_PS));
    rc = mm_ext1(MMUEXT_PIN_L2_TABLE, l2, 0);
    test_expect(rc, E(EINVAL), "pin an L2 with a PS entry");
    raw_write(l2, 3, mm_pte(data_mfn, MM_TABLE_FLAGS));
    rc = mm_ext1(MMUEXT_PIN_L2_TABLE, l2, 0);
    test_expect(rc, E(EINVAL), "pin an L2 whose entry points at a writable data page");
    raw_write(l2, 3, 0);

    unsigned long l4 = fresh_frame();
    raw_write(l4, 5, mm_pte(data_mfn, MM_TABLE_FLAGS));
    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, l4, 0);
    test_expect(rc, E(EINVAL), "pin an L4 whose entry points at a writable data page");
    raw_write(l4, 5, 0);
    test_expect(try_writable(l4), 0, "  and the frame is an ordinary page afterwards");

    /* Wrong things to pin or unpin. */
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, data_mfn, 0);
    test_expect(rc, E(EINVAL), "pin a data page mapped writable as an L1");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, m2p_mfn, 0);
    test_expect(rc, E(EINVAL), "pin the M2P frame (not ours)");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, max_ram_page + 0x100, 0);
    test_expect(rc, E(EINVAL), "pin an mfn beyond RAM");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, freed_mfn, 0);
    test_expect(rc, E(EINVAL), "pin a freed frame");

    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_expect(rc, 0, "pin an empty L1");
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, l1, 0);
    test_expect(rc, E(EINVAL), "pin it again");
    rc = mm_ext1(MMUEXT_PIN_L2_TABLE, l1, 0);
    test_expect(rc, E(EINVAL), "pin it as an L2");
    rc = mm_update1(t1_slot(1), mm_pte(l1, MM_RW_FLAGS));
    test_expect(rc, E(EBUSY), "map the pinned L1 writable");
    rc = mm_update1(t1_slot(1), mm_pte(l1, MM_RO_FLAGS));
    test_expect(rc, 0, "map it read-only (allowed)");
    mm_update1(t1_slot(1), 0);
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1, 0);
    test_expect(rc, 0, "unpin it");
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1, 0);
    test_expect(rc, E(EINVAL), "unpin it again");
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, data_mfn, 0);
    test_expect(rc, E(EINVAL), "unpin a data page");
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, m2p_mfn, 0);
    test_expect(rc, E(EINVAL), "unpin the M2P frame");
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, t1, 0);
    test_expect(rc, E(EINVAL), "unpin an L1 that is in use but not pinned");
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, max_ram_page + 0x100, 0);
    test_expect(rc, E(EINVAL), "unpin an mfn beyond RAM");
}

/* ---- the current L4 and base pointers ---------------------------------------------- */

static void check_l4_and_baseptr(void)
{
    unsigned long l4 = mm_l4_mfn() << 12;
    const unsigned long *cur = (const unsigned long *)mm_frame_va(mm_l4_mfn());
    long rc;

    static const unsigned slots[] = { 256, 257, 261, 262, 263, 270, 271 };
    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        unsigned long before = cur[slots[i]];
        rc = mm_update1(l4 + 8UL * slots[i], 0);
        test_expect(rc == E(EINVAL) && cur[slots[i]] == before ? rc : rc - 1000, E(EINVAL),
               "clear reserved L4 slot %u of the current L4 (entry unchanged)", slots[i]);
    }
    rc = mm_update1(l4 + 8UL * 256, mm_pte(spare_pfn_mfn[1], MM_TABLE_FLAGS));
    test_expect(rc, E(EINVAL), "point reserved L4 slot 256 at an L3");
    rc = mm_update1(l4 + 8UL * 255, cur[255]);
    test_expect(rc, 0, "rewrite L4 slot 255 (a guest slot) with its value");
    rc = mm_update1(l4 + 8UL * 272, cur[272]);
    test_expect(rc, 0, "rewrite L4 slot 272 (first guest slot after the hole) with its value");

    /* Base pointers to frames that are no L4. */
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, data_mfn, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to a data page mapped writable");
    unsigned long boot_l3 = mm_pte_mfn(cur[511]);
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, boot_l3, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to the start-of-day L3");
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, t1, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to an L1 in use");
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, m2p_mfn, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to an M2P frame");
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, freed_mfn, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to a freed frame");
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, max_ram_page + 0x100, 0);
    test_expect(rc, E(EINVAL), "NEW_BASEPTR to an mfn beyond RAM");
    rc = mm_ext1(MMUEXT_NEW_BASEPTR, mm_l4_mfn(), 0);
    test_expect(rc, 0, "NEW_BASEPTR to the current L4 (allowed, a flush)");
}

static void check_linear(void)
{
    unsigned long l4 = mm_l4_mfn();
    const unsigned long *cur = (const unsigned long *)mm_frame_va(l4);
    unsigned s = 5;
    long rc;

    rc = mm_update1((l4 << 12) + 8UL * s, mm_pte(l4, MM_P | MM_RW | MM_US | MM_A));
    test_expect(rc, E(EINVAL), "L4 slot %u -> the L4 itself, writable (linear page table with write access)", s);

    rc = mm_update1((l4 << 12) + 8UL * s, mm_pte(l4, MM_P | MM_US | MM_A));
    if (test_expect(rc, 0, "L4 slot %u -> the L4 itself, read-only: allowed (Xen 4.17's default)", s)) {
        /* The L4 appears at (s, s, s, s); its slot 511 must read as ours. */
        const volatile unsigned long *self = (const volatile unsigned long *)mm_va(s, s, s, s);
        int ok = self[511] == cur[511] && self[s] == cur[s];
        test_check(ok, "  the L4 reads back through %#lx", mm_va(s, s, s, s));
    }
    rc = mm_update1((l4 << 12) + 8UL * s, 0);
    long fl = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(rc == 0 && fl == 0 && cur[s] == 0, "L4 slot %u cleared again: rc=%ld", s, rc);
}

/* ---- mmu_update requests, counts and pointers ----------------------------------------- */

static void check_update_ptrs(void)
{
    long rc;
    unsigned long ptr = t1_slot(2);
    unsigned long map = mm_pte(spare_pfn_mfn[2], MM_RW_FLAGS);

    for (unsigned cmd = 4; cmd < 8; cmd++) {
        rc = mm_update1(ptr | cmd, map);
        test_expect(rc, E(ENOSYS), "mmu_update with command %u in the low bits of ptr", cmd);
    }
    test_check(t1_read(2) == 0, "  and no entry was written");


    rc = mm_update1(ptr | MMU_PT_UPDATE_NO_TRANSLATE, map);
    test_check(rc == 0 && mm_pte_mfn(t1_read(2)) == spare_pfn_mfn[2],
               "MMU_PT_UPDATE_NO_TRANSLATE (a PV guest: same as a normal update): rc=%ld", rc);
    rc = mm_update1(ptr, 0);
    test_expect(rc, 0, "  cleared");

    /* An ordinary page of ours as the target: the hypervisor just writes it. */
    volatile unsigned long *w = (volatile unsigned long *)data_page;
    w[3] = 0;
    rc = mm_update1((data_mfn << 12) + 3 * 8, 0x1234abcd5678UL);
    test_check(rc == 0 && w[3] == 0x1234abcd5678UL,
               "mmu_update with ptr in an ordinary data page: rc=%ld, value written (%#lx)", rc, w[3]);

    rc = mm_update1((max_ram_page + 0x100) << 12, 0);
    test_expect(rc, E(EINVAL), "mmu_update with ptr beyond RAM");
    rc = mm_update1(0xFFFFFFFFFFFFF000UL, 0);
    test_expect(rc, E(EINVAL), "mmu_update with ptr 0xfffffffffffff000");
    rc = mm_update1(m2p_mfn << 12, 0);
    test_expect(rc, E(EINVAL), "mmu_update with ptr in the M2P frame");
    rc = mm_update1(freed_mfn << 12, 0);
    test_expect(rc, E(EINVAL), "mmu_update with ptr in a freed frame");
    rc = mm_update1((m2p_mfn << 12) | MMU_MACHPHYS_UPDATE, 5);
    test_expect(rc, E(EINVAL), "MMU_MACHPHYS_UPDATE of the M2P frame (not ours)");
    rc = mm_update1((freed_mfn << 12) | MMU_MACHPHYS_UPDATE, 5);
    test_expect(rc, E(EINVAL), "MMU_MACHPHYS_UPDATE of a freed frame");
    rc = mm_update1(((max_ram_page + 0x100) << 12) | MMU_MACHPHYS_UPDATE, 5);
    test_expect(rc, E(EINVAL), "MMU_MACHPHYS_UPDATE beyond RAM");

    /* Where the batch stops: requests after a failing one are not done. */
    mmu_update_t req[4] = {
        { t1_slot(3), mm_pte(spare_pfn_mfn[3], MM_RW_FLAGS) },
        { t1_slot(4), mm_pte(spare_pfn_mfn[4], MM_RW_FLAGS) },
        { t1_slot(5) | 4, 0 },
        { t1_slot(6), mm_pte(spare_pfn_mfn[5], MM_RW_FLAGS) },
    };
    unsigned int done = 0xdead;
    rc = HYPERVISOR_mmu_update(req, 4, &done, DOMID_SELF);
    test_check(rc == E(ENOSYS) && done == 2 && t1_read(3) && t1_read(4) && !t1_read(6),
               "batch of 4 whose third fails: rc=%ld (want %ld), pdone=%u (want 2), the 4th not done", rc,
               E(ENOSYS), done);
    mmu_update_t clr[2] = { { t1_slot(3), 0 }, { t1_slot(4), 0 } };
    rc = HYPERVISOR_mmu_update(clr, 2, NULL, DOMID_SELF);
    test_expect(rc, 0, "clearing them again with pdone NULL");
}

static void check_update_counts(void)
{
    long rc;
    unsigned int done;

    done = 0x1234;
    mmu_update_t one = { t1_slot(8), 0 };
    rc = HYPERVISOR_mmu_update(&one, 0, &done, DOMID_SELF);
    test_check(rc == 0 && done == 0, "mmu_update count 0: rc=%ld pdone=%u (want 0, 0)", rc, done);
    rc = HYPERVISOR_mmu_update(NULL, 0, NULL, DOMID_SELF);
    test_expect(rc, 0, "mmu_update NULL, count 0");
    done = 0x1234;
    rc = HYPERVISOR_mmu_update(NULL, 1, &done, DOMID_SELF);
    test_check(rc == E(EFAULT) && done == 0, "mmu_update NULL, count 1: rc=%ld pdone=%u (want %ld, 0)", rc,
               done, E(EFAULT));
    done = 0x1234;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)0xFFFF830000000000UL, 1, &done, DOMID_SELF);
    test_check(rc == E(EFAULT) && done == 0x1234,
               "mmu_update list in the hypervisor's range: rc=%ld pdone=%#x (want %ld, untouched)", rc, done,
               E(EFAULT));
    done = 0x1234;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)0x0000800000000000UL, 1, &done, DOMID_SELF);
    test_check(rc == E(EFAULT) && done == 0x1234,
               "mmu_update list at a non-canonical address: rc=%ld pdone=%#x (want %ld, untouched)", rc, done,
               E(EFAULT));
    rc = HYPERVISOR_mmu_update(&one, 1, (unsigned int *)0x0000500000000000UL, DOMID_SELF);
    test_expect(rc, 0, "mmu_update with pdone unmapped (the updates are done, the count is lost)");

    /* Four no-op requests at the very end of the mapped region, count one million. */
    unsigned long last = mm_virt_base() + mm_boot_pfns() * MM_PAGE_SIZE;
    mmu_update_t *tail = (mmu_update_t *)(last - 4 * sizeof(mmu_update_t));
    for (unsigned i = 0; i < 4; i++) {
        tail[i].ptr = t1_slot(8 + i);
        tail[i].val = 0;
    }
    done = 0x1234;
    rc = HYPERVISOR_mmu_update(tail, 1000000, &done, DOMID_SELF);
    test_check(rc == E(EFAULT) && done == 4,
               "mmu_update count 1000000 with 4 valid requests before unmapped memory: rc=%ld pdone=%u "
               "(want %ld, 4)", rc, done, E(EFAULT));
}

/*
 * Millions of harmless requests: one frame full of no-op updates mapped
 * read-only 512 times by one L1, that L1 used by NR_CHUNKS L2 slots.
 */
#define NR_CHUNKS 16
static void check_update_millions(void)
{
    unsigned long q = fresh_frame();
    unsigned long r = fresh_frame();
    long rc;

    mmu_update_t *p = mm_scratch_map(q, MM_RW_FLAGS);
    if (p)
        for (unsigned i = 0; i < 256; i++) {
            p[i].ptr = t1_slot(12);
            p[i].val = 0;
        }
    mm_scratch_unmap();
    p = mm_scratch_map(r, MM_RW_FLAGS);
    if (p)
        for (unsigned i = 0; i < 512; i++)
            ((unsigned long *)p)[i] = mm_pte(q, MM_RO_FLAGS);
    mm_scratch_unmap();

    static struct mm_batch batch;
    struct mm_batch *b = &batch;
    mm_batch_init(b);
    for (unsigned i = 0; i < NR_CHUNKS; i++)
        mm_batch_add(b, (area_l2 << 12) + 8UL * (8 + i), mm_pte(r, MM_TABLE_FLAGS));
    mm_batch_flush(b);
    test_check(mm_batch_ok(b), "%u L2 slots -> one L1 mapping one frame of requests 512 times: rc=%ld",
               NR_CHUNKS, b->rc);

    unsigned int count = NR_CHUNKS * 512 * 256;
    unsigned int done = 0;
    rc = HYPERVISOR_mmu_update((mmu_update_t *)(AREA_BASE + 8 * (2UL << 20)), count, &done, DOMID_SELF);
    test_check(rc == 0 && done == count, "mmu_update of %u no-op requests in one call: rc=%ld pdone=%u",
               count, rc, done);

    mm_batch_init(b);
    for (unsigned i = 0; i < NR_CHUNKS; i++)
        mm_batch_add(b, (area_l2 << 12) + 8UL * (8 + i), 0);
    mm_batch_flush(b);
    rc = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(mm_batch_ok(b) && rc == 0 && try_writable(r) == 0, "request area unmapped, its L1 released");
}

/* ---- mmuext_op ------------------------------------------------------------------------- */

static void check_mmuext(void)
{
    long rc;

    static const unsigned int bad[] = { 14, 21, 22, 31, 255, 0x10000, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rc = mm_ext1(bad[i], 0, 0);
        test_expect(rc, E(ENOSYS), "mmuext_op command %#x", bad[i]);
    }
    rc = mm_ext1(MMUEXT_MARK_SUPER, data_mfn, 0);
    test_expect(rc, E(EOPNOTSUPP), "MMUEXT_MARK_SUPER");
    rc = mm_ext1(MMUEXT_UNMARK_SUPER, data_mfn, 0);
    test_expect(rc, E(EOPNOTSUPP), "MMUEXT_UNMARK_SUPER");
    rc = mm_ext1(MMUEXT_SET_LDT, (unsigned long)data_page, 8193);
    test_expect(rc, E(EINVAL), "MMUEXT_SET_LDT with 8193 entries");
    rc = mm_ext1(MMUEXT_SET_LDT, (unsigned long)data_page + 8, 1);
    test_expect(rc, E(EINVAL), "MMUEXT_SET_LDT at an address that is not page aligned");
    rc = mm_ext1(MMUEXT_SET_LDT, 0xFFFF830000000000UL, 1);
    test_expect(rc, E(EINVAL), "MMUEXT_SET_LDT in the hypervisor's range");
    rc = mm_ext1(MMUEXT_SET_LDT, 0, 0);
    test_expect(rc, 0, "MMUEXT_SET_LDT with no entries");

    rc = mm_ext1(MMUEXT_CLEAR_PAGE, m2p_mfn, 0);
    test_expect(rc, E(EINVAL), "MMUEXT_CLEAR_PAGE of an M2P frame");
    rc = mm_ext1(MMUEXT_CLEAR_PAGE, t1, 0);
    test_expect(rc, E(EINVAL), "MMUEXT_CLEAR_PAGE of an L1 in use");
    rc = mm_ext1(MMUEXT_CLEAR_PAGE, freed_mfn, 0);
    test_expect(rc, E(EINVAL), "MMUEXT_CLEAR_PAGE of a freed frame");
    rc = mm_ext1(MMUEXT_COPY_PAGE, t1, data_mfn);
    test_expect(rc, E(EINVAL), "MMUEXT_COPY_PAGE onto an L1 in use");
    rc = mm_ext1(MMUEXT_COPY_PAGE, spare_pfn_mfn[6], m2p_mfn);
    test_expect(rc, E(EINVAL), "MMUEXT_COPY_PAGE from an M2P frame");
    rc = mm_ext1(MMUEXT_COPY_PAGE, spare_pfn_mfn[6], t1);
    test_expect(rc, 0, "MMUEXT_COPY_PAGE from an L1 in use (reading a table is fine)");

    /* A bad vCPU mask pointer. */
    rc = mm_ext1(MMUEXT_TLB_FLUSH_MULTI, 0, 0x0000500000000000UL);
    test_expect(rc, E(EINVAL), "MMUEXT_TLB_FLUSH_MULTI with an unmapped vCPU mask");

    /* pdone counts the ops done before the failing one. */
    struct mmuext_op ops[4];
    g_memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_PIN_L1_TABLE;
    unsigned long l1 = fresh_frame();
    ops[1].arg1.mfn = l1;
    ops[2].cmd = 14;
    ops[3].cmd = MMUEXT_UNPIN_TABLE;
    ops[3].arg1.mfn = l1;
    unsigned int done = 0xdead;
    rc = HYPERVISOR_mmuext_op(ops, 4, &done, DOMID_SELF);
    test_check(rc == E(ENOSYS) && done == 2, "mmuext_op batch of 4 whose third is bad: rc=%ld pdone=%u (want %ld, 2)",
               rc, done, E(ENOSYS));
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, l1, 0);
    test_expect(rc, 0, "  the second (a pin) was done: unpin works");

    done = 0x1234;
    rc = HYPERVISOR_mmuext_op(ops, 0, &done, DOMID_SELF);
    test_check(rc == 0 && done == 0, "mmuext_op count 0: rc=%ld pdone=%u", rc, done);
    rc = HYPERVISOR_mmuext_op(NULL, 1, NULL, DOMID_SELF);
    test_expect(rc, E(EFAULT), "mmuext_op NULL list, count 1");
    rc = HYPERVISOR_mmuext_op((struct mmuext_op *)0xFFFF830000000000UL, 1, NULL, DOMID_SELF);
    test_expect(rc, E(EFAULT), "mmuext_op list in the hypervisor's range");
}

/* ---- foreign domains ----------------------------------------------------------------------- */

static void check_foreigndom(void)
{
    long rc;
    mmu_update_t req = { t1_slot(13), mm_pte(spare_pfn_mfn[7], MM_RW_FLAGS) };
    struct mmuext_op op;
    g_memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_TLB_FLUSH_LOCAL;

    static const struct {
        unsigned int dom;
        long want_mmu, want_ext;
        const char *what;
    } doms[] = {
        { 0, E(ESRCH), E(ESRCH), "0 (our own id, not DOMID_SELF)" },
        { 5, E(ESRCH), E(ESRCH), "5 (no such domain)" },
        { 0x7fef, E(ESRCH), E(ESRCH), "0x7fef (no such domain)" },
        { DOMID_INVALID, E(ESRCH), E(ESRCH), "DOMID_INVALID" },
        { DOMID_IDLE, E(ESRCH), E(ESRCH), "DOMID_IDLE" },
        { DOMID_IO, E(EBUSY), E(EPERM), "DOMID_IO" },
        { (6u << 16) | DOMID_SELF, E(ESRCH), 0, "page tables of domain 5 ((5+1) << 16)" },
    };
    for (unsigned i = 0; i < sizeof(doms) / sizeof(doms[0]); i++) {
        unsigned int done = 0xdead;
        /* DOMID_IO is one of Xen's pseudo-domains, which Xenolith does not offer. */
        int pseudo = guest_on_xenolith() && doms[i].dom == DOMID_IO;
        long want_mmu = pseudo ? E(ESRCH) : doms[i].want_mmu, want_ext = pseudo ? E(ESRCH) : doms[i].want_ext;
        rc = HYPERVISOR_mmu_update(&req, 1, &done, doms[i].dom);
        test_expect(rc, want_mmu, "mmu_update mapping our own frame with foreigndom %s", doms[i].what);
        if (doms[i].dom >> 16)
            continue;
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, doms[i].dom);
        test_expect(rc, want_ext, "mmuext_op TLB_FLUSH_LOCAL with foreigndom %s", doms[i].what);
        rc = HYPERVISOR_update_va_mapping_otherdomain(AREA_BASE + 13 * MM_PAGE_SIZE,
                                                      mm_pte(spare_pfn_mfn[7], MM_RW_FLAGS), 0, doms[i].dom);
        test_expect(rc, want_mmu, "update_va_mapping_otherdomain with domid %s", doms[i].what);
    }
    test_check(t1_read(13) == 0, "no entry was written (%#lx)", t1_read(13));
}

/* ---- update_va_mapping and multicall ------------------------------------------------------------ */

static void check_uvm(void)
{
    long rc;
    unsigned long val = mm_pte(spare_pfn_mfn[7], MM_RW_FLAGS);

    rc = HYPERVISOR_update_va_mapping(0xFFFF800000000000UL, val, 0);
    test_expect(rc, E(EINVAL), "update_va_mapping of the M2P's address");
    rc = HYPERVISOR_update_va_mapping(0xFFFF830000000000UL, val, 0);
    test_expect(rc, E(EINVAL), "update_va_mapping in the hypervisor's range");
    rc = HYPERVISOR_update_va_mapping(0x0000800000000000UL, val, 0);
    test_expect(rc, E(EINVAL), "update_va_mapping of a non-canonical address");
    rc = HYPERVISOR_update_va_mapping(0x0000500000000000UL, val, 0);
    test_expect(rc, E(EINVAL), "update_va_mapping where no L1 exists");
    rc = HYPERVISOR_update_va_mapping(AREA_BASE + 14 * MM_PAGE_SIZE, mm_pte(m2p_mfn, MM_RO_FLAGS), 0);
    test_expect(rc, E(EBUSY), "update_va_mapping to an M2P frame");

    /* A vCPU mask that cannot be read: the entry is written, the flush fails. */
    rc = HYPERVISOR_update_va_mapping(AREA_BASE + 14 * MM_PAGE_SIZE, val, UVMF_INVLPG | 0x0000500000000000UL);
    unsigned long e = t1_read(14);
    test_check(rc == E(EFAULT) && mm_pte_mfn(e) == spare_pfn_mfn[7],
               "update_va_mapping with an unmapped vCPU mask: rc=%ld (want %ld), entry written anyway (%#lx)", rc,
               E(EFAULT), e);
    rc = HYPERVISOR_update_va_mapping(AREA_BASE + 14 * MM_PAGE_SIZE, 0, UVMF_INVLPG | UVMF_LOCAL);
    test_expect(rc, 0, "  cleared");

    /* multicall: every entry runs, each gets its own result. */
    multicall_entry_t mc[5];
    g_memset(mc, 0, sizeof(mc));
    for (unsigned i = 0; i < 5; i++) {
        mc[i].op = __HYPERVISOR_update_va_mapping;
        mc[i].args[0] = AREA_BASE + (15 + i) * MM_PAGE_SIZE;
        mc[i].args[1] = val;
        mc[i].args[2] = UVMF_INVLPG | UVMF_LOCAL;
    }
    mc[1].args[0] = 0x0000500000000000UL;
    mc[2].op = 100;
    mc[3].op = __HYPERVISOR_multicall;
    mc[3].args[0] = (unsigned long)mc;
    mc[3].args[1] = 1;
    rc = HYPERVISOR_multicall(mc, 5);
    test_check(rc == 0 && (long)mc[0].result == 0 && (long)mc[1].result == E(EINVAL) &&
                   (long)mc[2].result == E(ENOSYS) && (long)mc[3].result == E(EINVAL) && (long)mc[4].result == 0,
               "multicall [ok, no L1, op 100, nested multicall, ok]: rc=%ld results %ld %ld %ld %ld %ld "
               "(want 0, 0 %ld %ld %ld 0)", rc, (long)mc[0].result, (long)mc[1].result, (long)mc[2].result,
               (long)mc[3].result, (long)mc[4].result, E(EINVAL), E(ENOSYS), E(EINVAL));
    test_check(t1_read(15) && t1_read(19), "  the first and last entries were mapped");
    mmu_update_t clr[2] = { { t1_slot(15), 0 }, { t1_slot(19), 0 } };
    rc = HYPERVISOR_mmu_update(clr, 2, NULL, DOMID_SELF);
    long fl = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(rc == 0 && fl == 0, "  and unmapped again");

    rc = HYPERVISOR_multicall(mc, 0);
    test_expect(rc, 0, "multicall of 0 entries");
    rc = HYPERVISOR_multicall(NULL, 1);
    test_expect(rc, E(EFAULT), "multicall NULL list, 1 entry");
    rc = HYPERVISOR_multicall((multicall_entry_t *)0xFFFF830000000000UL, 1);
    test_expect(rc, E(EFAULT), "multicall list in the hypervisor's range");
}

/* ---- memory_op ------------------------------------------------------------------------------------ */

static void check_memory_op(void)
{
    long rc;
    xen_pfn_t list[2];

    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, NULL);
    test_expect(rc, E(EFAULT), "current_reservation with a NULL argument");
    rc = mm_domain_query(XENMEM_current_reservation, 5);
    test_expect(rc, E(ESRCH), "current_reservation of domain 5");
    rc = mm_domain_query(XENMEM_maximum_reservation, DOMID_INVALID);
    test_expect(rc, E(ESRCH), "maximum_reservation of DOMID_INVALID");
    rc = HYPERVISOR_memory_op(XENMEM_maximum_ram_page | (1UL << 6), NULL);
    test_expect(rc, E(EINVAL), "maximum_ram_page with a start extent in cmd");
    rc = HYPERVISOR_memory_op(63, NULL);
    test_expect(rc, E(ENOSYS), "memory_op 63 (unknown)");
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, NULL);
    test_expect(rc, E(EFAULT), "memory_map with a NULL argument");

    /* The reservation ops report progress, not errors: 0 extents done. */
    rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, NULL);
    test_expect(rc, 0, "decrease_reservation with a NULL argument: 0 extents");
    rc = HYPERVISOR_memory_op(XENMEM_increase_reservation, (void *)0xFFFF830000000000UL);
    test_expect(rc, 0, "increase_reservation with its argument in the hypervisor's range: 0 extents");
    list[0] = m2p_mfn;
    rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    test_expect(rc, 0, "decrease_reservation of an M2P frame: 0 extents");
    list[0] = freed_mfn;
    rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    test_expect(rc, 0, "decrease_reservation of a frame already given back: 0 extents");
    list[0] = max_ram_page + 0x100;
    rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    test_expect(rc, 0, "decrease_reservation of an mfn beyond RAM: 0 extents");
    rc = mm_reservation(XENMEM_decrease_reservation, (xen_pfn_t *)0x0000500000000000UL, 1, 0, DOMID_SELF);
    test_expect(rc, 0, "decrease_reservation with an unmapped extent list: 0 extents");
    list[0] = data_mfn;
    rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 40, DOMID_SELF);
    test_expect(rc, 0, "decrease_reservation of order 40: 0 extents");
    rc = mm_reservation(XENMEM_populate_physmap, list, 1, 40, DOMID_SELF);
    test_expect(rc, 0, "populate_physmap of order 40: 0 extents");
    rc = mm_reservation(XENMEM_increase_reservation, list, 1, 40, DOMID_SELF);
    test_expect(rc, 0, "increase_reservation of order 40: 0 extents");
    rc = mm_reservation(XENMEM_populate_physmap, list, 1UL << 26, 0, DOMID_SELF);
    test_expect(rc, 0, "populate_physmap of 2^26 extents (too many to encode a continuation): 0 extents");
    rc = mm_reservation(XENMEM_populate_physmap, list, 1, 0, 5);
    test_expect(rc, 0, "populate_physmap for domain 5: 0 extents");
    rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation | (1UL << 6), NULL);
    test_expect(rc, 1, "decrease_reservation, start extent 1, NULL argument: returns the start extent");
    test_check(mm_pfn_to_mfn(va_pfn(data_page)) == data_mfn && ((volatile char *)data_page)[0] == 0,
               "our data page is still ours");
}

void test_main(start_info_t *si)
{
    test_note("nr_pages %lu, start-of-day region %lu frames, %lu free", si->nr_pages, mm_boot_pfns(),
              mm_free_pfns());
    if (mm_free_pfns() < 64)
        test_skip("only %lu free frames", mm_free_pfns());
    setup();
    check_bad_l1();
    check_bad_flags();
    check_bad_pins();
    check_l4_and_baseptr();
    check_linear();
    check_update_ptrs();
    check_update_counts();
    check_update_millions();
    check_mmuext();
    check_foreigndom();
    check_uvm();
    check_memory_op();

    long rc = mm_update1((mm_l4_mfn() << 12) + 8 * AREA_SLOT, 0);
    long fl = mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    test_check(rc == 0 && fl == 0 && try_writable(t1) == 0 && try_writable(area_l3) == 0,
               "test area unhooked; its tables are ordinary pages again");
}
