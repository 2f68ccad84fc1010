/*
 * The fuzz guest: `seed=<n> count=<n> [batch=<n>] [trace] [trace_from=<n>]
 * [avoid=<class>,...]` on its command line; issues `count` random hypercalls,
 * checks its invariants every `batch` calls, gives back what it took and
 * powers off.  See guests/README.md.
 */
#include "fuzz.h"

unsigned fz_avoid;
int fz_trace;
uint64_t fz_trace_from = ~0UL;
uint64_t fz_seed = 1, fz_index, fz_count = 1000;
static uint64_t batch = 1000;
struct fz_mem fz_mem;
struct fz_stats fz_stats;
struct fz_call fz_cur;
unsigned long fz_taken[MAX_TAKEN];
unsigned fz_nr_taken;
unsigned long fz_freed[256];
unsigned fz_nr_freed;
long fz_held, fz_exposed_given, fz_anon;
unsigned char fz_runstate_page[4096] __attribute__((aligned(4096)));
unsigned char fz_vcpuinfo_page[4096] __attribute__((aligned(4096)));

#define HEADROOM 8   /* frames below the maximum at the start */

/* ---- command line --------------------------------------------------------------------- */

static const char *word_value(const char *line, const char *key)
{
    size_t n = g_strlen(key);
    for (const char *p = line; *p;) {
        while (*p == ' ')
            p++;
        if (g_strncmp(p, key, n) == 0 && p[n] == '=')
            return p + n + 1;
        while (*p && *p != ' ')
            p++;
    }
    return 0;
}

static uint64_t parse_num(const char *s)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
        else break;
        v = v * base + d;
    }
    return v;
}

static const struct { const char *name; unsigned bit; } classes[] = {
    { "iret-multicall", AVOID_IRET_MC }, { "gs-sel", AVOID_GS_SEL }, { "timer-far", AVOID_TIMER_FAR },
    { "decrease-mapped", AVOID_DEC_MAPPED }, { "big-tree", AVOID_BIG_TREE }, { "grant", AVOID_GRANT },
};

