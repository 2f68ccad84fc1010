/* Start-of-day layout arithmetic. */
#include "dom/layout.h"
#include "arch/x86_64/va.h"
#include "lib/format.h"

#define PG 4096ull
#define SLACK (512ull << 10)
#define ALIGN_END (4ull << 20)

static uint64_t up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* *end = start + len rounded up to pages; false if that passes 2^64. */
static bool place(uint64_t start, uint64_t len, uint64_t *end)
{
    uint64_t pages = len / PG + (len % PG != 0);

    if (pages > (UINT64_MAX - start) / PG)
        return false;
    *end = start + pages * PG;
    return true;
}

/* Tables of one level needed to map [s, e): distinct `span`-sized blocks touched. */
static uint64_t tables_for(uint64_t s, uint64_t e, unsigned shift)
{
    return ((e - 1) >> shift) - (s >> shift) + 1;
}

/* The frames after the region: the unmapped initrd, then the p2m list with
 * its own tables. Also the pfns of the pieces that stay in the region. */
static int place_unmapped(const struct dom_layout_in *in, struct dom_layout *l, char *err, size_t errlen)
{
    uint64_t pfn = l->mapped_pages, list_pages = in->nr_pages / 512 + (in->nr_pages % 512 != 0);

    /* Every quantity below is bounded by nr_pages <= 2^40: no overflow. */
    l->initrd_pages = in->initrd_len / PG + (in->initrd_len % PG != 0);
    if (in->initrd_len > (in->nr_pages << 12)) {
        fmt_snprintf(err, errlen, "domain memory too small: the initrd alone needs %llu KiB, the domain has %llu KiB",
                     (unsigned long long)(l->initrd_pages * 4), (unsigned long long)(in->nr_pages * 4));
        return -1;
    }
    if (in->unmapped_initrd) {
        l->initrd_pfn = pfn;
        pfn += l->initrd_pages;
    } else {
        l->initrd_pfn = dom_layout_va_to_pfn(l, l->initrd_start);
    }
    l->p2m_frames = list_pages;
    l->p2m_own_tables = in->has_init_p2m;
    l->p2m_pt_pfn = l->p2m_pt_frames = l->p2m_l3_frames = l->p2m_l2_frames = l->p2m_l1_frames = 0;
    if (in->has_init_p2m) {
        uint64_t s = in->init_p2m, e = s + list_pages * PG;

        if (s & (PG - 1)) {
            fmt_snprintf(err, errlen, "INIT_P2M %#llx is not page aligned", (unsigned long long)s);
            return -1;
        }
        if (e < s || !va_canonical(s) || !va_canonical(e - 1) || (s >> 63) != ((e - 1) >> 63) ||
            (e > HV_AREA_START && s < HV_AREA_END)) {
            fmt_snprintf(err, errlen, "INIT_P2M list %#llx-%#llx is not usable guest address space",
                         (unsigned long long)s, (unsigned long long)e);
            return -1;
        }
        /* Its tables hang from L4 slots of their own: the guest takes that
         * subtree over (and later frees it) as a whole. */
        if (!((e - 1) >> 39 < l->v_start >> 39 || s >> 39 > (l->v_end - 1) >> 39)) {
            fmt_snprintf(err, errlen, "INIT_P2M list %#llx-%#llx shares an L4 slot with the start-of-day region %#llx-%#llx",
                         (unsigned long long)s, (unsigned long long)e, (unsigned long long)l->v_start,
                         (unsigned long long)l->v_end);
            return -1;
        }
        l->p2m_start = s;
        l->p2m_end = e;
        l->p2m_pfn = pfn;
        pfn += list_pages;
        l->p2m_l3_frames = tables_for(s, e, 39);
        l->p2m_l2_frames = tables_for(s, e, 30);
        l->p2m_l1_frames = tables_for(s, e, 21);
        l->p2m_pt_pfn = pfn;
        l->p2m_pt_frames = l->p2m_l3_frames + l->p2m_l2_frames + l->p2m_l1_frames;
        pfn += l->p2m_pt_frames;
    } else {
        l->p2m_pfn = dom_layout_va_to_pfn(l, l->p2m_start);
    }
    l->used_pages = pfn;
    if (pfn > in->nr_pages) {
        fmt_snprintf(err, errlen,
                     "domain memory too small: the start-of-day region, initrd and p2m list need %llu KiB, the domain has %llu KiB",
                     (unsigned long long)(pfn * 4), (unsigned long long)(in->nr_pages * 4));
        return -1;
    }
    return 0;
}

