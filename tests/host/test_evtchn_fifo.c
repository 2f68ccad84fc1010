/* Tests for the FIFO ABI (hv/evtchn/evtchn_fifo.c) and the growing port
 * table (hv/evtchn/evtchn_core.c): init_control, expand_array and
 * set_priority with Xen 4.17's answers, event words and queues, the switch
 * from 2-level and back (EVTCHNOP_reset), the references held on guest
 * frames, frames of the port table up to 2^17 ports; randomized sequences
 * (sends, masks, priority changes, the guest consuming queues on several
 * vCPUs) checked against a model of the queues; and a guest that writes
 * garbage into its words and control block (nothing but its own frames may
 * change, and every reference must come back); domains of 1, 2, 33 and 128
 * vCPUs: the frames their per-vCPU state takes and gives back, every
 * allocation failing in turn, VIRQs, IPIs, bind_vcpu and FIFO queues on
 * vCPUs in each frame of the FIFO state.
 *
 * The fake environment: two domains (0: four vCPUs, 1: one; the many-vCPU
 * tests give 0 more), each with a shared_info and the vcpu_info of vCPUs
 * past its 32 (fake_vi); "guest memory" of NGFN separately allocated 4 KiB frames
 * (gfn i), some of which refuse to be taken (as a page table or a frame of
 * another domain would) or ask for a restart; hypervisor frames from calloc,
 * counted, with a knob to make them run out (evtchn_fake.c, with the
 * EVTCHNOP wrappers every event-channel test uses). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "evtchn/evtchn_priv.h"
#include "errno.h"
#include "evtchn_fake.h"
#include "test.h"

/* ---- the fake environment ---- */

#define NDOMS 2
#define NGFN 160
#define GFN_BAD 150             /* gfns from here refuse (-EINVAL) */
#define GFN_RESTART 149         /* asks for a restart once, then works */
#define PAGE 4096

struct fake_dom {
    struct evtchn_domain ed;
    struct evtchn_table_frame *table0;
    struct shared_info si;
    /* The vcpu_info of vCPUs past shared_info's (as VCPUOP_register_vcpu_info places them). */
    struct vcpu_info vi_more[EVTCHN_MAX_VCPUS - XEN_LEGACY_MAX_VCPUS];
    unsigned kicks[EVTCHN_MAX_VCPUS];
    unsigned pending_notes;
};

static struct fake_dom doms[NDOMS];
static struct evtchn_domain *D0 = &doms[0].ed, *D1 = &doms[1].ed;
static uint8_t *gmem[NGFN];             /* guest frames */
static int grefs[NGFN];                 /* references the core holds on each */
static bool restart_once;

static struct fake_dom *fake_of(const struct evtchn_domain *ed)
{
    for (int i = 0; i < NDOMS; i++)
        if (&doms[i].ed == ed)
            return &doms[i];
    env_error = true;
    return &doms[0];
}

struct shared_info *fake_si(const struct evtchn_domain *ed)
{
    return &fake_of(ed)->si;
}

struct evtchn_domain *evtchn_env_lookup(domid_t id)
{
    return id < NDOMS ? &doms[id].ed : NULL;
}

bool evtchn_env_privileged(const struct evtchn_domain *ed) { return ed == D0; }
bool evtchn_env_controller_paused(const struct evtchn_domain *ed) { (void)ed; return false; }
struct shared_info *evtchn_env_shared_info(struct evtchn_domain *ed) { return &fake_of(ed)->si; }

/* The vcpu_info of any vCPU below EVTCHN_MAX_VCPUS. */
struct vcpu_info *fake_vi(const struct evtchn_domain *ed, unsigned vcpu)
{
    struct fake_dom *f = fake_of(ed);

    return vcpu < XEN_LEGACY_MAX_VCPUS ? &f->si.vcpu_info[vcpu] : &f->vi_more[vcpu - XEN_LEGACY_MAX_VCPUS];
}

struct vcpu_info *evtchn_env_vcpu_info(struct evtchn_domain *ed, unsigned vcpu)
{
    if (vcpu >= ed->nr_vcpus) {
        env_error = true;
        return NULL;
    }
    return fake_vi(ed, vcpu);
}

void evtchn_env_notify(struct evtchn_domain *ed, unsigned vcpu)
{
    if (vcpu >= ed->nr_vcpus || !fake_vi(ed, vcpu)->evtchn_upcall_pending) {
        env_error = true;
        return;
    }
    fake_of(ed)->kicks[vcpu]++;
}

void evtchn_env_port_pending(struct evtchn_domain *ed, uint32_t port)
{
    (void)port;
    fake_of(ed)->pending_notes++;
}

bool evtchn_env_preempt(void) { return false; }

int evtchn_env_guest_frame_get(struct evtchn_domain *ed, uint64_t gfn, void **va)
{
    if (ed != D0 && ed != D1)
        env_error = true;
    if (gfn >= GFN_BAD)
        return -XEN_EINVAL;
    if (gfn == GFN_RESTART && restart_once) {
        restart_once = false;
        return -XEN_ERESTART;
    }
    grefs[gfn]++;
    *va = gmem[gfn];
    return 0;
}

void evtchn_env_guest_frame_put(struct evtchn_domain *ed, void *va)
{
    (void)ed;
    for (int i = 0; i < NGFN; i++)
        if (gmem[i] == va) {
            if (grefs[i]-- <= 0)
                env_error = true;
            return;
        }
    env_error = true;                   /* not a frame it was given */
}

static int grefs_total(void)
{
    int n = 0;
    for (int i = 0; i < NGFN; i++)
        n += grefs[i];
    return n;
}

/* Tear the domains down (as evtchn_domain_destroy does) and check that
 * every frame and reference came back. */
static void teardown(void)
{
    for (int i = 0; i < NDOMS; i++)
        if (doms[i].table0) {
            evtchn_core_close_all(&doms[i].ed);
            evtchn_core_release(&doms[i].ed);
            evtchn_env_frame_free(doms[i].table0);
            doms[i].table0 = NULL;
        }
    if (frames_live != 0 || grefs_total() != 0)
        env_error = true;
}

/* Fresh domains with n0 and n1 vCPUs. */
static void fresh_vcpus(unsigned n0, unsigned n1)
{
    const unsigned nr_vcpus[NDOMS] = { n0, n1 };

    teardown();
    memset(doms, 0, sizeof(doms));
    for (int i = 0; i < NGFN; i++) {
        if (!gmem[i])
            gmem[i] = aligned_alloc(PAGE, PAGE);
        memset(gmem[i], 0, PAGE);
        grefs[i] = 0;
    }
    for (int i = 0; i < NDOMS; i++) {
        doms[i].table0 = evtchn_env_frame_alloc();
        if (evtchn_core_init(&doms[i].ed, doms[i].table0, (domid_t)i, nr_vcpus[i]) != 0)
            env_error = true;
    }
    frames_fail_in = -1;
    restart_once = false;
    env_error = false;
}

static void fresh(void)
{
    fresh_vcpus(4, 1);
}

/* ---- helpers ---- */

#define P (1u << EVTCHN_FIFO_PENDING)
#define M (1u << EVTCHN_FIFO_MASKED)
#define L (1u << EVTCHN_FIFO_LINKED)
#define B (1u << EVTCHN_FIFO_BUSY)
#define CB_GFN(v) (100 + (v))           /* control block of vCPU v, at offset 8 * v */
#define ARRAY_GFN(i) (i)                /* array page i */

static struct evtchn_fifo_control_block *cbk(unsigned v)
{
    return (struct evtchn_fifo_control_block *)(gmem[CB_GFN(v)] + 8 * v);
}

static event_word_t *word(uint32_t port)
{
    return (event_word_t *)gmem[ARRAY_GFN(port / 1024)] + port % 1024;
}

static int init_control(struct evtchn_domain *ed, unsigned v, uint64_t gfn, uint32_t offset)
{
    struct evtchn_init_control op = { .control_gfn = gfn, .offset = offset, .vcpu = v };
    int rc = evtchn_op_init_control(ed, &op);

    if (rc == 0 && op.link_bits != EVTCHN_FIFO_LINK_BITS)
        env_error = true;
    return rc;
}

static int expand(struct evtchn_domain *ed, uint64_t gfn)
{
    struct evtchn_expand_array op = { .array_gfn = gfn };
    return evtchn_op_expand_array(ed, &op);
}

