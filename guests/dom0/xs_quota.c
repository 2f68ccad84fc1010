/* Per-domain limits of the XenStore core: nodes owned, node size (checked
 * here), and the domain records that hold the node counts. Watches,
 * transactions and queued output are limited where they are made
 * (xs_watch.c, xs_txn.c, xs_conn.c). The privileged domain is not limited. */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

const struct xs_limits xs_default_limits = {
    .nodes = 1000,
    .node_size = 2048,
    .watches = 128,
    .transactions = 10,
    .out_bytes = 64 * 1024,
};

struct xs_dom *xs_dom_find(struct xs_store *s, unsigned domid)
{
    for (unsigned i = 0; i < s->ndoms; i++) {
        if (s->doms[i].domid == domid)
            return &s->doms[i];
    }
    return NULL;
}

struct xs_dom *xs_dom_get(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_find(s, domid);

    if (d)
        return d;
    if (s->ndoms == s->capdoms) {
        unsigned cap = s->capdoms ? s->capdoms * 2 : 16;
        struct xs_dom *n = xs_malloc(cap * sizeof(*n));

        if (!n)
            return NULL;
        if (s->ndoms)
            xs_memcpy(n, s->doms, s->ndoms * sizeof(*n));
        xs_free(s->doms);
        s->doms = n;
        s->capdoms = cap;
    }
    d = &s->doms[s->ndoms++];
    *d = (struct xs_dom){ .domid = domid };
    return d;
}

unsigned xs_dom_nodes(struct xs_store *s, unsigned domid)
{
    struct xs_dom *d = xs_dom_find(s, domid);

    return d ? d->nodes : 0;
}

/* Counts are kept for every owner (a record is made on first use); if one
 * cannot be made the count is lost, which only loosens that domain's
 * quota. Records of domains that own nothing and are not introduced are
 * dropped so that the table stays small. */
void xs_dom_count(struct xs_store *s, unsigned domid, int delta)
{
    struct xs_dom *d = delta > 0 ? xs_dom_get(s, domid) : xs_dom_find(s, domid);

    if (!d)
        return;
    if (delta < 0 && d->nodes < (unsigned)-delta)
        d->nodes = 0;
    else
        d->nodes += (unsigned)delta;
    if (!d->nodes && !d->introduced) {
        *d = s->doms[--s->ndoms];
    }
}

int xs_quota_nodes(struct xs_store *s, const struct xs_who *who, unsigned extra, unsigned n)
{
    if (who->privileged)
        return 0;
    if ((uint64_t)xs_dom_nodes(s, who->domid) + extra + n > s->limits.nodes)
        return XS_EQUOTA;
    return 0;
}

int xs_quota_node_size(struct xs_store *s, const struct xs_who *who, size_t vlen,
                       const struct xs_perms *perms)
{
    if (who->privileged)
        return 0;
    if (vlen + xs_perms_text_len(perms) > s->limits.node_size)
        return XEN_E2BIG;
    return 0;
}
