/* libFuzzer harness: dom0's XenStore core (guests/dom0/xs_*.c) driven
 * through xs_conn_handle by dom0's privileged connection and three domU
 * connections, with domains introduced and released, output drained in
 * pieces and direct toolstack operations in between.
 *
 * Input: the first byte picks the limits (bit 0: tiny ones, so that the
 * quotas are reached) and, with bit 1, out-of-memory: after the set-up,
 * every ((byte >> 2) + 2)-th xs_malloc fails (dom0's heap running out must
 * cost an error reply, never the tree's consistency or a leak), then
 * operations:
 *   op & 7 in 0..3  a message on connection op & 3 (0 = dom0):
 *                   type, tx_id (bit 7: 4 raw bytes), argument count and
 *                   flags (bit 7: a payload over XENSTORE_PAYLOAD_MAX),
 *                   then per argument a selector (< 0xe0: a word of the
 *                   table below and its NUL; else raw bytes, a NUL if odd)
 *   4               drain whole messages from a connection (checks their
 *                   headers)
 *   5 / 6           introduce / release a domain
 *   7               a direct dom0 operation (write, rm, mkdir, set_perms)
 * After each step: no unprivileged output queue over its limit, and the
 * tree is consistent (parent links, children lengths, every path valid,
 * per-owner node counts equal to the store's). At the end everything is
 * freed: xs_malloc counts and LeakSanitizer check nothing is left. */
#include "fuzz.h"
#include "xs.h"
#include "xs_store.h"

static long live;
static unsigned fail_every, nth;

void *xs_malloc(size_t n)
{
    if (fail_every && ++nth % fail_every == 0)
        return NULL;
    live++;
    return malloc(n ? n : 1);
}

void xs_free(void *p)
{
    if (p)
        live--;
    free(p);
}

static void logfn(void *ctx, const char *line)
{
    (void)ctx;
    FUZZ_CHECK(strlen(line) < 200);
}

static const char *const words[] = {
    "data", "data/x", "data/x/y", "data/y", "device", "control/shutdown", "name",
    "/local/domain/1/data", "/local/domain/2/data/x", "/local/domain/3", "/local/domain",
    "/", "/tool", "/tool/a/b/c", "@introduceDomain", "@releaseDomain", "@other", "tok",
    "T", "F", "0", "1", "2", "3", "4", "7", "99", "print", "n0", "r1", "b2", "w3", "n1",
    "n2", "r0", "hello", "", "a//b", "data/", "bad char", "65535", "32752",
};

struct rd {
    const uint8_t *p;
    size_t n;
};

static int byte(struct rd *r, uint8_t *b)
{
    if (!r->n)
        return 0;
    *b = *r->p++;
    r->n--;
    return 1;
}

static struct xs_store *s;
static struct xs_conn *conns[4];

static void close_conn(unsigned i)
{
    if (i == 0) {
        xs_conn_free(conns[0]);
        conns[0] = xs_conn_new(s, 0, 1);
    } else {
        /* As dom0 does: the connection goes, the domain stays introduced. */
        xs_conn_free(conns[i]);
        conns[i] = NULL;
        FUZZ_CHECK(xs_domain_introduced(s, i));
    }
}

static void check_tree(void)
{
    static unsigned counts[65536];
    static uint16_t touched[65536];
    unsigned ntouched = 0;
    static char path[XENSTORE_ABS_PATH_MAX + 8];
    struct xs_node *n = s->root;

    /* Depth-first without recursion. */
    while (n) {
        uint32_t cl = 0;

        for (struct xs_node *c = n->first; c; c = c->next) {
            FUZZ_CHECK(c->parent == n);
            FUZZ_CHECK(!c->next || c->next->prev == c);
            cl += (uint32_t)strlen(c->name) + 1;
        }
        FUZZ_CHECK(cl == n->childlen);
        FUZZ_CHECK(n->perms.num >= 1);
        FUZZ_CHECK((n->vlen == 0) == (n->value == NULL));
        FUZZ_CHECK(xs_tree_path(n, path, sizeof(path)) < sizeof(path));
        FUZZ_CHECK(xs_path_valid(path));
        FUZZ_CHECK(xs_tree_lookup(s->root, path) == n);
        if (n->parent) {
            unsigned o = n->perms.p[0].domid;

            if (!counts[o]++)
                touched[ntouched++] = (uint16_t)o;
        }
        if (n->first) {
            n = n->first;
        } else {
            while (n && !n->next)
                n = n->parent;
            if (n)
                n = n->next;
        }
    }
    for (unsigned i = 0; i < s->ndoms; i++)
        FUZZ_CHECK(s->doms[i].nodes == counts[s->doms[i].domid]);
    for (unsigned i = 0; i < ntouched; i++) {
        FUZZ_CHECK(xs_dom_find(s, touched[i]) != NULL);
        counts[touched[i]] = 0;
    }
}

static void drain(unsigned i, size_t budget)
{
    struct xs_conn *c = conns[i];

    while (c && budget && xs_conn_out_pending(c) >= sizeof(struct xsd_sockmsg)) {
        struct xsd_sockmsg h;
        static char payload[XENSTORE_PAYLOAD_MAX];

        FUZZ_CHECK(xs_conn_out_take(c, &h, sizeof(h)) == sizeof(h));
        FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
        FUZZ_CHECK(h.type < XS_TYPE_COUNT);
        FUZZ_CHECK(xs_conn_out_take(c, payload, h.len) == h.len);
        if (h.type == XS_ERROR || h.type == XS_WATCH_EVENT)
            FUZZ_CHECK(h.len && payload[h.len - 1] == 0);
        budget--;
    }
}

