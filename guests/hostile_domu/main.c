/* A hostile domU and its victim: two copies of this guest run as domUs next
 * to a dom0 that only waits (guests/spin with fair=0).
 *
 *   role=victim self=<id> peer=<hostile id>
 *       fills 2 MiB of its memory with a pattern, publishes a directory page
 *       (its L4, one of its L1s, some pattern frames, its grant-table frame,
 *       its ports) as grant ref 8, read-only, for the hostile domain, offers
 *       it port 3 (the sync channel) and offers port 4 to dom0 only; then it
 *       waits for the hostile domain's "done" event on port 3 and checks that
 *       nothing of it changed: pattern, directory, reservation, ports, grant.
 *   role=hostile self=<id> peer=<victim id> [crash=1]
 *       binds to the victim's port 3, maps the directory read-only, then
 *       tries every hypercall that could reach the victim's or dom0's memory
 *       or control, each checked against Xen 4.17's answer for an
 *       unprivileged domain (the Xen function that decides it is named in
 *       the comment). It ends by signalling port 3. With crash=1 it then
 *       crashes itself on purpose (ud2) instead of printing a result: the
 *       victim and dom0 must carry on.
 *
 * Only Xenolith can run this (Xen needs a toolstack in dom0 to build a domU).
 * Where Xenolith's documented policy differs on purpose (no pseudo-domains
 * as page owners; domctl, sysctl and hvm_op not offered yet) the check says
 * so and names Xen's answer. */
#include "pv.h"
#include "grant.h"
#include "errno.h"

#define E(x) (-(long)XEN_##x)
#define SYNC_PORT 3
#define DOM0_PORT 4
#define DIR_REF 8
#define DIR_MAGIC 0x485354494c45ull          /* "HOSTILE"-ish */
#define NR_PUB 8
#define WAIT_NS 40000000000ull
#define NO_DOMAIN 0x7fef

struct directory {
    uint64_t magic;
    uint64_t l4_mfn, l1_mfn, gnt_mfn, si_mfn;
    uint64_t pattern_mfn[NR_PUB];
    uint32_t sync_port, dom0_port;
};

#define PATTERN_PAGES 512
static unsigned char pattern[PATTERN_PAGES][4096] __attribute__((aligned(4096)));
static unsigned char dir_page[4096] __attribute__((aligned(4096)));
static unsigned char spare[4096] __attribute__((aligned(4096)));
static domid_t self_id, peer;
static int crash, xl;
static unsigned long attacks = 63;      /* a mask of the attack groups, for narrowing a failure down */

/* Hypercalls Xenolith does not offer yet (domctl, sysctl, hvm_op): -ENOSYS
 * there is noted as not yet done; any other answer must be Xen's. */
static void expect_later(long got, long want, const char *what)
{
    if (xl && got == E(ENOSYS))
        test_note("NOT YET on Xenolith: %s: rc=%ld (Xen 4.17: %ld)", what, got, want);
    else
        test_expect(got, want, "%s", what);
}

static unsigned char pat(unsigned long i, unsigned j)
{
    return (unsigned char)(i * 131 + j * 7 + 0x5a);
}

/* ---- the victim ------------------------------------------------------------------------- */

