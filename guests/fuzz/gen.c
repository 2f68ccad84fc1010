/*
 * One generator per hypercall.  Every generator draws from the dictionary and
 * then applies the safety rules that keep the guest alive (the point is to
 * stress the hypervisor, not to commit suicide):
 *  - nothing writes to the protected set: the frames of the start-of-day
 *    region (image, p2m, start_info, boot page tables, boot stack); pointers
 *    the hypervisor writes through are sink buffers or hostile addresses;
 *  - page-table entries that map the protected set are never changed
 *    (mmu_update targets, update_va_mapping addresses, checked by a walk);
 *  - the kernel L4 never changes; the trap table, callbacks and kernel stack
 *    are put back after every call (and at the end of every multicall) that
 *    may have changed them;
 *  - no SCHEDOP_shutdown, VCPUOP_down of vCPU 0, watchdogs or remote
 *    shutdowns of itself; blocking calls always have a wake-up.
 */
#include "fuzz.h"
#include "grant.h"

static int depth;   /* 0: a single call, 1: a multicall entry, 2: in a nested multicall */
static int need_fixup;
static int mc_has_user_base;

/* ---- page-table walk without the M2P (the fuzzer may rewrite it) ---------------------- */

static int boot_pt_index(unsigned long mfn)
{
    for (unsigned i = 0; i < fz_mem.nr_pt; i++)
        if (fz_mem.pt_mfn[i] == mfn)
            return (int)i;
    return -1;
}

/* Entry idx of table frame mfn; 0 ok, -1 unreadable. */
static int read_entry(unsigned long mfn, unsigned idx, unsigned long *e)
{
    int k = boot_pt_index(mfn);
    if (k >= 0) {
        *e = ((const volatile unsigned long *)fz_mem.pt_va[k])[idx];
        return 0;
    }
    const volatile unsigned long *p = mm_scratch_map(mfn, MM_RO_FLAGS);
    if (!p)
        return -1;
    *e = p[idx];
    mm_scratch_unmap();
    return 0;
}

/* The L1 frame and index update_va_mapping(va) would change: 0 found, 1 not
 * present on the way, -1 unknown. */
static int walk_l1(unsigned long va, unsigned long *l1, unsigned *idx)
{
    unsigned long mfn = fz_mem.cur_l4, e;
    for (int l = 4; l >= 2; l--) {
        if (read_entry(mfn, mm_index(va, l), &e))
            return -1;
        if (!(e & MM_P))
            return 1;
        if (e & MM_PS)
            return -1;
        mfn = mm_pte_mfn(e);
    }
    *l1 = mfn;
    *idx = mm_index(va, 1);
    return 0;
}

static int canonical(unsigned long va)
{
    return ((long)(va << 16) >> 16) == (long)va;
}

static int in_prot(unsigned long lo, unsigned long span)
{
    /* The last byte, not the end: the span of L4 slot 511 ends at 2^64. */
    return lo < fz_mem.prot_end && lo + (span - 1) >= fz_mem.vbase;
}

int fz_va_unmapped(unsigned long va)
{
    unsigned long l1, e;
    unsigned idx;
    if (!canonical(va) || (va >= 0xffff800000000000UL && va < 0xffff880000000000UL))
        return 1;
    int w = walk_l1(va, &l1, &idx);
    if (w)
        return w == 1;
    return read_entry(l1, idx, &e) == 0 && !(e & MM_P);
}

/* May update_va_mapping touch va? */
static int uva_ok(unsigned long va)
{
    unsigned long l1;
    unsigned idx;
    if (!canonical(va) || (va >= 0xffff800000000000UL && va < 0xffff880000000000UL))
        return 1;
    if (in_prot(va & ~0xfffUL, 4096))
        return 0;
    int w = walk_l1(va, &l1, &idx);
    if (w)
        return w == 1;
    int k = boot_pt_index(l1);
    if (k < 0)
        return !fz_protected(l1);   /* the grant window's tables (gnt.c) */
    return !in_prot(fz_mem.pt_base_va[k] + idx * 4096UL, 4096);
}

int fz_uva_ok(unsigned long va) { return uva_ok(va); }

/* ---- mmu_update ------------------------------------------------------------------------- */

static unsigned long pg_table(void)
{
    switch (fz_below(5)) {
    case 0: return fz_mem.pg_l3;
    case 1: return fz_mem.pg_l2;
    case 2: case 3: return fz_mem.pg_l1[fz_below(PG_L1S)];
    default: return fz_mem.pool[fz_below(POOL_FRAMES)];
    }
}

static uint64_t pg_entry_ptr(void)
{
    return (pg_table() << 12) | (fz_below(512) * 8);
}

/* Is a page-table write at machine address ptr allowed? */
static int pt_write_ok(uint64_t ptr)
{
    unsigned long f[2] = { ptr >> 12, (ptr & MM_ADDR_MASK) >> 12 };
    for (int i = 0; i < 2; i++) {
        if (!fz_protected(f[i]))
            continue;
        int k = boot_pt_index(f[i]);
        if (k < 0)
            return 0;
        unsigned idx = (unsigned)((ptr & 0xff8) >> 3);
        if (f[i] == fz_mem.cur_l4 && (idx == GNT_AREA_SLOT || idx == PX_SLOT))
            return 0;               /* the grant window (gnt.c), the instruction steps' tables (priv.c) */
        unsigned long span = 1UL << (12 + 9 * (fz_mem.pt_level[k] - 1));
        unsigned long lo = fz_mem.pt_base_va[k] + idx * span;
        if (fz_mem.pt_level[k] == 4 && idx >= 256)
            lo |= 0xffff000000000000UL;
        if (in_prot(lo, span))
            return 0;
    }
    return 1;
}

int fz_pt_write_ok(uint64_t ptr) { return pt_write_ok(ptr); }
int fz_gen_depth(void) { return depth; }

/* The grant window's tables (gnt.c): like the boot tables, never linked elsewhere. */
static int window_table(unsigned long mfn)
{
    if (mfn == gnt_l3_mfn() || mfn == gnt_l2_mfn())
        return 1;
    for (unsigned i = 0; i < GNT_AREA_L1S; i++)
        if (mfn == gnt_l1_mfn(i))
            return 1;
    return 0;
}

static void sanitize_mmu(mmu_update_t *q)
{
    if ((q->ptr & 3) != MMU_MACHPHYS_UPDATE && !pt_write_ok(q->ptr))
        q->ptr = pg_entry_ptr() | (q->ptr & 3);
    /* A boot table linked into another tree would let update_va_mapping reach
     * the protected mappings: boot tables only as (read-only) L1 data. */
    if ((q->val & MM_P) && (boot_pt_index(mm_pte_mfn(q->val)) >= 0 || window_table(mm_pte_mfn(q->val)))) {
        unsigned long f = q->ptr >> 12;
        if (f != fz_mem.pg_l1[0] && f != fz_mem.pg_l1[1])
            q->val = mm_pte(fz_mem.pool[fz_below(POOL_FRAMES)], q->val & 0xfff);
    }
}

