/*
 * memory_op and vm_assist as a 64-bit PV hardware domain sees them: the
 * memory maps, the reservation queries, giving frames back and getting new
 * ones (increase_reservation, populate_physmap), with the counts each call
 * returns and what the M2P says about the frames; then every vm_assist type.
 */
#include "mm.h"

#include "errno.h"

#define E(x) (-(long)XEN_##x)

/* One BIOS E820 entry as the memory maps return it (20 bytes). */
struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

static struct e820_entry map[128];
static unsigned long nr_pages;

static long cur_res(void)
{
    return mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
}

/* Is mfn anywhere in our p2m list? */
static int in_p2m(unsigned long mfn)
{
    for (unsigned long p = 0; p < nr_pages; p++)
        if (mm_pfn_to_mfn(p) == mfn)
            return 1;
    return 0;
}

static long max_ram_page;

static void check_maps(void)
{
    long rc;
    struct xen_memory_map mm;

    mm.nr_entries = 128;
    mm.buffer = map;
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
    test_check(rc == E(ENOSYS), "XENMEM_memory_map: rc=%ld (want %ld: Xen keeps no pseudo-physical map for a "
               "PV dom0)", rc, E(ENOSYS));

    g_memset(map, 0, sizeof(map));
    mm.nr_entries = 128;
    mm.buffer = map;
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    unsigned n = mm.nr_entries;
    uint64_t ram = 0, ram_top = 0;
    int sorted = 1;
    for (unsigned i = 0; i < n && i < 128; i++) {
        test_note("machine map %2u: %#012lx-%#012lx type %u", i, (unsigned long)map[i].addr,
                  (unsigned long)(map[i].addr + map[i].size - 1), map[i].type);
        if (map[i].type == E820_RAM) {
            ram += map[i].size;
            if (map[i].addr + map[i].size > ram_top)
                ram_top = map[i].addr + map[i].size;
        }
        if (i && map[i].addr < map[i - 1].addr + map[i - 1].size)
            sorted = 0;
    }
    test_check(rc == 0 && n > 0 && n < 128 && sorted && ram >= nr_pages * MM_PAGE_SIZE,
               "XENMEM_machine_memory_map: rc=%ld, %u entries, sorted, %lu MiB RAM (>= our %lu MiB)", rc, n,
               (unsigned long)(ram >> 20), nr_pages >> 8);

    max_ram_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    test_check(max_ram_page > 0 && (uint64_t)max_ram_page << 12 >= ram_top,
               "XENMEM_maximum_ram_page: %#lx (covers the top of RAM %#lx)", max_ram_page, (unsigned long)ram_top);
    unsigned long above = 0;
    for (unsigned long p = 0; p < nr_pages; p++)
        if (mm_pfn_to_mfn(p) >= (unsigned long)max_ram_page)
            above++;
    test_check(above == 0, "every frame of ours lies below maximum_ram_page (%lu above)", above);

    /* Too small a buffer; no buffer at all. */
    mm.nr_entries = 1;
    mm.buffer = map;
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    test_check(rc == E(EINVAL), "machine_memory_map into 1 entry: rc=%ld (want %ld)", rc, E(EINVAL));
    mm.nr_entries = 0;
    mm.buffer = NULL;
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    test_check(rc == 0 && mm.nr_entries == n, "machine_memory_map with no buffer: rc=%ld, count %u (want 0, %u)",
               rc, mm.nr_entries, n);
    mm.nr_entries = 128;
    mm.buffer = (void *)0x0000500000000000UL;
    rc = HYPERVISOR_memory_op(XENMEM_machine_memory_map, &mm);
    test_check(rc == E(EFAULT), "machine_memory_map into an unmapped buffer: rc=%ld (want %ld)", rc, E(EFAULT));

    struct xen_machphys_mapping mpm;
    g_memset(&mpm, 0, sizeof(mpm));
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mpm);
    test_check(rc == 0 && mpm.v_start == MACH2PHYS_VIRT_START && mpm.v_end == MACH2PHYS_VIRT_END &&
                   mpm.max_mfn == (unsigned long)max_ram_page - 1,
               "XENMEM_machphys_mapping: rc=%ld, %#lx-%#lx, max_mfn %#lx (want maximum_ram_page - 1)", rc,
               mpm.v_start, mpm.v_end, mpm.max_mfn);
}

