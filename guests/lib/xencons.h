/*
 * Xenolith test-guest runtime: a domU's console ring (public/io/console.h)
 * as a front end writes it: the bytes go into out[] at out_prod, the back
 * end (dom0's console back end, or the hypervisor's for a lone domU) is
 * signalled on the console port, and a writer that finds the ring full
 * waits for the back end to make room (it signals the same port).
 */
#ifndef XENOLITH_GUEST_XENCONS_H
#define XENOLITH_GUEST_XENCONS_H

#include "pv.h"

/* The ring and port of start_info's console.domU: 0, or -1 when there is none
 * (needs pv_map_shared_info() first: waiting polls the port). */
int xencons_init(const start_info_t *si);
/* Write len bytes, waiting for room as long as needed up to ns of system
 * time in all; the bytes written (fewer only on that timeout). */
size_t xencons_write(const char *s, size_t len, uint64_t ns);
/* printf-style, one call of xencons_write (at most 256 bytes). */
size_t xencons_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Input the back end put in in[]: at most max bytes, without waiting; the
 * count (0 when none). */
size_t xencons_read(char *buf, size_t max);
/* Wait for the console port to be signalled, at most ns: 1 if it was. */
int xencons_wait(uint64_t ns);
/* Wait until the back end has taken everything (out_cons == out_prod), at
 * most ns: 1 when it has. */
int xencons_flush(uint64_t ns);

#endif