static void gen_mmu_req(mmu_update_t *q)
{
    static const uint64_t cmds[] = { 0, 0, 0, 0, 0, 1, 2, 3 };
    switch (fz_below(8)) {
    case 0: case 1: case 2: case 3: q->ptr = pg_entry_ptr(); break;
    case 4: q->ptr = (fz_mem.pt_mfn[fz_below(fz_mem.nr_pt)] << 12) | (fz_below(512) * 8); break;
    case 5: q->ptr = (d_mfn() << 12) | (fz_below(512) * 8); break;
    case 6: q->ptr = d_int(); break;
    default: q->ptr = (fz_mem.pool[fz_below(POOL_FRAMES)] << 12) | fz_below(4096); break;
    }
    q->ptr = (q->ptr & ~3UL) | FZ_PICK(cmds);
    q->val = d_pte();
    sanitize_mmu(q);
}

static void g_mmu_update(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    unsigned n, count;
    mmu_update_t *list;
    (void)m;
    *nr = __HYPERVISOR_mmu_update;
    if (fz_chance(20) && depth == 0) {
        /* A long batch of valid no-op writes (an empty entry set to 0): the
         * hypervisor has to continue it; one hostile entry may end it. */
        n = 500 + (unsigned)fz_below(3500);
        list = d_buf(n * sizeof(*list));
        if (!list)
            return;
        unsigned long t = fz_mem.pg_l1[1];
        for (unsigned i = 0; i < n; i++) {
            list[i].ptr = (t << 12) | (8UL * (500 + (i % 12)));
            list[i].val = 0;
        }
        if (fz_chance(64))
            gen_mmu_req(&list[fz_below(n)]);
        count = n;
    } else {
        n = (unsigned)(fz_chance(24) ? fz_below(64) + 1 : fz_below(4) + 1);
        int tail = fz_chance(24);
        list = tail ? d_tail_buf(n * sizeof(*list)) : d_buf(n * sizeof(*list));
        if (!list)
            return;
        for (unsigned i = 0; i < n; i++)
            gen_mmu_req(&list[i]);
        count = tail ? n + (unsigned)fz_below(3) : n;
    }
    a[0] = fz_chance(8) ? d_bad_ptr() : (uint64_t)list;
    if (a[0] >= (uint64_t)guest_start_info->pt_base &&
        a[0] < guest_start_info->pt_base + guest_start_info->nr_pt_frames * 4096)
        a[0] = 0x8000000000000000UL;   /* page-table contents as requests could hit the protected set */
    a[1] = fz_chance(16) ? d_u32(count) : count;
    a[2] = fz_chance(128) ? 0 : d_ptr(4);
    a[3] = fz_chance(224) ? DOMID_SELF : d_domid();
}

/* ---- mmuext_op --------------------------------------------------------------------------- */

static int ever_ours(uint64_t mfn);

static void gen_ext(struct mmuext_op *o)
{
    uint64_t cmd = fz_chance(240) ? fz_below(22) : d_int();
    g_memset(o, 0, sizeof(*o));
    o->cmd = (unsigned)cmd;
    switch (o->cmd) {
    case MMUEXT_INVLPG_LOCAL: case MMUEXT_INVLPG_MULTI: case MMUEXT_INVLPG_ALL:
        o->arg1.linear_addr = d_va();
        break;
    case MMUEXT_SET_LDT:
        o->arg1.linear_addr = fz_chance(32) ? 0 : d_va();
        break;
    case MMUEXT_NEW_USER_BASEPTR:
        o->arg1.mfn = fz_chance(64) ? 0 : d_mfn();
        break;
    default:
        o->arg1.mfn = d_mfn();
        break;
    }
    switch (o->cmd) {
    case MMUEXT_SET_LDT: o->arg2.nr_ents = (unsigned)(fz_chance(128) ? fz_below(600) : d_int()); break;
    case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_INVLPG_MULTI:
        o->arg2.vcpumask = (const void *)d_ptr(8);
        break;
    default: o->arg2.src_mfn = d_mfn(); break;
    }
    /* safety */
    switch (o->cmd) {
    case MMUEXT_NEW_BASEPTR:
        if (o->arg1.mfn != fz_mem.cur_l4 && ever_ours(o->arg1.mfn))
            o->arg1.mfn = fz_mem.cur_l4;
        break;
    case MMUEXT_CLEAR_PAGE: case MMUEXT_COPY_PAGE:
        if (fz_protected(o->arg1.mfn) || fz_protected(o->arg1.mfn & 0xffffffffffUL) ||
            o->arg1.mfn == fz_mem.ul4)
            o->arg1.mfn = fz_mem.pool[fz_below(POOL_FRAMES)];
        break;
    case MMUEXT_NEW_USER_BASEPTR:
        mc_has_user_base = 1;
        break;
    }
}

static void g_mmuext_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    unsigned n = (unsigned)(fz_chance(16) ? fz_below(600) + 1 : fz_below(4) + 1);
    int tail = fz_chance(24);
    struct mmuext_op *list = tail ? d_tail_buf(n * sizeof(*list)) : d_buf(n * sizeof(*list));
    *nr = __HYPERVISOR_mmuext_op;
    if (!list)
        return;
    if (n > 8 && fz_chance(128)) {   /* long and valid: flushes */
        for (unsigned i = 0; i < n; i++) {
            g_memset(&list[i], 0, sizeof(list[i]));
            list[i].cmd = MMUEXT_TLB_FLUSH_LOCAL;
        }
        if (fz_chance(64))
            gen_ext(&list[fz_below(n)]);
    } else {
        for (unsigned i = 0; i < n; i++)
            gen_ext(&list[i]);
    }
    a[0] = fz_chance(8) ? d_bad_ptr() : (uint64_t)list;
    if (a[0] >= (uint64_t)guest_start_info->pt_base &&
        a[0] < guest_start_info->pt_base + guest_start_info->nr_pt_frames * 4096)
        a[0] = 0x8000000000000000UL;
    a[1] = tail ? n + fz_below(3) : (fz_chance(16) ? d_u32(n) : n);
    unsigned *pdone = d_buf(4);
    a[2] = fz_chance(200) && pdone ? (uint64_t)pdone : d_ptr(4);
    a[3] = fz_chance(224) ? DOMID_SELF : d_domid();
    m->kind = M_MMUEXT;
    m->p = list;
    m->n = n;
}

/* ---- update_va_mapping ------------------------------------------------------------------ */

