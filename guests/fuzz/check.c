/*
 * The invariants checked between batches and at the end:
 *  - every page of the start-of-day region is still mapped, through the boot
 *    page tables, to the frame it had (shared_info and the scratch page as
 *    set up, the guard page after the sink not at all);
 *  - the stack and data can be written and read back;
 *  - XENMEM_current_reservation is what the guest believes it holds, and the
 *    frames it can still reach (held, plus frames given back that its
 *    playground still maps) never exceed XENMEM_maximum_reservation.
 */
#include "fuzz.h"

#define MAX_BOOT_PFNS 8192
static unsigned long expect[MAX_BOOT_PFNS];   /* entry value (mfn | P | RW as set up), 0 = must not be present */
static volatile unsigned long data_probe;

long fz_memop_query(unsigned op)
{
    struct xen_memory_domain d = { .domid = DOMID_SELF };
    return HYPERVISOR_memory_op(op, &d);
}

static int boot_pt(unsigned long mfn)
{
    for (unsigned i = 0; i < fz_mem.nr_pt; i++)
        if (fz_mem.pt_mfn[i] == mfn)
            return (int)i;
    return -1;
}

/* The L1 entry of va, through boot tables only; -1 if the path leaves them. */
static int boot_walk(unsigned long va, unsigned long *pte)
{
    unsigned long mfn = fz_mem.cur_l4;
    for (int l = 4; l >= 1; l--) {
        int k = boot_pt(mfn);
        if (k < 0)
            return -1;
        unsigned long e = ((const volatile unsigned long *)fz_mem.pt_va[k])[mm_index(va, l)];
        if (l == 1) {
            *pte = e;
            return 0;
        }
        if (!(e & MM_P) || (e & MM_PS))
            return -1;
        mfn = mm_pte_mfn(e);
    }
    return -1;
}

void fz_snapshot(void)
{
    if (fz_mem.boot_pfns > MAX_BOOT_PFNS)
        fz_fail("start-of-day region of %lu pages is larger than the check table", fz_mem.boot_pfns);
    for (unsigned long pfn = 0; pfn < fz_mem.boot_pfns; pfn++) {
        unsigned long va = fz_mem.vbase + pfn * 4096, e;
        if (boot_walk(va, &e))
            fz_fail("start-of-day page %#lx cannot be walked at set-up", va);
        expect[pfn] = (e & MM_P) ? (mm_pte_mfn(e) << 12) | (e & (MM_P | MM_RW)) : 0;
    }
}

static unsigned count_zombies(void)
{
    unsigned z = 0;
    for (int t = 0; t < PG_L1S; t++) {
        const volatile unsigned long *p = mm_scratch_map(fz_mem.pg_l1[t], MM_RO_FLAGS);
        if (!p)
            continue;
        for (unsigned i = 0; i < 512; i++) {
            unsigned long e = p[i], mfn = mm_pte_mfn(e);
            if ((e & MM_P) && !fz_owned(mfn) && mfn < FZ_MAX_MFN) {
                for (unsigned k = 0; k < fz_nr_freed; k++)
                    if (fz_freed[k] == mfn) {
                        z++;
                        break;
                    }
            }
        }
        mm_scratch_unmap();
    }
    return z;
}

void fz_check(int final)
{
    /* the protected mappings */
    for (unsigned long pfn = 0; pfn < fz_mem.boot_pfns; pfn++) {
        unsigned long va = fz_mem.vbase + pfn * 4096, e;
        if (boot_walk(va, &e))
            fz_fail("invariant: the boot page tables no longer lead to %#lx", va);
        unsigned long got = (e & MM_P) ? (mm_pte_mfn(e) << 12) | (e & (MM_P | MM_RW)) : 0;
        if (got != expect[pfn])
            fz_fail("invariant: %#lx maps %#lx (entry %#lx), expected %#lx", va, got, e, expect[pfn]);
    }
    /* stack and data */
    volatile unsigned long on_stack = fz_state ^ 0x5555;
    data_probe = ~on_stack;
    if (on_stack != (fz_state ^ 0x5555) || data_probe != ~on_stack)
        fz_fail("invariant: stack or data do not read back");

    /* reservations */
    long cur = fz_memop_query(XENMEM_current_reservation);
    long max = fz_memop_query(XENMEM_maximum_reservation);
    if (!(cur == fz_held || (cur > fz_held && cur - fz_held <= fz_exposed_given)))
        fz_fail("invariant: current_reservation %ld, the guest holds %ld (frames given back %ld)", cur, fz_held,
                fz_exposed_given);
    /* Frames given back count until their last reference goes (a mapping
     * in a live table of the playground, say), so what the domain holds
     * never exceeds its maximum, however it gives frames back. Which of the
     * playground's tables are live (their entries holding references) is the
     * hypervisor's to know: the guest checks its count, not its own guess. */
    if (cur > max)
        fz_fail("invariant: current_reservation %ld > maximum_reservation %ld (the guest holds %ld, %u given-back "
                "frames are named in the playground)", cur, max, fz_held, final ? 0 : count_zombies());

    /* grants: the table's mapping; every few checks, everything unmapped and no entry left marked in use */
    fz_gnt_check(final);
}
