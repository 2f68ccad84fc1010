/* The XenStore tree and Xen's path rules (see xs_tree.h). */
#include "xs_tree.h"
#include "xs.h"
#include "xs_str.h"
#include "errno.h"

static int valid_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '/' || c == '_' || c == '@';
}

/* Length of a leading "/local/domain/<1..5 digits>/", else 0: paths under a
 * domain's home get the relative limit on top of that prefix (as Xen). */
static size_t local_prefix_len(const char *path)
{
    static const char pre[] = "/local/domain/";
    size_t n = sizeof(pre) - 1, d = 0;

    for (size_t i = 0; i < n; i++) {
        if (path[i] != pre[i])
            return 0;
    }
    while (d < 5 && path[n + d] >= '0' && path[n + d] <= '9')
        d++;
    if (!d || path[n + d] != '/')
        return 0;
    return n + d + 1;
}

int xs_path_valid(const char *path)
{
    size_t len = 0;

    if (path[0] != '/')
        return 0;
    for (; path[len]; len++) {
        if (!valid_char(path[len]))
            return 0;
        if (path[len] == '/' && path[len + 1] == '/')
            return 0;
        if (len > XENSTORE_ABS_PATH_MAX)
            return 0;
    }
    if (len > 1 && path[len - 1] == '/')
        return 0;
    if (len > XENSTORE_ABS_PATH_MAX)
        return 0;
    return len <= local_prefix_len(path) + XENSTORE_REL_PATH_MAX;
}

size_t xs_domain_path(unsigned domid, char *buf)
{
    static const char pre[] = "/local/domain/";
    size_t n = sizeof(pre) - 1;

    xs_memcpy(buf, pre, n);
    return n + xs_utoa(domid, buf + n);
}

char *xs_path_canon(unsigned domid, const char *path)
{
    char pre[40];
    size_t pl, l;
    char *out;

    if (path[0] == '/' || path[0] == '@')
        return xs_strndup(path, xs_strlen(path));
    pl = xs_domain_path(domid, pre);
    l = xs_strlen(path);
    out = xs_malloc(pl + 1 + l + 1);
    if (!out)
        return NULL;
    xs_memcpy(out, pre, pl);
    out[pl] = '/';
    xs_memcpy(out + pl + 1, path, l + 1);
    return out;
}

int xs_path_is_child(const char *child, const char *parent)
{
    size_t l;

    if (child[0] != '/')
        return xs_streq(child, parent);
    if (xs_streq(parent, "/"))
        return 1;
    l = xs_strlen(parent);
    for (size_t i = 0; i < l; i++) {
        if (child[i] != parent[i])
            return 0;
    }
    return child[l] == '/' || child[l] == 0;
}

size_t xs_path_parent_len(const char *path)
{
    size_t l = xs_strlen(path);

    while (l > 0 && path[l - 1] != '/')
        l--;
    /* l is now just after the last "/"; the parent ends before it, except
     * for the root's children. */
    return l > 1 ? l - 1 : 1;
}

unsigned xs_path_depth(const char *path)
{
    unsigned d = 0;

    if (xs_streq(path, "/"))
        return 0;
    for (; *path; path++)
        d += *path == '/';
    return d;
}

struct xs_node *xs_tree_new_root(void)
{
    struct xs_node *n = xs_malloc(sizeof(*n));

    if (!n)
        return NULL;
    *n = (struct xs_node){ 0 };
    n->name = xs_strndup("", 0);
    if (!n->name || xs_perms_single(&n->perms, 0, XS_PERM_NONE)) {
        xs_free(n->name);
        xs_free(n);
        return NULL;
    }
    return n;
}

struct xs_node *xs_tree_child(struct xs_node *parent, const char *name, size_t len)
{
    for (struct xs_node *c = parent->first; c; c = c->next) {
        if (xs_memeq(c->name, name, len) && c->name[len] == 0)
            return c;
    }
    return NULL;
}

struct xs_node *xs_tree_lookup(struct xs_node *root, const char *path)
{
    struct xs_node *n = root;

    if (path[0] != '/')
        return NULL;
    path++;
    while (*path && n) {
        size_t l = 0;

        while (path[l] && path[l] != '/')
            l++;
        n = xs_tree_child(n, path, l);
        path += l;
        if (*path == '/')
            path++;
    }
    return n;
}

struct xs_node *xs_tree_add(struct xs_node *parent, const char *name, size_t len,
                            const struct xs_perms *perms, uint64_t gen)
{
    struct xs_node *n = xs_malloc(sizeof(*n));

    if (!n)
        return NULL;
    *n = (struct xs_node){ 0 };
    n->name = xs_strndup(name, len);
    if (!n->name || xs_perms_copy(&n->perms, perms)) {
        xs_free(n->name);
        xs_free(n);
        return NULL;
    }
    n->gen = gen;
    n->parent = parent;
    n->prev = parent->last;
    if (parent->last)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
    parent->childlen += (uint32_t)len + 1;
    parent->gen = gen;
    return n;
}

void xs_tree_free(struct xs_node *node, void (*cb)(void *, struct xs_node *), void *arg)
{
    struct xs_node *p = node->parent;

    if (p) {
        if (node->prev)
            node->prev->next = node->next;
        else
            p->first = node->next;
        if (node->next)
            node->next->prev = node->prev;
        else
            p->last = node->prev;
        p->childlen -= (uint32_t)xs_strlen(node->name) + 1;
        node->parent = NULL;
    }
    /* Iterative, bottom up: a deep tree must not exhaust dom0's stack. */
    for (struct xs_node *n = node; n;) {
        struct xs_node *up;

        if (n->first) {
            n = n->first;
            continue;
        }
        up = n == node ? NULL : n->parent;
        if (up) {
            up->first = n->next;
            if (!up->first)
                up->last = NULL;
        }
        if (cb)
            cb(arg, n);
        xs_free(n->name);
        xs_free(n->value);
        xs_perms_free(&n->perms);
        xs_free(n);
        n = up;
    }
}

size_t xs_tree_path(const struct xs_node *node, char *buf, size_t max)
{
    size_t len = 0, pos;

    if (!node->parent) {
        if (max >= 2) {
            buf[0] = '/';
            buf[1] = 0;
        }
        return 1;
    }
    for (const struct xs_node *n = node; n->parent; n = n->parent)
        len += 1 + xs_strlen(n->name);
    if (len + 1 > max)
        return len;
    pos = len;
    buf[pos] = 0;
    for (const struct xs_node *n = node; n->parent; n = n->parent) {
        size_t l = xs_strlen(n->name);

        pos -= l;
        xs_memcpy(buf + pos, n->name, l);
        buf[--pos] = '/';
    }
    return len;
}

int xs_tree_children(const struct xs_node *node, char **buf, uint32_t *len)
{
    char *b;
    uint32_t off = 0;

    *buf = NULL;
    *len = node->childlen;
    if (!node->childlen)
        return 0;
    b = xs_malloc(node->childlen);
    if (!b)
        return XEN_ENOMEM;
    for (const struct xs_node *c = node->first; c; c = c->next) {
        size_t l = xs_strlen(c->name) + 1;

        xs_memcpy(b + off, c->name, l);
        off += (uint32_t)l;
    }
    *buf = b;
    return 0;
}

int xs_tree_set_value(struct xs_node *node, const void *value, size_t len)
{
    char *v = NULL;

    if (len) {
        v = xs_malloc(len);
        if (!v)
            return XEN_ENOMEM;
        xs_memcpy(v, value, len);
    }
    xs_free(node->value);
    node->value = v;
    node->vlen = (uint32_t)len;
    return 0;
}