static uint64_t uva_flags(void)
{
    static const uint64_t f[] = { UVMF_NONE, UVMF_INVLPG, UVMF_TLB_FLUSH, UVMF_INVLPG | UVMF_ALL,
                                  UVMF_TLB_FLUSH | UVMF_ALL, 3, 7 };
    if (fz_chance(32))
        return (d_ptr(8) & ~7UL) | fz_below(4);   /* a vCPU bitmap pointer */
    return fz_chance(16) ? d_int() : FZ_PICK(f);
}

static uint64_t safe_va(void)
{
    uint64_t va = d_va();
    if (!uva_ok(va))
        va = PG_BASE + fz_below(512) * 4096;
    if (!uva_ok(va))
        va = 0x0000800000000000UL;
    return va;
}

static void g_uva(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_update_va_mapping;
    a[0] = safe_va();
    a[1] = d_pte();   /* a boot table mapped read-only here is fine: this is an L1 entry */
    a[2] = uva_flags();
}

static void g_uva_other(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    g_uva(nr, a, m);
    *nr = __HYPERVISOR_update_va_mapping_otherdomain;
    a[3] = d_domid();
}

/* ---- memory_op ------------------------------------------------------------------------------ */

void fz_note_freed(unsigned long mfn)
{
    if (fz_nr_freed < 256)
        fz_freed[fz_nr_freed++] = mfn;
    else
        fz_freed[fz_below(256)] = mfn;
}

static int dec_ok(uint64_t mfn, unsigned order)
{
    if (order > 9)
        return 1;
    for (uint64_t i = 0; i < (1UL << order); i++) {
        uint64_t f = mfn + i;
        if (fz_protected(f) || fz_protected(f & 0xffffffffffUL) || f == fz_mem.ul4)
            return 0;
    }
    return 1;
}

static void g_memory_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t ops[] = { 0, 0, 0, 1, 1, 1, 6, 6, 2, 3, 4, 5, 9, 10, 12, 14, 7, 8, 11, 13, 15, 16, 63 };
    uint64_t op = FZ_PICK(ops);
    *nr = __HYPERVISOR_memory_op;
    a[0] = op;
    if (op == 0 || op == 1 || op == 6) {
        struct xen_memory_reservation *r = d_buf(sizeof(*r));
        if (!r)
            return;
        unsigned n = (unsigned)(fz_chance(16) ? fz_below(1200) : fz_below(6) + 1);
        unsigned order = fz_chance(220) ? 0 : (unsigned)(fz_chance(200) ? fz_below(11) : d_int());
        if (op == 1 && (fz_avoid & AVOID_DEC_MAPPED))
            order = 0;
        xen_pfn_t *list = d_buf(n * 8);
        if (!list) {
            n = 1;
            list = d_buf(8);
        }
        for (unsigned i = 0; list && i < n; i++) {
            if (op == 1) {
                uint64_t mfn;
                if ((fz_avoid & AVOID_DEC_MAPPED))
                    mfn = fz_nr_taken && fz_chance(200) ? fz_taken[fz_below(fz_nr_taken)] : d_int();
                else
                    mfn = fz_chance(200) ? d_own_mfn() : d_mfn();
                if (!dec_ok(mfn, order))
                    mfn = 0;
                list[i] = mfn;
            } else if (op == 6) {
                list[i] = fz_chance(128) ? fz_mem.nr_pages + fz_below(4096) : d_int();
            }
        }
        r->extent_start = list;
        if (fz_chance(12))
            r->extent_start = (xen_pfn_t *)d_bad_ptr();
        if (op == 0 && !r->extent_start)
            r->extent_start = list;     /* frames given with no list could not be given back */
        r->nr_extents = fz_chance(8) ? d_int() : n;
        if (r->nr_extents > n && list && (uint64_t)r->extent_start == (uint64_t)list)
            r->nr_extents = n;          /* the list must hold what the call may read */
        r->extent_order = order;
        r->mem_flags = fz_chance(224) ? 0 : (unsigned)d_int();
        r->domid = (domid_t)(fz_chance(224) ? DOMID_SELF : d_domid());
        if (fz_chance(12) && r->nr_extents)
            a[0] |= fz_below(r->nr_extents + 2) << 6;      /* a start extent */
        a[1] = fz_chance(8) ? d_bad_ptr() : (uint64_t)r;
        m->kind = M_RES;
        m->op = (unsigned)op;
        m->cmd = a[0];
        m->p = (void *)a[1];
        return;
    }
    if (fz_chance(8))
        a[0] |= d_int() << 6;
    switch (op) {
    case 3: case 4: case 14: {
        domid_t *d = d_buf(sizeof(*d));
        if (d)
            *d = (domid_t)(fz_chance(128) ? DOMID_SELF : d_domid());
        a[1] = d && fz_chance(220) ? (uint64_t)d : d_ptr(2);
        break;
    }
    case 5: {
        struct xen_machphys_mfn_list *l = d_buf(sizeof(*l));
        if (l) {
            l->max_extents = (unsigned)(fz_chance(128) ? fz_below(8) : d_int());
            l->extent_start = (xen_pfn_t *)d_ptr(64);
        }
        a[1] = l && fz_chance(220) ? (uint64_t)l : d_ptr(16);
        break;
    }
    case 9: case 10: {
        struct xen_memory_map *mm = d_buf(sizeof(*mm));
        if (mm) {
            mm->nr_entries = (unsigned)(fz_chance(128) ? fz_below(40) : d_int());
            mm->buffer = (void *)(fz_chance(32) ? 0 : d_ptr(40 * 20));
        }
        a[1] = mm && fz_chance(220) ? (uint64_t)mm : d_ptr(16);
        break;
    }
    default:
        a[1] = d_ptr(64);
        break;
    }
}

/* ---- traps, callbacks, stacks (put back afterwards) ----------------------------------------- */

/* Handler addresses: the right entry stub, or one the hypervisor must refuse
 * (non-canonical; the hypervisor's own area is accepted, as in Xen).  A canonical address that is not a handler
 * would be accepted and, should an event or exception come before the
 * restore (a multicall continued later), be entered. */
static uint64_t bad_code(void)
{
    static const uint64_t bad[] = { 0x0000800000000000UL, 0x8000000000000000UL, 0x0000800000001000UL,
                                    0xfff0000000000000UL, 0x7fff000000000000UL, 0x7fffffffffff0000UL };
    return FZ_PICK(bad) + (fz_chance(128) ? 0 : fz_below(4096));
}

