/* Event channels, the FIFO ABI (pure; see evtchn_priv.h).
 *
 * Under this ABI each port has a 32-bit event word in the guest's event
 * array, pages the guest hands over one at a time with EVTCHNOP_expand_array
 * (1024 words each, up to 2^17 ports): PENDING, MASKED, LINKED, BUSY and a
 * 17-bit LINK. Each vCPU that registered a control block with
 * EVTCHNOP_init_control has 16 queues, one per priority (0 is the highest):
 * the control block, in a guest frame, holds every queue's HEAD and the READY
 * bitmap; the hypervisor keeps every queue's tail. A queue is a chain of
 * LINKED words from HEAD through LINK; the guest consumes it from the head,
 * clearing LINKED (and LINK) word by word, and the hypervisor appends at the
 * tail.
 *
 * Making a port pending (Xen 4.17's rules):
 *   - no event word yet: the port is marked `raised` and made pending when
 *     the page holding its word arrives;
 *   - the vCPU has no control block: the event is dropped;
 *   - PENDING is set; unless the word is MASKED or already LINKED, LINKED is
 *     set and the port goes at the tail of the queue of (vCPU, its
 *     priority): if the tail's word is still LINKED, the tail's LINK is made
 *     to name the port, otherwise the queue was empty and HEAD names it.
 *     Only when it became a queue's head is that priority's READY bit set,
 *     and if READY was clear the vCPU's upcall is raised.
 * A port remembers the queue it was last linked on: if it was that queue's
 * tail, the tail is forgotten there, so that a port that moved (to another
 * priority or vCPU) is never linked to from its old queue.
 *
 * The guest writes the same words at any time. The hypervisor never follows
 * a LINK (it only writes them), so corrupt links or bits can lose or
 * misplace the guest's own events but never make it loop or reach outside
 * the frames it holds: every word it touches is found through the array
 * pages by a port number below nr_words, and the control block lies within
 * its page. Linking to a tail is a compare-and-swap that the guest's own
 * writes can make fail; it is tried at most five times (BUSY set on the
 * tail after the first failure tells a well-behaved guest not to unmask it
 * meanwhile), then the event is counted as linked, as Xen does.
 *
 * The guest frames (control blocks, array pages) are held with a general and
 * a WRITABLE type reference each from the call that names them until the
 * domain goes back to the 2-level ABI (EVTCHNOP_reset) or is destroyed.
 *
 * The hypervisor's own FIFO state is made, as on Xen, by the first
 * EVTCHNOP_init_control, for every vCPU of the domain at once (a vCPU's
 * queues exist before it registers its control block; events for it are
 * dropped until it does): one frame holding the event array's page list and
 * the queues of the first FIFO_VCPUS_INLINE vCPUs, and for a domain with
 * more vCPUs, frames of FIFO_VCPUS_PER_FRAME more each. All or none: a frame
 * that cannot be had fails the call with -ENOMEM and the domain stays on the
 * 2-level ABI. */
#include "evtchn/evtchn_priv.h"
#include "errno.h"

#define PAGE_BYTES      4096u
#define WORDS_PER_PAGE  (PAGE_BYTES / sizeof(event_word_t))
#define MAX_PAGES       (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)
#define LINK_TRIES      5

#define W_PENDING (1u << EVTCHN_FIFO_PENDING)
#define W_MASKED  (1u << EVTCHN_FIFO_MASKED)
#define W_LINKED  (1u << EVTCHN_FIFO_LINKED)
#define W_BUSY    (1u << EVTCHN_FIFO_BUSY)

/* A vCPU's queues. Unpadded (72 bytes): more vCPUs to a frame is worth
 * more than indexing with a shift. */
struct fifo_vcpu {
    struct evtchn_fifo_control_block *cb;   /* in a guest frame; NULL until registered */
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES];  /* last port appended, 0 when none */
};

#define FIFO_VCPUS_PER_FRAME (PAGE_BYTES / sizeof(struct fifo_vcpu))
#define FIFO_MORE_FRAMES 2                  /* enough for EVTCHN_MAX_VCPUS (checked below) */

struct evtchn_fifo {
    uint32_t nr_words;                      /* ports with an event word */
    event_word_t *page[MAX_PAGES];          /* the event array, in guest frames */
    /* vCPUs from FIFO_VCPUS_INLINE on, FIFO_VCPUS_PER_FRAME to a frame; NULL
     * beyond the domain's vCPUs. */
    struct fifo_vcpu *more[FIFO_MORE_FRAMES];
    struct fifo_vcpu vcpu[];                /* the first vCPUs, in the rest of this frame */
};

