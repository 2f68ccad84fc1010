/* The default demo's domUs: two domains that find each other through
 * XenStore and talk over a shared ring, the way Xen's split drivers do.
 *
 *   role=back peer=<id>   offers a ring: grants a page to the peer,
 *                         allocates an event channel for it, advertises both
 *                         under its own data/demo in XenStore (readable by the
 *                         peer), then answers requests until the peer says bye.
 *   role=front peer=<id>  watches the peer's data/demo/state until it says
 *                         "ready", reads the grant reference and the port,
 *                         maps the page, binds the channel, sends requests
 *                         and checks every answer, then says bye.
 *   [requests=<n>]        how many requests the front end sends (default 8)
 *
 * Both end with Test result: SUCCESS and power off (or FAILURE, crash). */
#include "pv.h"
#include "grant.h"
#include "barrier.h"
#include "xs_client.h"
#include "io/ring.h"
#include "errno.h"

enum { DEMO_ECHO, DEMO_ADD, DEMO_BYE };

struct demo_request {
    uint32_t id;
    uint32_t op;                /* DEMO_* */
    uint64_t a, b;
    char text[48];
};

struct demo_response {
    uint32_t id;
    int32_t status;
    uint64_t value;
    char text[48];
};

DEFINE_RING_TYPES(demo, struct demo_request, struct demo_response);

#define DEMO_REF 8              /* the first grant entry a guest may use */
#define WAIT_NS 20000000000ull  /* how long to wait for the peer */

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static domid_t self_id, peer;

static void path_of(char *buf, size_t n, domid_t dom, const char *leaf)
{
    snformat(buf, n, "/local/domain/%u/data/demo%s%s", dom, *leaf ? "/" : "", leaf);
}

static unsigned long num(const char *s)
{
    unsigned long v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (unsigned long)(*s - '0');
    return v;
}

static void upper(char *d, const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n && s[i]; i++)
        d[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
    d[i] = '\0';
}

