/* A hostile domU for dom0's XenStore ring glue and console back end. It
 * first proves that its store is served (a READ of its domid answered),
 * then breaks the protocol one way, chosen on the command line:
 *
 *   mode=idx     the request ring's producer 5000 bytes ahead of the consumer
 *   mode=big     a request header announcing 5000 bytes (over XENSTORE_PAYLOAD_MAX)
 *   mode=flood   a 2000-byte value, then READs of it, never reading a reply
 *   mode=junk    malformed but well-framed requests (an unknown type, a
 *                path without its NUL): answered with errors (ENOSYS,
 *                EINVAL) as xenstored does, and the connection lives on
 *   [cons=1]     also the console ring's producer 5000 bytes ahead
 *
 * For idx, big and flood, dom0 must close the store connection (it says so in a log line and sets
 * the ring's error field, which this guest checks: positive evidence) and
 * stop serving a broken console ring, while other domains go on. Output
 * goes through console_io (the hypervisor prints it). */
#include "pv.h"
#include "io/xs_wire.h"
#include "io/console.h"

#define NS_PER_MS 1000000ull

static volatile struct xenstore_domain_interface *st;
static unsigned st_port;

/* Put bytes into the request ring (waiting for room): 0, or -1 on timeout. */
static int put(const void *p, unsigned n, uint64_t end)
{
    const char *b = p;

    while (n) {
        uint32_t cons = __atomic_load_n(&st->req_cons, __ATOMIC_ACQUIRE), prod = st->req_prod;
        if (prod - cons >= XENSTORE_RING_SIZE) {
            if (pv_now() >= end || st->error)
                return -1;
            (void)pv_evtchn_send(st_port);
            (void)pv_wait_port(st_port, 20 * NS_PER_MS);
            continue;
        }
        st->req[MASK_XENSTORE_IDX(prod)] = *b++;
        __atomic_store_n(&st->req_prod, prod + 1, __ATOMIC_RELEASE);
        n--;
    }
    (void)pv_evtchn_send(st_port);
    return 0;
}

static int send_msg(uint32_t type, const char *a, const char *val, unsigned vlen, uint64_t end)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 7, .tx_id = 0 };
    unsigned la = (unsigned)g_strlen(a) + 1;

    h.len = la + vlen;
    if (put(&h, sizeof(h), end) || put(a, la, end))
        return -1;
    return vlen ? put(val, vlen, end) : 0;
}

/* Take one whole reply (waiting): its type, payload into buf. */
static int take_reply(char *buf, unsigned max, uint64_t end)
{
    struct xsd_sockmsg h;
    char *hp = (char *)&h;
    unsigned got = 0, need = sizeof(h);

    while (got < need) {
        uint32_t cons = st->rsp_cons, prod = __atomic_load_n(&st->rsp_prod, __ATOMIC_ACQUIRE);
        if (cons == prod) {
            if (pv_now() >= end)
                return -1;
            (void)pv_wait_port(st_port, 20 * NS_PER_MS);
            continue;
        }
        char c = st->rsp[MASK_XENSTORE_IDX(cons)];
        __atomic_store_n(&st->rsp_cons, cons + 1, __ATOMIC_RELEASE);
        if (got < sizeof(h))
            hp[got] = c;
        else if (got - sizeof(h) < max)
            buf[got - sizeof(h)] = c;
        got++;
        if (got == sizeof(h))
            need = sizeof(h) + h.len;
    }
    (void)pv_evtchn_send(st_port);
    if (h.len < max)
        buf[h.len] = 0;
    return (int)h.type;
}

/* dom0 closed the connection: the ring's error field says so. */
static int closed_within(uint64_t ns)
{
    uint64_t end = pv_now() + ns;

    while (!__atomic_load_n(&st->error, __ATOMIC_ACQUIRE) && pv_now() < end) {
        (void)pv_evtchn_send(st_port);
        (void)pv_wait_port(st_port, 50 * NS_PER_MS);
    }
    return st->error != 0;
}

