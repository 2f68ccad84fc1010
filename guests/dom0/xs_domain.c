/* The domain layer's entry points (introduce, release) and the direct
 * operations that dom0's toolstack and shell use with dom0's rights. */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

static const struct xs_who dom0_who = { .domid = 0, .privileged = 1, .target = -1 };

struct xs_conn *xs_domain_introduce(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_get(s, domid);
    struct xs_conn *c;
    int again;

    if (!d)
        return NULL;
    if (d->introduced && d->conn)
        return d->conn;
    /* Introduced again after dom0 closed its connection: a new connection,
     * no second @introduceDomain. */
    again = d->introduced;
    c = xs_conn_new(s, domid, domid == 0);
    if (!c)
        return NULL;
    c->is_domain = 1;
    d = xs_dom_get(s, domid);
    d->introduced = 1;
    d->conn = c;
    if (!again)
        xs_watch_fire(s, "@introduceDomain", 1, NULL);
    return c;
}

void xs_domain_release(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_find(s, domid);
    struct xs_conn *c;

    if (!d || !d->introduced)
        return;
    c = d->conn;
    d->introduced = 0;
    d->conn = NULL;
    if (c)
        xs_conn_free(c);
    /* A device model's connection loses its target with the target. */
    for (struct xs_conn *o = s->conns; o; o = o->next) {
        if (o->who.target == (int)domid)
            o->who.target = -1;
    }
    xs_dom_count(s, domid, 0);  /* drops the record if it owns nothing */
    xs_watch_fire(s, "@releaseDomain", 1, NULL);
}

struct xs_conn *xs_domain_conn(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_find(s, domid);

    return d && d->introduced ? d->conn : NULL;
}

int xs_domain_introduced(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_find(s, domid);

    return d && d->introduced;
}

int xs_write(struct xs_store *s, const char *path, const void *value, size_t len)
{
    if (!xs_path_valid(path))
        return XEN_EINVAL;
    return xs_op_write(s, NULL, &dom0_who, path, value, len);
}

int xs_mkdir(struct xs_store *s, const char *path)
{
    if (!xs_path_valid(path))
        return XEN_EINVAL;
    return xs_op_mkdir(s, NULL, &dom0_who, path);
}

int xs_rm(struct xs_store *s, const char *path)
{
    if (!xs_path_valid(path))
        return XEN_EINVAL;
    return xs_op_rm(s, NULL, &dom0_who, path);
}

int xs_read(struct xs_store *s, const char *path, void *buf, size_t max, size_t *len)
{
    struct xs_vnode n;
    int rc;

    if (!xs_path_valid(path))
        return XEN_EINVAL;
    rc = xs_op_read(s, NULL, &dom0_who, path, &n);
    if (rc)
        return rc;
    xs_memcpy(buf, n.value, n.vlen < max ? n.vlen : max);
    *len = n.vlen;
    return 0;
}

int xs_set_perms_as(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *payload, size_t len);

int xs_set_perms(struct xs_store *s, const char *path, const char *perms, size_t len)
{
    size_t pl = xs_strlen(path) + 1;
    char *payload;
    int rc;

    if (path[0] != '@' && !xs_path_valid(path))
        return XEN_EINVAL;
    payload = xs_malloc(pl + len);
    if (!payload)
        return XEN_ENOMEM;
    xs_memcpy(payload, path, pl);
    xs_memcpy(payload + pl, perms, len);
    rc = xs_set_perms_as(s, NULL, &dom0_who, payload, pl + len);
    xs_free(payload);
    return rc;
}

int xs_directory(struct xs_store *s, const char *path, char *buf, size_t max, size_t *len)
{
    char *names;
    uint32_t l;
    uint64_t gen;
    int rc;

    if (!xs_path_valid(path))
        return XEN_EINVAL;
    rc = xs_op_directory(s, NULL, &dom0_who, path, &names, &l, &gen);
    if (rc)
        return rc;
    xs_memcpy(buf, names, l < max ? l : max);
    *len = l;
    xs_free(names);
    return 0;
}

void xs_store_stats(struct xs_store *s, struct xs_store_stats *st)
{
    *st = (struct xs_store_stats){ 0 };
    for (unsigned i = 0; i < s->ndoms; i++) {
        st->nodes += s->doms[i].nodes;
        st->domains += !!s->doms[i].introduced;
    }
    st->nodes++;                 /* the root, owned by nobody's quota */
    for (struct xs_conn *c = s->conns; c; c = c->next) {
        st->conns++;
        st->watches += c->nwatches;
        st->transactions += c->ntxns;
        st->out_bytes += c->out_bytes;
    }
    st->generation = s->gen;
}