#define FIFO_VCPUS_INLINE ((PAGE_BYTES - sizeof(struct evtchn_fifo)) / sizeof(struct fifo_vcpu))

_Static_assert(sizeof(struct evtchn_fifo) + sizeof(struct fifo_vcpu) <= PAGE_BYTES,
               "the FIFO state's frame holds vCPU 0's queues");
_Static_assert(FIFO_VCPUS_INLINE + FIFO_MORE_FRAMES * FIFO_VCPUS_PER_FRAME >= EVTCHN_MAX_VCPUS,
               "too few frames for EVTCHN_MAX_VCPUS");
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "control block size");
_Static_assert(EVTCHN_FIFO_MAX_QUEUES <= 32, "READY is a 32-bit map");
_Static_assert(EVTCHN_MAX_VCPUS <= 256, "last_vcpu is a byte");

/* The queues of vCPU vcpu (< the domain's nr_vcpus). */
static struct fifo_vcpu *fifo_vcpu_of(const struct evtchn_fifo *f, unsigned vcpu)
{
    if (vcpu < FIFO_VCPUS_INLINE)
        return (struct fifo_vcpu *)&f->vcpu[vcpu];
    vcpu -= FIFO_VCPUS_INLINE;
    return &f->more[vcpu / FIFO_VCPUS_PER_FRAME][vcpu % FIFO_VCPUS_PER_FRAME];
}

/* Frames of the FIFO state beyond the first for nr_vcpus vCPUs. */
static unsigned more_frames(unsigned nr_vcpus)
{
    if (nr_vcpus <= FIFO_VCPUS_INLINE)
        return 0;
    return (unsigned)((nr_vcpus - FIFO_VCPUS_INLINE + FIFO_VCPUS_PER_FRAME - 1) / FIFO_VCPUS_PER_FRAME);
}

static void fifo_free(struct evtchn_fifo *f)
{
    for (unsigned i = 0; i < FIFO_MORE_FRAMES; i++)
        if (f->more[i])
            evtchn_env_frame_free(f->more[i]);
    evtchn_env_frame_free(f);
}

/* The FIFO state for nr_vcpus vCPUs, every queue empty; NULL (holding
 * nothing) when a frame cannot be had. */
static struct evtchn_fifo *fifo_alloc(unsigned nr_vcpus)
{
    struct evtchn_fifo *f = evtchn_env_frame_alloc();

    if (!f)
        return 0;
    /* Frames come zeroed: no page, no control block, every tail 0. */
    for (unsigned i = 0; i < more_frames(nr_vcpus); i++)
        if (!(f->more[i] = evtchn_env_frame_alloc())) {
            fifo_free(f);
            return 0;
        }
    return f;
}

/* ---- words the guest writes concurrently ---- */

static bool w_test(event_word_t *w, event_word_t bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) & bit) != 0;
}

/* Set the bit; was it set before? (The caller's use of the answer right
 * away lets the compiler make it one locked bit-test-and-set.) */
