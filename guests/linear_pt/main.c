/*
 * Linear page tables (Xen 4.17's pv-linear-pt, on by default): a read-only
 * L2, L3 or L4 entry may name its own table (the recursive self-map) or
 * another validated table of its own level, one level deep only.
 *
 * With the guest command line "off" (the hypervisor started with
 * pv-linear-pt=0) every such entry must be refused with -EINVAL instead.
 *
 * Checked here:
 *  - the current L4 mapping itself read-only at SELF_SLOT: the guest's own
 *    L4, L3, L2 and L1 entries read through that window equal what its page
 *    walk and its own writes say; update_va_mapping of an address in the
 *    window (whose walk ends on a table of a higher level) is refused;
 *  - the same at L3 and L2 (a small tree at AREA_SLOT: L3 a3 -> L2 a2 -> L1
 *    a1 -> one data frame);
 *  - writable self-maps and same-level entries refused (-EINVAL), also as a
 *    change of an existing read-only one;
 *  - same-level entries naming other tables (a pinned L4, L3s, an L2) and the
 *    one-level restriction: a table named by such an entry cannot hold one,
 *    a table holding one cannot be named by one (so two tables can never
 *    name each other);
 *  - tables unhooked or unpinned while linear entries are in or point at
 *    them: released, then usable as a writable page and as an L1;
 *  - exact frame accounting: a frame given back while only a linear entry
 *    holds it still counts until that entry goes, and at the end every test
 *    frame given back leaves current_reservation exactly that much lower;
 *  - linear entries left in place for the domain's teardown (whose frame
 *    accounting the harness checks on Xenolith).
 */
#include "mm.h"

#include "errno.h"

#define E(x) (-(long)XEN_##x)

#define SELF_SLOT 7   /* L4 self-map */
#define AREA_SLOT 8   /* the small tree */
#define LIN_SLOT  9   /* current L4 -> another L4 */
#define L3_SELF   300 /* a3 -> a3 */
#define L2_SELF   400 /* a2 -> a2 */
#define B_SELF    100 /* B -> B */
#define DATA_SLOT 5   /* a1[5] -> data frame */

#define RO_LINK (MM_P | MM_US | MM_A)
#define AD      (MM_A | MM_D)

static int on;                     /* pv-linear-pt expected on */
static unsigned long l4;           /* the current L4 */
static const volatile unsigned long *l4v;
static unsigned long a3, a2, a1, b3, c3, b2, big_b, data;
static long cur0;

static volatile unsigned long marker = 0x6c696e6561722121UL;

/* The result an allowed linear entry must give: 0, or -EINVAL when off. */
static long allowed(void)
{
    return on ? 0 : E(EINVAL);
}

static long reservation(void)
{
    return mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
}

static long flush(void)
{
    return mm_ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
}

static unsigned long slot(unsigned long table, unsigned i)
{
    return (table << 12) + 8UL * i;
}

/* A zeroed free frame. */
static unsigned long fresh_frame(void)
{
    unsigned long mfn = mm_alloc_mfn();
    if (mfn == MM_INVALID || mm_zero_frame(mfn))
        test_check(0, "could not get a free frame");
    return mfn;
}

static long try_writable(unsigned long mfn)
{
    void *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    long rc = p ? 0 : mm_last_rc;
    mm_scratch_unmap();
    return rc;
}

/* A released frame is an ordinary page again: writable, then an L1. */
static void check_reusable(unsigned long mfn, const char *what)
{
    long w = try_writable(mfn);
    long z = mm_zero_frame(mfn);
    long p = mm_ext1(MMUEXT_PIN_L1_TABLE, mfn, 0);
    long u = mm_ext1(MMUEXT_UNPIN_TABLE, mfn, 0);
    test_check(w == 0 && z == 0 && p == 0 && u == 0,
               "%s %#lx reusable: mapped writable rc=%ld, zeroed rc=%ld, pinned as L1 rc=%ld, unpinned rc=%ld",
               what, mfn, w, z, p, u);
}

/* Entries equal but for the bits the CPU and the hypervisor may set: A, D,
 * US, and G in an L1 entry (Xen 4.17 may add it to a 64-bit guest's kernel
 * mappings, Xenolith never keeps it). */