static void g_set_trap_table(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_set_trap_table;
    need_fixup = 1;
    unsigned n = (unsigned)(fz_chance(16) ? 1025 : fz_below(8) + 1);
    trap_info_t *t = d_buf((n + 1) * sizeof(*t));
    if (t) {
        for (unsigned i = 0; i < n; i++) {
            unsigned v = (unsigned)(fz_chance(128) ? fz_below(32) : fz_below(256));
            t[i].vector = (uint8_t)v;
            t[i].flags = (uint8_t)fz_rand();
            t[i].cs = (uint16_t)(fz_chance(128) ? FLAT_KERNEL_CS : fz_rand());
            t[i].address = pv_have_stub(v) && fz_chance(200) ? pv_stub_address(v) : bad_code();
        }
        if (n != 1025)
            g_memset(&t[n], 0, sizeof(t[n]));
    }
    if (depth > 0)   /* in a multicall, a table is in force until the fix-ups: a usable one */
        a[0] = t ? (uint64_t)t : (uint64_t)fz_traps;
    else
        a[0] = fz_chance(32) ? 0 : (t && fz_chance(200) ? (uint64_t)t : d_bad_ptr());
}

static void g_set_callbacks(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_set_callbacks;
    need_fixup = 1;
    a[0] = fz_chance(128) ? (uint64_t)pv_upcall_entry : bad_code();
    a[1] = fz_chance(128) ? (uint64_t)pv_failsafe_entry : bad_code();
    a[2] = fz_chance(128) ? (uint64_t)pv_syscall_entry : bad_code();
}

static void g_callback_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_callback_op;
    need_fixup = 1;
    a[0] = fz_chance(240) ? fz_below(2) : d_int();
    struct callback_register *cb = d_buf(sizeof(*cb));
    if (cb) {
        cb->type = (uint16_t)(fz_chance(200) ? fz_below(9) : fz_rand());
        cb->flags = (uint16_t)(fz_chance(128) ? fz_below(2) : fz_rand());
        switch (cb->type) {
        case CALLBACKTYPE_event: cb->address = (uint64_t)pv_upcall_entry; break;
        case CALLBACKTYPE_failsafe: cb->address = (uint64_t)pv_failsafe_entry; break;
        case CALLBACKTYPE_syscall: cb->address = (uint64_t)pv_syscall_entry; break;
        default: cb->address = fz_below(2) ? (uint64_t)pv_syscall_entry : d_int(); break;
        }
        if (fz_chance(64))
            cb->address = bad_code();
    }
    a[1] = cb && fz_chance(220) ? (uint64_t)cb : d_ptr(16);
}

static void g_stack_switch(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_stack_switch;
    need_fixup = 1;
    a[0] = fz_chance(128) ? FLAT_KERNEL_SS : d_int();
    a[1] = fz_chance(64) ? fz_kstack_top - fz_below(64) * 8 : d_int();
}

static void g_fpu(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_fpu_taskswitch;
    a[0] = fz_chance(128) ? fz_below(2) : d_int();
}

static void g_segbase(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t sels[] = { 0, 0xe02b, 0xe033, 0xe023, 0xe010, 0xe008, 0xe018, 0xe02b & ~3UL, 0x3, 0x7,
                                     0xfff8, 0xffff, 0x10, 0x1b, 0x2b, 0xe04b, 0xe003 };
    (void)m;
    *nr = __HYPERVISOR_set_segment_base;
    a[0] = fz_chance(240) ? fz_below(5) : d_int();
    if ((uint32_t)a[0] == SEGBASE_GS_USER_SEL || a[0] == SEGBASE_GS_USER_SEL) {
        a[1] = fz_chance(200) ? FZ_PICK(sels) : d_int();
        if (fz_avoid & AVOID_GS_SEL)
            a[1] = fz_below(2) ? 0 : 0xe02b;
    } else {
        a[1] = fz_below(2) ? d_int() : d_ptr(8);
    }
}

static void g_set_debugreg(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_set_debugreg;
    a[0] = fz_chance(240) ? fz_below(9) : d_int();
    switch (fz_below(6)) {
    case 0: a[1] = (uint64_t)fz_check + fz_below(64); break;   /* runs only between batches */
    case 1: a[1] = (uint64_t)&fz_sink[fz_below(FZ_SINK_SIZE)]; break;
    case 2: a[1] = (uint64_t)fz_rand() & ~0xffffffff0000dc00UL; break;   /* DR7-like: enables, lengths */
    case 3: a[1] = 0; break;
    default: a[1] = d_int(); break;
    }
}

static void g_get_debugreg(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_get_debugreg;
    a[0] = fz_chance(240) ? fz_below(9) : d_int();
}

static void g_set_gdt(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t ents[] = { 0, 1, 8, 511, 512, 513, 4096, 7168, 7169, 8192, 0xffffffff, 0x100000000UL };
    (void)m;
    *nr = __HYPERVISOR_set_gdt;
    unsigned n = (unsigned)fz_below(16) + 1;
    uint64_t *f = d_buf(n * 8);
    for (unsigned i = 0; f && i < n; i++)
        f[i] = d_mfn();
    a[0] = f && fz_chance(220) ? (uint64_t)f : d_ptr(8);
    a[1] = fz_chance(200) ? fz_below(n * 512 + 1) : FZ_PICK(ents);
}

static void g_update_descriptor(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t descs[] = { 0, 0x00affb000000ffffUL, 0x00cff3000000ffffUL, 0x00af9b000000ffffUL,
                                      0x00cf93000000ffffUL, 0x0000e90000000067UL, 0x00affa000000ffffUL,
                                      0xffffffffffffffffUL, 0x0020f80000000000UL, 0x00cff2000000ffffUL };
    (void)m;
    *nr = __HYPERVISOR_update_descriptor;
    uint64_t mfn = d_mfn();
    if (fz_protected(mfn) || fz_protected(mfn & 0xffffffffffUL) || mfn == fz_mem.ul4)
        mfn = fz_mem.pool[fz_below(POOL_FRAMES)];
    a[0] = (mfn << 12) | (fz_chance(220) ? fz_below(512) * 8 : fz_below(4096));
    if (!pt_write_ok(a[0]) || (fz_protected(a[0] >> 12)))
        a[0] = (fz_mem.pool[0] << 12);
    a[1] = fz_chance(200) ? FZ_PICK(descs) : d_int();
}

static void g_set_timer_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_set_timer_op;
    a[0] = d_deadline();
}

/* ---- vcpu_op ----------------------------------------------------------------------------------- */

