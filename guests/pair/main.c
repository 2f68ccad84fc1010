/* Two domUs talking: an interdomain event channel and a shared page, found
 * without XenStore by a fixed convention (the command lines name the peer).
 *
 *   role=a self=<id> peer=<id> [rounds=<n>] [crash=1]
 *       grants its page (ref 8, read-only) to the peer, then offers it port 3
 *       (the first free one: 1 and 2 are the builder's xenstore and console
 *       ports); answers each event from the peer with one of its own, rounds
 *       times. With crash=1 it crashes on purpose once the peer has mapped the
 *       page (the peer's first event), to show that a granter's death leaves
 *       the mapping valid until the peer lets go (the hypervisor's TD_HELD).
 *   role=b self=<id> peer=<id> [rounds=<n>] [crash=1]
 *       binds to the peer's port 3, maps its ref 8 and reads it; refs it was
 *       not granted fail; then sends an event and waits for the answer,
 *       rounds times, and reports the round-trip time. With crash=1 (the
 *       peer crashes after the map) it reads the page again after the peer is
 *       gone, unmaps it and ends.
 *
 *   role=yield [rounds=<n>]
 *       SCHEDOP_yield rounds times and reports the time per domain switch:
 *       with two such domUs and nothing else runnable, every yield hands the
 *       CPU to the other, which yields it back (two switches per round).
 *
 * Each ends with Test result: SUCCESS (poweroff) or FAILURE (crash). */
#include "pv.h"
#include "grant.h"

#define PEER_PORT 3
#define PEER_REF 8
#define WAIT_NS 5000000000ull                   /* how long to wait for the peer */

static unsigned char page[4096] __attribute__((aligned(4096)));
static domid_t self_id, peer;
static unsigned long rounds = 200;
static int crash;

static void fill(unsigned char *p, domid_t from)
{
    for (unsigned i = 0; i < sizeof(page); i++)
        p[i] = (unsigned char)(i * 7 + from);
}

static int check_page(const volatile unsigned char *p, domid_t from)
{
    for (unsigned i = 0; i < sizeof(page); i++)
        if (p[i] != (unsigned char)(i * 7 + from))
            return 0;
    return 1;
}

static long bind_peer(void)
{
    uint64_t end = pv_now() + WAIT_NS;
    long rc;

    /* The peer may not have offered its port yet: -EINVAL until it has. */
    do {
        struct evtchn_bind_interdomain op = { .remote_dom = peer, .remote_port = PEER_PORT };
        rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &op);
        if (rc == 0) {
            /* Binding marks the new port pending (events sent to the
             * unbound end may have been lost, as Xen reasons): not one of
             * the peer's. */
            pv_clear_bit(pv_shared->evtchn_pending, op.local_port);
            return op.local_port;
        }
        (void)pv_sched_op(SCHEDOP_yield, 0);
    } while (pv_now() < end);
    return rc;
}

static void role_a(void)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = peer };
    int16_t st;
    long rc;
    unsigned long seen = 0;

    fill(page, self_id);
    rc = gnt_area_init();
    test_check(rc == 0, "grant window: rc=%ld", rc);
    rc = gnt_table_setup(1, &st);
    test_check(rc == 0 && st == GNTST_okay, "grant table set up: rc=%ld status %d", rc, st);
    gnt_grant(PEER_REF, peer, mm_va_to_mfn((unsigned long)page), GTF_permit_access | GTF_readonly);
    rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &op);
    test_check(rc == 0 && op.port == PEER_PORT, "port %u offered to d%u: rc=%ld", op.port, peer, rc);
    if (rc)
        return;
    if (crash) {
        test_check(pv_wait_port(PEER_PORT, WAIT_NS), "the peer says it has mapped the page");
        test_check(gnt_table[PEER_REF].flags & GTF_reading, "ref %u is in use (GTF_reading)", PEER_REF);
        test_note("crashing on purpose with the page mapped by d%u", peer);
        __asm__ volatile("ud2");
    }
    for (unsigned long i = 0; i < rounds; i++) {
        if (!pv_wait_port(PEER_PORT, WAIT_NS))
            break;
        seen++;
        (void)pv_evtchn_send(PEER_PORT);
    }
    test_check(seen == rounds, "answered %lu of %lu events from d%u", seen, rounds, peer);
    /* The peer's last word: it has unmapped the page. */
    uint64_t tw = pv_now();
    int got = pv_wait_port(PEER_PORT, WAIT_NS);
    test_check(got, "the peer says it has unmapped the page (waited %lu us)", (unsigned long)((pv_now() - tw) / 1000));
    test_check(!(gnt_table[PEER_REF].flags & (GTF_reading | GTF_writing)), "ref %u no longer in use: flags %#x",
               PEER_REF, gnt_table[PEER_REF].flags);
    gnt_table[PEER_REF].flags = 0;
}

