/* The domain list as a toolstack sees it: XEN_SYSCTL_getdomaininfolist,
 * looked at again on every VIRQ_DOM_EXC (and now and then: an event can
 * stand for several changes). A domU that appears is connected (rings,
 * tree, introduction); one that has shut down, is dying or is gone is torn
 * down and, if it merely shut down, destroyed, as xl does. */
#include "dom0.h"
#include "errno.h"

#define BATCH 64

struct domu dom0_domus[DOM0_MAX_DOMUS];
unsigned dom0_expect;

static long domctl(struct xen_domctl *op)
{
    return GUEST_HYPERCALL(__HYPERVISOR_domctl, op, 0, 0, 0, 0);
}

long dom0_domctl_simple(uint32_t cmd, domid_t id)
{
    static struct xen_domctl op;

    g_memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = id;
    return domctl(&op);
}

long dom0_domain_info(domid_t id, struct xen_domctl_getdomaininfo *out)
{
    static struct xen_domctl op;
    long rc;

    g_memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getdomaininfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = id;
    rc = domctl(&op);
    /* Xen answers a missing id with the next domain above it. */
    if (rc == 0 && op.u.getdomaininfo.domain != id)
        return -XEN_ESRCH;
    if (rc == 0)
        *out = op.u.getdomaininfo;
    return rc;
}

long dom0_list(domid_t first, struct xen_domctl_getdomaininfo *buf, uint32_t max)
{
    return domlist_read(first, buf, max);
}

struct domu *domu_find(domid_t id)
{
    for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
        if (dom0_domus[i].used && dom0_domus[i].id == id)
            return &dom0_domus[i];
    return 0;
}

unsigned domains_live(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
        n += dom0_domus[i].used;
    return n;
}

const char *domu_end_name(enum domu_end why)
{
    static const char *const n[END_KINDS] = {
        "?", "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
        "forced off", "destroyed", "gone before dom0 saw why",
    };
    return why < END_KINDS ? n[why] : "?";
}

static void info_into(struct domu *d, const struct xen_domctl_getdomaininfo *in)
{
    d->flags = in->flags;
    d->tot_pages = in->tot_pages;
    d->max_pages = in->max_pages;
    d->vcpus = in->max_vcpu_id + 1;
}

/* A new domU: rings, tree, introduction. One that cannot be served is left
 * alone (said once) and still waited for. */
static void domu_add(const struct xen_domctl_getdomaininfo *in)
{
    struct domu *d = 0;

    for (unsigned i = 0; i < DOM0_MAX_DOMUS && !d; i++)
        if (!dom0_domus[i].used) {
            d = &dom0_domus[i];
            g_memset(d, 0, sizeof(*d));
            d->slot = i;
        }
    if (!d) {
        dom0_log("dom0: d%u not served: more than %u domUs\n", in->domain, DOM0_MAX_DOMUS);
        return;
    }
    d->used = 1;
    d->id = in->domain;
    /* The hypervisor keeps the module's name= to itself (the domain handle
     * is all zeros, nothing else carries a name): "d<id>". */
    snformat(d->name, sizeof(d->name), "d%u", d->id);
    info_into(d, in);
    if (rings_connect(d) != 0)
        return;
    if (toolstack_domain_add(d) != 0)
        dom0_log("dom0: d%u: its XenStore tree could not be written\n", d->id);
}

static void set_counted(domid_t id, int on);

static enum domu_end end_of(uint32_t flags)
{
    if (flags & XEN_DOMINF_shutdown) {
        unsigned code = (flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
        return code <= SHUTDOWN_soft_reset ? (enum domu_end)(END_POWEROFF + code) : END_CRASH;
    }
    return END_DESTROYED;
}

void domu_end(struct domu *d, enum domu_end why)
{
    int dying = (d->flags & XEN_DOMINF_dying) || why == END_GONE;

    if (why != END_GONE && d->forced)
        why = END_FORCED;
    console_final(d);
    rings_disconnect(d);
    toolstack_domain_remove(d);
    /* Shut down but not dying: destroyed, as xl does (Xenolith tears a
     * shut-down domain down by itself once nothing holds its frames). */
    if (!dying)
        (void)dom0_domctl_simple(XEN_DOMCTL_destroydomain, d->id);
    set_counted(d->id, 1);
    toolstack_account(d, why);
    shell_domain_gone(d->id);
    d->used = 0;
}

static struct xen_domctl_getdomaininfo batch[BATCH];
static uint8_t seen[DOM0_MAX_DOMUS];
/* Ids whose end has been counted: a dead domain stays listed until its
 * teardown is over, and must not be counted at every look. */
static uint8_t counted[DOMID_FIRST_RESERVED / 8];

static int was_counted(domid_t id)
{
    return (counted[id / 8] >> (id % 8)) & 1;
}

static void set_counted(domid_t id, int on)
{
    if (on)
        counted[id / 8] |= (uint8_t)(1u << (id % 8));
    else
        counted[id / 8] &= (uint8_t)~(1u << (id % 8));
}

/* A domU that ended before dom0 could serve it (or that it could not
 * serve): counted once, with the reason the list gives. */
static void end_unserved(domid_t id, enum domu_end why)
{
    struct domu tmp;

    if (was_counted(id))
        return;
    g_memset(&tmp, 0, sizeof(tmp));
    tmp.id = id;
    set_counted(id, 1);
    toolstack_account(&tmp, why);
}

void domains_expect_gone(void)
{
    for (unsigned id = 1; id <= dom0_expect && id < DOMID_FIRST_RESERVED; id++)
        if (!domu_find((domid_t)id))
            end_unserved((domid_t)id, END_GONE);
}

void domains_scan(void)
{
    domid_t first = 1;
    long num;

    g_memset(seen, 0, sizeof(seen));
    for (;;) {
        num = dom0_list(first, batch, BATCH);
        if (num < 0) {
            dom0_log("dom0: getdomaininfolist: rc=%ld\n", num);
            return;                    /* nothing concluded from a failed look */
        }
        /* New domUs are paused while dom0 sets them up (rings, tree,
         * introduction), as xl creates a domain paused: their first console
         * line then finds its back end. All of a batch first, so that none
         * runs while another is set up. */
        static domid_t paused[BATCH];
        unsigned np = 0;
        for (long k = 0; k < num; k++)
            if (!domu_find(batch[k].domain) && !(batch[k].flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) &&
                dom0_domctl_simple(XEN_DOMCTL_pausedomain, batch[k].domain) == 0)
                paused[np++] = batch[k].domain;
        for (long k = 0; k < num; k++) {
            const struct xen_domctl_getdomaininfo *in = &batch[k];
            struct domu *d = domu_find(in->domain);
            int ended = (in->flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) != 0;

            if (!d && !ended) {
                set_counted(in->domain, 0);
                domu_add(in);
                d = domu_find(in->domain);
            }
            if (!d) {
                if (ended)
                    end_unserved(in->domain, end_of(in->flags));
                continue;
            }
            seen[d - dom0_domus] = 1;
            info_into(d, in);
            if (ended)
                domu_end(d, end_of(in->flags));
        }
        for (unsigned i = 0; i < np; i++)
            (void)dom0_domctl_simple(XEN_DOMCTL_unpausedomain, paused[i]);
        if (num < BATCH)
            break;
        first = (domid_t)(batch[num - 1].domain + 1);
    }
    for (unsigned i = 0; i < DOM0_MAX_DOMUS; i++)
        if (dom0_domus[i].used && !seen[i])
            domu_end(&dom0_domus[i], END_GONE);
}