static long evtchn_status(domid_t dom, unsigned port, struct evtchn_status *st)
{
    g_memset(st, 0, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return pv_evtchn_op(EVTCHNOP_status, st);
}

/* Registers across preemption: a loop that holds known values in RCX and
 * R11 (the two that a sysret exit overwrites with RIP and RFLAGS) while the
 * other domains run and make hypercalls. Returns the rounds in which either
 * value changed. */
static unsigned long register_rounds(uint64_t ns, unsigned long *rounds)
{
    uint64_t end = pv_now() + ns;
    unsigned long bad = 0;

    *rounds = 0;
    while (pv_now() < end) {
        unsigned long rcx, r11;
        __asm__ volatile("mov %[a], %%rcx\n\t"
                         "mov %[b], %%r11\n\t"
                         "mov $200000, %%eax\n"
                         "1:\tdec %%eax\n\t"
                         "jnz 1b\n\t"
                         "mov %%rcx, %[c]\n\t"
                         "mov %%r11, %[d]"
                         : [c] "=r"(rcx), [d] "=r"(r11)
                         : [a] "i"(0x5ca1ab1e), [b] "i"(0x0ddba11)
                         : "rax", "rcx", "r11", "cc");
        bad += rcx != 0x5ca1ab1e || r11 != 0x0ddba11;
        ++*rounds;
    }
    return bad;
}

static void role_victim(void)
{
    struct directory *dir = (struct directory *)dir_page;
    struct evtchn_alloc_unbound au;
    struct evtchn_status st;
    int16_t gst;
    long rc, cur, max;
    unsigned long bad = 0;

    for (unsigned long i = 0; i < PATTERN_PAGES; i++)
        for (unsigned j = 0; j < 4096; j++)
            pattern[i][j] = pat(i, j);
    for (unsigned long i = 0; i < PATTERN_PAGES; i++)
        for (unsigned j = 0; j < 4096; j++)
            bad += pattern[i][j] != pat(i, j);
    test_check(bad == 0, "the pattern reads back right after the fill: %lu bytes differ", bad);
    bad = 0;
    rc = gnt_area_init();
    test_check(rc == 0, "grant window: rc=%ld", rc);
    rc = gnt_table_setup(1, &gst);
    test_check(rc == 0 && gst == GNTST_okay, "grant table set up: rc=%ld status %d", rc, gst);

    dir->magic = DIR_MAGIC;
    dir->l4_mfn = mm_boot_l4_mfn();
    dir->l1_mfn = mm_pte_maddr((unsigned long)pattern[0], 1) >> 12;
    dir->gnt_mfn = gnt_table_mfn[0];
    dir->si_mfn = guest_start_info->shared_info >> 12;
    for (unsigned i = 0; i < NR_PUB; i++)
        dir->pattern_mfn[i] = mm_va_to_mfn((unsigned long)pattern[i * (PATTERN_PAGES / NR_PUB)]);
    dir->sync_port = SYNC_PORT;
    dir->dom0_port = DOM0_PORT;
    gnt_grant(DIR_REF, peer, mm_va_to_mfn((unsigned long)dir_page), GTF_permit_access | GTF_readonly);

    au = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = peer };
    rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &au);
    test_check(rc == 0 && au.port == SYNC_PORT, "port %u offered to d%u: rc=%ld", au.port, peer, rc);
    au = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 0 };
    rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &au);
    test_check(rc == 0 && au.port == DOM0_PORT, "port %u offered to d0 only: rc=%ld", au.port, rc);
    cur = mm_domain_query(XENMEM_current_reservation, DOMID_SELF);
    max = mm_domain_query(XENMEM_maximum_reservation, DOMID_SELF);
    test_note("victim d%u ready: %d pattern pages, L4 mfn %#lx, reservation %ld of %ld", self_id, PATTERN_PAGES,
              (unsigned long)dir->l4_mfn, cur, max);

    /* While the hostile domain works: a preempted loop keeps its registers. */
    unsigned long rounds, clobbered = register_rounds(1000000000ull, &rounds);
    test_check(clobbered == 0 && rounds > 0, "RCX and R11 kept across preemption: %lu of %lu rounds changed",
               clobbered, rounds);

    test_check(pv_wait_port(SYNC_PORT, WAIT_NS), "d%u says it is done", peer);

    for (unsigned long i = 0; i < PATTERN_PAGES; i++) {
        unsigned long b = 0;
        for (unsigned j = 0; j < 4096; j++)
            b += pattern[i][j] != pat(i, j);
        if (b && (bad < 3 * 4096 || i > PATTERN_PAGES - 3)) {
            /* Which page's pattern it holds (pat() is i * 131 + ... mod 256, 131 * 43 = 1 mod 256). */
            unsigned src = (unsigned)(((unsigned char)(pattern[i][0] - 0x5a)) * 43u) & 255;
            test_note("page %lu (mfn %#lx): %lu bytes differ, bytes 0-7 %#lx (the pattern of page %u or %u?)", i,
                      mm_va_to_mfn((unsigned long)pattern[i]), b, *(unsigned long *)pattern[i], src, src + 256);
        }
        bad += b;
    }
    test_check(bad == 0, "the pattern is intact: %lu of %u bytes differ", bad, PATTERN_PAGES * 4096);
    test_check(dir->magic == DIR_MAGIC && dir->l4_mfn == mm_boot_l4_mfn() && mm_l4_mfn() == mm_boot_l4_mfn(),
               "the directory page and the L4 are unchanged");
    for (unsigned i = 0; i < NR_PUB; i++)
        test_check(mm_va_to_mfn((unsigned long)pattern[i * (PATTERN_PAGES / NR_PUB)]) == dir->pattern_mfn[i] &&
                       GUEST_M2P[dir->pattern_mfn[i]] == mm_mfn_to_pfn(dir->pattern_mfn[i]),
                   "pattern frame %#lx still mapped where it was, its M2P entry ours (%#lx)",
                   (unsigned long)dir->pattern_mfn[i], GUEST_M2P[dir->pattern_mfn[i]]);
    test_expect(mm_domain_query(XENMEM_current_reservation, DOMID_SELF), cur, "current_reservation unchanged");
    test_expect(mm_domain_query(XENMEM_maximum_reservation, DOMID_SELF), max, "maximum_reservation unchanged");
    test_check(!(gnt_flags(DIR_REF) & (GTF_reading | GTF_writing)), "ref %u no longer in use: flags %#x", DIR_REF,
               gnt_flags(DIR_REF));
    rc = evtchn_status(DOMID_SELF, DOM0_PORT, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
               "port %u still offered to d0 only: rc=%ld status %u dom %u", DOM0_PORT, rc, st.status,
               st.u.unbound.dom);
    /* The hostile domain is bound to port 3, or (crash=1) gone, which leaves
     * the port offered to it again. */
    rc = evtchn_status(DOMID_SELF, SYNC_PORT, &st);
    test_check(rc == 0 && ((st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == peer) ||
                           (st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == peer)),
               "port %u still ours, with d%u: rc=%ld status %u", SYNC_PORT, peer, rc, st.status);
    /* Still working: a frame of its own given back and one taken again. */
    unsigned long pfn = mm_alloc_pfn();
    xen_pfn_t f = pfn == MM_INVALID ? 0 : mm_pfn_to_mfn(pfn);
    rc = mm_reservation(XENMEM_decrease_reservation, &f, 1, 0, DOMID_SELF);
    test_check(rc == 1, "decrease_reservation of pfn %#lx still works: rc=%ld", pfn, rc);
    mm_set_p2m(pfn, MM_INVALID);
    f = 0;
    rc = mm_reservation(XENMEM_increase_reservation, &f, 1, 0, DOMID_SELF);
    test_check(rc == 1 && f != 0, "increase_reservation still works: rc=%ld mfn %#lx", rc, (unsigned long)f);
    test_expect(mm_domain_query(XENMEM_current_reservation, DOMID_SELF), cur, "  reservation back to %ld", cur);
    gnt_table[DIR_REF].flags = 0;
    (void)pv_evtchn_send(SYNC_PORT);
    test_note("victim done at system time %lu ms", (unsigned long)(pv_now() / 1000000));
}