static int set_prio(struct evtchn_domain *ed, uint32_t port, uint32_t prio)
{
    struct evtchn_set_priority op = { .port = port, .priority = prio };
    return evtchn_op_set_priority(ed, &op);
}

/* D0 on FIFO: control blocks for vCPUs 0..ncb-1, `pages` array pages. */
static void fifo_on(unsigned ncb, unsigned pages)
{
    for (unsigned v = 0; v < ncb; v++)
        CHECK_EQ(init_control(D0, v, CB_GFN(v), 8 * v), 0);
    for (unsigned i = 0; i < pages; i++)
        CHECK_EQ(expand(D0, ARRAY_GFN(i)), 0);
}

/* The guest's consumer, as the ABI intends it (see guests/lib/fifo.h), one
 * event at a time so that the tests can interleave it with anything. */
#define QUEUES_MASK ((1u << EVTCHN_FIFO_MAX_QUEUES) - 1)    /* READY bits beyond are ignored */

struct consumer {
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
    uint32_t ready;
};
static struct consumer cons[EVTCHN_MAX_VCPUS];

/* Consume one event of vCPU v: the port unlinked (0 when there was none);
 * *handled says whether it was PENDING and not MASKED (then PENDING is
 * cleared). */
static uint32_t consume(unsigned v, bool *handled)
{
    struct evtchn_fifo_control_block *c = cbk(v);
    struct consumer *k = &cons[v];
    uint32_t port, next;
    event_word_t w;
    unsigned q;

    *handled = false;
    if (!k->ready) {
        fake_vi(D0, v)->evtchn_upcall_pending = 0;
        k->ready = __atomic_exchange_n(&c->ready, 0, __ATOMIC_SEQ_CST) & QUEUES_MASK;
    }
    if (!k->ready)
        return 0;
    q = (unsigned)__builtin_ctz(k->ready);
    port = k->head[q] ? k->head[q] : c->head[q];
    if (port == 0 || port >= D0->valid_ports || port >= 1024u * 128 || !gmem[ARRAY_GFN(port / 1024)]) {
        k->ready &= ~(1u << q);
        k->head[q] = 0;
        return 0;
    }
    w = __atomic_load_n(word(port), __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(word(port), &w, w & ~(L | EVTCHN_FIFO_LINK_MASK), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    next = w & EVTCHN_FIFO_LINK_MASK;
    if (!next)
        k->ready &= ~(1u << q);
    if ((*word(port) & (P | M)) == P) {
        __atomic_fetch_and(word(port), ~P, __ATOMIC_SEQ_CST);
        *handled = true;
    }
    k->head[q] = next;
    /* READY bits raised meanwhile join the local copy. */
    k->ready |= __atomic_exchange_n(&c->ready, 0, __ATOMIC_SEQ_CST) & QUEUES_MASK;
    return port;
}

static void consumer_reset(void)
{
    memset(cons, 0, sizeof(cons));
}

/* ---- init_control ---- */

static void init_control_errors(void)
{
    fresh();
    CHECK_EQ(init_control(D0, 4, CB_GFN(0), 0), -XEN_ENOENT);
    CHECK_EQ(init_control(D0, 4, GFN_BAD, 3), -XEN_ENOENT);            /* the vCPU first */
    CHECK_EQ(init_control(D0, 0, CB_GFN(0), 4096 - 72 + 8), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 0, CB_GFN(0), 4), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 0, CB_GFN(0), 0xfffffff8u), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 0, GFN_BAD, 0), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 0, ~0ull, 0), -XEN_EINVAL);
    CHECK(D0->fifo == NULL);
    CHECK_EQ(frames_live, 3);                          /* the two table0s, D0's VIRQ rows (4 vCPUs) */
    /* No frame for the FIFO state: -ENOMEM before the guest frame is looked at. */
    frames_fail_in = 0;
    CHECK_EQ(init_control(D0, 0, GFN_BAD, 0), -XEN_ENOMEM);
    CHECK(D0->fifo == NULL);
    /* A restart leaves nothing behind; asked again, it works. */
    restart_once = true;
    CHECK_EQ(init_control(D0, 0, GFN_RESTART, 0), -XEN_ERESTART);
    CHECK(D0->fifo == NULL && grefs_total() == 0 && frames_live == 3);
    CHECK_EQ(init_control(D0, 0, GFN_RESTART, 4096 - 72), 0);
    CHECK(D0->fifo != NULL);
    CHECK_EQ(grefs[GFN_RESTART], 1);
    /* Once per vCPU; other vCPUs may follow, any frame (shared ones too). */
    CHECK_EQ(init_control(D0, 0, CB_GFN(0), 0), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 1, GFN_BAD, 0), -XEN_EINVAL);
    CHECK_EQ(init_control(D0, 1, GFN_RESTART, 0), 0);
    CHECK_EQ(grefs[GFN_RESTART], 2);
    CHECK_EQ(init_control(D0, 2, CB_GFN(2), 16), 0);
    CHECK_EQ(grefs_total(), 3);
    teardown();
    CHECK(!env_error);
}

static void switch_from_2level(void)
{
    uint32_t a, b, c;

    fresh();
    CHECK_EQ(bind_ipi(D0, 0, &a), 0);
    CHECK_EQ(bind_ipi(D0, 1, &b), 0);
    CHECK_EQ(bind_ipi(D0, 0, &c), 0);
    CHECK_EQ(do_send(D0, a), 0);                        /* pending under 2-level */
    CHECK_EQ(set_prio(D0, a, 3), -XEN_ENOSYS);
    fake_of(D0)->si.vcpu_info[0].evtchn_upcall_pending = 0;
    fake_of(D0)->kicks[0] = 0;
    fifo_on(2, 0);
    CHECK(D0->fifo != NULL);
    CHECK_EQ(evtchn_fifo_port_of(D0, a)->raised, 1);
    CHECK_EQ(evtchn_fifo_port_of(D0, b)->raised, 0);
    CHECK_EQ(evtchn_fifo_port_of(D0, a)->priority, EVTCHN_FIFO_PRIORITY_DEFAULT);
    CHECK_EQ(evtchn_fifo_port_of(D0, 63)->priority, EVTCHN_FIFO_PRIORITY_DEFAULT);  /* free ones too */
    /* No array yet: sends are remembered. */
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(evtchn_fifo_port_of(D0, b)->raised, 1);
    CHECK_EQ(cbk(0)->ready | cbk(1)->ready, 0);
    CHECK_EQ(fake_of(D0)->pending_notes, 1);            /* the 2-level send only */
    CHECK_EQ(evtchn_core_poll(D0, a), 0);              /* no word: not pending */
    CHECK_EQ(expand(D0, ARRAY_GFN(0)), 0);
    CHECK_EQ(*word(a), P | L);
    CHECK_EQ(*word(b), P | L);
    CHECK_EQ(*word(c), 0);
    CHECK_EQ(cbk(0)->head[7], a);
    CHECK_EQ(cbk(1)->head[7], b);
    CHECK_EQ(cbk(0)->ready, 1u << 7);
    CHECK_EQ(cbk(1)->ready, 1u << 7);
    CHECK_EQ(upcall(D0, 0), 1);
    CHECK_EQ(upcall(D0, 1), 1);
    CHECK_EQ(fake_of(D0)->kicks[0], 1);
    CHECK_EQ(fake_of(D0)->kicks[1], 1);
    CHECK_EQ(fake_of(D0)->pending_notes, 3);
    CHECK_EQ(evtchn_core_poll(D0, a), 1);
    CHECK(!env_error);
}

/* ---- expand_array, set_priority ---- */

static void expand_errors(void)
{
    fresh();
    CHECK_EQ(expand(D0, ARRAY_GFN(0)), -XEN_EOPNOTSUPP);
    fifo_on(1, 0);
    CHECK_EQ(expand(D0, GFN_BAD), -XEN_EINVAL);
    CHECK_EQ(expand(D0, ~0ull), -XEN_EINVAL);
    restart_once = true;
    CHECK_EQ(expand(D0, GFN_RESTART), -XEN_ERESTART);
    for (unsigned i = 0; i < 128; i++)
        CHECK_EQ(expand(D0, ARRAY_GFN(i)), 0);
    CHECK_EQ(expand(D0, ARRAY_GFN(128)), -XEN_ENOSPC);
    CHECK_EQ(expand(D0, GFN_BAD), -XEN_ENOSPC);                /* the limit first */
    CHECK_EQ(grefs_total(), 129);
    /* The event array is any frame the guest has, several times if it likes. */
    teardown();
    fresh();
    fifo_on(1, 0);
    CHECK_EQ(expand(D0, ARRAY_GFN(0)), 0);
    CHECK_EQ(expand(D0, ARRAY_GFN(0)), 0);
    CHECK_EQ(grefs[0], 2);
    CHECK(!env_error);
}

