/* The XenStore ring glue: each domU's store ring (public/io/xs_wire.h) in
 * front of the XenStore core (xs.h).
 *
 * Requests are reassembled from the req ring (a message may wrap and may
 * arrive in pieces), whole ones handed to xs_conn_handle, and what the core
 * queues for the connection (replies, watch events) copied into the rsp
 * ring as space allows. As xenstored does, a connection that misbehaves is
 * closed and stays closed: indices further apart than the ring, a payload
 * over XENSTORE_PAYLOAD_MAX, or the core giving up on it (a malformed
 * message, output it does not read). The ring's error field says why
 * (XENSTORE_ERROR_*) for a guest that looks; other domains carry on.
 * Per turn a domain gets at most a few messages, so a flood delays only
 * its sender. */
#include "dom0.h"
#include "errno.h"

#define MSGS_PER_TURN 8
#define HDR ((unsigned)sizeof(struct xsd_sockmsg))

void store_close(struct domu *d, const char *why)
{
    if (d->store_dead)
        return;
    dom0_log("d%u: xenstore connection closed: %s\n", d->id, why);
    d->store_dead = 1;
    /* The core's connection object stays until the domain ends: it is the
     * domain's introduction, and xs_domain_release() (which frees it) is
     * what fires @releaseDomain then. Nothing more is handed to it. */
}

/* XS_INTRODUCE from dom0's own connection: the domain's ring as dom0 found
 * it (frame and port as the builder set them, else EINVAL). Introduced and
 * served already: nothing to do (no second @introduceDomain, as xenstored).
 * Released, or its connection closed: a fresh connection on the same ring,
 * with the unread requests dropped and the ring's error field cleared (the
 * reconnection xenstored offers). */
int store_introduce(void *ctx, unsigned domid, uint64_t mfn, unsigned port)
{
    struct domu *d = domid <= 0xffff ? domu_find((domid_t)domid) : 0;

    (void)ctx;
    if (!d || !d->store || mfn != d->store_ring_ref || port != d->store_remote_port)
        return XEN_EINVAL;
    if (d->introduced && d->conn && !d->store_dead)
        return 0;
    if (d->conn)
        xs_conn_free(d->conn);         /* the closed one; the domain stays introduced */
    d->conn = xs_domain_introduce(dom0_xs, domid);
    if (!d->conn)
        return XEN_ENOMEM;
    d->introduced = 1;
    d->store_dead = 0;
    d->got = 0;
    __atomic_store_n(&d->store->req_cons, __atomic_load_n(&d->store->req_prod, __ATOMIC_ACQUIRE),
                     __ATOMIC_RELEASE);
    __atomic_store_n(&d->store->error, XENSTORE_ERROR_NONE, __ATOMIC_RELEASE);
    dom0_log("d%u: xenstore connection open (XS_INTRODUCE)\n", d->id);
    return 0;
}

/* XS_RELEASE: the domain's connection goes and @releaseDomain fires; its
 * ring stays mapped until the domain ends (XS_INTRODUCE can bring it back). */
int store_release(void *ctx, unsigned domid)
{
    struct domu *d = domid <= 0xffff ? domu_find((domid_t)domid) : 0;

    (void)ctx;
    if (!d || !d->introduced)
        return XEN_ENOENT;
    store_close(d, "released (XS_RELEASE)");
    xs_domain_release(dom0_xs, domid);
    d->introduced = 0;
    d->conn = 0;
    return 0;
}

static void ring_error(struct domu *d, uint32_t code, const char *why)
{
    if (d->store)
        __atomic_store_n(&d->store->error, code, __ATOMIC_RELEASE);
    store_close(d, why);
}

struct store_stats store_stats;

/* Move up to MSGS_PER_TURN requests from the req ring into the core.
 * Returns 1 when the guest may be waiting for the room made (the ring was
 * full before): only then does it need an event for it. */
