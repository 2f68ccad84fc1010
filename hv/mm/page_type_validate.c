/* Page-table entries: which bits each level accepts, the references an entry
 * holds, validation and release of whole tables, and single-entry updates.
 *
 * Decisions (also in docs/memory-layout.md, "Guest page tables"):
 *  - Linear page tables, as Xen 4.17 has them by default (the command-line
 *    option pv-linear-pt, on unless pv-linear-pt=0; see "Linear entries"
 *    below).
 *  - Superpages (PS in an L2 or L3 entry) are refused: the ABI feature for
 *    them is not offered.
 *  - Non-leaf entries accept P RW US A D AVAIL NX (D is ignored by the
 *    hardware there and Linux sets it); PWT, PCD, PS and G are refused, as
 *    Xen refuses them (G is also a must-be-zero bit of an AMD PML4E).
 *  - Bits 52..62 are refused at every level (Xen 4.17 lets most of them
 *    through as available bits; this is stricter).
 *  - The error codes are Xen 4.17's, which guests can observe: a bad bit or
 *    a bad lower table is -EINVAL; an L1 entry naming a frame that cannot be
 *    referenced (another domain's, the hypervisor's, a free one) or a frame
 *    that cannot be mapped writable (a table) is -EBUSY; an L1 entry naming
 *    no RAM at all is -EPERM (no device memory is offered), or -EINVAL for
 *    the all-ones frame number; a hypervisor page shared with the guest
 *    (shared_info) mapped with other than write-back caching is -EACCES.
 *
 * Linear entries. An L2, L3 or L4 entry normally names a table of the level
 * below. When the frame it names cannot be taken as one (the ordinary
 * attempt fails with -EINVAL), the entry may instead name a table of its own
 * level: the CPU then walks that table one level lower, which gives the guest
 * a window onto its own page tables (the recursive self-map is the usual
 * use). Xen 4.17's rules, kept here:
 *  - the entry must be read-only: a writable window would let the guest
 *    change entries that were never checked;
 *  - an entry naming its own table holds no reference at all (one would keep
 *    the table alive by itself) and is dropped the same way;
 *  - an entry naming another table needs a table of the same level that is
 *    validated and in use; it takes a general and a type reference, like an
 *    ordinary link, but never starts or continues a validation (so
 *    validating a table never waits on itself, and the recursion of
 *    validation stays at most four deep);
 *  - one level only (XSA-240): the `linear` count of a frame is > 0 when the
 *    table holds that many linear entries naming other tables, < 0 when that
 *    many name it, and it can never be both: a table named by a linear entry
 *    takes no linear entry itself, and a table holding one is never named
 *    by one;
 *  - every refusal is -EINVAL (the ordinary attempt's error); with the option
 *    off every such entry is refused.
 * Why trees stay finite and teardown cannot loop or leak: an ordinary link
 * goes one level down, a linear one stays at its level but only from a table
 * that holds linear entries to one that does not; so no chain of references
 * leads from a frame back to itself (an entry naming its own table holds
 * none). A table's references are dropped once nothing references it, and
 * with no cycle that is eventually every table once pins and base pointers
 * are gone. A chain is at most L4 -> L4 -> L3 -> L3 -> L2 -> L2 -> L1; the
 * release list handles any depth without recursion.
 * An entry whose frame has its own table's type is a linear one: while the
 * entry holds its type reference that frame keeps its type, and an ordinary
 * link names the level below. That is how pt_put_entry() tells them apart. */
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "errno.h"

#define PTE_PAT      (1ull << 7)                /* in an L1 entry; PS in the others */
#define PTE_AVAIL    (7ull << 9)
#define PTE_CACHE    (PTE_PWT | PTE_PCD | PTE_PAT)
#define PTE_L1_OK    (PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_PAT | \
                      PTE_G | PTE_AVAIL | PTE_ADDR_MASK | PTE_NX)
#define PTE_UPPER_OK (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_AVAIL | PTE_ADDR_MASK | PTE_NX)
#define MFN_ALL_ONES (PTE_ADDR_MASK >> PAGE_SHIFT)