/* ---- the hostile domain ------------------------------------------------------------------ */

static struct directory vd;                   /* the victim's directory, copied */
static unsigned long own_slot;                /* an L1 entry of ours to aim requests at */
static unsigned long own_mfn;                 /* a frame of ours */

static long mmu1(unsigned long ptr, unsigned long val, unsigned foreigndom)
{
    mmu_update_t req = { ptr, val };
    return HYPERVISOR_mmu_update(&req, 1, NULL, foreigndom);
}

/* do_mmu_update, do_mmuext_op, do_update_va_mapping_otherdomain (x86/mm.c),
 * get_pg_owner (page_alloc.c), get_page_from_l1e, xsm/dummy.h's XSM_TARGET:
 * a domU passes its own id only as DOMID_SELF; another domain is looked up
 * (-ESRCH if none) and then refused (-EPERM). */
static void attack_mm(void)
{
    unsigned long own_val = mm_pte(own_mfn, MM_RW_FLAGS), va = gnt_va(2, 0);
    static const struct { unsigned dom; const char *what; } foreign[] = {
        { 0, "dom0" }, { DOMID_XEN, "DOMID_XEN" }, { DOMID_IO, "DOMID_IO" },
    };
    long rc;

    for (unsigned i = 0; i < 4; i++) {
        unsigned dom = i == 0 ? peer : foreign[i - 1].dom;
        const char *what = i == 0 ? "the victim" : foreign[i - 1].what;
        /* DOMID_IO passes Xen's XSM check in mmu_update (it is no domain's
         * frames' owner), and the entry then fails in get_page_from_l1e
         * (-EBUSY); Xenolith offers no pseudo-domains and refuses at once. */
        long want = dom == DOMID_IO && !xl ? E(EBUSY) : E(EPERM);
        rc = mmu1(own_slot, own_val, dom);
        test_expect(rc, want, "mmu_update of our own L1 with foreigndom %s", what);
        rc = mm_ext1_for(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, dom);
        test_expect(rc, E(EPERM), "mmuext_op TLB_FLUSH_LOCAL with foreigndom %s", what);
        rc = mm_ext1_for(MMUEXT_PIN_L1_TABLE, vd.l1_mfn, 0, dom);
        test_expect(rc, E(EPERM), "mmuext_op PIN_L1_TABLE of the victim's L1 with foreigndom %s", what);
        rc = HYPERVISOR_update_va_mapping_otherdomain(va, own_val, 0, dom);
        test_expect(rc, E(EPERM), "update_va_mapping_otherdomain with domid %s", what);
        rc = HYPERVISOR_update_va_mapping_otherdomain(va, mm_pte(vd.pattern_mfn[0], MM_RW_FLAGS), 0, dom);
        test_expect(rc, E(EPERM), "update_va_mapping_otherdomain of a victim frame with domid %s", what);
    }
    rc = mmu1(own_slot, own_val, self_id);
    test_expect(rc, E(ESRCH), "mmu_update with foreigndom = our own id (not DOMID_SELF)");
    rc = mmu1(own_slot, own_val, NO_DOMAIN);
    test_expect(rc, E(ESRCH), "mmu_update with foreigndom = no domain");
    rc = HYPERVISOR_update_va_mapping_otherdomain(va, own_val, 0, NO_DOMAIN);
    test_expect(rc, E(ESRCH), "update_va_mapping_otherdomain of no domain");
    rc = mm_ext1_for(MMUEXT_TLB_FLUSH_LOCAL, 0, 0, NO_DOMAIN);
    test_expect(rc, E(ESRCH), "mmuext_op with foreigndom = no domain");

    /* The page-table owner in foreigndom bits 16-31 (id + 1): the victim's
     * tables exist, so the request gets as far as the XSM check (-EPERM);
     * MMU_MACHPHYS_UPDATE wants the caller as table owner (-EPERM). */
    rc = mmu1((vd.l1_mfn << 12), mm_pte(own_mfn, MM_RW_FLAGS), ((unsigned)peer + 1) << 16 | DOMID_SELF);
    test_expect(rc, E(EPERM), "mmu_update of the victim's L1 with the victim as page-table owner");
    rc = mmu1((vd.l1_mfn << 12), mm_pte(vd.pattern_mfn[0], MM_RW_FLAGS), ((unsigned)peer + 1) << 16 | peer);
    test_expect(rc, E(EPERM), "mmu_update of the victim's L1 naming the victim as both owners");
    rc = mmu1((vd.pattern_mfn[0] << 12) | MMU_MACHPHYS_UPDATE, 5, ((unsigned)peer + 1) << 16 | DOMID_SELF);
    test_expect(rc, E(EPERM), "MMU_MACHPHYS_UPDATE with the victim as page-table owner");
    rc = mmu1(own_slot, own_val, (0u + 1) << 16 | DOMID_SELF);
    test_expect(rc, E(EPERM), "mmu_update with dom0 as page-table owner");
    rc = mmu1(own_slot, own_val, ((unsigned)NO_DOMAIN + 1) << 16 | DOMID_SELF);
    test_expect(rc, E(ESRCH), "mmu_update with no domain as page-table owner");

    /* The victim's frames named directly (DOMID_SELF): get_page_from_l1e
     * refuses another domain's frame (-EBUSY); a table update, pin, clear,
     * copy or M2P update needs a frame of the caller (-EINVAL). */
    rc = mmu1(own_slot, mm_pte(vd.pattern_mfn[0], MM_RO_FLAGS), DOMID_SELF);
    test_expect(rc, E(EBUSY), "L1 entry -> the victim's data frame, read-only");
    rc = mmu1(own_slot, mm_pte(vd.pattern_mfn[1], MM_RW_FLAGS), DOMID_SELF);
    test_expect(rc, E(EBUSY), "L1 entry -> the victim's data frame, writable");
    rc = mmu1(own_slot, mm_pte(vd.l4_mfn, MM_RO_FLAGS), DOMID_SELF);
    test_expect(rc, E(EBUSY), "L1 entry -> the victim's L4, read-only");
    rc = mmu1(own_slot, mm_pte(vd.gnt_mfn, MM_RW_FLAGS), DOMID_SELF);
    test_expect(rc, E(EBUSY), "L1 entry -> the victim's grant-table frame");
    rc = mmu1(own_slot, mm_pte(vd.si_mfn, MM_RW_FLAGS), DOMID_SELF);
    test_expect(rc, E(EBUSY), "L1 entry -> the victim's shared_info");
    rc = HYPERVISOR_update_va_mapping(va, mm_pte(vd.pattern_mfn[2], MM_RW_FLAGS), UVMF_INVLPG);
    test_expect(rc, E(EBUSY), "update_va_mapping -> the victim's data frame");
    rc = mmu1(vd.l1_mfn << 12, mm_pte(own_mfn, MM_RW_FLAGS), DOMID_SELF);
    test_expect(rc, E(EINVAL), "mmu_update writing into the victim's L1");
    rc = mmu1((vd.l4_mfn << 12) + 8 * 5, 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "mmu_update clearing an entry of the victim's L4");
    rc = mmu1((vd.pattern_mfn[3] << 12) | MMU_MACHPHYS_UPDATE, 0x1234, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMU_MACHPHYS_UPDATE of the victim's frame");
    rc = mm_ext1_for(MMUEXT_PIN_L1_TABLE, vd.l1_mfn, 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_PIN_L1_TABLE of the victim's L1");
    rc = mm_ext1_for(MMUEXT_PIN_L1_TABLE, vd.pattern_mfn[4], 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_PIN_L1_TABLE of the victim's data frame");
    rc = mm_ext1_for(MMUEXT_PIN_L4_TABLE, vd.l4_mfn, 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_PIN_L4_TABLE of the victim's L4");
    rc = mm_ext1_for(MMUEXT_UNPIN_TABLE, vd.l4_mfn, 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_UNPIN_TABLE of the victim's L4");
    rc = mm_ext1_for(MMUEXT_NEW_BASEPTR, vd.l4_mfn, 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_NEW_BASEPTR to the victim's L4");
    rc = mm_ext1_for(MMUEXT_CLEAR_PAGE, vd.pattern_mfn[5], 0, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_CLEAR_PAGE of the victim's frame");
    rc = mm_ext1_for(MMUEXT_COPY_PAGE, own_mfn, vd.pattern_mfn[6], DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_COPY_PAGE from the victim's frame");
    rc = mm_ext1_for(MMUEXT_COPY_PAGE, vd.pattern_mfn[6], own_mfn, DOMID_SELF);
    test_expect(rc, E(EINVAL), "MMUEXT_COPY_PAGE onto the victim's frame");

    /* Descriptor tables (pv/descriptor-tables.c: pv_set_gdt, do_update_descriptor):
     * the frames must be the caller's (-EINVAL). MMUEXT_SET_LDT names a
     * linear address of the caller, so it cannot reach a foreign frame. */
    unsigned long gdt[1] = { vd.pattern_mfn[7] };
    rc = pv_set_gdt(gdt, 512);
    test_expect(rc, E(EINVAL), "set_gdt on the victim's frame");
    rc = pv_update_descriptor(vd.pattern_mfn[7] << 12, 0x00cffa000000ffffull);
    test_expect(rc, E(EINVAL), "update_descriptor in the victim's frame");
    rc = pv_update_descriptor(vd.l4_mfn << 12, 0);
    test_expect(rc, E(EINVAL), "update_descriptor in the victim's L4");
}

/* Frames found through the M2P alone: a valid entry naming a pfn whose p2m
 * entry (ours) is another frame belongs to someone else (dom0, the victim,
 * or the hypervisor's own pages if their M2P entry looks valid). Each is
 * refused like the victim's published frames. */
static void attack_m2p_frames(void)
{
    unsigned long found = 0, max = (unsigned long)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    long rc;

    for (unsigned long mfn = 0x100; mfn < max && found < 6; mfn += 97) {
        unsigned long pfn = GUEST_M2P[mfn];
        if (pfn >= (1ul << 30) || (pfn < guest_start_info->nr_pages && mm_pfn_to_mfn(pfn) == mfn))
            continue;
        found++;
        rc = mmu1(own_slot, mm_pte(mfn, MM_RO_FLAGS), DOMID_SELF);
        test_expect(rc, E(EBUSY), "L1 entry -> mfn %#lx (M2P pfn %#lx, not ours), read-only", mfn, pfn);
        rc = mmu1((mfn << 12) | MMU_MACHPHYS_UPDATE, pfn + 1, DOMID_SELF);
        test_expect(rc, E(EINVAL), "  MMU_MACHPHYS_UPDATE of it");
        rc = mm_ext1_for(MMUEXT_PIN_L1_TABLE, mfn, 0, DOMID_SELF);
        test_expect(rc, E(EINVAL), "  MMUEXT_PIN_L1_TABLE of it");
        test_check(GUEST_M2P[mfn] == pfn, "  its M2P entry unchanged (%#lx)", GUEST_M2P[mfn]);
    }
    test_check(found == 6, "%lu frames of other owners found through the M2P", found);
}

/* common/memory.c do_memory_op: the reservation sub-ops report 0 extents when
 * the XSM check refuses; the queries, exchange (memory_exchange) and
 * add_to_physmap (xatp_permission_check: a PV domain is not translated,
 * -EACCES) return errors. */
static void attack_memory(void)
{
    static const struct { domid_t dom; const char *what; } doms[] = { { 0, "dom0" }, { 0, "the victim" } };
    long rc;

    for (unsigned i = 0; i < 2; i++) {
        domid_t dom = i ? peer : doms[i].dom;
        const char *what = doms[i].what;
        xen_pfn_t list[1] = { vd.pattern_mfn[0] };
        rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, dom);
        test_expect(rc, 0, "decrease_reservation of %s (a victim frame)", what);
        list[0] = 0;
        rc = mm_reservation(XENMEM_increase_reservation, list, 1, 0, dom);
        test_expect(rc, 0, "increase_reservation of %s", what);
        list[0] = 0x100;
        rc = mm_reservation(XENMEM_populate_physmap, list, 1, 0, dom);
        test_expect(rc, 0, "populate_physmap of %s", what);
        rc = mm_domain_query(XENMEM_current_reservation, dom);
        test_expect(rc, E(EPERM), "current_reservation of %s", what);
        rc = mm_domain_query(XENMEM_maximum_reservation, dom);
        test_expect(rc, E(EPERM), "maximum_reservation of %s", what);
        rc = mm_domain_query(XENMEM_maximum_gpfn, dom);
        test_expect(rc, E(EPERM), "maximum_gpfn of %s", what);

        xen_pfn_t in[1] = { vd.pattern_mfn[1] }, out[1] = { 0x200 };
        struct xen_memory_exchange ex;
        g_memset(&ex, 0, sizeof(ex));
        set_xen_guest_handle(ex.in.extent_start, in);
        set_xen_guest_handle(ex.out.extent_start, out);
        ex.in.nr_extents = ex.out.nr_extents = 1;
        ex.in.domid = ex.out.domid = dom;
        rc = HYPERVISOR_memory_op(XENMEM_exchange, &ex);
        test_expect(rc, E(EPERM), "exchange of %s's frame", what);

        struct xen_add_to_physmap xatp;
        g_memset(&xatp, 0, sizeof(xatp));
        xatp.domid = dom;
        xatp.space = XENMAPSPACE_gmfn;
        xatp.idx = 0;
        xatp.gpfn = 0x300;
        rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
        test_expect(rc, E(EACCES), "add_to_physmap into %s", what);
    }
    rc = mm_domain_query(XENMEM_current_reservation, NO_DOMAIN);
    test_expect(rc, E(ESRCH), "current_reservation of no domain");
    xen_pfn_t l[1] = { 0 };
    rc = mm_reservation(XENMEM_increase_reservation, l, 1, 0, NO_DOMAIN);
    test_expect(rc, 0, "increase_reservation of no domain");
}

/* common/event_channel.c: alloc_unbound, status and reset look the domain up
 * (-ESRCH) and then ask XSM (XSM_TARGET: -EPERM); status of a port beyond the
 * domain's valid ones is -EINVAL before that. bind_interdomain takes only a
 * port offered to the caller (-EINVAL). close and send act on the caller's
 * own ports: a number that is only the victim's is -EINVAL. */
static void attack_evtchn(void)
{
    struct evtchn_alloc_unbound au;
    struct evtchn_bind_interdomain bi;
    struct evtchn_status st;
    struct evtchn_reset rs;
    long rc;

    for (unsigned i = 0; i < 3; i++) {
        domid_t dom = i == 0 ? peer : i == 1 ? 0 : NO_DOMAIN;
        const char *what = i == 0 ? "the victim" : i == 1 ? "dom0" : "no domain";
        long want = i == 2 ? E(ESRCH) : E(EPERM);
        au = (struct evtchn_alloc_unbound){ .dom = dom, .remote_dom = self_id };
        rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &au);
        test_expect(rc, want, "alloc_unbound in %s, offered to us", what);
        au = (struct evtchn_alloc_unbound){ .dom = dom, .remote_dom = DOMID_SELF };
        rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &au);
        test_expect(rc, want, "alloc_unbound in %s, remote DOMID_SELF", what);
        rc = evtchn_status(dom, i == 0 ? SYNC_PORT : 1, &st);
        test_expect(rc, want, "status of %s's port %u", what, i == 0 ? SYNC_PORT : 1);
        rs = (struct evtchn_reset){ .dom = dom };
        rc = pv_evtchn_op(EVTCHNOP_reset, &rs);
        test_expect(rc, want, "reset of %s's ports", what);
    }
    rc = evtchn_status(peer, DOM0_PORT, &st);
    test_expect(rc, E(EPERM), "status of the victim's port %u", DOM0_PORT);
    rc = evtchn_status(peer, 0, &st);
    test_expect(rc, E(EPERM), "status of the victim's port 0");
    rc = evtchn_status(peer, 100000, &st);
    test_expect(rc, E(EINVAL), "status of the victim's port 100000 (beyond its ports)");

    bi = (struct evtchn_bind_interdomain){ .remote_dom = peer, .remote_port = DOM0_PORT };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    test_expect(rc, E(EINVAL), "bind_interdomain to the victim's port %u (offered to dom0)", DOM0_PORT);
    bi = (struct evtchn_bind_interdomain){ .remote_dom = peer, .remote_port = SYNC_PORT };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    test_expect(rc, E(EINVAL), "bind_interdomain to the victim's port %u again (bound already)", SYNC_PORT);
    bi = (struct evtchn_bind_interdomain){ .remote_dom = peer, .remote_port = 1 };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    test_expect(rc, E(EINVAL), "bind_interdomain to the victim's port 1 (its xenstore port)");
    bi = (struct evtchn_bind_interdomain){ .remote_dom = peer, .remote_port = 100000 };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    test_expect(rc, E(EINVAL), "bind_interdomain to the victim's port 100000");
    for (unsigned p = 0; p < 4; p++) {
        bi = (struct evtchn_bind_interdomain){ .remote_dom = 0, .remote_port = p };
        rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
        test_expect(rc, E(EINVAL), "bind_interdomain to dom0's port %u", p);
    }
    bi = (struct evtchn_bind_interdomain){ .remote_dom = NO_DOMAIN, .remote_port = 1 };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
    test_expect(rc, E(ESRCH), "bind_interdomain to no domain");

    rc = pv_evtchn_close(DOM0_PORT);
    test_expect(rc, E(EINVAL), "close of port %u (the victim's, not ours)", DOM0_PORT);
    rc = pv_evtchn_send(DOM0_PORT);
    test_expect(rc, E(EINVAL), "send on port %u (the victim's, not ours)", DOM0_PORT);
    rc = pv_evtchn_send(100000);
    test_expect(rc, E(EINVAL), "send on port 100000");
}

/* common/grant_table.c: setup_table, query_size and get_status_frames of
 * another domain: GNTST_permission_denied (XSM_TARGET), of no domain
 * GNTST_bad_domain; get_version: -EPERM / -ESRCH (set_version names no
 * domain). map_grant_ref of entries not granted to us: GNTST_general_error.
 * copy: a frame given by number must be DOMID_SELF's
 * (GNTST_permission_denied); a ref not granted, or granted read-only as a
 * destination, GNTST_general_error. */
static void attack_grant(void)
{
    gnttab_setup_table_t su;
    gnttab_query_size_t q;
    gnttab_get_status_frames_t gs;
    gnttab_get_version_t gv;
    gnttab_map_grant_ref_t m;
    gnttab_copy_t c;
    uint64_t frames[2];
    xen_pfn_t list[2];
    long rc;

    for (unsigned i = 0; i < 3; i++) {
        domid_t dom = i == 0 ? peer : i == 1 ? 0 : NO_DOMAIN;
        const char *what = i == 0 ? "the victim" : i == 1 ? "dom0" : "no domain";
        int16_t want = i == 2 ? GNTST_bad_domain : GNTST_permission_denied;

        g_memset(&su, 0, sizeof(su));
        su.dom = dom;
        su.nr_frames = 1;
        su.status = 0x7777;
        list[0] = 0x5555;
        set_xen_guest_handle(su.frame_list, list);
        rc = gnt_op(GNTTABOP_setup_table, &su, 1);
        test_check(rc == 0 && su.status == want && list[0] == 0x5555,
                   "setup_table of %s: rc=%ld status %d (want %d), no frame listed", what, rc, su.status, want);
        rc = gnt_query_size(dom, &q);
        test_check(rc == 0 && q.status == want && q.nr_frames == 0x5555,
                   "query_size of %s: rc=%ld status %d (want %d), nothing written", what, rc, q.status, want);
        g_memset(&gs, 0, sizeof(gs));
        gs.dom = dom;
        gs.nr_frames = 1;
        gs.status = 0x7777;
        frames[0] = 0x5555;
        set_xen_guest_handle(gs.frame_list, frames);
        rc = gnt_op(GNTTABOP_get_status_frames, &gs, 1);
        test_check(rc == 0 && gs.status == want && frames[0] == 0x5555,
                   "get_status_frames of %s: rc=%ld status %d (want %d)", what, rc, gs.status, want);
        gv = (gnttab_get_version_t){ .dom = dom, .version = 0x77 };
        rc = gnt_op(GNTTABOP_get_version, &gv, 1);
        test_check(rc == (i == 2 ? E(ESRCH) : E(EPERM)) && gv.version == 0x77,
                   "get_version of %s: rc=%ld version %u", what, rc, gv.version);
    }

    unsigned long va = gnt_va(1, 1);
    rc = gnt_map(&m, va, GNTMAP_host_map, DIR_REF, peer);
    test_expect(rc == 0 ? m.status : rc, GNTST_general_error, "map the victim's ref %u writable (granted read-only)",
           DIR_REF);
    for (grant_ref_t r = 0; r < 16; r++) {
        if (r == DIR_REF)
            continue;
        rc = gnt_map(&m, va, GNTMAP_host_map | GNTMAP_readonly, r, peer);
        if (!test_expect(rc == 0 ? m.status : rc, GNTST_general_error, "map the victim's ref %u (not granted)", r))
            break;
    }
    rc = gnt_map(&m, va, GNTMAP_host_map | GNTMAP_readonly, 1, 0);
    test_expect(rc == 0 ? m.status : rc, GNTST_general_error, "map dom0's ref 1 (not granted)");
    rc = gnt_map(&m, va, GNTMAP_host_map | GNTMAP_readonly, 100000, peer);
    test_expect(rc == 0 ? m.status : rc, GNTST_bad_gntref, "map the victim's ref 100000 (beyond its table)");

    g_memset(&c, 0, sizeof(c));
    c.source.u.ref = DIR_REF + 1;
    c.source.domid = peer;
    c.dest.u.gmfn = own_mfn;
    c.dest.domid = DOMID_SELF;
    c.len = 8;
    c.flags = GNTCOPY_source_gref;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_general_error, "copy from the victim's ref %u (not granted)", DIR_REF + 1);
    c.source.u.gmfn = vd.pattern_mfn[0];
    c.flags = 0;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_permission_denied, "copy from the victim's frame by number");
    c.source.u.gmfn = own_mfn;
    c.source.domid = DOMID_SELF;
    c.dest.u.gmfn = vd.pattern_mfn[1];
    c.dest.domid = peer;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_permission_denied, "copy onto the victim's frame by number");
    c.dest.u.gmfn = vd.pattern_mfn[1];
    c.dest.domid = 0;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_permission_denied, "copy onto a victim frame named as dom0's");
    c.dest.u.ref = DIR_REF;
    c.dest.domid = peer;
    c.flags = GNTCOPY_dest_gref;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_general_error, "copy onto the victim's ref %u (granted read-only)", DIR_REF);
    c.dest.u.ref = DIR_REF + 2;
    rc = gnt_copy1(&c);
    test_expect(rc == 0 ? c.status : rc, GNTST_general_error, "copy onto the victim's ref %u (not granted)", DIR_REF + 2);
}

