/* A domU's two rings, as a Xen toolstack finds them: the frames and ports
 * the builder chose (HVMOP_get_param: STORE_PFN/EVTCHN, CONSOLE_PFN/EVTCHN),
 * the frames mapped through the grant entries the builder reserved for the
 * back ends (GNTTAB_RESERVED_XENSTORE, GNTTAB_RESERVED_CONSOLE), the ports
 * bound interdomain. The mappings are dom0's hold on those frames: the
 * hypervisor finishes a domain's teardown only once they are unmapped, so
 * rings_disconnect() is what lets an ended domain's memory go. */
#include "dom0.h"
#include "errno.h"
#include "hvm/hvm_op.h"
#include "hvm/params.h"

static long get_param(domid_t id, uint32_t index, uint64_t *value)
{
    static struct xen_hvm_param p;
    long rc;

    p.domid = id;
    p.index = index;
    p.value = 0;
    rc = GUEST_HYPERCALL(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, 0, 0, 0);
    *value = p.value;
    return rc;
}

/* The window slot of a ring: two per domU, from L1 1 of the grant window. */
static unsigned long ring_va(const struct domu *d, unsigned which)
{
    unsigned n = 2 * d->slot + which;
    return gnt_va(1 + n / 512, n % 512);
}

/* A domain that ended since the list was read is no news when its rings
 * cannot be had: the next look ends it. */
static int still_alive(const struct domu *d)
{
    struct xen_domctl_getdomaininfo in;

    return dom0_domain_info(d->id, &in) == 0 && !(in.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

static int map_one(struct domu *d, unsigned which, grant_ref_t ref, grant_handle_t *handle)
{
    gnttab_map_grant_ref_t m;
    long rc = gnt_map(&m, ring_va(d, which), GNTMAP_host_map, ref, d->id);

    if (rc != 0 || m.status != GNTST_okay) {
        if (still_alive(d))
            dom0_log("dom0: d%u: %s ring not mapped through grant %u: rc=%ld status %d\n", d->id,
                   which ? "console" : "store", ref, rc, m.status);
        return -1;
    }
    *handle = m.handle;
    return 0;
}

static unsigned bind(struct domu *d, uint64_t remote, const char *what)
{
    struct evtchn_bind_interdomain b = { .remote_dom = d->id, .remote_port = (evtchn_port_t)remote };
    long rc = remote < PV_MAX_PORTS ? pv_evtchn_op(EVTCHNOP_bind_interdomain, &b) : -XEN_EINVAL;

    if (rc != 0) {
        dom0_log("dom0: d%u: %s port %lu not bound: rc=%ld\n", d->id, what, (unsigned long)remote, rc);
        return 0;
    }
    return b.local_port;
}

int rings_connect(struct domu *d)
{
    static int area_ready;
    uint64_t sp = 0, se = 0, cp = 0, ce = 0;

    if (!area_ready) {
        long rc = gnt_area_init();
        if (rc != 0) {
            dom0_log("dom0: no grant window: rc=%ld\n", rc);
            return -1;
        }
        area_ready = 1;
    }
    if (get_param(d->id, HVM_PARAM_STORE_PFN, &sp) || get_param(d->id, HVM_PARAM_STORE_EVTCHN, &se) ||
        get_param(d->id, HVM_PARAM_CONSOLE_PFN, &cp) || get_param(d->id, HVM_PARAM_CONSOLE_EVTCHN, &ce)) {
        if (still_alive(d))
            dom0_log("dom0: d%u: its ring parameters cannot be read\n", d->id);
        return -1;
    }
    d->store_ring_ref = (unsigned)sp;   /* a PV domain's frame numbers are machine ones */
    d->cons_ring_ref = (unsigned)cp;
    d->store_remote_port = (unsigned)se;
    d->cons_remote_port = (unsigned)ce;
    if (map_one(d, 1, GNTTAB_RESERVED_CONSOLE, &d->cons_handle) == 0) {
        d->cons_mapped = 1;
        d->cons = (volatile struct xencons_interface *)ring_va(d, 1);
        d->cons_port = bind(d, ce, "console");
    }
    if (map_one(d, 0, GNTTAB_RESERVED_XENSTORE, &d->store_handle) == 0) {
        d->store_mapped = 1;
        d->store = (volatile struct xenstore_domain_interface *)ring_va(d, 0);
        d->store_port = bind(d, se, "store");
    }
    return d->cons_mapped || d->store_mapped ? 0 : -1;
}

static void unmap_one(struct domu *d, unsigned which, grant_handle_t handle)
{
    int16_t st = 0;
    long rc = gnt_unmap(ring_va(d, which), 0, handle, &st);

    if (rc != 0 || st != GNTST_okay)
        dom0_log("dom0: d%u: %s ring unmap: rc=%ld status %d\n", d->id, which ? "console" : "store", rc, st);
}

void rings_disconnect(struct domu *d)
{
    if (d->cons_mapped)
        unmap_one(d, 1, d->cons_handle);
    if (d->store_mapped)
        unmap_one(d, 0, d->store_handle);
    if (d->cons_port)
        (void)pv_evtchn_close(d->cons_port);
    if (d->store_port)
        (void)pv_evtchn_close(d->store_port);
    d->cons_mapped = d->store_mapped = 0;
    d->cons = 0;
    d->store = 0;
    d->cons_port = d->store_port = 0;
}

unsigned rings_ports(evtchn_port_t *ports, unsigned max)
{
    unsigned n = 0;

    for (unsigned i = 0; i < DOM0_MAX_DOMUS && n < max; i++) {
        struct domu *d = &dom0_domus[i];
        if (!d->used)
            continue;
        if (d->cons_port && n < max)
            ports[n++] = d->cons_port;
        if (d->store_port && n < max)
            ports[n++] = d->store_port;
    }
    return n;
}
