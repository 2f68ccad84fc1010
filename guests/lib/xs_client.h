/* A domU's XenStore client: requests over its store ring (start_info's
 * store_mfn and store_evtchn), one at a time, answered in order; watch
 * events that arrive meanwhile are kept for xs_wait_watch.
 *
 * Functions return 0 (or a length) on success and -XEN_E* on failure: the
 * error named in the XS_ERROR reply ("ENOENT" -> -XEN_ENOENT), -XEN_ETIMEDOUT
 * if no reply came in time, -XEN_EIO for a malformed reply. */
#ifndef GUEST_XS_CLIENT_H
#define GUEST_XS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "io/xs_wire.h"

/* Map the ring; 0, or -1 when start_info names no store. */
int xs_open(void);
/* The raw request: payload of len bytes; the reply's payload is copied to
 * reply (max bytes, NUL added when room), *rtype gets its type. Returns the
 * reply's payload length or -XEN_E*. */
long xs_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
                char *reply, size_t max, uint32_t *rtype);

long xs_read(uint32_t tx, const char *path, char *buf, size_t max);
int xs_write(uint32_t tx, const char *path, const char *value);
int xs_mkdir(uint32_t tx, const char *path);
int xs_rm(uint32_t tx, const char *path);
/* Children as NUL-separated names; returns the byte length. */
long xs_directory(uint32_t tx, const char *path, char *buf, size_t max);
/* perms: NUL-separated entries ("n1\0r2\0"), len bytes. */
int xs_set_perms(uint32_t tx, const char *path, const char *perms, size_t len);
long xs_get_perms(uint32_t tx, const char *path, char *buf, size_t max);
int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
/* Returns the new transaction id (> 0) or -XEN_E*. */
long xs_transaction_start(void);
int xs_transaction_end(uint32_t tx, int commit);
/* This domain's id (from GET_DOMAIN_PATH's answer for its own "domid"). */
long xs_domid(void);

/* The next watch event (queued or arriving within ns): 1 with path and
 * token copied, 0 on time-out. */
int xs_wait_watch(char *path, size_t pmax, char *token, size_t tmax, uint64_t ns);

/* Xen's name of an error ("EACCES") to -XEN_E*, -XEN_EIO if unknown. */
int xs_error_code(const char *name);
/* "EQUOTA" (a store quota reached) has no Xen error number: Linux's EDQUOT. */
#define XS_EQUOTA 122

/* The request time-out (default 5 s). */
extern uint64_t xs_timeout_ns;

#endif