static bool w_test_set(event_word_t *w, event_word_t bit)
{
    return (__atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

static void w_clear(event_word_t *w, event_word_t bit)
{
    __atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST);
}

static event_word_t *word_of(const struct evtchn_fifo *f, uint32_t port)
{
    if (port >= f->nr_words)
        return 0;
    return f->page[port / WORDS_PER_PAGE] + port % WORDS_PER_PAGE;
}

static void *page_base(void *p)
{
    return (void *)((uintptr_t)p & ~(uintptr_t)(PAGE_BYTES - 1));
}

/* Point the tail's LINK at port if the tail is still LINKED: true when it
 * was (port follows it), false when the guest had unlinked it (the queue is
 * empty). */
static bool link_after(event_word_t *tail, uint32_t port)
{
    event_word_t w = __atomic_load_n(tail, __ATOMIC_SEQ_CST);
    bool busy = false;

    for (unsigned i = 0; i < LINK_TRIES; i++) {
        if (!(w & W_LINKED)) {
            if (busy)
                w_clear(tail, W_BUSY);
            return false;
        }
        /* BUSY goes with the same swap. */
        if (__atomic_compare_exchange_n(tail, &w, (w & ~(W_BUSY | EVTCHN_FIFO_LINK_MASK)) | port, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return true;
        if (!busy) {
            w_test_set(tail, W_BUSY);
            busy = true;
            w = __atomic_load_n(tail, __ATOMIC_SEQ_CST);
        }
    }
    w_clear(tail, W_BUSY);
    return true;                /* the guest keeps changing it: given up, as Xen does */
}

/* The upcall flag of the vCPU (bit 0, as Xen sets it); the vCPU is told when
 * the bit was clear. */
static void mark_events_pending(struct evtchn_domain *ed, unsigned vcpu)
{
    struct vcpu_info *vi = evtchn_env_vcpu_info(ed, vcpu);

    if (vi && !(__atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1))
        evtchn_env_notify(ed, vcpu);
}

/* ---- the rules evtchn_core.c applies through these ---- */

/* Port becomes the tail of queue prio of vCPU vcpu (its word just became
 * LINKED): linked from the old tail, or the queue's new head. */
static void link_port(struct evtchn_domain *ed, struct fifo_vcpu *fv, struct evtchn_fifo_port *fp,
                      unsigned vcpu, uint32_t port)
{
    struct evtchn_fifo *f = ed->fifo;
    unsigned prio = fp->priority & (EVTCHN_FIFO_MAX_QUEUES - 1);
    uint32_t *old_tail = &fifo_vcpu_of(f, fp->last_vcpu)->tail[fp->last_priority];
    uint32_t tail, ready;
    event_word_t *tw;

    if (*old_tail == port)
        *old_tail = 0;
    fp->last_vcpu = (uint8_t)vcpu;
    fp->last_priority = (uint8_t)prio;
    tail = fv->tail[prio];
    fv->tail[prio] = port;
    if (tail && (tw = word_of(f, tail)) && link_after(tw, port))
        return;
    __atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
    ready = 1u << prio;
    if (!(__atomic_fetch_or(&fv->cb->ready, ready, __ATOMIC_SEQ_CST) & ready))
        mark_events_pending(ed, vcpu);
}

void evtchn_fifo_set_pending(struct evtchn_domain *ed, unsigned vcpu, uint32_t port)
{
    struct evtchn_fifo *f = ed->fifo;
    struct evtchn_fifo_port *fp = evtchn_fifo_port_of(ed, port);
    struct fifo_vcpu *fv;
    event_word_t *w;

    if (port >= f->nr_words) {
        fp->raised = 1;
        return;
    }
    w = f->page[port / WORDS_PER_PAGE] + port % WORDS_PER_PAGE;
    if (vcpu >= ed->nr_vcpus || !(fv = fifo_vcpu_of(f, vcpu))->cb)
        return;
    if (w_test_set(w, W_PENDING)) {
        if (!w_test(w, W_MASKED) && !w_test_set(w, W_LINKED))
            link_port(ed, fv, fp, vcpu, port);
        return;
    }
    if (!w_test(w, W_MASKED) && !w_test_set(w, W_LINKED))
        link_port(ed, fv, fp, vcpu, port);
    evtchn_env_port_pending(ed, port);      /* it just became pending: pollers */
}

void evtchn_fifo_clear_pending(struct evtchn_domain *ed, uint32_t port)
{
    event_word_t *w = word_of(ed->fifo, port);

    /* Only PENDING: the guest unlinks the word and skips it, as on Xen. */
    if (w)
        w_clear(w, W_PENDING);
}

void evtchn_fifo_unmask(struct evtchn_domain *ed, uint32_t port)
{
    event_word_t *w = word_of(ed->fifo, port);

    if (!w)
        return;
    w_clear(w, W_MASKED);
    if (w_test(w, W_PENDING))
        evtchn_fifo_set_pending(ed, evtchn_port_of(ed, port)->vcpu, port);
}

bool evtchn_fifo_is_pending(const struct evtchn_domain *ed, uint32_t port)
{
    event_word_t *w = word_of(ed->fifo, port);

    return w && w_test(w, W_PENDING);
}

bool evtchn_fifo_is_busy(const struct evtchn_domain *ed, uint32_t port)
{
    event_word_t *w = word_of(ed->fifo, port);

    return w && w_test(w, W_LINKED);
}

void evtchn_fifo_port_bound(struct evtchn_domain *ed, uint32_t port)
{
    evtchn_fifo_port_of(ed, port)->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
}

void evtchn_fifo_destroy(struct evtchn_domain *ed)
{
    struct evtchn_fifo *f = ed->fifo;

    if (!f)
        return;
    ed->fifo = 0;
    for (unsigned v = 0; v < ed->nr_vcpus; v++) {
        struct fifo_vcpu *fv = fifo_vcpu_of(f, v);

        if (fv->cb)
            evtchn_env_guest_frame_put(ed, page_base(fv->cb));
    }
    for (uint32_t i = 0; i < f->nr_words / WORDS_PER_PAGE; i++)
        evtchn_env_guest_frame_put(ed, f->page[i]);
    fifo_free(f);
}

/* ---- EVTCHNOP_init_control, expand_array, set_priority ---- */

/* The switch from 2-level: every port that exists (up to the 2-level limit)
 * gets the default priority, and those pending in shared_info are marked
 * raised, to be made pending when their event word arrives. */
static void switch_ports(struct evtchn_domain *ed)
{
    struct shared_info *s = evtchn_env_shared_info(ed);
    const unsigned bits = sizeof(xen_ulong_t) * 8;

    for (uint32_t port = 1; port < EVTCHN_MAX_PORTS && port < ed->valid_ports; port++) {
        struct evtchn_fifo_port *fp = evtchn_fifo_port_of(ed, port);

        if (s && (__atomic_load_n(&s->evtchn_pending[port / bits], __ATOMIC_SEQ_CST) >> (port % bits)) & 1)
            fp->raised = 1;
        fp->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    }
}

int evtchn_op_init_control(struct evtchn_domain *self, struct evtchn_init_control *op)
{
    struct evtchn_fifo *f = self->fifo;
    void *frame;
    int rc;

    op->link_bits = EVTCHN_FIFO_LINK_BITS;
    if (op->vcpu >= self->nr_vcpus)
        return -XEN_ENOENT;
    /* Within one page, 8-byte aligned. */
    if (op->offset > PAGE_BYTES - sizeof(struct evtchn_fifo_control_block) || (op->offset & 7))
        return -XEN_EINVAL;
    if (f && fifo_vcpu_of(f, op->vcpu)->cb)
        return -XEN_EINVAL;                 /* registered already */
    if (!f && !(f = fifo_alloc(self->nr_vcpus)))
        return -XEN_ENOMEM;
    if ((rc = evtchn_env_guest_frame_get(self, op->control_gfn, &frame)) != 0) {
        if (!self->fifo)
            fifo_free(f);                   /* the domain stays on 2-level */
        return rc;
    }
    fifo_vcpu_of(f, op->vcpu)->cb = (struct evtchn_fifo_control_block *)((char *)frame + op->offset);
    if (!self->fifo) {
        self->fifo = f;
        switch_ports(self);
    }
    return 0;
}

int evtchn_op_expand_array(struct evtchn_domain *self, const struct evtchn_expand_array *op)
{
    struct evtchn_fifo *f = self->fifo;
    uint32_t first;
    void *frame;
    int rc;

    if (!f)
        return -XEN_EOPNOTSUPP;
    if (f->nr_words / WORDS_PER_PAGE >= MAX_PAGES)
        return -XEN_ENOSPC;
    if ((rc = evtchn_env_guest_frame_get(self, op->array_gfn, &frame)) != 0)
        return rc;
    first = f->nr_words;
    f->page[first / WORDS_PER_PAGE] = frame;
    f->nr_words = first + WORDS_PER_PAGE;
    /* Ports raised while their word was missing are made pending now,
     * whatever they are bound to, as Xen does. */
    for (uint32_t port = first; port < f->nr_words && port < self->valid_ports; port++)
        if (evtchn_fifo_port_of(self, port)->raised)
            evtchn_fifo_set_pending(self, evtchn_port_of(self, port)->vcpu, port);
    return 0;
}

int evtchn_op_set_priority(struct evtchn_domain *self, const struct evtchn_set_priority *op)
{
    if (op->port >= self->valid_ports)
        return -XEN_EINVAL;
    if (!self->fifo)
        return -XEN_ENOSYS;                 /* the 2-level ABI has no priorities */
    if (!evtchn_port_in_use(evtchn_port_of(self, op->port)))
        return -XEN_EACCES;
    if (op->priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    /* Later links use it; a port already on a queue stays there. */
    evtchn_fifo_port_of(self, op->port)->priority = (uint8_t)op->priority;
    return 0;
}