static void role_b(void)
{
    gnttab_map_grant_ref_t m;
    unsigned long va = gnt_va(1, 0), va2 = gnt_va(1, 1);
    long port = bind_peer(), rc;
    int16_t st;
    uint64_t t0, t1;
    unsigned long done = 0;

    test_check(port > 0, "bound to d%u's port %u: local port %ld", peer, PEER_PORT, port);
    if (port <= 0)
        return;
    rc = gnt_area_init();
    test_check(rc == 0, "grant window: rc=%ld", rc);
    rc = gnt_map(&m, va, GNTMAP_host_map | GNTMAP_readonly, PEER_REF, peer);
    test_check(rc == 0 && m.status == GNTST_okay, "map d%u's ref %u read-only: rc=%ld status %d", peer, PEER_REF,
               rc, m.status);
    if (rc || m.status != GNTST_okay)
        return;
    test_check(check_page((const volatile unsigned char *)va, peer), "the page reads as d%u wrote it", peer);
    /* What it was not granted. */
    gnttab_map_grant_ref_t bad;
    rc = gnt_map(&bad, va2, GNTMAP_host_map, PEER_REF, peer);
    test_check(rc == 0 && bad.status == GNTST_general_error, "ref %u writable (granted read-only): status %d",
               PEER_REF, bad.status);
    rc = gnt_map(&bad, va2, GNTMAP_host_map | GNTMAP_readonly, PEER_REF + 1, peer);
    test_check(rc == 0 && bad.status == GNTST_general_error, "ref %u (not granted): status %d", PEER_REF + 1,
               bad.status);
    rc = gnt_map(&bad, va2, GNTMAP_host_map | GNTMAP_readonly, 5000, peer);
    test_check(rc == 0 && bad.status == GNTST_bad_gntref, "ref 5000 (beyond the table): status %d", bad.status);
    rc = gnt_map(&bad, va2, GNTMAP_host_map | GNTMAP_readonly, PEER_REF, 0x7fef);
    test_check(rc == 0 && bad.status == GNTST_bad_domain, "ref %u of a domain that does not exist: status %d",
               PEER_REF, bad.status);

    if (crash) {
        (void)pv_evtchn_send((unsigned)port);
        pv_spin_ns(200000000ull);                /* the peer crashes meanwhile */
        test_check(check_page((const volatile unsigned char *)va, peer),
                   "the page still reads as d%u wrote it after d%u crashed", peer, peer);
    } else {
        t0 = pv_now();
        for (unsigned long i = 0; i < rounds; i++) {
            (void)pv_evtchn_send((unsigned)port);
            if (!pv_wait_port((unsigned)port, WAIT_NS))
                break;
            done++;
        }
        t1 = pv_now();
        test_check(done == rounds, "%lu of %lu round trips with d%u", done, rounds, peer);
        if (done)
            test_note("interdomain event round trip: %lu ns", (unsigned long)((t1 - t0) / done));
    }
    rc = gnt_unmap(va, 0, m.handle, &st);
    test_check(rc == 0 && st == GNTST_okay, "unmap: rc=%ld status %d", rc, st);
    if (!crash) {
        rc = pv_evtchn_send((unsigned)port);
        test_check(rc == 0, "told d%u the page is unmapped: rc=%ld", peer, rc);
    }
}

static void role_yield(void)
{
    uint64_t t0 = pv_now(), t1;

    for (unsigned long i = 0; i < rounds; i++)
        (void)pv_sched_op(SCHEDOP_yield, 0);
    t1 = pv_now();
    test_check(t1 > t0, "%lu yields", rounds);
    test_note("domain switch (two yielding domUs): %lu ns", (unsigned long)((t1 - t0) / (2 * rounds)));
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;

    pv_map_shared_info();
    self_id = (domid_t)g_opt(line, "self=", 0);
    peer = (domid_t)g_opt(line, "peer=", 0);
    rounds = g_opt(line, "rounds=", rounds);
    crash = (int)g_opt(line, "crash=", 0);
    test_check(!(si->flags & SIF_INITDOMAIN), "started as a domU (start_info flags %#x)", si->flags);
    if (g_strstr(line, "role=a"))
        role_a();
    else if (g_strstr(line, "role=b"))
        role_b();
    else if (g_strstr(line, "role=yield"))
        role_yield();
    else
        test_check(0, "role=a or role=b on the command line");
    test_finish();
}
