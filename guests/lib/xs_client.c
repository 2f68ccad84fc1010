/* A domU's XenStore client over its store ring (see xs_client.h). */
#include "xs_client.h"
#include "guest.h"
#include "pv.h"
#include "mm.h"
#include "barrier.h"
#include "errno.h"

uint64_t xs_timeout_ns = 5000000000ull;

static struct xenstore_domain_interface *ring;
static unsigned port;
static uint32_t next_req_id;

/* Watch events that came while a reply was awaited. */
#define XS_EVENTS 8
static struct {
    uint32_t len;
    char data[256];
} events[XS_EVENTS];
static unsigned ev_head, ev_count;

int xs_open(void)
{
    const start_info_t *si = guest_start_info;
    unsigned long va;

    if (!si || !si->store_mfn || !si->store_evtchn)
        return -1;
    va = mm_frame_va(si->store_mfn);
    if (!va)
        return -1;
    ring = (struct xenstore_domain_interface *)va;
    port = si->store_evtchn;
    return 0;
}

static void kick(void)
{
    (void)pv_evtchn_send(port);
}

/* Wait until cond holds, sleeping on the store port. */
static int wait_for(int (*cond)(void), uint64_t end)
{
    while (!cond()) {
        uint64_t now = pv_now();
        if (now >= end)
            return 0;
        (void)pv_wait_port(port, end - now);
    }
    return 1;
}

static int req_room(void)
{
    return ring->req_prod - ring->req_cons < XENSTORE_RING_SIZE;
}

static int rsp_avail(void)
{
    return ring->rsp_prod != ring->rsp_cons;
}

/* Copy len bytes into the request ring, waiting for room as the server
 * reads; the server is signalled when the ring is full and, with last, once
 * the bytes are all in (one event per message, not per piece). */
static int put(const void *data, size_t len, uint64_t end, int last)
{
    const char *p = data;

    while (len) {
        if (!req_room())
            kick();
        if (!wait_for(req_room, end))
            return -XEN_ETIMEDOUT;
        XENSTORE_RING_IDX prod = ring->req_prod;
        xen_mb();
        size_t room = XENSTORE_RING_SIZE - (prod - ring->req_cons);
        size_t off = MASK_XENSTORE_IDX(prod);
        size_t n = XENSTORE_RING_SIZE - off;
        if (n > room)
            n = room;
        if (n > len)
            n = len;
        g_memcpy(ring->req + off, p, n);
        xen_wmb();
        ring->req_prod = prod + (XENSTORE_RING_IDX)n;
        p += n;
        len -= n;
    }
    if (last)
        kick();
    return 0;
}

/* Take len bytes from the reply ring (buf NULL: skip them). */
static int get(void *buf, size_t len, uint64_t end)
{
    char *p = buf;

    while (len) {
        if (!wait_for(rsp_avail, end))
            return -XEN_ETIMEDOUT;
        XENSTORE_RING_IDX cons = ring->rsp_cons, prod = ring->rsp_prod;
        xen_rmb();
        if (prod - cons > XENSTORE_RING_SIZE)
            return -XEN_EIO;                    /* the server's indices are bogus */
        size_t off = MASK_XENSTORE_IDX(cons);
        size_t n = XENSTORE_RING_SIZE - off;
        if (n > prod - cons)
            n = prod - cons;
        if (n > len)
            n = len;
        if (p) {
            g_memcpy(p, ring->rsp + off, n);
            p += n;
        }
        xen_mb();
        ring->rsp_cons = cons + (XENSTORE_RING_IDX)n;
        /* The server waits for room only when it had filled the ring. */
        if (prod - cons == XENSTORE_RING_SIZE)
            kick();
        len -= n;
    }
    return 0;
}

int xs_error_code(const char *name)
{
    static const struct { const char *name; int code; } names[] = {
        { "EINVAL", XEN_EINVAL }, { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST },
        { "EISDIR", XEN_EISDIR }, { "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM },
        { "ENOSPC", XEN_ENOSPC }, { "EIO", XEN_EIO }, { "ENOTEMPTY", XEN_ENOTEMPTY },
        { "ENOSYS", XEN_ENOSYS }, { "EROFS", XEN_EROFS }, { "EBUSY", XEN_EBUSY },
        { "EAGAIN", XEN_EAGAIN }, { "EISCONN", XEN_EISCONN }, { "E2BIG", XEN_E2BIG },
        { "EPERM", XEN_EPERM }, { "EQUOTA", XS_EQUOTA },
    };
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (g_strcmp(names[i].name, name) == 0)
            return -names[i].code;
    return -XEN_EIO;
}

long xs_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
                char *reply, size_t max, uint32_t *rtype)
{
    struct xsd_sockmsg h = { .type = type, .req_id = ++next_req_id, .tx_id = tx, .len = (uint32_t)len };
    uint64_t end = pv_now() + xs_timeout_ns;
    int rc;

    if (!ring)
        return -XEN_ENOTCONN;
    if ((rc = put(&h, sizeof(h), end, len == 0)) || (len && (rc = put(payload, len, end, 1))))
        return rc;
    for (;;) {
        struct xsd_sockmsg r;
        if ((rc = get(&r, sizeof(r), end)))
            return rc;
        if (r.len > XENSTORE_PAYLOAD_MAX)
            return -XEN_EIO;
        if (r.type == XS_WATCH_EVENT) {
            /* Keep it for xs_wait_watch (the oldest is dropped when full). */
            unsigned slot = (ev_head + ev_count) % XS_EVENTS;
            size_t keep = r.len < sizeof(events[0].data) ? r.len : sizeof(events[0].data);
            if (ev_count == XS_EVENTS) {
                ev_head = (ev_head + 1) % XS_EVENTS;
                ev_count--;
            }
            if ((rc = get(events[slot].data, keep, end)) || (rc = get(NULL, r.len - keep, end)))
                return rc;
            events[slot].len = (uint32_t)keep;
            ev_count++;
            continue;
        }
        if (r.req_id != h.req_id)
            return -XEN_EIO;
        size_t keep = r.len < max ? r.len : max;
        if ((rc = get(reply, keep, end)) || (rc = get(NULL, r.len - keep, end)))
            return rc;
        if (keep < max)
            reply[keep] = '\0';
        else if (max)
            reply[max - 1] = '\0';
        if (rtype)
            *rtype = r.type;
        if (r.type == XS_ERROR)
            return xs_error_code(reply);
        if (r.type != type)
            return -XEN_EIO;
        return (long)r.len;
    }
}

