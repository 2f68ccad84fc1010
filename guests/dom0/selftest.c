/* selftest=1: the tree dom0 wrote for a domU, read back through the wire
 * protocol as the domU itself and as another domain would read it, so the
 * permissions are checked by the same core that serves the rings: the
 * domain reads its keys and writes only where xl lets it, another domain
 * reads nothing of it. Each result is a test_check. */
#include "dom0.h"
#include "errno.h"

#define OTHER_DOMID 32000u             /* a domain that does not exist: no rights at all */

static char reply[XENSTORE_PAYLOAD_MAX + 1];

/* One request on connection c; the reply's type (watch events skipped) and
 * its payload in reply[] (NUL-terminated), or -1 when nothing came back. */
static int ask(struct xs_conn *c, uint32_t type, const char *a, const char *b, unsigned *out_len)
{
    static char payload[512];
    struct xsd_sockmsg h = { .type = type, .req_id = 0x5e1f, .tx_id = 0, .len = 0 };
    size_t la = g_strlen(a) + 1, lb = b ? g_strlen(b) : 0;

    if (la + lb > sizeof(payload))
        return -1;
    g_memcpy(payload, a, la);
    if (b)
        g_memcpy(payload + la, b, lb);   /* a WRITE's value has no NUL of its own */
    h.len = (uint32_t)(la + lb);
    if (xs_conn_handle(c, &h, payload) != 0)
        return -1;
    for (;;) {
        struct xsd_sockmsg r;
        if (xs_conn_out_take(c, &r, sizeof(r)) != sizeof(r) || r.len > XENSTORE_PAYLOAD_MAX)
            return -1;
        if (xs_conn_out_take(c, reply, r.len) != r.len)
            return -1;
        reply[r.len] = 0;
        *out_len = r.len;
        if (r.type != XS_WATCH_EVENT)
            return r.req_id == h.req_id ? (int)r.type : -1;
    }
}

static int is_error(int type, const char *name)
{
    return type == XS_ERROR && !g_strcmp(reply, name);
}

static int same(const char *want, unsigned want_len, unsigned len)
{
    for (unsigned i = 0; i < want_len; i++)
        if (reply[i] != want[i])
            return 0;
    return len == want_len;
}

void selftest_domain(struct domu *d)
{
    struct xs_conn *self = xs_conn_new(dom0_xs, d->id, 0);
    struct xs_conn *other = xs_conn_new(dom0_xs, OTHER_DOMID, 0);
    char path[80], want[32];
    unsigned len = 0, wl;
    int t;

    if (!test_check(self && other, "selftest d%u: two unprivileged connections", d->id))
        goto out;

    t = ask(self, XS_READ, "name", 0, &len);
    test_check(t == XS_READ && !g_strcmp(reply, d->name), "d%u reads its name (relative path): type %d '%s'",
               d->id, t, t >= 0 ? reply : "");
    t = ask(self, XS_READ, "domid", 0, &len);
    test_check(t == XS_READ && g_opt(reply, "", ~0ul) == d->id, "d%u reads its domid: '%s'", d->id,
               t >= 0 ? reply : "");
    t = ask(self, XS_READ, "store/port", 0, &len);
    test_check(t == XS_READ && g_opt(reply, "", ~0ul) == d->store_remote_port, "d%u reads store/port: '%s' (%u)",
               d->id, t >= 0 ? reply : "", d->store_remote_port);
    t = ask(self, XS_READ, "console/ring-ref", 0, &len);
    test_check(t == XS_READ && g_opt(reply, "", ~0ul) == d->cons_ring_ref,
               "d%u reads console/ring-ref: '%s' (%#x)", d->id, t >= 0 ? reply : "", d->cons_ring_ref);

    toolstack_path(path, sizeof(path), d->id, "");
    wl = (unsigned)snformat(want, sizeof(want), "n0%cr%u", 0, d->id) + 1;
    t = ask(self, XS_GET_PERMS, path, 0, &len);
    test_check(t == XS_GET_PERMS && same(want, wl, len), "%s: perms n0 r%u (dom0 owns, the domain reads)", path,
               d->id);
    wl = (unsigned)snformat(want, sizeof(want), "n%u", d->id) + 1;
    t = ask(self, XS_GET_PERMS, "control/shutdown", 0, &len);
    test_check(t == XS_GET_PERMS && same(want, wl, len), "d%u's control/shutdown: perms n%u (its own)", d->id,
               d->id);
    wl = (unsigned)snformat(want, sizeof(want), "n%u%cr0", d->id, 0) + 1;
    t = ask(self, XS_GET_PERMS, "console", 0, &len);
    test_check(t == XS_GET_PERMS && same(want, wl, len), "d%u's console: perms n%u r0 (front end)", d->id, d->id);

    t = ask(self, XS_WRITE, "name", "evil", &len);
    test_check(is_error(t, "EACCES"), "d%u may not rename itself: type %d '%s'", d->id, t, t >= 0 ? reply : "");
    t = ask(self, XS_WRITE, "memory/target", "1", &len);
    test_check(is_error(t, "EACCES"), "d%u may not write memory/target: '%s'", d->id, t >= 0 ? reply : "");
    t = ask(self, XS_WRITE, "data/selftest", "1", &len);
    test_check(t == XS_WRITE, "d%u writes under data/: type %d '%s'", d->id, t, t >= 0 ? reply : "");
    t = ask(self, XS_RM, "data/selftest", 0, &len);
    test_check(t == XS_RM, "d%u removes it again: type %d", d->id, t);
    t = ask(self, XS_WRITE, "control/feature-poweroff", "1", &len);
    test_check(t == XS_WRITE, "d%u writes control/feature-poweroff: type %d '%s'", d->id, t, t >= 0 ? reply : "");

    t = ask(self, XS_READ, "/local/domain/0/name", 0, &len);
    test_check(is_error(t, "EACCES"), "d%u may not read dom0's /local/domain/0/name: type %d '%s'", d->id, t,
               t >= 0 ? reply : "");

    toolstack_path(path, sizeof(path), d->id, "name");
    t = ask(other, XS_READ, path, 0, &len);
    test_check(is_error(t, "EACCES"), "another domain may not read %s: type %d '%s'", path, t, t >= 0 ? reply : "");
    toolstack_path(path, sizeof(path), d->id, "data/x");
    t = ask(other, XS_WRITE, path, "1", &len);
    test_check(is_error(t, "EACCES"), "another domain may not write %s: '%s'", path, t >= 0 ? reply : "");
out:
    if (self)
        xs_conn_free(self);
    if (other)
        xs_conn_free(other);
}

void selftest_alone(void)
{
    static struct domu fake;
    char path[48], buf[8];
    size_t len = 0;

    g_memset(&fake, 0, sizeof(fake));
    fake.id = OTHER_DOMID - 1;          /* no ring: its tree only, no introduction */
    snformat(fake.name, sizeof(fake.name), "d%u", fake.id);
    fake.vcpus = 1;
    fake.tot_pages = fake.max_pages = 1024;
    fake.store_ring_ref = 0x1234;
    fake.store_remote_port = 1;
    fake.cons_ring_ref = 0x5678;
    fake.cons_remote_port = 2;
    test_check(toolstack_domain_add(&fake) == 0, "the tree of a made-up d%u written", fake.id);
    selftest_domain(&fake);
    toolstack_domain_remove(&fake);
    toolstack_path(path, sizeof(path), fake.id, "");
    test_check(xs_read(dom0_xs, path, buf, sizeof(buf), &len) == XEN_ENOENT, "%s removed again", path);
}