static void parse_cmdline(const char *line)
{
    const char *v;
    if ((v = word_value(line, "seed"))) fz_seed = parse_num(v);
    if ((v = word_value(line, "count"))) fz_count = parse_num(v);
    if ((v = word_value(line, "batch"))) batch = parse_num(v);
    if ((v = word_value(line, "trace_from"))) fz_trace_from = parse_num(v);
    if ((v = word_value(line, "px_kinds"))) fz_px_kinds = (unsigned)parse_num(v);
    if ((v = word_value(line, "px_share"))) fz_px_share = (unsigned)parse_num(v);
    if (g_has_word(line, "trace")) fz_trace_from = 0;
    if (!batch)
        batch = 1000;
    if ((v = word_value(line, "avoid"))) {
        while (*v && *v != ' ') {
            size_t n = 0;
            while (v[n] && v[n] != ' ' && v[n] != ',')
                n++;
            int known = 0;
            for (unsigned i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
                if (g_strlen(classes[i].name) == n && g_strncmp(v, classes[i].name, n) == 0) {
                    fz_avoid |= classes[i].bit;
                    known = 1;
                }
            if (n == 3 && g_strncmp(v, "all", 3) == 0) {
                fz_avoid = ~0u;
                known = 1;
            }
            if (!known)
                printk("fuzz: unknown avoid class '%.*s' ignored\n", (int)n, v);
            v += n;
            if (*v == ',')
                v++;
        }
    }
}

/* ---- reporting ------------------------------------------------------------------------------ */

static const char *hc_name(uint64_t nr)
{
    static const char *names[] = {
        "set_trap_table", "mmu_update", "set_gdt", "stack_switch", "set_callbacks", "fpu_taskswitch",
        "sched_op_compat", "platform_op", "set_debugreg", "get_debugreg", "update_descriptor", "11",
        "memory_op", "multicall", "update_va_mapping", "set_timer_op", "event_channel_op_compat",
        "xen_version", "console_io", "physdev_op_compat", "grant_table_op", "vm_assist",
        "update_va_mapping_otherdomain", "iret", "vcpu_op", "set_segment_base", "mmuext_op", "xsm_op",
        "nmi_op", "sched_op", "callback_op", "xenoprof_op", "event_channel_op", "physdev_op",
    };
    return nr < sizeof(names) / sizeof(names[0]) ? names[nr] : "-";
}

static void print_list(const struct fz_call *c, uint64_t nr, const uint64_t *a)
{
    uint64_t p = a[0];
    uint64_t room = ((uint64_t)fz_sink + FZ_SINK_SIZE - p);
    (void)c;
    if (p < (uint64_t)fz_sink || p >= (uint64_t)fz_sink + FZ_SINK_SIZE)
        room = 0;
    if (nr == __HYPERVISOR_mmu_update) {
        const mmu_update_t *q = (const void *)p;
        for (uint64_t i = 0; i < (uint32_t)a[1] && i < 8 && (i + 1) * 16 <= room; i++)
            printk("      req[%lu] ptr %#lx val %#lx\n", i, q[i].ptr, q[i].val);
    } else if (nr == __HYPERVISOR_mmuext_op) {
        const struct mmuext_op *o = (const void *)p;
        for (uint64_t i = 0; i < (uint32_t)a[1] && i < 8 && (i + 1) * 24 <= room; i++)
            printk("      op[%lu] cmd %u arg1 %#lx arg2 %#lx\n", i, o[i].cmd, o[i].arg1.mfn, o[i].arg2.src_mfn);
    }
    if (nr == __HYPERVISOR_grant_table_op)
        fz_gnt_print(a[0], a[1], a[2]);
    for (int k = 0; k < 5; k++) {
        uint64_t q = a[k];
        if (q < (uint64_t)fz_sink || q > (uint64_t)fz_sink + FZ_SINK_SIZE - 32)
            continue;
        const uint64_t *w = (const void *)q;
        printk("      arg%d -> %#lx %#lx %#lx %#lx\n", k, w[0], w[1], w[2], w[3]);
    }
}

void fz_print_call(const char *what, const struct fz_call *c)
{
    if (c->nr == FZ_PRIV_NR) {
        printk("%s #%lu: instruction step: %s\n", what, fz_index, fz_px_desc);
        return;
    }
    printk("%s #%lu: %s (%#lx) args %#lx %#lx %#lx %#lx %#lx%s\n", what, fz_index, hc_name(c->nr), c->nr,
           c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->pre_timer ? " (after a 1 ms timer)" : "");
    if (c->nr == __HYPERVISOR_iret || c->nr == __HYPERVISOR_multicall)
        printk("    iret frame: rax %#lx flags %#lx cs %#lx rflags %#lx ss %#lx%s\n", c->frame.rax, c->frame.flags,
               c->frame.cs, c->frame.rflags, c->frame.ss, c->user_frame ? " (to user mode)" : "");
    if (c->nr == __HYPERVISOR_multicall) {
        for (int i = 0; i < c->mc_n; i++) {
            const multicall_entry_t *e = &c->mc[i];
            printk("    [%d] %s (%#lx) args %#lx %#lx %#lx %#lx %#lx\n", i, hc_name(e->op), e->op, e->args[0],
                   e->args[1], e->args[2], e->args[3], e->args[4]);
            print_list(c, e->op, e->args);
        }
    } else {
        print_list(c, c->nr, c->a);
    }
}

static void print_progress(const char *what)
{
    char buf[600];
    int n = snformat(buf, sizeof(buf), "fuzz: %s calls %lu state %#lx held %ld rc: 0=%lu >0=%lu", what,
                     fz_stats.calls, fz_state, fz_held, fz_stats.rc_zero, fz_stats.rc_pos);
    for (int e = 1; e < 128 && n < (int)sizeof(buf) - 24; e++)
        if (fz_stats.rc_neg[e])
            n += snformat(buf + n, sizeof(buf) - (size_t)n, " -%d=%lu", e, fz_stats.rc_neg[e]);
    n += snformat(buf + n, sizeof(buf) - (size_t)n, " other=%lu", fz_stats.rc_other);
    printk("%s; traps: db %lu nm %lu ac %lu user->kernel %lu upcalls %lu; multicalls %lu iret-to-user %lu "
           "abandoned %lu; instruction steps %lu (faulted %lu)\n", buf, fz_stats.db_traps, fz_stats.nm_traps, fz_stats.ac_traps, fz_stats.user_returns,
           fz_stats.upcalls, fz_stats.mc_calls, fz_stats.iret_user, fz_stats.abandoned,
           fz_px_steps, fz_px_faults);
}

void fz_fail(const char *fmt, ...)
{
    char buf[300];
    va_list ap;
    va_start(ap, fmt);
    vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("FUZZ FAILURE: %s\n", buf);
    printk("FUZZ FAILURE: seed %lu, call index %lu; the last call issued:\n", fz_seed, fz_index);
    fz_print_call("  last call", &fz_cur);
    printk("FUZZ FAILURE: reproduce with: make fuzz SEED=%lu COUNT=%lu (FUZZ_ARGS=\"trace_from=%lu\" prints the calls)\n",
           fz_seed, fz_index + 1, fz_index > 20 ? fz_index - 20 : 0);
    print_progress("at failure:");
    fz_print_traps();
    struct sched_shutdown sd = { .reason = SHUTDOWN_crash };   /* the fuzzer may have set another code */
    pv_sched_op(SCHEDOP_shutdown_code, &sd);
    test_check(0, "fuzz seed %lu: %s", fz_seed, buf);
    test_finish();
}

static void count_rc(long rc)
{
    if (rc == 0) fz_stats.rc_zero++;
    else if (rc > 0) fz_stats.rc_pos++;
    else if (rc > -128) fz_stats.rc_neg[-rc]++;
    else fz_stats.rc_other++;
}

/* ---- set-up ------------------------------------------------------------------------------------ */

/* One frame of the big tree rewritten, unless it is in use as a table (or
 * no longer ours): then it stays as the fuzzer left it. */
static void refill(unsigned long mfn, unsigned n, const unsigned long *targets, unsigned nr_targets,
                   unsigned first, unsigned long flags)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);

    if (!p)
        return;
    g_memset(p, 0, 4096);
    for (unsigned k = 0; k < n; k++)
        p[k] = mm_pte(targets[(first + k) % nr_targets], flags);
    mm_scratch_unmap();
}

