/*
 * grant_table_op in the fuzz guest: generators for every sub-op, the entries
 * the guest rewrites under them, what the guest learns from the statuses,
 * and the grant invariants checked between batches.
 *
 * The guest grants its own frames to itself (it is dom0, the only domain).
 * Its table is mapped writable in the grant window of lib/grant.c (L4 slot
 * 3): L1 0 holds the table's frames, L1 1 is where the checks put ordinary
 * mappings to take back grant mappings whose page-table entry other calls
 * overwrote, L1s 2 and 3 are free slots for grant mappings only. The
 * window's tables and the table's frames are protected like the
 * start-of-day region: no other generator writes to them, links them or
 * names them for CLEAR/COPY_PAGE, decrease_reservation or a transfer.
 *
 * The safety rules (with those of gen.c):
 *  - an entry lets the hypervisor write only into a frame the guest holds
 *    now, outside the protected set; any other entry is GTF_readonly,
 *    whatever else it says (accept-transfer entries name a pfn, never a
 *    frame to access). A frame the guest gives back (decrease_reservation, a
 *    transfer) turns every entry naming it read-only: the hypervisor may hand
 *    it out again as a frame of the guest's own grant table;
 *  - host mappings go only where update_va_mapping could write (the
 *    playground, window L1s 2-3, nothing that maps the protected set),
 *    GNTMAP_contains_pte only at L1 entries that mmu_update could write; an
 *    unmap's host_addr passes both tests (how it is read depends on the
 *    handle's mapping), unmap_and_replace's new_addr the first;
 *  - copies write by frame number only into frames the guest holds outside
 *    the protected set, by ref never through a pin on a frame it no longer
 *    holds (an entry in use is not read again: its pin's frame is written);
 *  - transfers give away only frames outside the protected set (a refused
 *    transfer loses the frame: the guest's count of what it holds follows
 *    the statuses);
 *  - the table grows only in single calls, so that its new frames are
 *    protected before anything else runs; setup_table's frame lists lie
 *    wholly where no write lands (it writes on past an entry that faults);
 *  - op arrays live in their own area (fz_gops, followed by an unmapped guard
 *    page) that only grant_table_op writes; a count never runs past the ops
 *    written except into the guard page.
 *
 * What the guest tracks: every handle a map returned (with its flags,
 * address and frame), until an unmap's status says it is gone; which
 * entries carry GTF_reading/GTF_writing bits it wrote itself (or that a
 * completed transfer left). Every FULL_EVERY checks and at the end, it
 * unmaps every handle it holds (putting an ordinary mapping of the frame
 * back where another call overwrote the grant's entry, in window L1 1),
 * then checks that no other entry is still marked reading or writing.
 */
#include "fuzz.h"
#include "grant.h"

_Static_assert(sizeof(gnttab_map_grant_ref_t) == 32 && sizeof(gnttab_unmap_grant_ref_t) == 24 &&
               sizeof(gnttab_transfer_t) == 24 && sizeof(gnttab_copy_t) == 40 &&
               sizeof(gnttab_unmap_and_replace_t) == 24 && sizeof(gnttab_swap_grant_ref_t) == 12 &&
               sizeof(gnttab_cache_flush_t) == 16, "op sizes as fz_gnt_print has them");

#define SELF_ID     0            /* the fuzz guest is dom0 */
#define HOT_FIRST   2            /* refs 2..65: most ops meet there */
#define HOT_REFS    64
#define GOPS_SIZE   (GOPS_PAGES * 4096)
#define MAX_GH      4096         /* tracked handles */
#define GH_INDEX    65536
#define ST_NONE     0x7777       /* a status no op wrote */
#define GD_FRAMES   8
#define FULL_EVERY  8            /* checks between full unmaps */
#define MAP_L1      2            /* window L1s 2 and 3: grant mappings only */
#define REPAIR_L1   1
#define MAX_REFS    (GNT_TABLE_MAX * 512)

unsigned char fz_gops[(GOPS_PAGES + 1) * 4096] __attribute__((aligned(4096)));
static unsigned gops_lo, gops_hi = GOPS_SIZE;
static unsigned long gdata[GD_FRAMES];   /* frames only grants name (and transfers give away) */
static unsigned pending;                  /* map ops generated in this call */
static int touched;                       /* the table may have grown */
static unsigned nr_checks;

struct gh {
    uint32_t handle, ref, flags;
    uint64_t addr, mfn;
};
static struct gh gh[MAX_GH];
static unsigned nr_gh;
static uint16_t gh_at[GH_INDEX];          /* handle -> index + 1 */
static uint8_t busy_by_guest[MAX_REFS / 8];
static uint8_t stuck_ref[MAX_REFS / 8];
static gnttab_unmap_grant_ref_t fix[MAX_GH];

static struct {
    unsigned long maps, unmaps, stale, repaired, stuck, lost, to_self, untracked, full;
    unsigned long ok_pte, ok_dev, copies, copy_err, swaps;
} gs;

static int grants_off(void) { return (fz_avoid & AVOID_GRANT) != 0; }

/* ---- small helpers ------------------------------------------------------------------------ */

static unsigned nr_ents(void) { return gnt_table_frames * 512; }

static int bit(const uint8_t *m, unsigned i) { return (m[i / 8] >> (i % 8)) & 1; }
static void set_bit(uint8_t *m, unsigned i, int on)
{
    if (on)
        m[i / 8] |= (uint8_t)(1 << (i % 8));
    else
        m[i / 8] &= (uint8_t)~(1 << (i % 8));
}

void fz_gnt_reset(void)
{
    gops_lo = 0;
    gops_hi = GOPS_SIZE;
    pending = 0;
}

/* size bytes of zeroed op area; tail: the first such buffer ends at the guard page */
static void *galloc(unsigned size, int tail)
{
    unsigned char *p;
    if (tail && gops_hi == GOPS_SIZE && size <= gops_hi - gops_lo) {
        gops_hi -= size;
        p = fz_gops + gops_hi;
    } else {
        unsigned at = (gops_lo + 15) & ~15u;
        if (size > GOPS_SIZE || at + size > gops_hi)
            return 0;
        gops_lo = at + size;
        p = fz_gops + at;
    }
    g_memset(p, 0, size);
    return p;
}

static int at_guard(const void *p, unsigned size)
{
    return (const unsigned char *)p + size == fz_gops + GOPS_SIZE;
}

int fz_in_gops(uint64_t p)
{
    return p >= (uint64_t)fz_gops && p < (uint64_t)fz_gops + GOPS_SIZE;
}

/* ---- frames ----------------------------------------------------------------------------------- */

