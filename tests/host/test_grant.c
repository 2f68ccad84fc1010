/* Host tests of the grant-table core (hv/grant/): the pure operations on a
 * fake environment of a few domains, their frames with reference counts,
 * and per-domain page-table slots standing for host mappings.
 *
 * Besides fixed cases (statuses, handle order, flags, limits), a randomized
 * run drives maps, unmaps, copies, swaps, guest rewrites of entries and of
 * mapped page-table slots, and mapper deaths, and after every step compares
 * everything the core keeps with a simple model: the mappings that exist,
 * from which pins, entry flags and every frame's reference counts follow. */
#include <stdlib.h>
#include <stdbool.h>
#include "test.h"
#include "grant/grant_priv.h"
#include "errno.h"

/* ---- the fake environment ---- */

#define NDOM     3
#define NFRAMES  512
#define HV_FIRST 0              /* frames [0, 256): the hypervisor's pool */
#define DOM_FIRST 256           /* frames [256, 512): domain memory, 64 per domain from 256 */
#define SLOTS    32             /* page-table slots per domain */
#define SLOT_VA(i) (0x400000ull + (uint64_t)(i) * 4096)
#define SLOT_MA(d, i) (0x7000000ull + (uint64_t)(d) * 0x1000 + (uint64_t)(i) * 8)   /* contains_pte */

static _Alignas(4096) uint8_t mem[NFRAMES][4096];
struct fpage { int owner; unsigned count, wcount; bool hv_used, xenheap; };
static struct fpage pg[NFRAMES];
struct pte { bool present, rw; uint64_t mfn; };
static struct pte ptes[NDOM][SLOTS];
static struct grant_table tables[NDOM];
static struct grant_index *indexes[NDOM];
static bool alive[NDOM], privileged[NDOM];
static unsigned cur;                    /* the calling domain */
static unsigned hv_in_use;
static unsigned fail_alloc_after = ~0u; /* allocation failure injection */
static unsigned unpinned_calls;

static uint64_t dom_frame(unsigned d, unsigned i) { return DOM_FIRST + d * 64 + i; }

struct grant_table *grant_env_lookup(domid_t id) { return id < NDOM && alive[id] ? &tables[id] : 0; }
struct grant_table *grant_env_lookup_any(domid_t id) { return id < NDOM && tables[id].index ? &tables[id] : 0; }
bool grant_env_privileged(const struct grant_table *gt) { return privileged[gt->domid]; }

uint64_t grant_env_alloc_frame(void)
{
    if (fail_alloc_after == 0)
        return ~0ull;
    if (fail_alloc_after != ~0u)
        fail_alloc_after--;
    for (uint64_t m = HV_FIRST; m < DOM_FIRST; m++)
        if (!pg[m].hv_used) {
            pg[m].hv_used = true;
            hv_in_use++;
            memset(mem[m], 0, 4096);
            return m;
        }
    return ~0ull;
}

void grant_env_free_frame(uint64_t mfn)
{
    CHECK(mfn < DOM_FIRST && pg[mfn].hv_used);
    pg[mfn].hv_used = false;
    hv_in_use--;
}

void *grant_env_frame(uint64_t mfn)
{
    CHECK(mfn < NFRAMES);
    return mem[mfn];
}

uint64_t grant_env_alloc_shared(struct grant_table *gt)
{
    uint64_t m = grant_env_alloc_frame();

    if (m != ~0ull) {
        pg[m].owner = gt->domid;
        pg[m].count = 1;
        pg[m].xenheap = true;
    }
    return m;
}

void grant_env_release_shared(uint64_t mfn)
{
    CHECK(pg[mfn].xenheap && pg[mfn].count == 1);
    pg[mfn] = (struct fpage){ .hv_used = true };
    grant_env_free_frame(mfn);
}

int grant_env_page_get(uint64_t mfn, domid_t owner)
{
    if (mfn >= NFRAMES || pg[mfn].count == 0 || pg[mfn].owner != owner)
        return -XEN_EINVAL;
    pg[mfn].count++;
    return 0;
}

void grant_env_page_put(uint64_t mfn)
{
    CHECK(pg[mfn].count > 0);
    pg[mfn].count--;
}

static bool frame_is_table[NFRAMES];    /* stands for a page-table type: no WRITABLE */

int grant_env_page_get_writable(uint64_t mfn, domid_t owner)
{
    (void)owner;
    CHECK(pg[mfn].count > pg[mfn].wcount);
    if (frame_is_table[mfn])
        return -XEN_EINVAL;
    pg[mfn].wcount++;
    return 0;
}

void grant_env_page_put_writable(uint64_t mfn)
{
    CHECK(pg[mfn].wcount > 0);
    pg[mfn].wcount--;
}

