/* The FIFO event-channel ABI, as Xen 4.17 has it: every refusal of
 * init_control, expand_array and set_priority; the switch from 2-level
 * (ports pending there, and ports raised before their event word exists,
 * become pending when the page of their word arrives); the event words and
 * the control block after each send (PENDING, MASKED, LINKED, BUSY, LINK,
 * HEAD, READY); delivery of IPIs, VIRQ_TIMER and a loopback interdomain
 * channel through the queues, higher priorities first and first-in
 * first-out within one; masking in the word and EVTCHNOP_unmask; SCHEDOP_poll;
 * a closed port still linked is not handed out again until the guest unlinks
 * it; more than 4096 ports; words and control block corrupted by the guest;
 * 128 pages and no more; the frames held by the hypervisor until
 * EVTCHNOP_reset, which goes back to 2-level (4095 ports again), a second
 * FIFO session after it, and a third left running when the domain ends. */
#include "fifo.h"

#define EPERM 1
#define ENOENT 2
#define EFAULT 14
#define EACCES 13
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38
#define EOPNOTSUPP 95

#define CB_OFFSET   (4096 - (unsigned)sizeof(struct evtchn_fifo_control_block))  /* the last place allowed */
#define ARR_PAGES   6
#define PATTERN     0x5a
#define P           PV_FIFO_W_PENDING
#define M           PV_FIFO_W_MASKED
#define L           PV_FIFO_W_LINKED
#define B           PV_FIFO_W_BUSY

static unsigned char cb_page[4096] __attribute__((aligned(4096)));
static event_word_t arr[ARR_PAGES][PV_FIFO_WORDS_PER_PAGE] __attribute__((aligned(4096)));
static volatile struct evtchn_fifo_control_block *cb;

/* What the upcall handler saw. */
#define MAX_ORDER 64
static unsigned order[MAX_ORDER], n_order;
static unsigned long up_count;
static unsigned char seen[8192];
static int fifo_mode;

static void note_port(unsigned port)
{
    if (n_order < MAX_ORDER)
        order[n_order++] = port;
    if (port < sizeof(seen))
        seen[port]++;
}

static void h_upcall(struct pv_regs *r)
{
    (void)r;
    up_count++;
    if (fifo_mode)
        pv_fifo_scan(note_port, 100000);
    else
        pv_evtchn_scan();
}

/* Deliver what is pending: unmask events, a cheap hypercall, mask again. */
static void deliver(void)
{
    n_order = 0;
    pv_vcpu->evtchn_upcall_mask = 0;
    __asm__ volatile("" ::: "memory");
    HYPERVISOR_xen_version(XENVER_version, 0);
    pv_vcpu->evtchn_upcall_mask = 1;
    __asm__ volatile("" ::: "memory");
}

static event_word_t wd(unsigned port)
{
    volatile event_word_t *w = pv_fifo_word(port);
    return w ? *w : 0xdeadbeef;
}

static void wset(unsigned port, event_word_t v)
{
    volatile event_word_t *w = pv_fifo_word(port);
    if (w)
        *w = v;
}

static long ipi(void)
{
    long p = pv_bind_ipi(0);
    if (p <= 0)
        test_check(0, "bind_ipi: %ld", p);
    return p;
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu, uint8_t *link_bits)
{
    struct evtchn_init_control op = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu, .link_bits = 0xee };
    long rc = pv_evtchn_op(EVTCHNOP_init_control, &op);
    if (link_bits)
        *link_bits = op.link_bits;
    return rc;
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array op = { .array_gfn = gfn };
    return pv_evtchn_op(EVTCHNOP_expand_array, &op);
}

static long stat_of(unsigned port, struct evtchn_status *st)
{
    g_memset(st, 0xa5, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return pv_evtchn_op(EVTCHNOP_status, st);
}

static long reset_self(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };
    return pv_evtchn_op(EVTCHNOP_reset, &r);
}

static long poll1(unsigned port, uint64_t timeout)
{
    evtchn_port_t p = port;
    struct sched_poll sp;

    g_memset(&sp, 0, sizeof(sp));
    set_xen_guest_handle(sp.ports, &p);
    sp.nr_ports = 1;
    sp.timeout = timeout;
    return pv_sched_op(SCHEDOP_poll, &sp);
}