/* May this frame be written by the hypervisor or given away? */
static int frame_safe(uint64_t mfn)
{
    return !fz_protected(mfn) && !fz_protected(mfn & 0xffffffffffUL) && mfn != fz_mem.ul4;
}

/* May a grant let the hypervisor write into it? Only a frame the guest holds
 * now: one it gave back may come back as a frame of its own grant table
 * (the hypervisor takes new table frames from the free pool). */
static int writable_ok(uint64_t mfn)
{
    return frame_safe(mfn) && fz_owned(mfn);
}

/* Frames named by an entry that allows writing (so a give-back scans the table). */
static uint8_t named_rw[FZ_MAX_MFN / 8];
/* Tracked handles per ref, and the frame their pin holds (all of a ref's
 * mappings share the frame of its first pin). */
static uint16_t pin_cnt[GNT_TABLE_MAX * 512];
static uint32_t pin_mfn[GNT_TABLE_MAX * 512];

static unsigned long window_frame(void)
{
    unsigned k = (unsigned)fz_below(6);
    return k < GNT_AREA_L1S ? gnt_l1_mfn(k) : k == 4 ? gnt_l2_mfn() : gnt_l3_mfn();
}

/* Frames of the guest that may be written: for_map, not those that must stay unmapped. */
static uint64_t safe_frame(int for_map)
{
    switch (fz_below(8)) {
    case 0:
        if (fz_nr_taken && !(for_map && (fz_avoid & AVOID_DEC_MAPPED)))
            return fz_taken[fz_below(fz_nr_taken)];
        __attribute__((fallthrough));
    case 1: return fz_mem.pool[fz_below(POOL_FRAMES)];
    case 2: return fz_below(2) ? fz_mem.pg_l1[fz_below(PG_L1S)] : (fz_below(2) ? fz_mem.pg_l2 : fz_mem.pg_l3);
    default: return gdata[fz_below(GD_FRAMES)];
    }
}

static uint64_t any_frame_raw(int for_map)
{
    switch (fz_below(16)) {
    case 8: return mm_pfn_to_mfn(fz_below(fz_mem.boot_pfns));       /* image, p2m, stack */
    case 9: return fz_mem.pt_mfn[fz_below(fz_mem.nr_pt)];             /* boot page tables */
    case 10: return gnt_table_mfn[fz_below(gnt_table_frames)];
    case 11: return window_frame();
    case 12: return fz_nr_freed ? fz_freed[fz_below(fz_nr_freed)] : fz_mem.si_mfn;   /* given back */
    case 13: return fz_below(2) ? fz_mem.si_mfn : fz_mem.hv_mfn[0] + fz_below(4);
    case 14: return fz_mem.bt_l1[fz_below(BT_L1S)];
    case 15: return d_mfn();
    default: return safe_frame(for_map);
    }
}

/* With avoid=decrease-mapped, frames taken during the run are never mapped. */
static uint64_t any_frame(int for_map)
{
    uint64_t mfn = any_frame_raw(for_map);
    if (for_map && (fz_avoid & AVOID_DEC_MAPPED) && fz_is_taken(mfn))
        mfn = fz_mem.pool[fz_below(POOL_FRAMES)];
    return mfn;
}

/* ---- entries ------------------------------------------------------------------------------------ */

static uint32_t hot_ref(void) { return HOT_FIRST + (uint32_t)fz_below(fz_chance(64) ? 8 : HOT_REFS); }

static uint32_t g_ref(void)
{
    switch (fz_below(16)) {
    case 0: return (uint32_t)fz_below(2);                   /* the reserved entries */
    case 1: return (uint32_t)fz_below(nr_ents());
    case 2: return nr_ents() + (uint32_t)fz_below(4);       /* just beyond the table */
    case 3: return (uint32_t)d_int();
    default: return hot_ref();
    }
}

static uint16_t g_dom(void)
{
    return (uint16_t)(fz_chance(224) ? SELF_ID : d_domid());
}

static void write_entry(uint32_t ref, uint16_t flags, uint16_t domid, uint32_t frame)
{
    volatile grant_entry_v1_t *e = &gnt_table[ref];
    if ((flags & GTF_type_mask) != GTF_accept_transfer && !writable_ok(frame))
        flags |= GTF_readonly;
    if (!(flags & GTF_readonly) && frame < FZ_MAX_MFN)
        set_bit(named_rw, frame, 1);
    set_bit(busy_by_guest, ref, (flags & (GTF_reading | GTF_writing)) != 0);
    e->domid = domid;
    e->frame = frame;
    __asm__ volatile("" ::: "memory");
    e->flags = flags;
    __asm__ volatile("" ::: "memory");
}

/* A usable grant of a safe frame to ourselves. */
static void grant_ok(uint32_t ref, int ro)
{
    write_entry(ref, (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0)), SELF_ID,
                (uint32_t)safe_frame(1));
}

/* The guest rewrites a few entries at random before an op. */
static void scribble(void)
{
    unsigned k = fz_chance(144) ? 1 + (unsigned)fz_below(4) : 0;
    for (unsigned i = 0; i < k; i++) {
        uint32_t ref;
        switch (fz_below(8)) {
        case 0: ref = (uint32_t)fz_below(2); break;
        case 1: ref = (uint32_t)fz_below(nr_ents()); break;
        default: ref = hot_ref(); break;
        }
        uint32_t frame = (uint32_t)any_frame(1);
        uint16_t domid = g_dom(), flags;
        switch (fz_below(16)) {
        case 0: case 1: case 2: case 3: case 4: case 5: flags = GTF_permit_access; break;
        case 6: case 7: case 8: flags = GTF_permit_access | GTF_readonly; break;
        case 9: flags = GTF_invalid; break;
        case 10:
            flags = GTF_accept_transfer;
            frame = (uint32_t)(fz_chance(200) ? fz_below(fz_mem.nr_pages + 64) : d_int());
            break;
        case 11: flags = GTF_transitive; break;
        case 12: flags = GTF_permit_access | GTF_sub_page; break;
        case 13: flags = (uint16_t)(GTF_permit_access | (fz_rand() & (GTF_PWT | GTF_PCD | GTF_PAT | GTF_readonly))); break;
        case 14: flags = (uint16_t)(GTF_permit_access | (fz_rand() & (GTF_reading | GTF_writing))); break;
        default: flags = (uint16_t)fz_rand(); break;
        }
        write_entry(ref, flags, domid, frame);
    }
}

/* ---- addresses ------------------------------------------------------------------------------------ */

/* May a grant mapping go at (or be taken from) linear address va? */
static int va_ok(uint64_t va)
{
    if (va >= GNT_AREA_BASE && va < GNT_AREA_BASE + (1UL << 39))
        return va >= gnt_va(MAP_L1, 0);         /* L1s 0 and 1 are the guest's own */
    return fz_uva_ok(va);
}

