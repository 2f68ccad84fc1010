/*
 * Xenolith test-guest runtime: a domU's console ring writer (see xencons.h).
 */
#include "xencons.h"
#include "io/console.h"

#define WAIT_STEP_NS 20000000ull       /* re-signal this often while waiting */
#define DEFAULT_NS   30000000000ull

static volatile struct xencons_interface *ring;
static unsigned port;

int xencons_init(const start_info_t *si)
{
    unsigned long va;

    if ((si->flags & SIF_INITDOMAIN) || !si->console.domU.mfn || !si->console.domU.evtchn)
        return -1;
    va = mm_pfn_va(mm_mfn_to_pfn(si->console.domU.mfn));
    if (!va)
        return -1;
    ring = (volatile struct xencons_interface *)va;
    port = si->console.domU.evtchn;
    return 0;
}

/* Signal the back end and wait for it to signal back (or a step's time). */
/* A deadline ns ahead, and whether it has passed. Without shared_info (a
 * guest that never mapped it: no system time) the deadline is a number of
 * waits instead. */
struct deadline {
    uint64_t end;
    unsigned waits;
};

static void deadline_set(struct deadline *d, uint64_t ns)
{
    d->end = pv_shared ? pv_now() + ns : 0;
    d->waits = 0;
}

static int deadline_passed(struct deadline *d)
{
    return pv_shared ? pv_now() >= d->end : ++d->waits > 100000;
}

static void nudge(void)
{
    (void)pv_evtchn_send(port);
    if (pv_shared)
        (void)pv_wait_port(port, WAIT_STEP_NS);
    else
        (void)pv_sched_op(SCHEDOP_yield, 0);    /* no shared_info to poll with: let dom0 run */
}

size_t xencons_write(const char *s, size_t len, uint64_t ns)
{
    struct deadline end;
    size_t done = 0;

    if (!ring)
        return 0;
    deadline_set(&end, ns);
    while (done < len) {
        uint32_t cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
        uint32_t prod = ring->out_prod;
        uint32_t room = (uint32_t)sizeof(ring->out) - (prod - cons);

        if (prod - cons > sizeof(ring->out))
            return done;               /* the back end broke the ring */
        if (!room) {
            if (deadline_passed(&end))
                return done;
            nudge();
            continue;
        }
        for (; room && done < len; room--, done++, prod++)
            ring->out[MASK_XENCONS_IDX(prod, ring->out)] = s[done];
        /* The bytes are in before the index says so. */
        __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
        (void)pv_evtchn_send(port);
    }
    return done;
}

size_t xencons_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    return xencons_write(buf, (size_t)n, DEFAULT_NS);
}

int xencons_flush(uint64_t ns)
{
    struct deadline end;

    if (!ring)
        return 0;
    deadline_set(&end, ns);
    while (__atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) != ring->out_prod) {
        if (deadline_passed(&end))
            return 0;
        nudge();
    }
    return 1;
}

size_t xencons_read(char *buf, size_t max)
{
    uint32_t cons, prod;
    size_t n = 0;

    if (!ring)
        return 0;
    cons = ring->in_cons;
    prod = __atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);   /* then the bytes */
    if (prod - cons > sizeof(ring->in))
        return 0;                      /* the back end broke the ring */
    for (; cons != prod && n < max; cons++)
        buf[n++] = ring->in[MASK_XENCONS_IDX(cons, ring->in)];
    /* The bytes are read before the room is given back. */
    __atomic_store_n(&ring->in_cons, cons, __ATOMIC_RELEASE);
    if (n)
        (void)pv_evtchn_send(port);
    return n;
}

int xencons_wait(uint64_t ns)
{
    return ring ? pv_wait_port(port, ns) : 0;
}
