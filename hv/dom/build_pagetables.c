/* The bootstrap page tables of a PV domain: 4 levels mapping the whole
 * start-of-day region, held in the frames [pt_start, pt_end) of the layout,
 * L4 first. Every level is user-accessible (a 64-bit PV kernel runs in ring 3);
 * the page-table frames themselves are mapped read-only. The tables are
 * written raw here; build_pin_tables() then pins the L4 through the page-type
 * core, which validates the whole tree exactly as it would a guest's (and
 * fills the hypervisor's L4 slots), so the counts are right by construction. */
#include "dom/build_priv.h"
#include "core/domain.h"
#include "core/log.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "errno.h"
#include "arch/x86_64/page.h"
#include "lib/format.h"
#include "lib/string.h"

#define U(x) ((unsigned long long)(x))
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A)
#define LEAF_FLAGS  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

struct pt_alloc {
    struct build_ctx *c;
    uint64_t next_pfn, end_pfn;   /* the unused page-table frames of a pool */
    bool overflow;
};

static uint64_t *new_table(struct pt_alloc *a, uint64_t *mfn_out)
{
    uint64_t mfn;

    if (a->next_pfn >= a->end_pfn) {
        /* Cannot happen with the layout's counts; refused, never overrun. */
        a->overflow = true;
        return NULL;
    }
    mfn = build_pfn_to_mfn(a->c, a->next_pfn++);
    *mfn_out = mfn;
    return mfn_to_virt(mfn);
}

static uint64_t *descend(struct pt_alloc *a, uint64_t *entry)
{
    uint64_t mfn;

    if (!entry)
        return NULL;
    if (!(*entry & PTE_P)) {
        uint64_t *t = new_table(a, &mfn);
        if (!t)
            return NULL;
        *entry = (mfn << PAGE_SHIFT) | TABLE_FLAGS;
        return t;
    }
    return mfn_to_virt(pte_mfn(*entry));
}

/* Maps [va, va + pages * 4 KiB) to the frames from pfn on, writable unless
 * the frame is one of the region's page tables. */
static bool map_range(struct pt_alloc *a, uint64_t *l4, uint64_t va, uint64_t pages, uint64_t pfn)
{
    const struct dom_layout *l = &a->c->layout;
    uint64_t pt_pfn0 = dom_layout_va_to_pfn(l, l->pt_start), pt_pfn1 = pt_pfn0 + l->nr_pt_frames;

    for (uint64_t i = 0; i < pages; i++, va += PAGE_SIZE, pfn++) {
        uint64_t *l3 = descend(a, &l4[L4_INDEX(va)]);
        uint64_t *l2 = descend(a, l3 ? &l3[L3_INDEX(va)] : NULL);
        uint64_t *l1 = descend(a, l2 ? &l2[L2_INDEX(va)] : NULL);
        uint64_t flags = LEAF_FLAGS;

        if (!l1)
            return false;
        if (pfn >= pt_pfn0 && pfn < pt_pfn1)
            flags &= ~PTE_RW;               /* page tables are never writable by the guest */
        l1[L1_INDEX(va)] = (build_pfn_to_mfn(a->c, pfn) << PAGE_SHIFT) | flags;
    }
    return true;
}

int build_page_tables(struct build_ctx *c, char *err, size_t errlen)
{
    const struct dom_layout *l = &c->layout;
    uint64_t pt_pfn0 = dom_layout_va_to_pfn(l, l->pt_start);
    struct pt_alloc a = { .c = c, .next_pfn = pt_pfn0, .end_pfn = pt_pfn0 + l->nr_pt_frames };
    uint64_t l4_mfn = 0, *l4 = new_table(&a, &l4_mfn);

    c->l4_mfn = l4_mfn;
    if (!l4 || !map_range(&a, l4, l->v_start, l->mapped_pages, 0)) {
        fmt_snprintf(err, errlen, "bootstrap page tables overflow their %llu frames", U(l->nr_pt_frames));
        return -1;
    }
    if (l->p2m_own_tables) {
        /* The p2m list at INIT_P2M, with tables of its own under L4 slots
         * the region does not use (the layout checked that). */
        struct pt_alloc p = { .c = c, .next_pfn = l->p2m_pt_pfn, .end_pfn = l->p2m_pt_pfn + l->p2m_pt_frames };
        if (!map_range(&p, l4, l->p2m_start, l->p2m_frames, l->p2m_pfn)) {
            fmt_snprintf(err, errlen, "the p2m list's page tables overflow their %llu frames", U(l->p2m_pt_frames));
            return -1;
        }
    }
    return 0;
}

/* Pin the L4 (validating the tree) and take the references vCPU 0's CR3 holds. */
int build_pin_tables(struct build_ctx *c, char *err, size_t errlen)
{
    domid_t d = c->d->id;
    int rc;

    /* Nothing else runs yet: the validation goes on to the end, however
     * often the work limit stops it. */
    do {
        pt_work_begin();
        rc = pt_pin(c->l4_mfn, d, PGT_L4);
    } while (rc == -XEN_ERESTART);
    if (rc == 0 && (rc = page_get(c->l4_mfn, d)) == 0 &&
        (rc = page_get_type(c->l4_mfn, d, PGT_L4)) != 0)
        page_put(c->l4_mfn);
    if (rc != 0)
        fmt_snprintf(err, errlen, "the bootstrap page tables did not validate (error %d)", rc);
    return rc;
}

/* dom0's layout at the default level; a domU's (there may be a thousand,
 * and each line costs serial output) only at loglvl=debug: its one-line
 * summary says what matters. */
void build_log_layout(const struct build_ctx *c)
{
    const struct dom_layout *l = &c->layout;
    enum log_level lv = c->d->id == 0 ? LOG_INFO : LOG_DEBUG;

    log_printf(lv, "d%u: %llu pages (%llu MiB), entry %016llx\n", c->d->id, U(c->d->nr_pages),
               U(c->d->nr_pages >> 8), U(c->elf.entry));
    log_printf(lv, "d%u:  kernel      %016llx-%016llx\n", c->d->id, U(l->kernel_start), U(l->kernel_end));
    if (l->initrd_end > l->initrd_start)
        log_printf(lv, "d%u:  initrd      %016llx-%016llx\n", c->d->id, U(l->initrd_start), U(l->initrd_end));
    else if (l->initrd_pages)
        log_printf(lv, "d%u:  initrd      pfn %#llx-%#llx (unmapped)\n", c->d->id, U(l->initrd_pfn),
                   U(l->initrd_pfn + l->initrd_pages));
    log_printf(lv, "d%u:  p2m list    %016llx-%016llx\n", c->d->id, U(l->p2m_start), U(l->p2m_end));
    if (l->p2m_own_tables)
        log_printf(lv, "d%u:              pfn %#llx-%#llx, its tables pfn %#llx-%#llx\n", c->d->id,
                   U(l->p2m_pfn), U(l->p2m_pfn + l->p2m_frames), U(l->p2m_pt_pfn),
                   U(l->p2m_pt_pfn + l->p2m_pt_frames));
    log_printf(lv, "d%u:  start_info  %016llx\n", c->d->id, U(l->start_info));
    log_printf(lv, "d%u:  page tables %016llx-%016llx (%llu frames)\n", c->d->id, U(l->pt_start), U(l->pt_end),
               U(l->nr_pt_frames));
    log_printf(lv, "d%u:  boot stack  %016llx-%016llx\n", c->d->id, U(l->stack_start), U(l->stack_end));
    log_printf(lv, "d%u:  mapped      %016llx-%016llx\n", c->d->id, U(l->v_start), U(l->v_end));
}