/* The big tree: L3 -> L2 -> BT_L1S L1s of 512 read-only entries each (20k
 * entries: a few slices of validation or release), never hooked anywhere,
 * only pinned and unpinned (g_big_tree). Other calls may clear or remap its
 * frames; it is made whole again at set-up and between batches, where it is
 * not in use. */
void fz_refresh_tree(void)
{
    struct fz_mem *m = &fz_mem;

    for (unsigned i = 0; i < BT_L1S; i++)
        refill(m->bt_l1[i], 512, m->pool, POOL_FRAMES, i, MM_RO_FLAGS);
    refill(m->bt_l2, BT_L1S, m->bt_l1, BT_L1S, 0, MM_TABLE_FLAGS);
    refill(m->bt_l3, 1, &m->bt_l2, 1, 0, MM_TABLE_FLAGS);
}

static unsigned long fresh_frame(void)
{
    unsigned long mfn = mm_alloc_mfn();
    if (mfn == MM_INVALID || mm_zero_frame(mfn))
        fz_fail("set-up: no free frame");
    return mfn;
}

static void raw_write(unsigned long mfn, unsigned idx, unsigned long val)
{
    unsigned long *p = mm_scratch_map(mfn, MM_RW_FLAGS);
    if (!p)
        fz_fail("set-up: cannot map frame %#lx", mfn);
    p[idx] = val;
    mm_scratch_unmap();
}

static void find_levels(unsigned long mfn, int level, unsigned long base)
{
    int k = -1;
    for (unsigned i = 0; i < fz_mem.nr_pt; i++)
        if (fz_mem.pt_mfn[i] == mfn)
            k = (int)i;
    if (k < 0 || fz_mem.pt_level[k])
        return;
    fz_mem.pt_level[k] = level;
    fz_mem.pt_base_va[k] = base;
    if (level == 1)
        return;
    const unsigned long *t = (const unsigned long *)fz_mem.pt_va[k];
    for (unsigned i = 0; i < 512; i++) {
        if (level == 4 && i >= 256 && i < 272)
            continue;
        if (!(t[i] & MM_P))
            continue;
        unsigned long b = base + ((unsigned long)i << (12 + 9 * (level - 1)));
        if (level == 4 && i >= 256)
            b |= 0xffff000000000000UL;
        find_levels(mm_pte_mfn(t[i]), level - 1, b);
    }
}