uint64_t pt_adjust_pte(uint64_t pte, unsigned level)
{
    if (!(pte & PTE_P))
        return pte;
    /* The hypervisor's TLB flushes are CR3 reloads, which keep global
     * entries: a guest mapping marked global could outlive the frame's
     * ownership or type. Guest L1 entries never keep G (at the other levels
     * it is refused). */
    if (level == 1)
        pte &= ~PTE_G;
    return pte | PTE_US;
}

/* The references of an L1 entry whose bits are acceptable. */
static int get_l1_entry(uint64_t pte, uint64_t mfn, domid_t d)
{
    if (page_get(mfn, d) != 0) {
        if (mfn < frame_table_frames)
            return -XEN_EBUSY;
        return mfn == MFN_ALL_ONES ? -XEN_EINVAL : -XEN_EPERM;
    }
    if ((pte & PTE_CACHE) && (frame_table[mfn].flags & PGF_XEN_HEAP)) {
        page_put(mfn);
        return -XEN_EACCES;
    }
    if (pte & PTE_RW) {
        int rc = page_get_type(mfn, d, PGT_WRITABLE);
        if (rc != 0) {
            page_put(mfn);
            return rc == -XEN_ERESTART ? rc : -XEN_EBUSY;
        }
    }
    return 0;
}

/* The references of a linear entry of table_mfn (level 2..4) naming mfn,
 * once the ordinary attempt was refused with -EINVAL (see the top). */
static int get_linear_entry(uint64_t table_mfn, uint64_t pte, uint64_t mfn, unsigned level, domid_t d)
{
    struct page_info *tbl = &frame_table[table_mfn], *pg;

    if (!mm_linear_pt_enabled() || (pte & PTE_RW))
        return -XEN_EINVAL;
    if (mfn == table_mfn)
        return 0;
    if (page_get(mfn, d) != 0)
        return -XEN_EINVAL;
    pg = &frame_table[mfn];
    if (pg->type != pgt_of_level(level) || !(pg->flags & PGF_VALIDATED) || pg->type_count == UINT32_MAX ||
        tbl->linear < 0 || tbl->linear == INT16_MAX || pg->linear > 0 || pg->linear == INT16_MIN) {
        page_put(mfn);
        return -XEN_EINVAL;
    }
    tbl->linear++;
    pg->linear--;
    pg->type_count++;
    return 0;
}

int pt_get_entry(uint64_t table_mfn, uint64_t pte, unsigned level, domid_t d)
{
    uint64_t mfn = pte_mfn(pte);
    int rc;

    if (pte & ~(level == 1 ? PTE_L1_OK : PTE_UPPER_OK))
        return -XEN_EINVAL;
    if (level == 1)
        return get_l1_entry(pte, mfn, d);
    /* (The ordinary attempt on the table itself could only be refused: it
     * has a type of its own level.) */
    if (mfn == table_mfn)
        return get_linear_entry(table_mfn, pte, mfn, level, d);
    rc = page_get(mfn, d);
    if (rc != 0)
        return rc;
    rc = page_get_type(mfn, d, pgt_of_level(level - 1));
    if (rc != 0)
        page_put(mfn);
    if (rc == -XEN_EINVAL)
        rc = get_linear_entry(table_mfn, pte, mfn, level, d);
    return rc;
}

void pt_put_entry(uint64_t table_mfn, uint64_t pte, unsigned level)
{
    uint64_t mfn = pte_mfn(pte);

    if (level > 1) {
        if (mfn == table_mfn)
            return;                     /* a self-map holds nothing */
        if (frame_table[mfn].type == pgt_of_level(level)) {
            frame_table[table_mfn].linear--;
            frame_table[mfn].linear++;
        }
    }
    if (level > 1 || (pte & PTE_RW))
        page_put_type(mfn);
    page_put(mfn);
}

/* Work units of a whole table beyond its entries: the pass that stores the
 * adjusted entries. */
#define WORK_TABLE 8