/* ... at the L1 entry of machine address ma (GNTMAP_contains_pte)? */
static int maddr_ok(uint64_t ma)
{
    uint64_t f = ma >> 12;
    if (f == gnt_l1_mfn(MAP_L1) || f == gnt_l1_mfn(MAP_L1 + 1))
        return 1;
    return fz_pt_write_ok(ma);
}

static int unmap_addr_ok(uint64_t a)
{
    return a == 0 || (va_ok(a) && maddr_ok(a));
}

static uint64_t safe_map_va(void)
{
    return fz_below(2) ? gnt_va(MAP_L1 + (unsigned)fz_below(2), (unsigned)fz_below(512))
                       : 0x0000800000000000UL + fz_below(4096);      /* not canonical */
}

static uint64_t g_map_va(void)
{
    uint64_t va;
    switch (fz_below(10)) {
    case 0: case 1: case 2: va = PG_BASE + fz_below(512 * PG_L1S) * 4096; break;
    case 3: case 4: case 5: va = gnt_va(MAP_L1 + (unsigned)fz_below(2), (unsigned)fz_below(512)); break;
    case 6: va = d_va(); break;
    case 7: va = fz_mem.vbase + fz_below(fz_mem.boot_pfns) * 4096; break;   /* protected: redirected */
    case 8: va = gnt_va((unsigned)fz_below(2), (unsigned)fz_below(512)); break;  /* the guest's own: redirected */
    default: va = d_bad_ptr(); break;
    }
    if (fz_chance(12))
        va += fz_below(4096);
    return va_ok(va) ? va : safe_map_va();
}

static uint64_t g_maddr(void)
{
    uint64_t f;
    switch (fz_below(10)) {
    case 0: case 1: case 2: f = fz_mem.pg_l1[fz_below(PG_L1S)]; break;
    case 3: case 4: case 5: f = gnt_l1_mfn(MAP_L1 + (unsigned)fz_below(2)); break;
    case 6: f = fz_mem.pt_mfn[fz_below(fz_mem.nr_pt)]; break;     /* boot tables: slots outside the protected VAs */
    case 7: f = any_frame(0); break;
    default: return d_int();
    }
    uint64_t ma = (f << 12) | (fz_chance(240) ? fz_below(512) * 8 : fz_below(4096));
    return maddr_ok(ma) ? ma : (gnt_l1_mfn(MAP_L1 + (unsigned)fz_below(2)) << 12) | (fz_below(512) * 8);
}

/* ---- what the guest holds ------------------------------------------------------------------------ */

static struct gh *gh_find(uint32_t handle)
{
    if (handle < GH_INDEX)
        return gh_at[handle] ? &gh[gh_at[handle] - 1] : 0;
    for (unsigned i = 0; i < nr_gh; i++)
        if (gh[i].handle == handle)
            return &gh[i];
    return 0;
}

static void gh_drop(struct gh *g)
{
    unsigned i = (unsigned)(g - gh);
    if (g->handle < GH_INDEX)
        gh_at[g->handle] = 0;
    if (g->ref < MAX_REFS && pin_cnt[g->ref])
        pin_cnt[g->ref]--;
    nr_gh--;
    if (i != nr_gh) {
        gh[i] = gh[nr_gh];
        if (gh[i].handle < GH_INDEX)
            gh_at[gh[i].handle] = (uint16_t)(i + 1);
    }
}

static void gh_add(uint32_t handle, uint32_t ref, uint32_t flags, uint64_t addr, uint64_t mfn)
{
    struct gh *old = gh_find(handle);
    if (old) {           /* a handle the guest thought alive was freed behind its back */
        gs.stale++;
        gh_drop(old);
    }
    if (nr_gh == MAX_GH) {
        gs.untracked++;
        return;
    }
    gh[nr_gh] = (struct gh){ .handle = handle, .ref = ref, .flags = flags, .addr = addr, .mfn = mfn };
    if (ref < MAX_REFS) {
        pin_cnt[ref]++;
        pin_mfn[ref] = (uint32_t)mfn;
    }
    if (handle < GH_INDEX)
        gh_at[handle] = (uint16_t)(nr_gh + 1);
    nr_gh++;
    gs.maps++;
}