static void set_priority_errors(void)
{
    uint32_t p;

    fresh();
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);
    CHECK_EQ(set_prio(D0, p, 3), -XEN_ENOSYS);
    CHECK_EQ(set_prio(D0, 64, 3), -XEN_EINVAL);
    fifo_on(1, 1);
    CHECK_EQ(set_prio(D0, 64, 3), -XEN_EINVAL);
    CHECK_EQ(set_prio(D0, 0xffffffffu, 3), -XEN_EINVAL);
    CHECK_EQ(set_prio(D0, 0, 3), -XEN_EACCES);                 /* reserved */
    CHECK_EQ(set_prio(D0, p + 1, 3), -XEN_EACCES);             /* free */
    CHECK_EQ(set_prio(D0, p + 1, 99), -XEN_EACCES);            /* usability first */
    CHECK_EQ(set_prio(D0, p, 16), -XEN_EINVAL);
    CHECK_EQ(set_prio(D0, p, 0xffffffffu), -XEN_EINVAL);
    CHECK_EQ(set_prio(D0, p, 0), 0);
    CHECK_EQ(evtchn_fifo_port_of(D0, p)->priority, 0);
    CHECK_EQ(set_prio(D0, p, 15), 0);
    /* Bound again, a port starts at the default. */
    CHECK_EQ(do_close(D0, p), 0);
    CHECK_EQ(evtchn_fifo_port_of(D0, p)->priority, 15);        /* kept while free, as Xen does */
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);
    CHECK_EQ(evtchn_fifo_port_of(D0, p)->priority, EVTCHN_FIFO_PRIORITY_DEFAULT);
    CHECK(!env_error);
}

/* ---- queues ---- */

static void queue_rules(void)
{
    uint32_t a, b, c, d;
    bool h;

    fresh();
    fifo_on(2, 1);
    CHECK_EQ(bind_ipi(D0, 0, &a), 0);
    CHECK_EQ(bind_ipi(D0, 0, &b), 0);
    CHECK_EQ(bind_ipi(D0, 0, &c), 0);
    CHECK_EQ(bind_ipi(D0, 1, &d), 0);
    CHECK_EQ(set_prio(D0, c, 2), 0);
    CHECK_EQ(do_send(D0, a), 0);
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(do_send(D0, a), 0);                                /* already queued */
    CHECK_EQ(do_send(D0, c), 0);
    CHECK_EQ(do_send(D0, d), 0);
    CHECK_EQ(*word(a), P | L | b);
    CHECK_EQ(*word(b), P | L);
    CHECK_EQ(*word(c), P | L);
    CHECK_EQ(cbk(0)->head[7], a);
    CHECK_EQ(cbk(0)->head[2], c);
    CHECK_EQ(cbk(0)->ready, (1u << 7) | (1u << 2));
    CHECK_EQ(cbk(1)->head[7], d);
    CHECK_EQ(fake_of(D0)->kicks[0], 1);                         /* only when the flag went up */
    CHECK_EQ(fake_of(D0)->kicks[1], 1);
    CHECK_EQ(fake_of(D0)->pending_notes, 4);
    /* Consumed by priority, then in order. */
    CHECK_EQ(consume(0, &h), c);
    CHECK(h);
    CHECK_EQ(consume(0, &h), a);
    CHECK_EQ(consume(0, &h), b);
    CHECK_EQ(consume(0, &h), 0);
    CHECK_EQ(*word(a) | *word(b) | *word(c), 0);
    /* The queue emptied: the next event is its head again. */
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(cbk(0)->head[7], b);
    CHECK_EQ(fake_of(D0)->kicks[0], 2);
    /* A port moved to another priority is forgotten as the old queue's
     * tail: the next event there does not link to it. */
    CHECK_EQ(consume(0, &h), b);
    CHECK_EQ(set_prio(D0, b, 1), 0);
    CHECK_EQ(do_send(D0, b), 0);                                /* b: tail of queue 1 now */
    CHECK_EQ(cbk(0)->head[1], b);
    CHECK_EQ(do_send(D0, a), 0);
    CHECK_EQ(cbk(0)->head[7], a);
    CHECK_EQ(*word(b), P | L);                                  /* not linked to a */
    /* The same across vCPUs (bind_vcpu of an interdomain port). */
    {
        struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
        struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
        struct evtchn_bind_vcpu bv;
        uint32_t x, y;

        CHECK_EQ(evtchn_op_alloc_unbound(D0, &au), 0);
        bi.remote_port = au.port;
        CHECK_EQ(evtchn_op_bind_interdomain(D0, &bi), 0);
        x = au.port;
        y = bi.local_port;
        CHECK_EQ(*word(y), P | L);                              /* pending at birth, vCPU 0, queue 7 */
        while (consume(0, &h))
            ;
        bv = (struct evtchn_bind_vcpu){ .port = y, .vcpu = 1 };
        CHECK_EQ(evtchn_op_bind_vcpu(D0, &bv), 0);
        CHECK_EQ(do_send(D0, x), 0);                            /* y on vCPU 1 */
        CHECK_EQ(*word(d), P | L | y);                          /* d was vCPU 1's queue-7 tail */
        CHECK_EQ(consume(1, &h), d);
        CHECK_EQ(consume(1, &h), y);
        CHECK(h);
        (void)x;
    }
    CHECK(!env_error);
}

static void masking_rules(void)
{
    uint32_t a;
    bool h;

    fresh();
    fifo_on(1, 1);
    CHECK_EQ(bind_ipi(D0, 0, &a), 0);
    *word(a) = M;
    CHECK_EQ(do_send(D0, a), 0);
    CHECK_EQ(*word(a), P | M);
    CHECK_EQ(cbk(0)->ready, 0);
    CHECK_EQ(upcall(D0, 0), 0);
    CHECK_EQ(do_unmask(D0, a), 0);
    CHECK_EQ(*word(a), P | L);
    CHECK_EQ(cbk(0)->head[7], a);
    CHECK_EQ(upcall(D0, 0), 1);
    CHECK_EQ(consume(0, &h), a);
    CHECK(h);
    /* Masked while queued: unlinked by the guest, not handled, still pending. */
    CHECK_EQ(do_send(D0, a), 0);
    *word(a) |= M;
    CHECK_EQ(consume(0, &h), a);
    CHECK(!h);
    CHECK_EQ(*word(a), P | M);
    CHECK_EQ(do_unmask(D0, a), 0);
    CHECK_EQ(consume(0, &h), a);
    CHECK(h);
    /* Unmask of a free port: its word is left alone. */
    *word(a + 1) = P | M;
    CHECK_EQ(do_unmask(D0, a + 1), 0);
    CHECK_EQ(*word(a + 1), P | M);
    *word(a + 1) = 0;
    /* No control block for the vCPU: dropped, nothing set. */
    {
        uint32_t q;
        CHECK_EQ(bind_ipi(D0, 3, &q), 0);
        CHECK_EQ(do_send(D0, q), 0);
        CHECK_EQ(*word(q), 0);
        CHECK_EQ(upcall(D0, 3), 0);
    }
    CHECK(!env_error);
}

/* A closed port still LINKED is passed over by the allocator; a close
 * clears PENDING only. */
static void busy_ports(void)
{
    uint32_t a, b, c;
    bool h;

    fresh();
    fifo_on(1, 1);
    CHECK_EQ(bind_ipi(D0, 0, &a), 0);
    CHECK_EQ(do_send(D0, a), 0);
    CHECK_EQ(do_close(D0, a), 0);
    CHECK_EQ(*word(a), L);
    CHECK_EQ(bind_ipi(D0, 0, &b), 0);
    CHECK_EQ(b, a + 1);
    CHECK_EQ(consume(0, &h), a);
    CHECK(!h);
    CHECK_EQ(bind_ipi(D0, 0, &c), 0);
    CHECK_EQ(c, a);
    /* A port past the last bucket is taken whatever its word says. */
    for (uint32_t p = c + 1; p < 64; p++) {
        uint32_t q;
        CHECK_EQ(bind_ipi(D0, 0, &q), 0);
        CHECK_EQ(q, p + (p >= b ? 1 : 0));
        if (q == 63)
            break;
    }
    *word(64) = L;
    CHECK_EQ(bind_ipi(D0, 0, &c), 0);
    CHECK_EQ(c, 64);
    CHECK_EQ(D0->valid_ports, 128);
    CHECK(!env_error);
}

