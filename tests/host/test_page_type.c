/* Tests for hv/mm/page_type.c and hv/mm/page_type_validate.c, on a fake
 * machine: a few hundred frames of memory, a frame table, two domains, the
 * hypervisor's own frames and free frames. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "errno.h"
#include "test.h"

/* ---- the fake machine ---- */

#define NFRAMES   384
#define XEN_LO    0         /* [0, 16): the hypervisor's frames */
#define D1        1
#define D1_LO     16        /* [16, 256): domain 1 */
#define D1_HI     256
#define D2        2
#define D2_LO     256       /* [256, 320): domain 2 */
#define D2_HI     320
#define FREE_LO   320       /* [320, 384): free */
#define HEAP_MFN  20        /* domain 1's shared_info (PGF_XEN_HEAP) */

#define PTE_PAT   (1ull << 7)
#define PTE_BAD_HIGH (0x7FFull << 52)
#define HVE(slot) ((((uint64_t)0x1000 + (slot)) << 12) | PTE_P | PTE_RW | PTE_A)

struct page_info *frame_table;
uint64_t frame_table_frames;

static struct page_info ft[NFRAMES];
static uint64_t mem[NFRAMES][PT_ENTRIES];
static unsigned nr_flush, nr_released;
static uint64_t last_released;
static bool env_error;                 /* a fake was called with something impossible */
static bool stale_rw[NFRAMES];         /* may still have a writable TLB entry */
static uint8_t stale_pt[NFRAMES];      /* type of the table cached walks may still use */

static bool touched[NFRAMES];         /* reached through frame_map since the last step */

uint64_t *frame_map(uint64_t mfn)
{
    if (mfn >= NFRAMES) {
        env_error = true;
        return mem[0];
    }
    touched[mfn] = true;
    return mem[mfn];
}

uint64_t mm_hv_l4_entry(unsigned slot)
{
    if (slot < 256 || slot > 271)
        env_error = true;
    return HVE(slot);
}

void mm_page_released(uint64_t mfn)
{
    if (mfn >= NFRAMES || ft[mfn].count || ft[mfn].type_count ||
        (ft[mfn].flags & (PGF_ALLOCATED | PGF_PINNED)) || ft[mfn].owner >= 0x7FF0) {
        env_error = true;
        return;
    }
    nr_released++;
    last_released = mfn;
    ft[mfn] = (struct page_info){ .owner = OWNER_NONE };
    stale_rw[mfn] = false;             /* the hypervisor flushes before reuse */
    stale_pt[mfn] = 0;
}

/* A model of what the TLB and the paging-structure caches may hold: frames
 * mapped writable and validated tables, from the moment they are so until
 * the next flush after they stop being so. */
static void mark_cached(void)
{
    for (unsigned m = 0; m < NFRAMES; m++) {
        if (ft[m].type == PGT_WRITABLE && ft[m].type_count > 0)
            stale_rw[m] = true;
        if (pgt_is_table(ft[m].type) && (ft[m].flags & PGF_VALIDATED))
            stale_pt[m] = ft[m].type;
    }
}

static unsigned nr_scrub;

static bool linear_on = true;          /* the pv-linear-pt option */

bool mm_linear_pt_enabled(void)
{
    return linear_on;
}

void mm_scrub_frame(uint64_t mfn)
{
    nr_scrub++;
    memset(frame_map(mfn), 0, sizeof(mem[0]));
}

/* Release lists, one per domain id (the fake domains are small numbers). */
static uint32_t release_heads[8];

uint32_t *mm_release_list(domid_t d)
{
    if (d >= 8) {
        env_error = true;
        return &release_heads[7];
    }
    return &release_heads[d];
}

void mm_tlb_flush(void)
{
    nr_flush++;
    memset(stale_rw, 0, sizeof(stale_rw));
    memset(stale_pt, 0, sizeof(stale_pt));
    mark_cached();
}

static void reset_machine(void)
{
    memset(mem, 0, sizeof(mem));
    memset(stale_rw, 0, sizeof(stale_rw));
    memset(stale_pt, 0, sizeof(stale_pt));
    memset(touched, 0, sizeof(touched));
    frame_table = ft;
    frame_table_frames = NFRAMES;
    for (unsigned m = 0; m < NFRAMES; m++) {
        if (m < D1_LO)
            ft[m] = (struct page_info){ .owner = OWNER_XEN };
        else if (m < D1_HI)
            ft[m] = (struct page_info){ .owner = D1, .count = 1, .flags = PGF_ALLOCATED };
        else if (m < D2_HI)
            ft[m] = (struct page_info){ .owner = D2, .count = 1, .flags = PGF_ALLOCATED };
        else
            ft[m] = (struct page_info){ .owner = OWNER_NONE };
    }
    ft[HEAP_MFN].flags |= PGF_XEN_HEAP;
    memset(release_heads, 0, sizeof(release_heads));
    pt_work = 0;
    pt_work_limit = UINT32_MAX;
    nr_flush = nr_released = 0;
    last_released = 0;
    env_error = false;
    linear_on = true;
}

static uint64_t pte(uint64_t mfn, uint64_t flags) { return (mfn << PAGE_SHIFT) | flags; }

#define TBL  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)   /* what Linux writes in L2..L4 */
#define RW   (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define RO   (PTE_P | PTE_US | PTE_A)

/* ---- independent consistency check: recompute every count ---- */

static uint32_t exp_count[NFRAMES], exp_tc[NFRAMES];
static uint32_t exp_holds[NFRAMES], exp_named[NFRAMES];   /* linear entries held / naming the frame */
static unsigned long linear_seen, self_seen;                 /* held linear entries and self-maps checked */
static char check_why[200];

/* The references between frames, as edges from a table to what an entry of
 * it names: acyclic whatever the guest did (Kahn's algorithm). */
#define MAX_EDGES (NFRAMES * PT_ENTRIES)
static uint16_t edge_from[MAX_EDGES], edge_to[MAX_EDGES];
static unsigned nr_edges;

static bool acyclic(void)
{
    static uint32_t indeg[NFRAMES], first[NFRAMES + 1], order[MAX_EDGES];
    static uint16_t queue[NFRAMES];
    unsigned head = 0, tail = 0, seen = 0;

    memset(indeg, 0, sizeof(indeg));
    memset(first, 0, sizeof(first));
    for (unsigned i = 0; i < nr_edges; i++) {
        indeg[edge_to[i]]++;
        first[edge_from[i] + 1]++;
    }
    for (unsigned m = 0; m < NFRAMES; m++)
        first[m + 1] += first[m];
    {
        static uint32_t fill[NFRAMES];
        memcpy(fill, first, sizeof(fill));
        for (unsigned i = 0; i < nr_edges; i++)
            order[fill[edge_from[i]]++] = i;
    }
    for (unsigned m = 0; m < NFRAMES; m++)
        if (indeg[m] == 0)
            queue[tail++] = (uint16_t)m;
    while (head < tail) {
        unsigned m = queue[head++];
        seen++;
        for (uint32_t k = first[m]; k < first[m + 1]; k++) {
            unsigned t = edge_to[order[k]];
            if (--indeg[t] == 0)
                queue[tail++] = (uint16_t)t;
        }
    }
    return seen == NFRAMES;
}

static bool bits_ok(uint64_t e, unsigned level)
{
    uint64_t bad = PTE_BAD_HIGH | (level > 1 ? (PTE_PS | PTE_G) : 0);
    return !(e & bad);
}

/* true when the frame table agrees with what the validated tables and pins
 * say; check_why tells the first disagreement. */
static bool consistent(void)
{
    memset(exp_count, 0, sizeof(exp_count));
    memset(exp_tc, 0, sizeof(exp_tc));
    memset(exp_holds, 0, sizeof(exp_holds));
    memset(exp_named, 0, sizeof(exp_named));
    nr_edges = 0;
    for (unsigned m = 0; m < NFRAMES; m++) {
        const struct page_info *pg = &ft[m];
        if (pg->flags & PGF_ALLOCATED)
            exp_count[m]++;
        if (pg->flags & PGF_PINNED) {
            exp_count[m]++;
            exp_tc[m]++;
            if (!pgt_is_table(pg->type)) {
                snprintf(check_why, sizeof(check_why), "mfn %u pinned with type %u", m, pg->type);
                return false;
            }
        }
        if (pg->flags & (PGF_PARTIAL | PGF_RELEASING)) {
            bool partial = pg->flags & PGF_PARTIAL;
            if (!pgt_is_table(pg->type) || (pg->flags & PGF_VALIDATED) ||
                (partial && (pg->flags & PGF_RELEASING)) || pg->type_count != (partial ? 1u : 0u) ||
                pg->nr_held > PT_ENTRIES) {
                snprintf(check_why, sizeof(check_why), "mfn %u bad in-between state: type %u flags %#x tc %u held %u",
                         m, pg->type, pg->flags, pg->type_count, pg->nr_held);
                return false;
            }
            exp_count[m]++;                /* its own reference */
            if (partial)
                exp_tc[m]++;
        } else if (pgt_is_table(pg->type) && pg->type_count == 0) {
            snprintf(check_why, sizeof(check_why), "mfn %u table type %u with type_count 0", m, pg->type);
            return false;
        } else if (pgt_is_table(pg->type) && !(pg->flags & PGF_VALIDATED)) {
            snprintf(check_why, sizeof(check_why), "mfn %u type %u in use but not validated", m, pg->type);
            return false;
        }
        if (!pgt_is_table(pg->type) && (pg->flags & PGF_VALIDATED)) {
            snprintf(check_why, sizeof(check_why), "mfn %u validated with type %u", m, pg->type);
            return false;
        }
        if ((pgt_is_table(pg->type) || pg->type == PGT_SEG_DESC) && stale_rw[m]) {
            snprintf(check_why, sizeof(check_why), "mfn %u is a table with a stale writable TLB entry", m);
            return false;
        }
        if (stale_pt[m] && pg->type_count > 0 && pg->type != stale_pt[m]) {
            snprintf(check_why, sizeof(check_why), "mfn %u was an unflushed table of type %u, now type %u", m,
                     stale_pt[m], pg->type);
            return false;
        }
    }
    /* Every releasing frame on its owner's list once, and nothing else there. */
    for (unsigned d = 0; d < 8; d++) {
        unsigned n = 0;
        for (uint32_t at = release_heads[d]; at; at = ft[at - 1].next) {
            if (at > NFRAMES || !(ft[at - 1].flags & PGF_RELEASING) || ft[at - 1].owner != d ||
                ++n > NFRAMES) {
                snprintf(check_why, sizeof(check_why), "release list of d%u holds %u", d, at);
                return false;
            }
        }
        for (unsigned m = 0; m < NFRAMES; m++)
            if ((ft[m].flags & PGF_RELEASING) && ft[m].owner == d)
                n--;
        if (n != 0) {
            snprintf(check_why, sizeof(check_why), "release list of d%u misses a releasing frame", d);
            return false;
        }
    }
    for (unsigned m = 0; m < NFRAMES; m++) {
        const struct page_info *pg = &ft[m];
        unsigned level, held = PT_ENTRIES;
        bool validated = pg->flags & PGF_VALIDATED;
        if (!pgt_is_table(pg->type))
            continue;
        level = pgt_level(pg->type);
        if (pg->flags & (PGF_PARTIAL | PGF_RELEASING))
            held = pg->nr_held;
        else if (!validated)
            held = 0;
        for (unsigned s = 0; s < held; s++) {
            uint64_t e = mem[m][s], t;
            if (level == 4 && s >= 256 && s <= 271) {
                if (!validated)
                    continue;
                if (e != HVE(s)) {
                    snprintf(check_why, sizeof(check_why), "L4 %u slot %u is %#llx", m, s, (unsigned long long)e);
                    return false;
                }
                continue;
            }
            if (!(e & PTE_P))
                continue;
            t = (e & PTE_ADDR_MASK) >> 12;
            if (!bits_ok(e, level) || (validated && !(e & PTE_US)) || t >= NFRAMES || ft[t].owner != pg->owner) {
                snprintf(check_why, sizeof(check_why), "L%u %u slot %u bad entry %#llx", level, m, s,
                         (unsigned long long)e);
                return false;
            }
            if (level > 1 && t == m) {
                /* A self-map: read-only, holding nothing. */
                if ((e & PTE_RW) || !linear_on) {
                    snprintf(check_why, sizeof(check_why), "L%u %u slot %u: self-map %#llx", level, m, s,
                             (unsigned long long)e);
                    return false;
                }
                self_seen++;
                continue;
            }
            exp_count[t]++;
            if (level > 1)
                edge_from[nr_edges] = (uint16_t)m, edge_to[nr_edges++] = (uint16_t)t;
            if (level > 1 && ft[t].type == pg->type) {
                /* A linear entry: read-only, naming a validated table of the same level. */
                exp_tc[t]++;
                exp_holds[m]++;
                exp_named[t]++;
                linear_seen++;
                if ((e & PTE_RW) || !linear_on || !(ft[t].flags & PGF_VALIDATED)) {
                    snprintf(check_why, sizeof(check_why), "L%u %u slot %u: bad linear entry %#llx", level, m,
                             s, (unsigned long long)e);
                    return false;
                }
                continue;
            }
            if (level > 1 || (e & PTE_RW)) {
                unsigned want = level > 1 ? (unsigned)pgt_of_level(level - 1) : PGT_WRITABLE;
                exp_tc[t]++;
                if (ft[t].type != want || (level > 1 && !(ft[t].flags & PGF_VALIDATED))) {
                    snprintf(check_why, sizeof(check_why), "L%u %u slot %u names mfn %llu of type %u, not %u",
                             level, m, s, (unsigned long long)t, ft[t].type, want);
                    return false;
                }
            }
        }
    }
    for (unsigned m = 0; m < NFRAMES; m++) {
        if ((exp_holds[m] && exp_named[m]) || ft[m].linear != (int)exp_holds[m] - (int)exp_named[m]) {
            snprintf(check_why, sizeof(check_why), "mfn %u linear %d: holds %u linear entries, named by %u", m,
                     ft[m].linear, exp_holds[m], exp_named[m]);
            return false;
        }
        if (ft[m].count != exp_count[m] || ft[m].type_count != exp_tc[m]) {
            snprintf(check_why, sizeof(check_why), "mfn %u count %u type_count %u, expected %u %u", m,
                     ft[m].count, ft[m].type_count, exp_count[m], exp_tc[m]);
            return false;
        }
    }
    if (env_error) {
        snprintf(check_why, sizeof(check_why), "environment called with an impossible argument");
        return false;
    }
    if (!acyclic()) {
        snprintf(check_why, sizeof(check_why), "a cycle of references among the tables");
        return false;
    }
    return true;
}

