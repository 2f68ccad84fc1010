/* xs_conn_handle: every message type a guest may send, with xenstored's
 * order of checks (unknown type ENOSYS, privileged-only types EACCES, an
 * unknown transaction ENOENT) and its replies: the request's req_id and
 * tx_id echoed, "OK" for acknowledgements, Xen's error names. A payload
 * over XENSTORE_PAYLOAD_MAX closes the connection. */
#include "xs_store.h"
#include "xs_proto.h"
#include "xs_str.h"
#include "errno.h"

struct req {
    struct xs_conn *c;
    const struct xsd_sockmsg *hdr;
    const char *p;
    size_t len;
    struct xs_txn *t;
};

static void reply(struct req *r, const void *data, size_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX) {
        const char *e = xs_error_name(XEN_E2BIG);

        xs_conn_queue(r->c, XS_ERROR, r->hdr->req_id, r->hdr->tx_id, e, xs_strlen(e) + 1);
        return;
    }
    xs_conn_queue(r->c, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, data, len);
}

static int ack(struct req *r)
{
    reply(r, "OK", 3);
    return 0;
}

/* The single path argument, canonical, or NULL with *rc set. */
static char *path_arg(struct req *r, int *rc)
{
    const char *a = xs_onearg(r->p, r->len);
    char *path;

    *rc = XEN_EINVAL;
    if (!a)
        return NULL;
    path = xs_path_canon(r->c->who.domid, a);
    if (!path)
        *rc = XEN_ENOMEM;
    return path;
}

static int do_read(struct req *r)
{
    struct xs_vnode n;
    int rc;
    char *path = path_arg(r, &rc);

    if (!path)
        return rc;
    rc = xs_op_read(r->c->store, r->t, &r->c->who, path, &n);
    xs_free(path);
    if (!rc)
        reply(r, n.value, n.vlen);
    return rc;
}

static int do_directory(struct req *r)
{
    char *buf;
    uint32_t len;
    uint64_t gen;
    int rc;
    char *path = path_arg(r, &rc);

    if (!path)
        return rc;
    rc = xs_op_directory(r->c->store, r->t, &r->c->who, path, &buf, &len, &gen);
    xs_free(path);
    if (!rc)
        reply(r, buf, len);
    xs_free(buf);
    return rc;
}

/* Xen 4.17's paging of long directories: the node's generation, then
 * whole children names from a byte offset into the list; the last part
 * ends with an empty string. */
static int do_directory_part(struct req *r)
{
    char gen[24], *path, *buf, *data;
    uint32_t len, off, part = 0;
    uint64_t g;
    size_t genlen, maxlen;
    int rc;

    if (xs_count_strings(r->p, r->len) != 2)
        return XEN_EINVAL;
    path = xs_path_canon(r->c->who.domid, r->p);
    if (!path)
        return XEN_ENOMEM;
    rc = xs_op_directory(r->c->store, r->t, &r->c->who, path, &buf, &len, &g);
    xs_free(path);
    if (rc)
        return rc;
    off = xs_atou(r->p + xs_strlen(r->p) + 1);
    genlen = xs_utoa(g, gen) + 1;
    if (off >= len) {
        gen[genlen] = 0;
        reply(r, gen, genlen + 1);
        xs_free(buf);
        return 0;
    }
    maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
    while (part + xs_strlen(buf + off + part) < maxlen) {
        part += (uint32_t)xs_strlen(buf + off + part) + 1;
        if (off + part == len)
            break;
    }
    data = xs_malloc(genlen + part + 1);
    if (!data) {
        xs_free(buf);
        return XEN_ENOMEM;
    }
    xs_memcpy(data, gen, genlen);
    xs_memcpy(data + genlen, buf + off, part);
    if (off + part == len)
        data[genlen + part++] = 0;
    reply(r, data, genlen + part);
    xs_free(data);
    xs_free(buf);
    return 0;
}