int dom_layout_compute(const struct dom_layout_in *in, struct dom_layout *l, char *err, size_t errlen)
{
    uint64_t cursor, nr_pt = 1;

    if (in->kernel_end <= in->kernel_start || in->kernel_start < in->virt_base) {
        fmt_snprintf(err, errlen, "kernel extent %#llx-%#llx does not follow VIRT_BASE %#llx",
                     (unsigned long long)in->kernel_start, (unsigned long long)in->kernel_end,
                     (unsigned long long)in->virt_base);
        return -1;
    }
    if (in->nr_pages == 0 || in->nr_pages > (1ull << 40)) {
        fmt_snprintf(err, errlen, "bad domain size of %llu pages", (unsigned long long)in->nr_pages);
        return -1;
    }
    l->v_start = in->virt_base & ~(PG - 1);
    l->kernel_start = in->kernel_start;
    l->kernel_end = in->kernel_end;
    /* Each piece follows the previous one; none may run past 2^64 (a huge
     * initrd or p2m after a kernel near the top would wrap to low addresses,
     * outside the region that gets mapped). */
    l->xenstore = l->console = 0;
    if (!place(0, in->kernel_end, &cursor) ||
        !place(l->initrd_start = cursor, in->unmapped_initrd ? 0 : in->initrd_len, &l->initrd_end) ||
        !place(l->p2m_start = l->initrd_end, in->has_init_p2m ? 0 : in->nr_pages * 8, &l->p2m_end) ||
        !place(l->start_info = l->p2m_end, PG, &cursor) ||
        (in->domu_pages && !place(l->xenstore = cursor, 2 * PG, &cursor))) {
        fmt_snprintf(err, errlen, "start-of-day region wraps the address space");
        return -1;
    }
    if (in->domu_pages)
        l->console = l->xenstore + PG;
    l->pt_start = cursor;

    /* The page tables map the whole region, which grows with them: iterate
     * until the count is stable. */
    for (;;) {
        uint64_t v_end, need;
        if (!place(l->pt_start, nr_pt * PG, &l->pt_end) ||
            !place(l->stack_start = l->pt_end, PG, &l->stack_end) ||
            l->stack_end + SLACK < l->stack_end ||
            (v_end = up(l->stack_end + SLACK, ALIGN_END)) < l->stack_end) {
            fmt_snprintf(err, errlen, "start-of-day region wraps the address space");
            return -1;
        }
        l->v_end = v_end;
        l->l3_frames = tables_for(l->v_start, v_end, 39);
        l->l2_frames = tables_for(l->v_start, v_end, 30);
        l->l1_frames = tables_for(l->v_start, v_end, 21);
        need = 1 + l->l3_frames + l->l2_frames + l->l1_frames;
        if (need <= nr_pt)
            break;
        nr_pt = need;
    }
    l->nr_pt_frames = nr_pt;
    l->mapped_pages = (l->v_end - l->v_start) / PG;
    if (!va_canonical(l->v_start) || !va_canonical(l->v_end - 1) ||
        (l->v_start >> 63) != ((l->v_end - 1) >> 63) ||
        (l->v_end > HV_AREA_START && l->v_start < HV_AREA_END)) {
        fmt_snprintf(err, errlen, "start-of-day region %#llx-%#llx is not usable guest address space",
                     (unsigned long long)l->v_start, (unsigned long long)l->v_end);
        return -1;
    }
    if (l->mapped_pages > in->nr_pages) {
        fmt_snprintf(err, errlen,
                     "domain memory too small: the start-of-day region needs %llu KiB, the domain has %llu KiB",
                     (unsigned long long)(l->mapped_pages * 4), (unsigned long long)(in->nr_pages * 4));
        return -1;
    }
    return place_unmapped(in, l, err, errlen);
}
