/* Transactions: a per-transaction overlay plus generation checks (design in
 * xs_txn.h). */
#include "xs_store.h"
#include "xs_txn.h"
#include "xs_str.h"
#include "errno.h"

enum { ENT_COPY, ENT_FRESH, ENT_TOMB };

struct ent {
    struct ent *next;
    char *path;
    int state;
    int dirty;                 /* COPY whose value or permissions changed */
    char *value;
    uint32_t vlen;
    struct xs_perms perms;
    char *children;
    uint32_t childlen;
    uint64_t gen;
};

struct seen {
    struct seen *next;
    char *path;
    uint64_t gen;              /* 0: was absent */
};

struct xs_txn {
    struct xs_txn *next;
    uint32_t id;
    int privileged;
    struct ent *ents;
    struct seen *seen;
    unsigned created;
    size_t bytes;
};

unsigned xs_txn_created(const struct xs_txn *t)
{
    return t->created;
}

static void ent_clear(struct ent *e)
{
    xs_free(e->value);
    xs_free(e->children);
    xs_perms_free(&e->perms);
    e->value = e->children = NULL;
    e->vlen = e->childlen = 0;
}

static void ent_free(struct ent *e)
{
    ent_clear(e);
    xs_free(e->path);
    xs_free(e);
}

static int charge(struct xs_txn *t, size_t n)
{
    if (!t->privileged && t->bytes + n > XS_TXN_BYTES_MAX)
        return XEN_ENOSPC;
    t->bytes += n;
    return 0;
}

static struct ent *find_ent(struct xs_txn *t, const char *path)
{
    for (struct ent *e = t->ents; e; e = e->next) {
        if (xs_streq(e->path, path))
            return e;
    }
    return NULL;
}

/* Is path below a node removed or created in the transaction (so that the
 * real tree no longer shows through)? */
static int hidden(struct xs_txn *t, const char *path)
{
    struct ent *best = NULL;
    size_t bestlen = 0;

    for (struct ent *e = t->ents; e; e = e->next) {
        size_t l = xs_strlen(e->path);

        if (xs_path_is_child(path, e->path) && !xs_streq(path, e->path) &&
            (!best || l > bestlen)) {
            best = e;
            bestlen = l;
        }
    }
    return best && best->state != ENT_COPY;
}

static int record_seen(struct xs_txn *t, const char *path, uint64_t gen)
{
    struct seen *r;
    size_t l = xs_strlen(path);

    for (r = t->seen; r; r = r->next) {
        if (xs_streq(r->path, path))
            return 0;
    }
    if (charge(t, sizeof(*r) + l + 1))
        return XEN_ENOSPC;
    r = xs_malloc(sizeof(*r));
    if (!r)
        return XEN_ENOMEM;
    r->path = xs_strndup(path, l);
    if (!r->path) {
        xs_free(r);
        return XEN_ENOMEM;
    }
    r->gen = gen;
    r->next = t->seen;
    t->seen = r;
    return 0;
}

static struct ent *new_ent(struct xs_txn *t, const char *path, int state)
{
    struct ent *e = xs_malloc(sizeof(*e));

    if (!e)
        return NULL;
    *e = (struct ent){ 0 };
    e->path = xs_strndup(path, xs_strlen(path));
    if (!e->path) {
        xs_free(e);
        return NULL;
    }
    e->state = state;
    e->next = t->ents;
    t->ents = e;
    return e;
}

static void unlink_ent(struct xs_txn *t, struct ent *e)
{
    for (struct ent **pp = &t->ents; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            return;
        }
    }
}