static long cur0;

static void check_queries(void)
{
    cur0 = cur_res();
    long max = mm_domain_query(XENMEM_maximum_reservation, DOMID_SELF);
    long gpfn = mm_domain_query(XENMEM_maximum_gpfn, DOMID_SELF);
    test_check(cur0 == (long)nr_pages, "current_reservation(DOMID_SELF) = %ld (nr_pages %lu)", cur0, nr_pages);
    test_check(max >= cur0, "maximum_reservation(DOMID_SELF) = %ld (>= current)", max);
    test_note("maximum_gpfn(DOMID_SELF) = %ld", gpfn);
    long cur_by_id = mm_domain_query(XENMEM_current_reservation, 0);
    test_check(cur_by_id == cur0, "current_reservation(0), our own id: %ld", cur_by_id);

    /* For a PV guest maximum_gpfn is shared_info.arch.max_pfn - 1: set it as Linux does. */
    unsigned long si_mfn = guest_start_info->shared_info >> 12;
    struct shared_info *s = mm_scratch_map(si_mfn, MM_RW_FLAGS);
    if (s) {
        unsigned long old = s->arch.max_pfn;
        s->arch.max_pfn = nr_pages;
        long g2 = mm_domain_query(XENMEM_maximum_gpfn, DOMID_SELF);
        s->arch.max_pfn = old;
        long g3 = mm_domain_query(XENMEM_maximum_gpfn, DOMID_SELF);
        test_check(g2 == (long)nr_pages - 1 && g3 == gpfn,
                   "maximum_gpfn follows shared_info.arch.max_pfn (was %lu): %ld with max_pfn=%lu, %ld after",
                   old, g2, nr_pages, g3);
    }
    mm_scratch_unmap();
}

#define NR_GIVE 8
static unsigned long give_pfn[NR_GIVE];

static void check_decrease(void)
{
    xen_pfn_t list[NR_GIVE];
    long rc;

    for (unsigned i = 0; i < NR_GIVE; i++) {
        give_pfn[i] = mm_alloc_pfn();
        list[i] = mm_pfn_to_mfn(give_pfn[i]);
    }
    rc = mm_reservation(XENMEM_decrease_reservation, list, NR_GIVE, 0, DOMID_SELF);
    long cur = cur_res();
    test_check(rc == NR_GIVE && cur == cur0 - NR_GIVE,
               "decrease_reservation of %u frames: rc=%ld, current_reservation %ld -> %ld", NR_GIVE, rc, cur0, cur);
    for (unsigned i = 0; i < NR_GIVE; i++)
        mm_set_p2m(give_pfn[i], MM_INVALID);
    unsigned long m2p_cleared = 0;
    for (unsigned i = 0; i < NR_GIVE; i++)
        if (GUEST_M2P[list[i]] == MM_INVALID)
            m2p_cleared++;
    test_check(m2p_cleared == NR_GIVE, "the M2P entries of the given-back frames read ~0 (%lu of %u; first %#lx)",
               m2p_cleared, NR_GIVE, GUEST_M2P[list[0]]);
    void *p = mm_scratch_map(list[0], MM_RO_FLAGS);
    long mrc = mm_last_rc;
    mm_scratch_unmap();
    test_check(!p && mrc == E(EBUSY), "a given-back frame cannot be mapped: rc=%ld (want %ld)", mrc, E(EBUSY));

    /* A list that goes bad in the middle: the count says where it stopped. */
    unsigned long a = mm_alloc_pfn(), b = mm_alloc_pfn();
    xen_pfn_t mixed[3] = { mm_pfn_to_mfn(a), list[1] /* already given back */, mm_pfn_to_mfn(b) };
    rc = mm_reservation(XENMEM_decrease_reservation, mixed, 3, 0, DOMID_SELF);
    mm_set_p2m(a, MM_INVALID);
    void *q = mm_scratch_map(mm_pfn_to_mfn(b), MM_RW_FLAGS);
    mm_scratch_unmap();
    test_check(rc == 1 && q && cur_res() == cur0 - NR_GIVE - 1,
               "decrease_reservation [ours, already given back, ours]: rc=%ld (want 1), the third is still ours",
               rc);

    /* An order-2 extent: four contiguous machine frames, aligned. */
    unsigned long first = MM_INVALID;
    for (unsigned long pf = mm_alloc_pfn(); pf != MM_INVALID && pf + 3 < nr_pages; pf = mm_alloc_pfn()) {
        unsigned long m = mm_pfn_to_mfn(pf);
        if ((m & 3) == 0 && mm_pfn_to_mfn(pf + 1) == m + 1 && mm_pfn_to_mfn(pf + 2) == m + 2 &&
            mm_pfn_to_mfn(pf + 3) == m + 3) {
            first = pf;
            mm_alloc_pfn();
            mm_alloc_pfn();
            mm_alloc_pfn();
            break;
        }
    }
    if (first == MM_INVALID) {
        test_note("no 4 contiguous aligned frames: order-2 extent not tried");
        return;
    }
    long before = cur_res();
    xen_pfn_t ext = mm_pfn_to_mfn(first);
    rc = mm_reservation(XENMEM_decrease_reservation, &ext, 1, 2, DOMID_SELF);
    long after = cur_res();
    test_check(rc == 1 && after == before - 4, "decrease_reservation of one order-2 extent at mfn %#lx: rc=%ld, "
               "current_reservation %ld -> %ld", (unsigned long)ext, rc, before, after);
    for (unsigned i = 0; i < 4; i++)
        mm_set_p2m(first + i, MM_INVALID);
}

