/* Grant tables in the hypervisor: each domain's table set up and torn
 * down, and the environment the pure core needs (grant_priv.h), built on
 * the frame allocator, the frame table's references and the PV page-table
 * code of hv/mm/. */
#include "grant/grant_priv.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "mm/mm.h"
#include "mm/page_type.h"
#include "mm/grant_mm.h"
#include "arch/x86_64/page.h"
#include "arch/x86_64/cpu.h"
#include "errno.h"

/* ---- life cycle ---- */

int grant_domain_init(struct domain *d)
{
    uint64_t mfn = grant_env_alloc_frame();

    if (mfn == ~0ull)
        return -XEN_ENOMEM;
    if (grant_table_init(&d->grant, d->id, mfn, mfn_to_virt(mfn), grant_opt_max_frames,
                         grant_opt_max_maptrack_frames)) {
        mm_free_frame(mfn);
        d->grant.index = 0;
        return -XEN_ENOMEM;
    }
    d->grant.owner = d;
    return 0;
}

void grant_domain_destroy(struct domain *d)
{
    struct grant_table *gt = &d->grant;
    uint64_t mfn = gt->index_mfn;

    if (!gt->index)
        return;
    grant_table_free(gt);
    mm_free_frame(mfn);
    gt->index_mfn = 0;
}

bool grant_release_mappings(struct domain *d)
{
    struct grant_table *gt = &d->grant;

    if (!gt->index)
        return true;
    if (!gt->release_started) {
        grant_release_begin(gt);
        gt->release_started = true;
    }
    /* A handle is a few memory accesses: 64 of them count as one unit of
     * the page-table work limit that bounds a teardown piece. */
    while (!grant_release_some(gt, 64))
        if (pt_work++ >= pt_work_limit)
            return false;
    return true;
}

bool grant_domain_busy(const struct domain *d)
{
    return d->grant.index && d->grant.pinned != 0;
}

void grant_builder_set(struct domain *d, unsigned ref, uint16_t domid, uint64_t mfn, bool readonly)
{
    struct grant_entry_v1 *e = grant_shared_entry(&d->grant, ref);

    e->domid = domid;
    e->frame = (uint32_t)mfn;
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)), __ATOMIC_SEQ_CST);
}

/* ---- the environment ---- */

static struct grant_table *table_of(struct domain *d)
{
    return d && d->grant.index ? &d->grant : 0;
}

struct grant_table *grant_env_lookup(domid_t id)
{
    return table_of(domain_lookup(id));
}

struct grant_table *grant_env_lookup_any(domid_t id)
{
    return table_of(domain_of(id));
}

bool grant_env_privileged(const struct grant_table *gt)
{
    return gt->owner->privileged;
}

uint64_t grant_env_alloc_frame(void)
{
    uint64_t mfn = mm_alloc_hv_frame();

    return mfn == INVALID_MFN ? ~0ull : mfn;
}

void grant_env_free_frame(uint64_t mfn)
{
    mm_free_frame(mfn);
}

void *grant_env_frame(uint64_t mfn)
{
    return mfn_to_virt(mfn);
}

uint64_t grant_env_alloc_shared(struct grant_table *gt)
{
    uint64_t mfn = mm_grant_frame_alloc(gt->domid);

    return mfn == INVALID_MFN ? ~0ull : mfn;
}

void grant_env_release_shared(uint64_t mfn)
{
    page_put(mfn);
}

int grant_env_page_get(uint64_t mfn, domid_t owner)
{
    return page_get(mfn, owner);
}

void grant_env_page_put(uint64_t mfn)
{
    page_put(mfn);
}

int grant_env_page_get_writable(uint64_t mfn, domid_t owner)
{
    return page_get_type(mfn, owner, PGT_WRITABLE);
}

void grant_env_page_put_writable(uint64_t mfn)
{
    page_put_type(mfn);
}

int grant_env_pte_create(uint64_t addr, uint64_t mfn, uint32_t flags)
{
    return mm_grant_pte_create(current_domain(), addr, mfn, flags);
}

int grant_env_pte_destroy(uint64_t addr, uint64_t mfn, uint32_t flags, uint64_t new_addr)
{
    return mm_grant_pte_destroy(current_domain(), addr, mfn, flags, new_addr);
}

int grant_env_steal(domid_t from, uint64_t mfn)
{
    return mm_frame_steal(domain_of(from), mfn);
}

bool grant_env_has_room(domid_t to)
{
    struct domain *d = domain_lookup(to);

    return d && d->state != DOMAIN_SHUTDOWN && d->nr_pages < d->max_pages;
}

void grant_env_assign(domid_t to, uint64_t mfn, uint64_t pfn)
{
    mm_frame_assign(domain_lookup(to), mfn, pfn);
}

void grant_env_free_stolen(uint64_t mfn)
{
    mm_free_frame(mfn);
}

void grant_env_unpinned(struct grant_table *gt)
{
    domain_teardown_kick(gt->owner);
}

bool grant_env_frame_valid(uint64_t mfn)
{
    return mm_frame_is_ram(mfn);
}

struct grant_table *grant_env_frame_owner_get(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);
    struct grant_table *gt;

    if (!pg || !(gt = table_of(domain_of(pg->owner))) || page_get(mfn, pg->owner))
        return 0;
    return gt;
}

void grant_env_cache_flush(uint64_t mfn, unsigned offset, unsigned len)
{
    cache_writeback((char *)mfn_to_virt(mfn) + offset, len);
}

bool grant_env_preempt(void)
{
    return hypercall_preempt_check();
}
