/* The node operations with Xen's rules: permission checks that do not leak
 * whether a node exists to a domain that may not see its parent, the
 * inherited permissions of created nodes, the quotas, and the watches (only
 * outside transactions: a transaction's fire at its commit). */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

/* The nearest node at or above path's parent in the view (its
 * permissions), and how many nodes are missing from there down to path. */
static int nearest_ancestor(struct xs_store *s, struct xs_txn *t, const char *path,
                            struct xs_vnode *out, unsigned *missing)
{
    char *p = xs_strndup(path, xs_strlen(path));
    int rc = XEN_ENOENT;

    if (!p)
        return XEN_ENOMEM;
    *missing = 1;
    while (!xs_streq(p, "/")) {
        p[xs_path_parent_len(p)] = 0;
        rc = xs_view_get(s, t, p, out);
        if (rc != XEN_ENOENT)
            break;
        (*missing)++;
    }
    xs_free(p);
    return rc;
}

/* Xen's get_node: the node if who has perm on it; else EACCES, or ENOENT
 * when it is absent and who has perm on its nearest ancestor. */
static int get_node(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *path, unsigned perm, struct xs_vnode *out)
{
    struct xs_vnode anc;
    unsigned missing;
    int rc;

    if (!xs_path_valid(path))
        return XEN_EINVAL;
    rc = xs_view_get(s, t, path, out);
    if (!rc)
        return (xs_perms_for(who, out->perms) & perm) == perm ? 0 : XEN_EACCES;
    if (rc != XEN_ENOENT)
        return rc;
    rc = nearest_ancestor(s, t, path, &anc, &missing);
    if (rc)
        return rc == XEN_ENOENT ? XEN_EIO : rc;
    return (xs_perms_for(who, anc.perms) & perm) ? XEN_ENOENT : XEN_EACCES;
}

int xs_op_read(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
               const char *path, struct xs_vnode *out)
{
    return get_node(s, t, who, path, XS_PERM_READ, out);
}

/* Creates path (and missing nodes above it) within the quotas; vlen is
 * the value it will get (node size check with its future permissions). */
static int create(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                  const char *path, size_t vlen)
{
    struct xs_vnode anc;
    struct xs_perms inherited;
    unsigned missing, created;
    int rc = nearest_ancestor(s, t, path, &anc, &missing);

    if (rc)
        return rc == XEN_ENOENT ? XEN_EIO : rc;
    rc = xs_quota_nodes(s, who, t ? xs_txn_created(t) : 0, missing);
    if (rc)
        return rc;
    if (xs_perms_copy(&inherited, anc.perms))
        return XEN_ENOMEM;
    if (!who->privileged)
        inherited.p[0].domid = (uint16_t)who->domid;
    rc = xs_quota_node_size(s, who, vlen, &inherited);
    xs_perms_free(&inherited);
    if (rc)
        return rc;
    return xs_view_create(s, t, who, path, &created);
}

int xs_op_write(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                const char *path, const void *v, size_t len)
{
    struct xs_vnode n;
    int rc = get_node(s, t, who, path, XS_PERM_WRITE, &n);

    if (rc == XEN_ENOENT)
        rc = create(s, t, who, path, len);
    else if (!rc)
        rc = xs_quota_node_size(s, who, len, n.perms);
    if (!rc)
        rc = xs_view_set_value(s, t, path, v, len);
    if (!rc && !t)
        xs_watch_fire(s, path, 0, NULL);
    return rc;
}

int xs_op_mkdir(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                const char *path)
{
    struct xs_vnode n;
    int rc = get_node(s, t, who, path, XS_PERM_WRITE, &n);

    /* Already there: fine. */
    if (rc != XEN_ENOENT)
        return rc;
    rc = create(s, t, who, path, 0);
    if (!rc && !t)
        xs_watch_fire(s, path, 0, NULL);
    return rc;
}

int xs_op_rm(struct xs_store *s, struct xs_txn *t, const struct xs_who *who, const char *path)
{
    struct xs_vnode n;
    int rc = get_node(s, t, who, path, XS_PERM_WRITE, &n);

    if (rc == XEN_ENOENT) {
        /* Removing what is not there is fine if its parent is. */
        char *pp = xs_strndup(path, xs_path_parent_len(path));

        if (!pp)
            return XEN_ENOMEM;
        rc = xs_view_get(s, t, pp, &n);
        xs_free(pp);
        return rc;
    }
    if (rc)
        return rc;
    if (xs_streq(path, "/"))
        return XEN_EINVAL;
    return xs_view_rm(s, t, path);
}

int xs_op_directory(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *path, char **buf, uint32_t *len, uint64_t *gen)
{
    struct xs_vnode n;
    int rc = get_node(s, t, who, path, XS_PERM_READ, &n);

    *buf = NULL;
    *len = 0;
    if (rc)
        return rc;
    *gen = n.gen;
    return xs_view_children(s, t, path, buf, len);
}

int xs_op_set_perms(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *path, const struct xs_perms *perms)
{
    struct xs_vnode n;
    struct xs_perms old;
    int rc = get_node(s, t, who, path, XS_PERM_WRITE | XS_PERM_OWNER, &n);

    if (rc)
        return rc;
    /* Unprivileged domains may not give their nodes away. */
    if (!who->privileged && perms->p[0].domid != n.perms->p[0].domid)
        return XEN_EPERM;
    rc = xs_quota_node_size(s, who, n.vlen, perms);
    if (rc)
        return rc;
    if (xs_perms_copy(&old, n.perms))
        return XEN_ENOMEM;
    rc = xs_view_set_perms(s, t, path, perms);
    if (!rc && !t)
        xs_watch_fire(s, path, 0, &old);
    xs_perms_free(&old);
    return rc;
}