static void back(void)
{
    demo_back_ring_t r;
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = peer };
    char path[96], val[32], perms[32];
    unsigned long served = 0;
    int16_t st;
    long rc;
    int bye = 0;

    /* The page and the channel, for the peer only. */
    SHARED_RING_INIT((demo_sring_t *)ring_page);
    BACK_RING_INIT(&r, (demo_sring_t *)ring_page, sizeof(ring_page));
    rc = gnt_area_init();
    if (rc == 0)
        rc = gnt_table_setup(1, &st);
    test_check(rc == 0, "grant table ready: rc=%ld", rc);
    gnt_grant(DEMO_REF, peer, mm_va_to_mfn((unsigned long)ring_page), GTF_permit_access);
    rc = pv_evtchn_op(EVTCHNOP_alloc_unbound, &op);
    test_check(rc == 0, "event channel for d%u: port %u (rc=%ld)", peer, op.port, rc);
    if (rc)
        return;

    /* Advertise them: a directory the peer may read, then its entries, and
     * "ready" last (the peer watches for it). */
    path_of(path, sizeof(path), self_id, "");
    rc = xs_mkdir(0, path);
    test_check(rc == 0, "mkdir %s: rc=%ld", path, rc);
    int pl = snformat(perms, sizeof(perms), "n%u", self_id);
    pl += 1 + snformat(perms + pl + 1, sizeof(perms) - (size_t)pl - 1, "r%u", peer);
    rc = xs_set_perms(0, path, perms, (size_t)pl + 1);
    test_check(rc == 0, "%s readable by d%u: rc=%ld", path, peer, rc);
    path_of(path, sizeof(path), self_id, "ring-ref");
    snformat(val, sizeof(val), "%u", DEMO_REF);
    rc = xs_write(0, path, val);
    path_of(path, sizeof(path), self_id, "event-channel");
    snformat(val, sizeof(val), "%u", op.port);
    rc |= xs_write(0, path, val);
    path_of(path, sizeof(path), self_id, "state");
    rc |= xs_write(0, path, "ready");
    test_check(rc == 0, "advertised: ring-ref %u, event-channel %u, state ready (rc=%ld)", DEMO_REF, op.port, rc);
    path_of(path, sizeof(path), self_id, "");
    printk("back end: ring page granted to d%u (grant %u), event channel %u allocated for it; both\n", peer,
           DEMO_REF, op.port);
    printk("back end: advertised in XenStore under %s (readable by d%u only)\n", path, peer);

    /* Answer requests until the peer says bye. */
    uint64_t end = pv_now() + WAIT_NS;
    while (!bye && pv_now() < end) {
        int more;
        RING_FINAL_CHECK_FOR_REQUESTS(&r, more);
        if (!more) {
            (void)pv_wait_port(op.port, end - pv_now());
            continue;
        }
        while (RING_HAS_UNCONSUMED_REQUESTS(&r)) {
            struct demo_request q = *RING_GET_REQUEST(&r, r.req_cons);
            struct demo_response *p;
            int notify;

            xen_rmb();
            r.req_cons++;
            p = RING_GET_RESPONSE(&r, r.rsp_prod_pvt);
            p->id = q.id;
            p->status = 0;
            p->value = 0;
            p->text[0] = '\0';
            q.text[sizeof(q.text) - 1] = '\0';
            switch (q.op) {
            case DEMO_ECHO:
                upper(p->text, q.text, sizeof(p->text));
                break;
            case DEMO_ADD:
                p->value = q.a + q.b;
                break;
            case DEMO_BYE:
                snformat(p->text, sizeof(p->text), "bye from d%u", self_id);
                bye = 1;
                break;
            default:
                p->status = -XEN_EINVAL;
            }
            r.rsp_prod_pvt++;
            served++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&r, notify);
            if (notify)
                (void)pv_evtchn_send(op.port);
        }
    }
    test_check(bye, "served %lu requests from d%u, the last one bye", served, peer);
    printk("back end: d%u said bye after %lu requests\n", peer, served);
}