static int order_is(unsigned n, const unsigned *want)
{
    if (n_order != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (order[i] != want[i])
            return 0;
    return 1;
}

static void note_order(const char *what)
{
    char buf[256];
    int k = 0;

    for (unsigned i = 0; i < n_order && k < 200; i++)
        k += snformat(buf + k, sizeof(buf) - (size_t)k, " %u", order[i]);
    buf[k] = 0;
    test_note("%s: handled%s", what, n_order ? buf : " nothing");
}

/* ---- frames the hypervisor must refuse ------------------------------------------------ */

static unsigned long l1_mfn, given_back_mfn;

static void find_bad_frames(void)
{
    unsigned long maddr = mm_pte_maddr(mm_virt_base(), 1);
    unsigned long pfn = mm_alloc_pfn();
    xen_pfn_t list[1];
    long n;

    l1_mfn = maddr ? maddr >> 12 : MM_INVALID;
    given_back_mfn = mm_pfn_to_mfn(pfn);
    list[0] = given_back_mfn;
    n = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    if (n == 1)
        mm_set_p2m(pfn, MM_INVALID);
    test_check(l1_mfn != MM_INVALID && n == 1,
               "bad frames: the boot L1 %#lx, a frame given back %#lx (decrease_reservation: %ld)", l1_mfn,
               given_back_mfn, n);
}

/* Frames init_control and expand_array must refuse with -EINVAL. */
static unsigned long bad_frame(unsigned i, const char **what)
{
    static const char *const names[] = { "the boot L4 (a page table)", "a boot L1 (a page table)",
                                         "a frame given back", "frame 0 (not the domain's)",
                                         "frame 2^40 (no RAM)", "frame ~0" };
    const unsigned long frames[] = { mm_boot_l4_mfn(), l1_mfn, given_back_mfn, 0, 1ul << 40, ~0ul };

    *what = names[i];
    return frames[i];
}
#define NR_BAD_FRAMES 6

/* ---- before the switch ------------------------------------------------------------------ */

static void test_refusals_on_2level(void)
{
    uint8_t lb;
    long rc;

    rc = expand(mm_va_to_mfn((unsigned long)arr[0]));
    test_check(rc == -EOPNOTSUPP, "2-level: expand_array: rc=%ld (want -EOPNOTSUPP)", rc);
    rc = pv_fifo_set_priority(1, 7);
    test_check(rc == -ENOSYS, "2-level: set_priority of a free port: rc=%ld (want -ENOSYS)", rc);
    rc = pv_fifo_set_priority(0, 7);
    test_check(rc == -ENOSYS, "2-level: set_priority of port 0: rc=%ld (want -ENOSYS)", rc);
    rc = pv_fifo_set_priority(64, 7);
    test_check(rc == -EINVAL, "2-level: set_priority of port 64 (no such port yet): rc=%ld (want -EINVAL)", rc);
    rc = pv_fifo_set_priority(0xffffffffu, 99);
    test_check(rc == -EINVAL, "2-level: set_priority of port ~0: rc=%ld (want -EINVAL)", rc);

    unsigned long good = mm_va_to_mfn((unsigned long)cb_page);
    rc = init_control(good, 0, 1, &lb);
    test_check(rc == -ENOENT, "init_control(vcpu 1): rc=%ld (want -ENOENT)", rc);
    rc = init_control(good, 3, 0xffffffffu, &lb);
    test_check(rc == -ENOENT, "init_control(vcpu ~0, offset 3): rc=%ld (want -ENOENT: the vCPU first)", rc);
    rc = init_control(good, CB_OFFSET + 8, 0, &lb);
    test_check(rc == -EINVAL, "init_control(offset %u, past the page): rc=%ld (want -EINVAL)", CB_OFFSET + 8, rc);
    rc = init_control(good, CB_OFFSET + 1, 0, &lb);
    test_check(rc == -EINVAL, "init_control(offset %u): rc=%ld (want -EINVAL)", CB_OFFSET + 1, rc);
    rc = init_control(good, 4, 0, &lb);
    test_check(rc == -EINVAL, "init_control(offset 4, not 8-byte aligned): rc=%ld (want -EINVAL)", rc);
    rc = init_control(good, 0xfffffff8u, 0, &lb);
    test_check(rc == -EINVAL, "init_control(offset 0xfffffff8): rc=%ld (want -EINVAL)", rc);
    for (unsigned i = 0; i < NR_BAD_FRAMES; i++) {
        const char *what;
        unsigned long f = bad_frame(i, &what);
        rc = init_control(f, 0, 0, &lb);
        test_check(rc == -EINVAL && lb == 0xee, "init_control(%s): rc=%ld (want -EINVAL), nothing written back",
                   what, rc);
    }
    rc = pv_evtchn_op(EVTCHNOP_init_control, 0);
    test_check(rc == -EFAULT, "init_control(NULL): rc=%ld (want -EFAULT)", rc);
    rc = expand(good);
    test_check(rc == -EOPNOTSUPP, "still 2-level after the refusals: expand_array rc=%ld (want -EOPNOTSUPP)", rc);
    rc = pv_fifo_set_priority(1, 7);
    test_check(rc == -ENOSYS, "... and set_priority rc=%ld (want -ENOSYS)", rc);
}

/* ---- the switch -------------------------------------------------------------------------- */

static unsigned p_pend, p_plain;

static void test_switch(void)
{
    struct evtchn_status st;
    uint8_t lb = 0;
    long rc;

    /* Two ports bound under 2-level, the first pending there. */
    p_pend = (unsigned)ipi();
    p_plain = (unsigned)ipi();
    pv_evtchn_send(p_pend);
    test_check(pv_port_pending(p_pend), "2-level: port %u pending before the switch", p_pend);
    pv_vcpu->evtchn_pending_sel = 0;
    pv_vcpu->evtchn_upcall_pending = 0;

    g_memset(cb_page, PATTERN, sizeof(cb_page));
    g_memset(cb_page + CB_OFFSET, 0, sizeof(struct evtchn_fifo_control_block));
    cb = (volatile struct evtchn_fifo_control_block *)(cb_page + CB_OFFSET);
    rc = pv_fifo_init_control(cb_page + CB_OFFSET, &lb);
    test_check(rc == 0 && lb == EVTCHN_FIFO_LINK_BITS,
               "init_control(control block at offset %u, vcpu 0): rc=%ld, link_bits %u (want 17)", CB_OFFSET,
               rc, lb);
    fifo_mode = 1;
    rc = init_control(mm_va_to_mfn((unsigned long)cb_page), CB_OFFSET, 0, &lb);
    test_check(rc == -EINVAL, "init_control again for vcpu 0: rc=%ld (want -EINVAL)", rc);
    rc = init_control(mm_va_to_mfn((unsigned long)arr[5]), 0, 0, &lb);
    test_check(rc == -EINVAL, "init_control again, another frame: rc=%ld (want -EINVAL)", rc);
    rc = init_control(mm_va_to_mfn((unsigned long)arr[5]), 0, 1, &lb);
    test_check(rc == -ENOENT, "init_control(vcpu 1) under FIFO: rc=%ld (want -ENOENT)", rc);

    /* set_priority under FIFO. */
    rc = pv_fifo_set_priority(p_plain + 1, 7);
    test_check(rc == -EACCES, "set_priority of a free port: rc=%ld (want -EACCES)", rc);
    rc = pv_fifo_set_priority(0, 7);
    test_check(rc == -EACCES, "set_priority of port 0: rc=%ld (want -EACCES)", rc);
    rc = pv_fifo_set_priority(p_plain, 16);
    test_check(rc == -EINVAL, "set_priority(%u, 16): rc=%ld (want -EINVAL)", p_plain, rc);
    rc = pv_fifo_set_priority(p_plain, 0xffffffffu);
    test_check(rc == -EINVAL, "set_priority(%u, ~0): rc=%ld (want -EINVAL)", p_plain, rc);
    rc = pv_fifo_set_priority(64, 1);
    test_check(rc == -EINVAL, "set_priority of port 64 (no such port yet): rc=%ld (want -EINVAL)", rc);
    rc = pv_fifo_set_priority(p_plain, EVTCHN_FIFO_PRIORITY_DEFAULT);
    test_check(rc == 0, "set_priority(%u, 7): rc=%ld", p_plain, rc);
    rc = pv_evtchn_op(EVTCHNOP_set_priority, 0);
    test_check(rc == -EFAULT, "set_priority(NULL): rc=%ld (want -EFAULT)", rc);

    /* No event array yet: a send leaves no trace but is remembered. */
    rc = pv_evtchn_send(p_plain);
    test_check(rc == 0 && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "send before any array page: rc=%ld, READY %#x, upcall_pending %u (nothing visible)", rc,
               cb->ready, pv_vcpu->evtchn_upcall_pending);
    rc = stat_of(p_plain, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_ipi, "status of the port: ipi (rc %ld)", rc);

    for (unsigned i = 0; i < NR_BAD_FRAMES; i++) {
        const char *what;
        unsigned long f = bad_frame(i, &what);
        rc = expand(f);
        test_check(rc == -EINVAL, "expand_array(%s): rc=%ld (want -EINVAL)", what, rc);
    }
    rc = pv_evtchn_op(EVTCHNOP_expand_array, 0);
    test_check(rc == -EFAULT, "expand_array(NULL): rc=%ld (want -EFAULT)", rc);

    rc = pv_fifo_expand(arr[0], 0);
    test_check(rc == 0, "expand_array(page 0 of the array): rc=%ld", rc);
    test_check(wd(p_pend) == (P | L | p_plain) && wd(p_plain) == (P | L),
               "ports %u (pending under 2-level) and %u (sent without a word) are queued: words %#x %#x "
               "(want %#x %#x)", p_pend, p_plain, wd(p_pend), wd(p_plain), P | L | p_plain, P | L);
    test_check(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == p_pend && cb->ready == 1u << 7,
               "HEAD[7] %u, READY %#x (want %u, 0x80)", cb->head[7], cb->ready, p_pend);
    test_check(pv_vcpu->evtchn_upcall_pending == 1, "upcall_pending set (%u)", pv_vcpu->evtchn_upcall_pending);
    test_check(pv_port_pending(p_pend), "the 2-level pending bit in shared_info is left as it was");
    pv_clear_bit(pv_shared->evtchn_pending, p_pend);

    n_order = 0;
    unsigned n = pv_fifo_scan(note_port, 0);
    const unsigned want[] = { p_pend, p_plain };
    note_order("scan after the first page");
    test_check(n == 2 && order_is(2, want), "consumed in queue order: %u then %u", p_pend, p_plain);
    test_check(wd(p_pend) == 0 && wd(p_plain) == 0 && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "words, READY and upcall_pending all 0 after the scan");
}

/* ---- queues and priorities ---------------------------------------------------------------- */

static void test_priorities(void)
{
    unsigned a = (unsigned)ipi(), b = (unsigned)ipi(), c = (unsigned)ipi();
    unsigned long before;
    long ra, rb;

    ra = pv_fifo_set_priority(a, 10);
    rb = pv_fifo_set_priority(b, 2);
    test_check(ra == 0 && rb == 0, "priorities: port %u at 10, %u at 2, %u left at 7 (rc %ld %ld)", a, b, c, ra,
               rb);
    pv_evtchn_send(a);
    pv_evtchn_send(b);
    pv_evtchn_send(c);
    pv_evtchn_send(a);
    test_check(wd(a) == (P | L) && wd(b) == (P | L) && wd(c) == (P | L),
               "each alone in its queue: words %#x %#x %#x", wd(a), wd(b), wd(c));
    test_check(cb->ready == ((1u << 2) | (1u << 7) | (1u << 10)) && cb->head[10] == a && cb->head[2] == b &&
                   cb->head[7] == c,
               "READY %#x (want 0x484), HEAD[2] %u HEAD[7] %u HEAD[10] %u", cb->ready, cb->head[2], cb->head[7],
               cb->head[10]);
    test_check(pv_vcpu->evtchn_upcall_pending == 1, "upcall_pending set");
    before = up_count;
    deliver();
    note_order("sent 10, 2, 7, 10");
    const unsigned want1[] = { b, c, a };
    test_check(up_count == before + 1 && order_is(3, want1),
               "one upcall, handled by priority: %u (2), %u (7), %u (10)", b, c, a);

    /* First in, first out within a priority. */
    unsigned d = (unsigned)ipi(), e = (unsigned)ipi(), f = (unsigned)ipi();
    pv_fifo_set_priority(d, 5);
    pv_fifo_set_priority(e, 5);
    pv_fifo_set_priority(f, 5);
    pv_evtchn_send(f);
    pv_evtchn_send(d);
    pv_evtchn_send(e);
    test_check(cb->head[5] == f && wd(f) == (P | L | d) && wd(d) == (P | L | e) && wd(e) == (P | L),
               "queue 5: HEAD %u, links %u->%u->%u->end (words %#x %#x %#x)", cb->head[5], f, d, e, wd(f), wd(d),
               wd(e));
    deliver();
    const unsigned want2[] = { f, d, e };
    test_check(order_is(3, want2), "handled in the order sent: %u %u %u", f, d, e);

    /* A priority change while linked: the port stays where it is until it
     * is linked again. */
    pv_evtchn_send(d);
    long r1 = pv_fifo_set_priority(d, 1);
    test_check(r1 == 0 && cb->head[5] == d && cb->ready == 1u << 5, "re-prioritised while queued: still in "
               "queue 5 (rc %ld, HEAD[5] %u, READY %#x)", r1, cb->head[5], cb->ready);
    deliver();
    test_check(n_order == 1 && order[0] == d, "handled once");
    pv_evtchn_send(d);
    test_check(cb->head[1] == d && cb->ready == 1u << 1, "sent again: in queue 1 (HEAD[1] %u, READY %#x)",
               cb->head[1], cb->ready);
    deliver();
    test_check(n_order == 1 && order[0] == d, "handled once");

    /* A queue fed while the guest handles it: one upcall for two events of
     * the same queue, each handled once. */
    pv_evtchn_send(e);
    pv_evtchn_send(f);
    deliver();
    const unsigned want3[] = { e, f };
    test_check(order_is(2, want3), "two events of queue 5 in one upcall");
    for (unsigned p = a; p <= f; p++)
        pv_evtchn_close(p);
}

/* ---- masking ------------------------------------------------------------------------------ */

static void test_masking(void)
{
    unsigned m = (unsigned)ipi();
    long rc;

    wset(m, M);
    pv_evtchn_send(m);
    test_check(wd(m) == (P | M) && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "masked in its word: PENDING only (%#x), READY %#x, no upcall", wd(m), cb->ready);
    rc = pv_evtchn_unmask(m);
    test_check(rc == 0 && wd(m) == (P | L) && cb->head[7] == m && cb->ready == 1u << 7 &&
                   pv_vcpu->evtchn_upcall_pending == 1,
               "EVTCHNOP_unmask: rc=%ld, word %#x (MASKED cleared, linked), HEAD[7] %u, READY %#x", rc, wd(m),
               cb->head[7], cb->ready);
    deliver();
    test_check(n_order == 1 && order[0] == m, "delivered after the unmask");

    /* The guest clears MASKED itself: nothing happens until the next send. */
    wset(m, M);
    pv_evtchn_send(m);
    wset(m, P);
    test_check(cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0, "unmasked by the guest alone: not queued");
    pv_evtchn_send(m);
    test_check(wd(m) == (P | L) && cb->ready == 1u << 7, "the next send queues it (%#x)", wd(m));
    deliver();
    test_check(n_order == 1 && order[0] == m, "delivered once");

    /* Unmasking a port that is not pending only clears MASKED. */
    wset(m, M);
    rc = pv_evtchn_unmask(m);
    test_check(rc == 0 && wd(m) == 0 && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "unmask of an idle port: rc=%ld, word %#x, nothing raised", rc, wd(m));
    /* A free port is left alone; a port that does not exist is refused. */
    wset(m + 1, M | P);
    rc = pv_evtchn_unmask(m + 1);
    test_check(rc == 0 && wd(m + 1) == (M | P), "unmask of a free port: rc=%ld, its word untouched (%#x)", rc,
               wd(m + 1));
    wset(m + 1, 0);
    rc = pv_evtchn_unmask(5000);
    test_check(rc == -EINVAL, "unmask of port 5000 (no such port): rc=%ld (want -EINVAL)", rc);
    pv_evtchn_close(m);
}

/* ---- VIRQ_TIMER, a loopback interdomain channel, poll ---------------------------------------- */

static void test_timer(void)
{
    long t = pv_bind_virq(VIRQ_TIMER, 0), rc;
    unsigned x = (unsigned)ipi();
    uint64_t deadline;

    test_check(t > 0, "bind_virq(VIRQ_TIMER): port %ld", t);
    if (t <= 0)
        return;
    rc = pv_fifo_set_priority((unsigned)t, 1);
    test_check(rc == 0, "timer port at priority 1: rc=%ld", rc);

    /* Blocked until the timer: its upcall. */
    deadline = pv_now() + 2000000;
    pv_set_timer_op(deadline);
    n_order = 0;
    rc = pv_sched_op(SCHEDOP_block, 0);
    pv_vcpu->evtchn_upcall_mask = 1;
    test_check(rc == 0 && n_order == 1 && order[0] == (unsigned)t && pv_now() >= deadline,
               "SCHEDOP_block woken by the timer through queue 1 (rc %ld, %u handled)", rc, n_order);

    /* An IPI sent first at priority 9, the timer after it at priority 1:
     * the timer is handled first. */
    pv_fifo_set_priority(x, 9);
    pv_evtchn_send(x);
    deadline = pv_now() + 1000000;
    pv_set_timer_op(deadline);
    while (!(wd((unsigned)t) & P) && pv_now() < deadline + 200000000)
        ;
    test_check(wd((unsigned)t) == (P | L) && cb->ready == ((1u << 1) | (1u << 9)),
               "timer fired with events masked: word %#x, READY %#x", wd((unsigned)t), cb->ready);
    deliver();
    const unsigned want[] = { (unsigned)t, x };
    note_order("ipi at 9 then timer at 1");
    test_check(order_is(2, want), "the timer (priority 1) before the IPI (priority 9)");
    pv_evtchn_close((unsigned)t);
    pv_evtchn_close(x);
}

static void test_interdomain(void)
{
    long u = pv_alloc_unbound(DOMID_SELF, DOMID_SELF), l;
    struct evtchn_bind_interdomain op = { .remote_dom = DOMID_SELF, .remote_port = (uint32_t)u };

    l = pv_evtchn_op(EVTCHNOP_bind_interdomain, &op);
    test_check(u > 0 && l == 0, "loopback pair: alloc_unbound %ld, bind_interdomain rc %ld, local port %u", u,
               l, op.local_port);
    l = op.local_port;
    test_check(wd((unsigned)l) == (P | L) && cb->head[7] == (unsigned)l,
               "the new local end starts pending, queued (word %#x)", wd((unsigned)l));
    deliver();
    test_check(n_order == 1 && order[0] == (unsigned)l, "delivered");
    pv_evtchn_send((unsigned)l);
    test_check(wd((unsigned)u) == (P | L) && wd((unsigned)l) == 0, "send(local) queues the other end");
    deliver();
    test_check(n_order == 1 && order[0] == (unsigned)u, "delivered");
    pv_fifo_set_priority((unsigned)u, 12);
    pv_fifo_set_priority((unsigned)l, 3);
    pv_evtchn_send((unsigned)l);
    pv_evtchn_send((unsigned)u);
    deliver();
    const unsigned want[] = { (unsigned)l, (unsigned)u };
    test_check(order_is(2, want), "both ends: priority 3 before 12");
    pv_evtchn_close((unsigned)l);
    test_check(wd((unsigned)u) == 0, "closing one end leaves the other's word alone");
    pv_evtchn_close((unsigned)u);
}

static void test_poll(void)
{
    unsigned x = (unsigned)ipi(), y = (unsigned)ipi();
    uint64_t t0;
    long rc;

    wset(x, M);
    pv_evtchn_send(x);
    t0 = pv_now();
    rc = poll1(x, t0 + 2000000000ull);
    test_check(rc == 0 && pv_now() - t0 < 1000000000ull, "SCHEDOP_poll of a masked pending port returns at once "
               "(rc %ld)", rc);
    t0 = pv_now();
    rc = poll1(y, t0 + 1000000);
    test_check(rc == 0 && pv_now() >= t0 + 1000000, "SCHEDOP_poll of an idle port: until the timeout (rc %ld)", rc);
    wset(x, P);
    pv_evtchn_close(x);
    test_check(wd(x) == 0, "close clears PENDING (word %#x)", wd(x));
    rc = poll1(x, pv_now() + 1000000);
    test_note("SCHEDOP_poll of a closed port: rc=%ld", rc);
    test_check(rc == -EINVAL, "SCHEDOP_poll of a closed port: rc=%ld (want -EINVAL)", rc);
    pv_evtchn_close(y);
}

/* ---- a closed port still in a queue ----------------------------------------------------------- */

static void test_busy_port(void)
{
    unsigned y = (unsigned)ipi(), z, w;
    struct evtchn_status st;
    long rc;

    pv_evtchn_send(y);
    test_check(wd(y) == (P | L), "port %u queued (%#x)", y, wd(y));
    rc = pv_evtchn_close(y);
    test_check(rc == 0 && wd(y) == L, "closed while queued: rc=%ld, PENDING cleared, still LINKED (%#x)", rc,
               wd(y));
    rc = stat_of(y, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_closed, "status: closed");
    z = (unsigned)ipi();
    test_check(z != y, "the lowest free port %u is still linked: the next binding gets %u", y, z);
    deliver();
    test_check(n_order == 0 && wd(y) == 0, "the guest unlinks it without handling it (%u handled, word %#x)",
               n_order, wd(y));
    w = (unsigned)ipi();
    test_check(w == y, "then it is handed out again (%u)", w);
    pv_evtchn_close(z);
    pv_evtchn_close(w);
}

/* ---- more than 4096 ports ---------------------------------------------------------------------- */

#define BIG 4100u

static unsigned top;        /* ports 1..top were bound here, all IPIs (some closed again meanwhile) */

static void test_many_ports(void)
{
    long rc = 0, p = 0, first = -1, bad = 0;
    struct evtchn_status st;

    for (unsigned i = 1; i <= 3; i++)
        rc |= pv_fifo_expand(arr[i], 0);
    test_check(rc == 0, "expand_array: pages 1-3 (4096 words)");
    /* Every port up to BIG in use. */
    while (p >= 0 && p < (long)BIG) {
        long prev = p;
        p = pv_bind_ipi(0);
        if (first < 0)
            first = p;
        if (p >= 0 && prev >= first && p != prev + 1)
            bad++;
    }
    top = (unsigned)p;
    test_check(p == BIG && bad == 0, "bound IPIs on every free port up to %u (last %ld, from %ld, %ld out of "
               "order)", BIG, p, first, bad);
    rc = pv_fifo_set_priority(BIG, 0);
    test_check(rc == 0, "set_priority(%u, 0): rc=%ld", BIG, rc);
    rc = pv_evtchn_send(BIG);
    test_check(rc == 0 && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "send(%u) before its page: rc=%ld, nothing visible", BIG, rc);
    rc = stat_of(BIG, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_ipi, "status(%u): ipi (rc %ld)", BIG, rc);
    rc = pv_fifo_expand(arr[4], 0);
    test_check(rc == 0 && wd(BIG) == (P | L) && cb->head[0] == BIG && cb->ready == 1,
               "expand_array(page 4): port %u now queued at priority 0 (rc %ld, word %#x, READY %#x)", BIG, rc,
               wd(BIG), cb->ready);
    deliver();
    test_check(n_order == 1 && order[0] == BIG, "delivered");
    pv_evtchn_send(4000);
    pv_evtchn_send(BIG);
    pv_evtchn_send(4097);
    deliver();
    const unsigned want[] = { BIG, 4000, 4097 };
    test_check(order_is(3, want), "ports 4000 (7), %u (0), 4097 (7): %u first", BIG, BIG);
    rc = stat_of(BIG + 1, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_closed, "status(%u), valid but free: closed (rc %ld)", BIG + 1,
               rc);
    rc = stat_of(4160, &st);
    test_check(rc == -EINVAL, "status(4160), past the last bucket: rc=%ld (want -EINVAL)", rc);
}

/* ---- words and control block written by the guest ------------------------------------------------ */

static void test_corruption(void)
{
    const unsigned t = 4000, s = 4001, s2 = 4002;
    unsigned f, g, h;
    long rc;

    pv_evtchn_send(t);
    wset(t, P | L | EVTCHN_FIFO_LINK_MASK);
    pv_evtchn_send(s);
    test_check(wd(t) == (P | L | s), "a garbage LINK in the tail is replaced (%#x)", wd(t));
    wset(s, wd(s) | B);
    pv_evtchn_send(s2);
    test_check(wd(s) == (P | L | s2) && wd(s2) == (P | L), "BUSY on the tail is cleared as it is linked (%#x)",
               wd(s));
    deliver();
    const unsigned want[] = { t, s, s2 };
    test_check(order_is(3, want), "the three delivered in order");

    /* A word LINKED by the guest alone: the send sets PENDING and queues
     * nothing (the guest's doing); once repaired, the next send works. */
    wset(t, L | 1234);
    pv_evtchn_send(t);
    test_check(wd(t) == (P | L | 1234) && cb->ready == 0 && pv_vcpu->evtchn_upcall_pending == 0,
               "LINKED set by the guest: PENDING only, no queue (%#x, READY %#x)", wd(t), cb->ready);
    wset(t, 0);
    pv_evtchn_send(t);
    deliver();
    test_check(n_order == 1 && order[0] == t, "after the repair, delivered");

    /* HEAD is only written: garbage there is overwritten when the queue
     * next becomes non-empty. */
    cb->head[3] = 0x1ffff;
    pv_fifo_set_priority(t, 3);
    pv_evtchn_send(t);
    test_check(cb->head[3] == t && cb->ready == 1u << 3, "garbage HEAD[3] replaced (%u)", cb->head[3]);
    deliver();
    test_check(n_order == 1 && order[0] == t, "delivered");
    pv_fifo_set_priority(t, 7);

    /* Every bit set in the word of the lowest free port: it is busy. */
    f = (unsigned)ipi();
    pv_evtchn_close(f);
    wset(f, 0xffffffffu);
    g = (unsigned)ipi();
    test_check(g != f, "a free port whose word is all ones (LINKED) is passed over: %u, not %u", g, f);
    pv_evtchn_close(g);
    wset(f, 0);
    h = (unsigned)ipi();
    test_check(h == f, "cleared, it is handed out (%u)", h);
    pv_evtchn_close(h);

    /* A cycle of links among queued words: the hypervisor never follows
     * them; it still answers and queues. */
    pv_evtchn_send(t);
    pv_evtchn_send(s);
    wset(s, P | L | t);
    rc = pv_evtchn_send(s2);
    test_check(rc == 0 && wd(s) == (P | L | s2), "a cycle t->s->t is cut at the tail by the next send (%#x)",
               wd(s));
    deliver();
    const unsigned want2[] = { t, s, s2 };
    test_check(order_is(3, want2), "delivered in order");
}

/* ---- the array's limit, the frames held, reset ------------------------------------------------------ */

static unsigned long held;     /* an array frame the guest does not map */

static void test_limit(void)
{
    long rc = pv_fifo_expand(arr[5], 0);
    unsigned long n = 0, bad = 0;

    test_check(rc == 0, "expand_array(page 5): rc=%ld", rc);
    while (pv_fifo.nr_pages < PV_FIFO_MAX_PAGES) {
        unsigned long mfn = mm_alloc_mfn();
        if (mfn == MM_INVALID || mm_zero_frame(mfn) != 0) {
            bad++;
            break;
        }
        if (pv_fifo_expand(0, mfn) != 0)
            bad++;
        held = mfn;
        n++;
    }
    test_check(bad == 0 && pv_fifo.nr_pages == 128, "expand_array up to 128 pages (%lu more, %lu failed)", n, bad);
    rc = expand(mm_alloc_mfn());
    test_check(rc == -ENOSPC, "a 129th page: rc=%ld (want -ENOSPC)", rc);
    rc = expand(~0ul);
    test_check(rc == -ENOSPC, "a 129th page that is no frame: rc=%ld (want -ENOSPC: the limit first)", rc);
    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, held, 0);
    test_note("pin of an array frame as an L1: rc=%ld", rc);
    test_check(rc == -EINVAL, "an array frame cannot become a page table while the array holds it: "
               "rc=%ld (want -EINVAL)", rc);
    /* The control block page outside the control block is untouched. */
    unsigned diff = 0;
    for (unsigned i = 0; i < CB_OFFSET; i++)
        diff += cb_page[i] != PATTERN;
    test_check(diff == 0, "nothing outside the control block was written in its page (%u bytes differ)", diff);
}

