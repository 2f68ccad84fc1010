/* Changes of the real tree: no permission checks here (xs_ops.c does
 * them), but the owners' node counts stay right and every change gets a
 * new generation. */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

struct xs_node *xs_live_lookup(struct xs_store *s, const char *path)
{
    return xs_tree_lookup(s->root, path);
}

static int add_node(struct xs_store *s, struct xs_node *parent, const char *name, size_t len,
                    const struct xs_perms *perms, struct xs_node **out)
{
    uint64_t gen = ++s->gen;
    struct xs_node *n = xs_tree_add(parent, name, len, perms, gen);

    if (!n)
        return XEN_ENOMEM;
    xs_dom_count(s, perms->p[0].domid, 1);
    *out = n;
    return 0;
}

int xs_live_create(struct xs_store *s, const struct xs_who *who, const char *path,
                   struct xs_node **out, unsigned *created)
{
    struct xs_node *n = s->root;
    const char *p = path + 1;

    *created = 0;
    while (*p) {
        size_t l = 0;
        struct xs_node *c;

        while (p[l] && p[l] != '/')
            l++;
        c = xs_tree_child(n, p, l);
        if (!c) {
            struct xs_perms perms;
            int rc;

            /* Inherit the parent's permissions; unprivileged domains own
             * what they create (as cxenstored). */
            if (xs_perms_copy(&perms, &n->perms))
                return XEN_ENOMEM;
            if (!who->privileged)
                perms.p[0].domid = (uint16_t)who->domid;
            rc = add_node(s, n, p, l, &perms, &c);
            xs_perms_free(&perms);
            if (rc)
                return rc;
            (*created)++;
        }
        n = c;
        p += l;
        if (*p == '/')
            p++;
    }
    *out = n;
    return 0;
}

int xs_live_create_exact(struct xs_store *s, const char *path, const struct xs_perms *perms,
                         struct xs_node **out)
{
    size_t pl = xs_path_parent_len(path);
    char *ppath = xs_strndup(path, pl);
    struct xs_node *parent;
    int rc;

    if (!ppath)
        return XEN_ENOMEM;
    parent = xs_live_lookup(s, ppath);
    xs_free(ppath);
    if (!parent)
        return XEN_ENOENT;
    rc = add_node(s, parent, path + pl + (pl > 1), xs_strlen(path + pl + (pl > 1)), perms, out);
    return rc;
}

int xs_live_set_value(struct xs_store *s, struct xs_node *n, const void *v, size_t len)
{
    int rc = xs_tree_set_value(n, v, len);

    if (!rc)
        n->gen = ++s->gen;
    return rc;
}

int xs_live_set_perms(struct xs_store *s, struct xs_node *n, const struct xs_perms *perms)
{
    struct xs_perms copy;

    if (xs_perms_copy(&copy, perms))
        return XEN_ENOMEM;
    /* The root counts against nobody's quota. */
    if (n->parent) {
        xs_dom_count(s, n->perms.p[0].domid, -1);
        xs_dom_count(s, copy.p[0].domid, 1);
    }
    xs_perms_free(&n->perms);
    n->perms = copy;
    n->gen = ++s->gen;
    return 0;
}

static void uncount(void *arg, struct xs_node *n)
{
    xs_dom_count(arg, n->perms.p[0].domid, -1);
}

/* Watches fire while every removed node is still there, so that the
 * permission checks see them: the nodes below first (each only for watches
 * on itself), then the removed node (for watches on it and above it). */
static void fire_rm(struct xs_store *s, struct xs_node *top)
{
    char stack_path[XENSTORE_ABS_PATH_MAX + 2];

    for (struct xs_node *n = top->first; n;) {
        if (n->first) {
            n = n->first;
            continue;
        }
        /* n: a node whose children (if any) have been visited. */
        for (;;) {
            size_t l = xs_tree_path(n, stack_path, sizeof(stack_path));

            if (l < sizeof(stack_path))
                xs_watch_fire(s, stack_path, 1, NULL);
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
            if (n == top) {
                n = NULL;
                break;
            }
        }
    }
    if (xs_tree_path(top, stack_path, sizeof(stack_path)) < sizeof(stack_path))
        xs_watch_fire(s, stack_path, 0, NULL);
}

void xs_live_rm(struct xs_store *s, struct xs_node *n)
{
    struct xs_node *parent = n->parent;

    fire_rm(s, n);
    xs_tree_free(n, uncount, s);
    if (parent)
        parent->gen = ++s->gen;
}
