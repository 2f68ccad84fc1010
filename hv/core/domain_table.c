/* Domains by domid. Domids are Xen's: 0 is dom0, domUs take 1 ..
 * DOMID_FIRST_RESERVED - 1, handed out in turn from the last one given (as
 * Xen's toolstack-less domain creation does), so a domid is not reused soon
 * after its domain went.
 *
 * The table is a directory of leaves of 512 pointers, a leaf taken from the
 * hypervisor's frames when the first domain of its range appears and given
 * back when the last one goes: an empty machine holds none, and frame
 * accounting at power-off stays exact. */
#include "core/domain.h"
#include "core/domain_table.h"
#include "mm/mm.h"
#include "arch/x86_64/page.h"
#include "lib/string.h"
#include "xen.h"

#define LEAF_SLOTS   512u
#define NR_LEAVES    ((DOMID_FIRST_RESERVED + LEAF_SLOTS - 1) / LEAF_SLOTS)

struct leaf {
    struct domain *slot[LEAF_SLOTS];
};
_Static_assert(sizeof(struct leaf) == PAGE_SIZE, "a leaf is one frame");

static struct leaf *leaves[NR_LEAVES];
static uint16_t leaf_used[NR_LEAVES];    /* slots in use in each leaf */
static domid_t last_given;               /* the rover: domUs start after it */
static unsigned nr_domains;

static struct domain **slot_of(domid_t id, bool make)
{
    unsigned li = id / LEAF_SLOTS;

    if (id >= DOMID_FIRST_RESERVED)
        return 0;
    if (!leaves[li]) {
        uint64_t mfn;
        if (!make || (mfn = mm_alloc_frames_contig(1, 0)) == INVALID_MFN)
            return 0;
        leaves[li] = mfn_to_virt(mfn);
        memset(leaves[li], 0, PAGE_SIZE);
    }
    return &leaves[li]->slot[id % LEAF_SLOTS];
}

int domain_table_insert(struct domain *d)
{
    struct domain **s = slot_of(d->id, true);

    if (!s || *s)
        return -1;
    *s = d;
    leaf_used[d->id / LEAF_SLOTS]++;
    nr_domains++;
    return 0;
}

void domain_table_remove(struct domain *d)
{
    unsigned li = d->id / LEAF_SLOTS;
    struct domain **s = slot_of(d->id, false);

    if (!s || *s != d)
        return;
    *s = 0;
    nr_domains--;
    if (--leaf_used[li] == 0) {
        mm_free_frame(directmap_virt_to_mfn(leaves[li]));
        leaves[li] = 0;
    }
}

struct domain *domain_table_get(domid_t id)
{
    struct domain **s = id < DOMID_FIRST_RESERVED && leaves[id / LEAF_SLOTS] ? slot_of(id, false) : 0;

    return s ? *s : 0;
}

struct domain *domain_next(domid_t from)
{
    for (unsigned id = from; id < DOMID_FIRST_RESERVED; id++) {
        struct leaf *l = leaves[id / LEAF_SLOTS];
        if (!l)
            id |= LEAF_SLOTS - 1;                /* on to the next leaf */
        else if (l->slot[id % LEAF_SLOTS])
            return l->slot[id % LEAF_SLOTS];
    }
    return 0;
}

domid_t domain_table_new_id(void)
{
    domid_t id = last_given;

    for (unsigned tries = 1; tries < DOMID_FIRST_RESERVED; tries++) {
        id = (domid_t)(id + 1u >= DOMID_FIRST_RESERVED ? 1 : id + 1u);
        if (!domain_table_get(id)) {
            last_given = id;
            return id;
        }
    }
    return DOMID_INVALID;
}

unsigned domain_table_count(void)
{
    return nr_domains;
}
