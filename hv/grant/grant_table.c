/* A grant table's pages: the shared entries (frames of the domain that the
 * guest maps and writes), the active entries beside them (hypervisor
 * frames, two per shared frame), and the frames holding maptrack handles;
 * growth by setup_table, and the size queries. */
#include "grant/grant_priv.h"
#include "errno.h"

_Static_assert(sizeof(struct grant_active) == 16, "two active pages per shared frame");
_Static_assert(sizeof(struct grant_mapping) == 16, "Xen's maptrack entry size (256 per page)");
_Static_assert(GRANT_V1_PER_FRAME % GRANT_ACTIVE_PER_FRAME == 0, "whole active pages per shared frame");
_Static_assert(GRANT_V1_PER_FRAME >= GNTTAB_NR_RESERVED_ENTRIES, "reserved entries fit the first frame");

#define ACTIVE_PER_SHARED (GRANT_V1_PER_FRAME / GRANT_ACTIVE_PER_FRAME)

int grant_table_init(struct grant_table *gt, domid_t domid, uint64_t index_mfn, struct grant_index *index,
                     uint32_t max_frames, uint32_t max_maptrack_frames)
{
    *gt = (struct grant_table){
        .index = index, .index_mfn = index_mfn, .domid = domid, .version = 1,
        .max_frames = max_frames, .max_maptrack_frames = max_maptrack_frames,
        .maptrack_head = GRANT_MT_NONE, .maptrack_tail = GRANT_MT_NONE,
    };
    return grant_table_grow(gt, 1);
}

void grant_table_free(struct grant_table *gt)
{
    struct grant_index *ix = gt->index;

    if (!ix)
        return;
    for (uint32_t i = 0; i < gt->nr_frames; i++) {
        grant_env_release_shared(ix->shared[i]);
        for (uint32_t j = 0; j < ACTIVE_PER_SHARED; j++)
            grant_env_free_frame(ix->active[i * ACTIVE_PER_SHARED + j]);
    }
    for (uint32_t i = 0; i < gt->maptrack_limit / GRANT_MT_PER_FRAME; i++)
        grant_env_free_frame(gt->maptrack_index[i]);
    if (gt->maptrack_index)
        grant_env_free_frame(gt->maptrack_index_mfn);
    gt->maptrack_index = 0;
    gt->nr_frames = gt->maptrack_limit = 0;
    gt->maptrack_head = gt->maptrack_tail = GRANT_MT_NONE;
    gt->index = 0;
}

int grant_table_grow(struct grant_table *gt, uint32_t nr)
{
    struct grant_index *ix = gt->index;

    while (gt->nr_frames < nr) {
        uint32_t i = gt->nr_frames;
        uint64_t act[ACTIVE_PER_SHARED], shared;
        uint32_t j;

        for (j = 0; j < ACTIVE_PER_SHARED; j++)
            if ((act[j] = grant_env_alloc_frame()) == ~0ull)
                break;
        shared = j == ACTIVE_PER_SHARED ? grant_env_alloc_shared(gt) : ~0ull;
        if (shared == ~0ull) {
            while (j--)
                grant_env_free_frame(act[j]);
            return -XEN_ENOMEM;
        }
        for (j = 0; j < ACTIVE_PER_SHARED; j++)
            ix->active[i * ACTIVE_PER_SHARED + j] = (uint32_t)act[j];
        ix->shared[i] = (uint32_t)shared;
        gt->nr_frames = i + 1;
    }
    return 0;
}

struct grant_entry_v1 *grant_shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    struct grant_entry_v1 *page = grant_env_frame(gt->index->shared[ref / GRANT_V1_PER_FRAME]);

    return &page[ref % GRANT_V1_PER_FRAME];
}

struct grant_active *grant_active_entry(struct grant_table *gt, grant_ref_t ref)
{
    struct grant_active *page = grant_env_frame(gt->index->active[ref / GRANT_ACTIVE_PER_FRAME]);

    return &page[ref % GRANT_ACTIVE_PER_FRAME];
}

/* ---- setup_table, query_size, versions, status frames ---- */

/* Xen's "any id": DOMID_SELF names the caller. Another domain's table is
 * reachable only by a privileged caller (Xen's XSM_TARGET default). */
static struct grant_table *target(struct grant_table *self, domid_t id, int16_t *status)
{
    struct grant_table *gt = id == DOMID_SELF || id == self->domid ? self : grant_env_lookup(id);

    if (!gt)
        *status = GNTST_bad_domain;
    else if (gt != self && !grant_env_privileged(self))
        *status = GNTST_permission_denied, gt = 0;
    return gt;
}

void grant_op_setup_table(struct grant_table *self, struct gnttab_setup_table *op, uint64_t *frames)
{
    struct grant_table *gt = target(self, op->dom, &op->status);

    if (!gt)
        return;
    if (op->nr_frames > gt->max_frames || (op->nr_frames > gt->nr_frames && grant_table_grow(gt, op->nr_frames))) {
        op->status = GNTST_general_error;
        return;
    }
    for (uint32_t i = 0; i < op->nr_frames; i++)
        frames[i] = gt->index->shared[i];
    op->status = GNTST_okay;
}

void grant_op_query_size(struct grant_table *self, struct gnttab_query_size *op)
{
    struct grant_table *gt = target(self, op->dom, &op->status);

    if (!gt)
        return;
    op->nr_frames = gt->nr_frames;
    op->max_nr_frames = gt->max_frames;
    op->status = GNTST_okay;
}

int grant_op_set_version(struct grant_table *self, struct gnttab_set_version *op)
{
    int rc = 0;

    /* Version 2 is refused as Xen 4.17 refuses it when limited to version 1
     * (gnttab=max-ver:1): the table stays at version 1 and says so. */
    if (op->version != 1 && op->version != 2)
        rc = -XEN_EINVAL;
    else if (op->version == 2)
        rc = -XEN_ENOSYS;
    op->version = self->version;
    return rc;
}

int grant_op_get_version(struct grant_table *self, struct gnttab_get_version *op)
{
    int16_t status;
    struct grant_table *gt;

    gt = target(self, op->dom, &status);
    if (!gt)
        return status == GNTST_bad_domain ? -XEN_ESRCH : -XEN_EPERM;
    op->version = gt->version;
    return 0;
}

void grant_op_get_status_frames(struct grant_table *self, struct gnttab_get_status_frames *op)
{
    struct grant_table *gt = target(self, op->dom, &op->status);

    if (!gt)
        return;
    /* Version 1 has no status frames: any non-zero count asks for too many. */
    op->status = op->nr_frames ? GNTST_general_error : GNTST_okay;
}