static int same_entry(unsigned long got, unsigned long want)
{
    return ((got ^ want) & ~(AD | MM_US | MM_G)) == 0 && (got & MM_P);
}

static const volatile unsigned long *table_at(unsigned l4i, unsigned l3i, unsigned l2i, unsigned l1i)
{
    return (const volatile unsigned long *)mm_va(l4i, l3i, l2i, l1i);
}

/* ---- the small tree ------------------------------------------------------------ */

static void build_area(void)
{
    unsigned long e = MM_INVALID;
    long rc;

    test_check(mm_read_pte(mm_va(AREA_SLOT, 0, 0, 0), 4, &e) == 0 && e == 0 &&
               l4v[SELF_SLOT] == 0 && l4v[LIN_SLOT] == 0,
               "L4 slots %d, %d and %d are free", SELF_SLOT, AREA_SLOT, LIN_SLOT);
    a3 = fresh_frame();
    a2 = fresh_frame();
    a1 = fresh_frame();
    data = mm_alloc_mfn();
    rc = mm_update1(slot(l4, AREA_SLOT), mm_pte(a3, MM_TABLE_FLAGS));
    rc |= mm_update1(slot(a3, 0), mm_pte(a2, MM_TABLE_FLAGS));
    rc |= mm_update1(slot(a2, 0), mm_pte(a1, MM_TABLE_FLAGS));
    rc |= mm_update1(slot(a1, DATA_SLOT), mm_pte(data, MM_RO_FLAGS));
    test_check(rc == 0, "tree at L4 slot %d: L3 %#lx -> L2 %#lx -> L1 %#lx -> data %#lx", AREA_SLOT, a3, a2,
               a1, data);
}

/* ---- L4 self-map ----------------------------------------------------------------- */