static void setup(start_info_t *si)
{
    struct fz_mem *m = &fz_mem;
    long rc;

    pv_map_shared_info();
    fz_exec_init();
    m->vbase = mm_virt_base();
    m->boot_pfns = mm_boot_pfns();
    m->prot_end = m->vbase + m->boot_pfns * 4096;
    m->nr_pages = si->nr_pages;
    m->si_mfn = si->shared_info >> 12;
    /* shared_info is not in the p2m, yet the guest writes it (and so may the
     * hypervisor, for it): MMUEXT_COPY_PAGE of a page table into it left a
     * vcpu_time_info with an odd version, and pv_now() spinning on it. */
    fz_set_protected(m->si_mfn);
    m->cur_l4 = mm_boot_l4_mfn();
    unsigned long pt_pfn = (si->pt_base - m->vbase) >> 12;
    if (si->nr_pt_frames > 64)
        fz_fail("set-up: %lu boot page-table frames (at most 64 handled)", si->nr_pt_frames);
    m->nr_pt = (unsigned)si->nr_pt_frames;
    for (unsigned i = 0; i < m->nr_pt; i++) {
        m->pt_mfn[i] = mm_pfn_to_mfn(pt_pfn + i);
        m->pt_va[i] = m->vbase + (pt_pfn + i) * 4096;
    }
    find_levels(m->cur_l4, 4, 0);
    for (unsigned long pfn = 0; pfn < m->nr_pages; pfn++) {
        unsigned long mfn = mm_pfn_to_mfn(pfn);
        if (mfn == MM_INVALID)
            continue;
        fz_set_owned(mfn, 1);
        if (pfn < m->boot_pfns)
            fz_set_protected(mfn);
    }
    m->max_ram_page = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    xen_pfn_t list[4] = { 0 };
    struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = list };
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml);
    m->nr_hv_mfn = rc == 0 && ml.nr_extents ? ml.nr_extents : 1;
    for (unsigned i = 0; i < 4; i++)
        m->hv_mfn[i] = list[i];

    /* a little room below the maximum */
    for (int i = 0; i < HEADROOM; i++) {
        unsigned long pfn = mm_alloc_pfn();
        xen_pfn_t give = mm_pfn_to_mfn(pfn);
        if (mm_reservation(XENMEM_decrease_reservation, &give, 1, 0, DOMID_SELF) != 1)
            fz_fail("set-up: decrease_reservation failed");
        mm_set_p2m(pfn, MM_INVALID);
        fz_set_owned(give, 0);
        fz_note_freed(give);
    }

    /* the playground: L4 slot PG_SLOT -> L3 -> L2 -> two L1s mapping the pool */
    for (int i = 0; i < POOL_FRAMES; i++)
        m->pool[i] = fresh_frame();
    m->pg_l3 = fresh_frame();
    m->pg_l2 = fresh_frame();
    for (int i = 0; i < PG_L1S; i++)
        m->pg_l1[i] = fresh_frame();
    m->ul4 = fresh_frame();
    for (int i = 0; i < POOL_FRAMES; i++)
        raw_write(m->pg_l1[0], (unsigned)i, mm_pte(m->pool[i], (i & 1) ? MM_RW_FLAGS : MM_RO_FLAGS));
    for (int i = 0; i < PG_L1S; i++)
        raw_write(m->pg_l2, (unsigned)i, mm_pte(m->pg_l1[i], MM_TABLE_FLAGS));
    raw_write(m->pg_l3, 0, mm_pte(m->pg_l2, MM_TABLE_FLAGS));
    rc = mm_update1((m->cur_l4 << 12) + 8 * PG_SLOT, mm_pte(m->pg_l3, MM_TABLE_FLAGS));
    if (rc)
        fz_fail("set-up: hooking the playground: rc %ld", rc);

    /* The big tree (g_big_tree): protected like the start-of-day region, so
     * that no other call gives it back or rewrites it; the fuzzer reaches it
     * through pins and unpins of several slices, abandoned or not. */
    m->bt_l3 = fresh_frame();
    m->bt_l2 = fresh_frame();
    for (int i = 0; i < BT_L1S; i++)
        m->bt_l1[i] = fresh_frame();
    fz_refresh_tree();
    fz_set_protected(m->bt_l3);
    fz_set_protected(m->bt_l2);
    for (int i = 0; i < BT_L1S; i++)
        fz_set_protected(m->bt_l1[i]);

    m->vcpuinfo_mfn = mm_pfn_to_mfn(((unsigned long)fz_vcpuinfo_page - m->vbase) >> 12);
    fz_guard_va = (unsigned long)fz_sink + FZ_SINK_SIZE;
    rc = HYPERVISOR_update_va_mapping(fz_guard_va, 0, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        fz_fail("set-up: unmapping the guard page: rc %ld", rc);
    fz_gnt_setup();
    fz_px_setup();
    fz_held = fz_memop_query(XENMEM_current_reservation);
    fz_snapshot();
    printk("fuzz: seed %lu count %lu batch %lu avoid %#x; region %#lx-%#lx, %lu pages held, max %ld, "
           "playground at %#lx, max_ram_page %#lx\n", fz_seed, fz_count, batch, fz_avoid, m->vbase, m->prot_end,
           fz_held, fz_memop_query(XENMEM_maximum_reservation), PG_BASE, m->max_ram_page);
}