static int requests(struct domu *d)
{
    volatile struct xenstore_domain_interface *r = d->store;
    unsigned msgs = 0;
    int freed = 0;

    while (!d->store_dead && msgs < MSGS_PER_TURN) {
        uint32_t cons = __atomic_load_n(&r->req_cons, __ATOMIC_RELAXED);
        uint32_t prod = __atomic_load_n(&r->req_prod, __ATOMIC_ACQUIRE);
        uint32_t avail = prod - cons;
        char bytes[XENSTORE_RING_SIZE];
        unsigned want, n;

        if (avail > XENSTORE_RING_SIZE) {
            char why[96];
            snformat(why, sizeof(why), "request ring indices bogus (prod %u cons %u)", prod, cons);
            ring_error(d, XENSTORE_ERROR_RINGIDX, why);
            break;
        }
        if (!avail)
            break;
        want = d->got < HDR ? HDR - d->got : HDR + d->hdr.len - d->got;
        n = avail < want ? avail : want;
        for (unsigned i = 0; i < n; i++)
            bytes[i] = r->req[MASK_XENSTORE_IDX(cons + i)];
        __atomic_store_n(&r->req_cons, cons + n, __ATOMIC_RELEASE);
        freed |= avail == XENSTORE_RING_SIZE;
        if (d->got < HDR) {
            g_memcpy((char *)&d->hdr + d->got, bytes, n);
            d->got += n;
            if (d->got == HDR && d->hdr.len > XENSTORE_PAYLOAD_MAX) {
                char why[96];
                snformat(why, sizeof(why), "request of %u bytes (over %u)", d->hdr.len, XENSTORE_PAYLOAD_MAX);
                ring_error(d, XENSTORE_ERROR_PROTO, why);
                break;
            }
        } else {
            g_memcpy(d->payload + (d->got - HDR), bytes, n);
            d->got += n;
        }
        if (d->got == HDR + d->hdr.len) {
            struct xsd_sockmsg h = d->hdr;
            d->got = 0;
            msgs++;
            uint64_t t0 = pv_now();
            store_for_domu = 1;
            int bad = xs_conn_handle(d->conn, &h, d->payload) != 0;
            store_for_domu = 0;
            store_stats.requests++;
            store_stats.core_ns += pv_now() - t0;
            if (bad) {
                /* The core has said why in its log. */
                ring_error(d, XENSTORE_ERROR_PROTO, "the store gave up on it");
                break;
            }
        }
    }
    return freed;
}

/* Copy queued output into the rsp ring as space allows; the bytes put. */
static size_t replies(struct domu *d)
{
    volatile struct xenstore_domain_interface *r = d->store;
    uint32_t cons = __atomic_load_n(&r->rsp_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_RELAXED);
    char bytes[XENSTORE_RING_SIZE];
    size_t n, room;

    if (prod - cons > XENSTORE_RING_SIZE) {
        char why[96];
        snformat(why, sizeof(why), "response ring indices bogus (prod %u cons %u)", prod, cons);
        ring_error(d, XENSTORE_ERROR_RINGIDX, why);
        return 0;
    }
    room = XENSTORE_RING_SIZE - (prod - cons);
    if (!room || !xs_conn_out_pending(d->conn))
        return 0;
    n = xs_conn_out_take(d->conn, bytes, room);
    for (size_t i = 0; i < n; i++)
        r->rsp[MASK_XENSTORE_IDX(prod + i)] = bytes[i];
    /* The bytes are in before the index says so. */
    __atomic_store_n(&r->rsp_prod, prod + (uint32_t)n, __ATOMIC_RELEASE);
    return n;
}

void store_serve(struct domu *d)
{
    if (!d->store || !d->conn || d->store_dead)
        return;
    /* The core may give up on a connection between two of its messages
     * (watch events from others' changes it does not read). */
    if (xs_conn_broken(d->conn)) {
        ring_error(d, XENSTORE_ERROR_PROTO, "the store gave up on it (its output not read)");
        return;
    }
    /* One event for the whole turn, and only when the guest has something
     * to see: replies (or events), or room in a request ring it had filled. */
    size_t put = replies(d);           /* make room first: watch events may be queued */
    int freed = 0;
    if (!d->store_dead)
        freed = requests(d);
    if (!d->store_dead && d->conn)
        put += replies(d);
    if ((put || freed) && !d->store_dead && d->store_port)
        (void)pv_evtchn_send(d->store_port);
}