/* An unmap of handle with these addresses returned status st. */
static void note_unmap(uint32_t handle, uint64_t host_addr, uint64_t dev_bus_addr, int16_t st)
{
    struct gh *g = gh_find(handle);
    if (st != GNTST_okay || !g)
        return;
    if (host_addr && (g->flags & GNTMAP_host_map))
        g->flags &= ~(uint32_t)GNTMAP_host_map;
    if (dev_bus_addr && (g->flags & GNTMAP_device_map))
        g->flags &= ~(uint32_t)GNTMAP_device_map;
    if (!(g->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        gh_drop(g);
        gs.unmaps++;
    }
}

static unsigned room(void)
{
    unsigned used = nr_gh + pending;
    return used < MAX_GH ? MAX_GH - used : 0;
}

/* ---- the call ------------------------------------------------------------------------------------ */

static void finish_call(uint64_t *a, struct fz_meta *m, unsigned cmd, void *ops, unsigned n, unsigned size,
                        int may_abandon)
{
    a[0] = cmd;
    if (fz_chance(16))
        a[0] |= fz_rand() << 32;                /* ignored: the command is 32-bit */
    a[1] = (uint64_t)ops;
    a[2] = n;
    if (at_guard(ops, n * size) && fz_chance(128))
        a[2] = fz_chance(200) ? n + fz_below(3) : 0x7fffffff;   /* on into the guard page */
    else if (n && fz_chance(8))
        a[2] = fz_below(n);                     /* fewer: the rest never runs */
    if (fz_chance(16))
        a[2] |= fz_rand() << 32;                /* ignored: the count is 32-bit */
    if (fz_chance(4))
        a[2] = (uint32_t)(0x80000000u + (uint32_t)fz_below(3));  /* refused before anything */
    if (fz_chance(4)) {
        a[1] = d_bad_ptr();
        if (a[1] >= guest_start_info->pt_base && a[1] < guest_start_info->pt_base + guest_start_info->nr_pt_frames * 4096)
            a[1] = 0x8000000000000000UL;        /* page-table contents read as ops could name anything */
    }
    m->kind = M_GNT;
    m->op = cmd;
    m->p = ops;
    m->n = n;
    touched = 1;
    if (may_abandon && fz_gen_depth() == 0 && fz_chance(128))
        fz_cur.abandon = 1;
}

static void off(uint64_t *a)
{
    a[0] = GNTTABOP_query_size;
    a[1] = d_bad_ptr();
    a[2] = 1;
}

/* map_grant_ref */
void fz_g_gnt_map(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t kinds[] = {
        GNTMAP_host_map, GNTMAP_host_map | GNTMAP_readonly, GNTMAP_device_map, GNTMAP_device_map | GNTMAP_readonly,
        GNTMAP_host_map | GNTMAP_device_map, GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly,
        GNTMAP_host_map | GNTMAP_contains_pte, GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_readonly,
        GNTMAP_host_map | GNTMAP_application_map, GNTMAP_host_map | GNTMAP_application_map | GNTMAP_readonly,
        GNTMAP_host_map | GNTMAP_device_map | GNTMAP_contains_pte, 0, GNTMAP_readonly, GNTMAP_contains_pte,
    };
    unsigned n, r = room();
    int big = 0;
    *nr = __HYPERVISOR_grant_table_op;
    if (grants_off()) {
        off(a);
        return;
    }
    scribble();
    if (r >= 256 && fz_chance(6)) {
        n = 256 + (unsigned)fz_below(r - 256 < 1200 ? r - 256 + 1 : 1200);
        big = 1;
    } else {
        n = (unsigned)(fz_chance(32) ? 5 + fz_below(60) : 1 + fz_below(4));
        if (n > r)
            n = r;
    }
    int tail = fz_chance(16);
    gnttab_map_grant_ref_t *ops = galloc(n * sizeof(*ops), tail);
    if (!ops && big) {
        n = 4 < r ? 4 : r;
        big = 0;
        ops = galloc(n * sizeof(*ops), tail);
    }
    if (!ops || !n) {
        off(a);
        return;
    }
    pending += n;
    if (big) {
        /* Many device mappings (and some host ones) of a few grants: the
         * batch stops and continues; 128 uses of a kind fill a grant. */
        unsigned k = 1 + (unsigned)fz_below(12);
        uint32_t first = hot_ref();
        for (unsigned j = 0; j < k; j++)
            if (first + j < nr_ents())
                grant_ok(first + j, fz_chance(32));
        for (unsigned i = 0; i < n; i++) {
            ops[i].ref = first + (uint32_t)fz_below(k);
            ops[i].dom = SELF_ID;
            ops[i].flags = GNTMAP_device_map | (fz_below(2) ? GNTMAP_readonly : 0);
            if (fz_chance(8)) {
                ops[i].flags |= GNTMAP_host_map;
                ops[i].host_addr = gnt_va(MAP_L1 + (unsigned)fz_below(2), (unsigned)fz_below(512));
            }
            ops[i].status = ST_NONE;
            ops[i].handle = 0xdeadbeef;
        }
        if (fz_chance(16))
            scribble();
    } else {
        for (unsigned i = 0; i < n; i++) {
            gnttab_map_grant_ref_t *o = &ops[i];
            o->flags = fz_chance(240) ? (uint32_t)FZ_PICK(kinds) : (uint32_t)fz_rand();
            if (fz_chance(24))
                o->flags |= (uint32_t)fz_below(8) << _GNTMAP_guest_avail0;
            o->ref = g_ref();
            o->dom = g_dom();
            if (o->ref >= HOT_FIRST && o->ref < HOT_FIRST + HOT_REFS && fz_chance(64))
                grant_ok(o->ref, (o->flags & GNTMAP_readonly) != 0);
            if (o->flags & GNTMAP_host_map)
                o->host_addr = (o->flags & GNTMAP_contains_pte) ? g_maddr() : g_map_va();
            else
                o->host_addr = fz_chance(32) ? d_int() : 0;   /* not looked at */
            o->status = ST_NONE;
            o->handle = 0xdeadbeef;
            o->dev_bus_addr = fz_rand();
        }
    }
    finish_call(a, m, GNTTABOP_map_grant_ref, ops, n, sizeof(*ops), big);
}

/* unmap_grant_ref and unmap_and_replace */
void fz_g_gnt_unmap(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    *nr = __HYPERVISOR_grant_table_op;
    if (grants_off()) {
        off(a);
        return;
    }
    scribble();
    int replace = fz_chance(48), all = !replace && nr_gh > 16 && fz_chance(16);
    unsigned n = all ? nr_gh : (unsigned)(fz_chance(32) ? 5 + fz_below(60) : 1 + fz_below(4));
    int tail = fz_chance(16);
    if (replace) {
        gnttab_unmap_and_replace_t *ops = galloc(n * sizeof(*ops), tail);
        if (!ops) {
            off(a);
            return;
        }
        for (unsigned i = 0; i < n; i++) {
            const struct gh *g = nr_gh ? &gh[fz_below(nr_gh)] : 0;
            ops[i].handle = g && fz_chance(220) ? g->handle : (uint32_t)(fz_chance(128) ? fz_below(64) : d_int());
            ops[i].host_addr = g && fz_chance(200) ? g->addr : g_map_va();
            if (!unmap_addr_ok(ops[i].host_addr))
                ops[i].host_addr = 0;
            switch (fz_below(6)) {
            case 0: ops[i].new_addr = 0; break;
            case 1: ops[i].new_addr = nr_gh ? gh[fz_below(nr_gh)].addr : 0; break;   /* another grant mapping */
            default: ops[i].new_addr = g_map_va(); break;
            }
            if (ops[i].new_addr && !va_ok(ops[i].new_addr))
                ops[i].new_addr = safe_map_va();
            ops[i].status = ST_NONE;
        }
        finish_call(a, m, GNTTABOP_unmap_and_replace, ops, n, sizeof(*ops), 0);
        return;
    }
    gnttab_unmap_grant_ref_t *ops = galloc(n * sizeof(*ops), tail);
    if (!ops) {
        off(a);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        gnttab_unmap_grant_ref_t *o = &ops[i];
        const struct gh *g = all ? &gh[i] : nr_gh ? &gh[fz_below(nr_gh)] : 0;
        if (g && (all || fz_chance(200))) {
            o->handle = g->handle;
            o->host_addr = (g->flags & GNTMAP_host_map) ? g->addr : 0;
            o->dev_bus_addr = (g->flags & GNTMAP_device_map) ? g->mfn << 12 : 0;
            if (!all) {
                switch (fz_below(10)) {
                case 0: o->host_addr = 0; break;                                   /* device half only */
                case 1: o->dev_bus_addr = 0; break;                                /* host half only */
                case 2: o->host_addr = g_map_va(); break;                          /* another address */
                case 3: o->host_addr = nr_gh ? gh[fz_below(nr_gh)].addr : 0; break;   /* another mapping's */
                case 4: o->dev_bus_addr = (g->mfn << 12) + (fz_below(2) ? 0x1000 : fz_below(4096) + 1); break;
                case 5: o->dev_bus_addr = fz_rand(); break;
                case 6: o->handle = gh[fz_below(nr_gh)].handle; break;             /* another handle */
                default: break;
                }
            }
        } else {
            o->handle = (uint32_t)(fz_chance(128) ? fz_below(300) : d_int());
            o->host_addr = fz_below(2) ? g_map_va() : 0;
            o->dev_bus_addr = fz_below(2) ? any_frame(0) << 12 : 0;
        }
        if (!unmap_addr_ok(o->host_addr))
            o->host_addr = 0;
        o->status = ST_NONE;
    }
    finish_call(a, m, GNTTABOP_unmap_grant_ref, ops, n, sizeof(*ops), all);
}

/* copy */
void fz_g_gnt_copy(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t offs[] = { 0, 0, 1, 8, 2048, 4088, 4095, 4096, 0xffff };
    static const uint64_t lens[] = { 0, 1, 8, 64, 4096, 4096, 4097, 0xffff, 4000 };
    *nr = __HYPERVISOR_grant_table_op;
    if (grants_off()) {
        off(a);
        return;
    }
    scribble();
    unsigned n = (unsigned)(fz_chance(8) ? 100 + fz_below(400) : fz_chance(32) ? 5 + fz_below(30) : 1 + fz_below(4));
    gnttab_copy_t *ops = galloc(n * sizeof(*ops), fz_chance(16));
    if (!ops) {
        off(a);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        gnttab_copy_t *o = &ops[i];
        o->flags = (uint16_t)(fz_chance(240) ? fz_below(4) : fz_rand());
        if (o->flags & GNTCOPY_source_gref) {
            o->source.u.ref = g_ref();
            o->source.domid = g_dom();
        } else {
            o->source.u.gmfn = any_frame(0);
            o->source.domid = (uint16_t)(fz_chance(224) ? DOMID_SELF : d_domid());
        }
        if (o->flags & GNTCOPY_dest_gref) {
            o->dest.u.ref = g_ref();
            o->dest.domid = g_dom();
            /* a ref in use writes into the frame of its pin, whatever the entry says now */
            if (o->dest.u.ref < MAX_REFS && pin_cnt[o->dest.u.ref] && !writable_ok(pin_mfn[o->dest.u.ref]))
                o->dest.u.ref = nr_ents() + (uint32_t)fz_below(4);
        } else {
            o->dest.u.gmfn = fz_chance(200) ? safe_frame(0) : any_frame(0);
            for (unsigned t = 0; t < 4 && !writable_ok(o->dest.u.gmfn); t++)
                o->dest.u.gmfn = safe_frame(0);
            if (!writable_ok(o->dest.u.gmfn))
                o->dest.u.gmfn = 0xffffffffffUL;   /* no such frame */
            o->dest.domid = (uint16_t)(fz_chance(224) ? DOMID_SELF : d_domid());
        }
        o->source.offset = fz_chance(128) ? (uint16_t)fz_below(4096) : (uint16_t)FZ_PICK(offs);
        o->dest.offset = fz_chance(128) ? (uint16_t)fz_below(4096) : (uint16_t)FZ_PICK(offs);
        o->len = fz_chance(96) ? (uint16_t)fz_below(4097) : (uint16_t)FZ_PICK(lens);
        if (fz_chance(64)) {   /* fits both pages */
            unsigned hi = o->source.offset > o->dest.offset ? o->source.offset : o->dest.offset;
            o->len = hi < 4096 ? (uint16_t)fz_below(4096 - hi + 1) : 0;
        }
        o->status = ST_NONE;
    }
    finish_call(a, m, GNTTABOP_copy, ops, n, sizeof(*ops), n >= 100);
}

/* transfer: the frames given are outside the protected set */
void fz_g_gnt_transfer(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    *nr = __HYPERVISOR_grant_table_op;
    if (grants_off()) {
        off(a);
        return;
    }
    scribble();
    unsigned n = (unsigned)(fz_chance(16) ? 5 + fz_below(12) : 1 + fz_below(3));
    gnttab_transfer_t *ops = galloc(n * sizeof(*ops), fz_chance(16));
    if (!ops) {
        off(a);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        gnttab_transfer_t *o = &ops[i];
        switch (fz_below(10)) {
        case 0: case 1: case 2: o->mfn = gdata[fz_below(GD_FRAMES)]; break;
        case 3: case 4: o->mfn = fz_nr_taken ? fz_taken[fz_below(fz_nr_taken)] : gdata[0]; break;
        case 5: o->mfn = safe_frame(0); break;
        case 6: o->mfn = fz_nr_freed ? fz_freed[fz_below(fz_nr_freed)] : 0; break;
        case 7: o->mfn = d_mfn(); break;
        case 8: o->mfn = fz_mem.si_mfn; break;          /* the hypervisor's page shared with the guest: refused */
        default: o->mfn = any_frame(0); break;
        }
        if (!frame_safe(o->mfn) && o->mfn != fz_mem.si_mfn)
            o->mfn = gdata[fz_below(GD_FRAMES)];
        o->domid = g_dom();
        o->ref = g_ref();
        if (o->ref < nr_ents() && fz_chance(160))      /* an entry that accepts it */
            write_entry(o->ref, GTF_accept_transfer, fz_chance(240) ? SELF_ID : (uint16_t)d_domid(),
                        (uint32_t)(fz_chance(200) ? fz_below(fz_mem.nr_pages + 64) : d_int()));
        o->status = ST_NONE;
    }
    finish_call(a, m, GNTTABOP_transfer, ops, n, sizeof(*ops), 0);
}

/* A frame list nothing of which can be written. setup_table writes every
 * entry it can, as Xen does, past the ones that fault: a list that starts in
 * an unmapped page and runs on into mapped memory would be written there. */
static uint64_t list_bad_ptr(void)
{
    switch (fz_below(5)) {
    case 0: return 0x0000800000000000UL + fz_below(4096) * 8;           /* not canonical */
    case 1: return 0xffff800000000000UL + fz_below(1 << 20) * 8;        /* the hypervisor's */
    case 2: return guest_start_info->pt_base + fz_below((guest_start_info->nr_pt_frames * 4096 - 66 * 8) / 8) * 8;   /* read-only */
    case 3: return (uint64_t)fz_gops + GOPS_SIZE + fz_below(64) * 8;  /* the guard page, all 66 entries inside it */
    default: return 0xfffffffffffffff8UL;
    }
}

/* setup_table, query_size, versions, status frames, dump_table, swap, cache_flush, unknown */
void fz_g_gnt_misc(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    *nr = __HYPERVISOR_grant_table_op;
    if (grants_off()) {
        off(a);
        return;
    }
    scribble();
    touched = 1;
    a[2] = fz_chance(224) ? 1 : d_count();
    switch (fz_below(16)) {
    case 0: case 1: {
        gnttab_setup_table_t *op = galloc(sizeof(*op), 0);
        unsigned k = fz_chance(32) ? (unsigned)fz_below(8) : 66;
        xen_pfn_t *list = galloc(k * sizeof(xen_pfn_t), k < 66);
        if (list && k < 66 && !at_guard(list, k * sizeof(xen_pfn_t)))
            list = 0;       /* a short list only where it runs into the guard page */
        if (!op || !list)
            break;
        op->dom = (domid_t)(fz_chance(160) ? DOMID_SELF : fz_chance(128) ? SELF_ID : d_domid());
        /* Growth only in a single call: its new frames are protected before
         * the next call (inside a multicall, a later entry could still write
         * to a frame the guest gave back earlier that is now in its table). */
        switch (fz_gen_depth() ? 3 : fz_below(32)) {
        case 0: op->nr_frames = fz_chance(16) ? GNT_TABLE_MAX : gnt_table_frames; break;   /* all at once */
        case 1: case 2: op->nr_frames = GNT_TABLE_MAX + 1 + (uint32_t)fz_below(2); break;   /* too many */
        case 3: case 4: case 5: case 6: op->nr_frames = (uint32_t)fz_below(gnt_table_frames + 1); break;
        case 7: op->nr_frames = (uint32_t)d_int() | 0x100; break;                     /* far too many */
        case 8: case 9: op->nr_frames = gnt_table_frames + 2 + (uint32_t)fz_below(3); break;
        default: op->nr_frames = gnt_table_frames + 1; break;                         /* one more */
        }
        op->status = ST_NONE;
        set_xen_guest_handle(op->frame_list, fz_chance(220) ? list : (xen_pfn_t *)list_bad_ptr());
        a[0] = GNTTABOP_setup_table;
        a[1] = (uint64_t)op;
        return;
    }
    case 2: {
        gnttab_query_size_t *op = galloc(sizeof(*op), fz_chance(32));
        if (!op)
            break;
        op->dom = (domid_t)(fz_chance(160) ? DOMID_SELF : d_domid());
        op->status = ST_NONE;
        a[0] = GNTTABOP_query_size;
        a[1] = (uint64_t)op;
        return;
    }
    case 3: case 4: {
        gnttab_set_version_t *op = galloc(sizeof(*op), 0);
        gnttab_get_version_t *gv = galloc(sizeof(*gv), 0);
        if (!op || !gv)
            break;
        if (fz_below(2)) {
            op->version = (uint32_t)(fz_chance(200) ? fz_below(4) : d_int());
            a[0] = GNTTABOP_set_version;
            a[1] = (uint64_t)op;
        } else {
            gv->dom = (domid_t)(fz_chance(160) ? DOMID_SELF : d_domid());
            a[0] = GNTTABOP_get_version;
            a[1] = (uint64_t)gv;
        }
        a[2] = d_count();
        return;
    }
    case 5: {
        gnttab_get_status_frames_t *op = galloc(sizeof(*op), 0);
        if (!op)
            break;
        op->dom = (domid_t)(fz_chance(160) ? DOMID_SELF : d_domid());
        op->nr_frames = (uint32_t)(fz_chance(128) ? fz_below(2) : d_int());
        set_xen_guest_handle(op->frame_list, (uint64_t *)d_ptr(64));
        op->status = ST_NONE;
        a[0] = GNTTABOP_get_status_frames;
        a[1] = (uint64_t)op;
        return;
    }
    case 6: {   /* swap_grant_ref */
        unsigned n = (unsigned)(fz_chance(32) ? 5 + fz_below(40) : 1 + fz_below(4));
        gnttab_swap_grant_ref_t *ops = galloc(n * sizeof(*ops), fz_chance(16));
        if (!ops)
            break;
        for (unsigned i = 0; i < n; i++) {
            ops[i].ref_a = g_ref();
            ops[i].ref_b = fz_chance(16) ? ops[i].ref_a : g_ref();
            ops[i].status = ST_NONE;
        }
        finish_call(a, m, GNTTABOP_swap_grant_ref, ops, n, sizeof(*ops), 0);
        return;
    }
    case 7: case 8: {   /* cache_flush, with a continuation's progress in the command */
        static const uint64_t opv[] = { GNTTAB_CACHE_CLEAN, GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_INVAL, GNTTAB_CACHE_INVAL,
                                        0, GNTTAB_CACHE_SOURCE_GREF | GNTTAB_CACHE_CLEAN, 4 };
        unsigned n = (unsigned)(fz_chance(16) ? 100 + fz_below(500) : 1 + fz_below(4));
        struct gnttab_cache_flush *ops = galloc(n * sizeof(*ops), fz_chance(16));
        if (!ops)
            break;
        for (unsigned i = 0; i < n; i++) {
            ops[i].a.dev_bus_addr = (any_frame(0) << 12) | (fz_chance(32) ? fz_below(4096) : 0);
            ops[i].offset = (uint16_t)(fz_chance(160) ? fz_below(64) * 64 : d_int());
            ops[i].length = (uint16_t)(fz_chance(160) ? fz_below(4097 - ops[i].offset % 4097) : d_int());
            ops[i].op = fz_chance(240) ? (uint32_t)FZ_PICK(opv) : (uint32_t)fz_rand();
        }
        finish_call(a, m, GNTTABOP_cache_flush, ops, n, sizeof(*ops), n >= 100);
        if (fz_chance(64))
            a[0] |= (fz_chance(128) ? fz_below(8) * 4096 : fz_below(1 << 20)) << 12;
        return;
    }
    case 9: {   /* a sub-op with continuation bits it may not have */
        static const uint64_t cmds[] = { GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_copy,
                                         GNTTABOP_transfer, GNTTABOP_setup_table, GNTTABOP_swap_grant_ref };
        a[0] = FZ_PICK(cmds) | ((1 + fz_below(0xfffff)) << 12);
        a[1] = d_ptr(64);
        return;
    }
    case 10: {  /* dump_table, sub-ops beyond 12 */
        static const uint64_t cmds[] = { GNTTABOP_dump_table, 13, 14, 15, 16, 0xfff, 0x7fffffff };
        a[0] = FZ_PICK(cmds);
        a[1] = d_ptr(64);
        return;
    }
    default:
        break;
    }
    /* query_size of ourselves, with a count that may be wrong */
    gnttab_query_size_t *op = galloc(sizeof(*op), 0);
    a[0] = GNTTABOP_query_size;
    a[1] = op ? (uint64_t)op : d_bad_ptr();
    if (op)
        op->dom = DOMID_SELF;
}

/* ---- after the call ----------------------------------------------------------------------------- */

void fz_gnt_post(const struct fz_meta *m)
{
    if (!fz_in_gops((uint64_t)m->p))
        return;
    switch (m->op) {
    case GNTTABOP_map_grant_ref: {
        const gnttab_map_grant_ref_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++)
            if (o[i].status == GNTST_okay) {
                gh_add(o[i].handle, o[i].ref, o[i].flags & 0x1f, o[i].host_addr, o[i].dev_bus_addr >> 12);
                gs.ok_pte += (o[i].flags & (GNTMAP_host_map | GNTMAP_contains_pte)) == (GNTMAP_host_map | GNTMAP_contains_pte);
                gs.ok_dev += (o[i].flags & GNTMAP_device_map) != 0;
            }
        break;
    }
    case GNTTABOP_copy: {
        const gnttab_copy_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++) {
            gs.copies += o[i].status == GNTST_okay;
            gs.copy_err += o[i].status != GNTST_okay && o[i].status != ST_NONE;
        }
        break;
    }
    case GNTTABOP_unmap_grant_ref: {
        const gnttab_unmap_grant_ref_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++)
            if (o[i].status != ST_NONE)
                note_unmap(o[i].handle, o[i].host_addr, o[i].dev_bus_addr, o[i].status);
        break;
    }
    case GNTTABOP_unmap_and_replace: {
        const gnttab_unmap_and_replace_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++)
            if (o[i].status != ST_NONE)
                note_unmap(o[i].handle, o[i].host_addr, 0, o[i].status);
        break;
    }
    case GNTTABOP_transfer: {
        /* Only GNTST_bad_page leaves the frame where it was: any other status
         * means it was taken; GNTST_okay to ourselves gives it back. */
        const gnttab_transfer_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++) {
            if (o[i].status == ST_NONE || o[i].status == GNTST_bad_page)
                continue;
            if (o[i].status == GNTST_okay && o[i].domid == SELF_ID) {
                fz_set_owned(o[i].mfn, 1);
                if (o[i].ref < MAX_REFS)
                    set_bit(busy_by_guest, o[i].ref, 1);   /* GTF_transfer_completed is GTF_reading's bit */
                gs.to_self++;
                continue;
            }
            if (fz_owned(o[i].mfn))
                fz_set_owned(o[i].mfn, 0);
            else if (fz_anon > 0)
                fz_anon--;
            fz_gnt_frame_gone(o[i].mfn);
            fz_note_freed(o[i].mfn);
            fz_held--;
            gs.lost++;
        }
        break;
    }
    case GNTTABOP_swap_grant_ref: {
        const gnttab_swap_grant_ref_t *o = m->p;
        for (unsigned i = 0; i < m->n; i++) {
            if (o[i].status != GNTST_okay || o[i].ref_a >= MAX_REFS || o[i].ref_b >= MAX_REFS)
                continue;
            gs.swaps++;
            int ba = bit(busy_by_guest, o[i].ref_a), bb = bit(busy_by_guest, o[i].ref_b);
            set_bit(busy_by_guest, o[i].ref_a, bb);
            set_bit(busy_by_guest, o[i].ref_b, ba);
        }
        break;
    }
    }
}