/* Control: domctl (common/domctl.c: the domain looked up, -ESRCH, then
 * xsm_domctl: -EPERM for a domU; a wrong interface version -EACCES first),
 * sysctl (xsm_sysctl: -EPERM), SCHEDOP_remote_shutdown (sched/core.c:
 * -ESRCH, then XSM_DM_PRIV: -EPERM), HVMOP_get_param (hvm.c
 * hvmop_get_param: the domain looked up, -ESRCH, then -EINVAL for a PV
 * domain). */
#define DOMCTL_VERSION 0x15
#define SYSCTL_VERSION 0x15
#define DOMCTL_pausedomain 3
#define DOMCTL_getdomaininfo 5
#define DOMCTL_destroydomain 2
#define SYSCTL_physinfo 3
#define HVMOP_get_param 1
#define HVM_PARAM_STORE_PFN 1

static long domctl(uint32_t cmd, uint32_t version, domid_t dom)
{
    uint32_t buf[64];                          /* struct xen_domctl: cmd, version, domain, then the union */
    g_memset(buf, 0, sizeof(buf));
    buf[0] = cmd;
    buf[1] = version;
    buf[2] = dom;
    return GUEST_HYPERCALL(__HYPERVISOR_domctl, buf, 0, 0, 0, 0);
}