static struct pte *slot_of(uint64_t addr, uint32_t flags)
{
    if (flags & GNTMAP_contains_pte) {
        uint64_t base = SLOT_MA(cur, 0);
        if (addr < base || addr >= base + SLOTS * 8 || (addr & 7))
            return 0;
        return &ptes[cur][(addr - base) / 8];
    }
    if (addr < SLOT_VA(0) || addr >= SLOT_VA(SLOTS) || (addr & 4095))
        return 0;
    return &ptes[cur][(addr - SLOT_VA(0)) / 4096];
}

static void pte_put(struct pte *p)
{
    if (!p->present)
        return;
    if (p->rw)
        grant_env_page_put_writable(p->mfn);
    grant_env_page_put(p->mfn);
    *p = (struct pte){ 0 };
}

int grant_env_pte_create(uint64_t addr, uint64_t mfn, uint32_t flags)
{
    struct pte *p = slot_of(addr, flags);

    if (!p)
        return GNTST_general_error;
    pte_put(p);
    *p = (struct pte){ .present = true, .rw = !(flags & GNTMAP_readonly), .mfn = mfn };
    return GNTST_okay;
}

int grant_env_pte_destroy(uint64_t addr, uint64_t mfn, uint32_t flags, uint64_t new_addr)
{
    struct pte *p, *from = 0, moved = { 0 };

    if (new_addr) {
        if ((flags & GNTMAP_contains_pte) || !(from = slot_of(new_addr, 0)))
            return GNTST_general_error;
        moved = *from;
        *from = (struct pte){ 0 };
    }
    p = slot_of(addr, flags);
    if (!p || !p->present || p->mfn != mfn || p->rw != !(flags & GNTMAP_readonly)) {
        pte_put(&moved);
        return GNTST_general_error;
    }
    *p = moved;
    return GNTST_okay;
}

static uint64_t stolen_pfn = ~0ull;
int grant_env_steal(domid_t from, uint64_t mfn)
{
    if (mfn >= NFRAMES || pg[mfn].owner != from || pg[mfn].count != 1 || pg[mfn].wcount || pg[mfn].xenheap)
        return -XEN_EINVAL;
    pg[mfn].owner = -1;
    pg[mfn].count = 0;
    return 0;
}
bool grant_env_has_room(domid_t to) { return to < NDOM && alive[to]; }
void grant_env_assign(domid_t to, uint64_t mfn, uint64_t pfn)
{
    pg[mfn].owner = to;
    pg[mfn].count = 1;
    stolen_pfn = pfn;
}
void grant_env_free_stolen(uint64_t mfn) { pg[mfn].owner = -2; }
void grant_env_unpinned(struct grant_table *gt) { (void)gt; unpinned_calls++; }
bool grant_env_frame_valid(uint64_t mfn) { return mfn < NFRAMES; }
struct grant_table *grant_env_frame_owner_get(uint64_t mfn)
{
    int o = pg[mfn].owner;

    if (o < 0 || o >= NDOM || !pg[mfn].count || !tables[o].index)
        return 0;
    pg[mfn].count++;
    return &tables[o];
}
static unsigned flushed;
void grant_env_cache_flush(uint64_t mfn, unsigned offset, unsigned len) { (void)mfn; (void)offset; flushed += len; }
bool grant_env_preempt(void) { return false; }

/* ---- set-up ---- */

static void world(unsigned max_frames, unsigned max_mt)
{
    memset(pg, 0, sizeof(pg));
    for (unsigned m = 0; m < NFRAMES; m++)
        pg[m].owner = -1;
    memset(ptes, 0, sizeof(ptes));
    memset(frame_is_table, 0, sizeof(frame_is_table));
    hv_in_use = 0;
    fail_alloc_after = ~0u;
    for (unsigned d = 0; d < NDOM; d++) {
        uint64_t ix = grant_env_alloc_frame();
        indexes[d] = (struct grant_index *)mem[ix];
        CHECK_EQ(grant_table_init(&tables[d], (domid_t)d, ix, indexes[d], max_frames, max_mt), 0);
        alive[d] = true;
        privileged[d] = d == 0;
        for (unsigned i = 0; i < 64; i++)
            pg[dom_frame(d, i)] = (struct fpage){ .owner = (int)d, .count = 1 };
    }
    cur = 0;
}

static struct grant_entry_v1 *entry(unsigned d, grant_ref_t ref) { return grant_shared_entry(&tables[d], ref); }

static void grant(unsigned d, grant_ref_t ref, unsigned to, uint64_t mfn, bool ro)
{
    struct grant_entry_v1 *e = entry(d, ref);
    e->domid = (domid_t)to;
    e->frame = (uint32_t)mfn;
    e->flags = (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0));
}