static int do_write(struct req *r)
{
    const char *vec[1];
    size_t off;
    char *path;
    int rc;

    if (xs_get_strings(r->p, r->len, vec, 1) < 1)
        return XEN_EINVAL;
    off = xs_strlen(vec[0]) + 1;
    path = xs_path_canon(r->c->who.domid, vec[0]);
    if (!path)
        return XEN_ENOMEM;
    rc = xs_op_write(r->c->store, r->t, &r->c->who, path, r->p + off, r->len - off);
    xs_free(path);
    return rc ? rc : ack(r);
}

static int do_mkdir(struct req *r)
{
    int rc;
    char *path = path_arg(r, &rc);

    if (!path)
        return rc;
    rc = xs_op_mkdir(r->c->store, r->t, &r->c->who, path);
    xs_free(path);
    return rc ? rc : ack(r);
}

static int do_rm(struct req *r)
{
    int rc;
    char *path = path_arg(r, &rc);

    if (!path)
        return rc;
    rc = xs_op_rm(r->c->store, r->t, &r->c->who, path);
    xs_free(path);
    return rc ? rc : ack(r);
}

static int do_get_perms(struct req *r)
{
    struct xs_vnode n;
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t len;
    int rc;
    char *path = path_arg(r, &rc);

    if (!path)
        return rc;
    rc = xs_op_read(r->c->store, r->t, &r->c->who, path, &n);
    xs_free(path);
    if (rc)
        return rc;
    len = xs_perms_format(n.perms, buf, sizeof(buf));
    if (len > sizeof(buf))
        return XEN_E2BIG;
    reply(r, buf, len);
    return 0;
}

/* Sets the permissions of a special name ("@introduceDomain", ...): who
 * must be allowed to write and own them, as in cxenstored. */
static int set_special(struct xs_store *s, const struct xs_who *who, const char *name,
                       struct xs_perms *perms)
{
    struct xs_perms *sp = xs_special_perms(s, name);

    if (!sp)
        return XEN_EINVAL;
    if ((xs_perms_for(who, sp) & (XS_PERM_WRITE | XS_PERM_OWNER)) !=
        (XS_PERM_WRITE | XS_PERM_OWNER))
        return XEN_EACCES;
    xs_perms_free(sp);
    *sp = *perms;
    perms->p = NULL;
    perms->num = 0;
    return 0;
}

int xs_set_perms_as(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *payload, size_t len);
int xs_set_perms_as(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *payload, size_t len)
{
    unsigned num = xs_count_strings(payload, len);
    size_t off;
    struct xs_perms perms;
    char *path;
    int rc;

    if (num < 2)
        return XEN_EINVAL;
    num--;
    if (!who->privileged && num > XS_PERMS_MAX_UNPRIV)
        return XEN_ENOSPC;
    off = xs_strlen(payload) + 1;
    rc = xs_perms_parse(&perms, payload + off, len - off, num);
    if (rc)
        return rc;
    if (payload[0] == '@') {
        rc = set_special(s, who, payload, &perms);
    } else {
        path = xs_path_canon(who->domid, payload);
        rc = path ? xs_op_set_perms(s, t, who, path, &perms) : XEN_ENOMEM;
        xs_free(path);
    }
    xs_perms_free(&perms);
    return rc;
}

static int do_set_perms(struct req *r)
{
    int rc = xs_set_perms_as(r->c->store, r->t, &r->c->who, r->p, r->len);

    return rc ? rc : ack(r);
}

static int do_watch(struct req *r)
{
    const char *vec[2];
    int rc;

    if (xs_get_strings(r->p, r->len, vec, 2) != 2)
        return XEN_EINVAL;
    rc = xs_watch_add(r->c, vec[0], vec[1]);
    if (rc)
        return rc;
    ack(r);
    /* The first event comes at once, with the path as registered. */
    xs_conn_queue_event(r->c, vec[0], vec[1]);
    return 0;
}