static void test_reset(void)
{
    struct evtchn_status st;
    long rc, p, n = 0;

    rc = reset_self();
    test_check(rc == 0, "EVTCHNOP_reset(DOMID_SELF) under FIFO: rc=%ld", rc);
    fifo_mode = 0;
    pv_fifo_forget();
    rc = expand(mm_va_to_mfn((unsigned long)arr[0]));
    test_check(rc == -EOPNOTSUPP, "back on 2-level: expand_array rc=%ld (want -EOPNOTSUPP)", rc);
    rc = pv_fifo_set_priority(1, 7);
    test_check(rc == -ENOSYS, "set_priority rc=%ld (want -ENOSYS)", rc);
    rc = stat_of(BIG, &st);
    test_check(rc == 0 && st.status == EVTCHNSTAT_closed, "port %u closed, and still valid (rc %ld)", BIG, rc);
    rc = stat_of(4160, &st);
    test_check(rc == -EINVAL, "status(4160): rc=%ld (want -EINVAL)", rc);
    rc = pv_evtchn_send(BIG);
    test_check(rc == -EINVAL, "send(%u): rc=%ld (want -EINVAL)", BIG, rc);
    rc = pv_evtchn_unmask(BIG);
    test_check(rc == 0, "unmask(%u), valid and free: rc=%ld", BIG, rc);

    rc = mm_ext1(MMUEXT_PIN_L1_TABLE, held, 0);
    long un = rc == 0 ? mm_ext1(MMUEXT_UNPIN_TABLE, held, 0) : -1;
    test_check(rc == 0 && un == 0, "the reset let go of the array frames: pinned as an L1 (rc %ld), unpinned "
               "(rc %ld)", rc, un);

    /* 2-level delivery again, and its 4095 ports. */
    p = ipi();
    test_check(p == 1, "the first port is 1 again (%ld)", p);
    pv_evtchn_send((unsigned)p);
    test_check(pv_port_pending((unsigned)p), "2-level pending bit set");
    deliver();
    test_check(pv_port_count[p] == 1, "delivered through shared_info");
    while ((p = pv_bind_ipi(0)) > 0)
        n++;
    test_check(p == -ENOSPC && n == 4094, "2-level again: ports up to 4095, then -ENOSPC (%ld more, then rc %ld)",
               n, p);
    rc = reset_self();
    test_check(rc == 0, "reset: rc=%ld", rc);

    /* A second FIFO session. */
    uint8_t lb;
    g_memset(cb_page + CB_OFFSET, 0, sizeof(struct evtchn_fifo_control_block));
    g_memset(arr[0], 0, sizeof(arr[0]));
    rc = pv_fifo_init_control(cb_page + CB_OFFSET, &lb);
    long re = pv_fifo_expand(arr[0], 0);
    test_check(rc == 0 && re == 0, "FIFO again: init_control rc=%ld, expand_array rc=%ld", rc, re);
    fifo_mode = 1;
    /* Xen never forgets that a port was raised while its word was missing
     * (ports 1 and 2 in the first session): the first page of the new
     * session raises them again, closed as they are, on vCPU 0 at the
     * default priority. Both are LINKED, so the next port handed out is 3. */
    test_check(wd(p_pend) == (P | L | p_plain) && wd(p_plain) == (P | L) && cb->head[7] == p_pend &&
                   cb->ready == 1u << 7,
               "ports %u and %u, raised without a word in the first session, are raised again (words %#x %#x, "
               "HEAD[7] %u, READY %#x)", p_pend, p_plain, wd(p_pend), wd(p_plain), cb->head[7], cb->ready);
    p = ipi();
    test_check(p == 3, "both still linked: the next port is 3 (%ld)", p);
    pv_fifo_set_priority((unsigned)p, 4);
    pv_evtchn_send((unsigned)p);
    test_check(cb->head[4] == (unsigned)p, "the IPI queued at priority 4 (HEAD[4] %u)", cb->head[4]);
    deliver();
    note_order("new session");
    const unsigned want[] = { (unsigned)p, p_pend, p_plain };
    test_check(order_is(3, want), "handled: the IPI (4), then the two raised ports (7)");
    rc = reset_self();
    fifo_mode = 0;
    pv_fifo_forget();
    test_check(rc == 0, "reset: rc=%ld", rc);
}