static int map(unsigned granter, grant_ref_t ref, uint32_t flags, uint64_t addr, uint32_t *handle)
{
    struct gnttab_map_grant_ref op = { .host_addr = addr, .flags = flags, .ref = ref, .dom = (domid_t)granter };
    int rc = grant_op_map(&tables[cur], &op);

    if (rc == GNTST_okay && handle)
        *handle = op.handle;
    if (rc == GNTST_okay)
        CHECK_EQ(op.dev_bus_addr, grant_active_entry(&tables[granter], ref)->mfn << 12);
    return rc;
}

static int unmap(uint32_t handle, uint64_t addr, uint64_t dev, uint64_t new_addr)
{
    struct grant_unmap_done done;
    int rc = grant_op_unmap(&tables[cur], addr, dev, handle, new_addr, &done);

    grant_op_unmap_complete(&tables[cur], &done);
    return rc;
}

/* ---- fixed cases ---- */

static void test_map_unmap_host(void)
{
    uint32_t h;
    uint64_t f = dom_frame(1, 5);

    world(4, 8);
    grant(1, 10, 0, f, false);
    CHECK_EQ(map(1, 10, GNTMAP_host_map, SLOT_VA(3), &h), GNTST_okay);
    CHECK_EQ(h, 0);
    CHECK(entry(1, 10)->flags & GTF_reading);
    CHECK(entry(1, 10)->flags & GTF_writing);
    CHECK_EQ(pg[f].count, 2);
    CHECK_EQ(pg[f].wcount, 1);
    CHECK(ptes[0][3].present && ptes[0][3].rw && ptes[0][3].mfn == f);
    CHECK_EQ(tables[1].pinned, 1);
    /* The wrong address, then the right one; then the handle is gone. */
    CHECK_EQ(unmap(h, SLOT_VA(4), 0, 0), GNTST_general_error);
    CHECK_EQ(unmap(h, SLOT_VA(3), 0, 0), GNTST_okay);
    CHECK_EQ(entry(1, 10)->flags, GTF_permit_access);
    CHECK_EQ(pg[f].count, 1);
    CHECK_EQ(pg[f].wcount, 0);
    CHECK(!ptes[0][3].present);
    CHECK_EQ(tables[1].pinned, 0);
    CHECK_EQ(unmap(h, SLOT_VA(3), 0, 0), GNTST_bad_handle);
    CHECK_EQ(unmap(12345, SLOT_VA(3), 0, 0), GNTST_bad_handle);
}