static void check_increase(void)
{
    xen_pfn_t list[NR_GIVE];
    long before = cur_res();
    long max = mm_domain_query(XENMEM_maximum_reservation, DOMID_SELF);
    long rc;

    g_memset(list, 0, sizeof(list));
    rc = mm_reservation(XENMEM_increase_reservation, list, 4, 0, DOMID_SELF);
    long after = cur_res();
    unsigned long bad = 0;
    for (unsigned i = 0; i < 4; i++) {
        test_note("increase_reservation frame %u: mfn %#lx, M2P %#lx", i, (unsigned long)list[i],
                  GUEST_M2P[list[i]]);
        if (!list[i] || list[i] >= (unsigned long)max_ram_page || in_p2m(list[i]) ||
            GUEST_M2P[list[i]] != MM_INVALID)
            bad++;
    }
    test_check(rc == 4 && after == before + 4 && bad == 0,
               "increase_reservation of 4 frames: rc=%ld, current_reservation %ld -> %ld, new mfns below "
               "maximum_ram_page, not in our p2m, M2P entry ~0", rc, before, after);
    void *p = mm_scratch_map(list[0], MM_RW_FLAGS);
    long mrc = mm_last_rc;
    if (p)
        g_memset(p, 0x5a, MM_PAGE_SIZE);
    mm_scratch_unmap();
    test_check(p != NULL, "a new frame can be mapped writable: rc=%ld", mrc);

    /* Give them straight back. */
    rc = mm_reservation(XENMEM_decrease_reservation, list, 4, 0, DOMID_SELF);
    test_check(rc == 4 && cur_res() == before, "and given back: rc=%ld, current_reservation %ld", rc, cur_res());

    /* NULL extent list: the frames are allocated, their numbers not reported. */
    rc = mm_reservation(XENMEM_increase_reservation, NULL, 1, 0, DOMID_SELF);
    test_check(rc == 1 && cur_res() == before + 1,
               "increase_reservation of 1 frame with a NULL list: rc=%ld, current_reservation %ld -> %ld (the frame "
               "is ours, its mfn unknown)", rc, before, cur_res());

    /* Above the maximum. */
    static xen_pfn_t big[64];
    long cur = cur_res();
    if (max - cur < 64) {
        unsigned long want = (unsigned long)(max - cur);
        rc = mm_reservation(XENMEM_increase_reservation, big, want + 1, 0, DOMID_SELF);
        test_check(rc == (long)want && cur_res() == max,
                   "increase_reservation of %lu frames with room for %lu: rc=%ld, current_reservation %ld", want + 1,
                   want, rc, cur_res());
        long back = rc > 0 ? mm_reservation(XENMEM_decrease_reservation, big, (unsigned long)rc, 0, DOMID_SELF) : 0;
        test_check(back == rc && cur_res() == cur, "and given back: rc=%ld", back);
    } else {
        test_note("maximum_reservation %ld leaves room for %ld frames: the over-the-limit case is not tried", max,
                  max - cur);
    }
}