static void attack_control(void)
{
    struct sched_remote_shutdown rs;
    uint32_t sbuf[64];
    long rc;

    rc = domctl(DOMCTL_pausedomain, DOMCTL_VERSION, peer);
    expect_later(rc, E(EPERM), "domctl pausedomain of the victim");
    rc = domctl(DOMCTL_destroydomain, DOMCTL_VERSION, peer);
    expect_later(rc, E(EPERM), "domctl destroydomain of the victim");
    rc = domctl(DOMCTL_getdomaininfo, DOMCTL_VERSION, peer);
    expect_later(rc, E(EPERM), "domctl getdomaininfo of the victim");
    rc = domctl(DOMCTL_pausedomain, DOMCTL_VERSION, 0);
    expect_later(rc, E(EPERM), "domctl pausedomain of dom0");
    rc = domctl(DOMCTL_pausedomain, DOMCTL_VERSION, NO_DOMAIN);
    expect_later(rc, E(ESRCH), "domctl pausedomain of no domain");
    rc = domctl(DOMCTL_pausedomain, DOMCTL_VERSION - 1, peer);
    expect_later(rc, E(EACCES), "domctl with an old interface version");
    g_memset(sbuf, 0, sizeof(sbuf));
    sbuf[0] = SYSCTL_physinfo;
    sbuf[1] = SYSCTL_VERSION;
    rc = GUEST_HYPERCALL(__HYPERVISOR_sysctl, sbuf, 0, 0, 0, 0);
    expect_later(rc, E(EPERM), "sysctl physinfo");

    struct { domid_t domid; uint32_t index; uint64_t value; } hp = { peer, HVM_PARAM_STORE_PFN, 0x5555 };
    rc = GUEST_HYPERCALL(__HYPERVISOR_hvm_op, HVMOP_get_param, &hp, 0, 0, 0);
    expect_later(rc, E(EINVAL), "HVMOP_get_param of the victim's store pfn (a PV domain)");
    hp.domid = NO_DOMAIN;
    rc = GUEST_HYPERCALL(__HYPERVISOR_hvm_op, HVMOP_get_param, &hp, 0, 0, 0);
    expect_later(rc, E(ESRCH), "HVMOP_get_param of no domain");
    test_check(hp.value == 0x5555, "nothing written back (%#lx)", (unsigned long)hp.value);

    rs = (struct sched_remote_shutdown){ .domain_id = peer, .reason = SHUTDOWN_poweroff };
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_expect(rc, E(EPERM), "SCHEDOP_remote_shutdown of the victim");
    rs.reason = SHUTDOWN_crash;
    rs.domain_id = 0;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_expect(rc, E(EPERM), "SCHEDOP_remote_shutdown of dom0");
    rs.domain_id = NO_DOMAIN;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_expect(rc, E(ESRCH), "SCHEDOP_remote_shutdown of no domain");
    rs.domain_id = DOMID_SELF;
    rc = pv_sched_op(SCHEDOP_remote_shutdown, &rs);
    test_expect(rc, E(ESRCH), "SCHEDOP_remote_shutdown of DOMID_SELF (looked up by id only)");
}