static void test_map_refusals(void)
{
    uint64_t f = dom_frame(1, 6);

    world(2, 8);
    grant(1, 1, 0, f, true);                /* read-only grant to d0 */
    grant(1, 2, 2, f, false);               /* granted to d2 */
    grant(1, 3, 0, dom_frame(2, 0), false); /* a frame d1 does not own */
    CHECK_EQ(map(1, 1, 0, SLOT_VA(0), 0), GNTST_bad_gntref);                  /* no kind */
    CHECK_EQ(map(7, 1, GNTMAP_host_map, SLOT_VA(0), 0), GNTST_bad_domain);
    CHECK_EQ(map(DOMID_SELF, 1, GNTMAP_host_map, SLOT_VA(0), 0), GNTST_bad_domain);
    CHECK_EQ(map(1, 1024, GNTMAP_host_map, SLOT_VA(0), 0), GNTST_bad_gntref); /* 2 frames: 1024 entries */
    CHECK_EQ(map(1, 1, GNTMAP_host_map, SLOT_VA(0), 0), GNTST_general_error); /* read-only grant, writable map */
    CHECK_EQ(map(1, 2, GNTMAP_host_map | GNTMAP_readonly, SLOT_VA(0), 0), GNTST_general_error); /* not ours */
    CHECK_EQ(map(1, 4, GNTMAP_host_map | GNTMAP_readonly, SLOT_VA(0), 0), GNTST_general_error); /* invalid */
    CHECK_EQ(map(1, 3, GNTMAP_host_map | GNTMAP_readonly, SLOT_VA(0), 0), GNTST_bad_page);
    CHECK_EQ(entry(1, 3)->flags, GTF_permit_access);                           /* cleared again */
    CHECK_EQ(map(1, 1, GNTMAP_host_map | GNTMAP_readonly, 0x1000, 0), GNTST_general_error); /* no L1 there */
    CHECK_EQ(entry(1, 1)->flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ(pg[f].count, 1);
    CHECK_EQ(tables[1].pinned, 0);
    /* An entry the guest rewrites all the time: five attempts, then an error. */
    CHECK_EQ(tables[0].maptrack_limit, 256);
}

static void test_pins_and_flags(void)
{
    uint32_t h1, h2, h3;
    uint64_t f = dom_frame(1, 7);

    world(1, 8);
    grant(1, 5, 0, f, false);
    CHECK_EQ(map(1, 5, GNTMAP_host_map | GNTMAP_readonly, SLOT_VA(1), &h1), GNTST_okay);
    CHECK_EQ(entry(1, 5)->flags & (GTF_reading | GTF_writing), GTF_reading);
    CHECK_EQ(map(1, 5, GNTMAP_device_map, 0, &h2), GNTST_okay);
    CHECK_EQ(entry(1, 5)->flags & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
    CHECK_EQ(grant_active_entry(&tables[1], 5)->pin, GRANT_PIN_HR + GRANT_PIN_DW);
    /* Another domain cannot use an entry pinned by d0. */
    cur = 2;
    grant(1, 6, 2, f, false);
    CHECK_EQ(map(1, 6, GNTMAP_host_map, SLOT_VA(0), &h3), GNTST_okay);   /* another entry, same frame */
    CHECK_EQ(unmap(h3, SLOT_VA(0), 0, 0), GNTST_okay);
    cur = 0;
    /* Device unmap needs the bus address. */
    CHECK_EQ(unmap(h2, 0, 0, 0), GNTST_okay);                   /* nothing named: nothing done */
    CHECK_EQ(grant_active_entry(&tables[1], 5)->pin, GRANT_PIN_HR + GRANT_PIN_DW);
    CHECK_EQ(unmap(h2, 0, (f << 12) + 4096, 0), GNTST_bad_dev_addr);
    CHECK_EQ(unmap(h2, 0, f << 12, 0), GNTST_okay);
    CHECK_EQ(entry(1, 5)->flags & (GTF_reading | GTF_writing), GTF_reading);
    CHECK_EQ(unmap(h1, SLOT_VA(1), 0, 0), GNTST_okay);
    CHECK_EQ(entry(1, 5)->flags & (GTF_reading | GTF_writing), 0);
    CHECK_EQ(pg[f].count, 1);
    CHECK_EQ(pg[f].wcount, 0);
    /* 128 uses of one kind are fine, the 129th is refused. */
    for (unsigned i = 0; i < 128; i++)
        CHECK_EQ(map(1, 5, GNTMAP_device_map | GNTMAP_readonly, 0, 0), GNTST_okay);
    CHECK_EQ(map(1, 5, GNTMAP_device_map | GNTMAP_readonly, 0, 0), GNTST_general_error);
}

static void test_maptrack_order_and_limit(void)
{
    uint32_t h;

    world(1, 1);
    grant(0, 8, 0, dom_frame(0, 1), false);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(map(0, 8, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_okay);
        CHECK_EQ(h, i);
    }
    CHECK_EQ(unmap(0, 0, dom_frame(0, 1) << 12, 0), GNTST_okay);
    CHECK_EQ(map(0, 8, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_okay);
    CHECK_EQ(h, 3);                         /* a returned handle waits behind the others */
    /* One maptrack page: 255 handles, the last free one is never handed out. */
    unsigned n = 3;
    grant(0, 9, 0, dom_frame(0, 2), false);
    grant(0, 10, 0, dom_frame(0, 3), false);
    grant(0, 11, 0, dom_frame(0, 4), false);
    while (n < 255) {
        CHECK_EQ(map(0, n < 100 ? 9 : n < 200 ? 10 : 11, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_okay);
        n++;
    }
    CHECK_EQ(map(0, 9, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_no_space);
    CHECK_EQ(tables[0].maptrack_limit, 256);
}

static void test_contains_pte_and_replace(void)
{
    uint32_t h;
    uint64_t f = dom_frame(1, 9);

    world(1, 8);
    grant(1, 2, 0, f, false);
    CHECK_EQ(map(1, 2, GNTMAP_host_map | GNTMAP_contains_pte, SLOT_MA(0, 4) + 1, 0), GNTST_general_error);
    CHECK_EQ(map(1, 2, GNTMAP_host_map | GNTMAP_contains_pte, SLOT_MA(0, 4), &h), GNTST_okay);
    CHECK(ptes[0][4].present);
    CHECK_EQ(unmap(h, SLOT_VA(4), 0, 0), GNTST_general_error);     /* flags say machine address */
    CHECK_EQ(unmap(h, SLOT_MA(0, 4), 0, 0), GNTST_okay);
    /* unmap_and_replace moves another slot's entry into the grant's. */
    CHECK_EQ(map(1, 2, GNTMAP_host_map, SLOT_VA(6), &h), GNTST_okay);
    ptes[0][7] = (struct pte){ .present = true, .mfn = dom_frame(0, 3) };
    pg[dom_frame(0, 3)].count++;
    CHECK_EQ(unmap(h, SLOT_VA(6), 0, SLOT_VA(7)), GNTST_okay);
    CHECK(ptes[0][6].present && ptes[0][6].mfn == dom_frame(0, 3));
    CHECK(!ptes[0][7].present);
    CHECK_EQ(pg[f].count, 1);
    CHECK_EQ(pg[dom_frame(0, 3)].count, 2);
}

static void test_copy(void)
{
    uint64_t a = dom_frame(1, 1), b = dom_frame(0, 1);
    struct gnttab_copy op;

    world(1, 8);
    memset(mem[a], 0xAB, 4096);
    memset(mem[b], 0, 4096);
    grant(1, 3, 0, a, true);
    op = (struct gnttab_copy){ .flags = GNTCOPY_source_gref, .len = 100 };
    op.source.u.ref = 3; op.source.domid = 1; op.source.offset = 10;
    op.dest.u.gmfn = b; op.dest.domid = DOMID_SELF; op.dest.offset = 4000;
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_bad_copy_arg);
    op.dest.offset = 3996;
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_okay);
    CHECK_EQ(mem[b][3996], 0xAB);
    CHECK_EQ(mem[b][3995], 0);
    CHECK_EQ(entry(1, 3)->flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ(pg[a].count, 1);
    CHECK_EQ(pg[b].count, 1);
    CHECK_EQ(pg[b].wcount, 0);
    /* A read-only grant cannot be written; a frame only by its own domain. */
    op.flags = GNTCOPY_dest_gref;
    op.dest.u.ref = 3; op.dest.domid = 1; op.dest.offset = 0;
    op.source.u.gmfn = b; op.source.domid = DOMID_SELF;
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_general_error);
    op.source.domid = 0;
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_permission_denied);
    op.source.domid = DOMID_SELF;
    op.source.u.gmfn = a;                   /* not the caller's */
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_bad_page);
    op.dest.domid = 9;
    CHECK_EQ(grant_op_copy(&tables[0], &op), GNTST_bad_domain);
    CHECK_EQ(tables[1].pinned, 0);
}

static void test_swap_transfer_flush_version(void)
{
    struct gnttab_transfer t;
    struct gnttab_cache_flush cf = { 0 };
    struct gnttab_set_version sv = { .version = 2 };
    grant_ref_t cur_ref = 0;
    uint32_t h;

    world(1, 8);
    grant(0, 1, 1, dom_frame(0, 1), false);
    grant(0, 2, 2, dom_frame(0, 2), true);
    CHECK_EQ(grant_op_swap(&tables[0], 1, 2), GNTST_okay);
    CHECK_EQ(entry(0, 1)->domid, 2);
    CHECK_EQ(grant_op_swap(&tables[0], 1, 600), GNTST_bad_gntref);
    cur = 2;
    CHECK_EQ(map(0, 1, GNTMAP_device_map | GNTMAP_readonly, 0, &h), GNTST_okay);
    cur = 0;
    CHECK_EQ(grant_op_swap(&tables[0], 1, 2), GNTST_eagain);
    CHECK_EQ(grant_op_swap(&tables[0], 1, 1), GNTST_okay);
    /* Transfer d0's frame to d1, which offered entry 4 for pfn 0x77. */
    entry(1, 4)->domid = 0; entry(1, 4)->frame = 0x77; entry(1, 4)->flags = GTF_accept_transfer;
    t = (struct gnttab_transfer){ .mfn = dom_frame(0, 9), .domid = 1, .ref = 4 };
    CHECK_EQ(grant_op_transfer(&tables[0], &t), GNTST_okay);
    CHECK_EQ(pg[dom_frame(0, 9)].owner, 1);
    CHECK_EQ(stolen_pfn, 0x77);
    CHECK_EQ(entry(1, 4)->frame, dom_frame(0, 9));
    CHECK_EQ(entry(1, 4)->flags, GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed);
    CHECK_EQ(grant_op_transfer(&tables[0], &t), GNTST_bad_page);     /* no longer ours */
    t.mfn = dom_frame(0, 10);                                       /* entry no longer accepting */
    CHECK_EQ(grant_op_transfer(&tables[0], &t), GNTST_general_error);
    CHECK_EQ(pg[dom_frame(0, 10)].owner, -2);                       /* gone all the same */
    /* Cache flush: own frames, granted frames mapped, nothing else. */
    cf.a.dev_bus_addr = dom_frame(0, 3) << 12; cf.length = 64; cf.op = GNTTAB_CACHE_CLEAN;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), 0);
    CHECK_EQ(flushed, 64);
    cf.op = GNTTAB_CACHE_INVAL;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EOPNOTSUPP);
    cf.op = GNTTAB_CACHE_SOURCE_GREF | GNTTAB_CACHE_CLEAN;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EINVAL);
    cf.op = GNTTAB_CACHE_CLEAN;
    cf.a.dev_bus_addr = dom_frame(1, 3) << 12;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EINVAL);
    cur = 2;
    cf.a.dev_bus_addr = dom_frame(0, 2) << 12;                      /* entry 1 after the swap */
    CHECK_EQ(grant_op_cache_flush(&tables[2], &cf, &cur_ref), 0);   /* d2 has it mapped */
    cf.a.dev_bus_addr = dom_frame(0, 1) << 12;
    CHECK_EQ(grant_op_cache_flush(&tables[2], &cf, &cur_ref), -XEN_EINVAL);
    cur = 0;
    cf.a.dev_bus_addr = 200ull << 12;                               /* a free hypervisor frame */
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EPERM);
    cf.length = 0;
    cur_ref = 3;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EILSEQ);
    cf.offset = 4096;
    CHECK_EQ(grant_op_cache_flush(&tables[0], &cf, &cur_ref), -XEN_EINVAL);
    /* Versions: 1 only. */
    CHECK_EQ(grant_op_set_version(&tables[0], &sv), -XEN_ENOSYS);
    CHECK_EQ(sv.version, 1);
    sv.version = 3;
    CHECK_EQ(grant_op_set_version(&tables[0], &sv), -XEN_EINVAL);
    sv.version = 1;
    CHECK_EQ(grant_op_set_version(&tables[0], &sv), 0);
}