/* Words the guest wrote: garbage links, BUSY, cycles; never followed. */
static void corrupt_words(void)
{
    uint32_t a, b, c;

    fresh();
    fifo_on(1, 1);
    CHECK_EQ(bind_ipi(D0, 0, &a), 0);
    CHECK_EQ(bind_ipi(D0, 0, &b), 0);
    CHECK_EQ(bind_ipi(D0, 0, &c), 0);
    CHECK_EQ(do_send(D0, a), 0);
    *word(a) = P | L | EVTCHN_FIFO_LINK_MASK;
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(*word(a), P | L | b);
    *word(b) |= B;
    CHECK_EQ(do_send(D0, c), 0);
    CHECK_EQ(*word(b), P | L | c);                      /* BUSY goes with the link */
    /* A tail the guest unlinked and re-marked BUSY: the queue restarts, BUSY stays. */
    *word(c) = B;
    CHECK_EQ(do_send(D0, a), 0);                        /* a still LINKED: nothing moves */
    CHECK_EQ(*word(c), B);
    *word(a) = 0;
    CHECK_EQ(do_send(D0, a), 0);
    CHECK_EQ(cbk(0)->head[7], a);
    CHECK_EQ(*word(c), B);
    /* READY, HEAD and the reserved word are the guest's to scribble on. */
    cbk(0)->ready = 0xffffffffu;
    cbk(0)->head[5] = 0xdeadbeef;
    cbk(0)->_rsvd = 0x12345678;
    CHECK_EQ(set_prio(D0, b, 5), 0);
    *word(b) = 0;
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(cbk(0)->head[5], b);
    CHECK_EQ(cbk(0)->_rsvd, 0x12345678);
    CHECK(!env_error);
}

/* ---- the table: frames up to 2^17 ports ---- */

static void table_growth(void)
{
    uint32_t p = 0;
    int rc = 0;

    fresh();
    /* 2-level: 4095 ports, 16 frames. */
    for (uint32_t i = 1; i < EVTCHN_MAX_PORTS && rc == 0; i++) {
        rc = bind_ipi(D0, 0, &p);
        CHECK_EQ(p, i);
    }
    CHECK_EQ(bind_ipi(D0, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(D0->valid_ports, 4096);
    CHECK_EQ(D0->table_frames, 16);
    CHECK_EQ(frames_live, 2 + 1 + 15 + 1);             /* table0s, D0's VIRQ rows, 15 frames, the directory */
    /* FIFO: up to 2^17 - 1. */
    fifo_on(1, 0);
    for (uint32_t i = 4096; i < EVTCHN_FIFO_MAX_PORTS && rc == 0; i++) {
        rc = bind_ipi(D0, 0, &p);
        if (p != i)
            break;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(p, EVTCHN_FIFO_MAX_PORTS - 1);
    CHECK_EQ(bind_ipi(D0, 0, NULL), -XEN_ENOSPC);
    CHECK_EQ(D0->valid_ports, EVTCHN_FIFO_MAX_PORTS);
    CHECK_EQ(D0->table_frames, 512);
    /* A port closed far down is found again at once. */
    CHECK_EQ(do_close(D0, 77), 0);
    CHECK_EQ(do_close(D0, 100000), 0);
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);
    CHECK_EQ(p, 77);
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);
    CHECK_EQ(p, 100000);
    /* Reset: every port closed, back to 2-level and its limit; the frames stay. */
    CHECK_EQ(do_reset(D0, DOMID_SELF, false), 0);
    CHECK(D0->fifo == NULL);
    CHECK_EQ(grefs_total(), 0);
    CHECK_EQ(D0->valid_ports, EVTCHN_FIFO_MAX_PORTS);
    for (uint32_t i = 1; i < EVTCHN_MAX_PORTS && rc == 0; i++)
        rc = bind_ipi(D0, 0, &p);
    CHECK_EQ(p, 4095);
    CHECK_EQ(bind_ipi(D0, 0, NULL), -XEN_ENOSPC);
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = 100000 };
        CHECK_EQ(evtchn_op_status(D0, &st), 0);
        CHECK_EQ(st.status, EVTCHNSTAT_closed);
    }
    CHECK_EQ(do_send(D0, 100000), -XEN_EINVAL);
    CHECK_EQ(do_unmask(D0, 100000), 0);
    CHECK_EQ(evtchn_core_poll(D0, 100000), -XEN_EINVAL);
    teardown();
    CHECK_EQ(frames_live, 0);
    CHECK(!env_error);
}

static void table_out_of_frames(void)
{
    uint32_t p;

    fresh();
    for (uint32_t i = 1; i < EVTCHN_FRAME_PORTS; i++)
        CHECK_EQ(bind_ipi(D0, 0, NULL), 0);
    CHECK_EQ(D0->valid_ports, 256);
    frames_fail_in = 0;                                 /* the directory */
    CHECK_EQ(bind_ipi(D0, 0, NULL), -XEN_ENOMEM);
    CHECK_EQ(D0->valid_ports, 256);
    frames_fail_in = 1;                                 /* the directory works, the frame not */
    CHECK_EQ(bind_ipi(D0, 0, NULL), -XEN_ENOMEM);
    CHECK_EQ(D0->valid_ports, 256);
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = 256 };
        CHECK_EQ(evtchn_op_status(D0, &st), -XEN_EINVAL);
    }
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);
    CHECK_EQ(p, 256);
    CHECK_EQ(D0->valid_ports, 320);
    CHECK_EQ(D0->table_frames, 2);
    CHECK(!env_error);
}

/* A reset with ports bound again while it was preempted keeps the domain
 * on FIFO (-EAGAIN). */
static void reset_keeps_fifo_when_ports_remain(void)
{
    struct evtchn_reset op = { .dom = DOMID_SELF };
    uint32_t p;

    fresh();
    fifo_on(1, 1);
    for (int i = 0; i < 200; i++)
        CHECK_EQ(bind_ipi(D0, 0, NULL), 0);
    D0->reset_next = 150;                               /* as if preempted at port 150 */
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);                        /* 201: past where the reset stands */
    CHECK_EQ(do_close(D0, 3), 0);
    CHECK_EQ(bind_ipi(D0, 0, &p), 0);                        /* 3: behind it, stays bound */
    CHECK_EQ(p, 3);
    CHECK_EQ(evtchn_op_reset(D0, &op, true), -XEN_EAGAIN);
    CHECK(D0->fifo != NULL);
    CHECK_EQ(evtchn_port_of(D0, 3)->state, EVTCHN_IPI);
    CHECK_EQ(evtchn_port_of(D0, 201)->state, EVTCHN_FREE);
    CHECK_EQ(do_reset(D0, DOMID_SELF, false), 0);
    CHECK(D0->fifo == NULL);
    CHECK(!env_error);
}

/* ---- randomized, against a model of the queues ---- */

#define MP 1536                 /* ports the model covers; the runs stay below */
#define NV 4                    /* D0's vCPUs; vCPU 3 has no control block */
#define NCB 3
#define PAGES_MAX 2

enum { K_IPI, K_UNBOUND, K_INTER, K_VIRQ };

struct mport {
    bool used, pend, mask, lk, raised;
    uint8_t kind, prio;
    unsigned vcpu;
    uint32_t peer;
};
struct mqueue {
    uint32_t item[MP];
    unsigned first, n;          /* a ring */
};

static struct {
    struct mport p[MP];
    struct mqueue q[NV][EVTCHN_FIFO_MAX_QUEUES];
    uint32_t valid, nr_words, pages;
    uint32_t cb_ready[NV], local_ready[NV];
    bool up[NV];
    unsigned kicks[NV], notes;
    uint32_t virq[NV];
} m;
static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

static void mq_push(struct mqueue *q, uint32_t port)
{
    q->item[(q->first + q->n++) % MP] = port;
}

