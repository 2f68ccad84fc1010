/* The store and its connections: creation, output queues (with the limit
 * that closes a connection which does not read its replies) and the log. */
#include "xs_store.h"
#include "xs_str.h"
#include "errno.h"

void xs_log(struct xs_store *s, const char *a, const char *b, const char *c)
{
    char line[160];
    size_t n = 0;
    const char *parts[3] = { a, b, c };

    if (!s->env.log)
        return;
    for (int i = 0; i < 3; i++) {
        for (const char *p = parts[i]; p && *p && n < sizeof(line) - 1; p++)
            line[n++] = (*p >= 32 && *p < 127) ? *p : '?';
    }
    line[n] = 0;
    s->env.log(s->env.ctx, line);
}

void xs_log_conn(struct xs_conn *c, const char *what, const char *detail)
{
    char pre[48] = "xenstore: domain ";
    size_t n = xs_strlen(pre);

    n += xs_utoa(c->who.domid, pre + n);
    pre[n++] = ':';
    pre[n++] = ' ';
    pre[n] = 0;
    xs_log(c->store, pre, what, detail);
}

struct xs_store *xs_store_new(const struct xs_env *env, const struct xs_limits *limits)
{
    struct xs_store *s = xs_malloc(sizeof(*s));

    if (!s)
        return NULL;
    *s = (struct xs_store){ 0 };
    if (env)
        s->env = *env;
    s->limits = limits ? *limits : xs_default_limits;
    s->root = xs_tree_new_root();
    if (!s->root || xs_perms_single(&s->special_intro, 0, XS_PERM_NONE) ||
        xs_perms_single(&s->special_release, 0, XS_PERM_NONE)) {
        xs_store_free(s);
        return NULL;
    }
    s->root->gen = ++s->gen;
    return s;
}

void xs_store_free(struct xs_store *s)
{
    if (!s)
        return;
    while (s->conns)
        xs_conn_free(s->conns);
    if (s->root)
        xs_tree_free(s->root, NULL, NULL);
    xs_perms_free(&s->special_intro);
    xs_perms_free(&s->special_release);
    xs_free(s->doms);
    xs_free(s);
}

struct xs_conn *xs_conn_new(struct xs_store *s, unsigned domid, int privileged)
{
    struct xs_conn *c = xs_malloc(sizeof(*c));

    if (!c)
        return NULL;
    *c = (struct xs_conn){ 0 };
    c->store = s;
    c->who.domid = domid;
    c->who.privileged = !!privileged;
    c->who.target = -1;
    c->next_txid = 1;
    c->next = s->conns;
    s->conns = c;
    return c;
}

void xs_conn_free(struct xs_conn *c)
{
    struct xs_store *s;

    if (!c)
        return;
    s = c->store;
    for (struct xs_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    /* A domain whose connection dom0 closed stays introduced (without a
     * connection) until it is released: @releaseDomain still fires then. */
    for (unsigned i = 0; i < s->ndoms; i++) {
        if (s->doms[i].conn == c)
            s->doms[i].conn = NULL;
    }
    xs_watch_del_all(c);
    xs_txn_del_all(c);
    while (c->out_head) {
        struct xs_msg *m = c->out_head;

        c->out_head = m->next;
        xs_free(m);
    }
    xs_free(c);
}

unsigned xs_conn_domid(const struct xs_conn *c)
{
    return c->who.domid;
}

int xs_conn_broken(const struct xs_conn *c)
{
    return c->broken;
}

static struct xs_msg *msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id, size_t len)
{
    struct xs_msg *m = xs_malloc(sizeof(*m) + sizeof(struct xsd_sockmsg) + len);
    struct xsd_sockmsg h = { type, req_id, tx_id, (uint32_t)len };

    if (!m)
        return NULL;
    m->next = NULL;
    m->off = 0;
    m->len = (uint32_t)(sizeof(h) + len);
    xs_memcpy(m->data, &h, sizeof(h));
    return m;
}

static void msg_push(struct xs_conn *c, struct xs_msg *m, const char *what)
{
    if (!m) {
        /* Out of memory in dom0: the client would wait forever for a
         * lost reply, so it is closed instead. */
        if (!c->broken)
            xs_log_conn(c, "out of memory queueing ", what);
        c->broken = 1;
        return;
    }
    if (!c->who.privileged && c->out_bytes + m->len > c->store->limits.out_bytes) {
        if (!c->broken)
            xs_log_conn(c, "output queue over its limit, closing (not reading its ring?) at ", what);
        c->broken = 1;
        xs_free(m);
        return;
    }
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    c->out_bytes += m->len;
}

void xs_conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                   const void *payload, size_t len)
{
    struct xs_msg *m;

    if (c->broken)
        return;
    m = msg_new(type, req_id, tx_id, len);
    if (m && len)
        xs_memcpy(m->data + sizeof(struct xsd_sockmsg), payload, len);
    msg_push(c, m, "a reply");
}

/* An identical event still waiting whole in the queue? (Then a second is
 * dropped, as xenstored does: the watcher rereads anyway.) */
static int event_pending(const struct xs_conn *c, const char *payload, size_t len)
{
    for (const struct xs_msg *m = c->out_head; m; m = m->next) {
        struct xsd_sockmsg h;

        xs_memcpy(&h, m->data, sizeof(h));
        if (!m->off && h.type == XS_WATCH_EVENT && h.len == len &&
            xs_memeq(m->data + sizeof(h), payload, len))
            return 1;
    }
    return 0;
}

void xs_conn_queue_event(struct xs_conn *c, const char *path, const char *token)
{
    size_t pl = xs_strlen(path) + 1, tl = xs_strlen(token) + 1;
    struct xs_msg *m;

    if (c->broken || pl + tl > XENSTORE_PAYLOAD_MAX)
        return;
    m = msg_new(XS_WATCH_EVENT, 0, 0, pl + tl);
    if (m) {
        xs_memcpy(m->data + sizeof(struct xsd_sockmsg), path, pl);
        xs_memcpy(m->data + sizeof(struct xsd_sockmsg) + pl, token, tl);
        if (path[0] != '@' && event_pending(c, m->data + sizeof(struct xsd_sockmsg), pl + tl)) {
            xs_free(m);
            return;
        }
    }
    msg_push(c, m, "a watch event");
}

size_t xs_conn_out_pending(const struct xs_conn *c)
{
    return c->out_bytes;
}

size_t xs_conn_out_take(struct xs_conn *c, void *buf, size_t max)
{
    size_t done = 0;

    while (c->out_head && done < max) {
        struct xs_msg *m = c->out_head;
        size_t n = m->len - m->off;

        if (n > max - done)
            n = max - done;
        xs_memcpy((char *)buf + done, m->data + m->off, n);
        m->off += (uint32_t)n;
        done += n;
        if (m->off == m->len) {
            c->out_head = m->next;
            if (!c->out_head)
                c->out_tail = NULL;
            xs_free(m);
        }
    }
    c->out_bytes -= done;
    return done;
}