/* The transaction's view of path: its entry, or NULL when absent. */
static int lookup(struct xs_store *s, struct xs_txn *t, const char *path, struct ent **out)
{
    struct ent *e = find_ent(t, path);
    struct xs_node *n;
    int rc;

    *out = NULL;
    if (e) {
        if (e->state != ENT_TOMB)
            *out = e;
        return 0;
    }
    if (hidden(t, path))
        return 0;
    n = xs_live_lookup(s, path);
    rc = record_seen(t, path, n ? n->gen : 0);
    if (rc || !n)
        return rc;
    if (charge(t, sizeof(*e) + xs_strlen(path) + n->vlen + n->childlen +
                  n->perms.num * sizeof(struct xs_perm)))
        return XEN_ENOSPC;
    e = new_ent(t, path, ENT_COPY);
    if (!e)
        return XEN_ENOMEM;
    e->gen = n->gen;
    if ((n->vlen && !(e->value = xs_strndup(n->value, n->vlen))) ||
        xs_perms_copy(&e->perms, &n->perms) ||
        xs_tree_children(n, &e->children, &e->childlen)) {
        unlink_ent(t, e);
        ent_free(e);
        return XEN_ENOMEM;
    }
    e->vlen = n->vlen;
    *out = e;
    return 0;
}

static int lookup_parent(struct xs_store *s, struct xs_txn *t, const char *path,
                         struct ent **out)
{
    char *pp = xs_strndup(path, xs_path_parent_len(path));
    int rc;

    if (!pp)
        return XEN_ENOMEM;
    rc = lookup(s, t, pp, out);
    xs_free(pp);
    return rc;
}

int xs_txn_get(struct xs_store *s, struct xs_txn *t, const char *path, struct xs_vnode *out)
{
    struct ent *e;
    int rc = lookup(s, t, path, &e);

    if (rc)
        return rc;
    if (!e)
        return XEN_ENOENT;
    out->value = e->value;
    out->vlen = e->vlen;
    out->perms = &e->perms;
    out->gen = e->gen;
    return 0;
}

int xs_txn_children(struct xs_store *s, struct xs_txn *t, const char *path,
                    char **buf, uint32_t *len)
{
    struct ent *e;
    int rc = lookup(s, t, path, &e);

    *buf = NULL;
    *len = 0;
    if (rc)
        return rc;
    if (!e)
        return XEN_ENOENT;
    if (!e->childlen)
        return 0;
    *buf = xs_strndup(e->children, e->childlen);
    if (!*buf)
        return XEN_ENOMEM;
    *len = e->childlen;
    return 0;
}

static int add_child_name(struct xs_txn *t, struct ent *parent, const char *name, size_t l)
{
    char *nc;

    if (charge(t, l + 1))
        return XEN_ENOSPC;
    nc = xs_malloc(parent->childlen + l + 1);
    if (!nc)
        return XEN_ENOMEM;
    if (parent->childlen)
        xs_memcpy(nc, parent->children, parent->childlen);
    xs_memcpy(nc + parent->childlen, name, l);
    nc[parent->childlen + l] = 0;
    xs_free(parent->children);
    parent->children = nc;
    parent->childlen += (uint32_t)l + 1;
    return 0;
}

static void del_child_name(struct ent *parent, const char *name)
{
    uint32_t off = 0;

    while (off < parent->childlen) {
        size_t l = xs_strlen(parent->children + off) + 1;

        if (xs_streq(parent->children + off, name)) {
            xs_memmove(parent->children + off, parent->children + off + l,
                       parent->childlen - off - l);
            parent->childlen -= (uint32_t)l;
            return;
        }
        off += (uint32_t)l;
    }
}

/* Creates path and the missing nodes above it. Only the nearest existing
 * ancestor and the missing nodes are looked at (and so recorded): a change
 * higher up is no conflict, as in xenstored. */