#define CHECK_CONSISTENT()                                                    \
    do {                                                                      \
        if (!consistent())                                                    \
            test_fail(__FILE__, __LINE__, "inconsistent: %s", check_why);     \
    } while (0)

/* Every frame of the domains back to its allocation reference, no types. */
static bool all_released(void)
{
    for (unsigned m = D1_LO; m < D2_HI; m++) {
        const struct page_info *pg = &ft[m];
        if (pg->owner == OWNER_NONE && pg->count == 0)
            continue;                  /* given up and released */
        if (pg->count != 1 || pg->type_count != 0 || pgt_is_table(pg->type) || pg->linear != 0 ||
            (pg->flags & (PGF_PINNED | PGF_VALIDATED)) || !(pg->flags & PGF_ALLOCATED)) {
            snprintf(check_why, sizeof(check_why), "mfn %u count %u type %u type_count %u flags %#x", m,
                     pg->count, pg->type, pg->type_count, pg->flags);
            return false;
        }
    }
    return true;
}

#define CHECK_ALL_RELEASED()                                                  \
    do {                                                                      \
        if (!all_released())                                                  \
            test_fail(__FILE__, __LINE__, "not released: %s", check_why);     \
    } while (0)

/* After a failed call the frame table must be as before, except that a frame
 * with no type users may have changed between NONE and WRITABLE and gained or
 * lost PGF_TLB_STALE (at type_count 0 these only say whether a flush is due
 * before the next type change; a validation that was rolled back, or a flush
 * made on the way, can leave either). */
static bool ft_same(const struct page_info *before)
{
    for (unsigned m = 0; m < NFRAMES; m++) {
        struct page_info a = before[m], b = ft[m];
        if (a.type_count == 0 && b.type_count == 0 &&
            (a.type == PGT_NONE || a.type == PGT_WRITABLE) && (b.type == PGT_NONE || b.type == PGT_WRITABLE)) {
            b.type = a.type;
            b.flags = (uint8_t)((b.flags & ~PGF_TLB_STALE) | (a.flags & PGF_TLB_STALE));
        }
        if (memcmp(&a, &b, sizeof(a)) != 0) {
            snprintf(check_why, sizeof(check_why), "failed call changed mfn %u", m);
            return false;
        }
    }
    return true;
}

/* A simple tree: L4 a -> L3 b -> L2 c -> L1 d, which maps data frames
 * x (RW) and y (RO) and itself (RO). */
struct tree { uint64_t l4, l3, l2, l1, x, y; };

static struct tree make_tree(uint64_t base)
{
    struct tree t = { base, base + 1, base + 2, base + 3, base + 4, base + 5 };

    mem[t.l4][0] = pte(t.l3, TBL);
    mem[t.l3][1] = pte(t.l2, TBL);
    mem[t.l2][2] = pte(t.l1, TBL);
    mem[t.l1][3] = pte(t.x, RW);
    mem[t.l1][4] = pte(t.y, RO);
    mem[t.l1][5] = pte(t.l1, RO);
    return t;
}

/* ---- calls that run to the end ----
 * Most tests want each call complete, releases included (the hypervisor
 * finishes them before the hypercall returns): these wrappers run the
 * release lists after every call that may start one. The preemption tests
 * further down call the real functions with a work limit. */

static void drain(void)
{
    for (unsigned d = 0; d < 8; d++)
        if (pt_release_run((domid_t)d) != 0)
            env_error = true;          /* no work limit here */
}

static int t_pt_pin(uint64_t m, domid_t d, enum page_type t) { int rc = pt_pin(m, d, t); drain(); return rc; }
static int t_pt_unpin(uint64_t m, domid_t d) { int rc = pt_unpin(m, d); drain(); return rc; }
static int t_page_get_type(uint64_t m, domid_t d, enum page_type t)
{
    int rc = page_get_type(m, d, t);
    drain();
    return rc;
}
static void t_page_put_type(uint64_t m) { page_put_type(m); drain(); }
static int t_pt_mod_entry(uint64_t t, unsigned s, uint64_t v, domid_t d, bool ad)
{
    int rc = pt_mod_entry(t, s, v, d, ad);
    drain();
    return rc;
}
/* Function-like, so that (pt_pin)(...) still names the real function. */
#define pt_pin(m, d, t) t_pt_pin(m, d, t)
#define pt_unpin(m, d) t_pt_unpin(m, d)
#define page_get_type(m, d, t) t_page_get_type(m, d, t)
#define page_put_type(m) t_page_put_type(m)
#define pt_mod_entry(t, s, v, d, ad) t_pt_mod_entry(t, s, v, d, ad)

/* ---- directed tests ---- */

static void test_get_put(void)
{
    reset_machine();
    CHECK_EQ(page_get(D1_LO, D1), 0);
    CHECK_EQ(ft[D1_LO].count, 2);
    page_put(D1_LO);
    CHECK_EQ(ft[D1_LO].count, 1);
    CHECK_EQ(page_get(D2_LO, D1), -XEN_EINVAL);          /* another domain's */
    CHECK_EQ(page_get(3, D1), -XEN_EINVAL);              /* the hypervisor's */
    CHECK_EQ(page_get(3, OWNER_XEN), -XEN_EINVAL);
    CHECK_EQ(page_get(FREE_LO, D1), -XEN_EINVAL);        /* free */
    CHECK_EQ(page_get(FREE_LO, OWNER_NONE), -XEN_EINVAL);
    CHECK_EQ(page_get(NFRAMES, D1), -XEN_EINVAL);        /* beyond the frame table */
    CHECK_EQ(page_get(~0ull, D1), -XEN_EINVAL);
    /* Given up but still held: it can still be named (it counts against its
     * owner until the last reference goes, as in Xen). */
    ft[D1_LO + 1].flags &= (uint8_t)~PGF_ALLOCATED;
    CHECK_EQ(page_get(D1_LO + 1, D1), 0);
    page_put(D1_LO + 1);
    ft[D1_LO + 1].flags |= PGF_ALLOCATED;
    ft[D1_LO + 2].count = UINT32_MAX;
    CHECK_EQ(page_get(D1_LO + 2, D1), -XEN_EOVERFLOW);
    CHECK_EQ(ft[D1_LO + 2].count, UINT32_MAX);
    ft[D1_LO + 3].type = PGT_WRITABLE;
    ft[D1_LO + 3].type_count = UINT32_MAX;
    CHECK_EQ(page_get_type(D1_LO + 3, D1, PGT_WRITABLE), -XEN_EOVERFLOW);
    CHECK_EQ(ft[D1_LO + 3].type_count, UINT32_MAX);
    CHECK(!env_error);
}

static void test_adjust(void)
{
    CHECK_EQ(pt_adjust_pte(pte(5, PTE_P), 1), pte(5, PTE_P | PTE_US));
    CHECK_EQ(pt_adjust_pte(pte(5, PTE_P | PTE_US), 3), pte(5, PTE_P | PTE_US));
    CHECK_EQ(pt_adjust_pte(0x123456789abcdef0ull, 4), 0x123456789abcdef0ull);   /* not present */
    /* No global guest mappings: the hypervisor's flushes keep global entries. */
    CHECK_EQ(pt_adjust_pte(pte(5, PTE_P | PTE_RW | PTE_G), 1), pte(5, PTE_P | PTE_RW | PTE_US));
    /* And through validation and single-entry writes. */
    reset_machine();
    mem[170][7] = pte(171, RO | PTE_G);
    CHECK_EQ(pt_pin(170, D1, PGT_L1), 0);
    CHECK_EQ(mem[170][7], pte(171, RO));
    CHECK_EQ(pt_mod_entry(170, 8, pte(172, RW | PTE_G), D1, false), 0);
    CHECK_EQ(mem[170][8], pte(172, RW));
    CHECK_EQ(pt_unpin(170, D1), 0);
    CHECK_ALL_RELEASED();
}