void test_main(start_info_t *si)
{
    const char *cmd = (const char *)si->cmd_line;
    char buf[64];
    uint64_t end;
    int t;

    pv_map_shared_info();
    (void)pv_events_mask();
    st = (volatile struct xenstore_domain_interface *)mm_pfn_va(mm_mfn_to_pfn(si->store_mfn));
    st_port = si->store_evtchn;
    if (!test_check(st && st_port, "store ring at %p, port %u", (void *)st, st_port))
        test_finish();

    end = pv_now() + 20000 * NS_PER_MS;
    t = send_msg(XS_READ, "domid", 0, 0, end) ? -1 : take_reply(buf, sizeof(buf), end);
    test_check(t == XS_READ && g_opt(buf, "", 0) == g_opt(cmd, "self=", 0),
               "the store answers first: READ domid -> type %d '%s' (self=%lu)", t, t >= 0 ? buf : "",
               g_opt(cmd, "self=", 0));

    if (g_opt(cmd, "cons=", 0)) {
        volatile struct xencons_interface *c =
            (volatile struct xencons_interface *)mm_pfn_va(mm_mfn_to_pfn(si->console.domU.mfn));
        uint32_t cons = c->out_cons;
        __atomic_store_n(&c->out_prod, cons + 5000, __ATOMIC_RELEASE);
        (void)pv_evtchn_send(si->console.domU.evtchn);
        pv_spin_ns(500 * NS_PER_MS);
        test_check(c->out_cons == cons, "console ring producer 5000 ahead: nothing consumed (cons %u)", c->out_cons);
    }

    if (g_has_word(cmd, "mode=idx")) {
        uint32_t cons = st->req_cons;
        __atomic_store_n(&st->req_prod, cons + 5000, __ATOMIC_RELEASE);
        (void)pv_evtchn_send(st_port);
        int closed = closed_within(10000 * NS_PER_MS);
        test_check(closed, "request producer 5000 ahead: connection closed (error %u)", st->error);
    } else if (g_has_word(cmd, "mode=big")) {
        struct xsd_sockmsg h = { .type = XS_WRITE, .req_id = 9, .len = 5000 };
        (void)put(&h, sizeof(h), pv_now() + 5000 * NS_PER_MS);
        int closed = closed_within(10000 * NS_PER_MS);
        test_check(closed, "a 5000-byte request announced: connection closed (error %u)", st->error);
    } else if (g_has_word(cmd, "mode=flood")) {
        static char value[2000];
        unsigned sent = 0;
        g_memset(value, 'v', sizeof(value));
        end = pv_now() + 60000 * NS_PER_MS;
        if (send_msg(XS_WRITE, "data/big", value, sizeof(value), end) == 0)
            while (!st->error && pv_now() < end && send_msg(XS_READ, "data/big", 0, 0, end) == 0)
                sent++;
        test_note("%u READs of 2000 bytes sent, no reply read", sent);
        int closed = closed_within(10000 * NS_PER_MS);
        test_check(closed, "flood without reading replies: connection closed (error %u)", st->error);
    } else if (g_has_word(cmd, "mode=junk")) {
        struct xsd_sockmsg h = { .type = 9999, .req_id = 7, .len = 4 };
        end = pv_now() + 20000 * NS_PER_MS;
        t = put(&h, sizeof(h), end) || put("junk", 4, end) ? -1 : take_reply(buf, sizeof(buf), end);
        test_check(t == XS_ERROR && !g_strcmp(buf, "ENOSYS"), "an unknown type 9999: type %d '%s' (want ENOSYS)", t,
                   t >= 0 ? buf : "");
        h.type = XS_READ;
        h.len = 5;
        t = put(&h, sizeof(h), end) || put("domid", 5, end) ? -1 : take_reply(buf, sizeof(buf), end);
        test_check(t == XS_ERROR && !g_strcmp(buf, "EINVAL"), "a READ path without its NUL: type %d '%s' (want EINVAL)",
                   t, t >= 0 ? buf : "");
        t = send_msg(XS_READ, "name", 0, 0, end) ? -1 : take_reply(buf, sizeof(buf), end);
        test_check(t == XS_READ && st->error == 0, "the connection lives on: READ name -> type %d '%s'", t,
                   t >= 0 ? buf : "");
    } else {
        test_check(0, "a mode=idx|big|flood|junk, please");
    }
    test_finish();
}
