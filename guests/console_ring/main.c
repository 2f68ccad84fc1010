/* The hypervisor as console back end of a domain given a domU-style
 * start_info (dom0_start_info=domu, Xenolith only): what the guest puts in
 * its console ring and signals on the console port is consumed (out_cons
 * catches up with out_prod) and printed as (d0) lines; indexes a guest
 * corrupts are skipped, and the hypervisor carries on. */
#include "guest.h"
#include "pv.h"
#include "io/console.h"

static struct xencons_interface *ring;
static uint32_t port;

static void put(const char *s)
{
    uint32_t prod = ring->out_prod;

    for (; *s; s++)
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *s;
    __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
}

static long kick(void)
{
    struct evtchn_send send = { .port = port };

    return pv_evtchn_op(EVTCHNOP_send, &send);
}

void test_main(start_info_t *si)
{
    char line[96];

    /* A domU's flags: no SIF_PRIVILEGED/SIF_INITDOMAIN, and SIF_VIRT_P2M_4TOOLS
     * as Xen's toolstack sets for every domU. */
    test_check(si->flags == SIF_VIRT_P2M_4TOOLS && si->console.domU.mfn && si->console.domU.evtchn,
               "a domU start_info (flags %#x) with a console ring (mfn %#lx, port %u)", si->flags,
               (unsigned long)si->console.domU.mfn, si->console.domU.evtchn);
    ring = (struct xencons_interface *)mm_pfn_va(mm_mfn_to_pfn(si->console.domU.mfn));
    port = si->console.domU.evtchn;

    /* Lines (with the guest's usual \r\n), one longer than the whole ring. */
    put("console ring: first line\r\n");
    test_check(kick() == 0 && ring->out_cons == ring->out_prod, "the first line consumed (cons %u, prod %u)",
               ring->out_cons, ring->out_prod);
    for (unsigned i = 0; i < 80; i++) {
        snformat(line, sizeof(line), "console ring: line %u of a burst of eighty\r\n", i);
        put(line);
        if (ring->out_prod - ring->out_cons > sizeof(ring->out) - sizeof(line))
            kick();
    }
    test_check(kick() == 0 && ring->out_cons == ring->out_prod && ring->out_prod > sizeof(ring->out) + 1024,
               "the burst consumed, across the ring's end (%u bytes)", ring->out_prod);
    /* Without a signal nothing is read. */
    put("console ring: written, not signalled yet\r\n");
    test_check(ring->out_cons != ring->out_prod, "nothing consumed without a signal");
    kick();
    test_check(ring->out_cons == ring->out_prod, "consumed once signalled");

    /* A producer index far ahead (a guest bug): skipped, said once. */
    __atomic_store_n(&ring->out_prod, ring->out_cons + 5000, __ATOMIC_RELEASE);
    test_check(kick() == 0 && ring->out_cons == ring->out_prod, "a producer 5000 bytes ahead: skipped");
    __atomic_store_n(&ring->out_prod, ring->out_cons - 1, __ATOMIC_RELEASE);
    test_check(kick() == 0 && ring->out_cons == ring->out_prod, "a producer behind the consumer: skipped");
    put("console ring: after the bad indexes\r\n");
    test_check(kick() == 0 && ring->out_cons == ring->out_prod, "the ring works again");
}