static int do_unwatch(struct req *r)
{
    const char *vec[2];
    int rc;

    if (xs_get_strings(r->p, r->len, vec, 2) != 2)
        return XEN_EINVAL;
    rc = xs_watch_del(r->c, vec[0], vec[1]);
    return rc ? rc : ack(r);
}

static int do_transaction_start(struct req *r)
{
    char id[24];
    uint32_t tid;
    int rc;

    if (r->t)
        return XEN_EBUSY;       /* no nested transactions */
    rc = xs_txn_start(r->c, &tid);
    if (rc)
        return rc;
    reply(r, id, xs_utoa(tid, id) + 1);
    return 0;
}

static int do_transaction_end(struct req *r)
{
    const char *a = xs_onearg(r->p, r->len);
    int rc;

    if (!a || (!xs_streq(a, "T") && !xs_streq(a, "F")))
        return XEN_EINVAL;
    if (!r->t)
        return XEN_ENOENT;
    rc = xs_txn_end(r->c, r->t, a[0] == 'T');
    r->t = NULL;
    return rc ? rc : ack(r);
}

static int domid_arg(struct req *r, unsigned *domid)
{
    const char *a = xs_onearg(r->p, r->len);

    if (!a)
        return XEN_EINVAL;
    *domid = xs_atou(a);
    return 0;
}

/* An introduced domain other than dom0 named by the single argument. */
static int connected_domain(struct req *r, unsigned *domid)
{
    int rc = domid_arg(r, domid);

    if (rc)
        return rc;
    if (!*domid)
        return XEN_EINVAL;
    return xs_domain_introduced(r->c->store, *domid) ? 0 : XEN_ENOENT;
}

static int do_introduce(struct req *r)
{
    struct xs_store *s = r->c->store;
    const char *vec[3];
    unsigned domid, port;
    uint64_t mfn = 0;
    int rc = 0;

    if (xs_get_strings(r->p, r->len, vec, 3) < 3)
        return XEN_EINVAL;
    domid = xs_atou(vec[0]);
    port = xs_atou(vec[2]);
    for (const char *d = vec[1]; *d >= '0' && *d <= '9'; d++)
        mfn = mfn * 10 + (uint64_t)(*d - '0');
    if (!port || domid >= XS_DOMID_SELF)
        return XEN_EINVAL;
    if (s->env.introduce)
        rc = s->env.introduce(s->env.ctx, domid, mfn, port);
    else if (!xs_domain_introduce(s, domid))
        rc = XEN_ENOMEM;
    return rc ? rc : ack(r);
}

static int do_release(struct req *r)
{
    struct xs_store *s = r->c->store;
    unsigned domid;
    int rc = connected_domain(r, &domid);

    if (rc)
        return rc;
    /* The connection asking cannot be freed under its own request. */
    if (xs_domain_conn(s, domid) == r->c)
        return XEN_EINVAL;
    if (s->env.release)
        rc = s->env.release(s->env.ctx, domid);
    else
        xs_domain_release(s, domid);
    return rc ? rc : ack(r);
}

static int do_resume(struct req *r)
{
    unsigned domid;
    int rc = connected_domain(r, &domid);

    return rc ? rc : ack(r);
}

static int do_set_target(struct req *r)
{
    const char *vec[2];
    struct xs_conn *dc;
    unsigned domid, tdomid;

    if (xs_get_strings(r->p, r->len, vec, 2) < 2)
        return XEN_EINVAL;
    domid = xs_atou(vec[0]);
    tdomid = xs_atou(vec[1]);
    dc = xs_domain_conn(r->c->store, domid);
    if (!dc || !xs_domain_conn(r->c->store, tdomid))
        return XEN_ENOENT;
    dc->who.target = (int)tdomid;
    return ack(r);
}

static int do_get_domain_path(struct req *r)
{
    char path[40];
    unsigned domid;
    int rc = domid_arg(r, &domid);

    if (rc)
        return rc;
    reply(r, path, xs_domain_path(domid, path) + 1);
    return 0;
}

