/*
 * Xenolith test-guest runtime: the guest's half of the FIFO event-channel ABI
 * (see fifo.h).
 */
#include "fifo.h"

#define QUEUES ((1u << EVTCHN_FIFO_MAX_QUEUES) - 1)     /* READY bits beyond are ignored */

struct pv_fifo pv_fifo;

static unsigned long frame_of(const void *va)
{
    return mm_va_to_mfn((unsigned long)va & ~(MM_PAGE_SIZE - 1));
}

void pv_fifo_forget(void)
{
    g_memset(&pv_fifo, 0, sizeof(pv_fifo));
}

long pv_fifo_init_control(void *cb, uint8_t *link_bits)
{
    struct evtchn_init_control op;
    long rc;

    g_memset(&op, 0, sizeof(op));
    op.control_gfn = frame_of(cb);
    op.offset = (uint32_t)((unsigned long)cb & (MM_PAGE_SIZE - 1));
    op.vcpu = 0;
    op.link_bits = 0xee;
    rc = pv_evtchn_op(EVTCHNOP_init_control, &op);
    if (link_bits)
        *link_bits = op.link_bits;
    if (rc == 0) {
        pv_fifo_forget();
        pv_fifo.cb = cb;
    }
    return rc;
}

long pv_fifo_expand(void *va, unsigned long mfn)
{
    struct evtchn_expand_array op = { .array_gfn = va ? frame_of(va) : mfn };
    long rc = pv_evtchn_op(EVTCHNOP_expand_array, &op);

    if (rc == 0 && pv_fifo.nr_pages < PV_FIFO_MAX_PAGES)
        pv_fifo.page[pv_fifo.nr_pages++] = va;
    return rc;
}

long pv_fifo_set_priority(unsigned port, unsigned priority)
{
    struct evtchn_set_priority op = { .port = port, .priority = priority };
    return pv_evtchn_op(EVTCHNOP_set_priority, &op);
}

volatile event_word_t *pv_fifo_word(unsigned port)
{
    unsigned p = port / PV_FIFO_WORDS_PER_PAGE;

    if (p >= pv_fifo.nr_pages || !pv_fifo.page[p])
        return 0;
    return pv_fifo.page[p] + port % PV_FIFO_WORDS_PER_PAGE;
}

/* One event from queue prio. */
static void consume_one(unsigned prio, pv_fifo_fn fn)
{
    uint32_t port = pv_fifo.head[prio];
    volatile event_word_t *w;
    event_word_t old, next;

    if (!port)
        port = __atomic_load_n(&pv_fifo.cb->head[prio], __ATOMIC_SEQ_CST);
    w = pv_fifo_word(port);
    if (!port || !w) {
        /* Nothing we can follow: the queue is dropped. */
        pv_fifo.head[prio] = 0;
        pv_fifo.ready &= ~(1u << prio);
        return;
    }
    old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(w, &old, old & ~(PV_FIFO_W_LINKED | EVTCHN_FIFO_LINK_MASK), 0,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    next = old & EVTCHN_FIFO_LINK_MASK;
    if (!next)
        pv_fifo.ready &= ~(1u << prio);
    pv_fifo.consumed++;
    if ((*w & (PV_FIFO_W_PENDING | PV_FIFO_W_MASKED)) == PV_FIFO_W_PENDING) {
        __atomic_fetch_and(w, ~PV_FIFO_W_PENDING, __ATOMIC_SEQ_CST);
        pv_fifo.handled++;
        if (fn)
            fn(port);
    }
    pv_fifo.head[prio] = next;
}

unsigned pv_fifo_scan(pv_fifo_fn fn, unsigned long limit)
{
    unsigned long before = pv_fifo.handled, n = 0;

    if (!pv_fifo.cb)
        return 0;
    pv_vcpu->evtchn_upcall_pending = 0;
    __asm__ volatile("" ::: "memory");
    pv_fifo.ready |= __atomic_exchange_n(&pv_fifo.cb->ready, 0, __ATOMIC_SEQ_CST) & QUEUES;
    while (pv_fifo.ready && (!limit || n++ < limit)) {
        consume_one((unsigned)__builtin_ctz(pv_fifo.ready), fn);
        pv_fifo.ready |= __atomic_exchange_n(&pv_fifo.cb->ready, 0, __ATOMIC_SEQ_CST) & QUEUES;
    }
    return (unsigned)(pv_fifo.handled - before);
}