static void check_populate(void)
{
    xen_pfn_t list[NR_GIVE];
    long before = cur_res();
    long rc;

    for (unsigned i = 0; i < NR_GIVE; i++)
        list[i] = give_pfn[i];
    rc = mm_reservation(XENMEM_populate_physmap, list, NR_GIVE, 0, DOMID_SELF);
    unsigned long bad = 0;
    for (unsigned i = 0; i < NR_GIVE && i < (unsigned long)(rc > 0 ? rc : 0); i++) {
        if (GUEST_M2P[list[i]] != give_pfn[i] || in_p2m(list[i]))
            bad++;
        mm_set_p2m(give_pfn[i], list[i]);
    }
    test_check(rc == NR_GIVE && bad == 0 && cur_res() == before + NR_GIVE,
               "populate_physmap of the %u given-back pfns: rc=%ld, mfns returned (%#lx...), M2P says pfn, "
               "current_reservation %ld -> %ld", NR_GIVE, rc, (unsigned long)list[0], before, cur_res());
    void *p = mm_scratch_map(list[0], MM_RW_FLAGS);
    mm_scratch_unmap();
    test_check(p != NULL, "a populated frame can be mapped writable");

    /* A pfn beyond nr_pages: for a PV guest only the M2P records it. */
    xen_pfn_t far = nr_pages + 0x123;
    rc = mm_reservation(XENMEM_populate_physmap, &far, 1, 0, DOMID_SELF);
    test_check(rc == 1 && GUEST_M2P[far] == nr_pages + 0x123,
               "populate_physmap of pfn nr_pages+0x123: rc=%ld, mfn %#lx, M2P %#lx", rc, (unsigned long)far,
               GUEST_M2P[far]);
    if (rc == 1) {
        rc = mm_reservation(XENMEM_decrease_reservation, &far, 1, 0, DOMID_SELF);
        test_check(rc == 1 && cur_res() == before + NR_GIVE, "and given back: rc=%ld", rc);
    }

    /* An order-1 extent at an even pfn. */
    xen_pfn_t two = (nr_pages + 0x200) & ~1UL;
    rc = mm_reservation(XENMEM_populate_physmap, &two, 1, 1, DOMID_SELF);
    int ok = rc == 1 && !(two & 1) && GUEST_M2P[two] == ((nr_pages + 0x200) & ~1UL) &&
             GUEST_M2P[two + 1] == ((nr_pages + 0x200) & ~1UL) + 1;
    test_check(ok, "populate_physmap of one order-1 extent: rc=%ld, mfn %#lx (even), M2P %#lx %#lx", rc,
               (unsigned long)two, GUEST_M2P[two], GUEST_M2P[two + 1]);
    if (rc == 1)
        mm_reservation(XENMEM_decrease_reservation, &two, 1, 1, DOMID_SELF);
    test_check(cur_res() == before + NR_GIVE, "current_reservation back at %ld", cur_res());

    /* A pfn that is populated already: a PV guest's p2m is its own, so this is a second frame. */
    unsigned long old_mfn = mm_pfn_to_mfn(give_pfn[0]);
    xen_pfn_t again = give_pfn[0];
    rc = mm_reservation(XENMEM_populate_physmap, &again, 1, 0, DOMID_SELF);
    test_check(rc == 1 && again != old_mfn && GUEST_M2P[again] == give_pfn[0] && GUEST_M2P[old_mfn] == give_pfn[0],
               "populate_physmap again at pfn %#lx: rc=%ld, a second mfn %#lx, the M2P says %#lx for both", give_pfn[0],
               rc, (unsigned long)again, GUEST_M2P[again]);
    if (rc == 1) {
        rc = mm_reservation(XENMEM_decrease_reservation, &again, 1, 0, DOMID_SELF);
        test_check(rc == 1 && GUEST_M2P[old_mfn] == give_pfn[0] && cur_res() == before + NR_GIVE,
                   "the second frame given back: rc=%ld; the first keeps its M2P entry", rc);
    }
}

