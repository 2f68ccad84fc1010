/* XenStore, the core of dom0's store server: the tree, permissions, watches,
 * transactions and quotas, and the handling of one wire message
 * (public/io/xs_wire.h). Pure code: no rings, no events, no hypercalls. Its
 * host (dom0's store_ring.c, or a host test) hands it whole messages per
 * connection and takes the bytes to send back from that connection's output
 * queue (replies and watch events, whole messages, in order).
 *
 * Memory comes from xs_malloc/xs_free, which the host provides (dom0: its
 * heap, guests/lib/heap.h; host tests: malloc).
 *
 * Errors are positive XEN_E* numbers (public/errno.h); on the wire they
 * become XS_ERROR replies with Xen's names ("ENOENT", "EACCES", ...). */
#ifndef DOM0_XS_H
#define DOM0_XS_H

#include <stddef.h>
#include <stdint.h>
#include "io/xs_wire.h"

struct xs_store;
struct xs_conn;

/* Per-domain limits, in the spirit of cxenstored's defaults. The privileged
 * domain (dom0) is not limited. */
struct xs_limits {
    unsigned nodes;          /* nodes a domain may own (1000) */
    unsigned node_size;      /* bytes of value plus permissions per node (2048) */
    unsigned watches;        /* watches per connection (128) */
    unsigned transactions;   /* open transactions per connection (10) */
    unsigned out_bytes;      /* queued output before the connection is closed as
                                not reading its replies (64 KiB) */
};
extern const struct xs_limits xs_default_limits;

/* What the store asks of its host. Any pointer may be NULL. */
struct xs_env {
    void *ctx;
    /* XS_INTRODUCE from a privileged connection: set up the ring of domain
     * domid (frame mfn, event channel port) and call xs_domain_introduce().
     * Returns 0 or a XEN_E* number for the reply. */
    int (*introduce)(void *ctx, unsigned domid, uint64_t mfn, unsigned port);
    /* XS_RELEASE from a privileged connection: tear the ring of domid down
     * and call xs_domain_release(). Returns 0 or a XEN_E* number. */
    int (*release)(void *ctx, unsigned domid);
    /* A line for the log (XS_DEBUG print, connections closed and why). */
    void (*log)(void *ctx, const char *line);
};

struct xs_store *xs_store_new(const struct xs_env *env, const struct xs_limits *limits);
void xs_store_free(struct xs_store *s);

/* A connection: one domain's ring (or dom0's own, privileged, connection).
 * A domain's connection exists while the domain is introduced. */
struct xs_conn *xs_conn_new(struct xs_store *s, unsigned domid, int privileged);
/* Drops the connection's watches and transactions. */
void xs_conn_free(struct xs_conn *c);
unsigned xs_conn_domid(const struct xs_conn *c);

/* One whole message: hdr->len bytes of payload follow. Replies and watch
 * events go to output queues (this connection's and the watchers').
 * Returns 0, or -1 when the connection must be closed (a malformed message,
 * a payload over XENSTORE_PAYLOAD_MAX, output over its limit); the reason has
 * then gone to env->log and the host closes the connection (xs_conn_free). */
int xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, const char *payload);

/* Output queue: bytes waiting, and take up to max of them (whole messages
 * need not be taken at once). */
size_t xs_conn_out_pending(const struct xs_conn *c);
size_t xs_conn_out_take(struct xs_conn *c, void *buf, size_t max);

/* The domain layer (dom0's toolstack): a domain whose ring is up is
 * introduced (its connection made, @introduceDomain fired); a domain that
 * ends is released (its connection freed, @releaseDomain fired). */
struct xs_conn *xs_domain_introduce(struct xs_store *s, unsigned domid);
void xs_domain_release(struct xs_store *s, unsigned domid);
struct xs_conn *xs_domain_conn(struct xs_store *s, unsigned domid);

/* Direct operations with dom0's rights (no permission checks, no quotas),
 * for the toolstack and the shell. Paths are absolute. Watches fire as for
 * a message. Return 0 or a XEN_E* number. */
int xs_write(struct xs_store *s, const char *path, const void *value, size_t len);
int xs_mkdir(struct xs_store *s, const char *path);
int xs_rm(struct xs_store *s, const char *path);
/* Copies at most max bytes of the value to buf; *len gets its full length. */
int xs_read(struct xs_store *s, const char *path, void *buf, size_t max, size_t *len);
/* perms: Xen's text form, "n0\0r5\0" (owner and everybody's default first). */
int xs_set_perms(struct xs_store *s, const char *path, const char *perms, size_t len);
/* Children's names, each followed by a NUL, into buf (at most max bytes);
 * *len gets the full length. */
int xs_directory(struct xs_store *s, const char *path, char *buf, size_t max, size_t *len);

/* Added by the store's implementation (issue 13). */

/* Has the connection been marked for closing (its output queue went over
 * its limit while it got watch events from others' changes, or dom0 ran
 * out of memory for its replies)? The host should then close it, as it
 * does when xs_conn_handle returns -1. */
int xs_conn_broken(const struct xs_conn *c);

/* Is domid introduced (and not yet released)? Its connection may be gone:
 * a domain whose connection the host closed (xs_conn_free) stays
 * introduced without one (xs_domain_conn gives NULL) until
 * xs_domain_release, which then still fires @releaseDomain;
 * xs_domain_introduce gives it a new connection. */
int xs_domain_introduced(struct xs_store *s, unsigned domid);

/* Counts for the shell and the benchmarks. */
struct xs_store_stats {
    unsigned nodes;          /* in the tree, the root included */
    unsigned domains;        /* introduced */
    unsigned conns;
    unsigned watches;
    unsigned transactions;   /* open */
    size_t out_bytes;        /* queued output of every connection */
    uint64_t generation;     /* last generation given to a change */
};
void xs_store_stats(struct xs_store *s, struct xs_store_stats *st);

/* Provided by the host. */
void *xs_malloc(size_t n);
void xs_free(void *p);

#endif