static long bind_victim(void)
{
    uint64_t end = pv_now() + WAIT_NS;
    long rc;

    do {
        struct evtchn_bind_interdomain op = { .remote_dom = peer, .remote_port = SYNC_PORT };
        rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &op);
        if (rc == 0)
            return op.local_port;
        (void)pv_sched_op(SCHEDOP_yield, 0);
    } while (pv_now() < end);
    return rc;
}

static void role_hostile(void)
{
    gnttab_map_grant_ref_t m;
    unsigned long dva = gnt_va(1, 0);
    long port = bind_victim(), rc;
    int16_t st;

    test_check(port > 0, "bound to the victim d%u's port %u: local port %ld", peer, SYNC_PORT, port);
    if (port <= 0)
        return;
    rc = gnt_area_init();
    test_check(rc == 0, "grant window: rc=%ld", rc);
    rc = gnt_map(&m, dva, GNTMAP_host_map | GNTMAP_readonly, DIR_REF, peer);
    test_check(rc == 0 && m.status == GNTST_okay, "map the victim's directory (ref %u, read-only): rc=%ld status %d",
               DIR_REF, rc, m.status);
    if (rc || m.status != GNTST_okay)
        return;
    g_memcpy(&vd, (const void *)dva, sizeof(vd));
    test_check(vd.magic == DIR_MAGIC, "the directory: L4 %#lx, L1 %#lx, grant frame %#lx, data %#lx..",
               (unsigned long)vd.l4_mfn, (unsigned long)vd.l1_mfn, (unsigned long)vd.gnt_mfn,
               (unsigned long)vd.pattern_mfn[0]);
    own_mfn = mm_va_to_mfn((unsigned long)spare);
    own_slot = gnt_pte_maddr(gnt_va(2, 0));
    /* The M2P agrees these frames are not ours: each has a valid entry
     * naming a pfn whose p2m entry (ours) is another frame. */
    for (unsigned i = 0; i < NR_PUB; i++) {
        unsigned long pfn = GUEST_M2P[vd.pattern_mfn[i]];
        test_check(pfn < guest_start_info->nr_pages && mm_pfn_to_mfn(pfn) != vd.pattern_mfn[i],
                   "victim frame %#lx: M2P pfn %#lx, ours there is %#lx", (unsigned long)vd.pattern_mfn[i], pfn,
                   pfn < guest_start_info->nr_pages ? mm_pfn_to_mfn(pfn) : 0);
    }

    if (attacks & 1)
        attack_mm();
    if (attacks & 2)
        attack_m2p_frames();
    if (attacks & 4)
        attack_memory();
    if (attacks & 8)
        attack_evtchn();
    if (attacks & 16)
        attack_grant();
    if (attacks & 32)
        attack_control();

    test_check(gnt_pte(gnt_va(2, 0)) == 0 && gnt_pte(gnt_va(1, 1)) == 0, "no entry was written in our window");
    rc = gnt_unmap(dva, 0, m.handle, &st);
    test_check(rc == 0 && st == GNTST_okay, "unmap the directory: rc=%ld status %d", rc, st);
    rc = pv_evtchn_send((unsigned)port);
    test_check(rc == 0, "told the victim we are done: rc=%ld", rc);
    if (crash && test_failures() == 0) {
        test_note("crashing on purpose; the victim and dom0 go on");
        __asm__ volatile("ud2");
    }
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;

    pv_map_shared_info();
    xl = guest_on_xenolith();
    self_id = (domid_t)g_opt(line, "self=", 0);
    peer = (domid_t)g_opt(line, "peer=", 0);
    crash = (int)g_opt(line, "crash=", 0);
    attacks = g_opt(line, "attacks=", attacks);
    test_check(!(si->flags & SIF_INITDOMAIN), "started as a domU (start_info flags %#x)", si->flags);
    test_check(self_id != 0 && peer != 0 && peer != self_id, "self=d%u peer=d%u", self_id, peer);
    if (g_strstr(line, "role=victim"))
        role_victim();
    else if (g_strstr(line, "role=hostile"))
        role_hostile();
    else
        test_check(0, "role=victim or role=hostile on the command line");
    test_finish();
}