static uint32_t mq_pop(struct mqueue *q)
{
    uint32_t port = q->item[q->first];
    q->first = (q->first + 1) % MP;
    q->n--;
    return port;
}

static void m_set_pending(uint32_t port, unsigned v)
{
    struct mport *p = &m.p[port];

    if (port >= m.nr_words) {
        p->raised = true;
        return;
    }
    if (v >= NCB)
        return;                                 /* no control block: dropped */
    if (!p->pend)
        m.notes++;
    p->pend = true;
    if (!p->mask && !p->lk) {
        struct mqueue *q = &m.q[v][p->prio];
        bool was_empty = q->n == 0;

        p->lk = true;
        mq_push(q, port);
        if (was_empty && !(m.cb_ready[v] & (1u << p->prio))) {
            m.cb_ready[v] |= 1u << p->prio;
            if (!m.up[v]) {
                m.up[v] = true;
                m.kicks[v]++;
            }
        }
    }
}

/* The model's consumer, step for step the harness's. */
static uint32_t m_consume(unsigned v, bool *handled)
{
    struct mqueue *q;
    uint32_t port;
    unsigned prio;

    *handled = false;
    if (!m.local_ready[v]) {
        m.up[v] = false;
        m.local_ready[v] = m.cb_ready[v];
        m.cb_ready[v] = 0;
    }
    if (!m.local_ready[v])
        return 0;
    prio = (unsigned)__builtin_ctz(m.local_ready[v]);
    q = &m.q[v][prio];
    if (q->n == 0)
        return 0xffffffffu;                     /* a READY bit for an empty queue: cannot match */
    port = mq_pop(q);
    m.p[port].lk = false;
    if (q->n == 0)
        m.local_ready[v] &= ~(1u << prio);
    if (m.p[port].pend && !m.p[port].mask) {
        m.p[port].pend = false;
        *handled = true;
    }
    m.local_ready[v] |= m.cb_ready[v];
    m.cb_ready[v] = 0;
    return port;
}

static int m_alloc(void)
{
    for (uint32_t port = 1; port < MP; port++) {
        if (port >= m.valid) {
            m.valid += 64;
            return (int)port;
        }
        if (m.p[port].used || (port < m.nr_words && m.p[port].lk))
            continue;
        return (int)port;
    }
    return -1;
}

static void m_bind(uint32_t port, uint8_t kind, unsigned v)
{
    m.p[port].used = true;
    m.p[port].kind = kind;
    m.p[port].vcpu = v;
    m.p[port].prio = EVTCHN_FIFO_PRIORITY_DEFAULT;
}

static void m_close(uint32_t port)
{
    struct mport *p = &m.p[port];

    if (p->kind == K_INTER) {
        m.p[p->peer].kind = K_UNBOUND;
    }
    if (p->kind == K_VIRQ)
        m.virq[p->vcpu] = 0;
    if (port < m.nr_words)
        p->pend = false;
    p->used = false;
    p->vcpu = 0;
}

/* One random operation on D0, on both sides; false with why on a mismatch. */
static bool model_step(char *why, size_t len, bool corrupt)
{
    uint32_t op = rnd(corrupt ? 20 : 17), port = 1 + rnd(m.valid + 8), v = rnd(NV);
    int rc = 0, want = 0;

    if (port >= MP)
        port = MP - 1;
    switch (op) {
    case 0: case 1: {                                   /* bind_ipi */
        uint32_t got;
        if (m.valid >= MP - 128)
            return true;
        want = m_alloc();
        rc = bind_ipi(D0, v, &got);
        if (rc == 0 && (int)got != want) {
            snprintf(why, len, "bind_ipi: port %u, model %d", got, want);
            return false;
        }
        m_bind((uint32_t)want, K_IPI, v);
        return true;
    }
    case 2: {                                           /* a loopback interdomain pair */
        struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
        struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
        int u, l;
        if (m.valid >= MP - 128)
            return true;
        u = m_alloc();
        CHECK_EQ(evtchn_op_alloc_unbound(D0, &au), 0);
        m_bind((uint32_t)u, K_UNBOUND, 0);
        l = m_alloc();
        bi.remote_port = au.port;
        CHECK_EQ(evtchn_op_bind_interdomain(D0, &bi), 0);
        if ((int)au.port != u || (int)bi.local_port != l) {
            snprintf(why, len, "pair %u/%u, model %d/%d", au.port, bi.local_port, u, l);
            return false;
        }
        m_bind((uint32_t)l, K_INTER, 0);
        m.p[l].peer = (uint32_t)u;
        m.p[u].kind = K_INTER;
        m.p[u].peer = (uint32_t)l;
        m_set_pending((uint32_t)l, 0);
        return true;
    }
    case 3: {                                           /* bind VIRQ_TIMER */
        struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = v };
        if (m.valid >= MP - 128)
            return true;
        rc = evtchn_op_bind_virq(D0, &bv);
        if (m.virq[v]) {
            want = -XEN_EEXIST;
            break;
        }
        want = m_alloc();
        if (rc != 0 || (int)bv.port != want) {
            snprintf(why, len, "bind_virq: rc %d port %u, model %d", rc, bv.port, want);
            return false;
        }
        m_bind((uint32_t)want, K_VIRQ, v);
        m.virq[v] = (uint32_t)want;
        return true;
    }
    case 4:                                             /* the timer fires */
        rc = evtchn_core_raise_virq(D0, v, VIRQ_TIMER);
        want = m.virq[v] ? 0 : -XEN_ENOENT;
        if (m.virq[v])
            m_set_pending(m.virq[v], v);
        break;
    case 5: case 6: case 7:                             /* send */
        rc = do_send(D0, port);
        if (port >= m.valid || !m.p[port].used || m.p[port].kind == K_VIRQ) {
            want = -XEN_EINVAL;
        } else if (m.p[port].kind == K_IPI) {
            m_set_pending(port, m.p[port].vcpu);
        } else if (m.p[port].kind == K_INTER) {
            uint32_t peer = m.p[port].peer;
            m_set_pending(peer, m.p[peer].vcpu);
        }
        break;
    case 8:                                             /* close */
        rc = do_close(D0, port);
        if (port >= m.valid || !m.p[port].used)
            want = -XEN_EINVAL;
        else
            m_close(port);
        break;
    case 9: {                                           /* set_priority */
        uint32_t prio = rnd(17);
        rc = set_prio(D0, port, prio);
        if (port >= m.valid)
            want = -XEN_EINVAL;
        else if (!m.p[port].used)
            want = -XEN_EACCES;
        else if (prio > 15)
            want = -XEN_EINVAL;
        else
            m.p[port].prio = (uint8_t)prio;
        break;
    }
    case 10: {                                          /* bind_vcpu */
        struct evtchn_bind_vcpu bv = { .port = port, .vcpu = v };
        rc = evtchn_op_bind_vcpu(D0, &bv);
        if (port >= m.valid || !m.p[port].used || m.p[port].kind == K_IPI || m.p[port].kind == K_VIRQ)
            want = -XEN_EINVAL;
        else
            m.p[port].vcpu = v;
        break;
    }
    case 11:                                            /* the guest masks a port */
        if (port >= m.nr_words)
            return true;
        __atomic_fetch_or(word(port), M, __ATOMIC_SEQ_CST);
        m.p[port].mask = true;
        return true;
    case 12:                                            /* the guest unmasks: EVTCHNOP_unmask if pending */
        if (port >= m.nr_words)
            return true;
        __atomic_fetch_and(word(port), ~M, __ATOMIC_SEQ_CST);
        m.p[port].mask = false;
        if (*word(port) & P) {
            rc = do_unmask(D0, port);
            if (port < m.valid && m.p[port].used)
                m_set_pending(port, m.p[port].vcpu);
        }
        break;
    case 13:                                            /* the guest clears PENDING itself */
        if (port >= m.nr_words)
            return true;
        __atomic_fetch_and(word(port), ~P, __ATOMIC_SEQ_CST);
        m.p[port].pend = false;
        return true;
    case 14: case 15: {                                 /* the guest consumes an event */
        bool h1, h2;
        uint32_t got, exp;
        if (v >= NCB)
            return true;
        got = consume(v, &h1);
        exp = m_consume(v, &h2);
        if (got != exp || h1 != h2) {
            snprintf(why, len, "vcpu %u consumed %u (handled %d), model %u (%d)", v, got, h1, exp, h2);
            return false;
        }
        return true;
    }
    case 16: {                                          /* a new array page */
        uint32_t first = m.nr_words;
        if (m.pages >= PAGES_MAX || rnd(8))
            return true;
        rc = expand(D0, ARRAY_GFN(m.pages));
        m.pages++;
        m.nr_words += 1024;
        for (uint32_t p = first; p < m.nr_words && p < m.valid; p++)
            if (m.p[p].raised)
                m_set_pending(p, m.p[p].vcpu);
        break;
    }
    default: {                                          /* corrupt: garbage where the guest may write */
        uint32_t garbage = (uint32_t)rnd(0xffffffffu) ^ (rnd(2) ? 0 : 0x80000000u);
        switch (rnd(4)) {
        case 0: case 1:
            if (port < m.nr_words)
                *word(port) = garbage;
            break;
        case 2:
            if (v < NCB)
                cbk(v)->head[rnd(16)] = rnd(2) ? garbage : rnd(m.valid + 8);
            break;
        default:
            if (v < NCB)
                cbk(v)->ready = garbage;
            break;
        }
        return true;
    }
    }
    if (rc != want) {
        snprintf(why, len, "op %u port %u vcpu %u: rc %d, model %d", op, port, v, rc, want);
        return false;
    }
    return true;
}