int xs_txn_create(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                  const char *path, unsigned *created)
{
    size_t full = xs_strlen(path), cut = full, up;
    char *p = xs_strndup(path, full);
    struct ent *parent = NULL, *e;
    int rc = 0;

    *created = 0;
    if (!p)
        return XEN_ENOMEM;
    /* Up to the nearest node the transaction sees. */
    for (;;) {
        p[cut] = 0;
        rc = lookup(s, t, p, &parent);
        if (rc || parent)
            break;
        if (cut == 1) {
            rc = XEN_EIO;           /* the root always exists */
            break;
        }
        up = xs_path_parent_len(p);
        p[cut] = path[cut];
        cut = up;
    }
    /* Then down, creating each missing node. */
    while (!rc && cut < full) {
        size_t start = cut + (cut > 1 ? 1 : 0), end = start;
        struct ent *old;

        p[cut] = path[cut];
        while (end < full && path[end] != '/')
            end++;
        p[end] = 0;
        old = find_ent(t, p);
        if (old) {                  /* a tombstone: created anew */
            unlink_ent(t, old);
            ent_free(old);
        }
        rc = charge(t, sizeof(*e) + end + parent->perms.num * sizeof(struct xs_perm));
        if (!rc)
            rc = add_child_name(t, parent, p + start, end - start);
        if (rc)
            break;
        e = new_ent(t, p, ENT_FRESH);
        if (!e) {
            rc = XEN_ENOMEM;
        } else if (xs_perms_copy(&e->perms, &parent->perms)) {
            unlink_ent(t, e);
            ent_free(e);
            rc = XEN_ENOMEM;
        }
        if (rc)
            break;
        if (!who->privileged)
            e->perms.p[0].domid = (uint16_t)who->domid;
        e->gen = ++s->gen;
        parent->gen = e->gen;
        (*created)++;
        t->created++;
        parent = e;
        cut = end;
    }
    xs_free(p);
    return rc;
}

int xs_txn_set_value(struct xs_store *s, struct xs_txn *t, const char *path,
                     const void *v, size_t len)
{
    struct ent *e;
    char *nv = NULL;
    int rc = lookup(s, t, path, &e);

    if (rc)
        return rc;
    if (!e)
        return XEN_ENOENT;
    if (charge(t, len))
        return XEN_ENOSPC;
    if (len && !(nv = xs_strndup(v, len)))
        return XEN_ENOMEM;
    xs_free(e->value);
    e->value = nv;
    e->vlen = (uint32_t)len;
    e->dirty = 1;
    e->gen = ++s->gen;
    return 0;
}

int xs_txn_set_perms(struct xs_store *s, struct xs_txn *t, const char *path,
                     const struct xs_perms *perms)
{
    struct ent *e;
    struct xs_perms copy;
    int rc = lookup(s, t, path, &e);

    if (rc)
        return rc;
    if (!e)
        return XEN_ENOENT;
    if (charge(t, perms->num * sizeof(struct xs_perm)))
        return XEN_ENOSPC;
    if (xs_perms_copy(&copy, perms))
        return XEN_ENOMEM;
    xs_perms_free(&e->perms);
    e->perms = copy;
    e->dirty = 1;
    e->gen = ++s->gen;
    return 0;
}

int xs_txn_rm(struct xs_store *s, struct xs_txn *t, const char *path)
{
    struct ent *e, *parent;
    size_t pl;
    int rc = lookup(s, t, path, &e);

    if (!rc && !e)
        rc = XEN_ENOENT;
    if (!rc)
        rc = lookup_parent(s, t, path, &parent);
    if (!rc && !parent)
        rc = XEN_EIO;
    if (rc)
        return rc;
    pl = xs_path_parent_len(path);
    del_child_name(parent, path + pl + (pl > 1));
    parent->gen = ++s->gen;
    /* Whatever the transaction held below is gone with the node. */
    for (struct ent **pp = &t->ents; *pp;) {
        struct ent *x = *pp;

        if (x != e && xs_path_is_child(x->path, path)) {
            *pp = x->next;
            ent_free(x);
        } else {
            pp = &x->next;
        }
    }
    ent_clear(e);
    e->state = ENT_TOMB;
    e->dirty = 0;
    return 0;
}

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
    for (struct xs_txn *t = c->txns; t; t = t->next) {
        if (t->id == id)
            return t;
    }
    return NULL;
}

