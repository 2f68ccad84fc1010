/* Maptrack: the handles of the mappings a domain made, in pages of 256
 * allocated as needed up to the domain's limit.
 *
 * Free handles form a queue through their ref fields: taken from the head,
 * returned at the tail, and the last free handle is never taken (it is the
 * tail the next returned handle hangs on), which is how Xen 4.17 hands
 * handles out to a one-vCPU domain: the first page gives 0, 1, 2, ...; a
 * returned handle comes back only after the others; with the limit reached
 * the table holds one handle fewer than its pages do. */
#include "grant/grant_priv.h"

struct grant_mapping *grant_maptrack_entry(struct grant_table *lgt, uint32_t handle)
{
    struct grant_mapping *page = grant_env_frame(lgt->maptrack_index[handle / GRANT_MT_PER_FRAME]);

    return &page[handle % GRANT_MT_PER_FRAME];
}

/* A new page: its first handle is the answer, the rest go before the free
 * handles already queued. */
static uint32_t new_page(struct grant_table *lgt)
{
    uint32_t first = lgt->maptrack_limit, nr = first / GRANT_MT_PER_FRAME;
    uint64_t mfn;
    struct grant_mapping *mt;

    if (nr >= lgt->max_maptrack_frames)
        return GRANT_MT_NONE;
    if (!lgt->maptrack_index) {
        uint64_t ix = grant_env_alloc_frame();
        if (ix == ~0ull)
            return GRANT_MT_NONE;
        lgt->maptrack_index = grant_env_frame(ix);
        lgt->maptrack_index_mfn = ix;
    }
    if ((mfn = grant_env_alloc_frame()) == ~0ull)
        return GRANT_MT_NONE;
    mt = grant_env_frame(mfn);
    for (uint32_t i = 0; i < GRANT_MT_PER_FRAME; i++)
        mt[i] = (struct grant_mapping){ .ref = first + i + 1 };
    lgt->maptrack_index[nr] = (uint32_t)mfn;
    lgt->maptrack_limit = first + GRANT_MT_PER_FRAME;
    if (lgt->maptrack_tail == GRANT_MT_NONE)
        lgt->maptrack_tail = first + GRANT_MT_PER_FRAME - 1;
    mt[GRANT_MT_PER_FRAME - 1].ref = lgt->maptrack_head;
    lgt->maptrack_head = first + 1;
    return first;
}

uint32_t grant_maptrack_get(struct grant_table *lgt)
{
    uint32_t head = lgt->maptrack_head, next;

    if (head != GRANT_MT_NONE) {
        next = grant_maptrack_entry(lgt, head)->ref;
        if (next != GRANT_MT_NONE) {
            lgt->maptrack_head = next;
            return head;
        }
    }
    return new_page(lgt);
}

void grant_maptrack_put(struct grant_table *lgt, uint32_t handle)
{
    struct grant_mapping *mt = grant_maptrack_entry(lgt, handle);

    mt->ref = GRANT_MT_NONE;
    mt->flags = 0;
    if (lgt->maptrack_tail != GRANT_MT_NONE)
        grant_maptrack_entry(lgt, lgt->maptrack_tail)->ref = handle;
    else
        lgt->maptrack_head = handle;
    lgt->maptrack_tail = handle;
}