/* The real words, queues and flags against the model. */
static bool model_compare(char *why, size_t len)
{
    if (D0->valid_ports != m.valid) {
        snprintf(why, len, "valid_ports %u, model %u", D0->valid_ports, m.valid);
        return false;
    }
    for (uint32_t port = 1; port < m.valid; port++) {
        const struct mport *p = &m.p[port];
        const struct evtchn_port *c = evtchn_port_of(D0, port);
        const struct evtchn_fifo_port *f = evtchn_fifo_port_of(D0, port);

        if (evtchn_port_in_use(c) != p->used || (p->used && (c->vcpu != p->vcpu || f->priority != p->prio)) ||
            (bool)f->raised != p->raised) {
            snprintf(why, len, "port %u: used %d/%d vcpu %u/%u prio %u/%u raised %u/%d", port,
                     evtchn_port_in_use(c), p->used, c->vcpu, p->vcpu, f->priority, p->prio, f->raised, p->raised);
            return false;
        }
        if (port < m.nr_words) {
            event_word_t w = *word(port);
            if (!!(w & P) != p->pend || !!(w & M) != p->mask || !!(w & L) != p->lk) {
                snprintf(why, len, "port %u: word %#x, model P%d M%d L%d", port, w, p->pend, p->mask, p->lk);
                return false;
            }
        }
    }
    for (unsigned v = 0; v < NV; v++) {
        if (upcall(D0, v) != m.up[v] || fake_of(D0)->kicks[v] != m.kicks[v]) {
            snprintf(why, len, "vcpu %u: upcall %u/%d kicks %u/%u", v, upcall(D0, v), m.up[v],
                     fake_of(D0)->kicks[v], m.kicks[v]);
            return false;
        }
        if (v >= NCB)
            continue;
        if (cbk(v)->ready != m.cb_ready[v] || cons[v].ready != m.local_ready[v]) {
            snprintf(why, len, "vcpu %u: READY %#x/%#x, local %#x/%#x", v, cbk(v)->ready, m.cb_ready[v],
                     cons[v].ready, m.local_ready[v]);
            return false;
        }
        for (unsigned q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++) {
            const struct mqueue *mq = &m.q[v][q];
            uint32_t port = cons[v].head[q];
            unsigned n = 0;

            if (!port && ((cons[v].ready | cbk(v)->ready) & (1u << q)))
                port = cbk(v)->head[q];
            while (port && n <= mq->n) {
                if (port >= m.nr_words || n == mq->n || mq->item[(mq->first + n) % MP] != port) {
                    snprintf(why, len, "vcpu %u queue %u: item %u is %u, model has %u of %u", v, q, n, port,
                             n < mq->n ? mq->item[(mq->first + n) % MP] : 0, mq->n);
                    return false;
                }
                n++;
                port = *word(port) & EVTCHN_FIFO_LINK_MASK;
            }
            if (n != mq->n) {
                snprintf(why, len, "vcpu %u queue %u: %u linked, model %u", v, q, n, mq->n);
                return false;
            }
        }
    }
    if (fake_of(D0)->pending_notes != m.notes) {
        snprintf(why, len, "pending notes %u, model %u", fake_of(D0)->pending_notes, m.notes);
        return false;
    }
    return true;
}

/* D0: a few ports under 2-level (some pending), then FIFO with control
 * blocks for vCPUs 0..2 and no array page yet; the model to match. */
static void model_start(uint64_t seed)
{
    fresh();
    consumer_reset();
    memset(&m, 0, sizeof(m));
    rng = seed * 0x9e3779b97f4a7c15ull;
    m.valid = 64;
    for (unsigned i = 0; i < 6; i++) {
        uint32_t p;
        CHECK_EQ(bind_ipi(D0, i % NV, &p), 0);
        m_bind(p, K_IPI, i % NV);
        if (i & 1) {
            CHECK_EQ(do_send(D0, p), 0);
            m.p[p].raised = true;
        }
    }
    for (unsigned v = 0; v < NV; v++)
        fake_vi(D0, v)->evtchn_upcall_pending = 0;
    fake_of(D0)->pending_notes = 0;
    memset(fake_of(D0)->kicks, 0, sizeof(fake_of(D0)->kicks));
    for (unsigned v = 0; v < NCB; v++) {
        /* The control block's page is otherwise a pattern nobody may touch. */
        memset(gmem[CB_GFN(v)], 0xa5, PAGE);
        memset(cbk(v), 0, sizeof(struct evtchn_fifo_control_block));
        CHECK_EQ(init_control(D0, v, CB_GFN(v), 8 * v), 0);
    }
    for (uint32_t p = 1; p < 64; p++)
        m.p[p].prio = EVTCHN_FIFO_PRIORITY_DEFAULT;
}

static bool cb_pages_intact(void)
{
    for (unsigned v = 0; v < NCB; v++)
        for (unsigned i = 0; i < PAGE; i++)
            if ((i < 8 * v || i >= 8 * v + sizeof(struct evtchn_fifo_control_block)) && gmem[CB_GFN(v)][i] != 0xa5)
                return false;
    return true;
}

static void randomized(void)
{
    char why[200];

    for (uint64_t seed = 1; seed <= 6; seed++) {
        model_start(seed);
        for (int step = 0; step < 25000; step++) {
            if (!model_step(why, sizeof(why), false) || !model_compare(why, sizeof(why))) {
                test_fail(__FILE__, __LINE__, "seed %llu step %d: %s", (unsigned long long)seed, step, why);
                return;
            }
        }
        CHECK(cb_pages_intact());
        teardown();
    }
    CHECK(!env_error);
}

/* The same operations with garbage written into the words and control
 * blocks: no model, but no write outside the guest's words and control
 * blocks (ASan, the pattern around the control blocks), a bounded answer to
 * every call, and every frame and reference back at the end. */
static void randomized_corrupt(void)
{
    char why[200];

    for (uint64_t seed = 1; seed <= 6; seed++) {
        model_start(seed + 1000);
        for (int step = 0; step < 25000; step++) {
            /* The model stops meaning anything after the first garbage; its
             * bookkeeping only picks ports and keeps the table small. */
            (void)model_step(why, sizeof(why), true);
        }
        CHECK(cb_pages_intact());
        CHECK_EQ(D0->nr_vcpus, NV);
        teardown();
        if (env_error) {
            test_fail(__FILE__, __LINE__, "seed %llu: a frame or reference did not come back", (unsigned long long)seed);
            return;
        }
    }
}

/* ---- many vCPUs per domain ---- */

/* Control blocks of a many-vCPU D0: 56 to a guest frame (72 bytes each),
 * from gfn 110. */
#define MCB_GFN(v) (110 + (v) / 56)
#define MCB_OFF(v) (72 * ((v) % 56))

static struct evtchn_fifo_control_block *mcb(unsigned v)
{
    return (struct evtchn_fifo_control_block *)(gmem[MCB_GFN(v)] + MCB_OFF(v));
}

/* Frames a domain of n vCPUs holds under 2-level (table0, VIRQ rows) and the
 * FIFO state's frames on top (42 vCPUs in its first frame, 56 in each other). */