int pt_validate_table(uint64_t mfn, unsigned level, domid_t d)
{
    struct page_info *pg = &frame_table[mfn];
    uint64_t *e = frame_map(mfn);
    unsigned i;

    /* First every reference, leaving the entries as they are so that what
     * is held can be dropped from the same values (the table cannot change
     * meanwhile: its type is taken and it is not validated). */
    for (i = pg->nr_held; i < PT_ENTRIES; i++) {
        int rc;

        if (!pt_counted(e[i], level, i))
            continue;
        if (pt_out_of_work()) {
            pg->nr_held = (uint16_t)i;
            return -XEN_ERESTART;
        }
        pt_work++;
        rc = pt_get_entry(mfn, e[i], level, d);
        if (rc != 0) {
            pg->nr_held = (uint16_t)i;
            return rc;
        }
    }
    pg->nr_held = PT_ENTRIES;
    pt_work += WORK_TABLE;
    /* Then the values the hardware will see. */
    for (i = 0; i < PT_ENTRIES; i++) {
        if (pt_hv_slot(level, i))
            e[i] = mm_hv_l4_entry(i);
        else
            e[i] = pt_adjust_pte(e[i], level);
    }
    return 0;
}

/* The entries of an L1 on the release list, from nr_held down: nothing joins
 * the list meanwhile (dropping a leaf reference never releases a table), so
 * this is the tight loop that most of a release is. true when all are done. */
static bool release_l1(struct page_info *pg, const uint64_t *e)
{
    unsigned i = pg->nr_held;
    uint32_t done = 0;

    for (; i > 0; i--) {
        uint64_t pte = e[i - 1];

        if (!(pte & PTE_P))
            continue;
        if (pt_work + done >= pt_work_limit)
            break;
        done++;
        pt_put_entry(0, pte, 1);
    }
    pg->nr_held = (uint16_t)i;
    pt_work += done;
    return i == 0;
}

/* Drop what the head of the list holds, entry by entry from the top; a table
 * that joins the list meanwhile (a lower one, or one of the same level that
 * a linear entry named) becomes the head and is finished first, so the table
 * being worked on is always the head. */
int pt_release_run(domid_t d)
{
    uint32_t *head = mm_release_list(d);

    while (head && *head) {
        uint64_t mfn = *head - 1;
        struct page_info *pg = &frame_table[mfn];
        unsigned level = pgt_level(pg->type);
        uint64_t *e = frame_map(mfn);

        if (level == 1 && !release_l1(pg, e))
            return -XEN_ERESTART;
        while (pg->nr_held > 0 && *head == mfn + 1) {
            unsigned i = pg->nr_held - 1u;

            if (!pt_counted(e[i], level, i)) {
                pg->nr_held = (uint16_t)i;
                continue;
            }
            if (pt_out_of_work())
                return -XEN_ERESTART;
            pt_work++;
            pg->nr_held = (uint16_t)i;
            pt_put_entry(mfn, e[i], level);     /* (an L2..L4 entry may push another table) */
        }
        if (*head != mfn + 1)
            continue;                   /* a lower table first */
        *head = pg->next;
        pg->next = 0;
        pg->flags = (uint8_t)((pg->flags & ~PGF_RELEASING) | PGF_TLB_STALE);
        pg->type = PGT_NONE;
        page_put(mfn);                  /* its own reference: may free it */
    }
    return 0;
}

int pt_mod_entry(uint64_t table_mfn, unsigned slot, uint64_t new_pte, domid_t d, bool preserve_ad)
{
    struct page_info *pg = mfn_to_page(table_mfn);
    uint64_t *e, old;
    unsigned level;
    int rc;

    if (!pg || slot >= PT_ENTRIES || pg->owner != d || !pgt_is_table(pg->type) ||
        !(pg->flags & PGF_VALIDATED) || pg->type_count == 0)
        return -XEN_EINVAL;
    level = pgt_level(pg->type);
    if (pt_hv_slot(level, slot))
        return -XEN_EINVAL;

    e = frame_map(table_mfn);
    old = e[slot];
    if (preserve_ad && (old & PTE_P) && (new_pte & PTE_P))
        new_pte |= old & (PTE_A | PTE_D);
    if (new_pte & PTE_P) {
        /* The new references first: an entry naming the same frame (or the
         * same lower table) as the old one never lets its count touch 0. */
        rc = pt_get_entry(table_mfn, new_pte, level, d);
        if (rc != 0)
            return rc;
    }
    e[slot] = pt_adjust_pte(new_pte, level);
    if (old & PTE_P)
        pt_put_entry(table_mfn, old, level);
    return 0;
}
