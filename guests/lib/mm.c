/*
 * Xenolith test-guest runtime: PV memory management helpers (see mm.h).
 */
#include "mm.h"

long mm_last_rc;

/* ---- frames and the start-of-day region ------------------------------------ */

static unsigned long boot_pfns;      /* cached mm_boot_pfns() */
static unsigned long next_free_pfn;  /* bump allocator cursor */
static unsigned long cur_l4_mfn = MM_INVALID;

static void record_scratch_entry(void);

unsigned long mm_virt_base(void)
{
    return (unsigned long)_image_start;
}

static unsigned long pt_base_pfn(void)
{
    return (guest_start_info->pt_base - mm_virt_base()) >> 12;
}

unsigned long mm_pfn_to_mfn(unsigned long pfn)
{
    if (pfn >= guest_start_info->nr_pages)
        return MM_INVALID;
    return ((const unsigned long *)guest_start_info->mfn_list)[pfn];
}

void mm_set_p2m(unsigned long pfn, unsigned long mfn)
{
    if (pfn < guest_start_info->nr_pages)
        ((unsigned long *)guest_start_info->mfn_list)[pfn] = mfn;
}

unsigned long mm_mfn_to_pfn(unsigned long mfn)
{
    return GUEST_M2P[mfn];
}

int mm_is_boot_pt_pfn(unsigned long pfn)
{
    unsigned long first = pt_base_pfn();
    return pfn >= first && pfn < first + guest_start_info->nr_pt_frames;
}

unsigned long mm_boot_l4_mfn(void)
{
    return mm_pfn_to_mfn(pt_base_pfn());
}

unsigned long mm_boot_pfns(void)
{
    if (boot_pfns)
        return boot_pfns;
    /*
     * Scan from the page after the bootstrap tables (the boot stack) to the
     * first unmapped page.  The walk reads the start-of-day tables, so the
     * result is cached on first use.
     */
    const start_info_t *si = guest_start_info;
    unsigned long va = si->pt_base + si->nr_pt_frames * MM_PAGE_SIZE;
    unsigned long limit = mm_virt_base() + si->nr_pages * MM_PAGE_SIZE;

    while (va < limit && guest_va_mapped(va) == 1)
        va += MM_PAGE_SIZE;
    boot_pfns = (va - mm_virt_base()) >> 12;
    record_scratch_entry();
    return boot_pfns;
}

unsigned long mm_pfn_va(unsigned long pfn)
{
    if (pfn >= mm_boot_pfns())
        return 0;
    return mm_virt_base() + pfn * MM_PAGE_SIZE;
}

unsigned long mm_alloc_pfn(void)
{
    unsigned long nr = guest_start_info->nr_pages;

    if (next_free_pfn < mm_boot_pfns())
        next_free_pfn = mm_boot_pfns();
    while (next_free_pfn < nr) {
        unsigned long pfn = next_free_pfn++;
        if (mm_pfn_to_mfn(pfn) != MM_INVALID)
            return pfn;
    }
    return MM_INVALID;
}

unsigned long mm_alloc_mfn(void)
{
    unsigned long pfn = mm_alloc_pfn();
    return pfn == MM_INVALID ? MM_INVALID : mm_pfn_to_mfn(pfn);
}

unsigned long mm_free_pfns(void)
{
    unsigned long nr = guest_start_info->nr_pages;
    unsigned long start = next_free_pfn < mm_boot_pfns() ? mm_boot_pfns() : next_free_pfn;
    return start < nr ? nr - start : 0;
}

/* ---- reading page tables ----------------------------------------------------------- */

static unsigned long physmap_base, physmap_nr;

#define NR_FRAME_VAS 64
static struct {
    unsigned long mfn, va;
} frame_vas[NR_FRAME_VAS];

void mm_set_physmap(unsigned long base, unsigned long nr)
{
    physmap_base = base;
    physmap_nr = nr;
}

void mm_register_frame_va(unsigned long mfn, unsigned long va)
{
    int free_slot = -1;

    for (int i = 0; i < NR_FRAME_VAS; i++) {
        if (frame_vas[i].va && frame_vas[i].mfn == mfn) {
            frame_vas[i].va = va;
            return;
        }
        if (!frame_vas[i].va && free_slot < 0)
            free_slot = i;
    }
    if (va && free_slot >= 0) {
        frame_vas[free_slot].mfn = mfn;
        frame_vas[free_slot].va = va;
    }
}

unsigned long mm_frame_va(unsigned long mfn)
{
    for (int i = 0; i < NR_FRAME_VAS; i++)
        if (frame_vas[i].va && frame_vas[i].mfn == mfn)
            return frame_vas[i].va;

    unsigned long pfn = mm_mfn_to_pfn(mfn);
    if (pfn >= guest_start_info->nr_pages || mm_pfn_to_mfn(pfn) != mfn)
        return 0;
    if (pfn < mm_boot_pfns())
        return mm_virt_base() + pfn * MM_PAGE_SIZE;
    if (pfn < physmap_nr)
        return physmap_base + pfn * MM_PAGE_SIZE;
    return 0;
}

unsigned long mm_l4_mfn(void)
{
    if (cur_l4_mfn == MM_INVALID)
        cur_l4_mfn = mm_boot_l4_mfn();
    return cur_l4_mfn;
}

void mm_set_l4_mfn(unsigned long mfn)
{
    cur_l4_mfn = mfn;
}

unsigned long mm_pte_maddr(unsigned long va, int level)
{
    unsigned long mfn = mm_l4_mfn();

    for (int l = 4;; l--) {
        unsigned long addr = (mfn << 12) + 8UL * mm_index(va, l);
        if (l == level)
            return addr;
        unsigned long tva = mm_frame_va(mfn);
        if (!tva)
            return 0;
        unsigned long e = ((const volatile unsigned long *)tva)[mm_index(va, l)];
        if (!(e & MM_P) || (l <= 3 && (e & MM_PS)))
            return 0;
        mfn = mm_pte_mfn(e);
    }
}