static void g_vcpu_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    *nr = __HYPERVISOR_vcpu_op;
    uint64_t cmd = fz_chance(240) ? fz_below(15) : d_int();
    uint64_t vcpu = fz_chance(200) ? 0 : d_int();
    if ((uint32_t)cmd == VCPUOP_down && (uint32_t)vcpu == 0)
        cmd = VCPUOP_is_up;
    /* Inside a multicall the guest could not tell which of several
     * registrations took effect (the upcall that follows must find the
     * vcpu_info where the hypervisor put it): single calls only. */
    if ((uint32_t)cmd == VCPUOP_register_vcpu_info && depth > 0)
        cmd = VCPUOP_is_up;
    a[0] = cmd;
    a[1] = vcpu;
    switch ((uint32_t)cmd) {
    case VCPUOP_register_runstate_memory_area: {
        uint64_t *p = d_buf(8);
        if (p)
            *p = fz_chance(128) ? (uint64_t)&fz_runstate_page[fz_below(4096 - 48)]
                                : (fz_chance(64) ? 0 : d_bad_ptr());
        a[2] = p && fz_chance(220) ? (uint64_t)p : d_bad_ptr();
        break;
    }
    case VCPUOP_set_periodic_timer: {
        uint64_t *p = d_buf(8);
        if (p)
            *p = fz_chance(128) ? 1000000 + fz_below(100000000) : d_int();
        a[2] = p && fz_chance(220) ? (uint64_t)p : d_bad_ptr();
        break;
    }
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer *t = d_buf(sizeof(*t));
        if (t) {
            t->timeout_abs_ns = d_deadline();
            t->flags = (uint32_t)(fz_chance(200) ? fz_below(2) : fz_rand());
        }
        a[2] = t && fz_chance(220) ? (uint64_t)t : d_bad_ptr();
        break;
    }
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info *v = d_buf(sizeof(*v));
        if (v) {
            /* Only a frame the guest knows, or one that cannot be the
             * domain's (the first MiB, beyond RAM): a registration that
             * succeeded on a frame it cannot follow would leave it clearing
             * an upcall flag the hypervisor no longer reads. */
            switch (fz_below(8)) {
            case 0: v->mfn = fz_below(256); break;
            case 1: v->mfn = (1UL << 40) + fz_below(1 << 20); break;
            default: v->mfn = fz_mem.vcpuinfo_mfn; break;
            }
            v->offset = (uint32_t)(fz_chance(128) ? fz_below(64) * 64 : d_int());
            v->rsvd = (uint32_t)(fz_chance(200) ? 0 : fz_rand());
            m->kind = M_VCPUINFO;
            m->p = v;
            if (v->mfn == fz_mem.vcpuinfo_mfn && v->offset <= 4096 - sizeof(struct vcpu_info) && !(v->offset & 7))
                fz_vi_cand = (struct vcpu_info *)(fz_vcpuinfo_page + v->offset);
        }
        a[2] = v && fz_chance(220) ? (uint64_t)v : d_bad_ptr();
        break;
    }
    default:
        a[2] = d_ptr(64);
        break;
    }
}

/* ---- event_channel_op ------------------------------------------------------------------------- */

static uint32_t evt_word(void)
{
    static const uint64_t w[] = { 0, 1, 2, 3, 4, 5, 7, 8, 63, 64, 65, 127, 4095, 4096, 0x7ff0, 0x7ff0, 0x7ff1,
                                  0xffff, 0xffffffff, 0x80000000, 23, 24 };
    return (uint32_t)(fz_chance(200) ? FZ_PICK(w) : fz_rand());
}

static void g_evtchn(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_event_channel_op;
    a[0] = fz_chance(240) ? fz_below(16) : d_int();
    uint32_t *b = d_buf(32);
    for (unsigned i = 0; b && i < 8; i++)
        b[i] = evt_word();
    a[1] = b && fz_chance(220) ? (uint64_t)b : d_bad_ptr();
}

/* ---- sched_op ------------------------------------------------------------------------------------ */

extern long fz_timer_port;


static void g_sched_op(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_sched_op;
    uint64_t cmd = fz_chance(240) ? fz_below(9) : d_int();
    if ((uint32_t)cmd == SCHEDOP_shutdown || cmd == SCHEDOP_shutdown)
        cmd = SCHEDOP_yield;
    if ((uint32_t)cmd == SCHEDOP_block && (depth > 0 || !fz_timer_port_ok()))
        cmd = SCHEDOP_yield;
    a[0] = cmd;
    switch ((uint32_t)cmd) {
    case SCHEDOP_block:
        fz_cur.pre_timer = 1;
        a[1] = d_int();
        break;
    case SCHEDOP_poll: {
        struct sched_poll *p = d_buf(sizeof(*p));
        unsigned n = (unsigned)fz_below(4);
        uint32_t *ports = d_buf(4 * (n + 1));
        if (!p || !ports) {
            a[0] = SCHEDOP_yield;
            break;
        }
        for (unsigned i = 0; i < n + 1; i++)
            ports[i] = evt_word();
        p->ports = ports;
        p->nr_ports = n;
        p->timeout = pv_now() + 50000 + fz_below(2000000);
        if (fz_chance(16))
            p->timeout = 1;                       /* already past */
        if (fz_chance(8)) {
            p->nr_ports = (unsigned)d_int();
            if (p->nr_ports > 4 && p->nr_ports <= 128)
                p->ports = (uint32_t *)d_bad_ptr();   /* must fault before it blocks */
        }
        if (fz_chance(8) && !(fz_avoid & AVOID_TIMER_FAR) && depth == 0 && fz_timer_port_ok()) {
            /* A deadline near 2^63, woken by a timer event on a listed port. */
            ports[0] = (uint32_t)fz_timer_port;
            p->nr_ports = 1;
            p->ports = ports;
            p->timeout = d_deadline() | (1UL << 62);
            fz_cur.pre_timer = 1;
        }
        a[1] = (uint64_t)p;
        break;
    }
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown *r = d_buf(sizeof(*r));
        if (r) {
            r->domain_id = (domid_t)(1 + fz_below(0x7fee));
            r->reason = (unsigned)fz_below(8);
        }
        a[1] = r ? (uint64_t)r : d_bad_ptr();
        break;
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown *s = d_buf(sizeof(*s));
        if (s)
            s->reason = (unsigned)(fz_chance(200) ? fz_below(8) : fz_rand());
        a[1] = s && fz_chance(220) ? (uint64_t)s : d_bad_ptr();
        break;
    }
    case SCHEDOP_watchdog: {
        struct sched_watchdog *w = d_buf(sizeof(*w));
        if (w) {
            w->id = (uint32_t)(1 + fz_below(8));
            w->timeout = 0;
        }
        a[1] = w ? (uint64_t)w : d_bad_ptr();
        break;
    }
    default:
        a[1] = d_ptr(32);
        break;
    }
}

/* ---- the rest ------------------------------------------------------------------------------------------ */

static void g_console_io(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_console_io;
    a[0] = fz_chance(220) ? fz_below(3) : d_int();
    unsigned n = (unsigned)fz_below(40);
    char *b = d_buf(n + 1);
    for (unsigned i = 0; b && i < n; i++)
        b[i] = (char)('a' + fz_below(26));
    if (b && n)
        b[n - 1] = '\n';
    switch (fz_below(4)) {
    case 0:
        a[1] = d_int() & 0xffffffffffUL;
        a[2] = d_bad_ptr();
        break;
    case 1:   /* runs off the end of the start-of-day mapping (zero padding) */
        a[2] = fz_mem.prot_end - 8 - fz_below(64);
        a[1] = fz_chance(128) ? 4096 : d_int();
        if (!fz_va_unmapped(fz_mem.prot_end))
            a[2] = d_bad_ptr();
        break;
    default:
        a[1] = n;
        a[2] = b ? (uint64_t)b : 0;
        break;
    }
}

