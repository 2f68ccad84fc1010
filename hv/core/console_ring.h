/* The hypervisor as console back end of a domain that was given a domU-style
 * start_info with no domain to serve its console ring (dom0_start_info=domu:
 * Mini-OS and other guests that only know that form, run as the only domain;
 * Xen's dom0less console plays the same part). What the guest puts in the
 * ring's output half appears on the hypervisor console as its (dN) lines,
 * after and in order with what it wrote with console_io. */
#ifndef HV_CORE_CONSOLE_RING_H
#define HV_CORE_CONSOLE_RING_H

#include <stdint.h>

struct domain;

/* Serve the ring in d's frame mfn, signalled on port: 0, or -errno (the
 * frame is held until console_ring_detach). */
int console_ring_attach(struct domain *d, uint64_t mfn, uint32_t port);
/* d sent an event on port: print what its ring holds if it is the console's
 * (on every EVTCHNOP_send: the test for a served ring is inline). */
void console_ring_drain_port(struct domain *d, uint32_t port);
#define console_ring_kick(d, port) \
    do { if ((d)->console_ring_mfn) console_ring_drain_port((d), (port)); } while (0)
/* Print what is left and let go of the frame (the domain is shutting down). */
void console_ring_detach(struct domain *d);

#endif