void fz_gnt_touch(void) { touched = 1; }

/* Frame mfn is no longer the guest's: no entry may let it be written (the
 * frame may come back as a grant table frame; mappings already made keep
 * their pin, which the copy generator steers clear of). */
void fz_gnt_frame_gone(unsigned long mfn)
{
    if (mfn >= FZ_MAX_MFN || !bit(named_rw, (unsigned)mfn))
        return;
    set_bit(named_rw, (unsigned)mfn, 0);
    for (unsigned r = 0; r < nr_ents(); r++) {
        volatile grant_entry_v1_t *e = &gnt_table[r];
        if (e->frame == mfn && (e->flags & GTF_type_mask) != GTF_accept_transfer)
            e->flags |= GTF_readonly;
    }
}

/* The table may have grown (setup_table, or junk that grew it): map the new frames. */
void fz_gnt_sync(void)
{
    gnttab_query_size_t q;
    int16_t st;

    if (!touched)
        return;
    touched = 0;
    g_memset(&q, 0, sizeof(q));
    q.dom = DOMID_SELF;
    long rc = gnt_op(GNTTABOP_query_size, &q, 1);
    if (rc || q.status || q.nr_frames > GNT_TABLE_MAX)
        fz_fail("grant table: query_size rc %ld status %d frames %u", rc, q.status, q.nr_frames);
    if (q.nr_frames <= gnt_table_frames)
        return;
    unsigned was = gnt_table_frames;
    rc = gnt_table_setup(q.nr_frames, &st);
    if (rc || st || gnt_table_frames != q.nr_frames)
        fz_fail("grant table: mapping frames %u..%u: rc %ld status %d", was, q.nr_frames - 1, rc, st);
    for (unsigned i = was; i < gnt_table_frames; i++) {
        /* A new table frame comes from the free pool: never a frame the guest still holds. */
        if (fz_owned(gnt_table_mfn[i]) || fz_protected(gnt_table_mfn[i]))
            fz_fail("invariant: grant table frame %u is %#lx, a frame the guest holds%s", i, gnt_table_mfn[i],
                    fz_protected(gnt_table_mfn[i]) ? " (in its protected set)" : "");
        fz_set_protected(gnt_table_mfn[i]);
        fz_gnt_frame_gone(gnt_table_mfn[i]);
    }
}