static void g_xen_version(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_xen_version;
    a[0] = fz_chance(220) ? fz_below(13) : d_int();
    a[1] = d_ptr(1024);
}

static void g_vm_assist(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_vm_assist;
    a[0] = fz_chance(200) ? fz_below(3) : d_int();
    a[1] = fz_chance(200) ? fz_below(40) : d_int();
}

static void g_physdev(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_physdev_op;
    a[0] = fz_chance(200) ? fz_below(40) : d_int();
    a[1] = d_ptr(64);
}

/* Junk grant ops (gnt.c has the real ones): random bytes, read only as far
 * as the buffer goes (or into the guard page): beyond it the sink holds other
 * calls' arguments, which as grant ops could map over the guest's own pages. */
static void g_grant(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const unsigned size[] = { 32, 24, 0, 0, 24, 40, 0, 24, 0, 0, 0, 12, 16 };
    (void)m;
    *nr = __HYPERVISOR_grant_table_op;
    fz_gnt_touch();   /* setup_table among the junk may grow the table */
    a[0] = fz_chance(200) ? fz_below(16) : d_int();
    a[2] = d_count();
    unsigned c = (unsigned)(a[0] & 0xfff), sz = c < 13 ? size[c] : 0;
    unsigned char *b = fz_chance(32) ? d_tail_buf(256) : 0;
    if (b && (uint64_t)b + 256 == fz_guard_va) {
        a[1] = (uint64_t)b;                  /* any count: it runs into the guard page */
        return;
    }
    b = d_buf(256);
    a[1] = b && fz_chance(224) ? (uint64_t)b : d_bad_ptr();
    if (a[1] >= guest_start_info->pt_base && a[1] < guest_start_info->pt_base + guest_start_info->nr_pt_frames * 4096)
        a[1] = 0x8000000000000000UL;
    if (a[1] == (uint64_t)b && sz && (uint32_t)a[2] < 0x80000000u && (uint32_t)a[2] > 256 / sz)
        a[2] = (a[2] & ~0xffffffffUL) | fz_below(256 / sz + 1);
}

static void g_iret(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)a;
    *nr = __HYPERVISOR_iret;
    m->kind = M_IRET;
}

struct gen {
    void (*fn)(uint64_t *nr, uint64_t *a, struct fz_meta *m);
    unsigned weight;
};

static void g_random_nr(uint64_t *nr, uint64_t *a, struct fz_meta *m);
static void g_multicall(uint64_t *nr, uint64_t *a, struct fz_meta *m);

/* The big tree (main.c set-up): pin or unpin it, or one of its tables, in a
 * call that takes a few slices of work; inside a multicall too. As a single
 * call it is often abandoned at its first continuation (exec.c): the frames
 * are left part-validated or part-released, for later calls, the other
 * generators' random frame numbers and the teardown to deal with. */
static void g_big_tree(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    struct mmuext_op *op = d_buf(sizeof(*op));

    (void)m;
    *nr = __HYPERVISOR_mmuext_op;
    if (!op || (fz_avoid & AVOID_BIG_TREE)) {
        a[0] = d_bad_ptr();
        a[1] = 1;
        a[3] = DOMID_SELF;
        return;
    }
    g_memset(op, 0, sizeof(*op));
    switch (fz_below(8)) {
    case 0: op->cmd = MMUEXT_PIN_L2_TABLE; op->arg1.mfn = fz_mem.bt_l2; break;
    case 1:             /* as many unpins as pins, or pinned L1s would make the tree quick to validate */
        op->cmd = fz_below(2) ? MMUEXT_PIN_L1_TABLE : MMUEXT_UNPIN_TABLE;
        op->arg1.mfn = fz_mem.bt_l1[fz_below(BT_L1S)];
        break;
    case 2: op->cmd = MMUEXT_UNPIN_TABLE; op->arg1.mfn = fz_mem.bt_l2; break;
    case 3: case 4: op->cmd = MMUEXT_UNPIN_TABLE; op->arg1.mfn = fz_mem.bt_l3; break;
    default: op->cmd = MMUEXT_PIN_L3_TABLE; op->arg1.mfn = fz_mem.bt_l3; break;
    }
    a[0] = (uint64_t)op;
    a[1] = 1;
    a[2] = 0;
    a[3] = DOMID_SELF;
    if (depth == 0 && fz_chance(128))
        fz_cur.abandon = 1;
}

static const struct gen gens[] = {
    { g_mmu_update, 12 }, { g_mmuext_op, 12 }, { g_uva, 8 }, { g_uva_other, 2 }, { g_memory_op, 9 },
    { g_multicall, 7 }, { g_set_trap_table, 2 }, { g_set_callbacks, 2 }, { g_callback_op, 2 },
    { g_fpu, 2 }, { g_stack_switch, 2 }, { g_segbase, 3 }, { g_set_debugreg, 3 }, { g_get_debugreg, 1 },
    { g_set_gdt, 3 }, { g_update_descriptor, 3 }, { g_set_timer_op, 2 }, { g_vcpu_op, 5 }, { g_evtchn, 6 },
    { g_sched_op, 3 }, { g_console_io, 1 }, { g_xen_version, 2 }, { g_vm_assist, 1 }, { g_physdev, 1 },
    { g_grant, 1 }, { g_iret, 2 }, { g_random_nr, 3 }, { g_big_tree, 2 },
    { fz_g_gnt_map, 3 }, { fz_g_gnt_unmap, 2 }, { fz_g_gnt_copy, 2 }, { fz_g_gnt_transfer, 1 },
    { fz_g_gnt_misc, 2 },
};
#define NR_GENS (sizeof(gens) / sizeof(gens[0]))

static const struct gen *pick_gen(void)
{
    static unsigned total;
    if (!total)
        for (unsigned i = 0; i < NR_GENS; i++)
            total += gens[i].weight;
    unsigned r = (unsigned)fz_below(total);
    for (unsigned i = 0; i < NR_GENS; i++) {
        if (r < gens[i].weight)
            return &gens[i];
        r -= gens[i].weight;
    }
    return &gens[0];
}