/* The domain ends on FIFO: its control block and array pages, one of them
 * given back while the array holds it, are let go by the domain's
 * destruction (Xenolith checks every frame and reference at power-off). */
static void test_left_on_fifo(void)
{
    unsigned long pfn = mm_alloc_pfn(), mfn = mm_pfn_to_mfn(pfn);
    xen_pfn_t list[1] = { mfn };
    uint8_t lb;
    long rc, re, rg, p;

    g_memset(cb_page + CB_OFFSET, 0, sizeof(struct evtchn_fifo_control_block));
    rc = pv_fifo_init_control(cb_page + CB_OFFSET, &lb);
    re = pv_fifo_expand(arr[0], 0);
    rg = mm_zero_frame(mfn) == 0 ? pv_fifo_expand(0, mfn) : -1;
    test_check(rc == 0 && re == 0 && rg == 0, "a third FIFO session: init_control rc=%ld, two pages rc=%ld %ld", rc,
               re, rg);
    rc = mm_reservation(XENMEM_decrease_reservation, list, 1, 0, DOMID_SELF);
    if (rc == 1)
        mm_set_p2m(pfn, MM_INVALID);
    test_check(rc == 1, "the second array page given back while the array holds it: %ld extent", rc);
    fifo_mode = 1;
    p = ipi();
    pv_evtchn_send((unsigned)p);
    test_check(wd((unsigned)p) == (P | L), "an IPI left queued (%#x)", wd((unsigned)p));
    test_note("shutting down on the FIFO ABI with port %ld queued", p);
}

void test_main(start_info_t *si)
{
    long rc;

    (void)si;
    if (!pv_map_shared_info())
        test_finish();
    pv_traps_default();
    test_check(pv_trap_load() == 0, "set_trap_table");
    pv_set_handler(PV_VEC_UPCALL, h_upcall);
    pv_set_port_hook(note_port);
    rc = pv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    test_check(rc == 0, "stop the periodic timer: rc=%ld", rc);
    rc = pv_register_callbacks();
    test_check(rc == 0, "set_callbacks: rc=%ld", rc);

    find_bad_frames();
    test_refusals_on_2level();
    test_switch();
    test_priorities();
    test_masking();
    test_timer();
    test_interdomain();
    test_poll();
    test_busy_port();
    test_many_ports();
    test_corruption();
    test_limit();
    test_reset();
    test_left_on_fifo();
}
