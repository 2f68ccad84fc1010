/* Watches: a watch on P (as registered: relative paths are taken under the
 * domain's home, "@..." names are special) fires for a change of P or of
 * anything below P; a removal fires the watches on every removed node. An
 * event goes only to connections that may read the node or its parent (or
 * could before a permission change), and gives the path back relative when
 * the watch was registered relative. The special @introduceDomain and
 * @releaseDomain fire for watchers that may read their permissions (by
 * default only the privileged domain, as Xen). */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

struct xs_perms *xs_special_perms(struct xs_store *s, const char *name)
{
    if (xs_streq(name, "@introduceDomain"))
        return &s->special_intro;
    if (xs_streq(name, "@releaseDomain"))
        return &s->special_release;
    return NULL;
}

int xs_watch_add(struct xs_conn *c, const char *path, const char *token)
{
    struct xs_watch *w, **tail;
    char *canon;
    int relative = 0;

    if (path[0] == '@') {
        if (xs_strlen(path) > XENSTORE_REL_PATH_MAX)
            return XEN_EINVAL;
        canon = xs_strndup(path, xs_strlen(path));
    } else {
        relative = path[0] != '/';
        canon = xs_path_canon(c->who.domid, path);
        if (canon && !xs_path_valid(canon)) {
            xs_free(canon);
            return XEN_EINVAL;
        }
    }
    if (!canon)
        return XEN_ENOMEM;
    for (tail = &c->watches; *tail; tail = &(*tail)->next) {
        if (xs_streq((*tail)->path, canon) && xs_streq((*tail)->token, token)) {
            xs_free(canon);
            return XEN_EEXIST;
        }
    }
    if (!c->who.privileged && c->nwatches >= c->store->limits.watches) {
        xs_free(canon);
        return XEN_E2BIG;
    }
    w = xs_malloc(sizeof(*w));
    if (!w) {
        xs_free(canon);
        return XEN_ENOMEM;
    }
    w->next = NULL;
    w->path = canon;
    w->relative = relative;
    w->token = xs_strndup(token, xs_strlen(token));
    if (!w->token) {
        xs_free(canon);
        xs_free(w);
        return XEN_ENOMEM;
    }
    *tail = w;
    c->nwatches++;
    return 0;
}

static void watch_free(struct xs_watch *w)
{
    xs_free(w->path);
    xs_free(w->token);
    xs_free(w);
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
    char *canon = xs_path_canon(c->who.domid, path);

    if (!canon)
        return XEN_ENOMEM;
    for (struct xs_watch **pp = &c->watches; *pp; pp = &(*pp)->next) {
        struct xs_watch *w = *pp;

        if (xs_streq(w->path, canon) && xs_streq(w->token, token)) {
            *pp = w->next;
            watch_free(w);
            c->nwatches--;
            xs_free(canon);
            return 0;
        }
    }
    xs_free(canon);
    return XEN_ENOENT;
}

void xs_watch_del_all(struct xs_conn *c)
{
    while (c->watches) {
        struct xs_watch *w = c->watches;

        c->watches = w->next;
        watch_free(w);
    }
    c->nwatches = 0;
}

/* The path as the watch's owner registered it: relative watches get the
 * part below the domain's home. */
static const char *event_path(const struct xs_conn *c, const struct xs_watch *w,
                              const char *path)
{
    char pre[40];
    size_t l;

    if (!w->relative)
        return path;
    l = xs_domain_path(c->who.domid, pre);
    path += l;
    if (*path == '/')
        path++;
    return path;
}

void xs_watch_fire(struct xs_store *s, const char *path, int exact, const struct xs_perms *old)
{
    const struct xs_perms *special = NULL, *mine = NULL, *parents = NULL;

    if (path[0] == '@') {
        special = xs_special_perms(s, path);
        if (!special)
            return;
    } else {
        struct xs_node *n = xs_live_lookup(s, path);

        if (n) {
            mine = &n->perms;
            if (n->parent)
                parents = &n->parent->perms;
        }
    }
    for (struct xs_conn *c = s->conns; c; c = c->next) {
        if (!c->watches)
            continue;
        if (special) {
            if (!(xs_perms_for(&c->who, special) & XS_PERM_READ))
                continue;
        } else if (!((old && (xs_perms_for(&c->who, old) & XS_PERM_READ)) ||
                     (mine && (xs_perms_for(&c->who, mine) & XS_PERM_READ)) ||
                     (parents && (xs_perms_for(&c->who, parents) & XS_PERM_READ)))) {
            continue;
        }
        for (struct xs_watch *w = c->watches; w; w = w->next) {
            if (exact ? xs_streq(path, w->path) : xs_path_is_child(path, w->path))
                xs_conn_queue_event(c, event_path(c, w, path), w->token);
        }
    }
}