static void message(struct rd *r, unsigned i)
{
    static char buf[XENSTORE_PAYLOAD_MAX + 64];
    struct xsd_sockmsg h = { 0 };
    uint8_t t, tx, na, sel, l, b;
    size_t len = 0, before;

    if (!byte(r, &t) || !byte(r, &tx) || !byte(r, &na))
        return;
    h.type = t < 0xf0 ? t % 24u : t;
    h.req_id = (uint32_t)r->n;
    h.tx_id = tx & 0x7f;
    if (tx & 0x80) {
        for (int k = 0; k < 4 && byte(r, &b); k++)
            h.tx_id = (h.tx_id << 8) | b;
    }
    for (unsigned a = 0; a < (na & 3u); a++) {
        if (!byte(r, &sel))
            break;
        if (sel < 0xe0) {
            const char *w = words[sel % (sizeof(words) / sizeof(words[0]))];
            size_t wl = strlen(w) + 1;

            memcpy(buf + len, w, wl);
            len += wl;
        } else {
            if (!byte(r, &l))
                break;
            for (unsigned k = 0; k < l && byte(r, &b); k++)
                buf[len++] = (char)b;
            if (sel & 1)
                buf[len++] = 0;
        }
    }
    if (na & 0x40) {
        /* A long value: up to the wire limit. */
        size_t want = (size_t)(na & 0x3c) * 128;

        if (len + want > XENSTORE_PAYLOAD_MAX)
            want = XENSTORE_PAYLOAD_MAX - len;
        memset(buf + len, 'v', want);
        len += want;
    }
    if (na & 0x80)
        len = XENSTORE_PAYLOAD_MAX + 1;
    h.len = (uint32_t)len;
    before = xs_conn_out_pending(conns[i]);
    if (xs_conn_handle(conns[i], &h, buf) < 0) {
        FUZZ_CHECK(len > XENSTORE_PAYLOAD_MAX || xs_conn_broken(conns[i]));
        close_conn(i);
    } else {
        /* Every request handled gets its reply (or error) queued. */
        FUZZ_CHECK(len <= XENSTORE_PAYLOAD_MAX);
        FUZZ_CHECK(xs_conn_out_pending(conns[i]) >= before + sizeof(h));
    }
    /* A connection a release message closed is gone from our table too. */
    for (unsigned d = 1; d < 4; d++)
        conns[d] = xs_domain_conn(s, d);
}

static void direct(struct rd *r)
{
    uint8_t op, w;
    const char *path;

    if (!byte(r, &op) || !byte(r, &w))
        return;
    path = words[w % (sizeof(words) / sizeof(words[0]))];
    switch (op & 3) {
    case 0: xs_write(s, path, "val", 3); break;
    case 1: xs_rm(s, path); break;
    case 2: xs_mkdir(s, path); break;
    default: xs_set_perms(s, path, op & 4 ? "n1\0r2\0" : "b0\0", op & 4 ? 6 : 3); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct xs_limits tiny = { 12, 48, 3, 2, 600 };
    static struct xs_env env = { .log = logfn };
    struct rd r = { data, size };
    uint8_t mode, op, b;

    if (!byte(&r, &mode))
        return 0;
    s = xs_store_new(&env, mode & 1 ? &tiny : NULL);
    FUZZ_CHECK(s);
    conns[0] = xs_conn_new(s, 0, 1);
    xs_mkdir(s, "/local/domain/1/data");
    xs_set_perms(s, "/local/domain/1/data", "n1\0", 3);
    xs_mkdir(s, "/local/domain/2/data");
    xs_set_perms(s, "/local/domain/2/data", "n2\0r1\0", 6);
    for (unsigned d = 1; d < 4; d++)
        conns[d] = xs_domain_introduce(s, d);
    nth = 0;
    fail_every = mode & 2 ? (mode >> 2) + 2u : 0;
    while (byte(&r, &op)) {
        unsigned kind = op & 7;

        if (kind < 4) {
            if (conns[kind])
                message(&r, kind);
        } else if (kind == 4) {
            if (byte(&r, &b))
                drain(b & 3, (size_t)(op >> 3) + 1);
        } else if (kind == 5) {
            if (byte(&r, &b))
                conns[b % 3 + 1] = xs_domain_introduce(s, b % 3 + 1);
        } else if (kind == 6) {
            if (byte(&r, &b)) {
                xs_domain_release(s, b % 3 + 1);
                conns[b % 3 + 1] = NULL;
            }
        } else {
            direct(&r);
        }
        for (unsigned i = 1; i < 4; i++) {
            if (conns[i])
                FUZZ_CHECK(xs_conn_out_pending(conns[i]) <= s->limits.out_bytes);
        }
        check_tree();
    }
    fail_every = 0;
    for (unsigned i = 0; i < 4; i++)
        drain(i, (size_t)-1);
    xs_store_free(s);
    s = NULL;
    FUZZ_CHECK(live == 0);
    return 0;
}