int xs_txn_start(struct xs_conn *c, uint32_t *id)
{
    struct xs_txn *t;

    if (!c->who.privileged && c->ntxns >= c->store->limits.transactions)
        return XEN_ENOSPC;
    t = xs_malloc(sizeof(*t));
    if (!t)
        return XEN_ENOMEM;
    *t = (struct xs_txn){ 0 };
    t->privileged = c->who.privileged;
    do {
        t->id = c->next_txid++;
    } while (!t->id || xs_txn_find(c, t->id));
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    *id = t->id;
    return 0;
}

static void txn_free(struct xs_txn *t)
{
    while (t->ents) {
        struct ent *e = t->ents;

        t->ents = e->next;
        ent_free(e);
    }
    while (t->seen) {
        struct seen *r = t->seen;

        t->seen = r->next;
        xs_free(r->path);
        xs_free(r);
    }
    xs_free(t);
}

static int conflict(struct xs_store *s, struct xs_txn *t)
{
    for (struct seen *r = t->seen; r; r = r->next) {
        struct xs_node *n = xs_live_lookup(s, r->path);

        if ((n ? n->gen : 0) != r->gen)
            return 1;
    }
    return 0;
}

static int apply_ent(struct xs_store *s, struct ent *e)
{
    struct xs_node *n = xs_live_lookup(s, e->path);
    struct xs_perms old;
    int rc;

    switch (e->state) {
    case ENT_TOMB:
        if (n && n->parent)
            xs_live_rm(s, n);
        return 0;
    case ENT_FRESH:
        if (n && n->parent)
            xs_live_rm(s, n);
        rc = xs_live_create_exact(s, e->path, &e->perms, &n);
        if (!rc && e->vlen)
            rc = xs_live_set_value(s, n, e->value, e->vlen);
        if (!rc)
            xs_watch_fire(s, e->path, 0, NULL);
        return rc;
    default:
        if (!e->dirty)
            return 0;
        if (!n)
            return XEN_EIO;
        if (xs_perms_copy(&old, &n->perms))
            return XEN_ENOMEM;
        rc = xs_live_set_value(s, n, e->value, e->vlen);
        if (!rc && !xs_perms_equal(&old, &e->perms))
            rc = xs_live_set_perms(s, n, &e->perms);
        if (!rc)
            xs_watch_fire(s, e->path, 0, &old);
        xs_perms_free(&old);
        return rc;
    }
}

int xs_txn_end(struct xs_conn *c, struct xs_txn *t, int commit)
{
    struct xs_store *s = c->store;
    int rc = 0;

    for (struct xs_txn **pp = &c->txns; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            c->ntxns--;
            break;
        }
    }
    if (commit) {
        if (conflict(s, t))
            rc = XEN_EAGAIN;
        else
            rc = xs_quota_nodes(s, &c->who, 0, t->created);
        if (!rc) {
            unsigned maxd = 0;

            for (struct ent *e = t->ents; e; e = e->next) {
                unsigned d = xs_path_depth(e->path);

                maxd = d > maxd ? d : maxd;
            }
            /* From the root down: parents exist before their children. */
            for (unsigned d = 0; d <= maxd; d++) {
                for (struct ent *e = t->ents; e; e = e->next) {
                    if (xs_path_depth(e->path) == d && apply_ent(s, e)) {
                        xs_log_conn(c, "transaction commit failed part way at ", e->path);
                        rc = XEN_ENOMEM;
                    }
                }
            }
        }
    }
    txn_free(t);
    return rc;
}

void xs_txn_del_all(struct xs_conn *c)
{
    while (c->txns) {
        struct xs_txn *t = c->txns;

        c->txns = t->next;
        txn_free(t);
    }
    c->ntxns = 0;
}