static void test_setup_query_growth(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 3 };
    struct gnttab_query_size qs = { .dom = DOMID_SELF };
    uint64_t frames[GRANT_MAX_FRAMES_LIMIT];
    unsigned before;

    world(4, 8);
    grant_op_query_size(&tables[1], &qs);
    CHECK_EQ(qs.status, GNTST_okay);
    CHECK_EQ(qs.nr_frames, 1);
    CHECK_EQ(qs.max_nr_frames, 4);
    grant_op_setup_table(&tables[1], &st, frames);
    CHECK_EQ(st.status, GNTST_okay);
    CHECK_EQ(tables[1].nr_frames, 3);
    CHECK(pg[frames[2]].xenheap && pg[frames[2]].owner == 1);
    st.nr_frames = 5;
    grant_op_setup_table(&tables[1], &st, frames);
    CHECK_EQ(st.status, GNTST_general_error);
    st.nr_frames = 1;
    st.dom = 0;                             /* another domain: privileged callers only */
    grant_op_setup_table(&tables[1], &st, frames);
    CHECK_EQ(st.status, GNTST_permission_denied);
    grant_op_setup_table(&tables[0], &(struct gnttab_setup_table){ .dom = 1, .nr_frames = 1 }, frames);
    st.dom = 9;
    grant_op_setup_table(&tables[0], &st, frames);
    CHECK_EQ(st.status, GNTST_bad_domain);
    /* Running out of memory while growing leaves the table as it was. */
    before = hv_in_use;
    fail_alloc_after = 1;
    st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 4 };
    grant_op_setup_table(&tables[1], &st, frames);
    CHECK_EQ(st.status, GNTST_general_error);
    CHECK_EQ(tables[1].nr_frames, 3);
    CHECK_EQ(hv_in_use, before);
    fail_alloc_after = ~0u;
}

