/* The toolstack: the XenStore tree each domU gets, the shutdown requests
 * and the account of how domUs ended.
 *
 * The tree follows what xl writes (libxl_create.c, libxl_dom.c,
 * libxl_console.c of Xen 4.17): dom0 owns /local/domain/<id> and the domain
 * may read it ("n0 r<id>"); the directories the domain writes to
 * (control/shutdown and the feature flags, data, drivers, feature, attr,
 * error, device/suspend/event-channel) are its own ("n<id>"); its console
 * front end directory is its own with dom0 reading ("n<id> r0"). The table
 * is in docs/dom0.md. */
#include "dom0.h"
#include "errno.h"

int dom0_vif;
int dom0_timestamps;

static unsigned ends[END_KINDS];
static unsigned nr_ended;

void toolstack_path(char *buf, size_t size, domid_t id, const char *suffix)
{
    snformat(buf, size, "/local/domain/%u%s%s", id, *suffix ? "/" : "", suffix);
}

/* The three permission sets of xl, in the wire's text form. */
enum perm { RO, RW, FRONT };

static int set_perm(domid_t id, const char *path, enum perm p)
{
    char perms[32];
    int n;

    if (p == RO)
        n = snformat(perms, sizeof(perms), "n0%cr%u", 0, id);
    else if (p == RW)
        n = snformat(perms, sizeof(perms), "n%u", id);
    else
        n = snformat(perms, sizeof(perms), "n%u%cr0", id, 0);
    return xs_set_perms(dom0_xs, path, perms, (size_t)n + 1);
}

/* One node: a directory (value NULL) or a value, with its permissions. */
static int node(domid_t id, const char *rel, const char *value, enum perm p)
{
    char path[96];
    int rc;

    toolstack_path(path, sizeof(path), id, rel);
    rc = value ? xs_write(dom0_xs, path, value, g_strlen(value)) : xs_mkdir(dom0_xs, path);
    if (rc == 0)
        rc = set_perm(id, path, p);
    if (rc != 0)
        dom0_log("dom0: d%u: writing %s: error %d\n", id, path, rc);
    return rc;
}

static int node_u(domid_t id, const char *rel, unsigned long v, enum perm p)
{
    char s[24];
    snformat(s, sizeof(s), "%lu", v);
    return node(id, rel, s, p);
}

void toolstack_dom0(void)
{
    /* As xen-init-dom0 does at boot: dom0's own name and id (dom0's nodes,
     * nobody else reads them). */
    if (xs_write(dom0_xs, "/local/domain/0/name", "Domain-0", 8) ||
        xs_write(dom0_xs, "/local/domain/0/domid", "0", 1))
        dom0_log("dom0: its own /local/domain/0 not written\n");
}

