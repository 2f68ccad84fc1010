/* What the host tests of event channels share (test_evtchn.c,
 * test_evtchn_fifo.c, test_evtchn_model.c).
 *
 * Each test fakes its own domains (their shared_info, lookup, privilege,
 * notifications, preemption: the evtchn_env_* hooks that differ between the
 * tests) and links the hooks that are alike from here:
 * - evtchn_fake.c: env_error / env_fail(), raised by a hook or a wrapper that
 *   sees the core do what it must not (every test checks !env_error; env_why
 *   keeps the first reason); the hypervisor frames (port table, VIRQ rows of
 *   vCPUs 1.., FIFO state), from calloc, counted in frames_live, with frames_fail_in to make one
 *   allocation fail.
 * - evtchn_fake_noguest.c: no guest frames (the FIFO ABI's control blocks
 *   and event arrays are refused), for the tests without guest memory.
 *
 * Below: the EVTCHNOP wrappers, each with its output field preset to
 * FAKE_UNWRITTEN so that a write on failure shows (env_fail), and a domain's
 * 2-level bits, read through fake_si(), which each test defines. */
#ifndef TESTS_HOST_EVTCHN_FAKE_H
#define TESTS_HOST_EVTCHN_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "evtchn/evtchn_priv.h"

/* ---- the hooks that are alike (evtchn_fake.c) ---- */

extern bool env_error;
extern char env_why[120];
void env_fail(const char *why);

extern int frames_live;                 /* hypervisor frames the core holds */
extern int frames_fail_in;              /* the allocation that fails (0: the next); < 0: none */

/* ---- the including test's domains ---- */

/* The shared_info of one of its fake domains (defined by each test). */
struct shared_info *fake_si(const struct evtchn_domain *ed);
/* The vcpu_info of vCPU vcpu (< EVTCHN_MAX_VCPUS) of one of its domains:
 * shared_info's for the first XEN_LEGACY_MAX_VCPUS, beyond them one the
 * test keeps aside (where VCPUOP_register_vcpu_info would place it). */
struct vcpu_info *fake_vi(const struct evtchn_domain *ed, unsigned vcpu);

static inline bool pending(struct evtchn_domain *ed, uint32_t port)
{
    return (fake_si(ed)->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static inline bool masked(struct evtchn_domain *ed, uint32_t port)
{
    return (fake_si(ed)->evtchn_mask[port / 64] >> (port % 64)) & 1;
}

/* Bit `port` of a 2-level bitmap (pending or mask) set or cleared, as a guest does. */
static inline void set_bit_of(xen_ulong_t *map, uint32_t port, bool on)
{
    xen_ulong_t m = (xen_ulong_t)1 << (port % 64);
    map[port / 64] = on ? map[port / 64] | m : map[port / 64] & ~m;
}

static inline void set_mask(struct evtchn_domain *ed, uint32_t port, bool on)
{
    set_bit_of(fake_si(ed)->evtchn_mask, port, on);
}

static inline void clear_pending(struct evtchn_domain *ed, uint32_t port)
{
    set_bit_of(fake_si(ed)->evtchn_pending, port, false);
}

static inline xen_ulong_t sel(struct evtchn_domain *ed, unsigned vcpu)
{
    return fake_vi(ed, vcpu)->evtchn_pending_sel;
}

static inline uint8_t upcall(struct evtchn_domain *ed, unsigned vcpu)
{
    return fake_vi(ed, vcpu)->evtchn_upcall_pending;
}

/* ---- EVTCHNOP wrappers ---- */

#define FAKE_UNWRITTEN 0xdead           /* an output field's value before the call */

/* The port an op wrote: into *port (0 on failure, which keeps later indexing
 * in bounds); a failed op must have written nothing. */
static inline int port_out(int rc, uint32_t written, uint32_t *port, const char *failure_write)
{
    if (port)
        *port = rc ? 0 : written;
    if (rc && written != FAKE_UNWRITTEN)
        env_fail(failure_write);
    return rc;
}

static inline int alloc_unbound(struct evtchn_domain *self, domid_t dom, domid_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = FAKE_UNWRITTEN };
    int rc = evtchn_op_alloc_unbound(self, &op);
    return port_out(rc, op.port, port, "alloc_unbound wrote its result on failure");
}

static inline int bind_interdomain(struct evtchn_domain *self, domid_t rdom, uint32_t rport, uint32_t *lport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = rdom, .remote_port = rport,
                                          .local_port = FAKE_UNWRITTEN };
    int rc = evtchn_op_bind_interdomain(self, &op);
    return port_out(rc, op.local_port, lport, "bind_interdomain wrote its result on failure");
}

static inline int bind_virq(struct evtchn_domain *self, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu, .port = FAKE_UNWRITTEN };
    int rc = evtchn_op_bind_virq(self, &op);
    return port_out(rc, op.port, port, "bind_virq wrote its result on failure");
}

static inline int bind_ipi(struct evtchn_domain *self, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu, .port = FAKE_UNWRITTEN };
    int rc = evtchn_op_bind_ipi(self, &op);
    return port_out(rc, op.port, port, "bind_ipi wrote its result on failure");
}

static inline int bind_pirq(struct evtchn_domain *self, uint32_t pirq)
{
    struct evtchn_bind_pirq op = { .pirq = pirq };
    return evtchn_op_bind_pirq(self, &op);
}

static inline int do_close(struct evtchn_domain *self, uint32_t port)
{
    struct evtchn_close op = { .port = port };
    return evtchn_op_close(self, &op);
}

static inline int do_send(struct evtchn_domain *self, uint32_t port)
{
    struct evtchn_send op = { .port = port };
    return evtchn_op_send(self, &op);
}

static inline int do_unmask(struct evtchn_domain *self, uint32_t port)
{
    struct evtchn_unmask op = { .port = port };
    return evtchn_op_unmask(self, &op);
}

static inline int bind_vcpu(struct evtchn_domain *self, uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };
    return evtchn_op_bind_vcpu(self, &op);
}

static inline int do_reset(struct evtchn_domain *self, domid_t dom, bool resuming)
{
    struct evtchn_reset op = { .dom = dom };
    return evtchn_op_reset(self, &op, resuming);
}

/* EVTCHNOP_status of (dom, port) into *st, which starts as junk. */
static inline int status(struct evtchn_domain *self, domid_t dom, uint32_t port, struct evtchn_status *st)
{
    memset(st, 0x5a, sizeof(*st));
    st->dom = dom;
    st->port = port;
    return evtchn_op_status(self, st);
}

/* The status of a port as the domain itself sees it: EVTCHNSTAT_*, or the error. */
static inline int stat_of(struct evtchn_domain *ed, uint32_t port)
{
    struct evtchn_status st;
    int rc = status(ed, DOMID_SELF, port, &st);
    return rc ? rc : (int)st.status;
}

#endif