/* ---- the randomized run against a model ---- */

struct mapping { bool used; unsigned mapper, granter; uint32_t handle; grant_ref_t ref; uint32_t flags;
                 uint64_t mfn; int slot; };
#define MAXMAP 200
static struct mapping model[MAXMAP];
static unsigned pte_refs_extra[NFRAMES];    /* refs held by page-table slots not matching a mapping */

static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(unsigned n) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (unsigned)(rng % n); }

static struct mapping *find_map(unsigned mapper, uint32_t handle)
{
    for (unsigned i = 0; i < MAXMAP; i++)
        if (model[i].used && model[i].mapper == mapper && model[i].handle == handle)
            return &model[i];
    return 0;
}

/* Everything the core keeps must follow from the model's mappings. */
static void check_model(unsigned step)
{
    static unsigned count[NFRAMES], wcount[NFRAMES];
    bool bad = false;

    for (unsigned m = DOM_FIRST; m < NFRAMES; m++)
        count[m] = pg[m].owner >= 0 && pg[m].owner < NDOM ? 1 : 0, wcount[m] = 0;
    for (unsigned d = 0; d < NDOM; d++)
        for (unsigned s = 0; s < SLOTS; s++)
            if (ptes[d][s].present && ptes[d][s].mfn >= DOM_FIRST) {
                count[ptes[d][s].mfn]++;
                wcount[ptes[d][s].mfn] += ptes[d][s].rw;
            }
    for (unsigned g = 0; g < NDOM; g++) {
        if (!tables[g].index)
            continue;
        unsigned pinned = 0;
        for (grant_ref_t r = 0; r < grant_nr_entries(&tables[g]); r++) {
            uint32_t pin = 0;
            unsigned user = 0;
            for (unsigned i = 0; i < MAXMAP; i++) {
                struct mapping *mp = &model[i];
                if (!mp->used || mp->granter != g || mp->ref != r)
                    continue;
                bool ro = mp->flags & GNTMAP_readonly;
                if (mp->flags & GNTMAP_host_map)
                    pin += ro ? GRANT_PIN_HR : GRANT_PIN_HW;
                if (mp->flags & GNTMAP_device_map) {
                    pin += ro ? GRANT_PIN_DR : GRANT_PIN_DW;
                    count[mp->mfn]++;
                    wcount[mp->mfn] += !ro;
                }
                user = mp->mapper;
            }
            struct grant_active *act = grant_active_entry(&tables[g], r);
            uint16_t fl = entry(g, r)->flags;
            if (act->pin != pin || (pin && act->domid != user) ||
                !!(fl & GTF_reading) != !!pin || !!(fl & GTF_writing) != !!(pin & GRANT_PIN_WRITERS)) {
                test_fail(__FILE__, __LINE__, "step %u: d%u ref %u pin %#x (model %#x) flags %#x", step, g, r,
                          act->pin, pin, fl);
                bad = true;
            }
            pinned += pin != 0;
        }
        if (tables[g].pinned != pinned) {
            test_fail(__FILE__, __LINE__, "step %u: d%u pinned %u, model %u", step, g, tables[g].pinned, pinned);
            bad = true;
        }
    }
    for (unsigned m = DOM_FIRST; m < NFRAMES && !bad; m++)
        if (pg[m].count != count[m] || pg[m].wcount != wcount[m]) {
            test_fail(__FILE__, __LINE__, "step %u: frame %u count %u/%u, model %u/%u", step, m, pg[m].count,
                      pg[m].wcount, count[m], wcount[m]);
            bad = true;
        }
}