int toolstack_domain_add(struct domu *d)
{
    static const char *const rw_dirs[] = {
        "control/shutdown", "control/feature-poweroff", "control/feature-reboot",
        "control/feature-suspend", "control/sysrq", "data", "drivers", "feature", "attr", "error",
    };
    domid_t id = d->id;
    int rc = 0;

    /* xl removes whatever an earlier domain of this id left. */
    {
        char path[48];
        toolstack_path(path, sizeof(path), id, "");
        (void)xs_rm(dom0_xs, path);
    }
    rc |= node(id, "", 0, RO);
    rc |= node(id, "name", d->name, RO);
    rc |= node_u(id, "domid", id, RO);
    rc |= node(id, "cpu", 0, RO);
    for (unsigned v = 0; v < d->vcpus && v < 64; v++) {
        char rel[32];
        snformat(rel, sizeof(rel), "cpu/%u/availability", v);
        rc |= node(id, rel, "online", RO);
    }
    rc |= node(id, "memory", 0, RO);
    rc |= node_u(id, "memory/static-max", (unsigned long)d->max_pages * 4, RO);
    rc |= node_u(id, "memory/target", (unsigned long)d->tot_pages * 4, RO);
    rc |= node(id, "memory/videoram", "0", RO);
    rc |= node(id, "device", 0, RO);
    rc |= node(id, "device/suspend", 0, RO);
    rc |= node(id, "device/suspend/event-channel", "", RW);
    if (dom0_vif) {
        /* The front-end half of a network device whose back end never
         * comes (there is no netback here): what a guest configured with
         * a vif finds, e.g. Mini-OS's CONFIG_TEST, whose xenbus tests write
         * under device/vif/0 and whose netfront then gives up. */
        rc |= node(id, "device/vif", 0, RO);
        rc |= node(id, "device/vif/0", 0, FRONT);
    }
    rc |= node(id, "control", 0, RO);
    /* What the platform offers (a guest such as Linux looks before it
     * sends XS_RESET_WATCHES): dom0's, readable by the domain. */
    rc |= node(id, "control/platform-feature-multiprocessor-suspend", "1", RO);
    rc |= node(id, "control/platform-feature-xs_reset_watches", "1", RO);
    for (unsigned i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++)
        rc |= node(id, rw_dirs[i], "", RW);
    rc |= node(id, "store", 0, RO);
    rc |= node_u(id, "store/ring-ref", d->store_ring_ref, RO);
    rc |= node_u(id, "store/port", d->store_remote_port, RO);
    /* The console front end (libxl_console.c: the first console lives at
     * console/, not device/console/0). */
    rc |= node(id, "console", 0, FRONT);
    rc |= node_u(id, "console/ring-ref", d->cons_ring_ref, FRONT);
    rc |= node_u(id, "console/port", d->cons_remote_port, FRONT);
    rc |= node(id, "console/backend-id", "0", FRONT);
    rc |= node(id, "console/limit", "1048576", FRONT);
    rc |= node(id, "console/type", "xenconsoled", FRONT);
    rc |= node(id, "console/output", "pty", FRONT);
    if (rc)
        return XEN_EIO;

    if (d->store_mapped) {
        d->payload = xs_malloc(XENSTORE_PAYLOAD_MAX);
        if (!d->payload) {
            dom0_log("dom0: d%u: no memory for its store connection\n", id);
            return XEN_ENOMEM;
        }
        d->conn = xs_domain_introduce(dom0_xs, id);
        d->introduced = d->conn != 0;
        if (!d->conn) {
            dom0_log("dom0: d%u: not introduced\n", id);
            return XEN_ENOMEM;
        }
        /* Tell a guest that looks that the ring is served. */
        __atomic_store_n(&d->store->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
        if (d->store_port)
            (void)pv_evtchn_send(d->store_port);
    }
    return 0;
}

void toolstack_domain_remove(struct domu *d)
{
    char path[48];

    toolstack_path(path, sizeof(path), d->id, "");
    (void)xs_rm(dom0_xs, path);
    if (d->introduced) {
        /* The core frees the connection (closed or not) and fires
         * @releaseDomain. */
        xs_domain_release(dom0_xs, d->id);
        d->introduced = 0;
        d->conn = 0;
    }
    if (d->payload) {
        xs_free(d->payload);
        d->payload = 0;
    }
}

int toolstack_request(struct domu *d, const char *reason)
{
    char path[64];
    int rc;

    toolstack_path(path, sizeof(path), d->id, "control/shutdown");
    rc = xs_write(dom0_xs, path, reason, g_strlen(reason));
    if (rc == 0 && !d->asked) {
        d->asked = 1;
        d->asked_at = pv_now();
    }
    return rc;
}

void toolstack_account(struct domu *d, enum domu_end why)
{
    ends[why < END_KINDS ? why : END_NONE]++;
    nr_ended++;
    dom0_log("d%u ended: %s\n", d->id, domu_end_name(why));
}

int toolstack_summary(void)
{
    char buf[256];
    int n = snformat(buf, sizeof(buf), "dom0: %u domU%s ended: %u powered off", nr_ended, nr_ended == 1 ? "" : "s",
                     ends[END_POWEROFF]);
    unsigned bad = 0;

    for (unsigned k = END_REBOOT; k < END_KINDS; k++) {
        if (!ends[k])
            continue;
        n += snformat(buf + n, sizeof(buf) - (size_t)n, ", %u %s", ends[k], domu_end_name((enum domu_end)k));
        /* Gone unseen: a boot-built domU that ended before dom0 first
         * looked (the hypervisor's log says why); not held against it. */
        if (k != END_GONE)
            bad += ends[k];
    }
    dom0_log("%s\n", buf);
    if (store_stats.requests)
        dom0_log("dom0: %lu XenStore requests, %lu ns each in the core on average\n", store_stats.requests,
                 (unsigned long)(store_stats.core_ns / store_stats.requests));
    return bad == 0;
}
