/* The domain list as a toolstack reads it (XEN_SYSCTL_getdomaininfolist,
 * Xen 4.17's structures): for dom0-style guests (guests/dom0, domwait). */
#ifndef GUEST_DOMLIST_H
#define GUEST_DOMLIST_H

#include "pv.h"
#include "domctl.h"
#include "sysctl.h"

/* Up to max domains with ids from first, in id order, into buf: how many,
 * or the hypercall's error (-XEN_EPERM for an unprivileged caller). */
long domlist_read(domid_t first, struct xen_domctl_getdomaininfo *buf, uint32_t max);

#endif
