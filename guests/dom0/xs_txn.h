/* Transactions of the XenStore core (the declarations are in xs_store.h).
 *
 * Design: a transaction is an overlay of the tree keyed by path. The first
 * time it touches a node it copies it (value, permissions, children names)
 * from the real tree and records the node's generation (0 when absent);
 * afterwards it only sees and changes its copies. A node removed in the
 * transaction becomes a tombstone; one created there is "fresh": below a
 * tombstone or a fresh node the real tree is not looked at. At commit every
 * recorded generation must still be the real tree's, else EAGAIN (something
 * the transaction saw was changed meanwhile); then the overlay is applied
 * from the root down, and the watches fire as for single operations. */
#ifndef DOM0_XS_TXN_H
#define DOM0_XS_TXN_H

/* Bytes of copies an unprivileged transaction may hold before its
 * operations fail with ENOSPC: keeps ten open transactions of a hostile
 * domain from copying the whole store. */
#define XS_TXN_BYTES_MAX (64u * 1024u)

#endif
