/* One set of node operations over either the real tree (t NULL) or a
 * transaction's overlay (xs_txn.c), so that xs_ops.c states Xen's rules
 * once. */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

int xs_view_get(struct xs_store *s, struct xs_txn *t, const char *path, struct xs_vnode *out)
{
    struct xs_node *n;

    if (t)
        return xs_txn_get(s, t, path, out);
    n = xs_live_lookup(s, path);
    if (!n)
        return XEN_ENOENT;
    out->value = n->value;
    out->vlen = n->vlen;
    out->perms = &n->perms;
    out->gen = n->gen;
    return 0;
}

int xs_view_children(struct xs_store *s, struct xs_txn *t, const char *path,
                     char **buf, uint32_t *len)
{
    struct xs_node *n;

    if (t)
        return xs_txn_children(s, t, path, buf, len);
    n = xs_live_lookup(s, path);
    if (!n)
        return XEN_ENOENT;
    return xs_tree_children(n, buf, len);
}

int xs_view_create(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                   const char *path, unsigned *created)
{
    struct xs_node *n;

    if (t)
        return xs_txn_create(s, t, who, path, created);
    return xs_live_create(s, who, path, &n, created);
}

int xs_view_set_value(struct xs_store *s, struct xs_txn *t, const char *path,
                      const void *v, size_t len)
{
    struct xs_node *n;

    if (t)
        return xs_txn_set_value(s, t, path, v, len);
    n = xs_live_lookup(s, path);
    return n ? xs_live_set_value(s, n, v, len) : XEN_ENOENT;
}

int xs_view_set_perms(struct xs_store *s, struct xs_txn *t, const char *path,
                      const struct xs_perms *perms)
{
    struct xs_node *n;

    if (t)
        return xs_txn_set_perms(s, t, path, perms);
    n = xs_live_lookup(s, path);
    return n ? xs_live_set_perms(s, n, perms) : XEN_ENOENT;
}

int xs_view_rm(struct xs_store *s, struct xs_txn *t, const char *path)
{
    struct xs_node *n;

    if (t)
        return xs_txn_rm(s, t, path);
    n = xs_live_lookup(s, path);
    if (!n)
        return XEN_ENOENT;
    if (n->parent)
        xs_live_rm(s, n);
    return 0;
}
