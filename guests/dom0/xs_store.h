/* The XenStore core's internal state, shared by its files (not part of the
 * interface: dom0 uses xs.h). */
#ifndef DOM0_XS_STORE_H
#define DOM0_XS_STORE_H

#include "xs.h"
#include "xs_perms.h"
#include "xs_tree.h"

/* The node-count quota's error: oxenstored's "EQUOTA", which has no XEN_E*
 * number (cxenstored says ENOSPC). Only the wire string matters. */
#define XS_EQUOTA 122

struct xs_watch {
    struct xs_watch *next;
    char *path;        /* canonical: absolute, or "@..." */
    char *token;
    int relative;      /* registered relative: events give relative paths */
};

struct xs_msg {
    struct xs_msg *next;
    uint32_t len, off;
    char data[];
};

struct xs_txn;

struct xs_conn {
    struct xs_conn *next;
    struct xs_store *store;
    struct xs_who who;
    int is_domain;             /* made by xs_domain_introduce */
    int broken;                /* output over its limit: must be closed */
    int busy;                  /* inside xs_conn_handle */
    struct xs_watch *watches;
    unsigned nwatches;
    struct xs_txn *txns;
    unsigned ntxns;
    uint32_t next_txid;
    struct xs_msg *out_head, *out_tail;
    size_t out_bytes;
};

/* What the store knows of a domain: its node count and whether it is
 * introduced (then conn is its connection). */
struct xs_dom {
    unsigned domid;
    unsigned nodes;
    int introduced;
    struct xs_conn *conn;
};

struct xs_store {
    struct xs_env env;
    struct xs_limits limits;
    struct xs_node *root;
    uint64_t gen;              /* last generation given out */
    struct xs_conn *conns;
    struct xs_dom *doms;
    unsigned ndoms, capdoms;
    struct xs_perms special_intro, special_release;
};

/* xs_quota.c: domain records and node counts. */
struct xs_dom *xs_dom_find(struct xs_store *s, unsigned domid);
struct xs_dom *xs_dom_get(struct xs_store *s, unsigned domid);   /* creates */
unsigned xs_dom_nodes(struct xs_store *s, unsigned domid);
void xs_dom_count(struct xs_store *s, unsigned domid, int delta);
/* May who create n more nodes (0 or XS_EQUOTA)? extra: already counted
 * elsewhere (an open transaction's creations). */
int xs_quota_nodes(struct xs_store *s, const struct xs_who *who, unsigned extra, unsigned n);
/* May who store a node of this value length and permissions (0 or E2BIG)? */
int xs_quota_node_size(struct xs_store *s, const struct xs_who *who, size_t vlen,
                       const struct xs_perms *perms);

/* xs_conn.c: output queues and logging. */
void xs_log(struct xs_store *s, const char *a, const char *b, const char *c);
void xs_log_conn(struct xs_conn *c, const char *what, const char *detail);
/* Queues one message; over the limit the message is dropped and the
 * connection marked broken. */
void xs_conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                   const void *payload, size_t len);
/* The same with two NUL-terminated strings as payload (watch events). */
void xs_conn_queue_event(struct xs_conn *c, const char *path, const char *token);

/* xs_live.c: changes of the real tree (no permission checks), keeping the
 * node counts, and firing watches. */
struct xs_node *xs_live_lookup(struct xs_store *s, const char *path);
/* Creates path and the missing nodes above it, each inheriting its parent's
 * permissions, owned by who's domain when who is unprivileged. *created
 * gets the number of nodes made. Fires no watch. */
int xs_live_create(struct xs_store *s, const struct xs_who *who, const char *path,
                   struct xs_node **out, unsigned *created);
/* Creates a node with these exact permissions (parent must exist). */
int xs_live_create_exact(struct xs_store *s, const char *path, const struct xs_perms *perms,
                         struct xs_node **out);
int xs_live_set_value(struct xs_store *s, struct xs_node *n, const void *v, size_t len);
int xs_live_set_perms(struct xs_store *s, struct xs_node *n, const struct xs_perms *perms);
/* Removes n and everything below it, firing the watches first. */
void xs_live_rm(struct xs_store *s, struct xs_node *n);

/* xs_watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_del_all(struct xs_conn *c);
/* A change of path: watches on it or above it fire (exact: only watches on
 * path itself); old: the node's permissions before the change, if changed. */
void xs_watch_fire(struct xs_store *s, const char *path, int exact, const struct xs_perms *old);
struct xs_perms *xs_special_perms(struct xs_store *s, const char *name);

/* xs_txn.c */
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
int xs_txn_start(struct xs_conn *c, uint32_t *id);
/* Ends (and frees) t: commit nonzero applies it; returns 0, XEN_EAGAIN, ... */
int xs_txn_end(struct xs_conn *c, struct xs_txn *t, int commit);
void xs_txn_del_all(struct xs_conn *c);

/* A node as a view (the real tree, or a transaction's) shows it. */
struct xs_vnode {
    const char *value;
    uint32_t vlen;
    const struct xs_perms *perms;
    uint64_t gen;
};
/* xs_view.c: the same operations on the real tree (t NULL) or through a
 * transaction. Return 0 or XEN_E*. */
int xs_view_get(struct xs_store *s, struct xs_txn *t, const char *path, struct xs_vnode *out);
int xs_view_children(struct xs_store *s, struct xs_txn *t, const char *path,
                     char **buf, uint32_t *len);
int xs_view_create(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                   const char *path, unsigned *created);
int xs_view_set_value(struct xs_store *s, struct xs_txn *t, const char *path,
                      const void *v, size_t len);
int xs_view_set_perms(struct xs_store *s, struct xs_txn *t, const char *path,
                      const struct xs_perms *perms);
int xs_view_rm(struct xs_store *s, struct xs_txn *t, const char *path);
/* Transaction side of the views (xs_txn.c). */
int xs_txn_get(struct xs_store *s, struct xs_txn *t, const char *path, struct xs_vnode *out);
int xs_txn_children(struct xs_store *s, struct xs_txn *t, const char *path,
                    char **buf, uint32_t *len);
int xs_txn_create(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                  const char *path, unsigned *created);
int xs_txn_set_value(struct xs_store *s, struct xs_txn *t, const char *path,
                     const void *v, size_t len);
int xs_txn_set_perms(struct xs_store *s, struct xs_txn *t, const char *path,
                     const struct xs_perms *perms);
int xs_txn_rm(struct xs_store *s, struct xs_txn *t, const char *path);
unsigned xs_txn_created(const struct xs_txn *t);

/* xs_ops.c: the node operations with Xen's permission and quota rules, on
 * a view; watches fire when t is NULL. path is canonical (absolute).
 * Return 0 or XEN_E*. */
int xs_op_read(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
               const char *path, struct xs_vnode *out);
int xs_op_write(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                const char *path, const void *v, size_t len);
int xs_op_mkdir(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                const char *path);
int xs_op_rm(struct xs_store *s, struct xs_txn *t, const struct xs_who *who, const char *path);
int xs_op_directory(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *path, char **buf, uint32_t *len, uint64_t *gen);
int xs_op_set_perms(struct xs_store *s, struct xs_txn *t, const struct xs_who *who,
                    const char *path, const struct xs_perms *perms);

#endif