static int do_is_domain_introduced(struct req *r)
{
    unsigned domid;
    int rc = domid_arg(r, &domid);
    int yes;

    if (rc)
        return rc;
    yes = domid == XS_DOMID_SELF || domid == 0 || xs_domain_introduced(r->c->store, domid);
    reply(r, yes ? "T" : "F", 2);
    return 0;
}

static int do_reset_watches(struct req *r)
{
    xs_watch_del_all(r->c);
    xs_txn_del_all(r->c);
    r->t = NULL;
    return ack(r);
}

/* XS_CONTROL (formerly XS_DEBUG): only "print", which logs its text. */
static int do_control(struct req *r)
{
    const char *vec[2];
    unsigned n = xs_get_strings(r->p, r->len, vec, 2);

    if (n < 1)
        return XEN_EINVAL;
    if (xs_streq(vec[0], "print")) {
        if (n < 2)
            return XEN_EINVAL;
        xs_log_conn(r->c, "print: ", vec[1]);
        return ack(r);
    }
    return XEN_EINVAL;
}

#define F_PRIV  1u   /* privileged connections only */
#define F_NOTID 2u   /* the transaction id is ignored */

static const struct {
    int (*fn)(struct req *r);
    unsigned flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { do_control, F_PRIV },
    [XS_DIRECTORY] = { do_directory, 0 },
    [XS_READ] = { do_read, 0 },
    [XS_GET_PERMS] = { do_get_perms, 0 },
    [XS_WATCH] = { do_watch, F_NOTID },
    [XS_UNWATCH] = { do_unwatch, F_NOTID },
    [XS_TRANSACTION_START] = { do_transaction_start, 0 },
    [XS_TRANSACTION_END] = { do_transaction_end, 0 },
    [XS_INTRODUCE] = { do_introduce, F_PRIV },
    [XS_RELEASE] = { do_release, F_PRIV },
    [XS_GET_DOMAIN_PATH] = { do_get_domain_path, 0 },
    [XS_WRITE] = { do_write, 0 },
    [XS_MKDIR] = { do_mkdir, 0 },
    [XS_RM] = { do_rm, 0 },
    [XS_SET_PERMS] = { do_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, F_PRIV },
    [XS_RESUME] = { do_resume, F_PRIV },
    [XS_SET_TARGET] = { do_set_target, F_PRIV },
    [XS_RESET_WATCHES] = { do_reset_watches, 0 },
    [XS_DIRECTORY_PART] = { do_directory_part, 0 },
};

int xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    struct req r = { .c = c, .hdr = hdr, .p = payload };
    char num[24];
    int rc;

    if (!c || c->broken)
        return -1;
    if (!hdr || hdr->len > XENSTORE_PAYLOAD_MAX || (hdr->len && !payload)) {
        if (hdr)
            xs_utoa(hdr->len, num);
        xs_log_conn(c, "closing: request payload over 4096 bytes: ", hdr ? num : "?");
        return -1;
    }
    r.len = hdr->len;
    if (!r.p)
        r.p = "";
    if (hdr->type >= XS_TYPE_COUNT || !handlers[hdr->type].fn) {
        rc = XEN_ENOSYS;
    } else if ((handlers[hdr->type].flags & F_PRIV) && !c->who.privileged) {
        rc = XEN_EACCES;
    } else if (!(handlers[hdr->type].flags & F_NOTID) && hdr->tx_id &&
               !(r.t = xs_txn_find(c, hdr->tx_id))) {
        rc = XEN_ENOENT;
    } else {
        c->busy = 1;
        rc = handlers[hdr->type].fn(&r);
        c->busy = 0;
    }
    if (rc) {
        const char *e = xs_error_name(rc);

        xs_conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, e, xs_strlen(e) + 1);
    }
    return c->broken ? -1 : 0;
}
