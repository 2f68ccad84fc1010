/* Boot-time memory setup and the allocation interface used by the rest of the
 * hypervisor: a bitmap allocator over all usable RAM, the frame table, and the
 * machine-to-phys table that guests read at HV_RO_MPT_VIRT. */
#include "mm/mm.h"
#include "mm/frame_alloc.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "core/domain.h"
#include "core/options.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/string.h"

#define MB(x) ((uint64_t)(x) << 20)

struct mm_stats mm_stats;
struct page_info *frame_table;
uint64_t frame_table_frames;

static struct falloc allocator;
static uint64_t bitmap_pa;      /* where the allocator's bitmap lives */
static uint64_t *m2p;           /* RW view through the direct map */
static uint64_t m2p_first_mfn, m2p_frames;

static uint64_t page_up(uint64_t a) { return (a + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1); }

/* End of the first region that [s, e) overlaps among the image and the modules, or 0. */
static uint64_t overlap_end(const struct boot_info *bi, uint64_t s, uint64_t e,
                            uint64_t img_start, uint64_t img_end)
{
    if (e > img_start && s < img_end)
        return img_end;
    for (unsigned m = 0; m < bi->nr_mod; m++)
        if (e > bi->mod[m].start && s < bi->mod[m].end)
            return bi->mod[m].end;
    return 0;
}

/* A home for the allocator's own bitmap, found before any allocator exists:
 * usable RAM above 1 MiB and below 4 GiB, clear of the image and the modules. */
static uint64_t find_bitmap_home(const struct boot_info *bi, uint64_t bytes,
                                 uint64_t img_start, uint64_t img_end)
{
    for (unsigned i = 0; i < bi->nr_mem; i++) {
        const struct boot_mem_range *r = &bi->mem[i];
        uint64_t start, end, bump;

        if (r->type != BOOT_MEM_USABLE)
            continue;
        start = page_up(r->base < MB(1) ? MB(1) : r->base);
        end = r->base + r->len;
        if (end > (4ull << 30))
            end = 4ull << 30;
        while (start + bytes <= end) {
            bump = overlap_end(bi, start, start + bytes, img_start, img_end);
            if (!bump)
                return start;
            start = page_up(bump);
        }
    }
    panic("no room below 4 GiB for the frame allocator's bitmap (%llu bytes)",
          (unsigned long long)bytes);
}

static uint64_t pfn_up(uint64_t a) { return (a + PAGE_SIZE - 1) >> PAGE_SHIFT; }
static uint64_t pfn_down(uint64_t a) { return a >> PAGE_SHIFT; }

static const struct boot_info *boot_bi;

void mm_machine_memory_map(const struct boot_mem_range **ranges, unsigned *n)
{
    *ranges = boot_bi->mem;
    *n = boot_bi->nr_mem;
}