/* ---- the end: give everything back --------------------------------------------------------------- */

static void finish(void)
{
    fz_restore_env();
    mm_ext1(MMUEXT_NEW_USER_BASEPTR, 0, 0);
    mm_ext1(MMUEXT_SET_LDT, 0, 0);
    pv_set_gdt(NULL, 0);
    pv_set_timer_op(0);
    struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    pv_sched_op(SCHEDOP_shutdown_code, &sd);

    fz_gnt_check(1);   /* every grant mapping it can take back, before its frames go */
    static xen_pfn_t give[512];
    unsigned n = 0;
    long given = 0;
    for (unsigned i = 0; i <= fz_nr_taken; i++) {
        if (i < fz_nr_taken && fz_owned(fz_taken[i])) {
            give[n++] = fz_taken[i];
            fz_set_owned(fz_taken[i], 0);
        }
        if (n == 512 || (i == fz_nr_taken && n)) {
            long rc = mm_reservation(XENMEM_decrease_reservation, give, n, 0, DOMID_SELF);
            if (rc != (long)n)
                fz_fail("giving back %u frames: only %ld (the next: %#lx)", n, rc,
                        rc >= 0 && rc < (long)n ? give[rc] : 0UL);
            given += rc;
            fz_held -= rc;
            fz_exposed_given += rc;     /* a mapping left in the playground may still hold one */
            n = 0;
        }
    }
    fz_check(1);
    printk("fuzz: gave back %ld frames taken during the run (%ld given without a list)\n", given, fz_anon);
}

void test_main(start_info_t *si)
{
    parse_cmdline((const char *)si->cmd_line);
    fz_state = fz_seed;
    setup(si);
    uint64_t t0 = pv_now();
    for (fz_index = 0; fz_index < fz_count; fz_index++) {
        if (fz_px_turn()) {
            g_memset(&fz_cur, 0, sizeof(fz_cur));
            fz_cur.nr = FZ_PRIV_NR;
            fz_px_step();
            goto batch_end;
        }
        fz_generate(&fz_cur);
        if (fz_index >= fz_trace_from)
            fz_print_call("call", &fz_cur);
        if (fz_cur.pre_timer) {
            /* The call may block until the timer: make sure its event can
             * still wake the guest, whatever earlier calls did to the port
             * (a port left pending or masked, by a hypercall writing into
             * shared_info through a buffer pointer, never signals again). */
            pv_clear_bit(pv_shared->evtchn_pending, (unsigned)fz_timer_port);
            pv_evtchn_unmask((unsigned)fz_timer_port);
            /* Events masked until the call: a timer that fires before it
             * must leave its event pending (SCHEDOP_block then returns at
             * once), not be taken by an upcall that leaves nothing to wake
             * the block. */
            pv_events_mask();
            pv_set_timer_op(pv_now() + 1000000);
        }
        if (fz_cur.abandon) {
            /* An upcall waiting at the call's first exit: if that exit is a
             * continuation, the handler drops the call (exec.c). */
            pv_vcpu->evtchn_upcall_mask = 0;
            pv_vcpu->evtchn_upcall_pending = 1;
            fz_abandon_armed = 1;
        }
        if (fz_cur.user_frame)
            fz_stats.iret_user++;
        if (fz_cur.nr == __HYPERVISOR_multicall)
            fz_stats.mc_calls++;
        long rc = fz_syscall(fz_cur.nr, fz_cur.a, &fz_cur.frame);
        fz_abandon_armed = 0;
        fz_stats.calls++;
        count_rc(rc);
        if (fz_index >= fz_trace_from)
            printk("  -> %ld\n", rc);
        fz_post(&fz_cur, rc);
        fz_restore_env();
    batch_end:
        if ((fz_index + 1) % batch == 0) {
            fz_check(0);
            fz_refresh_tree();
            print_progress("batch");
        }
    }
    uint64_t t1 = pv_now();
    unsigned long ms = (unsigned long)((t1 - t0) / 1000000);
    print_progress("done");
    fz_px_report();
    printk("fuzz: %lu calls in %lu ms: %lu calls/s\n", fz_stats.calls, ms, ms ? fz_stats.calls * 1000 / ms : 0);
    finish();
    test_check(1, "fuzz seed %lu: %lu calls, every invariant held", fz_seed, fz_count);
}