static void front(void)
{
    demo_front_ring_t r;
    gnttab_map_grant_ref_t m;
    char path[96], val[32], ppath[96], token[16];
    unsigned long ref = 0, rport = 0, n = 8, answered = 0;
    unsigned long va = gnt_va(1, 0);
    long rc, port;
    int16_t st;

    n = g_opt((const char *)guest_start_info->cmd_line, "requests=", 8);
    /* Wait for the peer's "ready" (the watch fires once at once, then at
     * every change the front end may see). */
    path_of(path, sizeof(path), peer, "state");
    rc = xs_watch(path, "demo");
    test_check(rc == 0, "watching %s: rc=%ld", path, rc);
    uint64_t end = pv_now() + WAIT_NS;
    for (;;) {
        rc = xs_read(0, path, val, sizeof(val));
        if (rc >= 0 && g_strcmp(val, "ready") == 0)
            break;
        if (pv_now() >= end || !xs_wait_watch(ppath, sizeof(ppath), token, sizeof(token), end - pv_now())) {
            test_check(0, "d%u never became ready (last read: rc=%ld)", peer, rc);
            return;
        }
    }
    (void)xs_unwatch(path, "demo");
    path_of(path, sizeof(path), peer, "ring-ref");
    if (xs_read(0, path, val, sizeof(val)) > 0)
        ref = num(val);
    path_of(path, sizeof(path), peer, "event-channel");
    if (xs_read(0, path, val, sizeof(val)) > 0)
        rport = num(val);
    test_check(ref && rport, "d%u offers grant %lu and event channel %lu", peer, ref, rport);
    path_of(path, sizeof(path), peer, "");
    printk("front end: my watch on %s/state fired: d%u is ready\n", path, peer);
    printk("front end: read grant %lu and event channel %lu there; mapping the page, binding the channel\n", ref,
           rport);

    /* Map the page, bind the channel. */
    rc = gnt_area_init();
    test_check(rc == 0, "grant window: rc=%ld", rc);
    rc = gnt_map(&m, va, GNTMAP_host_map, (grant_ref_t)ref, peer);
    test_check(rc == 0 && m.status == GNTST_okay, "mapped d%u's grant %lu: rc=%ld status %d", peer, ref, rc,
               m.status);
    if (rc || m.status != GNTST_okay)
        return;
    struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = (evtchn_port_t)rport };
    rc = pv_evtchn_op(EVTCHNOP_bind_interdomain, &b);
    port = rc ? rc : (long)b.local_port;
    test_check(rc == 0, "bound d%u's event channel %lu: local port %ld", peer, rport, port);
    if (rc)
        return;
    FRONT_RING_INIT(&r, (demo_sring_t *)va, 4096);

    /* Requests, one at a time, each answer checked; bye last. */
    for (unsigned long i = 0; i <= n; i++) {
        /* Built here and copied in: the answer comes back in the same slot. */
        struct demo_request req = { .id = (uint32_t)i, .a = i * 1000, .b = 42 }, *q = &req;
        int notify;

        req.op = i == n ? DEMO_BYE : (i & 1) ? DEMO_ADD : DEMO_ECHO;
        snformat(req.text, sizeof(req.text), "hello %lu from d%u", i, self_id);
        *RING_GET_REQUEST(&r, r.req_prod_pvt) = req;
        r.req_prod_pvt++;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r, notify);
        if (notify)
            (void)pv_evtchn_send((unsigned)port);

        end = pv_now() + WAIT_NS;
        int more = 0;
        while (pv_now() < end) {
            RING_FINAL_CHECK_FOR_RESPONSES(&r, more);
            if (more)
                break;
            (void)pv_wait_port((unsigned)port, end - pv_now());
        }
        if (!more) {
            test_check(0, "no answer to request %lu", i);
            break;
        }
        xen_rmb();
        struct demo_response p = *RING_GET_RESPONSE(&r, r.rsp_cons);
        r.rsp_cons++;
        p.text[sizeof(p.text) - 1] = '\0';
        char want[48];
        if (i == n)
            snformat(want, sizeof(want), "bye from d%u", peer);
        else if (!(i & 1))
            upper(want, q->text, sizeof(want));
        int good = p.id == i && p.status == 0 &&
                   ((i & 1) && i != n ? p.value == i * 1000 + 42 : g_strcmp(p.text, want) == 0);
        answered += good;
        if (i == n || !(i & 1))
            printk("front end: sent \"%s\", d%u answered \"%s\"%s\n", i == n ? "bye" : q->text, peer, p.text,
                   good ? "" : " (WRONG)");
        else
            printk("front end: asked d%u for %lu + 42, it answered %lu%s\n", peer, i * 1000,
                   (unsigned long)p.value, good ? "" : " (WRONG)");
    }
    test_check(answered == n + 1, "%lu of %lu answers right", answered, n + 1);
    rc = gnt_unmap(va, 0, m.handle, &st);
    test_check(rc == 0 && st == GNTST_okay, "unmapped d%u's page: rc=%ld status %d", peer, rc, st);
    (void)pv_evtchn_close((unsigned)port);
}

void test_main(start_info_t *si)
{
    const char *line = (const char *)si->cmd_line;
    long id;

    peer = (domid_t)g_opt(line, "peer=", 0);
    pv_map_shared_info();
    (void)pv_events_mask();
    test_check(xs_open() == 0, "store ring from start_info (mfn %#lx, port %u)", (unsigned long)si->store_mfn,
               si->store_evtchn);
    id = xs_domid();
    test_check(id > 0, "own domid from XenStore: %ld", id);
    if (id <= 0 || !peer)
        return;
    self_id = (domid_t)id;
    if (g_strstr(line, "role=back"))
        back();
    else if (g_strstr(line, "role=front"))
        front();
    else
        test_check(0, "role=back or role=front");
}