int mm_read_pte(unsigned long va, int level, unsigned long *pte)
{
    unsigned long maddr = mm_pte_maddr(va, level);
    if (!maddr)
        return -1;
    unsigned long tva = mm_frame_va(maddr >> 12);
    if (!tva)
        return -1;
    *pte = *(const volatile unsigned long *)(tva + (maddr & 0xfff));
    return 0;
}

unsigned long mm_va_to_mfn(unsigned long va)
{
    unsigned long e;
    if (mm_read_pte(va, 1, &e) < 0 || !(e & MM_P))
        return MM_INVALID;
    return mm_pte_mfn(e);
}

/* ---- single operations ------------------------------------------------------------- */

long mm_update1(unsigned long ptr, unsigned long val)
{
    mmu_update_t req = { .ptr = ptr, .val = val };
    unsigned int done = 0;
    return HYPERVISOR_mmu_update(&req, 1, &done, DOMID_SELF);
}

long mm_ext1_for(unsigned int cmd, unsigned long arg1, unsigned long arg2, unsigned int foreigndom)
{
    struct mmuext_op op;

    g_memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, foreigndom);
}

long mm_ext1(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    return mm_ext1_for(cmd, arg1, arg2, DOMID_SELF);
}

long mm_new_baseptr(unsigned long mfn)
{
    long rc = mm_ext1(MMUEXT_NEW_BASEPTR, mfn, 0);
    if (rc == 0)
        mm_set_l4_mfn(mfn);
    return rc;
}

/* ---- scratch page --------------------------------------------------------------------- */

static unsigned long scratch_orig; /* the page's own entry, read once */
static int scratch_in_use;

static unsigned long scratch_va(void)
{
    return mm_virt_base() + (mm_boot_pfns() - 1) * MM_PAGE_SIZE;
}

/* Read the scratch page's own entry while the start-of-day L4 is still the current one. */
static void record_scratch_entry(void)
{
    unsigned long e;
    if (!scratch_orig && mm_read_pte(scratch_va(), 1, &e) == 0 && (e & MM_P))
        scratch_orig = e;
}

void *mm_scratch_map(unsigned long mfn, unsigned long flags)
{
    record_scratch_entry();
    if (!scratch_orig) {
        mm_last_rc = -1;
        return NULL;
    }
    scratch_in_use = 1;
    mm_last_rc = HYPERVISOR_update_va_mapping(scratch_va(), mm_pte(mfn, flags),
                                              UVMF_INVLPG | UVMF_LOCAL);
    return mm_last_rc ? NULL : (void *)scratch_va();
}

void mm_scratch_unmap(void)
{
    if (!scratch_in_use)
        return;
    HYPERVISOR_update_va_mapping(scratch_va(), scratch_orig, UVMF_INVLPG | UVMF_LOCAL);
    scratch_in_use = 0;
}

long mm_zero_frame(unsigned long mfn)
{
    void *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        return mm_last_rc;
    g_memset(p, 0, MM_PAGE_SIZE);
    mm_scratch_unmap();
    return 0;
}

unsigned long mm_new_table(void)
{
    unsigned long mfn = mm_alloc_mfn();
    if (mfn != MM_INVALID && mm_zero_frame(mfn) != 0)
        return MM_INVALID;
    return mfn;
}

int mm_set_entry(unsigned long table, unsigned idx, unsigned long val)
{
    unsigned long *p = mm_scratch_map(table, MM_RW_FLAGS);
    if (!p)
        return 0;
    p[idx] = val;
    mm_scratch_unmap();
    return 1;
}

/* ---- batches ----------------------------------------------------------------------------- */

void mm_batch_init(struct mm_batch *b)
{
    b->n = 0;
    b->submitted = 0;
    b->done = 0;
    b->calls = 0;
    b->rc = 0;
    b->bad_done = 0;
}

long mm_batch_flush(struct mm_batch *b)
{
    if (!b->n)
        return 0;
    unsigned int done = 0xdeadbeef;
    long rc = HYPERVISOR_mmu_update(b->req, b->n, &done, DOMID_SELF);
    b->calls++;
    b->submitted += b->n;
    if (done <= b->n)
        b->done += done;
    if (done != b->n)
        b->bad_done++;
    if (rc && !b->rc)
        b->rc = rc;
    b->n = 0;
    return rc;
}

void mm_batch_add(struct mm_batch *b, unsigned long ptr, unsigned long val)
{
    b->req[b->n].ptr = ptr;
    b->req[b->n].val = val;
    if (++b->n == MM_BATCH_MAX)
        mm_batch_flush(b);
}

int mm_batch_ok(const struct mm_batch *b)
{
    return b->rc == 0 && b->bad_done == 0 && b->done == b->submitted && b->n == 0;
}

/* ---- memory_op ------------------------------------------------------------------------------ */

long mm_reservation(unsigned int op, xen_pfn_t *list, unsigned long nr,
                    unsigned int order, domid_t domid)
{
    struct xen_memory_reservation r;

    g_memset(&r, 0, sizeof(r));
    r.extent_start = list;
    r.nr_extents = nr;
    r.extent_order = order;
    r.mem_flags = 0;
    r.domid = domid;
    return HYPERVISOR_memory_op(op, &r);
}

long mm_domain_query(unsigned int op, domid_t domid)
{
    struct xen_memory_domain d = { .domid = domid };
    return HYPERVISOR_memory_op(op, &d);
}