/* Payload "a\0" or "a\0b" (b without its NUL, as XS_WRITE wants). */
static long two(uint32_t type, uint32_t tx, const char *a, const char *b, size_t blen, int b_nul,
                char *reply, size_t max)
{
    static char buf[XENSTORE_PAYLOAD_MAX];
    size_t alen = g_strlen(a) + 1, len = alen + (b ? blen + (b_nul ? 1 : 0) : 0);
    char small[64];

    if (len > sizeof(buf))
        return -XEN_E2BIG;
    g_memcpy(buf, a, alen);
    if (b) {
        g_memcpy(buf + alen, b, blen);
        if (b_nul)
            buf[alen + blen] = '\0';
    }
    if (!reply) {
        reply = small;
        max = sizeof(small);
    }
    return xs_request(type, tx, buf, len, reply, max, NULL);
}

long xs_read(uint32_t tx, const char *path, char *buf, size_t max)
{
    return two(XS_READ, tx, path, NULL, 0, 0, buf, max);
}

static int ok(long rc)
{
    return rc < 0 ? (int)rc : 0;
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
    return ok(two(XS_WRITE, tx, path, value, g_strlen(value), 0, NULL, 0));
}

int xs_mkdir(uint32_t tx, const char *path)
{
    return ok(two(XS_MKDIR, tx, path, NULL, 0, 0, NULL, 0));
}

int xs_rm(uint32_t tx, const char *path)
{
    return ok(two(XS_RM, tx, path, NULL, 0, 0, NULL, 0));
}

long xs_directory(uint32_t tx, const char *path, char *buf, size_t max)
{
    return two(XS_DIRECTORY, tx, path, NULL, 0, 0, buf, max);
}

int xs_set_perms(uint32_t tx, const char *path, const char *perms, size_t len)
{
    return ok(two(XS_SET_PERMS, tx, path, perms, len, 0, NULL, 0));
}

long xs_get_perms(uint32_t tx, const char *path, char *buf, size_t max)
{
    return two(XS_GET_PERMS, tx, path, NULL, 0, 0, buf, max);
}

int xs_watch(const char *path, const char *token)
{
    return ok(two(XS_WATCH, 0, path, token, g_strlen(token), 1, NULL, 0));
}

int xs_unwatch(const char *path, const char *token)
{
    return ok(two(XS_UNWATCH, 0, path, token, g_strlen(token), 1, NULL, 0));
}

long xs_transaction_start(void)
{
    char id[32];
    long rc = xs_request(XS_TRANSACTION_START, 0, "", 1, id, sizeof(id), NULL);
    unsigned long v = 0;

    if (rc < 0)
        return rc;
    for (const char *p = id; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (unsigned long)(*p - '0');
    return v ? (long)v : -XEN_EIO;
}

int xs_transaction_end(uint32_t tx, int commit)
{
    return ok(xs_request(XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, (char[8]){ 0 }, 8, NULL));
}

long xs_domid(void)
{
    char v[16];
    long rc = xs_read(0, "domid", v, sizeof(v));
    long id = 0;

    if (rc < 0)
        return rc;
    for (const char *p = v; *p >= '0' && *p <= '9'; p++)
        id = id * 10 + (*p - '0');
    return id;
}

/* Split an event's "path\0token\0" into the caller's buffers. */
static void copy_event(unsigned slot, char *path, size_t pmax, char *token, size_t tmax)
{
    const char *d = events[slot].data;
    size_t n = events[slot].len, i = 0;

    if (pmax)
        path[0] = '\0';
    if (tmax)
        token[0] = '\0';
    for (size_t k = 0; i < n && d[i]; i++, k++)
        if (k + 1 < pmax) {
            path[k] = d[i];
            path[k + 1] = '\0';
        }
    for (size_t k = 0, j = i + 1; j < n && d[j]; j++, k++)
        if (k + 1 < tmax) {
            token[k] = d[j];
            token[k + 1] = '\0';
        }
}

int xs_wait_watch(char *path, size_t pmax, char *token, size_t tmax, uint64_t ns)
{
    uint64_t end = pv_now() + ns;

    while (!ev_count) {
        struct xsd_sockmsg r;
        if (!wait_for(rsp_avail, end))
            return 0;
        if (get(&r, sizeof(r), end) || r.len > XENSTORE_PAYLOAD_MAX)
            return 0;
        if (r.type != XS_WATCH_EVENT) {
            (void)get(NULL, r.len, end);        /* a stray reply: not ours to keep */
            continue;
        }
        size_t keep = r.len < sizeof(events[0].data) ? r.len : sizeof(events[0].data);
        unsigned slot = (ev_head + ev_count) % XS_EVENTS;
        if (get(events[slot].data, keep, end) || get(NULL, r.len - keep, end))
            return 0;
        events[slot].len = (uint32_t)keep;
        ev_count++;
    }
    copy_event(ev_head, path, pmax, token, tmax);
    ev_head = (ev_head + 1) % XS_EVENTS;
    ev_count--;
    return 1;
}