static void test_random_against_model(void)
{
    unsigned ok_maps = 0, ok_unmaps = 0, ok_copies = 0, deaths = 0;

    world(2, 2);
    memset(model, 0, sizeof(model));
    memset(pte_refs_extra, 0, sizeof(pte_refs_extra));
    for (unsigned step = 0; step < 60000; step++) {
        unsigned op = rnd(100);
        cur = rnd(NDOM);
        if (!alive[cur]) {
            /* A dead domain comes back with a fresh table (its grants were all released). */
            if (!tables[cur].pinned) {
                grant_table_free(&tables[cur]);
                uint64_t ix = (uint64_t)((uint8_t (*)[4096])indexes[cur] - mem);
                memset(indexes[cur], 0, 4096);
                CHECK_EQ(grant_table_init(&tables[cur], (domid_t)cur, ix, indexes[cur], 2, 2), 0);
                for (unsigned i = 0; i < 64; i++)
                    if (pg[dom_frame(cur, i)].count == 0)
                        pg[dom_frame(cur, i)] = (struct fpage){ .owner = (int)cur, .count = 1 };
                alive[cur] = true;
            }
            continue;
        }
        if (op < 20) {                                  /* the guest (re)writes one of its entries */
            grant_ref_t r = rnd(24);
            unsigned to = rnd(NDOM + 1);
            if (grant_active_entry(&tables[cur], r)->pin)
                continue;                               /* a well-behaved guest waits for the unmap */
            struct grant_entry_v1 *e = entry(cur, r);
            e->domid = (domid_t)to;
            e->frame = (uint32_t)(rnd(8) ? dom_frame(cur, rnd(64)) : dom_frame(rnd(NDOM), rnd(64)));
            e->flags = (uint16_t)(rnd(6) ? GTF_permit_access | (rnd(3) ? 0 : GTF_readonly) : GTF_invalid);
        } else if (op < 50) {                           /* map */
            static const uint32_t kinds[] = { GNTMAP_host_map, GNTMAP_device_map,
                                              GNTMAP_host_map | GNTMAP_device_map, 0 };
            uint32_t flags = kinds[rnd(4)] | (rnd(2) ? GNTMAP_readonly : 0), h;
            unsigned g = rnd(NDOM);
            grant_ref_t r = rnd(30);
            int slot = rnd(SLOTS + 2) - 1;
            int rc = map(g, r, flags, slot >= 0 ? SLOT_VA(slot) : 0x10, &h);
            if (rc == GNTST_okay) {
                struct mapping *mp = 0;
                for (unsigned i = 0; i < MAXMAP && !mp; i++)
                    if (!model[i].used)
                        mp = &model[i];
                if (!mp) {
                    test_fail(__FILE__, __LINE__, "model full");
                    return;
                }
                /* Whatever the slot held before was dropped with it. */
                for (unsigned i = 0; i < MAXMAP; i++)
                    if (model[i].used && model[i].mapper == cur && model[i].slot == slot &&
                        (flags & GNTMAP_host_map))
                        model[i].slot = -2;             /* its entry was overwritten */
                *mp = (struct mapping){ .used = true, .mapper = cur, .granter = g, .handle = h, .ref = r,
                                        .flags = flags, .mfn = grant_active_entry(&tables[g], r)->mfn,
                                        .slot = (flags & GNTMAP_host_map) ? slot : -1 };
                CHECK(!(flags & GNTMAP_host_map) || slot >= 0);
                ok_maps++;
            }
        } else if (op < 75) {                           /* unmap (of anything) */
            struct mapping *mp = &model[rnd(MAXMAP)];
            for (unsigned tries = 0; tries < 8 && !(mp->used && mp->mapper == cur); tries++)
                mp = &model[rnd(MAXMAP)];
            uint32_t h = mp->used && mp->mapper == cur ? mp->handle : rnd(300);
            struct mapping *real = find_map(cur, h);
            uint64_t addr = real && real->slot >= 0 && rnd(8) ? SLOT_VA(real->slot) : (rnd(2) ? SLOT_VA(rnd(SLOTS)) : 0);
            uint64_t dev = real && rnd(4) ? real->mfn << 12 : 0;
            int rc = unmap(h, addr, dev, 0);
            if (!real) {
                CHECK_EQ(rc, GNTST_bad_handle);
            } else if (rc == GNTST_okay) {
                if ((real->flags & GNTMAP_host_map) && addr) {
                    /* Only the mapping's own entry can have been taken. */
                    CHECK(real->slot >= 0 && addr == SLOT_VA(real->slot));
                    real->flags &= ~(uint32_t)GNTMAP_host_map;
                    real->slot = -1;
                }
                if ((real->flags & GNTMAP_device_map) && dev)
                    real->flags &= ~(uint32_t)GNTMAP_device_map;
                if (!(real->flags & (GNTMAP_host_map | GNTMAP_device_map)))
                    real->used = false;
                ok_unmaps++;
            }
        } else if (op < 83) {                           /* the guest overwrites a page-table slot */
            int slot = rnd(SLOTS);
            struct pte *p = &ptes[cur][slot];
            pte_put(p);
            for (unsigned i = 0; i < MAXMAP; i++)
                if (model[i].used && model[i].mapper == cur && model[i].slot == slot)
                    model[i].slot = -2;
        } else if (op < 93) {                           /* copy */
            struct gnttab_copy c = { .len = (uint16_t)rnd(5000) };
            unsigned sg = rnd(NDOM), dg = rnd(NDOM);
            c.flags = (uint16_t)rnd(4);
            c.source.domid = (c.flags & GNTCOPY_source_gref) ? (domid_t)sg : DOMID_SELF;
            c.dest.domid = (c.flags & GNTCOPY_dest_gref) ? (domid_t)dg : DOMID_SELF;
            if (c.flags & GNTCOPY_source_gref) c.source.u.ref = rnd(30); else c.source.u.gmfn = dom_frame(cur, rnd(64));
            if (c.flags & GNTCOPY_dest_gref) c.dest.u.ref = rnd(30); else c.dest.u.gmfn = dom_frame(cur, rnd(64));
            c.source.offset = (uint16_t)rnd(4096);
            c.dest.offset = (uint16_t)rnd(4096);
            if (grant_op_copy(&tables[cur], &c) == GNTST_okay)
                ok_copies++;
        } else if (op < 97) {                           /* swap */
            (void)grant_op_swap(&tables[cur], rnd(30), rnd(30));
        } else {                                        /* the mapper dies */
            if (rnd(24))
                continue;
            grant_release_begin(&tables[cur]);
            while (!grant_release_some(&tables[cur], 7))
                ;
            for (unsigned s = 0; s < SLOTS; s++)    /* its page tables go: the entries' references */
                pte_put(&ptes[cur][s]);
            for (unsigned i = 0; i < MAXMAP; i++)
                if (model[i].used && model[i].mapper == cur)
                    model[i].used = false;
            alive[cur] = false;
            deaths++;
            /* Its handles are all free now; its table stays while others use its grants. */
            for (uint32_t h = 0; h < tables[cur].maptrack_limit; h++)
                CHECK(!(grant_maptrack_entry(&tables[cur], h)->flags & (GNTMAP_host_map | GNTMAP_device_map)));
        }
        check_model(step);
        if (test_cur_failed)
            return;
    }
    /* The run did real work. */
    printf("# random: %u maps, %u unmaps, %u copies, %u deaths\n", ok_maps, ok_unmaps, ok_copies, deaths);
    CHECK(ok_maps > 500);
    CHECK(ok_unmaps > 500);
    CHECK(ok_copies > 100);
    CHECK(deaths > 10);
}

int main(void)
{
    RUN_TEST(test_map_unmap_host);
    RUN_TEST(test_map_refusals);
    RUN_TEST(test_pins_and_flags);
    RUN_TEST(test_maptrack_order_and_limit);
    RUN_TEST(test_contains_pte_and_replace);
    RUN_TEST(test_copy);
    RUN_TEST(test_swap_transfer_flush_version);
    RUN_TEST(test_setup_query_growth);
    RUN_TEST(test_random_against_model);
    return test_main_result();
}