static int frames_2l(unsigned n) { return 1 + (n > 1); }
static int frames_fifo(unsigned n) { return 1 + (n > 42) + (n > 42 + 56); }

static const unsigned vcpu_counts[] = { 1, 2, 33, 128 };

/* Frames in proportion to the vCPUs, each one given back; every allocation
 * that can fail does so cleanly. */
static void many_vcpus_frames(void)
{
    for (unsigned c = 0; c < sizeof(vcpu_counts) / sizeof(vcpu_counts[0]); c++) {
        unsigned n = vcpu_counts[c];
        struct evtchn_domain ed;
        void *t0;

        /* evtchn_core_init without its VIRQ frame: -ENOMEM, nothing held. */
        t0 = evtchn_env_frame_alloc();
        frames_fail_in = 0;
        CHECK_EQ(evtchn_core_init(&ed, t0, 7, n), n > 1 ? -XEN_ENOMEM : 0);
        if (n == 1) {
            evtchn_core_close_all(&ed);
            evtchn_core_release(&ed);
        }
        evtchn_env_frame_free(t0);
        CHECK_EQ(frames_live, 0);
        frames_fail_in = -1;

        fresh_vcpus(n, 1);
        CHECK_EQ(D0->nr_vcpus, n);
        CHECK_EQ(frames_live, frames_2l(n) + frames_2l(1));
        /* The first init_control (of the last vCPU) makes the state of all:
         * a failure at each of its allocations leaves the domain on 2-level
         * holding nothing more. */
        for (int k = 0; k < frames_fifo(n); k++) {
            frames_fail_in = k;
            CHECK_EQ(init_control(D0, n - 1, MCB_GFN(n - 1), MCB_OFF(n - 1)), -XEN_ENOMEM);
            CHECK(D0->fifo == NULL);
            CHECK_EQ(frames_live, frames_2l(n) + frames_2l(1));
            CHECK_EQ(grefs_total(), 0);
        }
        frames_fail_in = -1;
        CHECK_EQ(init_control(D0, n - 1, MCB_GFN(n - 1), MCB_OFF(n - 1)), 0);
        CHECK_EQ(frames_live, frames_2l(n) + frames_2l(1) + frames_fifo(n));
        /* The other vCPUs register later without a frame more. */
        for (unsigned v = 0; v + 1 < n; v++)
            CHECK_EQ(init_control(D0, v, MCB_GFN(v), MCB_OFF(v)), 0);
        CHECK_EQ(init_control(D0, n, MCB_GFN(0), 0), -XEN_ENOENT);
        CHECK_EQ(init_control(D0, n - 1, MCB_GFN(n - 1), MCB_OFF(n - 1)), -XEN_EINVAL);
        CHECK_EQ(frames_live, frames_2l(n) + frames_2l(1) + frames_fifo(n));
        CHECK_EQ(grefs_total(), (int)n);
        /* Reset drops the FIFO state and the control blocks, not the VIRQ rows. */
        CHECK_EQ(do_reset(D0, DOMID_SELF, false), 0);
        CHECK(D0->fifo == NULL);
        CHECK_EQ(grefs_total(), 0);
        CHECK_EQ(frames_live, frames_2l(n) + frames_2l(1));
        /* Destroyed on FIFO, with a VIRQ on the last vCPU: everything back. */
        CHECK_EQ(init_control(D0, 0, MCB_GFN(0), 0), 0);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, n - 1, NULL), 0);
        teardown();
        CHECK_EQ(frames_live, 0);
        CHECK(!env_error);
    }
}

/* VIRQs and IPIs on any vCPU, under 2-level: each reaches its own vcpu_info. */
static void many_vcpus_virq_ipi(void)
{
    for (unsigned c = 1; c < sizeof(vcpu_counts) / sizeof(vcpu_counts[0]); c++) {
        unsigned n = vcpu_counts[c], last = n - 1;
        uint32_t t, t0, dbg, con, ipi;

        fresh_vcpus(n, 1);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, last, &t), 0);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, last, NULL), -XEN_EEXIST);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, 0, &t0), 0);             /* each vCPU its own */
        CHECK_EQ(bind_virq(D0, VIRQ_DEBUG, last, &dbg), 0);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, n, NULL), -XEN_ENOENT);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, EVTCHN_MAX_VCPUS, NULL), -XEN_ENOENT);
        CHECK_EQ(bind_virq(D0, VIRQ_CONSOLE, last, NULL), -XEN_EINVAL); /* global: vCPU 0 only */
        CHECK_EQ(bind_virq(D0, VIRQ_CONSOLE, 0, &con), 0);
        CHECK_EQ(bind_virq(D0, NR_VIRQS, 0, NULL), -XEN_EINVAL);
        CHECK_EQ(*evtchn_virq_slot(D0, last, VIRQ_TIMER), t);
        CHECK_EQ(*evtchn_virq_slot(D0, 0, VIRQ_TIMER), t0);
        /* Raised on the last vCPU: only its vcpu_info is told. */
        CHECK_EQ(evtchn_core_raise_virq(D0, last, VIRQ_TIMER), 0);
        CHECK(pending(D0, t) && !pending(D0, t0));
        CHECK_EQ(fake_vi(D0, last)->evtchn_upcall_pending, 1);
        CHECK_EQ(fake_vi(D0, last)->evtchn_pending_sel, 1ull << (t / 64));
        CHECK_EQ(fake_of(D0)->kicks[last], 1);
        CHECK_EQ(fake_vi(D0, 0)->evtchn_upcall_pending, 0);
        CHECK_EQ(evtchn_core_raise_virq(D0, last, VIRQ_XENPMU), -XEN_ENOENT);
        if (n > 2)
            CHECK_EQ(evtchn_core_raise_virq(D0, last - 1, VIRQ_TIMER), -XEN_ENOENT);
        CHECK_EQ(evtchn_core_raise_virq(D0, n, VIRQ_TIMER), -XEN_ENOENT);
        /* A global VIRQ is raised whichever vCPU asks, on the vCPU its port notifies. */
        CHECK_EQ(evtchn_core_raise_virq(D0, last, VIRQ_CONSOLE), 0);
        CHECK(pending(D0, con));
        CHECK_EQ(fake_of(D0)->kicks[0], 1);
        /* An IPI to the last vCPU. */
        fake_vi(D0, last)->evtchn_upcall_pending = 0;
        fake_vi(D0, last)->evtchn_pending_sel = 0;
        clear_pending(D0, t);
        CHECK_EQ(bind_ipi(D0, last, &ipi), 0);
        CHECK_EQ(bind_ipi(D0, n, NULL), -XEN_ENOENT);
        CHECK_EQ(do_send(D0, ipi), 0);
        CHECK(pending(D0, ipi));
        CHECK_EQ(fake_vi(D0, last)->evtchn_upcall_pending, 1);
        CHECK_EQ(fake_of(D0)->kicks[last], 2);
        {
            struct evtchn_status st;
            CHECK_EQ(status(D0, DOMID_SELF, ipi, &st), 0);
            CHECK_EQ(st.status, EVTCHNSTAT_ipi);
            CHECK_EQ(st.vcpu, last);
        }
        /* Closed, the slot empties and the VIRQ can be bound again. */
        CHECK_EQ(do_close(D0, t), 0);
        CHECK_EQ(*evtchn_virq_slot(D0, last, VIRQ_TIMER), 0);
        CHECK_EQ(evtchn_core_raise_virq(D0, last, VIRQ_TIMER), -XEN_ENOENT);
        CHECK_EQ(bind_virq(D0, VIRQ_TIMER, last, &t), 0);
        CHECK_EQ(*evtchn_virq_slot(D0, 0, VIRQ_TIMER), t0);
        CHECK_EQ(*evtchn_virq_slot(D0, last, VIRQ_DEBUG), dbg);
        /* Reset empties every row. */
        CHECK_EQ(do_reset(D0, DOMID_SELF, false), 0);
        for (unsigned v = 0; v < n; v++)
            CHECK_EQ(*evtchn_virq_slot(D0, v, VIRQ_TIMER), 0);
        CHECK_EQ(*evtchn_virq_slot(D0, last, VIRQ_DEBUG), 0);
        CHECK_EQ(*evtchn_virq_slot(D0, 0, VIRQ_CONSOLE), 0);
        CHECK(!env_error);
    }
    teardown();
}

