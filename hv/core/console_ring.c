/* Console back end in the hypervisor (see console_ring.h).
 *
 * The ring is the guest's memory: the indexes it writes are read once per
 * drain, a producer index more than a ring ahead is a guest bug (what
 * is in the ring is skipped, said once), and only out_cons is written back.
 * The frame is referenced while it is served, so the guest cannot give it
 * away while the hypervisor writes to it. */
#include "core/console_ring.h"
#include "core/domain.h"
#include "core/log.h"
#include "mm/page_type.h"
#include "arch/x86_64/page.h"
#include "io/console.h"
#include "errno.h"

int console_ring_attach(struct domain *d, uint64_t mfn, uint32_t port)
{
    if (page_get(mfn, d->id) != 0)
        return -XEN_EINVAL;
    d->console_ring_mfn = mfn;
    d->console_ring_port = port;
    return 0;
}

static void drain(struct domain *d)
{
    struct xencons_interface *ring = mfn_to_virt(d->console_ring_mfn);
    uint32_t cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    char chunk[64];
    size_t n = 0;

    if (prod - cons > sizeof(ring->out)) {
        if (!d->console_ring_bad)
            log_warn("d%u: console ring indexes out of range (cons %u, prod %u): output skipped\n",
                     d->id, cons, prod);
        d->console_ring_bad = true;
        __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    for (; cons != prod; cons++) {
        char c = ring->out[MASK_XENCONS_IDX(cons, ring->out)];
        if (c == '\r')
            continue;                   /* the guest's "\r\n" is one line end here */
        chunk[n++] = c;
        if (n == sizeof(chunk)) {
            log_guest_write(d->id, &d->console_line_start, chunk, n);
            n = 0;
        }
    }
    if (n)
        log_guest_write(d->id, &d->console_line_start, chunk, n);
    __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
}

void console_ring_drain_port(struct domain *d, uint32_t port)
{
    if (d->console_ring_mfn && port == d->console_ring_port)
        drain(d);
}

void console_ring_detach(struct domain *d)
{
    if (!d->console_ring_mfn)
        return;
    drain(d);
    page_put(d->console_ring_mfn);
    d->console_ring_mfn = 0;
}