static void test_pin_l1(void)
{
    reset_machine();
    uint64_t l1 = 40, x = 41, y = 42;
    mem[l1][0] = pte(x, PTE_P | PTE_RW);                 /* no user bit */
    mem[l1][1] = pte(y, PTE_P | PTE_NX | PTE_G | PTE_PAT | PTE_PWT | PTE_PCD | PTE_A | PTE_D | (7ull << 9));
    mem[l1][2] = 0x7ff0000000000ffeull;                  /* not present: anything */
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(ft[l1].type, PGT_L1);
    CHECK_EQ(ft[l1].type_count, 1);
    CHECK_EQ(ft[l1].count, 2);
    CHECK(ft[l1].flags & PGF_PINNED);
    CHECK(ft[l1].flags & PGF_VALIDATED);
    CHECK_EQ(ft[x].count, 2);
    CHECK_EQ(ft[x].type, PGT_WRITABLE);
    CHECK_EQ(ft[x].type_count, 1);
    CHECK_EQ(ft[y].count, 2);
    CHECK_EQ(ft[y].type_count, 0);
    CHECK_EQ(mem[l1][0], pte(x, PTE_P | PTE_RW | PTE_US));
    CHECK(mem[l1][1] & PTE_US);
    CHECK_EQ(mem[l1][2], 0x7ff0000000000ffeull);
    CHECK_CONSISTENT();

    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(ft[l1].type, PGT_NONE);
    CHECK_EQ(ft[l1].type_count, 0);
    CHECK(!(ft[l1].flags & (PGF_PINNED | PGF_VALIDATED)));
    CHECK_EQ(ft[x].type_count, 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_pin_tree(void)
{
    reset_machine();
    struct tree t = make_tree(50);
    for (unsigned s = 256; s <= 271; s++)
        mem[t.l4][s] = pte(t.l3, TBL);                   /* guest junk in the hypervisor's slots */
    mem[t.l4][300] = pte(60, TBL);                       /* a second L3 -> L2 -> L1 */
    mem[60][0] = pte(61, PTE_P);
    mem[61][511] = pte(62, PTE_P);
    mem[62][7] = pte(t.x, PTE_P | PTE_RW);               /* x mapped RW twice */

    CHECK_EQ(pt_pin(t.l4, D1, PGT_L4), 0);
    for (unsigned s = 256; s <= 271; s++)
        CHECK_EQ(mem[t.l4][s], HVE(s));
    CHECK_EQ(ft[t.l3].type, PGT_L3);
    CHECK_EQ(ft[t.l2].type, PGT_L2);
    CHECK_EQ(ft[t.l1].type, PGT_L1);
    CHECK_EQ(ft[t.l1].count, 3);                         /* allocation, L2 entry, own RO mapping */
    CHECK_EQ(ft[t.x].type_count, 2);
    CHECK_EQ(ft[t.x].count, 3);
    CHECK_EQ(mem[60][0], pte(61, PTE_P | PTE_US));
    CHECK_CONSISTENT();

    /* Pinning a lower table too: one more reference each. */
    CHECK_EQ(pt_pin(t.l2, D1, PGT_L2), 0);
    CHECK_EQ(ft[t.l2].type_count, 2);
    CHECK_EQ(pt_unpin(t.l4, D1), 0);
    CHECK_EQ(ft[t.l4].type, PGT_NONE);
    CHECK_EQ(ft[t.l3].type, PGT_NONE);
    CHECK_EQ(ft[t.l2].type, PGT_L2);                     /* still pinned */
    CHECK_EQ(ft[t.l1].type, PGT_L1);
    CHECK_EQ(ft[60].type, PGT_NONE);
    CHECK_EQ(ft[62].type, PGT_NONE);
    CHECK_EQ(ft[t.x].type_count, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(t.l2, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

/* Both references as one: nothing is kept when the type is refused. */
static void test_get_typed(void)
{
    reset_machine();
    struct tree t = make_tree(50);
    uint64_t data = t.x;                                 /* mapped writable by the L1 */

    CHECK_EQ(pt_pin(t.l1, D1, PGT_L1), 0);
    uint32_t l1_count = ft[t.l1].count, count = ft[data].count;
    CHECK_EQ(page_get_typed(t.l1, D1, PGT_WRITABLE), -XEN_EINVAL);  /* a pinned table */
    CHECK_EQ(ft[t.l1].count, l1_count);
    CHECK_EQ(page_get_typed(t.l1, D2, PGT_WRITABLE), -XEN_EINVAL);  /* not its frame */
    CHECK_EQ(page_get_typed(data, D1, PGT_WRITABLE), 0);
    CHECK_EQ(ft[data].count, count + 1);
    page_put_typed(data);
    page_put_typed(0);                                              /* nothing */
    CHECK_EQ(ft[data].count, count);
    CHECK_EQ(pt_unpin(t.l1, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_pin_errors(void)
{
    reset_machine();
    struct tree t = make_tree(50);
    CHECK_EQ(pt_pin(t.l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_pin(t.l1, D1, PGT_L1), -XEN_EINVAL);     /* already pinned */
    CHECK_EQ(pt_pin(t.l1, D1, PGT_L2), -XEN_EINVAL);
    CHECK_EQ(ft[t.l1].count, 3);
    CHECK_EQ(ft[t.l1].type_count, 1);
    CHECK_EQ(pt_unpin(t.l1, D2), -XEN_EINVAL);           /* not its frame */
    CHECK_EQ(pt_unpin(t.l2, D1), -XEN_EINVAL);           /* not pinned */
    CHECK_EQ(pt_unpin(NFRAMES + 5, D1), -XEN_EINVAL);
    CHECK_EQ(pt_pin(t.l2, D1, PGT_WRITABLE), -XEN_EINVAL);
    CHECK_EQ(pt_pin(t.l2, D1, PGT_NONE), -XEN_EINVAL);
    CHECK_EQ(pt_pin(t.l2, D1, PGT_SEG_DESC), -XEN_EINVAL);
    CHECK_EQ(pt_pin(t.l2, D2, PGT_L2), -XEN_EINVAL);     /* another domain's frame */
    CHECK_EQ(pt_pin(5, D1, PGT_L1), -XEN_EINVAL);        /* hypervisor frame */
    CHECK_EQ(pt_pin(FREE_LO, D1, PGT_L1), -XEN_EINVAL);  /* free frame */
    CHECK_EQ(pt_pin(NFRAMES, D1, PGT_L1), -XEN_EINVAL);
    CHECK_EQ(pt_pin(HEAP_MFN, D1, PGT_L1), -XEN_EINVAL); /* shared_info never becomes a table */
    CHECK_EQ(ft[HEAP_MFN].count, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(t.l1, D1), 0);
    CHECK_EQ(pt_unpin(t.l1, D1), -XEN_EINVAL);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_type_conflicts(void)
{
    reset_machine();
    uint64_t a = 70, b = 71, x = 72;
    mem[b][0] = pte(x, RW);
    CHECK_EQ(pt_pin(a, D1, PGT_L1), 0);
    CHECK_EQ(pt_pin(b, D1, PGT_L1), 0);
    /* A page table cannot be mapped writable, by itself or another table. */
    CHECK_EQ(pt_mod_entry(b, 1, pte(a, RW), D1, false), -XEN_EBUSY);
    CHECK_EQ(pt_mod_entry(a, 1, pte(a, RW), D1, false), -XEN_EBUSY);
    CHECK_EQ(pt_mod_entry(b, 1, pte(a, RO), D1, false), 0);   /* read-only is fine */
    CHECK_EQ(mem[b][1], pte(a, RO));
    /* A frame mapped writable cannot become a table. */
    CHECK_EQ(pt_pin(x, D1, PGT_L2), -XEN_EINVAL);
    CHECK_EQ(pt_pin(x, D1, PGT_L1), -XEN_EINVAL);
    CHECK_EQ(ft[x].count, 2);
    CHECK_EQ(ft[x].type, PGT_WRITABLE);
    /* Nor while being validated: a table mapping itself, or its parent, RW. */
    mem[74][0] = pte(74, RW);
    CHECK_EQ(pt_pin(74, D1, PGT_L1), -XEN_EBUSY);
    mem[74][0] = pte(75, RW);
    mem[75][0] = pte(74, TBL);
    CHECK_EQ(pt_pin(75, D1, PGT_L2), -XEN_EBUSY);          /* the L1's error comes up */
    CHECK_EQ(ft[74].type_count + ft[75].type_count, 0);
    CHECK_EQ(ft[74].count + ft[75].count, 2);
    /* Nor can a table of one level be used as another. */
    CHECK_EQ(pt_pin(a, D1, PGT_L2), -XEN_EINVAL);
    uint64_t l2 = 73;
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(a, TBL), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l2, 1, pte(l2, TBL), D1, false), -XEN_EINVAL);   /* L2 as its own L1 */
    CHECK_EQ(pt_mod_entry(b, 2, pte(l2, RW), D1, false), -XEN_EBUSY);      /* L2 writable */
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(a, D1), 0);
    CHECK_EQ(ft[a].type, PGT_L1);                        /* still named by the L2 */
    CHECK_EQ(pt_unpin(b, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_foreign_frames(void)
{
    reset_machine();
    uint64_t l1 = 80, l2 = 81;
    /* In an L1: a frame that cannot be referenced is -EBUSY, no RAM at all
     * -EPERM, the all-ones frame number -EINVAL (Xen 4.17's codes). */
    static const struct { uint64_t mfn; int l1_rc; } bad[] = {
        { D2_LO + 3, -XEN_EBUSY }, { 7, -XEN_EBUSY }, { FREE_LO + 1, -XEN_EBUSY },
        { NFRAMES, -XEN_EPERM }, { 0xFFFFFFFFFull, -XEN_EPERM }, { 0xFFFFFFFFFFull, -XEN_EINVAL },
    };
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ(pt_mod_entry(l1, 0, pte(bad[i].mfn, RW), D1, false), bad[i].l1_rc);
        CHECK_EQ(pt_mod_entry(l1, 0, pte(bad[i].mfn, RO), D1, false), bad[i].l1_rc);
        CHECK_EQ(pt_mod_entry(l2, 0, pte(bad[i].mfn, TBL), D1, false), -XEN_EINVAL);
        CHECK_EQ(mem[l1][0], 0);
        mem[90][0] = pte(bad[i].mfn, RO);
        CHECK_EQ(pt_pin(90, D1, PGT_L1), bad[i].l1_rc);
        CHECK_EQ(pt_pin(91, D1, PGT_L2), 0);
        CHECK_EQ(pt_mod_entry(91, 0, pte(90, TBL), D1, false), bad[i].l1_rc);   /* comes up */
        CHECK_EQ(pt_unpin(91, D1), 0);
    }
    /* A table of another domain cannot be changed, nor can d2 name d1's frames. */
    CHECK_EQ(pt_mod_entry(l1, 0, pte(82, RW), D2, false), -XEN_EINVAL);
    CHECK_EQ(pt_pin(D2_LO, D2, PGT_L1), 0);
    CHECK_EQ(pt_mod_entry(D2_LO, 0, pte(82, RO), D2, false), -XEN_EBUSY);
    CHECK_EQ(pt_mod_entry(D2_LO, 0, pte(D2_LO + 1, RW), D2, false), 0);
    /* shared_info can be mapped writable. */
    CHECK_EQ(pt_mod_entry(l1, 1, pte(HEAP_MFN, RW), D1, false), 0);
    CHECK_EQ(ft[HEAP_MFN].type, PGT_WRITABLE);
    /* ... but only write-back: -EACCES otherwise. */
    CHECK_EQ(pt_mod_entry(l1, 2, pte(HEAP_MFN, RW | PTE_PCD), D1, false), -XEN_EACCES);
    CHECK_EQ(pt_mod_entry(l1, 2, pte(HEAP_MFN, RO | PTE_PWT), D1, false), -XEN_EACCES);
    CHECK_EQ(pt_mod_entry(l1, 2, pte(HEAP_MFN, RO | PTE_PAT), D1, false), -XEN_EACCES);
    CHECK_EQ(ft[HEAP_MFN].count, 2);
    CHECK_EQ(ft[HEAP_MFN].type_count, 1);
    CHECK_EQ(pt_mod_entry(l1, 2, pte(84, RW | PTE_PCD | PTE_PWT), D1, false), 0);   /* an ordinary page */
    /* Not a validated table: refused. */
    CHECK_EQ(pt_mod_entry(83, 0, pte(82, RW), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l1, PT_ENTRIES, pte(82, RW), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(NFRAMES, 0, pte(82, RW), D1, false), -XEN_EINVAL);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_EQ(pt_unpin(D2_LO, D2), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_reserved_bits(void)
{
    reset_machine();
    uint64_t l1 = 100, l2 = 101, l3 = 102, l4 = 103, x = 104;
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_pin(l3, D1, PGT_L3), 0);
    CHECK_EQ(pt_pin(l4, D1, PGT_L4), 0);
    for (unsigned b = 52; b <= 62; b++) {
        CHECK_EQ(pt_mod_entry(l1, 0, pte(x, RW) | (1ull << b), D1, false), -XEN_EINVAL);
        CHECK_EQ(pt_mod_entry(l2, 0, pte(l1, TBL) | (1ull << b), D1, false), -XEN_EINVAL);
    }
    /* Allowed in an L1: G, PAT, PWT, PCD, the available bits, NX. */
    CHECK_EQ(pt_mod_entry(l1, 0, pte(x, RW | PTE_G | PTE_PAT | PTE_PWT | PTE_PCD | (7ull << 9) | PTE_NX),
                          D1, false), 0);
    /* Upper levels: G, PWT, PCD and PS refused; D, AVAIL, NX accepted. */
    CHECK_EQ(pt_mod_entry(l2, 0, pte(105, TBL | PTE_G), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l3, 0, pte(106, TBL | PTE_G), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l4, 0, pte(107, TBL | PTE_G), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(105, TBL | PTE_PCD), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l3, 0, pte(106, TBL | PTE_PWT), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l4, 0, pte(107, TBL | PTE_PCD | PTE_PWT), D1, false), -XEN_EINVAL);
    CHECK_EQ(ft[105].count + ft[106].count + ft[107].count, 3);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(105, TBL | (7ull << 9) | PTE_NX), D1, false), 0);
    CHECK_EQ(ft[105].type, PGT_L1);
    /* Superpages refused. */
    CHECK_EQ(pt_mod_entry(l2, 1, pte(0x60, TBL | PTE_PS) & ~0x1FF000ull, D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l2, 1, pte(106, TBL | PTE_PS), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l3, 1, pte(106, TBL | PTE_PS), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l4, 1, pte(106, TBL | PTE_PS), D1, false), -XEN_EINVAL);
    mem[108][0] = pte(105, TBL | PTE_PS);
    CHECK_EQ(pt_pin(108, D1, PGT_L2), -XEN_EINVAL);
    CHECK_EQ(ft[108].type, PGT_NONE);
    CHECK_EQ(ft[108].count, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_EQ(pt_unpin(l3, D1), 0);
    CHECK_EQ(pt_unpin(l4, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_hv_slots(void)
{
    reset_machine();
    uint64_t l4 = 110, l3 = 111;
    CHECK_EQ(pt_pin(l4, D1, PGT_L4), 0);
    for (unsigned s = 256; s <= 271; s++) {
        CHECK_EQ(mem[l4][s], HVE(s));
        CHECK_EQ(pt_mod_entry(l4, s, pte(l3, TBL), D1, false), -XEN_EINVAL);
        CHECK_EQ(pt_mod_entry(l4, s, 0, D1, false), -XEN_EINVAL);
        CHECK_EQ(mem[l4][s], HVE(s));
    }
    CHECK_EQ(pt_mod_entry(l4, 255, pte(l3, TBL), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l4, 272, pte(l3, TBL), D1, false), 0);
    CHECK_EQ(ft[l3].type_count, 2);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l4, D1), 0);
    /* Released while the hypervisor slots still hold their entries: not counted. */
    CHECK_EQ(mem[l4][256], HVE(256));
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

/* pv-linear-pt=0: no entry may name its own table or one of its level. */
static void test_linear_disabled(void)
{
    reset_machine();
    linear_on = false;
    uint64_t a = 120, b = 121, l3 = 122, l2 = 123;
    mem[a][0] = pte(a, TBL);                              /* an L4 naming itself */
    CHECK_EQ(pt_pin(a, D1, PGT_L4), -XEN_EINVAL);
    CHECK_EQ(ft[a].count, 1);
    CHECK_EQ(ft[a].type, PGT_NONE);
    mem[a][0] = 0;
    CHECK_EQ(pt_pin(a, D1, PGT_L4), 0);
    CHECK_EQ(pt_pin(b, D1, PGT_L4), 0);
    CHECK_EQ(pt_mod_entry(a, 1, pte(a, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(a, 1, pte(a, RO), D1, false), -XEN_EINVAL);   /* RO makes no difference */
    CHECK_EQ(pt_mod_entry(a, 1, pte(b, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_pin(l3, D1, PGT_L3), 0);
    CHECK_EQ(pt_mod_entry(l3, 0, pte(l3, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l3, 0, pte(a, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(a, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(a, 2, pte(l3, TBL), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l3, 0, pte(l2, TBL), D1, false), 0);
    /* An L3 whose entry leads back up to the L4 through an L2 cannot exist. */
    CHECK_EQ(pt_mod_entry(l2, 0, pte(l3, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(ft[a].count, 2);
    CHECK_EQ(ft[a].type_count, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(a, D1), 0);
    CHECK_EQ(pt_unpin(b, D1), 0);
    CHECK_EQ(pt_unpin(l3, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_preserve_ad(void)
{
    reset_machine();
    uint64_t l1 = 130, x = 131, y = 132, l2 = 133;
    mem[l1][0] = pte(x, PTE_P | PTE_RW | PTE_A | PTE_D);
    mem[l1][1] = pte(x, PTE_P | PTE_RW | PTE_A | PTE_D);
    mem[l1][2] = PTE_A | PTE_D;                           /* not present: bits 5, 6 are not A/D */
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_mod_entry(l1, 0, pte(y, PTE_P | PTE_RW), D1, true), 0);
    CHECK_EQ(mem[l1][0], pte(y, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D));
    CHECK_EQ(pt_mod_entry(l1, 1, pte(y, PTE_P | PTE_RW), D1, false), 0);
    CHECK_EQ(mem[l1][1], pte(y, PTE_P | PTE_RW | PTE_US));
    CHECK_EQ(pt_mod_entry(l1, 2, pte(y, PTE_P), D1, true), 0);
    CHECK_EQ(mem[l1][2], pte(y, PTE_P | PTE_US));
    CHECK_EQ(pt_mod_entry(l1, 0, 0x40, D1, true), 0);    /* non-present new entry kept as written */
    CHECK_EQ(mem[l1][0], 0x40);
    /* Upper levels too (D is acceptable there). */
    mem[l2][0] = pte(l1, PTE_P | PTE_RW | PTE_A | PTE_D);
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(l1, PTE_P), D1, true), 0);
    CHECK_EQ(mem[l2][0], pte(l1, PTE_P | PTE_US | PTE_A | PTE_D));
    CHECK_EQ(ft[x].type_count, 0);
    CHECK_EQ(ft[y].type_count, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_failure_midway(void)
{
    static struct page_info ft_before[NFRAMES];
    static uint64_t mem_before[NFRAMES][PT_ENTRIES];
    reset_machine();
    /* L4 140 -> L3 141; its entries 0..2 name good L2s 142..144 (each with an
     * L1 145..147 mapping data); entry 3 names L2 148 whose L1 149 has a
     * foreign entry after good ones. The shared data frame 150 is mapped RW
     * from every L1. */
    uint64_t l4 = 140, l3 = 141;
    mem[l4][0] = pte(l3, TBL);
    mem[l4][400] = pte(151, PTE_P);                      /* an L3 after the failing one: untouched */
    static const uint64_t l2s[4] = { 142, 143, 144, 148 }, l1s[4] = { 145, 146, 147, 149 };
    for (unsigned i = 0; i < 4; i++) {
        uint64_t l2 = l2s[i], l1 = l1s[i];
        mem[l3][i] = pte(l2, PTE_P | PTE_RW);            /* no user bit */
        mem[l2][0] = pte(l1, PTE_P | PTE_RW);
        mem[l1][0] = pte(150, PTE_P | PTE_RW);
        mem[l1][1] = pte(152, PTE_P);
    }
    mem[149][2] = pte(D2_LO, PTE_P);
    memcpy(ft_before, ft, sizeof(ft));
    memcpy(mem_before, mem, sizeof(mem));
    CHECK_EQ(pt_pin(l4, D1, PGT_L4), -XEN_EBUSY);        /* the L1's error, from three levels down */
    CHECK(ft_same(ft_before));
    CHECK(memcmp(mem[l4], mem_before[l4], sizeof(mem[l4])) == 0);   /* hypervisor slots not written */
    CHECK(memcmp(mem[l3], mem_before[l3], sizeof(mem[l3])) == 0);
    /* Lower tables validated and released again may keep the user bit. */
    for (unsigned m = 0; m < NFRAMES; m++)
        for (unsigned s = 0; s < PT_ENTRIES; s++)
            CHECK((mem[m][s] & ~PTE_US) == (mem_before[m][s] & ~PTE_US));
    CHECK_CONSISTENT();

    /* The same through pt_mod_entry on a live L4. */
    CHECK_EQ(pt_pin(160, D1, PGT_L4), 0);
    memcpy(ft_before, ft, sizeof(ft));
    CHECK_EQ(pt_mod_entry(160, 5, pte(l3, TBL), D1, false), -XEN_EBUSY);
    CHECK(ft_same(ft_before));
    CHECK_EQ(mem[160][5], 0);
    /* Fixed, it validates; everything is counted once. */
    mem[149][2] = 0;
    CHECK_EQ(pt_mod_entry(160, 5, pte(l3, TBL), D1, false), 0);
    CHECK_EQ(ft[150].type_count, 4);
    CHECK_EQ(ft[150].count, 5);
    CHECK_EQ(ft[141].type, PGT_L3);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_mod_entry(160, 5, 0, D1, false), 0);
    CHECK_EQ(ft[150].type_count, 0);
    CHECK_EQ(ft[141].type, PGT_NONE);
    CHECK_EQ(pt_unpin(160, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_tlb_flush(void)
{
    reset_machine();
    uint64_t l1 = 170, x = 171, y = 172, l2 = 173, z = 174;
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(nr_flush, 0);                               /* NONE -> L1: nothing to flush */
    CHECK_EQ(pt_mod_entry(l1, 0, pte(x, RW), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l1, 0, 0, D1, false), 0);
    CHECK_EQ(ft[x].type, PGT_WRITABLE);
    CHECK_EQ(ft[x].type_count, 0);
    CHECK_EQ(nr_flush, 0);
    CHECK_EQ(pt_pin(x, D1, PGT_L1), 0);                  /* WRITABLE -> L1 */
    CHECK_EQ(nr_flush, 1);
    CHECK(!(ft[x].flags & PGF_TLB_STALE));
    CHECK_EQ(pt_unpin(x, D1), 0);
    CHECK(ft[x].flags & PGF_TLB_STALE);                  /* a former table */
    CHECK_EQ(nr_flush, 1);                               /* lazily: */
    CHECK_EQ(pt_pin(x, D1, PGT_L2), 0);                  /* former L1 -> L2 */
    CHECK_EQ(nr_flush, 2);
    CHECK(!(ft[x].flags & PGF_TLB_STALE));
    CHECK_EQ(pt_unpin(x, D1), 0);
    /* The case that matters most: an L1 unhooked from its L2 and then mapped
     * writable, while cached walks may still go through it. */
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(z, TBL), D1, false), 0);
    CHECK_EQ(nr_flush, 2);
    CHECK_EQ(pt_mod_entry(l2, 0, 0, D1, false), 0);
    CHECK_EQ(nr_flush, 2);
    CHECK_EQ(pt_mod_entry(l1, 5, pte(z, RW), D1, false), 0);
    CHECK_EQ(nr_flush, 3);
    CHECK_EQ(pt_mod_entry(l1, 6, pte(x, RO), D1, false), 0);   /* read-only: no type change */
    CHECK_EQ(nr_flush, 3);
    CHECK_EQ(pt_mod_entry(l1, 0, pte(y, RW), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l1, 1, pte(y, RW), D1, false), 0);   /* already WRITABLE */
    CHECK_EQ(nr_flush, 3);
    /* Failing while still mapped: no type change, no flush needed. */
    CHECK_EQ(pt_pin(y, D1, PGT_L1), -XEN_EINVAL);
    CHECK_EQ(nr_flush, 3);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_EQ(nr_flush, 3);
    CHECK_EQ(page_get(y, D1), 0);
    CHECK_EQ(page_get_type(y, D1, PGT_SEG_DESC), 0);     /* WRITABLE -> descriptor table */
    CHECK_EQ(nr_flush, 4);
    page_put_type(y);
    page_put(y);
    CHECK_ALL_RELEASED();
}

/* A frame given without zeroing (PGF_SCRUB) is zeroed at its first
 * reference, once, before any mapping or table use can see it. */
static void test_lazy_scrub(void)
{
    reset_machine();
    uint64_t l1 = 190, x = 191;
    unsigned before = nr_scrub;

    mem[x][3] = 0xdeadbeef;                              /* a previous owner's data */
    ft[x].flags |= PGF_SCRUB;
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_mod_entry(l1, 0, pte(x, RW), D1, false), 0);   /* first reference */
    CHECK_EQ(mem[x][3], 0);
    CHECK(!(ft[x].flags & PGF_SCRUB));
    CHECK_EQ(nr_scrub, before + 1);
    mem[x][3] = 42;                                      /* the guest's own data now */
    CHECK_EQ(pt_mod_entry(l1, 1, pte(x, RO), D1, false), 0);   /* a second mapping */
    CHECK_EQ(mem[x][3], 42);
    CHECK_EQ(nr_scrub, before + 1);
    /* A frame that is refused is not scrubbed either (nothing referenced it). */
    ft[x + 1].flags |= PGF_SCRUB;
    mem[x + 1][0] = 7;
    CHECK_EQ(page_get(x + 1, D2), -XEN_EINVAL);
    CHECK_EQ(mem[x + 1][0], 7);
    CHECK_EQ(pt_mod_entry(l1, 0, 0, D1, false), 0);
    CHECK_EQ(pt_mod_entry(l1, 1, 0, D1, false), 0);
    CHECK_EQ(pt_unpin(l1, D1), 0);
    ft[x + 1].flags &= (uint8_t)~PGF_SCRUB;
}

static void test_released(void)
{
    reset_machine();
    uint64_t l1 = 180, x = 181, y = 182;
    /* A pinned table given up by its owner goes when it is unpinned. */
    CHECK_EQ(pt_pin(x, D1, PGT_L1), 0);
    ft[x].flags &= (uint8_t)~PGF_ALLOCATED;              /* decrease_reservation */
    page_put(x);
    CHECK_EQ(nr_released, 0);
    CHECK_EQ(ft[x].count, 1);
    CHECK_EQ(page_get(x, D1), 0);                        /* still held: still nameable */
    page_put(x);
    CHECK_EQ(pt_mod_entry(x, 0, pte(y, RW), D1, false), 0);   /* still a live table */
    CHECK_EQ(pt_unpin(x, D1), 0);
    CHECK_EQ(nr_released, 1);
    CHECK_EQ(last_released, x);
    CHECK_EQ(ft[x].owner, OWNER_NONE);
    CHECK_EQ(ft[y].type_count, 0);
    /* A mapped frame given up goes when its last mapping does. */
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(pt_mod_entry(l1, 0, pte(y, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l1, 1, pte(y, RW), D1, false), 0);
    ft[y].flags &= (uint8_t)~PGF_ALLOCATED;
    page_put(y);
    CHECK_EQ(pt_mod_entry(l1, 2, pte(y, RO), D1, false), 0);   /* a third mapping, while it is held */
    CHECK_EQ(pt_mod_entry(l1, 2, 0, D1, false), 0);
    CHECK_EQ(pt_mod_entry(l1, 0, 0, D1, false), 0);
    CHECK_EQ(nr_released, 1);
    CHECK_EQ(pt_unpin(l1, D1), 0);                       /* drops the RW mapping */
    CHECK_EQ(nr_released, 2);
    CHECK_EQ(last_released, y);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

static void test_same_entry_rewrite(void)
{
    reset_machine();
    uint64_t l2 = 190, a = 191, b = 192, x = 193;
    mem[a][0] = pte(x, RW);
    mem[b][0] = pte(x, RO);
    CHECK_EQ(pt_pin(l2, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2, 0, pte(a, TBL), D1, false), 0);
    CHECK_EQ(ft[a].type, PGT_L1);
    CHECK_EQ(ft[x].type_count, 1);
    /* Same table again: no release and revalidation in between. */
    mem[a][1] = pte(D2_LO, RO);                          /* would not validate now */
    CHECK_EQ(pt_mod_entry(l2, 0, pte(a, TBL | PTE_NX), D1, false), 0);
    CHECK_EQ(ft[a].type_count, 1);
    mem[a][1] = 0;
    /* RW -> RO of the same frame in the L1. */
    CHECK_EQ(pt_mod_entry(a, 0, pte(x, RO), D1, false), 0);
    CHECK_EQ(ft[x].type_count, 0);
    CHECK_EQ(ft[x].count, 2);
    /* Switch the L2 entry to another L1. */
    CHECK_EQ(pt_mod_entry(l2, 0, pte(b, TBL), D1, false), 0);
    CHECK_EQ(ft[a].type, PGT_NONE);
    CHECK_EQ(ft[b].type, PGT_L1);
    CHECK_EQ(ft[x].count, 2);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(l2, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

/* ---- randomized sequences ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }
static bool chance(unsigned percent) { return below(100) < percent; }

/* Each frame has a preferred role: 0 data, 1..4 a table of that level. */
static unsigned role(uint64_t m) { return (unsigned)(m % 5); }

static uint64_t frame_of(domid_t d, unsigned want_role)
{
    unsigned lo = d == D1 ? D1_LO : D2_LO, hi = d == D1 ? D1_HI : D2_HI;
    for (;;) {
        uint64_t m = lo + below(hi - lo);
        if (role(m) == want_role)
            return m;
    }
}

static uint64_t frame_in(domid_t d)
{
    return d == D1 ? D1_LO + below(D1_HI - D1_LO) : D2_LO + below(D2_HI - D2_LO);
}

static uint64_t any_frame(void)
{
    return chance(3) ? NFRAMES + below(1000) : below(NFRAMES);
}

/* An entry for a table of `level` of d: mostly one that validates (naming a
 * frame whose role is the level below); when noisy, often one that does not
 * (foreign or absent frames, reserved bits, PS, G, tables mapped writable). */
static uint64_t gen_entry(domid_t d, unsigned level, bool noisy, uint64_t self)
{
    uint64_t e, t;
    bool linear = false;

    if (chance(20))
        return chance(50) ? 0 : rnd() & ~PTE_P;          /* not present: anything */
    t = !noisy || chance(92) ? frame_of(d, level - 1) : any_frame();
    if (level == 1 && chance(5))
        t = frame_in(d);                                 /* any frame, maybe writable */
    if (level > 1 && chance(10)) {
        t = chance(30) ? self : frame_of(d, level);      /* a linear entry, or an attempt */
        linear = true;
    }
    e = (t << PAGE_SHIFT) | PTE_P;
    if ((level == 1 && role(t) != 0 && chance(85)) || (linear && chance(85)))
        ;                                                /* tables mostly mapped read-only */
    else if (chance(75))
        e |= PTE_RW;
    if (chance(60))
        e |= PTE_US;
    if (chance(50))
        e |= PTE_A;
    if (chance(40))
        e |= PTE_D;
    if (chance(10))
        e |= PTE_NX;
    if (chance(10))
        e |= (uint64_t)below(8) << 9;
    if (level == 1 && chance(10))
        e |= PTE_G | PTE_PAT;
    if (noisy && chance(5))
        e |= chance(50) ? PTE_PS : (1ull << (52 + below(11)));
    if (noisy && level > 1 && chance(3))
        e |= PTE_G;
    return e;
}

static domid_t owner_for_op(void) { return chance(90) ? D1 : D2; }

/* What the test does between calls, and what a failed call may have changed. */
static struct page_info snap_ft[NFRAMES], snap_ft_limits[NFRAMES];
static uint64_t snap_mem[NFRAMES][PT_ENTRIES];

static bool unchanged_since_snapshot(void)
{
    if (!ft_same(snap_ft))
        return false;
    /* Only frames reached through frame_map can have been written. */
    for (unsigned m = 0; m < NFRAMES; m++)
        for (unsigned s = 0; touched[m] && s < PT_ENTRIES; s++)
            if (mem[m][s] != snap_mem[m][s] &&
                ((mem[m][s] ^ snap_mem[m][s]) != PTE_US || !(mem[m][s] & PTE_P))) {
                snprintf(check_why, sizeof(check_why), "failed call changed mfn %u slot %u", m, s);
                return false;
            }
    return true;
}

static unsigned nr_ok, nr_err;

static void random_run(uint64_t seed, unsigned steps)
{
    reset_machine();
    memcpy(snap_mem, mem, sizeof(mem));
    rng = seed;
    for (unsigned step = 0; step < steps && !test_cur_failed; step++) {
        unsigned op = below(100);
        domid_t d = owner_for_op();
        uint64_t m;
        int rc = 0;
        bool called = true;

        memcpy(snap_ft, ft, sizeof(ft));
        if (op < 30) {
            /* The guest writes a frame it may write: not a table in use. */
            m = frame_in(d);
            called = false;
            if (!pgt_is_table(ft[m].type) && ft[m].type != PGT_SEG_DESC) {
                unsigned lvl = role(m) ? role(m) : 1 + below(4);
                unsigned slot = below(lvl == 1 ? 8 : lvl == 2 ? 4 : 2);   /* small fan-out up high */
                if (lvl == 4 && chance(20))
                    slot = 256 + below(16);
                mem[m][slot] = gen_entry(d, lvl, chance(3), m);
                snap_mem[m][slot] = mem[m][slot];
            }
        } else if (op < 48) {
            m = chance(85) ? frame_of(d, 1 + below(4)) : any_frame();
            unsigned lvl = m < NFRAMES && role(m) && chance(85) ? PGT_L1 + role(m) - 1 : below(7);
            rc = pt_pin(m, d, (enum page_type)lvl);
        } else if (op < 58) {
            m = chance(90) ? frame_in(d) : any_frame();
            rc = pt_unpin(m, d);
        } else if (op < 98) {
            /* Prefer tables that are live. */
            unsigned tries = 0;
            do
                m = frame_in(d);
            while (!pgt_is_table(ft[m].type) && ++tries < 40);
            unsigned lvl = pgt_is_table(ft[m].type) ? pgt_level(ft[m].type) : 1 + below(4);
            unsigned slot = below(lvl == 1 ? 8 : lvl == 2 ? 4 : 2);
            if (lvl == 4 && chance(10))
                slot = 256 + below(16);
            if (chance(2))
                slot = PT_ENTRIES + below(10);
            rc = pt_mod_entry(m, slot, gen_entry(d, lvl, true, m), chance(10) ? (domid_t)(D1 + D2 - d) : d,
                              chance(30));
        } else {
            /* decrease_reservation of a frame, now and then. */
            m = frame_in(d);
            called = false;
            if ((ft[m].flags & PGF_ALLOCATED) && chance(15)) {
                ft[m].flags &= (uint8_t)~PGF_ALLOCATED;
                page_put(m);
            }
        }
        if (called) {
            if (rc == 0) {
                nr_ok++;
            } else {
                nr_err++;
                if (rc != -XEN_EINVAL && rc != -XEN_EBUSY && rc != -XEN_EPERM && rc != -XEN_EACCES)
                    test_fail(__FILE__, __LINE__, "seed %llu step %u: rc %d", (unsigned long long)seed, step, rc);
                if (!unchanged_since_snapshot())
                    test_fail(__FILE__, __LINE__, "seed %llu step %u op %u: %s", (unsigned long long)seed,
                              step, op, check_why);
            }
        }
        mark_cached();
        if (!consistent())
            test_fail(__FILE__, __LINE__, "seed %llu step %u op %u: %s", (unsigned long long)seed, step, op,
                      check_why);
        /* The snapshot of memory follows along: only touched frames change. */
        for (unsigned f = 0; f < NFRAMES; f++)
            if (touched[f]) {
                memcpy(snap_mem[f], mem[f], sizeof(mem[f]));
                touched[f] = false;
            }
    }
    /* Unpin everything: every count goes back to the allocation reference. */
    for (unsigned m = 0; m < NFRAMES; m++)
        if (ft[m].flags & PGF_PINNED)
            CHECK_EQ(pt_unpin(m, ft[m].owner), 0);
    CHECK_CONSISTENT();
    CHECK_ALL_RELEASED();
}

static void test_random_sequences(void)
{
    nr_ok = nr_err = 0;
    linear_seen = self_seen = 0;
    for (uint64_t seed = 1; seed <= 5 && !test_cur_failed; seed++)
        random_run(seed * 0x9E3779B97F4A7C15ull, 2500);
    /* The generator must exercise both outcomes a fair number of times. */
    CHECK(nr_ok > 1500);
    CHECK(nr_err > 1500);
    CHECK(linear_seen > 1000 && self_seen > 1000);   /* (entry-steps: held entries times checks) */
}

/* Deep trees built on purpose, then torn down in random order. */
static void test_random_trees(void)
{
    reset_machine();
    rng = 12345;
    for (unsigned round = 0; round < 200 && !test_cur_failed; round++) {
        /* Fill some frames of each level with entries naming the level below. */
        for (unsigned i = 0; i < 20; i++) {
            uint64_t m = frame_of(D1, 1 + below(4));
            if (pgt_is_table(ft[m].type))
                continue;
            unsigned lvl = role(m);
            mem[m][below(PT_ENTRIES)] = pt_adjust_pte((frame_of(D1, lvl - 1) << 12) | PTE_P |
                                                      (lvl > 1 || chance(50) ? PTE_RW : 0), lvl);
        }
        uint64_t m = frame_of(D1, 1 + below(4));
        pt_pin(m, D1, (enum page_type)(PGT_L1 + role(m) - 1));
        if (chance(40)) {
            uint64_t u = frame_in(D1);
            if (ft[u].flags & PGF_PINNED)
                CHECK_EQ(pt_unpin(u, D1), 0);
        }
        mark_cached();
        CHECK_CONSISTENT();
    }
    for (unsigned m = 0; m < NFRAMES; m++)
        if (ft[m].flags & PGF_PINNED)
            CHECK_EQ(pt_unpin(m, D1), 0);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

/* ---- preemption: validation and release in pieces ---- */

#define BIG_L4 30
#define BIG_L3 31
#define BIG_L2 32                      /* 32..35 */
#define BIG_L1 40                      /* 40..119 */
#define BIG_NL1 80
#define BIG_DATA 120                   /* 120..249, mapped read-only */

/* L4 -> L3 -> 4 L2s -> 80 L1s of 512 read-only entries each: ~41k entries. */
static void make_big_tree(void)
{
    mem[BIG_L4][0] = pte(BIG_L3, TBL);
    for (unsigned i = 0; i < 4; i++)
        mem[BIG_L3][i] = pte(BIG_L2 + i, TBL);
    for (unsigned i = 0; i < BIG_NL1; i++) {
        mem[BIG_L2 + i / 20][i % 20] = pte(BIG_L1 + i, TBL);
        for (unsigned s = 0; s < PT_ENTRIES; s++)
            mem[BIG_L1 + i][s] = pte(BIG_DATA + (i * 7 + s) % 130, RO);
    }
}

/* Run the release lists with a work limit, checking consistency between
 * the pieces; the number of pieces it took. */
static unsigned drain_in_pieces(uint32_t limit)
{
    unsigned pieces = 0;

    for (;;) {
        int rc;
        pt_work = 0;
        pt_work_limit = limit;
        rc = pt_release_run(D1);
        pieces++;
        CHECK(pt_work <= limit + 64);
        CHECK_CONSISTENT();
        if (rc != -XEN_ERESTART || test_cur_failed)
            break;
    }
    return pieces;
}

static void test_preempt_pin_unpin(void)
{
    unsigned pieces = 0;
    int rc;

    reset_machine();
    make_big_tree();
    do {
        pt_work = 0;
        pt_work_limit = 500;
        rc = (pt_pin)(BIG_L4, D1, PGT_L4);
        pieces++;
        CHECK(pt_work <= 500 + 64);    /* a piece stops near the limit */
        CHECK_CONSISTENT();
    } while (rc == -XEN_ERESTART && !test_cur_failed && pieces < 100000);
    CHECK_EQ(rc, 0);
    CHECK(pieces > 50);
    CHECK(ft[BIG_L4].flags & PGF_PINNED);
    CHECK(ft[BIG_L1 + BIG_NL1 - 1].flags & PGF_VALIDATED);
    /* The unpin itself is quick; the release runs in pieces after it. */
    pt_work = 0;
    CHECK_EQ((pt_unpin)(BIG_L4, D1), 0);
    CHECK(pt_work == 0);
    CHECK(ft[BIG_L4].flags & PGF_RELEASING);
    CHECK(drain_in_pieces(500) > 50);
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
    pt_work_limit = UINT32_MAX;
}

/* A validation left part-way is finished by whoever asks for the same type
 * next, refused to anyone asking for another, and given up by pt_abandon. */
static void test_preempt_abandon(void)
{
    int rc;

    reset_machine();
    make_big_tree();
    pt_work = 0;
    pt_work_limit = 3000;
    rc = (pt_pin)(BIG_L4, D1, PGT_L4);
    CHECK_EQ(rc, -XEN_ERESTART);
    CHECK(ft[BIG_L4].flags & PGF_PARTIAL);
    CHECK(!(ft[BIG_L4].flags & PGF_PINNED));
    CHECK_CONSISTENT();
    /* Another type: refused, nothing changes. */
    pt_work = 0;
    CHECK_EQ(page_get(BIG_L3, D1), 0);
    CHECK_EQ((page_get_type)(BIG_L3, D1, PGT_WRITABLE), -XEN_EINVAL);
    page_put(BIG_L3);
    /* An L1 in the middle of the tree, as a writable page: refused while it is held. */
    CHECK_EQ(page_get(BIG_L1, D1), 0);
    CHECK_EQ((page_get_type)(BIG_L1, D1, PGT_WRITABLE), -XEN_EINVAL);
    page_put(BIG_L1);
    CHECK_CONSISTENT();
    /* The partial L3 taken over by a use as an L3 (here, by the test itself,
     * whose references the consistency check cannot see until it drops
     * them): validation goes on from where it was. */
    do {
        CHECK_EQ(page_get(BIG_L3, D1), 0);
        pt_work = 0;
        rc = (page_get_type)(BIG_L3, D1, PGT_L3);
        if (rc != 0)
            page_put(BIG_L3);
        else
            break;
        CHECK_CONSISTENT();
    } while (rc == -XEN_ERESTART && !test_cur_failed);
    CHECK_EQ(rc, 0);
    CHECK(ft[BIG_L3].flags & PGF_VALIDATED);
    CHECK_EQ(ft[BIG_L3].type_count, 1);
    (page_put_type)(BIG_L3);
    page_put(BIG_L3);
    CHECK_CONSISTENT();
    /* The L4, still partial, abandoned (teardown): everything comes back. */
    CHECK(ft[BIG_L4].flags & PGF_PARTIAL);
    pt_abandon(BIG_L4);
    CHECK_CONSISTENT();
    drain_in_pieces(700);
    CHECK_ALL_RELEASED();
    pt_work_limit = UINT32_MAX;
}

/* A validation that fails deep in the tree after pieces of progress gives
 * back everything it took, in pieces too. */
static void test_preempt_failure(void)
{
    int rc;
    unsigned pieces = 0;

    reset_machine();
    make_big_tree();
    mem[BIG_L1 + 70][300] = pte(D2_LO, RO);          /* another domain's frame: -EBUSY */
    do {
        pt_work = 0;
        pt_work_limit = 400;
        rc = (pt_pin)(BIG_L4, D1, PGT_L4);
        pieces++;
        CHECK_CONSISTENT();
    } while (rc == -XEN_ERESTART && !test_cur_failed);
    CHECK_EQ(rc, -XEN_EBUSY);
    CHECK(pieces > 20);
    CHECK(!(ft[BIG_L4].flags & PGF_PINNED));
    drain_in_pieces(400);
    CHECK_ALL_RELEASED();
    pt_work_limit = UINT32_MAX;
}

/* A frame still held by a table being released gets another type only once
 * the release is done. */
static void test_preempt_releasing_frame(void)
{
    int rc;

    reset_machine();
    make_big_tree();
    CHECK_EQ(pt_pin(BIG_L4, D1, PGT_L4), 0);             /* in one go (no limit) */
    CHECK_EQ((pt_unpin)(BIG_L4, D1), 0);
    CHECK(ft[BIG_L1 + 5].type == PGT_L1);
    pt_work_limit = 1000;
    for (unsigned tries = 0;; tries++) {
        CHECK_EQ(page_get(BIG_L1 + 5, D1), 0);
        pt_work = 0;
        rc = (page_get_type)(BIG_L1 + 5, D1, PGT_WRITABLE);
        if (rc == 0 || test_cur_failed)
            break;
        page_put(BIG_L1 + 5);
        CHECK_EQ(rc, -XEN_ERESTART);
        CHECK_CONSISTENT();
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(ft[BIG_L1 + 5].type, PGT_WRITABLE);
    (page_put_type)(BIG_L1 + 5);
    page_put(BIG_L1 + 5);
    drain_in_pieces(1000);
    CHECK_ALL_RELEASED();
    pt_work_limit = UINT32_MAX;
}

/* Random trees and operations under random work limits, every in-between
 * state checked; at the end everything abandoned, unpinned and released. */
static void test_preempt_random(void)
{
    unsigned restarts = 0;

    reset_machine();
    rng = 777;
    linear_seen = self_seen = 0;
    for (unsigned round = 0; round < 3000 && !test_cur_failed; round++) {
        uint64_t m = frame_of(D1, 1 + below(4));
        int rc;

        if (!pgt_is_table(ft[m].type) && !(ft[m].flags & PGF_RELEASING)) {
            unsigned lvl = role(m);
            for (unsigned k = 0; k < 1 + below(40); k++)
                mem[m][below(PT_ENTRIES)] = ((frame_of(D1, lvl - 1) << 12) | PTE_P |
                                            (lvl > 1 || chance(50) ? PTE_RW : 0));
            /* Now and then a self-map or a linear entry. */
            if (lvl > 1 && chance(30))
                mem[m][below(PT_ENTRIES)] = ((chance(50) ? m : frame_of(D1, lvl)) << 12) | PTE_P;
        }
        pt_work = 0;
        pt_work_limit = 1 + below(300);
        switch (below(4)) {
        case 0:
        case 1:
            rc = (pt_pin)(m, D1, (enum page_type)(PGT_L1 + role(m) - 1));
            break;
        case 2:
            rc = (ft[m].flags & PGF_PINNED) ? (pt_unpin)(m, D1) : 0;
            break;
        default:
            rc = pt_release_run(D1);
            break;
        }
        if (rc == -XEN_ERESTART)
            restarts++;
        if (pt_work > pt_work_limit + 64)
            test_fail(__FILE__, __LINE__, "round %u: %u units of work against a limit of %u", round, pt_work,
                      pt_work_limit);
        mark_cached();
        CHECK_CONSISTENT();
    }
    CHECK(restarts > 20);
    CHECK(linear_seen > 100 && self_seen > 100);
    printf("# preempt_random: %u restarts; linear entries seen %lu, self-maps %lu\n", restarts, linear_seen, self_seen);
    pt_work_limit = UINT32_MAX;
    for (unsigned m = 0; m < NFRAMES; m++) {
        if (ft[m].flags & PGF_PINNED)
            CHECK_EQ((pt_unpin)(m, D1), 0);
        pt_abandon(m);
    }
    drain();
    CHECK_ALL_RELEASED();
    CHECK_CONSISTENT();
}

/* Linear entries (pv-linear-pt, on): read-only self-maps holding nothing,
 * same-level entries naming validated tables, one level only. */
static void test_linear_tables(void)
{
    reset_machine();
    uint64_t a = 120, b = 121, c = 122, e = 123, l3a = 124, l3b = 125, l2a = 126, l2b = 127, l1 = 128;

    mem[a][0] = pte(a, TBL);                              /* writable self-map */
    CHECK_EQ(pt_pin(a, D1, PGT_L4), -XEN_EINVAL);
    CHECK_EQ(ft[a].count, 1);
    CHECK_EQ(ft[a].type, PGT_NONE);
    mem[a][0] = pte(a, RO);                               /* read-only: holds nothing */
    CHECK_EQ(pt_pin(a, D1, PGT_L4), 0);
    CHECK_EQ(ft[a].count, 2);
    CHECK_EQ(ft[a].type_count, 1);
    CHECK_EQ(ft[a].linear, 0);
    CHECK_EQ(pt_mod_entry(a, 1, pte(a, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(a, 1, pte(a, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(mem[a][1], pte(a, RO));
    CHECK_EQ(ft[a].count, 2);
    CHECK_EQ(ft[a].type_count, 1);
    CHECK_CONSISTENT();

    /* Another L4: a general and a type reference, the counts on both sides. */
    CHECK_EQ(pt_pin(b, D1, PGT_L4), 0);
    CHECK_EQ(pt_mod_entry(a, 2, pte(b, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(a, 2, pte(b, RO), D1, false), 0);
    CHECK_EQ(ft[b].count, 3);
    CHECK_EQ(ft[b].type_count, 2);
    CHECK_EQ(ft[a].linear, 1);
    CHECK_EQ(ft[b].linear, -1);
    /* The same entry written again: nothing moves. */
    CHECK_EQ(pt_mod_entry(a, 2, pte(b, RO), D1, false), 0);
    CHECK_EQ(ft[b].type_count, 2);
    CHECK_EQ(ft[a].linear, 1);
    /* One level only: b is named, a holds. */
    CHECK_EQ(pt_pin(c, D1, PGT_L4), 0);
    CHECK_EQ(pt_mod_entry(b, 0, pte(a, RO), D1, false), -XEN_EINVAL);  /* a cycle */
    CHECK_EQ(pt_mod_entry(b, 0, pte(c, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(c, 0, pte(a, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(c, 0, pte(b, RO), D1, false), 0);           /* two naming one */
    CHECK_EQ(ft[b].linear, -2);
    CHECK_EQ(pt_mod_entry(b, 5, pte(b, RO), D1, false), 0);           /* a self-map while named */
    CHECK_EQ(pt_mod_entry(a, 5, pte(a, RO), D1, false), 0);           /* and while holding */
    CHECK_CONSISTENT();
    /* Another domain's L4, or a frame that is no table: refused. */
    CHECK_EQ(pt_pin(D2_LO + 4, D2, PGT_L4), 0);
    CHECK_EQ(pt_mod_entry(a, 3, pte(D2_LO + 4, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_unpin(D2_LO + 4, D2), 0);

    /* A new L4 validated with a self-map, a linear entry and an ordinary one. */
    CHECK_EQ(pt_pin(l3a, D1, PGT_L3), 0);
    mem[e][0] = pte(e, RO);
    mem[e][1] = pte(b, RO);
    mem[e][2] = pte(l3a, TBL);
    CHECK_EQ(pt_pin(e, D1, PGT_L4), 0);
    CHECK_EQ(ft[b].linear, -3);
    CHECK_EQ(ft[e].linear, 1);
    CHECK_CONSISTENT();
    CHECK_EQ(pt_unpin(e, D1), 0);
    CHECK_EQ(ft[b].linear, -2);
    CHECK_EQ(ft[e].linear, 0);
    CHECK_EQ(ft[e].type, PGT_NONE);
    CHECK_CONSISTENT();

    /* L3 and L2 levels, and an L3 entry naming an L4 (neither level). */
    CHECK_EQ(pt_pin(l3b, D1, PGT_L3), 0);
    CHECK_EQ(pt_mod_entry(l3a, 0, pte(l3b, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l3b, 0, pte(l3a, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l3a, 1, pte(l3a, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l3a, 2, pte(a, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_pin(l2a, D1, PGT_L2), 0);
    CHECK_EQ(pt_pin(l2b, D1, PGT_L2), 0);
    CHECK_EQ(pt_mod_entry(l2a, 0, pte(l2b, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(l2a, 1, pte(l2b, TBL), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l2b, 0, pte(l2a, RO), D1, false), -XEN_EINVAL);
    CHECK_EQ(pt_mod_entry(l2a, 2, pte(l2a, RO), D1, false), 0);
    /* An L1 entry naming its own L1 is an ordinary read-only mapping (a reference). */
    mem[l1][0] = pte(l1, RO);
    CHECK_EQ(pt_pin(l1, D1, PGT_L1), 0);
    CHECK_EQ(ft[l1].count, 3);
    CHECK_EQ(pt_mod_entry(l2a, 3, pte(l1, TBL), D1, false), 0);
    CHECK_CONSISTENT();

    /* A table unpinned while a linear entry names it stays until that goes. */
    CHECK_EQ(pt_unpin(b, D1), 0);
    CHECK(ft[b].flags & PGF_VALIDATED);
    CHECK_EQ(ft[b].type_count, 2);
    ft[b].flags &= (uint8_t)~PGF_ALLOCATED;               /* given back meanwhile */
    page_put(b);
    CHECK_EQ(pt_mod_entry(a, 2, 0, D1, false), 0);
    CHECK_EQ(ft[b].type_count, 1);
    CHECK_EQ(nr_released, 0);
    CHECK_EQ(pt_mod_entry(c, 0, 0, D1, false), 0);        /* its last user: released, and freed */
    CHECK_EQ(nr_released, 1);
    CHECK_EQ(last_released, b);
    CHECK_EQ(ft[a].linear, 0);
    CHECK_EQ(ft[c].linear, 0);
    /* Roles can turn once the counts are back to 0. */
    CHECK_EQ(pt_mod_entry(c, 0, pte(a, RO), D1, false), 0);
    CHECK_EQ(pt_mod_entry(a, 3, pte(c, RO), D1, false), -XEN_EINVAL);
    CHECK_CONSISTENT();

    /* Teardown: pins dropped in any order, everything released. */
    CHECK_EQ(pt_unpin(a, D1), 0);
    CHECK_EQ(pt_unpin(l3a, D1), 0);
    CHECK_EQ(pt_unpin(l2b, D1), 0);
    CHECK_EQ(pt_unpin(c, D1), 0);
    CHECK_EQ(pt_unpin(l1, D1), 0);
    CHECK_EQ(pt_unpin(l3b, D1), 0);
    CHECK_EQ(pt_unpin(l2a, D1), 0);
    CHECK_CONSISTENT();
    CHECK_ALL_RELEASED();
    /* And every one of them can be a writable page again. */
    for (uint64_t m = a; m <= l1; m++) {
        CHECK_EQ(page_get_typed(m, D1, PGT_WRITABLE), m == b ? -XEN_EINVAL : 0);
        if (m != b)
            page_put_typed(m);
    }
    CHECK_CONSISTENT();
}

/* The counts' limits: refused with -EINVAL, nothing changed. */
static void test_linear_limits(void)
{
    reset_machine();
    uint64_t a = 140, b = 141;

    CHECK_EQ(pt_pin(a, D1, PGT_L4), 0);
    CHECK_EQ(pt_pin(b, D1, PGT_L4), 0);
    memcpy(snap_ft_limits, ft, sizeof(ft));
    ft[b].linear = INT16_MIN;
    CHECK_EQ(pt_mod_entry(a, 0, pte(b, RO), D1, false), -XEN_EINVAL);
    ft[b].linear = 0;
    ft[a].linear = INT16_MAX;
    CHECK_EQ(pt_mod_entry(a, 0, pte(b, RO), D1, false), -XEN_EINVAL);
    ft[a].linear = 0;
    ft[b].type_count = UINT32_MAX;
    CHECK_EQ(pt_mod_entry(a, 0, pte(b, RO), D1, false), -XEN_EINVAL);
    ft[b].type_count = 1;
    CHECK(ft_same(snap_ft_limits));
    CHECK_EQ(mem[a][0], 0);
    /* Many tables naming one. */
    for (uint64_t m = 150; m < 200; m++) {
        mem[m][7] = pte(b, RO);
        mem[m][8] = pte(m, RO);
        CHECK_EQ(pt_pin(m, D1, PGT_L4), 0);
    }
    CHECK_EQ(ft[b].linear, -50);
    CHECK_EQ(ft[b].type_count, 51);
    CHECK_CONSISTENT();
    for (uint64_t m = 150; m < 200; m++)
        CHECK_EQ(pt_unpin(m, D1), 0);
    CHECK_EQ(pt_unpin(a, D1), 0);
    CHECK_EQ(pt_unpin(b, D1), 0);
    CHECK_CONSISTENT();
    CHECK_ALL_RELEASED();
}

/* A linear entry never starts or continues a validation: a partly validated
 * table of the level is refused and stays as it was. And preempted
 * validation and release go through linear entries correctly. */
static void test_linear_partial(void)
{
    int rc;
    uint64_t a = 252, other = 253;

    reset_machine();
    make_big_tree();
    mem[BIG_L4][1] = pte(BIG_L4, RO);                    /* a self-map */
    CHECK_EQ(pt_pin(a, D1, PGT_L4), 0);
    mem[BIG_L4][2] = pte(a, RO);                         /* a linear entry */
    pt_work = 0;
    pt_work_limit = 3000;
    rc = (pt_pin)(BIG_L4, D1, PGT_L4);
    CHECK_EQ(rc, -XEN_ERESTART);
    CHECK(ft[BIG_L4].flags & PGF_PARTIAL);
    CHECK_CONSISTENT();
    uint16_t held = ft[BIG_L4].nr_held;
    pt_work_limit = UINT32_MAX;
    CHECK_EQ((pt_mod_entry)(a, 0, pte(BIG_L4, RO), D1, false), -XEN_EINVAL);
    CHECK(ft[BIG_L4].flags & PGF_PARTIAL);
    CHECK_EQ(ft[BIG_L4].nr_held, held);
    CHECK_CONSISTENT();
    /* Finished in pieces; the linear entry took its references. */
    do {
        pt_work = 0;
        pt_work_limit = 3000;
        rc = (pt_pin)(BIG_L4, D1, PGT_L4);
        CHECK(pt_work <= 3000 + 64);
        CHECK_CONSISTENT();
    } while (rc == -XEN_ERESTART && !test_cur_failed);
    CHECK_EQ(rc, 0);
    CHECK_EQ(ft[BIG_L4].linear, 1);
    CHECK_EQ(ft[a].linear, -1);
    /* Now validated: another L4 may name it. */
    pt_work_limit = UINT32_MAX;
    CHECK_EQ(pt_pin(other, D1, PGT_L4), 0);
    CHECK_EQ((pt_mod_entry)(other, 0, pte(BIG_L4, RO), D1, false), -XEN_EINVAL);  /* it holds one */
    CHECK_EQ((pt_mod_entry)(other, 0, pte(a, RO), D1, false), 0);
    /* Released in pieces, the linear entries among the rest. */
    CHECK_EQ((pt_unpin)(BIG_L4, D1), 0);
    drain_in_pieces(200);
    CHECK_EQ(ft[a].linear, -1);
    CHECK_EQ(pt_unpin(a, D1), 0);
    CHECK_EQ(ft[a].type, PGT_L4);                         /* other still names it */
    CHECK_EQ(pt_unpin(other, D1), 0);
    CHECK_CONSISTENT();
    CHECK_ALL_RELEASED();
    pt_work_limit = UINT32_MAX;
}

/* Random same-level entries among a few tables of each level, against a
 * model of Xen's rules: which are allowed, which are refused, the counts;
 * attempts at cycles among them never succeed; a teardown in random order,
 * in pieces, gives every frame back. */
#define LM_PER_LEVEL 6
static void test_linear_model(void)
{
    unsigned allowed = 0, refused = 0, cycles_refused = 0;

    for (unsigned round = 0; round < 40 && !test_cur_failed; round++) {
        uint64_t tbl[5][LM_PER_LEVEL];                   /* [level][i] */
        int holds[NFRAMES] = { 0 }, named[NFRAMES] = { 0 };
        uint64_t target[NFRAMES][8];                     /* slot -> frame named linearly (0: none) */

        reset_machine();
        memset(target, 0, sizeof(target));
        rng = 0xC0FFEEull + round;
        for (unsigned lvl = 2; lvl <= 4; lvl++)
            for (unsigned i = 0; i < LM_PER_LEVEL; i++) {
                tbl[lvl][i] = 30 + 40 * (lvl - 2) + i;
                CHECK_EQ(pt_pin(tbl[lvl][i], D1, pgt_of_level(lvl)), 0);
            }
        for (unsigned step = 0; step < 400 && !test_cur_failed; step++) {
            unsigned lvl = 2 + below(3), i = below(LM_PER_LEVEL), j = below(LM_PER_LEVEL), s = below(8);
            uint64_t m = tbl[lvl][i], t = tbl[lvl][j];
            bool rw = chance(10), self = m == t;
            uint64_t old = target[m][s];
            int rc, want;

            if (chance(25)) {
                rc = pt_mod_entry(m, s, 0, D1, false);
                CHECK_EQ(rc, 0);
                if (old && old != m) {
                    holds[m]--;
                    named[old]--;
                }
                target[m][s] = 0;
            } else {
                /* The model: the entry being replaced goes after the new one is taken. */
                if (rw)
                    want = -XEN_EINVAL;
                else if (self)
                    want = 0;
                else
                    want = named[m] == 0 && holds[t] == 0 ? 0 : -XEN_EINVAL;
                rc = pt_mod_entry(m, s, pte(t, rw ? TBL : RO), D1, chance(20));
                if (rc != want)
                    test_fail(__FILE__, __LINE__, "round %u step %u: L%u %llu slot %u -> %llu%s: rc %d, model %d",
                              round, step, lvl, (unsigned long long)m, s, (unsigned long long)t,
                              rw ? " RW" : "", rc, want);
                if (rc == 0) {
                    allowed++;
                    if (!self) {
                        holds[m]++;
                        named[t]++;
                    }
                    if (old && old != m) {
                        holds[m]--;
                        named[old]--;
                    }
                    target[m][s] = t;
                } else {
                    refused++;
                    /* Would it have closed a cycle? t (or something t names) names m. */
                    for (unsigned k = 0; k < 8; k++)
                        if (target[t][k] == m)
                            cycles_refused++;
                }
            }
            for (unsigned lv = 2; lv <= 4; lv++)
                for (unsigned k = 0; k < LM_PER_LEVEL; k++) {
                    uint64_t f = tbl[lv][k];
                    if (ft[f].linear != holds[f] - named[f])
                        test_fail(__FILE__, __LINE__, "round %u step %u: mfn %llu linear %d, model %d - %d", round,
                                  step, (unsigned long long)f, ft[f].linear, holds[f], named[f]);
                }
            if (step % 8 == 0)
                CHECK_CONSISTENT();
        }
        /* Ordinary links among them too, then a teardown: pins dropped in
         * random order, in pieces under a small work limit. */
        for (unsigned lvl = 3; lvl <= 4; lvl++)
            for (unsigned i = 0; i < LM_PER_LEVEL; i++)
                (void)pt_mod_entry(tbl[lvl][i], 9, pte(tbl[lvl - 1][below(LM_PER_LEVEL)], TBL), D1, false);
        CHECK_CONSISTENT();
        for (unsigned n = 0; n < 3 * LM_PER_LEVEL; n++) {
            unsigned lvl = 2 + below(3), i = below(LM_PER_LEVEL);
            if (ft[tbl[lvl][i]].flags & PGF_PINNED)
                CHECK_EQ((pt_unpin)(tbl[lvl][i], D1), 0);
        }
        for (unsigned lvl = 2; lvl <= 4; lvl++)
            for (unsigned i = 0; i < LM_PER_LEVEL; i++)
                if (ft[tbl[lvl][i]].flags & PGF_PINNED)
                    CHECK_EQ((pt_unpin)(tbl[lvl][i], D1), 0);
        drain_in_pieces(1 + below(20));
        CHECK_ALL_RELEASED();
        CHECK_CONSISTENT();
    }
    pt_work_limit = UINT32_MAX;
    CHECK(allowed > 2000);
    CHECK(refused > 2000);
    CHECK(cycles_refused > 100);
}

int main(void)
{
    RUN_TEST(test_get_put);
    RUN_TEST(test_adjust);
    RUN_TEST(test_pin_l1);
    RUN_TEST(test_pin_tree);
    RUN_TEST(test_get_typed);
    RUN_TEST(test_pin_errors);
    RUN_TEST(test_type_conflicts);
    RUN_TEST(test_foreign_frames);
    RUN_TEST(test_reserved_bits);
    RUN_TEST(test_hv_slots);
    RUN_TEST(test_linear_disabled);
    RUN_TEST(test_linear_tables);
    RUN_TEST(test_linear_limits);
    RUN_TEST(test_linear_partial);
    RUN_TEST(test_linear_model);
    RUN_TEST(test_preserve_ad);
    RUN_TEST(test_failure_midway);
    RUN_TEST(test_tlb_flush);
    RUN_TEST(test_released);
    RUN_TEST(test_lazy_scrub);
    RUN_TEST(test_same_entry_rewrite);
    RUN_TEST(test_random_sequences);
    RUN_TEST(test_random_trees);
    RUN_TEST(test_preempt_pin_unpin);
    RUN_TEST(test_preempt_abandon);
    RUN_TEST(test_preempt_failure);
    RUN_TEST(test_preempt_releasing_frame);
    RUN_TEST(test_preempt_random);
    return test_main_result();
}