/* bind_vcpu, Xen 4.17's rules: unbound, interdomain and global-VIRQ ports
 * move; per-vCPU VIRQs and IPIs do not (-EINVAL); the vCPU is checked first
 * (-ENOENT past the domain's vCPUs). */
static void many_vcpus_bind_vcpu(void)
{
    const unsigned n = 33, last = n - 1;
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
    uint32_t a, b, unb, timer, con, ipi;
    struct evtchn_status st;

    fresh_vcpus(n, 1);
    CHECK_EQ(alloc_unbound(D0, DOMID_SELF, DOMID_SELF, &a), 0);
    bi.remote_port = a;
    CHECK_EQ(evtchn_op_bind_interdomain(D0, &bi), 0);
    b = bi.local_port;
    CHECK_EQ(alloc_unbound(D0, DOMID_SELF, 1, &unb), 0);
    CHECK_EQ(bind_virq(D0, VIRQ_TIMER, 5, &timer), 0);
    CHECK_EQ(bind_virq(D0, VIRQ_CONSOLE, 0, &con), 0);
    CHECK_EQ(bind_ipi(D0, 3, &ipi), 0);

    CHECK_EQ(bind_vcpu(D0, a, n), -XEN_ENOENT);
    CHECK_EQ(bind_vcpu(D0, 100000, n), -XEN_ENOENT);         /* the vCPU first */
    CHECK_EQ(bind_vcpu(D0, a, 0xffffffffu), -XEN_ENOENT);
    CHECK_EQ(bind_vcpu(D0, 100000, last), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D0, 0, last), -XEN_EINVAL);            /* reserved */
    CHECK_EQ(bind_vcpu(D0, 60, last), -XEN_EINVAL);           /* free */
    CHECK_EQ(bind_vcpu(D0, timer, last), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D0, ipi, last), -XEN_EINVAL);
    CHECK_EQ(bind_vcpu(D0, a, last), 0);
    CHECK_EQ(bind_vcpu(D0, unb, last), 0);
    CHECK_EQ(bind_vcpu(D0, con, last), 0);
    CHECK_EQ(status(D0, DOMID_SELF, a, &st), 0);
    CHECK_EQ(st.vcpu, last);
    CHECK_EQ(status(D0, DOMID_SELF, timer, &st), 0);
    CHECK_EQ(st.vcpu, 5);
    CHECK_EQ(status(D0, DOMID_SELF, ipi, &st), 0);
    CHECK_EQ(st.vcpu, 3);
    /* Sending on b makes a pending on the vCPU a was moved to. */
    CHECK_EQ(do_send(D0, b), 0);
    CHECK(pending(D0, a));
    CHECK_EQ(fake_vi(D0, last)->evtchn_upcall_pending, 1);
    CHECK_EQ(fake_of(D0)->kicks[last], 1);
    CHECK_EQ(fake_of(D0)->kicks[0], 1);             /* b's own start, pending on vCPU 0 */
    /* The global VIRQ goes where its port was moved, still found through vCPU 0's row. */
    fake_vi(D0, last)->evtchn_upcall_pending = 0;
    fake_vi(D0, last)->evtchn_pending_sel = 0;
    CHECK_EQ(evtchn_core_raise_virq(D0, 0, VIRQ_CONSOLE), 0);
    CHECK(pending(D0, con));
    CHECK_EQ(fake_vi(D0, last)->evtchn_upcall_pending, 1);
    CHECK_EQ(fake_of(D0)->kicks[last], 2);
    CHECK_EQ(fake_of(D0)->kicks[0], 1);
    teardown();
    CHECK_EQ(frames_live, 0);
    CHECK(!env_error);
}

/* FIFO queues of vCPUs on each side of the FIFO state's frames (0..41 in the
 * first, 42..97 in the second, 98..127 in the third). */
static void many_vcpus_fifo_queues(void)
{
    static const unsigned vs[] = { 0, 41, 42, 97, 98, 127 };
    const unsigned nv = sizeof(vs) / sizeof(vs[0]);
    const unsigned prio = EVTCHN_FIFO_PRIORITY_DEFAULT;
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
    uint32_t ipi[sizeof(vs) / sizeof(vs[0])], a, b, dropped;

    fresh_vcpus(128, 1);
    for (unsigned i = 0; i < nv; i++)
        CHECK_EQ(init_control(D0, vs[i], MCB_GFN(vs[i]), MCB_OFF(vs[i])), 0);
    CHECK_EQ(expand(D0, ARRAY_GFN(0)), 0);
    for (unsigned i = 0; i < nv; i++)
        CHECK_EQ(bind_ipi(D0, vs[i], &ipi[i]), 0);
    for (unsigned i = 0; i < nv; i++)
        CHECK_EQ(do_send(D0, ipi[i]), 0);
    /* Each one at the head of its own vCPU's queue, that vCPU told. */
    for (unsigned i = 0; i < nv; i++) {
        CHECK_EQ(mcb(vs[i])->head[prio], ipi[i]);
        CHECK_EQ(mcb(vs[i])->ready, 1u << prio);
        CHECK_EQ(*word(ipi[i]), P | L);
        CHECK_EQ(fake_vi(D0, vs[i])->evtchn_upcall_pending, 1);
        CHECK_EQ(fake_of(D0)->kicks[vs[i]], 1);
    }
    /* A vCPU without a control block: the event is dropped. */
    CHECK_EQ(bind_ipi(D0, 50, &dropped), 0);
    CHECK_EQ(do_send(D0, dropped), 0);
    CHECK_EQ(*word(dropped), 0);
    CHECK_EQ(fake_of(D0)->kicks[50], 0);
    /* A second event on vCPU 127 links after the first. */
    CHECK_EQ(alloc_unbound(D0, DOMID_SELF, DOMID_SELF, &a), 0);
    bi.remote_port = a;
    CHECK_EQ(evtchn_op_bind_interdomain(D0, &bi), 0);   /* b starts pending, on vCPU 0 */
    b = bi.local_port;
    CHECK_EQ(mcb(0)->head[prio], ipi[0]);
    CHECK_EQ(*word(ipi[0]) & EVTCHN_FIFO_LINK_MASK, b);
    CHECK_EQ(bind_vcpu(D0, a, 127), 0);
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(*word(ipi[nv - 1]) & EVTCHN_FIFO_LINK_MASK, a);
    CHECK_EQ(*word(a), P | L);
    /* The guest consumes a; moved to vCPU 98, the next event heads 98's queue
     * (98's queue was emptied by the guest too) and 127's tail is let go. */
    *word(a) = 0;
    *word(ipi[4]) = 0;
    CHECK_EQ(bind_vcpu(D0, a, 98), 0);
    CHECK_EQ(do_send(D0, b), 0);
    CHECK_EQ(mcb(98)->head[prio], a);
    CHECK_EQ(*word(ipi[nv - 1]) & EVTCHN_FIFO_LINK_MASK, a);  /* unchanged since */
    CHECK_EQ(fake_of(D0)->kicks[98], 1);                      /* READY was still set */
    /* Back on 2-level after a reset, with every control block let go. */
    CHECK_EQ(do_reset(D0, DOMID_SELF, false), 0);
    CHECK(D0->fifo == NULL);
    CHECK_EQ(grefs_total(), 0);
    teardown();
    CHECK_EQ(frames_live, 0);
    CHECK(!env_error);
}

int main(void)
{
    RUN_TEST(init_control_errors);
    RUN_TEST(switch_from_2level);
    RUN_TEST(expand_errors);
    RUN_TEST(set_priority_errors);
    RUN_TEST(queue_rules);
    RUN_TEST(masking_rules);
    RUN_TEST(busy_ports);
    RUN_TEST(corrupt_words);
    RUN_TEST(table_growth);
    RUN_TEST(table_out_of_frames);
    RUN_TEST(reset_keeps_fifo_when_ports_remain);
    RUN_TEST(randomized);
    RUN_TEST(randomized_corrupt);
    RUN_TEST(many_vcpus_frames);
    RUN_TEST(many_vcpus_virq_ipi);
    RUN_TEST(many_vcpus_bind_vcpu);
    RUN_TEST(many_vcpus_fifo_queues);
    teardown();
    for (int i = 0; i < NGFN; i++)
        free(gmem[i]);
    return test_main_result();
}