void mm_init(const struct boot_info *bi, uint64_t img_start, uint64_t img_end)
{
    uint64_t max_pfn = 0, bytes;

    boot_bi = bi;

    for (unsigned i = 0; i < bi->nr_mem; i++) {
        const struct boot_mem_range *r = &bi->mem[i];
        if (r->type != BOOT_MEM_USABLE)
            continue;
        mm_stats.total_ram += r->len;
        if (pfn_down(r->base + r->len) > max_pfn)
            max_pfn = pfn_down(r->base + r->len);
    }
    if (max_pfn <= pfn_up(MB(2)))
        panic("not enough usable RAM in the memory map (%llu KiB)",
              (unsigned long long)(mm_stats.total_ram >> 10));
    mm_stats.max_pfn = max_pfn;

    bytes = (falloc_bitmap_bytes(max_pfn) + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    bitmap_pa = find_bitmap_home(bi, bytes, img_start, img_end);
    falloc_init(&allocator, phys_to_virt(bitmap_pa), max_pfn);

    for (unsigned i = 0; i < bi->nr_mem; i++) {
        const struct boot_mem_range *r = &bi->mem[i];
        uint64_t s = pfn_up(r->base), e = pfn_down(r->base + r->len);
        if (r->type == BOOT_MEM_USABLE && e > s)
            falloc_free_range(&allocator, s, e - s);
    }
    /* Keep the first MiB (firmware data, real-mode structures) untouched. */
    falloc_reserve_range(&allocator, 0, pfn_down(MB(1)));
    falloc_reserve_range(&allocator, pfn_down(img_start), pfn_up(img_end) - pfn_down(img_start));
    falloc_reserve_range(&allocator, pfn_down(bitmap_pa), bytes >> PAGE_SHIFT);
    for (unsigned m = 0; m < bi->nr_mod; m++)
        falloc_reserve_range(&allocator, pfn_down(bi->mod[m].start),
                             pfn_up(bi->mod[m].end) - pfn_down(bi->mod[m].start));
    mm_stats.hv_frames = pfn_up(img_end) - pfn_down(img_start) + (bytes >> PAGE_SHIFT);
}

void mm_init_tables(void)
{
    uint64_t n = mm_stats.max_pfn;
    uint64_t ft_frames = (n * sizeof(struct page_info) + PAGE_SIZE - 1) >> PAGE_SHIFT;
    uint64_t ft_mfn;

    /* The bitmap was reached through the boot mapping until now. */
    allocator.bitmap = phys_to_virt(bitmap_pa);
    ft_mfn = mm_alloc_frames_contig(ft_frames, 0);
    if (ft_mfn == INVALID_MFN)
        panic("no memory for the frame table (%llu frames)", (unsigned long long)ft_frames);
    frame_table = mfn_to_virt(ft_mfn);
    frame_table_frames = n;
    for (uint64_t i = 0; i < n; i++) {
        frame_table[i] = (struct page_info){ .owner = falloc_is_free(&allocator, i) ? OWNER_NONE : OWNER_XEN };
    }

    if (n > (HV_RO_MPT_SIZE >> 3))
        panic("%llu frames exceed the machine-to-phys table's reach", (unsigned long long)n);
    m2p_frames = (n * sizeof(uint64_t) + PAGE_SIZE - 1) >> PAGE_SHIFT;
    m2p_first_mfn = mm_alloc_frames_contig(m2p_frames, 0);
    if (m2p_first_mfn == INVALID_MFN)
        panic("no memory for the machine-to-phys table (%llu frames)", (unsigned long long)m2p_frames);
    m2p = mfn_to_virt(m2p_first_mfn);
    memset(m2p, 0xff, m2p_frames << PAGE_SHIFT);      /* INVALID_M2P_ENTRY everywhere */
    /* Guests see it read-only, user-accessible, not executable. */
    paging_map(HV_RO_MPT_VIRT, m2p_first_mfn << PAGE_SHIFT, m2p_frames << PAGE_SHIFT,
               PTE_P | PTE_US | PTE_A | (paging_nx_supported() ? PTE_NX : 0));
    mm_stats.hv_frames += ft_frames + m2p_frames;
    /* The CPU's LDT window gets its tables now: loading an LDT later must
     * not take frames of the hypervisor's own. */
    paging_prepare(HV_LDT_VIRT, HV_LDT_WINDOW);
}

uint64_t mm_alloc_frames_contig(uint64_t count, uint64_t limit_pfn)
{
    uint64_t pfn;

    if (!falloc_alloc_contig(&allocator, count, 1, limit_pfn, &pfn))
        return INVALID_MFN;
    for (uint64_t i = 0; frame_table && i < count; i++)
        frame_table[pfn + i] = (struct page_info){ .owner = OWNER_XEN };
    return pfn;
}

/* Frames handed to a domain are zeroed first: nothing of a previous owner
 * (or of the firmware) is ever visible to a guest. */
uint64_t mm_alloc_frame(domid_t owner)
{
    uint64_t mfn;

    if (!falloc_alloc(&allocator, &mfn))
        return INVALID_MFN;
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
    frame_table[mfn] = (struct page_info){ .owner = owner, .count = 1, .flags = PGF_ALLOCATED };
    domain_note_frame(owner, mfn);
    return mfn;
}

/* Next fit, as a domain's frames: the thousandth domain's tables cost what
 * the first one's did (a contiguous run is searched from frame 0). */
uint64_t mm_alloc_hv_frame(void)
{
    uint64_t mfn;

    if (!falloc_alloc(&allocator, &mfn))
        return INVALID_MFN;
    if (frame_table)
        frame_table[mfn] = (struct page_info){ .owner = OWNER_XEN };
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
    return mfn;
}

uint64_t mm_alloc_frame_lazy(domid_t owner)
{
    uint64_t mfn;

    if (!falloc_alloc(&allocator, &mfn))
        return INVALID_MFN;
    frame_table[mfn] = (struct page_info){ .owner = owner, .count = 1, .flags = PGF_ALLOCATED | PGF_SCRUB };
    domain_note_frame(owner, mfn);
    return mfn;
}

uint64_t mm_alloc_frames_run(domid_t owner, uint64_t max, bool zero, uint64_t *first)
{
    uint64_t mfn, n = falloc_alloc_run(&allocator, max, &mfn);

    if (!n)
        return 0;
    if (zero)
        memset(mfn_to_virt(mfn), 0, n << PAGE_SHIFT);
    for (uint64_t i = 0; i < n; i++)
        frame_table[mfn + i] = (struct page_info){ .owner = owner, .count = 1,
                                                   .flags = PGF_ALLOCATED | (zero ? 0 : PGF_SCRUB) };
    domain_note_frame(owner, mfn);
    domain_note_frame(owner, mfn + n - 1);
    *first = mfn;
    return n;
}

void mm_scrub_frame(uint64_t mfn)
{
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
}

uint64_t mm_alloc_frames_owned(domid_t owner, uint64_t count, uint64_t align, uint64_t limit_pfn)
{
    uint64_t pfn;

    if (!falloc_alloc_contig(&allocator, count, align, limit_pfn, &pfn))
        return INVALID_MFN;
    memset(mfn_to_virt(pfn), 0, count << PAGE_SHIFT);
    for (uint64_t i = 0; i < count; i++)
        frame_table[pfn + i] = (struct page_info){ .owner = owner, .count = 1, .flags = PGF_ALLOCATED };
    domain_note_frame(owner, pfn);
    domain_note_frame(owner, pfn + count - 1);
    return pfn;
}

void mm_free_frame(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    BUG_ON(!pg || pg->owner == OWNER_NONE);
    *pg = (struct page_info){ .owner = OWNER_NONE };
    m2p[mfn] = ~0ull;
    BUG_ON(falloc_free_range(&allocator, mfn, 1) != 0);
}

/* ---- what the page-type core needs (hv/mm/page_type.h) ---- */

uint64_t *frame_map(uint64_t mfn)
{
    return mfn_to_virt(mfn);
}

uint64_t mm_hv_l4_entry(unsigned slot)
{
    return paging_hv_l4_entry(slot);
}

void mm_tlb_flush(void)
{
    flush_tlb_local();
}

/* The last reference to a frame its owner gave up is gone: no mapping of it
 * can remain, in page tables or in the TLB, and it goes back to the pool. */
static bool flush_deferred;

void mm_page_released(uint64_t mfn)
{
    struct page_info *pg = &frame_table[mfn];
    struct domain *d = domain_of(pg->owner);

    /* A frame counts against its owner until its last reference is gone,
     * not merely until the owner gives it back (decrease_reservation). */
    if (d && !(pg->flags & PGF_XEN_HEAP) && d->nr_pages)
        d->nr_pages--;
    if (!flush_deferred)
        mm_tlb_flush();
    mm_free_frame(mfn);
}

bool mm_linear_pt_enabled(void)
{
    return hv_opts.pv_linear_pt;
}

uint32_t *mm_release_list(domid_t id)
{
    static uint32_t none;               /* no such domain: nothing is ever put there */
    struct domain *d = domain_of(id);

    return d ? &d->release_list : &none;
}

/* Tearing down a whole domain whose address space is no longer loaded: the
 * TLB holds none of its (non-global) translations, so the frames it gives
 * back need no flush each; one flush at the end covers the rest. */
void mm_defer_release_flush(bool defer)
{
    flush_deferred = defer;
    if (!defer)
        mm_tlb_flush();
}

uint64_t mm_free_frames(void)
{
    return falloc_free_count(&allocator);
}

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    BUG_ON(mfn >= frame_table_frames);
    m2p[mfn] = pfn;
}

uint64_t m2p_table_mfn(uint64_t index) { return m2p_first_mfn + index; }
uint64_t m2p_nr_frames(void) { return m2p_frames; }