static void check_l4_self(void)
{
    unsigned long va = (unsigned long)&marker, want[5];
    unsigned i4 = mm_index(va, 4), i3 = mm_index(va, 3), i2 = mm_index(va, 2), i1 = mm_index(va, 1);
    long rc;

    rc = mm_update1(slot(l4, SELF_SLOT + 3), mm_pte(l4, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "L4 slot %d -> the L4 itself, writable", SELF_SLOT + 3);
    test_check(l4v[SELF_SLOT + 3] == 0, "  and nothing was written");

    rc = mm_update1(slot(l4, SELF_SLOT), mm_pte(l4, RO_LINK));
    if (!test_expect(rc, allowed(), "L4 slot %d -> the L4 itself, read-only", SELF_SLOT) || !on)
        return;
    flush();

    /* The L4 at (S, S, S, S). */
    const volatile unsigned long *self = table_at(SELF_SLOT, SELF_SLOT, SELF_SLOT, SELF_SLOT);
    unsigned diff = 0;
    for (unsigned i = 0; i < 512; i++)
        if (self[i] != l4v[i])
            diff++;
    test_check(diff == 0 && same_entry(self[SELF_SLOT], mm_pte(l4, RO_LINK)),
               "the L4 reads back through its self-map at %#lx (%u entries differ; its slot %d is %#lx)",
               (unsigned long)self, diff, SELF_SLOT, self[SELF_SLOT]);

    /* The entries that map marker, level by level, through the window. */
    int ok = 1;
    for (int level = 4; level >= 1; level--)
        ok &= mm_read_pte(va, level, &want[level]) == 0;
    unsigned long got4 = table_at(SELF_SLOT, SELF_SLOT, SELF_SLOT, SELF_SLOT)[i4];
    unsigned long got3 = table_at(SELF_SLOT, SELF_SLOT, SELF_SLOT, i4)[i3];
    unsigned long got2 = table_at(SELF_SLOT, SELF_SLOT, i4, i3)[i2];
    unsigned long got1 = table_at(SELF_SLOT, i4, i3, i2)[i1];
    test_check(ok && got4 == want[4] && got3 == want[3] && got2 == want[2] && got1 == want[1] &&
                   mm_pte_mfn(got1) == mm_va_to_mfn(va),
               "the L4, L3, L2 and L1 entries mapping %#lx read through the window equal the walk's: "
               "%#lx %#lx %#lx %#lx", va, got4, got3, got2, got1);

    /* What the guest wrote into the small tree. */
    unsigned long l1e = table_at(SELF_SLOT, AREA_SLOT, 0, 0)[DATA_SLOT];
    unsigned long l2e = table_at(SELF_SLOT, SELF_SLOT, AREA_SLOT, 0)[0];
    unsigned long l3e = table_at(SELF_SLOT, SELF_SLOT, SELF_SLOT, AREA_SLOT)[0];
    test_check(same_entry(l1e, mm_pte(data, MM_RO_FLAGS)) && same_entry(l2e, mm_pte(a1, MM_TABLE_FLAGS)) &&
                   same_entry(l3e, mm_pte(a2, MM_TABLE_FLAGS)),
               "the small tree's entries read through the window are the ones written: L1 %#lx, L2 %#lx, L3 %#lx",
               l1e, l2e, l3e);

    /* Writable, as a change of the read-only one: refused, the entry stays. */
    rc = mm_update1(slot(l4, SELF_SLOT), mm_pte(l4, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "the self-map changed to writable");
    test_check(same_entry(l4v[SELF_SLOT], mm_pte(l4, RO_LINK)), "  and it is still the read-only one");

    /* update_va_mapping needs an L1 at the end of the walk. */
    rc = mm_update_va_mapping(mm_va(SELF_SLOT, SELF_SLOT, SELF_SLOT, 0), 0, UVMF_INVLPG | UVMF_LOCAL);
    test_expect(rc, E(EINVAL), "update_va_mapping of an address whose walk ends on the L4 (through the self-map)");
    rc = mm_update_va_mapping(mm_va(SELF_SLOT, AREA_SLOT, 0, 0), 0, UVMF_INVLPG | UVMF_LOCAL);
    test_expect(rc, E(EINVAL), "update_va_mapping of an address whose walk ends on an L2 (through the self-map)");
    test_check(same_entry(l4v[SELF_SLOT], mm_pte(l4, RO_LINK)) && l4v[AREA_SLOT] != 0, "  and nothing changed");

    rc = mm_update1(slot(l4, SELF_SLOT), 0);
    long f = flush();
    test_check(rc == 0 && f == 0 && l4v[SELF_SLOT] == 0, "the self-map removed: rc=%ld", rc);
}

/* ---- L3 and L2 self-maps ----------------------------------------------------------- */

static void check_lower_self(void)
{
    long rc;

    rc = mm_update1(slot(a3, L3_SELF + 1), mm_pte(a3, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "L3 slot %d -> the L3 itself, writable", L3_SELF + 1);
    rc = mm_update1(slot(a2, L2_SELF + 1), mm_pte(a2, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "L2 slot %d -> the L2 itself, writable", L2_SELF + 1);

    rc = mm_update1(slot(a3, L3_SELF), mm_pte(a3, RO_LINK));
    test_expect(rc, allowed(), "L3 slot %d -> the L3 itself, read-only", L3_SELF);
    rc = mm_update1(slot(a2, L2_SELF), mm_pte(a2, RO_LINK));
    test_expect(rc, allowed(), "L2 slot %d -> the L2 itself, read-only", L2_SELF);
    if (!on)
        return;
    flush();

    /* a3 at (AREA, V, V, V); a2 at (AREA, 0, W, W); a1 at (AREA, 0, W, 0). */
    const volatile unsigned long *v3 = table_at(AREA_SLOT, L3_SELF, L3_SELF, L3_SELF);
    const volatile unsigned long *v2 = table_at(AREA_SLOT, 0, L2_SELF, L2_SELF);
    const volatile unsigned long *v1 = table_at(AREA_SLOT, 0, L2_SELF, 0);
    test_check(same_entry(v3[L3_SELF], mm_pte(a3, RO_LINK)) && same_entry(v3[0], mm_pte(a2, MM_TABLE_FLAGS)) &&
                   v3[1] == 0,
               "the L3 reads back through its self-map: slot %d %#lx, slot 0 %#lx", L3_SELF, v3[L3_SELF], v3[0]);
    test_check(same_entry(v2[L2_SELF], mm_pte(a2, RO_LINK)) && same_entry(v2[0], mm_pte(a1, MM_TABLE_FLAGS)),
               "the L2 reads back through its self-map: slot %d %#lx, slot 0 %#lx", L2_SELF, v2[L2_SELF], v2[0]);
    test_check(same_entry(v1[DATA_SLOT], mm_pte(data, MM_RO_FLAGS)),
               "the L1 below it reads back through the L2's self-map: slot %d %#lx", DATA_SLOT, v1[DATA_SLOT]);

    rc = mm_update_va_mapping(mm_va(AREA_SLOT, 0, L2_SELF, 3), 0, UVMF_INVLPG | UVMF_LOCAL);
    test_expect(rc, E(EINVAL), "update_va_mapping of an address whose walk ends on the L2 (its self-map)");
}

/* ---- same-level entries naming other tables --------------------------------------- */

static void check_same_level(void)
{
    long rc;

    b3 = fresh_frame();
    c3 = fresh_frame();
    b2 = fresh_frame();
    rc = mm_ext1(MMUEXT_PIN_L3_TABLE, b3, 0);
    rc |= mm_ext1(MMUEXT_PIN_L3_TABLE, c3, 0);
    rc |= mm_ext1(MMUEXT_PIN_L2_TABLE, b2, 0);
    test_check(rc == 0, "L3s %#lx and %#lx, L2 %#lx pinned", b3, c3, b2);

    rc = mm_update1(slot(a3, 2), mm_pte(b3, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "L3 a3 -> L3 b3, writable");
    rc = mm_update1(slot(a3, 1), mm_pte(b3, RO_LINK));
    test_expect(rc, allowed(), "L3 a3 -> L3 b3, read-only");
    rc = mm_update1(slot(a2, 1), mm_pte(b2, RO_LINK));
    test_expect(rc, allowed(), "L2 a2 -> L2 b2, read-only");
    rc = mm_update1(slot(a2, 2), mm_pte(b2, RO_LINK | MM_RW));
    test_expect(rc, E(EINVAL), "L2 a2 -> L2 b2, writable");
    if (!on)
        return;

    /* One level of linearity. */
    rc = mm_update1(slot(b3, 0), mm_pte(a3, RO_LINK));
    test_expect(rc, E(EINVAL), "L3 b3 -> L3 a3 (b3 is named by a3's linear entry: no cycle)");
    rc = mm_update1(slot(b3, 0), mm_pte(c3, RO_LINK));
    test_expect(rc, E(EINVAL), "L3 b3 -> L3 c3 (b3 is named by a linear entry)");
    rc = mm_update1(slot(c3, 0), mm_pte(a3, RO_LINK));
    test_expect(rc, E(EINVAL), "L3 c3 -> L3 a3 (a3 holds a linear entry)");
    rc = mm_update1(slot(c3, 0), mm_pte(b3, RO_LINK));
    test_expect(rc, 0, "L3 c3 -> L3 b3 as well (two tables naming one)");
    rc = mm_update1(slot(b3, 7), mm_pte(b3, RO_LINK));
    test_expect(rc, 0, "L3 b3 -> itself while named by others (a self-map counts nothing)");
    rc = mm_update1(slot(b2, 0), mm_pte(a2, RO_LINK));
    test_expect(rc, E(EINVAL), "L2 b2 -> L2 a2 (no cycle)");
    rc = mm_update1(slot(b2, 0), mm_pte(b3, RO_LINK));
    test_expect(rc, E(EINVAL), "L2 b2 -> an L3 (neither the level below nor the same one)");

    /* A window onto b3 through a3's entry: (AREA, 1, 7, 7) is b3 (b3[7] = b3). */
    flush();
    const volatile unsigned long *vb3 = table_at(AREA_SLOT, 1, 7, 7);
    test_check(same_entry(vb3[7], mm_pte(b3, RO_LINK)) && vb3[0] == 0,
               "L3 b3 reads back through a3's entry and its own self-map: slot 7 %#lx", vb3[7]);

    /* The L4 level: another L4, pinned, with a self-map. */
    big_b = fresh_frame();
    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, big_b, 0);
    rc |= mm_update1(slot(big_b, B_SELF), mm_pte(big_b, RO_LINK));
    test_check(rc == 0, "L4 %#lx pinned, with a self-map at slot %d", big_b, B_SELF);
    rc = mm_update1(slot(l4, LIN_SLOT), mm_pte(big_b, RO_LINK));
    test_expect(rc, 0, "current L4 slot %d -> that L4, read-only", LIN_SLOT);
    flush();
    const volatile unsigned long *vb = table_at(LIN_SLOT, B_SELF, B_SELF, B_SELF);
    test_check(same_entry(vb[B_SELF], mm_pte(big_b, RO_LINK)) && vb[0] == 0 && vb[LIN_SLOT] == 0,
               "that L4 reads back through the current one: slot %d %#lx", B_SELF, vb[B_SELF]);
    rc = mm_update1(slot(big_b, 1), mm_pte(l4, RO_LINK));
    test_expect(rc, E(EINVAL), "that L4 -> the current L4 (no cycle)");
    rc = mm_update1(slot(l4, SELF_SLOT), mm_pte(l4, RO_LINK));
    long r0 = mm_update1(slot(l4, SELF_SLOT), 0);
    test_check(rc == 0 && r0 == 0, "the current L4 may still map itself meanwhile: rc=%ld, removed rc=%ld", rc,
               r0);

    /* Unpinned while only the linear entry holds it; given back meanwhile. */
    long cur = reservation();
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, big_b, 0);
    long w = try_writable(big_b);
    xen_pfn_t list[1] = { big_b };
    long got = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    long cur1 = reservation();
    test_check(rc == 0 && w != 0 && got == 1 && cur1 == cur,
               "unpinned, the L4 is still a table (writable refused: rc=%ld) and still counts once given back "
               "(current_reservation %ld, was %ld)", w, cur1, cur);
    rc = mm_update1(slot(l4, LIN_SLOT), 0);
    flush();
    long cur2 = reservation();
    test_check(rc == 0 && cur2 == cur - 1, "the linear entry removed: the L4 is freed (current_reservation %ld)",
               cur2);
}

/* ---- tear it all down ------------------------------------------------------------- */

static void check_teardown(void)
{
    long rc;

    /* The tree goes with its L4 entry, self-maps and linear entries included. */
    rc = mm_update1(slot(l4, AREA_SLOT), 0);
    flush();
    test_check(rc == 0, "the tree unhooked from L4 slot %d: rc=%ld", AREA_SLOT, rc);
    check_reusable(a3, "L3 a3");
    check_reusable(a2, "L2 a2");
    check_reusable(a1, "L1 a1");

    /* b2: pinned only now that a2 is gone. */
    rc = mm_ext1(MMUEXT_UNPIN_TABLE, b2, 0);
    test_check(rc == 0, "L2 b2 unpinned: rc=%ld", rc);
    check_reusable(b2, "L2 b2");

    if (on) {
        /* The roles turned around once nothing names b3 linearly. */
        rc = mm_update1(slot(c3, 0), 0);
        long r1 = mm_update1(slot(b3, 0), mm_pte(c3, RO_LINK));
        long r2 = mm_update1(slot(c3, 1), mm_pte(b3, RO_LINK));
        test_check(rc == 0 && r1 == 0 && r2 == E(EINVAL),
                   "c3's entry removed: b3 -> c3 now allowed (rc=%ld), c3 -> b3 now refused (rc=%ld)", r1, r2);
        /* c3 given back and unpinned while b3's entry holds it. */
        long cur = reservation();
        xen_pfn_t list[1] = { c3 };
        rc = mm_ext1(MMUEXT_UNPIN_TABLE, c3, 0);
        long got = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
        long cur1 = reservation();
        long w = try_writable(c3);
        test_check(rc == 0 && got == 1 && cur1 == cur && w != 0,
                   "L3 c3 unpinned and given back: still held by b3 (current_reservation %ld, was %ld; "
                   "writable refused rc=%ld)", cur1, cur, w);
        rc = mm_ext1(MMUEXT_UNPIN_TABLE, b3, 0);
        long cur2 = reservation();
        test_check(rc == 0 && cur2 == cur - 1,
                   "L3 b3 unpinned: released, and c3 with it (current_reservation %ld)", cur2);
    } else {
        rc = mm_ext1(MMUEXT_UNPIN_TABLE, c3, 0);
        long r1 = mm_ext1(MMUEXT_UNPIN_TABLE, b3, 0);
        test_check(rc == 0 && r1 == 0, "L3s b3 and c3 unpinned: rc=%ld %ld", rc, r1);
        check_reusable(c3, "L3 c3");
    }
    check_reusable(b3, "L3 b3");

    /* Exact accounting: every remaining test frame given back goes at once. */
    xen_pfn_t list[8];
    unsigned n = 0;
    list[n++] = a3;
    list[n++] = a2;
    list[n++] = a1;
    list[n++] = b3;
    list[n++] = b2;
    list[n++] = data;
    if (!on) {
        list[n++] = c3;
        list[n++] = big_b;
    }
    long cur = reservation();
    long got = mm_reservation(XENMEM_decrease_reservation, list, n, 0, DOMID_SELF);
    long cur1 = reservation();
    test_check(got == (long)n && cur1 == cur - (long)n && cur1 == cur0 - 8,
               "the other %u test frames given back: current_reservation %ld (before %ld, at the start %ld)", n,
               cur1, cur, cur0);
}

/* Left in place for the domain's teardown, whose frame accounting the test
 * harness checks on Xenolith: the current L4 mapping itself and naming a
 * pinned L4 that maps itself; an L3 under it naming a pinned L3 (and itself),
 * whose pins are dropped so that only linear entries hold it. */
static void leave_for_teardown(void)
{
    unsigned long d4 = fresh_frame(), e3 = fresh_frame(), f3 = fresh_frame();
    long rc;

    rc = mm_ext1(MMUEXT_PIN_L4_TABLE, d4, 0);
    rc |= mm_update1(slot(d4, B_SELF), mm_pte(d4, RO_LINK));
    rc |= mm_ext1(MMUEXT_PIN_L3_TABLE, f3, 0);
    rc |= mm_update1(slot(f3, 4), mm_pte(f3, RO_LINK));
    rc |= mm_update1(slot(l4, SELF_SLOT), mm_pte(l4, RO_LINK));
    rc |= mm_update1(slot(l4, LIN_SLOT), mm_pte(d4, RO_LINK));
    rc |= mm_update1(slot(l4, AREA_SLOT), mm_pte(e3, MM_TABLE_FLAGS));
    rc |= mm_update1(slot(e3, 1), mm_pte(f3, RO_LINK));
    rc |= mm_update1(slot(e3, 2), mm_pte(e3, RO_LINK));
    rc |= mm_ext1(MMUEXT_UNPIN_TABLE, d4, 0);
    rc |= mm_ext1(MMUEXT_UNPIN_TABLE, f3, 0);
    long c1 = mm_update1(slot(d4, 1), mm_pte(l4, RO_LINK));
    long c2 = mm_update1(slot(f3, 1), mm_pte(e3, RO_LINK));
    test_check(rc == 0 && c1 == E(EINVAL) && c2 == E(EINVAL),
               "left for the teardown: self-maps in the L4, an L4 and two L3s, an L4 and an L3 held only by "
               "linear entries; the cycles back refused (rc=%ld %ld)", c1, c2);
}

void test_main(start_info_t *si)
{
    const char *cl = (const char *)si->cmd_line;

    on = !g_has_word(cl, "off");
    l4 = mm_l4_mfn();
    l4v = (const volatile unsigned long *)mm_frame_va(l4);
    test_note("linear page tables expected %s; current L4 %#lx", on ? "allowed" : "refused", l4);
    if (!l4v || mm_free_pfns() < 16)
        test_skip("the L4 cannot be read or too few free frames (%lu)", mm_free_pfns());
    cur0 = reservation();

    build_area();
    check_l4_self();
    check_lower_self();
    check_same_level();
    if (!on) {
        big_b = fresh_frame();
        long rc = mm_ext1(MMUEXT_PIN_L4_TABLE, big_b, 0);
        long r1 = mm_update1(slot(l4, LIN_SLOT), mm_pte(big_b, RO_LINK));
        long r2 = mm_ext1(MMUEXT_UNPIN_TABLE, big_b, 0);
        test_check(rc == 0 && r1 == E(EINVAL) && r2 == 0, "current L4 -> another pinned L4, read-only: rc=%ld", r1);
    }
    check_teardown();
    if (on)
        leave_for_teardown();
    test_finish();
}