static const struct gen *gen_for(uint64_t nr)
{
    switch (nr) {
    case __HYPERVISOR_mmu_update: return &gens[0];
    case __HYPERVISOR_mmuext_op: return &gens[1];
    case __HYPERVISOR_update_va_mapping: return &gens[2];
    case __HYPERVISOR_memory_op: return &gens[4];
    case __HYPERVISOR_event_channel_op: return &gens[18];
    case __HYPERVISOR_sched_op: return &gens[19];
    case __HYPERVISOR_vcpu_op: return &gens[17];
    case __HYPERVISOR_xen_version: return &gens[21];
    }
    return 0;
}

/* Numbers with no handler (0..63 and beyond, and junk in the upper half of a
 * real number, whose arguments come from that number's generator). */
static void g_random_nr(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    static const uint64_t unimpl[] = { 6, 7, 11, 16, 19, 27, 28, 31, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
                                       47, 48, 55, 56, 63, 64, 100, 127, 128, 255, 0xffffffff,
                                       0xffffffffffffffffUL, 0x8000000000000000UL };
    if (fz_chance(64)) {
        static const uint64_t real[] = { 1, 26, 14, 12, 32, 29, 24, 17 };
        uint64_t low = FZ_PICK(real);
        gen_for(low)->fn(nr, a, m);
        *nr = low | ((fz_below(0xffff) + 1) << 32);
        m->kind = M_NONE;
        if (*nr == __HYPERVISOR_sched_op)
            *nr |= 1UL << 40;
        return;
    }
    *nr = fz_chance(200) ? FZ_PICK(unimpl) : (64 + fz_below(1UL << 20));
    for (int i = 0; i < 5; i++)
        a[i] = fz_below(2) ? d_int() : d_ptr(64);
}

/* ---- multicall ---------------------------------------------------------------------------------------------- */

static int mc_fill(multicall_entry_t *e, unsigned n, struct fz_meta *meta, int allow_iret);

static void g_multicall(uint64_t *nr, uint64_t *a, struct fz_meta *m)
{
    (void)m;
    *nr = __HYPERVISOR_multicall;
    if (depth >= 1) {
        /* A nested multicall entry: refused by the hypervisor; its list is safe anyway. */
        unsigned n = (unsigned)fz_below(3) + 1;
        multicall_entry_t *e = d_buf(n * sizeof(*e));
        struct fz_meta tmp[4];
        if (!e)
            return;
        depth++;
        mc_fill(e, n, tmp, 0);
        depth--;
        a[0] = (uint64_t)e;
        a[1] = n;
        return;
    }
}

static void fixup_entries(multicall_entry_t *e)
{
    g_memset(e, 0, 4 * sizeof(*e));
    e[0].op = __HYPERVISOR_set_trap_table;
    e[0].args[0] = 0;
    e[1].op = __HYPERVISOR_set_trap_table;
    e[1].args[0] = (uint64_t)fz_traps;
    e[2].op = __HYPERVISOR_set_callbacks;
    e[2].args[0] = (uint64_t)pv_upcall_entry;
    e[2].args[1] = (uint64_t)pv_failsafe_entry;
    e[2].args[2] = (uint64_t)pv_syscall_entry;
    e[3].op = __HYPERVISOR_stack_switch;
    e[3].args[0] = FLAT_KERNEL_SS;
    e[3].args[1] = fz_kstack_top;
}

/* Fill n entries; returns the index of the first iret entry or -1. */
static int mc_fill(multicall_entry_t *e, unsigned n, struct fz_meta *meta, int allow_iret)
{
    int first_iret = -1;
    for (unsigned i = 0; i < n; i++) {
        const struct gen *g = pick_gen();
        uint64_t args[5];
        for (int k = 0; k < 5; k++)
            args[k] = 0;
        g_memset(&meta[i], 0, sizeof(meta[i]));
        if (g->fn == g_iret && !allow_iret)
            g = &gens[0];
        g->fn(&e[i].op, args, &meta[i]);
        for (int k = 0; k < 5; k++)
            e[i].args[k] = args[k];
        e[i].args[5] = 0;
        e[i].result = 0x5a5a5a5a5a5a5a5aUL;
        if (g->fn == g_iret && first_iret < 0)
            first_iret = (int)i;
    }
    return first_iret;
}

static void gen_multicall_top(struct fz_call *c)
{
    unsigned n = (unsigned)(fz_chance(24) ? 16 + fz_below(100) : 1 + fz_below(8));
    int allow_iret = !(fz_avoid & AVOID_IRET_MC);
    if (n + 4 > MAX_MC)
        n = MAX_MC - 4;
    int tail = fz_chance(16);
    c->nr = __HYPERVISOR_multicall;
    depth = 1;
    need_fixup = 0;
    mc_has_user_base = 0;
    multicall_entry_t *e = tail ? d_tail_buf((n + 4) * sizeof(*e)) : d_buf((n + 4) * sizeof(*e));
    if (!e) {
        depth = 0;
        c->a[0] = d_bad_ptr();
        c->a[1] = 1;
        return;
    }
    int first_iret = mc_fill(e, n, c->mc_meta, allow_iret);
    depth = 0;
    if (first_iret >= 0 && fz_chance(96) && fz_ensure_user_l4()) {
        /* To guest user mode in the middle of the batch: nothing may drop the
         * user page tables before the iret (that would crash the domain, as it should). */
        c->user_frame = 1;
        /* A long batch may be continued after the iret, in user mode: the
         * kernel stack must be usable all along. */
        for (unsigned i = 0; i < n; i++)
            if (e[i].op == __HYPERVISOR_stack_switch) {
                e[i].args[0] = FLAT_KERNEL_SS;
                e[i].args[1] = fz_kstack_top;
            }
        for (int i = 0; i < first_iret; i++) {
            if (c->mc_meta[i].kind != M_MMUEXT)
                continue;
            struct mmuext_op *o = c->mc_meta[i].p;
            for (unsigned k = 0; k < c->mc_meta[i].n; k++)
                if (o[k].cmd == MMUEXT_NEW_USER_BASEPTR)
                    o[k].cmd = MMUEXT_TLB_FLUSH_LOCAL;
        }
    }
    if (need_fixup) {
        /* The fix-ups go before the first iret entry: the multicall ends
         * there (as on Xen), and the context it returns to needs its trap
         * table, callbacks and kernel stack. */
        unsigned at = first_iret >= 0 ? (unsigned)first_iret : n;
        for (unsigned i = n; i-- > at;) {
            e[i + 4] = e[i];
            c->mc_meta[i + 4] = c->mc_meta[i];
        }
        fixup_entries(&e[at]);
        for (unsigned k = 0; k < 4; k++) {
            e[at + k].result = 0x5a5a5a5a5a5a5a5aUL;
            g_memset(&c->mc_meta[at + k], 0, sizeof(c->mc_meta[0]));
        }
        n += 4;
    }
    if (mc_has_user_base)
        fz_user_l4_set = 0;
    c->mc = e;
    c->mc_n = (int)n;
    c->a[0] = (uint64_t)e;
    c->a[1] = tail ? n + fz_below(3) : (fz_chance(16) ? d_u32(n) : n);
    if (fz_chance(4)) {
        c->a[0] = d_bad_ptr();
        c->mc_n = 0;
    }
}