static void check_vm_assist(void)
{
    static const struct {
        unsigned long type;
        long want;
        const char *name;
    } types[] = {
        { VMASST_TYPE_4gb_segments, 0, "4gb_segments" },
        { VMASST_TYPE_4gb_segments_notify, 0, "4gb_segments_notify" },
        { VMASST_TYPE_writable_pagetables, 0, "writable_pagetables" },
        { VMASST_TYPE_pae_extended_cr3, 0, "pae_extended_cr3" },
        { VMASST_TYPE_architectural_iopl, 0, "architectural_iopl" },
        { VMASST_TYPE_runstate_update_flag, 0, "runstate_update_flag" },
        { 6, E(EINVAL), "6 (undefined)" },
        { 31, E(EINVAL), "31 (undefined)" },
        { VMASST_TYPE_m2p_strict, 0, "m2p_strict" },
        { 33, E(EINVAL), "33 (undefined)" },
        { 63, E(EINVAL), "63 (undefined)" },
        { 64, E(EINVAL), "64 (beyond a long)" },
        { 0xffffffffUL, E(EINVAL), "0xffffffff" },
    };
    /* Xen accepts every defined type; Xenolith accepts only the assists it
     * really provides (pae_extended_cr3, always true in 64-bit mode;
     * writable_pagetables; architectural_iopl) and refuses the others with -EINVAL. */
    int xl = guest_on_xenolith();
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        long want = types[i].want;
        if (xl && want == 0 && types[i].type != VMASST_TYPE_pae_extended_cr3 &&
            types[i].type != VMASST_TYPE_writable_pagetables &&
            types[i].type != VMASST_TYPE_architectural_iopl)
            want = E(EINVAL);
        long en = HYPERVISOR_vm_assist(VMASST_CMD_enable, types[i].type);
        long dis = HYPERVISOR_vm_assist(VMASST_CMD_disable, types[i].type);
        test_check(en == want && dis == want,
                   "vm_assist %s: enable rc=%ld, disable rc=%ld (want %ld)", types[i].name, en, dis, want);
    }
    long rc = HYPERVISOR_vm_assist(2, VMASST_TYPE_pae_extended_cr3);
    test_check(rc == E(ENOSYS), "vm_assist command 2 with a valid type: rc=%ld (want %ld)", rc, E(ENOSYS));
    rc = HYPERVISOR_vm_assist(2, 6);
    test_check(rc == E(EINVAL), "vm_assist command 2 with an invalid type: rc=%ld (want %ld: type checked first)",
               rc, E(EINVAL));
    rc = HYPERVISOR_vm_assist(0x100000000UL | VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3);
    long d = HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_pae_extended_cr3);
    test_check(rc == 0 && d == 0, "vm_assist command 0x100000000 (truncated to 32 bits: enable): rc=%ld", rc);
}

void test_main(start_info_t *si)
{
    nr_pages = si->nr_pages;
    test_note("nr_pages %lu, start-of-day region %lu frames, %lu free", nr_pages, mm_boot_pfns(), mm_free_pfns());
    if (mm_free_pfns() < 64)
        test_skip("only %lu free frames", mm_free_pfns());
    check_maps();
    check_queries();
    check_decrease();
    check_increase();
    check_populate();
    check_vm_assist();
}