/* ---- set-up ---------------------------------------------------------------------------------------- */

void fz_gnt_setup(void)
{
    int16_t st;
    long rc = gnt_area_init();
    if (rc)
        fz_fail("set-up: grant window: %ld", rc);
    fz_set_protected(gnt_l3_mfn());
    fz_set_protected(gnt_l2_mfn());
    for (unsigned i = 0; i < GNT_AREA_L1S; i++)
        fz_set_protected(gnt_l1_mfn(i));
    rc = gnt_table_setup(1, &st);
    if (rc || st)
        fz_fail("set-up: grant table: rc %ld status %d", rc, st);
    fz_set_protected(gnt_table_mfn[0]);
    for (unsigned i = 0; i < GD_FRAMES; i++) {
        gdata[i] = mm_alloc_mfn();
        if (gdata[i] == MM_INVALID || mm_zero_frame(gdata[i]))
            fz_fail("set-up: no frame for grants");
    }
    rc = HYPERVISOR_update_va_mapping((unsigned long)fz_gops + GOPS_SIZE, 0, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        fz_fail("set-up: unmapping the grant ops' guard page: rc %ld", rc);
    /* a few usable grants to start with */
    for (uint32_t r = HOT_FIRST; r < HOT_FIRST + HOT_REFS; r++)
        grant_ok(r, r & 1);
}

/* ---- invariants -------------------------------------------------------------------------------------- */

static void unmap_one(const struct gh *g, uint64_t host_addr, gnttab_unmap_grant_ref_t *op)
{
    g_memset(op, 0, sizeof(*op));
    op->handle = g->handle;
    op->host_addr = (g->flags & GNTMAP_host_map) ? host_addr : 0;
    op->dev_bus_addr = (g->flags & GNTMAP_device_map) ? g->mfn << 12 : 0;
    op->status = ST_NONE;
}

/* Unmap every tracked handle; those whose entry another call overwrote get an
 * ordinary mapping of their frame in window L1 1 to be unmapped from. */
static void full_unmap(void)
{
    unsigned n = nr_gh, k = 0;
    static uint32_t handles[MAX_GH];

    for (unsigned i = 0; i < n; i++) {
        handles[i] = gh[i].handle;
        unmap_one(&gh[i], unmap_addr_ok(gh[i].addr) ? gh[i].addr : 0, &fix[i]);
    }
    long rc = n ? gnt_op(GNTTABOP_unmap_grant_ref, fix, n) : 0;
    if (rc)
        fz_fail("grant check: unmapping %u handles: rc %ld", n, rc);
    for (unsigned i = 0; i < n; i++) {
        if (fix[i].status == GNTST_bad_handle) {
            struct gh *g = gh_find(handles[i]);
            if (g) {
                gs.stale++;
                gh_drop(g);
            }
        } else if (fix[i].status != GNTST_okay && fix[i].status != GNTST_general_error) {
            fz_fail("grant check: unmap of handle %#x (host %#lx bus %#lx) gave status %d", handles[i],
                    (unsigned long)fix[i].host_addr, (unsigned long)fix[i].dev_bus_addr, fix[i].status);
        } else {
            note_unmap(handles[i], fix[i].host_addr, fix[i].dev_bus_addr, fix[i].status);
        }
    }
    /* what is left: its page-table entry no longer maps the frame */
    for (unsigned i = 0; i < nr_gh;) {
        struct gh *g = &gh[i];
        unsigned long va = gnt_va(REPAIR_L1, k++ % 512);
        int ro = (g->flags & GNTMAP_readonly) != 0;
        gnttab_unmap_grant_ref_t op;
        if (!(g->flags & GNTMAP_host_map) || gnt_set_pte(va, mm_pte(g->mfn, ro ? MM_RO_FLAGS : MM_RW_FLAGS))) {
            i++;
            continue;
        }
        unmap_one(g, (g->flags & GNTMAP_contains_pte) ? gnt_pte_maddr(va) : va, &op);
        uint32_t h = g->handle;
        rc = gnt_op(GNTTABOP_unmap_grant_ref, &op, 1);
        if (rc || op.status != GNTST_okay) {
            gnt_set_pte(va, 0);
            i++;
            continue;
        }
        if (gnt_pte(va))
            fz_fail("grant check: the unmap of handle %#x left entry %#lx at %#lx", h, gnt_pte(va), va);
        gs.repaired++;
        note_unmap(h, op.host_addr, op.dev_bus_addr, op.status);   /* gh[i] now holds another handle */
        if (i < nr_gh && gh[i].handle == h)
            i++;
    }
    gs.stuck = nr_gh;
}

void fz_gnt_check(int final)
{
    if (!gnt_table_frames)
        return;
    /* the guest's own view of its table is intact */
    for (unsigned i = 0; i < gnt_table_frames; i++) {
        unsigned long e = gnt_pte(GNT_TABLE_VA + i * 4096UL);
        if (!(e & MM_P) || !(e & MM_RW) || mm_pte_mfn(e) != gnt_table_mfn[i])
            fz_fail("invariant: grant table frame %u (%#lx) mapped by %#lx", i, gnt_table_mfn[i], e);
    }
    if (!final && ++nr_checks % FULL_EVERY)
        return;
    gs.full++;
    full_unmap();
    /* No entry may still be marked in use but those of mappings the guest
     * could not take back, or whose bits it wrote itself. */
    g_memset(stuck_ref, 0, sizeof(stuck_ref));
    for (unsigned i = 0; i < nr_gh; i++)
        if (gh[i].ref < MAX_REFS)
            set_bit(stuck_ref, gh[i].ref, 1);
    for (unsigned r = 0; r < nr_ents(); r++) {
        if (bit(busy_by_guest, r) || bit(stuck_ref, r))
            continue;
        uint16_t f = gnt_flags(r);
        if (f & (GTF_reading | GTF_writing))
            fz_fail("invariant: grant ref %u still marked %s%s (flags %#x, frame %#x) with every mapping of it gone",
                    r, f & GTF_reading ? "reading " : "", f & GTF_writing ? "writing" : "", f, gnt_table[r].frame);
    }
    printk("fuzz: grants: table %u frames; handles mapped %lu (%lu contains_pte, %lu device), unmapped %lu, taken "
           "back %lu, still held %lu, stale %lu, untracked %lu; copies %lu done, %lu refused; swaps %lu; "
           "transfers: %lu frames lost, %lu to itself\n", gnt_table_frames, gs.maps, gs.ok_pte, gs.ok_dev, gs.unmaps,
           gs.repaired, gs.stuck, gs.stale, gs.untracked, gs.copies, gs.copy_err, gs.swaps, gs.lost, gs.to_self);
}

/* ---- tracing --------------------------------------------------------------------------------------- */

void fz_gnt_print(uint64_t cmd, uint64_t p, uint64_t count)
{
    static const unsigned size[] = { 32, 24, 0, 0, 24, 40, 0, 24, 0, 0, 0, 12, 16 };
    unsigned c = (unsigned)(cmd & 0xfff);
    if (!fz_in_gops(p) || c >= sizeof(size) / sizeof(size[0]) || !size[c])
        return;
    for (unsigned i = 0; i < (uint32_t)count && i < 6; i++) {
        uint64_t at = p + (uint64_t)i * size[c];
        if (at + size[c] > (uint64_t)fz_gops + GOPS_SIZE)
            break;
        const uint32_t *w = (const uint32_t *)at;
        char buf[200];
        int len = 0;
        for (unsigned k = 0; k < size[c] / 4; k++)
            len += snformat(buf + len, sizeof(buf) - (size_t)len, " %08x", w[k]);
        printk("      op[%u]%s\n", i, buf);
    }
}