static void gen_frame(struct fz_call *c)
{
    static const uint64_t rfl[] = { 0x100, 0x400, 0x40000, 0x4000, 0x3000, 0x20000, 0x10000, 0x200000, 0x800, 0x80, 0x1 };
    struct iret_context *f = &c->frame;
    f->rax = d_int();
    f->r11 = fz_rand();
    f->rcx = fz_rand();
    f->flags = fz_chance(200) ? (fz_below(2) ? VGCF_in_syscall : 0) : d_int();
    f->cs = (c->user_frame ? FLAT_USER_CS : (FLAT_KERNEL_CS & ~3UL)) | (fz_chance(32) ? (fz_rand() << 16) & ~0xffffUL : 0);
    f->rflags = fz_below(4) ? 0x202 : 0x002;
    if (fz_chance(32))
        f->rflags |= FZ_PICK(rfl);
    f->ss = FLAT_KERNEL_SS | (fz_chance(32) ? (fz_rand() << 16) & ~0xffffUL : 0);
}

void fz_generate(struct fz_call *c)
{
    g_memset(c, 0, sizeof(*c));
    d_reset_sink();
    fz_gnt_reset();
    need_fixup = 0;
    depth = 0;
    const struct gen *g = pick_gen();
    if (g->fn == g_multicall) {
        gen_multicall_top(c);
    } else {
        mc_has_user_base = 0;
        g->fn(&c->nr, c->a, &c->meta);
        if (mc_has_user_base)
            fz_user_l4_set = 0;
        if (g->fn == g_iret && fz_chance(64) && fz_ensure_user_l4())
            c->user_frame = 1;
    }
    gen_frame(c);
}

/* ---- after the call: what changed that the guest must know ------------------------------------------------------- */

static uint8_t taken_map[FZ_MAX_MFN / 8];
int fz_is_taken(uint64_t mfn) { return mfn < FZ_MAX_MFN && (taken_map[mfn / 8] >> (mfn % 8)) & 1; }

static int in_sink(const void *p, uint64_t size)
{
    uint64_t a = (uint64_t)p;
    return a >= (uint64_t)fz_sink && size <= FZ_SINK_SIZE && a + size <= (uint64_t)fz_sink + FZ_SINK_SIZE;
}

static void post_one(const struct fz_meta *m, long rc)
{
    if (m->kind == M_RES && in_sink(m->p, sizeof(struct xen_memory_reservation))) {
        const struct xen_memory_reservation *r = m->p;
        uint64_t start = m->cmd >> 6;
        if (rc <= 0 || (uint64_t)rc <= start || (uint64_t)rc > r->nr_extents || r->extent_order > 9)
            return;
        uint64_t n = 1UL << r->extent_order;
        for (uint64_t i = start; i < (uint64_t)rc; i++) {
            const xen_pfn_t *slot = r->extent_start + i;
            if (!in_sink(slot, 8)) {
                if (m->op != XENMEM_decrease_reservation)
                    fz_anon += (long)n;
                fz_held += m->op == XENMEM_decrease_reservation ? -(long)n : (long)n;
                continue;
            }
            for (uint64_t j = 0; j < n; j++) {
                unsigned long mfn = *slot + j;
                if (m->op == XENMEM_decrease_reservation) {
                    fz_set_owned(mfn, 0);
                    fz_gnt_frame_gone(mfn);
                    fz_note_freed(mfn);
                    fz_held--;
                    fz_exposed_given++;
                } else {
                    fz_set_owned(mfn, 1);
                    if (mfn < FZ_MAX_MFN)
                        taken_map[mfn / 8] |= (uint8_t)(1 << (mfn % 8));
                    if (fz_nr_taken < MAX_TAKEN)
                        fz_taken[fz_nr_taken++] = mfn;
                    fz_held++;
                }
            }
        }
    } else if (m->kind == M_GNT) {
        fz_gnt_post(m);   /* each op's status says what it did, whatever rc is */
    } else if (m->kind == M_VCPUINFO && rc == 0 && in_sink(m->p, 16)) {
        const struct vcpu_register_vcpu_info *v = m->p;
        if (v->mfn == fz_mem.vcpuinfo_mfn && v->offset < 4096)
            pv_vcpu = (struct vcpu_info *)(fz_vcpuinfo_page + v->offset);
    }
}

void fz_post(struct fz_call *c, long rc)
{
    if (fz_vi_cand && pv_vcpu == &pv_shared->vcpu_info[0] && fz_vi_cand->evtchn_upcall_pending)
        pv_vcpu = fz_vi_cand;
    fz_vi_cand = 0;
    if (c->nr == __HYPERVISOR_multicall) {
        /* Only entries that ran have results: a multicall also ends early
         * without failing (at an iret entry, which returns the RAX of the
         * frame it resumes, 0 as often as not). */
        (void)rc;
        for (int i = 0; i < c->mc_n; i++)
            if (c->mc[i].result != 0x5a5a5a5a5a5a5a5aUL || c->mc_meta[i].kind == M_GNT)
                post_one(&c->mc_meta[i], (long)c->mc[i].result);
    } else {
        post_one(&c->meta, rc);
    }
    fz_gnt_sync();
}

/* ---- ownership ------------------------------------------------------------------------------------------------------ */

static uint8_t owned_map[FZ_MAX_MFN / 8], ever_map[FZ_MAX_MFN / 8], prot_map[FZ_MAX_MFN / 8];

int fz_owned(unsigned long mfn) { return mfn < FZ_MAX_MFN && (owned_map[mfn / 8] >> (mfn % 8)) & 1; }
static int ever_ours(uint64_t mfn)
{
    return mfn >= FZ_MAX_MFN || (mfn & 0xffffffffffUL) != mfn ? 0 : (ever_map[mfn / 8] >> (mfn % 8)) & 1;
}
void fz_set_owned(unsigned long mfn, int on)
{
    if (mfn >= FZ_MAX_MFN)
        return;
    if (on) {
        owned_map[mfn / 8] |= (uint8_t)(1 << (mfn % 8));
        ever_map[mfn / 8] |= (uint8_t)(1 << (mfn % 8));
    } else {
        owned_map[mfn / 8] &= (uint8_t)~(1 << (mfn % 8));
    }
}
int fz_protected(unsigned long mfn) { return mfn < FZ_MAX_MFN && (prot_map[mfn / 8] >> (mfn % 8)) & 1; }
void fz_set_protected(unsigned long mfn)
{
    if (mfn < FZ_MAX_MFN)
        prot_map[mfn / 8] |= (uint8_t)(1 << (mfn % 8));
}
